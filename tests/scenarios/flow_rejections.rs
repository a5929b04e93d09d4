//! What goes wrong in real flows surfaces as the right typed error, with the
//! server's error code preserved.

use crate::common;

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::AuthorizationErrorCode, errors::CallbackError, errors::EndpointErrorKind,
    errors::TokenErrorCode, Callback, ClientAuthentication, ClientSecret,
};
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig, DEMO_CLIENT_ID};

#[test]
fn user_denies_consent() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let (authorization, pending) = oauth2_pkce::Start::new(&client)
        .begin(
            oauth2_pkce::FlowEntropy::from_os_rng().unwrap(),
            common::NOW,
        )
        .unwrap();
    let callback = Callback::from_url(&server.deny(authorization.url()).unwrap()).unwrap();
    match pending.handle_callback(&client, callback).unwrap_err() {
        CallbackError::Authorization(error) => {
            assert_eq!(*error.error(), AuthorizationErrorCode::AccessDenied);
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
    server.shutdown();
}

#[test]
fn callback_from_another_login_is_refused() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let (pending, _) = common::log_in(&server, &client);
    let (_, other_callback) = common::log_in(&server, &client);
    assert_eq!(
        pending
            .handle_callback(&client, other_callback)
            .unwrap_err(),
        CallbackError::StateMismatch
    );
    server.shutdown();
}

#[test]
fn wrong_client_secret_is_invalid_client() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::client(
        common::metadata(&server),
        DEMO_CLIENT_ID,
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("not-the-secret")),
    );
    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let response = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 401);
    let failure = exchanging
        .handle_response(&response, common::NOW)
        .unwrap_err();
    match failure.error().kind() {
        EndpointErrorKind::ErrorResponse(error) => {
            assert_eq!(*error.error(), TokenErrorCode::InvalidClient)
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }
    assert!(
        failure.into_retry().is_none(),
        "bad credentials are not retryable"
    );
    server.shutdown();
}

#[test]
fn replayed_code_is_refused() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let first = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let replay = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let first = exchanging.handle_response(&first, common::NOW).unwrap();
    assert!(first.tokens().refresh_token().is_some());

    // oxide-auth answers a used code with invalid_request (RFC 6749 §5.2
    // would say invalid_grant); either way the code is typed and kept.
    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let failure = exchanging
        .handle_response(&replay, common::NOW)
        .unwrap_err();
    match failure.error().kind() {
        EndpointErrorKind::ErrorResponse(error) => {
            assert_eq!(*error.error(), TokenErrorCode::InvalidRequest)
        }
        other => panic!("expected an error response, got {other:?}"),
    }
    server.shutdown();
}

#[test]
fn tampered_code_is_refused() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let (pending, _) = common::log_in(&server, &client);
    let state = pending.state().secret().to_owned();
    let forged = Callback::from_query(&format!("code=forged-code&state={state}")).unwrap();
    let exchanging = pending.handle_callback(&client, forged).unwrap();
    let response = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 400);
    let failure = exchanging
        .handle_response(&response, common::NOW)
        .unwrap_err();
    assert!(
        matches!(failure.error().kind(), EndpointErrorKind::ErrorResponse(_)),
        "{failure:?}"
    );
    server.shutdown();
}

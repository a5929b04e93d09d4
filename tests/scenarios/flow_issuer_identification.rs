//! RFC 9207: a server that always sends `iss` in its authorization responses
//! makes `iss` required, and a response from another issuer is refused
//! before its code is used (mix-up defense, RFC 9700 §4.4).

use crate::common;

use oauth2_pkce::errors::CallbackError;
use oauth2_pkce::EndpointStep;
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig};

fn iss_server() -> AuthorizationServer {
    AuthorizationServer::start(ServerConfig::default().authorization_response_iss(true)).unwrap()
}

#[test]
fn matching_iss_is_accepted() {
    let server = iss_server();
    let metadata =
        common::metadata(&server).with_authorization_response_iss_parameter_supported(true);
    let client = common::client(
        metadata,
        oauth2_pkce_test_server::PUBLIC_CLIENT_ID,
        oauth2_pkce::ClientAuthentication::None,
    );
    let (pending, callback) = common::log_in(&server, &client);
    assert_eq!(callback.iss(), Some(server.issuer().as_str()));
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let response = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let authorized = exchanging.handle_response(&response, common::NOW).unwrap();
    assert_eq!(authorized.issuer(), server.issuer());
    server.shutdown();
}

#[test]
fn response_from_another_issuer_is_refused() {
    let server = iss_server();
    // The client believes it talks to an issuer with a trailing slash: not
    // the same string, so not the same issuer.
    let mut metadata = common::metadata(&server);
    metadata.issuer = format!("{}/", server.issuer());
    let client = common::client(
        metadata,
        oauth2_pkce_test_server::PUBLIC_CLIENT_ID,
        oauth2_pkce::ClientAuthentication::None,
    );
    let (pending, callback) = common::log_in(&server, &client);
    assert_eq!(
        pending.handle_callback(&client, callback).unwrap_err(),
        CallbackError::IssuerMismatch {
            received: server.issuer().into()
        }
    );
    server.shutdown();
}

#[test]
fn missing_iss_is_refused_when_the_server_promises_it() {
    // The server does not send iss, but the metadata says it always does.
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let metadata =
        common::metadata(&server).with_authorization_response_iss_parameter_supported(true);
    let client = common::client(
        metadata,
        oauth2_pkce_test_server::PUBLIC_CLIENT_ID,
        oauth2_pkce::ClientAuthentication::None,
    );
    let (pending, callback) = common::log_in(&server, &client);
    assert_eq!(
        pending.handle_callback(&client, callback).unwrap_err(),
        CallbackError::MissingIssuer
    );
    server.shutdown();
}

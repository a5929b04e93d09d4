//! Revocation against the embedded server (RFC 7009), and what the API
//! says afterwards (RFC 6750 §3).

use crate::common;

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::BearerErrorCode, errors::TokenErrorCode, resource::BearerChallenge, resource::NextStep,
    values::TokenTypeHint,
};
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig};

#[test]
fn revoked_refresh_token_cannot_refresh() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let authorized = common::authorize(&server, &client);

    let revocation = authorized
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    let response = common::send(revocation.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.body().is_empty());
    revocation.handle_response(&response, common::NOW).unwrap();

    let refreshing = authorized.refresh(&client).unwrap();
    let response = common::send(refreshing.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let failure = refreshing
        .handle_response(&response, common::NOW)
        .unwrap_err();
    assert!(
        failure.code() == Some(&TokenErrorCode::InvalidGrant),
        "{failure:?}"
    );
    server.shutdown();
}

#[test]
fn revoked_access_token_is_refused_by_the_api() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let authorized = common::authorize(&server, &client);
    assert_eq!(common::call_api(&server, &authorized).status(), 200);

    let revocation = authorized
        .revoke(&client, TokenTypeHint::AccessToken)
        .unwrap();
    let response = common::send(revocation.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    revocation.handle_response(&response, common::NOW).unwrap();

    let api = common::call_api(&server, &authorized);
    assert_eq!(api.status(), 401);
    let challenge = BearerChallenge::from_response(&api).unwrap().unwrap();
    assert_eq!(challenge.error(), Some(&BearerErrorCode::InvalidToken));
    assert_eq!(challenge.next_step(), NextStep::Refresh);

    // As the challenge says: refresh (oxide-auth keeps the refresh token
    // of a revoked access token) and retry.
    let refreshing = authorized.refresh(&client).unwrap();
    let response = common::send(refreshing.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let refreshed = refreshing.handle_response(&response, common::NOW).unwrap();
    assert_eq!(common::call_api(&server, &refreshed).status(), 200);
    server.shutdown();
}

#[test]
fn revocation_with_a_wrong_secret_is_invalid_client() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let authorized = common::authorize(&server, &client);
    let impostor = common::client(
        common::metadata(&server),
        oauth2_pkce_test_server::DEMO_CLIENT_ID,
        oauth2_pkce::ClientAuthentication::ClientSecretBasic(oauth2_pkce::ClientSecret::new(
            "wrong",
        )),
    );
    let revocation = authorized
        .revoke(&impostor, TokenTypeHint::AccessToken)
        .unwrap();
    let response = common::send(revocation.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let failure = revocation
        .handle_response(&response, common::NOW)
        .unwrap_err();
    match failure.error().kind() {
        oauth2_pkce::errors::EndpointErrorKind::ErrorResponse(error) => {
            assert_eq!(
                *error.error(),
                oauth2_pkce::errors::TokenErrorCode::InvalidClient
            );
        }
        other => panic!("{other:?}"),
    }
    // The token was not revoked.
    assert_eq!(common::call_api(&server, &authorized).status(), 200);
    server.shutdown();
}

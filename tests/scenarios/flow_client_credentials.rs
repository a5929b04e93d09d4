//! The client credentials grant (RFC 6749 §4.4) against the embedded
//! server: a token for the client itself, no refresh token.

use crate::common;

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{errors::ApiMisuse, ClientCredentials, Scope};
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig, DEMO_CLIENT_ID};

#[test]
fn machine_to_machine_token() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let grant = ClientCredentials::new(&client, Scope::parse("read").unwrap()).unwrap();
    let response = common::send(grant.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 200);
    let authorized = grant.handle_response(&response, common::NOW).unwrap();
    assert!(authorized.tokens().refresh_token().is_none());
    assert_eq!(
        authorized.refresh(&client).unwrap_err(),
        ApiMisuse::NoRefreshToken
    );

    let api = common::call_api(&server, &authorized);
    assert_eq!(api.status(), 200);
    let me: serde_json::Value = serde_json::from_slice(api.body()).unwrap();
    assert_eq!(me["client_id"], DEMO_CLIENT_ID);
    server.shutdown();
}

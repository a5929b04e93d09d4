//! A public client (no secret, `client_id` in the body, RFC 6749 §3.2.1):
//! PKCE is what protects its code.

use crate::common;

use oauth2_pkce::ClientAuthentication;
use oauth2_pkce::EndpointStep;
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig, PUBLIC_CLIENT_ID};

#[test]
fn public_client_logs_in_with_pkce_alone() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::client(
        common::metadata(&server),
        PUBLIC_CLIENT_ID,
        ClientAuthentication::None,
    );

    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let request = exchanging.request(&crate::CONTEXT).unwrap().into_http();
    assert!(request.headers().get("authorization").is_none());
    assert!(String::from_utf8_lossy(request.body().as_bytes()).contains("client_id=public-client"));

    let response = common::send(request).unwrap();
    let authorized = exchanging.handle_response(&response, common::NOW).unwrap();
    assert_eq!(common::call_api(&server, &authorized).status(), 200);
    server.shutdown();
}

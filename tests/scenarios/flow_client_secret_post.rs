//! A confidential client that sends its credentials in the body
//! (`client_secret_post`, RFC 6749 §2.3.1).

use crate::common;

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{ClientAuthentication, ClientSecret};
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};

#[test]
fn credentials_in_the_body() {
    let server =
        AuthorizationServer::start(ServerConfig::default().allow_client_secret_post(true)).unwrap();
    let metadata = common::metadata(&server)
        .with_token_endpoint_auth_methods_supported(["client_secret_basic", "client_secret_post"]);
    let client = common::client(
        metadata,
        DEMO_CLIENT_ID,
        ClientAuthentication::ClientSecretPost(ClientSecret::new(DEMO_CLIENT_SECRET)),
    );

    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let request = exchanging.request(&crate::CONTEXT).unwrap().into_http();
    assert!(
        request.headers().get("authorization").is_none(),
        "one method per request"
    );
    assert!(
        !request.uri().to_string().contains("secret"),
        "credentials never in the URL"
    );

    let response = common::send(request).unwrap();
    let authorized = exchanging.handle_response(&response, common::NOW).unwrap();
    assert_eq!(common::call_api(&server, &authorized).status(), 200);
    server.shutdown();
}

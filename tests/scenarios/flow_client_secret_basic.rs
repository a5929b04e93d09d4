//! A confidential client logs in with HTTP Basic authentication at the token
//! endpoint and calls the API (RFC 6749 §4.1, §2.3.1; RFC 6750 §2.1).

use crate::common;

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{AwaitingCallback, Callback, FlowEntropy, Scope, Start};
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig};

#[test]
fn log_in_exchange_and_call_the_api() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);

    let (authorization, pending) = Start::new(&client)
        .scope(Scope::parse("read write").unwrap())
        .begin(FlowEntropy::from_os_rng().unwrap(), common::NOW)
        .unwrap();
    // The pending flow survives a trip through the session store.
    let stored = serde_json::to_vec(&pending).unwrap();
    let pending: AwaitingCallback = serde_json::from_slice(&stored).unwrap();

    let callback_url = server.log_in(authorization.url()).unwrap();
    let callback = Callback::from_url(&callback_url).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();

    let request = exchanging.request(&crate::CONTEXT).unwrap().into_http();
    assert!(request.headers()["authorization"]
        .to_str()
        .unwrap()
        .starts_with("Basic "));
    let response = common::send(request).unwrap();
    assert_eq!(response.status(), 200);
    let authorized = exchanging.handle_response(&response, common::NOW).unwrap();

    let tokens = authorized.tokens();
    assert!(tokens.refresh_token().is_some());
    // oxide-auth issues one-hour tokens and counts from its own clock.
    let lifetime = tokens
        .expires_at()
        .unwrap()
        .saturating_duration_since(common::NOW);
    assert!((3590..=3600).contains(&lifetime.as_secs()), "{lifetime:?}");
    assert!(tokens.scope().contains("read") && tokens.scope().contains("write"));

    let api = common::call_api(&server, &authorized);
    assert_eq!(api.status(), 200);
    let me: serde_json::Value = serde_json::from_slice(api.body()).unwrap();
    assert_eq!(me["sub"], oauth2_pkce_test_server::TEST_USER);
    assert_eq!(me["client_id"], oauth2_pkce_test_server::DEMO_CLIENT_ID);
    server.shutdown();
}

//! Each stack's glue, driving a whole flow against oxide-auth on
//! 127.0.0.1: discovery, login, the code exchange through an injected 503,
//! an API call, refresh and revocation.

use std::time::Duration;

use oauth2_pkce::*;
use oauth2_pkce_stacks::*;
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};

fn driver() -> Driver {
    Driver::new(RetryPolicy::new(0x57ac_4500_0000_0001).base_delay(Duration::from_millis(10)))
}

/// The demo client, from metadata found by `discover`.
fn client(metadata: ServerMetadata) -> Client {
    Client::new(
        metadata,
        ClientId::new(DEMO_CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(DEMO_CLIENT_SECRET)),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new(oauth2_pkce_test_server::DEFAULT_REDIRECT_URI).unwrap())
}

/// The browser part: the login at the server, the callback it sends back.
fn log_in(server: &AuthorizationServer, client: &Client) -> Exchanging {
    let (authorization, pending) = Start::new(client)
        .begin(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
        .unwrap();
    let callback = server.log_in(authorization.url()).unwrap();
    pending
        .handle_callback(client, Callback::from_url(&callback).unwrap())
        .unwrap()
}

/// The protected resource, with the access token.
fn api_request(
    server: &AuthorizationServer,
    authorized: &Authorized,
) -> http::Request<RequestBody> {
    let mut request = http::Request::get(server.resource_endpoint())
        .body(RequestBody::default())
        .unwrap();
    authorized.authorize_request(&mut request).unwrap();
    request
}

#[test]
fn ureq_blocking() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let agent = ureq_agent();
    let send = |request| ureq_send(&agent, request);
    let driver = driver();

    let discovery = Discovery::new(server.issuer()).unwrap();
    let client = client(driver.run(discovery, send, std::thread::sleep).unwrap());
    let exchanging = log_in(&server, &client);
    server.fail_next_token_requests(1);
    let authorized = driver.run(exchanging, send, |_| {}).unwrap();
    assert_eq!(
        send(api_request(&server, &authorized)).unwrap().status(),
        200
    );
    let refreshed = driver
        .run(
            authorized.refresh(&client).unwrap(),
            send,
            std::thread::sleep,
        )
        .unwrap();
    let revocation = refreshed
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    driver.run(revocation, send, std::thread::sleep).unwrap();
    server.shutdown();
}

/// The whole flow over an async send function.
async fn whole_flow_async<E: std::fmt::Debug>(
    send: impl AsyncFn(http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, E>,
) {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    // A generic `AsyncFn` is passed on as a function returning its future.
    let send = |request| send(request);
    let sleep = tokio::time::sleep;
    let driver = driver();

    let discovery = Discovery::new(server.issuer()).unwrap();
    let client = client(driver.run_async(discovery, send, sleep).await.unwrap());
    let exchanging = log_in(&server, &client);
    server.fail_next_token_requests(1);
    let authorized = driver.run_async(exchanging, send, sleep).await.unwrap();
    let api = send(api_request(&server, &authorized)).await.unwrap();
    assert_eq!(api.status(), 200);
    let refreshing = authorized.refresh(&client).unwrap();
    let refreshed = driver.run_async(refreshing, send, sleep).await.unwrap();
    let revocation = refreshed
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    driver.run_async(revocation, send, sleep).await.unwrap();
    server.shutdown();
}

#[tokio::test(flavor = "current_thread")]
async fn reqwest_async() {
    let http = reqwest_client().unwrap();
    whole_flow_async(async |request| reqwest_send(&http, request).await).await;
}

#[tokio::test(flavor = "current_thread")]
async fn hyper_async() {
    let http = hyper_client();
    whole_flow_async(async |request| hyper_send(&http, request).await).await;
}

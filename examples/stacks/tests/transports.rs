//! Each transport adapter, as the README's table builds it, driving a whole
//! flow against oxide-auth on 127.0.0.1 from a driver kept in an app's
//! state: discovery, login, the code exchange through an injected 503, an
//! API call, refresh and revocation.

use oauth2_pkce::values::TokenTypeHint;
use oauth2_pkce::*;
use oauth2_pkce_hyper::HyperTransport;
use oauth2_pkce_reqwest::ReqwestTransport;
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};
use oauth2_pkce_ureq::UreqTransport;

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

/// The protected resource.
fn api_request(server: &AuthorizationServer) -> http::Request<RequestBody> {
    http::Request::get(server.resource_endpoint())
        .body(RequestBody::default())
        .unwrap()
}

/// An app's state: the driver, kept.
struct AppState<T> {
    oauth: Driver<T>,
}

#[test]
fn ureq_blocking() -> Result<(), Box<dyn std::error::Error>> {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let state = AppState {
        oauth: Driver::new(UreqTransport::new())?,
    };
    let oauth = &state.oauth;

    let client = client(oauth.run(Discovery::new(server.issuer())?)?);
    let exchanging = log_in(&server, &client);
    server.fail_next_token_requests(1);
    let mut authorized = oauth.run(exchanging)?;
    let answer = oauth.request_resource(&client, &mut authorized, api_request(&server))?;
    assert_eq!(answer.status(), 200);
    let refreshed = oauth.run(authorized.refresh(&client)?)?;
    oauth.run(refreshed.revoke(&client, TokenTypeHint::RefreshToken)?)?;
    server.shutdown();
    Ok(())
}

/// The whole flow over an async transport.
async fn whole_flow_async<T: AsyncTransport>(
    state: AppState<T>,
) -> Result<(), Box<dyn std::error::Error>> {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let oauth = &state.oauth;

    let discovery = Discovery::new(server.issuer())?;
    let client = client(oauth.run_async(discovery).await?);
    let exchanging = log_in(&server, &client);
    server.fail_next_token_requests(1);
    let mut authorized = oauth.run_async(exchanging).await?;
    let request = api_request(&server);
    let answer = oauth
        .request_resource_async(&client, &mut authorized, request)
        .await?;
    assert_eq!(answer.status(), 200);
    let refreshed = oauth.run_async(authorized.refresh(&client)?).await?;
    let revocation = refreshed.revoke(&client, TokenTypeHint::RefreshToken)?;
    oauth.run_async(revocation).await?;
    server.shutdown();
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn reqwest_async() -> Result<(), Box<dyn std::error::Error>> {
    let state = AppState {
        oauth: Driver::new(ReqwestTransport::new()?)?,
    };
    whole_flow_async(state).await
}

#[tokio::test(flavor = "current_thread")]
async fn hyper_async() -> Result<(), Box<dyn std::error::Error>> {
    let state = AppState {
        oauth: Driver::new(HyperTransport::new())?,
    };
    whole_flow_async(state).await
}

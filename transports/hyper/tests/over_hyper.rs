//! `HyperTransport` against the embedded authorization server
//! (oxide-auth on 127.0.0.1): a whole login through an outage, and the
//! transport's own rules against a one-shot server: a redirect handed
//! back, an error status an answer, a long body refused.

use std::io::{Read, Write};
use std::time::Duration;

use oauth2_pkce::errors::TokenErrorCode;
use oauth2_pkce::*;
use oauth2_pkce_hyper::HyperTransport;
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEFAULT_REDIRECT_URI, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};

/// The application's state: a driver kept in a field, shared by tasks.
#[derive(Clone)]
struct AppState {
    oauth: Driver<HyperTransport>,
}

#[tokio::test(flavor = "current_thread")]
async fn a_login_refresh_and_revocation_over_hyper() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let policy = RetryPolicy::new(1).base_delay(Duration::from_millis(10));
    let state = AppState {
        oauth: Driver::with_policy(HyperTransport::new(), policy),
    };
    // The driver's futures are `Send`: they run on spawned tasks.
    let discovery = Discovery::new(server.issuer()).unwrap();
    let oauth = state.clone();
    let metadata = tokio::spawn(async move { oauth.oauth.run_async(discovery).await })
        .await
        .unwrap()
        .unwrap();
    let client = Client::new(
        metadata,
        ClientId::new(DEMO_CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(DEMO_CLIENT_SECRET)),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new(DEFAULT_REDIRECT_URI).unwrap());
    let authorization = Start::new(&client)
        .authorize(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
        .unwrap();
    let (authorization, pending) = state.oauth.authorize_async(authorization).await.unwrap();
    let callback = server.log_in(authorization.url()).unwrap();
    let exchanging = pending
        .handle_callback(&client, Callback::from_url(&callback).unwrap())
        .unwrap();
    server.fail_next_token_requests(1);
    let mut authorized = state.oauth.run_async(exchanging).await.unwrap();

    let api = http::Request::get(server.resource_endpoint())
        .body(RequestBody::default())
        .unwrap();
    let answer = state
        .oauth
        .request_resource_async(&client, &mut authorized, api)
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let refreshing = authorized.refresh(&client).unwrap();
    let refreshed = state.oauth.run_async(refreshing).await.unwrap();
    let revocation = refreshed
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    state.oauth.run_async(revocation).await.unwrap();
    let refreshing = refreshed.refresh(&client).unwrap();
    let error = state.oauth.run_async(refreshing).await.unwrap_err();
    assert!(
        error.code() == Some(&TokenErrorCode::InvalidGrant),
        "{error}"
    );
}

/// A server on 127.0.0.1 that answers one request with `response`.
fn one_shot(response: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0; 4096];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(&response);
        // Closed only once the client is done: an early close would reset
        // the connection under the body.
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let _ = stream.read_to_end(&mut Vec::new());
    });
    format!("http://{address}/token")
}

fn post(uri: &str) -> http::Request<RequestBody> {
    http::Request::post(uri)
        .body(RequestBody::from(b"grant_type=refresh_token".to_vec()))
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_redirect_is_handed_back_not_followed() {
    let uri = one_shot(
        b"HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:9/elsewhere\r\ncontent-length: 0\r\n\r\n"
            .to_vec(),
    );
    let transport = HyperTransport::new();
    let response = transport.send(post(&uri)).await.unwrap();
    assert_eq!(response.status(), 307);
    assert_eq!(
        response.headers()["location"],
        "http://127.0.0.1:9/elsewhere"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn an_error_status_is_an_answer() {
    let body = br#"{"error":"invalid_grant"}"#;
    let mut reply = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    reply.extend_from_slice(body);
    let transport = HyperTransport::new();
    let response = transport.send(post(&one_shot(reply))).await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.body(), body);
}

#[tokio::test(flavor = "current_thread")]
async fn a_body_over_the_cap_is_refused() {
    let size = oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES + 1;
    let reply = || {
        // Chunked: the cap holds while the body is read, not only on the
        // announced length.
        let mut reply = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        reply.extend_from_slice(format!("{size:x}\r\n").as_bytes());
        reply.resize(reply.len() + size, b'a');
        reply.extend_from_slice(b"\r\n0\r\n\r\n");
        reply
    };
    let transport = HyperTransport::new();
    let error = transport.send(post(&one_shot(reply()))).await.unwrap_err();
    assert!(error.is_body_too_large(), "{error}");
    let transport = transport.with_body_limit(size);
    let response = transport.send(post(&one_shot(reply()))).await.unwrap();
    assert_eq!(response.body().len(), size);
}

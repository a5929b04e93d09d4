//! What every transport must do, written once and run by each adapter's
//! tests over itself (and usable by a transport of an app's own):
//!
//! - a whole login against the embedded authorization server (oxide-auth
//!   on 127.0.0.1), through a token endpoint outage, an API call, a
//!   refresh and a revocation, with the driver kept in a struct field;
//! - the transport's own rules against a one-shot server on 127.0.0.1: a
//!   redirect is handed back, never followed; an error status is an
//!   answer; a body over the cap is refused while it is read.

use std::io::{Read, Write};
use std::time::Duration;

use oauth2_pkce::errors::TokenErrorCode;
use oauth2_pkce::values::TokenTypeHint;
use oauth2_pkce::*;
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEFAULT_REDIRECT_URI, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};

/// A driver over `transport` that retries quickly: the outage below is
/// one answer long.
fn driver<T>(transport: T) -> Driver<T> {
    let policy = RetryPolicy::new(1).base_delay(Duration::from_millis(10));
    Driver::with_policy(transport, policy)
}

/// The embedded server's demo client, with the metadata discovery found.
fn client(metadata: ServerMetadata) -> Client {
    Client::new(
        metadata,
        ClientId::new(DEMO_CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(DEMO_CLIENT_SECRET)),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new(DEFAULT_REDIRECT_URI).unwrap())
}

/// A `GET` of the embedded server's protected resource.
fn api_call(server: &AuthorizationServer) -> http::Request<RequestBody> {
    http::Request::get(server.resource_endpoint())
        .body(RequestBody::default())
        .unwrap()
}

/// A blocking transport's whole login: discovery, the code exchange
/// through one failed token request, the API call, a refresh, the
/// revocation, and the revoked refresh token refused.
pub fn a_whole_login<T: Transport>(transport: T) {
    /// The application's state: a driver kept in a field.
    struct App<T> {
        oauth: Driver<T>,
    }
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let app = App {
        oauth: driver(transport),
    };
    let metadata = app
        .oauth
        .run(Discovery::new(server.issuer()).unwrap())
        .unwrap();
    let client = client(metadata);
    let authorization = Start::new(&client)
        .authorize(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
        .unwrap();
    let (authorization, pending) = app.oauth.authorize(authorization).unwrap();
    let callback = server.log_in(authorization.url()).unwrap();
    let exchanging = pending
        .handle_callback(&client, Callback::from_url(&callback).unwrap())
        .unwrap();
    server.fail_next_token_requests(1);
    let mut authorized = app.oauth.run(exchanging).unwrap();

    let answer = app
        .oauth
        .request_resource(&client, &mut authorized, api_call(&server))
        .unwrap();
    assert_eq!(answer.status(), 200);
    let refreshed = app.oauth.run(authorized.refresh(&client).unwrap()).unwrap();
    let revocation = refreshed
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    app.oauth.run(revocation).unwrap();
    let error = app
        .oauth
        .run(refreshed.refresh(&client).unwrap())
        .unwrap_err();
    assert!(
        error.code() == Some(&TokenErrorCode::InvalidGrant),
        "{error}"
    );
}

/// An async transport's whole login, as [`a_whole_login`], with the
/// driver shared by spawned tasks: its futures are `Send`. Run it on a
/// tokio runtime.
pub async fn a_whole_login_async<T>(transport: T)
where
    T: AsyncTransport + Clone + Send + Sync + 'static,
{
    /// The application's state: a driver kept in a field, shared by tasks.
    #[derive(Clone)]
    struct AppState<T> {
        oauth: Driver<T>,
    }
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let state = AppState {
        oauth: driver(transport),
    };
    let discovery = Discovery::new(server.issuer()).unwrap();
    let oauth = state.clone();
    let metadata = tokio::spawn(async move { oauth.oauth.run_async(discovery).await })
        .await
        .unwrap()
        .unwrap();
    let client = client(metadata);
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

    let answer = state
        .oauth
        .request_resource_async(&client, &mut authorized, api_call(&server))
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

/// A server on 127.0.0.1 that answers one request with `response`; the
/// URI to send it to.
pub fn one_shot(response: Vec<u8>) -> String {
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

/// A token request's shape, to `uri`.
pub fn post(uri: &str) -> http::Request<RequestBody> {
    http::Request::post(uri)
        .body(RequestBody::from(b"grant_type=refresh_token".to_vec()))
        .unwrap()
}

/// A `307` pointing elsewhere: the transport must hand it back.
pub fn redirect() -> Vec<u8> {
    b"HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:9/elsewhere\r\ncontent-length: 0\r\n\r\n"
        .to_vec()
}

/// Checks the answer to [`redirect`]: the `307` itself, not followed.
pub fn assert_redirect_handed_back(response: &http::Response<Vec<u8>>) {
    assert_eq!(response.status(), 307);
    assert_eq!(
        response.headers()["location"],
        "http://127.0.0.1:9/elsewhere"
    );
}

/// The body of [`error_status`]'s answer.
pub const ERROR_BODY: &[u8] = br#"{"error":"invalid_grant"}"#;

/// A `400` with an OAuth error: the transport must hand it back as an
/// answer, its body whole ([`ERROR_BODY`]).
pub fn error_status() -> Vec<u8> {
    let mut reply = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        ERROR_BODY.len()
    )
    .into_bytes();
    reply.extend_from_slice(ERROR_BODY);
    reply
}

/// One byte over [`MAX_RESPONSE_BODY_BYTES`](oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES).
pub const OVER_THE_CAP: usize = oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES + 1;

/// A `200` whose chunked body is [`OVER_THE_CAP`] bytes long: chunked, so
/// the cap must hold while the body is read, not only on the announced
/// length.
pub fn oversized() -> Vec<u8> {
    let mut reply = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    reply.extend_from_slice(format!("{OVER_THE_CAP:x}\r\n").as_bytes());
    reply.resize(reply.len() + OVER_THE_CAP, b'a');
    reply.extend_from_slice(b"\r\n0\r\n\r\n");
    reply
}

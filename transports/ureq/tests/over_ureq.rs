//! `UreqTransport` against the embedded authorization server (oxide-auth on
//! 127.0.0.1): a whole login through an outage, and the transport's own
//! rules against a one-shot server: a redirect handed back, an error
//! status an answer, a long body refused.

use std::io::{Read, Write};
use std::time::Duration;

use oauth2_pkce::errors::TokenErrorCode;
use oauth2_pkce::*;
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEFAULT_REDIRECT_URI, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};
use oauth2_pkce_ureq::UreqTransport;

/// The application's state: a driver kept in a field.
struct App {
    oauth: Driver<UreqTransport>,
}

#[test]
fn a_login_refresh_and_revocation_over_ureq() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let policy = RetryPolicy::new(1).base_delay(Duration::from_millis(10));
    let app = App {
        oauth: Driver::with_policy(UreqTransport::new(), policy),
    };

    let metadata = app
        .oauth
        .run(Discovery::new(server.issuer()).unwrap())
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
    let (authorization, pending) = app.oauth.authorize(authorization).unwrap();
    let callback = server.log_in(authorization.url()).unwrap();
    let exchanging = pending
        .handle_callback(&client, Callback::from_url(&callback).unwrap())
        .unwrap();
    server.fail_next_token_requests(1);
    let mut authorized = app.oauth.run(exchanging).unwrap();

    let api = http::Request::get(server.resource_endpoint())
        .body(RequestBody::default())
        .unwrap();
    let answer = app
        .oauth
        .request_resource(&client, &mut authorized, api)
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

#[test]
fn a_redirect_is_handed_back_not_followed() {
    let uri = one_shot(
        b"HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:9/elsewhere\r\ncontent-length: 0\r\n\r\n"
            .to_vec(),
    );
    // Even over an agent that follows redirects and fails on statuses.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(10)
        .build()
        .into();
    let response = UreqTransport::from_agent(agent).send(post(&uri)).unwrap();
    assert_eq!(response.status(), 307);
    assert_eq!(
        response.headers()["location"],
        "http://127.0.0.1:9/elsewhere"
    );
}

#[test]
fn an_error_status_is_an_answer() {
    let body = br#"{"error":"invalid_grant"}"#;
    let mut reply = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    reply.extend_from_slice(body);
    let response = UreqTransport::new().send(post(&one_shot(reply))).unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.body(), body);
}

#[test]
fn a_body_over_the_cap_is_refused() {
    let size = oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES + 1;
    let mut reply = format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n").into_bytes();
    reply.resize(reply.len() + size, b'a');
    let error = UreqTransport::new()
        .send(post(&one_shot(reply)))
        .unwrap_err();
    assert!(matches!(error, ureq::Error::BodyExceedsLimit(_)), "{error}");
    // A larger cap of the app's choosing.
    let mut reply = format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n").into_bytes();
    reply.resize(reply.len() + size, b'a');
    let transport = UreqTransport::new().with_body_limit(size as u64);
    assert_eq!(
        transport.send(post(&one_shot(reply))).unwrap().body().len(),
        size
    );
}

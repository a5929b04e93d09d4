//! Pushed authorization requests (RFC 9126).

use std::time::Duration;

use oauth2_pkce::errors::{
    ApiMisuse, ConfigError, EndpointErrorKind, EndpointKind, InvalidValue, TokenErrorCode,
};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::values::Method;
use oauth2_pkce::*;

use crate::rendering::{render, render_http};

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const PAR: &str = "https://as.example/par";

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize?tenant=x",
        "https://as.example/token",
    )
    .with_token_endpoint_auth_methods_supported([
        "client_secret_basic",
        "client_secret_post",
        "none",
    ]);
    metadata.pushed_authorization_request_endpoint = Some(PAR.into());
    metadata
}

fn client(metadata: ServerMetadata, authentication: ClientAuthentication) -> Client {
    Client::new(
        metadata,
        ClientId::new("s6BhdRkqt3").unwrap(),
        authentication,
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
}

fn basic() -> ClientAuthentication {
    ClientAuthentication::ClientSecretBasic(ClientSecret::new("7Fjfp0ZBr1KtDRbnfVdmIw"))
}

fn push(client: &Client) -> PushingAuthorization {
    Start::new(client)
        .scope(Scope::parse("account-information").unwrap())
        .push(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap()
}

fn names(body: &[u8]) -> Vec<String> {
    std::str::from_utf8(body)
        .unwrap()
        .split('&')
        .map(|pair| pair.split('=').next().unwrap().to_owned())
        .collect()
}

fn created(body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

const CREATED: &str = r#"{"request_uri":"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c","expires_in":60}"#;

/// RFC 9126 §2.1: the example's shape, with Basic.
#[test]
fn pushed_request_with_basic() {
    let client = client(metadata(), basic());
    let pushing = push(&client);
    let request = pushing.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("par_request_client_secret_basic", render(&request));
    assert_eq!(
        render_http(&pushing.request(&crate::CONTEXT).unwrap().into_http()),
        render(&request)
    );
    assert_eq!(request.method(), Method::Post);
    assert_eq!(request.uri(), PAR);
    assert_eq!(
        request.header("authorization"),
        Some("Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3")
    );
    let sent = names(request.body());
    assert_eq!(
        sent,
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method"
        ]
    );
    assert!(!sent.contains(&"request_uri".to_owned()));
}

#[test]
fn pushed_request_with_post_and_none_sends_client_id_once() {
    let post = client(
        metadata(),
        ClientAuthentication::ClientSecretPost(ClientSecret::new("secret")),
    );
    let request = push(&post).request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("par_request_client_secret_post", render(&request));
    let sent = names(request.body());
    assert_eq!(sent.iter().filter(|n| *n == "client_id").count(), 1);
    assert_eq!(sent.last().map(String::as_str), Some("client_secret"));
    assert_eq!(request.header("authorization"), None);

    let public = client(metadata(), ClientAuthentication::None);
    let request = push(&public).request(&crate::CONTEXT).unwrap();
    let sent = names(request.body());
    assert_eq!(sent.iter().filter(|n| *n == "client_id").count(), 1);
    assert!(!sent.contains(&"client_secret".to_owned()));
}

/// RFC 9126 §4: the authorization URL carries client_id and request_uri only
/// (the endpoint's own query is kept, RFC 6749 §3.1).
#[test]
fn authorization_url_after_the_push() {
    let client = client(metadata(), basic());
    let pushing = push(&client);
    let (authorization, pending) = pushing.handle_response(&created(CREATED), NOW).unwrap();
    assert_eq!(
        authorization.url(),
        "https://as.example/authorize?tenant=x&client_id=s6BhdRkqt3&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c"
    );
    assert_eq!(
        pending.request_uri_expires_at(),
        Some(NOW.saturating_add(Duration::from_secs(60)))
    );
    let stored: AwaitingCallback =
        serde_json::from_str(&serde_json::to_string(&pending).unwrap()).unwrap();
    assert_eq!(stored, pending);

    // The rest of the flow is the usual one.
    let callback =
        Callback::from_query(&format!("code=abc&state={}", pending.state().secret())).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    assert_eq!(
        exchanging.request(&crate::CONTEXT).unwrap().uri(),
        "https://as.example/token"
    );
}

#[test]
fn errors_and_retries() {
    let client = client(metadata(), basic());

    let failure = push(&client)
        .handle_response(HttpResponse::new(503, b"").with_retry_after("5"), NOW)
        .unwrap_err();
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::Unavailable {
            status: 503,
            retry_after: Some(Duration::from_secs(5))
        }
    );
    let retry = failure.into_retry().unwrap();
    assert_eq!(
        retry.request(&crate::CONTEXT).unwrap(),
        push(&client).request(&crate::CONTEXT).unwrap()
    );

    let bad = http::Response::builder()
        .status(400)
        .header("content-type", "application/json")
        .body(br#"{"error":"invalid_request","error_description":"The redirect_uri is not valid for the given client"}"#.to_vec())
        .unwrap();
    let failure = push(&client).handle_response(&bad, NOW).unwrap_err();
    match failure.error().kind() {
        EndpointErrorKind::ErrorResponse(error) => {
            assert_eq!(*error.error(), TokenErrorCode::InvalidRequest);
            assert_eq!(
                error.error_description(),
                Some("The redirect_uri is not valid for the given client")
            );
        }
        other => panic!("{other:?}"),
    }

    for (body, problem) in [
        (
            r#"{"expires_in":60}"#,
            EndpointErrorKind::MissingMember("request_uri"),
        ),
        (
            r#"{"request_uri":"urn:x"}"#,
            EndpointErrorKind::MissingMember("expires_in"),
        ),
        (
            r#"{"request_uri":"urn:x","expires_in":0}"#,
            EndpointErrorKind::InvalidMember("expires_in"),
        ),
        (
            r#"{"request_uri":"urn:x","expires_in":"60"}"#,
            EndpointErrorKind::InvalidMember("expires_in"),
        ),
        (
            r#"{"request_uri":"not a uri","expires_in":60}"#,
            EndpointErrorKind::InvalidMember("request_uri"),
        ),
        (
            r#"{"request_uri":"urn:has a space","expires_in":60}"#,
            EndpointErrorKind::InvalidMember("request_uri"),
        ),
        (
            r#"{"request_uri":7,"expires_in":60}"#,
            EndpointErrorKind::InvalidMember("request_uri"),
        ),
    ] {
        let failure = push(&client)
            .handle_response(&created(body), NOW)
            .unwrap_err();
        assert_eq!(failure.error(), &problem, "{body}");
    }

    let redirect = HttpResponse::new(307, b"");
    let failure = push(&client).handle_response(redirect, NOW).unwrap_err();
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::Redirected { status: 307 }
    );
}

#[test]
fn when_pushing_is_required_or_impossible() {
    let mut required = metadata();
    required.require_pushed_authorization_requests = true;
    let client_required = client(required, basic());
    assert_eq!(
        Start::new(&client_required)
            .begin(FlowEntropy::from_bytes([1; 64]), NOW)
            .unwrap_err(),
        ConfigError::Misuse(ApiMisuse::PushedAuthorizationRequired)
    );
    assert!(Start::new(&client_required)
        .push(FlowEntropy::from_bytes([1; 64]), NOW)
        .is_ok());

    // A client registered as PAR-only, which discovery cannot show.
    let par_only = client(metadata(), basic()).require_pushed_authorization_requests();
    assert_eq!(
        Start::new(&par_only)
            .begin(FlowEntropy::from_bytes([1; 64]), NOW)
            .unwrap_err(),
        ConfigError::Misuse(ApiMisuse::PushedAuthorizationRequired)
    );
    assert!(Start::new(&par_only)
        .push(FlowEntropy::from_bytes([1; 64]), NOW)
        .is_ok());

    let mut none = metadata();
    none.pushed_authorization_request_endpoint = None;
    let client_none = client(none, basic());
    assert_eq!(
        Start::new(&client_none)
            .push(FlowEntropy::from_bytes([1; 64]), NOW)
            .unwrap_err(),
        ConfigError::Misuse(ApiMisuse::NoEndpoint(EndpointKind::PushedAuthorization))
    );

    let mut insecure = metadata();
    insecure.pushed_authorization_request_endpoint = Some("http://as.example/par".into());
    assert_eq!(
        Client::new(insecure, ClientId::new("c").unwrap(), basic())
            .map(|client| client
                .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap()))
            .unwrap_err(),
        ConfigError::InvalidEndpoint {
            member: "pushed_authorization_request_endpoint",
            problem: InvalidValue::NotHttps
        }
    );
}

#[test]
fn the_pushed_request_keeps_its_secrets() {
    let client = client(metadata(), basic());
    let pushing = push(&client);
    let state = pushing.request(&crate::CONTEXT).unwrap();
    let body = String::from_utf8(state.body().to_vec()).unwrap();
    let state_value = body
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let printed = format!(
        "{pushing:?} {:?}",
        pushing.request(&crate::CONTEXT).unwrap()
    );
    assert!(!printed.contains(&state_value), "{printed}");
    assert!(!printed.contains("7Fjfp0ZBr1KtDRbnfVdmIw"), "{printed}");
}

/// `Start::authorize` pushes when the server offers PAR and redirects
/// otherwise; the drivers run either to the same pair.
#[test]
fn authorize_pushes_when_the_server_offers_it() {
    let entropy = || FlowEntropy::from_bytes([7; 64]);
    fn driver<T: Transport>(transport: T) -> Driver<T> {
        Driver::with_policy(transport, RetryPolicy::new(7)).with_clock(|| NOW)
    }

    let offered = client(metadata(), basic());
    let Ok(Authorization::Push(pushing)) = Start::new(&offered).authorize(entropy(), NOW) else {
        panic!("a server with a PAR endpoint gets a pushed request");
    };
    let pushed = Start::new(&offered).push(entropy(), NOW).unwrap();
    assert_eq!(
        pushing.request(&crate::CONTEXT).unwrap(),
        pushed.request(&crate::CONTEXT).unwrap()
    );
    let sent = std::cell::RefCell::new(Vec::new());
    let send = |request: http::Request<RequestBody>| {
        sent.borrow_mut().push(request.uri().to_string());
        Ok::<_, std::convert::Infallible>(created(CREATED))
    };
    let (authorization, pending) = driver(transport::from_fn(send))
        .authorize(Authorization::Push(pushing))
        .unwrap();
    assert_eq!(*sent.borrow(), [PAR]);
    assert!(authorization.url().contains("request_uri="));
    assert!(pending.request_uri_expires_at().is_some());

    let mut plain = metadata();
    plain.pushed_authorization_request_endpoint = None;
    let plain = client(plain, basic());
    let authorization = Start::new(&plain).authorize(entropy(), NOW).unwrap();
    let Authorization::Redirect(expected, _) = &authorization else {
        panic!("a server without PAR gets a redirect");
    };
    let expected = expected.url().to_owned();
    let never = |_: http::Request<RequestBody>| -> Result<http::Response<Vec<u8>>, std::io::Error> {
        Err(std::io::Error::other("a redirect sends nothing"))
    };
    let (authorization, pending) = driver(transport::from_fn(never))
        .authorize(authorization)
        .unwrap();
    assert_eq!(authorization.url(), expected);
    assert!(expected.contains("code_challenge="));
    assert_eq!(pending.request_uri_expires_at(), None);
}

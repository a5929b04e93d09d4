//! Resource indicators (RFC 8707): `resource` on the authorization request,
//! the pushed authorization request, the code exchange and the refresh;
//! kept in the pending flow and the token set across storage;
//! `invalid_target` typed.

use oauth2_pkce::errors::{
    AuthorizationErrorCode, CallbackError, ConfigError, InvalidValue, TokenErrorCode,
};
use oauth2_pkce::resource::ResourceIndicator;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::values::UntrustedText;
use oauth2_pkce::*;

use crate::rendering::render;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const API: &str = "https://api.example.com/mcp";
const OTHER: &str = "https://files.example.com/";

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_code_challenge_methods_supported(["S256"])
    .with_token_endpoint_auth_methods_supported(["none"]);
    metadata.pushed_authorization_request_endpoint = Some("https://as.example/par".into());
    metadata
}

fn client() -> Client {
    Client::new(
        metadata(),
        ClientId::new("public-client").unwrap(),
        ClientAuthentication::None,
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("http://127.0.0.1:8765/cb").unwrap())
}

fn resource(uri: &str) -> ResourceIndicator {
    ResourceIndicator::new(uri).unwrap()
}

fn start(client: &Client) -> Start<'_> {
    Start::new(client)
        .scope(Scope::parse("files:read").unwrap())
        .resource(resource(API))
        .resource(resource(OTHER))
        .resource(resource(API))
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

fn exchanging(client: &Client) -> Exchanging {
    let (_, pending) = start(client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let json = serde_json::to_vec(&pending).unwrap();
    let pending = AwaitingCallback::from_json(&json).unwrap();
    assert_eq!(
        pending.resources(),
        [resource(API), resource(OTHER)].as_slice()
    );
    let query = format!("code=c0de&state={}", pending.state().secret());
    pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap()
}

fn authorized(client: &Client) -> Authorized {
    let body =
        br#"{"token_type":"Bearer","access_token":"at","refresh_token":"rt","expires_in":60}"#;
    let response = HttpResponse::new(200, body).with_content_type("application/json");
    let mut exchanging = exchanging(client);
    exchanging.for_resource(&resource(API)).unwrap();
    exchanging.handle_response(response, NOW).unwrap()
}

#[test]
fn authorization_request_with_resources() {
    let client = client();
    let (request, _) = start(&client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    insta::assert_snapshot!(
        "authorization_url_with_resources",
        format!("GET {}\n", request.url())
    );
    // One parameter per resource, each once, in the order given.
    assert_eq!(count(request.url(), "&resource="), 2);
    assert!(request
        .url()
        .contains("&resource=https%3A%2F%2Fapi.example.com%2Fmcp&resource=https%3A%2F%2Ffiles"));
}

#[test]
fn pushed_authorization_request_with_resources() {
    let client = client();
    let pushing = start(&client)
        .push(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let request = pushing.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!(
        "pushed_authorization_request_with_resources",
        render(&request)
    );
    let body = std::str::from_utf8(request.body()).unwrap();
    assert_eq!(count(body, "resource="), 2);
}

#[test]
fn code_exchange_with_resources() {
    let client = client();
    let request = exchanging(&client).request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("token_request_with_resources", render(&request));
    let body = std::str::from_utf8(request.body()).unwrap();
    assert_eq!(count(body, "resource="), 2);

    // Narrowed to one of the resources the login asked for; another is
    // refused and the exchange comes back unchanged.
    let mut narrowed = exchanging(&client);
    narrowed.for_resource(&resource(OTHER)).unwrap();
    let body = narrowed.request(&crate::CONTEXT).unwrap().body().to_vec();
    let body = String::from_utf8(body).unwrap();
    assert!(body.ends_with("&resource=https%3A%2F%2Ffiles.example.com%2F&client_id=public-client"));
    let mut refused = exchanging(&client);
    assert_eq!(
        refused.for_resource(&resource("https://elsewhere.example/")),
        Err(InvalidValue::ResourceNotRequested)
    );
    assert_eq!(refused.resources().len(), 2);
}

#[test]
fn tokens_remember_their_resource_and_refresh_asks_for_it() {
    let client = client();
    let authorized = authorized(&client);
    assert_eq!(authorized.tokens().resources(), [resource(API)].as_slice());
    let stored = serde_json::to_vec(&authorized).unwrap();
    let authorized = Authorized::from_json(&stored).unwrap();
    assert_eq!(authorized.tokens().resources(), [resource(API)].as_slice());

    let request = authorized
        .refresh(&client)
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    insta::assert_snapshot!("refresh_request_with_resource", render(&request));
    assert!(std::str::from_utf8(request.body())
        .unwrap()
        .contains("&resource=https%3A%2F%2Fapi.example.com%2Fmcp"));

    // Another audience from the same grant.
    let other = authorized
        .refresh_for_resource(&client, resource(OTHER))
        .unwrap();
    let body = other.request(&crate::CONTEXT).unwrap().body().to_vec();
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("&resource=https%3A%2F%2Ffiles.example.com%2F&"));
    let response = HttpResponse::new(200, br#"{"token_type":"Bearer","access_token":"at2"}"#)
        .with_content_type("application/json");
    let refreshed = other.handle_response(response, NOW).unwrap();
    assert_eq!(refreshed.tokens().resources(), [resource(OTHER)].as_slice());
    // No refresh token came back: the old one is kept.
    assert_eq!(refreshed.tokens().refresh_token().unwrap().secret(), "rt");
}

#[test]
fn stored_resources_are_checked_on_load() {
    let client = client();
    let (_, pending) = start(&client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let mut json = serde_json::to_value(&pending).unwrap();
    json["resource"] = serde_json::json!(["https://api.example.com/#fragment"]);
    assert_eq!(
        AwaitingCallback::from_json(&serde_json::to_vec(&json).unwrap()).unwrap_err(),
        InvalidValue::StoredStateMalformed
    );
    json["resource"] = serde_json::json!(vec![API; 17]);
    assert_eq!(
        AwaitingCallback::from_json(&serde_json::to_vec(&json).unwrap()).unwrap_err(),
        InvalidValue::StoredStateMalformed
    );
    // A flow stored before resource indicators loads with none.
    json.as_object_mut().unwrap().remove("resource");
    let old = AwaitingCallback::from_json(&serde_json::to_vec(&json).unwrap()).unwrap();
    assert!(old.resources().is_empty());

    let authorized = authorized(&client);
    let mut json = serde_json::to_value(&authorized).unwrap();
    json["resource"] = serde_json::json!(["not a uri"]);
    assert_eq!(
        Authorized::from_json(&serde_json::to_vec(&json).unwrap()).unwrap_err(),
        InvalidValue::StoredStateMalformed
    );
}

#[test]
fn resource_is_not_an_extra_parameter_and_has_a_cap() {
    let client = client();
    let error = Start::new(&client)
        .param("resource", API)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap_err();
    assert_eq!(
        error,
        ConfigError::ReservedParameter(UntrustedText::from("resource"))
    );
    // As many as the limit: sent, and stored with the pending login.
    let many = || {
        (0..limits::MAX_RESOURCE_INDICATORS).fold(Start::new(&client), |start, i| {
            start.resource(resource(&format!("https://api{i}.example/")))
        })
    };
    let (_, pending) = many().begin(FlowEntropy::from_bytes([7; 64]), NOW).unwrap();
    let stored = AwaitingCallback::from_json(pending.to_json().as_bytes()).unwrap();
    assert_eq!(stored, pending);
    // None: the stored form has no `resource` member at all.
    let (_, plain) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    assert!(!plain.to_json().contains(r#""resource""#));
    // One more is refused.
    let many = many().resource(resource("https://one-more.example/"));
    assert_eq!(
        many.begin(FlowEntropy::from_bytes([7; 64]), NOW)
            .unwrap_err(),
        ConfigError::InvalidValue(InvalidValue::TooManyResources {
            limit: limits::MAX_RESOURCE_INDICATORS
        })
    );
}

/// RFC 8707 §2: `invalid_target` at the token endpoint and in a callback.
#[test]
fn invalid_target_is_typed() {
    let client = client();
    let body = br#"{"error":"invalid_target","error_description":"unknown resource"}"#;
    let response = HttpResponse::new(400, body).with_content_type("application/json");
    let failure = exchanging(&client)
        .handle_response(response, NOW)
        .unwrap_err();
    assert_eq!(failure.code(), Some(&TokenErrorCode::InvalidTarget));
    assert!(!failure.is_retryable());

    let (_, pending) = start(&client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let query = format!("error=invalid_target&state={}", pending.state().secret());
    match pending.handle_callback(&client, Callback::from_query(&query).unwrap()) {
        Err(CallbackError::Authorization(error)) => {
            assert_eq!(error.error(), &AuthorizationErrorCode::InvalidTarget);
        }
        other => panic!("{other:?}"),
    }
}

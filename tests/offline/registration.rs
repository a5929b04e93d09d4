//! Dynamic client registration (RFC 7591): the request, the response that
//! becomes a `Client`, the typed errors, and the secret kept out of sight.

use oauth2_pkce::errors::{
    ConfigError, EndpointErrorKind, EndpointKind, InvalidValue, TokenErrorCode,
};
use oauth2_pkce::registration::{ClientMetadata, Registration, TokenEndpointAuthMethod};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::values::{AccessToken, UntrustedText};
use oauth2_pkce::*;

use crate::rendering::render;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const SECRET: &str = "cf136dc3c1fc93f31185e5885805d";

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_code_challenge_methods_supported(["S256"]);
    metadata.registration_endpoint = Some("https://as.example/register".into());
    metadata
}

fn loopback() -> RedirectUri {
    RedirectUri::new("http://127.0.0.1:53127/cb").unwrap()
}

fn native() -> Registration {
    Registration::new(
        metadata(),
        ClientMetadata::new(loopback())
            .client_name("oauth2-pkce CLI")
            .scope(Scope::parse("openid files:read").unwrap()),
    )
    .unwrap()
}

fn created(body: &str) -> HttpResponse<'_> {
    HttpResponse::new(201, body.as_bytes()).with_content_type("application/json")
}

#[test]
fn registration_requests() {
    let request = native().request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("registration_request_native", render(&request));
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(body["application_type"], "native");
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert_eq!(body["redirect_uris"][0], "http://127.0.0.1:53127/cb");

    let web = Registration::new(
        metadata(),
        ClientMetadata::new(RedirectUri::new("https://app.example/cb").unwrap())
            .token_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretBasic)
            .without_refresh_tokens(),
    )
    .unwrap()
    .with_initial_access_token(AccessToken::new("initial-token"));
    let request = web.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("registration_request_web", render(&request));
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(body["application_type"], "web");
    assert_eq!(
        body["grant_types"],
        serde_json::json!(["authorization_code"])
    );
    assert_eq!(
        request.header("authorization"),
        Some("Bearer initial-token")
    );
    assert!(!format!("{web:?} {request:?}").contains("initial-token"));
}

/// The `redirect_uris` of a registration: each URI once, in the order
/// given; a private-use scheme (RFC 8252 §7.1) or a loopback URI makes a
/// `native` application, an `https` one a `web` application.
#[test]
fn redirect_uris_are_listed_once_and_name_the_application_type() {
    let body_of = |metadata: ClientMetadata| -> serde_json::Value {
        let registration = Registration::new(self::metadata(), metadata).unwrap();
        let request = registration.request(&crate::CONTEXT).unwrap();
        serde_json::from_slice(request.body()).unwrap()
    };
    let private_use = RedirectUri::new("com.example.app:/oauth2redirect").unwrap();
    let body = body_of(
        ClientMetadata::new(private_use.clone())
            .redirect_uri(loopback())
            .redirect_uri(private_use)
            .redirect_uri(loopback()),
    );
    assert_eq!(
        body["redirect_uris"],
        serde_json::json!([
            "com.example.app:/oauth2redirect",
            "http://127.0.0.1:53127/cb"
        ])
    );
    assert_eq!(body["application_type"], "native");

    let body = body_of(
        ClientMetadata::new(loopback())
            .redirect_uri(RedirectUri::new("https://app.example/cb").unwrap()),
    );
    assert_eq!(body["application_type"], "web");
}

#[test]
fn a_server_without_a_registration_endpoint_is_refused() {
    let mut metadata = metadata();
    metadata.registration_endpoint = None;
    let expected = ConfigError::InvalidEndpoint {
        member: "registration_endpoint",
        problem: InvalidValue::NotAbsoluteUrl,
    };
    assert_eq!(
        Registration::new(metadata.clone(), ClientMetadata::new(loopback())).unwrap_err(),
        expected
    );
    metadata.registration_endpoint = Some("http://as.example/register".into());
    assert_eq!(
        Registration::new(metadata, ClientMetadata::new(loopback())).unwrap_err(),
        ConfigError::InvalidEndpoint {
            member: "registration_endpoint",
            problem: InvalidValue::NotHttps
        }
    );
}

#[test]
fn a_public_registration_becomes_a_client() {
    let body = r#"{"client_id":"s6BhdRkqt3","client_id_issued_at":1700000000,
        "redirect_uris":["http://127.0.0.1:53127/cb"],"token_endpoint_auth_method":"none",
        "grant_types":["authorization_code","refresh_token"]}"#;
    let registered = native().handle_response(created(body), NOW).unwrap();
    assert_eq!(registered.client_id().as_str(), "s6BhdRkqt3");
    assert!(registered.client_secret().is_none());
    assert!(registered.extra().contains("client_id_issued_at"));
    let client = registered.into_client().unwrap();
    assert_eq!(client.authentication(), &ClientAuthentication::None);
    assert_eq!(client.redirect_uri(), Some(&loopback()));
    let (request, _) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    assert!(request.url().contains("client_id=s6BhdRkqt3"));
}

/// RFC 7591 §3.2.1's example: a secret, redacted everywhere but its
/// accessor, and its expiry.
#[test]
fn a_confidential_registration_keeps_its_secret_secret() {
    let registration = Registration::new(
        metadata(),
        ClientMetadata::new(RedirectUri::new("https://client.example.org/callback").unwrap())
            .token_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretBasic),
    )
    .unwrap();
    let body = format!(
        r#"{{"client_id":"s6BhdRkqt3","client_secret":"{SECRET}","client_id_issued_at":2893256800,
        "client_secret_expires_at":2893276800,"redirect_uris":["https://client.example.org/callback",
        "https://client.example.org/callback2"],"grant_types":["authorization_code","refresh_token"],
        "token_endpoint_auth_method":"client_secret_basic"}}"#
    );
    let registered = registration.handle_response(created(&body), NOW).unwrap();
    assert_eq!(registered.client_secret().unwrap().secret(), SECRET);
    assert_eq!(
        registered.client_secret_expires_at(),
        Some(UnixTime::from_secs(2_893_276_800))
    );
    assert!(!format!("{registered:?}").contains(SECRET));
    let client = registered.into_client().unwrap();
    assert!(matches!(
        client.authentication(),
        ClientAuthentication::ClientSecretBasic(_)
    ));
    assert!(!format!("{client:?}").contains(SECRET));
}

/// A client registered for `client_secret_post` sends its secret in the
/// body (RFC 6749 §2.3.1), as the server was told it would.
#[test]
fn a_client_secret_post_registration_becomes_a_post_client() {
    let registration = Registration::new(
        metadata().with_token_endpoint_auth_methods_supported(["client_secret_post"]),
        ClientMetadata::new(RedirectUri::new("https://client.example.org/callback").unwrap())
            .token_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretPost),
    )
    .unwrap();
    let body = format!(
        r#"{{"client_id":"s6BhdRkqt3","client_secret":"{SECRET}",
        "token_endpoint_auth_method":"client_secret_post"}}"#
    );
    let client = registration
        .handle_response(created(&body), NOW)
        .unwrap()
        .into_client()
        .unwrap();
    assert!(matches!(
        client.authentication(),
        ClientAuthentication::ClientSecretPost(secret) if secret.secret() == SECRET
    ));
}

#[test]
fn registration_errors_are_typed() {
    for (code, expected) in [
        ("invalid_redirect_uri", TokenErrorCode::InvalidRedirectUri),
        (
            "invalid_client_metadata",
            TokenErrorCode::InvalidClientMetadata,
        ),
    ] {
        let body = format!(r#"{{"error":"{code}","error_description":"no\u001b[31m"}}"#);
        let response =
            HttpResponse::new(400, body.as_bytes()).with_content_type("application/json");
        let failure = native().handle_response(response, NOW).unwrap_err();
        assert_eq!(failure.error().endpoint(), EndpointKind::Registration);
        assert_eq!(failure.code(), Some(&expected));
        assert!(!failure.is_retryable());
        let shown = failure.to_string();
        assert!(shown.starts_with("the registration endpoint"), "{shown}");
        assert!(!shown.contains('\u{1b}'), "{shown}");
    }
    let failure = native()
        .handle_response(HttpResponse::new(503, b""), NOW)
        .unwrap_err();
    assert!(failure.is_retryable());
    let malformed = [
        (
            r#"{"client_secret":"x"}"#,
            EndpointErrorKind::MissingMember("client_id"),
        ),
        (
            r#"{"client_id":""}"#,
            EndpointErrorKind::InvalidMember("client_id"),
        ),
        (
            r#"{"client_id":"c","token_endpoint_auth_method":"client_secret_basic"}"#,
            EndpointErrorKind::MissingMember("client_secret"),
        ),
        (
            r#"{"client_id":"c","token_endpoint_auth_method":"tls_client_auth"}"#,
            EndpointErrorKind::InvalidMember("token_endpoint_auth_method"),
        ),
        (
            r#"{"client_id":"c","redirect_uris":["http://127.0.0.1:1/other"]}"#,
            EndpointErrorKind::InvalidMember("redirect_uris"),
        ),
        (
            r#"{"client_id":"c","client_secret":"s","client_secret_expires_at":"soon"}"#,
            EndpointErrorKind::InvalidMember("client_secret_expires_at"),
        ),
        (
            r#"{"client_id":"c","client_id":"d"}"#,
            EndpointErrorKind::DuplicateMember(UntrustedText::from("client_id")),
        ),
    ];
    for (body, problem) in malformed {
        let failure = native().handle_response(created(body), NOW).unwrap_err();
        assert_eq!(failure.error().kind(), &problem, "{body}");
    }
}

#[test]
fn discovery_reads_the_registration_endpoint() {
    let json = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a",
        "token_endpoint":"https://as.example/t","registration_endpoint":"https://as.example/reg",
        "code_challenge_methods_supported":["S256"]}"#;
    let metadata = Discovery::new("https://as.example")
        .unwrap()
        .handle_response(HttpResponse::new(200, json.as_bytes()), NOW)
        .unwrap();
    assert_eq!(
        metadata.registration_endpoint.as_deref(),
        Some("https://as.example/reg")
    );
    let bad = json.replace("https://as.example/reg", "http://as.example/reg");
    let failure = Discovery::new("https://as.example")
        .unwrap()
        .handle_response(HttpResponse::new(200, bad.as_bytes()), NOW)
        .unwrap_err();
    assert_eq!(
        failure.error().kind(),
        &EndpointErrorKind::InvalidUrl {
            member: "registration_endpoint",
            problem: InvalidValue::NotHttps
        }
    );
}

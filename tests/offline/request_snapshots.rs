//! Snapshots of every request the crate emits: the authorization request
//! (RFC 6749 §4.1.1, RFC 7636 §4.3) and the access token request
//! (RFC 6749 §4.1.3, RFC 7636 §4.5) with each client authentication method
//! (RFC 6749 §2.3.1). Each test also asserts the protocol facts its snapshot
//! shows, so a reviewer does not have to trust their eyes alone.
//!
//! Entropy and time are fixed, so the snapshots are deterministic. The
//! verifier half of the entropy is RFC 7636 Appendix B's octets, so the
//! snapshots carry that appendix's verifier and challenge.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use oauth2_pkce::device::DeviceAuthorization;
use oauth2_pkce::errors::{ApiMisuse, ConfigError};
use oauth2_pkce::resource::{IntrospectedToken, Introspection};
use oauth2_pkce::values::Method;
use oauth2_pkce::values::{HttpRequest, HttpResponse, TokenTypeHint};
use oauth2_pkce::*;
use sha2::{Digest, Sha256};

use crate::rendering::{render, render_http};

/// The authorization request, the `GET` the browser sends, rendered as
/// the other requests are.
fn render_authorization(request: &AuthorizationRequest) -> String {
    format!("GET {}\n\n", request.url())
}

/// RFC 7636 Appendix B's 32 octets.
const RFC7636_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
    105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
];
/// RFC 7636 Appendix B's `code_verifier` and S256 `code_challenge`.
const RFC7636_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC7636_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const REDIRECT_URI: &str = "https://urltoclient:4443";
const CLIENT_ID: &str = "pagero-client";
const CLIENT_SECRET: &str = "s3cr3t-client-secret";
/// The code of Pagero's documented callback.
const CODE: &str = "0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1";

fn entropy() -> FlowEntropy {
    let mut bytes = [0x5A; 64];
    bytes[..32].copy_from_slice(&RFC7636_OCTETS);
    FlowEntropy::from_bytes(bytes)
}

/// The `state` the fixed entropy yields: BASE64URL of its second half.
fn expected_state() -> String {
    Base64UrlUnpadded::encode_string(&[0x5A; 32])
}

fn client_with(metadata: ServerMetadata, authentication: ClientAuthentication) -> Client {
    Client::new(metadata, ClientId::new(CLIENT_ID).unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new(REDIRECT_URI).unwrap())
}

fn pagero_basic() -> Client {
    client_with(
        Preset::pagero().metadata().clone(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
}

/// Decoded `(name, value)` pairs of a form-encoded string.
fn pairs(form: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(form.as_bytes())
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

fn names(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(n, _)| n.as_str()).collect()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn query_of(request: &AuthorizationRequest) -> Vec<(String, String)> {
    let (_, query) = request
        .url()
        .split_once('?')
        .expect("the authorization URL has a query");
    pairs(query)
}

/// The code exchange for `client` after a good callback.
fn exchanging(client: &Client) -> Exchanging {
    let (_, pending) = Start::new(client).begin(entropy(), NOW).unwrap();
    let query = format!("code={CODE}&state={}", pending.state().secret());
    pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap()
}

// --- The authorization request --------------------------------------------

#[test]
fn authorization_url_pagero() {
    let client = pagero_basic();
    let (request, pending) = Start::new(&client).begin(entropy(), NOW).unwrap();
    let get = request.url();
    insta::assert_snapshot!("authorization_url_pagero", render_authorization(&request));

    assert!(get.starts_with("https://sso.pageroonline.com/oauth/v2/oauth-authorize?"));

    let query = query_of(&request);
    assert_eq!(
        names(&query),
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "code_challenge",
            "code_challenge_method"
        ]
    );
    assert_eq!(value(&query, "response_type"), Some("code"));
    assert_eq!(value(&query, "client_id"), Some(CLIENT_ID));
    // Byte-identical redirect URI: no slash added, the string as given.
    assert_eq!(value(&query, "redirect_uri"), Some(REDIRECT_URI));
    assert!(get.contains("&redirect_uri=https%3A%2F%2Furltoclient%3A4443&"));
    assert_eq!(value(&query, "state"), Some(pending.state().secret()));
    assert_eq!(value(&query, "state"), Some(expected_state().as_str()));
    assert!(value(&query, "state").unwrap().len() >= 22, "≥ 128 bits");
    assert_eq!(value(&query, "code_challenge"), Some(RFC7636_CHALLENGE));
    assert_eq!(value(&query, "code_challenge_method"), Some("S256"));
    // Credentials never in a URL; the verifier neither.
    assert!(!get.contains(CLIENT_SECRET));
    assert!(!get.contains(RFC7636_VERIFIER));
}

#[test]
fn authorization_url_with_scope() {
    let client = pagero_basic();
    let scope = Scope::parse("openid profile").unwrap();
    let (request, pending) = Start::new(&client)
        .scope(scope.clone())
        .begin(entropy(), NOW)
        .unwrap();
    let get = request.url();
    insta::assert_snapshot!(
        "authorization_url_with_scope",
        render_authorization(&request)
    );

    let query = query_of(&request);
    assert_eq!(
        names(&query),
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method"
        ]
    );
    // Space-delimited (RFC 6749 §3.3), form-encoded as `+`.
    assert!(get.contains("&scope=openid+profile&"));
    assert_eq!(value(&query, "scope"), Some("openid profile"));
    assert_eq!(pending.scope(), &scope);
}

#[test]
fn authorization_url_with_extra_params() {
    let client = pagero_basic();
    let (request, _) = Start::new(&client)
        .param("prompt", "login")
        .param("login_hint", "user@example.com")
        .param("ui_locales", "sv en")
        .begin(entropy(), NOW)
        .unwrap();
    let get = request.url();
    insta::assert_snapshot!(
        "authorization_url_with_extra_params",
        render_authorization(&request)
    );

    let query = query_of(&request);
    // The extra parameters come after the flow's own, in the order given.
    assert_eq!(&names(&query)[6..], ["prompt", "login_hint", "ui_locales"]);
    assert_eq!(value(&query, "login_hint"), Some("user@example.com"));
    assert!(get.contains("&login_hint=user%40example.com&"));
    assert!(get.ends_with("&ui_locales=sv+en"));
}

#[test]
fn authorization_url_keeps_the_endpoints_own_query() {
    let mut metadata = Preset::pagero().metadata().clone();
    metadata.authorization_endpoint =
        "https://sso.pageroonline.com/oauth/v2/oauth-authorize?tenant=x".into();
    let client = client_with(
        metadata,
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    );
    let (request, _) = Start::new(&client).begin(entropy(), NOW).unwrap();
    let get = request.url();
    insta::assert_snapshot!(
        "authorization_url_endpoint_with_query",
        render_authorization(&request)
    );

    // RFC 6749 §3.1: the endpoint's query component is retained.
    assert!(get.starts_with(
        "https://sso.pageroonline.com/oauth/v2/oauth-authorize?tenant=x&response_type=code&"
    ));
    let query = query_of(&request);
    assert_eq!(names(&query)[0], "tenant");
    assert_eq!(value(&query, "tenant"), Some("x"));
    assert_eq!(query.len(), 7);

    // …and none of its parameters may be sent a second time.
    assert_eq!(
        Start::new(&client)
            .param("tenant", "y")
            .begin(entropy(), NOW)
            .unwrap_err(),
        ConfigError::RepeatedParameter("tenant".into())
    );
}

#[test]
fn authorization_url_with_dangerous_plain_pkce() {
    let client = pagero_basic();
    let (request, _) = Start::new(&client)
        .dangerous_use_plain_pkce()
        .begin(entropy(), NOW)
        .unwrap();
    insta::assert_snapshot!(
        "authorization_url_plain_pkce",
        render_authorization(&request)
    );

    let query = query_of(&request);
    // RFC 7636 §4.2: plain means the challenge is the verifier itself.
    assert_eq!(value(&query, "code_challenge"), Some(RFC7636_VERIFIER));
    assert_eq!(value(&query, "code_challenge_method"), Some("plain"));
}

#[test]
fn authorization_request_refuses_reserved_extra_params() {
    let client = pagero_basic();
    for name in [
        "state",
        "code_challenge",
        "redirect_uri",
        "client_secret",
        "scope",
    ] {
        assert_eq!(
            Start::new(&client)
                .param(name, "x")
                .begin(entropy(), NOW)
                .unwrap_err(),
            ConfigError::ReservedParameter(name.into()),
            "{name}"
        );
    }
}

// --- The access token request -----------------------------------------------

/// What every token request has in common, whatever the authentication.
fn assert_token_request_basics(request: &HttpRequest) -> Vec<(String, String)> {
    assert_eq!(request.method(), Method::Post);
    // The endpoint the flow started with; nothing in its query.
    assert_eq!(
        request.uri(),
        "https://sso.pageroonline.com/oauth/v2/oauth-token"
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    let body = pairs(std::str::from_utf8(request.body()).unwrap());
    assert_eq!(
        &names(&body)[..4],
        ["grant_type", "code", "redirect_uri", "code_verifier"]
    );
    assert_eq!(value(&body, "grant_type"), Some("authorization_code"));
    assert_eq!(value(&body, "code"), Some(CODE));
    // The same redirect URI as in the authorization request, byte for byte.
    assert_eq!(value(&body, "redirect_uri"), Some(REDIRECT_URI));
    assert!(std::str::from_utf8(request.body())
        .unwrap()
        .contains("&redirect_uri=https%3A%2F%2Furltoclient%3A4443&"));
    // The verifier whose S256 challenge went out in the authorization URL.
    let verifier = value(&body, "code_verifier").unwrap();
    assert_eq!(verifier, RFC7636_VERIFIER);
    assert_eq!(
        Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes())),
        RFC7636_CHALLENGE
    );
    // Credentials and codes never in the URL.
    assert!(!request.uri().contains('?'));
    assert!(!request.uri().contains(CLIENT_SECRET));
    assert!(!request.uri().contains(CODE));
    body
}

#[test]
fn token_request_client_secret_basic() {
    let client = pagero_basic();
    let request = exchanging(&client).request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("token_request_client_secret_basic", render(&request));

    let body = assert_token_request_basics(&request);
    // One method per request: Basic, and no credentials in the body.
    assert_eq!(names(&body).len(), 4);
    assert_eq!(value(&body, "client_id"), None);
    assert_eq!(value(&body, "client_secret"), None);
    assert!(!std::str::from_utf8(request.body())
        .unwrap()
        .contains(CLIENT_SECRET));
    let authorization = request.header("authorization").unwrap();
    let encoded = authorization.strip_prefix("Basic ").unwrap();
    assert_eq!(
        Base64::decode_vec(encoded).unwrap(),
        format!("{CLIENT_ID}:{CLIENT_SECRET}").into_bytes()
    );
    assert_eq!(request.headers().next().unwrap().0, "authorization");

    let http = exchanging(&client)
        .request(&crate::CONTEXT)
        .unwrap()
        .into_http();
    assert!(http.headers()["authorization"].is_sensitive());
    assert_eq!(render_http(&http), render(&request));
    // The body, however a transport takes it.
    let body = http.into_body();
    let bytes = request.body().to_vec();
    assert_eq!((body.len(), body.is_empty()), (bytes.len(), false));
    assert_eq!(Vec::from(body), bytes);
    let empty = RequestBody::from(Vec::new());
    assert_eq!((empty.len(), empty.is_empty()), (0, true));
    // `From` gives the same request as `into_http`.
    let request = exchanging(&client).request(&crate::CONTEXT).unwrap();
    let from = http::Request::<RequestBody>::from(request);
    assert_eq!(
        render_http(&from),
        render_http(
            &exchanging(&client)
                .request(&crate::CONTEXT)
                .unwrap()
                .into_http()
        )
    );
}

/// RFC 6749 §2.3.1: id and secret are form-encoded *before* base64, so a
/// `:` in the id cannot move the split, and `+ / = %` and non-ASCII survive.
#[test]
fn token_request_client_secret_basic_encodes_before_base64() {
    let client = Preset::pagero()
        .client(
            ClientId::new("my:client id").unwrap(),
            ClientAuthentication::ClientSecretBasic(ClientSecret::new("p+s/w=d%é:")),
        )
        .unwrap()
        .with_redirect_uri(RedirectUri::new(REDIRECT_URI).unwrap());
    let request = exchanging(&client).request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!(
        "token_request_client_secret_basic_special_chars",
        render(&request)
    );

    let encoded = request
        .header("authorization")
        .unwrap()
        .strip_prefix("Basic ")
        .unwrap();
    let decoded = String::from_utf8(Base64::decode_vec(encoded).unwrap()).unwrap();
    assert_eq!(decoded, "my%3Aclient+id:p%2Bs%2Fw%3Dd%25%C3%A9%3A");
    // Exactly one unencoded `:`, the separator; each side decodes back.
    let (id, secret) = decoded.split_once(':').unwrap();
    assert!(!secret.contains(':'));
    let decode = |s: &str| pairs(&format!("x={s}")).remove(0).1;
    assert_eq!(decode(id), "my:client id");
    assert_eq!(decode(secret), "p+s/w=d%é:");
}

#[test]
fn token_request_client_secret_post() {
    let client = client_with(
        Preset::pagero().metadata().clone(),
        ClientAuthentication::ClientSecretPost(ClientSecret::new(CLIENT_SECRET)),
    );
    let request = exchanging(&client).request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("token_request_client_secret_post", render(&request));

    let body = assert_token_request_basics(&request);
    assert_eq!(&names(&body)[4..], ["client_id", "client_secret"]);
    assert_eq!(value(&body, "client_id"), Some(CLIENT_ID));
    assert_eq!(value(&body, "client_secret"), Some(CLIENT_SECRET));
    // One method per request: no Authorization header as well.
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.headers().count(), 2);
}

#[test]
fn token_request_public_client_none() {
    let metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_token_endpoint_auth_methods_supported(["none"]);
    let client = client_with(metadata, ClientAuthentication::None);
    let request = exchanging(&client).request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("token_request_none", render(&request));

    let body = assert_token_request_basics(&request);
    // RFC 6749 §4.1.3: client_id in the body when not authenticating.
    assert_eq!(&names(&body)[4..], ["client_id"]);
    assert_eq!(value(&body, "client_id"), Some(CLIENT_ID));
    assert_eq!(request.header("authorization"), None);
}

/// Building the token request again (after a transport failure) gives the
/// same bytes.
#[test]
fn token_request_is_stable() {
    let client = pagero_basic();
    let exchanging = exchanging(&client);
    assert_eq!(
        exchanging.request(&crate::CONTEXT).unwrap(),
        exchanging.request(&crate::CONTEXT).unwrap()
    );
    assert_eq!(
        render(&exchanging.request(&crate::CONTEXT).unwrap()),
        render(&self::exchanging(&client).request(&crate::CONTEXT).unwrap())
    );
}

#[test]
fn authorization_url_endpoint_query_with_a_trailing_ampersand() {
    let mut metadata = Preset::pagero().metadata().clone();
    metadata.authorization_endpoint =
        "https://sso.pageroonline.com/oauth/v2/oauth-authorize?tenant=x&".into();
    let client = client_with(
        metadata,
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    );
    let (request, _) = Start::new(&client).begin(entropy(), NOW).unwrap();
    assert!(request.url().starts_with(
        "https://sso.pageroonline.com/oauth/v2/oauth-authorize?tenant=x&response_type=code&"
    ));
}

// --- The lifecycle: refresh, revocation, client credentials -----------------

/// Pagero's documented token response, after a code exchange.
fn pagero_authorized(client: &Client) -> Authorized {
    let body = br#"{"token_type":"bearer","access_token":"_0XBPWQQ_2a66dd33-e108-4dc3-b653-e71b9feae02e","refresh_token":"_1XBPWQQ_e61b091b-9139-4268-a7c7-765d2d418d52","scope":"","claims":"publicid","expires_in":600}"#;
    let response = HttpResponse::new(200, body).with_content_type("application/json");
    exchanging(client).handle_response(response, NOW).unwrap()
}

#[test]
fn refresh_request() {
    let client = pagero_basic();
    let authorized = pagero_authorized(&client);
    let refreshing = authorized.refresh(&client).unwrap();
    let request = refreshing.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("refresh_request", render(&request));
    let http = refreshing.request(&crate::CONTEXT).unwrap().into_http();
    assert_eq!(render_http(&http), render(&request));
    assert_eq!(
        std::str::from_utf8(request.body()).unwrap(),
        "grant_type=refresh_token&refresh_token=_1XBPWQQ_e61b091b-9139-4268-a7c7-765d2d418d52"
    );
}

#[test]
fn refresh_request_with_empty_scope_and_client_secret_post() {
    let metadata = Preset::pagero().metadata().clone();
    let client = client_with(
        metadata,
        ClientAuthentication::ClientSecretPost(ClientSecret::new(CLIENT_SECRET)),
    );
    let authorized = pagero_authorized(&client);
    let scope = Scope::empty();
    let request = authorized
        .refresh_with_scope(&client, scope)
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    insta::assert_snapshot!("refresh_request_client_secret_post", render(&request));
    assert_eq!(request.header("authorization"), None);
    let body = pairs(std::str::from_utf8(request.body()).unwrap());
    assert_eq!(value(&body, "client_secret"), Some(CLIENT_SECRET));
    // An empty scope is the whole grant: omitted, never sent empty.
    assert_eq!(value(&body, "scope"), None);
}

#[test]
fn revocation_requests() {
    let client = pagero_basic();
    let authorized = pagero_authorized(&client);
    for (hint, name) in [
        (
            TokenTypeHint::RefreshToken,
            "revocation_request_refresh_token",
        ),
        (
            TokenTypeHint::AccessToken,
            "revocation_request_access_token",
        ),
    ] {
        let revocation = authorized.revoke(&client, hint).unwrap();
        let request = revocation.request(&crate::CONTEXT).unwrap();
        insta::assert_snapshot!(name, render(&request));
        let http = revocation.request(&crate::CONTEXT).unwrap().into_http();
        assert_eq!(render_http(&http), render(&request));
        assert_eq!(
            request.uri(),
            "https://sso.pageroonline.com/oauth/v2/oauth-revoke"
        );
        let body = pairs(std::str::from_utf8(request.body()).unwrap());
        assert_eq!(value(&body, "token_type_hint"), Some(hint.as_str()));
    }
}

/// RFC 6750 §2.1: a request to a protected resource.
#[test]
fn resource_request() {
    let client = pagero_basic();
    let authorized = pagero_authorized(&client);
    let mut request = http::Request::get("https://api.pageroonline.com/someresource?x=1")
        .body(RequestBody::default())
        .unwrap();
    authorized.authorize_request(&mut request).unwrap();
    insta::assert_snapshot!("resource_request", render_http(&request));
    assert!(request.headers()["authorization"].is_sensitive());
}

#[test]
fn client_credentials_request() {
    let client = pagero_basic();
    let grant = ClientCredentials::new(&client, Scope::parse("signup").unwrap()).unwrap();
    let request = grant.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("client_credentials_request", render(&request));
    let http = grant.request(&crate::CONTEXT).unwrap().into_http();
    assert_eq!(render_http(&http), render(&request));
    assert!(request
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
}

#[test]
fn authorization_request_never_downgrades_pkce() {
    let plain_only = Preset::pagero()
        .metadata()
        .clone()
        .with_code_challenge_methods_supported(["plain"]);
    let client = client_with(
        plain_only,
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    );
    // S256 is refused by a plain-only server; the crate does not fall back.
    assert_eq!(
        Start::new(&client).begin(entropy(), NOW).unwrap_err(),
        ConfigError::S256NotSupported
    );
    // Only the loud opt-in sends plain.
    let (request, _) = Start::new(&client)
        .dangerous_use_plain_pkce()
        .begin(entropy(), NOW)
        .unwrap();
    assert_eq!(
        value(&query_of(&request), "code_challenge_method"),
        Some("plain")
    );
}

/// A flow may carry its own redirect URI (a native app's loopback listener
/// on a fresh port): it goes into the authorization request, the pending
/// flow and, byte for byte, the token request. A client needs none unless
/// it logs users in.
#[test]
fn a_flow_carries_its_own_redirect_uri() {
    let loopback = "http://127.0.0.1:53127/callback";
    let client = pagero_basic();
    let (request, pending) = Start::new(&client)
        .redirect_uri(RedirectUri::new(loopback).unwrap())
        .begin(entropy(), NOW)
        .unwrap();
    assert_eq!(value(&query_of(&request), "redirect_uri"), Some(loopback));
    let stored = AwaitingCallback::from_json(&serde_json::to_vec(&pending).unwrap()).unwrap();
    let query = format!("code={CODE}&state={}", stored.state().secret());
    let exchanging = stored
        .handle_callback(&client, Callback::from_query(&query).unwrap())
        .unwrap();
    let body =
        pairs(std::str::from_utf8(exchanging.request(&crate::CONTEXT).unwrap().body()).unwrap());
    assert_eq!(value(&body, "redirect_uri"), Some(loopback));

    // Without a default, a login must name one; other grants need none.
    let bare = Preset::pagero()
        .client(
            ClientId::new(CLIENT_ID).unwrap(),
            ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
        )
        .unwrap();
    assert_eq!(bare.redirect_uri(), None);
    assert_eq!(
        Start::new(&bare).begin(entropy(), NOW).unwrap_err(),
        ConfigError::Misuse(ApiMisuse::NoRedirectUri)
    );
    let (request, _) = Start::new(&bare)
        .redirect_uri(RedirectUri::new(loopback).unwrap())
        .begin(entropy(), NOW)
        .unwrap();
    assert_eq!(value(&query_of(&request), "redirect_uri"), Some(loopback));
    let grant = ClientCredentials::new(&bare, Scope::empty()).unwrap();
    assert!(
        !std::str::from_utf8(grant.request(&crate::CONTEXT).unwrap().body())
            .unwrap()
            .contains("redirect_uri")
    );
}

// --- The device authorization grant (RFC 8628) and introspection (RFC 7662)

/// Pagero's metadata with a device authorization and an introspection
/// endpoint, which Pagero does not document: Curity-style paths.
fn device_metadata() -> ServerMetadata {
    Preset::pagero()
        .metadata()
        .clone()
        .with_device_authorization_endpoint(
            "https://sso.pageroonline.com/oauth/v2/oauth-device-authorization",
        )
        .with_introspection_endpoint("https://sso.pageroonline.com/oauth/v2/oauth-introspect")
}

/// RFC 8628 §3.2's example response.
const DEVICE_AUTHORIZATION_RESPONSE: &[u8] = br#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT","verification_uri":"https://example.com/device","verification_uri_complete":"https://example.com/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}"#;

#[test]
fn device_authorization_requests() {
    for (authentication, name) in [
        (
            ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
            "device_authorization_request_client_secret_basic",
        ),
        (
            ClientAuthentication::None,
            "device_authorization_request_none",
        ),
    ] {
        let client = client_with(device_metadata(), authentication);
        let step =
            DeviceAuthorization::new(&client, Scope::parse("openid profile").unwrap()).unwrap();
        let request = step.request(&crate::CONTEXT).unwrap();
        insta::assert_snapshot!(name, render(&request));
        assert_eq!(
            render_http(&step.request(&crate::CONTEXT).unwrap().into_http()),
            render(&request)
        );
        assert_eq!(request.method(), Method::Post);
        let body = pairs(std::str::from_utf8(request.body()).unwrap());
        assert_eq!(value(&body, "scope"), Some("openid profile"));
        // RFC 8628 §3.1: client_id in the body unless the client
        // authenticates in the header.
        let basic = request.header("authorization").is_some();
        assert_eq!(value(&body, "client_id").is_some(), !basic);
    }
}

#[test]
fn device_access_token_request() {
    let client = client_with(
        device_metadata(),
        ClientAuthentication::ClientSecretPost(ClientSecret::new(CLIENT_SECRET)),
    );
    let step = DeviceAuthorization::new(&client, Scope::empty()).unwrap();
    let polling = step
        .handle_response(
            HttpResponse::new(200, DEVICE_AUTHORIZATION_RESPONSE)
                .with_content_type("application/json"),
            NOW,
        )
        .unwrap();
    let request = polling.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("device_access_token_request", render(&request));
    assert_eq!(
        render_http(&polling.request(&crate::CONTEXT).unwrap().into_http()),
        render(&request)
    );
    assert_eq!(
        request.uri(),
        "https://sso.pageroonline.com/oauth/v2/oauth-token"
    );
    let body = pairs(std::str::from_utf8(request.body()).unwrap());
    assert_eq!(
        names(&body),
        ["grant_type", "device_code", "client_id", "client_secret"]
    );
    assert_eq!(
        value(&body, "grant_type"),
        Some("urn:ietf:params:oauth:grant-type:device_code")
    );
    // Never in Debug: the device code and the client secret.
    let printed = format!("{polling:?} {request:?}");
    assert!(!printed.contains("GmRhmhcx"), "{printed}");
    assert!(!printed.contains(CLIENT_SECRET), "{printed}");
}

#[test]
fn introspection_requests() {
    let client = client_with(
        device_metadata(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    );
    const TOKEN: &str = "mF_9.B5f-4.1JqM";
    let plain = Introspection::new(&client, IntrospectedToken::new(TOKEN)).unwrap();
    let hinted = Introspection::new(&client, IntrospectedToken::new(TOKEN))
        .unwrap()
        .token_type_hint(TokenTypeHint::AccessToken);
    for (step, name) in [
        (plain, "introspection_request"),
        (hinted, "introspection_request_with_hint"),
    ] {
        let request = step.request(&crate::CONTEXT).unwrap();
        insta::assert_snapshot!(name, render(&request));
        assert_eq!(
            render_http(&step.request(&crate::CONTEXT).unwrap().into_http()),
            render(&request)
        );
        assert_eq!(
            request.uri(),
            "https://sso.pageroonline.com/oauth/v2/oauth-introspect"
        );
        let body = pairs(std::str::from_utf8(request.body()).unwrap());
        assert_eq!(value(&body, "token"), Some(TOKEN));
        // The token is a secret: not in the step's or the request's Debug.
        let printed = format!(
            "{step:?} {request:?} {:?}",
            step.request(&crate::CONTEXT).unwrap().into_http()
        );
        assert!(!printed.contains(TOKEN), "{printed}");
    }
}

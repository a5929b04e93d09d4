//! Per-step benchmarks of the flow, each next to its floor (the
//! raw primitives the step cannot avoid) and, for the authorization URL and
//! the code exchange, next to `oauth2` 5.x.
//!
//! ```sh
//! cargo bench --manifest-path benches/Cargo.toml --bench steps   # divan: median ns + allocations
//! STEPS_PROFILE=ours::start STEPS_ITERS=2000 \
//!   valgrind --tool=callgrind --toggle-collect='steps::step_*' \
//!   benches/target/release/deps/steps-<hash>       # instruction counts, one step
//! ```
//!
//! Every measured body is an `#[inline(never)] fn step_<group>_<name>` so
//! divan and callgrind measure exactly the same code, and callgrind's
//! `--toggle-collect='steps::step_*'` leaves the input set-up out. See
//! `benches/RESULTS.md` for the numbers and the floors' definitions.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use divan::{black_box, Bencher};
use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    values::HttpResponse, Authorized, AwaitingCallback, Callback, Client, ClientAuthentication,
    ClientId, ClientSecret, Exchanging, FlowEntropy, Preset, RedirectUri, Start, UnixTime,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

// ---------------------------------------------------------------------------
// Inputs, built once.
// ---------------------------------------------------------------------------

/// Pagero's token response, as the issue quotes it.
const BODY: &str = r#"{"token_type":"bearer","access_token":"_0XBPWQQ_2a66dd33-e108-4dc3-b653-e71b9feae02e","refresh_token":"_1XBPWQQ_e61b091b-9139-4268-a7c7-765d2d418d52","scope":"","claims":"publicid","expires_in":600}"#;
const CODE: &str = "0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1";
const CLIENT_ID: &str = "client-id";
const CLIENT_SECRET: &str = "client-secret";
const REDIRECT: &str = "https://urltoclient:4443";
const API: &str = "https://api.pageroonline.com/someresource";
const AUTHORIZE: &str = "https://sso.pageroonline.com/oauth/v2/oauth-authorize";
const TOKEN: &str = "https://sso.pageroonline.com/oauth/v2/oauth-token";
const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

/// The moment and randomness a request is built with.
fn context() -> oauth2_pkce::RequestContext {
    oauth2_pkce::RequestContext::new(NOW, [0x5e; 32])
}

fn entropy_bytes() -> [u8; 64] {
    let mut bytes = [0u8; 64];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    bytes
}

type TheirClient = oauth2::basic::BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

struct Fixture {
    client: Client,
    authorize_url: Url,
    pending: AwaitingCallback,
    callback_url: String,
    authorized: Authorized,
    pending_json: String,
    authorized_json: String,
    http_response: http::Response<Vec<u8>>,
    theirs: TheirClient,
    /// The fixed verifier and state, for the deterministic oauth2 variant.
    verifier: String,
    state: String,
}

fn client() -> Client {
    Preset::pagero()
        .client(
            ClientId::new(CLIENT_ID).unwrap(),
            ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
        )
        .unwrap()
        .with_redirect_uri(RedirectUri::new(REDIRECT).unwrap())
}

fn http_response() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(BODY.as_bytes().to_vec())
        .unwrap()
}

fn sans_io_response() -> HttpResponse<'static> {
    HttpResponse::new(200, BODY.as_bytes()).with_content_type("application/json")
}

static FIX: LazyLock<Fixture> = LazyLock::new(|| {
    let client = client();
    let (request, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes(entropy_bytes()), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    // The verifier is not public API; recompute it as the crate does
    // (base64url of the first 32 entropy bytes, RFC 7636 §4.1).
    let verifier = Base64UrlUnpadded::encode_string(&entropy_bytes()[..32]);
    let callback_url = format!("{REDIRECT}/?code={CODE}&state={state}");
    let exchanging = pending
        .clone()
        .handle_callback(&client, Callback::from_url(&callback_url).unwrap())
        .unwrap();
    let authorized = exchanging.handle_response(sans_io_response(), NOW).unwrap();
    let theirs = oauth2::basic::BasicClient::new(oauth2::ClientId::new(CLIENT_ID.into()))
        .set_client_secret(oauth2::ClientSecret::new(CLIENT_SECRET.into()))
        .set_auth_uri(oauth2::AuthUrl::new(AUTHORIZE.into()).unwrap())
        .set_token_uri(oauth2::TokenUrl::new(TOKEN.into()).unwrap())
        .set_redirect_uri(oauth2::RedirectUrl::new(REDIRECT.into()).unwrap());
    let _ = request;
    Fixture {
        authorize_url: Url::parse(AUTHORIZE).unwrap(),
        pending_json: serde_json::to_string(&pending).unwrap(),
        authorized_json: serde_json::to_string(&authorized).unwrap(),
        client,
        pending,
        callback_url,
        authorized,
        http_response: http_response(),
        theirs,
        verifier,
        state,
    }
});

fn fix() -> &'static Fixture {
    &FIX
}

fn exchanging() -> Exchanging {
    let f = fix();
    f.pending
        .clone()
        .handle_callback(&f.client, Callback::from_url(&f.callback_url).unwrap())
        .unwrap()
}

// ---------------------------------------------------------------------------
// The measured bodies: ours.
// ---------------------------------------------------------------------------

type Began = (oauth2_pkce::AuthorizationRequest, AwaitingCallback);

#[inline(never)]
pub fn step_ours_start(client: &Client, entropy: [u8; 64]) -> Began {
    Start::new(client)
        .begin(FlowEntropy::from_bytes(entropy), NOW)
        .unwrap()
}

#[inline(never)]
pub fn step_ours_start_os_rng(client: &Client) -> Began {
    Start::new(client)
        .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap()
}

#[inline(never)]
pub fn step_ours_callback(client: &Client, pending: AwaitingCallback, url: &str) -> Exchanging {
    pending
        .handle_callback(client, Callback::from_url(url).unwrap())
        .unwrap()
}

#[inline(never)]
pub fn step_ours_token_request(exchanging: &Exchanging) -> oauth2_pkce::values::HttpRequest {
    exchanging.request(&context()).unwrap()
}

/// A code exchange of a `private_key_jwt` client (RFC 7523 §2.2): the
/// same request plus a client assertion signed with `key`.
fn jwt_exchanging(key: oauth2_pkce::jose::ClientAssertionKey) -> Exchanging {
    let metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_token_endpoint_auth_methods_supported(["private_key_jwt"]);
    let client = Client::new(
        metadata,
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::PrivateKeyJwt(key),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new(REDIRECT).unwrap());
    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes(entropy_bytes()), NOW)
        .unwrap();
    let url = format!("{REDIRECT}?code={CODE}&state={}", pending.state().secret());
    pending
        .handle_callback(&client, Callback::from_url(&url).unwrap())
        .unwrap()
}

/// A code exchange of a client that proves a DPoP key (RFC 9449 §5).
fn dpop_exchanging(key: oauth2_pkce::jose::DpopKey) -> Exchanging {
    let client = client().with_dpop(key).unwrap();
    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes(entropy_bytes()), NOW)
        .unwrap();
    let url = format!("{REDIRECT}?code={CODE}&state={}", pending.state().secret());
    pending
        .handle_callback(&client, Callback::from_url(&url).unwrap())
        .unwrap()
}

#[inline(never)]
pub fn step_ours_token_request_http(
    exchanging: &Exchanging,
) -> http::Request<oauth2_pkce::RequestBody> {
    exchanging.request(&context()).unwrap().into_http()
}

#[inline(never)]
pub fn step_ours_token_response(exchanging: Exchanging) -> Authorized {
    exchanging.handle_response(sans_io_response(), NOW).unwrap()
}

#[inline(never)]
pub fn step_ours_refresh_request(
    authorized: &Authorized,
    client: &Client,
) -> (oauth2_pkce::Refreshing, oauth2_pkce::values::HttpRequest) {
    let refreshing = authorized.refresh(client).unwrap();
    let request = refreshing.request(&context()).unwrap();
    (refreshing, request)
}

#[inline(never)]
pub fn step_ours_refresh_response(refreshing: oauth2_pkce::Refreshing) -> Authorized {
    refreshing.handle_response(sans_io_response(), NOW).unwrap()
}

#[inline(never)]
pub fn step_ours_bearer_authorization(
    authorized: &Authorized,
    uri: &str,
) -> oauth2_pkce::values::AuthorizationValue {
    authorized.bearer_authorization(uri).unwrap()
}

#[inline(never)]
pub fn step_ours_authorize_request(authorized: &Authorized, request: &mut http::Request<()>) {
    authorized.authorize_request(request).unwrap();
}

#[inline(never)]
pub fn step_ours_awaiting_serialize(pending: &AwaitingCallback) -> String {
    serde_json::to_string(pending).unwrap()
}

#[inline(never)]
pub fn step_ours_awaiting_deserialize(json: &str) -> AwaitingCallback {
    serde_json::from_str(json).unwrap()
}

/// What an app calls: `from_json` on the stored bytes (typed errors).
#[inline(never)]
pub fn step_ours_awaiting_from_json(json: &[u8]) -> AwaitingCallback {
    AwaitingCallback::from_json(json).unwrap()
}

#[inline(never)]
pub fn step_ours_authorized_from_json(json: &[u8]) -> Authorized {
    Authorized::from_json(json).unwrap()
}

#[inline(never)]
pub fn step_ours_authorized_serialize(authorized: &Authorized) -> String {
    serde_json::to_string(authorized).unwrap()
}

#[inline(never)]
pub fn step_ours_authorized_deserialize(json: &str) -> Authorized {
    serde_json::from_str(json).unwrap()
}

/// The code exchange as `oauth2` does it: build the `http::Request`, hand it
/// to the transport, parse the `http::Response`. The same work as
/// [`step_theirs_exchange`], for the side-by-side ratio.
#[inline(never)]
pub fn step_ours_exchange(
    exchanging: Exchanging,
    response: &http::Response<Vec<u8>>,
) -> Authorized {
    let request = exchanging.request(&context()).unwrap().into_http();
    drop(black_box(request));
    exchanging.handle_response(response, NOW).unwrap()
}

/// The code exchange in this crate's own sans-IO types: `token_request()`
/// (an `HttpRequest`) and the response as an `HttpResponse` view.
#[inline(never)]
pub fn step_ours_exchange_sans_io(exchanging: Exchanging) -> Authorized {
    let request = exchanging.request(&context()).unwrap();
    drop(black_box(request));
    exchanging.handle_response(sans_io_response(), NOW).unwrap()
}

// ---------------------------------------------------------------------------
// The measured bodies: floors (the primitives each step cannot avoid).
// ---------------------------------------------------------------------------

/// PKCE + state + URL: base64url(32 B) for the verifier, SHA-256 of the
/// 43-byte verifier, base64url of the digest, base64url(32 B) for the state;
/// then the endpoint's `Url` cloned and the six parameters appended through
/// `url`'s own form serializer (`query_pairs_mut`).
#[inline(never)]
pub fn step_floor_start(endpoint: &Url, entropy: &[u8; 64]) -> (Url, String, String) {
    let (v, s) = entropy.split_at(32);
    let verifier = Base64UrlUnpadded::encode_string(v);
    let state = Base64UrlUnpadded::encode_string(s);
    let challenge = Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes()));
    let mut url = endpoint.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    (url, verifier, state)
}

/// [`step_floor_start`] plus 64 bytes from `getrandom`.
#[inline(never)]
pub fn step_floor_start_os_rng(endpoint: &Url) -> (Url, String, String) {
    let mut entropy = [0u8; 64];
    getrandom::fill(&mut entropy).unwrap();
    step_floor_start(endpoint, &entropy)
}

/// `Url::parse` of the callback, `query_pairs()` decoded into an owned code
/// and state, and one constant-time comparison of the state.
#[inline(never)]
pub fn step_floor_callback(url: &str, expected_state: &str) -> String {
    use subtle::ConstantTimeEq;
    let url = Url::parse(url).unwrap();
    let mut code = None;
    let mut state = None;
    for (name, value) in url.query_pairs() {
        match &*name {
            "code" => code = Some(value.into_owned()),
            "state" => state = Some(value.into_owned()),
            _ => {}
        }
    }
    let state = state.unwrap();
    assert!(bool::from(
        state.as_bytes().ct_eq(expected_state.as_bytes())
    ));
    code.unwrap()
}

fn basic(id: &str, secret: &str) -> String {
    let mut credentials: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    credentials.push(':');
    credentials.extend(url::form_urlencoded::byte_serialize(secret.as_bytes()));
    let mut value = String::from("Basic ");
    value.push_str(&Base64::encode_string(credentials.as_bytes()));
    value
}

/// The token request's three owned parts: the endpoint string, the form
/// body (4 pairs through `form_urlencoded`), the Basic credentials.
#[inline(never)]
pub fn step_floor_token_request(code: &str, verifier: &str) -> (String, String, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("code_verifier", verifier)
        .finish();
    (String::from(TOKEN), body, basic(CLIENT_ID, CLIENT_SECRET))
}

/// [`step_floor_token_request`] assembled into an `http::Request` with static
/// `content-type` and `accept` values.
#[inline(never)]
pub fn step_floor_token_request_http(code: &str, verifier: &str) -> http::Request<Vec<u8>> {
    let (uri, body, authorization) = step_floor_token_request(code, verifier);
    let mut authorization = http::HeaderValue::from_str(&authorization).unwrap();
    authorization.set_sensitive(true);
    http::Request::builder()
        .method(http::Method::POST)
        .uri(uri)
        .header(http::header::AUTHORIZATION, authorization)
        .header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .header(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        )
        .body(body.into_bytes())
        .unwrap()
}

/// The response body's fields, as a plain derive.
#[derive(Deserialize)]
pub struct PlainTokenResponse {
    pub token_type: String,
    pub access_token: String,
    pub refresh_token: String,
    pub scope: String,
    pub claims: String,
    pub expires_in: u64,
}

/// `serde_json` into [`PlainTokenResponse`].
#[inline(never)]
pub fn step_floor_token_response(body: &[u8]) -> PlainTokenResponse {
    serde_json::from_slice(body).unwrap()
}

/// The refresh request's parts: endpoint string, a 2-pair form body, Basic.
#[inline(never)]
pub fn step_floor_refresh_request(refresh_token: &str) -> (String, String, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "refresh_token")
        .append_pair("refresh_token", refresh_token)
        .finish();
    (String::from(TOKEN), body, basic(CLIENT_ID, CLIENT_SECRET))
}

/// `Url::parse` of the target (scheme and host check) and `"Bearer " + token`.
#[inline(never)]
pub fn step_floor_bearer_authorization(token: &str, uri: &str) -> String {
    let url = Url::parse(uri).unwrap();
    assert_eq!(url.scheme(), "https");
    let mut value = String::with_capacity(token.len() + 7);
    value.push_str("Bearer ");
    value.push_str(token);
    value
}

/// The request's already-parsed `http::Uri` checked for `https`, then
/// `"Bearer " + token` as a sensitive `HeaderValue` inserted.
#[inline(never)]
pub fn step_floor_authorize_request(token: &str, request: &mut http::Request<()>) {
    assert_eq!(request.uri().scheme_str(), Some("https"));
    let mut value = String::with_capacity(token.len() + 7);
    value.push_str("Bearer ");
    value.push_str(token);
    let mut header = http::HeaderValue::from_str(&value).unwrap();
    header.set_sensitive(true);
    request
        .headers_mut()
        .insert(http::header::AUTHORIZATION, header);
}

/// The stored pending flow's fields, borrowed, as a plain derive.
#[derive(Serialize)]
pub struct PlainAwaitingRef<'a> {
    pub v: u32,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub token_endpoint: &'a str,
    pub revocation_endpoint: &'a str,
    pub redirect_uri: &'a str,
    pub state: &'a str,
    pub code_verifier: &'a str,
    pub started_at: u64,
}

/// The same, owned, for deserializing.
#[derive(Deserialize)]
pub struct PlainAwaiting {
    pub v: u32,
    pub issuer: String,
    pub client_id: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub redirect_uri: String,
    pub state: String,
    pub code_verifier: String,
    pub started_at: u64,
}

#[derive(Serialize)]
pub struct PlainAuthorizedRef<'a> {
    pub v: u32,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub token_endpoint: &'a str,
    pub revocation_endpoint: &'a str,
    pub access_token: &'a str,
    pub expires_at: u64,
    pub refresh_token: &'a str,
    pub extra: &'a BTreeMap<&'a str, &'a str>,
    pub generation: u64,
}

#[derive(Deserialize)]
pub struct PlainAuthorized {
    pub v: u32,
    pub issuer: String,
    pub client_id: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub access_token: String,
    pub expires_at: u64,
    pub refresh_token: String,
    pub extra: BTreeMap<String, String>,
    pub generation: u64,
}

#[inline(never)]
pub fn step_floor_awaiting_serialize(plain: &PlainAwaitingRef<'_>) -> String {
    serde_json::to_string(plain).unwrap()
}

#[inline(never)]
pub fn step_floor_awaiting_deserialize(json: &str) -> PlainAwaiting {
    serde_json::from_str(json).unwrap()
}

#[inline(never)]
pub fn step_floor_authorized_serialize(plain: &PlainAuthorizedRef<'_>) -> String {
    serde_json::to_string(plain).unwrap()
}

#[inline(never)]
pub fn step_floor_authorized_deserialize(json: &str) -> PlainAuthorized {
    serde_json::from_str(json).unwrap()
}

/// The floor of the oauth2-shaped exchange: the http request floor built and
/// dropped, then the plain-struct parse.
#[inline(never)]
pub fn step_floor_exchange(code: &str, verifier: &str, body: &[u8]) -> PlainTokenResponse {
    drop(black_box(step_floor_token_request_http(code, verifier)));
    step_floor_token_response(body)
}

/// The floor of the sans-IO exchange: request parts built and dropped, then
/// the plain-struct parse.
#[inline(never)]
pub fn step_floor_exchange_sans_io(code: &str, verifier: &str, body: &[u8]) -> PlainTokenResponse {
    drop(black_box(step_floor_token_request(code, verifier)));
    step_floor_token_response(body)
}

// ---------------------------------------------------------------------------
// The measured bodies: oauth2 5.x.
// ---------------------------------------------------------------------------

/// `authorize_url` with a random CSRF token (16 bytes from `thread_rng`)
/// and a random S256 challenge (32 bytes from `thread_rng`).
#[inline(never)]
pub fn step_theirs_authorize_url_random(
    client: &TheirClient,
) -> (Url, oauth2::CsrfToken, oauth2::PkceCodeVerifier) {
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(oauth2::CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    (url, csrf, verifier)
}

/// The same with our fixed verifier and state: no randomness, so it
/// compares with `ours::start` (entropy as an argument).
#[inline(never)]
pub fn step_theirs_authorize_url_fixed(
    client: &TheirClient,
    verifier: &str,
    state: &str,
) -> (Url, oauth2::CsrfToken, oauth2::PkceCodeVerifier) {
    let verifier = oauth2::PkceCodeVerifier::new(verifier.to_owned());
    let challenge = oauth2::PkceCodeChallenge::from_code_verifier_sha256(&verifier);
    let (url, csrf) = client
        .authorize_url(|| oauth2::CsrfToken::new(state.to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    (url, csrf, verifier)
}

/// The canned transport: drops the request, answers Pagero's body. oauth2
/// takes the response by value, so each call builds one.
fn canned(request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, std::io::Error> {
    drop(black_box(request));
    Ok(http_response())
}

/// `exchange_code(..).set_pkce_verifier(..).request(&canned)`.
#[inline(never)]
pub fn step_theirs_exchange(
    client: &TheirClient,
    code: oauth2::AuthorizationCode,
    verifier: oauth2::PkceCodeVerifier,
) -> oauth2::basic::BasicTokenResponse {
    client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request(&canned)
        .unwrap()
}

/// What the canned transport itself costs inside `step_theirs_exchange`
/// (building the owned `http::Response`), to subtract if wanted.
#[inline(never)]
pub fn step_theirs_transport_only() -> http::Response<Vec<u8>> {
    http_response()
}

// ---------------------------------------------------------------------------
// divan registrations.
// ---------------------------------------------------------------------------

mod ours {
    use super::*;

    #[divan::bench]
    fn start(b: Bencher) {
        let f = fix();
        let entropy = entropy_bytes();
        b.bench(|| step_ours_start(&f.client, black_box(entropy)));
    }

    #[divan::bench]
    fn start_os_rng(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_start_os_rng(&f.client));
    }

    #[divan::bench]
    fn callback(b: Bencher) {
        let f = fix();
        b.with_inputs(|| f.pending.clone())
            .bench_local_values(|pending| step_ours_callback(&f.client, pending, &f.callback_url));
    }

    #[divan::bench]
    fn token_request(b: Bencher) {
        let exchanging = exchanging();
        b.bench(|| step_ours_token_request(black_box(&exchanging)));
    }

    #[divan::bench]
    fn token_request_http(b: Bencher) {
        let exchanging = exchanging();
        b.bench(|| step_ours_token_request_http(black_box(&exchanging)));
    }

    /// The token request with an ES256 client assertion: the signature is
    /// most of the cost.
    #[divan::bench]
    fn token_request_private_key_jwt_es256(b: Bencher) {
        let key = oauth2_pkce::jose::Es256Key::from_bytes(&[7; 32]).unwrap();
        let exchanging = jwt_exchanging(oauth2_pkce::jose::ClientAssertionKey::new(key));
        b.bench(|| step_ours_token_request(black_box(&exchanging)));
    }

    /// The same with an Ed25519 key.
    #[divan::bench]
    fn token_request_private_key_jwt_eddsa(b: Bencher) {
        let key = oauth2_pkce::jose::Ed25519Key::from_bytes(&[7; 32]);
        let exchanging = jwt_exchanging(oauth2_pkce::jose::ClientAssertionKey::new(key));
        b.bench(|| step_ours_token_request(black_box(&exchanging)));
    }

    /// The token request of a client with basic authentication and an
    /// ES256 DPoP key: the request plus one proof.
    #[divan::bench]
    fn token_request_dpop_es256(b: Bencher) {
        let key = oauth2_pkce::jose::Es256Key::from_bytes(&[7; 32]).unwrap();
        let exchanging = dpop_exchanging(oauth2_pkce::jose::DpopKey::new(key));
        b.bench(|| step_ours_token_request(black_box(&exchanging)));
    }

    /// The same with an Ed25519 DPoP key.
    #[divan::bench]
    fn token_request_dpop_eddsa(b: Bencher) {
        let key = oauth2_pkce::jose::Ed25519Key::from_bytes(&[7; 32]);
        let exchanging = dpop_exchanging(oauth2_pkce::jose::DpopKey::new(key));
        b.bench(|| step_ours_token_request(black_box(&exchanging)));
    }

    #[divan::bench]
    fn token_response(b: Bencher) {
        b.with_inputs(exchanging)
            .bench_local_values(step_ours_token_response);
    }

    #[divan::bench]
    fn refresh_request(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_refresh_request(black_box(&f.authorized), &f.client));
    }

    #[divan::bench]
    fn refresh_response(b: Bencher) {
        let f = fix();
        b.with_inputs(|| f.authorized.refresh(&f.client).unwrap())
            .bench_local_values(step_ours_refresh_response);
    }

    #[divan::bench]
    fn bearer_authorization(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_bearer_authorization(&f.authorized, black_box(API)));
    }

    #[divan::bench]
    fn authorize_request(b: Bencher) {
        let f = fix();
        b.with_inputs(|| http::Request::get(API).body(()).unwrap())
            .bench_local_refs(|request| step_ours_authorize_request(&f.authorized, request));
    }

    #[divan::bench]
    fn awaiting_serialize(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_awaiting_serialize(black_box(&f.pending)));
    }

    #[divan::bench]
    fn awaiting_deserialize(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_awaiting_deserialize(black_box(&f.pending_json)));
    }

    #[divan::bench]
    fn awaiting_from_json(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_awaiting_from_json(black_box(f.pending_json.as_bytes())));
    }

    #[divan::bench]
    fn authorized_from_json(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_authorized_from_json(black_box(f.authorized_json.as_bytes())));
    }

    #[divan::bench]
    fn authorized_serialize(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_authorized_serialize(black_box(&f.authorized)));
    }

    #[divan::bench]
    fn authorized_deserialize(b: Bencher) {
        let f = fix();
        b.bench(|| step_ours_authorized_deserialize(black_box(&f.authorized_json)));
    }

    #[divan::bench]
    fn exchange(b: Bencher) {
        let f = fix();
        b.with_inputs(exchanging)
            .bench_local_values(|exchanging| step_ours_exchange(exchanging, &f.http_response));
    }

    #[divan::bench]
    fn exchange_sans_io(b: Bencher) {
        b.with_inputs(exchanging)
            .bench_local_values(step_ours_exchange_sans_io);
    }
}

mod floor {
    use super::*;
    use oauth2_pkce::jose::Signer as _;

    /// A JWS signing input of a DPoP proof's size (the token request's).
    const SIGNING_INPUT: &[u8; 420] = &[b'e'; 420];

    /// The ES256 signature alone: the floor of a proof or an assertion.
    #[divan::bench]
    fn es256_signature(b: Bencher) {
        let key = oauth2_pkce::jose::Es256Key::from_bytes(&[7; 32]).unwrap();
        b.bench(|| key.sign(black_box(SIGNING_INPUT)).unwrap());
    }

    /// The Ed25519 signature alone.
    #[divan::bench]
    fn ed25519_signature(b: Bencher) {
        let key = oauth2_pkce::jose::Ed25519Key::from_bytes(&[7; 32]);
        b.bench(|| key.sign(black_box(SIGNING_INPUT)).unwrap());
    }

    fn plain_awaiting(f: &Fixture) -> PlainAwaitingRef<'_> {
        PlainAwaitingRef {
            v: 1,
            issuer: "https://sso.pageroonline.com/oauth/v2/oauth-anonymous",
            client_id: CLIENT_ID,
            token_endpoint: TOKEN,
            revocation_endpoint: "https://sso.pageroonline.com/oauth/v2/oauth-revoke",
            redirect_uri: REDIRECT,
            state: &f.state,
            code_verifier: &f.verifier,
            started_at: NOW.as_secs(),
        }
    }

    pub(crate) fn plain_awaiting_json() -> String {
        serde_json::to_string(&plain_awaiting(fix())).unwrap()
    }

    pub(crate) fn plain_authorized_json(extra: &BTreeMap<&str, &str>) -> String {
        let f = fix();
        serde_json::to_string(&plain_authorized(f, extra)).unwrap()
    }

    fn plain_authorized<'a>(
        f: &'a Fixture,
        extra: &'a BTreeMap<&'a str, &'a str>,
    ) -> PlainAuthorizedRef<'a> {
        let tokens = f.authorized.tokens();
        PlainAuthorizedRef {
            v: 1,
            issuer: f.authorized.issuer(),
            client_id: CLIENT_ID,
            token_endpoint: TOKEN,
            revocation_endpoint: "https://sso.pageroonline.com/oauth/v2/oauth-revoke",
            access_token: tokens.access_token().secret(),
            expires_at: tokens.expires_at().unwrap().as_secs(),
            refresh_token: tokens.refresh_token().unwrap().secret(),
            extra,
            generation: 0,
        }
    }

    pub(crate) fn extra() -> BTreeMap<&'static str, &'static str> {
        BTreeMap::from([("claims", "publicid")])
    }

    #[divan::bench]
    fn start(b: Bencher) {
        let f = fix();
        let entropy = entropy_bytes();
        b.bench(|| step_floor_start(&f.authorize_url, black_box(&entropy)));
    }

    #[divan::bench]
    fn start_os_rng(b: Bencher) {
        let f = fix();
        b.bench(|| step_floor_start_os_rng(&f.authorize_url));
    }

    #[divan::bench]
    fn callback(b: Bencher) {
        let f = fix();
        b.bench(|| step_floor_callback(black_box(&f.callback_url), &f.state));
    }

    #[divan::bench]
    fn token_request(b: Bencher) {
        let f = fix();
        b.bench(|| step_floor_token_request(black_box(CODE), &f.verifier));
    }

    #[divan::bench]
    fn token_request_http(b: Bencher) {
        let f = fix();
        b.bench(|| step_floor_token_request_http(black_box(CODE), &f.verifier));
    }

    #[divan::bench]
    fn token_response(b: Bencher) {
        b.bench(|| step_floor_token_response(black_box(BODY.as_bytes())));
    }

    #[divan::bench]
    fn refresh_request(b: Bencher) {
        let f = fix();
        let token = f.authorized.tokens().refresh_token().unwrap().secret();
        b.bench(|| step_floor_refresh_request(black_box(token)));
    }

    #[divan::bench]
    fn refresh_response(b: Bencher) {
        b.bench(|| step_floor_token_response(black_box(BODY.as_bytes())));
    }

    #[divan::bench]
    fn bearer_authorization(b: Bencher) {
        let f = fix();
        let token = f.authorized.tokens().access_token().secret();
        b.bench(|| step_floor_bearer_authorization(token, black_box(API)));
    }

    #[divan::bench]
    fn authorize_request(b: Bencher) {
        let f = fix();
        let token = f.authorized.tokens().access_token().secret();
        b.with_inputs(|| http::Request::get(API).body(()).unwrap())
            .bench_local_refs(|request| step_floor_authorize_request(token, request));
    }

    #[divan::bench]
    fn awaiting_serialize(b: Bencher) {
        let plain = plain_awaiting(fix());
        b.bench(|| step_floor_awaiting_serialize(black_box(&plain)));
    }

    #[divan::bench]
    fn awaiting_deserialize(b: Bencher) {
        let json = plain_awaiting_json();
        b.bench(|| step_floor_awaiting_deserialize(black_box(&json)));
    }

    #[divan::bench]
    fn authorized_serialize(b: Bencher) {
        let extra = extra();
        let plain = plain_authorized(fix(), &extra);
        b.bench(|| step_floor_authorized_serialize(black_box(&plain)));
    }

    #[divan::bench]
    fn authorized_deserialize(b: Bencher) {
        let json = plain_authorized_json(&extra());
        b.bench(|| step_floor_authorized_deserialize(black_box(&json)));
    }

    #[divan::bench]
    fn exchange(b: Bencher) {
        let f = fix();
        b.bench(|| step_floor_exchange(black_box(CODE), &f.verifier, BODY.as_bytes()));
    }

    #[divan::bench]
    fn exchange_sans_io(b: Bencher) {
        let f = fix();
        b.bench(|| step_floor_exchange_sans_io(black_box(CODE), &f.verifier, BODY.as_bytes()));
    }
}

// ---------------------------------------------------------------------------
// OpenID Connect: an ID token's validation (OpenID Connect Core §3.1.3.7)
// next to the RS256 signature check it contains, its floor.
// ---------------------------------------------------------------------------

/// RFC 7515 A.2's RSA modulus: the key that signed `ID_TOKEN`.
const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

/// An RS256 ID token of fifteen claims (a typical provider's), signed with
/// RFC 7515 A.2's private key by pyca/cryptography.
const ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImEyIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwczovL3Nzby5wYWdlcm9vbmxpbmUuY29tL29hdXRoL3YyL29hdXRoLWFub255bW91cyIsInN1YiI6IjI0ODI4OTc2MTAwMSIsImF1ZCI6InBhZ2Vyby1jbGllbnQiLCJleHAiOjQwMDAwMDAwMDAsImlhdCI6MTgwMDAwMDAwMCwiYXV0aF90aW1lIjoxNzk5OTk5OTAwLCJub25jZSI6Im4tMFM2X1d6QTJNaiIsImF0X2hhc2giOiI3N1FtVVB0alBmeld0RjJBbnBLOVJRIiwibmFtZSI6IkphbmUgRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJmYW1pbHlfbmFtZSI6IkRvZSIsImVtYWlsIjoiamFuZWRvZUBleGFtcGxlLmNvbSIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJsb2NhbGUiOiJlbiIsInNpZCI6IjA4YTUwMTljLTE3ZTEtNDk3Ny04ZjQyLTY1YTEyODQzZWEwMiJ9.odVhH-nhsus5g7QeVV7-cXfMHVrkD-22h5bny_pfCFRUOlItMnF2TowQv3_ZUXBBcYcZnkAEsyHxCCLGMEiYu7A3slAlpEyBbilIH5eQOp4WBo29xMzH0NFWOmjrgHDBEKnWQz0Kvn6chjqWXZVTMItQshNxK3Qqh1mIpWQeK1BtRviz_sF07i3r3nXxVcj4r6Io7VZi9Z3wVISSNqwfwqwLGzuG9nVEl6fs8mZHpjLuXtSkLHeIMKuYTRM0nfZClNDPrwHsx3eAqsZEiEU9vwtY1kmsoE8Td2lZ8WteXtOqkDYyYctH8fMTEZJcREvnCtGozR-Kf3K6IvXGJn42pw";

const ID_TOKEN_ISSUER: &str = "https://sso.pageroonline.com/oauth/v2/oauth-anonymous";
const ID_TOKEN_NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

static KEY_SET: LazyLock<oauth2_pkce::openid::KeySet> = LazyLock::new(|| {
    let document =
        format!(r#"{{"keys":[{{"kty":"RSA","kid":"a2","use":"sig","n":"{A2_N}","e":"AQAB"}}]}}"#);
    oauth2_pkce::openid::KeySet::fetch("https://sso.pageroonline.com/jwks")
        .unwrap()
        .handle_response(HttpResponse::new(200, document.as_bytes()), ID_TOKEN_NOW)
        .unwrap()
});

/// The whole validation: compact form, header, key by `kid`, RS256
/// signature, claims (`iss`, `aud`, `exp`, `iat`, `nonce`, `auth_time`,
/// `at_hash`).
#[inline(never)]
pub fn step_ours_id_token_validation(
    validation: &oauth2_pkce::openid::IdTokenValidation,
) -> oauth2_pkce::openid::IdToken {
    validation
        .validate(
            black_box(ID_TOKEN),
            Some("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            &KEY_SET,
            &oauth2_pkce::jose::RustCryptoVerifier,
            ID_TOKEN_NOW,
        )
        .unwrap()
}

/// The floor: the RS256 signature check of the same token alone, its
/// signature already decoded.
#[inline(never)]
pub fn step_floor_rs256_verification(key: &oauth2_pkce::jose::PublicJwk, signature: &[u8]) {
    use oauth2_pkce::jose::JwsVerifier as _;
    let input = ID_TOKEN.rsplit_once('.').unwrap().0;
    oauth2_pkce::jose::RustCryptoVerifier
        .verify(
            oauth2_pkce::jose::JwsAlgorithm::Rs256,
            key,
            black_box(input.as_bytes()),
            signature,
        )
        .unwrap();
}

fn id_token_validation() -> oauth2_pkce::openid::IdTokenValidation {
    oauth2_pkce::openid::IdTokenValidation::new(ID_TOKEN_ISSUER, "pagero-client")
        .nonce("n-0S6_WzA2Mj")
        .max_age(std::time::Duration::from_secs(3600))
}

mod openid {
    use super::*;

    #[divan::bench]
    fn id_token_validation(b: Bencher) {
        let validation = super::id_token_validation();
        b.bench(|| step_ours_id_token_validation(&validation));
    }

    #[divan::bench]
    fn rs256_verification_floor(b: Bencher) {
        let key = oauth2_pkce::jose::PublicJwk::rsa(A2_N, "AQAB").unwrap();
        let signature =
            Base64UrlUnpadded::decode_vec(ID_TOKEN.rsplit_once('.').unwrap().1).unwrap();
        b.bench(|| step_floor_rs256_verification(&key, &signature));
    }
}

mod oauth2_5 {
    use super::*;

    #[divan::bench]
    fn authorize_url_random(b: Bencher) {
        let f = fix();
        b.bench(|| step_theirs_authorize_url_random(black_box(&f.theirs)));
    }

    #[divan::bench]
    fn authorize_url_fixed(b: Bencher) {
        let f = fix();
        b.bench(|| step_theirs_authorize_url_fixed(black_box(&f.theirs), &f.verifier, &f.state));
    }

    #[divan::bench]
    fn exchange(b: Bencher) {
        let f = fix();
        b.with_inputs(|| {
            (
                oauth2::AuthorizationCode::new(CODE.into()),
                oauth2::PkceCodeVerifier::new(f.verifier.clone()),
            )
        })
        .bench_local_values(|(code, verifier)| step_theirs_exchange(&f.theirs, code, verifier));
    }

    #[divan::bench]
    fn transport_only(b: Bencher) {
        b.bench(step_theirs_transport_only);
    }
}

// ---------------------------------------------------------------------------
// Callgrind runner: `STEPS_PROFILE=<group>::<name>` runs that step
// `STEPS_ITERS` times (inputs made outside the `step_*` function) and exits.
// ---------------------------------------------------------------------------

fn profile(name: &str, iters: usize) {
    let f = fix();
    let entropy = entropy_bytes();
    let extra = floor::extra();
    let run = |body: &mut dyn FnMut()| {
        for _ in 0..iters {
            body();
        }
    };
    match name {
        "ours::start" => run(&mut || drop(black_box(step_ours_start(&f.client, entropy)))),
        "ours::start_os_rng" => run(&mut || drop(black_box(step_ours_start_os_rng(&f.client)))),
        "ours::callback" => run(&mut || {
            let pending = f.pending.clone();
            drop(black_box(step_ours_callback(
                &f.client,
                pending,
                &f.callback_url,
            )));
        }),
        "ours::token_request" => {
            let e = exchanging();
            run(&mut || drop(black_box(step_ours_token_request(&e))));
        }
        "ours::token_request_http" => {
            let e = exchanging();
            run(&mut || drop(black_box(step_ours_token_request_http(&e))));
        }
        "ours::token_response" => run(&mut || {
            let e = exchanging();
            drop(black_box(step_ours_token_response(e)));
        }),
        "ours::refresh_request" => run(&mut || {
            drop(black_box(step_ours_refresh_request(
                &f.authorized,
                &f.client,
            )))
        }),
        "ours::refresh_response" => run(&mut || {
            let r = f.authorized.refresh(&f.client).unwrap();
            drop(black_box(step_ours_refresh_response(r)));
        }),
        "ours::bearer_authorization" => run(&mut || {
            drop(black_box(step_ours_bearer_authorization(
                &f.authorized,
                API,
            )))
        }),
        "ours::authorize_request" => run(&mut || {
            let mut request = http::Request::get(API).body(()).unwrap();
            step_ours_authorize_request(&f.authorized, &mut request);
            drop(black_box(request));
        }),
        "ours::awaiting_serialize" => {
            run(&mut || drop(black_box(step_ours_awaiting_serialize(&f.pending))))
        }
        "ours::awaiting_deserialize" => {
            run(&mut || drop(black_box(step_ours_awaiting_deserialize(&f.pending_json))))
        }
        "ours::awaiting_from_json" => run(&mut || {
            drop(black_box(step_ours_awaiting_from_json(
                f.pending_json.as_bytes(),
            )))
        }),
        "ours::authorized_from_json" => run(&mut || {
            drop(black_box(step_ours_authorized_from_json(
                f.authorized_json.as_bytes(),
            )))
        }),
        "ours::authorized_serialize" => {
            run(&mut || drop(black_box(step_ours_authorized_serialize(&f.authorized))))
        }
        "ours::authorized_deserialize" => run(&mut || {
            drop(black_box(step_ours_authorized_deserialize(
                &f.authorized_json,
            )))
        }),
        "ours::exchange" => run(&mut || {
            let e = exchanging();
            drop(black_box(step_ours_exchange(e, &f.http_response)));
        }),
        "ours::exchange_sans_io" => run(&mut || {
            let e = exchanging();
            drop(black_box(step_ours_exchange_sans_io(e)));
        }),
        "floor::exchange_sans_io" => run(&mut || {
            drop(black_box(step_floor_exchange_sans_io(
                CODE,
                &f.verifier,
                BODY.as_bytes(),
            )))
        }),
        "floor::start" => {
            run(&mut || drop(black_box(step_floor_start(&f.authorize_url, &entropy))))
        }
        "floor::start_os_rng" => {
            run(&mut || drop(black_box(step_floor_start_os_rng(&f.authorize_url))))
        }
        "floor::callback" => {
            run(&mut || drop(black_box(step_floor_callback(&f.callback_url, &f.state))))
        }
        "floor::token_request" => {
            run(&mut || drop(black_box(step_floor_token_request(CODE, &f.verifier))))
        }
        "floor::token_request_http" => {
            run(&mut || drop(black_box(step_floor_token_request_http(CODE, &f.verifier))))
        }
        "floor::token_response" | "floor::refresh_response" => {
            run(&mut || drop(black_box(step_floor_token_response(BODY.as_bytes()))))
        }
        "floor::refresh_request" => {
            let token = f.authorized.tokens().refresh_token().unwrap().secret();
            run(&mut || drop(black_box(step_floor_refresh_request(token))));
        }
        "floor::bearer_authorization" => {
            let token = f.authorized.tokens().access_token().secret();
            run(&mut || drop(black_box(step_floor_bearer_authorization(token, API))));
        }
        "floor::authorize_request" => {
            let token = f.authorized.tokens().access_token().secret();
            run(&mut || {
                let mut request = http::Request::get(API).body(()).unwrap();
                step_floor_authorize_request(token, &mut request);
                drop(black_box(request));
            });
        }
        "floor::awaiting_serialize" => {
            let json = floor::plain_awaiting_json();
            let plain: PlainAwaiting = serde_json::from_str(&json).unwrap();
            let plain = PlainAwaitingRef {
                v: plain.v,
                issuer: &plain.issuer,
                client_id: &plain.client_id,
                token_endpoint: &plain.token_endpoint,
                revocation_endpoint: &plain.revocation_endpoint,
                redirect_uri: &plain.redirect_uri,
                state: &plain.state,
                code_verifier: &plain.code_verifier,
                started_at: plain.started_at,
            };
            run(&mut || drop(black_box(step_floor_awaiting_serialize(&plain))));
        }
        "floor::awaiting_deserialize" => {
            let json = floor::plain_awaiting_json();
            run(&mut || drop(black_box(step_floor_awaiting_deserialize(&json))));
        }
        "floor::authorized_serialize" => {
            let json = floor::plain_authorized_json(&extra);
            let plain: PlainAuthorized = serde_json::from_str(&json).unwrap();
            let extra_ref: BTreeMap<&str, &str> = plain
                .extra
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let plain = PlainAuthorizedRef {
                v: plain.v,
                issuer: &plain.issuer,
                client_id: &plain.client_id,
                token_endpoint: &plain.token_endpoint,
                revocation_endpoint: &plain.revocation_endpoint,
                access_token: &plain.access_token,
                expires_at: plain.expires_at,
                refresh_token: &plain.refresh_token,
                extra: &extra_ref,
                generation: plain.generation,
            };
            run(&mut || drop(black_box(step_floor_authorized_serialize(&plain))));
        }
        "floor::authorized_deserialize" => {
            let json = floor::plain_authorized_json(&extra);
            run(&mut || drop(black_box(step_floor_authorized_deserialize(&json))));
        }
        "floor::exchange" => run(&mut || {
            drop(black_box(step_floor_exchange(
                CODE,
                &f.verifier,
                BODY.as_bytes(),
            )))
        }),
        "oauth2_5::authorize_url_random" => {
            run(&mut || drop(black_box(step_theirs_authorize_url_random(&f.theirs))))
        }
        "oauth2_5::authorize_url_fixed" => run(&mut || {
            drop(black_box(step_theirs_authorize_url_fixed(
                &f.theirs,
                &f.verifier,
                &f.state,
            )))
        }),
        "oauth2_5::exchange" => run(&mut || {
            let code = oauth2::AuthorizationCode::new(CODE.into());
            let verifier = oauth2::PkceCodeVerifier::new(f.verifier.clone());
            drop(black_box(step_theirs_exchange(&f.theirs, code, verifier)));
        }),
        "oauth2_5::transport_only" => run(&mut || drop(black_box(step_theirs_transport_only()))),
        "openid::id_token_validation" => {
            let validation = id_token_validation();
            run(&mut || drop(black_box(step_ours_id_token_validation(&validation))));
        }
        "openid::rs256_verification_floor" => {
            let key = oauth2_pkce::jose::PublicJwk::rsa(A2_N, "AQAB").unwrap();
            let signature =
                Base64UrlUnpadded::decode_vec(ID_TOKEN.rsplit_once('.').unwrap().1).unwrap();
            run(&mut || step_floor_rs256_verification(&key, &signature));
        }
        "key_set_and_device::key_set" => {
            let document = jwks_document();
            run(&mut || {
                let fetch = key_set_fetch();
                drop(black_box(step_ours_key_set(fetch, document.as_bytes())));
            });
        }
        "key_set_and_device::key_set_floor" => {
            let document = jwks_document();
            run(&mut || drop(black_box(step_floor_key_set(document.as_bytes()))));
        }
        "key_set_and_device::device_poll_pending" => run(&mut || {
            let polling = device_polling();
            drop(black_box(step_ours_device_poll_pending(polling)));
        }),
        "key_set_and_device::device_poll_pending_floor" => run(&mut || {
            black_box(step_floor_device_poll_pending(
                AUTHORIZATION_PENDING.as_bytes(),
            ));
        }),
        "key_set_and_device::device_poll_tokens" => run(&mut || {
            let polling = device_polling();
            drop(black_box(step_ours_device_poll_tokens(polling)));
        }),
        "check" => check(),
        other => {
            eprintln!("unknown STEPS_PROFILE {other:?}");
            std::process::exit(2);
        }
    }
}

/// `STEPS_PROFILE=check`: what each side made of Pagero's body, and the
/// stored forms' sizes, for RESULTS.md.
fn check() {
    use oauth2::TokenResponse as _;
    let f = fix();
    let theirs = step_theirs_exchange(
        &f.theirs,
        oauth2::AuthorizationCode::new(CODE.into()),
        oauth2::PkceCodeVerifier::new(f.verifier.clone()),
    );
    println!("oauth2 token_type: {:?}", theirs.token_type());
    println!("oauth2 scopes: {:?}", theirs.scopes());
    println!("oauth2 expires_in: {:?}", theirs.expires_in());
    let ours = step_ours_exchange(exchanging(), &f.http_response);
    println!("ours scope: {:?}", ours.tokens().scope());
    println!("ours extra: {:?}", ours.tokens().extra());
    println!("ours expires_at: {:?}", ours.tokens().expires_at());
    println!(
        "AwaitingCallback JSON ({} B): {}",
        f.pending_json.len(),
        f.pending_json
    );
    println!(
        "Authorized JSON ({} B): {}",
        f.authorized_json.len(),
        f.authorized_json
    );
    println!("floor awaiting JSON: {}", floor::plain_awaiting_json());
    println!(
        "floor authorized JSON: {}",
        floor::plain_authorized_json(&floor::extra())
    );
    let (ours_url, _) = step_ours_start(&f.client, entropy_bytes());
    let (theirs_url, _, _) = step_theirs_authorize_url_fixed(&f.theirs, &f.verifier, &f.state);
    let (floor_url, _, _) = step_floor_start(&f.authorize_url, &entropy_bytes());
    println!("ours   URL: {}", ours_url.url());
    println!("oauth2 URL: {theirs_url}");
    println!("floor  URL: {floor_url}");
}

fn main() {
    if let Ok(name) = std::env::var("STEPS_PROFILE") {
        let iters = std::env::var("STEPS_ITERS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        profile(&name, iters);
        return;
    }
    // Keep the whole run to about a minute on a shared 2-core machine:
    // 1000 samples, at least 1 s and at most 3 s per benchmark. The command
    // line (`--sample-count`, `--min-time`, ...) still overrides these.
    divan::Divan::default()
        .sample_count(1000)
        .min_time(std::time::Duration::from_secs(1))
        .max_time(std::time::Duration::from_secs(3))
        .config_with_args()
        .main();
}

// ---------------------------------------------------------------------------
// Signed requests and responses: a request object signed (JAR, RFC 9101),
// a JWT-secured authorization response verified (JARM), a JWT
// introspection answer verified (RFC 9701), each next to the ES256
// signature or verification it contains, its floor.
// ---------------------------------------------------------------------------

/// RFC 7515 A.3's P-256 key: the client's (JAR) and the server's (JARM,
/// introspection), `k1` in [`ES256_KEYS`].
fn a3_key() -> oauth2_pkce::jose::Es256Key {
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    oauth2_pkce::jose::Es256Key::from_bytes(&d)
        .unwrap()
        .with_key_id("k1")
}

static ES256_KEYS: LazyLock<oauth2_pkce::openid::KeySet> = LazyLock::new(|| {
    let document = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;
    oauth2_pkce::openid::KeySet::fetch("https://sso.pageroonline.com/jwks")
        .unwrap()
        .handle_response(HttpResponse::new(200, document.as_bytes()), NOW)
        .unwrap()
});

/// `claims` signed by [`a3_key`] with `header`, as the server would.
fn es256_jws(header: &str, claims: &serde_json::Value) -> String {
    use oauth2_pkce::jose::Signer as _;
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
    );
    let signature = a3_key().sign(input.as_bytes()).unwrap();
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature))
}

fn signed_metadata() -> oauth2_pkce::ServerMetadata {
    let mut metadata = Preset::pagero().metadata().clone();
    metadata.authorization_signing_alg_values_supported = Some(vec!["ES256".into()]);
    metadata.introspection_signing_alg_values_supported = Some(vec!["ES256".into()]);
    metadata.introspection_endpoint =
        Some("https://sso.pageroonline.com/oauth/v2/oauth-introspect".into());
    metadata
}

fn signing_client() -> Client {
    Client::new(
        signed_metadata(),
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new(REDIRECT).unwrap())
    .with_signed_requests(oauth2_pkce::jose::ClientAssertionKey::new(a3_key()))
    .unwrap()
}

/// JAR: the whole start of a login whose parameters go in a request
/// object signed with ES256.
#[inline(never)]
pub fn step_ours_signed_request(client: &Client) -> oauth2_pkce::AuthorizationRequest {
    Start::new(client)
        .scope(oauth2_pkce::Scope::parse("openid profile").unwrap())
        .begin(FlowEntropy::from_bytes(black_box([7; 64])), NOW)
        .unwrap()
        .0
}

/// The floor of JAR: the ES256 signature alone, over a request object's
/// signing input of the same size.
#[inline(never)]
pub fn step_floor_es256_signature(key: &oauth2_pkce::jose::Es256Key, input: &[u8]) -> Vec<u8> {
    use oauth2_pkce::jose::Signer as _;
    key.sign(black_box(input)).unwrap()
}

/// JARM: a `response` JWT verified and read as a callback.
#[inline(never)]
pub fn step_ours_jarm(
    client: &Client,
    pending: &oauth2_pkce::AwaitingCallback,
    callback: &oauth2_pkce::Callback,
) -> oauth2_pkce::Callback {
    pending
        .verify_response(
            client,
            black_box(callback),
            &ES256_KEYS,
            &oauth2_pkce::jose::RustCryptoVerifier,
            NOW,
        )
        .unwrap()
}

/// JWT introspection: the answer verified and read.
#[inline(never)]
pub fn step_ours_jwt_introspection(
    client: &Client,
    jwt: &str,
) -> oauth2_pkce::resource::IntrospectionResponse {
    let step = oauth2_pkce::resource::Introspection::new(
        client,
        oauth2_pkce::resource::IntrospectedToken::new("mF_9.B5f-4.1JqM"),
    )
    .unwrap()
    .signed(client);
    let response = HttpResponse::new(200, black_box(jwt).as_bytes())
        .with_content_type("application/token-introspection+jwt");
    step.handle_response(response, NOW)
        .unwrap()
        .verify(&ES256_KEYS, &oauth2_pkce::jose::RustCryptoVerifier, NOW)
        .unwrap()
}

/// The floor of JARM and introspection: the ES256 verification of the
/// JWS alone, its signature already decoded.
#[inline(never)]
pub fn step_floor_es256_verification(
    key: &oauth2_pkce::jose::PublicJwk,
    jws: &str,
    signature: &[u8],
) {
    use oauth2_pkce::jose::JwsVerifier as _;
    let input = jws.rsplit_once('.').unwrap().0;
    oauth2_pkce::jose::RustCryptoVerifier
        .verify(
            oauth2_pkce::jose::JwsAlgorithm::Es256,
            key,
            black_box(input.as_bytes()),
            signature,
        )
        .unwrap();
}

/// A JARM login of [`signing_client`] (without request objects) and its
/// signed response.
fn jarm_fixture() -> (
    Client,
    oauth2_pkce::AwaitingCallback,
    oauth2_pkce::Callback,
    String,
) {
    let client = Client::new(
        signed_metadata(),
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new(REDIRECT).unwrap());
    let (_, pending) = Start::new(&client)
        .param("response_mode", "query.jwt")
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let claims = serde_json::json!({
        "iss": client.metadata().issuer, "aud": CLIENT_ID, "exp": NOW.as_secs() + 600,
        "code": CODE, "state": pending.state().secret(),
    });
    let jwt = es256_jws(r#"{"alg":"ES256","kid":"k1"}"#, &claims);
    let callback = oauth2_pkce::Callback::from_query(&format!("response={jwt}")).unwrap();
    (client, pending, callback, jwt)
}

fn introspection_jwt() -> String {
    let claims = serde_json::json!({
        "iss": Preset::pagero().metadata().issuer, "aud": CLIENT_ID, "iat": NOW.as_secs() - 5,
        "token_introspection": {
            "active": true, "scope": "read write", "client_id": "web",
            "sub": "Z5O3upPC88QrAjx00dis", "aud": "https://api.example",
            "exp": NOW.as_secs() + 600, "iat": NOW.as_secs() - 60,
        },
    });
    es256_jws(
        r#"{"alg":"ES256","kid":"k1","typ":"token-introspection+jwt"}"#,
        &claims,
    )
}

mod signed {
    use super::*;

    #[divan::bench]
    fn jar_start(b: Bencher) {
        let client = signing_client();
        b.bench(|| step_ours_signed_request(&client));
    }

    #[divan::bench]
    fn es256_signature_floor(b: Bencher) {
        let client = signing_client();
        let url = step_ours_signed_request(&client);
        let request = url::Url::parse(url.url()).unwrap();
        let jwt = request
            .query_pairs()
            .find(|(name, _)| name == "request")
            .unwrap()
            .1
            .into_owned();
        let input = jwt.rsplit_once('.').unwrap().0.to_owned();
        let key = a3_key();
        b.bench(|| step_floor_es256_signature(&key, input.as_bytes()));
    }

    #[divan::bench]
    fn jarm_response(b: Bencher) {
        let (client, pending, callback, _) = jarm_fixture();
        b.bench(|| step_ours_jarm(&client, &pending, &callback));
    }

    #[divan::bench]
    fn jarm_es256_verification_floor(b: Bencher) {
        let (_, _, _, jwt) = jarm_fixture();
        let key = oauth2_pkce::jose::Signer::public_jwk(&a3_key());
        let signature = Base64UrlUnpadded::decode_vec(jwt.rsplit_once('.').unwrap().1).unwrap();
        b.bench(|| step_floor_es256_verification(&key, &jwt, &signature));
    }

    #[divan::bench]
    fn jwt_introspection(b: Bencher) {
        let client = signing_client();
        let jwt = introspection_jwt();
        b.bench(|| step_ours_jwt_introspection(&client, &jwt));
    }

    #[divan::bench]
    fn introspection_es256_verification_floor(b: Bencher) {
        let jwt = introspection_jwt();
        let key = oauth2_pkce::jose::Signer::public_jwk(&a3_key());
        let signature = Base64UrlUnpadded::decode_vec(jwt.rsplit_once('.').unwrap().1).unwrap();
        b.bench(|| step_floor_es256_verification(&key, &jwt, &signature));
    }
}

// ---------------------------------------------------------------------------
// A key set's parsing (RFC 7517 §5, OpenID Connect Core §10.1.1) and a
// device grant's poll (RFC 8628 §3.4, §3.5), each next to the parse it
// cannot avoid.
// ---------------------------------------------------------------------------

/// A provider's key set as they come: two RSA 2048 keys (the current and
/// the next, as during a rotation) and one P-256 key.
fn jwks_document() -> String {
    format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"a2","use":"sig","alg":"RS256","n":"{A2_N}","e":"AQAB"}},{{"kty":"RSA","kid":"a2-next","use":"sig","alg":"RS256","n":"{A2_N}","e":"AQAB"}},{{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","alg":"ES256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}}]}}"#
    )
}

/// The whole answer's handling: status, size, strict parse of every key
/// (type, curve, RSA modulus of at least 2048 bits, `use`/`key_ops`),
/// `Cache-Control`.
#[inline(never)]
pub fn step_ours_key_set(
    fetch: oauth2_pkce::openid::KeySetFetch,
    document: &[u8],
) -> oauth2_pkce::openid::KeySet {
    let response =
        HttpResponse::new(200, black_box(document)).with_content_type("application/json");
    fetch.handle_response(response, NOW).unwrap()
}

fn key_set_fetch() -> oauth2_pkce::openid::KeySetFetch {
    oauth2_pkce::openid::KeySet::fetch("https://sso.pageroonline.com/jwks").unwrap()
}

/// One key's members, as a plain derive.
#[derive(Deserialize)]
pub struct PlainJwk {
    pub kty: String,
    pub kid: Option<String>,
    #[serde(rename = "use")]
    pub use_: Option<String>,
    pub alg: Option<String>,
    pub n: Option<String>,
    pub e: Option<String>,
    pub crv: Option<String>,
    pub x: Option<String>,
    pub y: Option<String>,
}

/// A key set as a plain derive.
#[derive(Deserialize)]
pub struct PlainJwks {
    pub keys: Vec<PlainJwk>,
}

/// The floor: `serde_json` into [`PlainJwks`] and the base64url decoding
/// of every key's numbers (what any check of a key's size or curve point
/// needs).
#[inline(never)]
pub fn step_floor_key_set(document: &[u8]) -> (PlainJwks, Vec<Vec<u8>>) {
    let jwks: PlainJwks = serde_json::from_slice(black_box(document)).unwrap();
    let mut numbers = Vec::new();
    for key in &jwks.keys {
        for number in [&key.n, &key.e, &key.x, &key.y].into_iter().flatten() {
            numbers.push(Base64UrlUnpadded::decode_vec(number).unwrap());
        }
    }
    (jwks, numbers)
}

fn device_client() -> Client {
    let metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_device_authorization_endpoint("https://sso.pageroonline.com/oauth/v2/device");
    Client::new(
        metadata,
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap()
}

const DEVICE_AUTHORIZATION: &str = r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT","verification_uri":"https://sso.pageroonline.com/device","verification_uri_complete":"https://sso.pageroonline.com/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}"#;
const AUTHORIZATION_PENDING: &str = r#"{"error":"authorization_pending"}"#;

fn device_polling() -> oauth2_pkce::device::DevicePolling {
    oauth2_pkce::device::DeviceAuthorization::new(&device_client(), oauth2_pkce::Scope::empty())
        .unwrap()
        .handle_response(
            HttpResponse::new(200, DEVICE_AUTHORIZATION.as_bytes())
                .with_content_type("application/json"),
            NOW,
        )
        .unwrap()
}

/// A poll answered `authorization_pending` (RFC 8628 §3.5): the error read
/// and the step handed back with its next poll time.
#[inline(never)]
pub fn step_ours_device_poll_pending(
    polling: oauth2_pkce::device::DevicePolling,
) -> oauth2_pkce::device::DevicePolling {
    let response = HttpResponse::new(400, black_box(AUTHORIZATION_PENDING.as_bytes()))
        .with_content_type("application/json");
    polling
        .handle_response(response, NOW)
        .unwrap_err()
        .into_retry()
        .unwrap()
}

/// A poll answered with the tokens: the token response read.
#[inline(never)]
pub fn step_ours_device_poll_tokens(polling: oauth2_pkce::device::DevicePolling) -> Authorized {
    polling.handle_response(sans_io_response(), NOW).unwrap()
}

/// An error response as a plain derive.
#[derive(Deserialize)]
pub struct PlainErrorResponse {
    pub error: String,
    pub error_description: Option<String>,
}

/// The floor of a pending poll: `serde_json` into [`PlainErrorResponse`]
/// and the code compared.
#[inline(never)]
pub fn step_floor_device_poll_pending(body: &[u8]) -> bool {
    let error: PlainErrorResponse = serde_json::from_slice(black_box(body)).unwrap();
    error.error == "authorization_pending"
}

mod key_set_and_device {
    use super::*;

    #[divan::bench]
    fn key_set(b: Bencher) {
        let document = jwks_document();
        b.with_inputs(key_set_fetch)
            .bench_local_values(|fetch| step_ours_key_set(fetch, document.as_bytes()));
    }

    #[divan::bench]
    fn key_set_floor(b: Bencher) {
        let document = jwks_document();
        b.bench(|| step_floor_key_set(document.as_bytes()));
    }

    #[divan::bench]
    fn device_poll_pending(b: Bencher) {
        b.with_inputs(device_polling)
            .bench_local_values(step_ours_device_poll_pending);
    }

    #[divan::bench]
    fn device_poll_pending_floor(b: Bencher) {
        b.bench(|| step_floor_device_poll_pending(AUTHORIZATION_PENDING.as_bytes()));
    }

    #[divan::bench]
    fn device_poll_tokens(b: Bencher) {
        b.with_inputs(device_polling)
            .bench_local_values(step_ours_device_poll_tokens);
    }

    #[divan::bench]
    fn device_poll_tokens_floor(b: Bencher) {
        b.bench(|| step_floor_token_response(BODY.as_bytes()));
    }
}

//! Interop: OpenID Connect sign-in against oidc-provider on 127.0.0.1
//! (OpenID Connect Core §3.1.2.1, §3.1.3.7, §10.1.1): the nonce sent and
//! returned, the ID token verified against the provider's key set fetched
//! from its `jwks_uri`, and a key rotation on the provider while the
//! client keeps its cached set — the login succeeds after exactly one
//! fetch of the set again.

use crate::interop_node_common;

use interop_node_common::support::{self, send};
use interop_node_common::{OidcProvider, OpClient, TEST_USER};
use oauth2_pkce::errors::{EndpointErrorKind, JwtError};
use oauth2_pkce::jose::{ClientSecretVerifier, JwsAlgorithm, RustCryptoVerifier};
use oauth2_pkce::openid::{KeySet, KeySetFetch, SignedIn, KEY_SET_REFETCH_INTERVAL};
use oauth2_pkce::{ClientSecret, EndpointStep, Scope, Start, UnixTime};

/// The provider's key set, fetched from the `jwks_uri` of its discovered
/// metadata (the client's), at `now`.
fn fetch_key_set(server: &OidcProvider, now: UnixTime) -> KeySet {
    let client = server.client(OpClient::Basic);
    assert_eq!(client.jwks_uri().unwrap().as_str(), server.url("/jwks"));
    run_fetch(KeySetFetch::new(&client).unwrap(), now)
}

fn run_fetch(fetch: KeySetFetch, now: UnixTime) -> KeySet {
    let response = send(fetch.request(&crate::context()).unwrap().into_http()).unwrap();
    fetch.handle_response(&response, now).unwrap()
}

/// How many times the provider served its key set.
fn key_set_fetches(server: &OidcProvider) -> usize {
    server
        .log()
        .lines()
        .filter(|line| line.starts_with("GET /jwks "))
        .count()
}

/// Logs the test user in with `openid email` and exchanges the code: the
/// token response held until its ID token verifies, and the nonce the
/// authorization request carried.
fn log_in(server: &OidcProvider) -> (oauth2_pkce::openid::IdTokenReceived, String) {
    log_in_with(server, |client| Start::new(client))
}

fn log_in_with(
    server: &OidcProvider,
    start: impl FnOnce(&oauth2_pkce::Client) -> Start<'_>,
) -> (oauth2_pkce::openid::IdTokenReceived, String) {
    log_in_as(server, server.client(OpClient::Basic), start)
}

fn log_in_as(
    server: &OidcProvider,
    client: oauth2_pkce::Client,
    start: impl FnOnce(&oauth2_pkce::Client) -> Start<'_>,
) -> (oauth2_pkce::openid::IdTokenReceived, String) {
    let start = start(&client).scope(Scope::parse("openid email").unwrap());
    let mut nonce = None;
    let (pending, callback_url) = support::log_in(start, |url| {
        nonce = support::query_param(url, "nonce");
        server.browser_log_in(url)
    });
    let callback = oauth2_pkce::Callback::from_url(&callback_url).unwrap();
    let signing_in = pending
        .handle_callback(&client, callback)
        .unwrap()
        .sign_in();
    let response = send(signing_in.request(&crate::context()).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 200, "{}", server.log());
    let received = signing_in.handle_response(&response, support::NOW).unwrap();
    (received, nonce.expect("a nonce with openid"))
}

fn assert_signed_in_as_the_test_user(signed_in: &SignedIn, nonce: &str, server: &OidcProvider) {
    let claims = signed_in.id_token().claims();
    assert_eq!(claims.subject(), TEST_USER);
    assert_eq!(claims.issuer(), server.issuer());
    assert_eq!(claims.audiences(), [OpClient::Basic.client_id()]);
    assert_eq!(claims.nonce(), Some(nonce));
    // oidc-provider conforms ID tokens (Core §5.4): the scope's claims go
    // to userinfo when an access token is issued, not in the ID token.
    assert_eq!(claims.email(), None);
    assert!(claims.expires_at() > claims.issued_at());
    // The access token of the same response works at userinfo.
    let userinfo = server.userinfo(Some(signed_in.authorized()));
    assert_eq!(userinfo.status(), 200, "{}", server.log());
}

#[test]
fn the_id_token_is_verified_with_the_providers_keys() {
    let server = OidcProvider::start();
    let now = UnixTime::now();
    let keys = fetch_key_set(&server, now);
    assert!(keys.is_fresh(now));
    assert_eq!(keys.keys().keys()[0].key_id(), Some("interop"));
    let (received, nonce) = log_in(&server);
    let signed_in = received.verify(&keys, &RustCryptoVerifier, now).unwrap();
    assert_signed_in_as_the_test_user(&signed_in, &nonce, &server);
    assert_eq!(key_set_fetches(&server), 1);

    // With `max_age` (Core §3.1.2.1), the token must carry a recent
    // `auth_time` (§3.1.3.7 item 13).
    let (received, nonce) =
        log_in_with(&server, |client| Start::new(client).param("max_age", "600"));
    let signed_in = received
        .max_age(std::time::Duration::from_secs(600))
        .verify(&keys, &RustCryptoVerifier, now)
        .unwrap();
    assert_signed_in_as_the_test_user(&signed_in, &nonce, &server);
    let auth_time = signed_in.id_token().claims().auth_time().unwrap();
    assert!(auth_time.as_secs() + 60 >= now.as_secs(), "{auth_time}");
}

/// Core §10.1: a client registered with `id_token_signed_response_alg:
/// HS256` gets ID tokens keyed with its secret. They verify with the
/// secret's verifier alone: the key set is never asked, and the default
/// verifier refuses them.
#[test]
fn an_hs256_id_token_verifies_with_the_client_secret() {
    let server = OidcProvider::start();
    let now = UnixTime::now();
    let keys = fetch_key_set(&server, now);
    let hs256 = OpClient::IdTokenHs256;
    let client = server
        .client(hs256)
        .with_id_token_signing_alg(JwsAlgorithm::Hs256)
        .unwrap();
    let secret = ClientSecret::new(hs256.secret());
    let verifier = ClientSecretVerifier::new(&secret).unwrap();

    let (received, nonce) = log_in_as(&server, client.clone(), |client| Start::new(client));
    let signed_in = received.verify(&keys, &verifier, now).unwrap();
    let id_token = signed_in.id_token();
    assert_eq!(id_token.algorithm(), JwsAlgorithm::Hs256);
    assert_eq!(id_token.claims().subject(), TEST_USER);
    assert_eq!(id_token.claims().audiences(), [hs256.client_id()]);
    assert_eq!(id_token.claims().nonce(), Some(nonce.as_str()));

    let (received, _) = log_in_as(&server, client, |client| Start::new(client));
    let refused = received
        .verify(&keys, &RustCryptoVerifier, now)
        .unwrap_err();
    assert_eq!(
        *refused.error(),
        EndpointErrorKind::IdTokenRejected(JwtError::AlgorithmNotAllowed("HS256".into()))
    );
    assert!(!refused.is_fallback());
    assert_eq!(key_set_fetches(&server), 1, "the key set is never asked");
}

/// Core §10.1.1: the provider rotates its signing key while the client
/// keeps the key set it cached (stored as JSON, as beside sessions). The
/// ID token names the new `kid`: one fetch of the set again, then the
/// login succeeds; the next login needs none.
#[test]
fn a_key_rotation_costs_exactly_one_fetch() {
    let server = OidcProvider::start();
    let fetched_at = UnixTime::now();
    let stored = fetch_key_set(&server, fetched_at).to_json();
    let rotated = support::post_form(&server.url("/interop/rotate-keys"), "", None);
    assert_eq!(rotated.status(), 204);

    // Later, in another request: the cached set, read back from the store.
    let now = fetched_at.saturating_add(KEY_SET_REFETCH_INTERVAL);
    let cached = KeySet::from_json(stored.as_bytes()).unwrap();
    let (received, nonce) = log_in(&server);
    let failure = received
        .verify(&cached, &RustCryptoVerifier, now)
        .unwrap_err();
    assert_eq!(
        *failure.error(),
        EndpointErrorKind::IdTokenRejected(JwtError::UnknownKey(Some("interop-1".into())))
    );
    assert!(failure.is_fallback(), "the unknown kid asks for a fetch");
    let unknown = failure.into_retry().unwrap();
    let fresh = run_fetch(unknown.refetch(), now);
    let signed_in = unknown
        .into_received()
        .verify(&fresh, &RustCryptoVerifier, now)
        .unwrap();
    assert_signed_in_as_the_test_user(&signed_in, &nonce, &server);
    assert_eq!(key_set_fetches(&server), 2, "one fetch again, no more");

    // The next login verifies with the set just fetched: no fetch.
    let (received, _) = log_in(&server);
    assert!(received.verify(&fresh, &RustCryptoVerifier, now).is_ok());
    assert_eq!(key_set_fetches(&server), 2);
}

/// A token whose key is not the provider's even after the fetch (the
/// provider rotated again, and the set the client holds was fetched
/// moments ago): refused with a typed error, and no second fetch.
#[test]
fn an_unknown_kid_after_a_fresh_fetch_is_refused_without_fetching() {
    let server = OidcProvider::start();
    let now = UnixTime::now();
    let keys = fetch_key_set(&server, now);
    let rotated = support::post_form(&server.url("/interop/rotate-keys"), "", None);
    assert_eq!(rotated.status(), 204);
    let (received, _) = log_in(&server);
    // Fetched moments ago: no fetch again before the interval, so the
    // unknown kid is final at once.
    let failure = received
        .verify(&keys, &RustCryptoVerifier, now)
        .unwrap_err();
    assert_eq!(
        *failure.error(),
        EndpointErrorKind::IdTokenRejected(JwtError::KeySetRefetchTooSoon {
            not_before: now.saturating_add(KEY_SET_REFETCH_INTERVAL)
        })
    );
    assert!(!failure.is_fallback());
    assert!(failure.into_retry().is_none());
    assert_eq!(key_set_fetches(&server), 1);
}

/// Core §12.2: the refresh response's ID token, checked against the
/// login's (stored as JSON between the two, as an app keeps it).
#[test]
fn a_refreshed_id_token_is_the_same_users() {
    let server = OidcProvider::start();
    let now = UnixTime::now();
    let keys = fetch_key_set(&server, now);
    let (received, _) = log_in(&server);
    let (authorized, id_token) = received
        .verify(&keys, &RustCryptoVerifier, now)
        .unwrap()
        .into_parts();
    let stored = serde_json::to_string(&id_token).unwrap();

    let client = server.client(OpClient::Basic);
    let refreshed = interop_node_common::scenario::refresh(&client, &authorized, None).unwrap();
    let new_id_token = refreshed.tokens().extra().get("id_token").unwrap();
    let original: oauth2_pkce::openid::IdToken = serde_json::from_str(&stored).unwrap();
    let new = original
        .validate_refreshed(
            new_id_token.as_str().unwrap(),
            Some(refreshed.tokens().access_token().secret()),
            &keys,
            &RustCryptoVerifier,
            UnixTime::now(),
        )
        .unwrap();
    assert_eq!(new.claims().subject(), TEST_USER);
    assert_eq!(new.claims().issuer(), server.issuer());
    assert_ne!(new.as_compact(), original.as_compact(), "a new ID token");
}

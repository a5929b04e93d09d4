//! The fuzz targets' bodies, shared by the cargo-fuzz binaries
//! (`fuzz_targets/*.rs`, nightly) and the corpus replay test
//! (`tests/fuzz_corpus.rs`, stable). Each one checks invariants, not just
//! "no crash": an accepted callback carries the flow's state, a parsed token
//! set survives a storage round trip, no known secret ever appears in an
//! error's `Display` or `Debug`, and no outside text comes out raw there: no
//! C0/C1 control character, DEL or bidi control.

#![cfg_attr(not(test), allow(dead_code))] // each fuzz binary uses one target

use std::fmt::{Debug, Display};

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    device::AwaitingDeviceApproval, device::DeviceAuthorization, device::DevicePolling,
    errors::EndpointErrorKind, errors::Failure, resource::BearerChallenge, resource::DpopChallenge,
    resource::IntrospectedToken, resource::Introspection, tolerance::ScopeDelimiter,
    tolerance::Strictness, tolerance::TokenType, values::Endpoint, values::HttpRequest,
    values::HttpResponse, values::TokenTypeHint, Authorized, AwaitingCallback, Callback, Client,
    ClientAuthentication, ClientId, ClientSecret, Discovery, Exchanging, FlowEntropy, Preset,
    RedirectUri, Scope, Start, UnixTime,
};
use oauth2_pkce::{
    errors::InvalidValue, jose::Ed25519Key, jose::Es256Key, jose::PublicJwk, jose::Signer,
};
use oauth2_pkce::{
    errors::JwtError, jose::verify_jws, jose::ClientSecretVerifier, jose::JwkParams, jose::JwkSet,
    jose::JwsAlgorithm, jose::RustCryptoVerifier, openid::IdToken, openid::IdTokenValidation,
    openid::KeySet, openid::LogoutTokenValidation, openid::TenantIssuer, openid::UserInfoRequest,
};
use oauth2_pkce::{
    exchange::Exchanged, exchange::SecurityToken, exchange::TokenExchange, exchange::TokenTypeUri,
};
use oauth2_pkce::{resource::ResourceDiscovery, resource::ResourceIndicator};
// Mutual TLS (RFC 8705).
use oauth2_pkce::{resource::CertificateThumbprint, ClientCredentials};
// OpenID CIBA Core 1.0.
use oauth2_pkce::ciba::{
    AwaitingBackchannelApproval, BackchannelAuthentication, ClientNotificationToken,
    PingNotification, UserHint,
};

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as in `fuzz/Cargo.toml` and `fuzz/corpus/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("callback", callback),
    ("token_response", token_response),
    ("revocation_response", revocation_response),
    ("stored_state", stored_state),
    ("www_authenticate", www_authenticate),
    ("par_response", par_response),
    ("discovery_response", discovery_response),
    (
        "device_authorization_response",
        device_authorization_response,
    ),
    ("device_token_response", device_token_response),
    ("introspection_response", introspection_response),
    ("resource_metadata_response", resource_metadata_response),
    ("resource_metadata_challenge", resource_metadata_challenge),
    ("private_jwk", private_jwk),
    ("jws_compact", jws_compact),
    ("jwks", jwks),
    ("id_token_claims", id_token_claims),
    ("userinfo_response", userinfo_response),
    ("logout_token", logout_token),
    ("token_exchange_response", token_exchange_response),
    ("jarm_response", jarm_response),
    ("introspection_jwt", introspection_jwt),
    // OpenID CIBA Core 1.0.
    (
        "backchannel_authentication_response",
        backchannel_authentication_response,
    ),
    ("ciba_ping_notification", ciba_ping_notification),
    // Rich authorization requests (RFC 9396).
    ("authorization_details", authorization_details),
];

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
/// Every request is built at `NOW` with fixed randomness: the same step
/// always gives the same bytes.
const CONTEXT: oauth2_pkce::RequestContext = oauth2_pkce::RequestContext::new(NOW, [0x5e; 32]);
const CLIENT_SECRET: &str = "fuzz-client-secret-7Q";
const CODE: &str = "fuzz-code-5M";

fn client() -> Client {
    Client::new(
        Preset::pagero()
            .metadata()
            .clone()
            .with_authorization_response_iss_parameter_supported(false),
        ClientId::new("fuzz-client").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
}

fn pending(client: &Client) -> AwaitingCallback {
    let (_, pending) = Start::new(client)
        .begin(FlowEntropy::from_bytes([0x42; 64]), NOW)
        .unwrap();
    pending
}

fn exchanging(client: &Client) -> (Exchanging, Vec<String>) {
    let pending = pending(client);
    let state = pending.state().secret().to_owned();
    let stored = serde_json::to_value(&pending).unwrap();
    let verifier = stored["code_verifier"].as_str().unwrap().to_owned();
    let query = format!("code={CODE}&state={state}");
    let exchanging = pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap();
    (
        exchanging,
        vec![state, verifier, CODE.into(), CLIENT_SECRET.into()],
    )
}

/// What `Display` and `Debug` never print raw, whatever the input: C0 and
/// C1 controls, DEL, and the bidi embeddings, overrides and isolates.
fn assert_printable(printed: &str) {
    for c in printed.chars() {
        let raw = matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(!raw, "raw {c:?} in {printed:?}");
    }
}

/// Neither `Debug` nor `Display` of `value` shows any of `secrets`, unless
/// the fuzz input itself carries that text (an error may quote what it
/// refused, such as a duplicate member's name); and neither prints a raw
/// control or bidi character.
fn assert_redacted<T: Debug + Display>(value: &T, secrets: &[String], input: &[u8]) {
    let printed = format!("{value} {value:?}");
    assert_printable(&printed);
    for secret in secrets {
        if contains(input, secret.as_bytes()) {
            continue;
        }
        assert!(!printed.contains(secret.as_str()), "secret in {printed}");
    }
}

/// `Debug` does not depend on the secret members at all: the same state
/// with other secrets prints the same. Stronger than looking for the
/// secret in the output, and free of false alarms when a secret happens to
/// equal some public field.
fn assert_debug_ignores_secrets<T>(value: &T)
where
    T: Debug + serde::Serialize + serde::de::DeserializeOwned,
{
    let mut stored = serde_json::to_value(value).unwrap();
    for (member, replacement) in [
        ("state", "ANOTHER-state-ANOTHER-state-ANOTHER-state00"),
        (
            "code_verifier",
            "ANOTHER-verifier-ANOTHER-verifier-ANOTHER-verifier",
        ),
        ("access_token", "another-access-token"),
        ("refresh_token", "another-refresh-token"),
        ("device_code", "another-device-code"),
        // OpenID CIBA Core 1.0.
        ("auth_req_id", "another-auth-req-id"),
        ("client_notification_token", "another-notification-token"),
    ] {
        if let Some(secret) = stored.get_mut(member) {
            *secret = replacement.into();
        }
    }
    let other: T = serde_json::from_value(stored).unwrap();
    assert_printable(&format!("{value:?}"));
    assert_eq!(format!("{value:?}"), format!("{other:?}"));
    assert_eq!(format!("{value:#?}"), format!("{other:#?}"));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// A failure hands its step back exactly when it is retryable, and the
/// step handed back builds the very request that failed; a fallback hands
/// back a step with another request.
fn assert_retry_rebuilds<S: EndpointStep>(failure: Failure<S>, request: &HttpRequest) {
    let retryable = failure.error().is_retryable();
    if failure.is_fallback() {
        assert!(!retryable && !failure.is_retryable());
        assert_ne!(
            &failure.into_retry().unwrap().request(&CONTEXT).unwrap(),
            request
        );
        return;
    }
    assert_eq!(failure.is_retryable(), retryable);
    match failure.into_retry() {
        Some(retry) => {
            assert!(retryable);
            assert_eq!(&retry.request(&CONTEXT).unwrap(), request);
        }
        None => assert!(!retryable),
    }
}

/// A status code from one byte: the statuses that matter, then any.
fn status(byte: u8) -> u16 {
    const STATUSES: [u16; 16] = [
        200, 201, 204, 206, 301, 302, 307, 400, 401, 403, 404, 429, 500, 502, 503, 599,
    ];
    STATUSES
        .get(usize::from(byte % 20))
        .copied()
        .unwrap_or(100 + u16::from(byte) * 2)
}

/// A `Content-Type` from one byte.
fn content_type(byte: u8) -> Option<&'static str> {
    match byte % 6 {
        0 => Some("application/json"),
        1 => Some("application/json; charset=utf-8"),
        2 => Some("application/x-www-form-urlencoded"),
        3 => Some("text/html"),
        4 => Some("APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8"),
        _ => None,
    }
}

fn response(data: &[u8]) -> Option<HttpResponse<'_>> {
    let [status_byte, type_byte, body @ ..] = data else {
        return None;
    };
    let mut response = HttpResponse::new(status(*status_byte), body).with_retry_after("3");
    if let Some(value) = content_type(*type_byte) {
        response = response.with_content_type(value);
    }
    Some(response)
}

/// The callback, as a URL, a query or a `form_post` body (first byte).
/// Accepted only with this flow's `state`; no error shows the state, the
/// verifier or the code.
pub fn callback(data: &[u8]) {
    let [mode, rest @ ..] = data else { return };
    let client = client();
    let pending = pending(&client);
    let state = pending.state().secret().to_owned();
    let text = String::from_utf8_lossy(rest);
    let parsed = match mode % 3 {
        0 => Callback::from_url(&text),
        1 => Callback::from_query(&text),
        _ => Callback::from_form_body(rest),
    };
    let callback = match parsed {
        Ok(callback) => callback,
        Err(error) => return assert_redacted(&error, &[state], data),
    };
    let carried_state = callback.state().map(|s| s.secret().to_owned());
    match pending.handle_callback(&client, callback) {
        Ok(exchanging) => {
            assert_eq!(carried_state.as_deref(), Some(state.as_str()));
            let request = exchanging.request(&CONTEXT).unwrap();
            assert_eq!(
                request.uri(),
                "https://sso.pageroonline.com/oauth/v2/oauth-token"
            );
            assert_redacted(
                &format_args!("{exchanging:?}"),
                &[state, CLIENT_SECRET.into()],
                data,
            );
        }
        Err(error) => assert_redacted(&error, &[state, CLIENT_SECRET.into()], data),
    }
}

/// A token endpoint response (status × content type × body), read by
/// three clients: the default, a strict one, and one with a provider's
/// tolerances (Slack's `bot` type, comma-separated scopes). For each, a
/// success survives a storage round trip unchanged; a retryable failure
/// gives the state back with the same request; no error shows a flow
/// secret. Across them, strictness only takes away (what the strict
/// client accepts, the default accepts alike, with a type that was sent),
/// the default never reads a provider's type as Bearer, and the provider
/// tolerances only add.
pub fn token_response(data: &[u8]) {
    let Some(response) = response(data) else {
        return;
    };
    let default = client();
    let strict = default.clone().with_strictness(Strictness::Strict);
    let provider = default
        .clone()
        .with_bearer_token_type_alias("bot")
        .unwrap()
        .with_scope_delimiter(ScopeDelimiter::Comma);
    let by_default = exchange(&default, response, data);
    let by_strict = exchange(&strict, response, data);
    let by_provider = exchange(&provider, response, data);
    if let Some(strict_type) = &by_strict {
        assert!(!strict_type.is_assumed());
        assert_eq!(by_default.as_ref(), Some(strict_type));
    }
    if let Some(default_type) = &by_default {
        assert!(matches!(
            default_type,
            TokenType::Bearer | TokenType::AssumedBearer
        ));
        assert_eq!(by_provider.as_ref(), Some(default_type));
    }
    if let Some(TokenType::ProviderBearer(name)) = &by_provider {
        assert_eq!(name, "bot");
    }
}

/// One client's reading of a token response, with the per-client checks;
/// the token type of a success.
fn exchange(client: &Client, response: HttpResponse<'_>, data: &[u8]) -> Option<TokenType> {
    let (exchanging, secrets) = exchanging(client);
    let request = exchanging.request(&CONTEXT).unwrap();
    match exchanging.handle_response(response, NOW) {
        Ok(authorized) => {
            let stored = serde_json::to_string(&authorized).unwrap();
            let back: Authorized = serde_json::from_str(&stored).unwrap();
            assert_eq!(back, authorized);
            let _ = authorized.bearer_authorization("https://api.pageroonline.com/x");
            assert_debug_ignores_secrets(&authorized);
            Some(authorized.tokens().token_type().clone())
        }
        Err(failure) => {
            assert_redacted(&failure, &secrets, data);
            assert_retry_rebuilds(failure, &request);
            None
        }
    }
}

/// A revocation endpoint response: any 2xx is success; a failure keeps the
/// token out of its messages.
pub fn revocation_response(data: &[u8]) {
    let Some(response) = response(data) else {
        return;
    };
    let client = client();
    let (exchanging, secrets) = exchanging(&client);
    let body =
        br#"{"token_type":"bearer","access_token":"fuzz-access","refresh_token":"fuzz-refresh"}"#;
    let authorized = exchanging
        .handle_response(HttpResponse::new(200, body), NOW)
        .unwrap();
    let revocation = authorized
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    let success = (200..300).contains(&response.status());
    match revocation.handle_response(response, NOW) {
        Ok(()) => assert!(success),
        Err(failure) => {
            assert!(!success);
            let mut secrets = secrets;
            secrets.push("fuzz-refresh".into());
            assert_redacted(&failure, &secrets, data);
        }
    }
}

/// A stored `AwaitingCallback` or `Authorized` (first byte), as read back
/// from a cookie or a session store: what loads re-serializes to the same
/// value, and its `Debug` shows no secret.
pub fn stored_state(data: &[u8]) {
    let [kind, json @ ..] = data else { return };
    match kind % 3 {
        0 => stored::<AwaitingCallback>(json, AwaitingCallback::from_json),
        1 => stored::<Authorized>(json, Authorized::from_json),
        _ => stored::<AwaitingDeviceApproval>(json, AwaitingDeviceApproval::from_json),
    }
}

/// One kind of stored state: `from_json` agrees with plain serde, what
/// loads re-serializes to an equal value, and `Debug` shows no secret.
fn stored<T>(json: &[u8], from_json: fn(&[u8]) -> Result<T, oauth2_pkce::errors::InvalidValue>)
where
    T: Debug + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
{
    let typed = from_json(json);
    let plain = serde_json::from_slice::<T>(json);
    assert_eq!(typed.is_ok(), plain.is_ok());
    if let Err(error) = &typed {
        assert_printable(&format!("{error} {error:?}"));
    }
    if let Ok(state) = typed {
        let again = from_json(&serde_json::to_vec(&state).unwrap()).unwrap();
        assert_eq!(again, state);
        assert_debug_ignores_secrets(&state);
    }
}

/// A `WWW-Authenticate` value: parsing is deterministic, a Bearer
/// challenge always yields a next step, and neither the challenge nor an
/// error prints a raw control or bidi character.
pub fn www_authenticate(data: &[u8]) {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    let first = BearerChallenge::parse(header);
    assert_eq!(first, BearerChallenge::parse(header));
    match first {
        Ok(Some(challenge)) => {
            assert_printable(&format!("{challenge:?} {:?}", challenge.next_step()));
        }
        Ok(None) => {}
        Err(error) => assert_printable(&format!("{error} {error:?}")),
    }
    // The same header as a DPoP challenge, with a nonce beside it: a
    // nonce is only ever offered when it is 1*NQCHAR.
    let response = HttpResponse::new(401, b"")
        .with_www_authenticate(header)
        .with_dpop_nonce(header);
    match DpopChallenge::from_response(response) {
        Ok(Some(challenge)) => {
            assert_printable(&format!("{challenge:?} {:?}", challenge.next_step()));
            if let Some(nonce) = challenge.nonce() {
                assert!(
                    !nonce.is_empty()
                        && nonce
                            .bytes()
                            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
                );
            }
            let algs: Vec<&str> = challenge.algs().collect();
            assert!(algs.iter().all(|alg| !alg.is_empty() && !alg.contains(' ')));
        }
        Ok(None) => {}
        Err(error) => assert_printable(&format!("{error} {error:?}")),
    }
}

/// A pushed authorization response: a success yields an authorization URL
/// at the authorization endpoint with exactly `client_id` and
/// `request_uri`, and a pending flow that still round-trips through
/// storage.
pub fn par_response(data: &[u8]) {
    let Some(response) = response(data) else {
        return;
    };
    let mut metadata = Preset::pagero().metadata().clone();
    metadata.pushed_authorization_request_endpoint =
        Some("https://sso.pageroonline.com/oauth/v2/oauth-par".into());
    let client = client_of(metadata)
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap());
    let pushing = Start::new(&client)
        .push(FlowEntropy::from_bytes([0x42; 64]), NOW)
        .unwrap();
    let request = pushing.request(&CONTEXT).unwrap();
    match pushing.handle_response(response, NOW) {
        Ok((authorization, pending)) => {
            let url = url::Url::parse(authorization.url()).unwrap();
            assert_eq!(url.path(), "/oauth/v2/oauth-authorize");
            let names: Vec<_> = url
                .query_pairs()
                .map(|(name, _)| name.into_owned())
                .collect();
            assert_eq!(names, ["client_id", "request_uri"]);
            assert!(pending.request_uri_expires_at().is_some_and(|at| at > NOW));
            let again: AwaitingCallback =
                serde_json::from_str(&serde_json::to_string(&pending).unwrap()).unwrap();
            assert_eq!(again, pending);
        }
        Err(failure) => {
            assert_redacted(&failure, &[CLIENT_SECRET.into()], data);
            assert_retry_rebuilds(failure, &request);
        }
    }
}

/// A discovery response: accepted metadata names exactly the issuer asked
/// for, has https endpoints, advertises S256, and configures a client; a
/// retryable failure hands back the step with the same request.
pub fn discovery_response(data: &[u8]) {
    let Some(response) = response(data) else {
        return;
    };
    let discovery = Discovery::new("https://as.example/tenant").unwrap();
    let request = discovery.request(&CONTEXT).unwrap();
    match discovery.handle_response(response, NOW) {
        Ok(metadata) => {
            assert_eq!(metadata.issuer, "https://as.example/tenant");
            assert!(Endpoint::parse(&metadata.token_endpoint).is_ok());
            assert!(Endpoint::parse(&metadata.authorization_endpoint).is_ok());
            assert!(metadata
                .code_challenge_methods_supported
                .as_ref()
                .is_some_and(|methods| methods.iter().any(|m| m == "S256")));
            assert_printable(&format!("{metadata:?}"));
            // Mutual TLS (RFC 8705 §5): every alias accepted is an https
            // endpoint, and a client using mutual TLS is sent to https.
            if let Some(aliases) = &metadata.mtls_endpoint_aliases {
                for alias in [
                    &aliases.token_endpoint,
                    &aliases.revocation_endpoint,
                    &aliases.introspection_endpoint,
                    &aliases.device_authorization_endpoint,
                    &aliases.pushed_authorization_request_endpoint,
                    &aliases.registration_endpoint,
                    &aliases.userinfo_endpoint,
                ]
                .into_iter()
                .flatten()
                {
                    // As the URL parser reads it: `https:host/x` is
                    // `https://host/x` to it, as to a browser.
                    let parsed = Endpoint::parse(alias).unwrap();
                    assert!(parsed.as_str().starts_with("https://"), "{alias:?}");
                }
            }
            if let Ok(client) = Client::new(
                metadata.clone(),
                ClientId::new("fuzz-client").unwrap(),
                ClientAuthentication::TlsClientAuth,
            ) {
                let request = ClientCredentials::new(&client, Scope::empty())
                    .unwrap()
                    .request(&CONTEXT)
                    .unwrap();
                assert!(request.requires_client_certificate());
                assert!(request.header("authorization").is_none());
                // The alias, or the plain endpoint, as the URL parser
                // writes it (`https://host` gains its `/`).
                let alias = metadata
                    .mtls_endpoint_aliases
                    .as_ref()
                    .and_then(|aliases| aliases.token_endpoint.as_deref());
                let expected = alias.unwrap_or(client.metadata().token_endpoint.as_str());
                assert_eq!(request.uri(), Endpoint::parse(expected).unwrap().as_str());
            }
            let _ = Client::new(
                metadata,
                ClientId::new("fuzz-client").unwrap(),
                ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
            )
            .map(|client| {
                client.with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
            });
        }
        Err(failure) => {
            assert_printable(&format!("{failure} {failure:?}"));
            if let EndpointErrorKind::UnexpectedStatus { status } = failure.error().kind() {
                assert_ne!(*status, 200);
            }
            assert_retry_rebuilds(failure, &request);
        }
    }
}

const DEVICE_CODE: &str = "fuzz-device-code-9Q";

/// `fuzz-client` of `metadata`, with its secret in HTTP Basic.
fn client_of(metadata: oauth2_pkce::ServerMetadata) -> Client {
    Client::new(
        metadata,
        ClientId::new("fuzz-client").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap()
}

fn client_with_more_endpoints() -> Client {
    let metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_device_authorization_endpoint("https://sso.pageroonline.com/oauth/v2/oauth-device")
        .with_introspection_endpoint("https://sso.pageroonline.com/oauth/v2/oauth-introspect");
    client_of(metadata)
}

/// A device authorization response (RFC 8628 §3.2): a success hands out
/// only an https (or loopback http) verification URI and a user code
/// without control or bidi characters, a deadline and a first poll after
/// `now`, and a pending login that round-trips through storage with a
/// `Debug` free of the device code; a retry rebuilds the same request.
pub fn device_authorization_response(data: &[u8]) {
    let Some(response) = response(data) else {
        return;
    };
    let client = client_with_more_endpoints();
    let step = DeviceAuthorization::new(&client, Scope::parse("openid").unwrap()).unwrap();
    let request = step.request(&CONTEXT).unwrap();
    match step.handle_response(response, NOW) {
        Ok(polling) => {
            let pending = polling.pending();
            for uri in std::iter::once(pending.verification_uri())
                .chain(pending.verification_uri_complete())
            {
                let url = url::Url::parse(uri.as_str()).unwrap();
                let loopback = matches!(
                    url.host(),
                    Some(url::Host::Ipv4(ip)) if ip.is_loopback()
                ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
                assert!(url.scheme() == "https" || (url.scheme() == "http" && loopback));
                assert_printable(uri.as_str());
            }
            assert_printable(pending.user_code().as_str());
            assert!(pending.expires_at() > NOW);
            assert!(pending.next_poll_at() > NOW);
            assert!(pending.interval().as_secs() >= 1);
            assert_debug_ignores_secrets(pending);
            assert_printable(&format!("{polling:?}"));
            let stored = serde_json::to_vec(pending).unwrap();
            assert_eq!(
                &AwaitingDeviceApproval::from_json(&stored).unwrap(),
                pending
            );
            // Unless the input itself carries that text (in a URI, say).
            if !contains(data, CLIENT_SECRET.as_bytes()) {
                assert!(!format!("{polling:?}").contains(CLIENT_SECRET));
            }
        }
        Err(failure) => {
            assert_redacted(&failure, &[CLIENT_SECRET.into()], data);
            assert_retry_rebuilds(failure, &request);
        }
    }
}

/// The polling step of a device login, 20 s before its 600 s deadline.
fn device_polling(client: &Client) -> DevicePolling {
    let body = format!(
        r#"{{"device_code":"{DEVICE_CODE}","user_code":"WDJB-MJHT","verification_uri":"https://sso.pageroonline.com/device","expires_in":600,"interval":5}}"#
    );
    DeviceAuthorization::new(client, Scope::empty())
        .unwrap()
        .handle_response(HttpResponse::new(200, body.as_bytes()), NOW)
        .unwrap()
}

/// A token endpoint answer while a device login polls (RFC 8628 §3.5): a
/// success is a storable grant; `authorization_pending` and `slow_down`
/// hand back the step with the same request, a next poll one interval (5 s,
/// or 10 s after `slow_down`) and one second from `now`, before the
/// deadline; anything
/// else is retryable exactly as at every endpoint; no failure shows the
/// device code or the client secret.
pub fn device_token_response(data: &[u8]) {
    let Some(response) = response(data) else {
        return;
    };
    let client = client_with_more_endpoints();
    let polling = device_polling(&client);
    let request = polling.request(&CONTEXT).unwrap();
    let now = UnixTime::from_secs(NOW.as_secs() + 580);
    match polling.handle_response(response, now) {
        Ok(authorized) => {
            let stored = serde_json::to_string(&authorized).unwrap();
            let back: Authorized = serde_json::from_str(&stored).unwrap();
            assert_eq!(back, authorized);
            assert_debug_ignores_secrets(&authorized);
        }
        Err(failure) => {
            assert_redacted(&failure, &[DEVICE_CODE.into(), CLIENT_SECRET.into()], data);
            match failure.poll_again_at() {
                Some(at) => {
                    assert!(failure.error().is_authorization_pending());
                    let slow_down =
                        failure.code() == Some(&oauth2_pkce::errors::TokenErrorCode::SlowDown);
                    // The interval, and the second of margin for a clock
                    // read in whole seconds.
                    let interval = if slow_down { 10 } else { 5 };
                    assert_eq!(at, UnixTime::from_secs(now.as_secs() + interval + 1));
                    let again = failure.into_retry().unwrap();
                    assert_eq!(again.request(&CONTEXT).unwrap(), request);
                    assert_eq!(again.pending().next_poll_at(), at);
                    assert!(at < again.pending().expires_at());
                }
                None => {
                    assert!(!failure.error().is_authorization_pending());
                    assert_retry_rebuilds(failure, &request);
                }
            }
        }
    }
}

/// An introspection response (RFC 7662 §2.2): an accepted answer's
/// `Debug` is printable; an inactive token allows nothing; a failure never
/// shows the token asked about or the client secret; a retry rebuilds the
/// same request.
pub fn introspection_response(data: &[u8]) {
    const TOKEN: &str = "fuzz-introspected-token-3K";
    let Some(response) = response(data) else {
        return;
    };
    let client = client_with_more_endpoints();
    let step = Introspection::new(&client, IntrospectedToken::new(TOKEN))
        .unwrap()
        .token_type_hint(TokenTypeHint::AccessToken);
    let request = step.request(&CONTEXT).unwrap();
    assert!(!format!("{step:?} {request:?}").contains(TOKEN));
    match step.handle_response(response, NOW) {
        Ok(answer) => {
            assert_printable(&format!("{answer:?}"));
            if !answer.active() {
                assert!(!answer.allows(NOW, None, &Scope::empty()));
                assert_eq!(answer.scope(), None);
                assert!(answer.extra().is_empty());
                assert_eq!(answer.cnf_x5t_s256(), None);
                assert_eq!(answer.cnf_jkt(), None);
            }
            // RFC 8705 §3.2: bound to a certificate only when `cnf.x5t#S256` says so.
            let thumbprint = CertificateThumbprint::of_der(b"fuzz-certificate");
            assert_eq!(
                answer.is_bound_to(&thumbprint),
                answer.cnf_x5t_s256() == Some(thumbprint.as_str())
            );
            let _ = answer.allows(NOW, Some("https://api.example"), &Scope::empty());
        }
        Err(failure) => {
            assert_redacted(&failure, &[TOKEN.into(), CLIENT_SECRET.into()], data);
            assert_retry_rebuilds(failure, &request);
        }
    }
}

/// A token exchange response (RFC 8693 §2.2): a success names an
/// absolute-URI `issued_token_type`; `N_A` comes out as a token that is
/// not an access token and anything else as a grant that survives
/// storage; neither the subject nor the actor token nor the client
/// secret shows in any `Debug`, error or retry, and a retry rebuilds the
/// same request.
pub fn token_exchange_response(data: &[u8]) {
    const SUBJECT: &str = "fuzz-subject-token-8V";
    const ACTOR: &str = "fuzz-actor-token-2J";
    let Some(response) = response(data) else {
        return;
    };
    let step = TokenExchange::new(
        &client(),
        SecurityToken::new(SUBJECT),
        TokenTypeUri::ACCESS_TOKEN,
    )
    .actor_token(SecurityToken::new(ACTOR), TokenTypeUri::JWT)
    .audience("https://backend.example");
    let request = step.request(&CONTEXT).unwrap();
    let secrets = [SUBJECT.into(), ACTOR.into(), CLIENT_SECRET.into()];
    assert!(!format!("{step:?} {request:?}").contains(SUBJECT));
    match step.handle_response(response, NOW) {
        Ok(Exchanged::AccessToken {
            issued_token_type,
            authorized,
        }) => {
            assert_eq!(
                TokenTypeUri::new(issued_token_type.as_str()).unwrap(),
                issued_token_type
            );
            let stored = serde_json::to_vec(&authorized).unwrap();
            assert_eq!(Authorized::from_json(&stored).unwrap(), authorized);
            assert_printable(&format!("{authorized:?}"));
        }
        Ok(Exchanged::Other {
            issued_token_type,
            token,
            expires_at,
        }) => {
            assert!(TokenTypeUri::new(issued_token_type.as_str()).is_ok());
            assert!(!token.secret().is_empty());
            assert!(expires_at.is_none_or(|at| at >= NOW));
            // The token prints the same whatever it holds.
            let other = SecurityToken::new("another-issued-token");
            assert_eq!(format!("{token:?}"), format!("{other:?}"));
        }
        Ok(_) => unreachable!("no other answer"),
        Err(failure) => {
            assert_redacted(&failure, &secrets, data);
            assert_retry_rebuilds(failure, &request);
        }
    }
}

/// A protected resource's metadata document (RFC 9728): a success names
/// exactly the resource asked for, and only https (or loopback)
/// authorization servers; nothing outside comes out raw.
pub fn resource_metadata_response(data: &[u8]) {
    let Some(response) = response(data) else {
        return;
    };
    let resource = ResourceIndicator::new("https://api.example/mcp").unwrap();
    let step = ResourceDiscovery::new(&resource).unwrap();
    let request = step.request(&CONTEXT).unwrap();
    match step.handle_response(response, NOW) {
        Ok(metadata) => {
            assert_eq!(metadata.resource(), &resource);
            for issuer in metadata.authorization_servers() {
                assert!(oauth2_pkce::Discovery::new(issuer).is_ok(), "{issuer:?}");
            }
            assert_printable(&format!("{metadata:?}"));
        }
        Err(failure) => {
            assert_printable(&format!("{failure} {failure:?}"));
            assert_retry_rebuilds(failure, &request);
        }
    }
}

/// A `WWW-Authenticate` header's `resource_metadata` (RFC 9728 §5.1):
/// the step made from it only ever fetches an https (or loopback) URL.
pub fn resource_metadata_challenge(data: &[u8]) {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(Some(challenge)) = BearerChallenge::parse(header) else {
        return;
    };
    match ResourceDiscovery::from_challenge("https://api.example/mcp", &challenge) {
        Ok(step) => {
            let url = step.metadata_url();
            assert!(Endpoint::parse(url).is_ok(), "{url:?}");
            assert_eq!(step.resource(), "https://api.example/mcp");
            assert_printable(&format!("{step:?}"));
        }
        Err(error) => assert_printable(&format!("{error} {error:?}")),
    }
}

/// A private JWK (RFC 7517 §4; RFC 7518 §6.2.2, RFC 8037 §2), read as
/// an ES256 and as an Ed25519 key. What parses is of one type only, has
/// exactly the public key the input names (its `x` and `y` are those of
/// its `d`), its `kid`, and signs; no error and no key's `Debug` shows
/// the `d` it was given, and nothing prints raw control or bidi
/// characters.
pub fn private_jwk(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let members: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).unwrap_or_default();
    let member = |name: &str| members.get(name).and_then(|value| value.as_str());
    // `d`, when long enough that no fixed text or public member holds it.
    let d = member("d").filter(|d| {
        d.len() >= 16
            && [member("kid"), member("x"), member("y")]
                .iter()
                .flatten()
                .all(|public| !public.contains(d))
    });
    let check_printed = |printed: String| {
        assert_printable(&printed);
        if let Some(d) = d {
            assert!(!printed.contains(d), "d in {printed}");
        }
    };
    let check_key = |key: &dyn Signer, expected: PublicJwk, debug: String| {
        assert_eq!(key.public_jwk(), expected);
        assert_eq!(key.key_id(), member("kid"));
        assert!(key.sign(b"eyJhbGciOiJub25lIn0.e30").is_ok());
        check_printed(debug);
    };
    let check_error = |error: InvalidValue| check_printed(format!("{error} {error:?}"));
    let es256 = Es256Key::from_jwk(text);
    let ed25519 = Ed25519Key::from_jwk(text);
    assert!(!(es256.is_ok() && ed25519.is_ok()), "one JWK, two keys");
    match es256 {
        Ok(key) => {
            let (Some(x), Some(y)) = (member("x"), member("y")) else {
                panic!("an ES256 key without x and y: {text:?}");
            };
            check_key(
                &key,
                PublicJwk::ec("P-256", x, y).unwrap(),
                format!("{key:?}"),
            );
        }
        Err(error) => check_error(error),
    }
    match ed25519 {
        Ok(key) => {
            let Some(x) = member("x") else {
                panic!("an Ed25519 key without x: {text:?}");
            };
            check_key(
                &key,
                PublicJwk::okp("Ed25519", x).unwrap(),
                format!("{key:?}"),
            );
        }
        Err(error) => check_error(error),
    }
}

/// RFC 7515 A.2's RSA key, A.3's P-256 key and RFC 8037's Ed25519 key,
/// as the server's key set.
const FUZZ_JWKS: &str = r#"{"keys":[{"kty":"RSA","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"},{"kty":"EC","crv":"P-256","kid":"a3","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;

const ALL_ALGORITHMS: &[JwsAlgorithm] = &[
    JwsAlgorithm::Rs256,
    JwsAlgorithm::Ps256,
    JwsAlgorithm::Es256,
    JwsAlgorithm::EdDsa,
    JwsAlgorithm::Hs256,
];

/// The client secret HS256 seeds are keyed with (OpenID Connect Core §10.1).
const FUZZ_CLIENT_SECRET: &str = "a-client-secret-of-32-octets-or-more";

/// The compact JWS parser and verifier: any text. Only what the keys
/// signed verifies (the corpus' vectors; a fuzzer cannot forge), `none`
/// never does, an error prints escaped, and the verdict is the same twice.
/// HS256 verifies only through the client secret's verifier, which
/// verifies nothing else.
pub fn jws_compact(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let keys = JwkSet::from_json(FUZZ_JWKS.as_bytes()).unwrap();
    let verdict = verify_jws(text, ALL_ALGORITHMS, &keys, &RustCryptoVerifier);
    assert_eq!(
        verdict,
        verify_jws(text, ALL_ALGORITHMS, &keys, &RustCryptoVerifier)
    );
    let secret = ClientSecretVerifier::new(&ClientSecret::new(FUZZ_CLIENT_SECRET)).unwrap();
    match verify_jws(text, ALL_ALGORITHMS, &keys, &secret) {
        Ok(verified) => {
            assert_eq!(verified.header().algorithm(), JwsAlgorithm::Hs256);
            assert!(verdict.is_err(), "HS256 and an asymmetric alg at once");
        }
        Err(error) => assert_printable(&format!("{error} {error:?}")),
    }
    if let Ok(verified) = &verdict {
        assert_ne!(verified.header().algorithm(), JwsAlgorithm::Hs256);
    }
    match verdict {
        Ok(verified) => {
            assert_ne!(verified.header().algorithm().as_str(), "none");
            assert!(text.len() <= oauth2_pkce::limits::MAX_JWS_BYTES);
            assert_printable(&format!("{verified:?}"));
        }
        Err(error) => {
            assert_printable(&format!("{error} {error:?}"));
            if text.len() > oauth2_pkce::limits::MAX_JWS_BYTES {
                assert_eq!(error, JwtError::TooLarge);
            }
        }
    }
}

/// The JWK Set parser: any bytes, as a document and as the `jwks_uri`'s
/// answer. A set read survives its stored form; every key it keeps is one
/// this client verifies with; the step agrees with the parser.
pub fn jwks(data: &[u8]) {
    let parsed = JwkSet::from_json(data);
    let fetch = KeySet::fetch("https://as.example/jwks").unwrap();
    let answer = fetch.handle_response(HttpResponse::new(200, data), NOW);
    assert_eq!(parsed.is_ok(), answer.is_ok());
    match (parsed, answer) {
        (Ok(set), Ok(cached)) => {
            assert_eq!(cached.keys(), &set);
            assert_eq!(JwkSet::from_json(set.to_json().as_bytes()).unwrap(), set);
            let stored = KeySet::from_json(cached.to_json().as_bytes()).unwrap();
            assert_eq!(stored, cached);
            assert!(set.keys().len() + set.ignored() <= oauth2_pkce::limits::MAX_KEY_SET_KEYS);
            for key in set.keys() {
                if let JwkParams::Rsa { n, .. } = key.jwk().params() {
                    use base64ct::Encoding;
                    let bytes = base64ct::Base64UrlUnpadded::decode_vec(n).unwrap();
                    let significant = bytes.iter().skip_while(|b| **b == 0).count();
                    assert!(significant >= 256, "an RSA key under 2048 bits kept");
                }
            }
            assert_printable(&format!("{cached:?}"));
        }
        (Err(error), Err(failure)) => {
            assert_printable(&format!("{error} {error:?} {failure} {failure:?}"));
        }
        _ => unreachable!(),
    }
}

/// The ID token's claims parser and checks: any bytes as the payload of
/// a token the server's key signed. An accepted token has the issuer, the
/// audience and the nonce expected; nothing prints raw.
pub fn id_token_claims(data: &[u8]) {
    use base64ct::{Base64UrlUnpadded, Encoding};
    const ISSUER: &str = "https://as.example";
    const NONCE: &str = "fuzz-nonce";
    // RFC 8037 A.1's Ed25519 key: its signatures are fast, so the fuzzer
    // spends its time in the claims.
    let d: [u8; 32] = Base64UrlUnpadded::decode_vec("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
        .unwrap()
        .try_into()
        .unwrap();
    let key = Ed25519Key::from_bytes(&d);
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(br#"{"alg":"EdDSA","kid":"ed"}"#),
        Base64UrlUnpadded::encode_string(data)
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    let token = format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature));
    let fetch = KeySet::fetch("https://as.example/jwks").unwrap();
    let keys = fetch
        .handle_response(HttpResponse::new(200, FUZZ_JWKS.as_bytes()), NOW)
        .unwrap();
    let validation = IdTokenValidation::new(ISSUER, "fuzz-client")
        .algorithms(&[JwsAlgorithm::EdDsa])
        .nonce(NONCE);
    match validation.validate(
        &token,
        Some("fuzz-access-token"),
        &keys,
        &RustCryptoVerifier,
        NOW,
    ) {
        Ok(id_token) => {
            let claims = id_token.claims();
            assert_eq!(claims.issuer(), ISSUER);
            assert!(claims.audiences().iter().any(|aud| aud == "fuzz-client"));
            assert_eq!(claims.nonce(), Some(NONCE));
            assert!(claims.expires_at() > UnixTime::from_secs(NOW.as_secs() - 61));
            assert_printable(&format!("{id_token:?}"));
        }
        Err(error) => {
            if token.len() <= oauth2_pkce::limits::MAX_JWS_BYTES {
                assert!(!error.is_jws_refused(), "{error:?}");
            }
            assert_printable(&format!("{error} {error:?}"));
        }
    }
    // The same token for a client of Entra's `common` tenant, with the
    // issuer template: accepted only with that issuer, or the issuer of
    // the token's own tenant — its `tid`, a GUID, in the template.
    const COMMON: &str = "https://login.microsoftonline.com/common/v2.0";
    let entra = IdTokenValidation::new(COMMON, "fuzz-client")
        .algorithms(&[JwsAlgorithm::EdDsa])
        .nonce(NONCE)
        .tenant_issuer(TenantIssuer::MICROSOFT_ENTRA_V2);
    let accepted = entra.validate(&token, None, &keys, &RustCryptoVerifier, NOW);
    if let Ok(id_token) = accepted {
        let claims = id_token.claims();
        let tid = claims.other().get("tid").and_then(|tid| tid.as_str());
        let own_tenant = tid.is_some_and(|tid| {
            tid.len() == 36
                && tid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
                && claims.issuer() == format!("https://login.microsoftonline.com/{tid}/v2.0")
        });
        assert!(claims.issuer() == COMMON || own_tenant, "{claims:?}");
    }
}

/// RFC 8037 A.1's Ed25519 key, whose public half is `ed` in [`FUZZ_JWKS`]:
/// `payload` signed with it as a compact JWS with `header`.
fn ed25519_jws(header: &[u8], payload: &[u8]) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let d: [u8; 32] = Base64UrlUnpadded::decode_vec("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
        .unwrap()
        .try_into()
        .unwrap();
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header),
        Base64UrlUnpadded::encode_string(payload)
    );
    let signature = Ed25519Key::from_bytes(&d).sign(input.as_bytes()).unwrap();
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature))
}

fn fuzz_key_set() -> KeySet {
    KeySet::fetch("https://as.example/jwks")
        .unwrap()
        .handle_response(HttpResponse::new(200, FUZZ_JWKS.as_bytes()), NOW)
        .unwrap()
}

/// The UserInfo response (OpenID Connect Core §5.3.2, §5.3.4): the first
/// byte picks the form — the rest as a JSON answer, the rest as the claims
/// of a JWT the server's key signed, or the rest as a raw
/// `application/jwt`. An accepted answer is the ID token's user's, signed
/// when it came as a JWT; a validly signed answer is never refused for its
/// JWS; nothing prints raw, and the access token never shows.
pub fn userinfo_response(data: &[u8]) {
    const SUB: &str = "fuzz-sub";
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_authorization_response_iss_parameter_supported(false);
    metadata.userinfo_endpoint = Some("https://as.example/userinfo".into());
    let client = client_of(metadata)
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap());
    let (exchanging, _) = exchanging(&client);
    let authorized = exchanging
        .handle_response(
            HttpResponse::new(
                200,
                br#"{"access_token":"fuzz-access-token","token_type":"Bearer"}"#,
            )
            .with_content_type("application/json"),
            NOW,
        )
        .unwrap();
    let claims = serde_json::json!({
        "iss": client.metadata().issuer, "sub": SUB, "aud": "fuzz-client",
        "exp": NOW.as_secs() + 600, "iat": NOW.as_secs(),
    });
    let stored = serde_json::json!({
        "v": 1, "alg": "EdDSA",
        "id_token": ed25519_jws(br#"{"alg":"EdDSA","kid":"ed"}"#, claims.to_string().as_bytes()),
    });
    let id_token: IdToken = serde_json::from_value(stored).unwrap();
    let request = UserInfoRequest::new(&client, &authorized, &id_token).unwrap();
    let printed = format!("{request:?}");
    assert!(!printed.contains("fuzz-access-token"), "{printed}");
    let signed_body;
    let (content_type, body) = match mode % 3 {
        0 => ("application/json", rest),
        1 => {
            signed_body = ed25519_jws(br#"{"alg":"EdDSA","kid":"ed","typ":"JWT"}"#, rest);
            ("application/jwt", signed_body.as_bytes())
        }
        _ => ("application/jwt", rest),
    };
    let response = HttpResponse::new(200, body).with_content_type(content_type);
    let received = match request.handle_response(response, NOW) {
        Ok(received) => received,
        Err(failure) => {
            // Refused before any claim is read: a body that is no
            // response, or (as `application/jwt`) no JWS at all.
            let kind = failure.error().kind();
            let no_jws =
                matches!(kind, EndpointErrorKind::UserInfoRejected(jwt) if jwt.is_jws_refused());
            assert!(kind.is_malformed_response() || no_jws, "{failure:?}");
            assert_redacted(failure.error(), &["fuzz-access-token".into()], data);
            return;
        }
    };
    assert_eq!(received.is_signed(), mode % 3 != 0);
    match received.verify(&fuzz_key_set(), &RustCryptoVerifier, NOW) {
        Ok(userinfo) => {
            assert_eq!(userinfo.subject(), SUB);
            assert_eq!(userinfo.is_signed(), mode % 3 != 0);
            assert_printable(&format!("{userinfo:?}"));
        }
        Err(error) => {
            if let (1, EndpointErrorKind::UserInfoRejected(jwt)) = (mode % 3, error.kind()) {
                if body.len() <= oauth2_pkce::limits::MAX_JWS_BYTES {
                    assert!(!jwt.is_jws_refused(), "{jwt:?}");
                }
            }
            assert_redacted(&error, &["fuzz-access-token".into()], data);
        }
    }
}

/// A back-channel logout token (Back-Channel Logout 1.0 §2.6): the input
/// as the claims of a token the server's key signed, `typ` `logout+jwt`.
/// An accepted token has the issuer and audience expected, a `jti`, and a
/// `sub` or a `sid`; nothing prints raw.
pub fn logout_token(data: &[u8]) {
    let token = ed25519_jws(br#"{"alg":"EdDSA","kid":"ed","typ":"logout+jwt"}"#, data);
    let validation = LogoutTokenValidation::new("https://as.example", "fuzz-client")
        .algorithms(&[JwsAlgorithm::EdDsa]);
    let body = format!("logout_token={token}");
    let result = validation.validate_request_body(
        body.as_bytes(),
        &fuzz_key_set(),
        &RustCryptoVerifier,
        NOW,
    );
    match result {
        Ok(logout) => {
            assert_eq!(logout.issuer(), "https://as.example");
            assert!(logout.audiences().iter().any(|aud| aud == "fuzz-client"));
            assert!(logout.subject().is_some() || logout.session_id().is_some());
            assert!(logout.expires_at() > UnixTime::from_secs(NOW.as_secs() - 61));
            assert_printable(&format!("{logout:?} {}", logout.jti().len()));
        }
        Err(error) => {
            if token.len() <= oauth2_pkce::limits::MAX_JWS_BYTES {
                assert!(!error.is_jws_refused(), "{error:?}");
            }
            assert_printable(&format!("{error} {error:?}"));
        }
    }
}

/// A JWT-secured authorization response (OpenID JARM §4.4): the first
/// byte picks whether the rest is the claims of a JWT the server's key
/// signed or the raw `response` parameter. What verifies came from the
/// issuer, for this client, unexpired; the callback it carries reaches
/// the exchange only with this flow's `state`; no error or `Debug` shows
/// the code, and nothing prints raw.
pub fn jarm_response(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_authorization_response_iss_parameter_supported(false);
    metadata.authorization_signing_alg_values_supported = Some(vec!["EdDSA".into()]);
    let issuer = metadata.issuer.clone();
    let client = client_of(metadata)
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap());
    let (_, pending) = Start::new(&client)
        .param("response_mode", "query.jwt")
        .begin(FlowEntropy::from_bytes([0x42; 64]), NOW)
        .unwrap();
    let jwt = if mode % 2 == 0 {
        ed25519_jws(br#"{"alg":"EdDSA","kid":"ed"}"#, rest)
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    let query = format!(
        "response={}",
        url::form_urlencoded::byte_serialize(jwt.as_bytes()).collect::<String>()
    );
    let Ok(callback) = Callback::from_query(&query) else {
        return;
    };
    // The `response` never shows: the callback prints as one with another.
    if callback.is_jwt_response() {
        let other = Callback::from_query("response=x.y.z").unwrap();
        assert_eq!(format!("{callback:?}"), format!("{other:?}"));
    }
    match pending.verify_response(
        &client,
        &callback,
        &fuzz_key_set(),
        &RustCryptoVerifier,
        NOW,
    ) {
        Ok(inner) => {
            assert_eq!(mode % 2, 0, "a forged JWT verified");
            assert_eq!(inner.iss(), Some(issuer.as_str()));
            assert_printable(&format!("{inner:?}"));
            let state_matches = inner.state() == Some(pending.state());
            match pending.handle_callback(&client, inner) {
                Ok(exchanging) => {
                    assert!(state_matches);
                    assert_printable(&format!("{exchanging:?}"));
                }
                Err(error) => assert_printable(&format!("{error} {error:?}")),
            }
        }
        Err(error) => assert_printable(&format!("{error} {error:?}")),
    }
}

/// A JWT introspection response (RFC 9701 §5): the first byte picks
/// whether the rest is the claims of a JWT the server's key signed (typed
/// `token-introspection+jwt`) or the raw body. What verifies came from the
/// issuer, for this resource server, not from the future, and reads as a
/// JSON answer would; the token asked about never shows; nothing prints
/// raw.
pub fn introspection_jwt(data: &[u8]) {
    const TOKEN: &str = "fuzz-introspected-token-3K";
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_introspection_endpoint("https://sso.pageroonline.com/oauth/v2/oauth-introspect");
    metadata.introspection_signing_alg_values_supported = Some(vec!["EdDSA".into()]);
    let issuer = metadata.issuer.clone();
    let client = client_of(metadata);
    let step = Introspection::new(&client, IntrospectedToken::new(TOKEN))
        .unwrap()
        .signed(&client);
    assert!(!format!("{step:?}").contains(TOKEN));
    let jwt;
    let body = if mode % 2 == 0 {
        jwt = ed25519_jws(
            br#"{"alg":"EdDSA","kid":"ed","typ":"token-introspection+jwt"}"#,
            rest,
        );
        jwt.as_bytes()
    } else {
        rest
    };
    let response =
        HttpResponse::new(200, body).with_content_type("application/token-introspection+jwt");
    let received = match step.handle_response(response, NOW) {
        Ok(received) => received,
        Err(failure) => {
            assert_redacted(&failure, &[TOKEN.into(), CLIENT_SECRET.into()], data);
            return;
        }
    };
    match received.verify(&fuzz_key_set(), &RustCryptoVerifier, NOW) {
        Ok(answer) => {
            assert_eq!(mode % 2, 0, "a forged answer verified");
            assert_printable(&format!("{answer:?}"));
            let payload: serde_json::Value = serde_json::from_slice(rest).unwrap();
            assert_eq!(payload["iss"].as_str(), Some(issuer.as_str()));
            assert!(
                payload["iat"]
                    .as_u64()
                    .is_some_and(|iat| iat <= NOW.as_secs() + 60)
                    || payload["iat"].is_f64()
            );
        }
        Err(error) => assert_redacted(&error, &[TOKEN.into(), CLIENT_SECRET.into()], data),
    }
}

// --- OpenID CIBA Core 1.0

const CIBA_NOTIFICATION_TOKEN: &str = "fuzz-notification-token-8d67dc78";
const CIBA_HINT_TOKEN: &str = "fuzz-login-hint-token-4V";

fn ciba_client() -> Client {
    let metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_backchannel_authentication_endpoint(
            "https://sso.pageroonline.com/oauth/v2/bc-authorize",
        );
    client_of(metadata)
}

/// The backchannel authentication request of the CIBA targets: a
/// `login_hint_token`, ping mode.
fn ciba_step(client: &Client) -> BackchannelAuthentication {
    let hint = UserHint::login_hint_token(SecurityToken::new(CIBA_HINT_TOKEN)).unwrap();
    BackchannelAuthentication::new(client, Scope::parse("openid").unwrap(), hint)
        .unwrap()
        .client_notification_token(ClientNotificationToken::new(CIBA_NOTIFICATION_TOKEN))
        .unwrap()
}

/// A backchannel authentication response (OpenID CIBA Core 1.0 §7.3,
/// §13): a success has a deadline and a first poll after `now`, the poll
/// before the deadline, an interval of at least a second, and a pending
/// request that round-trips through storage with a `Debug` free of the
/// `auth_req_id` and the notification token; no failure shows the client
/// secret, the hint token or the notification token; a retry rebuilds the
/// same request.
pub fn backchannel_authentication_response(data: &[u8]) {
    let Some(response) = response(data) else {
        return;
    };
    let client = ciba_client();
    let step = ciba_step(&client);
    let request = step.request(&CONTEXT).unwrap();
    let secrets = [
        CLIENT_SECRET.to_owned(),
        CIBA_HINT_TOKEN.to_owned(),
        CIBA_NOTIFICATION_TOKEN.to_owned(),
    ];
    match step.handle_response(response, NOW) {
        Ok(polling) => {
            let pending = polling.pending();
            assert!(pending.expires_at() > NOW);
            assert!(pending.next_poll_at() > NOW);
            assert!(pending.next_poll_at() < pending.expires_at());
            assert!(pending.interval().as_secs() >= 1);
            assert!(pending.is_ping_mode());
            assert_debug_ignores_secrets(pending);
            let printed = format!("{polling:?}");
            assert_printable(&printed);
            for secret in &secrets {
                if !contains(data, secret.as_bytes()) {
                    assert!(!printed.contains(secret.as_str()), "secret in {printed}");
                }
            }
            let stored = pending.to_json();
            let back = AwaitingBackchannelApproval::from_json(stored.as_bytes()).unwrap();
            assert_eq!(&back, pending);
            let again = back.poll(&client).unwrap();
            assert_eq!(
                again.request(&CONTEXT).unwrap(),
                polling.request(&CONTEXT).unwrap()
            );
        }
        Err(failure) => {
            assert_redacted(&failure, &secrets, data);
            assert_retry_rebuilds(failure, &request);
        }
    }
}

/// A ping notification (OpenID CIBA Core 1.0 §10.2): the first byte picks
/// the `Authorization` header (the request's token, another, none), the
/// rest is the body. Accepted only with the request's own token and
/// `auth_req_id`; nothing prints either token.
pub fn ciba_ping_notification(data: &[u8]) {
    let [which, body @ ..] = data else { return };
    let client = ciba_client();
    let acknowledgement = br#"{"auth_req_id":"fuzz-auth-req-id-1c26","expires_in":120}"#;
    let mut pending = ciba_step(&client)
        .handle_response(
            HttpResponse::new(200, acknowledgement).with_content_type("application/json"),
            NOW,
        )
        .unwrap()
        .into_pending();
    let own = format!("Bearer {CIBA_NOTIFICATION_TOKEN}");
    let authorization = match which % 3 {
        0 => Some(own.as_str()),
        1 => Some("Bearer another-token-of-the-attacker"),
        _ => None,
    };
    let secrets = [
        CIBA_NOTIFICATION_TOKEN.to_owned(),
        "fuzz-auth-req-id-1c26".to_owned(),
    ];
    match PingNotification::from_parts(authorization, body) {
        Ok(notification) => {
            let printed = format!("{notification:?}");
            assert_printable(&printed);
            assert!(!printed.contains(CIBA_NOTIFICATION_TOKEN));
            assert!(!printed.contains("another-token"));
            let before = pending.clone();
            match pending.accept_ping(&notification, NOW) {
                Ok(()) => {
                    assert_eq!(which % 3, 0);
                    assert_eq!(notification.auth_req_id(), pending.auth_req_id());
                    assert_eq!(pending.next_poll_at(), NOW);
                }
                Err(error) => {
                    assert_eq!(pending, before);
                    assert_redacted(&error, &secrets, data);
                }
            }
        }
        Err(error) => {
            if authorization.is_none() {
                assert_eq!(
                    error,
                    oauth2_pkce::errors::CallbackError::NotificationTokenMismatch
                );
            }
            assert_redacted(&error, &secrets, data);
        }
    }
}

// Rich authorization requests (RFC 9396).
/// `authorization_details` (RFC 9396 §2) from outside, read alone and as
/// a token response's member: an accepted list keeps each object's text
/// as it was in the input, reads back equal from its own JSON and from
/// its stored form, and is rebuilt equal by the builder from its typed
/// fields and members; the token response carries the same list; every
/// `Debug` and every refusal prints no raw control or bidi character.
pub fn authorization_details(data: &[u8]) {
    use oauth2_pkce::resource::{AuthorizationDetail, AuthorizationDetails};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let details = match AuthorizationDetails::from_json(text) {
        Ok(details) => details,
        Err(error) => {
            assert_printable(&format!("{error} {error:?}"));
            return;
        }
    };
    assert!(details.len() <= oauth2_pkce::limits::MAX_AUTHORIZATION_DETAILS);
    assert_printable(&format!("{details:?}"));
    let again = AuthorizationDetails::from_json(&details.to_json()).unwrap();
    assert_eq!(again, details);
    let stored = serde_json::to_string(&details).unwrap();
    assert_eq!(
        serde_json::from_str::<AuthorizationDetails>(&stored).unwrap(),
        details
    );
    let mut from = 0;
    for detail in &details {
        // The object's text is the input's own, in order.
        let at = text[from..]
            .find(detail.json())
            .expect("the object's text as received");
        from += at + detail.json().len();
        assert!(!detail.detail_type().is_empty());
        assert_eq!(
            &AuthorizationDetail::from_json(detail.json()).unwrap(),
            detail
        );
        let mut builder = AuthorizationDetail::builder(detail.detail_type());
        for location in detail.locations() {
            builder = builder.location(location);
        }
        for action in detail.actions() {
            builder = builder.action(action);
        }
        for datatype in detail.datatypes() {
            builder = builder.datatype(datatype);
        }
        if let Some(identifier) = detail.identifier() {
            builder = builder.identifier(identifier);
        }
        for privilege in detail.privileges() {
            builder = builder.privilege(privilege);
        }
        for (name, value) in detail.members().iter() {
            builder = builder.member_json(name, value.to_json());
        }
        let rebuilt = builder.build().unwrap();
        assert_eq!(rebuilt.detail_type(), detail.detail_type());
        assert_eq!(rebuilt.locations(), detail.locations());
        assert_eq!(rebuilt.actions(), detail.actions());
        assert_eq!(rebuilt.datatypes(), detail.datatypes());
        assert_eq!(rebuilt.identifier(), detail.identifier());
        assert_eq!(rebuilt.privileges(), detail.privileges());
        assert_eq!(rebuilt.members(), detail.members());
    }

    // The same list as a token response's member (RFC 9396 §7).
    let (exchanging, secrets) = exchanging(&client());
    let body =
        format!(r#"{{"access_token":"at","token_type":"Bearer","authorization_details":{text}}}"#);
    let response = HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
    match exchanging.handle_response(response, NOW) {
        Ok(authorized) => {
            assert_eq!(authorized.tokens().authorization_details(), &details);
            let stored = Authorized::from_json(authorized.to_json().as_bytes()).unwrap();
            assert_eq!(stored.tokens().authorization_details(), &details);
        }
        // Only a `null` list stands for none, and is no failure; a JSON
        // text the object parser took whole cannot fail in the body.
        Err(failure) => {
            assert_redacted(&failure, &secrets, data);
            panic!("a list read alone is refused in a token response: {failure}");
        }
    }
}

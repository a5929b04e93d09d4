//! OpenID Connect: the key set as a step and a stored cache (Core
//! §10.1.1: `max-age`, one rate-limited fetch again for an unknown `kid`)
//! and the ID token's validation, with one refusal per rule of Core
//! §3.1.3.7 and the `at_hash` of §3.1.3.8.

use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::{
    ApiMisuse, ConfigError, EndpointErrorKind, EndpointKind, InvalidValue, JwtError,
};
use oauth2_pkce::jose::*;
use oauth2_pkce::openid::*;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

use crate::rendering::render;

pub(crate) const ISSUER: &str = "https://op.example";
pub(crate) const CLIENT_ID: &str = "rp-client";
pub(crate) const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);
pub(crate) const JWKS_URI: &str = "https://op.example/jwks";
/// RFC 7515 A.3.1's P-256 private key.
pub(crate) const A3_D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
pub(crate) const ACCESS_TOKEN: &str = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";

pub(crate) fn es256_set(kid: &str) -> String {
    use crate::jws_verification::{A3_X, A3_Y};
    format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"{kid}","use":"sig","x":"{A3_X}","y":"{A3_Y}"}}]}}"#
    )
}

pub(crate) fn key_set(document: &str, cache_control: Option<&str>) -> KeySet {
    let fetch = KeySet::fetch(JWKS_URI).unwrap();
    let mut response = HttpResponse::new(200, document.as_bytes());
    if let Some(value) = cache_control {
        response = response.with_cache_control(value);
    }
    fetch.handle_response(response, NOW).unwrap()
}

/// A compact JWS of `claims` signed by RFC 7515 A.3's key, with `kid`.
pub(crate) fn id_token(kid: &str, claims: serde_json::Value) -> String {
    let d = Base64UrlUnpadded::decode_vec(A3_D).unwrap();
    let key = Es256Key::from_bytes(&d).unwrap();
    let header = format!(r#"{{"alg":"ES256","kid":"{kid}","typ":"JWT"}}"#);
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature))
}

pub(crate) fn claims() -> serde_json::Value {
    serde_json::json!({
        "iss": ISSUER,
        "sub": "248289761001",
        "aud": CLIENT_ID,
        "exp": NOW.as_secs() + 300,
        "iat": NOW.as_secs() - 5,
        "auth_time": NOW.as_secs() - 60,
        "nonce": "n-0S6_WzA2Mj",
        "at_hash": "77QmUPtjPfzWtF2AnpK9RQ",
        "acr": "urn:mace:incommon:iap:silver",
        "name": "Jane Doe",
        "email": "janedoe@example.com",
        "email_verified": true,
        "https://op.example/tenant": "t-1\u{202e}",
    })
}

pub(crate) fn validation() -> IdTokenValidation {
    IdTokenValidation::new(ISSUER, CLIENT_ID)
        .algorithms(&[JwsAlgorithm::Es256])
        .nonce("n-0S6_WzA2Mj")
}

pub(crate) fn validate(token: &str, validation: &IdTokenValidation) -> Result<IdToken, JwtError> {
    let keys = key_set(&es256_set("k1"), None);
    validation.validate(token, Some(ACCESS_TOKEN), &keys, &RustCryptoVerifier, NOW)
}

#[test]
fn the_key_set_request() {
    let fetch = KeySet::fetch(JWKS_URI).unwrap();
    let request = fetch.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("key_set_request", render(&request));
    assert_eq!(request.uri(), JWKS_URI);
    assert!(
        KeySet::fetch("http://op.example/jwks").is_err(),
        "https only"
    );
}

/// The client's key set is at its metadata's `jwks_uri`, checked like
/// every endpoint when the client is built.
#[test]
fn the_clients_key_set_is_at_its_jwks_uri() {
    let client = |jwks_uri: Option<&str>| {
        let mut metadata = ServerMetadata::new(
            "https://op.example",
            "https://op.example/auth",
            "https://op.example/token",
        );
        metadata.jwks_uri = jwks_uri.map(String::from);
        Client::new(
            metadata,
            ClientId::new("rp").unwrap(),
            ClientAuthentication::None,
        )
    };
    let with = client(Some(JWKS_URI)).unwrap();
    let fetch = KeySetFetch::new(&with).unwrap();
    assert_eq!(fetch, KeySet::fetch(JWKS_URI).unwrap());
    assert_eq!(fetch.request(&crate::CONTEXT).unwrap().uri(), JWKS_URI);
    assert_eq!(
        KeySetFetch::new(&client(None).unwrap()).unwrap_err(),
        ApiMisuse::NoEndpoint(EndpointKind::KeySet)
    );
    assert_eq!(
        client(Some("http://op.example/jwks")).unwrap_err(),
        ConfigError::InvalidEndpoint {
            member: "jwks_uri",
            problem: InvalidValue::NotHttps
        }
    );
}

#[test]
fn the_key_set_is_fresh_for_its_max_age() {
    let document = es256_set("k1");
    let fresh_until = |cache_control| key_set(&document, cache_control).fresh_until();
    assert_eq!(
        fresh_until(Some("public, max-age=3600")),
        NOW.saturating_add(Duration::from_secs(3600))
    );
    assert_eq!(
        fresh_until(None),
        NOW.saturating_add(DEFAULT_KEY_SET_MAX_AGE)
    );
    assert_eq!(
        fresh_until(Some("max-age=99999999999999999999")),
        NOW.saturating_add(MAX_KEY_SET_MAX_AGE)
    );
    assert_eq!(fresh_until(Some("no-store")), NOW);
    assert_eq!(fresh_until(Some("max-age=-1")), NOW);
    // The documented bounds, in seconds: ten minutes without `max-age`,
    // a day at most.
    assert_eq!(
        fresh_until(None),
        NOW.saturating_add(Duration::from_secs(600))
    );
    assert_eq!(
        fresh_until(Some("max-age=86401")),
        NOW.saturating_add(Duration::from_secs(86_400))
    );
    let keys = key_set(&document, Some("max-age=60"));
    assert!(keys.is_fresh(NOW));
    assert!(!keys.is_fresh(NOW.saturating_add(Duration::from_secs(60))));
    assert_eq!(
        keys.refresh().request(&crate::CONTEXT).unwrap().uri(),
        JWKS_URI
    );
}

#[test]
fn the_key_set_is_stored_and_read_back() {
    let keys = key_set(&es256_set("k1"), Some("max-age=600"));
    let stored = keys.to_json();
    assert_eq!(KeySet::from_json(stored.as_bytes()).unwrap(), keys);
    let tampered = stored.replace(r#""version":1"#, r#""version":2"#);
    assert!(KeySet::from_json(tampered.as_bytes()).is_err());
    assert!(KeySet::from_json(b"{}").is_err());
}

#[test]
fn a_bad_key_set_document_is_a_typed_failure() {
    let fetch = KeySet::fetch(JWKS_URI).unwrap();
    let failure = fetch
        .clone()
        .handle_response(HttpResponse::new(200, br#"{"keys":1}"#), NOW)
        .unwrap_err();
    assert_eq!(
        failure.error().kind(),
        &EndpointErrorKind::InvalidMember("keys")
    );
    let unavailable = fetch
        .clone()
        .handle_response(HttpResponse::new(503, b""), NOW)
        .unwrap_err();
    assert!(unavailable.is_retryable());
    // A document of exactly the cap is read; one byte more is not.
    let cap = oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES;
    let document = r#"{"keys":[]}"#;
    let at_cap = format!("{document}{}", " ".repeat(cap - document.len()));
    assert_eq!(at_cap.len(), cap);
    assert!(fetch
        .clone()
        .handle_response(HttpResponse::new(200, at_cap.as_bytes()), NOW)
        .is_ok());
    let over = format!("{at_cap} ");
    let failure = fetch
        .handle_response(HttpResponse::new(200, over.as_bytes()), NOW)
        .unwrap_err();
    assert_eq!(
        failure.error().kind(),
        &EndpointErrorKind::TooLarge { limit: cap }
    );
}

#[test]
fn a_valid_id_token() {
    let token = id_token("k1", claims());
    let id_token = validate(
        &token,
        &validation()
            .max_age(Duration::from_secs(3600))
            .essential_acr(&["urn:mace:incommon:iap:silver"]),
    )
    .unwrap();
    let claims = id_token.claims();
    assert_eq!(claims.subject(), "248289761001");
    assert_eq!(claims.issuer(), ISSUER);
    assert_eq!(claims.email(), Some("janedoe@example.com"));
    assert_eq!(claims.email_verified(), Some(true));
    assert_eq!(claims.name(), Some("Jane Doe"));
    assert_eq!(claims.audiences(), [CLIENT_ID]);
    assert_eq!(id_token.as_compact(), token);
    let tenant = claims.other().get("https://op.example/tenant").unwrap();
    assert_eq!(tenant.as_str(), Some("t-1\u{202e}"));
    let debug = format!("{id_token:?}");
    assert!(!debug.contains('\u{202e}'), "{debug}");
}

/// Core §3.1.3.8 and the example of its Appendix A.3: `at_hash` of that
/// access token under RS256 (SHA-256).
#[test]
fn core_at_hash() {
    assert_eq!(
        token_hash(JwsAlgorithm::Rs256, ACCESS_TOKEN),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
    assert_eq!(
        token_hash(JwsAlgorithm::Es256, ACCESS_TOKEN),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
    assert_eq!(
        token_hash(JwsAlgorithm::EdDsa, ACCESS_TOKEN).len(),
        43,
        "SHA-512's half"
    );
}

fn refused(change: impl FnOnce(&mut serde_json::Value)) -> JwtError {
    let mut claims = claims();
    change(&mut claims);
    validate(&id_token("k1", claims), &validation()).unwrap_err()
}

#[test]
fn each_rule_of_core_3_1_3_7_refuses() {
    use serde_json::json;
    assert_eq!(
        refused(|c| c["iss"] = json!("https://op.example/")),
        JwtError::IssuerMismatch("https://op.example/".into())
    );
    assert_eq!(
        refused(|c| c["aud"] = json!("another-client")),
        JwtError::AudienceMismatch
    );
    assert_eq!(
        refused(|c| c["aud"] = json!([CLIENT_ID, "another"])),
        JwtError::AuthorizedPartyMismatch
    );
    assert_eq!(
        refused(|c| {
            c["aud"] = json!([CLIENT_ID, "another"]);
            c["azp"] = json!("another");
        }),
        JwtError::AuthorizedPartyMismatch
    );
    assert!(validate(
        &id_token("k1", {
            let mut c = claims();
            c["aud"] = json!([CLIENT_ID, "x"]);
            c["azp"] = json!(CLIENT_ID);
            c
        }),
        &validation()
    )
    .is_ok());
    let exp = NOW.as_secs() - 61;
    assert_eq!(
        refused(|c| c["exp"] = json!(exp)),
        JwtError::Expired {
            exp: UnixTime::from_secs(exp)
        }
    );
    let iat = NOW.as_secs() + 61;
    assert_eq!(
        refused(|c| c["iat"] = json!(iat)),
        JwtError::IssuedInFuture {
            iat: UnixTime::from_secs(iat)
        }
    );
    assert_eq!(
        refused(|c| {
            c.as_object_mut().unwrap().remove("nonce");
        }),
        JwtError::NonceMissing
    );
    assert_eq!(
        refused(|c| c["nonce"] = json!("n-0S6_WzA2Mk")),
        JwtError::NonceMismatch
    );
    assert_eq!(
        refused(|c| c["at_hash"] = json!("LDktKdoQak3Pk0cnXxCltA")),
        JwtError::AtHashMismatch
    );
    assert_eq!(
        refused(|c| {
            c.as_object_mut().unwrap().remove("sub");
        }),
        JwtError::MissingClaim("sub")
    );
    assert_eq!(
        refused(|c| c["exp"] = json!("soon")),
        JwtError::InvalidClaim("exp")
    );
    assert_eq!(
        refused(|c| c["email_verified"] = json!("true")),
        JwtError::InvalidClaim("email_verified")
    );
}

#[test]
fn the_skew_is_configurable() {
    use serde_json::json;
    let mut late = claims();
    late["exp"] = json!(NOW.as_secs() - 30);
    let token = id_token("k1", late);
    assert!(
        validate(&token, &validation()).is_ok(),
        "within the default 60 s"
    );
    let strict = validation().clock_skew(Duration::from_secs(10));
    assert!(matches!(
        validate(&token, &strict),
        Err(JwtError::Expired { .. })
    ));
}

#[test]
fn max_age_and_essential_acr() {
    let token = id_token("k1", claims());
    let recent = validation()
        .max_age(Duration::from_secs(10))
        .clock_skew(Duration::ZERO);
    assert!(matches!(
        validate(&token, &recent),
        Err(JwtError::AuthTimeTooOld { .. })
    ));
    let mut no_auth_time = claims();
    no_auth_time.as_object_mut().unwrap().remove("auth_time");
    let token_without = id_token("k1", no_auth_time);
    let with_max_age = validation().max_age(Duration::from_secs(3600));
    assert_eq!(
        validate(&token_without, &with_max_age).unwrap_err(),
        JwtError::AuthTimeMissing
    );
    let gold = validation().essential_acr(&["urn:mace:incommon:iap:gold"]);
    assert_eq!(
        validate(&token, &gold).unwrap_err(),
        JwtError::AcrNotSatisfied
    );
}

#[test]
fn the_signature_and_algorithm_come_first() {
    let token = id_token("k1", claims());
    let (input, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{input}.{}", Base64UrlUnpadded::encode_string(&[7; 64]));
    assert_eq!(
        validate(&forged, &validation()).unwrap_err(),
        JwtError::BadSignature
    );
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"none"}"#);
    let unsigned = format!("{header}.{}.", input.split_once('.').unwrap().1);
    assert_eq!(
        validate(&unsigned, &validation()).unwrap_err(),
        JwtError::Unsigned
    );
    // RS256 is the default when the client registered nothing else.
    let default = IdTokenValidation::new(ISSUER, CLIENT_ID);
    assert_eq!(
        validate(&token, &default).unwrap_err(),
        JwtError::AlgorithmNotAllowed("ES256".into())
    );
}

/// Core §10.1.1: the server rotated its key. The unknown `kid` makes the
/// client fetch the set again, once; the token then verifies. A forged
/// `kid` gets one fetch, then a typed error, and no fetch again within
/// the interval.
#[test]
fn an_unknown_kid_fetches_the_key_set_again_once() {
    let old = key_set(&es256_set("old"), Some("max-age=3600"));
    let token = id_token("new", claims());
    let later = NOW.saturating_add(Duration::from_secs(5));
    let first = validation().validate(&token, Some(ACCESS_TOKEN), &old, &RustCryptoVerifier, later);
    assert_eq!(
        first.unwrap_err(),
        (JwtError::UnknownKey(Some("new".into())))
    );
    // Fetched moments ago: no fetch for it yet.
    assert_eq!(
        old.refetch(later).unwrap_err(),
        JwtError::KeySetRefetchTooSoon {
            not_before: NOW.saturating_add(KEY_SET_REFETCH_INTERVAL)
        }
    );
    let when = NOW.saturating_add(KEY_SET_REFETCH_INTERVAL);
    let fetch = old.refetch(when).unwrap();
    let rotated = fetch
        .handle_response(HttpResponse::new(200, es256_set("new").as_bytes()), when)
        .unwrap();
    let id_token = validation()
        .validate(
            &token,
            Some(ACCESS_TOKEN),
            &rotated,
            &RustCryptoVerifier,
            when,
        )
        .unwrap();
    assert_eq!(id_token.claims().subject(), "248289761001");
    // A forged kid: the fresh set lacks it too, and no fetch follows.
    let forged = self::id_token("forged", claims());
    let error = validation().validate(&forged, None, &rotated, &RustCryptoVerifier, when);
    assert_eq!(
        error.unwrap_err(),
        (JwtError::UnknownKey(Some("forged".into())))
    );
    assert!(rotated.refetch(when).is_err());
}

mod sign_in {
    //! The code exchange of an OpenID Connect login (Core §3.1.3): the
    //! nonce drawn with `state`, kept in the stored flow, and required in
    //! the ID token before the tokens come out.

    use super::*;

    fn client() -> Client {
        let metadata = ServerMetadata::new(
            ISSUER,
            "https://op.example/auth",
            "https://op.example/token",
        );
        Client::new(
            metadata,
            ClientId::new(CLIENT_ID).unwrap(),
            ClientAuthentication::None,
        )
        .unwrap()
        .with_redirect_uri(RedirectUri::new("https://rp.example/cb").unwrap())
    }

    fn query(url: &str, name: &str) -> Option<String> {
        let url = url::Url::parse(url).unwrap();
        url.query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Starts a login with `scope`, stores and reloads the pending flow,
    /// and handles the callback: the exchange step, and the nonce sent.
    fn exchange(scope: &str) -> (Exchanging, Option<String>) {
        exchange_with(&client(), scope)
    }

    fn exchange_with(client: &Client, scope: &str) -> (Exchanging, Option<String>) {
        let (request, pending) = Start::new(client)
            .scope(Scope::parse(scope).unwrap())
            .begin(FlowEntropy::from_bytes([3; 64]), NOW)
            .unwrap();
        let nonce = query(request.url(), "nonce");
        let pending = AwaitingCallback::from_json(pending.to_json().as_bytes()).unwrap();
        let state = pending.state().secret().to_owned();
        let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
        (pending.handle_callback(client, callback).unwrap(), nonce)
    }

    fn token_response(id_token: Option<&str>) -> String {
        let id_token = id_token
            .map(|t| format!(r#","id_token":"{t}""#))
            .unwrap_or_default();
        format!(
            r#"{{"token_type":"Bearer","access_token":"{ACCESS_TOKEN}","expires_in":300{id_token}}}"#
        )
    }

    fn received(exchanging: Exchanging, body: &str) -> IdTokenReceived {
        let response =
            HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
        exchanging
            .sign_in()
            .handle_response(response, NOW)
            .unwrap()
            .algorithms(&[JwsAlgorithm::Es256])
    }

    fn claims_with_nonce(nonce: &str) -> serde_json::Value {
        let mut claims = claims();
        claims["nonce"] = serde_json::json!(nonce);
        claims
    }

    #[test]
    fn a_nonce_is_drawn_for_openid_only() {
        let (_, nonce) = exchange("openid email");
        let nonce = nonce.expect("a nonce with openid");
        assert_eq!(nonce.len(), 43, "256 bits, base64url");
        let (_, state_only) = exchange("email");
        assert_eq!(state_only, None);
        // The caller's own nonce is sent once, and kept.
        let client = client();
        let (request, pending) = Start::new(&client)
            .scope(Scope::parse("openid").unwrap())
            .param("nonce", "my-nonce")
            .begin(FlowEntropy::from_bytes([3; 64]), NOW)
            .unwrap();
        assert_eq!(request.url().matches("nonce=").count(), 1);
        assert_eq!(query(request.url(), "nonce").as_deref(), Some("my-nonce"));
        assert!(
            !format!("{pending:?}").contains("my-nonce"),
            "the nonce is redacted"
        );
    }

    #[test]
    fn a_flow_stored_before_the_nonce_still_loads() {
        let (_, pending) = Start::new(&client())
            .scope(Scope::parse("openid").unwrap())
            .begin(FlowEntropy::from_bytes([3; 64]), NOW)
            .unwrap();
        let stored = pending.to_json();
        assert!(stored.contains(r#""nonce":"#));
        let mut old: serde_json::Value = serde_json::from_str(&stored).unwrap();
        old.as_object_mut().unwrap().remove("nonce");
        let old = AwaitingCallback::from_json(old.to_string().as_bytes()).unwrap();
        assert_eq!(old.state(), pending.state());
    }

    #[test]
    fn the_id_token_is_verified_before_the_tokens_come_out() {
        let (exchanging, nonce) = exchange("openid");
        let token = id_token("k1", claims_with_nonce(&nonce.unwrap()));
        let keys = key_set(&es256_set("k1"), None);
        let signed_in = received(exchanging, &token_response(Some(&token)))
            .verify(&keys, &RustCryptoVerifier, NOW)
            .unwrap();
        assert_eq!(signed_in.id_token().claims().subject(), "248289761001");
        assert_eq!(
            signed_in.authorized().tokens().access_token().secret(),
            ACCESS_TOKEN
        );
    }

    /// `Driver::sign_in`: the exchange and the verification in one call;
    /// a rotated key costs one fetch of the set, into the caller's
    /// `KeySet`; a token no fetch explains is refused, fetching nothing.
    #[test]
    fn the_driver_signs_in_and_fetches_a_rotated_set_once() {
        use std::cell::RefCell;
        use std::convert::Infallible;
        let client = client()
            .with_id_token_signing_alg(JwsAlgorithm::Es256)
            .unwrap();
        let later = NOW.saturating_add(KEY_SET_REFETCH_INTERVAL);
        let sent = RefCell::new(Vec::new());
        let run = |kid: &str, keys: &mut KeySet| {
            let (exchanging, nonce) = exchange_with(&client, "openid");
            let token = id_token(kid, claims_with_nonce(&nonce.unwrap()));
            let send = |request: http::Request<RequestBody>| {
                let uri = request.uri().to_string();
                let body = match uri.as_str() {
                    JWKS_URI => es256_set("new"),
                    _ => token_response(Some(&token)),
                };
                sent.borrow_mut().push(uri);
                Ok::<_, Infallible>(
                    http::Response::builder()
                        .status(200)
                        .header("content-type", "application/json")
                        .body(body.into_bytes())
                        .unwrap(),
                )
            };
            let driver = Driver::with_policy(transport::from_fn(send), RetryPolicy::new(3))
                .with_clock(move || later);
            driver.sign_in(exchanging, keys, &RustCryptoVerifier)
        };

        let mut keys = key_set(&es256_set("old"), Some("max-age=3600"));
        let signed_in = run("new", &mut keys).unwrap();
        assert_eq!(signed_in.id_token().claims().subject(), "248289761001");
        assert_eq!(keys.fetched_at(), later, "the caller's set is the new one");
        assert_eq!(
            *sent.borrow(),
            ["https://op.example/token", JWKS_URI],
            "one exchange, one fetch"
        );

        sent.borrow_mut().clear();
        let refused = run("forged", &mut keys).unwrap_err();
        match refused {
            errors::ChainError::Endpoint(error) => assert_eq!(
                error.kind(),
                &EndpointErrorKind::IdTokenRejected(JwtError::KeySetRefetchTooSoon {
                    not_before: later.saturating_add(KEY_SET_REFETCH_INTERVAL)
                })
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(*sent.borrow(), ["https://op.example/token"], "no fetch");
    }

    /// Core §3.1.3.7 item 7: RS256 unless the client registered another
    /// algorithm; a token signed with any other is refused.
    #[test]
    fn the_registered_algorithm_is_the_only_one_accepted() {
        let sign_in = |client: &Client| {
            let (exchanging, nonce) = exchange_with(client, "openid");
            let token = id_token("k1", claims_with_nonce(&nonce.unwrap()));
            let response = token_response(Some(&token));
            let response =
                HttpResponse::new(200, response.as_bytes()).with_content_type("application/json");
            let received = exchanging.sign_in().handle_response(response, NOW).unwrap();
            received.verify(&key_set(&es256_set("k1"), None), &RustCryptoVerifier, NOW)
        };
        // The default, RS256: the ES256 token is refused.
        let refused = sign_in(&client()).unwrap_err();
        assert_eq!(
            *refused.error(),
            EndpointErrorKind::IdTokenRejected(JwtError::AlgorithmNotAllowed("ES256".into()))
        );
        // Registered ES256: accepted.
        let es256 = client()
            .with_id_token_signing_alg(JwsAlgorithm::Es256)
            .unwrap();
        assert!(sign_in(&es256).is_ok());
        // A server that does not list it: refused when the client is built.
        let mut metadata = ServerMetadata::new(
            ISSUER,
            "https://op.example/auth",
            "https://op.example/token",
        );
        metadata.id_token_signing_alg_values_supported = Some(vec!["RS256".into()]);
        let client = Client::new(
            metadata,
            ClientId::new(CLIENT_ID).unwrap(),
            ClientAuthentication::None,
        )
        .unwrap();
        assert_eq!(
            client
                .with_id_token_signing_alg(JwsAlgorithm::Es256)
                .unwrap_err(),
            ConfigError::IdTokenAlgorithmNotSupported { alg: "ES256" }
        );
    }

    #[test]
    fn another_logins_nonce_is_refused() {
        let (exchanging, _) = exchange("openid");
        let token = id_token("k1", claims_with_nonce("another-login"));
        let keys = key_set(&es256_set("k1"), None);
        let refused = received(exchanging, &token_response(Some(&token))).verify(
            &keys,
            &RustCryptoVerifier,
            NOW,
        );
        assert_eq!(
            *refused.unwrap_err().error(),
            EndpointErrorKind::IdTokenRejected(JwtError::NonceMismatch)
        );
    }

    #[test]
    fn a_missing_id_token_is_an_error() {
        let (exchanging, _) = exchange("openid");
        let keys = key_set(&es256_set("k1"), None);
        let refused =
            received(exchanging, &token_response(None)).verify(&keys, &RustCryptoVerifier, NOW);
        assert_eq!(
            *refused.unwrap_err().error(),
            EndpointErrorKind::MissingMember("id_token")
        );
    }

    /// The plain code exchange of an OpenID login (without `sign_in`)
    /// hands out the tokens but not the ID token nothing verified; a login
    /// without `openid` keeps every member as it was sent.
    #[test]
    fn a_plain_exchange_hands_out_no_unverified_id_token() {
        let body = token_response(Some("eyJhbGciOiJFUzI1NiJ9.e30.c2ln"));
        let response =
            || HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
        let (exchanging, _) = exchange("openid");
        let authorized = exchanging.handle_response(response(), NOW).unwrap();
        assert!(authorized.tokens().extra().is_empty());
        let (exchanging, _) = exchange("email");
        let authorized = exchanging.handle_response(response(), NOW).unwrap();
        let extra = authorized.tokens().extra();
        assert_eq!(
            extra.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            ["id_token"]
        );
    }

    /// The server rotated its key between the key set's fetch and the
    /// login: one fetch again, then the sign-in succeeds; a second
    /// unknown `kid` after it is final.
    #[test]
    fn a_rotated_key_costs_exactly_one_fetch() {
        let (exchanging, nonce) = exchange("openid");
        let token = id_token("new", claims_with_nonce(&nonce.unwrap()));
        let old = key_set(&es256_set("old"), None);
        let later = NOW.saturating_add(KEY_SET_REFETCH_INTERVAL);
        let failure = received(exchanging, &token_response(Some(&token)))
            .verify(&old, &RustCryptoVerifier, later)
            .unwrap_err();
        assert_eq!(
            *failure.error(),
            EndpointErrorKind::IdTokenRejected(JwtError::UnknownKey(Some("new".into())))
        );
        assert!(failure.is_fallback(), "the unknown kid asks for a fetch");
        let unknown = failure.into_retry().unwrap();
        let fetch = unknown.refetch();
        assert_eq!(fetch.request(&crate::CONTEXT).unwrap().uri(), JWKS_URI);
        let rotated = fetch
            .handle_response(HttpResponse::new(200, es256_set("new").as_bytes()), later)
            .unwrap();
        let signed_in = unknown
            .into_received()
            .verify(&rotated, &RustCryptoVerifier, later)
            .unwrap();
        assert_eq!(signed_in.id_token().claims().subject(), "248289761001");

        // A kid the fresh set lacks too: no second fetch.
        let (exchanging, nonce) = exchange("openid");
        let forged = id_token("forged", claims_with_nonce(&nonce.unwrap()));
        let unknown = received(exchanging, &token_response(Some(&forged)))
            .verify(&old, &RustCryptoVerifier, later)
            .unwrap_err()
            .into_retry()
            .expect("the unknown kid asks for a fetch");
        let again = unknown
            .into_received()
            .verify(&old, &RustCryptoVerifier, later)
            .unwrap_err();
        assert_eq!(
            *again.error(),
            EndpointErrorKind::IdTokenRejected(JwtError::UnknownKey(Some("forged".into())))
        );
        assert!(again.into_retry().is_none());
    }
}

mod refresh {
    //! Core §12.2: the ID token of a refresh response, checked against
    //! the login's.

    use super::*;
    use serde_json::json;

    fn original() -> IdToken {
        validate(&id_token("k1", claims()), &validation()).unwrap()
    }

    fn refreshed(change: impl FnOnce(&mut serde_json::Value)) -> Result<IdToken, JwtError> {
        let mut claims = claims();
        claims.as_object_mut().unwrap().remove("nonce");
        claims.as_object_mut().unwrap().remove("at_hash");
        claims["iat"] = json!(NOW.as_secs());
        change(&mut claims);
        let keys = key_set(&es256_set("k1"), None);
        original().validate_refreshed(
            &id_token("k1", claims),
            Some("new-access-token"),
            &keys,
            &RustCryptoVerifier,
            NOW,
        )
    }

    #[test]
    fn a_refreshed_id_token_keeps_the_logins_identity() {
        let new = refreshed(|_| {}).unwrap();
        assert_eq!(new.claims().subject(), "248289761001");
        assert_eq!(new.claims().nonce(), None, "no nonce needed");
        assert!(
            refreshed(|c| c["nonce"] = json!("n-0S6_WzA2Mj")).is_ok(),
            "the original's nonce"
        );
        assert_eq!(
            refreshed(|c| c["nonce"] = json!("other")).unwrap_err(),
            JwtError::RefreshChanged("nonce")
        );
        assert_eq!(
            refreshed(|c| c["sub"] = json!("someone-else")).unwrap_err(),
            JwtError::RefreshChanged("sub")
        );
        assert_eq!(
            refreshed(|c| c["aud"] = json!([CLIENT_ID, "other"])).unwrap_err(),
            JwtError::RefreshChanged("aud")
        );
        assert_eq!(
            refreshed(|c| c["azp"] = json!(CLIENT_ID)).unwrap_err(),
            JwtError::RefreshChanged("azp")
        );
        assert_eq!(
            refreshed(|c| c["auth_time"] = json!(NOW.as_secs())).unwrap_err(),
            JwtError::RefreshChanged("auth_time")
        );
        assert_eq!(
            refreshed(|c| c["iss"] = json!("https://other.example")).unwrap_err(),
            JwtError::IssuerMismatch("https://other.example".into())
        );
        assert!(matches!(
            refreshed(|c| c["exp"] = json!(NOW.as_secs() - 120)),
            Err(JwtError::Expired { .. })
        ));
        let at_hash = token_hash(JwsAlgorithm::Es256, "new-access-token");
        assert!(refreshed(|c| c["at_hash"] = json!(at_hash)).is_ok());
        assert_eq!(
            refreshed(|c| c["at_hash"] = json!("77QmUPtjPfzWtF2AnpK9RQ")).unwrap_err(),
            JwtError::AtHashMismatch
        );
    }

    #[test]
    fn the_logins_id_token_is_stored_and_read_back() {
        let original = original();
        let stored = serde_json::to_string(&original).unwrap();
        let loaded: IdToken = serde_json::from_str(&stored).unwrap();
        assert_eq!(loaded, original);
        assert!(loaded
            .validate_refreshed(
                &id_token("k1", claims()),
                None,
                &key_set(&es256_set("k1"), None),
                &RustCryptoVerifier,
                NOW
            )
            .is_ok());
        assert!(
            serde_json::from_str::<IdToken>(r#"{"v":1,"alg":"none","id_token":"e30.e30."}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<IdToken>(r#"{"v":2,"alg":"ES256","id_token":"e30.e30."}"#)
                .is_err()
        );
    }
}

/// Each time rule at its boundary, to the second, with the default 60 s
/// skew: `exp` (Core §3.1.3.7 item 9), `iat` (item 10), `nbf` (RFC 7519
/// §4.1.5) and `auth_time` against `max_age` (item 12).
#[test]
fn the_time_claims_are_checked_to_the_second() {
    use serde_json::json;
    let at = |change: &dyn Fn(&mut serde_json::Value), validation: &IdTokenValidation| {
        let mut claims = claims();
        change(&mut claims);
        validate(&id_token("k1", claims), validation)
    };
    let now = NOW.as_secs();
    let plain = validation();
    assert!(at(&|c| c["exp"] = json!(now - 59), &plain).is_ok());
    assert!(matches!(
        at(&|c| c["exp"] = json!(now - 60), &plain),
        Err(JwtError::Expired { .. })
    ));
    assert!(at(&|c| c["iat"] = json!(now + 60), &plain).is_ok());
    assert!(matches!(
        at(&|c| c["iat"] = json!(now + 61), &plain),
        Err(JwtError::IssuedInFuture { .. })
    ));
    let id_token = at(&|c| c["nbf"] = json!(now + 60), &plain).unwrap();
    assert_eq!(
        id_token.claims().not_before(),
        Some(UnixTime::from_secs(now + 60))
    );
    for nbf in [now + 61, now + 3600] {
        assert_eq!(
            at(&|c| c["nbf"] = json!(nbf), &plain).unwrap_err(),
            JwtError::NotYetValid {
                nbf: UnixTime::from_secs(nbf)
            }
        );
    }
    // `auth_time` is 60 s ago: a 10 s `max_age` with 50 s of skew reaches
    // it exactly, with 49 s it does not.
    let reaches = validation()
        .max_age(Duration::from_secs(10))
        .clock_skew(Duration::from_secs(50));
    let id_token = at(&|_| {}, &reaches).unwrap();
    assert_eq!(
        id_token.claims().auth_time(),
        Some(UnixTime::from_secs(now - 60))
    );
    let short = validation()
        .max_age(Duration::from_secs(10))
        .clock_skew(Duration::from_secs(49));
    assert!(matches!(
        at(&|_| {}, &short),
        Err(JwtError::AuthTimeTooOld { .. })
    ));
    // NumericDate (RFC 7519 §2): a fraction is taken, a date past any
    // clock or before the epoch is not.
    assert!(at(&|c| c["exp"] = json!(now as f64 + 300.5), &plain).is_ok());
    for exp in [json!(1.0e20), json!(-5.0), json!(-5)] {
        assert_eq!(
            at(&|c| c["exp"] = exp.clone(), &plain).unwrap_err(),
            JwtError::InvalidClaim("exp"),
            "{exp}"
        );
    }
}

/// The claims read as sent: `amr`, an `email_verified` of `false`.
#[test]
fn the_authentication_claims_read_as_sent() {
    use serde_json::json;
    let plain = validate(&id_token("k1", claims()), &validation()).unwrap();
    assert_eq!(plain.claims().amr(), None);
    let mut sent = claims();
    sent["amr"] = json!(["pwd", "otp"]);
    sent["email_verified"] = json!(false);
    let id_token = validate(&id_token("k1", sent), &validation()).unwrap();
    let read = id_token.claims();
    assert_eq!(read.amr(), Some(&["pwd".to_owned(), "otp".to_owned()][..]));
    assert_eq!(read.email_verified(), Some(false));
}

/// `at_hash` with the hash of each `alg` (Core §3.1.3.8): SHA-384 for the
/// 384 algorithms, SHA-512 for the 512 ones and EdDSA; the left half of
/// the digest, base64url (values from Python's hashlib).
#[test]
fn token_hashes_follow_the_algorithm() {
    for alg in [
        JwsAlgorithm::Es384,
        JwsAlgorithm::Ps384,
        JwsAlgorithm::Rs384,
    ] {
        assert_eq!(token_hash(alg, ACCESS_TOKEN), SHA384_HALF, "{alg:?}");
    }
    for alg in [
        JwsAlgorithm::Es512,
        JwsAlgorithm::Ps512,
        JwsAlgorithm::Rs512,
        JwsAlgorithm::EdDsa,
    ] {
        assert_eq!(token_hash(alg, ACCESS_TOKEN), SHA512_HALF, "{alg:?}");
    }
}

const SHA384_HALF: &str = "jtAeDp945y1dDqU3nkIVGNZP1HjH_MFs";
const SHA512_HALF: &str = "q7nS86GgvvFaZkzALLWqJYaJIKw2wCDAVfCAsm5CrBM";

//! DPoP (RFC 9449): the proofs the crate signs, where they go, the nonce
//! a server demands, and what a DPoP-bound token may and may not do.

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::{
    ApiMisuse, ConfigError, EndpointErrorKind, ResourceError, TokenErrorCode,
};
use oauth2_pkce::jose::{DpopKey, Ed25519Key, Es256Key};
use oauth2_pkce::tolerance::TokenType;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;
use sha2::{Digest, Sha256};

use crate::rendering::{decode_jws, render, render_http};

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const CONTEXT: RequestContext = RequestContext::new(NOW, [0x5e; 32]);

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token?tenant=t1",
    );
    metadata.pushed_authorization_request_endpoint = Some("https://as.example/par".into());
    metadata.dpop_signing_alg_values_supported = Some(vec!["ES256".into(), "EdDSA".into()]);
    metadata
}

/// RFC 7515 Appendix A.3's P-256 key.
pub(crate) fn key() -> DpopKey {
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    DpopKey::new(Es256Key::from_bytes(&d).unwrap())
}

fn client(key: DpopKey) -> Client {
    Client::new(
        metadata(),
        ClientId::new("s6BhdRkqt3").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
    .with_dpop(key)
    .unwrap()
}

fn exchanging(client: &Client) -> Exchanging {
    let (_, pending) = Start::new(client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    pending.handle_callback(client, callback).unwrap()
}

fn tokens(token_type: &str) -> Vec<u8> {
    format!(r#"{{"token_type":"{token_type}","access_token":"Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU","refresh_token":"r","expires_in":60}}"#)
        .into_bytes()
}

fn dpop_bound(client: &Client) -> Authorized {
    let body = tokens("DPoP");
    let response = HttpResponse::new(200, &body)
        .with_content_type("application/json")
        .with_dpop_nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v");
    exchanging(client).handle_response(response, NOW).unwrap()
}

/// RFC 9449 §4.2: `typ: dpop+jwt`, the public key in `jwk`; `jti`, `htm`,
/// `htu` without the endpoint's query, `iat`; at the token endpoint no
/// `ath`. The authorization request names the key's thumbprint (§10).
#[test]
fn the_token_request_carries_a_proof() {
    let client = client(key());
    let (authorization, _) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let jkt = key().thumbprint();
    assert!(authorization.url().ends_with(&format!("&dpop_jkt={jkt}")));

    let request = exchanging(&client).request(&CONTEXT).unwrap();
    insta::assert_snapshot!("token_request_with_dpop_proof", render(&request));
    assert_eq!(
        render_http(&request.clone().into_http()),
        render(&request),
        "the http form has the same headers"
    );
    assert!(request.clone().into_http().headers()["dpop"].is_sensitive());
    let (header, claims) = decode_jws(request.header("dpop").unwrap());
    assert_eq!(
        header,
        serde_json::json!({
            "alg": "ES256",
            "typ": "dpop+jwt",
            "jwk": {
                "crv": "P-256",
                "kty": "EC",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
            },
        })
    );
    assert_eq!(
        claims,
        serde_json::json!({
            "jti": Base64UrlUnpadded::encode_string(&[0x5e; 16]),
            "htm": "POST",
            "htu": "https://as.example/token",
            "iat": 1_700_000_000,
        })
    );
    let printed = format!("{request:?}");
    assert!(
        !printed.contains(request.header("dpop").unwrap()),
        "{printed}"
    );
}

/// RFC 9449 §5: `token_type: DPoP` binds the tokens to the key; a bearer
/// answer to a proof is a bearer token; a DPoP answer to a client that
/// sent no proof is refused (it could never use the token).
#[test]
fn token_types_and_bindings() {
    let client = client(key());
    let authorized = dpop_bound(&client);
    assert_eq!(
        authorized.tokens().dpop_jkt(),
        Some(key().thumbprint().as_str())
    );
    assert_eq!(authorized.tokens().token_type(), &TokenType::Dpop);
    let json = serde_json::to_string(&authorized).unwrap();
    let stored = Authorized::from_json(json.as_bytes()).unwrap();
    assert_eq!(stored.tokens().token_type(), &TokenType::Dpop);
    // A stored DPoP token that also claims another type is refused.
    let confused = json.replacen("\"v\":1,", "\"v\":1,\"token_type\":\"\",", 1);
    assert_ne!(confused, json);
    assert!(Authorized::from_json(confused.as_bytes()).is_err());

    let body = tokens("Bearer");
    let response = HttpResponse::new(200, &body).with_content_type("application/json");
    let bearer = exchanging(&client).handle_response(response, NOW).unwrap();
    assert_eq!(bearer.tokens().dpop_jkt(), None);
    assert_eq!(bearer.tokens().token_type(), &TokenType::Bearer);

    let plain = Client::new(
        metadata(),
        ClientId::new("s6BhdRkqt3").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap());
    let body = tokens("DPoP");
    let response = HttpResponse::new(200, &body).with_content_type("application/json");
    let failure = exchanging(&plain)
        .handle_response(response, NOW)
        .unwrap_err();
    assert!(
        matches!(failure.error().kind(), EndpointErrorKind::UnsupportedTokenType(t) if t.as_str() == "DPoP"),
        "{}",
        failure.error()
    );
}

/// RFC 9449 §8: `use_dpop_nonce` with a `DPoP-Nonce` hands the step back
/// at once with the nonce in its next proof; once, and never for
/// a nonce it already used or one that is not `1*NQCHAR`.
#[test]
fn a_nonce_the_server_demands_goes_into_the_next_proof() {
    let client = client(key());
    let demand = br#"{"error":"use_dpop_nonce","error_description":"nonce required"}"#;
    let answer = |nonce: &'static str| {
        HttpResponse::new(400, demand)
            .with_content_type("application/json")
            .with_dpop_nonce(nonce)
    };
    let failure = exchanging(&client)
        .handle_response(answer("n-1"), NOW)
        .unwrap_err();
    assert!(failure.is_fallback());
    let step = failure.into_retry().unwrap();
    let (_, claims) = decode_jws(step.request(&CONTEXT).unwrap().header("dpop").unwrap());
    assert_eq!(claims["nonce"], "n-1");

    // The same nonce again: not a new demand.
    let failure = step.handle_response(answer("n-1"), NOW).unwrap_err();
    assert!(!failure.is_fallback());

    // A new nonce after the retry: exactly one retry, no more.
    let failure = exchanging(&client)
        .handle_response(answer("n-1"), NOW)
        .unwrap_err();
    let failure = failure
        .into_retry()
        .unwrap()
        .handle_response(answer("n-2"), NOW)
        .unwrap_err();
    assert!(!failure.is_fallback());
    assert_eq!(failure.code(), Some(&TokenErrorCode::UseDpopNonce));

    // A nonce outside NQCHAR is never used.
    let failure = exchanging(&client)
        .handle_response(answer("bad nonce"), NOW)
        .unwrap_err();
    assert!(!failure.is_fallback());
}

/// The nonce of the token response is kept with the grant, stored, and
/// used by the next refresh; the refresh is proven and refused with
/// another key before anything is sent.
#[test]
fn the_refresh_is_proven_with_the_grants_key() {
    let client = client(key());
    let authorized = dpop_bound(&client);
    let stored: Authorized =
        serde_json::from_slice(&serde_json::to_vec(&authorized).unwrap()).unwrap();
    assert_eq!(stored, authorized);
    let request = stored.refresh(&client).unwrap().request(&CONTEXT).unwrap();
    insta::assert_snapshot!("refresh_request_with_dpop_proof", render(&request));
    let (_, claims) = decode_jws(request.header("dpop").unwrap());
    assert_eq!(claims["nonce"], "eyJ7S_zG.eyJH0-Z.HX4w-7v");

    let other = client_with_ed25519();
    assert_eq!(
        authorized.refresh(&other).unwrap_err(),
        ApiMisuse::DpopKeyMismatch
    );

    // A tampered store: a thumbprint or a nonce that could not be.
    let json = serde_json::to_string(&authorized).unwrap();
    for (from, to) in [
        (key().thumbprint(), "not base64url!".to_owned()),
        ("eyJ7S_zG.eyJH0-Z.HX4w-7v".to_owned(), "a\\\"b".to_owned()),
    ] {
        let tampered = json.replace(&from, &to);
        assert_ne!(tampered, json);
        assert!(
            Authorized::from_json(tampered.as_bytes()).is_err(),
            "{tampered}"
        );
    }
}

/// A `GET` of `uri` with `authorized`'s DPoP-bound token and a proof of
/// `client`'s key, built for `CONTEXT`.
fn dpop_get(
    authorized: &Authorized,
    client: &Client,
    uri: &str,
) -> Result<http::Request<RequestBody>, ResourceError> {
    let mut request = http::Request::get(uri)
        .body(RequestBody::default())
        .unwrap();
    authorized
        .authorize_dpop_request(client, &mut request, &CONTEXT)
        .map(|()| request)
}

/// A `GET` of `uri` with `authorized`'s token as a bearer token.
fn bearer_get(
    authorized: &Authorized,
    uri: &str,
) -> Result<http::Request<RequestBody>, ResourceError> {
    let mut request = http::Request::get(uri)
        .body(RequestBody::default())
        .unwrap();
    authorized.authorize_request(&mut request).map(|()| request)
}

fn client_with_ed25519() -> Client {
    client(DpopKey::new(Ed25519Key::from_bytes(&[9; 32])))
}

/// RFC 9449 §7: at a protected resource, `Authorization: DPoP` and a proof
/// with `ath` = the token's hash and `htu` without query; never as a
/// bearer token, and only with the key the token is bound to.
#[test]
fn resource_requests_with_a_bound_token() {
    let client = client(key());
    let mut authorized = dpop_bound(&client);
    let uri = "https://RS.example/protectedresource?x=1#top";
    let demand = HttpResponse::new(401, b"")
        .with_www_authenticate(r#"DPoP error="use_dpop_nonce""#)
        .with_dpop_nonce("rs-nonce");
    assert!(authorized.handle_resource_response(uri, demand));
    let request = dpop_get(&authorized, &client, uri).unwrap();
    assert_eq!(
        request.headers()["authorization"],
        "DPoP Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
    );
    assert!(request.headers()["authorization"].is_sensitive());
    assert!(request.headers()["dpop"].is_sensitive());
    let (_, claims) = decode_jws(request.headers()["dpop"].to_str().unwrap());
    // RFC 9449 §7.1's example token, and its `ath`.
    assert_eq!(claims["ath"], "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    let ath = Sha256::digest(b"Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");
    assert_eq!(claims["ath"], Base64UrlUnpadded::encode_string(&ath));
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["htu"], "https://rs.example/protectedresource");
    assert_eq!(claims["nonce"], "rs-nonce");

    for (outcome, expected) in [
        (
            bearer_get(&authorized, uri).unwrap_err(),
            ResourceError::Misuse(ApiMisuse::DpopBound),
        ),
        (
            authorized.bearer_authorization(uri).unwrap_err(),
            ResourceError::Misuse(ApiMisuse::DpopBound),
        ),
        (
            dpop_get(&authorized, &client_with_ed25519(), uri).unwrap_err(),
            ResourceError::Misuse(ApiMisuse::DpopKeyMismatch),
        ),
        (
            dpop_get(&authorized, &client, "http://rs.example/").unwrap_err(),
            ResourceError::InsecureTarget,
        ),
    ] {
        assert_eq!(outcome, expected);
    }
    let body = tokens("Bearer");
    let response = HttpResponse::new(200, &body).with_content_type("application/json");
    let bearer = exchanging(&client).handle_response(response, NOW).unwrap();
    assert_eq!(
        dpop_get(&bearer, &client, uri).unwrap_err(),
        ResourceError::Misuse(ApiMisuse::NotDpopBound)
    );
}

/// A pushed request carries the proof; the client credentials grant too;
/// a revocation does not (RFC 9449 defines none for it).
#[test]
fn which_requests_are_proven() {
    let client = client(key());
    let pushing = Start::new(&client)
        .push(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let par = pushing.request(&CONTEXT).unwrap();
    let (_, claims) = decode_jws(par.header("dpop").unwrap());
    assert_eq!(claims["htu"], "https://as.example/par");
    assert!(!std::str::from_utf8(par.body())
        .unwrap()
        .contains("dpop_jkt"));

    let grant = ClientCredentials::new(&client, Scope::empty()).unwrap();
    assert!(grant.request(&CONTEXT).unwrap().header("dpop").is_some());

    let mut metadata = metadata().with_revocation_endpoint("https://as.example/revoke");
    metadata.dpop_signing_alg_values_supported = None;
    let with_revocation = Client::new(
        metadata,
        ClientId::new("s6BhdRkqt3").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
    .with_dpop(key())
    .unwrap();
    let revocation = dpop_bound(&with_revocation)
        .revoke_grant(&with_revocation)
        .unwrap();
    assert_eq!(revocation.request(&CONTEXT).unwrap().header("dpop"), None);
}

/// The key's algorithm must be one the server lists.
#[test]
fn the_servers_algorithms_are_checked() {
    let mut metadata = metadata();
    metadata.dpop_signing_alg_values_supported = Some(vec!["EdDSA".into()]);
    let error = Client::new(
        metadata,
        ClientId::new("c").unwrap(),
        ClientAuthentication::None,
    )
    .unwrap()
    .with_dpop(key())
    .unwrap_err();
    assert_eq!(
        error,
        ConfigError::DpopAlgorithmNotSupported { alg: "ES256" }
    );
    assert_eq!(
        error.to_string(),
        "the server does not list `ES256` in dpop_signing_alg_values_supported"
    );
}

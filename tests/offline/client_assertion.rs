//! JWT client authentication (RFC 7523 §2.2 and §3, OpenID Connect Core
//! §9): what the assertion says, that every endpoint carries one, that
//! each send gets a new one, and what the configuration refuses.

use std::convert::Infallible;

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use oauth2_pkce::errors::{ConfigError, CryptoError, DriveError};
use oauth2_pkce::jose::{
    ClientAssertionKey, Ed25519Key, Es256Key, JwsAlgorithm, PublicJwk, Signer,
};
use oauth2_pkce::values::{HttpRequest, HttpResponse};
use oauth2_pkce::*;
use sha2::Sha256;

use crate::rendering::{decode_jws, render};

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const ISSUER: &str = "https://as.example";
const SECRET: &str = "hs-secret-long-enough-for-hmac-sha-256-keys";

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        ISSUER,
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_revocation_endpoint("https://as.example/revoke")
    .with_token_endpoint_auth_methods_supported(["private_key_jwt", "client_secret_jwt"]);
    metadata.pushed_authorization_request_endpoint = Some("https://as.example/par".into());
    metadata
}

/// RFC 7515 Appendix A.3's P-256 key.
fn es256() -> Es256Key {
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    Es256Key::from_bytes(&d).unwrap()
}

fn client_with(authentication: ClientAuthentication) -> Client {
    Client::new(
        metadata(),
        ClientId::new("s6BhdRkqt3").unwrap(),
        authentication,
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
}

fn private_key_jwt() -> Client {
    client_with(ClientAuthentication::PrivateKeyJwt(
        ClientAssertionKey::new(es256().with_key_id("k1")),
    ))
}

fn exchanging(client: &Client) -> Exchanging {
    let (_, pending) = Start::new(client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    pending.handle_callback(client, callback).unwrap()
}

fn form(request: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.body())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn assertion(request: &HttpRequest) -> String {
    let form = form(request);
    let value = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(
        value("client_assertion_type").as_deref(),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    assert_eq!(value("client_id").as_deref(), Some("s6BhdRkqt3"));
    assert_eq!(value("client_secret"), None);
    assert_eq!(request.header("authorization"), None);
    value("client_assertion").unwrap()
}

/// RFC 7523 §3 with draft-ietf-oauth-rfc7523bis: `iss` = `sub` = the
/// client, `aud` the issuer identifier as one string, `exp` a minute
/// after `iat`, a `jti` from the context's randomness; no `typ` unless
/// asked for.
#[test]
fn the_assertion_says_who_to_whom_and_until_when() {
    let client = private_key_jwt();
    let context = RequestContext::new(NOW, [0x5e; 32]);
    let request = exchanging(&client).request(&context).unwrap();
    insta::assert_snapshot!("token_request_private_key_jwt_es256", render(&request));
    let (header, claims) = decode_jws(&assertion(&request));
    assert_eq!(header, serde_json::json!({"alg": "ES256", "kid": "k1"}));
    assert_eq!(
        claims,
        serde_json::json!({
            "iss": "s6BhdRkqt3",
            "sub": "s6BhdRkqt3",
            "aud": ISSUER,
            "jti": Base64UrlUnpadded::encode_string(&[0x5e; 16]),
            "iat": 1_700_000_000,
            "exp": 1_700_000_060,
        })
    );

    let typed = client_with(ClientAuthentication::PrivateKeyJwt(
        ClientAssertionKey::new(es256()).with_explicit_typing(),
    ));
    let (header, _) = decode_jws(&assertion(&exchanging(&typed).request(&context).unwrap()));
    assert_eq!(
        header,
        serde_json::json!({"alg": "ES256", "typ": "client-authentication+jwt"})
    );
}

/// `client_secret_jwt`: HS256 over the signing input with the secret,
/// which itself is never sent.
#[test]
fn client_secret_jwt_is_an_hmac_of_the_secret() {
    let client = client_with(ClientAuthentication::ClientSecretJwt(ClientSecret::new(
        SECRET,
    )));
    let request = exchanging(&client)
        .request(&RequestContext::new(NOW, [0x5e; 32]))
        .unwrap();
    insta::assert_snapshot!("token_request_client_secret_jwt", render(&request));
    let jws = assertion(&request);
    assert!(!std::str::from_utf8(request.body())
        .unwrap()
        .contains(SECRET));
    let (header, claims) = decode_jws(&jws);
    assert_eq!(header, serde_json::json!({"alg": "HS256"}));
    assert_eq!(claims["aud"], ISSUER);
    let (input, signature) = jws.rsplit_once('.').unwrap();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let expected = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    assert_eq!(signature, expected);
}

/// Each context gives a new assertion; the same context the same bytes.
#[test]
fn every_send_signs_anew() {
    let client = private_key_jwt();
    let step = exchanging(&client);
    let first = RequestContext::new(NOW, [1; 32]);
    let later = RequestContext::new(
        NOW.saturating_add(std::time::Duration::from_secs(5)),
        [2; 32],
    );
    assert_eq!(step.request(&first).unwrap(), step.request(&first).unwrap());
    let (a, b) = (
        decode_jws(&assertion(&step.request(&first).unwrap())).1,
        decode_jws(&assertion(&step.request(&later).unwrap())).1,
    );
    assert_ne!(a["jti"], b["jti"]);
    assert_eq!(b["iat"], 1_700_000_005);
}

/// Every endpoint that authenticates the client carries an assertion: the
/// code exchange, a refresh, a pushed authorization request, the client
/// credentials grant and a revocation.
#[test]
fn every_endpoint_that_authenticates_carries_one() {
    let key = ClientAssertionKey::new(Ed25519Key::from_bytes(&[9; 32]));
    let client = client_with(ClientAuthentication::PrivateKeyJwt(key));
    let context = RequestContext::new(NOW, [0x5e; 32]);
    let body = br#"{"token_type":"Bearer","access_token":"a","refresh_token":"r","expires_in":60}"#;
    let tokens = HttpResponse::new(200, body).with_content_type("application/json");
    let authorized = exchanging(&client).handle_response(tokens, NOW).unwrap();
    let pushing = Start::new(&client)
        .push(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let requests = [
        (
            "refresh",
            authorized.refresh(&client).unwrap().request(&context),
        ),
        ("par", pushing.request(&context)),
        (
            "client credentials",
            ClientCredentials::new(&client, Scope::empty())
                .unwrap()
                .request(&context),
        ),
        (
            "revocation",
            authorized.revoke_grant(&client).unwrap().request(&context),
        ),
    ];
    for (name, request) in requests {
        let request = request.unwrap();
        let (header, claims) = decode_jws(&assertion(&request));
        assert_eq!(header["alg"], "EdDSA", "{name}");
        assert_eq!(
            claims["aud"], ISSUER,
            "{name}: the issuer, whatever the endpoint"
        );
        insta::assert_snapshot!(
            format!("private_key_jwt_eddsa_{}", name.replace(' ', "_")),
            render(&request)
        );
    }
}

/// The method must be one the server lists, and so must the algorithm
/// when it lists algorithms.
#[test]
fn the_configuration_must_match_the_server() {
    let key = || ClientAuthentication::PrivateKeyJwt(ClientAssertionKey::new(es256()));
    let only_basic = metadata().with_token_endpoint_auth_methods_supported(["client_secret_basic"]);
    let error = Client::new(only_basic, ClientId::new("c").unwrap(), key()).unwrap_err();
    assert_eq!(
        error,
        ConfigError::AuthenticationMethodNotSupported {
            method: "private_key_jwt"
        }
    );

    let mut rsa_only = metadata();
    rsa_only.token_endpoint_auth_signing_alg_values_supported = Some(vec!["RS256".into()]);
    let error = Client::new(rsa_only.clone(), ClientId::new("c").unwrap(), key()).unwrap_err();
    assert_eq!(
        error,
        ConfigError::SigningAlgorithmNotSupported { alg: "ES256" }
    );
    assert_eq!(
        error.to_string(),
        "the server does not list `ES256` in token_endpoint_auth_signing_alg_values_supported"
    );
    let hs = ClientAuthentication::ClientSecretJwt(ClientSecret::new(SECRET));
    let error = Client::new(rsa_only.clone(), ClientId::new("c").unwrap(), hs).unwrap_err();
    assert_eq!(
        error,
        ConfigError::SigningAlgorithmNotSupported { alg: "HS256" }
    );

    rsa_only.token_endpoint_auth_signing_alg_values_supported = Some(vec!["ES256".into()]);
    assert!(Client::new(rsa_only, ClientId::new("c").unwrap(), key()).is_ok());
}

/// HS256 needs a key at least as long as its hash, 32 octets (RFC 7518
/// §3.2; OpenID Connect Core §16.19): a shorter `client_secret_jwt`
/// secret is refused when the client is built, never at send time, and
/// the error shows no part of it. The other secret methods keep whatever
/// secret the server issued.
#[test]
fn a_client_secret_jwt_secret_shorter_than_32_octets_is_refused() {
    const SHORT: &str = "Zq7-short-hs256-secret-31octets";
    assert_eq!(SHORT.len(), 31);
    let build =
        |authentication| Client::new(metadata(), ClientId::new("c").unwrap(), authentication);
    let error = build(ClientAuthentication::ClientSecretJwt(ClientSecret::new(
        SHORT,
    )))
    .unwrap_err();
    assert_eq!(error, ConfigError::ClientSecretTooShortForHs256);
    for printed in [error.to_string(), format!("{error:?}")] {
        assert!(!printed.contains("Zq7"), "{printed}");
        assert!(!printed.contains("short-hs256"), "{printed}");
    }
    assert_eq!(
        error.to_string(),
        "the client secret is shorter than the 32 octets that HS256 needs (client_secret_jwt, ID tokens keyed with the secret)"
    );
    // Octets, not characters: 11 three-octet characters are 33 octets.
    let thirty_three_octets = "\u{20ac}".repeat(11);
    for long_enough in ["a".repeat(32), thirty_three_octets, SECRET.to_owned()] {
        assert!(
            build(ClientAuthentication::ClientSecretJwt(ClientSecret::new(
                long_enough
            )))
            .is_ok()
        );
    }
    let mut basic = metadata();
    basic.token_endpoint_auth_methods_supported = None;
    assert!(Client::new(
        basic,
        ClientId::new("c").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(SHORT)),
    )
    .is_ok());
}

/// Neither the key nor the assertion shows in `Debug`.
#[test]
fn nothing_secret_is_printed() {
    let client = private_key_jwt();
    let request = exchanging(&client)
        .request(&RequestContext::new(NOW, [0x5e; 32]))
        .unwrap();
    let jws = assertion(&request);
    for printed in [
        format!("{client:?}"),
        format!("{request:?}"),
        format!("{:?}", request.clone().into_http()),
        format!("{:?}", RequestContext::new(NOW, [0x5e; 32])),
    ] {
        assert!(!printed.contains(&jws), "{printed}");
        assert!(!printed.contains("jpsQnn"), "{printed}");
        assert!(
            !printed.contains(&Base64UrlUnpadded::encode_string(&[0x5e; 16])),
            "{printed}"
        );
    }
}

/// A signer that cannot sign (a hardware key that is gone).
struct Unplugged;

impl Signer for Unplugged {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::Es256
    }
    fn public_jwk(&self) -> PublicJwk {
        es256().public_jwk()
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Err(CryptoError::Signing("the token is unplugged"))
    }
}

/// The driver signs anew for every send, a retry included, and a signer
/// that fails stops it before anything is sent, with the step back.
#[test]
fn the_driver_signs_every_send_and_stops_when_it_cannot() {
    let client = private_key_jwt();
    fn driver<T: Transport>(transport: T) -> Driver<T> {
        Driver::with_policy(transport, RetryPolicy::new(7)).with_clock(|| NOW)
    }
    let assertions = std::cell::RefCell::new(Vec::new());
    let send = |request: http::Request<RequestBody>| {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(request.body().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let jws = form
            .iter()
            .find(|(k, _)| k == "client_assertion")
            .unwrap()
            .1
            .clone();
        assertions
            .borrow_mut()
            .push(decode_jws(&jws).1["jti"].clone());
        let (status, body) = match assertions.borrow().len() {
            1 => (503, &b""[..]),
            _ => (200, &br#"{"token_type":"Bearer","access_token":"a"}"#[..]),
        };
        Ok::<_, Infallible>(
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.to_vec())
                .unwrap(),
        )
    };
    let authorized = driver(transport::from_fn(send).with_sleep(|_| {}))
        .run(exchanging(&client))
        .unwrap();
    assert_eq!(authorized.tokens().access_token().secret(), "a");
    let assertions = assertions.into_inner();
    assert_eq!(assertions.len(), 2);
    assert_ne!(assertions[0], assertions[1], "a retry is a new assertion");

    let unplugged = client_with(ClientAuthentication::PrivateKeyJwt(
        ClientAssertionKey::new(Unplugged),
    ));
    let never = |_: http::Request<RequestBody>| -> Result<http::Response<Vec<u8>>, Infallible> {
        panic!("nothing may be sent")
    };
    let driver = driver(transport::from_fn(never));
    let error = driver.run(exchanging(&unplugged)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the request to the token endpoint could not be built: the signing key failed: the token is unplugged"
    );
    assert!(matches!(
        error,
        DriveError::Crypto {
            error: CryptoError::Signing("the token is unplugged"),
            ..
        }
    ));
    assert!(error.into_step().is_some());

    // The randomness may come from any closure: here one that counts its
    // draws in a counter of the test's own, and then runs dry.
    let draws = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counted = std::sync::Arc::clone(&draws);
    let no_randomness = driver.with_entropy(move || {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(CryptoError::EntropyUnavailable { os_error: Some(38) })
    });
    let error = no_randomness.run(exchanging(&client)).unwrap_err();
    assert!(
        matches!(
            error,
            DriveError::Crypto {
                error: CryptoError::EntropyUnavailable { os_error: Some(38) },
                ..
            }
        ),
        "{error}"
    );
    assert!(error.into_step().is_some());
    assert_eq!(draws.load(std::sync::atomic::Ordering::SeqCst), 1);
}

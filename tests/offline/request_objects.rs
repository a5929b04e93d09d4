//! JWT-Secured Authorization Requests (RFC 9101): a client that signs its
//! requests sends `client_id` and a request object holding every
//! parameter, by value (§5) or pushed (RFC 9126 §3); the object's claims
//! and header are those §4 and §10 require, its signature verifies with
//! the client's public key, and the login completes as any other.

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::{ApiMisuse, ConfigError, CryptoError};
use oauth2_pkce::jose::*;
use oauth2_pkce::resource::ResourceIndicator;
use oauth2_pkce::*;

use crate::rendering::{decode_jws, render};

const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);
const CONTEXT: RequestContext = RequestContext::new(NOW, [0x5e; 32]);
const ISSUER: &str = "https://as.example";

/// RFC 7515 A.3's P-256 key, known to the server as `k1`.
fn es256() -> Es256Key {
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    Es256Key::from_bytes(&d).unwrap().with_key_id("k1")
}

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        ISSUER,
        "https://as.example/authorize",
        "https://as.example/token",
    );
    metadata.pushed_authorization_request_endpoint = Some("https://as.example/par".into());
    metadata.request_object_signing_alg_values_supported =
        Some(vec!["ES256".into(), "PS256".into()]);
    metadata
}

fn client(metadata: ServerMetadata) -> Client {
    Client::new(
        metadata,
        ClientId::new("s6BhdRkqt3").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
}

fn signing(metadata: ServerMetadata) -> Client {
    client(metadata)
        .with_signed_requests(ClientAssertionKey::new(es256()))
        .unwrap()
}

fn start(client: &Client) -> Start<'_> {
    Start::new(client)
        .scope(Scope::parse("openid profile").unwrap())
        .resource(ResourceIndicator::new("https://api.example/a").unwrap())
        .resource(ResourceIndicator::new("https://api.example/b").unwrap())
        .param("prompt", "login")
}

fn query(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// The object verifies with the client's public key and carries what RFC
/// 9101 §4 and §10.2 require, and every parameter of the login.
fn check_request_object(jwt: &str, pending: &AwaitingCallback) -> serde_json::Value {
    let jwk = es256()
        .public_jwk()
        .to_json()
        .replacen('{', r#"{"kid":"k1","#, 1);
    let jwks = format!(r#"{{"keys":[{jwk}]}}"#);
    let keys = JwkSet::from_json(jwks.as_bytes()).unwrap();
    verify_jws(jwt, &[JwsAlgorithm::Es256], &keys, &RustCryptoVerifier).unwrap();
    let (header, claims) = decode_jws(jwt);
    assert_eq!(
        header,
        serde_json::json!({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": "k1"})
    );
    assert_eq!(claims["iss"], "s6BhdRkqt3");
    assert_eq!(claims["aud"], ISSUER);
    assert_eq!(claims["iat"], NOW.as_secs());
    assert_eq!(claims["nbf"], NOW.as_secs());
    assert_eq!(claims["exp"], NOW.as_secs() + 300);
    assert_eq!(claims["jti"].as_str().unwrap().len(), 22);
    assert_eq!(claims["response_type"], "code");
    assert_eq!(claims["client_id"], "s6BhdRkqt3");
    assert_eq!(claims["redirect_uri"], "https://client.example.org/cb");
    assert_eq!(claims["scope"], "openid profile");
    assert_eq!(claims["state"], pending.state().secret());
    assert_eq!(claims["code_challenge_method"], "S256");
    assert!(claims["nonce"].is_string());
    assert_eq!(
        claims["resource"],
        serde_json::json!(["https://api.example/a", "https://api.example/b"])
    );
    assert_eq!(claims["prompt"], "login");
    claims
}

/// By value (§5): the URL has `client_id` and `request`, nothing else.
#[test]
fn a_request_object_by_value() {
    let client = signing(ServerMetadata::new(
        ISSUER,
        "https://as.example/authorize?tenant=t1",
        "https://as.example/token",
    ));
    let (request, pending) = start(&client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    insta::assert_snapshot!("request_object_by_value", request.url());
    let pairs = query(request.url());
    let names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["tenant", "client_id", "request"]);
    check_request_object(&pairs[2].1, &pending);

    // The login goes on as any other: the callback and the exchange.
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    assert!(pending.handle_callback(&client, callback).is_ok());
}

/// Pushed (RFC 9126 §3): the form has `client_id` and `request`; the
/// authorization URL then carries the `request_uri` alone.
#[test]
fn a_request_object_pushed() {
    let client = signing(metadata());
    let Authorization::Push(pushing) = start(&client)
        .authorize(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap()
    else {
        panic!("the server offers PAR");
    };
    let request = pushing.request(&CONTEXT).unwrap();
    insta::assert_snapshot!("request_object_pushed", render(&request));
    let form: Vec<(String, String)> = url::form_urlencoded::parse(request.body())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let names: Vec<&str> = form.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["client_id", "request"]);
    let answer = r#"{"request_uri":"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c","expires_in":60}"#;
    let response = oauth2_pkce::values::HttpResponse::new(201, answer.as_bytes())
        .with_content_type("application/json");
    let (authorization, pending) = pushing.handle_response(response, NOW).unwrap();
    check_request_object(&form[1].1, &pending);
    let names: Vec<String> = query(authorization.url())
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["client_id", "request_uri"]);
}

/// A DPoP client's `dpop_jkt` (RFC 9449 §10) goes inside the object.
#[test]
fn dpop_jkt_inside_the_object() {
    let dpop = DpopKey::new(es256());
    let jkt = dpop.thumbprint();
    let client = signing(ServerMetadata::new(
        ISSUER,
        "https://as.example/authorize",
        "https://as.example/token",
    ))
    .with_dpop(dpop)
    .unwrap();
    let (request, pending) = start(&client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let pairs = query(request.url());
    assert_eq!(pairs.len(), 2);
    let claims = check_request_object(&pairs[1].1, &pending);
    assert_eq!(claims["dpop_jkt"], jkt.as_str());
}

/// What is refused, before anything is sent: a key of an algorithm the
/// server does not list (§10.5); a signer that cannot sign, or signs with
/// a MAC; a server that requires request objects, from a client without
/// a key.
#[test]
fn what_is_refused() {
    let mut only_ps256 = metadata();
    only_ps256.request_object_signing_alg_values_supported = Some(vec!["PS256".into()]);
    assert_eq!(
        client(only_ps256)
            .with_signed_requests(ClientAssertionKey::new(es256()))
            .unwrap_err(),
        ConfigError::RequestObjectAlgorithmNotSupported { alg: "ES256" }
    );

    struct Broken(JwsAlgorithm);
    impl Signer for Broken {
        fn algorithm(&self) -> JwsAlgorithm {
            self.0
        }
        fn public_jwk(&self) -> PublicJwk {
            es256().public_jwk()
        }
        fn sign(&self, _: &[u8]) -> Result<Vec<u8>, CryptoError> {
            Err(CryptoError::Signing("the token is unplugged"))
        }
    }
    let plain = || {
        ServerMetadata::new(
            ISSUER,
            "https://as.example/authorize",
            "https://as.example/token",
        )
    };
    for (signer, error) in [
        (
            Broken(JwsAlgorithm::Es256),
            CryptoError::Signing("the token is unplugged"),
        ),
        (
            Broken(JwsAlgorithm::Hs256),
            CryptoError::Signing("a signer's algorithm must be asymmetric"),
        ),
    ] {
        let client = client(plain())
            .with_signed_requests(ClientAssertionKey::new(signer))
            .unwrap();
        let refused = start(&client).begin(FlowEntropy::from_bytes([3; 64]), NOW);
        assert_eq!(
            refused.unwrap_err(),
            ConfigError::RequestObjectNotSigned(error)
        );
    }

    let mut required = metadata();
    required.require_signed_request_object = true;
    let refused = Start::new(&client(required)).authorize(FlowEntropy::from_bytes([3; 64]), NOW);
    assert_eq!(
        refused.unwrap_err(),
        ConfigError::Misuse(ApiMisuse::SignedRequestObjectRequired)
    );
}

//! ID tokens signed with the client secret (OpenID Connect Core §10.1):
//! HS256 keyed with the secret's octets, only for a client that has a
//! secret of at least 32 octets (RFC 7518 §3.2) and registered HS256, and
//! never keyed with anything from the server's key set.

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use oauth2_pkce::errors::{ApiMisuse, ConfigError, CryptoError, JwtError};
use oauth2_pkce::jose::*;
use oauth2_pkce::openid::*;
use oauth2_pkce::*;
use sha2::Sha256;

use crate::openid::{claims, es256_set, id_token, key_set, ACCESS_TOKEN, CLIENT_ID, ISSUER, NOW};

const SECRET: &str = "a-client-secret-of-32-octets-or-more";

/// A compact JWS of `claims`, HS256 with `key`, naming `kid` when given.
fn hs256(key: &[u8], kid: Option<&str>, claims: &serde_json::Value) -> String {
    let header = match kid {
        Some(kid) => format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#),
        None => String::from(r#"{"alg":"HS256"}"#),
    };
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
    );
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&tag))
}

fn validation(algorithms: &[JwsAlgorithm]) -> IdTokenValidation {
    IdTokenValidation::new(ISSUER, CLIENT_ID)
        .algorithms(algorithms)
        .nonce("n-0S6_WzA2Mj")
}

fn verifier(secret: &str) -> ClientSecretVerifier {
    ClientSecretVerifier::new(&ClientSecret::new(secret)).unwrap()
}

fn validate(
    token: &str,
    algorithms: &[JwsAlgorithm],
    verifier: &dyn JwsVerifier,
) -> Result<IdToken, JwtError> {
    let keys = key_set(&es256_set("k1"), None);
    validation(algorithms).validate(token, Some(ACCESS_TOKEN), &keys, verifier, NOW)
}

/// The token verifies with the secret, every claim is checked as for an
/// asymmetric one, and `at_hash` is SHA-256's (Core §3.1.3.8: the hash of
/// HS256), the value of Core's Appendix A.3.
#[test]
fn an_hs256_id_token_verifies_with_the_client_secret() {
    let token = hs256(SECRET.as_bytes(), None, &claims());
    let id_token = validate(&token, &[JwsAlgorithm::Hs256], &verifier(SECRET)).unwrap();
    assert_eq!(id_token.algorithm(), JwsAlgorithm::Hs256);
    assert_eq!(id_token.claims().subject(), "248289761001");

    let mut wrong_hash = claims();
    wrong_hash["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA".into();
    let token = hs256(SECRET.as_bytes(), None, &wrong_hash);
    assert_eq!(
        validate(&token, &[JwsAlgorithm::Hs256], &verifier(SECRET)).unwrap_err(),
        JwtError::AtHashMismatch
    );
    let mut other_nonce = claims();
    other_nonce["nonce"] = "another".into();
    let token = hs256(SECRET.as_bytes(), None, &other_nonce);
    assert_eq!(
        validate(&token, &[JwsAlgorithm::Hs256], &verifier(SECRET)).unwrap_err(),
        JwtError::NonceMismatch
    );
}

/// The stored ID token keeps its algorithm; a refresh's token is checked
/// with the same verifier (Core §12.2).
#[test]
fn an_hs256_id_token_is_stored_and_refreshed() {
    let token = hs256(SECRET.as_bytes(), None, &claims());
    let id_token = validate(&token, &[JwsAlgorithm::Hs256], &verifier(SECRET)).unwrap();
    let stored: IdToken = serde_json::from_str(&serde_json::to_string(&id_token).unwrap()).unwrap();
    assert_eq!(stored, id_token);

    let keys = key_set(&es256_set("k1"), None);
    let mut refreshed = claims();
    refreshed.as_object_mut().unwrap().remove("nonce");
    refreshed.as_object_mut().unwrap().remove("at_hash");
    let token = hs256(SECRET.as_bytes(), None, &refreshed);
    let again = stored
        .validate_refreshed(&token, None, &keys, &verifier(SECRET), NOW)
        .unwrap();
    assert_eq!(again.claims().subject(), id_token.claims().subject());
    // The refreshed token is signed as the login's was: not ES256 now.
    let es256 = crate::openid::id_token("k1", refreshed);
    assert_eq!(
        stored
            .validate_refreshed(&es256, None, &keys, &RustCryptoVerifier, NOW)
            .unwrap_err(),
        JwtError::AlgorithmNotAllowed("ES256".into())
    );
}

/// What is refused: another secret; HS256 when the client did not
/// register it; HS256 through a verifier without the secret (the RSA or
/// EC public key as the MAC key, the classic confusion, has no way in);
/// an asymmetric token through the secret's verifier.
#[test]
fn hs256_is_the_secrets_alone() {
    let token = hs256(SECRET.as_bytes(), None, &claims());
    assert_eq!(
        validate(
            &token,
            &[JwsAlgorithm::Hs256],
            &verifier("another-client-secret-of-32-octets!")
        )
        .unwrap_err(),
        JwtError::BadSignature
    );
    assert_eq!(
        validate(&token, &[JwsAlgorithm::Es256], &verifier(SECRET)).unwrap_err(),
        JwtError::AlgorithmNotAllowed("HS256".into())
    );
    assert_eq!(
        validate(&token, &[JwsAlgorithm::Hs256], &RustCryptoVerifier).unwrap_err(),
        JwtError::AlgorithmNotAllowed("HS256".into())
    );
    // Keyed with the server's public key, as text: still only the secret
    // verifies, so it is a bad MAC.
    let confused = hs256(es256_set("k1").as_bytes(), Some("k1"), &claims());
    assert_eq!(
        validate(&confused, &[JwsAlgorithm::Hs256], &verifier(SECRET)).unwrap_err(),
        JwtError::BadSignature
    );
    let es256 = id_token("k1", claims());
    assert_eq!(
        validate(
            &es256,
            &[JwsAlgorithm::Es256, JwsAlgorithm::Hs256],
            &verifier(SECRET)
        )
        .unwrap_err(),
        JwtError::AlgorithmNotAllowed("ES256".into())
    );
    // Handed a public key and a signature directly, it still refuses:
    // an asymmetric signature is never checked against the secret.
    let (input, signature) = es256.rsplit_once('.').unwrap();
    let signature = Base64UrlUnpadded::decode_vec(signature).unwrap();
    let key = PublicJwk::ec(
        "P-256",
        crate::jws_verification::A3_X,
        crate::jws_verification::A3_Y,
    )
    .unwrap();
    assert_eq!(
        verifier(SECRET).verify(JwsAlgorithm::Es256, &key, input.as_bytes(), &signature),
        Err(JwtError::AlgorithmNotAllowed("ES256".into()))
    );
}

/// A MAC names no key of the set: a `kid` the set lacks is no reason to
/// fetch the set again (a forged one would cost the provider a request).
#[test]
fn an_hs256_kid_never_fetches_the_key_set() {
    let forged = hs256(
        b"guessed-secret-guessed-secret-guessed",
        Some("new"),
        &claims(),
    );
    let refused = validate(&forged, &[JwsAlgorithm::Hs256], &verifier(SECRET)).unwrap_err();
    assert_eq!(refused, JwtError::BadSignature);
    let token = hs256(SECRET.as_bytes(), Some("new"), &claims());
    assert!(validate(&token, &[JwsAlgorithm::Hs256], &verifier(SECRET)).is_ok());
}

fn client(authentication: ClientAuthentication, listed: Option<&[&str]>) -> Client {
    let mut metadata = ServerMetadata::new(
        ISSUER,
        "https://op.example/auth",
        "https://op.example/token",
    );
    metadata.token_endpoint_auth_methods_supported =
        Some(vec!["client_secret_basic".into(), "private_key_jwt".into()]);
    metadata.id_token_signing_alg_values_supported =
        listed.map(|algs| algs.iter().map(|alg| String::from(*alg)).collect());
    Client::new(metadata, ClientId::new(CLIENT_ID).unwrap(), authentication).unwrap()
}

/// Registering HS256 needs a secret of at least 32 octets (RFC 7518
/// §3.2, Core §16.19) that the server lists the algorithm for.
#[test]
fn registering_hs256_needs_a_long_enough_secret() {
    let basic = |secret: &str| ClientAuthentication::ClientSecretBasic(ClientSecret::new(secret));
    assert!(client(basic(SECRET), None)
        .with_id_token_signing_alg(JwsAlgorithm::Hs256)
        .is_ok());
    assert!(client(basic(SECRET), Some(&["RS256", "HS256"]))
        .with_id_token_signing_alg(JwsAlgorithm::Hs256)
        .is_ok());
    assert_eq!(
        client(basic(SECRET), Some(&["RS256"]))
            .with_id_token_signing_alg(JwsAlgorithm::Hs256)
            .unwrap_err(),
        ConfigError::IdTokenAlgorithmNotSupported { alg: "HS256" }
    );
    let short = "thirty-one-octets-long-secret!!";
    assert_eq!(short.len(), 31);
    assert_eq!(
        client(basic(short), None)
            .with_id_token_signing_alg(JwsAlgorithm::Hs256)
            .unwrap_err(),
        ConfigError::ClientSecretTooShortForHs256
    );
    assert_eq!(
        ClientSecretVerifier::new(&ClientSecret::new(short)).unwrap_err(),
        ConfigError::ClientSecretTooShortForHs256
    );
    assert_eq!(
        client(ClientAuthentication::None, None)
            .with_id_token_signing_alg(JwsAlgorithm::Hs256)
            .unwrap_err(),
        ConfigError::Misuse(ApiMisuse::PublicClient)
    );
}

#[test]
fn the_verifier_shows_no_secret() {
    let printed = format!("{:?}", verifier(SECRET));
    assert!(!printed.contains(SECRET), "{printed}");
    assert!(printed.contains("[redacted]"), "{printed}");
}

/// A signer is asymmetric: one that claims HS256 signs no DPoP proof
/// (RFC 9449 §4.2) and no client assertion.
#[test]
fn a_signer_claiming_hs256_signs_nothing() {
    struct Mac;
    impl Signer for Mac {
        fn algorithm(&self) -> JwsAlgorithm {
            JwsAlgorithm::Hs256
        }
        fn public_jwk(&self) -> PublicJwk {
            PublicJwk::okp("Ed25519", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap()
        }
        fn sign(&self, _: &[u8]) -> Result<Vec<u8>, CryptoError> {
            Ok(vec![0; 32])
        }
    }
    let context = RequestContext::new(NOW, [0x5e; 32]);
    let exchange = |client: &Client| {
        let client = client
            .clone()
            .with_redirect_uri(RedirectUri::new("https://rp.example/cb").unwrap());
        let (_, pending) = Start::new(&client)
            .begin(FlowEntropy::from_bytes([3; 64]), NOW)
            .unwrap();
        let state = pending.state().secret().to_owned();
        let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
        pending
            .handle_callback(&client, callback)
            .unwrap()
            .request(&context)
    };
    let assertion = ClientAuthentication::PrivateKeyJwt(ClientAssertionKey::new(Mac));
    assert_eq!(
        exchange(&client(assertion, None)).unwrap_err(),
        CryptoError::Signing("a signer's algorithm must be asymmetric")
    );
    let basic = ClientAuthentication::ClientSecretBasic(ClientSecret::new(SECRET));
    let dpop = client(basic, None).with_dpop(DpopKey::new(Mac)).unwrap();
    assert_eq!(
        exchange(&dpop).unwrap_err(),
        CryptoError::Signing("a signer's algorithm must be asymmetric")
    );
}

//! Software keys from what providers and tools hand out: PKCS#8 DER
//! (RFC 5958), PEM (RFC 7468; SEC1 `EC PRIVATE KEY`, RFC 5915) and private
//! JWKs (RFC 7517, RFC 7518 §6.2.2, RFC 8037 §2). The RFCs' example keys,
//! keys made by the `openssl` CLI (`tests/keys/test-only-*`, test keys
//! only) signing a DPoP proof or a client assertion that verifies under
//! openssl's public key, and every refusal typed, without the key in it.

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::jose::{
    ClientAssertionKey, DpopKey, Ed25519Key, Es256Key, PublicJwk, Signer as _,
};
use oauth2_pkce::values::HttpRequest;
use oauth2_pkce::*;

use crate::rendering::decode_jws;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const CONTEXT: RequestContext = RequestContext::new(NOW, [0x5e; 32]);

/// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`, and
/// the same key as DER (`openssl pkey -outform DER`).
const ES256_PKCS8_PEM: &str = include_str!("../keys/test-only-es256-pkcs8.pem");
const ES256_PKCS8_DER: &[u8] = include_bytes!("../keys/test-only-es256-pkcs8.der");
/// Its public half as `openssl pkey -pubout` gives it.
const ES256_PKCS8_X: &str = "y3uNJ-9tvFc7YYpH9gmIUry1M1YMLytoiNqlfgK_T6w";
const ES256_PKCS8_Y: &str = "_oTOelfkRPjqaLbdtqMaL7iTeUS1sfNfqaOP2dDvJ3w";
const ES256_PUBLIC_PEM: &str = include_str!("../keys/test-only-es256-public.pem");
/// `openssl pkcs8 -topk8 -v2 aes-256-cbc` of the same key.
const ES256_ENCRYPTED_PEM: &str = include_str!("../keys/test-only-es256-encrypted.pem");
/// `openssl ecparam -genkey -name prime256v1`: SEC1, after `EC PARAMETERS`.
const ES256_SEC1_PEM: &str = include_str!("../keys/test-only-es256-sec1.pem");
const ES256_SEC1_X: &str = "Jof3TJb5T5pppJz-fCMczhVEhPyRh6CM2YLtm4PzuGo";
const ES256_SEC1_Y: &str = "c83kGjPbjXwrK8EIDVYUp8Ue1OHXtuRHaSBnm9xWQaY";
/// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384`.
const P384_PKCS8_PEM: &str = include_str!("../keys/test-only-p384-pkcs8.pem");
/// `openssl genpkey -algorithm ed25519`, and as DER.
const ED25519_PKCS8_PEM: &str = include_str!("../keys/test-only-ed25519-pkcs8.pem");
const ED25519_PKCS8_DER: &[u8] = include_bytes!("../keys/test-only-ed25519-pkcs8.der");
const ED25519_X: &str = "SAPtEqHBs_0WA6PTBR6nqnOTFWGhJdaBQl5kyP7iY-o";

/// RFC 7515 Appendix A.3.1's P-256 key.
const RFC7515_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const RFC7515_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const RFC7515_D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
/// RFC 8037 Appendix A.1's Ed25519 key.
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";

fn ec_jwk(x: &str, y: &str, d: &str) -> String {
    format!(r#"{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}","d":"{d}"}}"#)
}

fn okp_jwk(x: &str, d: &str) -> String {
    format!(r#"{{"kty":"OKP","crv":"Ed25519","d":"{d}","x":"{x}"}}"#)
}

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_token_endpoint_auth_methods_supported(["private_key_jwt"]);
    metadata.dpop_signing_alg_values_supported = Some(vec!["ES256".into(), "EdDSA".into()]);
    metadata
}

fn client(authentication: ClientAuthentication) -> Client {
    Client::new(
        metadata(),
        ClientId::new("s6BhdRkqt3").unwrap(),
        authentication,
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
}

/// The token request of a code exchange by `client`.
fn token_request(client: &Client) -> HttpRequest {
    let (_, pending) = Start::new(client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    let exchanging = pending.handle_callback(client, callback).unwrap();
    exchanging.request(&CONTEXT).unwrap()
}

/// The JWS's signing input and signature.
fn split_jws(jws: &str) -> (&str, Vec<u8>) {
    let (input, signature) = jws.rsplit_once('.').unwrap();
    (input, Base64UrlUnpadded::decode_vec(signature).unwrap())
}

fn bytes(b64url: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(b64url).unwrap()
}

/// Whether `jws` is signed by the P-256 key (`x`, `y`), checked by p256
/// itself.
fn es256_verifies(jws: &str, x: &str, y: &str) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    let point = [vec![0x04], bytes(x), bytes(y)].concat();
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
    let (input, signature) = split_jws(jws);
    let signature = p256::ecdsa::Signature::from_slice(&signature).unwrap();
    key.verify(input.as_bytes(), &signature).is_ok()
}

/// Whether `jws` is signed by the Ed25519 key `x`, checked by dalek.
fn eddsa_verifies(jws: &str, x: &str) -> bool {
    use ed25519_dalek::Verifier as _;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes(x).try_into().unwrap()).unwrap();
    let (input, signature) = split_jws(jws);
    let signature = ed25519_dalek::Signature::from_slice(&signature).unwrap();
    key.verify(input.as_bytes(), &signature).is_ok()
}

/// RFC 7515 Appendix A.3.1's private JWK: the same key as its `d` alone,
/// with the public JWK the RFC gives; its `kid` names the key, an
/// `alg: ES256` and members the key does not use are fine.
#[test]
fn rfc7515_es256_private_jwk() {
    let key = Es256Key::from_jwk(&ec_jwk(RFC7515_X, RFC7515_Y, RFC7515_D)).unwrap();
    let expected = PublicJwk::ec("P-256", RFC7515_X, RFC7515_Y).unwrap();
    assert_eq!(key.public_jwk(), expected);
    let from_d = Es256Key::from_bytes(&bytes(RFC7515_D)).unwrap();
    assert_eq!(
        key.public_jwk().thumbprint(),
        from_d.public_jwk().thumbprint()
    );
    assert_eq!(key.key_id(), None);

    let named = format!(
        r#"{{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"2026-11","key_ops":["sign"],"x":"{RFC7515_X}","y":"{RFC7515_Y}","d":"{RFC7515_D}"}}"#
    );
    let key = Es256Key::from_jwk(&named).unwrap();
    assert_eq!(key.key_id(), Some("2026-11"));
    assert_eq!(key.public_jwk(), expected);
}

/// RFC 8037 Appendix A.1's private JWK: A.3's thumbprint and A.4's
/// signature.
#[test]
fn rfc8037_ed25519_private_jwk() {
    let key = Ed25519Key::from_jwk(&okp_jwk(RFC8037_X, RFC8037_D)).unwrap();
    assert_eq!(
        key.public_jwk(),
        PublicJwk::okp("Ed25519", RFC8037_X).unwrap()
    );
    assert_eq!(
        key.public_jwk().thumbprint(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    let signature = key
        .sign(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")
        .unwrap();
    assert_eq!(
        Base64UrlUnpadded::encode_string(&signature),
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
    for alg in ["EdDSA", "Ed25519"] {
        let jwk = format!(
            r#"{{"kty":"OKP","crv":"Ed25519","alg":"{alg}","x":"{RFC8037_X}","d":"{RFC8037_D}"}}"#
        );
        assert!(Ed25519Key::from_jwk(&jwk).is_ok(), "{alg}");
    }
}

/// openssl's P-256 keys — PKCS#8 as PEM and DER, SEC1 as `ecparam -genkey`
/// writes it — have the public key openssl gives, and sign DPoP proofs
/// (RFC 9449 §4.2) that verify under it.
#[test]
fn openssl_es256_keys_sign_dpop_proofs_that_verify() {
    for (name, key, x, y) in [
        (
            "PKCS#8 PEM",
            Es256Key::from_pem(ES256_PKCS8_PEM),
            ES256_PKCS8_X,
            ES256_PKCS8_Y,
        ),
        (
            "PKCS#8 DER",
            Es256Key::from_pkcs8_der(ES256_PKCS8_DER),
            ES256_PKCS8_X,
            ES256_PKCS8_Y,
        ),
        (
            "SEC1 PEM",
            Es256Key::from_pem(ES256_SEC1_PEM),
            ES256_SEC1_X,
            ES256_SEC1_Y,
        ),
        (
            "SEC1 PEM without EC PARAMETERS",
            Es256Key::from_pem(
                &ES256_SEC1_PEM[ES256_SEC1_PEM.find("-----BEGIN EC PRIVATE").unwrap()..],
            ),
            ES256_SEC1_X,
            ES256_SEC1_Y,
        ),
        (
            "PKCS#8 PEM with CRLF",
            Es256Key::from_pem(&ES256_PKCS8_PEM.replace('\n', "\r\n")),
            ES256_PKCS8_X,
            ES256_PKCS8_Y,
        ),
    ] {
        let key = key.unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(
            key.public_jwk(),
            PublicJwk::ec("P-256", x, y).unwrap(),
            "{name}"
        );
        let client = client(ClientAuthentication::None)
            .with_dpop(DpopKey::new(key))
            .unwrap();
        let request = token_request(&client);
        let proof = request.header("dpop").unwrap();
        let (header, _) = decode_jws(proof);
        assert_eq!(header["alg"], "ES256", "{name}");
        assert_eq!(header["jwk"]["x"], x, "{name}");
        assert!(es256_verifies(proof, x, y), "{name}");
        assert!(!es256_verifies(proof, RFC7515_X, RFC7515_Y), "{name}");
    }
}

/// openssl's Ed25519 key, as PEM and DER, has the public key openssl
/// gives and signs `private_key_jwt` assertions (RFC 7523 §2.2) that
/// verify under it.
#[test]
fn openssl_ed25519_key_signs_client_assertions_that_verify() {
    for (name, key) in [
        ("PEM", Ed25519Key::from_pem(ED25519_PKCS8_PEM)),
        ("DER", Ed25519Key::from_pkcs8_der(ED25519_PKCS8_DER)),
    ] {
        let key = key.unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(
            key.public_jwk(),
            PublicJwk::okp("Ed25519", ED25519_X).unwrap(),
            "{name}"
        );
        let client = client(ClientAuthentication::PrivateKeyJwt(
            ClientAssertionKey::new(key.with_key_id("openssl")),
        ));
        let request = token_request(&client);
        let assertion = url::form_urlencoded::parse(request.body())
            .find(|(name, _)| name == "client_assertion")
            .map(|(_, value)| value.into_owned())
            .unwrap();
        let (header, claims) = decode_jws(&assertion);
        assert_eq!(header["alg"], "EdDSA", "{name}");
        assert_eq!(header["kid"], "openssl", "{name}");
        assert_eq!(claims["iss"], "s6BhdRkqt3", "{name}");
        assert!(eddsa_verifies(&assertion, ED25519_X), "{name}");
        assert!(!eddsa_verifies(&assertion, RFC8037_X), "{name}");
    }
}

/// What is not a key of the type asked for is refused with a reason to
/// act on.
#[test]
fn refusals_are_typed() {
    use oauth2_pkce::errors::InvalidValue::*;
    let too_large = "A".repeat(limits::MAX_PRIVATE_KEY_BYTES + 1);
    let at_cap = "A".repeat(limits::MAX_PRIVATE_KEY_BYTES);
    for (name, pem, expected) in [
        (
            "at the size cap: read, and not a key",
            &at_cap[..],
            KeyMalformed,
        ),
        ("encrypted", ES256_ENCRYPTED_PEM, KeyEncrypted),
        ("public", ES256_PUBLIC_PEM, KeyNotPrivate),
        ("P-384", P384_PKCS8_PEM, KeyOfOtherAlgorithm),
        ("not PEM", "-----BEGIN PRIVATE KEY-----\n!!\n", KeyMalformed),
        ("not a key", "a private key", KeyMalformed),
        ("too large", &too_large, KeyTooLarge),
    ] {
        assert_eq!(
            Es256Key::from_pem(pem).unwrap_err(),
            expected,
            "ES256 {name}"
        );
        assert_eq!(
            Ed25519Key::from_pem(pem).unwrap_err(),
            expected,
            "Ed25519 {name}"
        );
    }
    assert_eq!(
        Es256Key::from_pem(ED25519_PKCS8_PEM).unwrap_err(),
        KeyOfOtherAlgorithm
    );
    let sec1_alone = &ES256_SEC1_PEM[ES256_SEC1_PEM.find("-----BEGIN EC PRIVATE").unwrap()..];
    for pem in [ES256_PKCS8_PEM, ES256_SEC1_PEM, sec1_alone] {
        assert_eq!(Ed25519Key::from_pem(pem).unwrap_err(), KeyOfOtherAlgorithm);
    }
    // A PEM whose base64 was damaged.
    let damaged = ES256_PKCS8_PEM.replacen('M', "*", 2);
    assert_eq!(Es256Key::from_pem(&damaged).unwrap_err(), KeyMalformed);

    assert_eq!(
        Es256Key::from_pkcs8_der(ED25519_PKCS8_DER).unwrap_err(),
        KeyOfOtherAlgorithm
    );
    assert_eq!(
        Ed25519Key::from_pkcs8_der(ES256_PKCS8_DER).unwrap_err(),
        KeyOfOtherAlgorithm
    );
    for der in [
        &ES256_PKCS8_DER[..40],
        &[],
        &[0x30, 0x00],
        ES256_PKCS8_PEM.as_bytes(),
    ] {
        assert_eq!(Es256Key::from_pkcs8_der(der).unwrap_err(), KeyMalformed);
        assert_eq!(Ed25519Key::from_pkcs8_der(der).unwrap_err(), KeyMalformed);
    }
    assert_eq!(
        Es256Key::from_pkcs8_der(too_large.as_bytes()).unwrap_err(),
        KeyTooLarge
    );

    let zero = Base64UrlUnpadded::encode_string(&[0; 32]);
    let short = Base64UrlUnpadded::encode_string(&[7; 31]);
    let long = Base64UrlUnpadded::encode_string(&[7; 33]);
    let rfc7515 = ec_jwk(RFC7515_X, RFC7515_Y, RFC7515_D);
    let ec_cases = [
        (ec_jwk(RFC7515_X, RFC7515_Y, &zero), KeyNotOfCurve),
        (ec_jwk(RFC7515_X, RFC7515_Y, &short), KeyNotOfCurve),
        (ec_jwk(RFC7515_X, RFC7515_Y, &long), KeyNotOfCurve),
        (
            ec_jwk(RFC7515_X, RFC7515_Y, &format!("{RFC7515_D}=")),
            KeyMalformedJwk,
        ),
        (
            ec_jwk(ES256_PKCS8_X, ES256_PKCS8_Y, RFC7515_D),
            KeyPublicPartMismatch,
        ),
        (
            ec_jwk(RFC7515_X, ES256_PKCS8_Y, RFC7515_D),
            KeyPublicPartMismatch,
        ),
        (
            ec_jwk(&format!("{RFC7515_X}AA"), RFC7515_Y, RFC7515_D),
            KeyMalformedJwk,
        ),
        (rfc7515.replace(r#","y":"#, r#","z":"#), KeyMalformedJwk),
        (rfc7515.replace(r#","d":"#, r#","e":"#), KeyNotPrivate),
        (
            rfc7515.replace(r#""d":"#, r#""d":null,"e":"#),
            KeyNotPrivate,
        ),
        (rfc7515.replace("P-256", "P-384"), KeyOfOtherAlgorithm),
        (rfc7515.replace(r#""crv":"P-256","#, ""), KeyMalformedJwk),
        (rfc7515.replace(r#""EC""#, r#""RSA""#), KeyOfOtherAlgorithm),
        (
            rfc7515.replace('{', r#"{"alg":"ES384","#),
            KeyOfOtherAlgorithm,
        ),
        (
            rfc7515.replace('}', &format!(r#","d":"{RFC7515_D}"}}"#)),
            KeyMalformedJwk,
        ),
        (rfc7515.replace('}', ""), KeyMalformedJwk),
        (okp_jwk(RFC8037_X, RFC8037_D), KeyOfOtherAlgorithm),
        ("[]".into(), KeyMalformedJwk),
        ("".into(), KeyMalformedJwk),
        (too_large.clone(), KeyTooLarge),
    ];
    for (jwk, expected) in ec_cases {
        assert_eq!(Es256Key::from_jwk(&jwk).unwrap_err(), expected, "{jwk}");
    }
    let rfc8037 = okp_jwk(RFC8037_X, RFC8037_D);
    let okp_cases = [
        (okp_jwk(RFC8037_X, &short), KeyNotOfCurve),
        (okp_jwk(RFC8037_X, &long), KeyNotOfCurve),
        (okp_jwk(ED25519_X, RFC8037_D), KeyPublicPartMismatch),
        (okp_jwk(&short, RFC8037_D), KeyMalformedJwk),
        (rfc8037.replace(r#","x":"#, r#","y":"#), KeyMalformedJwk),
        (rfc8037.replace(r#""d":"#, r#""p":"#), KeyNotPrivate),
        (rfc8037.replace("Ed25519", "Ed448"), KeyOfOtherAlgorithm),
        (
            rfc8037.replace('{', r#"{"alg":"ES256","#),
            KeyOfOtherAlgorithm,
        ),
        (rfc7515, KeyOfOtherAlgorithm),
        ("not json".into(), KeyMalformedJwk),
    ];
    for (jwk, expected) in okp_cases {
        assert_eq!(Ed25519Key::from_jwk(&jwk).unwrap_err(), expected, "{jwk}");
    }
}

/// No error and no key's `Debug` shows the private key, whatever the
/// input that carried it.
#[test]
fn no_error_or_debug_shows_the_private_key() {
    // A `d` no output could contain by chance.
    const SECRET: &str = "Zq7SeCrEtVaLuEzq7SeCrEtVaLuEzq7SeCrEtVaLuEA";
    assert_eq!(bytes(SECRET).len(), 32);
    let pem_body = |pem: &str| pem.lines().nth(1).unwrap().to_owned();
    let mut printed = Vec::new();
    let mut show =
        |error: oauth2_pkce::errors::InvalidValue| printed.push(format!("{error} {error:?}"));
    show(Es256Key::from_jwk(&ec_jwk(RFC7515_X, RFC7515_Y, SECRET)).unwrap_err());
    show(Es256Key::from_jwk(&format!(r#"{{"d":"{SECRET}","kty":1}}"#)).unwrap_err());
    show(Es256Key::from_jwk(&format!(r#"{{"d":"{SECRET}"#)).unwrap_err());
    show(Ed25519Key::from_jwk(&okp_jwk(RFC8037_X, SECRET)).unwrap_err());
    show(
        Ed25519Key::from_jwk(&format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{SECRET}","d":["{SECRET}"]}}"#
        ))
        .unwrap_err(),
    );
    show(Ed25519Key::from_pem(ES256_PKCS8_PEM).unwrap_err());
    show(Es256Key::from_pem(ED25519_PKCS8_PEM).unwrap_err());
    show(Es256Key::from_pem(&ES256_PKCS8_PEM.replacen('M', "*", 2)).unwrap_err());
    show(Ed25519Key::from_pkcs8_der(ES256_PKCS8_DER).unwrap_err());
    let keys = [
        format!("{:?}", Es256Key::from_pem(ES256_PKCS8_PEM).unwrap()),
        format!("{:?}", Es256Key::from_pem(ES256_SEC1_PEM).unwrap()),
        format!("{:?}", Ed25519Key::from_pem(ED25519_PKCS8_PEM).unwrap()),
        format!(
            "{:?}",
            Es256Key::from_jwk(&ec_jwk(RFC7515_X, RFC7515_Y, RFC7515_D)).unwrap()
        ),
        format!(
            "{:?}",
            Ed25519Key::from_jwk(&okp_jwk(RFC8037_X, RFC8037_D)).unwrap()
        ),
    ];
    assert_eq!(printed.len(), 9);
    for text in printed.iter().chain(&keys) {
        for secret in [
            SECRET,
            &SECRET[..8],
            RFC7515_D,
            RFC8037_D,
            &pem_body(ES256_PKCS8_PEM)[..16],
            &pem_body(ES256_SEC1_PEM)[..16],
            &pem_body(ED25519_PKCS8_PEM)[..16],
        ] {
            assert!(!text.contains(secret), "{text} shows {secret}");
        }
    }
}

/// Two client assertion keys are equal when they sign with the same
/// algorithm, public key and `kid` and type their assertions alike; two
/// DPoP keys when their algorithm and public key are (a `kid` is not part
/// of a DPoP proof's `jwk`).
#[test]
fn keys_compare_by_what_they_sign_with() {
    let es256 = || Es256Key::from_bytes(&[0x11; 32]).unwrap();
    let other = || Es256Key::from_bytes(&[0x22; 32]).unwrap();
    let assertion = |key: Es256Key| ClientAssertionKey::new(key);
    assert_eq!(assertion(es256()), assertion(es256()));
    assert_ne!(assertion(es256()), assertion(other()));
    assert_ne!(
        assertion(es256()),
        assertion(es256().with_key_id("k1")),
        "another kid"
    );
    assert_eq!(
        assertion(es256().with_key_id("k1")),
        assertion(es256().with_key_id("k1"))
    );
    assert_ne!(
        assertion(es256()),
        assertion(es256()).with_explicit_typing(),
        "typed otherwise"
    );
    assert_ne!(
        assertion(es256()),
        ClientAssertionKey::new(Ed25519Key::from_bytes(&[0x11; 32]))
    );

    assert_eq!(DpopKey::new(es256()), DpopKey::new(es256()));
    assert_ne!(DpopKey::new(es256()), DpopKey::new(other()));
    assert_ne!(
        DpopKey::new(es256()),
        DpopKey::new(Ed25519Key::from_bytes(&[0x11; 32]))
    );
}

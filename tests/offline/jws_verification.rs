//! Verifying a JWS from the server (RFC 7515 §5.2) against its JWK Set
//! (RFC 7517 §5): the specs' vectors (RFC 7515 A.2 RS256, A.3 ES256,
//! RFC 8037 A.4 Ed25519), PS256, and one refusal per rule: `alg: none`,
//! an `alg` not allowed (HS256 made with the RSA key as the secret), a
//! critical header, an unknown or unusable `kid`, a weak RSA key, an
//! altered signature.

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::{InvalidValue, JwtError};
use oauth2_pkce::jose::*;

/// RFC 7515 A.2.1's RSA key's modulus.
pub const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
/// RFC 7515 A.2's JWS.
const A2_JWS: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
/// RFC 7515 A.3's JWS, and its key (A.3.1).
const A3_JWS: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
pub const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
pub const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
/// RFC 8037 A.4's JWS, and A.2's public key.
const RFC8037_JWS: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
/// `{"alg":"PS256"}.{"iss":"joe"}` signed with RFC 7515 A.2's private key
/// by pyca/cryptography (RSASSA-PSS, MGF1-SHA-256, 32-octet salt:
/// RFC 7518 §3.5): PSS is randomized, so no RFC gives a fixed vector.
const PS256_JWS: &str = "eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJqb2UifQ.ghsQ5EVQ0mLp4TBQJNQ58YxzBlWDG2Y8TIOomLKuDQsc-JStVfQUSdzZEZuR01O-2tj2EKAXkvbb5TK8S4e8eW1bGHAx2XWTdyFPyr9P-z5zdiYuT3x_EIa9BdWxAkODfvRvqQPTV2QJtFu4yXKZkt2Lq1f-8r-4Drm13hgI8DoN4zkKCySeIiczJ4d69etCu7A1moleyPrGKnG2pRJWui-8HxwR5x9CDAGIsf256PsMDZOz_BKCTXyqK8NEEYDUe6VUSoaxG80yofCbsAC0dUMBiP-0CSFiqf7fuOBaHQh0SaFeYaTcQ0yTPIslc2ZuJl2jMH_SE9xq7nMvbGD9AA";
/// A 1024-bit RSA key, and `{"alg":"RS256"}.{"iss":"joe"}` it signed.
const WEAK_N: &str = "teUuLkJUsIdrSBx0T01HBMQ161oQBmZYf_aqxFPrQ7T9tUv4Kzkw2PuTxxMBS7KVQuwMDALUB4ErxNi-z0uEcmKG6XIUdzuU0bES5HO8vjpxO7O-MRNPq8Srf0ZEH3jFUv8NnOoRleA5126skJD_mjkgupelDY0rL49Z0QVgG8k";
const WEAK_JWS: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UifQ.LiM2NRTYnspuy9fDeXClQIlW_5SmU4ecU8SYtwdQ_QOYeOq8jr_RdXYoAVzcY8QujLwTLuq_NPOM760Q8x3qR5tivByYea9A21xLQSJLWyygNtLCLZlw1_vCD6CQ5C2EkkB8luSAs2NQOj4xZqPlPewfeJ8T-2MgzVA8AbY67CY";

const A_PAYLOAD: &[u8] =
    b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

fn set(json: &str) -> JwkSet {
    JwkSet::from_json(json.as_bytes()).unwrap()
}

pub fn rsa_set(kid: &str) -> JwkSet {
    set(&format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"{kid}","use":"sig","n":"{A2_N}","e":"AQAB"}}]}}"#
    ))
}

const ALL: &[JwsAlgorithm] = &[
    JwsAlgorithm::Rs256,
    JwsAlgorithm::Ps256,
    JwsAlgorithm::Es256,
    JwsAlgorithm::EdDsa,
];

#[test]
fn rfc7515_a2_rs256() {
    let verified = verify_jws(A2_JWS, ALL, &rsa_set("a2"), &RustCryptoVerifier).unwrap();
    assert_eq!(verified.payload(), A_PAYLOAD);
    assert_eq!(verified.header().algorithm(), JwsAlgorithm::Rs256);
    assert_eq!(verified.header().key_id(), None);
}

#[test]
fn rfc7515_a3_es256() {
    let keys = set(&format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","x":"{A3_X}","y":"{A3_Y}"}}]}}"#
    ));
    let verified = verify_jws(A3_JWS, ALL, &keys, &RustCryptoVerifier).unwrap();
    assert_eq!(verified.payload(), A_PAYLOAD);
}

#[test]
fn rfc8037_a4_ed25519() {
    let keys = set(&format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{RFC8037_X}"}}]}}"#
    ));
    let verified = verify_jws(RFC8037_JWS, ALL, &keys, &RustCryptoVerifier).unwrap();
    assert_eq!(verified.payload(), b"Example of Ed25519 signing");
    // The same signature over another payload is refused.
    let parts: Vec<&str> = RFC8037_JWS.split('.').collect();
    let payload = Base64UrlUnpadded::encode_string(b"Example of Ed25519 forging");
    let forged = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert_eq!(
        verify_jws(&forged, ALL, &keys, &RustCryptoVerifier).unwrap_err(),
        JwtError::BadSignature
    );
}

#[test]
fn ps256_with_the_a2_key() {
    let verified = verify_jws(PS256_JWS, ALL, &rsa_set("a2"), &RustCryptoVerifier).unwrap();
    assert_eq!(verified.payload(), br#"{"iss":"joe"}"#);
    // The same key, the algorithm pinned to RS256: PS256 is refused.
    let pinned = set(&format!(
        r#"{{"keys":[{{"kty":"RSA","alg":"RS256","n":"{A2_N}","e":"AQAB"}}]}}"#
    ));
    let refused = verify_jws(PS256_JWS, ALL, &pinned, &RustCryptoVerifier);
    assert_eq!(refused.unwrap_err(), JwtError::UnknownKey(None));
}

/// Each part of the JWS is altered in turn: the signature no longer
/// verifies, or the token no longer parses.
#[test]
fn an_altered_jws_is_refused() {
    let keys = rsa_set("a2");
    let mut parts: Vec<String> = A2_JWS.split('.').map(String::from).collect();
    let payload = Base64UrlUnpadded::encode_string(br#"{"iss":"eve"}"#);
    let forged = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert_eq!(
        verify_jws(&forged, ALL, &keys, &RustCryptoVerifier).unwrap_err(),
        JwtError::BadSignature
    );
    parts[2].replace_range(0..1, "d");
    let altered = parts.join(".");
    assert_eq!(
        verify_jws(&altered, ALL, &keys, &RustCryptoVerifier).unwrap_err(),
        JwtError::BadSignature
    );
    for malformed in [
        "",
        "a.b",
        "a.b.c.d",
        "!!.e30.AA",
        "e30.e30.AA",
        "bnVsbA.e30.AA",
    ] {
        assert_eq!(
            verify_jws(malformed, ALL, &keys, &RustCryptoVerifier).unwrap_err(),
            JwtError::Malformed,
            "{malformed}"
        );
    }
    let huge = format!(
        "{}.{}.AA",
        parts[0],
        "A".repeat(oauth2_pkce::limits::MAX_JWS_BYTES)
    );
    assert_eq!(
        verify_jws(&huge, ALL, &keys, &RustCryptoVerifier).unwrap_err(),
        JwtError::TooLarge
    );
}

fn unsigned(header: &str) -> String {
    let header = Base64UrlUnpadded::encode_string(header.as_bytes());
    let payload = Base64UrlUnpadded::encode_string(br#"{"iss":"joe"}"#);
    format!("{header}.{payload}.")
}

#[test]
fn alg_none_is_never_accepted() {
    for alg in ["none", "None", "NONE"] {
        let jws = unsigned(&format!(r#"{{"alg":"{alg}"}}"#));
        assert_eq!(
            verify_jws(&jws, ALL, &rsa_set("a2"), &RustCryptoVerifier).unwrap_err(),
            JwtError::Unsigned
        );
    }
}

/// The classic algorithm confusion: an HS256 token whose secret is the
/// server's RSA public key. HS256 is no asymmetric algorithm: refused
/// before any key is looked at.
#[test]
fn hs256_made_with_the_rsa_public_key_is_refused() {
    use hmac::{KeyInit, Mac};
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256"}"#);
    let payload = Base64UrlUnpadded::encode_string(br#"{"iss":"joe"}"#);
    let input = format!("{header}.{payload}");
    let secret = format!(r#"{{"e":"AQAB","kty":"RSA","n":"{A2_N}"}}"#);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let tag = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    let jws = format!("{input}.{tag}");
    let refused = verify_jws(&jws, ALL, &rsa_set("a2"), &RustCryptoVerifier).unwrap_err();
    assert_eq!(refused, JwtError::AlgorithmNotAllowed("HS256".into()));
}

#[test]
fn an_alg_the_use_does_not_allow_is_refused() {
    let only_es256 = &[JwsAlgorithm::Es256];
    let refused = verify_jws(A2_JWS, only_es256, &rsa_set("a2"), &RustCryptoVerifier);
    assert_eq!(
        refused.unwrap_err(),
        JwtError::AlgorithmNotAllowed("RS256".into())
    );
    let jws = unsigned(r#"{"alg":"RS256","crit":["exp"],"exp":1}"#);
    assert_eq!(
        verify_jws(&jws, ALL, &rsa_set("a2"), &RustCryptoVerifier).unwrap_err(),
        JwtError::CriticalHeader
    );
}

fn with_kid(jws: &str, kid: &str) -> String {
    // A header with a `kid` changes the signing input: the signature no
    // longer verifies, which is not what these tests look at.
    let header =
        Base64UrlUnpadded::encode_string(format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#).as_bytes());
    let rest = jws.split_once('.').unwrap().1;
    format!("{header}.{rest}")
}

#[test]
fn keys_are_chosen_by_kid_alg_and_use() {
    let keys = rsa_set("k1");
    let unknown = verify_jws(&with_kid(A2_JWS, "k2"), ALL, &keys, &RustCryptoVerifier);
    assert_eq!(
        unknown.unwrap_err(),
        JwtError::UnknownKey(Some("k2".into()))
    );
    // The kid is known, the signature checked with that key.
    let known = verify_jws(&with_kid(A2_JWS, "k1"), ALL, &keys, &RustCryptoVerifier);
    assert_eq!(known.unwrap_err(), JwtError::BadSignature);
    // An encryption key of that kid cannot verify.
    let enc = set(&format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"k1","use":"enc","n":"{A2_N}","e":"AQAB"}}]}}"#
    ));
    assert_eq!(enc.keys().len(), 0);
    assert_eq!(enc.ignored(), 1);
    let unusable = verify_jws(&with_kid(A2_JWS, "k1"), ALL, &enc, &RustCryptoVerifier);
    assert_eq!(
        unusable.unwrap_err(),
        JwtError::KeyUnusable(Some("k1".into()))
    );
    // key_ops without `verify`.
    let sign_only = set(&format!(
        r#"{{"keys":[{{"kty":"RSA","key_ops":["sign"],"n":"{A2_N}","e":"AQAB"}}]}}"#
    ));
    assert_eq!(sign_only.keys().len(), 0);
    // Two keys and no kid in the header (Core §10.1).
    let two = set(&format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"a","n":"{A2_N}","e":"AQAB"}},{{"kty":"RSA","kid":"b","n":"{A2_N}","e":"AQAB"}}]}}"#
    ));
    let ambiguous = verify_jws(A2_JWS, ALL, &two, &RustCryptoVerifier);
    assert_eq!(ambiguous.unwrap_err(), JwtError::AmbiguousKey);
    // Two keys of one kid that both fit: the set itself is at fault.
    let twins = set(&format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"a","n":"{A2_N}","e":"AQAB"}},{{"kty":"RSA","kid":"a","n":"{A2_N}","e":"AQAB"}}]}}"#
    ));
    let twin = verify_jws(&with_kid(A2_JWS, "a"), ALL, &twins, &RustCryptoVerifier);
    assert_eq!(twin.unwrap_err(), JwtError::KeyUnusable(Some("a".into())));
}

#[test]
fn rsa_keys_under_2048_bits_are_refused() {
    let keys = set(&format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"weak","n":"{WEAK_N}","e":"AQAB"}}]}}"#
    ));
    assert_eq!((keys.keys().len(), keys.ignored()), (0, 1));
    assert_eq!(
        verify_jws(WEAK_JWS, ALL, &keys, &RustCryptoVerifier).unwrap_err(),
        JwtError::UnknownKey(None)
    );
    // And the verifier refuses it, whoever hands it over.
    let jwk = PublicJwk::rsa(WEAK_N, "AQAB").unwrap();
    let (input, signature) = WEAK_JWS.rsplit_once('.').unwrap();
    let signature = Base64UrlUnpadded::decode_vec(signature).unwrap();
    let verdict =
        RustCryptoVerifier.verify(JwsAlgorithm::Rs256, &jwk, input.as_bytes(), &signature);
    assert_eq!(verdict, Err(JwtError::BadSignature));
}

#[test]
fn a_key_set_is_read_strictly() {
    for bad in [
        "",
        "[]",
        "{}",
        r#"{"keys":{}}"#,
        r#"{"keys":[1]}"#,
        r#"{"keys":[{"kid":"no kty"}]}"#,
        r#"{"keys":[{"kty":"RSA","kid":"a","kid":"b"}]}"#,
        r#"{"keys":[],"keys":[]}"#,
    ] {
        assert_eq!(
            JwkSet::from_json(bad.as_bytes()),
            Err(InvalidValue::KeySetMalformed),
            "{bad}"
        );
    }
    let private = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}]}"#;
    assert_eq!(
        JwkSet::from_json(private.as_bytes()),
        Err(InvalidValue::KeySetPrivateKey)
    );
    let many = format!(r#"{{"keys":[{}]}}"#, vec![r#"{"kty":"oct"}"#; 65].join(","));
    assert_eq!(
        JwkSet::from_json(many.as_bytes()),
        Err(InvalidValue::KeySetTooManyKeys)
    );
    // 64 keys, the limit itself, are read.
    let limit = format!(r#"{{"keys":[{}]}}"#, vec![r#"{"kty":"oct"}"#; 64].join(","));
    assert_eq!(JwkSet::from_json(limit.as_bytes()).unwrap().ignored(), 64);
    // Keys of other types, curves or algorithms are ignored (RFC 7517 §5),
    // and kept when the set is stored.
    let mixed = format!(
        r#"{{"keys":[{{"kty":"oct","k":"AA"}},{{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}},{{"kty":"OKP","crv":"X25519","x":"{RFC8037_X}"}},{{"kty":"RSA","alg":"RSA-OAEP","n":"{A2_N}","e":"AQAB"}},{{"kty":"RSA","kid":"ok","n":"{A2_N}","e":"AQAB"}}]}}"#
    );
    let keys = set(&mixed);
    assert_eq!((keys.keys().len(), keys.ignored()), (1, 4));
    assert_eq!(keys.keys()[0].key_id(), Some("ok"));
    assert_eq!(keys.keys()[0].algorithm(), None);
    // A key's `alg` pins the one algorithm it verifies.
    let pinned = set(&format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"ps","alg":"PS256","n":"{A2_N}","e":"AQAB"}}]}}"#
    ));
    assert_eq!(pinned.keys()[0].algorithm(), Some(JwsAlgorithm::Ps256));
    assert_eq!(JwkSet::from_json(keys.to_json().as_bytes()).unwrap(), keys);
}

/// A header's `kid` is what the token named; a verifier without a MAC key
/// refuses every MAC (the trait's default); a JWS of exactly the cap is
/// read, one byte more is not.
#[test]
fn header_kid_mac_default_and_the_size_cap() {
    use crate::openid::{claims, es256_set, id_token};
    let keys = set(&es256_set("k1"));
    let verified = verify_jws(&id_token("k1", claims()), ALL, &keys, &RustCryptoVerifier).unwrap();
    assert_eq!(verified.header().key_id(), Some("k1"));
    assert_eq!(verified.header().typ(), Some("JWT"));

    assert_eq!(
        RustCryptoVerifier.verify_mac(JwsAlgorithm::Hs256, b"input", b"tag"),
        Err(JwtError::AlgorithmNotAllowed("HS256".into()))
    );

    let header = A2_JWS.split('.').next().unwrap();
    let cap = oauth2_pkce::limits::MAX_JWS_BYTES;
    let filler = |len: usize| "A".repeat(len);
    let at_cap = format!("{header}.{}.AAAA", filler(cap - header.len() - 6));
    assert_eq!(at_cap.len(), cap);
    assert_eq!(
        verify_jws(&at_cap, ALL, &rsa_set("a2"), &RustCryptoVerifier).unwrap_err(),
        JwtError::BadSignature
    );
    let over = format!("{at_cap}A");
    assert_eq!(
        verify_jws(&over, ALL, &rsa_set("a2"), &RustCryptoVerifier).unwrap_err(),
        JwtError::TooLarge
    );
}

//! JSON Web Signatures, the one JOSE core of the crate: signing the
//! client's own proofs (client assertions, RFC 7523 §2.2; DPoP proofs,
//! RFC 9449 §4.2), and verifying what the server signs (ID tokens,
//! OpenID Connect Core §3.1.3.7) with the keys of its JWK Set (RFC 7517
//! §5).
//!
//! Keys and signature checks are the caller's to choose: [`Signer`] is
//! implemented by an HSM, a KMS or a hardware key as easily as by the
//! software keys behind features ([`Es256Key`] with `es256`,
//! [`Ed25519Key`] with `ed25519`); [`JwsVerifier`] by ring or aws-lc as
//! easily as by [`RustCryptoVerifier`] (features `rsa`, `es256`,
//! `ed25519`).

mod assertion;
mod client_secret;
mod dpop;
mod key_set;
#[cfg(any(feature = "rsa", feature = "es256", feature = "ed25519"))]
mod rustcrypto;
#[cfg(any(feature = "es256", feature = "ed25519"))]
mod software;
mod verify;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::CryptoError;
use crate::error::InvalidValue;

pub(crate) use assertion::request_object;
pub use assertion::ClientAssertionKey;
pub(crate) use assertion::{client_assertion, AssertionKey, ASSERTION_TYPE};
pub use client_secret::ClientSecretVerifier;
pub(crate) use dpop::proof;
pub use dpop::DpopKey;
pub use key_set::{JwkSet, SetKey};
#[cfg(any(feature = "rsa", feature = "es256", feature = "ed25519"))]
pub use rustcrypto::RustCryptoVerifier;
#[cfg(feature = "ed25519")]
pub use software::Ed25519Key;
#[cfg(feature = "es256")]
pub use software::Es256Key;
pub(crate) use verify::parse_compact;
pub use verify::{verify_jws, JwsHeader, JwsVerifier, VerifiedJws};

/// A JWS algorithm (RFC 7518 §3.1, RFC 8037 §3.1), named as in the JWS
/// `alg` header and in `…_signing_alg_values_supported`: the asymmetric
/// ones a [`Signer`] signs with and a key set's keys verify, and HS256,
/// which only verifies ID tokens keyed with the client secret
/// ([`ClientSecretVerifier`], OpenID Connect Core §10.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwsAlgorithm {
    /// ECDSA with P-256 and SHA-256.
    Es256,
    /// ECDSA with P-384 and SHA-384.
    Es384,
    /// ECDSA with P-521 and SHA-512.
    Es512,
    /// EdDSA (Ed25519 or Ed448, RFC 8037).
    EdDsa,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// RSASSA-PSS with SHA-384.
    Ps384,
    /// RSASSA-PSS with SHA-512.
    Ps512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (not allowed by FAPI 2.0).
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// HMAC with SHA-256 (RFC 7518 §3.2): symmetric, keyed with the client
    /// secret. Never a [`Signer`]'s, never verified with a key of the
    /// server's key set.
    Hs256,
}

impl JwsAlgorithm {
    /// The `alg` value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Es512 => "ES512",
            Self::EdDsa => "EdDSA",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Hs256 => "HS256",
        }
    }
}

impl JwsAlgorithm {
    /// The algorithm an `alg` value names (RFC 7518 §3.1, RFC 8037
    /// §3.1), compared exactly; `None` for any other, `none`, HS384 and
    /// HS512 included.
    #[must_use]
    pub fn from_name(alg: &str) -> Option<Self> {
        Some(match alg {
            "ES256" => Self::Es256,
            "ES384" => Self::Es384,
            "ES512" => Self::Es512,
            "EdDSA" => Self::EdDsa,
            "PS256" => Self::Ps256,
            "PS384" => Self::Ps384,
            "PS512" => Self::Ps512,
            "RS256" => Self::Rs256,
            "RS384" => Self::Rs384,
            "RS512" => Self::Rs512,
            "HS256" => Self::Hs256,
            _ => return None,
        })
    }

    /// The `alg` of a JWS this client signs: an asymmetric one (RFC 9449
    /// §4.2 for DPoP proofs; a client assertion signed with a MAC is
    /// `client_secret_jwt`'s, not a [`Signer`]'s).
    pub(crate) fn asymmetric(self) -> Result<&'static str, CryptoError> {
        match self {
            Self::Hs256 => Err(CryptoError::Signing(
                "a signer's algorithm must be asymmetric",
            )),
            _ => Ok(self.as_str()),
        }
    }
}

impl fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A public key as a JSON Web Key (RFC 7517 §4), with the members its
/// thumbprint covers (RFC 7638 §3.2): what a DPoP proof carries in its
/// `jwk` header (RFC 9449 §4.2). Coordinates and numbers are base64url
/// without padding, as in a JWK.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicJwk(Key);

/// A [`PublicJwk`]'s members, base64url without padding as in the JWK:
/// what a [`JwsVerifier`] decodes into its own key type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwkParams<'a> {
    /// `kty: EC` (RFC 7518 §6.2.1).
    Ec {
        /// `P-256`, `P-384` or `P-521`.
        crv: &'a str,
        /// The x coordinate.
        x: &'a str,
        /// The y coordinate.
        y: &'a str,
    },
    /// `kty: OKP` (RFC 8037 §2).
    Okp {
        /// `Ed25519` or `Ed448`.
        crv: &'a str,
        /// The public key.
        x: &'a str,
    },
    /// `kty: RSA` (RFC 7518 §6.3.1).
    Rsa {
        /// The modulus.
        n: &'a str,
        /// The exponent.
        e: &'a str,
    },
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Ec { crv: String, x: String, y: String },
    Okp { crv: String, x: String },
    Rsa { n: String, e: String },
}

fn base64url(value: &str) -> Result<String, InvalidValue> {
    let valid = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then(|| String::from(value)).ok_or(InvalidValue::Jwk)
}

impl PublicJwk {
    /// An elliptic-curve key (`kty: EC`, RFC 7518 §6.2.1): `crv` is
    /// `P-256`, `P-384` or `P-521`.
    ///
    /// # Errors
    /// [`InvalidValue`] for another curve or a member that is not base64url.
    pub fn ec(crv: &str, x: &str, y: &str) -> Result<Self, InvalidValue> {
        if !matches!(crv, "P-256" | "P-384" | "P-521") {
            return Err(InvalidValue::Jwk);
        }
        Ok(Self(Key::Ec {
            crv: String::from(crv),
            x: base64url(x)?,
            y: base64url(y)?,
        }))
    }

    /// An octet key pair (`kty: OKP`, RFC 8037 §2): `crv` is `Ed25519` or
    /// `Ed448`.
    ///
    /// # Errors
    /// [`InvalidValue`] for another curve or an `x` that is not base64url.
    pub fn okp(crv: &str, x: &str) -> Result<Self, InvalidValue> {
        if !matches!(crv, "Ed25519" | "Ed448") {
            return Err(InvalidValue::Jwk);
        }
        Ok(Self(Key::Okp {
            crv: String::from(crv),
            x: base64url(x)?,
        }))
    }

    /// An RSA key (`kty: RSA`, RFC 7518 §6.3.1).
    ///
    /// # Errors
    /// [`InvalidValue`] for a member that is not base64url.
    pub fn rsa(n: &str, e: &str) -> Result<Self, InvalidValue> {
        Ok(Self(Key::Rsa {
            n: base64url(n)?,
            e: base64url(e)?,
        }))
    }

    /// The key's members.
    #[must_use]
    pub fn params(&self) -> JwkParams<'_> {
        match &self.0 {
            Key::Ec { crv, x, y } => JwkParams::Ec { crv, x, y },
            Key::Okp { crv, x } => JwkParams::Okp { crv, x },
            Key::Rsa { n, e } => JwkParams::Rsa { n, e },
        }
    }

    /// Whether the key is of the type `alg` signs with (RFC 7518 §3.1,
    /// RFC 8037 §3.1).
    pub(crate) fn fits(&self, alg: JwsAlgorithm) -> bool {
        use JwsAlgorithm::*;
        match (&self.0, alg) {
            (Key::Rsa { .. }, Rs256 | Rs384 | Rs512 | Ps256 | Ps384 | Ps512) => true,
            (Key::Ec { crv, .. }, Es256) => crv == "P-256",
            (Key::Ec { crv, .. }, Es384) => crv == "P-384",
            (Key::Ec { crv, .. }, Es512) => crv == "P-521",
            (Key::Okp { .. }, EdDsa) => true,
            _ => false,
        }
    }

    /// The key's JSON, its required members only, in lexicographic order
    /// and without whitespace: the thumbprint's input (RFC 7638 §3.3), and
    /// what a DPoP proof's `jwk` header holds.
    #[must_use]
    pub fn to_json(&self) -> String {
        // The members are base64url or a registered curve name: nothing
        // to escape.
        match &self.0 {
            Key::Ec { crv, x, y } => {
                alloc::format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#)
            }
            Key::Okp { crv, x } => alloc::format!(r#"{{"crv":"{crv}","kty":"OKP","x":"{x}"}}"#),
            Key::Rsa { n, e } => alloc::format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
        }
    }

    /// The JWK SHA-256 thumbprint (RFC 7638 §3), base64url: DPoP's
    /// `jkt` (RFC 9449 §6.1) and `dpop_jkt` (§10).
    #[must_use]
    pub fn thumbprint(&self) -> String {
        Base64UrlUnpadded::encode_string(&Sha256::digest(self.to_json().as_bytes()))
    }
}

impl fmt::Debug for PublicJwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicJwk({})", self.thumbprint())
    }
}

impl Serialize for PublicJwk {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        match &self.0 {
            Key::Ec { crv, x, y } => {
                map.serialize_entry("crv", crv)?;
                map.serialize_entry("kty", "EC")?;
                map.serialize_entry("x", x)?;
                map.serialize_entry("y", y)?;
            }
            Key::Okp { crv, x } => {
                map.serialize_entry("crv", crv)?;
                map.serialize_entry("kty", "OKP")?;
                map.serialize_entry("x", x)?;
            }
            Key::Rsa { n, e } => {
                map.serialize_entry("e", e)?;
                map.serialize_entry("kty", "RSA")?;
                map.serialize_entry("n", n)?;
            }
        }
        map.end()
    }
}

/// An asymmetric private key that signs JWS signing inputs (RFC 7515
/// §5.1): for `private_key_jwt` client authentication (RFC 7523 §2.2) and
/// DPoP proofs (RFC 9449). Implement it over an HSM, a KMS or a hardware
/// token; [`Es256Key`] and [`Ed25519Key`] are software keys.
///
/// Implementations must never print key material in `Debug`.
pub trait Signer: Send + Sync {
    /// The `alg` it signs with.
    fn algorithm(&self) -> JwsAlgorithm;

    /// The public half, for DPoP's `jwk` header and thumbprints.
    fn public_jwk(&self) -> PublicJwk;

    /// The `kid` to name in a client assertion's header, when the server
    /// knows the key by one (a JWKS with several keys).
    fn key_id(&self) -> Option<&str> {
        None
    }

    /// Signs `signing_input` (`BASE64URL(header) '.' BASE64URL(payload)`),
    /// returning the JWS signature bytes (for ECDSA the fixed-size `R || S`
    /// of RFC 7518 §3.4, not DER).
    ///
    /// # Errors
    /// A [`CryptoError::Signing`] with a fixed reason of the signer's own
    /// when the key could not sign (a device that is gone, a KMS that
    /// refused).
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// A JWS protected header with the members this crate writes.
#[derive(Serialize)]
pub(crate) struct Header<'a> {
    pub(crate) alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) typ: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) jwk: Option<&'a PublicJwk>,
}

/// `header` and `claims` as a compact JWS (RFC 7515 §7.1), the signature
/// made by `sign` over the signing input.
pub(crate) fn compact(
    header: &Header<'_>,
    claims: &impl Serialize,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, CryptoError>,
) -> Result<String, CryptoError> {
    let header =
        serde_json::to_vec(header).map_err(|_| CryptoError::Signing("unencodable header"))?;
    let claims =
        serde_json::to_vec(claims).map_err(|_| CryptoError::Signing("unencodable claims"))?;
    let mut jws = Base64UrlUnpadded::encode_string(&header);
    jws.push('.');
    jws.push_str(&Base64UrlUnpadded::encode_string(&claims));
    let signature = sign(jws.as_bytes())?;
    jws.push('.');
    jws.push_str(&Base64UrlUnpadded::encode_string(&signature));
    Ok(jws)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 §3.1: the example RSA key and its thumbprint.
    #[test]
    fn rfc7638_rsa_thumbprint() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let jwk = PublicJwk::rsa(n, "AQAB").unwrap();
        assert_eq!(
            jwk.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(
            serde_json::to_string(&jwk).unwrap(),
            jwk.to_json(),
            "the header's jwk is the thumbprint's input"
        );
    }

    /// RFC 8037 Appendix A.3: the Ed25519 example key's thumbprint.
    #[test]
    fn rfc8037_okp_thumbprint() {
        let jwk = PublicJwk::okp("Ed25519", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        assert_eq!(
            jwk.to_json(),
            r#"{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
        );
        assert_eq!(
            jwk.thumbprint(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        assert_eq!(
            alloc::format!("{jwk:?}"),
            "PublicJwk(kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k)"
        );
    }

    #[test]
    fn members_must_be_base64url_and_curves_registered() {
        for bad in ["", "a=", "a b", "a\"", "a+b", "a/b", "é"] {
            assert_eq!(
                PublicJwk::okp("Ed25519", bad),
                Err(InvalidValue::Jwk),
                "{bad:?}"
            );
            assert_eq!(
                PublicJwk::rsa(bad, "AQAB"),
                Err(InvalidValue::Jwk),
                "{bad:?}"
            );
            assert_eq!(
                PublicJwk::ec("P-256", "AA", bad),
                Err(InvalidValue::Jwk),
                "{bad:?}"
            );
        }
        assert_eq!(PublicJwk::okp("X25519", "AA"), Err(InvalidValue::Jwk));
        assert_eq!(
            PublicJwk::ec("secp256k1", "AA", "AA"),
            Err(InvalidValue::Jwk)
        );
    }

    /// Every `alg` this crate knows reads back from its name, exactly
    /// (RFC 7518 §3.1, RFC 8037 §3.1), and a key fits only the algorithms
    /// of its type and curve.
    #[test]
    fn algorithms_read_back_and_keys_fit_their_own() {
        use JwsAlgorithm::*;
        let all = [
            Es256, Es384, Es512, EdDsa, Ps256, Ps384, Ps512, Rs256, Rs384, Rs512, Hs256,
        ];
        for alg in all {
            assert_eq!(JwsAlgorithm::from_name(alg.as_str()), Some(alg), "{alg:?}");
        }
        for other in ["none", "HS384", "HS512", "es256", "ES256 ", "Ed25519"] {
            assert_eq!(JwsAlgorithm::from_name(other), None, "{other}");
        }

        let fitting = |jwk: &PublicJwk| -> Vec<JwsAlgorithm> {
            all.into_iter().filter(|alg| jwk.fits(*alg)).collect()
        };
        let ec = |crv| PublicJwk::ec(crv, "AA", "AA").unwrap();
        assert_eq!(fitting(&ec("P-256")), [Es256]);
        assert_eq!(fitting(&ec("P-384")), [Es384]);
        assert_eq!(fitting(&ec("P-521")), [Es512]);
        assert_eq!(fitting(&PublicJwk::okp("Ed25519", "AA").unwrap()), [EdDsa]);
        assert_eq!(
            fitting(&PublicJwk::rsa("AA", "AQAB").unwrap()),
            [Ps256, Ps384, Ps512, Rs256, Rs384, Rs512]
        );
    }

    /// A signer names no `kid` unless it says so.
    #[test]
    fn a_signer_has_no_key_id_by_default() {
        struct Plain;
        impl Signer for Plain {
            fn algorithm(&self) -> JwsAlgorithm {
                JwsAlgorithm::EdDsa
            }
            fn public_jwk(&self) -> PublicJwk {
                PublicJwk::okp("Ed25519", "AA").unwrap()
            }
            fn sign(&self, _: &[u8]) -> Result<Vec<u8>, CryptoError> {
                Err(CryptoError::Signing("unused"))
            }
        }
        assert_eq!(Plain.key_id(), None);
    }

    #[test]
    fn compact_serialization_signs_the_signing_input() {
        let header = Header {
            alg: "EdDSA",
            typ: None,
            kid: None,
            jwk: None,
        };
        let mut signed = Vec::new();
        let jws = compact(&header, &"Example", |input| {
            signed.extend_from_slice(input);
            Ok(alloc::vec![0xff, 0x00])
        })
        .unwrap();
        assert_eq!(jws, "eyJhbGciOiJFZERTQSJ9.IkV4YW1wbGUi._wA");
        assert_eq!(signed, b"eyJhbGciOiJFZERTQSJ9.IkV4YW1wbGUi");
        let failed = compact(&header, &"x", |_| Err(CryptoError::Signing("offline")));
        assert_eq!(failed, Err(CryptoError::Signing("offline")));
    }
}

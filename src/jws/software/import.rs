//! Private keys as providers and tools hand them out: PKCS#8 DER
//! (RFC 5958), PEM (RFC 7468), and private JWKs (RFC 7517, RFC 7518
//! §6.2.2, RFC 8037 §2). The DER and PEM decoders are RustCrypto's
//! (`pkcs8`, `sec1`, `pem-rfc7468`, through `p256` and `ed25519-dalek`);
//! a JWK's JSON is `serde_json`'s. Whatever the input, every failure is a
//! fixed [`InvalidValue`], and the copies of the private key made on the way
//! are wiped once the key is built.

use alloc::string::String;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use super::{b64, PublicJwk};
use crate::error::InvalidValue;
use crate::limits::MAX_PRIVATE_KEY_BYTES;

/// The members of a private JWK these keys read (RFC 7517 §4, RFC 7518
/// §6.2, RFC 8037 §2). Others (`use`, `key_ops`, `x5c`, …) are ignored; a
/// member given twice is refused.
#[derive(Deserialize)]
struct PrivateJwk {
    kty: String,
    crv: Option<String>,
    alg: Option<String>,
    kid: Option<String>,
    x: Option<String>,
    #[cfg_attr(not(feature = "es256"), allow(dead_code))]
    y: Option<String>,
    d: Option<SecretMember>,
}

/// A JWK's `d`, wiped when dropped.
struct SecretMember(Zeroizing<String>);

impl<'de> Deserialize<'de> for SecretMember {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|d| Self(Zeroizing::new(d)))
    }
}

fn check_size(len: usize) -> Result<(), InvalidValue> {
    if len > MAX_PRIVATE_KEY_BYTES {
        return Err(InvalidValue::KeyTooLarge);
    }
    Ok(())
}

impl PrivateJwk {
    /// The JWK in `text`, when its `kty` and `crv` are the ones asked for
    /// and its `alg`, if any, is one of `algs`.
    fn parse(text: &str, kty: &str, crv: &str, algs: &[&str]) -> Result<Self, InvalidValue> {
        check_size(text.len())?;
        let jwk: Self = serde_json::from_str(text).map_err(|_| InvalidValue::KeyMalformedJwk)?;
        if jwk.kty != kty {
            return Err(InvalidValue::KeyOfOtherAlgorithm);
        }
        let alg_matches = jwk.alg.as_deref().is_none_or(|alg| algs.contains(&alg));
        if jwk.crv.as_deref().ok_or(InvalidValue::KeyMalformedJwk)? != crv || !alg_matches {
            return Err(InvalidValue::KeyOfOtherAlgorithm);
        }
        Ok(jwk)
    }

    /// The 32 bytes of `d`.
    fn private_key(&self) -> Result<Zeroizing<[u8; 32]>, InvalidValue> {
        let d = self.d.as_ref().ok_or(InvalidValue::KeyNotPrivate)?;
        let decoded = Zeroizing::new(
            Base64UrlUnpadded::decode_vec(&d.0).map_err(|_| InvalidValue::KeyMalformedJwk)?,
        );
        let mut bytes = Zeroizing::new([0_u8; 32]);
        if decoded.len() != bytes.len() {
            return Err(InvalidValue::KeyNotOfCurve);
        }
        bytes.copy_from_slice(&decoded);
        Ok(bytes)
    }

    /// A public member, as the canonical base64url of its 32 bytes.
    fn coordinate(member: Option<&String>) -> Result<String, InvalidValue> {
        let mut bytes = [0_u8; 32];
        match member.map(|value| Base64UrlUnpadded::decode(value.as_bytes(), &mut bytes)) {
            Some(Ok(decoded)) if decoded.len() == 32 => Ok(b64(&bytes)),
            _ => Err(InvalidValue::KeyMalformedJwk),
        }
    }
}

/// `pem` without the `EC PARAMETERS` document that
/// `openssl ecparam -genkey` writes before the key (RFC 5915 §4 allows
/// none; the SEC1 key names its curve itself).
fn skip_ec_parameters(pem: &str) -> &str {
    match pem
        .trim_start()
        .strip_prefix("-----BEGIN EC PARAMETERS-----")
    {
        Some(rest) => rest
            .find("-----BEGIN ")
            .and_then(|start| rest.get(start..))
            .unwrap_or(rest),
        None => pem,
    }
}

/// The error for a PEM document whose label the key type does not read.
fn unread_label(label: &str) -> InvalidValue {
    match label {
        "ENCRYPTED PRIVATE KEY" => InvalidValue::KeyEncrypted,
        "PUBLIC KEY" => InvalidValue::KeyNotPrivate,
        "RSA PRIVATE KEY" | "EC PRIVATE KEY" => InvalidValue::KeyOfOtherAlgorithm,
        _ => InvalidValue::KeyMalformed,
    }
}

/// A PKCS#8 decoding error of `$krate`'s `pkcs8` as ours: a document
/// for another algorithm or curve (an OID other than the key's), or else
/// a malformed one.
macro_rules! pkcs8_error {
    ($krate:ident) => {
        |error: $krate::pkcs8::Error| match error {
            $krate::pkcs8::Error::PublicKey($krate::pkcs8::spki::Error::OidUnknown { .. }) => {
                InvalidValue::KeyOfOtherAlgorithm
            }
            _ => InvalidValue::KeyMalformed,
        }
    };
}

#[cfg(feature = "es256")]
impl super::Es256Key {
    /// The key in a PKCS#8 `PrivateKeyInfo` (RFC 5958 §2), DER-encoded,
    /// whose algorithm is `id-ecPublicKey` on P-256 (RFC 5480 §2.1.1) and
    /// whose private key is a SEC1 `ECPrivateKey` (RFC 5915 §3); a public
    /// key in it must be the private key's. What
    /// `openssl pkcs8 -topk8 -nocrypt -outform DER` writes.
    ///
    /// # Errors
    /// [`InvalidValue::KeyOfOtherAlgorithm`] for a key of another algorithm or
    /// curve, [`InvalidValue::KeyMalformed`] for anything else that is not
    /// such a key, [`InvalidValue::KeyTooLarge`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, InvalidValue> {
        use p256::pkcs8::DecodePrivateKey as _;
        check_size(der.len())?;
        let key = p256::SecretKey::from_pkcs8_der(der).map_err(pkcs8_error!(p256))?;
        Self::from_signing_key(p256::ecdsa::SigningKey::from(&key))
    }

    /// The key in a PEM document (RFC 7468): PKCS#8 labelled
    /// `PRIVATE KEY` (RFC 7468 §10, what `openssl genpkey` writes), or
    /// SEC1 labelled `EC PRIVATE KEY` (RFC 5915 §4, what
    /// `openssl ecparam -genkey` writes, after the `EC PARAMETERS` it puts
    /// first, which are skipped). The curve must be P-256.
    ///
    /// # Errors
    /// [`InvalidValue::KeyEncrypted`] for `ENCRYPTED PRIVATE KEY`,
    /// [`InvalidValue::KeyNotPrivate`] for `PUBLIC KEY`,
    /// [`InvalidValue::KeyOfOtherAlgorithm`] for another algorithm or curve,
    /// [`InvalidValue::KeyMalformed`] for anything else that is not such a key,
    /// [`InvalidValue::KeyTooLarge`].
    pub fn from_pem(pem: &str) -> Result<Self, InvalidValue> {
        use p256::pkcs8::der::pem;
        use p256::pkcs8::DecodePrivateKey as _;
        check_size(pem.len())?;
        let pem = skip_ec_parameters(pem);
        let label = pem::decode_label(pem.as_bytes()).map_err(|_| InvalidValue::KeyMalformed)?;
        let key = match label {
            "PRIVATE KEY" => p256::SecretKey::from_pkcs8_pem(pem).map_err(pkcs8_error!(p256))?,
            "EC PRIVATE KEY" => {
                p256::SecretKey::from_sec1_pem(pem).map_err(|_| InvalidValue::KeyMalformed)?
            }
            _ => return Err(unread_label(label)),
        };
        Self::from_signing_key(p256::ecdsa::SigningKey::from(&key))
    }

    /// The key in a private JWK (RFC 7517 §4; RFC 7518 §6.2.2): `kty`
    /// `EC`, `crv` `P-256`, the private key `d` and the public `x` and
    /// `y`, which must be `d`'s. An `alg`, if present, must be `ES256`; a
    /// `kid` names the key as [`with_key_id`](Self::with_key_id) does.
    /// Other members are ignored.
    ///
    /// # Errors
    /// [`InvalidValue::KeyMalformedJwk`], [`InvalidValue::KeyOfOtherAlgorithm`],
    /// [`InvalidValue::KeyNotPrivate`] without `d`,
    /// [`InvalidValue::KeyNotOfCurve`] for a `d` that is not a P-256 key,
    /// [`InvalidValue::KeyPublicPartMismatch`], [`InvalidValue::KeyTooLarge`].
    pub fn from_jwk(jwk: &str) -> Result<Self, InvalidValue> {
        let jwk = PrivateJwk::parse(jwk, "EC", "P-256", &["ES256"])?;
        let key = Self::from_bytes(&*jwk.private_key()?)?;
        let public = PublicJwk::ec(
            "P-256",
            &PrivateJwk::coordinate(jwk.x.as_ref())?,
            &PrivateJwk::coordinate(jwk.y.as_ref())?,
        )
        .map_err(|_| InvalidValue::KeyMalformedJwk)?;
        if public != key.jwk {
            return Err(InvalidValue::KeyPublicPartMismatch);
        }
        Ok(match jwk.kid {
            Some(kid) => key.with_key_id(kid),
            None => key,
        })
    }
}

#[cfg(feature = "ed25519")]
impl super::Ed25519Key {
    /// The key in a PKCS#8 `OneAsymmetricKey` (RFC 8410 §7; RFC 5958 §2),
    /// DER-encoded, whose algorithm is `id-Ed25519`; a public key in it
    /// (version 2) must be the private key's. What
    /// `openssl genpkey -algorithm ed25519 -outform DER` writes.
    ///
    /// # Errors
    /// [`InvalidValue::KeyOfOtherAlgorithm`] for a key of another algorithm,
    /// [`InvalidValue::KeyMalformed`] for anything else that is not such a key,
    /// [`InvalidValue::KeyTooLarge`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, InvalidValue> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        check_size(der.len())?;
        let key =
            ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(pkcs8_error!(ed25519_dalek))?;
        Ok(Self::from_signing_key(key))
    }

    /// The key in a PEM document labelled `PRIVATE KEY` (RFC 8410 §10.3,
    /// RFC 7468 §10): what `openssl genpkey -algorithm ed25519` writes.
    ///
    /// # Errors
    /// [`InvalidValue::KeyEncrypted`] for `ENCRYPTED PRIVATE KEY`,
    /// [`InvalidValue::KeyNotPrivate`] for `PUBLIC KEY`,
    /// [`InvalidValue::KeyOfOtherAlgorithm`] for another algorithm (an
    /// `EC PRIVATE KEY` too), [`InvalidValue::KeyMalformed`] for anything else
    /// that is not such a key, [`InvalidValue::KeyTooLarge`].
    pub fn from_pem(pem: &str) -> Result<Self, InvalidValue> {
        use ed25519_dalek::pkcs8::spki::der::pem;
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        check_size(pem.len())?;
        let pem = skip_ec_parameters(pem);
        let label = pem::decode_label(pem.as_bytes()).map_err(|_| InvalidValue::KeyMalformed)?;
        if label != "PRIVATE KEY" {
            return Err(unread_label(label));
        }
        let key =
            ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(pkcs8_error!(ed25519_dalek))?;
        Ok(Self::from_signing_key(key))
    }

    /// The key in a private JWK (RFC 8037 §2; RFC 7517 §4): `kty` `OKP`,
    /// `crv` `Ed25519`, the private key `d` and the public `x`, which
    /// must be `d`'s. An `alg`, if present, must be `EdDSA` (or `Ed25519`,
    /// RFC 9864 §2.2); a `kid` names the key as
    /// [`with_key_id`](Self::with_key_id) does. Other members are ignored.
    ///
    /// # Errors
    /// [`InvalidValue::KeyMalformedJwk`], [`InvalidValue::KeyOfOtherAlgorithm`],
    /// [`InvalidValue::KeyNotPrivate`] without `d`,
    /// [`InvalidValue::KeyNotOfCurve`] for a `d` that is not 32 bytes,
    /// [`InvalidValue::KeyPublicPartMismatch`], [`InvalidValue::KeyTooLarge`].
    pub fn from_jwk(jwk: &str) -> Result<Self, InvalidValue> {
        let jwk = PrivateJwk::parse(jwk, "OKP", "Ed25519", &["EdDSA", "Ed25519"])?;
        let key = Self::from_bytes(&*jwk.private_key()?);
        let public = PublicJwk::okp("Ed25519", &PrivateJwk::coordinate(jwk.x.as_ref())?)
            .map_err(|_| InvalidValue::KeyMalformedJwk)?;
        if public != key.jwk {
            return Err(InvalidValue::KeyPublicPartMismatch);
        }
        Ok(match jwk.kid {
            Some(kid) => key.with_key_id(kid),
            None => key,
        })
    }
}

//! Software keys: the private key in this process's memory, wiped when
//! dropped. RustCrypto's `p256` and dalek's `ed25519-dalek` do the
//! signing; this crate only frames their signatures as JWS wants them.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};

use super::{JwsAlgorithm, PublicJwk, Signer};
use crate::error::CryptoError;
#[cfg(feature = "es256")]
use crate::error::InvalidValue;

mod import;

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// The parts every software key shares: `with_key_id`, and a `Debug`
/// that shows the public key and `kid`, never the private key.
macro_rules! software_key {
    ($key:ident) => {
        impl $key {
            /// Names the key with `kid` in client assertions.
            #[must_use]
            pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
                self.kid = Some(kid.into());
                self
            }
        }

        impl fmt::Debug for $key {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($key))
                    .field("jwk", &self.jwk)
                    .field("kid", &self.kid)
                    .finish_non_exhaustive()
            }
        }
    };
}

/// A software key's `public_jwk` and `key_id`.
macro_rules! key_parts {
    () => {
        fn public_jwk(&self) -> PublicJwk {
            self.jwk.clone()
        }

        fn key_id(&self) -> Option<&str> {
            self.kid.as_deref()
        }
    };
}

#[cfg(feature = "es256")]
/// An ECDSA P-256 key signing `ES256` (RFC 7518 §3.4), the algorithm
/// FAPI 2.0 and most DPoP servers expect. Signatures are deterministic
/// (RFC 6979), so no randomness is needed to sign.
///
/// Read it from what the provider or `openssl` gave:
/// [`from_pem`](Self::from_pem) (PKCS#8 or SEC1),
/// [`from_pkcs8_der`](Self::from_pkcs8_der), [`from_jwk`](Self::from_jwk),
/// or the raw private key with [`from_bytes`](Self::from_bytes).
#[derive(Clone)]
pub struct Es256Key {
    key: p256::ecdsa::SigningKey,
    jwk: PublicJwk,
    kid: Option<String>,
}

#[cfg(feature = "es256")]
impl Es256Key {
    /// The key with the private scalar `d` (32 bytes, big-endian: a JWK's
    /// `d`, decoded). Generate it from 32 bytes of the operating system's
    /// randomness; about one value in 2³² is out of range and refused.
    ///
    /// # Errors
    /// [`InvalidValue::KeyNotOfCurve`] when `d` is not 32 bytes or not a
    /// valid scalar.
    pub fn from_bytes(d: &[u8]) -> Result<Self, InvalidValue> {
        if d.len() != 32 {
            return Err(InvalidValue::KeyNotOfCurve);
        }
        let key =
            p256::ecdsa::SigningKey::from_slice(d).map_err(|_| InvalidValue::KeyNotOfCurve)?;
        Self::from_signing_key(key)
    }

    /// The key with its public JWK, derived from the private key.
    fn from_signing_key(key: p256::ecdsa::SigningKey) -> Result<Self, InvalidValue> {
        let point = key.verifying_key().to_sec1_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(InvalidValue::KeyNotOfCurve);
        };
        let jwk =
            PublicJwk::ec("P-256", &b64(x), &b64(y)).map_err(|_| InvalidValue::KeyNotOfCurve)?;
        Ok(Self {
            key,
            jwk,
            kid: None,
        })
    }
}

#[cfg(feature = "es256")]
impl Signer for Es256Key {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::Es256
    }

    key_parts!();

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use p256::ecdsa::signature::Signer as _;
        let signature: p256::ecdsa::Signature = self
            .key
            .try_sign(signing_input)
            .map_err(|_| CryptoError::Signing("ECDSA signing failed"))?;
        Ok(signature.to_bytes().to_vec())
    }
}

#[cfg(feature = "es256")]
software_key!(Es256Key);

#[cfg(feature = "ed25519")]
/// An Ed25519 key signing `EdDSA` (RFC 8037 §3.1).
///
/// Read it from what the provider or `openssl` gave:
/// [`from_pem`](Self::from_pem), [`from_pkcs8_der`](Self::from_pkcs8_der),
/// [`from_jwk`](Self::from_jwk), or the raw private key with
/// [`from_bytes`](Self::from_bytes).
#[derive(Clone)]
pub struct Ed25519Key {
    key: ed25519_dalek::SigningKey,
    jwk: PublicJwk,
    kid: Option<String>,
}

#[cfg(feature = "ed25519")]
impl Ed25519Key {
    /// The key with the 32-byte seed `d` (RFC 8032 §5.1.5; a JWK's `d`,
    /// decoded). Any 32 random bytes are a key.
    #[must_use]
    pub fn from_bytes(d: &[u8; 32]) -> Self {
        Self::from_signing_key(ed25519_dalek::SigningKey::from_bytes(d))
    }

    /// The key with its public JWK, derived from the private key.
    fn from_signing_key(key: ed25519_dalek::SigningKey) -> Self {
        // 32 bytes in base64url: a valid `x` by construction.
        let jwk = PublicJwk(super::Key::Okp {
            crv: String::from("Ed25519"),
            x: b64(key.verifying_key().as_bytes()),
        });
        Self {
            key,
            jwk,
            kid: None,
        }
    }
}

#[cfg(feature = "ed25519")]
impl Signer for Ed25519Key {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::EdDsa
    }

    key_parts!();

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use ed25519_dalek::Signer as _;
        Ok(self.key.sign(signing_input).to_bytes().to_vec())
    }
}

#[cfg(feature = "ed25519")]
software_key!(Ed25519Key);

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(b64url: &str) -> Vec<u8> {
        Base64UrlUnpadded::decode_vec(b64url).unwrap()
    }

    /// RFC 8037 Appendix A.1–A.4: the example key, its public half, and
    /// the signature of the example JWS.
    #[cfg(feature = "ed25519")]
    #[test]
    fn rfc8037_ed25519_signature() {
        let d: [u8; 32] = decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
            .try_into()
            .unwrap();
        let key = Ed25519Key::from_bytes(&d);
        assert_eq!(
            key.public_jwk().thumbprint(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        let signature = key
            .sign(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")
            .unwrap();
        assert_eq!(
            b64(&signature),
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        );
        let debug = alloc::format!("{key:?}");
        assert!(!debug.contains("nWGxne"), "{debug}");
    }

    /// RFC 7515 Appendix A.3: the example P-256 key's public half; the
    /// signature verifies under it.
    #[cfg(feature = "es256")]
    #[test]
    fn rfc7515_es256_key() {
        let d = decode("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
        let key = Es256Key::from_bytes(&d).unwrap().with_key_id("k1");
        let expected = PublicJwk::ec(
            "P-256",
            "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        )
        .unwrap();
        assert_eq!(key.public_jwk(), expected);
        assert_eq!(key.key_id(), Some("k1"));
        let input = b"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UifQ";
        let signature = key.sign(input).unwrap();
        assert_eq!(signature.len(), 64, "R || S, not DER");
        let verifying = p256::ecdsa::VerifyingKey::from(&key.key);
        let signature = p256::ecdsa::Signature::from_slice(&signature).unwrap();
        use p256::ecdsa::signature::Verifier as _;
        assert!(verifying.verify(input, &signature).is_ok());
        assert!(verifying.verify(b"another input", &signature).is_err());
        let debug = alloc::format!("{key:?}");
        assert!(!debug.contains("jpsQnn"), "{debug}");
    }

    #[cfg(feature = "es256")]
    #[test]
    fn es256_refuses_what_is_not_a_scalar() {
        for d in [&[0_u8; 32][..], &[0xff; 32], &[1; 31], &[1; 33], &[]] {
            assert_eq!(
                Es256Key::from_bytes(d).unwrap_err(),
                InvalidValue::KeyNotOfCurve
            );
        }
    }
}

//! Signature verification by RustCrypto and dalek: RS256 and PS256 with
//! `rsa` (feature `rsa`), ES256 with `p256` (feature `es256`), EdDSA over
//! Ed25519 with `ed25519-dalek` (feature `ed25519`). This crate only
//! decodes the JWK's members and hands them over.

use base64ct::{Base64UrlUnpadded, Encoding};

use super::verify::JwsVerifier;
use super::{JwkParams, JwsAlgorithm, PublicJwk};
use crate::error::JwtError;

/// The [`JwsVerifier`] of RustCrypto's and dalek's crates, for the
/// algorithms of the features turned on: `rsa` (RS256, PS256), `es256`
/// (ES256), `ed25519` (EdDSA with Ed25519). An RSA key under 2048 bits is
/// refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RustCryptoVerifier;

fn decode(value: &str) -> Result<alloc::vec::Vec<u8>, JwtError> {
    Base64UrlUnpadded::decode_vec(value).map_err(|_| JwtError::BadSignature)
}

impl JwsVerifier for RustCryptoVerifier {
    fn supports(&self, alg: JwsAlgorithm) -> bool {
        match alg {
            #[cfg(feature = "rsa")]
            JwsAlgorithm::Rs256 | JwsAlgorithm::Ps256 => true,
            #[cfg(feature = "es256")]
            JwsAlgorithm::Es256 => true,
            #[cfg(feature = "ed25519")]
            JwsAlgorithm::EdDsa => true,
            _ => false,
        }
    }

    fn verify(
        &self,
        alg: JwsAlgorithm,
        key: &PublicJwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), JwtError> {
        // Each arm binds only under its feature.
        #[allow(unused_variables)]
        match (alg, key.params()) {
            #[cfg(feature = "rsa")]
            (JwsAlgorithm::Rs256 | JwsAlgorithm::Ps256, JwkParams::Rsa { n, e }) => {
                rsa_verify(alg, &decode(n)?, &decode(e)?, signing_input, signature)
            }
            #[cfg(feature = "es256")]
            (JwsAlgorithm::Es256, JwkParams::Ec { crv: "P-256", x, y }) => {
                es256_verify(&decode(x)?, &decode(y)?, signing_input, signature)
            }
            #[cfg(feature = "ed25519")]
            (JwsAlgorithm::EdDsa, JwkParams::Okp { crv: "Ed25519", x }) => {
                ed25519_verify(&decode(x)?, signing_input, signature)
            }
            _ => Err(JwtError::BadSignature),
        }
    }
}

#[cfg(feature = "rsa")]
fn rsa_verify(
    alg: JwsAlgorithm,
    n: &[u8],
    e: &[u8],
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), JwtError> {
    use rsa::signature::Verifier as _;
    let n = rsa::BoxedUint::from_be_slice_vartime(n);
    let e = rsa::BoxedUint::from_be_slice_vartime(e);
    let min = super::key_set::MIN_RSA_BITS;
    let key = rsa::PublicKey::new_with_size_limits(n, e, min..=rsa::PublicKey::MAX_SIZE)
        .map_err(|_| JwtError::BadSignature)?;
    if alg == JwsAlgorithm::Ps256 {
        let signature =
            rsa::pss::Signature::try_from(signature).map_err(|_| JwtError::BadSignature)?;
        rsa::pss::VerifyingKey::<sha2::Sha256>::new(key).verify(signing_input, &signature)
    } else {
        let signature =
            rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| JwtError::BadSignature)?;
        rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(signing_input, &signature)
    }
    .map_err(|_| JwtError::BadSignature)
}

#[cfg(feature = "es256")]
fn es256_verify(
    x: &[u8],
    y: &[u8],
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), JwtError> {
    use p256::ecdsa::signature::Verifier as _;
    // Each coordinate is 32 octets: a 33 and a 31 would make a 65-octet
    // point of other coordinates.
    let x: &[u8; 32] = x.try_into().map_err(|_| JwtError::BadSignature)?;
    let y: &[u8; 32] = y.try_into().map_err(|_| JwtError::BadSignature)?;
    // SEC1's uncompressed point: 0x04, x, y.
    let mut sec1 = alloc::vec::Vec::with_capacity(65);
    sec1.push(4);
    sec1.extend_from_slice(x);
    sec1.extend_from_slice(y);
    let key =
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| JwtError::BadSignature)?;
    // RFC 7518 §3.4: `R || S`, 64 octets, not DER.
    let signature =
        p256::ecdsa::Signature::from_slice(signature).map_err(|_| JwtError::BadSignature)?;
    key.verify(signing_input, &signature)
        .map_err(|_| JwtError::BadSignature)
}

#[cfg(feature = "ed25519")]
fn ed25519_verify(x: &[u8], signing_input: &[u8], signature: &[u8]) -> Result<(), JwtError> {
    let x: &[u8; 32] = x.try_into().map_err(|_| JwtError::BadSignature)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(x).map_err(|_| JwtError::BadSignature)?;
    let signature =
        ed25519_dalek::Signature::from_slice(signature).map_err(|_| JwtError::BadSignature)?;
    // Strict: no small-order keys, no malleable signatures.
    key.verify_strict(signing_input, &signature)
        .map_err(|_| JwtError::BadSignature)
}

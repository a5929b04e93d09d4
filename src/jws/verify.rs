//! Verifying a JWS from the server (RFC 7515 §5.2), in the one order that
//! trusts nothing early: the compact form, size-capped (§7.1) → the
//! protected header (`alg` one the use allows, never `none`; no `crit`
//! this client does not understand, §4.1.11) → the key, by `kid`, `alg`,
//! `use` and `key_ops` (RFC 7517 §4) → the signature → only then the
//! payload, for the caller to read as claims.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::Deserialize;

use super::key_set::{JwkSet, KeySelection};
use super::{JwsAlgorithm, PublicJwk};
use crate::error::JwtError;
use crate::limits::MAX_JWS_BYTES;
use crate::text::UntrustedText;

/// Checks JWS signatures: the crate hands it the algorithm, the key the
/// header selected, the signing input (`BASE64URL(header) '.'
/// BASE64URL(payload)`, RFC 7515 §5.2 step 8) and the signature bytes
/// (for ECDSA the fixed-size `R || S` of RFC 7518 §3.4).
///
/// Implement it over ring, aws-lc or a platform API; with the features
/// `rsa`, `es256` and `ed25519`, [`RustCryptoVerifier`](super::RustCryptoVerifier)
/// is RustCrypto's and dalek's. The crate never verifies a signature
/// itself.
pub trait JwsVerifier: Send + Sync {
    /// Whether it verifies `alg`: a JWS in another algorithm is refused
    /// before any key is looked up.
    fn supports(&self, alg: JwsAlgorithm) -> bool;

    /// Verifies `signature` over `signing_input` with `key` under `alg`.
    /// Refuse a key that is not of `alg`'s type, and an RSA key under
    /// 2048 bits (RFC 7518 §3.3, §3.5).
    ///
    /// # Errors
    /// [`JwtError`] when the signature is not valid, or the key
    /// cannot be used for `alg`.
    fn verify(
        &self,
        alg: JwsAlgorithm,
        key: &PublicJwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), JwtError>;

    /// Verifies the MAC `signature` over `signing_input` under a
    /// symmetric `alg` (HS256) with the verifier's own key, the client
    /// secret (OpenID Connect Core §10.1): no key of the server's set is
    /// ever a MAC key. The default refuses, as every asymmetric verifier
    /// must; [`ClientSecretVerifier`](super::ClientSecretVerifier)
    /// verifies.
    ///
    /// # Errors
    /// [`JwtError`] when the MAC is not valid or the verifier has no key.
    fn verify_mac(
        &self,
        alg: JwsAlgorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), JwtError> {
        let _ = (signing_input, signature);
        Err(JwtError::AlgorithmNotAllowed(UntrustedText::from(
            alg.as_str(),
        )))
    }
}

/// The protected header's members this client reads (RFC 7515 §4.1).
#[derive(Clone, PartialEq, Eq)]
pub struct JwsHeader {
    alg: JwsAlgorithm,
    kid: Option<String>,
    typ: Option<String>,
}

impl JwsHeader {
    /// The algorithm, one the use allowed.
    #[must_use]
    pub fn algorithm(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The `kid`, as received (checked to name a key of the set).
    #[must_use]
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The `typ`, as received.
    #[must_use]
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }
}

impl fmt::Debug for JwsHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |value: &Option<String>| value.as_deref().map(UntrustedText::from);
        f.debug_struct("JwsHeader")
            .field("alg", &self.alg)
            .field("kid", &text(&self.kid))
            .field("typ", &text(&self.typ))
            .finish()
    }
}

/// The header as it is on the wire: serde's derive refuses a known
/// member given twice.
#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
}

/// A compact JWS split and decoded, nothing verified.
pub(crate) struct CompactJws<'a> {
    pub(crate) header: RawHeaderChecked,
    pub(crate) signing_input: &'a str,
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

/// The header with its `alg` still as text: whether it is allowed depends
/// on the use.
pub(crate) struct RawHeaderChecked {
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
    pub(crate) typ: Option<String>,
}

fn decode(part: &str) -> Result<Vec<u8>, JwtError> {
    Base64UrlUnpadded::decode_vec(part).map_err(|_| JwtError::Malformed)
}

/// Splits and decodes a compact JWS (RFC 7515 §7.1, §5.2 steps 1–5):
/// three base64url parts, a header that is a JSON object with a string
/// `alg`, no `crit`. Verifies nothing.
pub(crate) fn parse_compact(jws: &str) -> Result<CompactJws<'_>, JwtError> {
    if jws.len() > MAX_JWS_BYTES {
        return Err(JwtError::TooLarge);
    }
    let mut parts = jws.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header_bytes = decode(header)?;
    let raw: RawHeader = serde_json::from_slice(&header_bytes).map_err(|_| JwtError::Malformed)?;
    if raw.crit.is_some() {
        return Err(JwtError::CriticalHeader);
    }
    let signing_input_len = header.len().saturating_add(1).saturating_add(payload.len());
    let signing_input = jws.get(..signing_input_len).ok_or(JwtError::Malformed)?;
    Ok(CompactJws {
        header: RawHeaderChecked {
            alg: raw.alg,
            kid: raw.kid,
            typ: raw.typ,
        },
        signing_input,
        payload: decode(payload)?,
        signature: decode(signature)?,
    })
}

/// A JWS whose signature verified with a key of the set: its header and
/// its payload (for the caller to read as claims and check).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedJws {
    header: JwsHeader,
    payload: Vec<u8>,
}

impl VerifiedJws {
    /// The protected header.
    #[must_use]
    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    /// The payload's bytes, signed by the key; its claims are not checked.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
}

/// Verifies a compact JWS from the server (RFC 7515 §5.2): parsed within
/// [`MAX_JWS_BYTES`], `alg` one of `allowed` and one `verifier` supports
/// (never `none`), the key chosen from `keys` by `kid`, `alg`, `use` and
/// `key_ops`, the signature checked. The payload is returned unread.
///
/// # Errors
/// [`JwtError`]; [`JwtError::UnknownKey`] is the one worth a fetch of the
/// key set and a second try.
pub fn verify_jws(
    jws: &str,
    allowed: &[JwsAlgorithm],
    keys: &JwkSet,
    verifier: &dyn JwsVerifier,
) -> Result<VerifiedJws, JwtError> {
    let compact = parse_compact(jws)?;
    let header = compact.header;
    if header.alg.eq_ignore_ascii_case("none") {
        return Err(JwtError::Unsigned);
    }
    let alg = JwsAlgorithm::from_name(&header.alg)
        .filter(|alg| allowed.contains(alg) && verifier.supports(*alg))
        .ok_or_else(|| JwtError::AlgorithmNotAllowed(UntrustedText::from(header.alg.as_str())))?;
    let signing_input = compact.signing_input.as_bytes();
    let verified = if alg == JwsAlgorithm::Hs256 {
        // A MAC: keyed with the client secret the verifier holds, never
        // with a key of the set (the RSA-key-as-HMAC-secret confusion).
        verifier.verify_mac(alg, signing_input, &compact.signature)
    } else {
        let kid = || header.kid.as_deref().map(UntrustedText::from);
        let key = match keys.select(header.kid.as_deref(), alg) {
            KeySelection::Found(key) => key,
            KeySelection::Unknown => return Err(JwtError::UnknownKey(kid())),
            KeySelection::Unusable => return Err(JwtError::KeyUnusable(kid())),
            KeySelection::Ambiguous => return Err(JwtError::AmbiguousKey),
        };
        verifier.verify(alg, key, signing_input, &compact.signature)
    };
    verified.map_err(|_| JwtError::BadSignature)?;
    Ok(VerifiedJws {
        header: JwsHeader {
            alg,
            kid: header.kid,
            typ: header.typ,
        },
        payload: compact.payload,
    })
}

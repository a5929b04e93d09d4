//! The server's public keys as a JWK Set (RFC 7517 §5), read strictly:
//! the document must be an object with a `keys` array, each key's
//! members of the right type and given once; a key this client does not
//! understand, or cannot use to verify (RSA under 2048 bits, another
//! curve, `use: enc`), is kept aside as ignored, as §5 asks.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};

use super::{JwsAlgorithm, PublicJwk};
use crate::error::InvalidValue;
use crate::limits::MAX_KEY_SET_KEYS;
use crate::text::UntrustedText;

/// The smallest RSA modulus accepted, in bits (RFC 7518 §3.3, §3.5).
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// One key of a set, usable for signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct SetKey {
    alg: Option<JwsAlgorithm>,
    jwk: PublicJwk,
    /// The JWK's members as received (its `kid` among them),
    /// re-serialized when the set is stored.
    stored: StoredKey,
}

impl SetKey {
    /// The key's `kid`.
    #[must_use]
    pub fn key_id(&self) -> Option<&str> {
        self.stored.kid.as_deref()
    }

    /// The key's `alg`, when the set pins it.
    #[must_use]
    pub fn algorithm(&self) -> Option<JwsAlgorithm> {
        self.alg
    }

    /// The public key.
    #[must_use]
    pub fn jwk(&self) -> &PublicJwk {
        &self.jwk
    }

    /// Whether this key can verify `alg` (RFC 7518 §3.1: the key type
    /// each algorithm takes).
    fn fits(&self, alg: JwsAlgorithm) -> bool {
        self.alg.is_none_or(|pinned| pinned == alg) && self.jwk.fits(alg)
    }
}

impl fmt::Debug for SetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetKey")
            .field("kid", &self.key_id().map(UntrustedText::from))
            .field("alg", &self.alg)
            .field("jwk", &self.jwk)
            .finish()
    }
}

/// A JWK as it is on the wire; serde's derive refuses a member given
/// twice.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
struct StoredKey {
    kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_ops: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    /// A private key's member: a set that publishes one is refused.
    #[serde(default, skip_serializing)]
    d: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<StoredKey>,
}

/// The server's signing keys: a JWK Set (RFC 7517 §5) with the keys this
/// client can verify with. Keys it cannot use are ignored (§5), and only
/// counted.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct JwkSet {
    keys: Vec<SetKey>,
    ignored: Vec<StoredKey>,
}

impl fmt::Debug for JwkSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwkSet")
            .field("keys", &self.keys)
            .field("ignored", &self.ignored.len())
            .finish()
    }
}

/// Which key a JWS header selects.
pub(crate) enum KeySelection<'a> {
    Found(&'a PublicJwk),
    Unknown,
    Unusable,
    Ambiguous,
}

impl JwkSet {
    /// Reads a JWK Set document.
    ///
    /// # Errors
    /// [`InvalidValue`]; a key that is well-formed JSON but not one this
    /// client can verify with is ignored, not an error.
    pub fn from_json(json: &[u8]) -> Result<Self, InvalidValue> {
        let raw: RawSet =
            serde_json::from_slice(json).map_err(|_| InvalidValue::KeySetMalformed)?;
        if raw.keys.len() > MAX_KEY_SET_KEYS {
            return Err(InvalidValue::KeySetTooManyKeys);
        }
        let mut set = Self::default();
        for stored in raw.keys {
            if stored.d.is_some() {
                return Err(InvalidValue::KeySetPrivateKey);
            }
            // The received members move into the key: nothing is cloned.
            match verification_key(&stored) {
                Some((alg, jwk)) => set.keys.push(SetKey { alg, jwk, stored }),
                None => set.ignored.push(stored),
            }
        }
        Ok(set)
    }

    /// The set as a JWK Set document, the keys' members as received
    /// (ignored keys included): what [`from_json`](Self::from_json) reads
    /// back.
    #[must_use]
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            keys: Vec<&'a StoredKey>,
        }
        let keys = self.keys.iter().map(|key| &key.stored);
        let out = Out {
            keys: keys.chain(&self.ignored).collect(),
        };
        serde_json::to_string(&out).unwrap_or_default()
    }

    /// The keys this client can verify with.
    #[must_use]
    pub fn keys(&self) -> &[SetKey] {
        &self.keys
    }

    /// How many keys of the document were ignored: of a type, curve or
    /// size this client does not verify with, for encryption only, or
    /// lacking a member their type needs (RFC 7517 §5).
    #[must_use]
    pub fn ignored(&self) -> usize {
        self.ignored.len()
    }

    /// The key for a JWS header's `kid` and `alg` (RFC 7515 §4.1.4, OpenID
    /// Connect Core §10.1).
    pub(crate) fn select(&self, kid: Option<&str>, alg: JwsAlgorithm) -> KeySelection<'_> {
        let named = |key_kid: Option<&str>| kid.is_none() || key_kid == kid;
        let mut fitting = self
            .keys
            .iter()
            .filter(|key| named(key.key_id()) && key.fits(alg));
        match (fitting.next(), fitting.next()) {
            (Some(key), None) => KeySelection::Found(&key.jwk),
            (Some(_), Some(_)) if kid.is_none() => KeySelection::Ambiguous,
            // Two keys of one `kid` fit the `alg`: the set is ambiguous.
            (Some(_), Some(_)) => KeySelection::Unusable,
            (None, _) => {
                let known = self.keys.iter().map(SetKey::key_id);
                let ignored = self.ignored.iter().map(|key| key.kid.as_deref());
                if kid.is_some() && known.chain(ignored).any(|key_kid| key_kid == kid) {
                    KeySelection::Unusable
                } else {
                    KeySelection::Unknown
                }
            }
        }
    }
}

impl Serialize for JwkSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_json())
    }
}

impl<'de> Deserialize<'de> for JwkSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = String::deserialize(deserializer)?;
        Self::from_json(json.as_bytes()).map_err(serde::de::Error::custom)
    }
}

/// The key, when this client can verify with it: for signatures (`use`
/// absent or `sig`; `key_ops` absent or with `verify`, RFC 7517 §4.2,
/// §4.3), an `alg` it knows when one is given, and a key type it takes —
/// RSA of at least 2048 bits, EC P-256, OKP Ed25519.
/// The key's pinned `alg` and its public key, when this client can verify
/// with it.
fn verification_key(stored: &StoredKey) -> Option<(Option<JwsAlgorithm>, PublicJwk)> {
    if stored.use_.as_deref().is_some_and(|u| u != "sig") {
        return None;
    }
    if let Some(ops) = &stored.key_ops {
        if !ops.iter().any(|op| op == "verify") {
            return None;
        }
    }
    let alg = match stored.alg.as_deref() {
        None => None,
        Some(name) => Some(JwsAlgorithm::from_name(name)?),
    };
    fn member(value: &Option<String>) -> Option<&str> {
        value.as_deref()
    }
    let jwk = match stored.kty.as_str() {
        "RSA" => {
            let (n, e) = (member(&stored.n)?, member(&stored.e)?);
            if rsa_bits(n)? < MIN_RSA_BITS {
                return None;
            }
            PublicJwk::rsa(n, e).ok()?
        }
        "EC" if member(&stored.crv) == Some("P-256") => {
            let (x, y) = (member(&stored.x)?, member(&stored.y)?);
            PublicJwk::ec("P-256", x, y).ok()?
        }
        "OKP" if member(&stored.crv) == Some("Ed25519") => {
            PublicJwk::okp("Ed25519", member(&stored.x)?).ok()?
        }
        _ => return None,
    };
    alg.is_none_or(|alg| jwk.fits(alg)).then_some((alg, jwk))
}

/// The size in bits of a base64url modulus, leading zero octets aside.
pub(crate) fn rsa_bits(n: &str) -> Option<usize> {
    let bytes = Base64UrlUnpadded::decode_vec(n).ok()?;
    let first = bytes.iter().position(|b| *b != 0)?;
    let significant = bytes.get(first..)?;
    let top = significant.first()?;
    let top_bits = 8usize.checked_sub(top.leading_zeros() as usize)?;
    significant
        .len()
        .checked_sub(1)?
        .checked_mul(8)?
        .checked_add(top_bits)
}

//! An ID token's claims (OpenID Connect Core §2, §5.1), read from a
//! verified JWS payload: a JSON object, each member once; the registered
//! and standard claims typed, every other claim kept as sent.

use alloc::collections::btree_map::Entry;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::error::JwtError;
use crate::members::ExtraMembers;
use crate::text::UntrustedText;
use crate::time::UnixTime;

/// An ID token's claims (Core §2, §5.1). Strings are the server's, shown
/// escaped in `Debug`.
#[derive(Clone, PartialEq)]
pub struct IdTokenClaims {
    pub(crate) iss: String,
    pub(crate) sub: String,
    pub(crate) aud: Vec<String>,
    pub(crate) exp: UnixTime,
    pub(crate) iat: UnixTime,
    pub(crate) nbf: Option<UnixTime>,
    pub(crate) auth_time: Option<UnixTime>,
    pub(crate) nonce: Option<String>,
    pub(crate) acr: Option<String>,
    pub(crate) amr: Option<Vec<String>>,
    pub(crate) azp: Option<String>,
    pub(crate) at_hash: Option<String>,
    pub(crate) sid: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) given_name: Option<String>,
    pub(crate) family_name: Option<String>,
    pub(crate) preferred_username: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) email_verified: Option<bool>,
    pub(crate) picture: Option<String>,
    pub(crate) locale: Option<String>,
    pub(crate) other: ExtraMembers,
}

/// Getters of optional string claims, with their docs.
macro_rules! getters {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $name(&self) -> Option<&str> {
                self.$name.as_deref()
            }
        )*
    };
}
pub(crate) use getters;

impl IdTokenClaims {
    /// `iss`: the issuer, equal to the one the client expects.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.iss
    }

    /// `sub`: the user, unique and never reassigned within the issuer
    /// (Core §2). Key accounts by `(iss, sub)`, never by `email`.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.sub
    }

    /// `aud`: the audiences, the client's id among them.
    #[must_use]
    pub fn audiences(&self) -> &[String] {
        &self.aud
    }

    /// `exp`.
    #[must_use]
    pub fn expires_at(&self) -> UnixTime {
        self.exp
    }

    /// `iat`.
    #[must_use]
    pub fn issued_at(&self) -> UnixTime {
        self.iat
    }

    /// `nbf` (RFC 7519 §4.1.5), when sent.
    #[must_use]
    pub fn not_before(&self) -> Option<UnixTime> {
        self.nbf
    }

    /// `auth_time`: when the user authenticated.
    #[must_use]
    pub fn auth_time(&self) -> Option<UnixTime> {
        self.auth_time
    }

    /// `amr`: the authentication methods.
    #[must_use]
    pub fn amr(&self) -> Option<&[String]> {
        self.amr.as_deref()
    }

    /// `email_verified`: whether the provider checked the `email`. Trust
    /// an `email` for anything only when this is `true`.
    #[must_use]
    pub fn email_verified(&self) -> Option<bool> {
        self.email_verified
    }

    getters! {
        /// `nonce`, equal to the flow's.
        nonce,
        /// `acr`: the authentication context class.
        acr,
        /// `azp`: the party the token was issued to.
        azp,
        /// `sid`: the session at the provider.
        sid,
        /// `name`.
        name,
        /// `given_name`.
        given_name,
        /// `family_name`.
        family_name,
        /// `preferred_username`: not unique, not stable (Core §5.7).
        preferred_username,
        /// `email`: see [`email_verified`](Self::email_verified).
        email,
        /// `picture`: a URL, as sent.
        picture,
        /// `locale`.
        locale,
    }

    /// Every other claim, as sent.
    #[must_use]
    pub fn other(&self) -> &ExtraMembers {
        &self.other
    }
}

impl fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |value: &str| UntrustedText::from(value);
        f.debug_struct("IdTokenClaims")
            .field("iss", &text(&self.iss))
            .field("sub", &text(&self.sub))
            .field("aud", &self.aud.iter().map(|a| text(a)).collect::<Vec<_>>())
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("email", &self.email.as_deref().map(text))
            .field("other", &self.other)
            .finish_non_exhaustive()
    }
}

/// A JSON object's members, each once.
pub(crate) struct Unique(pub(crate) Result<BTreeMap<String, Value>, UntrustedText>);

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UniqueVisitor;
        impl<'de> Visitor<'de> for UniqueVisitor {
            type Value = Unique;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
                let mut members = BTreeMap::new();
                let mut duplicate = None;
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    match members.entry(name) {
                        Entry::Occupied(taken) => {
                            duplicate
                                .get_or_insert_with(|| UntrustedText::from(taken.key().as_str()));
                        }
                        Entry::Vacant(free) => {
                            free.insert(value);
                        }
                    }
                }
                Ok(Unique(duplicate.map_or(Ok(members), Err)))
            }
        }
        deserializer.deserialize_map(UniqueVisitor)
    }
}

pub(crate) fn string(
    members: &mut BTreeMap<String, Value>,
    name: &'static str,
) -> Result<Option<String>, JwtError> {
    match members.remove(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(JwtError::InvalidClaim(name)),
    }
}

pub(crate) fn time(
    members: &mut BTreeMap<String, Value>,
    name: &'static str,
) -> Result<Option<UnixTime>, JwtError> {
    match members.remove(name) {
        None => Ok(None),
        // RFC 7519 §2 NumericDate: seconds, possibly with a fraction.
        Some(Value::Number(number)) => number
            .as_u64()
            .or_else(|| {
                let float = number.as_f64()?;
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                (float.is_finite() && (0.0..1.0e15).contains(&float)).then_some(float as u64)
            })
            .map(|seconds| Some(UnixTime::from_secs(seconds)))
            .ok_or(JwtError::InvalidClaim(name)),
        Some(_) => Err(JwtError::InvalidClaim(name)),
    }
}

pub(crate) fn strings(value: Value, name: &'static str) -> Result<Vec<String>, JwtError> {
    match value {
        Value::String(one) => Ok(alloc::vec![one]),
        Value::Array(values) => values
            .into_iter()
            .map(|value| match value {
                Value::String(value) => Ok(value),
                _ => Err(JwtError::InvalidClaim(name)),
            })
            .collect(),
        _ => Err(JwtError::InvalidClaim(name)),
    }
}

/// Reads an ID token's claims from a JWS payload.
///
/// # Errors
/// [`JwtError`].
pub(crate) fn parse_claims(payload: &[u8]) -> Result<IdTokenClaims, JwtError> {
    let Unique(members) =
        serde_json::from_slice(payload).map_err(|_| JwtError::ClaimsNotAnObject)?;
    let mut m = members.map_err(JwtError::DuplicateClaim)?;
    fn required<T>(value: Option<T>, name: &'static str) -> Result<T, JwtError> {
        value.ok_or(JwtError::MissingClaim(name))
    }
    let aud = m.remove("aud").ok_or(JwtError::MissingClaim("aud"))?;
    let amr = match m.remove("amr") {
        None => None,
        Some(Value::Array(values)) => Some(strings(Value::Array(values), "amr")?),
        Some(_) => return Err(JwtError::InvalidClaim("amr")),
    };
    let email_verified = match m.remove("email_verified") {
        None => None,
        Some(Value::Bool(verified)) => Some(verified),
        Some(_) => return Err(JwtError::InvalidClaim("email_verified")),
    };
    Ok(IdTokenClaims {
        iss: required(string(&mut m, "iss")?, "iss")?,
        sub: required(string(&mut m, "sub")?, "sub")?,
        aud: strings(aud, "aud")?,
        exp: required(time(&mut m, "exp")?, "exp")?,
        iat: required(time(&mut m, "iat")?, "iat")?,
        nbf: time(&mut m, "nbf")?,
        auth_time: time(&mut m, "auth_time")?,
        nonce: string(&mut m, "nonce")?,
        acr: string(&mut m, "acr")?,
        amr,
        azp: string(&mut m, "azp")?,
        at_hash: string(&mut m, "at_hash")?,
        sid: string(&mut m, "sid")?,
        name: string(&mut m, "name")?,
        given_name: string(&mut m, "given_name")?,
        family_name: string(&mut m, "family_name")?,
        preferred_username: string(&mut m, "preferred_username")?,
        email: string(&mut m, "email")?,
        email_verified,
        picture: string(&mut m, "picture")?,
        locale: string(&mut m, "locale")?,
        other: ExtraMembers::from_values(m),
    })
}

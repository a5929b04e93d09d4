//! The UserInfo response's claims (OpenID Connect Core §5.3.2): a JSON
//! object, each member once, with `sub`; the standard claims of §5.1
//! typed, every other claim kept as sent. Signed (`application/jwt`), it
//! is a JWS verified as an ID token's, whose `iss` is the issuer and whose
//! `aud` has the client's id. Either way its `sub` must be the ID token's
//! (§5.3.4).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use serde_json::Value;

use super::claims::{getters, string, strings, time, Unique};
use super::key_set::KeySet;
use crate::error::JwtError;
use crate::jws::{JwsAlgorithm, JwsVerifier};
use crate::members::ExtraMembers;
use crate::text::UntrustedText;
use crate::time::UnixTime;

/// The claims of a UserInfo response (Core §5.3.2, §5.1), their `sub`
/// checked to be the ID token's (§5.3.4). Strings are the server's,
/// shown escaped in `Debug`.
#[derive(Clone, PartialEq)]
pub struct UserInfo {
    sub: String,
    signed: bool,
    name: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    middle_name: Option<String>,
    nickname: Option<String>,
    preferred_username: Option<String>,
    profile: Option<String>,
    picture: Option<String>,
    website: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
    gender: Option<String>,
    birthdate: Option<String>,
    zoneinfo: Option<String>,
    locale: Option<String>,
    phone_number: Option<String>,
    phone_number_verified: Option<bool>,
    updated_at: Option<UnixTime>,
    other: ExtraMembers,
}

impl UserInfo {
    /// `sub`: the user, the ID token's `sub` (Core §5.3.4).
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.sub
    }

    /// Whether the answer was a signed JWT (`application/jwt`, §5.3.2),
    /// verified with the server's key set; `false` for plain JSON, whose
    /// authenticity is the TLS connection's.
    #[must_use]
    pub fn is_signed(&self) -> bool {
        self.signed
    }

    /// `email_verified`: whether the provider checked the `email`.
    #[must_use]
    pub fn email_verified(&self) -> Option<bool> {
        self.email_verified
    }

    /// `phone_number_verified`.
    #[must_use]
    pub fn phone_number_verified(&self) -> Option<bool> {
        self.phone_number_verified
    }

    /// `updated_at`: when the information was last updated.
    #[must_use]
    pub fn updated_at(&self) -> Option<UnixTime> {
        self.updated_at
    }

    getters! {
        /// `name`.
        name,
        /// `given_name`.
        given_name,
        /// `family_name`.
        family_name,
        /// `middle_name`.
        middle_name,
        /// `nickname`.
        nickname,
        /// `preferred_username`: not unique, not stable (Core §5.7).
        preferred_username,
        /// `profile`: a URL, as sent.
        profile,
        /// `picture`: a URL, as sent.
        picture,
        /// `website`: a URL, as sent.
        website,
        /// `email`: see [`email_verified`](Self::email_verified).
        email,
        /// `gender`.
        gender,
        /// `birthdate`, as sent (`YYYY-MM-DD` or `YYYY`).
        birthdate,
        /// `zoneinfo`.
        zoneinfo,
        /// `locale`.
        locale,
        /// `phone_number`.
        phone_number,
    }

    /// Every other claim, as sent (`address`, aggregated and distributed
    /// claims, the provider's own).
    #[must_use]
    pub fn other(&self) -> &ExtraMembers {
        &self.other
    }
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |value: &str| UntrustedText::from(value);
        f.debug_struct("UserInfo")
            .field("sub", &text(&self.sub))
            .field("signed", &self.signed)
            .field("name", &self.name.as_deref().map(text))
            .field("email", &self.email.as_deref().map(text))
            .field("other", &self.other)
            .finish_non_exhaustive()
    }
}

/// What a UserInfo response is checked against: the ID token's `sub`,
/// and for a signed one the issuer, the client and the algorithms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UserInfoExpectations {
    pub(crate) subject: String,
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) algorithms: Vec<JwsAlgorithm>,
    pub(crate) skew: Duration,
}

fn members(payload: &[u8]) -> Result<BTreeMap<String, Value>, JwtError> {
    let Unique(members) =
        serde_json::from_slice(payload).map_err(|_| JwtError::ClaimsNotAnObject)?;
    members.map_err(JwtError::DuplicateClaim)
}

fn boolean(
    members: &mut BTreeMap<String, Value>,
    name: &'static str,
) -> Result<Option<bool>, JwtError> {
    match members.remove(name) {
        None => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(value)),
        Some(_) => Err(JwtError::InvalidClaim(name)),
    }
}

/// The claims of a JSON UserInfo response (§5.3.2), `sub` not yet
/// compared: a JSON object, each member once, `sub` a string, the
/// standard claims of their types.
///
/// # Errors
/// [`JwtError`]'s claim shape variants.
pub(crate) fn parse_userinfo(body: &[u8]) -> Result<UserInfo, JwtError> {
    claims(members(body)?, false)
}

fn claims(mut m: BTreeMap<String, Value>, signed: bool) -> Result<UserInfo, JwtError> {
    Ok(UserInfo {
        sub: string(&mut m, "sub")?.ok_or(JwtError::MissingClaim("sub"))?,
        signed,
        name: string(&mut m, "name")?,
        given_name: string(&mut m, "given_name")?,
        family_name: string(&mut m, "family_name")?,
        middle_name: string(&mut m, "middle_name")?,
        nickname: string(&mut m, "nickname")?,
        preferred_username: string(&mut m, "preferred_username")?,
        profile: string(&mut m, "profile")?,
        picture: string(&mut m, "picture")?,
        website: string(&mut m, "website")?,
        email: string(&mut m, "email")?,
        email_verified: boolean(&mut m, "email_verified")?,
        gender: string(&mut m, "gender")?,
        birthdate: string(&mut m, "birthdate")?,
        zoneinfo: string(&mut m, "zoneinfo")?,
        locale: string(&mut m, "locale")?,
        phone_number: string(&mut m, "phone_number")?,
        phone_number_verified: boolean(&mut m, "phone_number_verified")?,
        updated_at: time(&mut m, "updated_at")?,
        other: ExtraMembers::from_values(m),
    })
}

impl UserInfoExpectations {
    /// The §5.3.4 check: the response is about the ID token's user.
    pub(crate) fn check_subject(&self, userinfo: UserInfo) -> Result<UserInfo, JwtError> {
        if userinfo.sub == self.subject {
            Ok(userinfo)
        } else {
            Err(JwtError::SubjectMismatch)
        }
    }

    /// A signed UserInfo response (§5.3.2): the JWS verified with `keys`
    /// (an allowed `alg`, never `none`), `iss` the issuer, `aud` with the
    /// client's id, `exp` and `nbf` when sent (RFC 7519 §4.1.4, §4.1.5),
    /// then the claims and `sub`.
    pub(crate) fn verify_signed(
        &self,
        jwt: &str,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<UserInfo, JwtError> {
        let verified = keys.verify(jwt, &self.algorithms, verifier)?;
        let mut m = members(verified.payload())?;
        let iss = string(&mut m, "iss")?.ok_or(JwtError::MissingClaim("iss"))?;
        if iss != self.issuer {
            return Err(JwtError::IssuerMismatch(UntrustedText::from(iss.as_str())));
        }
        let aud = strings(m.remove("aud").ok_or(JwtError::MissingClaim("aud"))?, "aud")?;
        if !aud.contains(&self.client_id) {
            return Err(JwtError::AudienceMismatch);
        }
        if let Some(exp) = time(&mut m, "exp")? {
            if now.saturating_sub(self.skew) >= exp {
                return Err(JwtError::Expired { exp });
            }
        }
        if let Some(nbf) = time(&mut m, "nbf")? {
            if nbf > now.saturating_add(self.skew) {
                return Err(JwtError::NotYetValid { nbf });
            }
        }
        // `iat` is kept among the other claims, as sent.
        self.check_subject(claims(m, true)?)
    }
}

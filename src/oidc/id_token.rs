//! Validating an ID token from the token endpoint (OpenID Connect Core
//! §3.1.3.7), in this order: the JWS (compact, `alg` allowed and never
//! `none`, key by `kid`, signature), then the claims — `iss` exact, `aud`
//! with the client's id, `azp` when several audiences, `exp` and `iat`
//! (and `nbf`, when sent) against `now` with a bounded skew, `nonce`
//! (constant time), `auth_time` when `max_age` was asked, `acr` when
//! essential, `at_hash` when present (§3.1.3.8).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::claims::{parse_claims, ClaimsProblem, IdTokenClaims};
use super::key_set::KeySet;
use crate::jws::{JwsAlgorithm, JwsError, JwsVerifier};
use crate::secret::ct_eq;
use crate::text::UntrustedText;
use crate::time::UnixTime;

/// The clock skew allowed by default between the server and the client
/// for `exp` and `iat` (Core §3.1.3.7 items 9, 10).
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(60);

/// What an ID token is checked against: the client's and the flow's
/// expectations (Core §3.1.3.7).
#[derive(Clone, Debug)]
pub struct IdTokenValidation {
    issuer: String,
    client_id: String,
    algorithms: Vec<JwsAlgorithm>,
    skew: Duration,
    nonce: Option<String>,
    max_age: Option<Duration>,
    acr_values: Option<Vec<String>>,
}

impl IdTokenValidation {
    /// Checks against `issuer` (compared exactly, item 2) and
    /// `client_id` (item 3), for tokens signed with RS256, the default of
    /// Core §3.1.3.7 item 7, with [`DEFAULT_CLOCK_SKEW`].
    #[must_use]
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            algorithms: alloc::vec![JwsAlgorithm::Rs256],
            skew: DEFAULT_CLOCK_SKEW,
            nonce: None,
            max_age: None,
            acr_values: None,
        }
    }

    /// The algorithms the client registered
    /// (`id_token_signed_response_alg`) or the server advertises
    /// (`id_token_signing_alg_values_supported`); any other is refused.
    #[must_use]
    pub fn algorithms(mut self, algorithms: &[JwsAlgorithm]) -> Self {
        self.algorithms = algorithms.to_vec();
        self
    }

    /// The clock skew allowed for `exp` and `iat`.
    #[must_use]
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// The `nonce` the authentication request carried (Core §3.1.2.1):
    /// the token must carry it, equal (item 11).
    #[must_use]
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// The `max_age` the request asked for: `auth_time` must be present
    /// and no older (item 13).
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// `acr` values requested as essential: the token's `acr` must be
    /// one of them (item 12).
    #[must_use]
    pub fn essential_acr(mut self, acr_values: &[&str]) -> Self {
        self.acr_values = Some(acr_values.iter().map(|acr| String::from(*acr)).collect());
        self
    }

    /// Validates `id_token` at `now`: the signature with `keys` through
    /// `verifier`, then every claim; `access_token`, the one the same
    /// response carried, is checked against `at_hash` when the token has
    /// one.
    ///
    /// # Errors
    /// [`IdTokenError`]. For [`JwsError::UnknownKey`] (inside
    /// [`IdTokenError::Jws`]), fetch the key set again once
    /// ([`KeySet::refetch`]) and validate again.
    pub fn validate(
        &self,
        id_token: &str,
        access_token: Option<&str>,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<IdToken, IdTokenError> {
        let verified = keys
            .verify(id_token, &self.algorithms, verifier)
            .map_err(IdTokenError::Jws)?;
        let alg = verified.header().algorithm();
        let claims = parse_claims(verified.payload()).map_err(IdTokenError::Claims)?;
        self.check(&claims, now)?;
        if let (Some(at_hash), Some(access_token)) = (&claims.at_hash, access_token) {
            let expected = token_hash(alg, access_token);
            if !ct_eq(at_hash, &expected) {
                return Err(IdTokenError::AtHashMismatch);
            }
        }
        Ok(IdToken {
            alg,
            claims,
            raw: String::from(id_token),
        })
    }

    fn check(&self, claims: &IdTokenClaims, now: UnixTime) -> Result<(), IdTokenError> {
        if claims.iss != self.issuer {
            return Err(IdTokenError::Issuer(UntrustedText::from(
                claims.iss.as_str(),
            )));
        }
        if !claims.aud.contains(&self.client_id) {
            return Err(IdTokenError::Audience);
        }
        // Items 4, 5: with several audiences, `azp` must be the client.
        let azp_needed = claims.aud.len() > 1 || claims.azp.is_some();
        if azp_needed && claims.azp.as_deref() != Some(self.client_id.as_str()) {
            return Err(IdTokenError::AuthorizedParty);
        }
        if now.saturating_sub(self.skew) >= claims.exp {
            return Err(IdTokenError::Expired { exp: claims.exp });
        }
        if claims.iat > now.saturating_add(self.skew) {
            return Err(IdTokenError::IssuedInFuture { iat: claims.iat });
        }
        // RFC 7519 §4.1.5: not before `nbf`, when the token has one.
        if let Some(nbf) = claims
            .nbf
            .filter(|nbf| *nbf > now.saturating_add(self.skew))
        {
            return Err(IdTokenError::NotYetValid { nbf });
        }
        if let Some(expected) = &self.nonce {
            match &claims.nonce {
                None => return Err(IdTokenError::NonceMissing),
                Some(nonce) if !ct_eq(nonce, expected) => return Err(IdTokenError::NonceMismatch),
                Some(_) => {}
            }
        }
        if let Some(acr_values) = &self.acr_values {
            let acr = claims.acr.as_deref().unwrap_or_default();
            if !acr_values.iter().any(|wanted| wanted == acr) {
                return Err(IdTokenError::AcrNotSatisfied);
            }
        }
        if let Some(max_age) = self.max_age {
            let auth_time = claims.auth_time.ok_or(IdTokenError::AuthTimeMissing)?;
            let oldest = now.saturating_sub(max_age).saturating_sub(self.skew);
            if auth_time < oldest {
                return Err(IdTokenError::AuthTimeTooOld { auth_time });
            }
        }
        Ok(())
    }
}

/// `at_hash` or `c_hash` (Core §3.1.3.8, §3.3.2.11): the left half of the
/// hash of the token's ASCII octets, with the hash of the JWS `alg`
/// (SHA-512 for EdDSA over Ed25519), base64url.
#[must_use]
pub fn token_hash(alg: JwsAlgorithm, token: &str) -> String {
    let digest: Vec<u8> = match alg {
        JwsAlgorithm::Es384 | JwsAlgorithm::Ps384 | JwsAlgorithm::Rs384 => {
            Sha384::digest(token.as_bytes()).to_vec()
        }
        JwsAlgorithm::Es512 | JwsAlgorithm::Ps512 | JwsAlgorithm::Rs512 | JwsAlgorithm::EdDsa => {
            Sha512::digest(token.as_bytes()).to_vec()
        }
        _ => Sha256::digest(token.as_bytes()).to_vec(),
    };
    let half = digest.get(..digest.len() / 2).unwrap_or_default();
    Base64UrlUnpadded::encode_string(half)
}

/// A validated ID token: its claims, trusted as the issuer's statement
/// about the user.
#[derive(Clone, PartialEq)]
pub struct IdToken {
    alg: JwsAlgorithm,
    claims: IdTokenClaims,
    raw: String,
}

impl IdToken {
    /// The claims.
    #[must_use]
    pub fn claims(&self) -> &IdTokenClaims {
        &self.claims
    }

    /// The algorithm it was signed with.
    #[must_use]
    pub fn algorithm(&self) -> JwsAlgorithm {
        self.alg
    }

    /// Validates the ID token of a refresh response (Core §12.2) against
    /// this one, the login's: signed as this one was, with the keys of
    /// `keys`; `iss`, `sub`, `aud` and `azp` the same as this one's;
    /// `auth_time`, when present, the original authentication's; a
    /// `nonce` not required, but when present equal to this one's; `exp`
    /// and `iat` against `now` with [`DEFAULT_CLOCK_SKEW`]; `at_hash`
    /// against the new `access_token` when present.
    ///
    /// # Errors
    /// [`IdTokenError`]; [`IdTokenError::RefreshChanged`] names the claim
    /// that differs.
    pub fn validate_refreshed(
        &self,
        id_token: &str,
        access_token: Option<&str>,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<IdToken, IdTokenError> {
        let original = &self.claims;
        let client_id = original
            .azp
            .as_deref()
            .or(original.aud.first().map(String::as_str));
        let mut validation =
            IdTokenValidation::new(original.iss.as_str(), client_id.unwrap_or_default())
                .algorithms(&[self.alg]);
        let verified = keys
            .verify(id_token, &validation.algorithms, verifier)
            .map_err(IdTokenError::Jws)?;
        let claims = parse_claims(verified.payload()).map_err(IdTokenError::Claims)?;
        let changed = |claim| Err(IdTokenError::RefreshChanged(claim));
        if claims.sub != original.sub {
            return changed("sub");
        }
        if claims.aud != original.aud {
            return changed("aud");
        }
        if claims.azp != original.azp {
            return changed("azp");
        }
        if claims.auth_time.is_some() && claims.auth_time != original.auth_time {
            return changed("auth_time");
        }
        // §12.2: no nonce is needed; one that is sent is the original's.
        if claims.nonce.is_some() && claims.nonce != original.nonce {
            return changed("nonce");
        }
        validation.nonce = None;
        validation.check(&claims, now)?;
        if let (Some(at_hash), Some(access_token)) = (&claims.at_hash, access_token) {
            if !ct_eq(at_hash, &token_hash(self.alg, access_token)) {
                return Err(IdTokenError::AtHashMismatch);
            }
        }
        Ok(IdToken {
            alg: self.alg,
            claims,
            raw: String::from(id_token),
        })
    }

    /// The token as received, for `id_token_hint` at logout (RP-Initiated
    /// Logout 1.0 §2). It identifies the user: keep it as private as the
    /// session.
    #[must_use]
    pub fn as_compact(&self) -> &str {
        &self.raw
    }
}

/// The stored form: the token as received and its algorithm. Reading it
/// back parses the claims again but does not verify the signature (the
/// keys may have rotated since): keep it where the app keeps its sessions,
/// trusted as they are.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredIdToken<'a> {
    v: u32,
    alg: alloc::borrow::Cow<'a, str>,
    id_token: alloc::borrow::Cow<'a, str>,
}

impl serde::Serialize for IdToken {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredIdToken {
            v: 1,
            alg: alloc::borrow::Cow::Borrowed(self.alg.as_str()),
            id_token: alloc::borrow::Cow::Borrowed(&self.raw),
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for IdToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let stored = StoredIdToken::deserialize(deserializer)?;
        if stored.v != 1 {
            return Err(D::Error::custom(
                "stored ID token of another format version",
            ));
        }
        let alg = JwsAlgorithm::from_name(&stored.alg)
            .ok_or_else(|| D::Error::custom("stored ID token's alg is unknown"))?;
        let compact = crate::jws::parse_compact(&stored.id_token)
            .map_err(|_| D::Error::custom("stored ID token is not a compact JWS"))?;
        let claims = parse_claims(&compact.payload)
            .map_err(|_| D::Error::custom("stored ID token's claims do not parse"))?;
        Ok(Self {
            alg,
            claims,
            raw: stored.id_token.into_owned(),
        })
    }
}

impl fmt::Debug for IdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdToken")
            .field("alg", &self.alg)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

/// Why an ID token was refused (Core §3.1.3.7). The login must not go
/// on: none of the token's claims is trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    /// The JWS itself: malformed, unsigned, an `alg` not allowed, no key,
    /// a bad signature (items 6–8).
    Jws(JwsError),
    /// The payload is not an ID token's claims.
    Claims(ClaimsProblem),
    /// `iss` is not the issuer (item 2), as received.
    Issuer(UntrustedText),
    /// `aud` does not contain the client's id (item 3).
    Audience,
    /// Several audiences, or an `azp`, and `azp` is not the client's id
    /// (items 4, 5).
    AuthorizedParty,
    /// `exp` is past, beyond the skew (item 9).
    Expired {
        /// The token's `exp`.
        exp: UnixTime,
    },
    /// `iat` is in the future, beyond the skew (item 10): the server's
    /// clock or the client's is wrong.
    IssuedInFuture {
        /// The token's `iat`.
        iat: UnixTime,
    },
    /// `nbf` is in the future, beyond the skew (RFC 7519 §4.1.5).
    NotYetValid {
        /// The token's `nbf`.
        nbf: UnixTime,
    },
    /// The request carried a `nonce` and the token none (item 11).
    NonceMissing,
    /// The token's `nonce` is not the request's (item 11): a replayed
    /// or injected token.
    NonceMismatch,
    /// The `acr` is none of the essential values asked for (item 12).
    AcrNotSatisfied,
    /// `max_age` was asked and the token has no `auth_time` (item 13).
    AuthTimeMissing,
    /// The user authenticated longer ago than `max_age` (item 13).
    AuthTimeTooOld {
        /// The token's `auth_time`.
        auth_time: UnixTime,
    },
    /// `at_hash` is not the access token's hash (§3.1.3.8): the tokens
    /// were not issued together.
    AtHashMismatch,
    /// A refresh response's ID token changed a claim that must stay the
    /// login's (Core §12.2): `sub`, `aud`, `azp`, `auth_time` or a
    /// `nonce` sent. It is
    /// not the same user's session: sign the user out.
    RefreshChanged(&'static str),
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Jws(error) => write!(f, "ID token: {error}"),
            Self::Claims(problem) => write!(f, "ID token: {problem}"),
            Self::Issuer(iss) => write!(f, "the ID token's issuer `{iss}` is not the server's"),
            Self::Audience => f.write_str("the ID token is not for this client (aud)"),
            Self::AuthorizedParty => f.write_str("the ID token's azp is not this client"),
            Self::Expired { exp } => write!(f, "the ID token expired at {exp}"),
            Self::IssuedInFuture { iat } => {
                write!(f, "the ID token is issued in the future ({iat})")
            }
            Self::NotYetValid { nbf } => write!(f, "the ID token is not valid before {nbf}"),
            Self::NonceMissing => f.write_str("the ID token has no nonce"),
            Self::NonceMismatch => f.write_str("the ID token's nonce is not the request's"),
            Self::AcrNotSatisfied => f.write_str("the ID token's acr is not one asked for"),
            Self::AuthTimeMissing => {
                f.write_str("the ID token has no auth_time, and max_age was asked")
            }
            Self::AuthTimeTooOld { auth_time } => {
                write!(
                    f,
                    "the user authenticated at {auth_time}, longer ago than max_age"
                )
            }
            Self::AtHashMismatch => f.write_str("the ID token's at_hash is not the access token's"),
            Self::RefreshChanged(claim) => {
                write!(f, "the refreshed ID token's {claim} is not the login's")
            }
        }
    }
}

impl core::error::Error for IdTokenError {}

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

use super::claims::{parse_claims, IdTokenClaims};
use super::key_set::KeySet;
use crate::config::TenantIssuer;
use crate::error::JwtError;
use crate::jws::{JwsAlgorithm, JwsVerifier};
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
    tenant_issuer: Option<TenantIssuer>,
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
            tenant_issuer: None,
        }
    }

    /// For a client of a multi-tenant provider's alias tenant (Microsoft
    /// Entra ID's `common`, `organizations`, `consumers`): an `iss` that is
    /// `template` with the token's own `tid` claim, a GUID, in place of
    /// `{tenantid}` is the issuer too ([`TenantIssuer`]). Inert unless the
    /// expected issuer is one of `template`'s alias tenants: every other
    /// issuer stays compared exactly (item 2).
    #[must_use]
    pub fn tenant_issuer(mut self, template: TenantIssuer) -> Self {
        self.tenant_issuer = Some(template);
        self
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
    /// [`JwtError`]. For [`JwtError::UnknownKey`], fetch the key set
    /// again once ([`KeySet::refetch`]) and validate again.
    pub fn validate(
        &self,
        id_token: &str,
        access_token: Option<&str>,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<IdToken, JwtError> {
        let verified = keys.verify(id_token, &self.algorithms, verifier)?;
        let alg = verified.header().algorithm();
        let claims = parse_claims(verified.payload())?;
        self.check(&claims, now)?;
        if let (Some(at_hash), Some(access_token)) = (&claims.at_hash, access_token) {
            let expected = token_hash(alg, access_token);
            if !ct_eq(at_hash, &expected) {
                return Err(JwtError::AtHashMismatch);
            }
        }
        Ok(IdToken {
            alg,
            claims,
            raw: String::from(id_token),
        })
    }

    /// Item 2: `iss` is the issuer, exactly; or, for an alias tenant's
    /// issuer with a [`TenantIssuer`], the issuer of the token's own `tid`.
    fn is_issuer(&self, claims: &IdTokenClaims) -> bool {
        claims.iss == self.issuer
            || self.tenant_issuer.is_some_and(|template| {
                template.is_alias(&self.issuer)
                    && claims
                        .other
                        .get("tid")
                        .and_then(|tid| tid.as_str())
                        .is_some_and(|tid| template.is_issuer_of(&claims.iss, tid))
            })
    }

    fn check(&self, claims: &IdTokenClaims, now: UnixTime) -> Result<(), JwtError> {
        if !self.is_issuer(claims) {
            return Err(JwtError::IssuerMismatch(UntrustedText::from(
                claims.iss.as_str(),
            )));
        }
        if !claims.aud.contains(&self.client_id) {
            return Err(JwtError::AudienceMismatch);
        }
        // Items 4, 5: with several audiences, `azp` must be the client.
        let azp_needed = claims.aud.len() > 1 || claims.azp.is_some();
        if azp_needed && claims.azp.as_deref() != Some(self.client_id.as_str()) {
            return Err(JwtError::AuthorizedPartyMismatch);
        }
        if now.saturating_sub(self.skew) >= claims.exp {
            return Err(JwtError::Expired { exp: claims.exp });
        }
        if claims.iat > now.saturating_add(self.skew) {
            return Err(JwtError::IssuedInFuture { iat: claims.iat });
        }
        // RFC 7519 §4.1.5: not before `nbf`, when the token has one.
        if let Some(nbf) = claims
            .nbf
            .filter(|nbf| *nbf > now.saturating_add(self.skew))
        {
            return Err(JwtError::NotYetValid { nbf });
        }
        if let Some(expected) = &self.nonce {
            match &claims.nonce {
                None => return Err(JwtError::NonceMissing),
                Some(nonce) if !ct_eq(nonce, expected) => return Err(JwtError::NonceMismatch),
                Some(_) => {}
            }
        }
        if let Some(acr_values) = &self.acr_values {
            let acr = claims.acr.as_deref().unwrap_or_default();
            if !acr_values.iter().any(|wanted| wanted == acr) {
                return Err(JwtError::AcrNotSatisfied);
            }
        }
        if let Some(max_age) = self.max_age {
            let auth_time = claims.auth_time.ok_or(JwtError::AuthTimeMissing)?;
            let oldest = now.saturating_sub(max_age).saturating_sub(self.skew);
            if auth_time < oldest {
                return Err(JwtError::AuthTimeTooOld { auth_time });
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
    /// [`JwtError`]; [`JwtError::RefreshChanged`] names the claim
    /// that differs.
    pub fn validate_refreshed(
        &self,
        id_token: &str,
        access_token: Option<&str>,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<IdToken, JwtError> {
        let original = &self.claims;
        let client_id = original
            .azp
            .as_deref()
            .or(original.aud.first().map(String::as_str));
        let mut validation =
            IdTokenValidation::new(original.iss.as_str(), client_id.unwrap_or_default())
                .algorithms(&[self.alg]);
        let verified = keys.verify(id_token, &validation.algorithms, verifier)?;
        let claims = parse_claims(verified.payload())?;
        let changed = |claim| Err(JwtError::RefreshChanged(claim));
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
                return Err(JwtError::AtHashMismatch);
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

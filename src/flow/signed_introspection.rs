//! JWT introspection responses (RFC 9701): the introspection answer as a
//! JWT the authorization server signs, verified before any of it is read.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::config::Client;
use crate::error::{
    CryptoError, EndpointError, EndpointErrorKind, EndpointKind, Failure, JwtError,
};
use crate::flow::introspection::Introspection;
use crate::http::{HttpRequest, HttpResponse};
use crate::jws::{JwsAlgorithm, JwsVerifier};
use crate::oidc::claims::{string, strings, time, Unique};
use crate::oidc::KeySet;
use crate::step::{EndpointStep, RequestContext};
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::introspection::{
    parse_introspection_claim, parse_introspection_response, IntrospectionResponse,
};

/// The media type of a JWT introspection response (RFC 9701 §4, §5).
const MEDIA_TYPE: &str = "application/token-introspection+jwt";
/// Its `typ` (§5).
const TYP: &str = "token-introspection+jwt";
/// The clock skew allowed for `iat`.
const SKEW: Duration = Duration::from_secs(60);

impl Introspection {
    /// Asks for the answer as a JWT the server signs (RFC 9701 §4:
    /// `Accept: application/token-introspection+jwt`), for a client
    /// registered with `introspection_signed_response_alg`. The answer is
    /// taken only signed, and read only once verified
    /// ([`IntrospectionReceived::verify`]).
    pub fn signed(self, client: &Client) -> SignedIntrospection {
        let algorithms = match &client.metadata.introspection_signing_alg_values_supported {
            Some(listed) => listed
                .iter()
                .filter_map(|alg| JwsAlgorithm::from_name(alg))
                .collect(),
            // RFC 9701 §6: `introspection_signed_response_alg` is RS256
            // unless registered otherwise.
            None => alloc::vec![JwsAlgorithm::Rs256],
        };
        SignedIntrospection {
            introspection: self,
            issuer: client.issuer.clone(),
            client_id: String::from(client.client_id.as_str()),
            algorithms,
        }
    }
}

/// An introspection request that asks for a signed answer (RFC 9701): an
/// [`EndpointStep`] whose output is held until it verifies.
#[must_use = "an introspection does nothing until its request is sent"]
pub struct SignedIntrospection {
    introspection: Introspection,
    issuer: String,
    client_id: String,
    algorithms: Vec<JwsAlgorithm>,
}

impl EndpointStep for SignedIntrospection {
    /// The signed answer, not yet verified.
    type Output = IntrospectionReceived;

    const ENDPOINT: EndpointKind = EndpointKind::Introspection;

    /// The introspection request (RFC 7662 §2.1), accepting
    /// `application/token-introspection+jwt` (RFC 9701 §4).
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        Ok(self.introspection.request(context)?.accepting(MEDIA_TYPE))
    }

    /// Takes the signed answer; an error answer fails as at any
    /// introspection, and an unsigned success is refused
    /// ([`JwtError::Unsigned`]).
    ///
    /// # Errors
    /// A [`Failure`]; 429 and 5xx give this step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<IntrospectionReceived, Failure<SignedIntrospection>> {
        let response = response.into();
        let signed = response.content_type().is_some_and(|value| {
            let essence = value.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case(MEDIA_TYPE)
        });
        if response.status() == 200 && signed {
            let jwt = core::str::from_utf8(response.body()).map_err(|_| {
                Failure::refused(
                    Self::ENDPOINT,
                    EndpointErrorKind::IntrospectionRejected(JwtError::Malformed),
                )
            })?;
            return Ok(IntrospectionReceived {
                jwt: String::from(jwt.trim()),
                issuer: self.issuer,
                client_id: self.client_id,
                algorithms: self.algorithms,
            });
        }
        match parse_introspection_response(&response, now) {
            Err(kind) => Err(Failure::new(Self::ENDPOINT, kind, self)),
            Ok(_) => Err(Failure::refused(
                Self::ENDPOINT,
                EndpointErrorKind::IntrospectionRejected(JwtError::Unsigned),
            )),
        }
    }
}

/// A signed introspection answer, not yet verified: what it says comes
/// out only through [`verify`](Self::verify).
#[must_use = "the introspection answer must be verified before it is used"]
pub struct IntrospectionReceived {
    jwt: String,
    issuer: String,
    client_id: String,
    algorithms: Vec<JwsAlgorithm>,
}

impl IntrospectionReceived {
    /// Verifies the answer (RFC 9701 §5) with `keys` through `verifier`:
    /// the JWS (an `alg` the server lists in
    /// `introspection_signing_alg_values_supported`, RS256 when none),
    /// `typ` `token-introspection+jwt`, `iss` the issuer, `aud` with the
    /// client's id, `iat` not in the future; then its
    /// `token_introspection` claim is read as the JSON answer is (RFC 7662
    /// §2.2).
    ///
    /// # Errors
    /// An [`EndpointError`] at the introspection endpoint:
    /// [`EndpointErrorKind::IntrospectionRejected`] with why, or how the
    /// claim is malformed. For [`JwtError::UnknownKey`], fetch the key set
    /// again ([`KeySet::refetch`]) and verify once more.
    pub fn verify(
        self,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<IntrospectionResponse, EndpointError> {
        let refused = |error| {
            EndpointError::new(
                EndpointKind::Introspection,
                EndpointErrorKind::IntrospectionRejected(error),
            )
        };
        let claim = self.claim(keys, verifier, now).map_err(refused)?;
        parse_introspection_claim(&claim)
            .map_err(|kind| EndpointError::new(EndpointKind::Introspection, kind))
    }

    /// The JWS and its claims checked; the `token_introspection` claim as
    /// JSON.
    fn claim(
        &self,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<Vec<u8>, JwtError> {
        let verified = keys.verify(&self.jwt, &self.algorithms, verifier)?;
        match verified.header().typ() {
            Some(typ) if typ.eq_ignore_ascii_case(TYP) => {}
            other => {
                return Err(JwtError::WrongType(UntrustedText::from(
                    other.unwrap_or_default(),
                )))
            }
        }
        let Unique(claims) =
            serde_json::from_slice(verified.payload()).map_err(|_| JwtError::ClaimsNotAnObject)?;
        let mut claims = claims.map_err(JwtError::DuplicateClaim)?;
        let iss = string(&mut claims, "iss")?.ok_or(JwtError::MissingClaim("iss"))?;
        if iss != self.issuer {
            return Err(JwtError::IssuerMismatch(UntrustedText::from(iss)));
        }
        let aud = claims.remove("aud").ok_or(JwtError::MissingClaim("aud"))?;
        if !strings(aud, "aud")?.contains(&self.client_id) {
            return Err(JwtError::AudienceMismatch);
        }
        let iat = time(&mut claims, "iat")?.ok_or(JwtError::MissingClaim("iat"))?;
        if iat > now.saturating_add(SKEW) {
            return Err(JwtError::IssuedInFuture { iat });
        }
        match claims.remove("token_introspection") {
            Some(object @ serde_json::Value::Object(_)) => serde_json::to_vec(&object)
                .map_err(|_| JwtError::InvalidClaim("token_introspection")),
            Some(_) => Err(JwtError::InvalidClaim("token_introspection")),
            None => Err(JwtError::MissingClaim("token_introspection")),
        }
    }
}

impl fmt::Debug for SignedIntrospection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedIntrospection")
            .field("introspection", &self.introspection)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for IntrospectionReceived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntrospectionReceived")
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

//! The UserInfo request (OpenID Connect Core §5.3): a `GET` of the
//! `userinfo_endpoint` with the access token of a sign-in — `Bearer`
//! (RFC 6750 §2.1), or `DPoP` with a proof (RFC 9449 §7) when the grant is
//! DPoP-bound — and its answer, JSON or a signed JWT (§5.3.2), handed out
//! only once its `sub` is the ID token's (§5.3.4).

use alloc::string::String;
use core::fmt;
use core::time::Duration;

use crate::config::Client;
use crate::endpoint::Endpoint;
use crate::error::{
    ApiMisuse, CryptoError, EndpointError, EndpointErrorKind, EndpointKind, Failure, JwtError,
    ResourceError,
};
use crate::flow::Authorized;
use crate::http::{HttpRequest, HttpResponse};
use crate::jws::{DpopKey, JwsAlgorithm, JwsVerifier};
use crate::limits::MAX_RESPONSE_BODY_BYTES;
use crate::oidc::{parse_userinfo, IdToken, KeySet, UserInfo, UserInfoExpectations};
use crate::secret::{AccessToken, AuthorizationValue};
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::token::check_status;

/// The UserInfo request of a signed-in user (Core §5.3.1): an
/// [`EndpointStep`] whose output, [`UserInfoReceived`], hands the claims
/// out through [`UserInfoReceived::verify`].
///
/// ```
/// # use oauth2_pkce::*;
/// # use oauth2_pkce::openid::*;
/// # use oauth2_pkce::jose::RustCryptoVerifier;
/// # fn userinfo(driver: &Driver<impl Transport>, client: &Client, signed_in: &SignedIn, keys: &KeySet)
/// #     -> Result<(), Box<dyn std::error::Error>> {
/// let request = UserInfoRequest::new(client, signed_in.authorized(), signed_in.id_token())?;
/// let userinfo = driver.run(request)?.verify(keys, &RustCryptoVerifier, UnixTime::now())?;
/// println!("{:?} <{:?}>", userinfo.name(), userinfo.email());
/// # Ok(())
/// # }
/// ```
#[must_use = "a UserInfo request does nothing until it is sent"]
pub struct UserInfoRequest {
    endpoint: Endpoint,
    authorization: AuthorizationValue,
    /// The key the token is bound to, and the token for the proof's `ath`.
    dpop: Option<(DpopKey, AccessToken)>,
    /// The UserInfo server's latest `DPoP-Nonce` (RFC 9449 §9).
    dpop_nonce: Option<String>,
    nonce_retried: bool,
    expectations: UserInfoExpectations,
    require_signed: bool,
    /// RFC 8705 §3: the token may be bound to the client's certificate,
    /// which the transport must present.
    client_certificate: bool,
}

impl UserInfoRequest {
    /// The UserInfo request of `client`'s `userinfo_endpoint`, with the
    /// access token of `authorized`, for the user of `id_token` (the
    /// sign-in's). A DPoP-bound grant sends its token as `DPoP` with a
    /// proof signed by `client`'s key, and the endpoint's nonce
    /// `authorized` keeps, if any. A signed answer may use the algorithm
    /// the ID token was signed with, unless
    /// [`algorithms`](Self::algorithms) says otherwise. To keep a nonce
    /// the endpoint sends for later requests, hand its answer to
    /// `Authorized::handle_resource_response` (feature `http`) too.
    ///
    /// # Errors
    /// [`ResourceError::Misuse`] with [`ApiMisuse::NoEndpoint`] when the
    /// metadata names no `userinfo_endpoint`, [`ApiMisuse::ClientMismatch`]
    /// when `authorized` is another client's grant,
    /// [`ApiMisuse::DpopKeyMismatch`] when `client` lacks the key a
    /// DPoP-bound token is bound to; [`ResourceError::InvalidToken`] when
    /// the access token cannot be sent in a header.
    pub fn new(
        client: &Client,
        authorized: &Authorized,
        id_token: &IdToken,
    ) -> Result<Self, ResourceError> {
        let misuse = ResourceError::Misuse;
        let endpoint = client
            .userinfo_endpoint
            .as_ref()
            .ok_or(misuse(ApiMisuse::NoEndpoint(EndpointKind::UserInfo)))?;
        // RFC 8705 §5: a client using mutual TLS calls the alias.
        let endpoint = client.mtls_target(endpoint).clone();
        if authorized.origin.issuer != client.issuer
            || authorized.origin.client_id != client.client_id
        {
            return Err(misuse(ApiMisuse::ClientMismatch));
        }
        let (authorization, dpop) = match authorized.tokens.dpop_jkt() {
            None => (authorized.bearer_value()?, None),
            Some(jkt) => {
                let key = client
                    .dpop_key()
                    .filter(|key| key.thumbprint() == jkt)
                    .ok_or(misuse(ApiMisuse::DpopKeyMismatch))?;
                let token = authorized.tokens.access_token().clone();
                (
                    authorized.authorization_value("DPoP ")?,
                    Some((key.clone(), token)),
                )
            }
        };
        #[cfg(feature = "http")]
        let dpop_nonce = authorized
            .resource_dpop_nonce(endpoint.as_str())
            .map(String::from);
        #[cfg(not(feature = "http"))]
        let dpop_nonce = None;
        Ok(Self {
            endpoint,
            authorization,
            dpop,
            dpop_nonce,
            nonce_retried: false,
            expectations: UserInfoExpectations {
                subject: String::from(id_token.claims().subject()),
                issuer: client.issuer.clone(),
                client_id: String::from(client.client_id.as_str()),
                algorithms: alloc::vec![id_token.algorithm()],
                skew: crate::oidc::DEFAULT_CLOCK_SKEW,
            },
            require_signed: false,
            client_certificate: client.uses_mutual_tls(),
        })
    }

    /// The algorithms a signed answer may use: the client's registered
    /// `userinfo_signed_response_alg` (OpenID Connect Dynamic Client
    /// Registration 1.0 §2), or those the server advertises
    /// (`userinfo_signing_alg_values_supported`).
    pub fn algorithms(mut self, algorithms: &[JwsAlgorithm]) -> Self {
        self.expectations.algorithms = algorithms.to_vec();
        self
    }

    /// Refuses an answer that is not signed: for a client registered with
    /// `userinfo_signed_response_alg`, whose answers the server always
    /// signs.
    pub fn require_signed(mut self) -> Self {
        self.require_signed = true;
        self
    }

    /// The clock skew allowed for a signed answer's `exp` and `nbf`
    /// ([`DEFAULT_CLOCK_SKEW`](crate::openid::DEFAULT_CLOCK_SKEW) when
    /// not set).
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.expectations.skew = skew;
        self
    }

    /// RFC 9449 §9: a `401` whose `WWW-Authenticate: DPoP` says
    /// `use_dpop_nonce`, with a `DPoP-Nonce` this step has not tried.
    #[cfg(feature = "http")]
    fn nonce_demand(&self, response: &HttpResponse<'_>) -> Option<String> {
        use crate::error::BearerErrorCode;
        use crate::wire::challenge::DpopChallenge;
        let nonce = response.dpop_nonce()?;
        let asked = matches!(
            DpopChallenge::from_response(*response),
            Ok(Some(challenge)) if challenge.error() == Some(&BearerErrorCode::UseDpopNonce)
        );
        (asked
            && self.dpop.is_some()
            && !self.nonce_retried
            && Some(nonce) != self.dpop_nonce.as_deref())
        .then(|| String::from(nonce))
    }

    #[cfg(not(feature = "http"))]
    fn nonce_demand(&self, _: &HttpResponse<'_>) -> Option<String> {
        None
    }
}

impl EndpointStep for UserInfoRequest {
    /// The answer, its `sub` not yet compared.
    type Output = UserInfoReceived;

    const ENDPOINT: EndpointKind = EndpointKind::UserInfo;

    /// A `GET` of the `userinfo_endpoint` (Core §5.3.1) with
    /// `Authorization: Bearer`, or `Authorization: DPoP` and a `DPoP`
    /// proof of the request (RFC 9449 §7.1) with the token's hash and the
    /// endpoint's nonce; `Accept` names both answer forms.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut request = HttpRequest::get_authorized(
            self.endpoint.clone(),
            "application/json, application/jwt",
            String::from(self.authorization.secret()),
        );
        if self.client_certificate {
            request = request.with_client_certificate();
        }
        match &self.dpop {
            None => Ok(request),
            Some((key, token)) => {
                let proof = crate::jws::proof(
                    key,
                    "GET",
                    self.endpoint.as_str(),
                    context,
                    self.dpop_nonce.as_deref(),
                    Some(token.secret()),
                )?;
                Ok(request.with_dpop(proof))
            }
        }
    }

    /// Reads the answer (Core §5.3.2): `200` with `application/json` (or
    /// no `Content-Type`), a JSON object with `sub` and the claims of
    /// their types; or with `application/jwt`, a JWT kept for
    /// [`UserInfoReceived::verify`].
    ///
    /// # Errors
    /// A [`Failure`]: 429 and 5xx give the step back; a `401` asking for
    /// a DPoP nonce (RFC 9449 §9) the first time is a fallback
    /// ([`Failure::is_fallback`]) whose step carries it; any other status
    /// is [`EndpointErrorKind::UnexpectedStatus`] (the reason, if any, is
    /// in the answer's `WWW-Authenticate`, Core §5.3.3); a body that is
    /// not a UserInfo response is malformed
    /// ([`EndpointErrorKind::is_malformed_response`]).
    fn handle_response<'a>(
        mut self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<UserInfoReceived, Failure<UserInfoRequest>> {
        let response = response.into();
        if let Err(kind) = check_status(&response, now) {
            return Err(Failure::new(Self::ENDPOINT, kind, self));
        }
        let status = response.status();
        if status == 401 {
            if let Some(nonce) = self.nonce_demand(&response) {
                self.dpop_nonce = Some(nonce);
                self.nonce_retried = true;
                let kind = EndpointErrorKind::UnexpectedStatus { status };
                return Err(Failure::fallback(Self::ENDPOINT, kind, self));
            }
        }
        match read(&response, self.require_signed) {
            Ok(answer) => Ok(UserInfoReceived {
                answer,
                expectations: self.expectations,
            }),
            Err(kind) => Err(Failure::refused(Self::ENDPOINT, kind)),
        }
    }
}

/// The answer's form.
#[derive(Clone, PartialEq)]
enum Answer {
    Json(alloc::boxed::Box<UserInfo>),
    Signed(String),
}

/// Reads the body of a UserInfo answer (§5.3.2).
fn read(response: &HttpResponse<'_>, require_signed: bool) -> Result<Answer, EndpointErrorKind> {
    let status = response.status();
    if status != 200 {
        return Err(EndpointErrorKind::UnexpectedStatus { status });
    }
    let body = response.body();
    if body.len() > MAX_RESPONSE_BODY_BYTES {
        let limit = MAX_RESPONSE_BODY_BYTES;
        return Err(EndpointErrorKind::TooLarge { limit });
    }
    let essence = response
        .content_type()
        .map(|value| value.split(';').next().unwrap_or_default().trim());
    match essence {
        Some(media) if media.eq_ignore_ascii_case("application/jwt") => {
            let jwt = core::str::from_utf8(body)
                .map_err(|_| EndpointErrorKind::UserInfoRejected(JwtError::Malformed))?;
            Ok(Answer::Signed(String::from(jwt.trim())))
        }
        _ if require_signed => Err(EndpointErrorKind::UserInfoRejected(JwtError::Unsigned)),
        None => json(body),
        Some(media) if media.eq_ignore_ascii_case("application/json") => json(body),
        Some(_) => Err(EndpointErrorKind::NotJson),
    }
}

fn json(body: &[u8]) -> Result<Answer, EndpointErrorKind> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() {
        return Err(EndpointErrorKind::NotJson);
    }
    parse_userinfo(body)
        .map(|userinfo| Answer::Json(alloc::boxed::Box::new(userinfo)))
        .map_err(|error| match error {
            JwtError::ClaimsNotAnObject => EndpointErrorKind::NotAnObject,
            JwtError::DuplicateClaim(name) => EndpointErrorKind::DuplicateMember(name),
            JwtError::MissingClaim(name) => EndpointErrorKind::MissingMember(name),
            JwtError::InvalidClaim(name) => EndpointErrorKind::InvalidMember(name),
            other => EndpointErrorKind::UserInfoRejected(other),
        })
}

/// A UserInfo answer whose `sub` is not compared yet (and, signed, whose
/// signature is not verified yet): the claims come out only through
/// [`verify`](Self::verify).
#[must_use = "the UserInfo answer must be verified before its claims are used"]
pub struct UserInfoReceived {
    answer: Answer,
    expectations: UserInfoExpectations,
}

impl UserInfoReceived {
    /// Whether the answer is a signed JWT (`application/jwt`).
    #[must_use]
    pub fn is_signed(&self) -> bool {
        matches!(self.answer, Answer::Signed(_))
    }

    /// The claims, once the answer is the ID token's user's (Core
    /// §5.3.4); a signed answer (§5.3.2) is first verified with `keys`
    /// through `verifier` (an allowed `alg`, never `none`), its `iss` the
    /// issuer and its `aud` with the client's id, `exp` and `nbf` when
    /// sent checked at `now`. `keys` and `verifier` are unused for a JSON
    /// answer.
    ///
    /// # Errors
    /// An [`EndpointError`] at the UserInfo endpoint,
    /// [`EndpointErrorKind::UserInfoRejected`] with why:
    /// [`JwtError::SubjectMismatch`] for another user's claims. For
    /// [`JwtError::UnknownKey`], fetch the key set again
    /// ([`KeySet::refetch`]) and ask again.
    pub fn verify(
        self,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<UserInfo, EndpointError> {
        let verified = match self.answer {
            Answer::Json(userinfo) => self.expectations.check_subject(*userinfo),
            Answer::Signed(jwt) => self.expectations.verify_signed(&jwt, keys, verifier, now),
        };
        verified.map_err(|error| {
            EndpointError::new(
                EndpointKind::UserInfo,
                EndpointErrorKind::UserInfoRejected(error),
            )
        })
    }
}

impl fmt::Debug for UserInfoReceived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfoReceived")
            .field("signed", &self.is_signed())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for UserInfoRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfoRequest")
            .field("endpoint", &self.endpoint)
            .field("dpop", &self.dpop.is_some())
            .field("require_signed", &self.require_signed)
            .finish_non_exhaustive()
    }
}

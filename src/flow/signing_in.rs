//! OpenID Connect sign-in at the code exchange (Core §3.1.3): the token
//! request of [`Exchanging`], then the ID token of its response validated
//! (§3.1.3.7) before the tokens are handed out.
//!
//! The shape, sans-IO: [`SigningIn`] is the exchange's step; its output,
//! [`IdTokenReceived`], holds the tokens and hands them out only through
//! [`IdTokenReceived::verify`], against the server's [`KeySet`]. When the
//! token names a `kid` the set lacks, the error gives the received tokens
//! back with the step that fetches the set again ([`KeySet::refetch`],
//! rate-limited): the code is redeemed once, whatever the keys do.

use core::fmt;
use core::time::Duration;

use crate::error::JwtError;
use crate::error::{CryptoError, EndpointErrorKind, EndpointKind, Failure};
use crate::flow::authorized::Authorized;
use crate::flow::exchanging::Exchanging;
use crate::http::{HttpRequest, HttpResponse};
use crate::jws::{JwsAlgorithm, JwsVerifier};
use crate::oidc::{IdToken, IdTokenValidation, KeySet, KeySetFetch};
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;

impl Exchanging {
    /// Signs the user in (OpenID Connect Core §3.1.3): the same token
    /// request, whose response's `id_token` is then validated
    /// ([`IdTokenReceived::verify`]) before the tokens are handed out. For
    /// a login whose scope has `openid`.
    pub fn sign_in(self) -> SigningIn {
        SigningIn { exchanging: self }
    }
}

/// The code exchange of an OpenID Connect login: an [`EndpointStep`]
/// whose output is the token response held until its ID token is
/// verified.
///
/// ```
/// # use oauth2_pkce::*;
/// # use oauth2_pkce::openid::*;
/// # use oauth2_pkce::jose::RustCryptoVerifier;
/// # fn sign_in(driver: &Driver<impl Transport>, exchanging: Exchanging, mut keys: KeySet)
/// #     -> Result<(), Box<dyn std::error::Error>> {
/// let received = driver.run(exchanging.sign_in())?;
/// let signed_in = match received.verify(&keys, &RustCryptoVerifier, UnixTime::now()) {
///     // The server rotated its keys: fetch the set again, once, and keep it.
///     Err(failure) if failure.is_fallback() => {
///         let unknown = failure.into_retry().ok_or("no step handed back")?;
///         keys = driver.run(unknown.refetch())?;
///         unknown.into_received().verify(&keys, &RustCryptoVerifier, UnixTime::now())?
///     }
///     other => other?,
/// };
/// println!("signed in: {}", signed_in.id_token().claims().subject());
/// # Ok(())
/// # }
/// ```
#[must_use = "the code must be exchanged before it expires"]
#[derive(Debug)]
pub struct SigningIn {
    exchanging: Exchanging,
}

impl EndpointStep for SigningIn {
    /// The token response, its ID token not yet verified.
    type Output = IdTokenReceived;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The access token request of [`Exchanging`].
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        self.exchanging.request(context)
    }

    /// Reads the token response as [`Exchanging`] does, and holds it.
    ///
    /// # Errors
    /// As [`Exchanging`]'s; a retry hands this step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<IdTokenReceived, Failure<SigningIn>> {
        let validation = IdTokenValidation::new(
            self.exchanging.origin.issuer.as_str(),
            self.exchanging.origin.client_id.as_str(),
        )
        .algorithms(&[self.exchanging.id_token_signing_alg]);
        let validation = match &self.exchanging.nonce {
            Some(nonce) => validation.nonce(nonce.secret()),
            None => validation,
        };
        let validation = match self.exchanging.tenant_issuer {
            Some(template) => validation.tenant_issuer(template),
            None => validation,
        };
        match self.exchanging.exchange(&response.into(), now) {
            Ok(authorized) => Ok(IdTokenReceived {
                authorized,
                validation,
                refetch: None,
            }),
            Err(failure) => Err(failure.map_state(|exchanging| SigningIn { exchanging })),
        }
    }
}

/// A token response whose ID token is not verified yet: the tokens come
/// out only through [`verify`](Self::verify).
#[must_use = "the ID token must be verified to sign the user in"]
pub struct IdTokenReceived {
    authorized: Authorized,
    validation: IdTokenValidation,
    /// The fetch of the key set this value already caused, if any.
    refetch: Option<UnixTime>,
}

impl IdTokenReceived {
    /// The tokens of a grant whose ID token `validation` checks: a
    /// backchannel authentication's (OpenID CIBA Core 1.0 §10.1.1).
    pub(crate) fn new(authorized: Authorized, validation: IdTokenValidation) -> Self {
        Self {
            authorized,
            validation,
            refetch: None,
        }
    }

    /// The algorithms the ID token may be signed with: those the client
    /// registered (`id_token_signed_response_alg`) or the server
    /// advertises (`id_token_signing_alg_values_supported`). RS256 when
    /// not set (Core §3.1.3.7 item 7).
    pub fn algorithms(mut self, algorithms: &[JwsAlgorithm]) -> Self {
        self.validation = self.validation.algorithms(algorithms);
        self
    }

    /// The clock skew allowed for `exp` and `iat`
    /// ([`DEFAULT_CLOCK_SKEW`](crate::openid::DEFAULT_CLOCK_SKEW) when not set).
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.validation = self.validation.clock_skew(skew);
        self
    }

    /// The `max_age` the authentication request asked for (Core §3.1.2.1):
    /// `auth_time` must be present and no older.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.validation = self.validation.max_age(max_age);
        self
    }

    /// `acr` values the request asked for as essential.
    pub fn essential_acr(mut self, acr_values: &[&str]) -> Self {
        self.validation = self.validation.essential_acr(acr_values);
        self
    }

    /// Validates the response's ID token (Core §3.1.3.7, and `at_hash`
    /// against its access token, §3.1.3.8) with `keys` through
    /// `verifier`, at `now`; on success the user is signed in.
    ///
    /// # Errors
    /// A [`Failure`] at the token endpoint, and the login failed:
    /// [`EndpointErrorKind::MissingMember`]`("id_token")` when the response
    /// has none (Core §3.1.3.3), else
    /// [`EndpointErrorKind::IdTokenRejected`] with why. For a `kid` the
    /// key set lacks, the first time and when [`KeySet::refetch`] allows
    /// it, the failure is a fallback
    /// ([`is_fallback`](Failure::is_fallback)): its
    /// [`into_retry`](Failure::into_retry) is the [`UnknownKey`] that
    /// fetches the set again and gives this value back to verify once
    /// more.
    pub fn verify(
        self,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<SignedIn, Failure<UnknownKey>> {
        let refused = |kind| Failure::refused(EndpointKind::Token, kind);
        let extra = self.authorized.tokens().extra();
        let Some(id_token) = extra.get("id_token").and_then(|value| value.as_str()) else {
            return Err(refused(EndpointErrorKind::MissingMember("id_token")));
        };
        let access_token = self.authorized.tokens().access_token().secret();
        match self
            .validation
            .validate(id_token, Some(access_token), keys, verifier, now)
        {
            Ok(id_token) => Ok(SignedIn {
                authorized: self.authorized,
                id_token,
            }),
            Err(JwtError::UnknownKey(kid)) if self.refetch.is_none() => match keys.refetch(now) {
                Ok(refetch) => Err(Failure::fallback(
                    EndpointKind::Token,
                    EndpointErrorKind::IdTokenRejected(JwtError::UnknownKey(kid)),
                    UnknownKey {
                        received: alloc::boxed::Box::new(Self {
                            refetch: Some(now),
                            ..self
                        }),
                        refetch,
                    },
                )),
                Err(too_soon) => Err(refused(EndpointErrorKind::IdTokenRejected(too_soon))),
            },
            Err(error) => Err(refused(EndpointErrorKind::IdTokenRejected(error))),
        }
    }
}

impl fmt::Debug for IdTokenReceived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenReceived")
            .field("authorized", &self.authorized)
            .finish_non_exhaustive()
    }
}

/// A user signed in: the tokens, and the validated ID token that says
/// who the user is.
#[must_use = "the tokens and the user's identity are the login's result"]
#[derive(Debug)]
pub struct SignedIn {
    authorized: Authorized,
    id_token: IdToken,
}

impl SignedIn {
    /// The validated ID token.
    pub fn id_token(&self) -> &IdToken {
        &self.id_token
    }

    /// The tokens, to call APIs with, refresh and store.
    pub fn authorized(&self) -> &Authorized {
        &self.authorized
    }

    /// The tokens and the ID token, apart.
    pub fn into_parts(self) -> (Authorized, IdToken) {
        (self.authorized, self.id_token)
    }
}

/// The ID token names a `kid` the key set lacks: the server may have
/// rotated its keys (Core §10.1.1). Run [`refetch`](Self::refetch), keep
/// the new set, and verify [`into_received`](Self::into_received) with
/// it; an unknown `kid` then is final.
pub struct UnknownKey {
    received: alloc::boxed::Box<IdTokenReceived>,
    refetch: KeySetFetch,
}

impl UnknownKey {
    /// The step that fetches the key set again (rate-limited: handed out
    /// only when [`KeySet::refetch`] allowed it).
    pub fn refetch(&self) -> KeySetFetch {
        self.refetch.clone()
    }

    /// The token response, to verify again with the fetched set.
    pub fn into_received(self) -> IdTokenReceived {
        *self.received
    }
}

impl fmt::Debug for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnknownKey")
            .field("refetch", &self.refetch)
            .finish_non_exhaustive()
    }
}

//! The one shape of every step that talks to an endpoint.

use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::error::CryptoError;
use crate::error::{EndpointErrorKind, EndpointKind, Failure};
use crate::http::{HttpRequest, HttpResponse};
use crate::time::UnixTime;

/// What building a request needs at the moment it is sent: the time, and
/// fresh randomness. A client that authenticates with a JWT (RFC 7523
/// §2.2) signs a new assertion for every request, with `iat` from the time
/// and a `jti` from the randomness: a server may refuse a `jti` it has
/// seen (§3), so each send — a retry too — needs a new context. For other
/// clients the request is the same whatever the context.
///
/// Drivers make one per send ([`Driver`](crate::Driver)).
#[derive(Clone, Copy)]
pub struct RequestContext {
    now: UnixTime,
    entropy: [u8; 32],
}

impl RequestContext {
    /// A context at `now` with 32 bytes of the caller's randomness (from
    /// a cryptographically secure generator).
    #[must_use]
    pub const fn new(now: UnixTime, entropy: [u8; 32]) -> Self {
        Self { now, entropy }
    }

    /// A context at `now` with randomness from the operating system.
    ///
    /// # Errors
    /// [`CryptoError::EntropyUnavailable`] when the operating system has
    /// none to give.
    #[cfg(feature = "getrandom")]
    pub fn from_os_rng(now: UnixTime) -> Result<Self, CryptoError> {
        let mut entropy = [0; 32];
        crate::entropy::fill_from_os_rng(&mut entropy)?;
        Ok(Self { now, entropy })
    }

    /// The time the request is built at.
    #[must_use]
    pub const fn now(&self) -> UnixTime {
        self.now
    }

    /// A one-time identifier (a JWT's `jti`, RFC 7519 §4.1.7): 128 bits of
    /// the randomness, base64url; `which` (0 or 1) picks one of two
    /// independent halves, for a request that carries two proofs.
    pub(crate) fn jti(&self, which: usize) -> alloc::string::String {
        let half = if which == 0 {
            &self.entropy[..16]
        } else {
            &self.entropy[16..]
        };
        Base64UrlUnpadded::encode_string(half)
    }
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("now", &self.now)
            .field("entropy", &"[redacted]")
            .finish()
    }
}

/// A step of a flow that talks to one endpoint of the authorization
/// server: the code exchange ([`Exchanging`](crate::Exchanging)), a refresh
/// ([`Refreshing`](crate::Refreshing)), the client credentials grant
/// ([`ClientCredentials`](crate::ClientCredentials)), a revocation
/// ([`Revocation`](crate::Revocation)), a pushed authorization request
/// ([`PushingAuthorization`](crate::PushingAuthorization)), discovery
/// ([`Discovery`](crate::Discovery)), the device grant
/// ([`DeviceAuthorization`](crate::device::DeviceAuthorization),
/// [`DevicePolling`](crate::device::DevicePolling)) and introspection
/// ([`Introspection`](crate::resource::Introspection)).
///
/// The calling contract, the same for every step:
///
/// 1. [`request`](Self::request) builds the request as a value, for a
///    [`RequestContext`] of the moment. Send it as it is (with `http`,
///    [`HttpRequest::into_http`]), and never follow a redirect. After a
///    transport failure, build it again with a new context and send that.
/// 2. [`handle_response`](Self::handle_response) consumes the step with
///    whatever the endpoint answered, and `now`, the time it arrived.
///    It gives the step's [`Output`](Self::Output), or a [`Failure`] that
///    names the endpoint and, when sending the same request again may
///    succeed (429, 5xx, `temporarily_unavailable`), hands the step back
///    ([`Failure::into_retry`], [`Failure::retry_after`]).
///
/// Generic code — a retry loop, a driver over an HTTP client — needs
/// nothing else:
///
/// ```
/// use oauth2_pkce::*;
/// use oauth2_pkce::values::{HttpRequest, HttpResponse};
/// use oauth2_pkce::errors::EndpointError;
///
/// /// Sends a step's request until it succeeds or retrying cannot help.
/// fn run<S: EndpointStep>(
///     mut step: S,
///     send: impl Fn(HttpRequest) -> (u16, Vec<u8>),
/// ) -> Result<S::Output, Box<dyn std::error::Error>> {
///     loop {
///         let context = RequestContext::from_os_rng(UnixTime::from_secs(0))?;
///         let (status, body) = send(step.request(&context)?);
///         match step.handle_response(HttpResponse::new(status, &body), UnixTime::from_secs(0)) {
///             Ok(output) => return Ok(output),
///             Err(failure) => match failure.into_parts() {
///                 (_, Some(again)) => step = again,
///                 (error, None) => return Err(error.into()),
///             },
///         }
///     }
/// }
/// # let discovery = Discovery::new("https://as.example").unwrap();
/// # let error = run(discovery, |_| (404, Vec::new())).unwrap_err();
/// # assert!(error.downcast::<EndpointError>().unwrap().is_not_found());
/// ```
pub trait EndpointStep: Sized {
    /// What the step gives on success.
    type Output;

    /// The endpoint this step talks to, named in its errors.
    const ENDPOINT: EndpointKind;

    /// The request to send, built for `context`.
    ///
    /// # Errors
    /// A [`CryptoError::Signing`] when the client's signing key could not
    /// sign its assertion (RFC 7523 §2.2); never for a client that signs nothing.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError>;

    /// The earliest time the request may be sent, when the protocol sets
    /// one: a device login's next poll (RFC 8628 §3.5,
    /// [`DevicePolling`](crate::device::DevicePolling)). `None`, the default for
    /// every other step: at once.
    fn not_before(&self) -> Option<UnixTime> {
        None
    }

    /// The time at and after which the request must not be sent, when the
    /// protocol sets one: a device code's expiry (RFC 8628 §3.2,
    /// [`DevicePolling`](crate::device::DevicePolling)). A driver never sends the
    /// request then, nor waits past it: the step ends with
    /// [`EndpointErrorKind::DeviceCodeExpired`](crate::errors::EndpointErrorKind::DeviceCodeExpired).
    /// `None`, the default for every other step: no deadline.
    fn not_after(&self) -> Option<UnixTime> {
        None
    }

    /// What ends the step when its deadline ([`not_after`](Self::not_after))
    /// comes before its request could be sent: the error a driver gives
    /// then. [`EndpointErrorKind::DeviceCodeExpired`](crate::errors::EndpointErrorKind::DeviceCodeExpired)
    /// by default, and for [`DevicePolling`](crate::device::DevicePolling);
    /// [`EndpointErrorKind::AuthReqIdExpired`](crate::errors::EndpointErrorKind::AuthReqIdExpired)
    /// for [`BackchannelPolling`](crate::ciba::BackchannelPolling).
    fn deadline_error(&self, expires_at: UnixTime) -> EndpointErrorKind {
        EndpointErrorKind::DeviceCodeExpired { expires_at }
    }

    /// Consumes the endpoint's response; `now` is when it arrived.
    ///
    /// # Errors
    /// A [`Failure`]; retryable ones give the step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Self::Output, Failure<Self>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `jti(0)` and `jti(1)` are the two halves of the randomness, in order.
    #[test]
    fn the_two_identifiers_are_the_two_halves() {
        let mut entropy = [0_u8; 32];
        entropy[16..].fill(0xff);
        let context = RequestContext::new(UnixTime::from_secs(0), entropy);
        assert_eq!(context.jti(0), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(context.jti(1), "_____________________w");
    }
}

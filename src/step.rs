//! The one shape of every step that talks to an endpoint.

use crate::error::{EndpointKind, Failure};
use crate::http::{HttpRequest, HttpResponse};
use crate::time::UnixTime;

/// A step of a flow that talks to one endpoint of the authorization
/// server: the code exchange ([`Exchanging`](crate::Exchanging)), a refresh
/// ([`Refreshing`](crate::Refreshing)), the client credentials grant
/// ([`ClientCredentials`](crate::ClientCredentials)), a revocation
/// ([`Revocation`](crate::Revocation)), a pushed authorization request
/// ([`PushingAuthorization`](crate::PushingAuthorization)), discovery
/// ([`Discovery`](crate::Discovery)), the device grant
/// ([`DeviceAuthorization`](crate::DeviceAuthorization),
/// [`DevicePolling`](crate::DevicePolling)) and introspection
/// ([`Introspection`](crate::Introspection)).
///
/// The calling contract, the same for every step:
///
/// 1. [`request`](Self::request) builds the request as a value. Send it as
///    it is (with `http`, [`HttpRequest::into_http`]), and never follow a
///    redirect. Building it again gives the same request: after a
///    transport failure, send it again.
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
///
/// /// Sends a step's request until it succeeds or retrying cannot help.
/// fn run<S: EndpointStep>(
///     mut step: S,
///     send: impl Fn(HttpRequest) -> (u16, Vec<u8>),
/// ) -> Result<S::Output, EndpointError> {
///     loop {
///         let (status, body) = send(step.request());
///         match step.handle_response(HttpResponse::new(status, &body), UnixTime::from_secs(0)) {
///             Ok(output) => return Ok(output),
///             Err(failure) => match failure.into_parts() {
///                 (_, Some(again)) => step = again,
///                 (error, None) => return Err(error),
///             },
///         }
///     }
/// }
/// # let discovery = Discovery::new("https://as.example").unwrap();
/// # let error = run(discovery, |_| (404, Vec::new())).unwrap_err();
/// # assert!(error.is_not_found());
/// ```
pub trait EndpointStep: Sized {
    /// What the step gives on success.
    type Output;

    /// The endpoint this step talks to, named in its errors.
    const ENDPOINT: EndpointKind;

    /// The request to send.
    fn request(&self) -> HttpRequest;

    /// The earliest time the request may be sent, when the protocol sets
    /// one: a device login's next poll (RFC 8628 §3.5,
    /// [`DevicePolling`](crate::DevicePolling)). `None`, the default for
    /// every other step: at once.
    fn not_before(&self) -> Option<UnixTime> {
        None
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

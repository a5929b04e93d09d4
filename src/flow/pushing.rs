//! A pushed authorization request in flight (RFC 9126).

use core::fmt;
use core::time::Duration;

use url::Url;

use crate::endpoint::Endpoint;
use crate::error::CryptoError;
use crate::error::{EndpointKind, Failure};
use crate::flow::authorization_request::{endpoint_for_parameters, AuthorizationRequest};
use crate::flow::awaiting_callback::AwaitingCallback;
use crate::flow::Credentials;
use crate::http::{HttpRequest, HttpResponse};
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;
use crate::wire::par::parse_par_response;

/// The authorization parameters on their way to the pushed authorization
/// request endpoint (RFC 9126 §2.1), built by
/// [`Start::push`](crate::Start::push).
///
/// An [`EndpointStep`]: send its [`request`](EndpointStep::request)
/// (without following redirects) and hand the answer to
/// [`handle_response`](EndpointStep::handle_response): it gives the
/// authorization URL, which carries only `client_id` and `request_uri`,
/// and the pending flow.
#[must_use = "the pushed request does nothing until it is sent"]
pub struct PushingAuthorization {
    pub(crate) endpoint: Endpoint,
    pub(crate) authorization_endpoint: Url,
    pub(crate) credentials: Credentials,
    /// The encoded authorization parameters, `client_id` among them.
    pub(crate) parameters: alloc::string::String,
    pub(crate) pending: AwaitingCallback,
}

impl EndpointStep for PushingAuthorization {
    /// The authorization request for the browser and the pending flow.
    type Output = (AuthorizationRequest, AwaitingCallback);

    const ENDPOINT: EndpointKind = EndpointKind::PushedAuthorization;

    /// The pushed authorization request: every authorization parameter,
    /// form-encoded, plus the client authentication, `POST`ed to the
    /// `pushed_authorization_request_endpoint` (RFC 9126 §2.1). It never
    /// carries a `request_uri`.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append_encoded(&self.parameters);
        let request = self
            .credentials
            .post_with_client_id(&self.endpoint, form, context)?;
        // RFC 9449 §10.1: a proof on the pushed request binds the code.
        self.credentials.prove(request, &self.endpoint, context)
    }

    /// Consumes the endpoint's answer (RFC 9126 §2.2): the authorization
    /// request to send the browser to — `client_id` and `request_uri` only
    /// (§4) — and the pending flow, which remembers when the `request_uri`
    /// expires. `now` is when the answer arrived.
    ///
    /// # Errors
    /// A [`Failure`]; retryable ones (429, 5xx,
    /// `temporarily_unavailable`) give this step back. `invalid_request`
    /// and the other RFC 6749 §5.2 codes are typed.
    fn handle_response<'a>(
        mut self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<(AuthorizationRequest, AwaitingCallback), Failure<PushingAuthorization>> {
        let response = response.into();
        let pushed = match parse_par_response(&response, now) {
            Ok(pushed) => pushed,
            Err(kind) if self.credentials.take_nonce_demand(&kind, &response) => {
                return Err(Failure::fallback(Self::ENDPOINT, kind, self));
            }
            Err(kind) => return Err(Failure::new(Self::ENDPOINT, kind, self)),
        };
        let mut pending = self.pending;
        pending.dpop_nonce = self.credentials.nonce_after(&response);
        let mut url = endpoint_for_parameters(&self.authorization_endpoint);
        url.query_pairs_mut()
            .append_pair("client_id", pending.origin.client_id.as_str())
            .append_pair("request_uri", &pushed.request_uri);
        pending.request_uri_expires_at =
            Some(now.saturating_add(Duration::from_secs(pushed.expires_in)));
        Ok((AuthorizationRequest::new(url), pending))
    }
}

impl fmt::Debug for PushingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushingAuthorization")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("parameters", &format_args!("[redacted]"))
            .field("pending", &self.pending)
            .finish()
    }
}

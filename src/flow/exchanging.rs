//! The code exchange: the access token request (RFC 6749 §4.1.3) and its
//! response (§5.1, §5.2).

use core::fmt;

use crate::config::RedirectUri;
use crate::error::TokenFailure;
use crate::flow::authorized::Authorized;
use crate::flow::{first_token_response, Credentials, Origin};
use crate::http::{HttpRequest, HttpResponse};
use crate::scope::Scope;
use crate::secret::{AuthorizationCode, CodeVerifier};
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;

/// A checked callback's code, ready to be exchanged for tokens.
///
/// Call [`token_request`](Self::token_request), send the request (without
/// following redirects), and pass whatever comes back to
/// [`handle_token_response`](Self::handle_token_response). If the transport
/// fails, build the request again and resend it: this value is only
/// consumed by the response.
#[must_use = "the code must be exchanged before it expires"]
pub struct Exchanging {
    pub(crate) origin: Origin,
    pub(crate) credentials: Credentials,
    pub(crate) redirect_uri: RedirectUri,
    pub(crate) code: AuthorizationCode,
    pub(crate) code_verifier: CodeVerifier,
    pub(crate) scope: Scope,
}

impl Exchanging {
    /// The access token request: a form-encoded `POST` to the token endpoint
    /// the flow started with, carrying `grant_type=authorization_code`, the
    /// `code`, the byte-identical `redirect_uri`, the `code_verifier`
    /// (RFC 7636 §4.5) and the client authentication (RFC 6749 §2.3).
    pub fn token_request(&self) -> HttpRequest {
        let mut form = FormSerializer::new();
        form.append("grant_type", "authorization_code")
            .append("code", self.code.secret())
            .append("redirect_uri", self.redirect_uri.as_str())
            .append("code_verifier", self.code_verifier.secret());
        self.credentials.post(&self.origin.token_endpoint, form)
    }

    /// The token request as an `http::Request`.
    ///
    /// # Errors
    /// Only if the `http` crate refuses a URI or header that this crate
    /// accepted.
    #[cfg(feature = "http")]
    pub fn token_request_http(
        &self,
    ) -> Result<http::Request<crate::http::RequestBody>, http::Error> {
        self.token_request().into_http()
    }

    /// Consumes the token endpoint's response. `now` is when the response
    /// arrived; the token's expiry is computed from it.
    ///
    /// # Errors
    /// A [`TokenFailure`]: when it [`is_retryable`](crate::TokenError::is_retryable),
    /// [`TokenFailure::into_retry`] gives this state back to send the request
    /// again. `invalid_grant` means the code is used, expired, or the
    /// verifier or redirect URI do not match: start a new login.
    pub fn handle_token_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Authorized, TokenFailure<Exchanging>> {
        first_token_response(self, &response.into(), now, |grant| {
            (grant.origin, grant.scope)
        })
    }
}

impl fmt::Debug for Exchanging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchanging")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("redirect_uri", &self.redirect_uri)
            .field("code", &self.code)
            .field("code_verifier", &self.code_verifier)
            .field("scope", &self.scope)
            .finish()
    }
}

//! The client credentials grant (RFC 6749 §4.4): tokens for the client
//! itself, with no user.

use core::fmt;

use crate::config::{Client, ClientAuthentication};
use crate::error::{ClientCredentialsError, TokenFailure};
use crate::flow::authorized::Authorized;
use crate::flow::{first_token_response, Credentials, Origin};
use crate::http::{HttpRequest, HttpResponse};
use crate::scope::Scope;
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;

/// A client credentials token request (RFC 6749 §4.4.2). Only confidential
/// clients may use it. The response carries no refresh token as a rule
/// (§4.4.3): when the access token expires, run the grant again.
#[must_use = "the grant does nothing until its request is sent"]
pub struct ClientCredentials {
    origin: Origin,
    credentials: Credentials,
    scope: Scope,
}

impl ClientCredentials {
    /// A grant for `client`, asking for `scope` (omitted when empty).
    ///
    /// # Errors
    /// [`ClientCredentialsError::PublicClient`]: a client without a secret
    /// cannot authenticate, and this grant is nothing without it.
    pub fn new(client: &Client, scope: Scope) -> Result<Self, ClientCredentialsError> {
        if matches!(client.authentication, ClientAuthentication::None) {
            return Err(ClientCredentialsError::PublicClient);
        }
        let (origin, credentials) = Origin::of(client);
        Ok(Self {
            origin,
            credentials,
            scope,
        })
    }

    /// The token request: `grant_type=client_credentials`, `scope` and the
    /// client authentication.
    pub fn token_request(&self) -> HttpRequest {
        let mut form = FormSerializer::new();
        form.append("grant_type", "client_credentials");
        if !self.scope.is_empty() {
            form.append("scope", &self.scope.to_wire());
        }
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

    /// Consumes the token endpoint's response.
    ///
    /// # Errors
    /// A [`TokenFailure`]; retryable ones give this state back.
    pub fn handle_token_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Authorized, TokenFailure<ClientCredentials>> {
        first_token_response(self, &response.into(), now, |grant| {
            (grant.origin, grant.scope)
        })
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("scope", &self.scope)
            .finish()
    }
}

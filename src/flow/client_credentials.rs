//! The client credentials grant (RFC 6749 §4.4): tokens for the client
//! itself, with no user.

use core::fmt;

use crate::config::{Client, ClientAuthentication};
use crate::error::SigningError;
use crate::error::{ApiMisuse, EndpointKind, Failure};
use crate::flow::authorized::Authorized;
use crate::flow::{first_token_response, Credentials, Origin};
use crate::http::{HttpRequest, HttpResponse};
use crate::scope::Scope;
use crate::step::{EndpointStep, RequestContext};
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
    /// [`ApiMisuse::PublicClient`]: a client without a secret
    /// cannot authenticate, and this grant is nothing without it.
    pub fn new(client: &Client, scope: Scope) -> Result<Self, ApiMisuse> {
        if matches!(client.authentication, ClientAuthentication::None) {
            return Err(ApiMisuse::PublicClient);
        }
        let (origin, credentials) = Origin::of(client);
        Ok(Self {
            origin,
            credentials,
            scope,
        })
    }
}

impl EndpointStep for ClientCredentials {
    /// The tokens.
    type Output = Authorized;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The token request: `grant_type=client_credentials`, `scope` and the
    /// client authentication.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, SigningError> {
        let mut form = FormSerializer::new();
        form.append("grant_type", "client_credentials");
        self.credentials.append_scope(&mut form, &self.scope);
        self.credentials
            .post_proven(&self.origin.token_endpoint, form, context)
    }

    /// Consumes the token endpoint's response.
    ///
    /// # Errors
    /// A [`Failure`]; retryable ones give this step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Authorized, Failure<ClientCredentials>> {
        first_token_response(
            self,
            &response.into(),
            now,
            |step| &mut step.credentials,
            |grant| (grant.origin, grant.scope, alloc::vec::Vec::new()),
        )
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

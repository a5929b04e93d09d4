//! The client credentials grant (RFC 6749 §4.4): tokens for the client
//! itself, with no user.

use core::fmt;

use alloc::string::String;
use alloc::vec::Vec;

use crate::authorization_details::{self, AuthorizationDetails};
use crate::config::{Client, ClientAuthentication};
use crate::error::ConfigError;
use crate::error::CryptoError;
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
    /// RFC 9396 §6: the authorization details asked for.
    authorization_details: AuthorizationDetails,
    /// The server's `authorization_details_types_supported` (§10).
    types_supported: Option<Vec<String>>,
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
            authorization_details: AuthorizationDetails::new(),
            types_supported: client
                .metadata()
                .authorization_details_types_supported
                .clone(),
        })
    }

    /// Asks the token for `details` (RFC 9396 §6), sent as
    /// `authorization_details`: for this grant, the only way to ask for
    /// them. The server checks them against the client's policy and
    /// answers `invalid_authorization_details` when they are more; what
    /// it granted comes back in
    /// [`TokenSet::authorization_details`](crate::TokenSet::authorization_details).
    ///
    /// # Errors
    /// [`ConfigError::AuthorizationDetailsTypeNotSupported`] when the
    /// server's `authorization_details_types_supported` does not list a
    /// type of `details`.
    pub fn authorization_details(
        mut self,
        details: AuthorizationDetails,
    ) -> Result<Self, ConfigError> {
        authorization_details::check_supported(&details, self.types_supported.as_deref())?;
        self.authorization_details = details;
        Ok(self)
    }
}

impl EndpointStep for ClientCredentials {
    /// The tokens.
    type Output = Authorized;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The token request: `grant_type=client_credentials`, `scope` and the
    /// client authentication.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append("grant_type", "client_credentials");
        self.credentials.append_scope(&mut form, &self.scope);
        authorization_details::emit(&self.authorization_details, &mut |name, value| {
            form.append(name, value);
        });
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
            .field("authorization_details", &self.authorization_details)
            .finish()
    }
}

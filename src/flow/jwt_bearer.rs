//! The JWT bearer grant (RFC 7523 §2.1): a JWT — issued by another
//! server the authorization server trusts, or by the token exchange of
//! this one — redeemed at the token endpoint for an access token.

use alloc::vec::Vec;
use core::fmt;

use crate::config::Client;
use crate::error::{CryptoError, EndpointKind, Failure, InvalidValue};
use crate::flow::authorized::Authorized;
use crate::flow::{first_token_response, Credentials, Origin};
use crate::http::{HttpRequest, HttpResponse};
use crate::resource_indicator::{self, ResourceIndicator};
use crate::scope::Scope;
use crate::secret::SecurityToken;
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;

/// `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A JWT bearer token request (RFC 7523 §2.1): the `assertion` (one JWT,
/// §3 rules its claims: the server checks them), a `scope`, `resource`s.
/// Client authentication is optional for this grant (§3.1): a client
/// with credentials sends them, a public one its `client_id`; a DPoP
/// proof goes with it when the client has a key.
///
/// ```
/// # use oauth2_pkce::*;
/// use oauth2_pkce::exchange::{JwtBearer, SecurityToken};
/// # fn run(driver: &Driver<impl Transport>, client: &Client, jwt: &str)
/// #     -> Result<(), Box<dyn std::error::Error>> {
/// let grant = JwtBearer::new(client, SecurityToken::new(jwt)).scope(Scope::parse("api")?);
/// let authorized = driver.run(grant)?;
/// # Ok(())
/// # }
/// ```
#[must_use = "the grant does nothing until its request is sent"]
pub struct JwtBearer {
    origin: Origin,
    credentials: Credentials,
    assertion: SecurityToken,
    scope: Scope,
    resources: Vec<ResourceIndicator>,
}

impl JwtBearer {
    /// The grant of `assertion` at `client`'s token endpoint.
    pub fn new(client: &Client, assertion: SecurityToken) -> Self {
        let (origin, credentials) = Origin::of(client);
        Self {
            origin,
            credentials,
            assertion,
            scope: Scope::default(),
            resources: Vec::new(),
        }
    }

    /// The scope asked for (omitted when empty).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// A resource the token is for (`resource`, RFC 8707 §2.2); may be
    /// given several times.
    ///
    /// # Errors
    /// [`InvalidValue::TooManyResources`] past
    /// [`MAX_RESOURCE_INDICATORS`](crate::limits::MAX_RESOURCE_INDICATORS).
    pub fn resource(mut self, resource: ResourceIndicator) -> Result<Self, InvalidValue> {
        resource_indicator::push(&mut self.resources, resource)?;
        Ok(self)
    }
}

impl EndpointStep for JwtBearer {
    /// The tokens.
    type Output = Authorized;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The token request: `grant_type`, `assertion`, `scope`, `resource`s
    /// and the client's authentication.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append("grant_type", JWT_BEARER_GRANT_TYPE);
        form.append("assertion", self.assertion.secret());
        self.credentials.append_scope(&mut form, &self.scope);
        resource_indicator::emit(&self.resources, &mut |name, value| {
            form.append(name, value);
        });
        self.credentials
            .post_proven(&self.origin.token_endpoint, form, context)
    }

    /// Reads the token response; an assertion the server refuses is
    /// `invalid_grant` (§3.1).
    ///
    /// # Errors
    /// A [`Failure`]; retryable ones give this step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Authorized, Failure<JwtBearer>> {
        first_token_response(
            self,
            &response.into(),
            now,
            |step| &mut step.credentials,
            |grant| (grant.origin, grant.scope, grant.resources),
        )
    }
}

impl fmt::Debug for JwtBearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtBearer")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("assertion", &self.assertion)
            .field("scope", &self.scope)
            .field("resources", &self.resources)
            .finish()
    }
}

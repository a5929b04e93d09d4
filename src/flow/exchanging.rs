//! The code exchange: the access token request (RFC 6749 §4.1.3) and its
//! response (§5.1, §5.2).

use core::fmt;

use crate::authorization_details::{self, AuthorizationDetails};
use crate::endpoint::RedirectUri;
use crate::error::CryptoError;
use crate::error::InvalidValue;
use crate::error::{EndpointKind, Failure};
use crate::flow::authorized::Authorized;
use crate::flow::{first_token_response, Credentials, Origin};
use crate::http::{HttpRequest, HttpResponse};
use crate::jws::JwsAlgorithm;
use crate::resource_indicator::{self, ResourceIndicator};
use crate::scope::Scope;
use crate::secret::{AuthorizationCode, CodeVerifier, Nonce};
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;
use alloc::vec::Vec;

/// A checked callback's code, ready to be exchanged for tokens.
///
/// An [`EndpointStep`]: send its [`request`](EndpointStep::request)
/// (without following redirects), and pass whatever comes back to
/// [`handle_response`](EndpointStep::handle_response). If the transport
/// fails, build the request again and resend it: this value is only
/// consumed by the response.
///
/// For an OpenID Connect login (a scope with `openid`), run
/// [`sign_in`](Self::sign_in) instead: the same request, and the ID token
/// verified before the tokens come out. This step hands out the tokens
/// without the ID token: nothing checked it, so nothing may take it for
/// the user's identity (OpenID Connect Core §3.1.3.7).
#[must_use = "the code must be exchanged before it expires"]
pub struct Exchanging {
    pub(crate) origin: Origin,
    pub(crate) credentials: Credentials,
    pub(crate) redirect_uri: RedirectUri,
    pub(crate) code: AuthorizationCode,
    pub(crate) code_verifier: CodeVerifier,
    pub(crate) scope: Scope,
    pub(crate) resources: Vec<ResourceIndicator>,
    /// The OpenID Connect `nonce` the login sent (Core §3.1.2.1).
    pub(crate) nonce: Option<Nonce>,
    /// The algorithm the client's ID tokens are signed with.
    pub(crate) id_token_signing_alg: JwsAlgorithm,
    /// The issuer template of an alias tenant's client
    /// ([`ServerMetadata::tenant_issuer`](crate::ServerMetadata::tenant_issuer)).
    pub(crate) tenant_issuer: Option<crate::config::TenantIssuer>,
    /// RFC 9396 §6: the authorization details the token is asked for;
    /// none sent when empty.
    pub(crate) authorization_details: AuthorizationDetails,
}

impl Exchanging {
    /// The resources the exchange asks the access token for (RFC 8707
    /// §2.2): those of the authorization request unless narrowed.
    #[must_use]
    pub fn resources(&self) -> &[ResourceIndicator] {
        &self.resources
    }

    /// Asks the access token for `resource` alone, one of the resources
    /// the login asked for (RFC 8707 §2.2: a token for one audience when
    /// several were authorized; some servers, such as oidc-provider,
    /// issue a token for one resource at a time).
    ///
    /// # Errors
    /// [`InvalidValue::ResourceNotRequested`] when `resource` is not one the
    /// login asked for; nothing changes.
    pub fn for_resource(&mut self, resource: &ResourceIndicator) -> Result<(), InvalidValue> {
        if !self.resources.contains(resource) {
            return Err(InvalidValue::ResourceNotRequested);
        }
        self.resources = alloc::vec![resource.clone()];
        Ok(())
    }

    /// Asks the access token for `details` (RFC 9396 §6): a part of what
    /// the login's `authorization_details` asked for, such as one
    /// `payment_initiation` for one `locations` entry. Sent as
    /// `authorization_details` in the token request; the server checks it
    /// against the grant and answers `invalid_authorization_details`
    /// ([`TokenErrorCode::InvalidAuthorizationDetails`](crate::errors::TokenErrorCode::InvalidAuthorizationDetails))
    /// when it is more. Without it, the server decides (§7).
    pub fn for_authorization_details(&mut self, details: AuthorizationDetails) {
        self.authorization_details = details;
    }
}

impl EndpointStep for Exchanging {
    /// The tokens.
    type Output = Authorized;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The access token request: a form-encoded `POST` to the token endpoint
    /// the flow started with, carrying `grant_type=authorization_code`, the
    /// `code`, the byte-identical `redirect_uri`, the `code_verifier`
    /// (RFC 7636 §4.5) and the client authentication (RFC 6749 §2.3).
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append("grant_type", "authorization_code")
            .append("code", self.code.secret())
            .append("redirect_uri", self.redirect_uri.as_str())
            .append("code_verifier", self.code_verifier.secret());
        resource_indicator::emit(&self.resources, &mut |name, value| {
            form.append(name, value);
        });
        authorization_details::emit(&self.authorization_details, &mut |name, value| {
            form.append(name, value);
        });
        self.credentials
            .post_proven(&self.origin.token_endpoint, form, context)
    }

    /// Consumes the token endpoint's response. `now` is when the response
    /// arrived; the token's expiry is computed from it.
    ///
    /// # Errors
    /// A [`Failure`]: when it [`is_retryable`](Failure::is_retryable),
    /// [`Failure::into_retry`] gives this step back to send the request
    /// again. `invalid_grant` means the code is used, expired, or the
    /// verifier or redirect URI do not match: start a new login.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Authorized, Failure<Exchanging>> {
        let openid = self.nonce.is_some();
        let mut authorized = self.exchange(&response.into(), now)?;
        if openid {
            authorized.tokens.extra.remove("id_token");
        }
        Ok(authorized)
    }
}

impl Exchanging {
    /// The token response, checked as RFC 6749 §5.1 says, the `id_token`
    /// left in it for [`SigningIn`](crate::openid::SigningIn) to verify.
    pub(crate) fn exchange(
        self,
        response: &HttpResponse<'_>,
        now: UnixTime,
    ) -> Result<Authorized, Failure<Exchanging>> {
        first_token_response(
            self,
            response,
            now,
            |step| &mut step.credentials,
            |grant| (grant.origin, grant.scope, grant.resources),
        )
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
            .field("resources", &self.resources)
            .field("nonce", &self.nonce)
            .field("id_token_signing_alg", &self.id_token_signing_alg)
            .field("tenant_issuer", &self.tenant_issuer)
            .field("authorization_details", &self.authorization_details)
            .finish()
    }
}

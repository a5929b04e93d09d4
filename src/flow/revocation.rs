//! Token revocation (RFC 7009).

use core::fmt;

use crate::config::Client;
use crate::endpoint::Endpoint;
use crate::error::CryptoError;
use crate::error::{ApiMisuse, EndpointKind, Failure};
use crate::flow::authorized::Authorized;
use crate::flow::Credentials;
use crate::http::{HttpRequest, HttpResponse};
use crate::secret::{AccessToken, RefreshToken};
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;
use crate::wire::token::parse_revocation_response;

/// Which token to revoke, sent as `token_type_hint` (RFC 7009 §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenTypeHint {
    /// The access token.
    AccessToken,
    /// The refresh token. Servers usually revoke the access tokens of the
    /// same grant too (RFC 7009 §2.1): use this to log out.
    RefreshToken,
}

impl TokenTypeHint {
    /// The hint as sent.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
        }
    }
}

impl Authorized {
    /// Starts the revocation of the whole grant, for a logout: the refresh
    /// token when there is one (servers then revoke the access tokens of
    /// the grant too, RFC 7009 §2.1), the access token otherwise.
    ///
    /// # Errors
    /// As [`revoke`](Self::revoke).
    pub fn revoke_grant(&self, client: &Client) -> Result<Revocation, ApiMisuse> {
        let token = match self.tokens.refresh_token() {
            Some(_) => TokenTypeHint::RefreshToken,
            None => TokenTypeHint::AccessToken,
        };
        self.revoke(client, token)
    }

    /// Starts the revocation of the access or the refresh token, at the
    /// revocation endpoint of the server the tokens came from.
    ///
    /// # Errors
    /// [`ApiMisuse::NoEndpoint`] when the server has none
    /// (neither in the stored state nor in `client`'s metadata for the same
    /// issuer), [`ApiMisuse::NoRefreshToken`], and
    /// [`ApiMisuse::ClientMismatch`].
    pub fn revoke(&self, client: &Client, token: TokenTypeHint) -> Result<Revocation, ApiMisuse> {
        let credentials = self
            .origin
            .credentials(client)
            .ok_or(ApiMisuse::ClientMismatch)?;
        // The client is the grant's own (same issuer): its metadata may name
        // the endpoint the stored state lacks.
        let endpoint = self
            .origin
            .revocation_endpoint
            .as_ref()
            .or(client.revocation_endpoint.as_ref())
            .ok_or(ApiMisuse::NoEndpoint(EndpointKind::Revocation))?
            .clone();
        let value = match token {
            TokenTypeHint::AccessToken => RevokedToken::Access(self.tokens.access_token().clone()),
            TokenTypeHint::RefreshToken => RevokedToken::Refresh(
                self.tokens
                    .refresh_token()
                    .ok_or(ApiMisuse::NoRefreshToken)?
                    .clone(),
            ),
        };
        Ok(Revocation {
            endpoint,
            credentials,
            token: value,
        })
    }
}

/// A revocation in progress (RFC 7009 §2).
#[must_use = "a revocation does nothing until its request is sent"]
pub struct Revocation {
    endpoint: Endpoint,
    credentials: Credentials,
    token: RevokedToken,
}

/// The token being revoked; its kind is the `token_type_hint`.
#[derive(Debug)]
enum RevokedToken {
    Access(AccessToken),
    Refresh(RefreshToken),
}

impl Revocation {
    /// Which token this revokes.
    pub fn token_type_hint(&self) -> TokenTypeHint {
        match self.token {
            RevokedToken::Access(_) => TokenTypeHint::AccessToken,
            RevokedToken::Refresh(_) => TokenTypeHint::RefreshToken,
        }
    }
}

impl EndpointStep for Revocation {
    /// Nothing: the token is revoked, or was already invalid.
    type Output = ();

    const ENDPOINT: EndpointKind = EndpointKind::Revocation;

    /// The revocation request: `token`, `token_type_hint` and the client
    /// authentication, form-encoded, `POST`ed to the revocation endpoint
    /// (RFC 7009 §2.1).
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        let (token, hint) = match &self.token {
            RevokedToken::Access(token) => (token.secret(), TokenTypeHint::AccessToken),
            RevokedToken::Refresh(token) => (token.secret(), TokenTypeHint::RefreshToken),
        };
        form.append("token", token)
            .append("token_type_hint", hint.as_str());
        self.credentials.post(&self.endpoint, form, context)
    }

    /// Consumes the revocation endpoint's response: any 2xx, whatever the
    /// body, means the token is revoked or was already invalid
    /// (RFC 7009 §2.2). `now` dates a `Retry-After` given as an HTTP-date.
    ///
    /// # Errors
    /// A [`Failure`]: 503 (RFC 7009 §2.2.1: the token is still valid) and
    /// the other retryable answers give this step back through
    /// [`Failure::into_retry`]; `unsupported_token_type` and the other
    /// RFC 6749 §5.2 errors are typed.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<(), Failure<Revocation>> {
        parse_revocation_response(&response.into(), now)
            .map_err(|kind| Failure::new(Self::ENDPOINT, kind, self))
    }
}

impl fmt::Debug for Revocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Revocation")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("token", &self.token)
            .finish()
    }
}

//! Refreshing an access token (RFC 6749 §6).

use core::fmt;

use crate::authorization_details::{self, AuthorizationDetails};
use crate::config::Client;
use crate::endpoint::Endpoint;
use crate::error::{ApiMisuse, EndpointKind, Failure};
use crate::flow::authorized::{Authorized, TokenSet};
use crate::flow::Credentials;
use crate::http::{HttpRequest, HttpResponse};

use crate::error::CryptoError;
use crate::jws::DpopKey;
use crate::resource_indicator::{self, ResourceIndicator};
use crate::scope::Scope;
use crate::secret::RefreshToken;
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;
use crate::wire::token::parse_token_response;
use alloc::vec::Vec;

impl Authorized {
    /// Starts a refresh for the whole grant scope (the request omits
    /// `scope`, RFC 6749 §6).
    ///
    /// The `Authorized` is borrowed, not consumed: keep it until the
    /// refresh response arrived and was handled, so a lost response never
    /// loses the only refresh token. Then replace it with the new state,
    /// atomically in your store (compare [`TokenSet::generation`]): with a
    /// rotating refresh token (Pagero), the old one is dead once the
    /// response was sent.
    ///
    /// # Errors
    /// [`ApiMisuse::NoRefreshToken`] and
    /// [`ApiMisuse::ClientMismatch`].
    pub fn refresh(&self, client: &Client) -> Result<Refreshing, ApiMisuse> {
        self.start_refresh(client, None)
    }

    /// Starts a refresh asking for `scope`, which must be part of the
    /// grant: a narrower access token (RFC 6749 §6). An empty `scope` is
    /// the same as [`refresh`](Self::refresh). When the grant scope is
    /// unknown ([`grant_scope`](Self::grant_scope) is `None`), any scope is
    /// sent and the server decides.
    ///
    /// Some servers (Authlib) narrow the grant itself for good: asking for
    /// the original scope back after a narrowing refresh may then be
    /// refused with `invalid_scope`, although RFC 6749 §6 allows it.
    ///
    /// # Errors
    /// [`ApiMisuse::ScopeNotGranted`] when `scope` asks for more than
    /// the known grant, before anything is sent; and as
    /// [`refresh`](Self::refresh).
    pub fn refresh_with_scope(
        &self,
        client: &Client,
        scope: Scope,
    ) -> Result<Refreshing, ApiMisuse> {
        if let Some(grant) = &self.grant_scope {
            if !scope.is_subset_of(grant) {
                return Err(ApiMisuse::ScopeNotGranted);
            }
        }
        // An empty scope asks for nothing in particular: the whole grant,
        // with `scope` omitted rather than sent empty.
        self.start_refresh(client, (!scope.is_empty()).then_some(scope))
    }

    /// Starts a refresh of the whole grant scope for an access token meant
    /// for `resource` alone (RFC 8707 §2.2): a token for another audience
    /// from the same grant. The server decides whether the grant covers
    /// it; `invalid_target` ([`TokenErrorCode::InvalidTarget`](crate::errors::TokenErrorCode::InvalidTarget))
    /// when it does not. Plain [`refresh`](Self::refresh) asks for the
    /// resources the current token was asked for
    /// ([`TokenSet::resources`]).
    ///
    /// # Errors
    /// As [`refresh`](Self::refresh).
    pub fn refresh_for_resource(
        &self,
        client: &Client,
        resource: ResourceIndicator,
    ) -> Result<Refreshing, ApiMisuse> {
        let mut refreshing = self.start_refresh(client, None)?;
        refreshing.resources = alloc::vec![resource];
        Ok(refreshing)
    }

    /// Starts a refresh of the whole grant scope asking the access token
    /// for `details` (RFC 9396 §6): fewer rights than the grant holds,
    /// such as one `locations` entry of a granted type. The server
    /// compares them with the grant (§6.1) and answers
    /// `invalid_authorization_details`
    /// ([`TokenErrorCode::InvalidAuthorizationDetails`](crate::errors::TokenErrorCode::InvalidAuthorizationDetails))
    /// when they are more. The grant itself is unchanged: a later
    /// [`refresh`](Self::refresh) lets the server decide again. An empty
    /// list is the same as [`refresh`](Self::refresh).
    ///
    /// # Errors
    /// As [`refresh`](Self::refresh).
    pub fn refresh_with_authorization_details(
        &self,
        client: &Client,
        details: AuthorizationDetails,
    ) -> Result<Refreshing, ApiMisuse> {
        let mut refreshing = self.start_refresh(client, None)?;
        refreshing.authorization_details = details;
        Ok(refreshing)
    }

    fn start_refresh(
        &self,
        client: &Client,
        scope: Option<Scope>,
    ) -> Result<Refreshing, ApiMisuse> {
        let mut credentials = self
            .origin
            .credentials(client)
            .ok_or(ApiMisuse::ClientMismatch)?;
        // RFC 9449 §5: a DPoP-bound grant is refreshed with its own key.
        if let Some(jkt) = self.tokens.dpop_jkt() {
            if credentials
                .dpop
                .as_ref()
                .map(DpopKey::thumbprint)
                .as_deref()
                != Some(jkt)
            {
                return Err(ApiMisuse::DpopKeyMismatch);
            }
        }
        credentials.dpop_nonce.clone_from(&self.dpop_nonce);
        let refresh_token = self
            .tokens
            .refresh_token()
            .ok_or(ApiMisuse::NoRefreshToken)?
            .clone();
        // The client is the grant's own (same issuer): a provider that
        // refreshes at an endpoint of its own names it in its metadata.
        let endpoint = client.refresh_endpoint.clone();
        Ok(Refreshing {
            previous: self.clone(),
            endpoint,
            credentials,
            refresh_token,
            scope,
            resources: self.tokens.resources.clone(),
            authorization_details: AuthorizationDetails::new(),
        })
    }
}

/// A refresh in progress: build the request, send it, hand back the
/// response.
///
/// On success the new [`Authorized`] holds the new refresh token when the
/// server rotated it, and the old one otherwise (RFC 6749 §6); its
/// [`generation`](TokenSet::generation) is one more than before.
#[must_use = "a refresh does nothing until its request is sent"]
pub struct Refreshing {
    previous: Authorized,
    /// A provider's own refresh endpoint; `None`: the grant's token
    /// endpoint (`previous`'s origin), not copied.
    endpoint: Option<Endpoint>,
    credentials: Credentials,
    refresh_token: RefreshToken,
    scope: Option<Scope>,
    resources: Vec<ResourceIndicator>,
    /// RFC 9396 §6: a narrower set asked for; none sent when empty.
    authorization_details: AuthorizationDetails,
}

impl Refreshing {
    /// Where the refresh request goes.
    fn endpoint(&self) -> &Endpoint {
        self.endpoint
            .as_ref()
            .unwrap_or(&self.previous.origin.token_endpoint)
    }

    /// The state the refresh started from: what to keep using if the
    /// refresh is abandoned.
    pub fn into_previous(self) -> Authorized {
        self.previous
    }
}

impl EndpointStep for Refreshing {
    /// The new tokens.
    type Output = Authorized;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The refresh request: `grant_type=refresh_token`, the refresh token,
    /// `scope` when a narrower one was asked for, and the client
    /// authentication, to the token endpoint the grant came from (or the
    /// provider's own refresh endpoint,
    /// [`ServerMetadata::refresh_endpoint`](crate::ServerMetadata::refresh_endpoint)).
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append("grant_type", "refresh_token")
            .append("refresh_token", self.refresh_token.secret());
        if let Some(scope) = &self.scope {
            form.append(
                "scope",
                &self.credentials.tolerances.scope_delimiter.join(scope),
            );
        }
        resource_indicator::emit(&self.resources, &mut |name, value| {
            form.append(name, value);
        });
        authorization_details::emit(&self.authorization_details, &mut |name, value| {
            form.append(name, value);
        });
        self.credentials.post_proven(self.endpoint(), form, context)
    }

    /// Consumes the token endpoint's response.
    ///
    /// # Errors
    /// A [`Failure`]. Retryable ones (429, 5xx,
    /// `temporarily_unavailable`) give this step back through
    /// [`Failure::into_retry`]. `invalid_grant` ([`Failure::code`])
    /// means the refresh token is dead (used, expired or revoked — or
    /// another instance refreshed with it first): the user must log in
    /// again.
    fn handle_response<'a>(
        mut self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Authorized, Failure<Refreshing>> {
        let http = response.into();
        let parsed =
            parse_token_response(&http, now, &self.credentials.tolerances).and_then(|parsed| {
                let binding = self.credentials.binding(&parsed.token_type)?;
                Ok((parsed, binding))
            });
        match parsed {
            Ok((mut response, binding)) => {
                let nonce = self.credentials.nonce_after(&http);
                let Self {
                    previous,
                    scope,
                    resources,
                    credentials,
                    authorization_details,
                    ..
                } = self;
                // Omitted `authorization_details` (RFC 9396 §7 says the
                // server MUST send them): the narrower ones asked for, or
                // else the previous token's (TokenSet::from_response).
                if response.authorization_details.is_none() && !authorization_details.is_empty() {
                    response.authorization_details = Some(authorization_details);
                }
                // Omitted scope in the response: what was asked for, which
                // without a `scope` parameter is the whole grant (RFC 6749
                // §5.1, §6).
                let requested = match (&scope, &previous.grant_scope) {
                    (Some(asked), _) | (None, Some(asked)) => asked,
                    (None, None) => previous.tokens.scope(),
                };
                let mut tokens = TokenSet::from_response(
                    response,
                    requested,
                    &credentials.tolerances,
                    Some(&previous.tokens),
                    now,
                    binding,
                );
                tokens.resources = resources;
                Ok(previous.refreshed(tokens, scope.is_some(), nonce))
            }
            Err(kind) if self.credentials.take_nonce_demand(&kind, &http) => {
                Err(Failure::fallback(Self::ENDPOINT, kind, self))
            }
            Err(kind) => Err(Failure::new(Self::ENDPOINT, kind, self)),
        }
    }
}

impl fmt::Debug for Refreshing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refreshing")
            .field("previous", &self.previous)
            .field("endpoint", self.endpoint())
            .field("credentials", &self.credentials)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("resources", &self.resources)
            .field("authorization_details", &self.authorization_details)
            .finish()
    }
}

//! Token exchange (RFC 8693): a security token the client holds — a
//! user's access token, an ID token, a JWT from another issuer — traded at
//! the token endpoint for another, for another audience or with less
//! scope (delegation and impersonation, §1.1).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::config::Client;
use crate::error::{CryptoError, EndpointKind, Failure, InvalidValue};
use crate::flow::authorized::Authorized;
use crate::flow::{token_failure, token_response_grant, Credentials, Origin};
use crate::http::{HttpRequest, HttpResponse};
use crate::resource_indicator::{self, ResourceIndicator};
use crate::scope::Scope;
use crate::secret::SecurityToken;
use crate::step::{EndpointStep, RequestContext};
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::exchange::{parse_token_exchange_response, ExchangeResponse, TokenTypeUri};
use crate::wire::form::FormSerializer;

/// `grant_type` of a token exchange (RFC 8693 §2.1).
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// A token exchange request (RFC 8693 §2.1): the `subject_token` and its
/// type, and optionally an `actor_token` (delegation, §1.1), the
/// `requested_token_type`, the `resource`s and `audience`s the new token
/// is for, and a `scope`. Authenticated as every token request of the
/// client (a public client sends its `client_id`), with a DPoP proof when
/// the client has a key.
///
/// ```
/// # use oauth2_pkce::*;
/// use oauth2_pkce::exchange::{Exchanged, SecurityToken, TokenExchange, TokenTypeUri};
/// use oauth2_pkce::resource::ResourceIndicator;
/// # fn run(driver: &Driver<impl Transport>, client: &Client, user_token: &values::AccessToken)
/// #     -> Result<(), Box<dyn std::error::Error>> {
/// // A service trades the user's token for one at the API it calls next.
/// let exchange = TokenExchange::new(
///     client,
///     SecurityToken::new(user_token.secret()),
///     TokenTypeUri::ACCESS_TOKEN,
/// )
/// .resource(ResourceIndicator::new("https://backend.example.com/api")?)?;
/// match driver.run(exchange)? {
///     Exchanged::AccessToken { authorized, .. } => { /* call the API */ }
///     Exchanged::Other { issued_token_type, .. } => {
///         return Err(format!("not an access token: {issued_token_type}").into())
///     }
///     _ => {}
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "the exchange does nothing until its request is sent"]
pub struct TokenExchange {
    origin: Origin,
    credentials: Credentials,
    subject_token: SecurityToken,
    subject_token_type: TokenTypeUri,
    actor: Option<(SecurityToken, TokenTypeUri)>,
    requested_token_type: Option<TokenTypeUri>,
    resources: Vec<ResourceIndicator>,
    audiences: Vec<String>,
    scope: Scope,
}

impl TokenExchange {
    /// An exchange of `subject_token`, of type `subject_token_type`, at
    /// `client`'s token endpoint.
    pub fn new(
        client: &Client,
        subject_token: SecurityToken,
        subject_token_type: TokenTypeUri,
    ) -> Self {
        let (origin, credentials) = Origin::of(client);
        Self {
            origin,
            credentials,
            subject_token,
            subject_token_type,
            actor: None,
            requested_token_type: None,
            resources: Vec::new(),
            audiences: Vec::new(),
            scope: Scope::default(),
        }
    }

    /// The party acting for the subject (delegation, §1.1): its token and
    /// the token's type, sent together (§2.1: `actor_token_type` is
    /// required with `actor_token`, and forbidden without).
    pub fn actor_token(mut self, token: SecurityToken, token_type: TokenTypeUri) -> Self {
        self.actor = Some((token, token_type));
        self
    }

    /// The type of token asked for (`requested_token_type`); without it
    /// the server picks, usually an access token.
    pub fn requested_token_type(mut self, token_type: TokenTypeUri) -> Self {
        self.requested_token_type = Some(token_type);
        self
    }

    /// A resource the new token is for (`resource`, RFC 8693 §2.1, RFC
    /// 8707); may be given several times.
    ///
    /// # Errors
    /// [`InvalidValue::TooManyResources`] past
    /// [`MAX_RESOURCE_INDICATORS`](crate::limits::MAX_RESOURCE_INDICATORS).
    pub fn resource(mut self, resource: ResourceIndicator) -> Result<Self, InvalidValue> {
        resource_indicator::push(&mut self.resources, resource)?;
        Ok(self)
    }

    /// The logical name of a service the new token is for (`audience`,
    /// §2.1), as the server knows it; may be given several times.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// The scope asked for (omitted when empty).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }
}

/// What a token exchange issued (RFC 8693 §2.2.1): an access token, a
/// grant like any other, or another kind of token (`token_type: N_A`).
// Matched once, right where the step returns it: boxing the grant would
// only add an allocation and a deref to every caller's match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum Exchanged {
    /// An access token (`token_type` `Bearer`, or `DPoP` bound to the
    /// client's key): use it at resources, and refresh it when a refresh
    /// token came with it.
    AccessToken {
        /// `issued_token_type`: usually `TokenTypeUri::ACCESS_TOKEN`, or
        /// `JWT` for a JWT access token.
        issued_token_type: TokenTypeUri,
        /// The tokens.
        authorized: Authorized,
    },
    /// A token that is not an access token (`token_type: N_A`): an ID
    /// token, a SAML assertion, a JWT for another server, to hand on.
    Other {
        /// `issued_token_type`.
        issued_token_type: TokenTypeUri,
        /// The token, from the `access_token` member.
        token: SecurityToken,
        /// When it expires, from `expires_in`.
        expires_at: Option<UnixTime>,
    },
}

impl EndpointStep for TokenExchange {
    /// The token issued.
    type Output = Exchanged;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The token request (RFC 8693 §2.1): `grant_type`, `resource`s,
    /// `audience`s, `scope`, `requested_token_type`, `subject_token` and
    /// its type, `actor_token` and its type, and the client
    /// authentication.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append("grant_type", GRANT_TYPE);
        resource_indicator::emit(&self.resources, &mut |name, value| {
            form.append(name, value);
        });
        for audience in &self.audiences {
            form.append("audience", audience);
        }
        self.credentials.append_scope(&mut form, &self.scope);
        if let Some(requested) = &self.requested_token_type {
            form.append("requested_token_type", requested.as_str());
        }
        form.append("subject_token", self.subject_token.secret());
        form.append("subject_token_type", self.subject_token_type.as_str());
        if let Some((token, token_type)) = &self.actor {
            form.append("actor_token", token.secret());
            form.append("actor_token_type", token_type.as_str());
        }
        self.credentials
            .post_proven(&self.origin.token_endpoint, form, context)
    }

    /// Reads the response (RFC 8693 §2.2): `issued_token_type` is
    /// required; an access token is checked as every token response is,
    /// and a DPoP one must be bound to the client's key.
    ///
    /// # Errors
    /// A [`Failure`]; retryable ones give this step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Exchanged, Failure<TokenExchange>> {
        let response = response.into();
        let tolerances = self.credentials.tolerances.clone();
        match parse_token_exchange_response(&response, now, &tolerances) {
            Ok((issued_token_type, ExchangeResponse::AccessToken(tokens))) => {
                let authorized = token_response_grant(
                    self,
                    Ok(tokens),
                    &response,
                    now,
                    |step| &mut step.credentials,
                    |exchange| (exchange.origin, exchange.scope, exchange.resources),
                )?;
                Ok(Exchanged::AccessToken {
                    issued_token_type,
                    authorized,
                })
            }
            Ok((issued_token_type, ExchangeResponse::Other { token, expires_in })) => {
                Ok(Exchanged::Other {
                    issued_token_type,
                    token,
                    expires_at: expires_in
                        .map(|secs| now.saturating_add(core::time::Duration::from_secs(secs))),
                })
            }
            Err(kind) => Err(token_failure(self, kind, &response, |step| {
                &mut step.credentials
            })),
        }
    }
}

impl fmt::Debug for TokenExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let audiences: Vec<UntrustedText> = self
            .audiences
            .iter()
            .map(|audience| UntrustedText::from(audience.as_str()))
            .collect();
        f.debug_struct("TokenExchange")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("subject_token", &self.subject_token)
            .field("subject_token_type", &self.subject_token_type)
            .field("actor", &self.actor)
            .field("requested_token_type", &self.requested_token_type)
            .field("resources", &self.resources)
            .field("audiences", &audiences)
            .field("scope", &self.scope)
            .finish()
    }
}

//! Token introspection (RFC 7662): a protected resource asks the
//! authorization server whether a token is active, and what it allows.

use core::fmt;

use crate::config::{Client, ClientAuthentication};
use crate::endpoint::Endpoint;
use crate::error::CryptoError;
use crate::error::{ApiMisuse, EndpointKind, Failure};
use crate::flow::revocation::TokenTypeHint;
use crate::flow::{Credentials, Origin};
use crate::http::{HttpRequest, HttpResponse};
use crate::secret::IntrospectedToken;
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;
use crate::wire::introspection::{parse_introspection_response, IntrospectionResponse};

/// An introspection request (RFC 7662 §2.1): `token`, an optional
/// `token_type_hint` and the client authentication, form-encoded,
/// `POST`ed to the `introspection_endpoint` of the client's server.
///
/// An [`EndpointStep`]: its output is the [`IntrospectionResponse`], where
/// an inactive token is an answer, not an error.
///
/// ```
/// # use oauth2_pkce::*;
/// # use oauth2_pkce::values::{HttpResponse, TokenTypeHint};
/// use oauth2_pkce::resource::{IntrospectedToken, Introspection};
/// # let metadata = ServerMetadata::new("https://as.example", "https://as.example/authorize", "https://as.example/token")
/// #     .with_introspection_endpoint("https://as.example/introspect");
/// # let client = Client::new(metadata, ClientId::new("api")?, ClientAuthentication::ClientSecretBasic(ClientSecret::new("s")))?;
/// let introspection = Introspection::new(&client, IntrospectedToken::new("mF_9.B5f-4.1JqM"))?
///     .token_type_hint(TokenTypeHint::AccessToken);
/// # let response = HttpResponse::new(200, br#"{"active":true,"scope":"read","aud":"https://api.example"}"#);
/// let answer = introspection.handle_response(response, UnixTime::from_secs(1_700_000_000))?;
/// let read = Scope::parse("read")?;
/// assert!(answer.allows(UnixTime::from_secs(1_700_000_000), Some("https://api.example"), &read));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "an introspection does nothing until its request is sent"]
pub struct Introspection {
    endpoint: Endpoint,
    credentials: Credentials,
    token: IntrospectedToken,
    hint: Option<TokenTypeHint>,
}

impl Introspection {
    /// Asks `client`'s server about `token`.
    ///
    /// # Errors
    /// [`ApiMisuse::NoEndpoint`] when the metadata
    /// names none; [`ApiMisuse::PublicClient`] for a client
    /// without a secret; [`ApiMisuse::AuthenticationMethodNotSupported`]
    /// when the server lists its introspection authentication methods and
    /// the client's is not among them.
    pub fn new(client: &Client, token: IntrospectedToken) -> Result<Self, ApiMisuse> {
        let endpoint = client
            .introspection_endpoint
            .clone()
            .ok_or(ApiMisuse::NoEndpoint(EndpointKind::Introspection))?;
        if matches!(client.authentication, ClientAuthentication::None) {
            return Err(ApiMisuse::PublicClient);
        }
        let method = client.authentication.method_name();
        if let Some(methods) = &client
            .metadata
            .introspection_endpoint_auth_methods_supported
        {
            if !methods.iter().any(|listed| listed == method) {
                return Err(ApiMisuse::AuthenticationMethodNotSupported {
                    endpoint: EndpointKind::Introspection,
                    method,
                });
            }
        }
        Ok(Self {
            endpoint,
            credentials: Origin::of(client).1,
            token,
            hint: None,
        })
    }

    /// Sends `token_type_hint` (RFC 7662 §2.1): where the server should
    /// look first. It searches the other kinds too.
    pub fn token_type_hint(mut self, hint: TokenTypeHint) -> Self {
        self.hint = Some(hint);
        self
    }
}

impl EndpointStep for Introspection {
    /// What the server says about the token.
    type Output = IntrospectionResponse;

    const ENDPOINT: EndpointKind = EndpointKind::Introspection;

    /// The introspection request (RFC 7662 §2.1).
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append("token", self.token.secret());
        if let Some(hint) = self.hint {
            form.append("token_type_hint", hint.as_str());
        }
        self.credentials.post(&self.endpoint, form, context)
    }

    /// Consumes the introspection endpoint's answer (RFC 7662 §2.2).
    ///
    /// # Errors
    /// A [`Failure`]: 401 or `invalid_client` when the server refused the
    /// client's credentials (§2.3); a body without a boolean `active` is
    /// malformed; 429 and 5xx give this step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<IntrospectionResponse, Failure<Introspection>> {
        parse_introspection_response(&response.into(), now)
            .map_err(|kind| Failure::new(Self::ENDPOINT, kind, self))
    }
}

impl fmt::Debug for Introspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspection")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("token", &self.token)
            .field("hint", &self.hint)
            .finish()
    }
}

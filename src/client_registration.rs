//! Dynamic client registration (RFC 7591): a client registers itself at
//! the authorization server and gets its `client_id` (and maybe a secret).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;
use url::Url;

use crate::config::{Client, ClientAuthentication, ClientId, Endpoints, ServerMetadata};
use crate::endpoint::{is_loopback_host, Endpoint, RedirectUri};
use crate::error::ConfigError;
use crate::error::CryptoError;
use crate::error::InvalidValue;
use crate::error::{EndpointErrorKind, EndpointKind, Failure};
use crate::http::{HttpRequest, HttpResponse};
use crate::members::ExtraMembers;
use crate::scope::Scope;
use crate::secret::{AccessToken, ClientSecret};
use crate::step::{EndpointStep, RequestContext};
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::token::{success_members, take_string, Members};

/// How the registered client authenticates at the token endpoint
/// (`token_endpoint_auth_method`, RFC 7591 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenEndpointAuthMethod {
    /// `none`: a public client, such as a native app (RFC 8252 §8.4).
    None,
    /// `client_secret_basic`.
    ClientSecretBasic,
    /// `client_secret_post`.
    ClientSecretPost,
}

impl TokenEndpointAuthMethod {
    /// The RFC 7591 name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
        }
    }

    fn from_wire(name: &str) -> Option<Self> {
        [Self::None, Self::ClientSecretBasic, Self::ClientSecretPost]
            .into_iter()
            .find(|method| method.as_str() == name)
    }
}

/// The metadata a client registers with (RFC 7591 §2): its redirect URIs,
/// grant types, authentication method, name and scope.
///
/// By default a public client (`none`) of the authorization code grant
/// with refresh tokens (`grant_types`: `authorization_code`,
/// `refresh_token`; `response_types`: `code`). `application_type`
/// (OpenID Connect Registration 1.0 §2) is `native` when no redirect URI
/// is `https` — loopback and private-use redirects are a native app's
/// (RFC 8252 §7) — and `web` otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientMetadata {
    redirect_uris: Vec<RedirectUri>,
    method: TokenEndpointAuthMethod,
    grant_types: Vec<&'static str>,
    client_name: Option<String>,
    scope: Option<Scope>,
    /// RFC 9396 §10.
    authorization_details_types: Vec<String>,
}

impl ClientMetadata {
    /// A public client with one redirect URI.
    #[must_use]
    pub fn new(redirect_uri: RedirectUri) -> Self {
        Self {
            redirect_uris: alloc::vec![redirect_uri],
            method: TokenEndpointAuthMethod::None,
            grant_types: alloc::vec!["authorization_code", "refresh_token"],
            client_name: None,
            scope: None,
            authorization_details_types: Vec::new(),
        }
    }

    /// Another redirect URI; the first is the registered client's default.
    #[must_use]
    pub fn redirect_uri(mut self, redirect_uri: RedirectUri) -> Self {
        if !self.redirect_uris.contains(&redirect_uri) {
            self.redirect_uris.push(redirect_uri);
        }
        self
    }

    /// The token endpoint authentication method to ask for.
    #[must_use]
    pub fn token_endpoint_auth_method(mut self, method: TokenEndpointAuthMethod) -> Self {
        self.method = method;
        self
    }

    /// The client's name, shown to the user on the consent screen.
    #[must_use]
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// The scope the client may ask for (RFC 7591 §2 `scope`).
    #[must_use]
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// An authorization details `type` the client will ask for (RFC 9396
    /// §10 `authorization_details_types`); call once per type.
    #[must_use]
    pub fn authorization_details_type(mut self, detail_type: impl Into<String>) -> Self {
        self.authorization_details_types.push(detail_type.into());
        self
    }

    /// Registers for the authorization code grant only, without refresh
    /// tokens.
    #[must_use]
    pub fn without_refresh_tokens(mut self) -> Self {
        self.grant_types = alloc::vec!["authorization_code"];
        self
    }

    /// `native` unless a redirect URI is `https`.
    fn application_type(&self) -> &'static str {
        let web = self.redirect_uris.iter().any(|uri| {
            Url::parse(uri.as_str()).is_ok_and(|url| {
                url.scheme() == "https"
                    || (url.scheme() == "http" && !url.host_str().is_some_and(is_loopback_host))
            })
        });
        if web {
            "web"
        } else {
            "native"
        }
    }

    fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Wire<'a> {
            redirect_uris: Vec<&'a str>,
            token_endpoint_auth_method: &'static str,
            grant_types: &'a [&'static str],
            response_types: [&'static str; 1],
            application_type: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            client_name: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            scope: Option<String>,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            authorization_details_types: &'a [String],
        }
        let wire = Wire {
            redirect_uris: self.redirect_uris.iter().map(RedirectUri::as_str).collect(),
            token_endpoint_auth_method: self.method.as_str(),
            grant_types: &self.grant_types,
            response_types: ["code"],
            application_type: self.application_type(),
            client_name: self.client_name.as_deref(),
            scope: self.scope.as_ref().map(alloc::string::ToString::to_string),
            authorization_details_types: &self.authorization_details_types,
        };
        // Strings and arrays of strings always serialize.
        serde_json::to_string(&wire).unwrap_or_default()
    }
}

/// A client registration request on its way to the server's
/// `registration_endpoint` (RFC 7591 §3.1): an [`EndpointStep`] whose
/// output is the [`RegisteredClient`].
///
/// ```
/// # use oauth2_pkce::*;
/// use oauth2_pkce::registration::{ClientMetadata, Registration};
/// let mut metadata = ServerMetadata::new(
///     "https://as.example",
///     "https://as.example/authorize",
///     "https://as.example/token",
/// );
/// metadata.registration_endpoint = Some("https://as.example/register".into());
/// let request = ClientMetadata::new(RedirectUri::new("http://127.0.0.1:53127/cb")?)
///     .client_name("My CLI");
/// let registration = Registration::new(metadata, request)?;
/// let http = registration.request(&RequestContext::new(UnixTime::now(), [0; 32]))?;
/// assert_eq!(http.uri(), "https://as.example/register");
/// // send it, then: let client = registration.handle_response(&response, now)?.into_client()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document:
/// the `client_id` is an https URL the server fetches the client's
/// metadata from) are not offered yet: the client side needs no more than
/// a URL-shaped [`ClientId`], which [`ClientId::new`] already takes, and
/// the draft is still changing.
#[must_use = "a registration does nothing until its request is sent"]
#[derive(Clone)]
pub struct Registration {
    endpoint: Endpoint,
    metadata: ServerMetadata,
    client: ClientMetadata,
    initial_access_token: Option<AccessToken>,
}

impl Registration {
    /// A registration of `client` at the server `metadata` describes
    /// (validated as [`Client::new`] does).
    ///
    /// # Errors
    /// [`ConfigError::InvalidEndpoint`] when an endpoint of the metadata
    /// is not acceptable, or when it has no `registration_endpoint`
    /// ([`InvalidValue::NotAbsoluteUrl`]).
    pub fn new(metadata: ServerMetadata, client: ClientMetadata) -> Result<Self, ConfigError> {
        let endpoints = Endpoints::of(&metadata)
            .map_err(|(member, problem)| ConfigError::InvalidEndpoint { member, problem })?;
        let endpoint = endpoints.registration.ok_or(ConfigError::InvalidEndpoint {
            member: "registration_endpoint",
            problem: InvalidValue::NotAbsoluteUrl,
        })?;
        Ok(Self {
            endpoint,
            metadata,
            client,
            initial_access_token: None,
        })
    }

    /// Sends an initial access token (RFC 7591 §3), for a server that
    /// only takes registrations it authorized.
    pub fn with_initial_access_token(mut self, token: AccessToken) -> Self {
        self.initial_access_token = Some(token);
        self
    }

    fn check(self, mut members: Members) -> Result<RegisteredClient, EndpointErrorKind> {
        let client_id = take_string(&mut members, "client_id")?
            .ok_or(EndpointErrorKind::MissingMember("client_id"))?;
        let client_id =
            ClientId::new(client_id).map_err(|_| EndpointErrorKind::InvalidMember("client_id"))?;
        let client_secret = take_string(&mut members, "client_secret")?
            .filter(|secret| !secret.is_empty())
            .map(ClientSecret::new);
        // RFC 7591 §3.2.1: 0 means the secret does not expire.
        let expires_at = match members.take("client_secret_expires_at") {
            None => None,
            Some(value) => match value.as_u64() {
                Some(0) => None,
                Some(seconds) => Some(UnixTime::from_secs(seconds)),
                None => return Err(EndpointErrorKind::InvalidMember("client_secret_expires_at")),
            },
        };
        let method = match take_string(&mut members, "token_endpoint_auth_method")? {
            None => self.client.method,
            Some(name) => TokenEndpointAuthMethod::from_wire(&name).ok_or(
                EndpointErrorKind::InvalidMember("token_endpoint_auth_method"),
            )?,
        };
        if method != TokenEndpointAuthMethod::None && client_secret.is_none() {
            return Err(EndpointErrorKind::MissingMember("client_secret"));
        }
        // The server may change what was asked for; the redirect URI the
        // client will use must still be registered.
        let redirect_uri = self
            .client
            .redirect_uris
            .first()
            .cloned()
            .ok_or(EndpointErrorKind::MissingMember("redirect_uris"))?;
        if let Some(listed) = members.take("redirect_uris") {
            let listed = listed
                .as_array()
                .ok_or(EndpointErrorKind::InvalidMember("redirect_uris"))?;
            if !listed
                .iter()
                .any(|uri| uri.as_str() == Some(redirect_uri.as_str()))
            {
                return Err(EndpointErrorKind::InvalidMember("redirect_uris"));
            }
        }
        Ok(RegisteredClient {
            metadata: self.metadata,
            client_id,
            client_secret,
            client_secret_expires_at: expires_at,
            method,
            redirect_uri,
            extra: members.into_extra(),
        })
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("endpoint", &self.endpoint)
            .field("client", &self.client)
            .field("initial_access_token", &self.initial_access_token)
            .finish_non_exhaustive()
    }
}

impl EndpointStep for Registration {
    /// The registered client.
    type Output = RegisteredClient;

    const ENDPOINT: EndpointKind = EndpointKind::Registration;

    /// The registration request: the client metadata as JSON, `POST`ed to
    /// the `registration_endpoint` (RFC 7591 §3.1), with the initial
    /// access token as `Bearer` when there is one.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let _ = context; // nothing is signed
        let authorization = self
            .initial_access_token
            .as_ref()
            .map(|token| alloc::format!("Bearer {}", token.secret()));
        Ok(HttpRequest::json_post(
            self.endpoint.clone(),
            self.client.to_json(),
            authorization,
        ))
    }

    /// Reads the registration response (RFC 7591 §3.2.1).
    ///
    /// # Errors
    /// A [`Failure`]; 429 and 5xx give the step back.
    /// `invalid_redirect_uri` and `invalid_client_metadata` (§3.2.2) are
    /// [`TokenErrorCode`](crate::errors::TokenErrorCode)s. A response without a
    /// usable `client_id`, with an authentication method this crate does
    /// not do, without the secret its method needs, or that does not
    /// register the redirect URI asked for first is
    /// an [`EndpointErrorKind`] for which
    /// [`is_malformed_response`](EndpointErrorKind::is_malformed_response)
    /// holds.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<RegisteredClient, Failure<Registration>> {
        let response = response.into();
        let members = match success_members(&response, now) {
            Ok(members) => members,
            Err(kind) => return Err(Failure::new(Self::ENDPOINT, kind, self)),
        };
        let copy = self.clone();
        self.check(members)
            .map_err(|problem| Failure::new(Self::ENDPOINT, problem, copy))
    }
}

/// A client the server registered (RFC 7591 §3.2.1): its `client_id`, its
/// secret when it has one, and the server it belongs to.
/// [`into_client`](Self::into_client) makes it a [`Client`].
///
/// Keep its `client_id` (and secret, encrypted) to use the registration
/// again rather than registering at every start: a client registered
/// beforehand is [`Client::new`] with them.
#[derive(Clone)]
pub struct RegisteredClient {
    metadata: ServerMetadata,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    client_secret_expires_at: Option<UnixTime>,
    method: TokenEndpointAuthMethod,
    redirect_uri: RedirectUri,
    extra: ExtraMembers,
}

impl RegisteredClient {
    /// The `client_id`.
    #[must_use]
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The client secret, for a confidential registration.
    #[must_use]
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }

    /// When the secret expires (`client_secret_expires_at`); `None` when
    /// it does not (0, or absent).
    #[must_use]
    pub fn client_secret_expires_at(&self) -> Option<UnixTime> {
        self.client_secret_expires_at
    }

    /// The authentication method the server registered.
    #[must_use]
    pub fn token_endpoint_auth_method(&self) -> TokenEndpointAuthMethod {
        self.method
    }

    /// The response's other members, as sent (`client_id_issued_at`,
    /// `registration_access_token`, the metadata echoed back). Values may
    /// be secret.
    #[must_use]
    pub fn extra(&self) -> &ExtraMembers {
        &self.extra
    }

    /// The client, for the server it registered with, with the first
    /// redirect URI registered as its default.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn into_client(self) -> Result<Client, ConfigError> {
        let authentication = match (self.method, self.client_secret) {
            (TokenEndpointAuthMethod::ClientSecretBasic, Some(secret)) => {
                ClientAuthentication::ClientSecretBasic(secret)
            }
            (TokenEndpointAuthMethod::ClientSecretPost, Some(secret)) => {
                ClientAuthentication::ClientSecretPost(secret)
            }
            _ => ClientAuthentication::None,
        };
        Ok(Client::new(self.metadata, self.client_id, authentication)?
            .with_redirect_uri(self.redirect_uri))
    }
}

impl fmt::Debug for RegisteredClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredClient")
            .field(
                "issuer",
                &UntrustedText::from(self.metadata.issuer.as_str()),
            )
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("client_secret_expires_at", &self.client_secret_expires_at)
            .field("token_endpoint_auth_method", &self.method)
            .field("redirect_uri", &self.redirect_uri)
            .field("extra", &self.extra)
            .finish()
    }
}

//! One call for a resource-aware client's whole authorization chain (the
//! Model Context Protocol's): from a resource URL to a token for it.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use super::{DriveError, Driver, Transport};
use crate::client_registration::{ClientMetadata, Registration};
use crate::config::{Client, ClientAuthentication, ClientId};
use crate::endpoint::{Endpoint, RedirectUri};
use crate::error::{
    CallbackError, ConfigError, CryptoError, EndpointError, EndpointKind, ResourceError,
    TokenErrorCode,
};
use crate::flow::{Authorized, FlowEntropy, Start};
use crate::http::RequestBody;
use crate::resource_discovery::{ResourceDiscovery, ResourceMetadata};
use crate::wire::callback::Callback;
use crate::wire::challenge::{BearerChallenge, DpopChallenge};

/// Who the client is for [`Driver::access_resource`]: the redirect URI the
/// browser comes back to, and either a registration made on the way
/// (RFC 7591, the default) or a client the authorization server already
/// knows ([`with_client`](Self::with_client)).
#[derive(Clone, Debug)]
pub struct ResourceLogin {
    redirect_uri: RedirectUri,
    client_name: Option<String>,
    client: Option<(ClientId, ClientAuthentication)>,
}

impl ResourceLogin {
    /// A login coming back to `redirect_uri`, registering a public client
    /// for it.
    #[must_use]
    pub fn new(redirect_uri: RedirectUri) -> Self {
        Self {
            redirect_uri,
            client_name: None,
            client: None,
        }
    }

    /// The name to register the client with.
    #[must_use]
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// Uses a client registered beforehand instead of registering one.
    #[must_use]
    pub fn with_client(
        mut self,
        client_id: ClientId,
        authentication: ClientAuthentication,
    ) -> Self {
        self.client = Some((client_id, authentication));
        self
    }
}

/// What [`Driver::access_resource`] ends with.
#[derive(Debug)]
#[non_exhaustive]
pub struct ResourceAccess<B = Vec<u8>> {
    /// The resource's checked metadata.
    pub metadata: ResourceMetadata,
    /// The client: registered on the way, or the one given.
    pub client: Client,
    /// The tokens, for the resource (RFC 8707).
    pub authorized: Authorized,
    /// The resource's answer to the retried request.
    pub response: http::Response<B>,
}

/// Why [`Driver::access_resource`] stopped, at which hop.
///
/// [`endpoint`](Self::endpoint), [`code`](Self::code),
/// [`is_retryable`](Self::is_retryable) and
/// [`retry_after`](Self::retry_after) answer in one call, as
/// [`EndpointError`]'s do.
#[derive(Debug)]
#[non_exhaustive]
pub enum ChainError<E> {
    /// The transport failed.
    Transport(E),
    /// An endpoint answered with a failure — the resource's metadata, the
    /// authorization server's, the registration or the token endpoint
    /// ([`EndpointError::endpoint`]) — or a document that must not be used
    /// (a resource or issuer mismatch, no S256).
    Endpoint(EndpointError),
    /// The resource URL, the metadata URL of its challenge or the
    /// authorization server's configuration is not acceptable, or the
    /// login could not begin.
    Config(ConfigError),
    /// The resource did not answer `401` with a Bearer or DPoP challenge:
    /// it wants no token, or does not say how to get one.
    NotProtected {
        /// Its HTTP status.
        status: u16,
    },
    /// The resource's `WWW-Authenticate` header could not be read, or the
    /// token cannot be sent to the resource.
    Resource(ResourceError),
    /// The resource's metadata names no authorization server.
    NoAuthorizationServer,
    /// The resource only takes DPoP-bound tokens
    /// (`dpop_bound_access_tokens_required`): run the steps one by one
    /// with a DPoP client ([`Client::with_dpop`]).
    DpopRequired,
    /// The browser function failed (the user never came back, or the
    /// callback could not be read).
    Browser(Box<dyn core::error::Error + Send + Sync>),
    /// The callback was refused (the user said no, or it was forged).
    Callback(CallbackError),
    /// A request could not be built: a signing key failed, or there was
    /// no randomness for the login or a request. Nothing was sent.
    Crypto(CryptoError),
}

impl<E> ChainError<E> {
    /// The endpoint that answered, when one did
    /// ([`Endpoint`](Self::Endpoint)).
    #[must_use]
    pub fn endpoint(&self) -> Option<EndpointKind> {
        self.endpoint_error().map(EndpointError::endpoint)
    }

    /// The OAuth `error` code, when an endpoint answered with one
    /// ([`EndpointError::code`]).
    #[must_use]
    pub fn code(&self) -> Option<&TokenErrorCode> {
        self.endpoint_error().and_then(EndpointError::code)
    }

    /// Whether sending the same request again, later, may succeed — the
    /// meaning of [`EndpointError::is_retryable`]: the transport failed,
    /// or an endpoint's answer is retryable. Run the chain again then.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Endpoint(error) => error.is_retryable(),
            _ => false,
        }
    }

    /// How long the server asked to wait before a retry, when it said
    /// ([`EndpointError::retry_after`]).
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.endpoint_error().and_then(EndpointError::retry_after)
    }

    fn endpoint_error(&self) -> Option<&EndpointError> {
        match self {
            Self::Endpoint(error) => Some(error),
            _ => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for ChainError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(error) => write!(f, "a request could not be sent: {error}"),
            Self::Endpoint(error) => fmt::Display::fmt(error, f),
            Self::Config(error) => fmt::Display::fmt(error, f),
            Self::NotProtected { status } => write!(
                f,
                "the resource answered HTTP {status}, not 401 with a Bearer or DPoP challenge"
            ),
            Self::Resource(error) => fmt::Display::fmt(error, f),
            Self::NoAuthorizationServer => {
                f.write_str("the resource's metadata names no authorization server")
            }
            Self::DpopRequired => f.write_str("the resource only takes DPoP-bound tokens"),
            Self::Browser(error) => write!(f, "the browser step failed: {error}"),
            Self::Callback(error) => fmt::Display::fmt(error, f),
            Self::Crypto(error) => fmt::Display::fmt(error, f),
        }
    }
}

/// `Display` prints the inner error's message, so `source()` skips it: the
/// transport's or the browser function's own cause comes next, and nothing
/// else.
impl<E: core::error::Error> core::error::Error for ChainError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Transport(error) => error.source(),
            Self::Browser(error) => error.source(),
            _ => None,
        }
    }
}

impl<S, E> From<DriveError<S, E>> for ChainError<E> {
    fn from(error: DriveError<S, E>) -> Self {
        match error {
            DriveError::Transport { error, .. } => Self::Transport(error),
            DriveError::Endpoint { error, .. } => Self::Endpoint(error),
            DriveError::Crypto { error, .. } => Self::Crypto(error),
        }
    }
}

impl<T: Transport> Driver<T> {
    /// A resource-aware client's whole chain in one call, for a resource
    /// URL and a browser:
    ///
    /// 1. `GET resource_url` without a token; it must answer `401` with a
    ///    Bearer (or DPoP) challenge (RFC 6750 §3, RFC 9728 §5.1);
    /// 2. the resource's metadata, from the challenge's
    ///    `resource_metadata` or the well-known URL, naming exactly
    ///    `resource_url` ([`ResourceDiscovery::from_challenge`], §3.3);
    /// 3. its first authorization server's metadata, naming exactly that
    ///    issuer and offering S256 ([`Discovery`](crate::Discovery));
    /// 4. a registration (RFC 7591), unless
    ///    [`ResourceLogin::with_client`] names a client;
    /// 5. the login, PKCE S256, asking for the challenge's scope (else the
    ///    resource's `scopes_supported`) and for the resource (RFC 8707),
    ///    pushed when the server offers it: `browser` takes the user to
    ///    the authorization URL and returns the callback that came back
    ///    (a [`LoopbackRedirect`](crate::loopback::LoopbackRedirect)'s `wait`, or
    ///    [`Callback::from_url`]);
    /// 6. the code exchange, and the `GET` again with the token.
    ///
    /// Every URL on the way must be https (http on loopback). Keep the
    /// [`ResourceAccess`]'s client and tokens: the next call needs no
    /// chain, and [`StepUp`](crate::resource::StepUp) handles a later
    /// `insufficient_scope`.
    ///
    /// # Errors
    /// [`ChainError`], naming the hop.
    pub fn access_resource(
        &self,
        resource_url: &str,
        login: ResourceLogin,
        browser: impl FnOnce(&str) -> Result<Callback, Box<dyn core::error::Error + Send + Sync>>,
    ) -> Result<ResourceAccess, ChainError<T::Error>> {
        let target = Endpoint::parse(resource_url).map_err(|problem| {
            ChainError::Config(ConfigError::InvalidEndpoint {
                member: "resource",
                problem,
            })
        })?;
        let bare = http::Request::get(target.http_uri().clone())
            .body(RequestBody::default())
            .map_err(|_| {
                ChainError::Config(ConfigError::InvalidEndpoint {
                    member: "resource",
                    problem: crate::error::InvalidValue::NotHttpUri,
                })
            })?;
        let response = self
            .transport
            .send(bare.clone())
            .map_err(ChainError::Transport)?;
        let challenge = challenge_of(&response)?;

        let discovery = ResourceDiscovery::from_challenge(resource_url, &challenge)
            .map_err(ChainError::Config)?;
        let metadata = self.run(discovery)?;
        if metadata.dpop_bound_access_tokens_required() {
            return Err(ChainError::DpopRequired);
        }
        let server = metadata
            .authorization_server_discovery()
            .ok_or(ChainError::NoAuthorizationServer)?;
        let server = self.run(server)?;

        let client = match login.client {
            Some((client_id, authentication)) => Client::new(server, client_id, authentication)
                .map_err(ChainError::Config)?
                .with_redirect_uri(login.redirect_uri),
            None => {
                let mut request = ClientMetadata::new(login.redirect_uri);
                if let Some(name) = login.client_name {
                    request = request.client_name(name);
                }
                let registration =
                    Registration::new(server, request).map_err(ChainError::Config)?;
                self.run(registration)?
                    .into_client()
                    .map_err(ChainError::Config)?
            }
        };

        let authorization = Start::new(&client)
            .scope(metadata.scope_for(challenge.scope()))
            .resource(metadata.resource().clone())
            .authorize(self.flow_entropy()?, (self.clock)())
            .map_err(ChainError::Config)?;
        let (request, pending) = self.authorize(authorization)?;
        let callback = browser(request.url()).map_err(ChainError::Browser)?;
        let exchanging = pending
            .handle_callback(&client, callback)
            .map_err(ChainError::Callback)?;
        let mut authorized = self.run(exchanging)?;

        let response = self.request_resource(&client, &mut authorized, bare)?;
        Ok(ResourceAccess {
            metadata,
            client,
            authorized,
            response,
        })
    }
}

impl<T> Driver<T> {
    /// A login's randomness, from the driver's source.
    fn flow_entropy<E>(&self) -> Result<FlowEntropy, ChainError<E>> {
        let verifier = (self.entropy)().map_err(ChainError::Crypto)?;
        let state = (self.entropy)().map_err(ChainError::Crypto)?;
        let mut bytes = [0; 64];
        for (slot, byte) in bytes.iter_mut().zip(verifier.into_iter().chain(state)) {
            *slot = byte;
        }
        Ok(FlowEntropy::from_bytes(bytes))
    }
}

/// The challenge of a resource's first answer: a `401` with a Bearer
/// challenge, or a DPoP one (whose parameters are the same).
fn challenge_of<B: AsRef<[u8]>, E>(
    response: &http::Response<B>,
) -> Result<BearerChallenge, ChainError<E>> {
    let status = response.status().as_u16();
    if status != 401 {
        return Err(ChainError::NotProtected { status });
    }
    if let Some(challenge) =
        BearerChallenge::from_response(response).map_err(ChainError::Resource)?
    {
        return Ok(challenge);
    }
    DpopChallenge::from_response(response)
        .map_err(ChainError::Resource)?
        .map(|challenge| challenge.as_bearer().clone())
        .ok_or(ChainError::NotProtected { status })
}

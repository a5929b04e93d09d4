//! One error type per operation. Every variant says what the caller should
//! do; none carries a secret, in `Debug` or in `Display`.

use core::fmt;

use crate::text::UntrustedText;

pub(crate) mod codes;
mod endpoint;
mod leaf;
#[cfg(all(test, feature = "http"))]
mod tests;

pub use codes::{AuthorizationErrorCode, BearerErrorCode, ErrorResponse, TokenErrorCode};
pub use endpoint::{
    EndpointError, EndpointErrorKind, EndpointKind, Failure, MetadataProblem, ResponseProblem,
};
pub use leaf::{FormError, SigningError};

/// Why [`Start::begin`](crate::Start::begin) built no authorization request.
/// Each is a mistake in how the flow was set up: fix it and start again.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartError {
    /// An extra parameter uses a name the crate sets itself (such as
    /// `state` or `code_challenge`); drop it.
    ReservedParameter(UntrustedText),
    /// An extra parameter was given twice, or is already in the
    /// authorization endpoint's own query (RFC 6749 §3.1).
    RepeatedParameter(UntrustedText),
    /// The server's `code_challenge_methods_supported` does not list `S256`.
    /// The crate never downgrades to `plain` by itself; see
    /// [`Start::dangerous_use_plain_pkce`](crate::Start::dangerous_use_plain_pkce).
    S256NotSupported,
    /// The server (its metadata) or the client's registration
    /// ([`Client::require_pushed_authorization_requests`](crate::Client::require_pushed_authorization_requests))
    /// requires pushed authorization requests (RFC 9126), so a plain
    /// authorization URL would be refused: use
    /// [`Start::push`](crate::Start::push).
    PushedAuthorizationRequired,
    /// Neither the flow ([`Start::redirect_uri`](crate::Start::redirect_uri))
    /// nor the client ([`Client::with_redirect_uri`](crate::Client::with_redirect_uri))
    /// names a redirect URI: a login needs one (RFC 6749 §3.1.2).
    NoRedirectUri,
    /// [`Start::push`](crate::Start::push) was called, but the metadata has
    /// no `pushed_authorization_request_endpoint` (RFC 9126 §5): use
    /// [`Start::begin`](crate::Start::begin).
    NoPushedAuthorizationEndpoint,
    /// More `resource` indicators (RFC 8707 §2) than one request carries.
    InvalidResource(crate::resource::InvalidResource),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReservedParameter(name) => {
                write!(
                    f,
                    "`{name}` is set by the flow itself and cannot be given as an extra parameter"
                )
            }
            Self::RepeatedParameter(name) => {
                write!(
                    f,
                    "the authorization request parameter `{name}` would appear more than once"
                )
            }
            Self::S256NotSupported => {
                f.write_str("the server does not list S256 in code_challenge_methods_supported")
            }
            Self::PushedAuthorizationRequired => {
                f.write_str("the server requires pushed authorization requests (RFC 9126)")
            }
            Self::NoRedirectUri => f.write_str("the login has no redirect URI"),
            Self::NoPushedAuthorizationEndpoint => {
                f.write_str("the server has no pushed authorization request endpoint")
            }
            Self::InvalidResource(problem) => write!(f, "{problem}"),
        }
    }
}

impl core::error::Error for StartError {}

/// Why a callback was refused
/// ([`AwaitingCallback::handle_callback`](crate::AwaitingCallback::handle_callback)
/// and the [`Callback`](crate::Callback) parsers).
///
/// Except for [`Authorization`](Self::Authorization), every variant means
/// the request at the redirect URI did not come from this flow's
/// authorization server as it should: show a generic error, discard the
/// pending flow and let the user start a new login.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// The string given as the callback URL is not an absolute URL.
    NotAUrl,
    /// Not a `GET` with a query, nor a form-encoded `POST`.
    UnsupportedRequest,
    /// Broken percent-encoding or bytes that are not UTF-8.
    Malformed(FormError),
    /// The callback or one of its parameters is over its cap
    /// ([`MAX_CALLBACK_BYTES`](crate::limits::MAX_CALLBACK_BYTES),
    /// [`MAX_PARAMETER_BYTES`](crate::limits::MAX_PARAMETER_BYTES)):
    /// refused before it is decoded.
    TooLarge {
        /// The cap that was exceeded, in bytes.
        limit: usize,
    },
    /// The callback has more than
    /// [`MAX_CALLBACK_PARAMETERS`](crate::limits::MAX_CALLBACK_PARAMETERS)
    /// parameters: refused before they are decoded.
    TooManyParameters {
        /// The cap.
        limit: usize,
    },
    /// A parameter appears more than once (RFC 6749 §3.1): refused before
    /// anything else is looked at. The name as received.
    RepeatedParameter(UntrustedText),
    /// The server declares `authorization_response_iss_parameter_supported`
    /// but the response has no `iss` (RFC 9207 §2.4): a possible mix-up
    /// attack.
    MissingIssuer,
    /// `iss` is not this flow's issuer (RFC 9207 §2.4): the response comes
    /// from another authorization server, a possible mix-up attack.
    IssuerMismatch {
        /// The `iss` received (not secret; attacker-controlled text).
        received: UntrustedText,
    },
    /// No `state`: not a response to this flow.
    MissingState,
    /// `state` is not this flow's (RFC 6749 §10.12): a possible CSRF
    /// attack, or a stale tab. The value is never shown.
    StateMismatch,
    /// The response carries `access_token`, `id_token` or `token`, which
    /// only an implicit or hybrid response has: this client asked for
    /// `response_type=code` alone, so a misconfigured or mixed-up server, or
    /// an injection attempt, is answering (RFC 9700 §2.1.2). Nothing in it
    /// is used.
    UnrequestedResponseType {
        /// The parameter that should not be there.
        parameter: &'static str,
    },
    /// The `error` code has characters outside RFC 6749 §4.1.2.1's set
    /// (`%x20-21 / %x23-5B / %x5D-7E`): not an error response a server
    /// may send.
    InvalidErrorCode,
    /// The server answered with an error (RFC 6749 §4.1.2.1), after `state`
    /// and `iss` were checked. `access_denied` means the user said no.
    Authorization(ErrorResponse<AuthorizationErrorCode>),
    /// A success response without a `code`.
    MissingCode,
    /// The [`Client`](crate::Client) passed in is not the one that started
    /// this flow (another issuer or another `client_id`): nothing was sent
    /// and no credential of it was used. Pass the client of the flow's
    /// issuer.
    ClientMismatch,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAUrl => f.write_str("the callback is not an absolute URL"),
            Self::UnsupportedRequest => {
                f.write_str("the callback is neither a GET nor a form-encoded POST")
            }
            Self::Malformed(error) => write!(f, "the callback parameters are malformed: {error}"),
            Self::TooLarge { limit } => {
                write!(f, "the callback is over its size cap of {limit} bytes")
            }
            Self::TooManyParameters { limit } => {
                write!(f, "the callback has more than {limit} parameters")
            }
            Self::RepeatedParameter(name) => {
                write!(f, "the callback parameter `{name}` appears more than once")
            }
            Self::MissingIssuer => {
                f.write_str("the callback has no `iss`, which this server always sends")
            }
            Self::IssuerMismatch { received } => {
                write!(
                    f,
                    "the callback's `iss` {received:?} is not this flow's issuer"
                )
            }
            Self::MissingState => f.write_str("the callback has no `state`"),
            Self::StateMismatch => f.write_str("the callback's `state` does not match this flow's"),
            Self::UnrequestedResponseType { parameter } => write!(
                f,
                "the callback carries `{parameter}`, which a code response never has"
            ),
            Self::InvalidErrorCode => {
                f.write_str("the callback's `error` has characters outside RFC 6749's set")
            }
            Self::Authorization(error) => write!(
                f,
                "the authorization server answered with an error: {error}"
            ),
            Self::MissingCode => f.write_str("the callback has neither `code` nor `error`"),
            Self::ClientMismatch => f.write_str(
                "the client passed in (issuer and client_id) is not the one that started this flow",
            ),
        }
    }
}

impl core::error::Error for CallbackError {}

/// Why an access token was not put on a request (RFC 6750 §2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BearerError {
    /// The request's URI is not `https` (nor `http` on loopback): the token
    /// would cross the network in clear text (RFC 6750 §5.3).
    InsecureTarget,
    /// The access token cannot be sent in an `Authorization` header: it is
    /// not RFC 6750 §2.1's `b64token` (for a provider's own token type,
    /// configured with [`Tolerances`](crate::Tolerances): it has a space or
    /// a character outside visible ASCII). The server issued a token no
    /// request can carry; ask its operator.
    InvalidToken,
    /// The request's target is not an absolute URI.
    InvalidTarget,
    /// The access token is DPoP-bound (RFC 9449): it is never sent as a
    /// bearer token. Use
    /// [`Authorized::dpop_resource_request`](crate::Authorized::dpop_resource_request).
    DpopBound,
    /// The access token is a bearer token, not DPoP-bound: send it with
    /// [`Authorized::resource_request`](crate::Authorized::resource_request).
    NotDpopBound,
    /// The access token is bound to another DPoP key than the client's.
    DpopKeyMismatch,
    /// The DPoP key could not sign the proof.
    Signing(SigningError),
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InsecureTarget => {
                "refusing to send a bearer token to a non-https, non-loopback URI"
            }
            Self::InvalidToken => {
                "the access token has characters an Authorization header cannot carry"
            }
            Self::InvalidTarget => "the protected resource's URI is not an absolute URI",
            Self::DpopBound => "the access token is DPoP-bound and is never sent as a bearer token",
            Self::NotDpopBound => "the access token is a bearer token, not DPoP-bound",
            Self::DpopKeyMismatch => {
                "the access token is bound to another DPoP key than the client's"
            }
            Self::Signing(error) => {
                return write!(f, "the DPoP proof could not be signed: {error}")
            }
        })
    }
}

impl core::error::Error for BearerError {}

/// Why a refresh could not start ([`Authorized::refresh`](crate::Authorized::refresh)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefreshError {
    /// The server issued no refresh token: log in again (or, for the
    /// client credentials grant, run it again).
    NoRefreshToken,
    /// The scope asked for is not part of the grant (RFC 6749 §6); nothing
    /// was sent. Ask for a part of [`Authorized::grant_scope`](crate::Authorized::grant_scope),
    /// or log in again for more.
    ScopeNotGranted,
    /// The [`Client`](crate::Client) passed in is not the one the tokens
    /// were issued to (another issuer or another `client_id`): nothing was
    /// built, so its credentials went nowhere. Pass the client of the
    /// tokens' issuer.
    ClientMismatch,
    /// The tokens are bound to a DPoP key (RFC 9449 §5) and the client has
    /// another key, or none: the server would refuse the refresh, so
    /// nothing was sent. Refresh with the client of the key the grant was
    /// issued to.
    DpopKeyMismatch,
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoRefreshToken => "there is no refresh token",
            Self::ScopeNotGranted => "the scope asked for is wider than the grant",
            Self::ClientMismatch => "the client passed in (issuer and client_id) is not the one the tokens were issued to",
            Self::DpopKeyMismatch => "the tokens are bound to another DPoP key than the client's",
        })
    }
}

impl core::error::Error for RefreshError {}

/// Why a revocation could not start ([`Authorized::revoke`](crate::Authorized::revoke)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationError {
    /// The server has no `revocation_endpoint`: the tokens cannot be
    /// revoked; drop them and let them expire.
    NoRevocationEndpoint,
    /// The refresh token was asked for, and there is none.
    NoRefreshToken,
    /// The [`Client`](crate::Client) passed in is not the one the tokens
    /// were issued to (another issuer or another `client_id`): nothing was
    /// built, so its credentials went nowhere. Pass the client of the
    /// tokens' issuer.
    ClientMismatch,
}

impl fmt::Display for RevocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoRevocationEndpoint => "the server has no revocation endpoint",
            Self::NoRefreshToken => "there is no refresh token to revoke",
            Self::ClientMismatch => "the client passed in (issuer and client_id) is not the one the tokens were issued to",
        })
    }
}

impl core::error::Error for RevocationError {}

/// Why a client credentials grant could not start.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientCredentialsError {
    /// The client has no secret (`ClientAuthentication::None`): the grant
    /// is for confidential clients only (RFC 6749 §4.4).
    PublicClient,
}

impl fmt::Display for ClientCredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the client credentials grant needs a confidential client")
    }
}

impl core::error::Error for ClientCredentialsError {}

/// Why a device login could not start or go on
/// ([`DeviceAuthorization::new`](crate::DeviceAuthorization::new),
/// [`AwaitingDeviceApproval::poll`](crate::AwaitingDeviceApproval::poll)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceAuthorizationError {
    /// The metadata names no `device_authorization_endpoint` (RFC 8628
    /// §4): the server does not offer the device grant, or its metadata
    /// must say where.
    NoDeviceAuthorizationEndpoint,
    /// The [`Client`](crate::Client) passed in is not the one that started
    /// this device login (another issuer or another `client_id`): nothing
    /// was built, so its credentials went nowhere. Pass the client of the
    /// login's issuer.
    ClientMismatch,
}

impl fmt::Display for DeviceAuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoDeviceAuthorizationEndpoint => {
                "the server has no device authorization endpoint"
            }
            Self::ClientMismatch => "the client passed in (issuer and client_id) is not the one that started this device login",
        })
    }
}

impl core::error::Error for DeviceAuthorizationError {}

/// Why an introspection could not start
/// ([`Introspection::new`](crate::Introspection::new)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntrospectionError {
    /// The metadata names no `introspection_endpoint` (RFC 8414 §2): ask
    /// the server's operator where it is, and put it in the metadata.
    NoIntrospectionEndpoint,
    /// The client has no secret (`ClientAuthentication::None`): the
    /// introspection endpoint must not answer a caller it cannot
    /// authenticate (RFC 7662 §2.1, §4).
    PublicClient,
    /// The server's `introspection_endpoint_auth_methods_supported` does
    /// not list the client's method; configure one it lists.
    AuthenticationMethodNotSupported {
        /// The configured method's RFC 7591 name.
        method: &'static str,
    },
}

impl fmt::Display for IntrospectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoIntrospectionEndpoint => f.write_str("the server has no introspection endpoint"),
            Self::PublicClient => f.write_str("introspection needs a client that authenticates"),
            Self::AuthenticationMethodNotSupported { method } => write!(
                f,
                "the server does not list `{method}` in introspection_endpoint_auth_methods_supported"
            ),
        }
    }
}

impl core::error::Error for IntrospectionError {}

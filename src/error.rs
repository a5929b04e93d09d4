//! One error type per operation. Every variant says what the caller should
//! do; none carries a secret, in `Debug` or in `Display`.

use core::fmt;
use core::time::Duration;

use crate::text::UntrustedText;
use crate::wire::error_response::{AuthorizationErrorCode, ErrorResponse, TokenErrorCode};
use crate::wire::form::FormError;

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
    /// [`Start::push`](crate::Start::push) was called, but the metadata has
    /// no `pushed_authorization_request_endpoint` (RFC 9126 §5): use
    /// [`Start::begin`](crate::Start::begin).
    NoPushedAuthorizationEndpoint,
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
            Self::NoPushedAuthorizationEndpoint => {
                f.write_str("the server has no pushed authorization request endpoint")
            }
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

/// What is wrong with a token endpoint response body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseProblem {
    /// The body is not JSON.
    NotJson,
    /// The body is JSON but not an object.
    NotAnObject,
    /// The `Content-Type` says form-encoded but the body is not.
    NotForm,
    /// The body is over [`MAX_RESPONSE_BODY_BYTES`](crate::limits::MAX_RESPONSE_BODY_BYTES):
    /// refused unread.
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A member appears twice: which one to believe is undefined, so
    /// neither is. The name as received.
    DuplicateMember(UntrustedText),
    /// A required member is missing.
    MissingMember(&'static str),
    /// A member has the wrong type or characters outside its syntax.
    InvalidMember(&'static str),
}

impl fmt::Display for ResponseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson => f.write_str("the body is not JSON"),
            Self::NotAnObject => f.write_str("the body is not a JSON object"),
            Self::NotForm => f.write_str("the body is not form-encoded as its Content-Type says"),
            Self::TooLarge { limit } => write!(f, "the body is over its size cap of {limit} bytes"),
            Self::DuplicateMember(name) => write!(f, "the member `{name}` appears more than once"),
            Self::MissingMember(name) => write!(f, "the member `{name}` is missing"),
            Self::InvalidMember(name) => write!(f, "the member `{name}` is invalid"),
        }
    }
}

impl core::error::Error for ResponseProblem {}

/// Why a token endpoint response gave no tokens (RFC 6749 §5.2).
///
/// [`is_retryable`](Self::is_retryable) tells whether the same request may
/// be sent again; the state that built it comes back in the
/// [`TokenFailure`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The server answered with an OAuth error (RFC 6749 §5.2).
    /// `invalid_grant` means the code or refresh token is gone: start a new
    /// login. `invalid_client` means the client credentials are wrong.
    ErrorResponse(ErrorResponse<TokenErrorCode>),
    /// 429 or 5xx: the server is overloaded or failing. Retry after
    /// `retry_after` (when the server said) with the state handed back.
    Unavailable {
        /// The HTTP status code.
        status: u16,
        /// `Retry-After` in seconds, if the server sent that form.
        retry_after: Option<Duration>,
    },
    /// A 3xx: redirects of a token request are never followed (the body
    /// holds credentials). The endpoint is misconfigured.
    Redirected {
        /// The HTTP status code.
        status: u16,
    },
    /// A status that is neither success nor an OAuth error, with no error
    /// body (e.g. 404 from a wrong endpoint).
    UnexpectedStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// A 401 without an OAuth error body but with a `WWW-Authenticate:
    /// Basic` challenge: the server refused the client's credentials
    /// (RFC 6749 §5.2, `invalid_client`). Check the client id, the secret
    /// and the authentication method.
    ClientAuthenticationFailed {
        /// The HTTP status code.
        status: u16,
    },
    /// A body that is not a valid response of the endpoint: a success that
    /// is not a token response, or an error response whose `error` code has
    /// characters outside RFC 6749 §5.2's set.
    MalformedResponse(ResponseProblem),
    /// A `token_type` other than `Bearer`: this crate can only use bearer
    /// tokens (RFC 6750). The type as received.
    UnsupportedTokenType(UntrustedText),
}

impl TokenError {
    /// Whether sending the same request again may succeed: 429, 5xx, and
    /// the `temporarily_unavailable` and `server_error` codes.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unavailable { .. } => true,
            Self::ErrorResponse(response) => matches!(
                response.error(),
                TokenErrorCode::TemporarilyUnavailable | TokenErrorCode::ServerError
            ),
            _ => false,
        }
    }

    /// Whether the grant (code or refresh token) is gone for good
    /// (`invalid_grant`): the user must log in again.
    #[must_use]
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, Self::ErrorResponse(r) if *r.error() == TokenErrorCode::InvalidGrant)
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ErrorResponse(error) => {
                write!(f, "the token endpoint answered with an error: {error}")
            }
            Self::Unavailable { status, .. } => {
                write!(
                    f,
                    "the token endpoint is unavailable (HTTP {status}); retry later"
                )
            }
            Self::Redirected { status } => {
                write!(f, "the token endpoint answered with a redirect (HTTP {status}), which is never followed")
            }
            Self::UnexpectedStatus { status } => {
                write!(
                    f,
                    "the token endpoint answered with unexpected HTTP status {status}"
                )
            }
            Self::ClientAuthenticationFailed { status } => write!(
                f,
                "the token endpoint refused the client's credentials (HTTP {status})"
            ),
            Self::MalformedResponse(problem) => {
                write!(f, "the token response is malformed: {problem}")
            }
            Self::UnsupportedTokenType(token_type) => {
                write!(f, "the token type {token_type:?} is not Bearer")
            }
        }
    }
}

impl core::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::MalformedResponse(problem) => Some(problem),
            _ => None,
        }
    }
}

/// A token request that failed, with the state that built it when the
/// request may be retried (quinn's `RetryError::into_incoming` pattern).
#[must_use = "a retryable failure carries the state needed to retry"]
#[derive(Debug)]
pub struct TokenFailure<S> {
    pub(crate) error: TokenError,
    pub(crate) state: Option<alloc::boxed::Box<S>>,
}

impl<S> TokenFailure<S> {
    pub(crate) fn new(error: TokenError, state: S) -> Self {
        let state = error.is_retryable().then(|| alloc::boxed::Box::new(state));
        Self { error, state }
    }

    /// What went wrong.
    pub fn error(&self) -> &TokenError {
        &self.error
    }

    /// The error, dropping any state.
    pub fn into_error(self) -> TokenError {
        self.error
    }

    /// The state to retry from, when the error is retryable; `None` when
    /// retrying cannot help.
    pub fn into_retry(self) -> Option<S> {
        self.state.map(|state| *state)
    }
}

impl<S> fmt::Display for TokenFailure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<S: fmt::Debug> core::error::Error for TokenFailure<S> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Why an access token was not put on a request (RFC 6750 §2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BearerError {
    /// The request's URI is not `https` (nor `http` on loopback): the token
    /// would cross the network in clear text (RFC 6750 §5.3).
    InsecureTarget,
    /// The access token has characters outside RFC 6750 §2.1's `b64token`
    /// and cannot be sent in an `Authorization: Bearer` header.
    InvalidToken,
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InsecureTarget => {
                "refusing to send a bearer token to a non-https, non-loopback URI"
            }
            Self::InvalidToken => "the access token is not a valid b64token",
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
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoRefreshToken => "there is no refresh token",
            Self::ScopeNotGranted => "the scope asked for is wider than the grant",
            Self::ClientMismatch => "the client passed in (issuer and client_id) is not the one the tokens were issued to",
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

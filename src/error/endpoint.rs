//! Why a request to an endpoint of the authorization server gave nothing
//! usable: one error for every endpoint step, naming the endpoint in every
//! message, and the failure that hands a retryable step back.

use crate::error::codes::{ErrorResponse, TokenErrorCode};
use crate::error::jwt::JwtError;
use crate::error::value::InvalidValue;
use crate::text::UntrustedText;
use crate::time::UnixTime;
use alloc::boxed::Box;
use core::fmt;
use core::time::Duration;

/// The endpoint a request went to, named in every [`EndpointError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndpointKind {
    /// The token endpoint (RFC 6749 §3.2): code exchange, refresh, client
    /// credentials.
    Token,
    /// The revocation endpoint (RFC 7009).
    Revocation,
    /// The pushed authorization request endpoint (RFC 9126).
    PushedAuthorization,
    /// The authorization server's metadata document (RFC 8414 §3, OpenID
    /// Connect Discovery 1.0 §4).
    Metadata,
    /// The device authorization endpoint (RFC 8628 §3.1).
    DeviceAuthorization,
    /// The introspection endpoint (RFC 7662 §2).
    Introspection,
    /// A protected resource's metadata document (RFC 9728 §3).
    ResourceMetadata,
    /// The client registration endpoint (RFC 7591 §3).
    Registration,
    /// The server's JWK Set document, its `jwks_uri` (RFC 8414 §2,
    /// OpenID Connect Discovery 1.0 §3).
    KeySet,
    /// The OpenID Connect UserInfo endpoint (Core §5.3).
    UserInfo,
    /// The OpenID Provider's end session endpoint (RP-Initiated Logout
    /// 1.0 §2), where the user's browser is sent to log out.
    EndSession,
    // OpenID CIBA Core 1.0.
    /// The backchannel authentication endpoint (OpenID CIBA Core 1.0 §7).
    BackchannelAuthentication,
}

impl EndpointKind {
    /// How messages name it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token endpoint",
            Self::Revocation => "revocation endpoint",
            Self::PushedAuthorization => "pushed authorization request endpoint",
            Self::Metadata => "metadata document",
            Self::DeviceAuthorization => "device authorization endpoint",
            Self::Introspection => "introspection endpoint",
            Self::ResourceMetadata => "protected resource metadata document",
            Self::Registration => "registration endpoint",
            Self::KeySet => "JWK Set document",
            Self::UserInfo => "UserInfo endpoint",
            Self::EndSession => "end session endpoint",
            Self::BackchannelAuthentication => "backchannel authentication endpoint",
        }
    }
}

impl fmt::Display for EndpointKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong at the endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointErrorKind {
    /// The server answered with an OAuth error (RFC 6749 §5.2, RFC 7009
    /// §2.2.1, RFC 9126 §2.3). `invalid_grant` means the code or refresh
    /// token is gone: start a new login. `invalid_client` means the client
    /// credentials are wrong.
    ErrorResponse(ErrorResponse<TokenErrorCode>),
    /// 429 or 5xx: the server is overloaded or failing. Retry after
    /// `retry_after` (when the server said) with the state handed back.
    Unavailable {
        /// The HTTP status code.
        status: u16,
        /// `Retry-After` in seconds, if the server sent that form.
        retry_after: Option<Duration>,
    },
    /// A 3xx: redirects are never followed (a request body holds
    /// credentials). The endpoint is misconfigured.
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
    // A body that is not a valid response of the endpoint: a success that
    // lacks what it must carry, or an error response whose `error` code has
    // characters outside RFC 6749 §5.2's set
    // (see [`EndpointErrorKind::is_malformed_response`]).
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
    /// A required member is missing (for a metadata document:
    /// `authorization_endpoint` or `token_endpoint`, or one empty).
    MissingMember(&'static str),
    /// A member has the wrong type, too many values, or characters outside
    /// its syntax.
    InvalidMember(&'static str),
    /// A URL member is refused: an endpoint in a metadata document that is
    /// not acceptable (e.g. `http://` off loopback), or a URI meant for the
    /// user (RFC 8628 §3.2's `verification_uri` and
    /// `verification_uri_complete`) that is not `https` (nor `http` on a
    /// loopback IP literal) — never handed out to be shown, since a user
    /// sent there would type their credentials into a page anyone on the
    /// network can read or replace.
    InvalidUrl {
        /// The member.
        member: &'static str,
        /// What is wrong with it.
        problem: InvalidValue,
    },
    /// A `token_type` this client cannot use, as received: neither
    /// `Bearer` (RFC 6750 §2.1) nor a provider's name for it
    /// ([`Tolerances`](crate::tolerance::Tolerances)), nor `DPoP` (RFC 9449 §5) for a
    /// client that sent a proof; `DPoP` for a client without a DPoP key;
    /// or, for a client that takes DPoP-bound tokens only (FAPI 2.0),
    /// anything but `DPoP`.
    UnsupportedTokenType(UntrustedText),
    // A metadata document that must not be used (RFC 8414 §3.3, RFC 9728
    // §3.3; see [`EndpointErrorKind::is_unusable_metadata`]).
    /// The body is not a metadata document; why, in the JSON parser's
    /// words (which may quote the document).
    NotADocument(UntrustedText),
    /// The document's `issuer` is not the issuer asked for, byte for byte
    /// (RFC 8414 §3.3): it must not be used, or an attacker's metadata could
    /// impersonate the server (mix-up).
    IssuerMismatch {
        /// The issuer asked for.
        expected: UntrustedText,
        /// The issuer the document names.
        received: UntrustedText,
    },
    /// The server does not advertise PKCE with `S256`
    /// (`code_challenge_methods_supported`, whose absence means "no PKCE",
    /// RFC 8414 §2). See
    /// [`Discovery::dangerous_allow_without_s256`](crate::Discovery::dangerous_allow_without_s256).
    S256NotSupported,
    /// A protected resource's metadata names another `resource` than the
    /// one it was fetched for (RFC 9728 §3.3): it must not be used, or a
    /// resource could send the client to another's authorization server.
    ResourceMismatch {
        /// The resource asked for.
        expected: UntrustedText,
        /// The resource the document names.
        received: UntrustedText,
    },
    /// The token response's ID token is refused (OpenID Connect Core
    /// §3.1.3.5, §3.1.3.7): the sign-in failed, and none of the response
    /// is handed out. Why, in [`JwtError`]'s words; for an unknown `kid`
    /// the failure hands back the step that fetches the key set again
    /// ([`Failure::is_fallback`]).
    IdTokenRejected(JwtError),
    /// The UserInfo response is refused (OpenID Connect Core §5.3.2,
    /// §5.3.4): its `sub` is not the ID token's, or, signed, its JWS or
    /// its `iss` or `aud` is wrong. Why, in [`JwtError`]'s words; for
    /// [`JwtError::UnknownKey`] fetch the key set again
    /// ([`KeySet::refetch`](crate::openid::KeySet::refetch)) and ask again.
    UserInfoRejected(JwtError),
    /// A JWT introspection response is refused (RFC 9701 §5): not signed,
    /// its JWS, `typ`, `iss`, `aud` or `iat` wrong, or no
    /// `token_introspection` claim. For [`JwtError::UnknownKey`] fetch the
    /// key set again ([`KeySet::refetch`](crate::openid::KeySet::refetch))
    /// and verify again.
    IntrospectionRejected(JwtError),
    /// The device code's lifetime (RFC 8628 §3.2 `expires_in`, counted
    /// from when the device authorization response arrived) ran out while
    /// the server still said `authorization_pending` or `slow_down`, or
    /// asked with `Retry-After` for a wait that ends past it: the next poll
    /// would come too late. The user did not finish in time;
    /// start a new device authorization when they ask again (§3.5). From
    /// the device authorization endpoint: its `interval` left no time for
    /// a single poll before the expiry; the server is misconfigured, and
    /// a new device authorization will likely end the same way.
    DeviceCodeExpired {
        /// When the device code expired.
        expires_at: UnixTime,
    },
    // OpenID CIBA Core 1.0.
    /// The `auth_req_id`'s lifetime (CIBA Core §7.3 `expires_in`, counted
    /// from when the backchannel authentication response arrived) ran out
    /// while the token endpoint still said `authorization_pending` or
    /// `slow_down`, or asked with `Retry-After` for a wait that ends past
    /// it: the next poll would come too late. The user did not
    /// authenticate in time; start a new backchannel authentication when
    /// they ask again (§11). From the backchannel authentication endpoint:
    /// its `interval` left no time for a single poll before the expiry.
    AuthReqIdExpired {
        /// When the `auth_req_id` expired.
        expires_at: UnixTime,
    },
    /// The response's `authorization_details` (RFC 9396 §7, §9.2) is not
    /// an array of authorization details objects, each with a `type`:
    /// what is wrong, in [`InvalidValue`]'s words.
    InvalidAuthorizationDetails(InvalidValue),
}

impl EndpointErrorKind {
    /// Whether the body is not a valid response of the endpoint: not JSON
    /// (or form) as it must be, too large, or a member missing, repeated or
    /// invalid. The server answered, but not with what the RFC defines;
    /// sending the same request again will not help.
    #[must_use]
    pub fn is_malformed_response(&self) -> bool {
        matches!(
            self,
            Self::NotJson
                | Self::NotAnObject
                | Self::NotForm
                | Self::TooLarge { .. }
                | Self::DuplicateMember(_)
                | Self::MissingMember(_)
                | Self::InvalidMember(_)
                | Self::InvalidUrl { .. }
                | Self::InvalidAuthorizationDetails(_)
        )
    }

    /// Whether a metadata document must not be used (RFC 8414 §3.3,
    /// RFC 9728 §3.3): not a document, another issuer's or resource's, or
    /// without PKCE's `S256`.
    #[must_use]
    pub fn is_unusable_metadata(&self) -> bool {
        matches!(
            self,
            Self::NotADocument(_)
                | Self::IssuerMismatch { .. }
                | Self::S256NotSupported
                | Self::ResourceMismatch { .. }
        )
    }

    /// What is wrong with a malformed response or an unusable document,
    /// for [`EndpointError`]'s message.
    fn fmt_problem(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson => f.write_str("the body is not JSON"),
            Self::NotAnObject => f.write_str("the body is not a JSON object"),
            Self::NotForm => f.write_str("the body is not form-encoded as its Content-Type says"),
            Self::TooLarge { limit } => write!(f, "the body is over its size cap of {limit} bytes"),
            Self::DuplicateMember(name) => write!(f, "the member `{name}` appears more than once"),
            Self::MissingMember(name) => write!(f, "the member `{name}` is missing"),
            Self::InvalidMember(name) => write!(f, "the member `{name}` is invalid"),
            Self::InvalidUrl { member, problem } => {
                write!(f, "the member `{member}` is refused: {problem}")
            }
            Self::InvalidAuthorizationDetails(problem) => {
                write!(
                    f,
                    "the member `authorization_details` is refused: {problem}"
                )
            }
            Self::NotADocument(why) => write!(f, "it is not a metadata document: {why}"),
            Self::IssuerMismatch { expected, received } => {
                write!(f, "it names issuer {received:?}, not {expected:?}")
            }
            Self::S256NotSupported => {
                f.write_str("it does not list S256 in code_challenge_methods_supported")
            }
            Self::ResourceMismatch { expected, received } => {
                write!(f, "it names resource {received:?}, not {expected:?}")
            }
            _ => Ok(()),
        }
    }
}

/// Why a request to an endpoint gave nothing usable: which endpoint, and
/// what went wrong there ([`kind`](Self::kind)).
///
/// [`Failure`], [`DriveError`](crate::errors::DriveError) and
/// [`ChainError`](crate::errors::ChainError) answer the same four questions in one
/// call, with the same answers: [`endpoint`](Self::endpoint),
/// [`code`](Self::code), [`is_retryable`](Self::is_retryable) and
/// [`retry_after`](Self::retry_after). The step that built the request
/// comes back in the [`Failure`] when it may be sent again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError {
    endpoint: EndpointKind,
    kind: EndpointErrorKind,
}

impl EndpointError {
    /// An error of `kind` at `endpoint` (for steps and tests outside the
    /// crate).
    #[must_use]
    pub fn new(endpoint: EndpointKind, kind: EndpointErrorKind) -> Self {
        Self { endpoint, kind }
    }

    /// The endpoint that answered.
    #[must_use]
    pub fn endpoint(&self) -> EndpointKind {
        self.endpoint
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &EndpointErrorKind {
        &self.kind
    }

    /// Whether sending the same request again, later, may succeed — one
    /// meaning for every error of the crate: the server is overloaded or
    /// failing (429, 5xx, `temporarily_unavailable`, `server_error`:
    /// wait [`retry_after`](Self::retry_after) when it said), or a device
    /// login is still waiting for the user (`authorization_pending`,
    /// `slow_down`, RFC 8628 §3.5: poll again, no sooner than
    /// [`Failure::poll_again_at`]). Any other answer would come again.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match &self.kind {
            EndpointErrorKind::Unavailable { .. } => true,
            EndpointErrorKind::ErrorResponse(response) => matches!(
                response.error(),
                TokenErrorCode::TemporarilyUnavailable
                    | TokenErrorCode::ServerError
                    | TokenErrorCode::AuthorizationPending
                    | TokenErrorCode::SlowDown
            ),
            _ => false,
        }
    }

    /// How long the server asked the client to wait (`Retry-After` in its
    /// delta-seconds form, RFC 9110 §10.2.3), when it said.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            EndpointErrorKind::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    // A single code is matched with `code()`, the one way
    // (`code() == Some(&TokenErrorCode::InvalidGrant)`); the predicates
    // below stay because each means more than one code or a code and
    // another answer.

    /// Whether the device login is still waiting for the user
    /// (`authorization_pending` or `slow_down`, RFC 8628 §3.5): poll again,
    /// no sooner than [`Failure::poll_again_at`] says.
    #[must_use]
    pub fn is_authorization_pending(&self) -> bool {
        matches!(
            self.code(),
            Some(TokenErrorCode::AuthorizationPending | TokenErrorCode::SlowDown)
        )
    }

    /// Whether the device code expired before the user approved: the
    /// server said `expired_token` (RFC 8628 §3.5), or its lifetime ran out
    /// while the login was pending ([`EndpointErrorKind::DeviceCodeExpired`]).
    /// Start a new device authorization when the user asks again.
    #[must_use]
    pub fn is_expired_token(&self) -> bool {
        matches!(
            self.kind,
            EndpointErrorKind::DeviceCodeExpired { .. }
                | EndpointErrorKind::AuthReqIdExpired { .. }
        ) || self.code() == Some(&TokenErrorCode::ExpiredToken)
    }

    /// Whether the server has no such resource (404 or 410): for
    /// discovery, try the next [`WellKnown`](crate::values::WellKnown) document.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.kind,
            EndpointErrorKind::UnexpectedStatus { status: 404 | 410 }
        )
    }

    /// The OAuth error response, when the server sent one.
    #[must_use]
    pub fn error_response(&self) -> Option<&ErrorResponse<TokenErrorCode>> {
        match &self.kind {
            EndpointErrorKind::ErrorResponse(response) => Some(response),
            _ => None,
        }
    }

    /// The OAuth `error` code, when the server sent one: `invalid_grant`
    /// means the code or refresh token is gone for good (log in again),
    /// `access_denied` that the user said no to a device login.
    ///
    /// Every endpoint this error names answers with RFC 6749 §5.2's error
    /// response, whose registered codes — RFC 7009's, RFC 8628's, RFC
    /// 9126's and RFC 9449's included — are all [`TokenErrorCode`]s. The
    /// authorization endpoint's codes come back in the browser, as a
    /// [`CallbackError`](crate::errors::CallbackError); a resource's, in its
    /// [`BearerChallenge`](crate::resource::BearerChallenge).
    #[must_use]
    pub fn code(&self) -> Option<&TokenErrorCode> {
        self.error_response().map(ErrorResponse::error)
    }
}

/// An error is equal to its kind, wherever it came from: handy in tests
/// and in matching on a kind without naming the endpoint.
impl PartialEq<EndpointErrorKind> for EndpointError {
    fn eq(&self, kind: &EndpointErrorKind) -> bool {
        self.kind == *kind
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoint = self.endpoint;
        match &self.kind {
            EndpointErrorKind::ErrorResponse(error) => {
                write!(f, "the {endpoint} answered with an error: {error}")
            }
            EndpointErrorKind::Unavailable {
                status,
                retry_after,
            } => {
                write!(f, "the {endpoint} is unavailable (HTTP {status}); retry ")?;
                match retry_after {
                    Some(after) => write!(f, "in {} s", after.as_secs()),
                    None => f.write_str("later"),
                }
            }
            EndpointErrorKind::Redirected { status } => write!(
                f,
                "the {endpoint} answered with a redirect (HTTP {status}), which is never followed"
            ),
            EndpointErrorKind::UnexpectedStatus { status } => {
                write!(
                    f,
                    "the {endpoint} answered with unexpected HTTP status {status}"
                )
            }
            EndpointErrorKind::ClientAuthenticationFailed { status } => write!(
                f,
                "the {endpoint} refused the client's credentials (HTTP {status})"
            ),
            kind if kind.is_malformed_response() => {
                write!(f, "the {endpoint}'s response is malformed: ")?;
                kind.fmt_problem(f)
            }
            EndpointErrorKind::UnsupportedTokenType(token_type) => write!(
                f,
                "the {endpoint} issued a token of type {token_type:?}, which this client cannot use"
            ),
            EndpointErrorKind::DeviceCodeExpired { expires_at } => match endpoint {
                EndpointKind::DeviceAuthorization => write!(
                    f,
                    "the {endpoint}'s polling interval leaves no poll before the device code expires ({expires_at})"
                ),
                _ => write!(
                    f,
                    "the device code expired ({expires_at}) while the {endpoint} still waited for the user"
                ),
            },
            EndpointErrorKind::AuthReqIdExpired { expires_at } => match endpoint {
                EndpointKind::BackchannelAuthentication => write!(
                    f,
                    "the {endpoint}'s polling interval leaves no poll before the auth_req_id expires ({expires_at})"
                ),
                _ => write!(
                    f,
                    "the auth_req_id expired ({expires_at}) while the {endpoint} still waited for the user"
                ),
            },
            EndpointErrorKind::IdTokenRejected(error) => {
                write!(f, "the {endpoint}'s ID token is refused: {error}")
            }
            EndpointErrorKind::UserInfoRejected(error)
            | EndpointErrorKind::IntrospectionRejected(error) => {
                write!(f, "the {endpoint}'s answer is refused: {error}")
            }
            // What is left: a metadata document that must not be used.
            kind => {
                write!(f, "the {endpoint} cannot be used: ")?;
                kind.fmt_problem(f)
            }
        }
    }
}

/// `Display` prints the whole message, the problem with the response
/// included, so there is no `source()` (see the crate docs' "Errors and
/// panics").
impl core::error::Error for EndpointError {}

/// A step whose request gave nothing usable, with the step to run next
/// when there is one (quinn's `RetryError::into_incoming` pattern): the
/// same step when its request may succeed if sent again, or — for a step
/// with an alternative, such as discovery's OpenID document after a 404 on
/// the RFC 8414 one — that alternative, to run at once.
#[must_use = "a retryable failure carries the state needed to retry"]
#[derive(Debug)]
pub struct Failure<S> {
    error: EndpointError,
    state: Option<Box<S>>,
    fallback: bool,
    poll_again_at: Option<UnixTime>,
}

impl<S> Failure<S> {
    /// Keeps `state` for a retry when the error is retryable.
    pub(crate) fn new(endpoint: EndpointKind, kind: EndpointErrorKind, state: S) -> Self {
        let error = EndpointError::new(endpoint, kind);
        let state = error.is_retryable().then(|| Box::new(state));
        Self {
            error,
            state,
            fallback: false,
            poll_again_at: None,
        }
    }

    /// A device login still waiting for the user (RFC 8628 §3.5): `state`
    /// comes back, to send the same request again at `at`.
    pub(crate) fn poll_again(
        endpoint: EndpointKind,
        kind: EndpointErrorKind,
        state: S,
        at: UnixTime,
    ) -> Self {
        Self {
            error: EndpointError::new(endpoint, kind),
            state: Some(Box::new(state)),
            fallback: false,
            poll_again_at: Some(at),
        }
    }

    /// The same failure, the step handed back wrapped by `wrap`.
    pub(crate) fn map_state<T>(self, wrap: impl FnOnce(S) -> T) -> Failure<T> {
        Failure {
            error: self.error,
            state: self.state.map(|state| Box::new(wrap(*state))),
            fallback: self.fallback,
            poll_again_at: self.poll_again_at,
        }
    }

    /// A failure that no step can help: nothing is handed back.
    pub(crate) fn refused(endpoint: EndpointKind, kind: EndpointErrorKind) -> Self {
        Self {
            error: EndpointError::new(endpoint, kind),
            state: None,
            fallback: false,
            poll_again_at: None,
        }
    }

    /// A failure with another step to run at once instead.
    pub(crate) fn fallback(endpoint: EndpointKind, kind: EndpointErrorKind, next: S) -> Self {
        Self {
            error: EndpointError::new(endpoint, kind),
            state: Some(Box::new(next)),
            fallback: true,
            poll_again_at: None,
        }
    }

    /// When a device login still waiting for the user (the server said
    /// `authorization_pending` or `slow_down`, RFC 8628 §3.5) may poll
    /// again: send the request of the step handed back
    /// ([`into_retry`](Self::into_retry)) no sooner. Not a failure to
    /// count against a retry budget: the user has not finished yet.
    /// `None` for every other failure.
    #[must_use]
    pub fn poll_again_at(&self) -> Option<UnixTime> {
        self.poll_again_at
    }

    /// Whether the step handed back ([`into_retry`](Self::into_retry)) is
    /// an alternative to run at once, not the same request to send again
    /// later.
    #[must_use]
    pub fn is_fallback(&self) -> bool {
        self.fallback
    }

    /// What went wrong, and where.
    pub fn error(&self) -> &EndpointError {
        &self.error
    }

    /// The endpoint that answered.
    #[must_use]
    pub fn endpoint(&self) -> EndpointKind {
        self.error.endpoint()
    }

    /// The OAuth `error` code, when the server sent one
    /// ([`EndpointError::code`]).
    #[must_use]
    pub fn code(&self) -> Option<&TokenErrorCode> {
        self.error.code()
    }

    /// Whether sending the same request again, later, may succeed: the
    /// same answer as [`EndpointError::is_retryable`], a device login still
    /// pending included (send it at [`poll_again_at`](Self::poll_again_at)).
    /// The step then comes back ([`into_retry`](Self::into_retry)).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.error.is_retryable()
    }

    /// How long the server asked to wait before a retry, when it said
    /// ([`EndpointError::retry_after`]).
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.error.retry_after()
    }

    /// The error, dropping any state.
    pub fn into_error(self) -> EndpointError {
        self.error
    }

    /// The step to run next: the same step when the error is retryable,
    /// the alternative when [`is_fallback`](Self::is_fallback); `None` when
    /// neither can help. The error is dropped: use
    /// [`into_parts`](Self::into_parts) to keep both.
    pub fn into_retry(self) -> Option<S> {
        self.state.map(|state| *state)
    }

    /// The error, and the step to retry from when the error is retryable.
    pub fn into_parts(self) -> (EndpointError, Option<S>) {
        (self.error, self.state.map(|state| *state))
    }
}

impl<S> fmt::Display for Failure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

/// `Display` is the [`EndpointError`]'s, so there is no `source()`: a
/// reporter walking the chain prints the message once.
impl<S: fmt::Debug> core::error::Error for Failure<S> {}

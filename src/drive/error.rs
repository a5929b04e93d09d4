//! Why a driver gave up on a step, with the step to run again.

use core::fmt;

use core::time::Duration;

use crate::error::{CryptoError, EndpointError, EndpointKind, TokenErrorCode};
use crate::step::EndpointStep;

/// Why a driver gave up on a step.
///
/// [`endpoint`](Self::endpoint), [`code`](Self::code),
/// [`is_retryable`](Self::is_retryable) and
/// [`retry_after`](Self::retry_after) answer in one call, as
/// [`EndpointError`]'s do:
/// `error.code() == Some(&TokenErrorCode::InvalidGrant)` after a refresh
/// means the user must log in again.
#[derive(Debug)]
#[non_exhaustive]
pub enum DriveError<S, E> {
    /// The transport failed: the request may or may not have reached
    /// the server. The step comes back, to be run again when the network
    /// is back (a code exchange that did reach the server will then get
    /// `invalid_grant`).
    Transport {
        /// The transport's error.
        error: E,
        /// The step, to run again.
        step: S,
    },
    /// The endpoint answered with a failure that retrying could not fix
    /// within the policy. When it is retryable (the attempts ran out, or
    /// the server asked for a longer wait than the policy allows), the step
    /// comes back to be run again later.
    Endpoint {
        /// What the endpoint answered.
        error: EndpointError,
        /// The step, when a later retry may help.
        step: Option<S>,
    },
    /// The request could not be built: a signing key failed (the
    /// client's assertion, a DPoP proof), or there was no randomness for
    /// its one-time values
    /// ([`Driver::with_entropy`](super::Driver::with_entropy)). Nothing
    /// was sent; the step comes back.
    Crypto {
        /// Which facility failed, and why.
        error: CryptoError,
        /// The step, to run again.
        step: S,
    },
}

impl<S, E> DriveError<S, E> {
    /// The step to run again, when there is one.
    pub fn into_step(self) -> Option<S> {
        match self {
            Self::Transport { step, .. } | Self::Crypto { step, .. } => Some(step),
            Self::Endpoint { step, .. } => step,
        }
    }

    /// What the endpoint answered, when it answered.
    pub fn endpoint_error(&self) -> Option<&EndpointError> {
        match self {
            Self::Endpoint { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The OAuth `error` code, when the endpoint answered with one
    /// ([`EndpointError::code`]).
    #[must_use]
    pub fn code(&self) -> Option<&TokenErrorCode> {
        self.endpoint_error().and_then(EndpointError::code)
    }

    /// Whether sending the same request again, later, may succeed — the
    /// meaning of [`EndpointError::is_retryable`]: the transport failed
    /// (the network may be back), or the endpoint's answer is retryable.
    /// Not when the request could not be built (nothing was sent; the
    /// signing key or the entropy source must be fixed first).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Endpoint { error, .. } => error.is_retryable(),
            Self::Crypto { .. } => false,
        }
    }

    /// How long the server asked to wait before a retry, when it said
    /// ([`EndpointError::retry_after`]).
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.endpoint_error().and_then(EndpointError::retry_after)
    }
}

impl<S: EndpointStep, E> DriveError<S, E> {
    /// The endpoint of the request: the one that answered, or the step's.
    #[must_use]
    pub fn endpoint(&self) -> EndpointKind {
        match self {
            Self::Endpoint { error, .. } => error.endpoint(),
            _ => S::ENDPOINT,
        }
    }
}

impl<S: EndpointStep, E: fmt::Display> fmt::Display for DriveError<S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport { error, .. } => write!(
                f,
                "the request to the {} could not be sent: {error}",
                S::ENDPOINT
            ),
            Self::Endpoint { error, .. } => fmt::Display::fmt(error, f),
            Self::Crypto { error, .. } => write!(
                f,
                "the request to the {} could not be built: {error}",
                S::ENDPOINT
            ),
        }
    }
}

impl<S, E> core::error::Error for DriveError<S, E>
where
    S: EndpointStep + fmt::Debug,
    E: core::error::Error + 'static,
{
    /// `Display` prints the inner error's message, so `source()` skips it:
    /// a transport error's own cause comes next, and nothing else.
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Transport { error, .. } => error.source(),
            Self::Endpoint { .. } | Self::Crypto { .. } => None,
        }
    }
}

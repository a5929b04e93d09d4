//! Why a driver gave up on a step, with the step to run again.

use core::fmt;

use crate::entropy::EntropyUnavailable;
use crate::error::EndpointError;
use crate::error::SigningError;
use crate::step::EndpointStep;

/// Why a driver gave up on a step.
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
    /// The request could not be built: the client's signing key failed
    /// to sign its assertion. Nothing was sent; the step comes back.
    Signing {
        /// The signer's error.
        error: SigningError,
        /// The step, to run again.
        step: S,
    },
    /// The request could not be built: no randomness for its one-time
    /// values ([`Driver::with_entropy`](super::Driver::with_entropy)).
    /// Nothing was sent; the step comes back.
    Entropy {
        /// Why.
        error: EntropyUnavailable,
        /// The step, to run again.
        step: S,
    },
}

impl<S, E> DriveError<S, E> {
    /// The step to run again, when there is one.
    pub fn into_step(self) -> Option<S> {
        match self {
            Self::Transport { step, .. }
            | Self::Signing { step, .. }
            | Self::Entropy { step, .. } => Some(step),
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
            Self::Signing { error, .. } => write!(
                f,
                "the request to the {} could not be built: {error}",
                S::ENDPOINT
            ),
            Self::Entropy { error, .. } => write!(
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
            Self::Endpoint { .. } | Self::Signing { .. } | Self::Entropy { .. } => None,
        }
    }
}

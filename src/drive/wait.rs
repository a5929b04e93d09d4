//! Why a driver waits: what it tells its observer
//! ([`Driver::with_observer`](super::Driver::with_observer)) before each
//! sleep, so that an app can log it.

use core::fmt;
use core::time::Duration;

use crate::error::{EndpointError, EndpointErrorKind, EndpointKind, TokenErrorCode};

/// A wait a [`Driver`](super::Driver) is about to make before it sends a
/// step's request (again): to which endpoint, why, and for how long.
/// `Display` reads as a log line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wait {
    endpoint: EndpointKind,
    reason: WaitReason,
    duration: Duration,
}

impl Wait {
    pub(super) fn new(endpoint: EndpointKind, reason: WaitReason, duration: Duration) -> Self {
        Self {
            endpoint,
            reason,
            duration,
        }
    }

    /// The endpoint the request waits for.
    #[must_use]
    pub fn endpoint(&self) -> EndpointKind {
        self.endpoint
    }

    /// Why the driver waits.
    #[must_use]
    pub fn reason(&self) -> &WaitReason {
        &self.reason
    }

    /// How long: the driver hands this to the sleep function next.
    #[must_use]
    pub fn duration(&self) -> Duration {
        self.duration
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (seconds, millis) = (self.duration.as_secs(), self.duration.subsec_millis());
        f.write_str("waiting ")?;
        match millis {
            0 => write!(f, "{seconds} s")?,
            _ => write!(f, "{seconds}.{millis:03} s")?,
        }
        write!(f, " to send to the {}", self.endpoint)?;
        match &self.reason {
            WaitReason::NotBefore => f.write_str(": not sooner than the step allows"),
            WaitReason::RetryAfter { status } => {
                write!(f, " again: it asked to (Retry-After, HTTP {status})")
            }
            WaitReason::Backoff { status, error } => {
                f.write_str(" again: backing off after ")?;
                match (status, error) {
                    (_, Some(code)) => write!(f, "{code}"),
                    (Some(status), None) => write!(f, "HTTP {status}"),
                    (None, None) => f.write_str("a retryable failure"),
                }
            }
            WaitReason::AuthorizationPending => {
                f.write_str(" again: it said authorization_pending")
            }
            WaitReason::SlowDown => f.write_str(" again: it said slow_down"),
        }
    }
}

/// Why a [`Driver`](super::Driver) waits ([`Wait::reason`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// The endpoint answered with a retryable failure (429, 5xx,
    /// `temporarily_unavailable`, `server_error`) and named no time: the
    /// [`RetryPolicy`](crate::RetryPolicy)'s backoff, with jitter.
    Backoff {
        /// The HTTP status, when the failure was one (429, 5xx).
        status: Option<u16>,
        /// The OAuth `error` code, when the server sent one.
        error: Option<TokenErrorCode>,
    },
    /// The server's `Retry-After` (RFC 9110 §10.2.3) on a 429 or 5xx.
    RetryAfter {
        /// The HTTP status it came with.
        status: u16,
    },
    /// A device login or a backchannel authentication the user has not
    /// finished (`authorization_pending`, RFC 8628 §3.5, CIBA Core §11):
    /// the next poll, one interval later.
    AuthorizationPending,
    /// A device login or a backchannel authentication the server asked to
    /// poll less often (`slow_down`, RFC 8628 §3.5, CIBA Core §11): the
    /// next poll, one interval (5 s longer, for good) later.
    SlowDown,
    /// The earliest time the step's request may be sent
    /// ([`EndpointStep::not_before`](crate::EndpointStep::not_before)):
    /// a device login's first poll, or its next one after a restart.
    NotBefore,
}

impl WaitReason {
    /// Why the driver waits after `error`, an answer that gave the step
    /// back to send again.
    pub(super) fn after(error: &EndpointError) -> Self {
        match (error.code(), error.kind()) {
            (Some(TokenErrorCode::SlowDown), _) => Self::SlowDown,
            (Some(TokenErrorCode::AuthorizationPending), _) => Self::AuthorizationPending,
            (
                _,
                EndpointErrorKind::Unavailable {
                    status,
                    retry_after: Some(_),
                },
            ) => Self::RetryAfter { status: *status },
            (_, EndpointErrorKind::Unavailable { status, .. }) => Self::Backoff {
                status: Some(*status),
                error: None,
            },
            (code, _) => Self::Backoff {
                status: None,
                error: code.cloned(),
            },
        }
    }
}

//! Time as the caller tells it. No clock is ever read inside the crate.

use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch, as given by the caller's clock.
///
/// Every method that needs "now" takes one of these, so the crate stays
/// deterministic: tests and fuzzers pass any instant they like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The instant `seconds` after 1970-01-01T00:00:00Z.
    #[must_use]
    pub const fn from_secs(seconds: u64) -> Self {
        Self(seconds)
    }

    /// Reads the system clock. The only clock read in the crate, and only
    /// when the caller asks for it.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn now() -> Self {
        extern crate std;
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        Self(since_epoch.as_secs())
    }

    /// Seconds since the epoch.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// `self + duration`, saturating at the end of time instead of
    /// overflowing (a server may send a huge `expires_in`).
    #[must_use]
    pub const fn saturating_add(self, duration: Duration) -> Self {
        Self(self.0.saturating_add(duration.as_secs()))
    }

    /// `self - duration`, saturating at the epoch.
    #[must_use]
    pub const fn saturating_sub(self, duration: Duration) -> Self {
        Self(self.0.saturating_sub(duration.as_secs()))
    }

    /// How long from `earlier` to `self`; zero when `earlier` is later.
    #[must_use]
    pub const fn saturating_duration_since(self, earlier: UnixTime) -> Duration {
        Duration::from_secs(self.0.saturating_sub(earlier.0))
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s after the Unix epoch", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_saturating_arithmetic() {
        let now = UnixTime::from_secs(1_700_000_000);
        assert_eq!(now.as_secs(), 1_700_000_000);
        let later = now.saturating_add(Duration::from_secs(600));
        assert_eq!(later.as_secs(), 1_700_000_600);
        assert_eq!(later.saturating_sub(Duration::from_secs(600)), now);
        assert_eq!(
            later.saturating_duration_since(now),
            Duration::from_secs(600)
        );
        assert_eq!(now.saturating_duration_since(later), Duration::ZERO);
        assert_eq!(
            now.saturating_add(Duration::MAX),
            UnixTime::from_secs(u64::MAX)
        );
        assert_eq!(now.saturating_sub(Duration::MAX), UnixTime::from_secs(0));
    }
}

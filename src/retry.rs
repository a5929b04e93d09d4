//! When to send a step's request again: the sans-IO half of the drivers,
//! usable by itself where the caller owns the loop.

use core::time::Duration;

#[cfg(feature = "getrandom")]
use crate::error::CryptoError;

/// How often, and after how long, a step whose endpoint answered with a
/// retryable failure (429, 5xx, `temporarily_unavailable`,
/// `server_error`) is sent again.
///
/// The delay before the n-th retry is the server's `Retry-After` when it
/// gave one (RFC 9110 §10.2.3) — if that is more than
/// [`max_delay`](Self::max_delay), the step is given up and handed back for
/// the caller to schedule — and otherwise capped exponential backoff:
/// `base_delay · 2ⁿ⁻¹`, at most `max_delay`, of which a random half is
/// jitter, so that many clients failing together do not retry together.
/// The jitter's seed comes from the operating system
/// ([`from_os_rng`](Self::from_os_rng), feature `getrandom`: the one to
/// use) or from the caller ([`new`](Self::new): every instance of an app
/// given the same seed retries at the same instants).
///
/// ```
/// # use oauth2_pkce::RetryPolicy;
/// # use core::time::Duration;
/// # fn main() -> Result<(), oauth2_pkce::errors::CryptoError> {
/// let policy = RetryPolicy::from_os_rng()?.max_attempts(3);
/// let first = policy.delay(1, None, 0).unwrap();
/// assert!(first >= Duration::from_millis(250) && first <= Duration::from_millis(500));
/// assert_eq!(policy.delay(1, Some(Duration::from_secs(2)), 0), Some(Duration::from_secs(2)));
/// assert_eq!(policy.delay(3, None, 0), None); // the third attempt was the last
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter_seed: u64,
}

impl RetryPolicy {
    /// At most 4 attempts, 500 ms doubling up to 30 s, jitter drawn from
    /// `jitter_seed`: give every client (or every driver) its own, from a
    /// random source. A fixed seed is for tests;
    /// [`from_os_rng`](Self::from_os_rng) draws one.
    #[must_use]
    pub const fn new(jitter_seed: u64) -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            jitter_seed,
        }
    }

    /// As [`new`](Self::new), with a jitter seed from the operating
    /// system: the default to use, so that no two instances of an app
    /// retry at the same instants.
    ///
    /// # Errors
    /// [`CryptoError::EntropyUnavailable`] when the operating system has
    /// no randomness to give (retry later, or use [`new`](Self::new) with a seed of
    /// another source).
    #[cfg(feature = "getrandom")]
    pub fn from_os_rng() -> Result<Self, CryptoError> {
        let mut seed = [0; 8];
        crate::entropy::fill_from_os_rng(&mut seed)?;
        Ok(Self::new(u64::from_ne_bytes(seed)))
    }

    /// How many requests at most, the first one included (at least 1).
    #[must_use]
    pub const fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// The delay before the first retry, doubled for each one after.
    #[must_use]
    pub const fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest delay: backoff stops growing there, and a server that
    /// asks for more is not waited for.
    #[must_use]
    pub const fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The seed the jitter is drawn from.
    #[must_use]
    pub const fn jitter_seed(&self) -> u64 {
        self.jitter_seed
    }

    /// How long to wait before retry number `retry` (1 for the first),
    /// given what the server asked (`Retry-After`) and a random number;
    /// `None` when no retry should be made: the attempts are used up, or
    /// the server asked for longer than [`max_delay`](Self::max_delay).
    #[must_use]
    pub fn delay(
        &self,
        retry: u32,
        server_said: Option<Duration>,
        random: u64,
    ) -> Option<Duration> {
        if retry == 0 || retry >= self.max_attempts {
            return None;
        }
        if let Some(asked) = server_said {
            return (asked <= self.max_delay).then_some(asked);
        }
        let doubling = 2_u32
            .checked_pow(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let backoff = self
            .base_delay
            .checked_mul(doubling)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        // Half fixed, half jitter: uniform in [backoff / 2, backoff].
        let millis = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX);
        let half = millis / 2;
        let jitter = random.checked_rem(half.saturating_add(1)).unwrap_or(0);
        Some(Duration::from_millis(half.saturating_add(jitter)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_with_half_jitter() {
        let policy = RetryPolicy::new(1).max_attempts(10);
        for (retry, full) in [
            (1, 500),
            (2, 1000),
            (3, 2000),
            (4, 4000),
            (7, 30_000),
            (9, 30_000),
        ] {
            let least = policy.delay(retry, None, 0).unwrap();
            let most = policy.delay(retry, None, u64::MAX - 1).unwrap();
            assert_eq!(least, Duration::from_millis(full / 2), "{retry}");
            assert!(most <= Duration::from_millis(full), "{retry}");
            assert!(most >= least);
        }
        assert_eq!(policy.delay(10, None, 0), None);
        assert_eq!(policy.delay(0, None, 0), None);
    }

    #[test]
    fn the_server_is_believed_up_to_the_cap() {
        let policy = RetryPolicy::new(1).max_delay(Duration::from_secs(10));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(10)), 7),
            Some(Duration::from_secs(10))
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(11)), 7), None);
        assert_eq!(
            policy.delay(2, Some(Duration::ZERO), 7),
            Some(Duration::ZERO)
        );
    }

    /// Two policies seeded by the operating system jitter differently:
    /// two instances of an app do not retry at the same instants.
    #[cfg(feature = "getrandom")]
    #[test]
    fn os_seeded_policies_differ() {
        let first = RetryPolicy::from_os_rng().unwrap();
        let second = RetryPolicy::from_os_rng().unwrap();
        assert_ne!(first.jitter_seed(), second.jitter_seed());
        assert_ne!(first, second);
        assert_eq!(
            first.delay(1, None, 0),
            RetryPolicy::new(0).delay(1, None, 0)
        );
    }

    #[test]
    fn one_attempt_means_no_retry() {
        let policy = RetryPolicy::new(1).max_attempts(0);
        assert_eq!(policy.delay(1, None, 0), None);
    }
}

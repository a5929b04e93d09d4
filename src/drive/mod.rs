//! Drivers: run an [`EndpointStep`] to its end over the app's own HTTP
//! client, blocking or async, with the retry rules of [`RetryPolicy`]. No
//! HTTP client is a dependency: the app's client is a [`Transport`] or an
//! [`AsyncTransport`] (an adapter crate's, a type of its own, or a
//! function through [`transport::from_fn`]).

use alloc::sync::Arc;
use core::fmt;
use core::sync::atomic::{AtomicU32, Ordering};
use core::time::Duration;

use crate::error::{CryptoError, EndpointError, EndpointKind};
use crate::http::RequestBody;
use crate::retry::RetryPolicy;
use crate::step::EndpointStep;
use crate::step::RequestContext;
use crate::time::UnixTime;

mod chain;
mod error;
mod resource;
mod run;
mod sign_in;
#[cfg(test)]
mod tests;
pub mod transport;
mod wait;
pub use chain::{ChainError, ResourceAccess, ResourceLogin};
pub use error::DriveError;
use run::Jitter;
pub use transport::{AsyncTransport, Transport};
use wait::{Wait, WaitReason};

/// Runs endpoint steps over a transport `T`: sends the request, hands the
/// response to the step, and when the endpoint answered with a retryable
/// failure, sleeps as the [`RetryPolicy`] says (the server's
/// `Retry-After` first) and sends the request again. A step that names
/// the earliest time of its request ([`EndpointStep::not_before`]) is sent
/// no sooner: a device login ([`DevicePolling`](crate::device::DevicePolling),
/// RFC 8628 §3.5) is polled at the times it names
/// ([`Failure::poll_again_at`](crate::errors::Failure::poll_again_at)) until it
/// ends, without counting against the policy's attempts.
///
/// `Driver<T>` is a type an app can name and keep in its state (it is
/// `Send`, `Sync` and `Clone` when `T` is): [`run`](Self::run) and the
/// other blocking methods need `T: Transport`,
/// [`run_async`](Self::run_async) and the other `_async` ones
/// `T: AsyncTransport`. The transport sleeps too (blocking:
/// `std::thread::sleep` by default; async: the runtime's). An observer
/// ([`with_observer`](Self::with_observer)) hears why before each wait.
/// The clock is [`UnixTime::now`] unless [`with_clock`](Self::with_clock)
/// says otherwise. Each run draws its own jitter from the policy's seed
/// and the driver's count of runs, which its clones share: retries of one
/// run, of one driver's runs and of two instances of an app do not come
/// together.
///
/// ```no_run
/// # use oauth2_pkce::*;
/// # use oauth2_pkce::values::TokenTypeHint;
/// # fn send(_: http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, std::io::Error> { Ok(http::Response::new(Vec::new())) }
/// # fn run(exchanging: Exchanging, client: &Client) -> Result<(), Box<dyn std::error::Error>> {
/// // An adapter crate's transport (`oauth2_pkce_ureq::UreqTransport::new()`),
/// // or any send function:
/// let oauth = Driver::new(transport::from_fn(send))?;
/// let authorized = oauth.run(exchanging)?;
/// let refreshed = oauth.run(authorized.refresh(client)?)?;
/// oauth.run(refreshed.revoke(client, TokenTypeHint::RefreshToken)?)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Driver<T> {
    transport: T,
    policy: RetryPolicy,
    clock: Arc<dyn Fn() -> UnixTime + Send + Sync>,
    entropy: Arc<Entropy>,
    observer: Option<Arc<Observer>>,
    /// How many runs began, over this driver and its clones: mixed into
    /// each run's jitter.
    runs: Arc<AtomicU32>,
}

/// The caller's randomness ([`Driver::with_entropy`]).
type Entropy = dyn Fn() -> Result<[u8; 32], CryptoError> + Send + Sync;

/// The caller's observer of waits ([`Driver::with_observer`]).
type Observer = dyn Fn(&Wait) + Send + Sync;

impl<T> fmt::Debug for Driver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("transport", &core::any::type_name::<T>())
            .field("policy", &self.policy)
            .field("observed", &self.observer.is_some())
            .field("runs", &self.runs.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The operating system's randomness, when the `getrandom` feature is on.
fn os_entropy() -> Result<[u8; 32], CryptoError> {
    #[cfg(feature = "getrandom")]
    {
        let mut bytes = [0; 32];
        crate::entropy::fill_from_os_rng(&mut bytes)?;
        Ok(bytes)
    }
    #[cfg(not(feature = "getrandom"))]
    Err(CryptoError::EntropyUnavailable { os_error: None })
}

/// What to do after one response.
enum Next<S: EndpointStep, E> {
    Done(S::Output),
    /// The same step, after the delay (the observer has heard of it).
    Retry(S, Duration),
    /// Another step, at once (not counted as a retry).
    Fallback(S),
    /// The same step, at its [`EndpointStep::not_before`]: a device login
    /// still pending (RFC 8628 §3.5), not a failure, so the retry count
    /// starts over.
    PollAgain(S, WaitReason),
    Stop(DriveError<S, E>),
}

impl<T> Driver<T> {
    /// A driver over `transport` with a [`RetryPolicy`] whose jitter seed
    /// comes from the operating system ([`RetryPolicy::from_os_rng`]): the
    /// default, so that no two instances of an app retry at the same
    /// instants (a fixed seed makes every instance that failed together
    /// retry together). It reads [`UnixTime::now`] and draws each
    /// request's randomness from the operating system.
    ///
    /// # Errors
    /// [`CryptoError::EntropyUnavailable`] when the operating system has
    /// no randomness to give: retry later, or give a policy of another seed
    /// ([`with_policy`](Self::with_policy)).
    #[cfg(feature = "getrandom")]
    pub fn new(transport: T) -> Result<Self, CryptoError> {
        Ok(Self::with_policy(transport, RetryPolicy::from_os_rng()?))
    }

    /// A driver over `transport` with `policy`: a seed of the app's own
    /// source, or a fixed one in a test (every instance given the same
    /// seed retries at the same instants). It reads [`UnixTime::now`].
    #[must_use]
    pub fn with_policy(transport: T, policy: RetryPolicy) -> Self {
        Self {
            transport,
            policy,
            clock: Arc::new(UnixTime::now),
            entropy: Arc::new(os_entropy),
            observer: None,
            runs: Arc::new(AtomicU32::new(0)),
        }
    }

    /// The transport, to send requests of the app's own with (an API
    /// call that needs no token, say).
    #[must_use]
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Draws each request's randomness (a client assertion's `jti`) from
    /// `entropy` instead of the operating system: without the `getrandom`
    /// feature, a driver needs this to build requests that sign. Any
    /// closure: a generator of the caller's, behind a lock when it needs
    /// one, failing with [`CryptoError::EntropyUnavailable`] (the
    /// request then fails with [`DriveError::Crypto`], nothing sent).
    #[must_use]
    pub fn with_entropy(
        mut self,
        entropy: impl Fn() -> Result<[u8; 32], CryptoError> + Send + Sync + 'static,
    ) -> Self {
        self.entropy = Arc::new(entropy);
        self
    }

    /// Tells `observer` about every wait before it begins: the endpoint,
    /// the reason (a retryable failure, the server's `Retry-After`, a
    /// device login's next poll, the step's earliest time) and the
    /// duration, so that an app can log why a login takes long. It runs
    /// on the driver's thread or task, before the sleep function: keep it
    /// short.
    #[must_use]
    pub fn with_observer(mut self, observer: impl Fn(&Wait) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// `step`'s request for this moment, as `http`, or why there is none.
    fn build<S: EndpointStep, E>(
        &self,
        step: S,
    ) -> Result<(S, http::Request<RequestBody>), DriveError<S, E>> {
        let entropy = match (self.entropy)() {
            Ok(entropy) => entropy,
            Err(error) => return Err(DriveError::Crypto { error, step }),
        };
        let context = RequestContext::new((self.clock)(), entropy);
        match step.request(&context) {
            Ok(request) => Ok((step, request.into_http())),
            Err(error) => Err(DriveError::Crypto { error, step }),
        }
    }

    /// Reads `clock` instead of the system clock (for tests, or a clock of
    /// the caller's): any closure, such as one over a shared virtual time
    /// that a test advances.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> UnixTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The retry policy.
    #[must_use]
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The end of `step` when its request would be sent, `wait` from now,
    /// at or after its deadline ([`EndpointStep::not_after`]).
    fn past_deadline<S: EndpointStep>(&self, step: &S, wait: Duration) -> Option<EndpointError> {
        let expires_at = step.not_after()?;
        ((self.clock)().saturating_add(wait) >= expires_at)
            .then(|| EndpointError::new(S::ENDPOINT, step.deadline_error(expires_at)))
    }

    /// How long to wait before `step`'s request may be sent, or the end of
    /// the step when that would be at or after its deadline.
    fn before_send<S: EndpointStep, E>(
        &self,
        step: S,
        reason: WaitReason,
    ) -> Result<(S, Option<Duration>), DriveError<S, E>> {
        let wait = step.not_before().map_or(Duration::ZERO, |at| {
            at.saturating_duration_since((self.clock)())
        });
        if let Some(error) = self.past_deadline(&step, wait) {
            return Err(DriveError::Endpoint { error, step: None });
        }
        if wait.is_zero() {
            return Ok((step, None));
        }
        self.observe(S::ENDPOINT, reason, wait);
        Ok((step, Some(wait)))
    }

    /// Tells the observer, if there is one, of a wait about to begin.
    fn observe(&self, endpoint: EndpointKind, reason: WaitReason, wait: Duration) {
        if let Some(observer) = &self.observer {
            observer(&Wait::new(endpoint, reason, wait));
        }
    }

    /// The jitter of a new run: the policy's seed, mixed with the number
    /// of the run.
    fn jitter(&self) -> Jitter {
        let run = self.runs.fetch_add(1, Ordering::Relaxed);
        Jitter::for_run(self.policy.jitter_seed(), run)
    }

    /// Hands one response to `step` and decides what comes next.
    fn next<S: EndpointStep, B: AsRef<[u8]>, E>(
        &self,
        step: S,
        response: &http::Response<B>,
        retry: u32,
        jitter: &mut Jitter,
    ) -> Next<S, E> {
        let now = (self.clock)();
        let failure = match step.handle_response(response, now) {
            Ok(output) => return Next::Done(output),
            Err(failure) => failure,
        };
        let poll_again = failure.poll_again_at().is_some();
        let fallback = failure.is_fallback();
        let delay = self
            .policy
            .delay(retry, failure.retry_after(), jitter.next());
        let reason = WaitReason::after(failure.error());
        match (failure.into_parts(), fallback, delay) {
            ((_, Some(step)), _, _) if poll_again => Next::PollAgain(step, reason),
            ((_, Some(next)), true, _) => Next::Fallback(next),
            ((_, Some(step)), false, Some(delay)) => match self.past_deadline(&step, delay) {
                Some(error) => Next::Stop(DriveError::Endpoint { error, step: None }),
                None => {
                    self.observe(S::ENDPOINT, reason, delay);
                    Next::Retry(step, delay)
                }
            },
            ((error, step), _, _) => Next::Stop(DriveError::Endpoint { error, step }),
        }
    }
}

//! Drivers: run an [`EndpointStep`] to its end over the caller's own HTTP
//! client, blocking or async, with the retry rules of [`RetryPolicy`]. No
//! HTTP client is a dependency: the caller passes a function that sends an
//! `http::Request` and returns an `http::Response`.

use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::sync::atomic::{AtomicU32, Ordering};
use core::time::Duration;

use crate::entropy::EntropyUnavailable;
use crate::error::SigningError;
use crate::error::{EndpointError, EndpointErrorKind, EndpointKind};
use crate::flow::{Authorization, AuthorizationRequest, AwaitingCallback, PushingAuthorization};
use crate::http::RequestBody;
use crate::retry::RetryPolicy;
use crate::step::EndpointStep;
use crate::step::RequestContext;
use crate::time::UnixTime;

mod chain;
mod resource;
mod wait;
pub use chain::{ChainError, ResourceAccess, ResourceLogin};
pub use wait::{Wait, WaitReason};

/// Runs endpoint steps over a send function: sends the request, hands the
/// response to the step, and when the endpoint answered with a retryable
/// failure, sleeps as the [`RetryPolicy`] says (the server's
/// `Retry-After` first) and sends the request again. A step that names
/// the earliest time of its request ([`EndpointStep::not_before`]) is sent
/// no sooner: a device login ([`DevicePolling`](crate::DevicePolling),
/// RFC 8628 §3.5) is polled at the times it names
/// ([`Failure::poll_again_at`](crate::Failure::poll_again_at)) until it
/// ends, without counting against the policy's attempts.
///
/// Sleeping is the caller's: [`run`](Self::run) takes a sleep function
/// (`std::thread::sleep`), [`run_async`](Self::run_async) an async one
/// (`tokio::time::sleep`); an observer
/// ([`with_observer`](Self::with_observer)) hears why before each wait. The
/// clock is [`UnixTime::now`] unless [`with_clock`](Self::with_clock) says
/// otherwise. Each run draws its own jitter from the policy's seed (from
/// the operating system: [`RetryPolicy::from_os_rng`]) and the driver's
/// count of runs, which its clones share: retries of one run, of one
/// driver's runs and of two instances of an app do not come together.
///
/// ```no_run
/// # use oauth2_pkce::*;
/// # fn run(exchanging: Exchanging) -> Result<(), Box<dyn std::error::Error>> {
/// let agent: ureq::Agent = ureq::Agent::config_builder()
///     .http_status_as_error(false) // every answer goes to the step
///     .max_redirects(0)            // never follow a redirect
///     .build()
///     .into();
/// let driver = Driver::new(RetryPolicy::from_os_rng()?);
/// let authorized = driver.run(
///     exchanging,
///     |request| {
///         let (parts, mut body) = agent.run(request.map(RequestBody::into_bytes))?.into_parts();
///         Ok::<_, ureq::Error>(http::Response::from_parts(parts, body.read_to_vec()?))
///     },
///     std::thread::sleep,
/// )?;
/// # let _ = authorized; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Driver {
    policy: RetryPolicy,
    clock: Arc<dyn Fn() -> UnixTime + Send + Sync>,
    entropy: Arc<Entropy>,
    observer: Option<Arc<Observer>>,
    /// How many runs began, over this driver and its clones: mixed into
    /// each run's jitter.
    runs: Arc<AtomicU32>,
}

/// The caller's randomness ([`Driver::with_entropy`]).
type Entropy = dyn Fn() -> Result<[u8; 32], EntropyUnavailable> + Send + Sync;

/// The caller's observer of waits ([`Driver::with_observer`]).
type Observer = dyn Fn(&Wait) + Send + Sync;

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("policy", &self.policy)
            .field("observed", &self.observer.is_some())
            .field("runs", &self.runs.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The operating system's randomness, when the `getrandom` feature is on.
fn os_entropy() -> Result<[u8; 32], EntropyUnavailable> {
    #[cfg(feature = "getrandom")]
    {
        let mut bytes = [0; 32];
        crate::entropy::fill_from_os_rng(&mut bytes)?;
        Ok(bytes)
    }
    #[cfg(not(feature = "getrandom"))]
    Err(EntropyUnavailable::new(None))
}

/// Why a driver gave up on a step.
#[derive(Debug)]
#[non_exhaustive]
pub enum DriveError<S, E> {
    /// The send function failed: the request may or may not have reached
    /// the server. The step comes back, to be run again when the network
    /// is back (a code exchange that did reach the server will then get
    /// `invalid_grant`).
    Transport {
        /// The send function's error.
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
    /// values ([`Driver::with_entropy`]). Nothing was sent; the step comes
    /// back.
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
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Transport { error, .. } => Some(error),
            Self::Endpoint { error, .. } => Some(error),
            Self::Signing { error, .. } => Some(error),
            Self::Entropy { error, .. } => Some(error),
        }
    }
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

impl Driver {
    /// A driver with `policy`, reading [`UnixTime::now`].
    #[must_use]
    pub fn new(policy: RetryPolicy) -> Self {
        Self {
            policy,
            clock: Arc::new(UnixTime::now),
            entropy: Arc::new(os_entropy),
            observer: None,
            runs: Arc::new(AtomicU32::new(0)),
        }
    }

    /// Draws each request's randomness (a client assertion's `jti`) from
    /// `entropy` instead of the operating system: without the `getrandom`
    /// feature, a driver needs this to build requests that sign. Any
    /// closure: a generator of the caller's, behind a lock when it needs
    /// one.
    #[must_use]
    pub fn with_entropy(
        mut self,
        entropy: impl Fn() -> Result<[u8; 32], EntropyUnavailable> + Send + Sync + 'static,
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
            Err(error) => return Err(DriveError::Entropy { error, step }),
        };
        let context = RequestContext::new((self.clock)(), entropy);
        match step.request(&context) {
            Ok(request) => Ok((step, request.into_http())),
            Err(error) => Err(DriveError::Signing { error, step }),
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

    /// Binds the caller's send and sleep functions in, blocking
    /// or async (functions returning futures), so that each step runs in one
    /// call: [`BoundDriver::run`], [`BoundDriver::run_async`].
    #[must_use]
    pub fn bind<F, Z>(self, send: F, sleep: Z) -> BoundDriver<F, Z> {
        BoundDriver {
            driver: self,
            send,
            sleep,
        }
    }

    /// The end of `step` when its request would be sent, `wait` from now,
    /// at or after its deadline ([`EndpointStep::not_after`]).
    fn past_deadline<S: EndpointStep>(&self, step: &S, wait: Duration) -> Option<EndpointError> {
        let expires_at = step.not_after()?;
        ((self.clock)().saturating_add(wait) >= expires_at).then(|| {
            EndpointError::new(
                S::ENDPOINT,
                EndpointErrorKind::DeviceCodeExpired { expires_at },
            )
        })
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

    /// Runs `step` to its end over a blocking `send`, sleeping with `sleep`
    /// between retries.
    ///
    /// # Errors
    /// [`DriveError`]: the send function's error with the step, or the
    /// endpoint's failure (with the step when a later retry may help).
    pub fn run<S, B, E>(
        &self,
        mut step: S,
        mut send: impl FnMut(http::Request<RequestBody>) -> Result<http::Response<B>, E>,
        mut sleep: impl FnMut(Duration),
    ) -> Result<S::Output, DriveError<S, E>>
    where
        S: EndpointStep,
        B: AsRef<[u8]>,
    {
        let mut jitter = self.jitter();
        let mut retry: u32 = 1;
        let mut poll = WaitReason::NotBefore;
        loop {
            let reason = core::mem::replace(&mut poll, WaitReason::NotBefore);
            let (ready, wait) = self.before_send(step, reason)?;
            step = ready;
            if let Some(wait) = wait {
                sleep(wait);
            }
            let (built, request) = self.build(step)?;
            step = built;
            let response = match send(request) {
                Ok(response) => response,
                Err(error) => return Err(DriveError::Transport { error, step }),
            };
            match self.next(step, &response, retry, &mut jitter) {
                Next::Done(output) => return Ok(output),
                Next::Stop(error) => return Err(error),
                Next::Retry(again, delay) => {
                    sleep(delay);
                    step = again;
                    retry = retry.saturating_add(1);
                }
                Next::Fallback(next) => step = next,
                Next::PollAgain(again, reason) => {
                    step = again;
                    poll = reason;
                    retry = 1;
                }
            }
        }
    }

    /// Runs `step` to its end over an async `send`, awaiting `sleep`
    /// between retries.
    ///
    /// Both are functions that return a future: an async closure that does
    /// not borrow from itself (`async |request| send(&client, request).await`),
    /// or a function such as `tokio::time::sleep`. The future of `run_async`
    /// is `Send` whenever theirs are, so it runs under `tokio::spawn` and in
    /// axum handlers (with an `AsyncFnMut` bound it could not promise that).
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub async fn run_async<S, B, E, Sending, Sleeping>(
        &self,
        mut step: S,
        mut send: impl FnMut(http::Request<RequestBody>) -> Sending,
        mut sleep: impl FnMut(Duration) -> Sleeping,
    ) -> Result<S::Output, DriveError<S, E>>
    where
        S: EndpointStep,
        B: AsRef<[u8]>,
        Sending: Future<Output = Result<http::Response<B>, E>>,
        Sleeping: Future<Output = ()>,
    {
        let mut jitter = self.jitter();
        let mut retry: u32 = 1;
        let mut poll = WaitReason::NotBefore;
        loop {
            let reason = core::mem::replace(&mut poll, WaitReason::NotBefore);
            let (ready, wait) = self.before_send(step, reason)?;
            step = ready;
            if let Some(wait) = wait {
                sleep(wait).await;
            }
            let (built, request) = self.build(step)?;
            step = built;
            let response = match send(request).await {
                Ok(response) => response,
                Err(error) => return Err(DriveError::Transport { error, step }),
            };
            match self.next(step, &response, retry, &mut jitter) {
                Next::Done(output) => return Ok(output),
                Next::Stop(error) => return Err(error),
                Next::Retry(again, delay) => {
                    sleep(delay).await;
                    step = again;
                    retry = retry.saturating_add(1);
                }
                Next::Fallback(next) => step = next,
                Next::PollAgain(again, reason) => {
                    step = again;
                    poll = reason;
                    retry = 1;
                }
            }
        }
    }

    /// Begins a login as [`Start::authorize`](crate::Start::authorize)
    /// chose: a redirect is handed back as it is, a pushed authorization
    /// request is run to its end over `send` first.
    ///
    /// # Errors
    /// As [`run`](Self::run), for the pushed authorization request.
    // The error hands the pushed request back, to be sent again later.
    #[allow(clippy::result_large_err)]
    pub fn authorize<B, E>(
        &self,
        authorization: Authorization,
        send: impl FnMut(http::Request<RequestBody>) -> Result<http::Response<B>, E>,
        sleep: impl FnMut(Duration),
    ) -> Result<(AuthorizationRequest, AwaitingCallback), DriveError<PushingAuthorization, E>>
    where
        B: AsRef<[u8]>,
    {
        match authorization {
            Authorization::Redirect(request, pending) => Ok((request, pending)),
            Authorization::Push(pushing) => self.run(pushing, send, sleep),
        }
    }

    /// Begins a login as [`authorize`](Self::authorize), over an async
    /// `send`.
    ///
    /// # Errors
    /// As [`run`](Self::run), for the pushed authorization request.
    // The error hands the pushed request back, to be sent again later.
    #[allow(clippy::result_large_err)]
    pub async fn authorize_async<B, E, Sending, Sleeping>(
        &self,
        authorization: Authorization,
        send: impl FnMut(http::Request<RequestBody>) -> Sending,
        sleep: impl FnMut(Duration) -> Sleeping,
    ) -> Result<(AuthorizationRequest, AwaitingCallback), DriveError<PushingAuthorization, E>>
    where
        B: AsRef<[u8]>,
        Sending: Future<Output = Result<http::Response<B>, E>>,
        Sleeping: Future<Output = ()>,
    {
        match authorization {
            Authorization::Redirect(request, pending) => Ok((request, pending)),
            Authorization::Push(pushing) => self.run_async(pushing, send, sleep).await,
        }
    }
}

/// A [`Driver`] with its send and sleep functions bound in, made by
/// [`Driver::bind`]: each step then runs in one call.
///
/// ```no_run
/// # use oauth2_pkce::*;
/// # fn send(_: http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, std::io::Error> { Ok(http::Response::new(Vec::new())) }
/// # fn run(client: &Client, authorized: Authorized) -> Result<(), Box<dyn std::error::Error>> {
/// let mut oauth = Driver::new(RetryPolicy::from_os_rng()?).bind(send, std::thread::sleep);
/// let refreshed = oauth.run(authorized.refresh(client)?)?;
/// oauth.run(refreshed.revoke(client, TokenTypeHint::RefreshToken)?)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct BoundDriver<F, Z> {
    driver: Driver,
    send: F,
    sleep: Z,
}

impl<F, Z> BoundDriver<F, Z> {
    /// The driver underneath.
    #[must_use]
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// Runs `step` to its end, as [`Driver::run`].
    ///
    /// # Errors
    /// As [`Driver::run`].
    pub fn run<S, B, E>(&mut self, step: S) -> Result<S::Output, DriveError<S, E>>
    where
        S: EndpointStep,
        B: AsRef<[u8]>,
        F: FnMut(http::Request<RequestBody>) -> Result<http::Response<B>, E>,
        Z: FnMut(Duration),
    {
        self.driver.run(step, &mut self.send, &mut self.sleep)
    }

    /// Runs `step` to its end, as [`Driver::run_async`].
    ///
    /// # Errors
    /// As [`Driver::run`].
    pub async fn run_async<S, B, E, Sending, Sleeping>(
        &mut self,
        step: S,
    ) -> Result<S::Output, DriveError<S, E>>
    where
        S: EndpointStep,
        B: AsRef<[u8]>,
        F: FnMut(http::Request<RequestBody>) -> Sending,
        Z: FnMut(Duration) -> Sleeping,
        Sending: Future<Output = Result<http::Response<B>, E>>,
        Sleeping: Future<Output = ()>,
    {
        self.driver
            .run_async(step, &mut self.send, &mut self.sleep)
            .await
    }

    /// Begins a login, as [`Driver::authorize`].
    ///
    /// # Errors
    /// As [`Driver::run`], for the pushed authorization request.
    // The error hands the pushed request back, to be sent again later.
    #[allow(clippy::result_large_err)]
    pub fn authorize<B, E>(
        &mut self,
        authorization: Authorization,
    ) -> Result<(AuthorizationRequest, AwaitingCallback), DriveError<PushingAuthorization, E>>
    where
        B: AsRef<[u8]>,
        F: FnMut(http::Request<RequestBody>) -> Result<http::Response<B>, E>,
        Z: FnMut(Duration),
    {
        self.driver
            .authorize(authorization, &mut self.send, &mut self.sleep)
    }

    /// Begins a login, as [`Driver::authorize_async`].
    ///
    /// # Errors
    /// As [`Driver::run`], for the pushed authorization request.
    // The error hands the pushed request back, to be sent again later.
    #[allow(clippy::result_large_err)]
    pub async fn authorize_async<B, E, Sending, Sleeping>(
        &mut self,
        authorization: Authorization,
    ) -> Result<(AuthorizationRequest, AwaitingCallback), DriveError<PushingAuthorization, E>>
    where
        B: AsRef<[u8]>,
        F: FnMut(http::Request<RequestBody>) -> Sending,
        Z: FnMut(Duration) -> Sleeping,
        Sending: Future<Output = Result<http::Response<B>, E>>,
        Sleeping: Future<Output = ()>,
    {
        self.driver
            .authorize_async(authorization, &mut self.send, &mut self.sleep)
            .await
    }
}

/// SplitMix64: a small, fast generator for jitter (not for secrets), seeded
/// by the caller.
#[derive(Clone, Debug)]
struct Jitter(u64);

impl Jitter {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The generator of a driver's `run`-th run: seeded with the first
    /// output for the policy's seed mixed with the run number, so that
    /// runs do not share a stretch of one sequence.
    fn for_run(seed: u64, run: u32) -> Self {
        Self::new(Self::new(seed ^ u64::from(run).rotate_right(23)).next())
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::Discovery;
    use crate::error::EndpointErrorKind;
    use alloc::string::ToString;
    use alloc::vec::Vec;
    use core::cell::RefCell;

    const DOCUMENT: &[u8] = br#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t","code_challenge_methods_supported":["S256"]}"#;

    fn at_zero() -> UnixTime {
        UnixTime::from_secs(1_700_000_000)
    }

    fn driver(policy: RetryPolicy) -> Driver {
        Driver::new(policy).with_clock(at_zero)
    }

    fn step() -> Discovery {
        Discovery::new("https://as.example").unwrap()
    }

    /// An answer: status, `Retry-After`, body.
    type Answer = (u16, Option<&'static str>, &'static [u8]);

    /// A send function that plays `answers` in turn and records how many
    /// requests it saw.
    fn scripted<'a>(
        answers: &'static [Answer],
        sent: &'a RefCell<u32>,
    ) -> impl FnMut(http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, &'static str> + 'a
    {
        move |request| {
            assert!(request.uri().path().starts_with("/.well-known/"));
            let index = usize::try_from(*sent.borrow()).unwrap();
            *sent.borrow_mut() += 1;
            let (status, retry_after, body) = answers[index];
            let mut response = http::Response::builder().status(status);
            if let Some(value) = retry_after {
                response = response.header("retry-after", value);
            }
            Ok(response.body(body.to_vec()).unwrap())
        }
    }

    #[test]
    fn retries_after_what_the_server_asked_then_backs_off() {
        const ANSWERS: &[Answer] = &[
            (503, Some("2"), b""),
            (429, None, b""),
            (200, None, DOCUMENT),
        ];
        let sent = RefCell::new(0);
        let mut slept = Vec::new();
        let metadata = driver(RetryPolicy::new(7))
            .run(step(), scripted(ANSWERS, &sent), |delay| slept.push(delay))
            .unwrap();
        assert_eq!(metadata.issuer, "https://as.example");
        assert_eq!(*sent.borrow(), 3);
        assert_eq!(slept.len(), 2);
        assert_eq!(slept[0], Duration::from_secs(2));
        assert!(slept[1] >= Duration::from_millis(500) && slept[1] <= Duration::from_secs(1));
    }

    #[test]
    fn gives_up_after_the_last_attempt_with_the_step() {
        const ANSWERS: &[Answer] = &[(503, None, b""), (503, None, b""), (503, None, b"")];
        let sent = RefCell::new(0);
        let mut slept = 0;
        let error = driver(RetryPolicy::new(7).max_attempts(3))
            .run(step(), scripted(ANSWERS, &sent), |_| slept += 1)
            .unwrap_err();
        assert_eq!((*sent.borrow(), slept), (3, 2));
        assert_eq!(
            *error.endpoint_error().unwrap(),
            EndpointErrorKind::Unavailable {
                status: 503,
                retry_after: None
            }
        );
        assert!(error
            .to_string()
            .starts_with("the metadata document is unavailable"));
        assert_eq!(error.into_step(), Some(step()));
    }

    #[test]
    fn a_permanent_failure_stops_at_once() {
        const ANSWERS: &[Answer] = &[(404, None, b"")];
        let sent = RefCell::new(0);
        let explicit = step().well_known(crate::discovery::WellKnown::OAuthAuthorizationServer);
        let error = driver(RetryPolicy::new(7))
            .run(explicit, scripted(ANSWERS, &sent), |_| panic!("no sleep"))
            .unwrap_err();
        assert_eq!(*sent.borrow(), 1);
        assert!(error.endpoint_error().unwrap().is_not_found());
        assert!(error.into_step().is_none());
    }

    /// Discovery's 404 on the RFC 8414 document moves on to the OpenID one
    /// at once, without a sleep and without using up an attempt.
    #[test]
    fn a_fallback_runs_at_once() {
        const ANSWERS: &[Answer] = &[(404, None, b""), (503, None, b""), (200, None, DOCUMENT)];
        let sent = RefCell::new(0);
        let mut slept = 0;
        let metadata = driver(RetryPolicy::new(7).max_attempts(2))
            .run(step(), scripted(ANSWERS, &sent), |_| slept += 1)
            .unwrap();
        assert_eq!(metadata.issuer, "https://as.example");
        assert_eq!((*sent.borrow(), slept), (3, 1));
    }

    #[test]
    fn a_longer_wait_than_the_policy_allows_is_handed_back() {
        const ANSWERS: &[Answer] = &[(503, Some("120"), b"")];
        let sent = RefCell::new(0);
        let error = driver(RetryPolicy::new(7))
            .run(step(), scripted(ANSWERS, &sent), |_| panic!("no sleep"))
            .unwrap_err();
        assert_eq!(
            error.endpoint_error().unwrap().retry_after(),
            Some(Duration::from_secs(120))
        );
        assert_eq!(error.into_step(), Some(step()));
    }

    #[test]
    fn a_transport_error_hands_the_step_back() {
        let error = driver(RetryPolicy::new(7))
            .run(
                step(),
                |_| Err::<http::Response<Vec<u8>>, _>("connection refused"),
                |_| panic!("no sleep"),
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the request to the metadata document could not be sent: connection refused"
        );
        assert!(error.endpoint_error().is_none());
        assert_eq!(error.into_step(), Some(step()));
    }

    /// Polls a future that never waits on anything outside itself.
    fn block_on<F: core::future::Future>(future: F) -> F::Output {
        let mut future = core::pin::pin!(future);
        let mut context = core::task::Context::from_waker(core::task::Waker::noop());
        loop {
            if let core::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
        }
    }

    #[test]
    fn the_async_driver_follows_the_same_rules() {
        const ANSWERS: &[Answer] = &[(500, None, b""), (200, None, DOCUMENT)];
        let sent = RefCell::new(0);
        let mut send = scripted(ANSWERS, &sent);
        let slept = RefCell::new(Vec::new());
        let metadata = block_on(driver(RetryPolicy::new(7)).run_async(
            step(),
            |request| core::future::ready(send(request)),
            async |delay| slept.borrow_mut().push(delay),
        ))
        .unwrap();
        assert_eq!(metadata.issuer, "https://as.example");
        assert_eq!(*sent.borrow(), 2);
        assert_eq!(slept.borrow().len(), 1);
    }

    /// A bound driver runs step after step over the same functions, each
    /// with the policy's full set of attempts.
    #[test]
    fn a_bound_driver_runs_each_step_in_one_call() {
        const ANSWERS: &[Answer] = &[
            (503, None, b""),
            (200, None, DOCUMENT),
            (200, None, DOCUMENT),
        ];
        let sent = RefCell::new(0);
        let mut slept = 0;
        {
            let mut bound = driver(RetryPolicy::new(7).max_attempts(2))
                .bind(scripted(ANSWERS, &sent), |_| slept += 1);
            assert_eq!(bound.run(step()).unwrap().issuer, "https://as.example");
            assert_eq!(bound.run(step()).unwrap().issuer, "https://as.example");
            assert_eq!(bound.driver().policy().jitter_seed(), 7);
        }
        assert_eq!((*sent.borrow(), slept), (3, 1));
    }

    #[test]
    fn a_bound_async_driver_follows_the_same_rules() {
        const ANSWERS: &[Answer] = &[(429, Some("1"), b""), (200, None, DOCUMENT)];
        let sent = RefCell::new(0);
        let mut send = scripted(ANSWERS, &sent);
        let slept = RefCell::new(Vec::new());
        let mut bound = driver(RetryPolicy::new(7)).bind(
            |request| core::future::ready(send(request)),
            async |delay| slept.borrow_mut().push(delay),
        );
        let metadata = block_on(bound.run_async(step())).unwrap();
        assert_eq!(metadata.issuer, "https://as.example");
        assert_eq!(*sent.borrow(), 2);
        assert_eq!(*slept.borrow(), [Duration::from_secs(1)]);
    }

    /// The async drivers' futures are `Send` when the send and sleep
    /// futures are, even when `send` is an async closure borrowing its
    /// surroundings: they run under `tokio::spawn` and in axum handlers.
    #[test]
    fn the_async_drivers_futures_are_send() {
        fn send_future<F: core::future::Future + Send>(future: F) -> F {
            future
        }
        let transport = alloc::string::String::from("connection refused");
        let send = async |_request: http::Request<RequestBody>| {
            Err::<http::Response<Vec<u8>>, &str>(transport.as_str())
        };
        let sleep = async |_delay: Duration| {};
        let driver = driver(RetryPolicy::new(7));
        let error = block_on(send_future(driver.run_async(step(), send, sleep))).unwrap_err();
        assert_eq!(error.into_step(), Some(step()));
        let mut bound = driver.bind(send, sleep);
        let error = block_on(send_future(bound.run_async(step()))).unwrap_err();
        assert!(error.to_string().ends_with("connection refused"));
    }

    /// Each run of one driver draws its own jitter: a driver retrying step
    /// after step, or many instances started with one seed, do not retry
    /// at the same instants.
    #[test]
    fn each_run_of_one_driver_jitters_differently() {
        const ANSWERS: &[Answer] = &[(503, None, b""), (429, None, b""), (200, None, DOCUMENT)];
        let driver = driver(RetryPolicy::new(7));
        let clone = driver.clone();
        let mut runs = Vec::new();
        for driver in [&driver, &driver, &clone] {
            let sent = RefCell::new(0);
            let mut slept = Vec::new();
            driver
                .run(step(), scripted(ANSWERS, &sent), |delay| slept.push(delay))
                .unwrap();
            assert_eq!(slept.len(), 2);
            runs.push(slept);
        }
        assert_ne!(runs[0], runs[1]);
        assert_ne!(runs[1], runs[2]);
        assert_ne!(
            runs[0], runs[2],
            "a clone counts its runs with the original"
        );
    }

    /// A driver is a value an app keeps in its state and shares between
    /// threads and tasks.
    #[test]
    fn a_driver_is_send_sync_clone_and_debug() {
        fn shareable<T: Send + Sync + Clone + fmt::Debug + 'static>() {}
        shareable::<Driver>();
        let printed = alloc::format!("{:?}", driver(RetryPolicy::new(7)));
        assert!(
            printed.starts_with("Driver { policy: RetryPolicy"),
            "{printed}"
        );
    }

    /// The clock may be any closure: here one over a counter of the test's
    /// own that the sleep function advances, no global. A `Retry-After`
    /// date (RFC 9110 §10.2.3) is read against it: the same date is a
    /// shorter wait once the clock has moved.
    #[test]
    fn the_clock_is_any_closure() {
        use core::sync::atomic::AtomicU64;
        // 1_700_000_005: five seconds after `at_zero`.
        const DATE: &str = "Tue, 14 Nov 2023 22:13:25 GMT";
        const ANSWERS: &[Answer] = &[
            (503, Some(DATE), b""),
            (503, Some(DATE), b""),
            (200, None, DOCUMENT),
        ];
        let seconds = Arc::new(AtomicU64::new(1_700_000_000));
        let clock = Arc::clone(&seconds);
        let driver = Driver::new(RetryPolicy::new(7))
            .with_clock(move || UnixTime::from_secs(clock.load(Ordering::SeqCst)));
        let sent = RefCell::new(0);
        let mut slept = Vec::new();
        driver
            .run(step(), scripted(ANSWERS, &sent), |delay| {
                slept.push(delay);
                // The first wait is cut short: 3 s pass.
                seconds.fetch_add(3, Ordering::SeqCst);
            })
            .unwrap();
        assert_eq!(slept, [Duration::from_secs(5), Duration::from_secs(2)]);
    }

    /// An observer hears of every wait before it begins, with its reason:
    /// the server's `Retry-After`, the policy's backoff after a 429.
    #[test]
    fn the_observer_hears_why_the_driver_waits() {
        use std::sync::Mutex;
        const ANSWERS: &[Answer] = &[
            (503, Some("2"), b""),
            (429, None, b""),
            (200, None, DOCUMENT),
        ];
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&heard);
        let driver = driver(RetryPolicy::new(7))
            .with_observer(move |wait: &Wait| log.lock().unwrap().push(wait.clone()));
        let sent = RefCell::new(0);
        let mut slept = Vec::new();
        driver
            .run(step(), scripted(ANSWERS, &sent), |delay| slept.push(delay))
            .unwrap();
        let heard = heard.lock().unwrap();
        let durations: Vec<Duration> = heard.iter().map(Wait::duration).collect();
        assert_eq!(durations, slept);
        assert!(heard
            .iter()
            .all(|wait| wait.endpoint() == EndpointKind::Metadata));
        assert_eq!(*heard[0].reason(), WaitReason::RetryAfter { status: 503 });
        assert_eq!(
            *heard[1].reason(),
            WaitReason::Backoff {
                status: Some(429),
                error: None
            }
        );
        assert_eq!(
            heard[0].to_string(),
            "waiting 2 s to send to the metadata document again: it asked to (Retry-After, HTTP 503)"
        );
    }

    /// SplitMix64's published first outputs for seed 0.
    #[test]
    fn splitmix64_reference() {
        let mut jitter = Jitter::new(0);
        assert_eq!(jitter.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(jitter.next(), 0x6E78_9E6A_A1B9_65F4);
    }
}

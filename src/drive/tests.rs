//! The driver's rules, on scripted answers.

use super::*;
use crate::discovery::Discovery;
use crate::error::EndpointErrorKind;
use alloc::string::ToString;
use alloc::vec::Vec;
use std::sync::Mutex;

const DOCUMENT: &[u8] = br#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t","code_challenge_methods_supported":["S256"]}"#;

fn at_zero() -> UnixTime {
    UnixTime::from_secs(1_700_000_000)
}

fn driver<T>(transport: T, policy: RetryPolicy) -> Driver<T> {
    Driver::with_policy(transport, policy).with_clock(at_zero)
}

fn step() -> Discovery {
    Discovery::new("https://as.example").unwrap()
}

/// An answer: status, `Retry-After`, body.
type Answer = (u16, Option<&'static str>, &'static [u8]);

/// A transport that plays `answers` in turn, blocking or async, and
/// records how many requests it saw and how long it slept.
#[derive(Debug, Default)]
struct Scripted {
    answers: &'static [Answer],
    sent: Mutex<usize>,
    slept: Mutex<Vec<Duration>>,
}

impl Scripted {
    fn new(answers: &'static [Answer]) -> Self {
        Self {
            answers,
            ..Self::default()
        }
    }

    fn sent(&self) -> usize {
        *self.sent.lock().unwrap()
    }

    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }

    fn answer(&self, request: &http::Request<RequestBody>) -> http::Response<Vec<u8>> {
        assert!(request.uri().path().starts_with("/.well-known/"));
        let mut sent = self.sent.lock().unwrap();
        let (status, retry_after, body) = self.answers[*sent];
        *sent += 1;
        let mut response = http::Response::builder().status(status);
        if let Some(value) = retry_after {
            response = response.header("retry-after", value);
        }
        response.body(body.to_vec()).unwrap()
    }
}

impl Transport for Scripted {
    type Error = std::io::Error;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, std::io::Error> {
        Ok(self.answer(&request))
    }

    fn sleep(&self, duration: Duration) {
        self.slept.lock().unwrap().push(duration);
    }
}

impl AsyncTransport for Scripted {
    type Error = std::io::Error;

    async fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, std::io::Error> {
        Ok(self.answer(&request))
    }

    async fn sleep(&self, duration: Duration) {
        self.slept.lock().unwrap().push(duration);
    }
}

/// A transport whose every send fails.
fn refused(_: http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, std::io::Error> {
    Err(std::io::Error::other("connection refused"))
}

fn no_sleep(_: Duration) {
    panic!("no sleep")
}

#[test]
fn retries_after_what_the_server_asked_then_backs_off() {
    const ANSWERS: &[Answer] = &[
        (503, Some("2"), b""),
        (429, None, b""),
        (200, None, DOCUMENT),
    ];
    let driver = driver(Scripted::new(ANSWERS), RetryPolicy::new(7));
    let metadata = driver.run(step()).unwrap();
    assert_eq!(metadata.issuer, "https://as.example");
    assert_eq!(driver.transport().sent(), 3);
    let slept = driver.transport().slept();
    assert_eq!(slept.len(), 2);
    assert_eq!(slept[0], Duration::from_secs(2));
    assert!(slept[1] >= Duration::from_millis(500) && slept[1] <= Duration::from_secs(1));
}

#[test]
fn gives_up_after_the_last_attempt_with_the_step() {
    const ANSWERS: &[Answer] = &[(503, None, b""), (503, None, b""), (503, None, b"")];
    let driver = driver(Scripted::new(ANSWERS), RetryPolicy::new(7).max_attempts(3));
    let error = driver.run(step()).unwrap_err();
    let transport = driver.transport();
    assert_eq!((transport.sent(), transport.slept().len()), (3, 2));
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
    let explicit = step().well_known(crate::discovery::WellKnown::OAuthAuthorizationServer);
    let driver = driver(Scripted::new(ANSWERS), RetryPolicy::new(7));
    let error = driver.run(explicit).unwrap_err();
    assert_eq!(driver.transport().sent(), 1);
    assert!(driver.transport().slept().is_empty());
    assert!(error.endpoint_error().unwrap().is_not_found());
    assert!(error.into_step().is_none());
}

/// Discovery's 404 on the RFC 8414 document moves on to the OpenID one
/// at once, without a sleep and without using up an attempt.
#[test]
fn a_fallback_runs_at_once() {
    const ANSWERS: &[Answer] = &[(404, None, b""), (503, None, b""), (200, None, DOCUMENT)];
    let driver = driver(Scripted::new(ANSWERS), RetryPolicy::new(7).max_attempts(2));
    let metadata = driver.run(step()).unwrap();
    assert_eq!(metadata.issuer, "https://as.example");
    let transport = driver.transport();
    assert_eq!((transport.sent(), transport.slept().len()), (3, 1));
}

#[test]
fn a_longer_wait_than_the_policy_allows_is_handed_back() {
    const ANSWERS: &[Answer] = &[(503, Some("120"), b"")];
    let driver = driver(Scripted::new(ANSWERS), RetryPolicy::new(7));
    let error = driver.run(step()).unwrap_err();
    assert!(driver.transport().slept().is_empty());
    assert_eq!(
        error.endpoint_error().unwrap().retry_after(),
        Some(Duration::from_secs(120))
    );
    assert_eq!(error.into_step(), Some(step()));
}

#[test]
fn a_transport_error_hands_the_step_back() {
    let transport = transport::from_fn(refused).with_sleep(no_sleep);
    let error = driver(transport, RetryPolicy::new(7))
        .run(step())
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
    const ANSWERS: &[Answer] = &[
        (429, Some("1"), b""),
        (500, None, b""),
        (200, None, DOCUMENT),
    ];
    let driver = driver(Scripted::new(ANSWERS), RetryPolicy::new(7));
    let metadata = block_on(driver.run_async(step())).unwrap();
    assert_eq!(metadata.issuer, "https://as.example");
    assert_eq!(driver.transport().sent(), 3);
    let slept = driver.transport().slept();
    assert_eq!(slept[0], Duration::from_secs(1));
    assert!(slept[1] >= Duration::from_millis(500) && slept[1] <= Duration::from_secs(1));
}

/// One driver runs step after step over its transport, each with the
/// policy's full set of attempts.
#[test]
fn a_driver_runs_each_step_in_one_call() {
    const ANSWERS: &[Answer] = &[
        (503, None, b""),
        (200, None, DOCUMENT),
        (200, None, DOCUMENT),
    ];
    let driver = driver(Scripted::new(ANSWERS), RetryPolicy::new(7).max_attempts(2));
    assert_eq!(driver.run(step()).unwrap().issuer, "https://as.example");
    assert_eq!(driver.run(step()).unwrap().issuer, "https://as.example");
    assert_eq!(driver.policy().jitter_seed(), 7);
    let transport = driver.transport();
    assert_eq!((transport.sent(), transport.slept().len()), (3, 1));
}

/// Two functions make a transport, blocking or async: a test's or a small
/// app's one-liner.
#[test]
fn functions_make_a_transport() {
    const ANSWERS: &[Answer] = &[(503, Some("3"), b""), (200, None, DOCUMENT)];
    let scripted = Scripted::new(ANSWERS);
    let slept = Mutex::new(Vec::new());
    let blocking = transport::from_fn(|request| Transport::send(&scripted, request))
        .with_sleep(|delay| slept.lock().unwrap().push(delay));
    let metadata = driver(blocking, RetryPolicy::new(7)).run(step()).unwrap();
    assert_eq!(metadata.issuer, "https://as.example");
    assert_eq!(*slept.lock().unwrap(), [Duration::from_secs(3)]);

    let scripted = Scripted::new(ANSWERS);
    let answers = &scripted;
    let asynchronous = transport::from_async_fn(
        |request| core::future::ready(Transport::send(answers, request)),
        |delay| {
            answers.slept.lock().unwrap().push(delay);
            core::future::ready(())
        },
    );
    let metadata = block_on(driver(asynchronous, RetryPolicy::new(7)).run_async(step())).unwrap();
    assert_eq!(metadata.issuer, "https://as.example");
    assert_eq!(scripted.slept(), [Duration::from_secs(3)]);
}

/// The async driver's futures are `Send` when the transport is `Sync`:
/// they run under `tokio::spawn` and in axum handlers.
#[test]
fn the_async_drivers_futures_are_send() {
    fn send_future<F: core::future::Future + Send>(future: F) -> F {
        future
    }
    let transport = transport::from_async_fn(
        |request| core::future::ready(refused(request)),
        |_| core::future::ready(()),
    );
    let driver = driver(transport, RetryPolicy::new(7));
    let error = block_on(send_future(driver.run_async(step()))).unwrap_err();
    assert!(error.to_string().ends_with("connection refused"));
    assert_eq!(error.into_step(), Some(step()));
    let scripted = Scripted::new(&[(200, None, DOCUMENT)]);
    let driver = self::driver(&scripted, RetryPolicy::new(7));
    block_on(send_future(driver.run_async(step()))).unwrap();
}

/// Each run of one driver draws its own jitter: a driver retrying step
/// after step, or many instances started with one seed, do not retry
/// at the same instants.
#[test]
fn each_run_of_one_driver_jitters_differently() {
    const ANSWERS: &[Answer] = &[(503, None, b""), (429, None, b""), (200, None, DOCUMENT)];
    let runs: [Scripted; 3] = core::array::from_fn(|_| Scripted::new(ANSWERS));
    let driver = driver(&runs[0], RetryPolicy::new(7));
    let clone = driver.clone();
    driver.run(step()).unwrap();
    // The same driver's counter, another transport: borrowed by a copy.
    let second = Driver {
        transport: &runs[1],
        ..driver.clone()
    };
    second.run(step()).unwrap();
    let third = Driver {
        transport: &runs[2],
        ..clone
    };
    third.run(step()).unwrap();
    let slept: Vec<Vec<Duration>> = runs.iter().map(Scripted::slept).collect();
    assert!(slept.iter().all(|run| run.len() == 2));
    assert_ne!(slept[0], slept[1]);
    assert_ne!(slept[1], slept[2]);
    assert_ne!(
        slept[0], slept[2],
        "a clone counts its runs with the original"
    );
}

/// A driver is a value an app keeps in its state and shares between
/// threads and tasks, whenever its transport is.
#[test]
fn a_driver_is_send_sync_clone_and_debug() {
    fn shareable<T: Send + Sync + Clone + fmt::Debug + 'static>() {}
    type Refusing = transport::FnTransport<
        fn(http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, std::io::Error>,
    >;
    shareable::<Driver<Refusing>>();
    shareable::<Driver<&'static Scripted>>();

    /// An app's state, with its driver in a field.
    #[derive(Clone, Debug)]
    struct AppState {
        oauth: Driver<Refusing>,
    }
    let state = AppState {
        oauth: driver(transport::from_fn(refused as _), RetryPolicy::new(7)),
    };
    shareable::<AppState>();
    let printed = alloc::format!("{:?}", state.clone().oauth);
    assert!(
        printed.starts_with("Driver { transport: \"oauth2_pkce::drive::transport::FnTransport<"),
        "{printed}"
    );
    assert!(printed.contains("policy: RetryPolicy"), "{printed}");
    assert!(state.oauth.run(step()).is_err());
}

/// `Driver::new` draws the policy's seed from the operating system: two
/// drivers retry at different instants.
#[cfg(feature = "getrandom")]
#[test]
fn a_new_driver_has_an_os_seeded_policy() {
    let first = Driver::new(transport::from_fn(refused)).unwrap();
    let second = Driver::new(transport::from_fn(refused)).unwrap();
    assert_ne!(first.policy().jitter_seed(), second.policy().jitter_seed());
    assert_eq!(
        *first.policy(),
        RetryPolicy::new(first.policy().jitter_seed())
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
    let scripted = Scripted::new(ANSWERS);
    let slept = Mutex::new(Vec::new());
    let transport =
        transport::from_fn(|request| Transport::send(&scripted, request)).with_sleep(|delay| {
            slept.lock().unwrap().push(delay);
            // The first wait is cut short: 3 s pass.
            seconds.fetch_add(3, Ordering::SeqCst);
        });
    let driver = Driver::with_policy(transport, RetryPolicy::new(7))
        .with_clock(move || UnixTime::from_secs(clock.load(Ordering::SeqCst)));
    driver.run(step()).unwrap();
    assert_eq!(
        *slept.lock().unwrap(),
        [Duration::from_secs(5), Duration::from_secs(2)]
    );
}

/// An observer hears of every wait before it begins, with its reason:
/// the server's `Retry-After`, the policy's backoff after a 429.
#[test]
fn the_observer_hears_why_the_driver_waits() {
    const ANSWERS: &[Answer] = &[
        (503, Some("2"), b""),
        (429, None, b""),
        (200, None, DOCUMENT),
    ];
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&heard);
    let driver = driver(Scripted::new(ANSWERS), RetryPolicy::new(7))
        .with_observer(move |wait: &Wait| log.lock().unwrap().push(wait.clone()));
    driver.run(step()).unwrap();
    let heard = heard.lock().unwrap();
    let durations: Vec<Duration> = heard.iter().map(Wait::duration).collect();
    assert_eq!(durations, driver.transport().slept());
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

/// Each run of a driver has its own jitter, whatever the seed: the run
/// number is mixed into the seed, not merely set in it (a seed with every
/// bit set would otherwise give every run the same waits).
#[test]
fn runs_do_not_share_a_jitter_sequence() {
    for seed in [0, 0x5eed, u64::MAX] {
        let first = Jitter::for_run(seed, 1).next();
        assert_ne!(first, Jitter::for_run(seed, 2).next(), "{seed:#x}");
        assert_ne!(first, Jitter::for_run(seed, 3).next(), "{seed:#x}");
    }
}

/// A blocking transport that says nothing of sleeping sleeps the thread.
#[test]
fn a_transport_sleeps_the_thread_by_default() {
    struct Refusing;
    impl Transport for Refusing {
        type Error = std::io::Error;
        fn send(
            &self,
            _: http::Request<RequestBody>,
        ) -> Result<http::Response<Vec<u8>>, std::io::Error> {
            Err(std::io::Error::other("offline"))
        }
    }
    let pause = Duration::from_millis(30);
    let started = std::time::Instant::now();
    Refusing.sleep(pause);
    assert!(started.elapsed() >= pause);
}

//! The drivers against the embedded authorization server (oxide-auth on
//! 127.0.0.1), over a real HTTP client (ureq): discovery, the code
//! exchange through injected outages, refresh and revocation, blocking and
//! async, with the sleeps recorded instead of slept.

use crate::common;

use std::cell::RefCell;
use std::time::Duration;

use oauth2_pkce::errors::{EndpointKind, TokenErrorCode};
use oauth2_pkce::values::TokenTypeHint;
use oauth2_pkce::*;
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig, DEMO_CLIENT_ID};

/// The embedded server's transport: ureq, never following a redirect.
type Loopback = transport::FnTransport<UreqSend, fn(Duration)>;

/// ureq's send function, as a function pointer.
type UreqSend = fn(http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, ureq::Error>;

/// A driver over ureq, kept as a named type.
fn driver() -> Driver<Loopback> {
    with_sleep(no_sleep)
}

fn no_sleep(_: Duration) {
    panic!("no retry needed")
}

/// A driver over ureq whose sleeps go to `sleep`.
fn with_sleep<Z: Fn(Duration)>(sleep: Z) -> Driver<transport::FnTransport<UreqSend, Z>> {
    let send: fn(_) -> _ = common::send;
    Driver::with_policy(
        transport::from_fn(send).with_sleep(sleep),
        RetryPolicy::new(0x0a11_ce5e_ed00_0001),
    )
    .with_clock(|| common::NOW)
}

/// The client of the demo registration, from the server's discovered
/// metadata.
fn discovered_client<T: Transport>(server: &AuthorizationServer, driver: &Driver<T>) -> Client {
    let discovery = Discovery::new(server.issuer()).unwrap();
    assert_eq!(
        discovery.request(&crate::CONTEXT).unwrap().uri(),
        server.metadata_endpoint()
    );
    let metadata = driver.run(discovery).unwrap();
    assert_eq!(metadata.token_endpoint, server.token_endpoint());
    common::client(
        metadata,
        DEMO_CLIENT_ID,
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(
            oauth2_pkce_test_server::DEMO_CLIENT_SECRET,
        )),
    )
}

#[test]
fn blocking_driver_runs_every_step_through_outages() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let driver = driver();
    let client = discovered_client(&server, &driver);

    // The code exchange, through two injected 503s (Retry-After: 1).
    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    server.fail_next_token_requests(2);
    let slept = RefCell::new(Vec::new());
    let recording = with_sleep(|delay| slept.borrow_mut().push(delay));
    let authorized = recording.run(exchanging).unwrap();
    assert_eq!(*slept.borrow(), [Duration::from_secs(1); 2]);
    assert_eq!(common::call_api(&server, &authorized).status(), 200);

    // Refresh, then revoke the refresh token: the same driver, the same
    // two lines.
    let refreshed = driver.run(authorized.refresh(&client).unwrap()).unwrap();
    assert_eq!(refreshed.tokens().generation(), 1);
    let revocation = refreshed
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    driver.run(revocation).unwrap();
    let error = driver.run(refreshed.refresh(&client).unwrap()).unwrap_err();
    // One call from the driver's error to the protocol's code.
    assert!(
        error.code() == Some(&TokenErrorCode::InvalidGrant),
        "{error}"
    );
    assert_eq!(error.endpoint(), EndpointKind::Token);
    assert!(!error.is_retryable());
    assert_eq!(error.retry_after(), None);
    server.shutdown();
}

#[test]
fn a_driver_that_gives_up_hands_the_step_back_for_later() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let driver = driver();
    let client = discovered_client(&server, &driver);
    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();

    // Four outages, two attempts allowed: given up, the code kept.
    server.fail_next_token_requests(4);
    let send: fn(_) -> _ = common::send;
    let impatient = Driver::with_policy(
        transport::from_fn(send).with_sleep(|_| {}),
        RetryPolicy::new(1).max_attempts(2),
    )
    .with_clock(|| common::NOW);
    let error = impatient.run(exchanging).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the token endpoint is unavailable (HTTP 503); retry in 1 s"
    );
    let exchanging = error
        .into_step()
        .expect("a retryable failure keeps the step");
    let error = impatient.run(exchanging).unwrap_err();
    let exchanging = error.into_step().unwrap();

    // Later, the server is back: the same code is exchanged.
    let authorized = driver.run(exchanging).unwrap();
    assert_eq!(common::call_api(&server, &authorized).status(), 200);
    server.shutdown();
}

/// Polls a future whose only waits are the ones it makes itself.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

#[test]
fn async_driver_runs_the_exchange_through_an_outage() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let driver = driver();
    let client = discovered_client(&server, &driver);
    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    server.fail_next_token_requests(1);
    let slept = std::sync::Mutex::new(Vec::new());
    let transport = transport::from_async_fn(
        |request| std::future::ready(common::send(request)),
        |delay| {
            slept.lock().unwrap().push(delay);
            std::future::ready(())
        },
    );
    let authorized = block_on(
        Driver::with_policy(transport, RetryPolicy::new(7))
            .with_clock(|| common::NOW)
            .run_async(exchanging),
    )
    .unwrap();
    assert_eq!(*slept.lock().unwrap(), [Duration::from_secs(1)]);
    assert_eq!(common::call_api(&server, &authorized).status(), 200);
    server.shutdown();
}

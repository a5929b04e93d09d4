//! Interop: the device authorization grant (RFC 8628) against
//! oidc-provider on 127.0.0.1, the test playing the user at the
//! verification URI in a browser of its own (oidc-provider's user code
//! form, its confirmation page, then the login and consent interactions).
//!
//! How oidc-provider behaves: its device authorization response has no
//! `interval` (so 5 s, RFC 8628 §3.2); the verification URI is the
//! issuer's `/device`, `http` on a loopback IP literal here, which the
//! crate accepts for display; it answers `authorization_pending` until the
//! user finished, `access_denied` after they aborted, and `expired_token`
//! once the device code's `ttl` passed. It never sends `slow_down` by
//! itself: `server.mjs` keeps RFC 8628 §3.5's pace in front of the token
//! endpoint — a poll sooner than the interval gets `slow_down` and is
//! logged `device poll too soon` — and tells `device-slow-client`'s first
//! poll to slow down, so every test here checks that no poll came early.
//!
//! The polls run on the real clock (`UnixTime::now`, `thread::sleep`):
//! these tests take seconds each.

use std::time::Duration;

use crate::interop_node_common;

use interop_node_common::{send, OidcProvider, OpClient, DEVICE_SHORT_TTL, TEST_USER};
use oauth2_pkce::{
    device::AwaitingDeviceApproval, device::DeviceAuthorization, device::DevicePolling,
    errors::DriveError, errors::EndpointErrorKind, errors::TokenErrorCode, transport,
    values::TokenTypeHint, Client, Driver, EndpointStep, RetryPolicy, Scope, Transport, UnixTime,
};

/// A driver on the real clock, sleeping for real.
fn driver() -> Driver<impl Transport<Error = ureq::Error>> {
    Driver::with_policy(
        transport::from_fn(send),
        RetryPolicy::new(u64::from_ne_bytes(*b"device!!")),
    )
}

/// Starts a device login for `client`, asking for `scope`: the request
/// goes to the discovered `device_authorization_endpoint`, and what comes
/// back is fit to show.
fn start(server: &OidcProvider, client: &Client, scope: &str) -> DevicePolling {
    let step = DeviceAuthorization::new(client, Scope::parse(scope).unwrap()).unwrap();
    let request = step.request(&crate::context()).unwrap();
    assert_eq!(request.uri(), server.url("/device/auth"));
    let response = send(request.into_http()).unwrap();
    assert_eq!(response.status(), 200, "{}", server.log());
    let polling = step.handle_response(&response, UnixTime::now()).unwrap();
    let pending = polling.pending();
    assert_eq!(pending.verification_uri().as_str(), server.url("/device"));
    let complete = pending.verification_uri_complete().unwrap().as_str();
    assert!(
        complete.ends_with(&format!("?user_code={}", pending.user_code())),
        "{complete}"
    );
    // oidc-provider's default: base-20 characters, `****-****`.
    assert_eq!(pending.user_code().as_str().len(), 9);
    assert_eq!(pending.interval(), Duration::from_secs(5));
    polling
}

/// Waits for the poll time `polling` names, sends its request and hands
/// the answer back (what a driver does, one poll at a time).
fn poll_once(
    polling: DevicePolling,
) -> Result<oauth2_pkce::Authorized, oauth2_pkce::errors::Failure<DevicePolling>> {
    let at = polling.pending().next_poll_at();
    std::thread::sleep(at.saturating_duration_since(UnixTime::now()));
    let response = send(polling.request(&crate::context()).unwrap().into_http()).unwrap();
    polling.handle_response(&response, UnixTime::now())
}

/// No poll reached the server before its interval had passed.
fn assert_paced(server: &OidcProvider) {
    let log = server.log();
    assert!(!log.contains("device poll too soon"), "{log}");
}

/// The user approves after the device saw `authorization_pending`: the
/// device gets tokens like any grant's, which refresh and revoke.
#[test]
fn device_login_approved_after_pending() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Device);
    let polling = start(&server, &client, "openid profile");

    // The user has not done anything yet.
    let failure = poll_once(polling).unwrap_err();
    assert_eq!(
        failure.code(),
        Some(&TokenErrorCode::AuthorizationPending),
        "{}",
        server.log()
    );
    let at = failure.poll_again_at().unwrap();
    let polling = failure.into_retry().unwrap();
    assert_eq!(polling.pending().next_poll_at(), at);

    // A restart between polls: the device stores the pending login and
    // polls again with its client.
    let stored = serde_json::to_vec(polling.pending()).unwrap();
    let polling = AwaitingDeviceApproval::from_json(&stored)
        .unwrap()
        .poll(&client)
        .unwrap();

    server.device_user(polling.pending(), true);

    let authorized = driver().run(polling).unwrap();
    assert_eq!(authorized.issuer(), server.issuer());
    let tokens = authorized.tokens();
    assert_eq!(tokens.scope(), &Scope::parse("openid profile").unwrap());
    assert!(tokens.refresh_token().is_some());
    assert!(tokens.extra().contains("id_token"));
    let me = server.userinfo(Some(&authorized));
    assert_eq!(me.status(), 200, "{}", server.log());
    let me: serde_json::Value = serde_json::from_slice(me.body()).unwrap();
    assert_eq!(me["sub"], TEST_USER);

    // Like every other grant's tokens: refresh, then revoke.
    let refreshed = interop_node_common::scenario::refresh(&client, &authorized, None).unwrap();
    assert_ne!(
        refreshed.tokens().access_token(),
        authorized.tokens().access_token()
    );
    interop_node_common::scenario::revoke(&client, &refreshed, TokenTypeHint::RefreshToken);
    assert_eq!(server.userinfo(Some(&refreshed)).status(), 401);
    assert_paced(&server);
}

/// The server asks the device to slow down: the next poll comes 5 s later
/// than before, and for good (RFC 8628 §3.5); a public client.
#[test]
fn device_login_obeys_slow_down() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::DeviceSlow);
    let polling = start(&server, &client, "openid");
    let before = polling.pending().interval();

    let failure = poll_once(polling).unwrap_err();
    assert_eq!(
        failure.code(),
        Some(&TokenErrorCode::SlowDown),
        "{}",
        server.log()
    );
    assert!(failure.error().is_authorization_pending());
    let polling = failure.into_retry().unwrap();
    assert_eq!(
        polling.pending().interval(),
        before + Duration::from_secs(5)
    );

    server.device_user(polling.pending(), true);
    let authorized = driver().run(polling).unwrap();
    assert_eq!(
        authorized.tokens().scope(),
        &Scope::parse("openid").unwrap()
    );
    let log = server.log();
    assert!(
        log.contains("device poll: slow_down, interval now 10 s"),
        "{log}"
    );
    assert_paced(&server);
}

/// The user aborts on the confirmation page: the device's next poll ends
/// the login with `access_denied`, and no step comes back.
#[test]
fn device_login_denied() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Device);
    let polling = start(&server, &client, "openid");
    server.device_user(polling.pending(), false);
    let error = driver().run(polling).unwrap_err();
    let DriveError::Endpoint { error, step } = error else {
        panic!("{error}");
    };
    assert!(
        error.code() == Some(&TokenErrorCode::AccessDenied),
        "{error}\n{}",
        server.log()
    );
    assert!(step.is_none());
    assert_paced(&server);
}

/// A device code that expires before the user comes: the crate stops
/// polling at its deadline by itself (the next poll would come after
/// it); a poll sent anyway, later, gets oidc-provider's `expired_token`.
#[test]
fn device_code_expires() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::DeviceShort);
    let polling = start(&server, &client, "openid");
    let saved = polling.pending().clone();
    let life = saved
        .expires_at()
        .saturating_duration_since(UnixTime::now());
    assert!(life <= Duration::from_secs(DEVICE_SHORT_TTL), "{life:?}");

    // One poll at +6 s (pending), and the next one would be at +12 s,
    // after the 8 s the code lives: the login ends without it.
    let error = driver().run(polling).unwrap_err();
    let error = error.endpoint_error().unwrap().clone();
    assert_eq!(
        *error.kind(),
        EndpointErrorKind::DeviceCodeExpired {
            expires_at: saved.expires_at()
        }
    );
    assert!(error.is_expired_token());

    // The server agrees once the code's time is up.
    std::thread::sleep(Duration::from_secs(7));
    // (The server's log lags its answers a little: counted only now.)
    let polls = server.log().matches("POST /token 400").count();
    assert_eq!(polls, 1, "one poll only\n{}", server.log());
    assert!(saved.is_expired(UnixTime::now()));
    let polling = saved.poll(&client).unwrap();
    let response = send(polling.request(&crate::context()).unwrap().into_http()).unwrap();
    let failure = polling
        .handle_response(&response, UnixTime::now())
        .unwrap_err();
    assert_eq!(
        failure.code(),
        Some(&TokenErrorCode::ExpiredToken),
        "{}",
        server.log()
    );
    assert!(failure.error().is_expired_token());
    assert!(failure.into_retry().is_none());
    assert_paced(&server);
}

//! The device authorization grant (RFC 8628) on canned answers: the device
//! authorization response (§3.2), every answer of the token endpoint while
//! polling (§3.5) — `authorization_pending`, `slow_down` and its
//! cumulative 5 s, `access_denied`, `expired_token`, the device code's own
//! deadline, 5xx and 429 — the stored pending login, and a driver running
//! the whole loop with a virtual clock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth2_pkce::device::{
    AwaitingDeviceApproval, DeviceAuthorization, DevicePolling, SLOW_DOWN_INCREMENT,
};
use oauth2_pkce::errors::{
    ApiMisuse, EndpointError, EndpointErrorKind, EndpointKind, InvalidValue, TokenErrorCode,
};
use oauth2_pkce::jose::{DpopKey, Ed25519Key};
use oauth2_pkce::transport::{Wait, WaitReason};
use oauth2_pkce::values::{HttpResponse, TokenTypeHint};
use oauth2_pkce::*;

use crate::canned;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const CLIENT_SECRET: &str = "device-client-secret";
const DEVICE_CODE: &str = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS";

fn metadata() -> ServerMetadata {
    ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_revocation_endpoint("https://as.example/revoke")
    .with_device_authorization_endpoint("https://as.example/device_authorization")
}

fn client() -> Client {
    Client::new(
        metadata(),
        ClientId::new("tv-app").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap()
}

fn json(status: u16, body: &str) -> HttpResponse<'_> {
    HttpResponse::new(status, body.as_bytes()).with_content_type("application/json")
}

/// A device authorization response with `expires_in` and `interval`
/// members as given (`interval` omitted when `None`).
fn device_response(expires_in: u64, interval: Option<u64>) -> String {
    let interval = interval.map_or(String::new(), |i| format!(r#","interval":{i}"#));
    format!(
        r#"{{"device_code":"{DEVICE_CODE}","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device","verification_uri_complete":"https://as.example/device?user_code=WDJB-MJHT","expires_in":{expires_in}{interval}}}"#
    )
}

fn polling(expires_in: u64, interval: Option<u64>) -> DevicePolling {
    let step = DeviceAuthorization::new(&client(), Scope::parse("openid tv").unwrap()).unwrap();
    step.handle_response(json(200, &device_response(expires_in, interval)), NOW)
        .unwrap()
}

fn error(code: &str) -> String {
    format!(r#"{{"error":"{code}"}}"#)
}

const TOKENS: &str = r#"{"access_token":"tv-access","token_type":"Bearer","refresh_token":"tv-refresh","expires_in":3600}"#;

#[test]
fn the_device_authorization_response_is_what_the_user_sees() {
    let polling = polling(1800, None);
    let pending = polling.pending();
    assert_eq!(pending.user_code().as_str(), "WDJB-MJHT");
    assert_eq!(pending.user_code().to_string(), "WDJB-MJHT");
    assert_eq!(
        pending.verification_uri().as_str(),
        "https://as.example/device"
    );
    assert_eq!(
        pending.verification_uri_complete().unwrap().as_str(),
        "https://as.example/device?user_code=WDJB-MJHT"
    );
    assert_eq!(
        pending.expires_at(),
        UnixTime::from_secs(NOW.as_secs() + 1800)
    );
    // RFC 8628 §3.2: 5 seconds when the server names no interval.
    assert_eq!(pending.interval(), Duration::from_secs(5));
    // And one second more: `now` is read in whole seconds, and a poll must
    // never come early.
    assert_eq!(
        pending.next_poll_at(),
        UnixTime::from_secs(NOW.as_secs() + 6)
    );
    assert_eq!(pending.scope(), &Scope::parse("openid tv").unwrap());
    assert_eq!(pending.issuer(), "https://as.example");
    assert!(!pending.is_expired(NOW));
    assert!(pending.is_expired(pending.expires_at()));
    let printed = format!("{polling:?}");
    assert!(!printed.contains(DEVICE_CODE), "{printed}");
    assert!(!printed.contains(CLIENT_SECRET), "{printed}");
    assert!(printed.contains("WDJB-MJHT"), "{printed}");
}

#[test]
fn an_insecure_verification_uri_is_never_handed_out() {
    let step = DeviceAuthorization::new(&client(), Scope::empty()).unwrap();
    let body = r#"{"device_code":"d","user_code":"U","verification_uri":"http://as.example/device","expires_in":600}"#;
    let failure = step.handle_response(json(200, body), NOW).unwrap_err();
    assert_eq!(
        *failure.error(),
        EndpointErrorKind::InvalidUrl {
            member: "verification_uri",
            problem: InvalidValue::NotHttps,
        }
    );
    assert_eq!(
        failure.error().endpoint(),
        EndpointKind::DeviceAuthorization
    );
    assert_eq!(
        failure.to_string(),
        "the device authorization endpoint's response is malformed: the member `verification_uri` is refused: the URL uses http:// on a host that is not loopback"
    );
    assert!(failure.into_retry().is_none());
}

#[test]
fn device_authorization_errors_and_retries() {
    let step = || DeviceAuthorization::new(&client(), Scope::empty()).unwrap();
    let failure = step()
        .handle_response(json(400, &error("invalid_client")), NOW)
        .unwrap_err();
    assert_eq!(failure.code(), Some(&TokenErrorCode::InvalidClient));
    assert!(!failure.is_retryable());
    let failure = step()
        .handle_response(HttpResponse::new(503, b"").with_retry_after("2"), NOW)
        .unwrap_err();
    assert_eq!(failure.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(failure.poll_again_at(), None);
    assert!(failure.into_retry().is_some());
}

#[test]
fn no_device_authorization_endpoint() {
    let client = Client::new(
        ServerMetadata::new(
            "https://as.example",
            "https://as.example/a",
            "https://as.example/t",
        ),
        ClientId::new("tv-app").unwrap(),
        ClientAuthentication::None,
    )
    .unwrap();
    assert_eq!(
        DeviceAuthorization::new(&client, Scope::empty()).unwrap_err(),
        ApiMisuse::NoEndpoint(EndpointKind::DeviceAuthorization)
    );
}

/// RFC 8628 §3.5: `authorization_pending` polls again one interval (and a
/// second) later, with the step handed back building the same request.
#[test]
fn authorization_pending_polls_again_after_the_interval() {
    let polling = polling(1800, Some(7));
    let request = polling.request(&crate::CONTEXT).unwrap();
    let at = UnixTime::from_secs(NOW.as_secs() + 7);
    let failure = polling
        .handle_response(json(400, &error("authorization_pending")), at)
        .unwrap_err();
    assert!(failure.error().is_authorization_pending());
    // One meaning of "retryable" at every level: the same request may be
    // sent again, here at `poll_again_at`.
    assert!(failure.is_retryable());
    assert!(failure.error().is_retryable());
    assert_eq!(
        failure.poll_again_at(),
        Some(UnixTime::from_secs(at.as_secs() + 8))
    );
    let again = failure.into_retry().unwrap();
    assert_eq!(again.request(&crate::CONTEXT).unwrap(), request);
    assert_eq!(again.pending().interval(), Duration::from_secs(7));
    assert_eq!(
        again.pending().next_poll_at(),
        UnixTime::from_secs(at.as_secs() + 8)
    );
}

/// RFC 8628 §3.5: `slow_down` adds 5 seconds for this and every later
/// request: 5 → 10 → 15, and a pending answer after it keeps 15.
#[test]
fn slow_down_adds_five_seconds_for_good() {
    let mut polling = polling(1800, None);
    let mut now = NOW;
    for (answer, interval) in [
        ("slow_down", 10),
        ("slow_down", 15),
        ("authorization_pending", 15),
        ("slow_down", 20),
    ] {
        now = polling.pending().next_poll_at();
        let failure = polling
            .handle_response(json(400, &error(answer)), now)
            .unwrap_err();
        assert!(failure.error().is_authorization_pending(), "{answer}");
        assert_eq!(
            failure.poll_again_at(),
            Some(UnixTime::from_secs(now.as_secs() + interval + 1)),
            "{answer}"
        );
        polling = failure.into_retry().unwrap();
        assert_eq!(polling.pending().interval(), Duration::from_secs(interval));
    }
    // The accumulated interval survives a restart.
    let stored = serde_json::to_vec(polling.pending()).unwrap();
    let back = AwaitingDeviceApproval::from_json(&stored).unwrap();
    assert_eq!(polling.pending().to_json().as_bytes(), stored);
    assert_eq!(back.interval(), Duration::from_secs(20));
    assert_eq!(back.next_poll_at(), UnixTime::from_secs(now.as_secs() + 21));
    assert_eq!(SLOW_DOWN_INCREMENT, Duration::from_secs(5));
}

/// The device code's lifetime counts from the device authorization
/// response: a pending answer whose next poll would come at or after it
/// ends the login, with no step to poll with.
#[test]
fn the_deadline_ends_a_pending_login() {
    // 20 s of life, 5 s interval (6 s between polls, with the second of
    // margin): polls at +6, +12 are pending; at +18 the next poll (+24)
    // would be past the deadline.
    let mut polling = polling(20, None);
    for poll_at in [6, 12] {
        let failure = polling
            .handle_response(
                json(400, &error("authorization_pending")),
                UnixTime::from_secs(NOW.as_secs() + poll_at),
            )
            .unwrap_err();
        polling = failure.into_retry().unwrap();
    }
    let failure = polling
        .handle_response(
            json(400, &error("authorization_pending")),
            UnixTime::from_secs(NOW.as_secs() + 18),
        )
        .unwrap_err();
    let expires_at = UnixTime::from_secs(NOW.as_secs() + 20);
    assert_eq!(
        *failure.error(),
        EndpointErrorKind::DeviceCodeExpired { expires_at }
    );
    assert!(failure.error().is_expired_token());
    assert!(!failure.is_retryable());
    assert_eq!(failure.poll_again_at(), None);
    assert!(
        failure.to_string().contains("the device code expired"),
        "{failure}"
    );
    assert!(failure.into_retry().is_none());

    // slow_down's growth counts too: 16 s of life, 5 s interval, slowed
    // down at +6 to 10 s: the next poll would be at +17.
    let polling = polling_with_life(16);
    let failure = polling
        .handle_response(
            json(400, &error("slow_down")),
            UnixTime::from_secs(NOW.as_secs() + 6),
        )
        .unwrap_err();
    assert!(matches!(
        failure.error().kind(),
        EndpointErrorKind::DeviceCodeExpired { .. }
    ));
}

fn polling_with_life(expires_in: u64) -> DevicePolling {
    polling(expires_in, None)
}

/// RFC 8628 §3.2: the device code lives `expires_in` seconds and the
/// client waits `interval` seconds between polls. An interval as long as
/// the lifetime leaves no time for a single poll: the login ends on the
/// device authorization response, before there is a poll to schedule
/// and before the user is shown a code that cannot work.
#[test]
fn a_first_poll_past_the_deadline_ends_the_login_at_once() {
    let expires_at = UnixTime::from_secs(NOW.as_secs() + 600);
    // 100 000 000 s (three years), 600 s (the first poll, with the second
    // of margin, would be at +601) and 599 s (at +600, the deadline itself).
    for interval in [100_000_000, u64::MAX, 600, 599] {
        let step = DeviceAuthorization::new(&client(), Scope::empty()).unwrap();
        let failure = step
            .handle_response(json(200, &device_response(600, Some(interval))), NOW)
            .unwrap_err();
        assert_eq!(
            *failure.error(),
            EndpointErrorKind::DeviceCodeExpired { expires_at },
            "{interval}"
        );
        assert_eq!(
            failure.error().endpoint(),
            EndpointKind::DeviceAuthorization
        );
        assert!(failure.error().is_expired_token());
        assert_eq!(failure.poll_again_at(), None);
        assert_eq!(
            failure.to_string(),
            "the device authorization endpoint's polling interval leaves no poll before the device code expires (1700000600s after the Unix epoch)"
        );
        assert!(failure.into_retry().is_none(), "{interval}");
    }
    // 598 s: one poll fits, at +599, before the deadline.
    let polling = polling(600, Some(598));
    assert_eq!(
        polling.not_before(),
        Some(UnixTime::from_secs(NOW.as_secs() + 599))
    );
    assert!(polling.not_before() < Some(polling.pending().expires_at()));
}

/// A stored pending login whose next poll is not before its deadline
/// (written by hand, or by an older version) is refused: a step whose
/// `not_before` is past the device code's expiry is never made.
#[test]
fn a_stored_login_polling_past_its_deadline_is_refused() {
    let pending = polling(600, Some(5)).into_pending();
    let mut value = serde_json::to_value(&pending).unwrap();
    let expires_at = value["expires_at"].clone();
    value["next_poll_at"] = expires_at;
    assert_eq!(
        AwaitingDeviceApproval::from_json(&serde_json::to_vec(&value).unwrap()),
        Err(InvalidValue::StoredStateMalformed)
    );
}

/// A driver running a whole device login (as an app does: the device
/// authorization, then the polling) never sleeps for an interval that ends
/// past the device code's expiry: the login ends at once.
#[test]
fn a_driver_never_waits_past_the_deadline() {
    let mut answers = [
        (200, device_response(600, Some(100_000_000))),
        (400, error("authorization_pending")),
    ]
    .into_iter();
    let send = |_: http::Request<RequestBody>| {
        let (status, body) = answers.next().unwrap();
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.into_bytes())
                .unwrap(),
        )
    };
    let mut slept = Vec::new();
    let sleep = |delay: Duration| slept.push(delay);
    let driver = Driver::with_policy(canned(send, sleep), RetryPolicy::new(7)).with_clock(|| NOW);
    let step = DeviceAuthorization::new(&client(), Scope::empty()).unwrap();
    let login = match driver.run(step) {
        Ok(polling) => driver
            .run(polling)
            .map(drop)
            .map_err(|error| error.endpoint_error().cloned()),
        Err(error) => Err(error.endpoint_error().cloned()),
    };
    let expires_at = UnixTime::from_secs(NOW.as_secs() + 600);
    let error = login.unwrap_err().unwrap();
    assert_eq!(error, EndpointErrorKind::DeviceCodeExpired { expires_at });
    drop(driver);
    assert_eq!(slept, [], "no sleep towards a poll that cannot be made");
}

/// The deadline holds for the driver's own waits too: a 503 without
/// `Retry-After` whose backoff would end at or past the expiry ends the
/// login at once, and a poll step run after its expiry sends nothing.
#[test]
fn a_driver_never_retries_past_the_deadline() {
    let clock = std::sync::Arc::new(AtomicU64::new(NOW.as_secs()));
    let now = {
        let clock = clock.clone();
        move || UnixTime::from_secs(clock.load(Ordering::SeqCst))
    };
    // A backoff of 10 to 20 s: past the deadline when 5 s are left.
    let policy = RetryPolicy::new(7)
        .base_delay(Duration::from_secs(20))
        .max_delay(Duration::from_secs(20));
    let expires_in = 30;
    let step = polling(expires_in, Some(5));
    let expires_at = step.pending().expires_at();
    let sent = std::cell::Cell::new(0);
    let send = |_: http::Request<RequestBody>| {
        sent.set(sent.get() + 1);
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .status(503)
                .body(Vec::new())
                .unwrap(),
        )
    };
    let slept = std::cell::RefCell::new(Vec::new());
    let sleep = |delay: Duration| slept.borrow_mut().push(delay);
    let driver =
        Driver::with_policy(transport::from_fn(send).with_sleep(sleep), policy).with_clock(now);
    // The poll is due now; the 503 comes 5 s before the expiry.
    clock.store(expires_at.as_secs() - 5, Ordering::SeqCst);
    let error = driver.run(step).unwrap_err();
    assert_eq!(
        error.endpoint_error().map(EndpointError::kind),
        Some(&EndpointErrorKind::DeviceCodeExpired { expires_at })
    );
    assert!(error.into_step().is_none());
    assert_eq!((sent.get(), slept.borrow().as_slice()), (1, &[][..]));

    // Run after its expiry: nothing is sent.
    let late = polling(expires_in, Some(5));
    clock.store(late.pending().expires_at().as_secs(), Ordering::SeqCst);
    let error = driver.run(late).unwrap_err();
    assert!(error
        .endpoint_error()
        .is_some_and(EndpointError::is_expired_token));
    assert_eq!(sent.get(), 1);
}

/// The answers that end the login (RFC 8628 §3.5, RFC 6749 §5.2): no step
/// comes back.
#[test]
fn denied_expired_and_other_errors_end_the_login() {
    type Check = fn(&EndpointError) -> bool;
    let cases: [(&str, Check); 4] = [
        ("access_denied", |e: &EndpointError| {
            e.code() == Some(&TokenErrorCode::AccessDenied)
        }),
        ("expired_token", EndpointError::is_expired_token),
        ("invalid_grant", |e: &EndpointError| {
            e.code() == Some(&TokenErrorCode::InvalidGrant)
        }),
        ("invalid_client", |e| {
            e.code() == Some(&TokenErrorCode::InvalidClient)
        }),
    ];
    for (code, check) in cases {
        let failure = polling(1800, None)
            .handle_response(json(400, &error(code)), NOW)
            .unwrap_err();
        assert!(check(failure.error()), "{code}");
        assert!(!failure.error().is_authorization_pending(), "{code}");
        assert!(!failure.is_retryable(), "{code}");
        assert_eq!(failure.poll_again_at(), None, "{code}");
        assert_eq!(
            failure.to_string(),
            format!("the token endpoint answered with an error: {code}")
        );
    }
    assert_eq!(
        TokenErrorCode::from_wire("access_denied"),
        TokenErrorCode::AccessDenied
    );
    for code in [
        "authorization_pending",
        "slow_down",
        "access_denied",
        "expired_token",
    ] {
        assert_eq!(TokenErrorCode::from_wire(code).as_str(), code);
        assert!(!matches!(
            TokenErrorCode::from_wire(code),
            TokenErrorCode::Other(_)
        ));
    }
}

/// 5xx and 429 while polling are retryable as at every endpoint, and are
/// not "pending": the driver's retry policy applies.
#[test]
fn unavailable_while_polling_is_retryable() {
    for status in [500, 503, 429] {
        let failure = polling(1800, None)
            .handle_response(HttpResponse::new(status, b"").with_retry_after("3"), NOW)
            .unwrap_err();
        assert!(failure.is_retryable(), "{status}");
        assert_eq!(failure.poll_again_at(), None, "{status}");
        assert_eq!(failure.retry_after(), Some(Duration::from_secs(3)));
        assert!(failure.into_retry().is_some());
    }
}

/// A 429 or 5xx whose `Retry-After` ends at or past the device code's
/// expiry leaves no retry that could be sent in time: the login ends.
#[test]
fn a_retry_after_past_the_deadline_ends_the_login() {
    // 600 s of life: at +590, a Retry-After of 10 s reaches the expiry,
    // 9 s does not.
    let at = UnixTime::from_secs(NOW.as_secs() + 590);
    let expires_at = UnixTime::from_secs(NOW.as_secs() + 600);
    let failure = polling(600, None)
        .handle_response(HttpResponse::new(503, b"").with_retry_after("10"), at)
        .unwrap_err();
    assert_eq!(
        *failure.error(),
        EndpointErrorKind::DeviceCodeExpired { expires_at }
    );
    assert!(failure.into_retry().is_none());
    let failure = polling(600, None)
        .handle_response(HttpResponse::new(503, b"").with_retry_after("9"), at)
        .unwrap_err();
    assert_eq!(failure.retry_after(), Some(Duration::from_secs(9)));
    assert!(failure.into_retry().is_some());
}

/// The tokens are an `Authorized` like every other grant's: bound to the
/// issuer, refreshable and revocable; an omitted `scope` is the one asked
/// for.
#[test]
fn approval_gives_an_authorized_grant() {
    let client = client();
    let at = UnixTime::from_secs(NOW.as_secs() + 5);
    let authorized = polling(1800, None)
        .handle_response(json(200, TOKENS), at)
        .unwrap();
    assert_eq!(authorized.issuer(), "https://as.example");
    assert_eq!(authorized.tokens().access_token().secret(), "tv-access");
    assert_eq!(
        authorized.tokens().scope(),
        &Scope::parse("openid tv").unwrap()
    );
    assert_eq!(
        authorized.tokens().expires_at(),
        Some(UnixTime::from_secs(at.as_secs() + 3600))
    );
    let refresh = authorized
        .refresh(&client)
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    assert_eq!(refresh.uri(), "https://as.example/token");
    let revoke = authorized
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    assert_eq!(revoke.uri(), "https://as.example/revoke");
}

/// A device that restarts mid-login: the pending login round-trips through
/// storage and polls again with its own client only.
#[test]
fn the_pending_login_is_stored_and_bound_to_its_client() {
    let polling = polling(1800, Some(5));
    let request = polling.request(&crate::CONTEXT).unwrap();
    let pending = polling.into_pending();
    let stored = serde_json::to_string(&pending).unwrap();
    assert!(stored.contains(r#""v":1"#), "{stored}");
    let back = AwaitingDeviceApproval::from_json(stored.as_bytes()).unwrap();
    assert_eq!(back, pending);
    assert_eq!(
        back.clone()
            .poll(&client())
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap(),
        request
    );

    // Another issuer's client with the same client_id gets nothing.
    let mut other = metadata();
    other.issuer = "https://evil.example".into();
    let other = Client::new(
        other,
        ClientId::new("tv-app").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("other-secret")),
    )
    .unwrap();
    assert_eq!(
        back.clone().poll(&other).unwrap_err(),
        ApiMisuse::ClientMismatch
    );

    // A tampered store is refused: an insecure verification URI, a device
    // code outside VSCHAR, an interval of 0, another version.
    let value: serde_json::Value = serde_json::from_str(&stored).unwrap();
    for (member, replacement) in [
        (
            "verification_uri",
            serde_json::json!("http://evil.example/device"),
        ),
        ("device_code", serde_json::json!("a\nb")),
        ("interval", serde_json::json!(0)),
        ("user_code", serde_json::json!("AB\u{202e}CD")),
    ] {
        let mut tampered = value.clone();
        tampered[member] = replacement;
        assert_eq!(
            AwaitingDeviceApproval::from_json(&serde_json::to_vec(&tampered).unwrap()),
            Err(InvalidValue::StoredStateMalformed),
            "{member}"
        );
    }
    let mut newer = value.clone();
    newer["v"] = serde_json::json!(2);
    assert!(matches!(
        AwaitingDeviceApproval::from_json(&serde_json::to_vec(&newer).unwrap()),
        Err(InvalidValue::StoredStateVersion { found: 2, .. })
    ));
    // Its Debug shows no device code.
    assert!(!format!("{back:?}").contains(DEVICE_CODE));
}

/// A virtual clock: the driver reads it through the closure, the test's
/// sleep function advances it.
fn virtual_clock() -> (
    Arc<AtomicU64>,
    impl Fn() -> UnixTime + Send + Sync + 'static,
) {
    let seconds = Arc::new(AtomicU64::new(NOW.as_secs()));
    let clock = Arc::clone(&seconds);
    (seconds, move || {
        UnixTime::from_secs(clock.load(Ordering::SeqCst))
    })
}

/// A driver runs the whole polling loop: it sleeps until each
/// `poll_again_at`, obeys `slow_down`, retries a 503 under its policy, and
/// many pending answers never use up the policy's attempts.
#[test]
fn a_driver_polls_until_the_user_approves() {
    let (clock, now) = virtual_clock();
    let answers: Vec<(u16, String)> = vec![
        (200, device_response(600, Some(5))),
        (400, error("authorization_pending")),
        (400, error("authorization_pending")),
        (400, error("slow_down")),
        (503, String::new()),
        (400, error("authorization_pending")),
        (400, error("authorization_pending")),
        (200, TOKENS.to_owned()),
    ];
    let mut answers = answers.into_iter();
    let mut sent = Vec::new();
    let send = |request: http::Request<RequestBody>| {
        sent.push((
            clock.load(Ordering::SeqCst),
            request.uri().path().to_owned(),
        ));
        let (status, body) = answers.next().unwrap();
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .header("retry-after", "1")
                .body(body.into_bytes())
                .unwrap(),
        )
    };
    let mut slept = Vec::new();
    let sleep = |delay: Duration| {
        slept.push(delay.as_secs());
        clock.fetch_add(delay.as_secs(), Ordering::SeqCst);
    };
    let policy = RetryPolicy::new(7).max_attempts(2);
    let driver = Driver::with_policy(canned(send, sleep), policy).with_clock(now);
    let step = DeviceAuthorization::new(&client(), Scope::empty()).unwrap();
    let polling = driver.run(step).unwrap();
    let authorized = driver.run(polling).unwrap();
    assert_eq!(authorized.tokens().access_token().secret(), "tv-access");
    drop(driver);
    // 6 before the first poll (RFC 8628 §3.5: no sooner than the 5 s
    // interval, plus the second of margin), 6, 6, 11 after slow_down, 1
    // for the 503's Retry-After, then 11 and 11: the interval stays slowed
    // down.
    assert_eq!(slept, [6, 6, 6, 11, 1, 11, 11]);
    let paths: Vec<_> = sent.iter().map(|(_, path)| path.as_str()).collect();
    assert_eq!(paths[0], "/device_authorization");
    assert!(paths[1..].iter().all(|path| *path == "/token"));
    assert_eq!(sent.len(), 8);
    // Each poll went out at or after the time the step named.
    let times: Vec<u64> = sent.iter().map(|(at, _)| *at).collect();
    let start = NOW.as_secs();
    assert_eq!(
        times,
        [
            start,
            start + 6,
            start + 12,
            start + 18,
            start + 29,
            start + 30,
            start + 41,
            start + 52
        ]
    );
}

/// An observer hears why the driver waits, before each wait: the first
/// poll's time, the server's `Retry-After` on a 503, the policy's backoff
/// after a 429 and after `temporarily_unavailable`, `slow_down`, and
/// `authorization_pending`.
#[test]
fn a_driver_tells_its_observer_why_it_waits() {
    let (clock, now) = virtual_clock();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&heard);
    let mut answers = [
        (200, None, device_response(600, Some(5))),
        (503, Some("2"), String::new()),
        (429, None, String::new()),
        (400, None, error("temporarily_unavailable")),
        (400, None, error("slow_down")),
        (400, None, error("authorization_pending")),
        (200, None, TOKENS.to_owned()),
    ]
    .into_iter();
    let send = |_: http::Request<RequestBody>| {
        let (status, retry_after, body) = answers.next().unwrap();
        let mut response = http::Response::builder()
            .status(status)
            .header("content-type", "application/json");
        if let Some(value) = retry_after {
            response = response.header("retry-after", value);
        }
        Ok::<_, std::convert::Infallible>(response.body(body.into_bytes()).unwrap())
    };
    let mut slept = Vec::new();
    let sleep = |delay: Duration| {
        slept.push(delay);
        clock.fetch_add(delay.as_secs(), Ordering::SeqCst);
    };
    let driver = Driver::with_policy(canned(send, sleep), RetryPolicy::new(7))
        .with_clock(now)
        .with_observer(move |wait: &Wait| log.lock().unwrap().push(wait.clone()));
    let step = DeviceAuthorization::new(&client(), Scope::empty()).unwrap();
    let polling = driver.run(step).unwrap();
    let authorized = driver.run(polling).unwrap();
    assert_eq!(authorized.tokens().access_token().secret(), "tv-access");
    drop(driver);

    let heard = heard.lock().unwrap();
    let durations: Vec<Duration> = heard.iter().map(Wait::duration).collect();
    assert_eq!(durations, slept, "every wait is heard of, once");
    assert!(heard
        .iter()
        .all(|wait| wait.endpoint() == EndpointKind::Token));
    let reasons: Vec<&WaitReason> = heard.iter().map(Wait::reason).collect();
    assert_eq!(
        reasons,
        [
            &WaitReason::NotBefore,
            &WaitReason::RetryAfter { status: 503 },
            &WaitReason::Backoff {
                status: Some(429),
                error: None
            },
            &WaitReason::Backoff {
                status: None,
                error: Some(TokenErrorCode::TemporarilyUnavailable)
            },
            &WaitReason::SlowDown,
            &WaitReason::AuthorizationPending,
        ]
    );
    // 6 s to the first poll; 2 s as the 503 asked; the backoff; then
    // the slowed-down interval, 11 s, twice.
    assert_eq!(durations[0], Duration::from_secs(6));
    assert_eq!(durations[1], Duration::from_secs(2));
    assert_eq!(&durations[4..], [Duration::from_secs(11); 2]);
    assert_eq!(
        heard[4].to_string(),
        "waiting 11 s to send to the token endpoint again: it said slow_down"
    );
}

/// A driver stops when the user says no, with no step to poll with.
#[test]
fn a_driver_stops_when_the_user_says_no() {
    let mut slept = 0;
    let mut answers = [
        (400, error("authorization_pending")),
        (400, error("access_denied")),
    ]
    .into_iter();
    let send = |_: http::Request<RequestBody>| {
        let (status, body) = answers.next().unwrap();
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .status(status)
                .body(body.into_bytes())
                .unwrap(),
        )
    };
    let driver =
        Driver::with_policy(canned(send, |_| slept += 1), RetryPolicy::new(7)).with_clock(|| NOW);
    let error = driver.run(polling(1800, None)).unwrap_err();
    drop(driver);
    assert!(error.code() == Some(&TokenErrorCode::AccessDenied));
    assert!(error.into_step().is_none());
    // Before each of the two polls (the fixed clock never reaches the
    // next poll time by itself).
    assert_eq!(slept, 2);
}

/// The async driver keeps the same pace: it awaits the caller's sleep
/// before each poll, and a `slow_down` lengthens every later wait.
#[test]
fn an_async_driver_polls_the_same_way() {
    let mut answers = [
        (400, error("authorization_pending")),
        (400, error("slow_down")),
        (400, error("authorization_pending")),
        (200, TOKENS.to_owned()),
    ]
    .into_iter();
    let send = |_request: http::Request<RequestBody>| {
        let (status, body) = answers.next().unwrap();
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .status(status)
                .body(body.into_bytes())
                .unwrap(),
        )
    };
    let slept = std::cell::RefCell::new(Vec::new());
    let sleep = |delay: Duration| slept.borrow_mut().push(delay.as_secs());
    let policy = RetryPolicy::new(7).max_attempts(1);
    let driver = Driver::with_policy(canned(send, sleep), policy).with_clock(|| NOW);
    let authorized = crate::block_on(driver.run_async(polling(1800, None))).unwrap();
    assert_eq!(authorized.tokens().access_token().secret(), "tv-access");
    // The fixed clock stays at NOW: each wait is the whole way to the
    // step's poll time, 6 s, then 6, 11 after slow_down, 11.
    assert_eq!(*slept.borrow(), [6, 6, 11, 11]);
}

/// The payload of a compact JWS, as JSON.
fn jws_payload(jws: &str) -> serde_json::Value {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let payload = jws.split('.').nth(1).unwrap();
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(payload).unwrap()).unwrap()
}

/// A client with a DPoP key (RFC 9449) polls with a proof on every
/// request, takes a `DPoP-Nonce` from a pending answer into the next
/// proof, follows `use_dpop_nonce` once at once, and gets tokens bound to
/// its key.
#[test]
fn a_dpop_client_polls_with_proofs() {
    let key = DpopKey::new(Ed25519Key::from_bytes(&[9; 32]));
    let client = client().with_dpop(key.clone()).unwrap();
    let polling = DeviceAuthorization::new(&client, Scope::empty())
        .unwrap()
        .handle_response(json(200, &device_response(1800, None)), NOW)
        .unwrap();
    let proof = |polling: &DevicePolling| {
        let request = polling.request(&crate::CONTEXT).unwrap();
        jws_payload(request.header("dpop").expect("a DPoP proof"))
    };
    let first = proof(&polling);
    assert_eq!(first["htm"], "POST");
    assert_eq!(first["htu"], "https://as.example/token");
    assert!(first.get("nonce").is_none());

    let failure = polling
        .handle_response(
            json(400, &error("authorization_pending")).with_dpop_nonce("nonce-1"),
            NOW,
        )
        .unwrap_err();
    assert!(failure.poll_again_at().is_some());
    let polling = failure.into_retry().unwrap();
    assert_eq!(proof(&polling)["nonce"], "nonce-1");

    let failure = polling
        .handle_response(
            json(400, &error("use_dpop_nonce")).with_dpop_nonce("nonce-2"),
            NOW,
        )
        .unwrap_err();
    assert!(failure.is_fallback());
    assert_eq!(failure.poll_again_at(), None);
    let polling = failure.into_retry().unwrap();
    assert_eq!(proof(&polling)["nonce"], "nonce-2");

    let body = r#"{"access_token":"tv-access","token_type":"DPoP","expires_in":3600}"#;
    let authorized = polling.handle_response(json(200, body), NOW).unwrap();
    assert_eq!(
        authorized.tokens().dpop_jkt(),
        Some(key.thumbprint().as_str())
    );
}

/// A token answer whose `scope` joins the requested scopes with commas is
/// read as those scopes, as in the code exchange (`token_response`).
#[test]
fn a_comma_answer_is_read_as_the_requested_scopes() {
    let body = r#"{"access_token":"tv-access","token_type":"Bearer","scope":"openid,tv"}"#;
    let authorized = polling(1800, None)
        .handle_response(json(200, body), NOW)
        .unwrap();
    assert_eq!(
        authorized.tokens().scope().iter().collect::<Vec<_>>(),
        ["openid", "tv"]
    );
    assert!(authorized.tokens().scope_assumed_comma_delimited());
}

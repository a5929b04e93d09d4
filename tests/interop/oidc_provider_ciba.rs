//! Interop: OpenID Client-Initiated Backchannel Authentication (CIBA Core
//! 1.0), poll mode, against oidc-provider on 127.0.0.1 (`features.ciba`),
//! the test playing the user on their authentication device through
//! `server.mjs`'s `POST /interop/ciba` (which calls oidc-provider's
//! `backchannelResult`).
//!
//! How oidc-provider behaves: its acknowledgement has no `interval` (so
//! 5 s, CIBA Core §7.3) and an `expires_in` of `requested_expiry` when
//! asked (at most 600 s); it answers `authorization_pending` until the
//! user decided, then the tokens with an ID token (no `nonce`), or
//! `access_denied`. In ping mode it `POST`s the notification to the
//! client's (`https`) endpoint, which `server.mjs` receives on loopback and
//! hands to the test as it came. The polls run on the real clock: seconds
//! each.

use std::time::Duration;

use crate::interop_node_common;

use interop_node_common::{send, support, OidcProvider, OpClient, TEST_USER};
use oauth2_pkce::ciba::{
    AwaitingBackchannelApproval, BackchannelAuthentication, BackchannelPolling,
    BackchannelUserCode, ClientNotificationToken, PingNotification, UserHint,
};
use oauth2_pkce::errors::{DriveError, EndpointErrorKind, Failure, TokenErrorCode};
use oauth2_pkce::exchange::SecurityToken;
use oauth2_pkce::jose::RustCryptoVerifier;
use oauth2_pkce::openid::{IdTokenReceived, KeySet, KeySetFetch};
use oauth2_pkce::{
    transport, Client, ClientAuthentication, ClientSecret, Driver, EndpointStep, RetryPolicy,
    Scope, Transport, UnixTime,
};

/// A driver on the real clock, sleeping for real.
fn driver() -> Driver<impl Transport<Error = ureq::Error>> {
    Driver::with_policy(
        transport::from_fn(send),
        RetryPolicy::new(u64::from_ne_bytes(*b"ciba!!!!")),
    )
}

fn key_set(server: &OidcProvider, client: &Client) -> KeySet {
    let fetch = KeySetFetch::new(client).unwrap();
    let response = send(fetch.request(&crate::context()).unwrap().into_http()).unwrap();
    fetch
        .handle_response(&response, UnixTime::now())
        .unwrap_or_else(|failure| {
            panic!("{failure}\n{}", server.log());
        })
}

/// Sends `step`'s backchannel authentication request to the discovered
/// endpoint: the polling step, or the failure.
fn start(
    server: &OidcProvider,
    step: BackchannelAuthentication,
) -> Result<BackchannelPolling, Failure<BackchannelAuthentication>> {
    let request = step.request(&crate::context()).unwrap();
    assert_eq!(request.uri(), server.url("/backchannel"));
    let response = send(request.into_http()).unwrap();
    step.handle_response(&response, UnixTime::now())
}

/// Waits for the poll time `polling` names, sends its request and hands
/// the answer back (what a driver does, one poll at a time).
fn poll_once(polling: BackchannelPolling) -> Result<IdTokenReceived, Failure<BackchannelPolling>> {
    let at = polling.pending().next_poll_at();
    std::thread::sleep(at.saturating_duration_since(UnixTime::now()));
    let response = send(polling.request(&crate::context()).unwrap().into_http()).unwrap();
    polling.handle_response(&response, UnixTime::now())
}

/// The user decides on their authentication device.
fn decide(server: &OidcProvider, pending: &AwaitingBackchannelApproval, approve: bool) {
    let decision = if approve { "approve" } else { "deny" };
    let url = server.url(&format!(
        "/interop/ciba?auth_req_id={}&decision={decision}",
        pending.auth_req_id().secret()
    ));
    let response = support::post_form(&url, "", None);
    assert_eq!(response.status(), 204, "{}", server.log());
}

/// The whole run: the request names the user by `login_hint` with a
/// binding message and the user's code, the client sees
/// `authorization_pending`, stores the pending request and polls it from
/// "another process"; the user approves; the tokens come out once the ID
/// token verifies, and refresh like any grant's.
#[test]
fn ciba_poll_approved_after_pending() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Ciba);
    let metadata = server.metadata();
    assert_eq!(
        metadata.backchannel_token_delivery_modes_supported,
        Some(vec!["poll".to_owned(), "ping".to_owned()])
    );
    assert!(metadata.backchannel_user_code_parameter_supported);
    let keys = key_set(&server, &client);

    let step = BackchannelAuthentication::new(
        &client,
        Scope::parse("openid profile").unwrap(),
        UserHint::login_hint(TEST_USER).unwrap(),
    )
    .unwrap()
    .binding_message("W4SCT 42")
    .unwrap()
    .user_code(BackchannelUserCode::new("alice-code-1234"));
    let polling = start(&server, step).unwrap_or_else(|f| panic!("{f}\n{}", server.log()));
    assert_eq!(polling.pending().interval(), Duration::from_secs(5));
    let log = server.log();
    assert!(
        log.contains(r#"ciba trigger: alice for ciba-client scope="openid profile" binding_message="W4SCT 42""#),
        "{log}"
    );

    // The user has not decided yet.
    let failure = poll_once(polling).unwrap_err();
    assert_eq!(
        failure.code(),
        Some(&TokenErrorCode::AuthorizationPending),
        "{}",
        server.log()
    );
    let polling = failure.into_retry().unwrap();

    // Stored (in Redis, say) and polled by another process.
    let stored = polling.into_pending().to_json();
    let pending = AwaitingBackchannelApproval::from_json(stored.as_bytes()).unwrap();
    decide(&server, &pending, true);
    let polling = pending.poll(&client).unwrap();

    let received = driver().run(polling).unwrap();
    let signed_in = received
        .verify(&keys, &RustCryptoVerifier, UnixTime::now())
        .unwrap_or_else(|failure| panic!("{failure}\n{}", server.log()));
    assert_eq!(signed_in.id_token().claims().subject(), TEST_USER);
    let (authorized, _) = signed_in.into_parts();
    assert_eq!(authorized.issuer(), server.issuer());
    assert_eq!(
        authorized.tokens().scope(),
        &Scope::parse("openid profile").unwrap()
    );
    let me = server.userinfo(Some(&authorized));
    assert_eq!(me.status(), 200, "{}", server.log());
    let refreshed = interop_node_common::scenario::refresh(&client, &authorized, None).unwrap();
    assert_ne!(
        refreshed.tokens().access_token(),
        authorized.tokens().access_token()
    );
}

/// The user refuses on their device: the next poll ends with
/// `access_denied`, and no step comes back. The user named by a
/// `login_hint_token`, the client authenticating with
/// `client_secret_post` this time.
#[test]
fn ciba_denied_is_access_denied() {
    let server = OidcProvider::start();
    let post = ClientAuthentication::ClientSecretPost(ClientSecret::new("ciba-secret"));
    let client = interop_node_common::client(server.metadata(), OpClient::Ciba, post);
    let step = BackchannelAuthentication::new(
        &client,
        Scope::parse("openid").unwrap(),
        UserHint::login_hint_token(SecurityToken::new("hint-token-for-alice")).unwrap(),
    )
    .unwrap();
    let request = step.request(&crate::context()).unwrap();
    assert!(request
        .headers()
        .all(|(name, _)| !name.eq_ignore_ascii_case("authorization")));
    let polling = start(&server, step).unwrap_or_else(|f| panic!("{f}\n{}", server.log()));
    decide(&server, polling.pending(), false);
    let error = driver().run(polling).unwrap_err();
    let DriveError::Endpoint { error, step } = error else {
        panic!("{error}");
    };
    assert_eq!(
        error.code(),
        Some(&TokenErrorCode::AccessDenied),
        "{error}\n{}",
        server.log()
    );
    assert!(step.is_none());
}

/// The provider's refusals at the backchannel authentication endpoint
/// (CIBA Core §13), typed.
#[test]
fn ciba_request_errors_are_typed() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Ciba);
    let openid = || Scope::parse("openid").unwrap();
    let cases = [
        (
            BackchannelAuthentication::new(&client, openid(), UserHint::login_hint("bob").unwrap())
                .unwrap(),
            TokenErrorCode::UnknownUserId,
        ),
        (
            BackchannelAuthentication::new(
                &client,
                openid(),
                UserHint::login_hint_token(SecurityToken::new("expired-hint-token")).unwrap(),
            )
            .unwrap(),
            TokenErrorCode::ExpiredLoginHintToken,
        ),
        (
            BackchannelAuthentication::new(
                &client,
                openid(),
                UserHint::login_hint(TEST_USER).unwrap(),
            )
            .unwrap()
            .user_code(BackchannelUserCode::new("wrong")),
            TokenErrorCode::InvalidUserCode,
        ),
        (
            BackchannelAuthentication::new(
                &client,
                openid(),
                UserHint::login_hint(TEST_USER).unwrap(),
            )
            .unwrap()
            .binding_message("a binding message far too long to show on a phone")
            .unwrap(),
            TokenErrorCode::InvalidBindingMessage,
        ),
    ];
    for (step, code) in cases {
        let failure = start(&server, step).unwrap_err();
        assert_eq!(failure.code(), Some(&code), "{failure}\n{}", server.log());
        assert!(failure.into_retry().is_none());
    }
    // The wrong secret.
    let wrong = ClientAuthentication::ClientSecretBasic(ClientSecret::new("wrong"));
    let client = interop_node_common::client(server.metadata(), OpClient::Ciba, wrong);
    let step =
        BackchannelAuthentication::new(&client, openid(), UserHint::login_hint(TEST_USER).unwrap())
            .unwrap();
    let failure = start(&server, step).unwrap_err();
    assert_eq!(failure.code(), Some(&TokenErrorCode::InvalidClient));
}

/// A request that expires before the user decides: the client asked for
/// 8 s (`requested_expiry`), the provider granted them; one poll at +6 s
/// (pending), and the next would come after the expiry, so the crate
/// stops by itself; a poll sent anyway, later, gets `expired_token`.
#[test]
fn ciba_request_expires() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Ciba);
    let step = BackchannelAuthentication::new(
        &client,
        Scope::parse("openid").unwrap(),
        UserHint::login_hint(TEST_USER).unwrap(),
    )
    .unwrap()
    .requested_expiry(Duration::from_secs(8))
    .unwrap();
    let polling = start(&server, step).unwrap_or_else(|f| panic!("{f}\n{}", server.log()));
    assert!(
        server.log().contains("requested_expiry=8"),
        "{}",
        server.log()
    );
    let saved = polling.pending().clone();
    let expires_at = saved.expires_at();
    assert!(expires_at.saturating_duration_since(UnixTime::now()) <= Duration::from_secs(8));
    let error = driver().run(polling).unwrap_err();
    let error = error.endpoint_error().unwrap().clone();
    assert_eq!(
        *error.kind(),
        EndpointErrorKind::AuthReqIdExpired { expires_at },
        "{}",
        server.log()
    );
    assert!(error.is_expired_token());

    // The provider agrees once the time is up.
    std::thread::sleep(
        expires_at.saturating_duration_since(UnixTime::now()) + Duration::from_secs(1),
    );
    // (The server's log lags its answers a little: counted only now.)
    let polls = server.log().matches("POST /token 400").count();
    assert_eq!(polls, 1, "one poll only\n{}", server.log());
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
}

/// Ping mode (CIBA Core §10.2): the request carries a
/// `client_notification_token`; once the user approved, oidc-provider
/// `POST`s the notification, which the client reads, checks against the
/// stored pending request, and answers with one token request at once —
/// no wait for the interval. A notification with another token is refused.
#[test]
fn ciba_ping_mode() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::CibaPing);
    let keys = key_set(&server, &client);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let token = format!("ping-token-{nanos:032}");
    let step = BackchannelAuthentication::new(
        &client,
        Scope::parse("openid").unwrap(),
        UserHint::login_hint(TEST_USER).unwrap(),
    )
    .unwrap()
    .client_notification_token(ClientNotificationToken::new(token.clone()))
    .unwrap();
    let polling = start(&server, step).unwrap_or_else(|f| panic!("{f}\n{}", server.log()));
    assert!(polling.pending().is_ping_mode());
    // The app keeps the pending request under its auth_req_id.
    let stored = polling.into_pending().to_json();
    let pending = AwaitingBackchannelApproval::from_json(stored.as_bytes()).unwrap();
    decide(&server, &pending, true);

    // The notification, as the provider sent it.
    let received = support::get(&server.url("/interop/ciba-notification"), None);
    let notifications: serde_json::Value = serde_json::from_slice(received.body()).unwrap();
    let sent = &notifications[0];
    let request = |authorization: &str| {
        http::Request::post("https://rp.example/ciba-notification")
            .header("authorization", authorization)
            .header("content-type", "application/json")
            .body(sent["body"].as_str().unwrap().as_bytes().to_vec())
            .unwrap()
    };
    let authorization = sent["authorization"].as_str().unwrap();
    assert_eq!(authorization, format!("Bearer {token}"), "{}", server.log());
    let notification = PingNotification::from_http(&request(authorization)).unwrap();
    assert_eq!(notification.auth_req_id(), pending.auth_req_id());

    // A forged one: refused, the pending request unchanged.
    let mut pending = AwaitingBackchannelApproval::from_json(stored.as_bytes()).unwrap();
    let forged =
        PingNotification::from_http(&request("Bearer forged-0123456789abcdefghij")).unwrap();
    assert!(pending.accept_ping(&forged, UnixTime::now()).is_err());
    assert_eq!(pending.to_json(), stored);

    pending.accept_ping(&notification, UnixTime::now()).unwrap();
    let started = std::time::Instant::now();
    let received = driver().run(pending.poll(&client).unwrap()).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let signed_in = received
        .verify(&keys, &RustCryptoVerifier, UnixTime::now())
        .unwrap_or_else(|failure| panic!("{failure}\n{}", server.log()));
    assert_eq!(signed_in.id_token().claims().subject(), TEST_USER);
}

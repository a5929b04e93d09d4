//! OpenID Client-Initiated Backchannel Authentication (CIBA Core 1.0) on
//! canned answers: snapshots of the backchannel authentication request
//! with each hint (§7.1) and of the token poll (§10.1); the caller's
//! mistakes refused before anything is built; the acknowledgement (§7.3)
//! and its errors (§13); every answer while polling (§11), by the device
//! grant's rules; the stored pending request; the ping notification
//! (§10.2); and a driver running the whole loop to a verified ID token.

use std::cell::Cell;
use std::time::Duration;

use oauth2_pkce::ciba::{
    AwaitingBackchannelApproval, BackchannelAuthentication, BackchannelPolling,
    BackchannelUserCode, ClientNotificationToken, PingNotification, UserHint, CIBA_GRANT_TYPE,
};
use oauth2_pkce::errors::{
    ApiMisuse, CallbackError, EndpointError, EndpointErrorKind, EndpointKind, InvalidValue,
    TokenErrorCode,
};
use oauth2_pkce::exchange::SecurityToken;
use oauth2_pkce::jose::{DpopKey, Ed25519Key, JwsAlgorithm, RustCryptoVerifier};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

use crate::openid::{es256_set, id_token, key_set, ACCESS_TOKEN, CLIENT_ID, ISSUER, NOW};
use crate::rendering::{render, render_http};

const CLIENT_SECRET: &str = "ciba-client-secret";
const AUTH_REQ_ID: &str = "1c266114-a1be-4252-8ad1-04986c5b9ac1";
const NOTIFICATION_TOKEN: &str = "8d67dc78-7faa-4d41-aabd-67707b374255";
const HINT_TOKEN: &str = "eyJraWQiOiJsdGFjZXNidyIsImFsZyI6IkVTMjU2In0.hint.sig";

fn metadata() -> ServerMetadata {
    ServerMetadata::new(
        ISSUER,
        "https://op.example/authorize",
        "https://op.example/token",
    )
    .with_backchannel_authentication_endpoint("https://op.example/bc-authorize")
    .with_token_endpoint_auth_methods_supported(["client_secret_basic", "client_secret_post"])
}

fn client_with(authentication: ClientAuthentication) -> Client {
    Client::new(
        metadata(),
        ClientId::new(CLIENT_ID).unwrap(),
        authentication,
    )
    .unwrap()
    .with_id_token_signing_alg(JwsAlgorithm::Es256)
    .unwrap()
}

fn client() -> Client {
    client_with(ClientAuthentication::ClientSecretBasic(ClientSecret::new(
        CLIENT_SECRET,
    )))
}

fn openid() -> Scope {
    Scope::parse("openid email").unwrap()
}

fn alice() -> UserHint {
    UserHint::login_hint("alice@example.com").unwrap()
}

fn json(status: u16, body: &str) -> HttpResponse<'_> {
    HttpResponse::new(status, body.as_bytes()).with_content_type("application/json")
}

fn acknowledgement(expires_in: u64, interval: Option<u64>) -> String {
    let interval = interval.map_or(String::new(), |i| format!(r#","interval":{i}"#));
    format!(r#"{{"auth_req_id":"{AUTH_REQ_ID}","expires_in":{expires_in}{interval}}}"#)
}

fn polling_with(step: BackchannelAuthentication, expires_in: u64) -> BackchannelPolling {
    step.handle_response(json(200, &acknowledgement(expires_in, None)), NOW)
        .unwrap()
}

fn polling(expires_in: u64) -> BackchannelPolling {
    polling_with(
        BackchannelAuthentication::new(&client(), openid(), alice()).unwrap(),
        expires_in,
    )
}

fn pairs(request: &oauth2_pkce::values::HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.body())
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

fn names(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(n, _)| n.as_str()).collect()
}

// --- §7.1: the backchannel authentication request

#[test]
fn the_request_with_a_login_hint_and_every_option() {
    let step = BackchannelAuthentication::new(&client(), openid(), alice())
        .unwrap()
        .binding_message("W4SCT")
        .unwrap()
        .user_code(BackchannelUserCode::new("6121"))
        .requested_expiry(Duration::from_secs(120))
        .unwrap()
        .acr_values(&["urn:mace:incommon:iap:silver", "mfa"])
        .unwrap();
    let request = step.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("ciba_request_login_hint", render(&request));
    assert_eq!(
        render_http(&step.request(&crate::CONTEXT).unwrap().into_http()),
        render(&request)
    );
    assert_eq!(request.uri(), "https://op.example/bc-authorize");
    let body = pairs(&request);
    assert_eq!(
        names(&body),
        [
            "scope",
            "login_hint",
            "binding_message",
            "user_code",
            "requested_expiry",
            "acr_values"
        ]
    );
    assert!(request
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
    // Neither the user code nor the client secret in Debug.
    let printed = format!("{step:?}");
    assert!(!printed.contains("6121"), "{printed}");
    assert!(!printed.contains(CLIENT_SECRET), "{printed}");
}

#[test]
fn the_request_with_a_login_hint_token_in_ping_mode() {
    let post = ClientAuthentication::ClientSecretPost(ClientSecret::new(CLIENT_SECRET));
    let hint = UserHint::login_hint_token(SecurityToken::new(HINT_TOKEN)).unwrap();
    let step = BackchannelAuthentication::new(&client_with(post), openid(), hint)
        .unwrap()
        .client_notification_token(ClientNotificationToken::new(NOTIFICATION_TOKEN))
        .unwrap();
    let request = step.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("ciba_request_login_hint_token_ping", render(&request));
    let body = pairs(&request);
    assert_eq!(
        names(&body),
        [
            "scope",
            "login_hint_token",
            "client_notification_token",
            "client_id",
            "client_secret"
        ]
    );
    assert!(request.header("authorization").is_none());
    let printed = format!("{step:?}");
    assert!(!printed.contains(HINT_TOKEN), "{printed}");
    assert!(!printed.contains(NOTIFICATION_TOKEN), "{printed}");
}

#[test]
fn the_request_with_an_id_token_hint() {
    let token = id_token("k1", serde_json::json!({"iss": ISSUER, "sub": "alice"}));
    let hint = UserHint::id_token_hint(SecurityToken::new(token.clone())).unwrap();
    let step =
        BackchannelAuthentication::new(&client(), Scope::parse("openid").unwrap(), hint).unwrap();
    let request = step.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("ciba_request_id_token_hint", render(&request));
    let body = pairs(&request);
    assert_eq!(names(&body), ["scope", "id_token_hint"]);
    assert_eq!(body[1].1, token);
    assert!(!format!("{step:?}").contains(&token));
}

/// Every client authentication of the crate, by the token endpoint's
/// machinery: a JWT assertion whose audience is the issuer (RFC 7523bis).
#[test]
fn the_request_with_a_client_assertion() {
    let secret = ClientSecret::new("a-client-secret-of-at-least-32-octets!");
    let metadata = metadata().with_token_endpoint_auth_methods_supported(["client_secret_jwt"]);
    let client = Client::new(
        metadata,
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretJwt(secret),
    )
    .unwrap();
    let step = BackchannelAuthentication::new(&client, openid(), alice()).unwrap();
    let request = step.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("ciba_request_client_secret_jwt", render(&request));
    let body = pairs(&request);
    assert_eq!(
        names(&body),
        [
            "scope",
            "login_hint",
            "client_id",
            "client_assertion_type",
            "client_assertion"
        ]
    );
    let (_, claims) = crate::rendering::decode_jws(&body[4].1);
    assert_eq!(claims["aud"], ISSUER);
    assert_eq!(claims["sub"], CLIENT_ID);
}

/// Exactly one hint: the type holds one, and nothing adds a second (the
/// `compile_fail` examples of `UserHint`'s docs); each is checked.
#[test]
fn each_hint_is_checked() {
    assert_eq!(
        UserHint::login_hint("").unwrap_err(),
        InvalidValue::RequestParameter("login_hint")
    );
    assert!(UserHint::login_hint("alice\u{202e}").is_err());
    assert_eq!(
        UserHint::login_hint_token(SecurityToken::new("")).unwrap_err(),
        InvalidValue::RequestParameter("login_hint_token")
    );
    assert_eq!(
        UserHint::id_token_hint(SecurityToken::new("a\nb")).unwrap_err(),
        InvalidValue::RequestParameter("id_token_hint")
    );
}

#[test]
fn the_callers_mistakes_are_refused_before_anything_is_built() {
    // No endpoint in the metadata.
    let bare = Client::new(
        ServerMetadata::new(
            ISSUER,
            "https://op.example/authorize",
            "https://op.example/token",
        ),
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap();
    assert_eq!(
        BackchannelAuthentication::new(&bare, openid(), alice()).unwrap_err(),
        ApiMisuse::NoEndpoint(EndpointKind::BackchannelAuthentication)
    );
    assert!(bare.backchannel_authentication_endpoint().is_none());
    assert_eq!(
        client()
            .backchannel_authentication_endpoint()
            .unwrap()
            .as_str(),
        "https://op.example/bc-authorize"
    );
    // A public client: the request must be authenticated.
    let public = client_with(ClientAuthentication::None);
    assert_eq!(
        BackchannelAuthentication::new(&public, openid(), alice()).unwrap_err(),
        ApiMisuse::PublicClient
    );
    // A scope without openid.
    let misuse = BackchannelAuthentication::new(&client(), Scope::parse("email").unwrap(), alice())
        .unwrap_err();
    assert_eq!(misuse, ApiMisuse::OpenIdScopeRequired);
    assert!(misuse.to_string().contains("openid"));
    // The options' values.
    let step = || BackchannelAuthentication::new(&client(), openid(), alice()).unwrap();
    for message in ["", "line\nbreak", "\u{202e}olleh"] {
        assert_eq!(
            step().binding_message(message).unwrap_err(),
            InvalidValue::RequestParameter("binding_message")
        );
    }
    assert_eq!(
        step()
            .requested_expiry(Duration::from_millis(999))
            .unwrap_err(),
        InvalidValue::RequestParameter("requested_expiry")
    );
    for values in [&[][..], &[""], &["a b"], &["tab\t"]] {
        assert_eq!(
            step().acr_values(values).unwrap_err(),
            InvalidValue::RequestParameter("acr_values")
        );
    }
    for token in [
        "short",
        "has space in it but long enough",
        "x".repeat(21).as_str(),
    ] {
        assert_eq!(
            step()
                .client_notification_token(ClientNotificationToken::new(token))
                .unwrap_err(),
            InvalidValue::RequestParameter("client_notification_token")
        );
    }
    assert!(step()
        .client_notification_token(ClientNotificationToken::new("x".repeat(22) + "=="))
        .is_ok());
    // An invalid endpoint is a configuration error.
    let error = Client::new(
        metadata().with_backchannel_authentication_endpoint("http://op.example/bc"),
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("backchannel_authentication_endpoint"),
        "{error}"
    );
}

#[test]
fn the_metadata_members_are_read() {
    let document = serde_json::json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://op.example/authorize",
        "token_endpoint": "https://op.example/token",
        "backchannel_authentication_endpoint": "https://op.example/bc-authorize",
        "backchannel_token_delivery_modes_supported": ["poll", "ping"],
        "backchannel_authentication_request_signing_alg_values_supported": ["ES256", "PS256"],
        "backchannel_user_code_parameter_supported": true,
    });
    let metadata: ServerMetadata = serde_json::from_value(document).unwrap();
    assert_eq!(
        metadata.backchannel_authentication_endpoint.as_deref(),
        Some("https://op.example/bc-authorize")
    );
    assert_eq!(
        metadata.backchannel_token_delivery_modes_supported,
        Some(vec!["poll".to_owned(), "ping".to_owned()])
    );
    assert_eq!(
        metadata.backchannel_authentication_request_signing_alg_values_supported,
        Some(vec!["ES256".to_owned(), "PS256".to_owned()])
    );
    assert!(metadata.backchannel_user_code_parameter_supported);
    assert!(metadata.extra.is_empty());
}

// --- §7.3, §13: the acknowledgement

#[test]
fn the_acknowledgement_starts_the_polling() {
    let polling = polling(120);
    let pending = polling.pending();
    assert_eq!(pending.auth_req_id().secret(), AUTH_REQ_ID);
    assert_eq!(
        pending.expires_at(),
        NOW.saturating_add(Duration::from_secs(120))
    );
    // No interval: 5 s (§7.3), and a second for a clock in whole seconds.
    assert_eq!(pending.interval(), Duration::from_secs(5));
    assert_eq!(
        pending.next_poll_at(),
        NOW.saturating_add(Duration::from_secs(6))
    );
    assert_eq!(pending.scope(), &openid());
    assert_eq!(pending.issuer(), ISSUER);
    assert!(!pending.is_ping_mode());
    assert!(!pending.is_expired(NOW));
    assert!(pending.is_expired(pending.expires_at()));
    assert!(!format!("{polling:?}").contains(AUTH_REQ_ID));

    let step = BackchannelAuthentication::new(&client(), openid(), alice()).unwrap();
    let with_interval = step
        .handle_response(json(200, &acknowledgement(120, Some(2))), NOW)
        .unwrap();
    assert_eq!(with_interval.pending().interval(), Duration::from_secs(2));
}

#[test]
fn a_bad_acknowledgement_is_a_typed_failure() {
    let step = || BackchannelAuthentication::new(&client(), openid(), alice()).unwrap();
    let cases = [
        (
            r#"{"expires_in":120}"#.to_owned(),
            EndpointErrorKind::MissingMember("auth_req_id"),
        ),
        (
            format!(r#"{{"auth_req_id":"{AUTH_REQ_ID}"}}"#),
            EndpointErrorKind::MissingMember("expires_in"),
        ),
        (
            acknowledgement(0, None),
            EndpointErrorKind::InvalidMember("expires_in"),
        ),
        (
            format!(r#"{{"auth_req_id":"{AUTH_REQ_ID}","expires_in":120,"interval":-2}}"#),
            EndpointErrorKind::InvalidMember("interval"),
        ),
        (
            format!(r#"{{"auth_req_id":"{AUTH_REQ_ID}","expires_in":120,"interval":"soon"}}"#),
            EndpointErrorKind::InvalidMember("interval"),
        ),
    ];
    for (body, kind) in cases {
        let failure = step().handle_response(json(200, &body), NOW).unwrap_err();
        assert_eq!(failure.error().kind(), &kind, "{body}");
        assert_eq!(failure.endpoint(), EndpointKind::BackchannelAuthentication);
        assert!(failure.into_retry().is_none());
    }
    // An interval that leaves no poll before the expiry.
    let failure = step()
        .handle_response(json(200, &acknowledgement(30, Some(40))), NOW)
        .unwrap_err();
    let expires_at = NOW.saturating_add(Duration::from_secs(30));
    assert_eq!(
        failure.error().kind(),
        &EndpointErrorKind::AuthReqIdExpired { expires_at }
    );
    assert!(failure.error().is_expired_token());
    assert!(
        failure
            .to_string()
            .contains("backchannel authentication endpoint's polling interval"),
        "{failure}"
    );
    // §13's codes, and 503 retryable.
    for code in [
        "invalid_request",
        "invalid_scope",
        "expired_login_hint_token",
        "unknown_user_id",
        "unauthorized_client",
        "missing_user_code",
        "invalid_user_code",
        "invalid_binding_message",
        "invalid_client",
        "access_denied",
    ] {
        let body = format!(r#"{{"error":"{code}","error_description":"no\u202e"}}"#);
        let status = if code == "invalid_client" { 401 } else { 400 };
        let failure = step()
            .handle_response(json(status, &body), NOW)
            .unwrap_err();
        assert_eq!(failure.code().map(TokenErrorCode::as_str), Some(code));
        assert!(
            !matches!(failure.code(), Some(TokenErrorCode::Other(_))),
            "{code}"
        );
        assert!(!failure.to_string().contains('\u{202e}'));
        assert!(failure.into_retry().is_none());
    }
    let failure = step().handle_response(json(503, ""), NOW).unwrap_err();
    assert!(failure.is_retryable());
    assert!(failure.into_retry().is_some());
}

// --- §10.1, §11: polling

#[test]
fn the_token_poll() {
    let polling = polling(120);
    let request = polling.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("ciba_token_request", render(&request));
    assert_eq!(request.uri(), "https://op.example/token");
    let body = pairs(&request);
    assert_eq!(names(&body), ["grant_type", "auth_req_id"]);
    assert_eq!(body[0].1, CIBA_GRANT_TYPE);
    assert_eq!(polling.not_before(), Some(polling.pending().next_poll_at()));
    assert_eq!(polling.not_after(), Some(polling.pending().expires_at()));

    // With a DPoP key: a proof on every poll (RFC 9449 §5).
    let key = DpopKey::new(Ed25519Key::from_bytes(&[9; 32]));
    let dpop = client().with_dpop(key).unwrap();
    let polling = polling_with(
        BackchannelAuthentication::new(&dpop, openid(), alice()).unwrap(),
        120,
    );
    let request = polling.request(&crate::CONTEXT).unwrap();
    assert!(request.header("dpop").is_some());
}

#[test]
fn pending_and_slow_down_follow_the_device_grants_rules() {
    let at = |seconds| NOW.saturating_add(Duration::from_secs(seconds));
    let failure = polling(120)
        .handle_response(json(400, r#"{"error":"authorization_pending"}"#), at(6))
        .unwrap_err();
    assert!(failure.error().is_authorization_pending());
    assert_eq!(failure.poll_again_at(), Some(at(12)));
    let polling = failure.into_retry().unwrap();
    assert_eq!(polling.pending().next_poll_at(), at(12));

    let failure = polling
        .handle_response(json(400, r#"{"error":"slow_down"}"#), at(12))
        .unwrap_err();
    assert_eq!(failure.poll_again_at(), Some(at(23)));
    let polling = failure.into_retry().unwrap();
    assert_eq!(polling.pending().interval(), Duration::from_secs(10));
    // For good: a later pending keeps the longer interval.
    let failure = polling
        .handle_response(json(400, r#"{"error":"authorization_pending"}"#), at(23))
        .unwrap_err();
    assert_eq!(failure.poll_again_at(), Some(at(34)));

    // The next poll would come at or past the expiry: over.
    let polling = failure.into_retry().unwrap();
    let failure = polling
        .handle_response(json(400, r#"{"error":"authorization_pending"}"#), at(110))
        .unwrap_err();
    assert_eq!(
        failure.error().kind(),
        &EndpointErrorKind::AuthReqIdExpired {
            expires_at: at(120)
        }
    );
    assert!(failure.error().is_expired_token());
    assert!(
        failure.to_string().contains("auth_req_id expired"),
        "{failure}"
    );
    assert!(failure.into_retry().is_none());
}

#[test]
fn denied_expired_and_other_errors_end_the_request() {
    type Check = fn(&EndpointError) -> bool;
    let cases: [(&str, Check); 3] = [
        ("access_denied", |e| {
            e.code() == Some(&TokenErrorCode::AccessDenied)
        }),
        ("expired_token", EndpointError::is_expired_token),
        ("invalid_grant", |e| {
            e.code() == Some(&TokenErrorCode::InvalidGrant)
        }),
    ];
    for (code, check) in cases {
        let body = format!(r#"{{"error":"{code}"}}"#);
        let failure = polling(120)
            .handle_response(json(400, &body), NOW)
            .unwrap_err();
        assert!(check(failure.error()), "{code}");
        assert!(failure.poll_again_at().is_none());
        assert!(failure.into_retry().is_none());
    }
    // 503: retryable, unless its Retry-After ends past the expiry.
    let failure = polling(120)
        .handle_response(json(503, "").with_retry_after("10"), NOW)
        .unwrap_err();
    assert!(failure.into_retry().is_some());
    let failure = polling(120)
        .handle_response(json(503, "").with_retry_after("120"), NOW)
        .unwrap_err();
    assert!(failure.error().is_expired_token());
    assert!(failure.into_retry().is_none());
}

// --- the pending request, stored

#[test]
fn the_pending_request_is_stored_and_polled_elsewhere() {
    let step = BackchannelAuthentication::new(&client(), openid(), alice())
        .unwrap()
        .client_notification_token(ClientNotificationToken::new(NOTIFICATION_TOKEN))
        .unwrap();
    let pending = polling_with(step, 120).into_pending();
    let stored = pending.to_json();
    let back = AwaitingBackchannelApproval::from_json(stored.as_bytes()).unwrap();
    assert_eq!(back, pending);
    assert!(back.is_ping_mode());
    let printed = format!("{back:?}");
    assert!(!printed.contains(AUTH_REQ_ID), "{printed}");
    assert!(!printed.contains(NOTIFICATION_TOKEN), "{printed}");
    let again = back.clone().poll(&client()).unwrap();
    assert_eq!(
        again.request(&crate::CONTEXT).unwrap(),
        pending
            .poll(&client())
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap()
    );
    // Another issuer's client with the same client_id gets nothing.
    let other = Client::new(
        ServerMetadata::new(
            "https://evil.example",
            "https://evil.example/authorize",
            "https://evil.example/token",
        ),
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
    )
    .unwrap();
    assert_eq!(back.poll(&other).unwrap_err(), ApiMisuse::ClientMismatch);

    // Tampered or corrupted: refused.
    let value: serde_json::Value = serde_json::from_str(&stored).unwrap();
    for (member, bad) in [
        ("interval", serde_json::json!(0)),
        ("next_poll_at", value["expires_at"].clone()),
        ("scope", serde_json::json!("email")),
        ("auth_req_id", serde_json::json!("a\nb")),
        ("v", serde_json::json!(2)),
    ] {
        let mut tampered = value.clone();
        tampered[member] = bad;
        let json = serde_json::to_vec(&tampered).unwrap();
        assert!(
            AwaitingBackchannelApproval::from_json(&json).is_err(),
            "{member}"
        );
    }
}

// --- §10.2: the ping notification

fn notification(authorization: Option<&str>, body: &str) -> http::Request<Vec<u8>> {
    let mut request =
        http::Request::post("https://rp.example/cb").header("content-type", "application/json");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.body(body.as_bytes().to_vec()).unwrap()
}

#[test]
fn a_ping_notification_is_checked_in_constant_time() {
    let step = BackchannelAuthentication::new(&client(), openid(), alice())
        .unwrap()
        .client_notification_token(ClientNotificationToken::new(NOTIFICATION_TOKEN))
        .unwrap();
    let mut pending = polling_with(step, 120).into_pending();
    let bearer = format!("Bearer {NOTIFICATION_TOKEN}");
    let body = format!(r#"{{"auth_req_id":"{AUTH_REQ_ID}"}}"#);

    let ping = PingNotification::from_http(&notification(Some(&bearer), &body)).unwrap();
    assert_eq!(ping.auth_req_id().secret(), AUTH_REQ_ID);
    assert_eq!(
        pending.next_poll_at(),
        NOW.saturating_add(Duration::from_secs(6))
    );
    // A ping once the request expired brings nothing forward.
    let mut expired = pending.clone();
    let expiry = NOW.saturating_add(Duration::from_secs(120));
    expired.accept_ping(&ping, expiry).unwrap();
    assert_eq!(
        expired.next_poll_at(),
        NOW.saturating_add(Duration::from_secs(6))
    );
    let later = NOW.saturating_add(Duration::from_secs(2));
    pending.accept_ping(&ping, later).unwrap();
    // The user decided: the token request goes at once (§10.2).
    assert_eq!(pending.next_poll_at(), later);
    let resumed = pending.clone().poll(&client()).unwrap();
    assert_eq!(resumed.not_before(), Some(later));
    let back = AwaitingBackchannelApproval::from_json(pending.to_json().as_bytes()).unwrap();
    assert_eq!(back, pending);
    let printed = format!("{ping:?}");
    assert!(!printed.contains(AUTH_REQ_ID) && !printed.contains(NOTIFICATION_TOKEN));
    // Any case of the scheme.
    let lower = format!("bearer {NOTIFICATION_TOKEN}");
    assert!(PingNotification::from_parts(Some(&lower), body.as_bytes()).is_ok());

    // Another token, none, another request, a request in poll mode.
    let wrong =
        PingNotification::from_parts(Some("Bearer forged-token-0123456789abc"), body.as_bytes())
            .unwrap();
    assert_eq!(
        pending.accept_ping(&wrong, NOW),
        Err(CallbackError::NotificationTokenMismatch)
    );
    for authorization in [None, Some("Basic abc"), Some(NOTIFICATION_TOKEN)] {
        assert_eq!(
            PingNotification::from_parts(authorization, body.as_bytes()).unwrap_err(),
            CallbackError::NotificationTokenMismatch
        );
    }
    let other =
        PingNotification::from_parts(Some(&bearer), br#"{"auth_req_id":"another"}"#).unwrap();
    assert_eq!(
        pending.accept_ping(&other, NOW),
        Err(CallbackError::AuthReqIdMismatch)
    );
    assert_eq!(
        polling(120).into_pending().accept_ping(&ping, NOW),
        Err(CallbackError::NotificationTokenMismatch)
    );

    // Not a notification.
    for body in [
        "",
        "[]",
        r#"{"auth_req_id":5}"#,
        r#"{"auth_req_id":"a\nb"}"#,
        r#"{"auth_req_id":"a","auth_req_id":"b"}"#,
    ] {
        assert_eq!(
            PingNotification::from_parts(Some(&bearer), body.as_bytes()).unwrap_err(),
            CallbackError::MalformedNotification,
            "{body}"
        );
    }
    let get = http::Request::get("https://rp.example/cb")
        .body(Vec::new())
        .unwrap();
    assert_eq!(
        PingNotification::from_http(&get).unwrap_err(),
        CallbackError::MalformedNotification
    );
    let huge = format!(r#"{{"auth_req_id":"{}"}}"#, "a".repeat(20_000));
    assert!(matches!(
        PingNotification::from_parts(Some(&bearer), huge.as_bytes()),
        Err(CallbackError::TooLarge { .. })
    ));
    // A body of exactly the cap is read; one byte more is not.
    let cap = oauth2_pkce::limits::MAX_CALLBACK_BYTES;
    let frame = r#"{"auth_req_id":""}"#.len();
    let at_cap = format!(r#"{{"auth_req_id":"{}"}}"#, "a".repeat(cap - frame));
    assert_eq!(at_cap.len(), cap);
    assert!(PingNotification::from_parts(Some(&bearer), at_cap.as_bytes()).is_ok());
    let over = format!("{at_cap} ");
    assert_eq!(
        PingNotification::from_parts(Some(&bearer), over.as_bytes()).unwrap_err(),
        CallbackError::TooLarge { limit: cap }
    );
}

// --- a driver, to the verified ID token

#[test]
fn a_driver_polls_to_a_verified_id_token() {
    let claims = serde_json::json!({
        "iss": ISSUER,
        "sub": "alice",
        "aud": CLIENT_ID,
        "exp": NOW.as_secs() + 300,
        "iat": NOW.as_secs(),
        "at_hash": "77QmUPtjPfzWtF2AnpK9RQ",
    });
    let tokens = format!(
        r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","expires_in":3600,"id_token":"{}"}}"#,
        id_token("k1", claims)
    );
    let answers = std::sync::Mutex::new(vec![
        (200, tokens),
        (400, r#"{"error":"slow_down"}"#.to_owned()),
        (400, r#"{"error":"authorization_pending"}"#.to_owned()),
    ]);
    // A virtual clock the sleeps advance.
    let clock = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(NOW.as_secs()));
    let slept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let send = |_: http::Request<RequestBody>| {
        let (status, body) = answers.lock().unwrap().pop().unwrap();
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.into_bytes())
                .unwrap(),
        )
    };
    let sleep = {
        let (clock, slept) = (clock.clone(), slept.clone());
        move |delay: Duration| {
            slept.lock().unwrap().push(delay.as_secs());
            clock.fetch_add(delay.as_secs(), std::sync::atomic::Ordering::SeqCst);
        }
    };
    let driver = Driver::with_policy(
        transport::from_fn(send).with_sleep(sleep),
        RetryPolicy::new(7),
    )
    .with_clock({
        let clock = clock.clone();
        move || UnixTime::from_secs(clock.load(std::sync::atomic::Ordering::SeqCst))
    });
    let received = driver.run(polling(600)).unwrap();
    // First poll after 6 s, pending; then 6 s, slow_down; then 11 s.
    assert_eq!(*slept.lock().unwrap(), [6, 6, 11]);
    let keys = key_set(&es256_set("k1"), None);
    let signed_in = received.verify(&keys, &RustCryptoVerifier, NOW).unwrap();
    assert_eq!(signed_in.id_token().claims().subject(), "alice");
    assert_eq!(signed_in.authorized().issuer(), ISSUER);
}

/// A driver never polls at or past the expiry: the request ends with
/// `AuthReqIdExpired`, the CIBA name of the deadline.
#[test]
fn a_driver_never_waits_past_the_expiry() {
    let sent = Cell::new(0);
    let send = |_: http::Request<RequestBody>| {
        sent.set(sent.get() + 1);
        Ok::<_, std::convert::Infallible>(
            http::Response::builder()
                .status(400)
                .header("content-type", "application/json")
                .body(br#"{"error":"authorization_pending"}"#.to_vec())
                .unwrap(),
        )
    };
    let polling = polling(10);
    let expires_at = polling.pending().expires_at();
    let clock = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(expires_at.as_secs()));
    let driver = Driver::with_policy(
        transport::from_fn(send).with_sleep(|_| {}),
        RetryPolicy::new(7),
    )
    .with_clock(move || UnixTime::from_secs(clock.load(std::sync::atomic::Ordering::SeqCst)));
    let error = driver.run(polling).unwrap_err();
    assert_eq!(
        error.endpoint_error().map(EndpointError::kind),
        Some(&EndpointErrorKind::AuthReqIdExpired { expires_at })
    );
    assert_eq!(sent.get(), 0);
}

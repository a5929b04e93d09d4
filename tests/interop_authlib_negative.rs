//! Interop: what goes wrong in real flows against Authlib surfaces as the
//! right typed error, with Authlib's error code preserved.
//!
//! Authlib's answers, for the record: a forged, replayed or
//! verifier-mismatched code is `400 invalid_grant` (RFC 6749 §5.2,
//! RFC 7636 §4.6); a wrong secret is `401 invalid_client` with
//! `WWW-Authenticate: Basic`, whether it came in an `Authorization` header
//! or in the body (Authlib answers 401 whenever `client_secret_basic` is
//! among the methods the endpoint accepts); a `plain` PKCE request is
//! refused at the authorization endpoint with an `invalid_request` redirect.

mod interop_common;

use interop_common::{AuthlibClient, AuthlibServer, Consent, NOW};
use oauth2_pkce::{
    AuthorizationErrorCode, Callback, CallbackError, Client, ErrorResponse, Exchanging,
    FlowEntropy, Start, TokenError, TokenErrorCode,
};

/// The token endpoint's typed error for an exchange that must fail, after
/// checking the status and that retrying is not offered.
fn exchange_error(exchanging: Exchanging, status: u16) -> ErrorResponse<TokenErrorCode> {
    let response = interop_common::send(exchanging.token_request_http().unwrap()).unwrap();
    assert_eq!(
        response.status(),
        status,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    let failure = exchanging
        .handle_token_response(&response, NOW)
        .unwrap_err();
    let error = match failure.error() {
        TokenError::ErrorResponse(error) => error.clone(),
        other => panic!("expected an OAuth error response, got {other:?}"),
    };
    assert!(
        failure.into_retry().is_none(),
        "{error} is not worth retrying"
    );
    error
}

/// The callback with `code` replaced, `state` and `iss` kept.
fn with_code(server: &AuthlibServer, state: &str, code: &str) -> Callback {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", code)
        .append_pair("state", state)
        .append_pair("iss", server.issuer())
        .finish();
    Callback::from_query(&query).unwrap()
}

/// The `code` of a callback URL.
fn code_of(callback_url: &str) -> String {
    let url = url::Url::parse(callback_url).unwrap();
    let code = url.query_pairs().find(|(name, _)| name == "code").unwrap();
    code.1.into_owned()
}

/// A login up to the callback URL, with the pending flow.
fn log_in(server: &AuthlibServer, client: &Client) -> (oauth2_pkce::AwaitingCallback, String) {
    let (authorization, pending) = Start::new(client)
        .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let url = server.browser_log_in(authorization.url().as_str(), Consent::Allow);
    (pending, url)
}

#[test]
fn callback_of_another_login_is_a_state_mismatch() {
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Basic);
    let (pending, _) = server.log_in(&client);
    let (_, other_callback) = server.log_in(&client);
    assert_eq!(
        pending
            .handle_callback(&client, other_callback)
            .unwrap_err(),
        CallbackError::StateMismatch
    );
}

#[test]
fn callback_from_another_issuer_is_refused() {
    let server = AuthlibServer::start();
    // The client believes the issuer has a trailing slash: another string,
    // so another issuer (RFC 9207 §2.4: simple string comparison).
    let mut metadata = server.metadata();
    metadata.issuer = format!("{}/", server.issuer());
    let client = interop_common::client(
        metadata,
        AuthlibClient::Public,
        AuthlibClient::Public.authentication(),
    );
    let (pending, callback) = server.log_in(&client);
    assert_eq!(
        pending.handle_callback(&client, callback).unwrap_err(),
        CallbackError::IssuerMismatch {
            received: server.issuer().to_owned()
        }
    );
}

#[test]
fn callback_without_iss_is_refused_since_the_server_promises_it() {
    // Authlib's metadata says authorization_response_iss_parameter_supported;
    // a callback stripped of iss (a mix-up attacker's) is refused.
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Public);
    let (pending, url) = log_in(&server, &client);
    let state = pending.state().secret().to_owned();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code_of(&url))
        .append_pair("state", &state)
        .finish();
    let stripped = Callback::from_query(&query).unwrap();
    assert_eq!(
        pending.handle_callback(&client, stripped).unwrap_err(),
        CallbackError::MissingIssuer
    );
}

#[test]
fn tampered_code_is_invalid_grant() {
    let server = AuthlibServer::start();
    for which in AuthlibClient::ALL {
        let client = server.client(which);
        let (pending, url) = log_in(&server, &client);
        let mut code = code_of(&url);
        let last = code.pop().unwrap();
        code.push(if last == 'A' { 'B' } else { 'A' });
        let state = pending.state().secret().to_owned();
        let exchanging = pending
            .handle_callback(&client, with_code(&server, &state, &code))
            .unwrap();
        let error = exchange_error(exchanging, 400);
        assert_eq!(*error.error(), TokenErrorCode::InvalidGrant, "{which:?}");
        assert_eq!(
            error.error_description(),
            Some("Invalid 'code' in request.")
        );
    }
}

#[test]
fn code_of_another_flow_fails_the_verifier_check() {
    // Flow B's code redeemed with flow A's code_verifier: exactly what PKCE
    // is there to stop (RFC 7636 §4.6, "Code challenge failed.").
    let server = AuthlibServer::start();
    for which in AuthlibClient::ALL {
        let client = server.client(which);
        let (pending_a, _) = log_in(&server, &client);
        let (_, url_b) = log_in(&server, &client);
        let state_a = pending_a.state().secret().to_owned();
        let exchanging = pending_a
            .handle_callback(&client, with_code(&server, &state_a, &code_of(&url_b)))
            .unwrap();
        let error = exchange_error(exchanging, 400);
        assert_eq!(*error.error(), TokenErrorCode::InvalidGrant, "{which:?}");
        assert_eq!(error.error_description(), Some("Code challenge failed."));
    }
}

#[test]
fn replayed_code_is_invalid_grant() {
    let server = AuthlibServer::start();
    for which in AuthlibClient::ALL {
        let client = server.client(which);
        let (pending, callback) = server.log_in(&client);
        // The same checked callback, exchanged twice (a stored flow that
        // was not deleted, or an attacker replaying the code).
        let first = pending
            .clone()
            .handle_callback(&client, callback.clone())
            .unwrap();
        let response = interop_common::send(first.token_request_http().unwrap()).unwrap();
        let authorized = first.handle_token_response(&response, NOW).unwrap();

        let replay = pending.handle_callback(&client, callback).unwrap();
        let error = exchange_error(replay, 400);
        assert_eq!(*error.error(), TokenErrorCode::InvalidGrant, "{which:?}");
        assert_eq!(
            error.error_description(),
            Some("Invalid 'code' in request.")
        );
        // Authlib does not revoke what the code already gave (RFC 6749
        // §4.1.2 says SHOULD): the first tokens still work.
        assert_eq!(server.call_api(Some(&authorized)).status(), 200);
    }
}

#[test]
fn wrong_client_secret_is_invalid_client() {
    let server = AuthlibServer::start();
    for which in [AuthlibClient::Basic, AuthlibClient::Post] {
        let client = interop_common::client(
            server.metadata(),
            which,
            which.authentication_with("not-the-secret"),
        );
        let (pending, callback) = server.log_in(&client);
        let exchanging = pending.handle_callback(&client, callback).unwrap();
        let request = exchanging.token_request_http().unwrap();
        let response = interop_common::send(request).unwrap();
        // RFC 6749 §5.2: 401 with a challenge (MUST when the client used
        // the Authorization header; Authlib does it for the body too).
        assert_eq!(response.status(), 401, "{which:?}");
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.starts_with("Basic error=\"invalid_client\""),
            "{challenge}"
        );
        let failure = exchanging
            .handle_token_response(&response, NOW)
            .unwrap_err();
        match failure.error() {
            TokenError::ErrorResponse(error) => {
                assert_eq!(*error.error(), TokenErrorCode::InvalidClient, "{which:?}");
            }
            other => panic!("{which:?}: expected invalid_client, got {other:?}"),
        }
        assert!(failure.into_retry().is_none());
    }
}

#[test]
fn plain_pkce_is_refused_by_the_server() {
    // The crate only sends plain when told to, loudly; Authlib (configured
    // S256-only, as its metadata says) refuses it, with state and iss.
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Public);
    let (authorization, pending) = Start::new(&client)
        .dangerous_use_plain_pkce()
        .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let callback_url = server.browser_log_in(authorization.url().as_str(), Consent::Allow);
    let callback = Callback::from_url(&callback_url).unwrap();
    assert_eq!(callback.iss(), Some(server.issuer()));
    match pending.handle_callback(&client, callback).unwrap_err() {
        CallbackError::Authorization(error) => {
            assert_eq!(*error.error(), AuthorizationErrorCode::InvalidRequest);
            assert!(
                error.error_description().unwrap().contains("S256"),
                "{error:?}"
            );
        }
        other => panic!("expected invalid_request, got {other:?}"),
    }
}

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

use crate::interop_common;

use interop_common::scenario::{self, exchange_error};
use interop_common::{AuthlibClient, AuthlibServer, Consent, NOW};
use oauth2_pkce::EndpointStep;
use oauth2_pkce::{errors::AuthorizationErrorCode, errors::TokenErrorCode, Start};

#[test]
fn callback_of_another_login_is_a_state_mismatch() {
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Basic);
    scenario::callback_of_another_login_is_a_state_mismatch(&client, |client| {
        server.log_in_url(client)
    });
}

#[test]
fn callback_from_another_issuer_is_refused() {
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Public);
    scenario::callback_from_another_issuer_is_refused(&client, server.issuer(), |client| {
        server.log_in_url(client)
    });
}

#[test]
fn callback_without_iss_is_refused_since_the_server_promises_it() {
    // Authlib's metadata says authorization_response_iss_parameter_supported;
    // a callback stripped of iss (a mix-up attacker's) is refused.
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Public);
    scenario::callback_without_iss_is_refused(&client, |client| server.log_in_url(client));
}

#[test]
fn tampered_code_is_invalid_grant() {
    let server = AuthlibServer::start();
    for which in AuthlibClient::ALL {
        let client = server.client(which);
        let error =
            scenario::tampered_code(&client, server.issuer(), |client| server.log_in_url(client));
        assert_eq!(*error.error(), TokenErrorCode::InvalidGrant, "{which:?}");
        assert_eq!(
            error.error_description(),
            Some("Invalid 'code' in request.")
        );
    }
}

#[test]
fn code_of_another_flow_fails_the_verifier_check() {
    // Flow B's code redeemed with flow A's code_verifier: Authlib says
    // "Code challenge failed." (RFC 7636 §4.6).
    let server = AuthlibServer::start();
    for which in AuthlibClient::ALL {
        let client = server.client(which);
        let error = scenario::code_of_another_flow(&client, server.issuer(), |client| {
            server.log_in_url(client)
        });
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
        let authorized = scenario::exchange(&client, pending.clone(), callback.clone());

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
        let request = exchanging.request(&crate::context()).unwrap().into_http();
        let response = interop_common::send(request).unwrap();
        // RFC 6749 §5.2: 401 with a challenge (MUST when the client used
        // the Authorization header; Authlib does it for the body too).
        assert_eq!(response.status(), 401, "{which:?}");
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.starts_with("Basic error=\"invalid_client\""),
            "{challenge}"
        );
        let failure = exchanging.handle_response(&response, NOW).unwrap_err();
        let error = scenario::error_response(failure.error()).error();
        assert_eq!(*error, TokenErrorCode::InvalidClient, "{which:?}");
        assert!(failure.into_retry().is_none());
    }
}

#[test]
fn plain_pkce_is_refused_by_the_server() {
    // The crate only sends plain when told to, loudly; Authlib (configured
    // S256-only, as its metadata says) refuses it, with state and iss.
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Public);
    let start = Start::new(&client).dangerous_use_plain_pkce();
    let error = scenario::refused_login(&client, start, server.issuer(), |url| {
        server.browser_log_in(url, Consent::Allow)
    });
    assert_eq!(*error.error(), AuthorizationErrorCode::InvalidRequest);
    assert!(
        error.error_description().unwrap().contains("S256"),
        "{error:?}"
    );
}

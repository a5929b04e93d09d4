//! Interop: what goes wrong in real flows against oidc-provider surfaces
//! as the right typed error, with the provider's error code preserved.
//!
//! oidc-provider's answers, for the record: a forged, replayed or
//! verifier-mismatched code is `400 invalid_grant` with the deliberately
//! vague description "grant request is invalid" (the reason goes to its
//! log only); a replayed code also revokes everything the code gave
//! (RFC 6749 §4.1.2's SHOULD); a wrong secret, or the right secret sent
//! with another method than the client registered, is `401 invalid_client`
//! "client authentication failed" without a `WWW-Authenticate` challenge
//! (`client_secret_basic` and `client_secret_post` count as one method:
//! either is accepted for a client registered with the other);
//! a `plain` PKCE request is an `invalid_request` redirect, with `state`
//! and `iss`.

use crate::interop_node_common;

use interop_node_common::scenario::{self, exchange_error};
use interop_node_common::{OidcProvider, OpClient, NOW};
use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::AuthorizationErrorCode, errors::ErrorResponse, errors::TokenErrorCode, Scope, Start,
};

/// `invalid_grant`, described as oidc-provider always does.
fn assert_invalid_grant(error: &ErrorResponse<TokenErrorCode>, which: OpClient) {
    assert_eq!(*error.error(), TokenErrorCode::InvalidGrant, "{which:?}");
    assert_eq!(error.error_description(), Some("grant request is invalid"));
}

#[test]
fn callback_of_another_login_is_a_state_mismatch() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Basic);
    scenario::callback_of_another_login_is_a_state_mismatch(&client, |client| {
        server.log_in_url(client, "openid")
    });
}

#[test]
fn callback_from_another_issuer_is_refused() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Public);
    scenario::callback_from_another_issuer_is_refused(&client, server.issuer(), |client| {
        server.log_in_url(client, "openid")
    });
}

#[test]
fn callback_without_iss_is_refused_since_the_server_promises_it() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Public);
    scenario::callback_without_iss_is_refused(&client, |client| {
        server.log_in_url(client, "openid")
    });
}

#[test]
fn tampered_code_is_invalid_grant() {
    let server = OidcProvider::start();
    for which in OpClient::ALL {
        let client = server.client(which);
        let error = scenario::tampered_code(&client, server.issuer(), |client| {
            server.log_in_url(client, "openid")
        });
        assert_invalid_grant(&error, which);
    }
}

#[test]
fn code_of_another_flow_fails_the_verifier_check() {
    // Flow B's code redeemed with flow A's code_verifier: the reason goes
    // to oidc-provider's log only.
    let server = OidcProvider::start();
    for which in OpClient::ALL {
        let client = server.client(which);
        let error = scenario::code_of_another_flow(&client, server.issuer(), |client| {
            server.log_in_url(client, "openid")
        });
        assert_invalid_grant(&error, which);
    }
    assert!(
        server.log_contains("PKCE verification failed"),
        "{}",
        server.log()
    );
}

#[test]
fn replayed_code_is_invalid_grant_and_revokes_the_first_tokens() {
    let server = OidcProvider::start();
    for which in OpClient::ALL {
        let client = server.client(which);
        let (pending, callback) = server.log_in(&client, "openid");
        // The same checked callback, exchanged twice (a stored flow that
        // was not deleted, or an attacker replaying the code).
        let authorized = scenario::exchange(&client, pending.clone(), callback.clone());
        assert_eq!(server.userinfo(Some(&authorized)).status(), 200);

        let replay = pending.handle_callback(&client, callback).unwrap();
        assert_invalid_grant(&exchange_error(replay, 400), which);
        // oidc-provider revokes the grant the code belonged to: the tokens
        // of the first exchange are dead too (RFC 6749 §4.1.2, SHOULD).
        assert_eq!(server.userinfo(Some(&authorized)).status(), 401);
        let refreshing = authorized.refresh(&client).unwrap();
        let response =
            interop_node_common::send(refreshing.request(&crate::context()).unwrap().into_http())
                .unwrap();
        let failure = refreshing.handle_response(&response, NOW).unwrap_err();
        assert!(
            failure.code() == Some(&TokenErrorCode::InvalidGrant),
            "{:?}",
            failure.error()
        );
    }
    assert!(server.log_contains("authorization code already consumed"));
}

#[test]
fn wrong_client_secret_is_invalid_client() {
    let server = OidcProvider::start();
    for which in [OpClient::Basic, OpClient::Post] {
        let client = interop_node_common::client(
            server.metadata(),
            which,
            which.authentication_with("not-the-secret"),
        );
        let (pending, callback) = server.log_in(&client, "openid");
        let exchanging = pending.handle_callback(&client, callback).unwrap();
        let error = exchange_error(exchanging, 401);
        assert_eq!(*error.error(), TokenErrorCode::InvalidClient, "{which:?}");
        assert_eq!(
            error.error_description(),
            Some("client authentication failed")
        );
    }
}

#[test]
fn secret_basic_and_secret_post_are_interchangeable() {
    // basic-client registered client_secret_basic, yet oidc-provider takes
    // its secret in the body too: it treats the two methods as one.
    let server = OidcProvider::start();
    let client = interop_node_common::client(
        server.metadata(),
        OpClient::Basic,
        OpClient::Post.authentication_with(OpClient::Basic.secret()),
    );
    let authorized = server.authorize(&client, "openid");
    assert_eq!(server.userinfo(Some(&authorized)).status(), 200);
}

#[test]
fn confidential_client_without_its_secret_is_invalid_client() {
    // basic-client acting as a public client (client_id in the body, no
    // secret): the method does not match the registration.
    let server = OidcProvider::start();
    let client = interop_node_common::client(
        server.metadata(),
        OpClient::Basic,
        OpClient::Public.authentication(),
    );
    let (pending, callback) = server.log_in(&client, "openid");
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let error = exchange_error(exchanging, 401);
    assert_eq!(*error.error(), TokenErrorCode::InvalidClient);
    assert_eq!(
        error.error_description(),
        Some("client authentication failed")
    );
    assert!(server.log_contains("does not match the registered client authentication method"));
}

#[test]
fn plain_pkce_is_refused_by_the_server() {
    // The crate only sends plain when told to, loudly; oidc-provider
    // (configured S256-only, as its metadata says) refuses it, with state
    // and iss.
    let server = OidcProvider::start();
    let client = server.client(OpClient::Public);
    let start = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .dangerous_use_plain_pkce();
    let error = scenario::refused_login(&client, start, server.issuer(), |url| {
        server.browser_log_in(url)
    });
    assert_eq!(*error.error(), AuthorizationErrorCode::InvalidRequest);
    assert_eq!(
        error.error_description(),
        Some("not supported value of code_challenge_method")
    );
}

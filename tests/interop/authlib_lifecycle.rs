//! Interop: the token lifecycle against Authlib on 127.0.0.1 — refresh with
//! rotation (RFC 6749 §6), revocation (RFC 7009), bearer challenges
//! (RFC 6750 §3) and the client credentials grant (RFC 6749 §4.4).
//!
//! How Authlib behaves (see `tests/interop/authlib_server.py`): every
//! refresh returns a new refresh token and revokes the old token record, so
//! the old refresh token is `invalid_grant` and the old access token
//! `invalid_token`; reusing an old refresh token does not revoke the newer
//! ones. A narrowed refresh narrows the grant for good: the next refresh
//! may not ask for the dropped scope back. Revoking an access token leaves
//! its refresh token usable; revoking the refresh token kills both.

use crate::interop_common;

use interop_common::scenario::{self, error_response, refresh, revoke};
use interop_common::{AuthlibClient, AuthlibServer};
use oauth2_pkce::{
    errors::ApiMisuse, errors::BearerErrorCode, errors::TokenErrorCode, resource::BearerChallenge,
    values::TokenTypeHint, Authorized, ClientCredentials, Scope,
};

/// The API refuses the access token with a Bearer `invalid_token`
/// challenge, which says: refresh.
fn assert_refused(server: &AuthlibServer, authorized: &Authorized) {
    let response = server.call_api(Some(authorized));
    let challenge = scenario::invalid_token_challenge(&response, &server.log());
    // A quoted-string with commas inside, read whole.
    assert_eq!(
        challenge.error_description(),
        Some(
            "The access token provided is expired, revoked, malformed, \
             or invalid for other reasons."
        )
    );
}

fn rotate_narrow_and_revoke(which: AuthlibClient) {
    let server = AuthlibServer::start();
    let client = server.client(which);
    let first = server.authorize(&client, "read write");
    assert_eq!(server.call_api(Some(&first)).status(), 200);

    // First refresh: new access and refresh tokens (rotation).
    let second = refresh(&client, &first, None).unwrap();
    let (old, new) = (first.tokens(), second.tokens());
    assert_eq!(new.generation(), 1);
    assert_ne!(new.access_token(), old.access_token());
    assert!(new.refresh_token().is_some());
    assert_ne!(new.refresh_token(), old.refresh_token(), "rotated");
    assert_eq!(new.scope(), &Scope::parse("read write").unwrap());
    assert_eq!(server.call_api(Some(&second)).status(), 200);
    // Authlib revoked the old record: its access token is refused too...
    assert_refused(&server, &first);
    // ...and the old refresh token is dead for good.
    let replay = refresh(&client, &first, None).unwrap_err();
    assert!(
        replay.code() == Some(&TokenErrorCode::InvalidGrant),
        "{replay:?}"
    );
    // No family revocation: the current tokens survive the replay.
    assert_eq!(server.call_api(Some(&second)).status(), 200);

    // Second refresh, narrowed to "read".
    let third = refresh(&client, &second, Some("read")).unwrap();
    assert_eq!(third.tokens().generation(), 2);
    assert_eq!(third.tokens().scope(), &Scope::parse("read").unwrap());
    assert_ne!(
        third.tokens().refresh_token(),
        second.tokens().refresh_token()
    );
    let me: serde_json::Value =
        serde_json::from_slice(server.call_api(Some(&third)).body()).unwrap();
    assert_eq!(me["scope"], "read");
    // Too little scope: Authlib answers 403 insufficient_scope in the body,
    // without a WWW-Authenticate challenge.
    let write = server.call(http::Method::POST, "/api/write", Some(&third));
    assert_eq!(write.status(), 403);
    assert_eq!(BearerChallenge::from_response(&write), Ok(None));
    let body: serde_json::Value = serde_json::from_slice(write.body()).unwrap();
    assert_eq!(body["error"], "insufficient_scope");

    // Wider than the original grant: refused before anything is sent.
    assert_eq!(
        third
            .refresh_with_scope(&client, Scope::parse("read write admin").unwrap())
            .unwrap_err(),
        ApiMisuse::ScopeNotGranted
    );
    // "write" was granted originally, so the crate lets it be asked; Authlib
    // compares with the narrowed token and says invalid_scope.
    let widened = refresh(&client, &third, Some("read write")).unwrap_err();
    assert_eq!(
        error_response(&widened).error(),
        &TokenErrorCode::InvalidScope
    );

    // A refresh without scope gets the (narrowed) scope of the token.
    let fourth = refresh(&client, &third, None).unwrap();
    assert_eq!(fourth.tokens().generation(), 3);
    assert_eq!(fourth.tokens().scope(), &Scope::parse("read").unwrap());

    // Revoke the access token: the API refuses it; the refresh token lives.
    // (Authlib answers `200 {}`.)
    revoke(&client, &fourth, TokenTypeHint::AccessToken);
    assert_refused(&server, &fourth);
    let fifth = refresh(&client, &fourth, None).unwrap();
    assert_eq!(server.call_api(Some(&fifth)).status(), 200);

    // Revoke the refresh token (a log-out): both of its tokens are dead.
    revoke(&client, &fifth, TokenTypeHint::RefreshToken);
    assert_refused(&server, &fifth);
    let dead = refresh(&client, &fifth, None).unwrap_err();
    assert!(
        dead.code() == Some(&TokenErrorCode::InvalidGrant),
        "{dead:?}"
    );
    // Revoking again is fine (RFC 7009 §2.2: an invalid token is a 200).
    revoke(&client, &fifth, TokenTypeHint::RefreshToken);
}

#[test]
fn refresh_rotation_and_revocation_client_secret_basic() {
    rotate_narrow_and_revoke(AuthlibClient::Basic);
}

#[test]
fn refresh_rotation_and_revocation_client_secret_post() {
    rotate_narrow_and_revoke(AuthlibClient::Post);
}

#[test]
fn refresh_rotation_and_revocation_public_client() {
    rotate_narrow_and_revoke(AuthlibClient::Public);
}

#[test]
fn api_without_token_gets_authlibs_missing_authorization_challenge() {
    let server = AuthlibServer::start();
    let response = server.call_api(None);
    assert_eq!(response.status(), 401);
    // RFC 6750 §3.1 says a request without credentials gets no error code;
    // Authlib sends its own, "missing_authorization", which is kept.
    let challenge = scenario::bearer_challenge(&response);
    assert_eq!(
        challenge.error(),
        Some(&BearerErrorCode::Other("missing_authorization".into()))
    );
}

#[test]
fn client_credentials_grant() {
    let server = AuthlibServer::start();
    for which in [AuthlibClient::Basic, AuthlibClient::Post] {
        let client = server.client(which);
        let authorized = scenario::client_credentials(&client, "read");
        let me: serde_json::Value =
            serde_json::from_slice(server.call_api(Some(&authorized)).body()).unwrap();
        assert_eq!(me["client_id"], which.client_id());
        assert_eq!(me["sub"], serde_json::Value::Null, "no user");
    }
    let public = server.client(AuthlibClient::Public);
    assert!(matches!(
        ClientCredentials::new(&public, Scope::parse("read").unwrap()),
        Err(ApiMisuse::PublicClient)
    ));
}

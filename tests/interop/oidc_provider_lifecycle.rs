//! Interop: the token lifecycle against oidc-provider on 127.0.0.1 —
//! refresh with rotation (RFC 6749 §6), revocation (RFC 7009), bearer
//! challenges (RFC 6750 §3) and the client credentials grant
//! (RFC 6749 §4.4).
//!
//! How oidc-provider behaves (configured with `rotateRefreshToken: true`):
//! every refresh returns a new refresh token and consumes the old one; the
//! old access token stays valid until it expires. Presenting a consumed
//! refresh token again is `invalid_grant` *and revokes the whole grant*
//! (reuse detection, RFC 9700 §4.14.2): the newest tokens die too. A
//! narrowed refresh narrows only the new access token; the refresh token
//! keeps the grant's scope, so a later refresh may ask for it all again.
//! Revoking an access token kills only it; revoking a refresh token
//! revokes the grant, access tokens included.

use crate::interop_node_common;

use interop_node_common::scenario::{self, error_response, refresh};
use interop_node_common::{OidcProvider, OpClient, TEST_USER};
use oauth2_pkce::{
    errors::ApiMisuse, errors::TokenErrorCode, values::TokenTypeHint, Authorized, Client,
    ClientCredentials, Scope,
};

/// Revokes one of `authorized`'s tokens; oidc-provider answers an empty
/// `200`.
fn revoke(client: &Client, authorized: &Authorized, token: TokenTypeHint) {
    let response = scenario::revoke(client, authorized, token);
    assert!(response.body().is_empty());
}

/// Userinfo refuses the access token with a Bearer `invalid_token`
/// challenge, which says: refresh.
fn assert_refused(server: &OidcProvider, authorized: &Authorized) {
    let response = server.userinfo(Some(authorized));
    let challenge = scenario::invalid_token_challenge(&response, &server.log());
    assert_eq!(challenge.realm(), Some(server.issuer()));
    assert_eq!(
        challenge.error_description(),
        Some("invalid token provided")
    );
}

/// The claims userinfo returns for `authorized`.
fn userinfo(server: &OidcProvider, authorized: &Authorized) -> serde_json::Value {
    let response = server.userinfo(Some(authorized));
    assert_eq!(response.status(), 200, "{}", server.log());
    serde_json::from_slice(response.body()).unwrap()
}

fn rotate_narrow_and_revoke(which: OpClient) {
    let server = OidcProvider::start();
    let client = server.client(which);
    let first = server.authorize(&client, "openid profile email");
    assert_eq!(userinfo(&server, &first)["email"], "alice@example.com");

    // First refresh: new access and refresh tokens (rotation).
    let second = refresh(&client, &first, None).unwrap();
    let (old, new) = (first.tokens(), second.tokens());
    assert_eq!(new.generation(), 1);
    assert_ne!(new.access_token(), old.access_token());
    assert!(new.refresh_token().is_some());
    assert_ne!(new.refresh_token(), old.refresh_token(), "rotated");
    assert_eq!(new.scope(), &Scope::parse("openid profile email").unwrap());
    assert!(new.extra().contains("id_token"));
    assert_eq!(userinfo(&server, &second)["sub"], TEST_USER);
    // The old access token lives on until it expires.
    assert_eq!(server.userinfo(Some(&first)).status(), 200);

    // Second refresh, narrowed to "openid profile": the new access token
    // has that scope, so userinfo leaves the email out.
    let third = refresh(&client, &second, Some("openid profile")).unwrap();
    assert_eq!(third.tokens().generation(), 2);
    assert_eq!(
        third.tokens().scope(),
        &Scope::parse("openid profile").unwrap()
    );
    assert_ne!(
        third.tokens().refresh_token(),
        second.tokens().refresh_token()
    );
    let me = userinfo(&server, &third);
    assert_eq!(me["name"], "Alice Liddell");
    assert_eq!(me["email"], serde_json::Value::Null);

    // Wider than the original grant: refused before anything is sent.
    assert_eq!(
        third
            .refresh_with_scope(&client, Scope::parse("openid profile email phone").unwrap())
            .unwrap_err(),
        ApiMisuse::ScopeNotGranted
    );
    // The refresh token kept the grant's whole scope: asking it back works.
    let fourth = refresh(&client, &third, Some("openid profile email")).unwrap();
    assert_eq!(fourth.tokens().generation(), 3);
    assert_eq!(userinfo(&server, &fourth)["email"], "alice@example.com");

    // Revoke the access token: userinfo refuses it; the refresh token lives.
    revoke(&client, &fourth, TokenTypeHint::AccessToken);
    assert_refused(&server, &fourth);
    let fifth = refresh(&client, &fourth, None).unwrap();
    assert_eq!(userinfo(&server, &fifth)["sub"], TEST_USER);

    // Revoke the refresh token (a log-out): the grant goes, and every
    // access token of it, even older ones.
    revoke(&client, &fifth, TokenTypeHint::RefreshToken);
    assert_refused(&server, &fifth);
    assert_refused(&server, &first);
    let dead = refresh(&client, &fifth, None).unwrap_err();
    assert!(
        dead.code() == Some(&TokenErrorCode::InvalidGrant),
        "{dead:?}"
    );
    // Revoking again is fine (RFC 7009 §2.2: an invalid token is a 200).
    revoke(&client, &fifth, TokenTypeHint::RefreshToken);
}

#[test]
fn refresh_rotation_narrowing_and_revocation_client_secret_basic() {
    rotate_narrow_and_revoke(OpClient::Basic);
}

#[test]
fn refresh_rotation_narrowing_and_revocation_client_secret_post() {
    rotate_narrow_and_revoke(OpClient::Post);
}

#[test]
fn refresh_rotation_narrowing_and_revocation_public_client() {
    rotate_narrow_and_revoke(OpClient::Public);
}

#[test]
fn reused_refresh_token_revokes_the_whole_grant() {
    let server = OidcProvider::start();
    for which in OpClient::ALL {
        let client = server.client(which);
        let first = server.authorize(&client, "openid");
        let second = refresh(&client, &first, None).unwrap();
        let third = refresh(&client, &second, None).unwrap();
        assert_eq!(third.tokens().generation(), 2);
        assert_eq!(server.userinfo(Some(&third)).status(), 200);

        // The first refresh token again: a lost race, or a thief.
        let reused = refresh(&client, &first, None).unwrap_err();
        assert!(
            reused.code() == Some(&TokenErrorCode::InvalidGrant),
            "{reused:?}"
        );
        let error = error_response(&reused);
        assert_eq!(error.error(), &TokenErrorCode::InvalidGrant);
        assert_eq!(error.error_description(), Some("grant request is invalid"));
        // oidc-provider's answer to reuse: the family is revoked, so the
        // winner's current tokens are dead too.
        assert_refused(&server, &third);
        let after = refresh(&client, &third, None).unwrap_err();
        assert!(
            after.code() == Some(&TokenErrorCode::InvalidGrant),
            "{which:?}: {after:?}"
        );
    }
    assert!(server.log_contains("refresh token already used"));
}

#[test]
fn refresh_is_tied_to_the_client_that_got_the_tokens() {
    let server = OidcProvider::start();
    let basic = server.client(OpClient::Basic);
    let post = server.client(OpClient::Post);
    let authorized = server.authorize(&basic, "openid");
    // The crate ties the token set to the client that got it...
    assert!(matches!(
        authorized.refresh(&post),
        Err(ApiMisuse::ClientMismatch)
    ));
    // ...and a refresh built for the right client works.
    let refreshed = refresh(&basic, &authorized, None).unwrap();
    assert_eq!(server.userinfo(Some(&refreshed)).status(), 200);
}

#[test]
fn client_credentials_grant() {
    let server = OidcProvider::start();
    for which in [OpClient::Basic, OpClient::Post] {
        let client = server.client(which);
        let authorized = scenario::client_credentials(&client, "api:read");
        let api = server.call_api(Some(&authorized));
        assert_eq!(api.status(), 200, "{}", server.log());
        let me: serde_json::Value = serde_json::from_slice(api.body()).unwrap();
        assert_eq!(me["client_id"], which.client_id());
        assert_eq!(me["kind"], "ClientCredentials");
        assert_eq!(me["sub"], serde_json::Value::Null, "no user");
        // Userinfo is for users' tokens only.
        assert_eq!(server.userinfo(Some(&authorized)).status(), 401);

        // Revoked (RFC 7009), the token is gone.
        revoke(&client, &authorized, TokenTypeHint::AccessToken);
        assert_eq!(server.call_api(Some(&authorized)).status(), 401);
    }
    let public = server.client(OpClient::Public);
    assert!(matches!(
        ClientCredentials::new(&public, Scope::parse("api:read").unwrap()),
        Err(ApiMisuse::PublicClient)
    ));
}

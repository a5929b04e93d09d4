//! Interop: token introspection (RFC 7662) against oidc-provider on
//! 127.0.0.1 — a resource server (`post-client`, `client_secret_post`)
//! asks about another client's tokens: active, revoked, expired, unknown.
//!
//! How oidc-provider behaves: any confidential client may introspect any
//! token (its default `allowedPolicy`); an active access token's answer
//! carries `client_id`, `sub`, `scope`, `exp`, `iat`, `iss` and
//! `token_type`; a revoked, expired or unknown token is `{"active":false}`
//! and nothing else.

use std::time::Duration;

use crate::interop_node_common;

use interop_node_common::scenario;
use interop_node_common::{send, OidcProvider, OpClient, SHORT_TOKEN_TTL, TEST_USER};
use oauth2_pkce::{
    resource::IntrospectedToken, resource::Introspection, resource::IntrospectionResponse,
    values::TokenTypeHint, Client, EndpointStep, Scope, UnixTime,
};

/// Asks the server about `token`, as `resource` (with the hint when given).
fn introspect(
    server: &OidcProvider,
    resource: &Client,
    token: &str,
    hint: Option<TokenTypeHint>,
) -> IntrospectionResponse {
    let mut step = Introspection::new(resource, IntrospectedToken::new(token)).unwrap();
    if let Some(hint) = hint {
        step = step.token_type_hint(hint);
    }
    let request = step.request(&crate::context()).unwrap();
    assert_eq!(request.uri(), server.url("/token/introspection"));
    let response = send(request.into_http()).unwrap();
    assert_eq!(response.status(), 200, "{}", server.log());
    step.handle_response(&response, UnixTime::now()).unwrap()
}

#[test]
fn introspection_of_an_active_then_revoked_token() {
    let server = OidcProvider::start();
    let metadata = server.metadata();
    assert_eq!(
        metadata.introspection_endpoint.as_deref(),
        Some(server.url("/token/introspection").as_str())
    );
    let client = server.client(OpClient::Basic);
    let resource = server.client(OpClient::Post);
    let authorized = server.authorize(&client, "openid profile");
    let access_token = authorized.tokens().access_token().secret();

    let answer = introspect(
        &server,
        &resource,
        access_token,
        Some(TokenTypeHint::AccessToken),
    );
    let now = UnixTime::now();
    assert!(answer.active());
    assert!(answer.is_active_at(now));
    assert_eq!(answer.client_id(), Some("basic-client"));
    assert_eq!(answer.sub(), Some(TEST_USER));
    assert_eq!(answer.iss(), Some(server.issuer()));
    assert_eq!(answer.token_type(), Some("Bearer"));
    assert_eq!(
        answer.scope(),
        Some(&Scope::parse("openid profile").unwrap())
    );
    let exp = answer.exp().unwrap();
    assert!(exp > now);
    assert_eq!(
        exp.saturating_duration_since(answer.iat().unwrap()),
        Duration::from_secs(interop_node_common::ACCESS_TOKEN_LIFETIME)
    );
    // What the resource decides: this token may read the profile, not
    // write anything, and is stale once `exp` passed.
    let profile = Scope::parse("profile").unwrap();
    assert!(answer.allows(now, None, &profile));
    assert!(!answer.allows(now, None, &Scope::parse("write").unwrap()));
    assert!(!answer.allows(exp, None, &profile));

    // The refresh token too, with its hint.
    let refresh_token = authorized.tokens().refresh_token().unwrap().secret();
    let answer = introspect(
        &server,
        &resource,
        refresh_token,
        Some(TokenTypeHint::RefreshToken),
    );
    assert!(answer.active());
    assert_eq!(answer.client_id(), Some("basic-client"));

    // Revoking the refresh token revokes the grant: both are inactive now,
    // an answer and not an error.
    scenario::revoke(&client, &authorized, TokenTypeHint::RefreshToken);
    for token in [access_token, refresh_token] {
        let answer = introspect(&server, &resource, token, None);
        assert!(!answer.active());
        assert!(!answer.allows(UnixTime::now(), None, &Scope::empty()));
        assert_eq!(answer.client_id(), None);
    }
    // And a token the server never issued.
    assert!(!introspect(&server, &resource, "no-such-token", None).active());
}

#[test]
fn introspection_of_an_expired_token() {
    let server = OidcProvider::start();
    let short = server.client(OpClient::ShortLived);
    let resource = server.client(OpClient::Basic);
    let authorized = scenario::client_credentials(&short, "");
    let token = authorized.tokens().access_token().secret();

    let answer = introspect(&server, &resource, token, None);
    assert!(answer.active(), "{}", server.log());
    assert_eq!(answer.client_id(), Some("short-lived-client"));
    let exp = answer.exp().unwrap();
    assert!(
        exp.saturating_duration_since(answer.iat().unwrap())
            <= Duration::from_secs(SHORT_TOKEN_TTL)
    );

    std::thread::sleep(Duration::from_secs(SHORT_TOKEN_TTL + 1));
    // A cached answer is stale by the caller's clock...
    assert!(!answer.is_active_at(UnixTime::now()));
    // ...and the server says so too.
    let answer = introspect(&server, &resource, token, None);
    assert!(!answer.active(), "{}", server.log());
}

/// A public client cannot introspect: refused before anything is sent.
#[test]
fn a_public_client_may_not_introspect() {
    let server = OidcProvider::start();
    let public = server.client(OpClient::Public);
    assert_eq!(
        Introspection::new(&public, IntrospectedToken::new("x")).unwrap_err(),
        oauth2_pkce::errors::ApiMisuse::PublicClient
    );
}

/// RFC 9701: a resource server registered for signed answers asks with
/// `Accept: application/token-introspection+jwt`; the answer, a JWT the
/// provider signed, verifies with its key set and reads as the JSON one.
#[test]
fn a_signed_introspection_answer() {
    use oauth2_pkce::jose::RustCryptoVerifier;
    use oauth2_pkce::openid::KeySetFetch;

    let server = OidcProvider::start();
    let user = server.authorize(&server.client(OpClient::Basic), "openid profile");
    let resource = server.client(OpClient::JwtIntrospection);
    let fetch = KeySetFetch::new(&resource).unwrap();
    let response = send(fetch.request(&crate::context()).unwrap().into_http()).unwrap();
    let keys = fetch.handle_response(&response, UnixTime::now()).unwrap();

    let token = IntrospectedToken::new(user.tokens().access_token().secret());
    let step = Introspection::new(&resource, token)
        .unwrap()
        .signed(&resource);
    let response = send(step.request(&crate::context()).unwrap().into_http()).unwrap();
    let received = step
        .handle_response(&response, UnixTime::now())
        .unwrap_or_else(|failure| panic!("{failure}\n{}", server.log()));
    let answer = received
        .verify(&keys, &RustCryptoVerifier, UnixTime::now())
        .unwrap_or_else(|error| panic!("{error}\n{}", server.log()));
    assert!(answer.active());
    assert_eq!(answer.client_id(), Some(OpClient::Basic.client_id()));
    assert!(answer.has_scope(&Scope::parse("openid").unwrap()));
}

//! Interop: token exchange (RFC 8693) against oidc-provider on 127.0.0.1,
//! whose custom grant type (`server.mjs`) takes a user's access token as
//! the subject token: an access token issued for another client, used at
//! an API; a JWT that is not an access token (`N_A`), verified with the
//! provider's key set and redeemed with the JWT bearer grant (RFC 7523
//! §2.1); the provider's refusals as typed failures.

use crate::interop_node_common;

use interop_node_common::support::send;
use interop_node_common::{OidcProvider, OpClient, TEST_USER};
use oauth2_pkce::errors::TokenErrorCode;
use oauth2_pkce::exchange::{Exchanged, JwtBearer, SecurityToken, TokenExchange, TokenTypeUri};
use oauth2_pkce::jose::{verify_jws, JwsAlgorithm, RustCryptoVerifier};
use oauth2_pkce::openid::KeySetFetch;
use oauth2_pkce::{Authorized, EndpointStep, UnixTime};

fn run(server: &OidcProvider, exchange: TokenExchange) -> Result<Exchanged, String> {
    let request = exchange.request(&crate::context()).unwrap().into_http();
    let response = send(request).unwrap();
    exchange
        .handle_response(&response, UnixTime::now())
        .map_err(|failure| format!("{failure}\n{}", server.log()))
}

/// The test user's access token, from a login of `basic-client`.
fn users_token(server: &OidcProvider) -> Authorized {
    server.authorize(&server.client(OpClient::Basic), "openid")
}

fn subject(authorized: &Authorized) -> SecurityToken {
    SecurityToken::new(authorized.tokens().access_token().secret())
}

#[test]
fn an_access_token_for_the_exchanging_client() {
    let server = OidcProvider::start();
    let user = users_token(&server);
    let client = server.client(OpClient::Exchange);
    let exchange = TokenExchange::new(&client, subject(&user), TokenTypeUri::ACCESS_TOKEN)
        .audience("https://backend.example");
    let Exchanged::AccessToken {
        issued_token_type,
        authorized,
    } = run(&server, exchange).unwrap()
    else {
        panic!("an access token\n{}", server.log());
    };
    assert_eq!(issued_token_type, TokenTypeUri::ACCESS_TOKEN);
    assert_ne!(
        authorized.tokens().access_token(),
        user.tokens().access_token()
    );
    // The new token is the user's, held by the exchanging client.
    let api = server.call_api(Some(&authorized));
    assert_eq!(api.status(), 200, "{}", server.log());
    let me: serde_json::Value = serde_json::from_slice(api.body()).unwrap();
    assert_eq!(me["sub"], TEST_USER);
    assert_eq!(me["client_id"], OpClient::Exchange.client_id());
    assert!(server.log_contains("token-exchange: subject alice for exchange-client audience=https://backend.example actor=no"));
}

/// Delegation (§1.1) with an actor token, asking for a JWT: the answer is
/// `N_A`, never a bearer token, and the JWT is the provider's, naming the
/// actor in `act` (§4.1).
#[test]
fn a_jwt_that_is_not_an_access_token() {
    let server = OidcProvider::start();
    let user = users_token(&server);
    let client = server.client(OpClient::Exchange);
    let exchange = TokenExchange::new(&client, subject(&user), TokenTypeUri::ACCESS_TOKEN)
        .actor_token(subject(&user), TokenTypeUri::ACCESS_TOKEN)
        .requested_token_type(TokenTypeUri::JWT)
        .audience("https://downstream.example");
    let Exchanged::Other {
        issued_token_type,
        token,
        expires_at,
    } = run(&server, exchange).unwrap()
    else {
        panic!("not an access token\n{}", server.log());
    };
    assert_eq!(issued_token_type, TokenTypeUri::JWT);
    assert!(expires_at.unwrap() > UnixTime::now());

    let fetch = KeySetFetch::new(&server.client(OpClient::Basic)).unwrap();
    let response = send(fetch.request(&crate::context()).unwrap().into_http()).unwrap();
    let keys = fetch.handle_response(&response, UnixTime::now()).unwrap();
    let verified = verify_jws(
        token.secret(),
        &[JwsAlgorithm::Rs256],
        keys.keys(),
        &RustCryptoVerifier,
    )
    .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(verified.payload()).unwrap();
    assert_eq!(claims["sub"], TEST_USER);
    assert_eq!(claims["aud"], "https://downstream.example");
    assert_eq!(claims["act"]["sub"], OpClient::Exchange.client_id());
}

/// The provider's refusals, as typed failures: a subject token it never
/// issued is `invalid_grant`; a client not registered for the grant is
/// `invalid_request` "requested grant type is not allowed for this
/// client" (oidc-provider's answer, where RFC 6749 §5.2 names
/// `unauthorized_client`).
#[test]
fn the_providers_refusals() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Exchange);
    let forged = TokenExchange::new(
        &client,
        SecurityToken::new("not-a-token-of-this-provider"),
        TokenTypeUri::ACCESS_TOKEN,
    );
    let request = forged.request(&crate::context()).unwrap().into_http();
    let failure = forged
        .handle_response(&send(request).unwrap(), UnixTime::now())
        .unwrap_err();
    assert_eq!(failure.code(), Some(&TokenErrorCode::InvalidGrant));
    assert!(!failure.is_retryable());

    let user = users_token(&server);
    let not_registered = TokenExchange::new(
        &server.client(OpClient::Basic),
        subject(&user),
        TokenTypeUri::ACCESS_TOKEN,
    );
    let request = not_registered
        .request(&crate::context())
        .unwrap()
        .into_http();
    let failure = not_registered
        .handle_response(&send(request).unwrap(), UnixTime::now())
        .unwrap_err();
    assert_eq!(failure.code(), Some(&TokenErrorCode::InvalidRequest));
    assert!(server.log_contains("requested grant type is not allowed for this client"));
}

/// RFC 7523 §2.1 after RFC 8693: the user's token traded for a JWT whose
/// audience is the provider, then that JWT redeemed with the JWT bearer
/// grant for an access token of the same user; a JWT for another
/// audience is `invalid_grant` (§3.1).
#[test]
fn a_jwt_from_the_exchange_redeemed_with_the_jwt_bearer_grant() {
    let server = OidcProvider::start();
    let user = users_token(&server);
    let client = server.client(OpClient::Exchange);
    let jwt_for = |audience: &str| {
        let exchange = TokenExchange::new(&client, subject(&user), TokenTypeUri::ACCESS_TOKEN)
            .requested_token_type(TokenTypeUri::JWT)
            .audience(audience);
        match run(&server, exchange).unwrap() {
            Exchanged::Other { token, .. } => token,
            other => panic!("a JWT: {other:?}"),
        }
    };

    let grant = JwtBearer::new(&client, jwt_for(server.issuer()));
    let request = grant.request(&crate::context()).unwrap().into_http();
    let authorized = grant
        .handle_response(&send(request).unwrap(), UnixTime::now())
        .unwrap();
    let api = server.call_api(Some(&authorized));
    assert_eq!(api.status(), 200, "{}", server.log());
    let me: serde_json::Value = serde_json::from_slice(api.body()).unwrap();
    assert_eq!(me["sub"], TEST_USER);
    assert_eq!(me["client_id"], OpClient::Exchange.client_id());

    let elsewhere = JwtBearer::new(&client, jwt_for("https://elsewhere.example"));
    let request = elsewhere.request(&crate::context()).unwrap().into_http();
    let failure = elsewhere
        .handle_response(&send(request).unwrap(), UnixTime::now())
        .unwrap_err();
    assert_eq!(failure.code(), Some(&TokenErrorCode::InvalidGrant));
}

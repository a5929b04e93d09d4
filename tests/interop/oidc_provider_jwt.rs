//! Interop: JWT client authentication (RFC 7523 §2.2, OpenID Connect Core
//! §9) against oidc-provider, which verifies every assertion: its
//! signature against the client's registered keys (or, for
//! `client_secret_jwt`, its secret), `iss` = `sub` = `client_id`, an `aud`
//! naming it, `exp`, and a `jti` it has not seen.
//!
//! `jwt-client` is registered with the public halves of RFC 7515 A.3's
//! P-256 key and RFC 8037 A.1's Ed25519 key; `hs-client` with a secret.
//! Each client runs the whole lifecycle: a login whose code exchange
//! carries an assertion, a refresh, a pushed authorization request, the
//! client credentials grant and a revocation — every endpoint that
//! authenticates the client.

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::interop_node_common;

use interop_node_common::scenario;
use interop_node_common::{OidcProvider, NOW, TEST_USER};
use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::TokenErrorCode, jose::ClientAssertionKey, jose::Ed25519Key, jose::Es256Key,
    values::TokenTypeHint, Client, ClientAuthentication, ClientSecret, FlowEntropy, Scope, Start,
};

fn es256() -> ClientAssertionKey {
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    ClientAssertionKey::new(Es256Key::from_bytes(&d).unwrap().with_key_id("es256"))
}

fn ed25519() -> ClientAssertionKey {
    let d = Base64UrlUnpadded::decode_vec("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").unwrap();
    ClientAssertionKey::new(Ed25519Key::from_bytes(&d.try_into().unwrap()).with_key_id("ed25519"))
}

const HS_SECRET: &str = "hs-secret-long-enough-for-hmac-sha-256-keys";

fn jwt_client(
    server: &OidcProvider,
    client_id: &str,
    authentication: ClientAuthentication,
) -> Client {
    let metadata = server.metadata();
    let methods = metadata
        .token_endpoint_auth_methods_supported
        .clone()
        .unwrap();
    assert!(
        methods.iter().any(|m| m == "private_key_jwt"),
        "{methods:?}"
    );
    assert!(
        methods.iter().any(|m| m == "client_secret_jwt"),
        "{methods:?}"
    );
    oauth2_pkce::Client::new(
        metadata,
        oauth2_pkce::ClientId::new(client_id).unwrap(),
        authentication,
    )
    .unwrap()
    .with_redirect_uri(oauth2_pkce::RedirectUri::new(interop_node_common::REDIRECT_URI).unwrap())
}

/// Every endpoint that authenticates the client, with `client`.
fn lifecycle(server: &OidcProvider, client: &Client) {
    // The code exchange.
    let (_, authorized) = scenario::whole_flow(client, "openid", server.issuer(), |url| {
        server.browser_log_in(url)
    });
    let me = server.userinfo(Some(&authorized));
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = serde_json::from_slice(me.body()).unwrap();
    assert_eq!(me["sub"], TEST_USER);
    // The refresh: a new assertion, a new jti.
    let refreshed = scenario::refresh(client, &authorized, None).unwrap();
    assert_eq!(refreshed.tokens().generation(), 1);
    // A pushed authorization request authenticates the same way.
    let pushing = Start::new(client)
        .scope(Scope::parse("openid").unwrap())
        .push(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let request = pushing.request(&crate::context()).unwrap().into_http();
    scenario::assert_authenticates_as_registered(&request, client);
    let response = interop_node_common::send(request).unwrap();
    assert_eq!(response.status(), 201, "{}", server.log());
    let (authorization, _) = pushing.handle_response(&response, NOW).unwrap();
    assert!(authorization.url().contains("request_uri="));
    // The client credentials grant, and the revocation.
    let machine = scenario::client_credentials(client, "openid");
    assert_eq!(server.call_api(Some(&machine)).status(), 200);
    scenario::revoke(client, &refreshed, TokenTypeHint::RefreshToken);
    let after = scenario::refresh(client, &refreshed, None).unwrap_err();
    assert!(
        after.code() == Some(&TokenErrorCode::InvalidGrant),
        "{after}"
    );
}

#[test]
fn private_key_jwt_with_es256_at_every_endpoint() {
    let server = OidcProvider::start();
    let client = jwt_client(
        &server,
        "jwt-client",
        ClientAuthentication::PrivateKeyJwt(es256()),
    );
    lifecycle(&server, &client);
}

#[test]
fn private_key_jwt_with_ed25519_at_every_endpoint() {
    let server = OidcProvider::start();
    let client = jwt_client(
        &server,
        "jwt-client",
        ClientAuthentication::PrivateKeyJwt(ed25519()),
    );
    lifecycle(&server, &client);
}

#[test]
fn client_secret_jwt_at_every_endpoint() {
    let server = OidcProvider::start();
    let secret = ClientAuthentication::ClientSecretJwt(ClientSecret::new(HS_SECRET));
    let client = jwt_client(&server, "hs-client", secret);
    lifecycle(&server, &client);
}

/// The server checks what it is sent: a key it does not know, a wrong
/// secret and a replayed assertion are `invalid_client`.
#[test]
fn assertions_the_server_must_refuse() {
    let server = OidcProvider::start();
    let unknown = ClientAssertionKey::new(Es256Key::from_bytes(&[7; 32]).unwrap());
    let wrong_secret = ClientSecret::new("another-secret-long-enough-for-hmac-sha-256");
    for (client_id, authentication) in [
        ("jwt-client", ClientAuthentication::PrivateKeyJwt(unknown)),
        (
            "hs-client",
            ClientAuthentication::ClientSecretJwt(wrong_secret),
        ),
    ] {
        let client = jwt_client(&server, client_id, authentication);
        let grant = oauth2_pkce::ClientCredentials::new(&client, Scope::empty()).unwrap();
        let response =
            interop_node_common::send(grant.request(&crate::context()).unwrap().into_http())
                .unwrap();
        assert_eq!(response.status(), 401, "{client_id}: {}", server.log());
        let failure = grant.handle_response(&response, NOW).unwrap_err();
        assert_eq!(failure.code(), Some(&TokenErrorCode::InvalidClient));
    }

    // The same assertion twice (the same context): the second is a replay.
    let client = jwt_client(
        &server,
        "jwt-client",
        ClientAuthentication::PrivateKeyJwt(es256()),
    );
    let grant = oauth2_pkce::ClientCredentials::new(&client, Scope::empty()).unwrap();
    let context = crate::context();
    let first = interop_node_common::send(grant.request(&context).unwrap().into_http()).unwrap();
    assert_eq!(first.status(), 200, "{}", server.log());
    let replay = interop_node_common::send(grant.request(&context).unwrap().into_http()).unwrap();
    assert_eq!(replay.status(), 401, "a replayed jti: {}", server.log());
}

//! Interop: whole flows against panva's oidc-provider, a certified OpenID
//! Provider (Node.js, `tests/interop_node/server.mjs`) on 127.0.0.1, for
//! each client authentication method (RFC 6749 §4.1, §2.3.1; RFC 7636;
//! RFC 9207; RFC 8414 via OpenID discovery; RFC 6750 §2.1, §3).

use crate::interop_node_common;

use interop_node_common::scenario::{self, expires_in};
use interop_node_common::support;
use interop_node_common::{OidcProvider, OpClient, ACCESS_TOKEN_LIFETIME, TEST_USER};
use oauth2_pkce::{
    errors::AuthorizationErrorCode, errors::BearerErrorCode, resource::NextStep, Scope, Start,
};

#[test]
fn discovery_document_describes_the_server() {
    let server = OidcProvider::start();
    let metadata = server.metadata();
    assert_eq!(metadata.issuer, server.issuer());
    assert_eq!(metadata.authorization_endpoint, server.url("/auth"));
    assert_eq!(metadata.token_endpoint, server.url("/token"));
    assert_eq!(
        metadata.revocation_endpoint.as_deref(),
        Some(server.url("/token/revocation").as_str())
    );
    assert_eq!(
        metadata.pushed_authorization_request_endpoint.as_deref(),
        Some(server.url("/request").as_str())
    );
    // PAR is required per client (par-client), not server-wide: the
    // document leaves the member out.
    assert!(!metadata.require_pushed_authorization_requests);
    assert!(metadata.authorization_response_iss_parameter_supported);
    assert_eq!(
        metadata.code_challenge_methods_supported.as_deref(),
        Some(&["S256".to_owned()][..])
    );
    let methods = metadata.token_endpoint_auth_methods_supported.unwrap();
    for method in ["client_secret_basic", "client_secret_post", "none"] {
        assert!(methods.iter().any(|m| m == method), "{methods:?}");
    }
    // The OpenID UserInfo endpoint is typed; the members the crate does
    // not model are kept.
    assert_eq!(
        metadata.userinfo_endpoint.as_deref(),
        Some(server.url("/me").as_str())
    );
    assert_eq!(metadata.jwks_uri, Some(server.url("/jwks")));
    assert!(metadata
        .id_token_signing_alg_values_supported
        .as_ref()
        .is_some_and(|algs| algs.iter().any(|alg| alg == "RS256")));
    // oidc-provider 8 serves only the OpenID path; the RFC 8414 one
    // (`/.well-known/oauth-authorization-server`) came with version 9.
    let oauth =
        interop_node_common::get(&server.url("/.well-known/oauth-authorization-server"), None);
    assert_eq!(oauth.status(), 404);
}

/// Authorize, callback, exchange and userinfo call for one client.
fn whole_flow(which: OpClient) {
    let server = OidcProvider::start();
    let client = server.client(which);

    // oidc-provider adds iss to every response without an ID Token, which
    // the shared flow checks.
    let (response, authorized) =
        scenario::whole_flow(&client, "openid profile", server.issuer(), |url| {
            server.browser_log_in(url)
        });
    // "Bearer", capitalised; and an ID Token, which the plain exchange
    // does not hand out: nothing verified it (a sign-in does,
    // `oidc_provider_sign_in.rs`).
    let raw: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(raw["token_type"], "Bearer");
    let id_token = raw["id_token"].as_str().unwrap();
    assert_eq!(id_token.split('.').count(), 3, "a JWS compact ID Token");
    let tokens = authorized.tokens();
    assert_eq!(expires_in(&authorized), ACCESS_TOKEN_LIFETIME);
    assert_eq!(tokens.scope(), &Scope::parse("openid profile").unwrap());
    assert!(!tokens.extra().contains("id_token"));

    // The provider's own protected resource, at the UserInfo endpoint the
    // discovered metadata names.
    let userinfo_endpoint = client.userinfo_endpoint().unwrap().as_str();
    assert_eq!(userinfo_endpoint, server.url("/me"));
    let userinfo = support::call(http::Method::GET, userinfo_endpoint, Some(&authorized));
    assert_eq!(userinfo.status(), 200, "{}", server.log());
    let me: serde_json::Value = serde_json::from_slice(userinfo.body()).unwrap();
    assert_eq!(me["sub"], TEST_USER);
    assert_eq!(me["name"], "Alice Liddell");
    assert_eq!(me["email"], serde_json::Value::Null, "not granted");
    // And server.mjs's resource, which looks the token up.
    let api = server.call_api(Some(&authorized));
    assert_eq!(api.status(), 200, "{}", server.log());
    let api: serde_json::Value = serde_json::from_slice(api.body()).unwrap();
    assert_eq!(api["client_id"], which.client_id());
    assert_eq!(api["scope"], "openid profile");
}

#[test]
fn client_secret_basic() {
    whole_flow(OpClient::Basic);
}

#[test]
fn client_secret_post() {
    whole_flow(OpClient::Post);
}

#[test]
fn public_client() {
    whole_flow(OpClient::Public);
}

#[test]
fn userinfo_without_a_token_challenges_with_bearer() {
    let server = OidcProvider::start();
    let response = server.userinfo(None);
    // RFC 6750 §3.1 would have 401 without an error code; oidc-provider
    // answers 400 invalid_request, with a bare Bearer challenge.
    assert_eq!(response.status(), 400);
    let challenge = scenario::bearer_challenge(&response);
    assert_eq!(challenge.realm(), Some(server.issuer()));
    assert_eq!(challenge.error(), None);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error"], "invalid_request");
}

#[test]
fn token_without_openid_is_refused_by_userinfo_with_insufficient_scope() {
    // No "openid": an OAuth-only grant. The token works on a plain
    // resource, and userinfo says which scope it would need.
    let server = OidcProvider::start();
    let client = server.client(OpClient::Basic);
    let authorized = server.authorize(&client, "profile");
    assert!(authorized.tokens().extra().get("id_token").is_none());
    assert_eq!(server.call_api(Some(&authorized)).status(), 200);

    let response = server.userinfo(Some(&authorized));
    assert_eq!(response.status(), 403, "{}", server.log());
    let challenge = scenario::bearer_challenge(&response);
    assert_eq!(challenge.error(), Some(&BearerErrorCode::InsufficientScope));
    assert_eq!(
        challenge.next_step(),
        NextStep::Reauthorize {
            scope: Some(Scope::parse("openid").unwrap())
        }
    );
}

#[test]
fn user_denies_consent() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Public);
    let start = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .param("test_consent", "deny");
    let error = scenario::refused_login(&client, start, server.issuer(), |url| {
        server.browser_log_in(url)
    });
    assert_eq!(*error.error(), AuthorizationErrorCode::AccessDenied);
    assert_eq!(error.error_description(), Some("the test user said no"));
}

#[test]
fn client_requiring_par_is_refused_a_plain_authorization_url() {
    // par-client is registered with require_pushed_authorization_requests;
    // the discovery document cannot say so (it is per client), so the
    // crate builds a plain URL and the provider refuses it, with iss and
    // state, at the client's redirect URI.
    let server = OidcProvider::start();
    let client = server.client(OpClient::Par);
    let start = Start::new(&client).scope(Scope::parse("openid").unwrap());
    let error = scenario::refused_login(&client, start, server.issuer(), |url| {
        server.browser_log_in(url)
    });
    assert_eq!(*error.error(), AuthorizationErrorCode::InvalidRequest);
    assert!(
        error
            .error_description()
            .unwrap()
            .contains("Pushed Authorization Request must be used"),
        "{error:?}"
    );
}

//! Interop: whole flows against Authlib, a third-party authorization server
//! (Python, `tests/interop/authlib_server.py`) on 127.0.0.1, for each client
//! authentication method it supports (RFC 6749 §4.1, §2.3.1; RFC 7636;
//! RFC 9207; RFC 8414; RFC 6750 §2.1).

use crate::interop_common;

use interop_common::scenario::{self, expires_in};
use interop_common::{AuthlibClient, AuthlibServer, Consent, ACCESS_TOKEN_LIFETIME, TEST_USER};
use oauth2_pkce::{errors::AuthorizationErrorCode, Scope, Start};

#[test]
fn discovery_document_describes_the_server() {
    let server = AuthlibServer::start();
    let metadata = server.metadata();
    assert_eq!(metadata.issuer, server.issuer());
    assert_eq!(
        metadata.authorization_endpoint,
        server.url("/authorize").as_str()
    );
    assert_eq!(metadata.token_endpoint, server.url("/token"));
    assert_eq!(
        metadata.revocation_endpoint.as_deref(),
        Some(server.url("/revoke").as_str())
    );
    assert!(metadata.authorization_response_iss_parameter_supported);
    assert_eq!(
        metadata.code_challenge_methods_supported.as_deref(),
        Some(&["S256".to_owned()][..])
    );
    // Only the confidential clients' methods are listed, yet the public
    // client is served (`public_client` below): being public is a fact of
    // the registration (RFC 6749 §2.1), and `Client::new` accepts it.
    assert_eq!(
        metadata.token_endpoint_auth_methods_supported.as_deref(),
        Some(
            &[
                "client_secret_basic".to_owned(),
                "client_secret_post".to_owned()
            ][..]
        )
    );
    // Members the crate does not model are kept.
    assert!(metadata
        .extra
        .contains("revocation_endpoint_auth_methods_supported"));
}

/// Authorize, callback, exchange and API call for one client.
fn whole_flow(which: AuthlibClient) {
    let server = AuthlibServer::start();
    let client = server.client(which);

    // Authlib's IssuerParameter extension: iss on every response (RFC 9207),
    // which the shared flow checks.
    let (_, authorized) = scenario::whole_flow(&client, "read write", server.issuer(), |url| {
        server.browser_log_in(url, Consent::Allow)
    });
    let tokens = authorized.tokens();
    assert_eq!(expires_in(&authorized), ACCESS_TOKEN_LIFETIME);
    assert!(tokens.scope().contains("read") && tokens.scope().contains("write"));

    let api = server.call_api(Some(&authorized));
    assert_eq!(api.status(), 200, "{}", server.log());
    let me: serde_json::Value = serde_json::from_slice(api.body()).unwrap();
    assert_eq!(me["sub"], TEST_USER);
    assert_eq!(me["client_id"], which.client_id());
    assert_eq!(me["scope"], "read write");

    // Without the token the API says why, as RFC 6750 §3 asks.
    let anonymous = server.call_api(None);
    assert_eq!(anonymous.status(), 401);
}

#[test]
fn client_secret_basic() {
    whole_flow(AuthlibClient::Basic);
}

#[test]
fn client_secret_post() {
    whole_flow(AuthlibClient::Post);
}

#[test]
fn public_client() {
    whole_flow(AuthlibClient::Public);
}

#[test]
fn omitted_scope_is_the_servers_default() {
    // No scope asked: Authlib's client gives its default, "read", and says
    // so in the token response.
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Basic);
    let (pending, callback) = server.log_in(&client);
    assert!(pending.scope().is_empty());
    let authorized = scenario::exchange(&client, pending, callback);
    assert_eq!(authorized.tokens().scope(), &Scope::parse("read").unwrap());
    assert_eq!(server.call_api(Some(&authorized)).status(), 200);
}

#[test]
fn user_denies_consent() {
    let server = AuthlibServer::start();
    let client = server.client(AuthlibClient::Public);
    let error = scenario::refused_login(&client, Start::new(&client), server.issuer(), |url| {
        server.browser_log_in(url, Consent::Deny)
    });
    assert_eq!(*error.error(), AuthorizationErrorCode::AccessDenied);
}

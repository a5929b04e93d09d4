//! Interop: pushed authorization requests (RFC 9126) against oidc-provider:
//! `Start::push` → the PAR endpoint → an authorization URL with only
//! `client_id` and `request_uri` → login → callback → exchange → userinfo.
//!
//! oidc-provider answers a push with `201 Created` and
//! `{"request_uri": "urn:ietf:params:oauth:request_uri:…", "expires_in": 60}`;
//! it authenticates the client at the PAR endpoint as at the token
//! endpoint, validates the pushed parameters there (a `plain` challenge is
//! `400 invalid_request` at once), and lets a `request_uri` be used once.
//! `par-client` is registered with `require_pushed_authorization_requests`.

use crate::interop_node_common;

use interop_node_common::scenario::{self, error_response};
use interop_node_common::{query_param, OidcProvider, OpClient, NOW, TEST_USER};
use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::ApiMisuse, errors::AuthorizationErrorCode, errors::CallbackError, errors::ConfigError,
    errors::TokenErrorCode, AuthorizationRequest, AwaitingCallback, Callback, Client, FlowEntropy,
    Scope, Start,
};

/// Pushes a login for `client` asking for `scope`: the authorization
/// request (client_id + request_uri) and the pending flow.
fn push(
    server: &OidcProvider,
    client: &Client,
    scope: &str,
) -> (AuthorizationRequest, AwaitingCallback) {
    let pushing = Start::new(client)
        .scope(Scope::parse(scope).unwrap())
        .push(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let request = pushing.request(&crate::context()).unwrap().into_http();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri(), server.url("/request").as_str());
    let body = String::from_utf8(request.body().as_bytes().to_vec()).unwrap();
    assert!(body.contains("code_challenge_method=S256"), "{body}");
    assert!(!body.contains("request_uri"), "{body}");
    let response = interop_node_common::send(request).unwrap();
    assert_eq!(
        response.status(),
        201,
        "{}\n--- server log ---\n{}",
        String::from_utf8_lossy(response.body()),
        server.log()
    );
    let raw: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert!(raw["request_uri"]
        .as_str()
        .unwrap()
        .starts_with("urn:ietf:params:oauth:request_uri:"));
    let expires_in = raw["expires_in"].as_u64().unwrap();
    let (authorization, pending) = pushing.handle_response(&response, NOW).unwrap();
    assert_eq!(
        pending
            .request_uri_expires_at()
            .unwrap()
            .saturating_duration_since(NOW)
            .as_secs(),
        expires_in
    );
    (authorization, pending)
}

fn pushed_flow(which: OpClient) {
    let server = OidcProvider::start();
    let client = server.client(which);
    let (authorization, pending) = push(&server, &client, "openid profile");

    // The browser carries nothing but client_id and request_uri (RFC 9126
    // §4).
    let url = url::Url::parse(authorization.url()).unwrap();
    let names: Vec<String> = url
        .query_pairs()
        .map(|(name, _)| name.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request_uri"]);
    assert_eq!(
        query_param(url.as_str(), "client_id").as_deref(),
        Some(which.client_id())
    );

    // The pending flow survives a trip through the session store.
    let stored = serde_json::to_vec(&pending).unwrap();
    let pending: AwaitingCallback = serde_json::from_slice(&stored).unwrap();
    assert!(pending.request_uri_expires_at().is_some());

    let callback_url = server.browser_log_in(url.as_str());
    let callback = Callback::from_url(&callback_url).unwrap();
    assert_eq!(callback.iss(), Some(server.issuer()));
    let authorized = scenario::exchange(&client, pending, callback);
    assert_eq!(
        authorized.tokens().scope(),
        &Scope::parse("openid profile").unwrap()
    );
    let userinfo = server.userinfo(Some(&authorized));
    assert_eq!(userinfo.status(), 200, "{}", server.log());
    let me: serde_json::Value = serde_json::from_slice(userinfo.body()).unwrap();
    assert_eq!(me["sub"], TEST_USER);
    assert_eq!(me["name"], "Alice Liddell");

    // A request_uri is good for one authorization (oidc-provider consumes
    // it): the same URL again is refused at the redirect URI.
    let again = server.browser_log_in(url.as_str());
    assert_eq!(
        query_param(&again, "error").as_deref(),
        Some("invalid_request_uri")
    );
}

#[test]
fn pushed_flow_client_secret_basic() {
    pushed_flow(OpClient::Basic);
}

#[test]
fn pushed_flow_client_secret_post() {
    pushed_flow(OpClient::Post);
}

#[test]
fn pushed_flow_public_client() {
    pushed_flow(OpClient::Public);
}

#[test]
fn pushed_flow_client_that_requires_par() {
    pushed_flow(OpClient::Par);
}

#[test]
fn metadata_requiring_par_makes_begin_refuse() {
    // Had the server required PAR for everyone, its metadata would say so
    // and `begin` would refuse to build a URL the server refuses anyway.
    let server = OidcProvider::start();
    let mut metadata = server.metadata();
    metadata.require_pushed_authorization_requests = true;
    let client =
        interop_node_common::client(metadata, OpClient::Par, OpClient::Par.authentication());
    assert_eq!(
        Start::new(&client)
            .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
            .unwrap_err(),
        ConfigError::Misuse(ApiMisuse::PushedAuthorizationRequired)
    );
    // Pushing works.
    let (authorization, pending) = push(&server, &client, "openid");
    let callback_url = server.browser_log_in(authorization.url());
    let callback = Callback::from_url(&callback_url).unwrap();
    let authorized = scenario::exchange(&client, pending, callback);
    assert_eq!(server.userinfo(Some(&authorized)).status(), 200);
}

#[test]
fn wrong_secret_at_the_par_endpoint_is_invalid_client() {
    let server = OidcProvider::start();
    for which in [OpClient::Basic, OpClient::Post, OpClient::Par] {
        let client = interop_node_common::client(
            server.metadata(),
            which,
            which.authentication_with("not-the-secret"),
        );
        let pushing = Start::new(&client)
            .scope(Scope::parse("openid").unwrap())
            .push(FlowEntropy::from_os_rng().unwrap(), NOW)
            .unwrap();
        let response =
            interop_node_common::send(pushing.request(&crate::context()).unwrap().into_http())
                .unwrap();
        assert_eq!(response.status(), 401, "{which:?}");
        let failure = pushing.handle_response(&response, NOW).unwrap_err();
        let error = error_response(failure.error());
        assert_eq!(*error.error(), TokenErrorCode::InvalidClient, "{which:?}");
        assert_eq!(
            error.error_description(),
            Some("client authentication failed")
        );
        assert!(failure.into_retry().is_none());
    }
}

#[test]
fn plain_pkce_is_refused_at_the_par_endpoint() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Par);
    let pushing = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .dangerous_use_plain_pkce()
        .push(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let response =
        interop_node_common::send(pushing.request(&crate::context()).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 400);
    let failure = pushing.handle_response(&response, NOW).unwrap_err();
    // An authorization error code, in a token-style error body.
    let error = error_response(failure.error());
    assert_eq!(*error.error(), TokenErrorCode::InvalidRequest, "{error:?}");
    assert_eq!(
        error.error_description(),
        Some("not supported value of code_challenge_method")
    );
}

#[test]
fn request_uri_of_another_client_is_refused() {
    // basic-client's request_uri presented with par-client's client_id.
    // oidc-provider refuses it at the redirect URI with
    // `invalid_request_object` (RFC 9101 §6.3) and the state of the pushed
    // request: par-client's flow sees a state mismatch; basic-client's flow
    // sees the error, its code kept as sent.
    let server = OidcProvider::start();
    let basic = server.client(OpClient::Basic);
    let par = server.client(OpClient::Par);
    let (authorization, basic_pending) = push(&server, &basic, "openid");
    let (_, par_pending) = push(&server, &par, "openid");
    let request_uri = query_param(authorization.url(), "request_uri").unwrap();
    let forged = url::form_urlencoded::Serializer::new(server.url("/auth?"))
        .append_pair("client_id", OpClient::Par.client_id())
        .append_pair("request_uri", &request_uri)
        .finish();
    let response = interop_node_common::get(&forged, None);
    assert_eq!(response.status(), 303, "{}", server.log());
    let location = response.headers()["location"].to_str().unwrap();
    let callback = Callback::from_url(location).unwrap();
    assert_eq!(callback.iss(), Some(server.issuer()));

    assert_eq!(
        par_pending
            .handle_callback(&par, callback.clone())
            .unwrap_err(),
        CallbackError::StateMismatch
    );
    match basic_pending.handle_callback(&basic, callback).unwrap_err() {
        CallbackError::Authorization(error) => {
            assert_eq!(*error.error(), AuthorizationErrorCode::InvalidRequestObject);
            assert_eq!(
                error.error_description(),
                Some("request client_id must equal the one in request parameters")
            );
        }
        other => panic!("expected invalid_request_object, got {other:?}"),
    }
}

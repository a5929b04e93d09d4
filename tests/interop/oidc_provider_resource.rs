//! Interop: a resource-aware client against oidc-provider with resource
//! indicators (RFC 8707) and dynamic registration (RFC 7591) on, and the
//! Model-Context-Protocol-style resource `server.mjs` serves beside it
//! (RFC 9728): from a bare resource URL, its `401` and
//! `resource_metadata`, the resource's metadata, the authorization
//! server's discovery, a registration, a PKCE login asking for the
//! resource, a JWT access token whose audience is the resource, and the
//! retried call; then a step-up on `insufficient_scope`, a refresh that
//! keeps the audience, and an impostor's metadata refused.

use crate::interop_node_common;

use base64ct::Encoding;
use interop_node_common::{send, OidcProvider, REDIRECT_URI};
use oauth2_pkce::errors::ResourceError;
use oauth2_pkce::errors::{
    AuthorizationErrorCode, ChainError, EndpointError, EndpointErrorKind, EndpointKind,
};
use oauth2_pkce::registration::{ClientMetadata, Registration, TokenEndpointAuthMethod};
use oauth2_pkce::resource::{
    BearerChallenge, NextStep, ResourceDiscovery, ResourceIndicator, ResourceLogin,
    ResourceMetadata, StepUp,
};
use oauth2_pkce::values::UntrustedText;
use oauth2_pkce::*;

fn driver() -> Driver<impl Transport<Error = ureq::Error>> {
    Driver::with_policy(transport::from_fn(send), RetryPolicy::new(7))
}

fn run<S: EndpointStep>(step: S) -> Result<S::Output, EndpointError> {
    driver()
        .run(step)
        .map_err(|error| error.endpoint_error().cloned().expect("no transport error"))
}

fn start_server() -> OidcProvider {
    OidcProvider::start_with(&[("RESOURCE_INDICATORS", "1")])
}

/// The claims of a JWT access token, unverified (the resource verifies).
fn jwt_claims(authorized: &Authorized) -> serde_json::Value {
    let token = authorized.tokens().access_token().secret();
    let payload = token.split('.').nth(1).expect("a JWT access token");
    let bytes = base64ct::Base64UrlUnpadded::decode_vec(payload).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// 401 → resource metadata → discovery → registration → login for the
/// resource → token → the same call, now answered.
fn chain(server: &OidcProvider, resource_url: &str) -> (Client, Authorized, ResourceMetadata) {
    // 1. The bare call: 401 with a challenge naming the metadata.
    let response = interop_node_common::support::call(http::Method::GET, resource_url, None);
    assert_eq!(response.status(), 401);
    let challenge = BearerChallenge::from_response(&response).unwrap().unwrap();
    assert!(challenge.resource_metadata().is_some());

    // 2. The resource's metadata, which must name the URL called (§3.3).
    let metadata =
        run(ResourceDiscovery::from_challenge(resource_url, &challenge).unwrap()).unwrap();
    assert_eq!(metadata.resource().as_str(), resource_url);
    assert_eq!(
        metadata.authorization_servers().collect::<Vec<_>>(),
        [server.issuer()]
    );

    // 3. The authorization server's metadata: issuer checked, S256
    //    required (oidc-provider 8 has only the OpenID document: the
    //    RFC 8414 one's 404 falls back).
    let discovery = metadata.authorization_server_discovery().unwrap();
    let server_metadata = run(discovery).unwrap();
    assert_eq!(server_metadata.issuer, server.issuer());
    assert!(server_metadata.registration_endpoint.is_some());

    // 4. Registration: a native public client with a loopback redirect.
    let registration = Registration::new(
        server_metadata,
        ClientMetadata::new(RedirectUri::new(REDIRECT_URI).unwrap()).client_name("interop CLI"),
    )
    .unwrap();
    let registered = run(registration).unwrap();
    assert_eq!(
        registered.token_endpoint_auth_method(),
        TokenEndpointAuthMethod::None
    );
    assert!(registered.client_secret().is_none());
    let client = registered.into_client().unwrap();

    // 5. The login, for the resource, with the challenge's scope.
    let scope = metadata.scope_for(challenge.scope());
    assert_eq!(scope.to_string(), "files:read");
    let start = Start::new(&client)
        .scope(scope)
        .resource(metadata.resource().clone());
    let (pending, callback_url) =
        interop_node_common::support::log_in(start, |url| server.browser_log_in(url));
    assert_eq!(
        pending.resources(),
        [metadata.resource().clone()].as_slice()
    );
    let callback = Callback::from_url(&callback_url).unwrap();
    let authorized = interop_node_common::scenario::exchange(&client, pending, callback);
    (client, authorized, metadata)
}

#[test]
fn the_whole_chain_from_a_bare_resource_url() {
    let server = start_server();
    let resource_url = server.url("/mcp");
    let (_, authorized, _) = chain(&server, &resource_url);

    // An audience-restricted token: a JWT for the resource.
    let claims = jwt_claims(&authorized);
    assert_eq!(claims["aud"], resource_url.as_str(), "{claims}");
    assert_eq!(claims["iss"], server.issuer());
    assert_eq!(claims["scope"], "files:read");
    assert_eq!(
        authorized.tokens().resources()[0].as_str(),
        resource_url.as_str()
    );

    // 6. The call again, now answered.
    let response =
        interop_node_common::support::call(http::Method::GET, &resource_url, Some(&authorized));
    assert_eq!(
        response.status(),
        200,
        "{}\n--- server log ---\n{}",
        String::from_utf8_lossy(response.body()),
        server.log()
    );
    // The provider's own userinfo does not take a token for another
    // audience.
    assert_eq!(server.userinfo(Some(&authorized)).status(), 401);
}

#[test]
fn step_up_on_insufficient_scope_and_a_refresh_that_keeps_the_audience() {
    let server = start_server();
    let resource_url = server.url("/mcp");
    let (client, authorized, _) = chain(&server, &resource_url);

    let write_url = server.url("/mcp/write");
    let response =
        interop_node_common::support::call(http::Method::GET, &write_url, Some(&authorized));
    assert_eq!(response.status(), 403);
    let challenge = BearerChallenge::from_response(&response).unwrap().unwrap();
    assert!(matches!(
        challenge.next_step(),
        NextStep::Reauthorize { .. }
    ));

    let mut step_ups = StepUp::new();
    let start = step_ups.start(&client, &authorized, &challenge).unwrap();
    let (pending, callback_url) =
        interop_node_common::support::log_in(start, |url| server.browser_log_in(url));
    assert_eq!(pending.scope().to_string(), "files:read files:write");
    let stepped_up = interop_node_common::scenario::exchange(
        &client,
        pending,
        Callback::from_url(&callback_url).unwrap(),
    );
    assert_eq!(jwt_claims(&stepped_up)["scope"], "files:read files:write");
    let response =
        interop_node_common::support::call(http::Method::GET, &write_url, Some(&stepped_up));
    assert_eq!(response.status(), 200, "{}", server.log());

    // The refresh asks for the same resource: the new token keeps its
    // audience and is taken too.
    let refreshed = run(stepped_up.refresh(&client).unwrap()).unwrap();
    let body = String::from_utf8(
        stepped_up
            .refresh(&client)
            .unwrap()
            .request(&crate::context())
            .unwrap()
            .body()
            .to_vec(),
    )
    .unwrap();
    assert!(body.contains("resource="), "{body}");
    assert_eq!(jwt_claims(&refreshed)["aud"], resource_url.as_str());
    let response =
        interop_node_common::support::call(http::Method::GET, &write_url, Some(&refreshed));
    assert_eq!(response.status(), 200, "{}", server.log());

    // A resource that keeps asking cannot loop the user.
    let mut exhausted = StepUp::with_limit(0);
    assert_eq!(
        exhausted
            .start(&client, &authorized, &challenge)
            .unwrap_err(),
        ResourceError::StepUpLimitReached { limit: 0 }
    );
}

/// RFC 9728 §3.3: an impostor's metadata, naming another resource, is
/// refused before any authorization server is contacted.
#[test]
fn metadata_naming_another_resource_is_refused() {
    let server = start_server();
    let impostor = server.url("/evil");
    let response = interop_node_common::support::call(http::Method::GET, &impostor, None);
    assert_eq!(response.status(), 401);
    let challenge = BearerChallenge::from_response(&response).unwrap().unwrap();
    let error = run(ResourceDiscovery::from_challenge(&impostor, &challenge).unwrap()).unwrap_err();
    assert_eq!(error.endpoint(), EndpointKind::ResourceMetadata);
    assert_eq!(
        error.kind(),
        &EndpointErrorKind::ResourceMismatch {
            expected: UntrustedText::from(impostor.as_str()),
            received: UntrustedText::from(server.url("/mcp")),
        }
    );
}

/// RFC 8707 §2: a resource the provider does not serve is
/// `invalid_target`, at the authorization endpoint.
#[test]
fn an_unknown_resource_is_invalid_target() {
    let server = start_server();
    let client = server.client(interop_node_common::OpClient::Public);
    let start = Start::new(&client)
        .scope(Scope::parse("files:read").unwrap())
        .resource(ResourceIndicator::new("https://unknown.example/api").unwrap());
    let error =
        interop_node_common::scenario::refused_login(&client, start, server.issuer(), |url| {
            server.browser_log_in(url)
        });
    assert_eq!(error.error(), &AuthorizationErrorCode::InvalidTarget);
}

/// The same chain in one driver call: 401 → resource metadata → discovery
/// → registration → login for the resource → token → the call answered.
#[test]
fn the_chain_in_one_driver_call() {
    let server = start_server();
    let resource_url = server.url("/mcp");
    let access = driver()
        .access_resource(
            &resource_url,
            ResourceLogin::new(RedirectUri::new(REDIRECT_URI).unwrap()).client_name("one call"),
            |url| Ok(Callback::from_url(&server.browser_log_in(url))?),
        )
        .unwrap_or_else(|error| panic!("{error}\n--- server log ---\n{}", server.log()));
    assert_eq!(access.response.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(access.response.body()).unwrap();
    assert_eq!(body["aud"], resource_url.as_str());
    assert_eq!(body["scope"], "files:read");
    assert_eq!(access.metadata.resource().as_str(), resource_url);
    assert_eq!(jwt_claims(&access.authorized)["aud"], resource_url.as_str());
    // A registered client: not one of server.mjs's static ones.
    assert!(!["public-client", "basic-client"].contains(&access.client.client_id().as_str()));

    // The impostor stops the chain before any authorization server is
    // contacted.
    let error = driver()
        .access_resource(
            &server.url("/evil"),
            ResourceLogin::new(RedirectUri::new(REDIRECT_URI).unwrap()),
            |_| panic!("no login for an impostor"),
        )
        .unwrap_err();
    match error {
        ChainError::Endpoint(error) => assert!(matches!(
            error.kind(),
            EndpointErrorKind::ResourceMismatch { .. }
        )),
        other => panic!("{other}"),
    }
    // A resource that wants no token is not logged in to.
    let error = driver()
        .access_resource(
            &server.url("/.well-known/oauth-protected-resource/mcp"),
            ResourceLogin::new(RedirectUri::new(REDIRECT_URI).unwrap()),
            |_| panic!("no login"),
        )
        .unwrap_err();
    assert!(
        matches!(error, ChainError::NotProtected { status: 200 }),
        "{error}"
    );
}

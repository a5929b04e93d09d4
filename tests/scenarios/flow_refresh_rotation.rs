//! Refresh with rotating refresh tokens (RFC 6749 §6), as Pagero does it:
//! each refresh token works once and the response carries the next one.
//! oxide-auth rotates the same way.

use crate::common;

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{errors::EndpointErrorKind, errors::TokenErrorCode, values::HttpResponse, Scope};
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig};

#[test]
fn a_chain_of_rotations() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let mut authorized = common::authorize(&server, &client);
    assert_eq!(authorized.tokens().generation(), 0);

    for generation in 1..=4 {
        let refreshing = authorized.refresh(&client).unwrap();
        let request = refreshing.request(&crate::CONTEXT).unwrap().into_http();
        assert!(String::from_utf8_lossy(request.body().as_bytes())
            .starts_with("grant_type=refresh_token&"));
        let response = common::send(request).unwrap();
        let refreshed = refreshing.handle_response(&response, common::NOW).unwrap();

        assert_eq!(refreshed.tokens().generation(), generation);
        assert_ne!(
            refreshed.tokens().refresh_token(),
            authorized.tokens().refresh_token()
        );
        assert_ne!(
            refreshed.tokens().access_token(),
            authorized.tokens().access_token()
        );
        assert_eq!(common::call_api(&server, &refreshed).status(), 200);

        // The old refresh token is dead at the server: the old state now
        // gets invalid_grant, a permanent failure.
        let stale = authorized.refresh(&client).unwrap();
        let response = common::send(stale.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
        let failure = stale.handle_response(&response, common::NOW).unwrap_err();
        assert!(
            failure.code() == Some(&TokenErrorCode::InvalidGrant),
            "{failure:?}"
        );
        assert!(failure.into_retry().is_none());

        authorized = refreshed;
    }
    server.shutdown();
}

#[test]
fn a_lost_response_loses_nothing() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let authorized = common::authorize(&server, &client);

    // The server was down: a 503 hands the refresh back, untouched.
    let refreshing = authorized.refresh(&client).unwrap();
    let first = refreshing.request(&crate::CONTEXT).unwrap();
    let unavailable = HttpResponse::new(503, b"").with_retry_after("1");
    let failure = refreshing
        .handle_response(unavailable, common::NOW)
        .unwrap_err();
    assert!(matches!(
        failure.error().kind(),
        EndpointErrorKind::Unavailable { status: 503, .. }
    ));
    let refreshing = failure.into_retry().expect("503 is retryable");
    assert_eq!(
        refreshing.request(&crate::CONTEXT).unwrap(),
        first,
        "the retry is the same request"
    );

    // The transport failed before the request left: the caller still holds
    // `authorized`, which refreshes as if nothing happened.
    let _never_sent = authorized
        .refresh(&client)
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();

    let response = common::send(refreshing.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let refreshed = refreshing.handle_response(&response, common::NOW).unwrap();
    assert_eq!(refreshed.tokens().generation(), 1);
    assert_eq!(common::call_api(&server, &refreshed).status(), 200);
    server.shutdown();
}

#[test]
fn a_narrower_scope_and_back() {
    let server =
        AuthorizationServer::start(ServerConfig::default().resource_scope("read")).unwrap();
    let client = common::demo_client(&server);
    let authorized = common::authorize(&server, &client);
    let read = Scope::parse("read").unwrap();

    let refreshing = authorized
        .refresh_with_scope(&client, read.clone())
        .unwrap();
    let response = common::send(refreshing.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let narrowed = refreshing.handle_response(&response, common::NOW).unwrap();
    assert_eq!(narrowed.tokens().scope(), &read);
    assert_eq!(narrowed.grant_scope(), authorized.grant_scope());
    assert_eq!(common::call_api(&server, &narrowed).status(), 200);

    // Wider than the grant: refused before anything is sent.
    let wider = Scope::parse("read write admin").unwrap();
    assert_eq!(
        narrowed.refresh_with_scope(&client, wider).unwrap_err(),
        oauth2_pkce::errors::ApiMisuse::ScopeNotGranted
    );
    server.shutdown();
}

/// A provider that takes refresh requests at an endpoint of its own
/// (Figma's `/v1/oauth/refresh`): the code goes to the token endpoint,
/// every refresh to the refresh endpoint, which refuses codes.
#[test]
fn refreshes_at_a_refresh_endpoint_of_its_own() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::client(
        common::metadata(&server).with_refresh_endpoint(server.refresh_endpoint()),
        oauth2_pkce_test_server::DEMO_CLIENT_ID,
        oauth2_pkce::ClientAuthentication::ClientSecretBasic(oauth2_pkce::ClientSecret::new(
            oauth2_pkce_test_server::DEMO_CLIENT_SECRET,
        )),
    );
    let mut authorized = common::authorize(&server, &client);
    for generation in 1..=2 {
        let refreshing = authorized.refresh(&client).unwrap();
        let request = refreshing.request(&crate::CONTEXT).unwrap().into_http();
        assert_eq!(request.uri().to_string(), server.refresh_endpoint());
        let response = common::send(request).unwrap();
        authorized = refreshing.handle_response(&response, common::NOW).unwrap();
        assert_eq!(authorized.tokens().generation(), generation);
        assert_eq!(common::call_api(&server, &authorized).status(), 200);
    }

    // The refresh endpoint is not a token endpoint: a code is refused there.
    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let mut request = exchanging.request(&crate::CONTEXT).unwrap().into_http();
    *request.uri_mut() = server.refresh_endpoint().parse().unwrap();
    let response = common::send(request).unwrap();
    assert_eq!(response.status(), 400);
    server.shutdown();
}

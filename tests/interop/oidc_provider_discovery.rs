//! Interop: metadata discovery (RFC 8414 §3, OpenID Connect Discovery 1.0
//! §4) against oidc-provider, through the crate's `Discovery`, and a whole
//! flow on the metadata it found.
//!
//! oidc-provider 8 serves only `/.well-known/openid-configuration`; the
//! RFC 8414 document answers 404, so the crate's recommended order
//! (`WellKnown::ORDER`) falls back to the OpenID one.

use crate::interop_node_common;

use interop_node_common::{OidcProvider, OpClient, TEST_USER};
use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::EndpointError, errors::EndpointErrorKind, values::WellKnown, Discovery, ServerMetadata,
    UnixTime,
};

const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

/// Asks for each document of `WellKnown::ORDER` in turn, moving on when
/// one is not found: the metadata, and the documents asked for.
fn discover(discovery: &Discovery) -> (Result<ServerMetadata, EndpointError>, Vec<WellKnown>) {
    let mut asked = Vec::new();
    let mut last = None;
    for which in WellKnown::ORDER {
        asked.push(which);
        let step = discovery.clone().well_known(which);
        let request = step.request(&crate::context()).unwrap().into_http();
        assert_eq!(request.method(), http::Method::GET);
        assert_eq!(request.headers()["accept"], "application/json");
        let response = interop_node_common::send(request).unwrap();
        match step.handle_response(&response, NOW) {
            Err(failure) if failure.error().is_not_found() => {
                last = Some(Err(failure.into_error()))
            }
            result => return (result.map_err(|failure| failure.into_error()), asked),
        }
    }
    (last.expect("WellKnown::ORDER is not empty"), asked)
}

#[test]
fn falls_back_to_the_openid_configuration_and_runs_a_flow_on_it() {
    let server = OidcProvider::start();
    let discovery = Discovery::new(server.issuer()).unwrap();
    assert_eq!(
        discovery.request(&crate::context()).unwrap().uri(),
        server.url("/.well-known/oauth-authorization-server")
    );
    let (metadata, asked) = discover(&discovery);
    let metadata = metadata.unwrap();
    assert_eq!(
        asked,
        [
            WellKnown::OAuthAuthorizationServer,
            WellKnown::OpenIdConfiguration
        ]
    );

    // The same document as read by plain serde, every member present.
    assert_eq!(metadata, server.metadata());
    assert_eq!(metadata.issuer, server.issuer());
    assert_eq!(
        metadata.pushed_authorization_request_endpoint.as_deref(),
        Some(server.url("/request").as_str())
    );
    assert!(metadata.authorization_response_iss_parameter_supported);

    // A whole flow with what discovery found.
    for which in OpClient::ALL {
        let client = interop_node_common::client(metadata.clone(), which, which.authentication());
        let authorized = server.authorize(&client, "openid");
        assert_eq!(authorized.issuer(), server.issuer());
        let response = server.userinfo(Some(&authorized));
        assert_eq!(response.status(), 200, "{which:?}");
        let me: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(me["sub"], TEST_USER);
    }
}

#[test]
fn rfc8414_document_is_not_found() {
    let server = OidcProvider::start();
    let discovery = Discovery::new(server.issuer()).unwrap();
    assert_eq!(discovery.which(), WellKnown::OAuthAuthorizationServer);
    let request = discovery.request(&crate::context()).unwrap().into_http();
    let response = interop_node_common::send(request).unwrap();
    let error = discovery
        .handle_response(&response, NOW)
        .unwrap_err()
        .into_error();
    assert_eq!(error, EndpointErrorKind::UnexpectedStatus { status: 404 });
    assert!(error.is_not_found());
    assert_eq!(
        error.to_string(),
        "the metadata document answered with unexpected HTTP status 404"
    );
}

#[test]
fn document_of_another_issuer_is_refused() {
    // The issuer with a trailing slash is another issuer (RFC 8414 §3.3:
    // identical), though its documents live at the same URLs.
    let server = OidcProvider::start();
    let claimed = format!("{}/", server.issuer());
    let discovery = Discovery::new(claimed.clone()).unwrap();
    assert_eq!(
        discovery
            .clone()
            .well_known(WellKnown::OpenIdConfiguration)
            .request(&crate::context())
            .unwrap()
            .uri(),
        server.url("/.well-known/openid-configuration")
    );
    let (result, _) = discover(&discovery);
    assert_eq!(
        result.unwrap_err(),
        EndpointErrorKind::IssuerMismatch {
            expected: claimed.into(),
            received: server.issuer().into(),
        }
    );
}

/// Discovery in one call through a driver: the RFC 8414 document answers
/// 404, and the OpenID one is asked for at once, with no sleep.
#[test]
fn one_driver_call_falls_back_to_the_openid_document() {
    let server = OidcProvider::start();
    let transport = oauth2_pkce::transport::from_fn(interop_node_common::send)
        .with_sleep(|_| panic!("a fallback is not a retry"));
    let driver = oauth2_pkce::Driver::with_policy(transport, oauth2_pkce::RetryPolicy::new(1))
        .with_clock(|| NOW);
    let metadata = driver
        .run(Discovery::new(server.issuer()).unwrap())
        .unwrap();
    assert_eq!(metadata, server.metadata());
}

//! Metadata discovery (RFC 8414 §3, OpenID Connect Discovery 1.0 §4).

use oauth2_pkce::errors::{CallbackError, ConfigError, EndpointErrorKind, Failure, InvalidValue};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::values::WellKnown;
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

use crate::rendering::{render, render_http};

fn well_known(issuer: &str, which: WellKnown) -> String {
    Discovery::new(issuer)
        .unwrap()
        .well_known(which)
        .request(&crate::CONTEXT)
        .unwrap()
        .uri()
        .to_owned()
}

fn document(issuer: &str, extra: &str) -> String {
    format!(
        r#"{{"issuer":"{issuer}","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token","code_challenge_methods_supported":["S256"]{extra}}}"#
    )
}

/// The reason a document was refused as metadata.
fn metadata_problem(result: Result<ServerMetadata, Failure<Discovery>>) -> EndpointErrorKind {
    result.unwrap_err().into_error().kind().clone()
}

fn ok(body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

/// RFC 8414 §3.1's examples.
#[test]
fn rfc8414_well_known_paths() {
    use WellKnown::*;
    assert_eq!(
        well_known("https://example.com", OAuthAuthorizationServer),
        "https://example.com/.well-known/oauth-authorization-server"
    );
    assert_eq!(
        well_known("https://example.com/issuer1", OAuthAuthorizationServer),
        "https://example.com/.well-known/oauth-authorization-server/issuer1"
    );
    // A terminating "/" is removed before inserting.
    assert_eq!(
        well_known("https://example.com/issuer1/", OAuthAuthorizationServer),
        "https://example.com/.well-known/oauth-authorization-server/issuer1"
    );
    assert_eq!(
        well_known("http://127.0.0.1:8080/tenants/a", OAuthAuthorizationServer),
        "http://127.0.0.1:8080/.well-known/oauth-authorization-server/tenants/a"
    );
    // OpenID Connect Discovery appends to the issuer.
    assert_eq!(
        well_known("https://example.com", OpenIdConfiguration),
        "https://example.com/.well-known/openid-configuration"
    );
    assert_eq!(
        well_known("https://example.com/issuer1/", OpenIdConfiguration),
        "https://example.com/issuer1/.well-known/openid-configuration"
    );
    assert_eq!(
        WellKnown::ORDER,
        [OAuthAuthorizationServer, OpenIdConfiguration]
    );
}

#[test]
fn discovery_request_snapshot() {
    let discovery =
        Discovery::new("https://sso.pageroonline.com/oauth/v2/oauth-anonymous").unwrap();
    let discovery = discovery.well_known(WellKnown::OpenIdConfiguration);
    let request = discovery.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("discovery_request_openid", render(&request));
    let http = discovery.request(&crate::CONTEXT).unwrap().into_http();
    assert_eq!(render_http(&http), render(&request));
    assert!(request.body().is_empty());
}

#[test]
fn issuers_are_validated() {
    // The issuer is kept as given, not normalised.
    assert_eq!(
        Discovery::new("HTTPS://as.example:443/t/")
            .unwrap()
            .issuer(),
        "HTTPS://as.example:443/t/"
    );
    assert_eq!(
        Discovery::new("http://as.example").unwrap_err(),
        ConfigError::InvalidIssuer(InvalidValue::NotHttps)
    );
    assert_eq!(
        Discovery::new("https://as.example/?x=1").unwrap_err(),
        ConfigError::InvalidIssuer(InvalidValue::IssuerHasQuery)
    );
    assert_eq!(
        Discovery::new("https://as.example/#f").unwrap_err(),
        ConfigError::InvalidIssuer(InvalidValue::HasFragment)
    );
    assert!(Discovery::new("as.example").is_err());
}

#[test]
fn document_is_parsed_with_defaults_and_unknown_members() {
    let discovery = Discovery::new("https://as.example").unwrap();
    let metadata = discovery
        .handle_response(&ok(&document("https://as.example", r#","jwks_uri":"https://as.example/jwks","op_policy_uri":"https://as.example/policy","revocation_endpoint":"https://as.example/revoke""#)), NOW)
        .unwrap();
    assert_eq!(metadata.issuer, "https://as.example");
    assert_eq!(
        metadata.revocation_endpoint.as_deref(),
        Some("https://as.example/revoke")
    );
    assert_eq!(
        metadata.jwks_uri.as_deref(),
        Some("https://as.example/jwks")
    );
    assert_eq!(
        metadata.extra.get("op_policy_uri").unwrap(),
        "https://as.example/policy"
    );
    // RFC 8414 §2 defaults for absent members.
    assert_eq!(
        metadata.token_endpoint_auth_methods_supported,
        Some(vec!["client_secret_basic".to_owned()])
    );
    assert_eq!(
        metadata.response_modes_supported,
        Some(vec!["query".to_owned(), "fragment".to_owned()])
    );
    assert_eq!(
        metadata.grant_types_supported,
        Some(vec!["authorization_code".to_owned(), "implicit".to_owned()])
    );
    assert!(!metadata.authorization_response_iss_parameter_supported);
    // It configures a client directly.
    let client = Client::new(
        metadata,
        ClientId::new("c").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("s")),
    )
    .map(|client| client.with_redirect_uri(RedirectUri::new("https://app.example/cb").unwrap()));
    assert!(client.is_ok());
}

/// RFC 8414 §3.3: the issuer must be identical, not merely equivalent.
#[test]
fn issuer_mismatches_are_refused() {
    for (asked, named) in [
        ("https://as.example", "https://as.example/"),
        ("https://as.example/", "https://as.example"),
        ("HTTPS://as.example", "https://as.example"),
        ("https://as.example", "https://AS.example"),
        ("https://as.example", "https://as.example:443"),
        ("https://as.example/tenant", "https://as.example/other"),
    ] {
        let problem = metadata_problem(
            Discovery::new(asked)
                .unwrap()
                .handle_response(&ok(&document(named, "")), NOW),
        );
        assert_eq!(
            problem,
            EndpointErrorKind::IssuerMismatch {
                expected: asked.into(),
                received: named.into()
            },
            "{asked} vs {named}"
        );
    }
}

#[test]
fn endpoints_must_be_https() {
    let discovery = Discovery::new("https://as.example").unwrap();
    let body = document("https://as.example", "")
        .replace("https://as.example/token", "http://as.example/token");
    assert_eq!(
        metadata_problem(discovery.clone().handle_response(&ok(&body), NOW)),
        EndpointErrorKind::InvalidUrl {
            member: "token_endpoint",
            problem: InvalidValue::NotHttps
        }
    );
    let body = document(
        "https://as.example",
        r#","revocation_endpoint":"https://as.example/r#x""#,
    );
    assert_eq!(
        metadata_problem(discovery.clone().handle_response(&ok(&body), NOW)),
        EndpointErrorKind::InvalidUrl {
            member: "revocation_endpoint",
            problem: InvalidValue::HasFragment
        }
    );
    let body =
        document("https://as.example", "").replace("\"https://as.example/authorize\"", "\"\"");
    assert_eq!(
        metadata_problem(discovery.clone().handle_response(&ok(&body), NOW)),
        EndpointErrorKind::MissingMember("authorization_endpoint")
    );
}

/// An endpoint that is an empty string is missing; one that is not an
/// absolute URL is invalid — for every endpoint the document names.
#[test]
fn an_empty_endpoint_is_missing_and_a_relative_one_invalid() {
    let discovery = Discovery::new("https://as.example").unwrap();
    for member in [
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "pushed_authorization_request_endpoint",
        "device_authorization_endpoint",
        "introspection_endpoint",
        "userinfo_endpoint",
        "end_session_endpoint",
        "registration_endpoint",
        "backchannel_authentication_endpoint",
    ] {
        let with = |url: &str| {
            let body = document("https://as.example", &format!(r#","{member}":"{url}""#));
            // A later duplicate member would be refused: replace the two
            // required ones in place instead.
            match member {
                "authorization_endpoint" | "token_endpoint" => {
                    let path = member
                        .trim_end_matches("_endpoint")
                        .replace("authorization", "authorize");
                    document("https://as.example", "").replace(
                        &format!("\"https://as.example/{path}\""),
                        &format!("\"{url}\""),
                    )
                }
                _ => body,
            }
        };
        assert_eq!(
            metadata_problem(discovery.clone().handle_response(&ok(&with("")), NOW)),
            EndpointErrorKind::MissingMember(member),
            "{member}"
        );
        assert_eq!(
            metadata_problem(
                discovery
                    .clone()
                    .handle_response(&ok(&with("/relative")), NOW)
            ),
            EndpointErrorKind::InvalidUrl {
                member,
                problem: InvalidValue::NotAbsoluteUrl
            },
            "{member}"
        );
        assert!(
            discovery
                .clone()
                .handle_response(&ok(&with("https://as.example/x")), NOW)
                .is_ok(),
            "{member}"
        );
    }
}

#[test]
fn servers_without_s256_are_refused_unless_allowed() {
    let body = document("https://as.example", "")
        .replace(r#","code_challenge_methods_supported":["S256"]"#, "");
    let discovery = Discovery::new("https://as.example").unwrap();
    assert_eq!(
        metadata_problem(discovery.clone().handle_response(&ok(&body), NOW)),
        EndpointErrorKind::S256NotSupported
    );
    let plain_only = document("https://as.example", "").replace(r#"["S256"]"#, r#"["plain"]"#);
    assert_eq!(
        metadata_problem(discovery.clone().handle_response(&ok(&plain_only), NOW)),
        EndpointErrorKind::S256NotSupported
    );
    let lenient = discovery.clone().dangerous_allow_without_s256();
    assert!(lenient.handle_response(&ok(&body), NOW).is_ok());
}

#[test]
fn not_found_means_try_the_next_document() {
    let discovery = Discovery::new("https://as.example").unwrap();
    let failure = discovery
        .clone()
        .handle_response(HttpResponse::new(404, b"not here"), NOW)
        .unwrap_err();
    assert!(failure.error().is_not_found());
    assert!(!failure.is_retryable());
    // The RFC 8414 document is missing: the OpenID one is the step to run
    // next, at once.
    assert!(failure.is_fallback());
    let openid = discovery.clone().well_known(WellKnown::OpenIdConfiguration);
    assert_eq!(failure.into_retry(), Some(openid.clone()));
    // There is nothing after the OpenID document, nor after a document
    // chosen explicitly.
    for last in [
        openid,
        discovery
            .clone()
            .well_known(WellKnown::OAuthAuthorizationServer),
    ] {
        let failure = last
            .handle_response(HttpResponse::new(410, b""), NOW)
            .unwrap_err();
        assert!(failure.error().is_not_found());
        assert!(!failure.is_fallback());
        assert!(failure.into_retry().is_none());
    }
    // A failing server is worth a retry of the same document.
    let failure = discovery
        .clone()
        .handle_response(HttpResponse::new(500, b""), NOW)
        .unwrap_err();
    assert!(!failure.error().is_not_found());
    assert_eq!(failure.into_retry(), Some(discovery.clone()));
    assert!(matches!(
        metadata_problem(discovery.clone().handle_response(&ok("[1,2]"), NOW)),
        EndpointErrorKind::NotADocument(_)
    ));
    assert!(matches!(
        metadata_problem(
            discovery
                .clone()
                .handle_response(&ok(r#"{"issuer":"https://as.example"}"#), NOW)
        ),
        EndpointErrorKind::NotADocument(_)
    ));
}

#[test]
fn metadata_drives_the_flow() {
    let body = document(
        "https://as.example",
        r#","authorization_response_iss_parameter_supported":true,"token_endpoint_auth_methods_supported":["private_key_jwt"]"#,
    );
    let metadata = Discovery::new("https://as.example")
        .unwrap()
        .handle_response(&ok(&body), NOW)
        .unwrap();
    // The client's method must be one the server supports: a clear error,
    // not a silent switch.
    let error = Client::new(
        metadata.clone(),
        ClientId::new("c").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("s")),
    )
    .map(|client| client.with_redirect_uri(RedirectUri::new("https://app.example/cb").unwrap()))
    .unwrap_err();
    assert_eq!(
        error,
        ConfigError::AuthenticationMethodNotSupported {
            method: "client_secret_basic"
        }
    );

    // iss becomes required at the callback.
    let mut metadata = metadata;
    metadata.token_endpoint_auth_methods_supported = Some(vec!["none".into()]);
    let client = Client::new(
        metadata,
        ClientId::new("c").unwrap(),
        ClientAuthentication::None,
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://app.example/cb").unwrap());
    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([1; 64]), UnixTime::from_secs(0))
        .unwrap();
    let callback =
        Callback::from_query(&format!("code=x&state={}", pending.state().secret())).unwrap();
    assert_eq!(
        pending.handle_callback(&client, callback).unwrap_err(),
        CallbackError::MissingIssuer
    );
}

/// A document over the cap is refused unread; a hostile issuer is quoted
/// escaped, never raw.
#[test]
fn oversized_and_hostile_documents() {
    let discovery = Discovery::new("https://as.example").unwrap();
    let padding = "a".repeat(limits::MAX_RESPONSE_BODY_BYTES);
    let body = document("https://as.example", &format!(r#","x":"{padding}""#));
    let failure = discovery
        .clone()
        .handle_response(&ok(&body), NOW)
        .unwrap_err();
    assert_eq!(
        *failure.error(),
        EndpointErrorKind::TooLarge {
            limit: limits::MAX_RESPONSE_BODY_BYTES
        }
    );

    // A document of exactly the limit is read.
    let filler =
        limits::MAX_RESPONSE_BODY_BYTES - document("https://as.example", r#","x":"""#).len();
    let body = document(
        "https://as.example",
        &format!(r#","x":"{}""#, "a".repeat(filler)),
    );
    assert_eq!(body.len(), limits::MAX_RESPONSE_BODY_BYTES);
    assert!(discovery.clone().handle_response(&ok(&body), NOW).is_ok());

    let body = document(r"https://evil.example\r\nFAKE LOG LINE \u202e", "");
    let error = discovery.handle_response(&ok(&body), NOW).unwrap_err();
    let EndpointErrorKind::IssuerMismatch { received, .. } = error.error().kind() else {
        panic!("{error:?}");
    };
    assert_eq!(
        received.as_str(),
        "https://evil.example\r\nFAKE LOG LINE \u{202e}"
    );
    let printed = format!("{error} {error:?}");
    assert!(
        printed.contains(r"https://evil.example\r\nFAKE LOG LINE \u{202e}"),
        "{printed}"
    );
    assert!(!printed.contains('\n') && !printed.contains('\u{202e}'));
}

/// RFC 8414 §2 names the introspection endpoint and its methods; RFC 8628
/// §4 the device authorization endpoint. Discovery reads them and checks
/// them like every other endpoint.
#[test]
fn discovery_reads_and_checks_the_new_endpoints() {
    let document = |device: &str| {
        format!(
            r#"{{"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token","code_challenge_methods_supported":["S256"],"device_authorization_endpoint":"{device}","introspection_endpoint":"https://as.example/introspect","introspection_endpoint_auth_methods_supported":["client_secret_basic"]}}"#
        )
    };
    let body = document("https://as.example/device");
    let metadata = Discovery::new("https://as.example")
        .unwrap()
        .handle_response(&ok(&body), NOW)
        .unwrap();
    assert_eq!(
        metadata.device_authorization_endpoint.as_deref(),
        Some("https://as.example/device")
    );
    assert_eq!(
        metadata.introspection_endpoint_auth_methods_supported,
        Some(vec!["client_secret_basic".to_owned()])
    );
    let client = Client::new(metadata, ClientId::new("api").unwrap(), basic()).unwrap();
    assert_eq!(
        client.device_authorization_endpoint().unwrap().as_str(),
        "https://as.example/device"
    );
    assert_eq!(
        client.introspection_endpoint().unwrap().as_str(),
        "https://as.example/introspect"
    );

    let body = document("http://as.example/device");
    let failure = Discovery::new("https://as.example")
        .unwrap()
        .handle_response(&ok(&body), NOW)
        .unwrap_err();
    assert_eq!(
        *failure.error(),
        EndpointErrorKind::InvalidUrl {
            member: "device_authorization_endpoint",
            problem: InvalidValue::NotHttps
        }
    );
    let mut insecure = metadata_with_http_introspection();
    assert_eq!(
        Client::new(insecure.clone(), ClientId::new("api").unwrap(), basic()).unwrap_err(),
        ConfigError::InvalidEndpoint {
            member: "introspection_endpoint",
            problem: InvalidValue::NotHttps
        }
    );
    insecure.introspection_endpoint = Some("http://127.0.0.1:9000/introspect".into());
    assert!(Client::new(insecure, ClientId::new("api").unwrap(), basic()).is_ok());
}

fn metadata_with_http_introspection() -> ServerMetadata {
    ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_introspection_endpoint("http://as.example/introspect")
}

fn basic() -> ClientAuthentication {
    ClientAuthentication::ClientSecretBasic(ClientSecret::new("api-secret"))
}

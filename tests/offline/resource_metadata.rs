//! Protected resource metadata (RFC 9728): the challenge's
//! `resource_metadata`, the well-known URL, the document's checks — above
//! all that it names the resource it was fetched for (§3.3).

use oauth2_pkce::errors::ResourceError;
use oauth2_pkce::errors::{ConfigError, EndpointErrorKind, EndpointKind, Failure, InvalidValue};
use oauth2_pkce::resource::{BearerChallenge, DpopChallenge, ResourceDiscovery, ResourceIndicator};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::values::UntrustedText;
use oauth2_pkce::*;

use crate::rendering::render;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const API: &str = "https://api.example.com/mcp";
const PRM: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

fn challenge(header: &str) -> BearerChallenge {
    BearerChallenge::parse(header).unwrap().unwrap()
}

fn json(body: &str) -> HttpResponse<'_> {
    HttpResponse::new(200, body.as_bytes()).with_content_type("application/json")
}

fn step() -> ResourceDiscovery {
    ResourceDiscovery::new(&ResourceIndicator::new(API).unwrap()).unwrap()
}

fn problem(failure: Failure<ResourceDiscovery>) -> EndpointErrorKind {
    assert_eq!(failure.error().endpoint(), EndpointKind::ResourceMetadata);
    failure.into_error().kind().clone()
}

/// RFC 9728 §5.1: the parameter in Bearer and DPoP challenges.
#[test]
fn challenges_carry_resource_metadata() {
    let bearer = challenge(&format!(
        r#"Bearer resource_metadata="{PRM}", scope="files:read""#
    ));
    assert_eq!(bearer.resource_metadata(), Some(PRM));
    assert_eq!(bearer.scope().unwrap().to_string(), "files:read");

    let dpop = DpopChallenge::parse(&format!(r#"DPoP algs="ES256", resource_metadata="{PRM}""#))
        .unwrap()
        .unwrap();
    assert_eq!(dpop.resource_metadata(), Some(PRM));
    let step = ResourceDiscovery::from_challenge(API, dpop.as_bearer()).unwrap();
    assert_eq!(step.metadata_url(), PRM);

    assert_eq!(
        BearerChallenge::parse(r#"Bearer resource_metadata="a", resource_metadata="b""#),
        Err(ResourceError::RepeatedChallengeParameter(
            UntrustedText::from("resource_metadata")
        ))
    );
}

#[test]
fn the_request_is_a_get_of_the_document() {
    let from_challenge = ResourceDiscovery::from_challenge(
        API,
        &challenge(&format!(r#"Bearer resource_metadata="{PRM}""#)),
    )
    .unwrap();
    let request = from_challenge.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("resource_metadata_request", render(&request));
    assert_eq!(request.uri(), PRM);
    // Without the parameter: the well-known URL of the requested URL (§5.2).
    let bare = ResourceDiscovery::from_challenge(API, &challenge("Bearer")).unwrap();
    assert_eq!(bare.metadata_url(), PRM);
    assert_eq!(bare, step());
}

/// A challenge's URL is checked like any endpoint.
#[test]
fn a_challenge_url_must_be_https() {
    for (url, problem) in [
        ("http://evil.example/prm", InvalidValue::NotHttps),
        ("https://evil.example/prm#x", InvalidValue::HasFragment),
        ("javascript:alert(1)", InvalidValue::UnsupportedScheme),
        ("/relative", InvalidValue::NotAbsoluteUrl),
    ] {
        let header = format!(r#"Bearer resource_metadata="{url}""#);
        assert_eq!(
            ResourceDiscovery::from_challenge(API, &challenge(&header)).unwrap_err(),
            ConfigError::InvalidEndpoint {
                member: "resource_metadata",
                problem
            },
            "{url}"
        );
    }
    assert!(
        ResourceDiscovery::from_challenge("http://api.example/", &challenge("Bearer")).is_err()
    );
}

#[test]
fn a_document_is_read_and_checked() {
    let body = format!(
        r#"{{"resource":"{API}","authorization_servers":["https://as.example.com"],
        "scopes_supported":["files:read","files:write"],"bearer_methods_supported":["header"],
        "dpop_bound_access_tokens_required":true,"resource_name":"Files","jwks_uri":"https://api.example.com/jwks"}}"#
    );
    let metadata = step().handle_response(json(&body), NOW).unwrap();
    assert_eq!(metadata.resource().as_str(), API);
    assert_eq!(
        metadata.authorization_servers().collect::<Vec<_>>(),
        ["https://as.example.com"]
    );
    assert_eq!(
        metadata.scopes_supported().unwrap().to_string(),
        "files:read files:write"
    );
    assert_eq!(
        metadata
            .bearer_methods_supported()
            .unwrap()
            .collect::<Vec<_>>(),
        ["header"]
    );
    assert!(metadata.dpop_bound_access_tokens_required());
    assert_eq!(metadata.resource_name(), Some("Files"));
    assert!(metadata.extra().contains("jwks_uri"));
    assert_eq!(
        metadata.authorization_server_discovery().unwrap().issuer(),
        "https://as.example.com"
    );
    // Scope selection: the challenge's, else every supported one.
    let asked = Scope::parse("files:write").unwrap();
    assert_eq!(metadata.scope_for(Some(&asked)), asked);
    assert_eq!(
        metadata.scope_for(None).to_string(),
        "files:read files:write"
    );

    let minimal = step()
        .handle_response(json(&format!(r#"{{"resource":"{API}"}}"#)), NOW)
        .unwrap();
    assert_eq!(minimal.authorization_servers().count(), 0);
    assert!(minimal.authorization_server_discovery().is_none());
    assert!(minimal.scope_for(None).is_empty());
    assert!(!minimal.dpop_bound_access_tokens_required());
}

/// §3.3: a document for another resource is refused, whoever serves it.
#[test]
fn a_document_naming_another_resource_is_refused() {
    for other in [
        "https://api.example.com/mcp/",
        "https://API.example.com/mcp",
        "https://evil.example/mcp",
        "https://api.example.com",
    ] {
        let body =
            format!(r#"{{"resource":"{other}","authorization_servers":["https://evil.example"]}}"#);
        let failure = step().handle_response(json(&body), NOW).unwrap_err();
        assert!(!failure.is_retryable());
        assert_eq!(
            problem(failure),
            EndpointErrorKind::ResourceMismatch {
                expected: UntrustedText::from(API),
                received: UntrustedText::from(other),
            }
        );
    }
    let failure = step()
        .handle_response(json(r#"{"resource":"https://evil.example/\u202e"}"#), NOW)
        .unwrap_err();
    let shown = failure.to_string();
    assert!(
        shown.contains("protected resource metadata document"),
        "{shown}"
    );
    assert!(!shown.contains('\u{202e}'), "{shown}");
}

#[test]
fn bad_documents_are_typed() {
    let cases = [
        (
            format!(r#"{{"resource":"{API}","authorization_servers":["http://as.example"]}}"#),
            EndpointErrorKind::InvalidUrl {
                member: "authorization_servers",
                problem: InvalidValue::NotHttps,
            },
        ),
        (
            format!(r#"{{"resource":"{API}","authorization_servers":["https://as.example?t=1"]}}"#),
            EndpointErrorKind::InvalidUrl {
                member: "authorization_servers",
                problem: InvalidValue::IssuerHasQuery,
            },
        ),
        (
            format!(r#"{{"resource":"{API}","scopes_supported":["a b"]}}"#),
            EndpointErrorKind::InvalidMember("scopes_supported"),
        ),
        (
            format!(
                r#"{{"resource":"{API}","authorization_servers":{}}}"#,
                serde_json::to_string(&vec!["https://as.example"; 17]).unwrap()
            ),
            EndpointErrorKind::InvalidMember("authorization_servers"),
        ),
    ];
    for (body, expected) in cases {
        let failure = step().handle_response(json(&body), NOW).unwrap_err();
        assert_eq!(problem(failure), expected, "{body}");
    }
    for body in [
        "[]".to_owned(),
        "{}".to_owned(),
        format!(r#"{{"resource":"{API}","resource":"{API}"}}"#),
        format!(r#"{{"resource":"{API}","dpop_bound_access_tokens_required":"yes"}}"#),
    ] {
        let failure = step().handle_response(json(&body), NOW).unwrap_err();
        assert!(
            matches!(problem(failure), EndpointErrorKind::NotADocument(_)),
            "{body}"
        );
    }
    let huge = vec![b' '; limits::MAX_RESPONSE_BODY_BYTES + 1];
    let failure = step()
        .handle_response(HttpResponse::new(200, &huge), NOW)
        .unwrap_err();
    assert!(matches!(
        failure.error().kind(),
        EndpointErrorKind::TooLarge { .. }
    ));
    let failure = step()
        .handle_response(HttpResponse::new(404, b""), NOW)
        .unwrap_err();
    assert!(failure.error().is_not_found());
    assert!(!failure.is_fallback());
    let failure = step()
        .handle_response(HttpResponse::new(503, b""), NOW)
        .unwrap_err();
    assert!(failure.is_retryable());
}

/// The step names the resource it was made for, and the limits on a
/// challenge's URL and a document's servers hold to the byte and the
/// count.
#[test]
fn the_limits_of_a_challenge_and_a_document_hold_exactly() {
    assert_eq!(step().resource(), API);

    let at_cap = |prefix: &str| {
        let mut url = String::from(prefix);
        url.push_str(&"a".repeat(limits::MAX_RESOURCE_INDICATOR_BYTES - prefix.len()));
        url
    };
    let url = at_cap("https://api.example.com/prm/");
    let header = format!(r#"Bearer resource_metadata="{url}""#);
    let from_challenge = ResourceDiscovery::from_challenge(API, &challenge(&header)).unwrap();
    assert_eq!(from_challenge.metadata_url(), url);
    let header = format!(r#"Bearer resource_metadata="{url}a""#);
    assert_eq!(
        ResourceDiscovery::from_challenge(API, &challenge(&header)).unwrap_err(),
        ConfigError::InvalidEndpoint {
            member: "resource_metadata",
            problem: InvalidValue::NotAbsoluteUrl
        }
    );

    let document = |servers: &[String]| {
        format!(
            r#"{{"resource":"{API}","authorization_servers":{}}}"#,
            serde_json::to_string(servers).unwrap()
        )
    };
    let issuer = at_cap("https://as.example.com/");
    let metadata = step()
        .handle_response(json(&document(std::slice::from_ref(&issuer))), NOW)
        .unwrap();
    assert_eq!(
        metadata.authorization_servers().collect::<Vec<_>>(),
        [issuer.as_str()]
    );
    let failure = step()
        .handle_response(json(&document(&[format!("{issuer}a")])), NOW)
        .unwrap_err();
    assert_eq!(
        problem(failure),
        EndpointErrorKind::InvalidUrl {
            member: "authorization_servers",
            problem: InvalidValue::NotAbsoluteUrl,
        }
    );

    let servers: Vec<String> = (0..limits::MAX_RESOURCE_INDICATORS)
        .map(|n| format!("https://as{n}.example.com"))
        .collect();
    let metadata = step()
        .handle_response(json(&document(&servers)), NOW)
        .unwrap();
    assert_eq!(
        metadata.authorization_servers().count(),
        limits::MAX_RESOURCE_INDICATORS
    );
}

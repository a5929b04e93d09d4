//! Token exchange (RFC 8693) and the JWT bearer grant (RFC 7523 §2.1):
//! the example of RFC 8693 §2.3 byte for byte, every request parameter of
//! §2.1, and the response rules of §2.2 — the required `issued_token_type`,
//! `N_A` for a token that is not an access token, the errors of §2.2.2.

use std::time::Duration;

use oauth2_pkce::errors::{EndpointErrorKind, InvalidValue, TokenErrorCode};
use oauth2_pkce::exchange::{Exchanged, JwtBearer, SecurityToken, TokenExchange, TokenTypeUri};
use oauth2_pkce::resource::ResourceIndicator;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

use crate::rendering::render;

const NOW: UnixTime = UnixTime::from_secs(1_441_917_533);
const CONTEXT: RequestContext = RequestContext::new(NOW, [0x5e; 32]);

/// RFC 8693 §2.3's subject token and the token its answer issues.
const SUBJECT_TOKEN: &str = "accVkjcJyb4BWCxGsndESCJQbdFMogUC5PbRDqceLTC";
const ISSUED: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjllciJ9.eyJhdWQiOiJodHRwczovL2JhY2tlbmQuZXhhbXBsZS5jb20iLCJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUuY29tIiwiZXhwIjoxNDQxOTE3NTkzLCJpYXQiOjE0NDE5MTc1MzMsInN1YiI6ImJkY0BleGFtcGxlLmNvbSIsInNjb3BlIjoiYXBpIn0.40y3ZgQedw6rxf59WlwHDD9jryFOr0_Wh3CGozQBihNBhnXEQgU85AI9x3KmsPottVMLPIWvmDCMy5-kdXjwhw";

/// The resource server of §2.3, `rs08`, at `as.example.com`.
fn client(authentication: ClientAuthentication) -> Client {
    let metadata = ServerMetadata::new(
        "https://as.example.com",
        "https://as.example.com/as/authorize",
        "https://as.example.com/as/token.oauth2",
    );
    Client::new(metadata, ClientId::new("rs08").unwrap(), authentication).unwrap()
}

fn rs08() -> Client {
    client(ClientAuthentication::ClientSecretBasic(ClientSecret::new(
        "long-secure-random-secret",
    )))
}

fn exchange(client: &Client) -> TokenExchange {
    TokenExchange::new(
        client,
        SecurityToken::new(SUBJECT_TOKEN),
        TokenTypeUri::ACCESS_TOKEN,
    )
}

fn json(status: u16, body: &str) -> HttpResponse<'_> {
    HttpResponse::new(status, body.as_bytes()).with_content_type("application/json")
}

/// RFC 8693 §2.3: the request of the example, byte for byte.
#[test]
fn rfc8693_2_3_request() {
    let exchange = exchange(&rs08())
        .resource(ResourceIndicator::new("https://backend.example.com/api").unwrap())
        .unwrap();
    let request = exchange.request(&CONTEXT).unwrap();
    assert_eq!(
        request.header("authorization"),
        Some("Basic cnMwODpsb25nLXNlY3VyZS1yYW5kb20tc2VjcmV0")
    );
    assert_eq!(
        std::str::from_utf8(request.body()).unwrap(),
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange\
         &resource=https%3A%2F%2Fbackend.example.com%2Fapi\
         &subject_token=accVkjcJyb4BWCxGsndESCJQbdFMogUC5PbRDqceLTC\
         &subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
    );
    insta::assert_snapshot!("token_exchange_rfc8693_example", render(&request));
}

/// RFC 8693 §2.3: the answer of the example is an access token, a grant
/// like any other.
#[test]
fn rfc8693_2_3_response() {
    let body = format!(
        r#"{{"access_token":"{ISSUED}","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":60}}"#
    );
    let exchanged = exchange(&rs08())
        .handle_response(json(200, &body), NOW)
        .unwrap();
    let Exchanged::AccessToken {
        issued_token_type,
        authorized,
    } = exchanged
    else {
        panic!("an access token: {exchanged:?}");
    };
    assert_eq!(issued_token_type, TokenTypeUri::ACCESS_TOKEN);
    assert_eq!(authorized.tokens().access_token().secret(), ISSUED);
    assert_eq!(
        authorized.tokens().expires_at(),
        Some(NOW.saturating_add(Duration::from_secs(60)))
    );
    let mut api = http::Request::get("https://backend.example.com/api")
        .body(())
        .unwrap();
    authorized.authorize_request(&mut api).unwrap();
    assert_eq!(api.headers()["authorization"], format!("Bearer {ISSUED}"));
}

/// Every parameter of §2.1, in its order; a public client names itself
/// in the body; `actor_token_type` comes only with an `actor_token`.
#[test]
fn every_parameter_of_the_request() {
    let jwt = TokenTypeUri::JWT;
    let exchange = exchange(&client(ClientAuthentication::None))
        .resource(ResourceIndicator::new("https://backend.example.com/api").unwrap())
        .unwrap()
        .resource(ResourceIndicator::new("https://other.example.com/api").unwrap())
        .unwrap()
        .audience("urn:example:cooperation-context")
        .audience("billing")
        .scope(Scope::parse("read write").unwrap())
        .requested_token_type(TokenTypeUri::ID_TOKEN)
        .actor_token(SecurityToken::new("eyJhY3Rvci1qd3Qi.e30.c2ln"), jwt);
    let request = exchange.request(&CONTEXT).unwrap();
    insta::assert_snapshot!("token_exchange_every_parameter", render(&request));
    let body = std::str::from_utf8(request.body()).unwrap();
    assert!(body.ends_with("&client_id=rs08"), "{body}");
    assert!(request.header("authorization").is_none());

    let without_actor = self::exchange(&rs08()).request(&CONTEXT).unwrap();
    let body = std::str::from_utf8(without_actor.body()).unwrap();
    assert!(!body.contains("actor_token"), "{body}");
    assert!(!body.contains("requested_token_type"), "{body}");
}

/// §2.2.1: `token_type: N_A` when the issued token is not an access
/// token; it comes out as the token it is, never as a bearer token.
#[test]
fn a_token_that_is_not_an_access_token() {
    for token_type in ["N_A", "n_a"] {
        let body = format!(
            r#"{{"access_token":"{ISSUED}","issued_token_type":"urn:ietf:params:oauth:token-type:jwt","token_type":"{token_type}","expires_in":300}}"#
        );
        let exchanged = exchange(&rs08())
            .handle_response(json(200, &body), NOW)
            .unwrap();
        let Exchanged::Other {
            issued_token_type,
            token,
            expires_at,
        } = exchanged
        else {
            panic!("not an access token: {exchanged:?}");
        };
        assert_eq!(issued_token_type, TokenTypeUri::JWT);
        assert_eq!(token.secret(), ISSUED);
        assert_eq!(
            expires_at,
            Some(NOW.saturating_add(Duration::from_secs(300)))
        );
    }
}

/// §2.2.1's required members, and what every token response must be.
#[test]
fn what_a_success_must_carry() {
    let refused = |body: &str| {
        exchange(&rs08())
            .handle_response(json(200, body), NOW)
            .unwrap_err()
            .error()
            .kind()
            .clone()
    };
    assert_eq!(
        refused(r#"{"access_token":"t","token_type":"Bearer"}"#),
        EndpointErrorKind::MissingMember("issued_token_type")
    );
    assert_eq!(
        refused(r#"{"access_token":"t","token_type":"Bearer","issued_token_type":"access_token"}"#),
        EndpointErrorKind::InvalidMember("issued_token_type")
    );
    assert_eq!(
        refused(r#"{"access_token":"t","token_type":"Bearer","issued_token_type":7}"#),
        EndpointErrorKind::InvalidMember("issued_token_type")
    );
    let jwt = r#""issued_token_type":"urn:ietf:params:oauth:token-type:jwt""#;
    assert_eq!(
        refused(&format!(r#"{{"token_type":"N_A",{jwt}}}"#)),
        EndpointErrorKind::MissingMember("access_token")
    );
    assert_eq!(
        refused(&format!(
            r#"{{"access_token":"a b\u0001","token_type":"N_A",{jwt}}}"#
        )),
        EndpointErrorKind::InvalidMember("access_token")
    );
    assert_eq!(
        refused(&format!(
            r#"{{"access_token":"t","token_type":"N_A","expires_in":-1,{jwt}}}"#
        )),
        EndpointErrorKind::InvalidMember("expires_in")
    );
    assert!(matches!(
        refused(&format!(
            r#"{{"access_token":"t","token_type":"MAC",{jwt}}}"#
        )),
        EndpointErrorKind::UnsupportedTokenType(_)
    ));
}

/// §2.2.2: errors as at any token endpoint, `invalid_target` among them;
/// a server that is unavailable gets the same request again.
#[test]
fn errors_of_the_exchange() {
    let failure = exchange(&rs08())
        .handle_response(
            json(
                400,
                r#"{"error":"invalid_target","error_description":"no such backend"}"#,
            ),
            NOW,
        )
        .unwrap_err();
    assert_eq!(failure.code(), Some(&TokenErrorCode::InvalidTarget));
    assert!(!failure.is_retryable());
    assert!(failure.into_retry().is_none());

    let step = exchange(&rs08());
    let first = step.request(&CONTEXT).unwrap();
    let failure = step
        .handle_response(HttpResponse::new(503, b""), NOW)
        .unwrap_err();
    assert!(failure.is_retryable());
    let again = failure.into_retry().unwrap().request(&CONTEXT).unwrap();
    assert_eq!(render(&again), render(&first));
}

/// No token reaches `Debug`: the subject's, the actor's, the issued one.
#[test]
fn no_token_is_printed() {
    let step = exchange(&rs08())
        .actor_token(SecurityToken::new("actor-secret-token"), TokenTypeUri::JWT)
        .audience("evil\u{1b}[2J\u{202e}");
    let printed = format!("{step:?}");
    for secret in [
        SUBJECT_TOKEN,
        "actor-secret-token",
        "long-secure-random-secret",
    ] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\u{202e}'),
        "{printed}"
    );

    let body = format!(
        r#"{{"access_token":"{ISSUED}","issued_token_type":"urn:ietf:params:oauth:token-type:jwt","token_type":"N_A"}}"#
    );
    let exchanged = step.handle_response(json(200, &body), NOW).unwrap();
    let printed = format!("{exchanged:?}");
    assert!(!printed.contains(ISSUED), "{printed}");
}

/// §3: a token type identifier is an absolute URI.
#[test]
fn token_type_identifiers() {
    for uri in [
        "urn:ietf:params:oauth:token-type:access_token",
        "urn:example:token-type:custom",
        "https://example.com/token-types/badge",
    ] {
        assert_eq!(TokenTypeUri::new(uri).unwrap().as_str(), uri);
    }
    assert_eq!(
        TokenTypeUri::new("urn:ietf:params:oauth:token-type:jwt").unwrap(),
        TokenTypeUri::JWT
    );
    for not_one in [
        "",
        "access_token",
        ":no-scheme",
        "1urn:x",
        "urn:",
        "urn:a b",
        "urn:x#frag",
        "urn:\u{202e}",
    ] {
        assert_eq!(
            TokenTypeUri::new(not_one).unwrap_err(),
            InvalidValue::TokenTypeNotAbsoluteUri,
            "{not_one:?}"
        );
    }
    let stored = serde_json::to_string(&TokenTypeUri::SAML2).unwrap();
    assert_eq!(stored, r#""urn:ietf:params:oauth:token-type:saml2""#);
    assert_eq!(
        serde_json::from_str::<TokenTypeUri>(&stored).unwrap(),
        TokenTypeUri::SAML2
    );
}

#[test]
fn resources_are_capped() {
    let mut step = exchange(&rs08());
    for n in 0..oauth2_pkce::limits::MAX_RESOURCE_INDICATORS {
        let resource = ResourceIndicator::new(format!("https://r{n}.example")).unwrap();
        step = step.resource(resource).unwrap();
    }
    let one_more = ResourceIndicator::new("https://more.example").unwrap();
    assert!(matches!(
        step.resource(one_more),
        Err(InvalidValue::TooManyResources { .. })
    ));
}

/// RFC 7523 §2.1: the JWT bearer grant's request, `assertion` after the
/// `grant_type` as in the RFC's example; a public client names itself.
#[test]
fn the_jwt_bearer_request() {
    const ASSERTION: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJpc3MiOiJodHRwczovL2p3dC1pZHAuZXhhbXBsZS5jb20ifQ.J9l-ZhwP";
    let grant = JwtBearer::new(&rs08(), SecurityToken::new(ASSERTION))
        .scope(Scope::parse("api").unwrap())
        .resource(ResourceIndicator::new("https://backend.example.com/api").unwrap())
        .unwrap();
    let request = grant.request(&CONTEXT).unwrap();
    insta::assert_snapshot!("jwt_bearer_request", render(&request));
    let body = std::str::from_utf8(request.body()).unwrap();
    assert!(body.starts_with(&format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={ASSERTION}"
    )));
    assert!(!format!("{grant:?}").contains(ASSERTION));

    let public = JwtBearer::new(
        &client(ClientAuthentication::None),
        SecurityToken::new(ASSERTION),
    );
    let body = public.request(&CONTEXT).unwrap();
    assert!(std::str::from_utf8(body.body())
        .unwrap()
        .ends_with("&client_id=rs08"));

    let ok = JwtBearer::new(&rs08(), SecurityToken::new(ASSERTION))
        .handle_response(
            json(
                200,
                r#"{"access_token":"at-1","token_type":"Bearer","expires_in":60}"#,
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(ok.tokens().access_token().secret(), "at-1");
    let refused = JwtBearer::new(&rs08(), SecurityToken::new(ASSERTION))
        .handle_response(
            json(
                400,
                r#"{"error":"invalid_grant","error_description":"audience"}"#,
            ),
            NOW,
        )
        .unwrap_err();
    assert_eq!(refused.code(), Some(&TokenErrorCode::InvalidGrant));
    assert!(!format!("{refused} {refused:?}").contains(ASSERTION));
}

/// Both grants prove possession of the client's DPoP key (RFC 9449 §5).
#[test]
fn both_grants_carry_a_dpop_proof() {
    let client = rs08().with_dpop(crate::dpop::key()).unwrap();
    let exchange = exchange(&client).request(&CONTEXT).unwrap();
    let bearer = JwtBearer::new(&client, SecurityToken::new("a.b.c"))
        .request(&CONTEXT)
        .unwrap();
    for request in [exchange, bearer] {
        let proof = request.header("dpop").expect("a proof");
        assert_eq!(proof.split('.').count(), 3);
    }
}

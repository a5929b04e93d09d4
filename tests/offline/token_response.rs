//! The token endpoint's response through `Exchanging::handle_token_response`:
//! success (RFC 6749 §5.1), errors (§5.2), statuses, and each deliberate
//! tolerance of a provider that is nearly right, named after the provider.

use core::time::Duration;

use oauth2_pkce::errors::{EndpointError, EndpointErrorKind, Failure, TokenErrorCode};
use oauth2_pkce::tolerance::{ScopeDelimiter, Strictness, TokenType};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::values::UntrustedText;
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// The body in Pagero's documentation.
const PAGERO_BODY: &str = r#"{"token_type":"bearer","access_token":"_0XBPWQQ_2a66dd33-e108-4dc3-b653-e71b9feae02e","refresh_token":"_1XBPWQQ_e61b091b-9139-4268-a7c7-765d2d418d52","scope":"","claims":"publicid","expires_in":600}"#;

fn client() -> Client {
    Preset::pagero()
        .client(
            ClientId::new("pagero-client").unwrap(),
            ClientAuthentication::ClientSecretBasic(ClientSecret::new("client-secret")),
        )
        .unwrap()
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
}

fn exchanging_with_scope(scope: Scope) -> Exchanging {
    exchanging_for(&client(), scope)
}

fn exchanging_for(client: &Client, scope: Scope) -> Exchanging {
    let client = client.clone();
    let (_, pending) = Start::new(&client)
        .scope(scope)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let query = format!(
        "code=0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1&state={}",
        pending.state().secret()
    );
    pending
        .handle_callback(&client, Callback::from_query(&query).unwrap())
        .unwrap()
}

fn exchanging() -> Exchanging {
    exchanging_with_scope(Scope::empty())
}

fn ok(status: u16, content_type: &str, body: &str) -> Authorized {
    exchanging()
        .handle_response(
            HttpResponse::new(status, body.as_bytes()).with_content_type(content_type),
            NOW,
        )
        .unwrap()
}

fn fail(status: u16, content_type: &str, body: &str) -> Failure<Exchanging> {
    exchanging()
        .handle_response(
            HttpResponse::new(status, body.as_bytes()).with_content_type(content_type),
            NOW,
        )
        .unwrap_err()
}

fn error(status: u16, content_type: &str, body: &str) -> EndpointError {
    fail(status, content_type, body).into_error()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

// --- Success ----------------------------------------------------------------

#[test]
fn pagero_documented_body() {
    let authorized = ok(200, JSON, PAGERO_BODY);
    let tokens = authorized.tokens();
    assert_eq!(
        tokens.access_token().secret(),
        "_0XBPWQQ_2a66dd33-e108-4dc3-b653-e71b9feae02e"
    );
    assert_eq!(
        tokens.refresh_token().unwrap().secret(),
        "_1XBPWQQ_e61b091b-9139-4268-a7c7-765d2d418d52"
    );
    // Lowercase `bearer` is accepted (token_type is case-insensitive).
    // `expires_in: 600` → expires 600 s after the response arrived.
    assert_eq!(tokens.expires_at(), Some(NOW.saturating_add(secs(600))));
    assert_eq!(
        tokens.expires_at(),
        Some(UnixTime::from_secs(1_700_000_600))
    );
    // `"scope": ""` reads as omitted: the requested (empty) scope.
    assert!(tokens.scope().is_empty());
    // The non-standard `claims` is kept, and only it.
    assert_eq!(tokens.extra().len(), 1);
    assert_eq!(tokens.extra().get("claims").unwrap(), "publicid");
    assert_eq!(tokens.generation(), 0);
    assert_eq!(
        authorized.issuer(),
        "https://sso.pageroonline.com/oauth/v2/oauth-anonymous"
    );
}

#[test]
fn pagero_empty_scope_means_the_requested_scope() {
    let requested = Scope::parse("openid invoices").unwrap();
    let authorized = exchanging_with_scope(requested.clone())
        .handle_response(
            HttpResponse::new(200, PAGERO_BODY.as_bytes()).with_content_type(JSON),
            NOW,
        )
        .unwrap();
    assert_eq!(authorized.tokens().scope(), &requested);
}

#[test]
fn pagero_body_through_an_http_response() {
    let response = http::Response::builder()
        .status(200)
        .header("content-type", "application/json;charset=UTF-8")
        .body(PAGERO_BODY.as_bytes().to_vec())
        .unwrap();
    let authorized = exchanging().handle_response(&response, NOW).unwrap();
    assert_eq!(
        authorized.tokens().expires_at(),
        Some(UnixTime::from_secs(1_700_000_600))
    );
}

/// RFC 6750 §4's example response.
#[test]
fn rfc6750_example_response() {
    let body = r#"{
       "access_token":"mF_9.B5f-4.1JqM",
       "token_type":"Bearer",
       "expires_in":3600,
       "refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"
     }"#;
    let authorized = ok(200, "application/json;charset=UTF-8", body);
    assert_eq!(
        authorized.tokens().access_token().secret(),
        "mF_9.B5f-4.1JqM"
    );
    assert_eq!(
        authorized.tokens().expires_at(),
        Some(NOW.saturating_add(secs(3600)))
    );
    assert!(authorized.tokens().extra().is_empty());
}

/// RFC 6749 §5.1's example has `"token_type":"example"`, which this crate
/// cannot use; the same body as a bearer token keeps `example_parameter`.
#[test]
fn rfc6749_section_5_1_example_body() {
    let body = r#"{
       "access_token":"2YotnFZFEjr1zCsicMWpAA",
       "token_type":"example",
       "expires_in":3600,
       "refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA",
       "example_parameter":"example_value"
     }"#;
    assert_eq!(
        error(200, JSON, body),
        EndpointErrorKind::UnsupportedTokenType("example".into())
    );

    let bearer = body.replace("\"example\"", "\"Bearer\"");
    let authorized = ok(200, JSON, &bearer);
    let tokens = authorized.tokens();
    assert_eq!(tokens.access_token().secret(), "2YotnFZFEjr1zCsicMWpAA");
    assert_eq!(
        tokens.refresh_token().unwrap().secret(),
        "tGzv3JOkF0XG5Qx2TlKWIA"
    );
    assert_eq!(
        tokens.extra().get("example_parameter").unwrap(),
        "example_value"
    );
    assert_eq!(tokens.extra().len(), 1);
}

#[test]
fn token_type_is_case_insensitive() {
    for token_type in ["bearer", "Bearer", "BEARER", "bEaReR"] {
        let body = format!(r#"{{"access_token":"a","token_type":"{token_type}"}}"#);
        let authorized = ok(200, JSON, &body);
        assert_eq!(authorized.tokens().access_token().secret(), "a");
        assert_eq!(authorized.tokens().expires_at(), None);
        assert_eq!(authorized.tokens().refresh_token(), None);
    }
}

// --- Provider tolerances ------------------------------------------------------

#[test]
fn paypal_expires_in_as_numeric_string() {
    let body = r#"{"scope":"https://uri.paypal.com/services/invoicing openid","access_token":"A21AAFEpH4PsADK7qSS7pSRsgzfENtu","token_type":"Bearer","app_id":"APP-80W284485P519543T","expires_in":"32400","nonce":"2020-04-03T15:35:36ZaYZlGvEkV4yVSz8g6bAKFoGSEzuy3CQcz3ljhibkOHg"}"#;
    let authorized = ok(200, JSON, body);
    let tokens = authorized.tokens();
    assert_eq!(tokens.expires_at(), Some(NOW.saturating_add(secs(32400))));
    assert_eq!(
        tokens.scope().to_string(),
        "https://uri.paypal.com/services/invoicing openid"
    );
    assert_eq!(
        tokens.extra().get("app_id").unwrap(),
        "APP-80W284485P519543T"
    );
}

#[test]
fn azure_ad_v1_expires_in_as_numeric_string() {
    let body = r#"{"token_type":"Bearer","scope":"user_impersonation","expires_in":"3599","ext_expires_in":"3599","expires_on":"1700003599","not_before":"1700000000","resource":"https://graph.windows.net","access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.sig","refresh_token":"AQABAAAAAAB2UyzwtQEKR7-rWbgdcBZI"}"#;
    let authorized = ok(200, JSON, body);
    let tokens = authorized.tokens();
    assert_eq!(tokens.expires_at(), Some(NOW.saturating_add(secs(3599))));
    // Azure's own members are kept as sent.
    assert_eq!(tokens.extra().get("expires_on").unwrap(), "1700003599");
    assert_eq!(
        tokens.extra().get("resource").unwrap(),
        "https://graph.windows.net"
    );
}

#[test]
fn expires_in_string_that_is_not_digits_is_refused() {
    for bad in [
        r#""""#,
        r#""-1""#,
        r#""3600s""#,
        r#"" 3600""#,
        "-1",
        "1.5",
        "true",
        "{}",
    ] {
        let body = format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":{bad}}}"#);
        assert_eq!(
            error(200, JSON, &body),
            EndpointErrorKind::InvalidMember("expires_in"),
            "{bad}"
        );
    }
}

#[test]
fn expires_in_null_means_unknown() {
    let authorized = ok(
        200,
        JSON,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":null}"#,
    );
    assert_eq!(authorized.tokens().expires_at(), None);
    assert!(!authorized.is_expired(UnixTime::from_secs(u64::MAX), secs(u64::MAX)));
}

#[test]
fn github_error_with_http_200() {
    let body = r#"{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"}"#;
    let failure = fail(200, JSON, body);
    assert!(!failure.error().is_retryable());
    let EndpointErrorKind::ErrorResponse(response) = failure.into_error().kind().clone() else {
        panic!("an error body with 200 is an error response");
    };
    assert_eq!(
        response.error(),
        &TokenErrorCode::Other("bad_verification_code".into())
    );
    assert_eq!(
        response.error_description(),
        Some("The code passed is incorrect or expired.")
    );
    assert!(response
        .error_uri()
        .unwrap()
        .starts_with("https://docs.github.com/"));
}

#[test]
fn github_form_encoded_body() {
    let body =
        "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer";
    let authorized = ok(200, FORM, body);
    let tokens = authorized.tokens();
    assert_eq!(
        tokens.access_token().secret(),
        "gho_16C7e42F292c6912E7710c838347Ae178B4a"
    );
    // GitHub separates scopes with commas; with nothing requested, the
    // value is kept as sent.
    assert_eq!(tokens.scope().to_string(), "repo,gist");
    assert_eq!(tokens.expires_at(), None);
    assert!(tokens.extra().is_empty());
}

#[test]
fn github_form_encoded_body_with_expiring_tokens() {
    let body = "access_token=ghu_16C7e42F292c6912E7710c838347Ae178B4a&expires_in=28800&refresh_token=ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498&refresh_token_expires_in=15811200&scope=&token_type=bearer";
    let authorized = ok(
        200,
        "application/x-www-form-urlencoded; charset=utf-8",
        body,
    );
    let tokens = authorized.tokens();
    assert_eq!(tokens.expires_at(), Some(NOW.saturating_add(secs(28800))));
    assert!(tokens.refresh_token().unwrap().secret().starts_with("ghr_"));
    assert_eq!(
        tokens.extra().get("refresh_token_expires_in").unwrap(),
        "15811200"
    );
}

#[test]
fn github_form_encoded_error_with_http_200() {
    let body = "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps";
    let EndpointErrorKind::ErrorResponse(response) = error(200, FORM, body).kind().clone() else {
        panic!("a form-encoded error body is an error response");
    };
    assert_eq!(response.error().as_str(), "bad_verification_code");
    assert_eq!(
        response.error_description(),
        Some("The code passed is incorrect or expired.")
    );
    assert_eq!(response.error_uri(), Some("https://docs.github.com/apps"));
}

#[test]
fn form_encoded_body_only_when_the_content_type_says_so() {
    let body = "access_token=a&token_type=bearer";
    assert_eq!(error(200, JSON, body), EndpointErrorKind::NotJson);
    assert_eq!(
        error(200, FORM, "access_token=%zz&token_type=bearer"),
        EndpointErrorKind::NotForm
    );
    assert_eq!(
        error(200, FORM, "access_token=a&access_token=b&token_type=bearer"),
        EndpointErrorKind::DuplicateMember("access_token".into())
    );
}

/// `Display` carries the whole message, the exact problem included, and
/// `source()` adds nothing already printed: a reporter that walks the
/// chain (`anyhow`'s `{:#}`, `eyre`) prints each cause once.
#[test]
fn error_messages_carry_the_problem_once() {
    use core::error::Error as _;

    let failure = exchanging()
        .handle_response(HttpResponse::new(200, b"{").with_content_type(JSON), NOW)
        .unwrap_err();
    assert_eq!(
        failure.to_string(),
        "the token endpoint's response is malformed: the body is not JSON"
    );
    assert!(failure.source().is_none());
    assert!(failure.error().source().is_none());
    assert_eq!(failure.error().kind(), &EndpointErrorKind::NotJson);
}

#[test]
fn scope_as_json_array() {
    let body =
        r#"{"access_token":"a","token_type":"Bearer","scope":["openid","profile","openid"]}"#;
    let authorized = ok(200, JSON, body);
    assert_eq!(authorized.tokens().scope().to_string(), "openid profile");

    for bad in [r#"["openid",1]"#, r#"["a b"]"#, r#"[""]"#, "42", "{}"] {
        let body = format!(r#"{{"access_token":"a","token_type":"Bearer","scope":{bad}}}"#);
        assert_eq!(
            error(200, JSON, &body),
            EndpointErrorKind::InvalidMember("scope"),
            "{bad}"
        );
    }
}

#[test]
fn omitted_scope_means_the_requested_scope() {
    let requested = Scope::parse("openid profile email").unwrap();
    let respond = |body: &str| {
        exchanging_with_scope(requested.clone())
            .handle_response(HttpResponse::new(200, body.as_bytes()), NOW)
            .unwrap()
    };
    let omitted = respond(r#"{"access_token":"a","token_type":"Bearer"}"#);
    assert_eq!(omitted.tokens().scope(), &requested);
    let null = respond(r#"{"access_token":"a","token_type":"Bearer","scope":null}"#);
    assert_eq!(null.tokens().scope(), &requested);
    // A narrower grant is what the server says.
    let narrower = respond(r#"{"access_token":"a","token_type":"Bearer","scope":"openid"}"#);
    assert_eq!(narrower.tokens().scope(), &Scope::parse("openid").unwrap());
}

// --- Errors (RFC 6749 §5.2) ---------------------------------------------------

#[test]
fn rfc6749_section_5_2_error_codes_are_typed() {
    let cases = [
        ("invalid_request", 400, TokenErrorCode::InvalidRequest),
        ("invalid_client", 401, TokenErrorCode::InvalidClient),
        ("invalid_grant", 400, TokenErrorCode::InvalidGrant),
        (
            "unauthorized_client",
            400,
            TokenErrorCode::UnauthorizedClient,
        ),
        (
            "unsupported_grant_type",
            400,
            TokenErrorCode::UnsupportedGrantType,
        ),
        ("invalid_scope", 400, TokenErrorCode::InvalidScope),
    ];
    for (wire, status, code) in cases {
        let body = format!(r#"{{"error":"{wire}"}}"#);
        let failure = fail(status, JSON, &body);
        assert!(!failure.error().is_retryable(), "{wire}");
        assert_eq!(
            failure.code() == Some(&TokenErrorCode::InvalidGrant),
            wire == "invalid_grant"
        );
        let EndpointErrorKind::ErrorResponse(response) = failure.into_error().kind().clone() else {
            panic!("{wire} is an error response");
        };
        assert_eq!(response.error(), &code);
        assert_eq!(response.error().as_str(), wire);
        assert_eq!(response.error_description(), None);
        assert_eq!(response.error_uri(), None);
    }
}

#[test]
fn invalid_grant_is_permanent() {
    let body =
        r#"{"error":"invalid_grant","error_description":"The authorization code is expired"}"#;
    let failure = fail(400, "application/json;charset=UTF-8", body);
    assert!(failure.code() == Some(&TokenErrorCode::InvalidGrant));
    assert!(!failure.error().is_retryable());
    assert!(failure.into_retry().is_none());

    let failure = fail(400, JSON, body);
    let EndpointErrorKind::ErrorResponse(response) = failure.into_error().kind().clone() else {
        panic!("invalid_grant is an error response");
    };
    assert_eq!(response.error(), &TokenErrorCode::InvalidGrant);
    assert_eq!(
        response.error_description(),
        Some("The authorization code is expired")
    );
}

#[test]
fn invalid_client_with_www_authenticate() {
    let response = HttpResponse::new(401, br#"{"error":"invalid_client"}"#)
        .with_content_type(JSON)
        .with_www_authenticate("Basic realm=\"sso\"");
    let failure = exchanging().handle_response(response, NOW).unwrap_err();
    assert!(!failure.error().is_retryable());
    assert!(matches!(
        failure.error().kind(),
        EndpointErrorKind::ErrorResponse(r) if *r.error() == TokenErrorCode::InvalidClient
    ));
}

#[test]
fn unknown_error_codes_are_kept() {
    let body = r#"{"error":"consent_revoked","error_description":"Ask again","error_uri":"https://as.example/errors/consent"}"#;
    let EndpointErrorKind::ErrorResponse(response) = error(400, JSON, body).kind().clone() else {
        panic!("an unknown code is still an error response");
    };
    assert_eq!(
        response.error(),
        &TokenErrorCode::Other("consent_revoked".into())
    );
    assert_eq!(response.error().as_str(), "consent_revoked");
    assert_eq!(response.error_description(), Some("Ask again"));
    assert_eq!(
        response.error_uri(),
        Some("https://as.example/errors/consent")
    );
}

/// Retrying must send exactly what was sent before.
fn assert_retry_gives_back_the_same_request(failure: Failure<Exchanging>) {
    let first = exchanging().request(&crate::CONTEXT).unwrap();
    assert!(failure.error().is_retryable(), "{:?}", failure.error());
    let again = failure
        .into_retry()
        .expect("a retryable failure hands the state back");
    let retried = again.request(&crate::CONTEXT).unwrap();
    assert_eq!(retried, first);
    assert_eq!(retried.body(), first.body());
    assert_eq!(
        retried.headers().collect::<Vec<_>>(),
        first.headers().collect::<Vec<_>>()
    );
    // And the retried state can still succeed.
    let authorized = again
        .handle_response(HttpResponse::new(200, PAGERO_BODY.as_bytes()), NOW)
        .unwrap();
    assert_eq!(
        authorized.tokens().extra().get("claims").unwrap(),
        "publicid"
    );
}

#[test]
fn server_errors_are_retryable() {
    for status in [500, 502, 503, 504, 599] {
        let failure = fail(
            status,
            "text/html",
            "<html><body>Service Unavailable</body></html>",
        );
        assert_eq!(
            failure.error(),
            &EndpointErrorKind::Unavailable {
                status,
                retry_after: None
            }
        );
        assert_retry_gives_back_the_same_request(failure);
    }
}

#[test]
fn too_many_requests_with_retry_after_is_retryable() {
    let response = HttpResponse::new(429, b"")
        .with_content_type("text/plain")
        .with_retry_after("120");
    let failure = exchanging().handle_response(response, NOW).unwrap_err();
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::Unavailable {
            status: 429,
            retry_after: Some(secs(120))
        }
    );
    assert_retry_gives_back_the_same_request(failure);

    let response = http::Response::builder()
        .status(503)
        .header("retry-after", "120")
        .body(Vec::new())
        .unwrap();
    let failure = exchanging().handle_response(&response, NOW).unwrap_err();
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::Unavailable {
            status: 503,
            retry_after: Some(secs(120))
        }
    );
}

#[test]
fn temporarily_unavailable_and_server_error_codes_are_retryable() {
    for code in ["temporarily_unavailable", "server_error"] {
        let failure = fail(400, JSON, &format!(r#"{{"error":"{code}"}}"#));
        assert_ne!(failure.code(), Some(&TokenErrorCode::InvalidGrant));
        assert_retry_gives_back_the_same_request(failure);
    }
}

#[test]
fn redirects_are_never_followed() {
    for status in [301, 302, 303, 307, 308] {
        let failure = fail(
            status,
            "text/html",
            "<a href=\"https://evil.example/\">moved</a>",
        );
        assert_eq!(failure.error(), &EndpointErrorKind::Redirected { status });
        assert!(failure.into_retry().is_none());
    }
}

#[test]
fn not_found_with_html_is_an_unexpected_status() {
    let failure = fail(404, "text/html", "<html><h1>404 Not Found</h1></html>");
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::UnexpectedStatus { status: 404 }
    );
    assert!(failure.into_retry().is_none());
    // A 4xx JSON body without `error` is no OAuth error either.
    assert_eq!(
        error(400, JSON, r#"{"message":"bad"}"#),
        EndpointErrorKind::UnexpectedStatus { status: 400 }
    );
}

/// An `error` member makes a body an error response (RFC 6749 §5.2); one
/// that is not a code — not a string, or characters outside `%x20-21 /
/// %x23-5B / %x5D-7E` — makes it a malformed one, whatever the status. A
/// malformed description or URI is dropped instead: they are for humans.
#[test]
fn an_error_member_that_is_not_a_code_is_a_malformed_response() {
    for body in [
        r#"{"error":{"code":"invalid_grant"}}"#,
        r#"{"error":"x\r\nFAKE LOG LINE"}"#,
        r#"{"error":"invalid_grant\u202e"}"#,
        r#"{"error":"a\"b"}"#,
        r#"{"error":"a\\b"}"#,
        r#"{"error":"\u00e9"}"#,
        r#"{"error":""}"#,
    ] {
        for status in [200, 400, 401] {
            assert_eq!(
                error(status, JSON, body),
                EndpointErrorKind::InvalidMember("error"),
                "{status} {body}"
            );
        }
    }
    // The whole set is allowed: a space, `!`, `#`…`[`, `]`…`~`.
    match error(400, JSON, r#"{"error":" !#$[]^~"}"#).kind() {
        EndpointErrorKind::ErrorResponse(response) => {
            assert_eq!(response.error().as_str(), " !#$[]^~")
        }
        other => panic!("{other:?}"),
    }
    let described = error(
        400,
        JSON,
        r#"{"error":"invalid_grant","error_description":["expired"]}"#,
    );
    assert!(!described.kind().is_malformed_response(), "{described:?}");
    // The malformed description is dropped; the code survives.
    assert!(
        described.code() == Some(&TokenErrorCode::InvalidGrant),
        "{described:?}"
    );
}

#[test]
fn expires_in_beyond_u64_saturates() {
    for huge in [
        "1e30",
        "18446744073709551616",
        r#""18446744073709551616""#,
        r#""99999999999999999999999""#,
    ] {
        let body = format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":{huge}}}"#);
        let authorized = ok(200, JSON, &body);
        assert_eq!(
            authorized.tokens().expires_at(),
            Some(UnixTime::from_secs(u64::MAX)),
            "{huge}"
        );
    }
}

#[test]
fn non_json_200_is_malformed() {
    assert_eq!(
        error(200, "text/html", "<html>Welcome</html>"),
        EndpointErrorKind::NotJson
    );
    assert_eq!(error(200, JSON, ""), EndpointErrorKind::NotJson);
    assert_eq!(
        error(
            200,
            JSON,
            r#"{"access_token":"a","token_type":"Bearer"} trailing"#
        ),
        EndpointErrorKind::NotJson
    );
    assert_eq!(
        error(200, JSON, r#"["access_token"]"#),
        EndpointErrorKind::NotAnObject
    );
    assert_eq!(
        error(200, JSON, r#""access_token""#),
        EndpointErrorKind::NotAnObject
    );
    let failure = fail(200, "text/html", "<html>Welcome</html>");
    assert!(!failure.error().is_retryable());
    assert!(failure.into_retry().is_none());
}

#[test]
fn duplicate_members_are_refused() {
    let body = r#"{"access_token":"first","token_type":"Bearer","access_token":"second"}"#;
    assert_eq!(
        error(200, JSON, body),
        EndpointErrorKind::DuplicateMember("access_token".into())
    );
    let body = r#"{"access_token":"a","token_type":"Bearer","token_type":"mac"}"#;
    assert_eq!(
        error(200, JSON, body),
        EndpointErrorKind::DuplicateMember("token_type".into())
    );
    // Members this crate does not model are checked too (Pagero's `claims`
    // twice: which one would `extra()` keep?).
    let body = r#"{"access_token":"a","token_type":"Bearer","claims":"publicid","claims":"admin"}"#;
    assert_eq!(
        error(200, JSON, body),
        EndpointErrorKind::DuplicateMember("claims".into())
    );
    let body = r#"{"error":"invalid_grant","error":"server_error"}"#;
    // Not an OAuth error body, and not a success status.
    assert_eq!(
        error(400, JSON, body),
        EndpointErrorKind::UnexpectedStatus { status: 400 }
    );
}

#[test]
fn mac_token_type_is_unsupported() {
    let body = r#"{"access_token":"SlAV32hkKG","token_type":"mac","expires_in":3600,"refresh_token":"8xLOxBtZp8","mac_key":"adijq39jdlaska9asud","mac_algorithm":"hmac-sha-256"}"#;
    let failure = fail(200, JSON, body);
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::UnsupportedTokenType("mac".into())
    );
    assert!(failure.into_retry().is_none());
}

#[test]
fn missing_or_invalid_required_members() {
    assert_eq!(
        error(200, JSON, r#"{"token_type":"Bearer","expires_in":600}"#),
        EndpointErrorKind::MissingMember("access_token")
    );
    assert_eq!(
        error(200, JSON, r#"{"access_token":null,"token_type":"Bearer"}"#),
        EndpointErrorKind::MissingMember("access_token")
    );
    // Without `token_type`: refused under the strict profile; the
    // tolerant default reads it as Bearer and says so
    // (`missing_token_type_is_assumed_bearer`).
    let strict = exchanging_for(
        &client().with_strictness(Strictness::Strict),
        Scope::empty(),
    );
    assert_eq!(
        strict
            .handle_response(
                HttpResponse::new(200, br#"{"access_token":"a"}"#).with_content_type(JSON),
                NOW
            )
            .unwrap_err()
            .into_error()
            .kind(),
        &EndpointErrorKind::MissingMember("token_type")
    );
    assert_eq!(
        error(200, JSON, r#"{"access_token":42,"token_type":"Bearer"}"#),
        EndpointErrorKind::InvalidMember("access_token")
    );
    assert_eq!(
        error(200, JSON, r#"{"access_token":"","token_type":"Bearer"}"#),
        EndpointErrorKind::InvalidMember("access_token")
    );
    assert_eq!(
        error(
            200,
            JSON,
            "{\"access_token\":\"a\\nb\",\"token_type\":\"Bearer\"}"
        ),
        EndpointErrorKind::InvalidMember("access_token")
    );
    assert_eq!(
        error(
            200,
            JSON,
            r#"{"access_token":"a","token_type":"Bearer","refresh_token":7}"#
        ),
        EndpointErrorKind::InvalidMember("refresh_token")
    );
}

#[test]
fn empty_refresh_token_is_none() {
    let authorized = ok(
        200,
        JSON,
        r#"{"access_token":"a","token_type":"Bearer","refresh_token":""}"#,
    );
    assert_eq!(authorized.tokens().refresh_token(), None);
}

#[test]
fn huge_expires_in_saturates_without_overflow() {
    let body = format!(
        r#"{{"access_token":"a","token_type":"Bearer","expires_in":{}}}"#,
        u64::MAX
    );
    let late = UnixTime::from_secs(u64::MAX - 5);
    let authorized = exchanging()
        .handle_response(HttpResponse::new(200, body.as_bytes()), late)
        .unwrap();
    assert_eq!(
        authorized.tokens().expires_at(),
        Some(UnixTime::from_secs(u64::MAX))
    );
    assert!(!authorized.is_expired(late, Duration::ZERO));
    assert!(authorized.is_expired(late, secs(u64::MAX)));

    // The same value as a numeric string.
    let body = format!(
        r#"{{"access_token":"a","token_type":"Bearer","expires_in":"{}"}}"#,
        u64::MAX
    );
    let authorized = ok(200, JSON, &body);
    assert_eq!(
        authorized.tokens().expires_at(),
        Some(UnixTime::from_secs(u64::MAX))
    );
}

#[test]
fn is_expired_edges() {
    let authorized = ok(200, JSON, PAGERO_BODY);
    let expires_at = NOW.saturating_add(secs(600));
    assert_eq!(authorized.tokens().expires_at(), Some(expires_at));
    // Before the instant: not expired; at it: expired.
    assert!(!authorized.is_expired(NOW, Duration::ZERO));
    assert!(!authorized.is_expired(UnixTime::from_secs(1_700_000_599), Duration::ZERO));
    assert!(authorized.is_expired(expires_at, Duration::ZERO));
    assert!(authorized.is_expired(UnixTime::from_secs(1_700_000_601), Duration::ZERO));
    // The leeway brings expiry forward.
    assert!(!authorized.is_expired(NOW, secs(599)));
    assert!(authorized.is_expired(NOW, secs(600)));
    assert!(authorized.is_expired(UnixTime::from_secs(1_700_000_590), secs(10)));
    assert!(!authorized.is_expired(UnixTime::from_secs(1_700_000_589), secs(10)));
    // No overflow at the end of time.
    assert!(authorized.is_expired(UnixTime::from_secs(u64::MAX), secs(u64::MAX)));
    // A clock before the epoch of the response is not "expired".
    assert!(!authorized.is_expired(UnixTime::from_secs(0), Duration::ZERO));

    // expires_in 0: expired at once.
    let zero = ok(
        200,
        JSON,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":0}"#,
    );
    assert!(zero.is_expired(NOW, Duration::ZERO));
    // Unknown expiry: never expired.
    let unknown = ok(200, JSON, r#"{"access_token":"a","token_type":"Bearer"}"#);
    assert!(!unknown.is_expired(UnixTime::from_secs(u64::MAX), secs(u64::MAX)));
}

// --- Nothing secret in errors ---------------------------------------------------

#[test]
fn no_error_shows_a_secret_from_the_body() {
    const SECRETS: [&str; 4] = ["SECRETAT1", "SECRETRT2", "SECRETIDT3", "SECRETMAC4"];
    let cases: [(u16, &str, &str); 12] = [
        (
            200,
            JSON,
            r#"{"access_token":"SECRETAT1","token_type":"mac","refresh_token":"SECRETRT2","mac_key":"SECRETMAC4"}"#,
        ),
        (
            200,
            JSON,
            r#"{"access_token":"SECRETAT1","access_token":"SECRETAT1","refresh_token":"SECRETRT2","token_type":"Bearer"}"#,
        ),
        (
            200,
            JSON,
            r#"{"access_token":"SECRETAT1","token_type":"Bearer","expires_in":"soon","refresh_token":"SECRETRT2"}"#,
        ),
        (
            200,
            JSON,
            r#"{"access_token":"SECRETAT1","token_type":"Bearer","scope":"a\"b","id_token":"SECRETIDT3"}"#,
        ),
        (
            200,
            JSON,
            r#"{"access_token":"SECRETAT1","refresh_token":"SECRETRT2","token_type":"bot"}"#,
        ),
        (
            200,
            JSON,
            "{\"access_token\":\"SECRETAT1\\u0000\",\"token_type\":\"Bearer\"}",
        ),
        (
            200,
            JSON,
            r#"{"access_token":"SECRETAT1","token_type":"Bearer","refresh_token":"SECRETRT2\n"}"#,
        ),
        (
            200,
            JSON,
            r#"{"error":"invalid_grant","access_token":"SECRETAT1","refresh_token":"SECRETRT2"}"#,
        ),
        (
            200,
            JSON,
            r#"{"access_token":"SECRETAT1","token_type":"Bearer","refresh_token":"SECRETRT2"} trailing SECRETIDT3"#,
        ),
        (
            200,
            FORM,
            "access_token=SECRETAT1&refresh_token=SECRETRT2&token_type=mac",
        ),
        (
            200,
            FORM,
            "access_token=SECRETAT1&access_token=SECRETRT2&token_type=bearer",
        ),
        (
            503,
            JSON,
            r#"{"access_token":"SECRETAT1","refresh_token":"SECRETRT2","token_type":"Bearer"}"#,
        ),
    ];
    for (status, content_type, body) in cases {
        let failure = fail(status, content_type, body);
        let printed = [
            format!("{failure}"),
            format!("{failure:?}"),
            format!("{}", failure.error()),
            format!("{:?}", failure.error()),
            format!("{:#?}", failure.error()),
        ];
        for text in &printed {
            for secret in SECRETS {
                assert!(!text.contains(secret), "{secret} in {text:?} for {body}");
            }
            // Nor the authorization code of the flow, handed back on retry.
            assert!(!text.contains("0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1"), "{text}");
        }
    }
}

#[test]
fn expires_in_as_a_whole_float_is_accepted() {
    for (sent, seconds) in [("3600.0", 3600), ("3.6e3", 3600), ("0.0", 0)] {
        let body = format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":{sent}}}"#);
        let authorized = ok(200, JSON, &body);
        assert_eq!(
            authorized.tokens().expires_at(),
            Some(NOW.saturating_add(secs(seconds))),
            "{sent}"
        );
    }
    for refused in ["-3600.0", "-0.5", "3600.5"] {
        let body =
            format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":{refused}}}"#);
        assert_eq!(
            error(200, JSON, &body),
            EndpointErrorKind::InvalidMember("expires_in"),
            "{refused}"
        );
    }
}

// --- Outside text, size caps, 401 with Basic -----------------------------------

/// No C0/C1 control, DEL or bidi override comes out raw.
fn assert_printable(error: &EndpointError) {
    for printed in [error.to_string(), format!("{error:?}")] {
        for c in printed.chars() {
            let raw = matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            assert!(!raw, "{c:?} in {printed}");
        }
    }
}

#[test]
fn outside_text_in_token_errors_is_printed_escaped() {
    let cases = [
        // A duplicate member whose name forges a log line.
        r#"{"access_token":"a","token_type":"Bearer","x\r\nFAKE LOG LINE":1,"x\r\nFAKE LOG LINE":2}"#,
        // A token type with an ANSI escape and a bidi override.
        r#"{"access_token":"a","token_type":"\u001b[2J\u202emac"}"#,
        // A description with CR/LF and C1 controls.
        r#"{"error":"invalid_grant","error_description":"gone\r\nFAKE\u0085\u009b"}"#,
    ];
    for body in cases {
        let error = error(400, JSON, body);
        assert_printable(&error);
        let error = error_at_200(body);
        assert_printable(&error);
    }
    assert_eq!(
        error_at_200(cases[0]),
        EndpointErrorKind::DuplicateMember(UntrustedText::from("x\r\nFAKE LOG LINE"))
    );
    assert_eq!(
        error_at_200(cases[1]),
        EndpointErrorKind::UnsupportedTokenType(UntrustedText::from("\u{1b}[2J\u{202e}mac"))
    );
}

fn error_at_200(body: &str) -> EndpointError {
    error(200, JSON, body)
}

#[test]
fn a_body_over_the_cap_is_refused_unread() {
    let padding = "a".repeat(limits::MAX_RESPONSE_BODY_BYTES);
    let body = format!(r#"{{"access_token":"a","token_type":"Bearer","x":"{padding}"}}"#);
    assert_eq!(
        error(200, JSON, &body),
        EndpointErrorKind::TooLarge {
            limit: limits::MAX_RESPONSE_BODY_BYTES
        }
    );
    // An error status with an oversized body is its status: nothing of the
    // body is read.
    let body = format!(r#"{{"error":"invalid_grant","x":"{padding}"}}"#);
    assert_eq!(
        error(400, JSON, &body),
        EndpointErrorKind::UnexpectedStatus { status: 400 }
    );
    // A JWT access token of several KiB is fine.
    let jwt = format!("eyJ{}", "A".repeat(12_000));
    let body = format!(r#"{{"access_token":"{jwt}","token_type":"Bearer"}}"#);
    assert_eq!(ok(200, JSON, &body).tokens().access_token().secret(), jwt);
}

/// RFC 6749 §5.2: a client that authenticated with the `Authorization`
/// header gets 401 with `WWW-Authenticate` for the same scheme.
#[test]
fn a_401_that_challenges_for_basic_is_a_client_authentication_failure() {
    let failure = exchanging()
        .handle_response(
            HttpResponse::new(401, b"").with_www_authenticate("Basic realm=\"sso\""),
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::ClientAuthenticationFailed { status: 401 }
    );
    assert!(!failure.error().is_retryable());
    assert!(failure.into_retry().is_none());
    for header in [r#"Bearer realm="x", basic realm="y""#, "BASIC"] {
        let error = exchanging()
            .handle_response(
                HttpResponse::new(401, b"").with_www_authenticate(header),
                NOW,
            )
            .unwrap_err()
            .into_error();
        assert_eq!(
            error,
            EndpointErrorKind::ClientAuthenticationFailed { status: 401 },
            "{header}"
        );
    }
    // No challenge, another scheme, or another status: only the status.
    for (status, header) in [(401, None), (401, Some("Bearer")), (403, Some("Basic"))] {
        let mut response = HttpResponse::new(status, b"");
        if let Some(header) = header {
            response = response.with_www_authenticate(header);
        }
        let error = exchanging()
            .handle_response(response, NOW)
            .unwrap_err()
            .into_error();
        assert_eq!(
            error,
            EndpointErrorKind::UnexpectedStatus { status },
            "{header:?}"
        );
    }
}

// --- The token type: assumed, provider types, strictness --------------------

fn respond_with(client: &Client, body: &str) -> Result<Authorized, Failure<Exchanging>> {
    exchanging_for(client, Scope::empty()).handle_response(
        HttpResponse::new(200, body.as_bytes()).with_content_type(JSON),
        NOW,
    )
}

/// A response without `token_type` (LinkedIn, Shopify, Slack's legacy
/// `oauth.access` document such responses) is read as Bearer by default,
/// and the token set says the type was assumed; it survives storage.
#[test]
fn missing_token_type_is_assumed_bearer() {
    let authorized = respond_with(&client(), r#"{"access_token":"a","expires_in":60}"#).unwrap();
    assert_eq!(authorized.tokens().token_type(), &TokenType::AssumedBearer);
    assert!(authorized.tokens().token_type().is_assumed());
    let stored = serde_json::to_string(&authorized).unwrap();
    let back = Authorized::from_json(stored.as_bytes()).unwrap();
    assert_eq!(back.tokens().token_type(), &TokenType::AssumedBearer);

    let sent = respond_with(&client(), r#"{"access_token":"a","token_type":"bearer"}"#).unwrap();
    assert_eq!(sent.tokens().token_type(), &TokenType::Bearer);
    assert!(!sent.tokens().token_type().is_assumed());
    // A Bearer token set stores as before: no new member.
    assert!(!serde_json::to_string(&sent).unwrap().contains("token_type"));
}

/// The strict profile refuses what the tolerant default assumes; the
/// error says which member is missing.
#[test]
fn strict_refuses_a_missing_token_type() {
    let strict = client().with_strictness(Strictness::Strict);
    assert_eq!(strict.tolerances().strictness(), Strictness::Strict);
    let error = respond_with(&strict, r#"{"access_token":"a"}"#)
        .unwrap_err()
        .into_error();
    assert_eq!(
        error.kind(),
        &EndpointErrorKind::MissingMember("token_type")
    );
    assert!(respond_with(&strict, r#"{"access_token":"a","token_type":"Bearer"}"#).is_ok());
}

/// A provider's own type is accepted only where configured; any other
/// unknown type stays refused, with or without configuration.
#[test]
fn provider_token_types_only_where_configured() {
    let body = r#"{"access_token":"xoxb-1","token_type":"bot"}"#;
    assert!(matches!(
        respond_with(&client(), body).unwrap_err().into_error().kind(),
        EndpointErrorKind::UnsupportedTokenType(t) if t.as_str() == "bot"
    ));
    let slackish = client().with_bearer_token_type_alias("bot").unwrap();
    let authorized = respond_with(&slackish, body).unwrap();
    assert_eq!(
        authorized.tokens().token_type(),
        &TokenType::ProviderBearer("bot".into())
    );
    // Case-insensitive, like every token type (RFC 6749 §5.1).
    assert!(respond_with(&slackish, r#"{"access_token":"a","token_type":"BOT"}"#).is_ok());
    // Still refused: another type; `mac` with a key.
    for refused in ["user", "mac", "DPoP"] {
        let body = format!(r#"{{"access_token":"a","token_type":"{refused}"}}"#);
        assert!(respond_with(&slackish, &body).is_err(), "{refused}");
    }
    // Strictness does not undo an explicit configuration.
    let strict = slackish.with_strictness(Strictness::Strict);
    assert!(respond_with(&strict, body).is_ok());
    // It survives storage.
    let stored = serde_json::to_string(&respond_with(&strict, body).unwrap()).unwrap();
    assert_eq!(
        Authorized::from_json(stored.as_bytes())
            .unwrap()
            .tokens()
            .token_type(),
        &TokenType::ProviderBearer("bot".into())
    );
}

/// A type bound to a key is never read as Bearer: configuring it is an
/// error, and so is a stored state that claims it.
#[test]
fn key_bound_token_types_cannot_be_aliased() {
    let long = "t".repeat(129);
    for never in [
        "DPoP",
        "dpop",
        "MAC",
        "N_A",
        "Bearer",
        "",
        " ",
        " bot",
        "bot ",
        "a\tb",
        "b\u{202e}t",
        "b\u{e9}t",
        &long,
    ] {
        assert!(
            client().with_bearer_token_type_alias(never).is_err(),
            "{never:?}"
        );
    }
    let error = client().with_bearer_token_type_alias("DPoP").unwrap_err();
    assert!(error.to_string().contains("DPoP"));
    let bearer = respond_with(&client(), r#"{"access_token":"a","token_type":"bearer"}"#).unwrap();
    let stored = serde_json::to_string(&bearer).unwrap().replacen(
        r#""access_token""#,
        r#""token_type":"DPoP","access_token""#,
        1,
    );
    assert!(stored.contains("DPoP"));
    assert!(Authorized::from_json(stored.as_bytes()).is_err());
}

/// With a comma delimiter, the scope is joined by commas and a
/// response's `"a,b"` is two tokens.
#[test]
fn comma_separated_scopes() {
    let client = client().with_scope_delimiter(ScopeDelimiter::Comma);
    let (request, _) = Start::new(&client)
        .scope(Scope::parse("read activity:read").unwrap())
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    assert!(
        request.url().contains("scope=read%2Cactivity%3Aread"),
        "{}",
        request.url()
    );
    let authorized = respond_with(
        &client,
        r#"{"access_token":"a","token_type":"Bearer","scope":"commands,incoming-webhook"}"#,
    )
    .unwrap();
    assert_eq!(
        authorized.tokens().scope().iter().collect::<Vec<_>>(),
        ["commands", "incoming-webhook"]
    );
}

/// eBay's answer to a code exchange, as its page shows it: a three-word
/// `token_type`, and an access token eBay says to send as
/// `Authorization: Bearer`.
const EBAY_BODY: &str = r#"{"access_token":"v^1.1#i^1#p^3#r^1...XzMjRV4xMjg0","expires_in":7200,"refresh_token":"v^1.1#i^1#p^3#r^1...zYjRV4xMjg0","refresh_token_expires_in":47304000,"token_type":"User Access Token"}"#;

/// A provider type of several words (eBay's `User Access Token`) can be
/// configured: the answer is read, the token sent as Bearer, and the type
/// survives storage. The name is matched whole, in any case.
#[test]
fn a_token_type_with_spaces_can_be_configured() {
    let ebayish = client()
        .with_bearer_token_type_alias("User Access Token")
        .unwrap();
    let authorized = respond_with(&ebayish, EBAY_BODY).unwrap();
    let tokens = authorized.tokens();
    assert_eq!(
        tokens.token_type(),
        &TokenType::ProviderBearer("User Access Token".into())
    );
    assert_eq!(tokens.token_type().as_str(), "User Access Token");
    assert_eq!(tokens.expires_at(), Some(NOW.saturating_add(secs(7200))));
    assert!(tokens.extra().contains("refresh_token_expires_in"));
    assert_eq!(
        authorized
            .bearer_authorization("https://api.ebay.com/sell/inventory/v1/inventory_item")
            .unwrap()
            .secret(),
        "Bearer v^1.1#i^1#p^3#r^1...XzMjRV4xMjg0"
    );
    let stored = serde_json::to_string(&authorized).unwrap();
    assert_eq!(
        Authorized::from_json(stored.as_bytes())
            .unwrap()
            .tokens()
            .token_type(),
        &TokenType::ProviderBearer("User Access Token".into())
    );
    // Case-insensitive, but the whole name: not a part, not other spacing.
    let answer = |token_type: &str| {
        let body = format!(r#"{{"access_token":"a","token_type":"{token_type}"}}"#);
        respond_with(&ebayish, &body)
    };
    assert!(answer("user access token").is_ok());
    for refused in [
        "User Access",
        "User  Access Token",
        " User Access Token",
        "User",
    ] {
        assert!(answer(refused).is_err(), "{refused:?}");
    }
}

/// Without the alias, eBay's answer is refused with the typed error any
/// unknown type gets, which names the type: the caller learns what to
/// configure. It is not retryable: the code is spent.
#[test]
fn an_unconfigured_token_type_with_spaces_is_refused_by_name() {
    let error = respond_with(&client(), EBAY_BODY).unwrap_err().into_error();
    assert!(
        matches!(
            error.kind(),
            EndpointErrorKind::UnsupportedTokenType(t) if t.as_str() == "User Access Token"
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

// --- Scopes joined by commas, without a preset ------------------------------

/// The answer of `client`'s code exchange for `requested` whose `scope`
/// is `answer`.
fn scope_answered(client: &Client, requested: &str, answer: &str) -> Authorized {
    let body = format!(
        r#"{{"access_token":"a","token_type":"bearer","refresh_token":"r","scope":"{answer}"}}"#
    );
    exchanging_for(client, Scope::parse(requested).unwrap())
        .handle_response(
            HttpResponse::new(200, body.as_bytes()).with_content_type(JSON),
            NOW,
        )
        .unwrap()
}

fn tokens_of(scope: &Scope) -> Vec<&str> {
    scope.iter().collect()
}

/// GitHub, Shopify and TikTok answer `"repo,gist"` for a request of
/// `repo gist`. A plain client reads it as the two requested scopes, and
/// the token set says the delimiter was assumed, as it says a token type
/// was; the reading survives storage.
#[test]
fn requested_scopes_joined_by_commas_are_read_as_those_scopes() {
    let authorized = scope_answered(&client(), "repo gist", "repo,gist");
    let tokens = authorized.tokens();
    assert_eq!(tokens_of(tokens.scope()), ["repo", "gist"]);
    assert!(tokens.scope_assumed_comma_delimited());
    assert_eq!(authorized.grant_scope(), Some(tokens.scope()));
    // In any order.
    let reordered = scope_answered(&client(), "repo gist", "gist,repo");
    assert_eq!(tokens_of(reordered.tokens().scope()), ["gist", "repo"]);
    // A subset of what was asked for, as a server may narrow it.
    let narrowed = scope_answered(&client(), "repo gist user", "repo,gist");
    assert_eq!(tokens_of(narrowed.tokens().scope()), ["repo", "gist"]);
    assert!(narrowed.tokens().scope_assumed_comma_delimited());
    let stored = serde_json::to_string(&authorized).unwrap();
    let back = Authorized::from_json(stored.as_bytes()).unwrap();
    assert_eq!(back, authorized);
    assert!(back.tokens().scope_assumed_comma_delimited());
    // A token set without the reading stores as before.
    let plain = scope_answered(&client(), "repo gist", "repo gist");
    assert!(!plain.tokens().scope_assumed_comma_delimited());
    assert!(!serde_json::to_string(&plain).unwrap().contains("comma"));
}

/// The reading is taken only when every piece is a requested scope and
/// two or more were requested: a comma is a legal scope character
/// (RFC 6749 §3.3), so anything else is kept as the one token it is.
#[test]
fn a_comma_answer_that_is_not_requested_scopes_stays_one_token() {
    for (requested, answer) in [
        ("repo gist", "repo,admin"),
        ("repo gist", "repo,,gist"),
        ("repo gist", ",repo,gist"),
        ("repo gist", "repo,gist,"),
        // One scope asked for: nothing to join.
        ("repo", "repo,gist"),
        // The whole token was asked for as such.
        ("repo gist repo,gist", "repo,gist"),
    ] {
        let authorized = scope_answered(&client(), requested, answer);
        let tokens = authorized.tokens();
        assert_eq!(
            tokens_of(tokens.scope()),
            [answer],
            "{requested} / {answer}"
        );
        assert!(
            !tokens.scope_assumed_comma_delimited(),
            "{requested} / {answer}"
        );
    }
    let single = scope_answered(&client(), "repo", "repo");
    assert_eq!(tokens_of(single.tokens().scope()), ["repo"]);
    assert!(!single.tokens().scope_assumed_comma_delimited());
    // With spaces, the answer is RFC 6749's list, commas and all.
    let spaced = scope_answered(&client(), "repo gist", "repo,gist repo");
    assert_eq!(tokens_of(spaced.tokens().scope()), ["repo,gist", "repo"]);
    assert!(!spaced.tokens().scope_assumed_comma_delimited());
}

/// The strict profile keeps RFC 6749 §3.3's reading: one token.
#[test]
fn strict_keeps_a_comma_answer_as_one_token() {
    let strict = client().with_strictness(Strictness::Strict);
    let authorized = scope_answered(&strict, "repo gist", "repo,gist");
    assert_eq!(tokens_of(authorized.tokens().scope()), ["repo,gist"]);
    assert!(!authorized.tokens().scope_assumed_comma_delimited());
}

/// A preset that splits commas on purpose (GitHub's) assumes nothing.
#[test]
fn a_configured_comma_split_is_not_an_assumption() {
    let github = client().with_scope_delimiter(ScopeDelimiter::Comma);
    let authorized = scope_answered(&github, "repo gist", "repo,gist");
    assert_eq!(tokens_of(authorized.tokens().scope()), ["repo", "gist"]);
    assert!(!authorized.tokens().scope_assumed_comma_delimited());
}

/// The same reading in the refresh and client credentials answers.
#[test]
fn comma_answers_of_refresh_and_client_credentials() {
    let client = client();
    let granted = scope_answered(&client, "repo gist", "repo gist");
    let body = r#"{"access_token":"b","token_type":"bearer","scope":"repo,gist"}"#;
    let refreshed = granted
        .refresh(&client)
        .unwrap()
        .handle_response(HttpResponse::new(200, body.as_bytes()), NOW)
        .unwrap();
    assert_eq!(tokens_of(refreshed.tokens().scope()), ["repo", "gist"]);
    assert!(refreshed.tokens().scope_assumed_comma_delimited());

    let machine = ClientCredentials::new(&client, Scope::parse("repo gist").unwrap())
        .unwrap()
        .handle_response(HttpResponse::new(200, body.as_bytes()), NOW)
        .unwrap();
    assert_eq!(tokens_of(machine.tokens().scope()), ["repo", "gist"]);
    assert!(machine.tokens().scope_assumed_comma_delimited());
}

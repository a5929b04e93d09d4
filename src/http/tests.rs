//! The request and response values' tests.

use super::*;
use alloc::format;

#[test]
fn debug_redacts_secrets() {
    let request = HttpRequest::form_post(
        Endpoint::parse("https://as.example/token").unwrap(),
        "code=SECRETCODE".into(),
        Some("Basic U0VDUkVU".into()),
    );
    let printed = format!("{request:?}");
    assert!(!printed.contains("SECRETCODE"), "{printed}");
    assert!(!printed.contains("U0VDUkVU"), "{printed}");
    assert!(printed.contains("application/x-www-form-urlencoded"));

    let get = HttpRequest::get_json(Endpoint::parse("https://as.example/a?state=S3CR3T").unwrap());
    let printed = format!("{get:?}");
    assert!(!printed.contains("S3CR3T"), "{printed}");
    assert!(
        printed.contains("https://as.example/a?[redacted]"),
        "{printed}"
    );
}

/// The one conversion keeps the method, the URI, every header in order
/// (the credential marked sensitive) and the body.
#[cfg(feature = "http")]
#[test]
fn into_http_keeps_everything() {
    let request = HttpRequest::form_post(
        Endpoint::parse("https://as.example/t?tenant=a%20b").unwrap(),
        "grant_type=x".into(),
        Some("Basic YTpi".into()),
    );
    let http = request.clone().into_http();
    assert_eq!(http.method(), http::Method::POST);
    assert_eq!(http.uri(), "https://as.example/t?tenant=a%20b");
    let headers: alloc::vec::Vec<_> = http
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str(), value.to_str().unwrap()))
        .collect();
    assert_eq!(headers, request.headers().collect::<alloc::vec::Vec<_>>());
    assert!(http.headers()["authorization"].is_sensitive());
    assert!(!http.headers()["accept"].is_sensitive());
    assert_eq!(http.body().as_bytes(), b"grant_type=x");
}

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

#[test]
fn retry_after_in_both_forms() {
    let response = HttpResponse::new(503, b"");
    assert_eq!(
        response.with_retry_after("120").retry_after(NOW),
        Some(Duration::from_secs(120))
    );
    // An HTTP-date: the time left until then; one in the past is now.
    assert_eq!(
        response
            .with_retry_after("Tue, 14 Nov 2023 22:15:20 GMT")
            .retry_after(NOW),
        Some(Duration::from_secs(120))
    );
    assert_eq!(
        response
            .with_retry_after("Fri, 31 Dec 1999 23:59:59 GMT")
            .retry_after(NOW),
        Some(Duration::ZERO)
    );
    assert_eq!(
        response
            .with_retry_after("tomorrow, maybe")
            .retry_after(NOW),
        None
    );
    assert_eq!(response.with_retry_after("-1").retry_after(NOW), None);
    // delta-seconds is `1*DIGIT`: no sign, though Rust's integer
    // parser would take one.
    assert_eq!(response.with_retry_after("+120").retry_after(NOW), None);
    assert_eq!(response.with_retry_after(" ").retry_after(NOW), None);
    assert_eq!(
        response.with_retry_after(" 7 ").retry_after(NOW),
        Some(Duration::from_secs(7))
    );
    assert_eq!(
        response
            .with_retry_after("99999999999999999999999")
            .retry_after(NOW),
        None
    );
}

#[test]
fn response_view_keeps_what_it_was_given() {
    let response = HttpResponse::new(401, b"body")
        .with_content_type("application/json")
        .with_www_authenticate("Bearer error=\"invalid_token\"")
        .with_retry_after("3");
    assert_eq!(response.status(), 401);
    assert_eq!(response.content_type(), Some("application/json"));
    assert_eq!(
        response.www_authenticate(),
        Some("Bearer error=\"invalid_token\"")
    );
    assert_eq!(response.retry_after(NOW), Some(Duration::from_secs(3)));
    assert_eq!(response.body(), b"body");
    let bare = HttpResponse::new(204, b"");
    assert_eq!(bare.content_type(), None);
    assert_eq!(bare.www_authenticate(), None);
    assert_eq!(bare.retry_after(NOW), None);
}

#[cfg(feature = "http")]
#[test]
fn response_view_of_an_http_response() {
    let response = http::Response::builder()
        .status(503)
        .header("content-type", "application/json")
        .header("retry-after", "9")
        .header("www-authenticate", "Bearer")
        .body(alloc::vec![1_u8, 2])
        .unwrap();
    let view = HttpResponse::from(&response);
    assert_eq!(view.status(), 503);
    assert_eq!(view.content_type(), Some("application/json"));
    assert_eq!(view.retry_after(NOW), Some(Duration::from_secs(9)));
    assert_eq!(view.www_authenticate(), Some("Bearer"));
    assert_eq!(view.body(), &[1, 2]);
    // A header value that is not visible ASCII is treated as absent.
    let opaque = http::Response::builder()
        .header(
            "content-type",
            http::HeaderValue::from_bytes(b"\xff").unwrap(),
        )
        .body(alloc::vec::Vec::<u8>::new())
        .unwrap();
    assert_eq!(HttpResponse::from(&opaque).content_type(), None);
}

#[test]
fn media_type_ignores_parameters_and_case() {
    let form = HttpResponse::new(200, b"")
        .with_content_type(" Application/X-WWW-Form-URLEncoded ; charset=UTF-8");
    assert!(form.is_form_encoded());
    let json = HttpResponse::new(200, b"").with_content_type("application/json");
    assert!(!json.is_form_encoded());
    assert!(!HttpResponse::new(200, b"").is_form_encoded());
}

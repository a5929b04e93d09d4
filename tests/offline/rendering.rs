//! One text form for an emitted request, shared by the snapshot suites:
//! method and URI, each header `name: value`, a blank line, the body as
//! UTF-8. The crate's own [`HttpRequest`] and its `http::Request` form
//! render alike, so a test can show that the conversion changes nothing.

use oauth2_pkce::values::HttpRequest;

/// The crate's request value, rendered.
pub fn render(request: &HttpRequest) -> String {
    let mut out = format!("{} {}\n", request.method().as_str(), request.uri());
    for (name, value) in request.headers() {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    out.push_str(std::str::from_utf8(request.body()).expect("bodies are UTF-8"));
    out
}

/// The same rendering of an `http::Request`.
pub fn render_http(request: &http::Request<oauth2_pkce::RequestBody>) -> String {
    let mut out = format!("{} {}\n", request.method(), request.uri());
    for (name, value) in request.headers() {
        let value = value.to_str().expect("header values are visible ASCII");
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    out.push_str(std::str::from_utf8(request.body().as_bytes()).expect("bodies are UTF-8"));
    out
}

/// The header and the claims of a compact JWS (a client assertion, a DPoP
/// proof), as JSON.
pub fn decode_jws(jws: &str) -> (serde_json::Value, serde_json::Value) {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let parts: Vec<&str> = jws.split('.').collect();
    assert_eq!(parts.len(), 3, "{jws}");
    let json = |part: &str| serde_json::from_slice(&Base64UrlUnpadded::decode_vec(part).unwrap());
    (json(parts[0]).unwrap(), json(parts[1]).unwrap())
}

//! One text form for an emitted request, shared by the snapshot suites:
//! method and URI, each header `name: value`, a blank line, the body as
//! UTF-8. The crate's own [`HttpRequest`] and its `http::Request` form
//! render alike, so a test can show that the conversion changes nothing.

use oauth2_pkce::HttpRequest;

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

//! Sends a request with a real HTTP client (ureq), never following
//! redirects, and hands back the whole response: the transport of every
//! test that talks to a server over loopback HTTP.

use ureq::http;

/// Sends `request` and returns the response with its body read, whatever
/// the status. Redirects are not followed (RFC 9700 §4.11). A body type
/// that guards its bytes (oauth2-pkce's `RequestBody`) gives them up only
/// here, in the send call.
pub fn send<B: Into<Vec<u8>>>(
    request: http::Request<B>,
) -> Result<http::Response<Vec<u8>>, ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let request = request.map(Into::into);
    let (parts, mut body) = agent.run(request)?.into_parts();
    let bytes = body.read_to_vec()?;
    Ok(http::Response::from_parts(parts, bytes))
}

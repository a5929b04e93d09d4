//! The pushed authorization response (RFC 9126 §2.2, §2.3).

use alloc::string::String;

use crate::error::EndpointErrorKind;
use crate::http::HttpResponse;
use crate::time::UnixTime;
use crate::wire::token::{success_members, take_string};

/// A successful pushed authorization response.
pub(crate) struct PushedAuthorizationResponse {
    /// The reference to the pushed request, for the authorization URL.
    pub(crate) request_uri: String,
    /// Its lifetime in seconds.
    pub(crate) expires_in: u64,
}

/// Interprets the PAR endpoint's answer: `201 Created` (any 2xx) with
/// `request_uri` and `expires_in`, both required (RFC 9126 §2.2); errors as
/// the token endpoint's (§2.3), with the same status handling.
pub(crate) fn parse_par_response(
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<PushedAuthorizationResponse, EndpointErrorKind> {
    let mut members = success_members(response, now)?;
    let request_uri = take_string(&mut members, "request_uri")?
        .filter(|uri| !uri.is_empty())
        .ok_or(EndpointErrorKind::MissingMember("request_uri"))?;
    // An absolute URI (RFC 9126 §2.2), sent back in a query: printable
    // ASCII without spaces.
    if !request_uri.contains(':') || !request_uri.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(EndpointErrorKind::InvalidMember("request_uri"));
    }
    let expires_in = members
        .take("expires_in")
        .ok_or(EndpointErrorKind::MissingMember("expires_in"))?
        .as_u64()
        .filter(|seconds| *seconds > 0)
        .ok_or(EndpointErrorKind::InvalidMember("expires_in"))?;
    Ok(PushedAuthorizationResponse {
        request_uri,
        expires_in,
    })
}

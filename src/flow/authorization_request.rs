//! The authorization request the browser is sent to (RFC 6749 §4.1.1),
//! whether its parameters travel in the URL or were pushed first.

use alloc::string::String;
use core::fmt;

use url::Url;

/// The authorization request (RFC 6749 §4.1.1): the URL to send the user's
/// browser to, with a `302` or a link.
#[must_use = "send the user's browser to this URL"]
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    url: Url,
}

impl AuthorizationRequest {
    pub(crate) fn new(url: Url) -> Self {
        Self { url }
    }

    /// The authorization URL, to send the browser to. It carries `state`
    /// (and, with `plain` PKCE, the verifier): put it in a `Location`
    /// header or a link, not in a log.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut endpoint = self.url.clone();
        endpoint.set_query(None);
        write!(
            f,
            "AuthorizationRequest({:?} with [redacted] query)",
            endpoint.as_str()
        )
    }
}

/// A copy of `endpoint` ready for parameters to be appended to its own
/// query (RFC 6749 §3.1) with `Url::query_pairs_mut`, whose form
/// serializer encodes byte for byte as ours: a trailing `&` is dropped so
/// none is doubled.
pub(crate) fn endpoint_for_parameters(endpoint: &Url) -> Url {
    let mut url = endpoint.clone();
    if let Some(trimmed) = url.query().and_then(|query| query.strip_suffix('&')) {
        let trimmed = String::from(trimmed.trim_end_matches('&'));
        url.set_query(Some(&trimmed));
    }
    url
}

//! [oauth2-pkce](oauth2_pkce)'s blocking [`Transport`] over
//! [ureq] 3: [`UreqTransport`], configured as the crate needs it.
//!
//! - No redirect is followed (RFC 9700 §4.11: a token request is a POST,
//!   and a redirect would take its credentials elsewhere): a `3xx` is
//!   handed to the step as it came.
//! - Every status is an answer, not an error: a `400` carries the OAuth
//!   error, a `503` its `Retry-After`, and the step reads them.
//! - The body is read up to a cap,
//!   [`MAX_RESPONSE_BODY_BYTES`]
//!   unless [`with_body_limit`](UreqTransport::with_body_limit) says
//!   otherwise; a longer one is an error ([`ureq::Error::BodyExceedsLimit`]).
//!
//! These hold for an agent of the app's own too
//! ([`UreqTransport::from_agent`]): they are set on each request, over the
//! agent's configuration (its TLS, proxy and timeouts stay).
//!
//! This crate's major version is ureq's.
//!
//! ```no_run
//! use oauth2_pkce::{Discovery, Driver};
//! use oauth2_pkce_ureq::UreqTransport;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let driver = Driver::new(UreqTransport::new())?;
//! let metadata = driver.run(Discovery::new("https://as.example.com")?)?;
//! # let _ = metadata; Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

use oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES;
use oauth2_pkce::{RequestBody, Transport};

/// A ureq [`Agent`](ureq::Agent) as a [`Transport`]: no redirect
/// followed, every status an answer, the body capped (see the
/// [crate] docs). Cloning is cheap: the agent is a handle to a
/// shared connection pool.
#[derive(Clone, Debug)]
pub struct UreqTransport {
    agent: ureq::Agent,
    body_limit: u64,
}

impl UreqTransport {
    /// A transport over a new agent with ureq's defaults (and its TLS, if
    /// a TLS feature of ureq is on).
    #[must_use]
    pub fn new() -> Self {
        Self::from_agent(ureq::Agent::new_with_defaults())
    }

    /// A transport over the app's own `agent`: its TLS, proxy and timeouts
    /// are kept; redirects and status errors are turned off for each
    /// request this transport sends, whatever the agent says.
    #[must_use]
    pub fn from_agent(agent: ureq::Agent) -> Self {
        Self {
            agent,
            body_limit: MAX_RESPONSE_BODY_BYTES as u64,
        }
    }

    /// Reads at most `bytes` of a response body (for an API that answers
    /// with more than the 256 KiB a token or metadata response may have).
    #[must_use]
    pub fn with_body_limit(mut self, bytes: u64) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The agent underneath.
    #[must_use]
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl Transport for UreqTransport {
    type Error = ureq::Error;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, ureq::Error> {
        let request = self
            .agent
            .configure_request(request.map(RequestBody::into_bytes))
            .http_status_as_error(false)
            .max_redirects(0)
            .build();
        let (parts, mut body) = self.agent.run(request)?.into_parts();
        let bytes = body.with_config().limit(self.body_limit).read_to_vec()?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

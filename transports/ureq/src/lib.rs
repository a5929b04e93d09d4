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
//!   otherwise; a longer one is an error
//!   ([`UreqError::Ureq`] of [`ureq::Error::BodyExceedsLimit`]).
//!
//! These hold for an agent of the app's own too
//! ([`UreqTransport::from_agent`]): they are set on each request, over the
//! agent's configuration (its TLS, proxy and timeouts stay).
//!
//! Mutual TLS (RFC 8705): a request the crate marks with
//! [`RequiresClientCertificate`] (a client that authenticates with
//! `tls_client_auth` or `self_signed_tls_client_auth`, or asked for
//! certificate-bound tokens) goes over the agent given to
//! [`with_client_certificate`](UreqTransport::with_client_certificate),
//! one built with the client's `ureq::tls::ClientCert`;
//! without one, such a request is refused
//! ([`UreqError::ClientCertificateRequired`]) rather than sent without the
//! certificate. Every other request goes over the plain agent.
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

use std::fmt;

use oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES;
use oauth2_pkce::values::RequiresClientCertificate;
use oauth2_pkce::{RequestBody, Transport};

/// A ureq [`Agent`](ureq::Agent) as a [`Transport`]: no redirect
/// followed, every status an answer, the body capped (see the
/// [crate] docs). Cloning is cheap: the agent is a handle to a
/// shared connection pool.
#[derive(Clone, Debug)]
pub struct UreqTransport {
    agent: ureq::Agent,
    body_limit: u64,
    /// The agent that presents the client certificate (RFC 8705).
    certificate_agent: Option<ureq::Agent>,
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
            certificate_agent: None,
        }
    }

    /// Sends the requests that must present the client's certificate
    /// (those carrying [`RequiresClientCertificate`], RFC 8705 §2, §3)
    /// over `agent`: one whose `ureq::tls::TlsConfig` has the client's
    /// `ureq::tls::ClientCert` (and the roots the server's certificate
    /// needs), through a TLS feature of the app's own dependency on ureq.
    /// The other requests keep the plain agent, so the certificate is
    /// shown only where the protocol asks for it. Redirects and status
    /// errors are turned off on this agent's requests too.
    ///
    /// ```no_run
    /// use ureq::tls::{Certificate, ClientCert, PrivateKey, TlsConfig};
    /// use oauth2_pkce_ureq::UreqTransport;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let certificate = Certificate::from_pem(&std::fs::read("client.pem")?)?;
    /// let key = PrivateKey::from_pem(&std::fs::read("client.key")?)?;
    /// let tls = TlsConfig::builder()
    ///     .client_cert(Some(ClientCert::new_with_certs(&[certificate], key)))
    ///     .build();
    /// let with_certificate: ureq::Agent =
    ///     ureq::Agent::config_builder().tls_config(tls).build().into();
    /// let transport = UreqTransport::new().with_client_certificate(with_certificate);
    /// # let _ = transport; Ok(()) }
    /// ```
    #[must_use]
    pub fn with_client_certificate(mut self, agent: ureq::Agent) -> Self {
        self.certificate_agent = Some(agent);
        self
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
    type Error = UreqError;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, UreqError> {
        let agent = if request
            .extensions()
            .get::<RequiresClientCertificate>()
            .is_some()
        {
            self.certificate_agent
                .as_ref()
                .ok_or(UreqError::ClientCertificateRequired)?
        } else {
            &self.agent
        };
        let request = agent
            .configure_request(request.map(RequestBody::into_bytes))
            .http_status_as_error(false)
            .max_redirects(0)
            .build();
        let (parts, mut body) = agent.run(request)?.into_parts();
        let bytes = body.with_config().limit(self.body_limit).read_to_vec()?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

/// Why [`UreqTransport`] has no response to give.
#[derive(Debug)]
#[non_exhaustive]
pub enum UreqError {
    /// ureq's: the connection, TLS, a timeout, or reading the body (a
    /// body over the cap is [`ureq::Error::BodyExceedsLimit`]).
    Ureq(ureq::Error),
    /// The request must present the client's certificate (RFC 8705:
    /// [`RequiresClientCertificate`]) and the transport has no agent for
    /// that ([`UreqTransport::with_client_certificate`]): it was not
    /// sent.
    ClientCertificateRequired,
}

impl UreqError {
    /// Whether the body was longer than the cap.
    #[must_use]
    pub fn is_body_too_large(&self) -> bool {
        matches!(self, Self::Ureq(ureq::Error::BodyExceedsLimit(_)))
    }
}

impl From<ureq::Error> for UreqError {
    fn from(error: ureq::Error) -> Self {
        Self::Ureq(error)
    }
}

impl fmt::Display for UreqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Transparent: ureq's message, its causes from `source`.
            Self::Ureq(error) => fmt::Display::fmt(error, f),
            Self::ClientCertificateRequired => f.write_str(
                "the request must present a client certificate (mutual TLS) and the transport has none",
            ),
        }
    }
}

impl std::error::Error for UreqError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Ureq(error) => error.source(),
            Self::ClientCertificateRequired => None,
        }
    }
}

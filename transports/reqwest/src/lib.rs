//! [oauth2-pkce](oauth2_pkce)'s async [`AsyncTransport`] over
//! [reqwest] 0.13: [`ReqwestTransport`], configured as the crate
//! needs it, sleeping with `tokio::time::sleep` between retries.
//!
//! - No redirect is followed (RFC 9700 §4.11: a token request is a POST,
//!   and a redirect would take its credentials elsewhere): a `3xx` is
//!   handed to the step as it came.
//! - Every status is an answer, not an error: a `400` carries the OAuth
//!   error, a `503` its `Retry-After`, and the step reads them.
//! - The body is read up to a cap,
//!   [`MAX_RESPONSE_BODY_BYTES`]
//!   unless [`with_body_limit`](ReqwestTransport::with_body_limit) says
//!   otherwise; a longer one is an error
//!   ([`ReqwestError::is_body_too_large`]).
//!
//! reqwest sets its redirect policy on the client, not per request: a
//! client of the app's own ([`ReqwestTransport::from_client`]) starts from
//! [`ReqwestTransport::client_builder`], which has redirects off, and adds
//! its TLS, proxy and timeouts.
//!
//! Mutual TLS (RFC 8705): a request the crate marks with
//! [`RequiresClientCertificate`] (a client that authenticates with
//! `tls_client_auth` or `self_signed_tls_client_auth`, or asked for
//! certificate-bound tokens) goes over the client given to
//! [`with_client_certificate`](ReqwestTransport::with_client_certificate),
//! one built with the client's `reqwest::Identity`; without one, such a
//! request is refused ([`ReqwestError::ClientCertificateRequired`]) rather
//! than sent without the certificate. Every other request goes over the
//! plain client.
//!
//! This crate's version line is reqwest's.
//!
//! ```no_run
//! use oauth2_pkce::{Discovery, Driver};
//! use oauth2_pkce_reqwest::ReqwestTransport;
//!
//! /// An app's state: the driver is a type it can name.
//! #[derive(Clone)]
//! struct AppState {
//!     oauth: Driver<ReqwestTransport>,
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let state = AppState { oauth: Driver::new(ReqwestTransport::new()?)? };
//! let metadata = state.oauth.run_async(Discovery::new("https://as.example.com")?).await?;
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
use std::future::Future;
use std::time::Duration;

use oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES;
use oauth2_pkce::values::RequiresClientCertificate;
use oauth2_pkce::{AsyncTransport, RequestBody};

/// A reqwest [`Client`](reqwest::Client) as an [`AsyncTransport`]: no
/// redirect followed, every status an answer, the body capped (see the
/// [crate] docs). Cloning is cheap: the client is a handle to a
/// shared connection pool.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    body_limit: usize,
    /// The client that presents the client certificate (RFC 8705).
    certificate_client: Option<reqwest::Client>,
}

impl ReqwestTransport {
    /// A transport over a new client: reqwest's defaults, redirects off.
    ///
    /// # Errors
    /// As [`reqwest::ClientBuilder::build`]: the TLS backend could not be
    /// set up.
    pub fn new() -> Result<Self, ReqwestError> {
        let client = Self::client_builder().build().map_err(ReqwestError::from)?;
        Ok(Self::from_client(client))
    }

    /// A client builder with redirects off, for the app to add its TLS,
    /// proxy and timeouts to before [`from_client`](Self::from_client).
    pub fn client_builder() -> reqwest::ClientBuilder {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none())
    }

    /// A transport over the app's own `client`, which must not follow
    /// redirects: build it from [`client_builder`](Self::client_builder)
    /// (or with `.redirect(reqwest::redirect::Policy::none())`).
    #[must_use]
    pub fn from_client(client: reqwest::Client) -> Self {
        Self {
            client,
            body_limit: MAX_RESPONSE_BODY_BYTES,
            certificate_client: None,
        }
    }

    /// Sends the requests that must present the client's certificate
    /// (those carrying [`RequiresClientCertificate`], RFC 8705) over
    /// `client`: one built from [`client_builder`](Self::client_builder)
    /// with the client's `reqwest::Identity` (and the TLS roots the
    /// server's certificate needs), through a TLS feature of the app's
    /// own dependency on reqwest. The other requests keep the plain
    /// client, so the certificate is shown only where the protocol asks
    /// for it.
    ///
    /// ```text
    /// let identity = reqwest::Identity::from_pem(&certificate_and_key_pem)?;
    /// let with_certificate = ReqwestTransport::client_builder().identity(identity).build()?;
    /// let transport = ReqwestTransport::new()?.with_client_certificate(with_certificate);
    /// ```
    #[must_use]
    pub fn with_client_certificate(mut self, client: reqwest::Client) -> Self {
        self.certificate_client = Some(client);
        self
    }

    /// Reads at most `bytes` of a response body (for an API that answers
    /// with more than the 256 KiB a token or metadata response may have).
    #[must_use]
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The client underneath.
    #[must_use]
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    async fn fetch(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, ReqwestError> {
        let client = if request
            .extensions()
            .get::<RequiresClientCertificate>()
            .is_some()
        {
            self.certificate_client
                .as_ref()
                .ok_or(ReqwestError::ClientCertificateRequired)?
        } else {
            &self.client
        };
        let request = reqwest::Request::try_from(request.map(RequestBody::into_bytes))?;
        let mut response = client.execute(request).await?;
        let too_large = ReqwestError::BodyTooLarge {
            limit: self.body_limit,
        };
        let announced = response.content_length().unwrap_or(0);
        if usize::try_from(announced).map_or(true, |length| length > self.body_limit) {
            return Err(too_large);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if chunk.len() > self.body_limit.saturating_sub(body.len()) {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        let mut answer = http::Response::new(body);
        *answer.status_mut() = response.status();
        *answer.version_mut() = response.version();
        *answer.headers_mut() = std::mem::take(response.headers_mut());
        Ok(answer)
    }
}

impl AsyncTransport for ReqwestTransport {
    type Error = ReqwestError;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, ReqwestError>> + Send {
        self.fetch(request)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

/// Why [`ReqwestTransport`] has no response to give.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReqwestError {
    /// reqwest's: the connection, TLS, a timeout, or reading the body.
    Reqwest(reqwest::Error),
    /// The body was longer than the transport reads
    /// ([`ReqwestTransport::with_body_limit`]).
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The request must present the client's certificate (RFC 8705:
    /// [`RequiresClientCertificate`]) and the transport has no client for
    /// that ([`ReqwestTransport::with_client_certificate`]): it was not
    /// sent.
    ClientCertificateRequired,
}

impl ReqwestError {
    /// Whether the body was longer than the cap.
    #[must_use]
    pub fn is_body_too_large(&self) -> bool {
        matches!(self, Self::BodyTooLarge { .. })
    }
}

impl From<reqwest::Error> for ReqwestError {
    fn from(error: reqwest::Error) -> Self {
        Self::Reqwest(error)
    }
}

impl fmt::Display for ReqwestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Transparent: reqwest's message, its causes from `source`.
            Self::Reqwest(error) => fmt::Display::fmt(error, f),
            Self::BodyTooLarge { limit } => {
                write!(f, "the response body is longer than {limit} bytes")
            }
            Self::ClientCertificateRequired => f.write_str(
                "the request must present a client certificate (mutual TLS) and the transport has none",
            ),
        }
    }
}

impl std::error::Error for ReqwestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Reqwest(error) => error.source(),
            Self::BodyTooLarge { .. } | Self::ClientCertificateRequired => None,
        }
    }
}

//! [oauth2-pkce](oauth2_pkce)'s async [`AsyncTransport`] over
//! [hyper] 1, through hyper-util's client on tokio:
//! [`HyperTransport`], sleeping with `tokio::time::sleep` between retries.
//!
//! - No redirect is followed (RFC 9700 §4.11: a token request is a POST,
//!   and a redirect would take its credentials elsewhere): hyper's client
//!   never follows one, so a `3xx` is handed to the step as it came.
//! - Every status is an answer, not an error: a `400` carries the OAuth
//!   error, a `503` its `Retry-After`, and the step reads them.
//! - The body is read up to a cap,
//!   [`MAX_RESPONSE_BODY_BYTES`]
//!   unless [`with_body_limit`](HyperTransport::with_body_limit) says
//!   otherwise; a longer one is an error ([`HyperError::is_body_too_large`]).
//!
//! [`HyperTransport::new`] speaks plain HTTP (loopback, tests); for https
//! give [`HyperTransport::from_client`] a client over a TLS connector
//! (`hyper-rustls`, `hyper-tls`).
//!
//! This crate's major version is hyper's.
//!
//! ```no_run
//! use oauth2_pkce::{Discovery, Driver};
//! use oauth2_pkce_hyper::HyperTransport;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let driver = Driver::new(HyperTransport::new())?;
//! let metadata = driver.run_async(Discovery::new("http://127.0.0.1:8080")?).await?;
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

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::client::legacy::Client;
use oauth2_pkce::limits::MAX_RESPONSE_BODY_BYTES;
use oauth2_pkce::{AsyncTransport, RequestBody};

/// A hyper-util [`Client`] as an [`AsyncTransport`]: no redirect followed,
/// every status an answer, the body capped (see the [crate] docs).
/// Cloning is cheap: the client is a handle to a shared connection pool.
#[derive(Clone, Debug)]
pub struct HyperTransport<C = HttpConnector> {
    client: Client<C, Full<Bytes>>,
    body_limit: usize,
}

impl HyperTransport {
    /// A transport over a new client on plain HTTP (TCP), on tokio.
    #[must_use]
    pub fn new() -> Self {
        Self::from_client(Client::builder(hyper_util::rt::TokioExecutor::new()).build_http())
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> HyperTransport<C> {
    /// A transport over the app's own `client`: its connector (TLS,
    /// proxy) and pool settings stay.
    #[must_use]
    pub fn from_client(client: Client<C, Full<Bytes>>) -> Self {
        Self {
            client,
            body_limit: MAX_RESPONSE_BODY_BYTES,
        }
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
    pub fn client(&self) -> &Client<C, Full<Bytes>> {
        &self.client
    }
}

impl<C: Connect + Clone + Send + Sync + 'static> HyperTransport<C> {
    async fn fetch(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, HyperError> {
        let request = request.map(|body| Full::new(Bytes::from(body.into_bytes())));
        let (parts, body) = self
            .client
            .request(request)
            .await
            .map_err(|error| HyperError::new(Kind::Request, error))?
            .into_parts();
        let bytes = Limited::new(body, self.body_limit)
            .collect()
            .await
            .map_err(|error| match error.downcast::<LengthLimitError>() {
                Ok(_) => HyperError {
                    kind: Kind::BodyTooLarge {
                        limit: self.body_limit,
                    },
                    source: None,
                },
                Err(error) => HyperError {
                    kind: Kind::Body,
                    source: Some(error),
                },
            })?
            .to_bytes();
        Ok(http::Response::from_parts(parts, bytes.to_vec()))
    }
}

impl<C: Connect + Clone + Send + Sync + 'static> AsyncTransport for HyperTransport<C> {
    type Error = HyperError;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, HyperError>> + Send {
        self.fetch(request)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

/// Why [`HyperTransport`] has no response to give: hyper's (or
/// hyper-util's) error, shown as it is, or a body over the cap.
#[derive(Debug)]
pub struct HyperError {
    kind: Kind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

#[derive(Debug)]
enum Kind {
    Request,
    Body,
    BodyTooLarge { limit: usize },
}

impl HyperError {
    fn new(kind: Kind, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            kind,
            source: Some(Box::new(source)),
        }
    }

    /// Whether the body was longer than the cap
    /// ([`HyperTransport::with_body_limit`]).
    #[must_use]
    pub fn is_body_too_large(&self) -> bool {
        matches!(self.kind, Kind::BodyTooLarge { .. })
    }
}

impl fmt::Display for HyperError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, &self.source) {
            // Transparent: hyper's message, its causes from `source`.
            (_, Some(source)) => fmt::Display::fmt(source, f),
            (Kind::BodyTooLarge { limit }, None) => {
                write!(f, "the response body is longer than {limit} bytes")
            }
            (Kind::Request | Kind::Body, None) => f.write_str("the HTTP exchange failed"),
        }
    }
}

impl std::error::Error for HyperError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref()?.source()
    }
}

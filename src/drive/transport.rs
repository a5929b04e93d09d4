//! What a [`Driver`](super::Driver) sends over: the app's HTTP client,
//! blocking ([`Transport`]) or async ([`AsyncTransport`]), and how it
//! sleeps between retries ([`Wait`], what an observer hears before each
//! wait).
//!
//! The adapter crates implement these for one client each, configured as
//! the crate needs (no redirect followed, every status an answer, the
//! body capped): `oauth2-pkce-ureq`, `oauth2-pkce-reqwest` and
//! `oauth2-pkce-hyper`, each versioned with its client. Any other client
//! takes a few lines: a type of the app's own, or a function through
//! [`from_fn`] / [`from_async_fn`].
//!
//! A transport must not follow redirects (RFC 9700 §4.11: a token request
//! is a POST, and a redirect would carry its credentials elsewhere) and
//! must hand every HTTP status back as a response: a 400 or a 503 is an
//! answer the step reads (an OAuth error, a `Retry-After`), not a failure
//! of the transport. Cap the body it reads
//! ([`MAX_RESPONSE_BODY_BYTES`](crate::limits::MAX_RESPONSE_BODY_BYTES)).

use alloc::vec::Vec;
use core::fmt;
use core::future::Future;
use core::time::Duration;

use crate::http::RequestBody;

pub use super::wait::{Wait, WaitReason};

/// A blocking HTTP client: sends one request and returns the response,
/// whatever its status, with the whole body read.
///
/// The response body is a `Vec<u8>`: a step reads all of it (within its
/// size cap) before it can answer, so a streaming body would buy nothing,
/// and one concrete type keeps the driver's methods free of a body
/// parameter.
///
/// ```
/// # use oauth2_pkce::*;
/// /// A transport over a client of the app's own.
/// struct MyClient;
///
/// impl Transport for MyClient {
///     type Error = std::io::Error;
///
///     fn send(
///         &self,
///         request: http::Request<RequestBody>,
///     ) -> Result<http::Response<Vec<u8>>, std::io::Error> {
///         // ...send `request.map(RequestBody::into_bytes)`, read the answer.
/// #       let _ = request;
///         Ok(http::Response::new(Vec::new()))
///     }
///     // `sleep` is `std::thread::sleep` unless said otherwise.
/// }
///
/// struct AppState {
///     oauth: Driver<MyClient>,
/// }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let state = AppState { oauth: Driver::new(MyClient)? };
/// # let _ = state.oauth; Ok(()) }
/// ```
pub trait Transport {
    /// Why a request could not be sent or its answer not read.
    type Error: core::error::Error + Send + Sync + 'static;

    /// Sends `request` and returns the response, every status included.
    /// Redirects are not followed: a `3xx` is returned as it is.
    ///
    /// # Errors
    /// When no response came (the connection failed, the body could not
    /// be read or was over the transport's cap).
    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, Self::Error>;

    /// Waits `duration` before a retry: [`std::thread::sleep`] unless the
    /// transport says otherwise (a test's virtual clock, say).
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// An async HTTP client: as [`Transport`], with futures. Sleeping is the
/// runtime's (`tokio::time::sleep`, say), so the transport says how.
///
/// Both futures are `Send`, so that a driver's futures are too: they run
/// under `tokio::spawn` and in axum handlers.
pub trait AsyncTransport {
    /// Why a request could not be sent or its answer not read.
    type Error: core::error::Error + Send + Sync + 'static;

    /// Sends `request` and returns the response, every status included,
    /// redirects not followed (as [`Transport::send`]).
    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, Self::Error>> + Send;

    /// Waits `duration` before a retry, on the app's runtime.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

impl<T: Transport + ?Sized> Transport for &T {
    type Error = T::Error;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, Self::Error> {
        (**self).send(request)
    }

    fn sleep(&self, duration: Duration) {
        (**self).sleep(duration);
    }
}

impl<T: AsyncTransport + Sync + ?Sized> AsyncTransport for &T {
    type Error = T::Error;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, Self::Error>> + Send {
        (**self).send(request)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        (**self).sleep(duration)
    }
}

/// A blocking transport made of a send function ([`from_fn`]), sleeping
/// with [`std::thread::sleep`] unless [`with_sleep`](Self::with_sleep)
/// says otherwise.
#[derive(Clone, Copy)]
pub struct FnTransport<F, Z = fn(Duration)> {
    send: F,
    sleep: Z,
}

/// A blocking transport of `send`: a function from the request to the
/// response, every status included, redirects not followed.
///
/// ```no_run
/// # use oauth2_pkce::*;
/// # fn run(exchanging: Exchanging) -> Result<(), Box<dyn std::error::Error>> {
/// let agent: ureq::Agent = ureq::Agent::config_builder()
///     .http_status_as_error(false) // every answer goes to the step
///     .max_redirects(0)            // never follow a redirect
///     .build()
///     .into();
/// let driver = Driver::new(transport::from_fn(move |request: http::Request<RequestBody>| {
///     let (parts, mut body) = agent.run(request.map(RequestBody::into_bytes))?.into_parts();
///     Ok::<_, ureq::Error>(http::Response::from_parts(parts, body.read_to_vec()?))
/// }))?;
/// let authorized = driver.run(exchanging)?;
/// # let _ = authorized; Ok(()) }
/// ```
pub fn from_fn<F, E>(send: F) -> FnTransport<F>
where
    F: Fn(http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, E>,
    E: core::error::Error + Send + Sync + 'static,
{
    FnTransport {
        send,
        sleep: std::thread::sleep,
    }
}

impl<F, Z> FnTransport<F, Z> {
    /// Sleeps with `sleep` instead.
    #[must_use]
    pub fn with_sleep<Y: Fn(Duration)>(self, sleep: Y) -> FnTransport<F, Y> {
        FnTransport {
            send: self.send,
            sleep,
        }
    }
}

impl<F, Z, E> Transport for FnTransport<F, Z>
where
    F: Fn(http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, E>,
    Z: Fn(Duration),
    E: core::error::Error + Send + Sync + 'static,
{
    type Error = E;

    fn send(&self, request: http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, E> {
        (self.send)(request)
    }

    fn sleep(&self, duration: Duration) {
        (self.sleep)(duration);
    }
}

impl<F, Z> fmt::Debug for FnTransport<F, Z> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTransport").finish_non_exhaustive()
    }
}

/// An async transport made of two functions returning futures
/// ([`from_async_fn`]).
#[derive(Clone, Copy)]
pub struct AsyncFnTransport<F, Z> {
    send: F,
    sleep: Z,
}

/// An async transport of `send` and `sleep`: functions returning `Send`
/// futures that own what they use (clone the client into the future;
/// most clients are a handle over an `Arc`).
///
/// ```no_run
/// # use oauth2_pkce::*;
/// # async fn send(_: http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, std::io::Error> { Ok(http::Response::new(Vec::new())) }
/// # async fn sleep(_: core::time::Duration) {}
/// # async fn run(exchanging: Exchanging) -> Result<(), Box<dyn std::error::Error>> {
/// let driver = Driver::new(transport::from_async_fn(send, sleep))?; // sleep: tokio::time::sleep
/// let authorized = driver.run_async(exchanging).await?;
/// # let _ = authorized; Ok(()) }
/// ```
pub fn from_async_fn<F, Z, Sending, Sleeping, E>(send: F, sleep: Z) -> AsyncFnTransport<F, Z>
where
    F: Fn(http::Request<RequestBody>) -> Sending,
    Sending: Future<Output = Result<http::Response<Vec<u8>>, E>> + Send,
    Z: Fn(Duration) -> Sleeping,
    Sleeping: Future<Output = ()> + Send,
    E: core::error::Error + Send + Sync + 'static,
{
    AsyncFnTransport { send, sleep }
}

impl<F, Z, Sending, Sleeping, E> AsyncTransport for AsyncFnTransport<F, Z>
where
    F: Fn(http::Request<RequestBody>) -> Sending,
    Sending: Future<Output = Result<http::Response<Vec<u8>>, E>> + Send,
    Z: Fn(Duration) -> Sleeping,
    Sleeping: Future<Output = ()> + Send,
    E: core::error::Error + Send + Sync + 'static,
{
    type Error = E;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, E>> + Send {
        (self.send)(request)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        (self.sleep)(duration)
    }
}

impl<F, Z> fmt::Debug for AsyncFnTransport<F, Z> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFnTransport").finish_non_exhaustive()
    }
}

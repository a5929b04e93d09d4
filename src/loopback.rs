//! The redirect of a native app's login on the loopback interface
//! (RFC 8252 §7.3, §8.3): a one-shot HTTP listener on `127.0.0.1` (or
//! `[::1]`) and a free port, which takes exactly one callback and answers
//! it with a page telling the user to return to the app.
//!
//! Plain `std`: no HTTP server is a dependency. What reaches the port
//! before the callback — a favicon request, a scanner, a hostile local
//! process — gets a short answer or is dropped, and never stalls the
//! login past its deadline.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::future::Future;
use core::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use core::task::{Poll, Waker};
use core::time::Duration;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use crate::config::RedirectUri;
use crate::error::CallbackError;
use crate::limits::MAX_CALLBACK_BYTES;
use crate::wire::callback::Callback;

/// How long one connection may take to send its request: a client that
/// trickles its bytes is dropped after this, and the listener goes on.
const PER_CONNECTION: Duration = Duration::from_secs(2);

/// The most a request line and its headers may take (the callback's cap,
/// plus room for the headers a browser sends).
const MAX_REQUEST_BYTES: usize = MAX_CALLBACK_BYTES + 8 * 1024;

/// The page the browser shows after the callback: no secret, not cached,
/// no referrer sent on.
const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Signed in</title>\
<p>You can close this window and return to the application.</p>";

/// A loopback listener waiting for the one callback of a native app's
/// login.
///
/// ```no_run
/// # use oauth2_pkce::*;
/// # fn run(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
/// let listener = LoopbackRedirect::bind("/callback")?;
/// let (authorization, pending) = Start::new(client)
///     .redirect_uri(listener.redirect_uri().clone())
///     .begin(FlowEntropy::from_os_rng()?, UnixTime::now())?;
/// // open `authorization.url()` in the user's browser, then:
/// let callback = listener.wait(std::time::Duration::from_secs(300))?;
/// let exchanging = pending.handle_callback(client, callback)?;
/// # let _ = (authorization, exchanging); Ok(()) }
/// ```
#[derive(Debug)]
pub struct LoopbackRedirect {
    listener: TcpListener,
    redirect_uri: RedirectUri,
    path: String,
    form_post: bool,
}

/// Why no callback came back to the loopback listener.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoopbackError {
    /// The listener could not be bound or accept connections.
    Io(io::Error),
    /// No callback arrived before the deadline: the user did not finish
    /// the login. Start a new one.
    TimedOut,
    /// The callback arrived but is not a valid authorization response.
    Callback(CallbackError),
}

impl fmt::Display for LoopbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(error) => write!(f, "the loopback listener failed: {error}"),
            Self::TimedOut => f.write_str("no login callback arrived before the deadline"),
            Self::Callback(error) => write!(f, "the login callback is invalid: {error}"),
        }
    }
}

impl core::error::Error for LoopbackError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Io(error) => Some(error),
            Self::TimedOut => None,
            Self::Callback(error) => Some(error),
        }
    }
}

impl From<io::Error> for LoopbackError {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

/// What one connection brought.
enum Request {
    /// The callback, parsed.
    Callback(Result<Callback, CallbackError>),
    /// Anything else: answered, and the listener keeps waiting.
    Other,
}

/// The outcome of a wait on its own thread, and who to wake with it.
#[derive(Default)]
struct Waiting {
    outcome: Option<Result<Callback, LoopbackError>>,
    waker: Option<Waker>,
}

impl LoopbackRedirect {
    /// Listens on `127.0.0.1` and a free port — never on every interface —
    /// for a callback to `path` (`/callback`). RFC 8252 §8.3 recommends
    /// the IP literal over `localhost`, and so does the redirect URI.
    ///
    /// # Errors
    /// The socket could not be bound.
    pub fn bind(path: &str) -> io::Result<Self> {
        Self::bind_to(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), path)
    }

    /// The same on a fixed port, for a provider that registers redirect
    /// URIs with their port and will not take any other (RFC 8252 §7.3 asks
    /// servers to allow any port; not all do).
    ///
    /// # Errors
    /// The socket could not be bound (the port is taken).
    pub fn bind_port(port: u16, path: &str) -> io::Result<Self> {
        Self::bind_to(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), path)
    }

    /// The same on `[::1]`.
    ///
    /// # Errors
    /// The socket could not be bound (no IPv6 loopback).
    pub fn bind_ipv6(path: &str) -> io::Result<Self> {
        Self::bind_to(SocketAddr::from((Ipv6Addr::LOCALHOST, 0)), path)
    }

    fn bind_to(address: SocketAddr, path: &str) -> io::Result<Self> {
        let path = if path.starts_with('/') {
            String::from(path)
        } else {
            alloc::format!("/{path}")
        };
        let listener = TcpListener::bind(address)?;
        let local = listener.local_addr()?;
        let uri = alloc::format!("http://{local}{path}");
        let redirect_uri = RedirectUri::new(uri)
            .map_err(|problem| io::Error::new(io::ErrorKind::InvalidInput, problem))?;
        listener.set_nonblocking(true)?;
        Ok(Self {
            listener,
            redirect_uri,
            path,
            form_post: false,
        })
    }

    /// Takes the callback as a `response_mode=form_post` `POST` instead of
    /// a `GET` with a query.
    #[must_use]
    pub fn form_post(mut self) -> Self {
        self.form_post = true;
        self
    }

    /// The redirect URI to give the flow ([`Start::redirect_uri`](crate::Start::redirect_uri)).
    #[must_use]
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uri
    }

    /// [`wait`](Self::wait) for an async application, on any runtime: a
    /// thread of its own waits, so the executor is never blocked, and the
    /// future completes when it is done. Dropping the future does not stop
    /// the wait before `timeout`.
    ///
    /// # Errors
    /// As [`wait`](Self::wait); [`LoopbackError::Io`] also when no thread
    /// could be started.
    pub fn wait_async(
        self,
        timeout: Duration,
    ) -> impl Future<Output = Result<Callback, LoopbackError>> + Send + 'static {
        let shared = Arc::new(Mutex::new(Waiting::default()));
        let waiting = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("oauth2-loopback".into())
            .spawn(move || {
                let outcome = self.wait(timeout);
                let mut waiting = waiting.lock().unwrap_or_else(PoisonError::into_inner);
                waiting.outcome = Some(outcome);
                if let Some(waker) = waiting.waker.take() {
                    waker.wake();
                }
            });
        if let Err(error) = spawned {
            shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .outcome = Some(Err(LoopbackError::Io(error)));
        }
        core::future::poll_fn(move |context| {
            let mut waiting = shared.lock().unwrap_or_else(PoisonError::into_inner);
            match waiting.outcome.take() {
                Some(outcome) => Poll::Ready(outcome),
                None => {
                    waiting.waker = Some(context.waker().clone());
                    Poll::Pending
                }
            }
        })
    }

    /// Waits at most `timeout` for the callback, answers it with a page
    /// that tells the user to return to the application, and stops
    /// listening. Other paths get 404, other methods 405, and a connection
    /// that sends nothing usable within two seconds is dropped; none of
    /// them ends the wait.
    ///
    /// # Errors
    /// [`LoopbackError::TimedOut`] when no callback came in time;
    /// [`LoopbackError::Callback`] when it came but is malformed (it was
    /// answered with 400); [`LoopbackError::Io`] when the listener failed.
    pub fn wait(self, timeout: Duration) -> Result<Callback, LoopbackError> {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            let now = Instant::now();
            if deadline.is_some_and(|deadline| now >= deadline) {
                return Err(LoopbackError::TimedOut);
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    let until = deadline.map_or(PER_CONNECTION, |deadline| {
                        deadline.saturating_duration_since(now).min(PER_CONNECTION)
                    });
                    if let Some(Request::Callback(callback)) = self.serve(stream, until) {
                        return callback.map_err(LoopbackError::Callback);
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(LoopbackError::Io(error)),
            }
        }
    }

    /// Reads one request within `within` and answers it; `None` when the
    /// connection failed or was too slow (it is dropped).
    fn serve(&self, mut stream: TcpStream, within: Duration) -> Option<Request> {
        stream.set_nonblocking(false).ok()?;
        stream
            .set_read_timeout(Some(within.max(Duration::from_millis(1))))
            .ok()?;
        stream.set_write_timeout(Some(PER_CONNECTION)).ok()?;
        let started = Instant::now();
        let raw = read_request(&mut stream, started, within)?;
        let (status, request) = self.interpret(&raw);
        let body = match status {
            200 => DONE_PAGE,
            400 => "The sign-in response was not valid. Start again from the application.",
            404 => "Not found.",
            _ => "Method not allowed.",
        };
        let reason = match status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            _ => "Method Not Allowed",
        };
        let content_type = if status == 200 {
            "text/html; charset=utf-8"
        } else {
            "text/plain; charset=utf-8"
        };
        let allow = if status == 405 {
            if self.form_post {
                "Allow: POST\r\n"
            } else {
                "Allow: GET\r\n"
            }
        } else {
            ""
        };
        let head = alloc::format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n{allow}Connection: close\r\n\r\n",
            body.len()
        );
        // The answer is best effort: the callback counts once it was read.
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body.as_bytes());
        let _ = stream.flush();
        Some(request)
    }

    /// The status to answer `raw` with, and what it was.
    fn interpret(&self, raw: &RawRequest) -> (u16, Request) {
        let (target, query) = raw
            .target
            .split_once('?')
            .unwrap_or((raw.target.as_str(), ""));
        if target != self.path {
            return (404, Request::Other);
        }
        let callback = match (raw.method.as_str(), self.form_post) {
            ("GET", false) => Callback::from_query(query),
            ("POST", true) if raw.is_form => Callback::from_form_body(&raw.body),
            _ => return (405, Request::Other),
        };
        let status = if callback.is_ok() { 200 } else { 400 };
        (status, Request::Callback(callback))
    }
}

/// A request as read off the socket.
struct RawRequest {
    method: String,
    target: String,
    is_form: bool,
    body: Vec<u8>,
}

/// Reads a request line, its headers and (for a `POST`) its body, within
/// `within` of `started` and [`MAX_REQUEST_BYTES`]; `None` for anything
/// else.
fn read_request(stream: &mut TcpStream, started: Instant, within: Duration) -> Option<RawRequest> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0_u8; 1024];
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_REQUEST_BYTES || started.elapsed() > within {
            return None;
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(chunk.get(..read)?);
    };
    let (mut request, length) = parse_head(buffer.get(..head_end)?)?;
    let mut body = buffer.get(head_end.checked_add(4)?..)?.to_vec();
    while body.len() < length {
        if started.elapsed() > within {
            return None;
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(chunk.get(..read)?);
    }
    body.truncate(length);
    request.body = body;
    Some(request)
}

/// The request line and headers (without the blank line): the request
/// without its body, and the body's length. `None` for anything that is
/// not an HTTP/1.x request, or announces a body over the callback's cap.
fn parse_head(head: &[u8]) -> Option<(RawRequest, usize)> {
    let head = core::str::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = String::from(request_line.next()?);
    let target = String::from(request_line.next()?);
    if !request_line.next()?.starts_with("HTTP/1.") || request_line.next().is_some() {
        return None;
    }
    let mut is_form = false;
    let mut length: usize = 0;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case("content-type") {
            is_form = crate::http::is_form_media_type(value);
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        }
    }
    if length > MAX_CALLBACK_BYTES {
        return None;
    }
    let request = RawRequest {
        method,
        target,
        is_form,
        body: Vec::new(),
    };
    Some((request, length))
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn heads() {
        let (request, length) = parse_head(b"GET /cb?code=c HTTP/1.1\r\nHost: x").unwrap();
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("GET", "/cb?code=c")
        );
        assert_eq!(length, 0);
        let (request, length) = parse_head(
            b"POST /cb HTTP/1.0\r\ncontent-type: application/x-www-form-urlencoded\r\nContent-Length: 12",
        )
        .unwrap();
        assert!(request.is_form);
        assert_eq!(length, 12);
        for bad in [
            &b""[..],
            b"GET /cb",
            b"GET /cb HTTP/2",
            b"GET /cb HTTP/1.1 extra",
            b"GET /cb HTTP/1.1\r\nno colon",
            b"POST /cb HTTP/1.1\r\nContent-Length: -1",
            b"POST /cb HTTP/1.1\r\nContent-Length: 99999999",
            b"\xff\xfe HTTP/1.1",
        ] {
            assert!(parse_head(bad).is_none(), "{bad:?}");
        }
    }

    proptest! {
        /// Whatever a local client sends, the head parser answers without
        /// a panic, and never announces a body over the cap.
        #[test]
        fn any_head_is_parsed_or_refused(head in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Some((_, length)) = parse_head(&head) {
                prop_assert!(length <= MAX_CALLBACK_BYTES);
            }
        }

        #[test]
        fn any_printable_head_is_parsed_or_refused(head in "[ -~\r\n]{0,300}") {
            let _ = parse_head(head.as_bytes());
        }
    }
}

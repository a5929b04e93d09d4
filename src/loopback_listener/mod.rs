//! The redirect of a native app's login on the loopback interface
//! (RFC 8252 §7.3, §8.3): a one-shot HTTP listener on `127.0.0.1` (or
//! `[::1]`) and a free port, which takes exactly one callback and hands
//! it to the app with the browser's connection, so that the page the user
//! sees says what the app found: signed in, refused, failed.
//!
//! Plain `std`: no HTTP server is a dependency. What reaches the port
//! before the callback — a favicon request, a scanner, a hostile local
//! process — gets a short answer or is dropped, and never stalls the
//! login past its deadline.

mod reply;
mod request;

pub use reply::{LoopbackOutcome, LoopbackResponder};

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use core::task::{Poll, Waker};
use core::time::Duration;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use crate::endpoint::RedirectUri;
use crate::error::CallbackError;
use crate::error::InvalidValue;
use crate::wire::callback::Callback;

use reply::write_response;
use request::{read_request, RawRequest};

/// How long one connection may take to send its request: a client that
/// trickles its bytes is dropped after this, and the listener goes on.
const PER_CONNECTION: Duration = Duration::from_secs(2);

/// How long the browser waits for the app's page by default.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

/// A loopback listener waiting for the one callback of a native app's
/// login.
///
/// [`wait`](Self::wait) hands back the callback and a
/// [`LoopbackResponder`] holding the browser's connection: check the
/// callback, exchange the code, then tell the browser how it went.
///
/// ```no_run
/// # use oauth2_pkce::*;
/// use oauth2_pkce::loopback::{LoopbackOutcome, LoopbackRedirect};
/// # fn run(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
/// let listener = LoopbackRedirect::bind("/callback")?;
/// let (authorization, pending) = Start::new(client)
///     .redirect_uri(listener.redirect_uri().clone())
///     .begin(FlowEntropy::from_os_rng()?, UnixTime::now())?;
/// // open `authorization.url()` in the user's browser, then:
/// let (callback, browser) = listener.wait(std::time::Duration::from_secs(300))?;
/// let exchanging = match pending.handle_callback(client, callback) {
///     Ok(exchanging) => exchanging,
///     Err(error) => {
///         browser.respond(LoopbackOutcome::of_callback_error(&error));
///         return Err(error.into());
///     }
/// };
/// // send `exchanging`'s request; once the tokens are in hand:
/// browser.respond(LoopbackOutcome::SignedIn);
/// # let _ = (authorization, exchanging); Ok(()) }
/// ```
#[derive(Debug)]
pub struct LoopbackRedirect {
    listener: TcpListener,
    redirect_uri: RedirectUri,
    path: String,
    form_post: bool,
    answer_within: Duration,
}

/// Why no callback came back to the loopback listener, or no listener
/// could be set up.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoopbackError {
    /// The listener could not be bound or accept connections.
    Io(io::Error),
    /// No callback arrived before the deadline: the user did not finish
    /// the login. Start a new one.
    TimedOut,
    /// The callback arrived but is not a valid authorization response (the
    /// browser was answered with 400).
    Callback(CallbackError),
    /// The redirect URI given to
    /// [`bind_uri`](LoopbackRedirect::bind_uri) fails the crate's redirect
    /// URI checks ([`RedirectUri::new`]): use `http://` on a loopback IP
    /// literal, `http://127.0.0.1:{port}/{path}`.
    RedirectUri(InvalidValue),
    /// The redirect URI given to [`bind_uri`](LoopbackRedirect::bind_uri)
    /// is valid, but not one a loopback listener can serve: not `http://`
    /// on a loopback IP literal (`127.0.0.1`, `[::1]`) with an optional
    /// port and a path, or it has a query.
    NotLoopbackUri,
}

impl fmt::Display for LoopbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(error) => write!(f, "the loopback listener failed: {error}"),
            Self::TimedOut => f.write_str("no login callback arrived before the deadline"),
            Self::Callback(error) => write!(f, "the login callback is invalid: {error}"),
            Self::RedirectUri(problem) => {
                write!(f, "the loopback redirect URI is refused: {problem}")
            }
            Self::NotLoopbackUri => f.write_str(
                "the loopback redirect URI must be http:// on a loopback IP literal \
                 (127.0.0.1 or [::1]), with an optional port and a path, and no query",
            ),
        }
    }
}

impl core::error::Error for LoopbackError {
    /// `Display` prints the inner error's message, so `source()` skips it:
    /// an I/O error's own cause comes next, and nothing else.
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Io(error) => error.source(),
            Self::Callback(_) | Self::TimedOut | Self::RedirectUri(_) | Self::NotLoopbackUri => {
                None
            }
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
    /// The callback, parsed, with the connection to answer it on.
    Callback(Callback, TcpStream),
    /// A callback that failed to parse (answered with 400).
    Invalid(CallbackError),
    /// Anything else: answered, and the listener keeps waiting.
    Other,
}

/// What the wait does after `accept` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcceptError {
    /// No connection is pending: wait a little and look again.
    NothingYet,
    /// A signal, or a connection that failed before it was accepted:
    /// look again at once.
    TryAgain,
    /// The listener itself failed: the wait ends with the error.
    ListenerFailed,
}

/// How the wait takes an `accept` error of `kind`. A connection a client
/// reset or abandoned before it was accepted, and the network errors
/// Linux passes on from a pending connection, are that connection's, not
/// the listener's: accept(2) says to "treat them like EAGAIN by
/// retrying", and a local process cannot end the login with them.
fn after_accept_error(kind: io::ErrorKind) -> AcceptError {
    use io::ErrorKind::*;
    match kind {
        WouldBlock => AcceptError::NothingYet,
        Interrupted | ConnectionAborted | ConnectionReset | NetworkDown | NetworkUnreachable
        | HostUnreachable => AcceptError::TryAgain,
        _ => AcceptError::ListenerFailed,
    }
}

/// What a wait hands back: the callback and the browser waiting for its
/// page.
type Received = (Callback, LoopbackResponder);

/// The outcome of a wait on its own thread, and who to wake with it.
#[derive(Default)]
struct Waiting {
    outcome: Option<Result<Received, LoopbackError>>,
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

    /// Listens for the redirect URI registered with the provider, given
    /// whole: `http://127.0.0.1:8400/oauth/cb` binds port 8400 and takes
    /// the callback on `/oauth/cb`, and its redirect URI is that string,
    /// byte for byte. Without a port (`http://127.0.0.1/oauth/cb`) or with
    /// port 0 it binds a free one, and the redirect URI names it
    /// (`http://127.0.0.1:53124/oauth/cb`) — register the port-less form
    /// with a provider that allows any port (RFC 8252 §7.3). `[::1]`
    /// binds the IPv6 loopback; without a path the callback comes to `/`.
    ///
    /// # Errors
    /// [`LoopbackError::RedirectUri`] when the URI fails [`RedirectUri::new`]
    /// (`localhost`, a host that is not loopback, a fragment, userinfo);
    /// [`LoopbackError::NotLoopbackUri`] when it is valid but not `http://`
    /// on a loopback IP literal, or has a query; [`LoopbackError::Io`] when
    /// the socket could not be bound.
    pub fn bind_uri(uri: &str) -> Result<Self, LoopbackError> {
        RedirectUri::new(uri).map_err(LoopbackError::RedirectUri)?;
        let parts = LoopbackUri::parse(uri).ok_or(LoopbackError::NotLoopbackUri)?;
        let address = SocketAddr::new(parts.ip, parts.port);
        let path = if parts.path.is_empty() {
            "/"
        } else {
            parts.path
        };
        Ok(Self::listen(address, path, |local| {
            if parts.port == 0 {
                alloc::format!(
                    "{}{}:{}{}",
                    parts.scheme,
                    parts.host,
                    local.port(),
                    parts.path
                )
            } else {
                String::from(uri)
            }
        })?)
    }

    fn bind_to(address: SocketAddr, path: &str) -> io::Result<Self> {
        let path = if path.starts_with('/') {
            String::from(path)
        } else {
            alloc::format!("/{path}")
        };
        Self::listen(address, &path, |local| {
            alloc::format!("http://{local}{path}")
        })
    }

    /// Binds `address`, takes callbacks to `path`, and gives the flow the
    /// redirect URI `uri` makes of the bound address.
    fn listen(
        address: SocketAddr,
        path: &str,
        uri: impl FnOnce(SocketAddr) -> String,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(address)?;
        let redirect_uri = RedirectUri::new(uri(listener.local_addr()?))
            .map_err(|problem| io::Error::new(io::ErrorKind::InvalidInput, problem))?;
        listener.set_nonblocking(true)?;
        Ok(Self {
            listener,
            redirect_uri,
            path: String::from(path),
            form_post: false,
            answer_within: ANSWER_WITHIN,
        })
    }

    /// Takes the callback as a `response_mode=form_post` `POST` instead of
    /// a `GET` with a query.
    #[must_use]
    pub fn form_post(mut self) -> Self {
        self.form_post = true;
        self
    }

    /// How long the browser waits for the app's page after the callback
    /// (30 seconds unless set): when the [`LoopbackResponder`] has not
    /// answered by then, the browser gets the neutral page and the app's
    /// answer is not sent. Long enough for the code exchange.
    #[must_use]
    pub fn answer_within(mut self, within: Duration) -> Self {
        self.answer_within = within;
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
    ) -> impl Future<Output = Result<(Callback, LoopbackResponder), LoopbackError>> + Send + 'static
    {
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

    /// Waits at most `timeout` for the callback and stops listening; hands
    /// back the callback and the browser's connection, held open for the
    /// page the app chooses once it has checked the callback
    /// ([`LoopbackResponder`]; at most
    /// [`answer_within`](Self::answer_within), then a neutral page). Other
    /// paths get 404, other methods 405, and a connection that sends
    /// nothing usable within two seconds is dropped; none of them ends the
    /// wait.
    ///
    /// # Errors
    /// [`LoopbackError::TimedOut`] when no callback came in time;
    /// [`LoopbackError::Callback`] when it came but is malformed (it was
    /// answered with 400); [`LoopbackError::Io`] when the listener failed.
    pub fn wait(self, timeout: Duration) -> Result<(Callback, LoopbackResponder), LoopbackError> {
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
                    match self.serve(stream, until) {
                        Some(Request::Callback(callback, stream)) => {
                            let browser = LoopbackResponder::hold(stream, self.answer_within);
                            return Ok((callback, browser));
                        }
                        Some(Request::Invalid(error)) => {
                            return Err(LoopbackError::Callback(error))
                        }
                        Some(Request::Other) | None => {}
                    }
                }
                Err(error) => match after_accept_error(error.kind()) {
                    AcceptError::NothingYet => std::thread::sleep(Duration::from_millis(10)),
                    AcceptError::TryAgain => {}
                    AcceptError::ListenerFailed => return Err(LoopbackError::Io(error)),
                },
            }
        }
    }

    /// Reads one request within `within`; answers all but a valid
    /// callback, whose connection comes back with it. `None` when the
    /// connection failed or was too slow (it is dropped).
    fn serve(&self, mut stream: TcpStream, within: Duration) -> Option<Request> {
        stream.set_nonblocking(false).ok()?;
        stream
            .set_read_timeout(Some(within.max(Duration::from_millis(1))))
            .ok()?;
        stream.set_write_timeout(Some(PER_CONNECTION)).ok()?;
        let started = Instant::now();
        let raw = read_request(&mut stream, started, within)?;
        let (status, body) = match self.interpret(&raw) {
            Ok(Ok(callback)) => return Some(Request::Callback(callback, stream)),
            Ok(Err(error)) => {
                let body = "The sign-in response was not valid. Start again from the application.";
                write_response(&mut stream, 400, "text/plain; charset=utf-8", body, "");
                return Some(Request::Invalid(error));
            }
            Err(404) => (404, "Not found."),
            Err(_) => (405, "Method not allowed."),
        };
        let allow = match (status, self.form_post) {
            (405, true) => "Allow: POST\r\n",
            (405, false) => "Allow: GET\r\n",
            _ => "",
        };
        write_response(
            &mut stream,
            status,
            "text/plain; charset=utf-8",
            body,
            allow,
        );
        Some(Request::Other)
    }

    /// The callback `raw` brought, parsed; or, when it is not one, the
    /// status to answer it with.
    fn interpret(&self, raw: &RawRequest) -> Result<Result<Callback, CallbackError>, u16> {
        let (target, query) = raw
            .target
            .split_once('?')
            .unwrap_or((raw.target.as_str(), ""));
        if target != self.path {
            return Err(404);
        }
        let callback = match (raw.method.as_str(), self.form_post) {
            ("GET", false) => Callback::from_query(query),
            ("POST", true) if raw.is_form => Callback::from_form_body(&raw.body),
            _ => return Err(405),
        };
        Ok(callback)
    }
}

/// A loopback redirect URI taken apart, as the caller wrote it.
struct LoopbackUri<'a> {
    /// `http://`, in the caller's case.
    scheme: &'a str,
    /// The host as written (`127.0.0.1`, `[::1]`).
    host: &'a str,
    ip: IpAddr,
    /// 0 when absent.
    port: u16,
    /// Empty, or from the first `/` on.
    path: &'a str,
}

impl<'a> LoopbackUri<'a> {
    /// `http://` + a loopback IP literal + an optional port + a path,
    /// without a query or fragment; `None` for anything else.
    fn parse(uri: &'a str) -> Option<Self> {
        let scheme = uri
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))?;
        let rest = uri.get(7..)?;
        if rest.contains(['?', '#']) {
            return None;
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (inner, after) = v6.split_once(']')?;
                let host = authority.get(..inner.len().checked_add(2)?)?;
                (host, after.strip_prefix(':'))
            }
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let bare = host
            .strip_prefix('[')
            .and_then(|host| host.strip_suffix(']'));
        let ip: IpAddr = bare.unwrap_or(host).parse().ok()?;
        let port = match port {
            None | Some("") => 0,
            Some(port) => port.parse().ok()?,
        };
        ip.is_loopback().then_some(Self {
            scheme,
            host,
            ip,
            port,
            path,
        })
    }
}

#[cfg(test)]
mod tests;

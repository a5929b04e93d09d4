//! The listener over real loopback sockets, and its pieces.

use super::*;
use alloc::string::ToString;
use alloc::vec::Vec;
use std::io::{Read, Write};
use std::thread::JoinHandle;

const WAIT: Duration = Duration::from_secs(10);

/// Sends each request to `redirect` on a connection of its own, from
/// another thread, one after the other, and reads each answer whole.
fn send(redirect: &LoopbackRedirect, requests: &[&str]) -> JoinHandle<Vec<String>> {
    let address = redirect.listener.local_addr().unwrap();
    let requests: Vec<String> = requests.iter().map(|&r| String::from(r)).collect();
    std::thread::spawn(move || {
        requests
            .iter()
            .map(|request| {
                let mut stream = TcpStream::connect(address).unwrap();
                stream.set_read_timeout(Some(WAIT)).unwrap();
                stream.write_all(request.as_bytes()).unwrap();
                let mut answer = Vec::new();
                stream.read_to_end(&mut answer).unwrap();
                String::from_utf8(answer).unwrap()
            })
            .collect()
    })
}

/// `answer` begins with the status line `line`.
fn assert_status(answer: &str, line: &str) {
    assert!(answer.starts_with(line), "{answer}");
}

fn state_of(callback: &Callback) -> Option<&str> {
    callback.state().map(|state| state.secret())
}

/// Another path gets 404, another method 405 naming the one allowed,
/// and neither ends the wait; the callback does, and its browser gets
/// the app's page.
#[test]
fn only_the_callback_ends_the_wait() {
    let redirect = LoopbackRedirect::bind("cb").unwrap();
    assert!(redirect.redirect_uri().as_str().ends_with("/cb"));
    let client = send(
        &redirect,
        &[
            "GET /favicon.ico HTTP/1.1\r\n\r\n",
            "POST /cb HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\ncode=c",
            "GET /cb?code=c&state=s-1 HTTP/1.1\r\n\r\n",
        ],
    );
    let (callback, browser) = redirect.wait(WAIT).unwrap();
    assert_eq!(state_of(&callback), Some("s-1"));
    browser.respond_with("Done", "You may close this window.");
    let answers = client.join().unwrap();
    assert_status(&answers[0], "HTTP/1.1 404 Not Found\r\n");
    assert_status(&answers[1], "HTTP/1.1 405 Method Not Allowed\r\n");
    assert!(answers[1].contains("Allow: GET\r\n"), "{}", answers[1]);
    assert_status(&answers[2], "HTTP/1.1 200 OK\r\n");
    assert!(answers[2].contains("You may close this window."));
}

/// With `form_post`, the callback is a form `POST`: a `GET` gets 405
/// naming `POST`, and so does a `POST` that is not a form.
#[test]
fn a_form_post_listener_takes_only_a_form() {
    let redirect = LoopbackRedirect::bind("/cb").unwrap().form_post();
    let client = send(
        &redirect,
        &[
            "GET /cb?code=c&state=s-1 HTTP/1.1\r\n\r\n",
            "POST /cb HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\ncode=c&state=s-2",
            "POST /cb HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 16\r\n\r\ncode=c&state=s-3",
        ],
    );
    let (callback, browser) = redirect.wait(WAIT).unwrap();
    assert_eq!(state_of(&callback), Some("s-3"));
    browser.respond(LoopbackOutcome::Refused);
    let answers = client.join().unwrap();
    assert!(
        answers[2].contains("<title>Sign-in refused</title>"),
        "{}",
        answers[2]
    );
    for answer in &answers[..2] {
        assert_status(answer, "HTTP/1.1 405 Method Not Allowed\r\n");
        assert!(answer.contains("Allow: POST\r\n"), "{answer}");
    }
}

/// A malformed callback ends the wait with its error, and its browser
/// gets 400.
#[test]
fn a_malformed_callback_ends_the_wait_with_400() {
    let redirect = LoopbackRedirect::bind("/cb").unwrap();
    let client = send(&redirect, &["GET /cb?code=a&code=b HTTP/1.1\r\n\r\n"]);
    assert!(matches!(
        redirect.wait(WAIT),
        Err(LoopbackError::Callback(_))
    ));
    let answers = client.join().unwrap();
    assert_status(&answers[0], "HTTP/1.1 400 Bad Request\r\n");
}

/// Nothing comes: the wait ends at its timeout, not before and not
/// with the non-blocking listener's `WouldBlock`.
#[test]
fn a_wait_for_nothing_times_out() {
    let redirect = LoopbackRedirect::bind("/cb").unwrap();
    let started = Instant::now();
    let waited = Duration::from_millis(60);
    assert!(matches!(
        redirect.wait(waited),
        Err(LoopbackError::TimedOut)
    ));
    assert!(started.elapsed() >= waited);
}

#[test]
fn accept_errors_of_a_connection_do_not_end_the_wait() {
    use io::ErrorKind::*;
    assert_eq!(after_accept_error(WouldBlock), AcceptError::NothingYet);
    for kind in [
        Interrupted,
        ConnectionAborted,
        ConnectionReset,
        NetworkDown,
        NetworkUnreachable,
        HostUnreachable,
    ] {
        assert_eq!(after_accept_error(kind), AcceptError::TryAgain, "{kind:?}");
    }
    for kind in [PermissionDenied, OutOfMemory, Other, InvalidInput] {
        assert_eq!(
            after_accept_error(kind),
            AcceptError::ListenerFailed,
            "{kind:?}"
        );
    }
}

/// Port 0 in a redirect URI binds a free port and names it; a port
/// given is bound and the URI kept byte for byte.
#[test]
fn bind_uri_names_the_port_it_bound() {
    let redirect = LoopbackRedirect::bind_uri("http://127.0.0.1:0/cb").unwrap();
    let port = redirect.listener.local_addr().unwrap().port();
    assert_eq!(
        redirect.redirect_uri().as_str(),
        alloc::format!("http://127.0.0.1:{port}/cb")
    );
    drop(redirect);
    let given = alloc::format!("HTTP://127.0.0.1:{port}/cb");
    let redirect = LoopbackRedirect::bind_uri(&given).unwrap();
    assert_eq!(redirect.redirect_uri().as_str(), given);
    assert_eq!(redirect.listener.local_addr().unwrap().port(), port);
}

/// `source()` skips the I/O error `Display` already printed, to its
/// own cause.
#[test]
fn an_io_errors_source_is_its_cause() {
    #[derive(Debug)]
    struct Outer(io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("outer")
        }
    }
    impl core::error::Error for Outer {
        fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let inner = io::Error::other("inner");
    let error = LoopbackError::Io(io::Error::other(Outer(inner)));
    let source = core::error::Error::source(&error).unwrap();
    assert_eq!(source.to_string(), "inner");
    assert!(core::error::Error::source(&LoopbackError::TimedOut).is_none());
}

#[test]
fn loopback_uris_are_taken_apart_as_written() {
    let parts = LoopbackUri::parse("http://127.0.0.1:8400/oauth/cb").unwrap();
    assert_eq!(
        (parts.host, parts.port, parts.path),
        ("127.0.0.1", 8400, "/oauth/cb")
    );
    let parts = LoopbackUri::parse("HTTP://[::1]/cb").unwrap();
    assert_eq!(
        (parts.scheme, parts.host, parts.port),
        ("HTTP://", "[::1]", 0)
    );
    assert_eq!(parts.ip, IpAddr::from(Ipv6Addr::LOCALHOST));
    let parts = LoopbackUri::parse("http://127.0.0.1:0").unwrap();
    assert_eq!((parts.port, parts.path), (0, ""));
    for refused in [
        "https://127.0.0.1/cb",
        "http://10.0.0.1/cb",
        "http://localhost/cb",
        "http://127.0.0.1/cb?x=1",
        "http://127.0.0.1:99999/cb",
        "http://127.0.0.1:x/cb",
        "http://[::1/cb",
        "com.example.app:/cb",
        "http:/",
    ] {
        assert!(LoopbackUri::parse(refused).is_none(), "{refused}");
    }
}

/// A browser the app never answers gets the neutral page: at once when the
/// responder is dropped, or when `answer_within` has passed, after which
/// the responder no longer waits and a late answer is not sent.
#[test]
fn an_unanswered_browser_gets_the_neutral_page() {
    let redirect = LoopbackRedirect::bind("/cb").unwrap();
    let client = send(&redirect, &["GET /cb?code=c&state=s HTTP/1.1\r\n\r\n"]);
    let (_, browser) = redirect.wait(WAIT).unwrap();
    assert!(browser.is_waiting());
    drop(browser);
    let answers = client.join().unwrap();
    assert_status(&answers[0], "HTTP/1.1 200 OK\r\n");
    assert!(
        answers[0].contains("Sign-in response received"),
        "{}",
        answers[0]
    );

    let redirect = LoopbackRedirect::bind("/cb")
        .unwrap()
        .answer_within(Duration::from_millis(50));
    let client = send(&redirect, &["GET /cb?code=c&state=s HTTP/1.1\r\n\r\n"]);
    let (_, browser) = redirect.wait(WAIT).unwrap();
    let answers = client.join().unwrap();
    assert!(!browser.is_waiting());
    browser.respond(LoopbackOutcome::SignedIn);
    assert!(
        answers[0].contains("Sign-in response received"),
        "{}",
        answers[0]
    );
    assert!(!answers[0].contains("You are signed in"));
}

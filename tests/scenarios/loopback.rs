//! The native app's loopback redirect (RFC 8252 §7.3, §8.3): one callback
//! taken on 127.0.0.1, the page the browser shows — the one the app chose
//! after checking the callback, or a neutral one — and what hostile or
//! stray local clients get — none of them stalls the login.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use oauth2_pkce::errors::CallbackError;
use oauth2_pkce::loopback::{LoopbackError, LoopbackOutcome, LoopbackRedirect};
use oauth2_pkce::*;
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig};

/// Sends `request` as raw bytes to the listener and reads the answer.
fn raw(uri: &str, request: &[u8]) -> String {
    let address = uri
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

fn get(uri: &str, path_and_query: &str) -> String {
    raw(
        uri,
        format!("GET {path_and_query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes(),
    )
}

#[test]
fn takes_the_callback_and_answers_strays_on_the_way() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let uri = listener.redirect_uri().as_str().to_owned();
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    assert!(uri.ends_with("/callback"));
    assert!(
        RedirectUri::new(uri.clone()).is_ok(),
        "an IP literal, not localhost"
    );

    let browser = {
        let uri = uri.clone();
        thread::spawn(move || {
            let favicon = get(&uri, "/favicon.ico");
            let post = raw(
                &uri,
                b"POST /callback HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            );
            let callback = get(&uri, "/callback?code=c0de&state=st4te");
            (favicon, post, callback)
        })
    };
    let (callback, browser_page) = listener.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "st4te");
    browser_page.respond(LoopbackOutcome::SignedIn);

    let (favicon, post, page) = browser.join().unwrap();
    assert!(favicon.starts_with("HTTP/1.1 404 "), "{favicon}");
    assert!(post.starts_with("HTTP/1.1 405 "), "{post}");
    assert!(post.contains("Allow: GET\r\n"), "{post}");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("Cache-Control: no-store\r\n"));
    assert!(page.contains("Referrer-Policy: no-referrer\r\n"));
    assert!(page.contains("<title>Signed in</title>"), "{page}");
    assert!(page.contains("return to the application"));
    assert!(!page.contains("c0de") && !page.contains("st4te"), "{page}");

    // The listener is gone after the callback.
    let address = uri
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    assert!(TcpStream::connect(address).is_err());
}

#[test]
fn times_out_when_nobody_comes() {
    let listener = LoopbackRedirect::bind("callback").unwrap();
    assert!(listener.redirect_uri().as_str().ends_with("/callback"));
    let started = Instant::now();
    let error = listener.wait(Duration::from_millis(200)).unwrap_err();
    assert!(matches!(error, LoopbackError::TimedOut), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// Runs `future` on this thread, parked until its waker is called; fails
/// when it is not woken within `limit`.
fn block_on_parked<F: std::future::Future>(future: F, limit: Duration) -> F::Output {
    struct Unpark(thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(thread::current())));
    let mut context = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    let deadline = Instant::now() + limit;
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        assert!(Instant::now() < deadline, "the future was never woken");
        thread::park_timeout(limit);
    }
}

#[test]
fn waits_asynchronously_without_blocking_the_caller() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let uri = listener.redirect_uri().as_str().to_owned();
    let waiting = listener.wait_async(Duration::from_secs(10));
    let browser = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        get(&uri, "/callback?code=c0de&state=st4te")
    });
    let (callback, page) = block_on_parked(waiting, Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "st4te");
    page.respond(LoopbackOutcome::SignedIn);
    assert!(browser.join().unwrap().starts_with("HTTP/1.1 200 OK\r\n"));

    let nobody = LoopbackRedirect::bind("/callback").unwrap();
    let waiting = nobody.wait_async(Duration::from_millis(200));
    let error = block_on_parked(waiting, Duration::from_secs(10)).unwrap_err();
    assert!(matches!(error, LoopbackError::TimedOut), "{error:?}");
}

/// A client that connects and sends nothing, one that trickles bytes, one
/// with a huge request line, and one with garbage: each is dropped or
/// answered, and the real callback still gets through well before the
/// deadline.
#[test]
fn hostile_local_clients_do_not_stall_the_login() {
    let listener = LoopbackRedirect::bind("/cb").unwrap();
    let uri = listener.redirect_uri().as_str().to_owned();
    let address = uri
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();

    let attackers = {
        let (uri, address) = (uri.clone(), address.clone());
        thread::spawn(move || {
            // Silent: holds a connection open.
            let silent = TcpStream::connect(&address).unwrap();
            // Slowloris: one byte at a time.
            let mut slow = TcpStream::connect(&address).unwrap();
            for byte in b"GET /cb?st" {
                let _ = slow.write_all(&[*byte]);
                thread::sleep(Duration::from_millis(300));
            }
            // A request line far over the cap.
            let mut huge = TcpStream::connect(&address).unwrap();
            let line = format!("GET /cb?code={} HTTP/1.1\r\n", "A".repeat(64 * 1024));
            let _ = huge.write_all(line.as_bytes());
            // Garbage.
            let garbage = raw(&uri, b"\x00\xff\xfe not http at all\r\n\r\n");
            // The browser.
            let page = get(&uri, "/cb?code=c&state=s");
            drop(silent);
            (garbage, page)
        })
    };
    let started = Instant::now();
    let (callback, browser) = listener.wait(Duration::from_secs(60)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "s");
    browser.respond(LoopbackOutcome::SignedIn);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the login waited {:?}",
        started.elapsed()
    );
    let (garbage, page) = attackers.join().unwrap();
    assert!(!garbage.contains("200 OK"), "{garbage}");
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
}

#[test]
fn a_malformed_callback_is_answered_400_and_reported() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let uri = listener.redirect_uri().as_str().to_owned();
    let browser = thread::spawn(move || get(&uri, "/callback?state=a&state=b"));
    let error = listener.wait(Duration::from_secs(10)).unwrap_err();
    assert!(
        matches!(
            error,
            LoopbackError::Callback(CallbackError::RepeatedParameter(_))
        ),
        "{error:?}"
    );
    assert!(browser.join().unwrap().starts_with("HTTP/1.1 400 "));
}

#[test]
fn form_post_takes_the_callback_from_the_body() {
    let listener = LoopbackRedirect::bind("/callback").unwrap().form_post();
    let uri = listener.redirect_uri().as_str().to_owned();
    let browser = thread::spawn(move || {
        let wrong_method = get(&uri, "/callback?code=c&state=s");
        let body = "code=c&state=s";
        let page = raw(
            &uri,
            format!(
                "POST /callback HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        (wrong_method, page)
    });
    let (callback, browser_page) = listener.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "s");
    browser_page.respond(LoopbackOutcome::SignedIn);
    let (wrong_method, page) = browser.join().unwrap();
    assert!(wrong_method.starts_with("HTTP/1.1 405 "), "{wrong_method}");
    assert!(wrong_method.contains("Allow: POST\r\n"));
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
}

#[test]
fn ipv6_loopback() {
    let listener = LoopbackRedirect::bind_ipv6("/callback").unwrap();
    let uri = listener.redirect_uri().as_str().to_owned();
    assert!(uri.starts_with("http://[::1]:"), "{uri}");
    let address = uri
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let browser = thread::spawn(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /callback?code=c&state=v6 HTTP/1.1\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    });
    let (callback, page) = listener.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "v6");
    drop(page);
    assert!(browser.join().unwrap().starts_with("HTTP/1.1 200 OK"));
}

/// A whole native-app login against the embedded server: the loopback
/// redirect URI given to the flow, the browser sent to the authorization
/// URL and then to the callback, the code exchanged.
#[test]
fn a_native_app_login_end_to_end() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let redirect_uri = listener.redirect_uri().clone();
    // The client is registered with this redirect URI (oxide-auth matches
    // it exactly, port included).
    let server =
        AuthorizationServer::start(ServerConfig::default().redirect_uri(redirect_uri.as_str()))
            .unwrap();
    let client = common::demo_client(&server);
    let (authorization, pending) = Start::new(&client)
        .redirect_uri(redirect_uri.clone())
        .begin(FlowEntropy::from_os_rng().unwrap(), common::NOW)
        .unwrap();
    assert!(authorization
        .url()
        .contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"));

    // The browser: log in at the server, then follow its redirect to us.
    let location = server.log_in(authorization.url()).unwrap();
    let query = location
        .strip_prefix(redirect_uri.as_str())
        .unwrap()
        .to_owned();
    let uri = redirect_uri.as_str().to_owned();
    let browser = thread::spawn(move || get(&uri, &format!("/callback{query}")));
    let (callback, page) = listener.wait(Duration::from_secs(10)).unwrap();

    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let response = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let authorized = exchanging.handle_response(&response, common::NOW).unwrap();
    page.respond(LoopbackOutcome::SignedIn);
    let page = browser.join().unwrap();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("Signed in"), "{page}");
    assert_eq!(common::call_api(&server, &authorized).status(), 200);
    server.shutdown();
}

/// A fixed port, for providers that register the port: the redirect URI
/// names it, and the port is really bound (a second bind fails).
#[test]
fn a_fixed_port_when_the_provider_needs_one() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let listener = LoopbackRedirect::bind_port(port, "/callback").unwrap();
    assert_eq!(
        listener.redirect_uri().as_str(),
        format!("http://127.0.0.1:{port}/callback")
    );
    assert!(LoopbackRedirect::bind_port(port, "/callback").is_err());
}

/// The `state` of the login the authorization URL starts.
fn state_of(authorization_url: &str) -> String {
    authorization_url
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("state="))
        .unwrap()
        .to_owned()
}

/// A flow that needs no server: the callback is checked, nothing is sent.
fn offline_flow(redirect_uri: &RedirectUri) -> (Client, String, AwaitingCallback) {
    let metadata = ServerMetadata::new(
        "http://127.0.0.1:9",
        "http://127.0.0.1:9/authorize",
        "http://127.0.0.1:9/token",
    );
    let client = Client::new(
        metadata,
        ClientId::new("native-app").unwrap(),
        ClientAuthentication::None,
    )
    .unwrap();
    let (authorization, pending) = Start::new(&client)
        .redirect_uri(redirect_uri.clone())
        .begin(FlowEntropy::from_os_rng().unwrap(), common::NOW)
        .unwrap();
    let state = state_of(authorization.url());
    (client, state, pending)
}

/// The user refuses at the embedded server: the callback carries
/// `error=access_denied` with the flow's `state`; the app checks it, and
/// the browser reads that the sign-in was refused — never "Signed in".
#[test]
fn a_refusal_at_the_provider_is_shown_as_a_refusal() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let redirect_uri = listener.redirect_uri().clone();
    let server =
        AuthorizationServer::start(ServerConfig::default().redirect_uri(redirect_uri.as_str()))
            .unwrap();
    let client = common::demo_client(&server);
    let (authorization, pending) = Start::new(&client)
        .redirect_uri(redirect_uri.clone())
        .begin(FlowEntropy::from_os_rng().unwrap(), common::NOW)
        .unwrap();
    let location = server.deny(authorization.url()).unwrap();
    assert!(location.contains("error=access_denied"), "{location}");
    let query = location
        .strip_prefix(redirect_uri.as_str())
        .unwrap()
        .to_owned();
    let uri = redirect_uri.as_str().to_owned();
    let browser = thread::spawn(move || get(&uri, &format!("/callback{query}")));

    let (callback, page) = listener.wait(Duration::from_secs(10)).unwrap();
    let error = pending.handle_callback(&client, callback).unwrap_err();
    let outcome = LoopbackOutcome::of_callback_error(&error);
    assert_eq!(outcome, LoopbackOutcome::Refused, "{error:?}");
    page.respond(outcome);

    let page = browser.join().unwrap();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(!page.contains("Signed in"), "{page}");
    assert!(page.contains("Sign-in refused"), "{page}");
    assert!(page.contains("not signed in"), "{page}");
    server.shutdown();
}

/// A forged callback (another `state`) fails the app's check: the
/// browser reads that the sign-in failed.
#[test]
fn a_callback_that_fails_the_checks_is_shown_as_a_failure() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let (client, _, pending) = offline_flow(listener.redirect_uri());
    let uri = listener.redirect_uri().as_str().to_owned();
    let browser = thread::spawn(move || get(&uri, "/callback?code=c&state=forged"));
    let (callback, page) = listener.wait(Duration::from_secs(10)).unwrap();
    let error = pending.handle_callback(&client, callback).unwrap_err();
    assert!(matches!(error, CallbackError::StateMismatch), "{error:?}");
    page.respond(LoopbackOutcome::of_callback_error(&error));
    let page = browser.join().unwrap();
    assert!(page.contains("Sign-in failed"), "{page}");
    assert!(!page.contains("Signed in"), "{page}");
}

/// The browser gets nothing while the app works, and "Signed in" only
/// once the app says so.
#[test]
fn the_success_page_comes_only_after_the_app_said_success() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let uri = listener.redirect_uri().as_str().to_owned();
    let browser = thread::spawn(move || {
        let address = uri
            .strip_prefix("http://")
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /callback?code=c&state=s HTTP/1.1\r\n\r\n")
            .unwrap();
        // While the app exchanges the code, nothing comes.
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut early = [0_u8; 1];
        let early = stream.read(&mut early);
        stream.set_read_timeout(None).unwrap();
        let mut page = String::new();
        let _ = stream.read_to_string(&mut page);
        (early.is_err(), page)
    });
    let (_callback, page) = listener.wait(Duration::from_secs(10)).unwrap();
    assert!(page.is_waiting());
    thread::sleep(Duration::from_millis(800)); // the exchange
    page.respond(LoopbackOutcome::SignedIn);
    let (nothing_early, page) = browser.join().unwrap();
    assert!(
        nothing_early,
        "the browser got a page before the app answered"
    );
    assert!(page.contains("<title>Signed in</title>"), "{page}");
}

/// An app that never answers still sends the browser a page when it
/// drops the responder: a neutral one, which claims no outcome.
#[test]
fn a_dropped_responder_sends_a_neutral_page() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let uri = listener.redirect_uri().as_str().to_owned();
    let browser = thread::spawn(move || get(&uri, "/callback?error=access_denied&state=s"));
    let (_callback, page) = listener.wait(Duration::from_secs(10)).unwrap();
    drop(page);
    let page = browser.join().unwrap();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("You can close this window and return to the application."));
    for claim in ["Signed in", "signed in", "refused", "failed"] {
        assert!(!page.contains(claim), "{claim}: {page}");
    }
}

/// An app that holds the responder too long: the browser gets the
/// neutral page when `answer_within` runs out, and the late answer is
/// not sent.
#[test]
fn the_browser_is_not_held_past_answer_within() {
    let listener = LoopbackRedirect::bind("/callback")
        .unwrap()
        .answer_within(Duration::from_millis(300));
    let uri = listener.redirect_uri().as_str().to_owned();
    let browser = thread::spawn(move || {
        let started = Instant::now();
        (get(&uri, "/callback?code=c&state=s"), started.elapsed())
    });
    let (_callback, page) = listener.wait(Duration::from_secs(10)).unwrap();
    let (answer, waited) = browser.join().unwrap();
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert!(answer.contains("return to the application"), "{answer}");
    assert!(!answer.contains("Signed in"), "{answer}");
    assert!(!page.is_waiting());
    page.respond(LoopbackOutcome::SignedIn); // too late: nothing is sent
}

/// A hostile `error_description` shown on the app's own page arrives
/// escaped; the outcome pages never show the callback's text at all.
#[test]
fn hostile_callback_text_never_reaches_the_page_unescaped() {
    let hostile = "%3Cscript%3Ealert(1)%3C%2Fscript%3E%3Cimg+src%3Dx+onerror%3D%22y%22%3E";
    for custom in [true, false] {
        let listener = LoopbackRedirect::bind("/callback").unwrap();
        let (client, state, pending) = offline_flow(listener.redirect_uri());
        let uri = listener.redirect_uri().as_str().to_owned();
        let query =
            format!("/callback?error=access_denied&error_description={hostile}&state={state}");
        let browser = thread::spawn(move || get(&uri, &query));
        let (callback, page) = listener.wait(Duration::from_secs(10)).unwrap();
        let error = pending.handle_callback(&client, callback).unwrap_err();
        let CallbackError::Authorization(response) = &error else {
            panic!("{error:?}")
        };
        let description = response.error_description().unwrap().to_owned();
        assert!(description.contains("<script>"), "{description}");
        if custom {
            page.respond_with(
                "Sign-in refused",
                &format!("The provider said: {description}"),
            );
        } else {
            page.respond(LoopbackOutcome::of_callback_error(&error));
        }
        let page = browser.join().unwrap();
        assert!(
            !page.contains("<script") && !page.contains("<img"),
            "{page}"
        );
        assert!(!page.contains("alert(1)") || custom, "{page}");
        if custom {
            assert!(
                page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{page}"
            );
            assert!(page.contains("onerror=&quot;y&quot;"), "{page}");
        }
    }
}

/// The redirect URI registered with the provider, given whole: its port
/// and path are listened on, and the flow sends it byte for byte; without
/// a port, a free one is named; anything a loopback listener cannot serve
/// is refused with the reason.
#[test]
fn binds_the_registered_redirect_uri_whole() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let registered = format!("http://127.0.0.1:{port}/oauth/cb");
    let listener = LoopbackRedirect::bind_uri(&registered).unwrap();
    assert_eq!(listener.redirect_uri().as_str(), registered);
    let uri = registered.clone();
    let browser = thread::spawn(move || {
        let elsewhere = get(&uri, "/callback?code=c&state=s");
        (elsewhere, get(&uri, "/oauth/cb?code=c&state=s"))
    });
    let (callback, page) = listener.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "s");
    page.respond(LoopbackOutcome::SignedIn);
    let (elsewhere, page) = browser.join().unwrap();
    assert!(elsewhere.starts_with("HTTP/1.1 404 "), "{elsewhere}");
    assert!(page.contains("Signed in"), "{page}");

    for portless in ["http://127.0.0.1/oauth/cb", "http://127.0.0.1:0/oauth/cb"] {
        let listener = LoopbackRedirect::bind_uri(portless).unwrap();
        let bound = listener.redirect_uri().as_str();
        let port: u16 = bound
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix("/oauth/cb"))
            .unwrap()
            .parse()
            .unwrap();
        assert_ne!(port, 0, "{bound}");
    }
    let v6 = LoopbackRedirect::bind_uri("http://[::1]/cb").unwrap();
    assert!(v6.redirect_uri().as_str().starts_with("http://[::1]:"));

    for (refused, reason) in [
        ("http://example.com/cb", "not loopback"),
        ("http://192.168.1.10:8400/cb", "not loopback"),
        ("http://localhost:8400/cb", "localhost"),
        ("https://127.0.0.1/cb", "loopback IP literal"),
        ("com.example.app:/cb", "loopback IP literal"),
        ("http://127.0.0.1/cb?tenant=x", "no query"),
        ("http://127.0.0.1/cb#x", "fragment"),
        ("not a uri", "not an absolute URL"),
    ] {
        let error = LoopbackRedirect::bind_uri(refused).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(reason), "{refused}: {message}");
        assert!(
            matches!(
                error,
                LoopbackError::RedirectUri(_) | LoopbackError::NotLoopbackUri
            ),
            "{error:?}"
        );
    }
}

//! The native app's loopback redirect (RFC 8252 §7.3, §8.3): one callback
//! taken on 127.0.0.1, the page the browser shows, and what hostile or
//! stray local clients get — none of them stalls the login.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

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
    let callback = listener.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "st4te");

    let (favicon, post, page) = browser.join().unwrap();
    assert!(favicon.starts_with("HTTP/1.1 404 "), "{favicon}");
    assert!(post.starts_with("HTTP/1.1 405 "), "{post}");
    assert!(post.contains("Allow: GET\r\n"), "{post}");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("Cache-Control: no-store\r\n"));
    assert!(page.contains("Referrer-Policy: no-referrer\r\n"));
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
    let callback = block_on_parked(waiting, Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "st4te");
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
    let callback = listener.wait(Duration::from_secs(60)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "s");
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
    let callback = listener.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "s");
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
    let callback = listener.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(callback.state().unwrap().secret(), "v6");
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
    let callback = listener.wait(Duration::from_secs(10)).unwrap();
    assert!(browser.join().unwrap().starts_with("HTTP/1.1 200 OK"));

    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let response = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let authorized = exchanging.handle_response(&response, common::NOW).unwrap();
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

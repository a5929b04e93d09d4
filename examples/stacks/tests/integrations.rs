//! The cli_login and service integrations, whole, against oxide-auth on
//! 127.0.0.1, and the cli_login program itself.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use oauth2_pkce::LoopbackRedirect;
use oauth2_pkce_stacks::{cli_login, service};
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, TEST_USER,
};

/// The browser's last step: follows the server's redirect to the loopback
/// listener and reads the page it answers with.
fn follow(location: String) -> String {
    let rest = location.strip_prefix("http://").unwrap();
    let (address, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut page = String::new();
    let _ = stream.read_to_string(&mut page);
    page
}

#[tokio::test(flavor = "current_thread")]
async fn cli_login_signs_in_calls_the_api_refreshes_and_revokes() {
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let server = AuthorizationServer::start(
        ServerConfig::default().redirect_uri(listener.redirect_uri().as_str()),
    )
    .unwrap();
    let config = cli_login::Config {
        issuer: server.issuer(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: Some(DEMO_CLIENT_SECRET.into()),
        scope: "read".into(),
        api_url: Some(server.resource_endpoint()),
    };
    let mut browser = None;
    let answer = cli_login::run(&config, listener, |url| {
        let location = server.log_in(url).map_err(std::io::Error::other)?;
        browser = Some(std::thread::spawn(move || follow(location)));
        Ok(())
    })
    .await
    .unwrap();
    let me: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(me["sub"], TEST_USER, "{answer}");
    let page = browser.unwrap().join().unwrap();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    server.shutdown();
}

/// Tokens that live two seconds, calls 1.1 s apart: the third call would
/// be refused with the first token, so passing shows the renewal.
#[test]
fn service_renews_its_token_as_it_goes() {
    let server = AuthorizationServer::start(
        ServerConfig::default().access_token_lifetime(Duration::from_secs(2)),
    )
    .unwrap();
    let statuses = service::run(
        &server.issuer(),
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        "read",
        &server.resource_endpoint(),
        3,
        Duration::from_millis(1100),
    )
    .unwrap();
    assert_eq!(statuses, [200, 200, 200]);
    server.shutdown();
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// The `cli_login` binary run as a user runs it: configured from the
/// environment, its `$BROWSER` a script, against the embedded server. The
/// script hands the authorization URL over; the test plays the user at the
/// server and follows the redirect back to the binary's listener.
#[test]
fn cli_login_binary_signs_in_through_a_browser_script() {
    let port = free_port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let server =
        AuthorizationServer::start(ServerConfig::default().redirect_uri(&redirect_uri)).unwrap();

    let dir = std::env::temp_dir().join(format!("cli-login-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url_file = dir.join("url");
    let _ = std::fs::remove_file(&url_file);
    let script = dir.join("browser");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            url_file.display()
        ),
    )
    .unwrap();
    Command::new("chmod")
        .arg("755")
        .arg(&script)
        .status()
        .unwrap();

    let child = Command::new(env!("CARGO_BIN_EXE_cli_login"))
        .env("OAUTH2_ISSUER", server.issuer())
        .env("OAUTH2_CLIENT_ID", DEMO_CLIENT_ID)
        .env("OAUTH2_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("OAUTH2_SCOPE", "read")
        .env("OAUTH2_API_URL", server.resource_endpoint())
        .env("OAUTH2_REDIRECT_PORT", port.to_string())
        .env("BROWSER", &script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // The binary opened the browser: the user logs in at the server.
    let started = Instant::now();
    let url = loop {
        if let Ok(url) = std::fs::read_to_string(&url_file) {
            break url;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no browser was opened"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(url.starts_with(&server.authorization_endpoint()), "{url}");
    let location = server.log_in(&url).unwrap();
    assert!(location.starts_with(&redirect_uri), "{location}");
    let page = follow(location);
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");

    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let me: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(me["sub"], TEST_USER);
    server.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

//! The two integrations, whole, against oxide-auth on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

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

//! The cli_login and service integrations, whole, against oxide-auth on
//! 127.0.0.1, and the cli_login program itself; cli_login also against
//! oidc-provider (Node.js), which offers PAR.

mod common;

use common::{follow, free_port, BrowserScript};

use std::process::{Command, Stdio};
use std::time::Duration;

use oauth2_pkce::loopback::LoopbackRedirect;
use oauth2_pkce_stacks::{cli_login, service};
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, TEST_USER,
};

/// A loopback listener on `/callback`, the embedded server that knows it
/// as the demo client's redirect URI, and cli_login's configuration for
/// that server.
fn cli_login_on_callback() -> (LoopbackRedirect, AuthorizationServer, cli_login::Config) {
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
    (listener, server, config)
}

#[tokio::test(flavor = "current_thread")]
async fn cli_login_signs_in_calls_the_api_refreshes_and_revokes() {
    let (listener, server, config) = cli_login_on_callback();
    let mut browser = None;
    let outcome = cli_login::run(&config, listener, |url| {
        let location = server.log_in(url).map_err(std::io::Error::other)?;
        browser = Some(std::thread::spawn(move || follow(location)));
        Ok(())
    })
    .await
    .unwrap();
    let answer = outcome.answer;
    let me: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(me["sub"], TEST_USER, "{answer}");
    assert_eq!(outcome.signed_in, None, "no openid, nobody signed in");
    let page = browser.unwrap().join().unwrap();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("<title>Signed in</title>"), "{page}");
    server.shutdown();
}

/// The user refuses at the server: cli_login reports it, and the browser
/// reads that the sign-in was refused, not "Signed in".
#[tokio::test(flavor = "current_thread")]
async fn cli_login_tells_the_browser_of_a_refusal() {
    let (listener, server, config) = cli_login_on_callback();
    let mut browser = None;
    let error = cli_login::run(&config, listener, |url| {
        let location = server.deny(url).map_err(std::io::Error::other)?;
        browser = Some(std::thread::spawn(move || follow(location)));
        Ok(())
    })
    .await
    .unwrap_err();
    assert!(error.to_string().contains("access_denied"), "{error}");
    let page = browser.unwrap().join().unwrap();
    assert!(page.contains("<title>Sign-in refused</title>"), "{page}");
    assert!(!page.contains("Signed in"), "{page}");
    server.shutdown();
}

/// The same login against another provider, which offers PAR: a public
/// client (RFC 8252: any port of its loopback redirect URI matches), the
/// authorization request pushed, the user signed in (the ID token verified
/// with the provider's key set), the OpenID UserInfo endpoint found by
/// discovery, a rotating refresh and a revocation.
#[tokio::test(flavor = "current_thread")]
async fn cli_login_against_oidc_provider_pushes_and_calls_userinfo() {
    let provider = std::sync::Arc::new(common::OidcProvider::start(&[]));
    let config = cli_login::Config {
        issuer: provider.issuer().to_owned(),
        client_id: "public-client".into(),
        client_secret: None,
        scope: "openid".into(),
        api_url: None,
    };
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let mut browser = None;
    let user = std::sync::Arc::clone(&provider);
    let outcome = cli_login::run(&config, listener, |url| {
        let url = url.to_owned();
        browser = Some(std::thread::spawn(move || follow(user.log_in(&url))));
        Ok(())
    })
    .await
    .unwrap();
    let signed_in = (provider.issuer().to_owned(), "alice".to_owned());
    assert_eq!(outcome.signed_in, Some(signed_in));
    let answer = outcome.answer;
    let me: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(me["sub"], "alice", "{answer}");
    let page = browser.unwrap().join().unwrap();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    for (request, times) in [
        ("POST /request 201", 1), // PAR (RFC 9126)
        ("POST /token 200", 2),   // the exchange, the refresh
        ("GET /jwks 200", 1),     // the key set, for the ID token
        ("GET /me 200", 1),       // UserInfo
        ("POST /token/revocation 200", 1),
    ] {
        assert_eq!(provider.requests(request, times), times, "{request}");
    }
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

/// The `cli_login` binary run as a user runs it: configured from the
/// environment, its `$BROWSER` a script, against the embedded server. The
/// script hands the authorization URL over; the test plays the user at the
/// server and follows the redirect back to the binary's listener, on the
/// port and path of `OAUTH2_REDIRECT_URI` (the server matches both
/// exactly); the page says "Signed in" once the binary has the tokens.
#[test]
fn cli_login_binary_signs_in_through_a_browser_script() {
    let port = free_port();
    let redirect_uri = format!("http://127.0.0.1:{port}/oauth/cb");
    let server =
        AuthorizationServer::start(ServerConfig::default().redirect_uri(&redirect_uri)).unwrap();

    let browser = BrowserScript::new("cli-login");
    let child = Command::new(env!("CARGO_BIN_EXE_cli_login"))
        .env("OAUTH2_ISSUER", server.issuer())
        .env("OAUTH2_CLIENT_ID", DEMO_CLIENT_ID)
        .env("OAUTH2_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("OAUTH2_SCOPE", "read")
        .env("OAUTH2_API_URL", server.resource_endpoint())
        .env("OAUTH2_REDIRECT_URI", &redirect_uri)
        .env("BROWSER", browser.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // The binary opened the browser: the user logs in at the server.
    let url = browser.opened();
    assert!(url.starts_with(&server.authorization_endpoint()), "{url}");
    assert!(
        url.contains(&format!(
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Foauth%2Fcb&"
        )),
        "{url}"
    );
    let location = server.log_in(&url).unwrap();
    assert!(
        location.starts_with(&format!("{redirect_uri}?")),
        "{location}"
    );
    let page = follow(location);
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("<title>Signed in</title>"), "{page}");

    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let me: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(me["sub"], TEST_USER);
    server.shutdown();
}

/// `OAUTH2_REDIRECT_URI` without a port, as registered with a provider
/// that allows any port of a loopback redirect URI (RFC 8252 §7.3;
/// oidc-provider's native client): the binary listens on a free port and
/// the registered path, and the login completes.
#[test]
fn cli_login_binary_takes_a_redirect_uri_without_a_port() {
    let registered = "http://127.0.0.1/oauth/cb";
    let provider = common::OidcProvider::start(&[registered]);
    let browser = BrowserScript::new("cli-login-portless");
    let child = Command::new(env!("CARGO_BIN_EXE_cli_login"))
        .env("OAUTH2_ISSUER", provider.issuer())
        .env("OAUTH2_CLIENT_ID", "public-client")
        .env("OAUTH2_REDIRECT_URI", registered)
        .env("BROWSER", browser.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let location = provider.log_in(&browser.opened());
    let port: u16 = location
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.split_once("/oauth/cb?"))
        .map(|(port, _)| port.parse().unwrap())
        .unwrap_or_else(|| panic!("{location}"));
    assert_ne!(port, 0);
    let page = follow(location);
    assert!(page.contains("<title>Signed in</title>"), "{page}");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let (signed_in, me) = common::cli_output(&output.stdout);
    assert_eq!(
        signed_in,
        format!("signed in: alice at {}", provider.issuer())
    );
    assert_eq!(me["sub"], "alice");
}

/// An `OAUTH2_REDIRECT_URI` the binary cannot listen on — another host,
/// `localhost`, https — is refused before anything is sent, with the
/// reason.
#[test]
fn cli_login_binary_refuses_a_redirect_uri_it_cannot_listen_on() {
    for (uri, reason) in [
        ("http://192.0.2.1:8400/callback", "not loopback"),
        ("http://localhost:8400/callback", "localhost"),
        ("https://127.0.0.1/callback", "loopback IP literal"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_cli_login"))
            .env("OAUTH2_ISSUER", "http://127.0.0.1:9")
            .env("OAUTH2_CLIENT_ID", "public-client")
            .env("OAUTH2_REDIRECT_URI", uri)
            .env_remove("BROWSER")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{uri}");
        assert!(stderr.contains("OAUTH2_REDIRECT_URI"), "{uri}: {stderr}");
        assert!(stderr.contains(reason), "{uri}: {stderr}");
        assert!(output.stdout.is_empty(), "{uri}: nothing was opened");
    }
}

/// The `pagero` program against the embedded server standing in for
/// Pagero (its paths, only the origin changed): the first run logs in
/// with the address the user pastes back, the next two refresh — each
/// replacing the stored grant, its refresh token rotated — and the last
/// logs out.
#[test]
fn pagero_logs_in_refreshes_with_rotation_and_logs_out() {
    let redirect_uri = "https://urltoclient:4443/"; // Pagero's documented example
    let server =
        AuthorizationServer::start(ServerConfig::default().redirect_uri(redirect_uri)).unwrap();
    let tokens = std::env::temp_dir().join(format!("pagero-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&tokens);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pagero"))
            .args(args)
            .env("PAGERO_CLIENT_ID", DEMO_CLIENT_ID)
            .env("PAGERO_CLIENT_SECRET", DEMO_CLIENT_SECRET)
            .env("PAGERO_REDIRECT_URI", redirect_uri)
            .env("PAGERO_API_URL", server.resource_endpoint())
            .env("PAGERO_TOKENS", &tokens)
            .env("PAGERO_SSO", server.issuer())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let finish = |child: std::process::Child| {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}{stderr}");
        stdout
    };
    let refresh_token = || {
        let grant = std::fs::read(&tokens).unwrap();
        let grant = oauth2_pkce::Authorized::from_json(&grant).unwrap();
        let token = grant.tokens().refresh_token().unwrap().secret().to_owned();
        (grant.tokens().generation(), token)
    };

    // First run: the user opens the URL, signs in, pastes the address back.
    let mut child = run(&[]);
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut shown = String::new();
    let url = loop {
        let mut line = String::new();
        assert_ne!(
            std::io::BufRead::read_line(&mut stdout, &mut line).unwrap(),
            0,
            "{shown}"
        );
        shown.push_str(&line);
        if line.starts_with(&server.issuer()) {
            break line.trim().to_owned();
        }
    };
    let endpoint = format!("{}/oauth/v2/oauth-authorize?", server.issuer());
    assert!(url.starts_with(&endpoint), "{url}");
    assert!(shown.contains(&format!(
        "token endpoint:         {}/oauth/v2/oauth-token\n",
        server.issuer()
    )));
    let back = server.log_in(&url).unwrap();
    assert!(back.starts_with(redirect_uri), "{back}");
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, format!("{back}\n").as_bytes()).unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    finish(child);
    assert!(
        rest.contains(&format!("{}: 200 OK", server.resource_endpoint())),
        "{rest}"
    );
    let (generation, first) = refresh_token();
    assert_eq!(generation, 0);

    // Two more runs: each refreshes, and the stored refresh token rotates.
    let mut seen = vec![first];
    for expected in 1..=2 {
        let out = finish(run(&[]));
        assert!(out.contains("200 OK"), "{out}");
        let (generation, token) = refresh_token();
        assert_eq!(generation, expected);
        assert!(!seen.contains(&token), "the refresh token rotated");
        seen.push(token);
    }

    let out = finish(run(&["--logout"]));
    assert!(out.contains("logged out"), "{out}");
    assert!(!tokens.exists());
    server.shutdown();
}

/// The resource-aware client against oidc-provider with resource
/// indicators and registration on: from the URL of the provider's
/// protected resource `/mcp` alone to its answer, through its `401`, its
/// metadata, discovery, registration and a login; then `/mcp/write`'s
/// `insufficient_scope` and a step-up.
#[test]
fn resource_login_from_a_bare_resource_url_with_a_step_up() {
    use oauth2_pkce_stacks::resource_login;

    let provider = std::sync::Arc::new(common::OidcProvider::start_with(
        &[],
        &[("RESOURCE_INDICATORS", "1")],
    ));
    let listener = LoopbackRedirect::bind("/callback").unwrap();
    let redirect = listener.redirect_uri().as_str().to_owned();
    let user = std::sync::Arc::clone(&provider);
    let answers = resource_login::run(
        &format!("{}/mcp", provider.issuer()),
        Some(&format!("{}/mcp/write", provider.issuer())),
        listener,
        move || LoopbackRedirect::bind_uri(&redirect),
        move |url| {
            let (user, url) = (std::sync::Arc::clone(&user), url.to_owned());
            std::thread::spawn(move || follow(user.log_in(&url)));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(answers.first.status(), 200);
    let first: serde_json::Value = serde_json::from_slice(answers.first.body()).unwrap();
    assert_eq!(first["aud"], format!("{}/mcp", provider.issuer()));
    assert_eq!(first["scope"], "files:read");
    let stepped_up = answers.stepped_up.unwrap();
    assert_eq!(stepped_up.status(), 200);
    let second: serde_json::Value = serde_json::from_slice(stepped_up.body()).unwrap();
    assert_eq!(second["scope"], "files:read files:write");
    for (request, times) in [
        ("GET /mcp 401", 1),
        ("GET /.well-known/oauth-protected-resource/mcp 200", 1),
        ("POST /reg 201", 1),
        ("GET /mcp/write 403", 1),
        ("GET /mcp/write 200", 1),
    ] {
        assert_eq!(provider.requests(request, times), times, "{request}");
    }
}

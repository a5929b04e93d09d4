//! The README builds each transport as the tests do; its glue counts are
//! the examples' own; and its one-line commands run the examples.

mod common;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

use common::{follow, free_port, BrowserScript, OidcProvider};

/// The README's table of transports builds each driver as
/// `tests/transports.rs` does, which runs a whole flow over it.
#[test]
fn readme_shows_the_transports_that_are_tested() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tested = std::fs::read_to_string(root.join("tests/transports.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    for transport in [
        "UreqTransport::new()",
        "ReqwestTransport::new()?",
        "HyperTransport::new()",
    ] {
        assert!(
            readme.contains(&format!("| `{transport}` |")),
            "README.md's table of transports has no `{transport}`"
        );
        assert!(
            tested.contains(&format!("Driver::new({transport})?")),
            "tests/transports.rs does not run a driver over `{transport}`"
        );
    }
}

/// The README's "lines of crate glue" are those between `glue: start` and
/// `glue: end` marks (all of them), blank lines and comments left out;
/// OpenID Connect's, between `glue: start (openid)` marks, after a `+`.
#[test]
fn readme_counts_the_glue_lines_as_they_are() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    for integration in [
        "cli_login",
        "pagero",
        "resource_login",
        "service",
        "web_app",
    ] {
        let source = std::fs::read_to_string(root.join(format!("src/{integration}.rs"))).unwrap();
        // OAuth glue, and OpenID Connect glue (`glue: start (openid)`).
        let (mut lines, mut openid) = (0, 0);
        let mut glue = None;
        for line in source.lines().map(str::trim) {
            match line {
                "// --- glue: start ---" => glue = Some(false),
                "// --- glue: start (openid) ---" => glue = Some(true),
                "// --- glue: end ---" => glue = None,
                _ if line.is_empty() || line.starts_with("//") => {}
                _ => match glue {
                    Some(false) => lines += 1,
                    Some(true) => openid += 1,
                    None => {}
                },
            }
        }
        assert!(lines > 0, "no glue marked in {integration}");
        let row = readme
            .lines()
            .find(|line| line.starts_with(&format!("| [`{integration}`]")))
            .unwrap_or_else(|| panic!("no README row for {integration}"));
        let expected = match openid {
            0 => format!("| {lines} |"),
            _ => format!("| {lines} + {openid} |"),
        };
        assert!(
            row.ends_with(&expected),
            "README.md's row for {integration} should count {expected}: {row}"
        );
    }
}

/// The README's one-line commands that run each example against a local
/// oidc-provider, as written there: the same variables, the binaries
/// `cargo run` builds, the provider and the web app on free ports instead
/// of 9000 and 3000.
#[test]
fn readme_commands_run_against_a_local_provider() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    let start = "(cd tests/interop_node && npm ci && PORT=9000 EXTRA_REDIRECT_URIS=http://127.0.0.1:3000/callback node server.mjs)";
    assert!(readme.contains(start), "the README starts the provider so");
    let web_app = format!("127.0.0.1:{}", free_port());
    let provider = OidcProvider::start(&[&format!("http://{web_app}/callback")]);
    let commands: BTreeMap<String, BTreeMap<String, String>> = readme
        .lines()
        .filter(|line| line.starts_with("OAUTH2_ISSUER=http://127.0.0.1:9000 "))
        .map(|line| {
            let (variables, command) = line.split_at(line.find(" cargo run ").unwrap());
            let bin = command
                .strip_prefix(" cargo run --manifest-path examples/stacks/Cargo.toml --bin ")
                .unwrap_or_else(|| panic!("not the usual cargo run: {line}"));
            let variables = variables
                .replace("http://127.0.0.1:9000", provider.issuer())
                .replace("127.0.0.1:3000", &web_app);
            let variables = variables
                .split(' ')
                .map(|pair| pair.split_once('=').unwrap())
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect();
            (bin.to_owned(), variables)
        })
        .collect();
    let names: Vec<&str> = commands.keys().map(String::as_str).collect();
    assert_eq!(names, ["cli_login", "service", "web_app"]);
    let run = |bin: &str, exe: &str| -> Child {
        Command::new(exe)
            .envs(&commands[bin])
            .env("WEB_APP_ADDR", &web_app)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };

    // cli_login: its browser logs the user in; it prints who signed in,
    // then UserInfo.
    let browser = BrowserScript::new("readme-cli-login");
    let child = Command::new(env!("CARGO_BIN_EXE_cli_login"))
        .envs(&commands["cli_login"])
        .env("BROWSER", browser.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let page = follow(provider.log_in(&browser.opened()));
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let (signed_in, me) = common::cli_output(&output.stdout);
    assert_eq!(
        signed_in,
        format!("signed in: alice at {}", provider.issuer())
    );
    assert_eq!(me["sub"], "alice");

    // service: three calls, each 200.
    let output = run("service", env!("CARGO_BIN_EXE_service"))
        .wait_with_output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.trim(), "API statuses: [200, 200, 200]");

    // web_app: a browser logs in and reads /me.
    let mut server = run("web_app", env!("CARGO_BIN_EXE_web_app"));
    let me = web_login(&provider, &format!("http://{web_app}"));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(me["sub"], "alice", "{me}");
}

/// A browser at the web app: `/login`, the provider, the callback, `/me`.
fn web_login(provider: &OidcProvider, app: &str) -> serde_json::Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let started = std::time::Instant::now();
    let login = loop {
        match agent.get(format!("{app}/login")).call() {
            Ok(response) => break response,
            Err(_) if started.elapsed() < std::time::Duration::from_secs(60) => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(error) => panic!("the web app did not listen: {error}"),
        }
    };
    let cookie = |response: &http::Response<ureq::Body>| -> String {
        let set = response.headers()["set-cookie"].to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    };
    let session = cookie(&login);
    let callback = provider.log_in(login.headers()["location"].to_str().unwrap());
    let back = agent
        .get(&callback)
        .header("cookie", &session)
        .call()
        .unwrap();
    assert_eq!(back.status(), 303);
    let logged_in = cookie(&back);
    let mut me = agent
        .get(format!("{app}/me"))
        .header("cookie", &logged_in)
        .call()
        .unwrap();
    assert_eq!(me.status(), 200);
    serde_json::from_slice(&me.body_mut().read_to_vec().unwrap()).unwrap()
}

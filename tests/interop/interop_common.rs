//! Interop with a real, third-party authorization server: Authlib (Python)
//! on 127.0.0.1.
//!
//! [`AuthlibServer::start`] builds a Python venv from
//! `tests/interop/requirements.txt` on first use (under
//! `target/interop-venv/<key>/`, where the key hashes the requirements and
//! the interpreter, so editing either builds a fresh one), starts
//! `tests/interop/authlib_server.py` on a free loopback port, waits for its
//! `READY <issuer>` line and stops it when dropped, even when the test
//! panics. The server also exits by itself when its stdin closes, so a test
//! process that dies without unwinding leaves nothing running.
//!
//! A missing `python3`, a failing `venv` or `pip install` is a test failure
//! with the reason, never a skip. Set `OAUTH2_PKCE_INTEROP_PYTHON` to use
//! another interpreter than `python3` from `PATH`.
//!
//! The process supervision, the browser's HTTP and the scenarios run alike
//! against oidc-provider are shared, in `tests/interop_support/`.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use oauth2_pkce::{
    Authorized, AwaitingCallback, Callback, Client, ClientAuthentication, ClientSecret, Scope,
    ServerMetadata, Start,
};

pub(crate) use crate::interop_support as support;

use support::{get, manifest_dir, post_form, query_param, run, CookieJar, ServerProcess};
// For the tests; not every test file uses all.
#[allow(unused_imports)]
pub use support::{scenario, send, NOW, REDIRECT_URI};

/// The test user and its password.
pub const TEST_USER: &str = "alice";
pub const TEST_PASSWORD: &str = "wonderland";
/// Access tokens from the Authlib server live this long.
pub const ACCESS_TOKEN_LIFETIME: u64 = 3600;

/// Authlib redirects the browser with `302 Found`, and nothing else.
const FOUND: &[u16] = &[302];

/// The clients registered on the Authlib server, one per token endpoint
/// authentication method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthlibClient {
    /// `basic-client`, `client_secret_basic`.
    Basic,
    /// `post-client`, `client_secret_post`.
    Post,
    /// `public-client`, `none`.
    Public,
}

impl AuthlibClient {
    pub const ALL: [AuthlibClient; 3] = [Self::Basic, Self::Post, Self::Public];

    pub fn client_id(self) -> &'static str {
        match self {
            Self::Basic => "basic-client",
            Self::Post => "post-client",
            Self::Public => "public-client",
        }
    }

    /// The registered secret (empty for the public client).
    pub fn secret(self) -> &'static str {
        match self {
            Self::Basic => "basic-secret",
            Self::Post => "post-secret",
            Self::Public => "",
        }
    }

    /// The authentication this client is registered for, with `secret`.
    pub fn authentication_with(self, secret: &str) -> ClientAuthentication {
        match self {
            Self::Basic => ClientAuthentication::ClientSecretBasic(ClientSecret::new(secret)),
            Self::Post => ClientAuthentication::ClientSecretPost(ClientSecret::new(secret)),
            Self::Public => ClientAuthentication::None,
        }
    }

    pub fn authentication(self) -> ClientAuthentication {
        self.authentication_with(self.secret())
    }
}

/// What the test user answers on the consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Deny,
}

/// A running Authlib authorization server; stopped on drop (its
/// [`ServerProcess`]: issuer, URLs and log).
pub struct AuthlibServer(ServerProcess);

impl Deref for AuthlibServer {
    type Target = ServerProcess;

    fn deref(&self) -> &ServerProcess {
        &self.0
    }
}

impl AuthlibServer {
    /// Builds the venv if needed, starts the server and waits until it
    /// listens. Panics (loudly) if anything is missing.
    pub fn start() -> Self {
        let script = manifest_dir().join("tests/interop/authlib_server.py");
        let mut command = Command::new(venv_python());
        command.arg("-u").arg(&script);
        AuthlibServer(ServerProcess::start("Authlib server", &mut command))
    }

    /// The server's RFC 8414 metadata, deserialized by the crate.
    pub fn metadata(&self) -> ServerMetadata {
        self.get_json("/.well-known/oauth-authorization-server")
    }

    /// A client of this server from its discovery document.
    pub fn client(&self, which: AuthlibClient) -> Client {
        client(self.metadata(), which, which.authentication())
    }

    /// Drives the browser part of a login: the redirect to the login page,
    /// the login form (its session cookie kept in a jar), the consent page
    /// and the consent form. Returns the URL the server redirects the
    /// browser to at the end: our redirect URI with the authorization
    /// response (never requested: there is no listener).
    pub fn browser_log_in(&self, authorization_url: &str, consent: Consent) -> String {
        assert!(authorization_url.starts_with(&self.url("/authorize?")));

        // 1. Not logged in: off to the login page.
        let response = get(authorization_url, None);
        let login = self.redirect_target(&response, FOUND, "the unauthenticated authorize GET");
        let next = login
            .starts_with("/login?")
            .then(|| query_param(&self.url(&login), "next"))
            .flatten()
            .unwrap_or_else(|| panic!("not a login redirect: {login}"));

        // 2. The user logs in; the session cookie goes in the jar.
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("username", TEST_USER)
            .append_pair("password", TEST_PASSWORD)
            .append_pair("next", &next)
            .finish();
        let response = post_form(&self.url("/login"), &body, None);
        let back = self.redirect_target(&response, FOUND, "the login POST");
        assert_eq!(back, next);
        let mut jar = CookieJar::default();
        jar.store(&response);
        assert!(jar.contains("session"), "no session cookie: {response:?}");
        let cookie = jar.header();

        // 3. Logged in: the consent page, or at once the error redirect.
        let authorize = self.url(&next);
        let response = get(&authorize, cookie.as_deref());
        if response.status().is_redirection() {
            return self.redirect_target(&response, FOUND, "the authorize GET");
        }
        assert_eq!(response.status(), 200, "{}", self.log());
        let page = String::from_utf8_lossy(response.body());
        assert!(page.contains("name=decision"), "not a consent page: {page}");

        // 4. The user decides; the server redirects to our redirect URI.
        let decision = match consent {
            Consent::Allow => "decision=allow",
            Consent::Deny => "decision=deny",
        };
        let response = post_form(&authorize, decision, cookie.as_deref());
        let callback = self.redirect_target(&response, FOUND, "the consent POST");
        assert!(
            callback.starts_with(&format!("{REDIRECT_URI}?")),
            "not a redirect to our redirect URI: {callback}"
        );
        callback
    }

    /// Starts a login (no scope: the client's default) and lets the test
    /// user log in and consent: the pending flow and the callback the
    /// browser brings back.
    pub fn log_in(&self, client: &Client) -> (AwaitingCallback, Callback) {
        let (pending, url) = self.log_in_url(client);
        (pending, Callback::from_url(&url).unwrap())
    }

    /// As [`log_in`](Self::log_in), with the callback URL as it came.
    pub fn log_in_url(&self, client: &Client) -> (AwaitingCallback, String) {
        support::log_in(Start::new(client), |url| {
            self.browser_log_in(url, Consent::Allow)
        })
    }

    /// The whole flow up to the tokens, asking for `scope`.
    pub fn authorize(&self, client: &Client, scope: &str) -> Authorized {
        let start = Start::new(client).scope(Scope::parse(scope).unwrap());
        let (pending, url) = support::log_in(start, |url| self.browser_log_in(url, Consent::Allow));
        scenario::exchange(client, pending, Callback::from_url(&url).unwrap())
    }

    /// Calls the protected resource `GET /api/me`, with the access token
    /// when given.
    pub fn call_api(&self, authorized: Option<&Authorized>) -> http::Response<Vec<u8>> {
        self.call(http::Method::GET, "/api/me", authorized)
    }

    /// Calls a protected resource, with the access token when given.
    pub fn call(
        &self,
        method: http::Method,
        path: &str,
        authorized: Option<&Authorized>,
    ) -> http::Response<Vec<u8>> {
        support::call(method, &self.url(path), authorized)
    }
}

/// A client with the given metadata, identity and authentication.
pub fn client(
    metadata: ServerMetadata,
    which: AuthlibClient,
    authentication: ClientAuthentication,
) -> Client {
    support::client(metadata, which.client_id(), authentication)
}

// ---------------------------------------------------------------------------
// The venv
// ---------------------------------------------------------------------------

/// The venv's interpreter, building the venv once per process (and once per
/// requirements and interpreter across processes). A failure is reported
/// once, and every test that asks panics with it.
pub fn venv_python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    support::install_once(&PYTHON, ensure_venv, "the Authlib interop venv")
}

/// `target/interop-venv/<key>/`: ready when its `.complete` marker exists.
///
/// Concurrency: threads of one test binary share the [`OnceLock`] above.
/// Separate processes (several test binaries at once, `cargo nextest`)
/// each build into their own temporary directory and `rename` it into
/// place: the rename is atomic, the first one wins, and the losers throw
/// their copy away and use the winner's. A venv runs from its new place
/// because only `bin/python` (a symlink to the base interpreter, which
/// finds `pyvenv.cfg` beside it) is ever used, never pip's console scripts.
fn ensure_venv() -> Result<PathBuf, String> {
    let base = std::env::var_os("OAUTH2_PKCE_INTEROP_PYTHON").unwrap_or_else(|| "python3".into());
    // The interpreter's identity goes in the key: a venv made by another
    // Python is not reusable.
    let identity = run(
        Command::new(&base).args([
            "-c",
            "import sys; print(sys.version); print(sys.base_prefix)",
        ]),
        "find the Python interpreter (is python3 installed and on PATH?)",
    )?;
    let requirements_path = manifest_dir().join("tests/interop/requirements.txt");
    let requirements = std::fs::read(&requirements_path)
        .map_err(|e| format!("cannot read {}: {e}", requirements_path.display()))?;
    let key = support::install_key(&[&requirements, identity.as_bytes()]);

    let root = support::target_dir("interop-venv");
    let venv = root.join(&key);
    let python = venv.join("bin").join("python");
    if venv.join(".complete").exists() {
        return Ok(python);
    }

    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let build = root.join(format!(".build-{}", support::unique_name(&key)));
    let started = Instant::now();
    let result = build_venv(&base, &build, &requirements_path);
    if let Err(why) = result {
        let _ = std::fs::remove_dir_all(&build);
        return Err(why);
    }
    match std::fs::rename(&build, &venv) {
        Ok(()) => {
            eprintln!(
                "interop: built {} in {:.1?}",
                venv.display(),
                started.elapsed()
            );
            Ok(python)
        }
        Err(_) if venv.join(".complete").exists() => {
            // Another process won the race.
            let _ = std::fs::remove_dir_all(&build);
            Ok(python)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&build);
            Err(format!(
                "cannot move the new venv to {} ({e}); delete that directory and retry",
                venv.display()
            ))
        }
    }
}

fn build_venv(base: &std::ffi::OsStr, build: &Path, requirements: &Path) -> Result<(), String> {
    run(
        Command::new(base).arg("-m").arg("venv").arg(build),
        "create the venv (on Debian/Ubuntu: apt install python3-venv)",
    )?;
    run(
        Command::new(build.join("bin").join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
                "--only-binary=:all:",
                "-r",
            ])
            .arg(requirements),
        "pip install -r tests/interop/requirements.txt (PyPI must be reachable)",
    )?;
    std::fs::write(build.join(".complete"), b"")
        .map_err(|e| format!("cannot mark the venv complete: {e}"))
}

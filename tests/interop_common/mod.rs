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

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use oauth2_pkce::{
    Authorized, AwaitingCallback, Callback, Client, ClientAuthentication, ClientId, ClientSecret,
    FlowEntropy, RedirectUri, Scope, ServerMetadata, Start, UnixTime,
};

#[path = "../common/transport.rs"]
pub mod transport;

pub use transport::send;

/// The one redirect URI every Authlib client is registered with.
pub const REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The test user and its password.
pub const TEST_USER: &str = "alice";
pub const TEST_PASSWORD: &str = "wonderland";
/// Access tokens from the Authlib server live this long.
pub const ACCESS_TOKEN_LIFETIME: u64 = 3600;

/// A fixed "now" for the flows: the server keeps its own clock.
pub const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

/// How long the server may take to print `READY` (a cold start imports
/// Flask, Authlib and cryptography; two cores, tests in parallel).
const READY_TIMEOUT: Duration = Duration::from_secs(60);

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

/// A running Authlib authorization server; stopped on drop.
pub struct AuthlibServer {
    child: Child,
    /// Held only so that dropping it closes the server's stdin.
    stdin: Option<ChildStdin>,
    issuer: String,
    log: Arc<Mutex<String>>,
}

impl AuthlibServer {
    /// Builds the venv if needed, starts the server and waits until it
    /// listens. Panics (loudly) if anything is missing.
    pub fn start() -> Self {
        let python = venv_python();
        let script = manifest_dir().join("tests/interop/authlib_server.py");
        let mut child = Command::new(python)
            .arg("-u")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
        let stdin = child.stdin.take();
        let log = Arc::new(Mutex::new(String::new()));

        // stdout: the READY line, then whatever else (nothing, normally).
        let (ready_tx, ready_rx) = mpsc::channel::<String>();
        let stdout = child.stdout.take().expect("piped stdout");
        let stdout_log = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = ready_tx.send(line);
            }
            for line in lines.map_while(Result::ok) {
                append(&stdout_log, &line);
            }
        });
        // stderr: the request log and any traceback, shown if a test fails.
        let mut stderr = child.stderr.take().expect("piped stderr");
        let stderr_log = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buffer) {
                let text = String::from_utf8_lossy(&buffer[..n]);
                stderr_log.lock().unwrap().push_str(&text);
            }
        });

        let mut server = AuthlibServer {
            child,
            stdin,
            issuer: String::new(),
            log,
        };
        match ready_rx.recv_timeout(READY_TIMEOUT) {
            Ok(line) => match line.strip_prefix("READY ") {
                Some(issuer) if issuer.starts_with("http://127.0.0.1:") => {
                    server.issuer = issuer.to_owned();
                }
                _ => server.fail(&format!("unexpected first line {line:?}")),
            },
            Err(mpsc::RecvTimeoutError::Timeout) => {
                server.fail(&format!("no READY line within {READY_TIMEOUT:?}"))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                server.fail("the server exited before printing READY")
            }
        }
        server
    }

    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        let status = self.child.wait();
        // Give the stderr reader a moment to collect the traceback.
        std::thread::sleep(Duration::from_millis(200));
        // The log follows, printed by `Drop` while this panic unwinds.
        panic!("Authlib server failed to start: {why} (exit: {status:?})");
    }

    /// `http://127.0.0.1:PORT`, as the server prints it and puts in `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// What the server wrote to stderr so far (request log, tracebacks).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The server's RFC 8414 metadata, deserialized by the crate.
    pub fn metadata(&self) -> ServerMetadata {
        let response = get(&self.url("/.well-known/oauth-authorization-server"), None);
        assert_eq!(response.status(), 200, "{}", self.log());
        serde_json::from_slice(response.body()).expect("RFC 8414 metadata")
    }

    /// A client of this server from its discovery document.
    pub fn client(&self, which: AuthlibClient) -> Client {
        client(self.metadata(), which, which.authentication())
    }

    /// Drives the browser part of a login: the redirect to the login page,
    /// the login form (its session cookie kept in a one-cookie jar), the
    /// consent page and the consent form. Returns the URL the server
    /// redirects the browser to at the end: our redirect URI with the
    /// authorization response (never requested: there is no listener).
    pub fn browser_log_in(&self, authorization_url: &str, consent: Consent) -> String {
        let issuer = &self.issuer;
        assert!(authorization_url.starts_with(&format!("{issuer}/authorize?")));

        // 1. Not logged in: off to the login page.
        let response = get(authorization_url, None);
        let login = self.redirect_target(&response, "the unauthenticated authorize GET");
        let next = login
            .strip_prefix("/login?")
            .and_then(|query| {
                url::form_urlencoded::parse(query.as_bytes())
                    .find(|(name, _)| name == "next")
                    .map(|(_, value)| value.into_owned())
            })
            .unwrap_or_else(|| panic!("not a login redirect: {login}"));

        // 2. The user logs in; the session cookie goes in the jar.
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("username", TEST_USER)
            .append_pair("password", TEST_PASSWORD)
            .append_pair("next", &next)
            .finish();
        let response = post_form(&self.url("/login"), &body, None);
        let back = self.redirect_target(&response, "the login POST");
        assert_eq!(back, next);
        let cookie = response
            .headers()
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with("session="))
            .and_then(|value| value.split(';').next())
            .unwrap_or_else(|| panic!("no session cookie: {response:?}"))
            .to_owned();

        // 3. Logged in: the consent page, or at once the error redirect.
        let authorize = self.url(&next);
        let response = get(&authorize, Some(&cookie));
        if response.status().is_redirection() {
            return self.redirect_target(&response, "the authorize GET");
        }
        assert_eq!(response.status(), 200, "{}", self.log());
        let page = String::from_utf8_lossy(response.body());
        assert!(page.contains("name=decision"), "not a consent page: {page}");

        // 4. The user decides; the server redirects to our redirect URI.
        let decision = match consent {
            Consent::Allow => "decision=allow",
            Consent::Deny => "decision=deny",
        };
        let response = post_form(&authorize, decision, Some(&cookie));
        let callback = self.redirect_target(&response, "the consent POST");
        assert!(
            callback.starts_with(&format!("{REDIRECT_URI}?")),
            "not a redirect to our redirect URI: {callback}"
        );
        callback
    }

    /// Starts a login and lets the test user log in and consent: the
    /// pending flow and the callback the browser brings back.
    pub fn log_in(&self, client: &Client) -> (AwaitingCallback, Callback) {
        let (authorization, pending) = Start::new(client)
            .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
            .unwrap();
        let callback_url = self.browser_log_in(authorization.url().as_str(), Consent::Allow);
        (pending, Callback::from_url(&callback_url).unwrap())
    }

    /// The whole flow up to the tokens, asking for `scope`.
    pub fn authorize(&self, client: &Client, scope: &str) -> Authorized {
        let (authorization, pending) = Start::new(client)
            .scope(Scope::parse(scope).unwrap())
            .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
            .unwrap();
        let callback_url = self.browser_log_in(authorization.url().as_str(), Consent::Allow);
        let callback = Callback::from_url(&callback_url).unwrap();
        let exchanging = pending.handle_callback(client, callback).unwrap();
        let response = send(exchanging.token_request_http().unwrap()).unwrap();
        exchanging.handle_token_response(&response, NOW).unwrap()
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
        let mut request = http::Request::builder()
            .method(method)
            .uri(self.url(path))
            .body(Vec::new())
            .unwrap();
        if let Some(authorized) = authorized {
            authorized.authorize_request(&mut request).unwrap();
        }
        send(request).unwrap()
    }

    fn redirect_target(&self, response: &http::Response<Vec<u8>>, what: &str) -> String {
        assert_eq!(
            response.status(),
            302,
            "{what}: {response:?} {}\n--- server log ---\n{}",
            String::from_utf8_lossy(response.body()),
            self.log()
        );
        response.headers()[http::header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned()
    }
}

impl Drop for AuthlibServer {
    fn drop(&mut self) {
        // Closing stdin alone would stop it; kill to be quick and sure.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- Authlib server log ---\n{}", self.log());
        }
    }
}

fn append(log: &Mutex<String>, line: &str) {
    let mut log = log.lock().unwrap();
    log.push_str(line);
    log.push('\n');
}

/// A client with the given metadata, identity and authentication.
pub fn client(
    metadata: ServerMetadata,
    which: AuthlibClient,
    authentication: ClientAuthentication,
) -> Client {
    Client::new(
        metadata,
        ClientId::new(which.client_id()).unwrap(),
        authentication,
        RedirectUri::new(REDIRECT_URI).unwrap(),
    )
    .unwrap()
}

fn get(url: &str, cookie: Option<&str>) -> http::Response<Vec<u8>> {
    let mut request = http::Request::get(url);
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    send(request.body(Vec::new()).unwrap()).unwrap()
}

fn post_form(url: &str, body: &str, cookie: Option<&str>) -> http::Response<Vec<u8>> {
    let mut request = http::Request::post(url).header(
        http::header::CONTENT_TYPE,
        "application/x-www-form-urlencoded",
    );
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    send(request.body(body.as_bytes().to_vec()).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------
// The venv
// ---------------------------------------------------------------------------

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's interpreter, building the venv once per process (and once per
/// requirements and interpreter across processes). A failure is reported
/// once, and every test that asks panics with it.
pub fn venv_python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(ensure_venv) {
        Ok(python) => python,
        Err(why) => panic!("the Authlib interop venv is unavailable: {why}"),
    }
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
    let key = format!(
        "{:016x}",
        fnv1a(&[requirements.as_slice(), identity.as_bytes()].concat())
    );

    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join("interop-venv");
    let venv = root.join(&key);
    let python = venv.join("bin").join("python");
    if venv.join(".complete").exists() {
        return Ok(python);
    }

    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let build = root.join(format!(".build-{key}-{}-{nanos}", std::process::id()));
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

/// Runs a command to completion; its stdout, or why it failed.
fn run(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot {what}: {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cannot {what}: {command:?} exited with {}\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// FNV-1a, 64 bits: enough to notice that the requirements changed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

//! What the interop harnesses share, whatever the server behind them:
//! supervising the server's process ([`ServerProcess`]), a browser's few
//! HTTP moves ([`get`], [`post_form`], [`CookieJar`], [`query_param`]), the
//! plumbing of the one-time installs (a venv, `npm ci`), and in
//! [`scenario`] the test bodies that run alike against every server.
//!
//! Included by `tests/interop_common/` (Authlib) and
//! `tests/interop_node_common/` (oidc-provider) with `#[path]`; each
//! harness re-exports what its tests use.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use std::collections::BTreeMap;

use oauth2_pkce::{
    AwaitingCallback, Client, ClientAuthentication, ClientId, FlowEntropy, RedirectUri,
    ServerMetadata, Start, UnixTime,
};

pub mod scenario;

pub use oauth2_pkce_test_server::send;

/// The one redirect URI every client of either server is registered with.
pub const REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// A fixed "now" for the flows: the servers keep their own clocks.
pub const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

/// How long a server may take to print `READY` (a cold Authlib start
/// imports Flask, Authlib and cryptography; Node starts in well under a
/// second; two cores, tests in parallel).
const READY_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// The server's process
// ---------------------------------------------------------------------------

/// A running authorization server, started from a [`Command`]; stopped on
/// drop, even when the test panics, and then its log is printed.
///
/// The server must print `READY http://127.0.0.1:PORT` as its first line
/// of stdout, and exit by itself when its stdin closes, so that a test
/// process that dies without unwinding leaves nothing running.
pub struct ServerProcess {
    /// Names the server in failures: "Authlib server", "oidc-provider".
    name: &'static str,
    child: Child,
    /// Held only so that dropping it closes the server's stdin.
    stdin: Option<ChildStdin>,
    issuer: String,
    log: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Spawns `command` with piped stdin, stdout and stderr, and waits for
    /// its `READY <issuer>` line. Panics (loudly) if it does not come.
    pub fn start(name: &'static str, command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                let program = Path::new(command.get_program());
                panic!("cannot start {}: {e}", program.display())
            });
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
                let mut log = stdout_log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        // stderr: the request log, the server's events and any traceback,
        // shown if a test fails.
        let mut stderr = child.stderr.take().expect("piped stderr");
        let stderr_log = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buffer) {
                let text = String::from_utf8_lossy(&buffer[..n]);
                stderr_log.lock().unwrap().push_str(&text);
            }
        });

        let mut server = ServerProcess {
            name,
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
        panic!("{} failed to start: {why} (exit: {status:?})", self.name);
    }

    /// `http://127.0.0.1:PORT`, as the server prints it and puts in `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// What the server wrote so far (request log, events, tracebacks).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Whether the server logs `needle`, waiting up to five seconds for
    /// it: the log is read from the server's output by another thread, so
    /// a line the server wrote while answering may arrive after the answer.
    pub fn log_contains(&self, needle: &str) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// `GET path`, which must answer `200` with JSON: the JSON, as `T`.
    pub fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = get(&self.url(path), None);
        assert_eq!(response.status(), 200, "{}", self.log());
        serde_json::from_slice(response.body())
            .unwrap_or_else(|e| panic!("GET {path}: not the JSON expected: {e}"))
    }

    /// The `Location` a redirect points to, after checking that `response`
    /// (to `what`) is a redirect with one of the `expected` statuses.
    pub fn redirect_target(
        &self,
        response: &http::Response<Vec<u8>>,
        expected: &[u16],
        what: &str,
    ) -> String {
        assert!(
            expected.contains(&response.status().as_u16()),
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

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Closing stdin alone would stop it; kill to be quick and sure.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- {} log ---\n{}", self.name, self.log());
        }
    }
}

// ---------------------------------------------------------------------------
// Clients, logins and a browser's HTTP
// ---------------------------------------------------------------------------

/// A client with the given metadata, identity and authentication, at
/// [`REDIRECT_URI`].
pub fn client(
    metadata: ServerMetadata,
    client_id: &str,
    authentication: ClientAuthentication,
) -> Client {
    Client::new(metadata, ClientId::new(client_id).unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new(REDIRECT_URI).unwrap())
}

/// Begins the login `start` describes and lets `browser` take its
/// authorization URL to the redirect URI: the pending flow and the
/// callback URL as it came.
pub fn log_in(
    start: Start<'_>,
    browser: impl FnOnce(&str) -> String,
) -> (AwaitingCallback, String) {
    let (authorization, pending) = start
        .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let callback_url = browser(authorization.url());
    (pending, callback_url)
}

/// A request to a protected resource, with the access token when given.
pub fn call(
    method: http::Method,
    url: &str,
    authorized: Option<&oauth2_pkce::Authorized>,
) -> http::Response<Vec<u8>> {
    let mut request = http::Request::builder()
        .method(method)
        .uri(url)
        .body(Vec::new())
        .unwrap();
    if let Some(authorized) = authorized {
        authorized.authorize_request(&mut request).unwrap();
    }
    send(request).unwrap()
}

/// A plain `GET`, with a `Cookie` header when given.
pub fn get(url: &str, cookie: Option<&str>) -> http::Response<Vec<u8>> {
    let mut request = http::Request::get(url);
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    send(request.body(Vec::new()).unwrap()).unwrap()
}

/// A form `POST`, with a `Cookie` header when given.
pub fn post_form(url: &str, body: &str, cookie: Option<&str>) -> http::Response<Vec<u8>> {
    let mut request = http::Request::post(url).header(
        http::header::CONTENT_TYPE,
        "application/x-www-form-urlencoded",
    );
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    send(request.body(body.as_bytes().to_vec()).unwrap()).unwrap()
}

/// The value of the query parameter `name` of `url` (absolute, or a path
/// with a query).
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = match url.split_once('?') {
        Some((_, query)) => query,
        None => "",
    };
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// A browser's cookies for the one origin a login runs on. Paths are
/// ignored: the servers name their cookies apart, and a login uses a fresh
/// jar.
#[derive(Default)]
pub struct CookieJar(BTreeMap<String, String>);

impl CookieJar {
    /// Keeps the cookies `response` sets, and forgets those it clears.
    pub fn store(&mut self, response: &http::Response<Vec<u8>>) {
        for value in response.headers().get_all(http::header::SET_COOKIE) {
            let value = value.to_str().expect("an ASCII Set-Cookie");
            let mut attributes = value.split(';').map(str::trim);
            let (name, content) = attributes
                .next()
                .and_then(|pair| pair.split_once('='))
                .unwrap_or_else(|| panic!("not a cookie: {value}"));
            // oidc-provider clears a cookie with an empty value and an
            // expiry in 1970.
            let cleared = content.is_empty()
                || attributes.any(|attribute| {
                    let attribute = attribute.to_ascii_lowercase();
                    (attribute.starts_with("expires=") && attribute.contains("1970"))
                        || attribute == "max-age=0"
                });
            if cleared {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), content.to_owned());
            }
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The `Cookie` header to send, if there is any cookie.
    pub fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

// ---------------------------------------------------------------------------
// The one-time installs (the Python venv, the npm packages)
// ---------------------------------------------------------------------------

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What a one-time install gives (an interpreter, a `node`), made once per
/// process: `cell` keeps the outcome, so a failure is reported once and
/// every test that asks panics with it, loudly (never a skip).
pub fn install_once(
    cell: &'static OnceLock<Result<PathBuf, String>>,
    install: fn() -> Result<PathBuf, String>,
    what: &str,
) -> &'static Path {
    match cell.get_or_init(install) {
        Ok(path) => path,
        Err(why) => panic!("{what} is unavailable: {why}"),
    }
}

/// `target/<name>/`, beside `CARGO_TARGET_TMPDIR`: where an install is
/// kept or built.
pub fn target_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join(name)
}

/// `<key>-<pid>-<nanos>`: a name for a build directory that no other
/// process (nor earlier build of this one) uses.
pub fn unique_name(key: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{key}-{}-{nanos}", std::process::id())
}

/// The key of an install made from `inputs`: FNV-1a, 64 bits, in hex;
/// enough to notice that one of them changed.
pub fn install_key(inputs: &[&[u8]]) -> String {
    let hash = inputs
        .iter()
        .flat_map(|input| input.iter())
        .fold(0xcbf2_9ce4_8422_2325, |hash: u64, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{hash:016x}")
}

/// Runs a command to completion; its stdout, or why it failed.
pub fn run(command: &mut Command, what: &str) -> Result<String, String> {
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

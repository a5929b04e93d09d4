//! Interop with a real, third-party authorization server: panva's
//! `oidc-provider` (Node.js, a certified OpenID Provider) on 127.0.0.1.
//!
//! [`OidcProvider::start`] installs `tests/interop_node/` with `npm ci` on
//! first use (the exact versions of `package-lock.json`; skipped while the
//! stamp inside `node_modules` matches the hash of `package.json` and
//! `package-lock.json`), starts `tests/interop_node/server.mjs` on a free
//! loopback port, waits for its `READY <issuer>` line and stops it when
//! dropped, even when the test panics. The server also exits by itself when
//! its stdin closes, so a test process that dies without unwinding leaves
//! nothing running.
//!
//! A missing `node` or `npm`, a Node.js older than 18 or a failing
//! `npm ci` is a test failure with the reason, never a skip. Set
//! `OAUTH2_PKCE_INTEROP_NODE` / `OAUTH2_PKCE_INTEROP_NPM` to use other
//! executables than `node` / `npm` from `PATH`.

#![allow(dead_code)]

use std::collections::BTreeMap;
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

/// The one redirect URI every client of the server is registered with.
pub const REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The test user the interaction logs in.
pub const TEST_USER: &str = "alice";
/// Access tokens live this long (`ttl.AccessToken`).
pub const ACCESS_TOKEN_LIFETIME: u64 = 3600;

/// A fixed "now" for the flows: the server keeps its own clock.
pub const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

/// How long the server may take to print `READY` (Node starts in well under
/// a second; two cores, tests in parallel).
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The oldest Node.js oidc-provider 8.x supports.
const MIN_NODE_MAJOR: u32 = 18;

/// The clients registered in `server.mjs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpClient {
    /// `basic-client`, `client_secret_basic`.
    Basic,
    /// `post-client`, `client_secret_post`.
    Post,
    /// `public-client`, `none` (a native app: loopback redirect URI).
    Public,
    /// `par-client`, `client_secret_basic`, registered with
    /// `require_pushed_authorization_requests`.
    Par,
}

impl OpClient {
    /// The three clients that may use a plain authorization URL.
    pub const ALL: [OpClient; 3] = [Self::Basic, Self::Post, Self::Public];

    pub fn client_id(self) -> &'static str {
        match self {
            Self::Basic => "basic-client",
            Self::Post => "post-client",
            Self::Public => "public-client",
            Self::Par => "par-client",
        }
    }

    /// The registered secret (empty for the public client).
    pub fn secret(self) -> &'static str {
        match self {
            Self::Basic => "basic-secret",
            Self::Post => "post-secret",
            Self::Public => "",
            Self::Par => "par-secret",
        }
    }

    /// The authentication this client is registered for, with `secret`.
    pub fn authentication_with(self, secret: &str) -> ClientAuthentication {
        match self {
            Self::Basic | Self::Par => {
                ClientAuthentication::ClientSecretBasic(ClientSecret::new(secret))
            }
            Self::Post => ClientAuthentication::ClientSecretPost(ClientSecret::new(secret)),
            Self::Public => ClientAuthentication::None,
        }
    }

    pub fn authentication(self) -> ClientAuthentication {
        self.authentication_with(self.secret())
    }
}

/// A running oidc-provider; stopped on drop.
pub struct OidcProvider {
    child: Child,
    /// Held only so that dropping it closes the server's stdin.
    stdin: Option<ChildStdin>,
    issuer: String,
    log: Arc<Mutex<String>>,
}

impl OidcProvider {
    /// Installs the npm packages if needed, starts the server and waits
    /// until it listens. Panics (loudly) if anything is missing.
    pub fn start() -> Self {
        let node = node_ready();
        let mut child = Command::new(node)
            .arg("server.mjs")
            .current_dir(node_dir())
            .env("NODE_ENV", "test")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", node.display()));
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
        // stderr: the request log, provider events and any stack trace.
        let mut stderr = child.stderr.take().expect("piped stderr");
        let stderr_log = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buffer) {
                let text = String::from_utf8_lossy(&buffer[..n]);
                stderr_log.lock().unwrap().push_str(&text);
            }
        });

        let mut server = OidcProvider {
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
        // Give the stderr reader a moment to collect the stack trace.
        std::thread::sleep(Duration::from_millis(200));
        // The log follows, printed by `Drop` while this panic unwinds.
        panic!("oidc-provider failed to start: {why} (exit: {status:?})");
    }

    /// `http://127.0.0.1:PORT`, as the server prints it and puts in `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// What the server wrote to stderr so far (request log, events).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The provider's discovery document, as JSON.
    pub fn discovery_document(&self) -> serde_json::Value {
        let response = get(&self.url("/.well-known/openid-configuration"), None);
        assert_eq!(response.status(), 200, "{}", self.log());
        serde_json::from_slice(response.body()).expect("a JSON discovery document")
    }

    /// The provider's OpenID discovery document, deserialized by the crate
    /// (its members are RFC 8414's).
    pub fn metadata(&self) -> ServerMetadata {
        let response = get(&self.url("/.well-known/openid-configuration"), None);
        assert_eq!(response.status(), 200, "{}", self.log());
        serde_json::from_slice(response.body()).expect("discovery document as ServerMetadata")
    }

    /// A client of this server from its discovery document.
    pub fn client(&self, which: OpClient) -> Client {
        client(self.metadata(), which, which.authentication())
    }

    /// Drives the browser part of a login: follows the redirects from the
    /// authorization URL through oidc-provider's interactions (login, then
    /// consent, both automated by `server.mjs`), with a cookie jar. Returns
    /// the URL the server finally redirects the browser to: our redirect
    /// URI with the authorization response (never requested: nothing
    /// listens there).
    pub fn browser_log_in(&self, authorization_url: &str) -> String {
        assert!(
            authorization_url.starts_with(&format!("{}/auth?", self.issuer)),
            "{authorization_url}"
        );
        let mut jar = CookieJar::default();
        let mut url = authorization_url.to_owned();
        for _hop in 0..12 {
            let response = get(&url, jar.header().as_deref());
            jar.store(&response);
            let location = self.redirect_target(&response, &url);
            if location.starts_with(REDIRECT_URI) {
                assert!(
                    location.starts_with(&format!("{REDIRECT_URI}?")),
                    "not a query response to our redirect URI: {location}"
                );
                return location;
            }
            url = if location.starts_with('/') {
                self.url(&location)
            } else {
                location
            };
            assert!(
                url.starts_with(&format!("{}/", self.issuer)),
                "redirected off the provider: {url}"
            );
        }
        panic!(
            "no redirect to {REDIRECT_URI} after 12 hops\n--- server log ---\n{}",
            self.log()
        );
    }

    /// Starts a login, asking for `scope`, and lets the test user log in
    /// and consent: the pending flow and the callback the browser brings
    /// back.
    pub fn log_in(&self, client: &Client, scope: &str) -> (AwaitingCallback, Callback) {
        let (pending, url) = self.log_in_url(client, scope);
        (pending, Callback::from_url(&url).unwrap())
    }

    /// As [`log_in`](Self::log_in), with the callback URL as it came.
    pub fn log_in_url(&self, client: &Client, scope: &str) -> (AwaitingCallback, String) {
        let (authorization, pending) = Start::new(client)
            .scope(Scope::parse(scope).unwrap())
            .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
            .unwrap();
        let url = self.browser_log_in(authorization.url().as_str());
        (pending, url)
    }

    /// The whole flow up to the tokens, asking for `scope`.
    pub fn authorize(&self, client: &Client, scope: &str) -> Authorized {
        let (pending, callback) = self.log_in(client, scope);
        let exchanging = pending.handle_callback(client, callback).unwrap();
        let response = send(exchanging.token_request_http().unwrap()).unwrap();
        assert_eq!(
            response.status(),
            200,
            "{}\n--- server log ---\n{}",
            String::from_utf8_lossy(response.body()),
            self.log()
        );
        exchanging.handle_token_response(&response, NOW).unwrap()
    }

    /// Calls the provider's own protected resource, the OpenID Connect
    /// userinfo endpoint (`GET /me`), with the access token when given.
    pub fn userinfo(&self, authorized: Option<&Authorized>) -> http::Response<Vec<u8>> {
        self.call(&self.url("/me"), authorized)
    }

    /// Calls `server.mjs`'s own resource `GET /api/me`, which looks the
    /// token up in the provider's store (user and client credentials
    /// tokens alike).
    pub fn call_api(&self, authorized: Option<&Authorized>) -> http::Response<Vec<u8>> {
        self.call(&self.url("/api/me"), authorized)
    }

    /// A `GET` of `url`, with the access token when given.
    pub fn call(&self, url: &str, authorized: Option<&Authorized>) -> http::Response<Vec<u8>> {
        let mut request = http::Request::get(url).body(Vec::new()).unwrap();
        if let Some(authorized) = authorized {
            authorized.authorize_request(&mut request).unwrap();
        }
        send(request).unwrap()
    }

    fn redirect_target(&self, response: &http::Response<Vec<u8>>, what: &str) -> String {
        assert!(
            matches!(response.status().as_u16(), 302 | 303),
            "GET {what}: {response:?} {}\n--- server log ---\n{}",
            String::from_utf8_lossy(response.body()),
            self.log()
        );
        response.headers()[http::header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        // Closing stdin alone would stop it; kill to be quick and sure.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- oidc-provider log ---\n{}", self.log());
        }
    }
}

fn append(log: &Mutex<String>, line: &str) {
    let mut log = log.lock().unwrap();
    log.push_str(line);
    log.push('\n');
}

/// A browser's cookies for the one origin the login runs on. Paths are
/// ignored: oidc-provider names its cookies apart, and a login uses a fresh
/// jar.
#[derive(Default)]
struct CookieJar(BTreeMap<String, String>);

impl CookieJar {
    fn store(&mut self, response: &http::Response<Vec<u8>>) {
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

    fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// A client with the given metadata, identity and authentication.
pub fn client(
    metadata: ServerMetadata,
    which: OpClient,
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

/// A plain `GET`, with a `Cookie` header when given.
pub fn get(url: &str, cookie: Option<&str>) -> http::Response<Vec<u8>> {
    let mut request = http::Request::get(url);
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    send(request.body(Vec::new()).unwrap()).unwrap()
}

/// The value of the query parameter `name` of `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

// ---------------------------------------------------------------------------
// Node.js and the npm packages
// ---------------------------------------------------------------------------

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/interop_node/`: `server.mjs`, `package.json`, the lock file and,
/// once installed, `node_modules/`.
pub fn node_dir() -> PathBuf {
    manifest_dir().join("tests/interop_node")
}

/// The stamp `npm ci` leaves in `node_modules`: the hash of the manifest
/// and the lock file the packages were installed from.
const STAMP: &str = ".oauth2-pkce-interop-stamp";

/// The `node` to run the server with, once the packages are installed
/// (once per process, and once per lock file across processes). A failure
/// is reported once, and every test that asks panics with it.
pub fn node_ready() -> &'static Path {
    static NODE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match NODE.get_or_init(ensure_installed) {
        Ok(node) => node,
        Err(why) => panic!("the oidc-provider interop server is unavailable: {why}"),
    }
}

/// Checks Node.js, then makes `tests/interop_node/node_modules` what
/// `package-lock.json` says, unless its stamp says it already is.
///
/// Concurrency: threads of one test binary share the [`OnceLock`] above.
/// Separate processes (several test binaries at once, `cargo nextest`)
/// each run `npm ci` in their own directory under `target/interop-node/`
/// and `rename` the finished `node_modules` (stamp included) into place:
/// the rename is atomic and fails onto a non-empty directory, so the first
/// one wins and the others throw their copy away. `node_modules` is plain
/// files with relative links, so it runs from its new place.
fn ensure_installed() -> Result<PathBuf, String> {
    let node = PathBuf::from(
        std::env::var_os("OAUTH2_PKCE_INTEROP_NODE").unwrap_or_else(|| "node".into()),
    );
    let version = run(
        Command::new(&node).arg("--version"),
        "find Node.js (is node installed and on PATH?)",
    )?;
    let major = version
        .trim()
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|major| major.parse::<u32>().ok())
        .ok_or_else(|| format!("cannot read the Node.js version {version:?}"))?;
    if major < MIN_NODE_MAJOR {
        return Err(format!(
            "Node.js {} is too old: oidc-provider needs {MIN_NODE_MAJOR} or newer",
            version.trim()
        ));
    }

    let dir = node_dir();
    let read =
        |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"));
    let key = format!(
        "{:016x}",
        fnv1a(&[read("package.json")?, read("package-lock.json")?].concat())
    );
    let modules = dir.join("node_modules");
    let installed = |modules: &Path| {
        std::fs::read_to_string(modules.join(STAMP)).is_ok_and(|stamp| stamp.trim() == key)
    };
    if installed(&modules) {
        return Ok(node);
    }

    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join("interop-node");
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let unique = format!("{key}-{}-{nanos}", std::process::id());
    let build = root.join(format!(".build-{unique}"));
    let started = Instant::now();
    let result = npm_ci(&dir, &build, &key).and_then(|()| {
        let elapsed = started.elapsed();
        let built = build.join("node_modules");
        // Out with a stale install (another lock file), then in with ours.
        if modules.exists() && !installed(&modules) {
            let stale = root.join(format!(".stale-{unique}"));
            if std::fs::rename(&modules, &stale).is_ok() {
                let _ = std::fs::remove_dir_all(&stale);
            }
        }
        match std::fs::rename(&built, &modules) {
            Ok(()) => {
                eprintln!(
                    "interop: npm ci installed {} in {elapsed:.1?}",
                    modules.display()
                );
                Ok(())
            }
            // Another process won the race.
            Err(_) if installed(&modules) => Ok(()),
            Err(e) => Err(format!(
                "cannot move the new node_modules to {} ({e}); delete that directory and retry",
                modules.display()
            )),
        }
    });
    let _ = std::fs::remove_dir_all(&build);
    result.map(|()| node)
}

/// `npm ci` of `dir`'s manifest and lock file in `build`, then the stamp.
fn npm_ci(dir: &Path, build: &Path, key: &str) -> Result<(), String> {
    std::fs::create_dir_all(build)
        .map_err(|e| format!("cannot create {}: {e}", build.display()))?;
    for name in ["package.json", "package-lock.json"] {
        std::fs::copy(dir.join(name), build.join(name))
            .map_err(|e| format!("cannot copy {name} to {}: {e}", build.display()))?;
    }
    let npm = std::env::var_os("OAUTH2_PKCE_INTEROP_NPM").unwrap_or_else(|| "npm".into());
    run(
        Command::new(npm)
            .args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=error",
            ])
            .current_dir(build),
        "npm ci in tests/interop_node (is npm installed, the npm registry reachable?)",
    )?;
    let modules = build.join("node_modules");
    if !modules.join("oidc-provider").join("package.json").exists() {
        return Err(format!(
            "npm ci left no oidc-provider in {}",
            modules.display()
        ));
    }
    std::fs::write(modules.join(STAMP), key)
        .map_err(|e| format!("cannot stamp {}: {e}", modules.display()))
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

/// FNV-1a, 64 bits: enough to notice that the lock file changed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

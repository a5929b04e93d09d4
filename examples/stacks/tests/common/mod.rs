//! What the integration tests share: a second, independent provider —
//! panva's oidc-provider (Node.js, a certified OpenID Provider), the server
//! of the core crate's interop suite (`tests/interop_node/server.mjs`), on
//! a free loopback port; its login and consent are automated by
//! `server.mjs`, so a browser only follows redirects with a cookie jar —
//! and the `$BROWSER` script the example programs open.

// Each test binary uses a part.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// An app client that keeps no idle connection: the embedded server
/// (tiny_http) leaves a reused keep-alive connection unanswered when
/// requests arrive at once (4 of 8 waited 176 s), which a real provider
/// does not.
pub fn app_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// A free loopback port (free when asked).
pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// The browser's last step: follows the server's redirect to a loopback
/// listener and reads the page it answers with.
pub fn follow(location: String) -> String {
    let rest = location.strip_prefix("http://").unwrap();
    let (address, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut page = String::new();
    let _ = stream.read_to_string(&mut page);
    page
}

/// `cli_login`'s output after a sign-in: its first line (who signed in),
/// and the API's answer after it.
pub fn cli_output(stdout: &[u8]) -> (String, serde_json::Value) {
    let stdout = String::from_utf8_lossy(stdout);
    let (first, answer) = stdout
        .split_once('\n')
        .unwrap_or_else(|| panic!("{stdout}"));
    (first.to_owned(), serde_json::from_str(answer).unwrap())
}

/// A `$BROWSER` for a program under test: a script that hands the URL it
/// is asked to open over to the test.
pub struct BrowserScript {
    dir: PathBuf,
}

impl BrowserScript {
    /// Writes the script, in a directory of its own named after `name`.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = dir.join("url");
        let _ = std::fs::remove_file(&url);
        let script = dir.join("browser");
        let body = format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            url.display()
        );
        std::fs::write(&script, body).unwrap();
        let chmod = Command::new("chmod").arg("755").arg(&script).status();
        assert!(chmod.unwrap().success());
        Self { dir }
    }

    /// The script, for `BROWSER`.
    pub fn path(&self) -> PathBuf {
        self.dir.join("browser")
    }

    /// The URL the program opened, once it did (at most a minute).
    pub fn opened(&self) -> String {
        let started = Instant::now();
        loop {
            if let Ok(url) = std::fs::read_to_string(self.dir.join("url")) {
                return url;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no browser was opened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for BrowserScript {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A browser: one cookie, redirects not followed.
#[derive(Clone)]
pub struct Browser {
    http: reqwest::Client,
    base: String,
    /// The session cookie, `name=value`.
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            base: base.to_owned(),
            cookie: None,
        }
    }

    /// Sends a request to the app, keeping the session cookie it sets.
    pub async fn visit(&mut self, method: reqwest::Method, path_or_url: &str) -> reqwest::Response {
        let url = match path_or_url.starts_with("http") {
            true => path_or_url.to_owned(),
            false => format!("{}{path_or_url}", self.base),
        };
        let mut request = self.http.request(method, url);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        if let Some(set) = response.headers().get("set-cookie") {
            let set = set.to_str().unwrap();
            self.cookie = match set.contains("Max-Age=0") {
                true => None, // the session ended
                false => {
                    assert!(set.contains("HttpOnly"), "{set}");
                    assert!(set.contains("SameSite=Lax"), "{set}");
                    Some(set.split(';').next().unwrap().to_owned())
                }
            };
        }
        response
    }

    pub async fn get(&mut self, path_or_url: &str) -> reqwest::Response {
        self.visit(reqwest::Method::GET, path_or_url).await
    }
}

pub fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "{response:?}");
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A running oidc-provider, stopped when dropped.
pub struct OidcProvider {
    child: Child,
    /// Held open: the server exits when its stdin closes.
    _stdin: ChildStdin,
    issuer: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl OidcProvider {
    /// Starts the provider with `redirect_uris` registered for every
    /// client besides its own (`npm ci` first, when the packages are not
    /// installed yet). Panics with the reason when Node.js is missing.
    pub fn start(redirect_uris: &[&str]) -> Self {
        Self::start_with(redirect_uris, &[])
    }

    /// As [`start`](Self::start), with environment variables for
    /// `server.mjs` (`RESOURCE_INDICATORS=1`: resource indicators, open
    /// registration and the protected resource `/mcp`).
    pub fn start_with(redirect_uris: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop_node");
        if !dir.join("node_modules/oidc-provider").is_dir() {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .expect("npm is required for the oidc-provider tests");
            assert!(status.success(), "npm ci failed in {}", dir.display());
        }
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .env("NODE_ENV", "test")
            .env("EXTRA_REDIRECT_URIS", redirect_uris.join(" "))
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node is required for the oidc-provider tests");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (ready, issuer) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Some(issuer) = line.strip_prefix("READY ") {
                    let _ = ready.send(issuer.to_owned());
                }
            }
        });
        // One line per request (`POST /request 201`): what the tests read.
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let issuer = issuer
            .recv_timeout(Duration::from_secs(60))
            .expect("oidc-provider did not print READY within 60 s");
        Self {
            child,
            _stdin: stdin,
            issuer,
            log,
        }
    }

    /// The issuer identifier, `http://127.0.0.1:PORT`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Everything the provider logged, for a failing test's message.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// How many requests the provider logged starting with `prefix`
    /// (`"POST /request "`), once there are `expected` (a line is logged
    /// once its response is sent, so it may come a moment after the
    /// client has its answer) or five seconds have passed.
    pub fn requests(&self, prefix: &str, expected: usize) -> usize {
        let started = Instant::now();
        loop {
            let count = {
                let log = self.log.lock().unwrap();
                log.iter().filter(|line| line.starts_with(prefix)).count()
            };
            if count >= expected || started.elapsed() > Duration::from_secs(5) {
                return count;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Plays the user's browser from `authorization_url`: follows the
    /// provider's redirects through its (automated) login and consent with
    /// a cookie jar, and returns the first redirect that leaves the
    /// provider, the client's redirect URI with the authorization response.
    pub fn log_in(&self, authorization_url: &str) -> String {
        self.log_in_with(&mut BTreeMap::new(), authorization_url)
    }

    /// As [`log_in`](Self::log_in), in a browser whose cookies at the
    /// provider are `jar` (kept for [`log_out`](Self::log_out)).
    pub fn log_in_with(
        &self,
        jar: &mut BTreeMap<String, String>,
        authorization_url: &str,
    ) -> String {
        let agent = agent();
        let provider = format!("{}/", self.issuer);
        let mut url = authorization_url.to_owned();
        for _hop in 0..12 {
            assert!(url.starts_with(&provider), "off the provider: {url}");
            let cookies: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut request = agent.get(&url);
            if !cookies.is_empty() {
                request = request.header("cookie", cookies.join("; "));
            }
            let response = request.call().unwrap();
            keep_cookies(jar, &response);
            let status = response.status().as_u16();
            assert!(matches!(status, 302 | 303), "GET {url}: {status}");
            let location = response.headers()["location"].to_str().unwrap();
            url = match location.starts_with('/') {
                true => format!("{}{location}", self.issuer),
                false => location.to_owned(),
            };
            if !url.starts_with(&provider) {
                return url;
            }
        }
        panic!("the provider did not send the browser back within 12 redirects");
    }

    /// The user logs out at the provider in the browser of `jar`
    /// (RP-Initiated Logout 1.0 at `/session/end`, confirmed on the
    /// provider's own page): the provider ends its session and sends its
    /// logout tokens on the back channels before it answers.
    pub fn log_out(&self, jar: &mut BTreeMap<String, String>, client_id: &str) {
        let agent = agent();
        let cookies = |jar: &BTreeMap<String, String>| {
            let pairs: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            pairs.join("; ")
        };
        let url = format!("{}/session/end?client_id={client_id}", self.issuer);
        let mut page = agent
            .get(&url)
            .header("cookie", cookies(jar))
            .call()
            .unwrap();
        assert_eq!(page.status(), 200, "GET {url}");
        keep_cookies(jar, &page);
        let page = page.body_mut().read_to_string().unwrap();
        let marker = r#"name="xsrf" value=""#;
        let start = page.find(marker).expect("an xsrf field") + marker.len();
        let xsrf = &page[start..start + page[start..].find('"').unwrap()];
        let confirmed = agent
            .post(format!("{}/session/end/confirm", self.issuer))
            .header("cookie", cookies(jar))
            .content_type("application/x-www-form-urlencoded")
            .send(format!("xsrf={xsrf}&logout=yes"))
            .unwrap();
        let status = confirmed.status().as_u16();
        assert!(
            matches!(status, 302 | 303),
            "the logout confirmation: {status}"
        );
    }

    /// `POST`s an empty body to the provider's `path`; the status.
    pub fn post(&self, path: &str) -> u16 {
        let url = format!("{}{path}", self.issuer);
        let response = agent().post(&url).send_empty().unwrap();
        response.status().as_u16()
    }

    /// `GET`s the provider's `path`, JSON.
    pub fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let url = format!("{}{path}", self.issuer);
        let mut response = agent().get(&url).call().unwrap();
        serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap()
    }
}

/// A browser's HTTP client: no redirect followed, every status an answer.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// Keeps the cookies `response` sets in `jar`.
fn keep_cookies(jar: &mut BTreeMap<String, String>, response: &http::Response<ureq::Body>) {
    for set in response.headers().get_all("set-cookie") {
        let pair = set.to_str().unwrap().split(';').next().unwrap();
        let (name, value) = pair.split_once('=').unwrap();
        jar.insert(name.to_owned(), value.to_owned());
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `redis-server` from Debian's package on a free loopback port, with
/// its append-only file fsynced on every write, in a directory of its own.
pub struct Redis {
    port: u16,
    dir: std::path::PathBuf,
    child: Option<std::process::Child>,
}

impl Redis {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("web-app-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = Self {
            port,
            dir,
            child: None,
        };
        redis.resume();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Starts the server (again, on the same port and files) and waits
    /// until it answers.
    pub fn resume(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is needed (Debian: apt-get install redis-server)");
        self.child = Some(child);
        let started = std::time::Instant::now();
        loop {
            use std::io::{Read, Write};
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                let mut answer = [0; 7];
                if stream.write_all(b"PING\r\n").is_ok()
                    && stream.read_exact(&mut answer).is_ok()
                    && &answer == b"+PONG\r\n"
                {
                    return;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server (no shutdown save: only the fsynced file remains).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

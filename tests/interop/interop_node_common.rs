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
//!
//! The process supervision, the browser's HTTP and the scenarios run alike
//! against Authlib are shared, in `tests/interop_support/`.

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

use support::{manifest_dir, post_form, run, CookieJar, ServerProcess};
// For the tests; not every test file uses all.
#[allow(unused_imports)]
pub use support::{get, query_param, scenario, send, NOW, REDIRECT_URI};

/// The test user the interaction logs in.
pub const TEST_USER: &str = "alice";
/// Access tokens live this long (`ttl.AccessToken`).
pub const ACCESS_TOKEN_LIFETIME: u64 = 3600;

/// How long `device-short-client`'s device codes live (`ttl.DeviceCode`).
pub const DEVICE_SHORT_TTL: u64 = 8;
/// How long `short-lived-client`'s client credentials tokens live.
pub const SHORT_TOKEN_TTL: u64 = 2;

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
    /// `device-client`, `client_secret_basic`: the device authorization
    /// grant (RFC 8628) and refresh tokens.
    Device,
    /// `device-slow-client`, `none`: the device grant; `server.mjs` tells
    /// its first poll to slow down.
    DeviceSlow,
    /// `device-short-client`, `client_secret_basic`: the device grant, with
    /// device codes that live [`DEVICE_SHORT_TTL`] seconds.
    DeviceShort,
    /// `short-lived-client`, `client_secret_basic`: client credentials
    /// tokens that live [`SHORT_TOKEN_TTL`] seconds.
    ShortLived,
    /// `userinfo-jwt-client`, `client_secret_basic`, registered with
    /// `userinfo_signed_response_alg: RS256` (Core §5.3.2).
    UserinfoJwt,
    /// `hs-id-token-client`, `client_secret_basic`, registered with
    /// `id_token_signed_response_alg: HS256` (Core §10.1).
    IdTokenHs256,
    /// `exchange-client`, `client_secret_basic`: the token exchange grant
    /// (RFC 8693) alone.
    Exchange,
    /// `jar-client`, `client_secret_basic`, registered with
    /// `require_signed_request_object` and RFC 7515 A.3's P-256 key
    /// (RFC 9101).
    Jar,
    /// `jwt-introspection-client`, `client_secret_basic`, registered with
    /// `introspection_signed_response_alg: RS256` (RFC 9701).
    JwtIntrospection,
    // Rich authorization requests (RFC 9396).
    /// `rar-client`, `client_secret_basic`, registered (on a server with
    /// `RICH_AUTHORIZATION_REQUESTS=1`) for `payment_initiation`
    /// authorization details.
    Rar,
    // Mutual TLS (RFC 8705): registered when the server is started with
    // `MTLS_DIR` (see `oidc_provider_mtls`).
    /// `mtls-client`, `tls_client_auth` with `tls_client_auth_subject_dn`
    /// `O=oauth2-pkce,CN=mtls-client`, certificate-bound tokens.
    Mtls,
    /// `mtls-self-signed-client`, `self_signed_tls_client_auth` with its
    /// certificate as the `x5c` of its `jwks`, certificate-bound tokens.
    MtlsSelfSigned,
    // OpenID CIBA Core 1.0.
    /// `ciba-client`, `client_secret_basic`: backchannel authentication
    /// in poll mode, and refresh tokens.
    Ciba,
    /// `ciba-ping-client`, `client_secret_basic`: backchannel
    /// authentication in ping mode.
    CibaPing,
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
            Self::Device => "device-client",
            Self::DeviceSlow => "device-slow-client",
            Self::DeviceShort => "device-short-client",
            Self::ShortLived => "short-lived-client",
            Self::UserinfoJwt => "userinfo-jwt-client",
            Self::IdTokenHs256 => "hs-id-token-client",
            Self::Exchange => "exchange-client",
            Self::Jar => "jar-client",
            Self::JwtIntrospection => "jwt-introspection-client",
            Self::Rar => "rar-client",
            // Mutual TLS (RFC 8705).
            Self::Mtls => "mtls-client",
            Self::MtlsSelfSigned => "mtls-self-signed-client",
            Self::Ciba => "ciba-client",
            Self::CibaPing => "ciba-ping-client",
        }
    }

    /// The registered secret (empty for the public client).
    pub fn secret(self) -> &'static str {
        match self {
            Self::Basic => "basic-secret",
            Self::Post => "post-secret",
            Self::Public | Self::DeviceSlow => "",
            Self::Par => "par-secret",
            Self::Device => "device-secret",
            Self::DeviceShort => "device-short-secret",
            Self::ShortLived => "short-lived-secret",
            Self::UserinfoJwt => "userinfo-jwt-secret",
            Self::IdTokenHs256 => "hs-id-token-secret-of-more-than-32-octets",
            Self::Exchange => "exchange-secret",
            Self::Jar => "jar-secret",
            Self::JwtIntrospection => "jwt-introspection-secret",
            Self::Rar => "rar-secret",
            // Mutual TLS (RFC 8705): the certificate is the credential.
            Self::Mtls | Self::MtlsSelfSigned => "",
            Self::Ciba => "ciba-secret",
            Self::CibaPing => "ciba-ping-secret",
        }
    }

    /// The authentication this client is registered for, with `secret`.
    pub fn authentication_with(self, secret: &str) -> ClientAuthentication {
        match self {
            Self::Basic
            | Self::Par
            | Self::Device
            | Self::DeviceShort
            | Self::ShortLived
            | Self::UserinfoJwt
            | Self::IdTokenHs256
            | Self::Exchange
            | Self::Jar
            | Self::JwtIntrospection
            | Self::Ciba
            | Self::CibaPing
            | Self::Rar => ClientAuthentication::ClientSecretBasic(ClientSecret::new(secret)),
            Self::Post => ClientAuthentication::ClientSecretPost(ClientSecret::new(secret)),
            Self::Public | Self::DeviceSlow => ClientAuthentication::None,
            // Mutual TLS (RFC 8705).
            Self::Mtls => ClientAuthentication::TlsClientAuth,
            Self::MtlsSelfSigned => ClientAuthentication::SelfSignedTlsClientAuth,
        }
    }

    pub fn authentication(self) -> ClientAuthentication {
        self.authentication_with(self.secret())
    }
}

/// A running oidc-provider; stopped on drop (its [`ServerProcess`]:
/// issuer, URLs and log).
pub struct OidcProvider(ServerProcess);

impl Deref for OidcProvider {
    type Target = ServerProcess;

    fn deref(&self) -> &ServerProcess {
        &self.0
    }
}

impl OidcProvider {
    /// Installs the npm packages if needed, starts the server and waits
    /// until it listens. Panics (loudly) if anything is missing.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// As [`start`](Self::start), with environment variables for
    /// `server.mjs` (`DPOP_REQUIRE_NONCE=1`).
    pub fn start_with(env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(node_ready());
        command
            .arg("server.mjs")
            .current_dir(node_dir())
            .env("NODE_ENV", "test")
            .envs(env.iter().copied());
        OidcProvider(ServerProcess::start("oidc-provider", &mut command))
    }

    /// The provider's OpenID discovery document, deserialized by the crate
    /// (its members are RFC 8414's).
    pub fn metadata(&self) -> ServerMetadata {
        self.get_json("/.well-known/openid-configuration")
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
        self.browser_log_in_with(&mut CookieJar::default(), authorization_url)
    }

    /// [`browser_log_in`](Self::browser_log_in) in a browser whose cookies
    /// are `jar`: the provider's session stays in it, for a logout after.
    pub fn browser_log_in_with(&self, jar: &mut CookieJar, authorization_url: &str) -> String {
        assert!(
            authorization_url.starts_with(&self.url("/auth?")),
            "{authorization_url}"
        );
        let mut url = authorization_url.to_owned();
        for _hop in 0..12 {
            let response = get(&url, jar.header().as_deref());
            jar.store(&response);
            // oidc-provider redirects with 302 or 303, by the step.
            let location = self.redirect_target(&response, &[302, 303], &format!("GET {url}"));
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
                url.starts_with(&self.url("/")),
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
        let start = Start::new(client).scope(Scope::parse(scope).unwrap());
        support::log_in(start, |url| self.browser_log_in(url))
    }

    /// The whole flow up to the tokens, asking for `scope`.
    pub fn authorize(&self, client: &Client, scope: &str) -> Authorized {
        let (pending, callback) = self.log_in(client, scope);
        scenario::exchange(client, pending, callback)
    }

    /// Calls the provider's own protected resource, the OpenID Connect
    /// userinfo endpoint (`GET /me`), with the access token when given.
    pub fn userinfo(&self, authorized: Option<&Authorized>) -> http::Response<Vec<u8>> {
        support::call(http::Method::GET, &self.url("/me"), authorized)
    }

    /// Plays the user of a device login (RFC 8628 §3.3) in a browser of
    /// their own: opens `pending`'s `verification_uri`, types its `user_code` into
    /// oidc-provider's form, and on the confirmation page either confirms
    /// — then logs in and consents through the interactions, up to the
    /// success page — or aborts, which denies the login.
    pub fn device_user(
        &self,
        pending: &oauth2_pkce::device::AwaitingDeviceApproval,
        approve: bool,
    ) {
        let verification_uri = pending.verification_uri().as_str();
        let user_code = pending.user_code().as_str();
        assert!(
            verification_uri.starts_with(&self.url("/")),
            "{verification_uri}"
        );
        let mut jar = CookieJar::default();
        let page = get(verification_uri, None);
        assert_eq!(page.status(), 200, "{}", self.log());
        jar.store(&page);
        let xsrf = hidden_input(&page, "xsrf");
        let form = |extra: &[(&str, &str)]| {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("xsrf", &xsrf)
                .append_pair("user_code", user_code);
            for (name, value) in extra {
                form.append_pair(name, value);
            }
            form.finish()
        };
        let confirmation = post_form(verification_uri, &form(&[]), jar.header().as_deref());
        jar.store(&confirmation);
        let text = String::from_utf8_lossy(confirmation.body()).into_owned();
        assert!(
            text.contains("op.deviceConfirmForm"),
            "no confirmation page: {text}\n{}",
            self.log()
        );
        if !approve {
            let aborted = post_form(
                verification_uri,
                &form(&[("abort", "yes")]),
                jar.header().as_deref(),
            );
            let text = String::from_utf8_lossy(aborted.body());
            assert!(text.contains("interrupted"), "{text}\n{}", self.log());
            return;
        }
        let mut response = post_form(
            verification_uri,
            &form(&[("confirm", "yes")]),
            jar.header().as_deref(),
        );
        for _hop in 0..12 {
            jar.store(&response);
            if response.status() == 200 {
                let text = String::from_utf8_lossy(response.body());
                assert!(text.contains("Sign-in Success"), "{text}\n{}", self.log());
                return;
            }
            let location = self.redirect_target(&response, &[302, 303], "the device login");
            let url = if location.starts_with('/') {
                self.url(&location)
            } else {
                location
            };
            response = get(&url, jar.header().as_deref());
        }
        panic!("no success page after 12 hops\n{}", self.log());
    }

    /// Calls `server.mjs`'s own resource `GET /api/me`, which looks the
    /// token up in the provider's store (user and client credentials
    /// tokens alike).
    pub fn call_api(&self, authorized: Option<&Authorized>) -> http::Response<Vec<u8>> {
        support::call(http::Method::GET, &self.url("/api/me"), authorized)
    }
}

/// The value of the hidden `<input name="{name}" value="…">` of an HTML
/// page (oidc-provider's device forms).
pub fn hidden_input(page: &http::Response<Vec<u8>>, name: &str) -> String {
    let text = String::from_utf8_lossy(page.body());
    let marker = format!(r#"name="{name}" value=""#);
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        + marker.len();
    let end = text[start..].find('"').unwrap() + start;
    text[start..end].to_owned()
}

/// A client with the given metadata, identity and authentication.
pub fn client(
    metadata: ServerMetadata,
    which: OpClient,
    authentication: ClientAuthentication,
) -> Client {
    support::client(metadata, which.client_id(), authentication)
}

// ---------------------------------------------------------------------------
// Node.js and the npm packages
// ---------------------------------------------------------------------------

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
    support::install_once(&NODE, ensure_installed, "the oidc-provider interop server")
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
    let key = support::install_key(&[&read("package.json")?, &read("package-lock.json")?]);
    let modules = dir.join("node_modules");
    let installed = |modules: &Path| {
        std::fs::read_to_string(modules.join(STAMP)).is_ok_and(|stamp| stamp.trim() == key)
    };
    if installed(&modules) {
        return Ok(node);
    }

    let root = support::target_dir("interop-node");
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let unique = support::unique_name(&key);
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

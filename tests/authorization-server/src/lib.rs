//! A real, third-party OAuth 2.0 authorization server on 127.0.0.1, for tests and demos.
//!
//! The protocol logic is [oxide-auth] 0.6 — its client registrar, authorization-code store,
//! token issuer, PKCE extension and flows — not code written for this project. This crate only
//! puts it behind a loopback HTTP listener ([tiny_http]) and plays the user's browser, so the
//! `oauth2-pkce` client can be exercised over real HTTP against a server it did not shape.
//!
//! ```
//! use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig};
//!
//! let server = AuthorizationServer::start(ServerConfig::default())?;
//! let url = format!(
//!     "{}?response_type=code&client_id=public-client&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback\
//!      &state=xyz&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
//!     server.authorization_endpoint(),
//! );
//! // What the browser would be redirected to after the test user logs in and consents:
//! let callback = server.log_in(&url).map_err(std::io::Error::other)?;
//! assert!(callback.starts_with("http://127.0.0.1/callback?code="));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Endpoints
//!
//! | path | method | what |
//! | --- | --- | --- |
//! | `/authorize` | GET | RFC 6749 §4.1.1 with PKCE (RFC 7636), `S256` only and required |
//! | `/token` | POST | `authorization_code`, `refresh_token` and `client_credentials` grants, form body |
//! | `/refresh` | POST | the `refresh_token` grant alone, as a provider with a refresh endpoint of its own (Figma) takes it |
//! | `/revoke` | POST | RFC 7009 token revocation, form body — glue around oxide-auth primitives |
//! | `/api/me` | GET | protected resource, RFC 6750 bearer token |
//! | `/.well-known/oauth-authorization-server` | GET | RFC 8414 metadata |
//!
//! Pagero Online's paths (`/oauth/v2/oauth-authorize`, `/oauth/v2/oauth-token`,
//! `/oauth/v2/oauth-revoke`) serve as `/authorize`, `/token` and `/revoke`, so that a client
//! configured with Pagero's preset runs here with only the origin changed.
//!
//! Anything else is 404 (405 for a known path with the wrong method); a request body over
//! 64 KiB is 413. No request panics the server: a handler that did would answer 500.
//!
//! # The resource owner
//!
//! There is one user, [`TEST_USER`]. A plain GET of `/authorize` (no session) returns a 200
//! "log in" page, as a real server would. [`AuthorizationServer::log_in`] sends the same GET with
//! a session cookie that means "logged in, and consents", and returns the redirect;
//! [`AuthorizationServer::deny`] does the same for a user who refuses (`error=access_denied`).
//!
//! # What oxide-auth 0.6 does, and does not do
//!
//! Facts about the server under test, checked against its source and by `tests/smoke.rs`:
//!
//! - **No revocation endpoint of its own (RFC 7009).** oxide-auth has no revocation flow,
//!   only the primitive `TokenMap::revoke`; `/revoke` is this crate's HTTP glue around it and
//!   around the registrar and issuer — see [Token revocation](#token-revocation-rfc-7009).
//! - **No RFC 9207 `iss` of its own.** oxide-auth knows nothing of an issuer identifier. With
//!   [`ServerConfig::authorization_response_iss`] this crate's HTTP layer appends
//!   `iss=<issuer()>` to every redirect back to the client (success and error) and advertises
//!   `authorization_response_iss_parameter_supported`; off by default.
//! - **Refresh tokens rotate.** Each refresh returns a new refresh token and invalidates the
//!   old one (and the old access token); reusing the old one is `invalid_grant`. The refresh
//!   token expires together with its access token, so nothing can be refreshed after
//!   [`ServerConfig::access_token_lifetime`].
//! - **Client credentials grant** (RFC 6749 §4.4) is oxide-auth's `ClientCredentialsFlow`.
//!   Confidential clients only: it always checks a secret, so a public client's Basic
//!   `public-client:` is 401 `invalid_client` and `client_id` alone in the body 400
//!   `invalid_request`. Basic always; `client_id` + `client_secret` in the body only with
//!   [`ServerConfig::allow_client_secret_post`] (otherwise 400 `invalid_request`, not ignored
//!   as in the code exchange). Scope as for the code flow: always the registered scope. **No
//!   refresh token** in the response (oxide-auth's default, following RFC 6749 §4.4.3's
//!   "SHOULD NOT"). The token lives [`ServerConfig::access_token_lifetime`]. oxide-auth asks
//!   the frontend for a resource owner even here; this crate names the client itself, so
//!   `/api/me` answers `"sub"` = `"client_id"`.
//! - **Client authentication.** HTTP Basic (`client_secret_basic`) always. Credentials in the
//!   body (`client_secret_post`) only for the code exchange, and only with
//!   [`ServerConfig::allow_client_secret_post`] (otherwise `client_secret` is ignored and a
//!   confidential client gets 401 `invalid_client`); the refresh grant reads only the
//!   `Authorization` header, so a confidential client must refresh with Basic (body credentials
//!   there are 401 `invalid_client` whatever the setting). Sending Basic
//!   *and* `client_id` in the body is refused as `invalid_request` (two credentials). The Basic
//!   user and password are base64-decoded but not form-urldecoded (RFC 6749 §2.3.1 says they
//!   should be), so ids and secrets with characters that form-encoding changes do not work.
//! - **Error codes** (JSON body `{"error": …}`): wrong or missing `code_verifier`, replayed
//!   or unknown code → 400 `invalid_request` (RFC 6749 §5.2 would say `invalid_grant`); code
//!   issued to another client or `redirect_uri` mismatch → 400 `invalid_grant`; wrong secret →
//!   401 `invalid_client` with `WWW-Authenticate: basic`; unknown grant type → 400
//!   `unsupported_grant_type`. A wrong verifier still consumes the code.
//! - **Scope** is always the client's registered scope, whatever the request asks for; the
//!   token response says which, its tokens in no fixed order (`"write read"` happens). A
//!   refresh may narrow it; a wider one is `invalid_scope`.
//! - **`redirect_uri`** is matched as an exact string at `/authorize` (this crate registers
//!   oxide-auth `RegisteredUrl::Exact`) but as a parsed URL at `/token`, where it is required
//!   even though RFC 6749 §4.1.3 only requires it when the authorization request had one. The
//!   callback URL is re-serialized by the `url` crate.
//! - **Codes and tokens** are random bytes (24 here) in *standard* base64, so they contain `+`, `/`
//!   and `=`: a client must form-encode them in request bodies.
//! - The token response is `{"access_token","refresh_token","token_type":"bearer",
//!   "expires_in","scope"}` (lowercase `bearer`); this crate adds `Cache-Control: no-store`.
//!
//! # Token revocation (RFC 7009)
//!
//! oxide-auth 0.6 has no revocation endpoint, so `POST /revoke` is glue written here. The
//! decisions are oxide-auth's — the registrar's `check` authenticates the client, the issuer's
//! `recover_token`/`recover_refresh` tell whom a token was issued to, `TokenMap::revoke`
//! deletes it — while parsing the request, comparing the token's `client_id` with the
//! authenticated one and choosing the status codes are this crate's:
//!
//! 1. The body must be a form (else 400 `invalid_request`); parameters in the query are ignored.
//! 2. Client credentials are read as the code exchange reads them: HTTP Basic (split at the
//!    first `:`, not form-urldecoded, an empty password meaning none), or `client_id` in the
//!    body, with `client_secret` honoured only under
//!    [`ServerConfig::allow_client_secret_post`] (otherwise ignored). None, both, or a
//!    malformed `Authorization` header is 400 `invalid_request`.
//! 3. `token` missing or empty: 400 `invalid_request`. `token_type_hint` may be absent,
//!    `access_token` or `refresh_token` — it is then ignored, since `TokenMap::revoke` looks in
//!    both maps; any other value is 400 `unsupported_token_type` (RFC 7009 §2.2.1).
//! 4. The registrar's `check` of those credentials fails (unknown client, wrong secret, a
//!    confidential client without its secret): 401 `invalid_client` with
//!    `WWW-Authenticate: basic`, as at the token endpoint. Steps 2–4 run in this order (the
//!    token endpoint's), so a request both malformed and badly authenticated gets the 400.
//! 5. Otherwise 200 with an empty body — and the token is revoked only if it is an access or
//!    refresh token issued to the authenticated client. An unknown, already revoked or expired
//!    token, or another client's token, is answered 200 too and another client's token is left
//!    valid (RFC 7009 §2.1 has the server check the owner; §2.2 answers invalid tokens with
//!    200, which also tells a client nothing about others' tokens).
//!
//! **What revoking one token does to the other of its grant.** `TokenMap::revoke` removes
//! exactly the string it is given (from whichever map holds it) and nothing linked to it:
//!
//! - Revoking a **refresh token** leaves the **access token of the same grant valid** until it
//!   expires. RFC 7009 §2.1 says the server SHOULD also invalidate it; oxide-auth does not, and
//!   offers no way to find it from the refresh token, so neither does this crate.
//! - Revoking an **access token** leaves the **refresh token valid**: refreshing with it
//!   succeeds and issues a new pair (RFC 7009 §2.1 only says the server MAY revoke it).
//!
//! `revocation_endpoint` and `revocation_endpoint_auth_methods_supported` (the same methods as
//! the token endpoint's) are in the metadata.
//!
//! # Failure injection
//!
//! [`AuthorizationServer::fail_next_token_requests`] makes the next *n* `POST /token` requests
//! answer `503` with `Retry-After: 1` (plain-text body, `Cache-Control: no-store`). This is this
//! crate's HTTP layer, not oxide-auth: the request never reaches a flow, so it consumes no code
//! or refresh token.
//!
//! # What is this crate's, not oxide-auth's
//!
//! Beyond moving bytes between the socket and oxide-auth's `WebRequest`/`WebResponse`:
//!
//! - `/api/me` checks tokens against oxide-auth's token store but writes its own RFC 6750
//!   challenges, because oxide-auth's resource flow calls an unknown token `invalid_request`.
//! - Client secrets are compared as stored rather than through oxide-auth's default Argon2
//!   password policy, which costs about two seconds per check in an unoptimized build.
//! - `/revoke`: request parsing, the owner comparison and the status codes (above).
//! - The resource owner of a client-credentials token is the client itself.
//! - RFC 9207 `iss`, the RFC 8414 metadata, the simulated login, `Cache-Control: no-store`
//!   on token responses, and the injected 503s.
//! - [`AuthorizationServer::refreshes`]: refresh tokens rotated, refresh requests refused, and
//!   refresh tokens presented again after their rotation.
//!
//! [oxide-auth]: https://docs.rs/oxide-auth/0.6
//! [tiny_http]: https://docs.rs/tiny_http/0.12

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod browser;
mod oauth;
mod refreshes;
mod transport;
mod web;

pub use refreshes::RefreshCounts;
pub use transport::send;

use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use oauth::OAuth;
use web::{HttpRequest, HttpResponse, Malformed, Session};

/// The one resource owner; `/api/me` reports it as `sub`.
pub const TEST_USER: &str = "test-user";
/// The built-in confidential client.
pub const DEMO_CLIENT_ID: &str = "demo-client";
/// The secret of [`DEMO_CLIENT_ID`], sent with HTTP Basic at the token endpoint.
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// The built-in public client (no secret; PKCE is its only proof).
pub const PUBLIC_CLIENT_ID: &str = "public-client";
/// The redirect URI of both built-in clients unless [`ServerConfig::redirect_uri`] says otherwise.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The scope both built-in clients are granted.
pub const DEFAULT_SCOPE: &str = "read write";

/// Largest request body the server reads.
const MAX_BODY: u64 = 64 * 1024;
/// The session cookie the simulated browser sends.
const SESSION_COOKIE: &str = "test-session";
/// The RFC 8414 metadata path.
const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";

/// One client registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRegistration {
    /// The `client_id`.
    pub client_id: String,
    /// The one redirect URI, compared with the request's as an exact string.
    pub redirect_uri: String,
    /// `Some` for a confidential client (HTTP Basic at the token endpoint), `None` for public.
    pub secret: Option<String>,
    /// The space-separated scope every token for this client gets.
    pub scope: String,
}

impl ClientRegistration {
    /// A confidential client, which authenticates with `secret` at the token endpoint.
    pub fn confidential(client_id: &str, redirect_uri: &str, secret: &str, scope: &str) -> Self {
        ClientRegistration {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            secret: Some(secret.to_owned()),
            scope: scope.to_owned(),
        }
    }

    /// A public client: no secret; it sends `client_id` in the token request body.
    pub fn public(client_id: &str, redirect_uri: &str, scope: &str) -> Self {
        ClientRegistration {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            secret: None,
            scope: scope.to_owned(),
        }
    }
}

/// How to set up an [`AuthorizationServer`].
///
/// The default registers [`DEMO_CLIENT_ID`] (confidential, secret [`DEMO_CLIENT_SECRET`]) and
/// [`PUBLIC_CLIENT_ID`] (public), both with redirect URI [`DEFAULT_REDIRECT_URI`] and scope
/// [`DEFAULT_SCOPE`]; access tokens live one hour; `/api/me` requires scope `read`.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    clients: Vec<ClientRegistration>,
    access_token_lifetime: Duration,
    client_secret_post: bool,
    authorization_response_iss: bool,
    resource_scope: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            clients: vec![
                ClientRegistration::confidential(
                    DEMO_CLIENT_ID,
                    DEFAULT_REDIRECT_URI,
                    DEMO_CLIENT_SECRET,
                    DEFAULT_SCOPE,
                ),
                ClientRegistration::public(PUBLIC_CLIENT_ID, DEFAULT_REDIRECT_URI, DEFAULT_SCOPE),
            ],
            access_token_lifetime: Duration::from_secs(3600),
            client_secret_post: false,
            authorization_response_iss: false,
            resource_scope: String::from("read"),
        }
    }
}

impl ServerConfig {
    /// Sets the redirect URI of the two built-in clients (e.g. a loopback callback listener's
    /// `http://127.0.0.1:PORT/callback`).
    pub fn redirect_uri(mut self, redirect_uri: &str) -> Self {
        for client in &mut self.clients {
            if client.client_id == DEMO_CLIENT_ID || client.client_id == PUBLIC_CLIENT_ID {
                client.redirect_uri = redirect_uri.to_owned();
            }
        }
        self
    }

    /// Registers a client, replacing any registration with the same `client_id`.
    pub fn client(mut self, client: ClientRegistration) -> Self {
        self.clients.retain(|c| c.client_id != client.client_id);
        self.clients.push(client);
        self
    }

    /// How long access tokens (and with them refresh tokens) stay valid. Default one hour.
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// Whether the code exchange also accepts `client_id` + `client_secret` in the body
    /// (`client_secret_post`, oxide-auth's `allow_credentials_in_body`). Default `false`.
    pub fn allow_client_secret_post(mut self, allow: bool) -> Self {
        self.client_secret_post = allow;
        self
    }

    /// Whether redirects back to the client carry RFC 9207 `iss` (added by this crate, not by
    /// oxide-auth). Default `false`.
    pub fn authorization_response_iss(mut self, enabled: bool) -> Self {
        self.authorization_response_iss = enabled;
        self
    }

    /// The scope `/api/me` requires (space-separated; the token must hold all of it).
    /// Default `read`.
    pub fn resource_scope(mut self, scope: &str) -> Self {
        self.resource_scope = scope.to_owned();
        self
    }
}

/// A running oxide-auth authorization server on `127.0.0.1`, serving on a background thread.
///
/// Dropping it (or [`shutdown`](Self::shutdown)) stops the thread and frees the port.
pub struct AuthorizationServer {
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    /// How many of the next `POST /token` requests get an injected 503.
    token_failures: Arc<AtomicUsize>,
    /// What the refresh grant did so far.
    refreshes: Arc<Mutex<RefreshCounts>>,
}

impl std::fmt::Debug for AuthorizationServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl AuthorizationServer {
    /// Binds `127.0.0.1:0` (a free port) and starts serving on a background thread.
    ///
    /// The socket is listening when this returns, so requests may be sent at once. Fails with
    /// [`io::ErrorKind::InvalidInput`] for a configuration oxide-auth cannot take (a redirect URI
    /// that is not a URL, a scope with characters RFC 6749 §3.3 forbids).
    pub fn start(config: ServerConfig) -> io::Result<AuthorizationServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let issuer = format!("http://{addr}");
        let oauth = OAuth::new(&config, &issuer)?;
        let metadata = metadata(&issuer, &config);
        let server = tiny_http::Server::from_listener(listener, None).map_err(io::Error::other)?;
        let server = Arc::new(server);
        let serving = Arc::clone(&server);
        let token_failures = Arc::new(AtomicUsize::new(0));
        let refreshes = oauth.refreshes.counts();
        let state = State {
            oauth,
            metadata,
            token_failures: Arc::clone(&token_failures),
        };
        let thread = thread::Builder::new()
            .name(format!("oauth2-test-server-{}", addr.port()))
            .spawn(move || serve(&serving, state))?;
        Ok(AuthorizationServer {
            addr,
            server,
            thread: Some(thread),
            token_failures,
            refreshes,
        })
    }

    /// The issuer identifier, `http://127.0.0.1:PORT`.
    pub fn issuer(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/authorize`.
    pub fn authorization_endpoint(&self) -> String {
        format!("{}/authorize", self.issuer())
    }

    /// `http://127.0.0.1:PORT/token`: `authorization_code`, `refresh_token` and
    /// `client_credentials` grants.
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer())
    }

    /// `http://127.0.0.1:PORT/refresh`: the `refresh_token` grant of the token endpoint, and
    /// nothing else (400 `unsupported_grant_type`), like a provider that takes refresh
    /// requests at an endpoint of their own.
    pub fn refresh_endpoint(&self) -> String {
        format!("{}/refresh", self.issuer())
    }

    /// `http://127.0.0.1:PORT/revoke`: RFC 7009 token revocation (see the
    /// [crate docs](crate#token-revocation-rfc-7009) for exactly what it does).
    pub fn revocation_endpoint(&self) -> String {
        format!("{}/revoke", self.issuer())
    }

    /// `http://127.0.0.1:PORT/api/me`: needs `Authorization: Bearer <token>`; answers 200 and
    /// `{"sub","client_id","scope"}`, or 401 with `WWW-Authenticate: Bearer …,
    /// error="invalid_token"` for a token it does not know or that expired (401 without an
    /// error code when no bearer token was sent, 403 `insufficient_scope`).
    pub fn resource_endpoint(&self) -> String {
        format!("{}/api/me", self.issuer())
    }

    /// `http://127.0.0.1:PORT/.well-known/oauth-authorization-server` (RFC 8414).
    pub fn metadata_endpoint(&self) -> String {
        format!("{}{METADATA_PATH}", self.issuer())
    }

    /// Plays the browser of [`TEST_USER`], who is logged in and consents: sends the
    /// authorization GET to this server over loopback HTTP and returns the `Location` it
    /// redirects to — the client's callback with `code` and `state`, or with `error` — without
    /// following it.
    ///
    /// `Err` describes what happened instead: the URL is not this server's authorization
    /// endpoint, or the server did not redirect (e.g. 400 for an unknown client or redirect URI,
    /// which RFC 6749 §4.1.2.1 forbids redirecting).
    pub fn log_in(&self, authorization_url: &str) -> Result<String, String> {
        self.visit(authorization_url, Session::Approve)
    }

    /// Like [`log_in`](Self::log_in), but the user refuses: the redirect carries
    /// `error=access_denied`.
    pub fn deny(&self, authorization_url: &str) -> Result<String, String> {
        self.visit(authorization_url, Session::Deny)
    }

    /// Makes the next `n` requests to `POST /token` fail with `503 Service Unavailable` and
    /// `Retry-After: 1`, whatever they contain, to exercise a client's retry path; the requests
    /// after them are served normally again.
    ///
    /// An injected failure happens in this crate's HTTP layer before oxide-auth sees the
    /// request, so it consumes nothing: a code or refresh token sent in a failed request is
    /// still good for the retry. Replaces any count left from an earlier call (`0` cancels);
    /// other endpoints (including `/revoke`) are not affected.
    pub fn fail_next_token_requests(&self, n: usize) {
        self.token_failures.store(n, Ordering::SeqCst);
    }

    /// How many refresh tokens were rotated so far, how many refresh requests were refused, and
    /// how many of those presented a refresh token already rotated away (a grant refreshed
    /// twice). Counted by this crate, not oxide-auth.
    pub fn refreshes(&self) -> RefreshCounts {
        *self
            .refreshes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the server thread and frees the port (what dropping it does too).
    pub fn shutdown(self) {}

    fn visit(&self, authorization_url: &str, session: Session) -> Result<String, String> {
        let endpoint = self.authorization_endpoint();
        let pagero = format!("{}{}", self.issuer(), PAGERO_PATHS[0].0);
        let url = authorization_url.split('#').next().unwrap_or_default();
        let target = [&endpoint, &pagero]
            .into_iter()
            .find_map(|endpoint| url.strip_prefix(endpoint.as_str()))
            .filter(|rest| rest.is_empty() || rest.starts_with('?'))
            .map(|_| &url[self.issuer().len()..])
            .ok_or_else(|| format!("{authorization_url:?} is not a URL of {endpoint}"))?;
        if target
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(String::from(
                "the authorization URL contains spaces or control characters",
            ));
        }
        let cookie = match session {
            Session::Approve => format!("{SESSION_COOKIE}=approve"),
            Session::Deny | Session::Anonymous => format!("{SESSION_COOKIE}=deny"),
        };
        browser::follow_once(self.addr, target, &cookie)
    }
}

impl Drop for AuthorizationServer {
    fn drop(&mut self) {
        // Queued after any pending request; `recv` then fails and the loop ends. Dropping the
        // last `Arc<Server>` afterwards closes the listener.
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Everything the server thread owns.
struct State {
    oauth: OAuth,
    /// The RFC 8414 document, fixed for the server's lifetime.
    metadata: String,
    /// Shared with [`AuthorizationServer::fail_next_token_requests`].
    token_failures: Arc<AtomicUsize>,
}

/// Whether this token request is one of the injected failures (and counts it if so).
fn take_failure(failures: &AtomicUsize) -> bool {
    failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// The server loop: one request at a time, so oxide-auth's primitives need no locking.
fn serve(server: &tiny_http::Server, mut state: State) {
    while let Ok(request) = server.recv() {
        handle(&mut state, request);
    }
}

/// Pagero Online's endpoint paths, served as their counterparts here, so
/// that a client configured with Pagero's preset runs against this server
/// with only the origin changed.
const PAGERO_PATHS: [(&str, &str); 3] = [
    ("/oauth/v2/oauth-authorize", "/authorize"),
    ("/oauth/v2/oauth-token", "/token"),
    ("/oauth/v2/oauth-revoke", "/revoke"),
];

fn handle(state: &mut State, mut request: tiny_http::Request) {
    let path_and_query = request.url().to_owned();
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((&path_and_query, ""));
    let path = PAGERO_PATHS
        .iter()
        .find(|(pagero, _)| *pagero == path)
        .map_or(path, |(_, own)| own);
    let method = request.method().as_str().to_owned();
    let header_values = |name: &str| -> Vec<String> {
        request
            .headers()
            .iter()
            .filter(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_owned())
            .collect()
    };
    let authorization = match header_values("authorization").as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(Malformed::RepeatedAuthorization),
    };
    let is_form = header_values("content-type").first().is_some_and(|value| {
        let media_type = value.split(';').next().unwrap_or_default().trim();
        media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    let session = session(&header_values("cookie"));

    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    let response = if read.is_err() {
        HttpResponse::text(400, "could not read the request body\n")
    } else if body.len() as u64 > MAX_BODY {
        HttpResponse::text(413, "request body too large\n")
    } else {
        let form = is_form.then_some(body.as_slice());
        let State {
            oauth,
            metadata,
            token_failures,
        } = state;
        panic::catch_unwind(AssertUnwindSafe(|| match (path, method.as_str()) {
            ("/authorize", "GET") => {
                oauth.authorize(HttpRequest::new(query, None, authorization, session))
            }
            ("/token", "POST") if take_failure(token_failures) => {
                let mut response = HttpResponse::text(
                    503,
                    "token endpoint unavailable (failure injected by the test)\n",
                );
                response.retry_after = Some(1);
                response
            }
            // Token request parameters belong in the body (RFC 6749 §4.1.3); the query is ignored.
            ("/token", "POST") => oauth.token(HttpRequest::new("", form, authorization, session)),
            ("/refresh", "POST") => {
                let request = HttpRequest::new("", form, authorization, session);
                if request.body_value("grant_type").as_deref() == Some("refresh_token") {
                    oauth.token(request)
                } else {
                    HttpResponse::json(400, r#"{"error":"unsupported_grant_type"}"#)
                }
            }
            // So do revocation parameters (RFC 7009 §2.1).
            ("/revoke", "POST") => {
                oauth.revoke(&HttpRequest::new("", form, authorization, session))
            }
            ("/api/me", "GET") => {
                oauth.resource(&HttpRequest::new("", None, authorization, session))
            }
            (METADATA_PATH, "GET") => HttpResponse::json(200, metadata.as_str()),
            ("/authorize" | "/api/me" | METADATA_PATH, _) => method_not_allowed("GET"),
            ("/token" | "/refresh" | "/revoke", _) => method_not_allowed("POST"),
            _ => HttpResponse::text(404, "not found\n"),
        }))
        .unwrap_or_else(|_| HttpResponse::text(500, "the server failed on this request\n"))
    };
    let no_store = path == "/token" || path == "/refresh";
    // The client may have gone away; there is nobody left to tell.
    let _ = request.respond(to_tiny(response, no_store));
}

fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut response = HttpResponse::text(405, "method not allowed\n");
    response.allow = Some(allow);
    response
}

/// The simulated browser's session, from its `Cookie` headers.
fn session(cookies: &[String]) -> Session {
    let mut session = Session::Anonymous;
    for pair in cookies.iter().flat_map(|c| c.split(';')) {
        match pair.trim().split_once('=') {
            Some((SESSION_COOKIE, "approve")) => session = Session::Approve,
            Some((SESSION_COOKIE, "deny")) => session = Session::Deny,
            _ => {}
        }
    }
    session
}

fn to_tiny(response: HttpResponse, no_store: bool) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let mut headers: Vec<(&str, String)> = Vec::new();
    if let Some(content_type) = response.content_type {
        headers.push(("Content-Type", content_type.to_owned()));
    }
    if let Some(location) = response.location {
        headers.push(("Location", location.into()));
    }
    if let Some(challenge) = response.www_authenticate {
        headers.push(("WWW-Authenticate", challenge));
    }
    if let Some(allow) = response.allow {
        headers.push(("Allow", allow.to_owned()));
    }
    if let Some(seconds) = response.retry_after {
        headers.push(("Retry-After", seconds.to_string()));
    }
    if no_store {
        headers.push(("Cache-Control", String::from("no-store")));
        headers.push(("Pragma", String::from("no-cache")));
    }
    let mut tiny = tiny_http::Response::from_data(response.body).with_status_code(response.status);
    for (name, value) in headers {
        // A value tiny_http refuses (non-ASCII) is dropped rather than sent broken.
        if let Ok(header) = tiny_http::Header::from_bytes(name, value) {
            tiny.add_header(header);
        }
    }
    tiny
}

/// RFC 8414 metadata, fixed for the server's lifetime.
fn metadata(issuer: &str, config: &ServerConfig) -> String {
    let mut auth_methods = vec!["client_secret_basic", "none"];
    if config.client_secret_post {
        auth_methods.push("client_secret_post");
    }
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "authorization_response_iss_parameter_supported": config.authorization_response_iss,
    })
    .to_string()
}

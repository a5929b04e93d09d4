//! A web app on axum and tower-sessions: `/login` sends the browser to the
//! provider, `/callback` completes the login, `/me` calls the provider's
//! UserInfo endpoint (or another API) with the user's token, renewing it
//! when it is about to expire, and `POST /logout` revokes the grant.
//!
//! Each pending login lives in the session of the browser that started it,
//! under its `state`, and is taken out on first use: a callback from
//! another browser finds nothing and is refused (login CSRF, RFC 9700
//! §4.7), and a replayed callback finds nothing either. The session ID is
//! changed once the user is logged in (no session fixation), and its cookie
//! is `SameSite=Lax` (a `Strict` cookie is not sent back from the
//! provider) and `HttpOnly`.
//!
//! Renewals of one session happen one at a time, and each re-reads the
//! session first, so concurrent requests with an expiring token renew it
//! once: in one process, with a lock in memory; with `redis_url`, across
//! instances, with sessions in Redis and a lock there, a short lease its
//! holder extends while it renews (see [`shared`]).

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use oauth2_pkce::errors::CallbackError;
use oauth2_pkce::values::Endpoint;
use oauth2_pkce::values::DEFAULT_RENEWAL_LEEWAY;
use oauth2_pkce::*;
use redis::aio::ConnectionManager;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_sessions::cookie::SameSite;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer, SessionStore};

use oauth2_pkce_reqwest::ReqwestTransport;

use crate::shared::{self, RedisStore, RenewalLock};

/// What the web app needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// The provider's issuer identifier.
    pub issuer: String,
    /// The registered client.
    pub client_id: String,
    /// Its secret (a confidential client: the app runs on a server).
    pub client_secret: Option<String>,
    /// This app's `/callback`, as registered.
    pub redirect_uri: String,
    /// The scope to ask for.
    pub scope: String,
    /// The API `/me` calls (default: the UserInfo endpoint).
    pub api_url: Option<String>,
    /// Send the session cookie over `https` only (every deployment but a
    /// loopback trial).
    pub secure_cookie: bool,
    /// Redis, shared by every instance of the app (`redis://…`): sessions
    /// live there, and renewals take a lock there. `None`: one instance,
    /// sessions in memory.
    pub redis_url: Option<String>,
}

/// The app: one `Client` for every user, built once at startup.
pub struct WebApp {
    client: Client,
    scope: Scope,
    api: String,
    /// The driver over reqwest, kept for the app's life.
    oauth: Driver<ReqwestTransport>,
    /// Serializes renewals in this process, so that a refresh token is
    /// used once (with Redis, the lock is there).
    renewing: tokio::sync::Mutex<()>,
    redis: Option<ConnectionManager>,
    /// This instance's name in the renewal locks it holds.
    instance: String,
    renewals: AtomicU64,
    secure_cookie: bool,
}

/// How long a login may take between `/login` and `/callback`.
const LOGIN_DEADLINE: Duration = Duration::from_secs(600);
/// How long a renewed grant's save is tried again while the session store
/// is down.
const STORE_RETRY: Duration = Duration::from_secs(5);
/// Where a session keeps the user's grant.
const GRANT: &str = "grant";

impl WebApp {
    /// Discovers the provider and builds the client, which talks to the
    /// provider over `http` (one that follows no redirect: see
    /// [`ReqwestTransport::client_builder`]).
    pub async fn discover(
        config: &Config,
        http: reqwest::Client,
    ) -> Result<Arc<Self>, Box<dyn Error>> {
        // --- glue: start ---
        let oauth = Driver::new(ReqwestTransport::from_client(http))?;
        let metadata = oauth.run_async(Discovery::new(&config.issuer)?).await?;
        let secret = config.client_secret.as_deref().map(ClientSecret::new);
        let client = Client::new(metadata, ClientId::new(&config.client_id)?, secret.into())?
            .with_redirect_uri(RedirectUri::new(config.redirect_uri.as_str())?);
        // --- glue: end ---
        let userinfo = client.userinfo_endpoint().map(Endpoint::as_str);
        let api = config.api_url.as_deref().or(userinfo).ok_or("no API URL")?;
        Ok(Arc::new(Self {
            api: api.to_owned(),
            scope: Scope::parse(&config.scope)?,
            client,
            oauth,
            renewing: tokio::sync::Mutex::new(()),
            redis: match &config.redis_url {
                Some(url) => Some(shared::connect(url).await?),
                None => None,
            },
            instance: shared::instance_name(),
            renewals: AtomicU64::new(0),
            secure_cookie: config.secure_cookie,
        }))
    }

    /// The routes, with their session layer.
    pub fn router(self: Arc<Self>) -> Router {
        match self.redis.clone() {
            Some(redis) => self.routes(RedisStore::new(redis)),
            None => self.routes(MemoryStore::default()),
        }
    }

    fn routes(self: Arc<Self>, store: impl SessionStore + Clone) -> Router {
        let sessions = SessionManagerLayer::new(store)
            .with_same_site(SameSite::Lax)
            .with_http_only(true)
            .with_secure(self.secure_cookie);
        Router::new()
            .route("/login", get(login))
            .route("/callback", get(callback))
            .route("/me", get(me))
            .route("/logout", post(logout))
            .layer(sessions)
            .with_state(self)
    }

    /// This instance's random name, which the renewal locks it holds in
    /// Redis carry (`renewing:<session ID>` = `<name>/<random>`).
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// How many times this instance renewed a grant.
    pub fn renewals(&self) -> u64 {
        self.renewals.load(Ordering::Relaxed)
    }

    /// The session's grant, renewed first when it is about to expire.
    async fn grant(&self, session: &Session) -> Result<Option<Authorized>, AppError> {
        // --- glue: start ---
        let grant = match session.get::<Authorized>(GRANT).await? {
            Some(grant) if expiring(&grant) => grant,
            other => return Ok(other),
        };
        // --- glue: end ---
        // One renewal at a time: in this process, or across instances.
        let id = session.id().map(|id| id.to_string()).unwrap_or_default();
        match &self.redis {
            None => {
                let _renewing = self.renewing.lock().await;
                self.renew(session).await
            }
            Some(redis) => {
                let left = (grant.tokens().expires_at())
                    .map(|at| at.saturating_duration_since(UnixTime::now()));
                let lock =
                    RenewalLock::acquire(redis, &self.instance, &id, shared::lease(left)).await?;
                let result = lock.hold_while(self.renew(session)).await;
                lock.release().await?;
                result
            }
        }
    }

    /// Renews the session's grant unless another request did meanwhile.
    async fn renew(&self, session: &Session) -> Result<Option<Authorized>, AppError> {
        // --- glue: start ---
        session.load().await?; // another request may have renewed it meanwhile
        let grant = match session.get::<Authorized>(GRANT).await? {
            Some(grant) if expiring(&grant) => grant,
            other => return Ok(other),
        };
        let Ok(refreshing) = grant.refresh(&self.client) else {
            // Nothing to renew with: the user logs in again once it expires.
            return Ok((!grant.is_expired(UnixTime::now(), Duration::ZERO)).then_some(grant));
        };
        // --- glue: end ---
        let renewed = self.oauth.run_async(refreshing).await?;
        // --- glue: start ---
        session.insert(GRANT, &renewed).await?;
        save_renewed(session).await?;
        // --- glue: end ---
        self.renewals.fetch_add(1, Ordering::Relaxed);
        Ok(Some(renewed))
    }
}

/// Saves a session that holds a renewed grant, trying again for
/// [`STORE_RETRY`] while the store is down: the provider has rotated the
/// refresh token, and this is the only copy of the new one.
async fn save_renewed(session: &Session) -> Result<(), tower_sessions::session::Error> {
    let started = tokio::time::Instant::now();
    loop {
        match session.save().await {
            Err(_) if started.elapsed() < STORE_RETRY => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            saved => return saved,
        }
    }
}

/// Whether the grant is due for renewal.
fn expiring(grant: &Authorized) -> bool {
    grant.needs_renewal(UnixTime::now(), DEFAULT_RENEWAL_LEEWAY)
}

/// `GET /login`: a new pending flow in this session, and the browser sent
/// to the provider.
async fn login(State(app): State<Arc<WebApp>>, session: Session) -> Result<Response, AppError> {
    let authorization = Start::new(&app.client)
        .scope(app.scope.clone())
        .authorize(FlowEntropy::from_os_rng()?, UnixTime::now())?;
    let (authorization, pending) = app.oauth.authorize_async(authorization).await?;
    // --- glue: start ---
    let key = pending_key(pending.state());
    session.insert(&key, &pending).await?;
    // --- glue: end ---
    Ok(Redirect::to(authorization.url()).into_response())
}

/// `GET /callback`: the pending flow of this session with the callback's
/// `state`, taken out whatever happens next, then the code exchanged.
async fn callback(
    State(app): State<Arc<WebApp>>,
    session: Session,
    uri: Uri,
) -> Result<Response, AppError> {
    let callback = Callback::from_query(uri.query().unwrap_or(""))?;
    // --- glue: start ---
    let state = callback.state().ok_or(AppError::NoLogin)?;
    let pending: Option<AwaitingCallback> = session.remove(&pending_key(state)).await?;
    let pending = pending.filter(in_time).ok_or(AppError::NoLogin)?;
    // --- glue: end ---
    let exchanging = pending.handle_callback(&app.client, callback)?;
    let authorized = app.oauth.run_async(exchanging).await?;
    // --- glue: start ---
    session.cycle_id().await?;
    session.insert(GRANT, &authorized).await?;
    // --- glue: end ---
    Ok(Redirect::to("/me").into_response())
}

/// `GET /me`: the API's answer for the logged-in user.
async fn me(State(app): State<Arc<WebApp>>, session: Session) -> Result<Response, AppError> {
    let Some(grant) = app.grant(&session).await? else {
        return Ok((StatusCode::UNAUTHORIZED, "log in at /login\n").into_response());
    };
    let mut grant = grant;
    let request = http::Request::get(&app.api).body(RequestBody::default())?;
    let answer = app
        .oauth
        .request_resource_async(&app.client, &mut grant, request)
        .await?;
    Ok((answer.status(), answer.into_body()).into_response())
}

/// `POST /logout`: the grant revoked (its refresh token, and with it, at
/// most servers, the access token) and the session ended.
async fn logout(State(app): State<Arc<WebApp>>, session: Session) -> Result<Response, AppError> {
    // --- glue: start ---
    if let Some(grant) = session.remove::<Authorized>(GRANT).await? {
        let revocation = grant.revoke_grant(&app.client)?;
        app.oauth.run_async(revocation).await?;
    }
    // --- glue: end ---
    session.flush().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Whether a pending login is recent enough to complete (the app's
/// deadline).
fn in_time(pending: &AwaitingCallback) -> bool {
    !pending.is_older_than(LOGIN_DEADLINE, UnixTime::now())
}

/// Where a session keeps the pending flow with this `state`.
fn pending_key(state: &oauth2_pkce::values::State) -> String {
    format!("pending:{}", state.secret())
}

/// What a handler answers when something fails. The messages are the
/// crate's, which carry no secret and escape what came from outside.
#[derive(Debug)]
pub enum AppError {
    /// A callback with no pending login in this session: another browser's,
    /// a replay, or too late.
    NoLogin,
    /// The callback itself was refused.
    Callback(CallbackError),
    /// The session store (or Redis) failed.
    Store(Box<dyn Error + Send + Sync>),
    /// Anything else: the provider, the network, the flow.
    Other(Box<dyn Error + Send + Sync>),
}

impl<E: Error + Send + Sync + 'static> From<E> for AppError {
    fn from(error: E) -> Self {
        let error: Box<dyn Error + Send + Sync> = Box::new(error);
        match error.downcast::<CallbackError>() {
            Ok(error) => Self::Callback(*error),
            Err(error) if error.is::<tower_sessions::session::Error>() => Self::Store(error),
            Err(error) if error.is::<redis::RedisError>() => Self::Store(error),
            Err(error) => Self::Other(error),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Self::NoLogin => (
                StatusCode::BAD_REQUEST,
                "no login of this browser is waiting for this callback; start again at /login"
                    .to_owned(),
            ),
            Self::Callback(error) => (StatusCode::BAD_REQUEST, error.to_string()),
            Self::Store(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the session store is unavailable; try again".to_owned(),
            ),
            Self::Other(error) => (StatusCode::BAD_GATEWAY, error.to_string()),
        };
        (status, format!("{message}\n")).into_response()
    }
}

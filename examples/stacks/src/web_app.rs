//! A web app on axum and tower-sessions: `/login` sends the browser to the
//! provider, `/callback` completes the login, `/me` calls the provider's
//! UserInfo endpoint (or another API) with the user's token, renewing it
//! when it is about to expire, and `POST /logout` revokes the grant.
//!
//! With `openid` in the scope, the login signs the user in (OpenID Connect
//! Core §3.1.3.7): the ID token is verified with the provider's key set
//! before the session holds anything, and `/me` shows who signed in —
//! `iss`, `sub`, and the name and email of the ID token, or of the
//! UserInfo answer when the provider puts them only there. The key set is
//! kept in the store the sessions live in (Redis with `redis_url`, so
//! every instance verifies with the set one of them fetched), fetched
//! when missing or stale, and once again — rate-limited — when an ID token
//! names a key it lacks (the provider rotated its keys).
//! `POST /backchannel-logout` takes the provider's logout tokens
//! (Back-Channel Logout 1.0): a valid one ends the sessions of its `sid`
//! (or, without one, of its `sub`), found through an index kept beside
//! the sessions, and its `jti` is refused ever after.
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

use std::collections::HashMap;
use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use oauth2_pkce::errors::{CallbackError, ChainError, EndpointErrorKind, JwtError};
use oauth2_pkce::jose::RustCryptoVerifier;
use oauth2_pkce::openid::{KeySet, KeySetFetch, LogoutTokenValidation, UserInfoRequest};
use oauth2_pkce::values::Endpoint;
use oauth2_pkce::values::DEFAULT_RENEWAL_LEEWAY;
use oauth2_pkce::*;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use tower_sessions::cookie::SameSite;
use tower_sessions::session::Id;
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
    /// live there, with the provider's key set and the back-channel
    /// logout bookkeeping, and renewals take a lock there. `None`: one
    /// instance, all of it in memory.
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
    /// Without Redis: the sessions and the rest, in this process.
    local: Local,
    /// This instance's name in the renewal locks it holds.
    instance: String,
    renewals: AtomicU64,
    secure_cookie: bool,
}

/// What one instance keeps in memory when there is no Redis.
#[derive(Default)]
struct Local {
    sessions: MemoryStore,
    key_set: Mutex<Option<String>>,
    /// Session IDs by [`sessions_of`] key.
    index: Mutex<HashMap<String, Vec<Id>>>,
    /// The logout tokens' `jti`s seen, until when each is kept.
    jtis: Mutex<HashMap<String, UnixTime>>,
}

/// Who signed in: the verified ID token's `iss`, `sub` and `sid`, and the
/// name and email it (or the UserInfo answer) gave.
#[derive(Debug, Serialize, Deserialize)]
struct User {
    iss: String,
    sub: String,
    sid: Option<String>,
    name: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
}

/// How long a login may take between `/login` and `/callback`.
const LOGIN_DEADLINE: Duration = Duration::from_secs(600);
/// How long a renewed grant's save is tried again while the session store
/// is down.
const STORE_RETRY: Duration = Duration::from_secs(5);
/// Where a session keeps the user's grant.
const GRANT: &str = "grant";
/// Where a session keeps who signed in.
const USER: &str = "user";
/// How long the logout index keeps a session (tower-sessions' default
/// expiry: two weeks of inactivity).
const INDEX_TTL: Duration = Duration::from_secs(14 * 24 * 60 * 60);

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
            local: Local::default(),
            instance: shared::instance_name(),
            renewals: AtomicU64::new(0),
            secure_cookie: config.secure_cookie,
        }))
    }

    /// The routes, with their session layer.
    pub fn router(self: Arc<Self>) -> Router {
        match self.redis.clone() {
            Some(redis) => self.routes(RedisStore::new(redis)),
            None => {
                let sessions = self.local.sessions.clone();
                self.routes(sessions)
            }
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
            .route("/backchannel-logout", post(backchannel_logout))
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

    /// Signs the user in (OpenID Connect Core §3.1.3): the code exchanged,
    /// the ID token verified with the stored key set — fetched again
    /// once, rate-limited, when the token names a key the set lacks —
    /// then the name and email from UserInfo when the ID token has none.
    async fn sign_in(&self, exchanging: Exchanging) -> Result<(Authorized, User), AppError> {
        let mut keys = self.key_set().await?;
        // --- glue: start (openid) ---
        let fetched_at = keys.fetched_at();
        let signed_in = self
            .oauth
            .sign_in_async(exchanging, &mut keys, &RustCryptoVerifier);
        let (authorized, id_token) = signed_in.await.map_err(AppError::sign_in)?.into_parts();
        if keys.fetched_at() != fetched_at {
            self.store_key_set(&keys).await?; // the provider rotated its keys
        }
        // --- glue: end ---
        let claims = id_token.claims();
        let mut user = User {
            iss: claims.issuer().to_owned(),
            sub: claims.subject().to_owned(),
            sid: claims.sid().map(str::to_owned),
            name: claims.name().map(str::to_owned),
            email: claims.email().map(str::to_owned),
            email_verified: claims.email_verified(),
        };
        let complete = user.name.is_some() && user.email.is_some();
        if !complete && self.client.userinfo_endpoint().is_some() {
            // --- glue: start (openid) ---
            let request = UserInfoRequest::new(&self.client, &authorized, &id_token)?;
            // --- glue: end ---
            let answer = self.oauth.run_async(request).await?;
            // --- glue: start (openid) ---
            let userinfo = answer.verify(&keys, &RustCryptoVerifier, UnixTime::now())?;
            // --- glue: end ---
            user.name = user.name.or_else(|| userinfo.name().map(str::to_owned));
            if user.email.is_none() {
                user.email = userinfo.email().map(str::to_owned);
                user.email_verified = userinfo.email_verified();
            }
        }
        Ok((authorized, user))
    }

    /// The provider's key set from the store, fetched (and stored) when
    /// missing or stale (Core §10.1.1).
    async fn key_set(&self) -> Result<KeySet, AppError> {
        let stored = self.stored_key_set().await?;
        let now = UnixTime::now();
        // --- glue: start (openid) ---
        let fetch = match stored.map(|json| KeySet::from_json(json.as_bytes())) {
            Some(Ok(keys)) if keys.is_fresh(now) => return Ok(keys),
            Some(Ok(stale)) => stale.refresh(),
            _ => KeySetFetch::new(&self.client)?, // the metadata's `jwks_uri`
        };
        // --- glue: end ---
        let keys = self.oauth.run_async(fetch).await?;
        // --- glue: start (openid) ---
        self.store_key_set(&keys).await?;
        // --- glue: end ---
        Ok(keys)
    }

    /// Validates a back-channel logout request's `logout_token`
    /// (Back-Channel Logout 1.0 §2.6, with the key set fetched again once
    /// for an unknown key), refuses a `jti` seen before, and ends the
    /// sessions of its `sid`, or of its `sub` when it has no `sid` (§2.7).
    async fn backchannel_logout(&self, body: &[u8]) -> Result<(), AppError> {
        let mut keys = self.key_set().await?;
        let issuer = &self.client.metadata().issuer;
        // --- glue: start (openid) ---
        let validation = LogoutTokenValidation::new(issuer, self.client.client_id().as_str());
        let verify = |keys: &KeySet| {
            validation.validate_request_body(body, keys, &RustCryptoVerifier, UnixTime::now())
        };
        let token = match verify(&keys) {
            Err(JwtError::UnknownKey(_)) => {
                keys = self.oauth.run_async(keys.refetch(UnixTime::now())?).await?;
                self.store_key_set(&keys).await?;
                verify(&keys)?
            }
            validated => validated?,
        };
        // --- glue: end ---
        if !self.first_use_of(token.jti(), token.expires_at()).await? {
            return Err(AppError::Replayed);
        }
        let key = match (token.session_id(), token.subject()) {
            (Some(sid), _) => sessions_of("sid", issuer.as_str(), sid),
            (None, Some(sub)) => sessions_of("sub", issuer.as_str(), sub),
            // Not a valid logout token (§2.6 step 5): validation refuses it.
            (None, None) => {
                return Err(AppError::Other("a logout token without sid or sub".into()))
            }
        };
        self.end_sessions(&key).await
    }

    /// The key set as stored (JSON), if any.
    async fn stored_key_set(&self) -> Result<Option<String>, AppError> {
        match &self.redis {
            Some(redis) => Ok(redis::cmd("GET")
                .arg(self.key_set_key())
                .query_async(&mut redis.clone())
                .await?),
            None => Ok(self.local.key_set.lock().unwrap().clone()),
        }
    }

    /// Stores the key set, for every instance.
    async fn store_key_set(&self, keys: &KeySet) -> Result<(), AppError> {
        let json = keys.to_json();
        match &self.redis {
            Some(redis) => Ok(redis::cmd("SET")
                .arg(self.key_set_key())
                .arg(json)
                .query_async::<()>(&mut redis.clone())
                .await?),
            None => {
                *self.local.key_set.lock().unwrap() = Some(json);
                Ok(())
            }
        }
    }

    /// The Redis key of the provider's key set.
    fn key_set_key(&self) -> String {
        format!("key-set:{}", self.client.metadata().issuer.as_str())
    }

    /// Adds session `id` to the logout index of `user`: by `sid`, and by
    /// `sub`.
    async fn index_session(&self, user: &User, id: Id) -> Result<(), AppError> {
        let mut keys = vec![sessions_of("sub", &user.iss, &user.sub)];
        keys.extend(
            user.sid
                .iter()
                .map(|sid| sessions_of("sid", &user.iss, sid)),
        );
        match &self.redis {
            Some(redis) => {
                let mut pipe = redis::pipe();
                for key in &keys {
                    pipe.cmd("SADD").arg(key).arg(id.to_string()).ignore();
                    pipe.cmd("EXPIRE")
                        .arg(key)
                        .arg(INDEX_TTL.as_secs())
                        .ignore();
                }
                Ok(pipe.query_async::<()>(&mut redis.clone()).await?)
            }
            None => {
                let mut index = self.local.index.lock().unwrap();
                for key in keys {
                    index.entry(key).or_default().push(id);
                }
                Ok(())
            }
        }
    }

    /// Deletes the sessions indexed under `key`, and the index entry.
    async fn end_sessions(&self, key: &str) -> Result<(), AppError> {
        match &self.redis {
            Some(redis) => {
                let ids: Vec<String> = redis::cmd("SMEMBERS")
                    .arg(key)
                    .query_async(&mut redis.clone())
                    .await?;
                let store = RedisStore::new(redis.clone());
                for id in ids.iter().filter_map(|id| id.parse::<Id>().ok()) {
                    store.delete(&id).await?;
                }
                Ok(redis::cmd("DEL")
                    .arg(key)
                    .query_async::<()>(&mut redis.clone())
                    .await?)
            }
            None => {
                let ids = self.local.index.lock().unwrap().remove(key);
                for id in ids.unwrap_or_default() {
                    self.local.sessions.delete(&id).await?;
                }
                Ok(())
            }
        }
    }

    /// Records a logout token's `jti` until `until`; false when it was
    /// seen before (Back-Channel Logout 1.0 §2.6 step 8: a replay).
    async fn first_use_of(&self, jti: &str, until: UnixTime) -> Result<bool, AppError> {
        match &self.redis {
            Some(redis) => {
                let set: Option<String> = redis::cmd("SET")
                    .arg(format!("logout-jti:{jti}"))
                    .arg(1)
                    .arg("NX")
                    .arg("EXAT")
                    .arg(until.as_secs().max(UnixTime::now().as_secs() + 1))
                    .query_async(&mut redis.clone())
                    .await?;
                Ok(set.is_some())
            }
            None => {
                let now = UnixTime::now();
                let mut jtis = self.local.jtis.lock().unwrap();
                jtis.retain(|_, kept_until| now < *kept_until);
                let first = !jtis.contains_key(jti);
                jtis.entry(jti.to_owned()).or_insert(until);
                Ok(first)
            }
        }
    }
}

/// The logout index's key of the sessions of one `sid` or `sub` of
/// `issuer` (JSON, so that no value can pass for another).
fn sessions_of(claim: &str, issuer: &str, value: &str) -> String {
    format!("sessions-of:{}", serde_json::json!([claim, issuer, value]))
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
    let (authorized, user) = match app.scope.contains("openid") {
        true => app
            .sign_in(exchanging)
            .await
            .map(|(grant, user)| (grant, Some(user)))?,
        false => (app.oauth.run_async(exchanging).await?, None),
    };
    // --- glue: start ---
    session.cycle_id().await?;
    session.insert(GRANT, &authorized).await?;
    // --- glue: end ---
    if let Some(user) = user {
        session.insert(USER, &user).await?;
        session.save().await?; // now, for its new ID
        let id = session.id().ok_or(AppError::NoStep)?;
        app.index_session(&user, id).await?;
    }
    Ok(Redirect::to("/me").into_response())
}

/// `GET /me`: the API's answer for the logged-in user; for a user signed
/// in with OpenID Connect, as JSON: who signed in (`iss`, `sub`, `name`,
/// `email`, `email_verified`), and the API's answer as `api`.
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
    let user = session.get::<User>(USER).await?;
    let (Some(user), true) = (user, answer.status().is_success()) else {
        return Ok((answer.status(), answer.into_body()).into_response());
    };
    // Values from outside, escaped as JSON: never pasted into markup.
    let api: serde_json::Value = serde_json::from_slice(answer.body())
        .unwrap_or_else(|_| String::from_utf8_lossy(answer.body()).into());
    let me = serde_json::json!({
        "iss": user.iss,
        "sub": user.sub,
        "name": user.name,
        "email": user.email,
        "email_verified": user.email_verified,
        "api": api,
    });
    let json = [(header::CONTENT_TYPE, "application/json")];
    Ok((json, me.to_string()).into_response())
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

/// `POST /backchannel-logout`: the provider's logout token (Back-Channel
/// Logout 1.0 §2.5); `200` once the sessions it names are ended, `400`
/// with an error object for a token refused or replayed, or a logout that
/// failed (§2.8) — never cached.
async fn backchannel_logout(State(app): State<Arc<WebApp>>, body: Bytes) -> Response {
    let no_store = (header::CACHE_CONTROL, "no-store");
    match app.backchannel_logout(&body).await {
        Ok(()) => (StatusCode::OK, [no_store]).into_response(),
        Err(error) => {
            let error = serde_json::json!({
                "error": "invalid_request",
                "error_description": error.message(),
            });
            let json = (header::CONTENT_TYPE, "application/json");
            (StatusCode::BAD_REQUEST, [no_store, json], error.to_string()).into_response()
        }
    }
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
    /// The ID token did not verify: nobody signed in.
    SignIn(Box<dyn Error + Send + Sync>),
    /// A logout token seen before.
    Replayed,
    /// What the crate or the store promised did not come (a step handed
    /// back, a session ID once saved).
    NoStep,
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

impl AppError {
    /// A sign-in that failed: refused for the ID token (a page that says
    /// so), or the token endpoint's or the transport's failure.
    fn sign_in<E: Error + Send + Sync + 'static>(error: ChainError<E>) -> Self {
        match &error {
            ChainError::Endpoint(refused)
                if matches!(refused.kind(), EndpointErrorKind::IdTokenRejected(_)) =>
            {
                Self::SignIn(Box::new(error))
            }
            _ => Self::from(error),
        }
    }

    /// The status, and the message for the user.
    fn answer(&self) -> (StatusCode, String) {
        match self {
            Self::NoLogin => (
                StatusCode::BAD_REQUEST,
                "no login of this browser is waiting for this callback; start again at /login"
                    .to_owned(),
            ),
            Self::Callback(error) => (StatusCode::BAD_REQUEST, error.to_string()),
            Self::SignIn(error) => (
                StatusCode::FORBIDDEN,
                format!("sign-in refused, the provider's ID token did not verify: {error}"),
            ),
            Self::Replayed => (
                StatusCode::BAD_REQUEST,
                "this logout token was received before".to_owned(),
            ),
            Self::NoStep => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the app lost track of this request; try again".to_owned(),
            ),
            Self::Store(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the session store is unavailable; try again".to_owned(),
            ),
            Self::Other(error) => (StatusCode::BAD_GATEWAY, error.to_string()),
        }
    }

    /// The message for the user.
    fn message(&self) -> String {
        self.answer().1
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = self.answer();
        (status, format!("{message}\n")).into_response()
    }
}

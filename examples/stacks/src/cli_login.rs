//! A command-line login (RFC 8252) on reqwest and tokio: discovery from the
//! issuer (PAR when the server offers it), the loopback redirect, the code
//! exchange, a call to the OpenID UserInfo endpoint (or another API),
//! refresh and revocation. Configured from the environment, so it works
//! with any provider: `OAUTH2_ISSUER`, `OAUTH2_CLIENT_ID`,
//! `OAUTH2_CLIENT_SECRET` (absent: a public client), `OAUTH2_SCOPE`,
//! `OAUTH2_API_URL` (absent: UserInfo); the program adds
//! `OAUTH2_REDIRECT_URI` (absent: [`DEFAULT_REDIRECT_URI`](crate::DEFAULT_REDIRECT_URI)).
//! The browser is told how the login went once the callback is checked and
//! the code exchanged. With `openid` in the scope, the login signs the user
//! in: the ID token is verified with the provider's key set (OpenID
//! Connect Core §3.1.3.7) before anything else, and the program says who
//! signed in (`sub`, at `iss`).

use std::error::Error;
use std::time::Duration;

use oauth2_pkce::jose::RustCryptoVerifier;
use oauth2_pkce::loopback::{LoopbackOutcome, LoopbackRedirect};
use oauth2_pkce::openid::{IdToken, KeySetFetch};
use oauth2_pkce::values::Endpoint;
use oauth2_pkce::*;

use oauth2_pkce_reqwest::ReqwestTransport;

/// What the login needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// `OAUTH2_ISSUER`.
    pub issuer: String,
    /// `OAUTH2_CLIENT_ID`.
    pub client_id: String,
    /// `OAUTH2_CLIENT_SECRET`, for a confidential client.
    pub client_secret: Option<String>,
    /// `OAUTH2_SCOPE` (default `openid`).
    pub scope: String,
    /// `OAUTH2_API_URL` (default: the UserInfo endpoint).
    pub api_url: Option<String>,
}

impl Config {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        Ok(Self {
            issuer: var("OAUTH2_ISSUER").ok_or("set OAUTH2_ISSUER")?,
            client_id: var("OAUTH2_CLIENT_ID").ok_or("set OAUTH2_CLIENT_ID")?,
            client_secret: var("OAUTH2_CLIENT_SECRET"),
            scope: var("OAUTH2_SCOPE").unwrap_or_else(|| "openid".into()),
            api_url: var("OAUTH2_API_URL"),
        })
    }
}

/// What a login gives.
#[derive(Debug)]
pub struct Outcome {
    /// Who signed in, with `openid` in the scope: the verified ID token's
    /// issuer (`iss`) and user (`sub`), as sent (escape them to print).
    pub signed_in: Option<(String, String)>,
    /// The API's answer.
    pub answer: String,
}

/// Logs the user in through `listener`, calls the API, refreshes and
/// revokes. `open_browser` shows the user the authorization URL.
pub async fn run(
    config: &Config,
    listener: LoopbackRedirect,
    open_browser: impl FnOnce(&str) -> std::io::Result<()>,
) -> Result<Outcome, Box<dyn Error>> {
    // --- glue: start ---
    // Why a step takes long (a server's Retry-After, a backoff), on stderr.
    let oauth = Driver::new(ReqwestTransport::new()?)?.with_observer(|wait| eprintln!("{wait}"));
    let metadata = oauth.run_async(Discovery::new(&config.issuer)?).await?;
    let secret = config.client_secret.as_deref().map(ClientSecret::new);
    let client = Client::new(metadata, ClientId::new(&config.client_id)?, secret.into())?;
    // --- glue: end ---
    let authorization = Start::new(&client)
        .redirect_uri(listener.redirect_uri().clone())
        .scope(Scope::parse(&config.scope)?)
        .authorize(FlowEntropy::from_os_rng()?, UnixTime::now())?;
    let (authorization, pending) = oauth.authorize_async(authorization).await?;
    open_browser(authorization.url())?;
    let (callback, browser) = listener.wait_async(Duration::from_secs(300)).await?;
    // The browser's page says how it went (the app's own).
    let openid = Scope::parse(&config.scope)?.contains("openid");
    let authorized = match pending.handle_callback(&client, callback) {
        Ok(exchanging) => exchange(&oauth, &client, exchanging, openid).await,
        Err(error) => {
            browser.respond(LoopbackOutcome::of_callback_error(&error));
            return Err(error.into());
        }
    };
    browser.respond(match authorized {
        Ok(_) => LoopbackOutcome::SignedIn,
        Err(_) => LoopbackOutcome::Failed,
    });
    let (mut authorized, id_token) = authorized?;
    let claims = id_token.as_ref().map(IdToken::claims);
    let signed_in = claims.map(|claims| (claims.issuer().into(), claims.subject().into()));
    let userinfo = client.userinfo_endpoint().map(Endpoint::as_str);
    let api = config.api_url.as_deref().or(userinfo).ok_or("no API URL")?;
    let request = http::Request::get(api).body(RequestBody::default())?;
    let answer = oauth
        .request_resource_async(&client, &mut authorized, request)
        .await?;
    let refreshed = oauth.run_async(authorized.refresh(&client)?).await?;
    oauth.run_async(refreshed.revoke_grant(&client)?).await?;
    let answer = String::from_utf8_lossy(answer.body()).into_owned();
    Ok(Outcome { signed_in, answer })
}

/// The code exchanged; with `openid`, the user signed in: the ID token
/// verified with the provider's key set, fetched for this one login.
async fn exchange(
    oauth: &Driver<ReqwestTransport>,
    client: &Client,
    exchanging: Exchanging,
    openid: bool,
) -> Result<(Authorized, Option<IdToken>), Box<dyn Error>> {
    if !openid {
        return Ok((oauth.run_async(exchanging).await?, None));
    }
    // --- glue: start (openid) ---
    let mut keys = oauth.run_async(KeySetFetch::new(client)?).await?;
    let signed_in = oauth.sign_in_async(exchanging, &mut keys, &RustCryptoVerifier);
    let signed_in = signed_in.await?;
    // --- glue: end ---
    let (authorized, id_token) = signed_in.into_parts();
    Ok((authorized, Some(id_token)))
}

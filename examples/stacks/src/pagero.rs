//! Pagero Online, blocking on ureq: the crate's Pagero preset (its
//! documented endpoints), a confidential client with HTTP Basic, the
//! authorization code flow with PKCE, an API call, and Pagero's rotating
//! refresh token. Each Pagero refresh token works once and the answer
//! carries the next one, so the grant lives in a file that is replaced
//! (atomically) right after every refresh, before the new access token is
//! used: a crash then never leaves a spent refresh token behind.
//!
//! The first run logs in: it shows the authorization URL and reads back
//! the address the browser was sent to (Pagero redirects to the URI
//! registered for the client, which need not be served by this program).
//! Later runs refresh. With `logout`, the grant is revoked and the file
//! removed.

use std::error::Error;
use std::io;
use std::path::{Path, PathBuf};

use oauth2_pkce::*;

use oauth2_pkce_ureq::UreqTransport;

/// What the program needs to know: placeholders until Pagero registers
/// the client.
#[derive(Clone, Debug)]
pub struct Config {
    /// `PAGERO_CLIENT_ID`, from Pagero's client registration.
    pub client_id: String,
    /// `PAGERO_CLIENT_SECRET`.
    pub client_secret: String,
    /// `PAGERO_REDIRECT_URI`, exactly as registered
    /// (`https://urltoclient:4443/` in Pagero's documentation).
    pub redirect_uri: String,
    /// `PAGERO_SCOPE`, if the registration has scopes.
    pub scope: Option<String>,
    /// `PAGERO_API_URL`: an API to call with the access token.
    pub api_url: Option<String>,
    /// `PAGERO_TOKENS`: where the grant lives between runs.
    pub tokens: PathBuf,
    /// `PAGERO_SSO`: another origin for Pagero's endpoint paths (a local
    /// stand-in); `None`: `https://sso.pageroonline.com`.
    pub sso: Option<String>,
}

/// Logs in (first run) or refreshes (later runs), then calls the API; or,
/// with `logout`, revokes the grant. `user` shows the authorization URL and
/// returns the address the browser came back to; `say` reports progress.
pub fn run(
    config: &Config,
    logout: bool,
    user: impl FnOnce(&str) -> io::Result<String>,
    mut say: impl FnMut(String),
) -> Result<(), Box<dyn Error>> {
    let mut metadata = Preset::pagero().metadata().clone();
    if let Some(origin) = &config.sso {
        move_to(&mut metadata, origin);
    }
    say(format!(
        "authorization endpoint: {}",
        metadata.authorization_endpoint
    ));
    say(format!(
        "token endpoint:         {}",
        metadata.token_endpoint
    ));
    let revocation = metadata.revocation_endpoint.as_deref().unwrap_or_default();
    say(format!("revocation endpoint:    {revocation}"));

    // --- glue: start ---
    let oauth = Driver::new(UreqTransport::new())?;
    let secret = ClientSecret::new(config.client_secret.as_str());
    let authentication = ClientAuthentication::ClientSecretBasic(secret);
    let client = Client::new(metadata, ClientId::new(&config.client_id)?, authentication)?
        .with_redirect_uri(RedirectUri::new(config.redirect_uri.as_str())?);
    let stored = match std::fs::read(&config.tokens) {
        Ok(json) => Some(Authorized::from_json(&json)?),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err(error.into()),
    };
    // --- glue: end ---
    if logout {
        if let Some(grant) = stored {
            oauth.run(grant.revoke_grant(&client)?)?;
            std::fs::remove_file(&config.tokens)?;
        }
        say("logged out".into());
        return Ok(());
    }
    let mut grant = match stored {
        Some(grant) => {
            // The refresh token is spent once Pagero answers: save the new one first.
            let refreshed = oauth.run(grant.refresh(&client)?)?;
            save(&config.tokens, &refreshed)?;
            refreshed
        }
        None => {
            let scope = Scope::parse(config.scope.as_deref().unwrap_or_default())?;
            let (authorization, pending) = Start::new(&client)
                .scope(scope)
                .begin(FlowEntropy::from_os_rng()?, UnixTime::now())?;
            let callback = Callback::from_url(&user(authorization.url())?)?;
            let authorized = oauth.run(pending.handle_callback(&client, callback)?)?;
            save(&config.tokens, &authorized)?;
            authorized
        }
    };
    if let Some(api) = &config.api_url {
        let request = http::Request::get(api).body(RequestBody::default())?;
        let answer = oauth.request_resource(&client, &mut grant, request)?;
        say(format!("{api}: {}", answer.status()));
    }
    say(format!(
        "grant saved in {}: generation {} (0 after a login, one more per refresh)",
        config.tokens.display(),
        grant.tokens().generation()
    ));
    Ok(())
}

/// Puts Pagero's endpoint paths on `origin`.
fn move_to(metadata: &mut ServerMetadata, origin: &str) {
    const PAGERO: &str = "https://sso.pageroonline.com";
    let origin = origin.trim_end_matches('/');
    for url in [
        &mut metadata.issuer,
        &mut metadata.authorization_endpoint,
        &mut metadata.token_endpoint,
    ]
    .into_iter()
    .chain(metadata.revocation_endpoint.as_mut())
    {
        if let Some(path) = url.strip_prefix(PAGERO) {
            *url = format!("{origin}{path}");
        }
    }
}

/// Replaces the stored grant at once and whole: written beside, then
/// renamed over the old file, readable by this user only.
fn save(path: &Path, grant: &Authorized) -> io::Result<()> {
    let json = serde_json::to_vec(grant)?;
    let mut next = path.as_os_str().to_owned();
    next.push(".next");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    io::Write::write_all(&mut options.open(&next)?, &json)?;
    std::fs::rename(&next, path)
}

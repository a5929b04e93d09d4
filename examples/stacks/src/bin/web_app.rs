//! Serves the web app on `WEB_APP_ADDR` (default `127.0.0.1:3000`): open
//! `/login` in a browser, then `/me`; `POST /logout` signs out. With
//! `openid` in the scope (the default) the login verifies the ID token and
//! `/me` shows who signed in; register `/backchannel-logout` on this
//! address as the client's `backchannel_logout_uri` to have the provider's
//! logouts end the sessions here.
//!
//! ```sh
//! OAUTH2_ISSUER=https://accounts.example.com OAUTH2_CLIENT_ID=my-app OAUTH2_CLIENT_SECRET=… \
//!     OAUTH2_REDIRECT_URI=http://127.0.0.1:3000/callback \
//!     cargo run --manifest-path examples/stacks/Cargo.toml --bin web_app
//! ```
//!
//! `OAUTH2_SCOPE` (default `openid`), `OAUTH2_API_URL` (default: the
//! UserInfo endpoint) and `REDIS_URL` (sessions and renewal locks shared
//! by every instance; default: one instance, sessions in memory) are
//! optional. The session cookie is `Secure` unless
//! the redirect URI is plain `http` (a loopback trial).

use std::process::ExitCode;

use oauth2_pkce_stacks::web_app::{Config, WebApp};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let (Some(issuer), Some(client_id), Some(redirect_uri)) = (
        var("OAUTH2_ISSUER"),
        var("OAUTH2_CLIENT_ID"),
        var("OAUTH2_REDIRECT_URI"),
    ) else {
        eprintln!("set OAUTH2_ISSUER, OAUTH2_CLIENT_ID and OAUTH2_REDIRECT_URI");
        return ExitCode::FAILURE;
    };
    let config = Config {
        secure_cookie: !redirect_uri.starts_with("http:"),
        issuer,
        client_id,
        client_secret: var("OAUTH2_CLIENT_SECRET"),
        redirect_uri,
        scope: var("OAUTH2_SCOPE").unwrap_or_else(|| "openid".into()),
        api_url: var("OAUTH2_API_URL"),
        redis_url: var("REDIS_URL"),
    };
    let address = var("WEB_APP_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
    let served = async {
        let http = oauth2_pkce_reqwest::ReqwestTransport::client_builder().build()?;
        let app = WebApp::discover(&config, http).await?;
        let listener = tokio::net::TcpListener::bind(&address).await?;
        println!("listening on http://{address}/login");
        axum::serve(listener, app.router()).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    match served.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("web app failed: {error}");
            ExitCode::FAILURE
        }
    }
}

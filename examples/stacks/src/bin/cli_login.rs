//! Signs in from the command line against any provider, then calls its
//! UserInfo endpoint (or `OAUTH2_API_URL`), refreshes and revokes. With
//! `openid` in the scope (the default), the first line it prints is who
//! signed in, from the verified ID token: `signed in: <sub> at <iss>`;
//! then the API's answer.
//!
//! ```sh
//! OAUTH2_ISSUER=https://accounts.example.com OAUTH2_CLIENT_ID=my-cli \
//!     cargo run --manifest-path examples/stacks/Cargo.toml --bin cli_login
//! ```
//!
//! The authorization URL opens in `$BROWSER` when it is set, and is printed
//! otherwise. The program listens on `OAUTH2_REDIRECT_URI`, the redirect
//! URI registered with the provider, whole: `http://127.0.0.1:8400/oauth/cb`
//! for a provider that registers the port, `http://127.0.0.1/oauth/cb` (a
//! free port) for one that allows any port (RFC 8252 §7.3). Unset, it is
//! `http://127.0.0.1/callback`: `/callback` on a free port.

use std::process::ExitCode;

use oauth2_pkce::values::UntrustedText;
use oauth2_pkce_stacks::cli_login::{self, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(missing) => {
            eprintln!("{missing}");
            return ExitCode::FAILURE;
        }
    };
    let redirect_uri = std::env::var("OAUTH2_REDIRECT_URI").ok();
    let redirect_uri = redirect_uri.as_deref().filter(|uri| !uri.is_empty());
    let listener = match oauth2_pkce_stacks::loopback_listener(redirect_uri) {
        Ok(listener) => listener,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    match cli_login::run(&config, listener, open_browser).await {
        Ok(outcome) => {
            if let Some((issuer, subject)) = outcome.signed_in {
                // The provider's text, escaped for the terminal.
                let (issuer, subject) = (UntrustedText::from(issuer), UntrustedText::from(subject));
                println!("signed in: {subject} at {issuer}");
            }
            println!("{}", outcome.answer);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("sign-in failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Opens `url` with the program named in `$BROWSER`, or prints it.
fn open_browser(url: &str) -> std::io::Result<()> {
    match std::env::var_os("BROWSER").filter(|browser| !browser.is_empty()) {
        Some(browser) => std::process::Command::new(browser)
            .arg(url)
            .spawn()
            .map(drop),
        None => {
            println!("Open this URL to sign in:\n{url}");
            Ok(())
        }
    }
}

//! Signs in from the command line against any provider, then calls its
//! UserInfo endpoint (or `OAUTH2_API_URL`), refreshes and revokes.
//!
//! ```sh
//! OAUTH2_ISSUER=https://accounts.example.com OAUTH2_CLIENT_ID=my-cli \
//!     cargo run --manifest-path examples/stacks/Cargo.toml --bin cli_login
//! ```
//!
//! The authorization URL opens in `$BROWSER` when it is set, and is printed
//! otherwise. Register `http://127.0.0.1/callback` as the client's redirect
//! URI: with any port (RFC 8252 §7.3), or with the one in
//! `OAUTH2_REDIRECT_PORT` for a provider that registers ports.

use std::process::ExitCode;

use oauth2_pkce::LoopbackRedirect;
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
    let port = std::env::var("OAUTH2_REDIRECT_PORT").ok();
    let bound = match port.as_deref().map(str::parse::<u16>) {
        None => LoopbackRedirect::bind("/callback"),
        Some(Ok(port)) => LoopbackRedirect::bind_port(port, "/callback"),
        Some(Err(_)) => {
            eprintln!("OAUTH2_REDIRECT_PORT is not a port number");
            return ExitCode::FAILURE;
        }
    };
    let listener = match bound {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on 127.0.0.1: {error}");
            return ExitCode::FAILURE;
        }
    };
    match cli_login::run(&config, listener, open_browser).await {
        Ok(answer) => {
            println!("{answer}");
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

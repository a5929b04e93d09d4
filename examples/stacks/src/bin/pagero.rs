//! Signs in to Pagero Online on the first run, refreshes on the next ones
//! (Pagero's refresh tokens rotate: the grant file is replaced each time),
//! and with `--logout` revokes the grant.
//!
//! ```sh
//! PAGERO_CLIENT_ID=… PAGERO_CLIENT_SECRET=… PAGERO_REDIRECT_URI=https://urltoclient:4443/ \
//!     cargo run --manifest-path examples/stacks/Cargo.toml --bin pagero
//! ```
//!
//! `PAGERO_SCOPE`, `PAGERO_API_URL` (an API to call), `PAGERO_TOKENS`
//! (default `pagero-tokens.json`) and `PAGERO_SSO` (another origin for
//! Pagero's endpoint paths, e.g. a local stand-in) are optional.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use oauth2_pkce_stacks::pagero::{self, Config};

fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let (Some(client_id), Some(client_secret), Some(redirect_uri)) = (
        var("PAGERO_CLIENT_ID"),
        var("PAGERO_CLIENT_SECRET"),
        var("PAGERO_REDIRECT_URI"),
    ) else {
        eprintln!("set PAGERO_CLIENT_ID, PAGERO_CLIENT_SECRET and PAGERO_REDIRECT_URI");
        return ExitCode::FAILURE;
    };
    let config = Config {
        client_id,
        client_secret,
        redirect_uri,
        scope: var("PAGERO_SCOPE"),
        api_url: var("PAGERO_API_URL"),
        tokens: var("PAGERO_TOKENS")
            .unwrap_or_else(|| "pagero-tokens.json".into())
            .into(),
        sso: var("PAGERO_SSO"),
    };
    let logout = std::env::args().any(|arg| arg == "--logout");
    let user = |url: &str| {
        println!("Open this URL, sign in, and paste the address you are sent back to:\n{url}");
        std::io::stdout().flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim().to_owned())
    };
    match pagero::run(&config, logout, user, |line| println!("{line}")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pagero failed: {error}");
            ExitCode::FAILURE
        }
    }
}

//! Calls an API that needs a token, knowing nothing but its URL: the
//! API's `401` leads to its metadata, its authorization server, a
//! registration and a login in the browser; then the API is called again.
//!
//! ```sh
//! RESOURCE_URL=https://mcp.example.com/mcp \
//!     cargo run --manifest-path examples/stacks/Cargo.toml --bin resource_login
//! ```
//!
//! `RESOURCE_STEP_UP_URL` names a second URL that needs more scope: the
//! program calls it and, on `insufficient_scope`, logs in again for the
//! wider scope. The authorization URL opens in `$BROWSER` when it is set,
//! and is printed otherwise. The program listens on `OAUTH2_REDIRECT_URI`
//! (as `cli_login` does; unset, `/callback` on a free port of 127.0.0.1),
//! which it registers.

use std::process::ExitCode;

use oauth2_pkce::loopback::LoopbackRedirect;
use oauth2_pkce_stacks::resource_login;

fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let Some(resource_url) = var("RESOURCE_URL") else {
        eprintln!("set RESOURCE_URL");
        return ExitCode::FAILURE;
    };
    let listener =
        match oauth2_pkce_stacks::loopback_listener(var("OAUTH2_REDIRECT_URI").as_deref()) {
            Ok(listener) => listener,
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
        };
    // The step-up listens on the redirect URI just registered: its port.
    let registered = listener.redirect_uri().as_str().to_owned();
    let again = move || LoopbackRedirect::bind_uri(&registered);
    let step_up_url = var("RESOURCE_STEP_UP_URL");
    match resource_login::run(
        &resource_url,
        step_up_url.as_deref(),
        listener,
        again,
        open_browser,
    ) {
        Ok(answers) => {
            println!("{}", String::from_utf8_lossy(answers.first.body()));
            if let Some(stepped_up) = answers.stepped_up {
                println!("{}", String::from_utf8_lossy(stepped_up.body()));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("failed: {error}");
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

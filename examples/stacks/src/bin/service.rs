//! A service calling an API with a token of its own (the client credentials
//! grant), renewing it as it goes.
//!
//! ```sh
//! OAUTH2_ISSUER=https://accounts.example.com OAUTH2_CLIENT_ID=svc OAUTH2_CLIENT_SECRET=… \
//!     OAUTH2_SCOPE=api OAUTH2_API_URL=https://api.example.com/health \
//!     cargo run --manifest-path examples/stacks/Cargo.toml --bin service
//! ```
//!
//! It calls the API `SERVICE_CALLS` times (default 10), `SERVICE_PAUSE_SECS`
//! seconds apart (default 30), and prints the statuses.

use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let number = |name: &str, default: u64| var(name).parse().unwrap_or(default);
    let result = oauth2_pkce_stacks::service::run(
        &var("OAUTH2_ISSUER"),
        &var("OAUTH2_CLIENT_ID"),
        &var("OAUTH2_CLIENT_SECRET"),
        &var("OAUTH2_SCOPE"),
        &var("OAUTH2_API_URL"),
        number("SERVICE_CALLS", 10) as usize,
        Duration::from_secs(number("SERVICE_PAUSE_SECS", 30)),
    );
    match result {
        Ok(statuses) => {
            println!("API statuses: {statuses:?}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("service failed: {error}");
            ExitCode::FAILURE
        }
    }
}

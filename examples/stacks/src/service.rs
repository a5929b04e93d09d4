//! A machine-to-machine service on ureq, blocking: the client credentials
//! grant (RFC 6749 §4.4), an API called in a loop, the token renewed
//! shortly before it expires — by refresh when the server gave a refresh
//! token, by running the grant again otherwise.

use std::error::Error;
use std::time::Duration;

use oauth2_pkce::*;

use crate::{ureq_agent, ureq_send};

/// Calls `api` `calls` times, `pause` apart, with a token of
/// `client_id`'s own; the statuses the API answered.
pub fn run(
    issuer: &str,
    client_id: &str,
    client_secret: &str,
    scope: &str,
    api: &str,
    calls: usize,
    pause: Duration,
) -> Result<Vec<u16>, Box<dyn Error>> {
    let agent = ureq_agent();
    let send = |request| ureq_send(&agent, request);
    let sleep = std::thread::sleep;
    let driver = Driver::new(RetryPolicy::from_os_rng()?);
    let mut statuses = Vec::new();

    // --- glue: start ---
    let metadata = driver.run(Discovery::new(issuer)?, send, sleep)?;
    let secret = ClientAuthentication::ClientSecretBasic(ClientSecret::new(client_secret));
    let client = Client::new(metadata, ClientId::new(client_id)?, secret)?;
    let scope = Scope::parse(scope)?;
    let grant = || ClientCredentials::new(&client, scope.clone());
    let mut tokens = driver.run(grant()?, send, sleep)?;
    for _ in 0..calls {
        if tokens.needs_renewal(UnixTime::now(), DEFAULT_RENEWAL_LEEWAY) {
            tokens = match tokens.refresh(&client) {
                Ok(refreshing) => driver.run(refreshing, send, sleep)?,
                Err(_) => driver.run(grant()?, send, sleep)?,
            };
        }
        let mut request = http::Request::get(api).body(RequestBody::default())?;
        tokens.authorize_request(&mut request)?;
        statuses.push(send(request)?.status().as_u16());
        std::thread::sleep(pause);
    }
    // --- glue: end ---
    Ok(statuses)
}

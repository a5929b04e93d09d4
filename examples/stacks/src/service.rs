//! A machine-to-machine service on ureq, blocking: the client credentials
//! grant (RFC 6749 §4.4), an API called in a loop, the token renewed
//! shortly before it expires — by refresh when the server gave a refresh
//! token, by running the grant again otherwise.

use std::error::Error;
use std::time::Duration;

use oauth2_pkce::values::DEFAULT_RENEWAL_LEEWAY;
use oauth2_pkce::*;
use oauth2_pkce_ureq::UreqTransport;

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
    let mut statuses = Vec::new();
    // --- glue: start ---
    let oauth = Driver::new(UreqTransport::new())?;
    let metadata = oauth.run(Discovery::new(issuer)?)?;
    let secret = ClientAuthentication::ClientSecretBasic(ClientSecret::new(client_secret));
    let client = Client::new(metadata, ClientId::new(client_id)?, secret)?;
    // --- glue: end ---
    let scope = Scope::parse(scope)?;
    let grant = || ClientCredentials::new(&client, scope.clone());
    let mut tokens = oauth.run(grant()?)?;
    for _ in 0..calls {
        // --- glue: start ---
        if tokens.needs_renewal(UnixTime::now(), DEFAULT_RENEWAL_LEEWAY) {
            tokens = match tokens.refresh(&client) {
                Ok(refreshing) => oauth.run(refreshing)?,
                Err(_) => oauth.run(grant()?)?, // no refresh token: the grant again
            };
        }
        // --- glue: end ---
        let request = http::Request::get(api).body(RequestBody::default())?;
        let answer = oauth.request_resource(&client, &mut tokens, request)?;
        statuses.push(answer.status().as_u16());
        std::thread::sleep(pause);
    }
    Ok(statuses)
}

//! The `oauth2` 5.x side of the migration guide
//! (`src/manual/migrating_from_oauth2.md`), compiled here, where `oauth2`
//! is a dependency; `tests/offline/readme.rs` keeps the guide's block and
//! the marked region below the same.

// --- guide: start ---
use std::collections::HashMap;

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest};
use oauth2::{EndpointNotSet, EndpointSet, HttpResponse, PkceCodeChallenge, PkceCodeVerifier};
use oauth2::{RedirectUrl, Scope, TokenUrl};

type TheirClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;
type Send = fn(HttpRequest) -> Result<HttpResponse, std::io::Error>;

fn client() -> Result<TheirClient, Box<dyn std::error::Error>> {
    let redirect_uri = "https://app.example.com/callback".to_owned();
    Ok(BasicClient::new(ClientId::new("client-id".to_owned()))
        .set_client_secret(ClientSecret::new("client-secret".to_owned()))
        .set_auth_uri(AuthUrl::new("https://as.example.com/authorize".to_owned())?)
        .set_token_uri(TokenUrl::new("https://as.example.com/token".to_owned())?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri)?))
}

// GET /login
fn login(client: &TheirClient, session: &mut HashMap<String, String>) -> String {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("read".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    session.insert("csrf".to_owned(), csrf.secret().clone());
    session.insert("verifier".to_owned(), verifier.secret().clone());
    url.to_string()
}

// GET /callback?code=…&state=…
fn callback(
    client: &TheirClient,
    send: Send,
    session: &mut HashMap<String, String>,
    callback_url: &str,
) -> Result<BasicTokenResponse, Box<dyn std::error::Error>> {
    // Reading the query, `error`, `state` (in constant time, ideally) and
    // `iss` (RFC 9207, not checked here) are the app's to write.
    let url = url::Url::parse(callback_url)?;
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    if let Some(error) = query.get("error") {
        return Err(format!("the server said {error}").into());
    }
    let csrf = session.remove("csrf").ok_or("no login")?;
    if query.get("state") != Some(&csrf) {
        return Err("state mismatch".into());
    }
    let verifier = PkceCodeVerifier::new(session.remove("verifier").ok_or("no login")?);
    let code = query.get("code").ok_or("no code")?;
    // `send` must not follow redirects (RFC 9700 §4.11).
    Ok(client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request(&send)?)
}
// --- guide: end ---

fn main() {
    let _ = (client, login, callback);
}

//! The whole Authorization Code + PKCE flow over real loopback HTTP against
//! an embedded authorization server (oxide-auth, a third-party
//! implementation), printing each step with secrets redacted.
//!
//! ```sh
//! cargo run --example demo
//! ```

use std::error::Error;

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::CryptoError, errors::TokenErrorCode, values::TokenTypeHint, Callback, Client,
    ClientAuthentication, ClientId, ClientSecret, FlowEntropy, RedirectUri, RequestContext, Scope,
    ServerMetadata, Start, UnixTime,
};
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};

const REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// The moment a request is built, with fresh randomness (for a client
/// that signs its requests; this one does not, but the call is the same).
fn context() -> Result<RequestContext, CryptoError> {
    RequestContext::from_os_rng(UnixTime::now())
}

fn main() -> Result<(), Box<dyn Error>> {
    let server = AuthorizationServer::start(ServerConfig::default().redirect_uri(REDIRECT_URI))?;
    println!(
        "authorization server (oxide-auth) listening at {}",
        server.issuer()
    );

    let client = Client::new(
        ServerMetadata::new(
            server.issuer(),
            server.authorization_endpoint(),
            server.token_endpoint(),
        )
        .with_revocation_endpoint(server.revocation_endpoint()),
        ClientId::new(DEMO_CLIENT_ID)?,
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(DEMO_CLIENT_SECRET)),
    )?
    .with_redirect_uri(RedirectUri::new(REDIRECT_URI)?);
    println!(
        "client: {:?}, {}, redirect_uri {:?}\n",
        client.client_id(),
        client.authentication().method_name(),
        client.redirect_uri().map(RedirectUri::as_str)
    );

    // 1. Send the user to log in.
    let (authorization, pending) = Start::new(&client)
        .scope(Scope::parse("read write")?)
        .begin(FlowEntropy::from_os_rng()?, UnixTime::now())?;
    println!("1. authorization request: {authorization:?}");
    let stored = serde_json::to_string(&pending)?;
    println!(
        "   pending flow stored in the session ({} bytes of JSON)",
        stored.len()
    );

    // 2. The user logs in; the browser comes back to the redirect URI.
    let callback_url = server.log_in(authorization.url())?;
    let callback = Callback::from_url(&callback_url)?;
    println!("2. callback: {callback:?}");
    let pending: oauth2_pkce::AwaitingCallback = serde_json::from_str(&stored)?;
    let exchanging = pending.handle_callback(&client, callback)?;
    println!("   state and iss checked; code ready to exchange");

    // 3. Exchange the code.
    let request = exchanging.request(&context()?)?;
    println!("3. token request: {request:?}");
    let response = oauth2_pkce_test_server::send(request.into_http())?;
    println!("   token response: HTTP {}", response.status());
    let authorized = exchanging.handle_response(&response, UnixTime::now())?;
    println!("   authorized: {:?}", authorized.tokens());

    // 4. Call the API with the access token.
    let mut api_call = http::Request::get(server.resource_endpoint()).body(Vec::new())?;
    authorized.authorize_request(&mut api_call)?;
    println!(
        "4. API request: GET {} with {:?}",
        api_call.uri(),
        api_call.headers()
    );
    let api_response = oauth2_pkce_test_server::send(api_call)?;
    println!(
        "   API response: HTTP {} {}",
        api_response.status(),
        String::from_utf8_lossy(api_response.body())
    );
    if !api_response.status().is_success() {
        return Err("the API refused the access token".into());
    }

    // 5. Refresh: the server rotates the refresh token.
    let refreshing = authorized.refresh(&client)?;
    println!("5. refresh request: {:?}", refreshing.request(&context()?)?);
    let response = oauth2_pkce_test_server::send(refreshing.request(&context()?)?.into_http())?;
    let refreshed = refreshing.handle_response(&response, UnixTime::now())?;
    println!("   refreshed: {:?}", refreshed.tokens());
    println!(
        "   refresh token rotated: {}",
        refreshed.tokens().refresh_token() != authorized.tokens().refresh_token()
    );

    // 6. Log out: revoke the refresh token (RFC 7009).
    let revocation = refreshed.revoke(&client, TokenTypeHint::RefreshToken)?;
    println!(
        "6. revocation request: {:?}",
        revocation.request(&context()?)?
    );
    let response = oauth2_pkce_test_server::send(revocation.request(&context()?)?.into_http())?;
    println!("   revocation response: HTTP {}", response.status());
    revocation.handle_response(&response, UnixTime::now())?;

    // The revoked refresh token no longer works.
    let refreshing = refreshed.refresh(&client)?;
    let response = oauth2_pkce_test_server::send(refreshing.request(&context()?)?.into_http())?;
    match refreshing.handle_response(&response, UnixTime::now()) {
        Err(failure) if failure.code() == Some(&TokenErrorCode::InvalidGrant) => {
            println!("   refreshing with it now fails: {failure}");
        }
        other => return Err(format!("the revoked refresh token still worked: {other:?}").into()),
    }

    server.shutdown();
    println!("\ndone: the server is stopped");
    Ok(())
}

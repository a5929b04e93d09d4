use std::time::Duration;

use oauth2_pkce::jose::RustCryptoVerifier;
use oauth2_pkce::loopback::{LoopbackOutcome, LoopbackRedirect};
use oauth2_pkce::openid::KeySetFetch;
use oauth2_pkce::*;
use oauth2_pkce_ureq::UreqTransport;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Any HTTP client carries the requests; here ureq, through its adapter.
    let driver = Driver::new(UreqTransport::new())?;

    // The server's metadata from its issuer (RFC 8414, then OpenID Discovery).
    let metadata = driver.run(Discovery::new("https://as.example.com")?)?;
    let public = ClientAuthentication::None; // a native app holds no secret
    let client = Client::new(metadata, ClientId::new("my-cli")?, public)?;

    // A native app's redirect: a one-shot listener on 127.0.0.1 (RFC 8252).
    let listener = LoopbackRedirect::bind("/callback")?;
    let authorization = Start::new(&client)
        .redirect_uri(listener.redirect_uri().clone())
        .scope(Scope::parse("openid profile")?)
        .authorize(FlowEntropy::from_os_rng()?, UnixTime::now())?;
    // Pushed first (RFC 9126) when the server offers it.
    let (authorization, pending) = driver.authorize(authorization)?;
    println!("Open {} to sign in", authorization.url());

    // The callback is checked (iss, state, error), the code exchanged, and
    // the ID token verified with the server's keys (OpenID Connect).
    let (callback, browser) = listener.wait(Duration::from_secs(300))?;
    let exchanging = pending.handle_callback(&client, callback)?;
    let mut keys = driver.run(KeySetFetch::new(&client)?)?;
    let signed_in = driver.sign_in(exchanging, &mut keys, &RustCryptoVerifier)?;
    browser.respond(LoopbackOutcome::SignedIn);
    println!("Signed in as {}", signed_in.id_token().claims().subject());
    let (mut authorized, _id_token) = signed_in.into_parts();

    // Call an API: the token goes in `Authorization` (Bearer, or DPoP).
    let request = http::Request::get("https://api.example.com/me").body(RequestBody::default())?;
    let response = driver.request_resource(&client, &mut authorized, request)?;
    let body = String::from_utf8_lossy(response.body());
    println!("{}: {body}", response.status());
    Ok(())
}

//! A resource-aware command-line client on ureq: it holds nothing but an
//! API's URL. The API's `401` names its metadata (RFC 9728), which names
//! the authorization server; the client registers there (RFC 7591), logs
//! the user in through a loopback redirect (RFC 8252) asking for a token
//! for that API (RFC 8707), and calls the API again — the Model Context
//! Protocol's authorization chain, in one driver call. A later
//! `insufficient_scope` is a counted step-up. Configured from the
//! environment: `RESOURCE_URL`, and `RESOURCE_STEP_UP_URL` for a call that
//! needs more scope.

use std::error::Error;
use std::time::Duration;

use oauth2_pkce::errors::ChainError;
use oauth2_pkce::loopback::{LoopbackError, LoopbackOutcome, LoopbackRedirect};
use oauth2_pkce::resource::{BearerChallenge, ResourceLogin, StepUp};
use oauth2_pkce::*;

use oauth2_pkce_ureq::UreqTransport;

/// What the resource answered, first and after a step-up.
#[derive(Debug)]
pub struct Answers {
    /// The resource's answer once the chain ran.
    pub first: http::Response<Vec<u8>>,
    /// The step-up URL's answer, when one was given.
    pub stepped_up: Option<http::Response<Vec<u8>>>,
}

/// Runs the chain for `resource_url` through `listener`, then, when
/// `step_up_url` is given, calls it and steps up once if it answers
/// `insufficient_scope`. `open_browser` takes the user to a URL; the
/// listener brings the callback back.
pub fn run(
    resource_url: &str,
    step_up_url: Option<&str>,
    listener: LoopbackRedirect,
    second_listener: impl FnOnce() -> Result<LoopbackRedirect, LoopbackError>,
    open_browser: impl Fn(&str) -> std::io::Result<()>,
) -> Result<Answers, Box<dyn Error>> {
    // --- glue: start ---
    let oauth = Driver::new(UreqTransport::new())?;
    let login = ResourceLogin::new(listener.redirect_uri().clone()).client_name("resource_login");
    let mut browser = None;
    let access = oauth.access_resource(resource_url, login, |url| {
        open_browser(url)?;
        let (callback, page) = listener.wait(Duration::from_secs(300))?;
        browser = Some(page); // answered once the callback is checked
        Ok(callback)
    });
    // --- glue: end ---
    // The browser's page says how it went (the app's own).
    if let Some(browser) = browser {
        browser.respond(match &access {
            Ok(_) => LoopbackOutcome::SignedIn,
            Err(ChainError::Callback(error)) => LoopbackOutcome::of_callback_error(error),
            Err(_) => LoopbackOutcome::Failed,
        });
    }
    let access = access?;

    let Some(step_up_url) = step_up_url else {
        return Ok(Answers {
            first: access.response,
            stepped_up: None,
        });
    };
    let (client, mut authorized) = (access.client, access.authorized);
    let step_up_request = || http::Request::get(step_up_url).body(RequestBody::default());
    let response = oauth.request_resource(&client, &mut authorized, step_up_request()?)?;
    let Some(challenge) = BearerChallenge::from_response(&response)? else {
        return Ok(Answers {
            first: access.response,
            stepped_up: Some(response),
        });
    };
    // The registered client's redirect URI is the first listener's: bind
    // the same port again.
    let listener = second_listener()?;
    let mut step_ups = StepUp::new(); // kept with `authorized` in a real client
    let start = step_ups
        .start(&client, &authorized, &challenge)?
        .redirect_uri(listener.redirect_uri().clone());
    let (request, pending) = start.begin(FlowEntropy::from_os_rng()?, UnixTime::now())?;
    open_browser(request.url())?;
    let (callback, browser) = listener.wait(Duration::from_secs(300))?;
    let exchanging = match pending.handle_callback(&client, callback) {
        Ok(exchanging) => exchanging,
        Err(error) => {
            browser.respond(LoopbackOutcome::of_callback_error(&error));
            return Err(error.into());
        }
    };
    let stepped_up = oauth.run(exchanging);
    browser.respond(match stepped_up {
        Ok(_) => LoopbackOutcome::SignedIn,
        Err(_) => LoopbackOutcome::Failed,
    });
    let mut stepped_up = stepped_up.map_err(|error| error.to_string())?;
    let response = oauth.request_resource(&client, &mut stepped_up, step_up_request()?)?;
    Ok(Answers {
        first: access.response,
        stepped_up: Some(response),
    })
}

//! The offline suite: everything that needs no server — the callback
//! checks, the token, PAR, revocation and discovery parsers, the token
//! lifecycle on canned answers, the provider quirks corpus, request
//! snapshots, secret hygiene and the properties. One scenario per module;
//! `rendering` is the one shared helper.

mod callback;
mod client_assertion;
mod device_authorization;
mod discovery;
mod dpop;
mod dpop_nonces;
mod fapi;
mod introspection;
mod jarm;
mod jws_verification;
mod lifecycle;
mod limits;
mod openid;
mod openid_hs256;
mod openid_session;
mod properties;
mod properties_callback_checks;
mod properties_outside_text;
mod provider_presets;
mod provider_quirks;
mod provider_sign_in;
mod pushed_authorization;
mod readme;
mod registration;
mod rendering;
mod request_objects;
mod request_snapshots;
mod resource_chain;
mod resource_indicators;
mod resource_metadata;
mod secrets;
mod software_keys;
mod step_up;
mod token_exchange;
mod token_response;
// Rich authorization requests (RFC 9396).
mod rich_authorization;
// Mutual TLS (RFC 8705).
mod mtls;
// OpenID CIBA Core 1.0.
mod ciba;

/// The moment and randomness every request in these tests is built with:
/// fixed, so the same step always gives the same bytes.
pub const CONTEXT: oauth2_pkce::RequestContext =
    oauth2_pkce::RequestContext::new(oauth2_pkce::UnixTime::from_secs(1_800_000_000), [0x5e; 32]);

/// Runs a future that never waits on anything outside itself.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// A transport of a test's own: any send function and any sleep function
/// (`FnMut`, each behind a lock), blocking or async (its futures ready at
/// once). The async `send` function returns the answer, not a future.
pub struct Canned<F, Z> {
    send: std::sync::Mutex<F>,
    sleep: std::sync::Mutex<Z>,
}

/// A [`Canned`] transport of `send` and `sleep`.
pub fn canned<F, Z>(send: F, sleep: Z) -> Canned<F, Z> {
    Canned {
        send: std::sync::Mutex::new(send),
        sleep: std::sync::Mutex::new(sleep),
    }
}

type Response = http::Response<Vec<u8>>;

impl<F, Z, E> oauth2_pkce::Transport for Canned<F, Z>
where
    F: FnMut(http::Request<oauth2_pkce::RequestBody>) -> Result<Response, E>,
    Z: FnMut(std::time::Duration),
    E: std::error::Error + Send + Sync + 'static,
{
    type Error = E;

    fn send(&self, request: http::Request<oauth2_pkce::RequestBody>) -> Result<Response, E> {
        (self.send.lock().unwrap())(request)
    }

    fn sleep(&self, duration: std::time::Duration) {
        (self.sleep.lock().unwrap())(duration);
    }
}

impl<F, Z, E> oauth2_pkce::AsyncTransport for Canned<F, Z>
where
    F: FnMut(http::Request<oauth2_pkce::RequestBody>) -> Result<Response, E>,
    Z: FnMut(std::time::Duration),
    E: std::error::Error + Send + Sync + 'static,
{
    type Error = E;

    fn send(
        &self,
        request: http::Request<oauth2_pkce::RequestBody>,
    ) -> impl std::future::Future<Output = Result<Response, E>> + Send {
        std::future::ready((self.send.lock().unwrap())(request))
    }

    fn sleep(&self, duration: std::time::Duration) -> impl std::future::Future<Output = ()> + Send {
        (self.sleep.lock().unwrap())(duration);
        std::future::ready(())
    }
}

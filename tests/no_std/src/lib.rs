//! A `no_std` consumer of `oauth2-pkce`: it runs a whole flow with the
//! crate's own request and response values, so the code is really linked.
//!
//! Built by `.ci/run` with `cargo build --manifest-path tests/no_std/Cargo.toml`.

#![no_std]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};

use oauth2_pkce::{
    jose::ClientAssertionKey, jose::Ed25519Key, jose::Es256Key, values::HttpResponse, Callback,
    Client, ClientAuthentication, ClientId, FlowEntropy, Preset, RedirectUri, RequestContext,
    Start, UnixTime,
};
use oauth2_pkce::{jose::Signer, EndpointStep};

/// The C library's allocator: a `staticlib` is linked into a C program.
struct Malloc;

extern "C" {
    fn malloc(size: usize) -> *mut u8;
    fn free(ptr: *mut u8);
}

// SAFETY: malloc returns memory aligned for any fundamental type, which
// covers every layout this crate asks for (alignment ≤ 16).
unsafe impl GlobalAlloc for Malloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > 16 {
            return core::ptr::null_mut();
        }
        malloc(layout.size())
    }
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        free(ptr);
    }
}

#[global_allocator]
static ALLOCATOR: Malloc = Malloc;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

/// The prebuilt `core` and `alloc` reference an unwinding personality even
/// when everything here aborts on panic; nothing ever calls it.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

/// Runs the flow from a caller's 64 random bytes to a bearer header; returns
/// the length of the `Authorization` value, or 0 on any failure.
#[no_mangle]
pub extern "C" fn oauth2_pkce_no_std_flow(entropy: &[u8; 64], now: u64) -> usize {
    let Ok(client_id) = ClientId::new("client-id") else {
        return 0;
    };
    let Ok(redirect_uri) = RedirectUri::new("https://urltoclient:4443") else {
        return 0;
    };
    // A private_key_jwt client with an Ed25519 key, and an ES256 key that
    // signs: both software keys work without std.
    let mut seed = [0; 32];
    seed.copy_from_slice(&entropy[..32]);
    let key = ClientAssertionKey::new(Ed25519Key::from_bytes(&seed));
    let Ok(es256) = Es256Key::from_bytes(&entropy[32..]) else {
        return 0;
    };
    if es256
        .sign(b"signing input")
        .map_or(true, |signature| signature.len() != 64)
    {
        return 0;
    }
    let metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_token_endpoint_auth_methods_supported(["private_key_jwt"]);
    let Ok(client) = Client::new(
        metadata,
        client_id,
        ClientAuthentication::PrivateKeyJwt(key),
    )
    .map(|client| client.with_redirect_uri(redirect_uri)) else {
        return 0;
    };
    let Ok((_authorization, pending)) =
        Start::new(&client).begin(FlowEntropy::from_bytes(*entropy), UnixTime::from_secs(now))
    else {
        return 0;
    };
    let mut query = alloc::string::String::from("code=0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1&state=");
    query.push_str(pending.state().secret());
    let Ok(callback) = Callback::from_query(&query) else {
        return 0;
    };
    let Ok(exchanging) = pending.handle_callback(&client, callback) else {
        return 0;
    };
    let Ok(request) = exchanging.request(&RequestContext::new(UnixTime::from_secs(now), seed))
    else {
        return 0;
    };
    if !request
        .body()
        .windows(17)
        .any(|window| window == b"client_assertion=")
    {
        return 0;
    }
    let body = br#"{"token_type":"bearer","access_token":"_0XBPWQQ_2a66dd33","expires_in":600}"#;
    let response = HttpResponse::new(200, body).with_content_type("application/json");
    let Ok(authorized) = exchanging.handle_response(response, UnixTime::from_secs(now)) else {
        return 0;
    };
    authorized
        .bearer_authorization("https://api.pageroonline.com/someresource")
        .map_or(0, |value| value.secret().len())
}

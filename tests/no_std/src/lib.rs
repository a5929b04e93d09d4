//! A `no_std` consumer of `oauth2-pkce`: it runs a whole flow with the
//! crate's own request and response values, so the code is really linked.
//!
//! Built by `.ci/run` with `cargo build --manifest-path tests/no_std/Cargo.toml`.

#![no_std]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    Callback, Client, ClientAuthentication, ClientId, ClientSecret, FlowEntropy, HttpResponse,
    RedirectUri, ServerMetadata, Start, UnixTime,
};

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
    let Ok(client_id) = ClientId::new("client-id") else { return 0 };
    let Ok(redirect_uri) = RedirectUri::new("https://urltoclient:4443") else { return 0 };
    let Ok(client) = Client::new(ServerMetadata::pagero(), client_id, ClientAuthentication::ClientSecretBasic(ClientSecret::new("client-secret"))).map(|client| client.with_redirect_uri(redirect_uri)) else {
        return 0;
    };
    let Ok((_authorization, pending)) =
        Start::new(&client).begin(FlowEntropy::from_bytes(*entropy), UnixTime::from_secs(now))
    else {
        return 0;
    };
    let mut query = alloc::string::String::from("code=0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1&state=");
    query.push_str(pending.state().secret());
    let Ok(callback) = Callback::from_query(&query) else { return 0 };
    let Ok(exchanging) = pending.handle_callback(&client, callback) else { return 0 };
    let _request = exchanging.request();
    let body = br#"{"token_type":"bearer","access_token":"_0XBPWQQ_2a66dd33","expires_in":600}"#;
    let response = HttpResponse::new(200, body).with_content_type("application/json");
    let Ok(authorized) = exchanging.handle_response(response, UnixTime::from_secs(now)) else {
        return 0;
    };
    authorized
        .bearer_authorization("https://api.pageroonline.com/someresource")
        .map_or(0, |value| value.secret().len())
}

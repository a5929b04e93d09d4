//! Interop: after an OpenID Connect sign-in against oidc-provider on
//! 127.0.0.1, the UserInfo step (Core §5.3) — a JSON answer with a Bearer
//! token and with a DPoP-bound one, and a signed JWT answer for a client
//! registered for them, verified with the provider's key set — and
//! RP-Initiated Logout 1.0: the end session URL the crate builds is
//! accepted, and the browser comes back to the `post_logout_redirect_uri`
//! with the `state`; and Back-Channel Logout 1.0: the logout token the
//! provider posts when the user logs out there validates.

use crate::interop_node_common;

use interop_node_common::support::{self, send, CookieJar};
use interop_node_common::{OidcProvider, OpClient, TEST_USER};
use oauth2_pkce::jose::{DpopKey, Es256Key, RustCryptoVerifier};
use oauth2_pkce::openid::{
    EndSessionRequest, KeySet, KeySetFetch, LogoutTokenValidation, SignedIn, UserInfoRequest,
};
use oauth2_pkce::{Client, EndpointStep, RedirectUri, Scope, Start, UnixTime};

const POST_LOGOUT_REDIRECT_URI: &str = "http://127.0.0.1/logged-out";

fn key_set(server: &OidcProvider, now: UnixTime) -> KeySet {
    let fetch = KeySetFetch::new(&server.client(OpClient::Basic)).unwrap();
    let response = send(fetch.request(&crate::context()).unwrap().into_http()).unwrap();
    fetch.handle_response(&response, now).unwrap()
}

/// Signs the test user in through `client` with `openid profile email`.
fn sign_in(server: &OidcProvider, client: &Client, keys: &KeySet) -> SignedIn {
    let start = Start::new(client).scope(Scope::parse("openid profile email").unwrap());
    let (pending, callback_url) = support::log_in(start, |url| server.browser_log_in(url));
    let callback = oauth2_pkce::Callback::from_url(&callback_url).unwrap();
    let signing_in = pending.handle_callback(client, callback).unwrap().sign_in();
    let response = send(signing_in.request(&crate::context()).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 200, "{}", server.log());
    signing_in
        .handle_response(&response, support::NOW)
        .unwrap()
        .verify(keys, &RustCryptoVerifier, UnixTime::now())
        .unwrap()
}

/// Runs the UserInfo step, following one DPoP nonce demand.
fn userinfo(
    request: UserInfoRequest,
    keys: &KeySet,
    server: &OidcProvider,
) -> oauth2_pkce::openid::UserInfo {
    let mut step = request;
    for _ in 0..2 {
        let response = send(step.request(&crate::context()).unwrap().into_http()).unwrap();
        match step.handle_response(&response, UnixTime::now()) {
            Ok(received) => {
                return received
                    .verify(keys, &RustCryptoVerifier, UnixTime::now())
                    .unwrap()
            }
            Err(failure) if failure.is_fallback() => step = failure.into_retry().unwrap(),
            Err(failure) => panic!("{failure:?}\n{}", server.log()),
        }
    }
    panic!("a second nonce demand\n{}", server.log());
}

fn assert_the_test_user(userinfo: &oauth2_pkce::openid::UserInfo) {
    assert_eq!(userinfo.subject(), TEST_USER);
    assert_eq!(userinfo.name(), Some("Alice Liddell"));
    assert_eq!(userinfo.email(), Some("alice@example.com"));
    assert_eq!(userinfo.email_verified(), Some(true));
}

#[test]
fn userinfo_as_json_with_a_bearer_token() {
    let server = OidcProvider::start();
    let now = UnixTime::now();
    let keys = key_set(&server, now);
    let client = server.client(OpClient::Basic);
    let signed_in = sign_in(&server, &client, &keys);
    let request =
        UserInfoRequest::new(&client, signed_in.authorized(), signed_in.id_token()).unwrap();
    let userinfo = userinfo(request, &keys, &server);
    assert!(!userinfo.is_signed());
    assert_the_test_user(&userinfo);
}

#[test]
fn userinfo_with_a_dpop_bound_token() {
    let server = OidcProvider::start();
    let keys = key_set(&server, UnixTime::now());
    let client = server
        .client(OpClient::Basic)
        .with_dpop(DpopKey::new(Es256Key::from_bytes(&[7; 32]).unwrap()))
        .unwrap();
    let signed_in = sign_in(&server, &client, &keys);
    assert!(signed_in.authorized().tokens().dpop_jkt().is_some());
    let request =
        UserInfoRequest::new(&client, signed_in.authorized(), signed_in.id_token()).unwrap();
    assert!(request
        .request(&crate::context())
        .unwrap()
        .header("dpop")
        .is_some());
    assert_the_test_user(&userinfo(request, &keys, &server));
}

/// Core §5.3.2: oidc-provider signs the answers of a client registered
/// with `userinfo_signed_response_alg`; the step verifies the JWT with the
/// key set, `iss` and `aud`.
#[test]
fn userinfo_as_a_signed_jwt() {
    let server = OidcProvider::start();
    let keys = key_set(&server, UnixTime::now());
    let client = server.client(OpClient::UserinfoJwt);
    let signed_in = sign_in(&server, &client, &keys);
    let request = UserInfoRequest::new(&client, signed_in.authorized(), signed_in.id_token())
        .unwrap()
        .require_signed();
    let userinfo = userinfo(request, &keys, &server);
    assert!(userinfo.is_signed());
    assert_the_test_user(&userinfo);
}

/// RP-Initiated Logout 1.0 §2, §3: the provider takes the URL (it checks
/// the `id_token_hint`'s signature and audience, and that the
/// `post_logout_redirect_uri` is registered), and after the user confirms
/// sends the browser back there with the `state`.
#[test]
fn rp_initiated_logout_comes_back_with_the_state() {
    let server = OidcProvider::start();
    let keys = key_set(&server, UnixTime::now());
    let client = server.client(OpClient::Basic);
    assert_eq!(
        client.end_session_endpoint().map(|e| e.as_str().to_owned()),
        Some(server.url("/session/end"))
    );
    let signed_in = sign_in(&server, &client, &keys);
    let url = EndSessionRequest::new(&client)
        .unwrap()
        .id_token_hint(signed_in.id_token())
        .post_logout_redirect_uri(RedirectUri::new(POST_LOGOUT_REDIRECT_URI).unwrap())
        .state("logout-state-1")
        .url();
    let mut jar = CookieJar::default();
    let page = support::get(&url, None);
    assert_eq!(page.status(), 200, "{}", server.log());
    jar.store(&page);
    let xsrf = interop_node_common::hidden_input(&page, "xsrf");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("xsrf", &xsrf)
        .append_pair("logout", "yes")
        .finish();
    let confirmed = support::post_form(
        &server.url("/session/end/confirm"),
        &form,
        jar.header().as_deref(),
    );
    let location = server.redirect_target(&confirmed, &[302, 303], "the logout confirmation");
    assert_eq!(
        location,
        format!("{POST_LOGOUT_REDIRECT_URI}?state=logout-state-1"),
        "{}",
        server.log()
    );

    // A post-logout URI the client did not register is refused.
    let unregistered = EndSessionRequest::new(&client)
        .unwrap()
        .id_token_hint(signed_in.id_token())
        .post_logout_redirect_uri(RedirectUri::new("https://elsewhere.example/").unwrap())
        .url();
    let refused = support::get(&unregistered, None);
    assert_eq!(refused.status(), 400, "{}", server.log());
    assert!(
        server.log_contains("post_logout_redirect_uri not registered"),
        "{}",
        server.log()
    );
}

/// Back-Channel Logout 1.0: the user logs out at the provider, in the
/// browser they signed in with; the provider posts a logout token to
/// `basic-client`'s back channel (`server.mjs` keeps what it received),
/// and the token validates: the test user, the session of the sign-in's
/// ID token, a `jti`.
#[test]
fn a_back_channel_logout_token_from_the_provider_validates() {
    let server = OidcProvider::start();
    let keys = key_set(&server, UnixTime::now());
    assert!(server.metadata().backchannel_logout_supported);
    let client = server.client(OpClient::Basic);
    let mut browser = CookieJar::default();
    let start = Start::new(&client).scope(Scope::parse("openid").unwrap());
    let (pending, callback_url) =
        support::log_in(start, |url| server.browser_log_in_with(&mut browser, url));
    let callback = oauth2_pkce::Callback::from_url(&callback_url).unwrap();
    let signing_in = pending
        .handle_callback(&client, callback)
        .unwrap()
        .sign_in();
    let response = send(signing_in.request(&crate::context()).unwrap().into_http()).unwrap();
    let signed_in = signing_in
        .handle_response(&response, support::NOW)
        .unwrap()
        .verify(&keys, &RustCryptoVerifier, UnixTime::now())
        .unwrap();
    let sid = signed_in.id_token().claims().sid().map(str::to_owned);
    assert!(sid.is_some(), "backchannel_logout_session_required: a sid");

    // The user logs out at the provider, in the same browser.
    let url = EndSessionRequest::new(&client)
        .unwrap()
        .id_token_hint(signed_in.id_token())
        .url();
    let page = support::get(&url, browser.header().as_deref());
    assert_eq!(page.status(), 200, "{}", server.log());
    browser.store(&page);
    let xsrf = interop_node_common::hidden_input(&page, "xsrf");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("xsrf", &xsrf)
        .append_pair("logout", "yes")
        .finish();
    let confirmed = support::post_form(
        &server.url("/session/end/confirm"),
        &form,
        browser.header().as_deref(),
    );
    server.redirect_target(&confirmed, &[302, 303], "the logout confirmation");

    let received: Vec<String> = server.get_json("/interop/backchannel-logout");
    assert_eq!(received.len(), 1, "{}", server.log());
    let validation = LogoutTokenValidation::new(server.issuer(), OpClient::Basic.client_id());
    let token = validation
        .validate_request_body(
            received[0].as_bytes(),
            &keys,
            &RustCryptoVerifier,
            UnixTime::now(),
        )
        .unwrap();
    assert_eq!(token.subject(), Some(TEST_USER));
    assert_eq!(token.session_id().map(str::to_owned), sid);
    assert!(!token.jti().is_empty());
    // An ID token is not a logout token.
    let id_token_body = format!("logout_token={}", signed_in.id_token().as_compact());
    assert!(validation
        .validate_request_body(
            id_token_body.as_bytes(),
            &keys,
            &RustCryptoVerifier,
            UnixTime::now()
        )
        .is_err());
}

//! The web app signs users in with OpenID Connect, against oidc-provider
//! (Node.js) on loopback: the ID token verified, `/me` showing who signed
//! in; two instances on one Redis sharing the provider's key set (one
//! fetch serves both) and, after the provider rotates its keys, one fetch
//! again; a back-channel logout ending one user's session on both
//! instances, its replay refused; forged ID tokens refused with a clear
//! page.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::{app_http, location, Browser, OidcProvider, Redis};
use oauth2_pkce::openid::KEY_SET_REFETCH_INTERVAL;
use oauth2_pkce_stacks::web_app::{Config, WebApp};

/// A browser's cookies at the provider: its session there.
type ProviderCookies = BTreeMap<String, String>;

/// The web app's configuration for oidc-provider's `basic-client`, which
/// has a back channel, asking for the user's name and email.
fn config(provider: &OidcProvider, redirect_uri: &str, redis_url: Option<String>) -> Config {
    Config {
        issuer: provider.issuer().to_owned(),
        client_id: "basic-client".into(),
        client_secret: Some("basic-secret".into()),
        redirect_uri: redirect_uri.to_owned(),
        scope: "openid profile email".into(),
        api_url: None,
        secure_cookie: false,
        redis_url,
    }
}

/// Runs `work` off the test's runtime, which keeps serving the apps.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

/// `user` logs in at the app through the provider, in the browser whose
/// provider cookies are `cookies`; the app's answer to the callback.
async fn log_in(
    provider: &Arc<OidcProvider>,
    user: &mut Browser,
    cookies: ProviderCookies,
) -> (reqwest::Response, ProviderCookies) {
    let to_provider = location(&user.get("/login").await);
    let provider = Arc::clone(provider);
    let (callback, cookies) = blocking(move || {
        let mut cookies = cookies;
        let callback = provider.log_in_with(&mut cookies, &to_provider);
        (callback, cookies)
    })
    .await;
    (user.get(&callback).await, cookies)
}

/// `/me` at `url` as JSON, asserting a 200.
async fn me(user: &mut Browser, url: &str) -> serde_json::Value {
    let response = user.get(url).await;
    assert_eq!(response.status(), 200, "{url}");
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert_eq!(content_type, "application/json");
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

/// How many times the provider served its key set, once there are
/// `expected` (or five seconds have passed).
async fn key_set_fetches(provider: &Arc<OidcProvider>, expected: usize) -> usize {
    let provider = Arc::clone(provider);
    blocking(move || provider.requests("GET /jwks 200", expected)).await
}

/// Two instances on one Redis: the key set one fetched verifies the other's
/// logins; a rotation costs one fetch, which serves both; the provider's
/// back-channel logout ends one user's session on both instances, and its
/// replay is refused.
#[tokio::test]
async fn two_instances_sign_in_share_the_key_set_and_end_sessions_from_the_back_channel() {
    let redis = Redis::start();
    let listener_a = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listener_b = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = format!("http://{}", listener_a.local_addr().unwrap());
    let b = format!("http://{}", listener_b.local_addr().unwrap());
    let (callback_a, callback_b) = (format!("{a}/callback"), format!("{b}/callback"));
    // The provider's back channel for `basic-client` hands its logout
    // tokens on to instance A.
    let back_channel = format!("{a}/backchannel-logout");
    let provider = Arc::new(OidcProvider::start_with(
        &[&callback_a, &callback_b],
        &[("BACKCHANNEL_FORWARD_URI", &back_channel)],
    ));
    let app_a = WebApp::discover(
        &config(&provider, &callback_a, Some(redis.url())),
        app_http(),
    )
    .await
    .unwrap();
    let app_b = WebApp::discover(
        &config(&provider, &callback_b, Some(redis.url())),
        app_http(),
    )
    .await
    .unwrap();
    let serving_a = tokio::spawn(async move { axum::serve(listener_a, app_a.router()).await });
    let serving_b = tokio::spawn(async move { axum::serve(listener_b, app_b.router()).await });

    // The first sign-in, on A: the key set fetched, the user shown.
    let mut alice = Browser::new(&a);
    let (back, alice_cookies) = log_in(&provider, &mut alice, ProviderCookies::new()).await;
    let first_fetch = tokio::time::Instant::now();
    assert_eq!(location(&back), "/me");
    let shown = me(&mut alice, &format!("{a}/me")).await;
    assert_eq!(shown["sub"], "alice", "{shown}");
    assert_eq!(shown["iss"], provider.issuer(), "{shown}");
    // oidc-provider puts the profile and email claims of a code flow in
    // UserInfo only: the app asked for them there.
    assert_eq!(shown["name"], "Alice Liddell", "{shown}");
    assert_eq!(shown["email"], "alice@example.com", "{shown}");
    assert_eq!(shown["email_verified"], true, "{shown}");
    assert_eq!(me(&mut alice, &format!("{b}/me")).await["sub"], "alice");
    assert_eq!(key_set_fetches(&provider, 1).await, 1);

    // Another browser signs in on B, with the key set A stored: no fetch.
    let mut second = Browser::new(&b);
    let (back, _) = log_in(&provider, &mut second, ProviderCookies::new()).await;
    assert_eq!(location(&back), "/me");
    assert_eq!(me(&mut second, &format!("{b}/me")).await["sub"], "alice");
    assert_eq!(key_set_fetches(&provider, 2).await, 1, "B used A's key set");

    // The provider rotates its keys. Once the stored set may be fetched
    // again (KEY_SET_REFETCH_INTERVAL after its fetch), the next sign-in
    // names the new key: one fetch, and the login succeeds, no restart.
    assert_eq!(
        blocking({
            let provider = Arc::clone(&provider);
            move || provider.post("/interop/rotate-keys")
        })
        .await,
        204
    );
    tokio::time::sleep_until(first_fetch + KEY_SET_REFETCH_INTERVAL + Duration::from_millis(1500))
        .await;
    let mut third = Browser::new(&b);
    let (back, _) = log_in(&provider, &mut third, ProviderCookies::new()).await;
    assert_eq!(location(&back), "/me");
    assert_eq!(me(&mut third, &format!("{b}/me")).await["sub"], "alice");
    assert_eq!(key_set_fetches(&provider, 2).await, 2, "one fetch again");
    // A verifies the next sign-in with the set B fetched.
    let mut fourth = Browser::new(&a);
    let (back, _) = log_in(&provider, &mut fourth, ProviderCookies::new()).await;
    assert_eq!(location(&back), "/me");
    assert_eq!(key_set_fetches(&provider, 3).await, 2, "A used B's key set");

    // Alice logs out at the provider, in her browser: its logout token
    // comes to A on the back channel, and her session is over on both
    // instances; the other browsers' sessions (other `sid`s) are not.
    blocking({
        let provider = Arc::clone(&provider);
        move || provider.log_out(&mut alice_cookies.clone(), "basic-client")
    })
    .await;
    let delivered = {
        let provider = Arc::clone(&provider);
        blocking(move || provider.requests("POST /interop/backchannel-logout 200", 1)).await
    };
    assert_eq!(
        delivered,
        1,
        "the app took the logout token: {}",
        provider.log()
    );
    assert_eq!(alice.get(&format!("{a}/me")).await.status(), 401);
    assert_eq!(alice.get(&format!("{b}/me")).await.status(), 401);
    assert_eq!(me(&mut second, &format!("{b}/me")).await["sub"], "alice");
    assert_eq!(me(&mut third, &format!("{a}/me")).await["sub"], "alice");

    // The same logout token again, at either instance: a replay (`jti`).
    let received: Vec<String> = blocking({
        let provider = Arc::clone(&provider);
        move || provider.get_json("/interop/backchannel-logout")
    })
    .await;
    assert_eq!(received.len(), 1);
    let http = reqwest::Client::new();
    for instance in [&a, &b] {
        let replay = http
            .post(format!("{instance}/backchannel-logout"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(received[0].clone())
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), 400);
        assert_eq!(replay.headers()["cache-control"], "no-store");
        let error: serde_json::Value = serde_json::from_str(&replay.text().await.unwrap()).unwrap();
        assert_eq!(error["error"], "invalid_request", "{error}");
        let description = error["error_description"].as_str().unwrap();
        assert!(description.contains("received before"), "{description}");
    }
    // Not a logout token at all: refused the same way.
    let garbage = http
        .post(format!("{b}/backchannel-logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("logout_token=not.a.jwt")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    assert_eq!(garbage.headers()["cache-control"], "no-store");

    serving_a.abort();
    serving_b.abort();
}

/// The provider's token response carries a forged ID token — unsigned
/// (`alg` `none`), or its claims changed under the signature: the login
/// fails with a page that says why, and nobody is signed in; the next,
/// genuine, login succeeds. One instance, its key set in memory.
#[tokio::test]
async fn a_forged_id_token_fails_the_login_with_a_clear_page() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let redirect_uri = format!("{base}/callback");
    let provider = Arc::new(OidcProvider::start(&[&redirect_uri]));
    let app = WebApp::discover(&config(&provider, &redirect_uri, None), app_http())
        .await
        .unwrap();
    let serving = tokio::spawn(async move { axum::serve(listener, app.router()).await });

    for (kind, why) in [
        ("none", "the JWS is unsigned (alg none)"),
        ("tampered", "the JWS signature does not verify"),
    ] {
        let forge = format!("/interop/forge-id-token?kind={kind}");
        let provider_ = Arc::clone(&provider);
        assert_eq!(blocking(move || provider_.post(&forge)).await, 204);
        let mut user = Browser::new(&base);
        let (refused, _) = log_in(&provider, &mut user, ProviderCookies::new()).await;
        assert_eq!(refused.status(), 403, "{kind}");
        let page = refused.text().await.unwrap();
        assert!(page.starts_with("sign-in refused"), "{kind}: {page}");
        assert!(page.contains(why), "{kind}: {page}");
        assert_eq!(user.get("/me").await.status(), 401, "{kind}");
    }
    let forged = Arc::clone(&provider);
    assert_eq!(
        blocking(move || forged.requests("forged id_token", 2)).await,
        2,
        "the provider forged both"
    );

    let mut user = Browser::new(&base);
    let (back, _) = log_in(&provider, &mut user, ProviderCookies::new()).await;
    assert_eq!(location(&back), "/me");
    assert_eq!(me(&mut user, "/me").await["name"], "Alice Liddell");
    serving.abort();
}

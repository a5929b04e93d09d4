//! The axum web app, run on loopback against the embedded server, with a
//! test browser that keeps its own session cookie: login, login CSRF and
//! replay refused, the API called, the token renewed once under concurrent
//! requests, logout; then two instances sharing a real Redis; then the
//! app against oidc-provider (Node.js), which offers PAR.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{app_http, location, Browser, Redis};
use oauth2_pkce_stacks::web_app::{Config, WebApp};
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, TEST_USER,
};

/// The server's refresh token dies with its access token: the app must
/// renew in the last half of the lifetime (its leeway, clamped).
const LIFETIME: Duration = Duration::from_secs(6);

/// The embedded provider, sending the browser back to `redirect_uri`, and
/// the app's configuration for it.
fn provider(redirect_uri: &str, redis_url: Option<String>) -> (Arc<AuthorizationServer>, Config) {
    let server = AuthorizationServer::start(
        ServerConfig::default()
            .redirect_uri(redirect_uri)
            .access_token_lifetime(LIFETIME),
    )
    .unwrap();
    let config = Config {
        issuer: server.issuer(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: Some(DEMO_CLIENT_SECRET.into()),
        redirect_uri: redirect_uri.to_owned(),
        scope: "read".into(),
        api_url: Some(server.resource_endpoint()),
        secure_cookie: false, // plain http on loopback
        redis_url,
    };
    (Arc::new(server), config)
}

#[tokio::test]
async fn web_app_logs_in_renews_once_and_logs_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let redirect_uri = format!("{base}/callback");
    let (server, config) = provider(&redirect_uri, None);
    let app = WebApp::discover(&config, app_http()).await.unwrap();
    let serving = tokio::spawn(async move { axum::serve(listener, app.router()).await });

    let mut user = Browser::new(&base);
    assert_eq!(user.get("/me").await.status(), 401);

    // The user starts a login and logs in at the provider.
    let to_provider = location(&user.get("/login").await);
    assert!(to_provider.starts_with(&server.authorization_endpoint()));
    let started_in = user.cookie.clone().expect("a session cookie");
    let provider = Arc::clone(&server);
    let callback = tokio::task::spawn_blocking(move || provider.log_in(&to_provider))
        .await
        .unwrap()
        .unwrap();
    assert!(callback.starts_with(&redirect_uri), "{callback}");

    // Login CSRF: the callback in another browser (with a login of its
    // own, or with no session at all) finds no pending flow.
    let mut attacker = Browser::new(&base);
    location(&attacker.get("/login").await);
    assert_eq!(attacker.get(&callback).await.status(), 400);
    assert_eq!(Browser::new(&base).get(&callback).await.status(), 400);

    // The user's own browser completes the login, and gets a new session ID.
    assert_eq!(location(&user.get(&callback).await), "/me");
    let logged_in = tokio::time::Instant::now();
    assert_ne!(user.cookie.as_ref(), Some(&started_in));
    // The callback again (a replay) finds nothing.
    let mut replay = user.clone();
    assert_eq!(replay.get(&callback).await.status(), 400);

    let me = user.get("/me").await;
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = serde_json::from_slice(&me.bytes().await.unwrap()).unwrap();
    assert_eq!(me["sub"], TEST_USER);

    // In the renewal window, concurrent requests renew the token once:
    // with refresh-token rotation a second refresh would use a spent
    // refresh token and fail.
    tokio::time::sleep_until(logged_in + LIFETIME / 2 + Duration::from_millis(500)).await;
    let requests: Vec<_> = (0..8)
        .map(|_| {
            let mut browser = user.clone();
            tokio::spawn(async move {
                let response = browser.get("/me").await;
                (response.status(), response.text().await.unwrap())
            })
        })
        .collect();
    for request in requests {
        let (status, body) = request.await.unwrap();
        assert_eq!(status, 200, "{body}");
    }
    // Past the first token's expiry (when its refresh token died too), the
    // renewed one still works.
    tokio::time::sleep_until(logged_in + LIFETIME + Duration::from_millis(200)).await;
    assert_eq!(user.get("/me").await.status(), 200);

    let logout = user.visit(reqwest::Method::POST, "/logout").await;
    assert_eq!(logout.status(), 204);
    assert_eq!(user.get("/me").await.status(), 401);

    serving.abort();
}

/// Two instances of the app, no sticky sessions, one Redis: a login
/// started on one completes on the other; at each rotation, concurrent
/// requests spread over both renew the grant exactly once; while Redis
/// restarts, both answer 503, and afterwards the session and its grant are
/// all there.
#[tokio::test]
async fn two_instances_share_logins_and_renew_once_through_redis() {
    let mut redis = Redis::start();
    let listener_a = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listener_b = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = format!("http://{}", listener_a.local_addr().unwrap());
    let b = format!("http://{}", listener_b.local_addr().unwrap());
    // The provider sends the browser back to instance B.
    let redirect_uri = format!("{b}/callback");
    let (server, config) = provider(&redirect_uri, Some(redis.url()));
    let app_a = WebApp::discover(&config, app_http()).await.unwrap();
    let app_b = WebApp::discover(&config, app_http()).await.unwrap();
    let router_a = Arc::clone(&app_a).router();
    let router_b = Arc::clone(&app_b).router();
    let serving_a = tokio::spawn(async move { axum::serve(listener_a, router_a).await });
    let serving_b = tokio::spawn(async move { axum::serve(listener_b, router_b).await });

    // The login starts on A and its callback lands on B.
    let mut user = Browser::new(&a);
    let to_provider = location(&user.get("/login").await);
    let provider = Arc::clone(&server);
    let callback = tokio::task::spawn_blocking(move || provider.log_in(&to_provider))
        .await
        .unwrap()
        .unwrap();
    assert!(callback.starts_with(&b), "{callback}");
    assert_eq!(location(&user.get(&callback).await), "/me");
    let mut issued = tokio::time::Instant::now();
    assert_eq!(user.get(&format!("{a}/me")).await.status(), 200);
    assert_eq!(user.get(&format!("{b}/me")).await.status(), 200);

    // Two rotations; at each, 16 concurrent requests alternate between the
    // instances. Refresh tokens rotate, so a second refresh would fail.
    for rotation in 1..=2 {
        tokio::time::sleep_until(issued + LIFETIME / 2 + Duration::from_millis(500)).await;
        let requests: Vec<_> = (0..16)
            .map(|n| {
                let mut browser = user.clone();
                let url = format!("{}/me", if n % 2 == 0 { &a } else { &b });
                tokio::spawn(async move {
                    let response = browser.get(&url).await;
                    (response.status(), response.text().await.unwrap())
                })
            })
            .collect();
        for request in requests {
            let (status, body) = request.await.unwrap();
            assert_eq!(status, 200, "{body}");
        }
        issued = tokio::time::Instant::now();
        assert_eq!(app_a.renewals() + app_b.renewals(), rotation);
    }

    // Redis goes away: a clear 503 from both instances.
    redis.kill();
    for instance in [&a, &b] {
        let response = user.get(&format!("{instance}/me")).await;
        assert_eq!(response.status(), 503);
        assert!(response.text().await.unwrap().contains("session store"));
    }
    // Redis comes back from its file: the session and its grant are there.
    redis.resume();
    for instance in [&a, &b] {
        let started = std::time::Instant::now();
        loop {
            let status = user.get(&format!("{instance}/me")).await.status();
            if status == 200 {
                break;
            }
            assert_eq!(status, 503, "only 503 while reconnecting");
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no reconnection"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    let logout = user
        .visit(reqwest::Method::POST, &format!("{b}/logout"))
        .await;
    assert_eq!(logout.status(), 204);
    assert_eq!(user.get(&format!("{a}/me")).await.status(), 401);
    serving_a.abort();
    serving_b.abort();
}

/// The same app against another provider, which offers PAR: the login is
/// pushed, the callback signs the user in (the ID token verified with the
/// key set, fetched once; the name UserInfo's, as the ID token has none),
/// `/me` calls the OpenID UserInfo endpoint found by discovery, and the
/// logout revokes the grant.
#[tokio::test]
async fn web_app_against_oidc_provider_pushes_calls_userinfo_and_revokes() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let redirect_uri = format!("{base}/callback");
    let provider = Arc::new(common::OidcProvider::start(&[&redirect_uri]));
    let config = Config {
        issuer: provider.issuer().to_owned(),
        client_id: "basic-client".into(),
        client_secret: Some("basic-secret".into()),
        redirect_uri: redirect_uri.clone(),
        scope: "openid".into(),
        api_url: None,
        secure_cookie: false,
        redis_url: None,
    };
    let app = WebApp::discover(&config, app_http()).await.unwrap();
    let serving = tokio::spawn(async move { axum::serve(listener, app.router()).await });

    let mut user = Browser::new(&base);
    let to_provider = location(&user.get("/login").await);
    assert!(to_provider.contains("request_uri="), "{to_provider}");
    assert!(
        !to_provider.contains("code_challenge"),
        "pushed, not in the URL"
    );
    let browser = Arc::clone(&provider);
    let callback = tokio::task::spawn_blocking(move || browser.log_in(&to_provider))
        .await
        .unwrap();
    assert!(
        callback.starts_with(&format!("{redirect_uri}?")),
        "{callback}"
    );
    assert_eq!(location(&user.get(&callback).await), "/me");

    let me = user.get("/me").await;
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = serde_json::from_str(&me.text().await.unwrap()).unwrap();
    assert_eq!(me["sub"], "alice", "{me}");
    assert_eq!(me["iss"], provider.issuer(), "{me}");
    assert_eq!(me["api"]["sub"], "alice", "{me}");

    let logout = user.visit(reqwest::Method::POST, "/logout").await;
    assert_eq!(logout.status(), 204);
    assert_eq!(user.get("/me").await.status(), 401);
    for (request, times) in [
        ("POST /request 201", 1),
        ("POST /token 200", 1),
        ("GET /jwks 200", 1),
        ("GET /me 200", 2), // at the sign-in, and for /me
        ("POST /token/revocation 200", 1),
    ] {
        assert_eq!(provider.requests(request, times), times, "{request}");
    }
    serving.abort();
}

//! The axum web app, run on loopback against the embedded server, with a
//! test browser that keeps its own session cookie: login, login CSRF and
//! replay refused, the API called, the token renewed once under concurrent
//! requests, logout.

use std::sync::Arc;
use std::time::Duration;

use oauth2_pkce_stacks::web_app::{Config, WebApp};
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, TEST_USER,
};

/// A browser: one cookie, redirects not followed.
#[derive(Clone)]
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Browser {
    fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            base: base.to_owned(),
            cookie: None,
        }
    }

    /// Sends a request to the app, keeping the session cookie it sets.
    async fn visit(&mut self, method: reqwest::Method, path_or_url: &str) -> reqwest::Response {
        let url = match path_or_url.starts_with("http") {
            true => path_or_url.to_owned(),
            false => format!("{}{path_or_url}", self.base),
        };
        let mut request = self.http.request(method, url);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        if let Some(set) = response.headers().get("set-cookie") {
            let set = set.to_str().unwrap();
            self.cookie = match set.contains("Max-Age=0") {
                true => None, // the session ended
                false => {
                    assert!(set.contains("HttpOnly"), "{set}");
                    assert!(set.contains("SameSite=Lax"), "{set}");
                    Some(set.split(';').next().unwrap().to_owned())
                }
            };
        }
        response
    }

    async fn get(&mut self, path_or_url: &str) -> reqwest::Response {
        self.visit(reqwest::Method::GET, path_or_url).await
    }
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "{response:?}");
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn web_app_logs_in_renews_once_and_logs_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let redirect_uri = format!("{base}/callback");
    // The server's refresh token dies with its access token: the app must
    // renew in the last half of the lifetime (its leeway, clamped).
    let lifetime = Duration::from_secs(6);
    let server = Arc::new(
        AuthorizationServer::start(
            ServerConfig::default()
                .redirect_uri(&redirect_uri)
                .access_token_lifetime(lifetime),
        )
        .unwrap(),
    );
    let config = Config {
        issuer: server.issuer(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: Some(DEMO_CLIENT_SECRET.into()),
        redirect_uri: redirect_uri.clone(),
        scope: "read".into(),
        api_url: Some(server.resource_endpoint()),
        secure_cookie: false, // plain http on loopback
    };
    // No idle connection is kept: the embedded server (tiny_http) leaves a
    // reused keep-alive connection unanswered when requests arrive at once
    // (4 of 8 waited 176 s), which a real provider does not.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let app = WebApp::discover(&config, http).await.unwrap();
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
    tokio::time::sleep_until(logged_in + lifetime / 2 + Duration::from_millis(500)).await;
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
    tokio::time::sleep_until(logged_in + lifetime + Duration::from_millis(200)).await;
    assert_eq!(user.get("/me").await.status(), 200);

    let logout = user.visit(reqwest::Method::POST, "/logout").await;
    assert_eq!(logout.status(), 204);
    assert_eq!(user.get("/me").await.status(), 401);

    serving.abort();
}

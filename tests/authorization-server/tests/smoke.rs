//! Whole flows against the oxide-auth server over real loopback HTTP, built by hand.

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use oauth2_pkce_test_server::{
    AuthorizationServer, ClientRegistration, ServerConfig, DEFAULT_REDIRECT_URI, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET, PUBLIC_CLIENT_ID, TEST_USER,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::{form_urlencoded, Url};

/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-1J3cLWvDLMJ5bMvfqkSsT3Vx8wykfN";
const STATE: &str = "af0ifjsldkj";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn start(config: ServerConfig) -> AuthorizationServer {
    AuthorizationServer::start(config).expect("server starts")
}

fn authorization_url(server: &AuthorizationServer, client_id: &str, challenge: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", DEFAULT_REDIRECT_URI)
        .append_pair("scope", "read")
        .append_pair("state", STATE)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("{}?{query}", server.authorization_endpoint())
}

/// The single value of `name` in the query of `url`.
fn param(url: &str, name: &str) -> Option<String> {
    let url = Url::parse(url).expect("callback is a URL");
    let mut values = url.query_pairs().filter(|(k, _)| k == name);
    let value = values.next().map(|(_, v)| v.into_owned());
    assert!(values.next().is_none(), "{name} repeated in {url}");
    value
}

/// Logs in and returns the code from the callback, after checking `state`.
fn code_for(server: &AuthorizationServer, client_id: &str) -> String {
    let callback = server
        .log_in(&authorization_url(server, client_id, &challenge(VERIFIER)))
        .expect("redirect to the client");
    assert!(
        callback.starts_with("http://127.0.0.1/callback?"),
        "{callback}"
    );
    assert_eq!(param(&callback, "state").as_deref(), Some(STATE));
    assert_eq!(param(&callback, "error"), None);
    param(&callback, "code").expect("code in callback")
}

/// `client_secret_basic`: form-urlencode id and secret, then base64 (RFC 6749 §2.3.1).
fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

struct Reply {
    status: u16,
    headers: ureq::http::HeaderMap,
    json: Value,
}

impl Reply {
    fn error(&self) -> Option<&str> {
        self.json["error"].as_str()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn str(&self, key: &str) -> &str {
        self.json[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", self.json))
    }
}

fn read(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.expect("HTTP exchange");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.body_mut().read_to_string().expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        json,
    }
}

fn token(server: &AuthorizationServer, form: &[(&str, &str)], auth: Option<&str>) -> Reply {
    let mut request = agent().post(server.token_endpoint());
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    read(request.send_form(form.iter().copied()))
}

fn exchange(server: &AuthorizationServer, code: &str, verifier: &str) -> Reply {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", DEFAULT_REDIRECT_URI),
        ("code_verifier", verifier),
    ];
    token(
        server,
        &form,
        Some(&basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)),
    )
}

fn refresh(server: &AuthorizationServer, refresh_token: &str, auth: Option<&str>) -> Reply {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    token(server, &form, auth)
}

fn me(server: &AuthorizationServer, auth: Option<&str>) -> Reply {
    let mut request = agent().get(server.resource_endpoint());
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    read(request.call())
}

fn revoke(server: &AuthorizationServer, form: &[(&str, &str)], auth: Option<&str>) -> Reply {
    let mut request = agent().post(server.revocation_endpoint());
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    read(request.send_form(form.iter().copied()))
}

/// Tokens for the demo client, from a fresh code.
fn demo_tokens(server: &AuthorizationServer) -> (String, String) {
    let tokens = exchange(server, &code_for(server, DEMO_CLIENT_ID), VERIFIER);
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    (
        tokens.str("access_token").to_owned(),
        tokens.str("refresh_token").to_owned(),
    )
}

/// Revocation success: 200 with an empty body (RFC 7009 §2.2).
fn assert_revoked_ok(reply: &Reply) {
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json, Value::String(String::new()));
}

fn scope_set(scope: &str) -> std::collections::BTreeSet<&str> {
    scope.split(' ').collect()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn confidential_client_code_flow_with_pkce_refresh_and_resource() {
    let server = start(ServerConfig::default());
    let code = code_for(&server, DEMO_CLIENT_ID);

    let tokens = exchange(&server, &code, VERIFIER);
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    assert_eq!(tokens.str("token_type"), "bearer");
    // The registered scope, not the narrower one asked for; in no particular order.
    assert_eq!(scope_set(tokens.str("scope")), scope_set("read write"));
    assert!(tokens.json["expires_in"].as_i64().is_some_and(|s| s > 3500));
    assert_eq!(tokens.header("cache-control"), Some("no-store"));
    assert_eq!(tokens.header("content-type"), Some("application/json"));
    let access = tokens.str("access_token");
    let refresh_token = tokens.str("refresh_token");

    let resource = me(&server, Some(&bearer(access)));
    assert_eq!(resource.status, 200, "{}", resource.json);
    assert_eq!(resource.str("sub"), TEST_USER);
    assert_eq!(resource.str("client_id"), DEMO_CLIENT_ID);

    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let refreshed = refresh(&server, refresh_token, Some(&auth));
    assert_eq!(refreshed.status, 200, "{}", refreshed.json);
    let new_access = refreshed.str("access_token");
    let new_refresh = refreshed.str("refresh_token");
    assert_ne!(new_access, access);
    assert_ne!(new_refresh, refresh_token, "refresh tokens rotate");
    assert_eq!(me(&server, Some(&bearer(new_access))).status, 200);

    // The old access token is gone and the old refresh token is spent.
    let old = me(&server, Some(&bearer(access)));
    assert_eq!(old.status, 401);
    let challenge = old.header("www-authenticate").unwrap_or_default();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let reused = refresh(&server, refresh_token, Some(&auth));
    assert_eq!(
        (reused.status, reused.error()),
        (400, Some("invalid_grant"))
    );
    // The server counts it: one rotation, one refusal, which presented a spent token.
    let counts = server.refreshes();
    assert_eq!((counts.rotations, counts.refused, counts.reused), (1, 1, 1));

    // A refresh may not widen the scope, and a refused one does not spend the token.
    let wide = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", new_refresh),
            ("scope", "read write admin"),
        ],
        Some(&auth),
    );
    assert_eq!((wide.status, wide.error()), (400, Some("invalid_scope")));
    // A refresh may narrow the scope.
    let narrow = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", new_refresh),
            ("scope", "read"),
        ],
        Some(&auth),
    );
    assert_eq!((narrow.status, narrow.str("scope")), (200, "read"));
}

#[test]
fn wrong_verifier_is_refused_and_burns_the_code() {
    let server = start(ServerConfig::default());
    let code = code_for(&server, DEMO_CLIENT_ID);
    let wrong = exchange(
        &server,
        &code,
        "wrong-verifier-wrong-verifier-wrong-verifier",
    );
    assert_eq!(
        (wrong.status, wrong.error()),
        (400, Some("invalid_request"))
    );
    let right = exchange(&server, &code, VERIFIER);
    assert_eq!(
        (right.status, right.error()),
        (400, Some("invalid_request"))
    );

    let code = code_for(&server, DEMO_CLIENT_ID);
    let missing = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", DEFAULT_REDIRECT_URI),
        ],
        Some(&basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)),
    );
    assert_eq!(
        (missing.status, missing.error()),
        (400, Some("invalid_request"))
    );
}

#[test]
fn replayed_code_and_bad_credentials() {
    let server = start(ServerConfig::default());
    let code = code_for(&server, DEMO_CLIENT_ID);
    assert_eq!(exchange(&server, &code, VERIFIER).status, 200);
    let replay = exchange(&server, &code, VERIFIER);
    assert_eq!(
        (replay.status, replay.error()),
        (400, Some("invalid_request"))
    );

    let code = code_for(&server, DEMO_CLIENT_ID);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", DEFAULT_REDIRECT_URI),
        ("code_verifier", VERIFIER),
    ];
    let bad = token(&server, &form, Some(&basic(DEMO_CLIENT_ID, "nope")));
    assert_eq!((bad.status, bad.error()), (401, Some("invalid_client")));
    assert_eq!(bad.header("www-authenticate"), Some("basic"));

    // Basic and client_id in the body: two credentials.
    let mut both = form.to_vec();
    both.push(("client_id", DEMO_CLIENT_ID));
    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let two = token(&server, &both, Some(&auth));
    assert_eq!((two.status, two.error()), (400, Some("invalid_request")));

    // No credentials at all for a confidential client.
    let none = token(&server, &form, None);
    assert_eq!(none.status, 400, "{}", none.json);

    // Wrong redirect_uri at the token endpoint.
    let code = code_for(&server, DEMO_CLIENT_ID);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1/other"),
        ("code_verifier", VERIFIER),
    ];
    let mismatch = token(&server, &form, Some(&auth));
    assert_eq!(
        (mismatch.status, mismatch.error()),
        (400, Some("invalid_grant"))
    );

    let unsupported = token(&server, &[("grant_type", "password")], Some(&auth));
    assert_eq!(
        (unsupported.status, unsupported.error()),
        (400, Some("unsupported_grant_type"))
    );
}

#[test]
fn public_client_needs_only_pkce() {
    let server = start(ServerConfig::default());
    let code = code_for(&server, PUBLIC_CLIENT_ID);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", DEFAULT_REDIRECT_URI),
        ("client_id", PUBLIC_CLIENT_ID),
        ("code_verifier", VERIFIER),
    ];
    let tokens = token(&server, &form, None);
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    let refreshed = refresh(&server, tokens.str("refresh_token"), None);
    assert_eq!(refreshed.status, 200, "{}", refreshed.json);
    assert_eq!(
        me(&server, Some(&bearer(refreshed.str("access_token")))).status,
        200
    );
}

#[test]
fn client_secret_post_only_when_enabled_and_not_for_refresh() {
    let post_form = |code: &str| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", DEFAULT_REDIRECT_URI.to_owned()),
            ("code_verifier", VERIFIER.to_owned()),
            ("client_id", DEMO_CLIENT_ID.to_owned()),
            ("client_secret", DEMO_CLIENT_SECRET.to_owned()),
        ]
    };
    let send = |server: &AuthorizationServer, form: &[(&str, String)]| {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        token(server, &form, None)
    };

    let server = start(ServerConfig::default());
    let refused = send(&server, &post_form(&code_for(&server, DEMO_CLIENT_ID)));
    assert_eq!(
        (refused.status, refused.error()),
        (401, Some("invalid_client"))
    );

    let server = start(ServerConfig::default().allow_client_secret_post(true));
    let tokens = send(&server, &post_form(&code_for(&server, DEMO_CLIENT_ID)));
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", tokens.str("refresh_token")),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
    ];
    let refreshed = token(&server, &form, None);
    assert_eq!(
        (refreshed.status, refreshed.error()),
        (401, Some("invalid_client"))
    );
}

#[test]
fn authorization_errors() {
    let server = start(ServerConfig::default().authorization_response_iss(true));
    let issuer = server.issuer();

    let callback = server.log_in(&authorization_url(
        &server,
        DEMO_CLIENT_ID,
        &challenge(VERIFIER),
    ));
    assert_eq!(param(&callback.unwrap(), "iss"), Some(issuer.clone()));

    let denied = server
        .deny(&authorization_url(
            &server,
            DEMO_CLIENT_ID,
            &challenge(VERIFIER),
        ))
        .unwrap();
    assert_eq!(param(&denied, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&denied, "state").as_deref(), Some(STATE));
    assert_eq!(param(&denied, "iss"), Some(issuer));

    // PKCE is required, and `plain` is refused.
    let url = authorization_url(&server, DEMO_CLIENT_ID, &challenge(VERIFIER));
    let without = url
        .replace("&code_challenge_method=S256", "")
        .replace("code_challenge=", "x=");
    let no_pkce = server.log_in(&without).unwrap();
    assert_eq!(param(&no_pkce, "error").as_deref(), Some("invalid_request"));
    let plain = server.log_in(&url.replace("=S256", "=plain")).unwrap();
    assert_eq!(param(&plain, "error").as_deref(), Some("invalid_request"));
    let token_type = server.log_in(&url.replace("response_type=code", "response_type=token"));
    assert_eq!(
        param(&token_type.unwrap(), "error").as_deref(),
        Some("unsupported_response_type")
    );

    // No redirect for an unknown client or an unregistered redirect URI.
    let unknown = server.log_in(&url.replace("client_id=demo-client", "client_id=nobody"));
    assert!(unknown.unwrap_err().contains("400"));
    let other = url.replace("%2Fcallback", "%2Fcallback%2F");
    assert!(server.log_in(&other).unwrap_err().contains("400"));
    assert!(server.log_in("http://example.com/authorize?x=1").is_err());

    // Without a session the user sees a login page.
    let page = read(agent().get(&url).call());
    assert_eq!(page.status, 200);
}

#[test]
fn resource_and_http_errors() {
    let server = start(ServerConfig::default());
    let anonymous = me(&server, None);
    assert_eq!(anonymous.status, 401);
    let challenge = anonymous.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer") && !challenge.contains("error="),
        "{challenge}"
    );
    let forged = me(&server, Some("Bearer forged+token/=="));
    assert_eq!(forged.status, 401);
    let challenge = forged.header("www-authenticate").unwrap_or_default();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");

    let json = agent()
        .post(server.token_endpoint())
        .header("Content-Type", "application/json")
        .send(r#"{"grant_type":"authorization_code"}"#);
    let json = read(json);
    assert_eq!((json.status, json.error()), (400, Some("invalid_request")));
    let garbage = token(
        &server,
        &[("grant_type", "authorization_code")],
        Some("Basic !!!"),
    );
    assert_eq!(garbage.status, 400);
    assert_eq!(
        read(agent().get(server.token_endpoint()).call()).status,
        405
    );
    assert_eq!(
        read(agent().get(server.issuer() + "/nope").call()).status,
        404
    );

    let metadata = read(agent().get(server.metadata_endpoint()).call());
    assert_eq!(metadata.str("issuer"), server.issuer());
    assert_eq!(metadata.str("token_endpoint"), server.token_endpoint());
    assert_eq!(
        metadata.str("revocation_endpoint"),
        server.revocation_endpoint()
    );
    assert!(metadata.json["grant_types_supported"]
        .as_array()
        .unwrap()
        .contains(&Value::from("client_credentials")));
    assert_eq!(
        read(agent().get(server.revocation_endpoint()).call()).status,
        405
    );
}

#[test]
fn tokens_expire_and_refresh_tokens_with_them() {
    let server = start(ServerConfig::default().access_token_lifetime(Duration::from_secs(1)));
    let tokens = exchange(&server, &code_for(&server, DEMO_CLIENT_ID), VERIFIER);
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    std::thread::sleep(Duration::from_millis(1500));
    let expired = me(&server, Some(&bearer(tokens.str("access_token"))));
    assert_eq!(expired.status, 401);
    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let late = refresh(&server, tokens.str("refresh_token"), Some(&auth));
    assert_eq!((late.status, late.error()), (400, Some("invalid_grant")));
}

#[test]
fn custom_client_and_redirect() {
    let redirect = "http://127.0.0.1:8765/cb";
    let config = ServerConfig::default()
        .redirect_uri(redirect)
        .client(ClientRegistration::public("reader", redirect, "read"));
    let server = start(config);
    let url = authorization_url(&server, "reader", &challenge(VERIFIER)).replace(
        &form_urlencoded::byte_serialize(DEFAULT_REDIRECT_URI.as_bytes()).collect::<String>(),
        &form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>(),
    );
    let callback = server.log_in(&url).unwrap();
    assert!(
        callback.starts_with("http://127.0.0.1:8765/cb?code="),
        "{callback}"
    );
    let demo = url.replace("client_id=reader", "client_id=demo-client");
    assert!(server.log_in(&demo).unwrap().starts_with(redirect));

    assert!(AuthorizationServer::start(ServerConfig::default().redirect_uri("not a url")).is_err());
}

#[test]
fn shutdown_frees_the_port() {
    let server = start(ServerConfig::default());
    let addr = server.issuer().trim_start_matches("http://").to_owned();
    server.shutdown();
    // The listener is closed by tiny_http's accept thread just after the server is dropped.
    let closed = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        std::net::TcpStream::connect(&addr).is_err()
    });
    assert!(closed, "{addr} still accepts connections");
}

#[test]
fn server_handle_can_be_shared_between_test_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<AuthorizationServer>();

    let server = std::sync::Arc::new(start(
        ServerConfig::default().authorization_response_iss(true),
    ));
    let metadata = read(agent().get(server.metadata_endpoint()).call());
    assert_eq!(
        metadata.json["authorization_response_iss_parameter_supported"],
        Value::Bool(true)
    );
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let server = std::sync::Arc::clone(&server);
            std::thread::spawn(move || {
                let code = code_for(&server, DEMO_CLIENT_ID);
                exchange(&server, &code, VERIFIER).status
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 200);
    }
}

#[test]
fn revoking_a_refresh_token_leaves_its_access_token() {
    let server = start(ServerConfig::default());
    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let (access, refresh_token) = demo_tokens(&server);

    let revoked = revoke(
        &server,
        &[
            ("token", &refresh_token),
            ("token_type_hint", "refresh_token"),
        ],
        Some(&auth),
    );
    assert_revoked_ok(&revoked);
    let spent = refresh(&server, &refresh_token, Some(&auth));
    assert_eq!((spent.status, spent.error()), (400, Some("invalid_grant")));
    // oxide-auth's TokenMap::revoke removes only the string it is given: the access token of
    // the same grant stays valid until it expires (RFC 7009 §2.1 SHOULD is not met).
    assert_eq!(me(&server, Some(&bearer(&access))).status, 200);

    // Revoking it again, or a token that never existed, is still 200.
    assert_revoked_ok(&revoke(&server, &[("token", &refresh_token)], Some(&auth)));
    assert_revoked_ok(&revoke(
        &server,
        &[("token", "no+such/token=")],
        Some(&auth),
    ));
}

#[test]
fn revoking_an_access_token_leaves_its_refresh_token() {
    let server = start(ServerConfig::default());
    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let (access, refresh_token) = demo_tokens(&server);

    // The hint is not needed (and a wrong one does not matter).
    let revoked = revoke(
        &server,
        &[("token", &access), ("token_type_hint", "refresh_token")],
        Some(&auth),
    );
    assert_revoked_ok(&revoked);
    let gone = me(&server, Some(&bearer(&access)));
    assert_eq!(gone.status, 401);
    let challenge = gone.header("www-authenticate").unwrap_or_default();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");

    // The refresh token of the same grant still works and yields a working access token.
    let refreshed = refresh(&server, &refresh_token, Some(&auth));
    assert_eq!(refreshed.status, 200, "{}", refreshed.json);
    let new_access = refreshed.str("access_token");
    assert_eq!(me(&server, Some(&bearer(new_access))).status, 200);
}

#[test]
fn revocation_authenticates_the_client_and_checks_the_owner() {
    let server = start(ServerConfig::default());
    let demo = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let (demo_access, _) = demo_tokens(&server);
    let public = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code_for(&server, PUBLIC_CLIENT_ID)),
            ("redirect_uri", DEFAULT_REDIRECT_URI),
            ("client_id", PUBLIC_CLIENT_ID),
            ("code_verifier", VERIFIER),
        ],
        None,
    );
    assert_eq!(public.status, 200, "{}", public.json);
    let public_access = public.str("access_token");

    // Another client's token: 200, but it is not revoked.
    assert_revoked_ok(&revoke(&server, &[("token", public_access)], Some(&demo)));
    assert_eq!(me(&server, Some(&bearer(public_access))).status, 200);
    let by_public = [
        ("token", demo_access.as_str()),
        ("client_id", PUBLIC_CLIENT_ID),
    ];
    assert_revoked_ok(&revoke(&server, &by_public, None));
    assert_eq!(me(&server, Some(&bearer(&demo_access))).status, 200);

    // Bad client authentication: 401 invalid_client, nothing revoked.
    let form = [("token", demo_access.as_str())];
    let bad = revoke(&server, &form, Some(&basic(DEMO_CLIENT_ID, "nope")));
    assert_eq!((bad.status, bad.error()), (401, Some("invalid_client")));
    assert_eq!(bad.header("www-authenticate"), Some("basic"));
    let unknown = revoke(&server, &form, Some(&basic("nobody", "x")));
    assert_eq!(
        (unknown.status, unknown.error()),
        (401, Some("invalid_client"))
    );
    // A confidential client without its secret, and a secret in the body while
    // client_secret_post is off (the secret is ignored, as at the token endpoint).
    let no_secret = [
        ("token", demo_access.as_str()),
        ("client_id", DEMO_CLIENT_ID),
    ];
    let bare = revoke(&server, &no_secret, None);
    assert_eq!((bare.status, bare.error()), (401, Some("invalid_client")));
    let mut post = no_secret.to_vec();
    post.push(("client_secret", DEMO_CLIENT_SECRET));
    let post = revoke(&server, &post, None);
    assert_eq!((post.status, post.error()), (401, Some("invalid_client")));
    assert_eq!(me(&server, Some(&bearer(&demo_access))).status, 200);

    // Malformed requests.
    let none = revoke(&server, &form, None);
    assert_eq!((none.status, none.error()), (400, Some("invalid_request")));
    let missing = revoke(&server, &[], Some(&demo));
    assert_eq!(
        (missing.status, missing.error()),
        (400, Some("invalid_request"))
    );
    let both = [
        ("token", demo_access.as_str()),
        ("client_id", DEMO_CLIENT_ID),
    ];
    let two = revoke(&server, &both, Some(&demo));
    assert_eq!((two.status, two.error()), (400, Some("invalid_request")));
    let hint = [
        ("token", demo_access.as_str()),
        ("token_type_hint", "id_token"),
    ];
    let hint = revoke(&server, &hint, Some(&demo));
    assert_eq!(
        (hint.status, hint.error()),
        (400, Some("unsupported_token_type"))
    );
    assert_eq!(me(&server, Some(&bearer(&demo_access))).status, 200);

    // The public client revokes its own token with client_id in the body.
    let own = [("token", public_access), ("client_id", PUBLIC_CLIENT_ID)];
    assert_revoked_ok(&revoke(&server, &own, None));
    assert_eq!(me(&server, Some(&bearer(public_access))).status, 401);

    // client_secret_post, when the configuration allows it.
    let server = start(ServerConfig::default().allow_client_secret_post(true));
    let (access, _) = demo_tokens(&server);
    let form = [
        ("token", access.as_str()),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
    ];
    assert_revoked_ok(&revoke(&server, &form, None));
    assert_eq!(me(&server, Some(&bearer(&access))).status, 401);
}

#[test]
fn client_credentials_grant() {
    let server = start(ServerConfig::default());
    let form = [("grant_type", "client_credentials"), ("scope", "read")];
    let demo = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let tokens = token(&server, &form, Some(&demo));
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    assert_eq!(tokens.str("token_type"), "bearer");
    // The registered scope whatever was asked; no refresh token (RFC 6749 §4.4.3).
    assert_eq!(scope_set(tokens.str("scope")), scope_set("read write"));
    assert_eq!(tokens.json.get("refresh_token"), None);
    assert!(tokens.json["expires_in"].as_i64().is_some_and(|s| s > 3500));
    assert_eq!(tokens.header("cache-control"), Some("no-store"));
    let access = tokens.str("access_token");
    let resource = me(&server, Some(&bearer(access)));
    assert_eq!(resource.status, 200, "{}", resource.json);
    assert_eq!(resource.str("sub"), DEMO_CLIENT_ID);
    assert_eq!(resource.str("client_id"), DEMO_CLIENT_ID);

    // Revocable like any other access token.
    assert_revoked_ok(&revoke(&server, &[("token", access)], Some(&demo)));
    assert_eq!(me(&server, Some(&bearer(access))).status, 401);

    let bad = token(&server, &form, Some(&basic(DEMO_CLIENT_ID, "nope")));
    assert_eq!((bad.status, bad.error()), (401, Some("invalid_client")));
    // Public clients cannot use it: no secret to check.
    let public = token(&server, &form, Some(&basic(PUBLIC_CLIENT_ID, "")));
    assert_eq!(
        (public.status, public.error()),
        (401, Some("invalid_client"))
    );
    let public_body = [
        ("grant_type", "client_credentials"),
        ("client_id", PUBLIC_CLIENT_ID),
    ];
    let public = token(&server, &public_body, None);
    assert_eq!(
        (public.status, public.error()),
        (400, Some("invalid_request"))
    );
    // Credentials in the body only with client_secret_post.
    let post = [
        ("grant_type", "client_credentials"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
    ];
    let refused = token(&server, &post, None);
    assert_eq!(
        (refused.status, refused.error()),
        (400, Some("invalid_request"))
    );
    let server = start(ServerConfig::default().allow_client_secret_post(true));
    assert_eq!(token(&server, &post, None).status, 200);
}

#[test]
fn injected_token_endpoint_failures() {
    let server = start(ServerConfig::default());
    let code = code_for(&server, DEMO_CLIENT_ID);
    server.fail_next_token_requests(2);
    for _ in 0..2 {
        let failed = exchange(&server, &code, VERIFIER);
        assert_eq!(failed.status, 503);
        assert_eq!(failed.header("retry-after"), Some("1"));
    }
    // The failed requests never reached oxide-auth: the code is still good.
    let tokens = exchange(&server, &code, VERIFIER);
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let refreshed = refresh(&server, tokens.str("refresh_token"), Some(&auth));
    assert_eq!(refreshed.status, 200, "{}", refreshed.json);

    // Other endpoints are not affected, and 0 cancels what is left.
    server.fail_next_token_requests(5);
    let access = refreshed.str("access_token");
    assert_eq!(me(&server, Some(&bearer(access))).status, 200);
    assert_eq!(token(&server, &[], Some(&auth)).status, 503);
    server.fail_next_token_requests(0);
    let refreshed = refresh(&server, refreshed.str("refresh_token"), Some(&auth));
    assert_eq!(refreshed.status, 200, "{}", refreshed.json);
}

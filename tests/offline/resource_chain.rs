//! `Driver::access_resource` on canned answers: every hop in order, and
//! the chain stopping at a server that does not offer S256 and at a
//! resource URL in clear text.

use std::cell::RefCell;

use oauth2_pkce::errors::{ChainError, ConfigError, EndpointErrorKind, InvalidValue};
use oauth2_pkce::resource::ResourceLogin;
use oauth2_pkce::*;

const API: &str = "https://api.example/mcp";
const PRM: &str = "https://api.example/.well-known/oauth-protected-resource/mcp";
const AS_DOC: &str = "https://as.example/.well-known/oauth-authorization-server";
const REDIRECT: &str = "http://127.0.0.1:8765/cb";

fn as_metadata(s256: bool) -> String {
    let methods = if s256 { r#"["S256"]"# } else { r#"["plain"]"# };
    format!(
        r#"{{"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize",
        "token_endpoint":"https://as.example/token","registration_endpoint":"https://as.example/register",
        "code_challenge_methods_supported":{methods},"token_endpoint_auth_methods_supported":["none"]}}"#
    )
}

/// A driver over the servers: each request's `METHOD URI` is logged, the answer canned.
fn server(
    s256: bool,
    log: &RefCell<Vec<String>>,
) -> Driver<impl Transport<Error = std::io::Error> + '_> {
    driver(move |request: http::Request<RequestBody>| {
        let uri = request.uri().to_string();
        log.borrow_mut().push(format!("{} {uri}", request.method()));
        let body = String::from_utf8(request.body().as_bytes().to_vec()).unwrap();
        let authorized = request.headers().contains_key("authorization");
        let (status, challenge, json) = match (request.method().as_str(), uri.as_str()) {
            ("GET", API) if !authorized => (
                401,
                Some(format!(
                    r#"Bearer resource_metadata="{PRM}", scope="files:read""#
                )),
                "{}".to_owned(),
            ),
            ("GET", API) => (200, None, r#"{"ok":true}"#.to_owned()),
            ("GET", PRM) => (
                200,
                None,
                format!(r#"{{"resource":"{API}","authorization_servers":["https://as.example"]}}"#),
            ),
            ("GET", AS_DOC) => (200, None, as_metadata(s256)),
            ("POST", "https://as.example/register") => {
                assert!(body.contains(r#""application_type":"native""#), "{body}");
                (
                    201,
                    None,
                    r#"{"client_id":"registered-1","token_endpoint_auth_method":"none"}"#
                        .to_owned(),
                )
            }
            ("POST", "https://as.example/token") => {
                assert!(
                    body.contains("resource=https%3A%2F%2Fapi.example%2Fmcp"),
                    "{body}"
                );
                assert!(body.contains("client_id=registered-1"), "{body}");
                (
                    200,
                    None,
                    r#"{"token_type":"Bearer","access_token":"at-1","expires_in":60}"#.to_owned(),
                )
            }
            other => panic!("unexpected request {other:?}"),
        };
        let mut response = http::Response::builder()
            .status(status)
            .header("content-type", "application/json");
        if let Some(challenge) = challenge {
            response = response.header("www-authenticate", challenge);
        }
        Ok(response.body(json.into_bytes()).unwrap())
    })
}

fn driver<F>(send: F) -> Driver<transport::FnTransport<F, fn(std::time::Duration)>>
where
    F: Fn(http::Request<RequestBody>) -> Result<http::Response<Vec<u8>>, std::io::Error>,
{
    Driver::with_policy(
        transport::from_fn(send).with_sleep(|_| panic!("no retry")),
        RetryPolicy::new(1),
    )
}

/// The browser: the user logs in and the server redirects back.
fn browser(url: &str) -> Result<Callback, Box<dyn std::error::Error + Send + Sync>> {
    assert!(url.starts_with("https://as.example/authorize?"), "{url}");
    assert!(
        url.contains("resource=https%3A%2F%2Fapi.example%2Fmcp"),
        "{url}"
    );
    assert!(url.contains("scope=files%3Aread"), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let state = url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned();
    Ok(Callback::from_url(&format!(
        "{REDIRECT}?code=c0de&state={state}"
    ))?)
}

#[test]
fn every_hop_in_order() {
    let log = RefCell::new(Vec::new());
    let access = server(true, &log)
        .access_resource(
            API,
            ResourceLogin::new(RedirectUri::new(REDIRECT).unwrap()),
            browser,
        )
        .unwrap();
    assert_eq!(access.response.status(), 200);
    assert_eq!(access.client.client_id().as_str(), "registered-1");
    assert_eq!(access.authorized.tokens().resources()[0].as_str(), API);
    assert_eq!(
        log.into_inner(),
        [
            format!("GET {API}"),
            format!("GET {PRM}"),
            format!("GET {AS_DOC}"),
            "POST https://as.example/register".to_owned(),
            "POST https://as.example/token".to_owned(),
            format!("GET {API}"),
        ]
    );
}

#[test]
fn a_client_registered_beforehand_skips_registration() {
    let log = RefCell::new(Vec::new());
    let login = ResourceLogin::new(RedirectUri::new(REDIRECT).unwrap()).with_client(
        ClientId::new("registered-1").unwrap(),
        ClientAuthentication::None,
    );
    let access = server(true, &log)
        .access_resource(API, login, browser)
        .unwrap();
    assert_eq!(access.response.status(), 200);
    assert!(!log.borrow().iter().any(|line| line.contains("register")));
}

/// A server that does not offer S256 is refused before any login.
#[test]
fn no_s256_no_login() {
    let log = RefCell::new(Vec::new());
    let error = server(false, &log)
        .access_resource(
            API,
            ResourceLogin::new(RedirectUri::new(REDIRECT).unwrap()),
            |_| panic!("no login"),
        )
        .unwrap_err();
    match &error {
        ChainError::Endpoint(error) => {
            assert_eq!(error.kind(), &EndpointErrorKind::S256NotSupported)
        }
        other => panic!("{other}"),
    }
    assert_eq!(log.borrow().len(), 3);
}

#[test]
fn a_resource_in_clear_text_is_not_called() {
    let log = RefCell::new(Vec::new());
    let error = server(true, &log)
        .access_resource(
            "http://api.example/mcp",
            ResourceLogin::new(RedirectUri::new(REDIRECT).unwrap()),
            |_| panic!("no login"),
        )
        .unwrap_err();
    assert!(matches!(
        error,
        ChainError::Config(ConfigError::InvalidEndpoint {
            member: "resource",
            problem: InvalidValue::NotHttps
        })
    ));
    assert!(log.borrow().is_empty());
}

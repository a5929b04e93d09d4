//! The provider quirks corpus: token, revocation and callback answers as
//! real providers send them (`tests/quirks/`), each with the behaviour we
//! chose and why. One file per case:
//!
//! ```text
//! provider: who sends it
//! why: the behaviour chosen, and its reason
//! kind: token (default) | revocation | callback | metadata
//! status / content-type / retry-after: the response (token, revocation)
//! issuer: the issuer discovered (metadata)
//! expect: ok | error CODE | retry | issuer-mismatch | code CODE | public-client
//! expect-expires-in / expect-refresh / expect-scope / expect-extra: details
//!
//! the body, or for a callback the URL ({state} is this flow's state), or
//! for metadata the discovery document
//! ```

use std::path::Path;
use std::time::Duration;

use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

struct Case {
    name: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Case {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn expect(&self) -> &str {
        self.header("expect")
            .unwrap_or_else(|| panic!("{}: no expect", self.name))
    }
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/quirks");
    let mut cases: Vec<Case> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
            let headers = head
                .lines()
                .map(|line| {
                    let (name, value) = line.split_once(": ").unwrap();
                    (name.to_owned(), value.to_owned())
                })
                .collect();
            Case {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                headers,
                body: body.trim_end_matches('\n').to_owned(),
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn client() -> Client {
    Client::new(
        ServerMetadata::pagero(),
        ClientId::new("client-id").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("client-secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
}

fn pending(client: &Client) -> AwaitingCallback {
    Start::new(client)
        .scope(Scope::parse("invoices:read").unwrap())
        .begin(FlowEntropy::from_bytes([5; 64]), NOW)
        .unwrap()
        .1
}

fn exchanging(client: &Client) -> Exchanging {
    let pending = pending(client);
    let query = format!("code=c&state={}", pending.state().secret());
    pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap()
}

fn response(case: &Case) -> HttpResponse<'_> {
    let status = case.header("status").unwrap().parse().unwrap();
    let mut response = HttpResponse::new(status, case.body.as_bytes());
    if let Some(value) = case.header("content-type") {
        response = response.with_content_type(value);
    }
    if let Some(value) = case.header("retry-after") {
        response = response.with_retry_after(value);
    }
    response
}

fn check_token(case: &Case) {
    let client = client();
    let outcome = exchanging(&client).handle_response(response(case), NOW);
    let expect = case.expect();
    match (expect.split_once(' '), outcome) {
        (None, Ok(authorized)) if expect == "ok" => {
            let tokens = authorized.tokens();
            if let Some(seconds) = case.header("expect-expires-in") {
                let seconds = seconds.parse().unwrap();
                assert_eq!(
                    tokens.expires_at(),
                    Some(NOW.saturating_add(Duration::from_secs(seconds))),
                    "{}",
                    case.name
                );
            }
            if let Some(refresh) = case.header("expect-refresh") {
                assert_eq!(
                    tokens.refresh_token().is_some(),
                    refresh == "yes",
                    "{}",
                    case.name
                );
            }
            if let Some(scope) = case.header("expect-scope") {
                assert_eq!(tokens.scope().to_wire(), scope, "{}", case.name);
            }
            if let Some(member) = case.header("expect-extra") {
                assert!(tokens.extra().contains(member), "{}", case.name);
            }
        }
        (None, Err(failure)) if expect == "retry" => {
            assert!(failure.error().is_retryable(), "{}", case.name);
            assert!(failure.into_retry().is_some(), "{}", case.name);
        }
        (Some(("error", code)), Err(failure)) => match failure.error().kind() {
            EndpointErrorKind::ErrorResponse(error) => {
                assert_eq!(error.error().as_str(), code, "{}", case.name)
            }
            other => panic!("{}: {other:?}", case.name),
        },
        (_, outcome) => panic!("{}: expected {expect}, got {outcome:?}", case.name),
    }
}

fn check_revocation(case: &Case) {
    let client = client();
    let body = br#"{"token_type":"bearer","access_token":"a","refresh_token":"r"}"#;
    let authorized = exchanging(&client)
        .handle_response(HttpResponse::new(200, body), NOW)
        .unwrap();
    let revocation = authorized
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    let outcome = revocation.handle_response(response(case), NOW);
    match case.expect() {
        "ok" => assert!(outcome.is_ok(), "{}: {outcome:?}", case.name),
        other => panic!("{}: unknown expectation {other}", case.name),
    }
}

fn check_callback(case: &Case) {
    let client = client();
    let pending = pending(&client);
    let url = case.body.replace("{state}", pending.state().secret());
    let callback = Callback::from_url(&url).unwrap();
    let outcome = pending.handle_callback(&client, callback);
    let expect = case.expect();
    match (expect.split_once(' '), outcome) {
        (Some(("code", code)), Ok(exchanging)) => {
            let body =
                String::from_utf8(exchanging.request(&crate::CONTEXT).unwrap().body().to_vec())
                    .unwrap();
            assert!(body.contains(&format!("&code={code}&")), "{}", case.name);
        }
        (Some(("error", code)), Err(CallbackError::Authorization(error))) => {
            assert_eq!(error.error().as_str(), code, "{}", case.name);
        }
        (None, Err(CallbackError::IssuerMismatch { .. })) if expect == "issuer-mismatch" => {}
        (_, outcome) => panic!("{}: expected {expect}, got {outcome:?}", case.name),
    }
}

/// A discovery document, then a client configured from it, both as
/// discovered and as written down by hand without the member.
fn check_metadata(case: &Case) {
    let issuer = case.header("issuer").unwrap();
    let response = HttpResponse::new(200, case.body.as_bytes());
    let discovered = Discovery::new(issuer)
        .unwrap()
        .handle_response(response, NOW)
        .unwrap();
    let mut by_hand = discovered.clone();
    by_hand.token_endpoint_auth_methods_supported = None;
    match case.expect() {
        "public-client" => {
            for metadata in [discovered, by_hand] {
                let client = Client::new(
                    metadata,
                    ClientId::new("public-client").unwrap(),
                    ClientAuthentication::None,
                )
                .map(|client| {
                    client.with_redirect_uri(RedirectUri::new("http://127.0.0.1:53127/cb").unwrap())
                });
                assert!(client.is_ok(), "{}: {client:?}", case.name);
            }
        }
        other => panic!("{}: unknown expectation {other}", case.name),
    }
}

#[test]
fn every_recorded_quirk_behaves_as_documented() {
    let cases = cases();
    assert!(cases.len() >= 10, "the corpus is missing");
    for case in &cases {
        assert!(
            case.header("provider").is_some() && case.header("why").is_some(),
            "{}",
            case.name
        );
        match case.header("kind").unwrap_or("token") {
            "token" => check_token(case),
            "revocation" => check_revocation(case),
            "callback" => check_callback(case),
            "metadata" => check_metadata(case),
            other => panic!("{}: unknown kind {other}", case.name),
        }
    }
}

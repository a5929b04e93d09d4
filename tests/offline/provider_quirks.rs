//! The provider quirks corpus: token, revocation and callback answers as
//! real providers send them (`tests/quirks/`), each with the behaviour we
//! chose and why. One file per case:
//!
//! ```text
//! provider: who sends it
//! doc: the page of the provider's documentation it is copied from
//! preset: the `Preset` whose client reads it (`slack`, `mastodon HOST`, …);
//!         Pagero's when absent
//! strictness: strict, for a client with `Strictness::Strict`
//! why: the behaviour chosen, and its reason
//! kind: token (default) | refresh | revocation | callback | metadata
//! status / content-type / retry-after: the response (token, refresh, revocation)
//! issuer: the issuer discovered (metadata)
//! expect: ok | error CODE | retry | not-json | missing MEMBER |
//!         unsupported-token-type TYPE | issuer-mismatch | missing-state |
//!         code CODE | public-client | unexpected-status STATUS
//! expect-token-type: bearer | assumed | provider NAME
//! expect-expires-in / expect-refresh (yes, no or the token) / expect-scope /
//! expect-extra: details
//!
//! the body, or for a callback the URL ({state} is this flow's state), or
//! for metadata the discovery document
//! ```

use std::path::Path;
use std::time::Duration;

use oauth2_pkce::errors::{CallbackError, EndpointErrorKind};
use oauth2_pkce::tolerance::{Strictness, TokenType};
use oauth2_pkce::values::RefreshToken;
use oauth2_pkce::values::{HttpResponse, TokenTypeHint};
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

/// One file of `tests/quirks/`: `name: value` headers, a blank line, the
/// body.
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Case {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
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
    read_cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/quirks"))
}

/// The files of `dir` (not its folders: `id_tokens/` is
/// `provider_sign_in`'s), sorted by name.
pub(crate) fn read_cases(dir: &Path) -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
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

/// The preset a case names (`preset: NAME [ARGUMENT]`), Pagero's when
/// none.
pub(crate) fn preset(case: &Case) -> Preset {
    let Some(named) = case.header("preset") else {
        return Preset::pagero();
    };
    let (name, argument) = named.split_once(' ').unwrap_or((named, ""));
    let by_name = |preset: Preset| {
        let slug = preset.provider().to_lowercase().replace(' ', "-");
        slug == name || slug.starts_with(&format!("{name}-"))
    };
    match name {
        "microsoft-entra" => Preset::microsoft_entra(argument).unwrap(),
        "shopify" => Preset::shopify(argument).unwrap(),
        "mastodon" => Preset::mastodon(argument).unwrap(),
        _ => Preset::catalogue()
            .find(|preset| by_name(preset.clone()))
            .unwrap_or_else(|| panic!("{}: no preset {name}", case.name)),
    }
}

/// A client of the case's provider, authenticating the way the provider
/// documents first.
fn client_for(case: &Case) -> Client {
    let preset = preset(case);
    let secret = ClientSecret::new("client-secret");
    let authentication = match preset
        .metadata()
        .token_endpoint_auth_methods_supported
        .as_deref()
    {
        Some([first, ..]) if first == "client_secret_post" => {
            ClientAuthentication::ClientSecretPost(secret)
        }
        _ => ClientAuthentication::ClientSecretBasic(secret),
    };
    let client = preset
        .client(ClientId::new("client-id").unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap());
    match case.header("strictness") {
        Some("strict") => client.with_strictness(Strictness::Strict),
        Some(other) => panic!("{}: unknown strictness {other}", case.name),
        None => client,
    }
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

/// A grant from an ordinary Bearer response, to refresh or revoke.
fn authorized(client: &Client) -> Authorized {
    let body = br#"{"token_type":"bearer","access_token":"a","refresh_token":"r"}"#;
    exchanging(client)
        .handle_response(HttpResponse::new(200, body), NOW)
        .unwrap()
}

fn check_token(case: &Case) {
    let client = client_for(case);
    let outcome = if case.header("kind") == Some("refresh") {
        authorized(&client)
            .refresh(&client)
            .unwrap()
            .handle_response(response(case), NOW)
            .map_err(|failure| failure.into_error())
    } else {
        exchanging(&client)
            .handle_response(response(case), NOW)
            .map_err(|failure| failure.into_error())
    };
    let expect = case.expect();
    match (expect.split_once(' '), outcome) {
        (None, Ok(authorized)) if expect == "ok" => {
            let tokens = authorized.tokens();
            if let Some(token_type) = case.header("expect-token-type") {
                let expected = match token_type.split_once(' ') {
                    None if token_type == "bearer" => TokenType::Bearer,
                    None if token_type == "assumed" => TokenType::AssumedBearer,
                    Some(("provider", name)) => TokenType::ProviderBearer(name.into()),
                    _ => panic!("{}: unknown token type {token_type}", case.name),
                };
                assert_eq!(tokens.token_type(), &expected, "{}", case.name);
            }
            if let Some(seconds) = case.header("expect-expires-in") {
                let seconds = seconds.parse().unwrap();
                assert_eq!(
                    tokens.expires_at(),
                    Some(NOW.saturating_add(Duration::from_secs(seconds))),
                    "{}",
                    case.name
                );
            }
            match case.header("expect-refresh") {
                None => {}
                Some("yes") => assert!(tokens.refresh_token().is_some(), "{}", case.name),
                Some("no") => assert!(tokens.refresh_token().is_none(), "{}", case.name),
                Some(token) => assert_eq!(
                    tokens.refresh_token().map(RefreshToken::secret),
                    Some(token),
                    "{}",
                    case.name
                ),
            }
            if let Some(scope) = case.header("expect-scope") {
                assert_eq!(tokens.scope().to_string(), scope, "{}", case.name);
            }
            if let Some(member) = case.header("expect-extra") {
                assert!(tokens.extra().contains(member), "{}", case.name);
            }
        }
        (None, Err(error)) if expect == "retry" => {
            assert!(error.is_retryable(), "{}", case.name);
        }
        (None, Err(error)) if expect == "not-json" => {
            assert_eq!(error.kind(), &EndpointErrorKind::NotJson, "{}", case.name)
        }
        (Some(("missing", member)), Err(error)) => match error.kind() {
            EndpointErrorKind::MissingMember(missing) => {
                assert_eq!(*missing, member, "{}", case.name)
            }
            other => panic!("{}: {other:?}", case.name),
        },
        (Some(("unsupported-token-type", sent)), Err(error)) => match error.kind() {
            EndpointErrorKind::UnsupportedTokenType(token_type) => {
                assert_eq!(token_type.as_str(), sent, "{}", case.name)
            }
            other => panic!("{}: {other:?}", case.name),
        },
        (Some(("error", code)), Err(error)) => match error.kind() {
            EndpointErrorKind::ErrorResponse(error) => {
                assert_eq!(error.error().as_str(), code, "{}", case.name)
            }
            other => panic!("{}: {other:?}", case.name),
        },
        (Some(("unexpected-status", expected)), Err(error)) => {
            assert_unexpected_status(case, error.kind(), expected)
        }
        (_, outcome) => panic!("{}: expected {expect}, got {outcome:?}", case.name),
    }
}

/// A refusal without an RFC 6749 error body, reported as its status.
fn assert_unexpected_status(case: &Case, kind: &EndpointErrorKind, expected: &str) {
    match kind {
        EndpointErrorKind::UnexpectedStatus { status } => {
            assert_eq!(status.to_string(), expected, "{}", case.name)
        }
        other => panic!("{}: {other:?}", case.name),
    }
}

fn check_revocation(case: &Case) {
    let client = client_for(case);
    let revocation = authorized(&client)
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    let outcome = revocation.handle_response(response(case), NOW);
    match (case.expect().split_once(' '), outcome) {
        (None, outcome) if case.expect() == "ok" => {
            assert!(outcome.is_ok(), "{}: {outcome:?}", case.name)
        }
        (Some(("error", code)), Err(failure)) => match failure.error().kind() {
            EndpointErrorKind::ErrorResponse(error) => {
                assert_eq!(error.error().as_str(), code, "{}", case.name)
            }
            other => panic!("{}: {other:?}", case.name),
        },
        (Some(("unexpected-status", expected)), Err(failure)) => {
            assert_unexpected_status(case, failure.error().kind(), expected)
        }
        (_, outcome) => panic!("{}: expected {}, got {outcome:?}", case.name, case.expect()),
    }
}

fn check_callback(case: &Case) {
    let client = client_for(case);
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
        (None, Err(CallbackError::MissingState)) if expect == "missing-state" => {}
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
        if case.header("preset").is_some() {
            let doc = case.header("doc").unwrap_or_default();
            assert!(doc.starts_with("https://"), "{}: no doc", case.name);
        }
        match case.header("kind").unwrap_or("token") {
            "token" | "refresh" => check_token(case),
            "revocation" => check_revocation(case),
            "callback" => check_callback(case),
            "metadata" => check_metadata(case),
            other => panic!("{}: unknown kind {other}", case.name),
        }
    }
}

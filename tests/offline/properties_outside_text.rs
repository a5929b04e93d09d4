//! Outside text never reaches `Display` or `Debug` raw: for every error
//! type of the crate, built directly and reached through the parsers with
//! hostile text (CR/LF, ANSI escapes, C1 controls, DEL, bidi overrides and
//! isolates, backslashes, quotes, long runs), no C0/C1 control character,
//! DEL or bidi control comes out, and what is shown stays short.

use std::fmt::{Debug, Display};

use oauth2_pkce::errors::{
    ApiMisuse, AuthorizationErrorCode, BearerErrorCode, CallbackError, ConfigError, EndpointError,
    EndpointErrorKind, EndpointKind, Failure, InvalidValue, ResourceError, TokenErrorCode,
};
use oauth2_pkce::resource::BearerChallenge;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::values::UntrustedText;
use oauth2_pkce::*;
use proptest::prelude::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const ISSUER: &str = "https://as.example";

/// What must never be printed raw: C0 controls, DEL, C1 controls
/// (Unicode `Cc`), and the bidi embeddings, overrides and isolates.
fn is_raw(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// An upper bound on a printed error: a few quoted texts, each cut at
/// `MAX_SHOWN_CHARS` characters of up to 10 printed characters each
/// (`\u{10ffff}`), plus the message around them.
const MAX_PRINTED_CHARS: usize = 4 * (10 * limits::MAX_SHOWN_CHARS + 40) + 400;

fn check<T: Display + Debug>(value: &T) -> Result<(), TestCaseError> {
    for printed in [value.to_string(), format!("{value:?}")] {
        prop_assert!(
            !printed.chars().any(is_raw),
            "raw character in {:?}",
            printed
        );
        prop_assert!(
            printed.chars().count() <= MAX_PRINTED_CHARS,
            "{} characters printed",
            printed.chars().count()
        );
    }
    Ok(())
}

/// `Debug` alone, for types without `Display`.
fn check_debug<T: Debug>(value: &T) -> Result<(), TestCaseError> {
    check(&format_args!("{value:?}"))
}

/// Text an attacker would send: mostly the characters that do harm.
fn hostile() -> impl Strategy<Value = String> {
    let harmful = prop::sample::select(vec![
        '\r', '\n', '\t', '\u{0}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{202a}', '\u{202e}',
        '\u{2066}', '\u{2069}', '\u{2028}', '\u{200f}', '\u{feff}', '\\', '"', '%', '&', '=',
    ]);
    let text = prop::collection::vec(prop_oneof![3 => harmful, 1 => any::<char>()], 0..40)
        .prop_map(String::from_iter);
    prop_oneof![
        8 => text,
        // Long enough to be cut, and carrying harm past the cut.
        1 => (1000..3000_usize).prop_map(|n| format!("{}\r\n\u{202e}", "a".repeat(n))),
    ]
}

fn form(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn client() -> Client {
    Client::new(
        ServerMetadata::new(ISSUER, "https://as.example/a", "https://as.example/t")
            .with_authorization_response_iss_parameter_supported(true),
        ClientId::new("app").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://app.example/cb").unwrap())
}

fn pending(client: &Client) -> AwaitingCallback {
    Start::new(client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap()
        .1
}

fn exchanging(client: &Client) -> Exchanging {
    let pending = pending(client);
    let query = format!(
        "code=c&state={}&iss={}",
        pending.state().secret(),
        form(ISSUER)
    );
    pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap()
}

/// Every callback error, from a callback with `text` in each place an
/// attacker controls.
fn callback_errors(text: &str) -> Vec<CallbackError> {
    let client = client();
    let state = pending(&client).state().secret().to_owned();
    let t = form(text);
    let iss = form(ISSUER);
    let queries = [
        format!("{t}x=1&{t}x=2"),
        format!("code=c&state={state}&iss={t}"),
        format!("code=c&state={t}&iss={iss}"),
        format!("error={t}&state={state}&iss={iss}"),
        format!("error=access_denied&error_description={t}&error_uri={t}&state={state}&iss={iss}"),
        format!("error=x{t}&state={state}&iss={iss}"),
        format!("{t}=1&code=c&state={state}&iss={iss}"),
        format!("id_token={t}&code=c&state={state}&iss={iss}"),
    ];
    queries
        .iter()
        .filter_map(|query| match Callback::from_query(query) {
            Err(error) => Some(error),
            Ok(callback) => pending(&client).handle_callback(&client, callback).err(),
        })
        .collect()
}

/// Every token endpoint error, from bodies with `text` in each member an
/// attacker controls, at a success and at an error status.
fn token_errors(text: &str) -> Vec<Failure<Exchanging>> {
    let client = client();
    let t = serde_json::to_string(text).unwrap();
    let bodies = [
        format!(r#"{{"error":{t}}}"#),
        format!(r#"{{"error":"invalid_grant","error_description":{t},"error_uri":{t}}}"#),
        format!(r#"{{"error":"x","error":"y","unused":{t}}}"#),
        format!(r#"{{"access_token":"a","token_type":{t}}}"#),
        format!(r#"{{"access_token":"a","token_type":"Bearer",{t}:1,{t}:2}}"#),
        format!(r#"{{"access_token":{t},"token_type":"Bearer"}}"#),
        format!(r#"{{"access_token":"a","token_type":"Bearer","scope":{t}}}"#),
        format!("error={}&error_description={}", form(text), form(text)),
    ];
    let mut failures = Vec::new();
    for body in &bodies {
        for (status, content_type) in [
            (200, "application/json"),
            (400, "application/json"),
            (200, "application/x-www-form-urlencoded"),
        ] {
            let response = HttpResponse::new(status, body.as_bytes())
                .with_content_type(content_type)
                .with_www_authenticate(text);
            if let Err(failure) = exchanging(&client).handle_response(response, NOW) {
                failures.push(failure);
            }
        }
    }
    failures
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every error variant that carries text, built directly.
    #[test]
    fn every_error_type_built_with_hostile_text(text in hostile()) {
        let untrusted = UntrustedText::from(text.as_str());
        check(&untrusted)?;
        check(&ConfigError::ReservedParameter(untrusted.clone()))?;
        check(&ConfigError::RepeatedParameter(untrusted.clone()))?;
        check(&CallbackError::RepeatedParameter(untrusted.clone()))?;
        check(&CallbackError::IssuerMismatch { received: untrusted.clone() })?;
        let at = |endpoint, kind| EndpointError::new(endpoint, kind);
        check(&at(EndpointKind::Token, EndpointErrorKind::DuplicateMember(untrusted.clone())))?;
        check(&at(EndpointKind::Token, EndpointErrorKind::UnsupportedTokenType(untrusted.clone())))?;
        check(&ResourceError::RepeatedChallengeParameter(untrusted.clone()))?;
        let not_a_document = EndpointErrorKind::NotADocument(untrusted.clone());
        check(&at(EndpointKind::Metadata, not_a_document))?;
        let mismatch = EndpointErrorKind::IssuerMismatch {
            expected: untrusted.clone(),
            received: untrusted.clone(),
        };
        check(&at(EndpointKind::Metadata, mismatch))?;
        check(&AuthorizationErrorCode::from_wire(&text))?;
        check(&TokenErrorCode::from_wire(&text))?;
        check_debug(&AuthorizationErrorCode::Other(untrusted.clone()))?;
        check_debug(&BearerErrorCode::Other(untrusted))?;
        if let Err(error) = Scope::parse(&text) {
            check(&error)?;
        }
        if let Err(error) = ClientId::new(text.as_str()) {
            check(&error)?;
        }
        if let Err(error) = RedirectUri::new(text.as_str()) {
            check(&error)?;
        }
    }

    /// The callback parsers and checks.
    #[test]
    fn callback_errors_from_hostile_callbacks(text in hostile()) {
        for error in callback_errors(&text) {
            check(&error)?;
        }
    }

    /// The token response parser, at a success and at an error status.
    #[test]
    fn token_errors_from_hostile_responses(text in hostile()) {
        for failure in token_errors(&text) {
            check(&failure)?;
            check(failure.error())?;
        }
    }

    /// Bearer challenges: the errors, and the parsed challenge's `Debug`.
    #[test]
    fn challenges_from_hostile_headers(text in hostile()) {
        let quoted = text.replace('\\', "\\\\").replace('"', "\\\"");
        for header in [
            format!(r#"Bearer realm="{quoted}", error_description="{quoted}", error_uri="{quoted}""#),
            format!(r#"Bearer error="{quoted}""#),
            format!(r#"Bearer realm="a", {text}="1", {text}="2""#),
            format!(r#"Bearer scope="{quoted}""#),
            text.clone(),
        ] {
            match BearerChallenge::parse(&header) {
                Ok(challenge) => check_debug(&challenge)?,
                Err(error) => check(&error)?,
            }
        }
    }

    /// Discovery: a document naming a hostile issuer, or not JSON at all.
    #[test]
    fn discovery_errors_from_hostile_documents(text in hostile()) {
        let discovery = Discovery::new(ISSUER).unwrap();
        let issuer = serde_json::to_string(&text).unwrap();
        for body in [
            format!(r#"{{"issuer":{issuer},"authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t"}}"#),
            format!(r#"{{"issuer":"{ISSUER}","authorization_endpoint":{issuer},"token_endpoint":"https://as.example/t"}}"#),
            format!(r#"{{"issuer":"{ISSUER}","response_types_supported":{issuer}}}"#),
            text.clone(),
        ] {
            match discovery.clone().handle_response(HttpResponse::new(200, body.as_bytes()), NOW) {
                Ok(metadata) => check_debug(&metadata)?,
                Err(error) => check(&error)?,
            }
        }
    }

    /// Stored states with hostile members read back with a typed error or
    /// a value whose `Debug` is clean.
    #[test]
    fn stored_states_with_hostile_members(text in hostile()) {
        let client = client();
        let mut stored = serde_json::to_value(pending(&client)).unwrap();
        stored["redirect_uri"] = text.clone().into();
        stored["issuer"] = text.clone().into();
        match AwaitingCallback::from_json(&serde_json::to_vec(&stored).unwrap()) {
            Ok(pending) => check_debug(&pending)?,
            Err(error) => check(&error)?,
        }
        let body = br#"{"access_token":"a","token_type":"Bearer","x":1}"#;
        let authorized = exchanging(&client)
            .handle_response(HttpResponse::new(200, body), NOW)
            .unwrap();
        let mut stored = serde_json::to_value(&authorized).unwrap();
        stored["extra"] = serde_json::json!({ text.clone(): text.clone() });
        match Authorized::from_json(&serde_json::to_vec(&stored).unwrap()) {
            Ok(authorized) => check_debug(&authorized)?,
            Err(error) => check(&error)?,
        }
    }
}

/// The errors that carry no outside text print clean too, so the
/// properties above cover every error type the crate has.
#[test]
fn errors_without_outside_text() {
    let errors: Vec<Box<dyn std::error::Error>> = vec![
        Box::new(ConfigError::S256NotSupported),
        Box::new(ConfigError::Misuse(ApiMisuse::PushedAuthorizationRequired)),
        Box::new(CallbackError::UnrequestedResponseType {
            parameter: "id_token",
        }),
        Box::new(CallbackError::TooLarge { limit: 1 }),
        Box::new(ResourceError::InsecureTarget),
        Box::new(ApiMisuse::ClientMismatch),
        Box::new(ApiMisuse::NoEndpoint(EndpointKind::Revocation)),
        Box::new(ApiMisuse::PublicClient),
        Box::new(ConfigError::InvalidIssuer(InvalidValue::NotHttps)),
        Box::new(InvalidValue::DangerousScheme),
        Box::new(InvalidValue::ClientId),
        Box::new(InvalidValue::StoredStateTooLarge { limit: 1 }),
        Box::new(ResourceError::InvalidChallengeErrorCode),
        Box::new(EndpointError::new(
            EndpointKind::Revocation,
            EndpointErrorKind::ClientAuthenticationFailed { status: 401 },
        )),
        Box::new(EndpointError::new(
            EndpointKind::Metadata,
            EndpointErrorKind::S256NotSupported,
        )),
    ];
    for error in errors {
        for printed in [error.to_string(), format!("{error:?}")] {
            assert!(!printed.chars().any(is_raw), "{printed}");
        }
    }
}

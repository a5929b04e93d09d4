//! Properties of the codecs and checks, through the public API only:
//! form encoding round-trips, parsers never panic, PKCE is RFC 7636, a
//! changed `state` is always refused, stored states round-trip and
//! arbitrary stored JSON never panics.

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::CallbackError;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::values::{CodeChallengeMethod, CodeVerifier};
use oauth2_pkce::*;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

fn client(authentication: ClientAuthentication) -> Client {
    Preset::pagero()
        .client(ClientId::new("app").unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
}

fn basic_client() -> Client {
    client(ClientAuthentication::ClientSecretBasic(ClientSecret::new(
        "secret",
    )))
}

fn entropy_from(verifier: [u8; 32], state: [u8; 32]) -> FlowEntropy {
    let mut bytes = [0; 64];
    bytes[..32].copy_from_slice(&verifier);
    bytes[32..].copy_from_slice(&state);
    FlowEntropy::from_bytes(bytes)
}

/// How the reference encoder writes each byte.
#[derive(Clone, Copy, Debug)]
struct Style {
    /// `+` or `%20` for a space.
    plus_for_space: bool,
    /// Lowercase hex digits.
    lower_hex: bool,
    /// Percent-encode unreserved bytes too (legal, and decoded the same).
    encode_everything: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(plus_for_space, lower_hex, encode_everything)| Style {
            plus_for_space,
            lower_hex,
            encode_everything,
        },
    )
}

/// A reference `application/x-www-form-urlencoded` encoder, written
/// independently of the crate's.
fn reference_encode(value: &str, style: Style) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        let unreserved = byte.is_ascii_alphanumeric() || b"*-._".contains(&byte);
        if byte == b' ' && style.plus_for_space {
            out.push('+');
        } else if unreserved && !style.encode_everything {
            out.push(char::from(byte));
        } else if style.lower_hex {
            out.push_str(&format!("%{byte:02x}"));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A reference decoder for the crate's output: `(name, value)` pairs.
fn reference_decode(form: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(form)
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

fn non_empty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Any Unicode scalar values.
        "\\PC{1,40}",
        any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
        // The characters that matter to form encoding.
        "[ +%&=;#?/:@!$'()*,a-zA-Z0-9~._-]{1,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Values encoded by an independent encoder come back as they were
    /// from `Callback::from_query`, `from_form_body` and `from_url`.
    #[test]
    fn callback_parameters_round_trip(
        state in non_empty_text(),
        iss in non_empty_text(),
        style in style(),
    ) {
        let query = format!(
            "state={}&iss={}",
            reference_encode(&state, style),
            reference_encode(&iss, style)
        );
        for callback in [
            Callback::from_query(&query).unwrap(),
            Callback::from_query(&format!("?{query}")).unwrap(),
            Callback::from_form_body(query.as_bytes()).unwrap(),
            Callback::from_url(&format!("https://app.example/cb?{query}")).unwrap(),
        ] {
            prop_assert_eq!(callback.state().unwrap().secret(), state.as_str());
            prop_assert_eq!(callback.iss(), Some(iss.as_str()));
            prop_assert!(!callback.is_error());
        }
    }

    /// The code goes in through the reference encoder and the crate's
    /// decoder, out through the crate's encoder into the token request, and
    /// the reference decoder reads the same value back. So do the client
    /// credentials of `client_secret_post`.
    #[test]
    fn code_round_trips_into_the_token_request(
        code in non_empty_text(),
        secret in non_empty_text(),
        style in style(),
        verifier in any::<[u8; 32]>(),
        state in any::<[u8; 32]>(),
    ) {
        let client = client(ClientAuthentication::ClientSecretPost(ClientSecret::new(secret.clone())));
        let (_, pending) = Start::new(&client).begin(entropy_from(verifier, state), NOW).unwrap();
        let query = format!(
            "code={}&state={}",
            reference_encode(&code, style),
            reference_encode(pending.state().secret(), style)
        );
        let exchanging = pending
            .handle_callback(&client, Callback::from_query(&query).unwrap())
            .unwrap();
        let request = exchanging.request(&crate::CONTEXT).unwrap();
        let body = std::str::from_utf8(request.body()).unwrap();
        // The crate's encoding uses only these characters.
        prop_assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b"*-._+%&=".contains(&b)));
        let pairs = reference_decode(request.body());
        let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        prop_assert_eq!(
            names,
            ["grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret"]
        );
        prop_assert_eq!(pairs[1].1.as_str(), code.as_str());
        prop_assert_eq!(pairs[2].1.as_str(), "https://urltoclient:4443");
        prop_assert_eq!(pairs[5].1.as_str(), secret.as_str());
    }

    /// An error response's description and URI come back as they were.
    #[test]
    fn error_description_round_trips(
        code in "[a-z_]{1,20}",
        description in non_empty_text(),
        uri in non_empty_text(),
        style in style(),
    ) {
        let client = basic_client();
        let (_, pending) = Start::new(&client).begin(FlowEntropy::from_bytes([9; 64]), NOW).unwrap();
        let query = format!(
            "error={}&error_description={}&error_uri={}&state={}",
            reference_encode(&code, style),
            reference_encode(&description, style),
            reference_encode(&uri, style),
            pending.state().secret()
        );
        let error = pending
            .handle_callback(&client, Callback::from_query(&query).unwrap())
            .err()
            .unwrap();
        let CallbackError::Authorization(response) = error else {
            return Err(TestCaseError::fail(format!("not an authorization error: {error:?}")));
        };
        prop_assert_eq!(response.error().as_str(), code.as_str());
        prop_assert_eq!(response.error_description(), Some(description.as_str()));
        prop_assert_eq!(response.error_uri(), Some(uri.as_str()));
    }

    /// Nothing a browser or an attacker can put in a callback panics a
    /// parser.
    #[test]
    fn callback_parsers_never_panic(bytes in any::<Vec<u8>>(), text in any::<String>(), form in "[a-z%=&+;#?0-9A-F\u{e9}\u{1F600}]{0,60}") {
        let _ = Callback::from_form_body(&bytes);
        let _ = Callback::from_query(&text);
        let _ = Callback::from_query(&form);
        let _ = Callback::from_form_body(form.as_bytes());
        let _ = Callback::from_url(&text);
        let _ = Callback::from_url(&format!("https://app.example/cb?{text}"));
        let _ = Callback::from_url(&format!("https://app.example/cb?{form}"));
        let lossy = String::from_utf8_lossy(&bytes);
        let _ = Callback::from_query(&lossy);
        let _ = Callback::from_url(&format!("https://app.example/cb?{lossy}"));
        // And whatever parsed goes through the checks without a panic.
        if let Ok(callback) = Callback::from_query(&form) {
            let client = basic_client();
            let (_, pending) = Start::new(&client).begin(FlowEntropy::from_bytes([1; 64]), NOW).unwrap();
            let _ = pending.handle_callback(&client, callback);
        }
    }

    /// Nothing a token endpoint sends panics the response handling.
    #[test]
    fn token_response_handling_never_panics(
        status in any::<u16>(),
        content_type in prop_oneof![
            Just("application/json".to_owned()),
            Just("application/x-www-form-urlencoded".to_owned()),
            Just("text/html; charset=utf-8".to_owned()),
            any::<String>(),
        ],
        retry_after in any::<String>(),
        body in prop_oneof![
            any::<Vec<u8>>(),
            json_value().prop_map(|v| v.to_string().into_bytes()),
            token_body().prop_map(String::into_bytes),
            "[a-z_%=&+0-9]{0,80}".prop_map(String::into_bytes),
        ],
    ) {
        let client = basic_client();
        let (_, pending) = Start::new(&client).begin(FlowEntropy::from_bytes([3; 64]), NOW).unwrap();
        let query = format!("code=c&state={}", pending.state().secret());
        let exchanging = pending.handle_callback(&client, Callback::from_query(&query).unwrap()).unwrap();
        let expected_request = exchanging.request(&crate::CONTEXT).unwrap();
        let response = HttpResponse::new(status, &body)
            .with_content_type(&content_type)
            .with_retry_after(&retry_after);
        match exchanging.handle_response(response, NOW) {
            Ok(authorized) => {
                prop_assert!((200..300).contains(&status));
                prop_assert!(!authorized.tokens().access_token().secret().is_empty());
                let _ = authorized.bearer_authorization("https://api.example/");
                let _ = authorized.is_expired(UnixTime::from_secs(u64::MAX), core::time::Duration::MAX);
            }
            Err(failure) => {
                let _ = format!("{failure} {failure:?}");
                let retryable = failure.error().is_retryable();
                match failure.into_retry() {
                    Some(again) => {
                        prop_assert!(retryable);
                        prop_assert_eq!(again.request(&crate::CONTEXT).unwrap(), expected_request);
                    }
                    None => prop_assert!(!retryable),
                }
            }
        }
    }

    /// A `scope` answer without spaces is read as comma-joined scopes only
    /// when every piece was requested and two or more were: the reading
    /// never yields a scope that was not asked for, and any other answer
    /// is read as RFC 6749 §3.3 says.
    #[test]
    fn comma_reading_never_yields_an_unrequested_scope(
        requested in prop::collection::vec("[a-c,]{1,3}", 0..5),
        pieces in prop::collection::vec("[a-d]{0,2}", 1..5),
    ) {
        let requested = Scope::from_tokens(&requested).unwrap();
        let answer = pieces.join(",");
        prop_assume!(!answer.is_empty());
        let client = basic_client();
        let (_, pending) = Start::new(&client)
            .scope(requested.clone())
            .begin(FlowEntropy::from_bytes([3; 64]), NOW)
            .unwrap();
        let query = format!("code=c&state={}", pending.state().secret());
        let exchanging = pending.handle_callback(&client, Callback::from_query(&query).unwrap()).unwrap();
        let body = format!(r#"{{"access_token":"a","token_type":"Bearer","scope":"{answer}"}}"#);
        let authorized = exchanging.handle_response(HttpResponse::new(200, body.as_bytes()), NOW).unwrap();
        let tokens = authorized.tokens();
        if tokens.scope_assumed_comma_delimited() {
            prop_assert!(tokens.scope().is_subset_of(&requested));
            prop_assert!(requested.iter().count() >= 2);
            prop_assert!(!requested.contains(&answer));
            prop_assert_eq!(tokens.scope(), &Scope::from_tokens(answer.split(',')).unwrap());
        } else {
            prop_assert_eq!(tokens.scope(), &Scope::parse(&answer).unwrap());
        }
    }

    /// RFC 7636 §4.1–4.2: 32 octets make a 43-character verifier of
    /// unreserved characters, and the S256 challenge is
    /// BASE64URL(SHA256(ASCII(verifier))).
    #[test]
    fn verifier_and_s256_challenge(octets in any::<[u8; 32]>()) {
        let verifier = CodeVerifier::from_entropy(&octets);
        let value = verifier.secret();
        prop_assert_eq!(value.len(), 43);
        prop_assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        prop_assert!(verifier.is_well_formed());
        prop_assert_eq!(Base64UrlUnpadded::decode_vec(value).unwrap(), octets.to_vec());
        let expected = Base64UrlUnpadded::encode_string(&Sha256::digest(value.as_bytes()));
        prop_assert_eq!(verifier.code_challenge(CodeChallengeMethod::S256), expected);
        prop_assert_eq!(verifier.code_challenge(CodeChallengeMethod::Plain), value);
    }

    /// The same through a whole flow: the challenge in the authorization
    /// URL is the S256 of the verifier in the token request.
    #[test]
    fn flow_sends_the_challenge_of_the_verifier(verifier in any::<[u8; 32]>(), state in any::<[u8; 32]>()) {
        let client = basic_client();
        let (request, pending) = Start::new(&client).begin(entropy_from(verifier, state), NOW).unwrap();
        let query = reference_decode(request.url().split_once('?').unwrap().1.as_bytes());
        let find = |name: &str| query.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap();
        prop_assert_eq!(find("code_challenge_method"), "S256");
        prop_assert_eq!(find("state"), pending.state().secret());
        prop_assert!(pending.state().secret().len() >= 22);
        let callback = Callback::from_query(&format!("code=c&state={}", pending.state().secret())).unwrap();
        let token_request = pending.handle_callback(&client, callback).unwrap().request(&crate::CONTEXT).unwrap();
        let body = reference_decode(token_request.body());
        let sent = &body.iter().find(|(n, _)| n == "code_verifier").unwrap().1;
        prop_assert_eq!(sent.len(), 43);
        prop_assert_eq!(
            find("code_challenge"),
            Base64UrlUnpadded::encode_string(&Sha256::digest(sent.as_bytes()))
        );
    }

    /// Any one-character change to `state` is refused.
    #[test]
    fn changed_state_is_always_refused(
        entropy in any::<[u8; 32]>(),
        index in any::<prop::sample::Index>(),
        replacement in any::<char>(),
        change in 0..3u8,
    ) {
        let client = basic_client();
        let (_, pending) = Start::new(&client).begin(entropy_from([0; 32], entropy), NOW).unwrap();
        let state: Vec<char> = pending.state().secret().chars().collect();
        let at = index.index(state.len());
        let mut changed = state.clone();
        match change {
            0 => {
                prop_assume!(changed[at] != replacement);
                changed[at] = replacement;
            }
            1 => changed.insert(at, replacement),
            _ => { changed.remove(at); }
        }
        let changed: String = changed.into_iter().collect();
        let style = Style { plus_for_space: true, lower_hex: false, encode_everything: false };
        let query = format!("code=c&state={}", reference_encode(&changed, style));
        let callback = Callback::from_query(&query).unwrap();
        prop_assert_eq!(
            pending.handle_callback(&client, callback).err(),
            Some(CallbackError::StateMismatch)
        );
    }

    /// A stored pending flow comes back equal, and small enough for a
    /// cookie.
    #[test]
    fn stored_awaiting_callback_round_trips(
        verifier in any::<[u8; 32]>(),
        state in any::<[u8; 32]>(),
        started in any::<u64>(),
        scope in prop::collection::vec("[!#-\\[\\]-~]{1,12}", 0..5),
        iss_required in any::<bool>(),
    ) {
        let metadata = Preset::pagero().metadata().clone()
            .with_authorization_response_iss_parameter_supported(iss_required);
        let client = Client::new(metadata, ClientId::new("app").unwrap(), ClientAuthentication::ClientSecretBasic(ClientSecret::new("CLIENT-SECRET-XYZ")))
        .unwrap()
        .with_redirect_uri(RedirectUri::new("http://127.0.0.1:8080").unwrap());
        let (_, pending) = Start::new(&client)
            .scope(Scope::from_tokens(&scope).unwrap())
            .begin(entropy_from(verifier, state), UnixTime::from_secs(started))
            .unwrap();
        let stored = serde_json::to_string(&pending).unwrap();
        prop_assert!(stored.len() < 1024, "{} bytes", stored.len());
        // The pending flow never holds the client secret.
        prop_assert!(!stored.contains("CLIENT-SECRET-XYZ"));
        let restored: AwaitingCallback = serde_json::from_str(&stored).unwrap();
        prop_assert_eq!(&restored, &pending);
        prop_assert_eq!(serde_json::to_string(&restored).unwrap(), stored);
    }

    /// A stored token set comes back equal.
    #[test]
    fn stored_authorized_round_trips(body in token_body(), now in any::<u64>()) {
        let client = basic_client();
        let (_, pending) = Start::new(&client).begin(FlowEntropy::from_bytes([5; 64]), NOW).unwrap();
        let query = format!("code=c&state={}", pending.state().secret());
        let exchanging = pending.handle_callback(&client, Callback::from_query(&query).unwrap()).unwrap();
        let Ok(authorized) = exchanging
            .handle_response(HttpResponse::new(200, body.as_bytes()), UnixTime::from_secs(now))
        else {
            return Err(TestCaseError::reject("not a valid token response"));
        };
        let stored = serde_json::to_string(&authorized).unwrap();
        let restored: Authorized = serde_json::from_str(&stored).unwrap();
        prop_assert_eq!(&restored, &authorized);
        prop_assert_eq!(serde_json::to_string(&restored).unwrap(), stored);
    }

    /// Arbitrary JSON, and valid stored JSON with one member replaced or
    /// removed, never panics deserialization.
    #[test]
    fn arbitrary_stored_json_never_panics(
        value in json_value(),
        member in "[a-z_]{1,20}",
        pick in any::<prop::sample::Index>(),
        remove in any::<bool>(),
        text in any::<String>(),
    ) {
        let _ = serde_json::from_value::<AwaitingCallback>(value.clone());
        let _ = serde_json::from_value::<Authorized>(value.clone());
        let _ = serde_json::from_str::<AwaitingCallback>(&text);
        let _ = serde_json::from_str::<Authorized>(&text);

        for mut stored in stored_examples() {
            let object = stored.as_object_mut().unwrap();
            let keys: Vec<String> = object.keys().cloned().collect();
            let key = keys[pick.index(keys.len())].clone();
            if remove {
                object.remove(&key);
            } else {
                object.insert(key, value.clone());
            }
            object.insert(member.clone(), value.clone());
            let text = stored.to_string();
            let _ = serde_json::from_str::<AwaitingCallback>(&text);
            let _ = serde_json::from_str::<Authorized>(&text);
            if let Ok(pending) = serde_json::from_str::<AwaitingCallback>(&text) {
                // Whatever deserialized still behaves.
                let client = basic_client();
                let callback = Callback::from_query("code=c&state=s").unwrap();
                let _ = pending.handle_callback(&client, callback);
            }
        }
    }
}

/// A valid stored `AwaitingCallback` and `Authorized`, as JSON values.
fn stored_examples() -> Vec<serde_json::Value> {
    let client = basic_client();
    let (_, pending) = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .begin(FlowEntropy::from_bytes([6; 64]), NOW)
        .unwrap();
    let awaiting = serde_json::to_value(&pending).unwrap();
    let query = format!("code=c&state={}", pending.state().secret());
    let authorized = pending
        .handle_callback(&client, Callback::from_query(&query).unwrap())
        .unwrap()
        .handle_response(
            HttpResponse::new(
                200,
                br#"{"access_token":"a","token_type":"bearer","refresh_token":"r","expires_in":600,"claims":"publicid"}"#,
            ),
            NOW,
        )
        .unwrap();
    vec![awaiting, serde_json::to_value(&authorized).unwrap()]
}

/// Arbitrary JSON values.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[a-z_]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,16}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Token response bodies that are mostly valid, with varied members.
fn token_body() -> impl Strategy<Value = String> {
    (
        "[!-~]{1,40}",
        prop::option::of("[!-~]{1,40}"),
        prop::option::of(prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<u32>().prop_map(|n| format!("\"{n}\"")),
        ]),
        prop::option::of(prop::collection::vec("[!#-\\[\\]-~]{1,10}", 0..4)),
        prop::collection::btree_map("x_[a-z]{1,8}", "[a-z0-9 ]{0,12}", 0..3),
        prop_oneof![Just("bearer"), Just("Bearer"), Just("BEARER")],
    )
        .prop_map(|(access, refresh, expires_in, scope, extra, token_type)| {
            let mut object = serde_json::Map::new();
            object.insert("access_token".into(), access.into());
            object.insert("token_type".into(), token_type.into());
            if let Some(refresh) = refresh {
                object.insert("refresh_token".into(), refresh.into());
            }
            if let Some(expires_in) = expires_in {
                object.insert(
                    "expires_in".into(),
                    serde_json::from_str(&expires_in).unwrap(),
                );
            }
            if let Some(scope) = scope {
                object.insert("scope".into(), scope.join(" ").into());
            }
            for (name, value) in extra {
                object.insert(name, value.into());
            }
            serde_json::Value::Object(object).to_string()
        })
}

proptest! {
    /// `Retry-After` as an HTTP-date (RFC 9110 §5.6.7): any date
    /// httpdate formats is read back as the time left until it.
    #[test]
    fn retry_after_dates_agree_with_httpdate(seconds in 0_u64..253_402_300_800, before in 0_u64..1_000_000) {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
        let text = httpdate::fmt_http_date(at);
        let now = UnixTime::from_secs(seconds.saturating_sub(before));
        let left = HttpResponse::new(503, b"").with_retry_after(&text).retry_after(now);
        prop_assert_eq!(left, Some(std::time::Duration::from_secs(seconds - now.as_secs())));
    }

    /// Any `Retry-After` value reads without a panic.
    #[test]
    fn retry_after_never_panics(value in ".{0,40}", now in any::<u64>()) {
        let _ = HttpResponse::new(503, b"").with_retry_after(&value).retry_after(UnixTime::from_secs(now));
    }
}

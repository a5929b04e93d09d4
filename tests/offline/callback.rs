//! The callback checks of `AwaitingCallback::handle_callback`, in the
//! documented order: repeated parameters (refused by the parsers), `iss`
//! (RFC 9207 §2.4), `state` (RFC 6749 §10.12), only then an `error`
//! response (§4.1.2.1), then `code`; and the `Callback` parsers for a URL, a
//! query, a `form_post` body and an `http::Request`.

use oauth2_pkce::errors::{ApiMisuse, AuthorizationErrorCode, CallbackError};
use oauth2_pkce::values::UntrustedText;
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const ISSUER: &str = "https://as.example/realms/main";
const REDIRECT_URI: &str = "https://app.example/cb";
const CODE: &str = "SplxlOBeZQQYbYS6WxSbIA";

/// A server that declares `authorization_response_iss_parameter_supported`.
fn iss_client() -> Client {
    client_for(
        ServerMetadata::new(
            ISSUER,
            "https://as.example/realms/main/authorize",
            "https://as.example/realms/main/token",
        )
        .with_authorization_response_iss_parameter_supported(true),
        "app",
    )
}

/// Pagero: does not declare it, so `iss` is checked only when present.
fn pagero_client() -> Client {
    client_for(Preset::pagero().metadata().clone(), "app")
}

fn client_for(metadata: ServerMetadata, client_id: &str) -> Client {
    Client::new(
        metadata,
        ClientId::new(client_id).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("client-secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new(REDIRECT_URI).unwrap())
}

fn pending(client: &Client) -> AwaitingCallback {
    Start::new(client)
        .begin(FlowEntropy::from_bytes([42; 64]), NOW)
        .unwrap()
        .1
}

/// `pending`'s state, form-encoded (it is base64url: nothing to encode).
fn state_of(pending: &AwaitingCallback) -> String {
    pending.state().secret().to_owned()
}

fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Parses `query` and hands it to a fresh flow of `client`.
fn handle(
    client: &Client,
    query: impl FnOnce(&str) -> String,
) -> Result<Exchanging, CallbackError> {
    let pending = pending(client);
    let query = query(&state_of(&pending));
    let callback = Callback::from_query(&query)?;
    pending.handle_callback(client, callback)
}

/// The value of `name` in the token request body of `exchanging`.
fn body_param(exchanging: &Exchanging, name: &str) -> Option<String> {
    let request = exchanging.request(&crate::CONTEXT).unwrap();
    url::form_urlencoded::parse(request.body())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

// --- 1. Repeated parameters -----------------------------------------------------

#[test]
fn repeated_parameters_are_refused() {
    for (query, name) in [
        ("code=a&state=s&code=b", "code"),
        ("code=a&state=s&state=s", "state"),
        ("code=a&state=s&st%61te=s", "state"),
        ("code=a&%73tate=s&state=t", "state"),
        ("code=a&state=s&iss=x&iss=x", "iss"),
        ("error=access_denied&state=s&error=server_error", "error"),
        ("code=a&state=s&foo=1&foo=2", "foo"),
        // An empty repeat still counts: the name is there twice.
        ("code=&code=a&state=s", "code"),
        ("code=a&state=s&state", "state"),
    ] {
        assert!(
            matches!(Callback::from_query(query), Err(CallbackError::RepeatedParameter(ref n)) if n == name),
            "{query}"
        );
        let url = format!("https://app.example/cb?{query}");
        assert!(
            matches!(Callback::from_url(&url), Err(CallbackError::RepeatedParameter(ref n)) if n == name),
            "{url}"
        );
        assert!(
            matches!(Callback::from_form_body(query.as_bytes()), Err(CallbackError::RepeatedParameter(ref n)) if n == name),
            "{query}"
        );
    }
}

#[test]
fn repeated_state_is_refused_even_with_the_right_value() {
    let client = pagero_client();
    let pending = pending(&client);
    let state = state_of(&pending);
    let error = Callback::from_query(&format!("code={CODE}&state={state}&st%61te={state}"))
        .err()
        .unwrap();
    assert_eq!(error, CallbackError::RepeatedParameter("state".into()));
    assert!(!format!("{error}").contains(&state));
    assert!(!format!("{error:?}").contains(&state));
}

// --- 2. iss (RFC 9207) --------------------------------------------------------------

#[test]
fn iss_required_when_the_server_declares_it() {
    let client = iss_client();
    assert_eq!(
        handle(&client, |s| format!("code={CODE}&state={s}")).err(),
        Some(CallbackError::MissingIssuer)
    );
    // Empty is absent.
    assert_eq!(
        handle(&client, |s| format!("code={CODE}&state={s}&iss=")).err(),
        Some(CallbackError::MissingIssuer)
    );
    let exchanging = handle(&client, |s| {
        format!("code={CODE}&state={s}&iss={}", enc(ISSUER))
    })
    .unwrap();
    assert_eq!(body_param(&exchanging, "code").as_deref(), Some(CODE));
}

#[test]
fn iss_is_compared_byte_for_byte() {
    let client = iss_client();
    for wrong in [
        "https://as.example/realms/main/",
        "https://AS.example/realms/main",
        "HTTPS://as.example/realms/main",
        "https://as.example/realms/Main",
        "https://as.example:443/realms/main",
        "https://as.example/realms/main ",
        "https://as.example/realms/mai",
        "https://as.example/realms/main/../main",
        "https://evil.example",
    ] {
        assert_eq!(
            handle(&client, |s| format!(
                "code={CODE}&state={s}&iss={}",
                enc(wrong)
            ))
            .err(),
            Some(CallbackError::IssuerMismatch {
                received: wrong.into()
            }),
            "{wrong}"
        );
    }
    // The same issuer percent-encoded differently is the same string once
    // decoded.
    assert!(handle(&client, |s| {
        format!("code={CODE}&state={s}&iss=https%3a%2F%2Fas.example%2frealms/main")
    })
    .is_ok());
}

#[test]
fn iss_is_checked_when_present_even_if_not_required() {
    let client = pagero_client();
    // Without iss: fine, Pagero does not declare it.
    assert!(handle(&client, |s| format!("code={CODE}&state={s}")).is_ok());
    let issuer = "https://sso.pageroonline.com/oauth/v2/oauth-anonymous";
    assert!(handle(&client, |s| format!(
        "code={CODE}&state={s}&iss={}",
        enc(issuer)
    ))
    .is_ok());
    // Pagero's documented example callback carries a placeholder issuer,
    // which is not the preset's: refused as a mix-up.
    assert_eq!(
        handle(&client, |s| format!(
            "code=0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1&state={s}&iss=https%3A%2F%2Fauthorization-server.com"
        ))
        .err(),
        Some(CallbackError::IssuerMismatch {
            received: "https://authorization-server.com".into()
        })
    );
    assert_eq!(
        handle(&client, |s| format!(
            "code={CODE}&state={s}&iss={}%2F",
            enc(issuer)
        ))
        .err(),
        Some(CallbackError::IssuerMismatch {
            received: format!("{issuer}/").into()
        })
    );
}

#[test]
fn iss_is_checked_before_state() {
    let client = iss_client();
    assert_eq!(
        handle(&client, |_| format!(
            "code={CODE}&state=wrong&iss=https%3A%2F%2Fevil.example"
        ))
        .err(),
        Some(CallbackError::IssuerMismatch {
            received: "https://evil.example".into()
        })
    );
    assert_eq!(
        handle(&client, |_| format!("code={CODE}")).err(),
        Some(CallbackError::MissingIssuer)
    );
}

// --- 3. state --------------------------------------------------------------------------

#[test]
fn state_must_match() {
    let client = pagero_client();
    assert_eq!(
        handle(&client, |_| format!("code={CODE}")).err(),
        Some(CallbackError::MissingState)
    );
    assert_eq!(
        handle(&client, |_| format!("code={CODE}&state=")).err(),
        Some(CallbackError::MissingState)
    );
    let variants: [fn(&str) -> String; 6] = [
        |s| s[..s.len() - 1].to_owned(),
        |s| format!("{s}A"),
        |s| format!("{s} "),
        |s| s.to_ascii_lowercase(),
        |s| format!("A{}", &s[1..]),
        |_| "exampleState".to_owned(),
    ];
    for variant in variants {
        assert_eq!(
            handle(&client, |s| format!(
                "code={CODE}&state={}",
                enc(&variant(s))
            ))
            .err(),
            Some(CallbackError::StateMismatch)
        );
    }
}

#[test]
fn state_of_another_flow_is_refused() {
    let client = pagero_client();
    let ours = pending(&client);
    let (_, theirs) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([43; 64]), NOW)
        .unwrap();
    let callback =
        Callback::from_query(&format!("code={CODE}&state={}", state_of(&theirs))).unwrap();
    assert_eq!(
        ours.handle_callback(&client, callback).err(),
        Some(CallbackError::StateMismatch)
    );
}

// --- 4. error responses, trusted only after iss and state -------------------------

#[test]
fn access_denied_after_the_checks() {
    let client = iss_client();
    let error = handle(&client, |s| {
        format!(
            "error=access_denied&error_description=The+user+said+no&state={s}&iss={}",
            enc(ISSUER)
        )
    })
    .err()
    .unwrap();
    let CallbackError::Authorization(response) = error else {
        panic!("expected an authorization error, got {error:?}");
    };
    assert_eq!(response.error(), &AuthorizationErrorCode::AccessDenied);
    assert_eq!(response.error_description(), Some("The user said no"));
    assert_eq!(response.error_uri(), None);
}

#[test]
fn error_response_with_a_wrong_state_is_a_state_mismatch() {
    let client = pagero_client();
    assert_eq!(
        handle(&client, |_| "error=access_denied&state=forged".into()).err(),
        Some(CallbackError::StateMismatch)
    );
    assert_eq!(
        handle(&client, |_| "error=access_denied".into()).err(),
        Some(CallbackError::MissingState)
    );
    let client = iss_client();
    assert_eq!(
        handle(&client, |s| format!("error=access_denied&state={s}")).err(),
        Some(CallbackError::MissingIssuer)
    );
    assert_eq!(
        handle(&client, |s| format!(
            "error=access_denied&state={s}&iss=https%3A%2F%2Fevil.example"
        ))
        .err(),
        Some(CallbackError::IssuerMismatch {
            received: "https://evil.example".into()
        })
    );
}

#[test]
fn registered_error_codes_are_typed() {
    let client = pagero_client();
    for (wire, code) in [
        ("invalid_request", AuthorizationErrorCode::InvalidRequest),
        (
            "unauthorized_client",
            AuthorizationErrorCode::UnauthorizedClient,
        ),
        ("access_denied", AuthorizationErrorCode::AccessDenied),
        (
            "unsupported_response_type",
            AuthorizationErrorCode::UnsupportedResponseType,
        ),
        ("invalid_scope", AuthorizationErrorCode::InvalidScope),
        ("server_error", AuthorizationErrorCode::ServerError),
        (
            "temporarily_unavailable",
            AuthorizationErrorCode::TemporarilyUnavailable,
        ),
    ] {
        let error = handle(&client, |s| format!("state={s}&error={wire}")).err();
        assert!(
            matches!(&error, Some(CallbackError::Authorization(r)) if *r.error() == code),
            "{wire}: {error:?}"
        );
    }
}

#[test]
fn unknown_error_codes_are_kept_with_description_and_uri() {
    let client = pagero_client();
    let error = handle(&client, |s| {
        format!(
            "state={s}&error=login_required&error_description=Sign+in%2C+please%3A+%C3%A9t%C3%A9&error_uri=https%3A%2F%2Fas.example%2Ferrors%3Fid%3D1"
        )
    })
    .err()
    .unwrap();
    let CallbackError::Authorization(response) = &error else {
        panic!("expected an authorization error, got {error:?}");
    };
    assert_eq!(
        response.error(),
        &AuthorizationErrorCode::Other("login_required".into())
    );
    assert_eq!(response.error().as_str(), "login_required");
    assert_eq!(response.error_description(), Some("Sign in, please: été"));
    assert_eq!(response.error_uri(), Some("https://as.example/errors?id=1"));
    // The description is network text: Display escapes it.
    let nasty = handle(&client, |s| {
        format!("state={s}&error=x&error_description=line%0Aforged+log+line")
    })
    .err()
    .unwrap();
    assert!(!format!("{nasty}").contains('\n'), "{nasty}");
}

#[test]
fn an_error_wins_over_a_code() {
    let client = pagero_client();
    assert!(matches!(
        handle(&client, |s| format!(
            "code={CODE}&state={s}&error=access_denied"
        )),
        Err(CallbackError::Authorization(_))
    ));
}

// --- 5. code ---------------------------------------------------------------------------

#[test]
fn missing_or_empty_code() {
    let client = pagero_client();
    assert_eq!(
        handle(&client, |s| format!("state={s}")).err(),
        Some(CallbackError::MissingCode)
    );
    assert_eq!(
        handle(&client, |s| format!("code=&state={s}")).err(),
        Some(CallbackError::MissingCode)
    );
    assert_eq!(
        handle(&client, |s| format!("state={s}&error=")).err(),
        Some(CallbackError::MissingCode)
    );
}

#[test]
fn another_client_id_is_refused() {
    let client = pagero_client();
    let other = client_for(Preset::pagero().metadata().clone(), "another-app");
    let pending = pending(&client);
    let callback =
        Callback::from_query(&format!("code={CODE}&state={}", state_of(&pending))).unwrap();
    assert_eq!(
        pending.handle_callback(&other, callback).err(),
        Some(CallbackError::Misuse(ApiMisuse::ClientMismatch))
    );
}

#[test]
fn a_good_callback_moves_on_to_the_exchange() {
    let client = pagero_client();
    let pending = pending(&client);
    let state = state_of(&pending);
    let callback = Callback::from_query(&format!(
        "?code={}&state={state}&session_state=ignored&unknown",
        enc("code/with+special=chars é")
    ))
    .unwrap();
    assert_eq!(callback.state().unwrap().secret(), state);
    assert_eq!(callback.iss(), None);
    assert!(!callback.is_error());
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    // The code is decoded once and sent as it was.
    assert_eq!(
        body_param(&exchanging, "code").as_deref(),
        Some("code/with+special=chars é")
    );
    assert_eq!(
        body_param(&exchanging, "redirect_uri").as_deref(),
        Some(REDIRECT_URI)
    );
}

#[test]
fn stored_flow_handles_the_callback_after_a_round_trip() {
    let client = iss_client();
    let pending = pending(&client);
    let stored = serde_json::to_string(&pending).unwrap();
    let restored: AwaitingCallback = serde_json::from_str(&stored).unwrap();
    assert_eq!(restored, pending);
    // iss_required survives storage.
    let callback =
        Callback::from_query(&format!("code={CODE}&state={}", state_of(&restored))).unwrap();
    assert_eq!(
        restored.handle_callback(&client, callback).err(),
        Some(CallbackError::MissingIssuer)
    );
}

// --- The parsers ---------------------------------------------------------------------

#[test]
fn from_url() {
    let client = pagero_client();
    let pending = pending(&client);
    let url = format!(
        "https://app.example/cb?code={CODE}&state={}#fragment&code=ignored",
        state_of(&pending)
    );
    let callback = Callback::from_url(&url).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    assert_eq!(body_param(&exchanging, "code").as_deref(), Some(CODE));

    assert!(matches!(
        Callback::from_url("not a url"),
        Err(CallbackError::NotAUrl)
    ));
    assert!(matches!(
        Callback::from_url("/cb?code=a"),
        Err(CallbackError::NotAUrl)
    ));
    assert!(matches!(
        Callback::from_url(""),
        Err(CallbackError::NotAUrl)
    ));
    // No query: nothing there.
    let empty = Callback::from_url("https://app.example/cb").unwrap();
    assert!(empty.state().is_none() && empty.iss().is_none() && !empty.is_error());
    assert!(matches!(
        Callback::from_url("https://app.example/cb?code=%FF"),
        Err(CallbackError::NotUtf8)
    ));
}

#[test]
fn from_query_with_or_without_question_mark() {
    let with = Callback::from_query("?state=abc&iss=https%3A%2F%2Fas.example").unwrap();
    let without = Callback::from_query("state=abc&iss=https%3A%2F%2Fas.example").unwrap();
    for callback in [with, without] {
        assert_eq!(callback.state().unwrap().secret(), "abc");
        assert_eq!(callback.iss(), Some("https://as.example"));
    }
    assert!(matches!(
        Callback::from_query("state=%zz"),
        Err(CallbackError::MalformedPercentEncoding)
    ));
    assert!(matches!(
        Callback::from_query("state=%4"),
        Err(CallbackError::MalformedPercentEncoding)
    ));
    // `+` is a space, `%2B` a plus.
    let plus = Callback::from_query("state=a+b%2Bc").unwrap();
    assert_eq!(plus.state().unwrap().secret(), "a b+c");
}

#[test]
fn from_form_body() {
    let client = pagero_client();
    let pending = pending(&client);
    let body = format!("code={CODE}&state={}", state_of(&pending));
    let callback = Callback::from_form_body(body.as_bytes()).unwrap();
    assert!(pending.handle_callback(&client, callback).is_ok());

    assert!(matches!(
        Callback::from_form_body(b"code=a&state=\xff"),
        Err(CallbackError::NotUtf8)
    ));
    assert!(matches!(
        Callback::from_form_body(b"code=%C3%28"),
        Err(CallbackError::NotUtf8)
    ));
}

#[test]
fn from_http_get() {
    let client = pagero_client();
    let pending = pending(&client);
    let request = http::Request::get(format!(
        "https://app.example/cb?code={CODE}&state={}",
        state_of(&pending)
    ))
    // `from_http` needs `B: AsRef<[u8]>` even for a GET.
    .body(Vec::new())
    .unwrap();
    let callback = Callback::from_http(&request).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    assert_eq!(body_param(&exchanging, "code").as_deref(), Some(CODE));

    // Origin-form, as a server receives it.
    let request = http::Request::get("/cb?state=s%20t")
        .body(Vec::new())
        .unwrap();
    assert_eq!(
        Callback::from_http(&request)
            .unwrap()
            .state()
            .unwrap()
            .secret(),
        "s t"
    );
    let request = http::Request::get("/cb?state=a&state=b")
        .body(Vec::new())
        .unwrap();
    assert!(matches!(
        Callback::from_http(&request),
        Err(CallbackError::RepeatedParameter(n)) if n == "state"
    ));
}

#[test]
fn from_http_form_post() {
    let client = pagero_client();
    let pending = pending(&client);
    let body = format!("code={CODE}&state={}", state_of(&pending));
    let request = http::Request::post("/cb")
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body(body.into_bytes())
        .unwrap();
    let callback = Callback::from_http(&request).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    assert_eq!(body_param(&exchanging, "code").as_deref(), Some(CODE));

    // Media types are case-insensitive.
    let request = http::Request::post("/cb")
        .header("content-type", "Application/X-WWW-Form-URLEncoded")
        .body(b"state=abc".to_vec())
        .unwrap();
    assert_eq!(
        Callback::from_http(&request)
            .unwrap()
            .state()
            .unwrap()
            .secret(),
        "abc"
    );
    // A form_post callback reads the body, not the query.
    let request = http::Request::post("/cb?state=from-query")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"state=from-body".to_vec())
        .unwrap();
    assert_eq!(
        Callback::from_http(&request)
            .unwrap()
            .state()
            .unwrap()
            .secret(),
        "from-body"
    );
}

#[test]
fn from_http_refuses_other_requests() {
    let json = http::Request::post("/cb")
        .header("content-type", "application/json")
        .body(br#"{"code":"a","state":"s"}"#.to_vec())
        .unwrap();
    assert!(matches!(
        Callback::from_http(&json),
        Err(CallbackError::UnsupportedRequest)
    ));
    let untyped = http::Request::post("/cb")
        .body(b"code=a&state=s".to_vec())
        .unwrap();
    assert!(matches!(
        Callback::from_http(&untyped),
        Err(CallbackError::UnsupportedRequest)
    ));
    let put = http::Request::put("/cb?code=a&state=s")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"code=a&state=s".to_vec())
        .unwrap();
    assert!(matches!(
        Callback::from_http(&put),
        Err(CallbackError::UnsupportedRequest)
    ));
}

#[test]
fn errors_never_show_the_state_or_code() {
    let client = pagero_client();
    let pending = pending(&client);
    let state = state_of(&pending);
    let wrong_state = format!("{state}X");
    let callback = Callback::from_query(&format!("code={CODE}&state={wrong_state}")).unwrap();
    let printed = format!("{callback:?}");
    assert!(
        !printed.contains(CODE) && !printed.contains(&state),
        "{printed}"
    );
    let error = pending.handle_callback(&client, callback).err().unwrap();
    for text in [format!("{error}"), format!("{error:?}")] {
        assert!(!text.contains(CODE), "{text}");
        assert!(!text.contains(&state), "{text}");
    }
}

#[test]
fn a_get_callback_is_read_from_its_query_whatever_the_body_type() {
    let client = pagero_client();
    let pending = pending(&client);
    let request: http::Request<()> = http::Request::get(format!(
        "https://urltoclient:4443/?code={CODE}&state={}",
        state_of(&pending)
    ))
    .body(())
    .unwrap();
    let callback = Callback::from_query(request.uri().query().unwrap_or("")).unwrap();
    assert!(pending.handle_callback(&client, callback).is_ok());
}

#[test]
fn client_mismatch_is_reported_before_an_error_response() {
    let client = pagero_client();
    let other = client_for(Preset::pagero().metadata().clone(), "another-app");
    let pending = pending(&client);
    let callback =
        Callback::from_query(&format!("error=access_denied&state={}", state_of(&pending))).unwrap();
    assert_eq!(
        pending.handle_callback(&other, callback).err(),
        Some(CallbackError::Misuse(ApiMisuse::ClientMismatch))
    );
}

// --- Outside text never prints raw ---------------------------------------------

/// A C0/C1 control, DEL or bidi override printed raw would let whoever
/// reaches the redirect URI forge log lines or reorder what a reader sees.
fn assert_printable(error: &CallbackError) {
    for printed in [error.to_string(), format!("{error:?}")] {
        for c in printed.chars() {
            let raw = matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            assert!(!raw, "{c:?} in {printed}");
        }
    }
}

#[test]
fn an_error_code_outside_the_charset_is_refused_not_echoed() {
    let client = pagero_client();
    for code in [
        "x%0D%0AFAKE%20LOG%20LINE",
        "%E2%80%AEevil",
        "a%22b",
        "a%5Cb",
        "%C3%A9",
    ] {
        let error = handle(&client, |s| format!("error={code}&state={s}")).unwrap_err();
        assert_eq!(error, CallbackError::InvalidErrorCode, "{code}");
        assert_printable(&error);
    }
}

#[test]
fn a_description_with_controls_is_kept_and_printed_escaped() {
    let client = pagero_client();
    let error = handle(&client, |s| {
        format!("error=access_denied&error_description=no%0D%0AFAKE%1B%5B31m%E2%80%AE&state={s}")
    })
    .unwrap_err();
    let CallbackError::Authorization(response) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        response.error_description(),
        Some("no\r\nFAKE\u{1b}[31m\u{202e}")
    );
    assert_printable(&error);
    assert!(
        error.to_string().contains(r"no\r\nFAKE\u{1b}[31m\u{202e}"),
        "{error}"
    );
}

#[test]
fn a_repeated_parameter_name_is_printed_escaped() {
    let error = Callback::from_query("a%0D%0AFAKE=1&a%0D%0AFAKE=2").unwrap_err();
    assert_eq!(
        error,
        CallbackError::RepeatedParameter(UntrustedText::from("a\r\nFAKE"))
    );
    assert_printable(&error);
}

#[test]
fn an_issuer_mismatch_prints_the_received_iss_escaped_and_cut() {
    let client = iss_client();
    let long = format!("https://evil.example/%0A{}", "a".repeat(5000));
    let error = handle(&client, |s| format!("code=c&state={s}&iss={long}")).unwrap_err();
    assert_printable(&error);
    assert!(error.to_string().len() < 600, "{error}");
    let CallbackError::IssuerMismatch { received } = error else {
        panic!()
    };
    assert_eq!(received.as_str().len(), 5022, "kept whole");
}

// --- Response types never asked for ---------------------------------------------

#[test]
fn implicit_and_hybrid_parameters_are_refused() {
    let client = pagero_client();
    for parameter in ["access_token", "id_token", "token"] {
        for query in [
            format!("code={CODE}&{parameter}=eyJ"),
            format!("{parameter}=eyJ"),
            format!("error=access_denied&{parameter}=eyJ"),
        ] {
            assert_eq!(
                handle(&client, |s| format!("{query}&state={s}")).unwrap_err(),
                CallbackError::UnrequestedResponseType { parameter },
                "{query}"
            );
        }
    }
    // An empty one counts as absent; other unknown parameters are ignored.
    assert!(handle(&client, |s| format!("code={CODE}&id_token=&state={s}")).is_ok());
    assert!(handle(&client, |s| format!(
        "code={CODE}&session_state=x&scope=a&state={s}"
    ))
    .is_ok());
}

#[test]
fn unrequested_parameters_are_looked_at_after_state() {
    let client = pagero_client();
    assert_eq!(
        handle(&client, |_| format!("code={CODE}&id_token=eyJ&state=other")).unwrap_err(),
        CallbackError::StateMismatch
    );
}

// --- Size caps ---------------------------------------------------------------

#[test]
fn a_huge_code_or_iss_is_refused_before_any_check() {
    let client = iss_client();
    let huge = "A".repeat(1 << 20);
    for query in [
        format!("code={huge}&state=x"),
        format!("code=c&state=x&iss={huge}"),
    ] {
        assert_eq!(
            Callback::from_query(&query).unwrap_err(),
            CallbackError::TooLarge {
                limit: limits::MAX_CALLBACK_BYTES
            }
        );
        let url = format!("{REDIRECT_URI}?{query}");
        assert_eq!(
            Callback::from_url(&url).unwrap_err(),
            CallbackError::TooLarge {
                limit: limits::MAX_CALLBACK_BYTES
            }
        );
        assert_eq!(
            Callback::from_form_body(query.as_bytes()).unwrap_err(),
            CallbackError::TooLarge {
                limit: limits::MAX_CALLBACK_BYTES
            }
        );
    }
    // One parameter over its own cap, the whole under the callback's.
    let code = "A".repeat(limits::MAX_PARAMETER_BYTES);
    assert_eq!(
        Callback::from_query(&format!("code={code}&state=x")).unwrap_err(),
        CallbackError::TooLarge {
            limit: limits::MAX_PARAMETER_BYTES
        }
    );
    // A parameter (name, `=` and value) of exactly its cap is read.
    let code = "A".repeat(limits::MAX_PARAMETER_BYTES - "code=".len());
    let callback = Callback::from_query(&format!("code={code}&state=x")).unwrap();
    assert!(!callback.is_error());
    // A callback of exactly the cap is read, one byte over is not; each
    // parameter within its own cap.
    let part = "A".repeat(limits::MAX_CALLBACK_BYTES * 3 / 8);
    let at_cap = |extra: usize| {
        let head = format!("code=c&state=x&a={part}&b={part}&c=");
        let fill = limits::MAX_CALLBACK_BYTES - head.len() + extra;
        format!("{head}{}", "C".repeat(fill))
    };
    assert_eq!(at_cap(0).len(), limits::MAX_CALLBACK_BYTES);
    let callback = Callback::from_query(&at_cap(0)).unwrap();
    assert!(!callback.is_jwt_response());
    assert!(Callback::from_form_body(at_cap(0).as_bytes()).is_ok());
    for over in [
        Callback::from_query(&at_cap(1)),
        Callback::from_form_body(at_cap(1).as_bytes()),
    ] {
        assert_eq!(
            over.unwrap_err(),
            CallbackError::TooLarge {
                limit: limits::MAX_CALLBACK_BYTES
            }
        );
    }
    // A JWT-sized code of several KiB is fine.
    let code = "A".repeat(6000);
    let exchanging = handle(&client, |s| {
        format!("code={code}&state={s}&iss={}", enc(ISSUER))
    });
    assert_eq!(body_param(&exchanging.unwrap(), "code"), Some(code));
}

#[test]
fn too_many_parameters_are_refused() {
    let many: Vec<String> = (0..=limits::MAX_CALLBACK_PARAMETERS)
        .map(|i| format!("p{i}=1"))
        .collect();
    assert_eq!(
        Callback::from_query(&many.join("&")).unwrap_err(),
        CallbackError::TooManyParameters {
            limit: limits::MAX_CALLBACK_PARAMETERS
        }
    );
    assert!(Callback::from_query(&many[1..].join("&")).is_ok());
}

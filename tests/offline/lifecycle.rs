//! The token lifecycle on canned responses, as Pagero documents it: refresh
//! with rotation, revocation (RFC 7009), expiry, bearer challenges
//! (RFC 6750 §3), the client credentials grant (RFC 6749 §4.4) and the
//! stored form of `Authorized`.

use std::time::Duration;

use oauth2_pkce::errors::{
    ApiMisuse, BearerErrorCode, CallbackError, EndpointErrorKind, EndpointKind, InvalidValue,
    ResourceError, TokenErrorCode,
};
use oauth2_pkce::resource::{BearerChallenge, NextStep};
use oauth2_pkce::values::{HttpRequest, HttpResponse, TokenTypeHint, DEFAULT_RENEWAL_LEEWAY};
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

fn pagero_client(authentication: ClientAuthentication) -> Client {
    client_with(
        Preset::pagero().metadata().clone(),
        "client-id",
        authentication,
    )
}

/// A client of `metadata`'s server, registered with Pagero's example
/// redirect URI.
fn client_with(
    metadata: ServerMetadata,
    client_id: &str,
    authentication: ClientAuthentication,
) -> Client {
    Client::new(metadata, ClientId::new(client_id).unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
}

fn basic() -> ClientAuthentication {
    ClientAuthentication::ClientSecretBasic(ClientSecret::new("client-secret"))
}

fn json(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

/// Logs in against canned Pagero answers with the given token response.
fn authorized(client: &Client, token_response: &str) -> Authorized {
    let (_, pending) = Start::new(client)
        .scope(Scope::parse("invoices:read invoices:write").unwrap())
        .begin(FlowEntropy::from_bytes([9; 64]), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    let exchanging = pending.handle_callback(client, callback).unwrap();
    exchanging
        .handle_response(&json(200, token_response), NOW)
        .unwrap()
}

fn pagero_tokens(n: u32) -> String {
    format!(
        r#"{{"token_type":"bearer","access_token":"_0XBPWQQ_access{n}","refresh_token":"_1XBPWQQ_refresh{n}","scope":"","claims":"publicid","expires_in":600}}"#
    )
}

fn form_body(request: &HttpRequest) -> Vec<(String, String)> {
    std::str::from_utf8(request.body())
        .unwrap()
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

#[test]
fn pagero_refresh_chain_rotates_three_times() {
    let client = pagero_client(basic());
    let mut state = authorized(&client, &pagero_tokens(0));
    for n in 1..=3 {
        let refreshing = state.refresh(&client).unwrap();
        let request = refreshing.request(&crate::CONTEXT).unwrap();
        assert_eq!(
            request.uri(),
            "https://sso.pageroonline.com/oauth/v2/oauth-token"
        );
        let body = form_body(&request);
        assert_eq!(body[0], ("grant_type".into(), "refresh_token".into()));
        assert_eq!(
            body[1],
            ("refresh_token".into(), format!("_1XBPWQQ_refresh{}", n - 1))
        );
        assert_eq!(
            body.len(),
            2,
            "no scope: the whole grant; Basic carries the client"
        );
        assert!(request
            .header("authorization")
            .unwrap()
            .starts_with("Basic "));

        let next = refreshing
            .handle_response(
                &json(200, &pagero_tokens(n)),
                NOW.saturating_add(Duration::from_secs(500)),
            )
            .unwrap();
        // Rotation: the new state holds only the new refresh token.
        assert_eq!(
            next.tokens().refresh_token().unwrap().secret(),
            format!("_1XBPWQQ_refresh{n}")
        );
        assert_eq!(next.tokens().generation(), u64::from(n));
        assert_eq!(next.tokens().extra().get("claims").unwrap(), "publicid");
        // `"scope": ""` means the grant's scope, kept through refreshes.
        assert_eq!(
            next.tokens().scope(),
            &Scope::parse("invoices:read invoices:write").unwrap()
        );
        assert_eq!(
            next.tokens().expires_at(),
            Some(UnixTime::from_secs(1_700_001_100))
        );
        let stored = serde_json::to_string(&next).unwrap();
        assert!(
            !stored.contains(&format!("refresh{}", n - 1)),
            "the old refresh token is gone"
        );
        state = next;
    }
}

#[test]
fn no_refresh_token_in_the_response_keeps_the_old_one() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));
    let refreshing = state.refresh(&client).unwrap();
    let next = refreshing
        .handle_response(
            &json(
                200,
                r#"{"token_type":"Bearer","access_token":"new","expires_in":60}"#,
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(next.tokens().access_token().secret(), "new");
    assert_eq!(
        next.tokens().refresh_token().unwrap().secret(),
        "_1XBPWQQ_refresh0"
    );
}

#[test]
fn invalid_grant_on_refresh_is_permanent() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));
    let failure = state
        .refresh(&client)
        .unwrap()
        .handle_response(
            &json(
                400,
                r#"{"error":"invalid_grant","error_description":"used"}"#,
            ),
            NOW,
        )
        .unwrap_err();
    // One call from the failure to the protocol's code.
    let dead = if failure.code() == Some(&TokenErrorCode::InvalidGrant) {
        "log in again"
    } else {
        "keep the tokens"
    };
    assert_eq!(dead, "log in again");
    assert_eq!(failure.endpoint(), EndpointKind::Token);
    assert!(!failure.is_retryable());
    assert_eq!(failure.is_retryable(), failure.error().is_retryable());
    assert_eq!(failure.retry_after(), None);
    assert!(failure.into_retry().is_none());
}

#[test]
fn refresh_scope_narrower_is_sent_wider_is_refused() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));
    let narrow = state
        .refresh_with_scope(&client, Scope::parse("invoices:read").unwrap())
        .unwrap();
    assert_eq!(
        form_body(&narrow.request(&crate::CONTEXT).unwrap())[2],
        ("scope".into(), "invoices%3Aread".into())
    );
    // The server omitted scope: the narrower one asked for was granted.
    let narrowed = narrow
        .handle_response(&json(200, &pagero_tokens(1)), NOW)
        .unwrap();
    assert_eq!(
        narrowed.tokens().scope(),
        &Scope::parse("invoices:read").unwrap()
    );
    // A later refresh may ask for the whole grant again.
    let back = narrowed.refresh_with_scope(
        &client,
        Scope::parse("invoices:write invoices:read").unwrap(),
    );
    assert!(back.is_ok());
    assert_eq!(
        state
            .refresh_with_scope(&client, Scope::parse("invoices:delete").unwrap())
            .unwrap_err(),
        ApiMisuse::ScopeNotGranted
    );
}

#[test]
fn refresh_with_another_client_is_refused() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));
    let other = client_with(Preset::pagero().metadata().clone(), "other-client", basic());
    assert_eq!(
        state.refresh(&other).unwrap_err(),
        ApiMisuse::ClientMismatch
    );
    assert_eq!(
        state
            .revoke(&other, TokenTypeHint::RefreshToken)
            .unwrap_err(),
        ApiMisuse::ClientMismatch
    );
}

#[test]
fn when_to_renew() {
    let client = pagero_client(basic());
    let leeway = DEFAULT_RENEWAL_LEEWAY;

    let state = authorized(&client, &pagero_tokens(0));
    assert_eq!(state.tokens().issued_at(), Some(NOW));
    assert_eq!(
        state.renew_at(leeway),
        Some(UnixTime::from_secs(1_700_000_540))
    );
    assert!(!state.needs_renewal(UnixTime::from_secs(1_700_000_539), leeway));
    assert!(state.needs_renewal(UnixTime::from_secs(1_700_000_540), leeway));
    assert!(!state.is_expired(UnixTime::from_secs(1_700_000_599), Duration::ZERO));
    assert!(state.is_expired(UnixTime::from_secs(1_700_000_600), Duration::ZERO));

    // expires_in absent: unknown, never proactively due.
    let unknown = authorized(
        &client,
        r#"{"token_type":"bearer","access_token":"a","refresh_token":"r"}"#,
    );
    assert_eq!(unknown.renew_at(leeway), None);
    assert!(!unknown.needs_renewal(UnixTime::from_secs(u64::MAX), leeway));
    assert!(!unknown.is_expired(UnixTime::from_secs(u64::MAX), leeway));

    // expires_in 0: already expired, due at once.
    let zero = authorized(
        &client,
        r#"{"token_type":"bearer","access_token":"a","refresh_token":"r","expires_in":0}"#,
    );
    assert!(zero.needs_renewal(NOW, Duration::ZERO));
    assert!(zero.needs_renewal(NOW, leeway));
    assert!(zero.is_expired(NOW, Duration::ZERO));

    // A huge expires_in saturates instead of overflowing.
    let huge = authorized(
        &client,
        r#"{"token_type":"bearer","access_token":"a","refresh_token":"r","expires_in":18446744073709551615}"#,
    );
    assert_eq!(
        huge.tokens().expires_at(),
        Some(UnixTime::from_secs(u64::MAX))
    );
    assert!(!huge.needs_renewal(UnixTime::from_secs(u64::MAX - 61), leeway));

    // A lifetime shorter than twice the leeway: renewed at half of it, not
    // at once and forever.
    let short = authorized(
        &client,
        r#"{"token_type":"bearer","access_token":"a","refresh_token":"r","expires_in":30}"#,
    );
    assert_eq!(
        short.renew_at(leeway),
        Some(UnixTime::from_secs(1_700_000_015))
    );
    assert!(!short.needs_renewal(UnixTime::from_secs(1_700_000_014), leeway));
    assert!(short.needs_renewal(UnixTime::from_secs(1_700_000_015), leeway));

    // No refresh token (a client credentials token): still renewed, by
    // running the grant again.
    let none = authorized(
        &client,
        r#"{"token_type":"bearer","access_token":"a","expires_in":120}"#,
    );
    assert_eq!(
        none.renew_at(leeway),
        Some(UnixTime::from_secs(1_700_000_060))
    );
    assert_eq!(
        none.refresh(&client).unwrap_err(),
        ApiMisuse::NoRefreshToken
    );

    // A token set stored before the issue time was recorded: the leeway
    // as given.
    let mut stored = serde_json::to_value(&short).unwrap();
    stored.as_object_mut().unwrap().remove("issued_at");
    let old = Authorized::from_json(&serde_json::to_vec(&stored).unwrap()).unwrap();
    assert_eq!(old.tokens().issued_at(), None);
    assert_eq!(
        old.renew_at(leeway),
        Some(UnixTime::from_secs(1_699_999_970))
    );
}

/// A stored grant is pinned to its endpoints; `rebind` moves it to the
/// endpoints of a client of the same issuer and `client_id`, and only
/// there.
#[test]
fn rebind_moves_a_grant_to_new_endpoints_of_the_same_issuer() {
    let client = pagero_client(basic());
    let mut state = authorized(&client, &pagero_tokens(0));

    let mut moved = Preset::pagero().metadata().clone();
    moved.token_endpoint = "https://sso.pageroonline.com/oauth/v3/token".into();
    moved.revocation_endpoint = Some("https://sso.pageroonline.com/oauth/v3/revoke".into());
    let moved = client_with(moved, "client-id", basic());
    // Pinned: the new client's endpoints are not used by themselves.
    assert_eq!(
        state
            .refresh(&moved)
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap()
            .uri(),
        "https://sso.pageroonline.com/oauth/v2/oauth-token"
    );
    state.rebind(&moved).unwrap();
    assert_eq!(
        state
            .refresh(&moved)
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap()
            .uri(),
        "https://sso.pageroonline.com/oauth/v3/token"
    );
    assert_eq!(
        state
            .revoke(&moved, TokenTypeHint::RefreshToken)
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap()
            .uri(),
        "https://sso.pageroonline.com/oauth/v3/revoke"
    );
    // It survives storage.
    let stored = Authorized::from_json(&serde_json::to_vec(&state).unwrap()).unwrap();
    assert_eq!(stored, state);

    // Another issuer, or another client_id: refused, nothing changes.
    let mut other = Preset::pagero().metadata().clone();
    other.issuer = "https://sso.pageroonline.com/oauth/v2/other".into();
    other.token_endpoint = "https://evil.example/token".into();
    for stranger in [
        client_with(other, "client-id", basic()),
        client_with(
            Preset::pagero().metadata().clone(),
            "another-client",
            basic(),
        ),
    ] {
        assert_eq!(state.rebind(&stranger), Err(ApiMisuse::ClientMismatch));
        assert_eq!(stored, state);
    }
}

#[test]
fn pagero_revocation_of_both_tokens() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));
    for (hint, token) in [
        (TokenTypeHint::RefreshToken, "_1XBPWQQ_refresh0"),
        (TokenTypeHint::AccessToken, "_0XBPWQQ_access0"),
    ] {
        let revocation = state.revoke(&client, hint).unwrap();
        let request = revocation.request(&crate::CONTEXT).unwrap().into_http();
        assert_eq!(
            request.uri(),
            "https://sso.pageroonline.com/oauth/v2/oauth-revoke"
        );
        assert_eq!(request.method(), http::Method::POST);
        assert!(request.headers()["authorization"].is_sensitive());
        assert_eq!(
            String::from_utf8(request.body().as_bytes().to_vec()).unwrap(),
            format!("token={token}&token_type_hint={}", hint.as_str())
        );
        // Pagero answers an empty 200.
        let empty = http::Response::builder()
            .status(200)
            .body(Vec::new())
            .unwrap();
        revocation.handle_response(&empty, NOW).unwrap();
    }
}

#[test]
fn revocation_errors() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));

    // 503: the token is still valid; the revocation comes back to retry.
    let revocation = state.revoke(&client, TokenTypeHint::RefreshToken).unwrap();
    let first = revocation.request(&crate::CONTEXT).unwrap();
    let failure = revocation
        .handle_response(HttpResponse::new(503, b""), NOW)
        .unwrap_err();
    assert!(failure.error().is_retryable());
    let revocation = failure.into_retry().unwrap();
    assert_eq!(revocation.request(&crate::CONTEXT).unwrap(), first);

    // 400 unsupported_token_type (RFC 7009 §2.2.1) is typed, not retryable.
    let failure = revocation
        .handle_response(&json(400, r#"{"error":"unsupported_token_type"}"#), NOW)
        .unwrap_err();
    match failure.error().kind() {
        EndpointErrorKind::ErrorResponse(error) => {
            assert_eq!(*error.error(), TokenErrorCode::UnsupportedTokenType)
        }
        other => panic!("{other:?}"),
    }
    assert!(failure.into_retry().is_none());

    // A 200 with any body is success.
    let revocation = state.revoke(&client, TokenTypeHint::AccessToken).unwrap();
    revocation
        .handle_response(&json(200, "not even json"), NOW)
        .unwrap();

    // A redirect is never followed.
    let revocation = state.revoke(&client, TokenTypeHint::AccessToken).unwrap();
    let failure = revocation
        .handle_response(HttpResponse::new(302, b""), NOW)
        .unwrap_err();
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::Redirected { status: 302 }
    );
}

#[test]
fn revocation_needs_an_endpoint_and_a_token() {
    let mut metadata = Preset::pagero().metadata().clone();
    metadata.revocation_endpoint = None;
    let client = client_with(metadata, "client-id", basic());
    let state = authorized(&client, &pagero_tokens(0));
    assert_eq!(
        state
            .revoke(&client, TokenTypeHint::AccessToken)
            .unwrap_err(),
        ApiMisuse::NoEndpoint(EndpointKind::Revocation)
    );

    let client = pagero_client(basic());
    let state = authorized(&client, r#"{"token_type":"bearer","access_token":"a"}"#);
    assert_eq!(
        state
            .revoke(&client, TokenTypeHint::RefreshToken)
            .unwrap_err(),
        ApiMisuse::NoRefreshToken
    );
}

#[test]
fn revoking_the_grant_takes_the_refresh_token_when_there_is_one() {
    let client = pagero_client(basic());
    for (tokens, body) in [
        (
            pagero_tokens(0),
            "token=_1XBPWQQ_refresh0&token_type_hint=refresh_token",
        ),
        (
            r#"{"token_type":"bearer","access_token":"a"}"#.to_string(),
            "token=a&token_type_hint=access_token",
        ),
    ] {
        let request = authorized(&client, &tokens)
            .revoke_grant(&client)
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap();
        assert_eq!(request.body(), body.as_bytes());
    }
}

#[test]
fn public_client_revocation_names_itself_in_the_body() {
    let metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_token_endpoint_auth_methods_supported(["none"]);
    let client = client_with(metadata, "public-app", ClientAuthentication::None);
    let state = authorized(&client, &pagero_tokens(0));
    let request = state
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    assert_eq!(request.header("authorization"), None);
    assert!(form_body(&request).contains(&("client_id".into(), "public-app".into())));
}

#[test]
fn bearer_challenges_on_api_responses() {
    let response = http::Response::builder()
        .status(401)
        .header(
            "www-authenticate",
            r#"Bearer realm="pagero", error="invalid_token", error_description="expired""#,
        )
        .body(Vec::new())
        .unwrap();
    let challenge = BearerChallenge::from_response(&response).unwrap().unwrap();
    assert_eq!(challenge.realm(), Some("pagero"));
    assert_eq!(challenge.next_step(), NextStep::Refresh);

    let response = http::Response::builder()
        .status(403)
        .header(
            "www-authenticate",
            "DPoP algs=\"ES256\", BEARER error=insufficient_scope, scope=\"invoices:write\"",
        )
        .body(Vec::new())
        .unwrap();
    let challenge = BearerChallenge::from_response(&response).unwrap().unwrap();
    assert_eq!(challenge.error(), Some(&BearerErrorCode::InsufficientScope));
    assert_eq!(
        challenge.next_step(),
        NextStep::Reauthorize {
            scope: Some(Scope::parse("invoices:write").unwrap())
        }
    );

    let response = http::Response::builder()
        .status(400)
        .header(
            "www-authenticate",
            "Bearer error=\"invalid_request\", error_uri=\"https://docs.example/e\"",
        )
        .body(Vec::new())
        .unwrap();
    let challenge = BearerChallenge::from_response(&response).unwrap().unwrap();
    assert_eq!(challenge.error_uri(), Some("https://docs.example/e"));
    assert_eq!(challenge.next_step(), NextStep::GiveUp);

    let no_header = http::Response::builder()
        .status(401)
        .body(Vec::new())
        .unwrap();
    assert_eq!(BearerChallenge::from_response(&no_header), Ok(None));
    let repeated = HttpResponse::new(401, b"")
        .with_www_authenticate("Bearer error=invalid_token, error=invalid_request");
    assert_eq!(
        BearerChallenge::from_response(repeated),
        Err(ResourceError::RepeatedChallengeParameter("error".into()))
    );
}

#[test]
fn client_credentials_grant() {
    let client = pagero_client(basic());
    let grant = ClientCredentials::new(&client, Scope::parse("signup").unwrap()).unwrap();
    let request = grant.request(&crate::CONTEXT).unwrap();
    assert_eq!(
        form_body(&request),
        vec![
            ("grant_type".into(), "client_credentials".into()),
            ("scope".into(), "signup".into())
        ]
    );
    assert!(request
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
    let state = grant
        .handle_response(
            &json(
                200,
                r#"{"token_type":"bearer","access_token":"m2m","expires_in":300}"#,
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(state.tokens().scope(), &Scope::parse("signup").unwrap());
    assert_eq!(
        state.refresh(&client).unwrap_err(),
        ApiMisuse::NoRefreshToken
    );

    let public = client_with(
        Preset::pagero()
            .metadata()
            .clone()
            .with_token_endpoint_auth_methods_supported(["none"]),
        "public-app",
        ClientAuthentication::None,
    );
    assert_eq!(
        ClientCredentials::new(&public, Scope::empty()).unwrap_err(),
        ApiMisuse::PublicClient
    );
}

#[test]
fn authorized_round_trips_and_refuses_unknown_versions() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));
    let narrowed = state
        .refresh_with_scope(&client, Scope::parse("invoices:read").unwrap())
        .unwrap()
        .handle_response(&json(200, &pagero_tokens(1)), NOW)
        .unwrap();
    for state in [state, narrowed] {
        let stored = serde_json::to_string(&state).unwrap();
        let back: Authorized = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, state);
        assert_eq!(back.grant_scope(), state.grant_scope());
    }

    let mut stored: serde_json::Value =
        serde_json::to_value(authorized(&client, &pagero_tokens(0))).unwrap();
    stored["v"] = 2.into();
    let error = serde_json::from_value::<Authorized>(stored.clone()).unwrap_err();
    assert!(error.to_string().contains("format version 2"), "{error}");
    stored["v"] = 1.into();
    stored["token_endpoint"] = "http://sso.pageroonline.com/oauth/v2/oauth-token".into();
    assert!(
        serde_json::from_value::<Authorized>(stored).is_err(),
        "http endpoint refused from storage too"
    );
}

#[test]
fn unknown_grant_scope_lets_the_server_decide() {
    let client = pagero_client(basic());
    // No scope asked for, and Pagero's `"scope": ""` says nothing.
    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let unknown = exchanging
        .handle_response(&json(200, &pagero_tokens(0)), NOW)
        .unwrap();
    assert_eq!(unknown.grant_scope(), None);

    // Any narrowing is sent; the server decides.
    let narrowing = unknown
        .refresh_with_scope(&client, Scope::parse("invoices:read").unwrap())
        .unwrap();
    assert!(form_body(&narrowing.request(&crate::CONTEXT).unwrap())
        .contains(&("scope".into(), "invoices%3Aread".into())));
    let narrowed = narrowing
        .handle_response(&json(200, &pagero_tokens(1)), NOW)
        .unwrap();
    assert_eq!(
        narrowed.grant_scope(),
        None,
        "a narrowing refresh does not reveal the grant"
    );

    // A whole-grant refresh whose response names the scope makes it known.
    let body = r#"{"token_type":"bearer","access_token":"a2","refresh_token":"r2","scope":"invoices:read invoices:write"}"#;
    let known = narrowed
        .refresh(&client)
        .unwrap()
        .handle_response(&json(200, body), NOW)
        .unwrap();
    assert_eq!(
        known.grant_scope(),
        Some(&Scope::parse("invoices:read invoices:write").unwrap())
    );
    assert_eq!(
        known
            .refresh_with_scope(&client, Scope::parse("admin").unwrap())
            .unwrap_err(),
        ApiMisuse::ScopeNotGranted
    );
    let stored: Authorized = serde_json::from_str(&serde_json::to_string(&known).unwrap()).unwrap();
    assert_eq!(stored, known);
    let stored: Authorized =
        serde_json::from_str(&serde_json::to_string(&unknown).unwrap()).unwrap();
    assert_eq!(stored.grant_scope(), None);
}

#[test]
fn stored_states_read_back_with_typed_errors() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));
    let json = serde_json::to_vec(&state).unwrap();
    assert_eq!(Authorized::from_json(&json).unwrap(), state);
    // `to_json` writes what `from_json` reads, as serde_json would.
    assert_eq!(state.to_json().as_bytes(), json);
    assert_eq!(
        Authorized::from_json(state.to_json().as_bytes()).unwrap(),
        state
    );
    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([6; 64]), NOW)
        .unwrap();
    assert_eq!(pending.to_json(), serde_json::to_string(&pending).unwrap());
    assert_eq!(
        AwaitingCallback::from_json(pending.to_json().as_bytes()).unwrap(),
        pending
    );

    let mut value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    value["v"] = 2.into();
    // A newer format, even with members this build does not know.
    value["proof_of_possession"] = "dpop".into();
    assert_eq!(
        Authorized::from_json(&serde_json::to_vec(&value).unwrap()).unwrap_err(),
        InvalidValue::StoredStateVersion {
            found: 2,
            supported: 1
        }
    );
    value["v"] = 1.into();
    value["token_endpoint"] = "http://evil.example/token".into();
    assert_eq!(
        Authorized::from_json(&serde_json::to_vec(&value).unwrap()).unwrap_err(),
        InvalidValue::StoredStateMalformed
    );
    for garbage in [
        &b""[..],
        b"null",
        b"{}",
        b"{\"v\":\"1\"}",
        b"\xff\xfe",
        &json[..json.len() / 2],
    ] {
        assert_eq!(
            Authorized::from_json(garbage).unwrap_err(),
            InvalidValue::StoredStateMalformed
        );
        assert_eq!(
            AwaitingCallback::from_json(garbage).unwrap_err(),
            InvalidValue::StoredStateMalformed
        );
    }

    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([4; 64]), NOW)
        .unwrap();
    let json = serde_json::to_vec(&pending).unwrap();
    assert_eq!(AwaitingCallback::from_json(&json).unwrap(), pending);
    let mut value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    value["v"] = 0.into();
    assert_eq!(
        AwaitingCallback::from_json(&serde_json::to_vec(&value).unwrap()).unwrap_err(),
        InvalidValue::StoredStateVersion {
            found: 0,
            supported: 1
        }
    );
    // What an operator reads in the log names both versions.
    assert_eq!(
        AwaitingCallback::from_json(&serde_json::to_vec(&value).unwrap())
            .unwrap_err()
            .to_string(),
        "stored flow state has format version 0; this build reads version 1"
    );
    // A stored `state` of 43 characters that are not all base64url was
    // not made here; a stored OpenID nonce is 1 to MAX_PARAMETER_BYTES.
    let stored = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        edit(&mut value);
        AwaitingCallback::from_json(&serde_json::to_vec(&value).unwrap())
    };
    assert!(stored(&|value| value["state"] = format!("{}b", "a.".repeat(21)).into()).is_err());
    assert!(stored(&|value| value["state"] = format!("{}b", "a-_".repeat(14)).into()).is_ok());
    for (nonce, read) in [
        (String::new(), false),
        ("n".repeat(limits::MAX_PARAMETER_BYTES), true),
        ("n".repeat(limits::MAX_PARAMETER_BYTES + 1), false),
    ] {
        let result = stored(&|value| value["nonce"] = nonce.clone().into());
        assert_eq!(result.is_ok(), read, "a nonce of {} bytes", nonce.len());
    }

    // A token set is not a pending flow.
    assert_eq!(
        AwaitingCallback::from_json(&serde_json::to_vec(&state).unwrap()).unwrap_err(),
        InvalidValue::StoredStateMalformed
    );
}

#[test]
fn bearer_only_on_https_or_loopback() {
    let client = pagero_client(basic());
    let state = authorized(&client, &pagero_tokens(0));
    for (uri, allowed) in [
        ("https://api.pageroonline.com/someresource", true),
        ("HTTPS://api.pageroonline.com/x", true),
        ("http://127.0.0.1:8080/api", true),
        ("http://127.9.9.9/api", true),
        ("http://[::1]:8080/api", true),
        ("http://localhost/api", true),
        ("http://LOCALHOST:1/api", true),
        ("http://api.pageroonline.com/someresource", false),
        ("http://128.0.0.1/api", false),
        ("http://[::2]/api", false),
        ("http://localhost.evil.example/api", false),
        ("/relative/path", false),
        ("ftp://127.0.0.1/x", false),
    ] {
        let mut request = http::Request::get(uri).body(()).unwrap();
        let outcome = state.authorize_request(&mut request);
        assert_eq!(outcome.is_ok(), allowed, "{uri}: {outcome:?}");
        if allowed {
            let value = request.headers()["authorization"].to_str().unwrap();
            assert_eq!(value, "Bearer _0XBPWQQ_access0");
        } else {
            assert_eq!(outcome, Err(ResourceError::InsecureTarget));
            assert!(request.headers().get("authorization").is_none());
        }
        // The string form agrees, and the header is marked sensitive.
        assert_eq!(state.bearer_authorization(uri).is_ok(), allowed, "{uri}");
        if allowed {
            assert!(request.headers()["authorization"].is_sensitive());
        }
    }
}

#[test]
fn revocation_falls_back_to_the_clients_endpoint_for_the_same_issuer() {
    // Tokens stored before the revocation endpoint was configured.
    let mut without = Preset::pagero().metadata().clone();
    without.revocation_endpoint = None;
    let old_client = client_with(without, "client-id", basic());
    let state = authorized(&old_client, &pagero_tokens(0));

    // The same server, now with its revocation endpoint: used.
    let client = pagero_client(basic());
    let request = state
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    assert_eq!(
        request.uri(),
        "https://sso.pageroonline.com/oauth/v2/oauth-revoke"
    );

    // Another issuer's client is refused before anything is built: neither
    // its endpoint nor its credentials are ever handed these tokens.
    let mut other = Preset::pagero().metadata().clone();
    other.issuer = "https://sso.pageroonline.com/oauth/v2/other-profile".into();
    let other_client = client_with(other, "client-id", basic());
    assert_eq!(
        state
            .revoke(&other_client, TokenTypeHint::RefreshToken)
            .unwrap_err(),
        ApiMisuse::ClientMismatch
    );
}

#[test]
fn pending_flows_age_and_store_compactly() {
    let client = pagero_client(basic());
    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([6; 64]), NOW)
        .unwrap();
    let ten_minutes = Duration::from_secs(600);
    assert_eq!(pending.started_at(), NOW);
    assert!(!pending.is_older_than(ten_minutes, NOW));
    assert!(!pending.is_older_than(ten_minutes, NOW.saturating_add(ten_minutes)));
    assert!(pending.is_older_than(ten_minutes, NOW.saturating_add(Duration::from_secs(601))));
    // A clock that went backwards does not make the flow old.
    assert!(!pending.is_older_than(Duration::ZERO, UnixTime::from_secs(0)));

    // No scope asked for: no `scope` member stored.
    let stored = serde_json::to_value(&pending).unwrap();
    assert!(stored.get("scope").is_none(), "{stored}");
    assert!(stored.get("iss_required").is_none(), "{stored}");
    assert!(stored.get("request_uri_expires_at").is_none(), "{stored}");
    assert!(serde_json::to_string(&pending).unwrap().len() < 600);

    // Tokens with nothing extra store no `extra`, no `refresh_token` when
    // there is none, no `expires_at` when it is unknown.
    let plain = authorized(&client, r#"{"token_type":"bearer","access_token":"a"}"#);
    let stored = serde_json::to_value(&plain).unwrap();
    for member in ["extra", "refresh_token", "expires_at"] {
        assert!(stored.get(member).is_none(), "{member} in {stored}");
    }
    assert_eq!(
        stored["revocation_endpoint"],
        "https://sso.pageroonline.com/oauth/v2/oauth-revoke"
    );
}

/// Found by the `stored_state` fuzz target: an unknown member holding a
/// number beyond `u64` is kept as a float, and must survive storage
/// unchanged (serde_json's `float_roundtrip`).
#[test]
fn extra_numbers_survive_storage_exactly() {
    let client = pagero_client(basic());
    let state = authorized(
        &client,
        r#"{"token_type":"bearer","access_token":"a","issued":444444444444444444444444444444444444444441700000600,"ratio":0.30000000000000004,"tiny":1.2345678901234567e-300}"#,
    );
    let once: Authorized = serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
    let twice: Authorized = serde_json::from_str(&serde_json::to_string(&once).unwrap()).unwrap();
    assert_eq!(once, state);
    assert_eq!(twice, state);
}

/// RFC 9700 §4.4: a flow and the tokens it gave are bound to the issuer and
/// client they began with. Another issuer's client that happens to use the
/// same `client_id` must not lend them its secret: nothing is built, so
/// nothing of it reaches this issuer's endpoints.
#[test]
fn another_issuers_client_with_the_same_client_id_is_refused_everywhere() {
    let issuer_a = pagero_client(ClientAuthentication::ClientSecretPost(ClientSecret::new(
        "secret-of-a",
    )));
    let mut metadata_b = ServerMetadata::new(
        "https://issuer-b.example",
        "https://issuer-b.example/authorize",
        "https://issuer-b.example/token",
    )
    .with_revocation_endpoint("https://issuer-b.example/revoke")
    .with_token_endpoint_auth_methods_supported(["client_secret_post"]);
    metadata_b.code_challenge_methods_supported = Some(vec!["S256".into()]);
    let issuer_b = client_with(
        metadata_b,
        "client-id",
        ClientAuthentication::ClientSecretPost(ClientSecret::new("secret-of-b")),
    );

    // The callback of a flow of A, handled with B.
    let (_, pending) = Start::new(&issuer_a)
        .begin(FlowEntropy::from_bytes([9; 64]), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    assert_eq!(
        pending.handle_callback(&issuer_b, callback).unwrap_err(),
        CallbackError::Misuse(ApiMisuse::ClientMismatch)
    );

    // Tokens of A, refreshed or revoked with B — also after a round trip
    // through storage.
    let tokens = authorized(&issuer_a, &pagero_tokens(0));
    let stored = Authorized::from_json(&serde_json::to_vec(&tokens).unwrap()).unwrap();
    for tokens in [&tokens, &stored] {
        assert_eq!(
            tokens.refresh(&issuer_b).unwrap_err(),
            ApiMisuse::ClientMismatch
        );
        assert_eq!(
            tokens
                .refresh_with_scope(&issuer_b, Scope::parse("invoices:read").unwrap())
                .unwrap_err(),
            ApiMisuse::ClientMismatch
        );
        for hint in [TokenTypeHint::AccessToken, TokenTypeHint::RefreshToken] {
            assert_eq!(
                tokens.revoke(&issuer_b, hint).unwrap_err(),
                ApiMisuse::ClientMismatch
            );
        }
        // A's own client still works, with A's secret at A's endpoints.
        let refresh = tokens
            .refresh(&issuer_a)
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap();
        assert_eq!(
            refresh.uri(),
            "https://sso.pageroonline.com/oauth/v2/oauth-token"
        );
        assert!(form_body(&refresh).contains(&("client_secret".into(), "secret-of-a".into())));
    }
}

/// A stored secret is checked as a generated or received one would be: a
/// `state` the crate never makes, or a token the token response would have
/// refused, does not load. Nor does a stored state over its cap.
#[test]
fn stored_secrets_are_validated_like_generated_ones() {
    let client = pagero_client(basic());
    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([4; 64]), NOW)
        .unwrap();
    let value = serde_json::to_value(&pending).unwrap();
    let state = value["state"].as_str().unwrap().to_owned();
    for bad in [
        format!("{state}\n"),
        format!("{}\u{e9}", &state[..42]),
        state[..42].to_owned(),
        format!("{state}A"),
        String::new(),
    ] {
        let mut value = value.clone();
        value["state"] = bad.clone().into();
        assert_eq!(
            AwaitingCallback::from_json(&serde_json::to_vec(&value).unwrap()).unwrap_err(),
            InvalidValue::StoredStateMalformed,
            "{bad:?}"
        );
    }

    let tokens = serde_json::to_value(authorized(&client, &pagero_tokens(0))).unwrap();
    for (member, bad) in [
        ("access_token", "a\nb"),
        ("access_token", ""),
        ("access_token", "\u{e9}"),
        ("refresh_token", "r\r\n"),
        ("refresh_token", ""),
    ] {
        let mut value = tokens.clone();
        value[member] = bad.into();
        assert_eq!(
            Authorized::from_json(&serde_json::to_vec(&value).unwrap()).unwrap_err(),
            InvalidValue::StoredStateMalformed,
            "{member} {bad:?}"
        );
    }

    // Exactly the limit is read; one byte more is not.
    let mut at_limit = tokens.clone();
    at_limit["extra"]["padding"] = "".into();
    let filler = limits::MAX_STORED_STATE_BYTES - serde_json::to_vec(&at_limit).unwrap().len();
    at_limit["extra"]["padding"] = "a".repeat(filler).into();
    let json = serde_json::to_vec(&at_limit).unwrap();
    assert_eq!(json.len(), limits::MAX_STORED_STATE_BYTES);
    assert!(Authorized::from_json(&json).is_ok());
    at_limit["extra"]["padding"] = "a".repeat(filler + 1).into();
    assert_eq!(
        Authorized::from_json(&serde_json::to_vec(&at_limit).unwrap()).unwrap_err(),
        InvalidValue::StoredStateTooLarge {
            limit: limits::MAX_STORED_STATE_BYTES
        }
    );

    let mut huge = tokens.clone();
    huge["extra"]["padding"] = "a".repeat(limits::MAX_STORED_STATE_BYTES).into();
    assert_eq!(
        Authorized::from_json(&serde_json::to_vec(&huge).unwrap()).unwrap_err(),
        InvalidValue::StoredStateTooLarge {
            limit: limits::MAX_STORED_STATE_BYTES
        }
    );
}

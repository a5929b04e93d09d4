//! The steps and scenarios the interop tests run alike against every
//! server. What a server answers in its own way (error descriptions,
//! challenges, what a replay revokes) is asserted by the caller, in the
//! server's own test file; these functions check only what every server
//! must do, and hand back what the caller needs for the rest.
//!
//! A server's login is passed in as a closure, so that what it asks for
//! (a scope, a consent) stays visible in the test: `log_in` begins a login
//! for the client and brings back `(pending flow, callback URL)`, `browser`
//! takes an authorization URL to the callback URL.

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::AuthorizationErrorCode, errors::BearerErrorCode, errors::CallbackError,
    errors::EndpointError, errors::ErrorResponse, errors::TokenErrorCode,
    resource::BearerChallenge, resource::NextStep, values::TokenTypeHint, Authorized,
    AwaitingCallback, Callback, Client, ClientAuthentication, ClientCredentials, Exchanging,
    FlowEntropy, Scope, Start,
};

use super::{log_in, query_param, send, NOW};

// ---------------------------------------------------------------------------
// The authorization code flow
// ---------------------------------------------------------------------------

/// The whole authorization code flow for `client`, asking for `scope`:
/// begin, a trip of the pending flow through the session store, the
/// browser's login, a callback with `iss` = `issuer` (RFC 9207), a token
/// request that authenticates the client as registered and carries the
/// PKCE verifier, a `200` token response and a first token set with a
/// refresh token. The token response as it came, and the tokens.
pub fn whole_flow(
    client: &Client,
    scope: &str,
    issuer: &str,
    browser: impl FnOnce(&str) -> String,
) -> (http::Response<Vec<u8>>, Authorized) {
    let (authorization, pending) = Start::new(client)
        .scope(Scope::parse(scope).unwrap())
        .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    // The pending flow survives a trip through the session store.
    let stored = serde_json::to_vec(&pending).unwrap();
    let pending: AwaitingCallback = serde_json::from_slice(&stored).unwrap();

    let callback_url = browser(authorization.url());
    let callback = Callback::from_url(&callback_url).unwrap();
    assert_eq!(callback.iss(), Some(issuer));
    let exchanging = pending.handle_callback(client, callback).unwrap();

    let request = exchanging.request(&crate::context()).unwrap().into_http();
    assert_authenticates_as_registered(&request, client);
    let body = String::from_utf8(request.body().as_bytes().to_vec()).unwrap();
    assert!(body.contains("code_verifier="), "{body}");

    let response = send(request).unwrap();
    assert_eq!(
        response.status(),
        200,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    let authorized = exchanging.handle_response(&response, NOW).unwrap();
    assert_eq!(authorized.issuer(), issuer);
    let tokens = authorized.tokens();
    assert_eq!(tokens.generation(), 0);
    assert!(tokens.refresh_token().is_some(), "{tokens:?}");
    (response, authorized)
}

/// The token request authenticates the client the way `client` is
/// registered (RFC 6749 §2.3.1): a Basic header and no `client_id` in the
/// body, both credentials in the body, or `client_id` alone.
pub fn assert_authenticates_as_registered(
    request: &http::Request<oauth2_pkce::RequestBody>,
    client: &Client,
) {
    let body = String::from_utf8(request.body().as_bytes().to_vec()).unwrap();
    let authorization_header = request.headers().get("authorization");
    let client_id = client.client_id().as_str();
    match client.authentication() {
        ClientAuthentication::ClientSecretBasic(_) => {
            assert!(authorization_header
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("Basic "));
            assert!(!body.contains("client_id="), "{body}");
        }
        ClientAuthentication::ClientSecretPost(secret) => {
            assert!(authorization_header.is_none());
            assert!(body.contains(&format!("client_id={client_id}")), "{body}");
            let secret = secret.secret();
            assert!(body.contains(&format!("client_secret={secret}")), "{body}");
        }
        ClientAuthentication::None => {
            assert!(authorization_header.is_none());
            assert!(body.contains(&format!("client_id={client_id}")), "{body}");
            assert!(!body.contains("client_secret"), "{body}");
        }
        ClientAuthentication::PrivateKeyJwt(_) | ClientAuthentication::ClientSecretJwt(_) => {
            assert!(authorization_header.is_none());
            assert!(body.contains(&format!("client_id={client_id}")), "{body}");
            assert!(
                body.contains("&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="),
                "{body}"
            );
            assert!(!body.contains("client_secret"), "{body}");
        }
        other => panic!("no interop client is registered for {other:?}"),
    }
}

/// How long the access token of `authorized` lives, from [`NOW`].
pub fn expires_in(authorized: &Authorized) -> u64 {
    authorized
        .tokens()
        .expires_at()
        .unwrap()
        .saturating_duration_since(NOW)
        .as_secs()
}

/// The callback exchanged for tokens: the server must answer `200`.
pub fn exchange(client: &Client, pending: AwaitingCallback, callback: Callback) -> Authorized {
    let exchanging = pending.handle_callback(client, callback).unwrap();
    let response = send(exchanging.request(&crate::context()).unwrap().into_http()).unwrap();
    assert_eq!(
        response.status(),
        200,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    exchanging.handle_response(&response, NOW).unwrap()
}

/// A login the server refuses at our redirect URI: the authorization
/// error response, once the callback is checked to carry `iss` = `issuer`
/// (and, by `handle_callback`, our `state`): both are checked before the
/// error is believed.
pub fn refused_login(
    client: &Client,
    start: Start<'_>,
    issuer: &str,
    browser: impl FnOnce(&str) -> String,
) -> ErrorResponse<AuthorizationErrorCode> {
    let (pending, callback_url) = log_in(start, browser);
    let callback = Callback::from_url(&callback_url).unwrap();
    assert_eq!(callback.iss(), Some(issuer));
    match pending.handle_callback(client, callback).unwrap_err() {
        CallbackError::Authorization(error) => error,
        other => panic!("expected an authorization error response, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// What a callback must not get away with
// ---------------------------------------------------------------------------

/// A callback made up of `code`, `state` and, when given, `iss`.
pub fn forged_callback(code: &str, state: &str, iss: Option<&str>) -> Callback {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("code", code).append_pair("state", state);
    if let Some(iss) = iss {
        query.append_pair("iss", iss);
    }
    Callback::from_query(&query.finish()).unwrap()
}

/// The callback of a second login of `client`, brought to the first: a
/// state mismatch.
pub fn callback_of_another_login_is_a_state_mismatch(
    client: &Client,
    log_in: impl Fn(&Client) -> (AwaitingCallback, String),
) {
    let (pending, _) = log_in(client);
    let (_, other_callback_url) = log_in(client);
    let other_callback = Callback::from_url(&other_callback_url).unwrap();
    assert_eq!(
        pending.handle_callback(client, other_callback).unwrap_err(),
        CallbackError::StateMismatch
    );
}

/// A client that believes the issuer is `issuer` with a trailing slash:
/// another string, so another issuer (RFC 9207 §2.4: simple string
/// comparison). The server's callback is refused.
pub fn callback_from_another_issuer_is_refused(
    client: &Client,
    issuer: &str,
    log_in: impl Fn(&Client) -> (AwaitingCallback, String),
) {
    let mut metadata = client.metadata().clone();
    metadata.issuer = format!("{issuer}/");
    let believer = Client::new(
        metadata,
        client.client_id().clone(),
        client.authentication().clone(),
    )
    .unwrap()
    .with_redirect_uri(client.redirect_uri().unwrap().clone());
    let (pending, callback_url) = log_in(&believer);
    let callback = Callback::from_url(&callback_url).unwrap();
    assert_eq!(
        pending.handle_callback(&believer, callback).unwrap_err(),
        CallbackError::IssuerMismatch {
            received: issuer.into()
        }
    );
}

/// The server's callback stripped of `iss` (a mix-up attacker's), to a
/// client whose metadata promises `iss`: refused.
pub fn callback_without_iss_is_refused(
    client: &Client,
    log_in: impl Fn(&Client) -> (AwaitingCallback, String),
) {
    let (pending, url) = log_in(client);
    let state = pending.state().secret().to_owned();
    let stripped = forged_callback(&query_param(&url, "code").unwrap(), &state, None);
    assert_eq!(
        pending.handle_callback(client, stripped).unwrap_err(),
        CallbackError::MissingIssuer
    );
}

/// A login's code with its last character changed, exchanged: the token
/// endpoint's error, after checking for a `400` not worth retrying.
pub fn tampered_code(
    client: &Client,
    issuer: &str,
    log_in: impl Fn(&Client) -> (AwaitingCallback, String),
) -> ErrorResponse<TokenErrorCode> {
    let (pending, url) = log_in(client);
    let mut code = query_param(&url, "code").unwrap();
    let last = code.pop().unwrap();
    code.push(if last == 'A' { 'B' } else { 'A' });
    let state = pending.state().secret().to_owned();
    let exchanging = pending
        .handle_callback(client, forged_callback(&code, &state, Some(issuer)))
        .unwrap();
    exchange_error(exchanging, 400)
}

/// Flow B's code redeemed with flow A's `code_verifier`: exactly what PKCE
/// is there to stop (RFC 7636 §4.6). The token endpoint's error, after
/// checking for a `400` not worth retrying.
pub fn code_of_another_flow(
    client: &Client,
    issuer: &str,
    log_in: impl Fn(&Client) -> (AwaitingCallback, String),
) -> ErrorResponse<TokenErrorCode> {
    let (pending_a, _) = log_in(client);
    let (_, url_b) = log_in(client);
    let state_a = pending_a.state().secret().to_owned();
    let code_b = query_param(&url_b, "code").unwrap();
    let exchanging = pending_a
        .handle_callback(client, forged_callback(&code_b, &state_a, Some(issuer)))
        .unwrap();
    exchange_error(exchanging, 400)
}

/// The token endpoint's typed error for an exchange that must fail, after
/// checking the status and that retrying is not offered.
pub fn exchange_error(exchanging: Exchanging, status: u16) -> ErrorResponse<TokenErrorCode> {
    let response = send(exchanging.request(&crate::context()).unwrap().into_http()).unwrap();
    assert_eq!(
        response.status(),
        status,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    let failure = exchanging.handle_response(&response, NOW).unwrap_err();
    let error = error_response(failure.error()).clone();
    assert!(
        failure.into_retry().is_none(),
        "{error} is not worth retrying"
    );
    error
}

/// The OAuth error response a token endpoint answered.
pub fn error_response(error: &EndpointError) -> &ErrorResponse<TokenErrorCode> {
    error
        .error_response()
        .unwrap_or_else(|| panic!("expected an OAuth error response, got {error:?}"))
}

// ---------------------------------------------------------------------------
// The token lifecycle
// ---------------------------------------------------------------------------

/// Refreshes `authorized`, asking for `scope` when given; the server's
/// response, handled (an error is never worth retrying here).
pub fn refresh(
    client: &Client,
    authorized: &Authorized,
    scope: Option<&str>,
) -> Result<Authorized, EndpointError> {
    let refreshing = match scope {
        Some(scope) => authorized
            .refresh_with_scope(client, Scope::parse(scope).unwrap())
            .unwrap(),
        None => authorized.refresh(client).unwrap(),
    };
    let request = refreshing.request(&crate::context()).unwrap().into_http();
    let body = String::from_utf8(request.body().as_bytes().to_vec()).unwrap();
    assert!(body.starts_with("grant_type=refresh_token&"), "{body}");
    assert_eq!(body.contains("scope="), scope.is_some(), "{body}");
    let response = send(request).unwrap();
    refreshing
        .handle_response(&response, NOW)
        .map_err(|failure| {
            let error = failure.error().clone();
            assert!(failure.into_retry().is_none(), "{error} is not retryable");
            error
        })
}

/// Revokes one of `authorized`'s tokens (RFC 7009), with the hint; the
/// server must answer `200`. The response, handled.
pub fn revoke(
    client: &Client,
    authorized: &Authorized,
    token: TokenTypeHint,
) -> http::Response<Vec<u8>> {
    let revocation = authorized.revoke(client, token).unwrap();
    let request = revocation.request(&crate::context()).unwrap().into_http();
    let body = String::from_utf8(request.body().as_bytes().to_vec()).unwrap();
    assert!(
        body.contains(&format!("token_type_hint={}", token.as_str())),
        "{body}"
    );
    let response = send(request).unwrap();
    assert_eq!(response.status(), 200, "{response:?}");
    revocation.handle_response(&response, NOW).unwrap();
    response
}

/// The Bearer challenge of a resource's response (RFC 6750 §3), which
/// must have one.
pub fn bearer_challenge(response: &http::Response<Vec<u8>>) -> BearerChallenge {
    BearerChallenge::from_response(response)
        .unwrap()
        .expect("a Bearer challenge")
}

/// A resource's refusal of an access token: `401` with a Bearer
/// `invalid_token` challenge, which says: refresh (RFC 6750 §3.1). The
/// challenge, for what each server adds.
pub fn invalid_token_challenge(response: &http::Response<Vec<u8>>, log: &str) -> BearerChallenge {
    assert_eq!(response.status(), 401, "{log}");
    let challenge = bearer_challenge(response);
    assert_eq!(challenge.error(), Some(&BearerErrorCode::InvalidToken));
    assert_eq!(challenge.next_step(), NextStep::Refresh);
    challenge
}

/// The client credentials grant (RFC 6749 §4.4) for `client`, asking for
/// `scope`: a `200`, the scope asked for and no refresh token (§4.4.3).
pub fn client_credentials(client: &Client, scope: &str) -> Authorized {
    let scope = Scope::parse(scope).unwrap();
    let grant = ClientCredentials::new(client, scope.clone()).unwrap();
    let response = send(grant.request(&crate::context()).unwrap().into_http()).unwrap();
    let client_id = client.client_id();
    assert_eq!(response.status(), 200, "{client_id:?}: {response:?}");
    let authorized = grant.handle_response(&response, NOW).unwrap();
    assert!(authorized.tokens().refresh_token().is_none());
    assert_eq!(authorized.tokens().scope(), &scope);
    authorized
}

//! Every public type that holds a secret, formatted with `Debug` (plain and
//! `{:#?}`) and `Display` where it has one: no secret value appears.

use std::fmt::Debug;

use base64ct::{Base64, Encoding};
use oauth2_pkce::device::{DeviceAuthorization, DeviceCode};
use oauth2_pkce::errors::{ApiMisuse, CallbackError, ResourceError};
use oauth2_pkce::resource::{BearerChallenge, IntrospectedToken, Introspection};
use oauth2_pkce::values::{
    AccessToken, AuthorizationCode, AuthorizationValue, CodeVerifier, RefreshToken, State,
};
use oauth2_pkce::values::{HttpResponse, TokenTypeHint};
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const CLIENT_SECRET: &str = "SECRET-client-7f3a";
const CODE: &str = "SECRET-code-91bd";
const ACCESS_TOKEN: &str = "SECRET-access-c0ffee";
const REFRESH_TOKEN: &str = "SECRET-refresh-beef";
const ID_TOKEN: &str = "SECRET-idtoken-0042";

/// The secrets known at compile time. Per-flow secrets (state, verifier)
/// are added by each test.
const FIXED: [&str; 5] = [CLIENT_SECRET, CODE, ACCESS_TOKEN, REFRESH_TOKEN, ID_TOKEN];

/// Entropy whose bytes are easy to spot if printed raw: 0xA7 for the
/// verifier, 0xB3 for the state.
const ENTROPY: [u8; 64] = {
    let mut bytes = [0xA7; 64];
    let mut i = 32;
    while i < 64 {
        bytes[i] = 0xB3;
        i += 1;
    }
    bytes
};

fn assert_no_secret(printed: &str, secrets: &[&str]) {
    assert!(!printed.is_empty());
    for secret in FIXED.iter().chain(secrets) {
        assert!(!printed.contains(secret), "{secret:?} in {printed}");
    }
}

fn debug_is_clean<T: Debug + ?Sized>(value: &T, secrets: &[&str]) {
    assert_no_secret(&format!("{value:?}"), secrets);
    assert_no_secret(&format!("{value:#?}"), secrets);
}

fn display_is_clean<T: std::fmt::Display + Debug + ?Sized>(value: &T, secrets: &[&str]) {
    debug_is_clean(value, secrets);
    assert_no_secret(&format!("{value}"), secrets);
}

fn client(authentication: ClientAuthentication) -> Client {
    Preset::pagero()
        .client(ClientId::new("app").unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
}

fn basic_client() -> Client {
    client(ClientAuthentication::ClientSecretBasic(ClientSecret::new(
        CLIENT_SECRET,
    )))
}

fn post_client() -> Client {
    client(ClientAuthentication::ClientSecretPost(ClientSecret::new(
        CLIENT_SECRET,
    )))
}

/// The secrets a flow derives from `ENTROPY`: its state, its verifier, and
/// the base64 of the Basic credentials.
struct FlowSecrets {
    state: String,
    verifier: String,
    basic: String,
}

impl FlowSecrets {
    fn all(&self) -> [&str; 3] {
        [&self.state, &self.verifier, &self.basic]
    }
}

fn flow_secrets() -> FlowSecrets {
    let client = basic_client();
    let (_, pending) = Start::new(&client)
        .begin(FlowEntropy::from_bytes(ENTROPY), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    let mut entropy = [0; 32];
    entropy.copy_from_slice(&ENTROPY[..32]);
    let verifier = CodeVerifier::from_entropy(&entropy).secret().to_owned();
    let basic = Base64::encode_string(format!("app:{CLIENT_SECRET}").as_bytes());
    assert_ne!(state, verifier);
    FlowSecrets {
        state,
        verifier,
        basic,
    }
}

fn awaiting(client: &Client) -> AwaitingCallback {
    Start::new(client)
        .begin(FlowEntropy::from_bytes(ENTROPY), NOW)
        .unwrap()
        .1
}

fn exchanging(client: &Client) -> Exchanging {
    let pending = awaiting(client);
    let query = format!("code={CODE}&state={}", pending.state().secret());
    pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap()
}

fn token_body() -> String {
    format!(
        r#"{{"token_type":"bearer","access_token":"{ACCESS_TOKEN}","refresh_token":"{REFRESH_TOKEN}","id_token":"{ID_TOKEN}","scope":"","claims":"publicid","expires_in":600}}"#
    )
}

fn authorized(client: &Client) -> Authorized {
    exchanging(client)
        .handle_response(HttpResponse::new(200, token_body().as_bytes()), NOW)
        .unwrap()
}

#[test]
fn secret_newtypes() {
    debug_is_clean(&ClientSecret::new(CLIENT_SECRET), &[]);
    debug_is_clean(&AuthorizationCode::new(CODE), &[]);
    debug_is_clean(&AccessToken::new(ACCESS_TOKEN), &[]);
    debug_is_clean(&RefreshToken::new(REFRESH_TOKEN), &[]);
    debug_is_clean(&DeviceCode::new(ACCESS_TOKEN), &[]);
    debug_is_clean(&IntrospectedToken::new(ACCESS_TOKEN), &[]);
    let secrets = flow_secrets();
    debug_is_clean(&State::new(secrets.state.clone()), &secrets.all());
    debug_is_clean(&CodeVerifier::new(secrets.verifier.clone()), &secrets.all());
    let mut entropy = [0; 32];
    entropy.copy_from_slice(&ENTROPY[..32]);
    debug_is_clean(&CodeVerifier::from_entropy(&entropy), &secrets.all());
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    debug_is_clean(&AuthorizationValue::new(bearer.clone()), &[&bearer]);
    // They say what they are.
    assert_eq!(
        format!("{:?}", AccessToken::new(ACCESS_TOKEN)),
        "AccessToken([redacted])"
    );
}

#[test]
fn flow_entropy() {
    let secrets = flow_secrets();
    let entropy = FlowEntropy::from_bytes(ENTROPY);
    debug_is_clean(&entropy, &secrets.all());
    let printed = format!("{entropy:?}");
    // 0xA7 = 167 and 0xB3 = 179, in any radix.
    for raw in ["167", "179", "a7", "A7", "b3", "B3", "p6en", "s7Oz"] {
        assert!(!printed.contains(raw), "{raw} in {printed}");
    }
}

#[test]
fn client_and_authentication() {
    for client in [basic_client(), post_client()] {
        debug_is_clean(&client, &[]);
        debug_is_clean(client.authentication(), &[]);
    }
    debug_is_clean(
        &ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
        &[],
    );
}

#[test]
fn start_and_authorization_request() {
    let secrets = flow_secrets();
    let client = basic_client();
    let start = Start::new(&client).scope(Scope::parse("openid").unwrap());
    debug_is_clean(&start, &secrets.all());
    let (request, pending) = start.begin(FlowEntropy::from_bytes(ENTROPY), NOW).unwrap();
    // The URL itself carries the state: that is what it is for.
    assert!(request.url().contains(&secrets.state));
    debug_is_clean(&request, &secrets.all());
    debug_is_clean(&pending, &secrets.all());

    // With plain PKCE the URL carries the verifier itself.
    let (plain, _) = Start::new(&client)
        .dangerous_use_plain_pkce()
        .begin(FlowEntropy::from_bytes(ENTROPY), NOW)
        .unwrap();
    assert!(plain.url().contains(&secrets.verifier));
    debug_is_clean(&plain, &secrets.all());
}

#[test]
fn callback() {
    let secrets = flow_secrets();
    let query = format!(
        "code={CODE}&state={}&iss=https%3A%2F%2Fas.example",
        secrets.state
    );
    for callback in [
        Callback::from_query(&query).unwrap(),
        Callback::from_form_body(query.as_bytes()).unwrap(),
        Callback::from_url(&format!("https://urltoclient:4443/?{query}")).unwrap(),
    ] {
        debug_is_clean(&callback, &secrets.all());
        debug_is_clean(&callback.state(), &secrets.all());
    }
}

#[test]
fn exchanging_and_token_requests() {
    let secrets = flow_secrets();
    for client in [basic_client(), post_client()] {
        let exchanging = exchanging(&client);
        debug_is_clean(&exchanging, &secrets.all());
        let request = exchanging.request(&crate::CONTEXT).unwrap();
        // The body and header do carry the secrets; the Debug does not.
        let body = String::from_utf8(request.body().to_vec()).unwrap();
        assert!(body.contains(CODE) && body.contains(&secrets.verifier));
        debug_is_clean(&request, &secrets.all());
        // The http conversion marks the credential sensitive.
        let http = exchanging.request(&crate::CONTEXT).unwrap().into_http();
        if let Some(value) = http.headers().get("authorization") {
            assert!(value.is_sensitive());
            assert_no_secret(&format!("{:?}", http.headers()), &secrets.all());
        }
    }
}

#[test]
fn authorized_and_token_set() {
    let secrets = flow_secrets();
    let authorized = authorized(&basic_client());
    debug_is_clean(&authorized, &secrets.all());
    debug_is_clean(authorized.tokens(), &secrets.all());
    debug_is_clean(authorized.tokens().access_token(), &[]);
    debug_is_clean(&authorized.tokens().refresh_token(), &[]);
    // The extra members' names are shown, not their values.
    assert!(format!("{:?}", authorized.tokens()).contains("id_token"));
    let bearer = authorized
        .bearer_authorization("https://api.pageroonline.com/")
        .unwrap();
    assert_eq!(bearer.secret(), format!("Bearer {ACCESS_TOKEN}"));
    debug_is_clean(&bearer, &[]);
    let result = authorized.bearer_authorization("https://api.pageroonline.com/");
    debug_is_clean(&result, &[]);

    let mut request = http::Request::get("https://api.pageroonline.com/x")
        .body(())
        .unwrap();
    authorized.authorize_request(&mut request).unwrap();
    assert!(request.headers()["authorization"].is_sensitive());
    debug_is_clean(&request, &[]);
}

#[test]
fn bearer_errors() {
    let authorized = authorized(&basic_client());
    let error = authorized
        .bearer_authorization("http://api.example/")
        .unwrap_err();
    assert_eq!(error, ResourceError::InsecureTarget);
    display_is_clean(&error, &[]);

    // A token outside b64token (VSCHAR allows a space).
    let token = "SECRET access with spaces";
    let body = format!(r#"{{"token_type":"Bearer","access_token":"{token}"}}"#);
    let odd = exchanging(&basic_client())
        .handle_response(HttpResponse::new(200, body.as_bytes()), NOW)
        .unwrap();
    let error = odd
        .bearer_authorization("https://api.example/")
        .unwrap_err();
    assert_eq!(error, ResourceError::InvalidToken);
    display_is_clean(&error, &[token]);
    debug_is_clean(&odd, &[token]);
}

/// A token of visible ASCII outside RFC 6750's `b64token` is sent as it
/// is: eBay's tokens (`v^1.1#i^1#…`, its pages' example) have `^` and `#`,
/// and eBay says to send them as `Authorization: Bearer`.
#[test]
fn tokens_outside_b64token_without_spaces_are_sent() {
    let token = "v^1.1#i^1#p^3#r^1...XzMjRV4xMjg0";
    // A standard Bearer token is held to RFC 6750 §2.1's b64token.
    let body = format!(r#"{{"token_type":"Bearer","access_token":"{token}"}}"#);
    let standard = exchanging(&basic_client())
        .handle_response(HttpResponse::new(200, body.as_bytes()), NOW)
        .unwrap();
    assert_eq!(
        standard
            .bearer_authorization("https://api.example/")
            .unwrap_err(),
        ResourceError::InvalidToken
    );
    // eBay's own token type is sent as eBay documents its tokens.
    let client = basic_client()
        .with_bearer_token_type_alias("User Access Token")
        .unwrap();
    let body = format!(r#"{{"token_type":"User Access Token","access_token":"{token}"}}"#);
    let authorized = exchanging(&client)
        .handle_response(HttpResponse::new(200, body.as_bytes()), NOW)
        .unwrap();
    assert_eq!(
        authorized
            .bearer_authorization("https://api.ebay.com/sell/inventory/v1/inventory_item")
            .unwrap()
            .secret(),
        format!("Bearer {token}")
    );
    debug_is_clean(&authorized, &[token]);
}

#[test]
fn callback_errors() {
    let secrets = flow_secrets();
    let client = basic_client();
    let wrong_state = format!("{}X", secrets.state);
    let queries = [
        format!("code={CODE}&state={wrong_state}"),
        format!("code={CODE}&state={0}&state={0}", secrets.state),
        format!("code={CODE}&code={CODE}&state={}", secrets.state),
        format!("code={CODE}%FF&state={}", secrets.state),
        format!("code={CODE}%zz&state={}", secrets.state),
        format!("code={CODE}"),
        format!("code={CODE}&state={wrong_state}&iss=https%3A%2F%2Fevil.example"),
        format!("error=access_denied&state={}&code={CODE}", secrets.state),
        format!("state={}", secrets.state),
    ];
    let mut seen = 0;
    for query in &queries {
        let error = match Callback::from_query(query) {
            Err(error) => error,
            Ok(callback) => match awaiting(&client).handle_callback(&client, callback) {
                Err(error) => error,
                Ok(_) => panic!("{query} was accepted"),
            },
        };
        display_is_clean(&error, &[&secrets.state, &secrets.verifier, &wrong_state]);
        seen += 1;
    }
    assert_eq!(seen, queries.len());

    let other = client_for_id("other");
    let callback = Callback::from_query(&format!("code={CODE}&state={}", secrets.state)).unwrap();
    let error = awaiting(&client)
        .handle_callback(&other, callback)
        .unwrap_err();
    assert_eq!(error, CallbackError::Misuse(ApiMisuse::ClientMismatch));
    display_is_clean(&error, &secrets.all());

    let json = http::Request::post("/cb")
        .header("content-type", "application/json")
        .body(format!(r#"{{"code":"{CODE}"}}"#).into_bytes())
        .unwrap();
    display_is_clean(&Callback::from_http(&json).unwrap_err(), &[]);
}

fn client_for_id(id: &str) -> Client {
    Preset::pagero()
        .client(
            ClientId::new(id).unwrap(),
            ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
        )
        .unwrap()
        .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
}

#[test]
fn token_errors_and_failures() {
    let secrets = flow_secrets();
    let responses: Vec<(u16, &str, String)> = vec![
        (
            200,
            "application/json",
            token_body().replace("bearer", "mac"),
        ),
        (
            200,
            "application/json",
            format!(
                r#"{{"access_token":"{ACCESS_TOKEN}","access_token":"{REFRESH_TOKEN}","token_type":"Bearer"}}"#
            ),
        ),
        (
            200,
            "application/json",
            format!(
                r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","expires_in":"{REFRESH_TOKEN}"}}"#
            ),
        ),
        (
            200,
            "application/json",
            format!(
                r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","scope":"{ID_TOKEN}\\\\"}}"#
            ),
        ),
        (
            200,
            "application/json",
            format!(r#"{{"access_token":"{ACCESS_TOKEN}\u0001","token_type":"Bearer"}}"#),
        ),
        (
            200,
            "application/json",
            format!(r#"{{"refresh_token":"{REFRESH_TOKEN}","token_type":"Bearer"}}"#),
        ),
        (
            200,
            "application/json",
            format!(r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"bot"}}"#),
        ),
        (
            200,
            "application/json",
            format!("{} {ACCESS_TOKEN}", token_body()),
        ),
        (200, "application/json", format!(r#"["{ACCESS_TOKEN}"]"#)),
        (
            200,
            "application/json",
            format!(
                r#"{{"error":"invalid_grant","access_token":"{ACCESS_TOKEN}","refresh_token":"{REFRESH_TOKEN}"}}"#
            ),
        ),
        (
            200,
            "application/x-www-form-urlencoded",
            format!("access_token={ACCESS_TOKEN}&token_type=mac&refresh_token={REFRESH_TOKEN}"),
        ),
        (
            200,
            "application/x-www-form-urlencoded",
            format!("access_token={ACCESS_TOKEN}&access_token={REFRESH_TOKEN}"),
        ),
        (
            200,
            "application/x-www-form-urlencoded",
            format!("access_token={ACCESS_TOKEN}%zz"),
        ),
        (
            400,
            "application/json",
            format!(r#"{{"error":"invalid_grant","refresh_token":"{REFRESH_TOKEN}"}}"#),
        ),
        (
            302,
            "text/html",
            format!("<a href=\"https://as.example/?code={CODE}\">"),
        ),
        (404, "text/html", format!("<html>{ACCESS_TOKEN}</html>")),
        (429, "application/json", token_body()),
        (503, "application/json", token_body()),
    ];
    for (status, content_type, body) in &responses {
        let failure = exchanging(&post_client())
            .handle_response(
                HttpResponse::new(*status, body.as_bytes())
                    .with_content_type(content_type)
                    .with_retry_after("120"),
                NOW,
            )
            .unwrap_err();
        display_is_clean(&failure, &secrets.all());
        display_is_clean(failure.error(), &secrets.all());
        if let Some(source) = std::error::Error::source(&failure) {
            assert_no_secret(&format!("{source} {source:?}"), &secrets.all());
        }
        let retry = failure.into_retry();
        if let Some(exchanging) = &retry {
            debug_is_clean(exchanging, &secrets.all());
        }
    }
}

#[test]
fn http_response_view() {
    let body = token_body();
    let response = HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
    debug_is_clean(&response, &[]);
}

#[test]
fn lifecycle_states_and_requests() {
    for client in [basic_client(), post_client()] {
        let authorized = authorized(&client);

        let refreshing = authorized.refresh(&client).unwrap();
        debug_is_clean(&refreshing, &[]);
        let request = refreshing.request(&crate::CONTEXT).unwrap();
        assert!(String::from_utf8_lossy(request.body()).contains(REFRESH_TOKEN));
        debug_is_clean(&request, &[]);
        let failure = refreshing
            .handle_response(HttpResponse::new(503, token_body().as_bytes()), NOW)
            .unwrap_err();
        display_is_clean(&failure, &[]);

        for hint in [TokenTypeHint::AccessToken, TokenTypeHint::RefreshToken] {
            let revocation = authorized.revoke(&client, hint).unwrap();
            debug_is_clean(&revocation, &[]);
            debug_is_clean(&revocation.request(&crate::CONTEXT).unwrap(), &[]);
            let failure = revocation
                .handle_response(HttpResponse::new(400, token_body().as_bytes()), NOW)
                .unwrap_err();
            display_is_clean(&failure, &[]);
        }

        let grant = ClientCredentials::new(&client, Scope::empty()).unwrap();
        debug_is_clean(&grant, &[]);
        debug_is_clean(&grant.request(&crate::CONTEXT).unwrap(), &[]);
    }
}

#[test]
fn bearer_challenge_errors() {
    let challenge = BearerChallenge::parse(&format!(
        r#"Bearer realm="{ACCESS_TOKEN}", realm="{REFRESH_TOKEN}""#
    ))
    .unwrap_err();
    display_is_clean(&challenge, &[]);
}

/// Every `http::Request` the crate hands out prints no secret in `Debug`,
/// `tracing::debug!(?request)` style, though its body carries them: the
/// body is a `RequestBody`, the `Authorization` header is sensitive.
#[test]
fn http_requests_handed_out() {
    let secrets = flow_secrets();
    let all = secrets.all();

    let mut requests: Vec<(&str, http::Request<RequestBody>)> = Vec::new();
    for client in [basic_client(), post_client()] {
        requests.push((
            "code",
            exchanging(&client)
                .request(&crate::CONTEXT)
                .unwrap()
                .into_http(),
        ));
        let authorized = authorized(&client);
        requests.push((
            "refresh",
            authorized
                .refresh(&client)
                .unwrap()
                .request(&crate::CONTEXT)
                .unwrap()
                .into_http(),
        ));
        for hint in [TokenTypeHint::AccessToken, TokenTypeHint::RefreshToken] {
            let revocation = authorized.revoke(&client, hint).unwrap();
            requests.push((
                "revoke",
                revocation.request(&crate::CONTEXT).unwrap().into_http(),
            ));
        }
        let grant = ClientCredentials::new(&client, Scope::parse("api").unwrap()).unwrap();
        requests.push((
            "client_credentials",
            grant.request(&crate::CONTEXT).unwrap().into_http(),
        ));

        let mut metadata = Preset::pagero().metadata().clone();
        metadata.pushed_authorization_request_endpoint =
            Some("https://sso.pageroonline.com/oauth/v2/oauth-par".into());
        let par_client = Client::new(
            metadata,
            client.client_id().clone(),
            client.authentication().clone(),
        )
        .unwrap()
        .with_redirect_uri(client.redirect_uri().unwrap().clone());
        let pushing = Start::new(&par_client)
            .push(FlowEntropy::from_bytes(ENTROPY), NOW)
            .unwrap();
        requests.push(("par", pushing.request(&crate::CONTEXT).unwrap().into_http()));
    }
    let discovery = Discovery::new("https://as.example").unwrap();
    requests.push((
        "discovery",
        discovery.request(&crate::CONTEXT).unwrap().into_http(),
    ));

    for (what, request) in requests {
        debug_is_clean(&request, &all);
        debug_is_clean(request.body(), &all);
        // The check can fail: the header and the bytes handed over at send
        // time carry the secrets the Debug form hides.
        let mut sent = request
            .headers()
            .get("authorization")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        sent.push_str(&String::from_utf8(request.into_body().into_bytes()).unwrap());
        let carries = FIXED.iter().chain(&all).any(|secret| sent.contains(secret));
        assert_eq!(carries, what != "discovery", "{what}: {sent}");
    }
}

const DEVICE_CODE: &str = "SECRET-device-5eed";

fn device_client(authentication: ClientAuthentication) -> Client {
    let metadata = Preset::pagero()
        .metadata()
        .clone()
        .with_device_authorization_endpoint("https://sso.pageroonline.com/oauth/v2/oauth-device")
        .with_introspection_endpoint("https://sso.pageroonline.com/oauth/v2/oauth-introspect");
    Client::new(metadata, ClientId::new("app").unwrap(), authentication).unwrap()
}

/// The device grant's steps, the pending login, their requests (in both
/// forms) and failures, and introspection: the device code, the token
/// asked about and the client's credentials appear in none of them.
#[test]
fn device_and_introspection_states_and_requests() {
    let secrets = flow_secrets();
    let mut all = secrets.all().to_vec();
    all.push(DEVICE_CODE);
    for authentication in [
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(CLIENT_SECRET)),
        ClientAuthentication::ClientSecretPost(ClientSecret::new(CLIENT_SECRET)),
    ] {
        let client = device_client(authentication);
        let step = DeviceAuthorization::new(&client, Scope::parse("openid").unwrap()).unwrap();
        debug_is_clean(&step, &all);
        debug_is_clean(&step.request(&crate::CONTEXT).unwrap(), &all);
        debug_is_clean(&step.request(&crate::CONTEXT).unwrap().into_http(), &all);
        let body = format!(
            r#"{{"device_code":"{DEVICE_CODE}","user_code":"WDJB-MJHT","verification_uri":"https://sso.pageroonline.com/device","expires_in":600}}"#
        );
        let polling = step
            .handle_response(HttpResponse::new(200, body.as_bytes()), NOW)
            .unwrap();
        debug_is_clean(&polling, &all);
        debug_is_clean(polling.pending(), &all);
        let request = polling.request(&crate::CONTEXT).unwrap();
        assert!(String::from_utf8_lossy(request.body()).contains(DEVICE_CODE));
        debug_is_clean(&request, &all);
        debug_is_clean(&polling.request(&crate::CONTEXT).unwrap().into_http(), &all);

        let pending = format!(
            r#"{{"error":"authorization_pending","error_description":"{DEVICE_CODE} is not approved"}}"#
        );
        let failure = polling
            .handle_response(HttpResponse::new(400, pending.as_bytes()), NOW)
            .unwrap_err();
        // The server's own description may quote anything; ours never does.
        display_is_clean(&failure, &secrets.all());
        let polling = failure.into_retry().unwrap();
        let late = UnixTime::from_secs(NOW.as_secs() + 599);
        let expired = polling
            .handle_response(HttpResponse::new(400, br#"{"error":"slow_down"}"#), late)
            .unwrap_err();
        display_is_clean(&expired, &all);

        let introspection =
            Introspection::new(&client, IntrospectedToken::new(ACCESS_TOKEN)).unwrap();
        debug_is_clean(&introspection, &all);
        debug_is_clean(&introspection.request(&crate::CONTEXT).unwrap(), &all);
        debug_is_clean(
            &introspection.request(&crate::CONTEXT).unwrap().into_http(),
            &all,
        );
        let failure = introspection
            .handle_response(
                HttpResponse::new(401, br#"{"error":"invalid_client"}"#),
                NOW,
            )
            .unwrap_err();
        display_is_clean(&failure, &all);
        let answer = Introspection::new(&client, IntrospectedToken::new(ACCESS_TOKEN))
            .unwrap()
            .handle_response(
                HttpResponse::new(
                    200,
                    format!(r#"{{"active":true,"private_claim":"{ID_TOKEN}"}}"#).as_bytes(),
                ),
                NOW,
            )
            .unwrap();
        debug_is_clean(&answer, &all);
    }
    debug_is_clean(&DeviceCode::new(DEVICE_CODE), &all);
    debug_is_clean(&IntrospectedToken::new(ACCESS_TOKEN), &all);
}

// OpenID CIBA Core 1.0.
#[test]
fn ciba_secret_newtypes() {
    use oauth2_pkce::ciba::{AuthReqId, BackchannelUserCode, ClientNotificationToken, UserHint};
    use oauth2_pkce::exchange::SecurityToken;
    debug_is_clean(&AuthReqId::new(ACCESS_TOKEN), &[]);
    debug_is_clean(&ClientNotificationToken::new(ACCESS_TOKEN), &[]);
    debug_is_clean(&BackchannelUserCode::new(ACCESS_TOKEN), &[]);
    let hint = UserHint::login_hint_token(SecurityToken::new(ACCESS_TOKEN)).unwrap();
    debug_is_clean(&hint, &[]);
    let hint = UserHint::id_token_hint(SecurityToken::new(ACCESS_TOKEN)).unwrap();
    debug_is_clean(&hint, &[]);
}

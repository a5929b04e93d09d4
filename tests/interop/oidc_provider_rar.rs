//! Interop: rich authorization requests (RFC 9396) against oidc-provider
//! with `RICH_AUTHORIZATION_REQUESTS=1` (and resource indicators, without
//! which it returns no `authorization_details`): a `payment_initiation`
//! pushed (RFC 9126) with the login, the token response's
//! `authorization_details` read back typed — enriched by the server with a
//! `debtorAccount` (§7.1), each object's JSON text kept as sent — kept
//! through storage, refreshes (whole and narrowed, §6) and introspection
//! (§9.2); the same details as an array claim of a signed request object
//! (RFC 9101); a detail the server's type check refuses is
//! `invalid_authorization_details` at the PAR endpoint (§5) and at the
//! authorization endpoint, and a type the metadata does not list is
//! refused before anything is sent (§10).
//!
//! oidc-provider 8.x refuses `authorization_details` in a client
//! credentials request (`invalid_request`): that grant is shown offline
//! only (tests/flow_requests.rs).

use crate::interop_node_common;

use interop_node_common::scenario::{self, error_response};
use interop_node_common::{send, OidcProvider, OpClient, NOW};
use oauth2_pkce::errors::{AuthorizationErrorCode, ConfigError, EndpointError, TokenErrorCode};
use oauth2_pkce::resource::{
    AuthorizationDetail, AuthorizationDetails, IntrospectedToken, Introspection, ResourceIndicator,
};
use oauth2_pkce::*;

fn start_server() -> OidcProvider {
    OidcProvider::start_with(&[
        ("RESOURCE_INDICATORS", "1"),
        ("RICH_AUTHORIZATION_REQUESTS", "1"),
    ])
}

/// RFC 9396 §2's payment initiation, for `creditor`.
fn payment(creditor: &str, actions: &[&str]) -> AuthorizationDetail {
    let mut builder = AuthorizationDetail::builder("payment_initiation")
        .location("https://example.com/payments")
        .member_json(
            "instructedAmount",
            r#"{"currency":"EUR","amount":"123.50"}"#,
        )
        .member("creditorName", creditor)
        .member_json("creditorAccount", r#"{"iban":"DE02100100109307118603"}"#);
    for action in actions {
        builder = builder.action(*action);
    }
    builder.build().unwrap()
}

fn details(detail: AuthorizationDetail) -> AuthorizationDetails {
    AuthorizationDetails::new().with(detail).unwrap()
}

fn mcp(server: &OidcProvider) -> ResourceIndicator {
    ResourceIndicator::new(server.url("/mcp")).unwrap()
}

/// Pushes `start`; the server's answer, handled.
fn push(
    server: &OidcProvider,
    start: Start<'_>,
) -> Result<(AuthorizationRequest, AwaitingCallback), EndpointError> {
    let pushing = start
        .push(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let request = pushing.request(&crate::context()).unwrap().into_http();
    assert_eq!(request.uri(), server.url("/request").as_str());
    let body = String::from_utf8(request.body().as_bytes().to_vec()).unwrap();
    assert!(
        body.contains("&authorization_details=%5B%7B%22type%22%3A%22payment_initiation%22"),
        "{body}"
    );
    let response = send(request).unwrap();
    pushing
        .handle_response(&response, NOW)
        .map_err(|failure| failure.error().clone())
}

/// The response's `authorization_details` objects as the server wrote
/// them, each one's JSON text.
fn sent_objects(body: &[u8]) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Body<'a> {
        #[serde(borrow)]
        authorization_details: Vec<&'a serde_json::value::RawValue>,
    }
    let body: Body<'_> = serde_json::from_slice(body).unwrap();
    body.authorization_details
        .iter()
        .map(|raw| raw.get().to_string())
        .collect()
}

/// The granted payment, as the token response lists it: what was asked
/// for plus the server's `debtorAccount`.
fn assert_granted(detail: &AuthorizationDetail, actions: &[&str]) {
    assert_eq!(detail.detail_type(), "payment_initiation");
    assert_eq!(detail.actions(), actions);
    assert_eq!(detail.locations(), ["https://example.com/payments"]);
    assert_eq!(
        detail.member("instructedAmount").unwrap().to_json(),
        r#"{"amount":"123.50","currency":"EUR"}"#
    );
    assert_eq!(detail.member("creditorName").unwrap(), "Merchant A");
    assert_eq!(
        detail.member("debtorAccount").unwrap().to_json(),
        r#"{"iban":"DE40100100103307118608","user_role":"owner"}"#
    );
}

#[test]
fn rar_pushed_login_reads_back_the_granted_details() {
    let server = start_server();
    let metadata = server.metadata();
    assert_eq!(
        metadata.authorization_details_types_supported.as_deref(),
        Some(["payment_initiation".to_string()].as_slice())
    );
    let client = server.client(OpClient::Rar);
    let asked = details(payment("Merchant A", &["initiate", "status", "cancel"]));
    let start = Start::new(&client)
        .scope(Scope::parse("files:read").unwrap())
        .resource(mcp(&server))
        .authorization_details(asked.clone());
    let (authorization, pending) = push(&server, start).expect("the push is accepted");
    assert!(!authorization.url().contains("authorization_details"));

    let callback = Callback::from_url(&server.browser_log_in(authorization.url())).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let response = send(exchanging.request(&crate::context()).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 200, "{}", server.log());
    let sent = sent_objects(response.body());
    let authorized = exchanging.handle_response(&response, NOW).unwrap();

    let granted = authorized.tokens().authorization_details();
    assert_eq!(granted.len(), 1, "{granted:?}");
    assert_granted(&granted.as_slice()[0], &["initiate", "status", "cancel"]);
    // Each object's text exactly as the server wrote it.
    assert_eq!(
        granted
            .iter()
            .map(|d| d.json().to_string())
            .collect::<Vec<_>>(),
        sent
    );
    // Not left among the members the crate does not model.
    assert!(!authorized
        .tokens()
        .extra()
        .contains("authorization_details"));

    // Kept through storage, byte for byte.
    let stored = Authorized::from_json(authorized.to_json().as_bytes()).unwrap();
    assert_eq!(stored.tokens().authorization_details(), granted);
    assert_eq!(
        stored.tokens().authorization_details().to_json(),
        granted.to_json()
    );

    // Introspection (§9.2) of the refresh token (oidc-provider keeps no
    // copy of a JWT access token to introspect): the grant's details, as
    // asked for, without the access token's enrichment.
    let resource = server.client(OpClient::Basic);
    let refresh_token = authorized.tokens().refresh_token().unwrap().secret();
    let introspection = Introspection::new(&resource, IntrospectedToken::new(refresh_token))
        .unwrap()
        .token_type_hint(values::TokenTypeHint::RefreshToken);
    let response = send(
        introspection
            .request(&crate::context())
            .unwrap()
            .into_http(),
    )
    .unwrap();
    assert_eq!(response.status(), 200, "{}", server.log());
    let answer = introspection.handle_response(&response, NOW).unwrap();
    assert!(answer.active(), "{}", server.log());
    let introspected = answer.authorization_details();
    assert_eq!(introspected.len(), 1, "{introspected:?}");
    let detail = &introspected.as_slice()[0];
    assert_eq!(detail.detail_type(), "payment_initiation");
    assert_eq!(detail.actions(), ["initiate", "status", "cancel"]);
    assert_eq!(detail.member("creditorName").unwrap(), "Merchant A");
    assert!(detail.member("debtorAccount").is_none());
    assert!(!answer.extra().contains("authorization_details"));

    // A refresh of the whole grant: the server lists the details again.
    let refreshed = scenario::refresh(&client, &stored, None).unwrap();
    assert_granted(
        &refreshed.tokens().authorization_details().as_slice()[0],
        &["initiate", "status", "cancel"],
    );

    // A narrowed refresh (§6): only `status` asked for, and granted.
    let narrowing = refreshed
        .refresh_with_authorization_details(&client, details(payment("Merchant A", &["status"])))
        .unwrap();
    let request = narrowing.request(&crate::context()).unwrap().into_http();
    let body = String::from_utf8(request.body().as_bytes().to_vec()).unwrap();
    assert!(body.contains("&authorization_details=%5B%7B"), "{body}");
    let response = send(request).unwrap();
    assert_eq!(response.status(), 200, "{}", server.log());
    let narrowed = narrowing.handle_response(&response, NOW).unwrap();
    assert_granted(
        &narrowed.tokens().authorization_details().as_slice()[0],
        &["status"],
    );
}

#[test]
fn rar_invalid_detail_is_refused_by_the_server() {
    let server = start_server();
    let client = server.client(OpClient::Rar);
    // No `instructedAmount`: the type's check fails at the PAR endpoint.
    let incomplete = AuthorizationDetail::builder("payment_initiation")
        .action("initiate")
        .member("creditorName", "Merchant A")
        .build()
        .unwrap();
    let start = Start::new(&client)
        .scope(Scope::parse("files:read").unwrap())
        .resource(mcp(&server))
        .authorization_details(details(incomplete.clone()));
    let error = push(&server, start).unwrap_err();
    assert_eq!(
        error_response(&error).error(),
        &TokenErrorCode::InvalidAuthorizationDetails,
        "{error}"
    );

    // The same in the authorization URL: the server answers at the
    // redirect URI (RFC 9396 §5).
    let start = Start::new(&client)
        .scope(Scope::parse("files:read").unwrap())
        .resource(mcp(&server))
        .authorization_details(details(incomplete));
    let refused = scenario::refused_login(&client, start, server.issuer(), |url| {
        assert!(
            url.contains("&authorization_details=%5B%7B%22type%22"),
            "{url}"
        );
        server.browser_log_in(url)
    });
    assert_eq!(
        refused.error(),
        &AuthorizationErrorCode::InvalidAuthorizationDetails
    );

    // A type the metadata does not list never leaves the client.
    let unknown = AuthorizationDetail::builder("account_information")
        .action("list_accounts")
        .build()
        .unwrap();
    let error = Start::new(&client)
        .resource(mcp(&server))
        .authorization_details(details(unknown))
        .push(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap_err();
    assert!(
        matches!(&error, ConfigError::AuthorizationDetailsTypeNotSupported(t) if t.as_str() == "account_information"),
        "{error:?}"
    );
}

/// RFC 9396 §3 with RFC 9101: the details as an array claim of a signed
/// request object (oidc-provider's strict mode reads only the object),
/// for `jar-client`, which signs every request with RFC 7515 A.3's key.
#[test]
fn rar_inside_a_request_object() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use oauth2_pkce::jose::{ClientAssertionKey, Es256Key};

    let server = start_server();
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    let key = ClientAssertionKey::new(Es256Key::from_bytes(&d).unwrap().with_key_id("es256"));
    let client = server
        .client(OpClient::Jar)
        .with_signed_requests(key)
        .unwrap();
    let (request, pending) = Start::new(&client)
        .scope(Scope::parse("files:read").unwrap())
        .resource(mcp(&server))
        .authorization_details(details(payment("Merchant A", &["initiate"])))
        .begin(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
        .unwrap();
    let names: Vec<String> = url::Url::parse(request.url())
        .unwrap()
        .query_pairs()
        .map(|(name, _)| name.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request"]);

    let callback = Callback::from_url(&server.browser_log_in(request.url())).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let response = send(exchanging.request(&crate::context()).unwrap().into_http()).unwrap();
    assert_eq!(response.status(), 200, "{}", server.log());
    let authorized = exchanging.handle_response(&response, NOW).unwrap();
    assert_granted(
        &authorized.tokens().authorization_details().as_slice()[0],
        &["initiate"],
    );
}

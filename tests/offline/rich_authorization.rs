//! Rich authorization requests (RFC 9396): `authorization_details` in the
//! authorization request, the pushed one, a request object (as an array
//! claim), the code exchange, a refresh and the client credentials grant;
//! the token response's (§7) read strictly and kept across storage and
//! refreshes; an introspection answer's (§9.2); the types the metadata
//! lists (§10); `invalid_authorization_details` typed (§5, §6).

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::{
    AuthorizationErrorCode, CallbackError, ConfigError, EndpointErrorKind, InvalidValue,
    TokenErrorCode,
};
use oauth2_pkce::jose::{ClientAssertionKey, Es256Key};
use oauth2_pkce::resource::{
    AuthorizationDetail, AuthorizationDetails, IntrospectedToken, Introspection,
};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

use crate::rendering::{decode_jws, render};

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

/// RFC 9396 §7's token response example.
const TOKEN_RESPONSE: &str = r#"{
   "access_token": "2YotnFZFEjr1zCsicMWpAA",
   "token_type": "Bearer",
   "expires_in": 3600,
   "refresh_token": "tGzv3JOkF0XG5Qx2TlKWIA",
   "authorization_details": [
      {
         "type": "payment_initiation",
         "actions": [
            "initiate",
            "status",
            "cancel"
         ],
         "locations": [
            "https://example.com/payments"
         ],
         "instructedAmount": {
            "currency": "EUR",
            "amount": "123.50"
         },
         "creditorName": "Merchant A",
         "creditorAccount": {
            "iban": "DE02100100109307118603"
         },
         "remittanceInformationUnstructured": "Ref Number Merchant"
      }
   ]
}"#;

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_code_challenge_methods_supported(["S256"])
    .with_introspection_endpoint("https://as.example/introspect");
    metadata.pushed_authorization_request_endpoint = Some("https://as.example/par".into());
    metadata.authorization_details_types_supported = Some(vec![
        "payment_initiation".into(),
        "account_information".into(),
    ]);
    metadata
}

fn client(metadata: ServerMetadata) -> Client {
    Client::new(
        metadata,
        ClientId::new("s6BhdRkqt3").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
}

/// RFC 9396 §2's payment initiation, built.
fn payment() -> AuthorizationDetail {
    AuthorizationDetail::builder("payment_initiation")
        .location("https://example.com/payments")
        .action("initiate")
        .action("status")
        .action("cancel")
        .member_json(
            "instructedAmount",
            r#"{"currency":"EUR","amount":"123.50"}"#,
        )
        .member("creditorName", "Merchant A")
        .member_json("creditorAccount", r#"{"iban":"DE02100100109307118603"}"#)
        .member("remittanceInformationUnstructured", "Ref Number Merchant")
        .build()
        .unwrap()
}

fn accounts() -> AuthorizationDetail {
    AuthorizationDetail::builder("account_information")
        .location("https://example.com/accounts")
        .action("list_accounts")
        .action("read_balances")
        .build()
        .unwrap()
}

fn asked() -> AuthorizationDetails {
    AuthorizationDetails::new()
        .with(accounts())
        .unwrap()
        .with(payment())
        .unwrap()
}

fn start(client: &Client) -> Start<'_> {
    Start::new(client)
        .scope(Scope::parse("accounts").unwrap())
        .authorization_details(asked())
}

fn json_response(body: &str) -> HttpResponse<'_> {
    HttpResponse::new(200, body.as_bytes()).with_content_type("application/json")
}

fn exchanging(client: &Client) -> Exchanging {
    let (_, pending) = start(client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let query = format!("code=c0de&state={}", pending.state().secret());
    pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap()
}

/// The `authorization_details` parameter of a form or query, decoded.
fn parameter(encoded: &str) -> String {
    url::form_urlencoded::parse(encoded.as_bytes())
        .find(|(name, _)| name == "authorization_details")
        .map(|(_, value)| value.into_owned())
        .expect("an authorization_details parameter")
}

#[test]
fn authorization_request_carries_the_details_url_encoded() {
    let client = client(metadata());
    let (request, _) = start(&client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    insta::assert_snapshot!(
        "authorization_url_with_authorization_details",
        format!("GET {}\n", request.url())
    );
    let query = request.url().split_once('?').unwrap().1;
    assert_eq!(parameter(query), asked().to_json());
    assert_eq!(
        AuthorizationDetails::from_json(&parameter(query)).unwrap(),
        asked()
    );
}

#[test]
fn pushed_request_carries_the_details() {
    let client = client(metadata());
    let pushing = start(&client)
        .push(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let request = pushing.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!(
        "pushed_authorization_request_with_authorization_details",
        render(&request)
    );
    let body = std::str::from_utf8(request.body()).unwrap();
    assert_eq!(parameter(body), asked().to_json());
}

#[test]
fn request_object_carries_the_details_as_an_array_claim() {
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    let key = Es256Key::from_bytes(&d).unwrap().with_key_id("k1");
    let mut metadata = metadata();
    metadata.request_object_signing_alg_values_supported = Some(vec!["ES256".into()]);
    let client = client(metadata)
        .with_signed_requests(ClientAssertionKey::new(key))
        .unwrap();
    let (request, _) = start(&client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let jwt = url::Url::parse(request.url())
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "request")
        .unwrap()
        .1
        .into_owned();
    let (_, mut claims) = decode_jws(&jwt);
    // RFC 9396 §3: a JSON array in the object, not the array's text.
    let details = claims["authorization_details"].take();
    assert!(details.is_array(), "{details}");
    assert_eq!(details[1]["instructedAmount"]["amount"], "123.50");
    insta::assert_snapshot!(
        "request_object_authorization_details_claim",
        serde_json::to_string_pretty(&details).unwrap()
    );
    assert!(!request.url().contains("authorization_details"));
}

#[test]
fn a_type_the_server_does_not_list_is_refused_before_sending() {
    let listing = client(metadata());
    let other = AuthorizationDetail::builder("tax_data").build().unwrap();
    let details = asked().with(other).unwrap();
    let refused = ConfigError::AuthorizationDetailsTypeNotSupported("tax_data".into());
    assert_eq!(
        Start::new(&listing)
            .authorization_details(details.clone())
            .begin(FlowEntropy::from_bytes([7; 64]), NOW)
            .unwrap_err(),
        refused
    );
    assert_eq!(
        Start::new(&listing)
            .authorization_details(details.clone())
            .push(FlowEntropy::from_bytes([7; 64]), NOW)
            .unwrap_err(),
        refused
    );
    assert_eq!(
        ClientCredentials::new(&listing, Scope::empty())
            .unwrap()
            .authorization_details(details.clone())
            .unwrap_err(),
        refused
    );
    assert!(refused.to_string().contains("\"tax_data\""));
    // A server that lists none: the server decides.
    let mut silent = metadata();
    silent.authorization_details_types_supported = None;
    let silent = client(silent);
    assert!(Start::new(&silent)
        .authorization_details(details)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .is_ok());
    // The parameter is the crate's own.
    assert_eq!(
        Start::new(&silent)
            .param("authorization_details", "[]")
            .begin(FlowEntropy::from_bytes([7; 64]), NOW)
            .unwrap_err(),
        ConfigError::ReservedParameter("authorization_details".into())
    );
}

#[test]
fn token_response_example_is_read_typed_and_kept_as_sent() {
    let client = client(metadata());
    let mut exchanging = exchanging(&client);
    // Narrowed to the payment (§6).
    exchanging.for_authorization_details(AuthorizationDetails::new().with(payment()).unwrap());
    let request = exchanging.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("token_request_with_authorization_details", render(&request));
    let authorized = exchanging
        .handle_response(json_response(TOKEN_RESPONSE), NOW)
        .unwrap();
    let granted = authorized.tokens().authorization_details();
    assert_eq!(granted.len(), 1);
    let payment = &granted.as_slice()[0];
    assert_eq!(payment.detail_type(), "payment_initiation");
    assert_eq!(payment.actions(), ["initiate", "status", "cancel"]);
    assert_eq!(payment.locations(), ["https://example.com/payments"]);
    assert_eq!(payment.identifier(), None);
    assert!(payment.datatypes().is_empty() && payment.privileges().is_empty());
    assert_eq!(payment.member("creditorName").unwrap(), "Merchant A");
    assert_eq!(
        payment.member("creditorAccount").unwrap().to_json(),
        r#"{"iban":"DE02100100109307118603"}"#
    );
    let start = TOKEN_RESPONSE.find("{\n         \"type\"").unwrap();
    let end = TOKEN_RESPONSE.find("\n      }").unwrap() + "\n      }".len();
    assert_eq!(payment.json(), &TOKEN_RESPONSE[start..end]);
    assert!(!authorized
        .tokens()
        .extra()
        .contains("authorization_details"));

    // Storage keeps each object byte for byte.
    let stored = Authorized::from_json(authorized.to_json().as_bytes()).unwrap();
    assert_eq!(stored, authorized);
    assert_eq!(
        stored.tokens().authorization_details().as_slice()[0].json(),
        payment.json()
    );
    // A state stored before authorization details loads with none.
    let mut json: serde_json::Value = serde_json::from_str(&authorized.to_json()).unwrap();
    json.as_object_mut()
        .unwrap()
        .remove("authorization_details");
    let old = Authorized::from_json(json.to_string().as_bytes()).unwrap();
    assert!(old.tokens().authorization_details().is_empty());
    // And a grant without any stores none: its stored form is as before.
    assert!(!old.to_json().contains("authorization_details"));
    // The details iterate in order, as a slice does.
    let types: Vec<&str> = authorized
        .tokens()
        .authorization_details()
        .into_iter()
        .map(AuthorizationDetail::detail_type)
        .collect();
    assert_eq!(types, ["payment_initiation"]);
    // A tampered one is refused.
    json["authorization_details"] = serde_json::json!("[{\"actions\":[]}]");
    assert_eq!(
        Authorized::from_json(json.to_string().as_bytes()).unwrap_err(),
        InvalidValue::StoredStateMalformed
    );
}

#[test]
fn refresh_keeps_or_narrows_the_details() {
    let client = client(metadata());
    let authorized = exchanging(&client)
        .handle_response(json_response(TOKEN_RESPONSE), NOW)
        .unwrap();

    // A refresh answered without `authorization_details` keeps the
    // previous token's: a token of the same grant.
    let refreshing = authorized.refresh(&client).unwrap();
    let body = refreshing.request(&crate::CONTEXT).unwrap().body().to_vec();
    assert!(!String::from_utf8(body)
        .unwrap()
        .contains("authorization_details"));
    let refreshed = refreshing
        .handle_response(
            json_response(r#"{"access_token":"at2","token_type":"Bearer"}"#),
            NOW,
        )
        .unwrap();
    assert_eq!(
        refreshed.tokens().authorization_details(),
        authorized.tokens().authorization_details()
    );

    // A narrowed refresh (§6) sends the narrower details; answered
    // without any, the token has those asked for.
    let narrower = AuthorizationDetails::new()
        .with(
            AuthorizationDetail::builder("payment_initiation")
                .action("status")
                .build()
                .unwrap(),
        )
        .unwrap();
    let narrowing = refreshed
        .refresh_with_authorization_details(&client, narrower.clone())
        .unwrap();
    let request = narrowing.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!(
        "refresh_request_with_authorization_details",
        render(&request)
    );
    let narrowed = narrowing
        .handle_response(
            json_response(r#"{"access_token":"at3","token_type":"Bearer"}"#),
            NOW,
        )
        .unwrap();
    assert_eq!(narrowed.tokens().authorization_details(), &narrower);

    // Answered with other details (enriched, or of another type the
    // server chose, §7.1): the server's word is kept.
    let narrowing = narrowed
        .refresh_with_authorization_details(&client, narrower)
        .unwrap();
    let enriched = narrowing
        .handle_response(
            json_response(
                r#"{"access_token":"at4","token_type":"Bearer","authorization_details":[{"type":"account_information","accounts":[{"iban":"DE2310010010123456789"}]}]}"#,
            ),
            NOW,
        )
        .unwrap();
    let details = enriched.tokens().authorization_details();
    assert_eq!(details.types().collect::<Vec<_>>(), ["account_information"]);
    assert_eq!(
        details.as_slice()[0].member("accounts").unwrap().to_json(),
        r#"[{"iban":"DE2310010010123456789"}]"#
    );
}

#[test]
fn client_credentials_asks_with_details() {
    let client = client(metadata());
    let grant = ClientCredentials::new(&client, Scope::empty())
        .unwrap()
        .authorization_details(AuthorizationDetails::new().with(accounts()).unwrap())
        .unwrap();
    let request = grant.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!(
        "client_credentials_request_with_authorization_details",
        render(&request)
    );
    let body = std::str::from_utf8(request.body()).unwrap();
    assert_eq!(
        parameter(body),
        r#"[{"type":"account_information","locations":["https://example.com/accounts"],"actions":["list_accounts","read_balances"]}]"#
    );
    let authorized = grant
        .handle_response(
            json_response(
                r#"{"access_token":"cc","token_type":"Bearer","authorization_details":[{"type":"account_information","actions":["list_accounts"]}]}"#,
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(
        authorized.tokens().authorization_details().as_slice()[0].actions(),
        ["list_accounts"]
    );
}

#[test]
fn malformed_details_in_a_token_response_are_typed_errors() {
    let client = client(metadata());
    for (details, problem) in [
        (
            r#"{"type":"a"}"#,
            InvalidValue::AuthorizationDetailsMalformed,
        ),
        (
            r#""[{\"type\":\"a\"}]""#,
            InvalidValue::AuthorizationDetailsMalformed,
        ),
        (r#"["a"]"#, InvalidValue::AuthorizationDetailsMalformed),
        (
            r#"[{"actions":["read"]}]"#,
            InvalidValue::AuthorizationDetailType,
        ),
        (r#"[{"type":""}]"#, InvalidValue::AuthorizationDetailType),
        (
            r#"[{"type":"a","locations":"https://x"}]"#,
            InvalidValue::AuthorizationDetailMember("locations"),
        ),
        (
            r#"[{"type":"a","identifier":1}]"#,
            InvalidValue::AuthorizationDetailMember("identifier"),
        ),
    ] {
        let body = format!(
            r#"{{"access_token":"at","token_type":"Bearer","authorization_details":{details}}}"#
        );
        let failure = exchanging(&client)
            .handle_response(json_response(&body), NOW)
            .unwrap_err();
        assert_eq!(
            failure.error().kind(),
            &EndpointErrorKind::InvalidAuthorizationDetails(problem.clone()),
            "{details}"
        );
        assert!(failure.error().kind().is_malformed_response());
        assert!(failure
            .error()
            .to_string()
            .contains("authorization_details"));
    }
    // Twice is refused as any member twice.
    let body = r#"{"access_token":"at","token_type":"Bearer","authorization_details":[],"authorization_details":[]}"#;
    let failure = exchanging(&client)
        .handle_response(json_response(body), NOW)
        .unwrap_err();
    assert_eq!(
        failure.error().kind(),
        &EndpointErrorKind::DuplicateMember("authorization_details".into())
    );
    // `null` is absent.
    let body = r#"{"access_token":"at","token_type":"Bearer","authorization_details":null}"#;
    let authorized = exchanging(&client)
        .handle_response(json_response(body), NOW)
        .unwrap();
    assert!(authorized.tokens().authorization_details().is_empty());
    // A form-encoded body carries the array as text.
    let body =
        "access_token=at&token_type=Bearer&authorization_details=%5B%7B%22type%22%3A%22a%22%7D%5D";
    let authorized = exchanging(&client)
        .handle_response(
            HttpResponse::new(200, body.as_bytes())
                .with_content_type("application/x-www-form-urlencoded"),
            NOW,
        )
        .unwrap();
    assert_eq!(
        authorized.tokens().authorization_details().as_slice()[0].json(),
        r#"{"type":"a"}"#
    );
}

#[test]
fn invalid_authorization_details_is_a_typed_code() {
    let client = client(metadata());
    let body = r#"{"error":"invalid_authorization_details","error_description":"unknown type"}"#;
    let failure = exchanging(&client)
        .handle_response(
            HttpResponse::new(400, body.as_bytes()).with_content_type("application/json"),
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        failure.error().code(),
        Some(&TokenErrorCode::InvalidAuthorizationDetails)
    );
    assert!(failure.into_retry().is_none());

    let (_, pending) = start(&client)
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let query = format!(
        "error=invalid_authorization_details&state={}",
        pending.state().secret()
    );
    match pending.handle_callback(&client, Callback::from_query(&query).unwrap()) {
        Err(CallbackError::Authorization(error)) => assert_eq!(
            error.error(),
            &AuthorizationErrorCode::InvalidAuthorizationDetails
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn introspection_answer_carries_the_details() {
    let client = client(metadata());
    let step = Introspection::new(&client, IntrospectedToken::new("at")).unwrap();
    // RFC 9396 §9.2's example.
    let body = r#"{
   "active": true,
   "sub": "24400320",
   "aud": "s6BhdRkqt3",
   "exp": 1311281970,
   "acr": "psd2_sca",
   "txn": "8b4729cc-32e4-4370-8cf0-5796154d1296",
   "authorization_details": [
      {
         "type": "https://scheme.example.com/payment_initiation",
         "actions": ["initiate", "status", "cancel"],
         "locations": ["https://example.com/payments"],
         "instructedAmount": {"currency": "EUR", "amount": "123.50"},
         "creditorName": "Merchant123",
         "creditorAccount": {"iban": "DE02100100109307118603"},
         "remittanceInformationUnstructured": "Ref Number Merchant"
      }
   ],
   "debtorAccount": {"iban": "DE40100100103307118608", "user_role": "owner"}
}"#;
    let answer = step.handle_response(json_response(body), NOW).unwrap();
    let details = answer.authorization_details();
    assert_eq!(
        details.types().collect::<Vec<_>>(),
        ["https://scheme.example.com/payment_initiation"]
    );
    assert_eq!(
        details.as_slice()[0].member("creditorName").unwrap(),
        "Merchant123"
    );
    assert!(answer.extra().contains("debtorAccount"));
    assert!(!answer.extra().contains("authorization_details"));

    let step = Introspection::new(&client, IntrospectedToken::new("at")).unwrap();
    let failure = step
        .handle_response(
            json_response(r#"{"active":true,"authorization_details":[{}]}"#),
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        failure.error().kind(),
        &EndpointErrorKind::InvalidAuthorizationDetails(InvalidValue::AuthorizationDetailType)
    );
}

#[test]
fn registration_names_the_types_the_client_asks_for() {
    use oauth2_pkce::registration::{ClientMetadata, Registration};
    let mut metadata = metadata();
    metadata.registration_endpoint = Some("https://as.example/register".into());
    let registration = Registration::new(
        metadata.clone(),
        ClientMetadata::new(RedirectUri::new("https://client.example.org/cb").unwrap())
            .authorization_details_type("payment_initiation")
            .authorization_details_type("account_information"),
    )
    .unwrap();
    let request = registration.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!(
        "registration_request_with_authorization_details_types",
        render(&request)
    );
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(
        body["authorization_details_types"],
        serde_json::json!(["payment_initiation", "account_information"])
    );
    // None named: the member is left out.
    let plain = Registration::new(
        metadata,
        ClientMetadata::new(RedirectUri::new("https://client.example.org/cb").unwrap()),
    )
    .unwrap();
    let body = plain.request(&crate::CONTEXT).unwrap().body().to_vec();
    assert!(!String::from_utf8(body)
        .unwrap()
        .contains("authorization_details_types"));
}

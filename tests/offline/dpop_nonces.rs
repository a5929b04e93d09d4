//! DPoP nonces (RFC 9449 §8.2, §9): the nonce a server supplied is used
//! "until the server supplies a new nonce value" — kept after the request
//! it was accepted with even when the answer names none, carried from a
//! pushed request to the code exchange, from the exchange to every
//! refresh, through a device login, and for each resource server apart
//! from the authorization server's.

use std::cell::RefCell;

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::device::DeviceAuthorization;
use oauth2_pkce::errors::{ChainError, CryptoError, ResourceError, TokenErrorCode};
use oauth2_pkce::jose::{DpopKey, Es256Key};
use oauth2_pkce::values::{HttpRequest, HttpResponse};
use oauth2_pkce::*;

use crate::canned;
use crate::rendering::decode_jws;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const CONTEXT: RequestContext = RequestContext::new(NOW, [0x5e; 32]);
const DEMAND: &[u8] = br#"{"error":"use_dpop_nonce","error_description":"nonce required"}"#;
const TOKENS: &[u8] =
    br#"{"token_type":"DPoP","access_token":"bound-access","refresh_token":"r-1","expires_in":60}"#;

fn client() -> Client {
    // RFC 7515 Appendix A.3's P-256 key.
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    bearer_client()
        .with_dpop(DpopKey::new(Es256Key::from_bytes(&d).unwrap()))
        .unwrap()
}

/// The same client without a DPoP key.
fn bearer_client() -> Client {
    let mut metadata = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_device_authorization_endpoint("https://as.example/device");
    metadata.pushed_authorization_request_endpoint = Some("https://as.example/par".into());
    Client::new(
        metadata,
        ClientId::new("s6BhdRkqt3").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
}

/// The authorization server's `use_dpop_nonce` answer with `nonce`.
fn demand(nonce: &str) -> HttpResponse<'_> {
    HttpResponse::new(400, DEMAND)
        .with_content_type("application/json")
        .with_dpop_nonce(nonce)
}

fn tokens() -> HttpResponse<'static> {
    HttpResponse::new(200, TOKENS).with_content_type("application/json")
}

/// The `nonce` claim of a request's proof.
fn nonce_of(request: &HttpRequest) -> Option<String> {
    let (_, claims) = decode_jws(request.header("dpop").expect("a DPoP proof"));
    claims["nonce"].as_str().map(String::from)
}

/// The `nonce` claim of an `http` request's proof.
fn http_nonce_of(request: &http::Request<RequestBody>) -> Option<String> {
    let (_, claims) = decode_jws(request.headers()["dpop"].to_str().unwrap());
    claims["nonce"].as_str().map(String::from)
}

fn exchanging(client: &Client) -> Exchanging {
    let (_, pending) = Start::new(client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    pending.handle_callback(client, callback).unwrap()
}

/// Exchanged after one `use_dpop_nonce` with `as-1`, the answer naming no
/// nonce (the server's is still current).
fn authorized(client: &Client) -> Authorized {
    let step = exchanging(client)
        .handle_response(demand("as-1"), NOW)
        .unwrap_err()
        .into_retry()
        .unwrap();
    step.handle_response(tokens(), NOW).unwrap()
}

/// The nonce a code exchange was accepted with is the grant's, stored with
/// it, and the refresh's first proof carries it; a refresh keeps it, or
/// takes the one its answer supplies.
#[test]
fn the_nonce_an_exchange_was_accepted_with_is_kept_for_the_refresh() {
    let client = client();
    let authorized = authorized(&client);
    assert_eq!(authorized.dpop_nonce(), Some("as-1"));
    let stored = Authorized::from_json(&serde_json::to_vec(&authorized).unwrap()).unwrap();
    assert_eq!(stored.dpop_nonce(), Some("as-1"));

    let refreshing = stored.refresh(&client).unwrap();
    assert_eq!(
        nonce_of(&refreshing.request(&CONTEXT).unwrap()).as_deref(),
        Some("as-1")
    );
    let refreshed = refreshing.handle_response(tokens(), NOW).unwrap();
    assert_eq!(refreshed.dpop_nonce(), Some("as-1"));

    let refreshed = refreshed
        .refresh(&client)
        .unwrap()
        .handle_response(tokens().with_dpop_nonce("as-2"), NOW)
        .unwrap();
    assert_eq!(refreshed.dpop_nonce(), Some("as-2"));

    // A refresh that had to follow a new demand keeps the new nonce.
    let retried = refreshed
        .refresh(&client)
        .unwrap()
        .handle_response(demand("as-3"), NOW)
        .unwrap_err()
        .into_retry()
        .unwrap();
    assert_eq!(
        nonce_of(&retried.request(&CONTEXT).unwrap()).as_deref(),
        Some("as-3")
    );
    let refreshed = retried.handle_response(tokens(), NOW).unwrap();
    assert_eq!(refreshed.dpop_nonce(), Some("as-3"));
}

/// RFC 9449 §8.2 across a pushed login: the nonce the pushed request was
/// accepted with goes into the stored pending flow and the code
/// exchange's first proof, so the exchange needs no `use_dpop_nonce`.
#[test]
fn a_pushed_requests_nonce_goes_to_the_code_exchange() {
    let client = client();
    let pushed = br#"{"request_uri":"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c","expires_in":60}"#;
    let created = || HttpResponse::new(201, pushed).with_content_type("application/json");
    let pushing = || {
        Start::new(&client)
            .push(FlowEntropy::from_bytes([3; 64]), NOW)
            .unwrap()
    };
    let exchange_nonce = |pending: AwaitingCallback| {
        let json = serde_json::to_vec(&pending).unwrap();
        let pending = AwaitingCallback::from_json(&json).unwrap();
        let state = pending.state().secret().to_owned();
        let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
        let exchanging = pending.handle_callback(&client, callback).unwrap();
        nonce_of(&exchanging.request(&CONTEXT).unwrap())
    };

    let retried = pushing()
        .handle_response(demand("par-1"), NOW)
        .unwrap_err()
        .into_retry()
        .unwrap();
    let (_, pending) = retried.handle_response(created(), NOW).unwrap();
    assert_eq!(exchange_nonce(pending).as_deref(), Some("par-1"));

    let (_, pending) = pushing()
        .handle_response(created().with_dpop_nonce("par-2"), NOW)
        .unwrap();
    assert_eq!(exchange_nonce(pending.clone()).as_deref(), Some("par-2"));

    // A stored nonce that could not be one is refused.
    let json = serde_json::to_string(&pending).unwrap();
    let tampered = json.replace("par-2", "par 2");
    assert_ne!(tampered, json);
    assert!(AwaitingCallback::from_json(tampered.as_bytes()).is_err());

    // Without a pushed request there is no nonce to carry.
    let (_, plain) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    assert_eq!(exchange_nonce(plain), None);
}

/// A device login's tokens keep the nonce their poll was accepted with.
#[test]
fn a_device_login_keeps_the_nonce_its_tokens_came_with() {
    let client = client();
    let device = br#"{"device_code":"dc","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device","expires_in":1800}"#;
    let polling = DeviceAuthorization::new(&client, Scope::empty())
        .unwrap()
        .handle_response(
            HttpResponse::new(200, device).with_content_type("application/json"),
            NOW,
        )
        .unwrap();
    let polling = polling
        .handle_response(demand("dev-1"), NOW)
        .unwrap_err()
        .into_retry()
        .unwrap();
    let authorized = polling.handle_response(tokens(), NOW).unwrap();
    assert_eq!(authorized.dpop_nonce(), Some("dev-1"));
}

/// A resource server's `use_dpop_nonce` challenge (RFC 9449 §9).
fn rs_demand(nonce: &str) -> HttpResponse<'_> {
    HttpResponse::new(401, b"")
        .with_www_authenticate(r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#)
        .with_dpop_nonce(nonce)
}

/// Each resource server's nonce is its own (RFC 9449 §9: "a nonce issued
/// by any of them should be used only at the issuing server"), kept by
/// origin, stored with the grant, and bounded in number.
#[test]
fn each_resource_server_has_its_own_nonce() {
    let client = client();
    let mut authorized = authorized(&client);
    let rs = "https://RS.example/a?x=1";
    let proof_nonce = |authorized: &Authorized, uri: &str| {
        let mut request = http::Request::get(uri)
            .body(RequestBody::default())
            .unwrap();
        authorized
            .authorize_dpop_request(&client, &mut request, &CONTEXT)
            .unwrap();
        http_nonce_of(&request)
    };
    // The authorization server's nonce never goes to a resource server.
    assert_eq!(proof_nonce(&authorized, rs), None);

    assert!(authorized.handle_resource_response(rs, rs_demand("rs-1")));
    assert_eq!(proof_nonce(&authorized, rs).as_deref(), Some("rs-1"));
    // Scheme and host in any case, the default port: the same server.
    assert_eq!(
        authorized.resource_dpop_nonce("https://rs.EXAMPLE:443/b"),
        Some("rs-1")
    );
    // The same nonce demanded again: sending again would not help.
    assert!(!authorized.handle_resource_response(rs, rs_demand("rs-1")));
    // A new nonce with a success: kept, nothing to send again.
    let ok = HttpResponse::new(200, b"{}").with_dpop_nonce("rs-2");
    assert!(!authorized.handle_resource_response(rs, ok));
    assert_eq!(proof_nonce(&authorized, rs).as_deref(), Some("rs-2"));
    // Another error with a nonce: kept, not a demand.
    let invalid = HttpResponse::new(401, b"")
        .with_www_authenticate(r#"DPoP error="invalid_token""#)
        .with_dpop_nonce("rs-3");
    assert!(!authorized.handle_resource_response(rs, invalid));
    assert_eq!(authorized.resource_dpop_nonce(rs), Some("rs-3"));
    // A nonce that is not 1*NQCHAR is never kept.
    assert!(!authorized.handle_resource_response(rs, rs_demand("bad nonce")));
    assert_eq!(authorized.resource_dpop_nonce(rs), Some("rs-3"));

    // Other servers, and the authorization server's own nonce, apart.
    assert_eq!(
        authorized.resource_dpop_nonce("https://rs.example:8443/a"),
        None
    );
    assert_eq!(proof_nonce(&authorized, "https://api.example/"), None);
    assert_eq!(authorized.dpop_nonce(), Some("as-1"));

    // Stored with the grant.
    let json = serde_json::to_string(&authorized).unwrap();
    let stored = Authorized::from_json(json.as_bytes()).unwrap();
    assert_eq!(stored, authorized);
    assert_eq!(stored.resource_dpop_nonce(rs), Some("rs-3"));
    for (from, to) in [("https://rs.example", "ftp://rs.example"), ("rs-3", "rs 3")] {
        let tampered = json.replace(from, to);
        assert_ne!(tampered, json);
        assert!(
            Authorized::from_json(tampered.as_bytes()).is_err(),
            "{tampered}"
        );
    }

    // Plain `http` (loopback) has its own default port.
    assert!(authorized.handle_resource_response("http://127.0.0.1/a", rs_demand("lo-1")));
    assert_eq!(
        authorized.resource_dpop_nonce("http://127.0.0.1:80/b"),
        Some("lo-1")
    );

    // Eight servers at most: the oldest one's nonce is forgotten.
    for server in 0..8 {
        let uri = format!("https://rs{server}.example/");
        assert!(authorized.handle_resource_response(&uri, rs_demand("n")));
    }
    assert_eq!(authorized.resource_dpop_nonce(rs), None);
    assert_eq!(
        authorized.resource_dpop_nonce("https://rs7.example/"),
        Some("n")
    );
    let json = serde_json::to_string(&authorized).unwrap();
    assert_eq!(Authorized::from_json(json.as_bytes()).unwrap(), authorized);
    // An origin is kept in lowercase and within the longest host and port.
    let long = format!("https://{}.example", "a".repeat(255));
    for origin in ["https://RS7.example", long.as_str()] {
        let tampered = json.replace("https://rs7.example", origin);
        assert_ne!(tampered, json);
        assert!(
            Authorized::from_json(tampered.as_bytes()).is_err(),
            "{origin}"
        );
    }
    let ninth = json.replacen(
        r#""dpop_resource_nonces":["#,
        r#""dpop_resource_nonces":[["https://rs8.example","n"],"#,
        1,
    );
    assert_ne!(ninth, json);
    assert!(Authorized::from_json(ninth.as_bytes()).is_err());
}

/// A demand is followed only when it can change the next proof: not when
/// it names the nonce the step's proof already carried (a refresh starts
/// with the grant's), and not by a client without a DPoP key.
#[test]
fn a_demand_that_cannot_change_the_proof_is_not_followed() {
    let client = client();
    let refreshing = authorized(&client).refresh(&client).unwrap();
    let failure = refreshing.handle_response(demand("as-1"), NOW).unwrap_err();
    assert!(!failure.is_fallback());
    assert_eq!(failure.code(), Some(&TokenErrorCode::UseDpopNonce));

    let failure = exchanging(&bearer_client())
        .handle_response(demand("as-1"), NOW)
        .unwrap_err();
    assert!(!failure.is_fallback());
    assert!(failure.into_retry().is_none());
}

/// A bearer token has no nonce to keep.
#[test]
fn a_bearer_token_keeps_no_nonce() {
    let client = client();
    let bearer = br#"{"token_type":"Bearer","access_token":"plain","expires_in":60}"#;
    let mut authorized = exchanging(&client)
        .handle_response(
            HttpResponse::new(200, bearer).with_content_type("application/json"),
            NOW,
        )
        .unwrap();
    let rs = "https://rs.example/";
    assert!(!authorized.handle_resource_response(rs, rs_demand("rs-1")));
    assert_eq!(authorized.resource_dpop_nonce(rs), None);
}

fn fixed_clock() -> UnixTime {
    NOW
}

fn fixed_entropy() -> Result<[u8; 32], CryptoError> {
    Ok([7; 32])
}

/// One driver call per resource request, Bearer or DPoP: a resource
/// server's nonce demand is followed once, with the caller's method,
/// headers and body sent again, and the nonce is kept for the next call,
/// which then needs one request.
#[test]
fn a_driver_follows_a_resource_servers_nonce_demand() {
    let client = client();
    let mut authorized = authorized(&client);
    fn driver<T>(transport: T) -> Driver<T> {
        Driver::with_policy(transport, RetryPolicy::new(1))
            .with_clock(fixed_clock)
            .with_entropy(fixed_entropy)
    }
    let sent = RefCell::new(Vec::new());
    // The server wants `rs-1` and says so once.
    let send = |request: http::Request<RequestBody>| {
        let nonce = http_nonce_of(&request);
        assert_eq!(request.headers()["authorization"], "DPoP bound-access");
        assert_eq!(request.headers()["content-type"], "application/json");
        assert_eq!(request.body().as_bytes(), br#"{"n":1}"#);
        sent.borrow_mut().push(nonce.clone());
        let response = match nonce.as_deref() {
            Some("rs-1") => http::Response::builder().status(200),
            _ => http::Response::builder()
                .status(401)
                .header("www-authenticate", r#"DPoP error="use_dpop_nonce""#)
                .header("dpop-nonce", "rs-1"),
        };
        Ok::<_, std::convert::Infallible>(response.body(Vec::new()).unwrap())
    };
    let request = || {
        http::Request::post("https://rs.example/items")
            .header("content-type", "application/json")
            .body(RequestBody::from(br#"{"n":1}"#.to_vec()))
            .unwrap()
    };
    let first = driver(transport::from_fn(send))
        .request_resource(&client, &mut authorized, request())
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(*sent.borrow(), [None, Some("rs-1".to_owned())]);
    let again = driver(transport::from_fn(send))
        .request_resource(&client, &mut authorized, request())
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(sent.borrow().len(), 3, "the kept nonce needs no demand");

    // A server that demands a new nonce every time: one retry, then its
    // answer is the caller's.
    let count = RefCell::new(0_u32);
    let greedy = |_: http::Request<RequestBody>| {
        *count.borrow_mut() += 1;
        assert!(*count.borrow() <= 2, "a demand followed more than once");
        let response = http::Response::builder()
            .status(401)
            .header("www-authenticate", r#"DPoP error="use_dpop_nonce""#)
            .header("dpop-nonce", format!("n-{}", count.borrow()))
            .body(Vec::new())
            .unwrap();
        Ok::<_, std::convert::Infallible>(response)
    };
    let answer = driver(transport::from_fn(greedy))
        .request_resource(&client, &mut authorized, request())
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(*count.borrow(), 2);

    // The async driver does the same.
    let mut fresh = self::authorized(&client);
    sent.borrow_mut().clear();
    let answer = crate::block_on(driver(canned(send, |_| {})).request_resource_async(
        &client,
        &mut fresh,
        request(),
    ))
    .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(*sent.borrow(), [None, Some("rs-1".to_owned())]);
    *count.borrow_mut() = 0;
    let answer = crate::block_on(driver(canned(greedy, |_| {})).request_resource_async(
        &client,
        &mut fresh,
        request(),
    ))
    .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(*count.borrow(), 2);

    // A bearer token: one request, `Authorization: Bearer`.
    let bearer = br#"{"token_type":"Bearer","access_token":"plain","expires_in":60}"#;
    let mut plain = exchanging(&client)
        .handle_response(
            HttpResponse::new(200, bearer).with_content_type("application/json"),
            NOW,
        )
        .unwrap();
    let answer = driver(transport::from_fn(|request: http::Request<RequestBody>| {
        assert_eq!(request.headers()["authorization"], "Bearer plain");
        assert!(request.headers().get("dpop").is_none());
        Ok::<_, std::convert::Infallible>(http::Response::new(Vec::<u8>::new()))
    }))
    .request_resource(
        &client,
        &mut plain,
        http::Request::get("https://rs.example/")
            .body(RequestBody::default())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(answer.status(), 200);
    // Never over plain http to another host.
    let never = |_: http::Request<RequestBody>| -> Result<http::Response<Vec<u8>>, std::convert::Infallible> {
        unreachable!("nothing is sent")
    };
    let refused = driver(transport::from_fn(never)).request_resource(
        &client,
        &mut authorized,
        http::Request::get("http://rs.example/")
            .body(RequestBody::default())
            .unwrap(),
    );
    assert!(matches!(
        refused,
        Err(ChainError::Resource(ResourceError::InsecureTarget))
    ));
}

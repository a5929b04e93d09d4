//! Interop: DPoP (RFC 9449) against oidc-provider, which binds tokens to
//! the proof's key (`token_type: DPoP`), verifies every proof (`htm`,
//! `htu`, `iat`, `jti`, `ath`, the signature with the embedded key) and,
//! on the server started with `DPOP_REQUIRE_NONCE=1`, demands a nonce of
//! its own in every proof (`use_dpop_nonce` with a `DPoP-Nonce` header).

use crate::interop_node_common;

use interop_node_common::{OidcProvider, OpClient, NOW, TEST_USER};
use std::cell::Cell;

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    errors::ApiMisuse, errors::ResourceError, errors::TokenErrorCode, jose::DpopKey,
    jose::Ed25519Key, jose::Es256Key, resource::DpopChallenge, resource::NextStep, transport,
    Authorized, AwaitingCallback, Callback, Client, ClientCredentials, Driver, FlowEntropy,
    RequestBody, Scope, Start,
};

fn key(seed: u8) -> DpopKey {
    DpopKey::new(Es256Key::from_bytes(&[seed; 32]).unwrap())
}

fn dpop_client(server: &OidcProvider, key: DpopKey) -> Client {
    let metadata = server.metadata();
    let algs = metadata.dpop_signing_alg_values_supported.clone().unwrap();
    assert!(algs.iter().any(|alg| alg == "ES256"), "{algs:?}");
    interop_node_common::client(metadata, OpClient::Basic, OpClient::Basic.authentication())
        .with_dpop(key)
        .unwrap()
}

/// Sends `step` until it is done, following a `use_dpop_nonce` answer
/// (the step hands itself back with the nonce, as a fallback); how many
/// requests it took.
fn run<S: EndpointStep>(mut step: S) -> (S::Output, usize) {
    for sent in 1..=3 {
        let request = step.request(&crate::context()).unwrap().into_http();
        let response = interop_node_common::send(request).unwrap();
        match step.handle_response(&response, NOW) {
            Ok(output) => return (output, sent),
            Err(failure) if failure.is_fallback() => {
                let code = failure.code().cloned();
                assert_eq!(code, Some(TokenErrorCode::UseDpopNonce));
                step = failure.into_retry().unwrap();
            }
            Err(failure) => panic!("{}", failure.error()),
        }
    }
    panic!("no answer after three requests")
}

/// A login of `client` (not pushed), the test user consenting: its
/// pending flow and the callback.
fn log_in(server: &OidcProvider, client: &Client) -> (AwaitingCallback, Callback) {
    let (authorization, pending) = Start::new(client)
        .scope(Scope::parse("openid").unwrap())
        .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let callback = server.browser_log_in(authorization.url());
    (pending, Callback::from_url(&callback).unwrap())
}

/// The provider's userinfo, called with `authorized`'s DPoP-bound token
/// and a proof of `client`'s key, with the nonce the grant keeps.
fn userinfo(
    server: &OidcProvider,
    client: &Client,
    authorized: &Authorized,
) -> http::Response<Vec<u8>> {
    let mut request = http::Request::get(server.url("/me"))
        .body(RequestBody::default())
        .unwrap();
    authorized
        .authorize_dpop_request(client, &mut request, &crate::context())
        .unwrap();
    interop_node_common::send(request).unwrap()
}

/// The whole lifecycle with DPoP-bound tokens: the authorization request
/// names the key (`dpop_jkt`), the exchange and the refresh carry proofs,
/// the tokens are bound and are never sent as bearer tokens, userinfo
/// takes them with a proof, and a refresh with another key is refused
/// before anything is sent.
#[test]
fn dpop_bound_tokens_end_to_end() {
    let server = OidcProvider::start();
    let dpop = key(7);
    let client = dpop_client(&server, dpop.clone());
    let (authorization, pending) = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let jkt = dpop.thumbprint();
    assert!(authorization.url().contains(&format!("dpop_jkt={jkt}")));
    let callback = server.browser_log_in(authorization.url());
    let callback = oauth2_pkce::Callback::from_url(&callback).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let request = exchanging.request(&crate::context()).unwrap();
    assert!(request.header("dpop").is_some());
    let (authorized, sent) = run(exchanging);
    assert_eq!(sent, 1, "no nonce needed on this server");
    assert_eq!(authorized.tokens().dpop_jkt(), Some(jkt.as_str()));

    // Never as a bearer token; with a proof, userinfo answers.
    let me = server.url("/me");
    let mut never = http::Request::get(&me).body(()).unwrap();
    assert_eq!(
        authorized.authorize_request(&mut never).unwrap_err(),
        ResourceError::Misuse(ApiMisuse::DpopBound)
    );
    let mut as_bearer = http::Request::get(&me).body(Vec::new()).unwrap();
    let token = authorized.tokens().access_token().secret();
    as_bearer
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    assert_eq!(interop_node_common::send(as_bearer).unwrap().status(), 401);
    let me = userinfo(&server, &client, &authorized);
    assert_eq!(me.status(), 200, "{}", server.log());
    let me: serde_json::Value = serde_json::from_slice(me.body()).unwrap();
    assert_eq!(me["sub"], TEST_USER);

    // The refresh: with the key, bound again; with another key, refused.
    let other = dpop_client(&server, key(8));
    assert_eq!(
        authorized.refresh(&other).unwrap_err(),
        ApiMisuse::DpopKeyMismatch
    );
    let (refreshed, _) = run(authorized.refresh(&client).unwrap());
    assert_eq!(refreshed.tokens().dpop_jkt(), Some(jkt.as_str()));
    assert_eq!(refreshed.tokens().generation(), 1);

    // The client credentials grant, with an Ed25519 key this time.
    let ed = DpopKey::new(Ed25519Key::from_bytes(&[9; 32]));
    let machine = dpop_client(&server, ed.clone());
    let (tokens, _) = run(ClientCredentials::new(&machine, Scope::empty()).unwrap());
    assert_eq!(tokens.tokens().dpop_jkt(), Some(ed.thumbprint().as_str()));
}

/// A login pushed with a proof (RFC 9449 §10.1): the pending flow and the
/// callback.
fn pushed_login(
    server: &OidcProvider,
    client: &Client,
) -> (oauth2_pkce::AwaitingCallback, oauth2_pkce::Callback) {
    let pushing = Start::new(client)
        .scope(Scope::parse("openid").unwrap())
        .push(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let request = pushing.request(&crate::context()).unwrap();
    assert!(request.header("dpop").is_some());
    let response = interop_node_common::send(request.into_http()).unwrap();
    assert_eq!(response.status(), 201, "{}", server.log());
    let (authorization, pending) = pushing.handle_response(&response, NOW).unwrap();
    let callback = server.browser_log_in(authorization.url());
    (pending, oauth2_pkce::Callback::from_url(&callback).unwrap())
}

/// A pushed authorization request with a proof binds the code to the key:
/// exchanged with another key it is refused (and spent); with the key, it
/// gives bound tokens.
#[test]
fn a_pushed_request_binds_the_code_to_the_key() {
    let server = OidcProvider::start();
    let client = dpop_client(&server, key(7));

    let (pending, callback) = pushed_login(&server, &client);
    let stranger = dpop_client(&server, key(8));
    let exchanging = pending.handle_callback(&stranger, callback).unwrap();
    let request = exchanging.request(&crate::context()).unwrap().into_http();
    let response = interop_node_common::send(request).unwrap();
    assert_eq!(response.status(), 400, "{}", server.log());
    let failure = exchanging.handle_response(&response, NOW).unwrap_err();
    assert!(
        failure.code() == Some(&TokenErrorCode::InvalidGrant),
        "{}",
        failure.error()
    );

    let (pending, callback) = pushed_login(&server, &client);
    let (authorized, _) = run(pending.handle_callback(&client, callback).unwrap());
    assert_eq!(
        authorized.tokens().dpop_jkt(),
        Some(key(7).thumbprint().as_str())
    );
}

/// A server that demands its own nonce in every proof (RFC 9449 §8, §9),
/// every request counted through a driver: the first code exchange takes
/// two requests (its first proof cannot know the nonce), and every refresh
/// after it one, the grant stored and read back in between; the first
/// userinfo call two (a resource server's nonce is its own, §9), and every
/// call after it one. A pushed login's nonce carries over to its code
/// exchange, which then takes one request.
#[test]
fn nonces_the_server_supplied_are_kept() {
    let server = OidcProvider::start_with(&[("DPOP_REQUIRE_NONCE", "1")]);
    let client = dpop_client(&server, key(7));
    let sent = Cell::new(0);
    let send = |request: http::Request<RequestBody>| {
        sent.set(sent.get() + 1);
        interop_node_common::send(request)
    };
    let counted = |before: usize| sent.get() - before;
    let no_sleep = |_| unreachable!("nothing here waits");
    let driver = Driver::new(transport::from_fn(send).with_sleep(no_sleep)).unwrap();
    let stored = |authorized: &Authorized| {
        Authorized::from_json(serde_json::to_string(authorized).unwrap().as_bytes()).unwrap()
    };

    let (pending, callback) = log_in(&server, &client);
    let before = sent.get();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let mut authorized = driver.run(exchanging).unwrap();
    assert_eq!(counted(before), 2, "{}", server.log());
    assert!(authorized.dpop_nonce().is_some());
    for _ in 0..3 {
        let before = sent.get();
        let refreshing = stored(&authorized).refresh(&client).unwrap();
        authorized = driver.run(refreshing).unwrap();
        assert_eq!(counted(before), 1, "each refresh: {}", server.log());
    }

    let me = server.url("/me");
    for call in 0..4 {
        let before = sent.get();
        let request = http::Request::get(&me)
            .body(RequestBody::default())
            .unwrap();
        let mut grant = stored(&authorized);
        let answer = driver
            .request_resource(&client, &mut grant, request)
            .unwrap();
        assert_eq!(answer.status(), 200, "{}", server.log());
        let userinfo: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
        assert_eq!(userinfo["sub"], TEST_USER);
        let expected = if call == 0 { 2 } else { 1 };
        assert_eq!(counted(before), expected, "userinfo call {call}");
        assert!(grant.resource_dpop_nonce(&me).is_some());
        authorized = grant;
    }
    // The resource server's nonce left the authorization server's alone.
    let before = sent.get();
    let refreshed = driver.run(authorized.refresh(&client).unwrap()).unwrap();
    assert_eq!(counted(before), 1);
    assert!(refreshed.tokens().dpop_jkt().is_some());

    // A pushed login: the push follows the demand, the exchange needs none.
    let pushing = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .push(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let before = sent.get();
    let (authorization, pending) = driver.run(pushing).unwrap();
    assert_eq!(counted(before), 2, "{}", server.log());
    let pending = AwaitingCallback::from_json(&serde_json::to_vec(&pending).unwrap()).unwrap();
    let callback = Callback::from_url(&server.browser_log_in(authorization.url())).unwrap();
    let before = sent.get();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let pushed = driver.run(exchanging).unwrap();
    assert_eq!(
        counted(before),
        1,
        "the pushed request's nonce: {}",
        server.log()
    );
    assert!(pushed.tokens().dpop_jkt().is_some());

    // The client credentials grant follows one demand by itself.
    let machine = dpop_client(&server, key(9));
    let (_, sent) = run(ClientCredentials::new(&machine, Scope::empty()).unwrap());
    assert_eq!(sent, 2);
}

/// The caller's own loop, step by step: a resource server's demand is
/// read from its challenge, and the nonce it names works.
#[test]
fn a_resource_servers_demand_by_hand() {
    let server = OidcProvider::start_with(&[("DPOP_REQUIRE_NONCE", "1")]);
    let client = dpop_client(&server, key(7));
    let (pending, callback) = log_in(&server, &client);
    let (mut authorized, _) = run(pending.handle_callback(&client, callback).unwrap());
    let first = userinfo(&server, &client, &authorized);
    assert_eq!(first.status(), 401);
    let challenge = DpopChallenge::from_response(&first).unwrap().unwrap();
    assert!(challenge.algs().any(|alg| alg == "ES256"), "{challenge:?}");
    assert!(matches!(challenge.next_step(), NextStep::UseNonce { .. }));
    assert!(authorized.handle_resource_response(&server.url("/me"), &first));
    let again = userinfo(&server, &client, &authorized);
    assert_eq!(again.status(), 200, "{}", server.log());
}

/// A public client's refresh token is bound to its DPoP key (RFC 9449
/// §5): refreshed with the key, it works; the same refresh token sent with
/// another key's proof is refused by the server. A proof sent twice is a
/// replay, refused too.
#[test]
fn a_public_clients_refresh_token_is_bound_and_proofs_are_not_replayed() {
    let server = OidcProvider::start();
    let public = |key: DpopKey| {
        interop_node_common::client(
            server.metadata(),
            OpClient::Public,
            OpClient::Public.authentication(),
        )
        .with_dpop(key)
        .unwrap()
    };
    let client = public(key(7));
    let (pending, callback) = log_in(&server, &client);
    let (authorized, _) = run(pending.handle_callback(&client, callback).unwrap());
    assert!(authorized.tokens().refresh_token().is_some());

    // This crate refuses to send it with another key; sent anyway (the
    // stored grant's thumbprint edited by hand), the server refuses it.
    let thief = public(key(8));
    assert_eq!(
        authorized.refresh(&thief).unwrap_err(),
        ApiMisuse::DpopKeyMismatch
    );
    let stolen = serde_json::to_string(&authorized)
        .unwrap()
        .replace(&key(7).thumbprint(), &key(8).thumbprint());
    let stolen = oauth2_pkce::Authorized::from_json(stolen.as_bytes()).unwrap();
    let refreshing = stolen.refresh(&thief).unwrap();
    let request = refreshing.request(&crate::context()).unwrap().into_http();
    let response = interop_node_common::send(request).unwrap();
    assert_eq!(response.status(), 400, "{}", server.log());
    let failure = refreshing.handle_response(&response, NOW).unwrap_err();
    assert!(
        failure.code() == Some(&TokenErrorCode::InvalidGrant),
        "{}",
        failure.error()
    );

    // With its key, the refresh works, and the token stays bound.
    let (refreshed, _) = run(authorized.refresh(&client).unwrap());
    assert_eq!(
        refreshed.tokens().dpop_jkt(),
        Some(key(7).thumbprint().as_str())
    );

    // The same proof again (same context, same jti): a replay.
    let grant = ClientCredentials::new(&dpop_client(&server, key(7)), Scope::empty()).unwrap();
    let context = crate::context();
    let first = interop_node_common::send(grant.request(&context).unwrap().into_http()).unwrap();
    assert_eq!(first.status(), 200, "{}", server.log());
    let replay = interop_node_common::send(grant.request(&context).unwrap().into_http()).unwrap();
    assert_eq!(replay.status(), 400, "{}", server.log());
    let failure = grant.handle_response(&replay, NOW).unwrap_err();
    // oidc-provider calls a replayed proof an invalid grant.
    assert!(
        failure.code() == Some(&TokenErrorCode::InvalidGrant),
        "{}",
        failure.error()
    );
    assert!(
        server.log_contains("DPoP proof JWT Replay detected"),
        "{}",
        server.log()
    );
}

/// A FAPI 2.0 client (`Client::fapi2`): private_key_jwt, every login
/// pushed with a proof, `iss` required, DPoP-bound tokens only — the whole
/// lifecycle against oidc-provider.
#[test]
fn a_fapi2_client_end_to_end() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let server = OidcProvider::start();
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    let assertion_key = oauth2_pkce::jose::ClientAssertionKey::new(
        Es256Key::from_bytes(&d).unwrap().with_key_id("es256"),
    );
    let client = Client::fapi2(
        server.metadata(),
        oauth2_pkce::ClientId::new("jwt-client").unwrap(),
        assertion_key,
        key(7),
    )
    .unwrap()
    .with_redirect_uri(oauth2_pkce::RedirectUri::new(interop_node_common::REDIRECT_URI).unwrap());

    let authorization = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .authorize(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let oauth2_pkce::Authorization::Push(pushing) = authorization else {
        panic!("a FAPI 2.0 login is pushed");
    };
    let ((authorization, pending), _) = run(pushing);
    let callback = server.browser_log_in(authorization.url());
    let callback = oauth2_pkce::Callback::from_url(&callback).unwrap();
    assert_eq!(callback.iss(), Some(server.issuer()));
    let (authorized, _) = run(pending.handle_callback(&client, callback).unwrap());
    assert_eq!(
        authorized.tokens().dpop_jkt(),
        Some(key(7).thumbprint().as_str())
    );
    assert_eq!(userinfo(&server, &client, &authorized).status(), 200);
    let (refreshed, _) = run(authorized.refresh(&client).unwrap());
    assert_eq!(refreshed.tokens().generation(), 1);
}

/// A FAPI 2.0 Message Signing client (`Client::fapi2_message_signing`):
/// the Security Profile's login, its pushed request a request object
/// signed with the client's key, and the answer a signed response (JARM)
/// verified with the provider's key set before the code is used.
#[test]
fn a_fapi2_message_signing_client_end_to_end() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let server = OidcProvider::start();
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    let assertion_key = oauth2_pkce::jose::ClientAssertionKey::new(
        Es256Key::from_bytes(&d).unwrap().with_key_id("es256"),
    );
    let client = Client::fapi2_message_signing(
        server.metadata(),
        oauth2_pkce::ClientId::new("jwt-client").unwrap(),
        assertion_key,
        key(8),
    )
    .unwrap()
    .with_redirect_uri(oauth2_pkce::RedirectUri::new(interop_node_common::REDIRECT_URI).unwrap());
    let fetch = oauth2_pkce::openid::KeySetFetch::new(&client).unwrap();
    let (keys, _) = run(fetch);

    let authorization = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .authorize(
            FlowEntropy::from_os_rng().unwrap(),
            oauth2_pkce::UnixTime::now(),
        )
        .unwrap();
    let oauth2_pkce::Authorization::Push(pushing) = authorization else {
        panic!("a FAPI 2.0 login is pushed");
    };
    let request = pushing.request(&crate::context()).unwrap().into_http();
    let response = interop_node_common::send(request).unwrap();
    let (authorization, pending) = match pushing.handle_response(&response, NOW) {
        Ok(pushed) => pushed,
        Err(failure) => panic!("{failure}\n{}", server.log()),
    };
    let callback = server.browser_log_in(authorization.url());
    let callback = Callback::from_url(&callback).unwrap();
    assert!(callback.is_jwt_response(), "a signed response");
    let verified = pending
        .verify_response(
            &client,
            &callback,
            &keys,
            &oauth2_pkce::jose::RustCryptoVerifier,
            oauth2_pkce::UnixTime::now(),
        )
        .unwrap_or_else(|error| panic!("{error}\n{}", server.log()));
    assert_eq!(verified.iss(), Some(server.issuer()));
    let (signed_in, _) = run(pending
        .handle_callback(&client, verified)
        .unwrap()
        .sign_in());
    let signed_in = signed_in
        .verify(
            &keys,
            &oauth2_pkce::jose::RustCryptoVerifier,
            oauth2_pkce::UnixTime::now(),
        )
        .unwrap();
    assert_eq!(signed_in.id_token().claims().subject(), TEST_USER);
    assert_eq!(
        signed_in.authorized().tokens().dpop_jkt(),
        Some(key(8).thumbprint().as_str())
    );
}

//! Interop: JWT-secured authorization responses (OpenID JARM) against
//! oidc-provider on 127.0.0.1: a login with `response_mode=query.jwt`
//! comes back with a `response` JWT the provider signed; verified with
//! its key set (§4.4), it signs the user in. A tampered JWT and an
//! unsigned callback are refused.

use crate::interop_node_common;

use interop_node_common::support::{self, send};
use interop_node_common::{OidcProvider, OpClient, TEST_USER};
use oauth2_pkce::errors::{CallbackError, JwtError};
use oauth2_pkce::jose::RustCryptoVerifier;
use oauth2_pkce::openid::{KeySet, KeySetFetch};
use oauth2_pkce::{Callback, Client, EndpointStep, Scope, Start, UnixTime};

fn key_set(client: &Client) -> KeySet {
    let fetch = KeySetFetch::new(client).unwrap();
    let response = send(fetch.request(&crate::context()).unwrap().into_http()).unwrap();
    fetch.handle_response(&response, UnixTime::now()).unwrap()
}

#[test]
fn a_jwt_secured_response_signs_the_user_in() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Basic);
    let keys = key_set(&client);
    let start = Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .param("response_mode", "query.jwt");
    let (pending, callback_url) = support::log_in(start, |url| server.browser_log_in(url));
    let callback = Callback::from_url(&callback_url).unwrap();
    assert!(callback.is_jwt_response(), "{callback_url}");
    assert!(callback.state().is_none(), "only `response` in the URL");

    let inner = pending
        .verify_response(
            &client,
            &callback,
            &keys,
            &RustCryptoVerifier,
            UnixTime::now(),
        )
        .unwrap_or_else(|error| panic!("{error}\n{}", server.log()));
    assert_eq!(inner.iss(), Some(server.issuer()));
    let signing_in = pending.handle_callback(&client, inner).unwrap().sign_in();
    let response = send(signing_in.request(&crate::context()).unwrap().into_http()).unwrap();
    let signed_in = signing_in
        .handle_response(&response, UnixTime::now())
        .unwrap()
        .verify(&keys, &RustCryptoVerifier, UnixTime::now())
        .unwrap();
    assert_eq!(signed_in.id_token().claims().subject(), TEST_USER);
}

#[test]
fn a_tampered_or_unsigned_response_is_refused() {
    let server = OidcProvider::start();
    let client = server.client(OpClient::Basic);
    let keys = key_set(&client);
    let start = Start::new(&client).param("response_mode", "jwt");
    let (pending, callback_url) = support::log_in(start, |url| server.browser_log_in(url));
    let jwt = support::query_param(&callback_url, "response").unwrap();

    // The payload of another login's response would carry another code:
    // any change to the signed part breaks the signature.
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let (header, payload) = input.split_once('.').unwrap();
    let flipped = if payload.ends_with('A') { 'B' } else { 'A' };
    let tampered = format!(
        "{header}.{}{flipped}.{signature}",
        &payload[..payload.len() - 1]
    );
    let forged = Callback::from_query(&format!("response={tampered}")).unwrap();
    assert!(matches!(
        pending
            .verify_response(
                &client,
                &forged,
                &keys,
                &RustCryptoVerifier,
                UnixTime::now()
            )
            .unwrap_err(),
        CallbackError::ResponseRejected(JwtError::BadSignature | JwtError::Malformed)
    ));

    let state = pending.state().secret().to_owned();
    let unsigned = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    assert_eq!(
        pending.handle_callback(&client, unsigned).unwrap_err(),
        CallbackError::ResponseNotSigned
    );
}

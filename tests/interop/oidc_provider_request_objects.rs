//! Interop: JWT-Secured Authorization Requests (RFC 9101) against
//! oidc-provider on 127.0.0.1, in its strict mode (only the object's
//! parameters count), for a client registered with
//! `require_signed_request_object`: a sign-in by value and one pushed
//! (RFC 9126 §3) complete with a verified ID token; the same client
//! without its key is refused before anything is sent, and an object
//! signed with another key is refused by the provider.

use crate::interop_node_common;

use base64ct::{Base64UrlUnpadded, Encoding};
use interop_node_common::support::{self, send};
use interop_node_common::{OidcProvider, OpClient, TEST_USER};
use oauth2_pkce::errors::{ApiMisuse, ConfigError};
use oauth2_pkce::jose::{ClientAssertionKey, Ed25519Key, Es256Key, RustCryptoVerifier};
use oauth2_pkce::openid::KeySetFetch;
use oauth2_pkce::{
    Authorization, Callback, Client, EndpointStep, FlowEntropy, Scope, Start, UnixTime,
};

/// RFC 7515 A.3's P-256 key, registered for `jar-client` as `es256`.
fn es256() -> ClientAssertionKey {
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    ClientAssertionKey::new(Es256Key::from_bytes(&d).unwrap().with_key_id("es256"))
}

fn jar_client(server: &OidcProvider, key: ClientAssertionKey) -> Client {
    server
        .client(OpClient::Jar)
        .with_signed_requests(key)
        .unwrap()
}

/// Signs the test user in through `authorization`'s URL, pushing first
/// when it is a pushed request: the ID token verified.
fn sign_in(server: &OidcProvider, client: &Client, authorization: Authorization) {
    let (url, pending) = match authorization {
        Authorization::Redirect(request, pending) => (request.url().to_owned(), pending),
        Authorization::Push(pushing) => {
            let request = pushing.request(&crate::context()).unwrap().into_http();
            let response = send(request).unwrap();
            let (request, pending) = pushing
                .handle_response(&response, UnixTime::now())
                .unwrap_or_else(|failure| panic!("{failure}\n{}", server.log()));
            (request.url().to_owned(), pending)
        }
    };
    let callback = Callback::from_url(&server.browser_log_in(&url)).unwrap();
    let signing_in = pending.handle_callback(client, callback).unwrap().sign_in();
    let response = send(signing_in.request(&crate::context()).unwrap().into_http()).unwrap();
    let received = signing_in
        .handle_response(&response, UnixTime::now())
        .unwrap_or_else(|failure| panic!("{failure}\n{}", server.log()));
    let fetch = KeySetFetch::new(client).unwrap();
    let response = send(fetch.request(&crate::context()).unwrap().into_http()).unwrap();
    let keys = fetch.handle_response(&response, UnixTime::now()).unwrap();
    let signed_in = received
        .verify(&keys, &RustCryptoVerifier, UnixTime::now())
        .unwrap();
    assert_eq!(signed_in.id_token().claims().subject(), TEST_USER);
}

fn start(client: &Client) -> Start<'_> {
    Start::new(client).scope(Scope::parse("openid").unwrap())
}

#[test]
fn a_request_object_by_value_signs_the_user_in() {
    let server = OidcProvider::start();
    let client = jar_client(&server, es256());
    let (request, pending) = start(&client)
        .begin(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
        .unwrap();
    let names: Vec<String> = url::Url::parse(request.url())
        .unwrap()
        .query_pairs()
        .map(|(name, _)| name.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request"]);
    sign_in(&server, &client, Authorization::Redirect(request, pending));
}

#[test]
fn a_pushed_request_object_signs_the_user_in() {
    let server = OidcProvider::start();
    let client = jar_client(&server, es256());
    let authorization = start(&client)
        .push(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
        .map(Authorization::Push)
        .unwrap();
    sign_in(&server, &client, authorization);
}

/// The provider requires request objects of this client: a plain
/// authorization request is `invalid_request` at its endpoint; an object
/// signed with a key it does not know is refused there too.
#[test]
fn unsigned_and_foreign_requests_are_refused() {
    let server = OidcProvider::start();
    let unsigned = server.client(OpClient::Jar);
    let (request, _) = start(&unsigned)
        .begin(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
        .unwrap();
    let refused = support::query_param(&server.browser_log_in(request.url()), "error");
    assert_eq!(
        refused.as_deref(),
        Some("invalid_request"),
        "{}",
        server.log()
    );

    let d = Base64UrlUnpadded::decode_vec("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").unwrap();
    let foreign = ClientAssertionKey::new(
        Ed25519Key::from_bytes(&d.try_into().unwrap()).with_key_id("es256"),
    );
    let client = jar_client(&server, foreign);
    let (request, _) = start(&client)
        .begin(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
        .unwrap();
    let refused = support::query_param(&server.browser_log_in(request.url()), "error");
    assert_eq!(
        refused.as_deref(),
        Some("invalid_request_object"),
        "{}",
        server.log()
    );

    // A server whose metadata requires them: refused before the redirect.
    let mut metadata = server.metadata();
    metadata.require_signed_request_object = true;
    let client = oauth2_pkce::Client::new(
        metadata,
        oauth2_pkce::ClientId::new("jar-client").unwrap(),
        OpClient::Jar.authentication(),
    )
    .unwrap()
    .with_redirect_uri(unsigned.redirect_uri().unwrap().clone());
    assert_eq!(
        start(&client)
            .begin(FlowEntropy::from_os_rng().unwrap(), UnixTime::now())
            .unwrap_err(),
        ConfigError::Misuse(ApiMisuse::SignedRequestObjectRequired)
    );
}

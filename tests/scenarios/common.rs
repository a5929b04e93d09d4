//! What every scenario needs: a real HTTP transport for the crate's request
//! values (the test server crate's `send`, over ureq), and clients
//! configured for the embedded authorization server (oxide-auth on
//! 127.0.0.1, started and stopped by each test).

use oauth2_pkce::EndpointStep;
use oauth2_pkce::{
    Authorized, AwaitingCallback, Callback, Client, ClientAuthentication, ClientId, ClientSecret,
    FlowEntropy, RedirectUri, ServerMetadata, Start, UnixTime,
};
use oauth2_pkce_test_server::{AuthorizationServer, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

pub use oauth2_pkce_test_server::send;

pub const REDIRECT_URI: &str = oauth2_pkce_test_server::DEFAULT_REDIRECT_URI;

/// A fixed "now" for the flows: the server keeps its own clock.
pub const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

/// The metadata of the embedded server, as a caller would write it down.
pub fn metadata(server: &AuthorizationServer) -> ServerMetadata {
    ServerMetadata::new(
        server.issuer(),
        server.authorization_endpoint(),
        server.token_endpoint(),
    )
    .with_revocation_endpoint(server.revocation_endpoint())
}

/// A client of the embedded server with the given identity.
pub fn client(
    metadata: ServerMetadata,
    client_id: &str,
    authentication: ClientAuthentication,
) -> Client {
    Client::new(metadata, ClientId::new(client_id).unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new(REDIRECT_URI).unwrap())
}

/// The confidential demo client, authenticating with HTTP Basic.
pub fn demo_client(server: &AuthorizationServer) -> Client {
    client(
        metadata(server),
        DEMO_CLIENT_ID,
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(DEMO_CLIENT_SECRET)),
    )
}

/// Starts a login and lets the test user log in: the pending flow and the
/// callback the browser brings back.
pub fn log_in(server: &AuthorizationServer, client: &Client) -> (AwaitingCallback, Callback) {
    let (authorization, pending) = Start::new(client)
        .begin(FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let callback_url = server.log_in(authorization.url()).unwrap();
    (pending, Callback::from_url(&callback_url).unwrap())
}

/// The whole flow up to the tokens.
pub fn authorize(server: &AuthorizationServer, client: &Client) -> Authorized {
    let (pending, callback) = log_in(server, client);
    let exchanging = pending.handle_callback(client, callback).unwrap();
    let response = send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    exchanging.handle_response(&response, NOW).unwrap()
}

/// Calls the server's protected resource with the access token.
pub fn call_api(server: &AuthorizationServer, authorized: &Authorized) -> http::Response<Vec<u8>> {
    let mut request = http::Request::get(server.resource_endpoint())
        .body(Vec::new())
        .unwrap();
    authorized.authorize_request(&mut request).unwrap();
    send(request).unwrap()
}

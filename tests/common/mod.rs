//! What every scenario needs: a real HTTP transport for the crate's request
//! values, and a client configured for the embedded authorization server.

#![allow(dead_code)]

use oauth2_pkce::{Client, ClientAuthentication, ClientId, ClientSecret, RedirectUri, ServerMetadata};
use oauth2_pkce_test_server::{AuthorizationServer, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

pub mod transport;

pub use transport::send;

/// The metadata of the embedded server, as a caller would write it down.
pub fn metadata(server: &AuthorizationServer) -> ServerMetadata {
    ServerMetadata::new(server.issuer(), server.authorization_endpoint(), server.token_endpoint())
}

/// The confidential demo client, authenticating with HTTP Basic.
pub fn demo_client(server: &AuthorizationServer, redirect_uri: &str) -> Client {
    Client::new(
        metadata(server),
        ClientId::new(DEMO_CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new(DEMO_CLIENT_SECRET)),
        RedirectUri::new(redirect_uri).unwrap(),
    )
    .unwrap()
}

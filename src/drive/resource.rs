//! One call for a request to a protected resource: the access token put
//! on, Bearer or DPoP, and a resource server's nonce demand followed.

use super::{AsyncTransport, ChainError, Driver, Transport};
use crate::config::Client;
use crate::flow::Authorized;
use crate::http::{HttpResponse, RequestBody};
use crate::step::RequestContext;
use alloc::vec::Vec;

impl<T: Transport> Driver<T> {
    /// Sends `request` to a protected resource with `authorized`'s access
    /// token, and gives back the resource's answer, whatever its status.
    ///
    /// - A bearer token goes in `Authorization: Bearer` (RFC 6750 §2.1).
    /// - A DPoP-bound token goes in `Authorization: DPoP` with a new proof
    ///   of the request, signed with `client`'s key and carrying the
    ///   resource server's latest nonce (RFC 9449 §7, §9). When the server
    ///   answers `401` `use_dpop_nonce` with a nonce the proof did not
    ///   carry, the request is sent once more with it. The nonce is kept in
    ///   `authorized` ([`Authorized::handle_resource_response`]), so the
    ///   next call carries it from the start: store the grant again after
    ///   the call.
    ///
    /// `request` is the caller's, with its method, URI, headers and body;
    /// the credentials are added to a copy of it for each send.
    ///
    /// # Errors
    /// [`ChainError::Resource`] when the token cannot go to this URI (not
    /// https nor loopback http, another DPoP key than `client`'s),
    /// [`ChainError::Crypto`] without randomness for a proof, and
    /// [`ChainError::Transport`] with the transport's error.
    pub fn request_resource(
        &self,
        client: &Client,
        authorized: &mut Authorized,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, ChainError<T::Error>> {
        let mut again = true;
        loop {
            let outgoing = self.authorized(client, authorized, &request)?;
            let response = self
                .transport
                .send(outgoing)
                .map_err(ChainError::Transport)?;
            let demanded =
                authorized.note_resource_response(request.uri(), &HttpResponse::from(&response));
            if !(demanded && again) {
                return Ok(response);
            }
            again = false;
        }
    }
}

impl<T: AsyncTransport> Driver<T> {
    /// [`request_resource`](Self::request_resource) over the async
    /// transport.
    ///
    /// # Errors
    /// As [`request_resource`](Self::request_resource).
    pub async fn request_resource_async(
        &self,
        client: &Client,
        authorized: &mut Authorized,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, ChainError<T::Error>> {
        let mut again = true;
        loop {
            let outgoing = self.authorized(client, authorized, &request)?;
            let response = self
                .transport
                .send(outgoing)
                .await
                .map_err(ChainError::Transport)?;
            let demanded =
                authorized.note_resource_response(request.uri(), &HttpResponse::from(&response));
            if !(demanded && again) {
                return Ok(response);
            }
            again = false;
        }
    }
}

impl<T> Driver<T> {
    /// A copy of `request` with `authorized`'s access token on it: a DPoP
    /// proof for this moment when the token is bound, else Bearer.
    fn authorized<E>(
        &self,
        client: &Client,
        authorized: &Authorized,
        request: &http::Request<RequestBody>,
    ) -> Result<http::Request<RequestBody>, ChainError<E>> {
        let mut outgoing = request.clone();
        if authorized.tokens().dpop_jkt().is_some() {
            let entropy = (self.entropy)().map_err(ChainError::Crypto)?;
            let context = RequestContext::new((self.clock)(), entropy);
            authorized.authorize_dpop_request(client, &mut outgoing, &context)
        } else {
            authorized.authorize_request(&mut outgoing)
        }
        .map_err(ChainError::Resource)?;
        Ok(outgoing)
    }
}

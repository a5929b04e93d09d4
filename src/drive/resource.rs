//! One call for a request to a protected resource: the access token put
//! on, Bearer or DPoP, and a resource server's nonce demand followed.

use core::future::Future;

use super::{BoundDriver, ChainError, Driver};
use crate::config::Client;
use crate::flow::Authorized;
use crate::http::{HttpResponse, RequestBody};
use crate::step::RequestContext;

impl Driver {
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
    /// [`ChainError::Bearer`] when the token cannot go to this URI (not
    /// https nor loopback http, another DPoP key than `client`'s),
    /// [`ChainError::Entropy`] without randomness for a proof, and
    /// [`ChainError::Transport`] with the send function's error.
    pub fn request_resource<B, E>(
        &self,
        client: &Client,
        authorized: &mut Authorized,
        request: http::Request<RequestBody>,
        mut send: impl FnMut(http::Request<RequestBody>) -> Result<http::Response<B>, E>,
    ) -> Result<http::Response<B>, ChainError<E>>
    where
        B: AsRef<[u8]>,
    {
        let mut again = true;
        loop {
            let outgoing = self.authorized(client, authorized, &request)?;
            let response = send(outgoing).map_err(ChainError::Transport)?;
            let demanded =
                authorized.note_resource_response(request.uri(), &HttpResponse::from(&response));
            if !(demanded && again) {
                return Ok(response);
            }
            again = false;
        }
    }

    /// [`request_resource`](Self::request_resource) over an async `send`.
    ///
    /// # Errors
    /// As [`request_resource`](Self::request_resource).
    pub async fn request_resource_async<B, E, Sending>(
        &self,
        client: &Client,
        authorized: &mut Authorized,
        request: http::Request<RequestBody>,
        mut send: impl FnMut(http::Request<RequestBody>) -> Sending,
    ) -> Result<http::Response<B>, ChainError<E>>
    where
        B: AsRef<[u8]>,
        Sending: Future<Output = Result<http::Response<B>, E>>,
    {
        let mut again = true;
        loop {
            let outgoing = self.authorized(client, authorized, &request)?;
            let response = send(outgoing).await.map_err(ChainError::Transport)?;
            let demanded =
                authorized.note_resource_response(request.uri(), &HttpResponse::from(&response));
            if !(demanded && again) {
                return Ok(response);
            }
            again = false;
        }
    }

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
            let entropy = (self.entropy)().map_err(ChainError::Entropy)?;
            let context = RequestContext::new((self.clock)(), entropy);
            authorized.authorize_dpop_request(client, &mut outgoing, &context)
        } else {
            authorized.authorize_request(&mut outgoing)
        }
        .map_err(ChainError::Bearer)?;
        Ok(outgoing)
    }
}

impl<F, Z> BoundDriver<F, Z> {
    /// Sends a request to a protected resource, as
    /// [`Driver::request_resource`].
    ///
    /// # Errors
    /// As [`Driver::request_resource`].
    pub fn request_resource<B, E>(
        &mut self,
        client: &Client,
        authorized: &mut Authorized,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<B>, ChainError<E>>
    where
        B: AsRef<[u8]>,
        F: FnMut(http::Request<RequestBody>) -> Result<http::Response<B>, E>,
    {
        self.driver
            .request_resource(client, authorized, request, &mut self.send)
    }

    /// Sends a request to a protected resource, as
    /// [`Driver::request_resource_async`].
    ///
    /// # Errors
    /// As [`Driver::request_resource`].
    pub async fn request_resource_async<B, E, Sending>(
        &mut self,
        client: &Client,
        authorized: &mut Authorized,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<B>, ChainError<E>>
    where
        B: AsRef<[u8]>,
        F: FnMut(http::Request<RequestBody>) -> Sending,
        Sending: Future<Output = Result<http::Response<B>, E>>,
    {
        self.driver
            .request_resource_async(client, authorized, request, &mut self.send)
            .await
    }
}

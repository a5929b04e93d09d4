//! The client side of the FAPI 2.0 Security Profile: one constructor that
//! configures what the profile asks of a client and refuses a key or a
//! server that cannot meet it.

use crate::config::{Client, ClientAuthentication, ClientId, ServerMetadata};
use crate::error::ConfigError;
use crate::jws::{ClientAssertionKey, DpopKey, JwsAlgorithm};
use crate::strictness::Strictness;

/// The algorithms of FAPI 2.0 Security Profile §5.4.
fn allowed(key: &'static str, alg: JwsAlgorithm) -> Result<(), ConfigError> {
    match alg {
        JwsAlgorithm::Ps256 | JwsAlgorithm::Es256 | JwsAlgorithm::EdDsa => Ok(()),
        other => Err(ConfigError::Fapi2AlgorithmNotAllowed {
            key,
            alg: other.as_str(),
        }),
    }
}

impl Client {
    /// A client of the FAPI 2.0 Security Profile (§5.3, §5.4): it
    /// authenticates with `private_key_jwt` (`key`), pushes every
    /// authorization request (RFC 9126: [`Start::begin`](crate::Start::begin)
    /// is refused, [`Start::authorize`](crate::Start::authorize) pushes),
    /// uses PKCE with S256, requires `iss` in every callback (RFC 9207),
    /// sender-constrains its tokens with DPoP (`dpop`) and refuses any
    /// token the server does not bind — a bearer token, or one without a
    /// `token_type` — and reads responses strictly.
    ///
    /// The types make `client_secret_*` and bearer tokens impossible; the
    /// checks refuse the rest before anything is sent.
    ///
    /// # Errors
    /// [`ConfigError`]: a key of an algorithm FAPI 2.0 does not allow
    /// (`Fapi2AlgorithmNotAllowed`), a server whose metadata cannot meet
    /// the profile (the other `Fapi2…` variants), or a configuration
    /// [`Client::new`] refuses.
    pub fn fapi2(
        metadata: ServerMetadata,
        client_id: ClientId,
        key: ClientAssertionKey,
        dpop: DpopKey,
    ) -> Result<Self, ConfigError> {
        allowed("client assertion", key.algorithm())?;
        allowed("DPoP", dpop.algorithm())?;
        if metadata.pushed_authorization_request_endpoint.is_none() {
            return Err(ConfigError::Fapi2NoPushedAuthorizationRequests);
        }
        if !metadata.authorization_response_iss_parameter_supported {
            return Err(ConfigError::Fapi2NoIssuerIdentification);
        }
        if metadata.dpop_signing_alg_values_supported.is_none() {
            return Err(ConfigError::Fapi2NoDpop);
        }
        let mut client = Self::new(
            metadata,
            client_id,
            ClientAuthentication::PrivateKeyJwt(key),
        )?
        .with_dpop(dpop)?
        .with_strictness(Strictness::Strict);
        if client.s256_unsupported {
            return Err(ConfigError::S256NotSupported);
        }
        client.require_pushed_authorization_requests = true;
        client.fapi2 = true;
        Ok(client)
    }

    /// A client of FAPI 2.0 Message Signing (§5.3) on top of the
    /// Security Profile ([`fapi2`](Self::fapi2)): every authorization
    /// request is a request object signed with `key` (RFC 9101), pushed
    /// (RFC 9126); every login asks for a signed authorization response
    /// (`response_mode=jwt`, JARM), and the pending flow takes nothing
    /// else ([`AwaitingCallback::verify_response`](crate::AwaitingCallback::verify_response)
    /// first).
    ///
    /// # Errors
    /// As [`fapi2`](Self::fapi2);
    /// [`ConfigError::RequestObjectAlgorithmNotSupported`] when the server
    /// does not take request objects of the key's algorithm, and
    /// [`ConfigError::Fapi2NoSignedResponses`] when it lists response
    /// modes without `jwt`.
    pub fn fapi2_message_signing(
        metadata: ServerMetadata,
        client_id: ClientId,
        key: ClientAssertionKey,
        dpop: DpopKey,
    ) -> Result<Self, ConfigError> {
        if metadata
            .response_modes_supported
            .as_ref()
            .is_some_and(|modes| !modes.iter().any(|mode| mode == "jwt"))
        {
            return Err(ConfigError::Fapi2NoSignedResponses);
        }
        let mut client =
            Self::fapi2(metadata, client_id, key.clone(), dpop)?.with_signed_requests(key)?;
        client.jwt_responses = true;
        Ok(client)
    }

    /// Whether the client was built by [`fapi2`](Self::fapi2) (or
    /// [`fapi2_message_signing`](Self::fapi2_message_signing)).
    #[must_use]
    pub fn is_fapi2(&self) -> bool {
        self.fapi2
    }
}

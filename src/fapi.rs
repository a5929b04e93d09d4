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

    /// Whether the client was built by [`fapi2`](Self::fapi2).
    #[must_use]
    pub fn is_fapi2(&self) -> bool {
        self.fapi2
    }
}

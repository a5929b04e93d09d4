//! The client side of the FAPI 2.0 Security Profile: one constructor that
//! configures what the profile asks of a client and refuses a key or a
//! server that cannot meet it.

use core::fmt;

use crate::config::{Client, ClientAuthentication, ClientId, ConfigError, ServerMetadata};
use crate::jose::{ClientAssertionKey, DpopKey, JwsAlgorithm};
use crate::tolerance::Strictness;

/// Why a FAPI 2.0 client cannot be built ([`Client::fapi2`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fapi2Error {
    /// The configuration is refused as any client's would be.
    Config(ConfigError),
    /// A key signs with an algorithm FAPI 2.0 does not allow (§5.4: PS256,
    /// ES256 or EdDSA with Ed25519). Use a key of one of those.
    AlgorithmNotAllowed {
        /// Which key: `"client assertion"` or `"DPoP"`.
        key: &'static str,
        /// Its `alg`.
        alg: &'static str,
    },
    /// The server offers no pushed authorization requests (RFC 9126),
    /// which FAPI 2.0 requires of every authorization request.
    NoPushedAuthorizationRequests,
    /// The server does not declare
    /// `authorization_response_iss_parameter_supported` (RFC 9207), which
    /// FAPI 2.0 requires: without it a mix-up cannot be detected.
    NoIssuerIdentification,
    /// The server lists no `dpop_signing_alg_values_supported`: it does
    /// not do DPoP, and this crate's FAPI 2.0 clients sender-constrain
    /// their tokens with DPoP (not mutual TLS).
    NoDpop,
    /// The server's `code_challenge_methods_supported` lacks `S256`.
    NoS256,
}

impl fmt::Display for Fapi2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(error) => fmt::Display::fmt(error, f),
            Self::AlgorithmNotAllowed { key, alg } => write!(
                f,
                "FAPI 2.0 allows PS256, ES256 and EdDSA; the {key} key signs with {alg}"
            ),
            Self::NoPushedAuthorizationRequests => {
                f.write_str("the server offers no pushed authorization requests, which FAPI 2.0 requires")
            }
            Self::NoIssuerIdentification => f.write_str(
                "the server does not declare authorization_response_iss_parameter_supported, which FAPI 2.0 requires",
            ),
            Self::NoDpop => f.write_str(
                "the server lists no dpop_signing_alg_values_supported: it cannot issue DPoP-bound tokens",
            ),
            Self::NoS256 => f.write_str("the server does not list S256 among its PKCE methods"),
        }
    }
}

/// `Display` prints the configuration error's message, so there is no
/// `source()`.
impl core::error::Error for Fapi2Error {}

impl From<ConfigError> for Fapi2Error {
    fn from(error: ConfigError) -> Self {
        Self::Config(error)
    }
}

/// The algorithms of FAPI 2.0 Security Profile §5.4.
fn allowed(key: &'static str, alg: JwsAlgorithm) -> Result<(), Fapi2Error> {
    match alg {
        JwsAlgorithm::Ps256 | JwsAlgorithm::Es256 | JwsAlgorithm::EdDsa => Ok(()),
        other => Err(Fapi2Error::AlgorithmNotAllowed {
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
    /// [`Fapi2Error`]: a key of an algorithm FAPI 2.0 does not allow, a
    /// server whose metadata cannot meet the profile, or a configuration
    /// [`Client::new`] refuses.
    pub fn fapi2(
        metadata: ServerMetadata,
        client_id: ClientId,
        key: ClientAssertionKey,
        dpop: DpopKey,
    ) -> Result<Self, Fapi2Error> {
        allowed("client assertion", key.algorithm())?;
        allowed("DPoP", dpop.algorithm())?;
        if metadata.pushed_authorization_request_endpoint.is_none() {
            return Err(Fapi2Error::NoPushedAuthorizationRequests);
        }
        if !metadata.authorization_response_iss_parameter_supported {
            return Err(Fapi2Error::NoIssuerIdentification);
        }
        if metadata.dpop_signing_alg_values_supported.is_none() {
            return Err(Fapi2Error::NoDpop);
        }
        let mut client = Self::new(
            metadata,
            client_id,
            ClientAuthentication::PrivateKeyJwt(key),
        )?
        .with_dpop(dpop)?
        .with_strictness(Strictness::Strict);
        if client.s256_unsupported {
            return Err(Fapi2Error::NoS256);
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

//! ID tokens signed with the client secret (OpenID Connect Core §10.1):
//! HS256, keyed with the octets of the secret's UTF-8 form.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{JwsAlgorithm, JwsVerifier, PublicJwk};
use crate::error::{ConfigError, JwtError, MIN_HS256_SECRET_OCTETS};
use crate::secret::ClientSecret;
use crate::text::UntrustedText;

/// Verifies HS256 JWSs with the client secret as the key (OpenID Connect
/// Core §10.1), for a client registered with
/// `id_token_signed_response_alg: HS256`
/// ([`Client::with_id_token_signing_alg`](crate::Client::with_id_token_signing_alg)):
/// pass it wherever a [`JwsVerifier`] is asked for.
///
/// It verifies HS256 alone: no asymmetric algorithm, and no key of the
/// server's key set is ever taken for a MAC key. Its `Debug` shows no
/// secret.
#[derive(Clone)]
pub struct ClientSecretVerifier {
    secret: ClientSecret,
}

impl ClientSecretVerifier {
    /// The verifier keyed with `secret`.
    ///
    /// # Errors
    /// [`ConfigError::ClientSecretTooShortForHs256`] for a secret shorter
    /// than 32 octets, HS256's hash (RFC 7518 §3.2).
    pub fn new(secret: &ClientSecret) -> Result<Self, ConfigError> {
        if secret.secret().len() < MIN_HS256_SECRET_OCTETS {
            return Err(ConfigError::ClientSecretTooShortForHs256);
        }
        Ok(Self {
            secret: secret.clone(),
        })
    }
}

impl JwsVerifier for ClientSecretVerifier {
    fn supports(&self, alg: JwsAlgorithm) -> bool {
        alg == JwsAlgorithm::Hs256
    }

    /// Refuses: an asymmetric signature is a key set's to verify.
    fn verify(
        &self,
        alg: JwsAlgorithm,
        _key: &PublicJwk,
        _signing_input: &[u8],
        _signature: &[u8],
    ) -> Result<(), JwtError> {
        Err(JwtError::AlgorithmNotAllowed(UntrustedText::from(
            alg.as_str(),
        )))
    }

    /// HMAC-SHA-256 of `signing_input` with the secret, compared with
    /// `signature` in constant time.
    fn verify_mac(
        &self,
        alg: JwsAlgorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), JwtError> {
        if alg != JwsAlgorithm::Hs256 {
            return Err(JwtError::AlgorithmNotAllowed(UntrustedText::from(
                alg.as_str(),
            )));
        }
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret.secret().as_bytes())
            .map_err(|_| JwtError::BadSignature)?;
        mac.update(signing_input);
        mac.verify_slice(signature)
            .map_err(|_| JwtError::BadSignature)
    }
}

impl fmt::Debug for ClientSecretVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretVerifier")
            .field("secret", &self.secret)
            .finish()
    }
}

//! DPoP proofs (RFC 9449 §4): a JWT, signed with the client's DPoP key,
//! that binds one HTTP request — its method and URI, and for a protected
//! resource the access token — to the key the tokens are bound to.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{compact, Header, JwsAlgorithm, PublicJwk, Signer};
use crate::error::CryptoError;
use crate::step::RequestContext;

/// The key a client proves possession of with DPoP (RFC 9449): tokens
/// issued to its proofs are bound to it (`token_type: DPoP`) and are
/// useless without it. Keep it as long as the grant: a refresh with
/// another key is refused before it is sent.
#[derive(Clone)]
pub struct DpopKey {
    signer: Arc<dyn Signer>,
    jwk: PublicJwk,
}

impl DpopKey {
    /// The key of `signer`, which must sign with an asymmetric algorithm
    /// (RFC 9449 §4.2; every [`Signer`] does).
    pub fn new(signer: impl Signer + 'static) -> Self {
        let jwk = signer.public_jwk();
        Self {
            signer: Arc::new(signer),
            jwk,
        }
    }

    /// The JWK SHA-256 thumbprint of the public key (RFC 7638): the `jkt`
    /// a DPoP-bound token is bound to (RFC 9449 §6.1), and the
    /// `dpop_jkt` of an authorization request (§10).
    #[must_use]
    pub fn thumbprint(&self) -> String {
        self.jwk.thumbprint()
    }

    /// The signer's algorithm.
    #[must_use]
    pub fn algorithm(&self) -> JwsAlgorithm {
        self.signer.algorithm()
    }
}

/// Keys are the same when their public keys are.
impl PartialEq for DpopKey {
    fn eq(&self, other: &Self) -> bool {
        self.signer.algorithm() == other.signer.algorithm() && self.jwk == other.jwk
    }
}

impl Eq for DpopKey {}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("alg", &self.signer.algorithm())
            .field("jkt", &self.thumbprint())
            .finish()
    }
}

/// RFC 9449 §4.2's claims.
#[derive(Serialize)]
struct Claims<'a> {
    jti: &'a str,
    htm: &'a str,
    htu: &'a str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<String>,
}

/// `target` without its query and fragment: a proof's `htu` (RFC 9449
/// §4.2, §4.3 point 9).
fn htu(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or(target)
}

/// `ath`: the base64url SHA-256 of the access token's ASCII (§4.2).
fn ath(access_token: &str) -> String {
    Base64UrlUnpadded::encode_string(&Sha256::digest(access_token.as_bytes()))
}

/// A proof for a `method` request to `target`, built for `context` (its
/// second one-time identifier: the first may go to a client assertion in
/// the same request), with the server's `nonce` when it gave one, and for
/// a protected resource the `access_token` it carries.
pub(crate) fn proof(
    key: &DpopKey,
    method: &str,
    target: &str,
    context: &RequestContext,
    nonce: Option<&str>,
    access_token: Option<&str>,
) -> Result<String, CryptoError> {
    let header = Header {
        alg: key.signer.algorithm().asymmetric()?,
        typ: Some("dpop+jwt"),
        kid: None,
        jwk: Some(&key.jwk),
    };
    let claims = Claims {
        jti: &context.jti(1),
        htm: method,
        htu: htu(target),
        iat: context.now().as_secs(),
        nonce,
        ath: access_token.map(ath),
    };
    compact(&header, &claims, |input| key.signer.sign(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htu_drops_query_and_fragment() {
        assert_eq!(
            htu("https://as.example/token?x=1#f"),
            "https://as.example/token"
        );
        assert_eq!(
            htu("https://as.example/token#f"),
            "https://as.example/token"
        );
        assert_eq!(htu("https://as.example/token"), "https://as.example/token");
    }

    /// RFC 9449 §7.1's example: the `ath` of its access token.
    #[test]
    fn rfc9449_ath_example() {
        assert_eq!(
            ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }
}

//! JWT client authentication (RFC 7523 §2.2 and §3, OpenID Connect Core
//! §9): `private_key_jwt` with the client's [`Signer`], `client_secret_jwt`
//! with HMAC-SHA256 over its secret.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::{compact, Header, JwsAlgorithm, Signer};
use crate::error::CryptoError;
use crate::secret::ClientSecret;
use crate::step::RequestContext;

/// `client_assertion_type` (RFC 7523 §2.2).
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is good for after its `iat`: long enough for a
/// slow network and a skewed clock, short enough to be useless to whoever
/// copies it from a log.
pub(crate) const LIFETIME_SECS: u64 = 60;

/// The `typ` of an explicitly typed client assertion
/// (draft-ietf-oauth-rfc7523bis §4).
const EXPLICIT_TYP: &str = "client-authentication+jwt";

/// The private key a `private_key_jwt` client signs its assertions with
/// (RFC 7523 §2.2), shared by every request of the client.
///
/// Assertions carry no `typ` header by default: RFC 7519 makes it
/// optional, and the explicit type of draft-ietf-oauth-rfc7523bis
/// (`client-authentication+jwt`) is still refused by some deployed
/// servers. Servers that require it get it with
/// [`with_explicit_typing`](Self::with_explicit_typing).
#[derive(Clone)]
pub struct ClientAssertionKey {
    signer: Arc<dyn Signer>,
    explicit_typing: bool,
}

impl ClientAssertionKey {
    /// The key of `signer`.
    pub fn new(signer: impl Signer + 'static) -> Self {
        Self {
            signer: Arc::new(signer),
            explicit_typing: false,
        }
    }

    /// Types every assertion explicitly, `typ: client-authentication+jwt`.
    #[must_use]
    pub fn with_explicit_typing(mut self) -> Self {
        self.explicit_typing = true;
        self
    }

    /// The signer's algorithm.
    #[must_use]
    pub fn algorithm(&self) -> JwsAlgorithm {
        self.signer.algorithm()
    }
}

/// Keys are the same when they sign with the same algorithm, public key
/// and `kid`, and type alike.
impl PartialEq for ClientAssertionKey {
    fn eq(&self, other: &Self) -> bool {
        self.signer.algorithm() == other.signer.algorithm()
            && self.signer.public_jwk() == other.signer.public_jwk()
            && self.signer.key_id() == other.signer.key_id()
            && self.explicit_typing == other.explicit_typing
    }
}

impl Eq for ClientAssertionKey {}

impl fmt::Debug for ClientAssertionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAssertionKey")
            .field("alg", &self.signer.algorithm())
            .field("jwk", &self.signer.public_jwk())
            .field("kid", &self.signer.key_id())
            .field("explicit_typing", &self.explicit_typing)
            .finish()
    }
}

/// What signs an assertion.
pub(crate) enum AssertionKey<'a> {
    Private(&'a ClientAssertionKey),
    Secret(&'a ClientSecret),
}

/// RFC 7523 §3's claims: the client is the issuer and the subject; the
/// audience is the authorization server's issuer identifier as a single
/// string (draft-ietf-oauth-rfc7523bis §3, which closes the audience
/// injection an endpoint URL as audience allowed).
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: &'a str,
    iat: u64,
    exp: u64,
}

/// A signed client assertion for `client_id` at the server `issuer`.
pub(crate) fn client_assertion(
    client_id: &str,
    issuer: &str,
    key: &AssertionKey<'_>,
    context: &RequestContext,
) -> Result<String, CryptoError> {
    let iat = context.now().as_secs();
    let claims = Claims {
        iss: client_id,
        sub: client_id,
        aud: issuer,
        jti: &context.jti(0),
        iat,
        exp: iat.saturating_add(LIFETIME_SECS),
    };
    match key {
        AssertionKey::Private(key) => {
            let header = Header {
                alg: key.signer.algorithm().asymmetric()?,
                typ: key.explicit_typing.then_some(EXPLICIT_TYP),
                kid: key.signer.key_id(),
                jwk: None,
            };
            compact(&header, &claims, |input| key.signer.sign(input))
        }
        AssertionKey::Secret(secret) => {
            let header = Header {
                alg: "HS256",
                typ: None,
                kid: None,
                jwk: None,
            };
            compact(&header, &claims, |input| {
                let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.secret().as_bytes())
                    .map_err(|_| CryptoError::Signing("HMAC refused the key"))?;
                mac.update(input);
                Ok(mac.finalize().into_bytes().to_vec())
            })
        }
    }
}

/// `typ` of a request object (RFC 9101 §10.8).
const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";

/// A request object (RFC 9101 §4): `claims` signed with `key`, typed
/// `oauth-authz-req+jwt`, naming the key's `kid`.
pub(crate) fn request_object(
    key: &ClientAssertionKey,
    claims: &impl Serialize,
) -> Result<String, CryptoError> {
    let header = Header {
        alg: key.signer.algorithm().asymmetric()?,
        typ: Some(REQUEST_OBJECT_TYP),
        kid: key.signer.key_id(),
        jwk: None,
    };
    compact(&header, claims, |input| key.signer.sign(input))
}

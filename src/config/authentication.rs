//! Who the client is and how it authenticates (RFC 6749 §2.2, §2.3).

use alloc::string::String;
use core::fmt;

use base64ct::{Base64, Encoding};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::CryptoError;
use crate::error::InvalidValue;
use crate::jws::{client_assertion, AssertionKey, ClientAssertionKey, ASSERTION_TYPE};
use crate::secret::ClientSecret;
use crate::step::RequestContext;
use crate::wire::form::{self, FormSerializer};

/// The `client_id` (RFC 6749 §2.2): a non-empty string of printable ASCII
/// (`*VSCHAR`, Appendix A.1). Not a secret.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    /// Validates a client identifier.
    ///
    /// # Errors
    /// An empty identifier or one with a character outside `%x20-7E`.
    pub fn new(id: impl Into<String>) -> Result<Self, InvalidValue> {
        let id = id.into();
        if id.is_empty() || !id.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
            return Err(InvalidValue::ClientId);
        }
        Ok(Self(id))
    }

    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientId({:?})", self.0)
    }
}

impl Serialize for ClientId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ClientId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ClientId::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// How the client authenticates to the token and revocation endpoints
/// (RFC 6749 §2.3). Exactly one method is used per request, and credentials
/// never go in a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuthentication {
    /// A public client: `client_id` in the request body, no secret
    /// (RFC 6749 §3.2.1; `none` in RFC 7591).
    None,
    /// `Authorization: Basic` with the form-encoded id and secret
    /// (RFC 6749 §2.3.1). What servers must support; the default choice.
    ClientSecretBasic(ClientSecret),
    /// `client_id` and `client_secret` in the request body (RFC 6749
    /// §2.3.1, "NOT RECOMMENDED" but widely required).
    ClientSecretPost(ClientSecret),
    /// `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): a JWT
    /// signed with the client's private key, new for every request, in
    /// `client_assertion`. No shared secret travels; FAPI 2.0's choice.
    PrivateKeyJwt(ClientAssertionKey),
    /// `client_secret_jwt` (OpenID Connect Core §9): a JWT signed with
    /// HMAC-SHA256 over the client secret, new for every request. The
    /// secret itself never travels. It must be at least 32 octets long
    /// (RFC 7518 §3.2): [`Client::new`](crate::Client::new) refuses a shorter one
    /// ([`ConfigError::ClientSecretTooShortForHs256`](crate::errors::ConfigError::ClientSecretTooShortForHs256)).
    ClientSecretJwt(ClientSecret),
    // Mutual TLS (RFC 8705).
    /// `tls_client_auth` (RFC 8705 §2.1): the client authenticates with
    /// the X.509 certificate it presents in the TLS handshake, issued by
    /// a certificate authority the server trusts; the server matches it
    /// to the subject registered for the client (one of
    /// `tls_client_auth_subject_dn`, `tls_client_auth_san_dns`,
    /// `tls_client_auth_san_uri`, `tls_client_auth_san_ip` or
    /// `tls_client_auth_san_email`, §2.1.2). No secret travels: the
    /// request carries `client_id` in its body (§2) and is marked for the
    /// transport to present the certificate
    /// ([`RequiresClientCertificate`](crate::values::RequiresClientCertificate)),
    /// and goes to the server's `mtls_endpoint_aliases` when it has them
    /// (§5). The crate never holds the certificate or its key.
    TlsClientAuth,
    /// `self_signed_tls_client_auth` (RFC 8705 §2.2): as
    /// [`TlsClientAuth`](Self::TlsClientAuth), with a self-signed
    /// certificate the server finds in the client's registered `jwks` or
    /// `jwks_uri` (as `x5c`), matched by the certificate itself rather
    /// than by a subject.
    SelfSignedTlsClientAuth,
}

/// A confidential client's secret goes in `Authorization: Basic`, the
/// method every server must support (RFC 6749 §2.3.1; the default of
/// `token_endpoint_auth_methods_supported`, RFC 8414 §2); no secret makes
/// a public client. For an optional secret read from configuration.
impl From<Option<ClientSecret>> for ClientAuthentication {
    fn from(secret: Option<ClientSecret>) -> Self {
        secret.map_or(Self::None, Self::ClientSecretBasic)
    }
}

impl ClientAuthentication {
    /// The RFC 7591 name of the method, as in
    /// `token_endpoint_auth_methods_supported`.
    #[must_use]
    pub const fn method_name(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic(_) => "client_secret_basic",
            Self::ClientSecretPost(_) => "client_secret_post",
            Self::PrivateKeyJwt(_) => "private_key_jwt",
            Self::ClientSecretJwt(_) => "client_secret_jwt",
            Self::TlsClientAuth => "tls_client_auth",
            Self::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
        }
    }

    /// Whether the method is mutual TLS (RFC 8705 §2): the client's
    /// certificate authenticates it.
    #[must_use]
    pub const fn is_mutual_tls(&self) -> bool {
        matches!(self, Self::TlsClientAuth | Self::SelfSignedTlsClientAuth)
    }

    /// The client secret, for the methods that have one.
    pub(crate) fn client_secret(&self) -> Option<&ClientSecret> {
        match self {
            Self::ClientSecretBasic(secret)
            | Self::ClientSecretPost(secret)
            | Self::ClientSecretJwt(secret) => Some(secret),
            Self::None
            | Self::PrivateKeyJwt(_)
            | Self::TlsClientAuth
            | Self::SelfSignedTlsClientAuth => None,
        }
    }

    /// The `alg` the method signs with, for a JWT method.
    pub(crate) fn signing_algorithm(&self) -> Option<&'static str> {
        match self {
            Self::PrivateKeyJwt(key) => Some(key.algorithm().as_str()),
            Self::ClientSecretJwt(_) => Some("HS256"),
            _ => None,
        }
    }

    /// Adds the client's credentials to a request whose body already
    /// carries `client_id` where needed: into the form body (a secret, or
    /// an assertion for the server `issuer` signed for `context`), or as
    /// an `Authorization` header value returned.
    pub(crate) fn apply_after_client_id(
        &self,
        client_id: &ClientId,
        issuer: &str,
        form: &mut FormSerializer,
        context: &RequestContext,
    ) -> Result<Option<String>, CryptoError> {
        let key = match self {
            // RFC 8705 §2: the certificate in the TLS handshake is the
            // credential; `client_id` is already in the body.
            Self::None | Self::TlsClientAuth | Self::SelfSignedTlsClientAuth => return Ok(None),
            Self::ClientSecretPost(secret) => {
                form.append("client_secret", secret.secret());
                return Ok(None);
            }
            Self::ClientSecretBasic(secret) => {
                return Ok(Some(basic_authorization(client_id, secret)));
            }
            Self::PrivateKeyJwt(key) => AssertionKey::Private(key),
            Self::ClientSecretJwt(secret) => AssertionKey::Secret(secret),
        };
        let assertion = client_assertion(client_id.as_str(), issuer, &key, context)?;
        form.append("client_assertion_type", ASSERTION_TYPE)
            .append("client_assertion", &assertion);
        Ok(None)
    }
}

/// `Basic base64(urlencode(client_id) ":" urlencode(client_secret))`
/// (RFC 6749 §2.3.1: form-encode each part *before* base64).
pub(crate) fn basic_authorization(client_id: &ClientId, secret: &ClientSecret) -> String {
    const BASIC: &str = "Basic ";
    // Sized for the common case of nothing to escape: no reallocation.
    let mut credentials = String::with_capacity(
        client_id
            .as_str()
            .len()
            .saturating_add(1)
            .saturating_add(secret.secret().len()),
    );
    form::encode_into(&mut credentials, client_id.as_str());
    credentials.push(':');
    form::encode_into(&mut credentials, secret.secret());
    let mut encoded = Base64::encode_string(credentials.as_bytes());
    zeroize::Zeroize::zeroize(&mut credentials);
    let mut value = String::with_capacity(BASIC.len().saturating_add(encoded.len()));
    value.push_str(BASIC);
    value.push_str(&encoded);
    zeroize::Zeroize::zeroize(&mut encoded);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(id: &str, secret: &str) -> String {
        basic_authorization(&ClientId::new(id).unwrap(), &ClientSecret::new(secret))
    }

    /// RFC 6749 §2.3.1's example.
    #[test]
    fn basic_rfc6749_example() {
        assert_eq!(
            basic("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"),
            "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3"
        );
    }

    #[test]
    fn an_optional_secret_picks_basic_or_a_public_client() {
        let secret = ClientSecret::new("s3cret");
        assert_eq!(
            ClientAuthentication::from(Some(secret.clone())),
            ClientAuthentication::ClientSecretBasic(secret)
        );
        assert_eq!(ClientAuthentication::from(None), ClientAuthentication::None);
    }

    /// `:` in the id would split the pair in the wrong place without the
    /// form-encoding step; `+`, `/`, `=` and non-ASCII must be encoded too.
    #[test]
    fn basic_encodes_before_base64() {
        let value = basic("my:client+id", "s/e=c ré");
        let encoded = value.strip_prefix("Basic ").unwrap();
        let decoded = Base64::decode_vec(encoded).unwrap();
        assert_eq!(decoded, b"my%3Aclient%2Bid:s%2Fe%3Dc+r%C3%A9");
    }

    #[test]
    fn client_id_charset() {
        assert!(ClientId::new("client id 1").is_ok());
        assert!(ClientId::new("").is_err());
        assert!(ClientId::new("é").is_err());
        assert!(ClientId::new("a\nb").is_err());
    }
}

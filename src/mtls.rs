//! Mutual TLS (RFC 8705) as far as a sans-IO crate goes: the marker that
//! tells a transport to present the client certificate, and the
//! certificate's thumbprint an access token is bound to. The crate never
//! holds the certificate or its private key: the transport's TLS stack
//! does. A leaf: it imports nothing of the crate.

use alloc::string::String;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The transport must present the client's certificate in the TLS
/// handshake of this request (RFC 8705 §2: mutual-TLS client
/// authentication; §3: certificate-bound access tokens).
///
/// The crate marks every request of a client that authenticates with
/// `tls_client_auth` or `self_signed_tls_client_auth`, or that asked for
/// certificate-bound tokens
/// ([`Client::with_certificate_bound_access_tokens`](crate::Client::with_certificate_bound_access_tokens)),
/// and sends it to the server's `mtls_endpoint_aliases` when the metadata
/// has one for the endpoint (§5). On the crate's own request value the
/// mark is [`HttpRequest::requires_client_certificate`](crate::values::HttpRequest::requires_client_certificate);
/// on the `http::Request` it converts into (feature `http`) it is this
/// type in the request's extensions.
///
/// How a transport adapter uses it: look it up before sending, and send
/// the request over a connection whose TLS configuration holds the
/// client's certificate and key (reqwest's `Identity`, rustls'
/// `with_client_auth_cert`); a transport that has no certificate must
/// refuse the request rather than send it without one, which the server
/// would answer with `invalid_client`, or with a token not bound to the
/// certificate.
///
/// ```
/// # #[cfg(feature = "http")] {
/// use oauth2_pkce::values::RequiresClientCertificate;
///
/// fn needs_certificate<B>(request: &http::Request<B>) -> bool {
///     request.extensions().get::<RequiresClientCertificate>().is_some()
/// }
/// # let _ = needs_certificate::<()>; }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct RequiresClientCertificate;

/// The `x5t#S256` confirmation of a certificate (RFC 8705 §3.1): the
/// base64url encoding (no padding) of the SHA-256 digest of its DER
/// encoding. An access token bound to a certificate carries it as
/// `cnf.x5t#S256`; a protected resource computes it of the certificate
/// the client presented in the TLS handshake and compares the two
/// ([`matches`](Self::matches), in constant time, §3.2:
/// [`IntrospectionResponse::is_bound_to`](crate::resource::IntrospectionResponse::is_bound_to)).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CertificateThumbprint(String);

impl CertificateThumbprint {
    /// The thumbprint of a certificate in DER (the bytes a TLS stack hands
    /// out for the peer's certificate; not PEM).
    #[must_use]
    pub fn of_der(certificate: &[u8]) -> Self {
        Self(Base64UrlUnpadded::encode_string(&Sha256::digest(
            certificate,
        )))
    }

    /// The thumbprint, as `cnf.x5t#S256` carries it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `x5t_s256`, a token's `cnf.x5t#S256`, is this thumbprint;
    /// compared in constant time.
    #[must_use]
    pub fn matches(&self, x5t_s256: &str) -> bool {
        self.0.as_bytes().ct_eq(x5t_s256.as_bytes()).into()
    }
}

impl fmt::Debug for CertificateThumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertificateThumbprint({:?})", self.0)
    }
}

impl fmt::Display for CertificateThumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest of known bytes, base64url without padding: SHA-256 of
    /// the empty input is e3b0c442…b855.
    #[test]
    fn thumbprint_is_base64url_of_sha256() {
        let empty = CertificateThumbprint::of_der(b"");
        assert_eq!(
            empty.as_str(),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        assert_eq!(empty.as_str().len(), 43);
        assert!(empty.matches("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"));
        assert!(!empty.matches("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFV"));
        assert!(!empty.matches(""));
        assert!(!empty.matches("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU="));
        assert_ne!(CertificateThumbprint::of_der(b"\x30\x00"), empty);
    }
}

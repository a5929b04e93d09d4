//! Why a client could not be built or a login could not begin: a mistake
//! in the configuration, fixed by the caller.

use core::fmt;

use crate::error::leaf::CryptoError;
use crate::error::misuse::ApiMisuse;
use crate::error::value::InvalidValue;
use crate::text::UntrustedText;

/// Why a client could not be built ([`Client::new`](crate::Client::new),
/// [`Client::fapi2`](crate::Client::fapi2)(crate::Client::fapi2)) or a login could not begin
/// ([`Start::begin`](crate::Start::begin), [`Start::push`](crate::Start::push)).
/// Each variant is a mistake in the configuration or in how the flow was
/// set up: fix it and try again. Nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The metadata's `issuer` is not an https URL without query or fragment
    /// (RFC 8414 §2; http allowed on loopback).
    InvalidIssuer(InvalidValue),
    /// An endpoint in the metadata is not acceptable.
    InvalidEndpoint {
        /// The metadata member, e.g. `token_endpoint`.
        member: &'static str,
        /// What is wrong with it.
        problem: InvalidValue,
    },
    /// The server's `token_endpoint_auth_methods_supported` does not list
    /// the configured method; choose one it lists.
    AuthenticationMethodNotSupported {
        /// The configured method's RFC 7591 name.
        method: &'static str,
    },
    /// The server's `token_endpoint_auth_signing_alg_values_supported`
    /// does not list the algorithm the client's assertions are signed
    /// with; use a key of an algorithm it lists.
    SigningAlgorithmNotSupported {
        /// The configured key's `alg`.
        alg: &'static str,
    },
    /// The server's `dpop_signing_alg_values_supported` does not list the
    /// algorithm of the DPoP key; use a key of an algorithm it lists.
    DpopAlgorithmNotSupported {
        /// The DPoP key's `alg`.
        alg: &'static str,
    },
    /// The server's `id_token_signing_alg_values_supported` does not list
    /// the algorithm the client registered for its ID tokens
    /// ([`Client::with_id_token_signing_alg`](crate::Client::with_id_token_signing_alg)).
    IdTokenAlgorithmNotSupported {
        /// The registered `alg`.
        alg: &'static str,
    },
    /// The server's `request_object_signing_alg_values_supported` does not
    /// list the request object key's algorithm
    /// ([`Client::with_signed_requests`](crate::Client::with_signed_requests),
    /// RFC 9101 §10.5). Use a key of one of those.
    RequestObjectAlgorithmNotSupported {
        /// The key's `alg`.
        alg: &'static str,
    },
    /// The request object could not be signed (RFC 9101 §4): the signer
    /// failed, or is symmetric.
    RequestObjectNotSigned(CryptoError),
    /// The client secret is shorter than 32 octets, and HS256 is keyed
    /// with it (`client_secret_jwt`, or ID tokens signed with HS256): its
    /// key must be at least as long as its hash (RFC 7518 §3.2; OpenID
    /// Connect Core §16.19, counted in the octets of its UTF-8). Have the
    /// server issue a longer secret, or use another method
    /// (`private_key_jwt`, or `client_secret_basic` with this secret; an
    /// asymmetric `id_token_signed_response_alg`).
    ClientSecretTooShortForHs256,
    /// [`Client::fapi2`](crate::Client::fapi2): a key signs with an algorithm FAPI 2.0 does not
    /// allow (Security Profile §5.4: PS256, ES256 or EdDSA with Ed25519).
    /// Use a key of one of those.
    Fapi2AlgorithmNotAllowed {
        /// Which key: `"client assertion"` or `"DPoP"`.
        key: &'static str,
        /// Its `alg`.
        alg: &'static str,
    },
    /// [`Client::fapi2`](crate::Client::fapi2): the server offers no pushed authorization
    /// requests (RFC 9126), which FAPI 2.0 requires of every authorization
    /// request. Use a server that does, or a client of another profile.
    Fapi2NoPushedAuthorizationRequests,
    /// [`Client::fapi2`](crate::Client::fapi2): the server does not declare
    /// `authorization_response_iss_parameter_supported` (RFC 9207), which
    /// FAPI 2.0 requires: without it a mix-up cannot be detected.
    Fapi2NoIssuerIdentification,
    /// [`Client::fapi2`](crate::Client::fapi2): the server lists no
    /// `dpop_signing_alg_values_supported`: it does not do DPoP, and this
    /// crate's FAPI 2.0 clients sender-constrain their tokens with DPoP
    /// (not mutual TLS).
    Fapi2NoDpop,
    /// [`Client::fapi2_message_signing`](crate::Client::fapi2_message_signing):
    /// the server's `response_modes_supported` does not list `jwt`
    /// (JARM), so it cannot sign its authorization responses.
    Fapi2NoSignedResponses,
    /// The server's `code_challenge_methods_supported` does not list
    /// `S256`. [`Client::fapi2`](crate::Client::fapi2) requires it; a login
    /// never downgrades to `plain` by itself (see
    /// [`Start::dangerous_use_plain_pkce`](crate::Start::dangerous_use_plain_pkce)).
    S256NotSupported,
    /// An extra authorization request parameter uses a name the crate sets
    /// itself (such as `state` or `code_challenge`); drop it.
    ReservedParameter(UntrustedText),
    /// An extra authorization request parameter was given twice, or is
    /// already in the authorization endpoint's own query (RFC 6749 §3.1).
    RepeatedParameter(UntrustedText),
    /// A value given is refused, such as more `resource` indicators
    /// (RFC 8707 §2) than one request carries. See the variant.
    InvalidValue(InvalidValue),
    /// The server's `authorization_details_types_supported` (RFC 9396
    /// §10) does not list this `type` of the authorization details asked
    /// for: the server would refuse it (`invalid_authorization_details`).
    /// Ask for types it lists.
    AuthorizationDetailsTypeNotSupported(UntrustedText),
    /// The caller's mistake: a plain authorization URL where the server
    /// requires pushed authorization requests
    /// ([`ApiMisuse::PushedAuthorizationRequired`]), no redirect URI
    /// ([`ApiMisuse::NoRedirectUri`]), or [`Start::push`](crate::Start::push)
    /// with no `pushed_authorization_request_endpoint` in the metadata
    /// (RFC 9126 §5, [`ApiMisuse::NoEndpoint`]). See the variant.
    Misuse(ApiMisuse),
}

/// The shortest `client_secret_jwt` secret, in octets: the size of
/// HS256's hash (RFC 7518 §3.2).
pub(crate) const MIN_HS256_SECRET_OCTETS: usize = 32;

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidIssuer(problem) => write!(f, "the issuer identifier is refused: {problem}"),
            Self::InvalidEndpoint { member, problem } => write!(f, "`{member}` is refused: {problem}"),
            Self::AuthenticationMethodNotSupported { method } => write!(
                f,
                "the server does not list `{method}` in token_endpoint_auth_methods_supported"
            ),
            Self::SigningAlgorithmNotSupported { alg } => write!(
                f,
                "the server does not list `{alg}` in token_endpoint_auth_signing_alg_values_supported"
            ),
            Self::DpopAlgorithmNotSupported { alg } => write!(
                f,
                "the server does not list `{alg}` in dpop_signing_alg_values_supported"
            ),
            Self::IdTokenAlgorithmNotSupported { alg } => write!(
                f,
                "the server does not list `{alg}` in id_token_signing_alg_values_supported"
            ),
            Self::RequestObjectAlgorithmNotSupported { alg } => write!(
                f,
                "the server does not list `{alg}` in request_object_signing_alg_values_supported"
            ),
            Self::RequestObjectNotSigned(error) => {
                write!(f, "the request object could not be signed: {error}")
            }
            Self::ClientSecretTooShortForHs256 => write!(
                f,
                "the client secret is shorter than the {MIN_HS256_SECRET_OCTETS} octets that HS256 needs (client_secret_jwt, ID tokens keyed with the secret)"
            ),
            Self::Fapi2AlgorithmNotAllowed { key, alg } => write!(
                f,
                "FAPI 2.0 allows PS256, ES256 and EdDSA; the {key} key signs with {alg}"
            ),
            Self::Fapi2NoPushedAuthorizationRequests => f.write_str(
                "the server offers no pushed authorization requests, which FAPI 2.0 requires",
            ),
            Self::Fapi2NoIssuerIdentification => f.write_str(
                "the server does not declare authorization_response_iss_parameter_supported, which FAPI 2.0 requires",
            ),
            Self::Fapi2NoDpop => f.write_str(
                "the server lists no dpop_signing_alg_values_supported: it cannot issue DPoP-bound tokens",
            ),
            Self::Fapi2NoSignedResponses => f.write_str(
                "the server's response_modes_supported lacks `jwt`: it cannot sign authorization responses",
            ),
            Self::S256NotSupported => {
                f.write_str("the server does not list S256 in code_challenge_methods_supported")
            }
            Self::AuthorizationDetailsTypeNotSupported(detail_type) => write!(
                f,
                "the server does not list the authorization details type {detail_type:?} in authorization_details_types_supported"
            ),
            Self::ReservedParameter(name) => write!(
                f,
                "`{name}` is set by the flow itself and cannot be given as an extra parameter"
            ),
            Self::RepeatedParameter(name) => write!(
                f,
                "the authorization request parameter `{name}` would appear more than once"
            ),
            Self::InvalidValue(problem) => fmt::Display::fmt(problem, f),
            Self::Misuse(misuse) => fmt::Display::fmt(misuse, f),
        }
    }
}

impl core::error::Error for ConfigError {}

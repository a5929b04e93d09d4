//! Why one value was refused: a URL, a scope token, a resource indicator,
//! a key, a stored state. One type for every value the crate checks, so
//! that a constructor's error is matched the same way wherever it comes
//! from.

use core::fmt;

use crate::text::UntrustedText;

/// A value the crate was given — by the caller, from storage, or as a
/// member of a server's document — that is not one the protocol allows,
/// and why. Nothing was built from it; none of its secret parts (a key's
/// bytes, a token) is kept in the error.
///
/// The variants come in groups, by the value refused: URLs (endpoints,
/// issuers, redirect URIs), identifiers and names (`client_id`, scope
/// tokens, token type aliases, preset arguments), resource indicators
/// (RFC 8707), keys (private keys and public JWKs), members of a response
/// read as a type, and stored states.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidValue {
    // URLs: endpoints, issuers and redirect URIs (RFC 6749 §3.1, §3.1.2,
    // RFC 8252 §7, RFC 9700 §4.1).
    /// The URL does not parse as an absolute URL (or, for a redirect URI,
    /// has a space, control or non-ASCII character, RFC 3986 §2).
    NotAbsoluteUrl,
    /// The URL has a `#fragment` (RFC 6749 §3.1, §3.1.2).
    HasFragment,
    /// `http://` on a host that is not loopback: tokens would cross the
    /// network in clear text.
    NotHttps,
    /// A scheme other than `https` (or `http` on loopback).
    UnsupportedScheme,
    /// Userinfo (`user:pass@`) in the URL: credentials never go in a URL.
    HasUserinfo,
    /// An issuer identifier with a query component (RFC 8414 §2).
    IssuerHasQuery,
    /// A URL the `http` crate cannot represent as an `http::Uri`, so no
    /// request could be sent to it.
    NotHttpUri,
    /// A redirect URI `http://localhost…`: RFC 8252 §8.3 recommends the
    /// loopback IP literal (`http://127.0.0.1:{port}/…` or `http://[::1]…`),
    /// which cannot resolve to another interface. Use it, or
    /// [`RedirectUri::dangerous_allow_localhost`](crate::RedirectUri::dangerous_allow_localhost)
    /// where the server only accepts `localhost`.
    LocalhostNotIpLiteral,
    /// A redirect URI with a scheme that runs or reads something in the
    /// browser instead of reaching the client (`javascript:`, `data:`,
    /// `file:`, `blob:`, …; RFC 9700 §4.1).
    DangerousScheme,
    /// The out-of-band redirect URI `urn:ietf:wg:oauth:2.0:oob`: the code
    /// would be shown to be copied by hand, which RFC 8252 §8.1 and the
    /// providers that once offered it have retired. Use a loopback or a
    /// private-use redirect URI.
    OutOfBand,
    /// A private-use scheme that is not a reversed domain name
    /// (`myapp:/cb` instead of `com.example.app:/cb`, RFC 8252 §7.1): any
    /// other app may claim it and receive the code. See
    /// [`RedirectUri::dangerous_allow_any_private_use_scheme`](crate::RedirectUri::dangerous_allow_any_private_use_scheme).
    NotReverseDomainScheme,

    // Identifiers and names.
    /// A `client_id` that is empty or has a character outside `%x20-7E`
    /// (RFC 6749 Appendix A.1).
    ClientId,
    /// A scope token outside RFC 6749 §3.3's character set (printable
    /// ASCII except space, `"` and `\`), or empty. The token, as given
    /// (scope tokens are not secret).
    ScopeToken(UntrustedText),
    /// A token type a client may not be told to read as `Bearer`
    /// ([`Tolerances`](crate::tolerance::Tolerances)): empty, longer than
    /// [`MAX_TOKEN_TYPE_ALIAS_BYTES`](crate::limits::MAX_TOKEN_TYPE_ALIAS_BYTES),
    /// with a character outside printable ASCII, starting or ending with a
    /// space, `Bearer` itself, or a type whose token is bound to a key
    /// (`DPoP`, RFC 9449; `N_A`, RFC 8693; `MAC`), which a bearer request
    /// would send without its proof. The name, as given.
    TokenTypeAlias(UntrustedText),
    /// A tenant, shop or instance name a preset cannot put in a URL: empty,
    /// over 253 bytes, or with a character other than ASCII letters,
    /// digits, `-` and `.` (so no `/`, `?`, `#`, `@`, `:`, `%` or space can
    /// change which host or path the URLs name), or a label that starts or
    /// ends with `-` or is empty.
    PresetArgument {
        /// Which argument: `tenant`, `shop` or `instance`.
        argument: &'static str,
        /// At most its first 253 bytes, as given.
        value: UntrustedText,
    },

    // Resource indicators (RFC 8707 §2).
    /// A resource indicator that is not an absolute URI (RFC 3986 §4.3),
    /// or has a space, control or non-ASCII character.
    ResourceNotAbsoluteUri,
    /// A resource indicator with a `#fragment`, which RFC 8707 §2 forbids.
    ResourceHasFragment,
    /// A resource indicator over
    /// [`MAX_RESOURCE_INDICATOR_BYTES`](crate::limits::MAX_RESOURCE_INDICATOR_BYTES).
    ResourceTooLong {
        /// The cap, in bytes.
        limit: usize,
    },
    /// More resource indicators than
    /// [`MAX_RESOURCE_INDICATORS`](crate::limits::MAX_RESOURCE_INDICATORS)
    /// on one request.
    TooManyResources {
        /// The cap.
        limit: usize,
    },
    /// A resource the login did not ask for
    /// ([`Exchanging::for_resource`](crate::Exchanging::for_resource)).
    ResourceNotRequested,
    /// A token type identifier (RFC 8693 §3) that is not an absolute URI
    /// of printable ASCII within
    /// [`MAX_RESOURCE_INDICATOR_BYTES`](crate::limits::MAX_RESOURCE_INDICATOR_BYTES).
    TokenTypeNotAbsoluteUri,

    // Keys. No variant carries any part of the key.
    /// A public JWK member is not unpadded base64url, or its curve is not
    /// one JOSE registers.
    Jwk,
    /// The private key itself is not one of the curve: not 32 bytes, or
    /// (P-256) zero or not below the group order. Generate a new key.
    KeyNotOfCurve,
    /// Not a private key document of a format the constructor reads: not
    /// PKCS#8 DER (RFC 5958), not PEM (RFC 7468) with a label it reads, or
    /// a document whose parts do not decode (a public key in a PKCS#8 or
    /// SEC1 document that is not the private key's is one). Export the key
    /// as unencrypted PKCS#8 (`openssl pkcs8 -topk8 -nocrypt`).
    KeyMalformed,
    /// An encrypted PKCS#8 document (`ENCRYPTED PRIVATE KEY`): decrypt it
    /// first (`openssl pkcs8 -in key.pem -out plain.pem`).
    KeyEncrypted,
    /// A key of another algorithm or curve: a P-384 or RSA key for an
    /// ES256 key, a P-256 key for an Ed25519 key, or a JWK whose `kty`,
    /// `crv` or `alg` names another. Use the key type that matches it.
    KeyOfOtherAlgorithm,
    /// A public key only: a JWK without `d`, or a `PUBLIC KEY` PEM.
    /// Signing needs the private key.
    KeyNotPrivate,
    /// A private JWK whose public members (`x`, and `y` for EC) are not
    /// those of its `d` (RFC 7517 §4 members of one key): the JWK is
    /// corrupt, or was put together from two keys. Export it again.
    KeyPublicPartMismatch,
    /// Not a private JWK: not a JSON object, a member it needs (`kty`,
    /// `crv`, `x`, `y`) missing or not a string, a member given twice, a
    /// key member that is not unpadded base64url, or a public one that is
    /// not of the curve's length.
    KeyMalformedJwk,
    /// Over [`MAX_PRIVATE_KEY_BYTES`](crate::limits::MAX_PRIVATE_KEY_BYTES):
    /// not a key of these curves.
    KeyTooLarge,

    // JWK Sets (RFC 7517 §5), refused as a whole.
    /// Not a JSON object with a `keys` array of objects (RFC 7517 §5), a
    /// member of the right name but the wrong type, or one given twice.
    KeySetMalformed,
    /// More than [`MAX_KEY_SET_KEYS`](crate::limits::MAX_KEY_SET_KEYS) keys.
    KeySetTooManyKeys,
    /// A key has a private member (`d`): the server publishes a private
    /// key, so none of its keys is trusted.
    KeySetPrivateKey,

    // Members of a response, read as a type.
    /// A member's value does not have the shape of the type asked for;
    /// why, in the JSON parser's words.
    MemberType(UntrustedText),

    // Rich authorization requests (RFC 9396).
    /// `authorization_details` is not a JSON array of JSON objects, or an
    /// object has a member twice, or a member given as JSON text is not
    /// one JSON value (RFC 9396 §2).
    AuthorizationDetailsMalformed,
    /// An authorization details object has no `type`, or one that is not
    /// a non-empty string (RFC 9396 §2).
    AuthorizationDetailType,
    /// An authorization details object's common data field (RFC 9396
    /// §2.2) has the wrong type (`locations`, `actions`, `datatypes` and
    /// `privileges` are arrays of strings, `identifier` a string), or a
    /// type's own member was given the name of one.
    AuthorizationDetailMember(&'static str),
    /// `authorization_details` is over
    /// [`MAX_AUTHORIZATION_DETAILS_BYTES`](crate::limits::MAX_AUTHORIZATION_DETAILS_BYTES):
    /// refused unread.
    AuthorizationDetailsTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// More authorization details objects than
    /// [`MAX_AUTHORIZATION_DETAILS`](crate::limits::MAX_AUTHORIZATION_DETAILS).
    TooManyAuthorizationDetails {
        /// The cap.
        limit: usize,
    },

    // Stored states (`from_json`). Nothing is lost but the stored value:
    // discard it, and for a pending flow let the user start a new login.
    /// A stored state written in a format version this build does not read
    /// (a newer release, or one too old to migrate).
    StoredStateVersion {
        /// The version found.
        found: u64,
        /// The version this build reads.
        supported: u32,
    },
    /// Not a stored state of this kind: truncated, corrupted or tampered
    /// with, or an invalid member (such as an `http://` endpoint, or a
    /// `state` or token the crate would never have made or accepted).
    StoredStateMalformed,
    /// A stored state over
    /// [`MAX_STORED_STATE_BYTES`](crate::limits::MAX_STORED_STATE_BYTES):
    /// refused unread.
    StoredStateTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    // OpenID CIBA Core 1.0.
    /// A backchannel authentication request parameter (CIBA Core §7.1),
    /// named, that is empty, or holds a control, bidi or invisible format
    /// character, or (`requested_expiry`) is not a positive number of
    /// seconds.
    RequestParameter(&'static str),
}

impl InvalidValue {
    /// Whether the value is a URL refused by the endpoint and redirect URI
    /// checks (the first group of variants).
    #[must_use]
    pub fn is_url(&self) -> bool {
        matches!(
            self,
            Self::NotAbsoluteUrl
                | Self::HasFragment
                | Self::NotHttps
                | Self::UnsupportedScheme
                | Self::HasUserinfo
                | Self::IssuerHasQuery
                | Self::NotHttpUri
                | Self::LocalhostNotIpLiteral
                | Self::DangerousScheme
                | Self::OutOfBand
                | Self::NotReverseDomainScheme
        )
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RequestParameter(name) => write!(
                f,
                "the {name} parameter is empty, holds a control, bidi or invisible character, or is out of range"
            ),
            Self::NotAbsoluteUrl => f.write_str("the URL is not an absolute URL"),
            Self::HasFragment => f.write_str("the URL has a fragment"),
            Self::NotHttps => f.write_str("the URL uses http:// on a host that is not loopback"),
            Self::UnsupportedScheme => f.write_str("the URL has a scheme other than https"),
            Self::HasUserinfo => f.write_str("the URL has credentials in it"),
            Self::IssuerHasQuery => f.write_str("the issuer identifier has a query component"),
            Self::NotHttpUri => f.write_str("the URL is not a URI the http crate can send to"),
            Self::LocalhostNotIpLiteral => f.write_str(
                "the redirect URI uses http://localhost instead of a loopback IP literal (RFC 8252 §8.3)",
            ),
            Self::DangerousScheme => {
                f.write_str("the redirect URI has a scheme that never reaches the client")
            }
            Self::OutOfBand => f.write_str("the redirect URI is the retired out-of-band URN"),
            Self::NotReverseDomainScheme => f.write_str(
                "the redirect URI has a private-use scheme that is not a reversed domain name (RFC 8252 §7.1)",
            ),
            Self::ClientId => {
                f.write_str("client_id is empty or has a character outside printable ASCII")
            }
            Self::ScopeToken(token) => write!(
                f,
                "scope token {token:?} has a character outside RFC 6749 §3.3's set (printable ASCII except space, `\"` and `\\`)"
            ),
            Self::TokenTypeAlias(name) => write!(
                f,
                "token type {name:?} cannot be read as Bearer: it is empty, too long, starts or ends with a space, has a character outside printable ASCII, is Bearer itself, or is bound to a key (DPoP, MAC, N_A)"
            ),
            Self::PresetArgument { argument, value } => write!(
                f,
                "the {argument} {value:?} is not a DNS name or identifier: only ASCII letters, digits, `-` and `.` are allowed"
            ),
            Self::ResourceNotAbsoluteUri => {
                f.write_str("the resource indicator is not an absolute URI")
            }
            Self::ResourceHasFragment => {
                f.write_str("the resource indicator has a fragment (RFC 8707 §2)")
            }
            Self::TokenTypeNotAbsoluteUri => f.write_str(
                "the token type identifier is not an absolute URI (RFC 8693 §3)",
            ),
            Self::ResourceTooLong { limit } => write!(
                f,
                "the resource indicator is over its size cap of {limit} bytes"
            ),
            Self::TooManyResources { limit } => {
                write!(f, "more than {limit} resource indicators on one request")
            }
            Self::ResourceNotRequested => f.write_str("the login did not ask for this resource"),
            Self::Jwk => f.write_str(
                "a public JWK member is not unpadded base64url, or its curve is unknown",
            ),
            Self::KeyNotOfCurve => f.write_str("the private key is not a valid key of the curve"),
            Self::KeyMalformed => {
                f.write_str("not an unencrypted PKCS#8 or SEC1 private key in DER or PEM")
            }
            Self::KeyEncrypted => f.write_str("the PKCS#8 private key is encrypted"),
            Self::KeyOfOtherAlgorithm => f.write_str("the key is of another algorithm or curve"),
            Self::KeyNotPrivate => f.write_str("a public key, without the private key"),
            Self::KeyPublicPartMismatch => {
                f.write_str("the JWK's public key is not that of its private key")
            }
            Self::KeyMalformedJwk => f.write_str("not a private JWK with the members of the curve"),
            Self::KeyTooLarge => f.write_str("the key is larger than any key of the curve"),
            Self::KeySetMalformed => {
                f.write_str("not a JWK Set: an object with a `keys` array of JWKs")
            }
            Self::KeySetTooManyKeys => {
                f.write_str("the JWK Set has more keys than this client reads")
            }
            Self::KeySetPrivateKey => f.write_str("the JWK Set publishes a private key"),
            Self::MemberType(why) => {
                write!(f, "the member does not have the type asked for: {why}")
            }
            Self::AuthorizationDetailsMalformed => f.write_str(
                "authorization_details is not a JSON array of objects, each member once (RFC 9396 §2)",
            ),
            Self::AuthorizationDetailType => f.write_str(
                "an authorization details object has no type, or not a non-empty string (RFC 9396 §2)",
            ),
            Self::AuthorizationDetailMember(member) => write!(
                f,
                "the authorization details member `{member}` is not of its common data field's type (RFC 9396 §2.2)"
            ),
            Self::AuthorizationDetailsTooLarge { limit } => write!(
                f,
                "authorization_details is over its size cap of {limit} bytes"
            ),
            Self::TooManyAuthorizationDetails { limit } => {
                write!(f, "more than {limit} authorization details objects")
            }
            Self::StoredStateVersion { found, supported } => write!(
                f,
                "stored flow state has format version {found}; this build reads version {supported}"
            ),
            Self::StoredStateMalformed => f.write_str("stored flow state is malformed"),
            Self::StoredStateTooLarge { limit } => {
                write!(f, "stored flow state is over its size cap of {limit} bytes")
            }
        }
    }
}

impl core::error::Error for InvalidValue {}

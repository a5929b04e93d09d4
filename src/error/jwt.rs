//! Why a JWT or JWS from the server was refused: its compact form, its
//! header, its key, its signature (RFC 7515 §5.2), then its claims (RFC
//! 7519 §7.2; for an ID token, OpenID Connect Core §3.1.3.7 and §12.2).

use core::fmt;

use crate::limits::MAX_JWS_BYTES;
use crate::text::UntrustedText;
use crate::time::UnixTime;

/// Why a JWS or a JWT from the server was refused. Nothing of it is
/// trusted when this is returned: the claims are read only after the
/// signature verified, and checked only after they were read.
///
/// The variants come in the order the checks run: the compact form and
/// the header, the key, the signature, the claims' shape, then what the
/// claims must say.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    // The compact form and the header (RFC 7515 §5.2).
    /// Over [`MAX_JWS_BYTES`]: refused unread.
    TooLarge,
    /// Not three base64url parts joined by dots (RFC 7515 §7.1), or a
    /// header that is not a JSON object (§4), or one whose `alg`, `kid`
    /// or `typ` is not a string or appears twice.
    Malformed,
    /// `alg` is `none` (RFC 7518 §3.6): an unsigned token is never
    /// accepted.
    Unsigned,
    /// An `alg` this use does not allow, or one the verifier cannot check
    /// (RFC 7515 §5.2 step 8): the server signs with another algorithm
    /// than the client registered, or the token was forged. The `alg`
    /// as received.
    AlgorithmNotAllowed(UntrustedText),
    /// The header has a `crit` member (RFC 7515 §4.1.11): an extension
    /// this client does not understand, so the JWS must be refused.
    CriticalHeader,

    // The key (OpenID Connect Core §10.1.1).
    /// No key of the set has this `kid` (the `kid` as received, or none
    /// when the header had none and no key fits). The server may have
    /// rotated its keys: fetch the key set again, once
    /// ([`KeySet::refetch`](crate::openid::KeySet::refetch)), then retry.
    UnknownKey(Option<UntrustedText>),
    /// The set has keys with this `kid`, but none for this `alg`, for
    /// signatures (`use`, `key_ops`), or of a type and size this client
    /// accepts (RSA under 2048 bits is not).
    KeyUnusable(Option<UntrustedText>),
    /// The header names no `kid` and several keys fit (OpenID Connect
    /// Core §10.1 requires a `kid` then).
    AmbiguousKey,
    /// The key set was fetched less than
    /// [`KEY_SET_REFETCH_INTERVAL`](crate::openid::KEY_SET_REFETCH_INTERVAL)
    /// ago: it is not fetched again for an unknown `kid` before
    /// `not_before` (a forged `kid` must not make the client flood the
    /// server). Refuse the token.
    KeySetRefetchTooSoon {
        /// When a fetch is allowed again.
        not_before: UnixTime,
    },

    // The signature.
    /// The signature does not verify: the token was forged or altered, or
    /// made with another key. What a [`JwsVerifier`](crate::jose::JwsVerifier)
    /// returns when it refuses a signature.
    BadSignature,

    // The claims' shape (RFC 7519 §4).
    /// The payload is not a JSON object.
    ClaimsNotAnObject,
    /// A claim appears twice: which to believe is undefined, so neither
    /// is. The name as received.
    DuplicateClaim(UntrustedText),
    /// A required claim is missing (for an ID token: `iss`, `sub`, `aud`,
    /// `exp`, `iat`).
    MissingClaim(&'static str),
    /// A claim has the wrong type (`aud` not a string or an array of
    /// strings, a time not a non-negative number, …).
    InvalidClaim(&'static str),

    // What the claims must say (OpenID Connect Core §3.1.3.7, §12.2).
    /// `iss` is not the issuer (item 2), as received.
    IssuerMismatch(UntrustedText),
    /// `aud` does not contain the client's id (item 3).
    AudienceMismatch,
    /// Several audiences, or an `azp`, and `azp` is not the client's id
    /// (items 4, 5).
    AuthorizedPartyMismatch,
    /// `exp` is past, beyond the skew (item 9).
    Expired {
        /// The token's `exp`.
        exp: UnixTime,
    },
    /// `iat` is in the future, beyond the skew (item 10): the server's
    /// clock or the client's is wrong.
    IssuedInFuture {
        /// The token's `iat`.
        iat: UnixTime,
    },
    /// `nbf` is in the future, beyond the skew (RFC 7519 §4.1.5).
    NotYetValid {
        /// The token's `nbf`.
        nbf: UnixTime,
    },
    /// The request carried a `nonce` and the token none (item 11).
    NonceMissing,
    /// The token's `nonce` is not the request's (item 11): a replayed
    /// or injected token.
    NonceMismatch,
    /// The `acr` is none of the essential values asked for (item 12).
    AcrNotSatisfied,
    /// `max_age` was asked and the token has no `auth_time` (item 13).
    AuthTimeMissing,
    /// The user authenticated longer ago than `max_age` (item 13).
    AuthTimeTooOld {
        /// The token's `auth_time`.
        auth_time: UnixTime,
    },
    /// `at_hash` is not the access token's hash (§3.1.3.8): the tokens
    /// were not issued together.
    AtHashMismatch,
    /// A refresh response's ID token changed a claim that must stay the
    /// login's (Core §12.2): `sub`, `aud`, `azp`, `auth_time` or a
    /// `nonce` sent. It is not the same user's session: sign the user out.
    RefreshChanged(&'static str),

    // UserInfo (OpenID Connect Core §5.3) and logout tokens (Back-Channel
    // Logout 1.0 §2.4, §2.6).
    /// The UserInfo response's `sub` is not the ID token's (Core §5.3.4):
    /// it is about another user, and none of it may be used.
    SubjectMismatch,
    /// A logout token has a `nonce` (Back-Channel Logout 1.0 §2.4, §2.6
    /// step 7): refused, so that an ID token cannot pass for one.
    NonceForbidden,
    /// A logout token's `events` has no
    /// `http://schemas.openid.net/event/backchannel-logout` member whose
    /// value is a JSON object (§2.4, §2.6 step 5).
    NotALogoutEvent,
    /// A logout token has neither `sub` nor `sid` (§2.4, §2.6 step 6).
    NoSubjectOrSession,
    /// The JWS header's `typ` is not the one this token must have when it
    /// says one (`logout+jwt`, Back-Channel Logout 1.0 §2.6 step 3); the
    /// `typ` as received.
    WrongType(UntrustedText),
}

impl JwtError {
    /// Whether the JWS itself was refused — its form, header, key or
    /// signature — before any claim was read. Otherwise the signature
    /// verified and a claim is wrong.
    #[must_use]
    pub fn is_jws_refused(&self) -> bool {
        matches!(
            self,
            Self::TooLarge
                | Self::Malformed
                | Self::Unsigned
                | Self::AlgorithmNotAllowed(_)
                | Self::CriticalHeader
                | Self::UnknownKey(_)
                | Self::KeyUnusable(_)
                | Self::AmbiguousKey
                | Self::KeySetRefetchTooSoon { .. }
                | Self::BadSignature
                | Self::WrongType(_)
        )
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge => write!(f, "the JWS is over its cap of {MAX_JWS_BYTES} bytes"),
            Self::Malformed => f.write_str("not a JWS in compact serialization"),
            Self::Unsigned => f.write_str("the JWS is unsigned (alg none)"),
            Self::AlgorithmNotAllowed(alg) => write!(f, "the JWS algorithm `{alg}` is not allowed"),
            Self::CriticalHeader => f.write_str("the JWS has critical header extensions"),
            Self::UnknownKey(Some(kid)) => write!(f, "no key of the key set has kid `{kid}`"),
            Self::UnknownKey(None) => f.write_str("no key of the key set fits the JWS"),
            Self::KeyUnusable(Some(kid)) => write!(f, "the key `{kid}` cannot verify this JWS"),
            Self::KeyUnusable(None) => f.write_str("no key of the key set can verify this JWS"),
            Self::AmbiguousKey => f.write_str("the JWS names no kid and several keys fit"),
            Self::KeySetRefetchTooSoon { not_before } => write!(
                f,
                "the key set was fetched moments ago; not again before {not_before}"
            ),
            Self::BadSignature => f.write_str("the JWS signature does not verify"),
            Self::ClaimsNotAnObject => f.write_str("the claims are not a JSON object"),
            Self::DuplicateClaim(name) => write!(f, "the claim `{name}` appears more than once"),
            Self::MissingClaim(name) => write!(f, "the claim `{name}` is missing"),
            Self::InvalidClaim(name) => write!(f, "the claim `{name}` has the wrong type"),
            Self::IssuerMismatch(iss) => {
                write!(f, "the token's issuer `{iss}` is not the server's")
            }
            Self::AudienceMismatch => f.write_str("the token is not for this client (aud)"),
            Self::AuthorizedPartyMismatch => f.write_str("the token's azp is not this client"),
            Self::Expired { exp } => write!(f, "the token expired at {exp}"),
            Self::IssuedInFuture { iat } => write!(f, "the token is issued in the future ({iat})"),
            Self::NotYetValid { nbf } => write!(f, "the token is not valid before {nbf}"),
            Self::NonceMissing => f.write_str("the ID token has no nonce"),
            Self::NonceMismatch => f.write_str("the ID token's nonce is not the request's"),
            Self::AcrNotSatisfied => f.write_str("the ID token's acr is not one asked for"),
            Self::AuthTimeMissing => {
                f.write_str("the ID token has no auth_time, and max_age was asked")
            }
            Self::AuthTimeTooOld { auth_time } => write!(
                f,
                "the user authenticated at {auth_time}, longer ago than max_age"
            ),
            Self::AtHashMismatch => f.write_str("the ID token's at_hash is not the access token's"),
            Self::RefreshChanged(claim) => {
                write!(f, "the refreshed ID token's {claim} is not the login's")
            }
            Self::SubjectMismatch => f.write_str("the UserInfo sub is not the ID token's"),
            Self::NonceForbidden => f.write_str("the logout token has a nonce"),
            Self::NotALogoutEvent => {
                f.write_str("the logout token's events has no back-channel logout event")
            }
            Self::NoSubjectOrSession => f.write_str("the logout token has neither sub nor sid"),
            Self::WrongType(typ) => write!(f, "the JWS typ `{typ}` is not this token's"),
        }
    }
}

impl core::error::Error for JwtError {}

//! Why a request to a protected resource was not made, or its answer not
//! followed: the token could not go on the request (RFC 6750 §2.1,
//! RFC 9449 §7), the `WWW-Authenticate` challenge could not be read
//! (RFC 9110 §11.6.1, RFC 6750 §3), or a step-up login was not started
//! (RFC 9470 §3).

use core::fmt;

use crate::error::leaf::CryptoError;
use crate::error::misuse::ApiMisuse;
use crate::text::UntrustedText;

/// Why a request to a protected resource was not made, or its challenge
/// not followed.
///
/// Three groups: the token could not be put on the request
/// ([`Authorized::authorize_request`](crate::Authorized::authorize_request)
/// and its DPoP twin), the resource's `WWW-Authenticate` header could not
/// be read ([`BearerChallenge::parse`](crate::resource::BearerChallenge::parse)),
/// or no step-up login was started
/// ([`StepUp::start`](crate::resource::StepUp::start)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceError {
    // Putting the token on the request.
    /// The request's URI is not `https` (nor `http` on loopback): the token
    /// would cross the network in clear text (RFC 6750 §5.3).
    InsecureTarget,
    /// The access token cannot be sent in an `Authorization` header: it is
    /// not RFC 6750 §2.1's `b64token` (for a provider's own token type,
    /// configured with [`Tolerances`](crate::tolerance::Tolerances): it has a space or
    /// a character outside visible ASCII). The server issued a token no
    /// request can carry; ask its operator.
    InvalidToken,
    /// The request's target is not an absolute URI.
    InvalidTarget,
    /// The caller's mistake: a DPoP-bound token sent as a bearer token
    /// ([`ApiMisuse::DpopBound`]), a bearer token sent with a DPoP proof
    /// ([`ApiMisuse::NotDpopBound`]), or a client with another DPoP key
    /// ([`ApiMisuse::DpopKeyMismatch`]). See the variant.
    Misuse(ApiMisuse),
    /// The DPoP key could not sign the proof.
    Signing(CryptoError),

    // Reading the resource's challenge.
    /// The `WWW-Authenticate` header does not follow RFC 9110 §11.6.1's
    /// challenge syntax.
    MalformedChallenge,
    /// The `WWW-Authenticate` header is over
    /// [`MAX_WWW_AUTHENTICATE_BYTES`](crate::limits::MAX_WWW_AUTHENTICATE_BYTES):
    /// refused unread.
    ChallengeTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A parameter of the Bearer or DPoP challenge appears twice (RFC 6750
    /// §3: "MUST NOT appear more than once"). The name as received.
    RepeatedChallengeParameter(UntrustedText),
    /// The challenge's `error` has characters outside RFC 6750 §3's set
    /// (`%x20-21 / %x23-5B / %x5D-7E`).
    InvalidChallengeErrorCode,
    /// The challenge's `scope` has characters outside RFC 6749 §3.3's set.
    InvalidChallengeScope,
    /// More than one challenge of the scheme looked for in the header.
    RepeatedChallenge,

    // Starting a step-up login (RFC 9470 §3).
    /// The challenge is not `insufficient_scope`: see its
    /// [`next_step`](crate::resource::BearerChallenge::next_step).
    NotInsufficientScope,
    /// The challenge names no `scope`: there is nothing more to ask for.
    NoScopeToAskFor,
    /// The scope required is already granted: the resource refuses it
    /// anyway, and a new login would get the same token. Give up.
    ScopeAlreadyGranted,
    /// The grant was stepped up as often as allowed.
    StepUpLimitReached {
        /// The limit.
        limit: u8,
    },
}

impl fmt::Display for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InsecureTarget => {
                f.write_str("refusing to send a bearer token to a non-https, non-loopback URI")
            }
            Self::InvalidToken => {
                f.write_str("the access token has characters an Authorization header cannot carry")
            }
            Self::InvalidTarget => {
                f.write_str("the protected resource's URI is not an absolute URI")
            }
            Self::Misuse(misuse) => fmt::Display::fmt(misuse, f),
            Self::Signing(error) => write!(f, "the DPoP proof could not be signed: {error}"),
            Self::MalformedChallenge => f.write_str("the WWW-Authenticate header is malformed"),
            Self::ChallengeTooLarge { limit } => write!(
                f,
                "the WWW-Authenticate header is over its size cap of {limit} bytes"
            ),
            Self::RepeatedChallengeParameter(name) => {
                write!(f, "the challenge parameter `{name}` appears more than once")
            }
            Self::InvalidChallengeErrorCode => {
                f.write_str("the challenge's error has characters outside RFC 6750's set")
            }
            Self::InvalidChallengeScope => f.write_str("the challenge's scope is invalid"),
            Self::RepeatedChallenge => {
                f.write_str("the header has more than one challenge of the scheme")
            }
            Self::NotInsufficientScope => {
                f.write_str("the resource's challenge is not insufficient_scope")
            }
            Self::NoScopeToAskFor => {
                f.write_str("the resource's challenge names no scope to ask for")
            }
            Self::ScopeAlreadyGranted => f.write_str(
                "the resource asks for a scope already granted; a new login will not help",
            ),
            Self::StepUpLimitReached { limit } => {
                write!(f, "the grant was stepped up {limit} times already")
            }
        }
    }
}

impl core::error::Error for ResourceError {}

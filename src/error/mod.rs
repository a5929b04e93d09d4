//! One error type per kind of answer: a setup to fix ([`ConfigError`]), a
//! value refused ([`InvalidValue`]), a callback refused
//! ([`CallbackError`]), an endpoint's answer ([`EndpointError`] in a
//! [`Failure`]), a protected resource's ([`ResourceError`]), the caller's
//! mistake ([`ApiMisuse`]), a signer or the randomness failing
//! ([`CryptoError`]). Every variant says what the caller should do;
//! none carries a secret, in `Debug` or in `Display`.

use core::fmt;

use crate::text::UntrustedText;

pub(crate) mod codes;
mod config;
mod endpoint;
mod jwt;
mod leaf;
mod misuse;
mod resource;
#[cfg(all(test, feature = "http"))]
mod tests;
mod value;

pub use codes::{AuthorizationErrorCode, BearerErrorCode, ErrorResponse, TokenErrorCode};
pub use config::ConfigError;
pub(crate) use config::MIN_HS256_SECRET_OCTETS;
pub use endpoint::{EndpointError, EndpointErrorKind, EndpointKind, Failure};
pub use jwt::JwtError;
pub use leaf::CryptoError;
pub(crate) use leaf::FormError;
pub use misuse::ApiMisuse;
pub use resource::ResourceError;
pub use value::InvalidValue;

/// Why a callback was refused
/// ([`AwaitingCallback::handle_callback`](crate::AwaitingCallback::handle_callback)
/// and the [`Callback`](crate::Callback) parsers).
///
/// Except for [`Authorization`](Self::Authorization), every variant means
/// the request at the redirect URI did not come from this flow's
/// authorization server as it should: show a generic error, discard the
/// pending flow and let the user start a new login.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// The string given as the callback URL is not an absolute URL.
    NotAUrl,
    /// Not a `GET` with a query, nor a form-encoded `POST`.
    UnsupportedRequest,
    /// A `%` not followed by two hexadecimal digits (RFC 3986 §2.1).
    MalformedPercentEncoding,
    /// The parameters, percent-decoded, are not UTF-8.
    NotUtf8,
    /// The callback or one of its parameters is over its cap
    /// ([`MAX_CALLBACK_BYTES`](crate::limits::MAX_CALLBACK_BYTES),
    /// [`MAX_PARAMETER_BYTES`](crate::limits::MAX_PARAMETER_BYTES)):
    /// refused before it is decoded.
    TooLarge {
        /// The cap that was exceeded, in bytes.
        limit: usize,
    },
    /// The callback has more than
    /// [`MAX_CALLBACK_PARAMETERS`](crate::limits::MAX_CALLBACK_PARAMETERS)
    /// parameters: refused before they are decoded.
    TooManyParameters {
        /// The cap.
        limit: usize,
    },
    /// A parameter appears more than once (RFC 6749 §3.1): refused before
    /// anything else is looked at. The name as received.
    RepeatedParameter(UntrustedText),
    /// The server declares `authorization_response_iss_parameter_supported`
    /// but the response has no `iss` (RFC 9207 §2.4): a possible mix-up
    /// attack.
    MissingIssuer,
    /// `iss` is not this flow's issuer (RFC 9207 §2.4): the response comes
    /// from another authorization server, a possible mix-up attack.
    IssuerMismatch {
        /// The `iss` received (not secret; attacker-controlled text).
        received: UntrustedText,
    },
    /// No `state`: not a response to this flow.
    MissingState,
    /// `state` is not this flow's (RFC 6749 §10.12): a possible CSRF
    /// attack, or a stale tab. The value is never shown.
    StateMismatch,
    /// The response carries `access_token`, `id_token` or `token`, which
    /// only an implicit or hybrid response has: this client asked for
    /// `response_type=code` alone, so a misconfigured or mixed-up server, or
    /// an injection attempt, is answering (RFC 9700 §2.1.2). Nothing in it
    /// is used.
    UnrequestedResponseType {
        /// The parameter that should not be there.
        parameter: &'static str,
    },
    /// The `error` code has characters outside RFC 6749 §4.1.2.1's set
    /// (`%x20-21 / %x23-5B / %x5D-7E`): not an error response a server
    /// may send.
    InvalidErrorCode,
    /// The server answered with an error (RFC 6749 §4.1.2.1), after `state`
    /// and `iss` were checked. `access_denied` means the user said no.
    Authorization(ErrorResponse<AuthorizationErrorCode>),
    /// A success response without a `code`.
    MissingCode,
    /// The login asked for a JWT-secured response (`response_mode` `jwt`,
    /// JARM §2.3) and the callback's parameters did not come out of a
    /// verified `response` JWT: verify it first
    /// ([`AwaitingCallback::verify_response`](crate::AwaitingCallback::verify_response)).
    ResponseNotSigned,
    /// The `response` JWT was refused (JARM §4.4): its signature, `iss`,
    /// `aud` or `exp`, or its shape. For
    /// [`JwtError::UnknownKey`], fetch the key set again
    /// ([`KeySet::refetch`](crate::openid::KeySet::refetch)) and verify
    /// once more: the pending flow is untouched.
    ResponseRejected(JwtError),
    /// The caller's mistake, such as a [`Client`](crate::Client) that is
    /// not the one that started this flow
    /// ([`ApiMisuse::ClientMismatch`]): nothing was sent and no credential
    /// of it was used. See the variant.
    Misuse(ApiMisuse),
    // OpenID CIBA Core 1.0 §10.2, the ping notification.
    /// A ping notification that is not a `POST` of a JSON object whose one
    /// string member `auth_req_id` is printable ASCII (CIBA Core §10.2).
    MalformedNotification,
    /// A ping notification without the bearer token the backchannel
    /// authentication request carried (`client_notification_token`, CIBA
    /// Core §10.2), or with another: it does not come from the provider.
    /// The value is never shown.
    NotificationTokenMismatch,
    /// A ping notification for another backchannel authentication than
    /// this one (its `auth_req_id`). The value is never shown.
    AuthReqIdMismatch,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAUrl => f.write_str("the callback is not an absolute URL"),
            Self::UnsupportedRequest => {
                f.write_str("the callback is neither a GET nor a form-encoded POST")
            }
            Self::MalformedPercentEncoding => {
                f.write_str("the callback parameters have malformed percent-encoding")
            }
            Self::NotUtf8 => f.write_str("the callback parameters are not UTF-8"),
            Self::MalformedNotification => f.write_str(
                "the ping notification is not a POST of a JSON object with a printable auth_req_id",
            ),
            Self::NotificationTokenMismatch => f.write_str(
                "the ping notification does not carry this request's client_notification_token",
            ),
            Self::AuthReqIdMismatch => {
                f.write_str("the ping notification is for another auth_req_id")
            }
            Self::TooLarge { limit } => {
                write!(f, "the callback is over its size cap of {limit} bytes")
            }
            Self::TooManyParameters { limit } => {
                write!(f, "the callback has more than {limit} parameters")
            }
            Self::RepeatedParameter(name) => {
                write!(f, "the callback parameter `{name}` appears more than once")
            }
            Self::MissingIssuer => {
                f.write_str("the callback has no `iss`, which this server always sends")
            }
            Self::IssuerMismatch { received } => {
                write!(
                    f,
                    "the callback's `iss` {received:?} is not this flow's issuer"
                )
            }
            Self::MissingState => f.write_str("the callback has no `state`"),
            Self::StateMismatch => f.write_str("the callback's `state` does not match this flow's"),
            Self::UnrequestedResponseType { parameter } => write!(
                f,
                "the callback carries `{parameter}`, which a code response never has"
            ),
            Self::InvalidErrorCode => {
                f.write_str("the callback's `error` has characters outside RFC 6749's set")
            }
            Self::Authorization(error) => write!(
                f,
                "the authorization server answered with an error: {error}"
            ),
            Self::MissingCode => f.write_str("the callback has neither `code` nor `error`"),
            Self::ResponseNotSigned => f.write_str(
                "the login asked for a signed response (JARM) and the callback's was not verified",
            ),
            Self::ResponseRejected(error) => {
                write!(f, "the callback's `response` JWT was refused: {error}")
            }
            Self::Misuse(misuse) => fmt::Display::fmt(misuse, f),
        }
    }
}

impl core::error::Error for CallbackError {}

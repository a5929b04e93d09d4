//! The authorization response as it reaches the redirect URI
//! (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2).

use alloc::string::String;
use core::fmt;

use crate::error::codes::{is_error_code, AuthorizationErrorCode, ErrorResponse};
use crate::error::CallbackError;
use crate::error::FormError;
use crate::limits::{MAX_CALLBACK_BYTES, MAX_CALLBACK_PARAMETERS, MAX_PARAMETER_BYTES};
use crate::secret::{AuthorizationCode, State};
use crate::text::UntrustedText;
use crate::wire::form;

/// The parameters of an implicit or hybrid response, which a client that
/// asks for `response_type=code` alone never gets (RFC 9700 §2.1.2).
const UNREQUESTED: [&str; 3] = ["access_token", "id_token", "token"];

/// The parameters of an authorization response, decoded once and checked
/// for repeats, not yet checked against the pending flow.
///
/// Build it from whatever the redirect brought, with the one constructor
/// that fits: [`from_url`](Self::from_url) for the full URL,
/// [`from_query`](Self::from_query) for a raw query string (a framework's
/// `uri.query()`), [`from_form_body`](Self::from_form_body) for a
/// `response_mode=form_post` body, or (feature `http`)
/// [`from_http`](Self::from_http) for the `http::Request` itself, either
/// kind. Then hand it to
/// [`AwaitingCallback::handle_callback`](crate::AwaitingCallback::handle_callback),
/// which does the checks. Empty parameters count as absent; unknown
/// parameters are ignored (RFC 6749 §3.1), except the `access_token`,
/// `id_token` and `token` of a response type this client never asks for.
///
/// Every parser refuses input over the caps in [`limits`](crate::limits)
/// before decoding it.
#[derive(Clone, Default)]
pub struct Callback {
    pub(crate) code: Option<AuthorizationCode>,
    pub(crate) state: Option<State>,
    pub(crate) iss: Option<UntrustedText>,
    pub(crate) error: Option<ErrorResponse<AuthorizationErrorCode>>,
    /// An `error` whose code is outside RFC 6749 §4.1.2.1's set.
    pub(crate) invalid_error: bool,
    /// The first parameter of an unrequested response type, if any.
    pub(crate) unrequested: Option<&'static str>,
    /// The `response` parameter of a JWT-secured response (JARM §2.3),
    /// not yet verified.
    pub(crate) response: Option<String>,
    /// Whether these parameters came out of a verified `response` JWT.
    pub(crate) signed: bool,
}

impl Callback {
    /// Parses a raw query string, with or without its leading `?`.
    ///
    /// # Errors
    /// [`CallbackError::RepeatedParameter`],
    /// [`CallbackError::MalformedPercentEncoding`] or
    /// [`CallbackError::NotUtf8`].
    pub fn from_query(query: &str) -> Result<Self, CallbackError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        check_size(query)?;
        Self::from_pairs(form::parse_unique(query))
    }

    /// Parses the full URL the browser was redirected to; the query is
    /// read, a fragment is ignored.
    ///
    /// # Errors
    /// [`CallbackError::NotAUrl`], and as [`Callback::from_query`].
    pub fn from_url(url: &str) -> Result<Self, CallbackError> {
        check_length(url.len())?;
        let url = url::Url::parse(url).map_err(|_| CallbackError::NotAUrl)?;
        Self::from_query(url.query().unwrap_or(""))
    }

    /// Parses the body of a `response_mode=form_post` callback
    /// (`application/x-www-form-urlencoded`).
    ///
    /// # Errors
    /// As [`Callback::from_query`].
    pub fn from_form_body(body: &[u8]) -> Result<Self, CallbackError> {
        check_length(body.len())?;
        let body = core::str::from_utf8(body).map_err(|_| CallbackError::NotUtf8)?;
        check_size(body)?;
        Self::from_pairs(form::parse_unique(body))
    }

    /// Parses the callback request itself: the query of a `GET`, or the
    /// form body of a `POST` (`response_mode=form_post`).
    ///
    /// # Errors
    /// [`CallbackError::UnsupportedRequest`] for another method or a `POST`
    /// that is not form-encoded, and as [`Callback::from_query`].
    #[cfg(feature = "http")]
    pub fn from_http<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, CallbackError> {
        match *request.method() {
            http::Method::GET => Self::from_query(request.uri().query().unwrap_or("")),
            http::Method::POST => {
                let form_encoded = request
                    .headers()
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|value| value.to_str().ok())
                    .is_some_and(crate::http::is_form_media_type);
                if !form_encoded {
                    return Err(CallbackError::UnsupportedRequest);
                }
                Self::from_form_body(request.body().as_ref())
            }
            _ => Err(CallbackError::UnsupportedRequest),
        }
    }

    /// The parameters a verified `response` JWT carried (JARM §4.4), read
    /// as a callback's.
    pub(crate) fn from_signed(
        pairs: alloc::vec::Vec<(alloc::borrow::Cow<'_, str>, String)>,
    ) -> Result<Self, CallbackError> {
        let mut callback = Self::from_pairs(Ok(pairs))?;
        // The JWT is the response: nothing in it is another one.
        callback.response = None;
        callback.signed = true;
        Ok(callback)
    }

    fn from_pairs(
        pairs: Result<alloc::vec::Vec<(alloc::borrow::Cow<'_, str>, String)>, FormError>,
    ) -> Result<Self, CallbackError> {
        let pairs = pairs.map_err(|error| match error {
            FormError::RepeatedParameter(name) => CallbackError::RepeatedParameter(name),
            FormError::MalformedPercentEncoding => CallbackError::MalformedPercentEncoding,
            FormError::InvalidUtf8 => CallbackError::NotUtf8,
        })?;
        let mut callback = Self::default();
        let mut error = None;
        let mut error_description = None;
        let mut error_uri = None;
        for (name, value) in pairs {
            if value.is_empty() {
                continue;
            }
            match name.as_ref() {
                "code" => callback.code = Some(AuthorizationCode::new(value)),
                "state" => callback.state = Some(State::new(value)),
                "iss" => callback.iss = Some(UntrustedText::from(value)),
                "error" => error = Some(value),
                "error_description" => error_description = Some(UntrustedText::from(value)),
                "error_uri" => error_uri = Some(UntrustedText::from(value)),
                "response" => callback.response = Some(value),
                other => {
                    if callback.unrequested.is_none() {
                        callback.unrequested = UNREQUESTED.iter().copied().find(|u| *u == other);
                    }
                }
            }
        }
        match error {
            Some(code) if is_error_code(&code) => {
                callback.error = Some(ErrorResponse {
                    error: AuthorizationErrorCode::from_wire(&code),
                    error_description,
                    error_uri,
                });
            }
            Some(_) => callback.invalid_error = true,
            None => {}
        }
        Ok(callback)
    }

    /// The `iss` parameter, if present (RFC 9207). Not secret.
    #[must_use]
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_ref().map(UntrustedText::as_str)
    }

    /// The `state` parameter, if present: use it to find the pending flow
    /// this callback belongs to, then let `handle_callback` compare it.
    #[must_use]
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }

    /// Whether the callback is a JWT-secured authorization response (JARM
    /// §2.3): a `response` to verify with
    /// [`AwaitingCallback::verify_response`](crate::AwaitingCallback::verify_response).
    #[must_use]
    pub fn is_jwt_response(&self) -> bool {
        self.response.is_some()
    }

    /// Whether the callback carries an `error` (not yet trusted: the
    /// `state` and `iss` checks come first).
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.error.is_some() || self.invalid_error
    }
}

/// The cap on a whole callback, checked before it is parsed at all.
fn check_length(length: usize) -> Result<(), CallbackError> {
    if length > MAX_CALLBACK_BYTES {
        return Err(CallbackError::TooLarge {
            limit: MAX_CALLBACK_BYTES,
        });
    }
    Ok(())
}

/// The caps on a callback, checked before anything is decoded: its length,
/// how many parameters it has and how long each one is.
fn check_size(input: &str) -> Result<(), CallbackError> {
    check_length(input.len())?;
    for (index, parameter) in form::sequences(input).enumerate() {
        if index >= MAX_CALLBACK_PARAMETERS {
            return Err(CallbackError::TooManyParameters {
                limit: MAX_CALLBACK_PARAMETERS,
            });
        }
        if parameter.len() > MAX_PARAMETER_BYTES {
            return Err(CallbackError::TooLarge {
                limit: MAX_PARAMETER_BYTES,
            });
        }
    }
    Ok(())
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("code", &self.code)
            .field("state", &self.state)
            .field("iss", &self.iss)
            .field("error", &self.error)
            .field("invalid_error", &self.invalid_error)
            .field("unrequested", &self.unrequested)
            .field(
                "response",
                &self.response.as_ref().map(|_| crate::secret::REDACTED),
            )
            .field("signed", &self.signed)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    /// The callback in Pagero's documentation.
    #[test]
    fn pagero_example() {
        let callback = Callback::from_url(
            "https://urltoclient:4443/?code=0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1&state=exampleState&iss=https%3A%2F%2Fauthorization-server.com",
        )
        .unwrap();
        assert_eq!(
            callback.code.as_ref().unwrap().secret(),
            "0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1"
        );
        assert_eq!(callback.state.as_ref().unwrap().secret(), "exampleState");
        assert_eq!(callback.iss(), Some("https://authorization-server.com"));
        assert!(!callback.is_error());
        let printed = format!("{callback:?}");
        assert!(!printed.contains("0F7ijeaW4"), "{printed}");
        assert!(!printed.contains("exampleState"), "{printed}");
    }

    #[test]
    fn error_response_keeps_unknown_codes() {
        let callback =
            Callback::from_query("?error=login_required&error_description=Log+in&state=s").unwrap();
        assert!(callback.is_error());
        let error = callback.error.unwrap();
        assert_eq!(
            error.error(),
            &AuthorizationErrorCode::Other("login_required".into())
        );
        assert_eq!(error.error_description(), Some("Log in"));
    }

    #[test]
    fn empty_is_absent_and_repeats_are_refused() {
        let callback = Callback::from_query("code=&state=s&unknown=1").unwrap();
        assert!(callback.code.is_none());
        assert!(matches!(
            Callback::from_query("state=a&code=c&state=a"),
            Err(CallbackError::RepeatedParameter(name)) if name == "state"
        ));
        assert!(matches!(
            Callback::from_url("not a url"),
            Err(CallbackError::NotAUrl)
        ));
        assert!(matches!(
            Callback::from_form_body(b"code=%FF"),
            Err(CallbackError::NotUtf8)
        ));
    }
}

//! OpenID CIBA Core 1.0 on the wire: the hint that names the user in a
//! backchannel authentication request (§7.1), the provider's
//! acknowledgement of it (§7.3), and its ping notification (§10.2).

use alloc::string::String;
use core::fmt;

use crate::error::{CallbackError, EndpointErrorKind, InvalidValue};
use crate::http::HttpResponse;
use crate::limits::MAX_CALLBACK_BYTES;
use crate::secret::{AuthReqId, ClientNotificationToken, SecurityToken};
use crate::syntax::is_vschar_token;
use crate::text::{needs_escape, Escaped};
use crate::time::UnixTime;
use crate::wire::device::{polling_lifetime, take_polling_code};
use crate::wire::token::{success_members, Members};

/// Who the user to authenticate is (CIBA Core §7.1): exactly one of
/// `login_hint`, `login_hint_token` and `id_token_hint`, which the type
/// makes sure of — a request carries the one it was made with.
///
/// ```
/// use oauth2_pkce::ciba::UserHint;
/// use oauth2_pkce::exchange::SecurityToken;
/// let hint = UserHint::login_hint("alice@example.com")?;
/// let token = UserHint::login_hint_token(SecurityToken::new("eyJ.a.b"))?;
/// assert!(!format!("{token:?}").contains("eyJ"));
/// # Ok::<(), oauth2_pkce::errors::InvalidValue>(())
/// ```
///
/// No request goes without a hint:
///
/// ```compile_fail
/// # use oauth2_pkce::{ciba::BackchannelAuthentication, Client, Scope};
/// # fn no_hint(client: &Client) {
/// let step = BackchannelAuthentication::new(client, Scope::parse("openid").unwrap());
/// # }
/// ```
///
/// nor with two:
///
/// ```compile_fail
/// # use oauth2_pkce::{ciba::{BackchannelAuthentication, UserHint}, Client, Scope};
/// # fn two_hints(client: &Client, a: UserHint, b: UserHint) {
/// let step = BackchannelAuthentication::new(client, Scope::parse("openid").unwrap(), a, b);
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UserHint(Kind);

#[derive(Clone, PartialEq, Eq)]
enum Kind {
    LoginHint(String),
    LoginHintToken(SecurityToken),
    IdTokenHint(SecurityToken),
}

impl UserHint {
    /// `login_hint`: an identifier of the user the provider knows them by
    /// — an email address, a phone number, a user name.
    ///
    /// # Errors
    /// [`InvalidValue::RequestParameter`] when it is empty or holds a
    /// control, bidi or invisible format character.
    pub fn login_hint(hint: impl Into<String>) -> Result<Self, InvalidValue> {
        let hint = hint.into();
        if hint.is_empty() || hint.chars().any(needs_escape) {
            return Err(InvalidValue::RequestParameter("login_hint"));
        }
        Ok(Self(Kind::LoginHint(hint)))
    }

    /// `login_hint_token`: a token, issued for the purpose, that names the
    /// user (its format is the provider's). A secret: it never prints.
    ///
    /// # Errors
    /// [`InvalidValue::RequestParameter`] when it is empty or not
    /// printable ASCII.
    pub fn login_hint_token(token: SecurityToken) -> Result<Self, InvalidValue> {
        if !is_vschar_token(token.secret()) {
            return Err(InvalidValue::RequestParameter("login_hint_token"));
        }
        Ok(Self(Kind::LoginHintToken(token)))
    }

    /// `id_token_hint`: an ID token the provider issued to this client
    /// for the user. It never prints.
    ///
    /// # Errors
    /// [`InvalidValue::RequestParameter`] when it is empty or not
    /// printable ASCII.
    pub fn id_token_hint(id_token: SecurityToken) -> Result<Self, InvalidValue> {
        if !is_vschar_token(id_token.secret()) {
            return Err(InvalidValue::RequestParameter("id_token_hint"));
        }
        Ok(Self(Kind::IdTokenHint(id_token)))
    }

    /// The parameter's name and value, for the request's form.
    pub(crate) fn parameter(&self) -> (&'static str, &str) {
        match &self.0 {
            Kind::LoginHint(hint) => ("login_hint", hint),
            Kind::LoginHintToken(token) => ("login_hint_token", token.secret()),
            Kind::IdTokenHint(token) => ("id_token_hint", token.secret()),
        }
    }
}

impl fmt::Debug for UserHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::LoginHint(hint) => write!(f, "LoginHint({:?})", Escaped(hint)),
            Kind::LoginHintToken(token) => write!(f, "LoginHintToken({token:?})"),
            Kind::IdTokenHint(token) => write!(f, "IdTokenHint({token:?})"),
        }
    }
}

/// A backchannel authentication request's acknowledgement (CIBA Core
/// §7.3), checked.
pub(crate) struct BackchannelAuthenticationResponse {
    pub(crate) auth_req_id: AuthReqId,
    pub(crate) expires_in: u64,
    pub(crate) interval: u64,
}

/// Interprets the backchannel authentication endpoint's answer (CIBA
/// Core §7.3): `auth_req_id` (sent back in a form body: printable ASCII)
/// and `expires_in` (a positive number of seconds) required, `interval`
/// optional (5 s when absent, at least 1 s); errors (§13) as the token
/// endpoint's, with the same status handling.
pub(crate) fn parse_backchannel_authentication_response(
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<BackchannelAuthenticationResponse, EndpointErrorKind> {
    let mut members = success_members(response, now)?;
    acknowledgement(&mut members)
}

fn acknowledgement(
    members: &mut Members,
) -> Result<BackchannelAuthenticationResponse, EndpointErrorKind> {
    let auth_req_id = AuthReqId::new(take_polling_code(members, "auth_req_id")?);
    let (expires_in, interval) = polling_lifetime(members)?;
    Ok(BackchannelAuthenticationResponse {
        auth_req_id,
        expires_in,
        interval,
    })
}

/// The ping notification (CIBA Core §10.2): the provider's `POST` to the
/// client's notification endpoint once the user decided, with the
/// `client_notification_token` as a bearer token and the request's
/// `auth_req_id` in a JSON body. Read it, find the pending request by
/// [`auth_req_id`](Self::auth_req_id), check it with
/// [`AwaitingBackchannelApproval::accept_ping`](crate::ciba::AwaitingBackchannelApproval::accept_ping),
/// answer 204 (any 2xx), then send the token request.
pub struct PingNotification {
    auth_req_id: AuthReqId,
    bearer: String,
}

impl PingNotification {
    /// Reads the notification from an `http::Request`: a `POST` whose
    /// `Authorization` is `Bearer` (any case) and a token, whose body is
    /// JSON (at most [`MAX_CALLBACK_BYTES`](crate::limits::MAX_CALLBACK_BYTES)).
    ///
    /// # Errors
    /// [`CallbackError::NotificationTokenMismatch`] without a bearer token,
    /// [`CallbackError::MalformedNotification`] for another method or
    /// body, [`CallbackError::TooLarge`] for a body over the cap.
    #[cfg(feature = "http")]
    pub fn from_http<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, CallbackError> {
        if request.method() != http::Method::POST {
            return Err(CallbackError::MalformedNotification);
        }
        let headers = request.headers();
        let mut authorization = headers.get_all(http::header::AUTHORIZATION).iter();
        let bearer = match (authorization.next(), authorization.next()) {
            (Some(value), None) => value.to_str().ok(),
            _ => None,
        };
        Self::from_parts(bearer, request.body().as_ref())
    }

    /// Reads the notification from its `Authorization` header value and
    /// its body, for a server that has no `http::Request`.
    ///
    /// # Errors
    /// As [`from_http`](Self::from_http).
    pub fn from_parts(authorization: Option<&str>, body: &[u8]) -> Result<Self, CallbackError> {
        let bearer = authorization
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("Bearer").then_some(token)
            })
            .filter(|token| is_vschar_token(token))
            .ok_or(CallbackError::NotificationTokenMismatch)?;
        if body.len() > MAX_CALLBACK_BYTES {
            return Err(CallbackError::TooLarge {
                limit: MAX_CALLBACK_BYTES,
            });
        }
        #[derive(serde::Deserialize)]
        struct Body {
            auth_req_id: String,
        }
        let body: Body =
            serde_json::from_slice(body).map_err(|_| CallbackError::MalformedNotification)?;
        if !is_vschar_token(&body.auth_req_id) {
            return Err(CallbackError::MalformedNotification);
        }
        Ok(Self {
            auth_req_id: AuthReqId::new(body.auth_req_id),
            bearer: String::from(bearer),
        })
    }

    /// The `auth_req_id` the notification names: the pending request to
    /// look up. Not checked yet.
    pub fn auth_req_id(&self) -> &AuthReqId {
        &self.auth_req_id
    }

    /// Whether the bearer token is `expected`, in constant time.
    pub(crate) fn carries(&self, expected: &ClientNotificationToken) -> bool {
        crate::secret::ct_eq(&self.bearer, expected.secret())
    }
}

impl fmt::Debug for PingNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PingNotification")
            .field("auth_req_id", &self.auth_req_id)
            .field("bearer", &format_args!("{}", crate::secret::REDACTED))
            .finish()
    }
}

impl Drop for PingNotification {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bearer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TokenErrorCode;

    fn parse(body: &str) -> Result<BackchannelAuthenticationResponse, EndpointErrorKind> {
        let response =
            HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
        parse_backchannel_authentication_response(&response, UnixTime::from_secs(0))
    }

    fn problem(body: &str) -> EndpointErrorKind {
        match parse(body) {
            Err(problem) => problem,
            Ok(_) => panic!("accepted {body}"),
        }
    }

    /// CIBA Core §7.3's example.
    #[test]
    fn ciba_7_3_example() {
        let parsed = parse(
            r#"{
              "auth_req_id": "1c266114-a1be-4252-8ad1-04986c5b9ac1",
              "expires_in": 120,
              "interval": 2
            }"#,
        )
        .ok()
        .unwrap();
        assert_eq!(
            parsed.auth_req_id.secret(),
            "1c266114-a1be-4252-8ad1-04986c5b9ac1"
        );
        assert_eq!((parsed.expires_in, parsed.interval), (120, 2));
    }

    #[test]
    fn interval_defaults_to_five_seconds_and_is_at_least_one() {
        let body =
            |interval: &str| alloc::format!(r#"{{"auth_req_id":"a","expires_in":120{interval}}}"#);
        assert_eq!(parse(&body("")).ok().unwrap().interval, 5);
        assert_eq!(parse(&body(r#","interval":0"#)).ok().unwrap().interval, 1);
        for bad in [
            r#","interval":-1"#,
            r#","interval":"x""#,
            r#","interval":1.5"#,
        ] {
            assert_eq!(
                problem(&body(bad)),
                EndpointErrorKind::InvalidMember("interval"),
                "{bad}"
            );
        }
    }

    #[test]
    fn auth_req_id_and_expires_in_are_required() {
        assert_eq!(
            problem(r#"{"expires_in":120}"#),
            EndpointErrorKind::MissingMember("auth_req_id")
        );
        assert_eq!(
            problem(r#"{"auth_req_id":"a"}"#),
            EndpointErrorKind::MissingMember("expires_in")
        );
        for bad in ["0", "-5", "\"soon\"", "[1]"] {
            assert_eq!(
                problem(&alloc::format!(
                    r#"{{"auth_req_id":"a","expires_in":{bad}}}"#
                )),
                EndpointErrorKind::InvalidMember("expires_in"),
                "{bad}"
            );
        }
        for bad in [r#""""#, r#""a\n""#, r#""\u00e9""#, "5"] {
            let body = alloc::format!(r#"{{"auth_req_id":{bad},"expires_in":120}}"#);
            assert!(
                matches!(
                    problem(&body),
                    EndpointErrorKind::InvalidMember("auth_req_id")
                        | EndpointErrorKind::MissingMember("auth_req_id")
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            problem(r#"{"auth_req_id":"a","auth_req_id":"b","expires_in":1}"#),
            EndpointErrorKind::DuplicateMember(_)
        ));
    }

    /// CIBA Core §13's codes are typed.
    #[test]
    fn errors_are_typed() {
        for (wire, code) in [
            ("invalid_request", TokenErrorCode::InvalidRequest),
            ("invalid_scope", TokenErrorCode::InvalidScope),
            (
                "expired_login_hint_token",
                TokenErrorCode::ExpiredLoginHintToken,
            ),
            ("unknown_user_id", TokenErrorCode::UnknownUserId),
            ("unauthorized_client", TokenErrorCode::UnauthorizedClient),
            ("missing_user_code", TokenErrorCode::MissingUserCode),
            ("invalid_user_code", TokenErrorCode::InvalidUserCode),
            (
                "invalid_binding_message",
                TokenErrorCode::InvalidBindingMessage,
            ),
            ("invalid_client", TokenErrorCode::InvalidClient),
            ("access_denied", TokenErrorCode::AccessDenied),
        ] {
            let body = alloc::format!(r#"{{"error":"{wire}"}}"#);
            let status = if wire == "invalid_client" { 401 } else { 400 };
            let response =
                HttpResponse::new(status, body.as_bytes()).with_content_type("application/json");
            match parse_backchannel_authentication_response(&response, UnixTime::from_secs(0)) {
                Err(EndpointErrorKind::ErrorResponse(error)) => {
                    assert_eq!(error.error(), &code);
                    assert_eq!(code.as_str(), wire);
                }
                _ => panic!("{wire} not an error response"),
            }
        }
    }

    #[test]
    fn hints_are_checked_and_tokens_never_print() {
        assert!(UserHint::login_hint("").is_err());
        assert!(UserHint::login_hint("al\u{202e}ice").is_err());
        assert!(UserHint::login_hint("alice\n").is_err());
        let hint = UserHint::login_hint("alice@example.com").unwrap();
        assert_eq!(hint.parameter(), ("login_hint", "alice@example.com"));
        assert_eq!(
            alloc::format!("{hint:?}"),
            r#"LoginHint("alice@example.com")"#
        );
        for (hint, name) in [
            (
                UserHint::login_hint_token(SecurityToken::new("eyJ.hint.token")).unwrap(),
                "login_hint_token",
            ),
            (
                UserHint::id_token_hint(SecurityToken::new("eyJ.id.token")).unwrap(),
                "id_token_hint",
            ),
        ] {
            assert_eq!(hint.parameter().0, name);
            let printed = alloc::format!("{hint:?}");
            assert!(!printed.contains("eyJ"), "{printed}");
            assert!(printed.contains("[redacted]"), "{printed}");
        }
        assert!(UserHint::login_hint_token(SecurityToken::new("")).is_err());
        assert!(UserHint::id_token_hint(SecurityToken::new("a\n")).is_err());
    }
}

//! The token endpoint's response: success (RFC 6749 §5.1) or error (§5.2),
//! with the deliberate tolerances for providers that are nearly right.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::authorization_details::AuthorizationDetails;

use crate::error::codes::{is_error_code, ErrorResponse, TokenErrorCode};
use crate::error::EndpointErrorKind;
use crate::http::HttpResponse;
use crate::limits::MAX_RESPONSE_BODY_BYTES;
use crate::members::{ExtraMembers, MemberValue};
use crate::scope::Scope;
use crate::secret::{AccessToken, RefreshToken};
use crate::strictness::{Strictness, TokenType, Tolerances};
use crate::syntax::is_vschar_token;
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::auth_challenge::has_challenge;
use crate::wire::form;

/// A successful token response, checked and typed.
pub(crate) struct TokenResponse {
    pub(crate) access_token: AccessToken,
    pub(crate) token_type: TokenType,
    pub(crate) expires_in: Option<u64>,
    pub(crate) refresh_token: Option<RefreshToken>,
    pub(crate) scope: Option<Scope>,
    pub(crate) extra: ExtraMembers,
    /// RFC 9396 §7: the authorization details granted to the token.
    pub(crate) authorization_details: Option<AuthorizationDetails>,
}

/// The members a token, error or PAR response names; looked up without a
/// scan of the body's members.
const KNOWN: [&str; 9] = [
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "scope",
    "error",
    "error_description",
    "error_uri",
    "request_uri",
];

/// The index of `name` in [`KNOWN`]: one `match`, not a scan.
fn known_index(name: &str) -> Option<usize> {
    match name {
        "access_token" => Some(0),
        "token_type" => Some(1),
        "expires_in" => Some(2),
        "refresh_token" => Some(3),
        "scope" => Some(4),
        "error" => Some(5),
        "error_description" => Some(6),
        "error_uri" => Some(7),
        "request_uri" => Some(8),
        _ => None,
    }
}

/// The members of a response body. A name seen twice is recorded, not
/// overwritten as serde_json's own maps would do, and refused once the
/// whole body was read.
#[derive(Default)]
pub(crate) struct Members {
    known: [Option<Value>; KNOWN.len()],
    /// Already in the form [`ExtraMembers`] keeps, so that
    /// [`into_extra`](Self::into_extra) hands the map over as it is.
    other: BTreeMap<String, MemberValue>,
    duplicate: Option<UntrustedText>,
    /// `authorization_details` (RFC 9396 §7, §9.2), as its JSON text:
    /// each object is kept exactly as sent.
    authorization_details: Option<String>,
}

/// The member whose JSON text is kept as sent (RFC 9396).
const AUTHORIZATION_DETAILS: &str = "authorization_details";

impl Members {
    fn insert(&mut self, name: Cow<'_, str>, value: Value) {
        let slot = known_index(&name).and_then(|index| self.known.get_mut(index));
        match slot {
            Some(slot) if slot.is_none() => *slot = Some(value),
            None if !self.other.contains_key(name.as_ref()) => {
                self.other
                    .insert(name.into_owned(), MemberValue::from_value(value));
            }
            _ => {
                if self.duplicate.is_none() {
                    self.duplicate = Some(UntrustedText::from(name.into_owned()));
                }
            }
        }
    }

    /// Removes and returns the member `name`. JSON `null` for an optional
    /// member is common and means "absent".
    pub(crate) fn take(&mut self, name: &str) -> Option<Value> {
        let value = match known_index(name) {
            Some(index) => self.known.get_mut(index).and_then(Option::take),
            None => self.other.remove(name).map(MemberValue::into_value),
        };
        value.filter(|value| !value.is_null())
    }

    /// Records `authorization_details` as its JSON text.
    fn insert_authorization_details(&mut self, json: String) {
        if self.authorization_details.is_some() {
            if self.duplicate.is_none() {
                self.duplicate = Some(UntrustedText::from(AUTHORIZATION_DETAILS));
            }
        } else {
            self.authorization_details = Some(json);
        }
    }

    /// Removes and reads `authorization_details` (RFC 9396 §7, §9.2);
    /// `null` is absent. A form-encoded body carries the array as text.
    pub(crate) fn take_authorization_details(
        &mut self,
    ) -> Result<Option<AuthorizationDetails>, EndpointErrorKind> {
        match self.authorization_details.take() {
            None => Ok(None),
            Some(json) if json == "null" => Ok(None),
            Some(json) => AuthorizationDetails::from_json(&json)
                .map(Some)
                .map_err(EndpointErrorKind::InvalidAuthorizationDetails),
        }
    }

    /// The `token_type` member, when it is a string, not taken.
    pub(crate) fn token_type(&self) -> Option<&str> {
        self.known
            .get(1)
            .and_then(Option::as_ref)
            .and_then(Value::as_str)
    }

    /// What was not taken: the members this crate does not model.
    pub(crate) fn into_extra(self) -> ExtraMembers {
        let mut extra = self.other;
        // Not taken by a response that does not model it: kept as sent.
        if let Some(value) = self
            .authorization_details
            .and_then(|json| serde_json::from_str::<Value>(&json).ok())
        {
            extra.insert(
                String::from(AUTHORIZATION_DETAILS),
                MemberValue::from_value(value),
            );
        }
        for (name, value) in KNOWN.iter().zip(self.known) {
            if let Some(value) = value {
                extra.insert(String::from(*name), MemberValue::from_value(value));
            }
        }
        ExtraMembers::from_map(extra)
    }
}

/// A member name, borrowed from the body when it has no escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(name)))
            }
            fn visit_str<E>(self, name: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(String::from(name))))
            }
            fn visit_string<E>(self, name: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(name)))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

/// Reads a JSON object's members into a [`Members`] in place, so that
/// the struct is not copied through every return of the parse.
struct MembersSeed<'a>(&'a mut Members);

impl<'de> DeserializeSeed<'de> for MembersSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        struct MembersVisitor<'a>(&'a mut Members);
        impl<'de> Visitor<'de> for MembersVisitor<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
                    if name == AUTHORIZATION_DETAILS {
                        let raw: alloc::boxed::Box<RawValue> = map.next_value()?;
                        self.0.insert_authorization_details(String::from(raw.get()));
                        continue;
                    }
                    let value = map.next_value()?;
                    self.0.insert(name, value);
                }
                Ok(())
            }
        }
        deserializer.deserialize_map(MembersVisitor(self.0))
    }
}

/// What `serde_json::from_slice` does, into `members`: the value, then
/// nothing but whitespace.
fn read_members<'de, R: serde_json::de::Read<'de>>(
    mut json: serde_json::Deserializer<R>,
    members: &mut Members,
) -> Result<(), serde_json::Error> {
    MembersSeed(members).deserialize(&mut json)?;
    json.end()
}

/// The body's members, from JSON or, when the `Content-Type` says so, from a
/// form-encoded body (GitHub's default answer). A body over
/// [`MAX_RESPONSE_BODY_BYTES`] is refused unread.
pub(crate) fn members(response: &HttpResponse<'_>) -> Result<Members, EndpointErrorKind> {
    if response.body().len() > MAX_RESPONSE_BODY_BYTES {
        return Err(EndpointErrorKind::TooLarge {
            limit: MAX_RESPONSE_BODY_BYTES,
        });
    }
    let members = if response.is_form_encoded() {
        let body = core::str::from_utf8(response.body()).map_err(|_| EndpointErrorKind::NotForm)?;
        let pairs = form::parse_unique(body).map_err(|error| match error {
            crate::error::FormError::RepeatedParameter(name) => {
                EndpointErrorKind::DuplicateMember(name)
            }
            _ => EndpointErrorKind::NotForm,
        })?;
        let mut members = Members::default();
        for (name, value) in pairs {
            if name == AUTHORIZATION_DETAILS {
                members.insert_authorization_details(value);
            } else {
                members.insert(name, Value::String(value));
            }
        }
        members
    } else {
        let mut members = Members::default();
        // A body that is UTF-8 as a whole (nearly all) is checked once,
        // at full speed, rather than string by string; any other body is
        // read as bytes, with the same outcome as before.
        let read = match core::str::from_utf8(response.body()) {
            Ok(text) => read_members(serde_json::Deserializer::from_str(text), &mut members),
            Err(_) => read_members(
                serde_json::Deserializer::from_slice(response.body()),
                &mut members,
            ),
        };
        read.map_err(|error| {
            if error.is_data() {
                EndpointErrorKind::NotAnObject
            } else {
                EndpointErrorKind::NotJson
            }
        })?;
        members
    };
    match members.duplicate {
        Some(name) => Err(EndpointErrorKind::DuplicateMember(name)),
        None => Ok(members),
    }
}

pub(crate) fn take_string(
    members: &mut Members,
    name: &'static str,
) -> Result<Option<String>, EndpointErrorKind> {
    match members.take(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(EndpointErrorKind::InvalidMember(name)),
    }
}

/// The error response in `members`, if there is an `error` member. A code
/// outside RFC 6749 §5.2's character set makes the response malformed.
fn error_response(
    members: &mut Members,
) -> Result<Option<ErrorResponse<TokenErrorCode>>, EndpointErrorKind> {
    let Some(code) = take_string(members, "error")? else {
        return Ok(None);
    };
    if !is_error_code(&code) {
        return Err(EndpointErrorKind::InvalidMember("error"));
    }
    // The description and URI are for humans: a malformed one is dropped
    // rather than let it hide the code (an `invalid_grant` must stay one).
    let text = |members: &mut Members, name| {
        take_string(members, name)
            .ok()
            .flatten()
            .map(UntrustedText::from)
    };
    Ok(Some(ErrorResponse {
        error: TokenErrorCode::from_wire(&code),
        error_description: text(members, "error_description"),
        error_uri: text(members, "error_uri"),
    }))
}

/// The checks every endpoint's response goes through first: a redirect is
/// refused (never followed: the request carried credentials), and 429 and
/// 5xx are "unavailable", which is retryable.
pub(crate) fn check_status(
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<(), EndpointErrorKind> {
    let status = response.status();
    if (300..400).contains(&status) {
        return Err(EndpointErrorKind::Redirected { status });
    }
    if status == 429 || (500..600).contains(&status) {
        return Err(EndpointErrorKind::Unavailable {
            status,
            retry_after: response.retry_after(now),
        });
    }
    Ok(())
}

/// The error a failed (non-2xx) response stands for: its OAuth error
/// response when the body has one (RFC 6749 §5.2), a malformed response
/// when its `error` is not a code; else a 401 that challenges for `Basic`
/// is a refusal of the client's credentials (§5.2, `invalid_client`), and
/// anything else is its status.
fn failure(response: &HttpResponse<'_>) -> EndpointErrorKind {
    let status = response.status();
    match members(response).map(|mut members| error_response(&mut members)) {
        Ok(Ok(Some(error))) => EndpointErrorKind::ErrorResponse(error),
        Ok(Err(problem)) => problem,
        _ if status == 401
            && response
                .www_authenticate()
                .is_some_and(|header| has_challenge(header, "basic")) =>
        {
            EndpointErrorKind::ClientAuthenticationFailed { status }
        }
        _ => EndpointErrorKind::UnexpectedStatus { status },
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// The members of a success body, after [`check_status`]: a non-2xx is its
/// [`failure`], and a body with an `error` member is an error response
/// whatever the status (GitHub sends errors with 200).
pub(crate) fn success_members(
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<Members, EndpointErrorKind> {
    check_status(response, now)?;
    if !is_success(response.status()) {
        return Err(failure(response));
    }
    let mut members = members(response)?;
    if let Some(error) = error_response(&mut members)? {
        return Err(EndpointErrorKind::ErrorResponse(error));
    }
    Ok(members)
}

/// Interprets a token endpoint response (RFC 6749 §5.1, §5.2).
///
/// The body of a 2xx without an `error` member is a success
/// ([`success_members`]).
pub(crate) fn parse_token_response(
    response: &HttpResponse<'_>,
    now: UnixTime,
    tolerances: &Tolerances,
) -> Result<TokenResponse, EndpointErrorKind> {
    token_response(success_members(response, now)?, tolerances)
}

/// The success members of a token response, typed (RFC 6749 §5.1).
pub(crate) fn token_response(
    members: Members,
    tolerances: &Tolerances,
) -> Result<TokenResponse, EndpointErrorKind> {
    success_response(members, tolerances).map_err(|problem| match problem {
        Problem::Malformed(problem) => problem,
        Problem::TokenType(token_type) => EndpointErrorKind::UnsupportedTokenType(token_type),
    })
}

/// Interprets a revocation endpoint response (RFC 7009 §2.2): any 2xx is
/// success, whatever the body (Pagero's is empty); 503 and the other
/// [`check_status`] cases as for tokens; an error body as in RFC 6749 §5.2,
/// plus `unsupported_token_type` (RFC 7009 §2.2.1).
pub(crate) fn parse_revocation_response(
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<(), EndpointErrorKind> {
    check_status(response, now)?;
    if is_success(response.status()) {
        Ok(())
    } else {
        Err(failure(response))
    }
}

enum Problem {
    Malformed(EndpointErrorKind),
    TokenType(UntrustedText),
}

impl From<EndpointErrorKind> for Problem {
    fn from(problem: EndpointErrorKind) -> Self {
        Self::Malformed(problem)
    }
}

fn success_response(
    mut members: Members,
    tolerances: &Tolerances,
) -> Result<TokenResponse, Problem> {
    let access_token = take_string(&mut members, "access_token")?
        .ok_or(EndpointErrorKind::MissingMember("access_token"))?;
    if !is_vschar_token(&access_token) {
        return Err(EndpointErrorKind::InvalidMember("access_token").into());
    }
    let access_token = AccessToken::new(access_token);

    let token_type = token_type(take_string(&mut members, "token_type")?, tolerances)?;

    let expires_in = match members.take("expires_in") {
        None => None,
        Some(value) => {
            Some(expires_in(&value).ok_or(EndpointErrorKind::InvalidMember("expires_in"))?)
        }
    };

    // An empty refresh_token is treated as none: there is nothing to use.
    let refresh_token = match take_string(&mut members, "refresh_token")? {
        None => None,
        Some(token) if token.is_empty() => None,
        Some(token) if is_vschar_token(&token) => Some(RefreshToken::new(token)),
        Some(_) => return Err(EndpointErrorKind::InvalidMember("refresh_token").into()),
    };

    let scope = match members.take("scope") {
        None => None,
        // Pagero sends `"scope": ""`; an empty string grants no token by
        // itself, so it is read as omitted: the requested scope
        // (RFC 6749 §5.1).
        Some(Value::String(s)) if s.trim_matches(' ').is_empty() => None,
        Some(Value::String(s)) => Some(
            tolerances
                .parse_response_scope(&s)
                .map_err(|_| EndpointErrorKind::InvalidMember("scope"))?,
        ),
        // Some servers send the scope as a JSON array of tokens.
        Some(Value::Array(items)) => {
            let tokens: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            let tokens = tokens.ok_or(EndpointErrorKind::InvalidMember("scope"))?;
            Some(
                Scope::from_tokens(tokens)
                    .map_err(|_| EndpointErrorKind::InvalidMember("scope"))?,
            )
        }
        Some(_) => return Err(EndpointErrorKind::InvalidMember("scope").into()),
    };

    let authorization_details = members.take_authorization_details()?;
    Ok(TokenResponse {
        access_token,
        token_type,
        expires_in,
        refresh_token,
        scope,
        extra: members.into_extra(),
        authorization_details,
    })
}

/// What the response's `token_type` means (RFC 6749 §5.1, §7.1): `Bearer`
/// in any case (Pagero sends `bearer`); a provider's own type the client
/// was configured to read as `Bearer` (Slack's `bot`); when absent,
/// `Bearer` assumed unless the client is [`Strictness::Strict`]. Anything
/// else is refused: a token of an unknown type must not be sent as a
/// bearer token.
fn token_type(token_type: Option<String>, tolerances: &Tolerances) -> Result<TokenType, Problem> {
    match token_type {
        None if tolerances.strictness == Strictness::Strict => {
            Err(EndpointErrorKind::MissingMember("token_type").into())
        }
        None => Ok(TokenType::AssumedBearer),
        Some(sent) if sent.eq_ignore_ascii_case("bearer") => Ok(TokenType::Bearer),
        // RFC 9449 §5: bound to the key of the proof the request carried.
        Some(sent) if sent.eq_ignore_ascii_case("dpop") => Ok(TokenType::Dpop),
        Some(sent) => match tolerances.bearer_alias(&sent) {
            Some(alias) => Ok(TokenType::ProviderBearer(alias.clone())),
            None => Err(Problem::TokenType(UntrustedText::from(sent))),
        },
    }
}

/// `expires_in` as a JSON number, or as a string of digits (PayPal and
/// Azure AD v1 send `"3600"`); a whole-valued float is accepted too. A
/// value beyond `u64::MAX` saturates: the token is as good as eternal, and
/// refusing the response would lose a code already spent. Negative and
/// fractional values are refused.
pub(crate) fn expires_in(value: &Value) -> Option<u64> {
    /// 2^64: every `f64` at or above it is whole and too large for `u64`.
    const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
    match value {
        Value::Number(number) => number.as_u64().or_else(|| {
            let float = number.as_f64()?;
            if float >= TWO_POW_64 {
                return Some(u64::MAX);
            }
            // `as` truncates; the round trip is exact only for whole,
            // non-negative values.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let whole = float as u64;
            #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
            let exact = float >= 0.0 && whole as f64 == float;
            exact.then_some(whole)
        }),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(s.parse().unwrap_or(u64::MAX))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `match` and the list name the same members, in the same order.
    #[test]
    fn known_index_agrees_with_known() {
        for (index, name) in KNOWN.iter().enumerate() {
            assert_eq!(known_index(name), Some(index), "{name}");
        }
        assert_eq!(known_index("claims"), None);
        assert_eq!(known_index("Access_token"), None);
    }

    /// A body that is not UTF-8 as a whole is read as bytes, as before:
    /// bad bytes in a string or outside one are malformed JSON.
    #[test]
    fn a_body_that_is_not_utf8_is_not_json() {
        for body in [
            &b"{\"access_token\":\"a\xff\",\"token_type\":\"Bearer\"}"[..],
            &b"{\"access_token\":\"a\",\"token_type\":\"Bearer\"}\xff"[..],
            &b"\xff"[..],
        ] {
            let response = HttpResponse::new(200, body);
            assert!(
                matches!(members(&response), Err(EndpointErrorKind::NotJson)),
                "{body:?}"
            );
        }
        let response = HttpResponse::new(200, br#"{"access_token":"a","token_type":"Bearer"}"#);
        let mut read = members(&response).ok().unwrap();
        assert_eq!(
            take_string(&mut read, "access_token")
                .ok()
                .flatten()
                .as_deref(),
            Some("a")
        );
    }

    /// A body of exactly the cap is read; one byte more is refused unread.
    #[test]
    fn a_body_of_exactly_the_cap_is_read() {
        let mut body = br#"{"access_token":"a","token_type":"Bearer"}"#.to_vec();
        body.resize(MAX_RESPONSE_BODY_BYTES, b' ');
        assert!(members(&HttpResponse::new(200, &body)).is_ok());
        body.push(b' ');
        assert!(matches!(
            members(&HttpResponse::new(200, &body)),
            Err(EndpointErrorKind::TooLarge {
                limit: MAX_RESPONSE_BODY_BYTES
            })
        ));
    }
}

//! The token endpoint's response: success (RFC 6749 §5.1) or error (§5.2),
//! with the deliberate tolerances for providers that are nearly right.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::error::{ResponseProblem, TokenError};
use crate::http::HttpResponse;
use crate::scope::Scope;
use crate::secret::{AccessToken, RefreshToken};
use crate::wire::error_response::{ErrorResponse, TokenErrorCode};
use crate::wire::form;

/// A successful token response, checked and typed.
pub(crate) struct TokenResponse {
    pub(crate) access_token: AccessToken,
    pub(crate) expires_in: Option<u64>,
    pub(crate) refresh_token: Option<RefreshToken>,
    pub(crate) scope: Option<Scope>,
    pub(crate) extra: BTreeMap<String, Value>,
}

/// The members of a JSON object in order. A name seen twice is recorded,
/// not overwritten as serde_json's own maps would do, and refused after the
/// whole body was read.
struct UniqueMembers {
    members: Vec<(String, Value)>,
    duplicate: Option<String>,
}

impl<'de> Deserialize<'de> for UniqueMembers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = UniqueMembers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueMembers, A::Error> {
                let mut members: Vec<(String, Value)> = Vec::new();
                let mut duplicate = None;
                while let Some(name) = map.next_key::<String>()? {
                    let value = map.next_value()?;
                    if members.iter().any(|(seen, _)| *seen == name) {
                        duplicate.get_or_insert(name);
                    } else {
                        members.push((name, value));
                    }
                }
                Ok(UniqueMembers { members, duplicate })
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// The body's members, from JSON or, when the `Content-Type` says so, from a
/// form-encoded body (GitHub's default answer).
fn members(response: &HttpResponse<'_>) -> Result<Vec<(String, Value)>, ResponseProblem> {
    if response.media_type().as_deref() == Some("application/x-www-form-urlencoded") {
        let body = core::str::from_utf8(response.body()).map_err(|_| ResponseProblem::NotForm)?;
        return match form::parse_unique(body) {
            Ok(pairs) => Ok(pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect()),
            Err(form::FormError::RepeatedParameter(name)) => {
                Err(ResponseProblem::DuplicateMember(name))
            }
            Err(_) => Err(ResponseProblem::NotForm),
        };
    }
    match serde_json::from_slice::<UniqueMembers>(response.body()) {
        Ok(UniqueMembers {
            duplicate: Some(name),
            ..
        }) => Err(ResponseProblem::DuplicateMember(name)),
        Ok(UniqueMembers {
            members,
            duplicate: None,
        }) => Ok(members),
        Err(error) if error.is_data() => Err(ResponseProblem::NotAnObject),
        Err(_) => Err(ResponseProblem::NotJson),
    }
}

pub(crate) fn take(members: &mut Vec<(String, Value)>, name: &str) -> Option<Value> {
    let index = members.iter().position(|(n, _)| n == name)?;
    let (_, value) = members.remove(index);
    // JSON `null` for an optional member is common and means "absent".
    (!value.is_null()).then_some(value)
}

pub(crate) fn take_string(
    members: &mut Vec<(String, Value)>,
    name: &'static str,
) -> Result<Option<String>, ResponseProblem> {
    match take(members, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ResponseProblem::InvalidMember(name)),
    }
}

/// `1*VSCHAR` (RFC 6749 Appendix A.12, A.17).
fn is_vschar_token(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| (0x20..=0x7E).contains(&b))
}

/// The error response in `members`, if there is an `error` member.
fn error_response(
    members: &mut Vec<(String, Value)>,
) -> Result<Option<ErrorResponse<TokenErrorCode>>, ResponseProblem> {
    let Some(code) = take_string(members, "error")? else {
        return Ok(None);
    };
    // The description and URI are for humans: a malformed one is dropped
    // rather than let it hide the code (an `invalid_grant` must stay one).
    let error_description = take_string(members, "error_description").ok().flatten();
    let error_uri = take_string(members, "error_uri").ok().flatten();
    Ok(Some(ErrorResponse {
        error: TokenErrorCode::from_wire(&code),
        error_description,
        error_uri,
    }))
}

/// The checks every endpoint's response goes through first: a redirect is
/// refused (never followed: the request carried credentials), and 429 and
/// 5xx are "unavailable", which is retryable.
fn check_status(response: &HttpResponse<'_>) -> Result<(), TokenError> {
    let status = response.status();
    if (300..400).contains(&status) {
        return Err(TokenError::Redirected { status });
    }
    if status == 429 || (500..600).contains(&status) {
        return Err(TokenError::Unavailable {
            status,
            retry_after: response.retry_after(),
        });
    }
    Ok(())
}

/// The error a failed (non-2xx) response stands for: its OAuth error
/// response when the body has one (RFC 6749 §5.2), else its status.
fn failure(response: &HttpResponse<'_>) -> TokenError {
    let status = response.status();
    match members(response).map(|mut members| error_response(&mut members)) {
        Ok(Ok(Some(error))) => TokenError::ErrorResponse(error),
        _ => TokenError::UnexpectedStatus { status },
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
) -> Result<Vec<(String, Value)>, TokenError> {
    check_status(response)?;
    if !is_success(response.status()) {
        return Err(failure(response));
    }
    let mut members = members(response).map_err(TokenError::MalformedResponse)?;
    if let Some(error) = error_response(&mut members).map_err(TokenError::MalformedResponse)? {
        return Err(TokenError::ErrorResponse(error));
    }
    Ok(members)
}

/// Interprets a token endpoint response (RFC 6749 §5.1, §5.2).
///
/// The body of a 2xx without an `error` member is a success
/// ([`success_members`]).
pub(crate) fn parse_token_response(
    response: &HttpResponse<'_>,
) -> Result<TokenResponse, TokenError> {
    success_response(success_members(response)?).map_err(|problem| match problem {
        Problem::Malformed(problem) => TokenError::MalformedResponse(problem),
        Problem::TokenType(token_type) => TokenError::UnsupportedTokenType(token_type),
    })
}

/// Interprets a revocation endpoint response (RFC 7009 §2.2): any 2xx is
/// success, whatever the body (Pagero's is empty); 503 and the other
/// [`check_status`] cases as for tokens; an error body as in RFC 6749 §5.2,
/// plus `unsupported_token_type` (RFC 7009 §2.2.1).
pub(crate) fn parse_revocation_response(response: &HttpResponse<'_>) -> Result<(), TokenError> {
    check_status(response)?;
    if is_success(response.status()) {
        Ok(())
    } else {
        Err(failure(response))
    }
}

enum Problem {
    Malformed(ResponseProblem),
    TokenType(String),
}

impl From<ResponseProblem> for Problem {
    fn from(problem: ResponseProblem) -> Self {
        Self::Malformed(problem)
    }
}

fn success_response(mut members: Vec<(String, Value)>) -> Result<TokenResponse, Problem> {
    let access_token = take_string(&mut members, "access_token")?
        .ok_or(ResponseProblem::MissingMember("access_token"))?;
    if !is_vschar_token(&access_token) {
        return Err(ResponseProblem::InvalidMember("access_token").into());
    }
    let access_token = AccessToken::new(access_token);

    // RFC 6749 §5.1: token_type is case insensitive. Pagero sends "bearer".
    let token_type = take_string(&mut members, "token_type")?
        .ok_or(ResponseProblem::MissingMember("token_type"))?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(Problem::TokenType(token_type));
    }

    let expires_in = match take(&mut members, "expires_in") {
        None => None,
        Some(value) => {
            Some(expires_in(&value).ok_or(ResponseProblem::InvalidMember("expires_in"))?)
        }
    };

    // An empty refresh_token is treated as none: there is nothing to use.
    let refresh_token = match take_string(&mut members, "refresh_token")? {
        None => None,
        Some(token) if token.is_empty() => None,
        Some(token) if is_vschar_token(&token) => Some(RefreshToken::new(token)),
        Some(_) => return Err(ResponseProblem::InvalidMember("refresh_token").into()),
    };

    let scope = match take(&mut members, "scope") {
        None => None,
        // Pagero sends `"scope": ""`; an empty string grants no token by
        // itself, so it is read as omitted: the requested scope
        // (RFC 6749 §5.1).
        Some(Value::String(s)) if s.trim_matches(' ').is_empty() => None,
        Some(Value::String(s)) => {
            Some(Scope::parse(&s).map_err(|_| ResponseProblem::InvalidMember("scope"))?)
        }
        // Some servers send the scope as a JSON array of tokens.
        Some(Value::Array(items)) => {
            let tokens: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            let tokens = tokens.ok_or(ResponseProblem::InvalidMember("scope"))?;
            Some(Scope::from_tokens(tokens).map_err(|_| ResponseProblem::InvalidMember("scope"))?)
        }
        Some(_) => return Err(ResponseProblem::InvalidMember("scope").into()),
    };

    Ok(TokenResponse {
        access_token,
        expires_in,
        refresh_token,
        scope,
        extra: members.into_iter().collect(),
    })
}

/// `expires_in` as a JSON number, or as a string of digits (PayPal and
/// Azure AD v1 send `"3600"`); a whole-valued float is accepted too. A
/// value beyond `u64::MAX` saturates: the token is as good as eternal, and
/// refusing the response would lose a code already spent. Negative and
/// fractional values are refused.
fn expires_in(value: &Value) -> Option<u64> {
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

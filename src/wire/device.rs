//! The device authorization response (RFC 8628 §3.2) and what is shown to
//! the user from it (§3.3).

use alloc::string::String;
use core::fmt;

use crate::error::EndpointErrorKind;
use crate::error::InvalidValue;
use crate::http::HttpResponse;
use crate::limits::{MAX_USER_CODE_BYTES, MAX_VERIFICATION_URI_BYTES};
use crate::secret::DeviceCode;
use crate::syntax::is_vschar_token;
use crate::text::needs_escape;
use crate::time::UnixTime;
use crate::wire::token::{expires_in as seconds, success_members, take_string, Members};
use url::{Host, Url};

/// The polling interval when the server names none (RFC 8628 §3.2).
pub(crate) const DEFAULT_INTERVAL_SECS: u64 = 5;

/// A successful device authorization response, checked.
pub(crate) struct DeviceAuthorizationResponse {
    pub(crate) device_code: DeviceCode,
    pub(crate) user_code: UserCode,
    pub(crate) verification_uri: VerificationUri,
    pub(crate) verification_uri_complete: Option<VerificationUri>,
    pub(crate) expires_in: u64,
    pub(crate) interval: u64,
}

/// Interprets the device authorization endpoint's answer (RFC 8628 §3.2):
/// `device_code`, `user_code`, `verification_uri` and `expires_in`
/// required, `verification_uri_complete` and `interval` optional (5 s when
/// absent); errors as the token endpoint's (§3.2, RFC 6749 §5.2), with the
/// same status handling.
pub(crate) fn parse_device_authorization_response(
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<DeviceAuthorizationResponse, EndpointErrorKind> {
    let mut members = success_members(response, now)?;
    device_authorization(&mut members)
}

fn device_authorization(
    members: &mut Members,
) -> Result<DeviceAuthorizationResponse, EndpointErrorKind> {
    let device_code = DeviceCode::new(take_polling_code(members, "device_code")?);
    let user_code =
        take_string(members, "user_code")?.ok_or(EndpointErrorKind::MissingMember("user_code"))?;
    let user_code =
        UserCode::new(user_code).ok_or(EndpointErrorKind::InvalidMember("user_code"))?;
    let verification_uri = take_uri(members, "verification_uri")?
        .ok_or(EndpointErrorKind::MissingMember("verification_uri"))?;
    let verification_uri_complete = take_uri(members, "verification_uri_complete")?;
    let (expires_in, interval) = polling_lifetime(members)?;
    Ok(DeviceAuthorizationResponse {
        device_code,
        user_code,
        verification_uri,
        verification_uri_complete,
        expires_in,
        interval,
    })
}

/// A polling grant's opaque code (RFC 8628 §3.2 `device_code`, CIBA Core
/// §7.3 `auth_req_id`): required, and sent back in a form body, so
/// printable ASCII like the other tokens.
pub(crate) fn take_polling_code(
    members: &mut Members,
    member: &'static str,
) -> Result<String, EndpointErrorKind> {
    let code = take_string(members, member)?.ok_or(EndpointErrorKind::MissingMember(member))?;
    if !is_vschar_token(&code) {
        return Err(EndpointErrorKind::InvalidMember(member));
    }
    Ok(code)
}

/// A polling grant's `expires_in` (required, a positive number of
/// seconds) and `interval` (5 s when absent, at least 1 s), as RFC 8628
/// §3.2 and CIBA Core §7.3 both define them.
pub(crate) fn polling_lifetime(members: &mut Members) -> Result<(u64, u64), EndpointErrorKind> {
    let expires_in = members
        .take("expires_in")
        .ok_or(EndpointErrorKind::MissingMember("expires_in"))
        .and_then(|value| {
            seconds(&value)
                .filter(|seconds| *seconds > 0)
                .ok_or(EndpointErrorKind::InvalidMember("expires_in"))
        })?;
    // An interval of 0 would poll in a tight loop: at least one second.
    let interval = match members.take("interval") {
        None => DEFAULT_INTERVAL_SECS,
        Some(value) => seconds(&value)
            .ok_or(EndpointErrorKind::InvalidMember("interval"))?
            .max(1),
    };
    Ok((expires_in, interval))
}

fn take_uri(
    members: &mut Members,
    member: &'static str,
) -> Result<Option<VerificationUri>, EndpointErrorKind> {
    match take_string(members, member)? {
        None => Ok(None),
        Some(uri) => VerificationUri::new(uri)
            .map(Some)
            .map_err(|problem| match problem {
                InvalidValue::NotHttps
                | InvalidValue::UnsupportedScheme
                | InvalidValue::HasUserinfo => EndpointErrorKind::InvalidUrl { member, problem },
                _ => EndpointErrorKind::InvalidMember(member),
            }),
    }
}

/// The code the user types in at the verification URI (RFC 8628 §3.2
/// `user_code`). Not a secret: it is meant to be shown. The crate accepted
/// it only without control, bidi or invisible format characters and within
/// [`MAX_USER_CODE_BYTES`](crate::limits::MAX_USER_CODE_BYTES), so it can
/// be displayed as it is.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UserCode(String);

impl UserCode {
    /// Checks a user code: non-empty, at most
    /// [`MAX_USER_CODE_BYTES`](crate::limits::MAX_USER_CODE_BYTES), no
    /// control, bidi or invisible format character, no leading or trailing
    /// space.
    fn new(code: String) -> Option<Self> {
        let fits = !code.is_empty() && code.len() <= MAX_USER_CODE_BYTES;
        let shown_as_is = !code.chars().any(needs_escape) && code.trim() == code;
        (fits && shown_as_is).then_some(Self(code))
    }

    /// The code, to show to the user.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserCode({:?})", crate::text::Escaped(&self.0))
    }
}

impl serde::Serialize for UserCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for UserCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        UserCode::new(String::deserialize(deserializer)?).ok_or_else(|| {
            serde::de::Error::custom("stored user_code is not one the crate accepts")
        })
    }
}

/// Where the user goes to approve a device login (RFC 8628 §3.2
/// `verification_uri`, `verification_uri_complete`), kept as the server
/// sent it. Accepted only as `https`, or `http` on a loopback IP literal
/// (a test server on the same machine), without userinfo, printable ASCII
/// within [`MAX_VERIFICATION_URI_BYTES`](crate::limits::MAX_VERIFICATION_URI_BYTES):
/// safe to display or to put in a QR code (§3.3.1).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VerificationUri(String);

impl VerificationUri {
    fn new(uri: String) -> Result<Self, InvalidValue> {
        if uri.len() > MAX_VERIFICATION_URI_BYTES || !uri.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidValue::NotAbsoluteUrl);
        }
        let url = Url::parse(&uri).map_err(|_| InvalidValue::NotAbsoluteUrl)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(InvalidValue::HasUserinfo);
        }
        match (url.scheme(), url.host()) {
            ("https", Some(_)) => Ok(Self(uri)),
            ("http", Some(Host::Ipv4(ip))) if ip.is_loopback() => Ok(Self(uri)),
            ("http", Some(Host::Ipv6(ip))) if ip.is_loopback() => Ok(Self(uri)),
            ("http", _) => Err(InvalidValue::NotHttps),
            _ => Err(InvalidValue::UnsupportedScheme),
        }
    }

    /// The URI, to show to the user (or to encode in a QR code).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VerificationUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for VerificationUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerificationUri({:?})", self.0)
    }
}

impl serde::Serialize for VerificationUri {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for VerificationUri {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        VerificationUri::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<DeviceAuthorizationResponse, EndpointErrorKind> {
        let response =
            HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
        parse_device_authorization_response(&response, UnixTime::from_secs(0))
    }

    fn problem(body: &str) -> EndpointErrorKind {
        match parse(body) {
            Err(problem) => problem,
            Ok(_) => panic!("accepted {body}"),
        }
    }

    /// RFC 8628 §3.2's example.
    #[test]
    fn rfc8628_example() {
        let parsed = parse(
            r#"{
              "device_code": "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
              "user_code": "WDJB-MJHT",
              "verification_uri": "https://example.com/device",
              "verification_uri_complete": "https://example.com/device?user_code=WDJB-MJHT",
              "expires_in": 1800,
              "interval": 5
            }"#,
        )
        .ok()
        .unwrap();
        assert_eq!(
            parsed.device_code.secret(),
            "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"
        );
        assert_eq!(parsed.user_code.as_str(), "WDJB-MJHT");
        assert_eq!(
            parsed.verification_uri.as_str(),
            "https://example.com/device"
        );
        assert_eq!(
            parsed.verification_uri_complete.unwrap().as_str(),
            "https://example.com/device?user_code=WDJB-MJHT"
        );
        assert_eq!((parsed.expires_in, parsed.interval), (1800, 5));
    }

    #[test]
    fn interval_defaults_to_five_seconds_and_is_at_least_one() {
        let body = |interval: &str| {
            alloc::format!(
                r#"{{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":600{interval}}}"#
            )
        };
        assert_eq!(parse(&body("")).ok().unwrap().interval, 5);
        assert_eq!(parse(&body(r#","interval":0"#)).ok().unwrap().interval, 1);
        assert_eq!(parse(&body(r#","interval":"7""#)).ok().unwrap().interval, 7);
        assert_eq!(
            problem(&body(r#","interval":-1"#)),
            EndpointErrorKind::InvalidMember("interval")
        );
    }

    #[test]
    fn required_members() {
        let full = [
            r#""device_code":"d""#,
            r#""user_code":"U""#,
            r#""verification_uri":"https://as.example/device""#,
            r#""expires_in":600"#,
        ];
        for (skip, member) in ["device_code", "user_code", "verification_uri", "expires_in"]
            .into_iter()
            .enumerate()
        {
            let kept: alloc::vec::Vec<_> = full
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, m)| *m)
                .collect();
            let body = alloc::format!("{{{}}}", kept.join(","));
            assert_eq!(problem(&body), EndpointErrorKind::MissingMember(member));
        }
        assert_eq!(
            problem(
                r#"{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":0}"#
            ),
            EndpointErrorKind::InvalidMember("expires_in")
        );
    }

    #[test]
    fn the_verification_uri_must_be_https_or_loopback() {
        for accepted in [
            "https://as.example/device",
            "https://as.example:8443/device?x=1#top",
            "http://127.0.0.1:3000/device",
            "http://[::1]/device",
        ] {
            assert!(VerificationUri::new(accepted.into()).is_ok(), "{accepted}");
        }
        for (refused, problem) in [
            ("http://as.example/device", InvalidValue::NotHttps),
            ("http://localhost/device", InvalidValue::NotHttps),
            ("javascript:alert(1)", InvalidValue::UnsupportedScheme),
            ("data:text/html,x", InvalidValue::UnsupportedScheme),
            ("ftp://as.example/device", InvalidValue::UnsupportedScheme),
            ("https://u:p@as.example/device", InvalidValue::HasUserinfo),
            ("/device", InvalidValue::NotAbsoluteUrl),
            ("https://as.example/dev ice", InvalidValue::NotAbsoluteUrl),
            ("https://as.example/\u{202e}", InvalidValue::NotAbsoluteUrl),
        ] {
            assert_eq!(
                VerificationUri::new(refused.into()),
                Err(problem),
                "{refused}"
            );
        }
        let body = |member: &str, uri: &str| {
            alloc::format!(
                r#"{{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":600,"{member}":"{uri}"}}"#
            )
        };
        assert_eq!(
            problem(&body("verification_uri_complete", "http://evil.example/d")),
            EndpointErrorKind::InvalidUrl {
                member: "verification_uri_complete",
                problem: InvalidValue::NotHttps
            }
        );
        let insecure = r#"{"device_code":"d","user_code":"U","verification_uri":"http://evil.example/d","expires_in":600}"#;
        assert_eq!(
            problem(insecure),
            EndpointErrorKind::InvalidUrl {
                member: "verification_uri",
                problem: InvalidValue::NotHttps
            }
        );
    }

    #[test]
    fn the_user_code_is_shown_as_it_is_or_refused() {
        assert!(UserCode::new("WDJB-MJHT".into()).is_some());
        assert!(UserCode::new("0193 4521".into()).is_some());
        assert!(UserCode::new("ÄÖÜ-123".into()).is_some());
        for refused in [
            "",
            " WDJB",
            "WDJB\n",
            "AB\u{202e}CD",
            "A\u{200b}B",
            "A\u{1b}[2J",
        ] {
            assert!(UserCode::new(refused.into()).is_none(), "{refused:?}");
        }
        assert!(UserCode::new("A".repeat(MAX_USER_CODE_BYTES + 1)).is_none());
    }

    #[test]
    fn the_device_code_is_printable_ascii() {
        assert_eq!(
            problem(
                r#"{"device_code":"d\n","user_code":"U","verification_uri":"https://as.example/device","expires_in":600}"#
            ),
            EndpointErrorKind::InvalidMember("device_code")
        );
    }

    #[test]
    fn errors_are_error_responses() {
        let response = HttpResponse::new(400, br#"{"error":"invalid_client"}"#)
            .with_content_type("application/json");
        let error = parse_device_authorization_response(&response, UnixTime::from_secs(0))
            .err()
            .unwrap();
        assert!(matches!(error, EndpointErrorKind::ErrorResponse(_)));
    }
}

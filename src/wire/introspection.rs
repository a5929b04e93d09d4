//! The introspection response (RFC 7662 §2.2, §2.3) and what a protected
//! resource asks of it.

use alloc::vec::Vec;

use serde_json::Value;

use crate::authorization_details::AuthorizationDetails;
use crate::error::EndpointErrorKind;
use crate::http::HttpResponse;
use crate::members::ExtraMembers;
use crate::mtls::CertificateThumbprint;
use crate::scope::Scope;
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::token::{members, success_members, take_string, Members};

/// What the authorization server says about a token (RFC 7662 §2.2).
///
/// An inactive token is an answer like any other, not an error: expired,
/// revoked, never issued, or issued to someone else — the server does not
/// say which, and nothing else is kept from an inactive answer
/// (§2.2: "SHOULD NOT include any additional information").
///
/// A protected resource decides with [`allows`](Self::allows) (active at
/// `now`, for this audience, with this scope), or with its parts.
/// `Debug` shows the members escaped ([`UntrustedText`]); the unknown ones
/// by name only.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IntrospectionResponse {
    active: bool,
    scope: Option<Scope>,
    client_id: Option<UntrustedText>,
    username: Option<UntrustedText>,
    token_type: Option<UntrustedText>,
    exp: Option<UnixTime>,
    iat: Option<UnixTime>,
    nbf: Option<UnixTime>,
    sub: Option<UntrustedText>,
    aud: Vec<UntrustedText>,
    iss: Option<UntrustedText>,
    jti: Option<UntrustedText>,
    /// `cnf.jkt` (RFC 9449 §6.2).
    cnf_jkt: Option<UntrustedText>,
    /// `cnf.x5t#S256` (RFC 8705 §3.2).
    cnf_x5t_s256: Option<UntrustedText>,
    extra: ExtraMembers,
    /// RFC 9396 §9.2.
    authorization_details: AuthorizationDetails,
}

impl IntrospectionResponse {
    fn inactive() -> Self {
        Self {
            active: false,
            scope: None,
            client_id: None,
            username: None,
            token_type: None,
            exp: None,
            iat: None,
            nbf: None,
            sub: None,
            aud: Vec::new(),
            iss: None,
            jti: None,
            cnf_jkt: None,
            cnf_x5t_s256: None,
            extra: ExtraMembers::default(),
            authorization_details: AuthorizationDetails::new(),
        }
    }

    /// `authorization_details` (RFC 9396 §9.2): the token's authorization
    /// details as the server shows them to this resource, possibly
    /// filtered or extended for it. Empty when it sent none.
    #[must_use]
    pub fn authorization_details(&self) -> &AuthorizationDetails {
        &self.authorization_details
    }

    /// `active`: whether the server considers the token active now
    /// (§2.2). For a decision, prefer [`is_active_at`](Self::is_active_at),
    /// which also checks `exp` and `nbf` against the caller's clock.
    #[must_use]
    pub fn active(&self) -> bool {
        self.active
    }

    /// Whether the token is active at `now`: `active` is true, `exp` (when
    /// given) is after `now`, and `nbf` (when given) is not after `now`
    /// (§2.2). An answer cached by the resource goes stale this way.
    #[must_use]
    pub fn is_active_at(&self, now: UnixTime) -> bool {
        self.active && self.exp.is_none_or(|exp| now < exp) && self.nbf.is_none_or(|nbf| nbf <= now)
    }

    /// Whether `audience` is one of the token's `aud` values (compared as
    /// strings). A token without `aud` is for no audience in particular:
    /// `false`.
    #[must_use]
    pub fn has_audience(&self, audience: &str) -> bool {
        self.aud.iter().any(|aud| aud.as_str() == audience)
    }

    /// Whether the token's `scope` includes every token of `required`. A
    /// token without `scope` has only the empty scope.
    #[must_use]
    pub fn has_scope(&self, required: &Scope) -> bool {
        match &self.scope {
            Some(scope) => required.is_subset_of(scope),
            None => required.is_empty(),
        }
    }

    /// What a protected resource asks before it serves a request: the
    /// token is active at `now` ([`is_active_at`](Self::is_active_at)),
    /// meant for `audience` when one is given
    /// ([`has_audience`](Self::has_audience)), and grants `required`
    /// ([`has_scope`](Self::has_scope)).
    #[must_use]
    pub fn allows(&self, now: UnixTime, audience: Option<&str>, required: &Scope) -> bool {
        self.is_active_at(now)
            && audience.is_none_or(|audience| self.has_audience(audience))
            && self.has_scope(required)
    }

    /// `scope`, parsed.
    #[must_use]
    pub fn scope(&self) -> Option<&Scope> {
        self.scope.as_ref()
    }

    /// `client_id`: the client the token was issued to.
    #[must_use]
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_ref().map(UntrustedText::as_str)
    }

    /// `username`: a human-readable identifier of the resource owner.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.username.as_ref().map(UntrustedText::as_str)
    }

    /// `token_type` (RFC 6749 §7.1), such as `Bearer`.
    #[must_use]
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_ref().map(UntrustedText::as_str)
    }

    /// `exp`: when the token expires.
    #[must_use]
    pub fn exp(&self) -> Option<UnixTime> {
        self.exp
    }

    /// `iat`: when the token was issued.
    #[must_use]
    pub fn iat(&self) -> Option<UnixTime> {
        self.iat
    }

    /// `nbf`: when the token starts to be valid.
    #[must_use]
    pub fn nbf(&self) -> Option<UnixTime> {
        self.nbf
    }

    /// `sub`: the subject of the token, usually a machine-readable
    /// identifier of the resource owner.
    #[must_use]
    pub fn sub(&self) -> Option<&str> {
        self.sub.as_ref().map(UntrustedText::as_str)
    }

    /// `aud`: the audiences, whether sent as one string or an array.
    pub fn aud(&self) -> impl Iterator<Item = &str> {
        self.aud.iter().map(UntrustedText::as_str)
    }

    /// `iss`: the issuer of the token.
    #[must_use]
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_ref().map(UntrustedText::as_str)
    }

    /// `jti`: the token's identifier.
    #[must_use]
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_ref().map(UntrustedText::as_str)
    }

    /// Members this crate does not model (a server's own claims), as sent.
    #[must_use]
    pub fn extra(&self) -> &ExtraMembers {
        &self.extra
    }

    /// `cnf.jkt`: the JWK thumbprint of the DPoP key the token is bound
    /// to (RFC 9449 §6.2), as sent.
    #[must_use]
    pub fn cnf_jkt(&self) -> Option<&str> {
        self.cnf_jkt.as_ref().map(UntrustedText::as_str)
    }

    /// `cnf.x5t#S256`: the thumbprint of the client certificate the token
    /// is bound to (RFC 8705 §3.2), as sent. Compare it with
    /// [`is_bound_to`](Self::is_bound_to).
    #[must_use]
    pub fn cnf_x5t_s256(&self) -> Option<&str> {
        self.cnf_x5t_s256.as_ref().map(UntrustedText::as_str)
    }

    /// Whether the token is bound to the certificate of `thumbprint`
    /// (RFC 8705 §3.2): its `cnf.x5t#S256` is that thumbprint, compared in
    /// constant time. A resource computes the thumbprint of the
    /// certificate the client presented in this request's TLS handshake
    /// and refuses the token (`invalid_token`, §3) unless this holds. A
    /// token without `cnf.x5t#S256` is bound to no certificate: `false`.
    #[must_use]
    pub fn is_bound_to(&self, thumbprint: &CertificateThumbprint) -> bool {
        self.cnf_x5t_s256
            .as_ref()
            .is_some_and(|x5t| thumbprint.matches(x5t.as_str()))
    }
}

/// The confirmation members of `cnf` (RFC 7800 §3.1): `jkt` (RFC 9449
/// §6.2) and `x5t#S256` (RFC 8705 §3.2), each a string when present;
/// other confirmation methods are skipped. A `cnf` that is not an object,
/// or one of the two that is not a string, is refused.
type Confirmation = (Option<UntrustedText>, Option<UntrustedText>);

fn confirmation(members: &mut Members) -> Result<Confirmation, EndpointErrorKind> {
    let invalid = EndpointErrorKind::InvalidMember("cnf");
    let cnf = match members.take("cnf") {
        None => return Ok((None, None)),
        Some(Value::Object(cnf)) => cnf,
        Some(_) => return Err(invalid),
    };
    let text = |name: &str| match cnf.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(UntrustedText::from(value.as_str()))),
        Some(_) => Err(EndpointErrorKind::InvalidMember("cnf")),
    };
    Ok((text("jkt")?, text("x5t#S256")?))
}

/// Interprets the introspection endpoint's answer (RFC 7662 §2.2): a JSON
/// object whose `active` is a JSON boolean (required; `"true"` or `1` are
/// refused). An active token's members are checked and typed, unknown ones
/// kept; an inactive token's other members are ignored. Errors (§2.3) and
/// statuses as the token endpoint's: 401 for a client that failed to
/// authenticate, 429 and 5xx retryable.
pub(crate) fn parse_introspection_response(
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<IntrospectionResponse, EndpointErrorKind> {
    let members = success_members(response, now)?;
    introspection(members)
}

/// The `token_introspection` claim of a JWT introspection response (RFC
/// 9701 §5), read as the JSON answer is (RFC 7662 §2.2).
pub(crate) fn parse_introspection_claim(
    json: &[u8],
) -> Result<IntrospectionResponse, EndpointErrorKind> {
    let response = HttpResponse::new(200, json).with_content_type("application/json");
    introspection(members(&response)?)
}

fn introspection(mut members: Members) -> Result<IntrospectionResponse, EndpointErrorKind> {
    match members.take("active") {
        Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => return Ok(IntrospectionResponse::inactive()),
        Some(_) => return Err(EndpointErrorKind::InvalidMember("active")),
        None => return Err(EndpointErrorKind::MissingMember("active")),
    }
    let text = |members: &mut Members, name| {
        take_string(members, name).map(|value| value.map(UntrustedText::from))
    };
    let scope = match take_string(&mut members, "scope")? {
        None => None,
        Some(scope) => {
            Some(Scope::parse(&scope).map_err(|_| EndpointErrorKind::InvalidMember("scope"))?)
        }
    };
    let aud = match members.take("aud") {
        None => Vec::new(),
        Some(Value::String(aud)) => alloc::vec![UntrustedText::from(aud)],
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(aud) => Ok(UntrustedText::from(aud)),
                _ => Err(EndpointErrorKind::InvalidMember("aud")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(EndpointErrorKind::InvalidMember("aud")),
    };
    let (cnf_jkt, cnf_x5t_s256) = confirmation(&mut members)?;
    Ok(IntrospectionResponse {
        active: true,
        scope,
        client_id: text(&mut members, "client_id")?,
        username: text(&mut members, "username")?,
        token_type: text(&mut members, "token_type")?,
        exp: numeric_date(&mut members, "exp")?,
        iat: numeric_date(&mut members, "iat")?,
        nbf: numeric_date(&mut members, "nbf")?,
        sub: text(&mut members, "sub")?,
        aud,
        iss: text(&mut members, "iss")?,
        jti: text(&mut members, "jti")?,
        authorization_details: members.take_authorization_details()?.unwrap_or_default(),
        cnf_jkt,
        cnf_x5t_s256,
        extra: members.into_extra(),
    })
}

/// A NumericDate (RFC 7519 §2, as RFC 7662 §2.2 uses it): seconds since
/// the epoch as a JSON number, possibly with a fraction (dropped). A
/// negative value, or one that is not a number, is refused.
fn numeric_date(
    members: &mut Members,
    name: &'static str,
) -> Result<Option<UnixTime>, EndpointErrorKind> {
    let Some(value) = members.take(name) else {
        return Ok(None);
    };
    let Value::Number(number) = value else {
        return Err(EndpointErrorKind::InvalidMember(name));
    };
    if let Some(seconds) = number.as_u64() {
        return Ok(Some(UnixTime::from_secs(seconds)));
    }
    match number.as_f64() {
        Some(float) if float >= 0.0 => {
            // `as` truncates toward zero, the whole seconds, and saturates:
            // a date past `u64::MAX` seconds is `u64::MAX`.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let seconds = float as u64;
            Ok(Some(UnixTime::from_secs(seconds)))
        }
        _ => Err(EndpointErrorKind::InvalidMember(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    const NOW: UnixTime = UnixTime::from_secs(1_419_350_000);

    fn parse(body: &str) -> Result<IntrospectionResponse, EndpointErrorKind> {
        let response =
            HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
        parse_introspection_response(&response, NOW)
    }

    fn problem(body: &str) -> EndpointErrorKind {
        match parse(body) {
            Err(problem) => problem,
            other => panic!("{other:?}"),
        }
    }

    /// RFC 7662 §2.2's example.
    #[test]
    fn rfc7662_example() {
        let parsed = parse(
            r#"{
              "active": true,
              "client_id": "l238j323ds-23ij4",
              "username": "jdoe",
              "scope": "read write dolphin",
              "sub": "Z5O3upPC88QrAjx00dis",
              "aud": "https://protected.example.net/resource",
              "iss": "https://server.example.com/",
              "exp": 1419356238,
              "iat": 1419350238,
              "extension_field": "twenty-seven"
            }"#,
        )
        .unwrap();
        assert!(parsed.active());
        assert_eq!(parsed.client_id(), Some("l238j323ds-23ij4"));
        assert_eq!(parsed.username(), Some("jdoe"));
        assert_eq!(parsed.sub(), Some("Z5O3upPC88QrAjx00dis"));
        assert_eq!(parsed.iss(), Some("https://server.example.com/"));
        assert_eq!(parsed.exp(), Some(UnixTime::from_secs(1_419_356_238)));
        assert_eq!(parsed.iat(), Some(UnixTime::from_secs(1_419_350_238)));
        assert_eq!(parsed.nbf(), None);
        assert_eq!(parsed.token_type(), None);
        assert_eq!(parsed.jti(), None);
        assert_eq!(
            parsed.aud().collect::<Vec<_>>(),
            ["https://protected.example.net/resource"]
        );
        assert_eq!(
            parsed.extra().get("extension_field").unwrap(),
            "twenty-seven"
        );
        let read = Scope::parse("read dolphin").unwrap();
        assert!(parsed.has_scope(&read));
        assert!(!parsed.has_scope(&Scope::parse("admin").unwrap()));
        assert!(parsed.allows(NOW, Some("https://protected.example.net/resource"), &read));
        assert!(!parsed.allows(NOW, Some("https://other.example/"), &read));
        assert!(parsed.allows(NOW, None, &Scope::empty()));
        // Past `exp`, the answer is stale.
        assert!(!parsed.is_active_at(UnixTime::from_secs(1_419_356_238)));
        assert!(parsed.is_active_at(UnixTime::from_secs(1_419_356_237)));
    }

    #[test]
    fn an_inactive_token_is_an_answer_with_nothing_else() {
        for body in [
            r#"{"active":false}"#,
            r#"{"active":false,"scope":7,"exp":"soon","aud":{}}"#,
        ] {
            let parsed = parse(body).unwrap();
            assert!(!parsed.active());
            assert!(!parsed.is_active_at(NOW));
            assert!(!parsed.allows(NOW, None, &Scope::empty()));
            assert_eq!(parsed, IntrospectionResponse::inactive());
        }
    }

    #[test]
    fn active_is_required_and_strictly_boolean() {
        assert_eq!(problem("{}"), EndpointErrorKind::MissingMember("active"));
        assert_eq!(
            problem(r#"{"active":null}"#),
            EndpointErrorKind::MissingMember("active")
        );
        for value in [r#""true""#, "1", "0", r#""false""#, "[]"] {
            assert_eq!(
                problem(&format!(r#"{{"active":{value}}}"#)),
                EndpointErrorKind::InvalidMember("active"),
                "{value}"
            );
        }
        assert_eq!(
            problem(r#"{"active":true,"active":false}"#),
            EndpointErrorKind::DuplicateMember(UntrustedText::from("active"))
        );
    }

    #[test]
    fn audiences_and_dates() {
        let parsed =
            parse(r#"{"active":true,"aud":["a","b"],"nbf":1419350001.9,"exp":1.5e10}"#).unwrap();
        assert!(parsed.has_audience("a") && parsed.has_audience("b"));
        assert!(!parsed.has_audience("c"));
        assert_eq!(parsed.nbf(), Some(UnixTime::from_secs(1_419_350_001)));
        assert_eq!(parsed.exp(), Some(UnixTime::from_secs(15_000_000_000)));
        // Past what `u64` seconds hold: the farthest date, not an error.
        for far in ["1e30", "18446744073709551616", "1.8446744073709552e19"] {
            let parsed = parse(&format!(r#"{{"active":true,"exp":{far}}}"#)).unwrap();
            assert_eq!(parsed.exp(), Some(UnixTime::from_secs(u64::MAX)), "{far}");
        }
        // Not valid yet.
        assert!(!parsed.is_active_at(NOW));
        assert!(parsed.is_active_at(UnixTime::from_secs(1_419_350_001)));
        for (body, member) in [
            (r#"{"active":true,"aud":[1]}"#, "aud"),
            (r#"{"active":true,"aud":7}"#, "aud"),
            (r#"{"active":true,"exp":-1}"#, "exp"),
            (r#"{"active":true,"iat":"1419350238"}"#, "iat"),
            (r#"{"active":true,"nbf":true}"#, "nbf"),
            (r#"{"active":true,"scope":["read"]}"#, "scope"),
            (r#"{"active":true,"scope":"caf\u00e9"}"#, "scope"),
            (r#"{"active":true,"sub":1}"#, "sub"),
        ] {
            assert_eq!(
                problem(body),
                EndpointErrorKind::InvalidMember(member),
                "{body}"
            );
        }
        // Without `aud`, a token is for no audience in particular.
        let parsed = parse(r#"{"active":true}"#).unwrap();
        assert!(!parsed.has_audience("a"));
        assert!(parsed.allows(NOW, None, &Scope::empty()));
        assert!(!parsed.allows(NOW, None, &Scope::parse("read").unwrap()));
    }

    /// RFC 7662 §2.3: a client that failed to authenticate gets 401; the
    /// other errors are RFC 6749 §5.2's.
    #[test]
    fn errors() {
        let response = HttpResponse::new(401, br#"{"error":"invalid_client"}"#)
            .with_content_type("application/json");
        assert!(matches!(
            parse_introspection_response(&response, NOW),
            Err(EndpointErrorKind::ErrorResponse(_))
        ));
        let response = HttpResponse::new(503, b"");
        assert!(matches!(
            parse_introspection_response(&response, NOW),
            Err(EndpointErrorKind::Unavailable { status: 503, .. })
        ));
    }

    /// RFC 8705 §3.2's example, and RFC 9449 §6.2's `jkt`.
    #[test]
    fn confirmation_members() {
        let parsed = parse(
            r#"{"active":true,"iss":"https://server.example.com","sub":"ty.webb@example.com",
                "exp":1493726400,"nbf":1493722800,
                "cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2","other":[1]}}"#,
        )
        .unwrap();
        assert_eq!(
            parsed.cnf_x5t_s256(),
            Some("bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2")
        );
        assert_eq!(parsed.cnf_jkt(), None);
        assert!(!parsed.extra().contains("cnf"));
        let parsed =
            parse(r#"{"active":true,"cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}"#)
                .unwrap();
        assert_eq!(
            parsed.cnf_jkt(),
            Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I")
        );
        assert_eq!(parsed.cnf_x5t_s256(), None);
        let thumbprint = CertificateThumbprint::of_der(b"");
        assert!(!parsed.is_bound_to(&thumbprint));
        for body in [
            r#"{"active":true,"cnf":"x"}"#,
            r#"{"active":true,"cnf":{"x5t#S256":1}}"#,
            r#"{"active":true,"cnf":{"jkt":null}}"#,
        ] {
            assert_eq!(
                problem(body),
                EndpointErrorKind::InvalidMember("cnf"),
                "{body}"
            );
        }
    }

    #[test]
    fn debug_escapes_outside_text() {
        let parsed = parse(r#"{"active":true,"username":"x\r\nFAKE \u202e","x\u001b":1}"#).unwrap();
        let printed = format!("{parsed:?}");
        assert!(!printed.chars().any(crate::text::needs_escape), "{printed}");
        assert!(printed.contains(r"x\r\nFAKE \u{202e}"), "{printed}");
    }
}

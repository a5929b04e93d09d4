//! Bearer and DPoP challenges in `WWW-Authenticate` (RFC 6750 §3,
//! RFC 9449 §7.1, with the challenge syntax of RFC 9110 §11.6.1).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::codes::{is_error_code, BearerErrorCode};
use crate::http::HttpResponse;
use crate::limits::MAX_WWW_AUTHENTICATE_BYTES;
use crate::scope::Scope;
use crate::text::UntrustedText;

/// What to do after an API answered with a bearer challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextStep {
    /// The token was refused (`invalid_token`, or a challenge without an
    /// error code): refresh, and retry the request once.
    Refresh,
    /// The token lacks scope (`insufficient_scope`): log the user in again
    /// asking for this scope (when the server named it) with the scope
    /// already granted — [`StepUp::start`](crate::StepUp::start) builds
    /// that login and counts it.
    Reauthorize {
        /// The scope the resource needs, if the challenge said.
        scope: Option<Scope>,
    },
    /// The request itself is wrong (`invalid_request`) or the error is
    /// unknown: a new token will not help.
    GiveUp,
    /// The resource server wants its nonce in the DPoP proof
    /// (`use_dpop_nonce`, RFC 9449 §9): send the request again, once, with
    /// a new proof carrying it.
    UseNonce {
        /// The server's `DPoP-Nonce`.
        nonce: String,
    },
}

/// A `Bearer` challenge from a resource server's `WWW-Authenticate`
/// header (RFC 6750 §3). Its texts are kept as sent and printed escaped
/// ([`UntrustedText`]).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BearerChallenge {
    realm: Option<UntrustedText>,
    scope: Option<Scope>,
    error: Option<BearerErrorCode>,
    error_description: Option<UntrustedText>,
    error_uri: Option<UntrustedText>,
    resource_metadata: Option<UntrustedText>,
}

/// Why a `WWW-Authenticate` header could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChallengeError {
    /// The header does not follow RFC 9110 §11.6.1's challenge syntax.
    Malformed,
    /// The header is over
    /// [`MAX_WWW_AUTHENTICATE_BYTES`](crate::limits::MAX_WWW_AUTHENTICATE_BYTES):
    /// refused unread.
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A parameter of the Bearer or DPoP challenge appears twice (RFC 6750 §3:
    /// "MUST NOT appear more than once"). The name as received.
    RepeatedParameter(UntrustedText),
    /// The challenge's `error` has characters outside RFC 6750 §3's
    /// set (`%x20-21 / %x23-5B / %x5D-7E`).
    InvalidErrorCode,
    /// The challenge's `scope` has characters outside RFC 6749
    /// §3.3's set.
    InvalidScope,
    /// More than one challenge of the scheme looked for in the header.
    RepeatedChallenge,
}

impl fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("the WWW-Authenticate header is malformed"),
            Self::TooLarge { limit } => write!(
                f,
                "the WWW-Authenticate header is over its size cap of {limit} bytes"
            ),
            Self::InvalidErrorCode => {
                f.write_str("the challenge's error has characters outside RFC 6750's set")
            }
            Self::RepeatedParameter(name) => {
                write!(f, "the challenge parameter `{name}` appears more than once")
            }
            Self::InvalidScope => f.write_str("the challenge's scope is invalid"),
            Self::RepeatedChallenge => {
                f.write_str("the header has more than one challenge of the scheme")
            }
        }
    }
}

impl core::error::Error for ChallengeError {}

impl BearerChallenge {
    /// Finds and reads the `Bearer` challenge in a `WWW-Authenticate`
    /// value, which may hold several challenges (`DPoP algs="ES256",
    /// Bearer realm="api"`). The scheme and parameter names are
    /// case-insensitive; values may be tokens or quoted strings.
    /// `Ok(None)` when there is no Bearer challenge.
    ///
    /// # Errors
    /// See [`ChallengeError`].
    pub fn parse(header: &str) -> Result<Option<Self>, ChallengeError> {
        if header.len() > MAX_WWW_AUTHENTICATE_BYTES {
            return Err(ChallengeError::TooLarge {
                limit: MAX_WWW_AUTHENTICATE_BYTES,
            });
        }
        find_challenge(header, "bearer")?
            .map(|params| Self::from_params(&params))
            .transpose()
    }

    /// The Bearer challenge of an API response's `WWW-Authenticate`
    /// header; `Ok(None)` when there is none.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn from_response<'a>(
        response: impl Into<HttpResponse<'a>>,
    ) -> Result<Option<Self>, ChallengeError> {
        response
            .into()
            .www_authenticate()
            .map_or(Ok(None), Self::parse)
    }

    fn from_params(params: &[(String, String)]) -> Result<Self, ChallengeError> {
        let mut challenge = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in params.iter().cloned() {
            let name = name.to_ascii_lowercase();
            if seen.contains(&name) {
                return Err(ChallengeError::RepeatedParameter(UntrustedText::from(name)));
            }
            match name.as_str() {
                "realm" => challenge.realm = Some(UntrustedText::from(value)),
                "scope" => {
                    challenge.scope =
                        Some(Scope::parse(&value).map_err(|_| ChallengeError::InvalidScope)?);
                }
                "error" if is_error_code(&value) => {
                    challenge.error = Some(BearerErrorCode::from_wire(&value));
                }
                "error" => return Err(ChallengeError::InvalidErrorCode),
                "error_description" => {
                    challenge.error_description = Some(UntrustedText::from(value))
                }
                "error_uri" => challenge.error_uri = Some(UntrustedText::from(value)),
                "resource_metadata" => {
                    challenge.resource_metadata = Some(UntrustedText::from(value));
                }
                _ => {}
            }
            seen.push(name);
        }
        Ok(challenge)
    }

    /// The `realm`.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_ref().map(UntrustedText::as_str)
    }

    /// The `scope` the resource needs.
    #[must_use]
    pub fn scope(&self) -> Option<&Scope> {
        self.scope.as_ref()
    }

    /// The `error` code; `None` when the request had no credentials
    /// (RFC 6750 §3.1).
    #[must_use]
    pub fn error(&self) -> Option<&BearerErrorCode> {
        self.error.as_ref()
    }

    /// The `error_description`.
    #[must_use]
    pub fn error_description(&self) -> Option<&str> {
        self.error_description.as_ref().map(UntrustedText::as_str)
    }

    /// The `error_uri`.
    #[must_use]
    pub fn error_uri(&self) -> Option<&str> {
        self.error_uri.as_ref().map(UntrustedText::as_str)
    }

    /// The URL of the resource's metadata (`resource_metadata`, RFC 9728
    /// §5.1), as sent: read it with
    /// [`ResourceDiscovery::from_challenge`](crate::ResourceDiscovery::from_challenge),
    /// which checks it.
    #[must_use]
    pub fn resource_metadata(&self) -> Option<&str> {
        self.resource_metadata.as_ref().map(UntrustedText::as_str)
    }

    /// What the caller should do next.
    #[must_use]
    pub fn next_step(&self) -> NextStep {
        match &self.error {
            None | Some(BearerErrorCode::InvalidToken) => NextStep::Refresh,
            Some(BearerErrorCode::InsufficientScope) => NextStep::Reauthorize {
                scope: self.scope.clone(),
            },
            Some(_) => NextStep::GiveUp,
        }
    }
}

/// A `DPoP` challenge from a resource server's `WWW-Authenticate` header
/// (RFC 9449 §7.1): the Bearer challenge's parameters, plus the proof
/// algorithms the server accepts (`algs`) and the response's `DPoP-Nonce`
/// when it sent one (§9).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DpopChallenge {
    params: BearerChallenge,
    algs: Vec<UntrustedText>,
    nonce: Option<String>,
}

impl DpopChallenge {
    /// Finds and reads the `DPoP` challenge in a `WWW-Authenticate` value;
    /// `Ok(None)` when there is none.
    ///
    /// # Errors
    /// As [`BearerChallenge::parse`].
    pub fn parse(header: &str) -> Result<Option<Self>, ChallengeError> {
        let Some(params) = find_challenge(header, "dpop")? else {
            return Ok(None);
        };
        let algs = params
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("algs"))
            .map(|(_, value)| value.split(' ').filter(|alg| !alg.is_empty()))
            .into_iter()
            .flatten()
            .map(UntrustedText::from)
            .collect();
        Ok(Some(Self {
            params: BearerChallenge::from_params(&params)?,
            algs,
            nonce: None,
        }))
    }

    /// The DPoP challenge of a resource's response, with its `DPoP-Nonce`
    /// (when it is `1*NQCHAR`); `Ok(None)` when there is none.
    ///
    /// # Errors
    /// As [`BearerChallenge::parse`].
    pub fn from_response<'a>(
        response: impl Into<HttpResponse<'a>>,
    ) -> Result<Option<Self>, ChallengeError> {
        let response = response.into();
        let Some(header) = response.www_authenticate() else {
            return Ok(None);
        };
        Ok(Self::parse(header)?.map(|mut challenge| {
            challenge.nonce = response.dpop_nonce().map(String::from);
            challenge
        }))
    }

    /// The `realm`.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.params.realm()
    }

    /// The `scope` the resource needs.
    #[must_use]
    pub fn scope(&self) -> Option<&Scope> {
        self.params.scope()
    }

    /// The `error` code (RFC 9449 §7.1 adds `invalid_dpop_proof` and
    /// `use_dpop_nonce` to RFC 6750's).
    #[must_use]
    pub fn error(&self) -> Option<&BearerErrorCode> {
        self.params.error()
    }

    /// The `error_description`.
    #[must_use]
    pub fn error_description(&self) -> Option<&str> {
        self.params.error_description()
    }

    /// The URL of the resource's metadata (`resource_metadata`, RFC 9728
    /// §5.1), as sent.
    #[must_use]
    pub fn resource_metadata(&self) -> Option<&str> {
        self.params.resource_metadata()
    }

    /// The challenge's parameters, as a Bearer challenge carries them:
    /// for [`ResourceDiscovery::from_challenge`](crate::ResourceDiscovery::from_challenge).
    #[must_use]
    pub fn as_bearer(&self) -> &BearerChallenge {
        &self.params
    }

    /// The proof algorithms the resource accepts (`algs`), as sent.
    pub fn algs(&self) -> impl Iterator<Item = &str> {
        self.algs.iter().map(UntrustedText::as_str)
    }

    /// The response's `DPoP-Nonce`, when read with
    /// [`from_response`](Self::from_response).
    #[must_use]
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// What the caller should do next: [`NextStep::UseNonce`] for
    /// `use_dpop_nonce` with a nonce (retry once with it), otherwise as a
    /// Bearer challenge says.
    #[must_use]
    pub fn next_step(&self) -> NextStep {
        match (self.params.error(), &self.nonce) {
            (Some(BearerErrorCode::UseDpopNonce), Some(nonce)) => NextStep::UseNonce {
                nonce: nonce.clone(),
            },
            _ => self.params.next_step(),
        }
    }
}

/// The parameters of the one challenge of `scheme` (lowercase) in
/// `header`; `Ok(None)` when there is none.
fn find_challenge(
    header: &str,
    scheme: &str,
) -> Result<Option<Vec<(String, String)>>, ChallengeError> {
    let mut found = None;
    for challenge in parse_challenges(header)? {
        if !challenge.scheme.eq_ignore_ascii_case(scheme) {
            continue;
        }
        if found.is_some() {
            return Err(ChallengeError::RepeatedChallenge);
        }
        found = Some(challenge.params);
    }
    Ok(found)
}

/// Whether a `WWW-Authenticate` value (at most
/// [`MAX_WWW_AUTHENTICATE_BYTES`]) holds a challenge for `scheme`
/// (case-insensitive).
pub(crate) fn has_challenge(header: &str, scheme: &str) -> bool {
    header.len() <= MAX_WWW_AUTHENTICATE_BYTES
        && parse_challenges(header).is_ok_and(|challenges| {
            challenges
                .iter()
                .any(|challenge| challenge.scheme.eq_ignore_ascii_case(scheme))
        })
}

/// One challenge: its scheme and its `name=value` parameters (a token68
/// is read and dropped; Bearer challenges do not use one).
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

/// `tchar` (RFC 9110 §5.6.2).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

/// A cursor over the header's bytes.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn bump(&mut self) {
        self.rest = self.rest.get(1..).unwrap_or_default();
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.bump();
        }
    }

    fn take_while(&mut self, accept: impl Fn(u8) -> bool) -> &'a [u8] {
        let len = self.rest.iter().take_while(|&&b| accept(b)).count();
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        taken
    }

    fn token(&mut self) -> Option<String> {
        let token = self.take_while(is_tchar);
        if token.is_empty() {
            return None;
        }
        core::str::from_utf8(token).ok().map(String::from)
    }

    /// `quoted-string` (RFC 9110 §5.6.4), unescaped.
    fn quoted_string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.bump();
        let mut out = Vec::new();
        loop {
            let byte = self.peek()?;
            self.bump();
            match byte {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let escaped = self.peek()?;
                    self.bump();
                    out.push(escaped);
                }
                b'\t' | b' '..=b'~' | 0x80..=0xFF => out.push(byte),
                _ => return None,
            }
        }
    }
}

/// Splits a `WWW-Authenticate` value into its challenges (RFC 9110
/// §11.6.1): `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`,
/// challenges separated by commas, as are the parameters.
fn parse_challenges(header: &str) -> Result<Vec<Challenge>, ChallengeError> {
    let mut cursor = Cursor {
        rest: header.as_bytes(),
    };
    let mut challenges = Vec::new();
    loop {
        // Empty list elements are allowed (RFC 9110 §5.6.1).
        loop {
            cursor.skip_whitespace();
            if cursor.peek() == Some(b',') {
                cursor.bump();
            } else {
                break;
            }
        }
        if cursor.peek().is_none() {
            return Ok(challenges);
        }
        let scheme = cursor.token().ok_or(ChallengeError::Malformed)?;
        let mut challenge = Challenge {
            scheme,
            params: Vec::new(),
        };
        cursor.skip_whitespace();
        loop {
            // Try `name = value`; anything else ends this challenge's
            // parameters (the next challenge's scheme, or a token68).
            let checkpoint = cursor.rest;
            match param(&mut cursor) {
                Some(pair) => challenge.params.push(pair),
                None => {
                    cursor.rest = checkpoint;
                    if challenge.params.is_empty() {
                        token68(&mut cursor);
                    }
                    break;
                }
            }
            cursor.skip_whitespace();
            match cursor.peek() {
                None => break,
                Some(b',') => {
                    cursor.bump();
                    cursor.skip_whitespace();
                    // A comma may also separate empty elements.
                    while cursor.peek() == Some(b',') {
                        cursor.bump();
                        cursor.skip_whitespace();
                    }
                }
                Some(_) => return Err(ChallengeError::Malformed),
            }
        }
        challenges.push(challenge);
        cursor.skip_whitespace();
        match cursor.peek() {
            None | Some(b',') => {}
            Some(_) => {
                // The next element must start a new challenge: a token
                // followed by a space or the end, not `name=`.
                let checkpoint = cursor.rest;
                if cursor.token().is_none() {
                    return Err(ChallengeError::Malformed);
                }
                cursor.rest = checkpoint;
            }
        }
    }
}

/// `auth-param = token BWS "=" BWS ( token / quoted-string )`.
fn param(cursor: &mut Cursor<'_>) -> Option<(String, String)> {
    let name = cursor.token()?;
    cursor.skip_whitespace();
    if cursor.peek() != Some(b'=') {
        return None;
    }
    cursor.bump();
    cursor.skip_whitespace();
    let value = if cursor.peek() == Some(b'"') {
        cursor.quoted_string()?
    } else {
        cursor.token()?
    };
    Some((name, value))
}

/// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`,
/// only when it ends the element.
fn token68(cursor: &mut Cursor<'_>) {
    let checkpoint = cursor.rest;
    if cursor.take_while(is_token68_char).is_empty() {
        return;
    }
    cursor.take_while(|b| b == b'=');
    cursor.skip_whitespace();
    if !matches!(cursor.peek(), None | Some(b',')) {
        cursor.rest = checkpoint;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6750_examples() {
        let challenge = BearerChallenge::parse(r#"Bearer realm="example""#)
            .unwrap()
            .unwrap();
        assert_eq!(challenge.realm(), Some("example"));
        assert_eq!(challenge.error(), None);
        assert_eq!(challenge.next_step(), NextStep::Refresh);

        let challenge = BearerChallenge::parse(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(challenge.error(), Some(&BearerErrorCode::InvalidToken));
        assert_eq!(
            challenge.error_description(),
            Some("The access token expired")
        );
        assert_eq!(challenge.next_step(), NextStep::Refresh);
    }

    #[test]
    fn insufficient_scope_names_the_scope() {
        let challenge =
            BearerChallenge::parse(r#"bearer error=insufficient_scope, scope="read write""#)
                .unwrap()
                .unwrap();
        assert_eq!(
            challenge.next_step(),
            NextStep::Reauthorize {
                scope: Some(Scope::parse("read write").unwrap())
            }
        );
        assert_eq!(
            challenge.scope(),
            Some(&Scope::parse("read write").unwrap())
        );
        assert_eq!(
            challenge.error().map(BearerErrorCode::as_str),
            Some("insufficient_scope")
        );
        for code in [
            "invalid_request",
            "invalid_token",
            "insufficient_scope",
            "use_dpop_nonce",
        ] {
            assert_eq!(BearerErrorCode::from_wire(code).as_str(), code);
        }
    }

    #[test]
    fn several_challenges_in_one_header() {
        let header = r#"DPoP algs="ES256 PS256", error="invalid_token", Bearer realm="api", error="invalid_request", Basic dXNlcjpwYXNz=="#;
        let challenge = BearerChallenge::parse(header).unwrap().unwrap();
        assert_eq!(challenge.realm(), Some("api"));
        assert_eq!(challenge.error(), Some(&BearerErrorCode::InvalidRequest));
        assert_eq!(challenge.next_step(), NextStep::GiveUp);

        let token68_first = r#"Negotiate abc123==, Bearer realm="x""#;
        assert_eq!(
            BearerChallenge::parse(token68_first)
                .unwrap()
                .unwrap()
                .realm(),
            Some("x")
        );
        assert_eq!(BearerChallenge::parse(r#"Basic realm="x""#).unwrap(), None);
    }

    #[test]
    fn quoted_strings_unescape() {
        let challenge = BearerChallenge::parse(r#"Bearer error_description="say \"hi\", then go""#)
            .unwrap()
            .unwrap();
        assert_eq!(challenge.error_description(), Some(r#"say "hi", then go"#));
    }

    #[test]
    fn refusals() {
        assert_eq!(
            BearerChallenge::parse(r#"Bearer realm="a", REALM="b""#),
            Err(ChallengeError::RepeatedParameter("realm".into()))
        );
        assert_eq!(
            BearerChallenge::parse(r#"Bearer realm="unterminated"#),
            Err(ChallengeError::Malformed)
        );
        assert_eq!(
            BearerChallenge::parse(r#"Bearer realm="a" junk"#),
            Err(ChallengeError::Malformed)
        );
        assert_eq!(
            BearerChallenge::parse(r#"Bearer realm="a", Bearer realm="b""#),
            Err(ChallengeError::RepeatedChallenge)
        );
        assert_eq!(
            BearerChallenge::parse(r#"Bearer scope="a\\b""#),
            Err(ChallengeError::InvalidScope)
        );
        assert_eq!(
            BearerChallenge::parse("Bearer error=\"invalid_token\\\\\""),
            Err(ChallengeError::InvalidErrorCode)
        );
        assert_eq!(
            BearerChallenge::parse(&alloc::format!("Bearer realm=\"{}\"", "a".repeat(9000))),
            Err(ChallengeError::TooLarge {
                limit: MAX_WWW_AUTHENTICATE_BYTES
            })
        );
        assert_eq!(BearerChallenge::parse(""), Ok(None));
        assert_eq!(BearerChallenge::parse(" , ,"), Ok(None));
    }

    /// RFC 9449 §7.1 and §9's examples.
    #[test]
    fn dpop_challenges() {
        let header = r#"DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256 PS256""#;
        let challenge = DpopChallenge::parse(header).unwrap().unwrap();
        assert_eq!(challenge.error(), Some(&BearerErrorCode::InvalidToken));
        assert_eq!(challenge.algs().collect::<Vec<_>>(), ["ES256", "PS256"]);
        assert_eq!(challenge.next_step(), NextStep::Refresh);
        assert_eq!(BearerChallenge::parse(header), Ok(None));

        let header = r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#;
        let response = HttpResponse::new(401, b"")
            .with_www_authenticate(header)
            .with_dpop_nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v");
        let challenge = DpopChallenge::from_response(response).unwrap().unwrap();
        assert_eq!(challenge.nonce(), Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
        assert_eq!(
            challenge.next_step(),
            NextStep::UseNonce {
                nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v".into()
            }
        );
        // Without a usable nonce there is nothing to retry with.
        let response = HttpResponse::new(401, b"")
            .with_www_authenticate(header)
            .with_dpop_nonce("not a nonce");
        let challenge = DpopChallenge::from_response(response).unwrap().unwrap();
        assert_eq!(challenge.nonce(), None);
        assert_eq!(challenge.next_step(), NextStep::GiveUp);

        // Both schemes in one header; each parser finds its own.
        let both = r#"Bearer realm="api", DPoP algs="EdDSA", error="invalid_dpop_proof""#;
        assert_eq!(
            BearerChallenge::parse(both).unwrap().unwrap().realm(),
            Some("api")
        );
        let dpop = DpopChallenge::parse(both).unwrap().unwrap();
        assert_eq!(dpop.error(), Some(&BearerErrorCode::InvalidDpopProof));
        assert_eq!(dpop.next_step(), NextStep::GiveUp);
        assert_eq!(
            DpopChallenge::parse("DPoP algs=ES256, DPoP algs=EdDSA"),
            Err(ChallengeError::RepeatedChallenge)
        );
    }
}

//! The grammar of `WWW-Authenticate` (RFC 9110 §11.6.1): challenges, their
//! schemes and `auth-param`s, read strictly and within a size cap; and
//! why a header could not be read.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::ResourceError;
use crate::limits::MAX_WWW_AUTHENTICATE_BYTES;

/// The parameters of the one challenge of `scheme` (lowercase) in
/// `header`; `Ok(None)` when there is none.
pub(crate) fn find_challenge(
    header: &str,
    scheme: &str,
) -> Result<Option<Vec<(String, String)>>, ResourceError> {
    let mut found = None;
    for challenge in parse_challenges(header)? {
        if !challenge.scheme.eq_ignore_ascii_case(scheme) {
            continue;
        }
        if found.is_some() {
            return Err(ResourceError::RepeatedChallenge);
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
fn parse_challenges(header: &str) -> Result<Vec<Challenge>, ResourceError> {
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
        let scheme = cursor.token().ok_or(ResourceError::MalformedChallenge)?;
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
                Some(_) => return Err(ResourceError::MalformedChallenge),
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
                    return Err(ResourceError::MalformedChallenge);
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

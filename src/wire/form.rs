//! `application/x-www-form-urlencoded` (RFC 6749 Appendix B, WHATWG URL §5),
//! the encoding of token request bodies, of query-string callbacks and of
//! `response_mode=form_post` callbacks.
//!
//! Decoding is strict where being lenient could hide an attack: a parameter
//! that appears twice is refused (RFC 6749 §3.1, "parameters MUST NOT be
//! included more than once"), a broken `%` escape is refused, and the bytes
//! are decoded once, as UTF-8, with no replacement characters.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::FormError;
use crate::text::UntrustedText;

/// A form-encoded string being built: `name=value` pairs joined by `&`.
#[derive(Default)]
pub(crate) struct FormSerializer {
    out: String,
}

/// What a new form body reserves: a code exchange's body (grant type,
/// code, redirect URI, verifier, client) fits, so it is one allocation
/// rather than a few reallocations as it grows.
const INITIAL_CAPACITY: usize = 256;

impl FormSerializer {
    pub(crate) fn new() -> Self {
        Self {
            out: String::with_capacity(INITIAL_CAPACITY),
        }
    }

    /// Appends `name=value`, both encoded.
    pub(crate) fn append(&mut self, name: &str, value: &str) -> &mut Self {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        encode_into(&mut self.out, name);
        self.out.push('=');
        encode_into(&mut self.out, value);
        self
    }

    /// Appends pairs that are already encoded, such as another
    /// serializer's output.
    pub(crate) fn append_encoded(&mut self, encoded: &str) -> &mut Self {
        if !encoded.is_empty() {
            if !self.out.is_empty() {
                self.out.push('&');
            }
            self.out.push_str(encoded);
        }
        self
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Form-encodes `input`: ASCII letters, digits and `*-._` stay, space
/// becomes `+`, every other byte becomes `%XX`. Runs of bytes that stay
/// are copied at once.
pub(crate) fn encode_into(out: &mut String, input: &str) {
    out.reserve(input.len());
    let mut run_start = 0;
    for (index, &byte) in input.as_bytes().iter().enumerate() {
        if is_kept(byte) {
            continue;
        }
        // A non-empty run is ASCII, so its ends are character boundaries;
        // an empty one may not be, and `get` then yields nothing to copy.
        out.push_str(input.get(run_start..index).unwrap_or(""));
        if byte == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0x0F));
        }
        run_start = index.saturating_add(1);
    }
    out.push_str(input.get(run_start..).unwrap_or(""));
}

/// The bytes that form encoding leaves as they are.
fn is_kept(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'-' | b'.' | b'_')
}

/// Form-encodes `input` into a new string (the tests' shorthand).
#[cfg(test)]
pub(crate) fn encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    encode_into(&mut out, input);
    out
}

/// Decodes one name or value: `+` is a space, `%XX` a byte, and the result
/// must be UTF-8.
pub(crate) fn decode(input: &str) -> Result<String, FormError> {
    decode_cow(input).map(Cow::into_owned)
}

/// [`decode`], borrowing `input` when it has nothing to decode (most names
/// and values: codes, states): no copy then. Every byte is looked at, so
/// the scan runs over whole vector registers.
pub(crate) fn decode_cow(input: &str) -> Result<Cow<'_, str>, FormError> {
    let bytes = input.as_bytes();
    let is_escape = |b: &u8| matches!(b, b'+' | b'%');
    if !bytes.iter().fold(false, |found, b| found | is_escape(b)) {
        return Ok(Cow::Borrowed(input));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        // The run up to the next escape is copied at once.
        let run = rest.iter().position(is_escape).unwrap_or(rest.len());
        let Some((plain, escaped)) = rest.split_at_checked(run) else {
            break;
        };
        out.extend_from_slice(plain);
        rest = match escaped {
            [] => break,
            [b'+', tail @ ..] => {
                out.push(b' ');
                tail
            }
            [_, hi, lo, tail @ ..] => {
                let (Some(hi), Some(lo)) = (hex_value(*hi), hex_value(*lo)) else {
                    return Err(FormError::MalformedPercentEncoding);
                };
                out.push((hi << 4) | lo);
                tail
            }
            _ => return Err(FormError::MalformedPercentEncoding),
        };
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| FormError::InvalidUtf8)
}

/// The uppercase hexadecimal digit for a nibble (the low four bits).
fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble & 0x0F), 16)
        .unwrap_or('0')
        .to_ascii_uppercase()
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// The `name=value` sequences of a form-encoded string, still encoded;
/// empty `&&` sequences are skipped.
pub(crate) fn sequences(input: &str) -> impl Iterator<Item = &str> {
    input.split('&').filter(|s| !s.is_empty())
}

/// Parses a whole form-encoded string into its `(name, value)` pairs, in
/// order, refusing any name that appears twice — found by sorting, so the
/// time stays `n log n` and the name reported does not depend on the
/// order — before any value is decoded. A pair with no `=` has an empty
/// value. Names are borrowed from `input` when they have nothing to
/// decode.
pub(crate) fn parse_unique(input: &str) -> Result<Vec<(Cow<'_, str>, String)>, FormError> {
    let raw: Vec<(&str, &str)> = sequences(input)
        .map(|sequence| sequence.split_once('=').unwrap_or((sequence, "")))
        .collect();
    let names = raw
        .iter()
        .map(|(name, _)| decode_cow(name))
        .collect::<Result<Vec<Cow<'_, str>>, FormError>>()?;
    let mut sorted: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    sorted.sort_unstable();
    let repeated = sorted.windows(2).find_map(|pair| match pair {
        [a, b] if a == b => Some(*a),
        _ => None,
    });
    if let Some(name) = repeated {
        return Err(FormError::RepeatedParameter(UntrustedText::from(name)));
    }
    names
        .into_iter()
        .zip(raw)
        .map(|(name, (_, value))| Ok((name, decode(value)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn encodes_like_the_whatwg_serializer() {
        assert_eq!(
            encode("a b+c/d=e&f~g*h-i.j_k"),
            "a+b%2Bc%2Fd%3De%26f%7Eg*h-i.j_k"
        );
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode(""), "");
    }

    /// The same bytes as the WHATWG serializer the `url` crate implements.
    #[test]
    fn agrees_with_the_url_crates_serializer() {
        for input in [
            "",
            "abc",
            "a b",
            "é",
            "éa",
            "aé",
            "a\u{1F600}b c",
            "~!*'()",
            "%",
            "\u{0}\n",
        ] {
            let reference: String =
                url::form_urlencoded::byte_serialize(input.as_bytes()).collect();
            assert_eq!(encode(input), reference, "{input:?}");
        }
    }

    #[test]
    fn decodes_plus_percent_and_utf8() {
        assert_eq!(decode("a+b%2Bc%2fd").unwrap(), "a b+c/d");
        assert_eq!(decode("%C3%A9").unwrap(), "é");
        assert_eq!(
            decode("%").unwrap_err(),
            FormError::MalformedPercentEncoding
        );
        assert_eq!(
            decode("%4").unwrap_err(),
            FormError::MalformedPercentEncoding
        );
        assert_eq!(
            decode("%zz").unwrap_err(),
            FormError::MalformedPercentEncoding
        );
        assert_eq!(decode("%FF").unwrap_err(), FormError::InvalidUtf8);
        // Runs, escapes at either end, and input with nothing to decode.
        for (input, decoded) in [
            ("", ""),
            ("abc", "abc"),
            ("+", " "),
            ("a+", "a "),
            ("%41%42", "AB"),
            ("é+%C3%A9x", "é éx"),
        ] {
            assert_eq!(decode(input).unwrap(), decoded, "{input:?}");
        }
        // Nothing to decode: borrowed, not copied.
        assert!(matches!(decode_cow("code"), Ok(Cow::Borrowed("code"))));
        assert!(matches!(decode_cow("a+b"), Ok(Cow::Owned(s)) if s == "a b"));
        for malformed in ["a%", "a%4", "%2", "%4+", "%%41", "x%zzy"] {
            assert_eq!(
                decode(malformed).unwrap_err(),
                FormError::MalformedPercentEncoding,
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn parses_pairs_and_refuses_repeats() {
        assert_eq!(
            parse_unique("a=1&&b=&c").unwrap(),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "".into()),
                ("c".into(), "".into())
            ]
        );
        assert_eq!(
            parse_unique("code=1&code=2").unwrap_err(),
            FormError::RepeatedParameter("code".into())
        );
        // The same name spelled two ways is still the same name once decoded.
        assert_eq!(
            parse_unique("state=1&st%61te=2").unwrap_err(),
            FormError::RepeatedParameter("state".into())
        );
    }
}

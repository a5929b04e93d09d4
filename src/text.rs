//! Text that came from outside — a callback's parameter names and values,
//! an error code or description, a JSON member name, a header value, a URL
//! from metadata — on its way into an error message or a log line.
//!
//! Such text is attacker-controlled: printed raw, a `\r\n` forges a log
//! line, an ANSI escape rewrites a terminal, a bidi override (U+202E) makes
//! a log reader see other text than the bytes hold. So it never reaches
//! `Display` or `Debug` raw: every control character (C0, DEL, C1), every
//! bidi control and the other invisible format characters that can hide
//! or reorder text are escaped as `\u{…}` (`\n`, `\r`, `\t` by name), a
//! backslash is doubled so an escape cannot be forged, and the text is
//! cut after [`MAX_SHOWN_CHARS`](crate::limits::MAX_SHOWN_CHARS)
//! characters.

use alloc::string::String;
use core::fmt::{self, Write};

use crate::limits::MAX_SHOWN_CHARS;

/// Text received from outside the crate (the network, storage, or a
/// caller passing on what it received), kept exactly as it came.
///
/// [`as_str`](Self::as_str) gives the text itself, for comparisons and
/// programs. `Display` and `Debug` show it escaped and truncated: no
/// control character, DEL, C1 control or bidi override ever comes out
/// raw, so an error that quotes it can be logged as it is.
///
/// ```
/// use oauth2_pkce::values::UntrustedText;
/// let text = UntrustedText::from("x\r\nFAKE LOG LINE \u{202E}");
/// assert_eq!(text.as_str(), "x\r\nFAKE LOG LINE \u{202E}");
/// assert_eq!(text.to_string(), r"x\r\nFAKE LOG LINE \u{202e}");
/// assert_eq!(format!("{text:?}"), r#""x\r\nFAKE LOG LINE \u{202e}""#);
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UntrustedText(String);

impl UntrustedText {
    /// The text exactly as received. Printing it raw is the caller's
    /// decision: escape it first.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text exactly as received.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl From<String> for UntrustedText {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for UntrustedText {
    fn from(text: &str) -> Self {
        Self(String::from(text))
    }
}

impl PartialEq<str> for UntrustedText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for UntrustedText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for UntrustedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Escaped(&self.0), f)
    }
}

impl fmt::Debug for UntrustedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Escaped(&self.0), f)
    }
}

/// A borrowed outside text, printed as [`UntrustedText`] prints: escaped
/// and truncated, without (`Display`) or with (`Debug`) quotes.
#[derive(Clone, Copy)]
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0, false)
    }
}

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        write_escaped(f, self.0, true)?;
        f.write_char('"')
    }
}

/// Writes `text` with every character [`needs_escape`] escaped, at most
/// [`MAX_SHOWN_CHARS`] characters of it, then how long the whole was.
fn write_escaped(f: &mut fmt::Formatter<'_>, text: &str, quoted: bool) -> fmt::Result {
    for (shown, (offset, c)) in text.char_indices().enumerate() {
        if shown == MAX_SHOWN_CHARS {
            return write!(f, "…[{} bytes in all]", text.len().max(offset));
        }
        match c {
            '\\' => f.write_str(r"\\")?,
            '"' if quoted => f.write_str("\\\"")?,
            '\n' => f.write_str(r"\n")?,
            '\r' => f.write_str(r"\r")?,
            '\t' => f.write_str(r"\t")?,
            c if needs_escape(c) => write!(f, "\\u{{{:x}}}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    Ok(())
}

/// Control characters (C0, DEL, C1: Unicode's `Cc`), the bidi controls
/// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the line and
/// paragraph separators (U+2028, U+2029, line breaks to some log viewers)
/// and the invisible format characters that can hide text (zero-width
/// space and joiners, U+2060–U+2065, the byte-order mark, the interlinear
/// annotation characters).
pub(crate) fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    /// The text comes back whole and compares equal to itself alone.
    #[test]
    fn the_text_is_kept_as_received() {
        let text = UntrustedText::from("bad\r\nvalue");
        assert!(text == *"bad\r\nvalue" && text != *"bad");
        assert!(text.eq(&"bad\r\nvalue") && text.ne(&"bad"));
        assert_eq!(text.into_string(), "bad\r\nvalue");
    }

    #[test]
    fn escapes_controls_and_bidi() {
        let text =
            UntrustedText::from("a\u{0}\u{1b}[31m\u{7f}\u{85}\u{9b}\u{202e}\u{2066}\u{2028}b");
        assert_eq!(
            text.to_string(),
            r"a\u{0}\u{1b}[31m\u{7f}\u{85}\u{9b}\u{202e}\u{2066}\u{2028}b"
        );
        for c in text.to_string().chars().chain(format!("{text:?}").chars()) {
            assert!(!needs_escape(c), "{c:?}");
        }
    }

    #[test]
    fn a_backslash_cannot_forge_an_escape() {
        let text = UntrustedText::from(r"\u{a}");
        assert_eq!(text.to_string(), r"\\u{a}");
        assert_eq!(
            format!("{:?}", UntrustedText::from("say \"hi\"")),
            r#""say \"hi\"""#
        );
        assert_eq!(UntrustedText::from("say \"hi\"").to_string(), "say \"hi\"");
    }

    #[test]
    fn long_text_is_cut() {
        let long = "é".repeat(1000);
        let text = UntrustedText::from(long.clone());
        let shown = text.to_string();
        assert!(shown.starts_with(&"é".repeat(MAX_SHOWN_CHARS)));
        assert!(shown.ends_with("…[2000 bytes in all]"), "{shown}");
        assert_eq!(
            shown.chars().count(),
            MAX_SHOWN_CHARS + "…[2000 bytes in all]".len() - 2
        );
        assert_eq!(text.as_str(), long);
        let exact = "a".repeat(MAX_SHOWN_CHARS);
        assert_eq!(UntrustedText::from(exact.clone()).to_string(), exact);
    }

    #[test]
    fn plain_text_is_unchanged() {
        let text = UntrustedText::from("invalid_grant: the code expired (€)");
        assert_eq!(text.to_string(), "invalid_grant: the code expired (€)");
        assert_eq!(text, "invalid_grant: the code expired (€)");
    }
}

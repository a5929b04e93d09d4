//! The character sets of the protocol's values, checked before a value
//! is kept or sent: token response members, tokens in an `Authorization`
//! header, DPoP nonces.

/// `1*VSCHAR` (RFC 6749 Appendix A.12, A.17).
pub(crate) fn is_vschar_token(value: &str) -> bool {
    // Every byte is looked at, without an early exit, so the check runs
    // over whole vector registers: tokens are valid nearly always.
    !value.is_empty()
        && value
            .bytes()
            .fold(true, |valid, b| valid & (0x20..=0x7E).contains(&b))
}

/// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`
/// (RFC 6750 §2.1).
pub(crate) fn is_b64token(token: &str) -> bool {
    let mut body = token.as_bytes();
    while let [rest @ .., b'='] = body {
        body = rest;
    }
    // One table lookup per byte, without an early exit: a third fewer
    // instructions than comparing each byte with the nine ranges.
    !body.is_empty()
        && body.iter().fold(true, |valid, &b| {
            valid & B64TOKEN_BODY.get(usize::from(b)).copied().unwrap_or(false)
        })
}

/// The bytes of a `b64token` before its `=` padding, by value.
static B64TOKEN_BODY: [bool; 256] = b64token_body();

// Evaluated at compile time: an index out of range would fail the build,
// and `i` stays below 256.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn b64token_body() -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        #[allow(clippy::cast_possible_truncation)]
        let b = i as u8;
        table[i] =
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        i += 1;
    }
    table
}

/// Whether an access token of a provider's own token type (a
/// [`Tolerances`](crate::tolerance::Tolerances) alias of Bearer) can follow `Bearer `
/// in an `Authorization` header: visible ASCII without a space
/// (`1*VCHAR`).
///
/// RFC 6750 §2.1 writes `b64token` (letters, digits, `-._~+/`, trailing
/// `=`), and a standard `Bearer` or `DPoP` token is held to it; eBay's
/// tokens (`v^1.1#i^1#p^3#…`, `token_type: "User Access Token"`) have `^`
/// and `#`, and eBay's pages say to send them as `Authorization: Bearer`,
/// so a provider's type is sent with the wider set on purpose: every byte
/// of it is a legal header field value (RFC 9110 §5.5). A space, which a
/// token response's `1*VSCHAR` allows, would split the credentials and
/// stays refused.
pub(crate) fn is_sendable_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

/// A `DPoP-Nonce` as RFC 9449 §8.1 allows it (`1*NQCHAR`), at most 512
/// characters: one that is not is ignored, never echoed.
pub(crate) fn is_nonce(value: &str) -> bool {
    (1..=512).contains(&value.len())
        && value
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A provider's own token type is sent with any visible ASCII, eBay's
    /// `^` and `#` included; empty, a space or a control is not.
    #[test]
    fn sendable_tokens_are_visible_ascii() {
        assert!(is_sendable_token("v^1.1#i^1#p^3#r^0"));
        for refused in ["", "a b", "a\u{7f}", "a\tb", "é"] {
            assert!(!is_sendable_token(refused), "{refused:?}");
        }
    }

    #[test]
    fn nonces_are_nqchar() {
        assert!(is_nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
        for bad in ["", "a b", "a\"b", "a\\b", "é", "a\nb"] {
            assert!(!is_nonce(bad), "{bad:?}");
        }
        assert!(!is_nonce(&"n".repeat(513)));
    }

    /// RFC 6750 §2.1, byte by byte and with padding.
    #[test]
    fn b64tokens() {
        for b in 0..=u8::MAX {
            let expected = b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
            let token = [b'a', b, b'z'];
            let token = core::str::from_utf8(&token).unwrap_or("a\u{e9}z");
            assert_eq!(is_b64token(token), expected && b.is_ascii(), "{b:#x}");
        }
        for good in ["a", "a=", "a==", "Zm9v+/-._~==", "_0XBPWQQ_2a66dd33-e108"] {
            assert!(is_b64token(good), "{good:?}");
        }
        for bad in ["", "=", "==", "a=b", "=a", "a b", "a=\n", "é"] {
            assert!(!is_b64token(bad), "{bad:?}");
        }
    }

    #[test]
    fn vschar_tokens() {
        assert!(is_vschar_token("a b~!"));
        for bad in ["", "a\tb", "a\x7fb", "é", "a\nb"] {
            assert!(!is_vschar_token(bad), "{bad:?}");
        }
    }
}

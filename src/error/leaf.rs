//! The errors of the lowest layers, which the steps' errors carry: a
//! signer's failure, and (inside the crate) a malformed form encoding.

use core::fmt;

use crate::text::UntrustedText;

/// Why a [`Signer`](crate::jose::Signer) could not sign: its own reason, a fixed text (a
/// signer's error must not carry key material).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningError(pub &'static str);

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the signing key failed: {}", self.0)
    }
}

impl core::error::Error for SigningError {}

/// Why a form-encoded string was refused; the callback's error says it
/// in its own variants.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum FormError {
    /// A `%` not followed by two hexadecimal digits.
    MalformedPercentEncoding,
    /// The decoded bytes are not UTF-8.
    InvalidUtf8,
    /// The parameter with this name (as received) appears more than once.
    RepeatedParameter(UntrustedText),
}

//! The errors of the lowest layers, which the steps' errors carry: a
//! local cryptographic facility's failure, and (inside the crate) a
//! malformed form encoding.

use core::fmt;

use crate::text::UntrustedText;

/// The request could not be built because a local cryptographic facility
/// failed: a [`Signer`](crate::jose::Signer) could not sign, or there was
/// no randomness for its one-time values. Nothing was sent.
///
/// Build one with its variants (it has no constructors):
/// `CryptoError::Signing("hsm offline")` in a signer, and
/// `CryptoError::EntropyUnavailable { os_error: None }` in a generator
/// given to [`Driver::with_entropy`](crate::Driver::with_entropy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// A signer could not sign: its own reason, a fixed text (a signer's
    /// error must not carry key material). Fix the key, or the device or
    /// service that holds it.
    Signing(&'static str),
    /// No randomness: the operating system's generator
    /// ([`FlowEntropy::from_os_rng`](crate::FlowEntropy::from_os_rng))
    /// or the app's own failed. No flow can start safely without it.
    /// Retry later, or supply entropy from another cryptographically
    /// secure generator with
    /// [`FlowEntropy::from_bytes`](crate::FlowEntropy::from_bytes).
    EntropyUnavailable {
        /// The operating system's error code, when it gave one.
        os_error: Option<i32>,
    },
}

impl CryptoError {
    /// The operating system's error code, when randomness was unavailable
    /// and it gave one; `None` for a signer's failure.
    #[must_use]
    pub fn os_error(&self) -> Option<i32> {
        match self {
            Self::EntropyUnavailable { os_error } => *os_error,
            Self::Signing(_) => None,
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Signing(reason) => write!(f, "the signing key failed: {reason}"),
            Self::EntropyUnavailable { os_error } => {
                f.write_str("the operating system could not provide randomness")?;
                if let Some(code) = os_error {
                    write!(f, " (OS error {code})")?;
                }
                Ok(())
            }
        }
    }
}

impl core::error::Error for CryptoError {}

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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn a_crypto_error_says_which_facility_failed() {
        let entropy = CryptoError::EntropyUnavailable { os_error: Some(38) };
        assert_eq!(entropy.os_error(), Some(38));
        assert_eq!(
            entropy.to_string(),
            "the operating system could not provide randomness (OS error 38)"
        );
        assert_eq!(
            CryptoError::EntropyUnavailable { os_error: None }.to_string(),
            "the operating system could not provide randomness"
        );
        let signing = CryptoError::Signing("hsm offline");
        assert_eq!(signing.os_error(), None);
        assert_eq!(signing.to_string(), "the signing key failed: hsm offline");
    }
}

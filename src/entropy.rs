//! Randomness from the operating system, and the error when there is
//! none. The crate never draws randomness of its own accord: these are
//! the `from_os_rng` constructors' source.

use core::fmt;

/// Fills `bytes` from the operating system's generator.
#[cfg(feature = "getrandom")]
pub(crate) fn fill_from_os_rng(bytes: &mut [u8]) -> Result<(), EntropyUnavailable> {
    getrandom::fill(bytes).map_err(|error| EntropyUnavailable {
        os_error: error.raw_os_error(),
    })
}

/// The operating system could not provide randomness
/// ([`FlowEntropy::from_os_rng`](crate::FlowEntropy::from_os_rng)): no
/// flow can start safely without it. Retry later, or supply entropy from
/// another cryptographically secure generator with
/// [`FlowEntropy::from_bytes`](crate::FlowEntropy::from_bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntropyUnavailable {
    os_error: Option<i32>,
}

impl EntropyUnavailable {
    /// A generator of the caller's failed
    /// ([`Driver::with_entropy`](crate::Driver::with_entropy)), with the
    /// operating system's error code when there is one.
    #[must_use]
    pub const fn new(os_error: Option<i32>) -> Self {
        Self { os_error }
    }

    /// The operating system's error code, when it gave one.
    #[must_use]
    pub fn os_error(&self) -> Option<i32> {
        self.os_error
    }
}

impl fmt::Display for EntropyUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operating system could not provide randomness")?;
        if let Some(code) = self.os_error {
            write!(f, " (OS error {code})")?;
        }
        Ok(())
    }
}

impl core::error::Error for EntropyUnavailable {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn entropy_unavailable_says_why() {
        let error = EntropyUnavailable { os_error: Some(38) };
        assert_eq!(error.os_error(), Some(38));
        assert_eq!(
            error.to_string(),
            "the operating system could not provide randomness (OS error 38)"
        );
        assert_eq!(
            EntropyUnavailable { os_error: None }.to_string(),
            "the operating system could not provide randomness"
        );
    }
}

//! Randomness from the operating system. The crate never draws
//! randomness of its own accord: this is the `from_os_rng` constructors'
//! source; without it they fail with
//! [`CryptoError::EntropyUnavailable`](crate::errors::CryptoError::EntropyUnavailable).

#[cfg(feature = "getrandom")]
use crate::error::CryptoError;

/// Fills `bytes` from the operating system's generator.
#[cfg(feature = "getrandom")]
pub(crate) fn fill_from_os_rng(bytes: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(bytes).map_err(|error| CryptoError::EntropyUnavailable {
        os_error: error.raw_os_error(),
    })
}

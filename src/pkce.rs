//! Proof Key for Code Exchange (RFC 7636): the `code_verifier` and its
//! `code_challenge`.

use alloc::string::String;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::secret::CodeVerifier;

/// The `code_challenge_method` (RFC 7636 §4.3).
///
/// `S256` is the only method this crate uses unless the caller calls
/// [`Start::dangerous_use_plain_pkce`](crate::Start::dangerous_use_plain_pkce);
/// it never falls back to `plain` by itself (RFC 7636 §7.2, RFC 9700 §2.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CodeChallengeMethod {
    /// `code_challenge = BASE64URL(SHA256(code_verifier))`.
    S256,
    /// `code_challenge = code_verifier`: offers no protection against a
    /// verifier seen in transit. Only for servers that cannot do `S256`.
    #[serde(rename = "plain")]
    Plain,
}

impl CodeChallengeMethod {
    /// The name sent as `code_challenge_method`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

impl CodeVerifier {
    /// The verifier for 32 bytes of entropy: their base64url encoding without
    /// padding, 43 characters (RFC 7636 §4.1, "32-octet sequence").
    #[must_use]
    pub fn from_entropy(entropy: &[u8; 32]) -> Self {
        Self::new(Base64UrlUnpadded::encode_string(entropy))
    }

    /// The `code_challenge` for this verifier (RFC 7636 §4.2).
    #[must_use]
    pub fn code_challenge(&self, method: CodeChallengeMethod) -> String {
        match method {
            CodeChallengeMethod::S256 => {
                Base64UrlUnpadded::encode_string(&Sha256::digest(self.secret().as_bytes()))
            }
            CodeChallengeMethod::Plain => String::from(self.secret()),
        }
    }

    /// Whether the verifier is 43 to 128 characters of `[A-Za-z0-9-._~]`
    /// (RFC 7636 §4.1).
    #[must_use]
    pub fn is_well_formed(&self) -> bool {
        let value = self.secret();
        // Every byte is looked at, without an early exit, so the check
        // runs over whole vector registers.
        (43..=128).contains(&value.len()) && value.bytes().fold(true, |valid, b| {
            valid & matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~')
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    #[test]
    fn rfc7636_appendix_b() {
        let entropy = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = CodeVerifier::from_entropy(&entropy);
        assert_eq!(
            verifier.secret(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        assert_eq!(
            verifier.code_challenge(CodeChallengeMethod::S256),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verifier.is_well_formed());
    }

    #[test]
    fn plain_is_the_verifier() {
        let verifier = CodeVerifier::from_entropy(&[0; 32]);
        assert_eq!(
            verifier.code_challenge(CodeChallengeMethod::Plain),
            verifier.secret()
        );
    }

    #[test]
    fn well_formedness() {
        assert!(!CodeVerifier::new("short").is_well_formed());
        assert!(!CodeVerifier::new("a".repeat(129)).is_well_formed());
        assert!(CodeVerifier::new("a".repeat(128)).is_well_formed());
        assert!(!CodeVerifier::new("a".repeat(42) + "+").is_well_formed());
    }
}

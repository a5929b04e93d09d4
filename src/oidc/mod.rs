//! OpenID Connect's relying party: the server's key set (Core §10.1.1)
//! and ID token validation (Core §3.1.3.7).

mod claims;
mod id_token;
mod key_set;

pub use claims::IdTokenClaims;
pub use id_token::{token_hash, IdToken, IdTokenValidation, DEFAULT_CLOCK_SKEW};
pub use key_set::{
    KeySet, KeySetFetch, DEFAULT_KEY_SET_MAX_AGE, KEY_SET_REFETCH_INTERVAL, MAX_KEY_SET_MAX_AGE,
};

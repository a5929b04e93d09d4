//! OpenID Connect's relying party: the server's key set (Core §10.1.1),
//! ID token validation (Core §3.1.3.7), the UserInfo response's claims
//! (Core §5.3.2) and logout (RP-Initiated Logout 1.0, Back-Channel Logout
//! 1.0).

pub(crate) mod claims;
mod id_token;
mod key_set;
mod logout;
mod userinfo;

pub use claims::IdTokenClaims;
pub use id_token::{token_hash, IdToken, IdTokenValidation, DEFAULT_CLOCK_SKEW};
pub use key_set::{
    KeySet, KeySetFetch, DEFAULT_KEY_SET_MAX_AGE, KEY_SET_REFETCH_INTERVAL, MAX_KEY_SET_MAX_AGE,
};
pub use logout::{EndSessionRequest, LogoutToken, LogoutTokenValidation, BACKCHANNEL_LOGOUT_EVENT};
pub use userinfo::UserInfo;
pub(crate) use userinfo::{parse_userinfo, UserInfoExpectations};

//! The scenarios: whole flows over real HTTP on 127.0.0.1 against the
//! embedded authorization server (oxide-auth, a Rust dependency), the
//! drivers, and the loopback redirect. One scenario per module; `common`
//! is the one shared helper.

mod common;
mod flow_client_credentials;
mod flow_client_secret_basic;
mod flow_client_secret_post;
mod flow_drivers;
mod flow_issuer_identification;
mod flow_public_client;
mod flow_refresh_rotation;
mod flow_rejections;
mod flow_retry;
mod flow_revocation;
mod loopback;

/// The moment and randomness every request in these tests is built with:
/// fixed, so the same step always gives the same bytes.
pub const CONTEXT: oauth2_pkce::RequestContext =
    oauth2_pkce::RequestContext::new(oauth2_pkce::UnixTime::from_secs(1_800_000_000), [0x5e; 32]);

//! The offline suite: everything that needs no server — the callback
//! checks, the token, PAR, revocation and discovery parsers, the token
//! lifecycle on canned answers, the provider quirks corpus, request
//! snapshots, secret hygiene and the properties. One scenario per module;
//! `rendering` is the one shared helper.

mod callback;
mod client_assertion;
mod device_authorization;
mod discovery;
mod dpop;
mod dpop_nonces;
mod fapi;
mod introspection;
mod lifecycle;
mod properties;
mod properties_callback_checks;
mod properties_outside_text;
mod provider_presets;
mod provider_quirks;
mod pushed_authorization;
mod registration;
mod rendering;
mod request_snapshots;
mod resource_chain;
mod resource_indicators;
mod resource_metadata;
mod secrets;
mod software_keys;
mod step_up;
mod token_response;

/// The moment and randomness every request in these tests is built with:
/// fixed, so the same step always gives the same bytes.
pub const CONTEXT: oauth2_pkce::RequestContext =
    oauth2_pkce::RequestContext::new(oauth2_pkce::UnixTime::from_secs(1_800_000_000), [0x5e; 32]);

//! The offline suite: everything that needs no server — the callback
//! checks, the token, PAR, revocation and discovery parsers, the token
//! lifecycle on canned answers, the provider quirks corpus, request
//! snapshots, secret hygiene and the properties. One scenario per module;
//! `rendering` is the one shared helper.

mod callback;
mod device_authorization;
mod discovery;
mod introspection;
mod lifecycle;
mod properties;
mod properties_callback_checks;
mod properties_outside_text;
mod provider_quirks;
mod pushed_authorization;
mod rendering;
mod request_snapshots;
mod secrets;
mod token_response;

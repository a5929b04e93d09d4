//! The interop suites (feature `interop`): whole flows against two
//! authorization servers other people wrote — Authlib (Python, installed
//! from PyPI into a venv on first use) and panva's oidc-provider (Node,
//! installed with `npm ci`) — on 127.0.0.1. A missing python3 or node is a
//! failure, not a skip. One scenario per module; `interop_support` (with
//! the two servers' harnesses, `interop_common` and
//! `interop_node_common`) is the shared helper.

mod authlib_flows;
mod authlib_lifecycle;
mod authlib_negative;
mod interop_common;
mod interop_node_common;
mod interop_support;
mod oidc_provider_device;
mod oidc_provider_discovery;
mod oidc_provider_dpop;
mod oidc_provider_flows;
mod oidc_provider_introspection;
mod oidc_provider_jarm;
mod oidc_provider_jwt;
mod oidc_provider_lifecycle;
mod oidc_provider_negative;
mod oidc_provider_par;
mod oidc_provider_request_objects;
mod oidc_provider_resource;
mod oidc_provider_sign_in;
mod oidc_provider_token_exchange;
mod oidc_provider_userinfo_logout;
// Rich authorization requests (RFC 9396).
mod oidc_provider_rar;
// Mutual TLS (RFC 8705).
mod oidc_provider_mtls;
// OpenID CIBA Core 1.0.
mod oidc_provider_ciba;

/// A context for a request sent now, to a live server: the real time and
/// fresh randomness, as a client that signs its requests needs (a server
/// refuses an assertion from the future, or one whose `jti` it has seen).
pub fn context() -> oauth2_pkce::RequestContext {
    oauth2_pkce::RequestContext::from_os_rng(oauth2_pkce::UnixTime::now()).unwrap()
}

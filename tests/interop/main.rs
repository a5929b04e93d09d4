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
mod oidc_provider_flows;
mod oidc_provider_introspection;
mod oidc_provider_lifecycle;
mod oidc_provider_negative;
mod oidc_provider_par;

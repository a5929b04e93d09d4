//! The guides: one page for each kind of application, and one for each
//! concern every application shares. The API reference says what each
//! item does; these pages say which items a given application needs, in
//! which order, and why. Every claim names the test that shows it, and
//! every example compiles: as a doctest, or (the `oauth2` crate's side of
//! the migration page) in the benchmarks package, which depends on it.
//!
//! By kind of application:
//!
//! - [`web_apps`]: a server-side web application: where the pending login
//!   lives, login CSRF, renewal shared by concurrent requests, and two
//!   instances behind one Redis.
//! - [`native_apps`]: a command-line or desktop application: the loopback
//!   redirect (RFC 8252) and pushed authorization requests (RFC 9126).
//! - [`services`]: machine-to-machine calls with the client credentials
//!   grant (RFC 6749 §4.4).
//! - [`devices`]: a device without a browser: the device authorization
//!   grant (RFC 8628).
//! - [`resource_servers`]: the API's side, and a client that starts from
//!   an API's URL: challenges (RFC 6750 §3), introspection (RFC 7662),
//!   resource metadata (RFC 9728), resource indicators (RFC 8707).
//! - [`sign_in`]: signing users in with OpenID Connect: the ID token, the
//!   provider's key set kept beside the sessions, UserInfo, and logout
//!   (RP-initiated and back-channel).
//!
//! Across applications:
//!
//! - [`dpop_and_fapi`]: sender-constrained tokens (DPoP, RFC 9449; mutual
//!   TLS, RFC 8705) and the FAPI 2.0 client profile.
//! - [`jwt_client_authentication`]: `private_key_jwt` and
//!   `client_secret_jwt` (RFC 7523).
//! - [`providers`]: the provider presets, and the tolerances for what
//!   providers send.
//! - [`storing_state`]: pending logins and grants in a session, a file or
//!   a database; the token lifecycle.
//! - [`errors_and_retries`]: what an error says, what to retry, and the
//!   drivers that retry for you.
//! - [`security_defaults`]: what the crate checks and refuses without
//!   being asked, and how that is shown.
//! - [`migrating_from_oauth2`]: the same login with the `oauth2` crate and
//!   with this one, side by side.

pub mod web_apps {
    #![doc = include_str!("web_apps.md")]
}

pub mod native_apps {
    #![doc = include_str!("native_apps.md")]
}

pub mod services {
    #![doc = include_str!("services.md")]
}

pub mod devices {
    #![doc = include_str!("devices.md")]
}

pub mod resource_servers {
    #![doc = include_str!("resource_servers.md")]
}

pub mod sign_in {
    #![doc = include_str!("sign_in.md")]
}

pub mod dpop_and_fapi {
    #![doc = include_str!("dpop_and_fapi.md")]
}

pub mod jwt_client_authentication {
    #![doc = include_str!("jwt_client_authentication.md")]
}

pub mod providers {
    #![doc = include_str!("providers.md")]
}

pub mod storing_state {
    #![doc = include_str!("storing_state.md")]
}

pub mod errors_and_retries {
    #![doc = include_str!("errors_and_retries.md")]
}

pub mod security_defaults {
    #![doc = include_str!("security_defaults.md")]
}

pub mod migrating_from_oauth2 {
    #![doc = include_str!("migrating_from_oauth2.md")]
}

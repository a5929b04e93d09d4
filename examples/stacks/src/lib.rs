//! oauth2-pkce in whole integrations, each over a transport adapter
//! (`oauth2-pkce-ureq`, `oauth2-pkce-reqwest`) and a stored
//! [`Driver`](oauth2_pkce::Driver): [`cli_login`], [`web_app`],
//! [`service`], [`pagero`] and [`resource_login`]; [`shared`] lets the web
//! app run as several instances on one Redis. `tests/transports.rs` runs a
//! whole flow over each of the three adapters (hyper's too). With `openid`
//! in the scope, [`web_app`] and [`cli_login`] sign the user in: the ID
//! token verified with the provider's key set (OpenID Connect Core
//! §3.1.3.7); the web app also takes the provider's back-channel logout
//! tokens (`tests/web_app_sign_in.rs`, against oidc-provider).

pub mod cli_login;
pub mod pagero;
pub mod resource_login;
pub mod service;
pub mod shared;
pub mod web_app;

/// The redirect URI a command-line login listens on when
/// `OAUTH2_REDIRECT_URI` is not set: `/callback` on a free port of
/// 127.0.0.1 (register `http://127.0.0.1/callback` with a provider that
/// allows any port, RFC 8252 §7.3).
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// The loopback listener of a command-line login, for `redirect_uri` —
/// `OAUTH2_REDIRECT_URI`, the redirect URI registered with the provider,
/// whole (`http://127.0.0.1:8400/oauth/cb`; without a port or with port 0
/// a free one is picked) — or [`DEFAULT_REDIRECT_URI`]. Checked like any
/// redirect URI: only `http` on a loopback IP literal is listened on.
pub fn loopback_listener(
    redirect_uri: Option<&str>,
) -> Result<oauth2_pkce::loopback::LoopbackRedirect, String> {
    let uri = redirect_uri.unwrap_or(DEFAULT_REDIRECT_URI);
    oauth2_pkce::loopback::LoopbackRedirect::bind_uri(uri)
        .map_err(|error| format!("cannot listen on OAUTH2_REDIRECT_URI={uri}: {error}"))
}

//! A sans-IO OAuth 2.0 client for the Authorization Code grant with PKCE
//! (RFC 6749 §4.1, RFC 7636).
//!
//! Every HTTP request the flow needs is built as a value and every HTTP
//! response is taken as a value: the crate never opens a socket, reads a
//! clock or draws randomness by itself. Any HTTP stack can carry it (the
//! repository tests ureq, reqwest and hyper), fuzzers drive its parsers
//! directly, and it builds with `no_std` + `alloc`.
//!
//! # The flow
//!
//! Each step is a state, consumed by the transition that leaves it:
//!
//! ```text
//! Start ──begin(entropy, now)──▶ (AuthorizationRequest, AwaitingCallback)
//! AwaitingCallback ──handle_callback(client, callback)──▶ Exchanging
//! Exchanging ──request()──▶ HttpRequest ──handle_response(response, now)──▶ Authorized
//! Authorized ──bearer_authorization(uri) / authorize_request(&mut request)
//! ```
//!
//! Every step that talks to an endpoint — the code exchange, a refresh, a
//! revocation, client credentials, a pushed authorization request,
//! discovery — is an [`EndpointStep`] with the same verb pair:
//! `request()` gives the request as a value, `handle_response(response,
//! now)` takes the answer and gives the step's output or a [`Failure`](errors::Failure)
//! that names the endpoint and hands the step back when a retry may help.
//! Inputs are `handle_*` methods; outputs are request values. Time (`now`)
//! and entropy are arguments.
//!
//! ```
//! use oauth2_pkce::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Once, at startup: who we are and which server we talk to (written
//! // down here; `Discovery` finds it from the issuer).
//! let metadata = ServerMetadata::new(
//!     "https://as.example.com",
//!     "https://as.example.com/authorize",
//!     "https://as.example.com/token",
//! )
//! .with_code_challenge_methods_supported(["S256"]);
//! let client = Client::new(
//!     metadata,
//!     ClientId::new("client-id")?,
//!     ClientAuthentication::ClientSecretBasic(ClientSecret::new("client-secret")),
//! )?
//! .with_redirect_uri(RedirectUri::new("https://app.example.com/callback")?);
//!
//! // 1. Send the user to log in. Keep `pending` in the session that started it.
//! let (authorization, pending) = Start::new(&client)
//!     .begin(FlowEntropy::from_os_rng()?, UnixTime::now())?;
//! let _redirect_the_browser_to = authorization.url();
//! let stored = pending.to_json();
//!
//! // 2. The browser comes back to the redirect URI.
//! let pending = AwaitingCallback::from_json(stored.as_bytes())?;
//! # let state = pending.state().secret().to_owned();
//! # let callback_url = format!("https://app.example.com/callback?code=0F7ijeaW4BCwhvyg6ozY9PeLsFF6KUi1&state={state}");
//! let callback = Callback::from_url(&callback_url)?;
//! let exchanging = pending.handle_callback(&client, callback)?;
//!
//! // 3. Exchange the code: send this request with any HTTP client (or let a
//! //    `Driver` send it over yours, retrying what is worth retrying)...
//! let context = RequestContext::from_os_rng(UnixTime::now())?; // new for every send
//! let request: http::Request<RequestBody> = exchanging.request(&context)?.into_http();
//! assert_eq!(request.uri(), "https://as.example.com/token");
//! // ...and hand back the response.
//! # let response = http::Response::builder()
//! #     .header("content-type", "application/json")
//! #     .body(br#"{"token_type":"Bearer","access_token":"2YotnFZFEjr1zCsicMWpAA","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","expires_in":3600}"#.to_vec())?;
//! let authorized = exchanging.handle_response(&response, UnixTime::now())?;
//!
//! // 4. Call the API.
//! let mut api_call = http::Request::get("https://api.example.com/me").body(())?;
//! authorized.authorize_request(&mut api_call)?;
//! assert!(api_call.headers()["authorization"].is_sensitive());
//! # Ok(())
//! # }
//! ```
//!
//! # Guides
//!
//! The [`manual`] has a page for each kind of application — [web
//! apps](manual::web_apps), [native apps](manual::native_apps),
//! [services](manual::services), [devices](manual::devices), [resource
//! servers](manual::resource_servers) — and for what they share: [DPoP and
//! FAPI 2.0](manual::dpop_and_fapi), [JWT client
//! authentication](manual::jwt_client_authentication), [providers and
//! tolerances](manual::providers), [storing state](manual::storing_state),
//! [errors and retries](manual::errors_and_retries), [security
//! defaults](manual::security_defaults), and [migrating from the `oauth2`
//! crate](manual::migrating_from_oauth2).
//!
//! # Beyond the login
//!
//! The crate's root holds what a login needs; the rest lives in modules
//! named for the protocol's parts:
//!
//! - [`Authorized::refresh`] → [`Refreshing`]: RFC 6749 §6, with rotating
//!   refresh tokens (the new one replaces the old; none keeps it) and
//!   [`Authorized::needs_renewal`] to say when.
//! - [`Authorized::revoke`] → [`Revocation`]: RFC 7009.
//! - [`ClientCredentials`]: RFC 6749 §4.4.
//! - [`Discovery`]: the server's metadata from its issuer (RFC 8414,
//!   OpenID Discovery).
//! - [`Start::push`] → [`PushingAuthorization`]: pushed authorization
//!   requests (RFC 9126).
//! - [`device`]: the device authorization grant (RFC 8628), for devices
//!   without a browser; the pending login is storable.
//! - [`resource`]: the protected resource's side: an API's
//!   `WWW-Authenticate` (RFC 6750 §3) and the next step it calls for,
//!   token introspection (RFC 7662), tokens for a named resource
//!   ([`Start::resource`], RFC 8707), a resource's metadata from its `401`
//!   (RFC 9728), a counted new login on `insufficient_scope`, and (feature
//!   `http`) `Driver::access_resource`, the whole chain from a resource URL
//!   in one call.
//! - [`exchange`]: token exchange (RFC 8693), one security token traded
//!   for another, for delegation and service-to-service calls; the JWT
//!   bearer grant (RFC 7523 §2.1).
//! - [`registration`]: dynamic client registration (RFC 7591).
//! - [`ciba`]: OpenID Client-Initiated Backchannel Authentication, the
//!   user authenticated on their own device (poll and ping modes).
//! - [`jose`]: DPoP keys (RFC 9449) and `private_key_jwt` keys (RFC 7523).
//! - [`errors`]: every error, and the protocol's error codes.
//! - [`tolerance`]: how strictly responses are read.
//! - [`values`]: tokens, codes and the other values a flow hands over.
//! - `loopback` (feature `loopback`): a native app's loopback redirect
//!   (RFC 8252 §7.3); `transport` (feature `http`): what a `Driver`
//!   sends over.
//! - [`limits`]: the size caps on what the crate reads.
//! - [`AwaitingCallback`] and [`Authorized`] are `Serialize + Deserialize`
//!   with a format version; `to_json` writes them and `from_json` reads
//!   them back with a typed [`InvalidValue`](errors::InvalidValue).
//!
//! A failed request whose retry may succeed (429, 5xx,
//! `temporarily_unavailable`) hands its step back in the
//! [`Failure`](errors::Failure);
//! [`RetryPolicy`] says when to send it again (with jitter seeded by the
//! operating system: `RetryPolicy::from_os_rng()?`), and (feature `http`)
//! a `Driver` runs any step to its end over the caller's own HTTP client,
//! blocking or async, telling an observer why it waits
//! (`Driver::with_observer`).
//!
//! # Features
//!
//! - `std` (default): `UnixTime::now`, and what `http` needs.
//! - `http` (default): requests as `http::Request<RequestBody>` (a body whose
//!   `Debug` is redacted), responses from `&http::Response<B>`, callbacks
//!   from `&http::Request<B>`, and the `Driver`s.
//! - `getrandom` (default): [`FlowEntropy::from_os_rng`],
//!   `RetryPolicy::from_os_rng`.
//! - `loopback` (default): `LoopbackRedirect`, the one-shot listener on
//!   `127.0.0.1` for a native app's redirect (RFC 8252 §7.3), with `std`
//!   alone.
//! - `es256`: `Es256Key`, a software P-256 key for DPoP proofs and
//!   `private_key_jwt` (RustCrypto's `p256`; builds without `std`).
//! - `ed25519`: `Ed25519Key`, the same with Ed25519 (`ed25519-dalek`;
//!   builds without `std`).
//!
//! Without default features the crate is `no_std` + `alloc`, and speaks in
//! its own [`HttpRequest`](values::HttpRequest) and [`HttpResponse`](values::HttpResponse) values.
//!
//! # Errors and panics
//!
//! Each operation has its own `#[non_exhaustive]` error, whose variants say
//! what to do. Errors mean bad input; a panic would be a bug: nothing from
//! the network, from storage or from the caller makes the crate panic.
//! Secrets print as `[redacted]` in `Debug` and never appear in `Display`.
//!
//! One convention for every error, rustls' own: `Display` carries the
//! whole message, the text of any error inside included, and `source()`
//! never returns an error whose text `Display` already printed. It returns
//! that inner error's own `source()` instead, so the cause of a transport's
//! error still chains. A reporter that walks the chain (`anyhow`'s `{:#}`,
//! `std::error::Report`) prints each message once.
//!
//! A mistake in how the crate is called — a client that is not the flow's,
//! an endpoint the server does not have, a refresh without a refresh token
//! — is an [`ApiMisuse`](errors::ApiMisuse) wherever it is made: the error of the operations
//! that fail only that way, and a `Misuse` variant of the others.
//!
//! [`EndpointError`](errors::EndpointError), [`Failure`](errors::Failure),
//! `DriveError` and `ChainError` (feature `http`)
//! answer in one call which endpoint answered (`endpoint()`), with which
//! protocol code (`code()`, a [`TokenErrorCode`](errors::TokenErrorCode)), whether the same
//! request may succeed when sent again later (`is_retryable()`, one
//! meaning for all four, a device login still pending included) and after
//! how long (`retry_after()`):
//! `error.code() == Some(&TokenErrorCode::InvalidGrant)` means the user
//! must log in again.

#![no_std]
// docs.rs: every feature-gated item says which feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Every `pub` item is reachable from the crate's root or one of its public
// modules; the rest say `pub(crate)`.
#![warn(unreachable_pub)]
// Nothing from the network, storage or the caller may make the crate panic:
// library code has no unwrap, expect, panic, unchecked indexing or
// unchecked arithmetic. Tests may use them.
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::string_slice
    )
)]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod authorization_details;
mod client_registration;
mod config;
mod discovery;
#[cfg(feature = "http")]
mod drive;
mod endpoint;
mod entropy;
mod error;
mod fapi;
mod flow;
mod http;
mod jws;
pub mod limits;
#[cfg(feature = "loopback")]
mod loopback_listener;
pub mod manual;
mod members;
mod mtls;
mod oidc;
mod pkce;
mod presets;
mod resource_discovery;
mod resource_indicator;
mod retry;
mod scope;
mod secret;
mod step;
mod step_up;
mod strictness;
mod syntax;
mod text;
mod time;
mod wire;

// The names a login needs: configuration, the flow's states, the endpoint
// steps and what carries them. The rest live in the public modules below.
pub use crate::config::{Client, ClientAuthentication, ClientId, ServerMetadata};
pub use crate::discovery::Discovery;
#[cfg(feature = "http")]
pub use crate::drive::{transport, AsyncTransport, Driver, Transport};
pub use crate::endpoint::RedirectUri;
pub use crate::flow::{
    Authorization, AuthorizationRequest, Authorized, AwaitingCallback, ClientCredentials,
    Exchanging, FlowEntropy, PushingAuthorization, Refreshing, Revocation, Start, TokenSet,
};
pub use crate::http::RequestBody;
pub use crate::presets::Preset;
pub use crate::retry::RetryPolicy;
pub use crate::scope::Scope;
pub use crate::secret::ClientSecret;
pub use crate::step::{EndpointStep, RequestContext};
pub use crate::time::UnixTime;
pub use crate::wire::callback::Callback;

pub mod device {
    //! The device authorization grant (RFC 8628), for a device without a
    //! browser or whose keyboard is a chore: [`DeviceAuthorization`] asks
    //! the device authorization endpoint for a [`UserCode`] and a
    //! [`VerificationUri`] to show (§3.1–3.3), and [`DevicePolling`] polls
    //! the token endpoint with the [`DeviceCode`] until the user approves
    //! (§3.4–3.5), slowing down by [`SLOW_DOWN_INCREMENT`] when asked to.
    //! The pending login, [`AwaitingDeviceApproval`], is storable.

    pub use crate::flow::{
        AwaitingDeviceApproval, DeviceAuthorization, DevicePolling, DEVICE_CODE_GRANT_TYPE,
        SLOW_DOWN_INCREMENT,
    };
    pub use crate::secret::DeviceCode;
    pub use crate::wire::device::{UserCode, VerificationUri};
}

pub mod ciba {
    //! OpenID Client-Initiated Backchannel Authentication (CIBA Core 1.0),
    //! poll and ping modes: [`BackchannelAuthentication`] asks the
    //! provider's backchannel authentication endpoint to authenticate the
    //! user a [`UserHint`] names, on their own device (§7.1), and
    //! [`BackchannelPolling`] collects the tokens at the token endpoint
    //! with the [`AuthReqId`] (§10.1), by the device grant's polling rules
    //! (`interval`, `slow_down`, the expiry). Its output is an
    //! [`IdTokenReceived`](crate::openid::IdTokenReceived): the tokens come
    //! out once the ID token verifies. The pending request,
    //! [`AwaitingBackchannelApproval`], is storable, so one process may
    //! start it and another poll. The guide:
    //! [`manual::devices`](crate::manual::devices).

    pub use crate::flow::{
        AwaitingBackchannelApproval, BackchannelAuthentication, BackchannelPolling, CIBA_GRANT_TYPE,
    };
    pub use crate::secret::{AuthReqId, BackchannelUserCode, ClientNotificationToken};
    pub use crate::wire::ciba::{PingNotification, UserHint};
}

pub mod exchange {
    //! Token exchange (RFC 8693): [`TokenExchange`] trades a security
    //! token the client holds (a user's access token, an ID token, a JWT)
    //! at the token endpoint for another, for another audience or with
    //! less scope — delegation with an actor token, impersonation without
    //! (§1.1). What it issued is [`Exchanged`]: an access token, a grant
    //! like any other, or another kind of token (`token_type: N_A`), with
    //! its [`TokenTypeUri`] (§3). [`JwtBearer`] redeems a JWT — another
    //! issuer's, or one a token exchange issued — for an access token
    //! (RFC 7523 §2.1).

    pub use crate::flow::{Exchanged, JwtBearer, TokenExchange, JWT_BEARER_GRANT_TYPE};
    pub use crate::secret::SecurityToken;
    pub use crate::wire::exchange::TokenTypeUri;
}

pub mod resource {
    //! The protected resource's side: reading an API's `WWW-Authenticate`
    //! challenge ([`BearerChallenge`], RFC 6750 §3; [`DpopChallenge`],
    //! RFC 9449 §7.1) and the [`NextStep`] it calls for; a resource's
    //! metadata from its `401` ([`ResourceDiscovery`], RFC 9728); tokens
    //! for a named resource ([`ResourceIndicator`], RFC 8707); token
    //! introspection ([`Introspection`], RFC 7662; signed answers with
    //! [`Introspection::signed`], RFC 9701); a counted new login on
    //! `insufficient_scope` ([`StepUp`], RFC 6750 §3.1); and (feature `http`)
    //! the whole chain from a resource URL in one call
    //! ([`ResourceAccess`], [`ResourceLogin`]). What a token is for in
    //! detail: [`AuthorizationDetails`] (RFC 9396 rich authorization
    //! requests).

    pub use crate::authorization_details::{
        AuthorizationDetail, AuthorizationDetailBuilder, AuthorizationDetails,
    };
    #[cfg(feature = "http")]
    pub use crate::drive::{ResourceAccess, ResourceLogin};
    pub use crate::flow::{Introspection, IntrospectionReceived, SignedIntrospection};
    pub use crate::mtls::CertificateThumbprint;
    pub use crate::resource_discovery::{ResourceDiscovery, ResourceMetadata};
    pub use crate::resource_indicator::ResourceIndicator;
    pub use crate::secret::IntrospectedToken;
    pub use crate::step_up::StepUp;
    pub use crate::wire::challenge::{BearerChallenge, DpopChallenge, NextStep};
    pub use crate::wire::introspection::IntrospectionResponse;
}

pub mod registration {
    //! Dynamic client registration (RFC 7591): [`Registration`] sends the
    //! [`ClientMetadata`] to the registration endpoint (§3.1) and reads
    //! back the [`RegisteredClient`] (§3.2.1), whose client authentication
    //! is a [`TokenEndpointAuthMethod`] (§2).

    pub use crate::client_registration::{
        ClientMetadata, RegisteredClient, Registration, TokenEndpointAuthMethod,
    };
}

pub mod openid {
    //! OpenID Connect sign-in, the relying party's side: the server's
    //! signing keys as a storable cache ([`KeySet`], fetched by the
    //! [`KeySetFetch`] step, Core §10.1.1: `Cache-Control: max-age`
    //! honoured, one rate-limited fetch again for an unknown `kid`), and
    //! the ID token's validation ([`IdTokenValidation`], Core §3.1.3.7)
    //! into an [`IdToken`] with typed [`IdTokenClaims`].
    //!
    //! At the code exchange of a login whose scope has `openid` (a
    //! `nonce` is then drawn and sent with `state`, Core §3.1.2.1),
    //! [`Exchanging::sign_in`](crate::Exchanging::sign_in) gives the
    //! [`SigningIn`] step; its output, [`IdTokenReceived`], hands the
    //! tokens out only once the ID token verifies ([`SignedIn`]).
    //!
    //! After the sign-in: the [`UserInfoRequest`] step (Core §5.3), whose
    //! answer, JSON or signed, is handed out as [`UserInfo`] once its `sub`
    //! is the ID token's; logout, sent by the app
    //! ([`EndSessionRequest`], RP-Initiated Logout 1.0) or by the provider
    //! ([`LogoutTokenValidation`] of a back-channel `logout_token`,
    //! Back-Channel Logout 1.0). The guide: [`manual::sign_in`](crate::manual::sign_in).

    pub use crate::config::TenantIssuer;
    pub use crate::flow::{
        IdTokenReceived, SignedIn, SigningIn, UnknownKey, UserInfoReceived, UserInfoRequest,
    };
    pub use crate::oidc::{
        token_hash, EndSessionRequest, IdToken, IdTokenClaims, IdTokenValidation, KeySet,
        KeySetFetch, LogoutToken, LogoutTokenValidation, UserInfo, BACKCHANNEL_LOGOUT_EVENT,
        DEFAULT_CLOCK_SKEW, DEFAULT_KEY_SET_MAX_AGE, KEY_SET_REFETCH_INTERVAL, MAX_KEY_SET_MAX_AGE,
    };
}

pub mod jose {
    //! Keys and signatures (JOSE): the key that proves possession of a
    //! token ([`DpopKey`], RFC 9449), the key a client authenticates with
    //! ([`ClientAssertionKey`], `private_key_jwt`, RFC 7523 §2.2), the
    //! [`Signer`] either of them signs with and its [`JwsAlgorithm`]
    //! (RFC 7515, RFC 7518 §3.1), and the public key as a JWK
    //! ([`PublicJwk`], RFC 7517). Features `es256` and `ed25519` bring
    //! software signers.
    //!
    //! Verifying what the server signs: [`verify_jws`] checks a compact
    //! JWS (RFC 7515 §5.2) against the server's [`JwkSet`] (RFC 7517 §5)
    //! with a [`JwsVerifier`]: ring, aws-lc or a platform API through the
    //! trait, or [`RustCryptoVerifier`] (features `rsa`, `es256`,
    //! `ed25519`); ID tokens a client registered as HS256 with
    //! [`ClientSecretVerifier`] (OpenID Connect Core §10.1).

    #[cfg(feature = "ed25519")]
    pub use crate::jws::Ed25519Key;
    #[cfg(feature = "es256")]
    pub use crate::jws::Es256Key;
    #[cfg(any(feature = "rsa", feature = "es256", feature = "ed25519"))]
    pub use crate::jws::RustCryptoVerifier;
    pub use crate::jws::{
        verify_jws, ClientAssertionKey, ClientSecretVerifier, DpopKey, JwkParams, JwkSet,
        JwsAlgorithm, JwsHeader, JwsVerifier, PublicJwk, SetKey, Signer, VerifiedJws,
    };
}

pub mod errors {
    //! Every error the crate returns, and the protocol's error codes: the
    //! token endpoint's ([`TokenErrorCode`], RFC 6749 §5.2), the
    //! authorization endpoint's ([`AuthorizationErrorCode`], §4.1.2.1) and
    //! a resource's ([`BearerErrorCode`], RFC 6750 §3.1). An endpoint's
    //! answer that is not the step's output is a [`Failure`] (which hands
    //! the step back when a retry may help) around an [`EndpointError`];
    //! a mistake in how the crate is called is an [`ApiMisuse`]; a setup
    //! to fix, a [`ConfigError`]; a value refused, an [`InvalidValue`]; a
    //! request that could not be built because a signer or the randomness
    //! failed, a [`CryptoError`]. The
    //! [errors guide](crate::manual::errors_and_retries) has the map.
    #[cfg(feature = "http")]
    pub use crate::drive::{ChainError, DriveError};
    pub use crate::error::{
        ApiMisuse, AuthorizationErrorCode, BearerErrorCode, CallbackError, ConfigError,
        CryptoError, EndpointError, EndpointErrorKind, EndpointKind, ErrorResponse, Failure,
        InvalidValue, JwtError, ResourceError, TokenErrorCode,
    };
}

pub mod tolerance {
    //! How strictly responses are read: a server that strays from the
    //! letter of RFC 6749 (a token type in the wrong case, §7.1; scopes
    //! joined by commas, §3.3) is read as [`Tolerances`] allow, with
    //! [`Strictness`] as the overall setting.

    pub use crate::strictness::{ScopeDelimiter, Strictness, TokenType, Tolerances};
}

pub mod values {
    //! The values a flow hands over and takes: the secrets of RFC 6749
    //! ([`AccessToken`], [`RefreshToken`], [`AuthorizationCode`], [`State`],
    //! §10.3, §10.4, §10.12) and of PKCE ([`CodeVerifier`],
    //! [`CodeChallengeMethod`], RFC 7636 §4), the `Authorization` header
    //! ([`AuthorizationValue`]), text from outside ([`UntrustedText`]), a
    //! response's members beyond the RFC's ([`ExtraMembers`]), an
    //! endpoint and its method ([`Endpoint`], [`Method`]), which metadata
    //! document discovery asks for ([`WellKnown`], RFC 8414 §3), the hint
    //! a revocation gives ([`TokenTypeHint`], RFC 7009 §2.1), how early a
    //! token is renewed ([`DEFAULT_RENEWAL_LEEWAY`]), and the crate's own
    //! request and response values for an application without the `http`
    //! crate ([`HttpRequest`], [`HttpResponse`]).
    //! Secrets print as `[redacted]` in `Debug`.

    pub use crate::config::MtlsEndpointAliases;
    pub use crate::discovery::WellKnown;
    pub use crate::endpoint::Endpoint;
    pub use crate::flow::{TokenTypeHint, DEFAULT_RENEWAL_LEEWAY};
    pub use crate::http::{HttpRequest, HttpResponse, Method};
    pub use crate::members::{ExtraMembers, MemberValue};
    pub use crate::mtls::RequiresClientCertificate;
    pub use crate::pkce::CodeChallengeMethod;
    pub use crate::secret::{
        AccessToken, AuthorizationCode, AuthorizationValue, CodeVerifier, Nonce, RefreshToken,
        State,
    };
    pub use crate::text::UntrustedText;
}

#[cfg(feature = "loopback")]
pub mod loopback {
    //! The loopback redirect of a native app (RFC 8252 §7.3): a one-shot
    //! listener on `127.0.0.1` ([`LoopbackRedirect`]) that takes the
    //! browser's redirect, answers it ([`LoopbackResponder`]) and gives
    //! the callback ([`LoopbackOutcome`]).

    pub use crate::loopback_listener::{
        LoopbackError, LoopbackOutcome, LoopbackRedirect, LoopbackResponder,
    };
}

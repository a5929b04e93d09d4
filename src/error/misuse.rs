//! The caller's mistakes, in one type (rustls' `ApiMisuse`): every error
//! that can come from calling the crate the wrong way carries this, so the
//! same mistake has the same name wherever it is made.

use core::fmt;

use crate::error::endpoint::EndpointKind;

/// The caller used the crate the wrong way: nothing was built or sent, and
/// no credential went anywhere. Each variant says what to do instead;
/// none is the server's doing, and calling again the same way gives the
/// same error.
///
/// [`Authorized::refresh`](crate::Authorized::refresh),
/// [`Authorized::revoke`](crate::Authorized::revoke),
/// [`ClientCredentials::new`](crate::ClientCredentials::new),
/// [`DeviceAuthorization::new`](crate::device::DeviceAuthorization::new) and
/// [`Introspection::new`](crate::resource::Introspection::new) fail only this way
/// and return it as their error; [`ConfigError`](crate::errors::ConfigError),
/// [`CallbackError`](crate::errors::CallbackError) and
/// [`ResourceError`](crate::errors::ResourceError) carry it as their `Misuse` variant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiMisuse {
    /// The [`Client`](crate::Client) passed in is not the one of the flow
    /// or of the tokens (another issuer or another `client_id`). Pass the
    /// client of their issuer.
    ClientMismatch,
    /// The client has no secret (`ClientAuthentication::None`), and the
    /// operation is for clients that authenticate: the client credentials
    /// grant (RFC 6749 §4.4) and introspection (RFC 7662 §2.1, §4); or it
    /// has none of its own (`None`, `PrivateKeyJwt`) and the operation
    /// is keyed with one: HS256 ID tokens (OpenID Connect Core §10.1).
    /// Configure the client's credentials.
    PublicClient,
    /// The server's metadata names no such endpoint: it does not offer the
    /// operation (RFC 8414 §2), or its metadata must say where. Check the
    /// [`ServerMetadata`](crate::ServerMetadata) member first; for a
    /// revocation, drop the tokens and let them expire; for a login, use
    /// [`Start::begin`](crate::Start::begin) instead of
    /// [`Start::push`](crate::Start::push).
    NoEndpoint(EndpointKind),
    /// There is no refresh token, to refresh with or to revoke: check
    /// [`TokenSet::refresh_token`](crate::TokenSet::refresh_token)
    /// ([`Authorized::tokens`](crate::Authorized::tokens))
    /// first. Without one, log in again (for the client credentials grant,
    /// run it again).
    NoRefreshToken,
    /// The scope asked for is not part of the grant (RFC 6749 §6). Ask for
    /// a part of [`Authorized::grant_scope`](crate::Authorized::grant_scope),
    /// or log in again for more.
    ScopeNotGranted,
    /// The tokens are bound to a DPoP key (RFC 9449 §5) and the client has
    /// another key, or none: the server (or the resource) would refuse the
    /// request. Use the client of the key the grant was issued to.
    DpopKeyMismatch,
    /// The access token is DPoP-bound (RFC 9449): it is never sent as a
    /// bearer token. Use
    /// [`Authorized::authorize_dpop_request`](crate::Authorized::authorize_dpop_request),
    /// or let `Driver::request_resource` choose.
    DpopBound,
    /// The access token is a bearer token, not DPoP-bound: send it with
    /// [`Authorized::authorize_request`](crate::Authorized::authorize_request),
    /// or let `Driver::request_resource` choose.
    NotDpopBound,
    /// The server (its metadata) or the client's registration
    /// ([`Client::require_pushed_authorization_requests`](crate::Client::require_pushed_authorization_requests))
    /// requires pushed authorization requests (RFC 9126), so a plain
    /// authorization URL would be refused: use
    /// [`Start::push`](crate::Start::push).
    PushedAuthorizationRequired,
    /// Neither the flow ([`Start::redirect_uri`](crate::Start::redirect_uri))
    /// nor the client ([`Client::with_redirect_uri`](crate::Client::with_redirect_uri))
    /// names a redirect URI: a login needs one (RFC 6749 §3.1.2). Give
    /// one.
    NoRedirectUri,
    /// The server requires signed request objects
    /// (`require_signed_request_object`, RFC 9101 §10.5) and the client
    /// has no key to sign them: configure one with
    /// [`Client::with_signed_requests`](crate::Client::with_signed_requests).
    SignedRequestObjectRequired,
    /// The server's `{endpoint}_auth_methods_supported` does not list the
    /// client's authentication method. Configure one it lists.
    AuthenticationMethodNotSupported {
        /// The endpoint.
        endpoint: EndpointKind,
        /// The configured method's RFC 7591 name.
        method: &'static str,
    },
    // OpenID CIBA Core 1.0.
    /// A backchannel authentication request whose scope lacks `openid`
    /// (CIBA Core §7.1: it is an OpenID Connect authentication). Add it.
    OpenIdScopeRequired,
}

impl fmt::Display for ApiMisuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ClientMismatch => f.write_str(
                "the client passed in (issuer and client_id) is not the one of this flow or these tokens",
            ),
            Self::PublicClient => {
                f.write_str("the operation needs a client that authenticates, and this one has no credentials")
            }
            Self::NoEndpoint(endpoint) => write!(f, "the server's metadata names no {endpoint}"),
            Self::NoRefreshToken => f.write_str("there is no refresh token"),
            Self::ScopeNotGranted => f.write_str("the scope asked for is wider than the grant"),
            Self::DpopKeyMismatch => {
                f.write_str("the tokens are bound to another DPoP key than the client's")
            }
            Self::DpopBound => {
                f.write_str("the access token is DPoP-bound and is never sent as a bearer token")
            }
            Self::NotDpopBound => f.write_str("the access token is a bearer token, not DPoP-bound"),
            Self::PushedAuthorizationRequired => {
                f.write_str("the server requires pushed authorization requests (RFC 9126)")
            }
            Self::NoRedirectUri => f.write_str("the login has no redirect URI"),
            Self::SignedRequestObjectRequired => f.write_str(
                "the server requires signed request objects and the client has no key to sign them",
            ),
            Self::OpenIdScopeRequired => {
                f.write_str("the scope of an OpenID Connect authentication must include openid")
            }
            Self::AuthenticationMethodNotSupported { endpoint, method } => write!(
                f,
                "the server does not list `{method}` among the {endpoint}'s authentication methods"
            ),
        }
    }
}

impl core::error::Error for ApiMisuse {}

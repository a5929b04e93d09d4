//! Client identity, client authentication and server metadata.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::net::IpAddr;

use base64ct::{Base64, Encoding};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::{Host, Url};

use crate::jose::{
    client_assertion, AssertionKey, ClientAssertionKey, DpopKey, SigningError, ASSERTION_TYPE,
};
use crate::members::ExtraMembers;
use crate::secret::ClientSecret;
use crate::step::RequestContext;
use crate::wire::form::{self, FormSerializer};

/// Authorization server metadata, with the member names of RFC 8414 §2, so
/// a discovery document deserializes straight into it. Unknown members are
/// kept in [`extra`](Self::extra).
///
/// This is the caller's description of the server; [`Client::new`]
/// validates it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerMetadata {
    /// The authorization server's issuer identifier (RFC 8414 §2): compared
    /// byte for byte with the callback's `iss` (RFC 9207 §2.4).
    pub issuer: String,
    /// Where the user is sent to log in (RFC 6749 §3.1).
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged (RFC 6749 §3.2).
    pub token_endpoint: String,
    /// Not a member of RFC 8414: where a provider that takes refresh
    /// requests (RFC 6749 §6) at an endpoint of their own wants them
    /// (Figma's `/v1/oauth/refresh`). `None`, the default, means the
    /// token endpoint. Set by the caller or a preset only: never read
    /// from, nor written to, a metadata document, so no document can
    /// send a refresh token elsewhere.
    #[serde(skip)]
    pub refresh_endpoint: Option<String>,
    /// Where tokens are revoked (RFC 7009), if the server has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// RFC 9126 §5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Where a device asks for a device code and a user code (RFC 8628
    /// §3.1, §4). Clients authenticate there as at the token endpoint
    /// (§3.1), so there is no list of methods of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    /// Where a protected resource asks whether a token is active
    /// (RFC 7662 §2; RFC 8414 §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// The client authentication methods the introspection endpoint
    /// accepts (RFC 8414 §2); absent means the server did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// The OpenID Connect UserInfo endpoint (OpenID Connect Discovery 1.0
    /// §3), where an access token with the `openid` scope reads the
    /// user's claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// Where clients register (RFC 7591 §3, RFC 8414 §2), if the server
    /// takes dynamic registrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// RFC 9126 §5.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// When true, every authorization response must carry `iss`
    /// (RFC 9207 §3).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// The PKCE methods the server accepts (RFC 8414 §2); absent means the
    /// server did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// The client authentication methods the token endpoint accepts
    /// (RFC 8414 §2); absent means `client_secret_basic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// The JWS algorithms the token endpoint accepts for JWT client
    /// authentication (RFC 8414 §2); absent means the server did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// The JWS algorithms the server accepts in DPoP proofs (RFC 9449
    /// §5.1); absent means the server did not say (or does no DPoP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// RFC 8414 §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// RFC 8414 §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types_supported: Option<Vec<String>>,
    /// RFC 8414 §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_modes_supported: Option<Vec<String>>,
    /// RFC 8414 §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// Members this crate does not model, kept as they came.
    #[serde(flatten)]
    pub extra: ExtraMembers,
}

impl ServerMetadata {
    /// Metadata with the three members every flow needs.
    pub fn new(
        issuer: impl Into<String>,
        authorization_endpoint: impl Into<String>,
        token_endpoint: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            authorization_endpoint: authorization_endpoint.into(),
            token_endpoint: token_endpoint.into(),
            refresh_endpoint: None,
            revocation_endpoint: None,
            pushed_authorization_request_endpoint: None,
            device_authorization_endpoint: None,
            introspection_endpoint: None,
            introspection_endpoint_auth_methods_supported: None,
            userinfo_endpoint: None,
            registration_endpoint: None,
            require_pushed_authorization_requests: false,
            authorization_response_iss_parameter_supported: false,
            code_challenge_methods_supported: None,
            token_endpoint_auth_methods_supported: None,
            token_endpoint_auth_signing_alg_values_supported: None,
            dpop_signing_alg_values_supported: None,
            scopes_supported: None,
            response_types_supported: None,
            response_modes_supported: None,
            grant_types_supported: None,
            extra: ExtraMembers::default(),
        }
    }

    /// Sets the endpoint refresh requests go to, for a provider that does
    /// not take them at its token endpoint (see
    /// [`refresh_endpoint`](Self::refresh_endpoint)).
    #[must_use]
    pub fn with_refresh_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.refresh_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the RFC 7009 revocation endpoint.
    #[must_use]
    pub fn with_revocation_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.revocation_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the RFC 8628 device authorization endpoint.
    #[must_use]
    pub fn with_device_authorization_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.device_authorization_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the RFC 7662 introspection endpoint.
    #[must_use]
    pub fn with_introspection_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.introspection_endpoint = Some(endpoint.into());
        self
    }

    /// Declares that the server always sends `iss` in its authorization
    /// responses (RFC 9207 §3), which makes `iss` required at the callback.
    #[must_use]
    pub fn with_authorization_response_iss_parameter_supported(mut self, supported: bool) -> Self {
        self.authorization_response_iss_parameter_supported = supported;
        self
    }

    /// Sets `code_challenge_methods_supported`.
    #[must_use]
    pub fn with_code_challenge_methods_supported<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.code_challenge_methods_supported = Some(methods.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `token_endpoint_auth_methods_supported`.
    #[must_use]
    pub fn with_token_endpoint_auth_methods_supported<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.token_endpoint_auth_methods_supported =
            Some(methods.into_iter().map(Into::into).collect());
        self
    }

    /// Pagero Online's endpoints, from its public documentation
    /// ("Authorization code grant flow with proof key for code exchange").
    ///
    /// Pagero's documentation does not state its issuer identifier. This
    /// preset uses the identifier of Pagero's Curity-style anonymous OAuth
    /// profile, `https://sso.pageroonline.com/oauth/v2/oauth-anonymous`;
    /// when a callback carries an `iss` that differs, the callback is
    /// refused ([`CallbackError::IssuerMismatch`](crate::CallbackError::IssuerMismatch)),
    /// so confirm the value against the server's discovery document and set
    /// [`issuer`](Self::issuer) if it differs.
    #[must_use]
    pub fn pagero() -> Self {
        Self::new(
            "https://sso.pageroonline.com/oauth/v2/oauth-anonymous",
            "https://sso.pageroonline.com/oauth/v2/oauth-authorize",
            "https://sso.pageroonline.com/oauth/v2/oauth-token",
        )
        .with_revocation_endpoint("https://sso.pageroonline.com/oauth/v2/oauth-revoke")
        .with_code_challenge_methods_supported(["S256"])
        .with_token_endpoint_auth_methods_supported(["client_secret_basic", "client_secret_post"])
    }
}

/// An endpoint URL that passed validation: absolute, no fragment
/// (RFC 6749 §3.1, §3.2), `https` unless the host is loopback (RFC 6749
/// §3.1, RFC 8252 §7.3), and (feature `http`) a valid `http::Uri`, so that
/// every request to it converts without an error.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: Url,
    #[cfg(feature = "http")]
    uri: http::Uri,
}

/// Why an endpoint or redirect URI was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlProblem {
    /// It does not parse as an absolute URL (or, for a redirect URI, has a
    /// space, control or non-ASCII character, RFC 3986 §2).
    NotAbsoluteUrl,
    /// It has a `#fragment` (RFC 6749 §3.1, §3.1.2).
    HasFragment,
    /// `http://` on a host that is not loopback: tokens would cross the
    /// network in clear text.
    NotHttps,
    /// A scheme other than `https` (or `http` on loopback).
    UnsupportedScheme,
    /// Userinfo (`user:pass@`) in the URL: credentials never go in a URL.
    HasUserinfo,
    /// An issuer identifier with a query component (RFC 8414 §2).
    IssuerHasQuery,
    /// A URL the `http` crate cannot represent as an `http::Uri`, so no
    /// request could be sent to it.
    NotHttpUri,
    /// A redirect URI `http://localhost…`: RFC 8252 §8.3 recommends the
    /// loopback IP literal (`http://127.0.0.1:{port}/…` or `http://[::1]…`),
    /// which cannot resolve to another interface. Use it, or
    /// [`RedirectUri::dangerous_allow_localhost`] where the server only
    /// accepts `localhost`.
    LocalhostNotIpLiteral,
    /// A redirect URI with a scheme that runs or reads something in the
    /// browser instead of reaching the client (`javascript:`, `data:`,
    /// `file:`, `blob:`, …; RFC 9700 §4.1).
    DangerousScheme,
    /// The out-of-band redirect URI `urn:ietf:wg:oauth:2.0:oob`: the code
    /// would be shown to be copied by hand, which RFC 8252 §8.1 and the
    /// providers that once offered it have retired. Use a loopback or a
    /// private-use redirect URI.
    OutOfBand,
    /// A private-use scheme that is not a reversed domain name
    /// (`myapp:/cb` instead of `com.example.app:/cb`, RFC 8252 §7.1): any
    /// other app may claim it and receive the code. See
    /// [`RedirectUri::dangerous_allow_any_private_use_scheme`].
    NotReverseDomainScheme,
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotAbsoluteUrl => "not an absolute URL",
            Self::HasFragment => "has a fragment",
            Self::NotHttps => "uses http:// on a host that is not loopback",
            Self::UnsupportedScheme => "has a scheme other than https",
            Self::HasUserinfo => "has credentials in the URL",
            Self::IssuerHasQuery => "is an issuer with a query component",
            Self::NotHttpUri => "is not a URI the http crate can send to",
            Self::LocalhostNotIpLiteral => {
                "uses http://localhost instead of a loopback IP literal (RFC 8252 §8.3)"
            }
            Self::DangerousScheme => "has a scheme that never reaches the client",
            Self::OutOfBand => "is the retired out-of-band URN",
            Self::NotReverseDomainScheme => {
                "has a private-use scheme that is not a reversed domain name (RFC 8252 §7.1)"
            }
        })
    }
}

impl core::error::Error for UrlProblem {}

impl Endpoint {
    /// Validates an endpoint URL.
    ///
    /// # Errors
    /// See [`UrlProblem`].
    pub fn parse(url: &str) -> Result<Self, UrlProblem> {
        let url = Url::parse(url).map_err(|_| UrlProblem::NotAbsoluteUrl)?;
        check_transport(&url)?;
        #[cfg(feature = "http")]
        let uri = http::Uri::try_from(url.as_str()).map_err(|_| UrlProblem::NotHttpUri)?;
        Ok(Self {
            url,
            #[cfg(feature = "http")]
            uri,
        })
    }

    pub(crate) fn as_url(&self) -> &Url {
        &self.url
    }

    #[cfg(feature = "http")]
    pub(crate) fn http_uri(&self) -> &http::Uri {
        &self.uri
    }

    /// The URL as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }
}

/// Refuses a fragment, userinfo, and anything but https or loopback http.
pub(crate) fn check_transport(url: &Url) -> Result<(), UrlProblem> {
    if url.fragment().is_some() {
        return Err(UrlProblem::HasFragment);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::HasUserinfo);
    }
    if is_secure_target(url.scheme(), url.host_str()) {
        Ok(())
    } else if url.scheme() == "http" {
        Err(UrlProblem::NotHttps)
    } else {
        Err(UrlProblem::UnsupportedScheme)
    }
}

/// Whether a request to `scheme://host` keeps what it carries off the
/// network in clear text: `https`, or `http` to a loopback host (RFC 8252
/// §7.3, RFC 6750 §5.3). The one check for endpoints and bearer targets.
pub(crate) fn is_secure_target(scheme: &str, host: Option<&str>) -> bool {
    scheme.eq_ignore_ascii_case("https")
        || (scheme.eq_ignore_ascii_case("http") && host.is_some_and(is_loopback_host))
}

/// Whether a host as written in a URI (`127.0.0.1`, `[::1]`, `localhost`)
/// is loopback (RFC 8252 §7.3, §8.3). The one loopback predicate.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|host| host.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost") || bare.eq_ignore_ascii_case("localhost."),
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({:?})", self.url.as_str())
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.url.as_str())
    }
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Endpoint::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The client's `redirect_uri` (RFC 6749 §3.1.2), kept as the exact string
/// the caller gave: it is sent byte for byte in the authorization request and
/// in the token request, because servers compare it as a string
/// (`http://127.0.0.1:8080` and `http://127.0.0.1:8080/` differ).
///
/// # What is accepted
///
/// An absolute URI without fragment (RFC 6749 §3.1.2) or userinfo, that is
/// one of:
///
/// - `https://…`, for web apps and claimed `https` links of native apps
///   (RFC 8252 §7.2);
/// - `http://` on a loopback IP literal — `http://127.0.0.1:{port}/…` or
///   `http://[::1]:{port}/…` — for native apps with a loopback listener
///   (RFC 8252 §7.3);
/// - a private-use scheme that is a reversed domain name the app's
///   publisher controls, `com.example.app:/callback` (RFC 8252 §7.1).
///
/// Refused, each with its [`UrlProblem`]: `http://` on any other host;
/// `http://localhost`, since RFC 8252 §8.3 recommends the IP literal
/// (`localhost` may resolve elsewhere, and a listener on it may bind more
/// than loopback) — [`dangerous_allow_localhost`](Self::dangerous_allow_localhost)
/// accepts it for a server that takes nothing else; schemes that never
/// reach the client, such as `javascript:`, `data:`, `file:` and `blob:`
/// (RFC 9700 §4.1); the out-of-band `urn:ietf:wg:oauth:2.0:oob`; and
/// private-use schemes that are not a reversed domain (`myapp:/cb`), which
/// any app may claim —
/// [`dangerous_allow_any_private_use_scheme`](Self::dangerous_allow_any_private_use_scheme)
/// accepts those for an app registered that way long ago.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri(String);

/// Schemes that never deliver a redirect to a client: script, inline
/// content, local files and browser internals, and the special schemes of
/// other protocols.
const DANGEROUS_SCHEMES: [&str; 12] = [
    "javascript",
    "vbscript",
    "data",
    "file",
    "blob",
    "about",
    "filesystem",
    "view-source",
    "urn",
    "ftp",
    "ws",
    "wss",
];

/// What [`RedirectUri`] accepts beyond the recommended forms.
#[derive(Clone, Copy, Default)]
struct Allow {
    localhost: bool,
    any_private_use_scheme: bool,
}

impl RedirectUri {
    /// Validates a redirect URI: see [What is accepted](Self#what-is-accepted).
    ///
    /// # Errors
    /// See [`UrlProblem`].
    pub fn new(uri: impl Into<String>) -> Result<Self, UrlProblem> {
        Self::check(uri.into(), Allow::default())
    }

    /// As [`new`](Self::new), and also accepts `http://localhost…`, which
    /// RFC 8252 §8.3 advises against: a host name that may resolve to
    /// another address than loopback, where the code would then be sent.
    /// Only for a server that will not register the loopback IP literal.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn dangerous_allow_localhost(uri: impl Into<String>) -> Result<Self, UrlProblem> {
        Self::check(
            uri.into(),
            Allow {
                localhost: true,
                ..Allow::default()
            },
        )
    }

    /// As [`new`](Self::new), and also accepts a private-use scheme that is
    /// not a reversed domain name (`myapp://callback`), which RFC 8252 §7.1
    /// forbids: any app on the device may register the same scheme and
    /// receive the code (PKCE keeps it from being redeemed by that app, not
    /// from being seen). Only for an app whose registration cannot change.
    /// Schemes that never reach a client (`javascript:`, `data:`, …) and
    /// the out-of-band URN are still refused.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn dangerous_allow_any_private_use_scheme(
        uri: impl Into<String>,
    ) -> Result<Self, UrlProblem> {
        Self::check(
            uri.into(),
            Allow {
                any_private_use_scheme: true,
                ..Allow::default()
            },
        )
    }

    fn check(uri: String, allow: Allow) -> Result<Self, UrlProblem> {
        // The string is sent as it is, so it must be a URI as it is: no
        // space, control or non-ASCII character, which `Url::parse` would
        // strip or encode where the server compares the raw string
        // (RFC 3986 §2).
        if !uri.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(UrlProblem::NotAbsoluteUrl);
        }
        let url = Url::parse(&uri).map_err(|_| UrlProblem::NotAbsoluteUrl)?;
        if url.fragment().is_some() || uri.contains('#') {
            return Err(UrlProblem::HasFragment);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlProblem::HasUserinfo);
        }
        match url.scheme() {
            "https" => {}
            "http" => match url.host() {
                Some(Host::Ipv4(ip)) if ip.is_loopback() => {}
                Some(Host::Ipv6(ip)) if ip.is_loopback() => {}
                Some(Host::Domain(domain)) if is_loopback_host(domain) => {
                    if !allow.localhost {
                        return Err(UrlProblem::LocalhostNotIpLiteral);
                    }
                }
                _ => return Err(UrlProblem::NotHttps),
            },
            "urn" if url.path().starts_with("ietf:wg:oauth:2.0:oob") => {
                return Err(UrlProblem::OutOfBand)
            }
            scheme if DANGEROUS_SCHEMES.contains(&scheme) => {
                return Err(UrlProblem::DangerousScheme)
            }
            scheme => {
                let reverse_domain =
                    scheme.contains('.') && scheme.split('.').all(|label| !label.is_empty());
                if !reverse_domain && !allow.any_private_use_scheme {
                    return Err(UrlProblem::NotReverseDomainScheme);
                }
            }
        }
        Ok(Self(uri))
    }

    /// The exact string given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedirectUri({:?})", self.0)
    }
}

impl Serialize for RedirectUri {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RedirectUri {
    /// A stored redirect URI was accepted once, perhaps by one of the
    /// `dangerous_allow_*` constructors: those forms load back; the forms
    /// no constructor accepts do not.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let allow = Allow {
            localhost: true,
            any_private_use_scheme: true,
        };
        RedirectUri::check(String::deserialize(deserializer)?, allow)
            .map_err(serde::de::Error::custom)
    }
}

/// The `client_id` (RFC 6749 §2.2): a non-empty string of printable ASCII
/// (`*VSCHAR`, Appendix A.1). Not a secret.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    /// Validates a client identifier.
    ///
    /// # Errors
    /// An empty identifier or one with a character outside `%x20-7E`.
    pub fn new(id: impl Into<String>) -> Result<Self, InvalidClientId> {
        let id = id.into();
        if id.is_empty() || !id.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
            return Err(InvalidClientId);
        }
        Ok(Self(id))
    }

    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientId({:?})", self.0)
    }
}

impl Serialize for ClientId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ClientId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ClientId::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A `client_id` that is empty or has a character outside `%x20-7E`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidClientId;

impl fmt::Display for InvalidClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("client_id is empty or has a character outside printable ASCII")
    }
}

impl core::error::Error for InvalidClientId {}

/// How the client authenticates to the token and revocation endpoints
/// (RFC 6749 §2.3). Exactly one method is used per request, and credentials
/// never go in a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuthentication {
    /// A public client: `client_id` in the request body, no secret
    /// (RFC 6749 §3.2.1; `none` in RFC 7591).
    None,
    /// `Authorization: Basic` with the form-encoded id and secret
    /// (RFC 6749 §2.3.1). What servers must support; the default choice.
    ClientSecretBasic(ClientSecret),
    /// `client_id` and `client_secret` in the request body (RFC 6749
    /// §2.3.1, "NOT RECOMMENDED" but widely required).
    ClientSecretPost(ClientSecret),
    /// `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): a JWT
    /// signed with the client's private key, new for every request, in
    /// `client_assertion`. No shared secret travels; FAPI 2.0's choice.
    PrivateKeyJwt(ClientAssertionKey),
    /// `client_secret_jwt` (OpenID Connect Core §9): a JWT signed with
    /// HMAC-SHA256 over the client secret, new for every request. The
    /// secret itself never travels. It must be at least 32 octets long
    /// (RFC 7518 §3.2): [`Client::new`] refuses a shorter one
    /// ([`ConfigError::ClientSecretTooShortForHs256`]).
    ClientSecretJwt(ClientSecret),
}

/// A confidential client's secret goes in `Authorization: Basic`, the
/// method every server must support (RFC 6749 §2.3.1; the default of
/// `token_endpoint_auth_methods_supported`, RFC 8414 §2); no secret makes
/// a public client. For an optional secret read from configuration.
impl From<Option<ClientSecret>> for ClientAuthentication {
    fn from(secret: Option<ClientSecret>) -> Self {
        secret.map_or(Self::None, Self::ClientSecretBasic)
    }
}

impl ClientAuthentication {
    /// The RFC 7591 name of the method, as in
    /// `token_endpoint_auth_methods_supported`.
    #[must_use]
    pub const fn method_name(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic(_) => "client_secret_basic",
            Self::ClientSecretPost(_) => "client_secret_post",
            Self::PrivateKeyJwt(_) => "private_key_jwt",
            Self::ClientSecretJwt(_) => "client_secret_jwt",
        }
    }

    /// The `alg` the method signs with, for a JWT method.
    fn signing_algorithm(&self) -> Option<&'static str> {
        match self {
            Self::PrivateKeyJwt(key) => Some(key.algorithm().as_str()),
            Self::ClientSecretJwt(_) => Some("HS256"),
            _ => None,
        }
    }

    /// Adds the client's credentials to a request whose body already
    /// carries `client_id` where needed: into the form body (a secret, or
    /// an assertion for the server `issuer` signed for `context`), or as
    /// an `Authorization` header value returned.
    pub(crate) fn apply_after_client_id(
        &self,
        client_id: &ClientId,
        issuer: &str,
        form: &mut FormSerializer,
        context: &RequestContext,
    ) -> Result<Option<String>, SigningError> {
        let key = match self {
            Self::None => return Ok(None),
            Self::ClientSecretPost(secret) => {
                form.append("client_secret", secret.secret());
                return Ok(None);
            }
            Self::ClientSecretBasic(secret) => {
                return Ok(Some(basic_authorization(client_id, secret)));
            }
            Self::PrivateKeyJwt(key) => AssertionKey::Private(key),
            Self::ClientSecretJwt(secret) => AssertionKey::Secret(secret),
        };
        let assertion = client_assertion(client_id.as_str(), issuer, &key, context)?;
        form.append("client_assertion_type", ASSERTION_TYPE)
            .append("client_assertion", &assertion);
        Ok(None)
    }
}

/// `Basic base64(urlencode(client_id) ":" urlencode(client_secret))`
/// (RFC 6749 §2.3.1: form-encode each part *before* base64).
pub(crate) fn basic_authorization(client_id: &ClientId, secret: &ClientSecret) -> String {
    let mut credentials = form::encode(client_id.as_str());
    credentials.push(':');
    form::encode_into(&mut credentials, secret.secret());
    let mut value = String::from("Basic ");
    value.push_str(&Base64::encode_string(credentials.as_bytes()));
    zeroize::Zeroize::zeroize(&mut credentials);
    value
}

/// A configured client of one authorization server: who it is, how it
/// authenticates and, when it logs users in, where they come back to by
/// default ([`with_redirect_uri`](Self::with_redirect_uri); a flow may name
/// its own with [`Start::redirect_uri`](crate::Start::redirect_uri), as a
/// native app with a loopback listener on a fresh port does).
///
/// Long-lived and shared by every flow. The flow states never store the
/// client secret, so the pending flow can go into a cookie; operations that
/// authenticate take the `Client` as an argument.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) metadata: ServerMetadata,
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: Endpoint,
    pub(crate) token_endpoint: Endpoint,
    pub(crate) refresh_endpoint: Option<Endpoint>,
    pub(crate) revocation_endpoint: Option<Endpoint>,
    pub(crate) pushed_authorization_request_endpoint: Option<Endpoint>,
    pub(crate) device_authorization_endpoint: Option<Endpoint>,
    pub(crate) introspection_endpoint: Option<Endpoint>,
    pub(crate) userinfo_endpoint: Option<Endpoint>,
    pub(crate) client_id: ClientId,
    pub(crate) authentication: ClientAuthentication,
    /// The key every token request proves possession of (RFC 9449).
    pub(crate) dpop: Option<DpopKey>,
    pub(crate) redirect_uri: Option<RedirectUri>,
    /// RFC 9126 §5, §6: the server requires pushed requests, or this
    /// client is registered to use them only.
    pub(crate) require_pushed_authorization_requests: bool,
    /// The metadata lists PKCE methods, and `S256` is not among them.
    pub(crate) s256_unsupported: bool,
    /// How token responses are read (`crate::tolerance`).
    pub(crate) tolerances: crate::tolerance::Tolerances,
    /// Built by [`Client::fapi2`]: only DPoP-bound tokens are accepted.
    pub(crate) fapi2: bool,
}

/// The endpoints a metadata document names, each validated: the one check
/// that discovery and [`Client::new`] share.
pub(crate) struct Endpoints {
    pub(crate) authorization: Endpoint,
    pub(crate) token: Endpoint,
    pub(crate) refresh: Option<Endpoint>,
    pub(crate) revocation: Option<Endpoint>,
    pub(crate) pushed_authorization_request: Option<Endpoint>,
    pub(crate) device_authorization: Option<Endpoint>,
    pub(crate) introspection: Option<Endpoint>,
    pub(crate) userinfo: Option<Endpoint>,
    pub(crate) registration: Option<Endpoint>,
}

impl Endpoints {
    /// The endpoints of `metadata`, or the first member that is not one.
    pub(crate) fn of(metadata: &ServerMetadata) -> Result<Self, (&'static str, UrlProblem)> {
        let endpoint = |member: &'static str, url: &str| {
            Endpoint::parse(url).map_err(|problem| (member, problem))
        };
        let optional = |member: &'static str, url: &Option<String>| {
            url.as_deref().map(|url| endpoint(member, url)).transpose()
        };
        Ok(Self {
            authorization: endpoint("authorization_endpoint", &metadata.authorization_endpoint)?,
            token: endpoint("token_endpoint", &metadata.token_endpoint)?,
            refresh: optional("refresh_endpoint", &metadata.refresh_endpoint)?,
            revocation: optional("revocation_endpoint", &metadata.revocation_endpoint)?,
            pushed_authorization_request: optional(
                "pushed_authorization_request_endpoint",
                &metadata.pushed_authorization_request_endpoint,
            )?,
            device_authorization: optional(
                "device_authorization_endpoint",
                &metadata.device_authorization_endpoint,
            )?,
            introspection: optional("introspection_endpoint", &metadata.introspection_endpoint)?,
            userinfo: optional("userinfo_endpoint", &metadata.userinfo_endpoint)?,
            registration: optional("registration_endpoint", &metadata.registration_endpoint)?,
        })
    }
}

/// Why a [`Client`] could not be built. Each variant is a mistake in the
/// configuration: fix it and build again.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The metadata's `issuer` is not an https URL without query or fragment
    /// (RFC 8414 §2; http allowed on loopback).
    InvalidIssuer(UrlProblem),
    /// An endpoint in the metadata is not acceptable.
    InvalidEndpoint {
        /// The metadata member, e.g. `token_endpoint`.
        member: &'static str,
        /// What is wrong with it.
        problem: UrlProblem,
    },
    /// The server's `token_endpoint_auth_methods_supported` does not list
    /// the configured method; choose one it lists.
    AuthenticationMethodNotSupported {
        /// The configured method's RFC 7591 name.
        method: &'static str,
    },
    /// The server's `token_endpoint_auth_signing_alg_values_supported`
    /// does not list the algorithm the client's assertions are signed
    /// with; use a key of an algorithm it lists.
    SigningAlgorithmNotSupported {
        /// The configured key's `alg`.
        alg: &'static str,
    },
    /// The server's `dpop_signing_alg_values_supported` does not list the
    /// algorithm of the DPoP key; use a key of an algorithm it lists.
    DpopAlgorithmNotSupported {
        /// The DPoP key's `alg`.
        alg: &'static str,
    },
    /// The `client_secret_jwt` secret is shorter than 32 octets: HS256's
    /// key must be at least as long as its hash (RFC 7518 §3.2; OpenID
    /// Connect Core §16.19, counted in the octets of its UTF-8). Have the
    /// server issue a longer secret, or authenticate with another method
    /// (`private_key_jwt`, or `client_secret_basic` with this secret).
    ClientSecretTooShortForHs256,
}

/// The shortest `client_secret_jwt` secret, in octets: the size of
/// HS256's hash (RFC 7518 §3.2).
const MIN_HS256_SECRET_OCTETS: usize = 32;

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidIssuer(problem) => write!(f, "the issuer identifier {problem}"),
            Self::InvalidEndpoint { member, problem } => write!(f, "`{member}` {problem}"),
            Self::AuthenticationMethodNotSupported { method } => write!(
                f,
                "the server does not list `{method}` in token_endpoint_auth_methods_supported"
            ),
            Self::SigningAlgorithmNotSupported { alg } => write!(
                f,
                "the server does not list `{alg}` in token_endpoint_auth_signing_alg_values_supported"
            ),
            Self::DpopAlgorithmNotSupported { alg } => write!(
                f,
                "the server does not list `{alg}` in dpop_signing_alg_values_supported"
            ),
            Self::ClientSecretTooShortForHs256 => write!(
                f,
                "the client secret is shorter than the {MIN_HS256_SECRET_OCTETS} octets that client_secret_jwt (HS256) needs"
            ),
        }
    }
}

impl core::error::Error for ConfigError {}

impl Client {
    /// Validates the configuration. The client has no redirect URI yet: one
    /// that only refreshes, revokes or runs the client credentials grant
    /// needs none; one that logs users in sets a default with
    /// [`with_redirect_uri`](Self::with_redirect_uri), or names one per
    /// flow.
    ///
    /// # Errors
    /// See [`ConfigError`].
    pub fn new(
        metadata: ServerMetadata,
        client_id: ClientId,
        authentication: ClientAuthentication,
    ) -> Result<Self, ConfigError> {
        let issuer_url = Url::parse(&metadata.issuer)
            .map_err(|_| ConfigError::InvalidIssuer(UrlProblem::NotAbsoluteUrl))?;
        check_transport(&issuer_url).map_err(ConfigError::InvalidIssuer)?;
        if issuer_url.query().is_some() {
            return Err(ConfigError::InvalidIssuer(UrlProblem::IssuerHasQuery));
        }
        let endpoints = Endpoints::of(&metadata)
            .map_err(|(member, problem)| ConfigError::InvalidEndpoint { member, problem })?;
        let method = authentication.method_name();
        // Whether a client is public is a fact of its registration
        // (RFC 6749 §2.1), not of the metadata, which lists the methods of
        // confidential clients: servers that list only secret methods
        // serve public clients too (Authlib by default). For the others,
        // RFC 8414 §2's default when the member is omitted is
        // client_secret_basic.
        let supported = match (
            &authentication,
            &metadata.token_endpoint_auth_methods_supported,
        ) {
            (ClientAuthentication::None, _) => true,
            (_, Some(methods)) => methods.iter().any(|m| m == method),
            (_, None) => method == "client_secret_basic",
        };
        if !supported {
            return Err(ConfigError::AuthenticationMethodNotSupported { method });
        }
        if let ClientAuthentication::ClientSecretJwt(secret) = &authentication {
            if secret.secret().len() < MIN_HS256_SECRET_OCTETS {
                return Err(ConfigError::ClientSecretTooShortForHs256);
            }
        }
        if let (Some(alg), Some(algs)) = (
            authentication.signing_algorithm(),
            &metadata.token_endpoint_auth_signing_alg_values_supported,
        ) {
            if !algs.iter().any(|listed| listed == alg) {
                return Err(ConfigError::SigningAlgorithmNotSupported { alg });
            }
        }
        Ok(Self {
            issuer: metadata.issuer.clone(),
            authorization_endpoint: endpoints.authorization,
            token_endpoint: endpoints.token,
            refresh_endpoint: endpoints.refresh,
            revocation_endpoint: endpoints.revocation,
            pushed_authorization_request_endpoint: endpoints.pushed_authorization_request,
            device_authorization_endpoint: endpoints.device_authorization,
            introspection_endpoint: endpoints.introspection,
            userinfo_endpoint: endpoints.userinfo,
            client_id,
            authentication,
            dpop: None,
            redirect_uri: None,
            require_pushed_authorization_requests: metadata.require_pushed_authorization_requests,
            s256_unsupported: metadata
                .code_challenge_methods_supported
                .as_ref()
                .is_some_and(|methods| !methods.iter().any(|m| m == "S256")),
            metadata,
            tolerances: crate::tolerance::Tolerances::default(),
            fapi2: false,
        })
    }

    /// Sender-constrains the client's tokens with DPoP (RFC 9449): every
    /// token request (code exchange, refresh, client credentials) and
    /// pushed authorization request carries a proof signed with `key`, an
    /// authorization request that is not pushed carries its thumbprint as
    /// `dpop_jkt` (§10), and tokens issued as `token_type: DPoP` are
    /// bound to it: never sent as `Bearer`, refreshed only with this key,
    /// and used at a resource with
    /// [`Authorized::dpop_resource_request`](crate::Authorized::dpop_resource_request).
    ///
    /// # Errors
    /// [`ConfigError::DpopAlgorithmNotSupported`] when the server lists
    /// `dpop_signing_alg_values_supported` without the key's algorithm.
    pub fn with_dpop(mut self, key: DpopKey) -> Result<Self, ConfigError> {
        let alg = key.algorithm().as_str();
        if let Some(algs) = &self.metadata.dpop_signing_alg_values_supported {
            if !algs.iter().any(|listed| listed == alg) {
                return Err(ConfigError::DpopAlgorithmNotSupported { alg });
            }
        }
        self.dpop = Some(key);
        Ok(self)
    }

    /// The DPoP key, when the client has one ([`with_dpop`](Self::with_dpop)).
    #[must_use]
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop.as_ref()
    }

    /// The redirect URI of every flow that does not name its own
    /// ([`Start::redirect_uri`](crate::Start::redirect_uri)).
    #[must_use]
    pub fn with_redirect_uri(mut self, redirect_uri: RedirectUri) -> Self {
        self.redirect_uri = Some(redirect_uri);
        self
    }

    /// Declares that this client is registered with
    /// `require_pushed_authorization_requests` (RFC 9126 §6), a client
    /// setting discovery cannot show: [`Start::begin`](crate::Start::begin)
    /// then refuses to build a plain authorization URL the server would
    /// reject, and [`Start::push`](crate::Start::push) must be used.
    #[must_use]
    pub fn require_pushed_authorization_requests(mut self) -> Self {
        self.require_pushed_authorization_requests = true;
        self
    }

    /// The metadata this client was built from.
    #[must_use]
    pub fn metadata(&self) -> &ServerMetadata {
        &self.metadata
    }

    /// The OpenID Connect UserInfo endpoint, validated like every other
    /// endpoint, when the metadata names one: call it with
    /// [`Authorized::authorize_request`](crate::Authorized::authorize_request).
    #[must_use]
    pub fn userinfo_endpoint(&self) -> Option<&Endpoint> {
        self.userinfo_endpoint.as_ref()
    }

    /// The device authorization endpoint (RFC 8628 §4), validated like
    /// every other endpoint, when the metadata names one.
    #[must_use]
    pub fn device_authorization_endpoint(&self) -> Option<&Endpoint> {
        self.device_authorization_endpoint.as_ref()
    }

    /// The introspection endpoint (RFC 7662 §2), validated like every
    /// other endpoint, when the metadata names one.
    #[must_use]
    pub fn introspection_endpoint(&self) -> Option<&Endpoint> {
        self.introspection_endpoint.as_ref()
    }

    /// The `client_id`.
    #[must_use]
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The default `redirect_uri`, if one was set.
    #[must_use]
    pub fn redirect_uri(&self) -> Option<&RedirectUri> {
        self.redirect_uri.as_ref()
    }

    /// The client authentication method.
    #[must_use]
    pub fn authentication(&self) -> &ClientAuthentication {
        &self.authentication
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(id: &str, secret: &str) -> String {
        basic_authorization(&ClientId::new(id).unwrap(), &ClientSecret::new(secret))
    }

    /// RFC 6749 §2.3.1's example.
    #[test]
    fn basic_rfc6749_example() {
        assert_eq!(
            basic("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"),
            "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3"
        );
    }

    #[test]
    fn an_optional_secret_picks_basic_or_a_public_client() {
        let secret = ClientSecret::new("s3cret");
        assert_eq!(
            ClientAuthentication::from(Some(secret.clone())),
            ClientAuthentication::ClientSecretBasic(secret)
        );
        assert_eq!(ClientAuthentication::from(None), ClientAuthentication::None);
    }

    /// `:` in the id would split the pair in the wrong place without the
    /// form-encoding step; `+`, `/`, `=` and non-ASCII must be encoded too.
    #[test]
    fn basic_encodes_before_base64() {
        let value = basic("my:client+id", "s/e=c ré");
        let encoded = value.strip_prefix("Basic ").unwrap();
        let decoded = Base64::decode_vec(encoded).unwrap();
        assert_eq!(decoded, b"my%3Aclient%2Bid:s%2Fe%3Dc+r%C3%A9");
    }

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        assert!(Endpoint::parse("https://as.example/token").is_ok());
        assert!(Endpoint::parse("https://as.example/token?tenant=x").is_ok());
        assert!(Endpoint::parse("http://127.0.0.1:8080/token").is_ok());
        assert!(Endpoint::parse("http://127.5.0.1/token").is_ok());
        assert!(Endpoint::parse("http://[::1]:80/token").is_ok());
        assert!(Endpoint::parse("http://localhost/token").is_ok());
        assert_eq!(
            Endpoint::parse("http://as.example/token"),
            Err(UrlProblem::NotHttps)
        );
        assert_eq!(
            Endpoint::parse("http://128.0.0.1/token"),
            Err(UrlProblem::NotHttps)
        );
        assert_eq!(
            Endpoint::parse("https://as.example/t#x"),
            Err(UrlProblem::HasFragment)
        );
        assert_eq!(
            Endpoint::parse("https://u:p@as.example/t"),
            Err(UrlProblem::HasUserinfo)
        );
        // A password alone is still a credential in the URL.
        assert_eq!(
            Endpoint::parse("https://:p@as.example/t"),
            Err(UrlProblem::HasUserinfo)
        );
        assert_eq!(
            Endpoint::parse("https://u@as.example/t"),
            Err(UrlProblem::HasUserinfo)
        );
        assert_eq!(
            Endpoint::parse("ftp://as.example/t"),
            Err(UrlProblem::UnsupportedScheme)
        );
        assert_eq!(Endpoint::parse("/token"), Err(UrlProblem::NotAbsoluteUrl));
    }

    #[test]
    fn redirect_uri_is_kept_verbatim() {
        let uri = RedirectUri::new("https://urltoclient:4443").unwrap();
        assert_eq!(uri.as_str(), "https://urltoclient:4443");
        assert!(RedirectUri::new("com.example.app:/oauth2redirect").is_ok());
        assert!(RedirectUri::new("http://127.0.0.1:5000/cb").is_ok());
        assert_eq!(
            RedirectUri::new("http://app.example/cb"),
            Err(UrlProblem::NotHttps)
        );
        assert_eq!(
            RedirectUri::new("https://app.example/cb#"),
            Err(UrlProblem::HasFragment)
        );
        assert_eq!(RedirectUri::new("/cb"), Err(UrlProblem::NotAbsoluteUrl));
    }

    /// RFC 8252 §7.1, §7.3, §8.3; RFC 9700 §4.1.
    #[test]
    fn redirect_uri_policy() {
        for accepted in [
            "https://app.example/cb",
            "https://app.example:8443/cb?tenant=1",
            "http://127.0.0.1/cb",
            "http://127.0.0.1:53127/cb",
            "http://127.9.8.7:1/",
            "http://[::1]:53127/cb",
            "com.example.app:/oauth2redirect",
            "com.example.app:/",
            "com.googleusercontent.apps.123-abc:/oauth2redirect",
            "com.example.app://callback",
        ] {
            assert!(RedirectUri::new(accepted).is_ok(), "{accepted}");
        }
        for (refused, problem) in [
            ("javascript:alert(1)", UrlProblem::DangerousScheme),
            ("JavaScript:alert(1)", UrlProblem::DangerousScheme),
            (
                "data:text/html,<script>x</script>",
                UrlProblem::DangerousScheme,
            ),
            ("file:///etc/passwd", UrlProblem::DangerousScheme),
            ("vbscript:msgbox", UrlProblem::DangerousScheme),
            ("blob:https://app.example/uuid", UrlProblem::DangerousScheme),
            ("about:blank", UrlProblem::DangerousScheme),
            ("ftp://app.example/cb", UrlProblem::DangerousScheme),
            ("urn:example:cb", UrlProblem::DangerousScheme),
            ("urn:ietf:wg:oauth:2.0:oob", UrlProblem::OutOfBand),
            ("urn:ietf:wg:oauth:2.0:oob:auto", UrlProblem::OutOfBand),
            ("myapp://cb", UrlProblem::NotReverseDomainScheme),
            ("myapp:/cb", UrlProblem::NotReverseDomainScheme),
            ("com.:/cb", UrlProblem::NotReverseDomainScheme),
            (
                "http://localhost:8080/cb",
                UrlProblem::LocalhostNotIpLiteral,
            ),
            ("http://LOCALHOST./cb", UrlProblem::LocalhostNotIpLiteral),
            ("http://app.example/cb", UrlProblem::NotHttps),
            ("http://128.0.0.1/cb", UrlProblem::NotHttps),
            ("http://localhost.evil.example/cb", UrlProblem::NotHttps),
            ("https://app.example/cb#", UrlProblem::HasFragment),
            ("com.example.app:/cb#x", UrlProblem::HasFragment),
            ("https://u:p@app.example/cb", UrlProblem::HasUserinfo),
            ("/cb", UrlProblem::NotAbsoluteUrl),
            ("https://app.example/c\nb", UrlProblem::NotAbsoluteUrl),
            ("https://app.example/c b", UrlProblem::NotAbsoluteUrl),
            ("https://app.example/\u{e9}", UrlProblem::NotAbsoluteUrl),
            ("\thttps://app.example/cb", UrlProblem::NotAbsoluteUrl),
        ] {
            assert_eq!(RedirectUri::new(refused), Err(problem), "{refused}");
        }
    }

    #[test]
    fn redirect_uri_escape_hatches_open_one_door_each() {
        assert!(RedirectUri::dangerous_allow_localhost("http://localhost:8080/cb").is_ok());
        assert_eq!(
            RedirectUri::dangerous_allow_localhost("myapp://cb"),
            Err(UrlProblem::NotReverseDomainScheme)
        );
        assert!(RedirectUri::dangerous_allow_any_private_use_scheme("myapp://cb").is_ok());
        assert_eq!(
            RedirectUri::dangerous_allow_any_private_use_scheme("http://localhost/cb"),
            Err(UrlProblem::LocalhostNotIpLiteral)
        );
        for never in [
            "javascript:alert(1)",
            "data:,x",
            "file:///x",
            "urn:ietf:wg:oauth:2.0:oob",
        ] {
            assert!(
                RedirectUri::dangerous_allow_localhost(never).is_err(),
                "{never}"
            );
            assert!(
                RedirectUri::dangerous_allow_any_private_use_scheme(never).is_err(),
                "{never}"
            );
        }
        // What a hatch accepted loads back from storage; nothing else does.
        for stored in ["http://localhost:8080/cb", "myapp://cb"] {
            let json = serde_json::to_string(stored).unwrap();
            assert!(
                serde_json::from_str::<RedirectUri>(&json).is_ok(),
                "{stored}"
            );
        }
        for never in ["javascript:alert(1)", "http://app.example/cb"] {
            let json = serde_json::to_string(never).unwrap();
            assert!(
                serde_json::from_str::<RedirectUri>(&json).is_err(),
                "{never}"
            );
        }
    }

    /// RFC 6749 §2.1: being public is a fact of the registration. Servers
    /// that list only secret methods serve public clients too, and metadata
    /// with or without the member agrees.
    #[test]
    fn a_public_client_is_accepted_whatever_the_listed_methods() {
        let id = ClientId::new("c").unwrap();
        let redirect = RedirectUri::new("https://app.example/cb").unwrap();
        let base = ServerMetadata::new(
            "https://as.example",
            "https://as.example/a",
            "https://as.example/t",
        );
        for methods in [
            None,
            Some(&["client_secret_basic", "client_secret_post"][..]),
            Some(&["private_key_jwt"][..]),
        ] {
            let mut metadata = base.clone();
            metadata.token_endpoint_auth_methods_supported =
                methods.map(|m| m.iter().map(|s| String::from(*s)).collect());
            assert!(
                Client::new(metadata, id.clone(), ClientAuthentication::None)
                    .map(|client| client.with_redirect_uri(redirect.clone()))
                    .is_ok(),
                "{methods:?}"
            );
        }
    }

    #[test]
    fn client_id_charset() {
        assert!(ClientId::new("client id 1").is_ok());
        assert!(ClientId::new("").is_err());
        assert!(ClientId::new("é").is_err());
        assert!(ClientId::new("a\nb").is_err());
    }

    #[test]
    fn client_checks_the_metadata() {
        let id = ClientId::new("c").unwrap();
        let redirect = RedirectUri::new("https://app.example/cb").unwrap();
        let auth = ClientAuthentication::ClientSecretBasic(ClientSecret::new("s"));
        assert!(
            Client::new(ServerMetadata::pagero(), id.clone(), auth.clone())
                .map(|client| client.with_redirect_uri(redirect.clone()))
                .is_ok()
        );

        let mut bad = ServerMetadata::pagero();
        bad.token_endpoint = "http://sso.pageroonline.com/oauth/v2/oauth-token".into();
        assert_eq!(
            Client::new(bad, id.clone(), auth.clone())
                .map(|client| client.with_redirect_uri(redirect.clone()))
                .unwrap_err(),
            ConfigError::InvalidEndpoint {
                member: "token_endpoint",
                problem: UrlProblem::NotHttps
            }
        );

        let mut bad = ServerMetadata::pagero();
        bad.issuer = "https://as.example/?tenant=1".into();
        assert_eq!(
            Client::new(bad, id.clone(), auth.clone())
                .map(|client| client.with_redirect_uri(redirect.clone()))
                .unwrap_err(),
            ConfigError::InvalidIssuer(UrlProblem::IssuerHasQuery)
        );

        let basic_only = ServerMetadata::new(
            "https://as.example",
            "https://as.example/a",
            "https://as.example/t",
        );
        assert_eq!(
            Client::new(
                basic_only,
                id,
                ClientAuthentication::ClientSecretPost(ClientSecret::new("s"))
            )
            .map(|client| client.with_redirect_uri(redirect))
            .unwrap_err(),
            ConfigError::AuthenticationMethodNotSupported {
                method: "client_secret_post"
            }
        );
    }

    #[test]
    fn metadata_deserializes_from_a_discovery_document() {
        let json = r#"{
            "issuer": "https://as.example",
            "authorization_endpoint": "https://as.example/authorize",
            "token_endpoint": "https://as.example/token",
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "jwks_uri": "https://as.example/jwks"
        }"#;
        let metadata: ServerMetadata = serde_json::from_str(json).unwrap();
        assert!(metadata.authorization_response_iss_parameter_supported);
        assert_eq!(
            metadata.extra.get("jwks_uri").unwrap(),
            "https://as.example/jwks"
        );
        assert_eq!(metadata.revocation_endpoint, None);
    }
}

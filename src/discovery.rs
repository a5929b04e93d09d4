//! Authorization server metadata discovery: RFC 8414 §3 and OpenID Connect
//! Discovery 1.0 §4.

use alloc::string::String;
use core::fmt;

use url::Url;

use crate::config::{check_transport, Endpoint, ServerMetadata, UrlProblem};
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::limits::MAX_RESPONSE_BODY_BYTES;
use crate::text::UntrustedText;

/// Which well-known document to ask for.
///
/// Try [`OAuthAuthorizationServer`](Self::OAuthAuthorizationServer) first —
/// it is the OAuth standard and the one that places the well-known segment
/// correctly for issuers with a path — and fall back to
/// [`OpenIdConfiguration`](Self::OpenIdConfiguration) when the server
/// answers 404 ([`DiscoveryError::is_not_found`]); [`WellKnown::ORDER`]
/// lists them so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WellKnown {
    /// `/.well-known/oauth-authorization-server`, inserted between the host
    /// and the issuer's path (RFC 8414 §3.1).
    OAuthAuthorizationServer,
    /// `/.well-known/openid-configuration`, appended to the issuer
    /// (OpenID Connect Discovery 1.0 §4.1).
    OpenIdConfiguration,
}

impl WellKnown {
    /// The order to try them in.
    pub const ORDER: [WellKnown; 2] = [Self::OAuthAuthorizationServer, Self::OpenIdConfiguration];

    const fn suffix(self) -> &'static str {
        match self {
            Self::OAuthAuthorizationServer => "/.well-known/oauth-authorization-server",
            Self::OpenIdConfiguration => "/.well-known/openid-configuration",
        }
    }
}

/// Why discovery gave no usable metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The issuer given is not an https URL (http on loopback) without
    /// query or fragment (RFC 8414 §2).
    InvalidIssuer(UrlProblem),
    /// The server answered with another status than 200. On 404 try the
    /// next [`WellKnown`] document.
    UnexpectedStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// The body is over
    /// [`MAX_RESPONSE_BODY_BYTES`](crate::limits::MAX_RESPONSE_BODY_BYTES):
    /// refused unread.
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body is not a metadata document; why, in the JSON parser's
    /// words (which may quote the document).
    Malformed(UntrustedText),
    /// The document's `issuer` is not the issuer asked for, byte for byte
    /// (RFC 8414 §3.3): it must not be used, or an attacker's metadata could
    /// impersonate the server (mix-up).
    IssuerMismatch {
        /// The issuer asked for.
        expected: UntrustedText,
        /// The issuer the document names.
        received: UntrustedText,
    },
    /// A required endpoint is missing (`authorization_endpoint` or
    /// `token_endpoint`).
    MissingEndpoint(&'static str),
    /// An endpoint is not acceptable (e.g. `http://` off loopback).
    InvalidEndpoint {
        /// The metadata member.
        member: &'static str,
        /// What is wrong with it.
        problem: UrlProblem,
    },
    /// The server does not advertise PKCE with `S256`
    /// (`code_challenge_methods_supported`, whose absence means "no PKCE",
    /// RFC 8414 §2). See [`Discovery::dangerous_allow_without_s256`].
    S256NotSupported,
}

impl DiscoveryError {
    /// Whether the server has no such document: try the next
    /// [`WellKnown`].
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::UnexpectedStatus { status: 404 | 410 })
    }
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidIssuer(problem) => write!(f, "the issuer identifier {problem}"),
            Self::UnexpectedStatus { status } => {
                write!(f, "the metadata request answered HTTP {status}")
            }
            Self::TooLarge { limit } => write!(
                f,
                "the metadata document is over its size cap of {limit} bytes"
            ),
            Self::Malformed(why) => write!(f, "the metadata document is malformed: {why}"),
            Self::IssuerMismatch { expected, received } => write!(
                f,
                "the metadata document names issuer {received:?}, not {expected:?}"
            ),
            Self::MissingEndpoint(member) => write!(f, "the metadata has no `{member}`"),
            Self::InvalidEndpoint { member, problem } => write!(f, "`{member}` {problem}"),
            Self::S256NotSupported => {
                f.write_str("the server does not list S256 in code_challenge_methods_supported")
            }
        }
    }
}

impl core::error::Error for DiscoveryError {}

/// Finding a server's metadata from its issuer identifier.
///
/// ```
/// # use oauth2_pkce::*;
/// let discovery = Discovery::new("https://as.example/tenant1")?;
/// let request = discovery.request(WellKnown::OAuthAuthorizationServer);
/// assert_eq!(request.uri(), "https://as.example/.well-known/oauth-authorization-server/tenant1");
/// // send it, then: let metadata = discovery.handle_response(&response)?;
/// # Ok::<(), DiscoveryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    issuer: String,
    url: Url,
    require_s256: bool,
}

impl Discovery {
    /// Discovery for `issuer`, which must be https (http on loopback),
    /// without query or fragment (RFC 8414 §2). The issuer string is kept as
    /// given: the document must name exactly it.
    ///
    /// # Errors
    /// [`DiscoveryError::InvalidIssuer`].
    pub fn new(issuer: impl Into<String>) -> Result<Self, DiscoveryError> {
        let issuer = issuer.into();
        let url = Url::parse(&issuer)
            .map_err(|_| DiscoveryError::InvalidIssuer(UrlProblem::NotAbsoluteUrl))?;
        check_transport(&url).map_err(DiscoveryError::InvalidIssuer)?;
        if url.query().is_some() || issuer.contains('?') {
            return Err(DiscoveryError::InvalidIssuer(UrlProblem::IssuerHasQuery));
        }
        Ok(Self {
            issuer,
            url,
            require_s256: true,
        })
    }

    /// Accepts servers that do not advertise `S256` PKCE. The flow still
    /// sends an `S256` challenge; a server that ignores it leaves the code
    /// unprotected against interception and injection (RFC 9700 §2.1.1).
    #[must_use]
    pub fn dangerous_allow_without_s256(mut self) -> Self {
        self.require_s256 = false;
        self
    }

    /// The issuer asked for.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `GET` for the `which` document.
    pub fn request(&self, which: WellKnown) -> HttpRequest {
        let mut request = HttpRequest::new(Method::Get, self.document_url(which));
        request.push_header("accept", String::from("application/json"));
        request
    }

    /// The metadata request as an `http::Request`.
    ///
    /// # Errors
    /// Only if the `http` crate refuses a URI that `url` accepted.
    #[cfg(feature = "http")]
    pub fn request_http(
        &self,
        which: WellKnown,
    ) -> Result<http::Request<crate::http::RequestBody>, http::Error> {
        self.request(which).into_http()
    }

    /// The document's URL. RFC 8414 §3.1 inserts the well-known segment
    /// between the host and the issuer's path, with a trailing `/` removed;
    /// OpenID Connect Discovery appends it to the issuer.
    fn document_url(&self, which: WellKnown) -> String {
        let path = self.url.path().trim_end_matches('/');
        let mut origin = self.url.clone();
        origin.set_path("");
        let origin = origin.as_str().trim_end_matches('/');
        let mut out = String::from(origin);
        match which {
            WellKnown::OAuthAuthorizationServer => {
                out.push_str(which.suffix());
                out.push_str(path);
            }
            WellKnown::OpenIdConfiguration => {
                out.push_str(path);
                out.push_str(which.suffix());
            }
        }
        out
    }

    /// Checks the answer and returns the metadata, with RFC 8414 §2's
    /// defaults filled in where members are absent
    /// (`token_endpoint_auth_methods_supported`: `client_secret_basic`;
    /// `response_modes_supported`: `query`, `fragment`;
    /// `grant_types_supported`: `authorization_code`, `implicit`). Unknown
    /// members are kept in [`ServerMetadata::extra`].
    ///
    /// # Errors
    /// See [`DiscoveryError`].
    pub fn handle_response<'a>(
        &self,
        response: impl Into<HttpResponse<'a>>,
    ) -> Result<ServerMetadata, DiscoveryError> {
        let response = response.into();
        if response.status() != 200 {
            return Err(DiscoveryError::UnexpectedStatus {
                status: response.status(),
            });
        }
        if response.body().len() > MAX_RESPONSE_BODY_BYTES {
            return Err(DiscoveryError::TooLarge {
                limit: MAX_RESPONSE_BODY_BYTES,
            });
        }
        let mut metadata: ServerMetadata =
            serde_json::from_slice(response.body()).map_err(|error| {
                DiscoveryError::Malformed(UntrustedText::from(alloc::format!("{error}")))
            })?;
        if metadata.issuer != self.issuer {
            return Err(DiscoveryError::IssuerMismatch {
                expected: UntrustedText::from(self.issuer.as_str()),
                received: UntrustedText::from(metadata.issuer),
            });
        }
        for (member, url) in [
            (
                "authorization_endpoint",
                Some(&metadata.authorization_endpoint),
            ),
            ("token_endpoint", Some(&metadata.token_endpoint)),
            ("revocation_endpoint", metadata.revocation_endpoint.as_ref()),
            (
                "pushed_authorization_request_endpoint",
                metadata.pushed_authorization_request_endpoint.as_ref(),
            ),
            ("userinfo_endpoint", metadata.userinfo_endpoint.as_ref()),
        ] {
            match url {
                Some(url) if url.is_empty() => return Err(DiscoveryError::MissingEndpoint(member)),
                Some(url) => {
                    Endpoint::parse(url)
                        .map_err(|problem| DiscoveryError::InvalidEndpoint { member, problem })?;
                }
                None => {}
            }
        }
        let s256 = metadata
            .code_challenge_methods_supported
            .as_ref()
            .is_some_and(|methods| methods.iter().any(|m| m == "S256"));
        if self.require_s256 && !s256 {
            return Err(DiscoveryError::S256NotSupported);
        }
        let default = |values: &[&str]| Some(values.iter().map(|v| String::from(*v)).collect());
        if metadata.token_endpoint_auth_methods_supported.is_none() {
            metadata.token_endpoint_auth_methods_supported = default(&["client_secret_basic"]);
        }
        if metadata.response_modes_supported.is_none() {
            metadata.response_modes_supported = default(&["query", "fragment"]);
        }
        if metadata.grant_types_supported.is_none() {
            metadata.grant_types_supported = default(&["authorization_code", "implicit"]);
        }
        Ok(metadata)
    }
}

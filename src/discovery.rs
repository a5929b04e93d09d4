//! Authorization server metadata discovery: RFC 8414 §3 and OpenID Connect
//! Discovery 1.0 §4.

use alloc::string::String;

use url::Url;

use crate::config::{Endpoints, ServerMetadata};
use crate::endpoint::{check_transport, Endpoint};
use crate::error::ConfigError;
use crate::error::CryptoError;
use crate::error::InvalidValue;
use crate::error::{EndpointErrorKind, EndpointKind, Failure};
use crate::http::{HttpRequest, HttpResponse};
use crate::limits::MAX_RESPONSE_BODY_BYTES;
use crate::step::{EndpointStep, RequestContext};
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::token::check_status;

/// Which well-known document to ask for.
///
/// Try [`OAuthAuthorizationServer`](Self::OAuthAuthorizationServer) first —
/// it is the OAuth standard and the one that places the well-known segment
/// correctly for issuers with a path — and fall back to
/// [`OpenIdConfiguration`](Self::OpenIdConfiguration) when the server
/// answers 404 ([`EndpointError::is_not_found`](crate::errors::EndpointError::is_not_found)); [`WellKnown::ORDER`]
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

/// Finding a server's metadata from its issuer identifier: an
/// [`EndpointStep`] whose output is the checked [`ServerMetadata`].
///
/// ```
/// # use oauth2_pkce::*;
/// use oauth2_pkce::values::WellKnown;
/// let discovery = Discovery::new("https://as.example/tenant1")?;
/// let context = RequestContext::new(UnixTime::now(), [0; 32]); // nothing is signed
/// assert_eq!(
///     discovery.request(&context)?.uri(),
///     "https://as.example/.well-known/oauth-authorization-server/tenant1"
/// );
/// let fallback = discovery.well_known(WellKnown::OpenIdConfiguration);
/// assert_eq!(
///     fallback.request(&context)?.uri(),
///     "https://as.example/tenant1/.well-known/openid-configuration"
/// );
/// // send one, then: let metadata = step.handle_response(&response, now)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    issuer: String,
    which: WellKnown,
    /// Whether a 404 on the RFC 8414 document moves on to the OpenID one.
    fallback: bool,
    oauth_document: Endpoint,
    openid_document: Endpoint,
    require_s256: bool,
}

impl Discovery {
    /// Discovery for `issuer`, which must be https (http on loopback),
    /// without query or fragment (RFC 8414 §2): the RFC 8414 document
    /// ([`WellKnown::OAuthAuthorizationServer`]) first, and when the server
    /// has none (404 or 410), the OpenID one — the failure hands that step
    /// back as a [fallback](Failure::is_fallback), which a [`Driver`](crate::Driver)
    /// runs at once. The issuer string is kept as given: the document must
    /// name exactly it.
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`].
    pub fn new(issuer: impl Into<String>) -> Result<Self, ConfigError> {
        let issuer = issuer.into();
        let url = Url::parse(&issuer)
            .map_err(|_| ConfigError::InvalidIssuer(InvalidValue::NotAbsoluteUrl))?;
        check_transport(&url).map_err(ConfigError::InvalidIssuer)?;
        if url.query().is_some() || issuer.contains('?') {
            return Err(ConfigError::InvalidIssuer(InvalidValue::IssuerHasQuery));
        }
        let document =
            |which| Endpoint::parse(&document_url(&url, which)).map_err(ConfigError::InvalidIssuer);
        Ok(Self {
            oauth_document: document(WellKnown::OAuthAuthorizationServer)?,
            openid_document: document(WellKnown::OpenIdConfiguration)?,
            issuer,
            which: WellKnown::OAuthAuthorizationServer,
            fallback: true,
            require_s256: true,
        })
    }

    /// The same discovery, asking for the `which` document only (no
    /// fallback to the other).
    #[must_use]
    pub fn well_known(mut self, which: WellKnown) -> Self {
        self.which = which;
        self.fallback = false;
        self
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

    /// The document asked for.
    #[must_use]
    pub fn which(&self) -> WellKnown {
        self.which
    }

    /// Checks the document: it names exactly the issuer asked for, its
    /// endpoints are valid, it offers S256 (unless allowed otherwise).
    fn check(&self, metadata: &ServerMetadata) -> Result<(), EndpointErrorKind> {
        if metadata.issuer != self.issuer {
            return Err(EndpointErrorKind::IssuerMismatch {
                expected: UntrustedText::from(self.issuer.as_str()),
                received: UntrustedText::from(metadata.issuer.as_str()),
            });
        }
        Endpoints::of(metadata).map_err(|(member, problem)| {
            if problem == InvalidValue::NotAbsoluteUrl && endpoint_is_empty(metadata, member) {
                EndpointErrorKind::MissingMember(member)
            } else {
                EndpointErrorKind::InvalidUrl { member, problem }
            }
        })?;
        let s256 = metadata
            .code_challenge_methods_supported
            .as_ref()
            .is_some_and(|methods| methods.iter().any(|m| m == "S256"));
        if self.require_s256 && !s256 {
            return Err(EndpointErrorKind::S256NotSupported);
        }
        Ok(())
    }
}

/// Whether the endpoint `member` is an empty string: missing, rather than
/// invalid.
fn endpoint_is_empty(metadata: &ServerMetadata, member: &str) -> bool {
    let optional = |url: &Option<String>| url.as_deref() == Some("");
    match member {
        "authorization_endpoint" => metadata.authorization_endpoint.is_empty(),
        "token_endpoint" => metadata.token_endpoint.is_empty(),
        "revocation_endpoint" => optional(&metadata.revocation_endpoint),
        "pushed_authorization_request_endpoint" => {
            optional(&metadata.pushed_authorization_request_endpoint)
        }
        "device_authorization_endpoint" => optional(&metadata.device_authorization_endpoint),
        "introspection_endpoint" => optional(&metadata.introspection_endpoint),
        "userinfo_endpoint" => optional(&metadata.userinfo_endpoint),
        "end_session_endpoint" => optional(&metadata.end_session_endpoint),
        "registration_endpoint" => optional(&metadata.registration_endpoint),
        "backchannel_authentication_endpoint" => {
            optional(&metadata.backchannel_authentication_endpoint)
        }
        _ => false,
    }
}

/// The document's URL. RFC 8414 §3.1 inserts the well-known segment
/// between the host and the issuer's path, with a trailing `/` removed;
/// OpenID Connect Discovery appends it to the issuer.
fn document_url(issuer: &Url, which: WellKnown) -> String {
    let path = issuer.path().trim_end_matches('/');
    let mut origin = issuer.clone();
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

impl EndpointStep for Discovery {
    /// The checked metadata.
    type Output = ServerMetadata;

    const ENDPOINT: EndpointKind = EndpointKind::Metadata;

    /// The `GET` of the document.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let _ = context; // a GET of a public document: nothing to sign
        Ok(HttpRequest::get_json(match self.which {
            WellKnown::OAuthAuthorizationServer => self.oauth_document.clone(),
            WellKnown::OpenIdConfiguration => self.openid_document.clone(),
        }))
    }

    /// Checks the answer and returns the metadata, with RFC 8414 §2's
    /// defaults filled in where members are absent
    /// (`token_endpoint_auth_methods_supported`: `client_secret_basic`;
    /// `response_modes_supported`: `query`, `fragment`;
    /// `grant_types_supported`: `authorization_code`, `implicit`). Unknown
    /// members are kept in [`ServerMetadata::extra`]. `now` dates a
    /// `Retry-After` given as an HTTP-date.
    ///
    /// # Errors
    /// A [`Failure`]: 404 or 410 ([`EndpointError::is_not_found`](crate::errors::EndpointError::is_not_found))
    /// means the server has no such document — after the RFC 8414 one, the
    /// failure hands back the OpenID step as a fallback; 429 and 5xx give
    /// the step back; a document that must not be used is an
    /// [`EndpointErrorKind`] for which
    /// [`is_unusable_metadata`](EndpointErrorKind::is_unusable_metadata)
    /// or [`is_malformed_response`](EndpointErrorKind::is_malformed_response)
    /// holds.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<ServerMetadata, Failure<Discovery>> {
        let fail = |kind, step| Err(Failure::new(Self::ENDPOINT, kind, step));
        let mut metadata: ServerMetadata = match read_document(&response.into(), now) {
            Ok(metadata) => metadata,
            Err(kind @ EndpointErrorKind::UnexpectedStatus { status: 404 | 410 })
                if self.fallback && self.which == WellKnown::OAuthAuthorizationServer =>
            {
                let next = self.well_known(WellKnown::OpenIdConfiguration);
                return Err(Failure::fallback(Self::ENDPOINT, kind, next));
            }
            Err(kind) => return fail(kind, self),
        };
        if let Err(problem) = self.check(&metadata) {
            return fail(problem, self);
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

/// A metadata document's answer (RFC 8414 §3.2, RFC 9728 §3.2) read into
/// `D`: the status checks every endpoint makes, then `200` only, the body
/// within [`MAX_RESPONSE_BODY_BYTES`], and JSON of the document's shape.
pub(crate) fn read_document<D: serde::de::DeserializeOwned>(
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<D, EndpointErrorKind> {
    check_status(response, now)?;
    if response.status() != 200 {
        let status = response.status();
        return Err(EndpointErrorKind::UnexpectedStatus { status });
    }
    if response.body().len() > MAX_RESPONSE_BODY_BYTES {
        let problem = EndpointErrorKind::TooLarge {
            limit: MAX_RESPONSE_BODY_BYTES,
        };
        return Err(problem);
    }
    serde_json::from_slice(response.body()).map_err(|error| {
        let why = UntrustedText::from(alloc::format!("{error}"));
        EndpointErrorKind::NotADocument(why)
    })
}

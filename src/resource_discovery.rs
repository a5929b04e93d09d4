//! A protected resource's metadata (RFC 9728): which authorization servers
//! issue its tokens, which scopes it knows, how it takes them.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::discovery::{read_document, Discovery};
use crate::endpoint::{check_transport, Endpoint};
use crate::error::ConfigError;
use crate::error::CryptoError;
use crate::error::InvalidValue;
use crate::error::{EndpointErrorKind, EndpointKind, Failure};
use crate::http::{HttpRequest, HttpResponse};
use crate::limits::{MAX_RESOURCE_INDICATORS, MAX_RESOURCE_INDICATOR_BYTES};
use crate::members::ExtraMembers;
use crate::resource_indicator::ResourceIndicator;
use crate::scope::Scope;
use crate::step::{EndpointStep, RequestContext};
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::challenge::BearerChallenge;
use serde::Deserialize;
use url::Url;

/// The well-known suffix of RFC 9728 §3.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Reading a protected resource's metadata (RFC 9728 §3): an
/// [`EndpointStep`] whose output is the checked [`ResourceMetadata`].
///
/// The document must name, as its `resource`, exactly the resource it was
/// fetched for (§3.3): the resource identifier the well-known URL was made
/// from ([`new`](Self::new)), or the URL of the request the resource
/// answered with a challenge ([`from_challenge`](Self::from_challenge)).
/// Otherwise it is refused: an attacker's resource could name another's
/// metadata and have the client fetch tokens for the wrong audience
/// (§7.3, impersonation).
///
/// ```
/// # use oauth2_pkce::*;
/// use oauth2_pkce::resource::{BearerChallenge, ResourceDiscovery, ResourceIndicator};
/// let api = ResourceIndicator::new("https://api.example.com/mcp")?;
/// let step = ResourceDiscovery::new(&api)?;
/// let context = RequestContext::new(UnixTime::now(), [0; 32]); // nothing is signed
/// assert_eq!(
///     step.request(&context)?.uri(),
///     "https://api.example.com/.well-known/oauth-protected-resource/mcp"
/// );
///
/// // Or from the resource's 401 (RFC 9728 §5.1):
/// let challenge = BearerChallenge::parse(
///     r#"Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp""#,
/// )?
/// .unwrap();
/// let step = ResourceDiscovery::from_challenge("https://api.example.com/mcp", &challenge)?;
/// assert_eq!(step.resource(), "https://api.example.com/mcp");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDiscovery {
    resource: ResourceIndicator,
    document: Endpoint,
}

impl ResourceDiscovery {
    /// The metadata of `resource`, from the well-known URL made from it
    /// (RFC 9728 §3.1): `/.well-known/oauth-protected-resource` inserted
    /// between the host and the path (a terminating `/` removed), the
    /// query kept. The resource must be https (http on loopback).
    ///
    /// # Errors
    /// [`ConfigError::InvalidEndpoint`] for the member `resource`.
    pub fn new(resource: &ResourceIndicator) -> Result<Self, ConfigError> {
        let invalid = |problem| ConfigError::InvalidEndpoint {
            member: "resource",
            problem,
        };
        let url =
            Url::parse(resource.as_str()).map_err(|_| invalid(InvalidValue::NotAbsoluteUrl))?;
        check_transport(&url).map_err(invalid)?;
        let document = Endpoint::parse(&well_known_url(&url)).map_err(invalid)?;
        Ok(Self {
            resource: resource.clone(),
            document,
        })
    }

    /// The metadata named by a resource's challenge (`resource_metadata`,
    /// RFC 9728 §5.1), for the request to `requested_url` that the
    /// resource answered with it; the well-known URL of `requested_url`
    /// when the challenge names none (§5.2). The document must name
    /// `requested_url` as its `resource`, byte for byte (§3.3).
    ///
    /// # Errors
    /// [`ConfigError::InvalidEndpoint`] for the member `resource` when
    /// `requested_url` is not an https (or loopback http) URL without
    /// fragment, and for `resource_metadata` when the challenge's URL is
    /// not one.
    pub fn from_challenge(
        requested_url: &str,
        challenge: &BearerChallenge,
    ) -> Result<Self, ConfigError> {
        let resource =
            ResourceIndicator::new(requested_url).map_err(|_| ConfigError::InvalidEndpoint {
                member: "resource",
                problem: InvalidValue::NotAbsoluteUrl,
            })?;
        let mut step = Self::new(&resource)?;
        if let Some(url) = challenge.resource_metadata() {
            step.document = metadata_url(url).map_err(|problem| ConfigError::InvalidEndpoint {
                member: "resource_metadata",
                problem,
            })?;
        }
        Ok(step)
    }

    /// The resource the document must name.
    #[must_use]
    pub fn resource(&self) -> &str {
        self.resource.as_str()
    }

    /// The document's URL.
    #[must_use]
    pub fn metadata_url(&self) -> &str {
        self.document.as_str()
    }

    fn check(&self, document: Document) -> Result<ResourceMetadata, EndpointErrorKind> {
        if document.resource != self.resource.as_str() {
            return Err(EndpointErrorKind::ResourceMismatch {
                expected: UntrustedText::from(self.resource.as_str()),
                received: UntrustedText::from(document.resource.as_str()),
            });
        }
        let servers = document.authorization_servers.unwrap_or_default();
        if servers.len() > MAX_RESOURCE_INDICATORS {
            return Err(EndpointErrorKind::InvalidMember("authorization_servers"));
        }
        for server in &servers {
            check_issuer(server).map_err(|problem| EndpointErrorKind::InvalidUrl {
                member: "authorization_servers",
                problem,
            })?;
        }
        let scopes_supported = document
            .scopes_supported
            .map(|scopes| Scope::from_tokens(&scopes))
            .transpose()
            .map_err(|_| EndpointErrorKind::InvalidMember("scopes_supported"))?;
        Ok(ResourceMetadata {
            resource: self.resource.clone(),
            authorization_servers: servers,
            scopes_supported,
            bearer_methods_supported: document
                .bearer_methods_supported
                .map(|methods| methods.into_iter().map(UntrustedText::from).collect()),
            dpop_bound_access_tokens_required: document.dpop_bound_access_tokens_required,
            resource_name: document.resource_name.map(UntrustedText::from),
            extra: document.extra,
        })
    }
}

/// The well-known URL of a resource identifier (RFC 9728 §3.1).
fn well_known_url(resource: &Url) -> String {
    let path = resource.path().trim_end_matches('/');
    let mut origin = resource.clone();
    origin.set_path("");
    origin.set_query(None);
    let mut out = String::from(origin.as_str().trim_end_matches('/'));
    out.push_str(WELL_KNOWN);
    out.push_str(path);
    if let Some(query) = resource.query() {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A metadata URL from a challenge: within its cap, https (http on
/// loopback), no fragment.
fn metadata_url(url: &str) -> Result<Endpoint, InvalidValue> {
    if url.len() > MAX_RESOURCE_INDICATOR_BYTES || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(InvalidValue::NotAbsoluteUrl);
    }
    Endpoint::parse(url)
}

/// An authorization server's issuer identifier (RFC 8414 §2): within its
/// cap, printable ASCII, and one [`Discovery::new`] takes — https (http on
/// loopback), no query or fragment, its well-known URLs valid request
/// targets — so that every listed server can be discovered.
fn check_issuer(issuer: &str) -> Result<(), InvalidValue> {
    if issuer.len() > MAX_RESOURCE_INDICATOR_BYTES || !issuer.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(InvalidValue::NotAbsoluteUrl);
    }
    match Discovery::new(issuer) {
        Ok(_) => Ok(()),
        Err(ConfigError::InvalidIssuer(problem)) => Err(problem),
        Err(_) => Err(InvalidValue::NotAbsoluteUrl),
    }
}

/// The document as sent (RFC 9728 §2).
#[derive(Deserialize)]
struct Document {
    resource: String,
    #[serde(default)]
    authorization_servers: Option<Vec<String>>,
    #[serde(default)]
    scopes_supported: Option<Vec<String>>,
    #[serde(default)]
    bearer_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    dpop_bound_access_tokens_required: bool,
    #[serde(default)]
    resource_name: Option<String>,
    #[serde(flatten)]
    extra: ExtraMembers,
}

/// A protected resource's checked metadata (RFC 9728 §2).
#[derive(Clone, PartialEq)]
pub struct ResourceMetadata {
    resource: ResourceIndicator,
    authorization_servers: Vec<String>,
    scopes_supported: Option<Scope>,
    bearer_methods_supported: Option<Vec<UntrustedText>>,
    dpop_bound_access_tokens_required: bool,
    resource_name: Option<UntrustedText>,
    extra: ExtraMembers,
}

impl ResourceMetadata {
    /// The resource identifier: the one asked for, which the document
    /// named exactly (§3.3). Ask tokens for it with
    /// [`Start::resource`](crate::Start::resource).
    #[must_use]
    pub fn resource(&self) -> &ResourceIndicator {
        &self.resource
    }

    /// The issuer identifiers of the authorization servers that issue
    /// tokens for this resource (`authorization_servers`), each checked to
    /// be https (http on loopback) without query or fragment. Empty when
    /// the document names none.
    pub fn authorization_servers(&self) -> impl Iterator<Item = &str> {
        self.authorization_servers.iter().map(String::as_str)
    }

    /// Discovery of the first authorization server the resource names
    /// (RFC 8414): its metadata must name exactly that issuer, and offer
    /// S256. `None` when the document names none.
    #[must_use]
    pub fn authorization_server_discovery(&self) -> Option<Discovery> {
        // Each issuer passed `Discovery::new` when the document was read.
        self.authorization_servers
            .first()
            .and_then(|issuer| Discovery::new(issuer.as_str()).ok())
    }

    /// The scopes the resource uses (`scopes_supported`), if it said.
    #[must_use]
    pub fn scopes_supported(&self) -> Option<&Scope> {
        self.scopes_supported.as_ref()
    }

    /// The scope to ask for (the Model Context Protocol's rule): the
    /// challenge's `scope` when the resource named one, else every scope
    /// in `scopes_supported`, else none.
    #[must_use]
    pub fn scope_for(&self, challenge: Option<&Scope>) -> Scope {
        challenge
            .or(self.scopes_supported.as_ref())
            .cloned()
            .unwrap_or_default()
    }

    /// How the resource takes a bearer token (`header`, `body`, `query`;
    /// RFC 6750 §2), as sent. This crate only sends it in the header.
    pub fn bearer_methods_supported(&self) -> Option<impl Iterator<Item = &str>> {
        self.bearer_methods_supported
            .as_ref()
            .map(|methods| methods.iter().map(UntrustedText::as_str))
    }

    /// Whether the resource only accepts DPoP-bound tokens
    /// (`dpop_bound_access_tokens_required`, RFC 9728 §2): use
    /// [`Client::with_dpop`](crate::Client::with_dpop).
    #[must_use]
    pub fn dpop_bound_access_tokens_required(&self) -> bool {
        self.dpop_bound_access_tokens_required
    }

    /// The resource's human-readable name, as sent.
    #[must_use]
    pub fn resource_name(&self) -> Option<&str> {
        self.resource_name.as_ref().map(UntrustedText::as_str)
    }

    /// Members this crate does not model, as sent.
    #[must_use]
    pub fn extra(&self) -> &ExtraMembers {
        &self.extra
    }
}

impl fmt::Debug for ResourceMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let servers: Vec<UntrustedText> = self
            .authorization_servers
            .iter()
            .map(|s| UntrustedText::from(s.as_str()))
            .collect();
        f.debug_struct("ResourceMetadata")
            .field("resource", &self.resource)
            .field("authorization_servers", &servers)
            .field("scopes_supported", &self.scopes_supported)
            .field("bearer_methods_supported", &self.bearer_methods_supported)
            .field(
                "dpop_bound_access_tokens_required",
                &self.dpop_bound_access_tokens_required,
            )
            .field("resource_name", &self.resource_name)
            .field("extra", &self.extra)
            .finish()
    }
}

impl EndpointStep for ResourceDiscovery {
    /// The checked metadata.
    type Output = ResourceMetadata;

    const ENDPOINT: EndpointKind = EndpointKind::ResourceMetadata;

    /// The `GET` of the document.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let _ = context; // a GET of a public document: nothing to sign
        Ok(HttpRequest::get_json(self.document.clone()))
    }

    /// Checks the answer (RFC 9728 §3.2, §3.3) and returns the metadata.
    ///
    /// # Errors
    /// A [`Failure`]: 429 and 5xx give the step back; a document that
    /// must not be used is an [`EndpointErrorKind`] for which
    /// [`is_unusable_metadata`](EndpointErrorKind::is_unusable_metadata)
    /// or [`is_malformed_response`](EndpointErrorKind::is_malformed_response)
    /// holds — [`EndpointErrorKind::ResourceMismatch`] when it names
    /// another resource.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<ResourceMetadata, Failure<ResourceDiscovery>> {
        let fail = |kind, step| Err(Failure::new(Self::ENDPOINT, kind, step));
        let document: Document = match read_document(&response.into(), now) {
            Ok(document) => document,
            Err(kind) => return fail(kind, self),
        };
        match self.check(document) {
            Ok(metadata) => Ok(metadata),
            Err(problem) => fail(problem, self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(resource: &str) -> String {
        let resource = ResourceIndicator::new(resource).unwrap();
        String::from(ResourceDiscovery::new(&resource).unwrap().metadata_url())
    }

    /// RFC 9728 §3.1 and its example.
    #[test]
    fn well_known_url_goes_between_host_and_path() {
        assert_eq!(
            url("https://resource.example.com/resource1"),
            "https://resource.example.com/.well-known/oauth-protected-resource/resource1"
        );
        assert_eq!(
            url("https://resource.example.com"),
            "https://resource.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            url("https://resource.example.com/"),
            "https://resource.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            url("https://r.example:8443/a/b/?x=1"),
            "https://r.example:8443/.well-known/oauth-protected-resource/a/b?x=1"
        );
        assert_eq!(
            url("http://127.0.0.1:9000/mcp"),
            "http://127.0.0.1:9000/.well-known/oauth-protected-resource/mcp"
        );
        let insecure = ResourceIndicator::new("http://api.example/").unwrap();
        assert_eq!(
            ResourceDiscovery::new(&insecure).unwrap_err(),
            ConfigError::InvalidEndpoint {
                member: "resource",
                problem: InvalidValue::NotHttps
            }
        );
        let urn = ResourceIndicator::new("urn:example:api").unwrap();
        assert!(ResourceDiscovery::new(&urn).is_err());
    }

    #[test]
    fn issuers_are_checked() {
        assert!(check_issuer("https://as.example").is_ok());
        assert!(check_issuer("http://127.0.0.1:3000/t").is_ok());
        assert_eq!(
            check_issuer("http://as.example"),
            Err(InvalidValue::NotHttps)
        );
        assert_eq!(
            check_issuer("https://as.example?x"),
            Err(InvalidValue::IssuerHasQuery)
        );
        assert_eq!(
            check_issuer("https://as.example/#"),
            Err(InvalidValue::HasFragment)
        );
        assert_eq!(
            check_issuer("https://as.example/\u{202e}"),
            Err(InvalidValue::NotAbsoluteUrl)
        );
        // Found by the resource_metadata_response fuzz target: a host the
        // URL parser takes but no request can be sent to, which discovery
        // of that server would then refuse.
        #[cfg(feature = "http")]
        assert_eq!(
            check_issuer("https://as.e``xa-mple"),
            Err(InvalidValue::NotHttpUri)
        );
    }
}

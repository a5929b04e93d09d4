//! The crate's own HTTP request and response values, and their conversions
//! to and from the `http` crate (feature `http`).
//!
//! The `http` crate does not build without `std`, so the core speaks in
//! these small types; with the default `http` feature every request converts
//! into an `http::Request<RequestBody>` and every `&http::Response<B>`
//! converts into an [`HttpResponse`].

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use zeroize::Zeroize;

use crate::endpoint::Endpoint;
#[cfg(feature = "http")]
use crate::mtls::RequiresClientCertificate;
use crate::secret::REDACTED;
use crate::time::UnixTime;
use crate::wire::http_date;

/// The request methods this crate emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: the authorization request.
    Get,
    /// `POST`: token, revocation and pushed authorization requests.
    Post,
}

impl Method {
    /// The method's name on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// The body of a request the crate builds: the authorization code, the
/// `code_verifier`, a refresh token, with `client_secret_post` the client
/// secret. `Debug` prints `[redacted, N bytes]`, so logging a whole
/// `http::Request<RequestBody>` with `tracing::debug!(?request)` shows no
/// secret, and the bytes are zeroized when the body is dropped.
///
/// Take the plain bytes out at the last moment, inside the call that sends
/// the request:
///
/// ```text
/// ureq:    agent.run(request.map(RequestBody::into_bytes))
/// reqwest: client.execute(reqwest::Request::try_from(request.map(RequestBody::into_bytes))?)
/// hyper:   sender.send_request(request.map(|body| Full::new(Bytes::from(body.into_bytes()))))
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestBody(Vec<u8>);

impl RequestBody {
    /// The bytes, for a transport that sends from a slice. They hold
    /// secrets: do not log them.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, handed over to be sent; from here on they are the
    /// caller's to wipe. This is the way to take them; the `From` impl
    /// does the same for code generic over `Into<Vec<u8>>` (an HTTP
    /// client's body type).
    #[must_use]
    pub fn into_bytes(mut self) -> Vec<u8> {
        core::mem::take(&mut self.0)
    }

    /// The body's length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the body is empty (a `GET`).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A body of the caller's, for a request to a protected resource
/// (`Driver::request_resource`); wiped when dropped, like the crate's own.
impl From<Vec<u8>> for RequestBody {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<RequestBody> for Vec<u8> {
    fn from(body: RequestBody) -> Self {
        body.into_bytes()
    }
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[redacted, {} bytes]", self.0.len())
    }
}

/// The headers the crate sets on its requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderName {
    Authorization,
    ContentType,
    Accept,
    /// RFC 9449 §4.1.
    Dpop,
}

impl HeaderName {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Authorization => "authorization",
            Self::ContentType => "content-type",
            Self::Accept => "accept",
            Self::Dpop => "dpop",
        }
    }

    #[cfg(feature = "http")]
    fn to_http(self) -> http::HeaderName {
        match self {
            Self::Authorization => http::header::AUTHORIZATION,
            Self::ContentType => http::header::CONTENT_TYPE,
            Self::Accept => http::header::ACCEPT,
            Self::Dpop => http::HeaderName::from_static("dpop"),
        }
    }
}

/// An HTTP request the caller must send, as a value.
///
/// Send it as it is, and do **not** follow redirects for a `POST`: the
/// response, whatever its status, goes back to the step that built the
/// request. `Debug` redacts the `Authorization` header and the body, which
/// carry secrets; both are zeroized when the request is dropped.
#[must_use = "a request does nothing until the caller sends it"]
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    method: Method,
    target: Endpoint,
    /// The media types are constants, borrowed; only credentials and
    /// proofs are owned (and zeroized on drop).
    headers: Vec<(HeaderName, Cow<'static, str>)>,
    body: RequestBody,
    /// RFC 8705: the transport must present the client certificate.
    client_certificate: bool,
}

/// The `Content-Type` of a form-encoded body.
const FORM_MEDIA_TYPE: &str = "application/x-www-form-urlencoded";
/// The media type of a JSON body.
const JSON_MEDIA_TYPE: &str = "application/json";

impl HttpRequest {
    /// A `GET` of `target` that expects JSON back.
    pub(crate) fn get_json(target: Endpoint) -> Self {
        Self {
            method: Method::Get,
            target,
            headers: alloc::vec![(HeaderName::Accept, Cow::Borrowed(JSON_MEDIA_TYPE))],
            body: RequestBody::default(),
            client_certificate: false,
        }
    }

    /// A `GET` of a protected resource of `target` with `authorization`,
    /// that accepts the media types of `accept`.
    pub(crate) fn get_authorized(
        target: Endpoint,
        accept: &'static str,
        authorization: String,
    ) -> Self {
        Self {
            method: Method::Get,
            target,
            headers: alloc::vec![
                (HeaderName::Authorization, Cow::Owned(authorization)),
                (HeaderName::Accept, Cow::Borrowed(accept)),
            ],
            body: RequestBody::default(),
            client_certificate: false,
        }
    }

    /// A form-encoded `POST` that expects JSON back.
    pub(crate) fn form_post(target: Endpoint, body: String, authorization: Option<String>) -> Self {
        Self::post(target, FORM_MEDIA_TYPE, body, authorization)
    }

    /// A JSON `POST` that expects JSON back (RFC 7591 §3.1).
    pub(crate) fn json_post(target: Endpoint, body: String, authorization: Option<String>) -> Self {
        Self::post(target, JSON_MEDIA_TYPE, body, authorization)
    }

    /// A `POST` of a `content_type` body that expects JSON back.
    fn post(
        target: Endpoint,
        content_type: &'static str,
        body: String,
        authorization: Option<String>,
    ) -> Self {
        let mut headers = Vec::with_capacity(3);
        if let Some(value) = authorization {
            headers.push((HeaderName::Authorization, Cow::Owned(value)));
        }
        headers.push((HeaderName::ContentType, Cow::Borrowed(content_type)));
        headers.push((HeaderName::Accept, Cow::Borrowed(JSON_MEDIA_TYPE)));
        Self {
            method: Method::Post,
            target,
            headers,
            body: RequestBody(body.into_bytes()),
            client_certificate: false,
        }
    }

    /// The same request accepting `media_type` instead of JSON.
    pub(crate) fn accepting(mut self, media_type: &'static str) -> Self {
        for (name, value) in &mut self.headers {
            if *name == HeaderName::Accept {
                *value = Cow::Borrowed(media_type);
            }
        }
        self
    }

    /// The same request with a `DPoP` proof (RFC 9449 §4.1).
    pub(crate) fn with_dpop(mut self, proof: String) -> Self {
        self.headers.push((HeaderName::Dpop, Cow::Owned(proof)));
        self
    }

    /// The same request, to be sent with the client certificate presented
    /// in the TLS handshake (RFC 8705 §2, §3).
    pub(crate) fn with_client_certificate(mut self) -> Self {
        self.client_certificate = true;
        self
    }

    /// Whether the transport must present the client's certificate in the
    /// TLS handshake of this request (RFC 8705 §2, §3): the client
    /// authenticates with mutual TLS, or its tokens are bound to the
    /// certificate. The `http::Request` it converts into carries
    /// [`RequiresClientCertificate`](crate::values::RequiresClientCertificate)
    /// in its extensions then; see there how a transport uses it.
    #[must_use]
    pub fn requires_client_certificate(&self) -> bool {
        self.client_certificate
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The absolute request URI.
    pub fn uri(&self) -> &str {
        self.target.as_str()
    }

    /// The headers, names in lowercase, in the order they should be sent.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_ref()))
    }

    /// The value of the header `name` (lowercase), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The body (empty for `GET`). It holds secrets: do not log it.
    pub fn body(&self) -> &[u8] {
        self.body.as_bytes()
    }

    /// The request as an `http::Request`, whose body prints redacted
    /// ([`RequestBody`]); the `Authorization` header is marked sensitive,
    /// which the `http` crate's `Debug` redacts.
    ///
    /// This is the way to convert; the `From` impl does the same for code
    /// that is generic over `Into<http::Request<RequestBody>>`.
    ///
    /// It cannot fail: every endpoint was checked to be a valid `http::Uri`
    /// when it was configured, and the crate's header values are visible
    /// ASCII by construction (media types, `Basic` and base64).
    #[cfg(feature = "http")]
    pub fn into_http(mut self) -> http::Request<RequestBody> {
        let mut request = http::Request::new(core::mem::take(&mut self.body));
        *request.method_mut() = match self.method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
        };
        *request.uri_mut() = self.target.http_uri().clone();
        for (name, value) in &self.headers {
            // Visible ASCII by construction: the fallback of leaving a
            // header out cannot be reached, and would fail closed (a
            // request without credentials) if it were. A constant media
            // type is used as it is, neither checked again nor copied.
            let value = match value {
                Cow::Borrowed(constant) => Ok(http::HeaderValue::from_static(constant)),
                Cow::Owned(value) => http::HeaderValue::from_str(value),
            };
            if let Ok(mut value) = value {
                value.set_sensitive(matches!(name, HeaderName::Authorization | HeaderName::Dpop));
                request.headers_mut().append(name.to_http(), value);
            }
        }
        if self.client_certificate {
            request.extensions_mut().insert(RequiresClientCertificate);
        }
        request
    }
}

#[cfg(feature = "http")]
impl From<HttpRequest> for http::Request<RequestBody> {
    fn from(request: HttpRequest) -> Self {
        request.into_http()
    }
}

impl Drop for HttpRequest {
    fn drop(&mut self) {
        for (_, value) in &mut self.headers {
            if let Cow::Owned(value) = value {
                value.zeroize();
            }
        }
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [(HeaderName, Cow<'static, str>)]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(name, value)| {
                        let shown = if matches!(name, HeaderName::Authorization | HeaderName::Dpop)
                        {
                            REDACTED
                        } else {
                            value.as_ref()
                        };
                        (name.as_str(), shown)
                    }))
                    .finish()
            }
        }
        let mut debug = f.debug_struct("HttpRequest");
        debug
            .field("method", &self.method)
            .field("uri", &RedactedQuery(self.target.as_str()))
            .field("headers", &Headers(&self.headers))
            .field("body", &self.body);
        if self.client_certificate {
            debug.field("client_certificate", &true);
        }
        debug.finish()
    }
}

/// Prints a URI with its query, which can carry `state` and PKCE values,
/// redacted.
struct RedactedQuery<'a>(&'a str);

impl fmt::Debug for RedactedQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_once('?') {
            Some((base, _)) => write!(f, "\"{base}?{REDACTED}\""),
            None => write!(f, "{:?}", self.0),
        }
    }
}

/// A view of an HTTP response, borrowed from whatever the caller's HTTP
/// stack produced.
///
/// ```
/// # use oauth2_pkce::values::HttpResponse;
/// let response = HttpResponse::new(200, br#"{"access_token":"a","token_type":"Bearer"}"#)
///     .with_content_type("application/json");
/// # let _ = response;
/// ```
#[derive(Clone, Copy)]
pub struct HttpResponse<'a> {
    status: u16,
    content_type: Option<&'a str>,
    retry_after: Option<&'a str>,
    www_authenticate: Option<&'a str>,
    dpop_nonce: Option<&'a str>,
    cache_control: Option<&'a str>,
    body: &'a [u8],
}

impl<'a> HttpResponse<'a> {
    /// A response with a status code and a body.
    #[must_use]
    pub const fn new(status: u16, body: &'a [u8]) -> Self {
        Self {
            status,
            content_type: None,
            retry_after: None,
            www_authenticate: None,
            dpop_nonce: None,
            cache_control: None,
            body,
        }
    }

    /// Sets the `Content-Type` header's value.
    #[must_use]
    pub const fn with_content_type(mut self, value: &'a str) -> Self {
        self.content_type = Some(value);
        self
    }

    /// Sets the `Retry-After` header's value.
    #[must_use]
    pub const fn with_retry_after(mut self, value: &'a str) -> Self {
        self.retry_after = Some(value);
        self
    }

    /// Sets the `WWW-Authenticate` header's value.
    #[must_use]
    pub const fn with_www_authenticate(mut self, value: &'a str) -> Self {
        self.www_authenticate = Some(value);
        self
    }

    /// Sets the `DPoP-Nonce` header's value (RFC 9449 §8).
    #[must_use]
    pub const fn with_dpop_nonce(mut self, value: &'a str) -> Self {
        self.dpop_nonce = Some(value);
        self
    }

    /// Sets the `Cache-Control` header's value (RFC 9111 §5.2): how long
    /// a key set may be kept.
    #[must_use]
    pub const fn with_cache_control(mut self, value: &'a str) -> Self {
        self.cache_control = Some(value);
        self
    }

    /// The `Cache-Control` header, if any.
    #[must_use]
    pub const fn cache_control(&self) -> Option<&'a str> {
        self.cache_control
    }

    /// The server's `DPoP-Nonce` (RFC 9449 §8.1), when it sent one that is
    /// `1*NQCHAR` (at most 512 characters); another value is ignored.
    #[must_use]
    pub fn dpop_nonce(&self) -> Option<&'a str> {
        self.dpop_nonce
            .filter(|nonce| crate::syntax::is_nonce(nonce))
    }

    /// The status code.
    #[must_use]
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` header, if any.
    #[must_use]
    pub const fn content_type(&self) -> Option<&'a str> {
        self.content_type
    }

    /// The `WWW-Authenticate` header, if any.
    #[must_use]
    pub const fn www_authenticate(&self) -> Option<&'a str> {
        self.www_authenticate
    }

    /// The body.
    #[must_use]
    pub const fn body(&self) -> &'a [u8] {
        self.body
    }

    /// How long `Retry-After` asks to wait (RFC 9110 §10.2.3), from `now`:
    /// delta-seconds as they are, an HTTP-date (§5.6.7, all three forms)
    /// as the time left until then — zero when it has passed.
    #[must_use]
    pub fn retry_after(&self, now: UnixTime) -> Option<Duration> {
        let value = self.retry_after?.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            return value.parse().ok().map(Duration::from_secs);
        }
        http_date::parse(value, now).map(|at| at.saturating_duration_since(now))
    }

    /// Whether `Content-Type` says `application/x-www-form-urlencoded`.
    pub(crate) fn is_form_encoded(&self) -> bool {
        self.content_type.is_some_and(is_form_media_type)
    }
}

/// Whether a `Content-Type` value is `application/x-www-form-urlencoded`
/// (case-insensitive, parameters ignored): the one check for form bodies.
pub(crate) fn is_form_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

impl fmt::Debug for HttpResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field(
                "body",
                &format_args!("[redacted, {} bytes]", self.body.len()),
            )
            .finish()
    }
}

#[cfg(feature = "http")]
impl<'a, B: AsRef<[u8]>> From<&'a http::Response<B>> for HttpResponse<'a> {
    fn from(response: &'a http::Response<B>) -> Self {
        let header = |name: http::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        Self {
            status: response.status().as_u16(),
            content_type: header(http::header::CONTENT_TYPE),
            retry_after: header(http::header::RETRY_AFTER),
            www_authenticate: header(http::header::WWW_AUTHENTICATE),
            dpop_nonce: header(http::HeaderName::from_static("dpop-nonce")),
            cache_control: header(http::header::CACHE_CONTROL),
            body: response.body().as_ref(),
        }
    }
}

#[cfg(test)]
mod tests;

//! The request and response values that oxide-auth's flows consume and produce.
//!
//! oxide-auth is frontend-agnostic: it drives its flows through the [`WebRequest`] and
//! [`WebResponse`] traits. These two small types implement them for requests that the HTTP
//! layer in `lib.rs` has already read off the socket.

use std::borrow::Cow;

use oxide_auth::endpoint::{NormalizedParameter, QueryParameter, WebRequest, WebResponse};
use url::{form_urlencoded, Url};

/// Why a request could not be turned into what a flow asked for. oxide-auth answers these
/// with `invalid_request` (token endpoint) or by refusing to redirect (authorization endpoint).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// The body is not `application/x-www-form-urlencoded`.
    NotAForm,
    /// The request carries more than one `Authorization` header.
    RepeatedAuthorization,
}

/// What the simulated browser session says about the resource owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Session {
    /// No session cookie: the user has not logged in, so the server shows a login page.
    Anonymous,
    /// The test user is logged in and approves the request.
    Approve,
    /// The test user is logged in and refuses the request.
    Deny,
}

/// A parsed HTTP request, as the oxide-auth flows see it.
pub(crate) struct HttpRequest {
    query: NormalizedParameter,
    body: Result<NormalizedParameter, Malformed>,
    authorization: Result<Option<String>, Malformed>,
    pub(crate) session: Session,
}

impl HttpRequest {
    /// `query` is the raw query string (without `?`), `form_body` the raw body if the request
    /// declared `application/x-www-form-urlencoded` (or `None` if it declared anything else).
    pub(crate) fn new(
        query: &str,
        form_body: Option<&[u8]>,
        authorization: Result<Option<String>, Malformed>,
        session: Session,
    ) -> Self {
        HttpRequest {
            query: parse_form(query.as_bytes()),
            body: form_body.map(parse_form).ok_or(Malformed::NotAForm),
            authorization,
            session,
        }
    }

    /// The single value of a body parameter (`None` if absent, repeated, or not a form).
    pub(crate) fn body_value(&self, key: &str) -> Option<Cow<'_, str>> {
        self.body.as_ref().ok()?.unique_value(key)
    }

    /// Whether the body was declared `application/x-www-form-urlencoded`.
    pub(crate) fn has_form_body(&self) -> bool {
        self.body.is_ok()
    }

    /// The `Authorization` header, if exactly one was sent.
    pub(crate) fn authorization_header(&self) -> Result<Option<&str>, Malformed> {
        self.authorization
            .as_ref()
            .map(Option::as_deref)
            .map_err(|e| *e)
    }
}

/// Form-decodes `bytes`; a key given twice is poisoned (reads as absent), which is how
/// oxide-auth wants repeated parameters treated (RFC 6749 §3.1, §3.2).
fn parse_form(bytes: &[u8]) -> NormalizedParameter {
    form_urlencoded::parse(bytes)
        .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())))
        .collect()
}

impl WebRequest for HttpRequest {
    type Error = Malformed;
    type Response = HttpResponse;

    fn query(&mut self) -> Result<Cow<'_, dyn QueryParameter + 'static>, Malformed> {
        Ok(Cow::Borrowed(&self.query))
    }

    fn urlbody(&mut self) -> Result<Cow<'_, dyn QueryParameter + 'static>, Malformed> {
        match &self.body {
            Ok(body) => Ok(Cow::Borrowed(body)),
            Err(e) => Err(*e),
        }
    }

    fn authheader(&mut self) -> Result<Option<Cow<'_, str>>, Malformed> {
        match &self.authorization {
            Ok(header) => Ok(header.as_deref().map(Cow::Borrowed)),
            Err(e) => Err(*e),
        }
    }
}

/// The response an oxide-auth flow builds; `lib.rs` writes it to the socket.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) location: Option<Url>,
    pub(crate) www_authenticate: Option<String>,
    pub(crate) content_type: Option<&'static str>,
    /// The `Allow` header of a 405.
    pub(crate) allow: Option<&'static str>,
    /// The `Retry-After` header (seconds) of a 503.
    pub(crate) retry_after: Option<u32>,
    pub(crate) body: String,
}

/// oxide-auth builds a successful token response without calling `ok()`, so the default is 200.
impl Default for HttpResponse {
    fn default() -> Self {
        HttpResponse {
            status: 200,
            location: None,
            www_authenticate: None,
            content_type: None,
            allow: None,
            retry_after: None,
            body: String::new(),
        }
    }
}

impl HttpResponse {
    pub(crate) fn new(status: u16, content_type: &'static str, body: impl Into<String>) -> Self {
        HttpResponse {
            status,
            content_type: Some(content_type),
            body: body.into(),
            ..HttpResponse::default()
        }
    }

    pub(crate) fn json(status: u16, body: impl Into<String>) -> Self {
        HttpResponse::new(status, "application/json", body)
    }

    pub(crate) fn text(status: u16, body: impl Into<String>) -> Self {
        HttpResponse::new(status, "text/plain; charset=utf-8", body)
    }

    /// An RFC 6749 §5.2 error body (`{"error": code}`) with the given status.
    pub(crate) fn oauth_error(status: u16, code: &str) -> Self {
        HttpResponse::json(status, serde_json::json!({ "error": code }).to_string())
    }
}

impl WebResponse for HttpResponse {
    type Error = Malformed;

    fn ok(&mut self) -> Result<(), Malformed> {
        self.status = 200;
        self.location = None;
        self.www_authenticate = None;
        Ok(())
    }

    fn redirect(&mut self, url: Url) -> Result<(), Malformed> {
        self.status = 302;
        self.location = Some(url);
        self.www_authenticate = None;
        Ok(())
    }

    fn client_error(&mut self) -> Result<(), Malformed> {
        self.status = 400;
        self.location = None;
        self.www_authenticate = None;
        Ok(())
    }

    fn unauthorized(&mut self, header_value: &str) -> Result<(), Malformed> {
        self.status = 401;
        self.location = None;
        self.www_authenticate = Some(header_value.to_owned());
        Ok(())
    }

    fn body_text(&mut self, text: &str) -> Result<(), Malformed> {
        self.content_type = Some("text/plain; charset=utf-8");
        self.body = text.to_owned();
        Ok(())
    }

    fn body_json(&mut self, data: &str) -> Result<(), Malformed> {
        self.content_type = Some("application/json");
        self.body = data.to_owned();
        Ok(())
    }
}

//! Token exchange on the wire (RFC 8693): token type identifiers (§3) and
//! the response (§2.2.1), whose `issued_token_type` is required and whose
//! `token_type` is `N_A` for a token that is not an access token.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{EndpointErrorKind, InvalidValue};
use crate::http::HttpResponse;
use crate::limits::MAX_RESOURCE_INDICATOR_BYTES;
use crate::secret::SecurityToken;
use crate::strictness::Tolerances;
use crate::syntax::is_vschar_token;
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::token::{expires_in, success_members, take_string, token_response, TokenResponse};

/// A token type identifier (RFC 8693 §3): an absolute URI naming what a
/// security token is, as in `subject_token_type`, `actor_token_type`,
/// `requested_token_type` and `issued_token_type`. The registered ones
/// are constants; others (a profile's own URIs) go through
/// [`new`](Self::new).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenTypeUri(Cow<'static, str>);

impl TokenTypeUri {
    /// `urn:ietf:params:oauth:token-type:access_token`: an OAuth 2.0
    /// access token issued by the server.
    pub const ACCESS_TOKEN: Self =
        Self::registered("urn:ietf:params:oauth:token-type:access_token");
    /// `urn:ietf:params:oauth:token-type:refresh_token`.
    pub const REFRESH_TOKEN: Self =
        Self::registered("urn:ietf:params:oauth:token-type:refresh_token");
    /// `urn:ietf:params:oauth:token-type:id_token`: an OpenID Connect ID
    /// token.
    pub const ID_TOKEN: Self = Self::registered("urn:ietf:params:oauth:token-type:id_token");
    /// `urn:ietf:params:oauth:token-type:saml1`: a base64url-encoded SAML
    /// 1.1 assertion.
    pub const SAML1: Self = Self::registered("urn:ietf:params:oauth:token-type:saml1");
    /// `urn:ietf:params:oauth:token-type:saml2`: a base64url-encoded SAML
    /// 2.0 assertion.
    pub const SAML2: Self = Self::registered("urn:ietf:params:oauth:token-type:saml2");
    /// `urn:ietf:params:oauth:token-type:jwt`: a JWT (RFC 7519).
    pub const JWT: Self = Self::registered("urn:ietf:params:oauth:token-type:jwt");

    const fn registered(uri: &'static str) -> Self {
        Self(Cow::Borrowed(uri))
    }

    /// Checks a token type identifier: an absolute URI (RFC 3986 §4.3:
    /// a scheme, `:`, and more) of printable ASCII, within
    /// [`MAX_RESOURCE_INDICATOR_BYTES`].
    ///
    /// # Errors
    /// [`InvalidValue::TokenTypeNotAbsoluteUri`].
    pub fn new(uri: impl Into<String>) -> Result<Self, InvalidValue> {
        let uri = uri.into();
        if !is_absolute_uri(&uri) {
            return Err(InvalidValue::TokenTypeNotAbsoluteUri);
        }
        Ok(Self(Cow::Owned(uri)))
    }

    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `scheme ":" hier-part [ "?" query ]` of printable ASCII: a scheme
/// (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`, RFC 3986 §3.1), a
/// colon, something after it, and no fragment.
fn is_absolute_uri(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    let mut scheme_bytes = scheme.bytes();
    uri.len() <= MAX_RESOURCE_INDICATOR_BYTES
        && scheme_bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme_bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        && !rest.is_empty()
        && !rest.contains('#')
        && rest.bytes().all(|b| b.is_ascii_graphic())
}

impl fmt::Debug for TokenTypeUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenTypeUri({:?})", UntrustedText::from(self.as_str()))
    }
}

impl fmt::Display for TokenTypeUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&UntrustedText::from(self.as_str()), f)
    }
}

impl Serialize for TokenTypeUri {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TokenTypeUri {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A token exchange response's token (RFC 8693 §2.2.1).
pub(crate) enum ExchangeResponse {
    /// An access token: the members of any token response.
    AccessToken(TokenResponse),
    /// `token_type: N_A`: a token that is not an access token, in the
    /// `access_token` member all the same.
    Other {
        token: SecurityToken,
        expires_in: Option<u64>,
    },
}

/// Reads a token exchange response (RFC 8693 §2.2): an error as at any
/// token endpoint (§2.2.2); a success must name its `issued_token_type`,
/// and with `token_type` `N_A` (in any case, as every `token_type`, RFC
/// 6749 §5.1) its token is not read as an access token.
pub(crate) fn parse_token_exchange_response(
    response: &HttpResponse<'_>,
    now: UnixTime,
    tolerances: &Tolerances,
) -> Result<(TokenTypeUri, ExchangeResponse), EndpointErrorKind> {
    let mut members = success_members(response, now)?;
    let issued_token_type = take_string(&mut members, "issued_token_type")?
        .ok_or(EndpointErrorKind::MissingMember("issued_token_type"))?;
    let issued_token_type = TokenTypeUri::new(issued_token_type)
        .map_err(|_| EndpointErrorKind::InvalidMember("issued_token_type"))?;
    if !members
        .token_type()
        .is_some_and(|token_type| token_type.eq_ignore_ascii_case("N_A"))
    {
        let tokens = token_response(members, tolerances)?;
        return Ok((issued_token_type, ExchangeResponse::AccessToken(tokens)));
    }
    let token = take_string(&mut members, "access_token")?
        .ok_or(EndpointErrorKind::MissingMember("access_token"))?;
    if !is_vschar_token(&token) {
        return Err(EndpointErrorKind::InvalidMember("access_token"));
    }
    let expires_in = match members.take("expires_in") {
        None => None,
        Some(value) => {
            Some(expires_in(&value).ok_or(EndpointErrorKind::InvalidMember("expires_in"))?)
        }
    };
    Ok((
        issued_token_type,
        ExchangeResponse::Other {
            token: SecurityToken::new(token),
            expires_in,
        },
    ))
}

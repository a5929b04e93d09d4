//! Using the access token at a protected resource: as a bearer token
//! (RFC 6750 §2.1) or DPoP-bound, with a proof of each request and the
//! resource server's nonce (RFC 9449 §7, §9).

use alloc::string::String;

#[cfg(feature = "http")]
use crate::config::Client;
use crate::endpoint::is_secure_target;
#[cfg(feature = "http")]
use crate::error::BearerErrorCode;
use crate::error::{ApiMisuse, ResourceError};
#[cfg(feature = "http")]
use crate::flow::authorized::MAX_RESOURCE_NONCES;
use crate::flow::Authorized;
#[cfg(feature = "http")]
use crate::http::HttpResponse;
use crate::secret::AuthorizationValue;
#[cfg(feature = "http")]
use crate::step::RequestContext;
use crate::strictness::TokenType;
use crate::syntax::{is_b64token, is_sendable_token};
#[cfg(feature = "http")]
use crate::wire::challenge::DpopChallenge;

impl Authorized {
    /// The `Authorization` header value, `Bearer <access token>`, for a
    /// request to `target_uri` (RFC 6750 §2.1).
    ///
    /// # Errors
    /// [`ResourceError::InvalidTarget`] if `target_uri` is not an absolute
    /// URI, [`ResourceError::InsecureTarget`] if it is not `https` (nor
    /// `http` on loopback): a bearer token must never cross the network in
    /// clear text (RFC 6750 §5.3). [`ResourceError::InvalidToken`] if the token
    /// is not a `b64token`.
    pub fn bearer_authorization(
        &self,
        target_uri: &str,
    ) -> Result<AuthorizationValue, ResourceError> {
        let url = url::Url::parse(target_uri).map_err(|_| ResourceError::InvalidTarget)?;
        if !is_secure_target(url.scheme(), url.host_str()) {
            return Err(ResourceError::InsecureTarget);
        }
        self.bearer_value()
    }

    /// `Bearer <access token>`, once the target was found secure.
    pub(crate) fn bearer_value(&self) -> Result<AuthorizationValue, ResourceError> {
        if self.tokens.dpop_jkt().is_some() {
            return Err(ResourceError::Misuse(ApiMisuse::DpopBound));
        }
        self.authorization_value("Bearer ")
    }

    /// `scheme` and the access token, a `b64token` (RFC 6750 §2.1,
    /// RFC 9449 §7.1).
    pub(crate) fn authorization_value(
        &self,
        scheme: &str,
    ) -> Result<AuthorizationValue, ResourceError> {
        let token = self.tokens.access_token().secret();
        // RFC 6750 §2.1's `b64token`; a provider's own token type is sent
        // as that provider documents its tokens.
        let sendable = match self.tokens.token_type() {
            TokenType::ProviderBearer(_) => is_sendable_token(token),
            _ => is_b64token(token),
        };
        if !sendable {
            return Err(ResourceError::InvalidToken);
        }
        let mut value = String::with_capacity(token.len().saturating_add(scheme.len()));
        value.push_str(scheme);
        value.push_str(token);
        Ok(AuthorizationValue::new(value))
    }

    /// Puts `Authorization: Bearer <access token>` on `request`
    /// (RFC 6750 §2.1), marked sensitive. Refuses a non-https, non-loopback
    /// target.
    ///
    /// # Errors
    /// As [`bearer_authorization`](Self::bearer_authorization).
    #[cfg(feature = "http")]
    pub fn authorize_request<B>(
        &self,
        request: &mut http::Request<B>,
    ) -> Result<(), ResourceError> {
        let uri = request.uri();
        // The host is looked at only for plain `http` (loopback check):
        // most targets are `https`, and `Uri::host` is not free.
        let secure = match uri.scheme_str() {
            Some(scheme) if scheme.eq_ignore_ascii_case("https") => true,
            Some(scheme) => is_secure_target(scheme, uri.host()),
            None => false,
        };
        if !secure {
            return Err(ResourceError::InsecureTarget);
        }
        let value = self.bearer_value()?;
        let mut header =
            http::HeaderValue::from_str(value.secret()).map_err(|_| ResourceError::InvalidToken)?;
        header.set_sensitive(true);
        request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, header);
        Ok(())
    }

    /// Puts `Authorization: DPoP <access token>` and a `DPoP` proof of
    /// `request` on it (RFC 9449 §7): the proof names the request's method,
    /// its URI without query and fragment, the access token's hash (`ath`)
    /// and the resource server's latest nonce (§9, kept by
    /// [`handle_resource_response`](Self::handle_resource_response)), and
    /// is signed with `client`'s DPoP key for `context`. Both headers are
    /// marked sensitive. Build the proof anew for every send: a server
    /// refuses a proof it has seen.
    ///
    /// # Errors
    /// [`ApiMisuse::NotDpopBound`](ApiMisuse::NotDpopBound) for a bearer token,
    /// [`ApiMisuse::DpopKeyMismatch`](ApiMisuse::DpopKeyMismatch) when `client` has not the key the
    /// token is bound to, [`ResourceError::InvalidTarget`] for a URI without
    /// scheme or host, [`ResourceError::InsecureTarget`] as
    /// [`authorize_request`](Self::authorize_request), and
    /// [`ResourceError::Signing`] when the key could not sign.
    #[cfg(feature = "http")]
    pub fn authorize_dpop_request<B>(
        &self,
        client: &Client,
        request: &mut http::Request<B>,
        context: &RequestContext,
    ) -> Result<(), ResourceError> {
        let jkt = self
            .tokens
            .dpop_jkt()
            .ok_or(ResourceError::Misuse(ApiMisuse::NotDpopBound))?;
        let key = client
            .dpop_key()
            .filter(|key| key.thumbprint() == jkt)
            .ok_or(ResourceError::Misuse(ApiMisuse::DpopKeyMismatch))?;
        let uri = request.uri();
        let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
            return Err(ResourceError::InvalidTarget);
        };
        if !is_secure_target(scheme, Some(host)) {
            return Err(ResourceError::InsecureTarget);
        }
        // The target URI without query and fragment (RFC 9449 §4.2), its
        // scheme and host in lowercase (RFC 3986 §6.2.2.1).
        let port = uri
            .port()
            .map(|port| alloc::format!(":{port}"))
            .unwrap_or_default();
        let htu = alloc::format!(
            "{scheme}://{}{port}{}",
            host.to_ascii_lowercase(),
            uri.path()
        );
        let value = self.authorization_value("DPoP ")?;
        let nonce = origin_of(uri).and_then(|origin| self.resource_nonce(&origin));
        let proof = crate::jws::proof(
            key,
            request.method().as_str(),
            &htu,
            context,
            nonce,
            Some(self.tokens.access_token().secret()),
        )
        .map_err(ResourceError::Signing)?;
        for (name, value) in [
            (http::header::AUTHORIZATION, value.secret()),
            (http::HeaderName::from_static("dpop"), proof.as_str()),
        ] {
            let mut header =
                http::HeaderValue::from_str(value).map_err(|_| ResourceError::InvalidToken)?;
            header.set_sensitive(true);
            request.headers_mut().insert(name, header);
        }
        Ok(())
    }

    /// Takes a protected resource's answer to a request for `target_uri`
    /// made with a DPoP-bound token, and keeps the resource server's nonce
    /// (RFC 9449 §9): a `DPoP-Nonce` it sent, with any status, is used in
    /// every later proof to that server (its scheme, host and port) until
    /// it supplies another (§8.2). The authorization server's nonce is kept
    /// apart ([`dpop_nonce`](Self::dpop_nonce)).
    ///
    /// Returns `true` when the server refused the request for want of the
    /// nonce it has just supplied (`401` with `WWW-Authenticate: DPoP
    /// error="use_dpop_nonce"`): build the request again (a new proof) and
    /// send it once more. `false` otherwise, and always for a bearer token.
    /// A driver does this by itself ([`Driver::request_resource`](crate::Driver::request_resource)).
    ///
    /// The nonces are part of the stored form: store the grant again after
    /// a call, so the next process does not pay a refused request first.
    #[cfg(feature = "http")]
    pub fn handle_resource_response<'a>(
        &mut self,
        target_uri: &str,
        response: impl Into<HttpResponse<'a>>,
    ) -> bool {
        http::Uri::try_from(target_uri)
            .is_ok_and(|uri| self.note_resource_response(&uri, &response.into()))
    }

    /// [`handle_resource_response`](Self::handle_resource_response) for a
    /// parsed URI.
    #[cfg(feature = "http")]
    pub(crate) fn note_resource_response(
        &mut self,
        uri: &http::Uri,
        response: &HttpResponse<'_>,
    ) -> bool {
        if self.tokens.dpop_jkt().is_none() {
            return false;
        }
        let (Some(origin), Some(nonce)) = (origin_of(uri), response.dpop_nonce()) else {
            return false;
        };
        if self.resource_nonce(&origin) == Some(nonce) {
            return false;
        }
        self.keep_resource_nonce(origin, nonce);
        response.status() == 401
            && matches!(
                DpopChallenge::from_response(*response),
                Ok(Some(challenge)) if challenge.error() == Some(&BearerErrorCode::UseDpopNonce)
            )
    }

    /// The resource server's latest DPoP nonce (RFC 9449 §9) for requests
    /// to `target_uri`'s scheme, host and port, when it supplied one.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn resource_dpop_nonce(&self, target_uri: &str) -> Option<&str> {
        let uri = http::Uri::try_from(target_uri).ok()?;
        self.resource_nonce(&origin_of(&uri)?)
    }

    #[cfg(feature = "http")]
    fn resource_nonce(&self, origin: &str) -> Option<&str> {
        self.resource_nonces
            .iter()
            .find(|(kept, _)| kept == origin)
            .map(|(_, nonce)| nonce.as_str())
    }

    /// Keeps `nonce` for `origin`, in place of the one it had; the oldest
    /// server's is forgotten beyond [`MAX_RESOURCE_NONCES`].
    #[cfg(feature = "http")]
    fn keep_resource_nonce(&mut self, origin: String, nonce: &str) {
        self.resource_nonces.retain(|(kept, _)| *kept != origin);
        if self.resource_nonces.len() >= MAX_RESOURCE_NONCES {
            self.resource_nonces.remove(0);
        }
        self.resource_nonces.push((origin, String::from(nonce)));
    }
}

/// The origin a resource server's nonce is kept under: scheme, host and a
/// port other than the scheme's default, in lowercase.
#[cfg(feature = "http")]
fn origin_of(uri: &http::Uri) -> Option<String> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    };
    Some(match uri.port_u16() {
        Some(port) if Some(port) != default => alloc::format!("{scheme}://{host}:{port}"),
        _ => alloc::format!("{scheme}://{host}"),
    })
}

//! Logout: the URL that sends the user's browser to the provider's end
//! session endpoint (OpenID Connect RP-Initiated Logout 1.0 §2), and the
//! validation of the logout token a provider posts to the client's
//! back-channel logout URI (OpenID Connect Back-Channel Logout 1.0 §2.4,
//! §2.5, §2.6).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use serde_json::Value;

use super::claims::{string, strings, time, Unique};
use super::id_token::{IdToken, DEFAULT_CLOCK_SKEW};
use super::key_set::KeySet;
use crate::config::Client;
use crate::endpoint::{Endpoint, RedirectUri};
use crate::error::{ApiMisuse, EndpointKind, JwtError};
use crate::jws::{JwsAlgorithm, JwsVerifier};
use crate::text::UntrustedText;
use crate::time::UnixTime;

/// The member of a logout token's `events` that makes it one
/// (Back-Channel Logout 1.0 §2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A logout request of the relying party (RP-Initiated Logout 1.0 §2):
/// the `end_session_endpoint` URL the user's browser is sent to, with
/// `client_id`, and — when set — `id_token_hint`, `post_logout_redirect_uri`,
/// `state`, `logout_hint` and `ui_locales`.
///
/// ```
/// # use oauth2_pkce::*;
/// # use oauth2_pkce::openid::*;
/// # fn log_out(client: &Client, id_token: &IdToken) -> Result<(), Box<dyn std::error::Error>> {
/// let url = EndSessionRequest::new(client)?
///     .id_token_hint(id_token)
///     .post_logout_redirect_uri(RedirectUri::new("https://app.example/logged-out")?)
///     .state("kept-in-the-session")
///     .url();
/// // Redirect the browser to `url`; compare `state` when it comes back.
/// # let _ = url;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use = "the logout URL must be built and the browser sent there"]
pub struct EndSessionRequest {
    endpoint: Endpoint,
    client_id: String,
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<RedirectUri>,
    state: Option<String>,
    logout_hint: Option<String>,
    ui_locales: Option<String>,
}

impl EndSessionRequest {
    /// A logout at `client`'s provider, its `client_id` sent (§2: it lets
    /// the provider honour `post_logout_redirect_uri` even without an ID
    /// token hint).
    ///
    /// # Errors
    /// [`ApiMisuse::NoEndpoint`] when the metadata names no
    /// `end_session_endpoint`.
    pub fn new(client: &Client) -> Result<Self, ApiMisuse> {
        let endpoint = client
            .end_session_endpoint()
            .cloned()
            .ok_or(ApiMisuse::NoEndpoint(EndpointKind::EndSession))?;
        Ok(Self {
            endpoint,
            client_id: String::from(client.client_id().as_str()),
            id_token_hint: None,
            post_logout_redirect_uri: None,
            state: None,
            logout_hint: None,
            ui_locales: None,
        })
    }

    /// `id_token_hint` (§2, RECOMMENDED): the ID token of the session to
    /// end, as it was received.
    pub fn id_token_hint(mut self, id_token: &IdToken) -> Self {
        self.id_token_hint = Some(String::from(id_token.as_compact()));
        self
    }

    /// `post_logout_redirect_uri` (§2, §3): where the provider sends the
    /// browser after the logout; one registered for the client, or the
    /// provider does not redirect.
    pub fn post_logout_redirect_uri(mut self, uri: RedirectUri) -> Self {
        self.post_logout_redirect_uri = Some(uri);
        self
    }

    /// `state` (§2): given back with the redirection to the
    /// `post_logout_redirect_uri`, for the app to keep its own state
    /// across the logout.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// `logout_hint` (§2): which user is logging out, when the provider
    /// needs it.
    pub fn logout_hint(mut self, hint: impl Into<String>) -> Self {
        self.logout_hint = Some(hint.into());
        self
    }

    /// `ui_locales` (§2): the languages of the provider's pages, space
    /// separated, most preferred first.
    pub fn ui_locales(mut self, locales: impl Into<String>) -> Self {
        self.ui_locales = Some(locales.into());
        self
    }

    /// The URL to send the browser to: the endpoint, its own query kept,
    /// with the parameters form-encoded (§2: `GET` with the query).
    #[must_use]
    pub fn url(&self) -> String {
        let mut url = self.endpoint.as_url().clone();
        {
            let mut query = url.query_pairs_mut();
            if let Some(hint) = &self.id_token_hint {
                query.append_pair("id_token_hint", hint);
            }
            if let Some(hint) = &self.logout_hint {
                query.append_pair("logout_hint", hint);
            }
            query.append_pair("client_id", &self.client_id);
            if let Some(uri) = &self.post_logout_redirect_uri {
                query.append_pair("post_logout_redirect_uri", uri.as_str());
            }
            if let Some(state) = &self.state {
                query.append_pair("state", state);
            }
            if let Some(locales) = &self.ui_locales {
                query.append_pair("ui_locales", locales);
            }
        }
        String::from(url.as_str())
    }
}

impl fmt::Debug for EndSessionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndSessionRequest")
            .field("endpoint", &self.endpoint)
            .field("client_id", &UntrustedText::from(self.client_id.as_str()))
            .field(
                "id_token_hint",
                &self.id_token_hint.as_ref().map(|_| "[redacted]"),
            )
            .field("post_logout_redirect_uri", &self.post_logout_redirect_uri)
            .finish_non_exhaustive()
    }
}

/// What a logout token (Back-Channel Logout 1.0 §2.4) is checked against:
/// the provider's issuer, the client's id, the algorithms, the skew.
#[derive(Clone, Debug)]
pub struct LogoutTokenValidation {
    issuer: String,
    client_id: String,
    algorithms: Vec<JwsAlgorithm>,
    skew: Duration,
}

impl LogoutTokenValidation {
    /// Checks against `issuer` (exactly) and `client_id`, for tokens
    /// signed with RS256 (as ID tokens by default), with
    /// [`DEFAULT_CLOCK_SKEW`].
    #[must_use]
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            algorithms: alloc::vec![JwsAlgorithm::Rs256],
            skew: DEFAULT_CLOCK_SKEW,
        }
    }

    /// The algorithms the token may be signed with: those of the client's
    /// ID tokens (§2.6 step 2: validated as an ID token's signature).
    #[must_use]
    pub fn algorithms(mut self, algorithms: &[JwsAlgorithm]) -> Self {
        self.algorithms = algorithms.to_vec();
        self
    }

    /// The clock skew allowed for `iat` and `exp`.
    #[must_use]
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Reads the `logout_token` of a back-channel logout request's body
    /// (§2.5: `application/x-www-form-urlencoded`, `POST`ed to the
    /// client's `backchannel_logout_uri`) and validates it ([`validate`](Self::validate)).
    ///
    /// # Errors
    /// [`JwtError::Malformed`] when the body has not exactly one
    /// `logout_token`; else as [`validate`](Self::validate). Answer `400`
    /// to the provider then (§2.8).
    pub fn validate_request_body(
        &self,
        body: &[u8],
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<LogoutToken, JwtError> {
        let mut tokens = url::form_urlencoded::parse(body)
            .filter(|(name, _)| name == "logout_token")
            .map(|(_, value)| value);
        match (tokens.next(), tokens.next()) {
            (Some(token), None) => self.validate(&token, keys, verifier, now),
            _ => Err(JwtError::Malformed),
        }
    }

    /// Validates a logout token (§2.6) at `now`: the JWS as an ID
    /// token's (its signature with `keys` through `verifier`, an allowed
    /// `alg`, never `none`), `typ` `logout+jwt` when the header has one;
    /// `iss` exact, `aud` with the client's id (and `azp` as an ID
    /// token's), `iat` not in the future and `exp` not past, both with the
    /// skew; `jti` present; `events` with [`BACKCHANNEL_LOGOUT_EVENT`]
    /// whose value is an object; `sub`, `sid` or both; no `nonce`.
    ///
    /// A valid token is not yet a logout to act on: refuse its
    /// [`jti`](LogoutToken::jti) if seen before (step 8), then end the
    /// sessions of its [`session_id`](LogoutToken::session_id) or
    /// [`subject`](LogoutToken::subject) at this issuer.
    ///
    /// # Errors
    /// [`JwtError`]; answer `400` to the provider (§2.8). For
    /// [`JwtError::UnknownKey`], fetch the key set again
    /// ([`KeySet::refetch`]) and validate again.
    pub fn validate(
        &self,
        logout_token: &str,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<LogoutToken, JwtError> {
        let verified = keys.verify(logout_token, &self.algorithms, verifier)?;
        if let Some(typ) = verified.header().typ() {
            let typ_ok = typ.eq_ignore_ascii_case("logout+jwt")
                || typ.eq_ignore_ascii_case("application/logout+jwt");
            if !typ_ok {
                return Err(JwtError::WrongType(UntrustedText::from(typ)));
            }
        }
        let Unique(members) =
            serde_json::from_slice(verified.payload()).map_err(|_| JwtError::ClaimsNotAnObject)?;
        let mut m = members.map_err(JwtError::DuplicateClaim)?;
        let iss = required(string(&mut m, "iss")?, "iss")?;
        let aud = strings(required(m.remove("aud"), "aud")?, "aud")?;
        let iat = required(time(&mut m, "iat")?, "iat")?;
        let exp = required(time(&mut m, "exp")?, "exp")?;
        let jti = required(string(&mut m, "jti")?, "jti")?;
        let azp = string(&mut m, "azp")?;
        let sub = string(&mut m, "sub")?;
        let sid = string(&mut m, "sid")?;
        let events = required(m.remove("events"), "events")?;
        if iss != self.issuer {
            return Err(JwtError::IssuerMismatch(UntrustedText::from(iss.as_str())));
        }
        if !aud.contains(&self.client_id) {
            return Err(JwtError::AudienceMismatch);
        }
        if (aud.len() > 1 || azp.is_some()) && azp.as_deref() != Some(self.client_id.as_str()) {
            return Err(JwtError::AuthorizedPartyMismatch);
        }
        if iat > now.saturating_add(self.skew) {
            return Err(JwtError::IssuedInFuture { iat });
        }
        if now.saturating_sub(self.skew) >= exp {
            return Err(JwtError::Expired { exp });
        }
        let Value::Object(events) = events else {
            return Err(JwtError::InvalidClaim("events"));
        };
        if !matches!(events.get(BACKCHANNEL_LOGOUT_EVENT), Some(Value::Object(_))) {
            return Err(JwtError::NotALogoutEvent);
        }
        if sub.is_none() && sid.is_none() {
            return Err(JwtError::NoSubjectOrSession);
        }
        if m.contains_key("nonce") {
            return Err(JwtError::NonceForbidden);
        }
        Ok(LogoutToken {
            iss,
            aud,
            iat,
            exp,
            jti,
            sub,
            sid,
        })
    }
}

/// A validated logout token (Back-Channel Logout 1.0 §2.4): who is logged
/// out at the provider — a user ([`subject`](Self::subject)), a session
/// ([`session_id`](Self::session_id)) or both — and the token's
/// [`jti`](Self::jti), to refuse a replay.
#[derive(Clone, PartialEq, Eq)]
pub struct LogoutToken {
    iss: String,
    aud: Vec<String>,
    iat: UnixTime,
    exp: UnixTime,
    jti: String,
    sub: Option<String>,
    sid: Option<String>,
}

impl LogoutToken {
    /// `iss`: the provider.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.iss
    }

    /// `aud`: the audiences, the client's id among them.
    #[must_use]
    pub fn audiences(&self) -> &[String] {
        &self.aud
    }

    /// `iat`.
    #[must_use]
    pub fn issued_at(&self) -> UnixTime {
        self.iat
    }

    /// `exp`: keep the [`jti`](Self::jti) at least until then.
    #[must_use]
    pub fn expires_at(&self) -> UnixTime {
        self.exp
    }

    /// `jti`: the token's unique identifier. Refuse a token whose `jti`
    /// was seen before (§2.6 step 8): a replay.
    #[must_use]
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// `sub`: the user logged out, every session of theirs at this issuer
    /// when there is no [`session_id`](Self::session_id).
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// `sid`: the provider's session logged out, the `sid` of the ID
    /// token of the sessions to end.
    #[must_use]
    pub fn session_id(&self) -> Option<&str> {
        self.sid.as_deref()
    }
}

fn required<T>(value: Option<T>, name: &'static str) -> Result<T, JwtError> {
    value.ok_or(JwtError::MissingClaim(name))
}

impl fmt::Debug for LogoutToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |value: &str| UntrustedText::from(value);
        f.debug_struct("LogoutToken")
            .field("iss", &text(&self.iss))
            .field("iat", &self.iat)
            .field("exp", &self.exp)
            .field("jti", &text(&self.jti))
            .field("sub", &self.sub.as_deref().map(text))
            .field("sid", &self.sid.as_deref().map(text))
            .finish_non_exhaustive()
    }
}

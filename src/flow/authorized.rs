//! Holding tokens: the token set (RFC 6749 §5.1) and using the access token
//! (RFC 6750 §2.1).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::authorization_details::{details_are_empty, AuthorizationDetails};
use crate::config::{Client, ClientId};
use crate::endpoint::Endpoint;
use crate::error::InvalidValue;
use crate::flow::{check_version, from_stored_json, to_stored_json, Origin, FORMAT_VERSION};
use crate::members::ExtraMembers;
use crate::resource_indicator::{check_count, resources_are_empty, ResourceIndicator};
use crate::scope::{scope_is_empty, Scope};
use crate::secret::{AccessToken, RefreshToken};
use crate::strictness::{TokenType, Tolerances};
use crate::syntax::is_vschar_token;
use crate::time::UnixTime;
use crate::wire::token::TokenResponse;

/// The tokens one grant produced.
#[derive(Clone, PartialEq)]
pub struct TokenSet {
    access_token: AccessToken,
    token_type: TokenType,
    /// When the response arrived; `None` for a token set stored before
    /// this was recorded.
    issued_at: Option<UnixTime>,
    expires_at: Option<UnixTime>,
    refresh_token: Option<RefreshToken>,
    scope: Scope,
    /// The response's `scope` was one token of requested scopes joined by
    /// commas, read as those scopes.
    scope_assumed_comma_delimited: bool,
    pub(crate) extra: ExtraMembers,
    generation: u64,
    /// RFC 9449 §6.1: the thumbprint of the key the access token is bound
    /// to, for a `token_type: DPoP` token.
    dpop_jkt: Option<String>,
    /// RFC 8707 §2: the resources the access token was asked for.
    pub(crate) resources: Vec<ResourceIndicator>,
    /// RFC 9396 §7: the authorization details granted to the access token.
    pub(crate) authorization_details: AuthorizationDetails,
}

impl TokenSet {
    /// Builds the token set from a checked response. An omitted `scope`
    /// means the requested one (RFC 6749 §5.1), and requested scopes
    /// joined by commas may be read as such
    /// ([`Tolerances::granted_scope`]); an omitted refresh token keeps the
    /// previous one (RFC 6749 §6), and so do omitted
    /// `authorization_details` (RFC 9396 §7: a refresh is a token of the
    /// same grant).
    pub(crate) fn from_response(
        response: TokenResponse,
        requested_scope: &Scope,
        tolerances: &Tolerances,
        previous: Option<&TokenSet>,
        now: UnixTime,
        dpop_jkt: Option<String>,
    ) -> Self {
        let refresh_token = response
            .refresh_token
            .or_else(|| previous.and_then(|p| p.refresh_token.clone()));
        let (scope, scope_assumed_comma_delimited) =
            tolerances.granted_scope(response.scope, requested_scope);
        Self {
            access_token: response.access_token,
            token_type: response.token_type,
            issued_at: Some(now),
            expires_at: response
                .expires_in
                .map(|s| now.saturating_add(Duration::from_secs(s))),
            refresh_token,
            scope,
            scope_assumed_comma_delimited,
            extra: response.extra,
            generation: previous.map_or(0, |p| p.generation.saturating_add(1)),
            dpop_jkt,
            resources: previous.map(|p| p.resources.clone()).unwrap_or_default(),
            authorization_details: response
                .authorization_details
                .or_else(|| previous.map(|p| p.authorization_details.clone()))
                .unwrap_or_default(),
        }
    }

    /// For a DPoP-bound access token (`token_type: DPoP`, RFC 9449 §5), the
    /// JWK thumbprint of the key it is bound to; `None` for a bearer token.
    #[must_use]
    pub fn dpop_jkt(&self) -> Option<&str> {
        self.dpop_jkt.as_deref()
    }

    /// The resources the access token was asked for (RFC 8707 §2): its
    /// intended audience. Empty when none was named.
    #[must_use]
    pub fn resources(&self) -> &[ResourceIndicator] {
        &self.resources
    }

    /// The authorization details granted to the access token (RFC 9396
    /// §7), as the token response listed them: possibly fewer than asked
    /// for, or enriched by the server (§7.1: an account the user picked),
    /// or of types the login never named (the server decides when the
    /// token request names none, §7) — they are the server's word, kept
    /// as sent. A refresh response without them keeps the previous ones.
    /// Empty when the server sent none.
    #[must_use]
    pub fn authorization_details(&self) -> &AuthorizationDetails {
        &self.authorization_details
    }

    /// The access token.
    #[must_use]
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// What the response said the token type is, or that none was sent
    /// and `Bearer` was assumed ([`TokenType::AssumedBearer`]). Every
    /// variant is used as `Authorization: Bearer`; a response naming any
    /// other type was refused.
    #[must_use]
    pub fn token_type(&self) -> &TokenType {
        &self.token_type
    }

    /// When the access token expires, if the server said (`expires_in`).
    #[must_use]
    pub fn expires_at(&self) -> Option<UnixTime> {
        self.expires_at
    }

    /// When the token response arrived (the `now` it was handled with).
    #[must_use]
    pub fn issued_at(&self) -> Option<UnixTime> {
        self.issued_at
    }

    /// The refresh token, if any.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The granted scope.
    #[must_use]
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Whether the response's `scope` was read as comma-delimited by
    /// inference, not by configuration: it had no space, splitting it on
    /// commas gave only scopes that were requested, and two or more were
    /// (GitHub, Shopify and TikTok answer `"repo,gist"` for `repo gist`).
    /// Like [`TokenType::AssumedBearer`], it marks the client's reading,
    /// not the server's word. Never under
    /// [`Strictness::Strict`](crate::tolerance::Strictness::Strict), which keeps such
    /// an answer as one token (RFC 6749 §3.3); never with
    /// [`ScopeDelimiter::Comma`](crate::tolerance::ScopeDelimiter::Comma), which
    /// splits on commas by choice.
    #[must_use]
    pub fn scope_assumed_comma_delimited(&self) -> bool {
        self.scope_assumed_comma_delimited
    }

    /// Response members this crate does not model, as sent (Pagero's
    /// `claims`, OpenID Connect's `id_token`, …). Values may be secret.
    #[must_use]
    pub fn extra(&self) -> &ExtraMembers {
        &self.extra
    }

    /// 0 for the token set from the code exchange, one more for each
    /// refresh: a store can compare-and-swap on it so two refreshes racing
    /// with one rotating refresh token do not overwrite each other.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("extra", &self.extra)
            .field("generation", &self.generation)
            .field("resources", &self.resources)
            .field("authorization_details", &self.authorization_details)
            .finish()
    }
}

/// A logged-in client: the tokens and where they came from.
///
/// `Serialize + Deserialize` with a format version, for a session store.
/// The stored form holds the tokens: store it encrypted.
///
/// # Calling an API with the access token
///
/// One way for each kind of HTTP stack:
/// - a driver's `request_resource` (feature `http`), the default: it puts
///   the token on as it must go — `Bearer`, or `DPoP` with a new proof —
///   and follows a resource server's nonce demand;
/// - [`authorize_request`](Self::authorize_request) (Bearer) or
///   [`authorize_dpop_request`](Self::authorize_dpop_request) (DPoP) on an
///   `http::Request` the app sends itself;
/// - [`bearer_authorization`](Self::bearer_authorization), the header
///   value, for a stack without the `http` crate.
#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub struct Authorized {
    pub(crate) origin: Origin,
    pub(crate) tokens: TokenSet,
    /// The scope of the grant behind the refresh token: a refresh may ask
    /// for any part of it, even after an earlier refresh narrowed the
    /// access token (RFC 6749 §6). `None` when unknown: nothing was asked
    /// for and the server did not say (Pagero's `"scope": ""`).
    pub(crate) grant_scope: Option<Scope>,
    /// The authorization server's latest `DPoP-Nonce` (RFC 9449 §8), for
    /// the next refresh's proof.
    pub(crate) dpop_nonce: Option<String>,
    /// Each resource server's latest `DPoP-Nonce` (RFC 9449 §9), by
    /// origin, oldest first; at most [`MAX_RESOURCE_NONCES`].
    pub(crate) resource_nonces: Vec<(String, String)>,
}

/// How long before the access token's expiry [`Authorized::needs_renewal`]
/// says "now" unless told otherwise: one minute, for clock skew between
/// client and server and for the time a request takes to arrive. For a
/// token that lives less than two minutes, half its lifetime is used
/// instead.
pub const DEFAULT_RENEWAL_LEEWAY: Duration = Duration::from_secs(60);

impl Authorized {
    pub(crate) fn new(origin: Origin, tokens: TokenSet) -> Self {
        let grant_scope = known(&tokens.scope);
        Self {
            origin,
            tokens,
            grant_scope,
            dpop_nonce: None,
            resource_nonces: Vec::new(),
        }
    }

    /// The tokens of a refresh response replacing these ones. A refresh of
    /// the whole grant (`narrowed` false) may reveal a grant scope that was
    /// unknown until then.
    pub(crate) fn refreshed(
        self,
        tokens: TokenSet,
        narrowed: bool,
        dpop_nonce: Option<String>,
    ) -> Self {
        let grant_scope = match self.grant_scope {
            Some(grant) => Some(grant),
            None if narrowed => None,
            None => known(&tokens.scope),
        };
        Self {
            origin: self.origin,
            tokens,
            grant_scope,
            dpop_nonce: dpop_nonce.or(self.dpop_nonce),
            resource_nonces: self.resource_nonces,
        }
    }

    /// The authorization server's latest DPoP nonce (RFC 9449 §8), which
    /// the next refresh's proof carries: the one its last answer supplied,
    /// or the one its last accepted proof carried. Part of the stored form.
    #[must_use]
    pub fn dpop_nonce(&self) -> Option<&str> {
        self.dpop_nonce.as_deref()
    }

    /// The scope of the grant: the widest scope a refresh may ask for.
    /// `None` when unknown (nothing was asked for and the server did not
    /// say which it granted); a refresh may then ask for any scope, and the
    /// server decides.
    pub fn grant_scope(&self) -> Option<&Scope> {
        self.grant_scope.as_ref()
    }

    /// When to renew the access token: `leeway` before it expires, but
    /// never more than half its lifetime before (so a 30-second token with
    /// a one-minute leeway is renewed after 15 seconds, not at once and
    /// forever). `None` when the expiry is unknown: the server sent no
    /// `expires_in`, so renew when the API answers `401 invalid_token`.
    ///
    /// Renew with [`refresh`](Self::refresh) when there is a refresh token
    /// ([`TokenSet::refresh_token`]); without one, run the grant again
    /// ([`ClientCredentials`](crate::ClientCredentials)) or log the user
    /// in again.
    #[must_use]
    pub fn renew_at(&self, leeway: Duration) -> Option<UnixTime> {
        let expires_at = self.tokens.expires_at?;
        let leeway = match self.tokens.issued_at {
            Some(issued_at) => {
                let lifetime = expires_at.saturating_duration_since(issued_at);
                leeway.min(lifetime.checked_div(2).unwrap_or(Duration::ZERO))
            }
            None => leeway,
        };
        Some(expires_at.saturating_sub(leeway))
    }

    /// Whether it is time to renew at `now` ([`renew_at`](Self::renew_at);
    /// [`DEFAULT_RENEWAL_LEEWAY`] is a good choice). `expires_in: 0` is due
    /// at once; a huge `expires_in` saturates instead of overflowing.
    #[must_use]
    pub fn needs_renewal(&self, now: UnixTime, leeway: Duration) -> bool {
        self.renew_at(leeway).is_some_and(|at| now >= at)
    }

    /// Moves the grant to the endpoints `client` has now, for a provider
    /// that changed its token or revocation endpoint.
    ///
    /// A stored `Authorized` is pinned to the endpoints it was issued
    /// with: a tampered or stale configuration cannot send its refresh
    /// token elsewhere. This is the explicit way to move it, and only to a
    /// client of the same issuer and `client_id` (the endpoints of a
    /// validated, ideally discovered, configuration).
    ///
    /// # Errors
    /// [`ApiMisuse::ClientMismatch`](crate::error::ApiMisuse::ClientMismatch)
    /// for a client of another issuer or `client_id`; nothing changes.
    pub fn rebind(&mut self, client: &Client) -> Result<(), crate::error::ApiMisuse> {
        if self.origin.credentials(client).is_none() {
            return Err(crate::error::ApiMisuse::ClientMismatch);
        }
        self.origin = Origin::of(client).0;
        Ok(())
    }

    /// Reads tokens stored as JSON ([`to_json`](Self::to_json)),
    /// with a typed error: another format version is reported as such.
    ///
    /// # Errors
    /// See [`InvalidValue`].
    pub fn from_json(json: &[u8]) -> Result<Self, InvalidValue> {
        from_stored_json(json)
    }

    /// The stored form of the grant as JSON, with its format version: what
    /// [`from_json`](Self::from_json) reads back. Store it as it is
    /// (encrypted where it holds tokens): no other JSON crate is needed.
    #[must_use]
    pub fn to_json(&self) -> String {
        to_stored_json(self)
    }

    /// The tokens.
    pub fn tokens(&self) -> &TokenSet {
        &self.tokens
    }

    /// The issuer the tokens come from.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.origin.issuer
    }

    /// Whether the access token has expired at `now`, or will within
    /// `leeway` (for the time a request takes to arrive). An unknown expiry
    /// is never expired: use the API's `401 invalid_token` answer instead.
    #[must_use]
    pub fn is_expired(&self, now: UnixTime, leeway: Duration) -> bool {
        self.tokens
            .expires_at
            .is_some_and(|expires_at| now.saturating_add(leeway) >= expires_at)
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_false(value: &bool) -> bool {
    !*value
}

#[allow(clippy::ptr_arg)] // serde's `skip_serializing_if` hands over the field itself
fn extra_is_empty(extra: &Cow<'_, ExtraMembers>) -> bool {
    extra.is_empty()
}

/// An empty scope says nothing about the grant: unknown.
fn known(scope: &Scope) -> Option<Scope> {
    (!scope.is_empty()).then(|| scope.clone())
}

/// How a token set's [`TokenType`] is stored: `""` when assumed (no
/// configured type is empty), or the provider type's name; absent for
/// `Bearer`, and for `DPoP`, which the stored `dpop_jkt` says.
#[derive(Default, Serialize, Deserialize)]
#[serde(transparent)]
struct StoredTokenType(Option<String>);

impl StoredTokenType {
    fn of(token_type: &TokenType) -> Self {
        Self(match token_type {
            TokenType::AssumedBearer => Some(String::new()),
            TokenType::ProviderBearer(name) => Some(name.clone()),
            _ => None,
        })
    }

    fn is_bearer(&self) -> bool {
        self.0.is_none()
    }

    /// The type back; a provider type is checked as when it was configured.
    fn into_token_type<E: serde::de::Error>(self) -> Result<TokenType, E> {
        match self.0.as_deref() {
            None => Ok(TokenType::Bearer),
            Some("") => Ok(TokenType::AssumedBearer),
            Some(name) => crate::strictness::Tolerances::default()
                .with_alias(name)
                .map(|_| TokenType::ProviderBearer(String::from(name)))
                .map_err(|_| E::custom("stored token_type cannot be read as Bearer")),
        }
    }
}

/// The stored form, version 1: borrowed when written, owned when read.
#[derive(Serialize, Deserialize)]
struct StoredV1<'a> {
    v: u32,
    issuer: Cow<'a, str>,
    client_id: Cow<'a, ClientId>,
    token_endpoint: Cow<'a, Endpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revocation_endpoint: Option<Cow<'a, Endpoint>>,
    access_token: Cow<'a, AccessToken>,
    /// Absent for `Bearer` (and in every state stored before this member).
    #[serde(default, skip_serializing_if = "StoredTokenType::is_bearer")]
    token_type: StoredTokenType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issued_at: Option<UnixTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<UnixTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<Cow<'a, RefreshToken>>,
    #[serde(default, skip_serializing_if = "scope_is_empty")]
    scope: Cow<'a, Scope>,
    /// Absent unless the scope was read as comma-delimited by inference.
    #[serde(default, skip_serializing_if = "is_false")]
    scope_comma_assumed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grant_scope: Option<Cow<'a, Scope>>,
    #[serde(default, skip_serializing_if = "extra_is_empty")]
    extra: Cow<'a, ExtraMembers>,
    #[serde(default)]
    generation: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dpop_jkt: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dpop_nonce: Option<Cow<'a, str>>,
    /// RFC 8707 resource indicators; absent in states stored before them.
    #[serde(default, skip_serializing_if = "resources_are_empty")]
    resource: Cow<'a, [ResourceIndicator]>,
    /// Resource servers' DPoP nonces, `[origin, nonce]` pairs.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    dpop_resource_nonces: Cow<'a, [(String, String)]>,
    /// RFC 9396 authorization details, the text of their JSON array;
    /// absent in states stored before them.
    #[serde(default, skip_serializing_if = "details_are_empty")]
    authorization_details: Cow<'a, AuthorizationDetails>,
}

impl Serialize for Authorized {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let tokens = &self.tokens;
        StoredV1 {
            v: FORMAT_VERSION,
            issuer: Cow::Borrowed(&self.origin.issuer),
            client_id: Cow::Borrowed(&self.origin.client_id),
            token_endpoint: Cow::Borrowed(&self.origin.token_endpoint),
            revocation_endpoint: self.origin.revocation_endpoint.as_ref().map(Cow::Borrowed),
            access_token: Cow::Borrowed(&tokens.access_token),
            token_type: StoredTokenType::of(&tokens.token_type),
            issued_at: tokens.issued_at,
            expires_at: tokens.expires_at,
            refresh_token: tokens.refresh_token.as_ref().map(Cow::Borrowed),
            scope: Cow::Borrowed(&tokens.scope),
            scope_comma_assumed: tokens.scope_assumed_comma_delimited,
            grant_scope: self.grant_scope.as_ref().map(Cow::Borrowed),
            extra: Cow::Borrowed(&tokens.extra),
            generation: tokens.generation,
            dpop_jkt: tokens.dpop_jkt.as_deref().map(Cow::Borrowed),
            dpop_nonce: self.dpop_nonce.as_deref().map(Cow::Borrowed),
            resource: Cow::Borrowed(&tokens.resources),
            dpop_resource_nonces: Cow::Borrowed(&self.resource_nonces),
            authorization_details: Cow::Borrowed(&tokens.authorization_details),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Authorized {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredV1::deserialize(deserializer)?;
        check_version(stored.v)?;
        // The stored tokens passed the token response's checks once.
        if !is_vschar_token(stored.access_token.secret())
            || stored
                .refresh_token
                .as_ref()
                .is_some_and(|token| !is_vschar_token(token.secret()))
        {
            return Err(serde::de::Error::custom(
                "stored access_token or refresh_token is not 1*VSCHAR",
            ));
        }
        check_count(&stored.resource).map_err(serde::de::Error::custom)?;
        let grant_scope = stored.grant_scope.map(Cow::into_owned);
        if grant_scope
            .as_ref()
            .is_some_and(|grant| !stored.scope.is_subset_of(grant))
        {
            return Err(serde::de::Error::custom(
                "stored scope is wider than the stored grant_scope",
            ));
        }
        let base64url = |value: &str| {
            !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if stored
            .dpop_jkt
            .as_deref()
            .is_some_and(|jkt| !base64url(jkt))
            || stored
                .dpop_nonce
                .as_deref()
                .is_some_and(|nonce| !crate::syntax::is_nonce(nonce))
        {
            return Err(serde::de::Error::custom(
                "stored dpop_jkt or dpop_nonce is malformed",
            ));
        }
        if stored.dpop_resource_nonces.len() > MAX_RESOURCE_NONCES
            || stored
                .dpop_resource_nonces
                .iter()
                .any(|(origin, nonce)| !is_stored_origin(origin) || !crate::syntax::is_nonce(nonce))
        {
            return Err(serde::de::Error::custom(
                "stored dpop_resource_nonces are malformed or too many",
            ));
        }
        Ok(Self {
            grant_scope,
            dpop_nonce: stored.dpop_nonce.map(Cow::into_owned),
            resource_nonces: stored.dpop_resource_nonces.into_owned(),
            origin: Origin::new(
                stored.issuer.into_owned(),
                stored.client_id.into_owned(),
                stored.token_endpoint.into_owned(),
                stored.revocation_endpoint.map(Cow::into_owned),
            ),
            tokens: TokenSet {
                access_token: stored.access_token.into_owned(),
                // A DPoP-bound token is one with a key thumbprint, and
                // nothing else.
                token_type: match (&stored.dpop_jkt, stored.token_type.is_bearer()) {
                    (None, _) => stored.token_type.into_token_type()?,
                    (Some(_), true) => TokenType::Dpop,
                    (Some(_), false) => {
                        return Err(serde::de::Error::custom(
                            "a stored token with a dpop_jkt has another token_type",
                        ));
                    }
                },
                issued_at: stored.issued_at,
                expires_at: stored.expires_at,
                refresh_token: stored.refresh_token.map(Cow::into_owned),
                scope: stored.scope.into_owned(),
                scope_assumed_comma_delimited: stored.scope_comma_assumed,
                extra: stored.extra.into_owned(),
                generation: stored.generation,
                dpop_jkt: stored.dpop_jkt.map(Cow::into_owned),
                resources: stored.resource.into_owned(),
                authorization_details: stored.authorization_details.into_owned(),
            },
        })
    }
}

/// How many resource servers' DPoP nonces a grant keeps: enough for the
/// APIs one token is for, and a bound on what a stored grant holds.
pub(crate) const MAX_RESOURCE_NONCES: usize = 8;

/// Whether a stored origin is one a resource server's nonce is kept
/// under: scheme, host and port, in lowercase.
fn is_stored_origin(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        (1..=262).contains(&rest.len())
            && rest.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
            })
    })
}

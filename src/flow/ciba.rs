//! OpenID Client-Initiated Backchannel Authentication (CIBA Core 1.0),
//! poll and ping modes: the client asks the provider to authenticate a
//! user it names, on the user's own device (a phone app), and collects the
//! tokens at the token endpoint once the user approved there.
//!
//! ```text
//! BackchannelAuthentication ──request / handle_response──▶ BackchannelPolling
//!   (store pending() while the user decides; in ping mode wait for the
//!    provider's notification, PingNotification)
//! BackchannelPolling ──request / handle_response──▶ IdTokenReceived ──verify──▶ SignedIn
//!   or Failure with poll_again_at(): send the same request again then
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use core::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::{Client, ClientAuthentication, ClientId, TenantIssuer};
use crate::endpoint::Endpoint;
use crate::error::CryptoError;
use crate::error::{
    ApiMisuse, CallbackError, EndpointErrorKind, EndpointKind, Failure, InvalidValue,
};
use crate::flow::polling::{poll_response, PollSchedule, Polling};
use crate::flow::signing_in::IdTokenReceived;
use crate::flow::{
    check_version, from_stored_json, to_stored_json, Credentials, Origin, FORMAT_VERSION,
};
use crate::http::{HttpRequest, HttpResponse};
use crate::jws::JwsAlgorithm;
use crate::oidc::IdTokenValidation;
use crate::scope::{scope_is_empty, Scope};
use crate::secret::{AuthReqId, BackchannelUserCode, ClientNotificationToken};
use crate::step::{EndpointStep, RequestContext};
use crate::syntax::is_vschar_token;
use crate::text::needs_escape;
use crate::time::UnixTime;
use crate::wire::ciba::{parse_backchannel_authentication_response, PingNotification, UserHint};
use crate::wire::form::FormSerializer;

/// The grant type of the token request that collects a backchannel
/// authentication's tokens (CIBA Core §10.1).
pub const CIBA_GRANT_TYPE: &str = "urn:openid:params:grant-type:ciba";

/// The backchannel authentication request (CIBA Core §7.1): `scope` (with
/// `openid`), the [`UserHint`] that names the user, the optional
/// `binding_message`, `user_code`, `requested_expiry`, `acr_values` and,
/// in ping mode, `client_notification_token`, form-encoded and `POST`ed
/// with the client authentication to the
/// `backchannel_authentication_endpoint`.
///
/// An [`EndpointStep`] whose output is the [`BackchannelPolling`] step.
#[must_use = "the backchannel authentication does nothing until its request is sent"]
#[derive(Debug)]
pub struct BackchannelAuthentication {
    origin: Origin,
    credentials: Credentials,
    endpoint: Endpoint,
    scope: Scope,
    hint: UserHint,
    binding_message: Option<String>,
    user_code: Option<BackchannelUserCode>,
    requested_expiry: Option<u64>,
    acr_values: Option<String>,
    client_notification_token: Option<ClientNotificationToken>,
    id_token_signing_alg: JwsAlgorithm,
    tenant_issuer: Option<TenantIssuer>,
}

impl BackchannelAuthentication {
    /// A backchannel authentication of the user `hint` names, by
    /// `client`, asking for `scope`.
    ///
    /// # Errors
    /// - [`ApiMisuse::NoEndpoint`] when the metadata names no
    ///   `backchannel_authentication_endpoint`;
    /// - [`ApiMisuse::PublicClient`] for a client without credentials: the
    ///   request must be authenticated (CIBA Core §7.1);
    /// - [`ApiMisuse::OpenIdScopeRequired`] when `scope` lacks `openid`.
    pub fn new(client: &Client, scope: Scope, hint: UserHint) -> Result<Self, ApiMisuse> {
        let endpoint =
            client
                .backchannel_authentication_endpoint
                .clone()
                .ok_or(ApiMisuse::NoEndpoint(
                    EndpointKind::BackchannelAuthentication,
                ))?;
        if matches!(client.authentication, ClientAuthentication::None) {
            return Err(ApiMisuse::PublicClient);
        }
        if !scope.contains("openid") {
            return Err(ApiMisuse::OpenIdScopeRequired);
        }
        let (origin, credentials) = Origin::of(client);
        Ok(Self {
            origin,
            credentials,
            endpoint,
            scope,
            hint,
            binding_message: None,
            user_code: None,
            requested_expiry: None,
            acr_values: None,
            client_notification_token: None,
            id_token_signing_alg: client.id_token_signing_alg,
            tenant_issuer: client.metadata.tenant_issuer,
        })
    }

    /// `binding_message` (CIBA Core §7.1): a short text shown on both the
    /// consumption and the authentication device, so the user can tell
    /// that the request they approve is this one.
    ///
    /// # Errors
    /// [`InvalidValue::RequestParameter`] when it is empty or holds a
    /// control, bidi or invisible format character.
    pub fn binding_message(mut self, message: impl Into<String>) -> Result<Self, InvalidValue> {
        let message = message.into();
        if message.is_empty() || message.chars().any(needs_escape) {
            return Err(InvalidValue::RequestParameter("binding_message"));
        }
        self.binding_message = Some(message);
        Ok(self)
    }

    /// `user_code` (CIBA Core §7.1): the secret the user gave the client,
    /// for a provider that asks for one
    /// (`backchannel_user_code_parameter_supported`).
    pub fn user_code(mut self, code: BackchannelUserCode) -> Self {
        self.user_code = Some(code);
        self
    }

    /// `requested_expiry` (CIBA Core §7.1): how long the client would like
    /// the request to stay valid, in whole seconds; the provider decides
    /// (its `expires_in`).
    ///
    /// # Errors
    /// [`InvalidValue::RequestParameter`] for less than a second.
    pub fn requested_expiry(mut self, expiry: Duration) -> Result<Self, InvalidValue> {
        match expiry.as_secs() {
            0 => Err(InvalidValue::RequestParameter("requested_expiry")),
            seconds => {
                self.requested_expiry = Some(seconds);
                Ok(self)
            }
        }
    }

    /// `acr_values` (CIBA Core §7.1), in order of preference.
    ///
    /// # Errors
    /// [`InvalidValue::RequestParameter`] when there is none, or one is
    /// empty or not printable ASCII without spaces.
    pub fn acr_values(mut self, values: &[&str]) -> Result<Self, InvalidValue> {
        let is_token = |value: &&str| is_vschar_token(value) && !value.contains(' ');
        if values.is_empty() || !values.iter().all(is_token) {
            return Err(InvalidValue::RequestParameter("acr_values"));
        }
        self.acr_values = Some(values.join(" "));
        Ok(self)
    }

    /// Ping mode (CIBA Core §5, §10.2): `client_notification_token`, the
    /// bearer token the provider sends back to the client's notification
    /// endpoint when the user decided. Kept in the pending state to check
    /// the notification against ([`AwaitingBackchannelApproval::accept_ping`]).
    /// Draw it from at least 128 bits of randomness.
    ///
    /// # Errors
    /// [`InvalidValue::RequestParameter`] when it is not a bearer token
    /// (RFC 6750 §2.1's `b64token`) or shorter than 22 characters.
    pub fn client_notification_token(
        mut self,
        token: ClientNotificationToken,
    ) -> Result<Self, InvalidValue> {
        let token68 = token.secret().trim_end_matches('=');
        let b64token = token68.len() >= 22
            && token68.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
            });
        if !b64token {
            return Err(InvalidValue::RequestParameter("client_notification_token"));
        }
        self.client_notification_token = Some(token);
        Ok(self)
    }
}

impl EndpointStep for BackchannelAuthentication {
    /// The polling step.
    type Output = BackchannelPolling;

    const ENDPOINT: EndpointKind = EndpointKind::BackchannelAuthentication;

    /// The backchannel authentication request (CIBA Core §7.1).
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        self.credentials.append_scope(&mut form, &self.scope);
        let (name, value) = self.hint.parameter();
        form.append(name, value);
        if let Some(message) = &self.binding_message {
            form.append("binding_message", message);
        }
        if let Some(code) = &self.user_code {
            form.append("user_code", code.secret());
        }
        if let Some(expiry) = self.requested_expiry {
            form.append("requested_expiry", &alloc::format!("{expiry}"));
        }
        if let Some(acr_values) = &self.acr_values {
            form.append("acr_values", acr_values);
        }
        if let Some(token) = &self.client_notification_token {
            form.append("client_notification_token", token.secret());
        }
        self.credentials.post(&self.endpoint, form, context)
    }

    /// Consumes the acknowledgement (CIBA Core §7.3). `now` is when it
    /// arrived: the `auth_req_id` expires `expires_in` seconds later, and
    /// the first poll may come one `interval` (5 s when the provider names
    /// none) and one second later.
    ///
    /// # Errors
    /// A [`Failure`]: the §13 errors typed in
    /// [`TokenErrorCode`](crate::errors::TokenErrorCode)
    /// (`unknown_user_id`, `invalid_binding_message`, …); an `interval`
    /// that puts the first poll at or past the expiry:
    /// [`EndpointErrorKind::AuthReqIdExpired`], no step; 429 and 5xx give
    /// this step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<BackchannelPolling, Failure<BackchannelAuthentication>> {
        let parsed = match parse_backchannel_authentication_response(&response.into(), now) {
            Ok(parsed) => parsed,
            Err(kind) => return Err(Failure::new(Self::ENDPOINT, kind, self)),
        };
        let schedule = match PollSchedule::start(now, parsed.expires_in, parsed.interval) {
            Ok(schedule) => schedule,
            Err(expires_at) => {
                let expired = EndpointErrorKind::AuthReqIdExpired { expires_at };
                return Err(Failure::new(Self::ENDPOINT, expired, self));
            }
        };
        Ok(BackchannelPolling {
            pending: AwaitingBackchannelApproval {
                origin: self.origin,
                auth_req_id: parsed.auth_req_id,
                scope: self.scope,
                schedule,
                client_notification_token: self.client_notification_token,
            },
            credentials: self.credentials,
            id_token_signing_alg: self.id_token_signing_alg,
            tenant_issuer: self.tenant_issuer,
        })
    }
}

/// A backchannel authentication waiting for the user (CIBA Core §7.3):
/// its `auth_req_id`, when to poll next, and when to give up.
///
/// # Storing it
///
/// `Serialize + Deserialize` with a format version, like
/// [`AwaitingDeviceApproval`](crate::device::AwaitingDeviceApproval): one
/// process may start the request and another poll for it, or take the
/// ping ([`from_json`](Self::from_json), then [`poll`](Self::poll) with the
/// client). It holds the `auth_req_id` and the `client_notification_token`,
/// secrets until the authentication ends: store it as tokens are stored.
/// It is bound to the issuer, `client_id` and token endpoint it began
/// with: polling with another issuer's client is refused before anything
/// is built.
#[must_use = "the pending backchannel authentication is needed to collect the tokens"]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitingBackchannelApproval {
    origin: Origin,
    auth_req_id: AuthReqId,
    scope: Scope,
    schedule: PollSchedule,
    client_notification_token: Option<ClientNotificationToken>,
}

impl AwaitingBackchannelApproval {
    /// Reads a pending backchannel authentication stored as JSON
    /// ([`to_json`](Self::to_json)), with a typed error.
    ///
    /// # Errors
    /// See [`InvalidValue`].
    pub fn from_json(json: &[u8]) -> Result<Self, InvalidValue> {
        from_stored_json(json)
    }

    /// The stored form as JSON, with its format version: what
    /// [`from_json`](Self::from_json) reads back.
    #[must_use]
    pub fn to_json(&self) -> String {
        to_stored_json(self)
    }

    /// The polling step again, with `client`'s credentials: after a
    /// restart, in another process, or after
    /// [`BackchannelPolling::into_pending`].
    ///
    /// # Errors
    /// [`ApiMisuse::ClientMismatch`] for a client of another issuer or
    /// `client_id`.
    pub fn poll(self, client: &Client) -> Result<BackchannelPolling, ApiMisuse> {
        let credentials = self
            .origin
            .credentials(client)
            .ok_or(ApiMisuse::ClientMismatch)?;
        Ok(BackchannelPolling {
            pending: self,
            credentials,
            id_token_signing_alg: client.id_token_signing_alg,
            tenant_issuer: client.metadata.tenant_issuer,
        })
    }

    /// The request's identifier (CIBA Core §7.3): the key to store the
    /// pending state under, and what a ping notification names.
    pub fn auth_req_id(&self) -> &AuthReqId {
        &self.auth_req_id
    }

    /// The scope asked for.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// When the `auth_req_id` expires (`expires_in` after the
    /// acknowledgement arrived): no poll is made after it.
    pub fn expires_at(&self) -> UnixTime {
        self.schedule.expires_at
    }

    /// The polling interval now: the provider's `interval` (5 s when it
    /// named none), plus 5 s for every `slow_down` (CIBA Core §11).
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.schedule.interval)
    }

    /// When the next poll may be sent, not sooner (CIBA Core §7.3).
    pub fn next_poll_at(&self) -> UnixTime {
        self.schedule.next_poll_at
    }

    /// Whether the `auth_req_id` has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: UnixTime) -> bool {
        now >= self.schedule.expires_at
    }

    /// Whether the request asked for ping mode (it carried a
    /// `client_notification_token`).
    #[must_use]
    pub fn is_ping_mode(&self) -> bool {
        self.client_notification_token.is_some()
    }

    /// The issuer the request went to.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.origin.issuer
    }

    /// Checks a ping notification (CIBA Core §10.2) that arrived at `now`
    /// against this request: its bearer token must be the
    /// `client_notification_token` the request carried, its `auth_req_id`
    /// this one's, both compared in constant time. Then the user has
    /// decided and the token request may go at once (§10.2): the next poll
    /// moves to `now` (unless the request has expired), so
    /// [`poll`](Self::poll) — and a driver — sends it without waiting.
    ///
    /// # Errors
    /// [`CallbackError::NotificationTokenMismatch`] for another token or
    /// a request that was not in ping mode, [`CallbackError::AuthReqIdMismatch`]
    /// for another request's notification; nothing changes then.
    pub fn accept_ping(
        &mut self,
        notification: &PingNotification,
        now: UnixTime,
    ) -> Result<(), CallbackError> {
        let expected = self
            .client_notification_token
            .as_ref()
            .ok_or(CallbackError::NotificationTokenMismatch)?;
        if !notification.carries(expected) {
            return Err(CallbackError::NotificationTokenMismatch);
        }
        if notification.auth_req_id() != &self.auth_req_id {
            return Err(CallbackError::AuthReqIdMismatch);
        }
        if now < self.schedule.expires_at {
            self.schedule.next_poll_at = self.schedule.next_poll_at.min(now);
        }
        Ok(())
    }
}

/// The token request of a backchannel authentication (CIBA Core §10.1):
/// `grant_type=urn:openid:params:grant-type:ciba` and `auth_req_id`, sent
/// until the user approved, refused, or the `auth_req_id` expired — in
/// poll mode every interval; in ping mode once the notification came
/// (polling is allowed too).
///
/// An [`EndpointStep`] whose output is [`IdTokenReceived`]: CIBA is an
/// OpenID Connect authentication, and the tokens come out once the ID
/// token verifies, as at a code flow's sign-in (no `nonce` here: the
/// request had none). While the user has not finished, the provider
/// answers `authorization_pending` or `slow_down` (§11) and
/// [`handle_response`](EndpointStep::handle_response) gives a
/// [`Failure`] whose [`poll_again_at`](Failure::poll_again_at) says when
/// to send the same request again, with this step handed back. A
/// [`Driver`](crate::Driver) runs the whole loop, as for
/// [`DevicePolling`](crate::device::DevicePolling).
#[must_use = "the backchannel authentication ends only when the token endpoint says so"]
#[derive(Debug)]
pub struct BackchannelPolling {
    pending: AwaitingBackchannelApproval,
    credentials: Credentials,
    id_token_signing_alg: JwsAlgorithm,
    tenant_issuer: Option<TenantIssuer>,
}

impl BackchannelPolling {
    /// The pending authentication: when to poll next; and what to store.
    pub fn pending(&self) -> &AwaitingBackchannelApproval {
        &self.pending
    }

    /// The pending authentication, without the client's credentials.
    pub fn into_pending(self) -> AwaitingBackchannelApproval {
        self.pending
    }

    /// The ID token's validation: the issuer and `client_id` the request
    /// went with, the client's algorithm, no `nonce` (CIBA Core §7.1 has
    /// none).
    fn validation(&self) -> IdTokenValidation {
        let origin = &self.pending.origin;
        let validation = IdTokenValidation::new(origin.issuer.as_str(), origin.client_id.as_str())
            .algorithms(&[self.id_token_signing_alg]);
        match self.tenant_issuer {
            Some(template) => validation.tenant_issuer(template),
            None => validation,
        }
    }
}

impl Polling for BackchannelPolling {
    fn schedule_and_credentials(&mut self) -> (&mut PollSchedule, &mut Credentials) {
        (&mut self.pending.schedule, &mut self.credentials)
    }

    fn expired(expires_at: UnixTime) -> EndpointErrorKind {
        EndpointErrorKind::AuthReqIdExpired { expires_at }
    }

    fn into_grant(self) -> (Origin, Scope) {
        (self.pending.origin, self.pending.scope)
    }
}

impl EndpointStep for BackchannelPolling {
    /// The token response, its ID token not yet verified.
    type Output = IdTokenReceived;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The token request (CIBA Core §10.1) with the client authentication,
    /// to the token endpoint the request began with, with a DPoP proof
    /// when the client has a key (RFC 9449 §5).
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append("grant_type", CIBA_GRANT_TYPE)
            .append("auth_req_id", self.pending.auth_req_id.secret());
        self.credentials
            .post_proven(&self.pending.origin.token_endpoint, form, context)
    }

    /// [`AwaitingBackchannelApproval::next_poll_at`].
    fn not_before(&self) -> Option<UnixTime> {
        Some(self.pending.schedule.next_poll_at)
    }

    /// [`AwaitingBackchannelApproval::expires_at`].
    fn not_after(&self) -> Option<UnixTime> {
        Some(self.pending.schedule.expires_at)
    }

    fn deadline_error(&self, expires_at: UnixTime) -> EndpointErrorKind {
        Self::expired(expires_at)
    }

    /// Consumes the token endpoint's answer (CIBA Core §10.1.1, §11), by
    /// the device grant's rules: `authorization_pending` and `slow_down`
    /// (5 s more, for good) give the step back with
    /// [`Failure::poll_again_at`], unless the next poll would come at or
    /// past the expiry: [`EndpointErrorKind::AuthReqIdExpired`];
    /// `access_denied` ([`Failure::code`]), `expired_token` and the other
    /// errors end it; 429 and 5xx are retryable.
    ///
    /// # Errors
    /// A [`Failure`], as above.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<IdTokenReceived, Failure<BackchannelPolling>> {
        let validation = self.validation();
        poll_response(self, &response.into(), now)
            .map(|authorized| IdTokenReceived::new(authorized, validation))
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
    auth_req_id: Cow<'a, AuthReqId>,
    #[serde(default, skip_serializing_if = "scope_is_empty")]
    scope: Cow<'a, Scope>,
    expires_at: UnixTime,
    interval: u64,
    next_poll_at: UnixTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_notification_token: Option<Cow<'a, ClientNotificationToken>>,
}

impl Serialize for AwaitingBackchannelApproval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredV1 {
            v: FORMAT_VERSION,
            issuer: Cow::Borrowed(&self.origin.issuer),
            client_id: Cow::Borrowed(&self.origin.client_id),
            token_endpoint: Cow::Borrowed(&self.origin.token_endpoint),
            revocation_endpoint: self.origin.revocation_endpoint.as_ref().map(Cow::Borrowed),
            auth_req_id: Cow::Borrowed(&self.auth_req_id),
            scope: Cow::Borrowed(&self.scope),
            expires_at: self.schedule.expires_at,
            interval: self.schedule.interval,
            next_poll_at: self.schedule.next_poll_at,
            client_notification_token: self.client_notification_token.as_ref().map(Cow::Borrowed),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AwaitingBackchannelApproval {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredV1::deserialize(deserializer)?;
        check_version(stored.v)?;
        if !is_vschar_token(stored.auth_req_id.secret()) {
            return Err(serde::de::Error::custom(
                "stored auth_req_id is not 1*VSCHAR",
            ));
        }
        if !stored.scope.contains("openid") {
            return Err(serde::de::Error::custom("stored scope lacks openid"));
        }
        let schedule =
            PollSchedule::stored(stored.expires_at, stored.interval, stored.next_poll_at)
                .map_err(serde::de::Error::custom)?;
        Ok(Self {
            origin: Origin::new(
                stored.issuer.into_owned(),
                stored.client_id.into_owned(),
                stored.token_endpoint.into_owned(),
                stored.revocation_endpoint.map(Cow::into_owned),
            ),
            auth_req_id: stored.auth_req_id.into_owned(),
            scope: stored.scope.into_owned(),
            schedule,
            client_notification_token: stored.client_notification_token.map(Cow::into_owned),
        })
    }
}

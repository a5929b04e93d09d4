//! The device authorization grant (RFC 8628): a device without a browser
//! or keyboard — a TV, a CLI on a remote host — asks for a user code, the
//! user approves on another device, and the device polls the token
//! endpoint until they did.
//!
//! ```text
//! DeviceAuthorization ──request / handle_response──▶ DevicePolling
//!   (show pending().user_code() and verification_uri() to the user)
//! DevicePolling ──request / handle_response──▶ Authorized
//!   or Failure with poll_again_at(): send the same request again then
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::{Client, ClientId};
use crate::endpoint::Endpoint;
use crate::error::CryptoError;
use crate::error::InvalidValue;
use crate::error::{ApiMisuse, EndpointErrorKind, EndpointKind, Failure};
use crate::flow::authorized::Authorized;
use crate::flow::polling::{poll_response, PollSchedule, Polling};
use crate::flow::{
    check_version, from_stored_json, to_stored_json, Credentials, Origin, FORMAT_VERSION,
};
use crate::http::{HttpRequest, HttpResponse};
use crate::scope::{scope_is_empty, Scope};
use crate::secret::DeviceCode;
use crate::step::{EndpointStep, RequestContext};
use crate::syntax::is_vschar_token;
use crate::time::UnixTime;
use crate::wire::device::{parse_device_authorization_response, UserCode, VerificationUri};
use crate::wire::form::FormSerializer;

/// The grant type of the device access token request (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The device authorization request (RFC 8628 §3.1): `scope` and the
/// client authentication (a public client sends its `client_id`),
/// form-encoded, `POST`ed to the `device_authorization_endpoint`.
///
/// An [`EndpointStep`] whose output is the [`DevicePolling`] step: show
/// its user code and verification URI, then poll.
#[must_use = "the device authorization does nothing until its request is sent"]
pub struct DeviceAuthorization {
    origin: Origin,
    credentials: Credentials,
    endpoint: Endpoint,
    scope: Scope,
}

impl DeviceAuthorization {
    /// A device login with `client`, asking for `scope` (omitted when
    /// empty).
    ///
    /// # Errors
    /// [`ApiMisuse::NoEndpoint`] when the
    /// metadata names none.
    pub fn new(client: &Client, scope: Scope) -> Result<Self, ApiMisuse> {
        let endpoint = client
            .device_authorization_endpoint
            .clone()
            .ok_or(ApiMisuse::NoEndpoint(EndpointKind::DeviceAuthorization))?;
        let (origin, credentials) = Origin::of(client);
        Ok(Self {
            origin,
            credentials,
            endpoint,
            scope,
        })
    }
}

impl EndpointStep for DeviceAuthorization {
    /// The polling step, with what to show the user.
    type Output = DevicePolling;

    const ENDPOINT: EndpointKind = EndpointKind::DeviceAuthorization;

    /// The device authorization request (RFC 8628 §3.1).
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        if !self.scope.is_empty() {
            let delimiter = self.credentials.tolerances.scope_delimiter;
            form.append("scope", &delimiter.join(&self.scope));
        }
        self.credentials.post(&self.endpoint, form, context)
    }

    /// Consumes the device authorization response (RFC 8628 §3.2). `now`
    /// is when it arrived: the device code expires `expires_in` seconds
    /// later, and the first poll may come one `interval` (5 s when the
    /// server names none) and one second later (the second because `now`
    /// is read in whole seconds: a poll must never come early).
    ///
    /// # Errors
    /// A [`Failure`]: a `verification_uri` or `verification_uri_complete`
    /// that is not `https` (nor `http` on a loopback IP literal) is
    /// [`EndpointErrorKind::InvalidUrl`](crate::errors::EndpointErrorKind::InvalidUrl),
    /// never shown; an `interval` that puts the first poll at or past the
    /// expiry leaves no poll to make:
    /// [`EndpointErrorKind::DeviceCodeExpired`], no step; errors as the
    /// token endpoint's (RFC 6749 §5.2); 429 and 5xx give this step back.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<DevicePolling, Failure<DeviceAuthorization>> {
        let parsed = match parse_device_authorization_response(&response.into(), now) {
            Ok(parsed) => parsed,
            Err(kind) => return Err(Failure::new(Self::ENDPOINT, kind, self)),
        };
        let schedule = match PollSchedule::start(now, parsed.expires_in, parsed.interval) {
            Ok(schedule) => schedule,
            Err(expires_at) => {
                let expired = EndpointErrorKind::DeviceCodeExpired { expires_at };
                return Err(Failure::new(Self::ENDPOINT, expired, self));
            }
        };
        let pending = AwaitingDeviceApproval {
            origin: self.origin,
            device_code: parsed.device_code,
            user_code: parsed.user_code,
            verification_uri: parsed.verification_uri,
            verification_uri_complete: parsed.verification_uri_complete,
            scope: self.scope,
            schedule,
        };
        Ok(DevicePolling {
            pending,
            credentials: self.credentials,
        })
    }
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A device login waiting for the user to approve it (RFC 8628 §3.3):
/// what to show them, when to poll next, and when to give up.
///
/// # Storing it
///
/// `Serialize + Deserialize` with a format version, like
/// [`AwaitingCallback`](crate::AwaitingCallback), so a device that
/// restarts mid-login picks it up again
/// ([`from_json`](Self::from_json), then [`poll`](Self::poll) with the
/// client). It holds the device code, a secret until the login ends:
/// store it where the device keeps its tokens. It is bound to the issuer,
/// `client_id` and token endpoint it began with: polling with another
/// issuer's client is refused before anything is built.
#[must_use = "the pending device login is needed to collect the tokens"]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitingDeviceApproval {
    origin: Origin,
    device_code: DeviceCode,
    user_code: UserCode,
    verification_uri: VerificationUri,
    verification_uri_complete: Option<VerificationUri>,
    scope: Scope,
    schedule: PollSchedule,
}

impl AwaitingDeviceApproval {
    /// Reads a pending device login stored as JSON
    /// ([`to_json`](Self::to_json)), with a typed error: another format
    /// version is reported as such.
    ///
    /// # Errors
    /// See [`InvalidValue`].
    pub fn from_json(json: &[u8]) -> Result<Self, InvalidValue> {
        from_stored_json(json)
    }

    /// The stored form of the pending device login as JSON, with its format version: what
    /// [`from_json`](Self::from_json) reads back. Store it as it is
    /// (encrypted where it holds tokens): no other JSON crate is needed.
    #[must_use]
    pub fn to_json(&self) -> String {
        to_stored_json(self)
    }

    /// The polling step again, with `client`'s credentials: after a
    /// restart, or after [`DevicePolling::into_pending`].
    ///
    /// # Errors
    /// [`ApiMisuse::ClientMismatch`] for a client of
    /// another issuer or `client_id`.
    pub fn poll(self, client: &Client) -> Result<DevicePolling, ApiMisuse> {
        let credentials = self
            .origin
            .credentials(client)
            .ok_or(ApiMisuse::ClientMismatch)?;
        Ok(DevicePolling {
            pending: self,
            credentials,
        })
    }

    /// The code the user enters at the [`verification_uri`](Self::verification_uri)
    /// (RFC 8628 §3.3).
    pub fn user_code(&self) -> &UserCode {
        &self.user_code
    }

    /// Where the user goes to enter the code (RFC 8628 §3.3): `https`, or
    /// `http` on a loopback IP literal, checked before it is handed out.
    pub fn verification_uri(&self) -> &VerificationUri {
        &self.verification_uri
    }

    /// The verification URI with the user code in it, when the server
    /// sent one: for a QR code or a link (RFC 8628 §3.3.1). Show the user
    /// code too, so the user can check it matches.
    pub fn verification_uri_complete(&self) -> Option<&VerificationUri> {
        self.verification_uri_complete.as_ref()
    }

    /// The scope asked for.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// When the device code expires (`expires_in` after the device
    /// authorization response arrived): no poll is made after it —
    /// [`next_poll_at`](Self::next_poll_at) is always before it, and an
    /// answer that would move the next poll to it or past it ends the
    /// login.
    pub fn expires_at(&self) -> UnixTime {
        self.schedule.expires_at
    }

    /// The polling interval now: the server's `interval` (5 s when it
    /// named none), plus 5 s for every `slow_down` (RFC 8628 §3.5).
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.schedule.interval)
    }

    /// When the next poll may be sent, not sooner (RFC 8628 §3.5).
    pub fn next_poll_at(&self) -> UnixTime {
        self.schedule.next_poll_at
    }

    /// Whether the device code has expired at `now`: stop polling, and
    /// start a new device login when the user asks again.
    #[must_use]
    pub fn is_expired(&self, now: UnixTime) -> bool {
        now >= self.schedule.expires_at
    }

    /// The issuer the login began with.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.origin.issuer
    }
}

/// The device access token request (RFC 8628 §3.4), sent until the user
/// approved, refused, or the device code expired.
///
/// An [`EndpointStep`] whose output is [`Authorized`], as every other
/// grant's: it refreshes and revokes the same way. While the user has not
/// finished, the server answers `authorization_pending` or `slow_down`
/// (§3.5) and [`handle_response`](EndpointStep::handle_response) gives a
/// [`Failure`] whose [`poll_again_at`](Failure::poll_again_at) says when
/// to send the same request again, with this step handed back
/// ([`Failure::into_retry`]). A [`Driver`](crate::Driver) runs the whole
/// loop, sleeping with the caller's function; by hand:
///
/// ```
/// # use oauth2_pkce::*;
/// # use oauth2_pkce::values::{HttpRequest, HttpResponse};
/// use oauth2_pkce::device::DevicePolling;
/// # fn send(_: HttpRequest) -> (u16, Vec<u8>) { (200, br#"{"access_token":"a","token_type":"Bearer"}"#.to_vec()) }
/// # fn sleep_until(_: UnixTime) {}
/// # fn now() -> UnixTime { UnixTime::from_secs(1_700_000_000) }
/// fn poll(mut polling: DevicePolling) -> Result<Authorized, Box<dyn std::error::Error>> {
///     loop {
///         sleep_until(polling.pending().next_poll_at());
///         let context = RequestContext::from_os_rng(now())?;
///         let (status, body) = send(polling.request(&context)?);
///         match polling.handle_response(HttpResponse::new(status, &body), now()) {
///             Ok(authorized) => return Ok(authorized),
///             Err(failure) => match failure.into_parts() {
///                 // Pending, slow_down (the interval grew), or a 5xx.
///                 (_, Some(again)) => polling = again,
///                 // access_denied, expired_token, or the device code's
///                 // lifetime ran out.
///                 (error, None) => return Err(error.into()),
///             },
///         }
///     }
/// }
/// ```
#[must_use = "the device login ends only when the token endpoint says so"]
pub struct DevicePolling {
    pending: AwaitingDeviceApproval,
    credentials: Credentials,
}

impl DevicePolling {
    /// The pending login: what to show the user, when to poll next; and
    /// what to store for a restart.
    pub fn pending(&self) -> &AwaitingDeviceApproval {
        &self.pending
    }

    /// The pending login, without the client's credentials.
    pub fn into_pending(self) -> AwaitingDeviceApproval {
        self.pending
    }
}

impl Polling for DevicePolling {
    fn schedule_and_credentials(&mut self) -> (&mut PollSchedule, &mut Credentials) {
        (&mut self.pending.schedule, &mut self.credentials)
    }

    fn expired(expires_at: UnixTime) -> EndpointErrorKind {
        EndpointErrorKind::DeviceCodeExpired { expires_at }
    }

    fn into_grant(self) -> (Origin, Scope) {
        (self.pending.origin, self.pending.scope)
    }
}

impl EndpointStep for DevicePolling {
    /// The tokens.
    type Output = Authorized;

    const ENDPOINT: EndpointKind = EndpointKind::Token;

    /// The device access token request (RFC 8628 §3.4):
    /// `grant_type=urn:ietf:params:oauth:grant-type:device_code`,
    /// `device_code` and the client authentication, to the token endpoint
    /// the login began with, with a DPoP proof when the client has a key
    /// (RFC 9449 §5). Send it no sooner than
    /// [`AwaitingDeviceApproval::next_poll_at`].
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let mut form = FormSerializer::new();
        form.append("grant_type", DEVICE_CODE_GRANT_TYPE)
            .append("device_code", self.pending.device_code.secret());
        self.credentials
            .post_proven(&self.pending.origin.token_endpoint, form, context)
    }

    /// [`AwaitingDeviceApproval::next_poll_at`]: a poll is never sent
    /// sooner (RFC 8628 §3.5). Always before the device code's expiry: no
    /// step is made whose next poll would come too late.
    fn not_before(&self) -> Option<UnixTime> {
        Some(self.pending.schedule.next_poll_at)
    }

    /// [`AwaitingDeviceApproval::expires_at`]: no poll is sent at or after
    /// the device code's expiry (RFC 8628 §3.2), whatever a retry would
    /// wait for.
    fn not_after(&self) -> Option<UnixTime> {
        Some(self.pending.schedule.expires_at)
    }

    fn deadline_error(&self, expires_at: UnixTime) -> EndpointErrorKind {
        Self::expired(expires_at)
    }

    /// Consumes the token endpoint's answer (RFC 8628 §3.5). `now` is when
    /// it arrived.
    ///
    /// # Errors
    /// A [`Failure`]:
    /// - `authorization_pending`, `slow_down`: the step comes back with
    ///   [`Failure::poll_again_at`], one interval and one second from `now`
    ///   (the interval 5 s longer after `slow_down`, for good; the second
    ///   because `now` is read in whole seconds);
    /// - when that would be at or past the device code's expiry, the login
    ///   is over: [`EndpointErrorKind::DeviceCodeExpired`], no step;
    /// - `access_denied` ([`Failure::code`]),
    ///   `expired_token` ([`EndpointError::is_expired_token`](crate::errors::EndpointError::is_expired_token))
    ///   and the other RFC 6749 §5.2 errors end the login;
    /// - 429, 5xx and `temporarily_unavailable` give the step back as for
    ///   every other endpoint ([`Failure::retry_after`]) — unless the
    ///   server's `Retry-After` ends at or past the device code's expiry:
    ///   [`EndpointErrorKind::DeviceCodeExpired`], no step; `use_dpop_nonce`
    ///   with a new `DPoP-Nonce`, once, as a fallback to send at once
    ///   (RFC 9449 §8).
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<Authorized, Failure<DevicePolling>> {
        poll_response(self, &response.into(), now)
    }
}

impl fmt::Debug for DevicePolling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevicePolling")
            .field("pending", &self.pending)
            .field("credentials", &self.credentials)
            .finish()
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
    device_code: Cow<'a, DeviceCode>,
    user_code: Cow<'a, UserCode>,
    verification_uri: Cow<'a, VerificationUri>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verification_uri_complete: Option<Cow<'a, VerificationUri>>,
    #[serde(default, skip_serializing_if = "scope_is_empty")]
    scope: Cow<'a, Scope>,
    expires_at: UnixTime,
    interval: u64,
    next_poll_at: UnixTime,
}

impl Serialize for AwaitingDeviceApproval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredV1 {
            v: FORMAT_VERSION,
            issuer: Cow::Borrowed(&self.origin.issuer),
            client_id: Cow::Borrowed(&self.origin.client_id),
            token_endpoint: Cow::Borrowed(&self.origin.token_endpoint),
            revocation_endpoint: self.origin.revocation_endpoint.as_ref().map(Cow::Borrowed),
            device_code: Cow::Borrowed(&self.device_code),
            user_code: Cow::Borrowed(&self.user_code),
            verification_uri: Cow::Borrowed(&self.verification_uri),
            verification_uri_complete: self.verification_uri_complete.as_ref().map(Cow::Borrowed),
            scope: Cow::Borrowed(&self.scope),
            expires_at: self.schedule.expires_at,
            interval: self.schedule.interval,
            next_poll_at: self.schedule.next_poll_at,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AwaitingDeviceApproval {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredV1::deserialize(deserializer)?;
        check_version(stored.v)?;
        if !is_vschar_token(stored.device_code.secret()) {
            return Err(serde::de::Error::custom(
                "stored device_code is not 1*VSCHAR",
            ));
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
            device_code: stored.device_code.into_owned(),
            user_code: stored.user_code.into_owned(),
            verification_uri: stored.verification_uri.into_owned(),
            verification_uri_complete: stored.verification_uri_complete.map(Cow::into_owned),
            scope: stored.scope.into_owned(),
            schedule,
        })
    }
}

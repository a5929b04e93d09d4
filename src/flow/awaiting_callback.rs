//! The pending flow, between the redirect to the authorization endpoint
//! and the callback (RFC 6749 §4.1.2, RFC 9207 §2.4).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::{Client, ClientId};
use crate::endpoint::{Endpoint, RedirectUri};
use crate::error::InvalidValue;
use crate::error::{ApiMisuse, CallbackError};
use crate::flow::exchanging::Exchanging;
use crate::flow::{check_version, from_stored_json, to_stored_json, Origin, FORMAT_VERSION};
use crate::resource_indicator::{check_count, resources_are_empty, ResourceIndicator};
use crate::scope::{scope_is_empty, Scope};
use crate::secret::{ct_eq, CodeVerifier, Nonce, State};
use crate::time::UnixTime;
use crate::wire::callback::Callback;

/// A login waiting for the user to come back to the redirect URI.
///
/// # Storing it
///
/// A web app keeps this between the redirect and the callback, often in
/// another request or another process: it is `Serialize + Deserialize`, holds
/// no client secret, and its JSON form is a few hundred bytes, small enough
/// for an encrypted cookie. The stored form carries a format version, the
/// issuer, the token endpoint and the `redirect_uri` it was made for, so the
/// code goes to the endpoint the flow began with.
///
/// - Key the stored flow by its [`state`](Self::state), so two tabs logging
///   in at once do not overwrite each other; find it again with
///   [`Callback::state`].
/// - Delete it as soon as a callback was handled, whatever the outcome: a
///   flow is single-use.
/// - A session cookie that carries it must be `SameSite=Lax`, not `Strict`:
///   the callback is a cross-site navigation from the provider, and a
///   `Strict` cookie is not sent with it (the user then sees an opaque
///   failure). A `response_mode=form_post` callback is a cross-site `POST`,
///   which even `Lax` cookies do not accompany: look the flow up on the
///   server by `state` instead.
#[must_use = "the pending flow is needed to handle the callback"]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitingCallback {
    pub(crate) origin: Origin,
    pub(crate) iss_required: bool,
    pub(crate) redirect_uri: RedirectUri,
    pub(crate) state: State,
    pub(crate) code_verifier: CodeVerifier,
    pub(crate) scope: Scope,
    pub(crate) started_at: UnixTime,
    /// When the pushed request's `request_uri` expires (RFC 9126 §2.2).
    pub(crate) request_uri_expires_at: Option<UnixTime>,
    /// The resources asked for (RFC 8707 §2), sent again in the exchange.
    pub(crate) resources: Vec<ResourceIndicator>,
    /// The authorization server's `DPoP-Nonce` from the pushed
    /// authorization request (RFC 9449 §8.2), for the exchange's proof.
    pub(crate) dpop_nonce: Option<String>,
    /// The OpenID Connect `nonce` (Core §3.1.2.1), for a flow whose
    /// scope has `openid`.
    pub(crate) nonce: Option<Nonce>,
    /// The login asked for a JWT-secured response (JARM §2.3): only a
    /// verified `response` is taken.
    pub(crate) jwt_response: bool,
}

impl AwaitingCallback {
    /// Reads a pending flow stored as JSON ([`to_json`](Self::to_json)),
    /// with a typed error: another format version is reported as such.
    ///
    /// # Errors
    /// See [`InvalidValue`].
    pub fn from_json(json: &[u8]) -> Result<Self, InvalidValue> {
        from_stored_json(json)
    }

    /// The stored form of the pending flow as JSON, with its format version: what
    /// [`from_json`](Self::from_json) reads back. Store it as it is
    /// (encrypted where it holds tokens): no other JSON crate is needed.
    #[must_use]
    pub fn to_json(&self) -> String {
        to_stored_json(self)
    }

    /// The flow's `state`: the key to store it under.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The scope requested.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The resources the login asks tokens for (RFC 8707 §2,
    /// [`Start::resource`](crate::Start::resource)).
    pub fn resources(&self) -> &[ResourceIndicator] {
        &self.resources
    }

    /// When [`Start::begin`](crate::Start::begin) was called.
    pub fn started_at(&self) -> UnixTime {
        self.started_at
    }

    /// For a pushed authorization request (RFC 9126): when its
    /// `request_uri` expires. A user who has not reached the authorization
    /// endpoint by then gets an error there; start a new login.
    pub fn request_uri_expires_at(&self) -> Option<UnixTime> {
        self.request_uri_expires_at
    }

    /// Whether the flow began more than `max_age` before `now`: a login
    /// left for that long should be discarded rather than completed.
    #[must_use]
    pub fn is_older_than(&self, max_age: Duration, now: UnixTime) -> bool {
        now.saturating_duration_since(self.started_at) > max_age
    }

    /// Checks the callback against this flow and, when it carries a code,
    /// moves on to the code exchange.
    ///
    /// The checks, in order: size caps and repeated parameters (already
    /// refused by the [`Callback`] parsers); `client` is the one that
    /// started the flow (the same issuer and `client_id`: no other
    /// client's credentials are ever used); `iss` equal to the issuer,
    /// byte for byte, and present when the server declares
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §2.4);
    /// `state` equal in constant time (RFC 6749 §10.12); no `access_token`,
    /// `id_token` or `token` of a response type never asked for
    /// (RFC 9700 §2.1.2); only then an `error` response, whose code must be
    /// in RFC 6749 §4.1.2.1's character set; and last, a `code`.
    ///
    /// The flow is consumed whatever the outcome: delete its stored copy.
    ///
    /// # Errors
    /// See [`CallbackError`].
    pub fn handle_callback(
        self,
        client: &Client,
        callback: Callback,
    ) -> Result<Exchanging, CallbackError> {
        // A misuse of the API, whatever the callback says: another
        // issuer's client must not lend its credentials to this flow.
        let mut credentials = self
            .origin
            .credentials(client)
            .ok_or(CallbackError::Misuse(ApiMisuse::ClientMismatch))?;
        // JARM §2.3: a login that asked for a signed response takes
        // nothing unsigned, an error included.
        if self.jwt_response && !callback.signed {
            return Err(CallbackError::ResponseNotSigned);
        }
        match &callback.iss {
            Some(iss) if !ct_eq(iss.as_str(), &self.origin.issuer) => {
                return Err(CallbackError::IssuerMismatch {
                    received: iss.clone(),
                })
            }
            Some(_) => {}
            None if self.iss_required => return Err(CallbackError::MissingIssuer),
            None => {}
        }
        let Some(state) = &callback.state else {
            return Err(CallbackError::MissingState);
        };
        if *state != self.state {
            return Err(CallbackError::StateMismatch);
        }
        if let Some(parameter) = callback.unrequested {
            return Err(CallbackError::UnrequestedResponseType { parameter });
        }
        if callback.invalid_error {
            return Err(CallbackError::InvalidErrorCode);
        }
        if let Some(error) = callback.error {
            return Err(CallbackError::Authorization(error));
        }
        let Some(code) = callback.code else {
            return Err(CallbackError::MissingCode);
        };
        if credentials.dpop.is_some() {
            credentials.dpop_nonce = self.dpop_nonce;
        }
        Ok(Exchanging {
            origin: self.origin,
            credentials,
            redirect_uri: self.redirect_uri,
            code,
            code_verifier: self.code_verifier,
            scope: self.scope,
            resources: self.resources,
            nonce: self.nonce,
            id_token_signing_alg: client.id_token_signing_alg,
            tenant_issuer: client.metadata.tenant_issuer,
            authorization_details: crate::authorization_details::AuthorizationDetails::new(),
        })
    }
}

/// Whether `state` has the form [`Start::begin`](crate::Start::begin)
/// gives it: 32 bytes in unpadded base64url, 43 characters. A stored
/// `state` of another form was not made by this crate.
fn is_generated_state(state: &str) -> bool {
    state.len() == 43
        && state.bytes().fold(true, |valid, b| {
            valid & matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_')
        })
}

/// The stored form, version 1: borrowed when written, owned when read. Field names are short but readable; the
/// whole thing stays far under a cookie's 4 KiB.
#[derive(Serialize, Deserialize)]
struct StoredV1<'a> {
    v: u32,
    issuer: Cow<'a, str>,
    client_id: Cow<'a, ClientId>,
    token_endpoint: Cow<'a, Endpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revocation_endpoint: Option<Cow<'a, Endpoint>>,
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    iss_required: bool,
    redirect_uri: Cow<'a, RedirectUri>,
    state: Cow<'a, State>,
    code_verifier: Cow<'a, CodeVerifier>,
    #[serde(default, skip_serializing_if = "scope_is_empty")]
    scope: Cow<'a, Scope>,
    started_at: UnixTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request_uri_expires_at: Option<UnixTime>,
    /// RFC 8707 resource indicators; absent in flows stored before them.
    #[serde(default, skip_serializing_if = "resources_are_empty")]
    resource: Cow<'a, [ResourceIndicator]>,
    /// The server's DPoP nonce after a pushed request; absent in flows
    /// stored before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dpop_nonce: Option<Cow<'a, str>>,
    /// The OpenID Connect nonce; absent in flows stored before it, and in
    /// flows without `openid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<Cow<'a, Nonce>>,
    /// A JWT-secured response was asked for (JARM); absent before it.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    jwt_response: bool,
}

impl Serialize for AwaitingCallback {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredV1 {
            v: FORMAT_VERSION,
            issuer: Cow::Borrowed(&self.origin.issuer),
            client_id: Cow::Borrowed(&self.origin.client_id),
            token_endpoint: Cow::Borrowed(&self.origin.token_endpoint),
            revocation_endpoint: self.origin.revocation_endpoint.as_ref().map(Cow::Borrowed),
            iss_required: self.iss_required,
            redirect_uri: Cow::Borrowed(&self.redirect_uri),
            state: Cow::Borrowed(&self.state),
            code_verifier: Cow::Borrowed(&self.code_verifier),
            scope: Cow::Borrowed(&self.scope),
            started_at: self.started_at,
            request_uri_expires_at: self.request_uri_expires_at,
            resource: Cow::Borrowed(&self.resources),
            dpop_nonce: self.dpop_nonce.as_deref().map(Cow::Borrowed),
            nonce: self.nonce.as_ref().map(Cow::Borrowed),
            jwt_response: self.jwt_response,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AwaitingCallback {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredV1::deserialize(deserializer)?;
        check_version(stored.v)?;
        if !stored.code_verifier.is_well_formed() {
            return Err(serde::de::Error::custom(
                "stored code_verifier is not 43-128 unreserved characters",
            ));
        }
        if !is_generated_state(stored.state.secret()) {
            return Err(serde::de::Error::custom(
                "stored state is not 43 base64url characters",
            ));
        }
        check_count(&stored.resource).map_err(serde::de::Error::custom)?;
        if stored
            .dpop_nonce
            .as_deref()
            .is_some_and(|nonce| !crate::syntax::is_nonce(nonce))
        {
            return Err(serde::de::Error::custom("stored dpop_nonce is malformed"));
        }
        if stored.nonce.as_ref().is_some_and(|nonce| {
            nonce.secret().is_empty() || nonce.secret().len() > crate::limits::MAX_PARAMETER_BYTES
        }) {
            return Err(serde::de::Error::custom("stored nonce is malformed"));
        }
        Ok(Self {
            origin: Origin::new(
                stored.issuer.into_owned(),
                stored.client_id.into_owned(),
                stored.token_endpoint.into_owned(),
                stored.revocation_endpoint.map(Cow::into_owned),
            ),
            iss_required: stored.iss_required,
            redirect_uri: stored.redirect_uri.into_owned(),
            state: stored.state.into_owned(),
            code_verifier: stored.code_verifier.into_owned(),
            scope: stored.scope.into_owned(),
            started_at: stored.started_at,
            request_uri_expires_at: stored.request_uri_expires_at,
            resources: stored.resource.into_owned(),
            dpop_nonce: stored.dpop_nonce.map(Cow::into_owned),
            nonce: stored.nonce.map(Cow::into_owned),
            jwt_response: stored.jwt_response,
        })
    }
}

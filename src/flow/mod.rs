//! The flow's states, one file each: [`Start`] → [`AwaitingCallback`] →
//! [`Exchanging`] → [`Authorized`]. Each transition consumes the state it
//! leaves, so an authorization code cannot be exchanged twice and a token
//! request cannot be built before the callback was checked.

mod authorization_request;
mod authorized;
mod awaiting_callback;
mod ciba;
mod client_credentials;
mod device;
mod exchanging;
mod introspection;
mod jarm;
mod jwt_bearer;
mod polling;
mod pushing;
mod refreshing;
mod request_object;
mod resource_request;
mod revocation;
mod signed_introspection;
mod signing_in;
mod start;
mod token_exchange;
mod userinfo;

pub use authorization_request::AuthorizationRequest;
pub use authorized::{Authorized, TokenSet, DEFAULT_RENEWAL_LEEWAY};
pub use awaiting_callback::AwaitingCallback;
pub use ciba::{
    AwaitingBackchannelApproval, BackchannelAuthentication, BackchannelPolling, CIBA_GRANT_TYPE,
};
pub use client_credentials::ClientCredentials;
pub use device::{
    AwaitingDeviceApproval, DeviceAuthorization, DevicePolling, DEVICE_CODE_GRANT_TYPE,
};
pub use exchanging::Exchanging;
pub use introspection::Introspection;
pub use jwt_bearer::{JwtBearer, JWT_BEARER_GRANT_TYPE};
pub use polling::SLOW_DOWN_INCREMENT;
pub use pushing::PushingAuthorization;
pub use refreshing::Refreshing;
pub use revocation::{Revocation, TokenTypeHint};
pub use signed_introspection::{IntrospectionReceived, SignedIntrospection};
pub use signing_in::{IdTokenReceived, SignedIn, SigningIn, UnknownKey};
pub use start::{Authorization, FlowEntropy, Start};
pub use token_exchange::{Exchanged, TokenExchange};
pub use userinfo::{UserInfoReceived, UserInfoRequest};

use alloc::string::String;
use alloc::sync::Arc;

use crate::config::{Client, ClientAuthentication, ClientId};
use crate::endpoint::Endpoint;
use crate::error::Failure;
use crate::error::{CryptoError, InvalidValue};
use crate::error::{EndpointErrorKind, TokenErrorCode};
use crate::http::{HttpRequest, HttpResponse};
use crate::jws::DpopKey;
use crate::limits::MAX_STORED_STATE_BYTES;
use crate::scope::Scope;
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::form::FormSerializer;
use crate::wire::token::parse_token_response;

/// What a flow remembers of the server and client it started with, so every
/// later request goes where the flow began, whatever a callback or a changed
/// configuration says (mix-up defense, RFC 9700 §4.4).
///
/// It never changes once made, so it is shared rather than copied: the
/// snapshot a refresh keeps of its grant costs a reference count, not a
/// copy of two URLs and two strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin(Arc<OriginParts>);

/// The parts of an [`Origin`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OriginParts {
    pub(crate) issuer: alloc::string::String,
    pub(crate) client_id: ClientId,
    pub(crate) token_endpoint: Endpoint,
    pub(crate) revocation_endpoint: Option<Endpoint>,
}

impl core::ops::Deref for Origin {
    type Target = OriginParts;

    fn deref(&self) -> &OriginParts {
        &self.0
    }
}

impl Origin {
    pub(crate) fn new(
        issuer: alloc::string::String,
        client_id: ClientId,
        token_endpoint: Endpoint,
        revocation_endpoint: Option<Endpoint>,
    ) -> Self {
        Self(Arc::new(OriginParts {
            issuer,
            client_id,
            token_endpoint,
            revocation_endpoint,
        }))
    }

    /// The origin of a flow or grant that `client` starts, and the
    /// credentials it authenticates with.
    pub(crate) fn of(client: &Client) -> (Self, Credentials) {
        (Self::of_client(client), Credentials::of(client))
    }

    /// The origin alone, for a flow that sends nothing yet (the redirect
    /// to the authorization endpoint carries no client credentials).
    pub(crate) fn of_client(client: &Client) -> Self {
        Self::new(
            client.issuer.clone(),
            client.client_id.clone(),
            client.token_endpoint.clone(),
            client.revocation_endpoint.clone(),
        )
    }

    /// The credentials of `client` for a request on behalf of this flow or
    /// grant: only when `client` is the one it began with — the same
    /// issuer and the same `client_id`. Another issuer's client with the
    /// same `client_id` gets nothing, so its secret can never travel to
    /// this issuer's endpoints (RFC 9700 §4.4).
    pub(crate) fn credentials(&self, client: &Client) -> Option<Credentials> {
        (client.issuer == self.issuer && client.client_id == self.client_id)
            .then(|| Credentials::of(client))
    }
}

/// How a request authenticates the client (RFC 6749 §2.3). The only way
/// to put client credentials on a request: made by [`Origin::of`] for a
/// flow a client starts, or by [`Origin::credentials`] for a client checked
/// against the flow's origin.
#[derive(Clone, Debug)]
pub(crate) struct Credentials {
    client_id: ClientId,
    authentication: ClientAuthentication,
    /// The server's issuer identifier: a client assertion's audience.
    issuer: String,
    /// The key each request proves possession of (RFC 9449).
    pub(crate) dpop: Option<DpopKey>,
    /// The server's latest `DPoP-Nonce` (RFC 9449 §8), for the proof.
    pub(crate) dpop_nonce: Option<String>,
    /// How many `use_dpop_nonce` answers this step has followed.
    nonce_retries: u8,
    /// Only DPoP-bound tokens are accepted (a FAPI 2.0 client).
    require_dpop: bool,
    /// How the client reads the responses to these requests.
    pub(crate) tolerances: crate::strictness::Tolerances,
    // Mutual TLS (RFC 8705).
    /// When the client uses mutual TLS: the endpoints' aliases (§5).
    mtls: Option<crate::config::MtlsAliases>,
}

/// How many `use_dpop_nonce` answers one step follows: one (RFC 9449 §8);
/// a server that wants a new nonce every time would otherwise keep the
/// client asking forever.
const MAX_NONCE_RETRIES: u8 = 1;

impl Credentials {
    fn of(client: &Client) -> Self {
        Self {
            client_id: client.client_id.clone(),
            authentication: client.authentication.clone(),
            issuer: client.issuer.clone(),
            dpop: client.dpop.clone(),
            dpop_nonce: None,
            nonce_retries: 0,
            require_dpop: client.fapi2,
            tolerances: client.tolerances.clone(),
            mtls: client
                .uses_mutual_tls()
                .then(|| client.mtls_aliases.clone()),
        }
    }

    /// Where a request meant for `endpoint` goes: its
    /// `mtls_endpoint_aliases` alias when the client uses mutual TLS and
    /// the server has one, else `endpoint` itself (RFC 8705 §5).
    fn target<'a>(&'a self, endpoint: &'a Endpoint) -> &'a Endpoint {
        match self.mtls.as_deref() {
            Some(aliases) => crate::config::mtls_alias(aliases, endpoint),
            None => endpoint,
        }
    }

    /// RFC 9449 §8: when the server answered `use_dpop_nonce` with a
    /// usable `DPoP-Nonce` this step has not tried yet, takes the nonce
    /// for the next proof and says the step may be sent again at once.
    pub(crate) fn take_nonce_demand(
        &mut self,
        kind: &EndpointErrorKind,
        response: &HttpResponse<'_>,
    ) -> bool {
        let asked = matches!(
            kind,
            EndpointErrorKind::ErrorResponse(error) if error.error() == &TokenErrorCode::UseDpopNonce
        );
        let nonce = response.dpop_nonce();
        if !asked
            || self.dpop.is_none()
            || self.nonce_retries >= MAX_NONCE_RETRIES
            || nonce.is_none()
            || nonce == self.dpop_nonce.as_deref()
        {
            return false;
        }
        self.dpop_nonce = nonce.map(String::from);
        self.nonce_retries = self.nonce_retries.saturating_add(1);
        true
    }

    /// The nonce to keep for the server's next proof once it has accepted
    /// a request (RFC 9449 §8.2: the client uses the nonce the server
    /// supplied "until the server supplies a new nonce value"): the
    /// `DPoP-Nonce` of `response` when it has one, or else the nonce the
    /// accepted proof carried. A server whose nonce is still current sends
    /// no header, and the nonce must not be lost then. `None` without a
    /// DPoP key.
    pub(crate) fn nonce_after(&self, response: &HttpResponse<'_>) -> Option<String> {
        self.dpop.as_ref()?;
        response
            .dpop_nonce()
            .map(String::from)
            .or_else(|| self.dpop_nonce.clone())
    }

    /// The thumbprint tokens issued to these credentials are bound to,
    /// when the response says `token_type: DPoP`; an error when it says so
    /// but no proof was sent.
    pub(crate) fn binding(
        &self,
        token_type: &crate::strictness::TokenType,
    ) -> Result<Option<String>, EndpointErrorKind> {
        let dpop = matches!(token_type, crate::strictness::TokenType::Dpop);
        match (dpop, &self.dpop) {
            // FAPI 2.0: a token the server did not bind is refused.
            (false, _) if self.require_dpop => Err(EndpointErrorKind::UnsupportedTokenType(
                crate::text::UntrustedText::from(token_type.as_str()),
            )),
            (false, _) => Ok(None),
            (true, Some(key)) => Ok(Some(key.thumbprint())),
            (true, None) => Err(EndpointErrorKind::UnsupportedTokenType(
                crate::text::UntrustedText::from("DPoP"),
            )),
        }
    }

    /// Appends `scope` to a token request's form, in the delimiter the
    /// client's tolerances say; nothing when it is empty.
    pub(crate) fn append_scope(&self, form: &mut FormSerializer, scope: &Scope) {
        if !scope.is_empty() {
            form.append("scope", &self.tolerances.scope_delimiter.join(scope));
        }
    }

    /// A form-encoded `POST` of `form` plus the client authentication to
    /// `endpoint` (RFC 6749 §2.3, §3.2), built for `context`: the shape of
    /// every token and revocation request. `client_id` goes in the body
    /// unless the `Authorization` header carries it.
    pub(crate) fn post(
        &self,
        endpoint: &Endpoint,
        mut form: FormSerializer,
        context: &RequestContext,
    ) -> Result<HttpRequest, CryptoError> {
        if !matches!(
            self.authentication,
            ClientAuthentication::ClientSecretBasic(_)
        ) {
            form.append("client_id", self.client_id.as_str());
        }
        self.post_with_client_id(endpoint, form, context)
    }

    /// [`post`](Self::post) with a DPoP proof of the request (RFC 9449
    /// §5, §10.1) when the client has a DPoP key: the token and pushed
    /// authorization requests.
    pub(crate) fn post_proven(
        &self,
        endpoint: &Endpoint,
        form: FormSerializer,
        context: &RequestContext,
    ) -> Result<HttpRequest, CryptoError> {
        let request = self.post(endpoint, form, context)?;
        self.prove(request, endpoint, context)
    }

    /// Adds the DPoP proof of a `POST` to `endpoint`, if the client has a
    /// key.
    pub(crate) fn prove(
        &self,
        request: HttpRequest,
        endpoint: &Endpoint,
        context: &RequestContext,
    ) -> Result<HttpRequest, CryptoError> {
        let Some(key) = &self.dpop else {
            return Ok(request);
        };
        let nonce = self.dpop_nonce.as_deref();
        // RFC 9449 §4.2: `htu` is the URI the request goes to, the alias
        // with mutual TLS.
        let target = self.target(endpoint).as_str();
        let proof = crate::jws::proof(key, "POST", target, context, nonce, None)?;
        Ok(request.with_dpop(proof))
    }

    /// The same for a form that already carries `client_id` (a pushed
    /// authorization request, RFC 9126 §2.1): only the secret or the
    /// assertion is added. With mutual TLS (RFC 8705), the request goes to
    /// the endpoint's alias (§5) and is marked for the transport to
    /// present the client certificate.
    pub(crate) fn post_with_client_id(
        &self,
        endpoint: &Endpoint,
        mut form: FormSerializer,
        context: &RequestContext,
    ) -> Result<HttpRequest, CryptoError> {
        let authorization = self.authentication.apply_after_client_id(
            &self.client_id,
            &self.issuer,
            &mut form,
            context,
        )?;
        let request =
            HttpRequest::form_post(self.target(endpoint).clone(), form.finish(), authorization);
        Ok(if self.mtls.is_some() {
            request.with_client_certificate()
        } else {
            request
        })
    }
}

/// What a grant keeps of the step that obtained it: where it came from,
/// the scope asked for, the resources (RFC 8707).
pub(crate) type GrantParts = (
    Origin,
    Scope,
    alloc::vec::Vec<crate::resource_indicator::ResourceIndicator>,
);

/// A grant's first token response (code exchange, client credentials):
/// tokens for the grant's origin, an omitted `scope` standing for the one
/// requested (RFC 6749 §5.1); a failure hands `state` back when retryable.
pub(crate) fn first_token_response<S: EndpointStep>(
    mut state: S,
    response: &HttpResponse<'_>,
    now: UnixTime,
    credentials_of: impl Fn(&mut S) -> &mut Credentials,
    into_grant: impl FnOnce(S) -> GrantParts,
) -> Result<Authorized, Failure<S>> {
    let tolerances = credentials_of(&mut state).tolerances.clone();
    let parsed = parse_token_response(response, now, &tolerances);
    token_response_grant(state, parsed, response, now, credentials_of, into_grant)
}

/// [`first_token_response`] for a response already read: the grant of a
/// `parsed` success, or the failure (a DPoP nonce demand followed once).
pub(crate) fn token_response_grant<S: EndpointStep>(
    mut state: S,
    parsed: Result<crate::wire::token::TokenResponse, EndpointErrorKind>,
    response: &HttpResponse<'_>,
    now: UnixTime,
    credentials_of: impl Fn(&mut S) -> &mut Credentials,
    into_grant: impl FnOnce(S) -> GrantParts,
) -> Result<Authorized, Failure<S>> {
    let tolerances = credentials_of(&mut state).tolerances.clone();
    let parsed = parsed.and_then(|parsed| {
        let binding = credentials_of(&mut state).binding(&parsed.token_type)?;
        Ok((parsed, binding))
    });
    match parsed {
        Ok((parsed, binding)) => {
            let nonce = credentials_of(&mut state).nonce_after(response);
            let (origin, requested, resources) = into_grant(state);
            let mut tokens =
                TokenSet::from_response(parsed, &requested, &tolerances, None, now, binding);
            tokens.resources = resources;
            let mut authorized = Authorized::new(origin, tokens);
            authorized.dpop_nonce = nonce;
            Ok(authorized)
        }
        Err(kind) => Err(token_failure(state, kind, response, credentials_of)),
    }
}

/// The failure of a token request: a fallback that sends the step again
/// when the server demanded a DPoP nonce this step has not tried
/// (RFC 9449 §8), else as [`Failure::new`] decides.
pub(crate) fn token_failure<S: EndpointStep>(
    mut state: S,
    kind: EndpointErrorKind,
    response: &HttpResponse<'_>,
    credentials_of: impl Fn(&mut S) -> &mut Credentials,
) -> Failure<S> {
    if credentials_of(&mut state).take_nonce_demand(&kind, response) {
        Failure::fallback(S::ENDPOINT, kind, state)
    } else {
        Failure::new(S::ENDPOINT, kind, state)
    }
}

/// The version of the stored form of [`AwaitingCallback`] and
/// [`Authorized`]. A stored state of an unknown version fails to
/// deserialize with a clear error instead of being misread.
pub(crate) const FORMAT_VERSION: u32 = 1;

pub(crate) fn check_version<E: serde::de::Error>(version: u32) -> Result<(), E> {
    if version == FORMAT_VERSION {
        Ok(())
    } else {
        Err(E::custom(alloc::format!(
            "stored flow state has format version {version}; this build of oauth2-pkce reads version {FORMAT_VERSION}"
        )))
    }
}

/// The stored form of `value` as JSON, for `to_json`: what `from_json`
/// reads back. The stored forms cannot fail to serialize (every map key is
/// a string, and no `Serialize` of theirs returns an error), so the empty
/// default is never reached; it keeps the no-panic rule without an
/// `expect`.
pub(crate) fn to_stored_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Reads a stored state from JSON; a state from another version is
/// reported as such rather than as malformed.
pub(crate) fn from_stored_json<T: serde::de::DeserializeOwned>(
    json: &[u8],
) -> Result<T, InvalidValue> {
    #[derive(serde::Deserialize)]
    struct Version {
        v: u64,
    }
    if json.len() > MAX_STORED_STATE_BYTES {
        return Err(InvalidValue::StoredStateTooLarge {
            limit: MAX_STORED_STATE_BYTES,
        });
    }
    // One parse in the common case: every stored form checks its version
    // as it is read, so a state read whole is of this version. Only when
    // that fails is the version read alone, to say why. A document that
    // is UTF-8 as a whole is checked once rather than string by string.
    let read = match core::str::from_utf8(json) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(json),
    };
    read.or_else(|_| {
        let Version { v } =
            serde_json::from_slice(json).map_err(|_| InvalidValue::StoredStateMalformed)?;
        Err(if v == u64::from(FORMAT_VERSION) {
            InvalidValue::StoredStateMalformed
        } else {
            InvalidValue::StoredStateVersion {
                found: v,
                supported: FORMAT_VERSION,
            }
        })
    })
}

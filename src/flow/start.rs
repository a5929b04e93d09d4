//! The first step: the authorization request (RFC 6749 §4.1.1, RFC 7636
//! §4.3).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use zeroize::Zeroize;

use crate::authorization_details::{self, AuthorizationDetails};
use crate::config::Client;
use crate::endpoint::RedirectUri;
#[cfg(feature = "getrandom")]
use crate::entropy::fill_from_os_rng;
#[cfg(feature = "getrandom")]
use crate::error::CryptoError;
use crate::error::{ApiMisuse, ConfigError, EndpointKind};
use crate::flow::authorization_request::{endpoint_for_parameters, AuthorizationRequest};
use crate::flow::awaiting_callback::AwaitingCallback;
use crate::flow::pushing::PushingAuthorization;
use crate::flow::{request_object, Credentials, Origin};
use crate::jws::DpopKey;
use crate::pkce::CodeChallengeMethod;
use crate::resource_indicator::{self, ResourceIndicator};
use crate::scope::Scope;
use crate::secret::{CodeVerifier, Nonce, State};
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::form::{self, FormSerializer};

/// Parameters the flow sets itself; an extra parameter may not use them.
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "code_verifier",
    "client_secret",
    "request_uri",
    "request",
    "resource",
    "authorization_details",
];

/// The randomness one flow needs: 32 bytes for the `code_verifier`
/// (RFC 7636 §4.1) and 32 for `state` (RFC 6749 §10.10 asks for at least
/// 128 bits). The caller supplies it; with the `getrandom` feature,
/// [`FlowEntropy::from_os_rng`] fills it from the operating system.
///
/// The two halves are separate arrays, so each one's size is checked by
/// the compiler: no code path can fall back to a fixed verifier or state.
pub struct FlowEntropy {
    verifier: [u8; 32],
    state: [u8; 32],
    /// The OpenID Connect `nonce`'s (Core §3.1.2.1), used when the scope
    /// has `openid`.
    nonce: [u8; 32],
}

impl FlowEntropy {
    /// Entropy from the caller's own cryptographically secure generator:
    /// the first 32 bytes for the verifier, the last 32 for `state`; an
    /// OpenID Connect `nonce` is SHA-256 of a label and all 64 (it
    /// reveals neither). Never reuse bytes across flows.
    #[must_use]
    pub fn from_bytes(mut bytes: [u8; 64]) -> Self {
        use sha2::{Digest, Sha256};
        let mut nonce = Sha256::new();
        nonce.update(b"oauth2-pkce openid nonce\0");
        nonce.update(bytes);
        let mut entropy = Self {
            verifier: [0; 32],
            state: [0; 32],
            nonce: nonce.finalize().into(),
        };
        // The first 32 bytes and the last 32 of 64: both always exist.
        if let (Some(verifier), Some(state)) = (bytes.first_chunk(), bytes.last_chunk()) {
            entropy.verifier = *verifier;
            entropy.state = *state;
        }
        bytes.zeroize();
        entropy
    }

    /// Entropy from the operating system's generator.
    ///
    /// # Errors
    /// [`CryptoError::EntropyUnavailable`]: the operating system could not
    /// provide randomness.
    #[cfg(feature = "getrandom")]
    pub fn from_os_rng() -> Result<Self, CryptoError> {
        let mut entropy = Self {
            verifier: [0; 32],
            state: [0; 32],
            nonce: [0; 32],
        };
        fill_from_os_rng(&mut entropy.verifier)?;
        fill_from_os_rng(&mut entropy.state)?;
        fill_from_os_rng(&mut entropy.nonce)?;
        Ok(entropy)
    }
}

impl Drop for FlowEntropy {
    fn drop(&mut self) {
        self.verifier.zeroize();
        self.state.zeroize();
        self.nonce.zeroize();
    }
}

impl fmt::Debug for FlowEntropy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FlowEntropy([redacted])")
    }
}

/// A login about to begin: the scope and extra parameters of the
/// authorization request.
///
/// ```
/// # use oauth2_pkce::*;
/// # let metadata = ServerMetadata::new(
/// #     "https://as.example.com",
/// #     "https://as.example.com/authorize",
/// #     "https://as.example.com/token",
/// # );
/// # let client = Client::new(metadata, ClientId::new("id").unwrap(),
/// #     ClientAuthentication::ClientSecretBasic(ClientSecret::new("s"))).unwrap()
/// #     .with_redirect_uri(RedirectUri::new("https://app.example/cb").unwrap());
/// let (request, pending) = Start::new(&client)
///     .scope(Scope::parse("openid").unwrap())
///     .param("prompt", "login")
///     .begin(FlowEntropy::from_bytes([7; 64]), UnixTime::from_secs(1_700_000_000))
///     .unwrap();
/// // The client's authorization endpoint, with the parameters in its query.
/// assert!(request.url().starts_with("https://as.example.com/authorize?"));
/// assert!(request.url().contains("&prompt=login"));
/// # let _ = pending;
/// ```
#[must_use = "nothing happens until `begin` is called"]
#[derive(Debug)]
pub struct Start<'c> {
    client: &'c Client,
    redirect_uri: Option<RedirectUri>,
    scope: Scope,
    extra: Vec<(String, String)>,
    method: CodeChallengeMethod,
    resources: Vec<ResourceIndicator>,
    authorization_details: AuthorizationDetails,
}

impl<'c> Start<'c> {
    /// A login for `client`, with no scope and S256 PKCE.
    pub fn new(client: &'c Client) -> Self {
        Self {
            client,
            redirect_uri: None,
            scope: Scope::empty(),
            extra: Vec::new(),
            method: CodeChallengeMethod::S256,
            resources: Vec::new(),
            authorization_details: AuthorizationDetails::new(),
        }
    }

    /// The `redirect_uri` of this flow (RFC 6749 §3.1.2), instead of the
    /// client's default: for a native app, the loopback listener it just
    /// bound (`http://127.0.0.1:{port}/…`, RFC 8252 §7.3). It is recorded
    /// in the pending flow and sent byte for byte in the token request.
    pub fn redirect_uri(mut self, redirect_uri: RedirectUri) -> Self {
        self.redirect_uri = Some(redirect_uri);
        self
    }

    /// The scope to request (RFC 6749 §3.3). Omitted when empty.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// A protected resource the tokens are for (RFC 8707 §2): sent as
    /// `resource` in the authorization request (or the pushed one), recorded
    /// in the pending flow, sent again in the code exchange, and kept with
    /// the tokens for their refreshes. Call once per resource; a resource
    /// given twice is sent once. Each resource adds its length to the
    /// stored pending flow: mind a cookie's 4 KiB when there are several.
    pub fn resource(mut self, resource: ResourceIndicator) -> Self {
        if !self.resources.contains(&resource) {
            self.resources.push(resource);
        }
        self
    }

    /// What the tokens are for, in detail (RFC 9396 §2): sent as
    /// `authorization_details`, a JSON array, in the authorization request
    /// (URL-encoded, §3), in the pushed request (RFC 9126) or, when the
    /// client signs its requests, as an array claim of the request object
    /// (RFC 9101). The browser can read and change what travels in the
    /// URL (RFC 9396 §12): push it or sign it where that matters. What
    /// was granted comes back with the tokens
    /// ([`TokenSet::authorization_details`](crate::TokenSet::authorization_details)).
    /// Replaces details given before; an empty list sends none. They are
    /// not kept in the pending flow (a cookie would grow with them): the
    /// token response says what was granted (RFC 9396 §7).
    pub fn authorization_details(mut self, details: AuthorizationDetails) -> Self {
        self.authorization_details = details;
        self
    }

    /// An extra authorization request parameter (`prompt`, `login_hint`,
    /// `nonce`, `response_mode`, …). Names the flow sets itself (`resource`
    /// among them: use [`resource`](Self::resource), which records it) and
    /// repeated names are refused by [`begin`](Self::begin).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Uses the `plain` PKCE method instead of `S256`. The code challenge is
    /// then the verifier itself, so anyone who sees the authorization
    /// request can redeem an intercepted code. Only for a server that
    /// cannot do `S256` (RFC 7636 §4.2, §7.2).
    pub fn dangerous_use_plain_pkce(mut self) -> Self {
        self.method = CodeChallengeMethod::Plain;
        self
    }

    /// Builds the authorization request and the pending flow, as a plain
    /// redirect. [`authorize`](Self::authorize) is the default way to
    /// begin (it pushes when the server offers PAR); `begin` is for an app
    /// that must not push, and [`push`](Self::push) for one that must.
    ///
    /// Send the user's browser to the request's URL; keep the
    /// [`AwaitingCallback`] (in the session, keyed by its
    /// [`state`](AwaitingCallback::state)) until the callback arrives.
    ///
    /// # Errors
    /// See [`ConfigError`]; [`ApiMisuse::PushedAuthorizationRequired`] (as [`ConfigError::Misuse`]) when
    /// the server only takes pushed requests: use [`push`](Self::push).
    pub fn begin(
        self,
        entropy: FlowEntropy,
        now: UnixTime,
    ) -> Result<(AuthorizationRequest, AwaitingCallback), ConfigError> {
        if self.client.require_pushed_authorization_requests {
            return Err(ConfigError::Misuse(ApiMisuse::PushedAuthorizationRequired));
        }
        let mut url = endpoint_for_parameters(self.client.authorization_endpoint.as_url());
        let dpop_jkt = self.client.dpop.as_ref().map(DpopKey::thumbprint);
        if self.client.request_object_key.is_some() {
            let client = self.client;
            let mut parameters = Vec::new();
            let pending = self.prepare(entropy, now, &mut |name, value| {
                parameters.push((String::from(name), String::from(value)));
            })?;
            if let Some(jkt) = dpop_jkt {
                parameters.push((String::from("dpop_jkt"), jkt));
            }
            let parameters = request_object::outgoing(client, parameters, &pending.state, now)?;
            url.query_pairs_mut().extend_pairs(parameters);
            return Ok((AuthorizationRequest::new(url), pending));
        }
        let pending = {
            let mut query = url.query_pairs_mut();
            let pending = self.prepare(entropy, now, &mut |name, value| {
                query.append_pair(name, value);
            })?;
            // RFC 9449 §10: binds the code to the DPoP key.
            if let Some(jkt) = &dpop_jkt {
                query.append_pair("dpop_jkt", jkt);
            }
            pending
        };
        Ok((AuthorizationRequest::new(url), pending))
    }

    /// Starts a pushed authorization request (RFC 9126): the authorization
    /// parameters go to the server in a direct, authenticated `POST`, and
    /// the browser only carries `client_id` and the `request_uri` the
    /// server answers with. Required by servers that declare
    /// `require_pushed_authorization_requests`; recommended whenever the
    /// server offers it (RFC 9700 §2.1).
    ///
    /// # Errors
    /// [`ApiMisuse::NoEndpoint`] (as [`ConfigError::Misuse`]) when the metadata has
    /// no `pushed_authorization_request_endpoint`, and as
    /// [`begin`](Self::begin).
    pub fn push(
        self,
        entropy: FlowEntropy,
        now: UnixTime,
    ) -> Result<PushingAuthorization, ConfigError> {
        let client = self.client;
        let endpoint =
            client
                .pushed_authorization_request_endpoint
                .clone()
                .ok_or(ConfigError::Misuse(ApiMisuse::NoEndpoint(
                    EndpointKind::PushedAuthorization,
                )))?;
        let mut form = FormSerializer::new();
        let pending = if client.request_object_key.is_some() {
            let mut parameters = Vec::new();
            let pending = self.prepare(entropy, now, &mut |name, value| {
                parameters.push((String::from(name), String::from(value)));
            })?;
            for (name, value) in request_object::outgoing(client, parameters, &pending.state, now)?
            {
                form.append(&name, &value);
            }
            pending
        } else {
            self.prepare(entropy, now, &mut |name, value| {
                form.append(name, value);
            })?
        };
        let credentials = Credentials::of(client);
        let parameters = form.finish();
        Ok(PushingAuthorization {
            endpoint,
            authorization_endpoint: client.authorization_endpoint.as_url().clone(),
            credentials,
            parameters,
            pending,
        })
    }

    /// Begins the login the way the server prefers: a pushed authorization
    /// request (RFC 9126) when its metadata names a
    /// `pushed_authorization_request_endpoint` (RFC 9700 §2.1 recommends
    /// it: the parameters then travel authenticated and out of the
    /// browser's reach), a plain redirect otherwise. Drivers run either in
    /// one call ([`Driver::authorize`](crate::Driver::authorize)).
    ///
    /// # Errors
    /// As [`begin`](Self::begin) and [`push`](Self::push).
    pub fn authorize(
        self,
        entropy: FlowEntropy,
        now: UnixTime,
    ) -> Result<Authorization, ConfigError> {
        if self.client.pushed_authorization_request_endpoint.is_some() {
            self.push(entropy, now).map(Authorization::Push)
        } else {
            let (request, pending) = self.begin(entropy, now)?;
            Ok(Authorization::Redirect(request, pending))
        }
    }

    /// Checks the setup, draws `state` and the verifier, and hands each
    /// authorization parameter to `emit`, in order (RFC 6749 §4.1.1,
    /// RFC 7636 §4.3). Nothing is emitted when the setup is refused.
    fn prepare(
        self,
        entropy: FlowEntropy,
        now: UnixTime,
        emit: &mut dyn FnMut(&str, &str),
    ) -> Result<AwaitingCallback, ConfigError> {
        let client = self.client;
        let metadata = client.metadata();
        let redirect_uri = self
            .redirect_uri
            .or_else(|| client.redirect_uri.clone())
            .ok_or(ConfigError::Misuse(ApiMisuse::NoRedirectUri))?;
        if metadata.require_signed_request_object && client.request_object_key.is_none() {
            return Err(ConfigError::Misuse(ApiMisuse::SignedRequestObjectRequired));
        }
        if self.method == CodeChallengeMethod::S256 && client.s256_unsupported {
            return Err(ConfigError::S256NotSupported);
        }
        resource_indicator::check_count(&self.resources).map_err(ConfigError::InvalidValue)?;
        authorization_details::check_supported(
            &self.authorization_details,
            metadata.authorization_details_types_supported.as_deref(),
        )?;

        // RFC 6749 §3.1: the endpoint's own query is kept; none of its
        // parameters may be sent twice.
        let existing: Vec<String> = client
            .authorization_endpoint
            .as_url()
            .query()
            .map(|query| {
                query
                    .split('&')
                    .filter(|s| !s.is_empty())
                    .map(|pair| pair.split('=').next().unwrap_or(""))
                    .map(|name| form::decode(name).unwrap_or_else(|_| String::from(name)))
                    .collect()
            })
            .unwrap_or_default();
        let mut seen: Vec<&str> = existing.iter().map(String::as_str).collect();
        for (name, _) in &self.extra {
            if RESERVED.contains(&name.as_str()) {
                return Err(ConfigError::ReservedParameter(UntrustedText::from(
                    name.as_str(),
                )));
            }
            if seen.contains(&name.as_str()) {
                return Err(ConfigError::RepeatedParameter(UntrustedText::from(
                    name.as_str(),
                )));
            }
            seen.push(name.as_str());
        }
        if let Some(name) = RESERVED.iter().find(|r| existing.iter().any(|e| e == *r)) {
            return Err(ConfigError::RepeatedParameter(UntrustedText::from(*name)));
        }

        let response_mode = self.extra.iter().find(|(name, _)| name == "response_mode");
        if client.jwt_responses && !response_mode.is_none_or(|(_, mode)| mode.ends_with("jwt")) {
            return Err(ConfigError::ReservedParameter(UntrustedText::from(
                "response_mode",
            )));
        }

        let code_verifier = CodeVerifier::from_entropy(&entropy.verifier);
        let state = State::new(Base64UrlUnpadded::encode_string(&entropy.state));
        // OpenID Connect Core §3.1.2.1: a nonce with every authentication
        // request, the caller's own (a `nonce` parameter) or drawn here.
        let given_nonce = self.extra.iter().find(|(name, _)| name == "nonce");
        let nonce = self.scope.contains("openid").then(|| match given_nonce {
            Some((_, value)) => Nonce::new(value.as_str()),
            None => Nonce::new(Base64UrlUnpadded::encode_string(&entropy.nonce)),
        });

        emit("response_type", "code");
        emit("client_id", client.client_id.as_str());
        emit("redirect_uri", redirect_uri.as_str());
        if !self.scope.is_empty() {
            emit(
                "scope",
                &client.tolerances.scope_delimiter.join(&self.scope),
            );
        }
        emit("state", state.secret());
        if let (Some(nonce), None) = (&nonce, given_nonce) {
            emit("nonce", nonce.secret());
        }
        emit("code_challenge", &code_verifier.code_challenge(self.method));
        emit("code_challenge_method", self.method.as_str());
        resource_indicator::emit(&self.resources, emit);
        authorization_details::emit(&self.authorization_details, emit);
        // FAPI 2.0 Message Signing: a signed response (JARM), always.
        if client.jwt_responses && response_mode.is_none() {
            emit("response_mode", "jwt");
        }
        for (name, value) in &self.extra {
            emit(name, value);
        }

        Ok(AwaitingCallback {
            origin: Origin::of_client(client),
            iss_required: metadata.authorization_response_iss_parameter_supported,
            redirect_uri,
            state,
            code_verifier,
            scope: self.scope,
            started_at: now,
            request_uri_expires_at: None,
            dpop_nonce: None,
            resources: self.resources,
            nonce,
            // JARM §2.3: `jwt`, `query.jwt`, `fragment.jwt`, `form_post.jwt`.
            jwt_response: client.jwt_responses
                || response_mode.is_some_and(|(_, mode)| mode.ends_with("jwt")),
        })
    }
}

/// How a login begins, as [`Start::authorize`] chose.
#[must_use = "send the browser to the authorization URL, pushing first when asked to"]
// Made once per login and taken apart at once: not worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Authorization {
    /// Send the user's browser to the request's URL now; keep the pending
    /// flow until the callback.
    Redirect(AuthorizationRequest, AwaitingCallback),
    /// Push the authorization request first (RFC 9126 §2): run the step;
    /// it gives the same pair as [`Redirect`](Self::Redirect).
    Push(PushingAuthorization),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_bytes_splits_verifier_then_state() {
        let mut bytes = [0; 64];
        bytes[..32].fill(1);
        bytes[32..].fill(2);
        let entropy = FlowEntropy::from_bytes(bytes);
        assert_eq!(entropy.verifier, [1; 32]);
        assert_eq!(entropy.state, [2; 32]);
    }
}

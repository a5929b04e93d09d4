//! The client's configuration: its identity and authentication
//! ([`authentication`]), the server's metadata ([`metadata`]), and the
//! validated [`Client`] made of both.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use url::Url;

use crate::endpoint::{check_transport, Endpoint, RedirectUri};
use crate::error::{ConfigError, InvalidValue, MIN_HS256_SECRET_OCTETS};
use crate::jws::{ClientAssertionKey, DpopKey, JwsAlgorithm};
use crate::strictness::{ScopeDelimiter, Strictness, Tolerances};

mod authentication;
mod metadata;
mod tenant_issuer;

pub use authentication::{ClientAuthentication, ClientId};
pub use metadata::{MtlsEndpointAliases, ServerMetadata};
pub use tenant_issuer::TenantIssuer;

/// A configured client of one authorization server: who it is, how it
/// authenticates and, when it logs users in, where they come back to by
/// default ([`with_redirect_uri`](Self::with_redirect_uri); a flow may name
/// its own with [`Start::redirect_uri`](crate::Start::redirect_uri), as a
/// native app with a loopback listener on a fresh port does).
///
/// Long-lived and shared by every flow. The flow states never store the
/// client secret, so the pending flow can go into a cookie; operations that
/// authenticate take the `Client` as an argument.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) metadata: ServerMetadata,
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: Endpoint,
    pub(crate) token_endpoint: Endpoint,
    pub(crate) refresh_endpoint: Option<Endpoint>,
    pub(crate) revocation_endpoint: Option<Endpoint>,
    pub(crate) pushed_authorization_request_endpoint: Option<Endpoint>,
    pub(crate) device_authorization_endpoint: Option<Endpoint>,
    pub(crate) introspection_endpoint: Option<Endpoint>,
    pub(crate) userinfo_endpoint: Option<Endpoint>,
    pub(crate) end_session_endpoint: Option<Endpoint>,
    pub(crate) jwks_uri: Option<Endpoint>,
    pub(crate) client_id: ClientId,
    pub(crate) authentication: ClientAuthentication,
    /// The key every token request proves possession of (RFC 9449).
    pub(crate) dpop: Option<DpopKey>,
    /// The algorithm its ID tokens are signed with: RS256 unless it
    /// registered another (OpenID Connect Core §3.1.3.7 item 7).
    pub(crate) id_token_signing_alg: JwsAlgorithm,
    /// The key every authorization request is signed with as a request
    /// object (RFC 9101), when set.
    pub(crate) request_object_key: Option<ClientAssertionKey>,
    pub(crate) redirect_uri: Option<RedirectUri>,
    /// RFC 9126 §5, §6: the server requires pushed requests, or this
    /// client is registered to use them only.
    pub(crate) require_pushed_authorization_requests: bool,
    /// The metadata lists PKCE methods, and `S256` is not among them.
    pub(crate) s256_unsupported: bool,
    /// How token responses are read (`crate::tolerance`).
    pub(crate) tolerances: crate::strictness::Tolerances,
    /// Built by [`Client::fapi2`]: only DPoP-bound tokens are accepted.
    pub(crate) fapi2: bool,
    /// Every login asks for a JWT-secured response (JARM), as FAPI 2.0
    /// Message Signing requires.
    pub(crate) jwt_responses: bool,
    // Mutual TLS (RFC 8705).
    /// Each endpoint with its `mtls_endpoint_aliases` alias (§5).
    pub(crate) mtls_aliases: MtlsAliases,
    /// The client asked for certificate-bound access tokens (§3).
    pub(crate) certificate_bound_access_tokens: bool,
}

/// Each endpoint of the metadata that has an `mtls_endpoint_aliases` entry
/// (RFC 8705 §5), with its alias: where a client that uses mutual TLS
/// sends what it would send to the endpoint. Shared by every step.
pub(crate) type MtlsAliases = Arc<[(Endpoint, Endpoint)]>;

/// The alias of `endpoint` among `aliases`, or `endpoint` itself when it
/// has none (RFC 8705 §5).
pub(crate) fn mtls_alias<'a>(
    aliases: &'a [(Endpoint, Endpoint)],
    endpoint: &'a Endpoint,
) -> &'a Endpoint {
    aliases
        .iter()
        .find(|(plain, _)| plain == endpoint)
        .map_or(endpoint, |(_, alias)| alias)
}

/// The endpoints a metadata document names, each validated: the one check
/// that discovery and [`Client::new`] share.
pub(crate) struct Endpoints {
    pub(crate) authorization: Endpoint,
    pub(crate) token: Endpoint,
    pub(crate) refresh: Option<Endpoint>,
    pub(crate) revocation: Option<Endpoint>,
    pub(crate) pushed_authorization_request: Option<Endpoint>,
    pub(crate) device_authorization: Option<Endpoint>,
    pub(crate) introspection: Option<Endpoint>,
    pub(crate) userinfo: Option<Endpoint>,
    pub(crate) end_session: Option<Endpoint>,
    pub(crate) jwks_uri: Option<Endpoint>,
    pub(crate) registration: Option<Endpoint>,
    // Mutual TLS (RFC 8705).
    pub(crate) mtls_aliases: MtlsAliases,
}

impl Endpoints {
    /// The endpoints of `metadata`, or the first member that is not one.
    pub(crate) fn of(metadata: &ServerMetadata) -> Result<Self, (&'static str, InvalidValue)> {
        let endpoint = |member: &'static str, url: &str| {
            Endpoint::parse(url).map_err(|problem| (member, problem))
        };
        let optional = |member: &'static str, url: &Option<String>| {
            url.as_deref().map(|url| endpoint(member, url)).transpose()
        };
        Self {
            authorization: endpoint("authorization_endpoint", &metadata.authorization_endpoint)?,
            token: endpoint("token_endpoint", &metadata.token_endpoint)?,
            refresh: optional("refresh_endpoint", &metadata.refresh_endpoint)?,
            revocation: optional("revocation_endpoint", &metadata.revocation_endpoint)?,
            pushed_authorization_request: optional(
                "pushed_authorization_request_endpoint",
                &metadata.pushed_authorization_request_endpoint,
            )?,
            device_authorization: optional(
                "device_authorization_endpoint",
                &metadata.device_authorization_endpoint,
            )?,
            introspection: optional("introspection_endpoint", &metadata.introspection_endpoint)?,
            userinfo: optional("userinfo_endpoint", &metadata.userinfo_endpoint)?,
            end_session: optional("end_session_endpoint", &metadata.end_session_endpoint)?,
            jwks_uri: optional("jwks_uri", &metadata.jwks_uri)?,
            registration: optional("registration_endpoint", &metadata.registration_endpoint)?,
            mtls_aliases: Arc::from(Vec::new()),
        }
        .with_mtls_aliases(metadata.mtls_endpoint_aliases.as_ref())
    }

    /// Adds the `mtls_endpoint_aliases` (RFC 8705 §5), each checked as an
    /// endpoint and `https` only, and paired with the endpoint it stands
    /// in for; an alias of an endpoint the metadata does not name is
    /// checked and unused.
    fn with_mtls_aliases(
        mut self,
        aliases: Option<&MtlsEndpointAliases>,
    ) -> Result<Self, (&'static str, InvalidValue)> {
        let Some(aliases) = aliases else {
            return Ok(self);
        };
        let known = [
            (
                "mtls_endpoint_aliases.token_endpoint",
                &aliases.token_endpoint,
                Some(&self.token),
            ),
            (
                "mtls_endpoint_aliases.revocation_endpoint",
                &aliases.revocation_endpoint,
                self.revocation.as_ref(),
            ),
            (
                "mtls_endpoint_aliases.introspection_endpoint",
                &aliases.introspection_endpoint,
                self.introspection.as_ref(),
            ),
            (
                "mtls_endpoint_aliases.device_authorization_endpoint",
                &aliases.device_authorization_endpoint,
                self.device_authorization.as_ref(),
            ),
            (
                "mtls_endpoint_aliases.pushed_authorization_request_endpoint",
                &aliases.pushed_authorization_request_endpoint,
                self.pushed_authorization_request.as_ref(),
            ),
            (
                "mtls_endpoint_aliases.registration_endpoint",
                &aliases.registration_endpoint,
                self.registration.as_ref(),
            ),
            (
                "mtls_endpoint_aliases.userinfo_endpoint",
                &aliases.userinfo_endpoint,
                self.userinfo.as_ref(),
            ),
        ];
        let mut pairs = Vec::new();
        for (member, alias, endpoint) in known {
            let Some(alias) = alias else { continue };
            let alias = Endpoint::parse(alias).map_err(|problem| (member, problem))?;
            if alias.as_url().scheme() != "https" {
                return Err((member, InvalidValue::UnsupportedScheme));
            }
            if let Some(endpoint) = endpoint {
                pairs.push((endpoint.clone(), alias));
            }
        }
        self.mtls_aliases = Arc::from(pairs);
        Ok(self)
    }
}

impl Client {
    /// Validates the configuration. The client has no redirect URI yet: one
    /// that only refreshes, revokes or runs the client credentials grant
    /// needs none; one that logs users in sets a default with
    /// [`with_redirect_uri`](Self::with_redirect_uri), or names one per
    /// flow.
    ///
    /// # Errors
    /// See [`ConfigError`].
    pub fn new(
        metadata: ServerMetadata,
        client_id: ClientId,
        authentication: ClientAuthentication,
    ) -> Result<Self, ConfigError> {
        let issuer_url = Url::parse(&metadata.issuer)
            .map_err(|_| ConfigError::InvalidIssuer(InvalidValue::NotAbsoluteUrl))?;
        check_transport(&issuer_url).map_err(ConfigError::InvalidIssuer)?;
        if issuer_url.query().is_some() {
            return Err(ConfigError::InvalidIssuer(InvalidValue::IssuerHasQuery));
        }
        let endpoints = Endpoints::of(&metadata)
            .map_err(|(member, problem)| ConfigError::InvalidEndpoint { member, problem })?;
        let method = authentication.method_name();
        // Whether a client is public is a fact of its registration
        // (RFC 6749 §2.1), not of the metadata, which lists the methods of
        // confidential clients: servers that list only secret methods
        // serve public clients too (Authlib by default). For the others,
        // RFC 8414 §2's default when the member is omitted is
        // client_secret_basic.
        let supported = match (
            &authentication,
            &metadata.token_endpoint_auth_methods_supported,
        ) {
            (ClientAuthentication::None, _) => true,
            (_, Some(methods)) => methods.iter().any(|m| m == method),
            (_, None) => method == "client_secret_basic",
        };
        if !supported {
            return Err(ConfigError::AuthenticationMethodNotSupported { method });
        }
        if let ClientAuthentication::ClientSecretJwt(secret) = &authentication {
            if secret.secret().len() < MIN_HS256_SECRET_OCTETS {
                return Err(ConfigError::ClientSecretTooShortForHs256);
            }
        }
        if let (Some(alg), Some(algs)) = (
            authentication.signing_algorithm(),
            &metadata.token_endpoint_auth_signing_alg_values_supported,
        ) {
            if !algs.iter().any(|listed| listed == alg) {
                return Err(ConfigError::SigningAlgorithmNotSupported { alg });
            }
        }
        Ok(Self {
            issuer: metadata.issuer.clone(),
            authorization_endpoint: endpoints.authorization,
            token_endpoint: endpoints.token,
            refresh_endpoint: endpoints.refresh,
            revocation_endpoint: endpoints.revocation,
            pushed_authorization_request_endpoint: endpoints.pushed_authorization_request,
            device_authorization_endpoint: endpoints.device_authorization,
            introspection_endpoint: endpoints.introspection,
            userinfo_endpoint: endpoints.userinfo,
            end_session_endpoint: endpoints.end_session,
            jwks_uri: endpoints.jwks_uri,
            client_id,
            authentication,
            dpop: None,
            id_token_signing_alg: JwsAlgorithm::Rs256,
            request_object_key: None,
            redirect_uri: None,
            require_pushed_authorization_requests: metadata.require_pushed_authorization_requests,
            s256_unsupported: metadata
                .code_challenge_methods_supported
                .as_ref()
                .is_some_and(|methods| !methods.iter().any(|m| m == "S256")),
            metadata,
            tolerances: crate::strictness::Tolerances::default(),
            fapi2: false,
            jwt_responses: false,
            mtls_aliases: endpoints.mtls_aliases,
            certificate_bound_access_tokens: false,
        })
    }

    /// Asks for access tokens bound to the client's TLS certificate
    /// (RFC 8705 §3), for a client registered with
    /// `tls_client_certificate_bound_access_tokens` (§4) that does not
    /// authenticate with mutual TLS (a public client, or one with a
    /// secret or a JWT): every request it sends to the server goes to the
    /// endpoint's `mtls_endpoint_aliases` alias when there is one (§5)
    /// and is marked for the transport to present the certificate
    /// ([`RequiresClientCertificate`](crate::values::RequiresClientCertificate)).
    /// A client that authenticates with `tls_client_auth` or
    /// `self_signed_tls_client_auth` does so already.
    ///
    /// The server binds the tokens by its registration of the client; the
    /// token response still says `Bearer`. Requests to a protected
    /// resource with such a token must present the same certificate: that
    /// is the transport's to do.
    #[must_use]
    pub fn with_certificate_bound_access_tokens(mut self) -> Self {
        self.certificate_bound_access_tokens = true;
        self
    }

    /// Where a request of this client meant for `endpoint` goes: its
    /// `mtls_endpoint_aliases` alias when the client uses mutual TLS and
    /// the server has one (RFC 8705 §5), else `endpoint`.
    pub(crate) fn mtls_target<'a>(&'a self, endpoint: &'a Endpoint) -> &'a Endpoint {
        if self.uses_mutual_tls() {
            mtls_alias(&self.mtls_aliases, endpoint)
        } else {
            endpoint
        }
    }

    /// Whether the client's requests present its TLS certificate (RFC
    /// 8705): it authenticates with `tls_client_auth` or
    /// `self_signed_tls_client_auth`, or asked for certificate-bound
    /// tokens ([`with_certificate_bound_access_tokens`](Self::with_certificate_bound_access_tokens)).
    #[must_use]
    pub fn uses_mutual_tls(&self) -> bool {
        self.certificate_bound_access_tokens || self.authentication.is_mutual_tls()
    }

    /// Sender-constrains the client's tokens with DPoP (RFC 9449): every
    /// token request (code exchange, refresh, client credentials) and
    /// pushed authorization request carries a proof signed with `key`, an
    /// authorization request that is not pushed carries its thumbprint as
    /// `dpop_jkt` (§10), and tokens issued as `token_type: DPoP` are
    /// bound to it: never sent as `Bearer`, refreshed only with this key,
    /// and used at a resource with
    /// [`Authorized::authorize_dpop_request`](crate::Authorized::authorize_dpop_request)
    /// (or `Driver::request_resource`).
    ///
    /// # Errors
    /// [`ConfigError::DpopAlgorithmNotSupported`] when the server lists
    /// `dpop_signing_alg_values_supported` without the key's algorithm.
    pub fn with_dpop(mut self, key: DpopKey) -> Result<Self, ConfigError> {
        let alg = key.algorithm().as_str();
        if let Some(algs) = &self.metadata.dpop_signing_alg_values_supported {
            if !algs.iter().any(|listed| listed == alg) {
                return Err(ConfigError::DpopAlgorithmNotSupported { alg });
            }
        }
        self.dpop = Some(key);
        Ok(self)
    }

    /// Declares the algorithm the client registered for its ID tokens
    /// (`id_token_signed_response_alg`, OpenID Connect Dynamic Client
    /// Registration 1.0 §2): a sign-in accepts ID tokens signed with it
    /// alone. Without it, `RS256` (OpenID Connect Core §3.1.3.7 item 7).
    ///
    /// HS256 is keyed with the client secret (§10.1): the client must
    /// have one, of at least 32 octets, and verifies its sign-ins with a
    /// [`ClientSecretVerifier`](crate::jose::ClientSecretVerifier).
    ///
    /// # Errors
    /// [`ConfigError::IdTokenAlgorithmNotSupported`] when the server's
    /// `id_token_signing_alg_values_supported` does not list it; for
    /// HS256, [`ApiMisuse::PublicClient`](crate::errors::ApiMisuse::PublicClient)
    /// (as [`ConfigError::Misuse`]) when the client has no secret and
    /// [`ConfigError::ClientSecretTooShortForHs256`] when it is too short.
    pub fn with_id_token_signing_alg(mut self, alg: JwsAlgorithm) -> Result<Self, ConfigError> {
        if alg == JwsAlgorithm::Hs256 {
            let secret = self
                .authentication
                .client_secret()
                .ok_or(ConfigError::Misuse(crate::error::ApiMisuse::PublicClient))?;
            crate::jws::ClientSecretVerifier::new(secret)?;
        }
        if let Some(algs) = &self.metadata.id_token_signing_alg_values_supported {
            if !algs.iter().any(|listed| listed == alg.as_str()) {
                return Err(ConfigError::IdTokenAlgorithmNotSupported { alg: alg.as_str() });
            }
        }
        self.id_token_signing_alg = alg;
        Ok(self)
    }

    /// Signs every authorization request as a request object (JWT-Secured
    /// Authorization Request, RFC 9101) with `key`, usually the client's
    /// `private_key_jwt` key: its parameters travel as the claims of a JWT
    /// (`typ` `oauth-authz-req+jwt`, `iss` the client, `aud` the issuer,
    /// `iat`, `nbf`, `exp`, `jti`, §4, §10.2), by value in the `request`
    /// parameter of the authorization URL beside `client_id` alone (§5),
    /// or in the pushed authorization request (RFC 9126 §3).
    ///
    /// # Errors
    /// [`ConfigError::RequestObjectAlgorithmNotSupported`] when the server
    /// lists `request_object_signing_alg_values_supported` without the
    /// key's algorithm.
    pub fn with_signed_requests(mut self, key: ClientAssertionKey) -> Result<Self, ConfigError> {
        let alg = key.algorithm().as_str();
        if let Some(algs) = &self.metadata.request_object_signing_alg_values_supported {
            if !algs.iter().any(|listed| listed == alg) {
                return Err(ConfigError::RequestObjectAlgorithmNotSupported { alg });
            }
        }
        self.request_object_key = Some(key);
        Ok(self)
    }

    /// The DPoP key, when the client has one ([`with_dpop`](Self::with_dpop)).
    #[must_use]
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop.as_ref()
    }

    /// The redirect URI of every flow that does not name its own
    /// ([`Start::redirect_uri`](crate::Start::redirect_uri)).
    #[must_use]
    pub fn with_redirect_uri(mut self, redirect_uri: RedirectUri) -> Self {
        self.redirect_uri = Some(redirect_uri);
        self
    }

    /// Declares that this client is registered with
    /// `require_pushed_authorization_requests` (RFC 9126 §6), a client
    /// setting discovery cannot show: [`Start::begin`](crate::Start::begin)
    /// then refuses to build a plain authorization URL the server would
    /// reject, and [`Start::push`](crate::Start::push) must be used.
    #[must_use]
    pub fn require_pushed_authorization_requests(mut self) -> Self {
        self.require_pushed_authorization_requests = true;
        self
    }

    /// The metadata this client was built from.
    #[must_use]
    pub fn metadata(&self) -> &ServerMetadata {
        &self.metadata
    }

    /// The OpenID Connect UserInfo endpoint, validated like every other
    /// endpoint, when the metadata names one: call it with
    /// [`UserInfoRequest`](crate::openid::UserInfoRequest).
    #[must_use]
    pub fn userinfo_endpoint(&self) -> Option<&Endpoint> {
        self.userinfo_endpoint.as_ref()
    }

    /// The end session endpoint (RP-Initiated Logout 1.0 §2.1), validated
    /// like every other endpoint, when the metadata names one: send the
    /// user there with [`EndSessionRequest`](crate::openid::EndSessionRequest).
    #[must_use]
    pub fn end_session_endpoint(&self) -> Option<&Endpoint> {
        self.end_session_endpoint.as_ref()
    }

    /// The server's JWK Set document (`jwks_uri`, RFC 8414 §2), validated
    /// like every endpoint, when the metadata names one: where
    /// [`KeySetFetch::new`](crate::openid::KeySetFetch::new) fetches the
    /// keys ID tokens are verified with.
    #[must_use]
    pub fn jwks_uri(&self) -> Option<&Endpoint> {
        self.jwks_uri.as_ref()
    }

    /// The device authorization endpoint (RFC 8628 §4), validated like
    /// every other endpoint, when the metadata names one.
    #[must_use]
    pub fn device_authorization_endpoint(&self) -> Option<&Endpoint> {
        self.device_authorization_endpoint.as_ref()
    }

    /// The introspection endpoint (RFC 7662 §2), validated like every
    /// other endpoint, when the metadata names one.
    #[must_use]
    pub fn introspection_endpoint(&self) -> Option<&Endpoint> {
        self.introspection_endpoint.as_ref()
    }

    /// The `client_id`.
    #[must_use]
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The default `redirect_uri`, if one was set.
    #[must_use]
    pub fn redirect_uri(&self) -> Option<&RedirectUri> {
        self.redirect_uri.as_ref()
    }

    /// The client authentication method.
    #[must_use]
    pub fn authentication(&self) -> &ClientAuthentication {
        &self.authentication
    }
}

/// The tolerances, configured on the client. Each is off by default
/// except the ones RFC 6749 leaves room for; see [`Tolerances`].
impl Client {
    /// How strictly token responses are read; see [`Strictness`].
    #[must_use]
    pub fn with_strictness(mut self, strictness: Strictness) -> Self {
        self.tolerances.strictness = strictness;
        self
    }

    /// Reads a provider's own `token_type` `name` as `Bearer`, because
    /// the provider's documentation says to send such a token as
    /// `Authorization: Bearer` (Slack's `bot` and `user`, eBay's
    /// `User Access Token`). The response's `token_type` must be `name`
    /// whole, compared case-insensitively (RFC 6749 §5.1); any other
    /// unknown type stays refused.
    ///
    /// # Errors
    /// [`InvalidValue`]: `name` is empty, longer than
    /// [`MAX_TOKEN_TYPE_ALIAS_BYTES`](crate::limits::MAX_TOKEN_TYPE_ALIAS_BYTES), has a character outside printable
    /// ASCII or a space at either end, or is a type that is never a
    /// bearer token (`Bearer` itself, `DPoP`, `MAC`, `N_A`).
    pub fn with_bearer_token_type_alias(mut self, name: &str) -> Result<Self, InvalidValue> {
        self.tolerances = core::mem::take(&mut self.tolerances).with_alias(name)?;
        Ok(self)
    }

    /// How the scope is joined in the authorization, refresh and client
    /// credentials requests; with [`ScopeDelimiter::Comma`], a response's
    /// `scope` is also split on commas.
    #[must_use]
    pub fn with_scope_delimiter(mut self, delimiter: ScopeDelimiter) -> Self {
        let comma = delimiter == ScopeDelimiter::Comma;
        self.tolerances = core::mem::take(&mut self.tolerances).with_scope(delimiter, comma);
        self
    }

    /// Replaces every tolerance at once: how a provider preset applies its
    /// own. An app sets one tolerance at a time with the `with_*` setters
    /// above, which is the way to change one.
    #[must_use]
    pub fn with_tolerances(mut self, tolerances: Tolerances) -> Self {
        self.tolerances = tolerances;
        self
    }

    /// The tolerances token responses are read with.
    #[must_use]
    pub fn tolerances(&self) -> &Tolerances {
        &self.tolerances
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::ClientSecret;

    /// RFC 6749 §2.1: being public is a fact of the registration. Servers
    /// that list only secret methods serve public clients too, and metadata
    /// with or without the member agrees.
    #[test]
    fn a_public_client_is_accepted_whatever_the_listed_methods() {
        let id = ClientId::new("c").unwrap();
        let redirect = RedirectUri::new("https://app.example/cb").unwrap();
        let base = ServerMetadata::new(
            "https://as.example",
            "https://as.example/a",
            "https://as.example/t",
        );
        for methods in [
            None,
            Some(&["client_secret_basic", "client_secret_post"][..]),
            Some(&["private_key_jwt"][..]),
        ] {
            let mut metadata = base.clone();
            metadata.token_endpoint_auth_methods_supported =
                methods.map(|m| m.iter().map(|s| String::from(*s)).collect());
            assert!(
                Client::new(metadata, id.clone(), ClientAuthentication::None)
                    .map(|client| client.with_redirect_uri(redirect.clone()))
                    .is_ok(),
                "{methods:?}"
            );
        }
    }

    #[test]
    fn client_checks_the_metadata() {
        let id = ClientId::new("c").unwrap();
        let redirect = RedirectUri::new("https://app.example/cb").unwrap();
        let auth = ClientAuthentication::ClientSecretBasic(ClientSecret::new("s"));
        let good = ServerMetadata::new(
            "https://as.example",
            "https://as.example/authorize",
            "https://as.example/token",
        );
        assert!(Client::new(good.clone(), id.clone(), auth.clone())
            .map(|client| client.with_redirect_uri(redirect.clone()))
            .is_ok());

        let mut bad = good.clone();
        bad.token_endpoint = "http://as.example/token".into();
        assert_eq!(
            Client::new(bad, id.clone(), auth.clone())
                .map(|client| client.with_redirect_uri(redirect.clone()))
                .unwrap_err(),
            ConfigError::InvalidEndpoint {
                member: "token_endpoint",
                problem: InvalidValue::NotHttps
            }
        );

        let mut bad = good.clone();
        bad.issuer = "https://as.example/?tenant=1".into();
        assert_eq!(
            Client::new(bad, id.clone(), auth.clone())
                .map(|client| client.with_redirect_uri(redirect.clone()))
                .unwrap_err(),
            ConfigError::InvalidIssuer(InvalidValue::IssuerHasQuery)
        );

        let basic_only = ServerMetadata::new(
            "https://as.example",
            "https://as.example/a",
            "https://as.example/t",
        );
        assert_eq!(
            Client::new(
                basic_only,
                id,
                ClientAuthentication::ClientSecretPost(ClientSecret::new("s"))
            )
            .map(|client| client.with_redirect_uri(redirect))
            .unwrap_err(),
            ConfigError::AuthenticationMethodNotSupported {
                method: "client_secret_post"
            }
        );
    }
}

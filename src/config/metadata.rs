//! Authorization server metadata (RFC 8414 §2), as the caller or discovery
//! describes the server.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::tenant_issuer::TenantIssuer;
use crate::members::ExtraMembers;

/// Authorization server metadata, with the member names of RFC 8414 §2, so
/// a discovery document deserializes straight into it. Unknown members are
/// kept in [`extra`](Self::extra).
///
/// This is the caller's description of the server; [`Client::new`](crate::Client::new)
/// validates it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerMetadata {
    /// The authorization server's issuer identifier (RFC 8414 §2): compared
    /// byte for byte with the callback's `iss` (RFC 9207 §2.4).
    pub issuer: String,
    /// Where the user is sent to log in (RFC 6749 §3.1).
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged (RFC 6749 §3.2).
    pub token_endpoint: String,
    /// Not a member of RFC 8414: where a provider that takes refresh
    /// requests (RFC 6749 §6) at an endpoint of their own wants them
    /// (Figma's `/v1/oauth/refresh`). `None`, the default, means the
    /// token endpoint. Set by the caller or a preset only: never read
    /// from, nor written to, a metadata document, so no document can
    /// send a refresh token elsewhere.
    #[serde(skip)]
    pub refresh_endpoint: Option<String>,
    /// Where tokens are revoked (RFC 7009), if the server has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// RFC 9126 §5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Where a device asks for a device code and a user code (RFC 8628
    /// §3.1, §4). Clients authenticate there as at the token endpoint
    /// (§3.1), so there is no list of methods of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    /// Where a protected resource asks whether a token is active
    /// (RFC 7662 §2; RFC 8414 §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// The client authentication methods the introspection endpoint
    /// accepts (RFC 8414 §2); absent means the server did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// The OpenID Connect UserInfo endpoint (OpenID Connect Discovery 1.0
    /// §3), where an access token with the `openid` scope reads the
    /// user's claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// Where the user's browser is sent to log out at the provider
    /// (OpenID Connect RP-Initiated Logout 1.0 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    /// Whether the provider sends back-channel logout tokens
    /// (OpenID Connect Back-Channel Logout 1.0 §2.1).
    #[serde(default)]
    pub backchannel_logout_supported: bool,
    /// Whether its logout tokens carry `sid` (Back-Channel Logout 1.0
    /// §2.1).
    #[serde(default)]
    pub backchannel_logout_session_supported: bool,
    /// The server's JWK Set document (RFC 8414 §2, OpenID Connect
    /// Discovery 1.0 §3): the keys its ID tokens are signed with, fetched
    /// by [`KeySetFetch::new`](crate::openid::KeySetFetch::new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// The JWS algorithms the server signs ID tokens with (OpenID Connect
    /// Discovery 1.0 §3, which requires `RS256` among them); absent means
    /// the server did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signing_alg_values_supported: Option<Vec<String>>,
    /// Where clients register (RFC 7591 §3, RFC 8414 §2), if the server
    /// takes dynamic registrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// RFC 9126 §5.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// The JWS algorithms the server accepts for request objects (RFC 9101
    /// §10.5, OpenID Connect Discovery 1.0 §3); absent means the server
    /// did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg_values_supported: Option<Vec<String>>,
    /// Every authorization request must come as a signed request object
    /// (RFC 9101 §10.5).
    #[serde(default)]
    pub require_signed_request_object: bool,
    /// The JWS algorithms the server signs JWT-secured authorization
    /// responses with (JARM §3); absent means the server did not say
    /// (then RS256, JARM §2.1's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_signing_alg_values_supported: Option<Vec<String>>,
    /// The JWS algorithms the server signs JWT introspection responses
    /// with (RFC 9701 §7); absent means the server did not say (then
    /// RS256, §6's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_signing_alg_values_supported: Option<Vec<String>>,
    /// When true, every authorization response must carry `iss`
    /// (RFC 9207 §3).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// The PKCE methods the server accepts (RFC 8414 §2); absent means the
    /// server did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// The client authentication methods the token endpoint accepts
    /// (RFC 8414 §2); absent means `client_secret_basic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// The JWS algorithms the token endpoint accepts for JWT client
    /// authentication (RFC 8414 §2); absent means the server did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// The JWS algorithms the server accepts in DPoP proofs (RFC 9449
    /// §5.1); absent means the server did not say (or does no DPoP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// RFC 8414 §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// RFC 8414 §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types_supported: Option<Vec<String>>,
    /// RFC 8414 §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_modes_supported: Option<Vec<String>>,
    /// RFC 8414 §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// Rich authorization requests: the `type`s of authorization details
    /// the server takes (RFC 9396 §10); absent means the server did not
    /// say. A login asking for another type is refused before anything is
    /// sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details_types_supported: Option<Vec<String>>,
    // Mutual TLS (RFC 8705).
    /// The endpoints a client that uses mutual TLS sends its requests to
    /// instead of the plain ones (RFC 8705 §5); absent means the plain
    /// endpoints take mutual TLS too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls_endpoint_aliases: Option<MtlsEndpointAliases>,
    /// Whether the server issues certificate-bound access tokens
    /// (RFC 8705 §3.3).
    #[serde(default)]
    pub tls_client_certificate_bound_access_tokens: bool,
    // OpenID CIBA Core 1.0 §4.
    /// Where a client asks the provider to authenticate a user on their
    /// own device (OpenID CIBA Core 1.0 §4, §7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_authentication_endpoint: Option<String>,
    /// The token delivery modes the provider supports, of `poll`, `ping`
    /// and `push` (CIBA Core §4); this crate does `poll` and `ping`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_token_delivery_modes_supported: Option<Vec<String>>,
    /// The JWS algorithms the provider accepts for signed backchannel
    /// authentication requests (CIBA Core §4); absent means it takes none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_authentication_request_signing_alg_values_supported: Option<Vec<String>>,
    /// Whether the provider takes a `user_code` in the backchannel
    /// authentication request (CIBA Core §4); absent means false.
    #[serde(default)]
    pub backchannel_user_code_parameter_supported: bool,
    /// Members this crate does not model, kept as they came.
    #[serde(flatten)]
    pub extra: ExtraMembers,
    /// Not a member of any metadata document: the issuer template an ID
    /// token's `iss` may follow when the issuer is one of the template's
    /// alias tenants ([`TenantIssuer`]). Set by
    /// [`Preset::microsoft_entra`](crate::Preset::microsoft_entra) for
    /// `common`, `organizations` and `consumers` only; never read from,
    /// nor written to, a document, so no document can loosen the check.
    #[serde(skip)]
    pub(crate) tenant_issuer: Option<TenantIssuer>,
}

impl ServerMetadata {
    /// Metadata with the three members every flow needs.
    pub fn new(
        issuer: impl Into<String>,
        authorization_endpoint: impl Into<String>,
        token_endpoint: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            authorization_endpoint: authorization_endpoint.into(),
            token_endpoint: token_endpoint.into(),
            refresh_endpoint: None,
            revocation_endpoint: None,
            pushed_authorization_request_endpoint: None,
            device_authorization_endpoint: None,
            introspection_endpoint: None,
            introspection_endpoint_auth_methods_supported: None,
            userinfo_endpoint: None,
            end_session_endpoint: None,
            backchannel_logout_supported: false,
            backchannel_logout_session_supported: false,
            jwks_uri: None,
            id_token_signing_alg_values_supported: None,
            registration_endpoint: None,
            require_pushed_authorization_requests: false,
            request_object_signing_alg_values_supported: None,
            require_signed_request_object: false,
            authorization_signing_alg_values_supported: None,
            introspection_signing_alg_values_supported: None,
            authorization_response_iss_parameter_supported: false,
            code_challenge_methods_supported: None,
            token_endpoint_auth_methods_supported: None,
            token_endpoint_auth_signing_alg_values_supported: None,
            dpop_signing_alg_values_supported: None,
            scopes_supported: None,
            response_types_supported: None,
            response_modes_supported: None,
            grant_types_supported: None,
            authorization_details_types_supported: None,
            mtls_endpoint_aliases: None,
            tls_client_certificate_bound_access_tokens: false,
            // OpenID CIBA Core 1.0.
            backchannel_authentication_endpoint: None,
            backchannel_token_delivery_modes_supported: None,
            backchannel_authentication_request_signing_alg_values_supported: None,
            backchannel_user_code_parameter_supported: false,
            extra: ExtraMembers::default(),
            tenant_issuer: None,
        }
    }

    /// The issuer template of a multi-tenant provider's alias tenant, when
    /// the metadata comes from a preset that sets one
    /// ([`Preset::microsoft_entra`](crate::Preset::microsoft_entra) with
    /// `common`, `organizations` or `consumers`): a sign-in then accepts
    /// an ID token whose `iss` is the template with the token's own `tid`
    /// ([`TenantIssuer`]). `None` everywhere else: `iss` is compared with
    /// [`issuer`](Self::issuer) exactly.
    #[must_use]
    pub fn tenant_issuer(&self) -> Option<TenantIssuer> {
        self.tenant_issuer
    }

    /// Sets the endpoint refresh requests go to, for a provider that does
    /// not take them at its token endpoint (see
    /// [`refresh_endpoint`](Self::refresh_endpoint)).
    #[must_use]
    pub fn with_refresh_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.refresh_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the RFC 7009 revocation endpoint.
    #[must_use]
    pub fn with_revocation_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.revocation_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the RFC 8628 device authorization endpoint.
    #[must_use]
    pub fn with_device_authorization_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.device_authorization_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the RFC 7662 introspection endpoint.
    #[must_use]
    pub fn with_introspection_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.introspection_endpoint = Some(endpoint.into());
        self
    }

    /// Declares that the server always sends `iss` in its authorization
    /// responses (RFC 9207 §3), which makes `iss` required at the callback.
    #[must_use]
    pub fn with_authorization_response_iss_parameter_supported(mut self, supported: bool) -> Self {
        self.authorization_response_iss_parameter_supported = supported;
        self
    }

    /// Sets `code_challenge_methods_supported`.
    #[must_use]
    pub fn with_code_challenge_methods_supported<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.code_challenge_methods_supported = Some(methods.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `token_endpoint_auth_methods_supported`.
    #[must_use]
    pub fn with_token_endpoint_auth_methods_supported<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.token_endpoint_auth_methods_supported =
            Some(methods.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the OpenID CIBA Core 1.0 backchannel authentication endpoint.
    #[must_use]
    pub fn with_backchannel_authentication_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.backchannel_authentication_endpoint = Some(endpoint.into());
        self
    }
}

/// `mtls_endpoint_aliases` (RFC 8705 §5): the server's endpoints for
/// clients that use mutual TLS, by the name of the metadata member they
/// stand in for. A client that authenticates with `tls_client_auth` or
/// `self_signed_tls_client_auth`, or asks for certificate-bound tokens,
/// sends each request to the alias of its endpoint when there is one, and
/// to the plain endpoint otherwise. [`Client::new`](crate::Client::new)
/// (and discovery) check each alias as an endpoint, `https` only: mutual
/// TLS needs TLS, even on loopback.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MtlsEndpointAliases {
    /// The token endpoint's alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// The revocation endpoint's alias (RFC 7009).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// The introspection endpoint's alias (RFC 7662).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// The device authorization endpoint's alias (RFC 8628).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    /// The pushed authorization request endpoint's alias (RFC 9126).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// The registration endpoint's alias (RFC 7591).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// The UserInfo endpoint's alias (OpenID Connect Core §5.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// The backchannel authentication endpoint's alias (OpenID CIBA Core
    /// 1.0 §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_authentication_endpoint: Option<String>,
    /// Aliases of endpoints this crate does not call, kept as they came
    /// and not checked.
    #[serde(flatten)]
    pub extra: ExtraMembers,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_deserializes_from_a_discovery_document() {
        let json = r#"{
            "issuer": "https://as.example",
            "authorization_endpoint": "https://as.example/authorize",
            "token_endpoint": "https://as.example/token",
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "jwks_uri": "https://as.example/jwks"
        }"#;
        let metadata: ServerMetadata = serde_json::from_str(json).unwrap();
        assert!(metadata.authorization_response_iss_parameter_supported);
        assert_eq!(
            metadata.jwks_uri.as_deref(),
            Some("https://as.example/jwks")
        );
        assert!(!metadata.extra.contains("jwks_uri"));
        assert_eq!(metadata.revocation_endpoint, None);
    }

    /// RFC 8705 §5's example, with an alias this crate does not call.
    #[test]
    fn mtls_endpoint_aliases_deserialize() {
        let json = r#"{
            "issuer": "https://server.example.com",
            "authorization_endpoint": "https://server.example.com/authz",
            "token_endpoint": "https://server.example.com/token",
            "introspection_endpoint": "https://server.example.com/introspect",
            "revocation_endpoint": "https://server.example.com/revo",
            "tls_client_certificate_bound_access_tokens": true,
            "mtls_endpoint_aliases": {
                "token_endpoint": "https://mtls.example.com/token",
                "revocation_endpoint": "https://mtls.example.com/revo",
                "introspection_endpoint": "https://mtls.example.com/introspect",
                "backchannel_authentication_endpoint": "https://mtls.example.com/bc",
                "end_session_endpoint": "https://mtls.example.com/logout"
            }
        }"#;
        let metadata: ServerMetadata = serde_json::from_str(json).unwrap();
        assert!(metadata.tls_client_certificate_bound_access_tokens);
        let aliases = metadata.mtls_endpoint_aliases.unwrap();
        assert_eq!(
            aliases.token_endpoint.as_deref(),
            Some("https://mtls.example.com/token")
        );
        assert_eq!(aliases.userinfo_endpoint, None);
        assert_eq!(
            aliases.backchannel_authentication_endpoint.as_deref(),
            Some("https://mtls.example.com/bc")
        );
        // An alias of an endpoint this crate never authenticates at.
        assert!(aliases.extra.contains("end_session_endpoint"));
        assert!(!metadata.extra.contains("mtls_endpoint_aliases"));
    }
}

//! Provider presets: for a provider that publishes no discovery document,
//! or whose responses need a named tolerance, its [`ServerMetadata`] and
//! [`Tolerances`] as data, from its documentation. The table is in
//! `catalogue.rs`, one row per provider, and `providers.rs`, one
//! constructor per provider.

mod catalogue;
mod providers;

use alloc::string::String;

use crate::config::{Client, ClientAuthentication, ClientId, ServerMetadata, TenantIssuer};
use crate::error::ConfigError;
use crate::error::InvalidValue;
use crate::strictness::{ScopeDelimiter, Tolerances};
use crate::text::UntrustedText;

/// A provider's endpoints and the tolerances its documented responses
/// need: a [`ServerMetadata`] plus [`Tolerances`], nothing else.
///
/// Each constructor's documentation names the provider's page it was
/// read from and the date it was checked; the
/// [providers guide](crate::manual::providers)'s table lists them all with the test that runs the provider's own examples,
/// and says which metadata was not confirmed on a page (check those
/// endpoints and methods before production use).
///
/// ```
/// # use oauth2_pkce::*;
/// let client = Preset::slack()
///     .client(
///         ClientId::new("3336676.569200954261").unwrap(),
///         ClientAuthentication::ClientSecretPost(ClientSecret::new("s3cret")),
///     )
///     .unwrap();
/// assert_eq!(client.tolerances().bearer_token_types().collect::<Vec<_>>(), ["bot", "user"]);
/// ```
///
/// # The issuer identifier
///
/// A provider without discovery publishes no issuer identifier (RFC 8414
/// §2). Where the provider has an OpenID Connect issuer, the preset uses
/// it; otherwise the origin of its authorization endpoint, which is an
/// inference, said so on the constructor. The issuer binds stored flows
/// to the provider, and a callback's `iss`, when one is sent, must equal
/// it byte for byte (RFC 9207): if a provider's callbacks carry another
/// value, they are refused
/// ([`CallbackError::IssuerMismatch`](crate::errors::CallbackError::IssuerMismatch)),
/// and the fix is to set [`ServerMetadata::issuer`] through
/// [`into_parts`](Self::into_parts). An ID token's `iss` is compared the
/// same way (OpenID Connect Core §3.1.3.7 item 2), save for Microsoft Entra
/// ID's alias tenants, whose tokens name the user's tenant
/// ([`TenantIssuer`](crate::openid::TenantIssuer)).
///
/// # Signing in
///
/// The presets of providers that sign users in with OpenID Connect at
/// their endpoints carry the `jwks_uri` the sign-in's key set is fetched
/// from ([`KeySetFetch::new`](crate::openid::KeySetFetch::new)), and the
/// ID token algorithms and end session endpoint where the provider's page
/// shows them; [`openid_documentation`](Self::openid_documentation) names
/// that page. The others have no `jwks_uri`.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct Preset {
    provider: &'static str,
    checked: &'static str,
    documentation: &'static str,
    /// The page and date of the OpenID Connect members, when it has them.
    openid: Option<(&'static str, &'static str)>,
    metadata: ServerMetadata,
    tolerances: Tolerances,
}

/// When the catalogue was checked against the providers' pages; a row
/// added later carries its own date.
pub(crate) const CHECKED: &str = "2026-11-30";

impl Preset {
    /// The provider's name.
    #[must_use]
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The page of the provider's documentation the preset was read from.
    #[must_use]
    pub fn documentation(&self) -> &'static str {
        self.documentation
    }

    /// The date (`YYYY-MM-DD`) the preset was checked against that page.
    #[must_use]
    pub fn checked(&self) -> &'static str {
        self.checked
    }

    /// For a provider that signs users in with OpenID Connect at the
    /// preset's endpoints: the page its OpenID Connect members (`jwks_uri`,
    /// `id_token_signing_alg_values_supported`, `end_session_endpoint`)
    /// were read from, and the date (`YYYY-MM-DD`). `None` for the others.
    #[must_use]
    pub fn openid_documentation(&self) -> Option<(&'static str, &'static str)> {
        self.openid
    }

    /// The provider's metadata.
    #[must_use]
    pub fn metadata(&self) -> &ServerMetadata {
        &self.metadata
    }

    /// The tolerances the provider's documented responses need.
    #[must_use]
    pub fn tolerances(&self) -> &Tolerances {
        &self.tolerances
    }

    /// The metadata and tolerances, to adjust before building a client.
    #[must_use]
    pub fn into_parts(self) -> (ServerMetadata, Tolerances) {
        (self.metadata, self.tolerances)
    }

    /// A client of this provider, with the preset's tolerances.
    ///
    /// # Errors
    /// As [`Client::new`]; [`ConfigError::AuthenticationMethodNotSupported`]
    /// when the provider does not document `authentication`'s method.
    pub fn client(
        self,
        client_id: ClientId,
        authentication: ClientAuthentication,
    ) -> Result<Client, ConfigError> {
        Ok(Client::new(self.metadata, client_id, authentication)?.with_tolerances(self.tolerances))
    }
}

/// The longest DNS name (RFC 1035 §2.3.4), and so the longest argument.
const MAX_ARGUMENT_BYTES: usize = 253;

/// At most the first [`MAX_ARGUMENT_BYTES`] of a refused argument, kept to
/// be shown: the refusal's size does not grow with the input.
fn shown(value: &str) -> UntrustedText {
    let end = (0..=value.len().min(MAX_ARGUMENT_BYTES))
        .rev()
        .find(|&end| value.is_char_boundary(end))
        .unwrap_or(0);
    UntrustedText::from(value.get(..end).unwrap_or_default())
}

/// `value`, lowercased, if it is a dot-separated run of labels of ASCII
/// letters, digits and inner `-`.
fn host_like(argument: &'static str, value: &str) -> Result<String, InvalidValue> {
    let ok = !value.is_empty()
        && value.len() <= MAX_ARGUMENT_BYTES
        && value.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(InvalidValue::PresetArgument {
            argument,
            value: shown(value),
        })
    }
}

/// One row of the catalogue. `{arg}` in the URLs stands for the validated
/// tenant, shop or instance.
pub(crate) struct Entry {
    pub(crate) provider: &'static str,
    /// When the row was checked against the page (`YYYY-MM-DD`).
    pub(crate) checked: &'static str,
    pub(crate) documentation: &'static str,
    pub(crate) issuer: &'static str,
    pub(crate) authorization_endpoint: &'static str,
    pub(crate) token_endpoint: &'static str,
    /// A refresh endpoint of the provider's own; `None`: the token
    /// endpoint (RFC 6749 §6).
    pub(crate) refresh_endpoint: Option<&'static str>,
    pub(crate) revocation_endpoint: Option<&'static str>,
    pub(crate) userinfo_endpoint: Option<&'static str>,
    /// `None`: the provider does not document PKCE; S256 is sent anyway
    /// (RFC 6749 §3.1: a server ignores parameters it does not know).
    pub(crate) code_challenge_methods: Option<&'static [&'static str]>,
    pub(crate) auth_methods: &'static [&'static str],
    pub(crate) scope_delimiter: ScopeDelimiter,
    pub(crate) comma_separated_response_scope: bool,
    pub(crate) bearer_token_types: &'static [&'static str],
    /// The OpenID Connect members, for a provider that signs users in
    /// with OpenID Connect at these endpoints; `None` otherwise.
    pub(crate) openid: Option<OpenId>,
}

/// A row's OpenID Connect members (OpenID Connect Discovery 1.0 §3), read
/// from a page of their own, on a date of their own. A member the page
/// does not show is left out: [`Discovery`](crate::Discovery) gives it.
pub(crate) struct OpenId {
    /// The page (or the published discovery document) read.
    pub(crate) documentation: &'static str,
    /// When (`YYYY-MM-DD`).
    pub(crate) checked: &'static str,
    /// `jwks_uri`: the keys ID tokens are signed with.
    pub(crate) jwks_uri: &'static str,
    /// `id_token_signing_alg_values_supported`, when shown.
    pub(crate) id_token_signing_algs: Option<&'static [&'static str]>,
    /// `end_session_endpoint` (RP-Initiated Logout 1.0), when shown.
    pub(crate) end_session_endpoint: Option<&'static str>,
    /// The issuer template of a multi-tenant provider: set on the preset
    /// only when its issuer is one of the template's alias tenants.
    pub(crate) tenant_issuer: Option<TenantIssuer>,
}

impl Entry {
    fn preset(&self, arg: &str) -> Preset {
        let url = |template: &str| template.replace("{arg}", arg);
        let mut metadata = ServerMetadata::new(
            url(self.issuer),
            url(self.authorization_endpoint),
            url(self.token_endpoint),
        )
        .with_token_endpoint_auth_methods_supported(self.auth_methods.iter().copied());
        metadata.refresh_endpoint = self.refresh_endpoint.map(url);
        metadata.revocation_endpoint = self.revocation_endpoint.map(url);
        metadata.userinfo_endpoint = self.userinfo_endpoint.map(url);
        metadata.code_challenge_methods_supported = self
            .code_challenge_methods
            .map(|methods| methods.iter().map(|m| String::from(*m)).collect());
        if let Some(openid) = &self.openid {
            metadata.jwks_uri = Some(url(openid.jwks_uri));
            metadata.id_token_signing_alg_values_supported = openid
                .id_token_signing_algs
                .map(|algs| algs.iter().map(|alg| String::from(*alg)).collect());
            metadata.end_session_endpoint = openid.end_session_endpoint.map(url);
            metadata.tenant_issuer = openid
                .tenant_issuer
                .filter(|template| template.is_alias(&metadata.issuer));
        }
        let mut tolerances = Tolerances::default()
            .with_scope(self.scope_delimiter, self.comma_separated_response_scope);
        for name in self.bearer_token_types {
            // The catalogue's names are checked by a test.
            if let Ok(with) = tolerances.clone().with_alias(name) {
                tolerances = with;
            }
        }
        Preset {
            provider: self.provider,
            checked: self.checked,
            documentation: self.documentation,
            openid: self
                .openid
                .as_ref()
                .map(|openid| (openid.documentation, openid.checked)),
            metadata,
            tolerances,
        }
    }
}

impl Preset {
    /// Every preset without an argument, and the argument-taking ones
    /// with an example argument (`common`, `example`, `mastodon.social`):
    /// for tests and listings.
    pub fn catalogue() -> impl Iterator<Item = Preset> {
        catalogue::ENTRIES
            .iter()
            .map(|entry| entry.preset(catalogue::example_argument(entry.provider)))
            .chain(core::iter::once(Self::pagero()))
    }

    /// Pagero Online's endpoints, from its public documentation
    /// ("Authorization code grant flow with proof key for code exchange"),
    /// with the default tolerances.
    ///
    /// Pagero's documentation does not state its issuer identifier. This
    /// preset uses the identifier of Pagero's Curity-style anonymous OAuth
    /// profile, `https://sso.pageroonline.com/oauth/v2/oauth-anonymous`;
    /// when a callback carries an `iss` that differs, the callback is
    /// refused ([`CallbackError::IssuerMismatch`](crate::errors::CallbackError::IssuerMismatch)),
    /// so confirm the value against the server's discovery document and set
    /// the metadata's [`issuer`](ServerMetadata::issuer) if it differs.
    pub fn pagero() -> Self {
        let metadata = ServerMetadata::new(
            "https://sso.pageroonline.com/oauth/v2/oauth-anonymous",
            "https://sso.pageroonline.com/oauth/v2/oauth-authorize",
            "https://sso.pageroonline.com/oauth/v2/oauth-token",
        )
        .with_revocation_endpoint("https://sso.pageroonline.com/oauth/v2/oauth-revoke")
        .with_code_challenge_methods_supported(["S256"])
        .with_token_endpoint_auth_methods_supported(["client_secret_basic", "client_secret_post"]);
        Self {
            provider: "Pagero Online",
            checked: CHECKED,
            documentation: "https://developer.pagero.com/docs/authorization-code-grant-flow-with-proof-key-for-code-exchange",
            openid: None,
            metadata,
            tolerances: Tolerances::default(),
        }
    }
}

//! The catalogue: one row per provider, read from the provider's
//! documentation page named in the row, checked on the row's date
//! (2026-11-30 unless the row says otherwise).
//!
//! A row records only what the page shows. Where a page does not say
//! (PKCE support, a revocation endpoint in RFC 7009's shape), the row
//! leaves the member out rather than guess: an absent
//! `code_challenge_methods_supported` never refuses S256, and S256 is
//! always sent.

use super::{Entry, OpenId, CHECKED};
use crate::config::TenantIssuer;
use crate::strictness::ScopeDelimiter::{Comma, Space};

const BASIC_POST: &[&str] = &["client_secret_basic", "client_secret_post"];
const POST: &[&str] = &["client_secret_post"];
const BASIC: &[&str] = &["client_secret_basic"];
const S256: Option<&[&str]> = Some(&["S256"]);
const RS256: Option<&[&str]> = Some(&["RS256"]);
/// When the OpenID Connect members were read.
const OPENID_CHECKED: &str = "2026-12-07";

pub(super) const GITHUB: Entry = Entry {
    provider: "GitHub",
    checked: CHECKED,
    documentation:
        "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
    issuer: "https://github.com",
    authorization_endpoint: "https://github.com/login/oauth/authorize",
    token_endpoint: "https://github.com/login/oauth/access_token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: S256,
    auth_methods: POST,
    scope_delimiter: Space,
    comma_separated_response_scope: true,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const GITLAB: Entry = Entry {
    provider: "GitLab",
    checked: CHECKED,
    documentation: "https://docs.gitlab.com/api/oauth2/",
    issuer: "https://gitlab.com",
    authorization_endpoint: "https://gitlab.com/oauth/authorize",
    token_endpoint: "https://gitlab.com/oauth/token",
    refresh_endpoint: None,
    revocation_endpoint: Some("https://gitlab.com/oauth/revoke"),
    userinfo_endpoint: Some("https://gitlab.com/oauth/userinfo"),
    code_challenge_methods: S256,
    auth_methods: BASIC_POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    // Its discovery document, named by
    // https://docs.gitlab.com/integration/openid_connect_provider/.
    openid: Some(OpenId {
        documentation: "https://gitlab.com/.well-known/openid-configuration",
        checked: OPENID_CHECKED,
        jwks_uri: "https://gitlab.com/oauth/discovery/keys",
        id_token_signing_algs: RS256,
        end_session_endpoint: None,
        tenant_issuer: None,
    }),
};

pub(super) const GOOGLE: Entry = Entry {
    provider: "Google",
    checked: CHECKED,
    documentation: "https://developers.google.com/identity/protocols/oauth2/web-server",
    issuer: "https://accounts.google.com",
    authorization_endpoint: "https://accounts.google.com/o/oauth2/v2/auth",
    token_endpoint: "https://oauth2.googleapis.com/token",
    refresh_endpoint: None,
    revocation_endpoint: Some("https://oauth2.googleapis.com/revoke"),
    userinfo_endpoint: Some("https://openidconnect.googleapis.com/v1/userinfo"),
    code_challenge_methods: Some(&["plain", "S256"]),
    auth_methods: BASIC_POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    // Its discovery document, named by
    // https://developers.google.com/identity/openid-connect/reference.
    openid: Some(OpenId {
        documentation: "https://accounts.google.com/.well-known/openid-configuration",
        checked: OPENID_CHECKED,
        jwks_uri: "https://www.googleapis.com/oauth2/v3/certs",
        id_token_signing_algs: RS256,
        end_session_endpoint: None,
        tenant_issuer: None,
    }),
};

pub(super) const MICROSOFT_ENTRA: Entry = Entry {
    provider: "Microsoft Entra ID",
    checked: CHECKED,
    documentation:
        "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow",
    issuer: "https://login.microsoftonline.com/{arg}/v2.0",
    authorization_endpoint: "https://login.microsoftonline.com/{arg}/oauth2/v2.0/authorize",
    token_endpoint: "https://login.microsoftonline.com/{arg}/oauth2/v2.0/token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: Some("https://graph.microsoft.com/oidc/userinfo"),
    code_challenge_methods: S256,
    auth_methods: &[
        "client_secret_post",
        "client_secret_basic",
        "private_key_jwt",
    ],
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    // RS256: the `common` endpoint's discovery document,
    // https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration.
    openid: Some(OpenId {
        documentation:
            "https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc",
        checked: OPENID_CHECKED,
        jwks_uri: "https://login.microsoftonline.com/{arg}/discovery/v2.0/keys",
        id_token_signing_algs: RS256,
        end_session_endpoint: Some("https://login.microsoftonline.com/{arg}/oauth2/v2.0/logout"),
        // `common`, `organizations`, `consumers`: the user's tenant signs.
        tenant_issuer: Some(TenantIssuer::MICROSOFT_ENTRA_V2),
    }),
};

pub(super) const SLACK: Entry = Entry {
    provider: "Slack",
    checked: CHECKED,
    documentation: "https://api.slack.com/methods/oauth.v2.access",
    issuer: "https://slack.com",
    authorization_endpoint: "https://slack.com/oauth/v2/authorize",
    token_endpoint: "https://slack.com/api/oauth.v2.access",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: BASIC_POST,
    scope_delimiter: Comma,
    comma_separated_response_scope: true,
    bearer_token_types: &["bot", "user"],
    openid: None,
};

/// Sign in with Slack: Slack's OpenID Connect flow, at endpoints of its
/// own (the `oauth.v2.access` row above issues no ID token).
pub(super) const SLACK_OPENID: Entry = Entry {
    provider: "Sign in with Slack",
    checked: OPENID_CHECKED,
    documentation: "https://api.slack.com/authentication/sign-in-with-slack",
    issuer: "https://slack.com",
    authorization_endpoint: "https://slack.com/openid/connect/authorize",
    token_endpoint: "https://slack.com/api/openid.connect.token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: Some("https://slack.com/api/openid.connect.userInfo"),
    code_challenge_methods: None,
    auth_methods: &["client_secret_post", "client_secret_basic"],
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    // Its discovery document, as exported by panva/wellknown.
    openid: Some(OpenId {
        documentation: "https://slack.com/.well-known/openid-configuration",
        checked: OPENID_CHECKED,
        jwks_uri: "https://slack.com/openid/connect/keys",
        id_token_signing_algs: RS256,
        end_session_endpoint: None,
        tenant_issuer: None,
    }),
};

pub(super) const DISCORD: Entry = Entry {
    provider: "Discord",
    checked: CHECKED,
    documentation: "https://discord.com/developers/docs/topics/oauth2",
    issuer: "https://discord.com",
    authorization_endpoint: "https://discord.com/oauth2/authorize",
    token_endpoint: "https://discord.com/api/oauth2/token",
    refresh_endpoint: None,
    revocation_endpoint: Some("https://discord.com/api/oauth2/token/revoke"),
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: BASIC_POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const LINKEDIN: Entry = Entry {
    provider: "LinkedIn",
    checked: CHECKED,
    documentation:
        "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    issuer: "https://www.linkedin.com/oauth",
    authorization_endpoint: "https://www.linkedin.com/oauth/v2/authorization",
    token_endpoint: "https://www.linkedin.com/oauth/v2/accessToken",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: Some("https://api.linkedin.com/v2/userinfo"),
    code_challenge_methods: None,
    auth_methods: POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    // LinkedIn's discovery document
    // (https://www.linkedin.com/oauth/.well-known/openid-configuration) as
    // listed by https://logto.io/oauth-providers-explorer/linkedin; the
    // Sign In with LinkedIn page names no key set and no algorithm.
    openid: Some(OpenId {
        documentation: "https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2",
        checked: OPENID_CHECKED,
        jwks_uri: "https://www.linkedin.com/oauth/openid/jwks",
        id_token_signing_algs: None,
        end_session_endpoint: None,
        tenant_issuer: None,
    }),
};

pub(super) const SHOPIFY: Entry = Entry {
    provider: "Shopify",
    checked: CHECKED,
    documentation: "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant",
    issuer: "https://{arg}.myshopify.com",
    authorization_endpoint: "https://{arg}.myshopify.com/admin/oauth/authorize",
    token_endpoint: "https://{arg}.myshopify.com/admin/oauth/access_token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: POST,
    scope_delimiter: Comma,
    comma_separated_response_scope: true,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const TWITCH: Entry = Entry {
    provider: "Twitch",
    checked: CHECKED,
    documentation: "https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/",
    issuer: "https://id.twitch.tv/oauth2",
    authorization_endpoint: "https://id.twitch.tv/oauth2/authorize",
    token_endpoint: "https://id.twitch.tv/oauth2/token",
    refresh_endpoint: None,
    revocation_endpoint: Some("https://id.twitch.tv/oauth2/revoke"),
    userinfo_endpoint: Some("https://id.twitch.tv/oauth2/userinfo"),
    code_challenge_methods: None,
    auth_methods: POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: Some(OpenId {
        documentation: "https://dev.twitch.tv/docs/authentication/getting-tokens-oidc/",
        checked: OPENID_CHECKED,
        jwks_uri: "https://id.twitch.tv/oauth2/keys",
        id_token_signing_algs: RS256,
        end_session_endpoint: None,
        tenant_issuer: None,
    }),
};

pub(super) const SPOTIFY: Entry = Entry {
    provider: "Spotify",
    checked: CHECKED,
    documentation: "https://developer.spotify.com/documentation/web-api/tutorials/code-pkce-flow",
    issuer: "https://accounts.spotify.com",
    authorization_endpoint: "https://accounts.spotify.com/authorize",
    token_endpoint: "https://accounts.spotify.com/api/token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: S256,
    auth_methods: BASIC,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const DROPBOX: Entry = Entry {
    provider: "Dropbox",
    checked: CHECKED,
    documentation: "https://developers.dropbox.com/oauth-guide",
    issuer: "https://www.dropbox.com",
    authorization_endpoint: "https://www.dropbox.com/oauth2/authorize",
    token_endpoint: "https://api.dropboxapi.com/oauth2/token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: Some(&["S256", "plain"]),
    auth_methods: BASIC_POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const STRAVA: Entry = Entry {
    provider: "Strava",
    checked: CHECKED,
    documentation: "https://developers.strava.com/docs/authentication/",
    issuer: "https://www.strava.com",
    authorization_endpoint: "https://www.strava.com/oauth/authorize",
    token_endpoint: "https://www.strava.com/api/v3/oauth/token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: POST,
    scope_delimiter: Comma,
    comma_separated_response_scope: true,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const ZOOM: Entry = Entry {
    provider: "Zoom",
    checked: CHECKED,
    documentation: "https://developers.zoom.us/docs/integrations/oauth/",
    issuer: "https://zoom.us",
    authorization_endpoint: "https://zoom.us/oauth/authorize",
    token_endpoint: "https://zoom.us/oauth/token",
    refresh_endpoint: None,
    revocation_endpoint: Some("https://zoom.us/oauth/revoke"),
    userinfo_endpoint: None,
    code_challenge_methods: S256,
    auth_methods: BASIC,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const ATLASSIAN: Entry = Entry {
    provider: "Atlassian",
    checked: CHECKED,
    documentation: "https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/",
    issuer: "https://auth.atlassian.com",
    authorization_endpoint: "https://auth.atlassian.com/authorize",
    token_endpoint: "https://auth.atlassian.com/oauth/token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const NOTION: Entry = Entry {
    provider: "Notion",
    checked: CHECKED,
    documentation: "https://developers.notion.com/docs/authorization",
    issuer: "https://api.notion.com",
    authorization_endpoint: "https://api.notion.com/v1/oauth/authorize",
    token_endpoint: "https://api.notion.com/v1/oauth/token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: BASIC,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const REDDIT: Entry = Entry {
    provider: "Reddit",
    checked: CHECKED,
    documentation: "https://github.com/reddit-archive/reddit/wiki/OAuth2",
    issuer: "https://www.reddit.com",
    authorization_endpoint: "https://www.reddit.com/api/v1/authorize",
    token_endpoint: "https://www.reddit.com/api/v1/access_token",
    refresh_endpoint: None,
    revocation_endpoint: Some("https://www.reddit.com/api/v1/revoke_token"),
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: BASIC,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const FIGMA: Entry = Entry {
    provider: "Figma",
    checked: CHECKED,
    documentation: "https://developers.figma.com/docs/rest-api/oauth-apps",
    issuer: "https://www.figma.com",
    authorization_endpoint: "https://www.figma.com/oauth",
    token_endpoint: "https://api.figma.com/v1/oauth/token",
    refresh_endpoint: Some("https://api.figma.com/v1/oauth/refresh"),
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: S256,
    auth_methods: BASIC,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const PATREON: Entry = Entry {
    provider: "Patreon",
    checked: CHECKED,
    documentation: "https://docs.patreon.com/#oauth",
    issuer: "https://www.patreon.com",
    authorization_endpoint: "https://www.patreon.com/oauth2/authorize",
    token_endpoint: "https://www.patreon.com/api/oauth2/token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const SALESFORCE: Entry = Entry {
    provider: "Salesforce",
    checked: CHECKED,
    documentation:
        "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm",
    issuer: "https://login.salesforce.com",
    authorization_endpoint: "https://login.salesforce.com/services/oauth2/authorize",
    token_endpoint: "https://login.salesforce.com/services/oauth2/token",
    refresh_endpoint: None,
    revocation_endpoint: Some("https://login.salesforce.com/services/oauth2/revoke"),
    userinfo_endpoint: Some("https://login.salesforce.com/services/oauth2/userinfo"),
    code_challenge_methods: S256,
    auth_methods: BASIC_POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: Some(OpenId {
        documentation: "https://login.salesforce.com/.well-known/openid-configuration",
        checked: OPENID_CHECKED,
        jwks_uri: "https://login.salesforce.com/id/keys",
        id_token_signing_algs: RS256,
        end_session_endpoint: None,
        tenant_issuer: None,
    }),
};

pub(super) const MASTODON: Entry = Entry {
    provider: "Mastodon",
    checked: CHECKED,
    documentation: "https://docs.joinmastodon.org/methods/oauth/",
    issuer: "https://{arg}/",
    authorization_endpoint: "https://{arg}/oauth/authorize",
    token_endpoint: "https://{arg}/oauth/token",
    refresh_endpoint: None,
    revocation_endpoint: Some("https://{arg}/oauth/revoke"),
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: POST,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &[],
    openid: None,
};

pub(super) const EBAY: Entry = Entry {
    provider: "eBay",
    checked: "2026-12-07",
    documentation: "https://developer.ebay.com/api-docs/static/oauth-auth-code-grant-request.html",
    issuer: "https://auth.{arg}ebay.com",
    authorization_endpoint: "https://auth.{arg}ebay.com/oauth2/authorize",
    token_endpoint: "https://api.{arg}ebay.com/identity/v1/oauth2/token",
    refresh_endpoint: None,
    revocation_endpoint: None,
    userinfo_endpoint: None,
    code_challenge_methods: None,
    auth_methods: BASIC,
    scope_delimiter: Space,
    comma_separated_response_scope: false,
    bearer_token_types: &["User Access Token", "Application Access Token"],
    openid: None,
};

/// Every row, in the order of the providers guide's table.
pub(super) const ENTRIES: [&Entry; 22] = [
    &GITHUB,
    &GITLAB,
    &GOOGLE,
    &MICROSOFT_ENTRA,
    &SLACK,
    &SLACK_OPENID,
    &DISCORD,
    &LINKEDIN,
    &SHOPIFY,
    &TWITCH,
    &SPOTIFY,
    &DROPBOX,
    &STRAVA,
    &ZOOM,
    &ATLASSIAN,
    &NOTION,
    &REDDIT,
    &FIGMA,
    &PATREON,
    &SALESFORCE,
    &MASTODON,
    &EBAY,
];

/// The argument [`Preset::catalogue`] uses for a row that takes one.
pub(super) fn example_argument(provider: &str) -> &'static str {
    match provider {
        "Microsoft Entra ID" => "common",
        "Shopify" => "example",
        "Mastodon" => "mastodon.social",
        _ => "",
    }
}

//! One constructor per provider: each says what its row of the catalogue
//! records, which page it was read from, and which documented answers
//! are run as tests.

use super::catalogue::{
    ATLASSIAN, DISCORD, DROPBOX, EBAY, FIGMA, GITHUB, GITLAB, GOOGLE, LINKEDIN, MASTODON,
    MICROSOFT_ENTRA, NOTION, PATREON, REDDIT, SALESFORCE, SHOPIFY, SLACK, SLACK_OPENID, SPOTIFY,
    STRAVA, TWITCH, ZOOM,
};
use super::{host_like, Preset};
use crate::error::InvalidValue;

/// The providers, one constructor each. Every one lists: the page read
/// and the date, the issuer chosen, PKCE, client authentication, the
/// scope separator, the tolerances, and which documented responses are
/// run as tests (`tests/quirks/`, `tests/offline/provider_presets.rs`).
impl Preset {
    /// GitHub (OAuth apps), from
    /// <https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: inferred, `https://github.com` (GitHub publishes no
    ///   authorization server metadata).
    /// - Client authentication: `client_id` and `client_secret` in the
    ///   body (`client_secret_post`).
    /// - PKCE: S256 only, optional ("the `plain` code challenge method is
    ///   not supported"; GitHub's changelog of 2025-07-14 announced it).
    /// - No RFC 7009 revocation endpoint (GitHub revokes through a REST
    ///   API call instead).
    /// - Tolerances: the token response's `scope` is comma-separated
    ///   (`repo,gist`) and is split on commas; requests use spaces, as
    ///   the page says. The form-encoded body and the error sent with 200
    ///   are tolerated for every client ([quirks](crate::manual::providers)).
    /// - Tested with: `github-*` in `tests/quirks/`.
    pub fn github() -> Self {
        GITHUB.preset("")
    }

    /// GitLab.com, from <https://docs.gitlab.com/api/oauth2/>, checked
    /// 2026-11-30. For a self-managed instance, replace the host through
    /// [`into_parts`](Self::into_parts).
    ///
    /// - Issuer: `https://gitlab.com`, GitLab's OpenID Connect issuer.
    /// - OpenID Connect: `jwks_uri` `https://gitlab.com/oauth/discovery/keys`
    ///   and RS256, from GitLab's discovery document
    ///   (<https://gitlab.com/.well-known/openid-configuration>, the URL
    ///   <https://docs.gitlab.com/integration/openid_connect_provider/>
    ///   gives; read as exported by `panva/wellknown`), 2026-12-07; the
    ///   UserInfo endpoint `/oauth/userinfo`. No end session endpoint is
    ///   published. No page shows an ID token, so none is tested.
    /// - Client authentication: Basic or body.
    /// - PKCE: S256, as the page's example uses.
    /// - Tolerances: none needed; the extra `created_at` is kept in
    ///   [`TokenSet::extra`](crate::TokenSet::extra).
    /// - Tested with: `gitlab-callback.url`, `gitlab-token-response.http`,
    ///   `gitlab-refresh-response.http`.
    pub fn gitlab() -> Self {
        GITLAB.preset("")
    }

    /// Google, from
    /// <https://developers.google.com/identity/protocols/oauth2/web-server>,
    /// checked 2026-11-30. Google also publishes a discovery document
    /// (`https://accounts.google.com/.well-known/openid-configuration`),
    /// which [`Discovery`](crate::Discovery) reads; this preset saves
    /// the round trip.
    ///
    /// - Issuer: `https://accounts.google.com`, which Google also sends
    ///   as the callback's `iss`, and the modern `iss` of its ID tokens
    ///   (<https://developers.google.com/identity/openid-connect/reference>);
    ///   a token with the legacy `accounts.google.com` is refused.
    /// - OpenID Connect: `jwks_uri` `https://www.googleapis.com/oauth2/v3/certs`
    ///   and RS256, from Google's discovery document
    ///   (<https://accounts.google.com/.well-known/openid-configuration>,
    ///   read as exported by `panva/wellknown`), 2026-12-07. Google
    ///   publishes no end session endpoint.
    /// - Client authentication: Basic or body. PKCE: `plain` and `S256`,
    ///   as Google's guide for installed apps
    ///   (<https://developers.google.com/identity/protocols/oauth2/native-app>)
    ///   lists them.
    /// - Tolerances: none needed.
    /// - Tested with: `google-token-response.http`,
    ///   `google-refresh-response.http` (the page's examples as quoted by
    ///   copies of it), `google-error-callback*` (the page's error
    ///   response has no `state`: refused as shown, accepted with it);
    ///   `id_tokens/google-id-token-*` (the page's ID token payload,
    ///   refused as shown: `email_verified` is the string `"true"` and
    ///   `iss` the legacy value; repaired, it signs in).
    pub fn google() -> Self {
        GOOGLE.preset("")
    }

    /// Microsoft Entra ID (the v2.0 endpoints), from
    /// <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow>,
    /// checked 2026-11-30, for `tenant`: `common`, `organizations`,
    /// `consumers`, a tenant ID or a verified domain
    /// (`contoso.onmicrosoft.com`).
    ///
    /// - Issuer: `https://login.microsoftonline.com/{tenant}/v2.0`, the
    ///   issuer of the tenant's ID tokens when `tenant` is a tenant ID,
    ///   compared exactly. For `common`, `organizations` and `consumers` it
    ///   is this preset's own identifier (Entra does not send `iss` in the
    ///   callback), and ID tokens carry the user's tenant's issuer: the
    ///   preset sets [`TenantIssuer::MICROSOFT_ENTRA_V2`](crate::openid::TenantIssuer::MICROSOFT_ENTRA_V2)
    ///   ([`ServerMetadata::tenant_issuer`](crate::ServerMetadata::tenant_issuer)),
    ///   and a sign-in accepts an `iss` that is
    ///   `https://login.microsoftonline.com/{tid}/v2.0` with the token's
    ///   own `tid`, a GUID. Users of every tenant then sign in: check
    ///   `tid` if the app is for some tenants only. A domain
    ///   (`contoso.onmicrosoft.com`) is not its tenant's issuer: sign in
    ///   with the tenant ID, or set the issuer through
    ///   [`into_parts`](Self::into_parts).
    /// - OpenID Connect, from
    ///   <https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc>,
    ///   2026-12-07: `jwks_uri` `/{tenant}/discovery/v2.0/keys` and the end
    ///   session endpoint `/{tenant}/oauth2/v2.0/logout` (the page's sign-out
    ///   example is `common`'s; the same path under every tenant); RS256
    ///   from `common`'s discovery document
    ///   (<https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration>,
    ///   as exported by `panva/wellknown`); UserInfo at Microsoft Graph.
    /// - Client authentication: body or Basic (the page says both); a
    ///   certificate (`private_key_jwt`) is listed too.
    /// - PKCE: S256, as the page's examples use. No revocation endpoint.
    /// - Tolerances: none needed.
    /// - Tested with: `microsoft-entra-*`; the page's token response has
    ///   a trailing comma and is kept both as it is (refused: not JSON)
    ///   and minimally repaired (accepted); `id_tokens/microsoft-entra-*`:
    ///   Microsoft's sample v2.0 ID token signs in through `common`, and
    ///   is refused with another tenant's `iss`, without `tid`, and by a
    ///   preset of another tenant.
    ///
    /// # Errors
    /// [`InvalidValue`] when `tenant` is not a DNS name or
    /// identifier.
    pub fn microsoft_entra(tenant: &str) -> Result<Self, InvalidValue> {
        Ok(MICROSOFT_ENTRA.preset(&host_like("tenant", tenant)?))
    }

    /// Slack (`oauth.v2.access`), from
    /// <https://api.slack.com/methods/oauth.v2.access> and
    /// <https://api.slack.com/authentication/oauth-v2>, checked
    /// 2026-11-30.
    ///
    /// - Issuer: inferred, `https://slack.com` (Slack's OpenID Connect
    ///   issuer; the OAuth flow has no metadata).
    /// - Client authentication: Basic or body (the page prefers Basic).
    /// - PKCE: the page takes a `code_verifier` without naming the
    ///   method; S256 is sent. No RFC 7009 revocation endpoint (Slack's
    ///   `auth.revoke` is a Web API method).
    /// - Tolerances: `token_type` `bot` and `user` read as Bearer (Slack's
    ///   page says to send the `xoxb-` token as `Authorization: Bearer`);
    ///   the scope is comma-separated both ways; the user token in the
    ///   nested `authed_user` object is kept in
    ///   [`TokenSet::extra`](crate::TokenSet::extra) (read it with
    ///   [`MemberValue::deserialize`](crate::values::MemberValue::deserialize)).
    ///   Slack's errors come with 200 and `"ok": false`, which every
    ///   client already reads as an error response.
    /// - Tested with: `slack-oauth-v2-access*.http` (the success, the
    ///   same without the preset, and the documented error).
    /// - Installs the app; it signs no user in (`oauth.v2.access` issues
    ///   no ID token): that is [`sign_in_with_slack`](Self::sign_in_with_slack).
    pub fn slack() -> Self {
        SLACK.preset("")
    }

    /// Sign in with Slack (OpenID Connect), from
    /// <https://api.slack.com/authentication/sign-in-with-slack> and
    /// <https://api.slack.com/methods/openid.connect.token>, checked
    /// 2026-12-07: Slack's sign-in flow, at its own endpoints
    /// (`/openid/connect/authorize`, `openid.connect.token`); the
    /// [`slack`](Self::slack) preset's `oauth.v2.access` issues no ID
    /// token.
    ///
    /// - Issuer: `https://slack.com`, Slack's OpenID Connect issuer.
    /// - OpenID Connect: `jwks_uri` `https://slack.com/openid/connect/keys`,
    ///   RS256, the UserInfo endpoint `openid.connect.userInfo`, from
    ///   Slack's discovery document
    ///   (<https://slack.com/.well-known/openid-configuration>, as exported
    ///   by `panva/wellknown`), read 2026-12-07. No end session endpoint
    ///   is published.
    /// - Client authentication: body or Basic, as the document lists them.
    ///   PKCE: not documented; S256 is sent.
    /// - Tolerances: none needed; the token response's `"ok": true` is
    ///   kept in [`TokenSet::extra`](crate::TokenSet::extra).
    /// - Tested with: `sign-in-with-slack-token-response.http` and
    ///   `id_tokens/sign-in-with-slack-id-token.json` (the decoded ID
    ///   token of the `openid.connect.token` page).
    pub fn sign_in_with_slack() -> Self {
        SLACK_OPENID.preset("")
    }

    /// Discord, from <https://discord.com/developers/docs/topics/oauth2>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: inferred, `https://discord.com`.
    /// - Client authentication: Basic or body (the page says either).
    /// - PKCE: not on the page; S256 is sent. Revocation: RFC 7009.
    /// - Tolerances: none needed.
    /// - Tested with: `discord-*` (the page's redirect URL and token
    ///   response).
    pub fn discord() -> Self {
        DISCORD.preset("")
    }

    /// LinkedIn (3-legged OAuth), from
    /// <https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: `https://www.linkedin.com/oauth`, the issuer of
    ///   LinkedIn's OpenID Connect discovery document.
    /// - OpenID Connect ("Sign In with LinkedIn using OpenID Connect",
    ///   <https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2>,
    ///   2026-12-07): `jwks_uri` `https://www.linkedin.com/oauth/openid/jwks`
    ///   and the UserInfo endpoint `https://api.linkedin.com/v2/userinfo`,
    ///   read from LinkedIn's discovery document
    ///   (<https://www.linkedin.com/oauth/.well-known/openid-configuration>)
    ///   as listed by a third party (<https://logto.io/oauth-providers-explorer/linkedin>),
    ///   not on LinkedIn's page: check them before production use. The
    ///   signing algorithms were not found: [`Discovery`](crate::Discovery)
    ///   gives them (the client expects RS256 meanwhile). No ID token
    ///   example was found.
    /// - Client authentication: `client_id` and `client_secret` in the
    ///   body.
    /// - PKCE: not on the page (LinkedIn offers it to native apps by
    ///   approval); S256 is sent.
    /// - Tolerances: the page's token response has no `token_type`,
    ///   read as Bearer ([`TokenType::AssumedBearer`](crate::tolerance::TokenType::AssumedBearer)).
    /// - Tested with: `linkedin-callback.url`, `linkedin-error-callback.url`
    ///   (built from the page's list of error parameters),
    ///   `linkedin-token-response.http` and its strict twin.
    pub fn linkedin() -> Self {
        LINKEDIN.preset("")
    }

    /// Shopify (authorization code grant for a shop), from
    /// <https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant>,
    /// checked 2026-11-30, for the shop `shop` (`my-shop`, or
    /// `my-shop.myshopify.com`).
    ///
    /// - Issuer: inferred, `https://{shop}.myshopify.com`.
    /// - Client authentication: `client_id` and `client_secret` in the
    ///   body.
    /// - PKCE: not on the page; S256 is sent.
    /// - Tolerances: no `token_type` in the response (read as Bearer;
    ///   Shopify's APIs take the token in `X-Shopify-Access-Token`);
    ///   comma-separated scope both ways.
    /// - Tested with: `shopify-token-response.http`.
    ///
    /// # Errors
    /// [`InvalidValue`] when `shop` is not a shop name.
    pub fn shopify(shop: &str) -> Result<Self, InvalidValue> {
        let name = shop.strip_suffix(".myshopify.com").unwrap_or(shop);
        let name = host_like("shop", name)?;
        if name.contains('.') {
            return Err(InvalidValue::PresetArgument {
                argument: "shop",
                value: super::shown(shop),
            });
        }
        Ok(SHOPIFY.preset(&name))
    }

    /// Twitch, from
    /// <https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: `https://id.twitch.tv/oauth2`, Twitch's OpenID Connect
    ///   issuer.
    /// - OpenID Connect: `jwks_uri` `https://id.twitch.tv/oauth2/keys` and
    ///   RS256, from the discovery document shown on
    ///   <https://dev.twitch.tv/docs/authentication/getting-tokens-oidc/>,
    ///   2026-12-07. No end session endpoint is published; the page lists
    ///   the ID token's claims without an example token.
    /// - Client authentication: body. PKCE: not on the page; S256 is
    ///   sent.
    /// - Revocation: `/oauth2/revoke`, from
    ///   <https://dev.twitch.tv/docs/authentication/revoke-tokens/>. That
    ///   page sends only `client_id` and `token`; this crate adds the
    ///   client's authentication and `token_type_hint` (RFC 7009 §2.1),
    ///   which a server ignores if unknown (RFC 6749 §3.2). A refusal
    ///   comes as `{"status": 400, "message": "Invalid token"}`, not an
    ///   RFC 6749 error body, and is reported as its status.
    /// - Tolerances: Twitch sends `scope` as a JSON array, which every
    ///   client accepts ([quirks](crate::manual::providers)).
    /// - Tested with: `twitch-token-response.http`, `twitch-revocation*`,
    ///   `twitch-error-callback.url`, `twitch-refresh-error.http` (its
    ///   `"error": "Bad Request"` is kept as an unknown code).
    pub fn twitch() -> Self {
        TWITCH.preset("")
    }

    /// Spotify, from
    /// <https://developer.spotify.com/documentation/web-api/tutorials/code-pkce-flow>
    /// and `…/tutorials/code-flow`, checked 2026-11-30.
    ///
    /// - Issuer: inferred, `https://accounts.spotify.com`.
    /// - Client authentication: Basic (a confidential client); a public
    ///   client uses PKCE, S256.
    /// - Tolerances: none needed.
    /// - Tested with: `spotify-token-response.http`,
    ///   `spotify-error-callback.url`, `spotify-refresh-error.http`.
    pub fn spotify() -> Self {
        SPOTIFY.preset("")
    }

    /// Dropbox, from <https://developers.dropbox.com/oauth-guide>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: inferred, `https://www.dropbox.com`.
    /// - Client authentication: Basic or body. PKCE: S256 and `plain`.
    /// - No RFC 7009 revocation endpoint (`/2/auth/token/revoke` takes the
    ///   token as a bearer credential).
    /// - Tolerances: none needed (`bearer` lowercase is RFC 6749's
    ///   case-insensitive type).
    /// - Tested with: `dropbox-token-response.http`, from
    ///   <https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token>.
    pub fn dropbox() -> Self {
        DROPBOX.preset("")
    }

    /// Strava, from <https://developers.strava.com/docs/authentication/>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: inferred, `https://www.strava.com`.
    /// - Client authentication: body. PKCE: not on the page; S256 is
    ///   sent. No RFC 7009 revocation (`/oauth/deauthorize`).
    /// - Tolerances: the requested scope is a comma-delimited string, as
    ///   the page says.
    /// - Tested with: `strava-token-response-*`: the page's example holds a
    ///   placeholder inside `athlete` and is kept as shown (refused: not
    ///   JSON) and minimally repaired (accepted).
    pub fn strava() -> Self {
        STRAVA.preset("")
    }

    /// Zoom (user-level OAuth apps), from
    /// <https://developers.zoom.us/docs/integrations/oauth/> and
    /// <https://developers.zoom.us/docs/integrations/PKCE/>, checked
    /// 2026-11-30.
    ///
    /// - Issuer: inferred, `https://zoom.us`.
    /// - Client authentication: Basic; a public client (PKCE) sends only
    ///   its `client_id` ([`ClientAuthentication::None`](crate::ClientAuthentication::None)).
    /// - PKCE: S256 (the PKCE page). Zoom reads a missing
    ///   `code_challenge_method` as `plain`; this crate always sends S256.
    /// - Revocation: `/oauth/revoke`, answered with
    ///   `{"status": "success"}`.
    /// - Tolerances: none needed (`bearer` lowercase).
    /// - Tested with: `zoom-*`: the token and refresh responses and the
    ///   revocation answer of Zoom's OAuth examples, read through copies
    ///   of them (the page itself could not be read whole), and the
    ///   callback of Zoom's earlier OAuth guide.
    pub fn zoom() -> Self {
        ZOOM.preset("")
    }

    /// Atlassian (OAuth 2.0 3LO), from
    /// <https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: inferred, `https://auth.atlassian.com`.
    /// - Client authentication: body. The page shows a JSON request body;
    ///   this crate sends the form body of RFC 6749 §4.1.3.
    /// - Tolerances: the page's response has no `token_type` (read as
    ///   Bearer, assumed).
    /// - Tested with: `atlassian-token-response-*`: the page's example has
    ///   unquoted placeholders and is kept as shown (refused: not JSON)
    ///   and minimally repaired (accepted); `atlassian-refresh-error-*`
    ///   (403; the page's body lacks its `}`).
    pub fn atlassian() -> Self {
        ATLASSIAN.preset("")
    }

    /// Notion (public integrations), from
    /// <https://developers.notion.com/docs/authorization>, checked
    /// 2026-11-30.
    ///
    /// - Issuer: inferred, `https://api.notion.com`.
    /// - Client authentication: Basic. The page shows a JSON request
    ///   body; this crate sends the form body of RFC 6749 §4.1.3.
    /// - Tolerances: the token and refresh responses have no `token_type`
    ///   (read as Bearer, assumed).
    /// - Tested with: `notion-token-response.http`,
    ///   `notion-refresh-response.http`.
    pub fn notion() -> Self {
        NOTION.preset("")
    }

    /// Reddit, from <https://github.com/reddit-archive/reddit/wiki/OAuth2>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: inferred, `https://www.reddit.com`.
    /// - Client authentication: Basic (an installed app's password is
    ///   empty: [`ClientSecret::new("")`](crate::ClientSecret::new)).
    ///   PKCE: not on the page; S256 is sent.
    /// - Revocation: `/api/v1/revoke_token`, RFC 7009's shape, answered
    ///   with 204.
    /// - Tested with: `reddit-token-response-*` and
    ///   `reddit-refresh-response-*`: the page's examples have unquoted
    ///   placeholders (and the refresh one a trailing comma) and are kept
    ///   as shown (refused: not JSON) and minimally repaired (accepted);
    ///   `reddit-revocation.http`.
    pub fn reddit() -> Self {
        REDDIT.preset("")
    }

    /// Figma, from <https://developers.figma.com/docs/rest-api/oauth-apps>,
    /// checked 2026-11-30.
    ///
    /// - Issuer: inferred, `https://www.figma.com`.
    /// - Client authentication: Basic (the page documents no other).
    ///   PKCE: S256 ("Only the S256 method … is supported").
    /// - Refresh: at Figma's own `/v1/oauth/refresh`
    ///   ([`ServerMetadata::refresh_endpoint`](crate::ServerMetadata::refresh_endpoint)).
    ///   The page lists only `refresh_token` there; this crate sends
    ///   `grant_type=refresh_token` too (RFC 6749 §6), which a server
    ///   ignores if unknown (§3.2). The answer carries no new refresh
    ///   token, so the old one is kept.
    /// - Tested with: `figma-token-response-*` and
    ///   `figma-refresh-response-*`: the page's examples have unquoted
    ///   placeholders (and the refresh one a trailing comma) and are kept
    ///   as shown (refused: not JSON) and minimally repaired (accepted).
    pub fn figma() -> Self {
        FIGMA.preset("")
    }

    /// Patreon, from <https://docs.patreon.com/#oauth>, checked
    /// 2026-11-30.
    ///
    /// - Issuer: inferred, `https://www.patreon.com`.
    /// - Client authentication: body. PKCE: not on the page; S256 is
    ///   sent.
    /// - Tested with: `patreon-token-response-*` and
    ///   `patreon-refresh-response-repaired.http`: the page's example
    ///   (the same for both) has unquoted placeholders and is kept as
    ///   shown (refused: not JSON) and minimally repaired (accepted).
    pub fn patreon() -> Self {
        PATREON.preset("")
    }

    /// Salesforce (production orgs, `login.salesforce.com`), from
    /// <https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm>,
    /// checked 2026-11-30. For a sandbox (`test.salesforce.com`) or a My
    /// Domain, replace the host through [`into_parts`](Self::into_parts).
    ///
    /// - Issuer: `https://login.salesforce.com`, its OpenID Connect
    ///   issuer.
    /// - OpenID Connect: `jwks_uri` `https://login.salesforce.com/id/keys`
    ///   and RS256, from Salesforce's discovery document
    ///   (<https://login.salesforce.com/.well-known/openid-configuration>),
    ///   2026-12-07. Its end session endpoint was not in the text read:
    ///   [`Discovery`](crate::Discovery) gives it. No ID token example was
    ///   found.
    /// - Client authentication: Basic or body. PKCE: S256 (the page's
    ///   `code_challenge` is the SHA-256 hash of the verifier).
    /// - Revocation: `/services/oauth2/revoke`, from
    ///   <https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_revoke_token.htm>,
    ///   which now names the My Domain host and sends `token` alone; this
    ///   crate adds the client's authentication (RFC 7009 §2.1). 200 is
    ///   success; 400 carries `invalid_token` or `unsupported_token_type`.
    /// - Tested with: `salesforce-token-response.http` (no `expires_in`),
    ///   `salesforce-revocation.http`, `salesforce-refresh-error.http`,
    ///   `salesforce-error-callback*` (the page spells the code
    ///   `access-denied`, kept as sent).
    pub fn salesforce() -> Self {
        SALESFORCE.preset("")
    }

    /// A Mastodon server, from <https://docs.joinmastodon.org/methods/oauth/>,
    /// checked 2026-11-30, for the server's host name `instance`
    /// (`mastodon.social`).
    ///
    /// - Issuer: inferred, `https://{instance}/`. Servers since 4.3 also
    ///   publish RFC 8414 metadata, which [`Discovery`](crate::Discovery)
    ///   reads and which is authoritative.
    /// - Client authentication: body (`client_id`, `client_secret`).
    /// - PKCE: not on the page read; S256 is sent. Revocation:
    ///   `/oauth/revoke`.
    /// - Tolerances: none needed; the token response has no
    ///   `expires_in` and an extra `created_at`.
    /// - Tested with: `mastodon-*` (the page's token, error and
    ///   revocation responses).
    ///
    /// # Errors
    /// [`InvalidValue`] when `instance` is not a host name.
    pub fn mastodon(instance: &str) -> Result<Self, InvalidValue> {
        Ok(MASTODON.preset(&host_like("instance", instance)?))
    }

    /// eBay (OAuth for the RESTful APIs), from
    /// <https://developer.ebay.com/api-docs/static/oauth-auth-code-grant-request.html>,
    /// <https://developer.ebay.com/api-docs/static/oauth-consent-request.html>
    /// and
    /// <https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html>,
    /// checked 2026-12-07. [`ebay_sandbox`](Self::ebay_sandbox) is the
    /// same row on eBay's sandbox hosts.
    ///
    /// - Issuer: inferred, `https://auth.ebay.com` (the origin of the
    ///   consent page; eBay publishes no metadata).
    /// - Client authentication: Basic with `client_id:client_secret`, the
    ///   only method the pages show. PKCE: not on the pages; S256 is sent.
    ///   No RFC 7009 revocation endpoint.
    /// - Redirect URI: eBay's `redirect_uri` is the app's RuName, a name
    ///   eBay maps to the registered URL, not a URL;
    ///   [`RedirectUri`](crate::RedirectUri) takes URLs only, so check this
    ///   before production use.
    /// - Tolerances: `token_type` `User Access Token` (code exchange and
    ///   refresh) and `Application Access Token` (client credentials,
    ///   <https://developer.ebay.com/api-docs/static/oauth-client-credentials-grant.html>)
    ///   read as Bearer, as eBay's pages say to send both; the extra
    ///   `refresh_token_expires_in` is kept in
    ///   [`TokenSet::extra`](crate::TokenSet::extra).
    /// - Tested with: `ebay-token-response.http`,
    ///   `ebay-token-response-unconfigured.http` (without the preset: the
    ///   type refused by name), `ebay-refresh-response.http` (no new
    ///   refresh token: the old one kept).
    pub fn ebay() -> Self {
        EBAY.preset("")
    }

    /// eBay's sandbox: [`ebay`](Self::ebay) with
    /// `https://auth.sandbox.ebay.com/oauth2/authorize` and
    /// `https://api.sandbox.ebay.com/identity/v1/oauth2/token`, as the
    /// same pages list them, and the issuer `https://auth.sandbox.ebay.com`.
    pub fn ebay_sandbox() -> Self {
        EBAY.preset("sandbox.")
    }
}

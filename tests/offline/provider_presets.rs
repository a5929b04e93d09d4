//! The provider presets: every preset builds a client; the arguments of
//! the tenant-, shop- and instance-aware ones are validated; one snapshot
//! per preset records its authorization URL; and the provider's own
//! documented responses run through the whole exchange in
//! `tests/quirks/` (`provider_quirks`), each file naming its page.

use oauth2_pkce::errors::{ConfigError, InvalidValue};
use oauth2_pkce::tolerance::{ScopeDelimiter, Strictness, TokenType, Tolerances};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

use crate::rendering::render;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const REDIRECT_URI: &str = "https://app.example/callback";

/// The method a preset's provider documents first.
fn authentication(preset: &Preset) -> ClientAuthentication {
    let secret = ClientSecret::new("client-secret");
    match preset
        .metadata()
        .token_endpoint_auth_methods_supported
        .as_deref()
    {
        Some([first, ..]) if first == "client_secret_post" => {
            ClientAuthentication::ClientSecretPost(secret)
        }
        _ => ClientAuthentication::ClientSecretBasic(secret),
    }
}

fn client(preset: Preset) -> Client {
    let authentication = authentication(&preset);
    preset
        .client(ClientId::new("client-id").unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new(REDIRECT_URI).unwrap())
}

/// The snapshot name of a preset: its provider, in lower case.
fn slug(preset: &Preset) -> String {
    preset.provider().to_lowercase().replace(' ', "_")
}

#[test]
fn the_catalogue_has_every_provider_once() {
    let presets: Vec<Preset> = Preset::catalogue().collect();
    // The providers guide's table (src/manual/providers.md) has as many rows.
    assert_eq!(presets.len(), 23);
    let mut names: Vec<&str> = presets.iter().map(Preset::provider).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), presets.len());
    for preset in &presets {
        assert!(
            preset.documentation().starts_with("https://"),
            "{}",
            preset.provider()
        );
        let checked = match preset.provider() {
            "eBay" | "Sign in with Slack" => "2026-12-07",
            _ => "2026-11-30",
        };
        assert_eq!(preset.checked(), checked, "{}", preset.provider());
    }
}

/// Every preset's metadata passes the client's checks (https endpoints,
/// an issuer without query), with the method its provider documents, and
/// every preset can begin a login with S256.
#[test]
fn every_preset_builds_a_client_and_begins_a_login() {
    for preset in Preset::catalogue() {
        let name = preset.provider();
        let client = client(preset.clone());
        assert_eq!(client.tolerances(), preset.tolerances(), "{name}");
        let started = Start::new(&client)
            .scope(Scope::parse("a b").unwrap())
            .begin(FlowEntropy::from_bytes([9; 64]), NOW);
        let (request, _) = started.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            request.url().contains("code_challenge_method=S256"),
            "{name}"
        );
        assert!(
            request
                .url()
                .starts_with(&preset.metadata().authorization_endpoint),
            "{name}"
        );
    }
}

/// One snapshot per preset: the authorization URL it builds for the
/// scope `a b`, with fixed entropy — the wire format of each provider's
/// first request, with its scope separator.
#[test]
fn authorization_url_per_preset() {
    for preset in Preset::catalogue() {
        let name = slug(&preset);
        let client = client(preset);
        let (request, _) = Start::new(&client)
            .scope(Scope::parse("a b").unwrap())
            .begin(FlowEntropy::from_bytes([9; 64]), NOW)
            .unwrap();
        insta::assert_snapshot!(
            format!("preset_authorization_url_{name}"),
            format!("GET {}\n", request.url())
        );
    }
}

/// The token request to a comma-scoped provider carries its documented
/// client authentication; a refresh with a narrower scope joins it with
/// commas.
#[test]
fn slack_requests() {
    let client = client(Preset::slack());
    let (request, pending) = Start::new(&client)
        .scope(Scope::parse("commands incoming-webhook").unwrap())
        .begin(FlowEntropy::from_bytes([9; 64]), NOW)
        .unwrap();
    assert!(request.url().contains("scope=commands%2Cincoming-webhook"));
    let query = format!("code=c&state={}", pending.state().secret());
    let exchanging = pending
        .handle_callback(&client, Callback::from_query(&query).unwrap())
        .unwrap();
    insta::assert_snapshot!(
        "preset_slack_token_request",
        render(
            &exchanging
                .request(&RequestContext::new(NOW, [0x5e; 32]))
                .unwrap()
        )
    );
}

/// Slack's user token, nested in `authed_user`, read into a type of the
/// caller's from the extras; `Debug` shows neither token.
#[test]
fn slack_authed_user_through_the_extras() {
    #[derive(serde::Deserialize)]
    struct AuthedUser {
        id: String,
        access_token: String,
        token_type: String,
        scope: String,
    }
    let client = client(Preset::slack());
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/quirks/slack-oauth-v2-access.http"
    ))
    .unwrap();
    let authorized = logged_in(&client, body.split_once("\n\n").unwrap().1);
    let user: AuthedUser = authorized
        .tokens()
        .extra()
        .get("authed_user")
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(user.id, "U1234");
    assert_eq!(user.access_token, "xoxp-1234");
    assert_eq!(user.token_type, "user");
    assert_eq!(user.scope, "chat:write");
    let debug = format!("{authorized:?}");
    assert!(
        !debug.contains("xoxp-1234") && !debug.contains("xoxb-"),
        "{debug}"
    );
    assert_eq!(
        authorized
            .bearer_authorization("https://slack.com/api/chat.postMessage")
            .unwrap()
            .secret(),
        "Bearer xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
    );
}

/// A tenant, shop or instance is a DNS name or identifier: anything that
/// could change the host or path of the URLs is refused with a typed
/// error, and the refused text is escaped when shown.
#[test]
fn preset_arguments_cannot_inject_into_urls() {
    let bad = [
        "",
        "evil.example/",
        "contoso?x=1",
        "contoso#frag",
        "user@evil.example",
        "two words",
        "a%2Fb",
        "host:8443",
        "-leading",
        "trailing-",
        "a..b",
        ".",
        "\u{202e}moc.live",
        "tab\there",
        "ünïcode",
    ];
    let long = "a".repeat(254);
    for value in bad.iter().copied().chain([long.as_str()]) {
        let argument = |error: InvalidValue| match error {
            InvalidValue::PresetArgument { argument, .. } => argument,
            other => panic!("{other:?}"),
        };
        let tenant = Preset::microsoft_entra(value).unwrap_err();
        assert_eq!(argument(tenant.clone()), "tenant", "{value:?}");
        assert_eq!(
            argument(Preset::shopify(value).unwrap_err()),
            "shop",
            "{value:?}"
        );
        assert_eq!(
            argument(Preset::mastodon(value).unwrap_err()),
            "instance",
            "{value:?}"
        );
        let shown = format!("{tenant} {tenant:?}");
        assert!(
            !shown.contains('\u{202e}') && !shown.contains('\t'),
            "{shown}"
        );
    }
    // A shop is one label: no dots left once `.myshopify.com` is removed.
    assert!(Preset::shopify("shop.evil.example").is_err());
    // The refusal keeps a bounded part of the input, whatever its size.
    let huge = "\u{e9}/".repeat(50_000);
    for error in [
        Preset::microsoft_entra(&huge).unwrap_err(),
        Preset::shopify(&huge).unwrap_err(),
        Preset::mastodon(&huge).unwrap_err(),
    ] {
        assert!(format!("{error} {error:?}").len() < 2_000);
        // The first 253 bytes (the longest DNS name), cut at a character.
        let InvalidValue::PresetArgument { value, .. } = error else {
            panic!("{error:?}");
        };
        assert_eq!(value.as_str(), &huge[..252]);
    }
    let InvalidValue::PresetArgument { value, .. } = Preset::shopify("a.b").unwrap_err() else {
        panic!("not a preset argument");
    };
    assert_eq!(value.as_str(), "a.b");
}

#[test]
fn preset_arguments_that_are_names() {
    let entra = Preset::microsoft_entra("00001111-aaaa-2222-bbbb-3333cccc4444").unwrap();
    assert_eq!(
        entra.metadata().token_endpoint,
        "https://login.microsoftonline.com/00001111-aaaa-2222-bbbb-3333cccc4444/oauth2/v2.0/token"
    );
    assert_eq!(
        entra.metadata().issuer,
        "https://login.microsoftonline.com/00001111-aaaa-2222-bbbb-3333cccc4444/v2.0"
    );
    assert!(Preset::microsoft_entra("contoso.onmicrosoft.com").is_ok());
    assert!(Preset::microsoft_entra("organizations").is_ok());

    let shop = Preset::shopify("My-Shop.myshopify.com").unwrap();
    assert_eq!(shop, Preset::shopify("my-shop").unwrap());
    assert_eq!(
        shop.metadata().authorization_endpoint,
        "https://my-shop.myshopify.com/admin/oauth/authorize"
    );

    let mastodon = Preset::mastodon("Mastodon.Social").unwrap();
    assert_eq!(mastodon.metadata().issuer, "https://mastodon.social/");
    assert_eq!(
        mastodon.metadata().revocation_endpoint.as_deref(),
        Some("https://mastodon.social/oauth/revoke")
    );
}

/// The Pagero preset: its documented endpoints, the inferred issuer, S256,
/// Basic and body authentication, and the default tolerances; it is in
/// the catalogue.
#[test]
fn pagero_is_the_existing_preset() {
    let preset = Preset::pagero();
    let metadata = preset.metadata();
    assert_eq!(
        metadata.issuer,
        "https://sso.pageroonline.com/oauth/v2/oauth-anonymous"
    );
    assert_eq!(
        metadata.authorization_endpoint,
        "https://sso.pageroonline.com/oauth/v2/oauth-authorize"
    );
    assert_eq!(
        metadata.token_endpoint,
        "https://sso.pageroonline.com/oauth/v2/oauth-token"
    );
    assert_eq!(
        metadata.revocation_endpoint.as_deref(),
        Some("https://sso.pageroonline.com/oauth/v2/oauth-revoke")
    );
    assert_eq!(
        metadata.code_challenge_methods_supported.as_deref(),
        Some(&["S256".to_owned()][..])
    );
    assert_eq!(preset.tolerances(), &Tolerances::default());
    assert!(Preset::catalogue().any(|p| p == preset));
}

/// What each preset turns on, as the providers guide's table says.
#[test]
fn tolerances_per_provider() {
    let delimiter = |preset: Preset| preset.tolerances().scope_delimiter();
    assert_eq!(delimiter(Preset::slack()), ScopeDelimiter::Comma);
    assert_eq!(
        delimiter(Preset::shopify("s").unwrap()),
        ScopeDelimiter::Comma
    );
    assert_eq!(delimiter(Preset::strava()), ScopeDelimiter::Comma);
    assert_eq!(delimiter(Preset::github()), ScopeDelimiter::Space);
    assert!(Preset::github()
        .tolerances()
        .comma_separated_response_scope());
    assert!(!Tolerances::default().comma_separated_response_scope());
    assert_eq!(
        Preset::slack()
            .tolerances()
            .bearer_token_types()
            .collect::<Vec<_>>(),
        ["bot", "user"]
    );
    assert_eq!(
        Preset::ebay()
            .tolerances()
            .bearer_token_types()
            .collect::<Vec<_>>(),
        ["User Access Token", "Application Access Token"]
    );
    for preset in Preset::catalogue().filter(|p| !["Slack", "eBay"].contains(&p.provider())) {
        assert_eq!(
            preset.tolerances().bearer_token_types().count(),
            0,
            "{}",
            preset.provider()
        );
    }
    // A preset is strict-capable like any client.
    let strict = client(Preset::linkedin()).with_strictness(Strictness::Strict);
    assert_eq!(strict.tolerances().strictness(), Strictness::Strict);
    // No preset refuses S256.
    for preset in Preset::catalogue() {
        if let Some(methods) = &preset.metadata().code_challenge_methods_supported {
            assert!(methods.iter().any(|m| m == "S256"), "{}", preset.provider());
        }
    }
}

/// A login of `client` whose callback brought a code: the code exchange.
fn exchanging(client: &Client) -> Exchanging {
    let (_, pending) = Start::new(client)
        .begin(FlowEntropy::from_bytes([9; 64]), NOW)
        .unwrap();
    let query = format!("code=c&state={}", pending.state().secret());
    pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap()
}

/// The code exchange of `client`, answered with `body`.
fn logged_in(client: &Client, body: &str) -> Authorized {
    exchanging(client)
        .handle_response(
            HttpResponse::new(200, body.as_bytes()).with_content_type("application/json"),
            NOW,
        )
        .unwrap()
}

/// Figma takes refresh requests at its own endpoint: the code goes to the
/// token endpoint, the refresh token to `/v1/oauth/refresh`, both with
/// Basic authentication (the answer, which keeps the old refresh token, is
/// `figma-refresh-response-repaired` in `tests/quirks/`).
#[test]
fn figma_refreshes_at_its_own_endpoint() {
    let client = client(Preset::figma());
    let authorized = logged_in(
        &client,
        r#"{"access_token":"a","token_type":"bearer","expires_in":7776000,"refresh_token":"r"}"#,
    );
    let refreshing = authorized.refresh(&client).unwrap();
    let context = RequestContext::new(NOW, [0x5e; 32]);
    insta::assert_snapshot!(
        "preset_figma_refresh_request",
        render(&refreshing.request(&context).unwrap())
    );
    // Every other preset refreshes at its token endpoint.
    let pagero = self::client(Preset::pagero());
    let request = logged_in(
        &pagero,
        r#"{"access_token":"a","token_type":"Bearer","refresh_token":"r"}"#,
    )
    .refresh(&pagero)
    .unwrap()
    .request(&context)
    .unwrap();
    assert_eq!(
        request.uri(),
        "https://sso.pageroonline.com/oauth/v2/oauth-token"
    );
}

/// A refresh endpoint is the caller's (or a preset's) choice: no metadata
/// document can name one, so a server cannot send refresh tokens
/// elsewhere; the member is kept with the unknown ones.
#[test]
fn no_document_names_a_refresh_endpoint() {
    let document = br#"{
        "issuer": "https://as.example",
        "authorization_endpoint": "https://as.example/authorize",
        "token_endpoint": "https://as.example/token",
        "code_challenge_methods_supported": ["S256"],
        "refresh_endpoint": "https://elsewhere.example/collect"
    }"#;
    let metadata = Discovery::new("https://as.example")
        .unwrap()
        .handle_response(HttpResponse::new(200, document), NOW)
        .unwrap();
    assert_eq!(metadata.refresh_endpoint, None);
    assert!(metadata.extra.contains("refresh_endpoint"));
    let written = serde_json::to_string(
        &ServerMetadata::new(
            "https://as.example",
            "https://as.example/authorize",
            "https://as.example/token",
        )
        .with_refresh_endpoint("https://as.example/refresh"),
    )
    .unwrap();
    assert!(!written.contains("refresh_endpoint"), "{written}");
    // And one the caller names is an endpoint like any other.
    let plain_http = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_refresh_endpoint("http://as.example/refresh");
    assert!(matches!(
        Client::new(
            plain_http,
            ClientId::new("c").unwrap(),
            ClientAuthentication::None
        ),
        Err(ConfigError::InvalidEndpoint {
            member: "refresh_endpoint",
            ..
        })
    ));
}

/// Reddit's installed apps authenticate with Basic and an empty password,
/// as its page says; Zoom's public clients send only their `client_id`.
#[test]
fn public_clients_of_reddit_and_zoom() {
    let context = RequestContext::new(NOW, [0x5e; 32]);
    let exchange = |preset: Preset, authentication| {
        let client = preset
            .client(ClientId::new("client-id").unwrap(), authentication)
            .unwrap()
            .with_redirect_uri(RedirectUri::new(REDIRECT_URI).unwrap());
        render(&exchanging(&client).request(&context).unwrap())
    };
    insta::assert_snapshot!(
        "preset_reddit_installed_app_token_request",
        exchange(
            Preset::reddit(),
            ClientAuthentication::ClientSecretBasic(ClientSecret::new(""))
        )
    );
    insta::assert_snapshot!(
        "preset_zoom_public_client_token_request",
        exchange(Preset::zoom(), ClientAuthentication::None)
    );
}

/// eBay takes the code at its token endpoint with Basic authentication
/// (its page: `Authorization: Basic` of `client_id:client_secret`); the
/// sandbox preset is the same row on eBay's sandbox hosts.
#[test]
fn ebay_requests() {
    let client = client(Preset::ebay());
    let context = RequestContext::new(NOW, [0x5e; 32]);
    insta::assert_snapshot!(
        "preset_ebay_token_request",
        render(&exchanging(&client).request(&context).unwrap())
    );
    let sandbox = Preset::ebay_sandbox();
    assert_eq!(sandbox.provider(), "eBay");
    assert_eq!(
        sandbox.metadata().authorization_endpoint,
        "https://auth.sandbox.ebay.com/oauth2/authorize"
    );
    assert_eq!(
        sandbox.metadata().token_endpoint,
        "https://api.sandbox.ebay.com/identity/v1/oauth2/token"
    );
    assert_eq!(sandbox.metadata().issuer, "https://auth.sandbox.ebay.com");
    assert_eq!(sandbox.tolerances(), Preset::ebay().tolerances());
    let production = Preset::ebay();
    assert_eq!(
        production.metadata().token_endpoint,
        "https://api.ebay.com/identity/v1/oauth2/token"
    );
    assert_eq!(
        production.metadata().token_endpoint_auth_methods_supported,
        Some(vec!["client_secret_basic".to_owned()])
    );
}

/// eBay's client credentials answer, from
/// <https://developer.ebay.com/api-docs/static/oauth-client-credentials-grant.html>
/// (read through copies of its example, the token cut where eBay elides
/// it with ` ... `): an `Application Access Token`, read as Bearer by the
/// preset.
#[test]
fn ebay_application_token_through_client_credentials() {
    let client = client(Preset::ebay());
    let body = r#"{"access_token":"v^1.1#i^1#p^1#r^0#I^3#f^0#t^H4s","expires_in":7200,"token_type":"Application Access Token"}"#;
    let authorized = ClientCredentials::new(
        &client,
        Scope::parse("https://api.ebay.com/oauth/api_scope").unwrap(),
    )
    .unwrap()
    .handle_response(
        HttpResponse::new(200, body.as_bytes()).with_content_type("application/json"),
        NOW,
    )
    .unwrap();
    assert_eq!(
        authorized.tokens().token_type(),
        &TokenType::ProviderBearer("Application Access Token".into())
    );
    assert_eq!(
        authorized
            .bearer_authorization(
                "https://api.ebay.com/commerce/taxonomy/v1/get_default_category_tree_id"
            )
            .unwrap()
            .secret(),
        "Bearer v^1.1#i^1#p^1#r^0#I^3#f^0#t^H4s"
    );
}

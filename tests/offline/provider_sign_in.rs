//! Signing in through the provider presets: every preset whose provider
//! documents OpenID Connect fetches its key set from the provider's
//! documented `jwks_uri` (one snapshot per preset), and the ID tokens of
//! the providers' own pages (`tests/quirks/id_tokens/`, each file naming
//! its page) validate with the preset's issuer and client id — or are
//! refused, as the file says why.
//!
//! The pages' claims are signed here with RFC 7515 A.3's P-256 key: the
//! signature is this test's, the claims are the page's.
//!
//! ```text
//! provider / doc / why: the source, as in the quirks corpus
//! preset: the preset (`google`, `microsoft-entra TENANT`)
//! client-id, nonce: the client's id and the flow's nonce
//! at: the time the token is validated at (Unix seconds)
//! expect: ok | issuer-mismatch | invalid-claim NAME
//! expect-sub / expect-issuer / expect-email / expect-email-verified /
//! expect-name / expect-preferred-username / expect-other NAME=VALUE
//!
//! the claims, as the page shows them
//! ```

use std::path::Path;

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::{ApiMisuse, EndpointErrorKind, EndpointKind, JwtError};
use oauth2_pkce::jose::*;
use oauth2_pkce::openid::*;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

use crate::openid::{es256_set, key_set, A3_D};
use crate::provider_quirks::{preset, read_cases, Case};
use crate::rendering::render;

/// The `jwks_uri` each OpenID Connect preset carries, as its provider's
/// page shows it (the page is in `src/presets/catalogue.rs`).
const DOCUMENTED_KEY_SETS: [(&str, &str); 7] = [
    ("GitLab", "https://gitlab.com/oauth/discovery/keys"),
    ("Google", "https://www.googleapis.com/oauth2/v3/certs"),
    (
        "Microsoft Entra ID",
        "https://login.microsoftonline.com/common/discovery/v2.0/keys",
    ),
    ("LinkedIn", "https://www.linkedin.com/oauth/openid/jwks"),
    ("Twitch", "https://id.twitch.tv/oauth2/keys"),
    ("Salesforce", "https://login.salesforce.com/id/keys"),
    (
        "Sign in with Slack",
        "https://slack.com/openid/connect/keys",
    ),
];

fn client_of(preset: Preset, client_id: &str) -> Client {
    let secret = ClientSecret::new("client-secret");
    let authentication = match preset
        .metadata()
        .token_endpoint_auth_methods_supported
        .as_deref()
    {
        Some([first, ..]) if first == "client_secret_post" => {
            ClientAuthentication::ClientSecretPost(secret)
        }
        _ => ClientAuthentication::ClientSecretBasic(secret),
    };
    preset
        .client(ClientId::new(client_id).unwrap(), authentication)
        .unwrap()
        .with_redirect_uri(RedirectUri::new("https://app.example/callback").unwrap())
}

/// Every OpenID Connect preset names the page of its OpenID Connect
/// members, and its client fetches the key set at the documented URL;
/// the others have no key set, and say so.
#[test]
fn every_openid_preset_fetches_its_documented_key_set() {
    let mut seen = Vec::new();
    for preset in Preset::catalogue() {
        let provider = preset.provider();
        let slug = provider.to_lowercase().replace(' ', "_");
        let documented = DOCUMENTED_KEY_SETS
            .iter()
            .find(|(name, _)| *name == provider)
            .map(|(_, uri)| *uri);
        let openid = preset.openid_documentation();
        let client = client_of(preset.clone(), "client-id");
        let Some(documented) = documented else {
            assert_eq!(openid, None, "{provider}");
            assert_eq!(client.jwks_uri(), None, "{provider}");
            assert_eq!(
                KeySetFetch::new(&client).unwrap_err(),
                ApiMisuse::NoEndpoint(EndpointKind::KeySet),
                "{provider}"
            );
            continue;
        };
        let (page, checked) = openid.unwrap_or_else(|| panic!("{provider}: no page"));
        assert!(page.starts_with("https://"), "{provider}");
        assert_eq!(checked, "2026-12-07", "{provider}");
        assert_eq!(
            client.jwks_uri().map(|uri| uri.as_str()),
            Some(documented),
            "{provider}"
        );
        let request = KeySetFetch::new(&client)
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap();
        assert_eq!(request.uri(), documented, "{provider}");
        insta::assert_snapshot!(format!("preset_key_set_request_{slug}"), render(&request));
        // Every page that lists the algorithms lists RS256 alone, the
        // client's default (Core §3.1.3.7 item 7).
        if let Some(algs) = &preset.metadata().id_token_signing_alg_values_supported {
            assert_eq!(algs, &["RS256"], "{provider}");
        }
        seen.push(provider);
    }
    assert_eq!(seen.len(), DOCUMENTED_KEY_SETS.len(), "{seen:?}");
}

/// The members the pages show beside the key set: Entra's end session
/// endpoint under the tenant, and the UserInfo endpoint of every
/// OpenID Connect preset.
#[test]
fn openid_presets_carry_their_userinfo_and_logout_endpoints() {
    let entra = client_of(
        Preset::microsoft_entra("organizations").unwrap(),
        "client-id",
    );
    assert_eq!(
        entra.end_session_endpoint().map(|uri| uri.as_str()),
        Some("https://login.microsoftonline.com/organizations/oauth2/v2.0/logout")
    );
    assert_eq!(
        entra.jwks_uri().map(|uri| uri.as_str()),
        Some("https://login.microsoftonline.com/organizations/discovery/v2.0/keys")
    );
    for preset in Preset::catalogue().filter(|p| p.openid_documentation().is_some()) {
        let provider = preset.provider();
        let client = client_of(preset, "client-id");
        assert!(client.userinfo_endpoint().is_some(), "{provider}");
        if provider != "Microsoft Entra ID" {
            // No other page shows an end session endpoint.
            assert_eq!(client.end_session_endpoint(), None, "{provider}");
        }
    }
    assert_eq!(
        Preset::linkedin().metadata().userinfo_endpoint.as_deref(),
        Some("https://api.linkedin.com/v2/userinfo")
    );
}

/// The issuer template is set for Entra's alias tenants only: a tenant's
/// own preset, and every other provider's, compares `iss` exactly.
#[test]
fn only_entras_alias_tenants_take_the_issuer_template() {
    for tenant in ["common", "organizations", "consumers", "COMMON"] {
        let preset = Preset::microsoft_entra(tenant).unwrap();
        assert_eq!(
            preset.metadata().tenant_issuer(),
            Some(TenantIssuer::MICROSOFT_ENTRA_V2),
            "{tenant}"
        );
    }
    for tenant in [
        "9122040d-6c67-4c5b-b112-36a304b66dad",
        "contoso.onmicrosoft.com",
        "common.example",
    ] {
        let preset = Preset::microsoft_entra(tenant).unwrap();
        assert_eq!(preset.metadata().tenant_issuer(), None, "{tenant}");
    }
    for preset in Preset::catalogue().filter(|p| p.provider() != "Microsoft Entra ID") {
        assert_eq!(
            preset.metadata().tenant_issuer(),
            None,
            "{}",
            preset.provider()
        );
    }
    // Never read from a document: Entra's own `{tenantid}` issuer does not
    // set it, and a stored metadata loses it.
    let discovered: ServerMetadata = serde_json::from_str(
        r#"{"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0",
            "authorization_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            "token_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/token",
            "tenant_issuer":"https://login.microsoftonline.com/{tenantid}/v2.0"}"#,
    )
    .unwrap();
    assert_eq!(discovered.tenant_issuer(), None);
    let stored = serde_json::to_string(Preset::microsoft_entra("common").unwrap().metadata());
    let reread: ServerMetadata = serde_json::from_str(&stored.unwrap()).unwrap();
    assert_eq!(reread.tenant_issuer(), None);
}

/// A template set by hand on a validation is inert for an issuer that is
/// not one of its aliases: it loosens no other client.
#[test]
fn a_template_loosens_no_other_issuer() {
    let tid = "9122040d-6c67-4c5b-b112-36a304b66dad";
    let token = sign(&format!(
        r#"{{"iss":"https://login.microsoftonline.com/{tid}/v2.0","tid":"{tid}","sub":"s","aud":"c","iat":1000,"exp":2000}}"#
    ));
    let keys = key_set(&es256_set("k1"), None);
    let now = UnixTime::from_secs(1010);
    for expected in [
        "https://op.example",
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
    ] {
        let refused = IdTokenValidation::new(expected, "c")
            .algorithms(&[JwsAlgorithm::Es256])
            .tenant_issuer(TenantIssuer::MICROSOFT_ENTRA_V2)
            .validate(&token, None, &keys, &RustCryptoVerifier, now)
            .unwrap_err();
        assert!(matches!(refused, JwtError::IssuerMismatch(_)), "{expected}");
    }
    // Without the template, the alias's issuer is compared exactly too.
    let refused = IdTokenValidation::new("https://login.microsoftonline.com/common/v2.0", "c")
        .algorithms(&[JwsAlgorithm::Es256])
        .validate(&token, None, &keys, &RustCryptoVerifier, now)
        .unwrap_err();
    assert!(matches!(refused, JwtError::IssuerMismatch(_)));
}

/// `claims` (JSON text, as the page shows it) as a compact JWS signed by
/// RFC 7515 A.3's key, `kid` `k1`.
fn sign(claims: &str) -> String {
    let d = Base64UrlUnpadded::decode_vec(A3_D).unwrap();
    let key = Es256Key::from_bytes(&d).unwrap();
    let header = r#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#;
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(claims.as_bytes())
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature))
}

type Vector = Case;

impl Case {
    fn required(&self, name: &str) -> &str {
        self.header(name)
            .unwrap_or_else(|| panic!("{}: no {name}", self.name))
    }

    fn validation(&self) -> IdTokenValidation {
        let preset = preset(self);
        let validation = IdTokenValidation::new(
            preset.metadata().issuer.as_str(),
            self.required("client-id"),
        )
        .algorithms(&[JwsAlgorithm::Es256])
        .nonce(self.required("nonce"));
        match preset.metadata().tenant_issuer() {
            Some(template) => validation.tenant_issuer(template),
            None => validation,
        }
    }

    fn at(&self) -> UnixTime {
        UnixTime::from_secs(self.required("at").parse().unwrap())
    }
}

fn vectors() -> Vec<Vector> {
    read_cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/quirks/id_tokens"))
}

/// Every page's ID token, through `IdTokenValidation` with the preset's
/// issuer (and issuer template) and the page's client id and nonce: the
/// typed claims read as the page says, or the refusal the file names.
#[test]
fn the_providers_documented_id_tokens() {
    let vectors = vectors();
    assert!(vectors.len() >= 9, "{}", vectors.len());
    let keys = key_set(&es256_set("k1"), None);
    for vector in &vectors {
        let name = &vector.name;
        for header in ["provider", "doc", "why"] {
            vector.required(header);
        }
        let token = sign(&vector.body);
        let outcome =
            vector
                .validation()
                .validate(&token, None, &keys, &RustCryptoVerifier, vector.at());
        let expect = vector.required("expect");
        match (expect.split_once(' '), outcome) {
            (None, Ok(id_token)) if expect == "ok" => assert_claims(vector, id_token.claims()),
            (None, Err(JwtError::IssuerMismatch(_))) if expect == "issuer-mismatch" => {}
            (Some(("invalid-claim", claim)), Err(JwtError::InvalidClaim(refused))) => {
                assert_eq!(refused, claim, "{name}");
            }
            (_, outcome) => panic!("{name}: expected {expect}, got {outcome:?}"),
        }
    }
}

fn assert_claims(vector: &Vector, claims: &IdTokenClaims) {
    let name = &vector.name;
    let mut checked = 0;
    for (header, value) in &vector.headers {
        let actual = match header.as_str() {
            "expect-sub" => Some(claims.subject().to_owned()),
            "expect-issuer" => Some(claims.issuer().to_owned()),
            "expect-email" => claims.email().map(str::to_owned),
            "expect-email-verified" => claims.email_verified().map(|v| v.to_string()),
            "expect-name" => claims.name().map(str::to_owned),
            "expect-preferred-username" => claims.preferred_username().map(str::to_owned),
            "expect-other" => {
                let (claim, _) = value.split_once('=').unwrap();
                claims
                    .other()
                    .get(claim)
                    .and_then(|v| v.as_str())
                    .map(|v| format!("{claim}={v}"))
            }
            _ => continue,
        };
        assert_eq!(actual.as_deref(), Some(value.as_str()), "{name}: {header}");
        checked += 1;
    }
    assert!(checked > 0, "{name}: no expect-* header");
}

/// Microsoft's sample token through the sign-in step of a client built
/// from the `common` preset: the flow carries the preset's template to the
/// validation, and the user's tenant's issuer signs the user in.
#[test]
fn entra_common_signs_in_a_user_of_any_tenant() {
    let vector = vectors()
        .into_iter()
        .find(|v| v.name == "microsoft-entra-id-token.json")
        .unwrap();
    let sign_in = |tenant: &str, claims: &str| {
        let client = client_of(
            Preset::microsoft_entra(tenant).unwrap(),
            vector.required("client-id"),
        );
        let (_, pending) = Start::new(&client)
            .scope(Scope::parse("openid profile").unwrap())
            .param("nonce", vector.required("nonce"))
            .begin(FlowEntropy::from_bytes([3; 64]), vector.at())
            .unwrap();
        let state = pending.state().secret().to_owned();
        let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
        let exchanging = pending.handle_callback(&client, callback).unwrap();
        let body = format!(
            r#"{{"token_type":"Bearer","access_token":"at","expires_in":3599,"id_token":"{}"}}"#,
            sign(claims)
        );
        let response =
            HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
        exchanging
            .sign_in()
            .handle_response(response, vector.at())
            .unwrap()
            .algorithms(&[JwsAlgorithm::Es256])
            .verify(
                &key_set(&es256_set("k1"), None),
                &RustCryptoVerifier,
                vector.at(),
            )
    };
    let signed_in = sign_in("common", &vector.body).unwrap();
    let claims = signed_in.id_token().claims();
    assert_eq!(
        claims.issuer(),
        "https://login.microsoftonline.com/9122040d-6c67-4c5b-b112-36a304b66dad/v2.0"
    );
    assert_eq!(
        claims.subject(),
        "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"
    );
    // Another tenant's issuer with this tid: refused at the step too.
    let forged = vector.body.replace(
        "https://login.microsoftonline.com/9122040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
    );
    let refused = sign_in("common", &forged).unwrap_err();
    assert!(
        matches!(
            refused.error().kind(),
            EndpointErrorKind::IdTokenRejected(JwtError::IssuerMismatch(_))
        ),
        "{refused:?}"
    );
    // A client of one tenant: exact, the sample's other tenant refused.
    let refused = sign_in("72f988bf-86f1-41af-91ab-2d7cd011db47", &vector.body).unwrap_err();
    assert!(matches!(
        refused.error().kind(),
        EndpointErrorKind::IdTokenRejected(JwtError::IssuerMismatch(_))
    ));
}

//! Step-up on `insufficient_scope` (RFC 6750 §3.1): the union of the
//! granted and the required scope, for the same resource, a limited
//! number of times.

use oauth2_pkce::errors::ResourceError;
use oauth2_pkce::resource::{BearerChallenge, NextStep, ResourceIndicator, StepUp};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const API: &str = "https://api.example.com/mcp";

fn client() -> Client {
    Client::new(
        ServerMetadata::new(
            "https://as.example",
            "https://as.example/authorize",
            "https://as.example/token",
        )
        .with_code_challenge_methods_supported(["S256"]),
        ClientId::new("public-client").unwrap(),
        ClientAuthentication::None,
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("http://127.0.0.1:8765/cb").unwrap())
}

fn authorized(client: &Client, scope: &str) -> Authorized {
    let (_, pending) = Start::new(client)
        .scope(Scope::parse(scope).unwrap())
        .resource(ResourceIndicator::new(API).unwrap())
        .begin(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let query = format!("code=c&state={}", pending.state().secret());
    let body =
        br#"{"token_type":"Bearer","access_token":"at","refresh_token":"rt","expires_in":60}"#;
    pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap()
        .handle_response(
            HttpResponse::new(200, body).with_content_type("application/json"),
            NOW,
        )
        .unwrap()
}

fn challenge(header: &str) -> BearerChallenge {
    BearerChallenge::parse(header).unwrap().unwrap()
}

#[test]
fn insufficient_scope_asks_for_the_union_for_the_same_resource() {
    let client = client();
    let authorized = authorized(&client, "openid files:read");
    let challenge =
        challenge(r#"Bearer error="insufficient_scope", scope="files:read files:write""#);
    assert!(matches!(
        challenge.next_step(),
        NextStep::Reauthorize { .. }
    ));
    let mut step_ups = StepUp::new();
    let (request, pending) = step_ups
        .start(&client, &authorized, &challenge)
        .unwrap()
        .begin(FlowEntropy::from_bytes([8; 64]), NOW)
        .unwrap();
    assert_eq!(step_ups.count(), 1);
    assert_eq!(pending.scope().to_string(), "openid files:read files:write");
    assert_eq!(pending.resources()[0].as_str(), API);
    assert!(request
        .url()
        .contains("scope=openid+files%3Aread+files%3Awrite"));
    assert!(request
        .url()
        .contains("resource=https%3A%2F%2Fapi.example.com%2Fmcp"));
}

/// A server that keeps answering `insufficient_scope` cannot loop the user.
#[test]
fn step_ups_are_limited_and_pointless_ones_refused() {
    let client = client();
    let authorized = authorized(&client, "a");
    let mut step_ups = StepUp::with_limit(1);
    let more = challenge(r#"Bearer error="insufficient_scope", scope="b""#);
    assert!(step_ups.scope_for(&authorized, &more).is_ok());
    assert_eq!(
        step_ups.scope_for(&authorized, &more),
        Err(ResourceError::StepUpLimitReached { limit: 1 })
    );
    assert_eq!(step_ups.count(), 1);

    let mut fresh = StepUp::new();
    for (header, error) in [
        (
            r#"Bearer error="insufficient_scope", scope="a""#,
            ResourceError::ScopeAlreadyGranted,
        ),
        (
            r#"Bearer error="insufficient_scope""#,
            ResourceError::NoScopeToAskFor,
        ),
        (
            r#"Bearer error="invalid_token", scope="b""#,
            ResourceError::NotInsufficientScope,
        ),
    ] {
        assert_eq!(
            fresh.scope_for(&authorized, &challenge(header)),
            Err(error),
            "{header}"
        );
    }
    assert_eq!(fresh.count(), 0);

    // A token refreshed down to `a` of a grant of `a b`: `b` is in the
    // grant but not in the token, so a step-up asks for it again.
    let wide = self::authorized(&client, "a b");
    let body = br#"{"token_type":"Bearer","access_token":"at-2","expires_in":60,"scope":"a"}"#;
    let narrowed = wide
        .refresh_with_scope(&client, Scope::parse("a").unwrap())
        .unwrap()
        .handle_response(
            HttpResponse::new(200, body).with_content_type("application/json"),
            NOW,
        )
        .unwrap();
    assert_eq!(narrowed.grant_scope(), Some(&Scope::parse("a b").unwrap()));
    assert_eq!(
        fresh.scope_for(&narrowed, &more),
        Ok(Scope::parse("a b").unwrap())
    );
    assert!(ResourceError::StepUpLimitReached { limit: 2 }
        .to_string()
        .contains("2 times"));
}

//! Token introspection (RFC 7662) on canned answers: who may ask, the
//! response members and the resource server's decision, and errors.

use std::time::Duration;

use oauth2_pkce::errors::{ApiMisuse, EndpointErrorKind, EndpointKind};
use oauth2_pkce::resource::{IntrospectedToken, Introspection};
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

fn metadata() -> ServerMetadata {
    ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_introspection_endpoint("https://as.example/introspect")
}

fn client_with(metadata: ServerMetadata, authentication: ClientAuthentication) -> Client {
    Client::new(metadata, ClientId::new("api").unwrap(), authentication).unwrap()
}

fn basic() -> ClientAuthentication {
    ClientAuthentication::ClientSecretBasic(ClientSecret::new("api-secret"))
}

fn introspection() -> Introspection {
    Introspection::new(
        &client_with(metadata(), basic()),
        IntrospectedToken::new("tok"),
    )
    .unwrap()
}

fn json(status: u16, body: &str) -> HttpResponse<'_> {
    HttpResponse::new(status, body.as_bytes()).with_content_type("application/json")
}

#[test]
fn who_may_introspect() {
    let token = || IntrospectedToken::new("tok");
    let without = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    );
    assert_eq!(
        Introspection::new(&client_with(without, basic()), token()).unwrap_err(),
        ApiMisuse::NoEndpoint(EndpointKind::Introspection)
    );
    assert_eq!(
        Introspection::new(
            &client_with(metadata(), ClientAuthentication::None),
            token()
        )
        .unwrap_err(),
        ApiMisuse::PublicClient
    );
    let mut post_only = metadata();
    post_only.introspection_endpoint_auth_methods_supported =
        Some(vec!["client_secret_post".into()]);
    assert_eq!(
        Introspection::new(&client_with(post_only.clone(), basic()), token()).unwrap_err(),
        ApiMisuse::AuthenticationMethodNotSupported {
            endpoint: EndpointKind::Introspection,
            method: "client_secret_basic"
        }
    );
    post_only.token_endpoint_auth_methods_supported = Some(vec!["client_secret_post".into()]);
    let post = ClientAuthentication::ClientSecretPost(ClientSecret::new("api-secret"));
    assert!(Introspection::new(&client_with(post_only, post), token()).is_ok());
}

#[test]
fn an_active_token_and_the_resource_servers_decision() {
    let body = r#"{"active":true,"scope":"read write","client_id":"web","username":"alice","token_type":"Bearer","exp":1700000600,"iat":1700000000,"nbf":1699999990,"sub":"alice-id","aud":["https://api.example","https://other.example"],"iss":"https://as.example","jti":"t-1","acr":"1"}"#;
    let answer = introspection()
        .handle_response(json(200, body), NOW)
        .unwrap();
    assert!(answer.active());
    assert_eq!(answer.scope(), Some(&Scope::parse("read write").unwrap()));
    assert_eq!(answer.client_id(), Some("web"));
    assert_eq!(answer.username(), Some("alice"));
    assert_eq!(answer.token_type(), Some("Bearer"));
    assert_eq!(answer.exp(), Some(UnixTime::from_secs(1_700_000_600)));
    assert_eq!(answer.iat(), Some(NOW));
    assert_eq!(answer.nbf(), Some(UnixTime::from_secs(1_699_999_990)));
    assert_eq!(answer.sub(), Some("alice-id"));
    assert_eq!(
        answer.aud().collect::<Vec<_>>(),
        ["https://api.example", "https://other.example"]
    );
    assert_eq!(answer.iss(), Some("https://as.example"));
    assert_eq!(answer.jti(), Some("t-1"));
    assert_eq!(answer.extra().get("acr").unwrap(), "1");

    let read = Scope::parse("read").unwrap();
    assert!(answer.allows(NOW, Some("https://api.example"), &read));
    assert!(!answer.allows(NOW, Some("https://elsewhere.example"), &read));
    assert!(!answer.allows(NOW, None, &Scope::parse("admin").unwrap()));
    // At `exp`, a cached answer no longer allows anything.
    let expiry = UnixTime::from_secs(1_700_000_600);
    assert!(!answer.allows(expiry, None, &read));
    assert!(answer.allows(expiry.saturating_sub(Duration::from_secs(1)), None, &read));
    // Before `nbf`, neither.
    assert!(!answer.is_active_at(UnixTime::from_secs(1_699_999_989)));
}

#[test]
fn an_inactive_token_is_an_answer() {
    let answer = introspection()
        .handle_response(json(200, r#"{"active":false}"#), NOW)
        .unwrap();
    assert!(!answer.active());
    assert!(!answer.allows(NOW, None, &Scope::empty()));
    assert_eq!(answer.scope(), None);
}

#[test]
fn errors_name_the_introspection_endpoint() {
    let failure = introspection()
        .handle_response(json(401, r#"{"error":"invalid_client"}"#), NOW)
        .unwrap_err();
    assert_eq!(failure.error().endpoint(), EndpointKind::Introspection);
    assert_eq!(
        failure.to_string(),
        "the introspection endpoint answered with an error: invalid_client"
    );
    assert!(!failure.is_retryable());

    let failure = introspection()
        .handle_response(json(200, r#"{"active":"true"}"#), NOW)
        .unwrap_err();
    assert_eq!(*failure.error(), EndpointErrorKind::InvalidMember("active"));

    let step = introspection();
    let request = step.request(&crate::CONTEXT).unwrap();
    let failure = step
        .handle_response(HttpResponse::new(503, b"").with_retry_after("4"), NOW)
        .unwrap_err();
    assert_eq!(failure.retry_after(), Some(Duration::from_secs(4)));
    assert_eq!(
        failure
            .into_retry()
            .unwrap()
            .request(&crate::CONTEXT)
            .unwrap(),
        request
    );
}

mod signed {
    //! JWT introspection responses (RFC 9701): asked for with its media
    //! type, taken only signed, read only once the JWS, `typ`, `iss`,
    //! `aud` and `iat` check out (§5).

    use super::*;
    use oauth2_pkce::errors::{EndpointError, JwtError};
    use oauth2_pkce::jose::RustCryptoVerifier;
    use oauth2_pkce::openid::KeySet;
    use serde_json::json;

    use crate::openid::{es256_set, key_set};
    use crate::openid_session::sign;

    const NOW: UnixTime = crate::openid::NOW;

    fn client() -> Client {
        let mut metadata = metadata();
        metadata.introspection_signing_alg_values_supported = Some(vec!["ES256".into()]);
        client_with(metadata, basic())
    }

    fn keys() -> KeySet {
        key_set(&es256_set("k1"), None)
    }

    fn claims() -> serde_json::Value {
        json!({
            "iss": "https://as.example",
            "aud": "api",
            "iat": NOW.as_secs() - 5,
            "token_introspection": {
                "active": true, "scope": "read write", "client_id": "web",
                "sub": "Z5O3upPC88QrAjx00dis", "aud": "https://api.example",
                "exp": NOW.as_secs() + 600,
            },
        })
    }

    fn header() -> serde_json::Value {
        json!({"alg": "ES256", "kid": "k1", "typ": "token-introspection+jwt"})
    }

    fn answer(jwt: &str) -> HttpResponse<'_> {
        HttpResponse::new(200, jwt.as_bytes())
            .with_content_type("application/token-introspection+jwt")
    }

    fn verify(jwt: &str) -> Result<IntrospectionResponse, EndpointError> {
        let client = client();
        introspection()
            .signed(&client)
            .handle_response(answer(jwt), NOW)
            .unwrap()
            .verify(&keys(), &RustCryptoVerifier, NOW)
    }

    use oauth2_pkce::resource::IntrospectionResponse;

    #[test]
    fn the_request_asks_for_a_jwt() {
        let client = client();
        let request = introspection()
            .signed(&client)
            .request(&RequestContext::new(NOW, [0x5e; 32]))
            .unwrap();
        assert_eq!(
            request.header("accept"),
            Some("application/token-introspection+jwt")
        );
        insta::assert_snapshot!(
            "signed_introspection_request",
            crate::rendering::render(&request)
        );
    }

    #[test]
    fn a_signed_answer_is_read_once_verified() {
        let answer = verify(&sign(header(), &claims())).unwrap();
        assert!(answer.active());
        let read = Scope::parse("read").unwrap();
        assert!(answer.allows(NOW, Some("https://api.example"), &read));
        assert_eq!(answer.client_id(), Some("web"));
    }

    fn refused(header: serde_json::Value, claims: serde_json::Value) -> EndpointErrorKind {
        verify(&sign(header, &claims)).unwrap_err().kind().clone()
    }

    /// §5: a refusal per rule.
    #[test]
    fn each_rule_refuses() {
        let rejected = |error| EndpointErrorKind::IntrospectionRejected(error);
        let mut other = claims();
        other["iss"] = json!("https://evil.example");
        assert_eq!(
            refused(header(), other),
            rejected(JwtError::IssuerMismatch("https://evil.example".into()))
        );
        let mut other = claims();
        other["aud"] = json!("another-resource");
        assert_eq!(
            refused(header(), other),
            rejected(JwtError::AudienceMismatch)
        );
        let mut other = claims();
        other.as_object_mut().unwrap().remove("iat");
        assert_eq!(
            refused(header(), other),
            rejected(JwtError::MissingClaim("iat"))
        );
        // A minute ahead is within the skew; a second more is not.
        let mut other = claims();
        other["iat"] = json!(NOW.as_secs() + 60);
        assert!(verify(&sign(header(), &other)).is_ok());
        other["iat"] = json!(NOW.as_secs() + 61);
        assert!(verify(&sign(header(), &other)).is_err());
        let mut other = claims();
        other["iat"] = json!(NOW.as_secs() + 120);
        assert_eq!(
            refused(header(), other),
            rejected(JwtError::IssuedInFuture {
                iat: UnixTime::from_secs(NOW.as_secs() + 120)
            })
        );
        let mut other = claims();
        other.as_object_mut().unwrap().remove("token_introspection");
        assert_eq!(
            refused(header(), other),
            rejected(JwtError::MissingClaim("token_introspection"))
        );
        let mut other = claims();
        other["token_introspection"]["active"] = json!("yes");
        assert_eq!(
            refused(header(), other),
            EndpointErrorKind::InvalidMember("active")
        );
        let jwt_typ = json!({"alg": "ES256", "kid": "k1", "typ": "JWT"});
        assert_eq!(
            refused(jwt_typ, claims()),
            rejected(JwtError::WrongType("JWT".into()))
        );
        // ES256 is what the server lists: RS256 alone would refuse it.
        let default = client_with(metadata(), basic());
        let error = introspection()
            .signed(&default)
            .handle_response(answer(&sign(header(), &claims())), NOW)
            .unwrap()
            .verify(&keys(), &RustCryptoVerifier, NOW)
            .unwrap_err();
        assert_eq!(
            error.kind(),
            &rejected(JwtError::AlgorithmNotAllowed("ES256".into()))
        );
    }

    /// An unsigned success is refused; an error answer fails as any
    /// introspection does, a 503 handing the step back.
    #[test]
    fn only_a_signed_answer_is_taken() {
        let client = client();
        let failure = introspection()
            .signed(&client)
            .handle_response(json(200, r#"{"active":true}"#), NOW)
            .unwrap_err();
        assert_eq!(
            failure.error().kind(),
            &EndpointErrorKind::IntrospectionRejected(JwtError::Unsigned)
        );
        assert!(!failure.is_retryable());
        let failure = introspection()
            .signed(&client)
            .handle_response(HttpResponse::new(503, b""), NOW)
            .unwrap_err();
        assert!(failure.is_retryable());
        assert!(failure.into_retry().is_some());
    }
}

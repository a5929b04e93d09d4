//! The FAPI 2.0 profile: what `Client::fapi2` turns on, and the keys and
//! servers it refuses.

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::{ApiMisuse, CallbackError, ConfigError, CryptoError, EndpointErrorKind};
use oauth2_pkce::jose::{
    ClientAssertionKey, DpopKey, Ed25519Key, Es256Key, JwsAlgorithm, PublicJwk, Signer,
};
use oauth2_pkce::tolerance::Strictness;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        "https://as.example",
        "https://as.example/authorize",
        "https://as.example/token",
    )
    .with_authorization_response_iss_parameter_supported(true)
    .with_code_challenge_methods_supported(["S256"])
    .with_token_endpoint_auth_methods_supported(["private_key_jwt"]);
    metadata.pushed_authorization_request_endpoint = Some("https://as.example/par".into());
    metadata.dpop_signing_alg_values_supported = Some(vec!["ES256".into(), "EdDSA".into()]);
    metadata
}

fn assertion_key() -> ClientAssertionKey {
    let d = Base64UrlUnpadded::decode_vec("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI").unwrap();
    ClientAssertionKey::new(Es256Key::from_bytes(&d).unwrap())
}

fn dpop_key() -> DpopKey {
    DpopKey::new(Ed25519Key::from_bytes(&[9; 32]))
}

fn fapi2(metadata: ServerMetadata) -> Result<Client, ConfigError> {
    Client::fapi2(
        metadata,
        ClientId::new("s6BhdRkqt3").unwrap(),
        assertion_key(),
        dpop_key(),
    )
    .map(|client| {
        client.with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap())
    })
}

/// An RS256 signer: allowed by the JOSE registry, not by FAPI 2.0.
struct Rs256;

impl Signer for Rs256 {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::Rs256
    }
    fn public_jwk(&self) -> PublicJwk {
        PublicJwk::rsa("sXch", "AQAB").unwrap()
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Err(CryptoError::Signing("never asked to sign"))
    }
}

#[test]
fn a_fapi2_client_pushes_proves_and_requires_iss() {
    let client = fapi2(metadata()).unwrap();
    assert!(client.is_fapi2());
    let plain = Client::new(
        metadata(),
        ClientId::new("c").unwrap(),
        ClientAuthentication::None,
    );
    assert!(!plain.unwrap().is_fapi2());
    assert_eq!(client.authentication().method_name(), "private_key_jwt");
    assert_eq!(client.tolerances().strictness(), Strictness::Strict);

    // Never a plain redirect: the parameters are pushed, with a proof.
    let refused = Start::new(&client).begin(FlowEntropy::from_bytes([3; 64]), NOW);
    assert_eq!(
        refused.unwrap_err(),
        ConfigError::Misuse(ApiMisuse::PushedAuthorizationRequired)
    );
    let Ok(Authorization::Push(pushing)) =
        Start::new(&client).authorize(FlowEntropy::from_bytes([3; 64]), NOW)
    else {
        panic!("a FAPI 2.0 login is pushed");
    };
    let request = pushing.request(&RequestContext::new(NOW, [1; 32])).unwrap();
    assert!(request.header("dpop").is_some());
    let body = std::str::from_utf8(request.body()).unwrap();
    assert!(body.contains("code_challenge_method=S256"), "{body}");
    assert!(body.contains("client_assertion="), "{body}");

    // The callback must say which issuer it comes from.
    let created = br#"{"request_uri":"urn:ietf:params:oauth:request_uri:x","expires_in":60}"#;
    let response = HttpResponse::new(201, created).with_content_type("application/json");
    let (_, pending) = pushing.handle_response(response, NOW).unwrap();
    let state = pending.state().secret().to_owned();
    let without_iss = Callback::from_query(&format!("code=c&state={state}")).unwrap();
    assert_eq!(
        pending
            .clone()
            .handle_callback(&client, without_iss)
            .unwrap_err(),
        CallbackError::MissingIssuer
    );

    // A token the server did not bind is refused, whatever it says.
    let callback = Callback::from_query(&format!(
        "code=c&state={state}&iss=https%3A%2F%2Fas.example"
    ))
    .unwrap();
    for token_type in [r#""token_type":"Bearer","#, ""] {
        let exchanging = pending
            .clone()
            .handle_callback(&client, callback.clone())
            .unwrap();
        let body = format!(r#"{{{token_type}"access_token":"a"}}"#);
        let response =
            HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
        let failure = exchanging.handle_response(response, NOW).unwrap_err();
        assert!(
            matches!(
                failure.error().kind(),
                EndpointErrorKind::UnsupportedTokenType(_)
            ) || failure.error().kind().is_malformed_response(),
            "{token_type}: {}",
            failure.error()
        );
        // Never "not Bearer" for a Bearer token this client refuses.
        assert!(!failure.error().to_string().contains("not Bearer"));
    }
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let body = br#"{"token_type":"DPoP","access_token":"a"}"#;
    let response = HttpResponse::new(200, body).with_content_type("application/json");
    let authorized = exchanging.handle_response(response, NOW).unwrap();
    assert_eq!(
        authorized.tokens().dpop_jkt(),
        Some(dpop_key().thumbprint().as_str())
    );
}

#[test]
fn keys_and_servers_that_cannot_meet_the_profile() {
    let refuse = |metadata: ServerMetadata| fapi2(metadata).unwrap_err();
    let mut no_par = metadata();
    no_par.pushed_authorization_request_endpoint = None;
    assert_eq!(
        refuse(no_par),
        ConfigError::Fapi2NoPushedAuthorizationRequests
    );
    let no_iss = metadata().with_authorization_response_iss_parameter_supported(false);
    assert_eq!(refuse(no_iss), ConfigError::Fapi2NoIssuerIdentification);
    let mut no_dpop = metadata();
    no_dpop.dpop_signing_alg_values_supported = None;
    assert_eq!(refuse(no_dpop), ConfigError::Fapi2NoDpop);
    let plain_only = metadata().with_code_challenge_methods_supported(["plain"]);
    assert_eq!(refuse(plain_only), ConfigError::S256NotSupported);
    let secrets_only =
        metadata().with_token_endpoint_auth_methods_supported(["client_secret_basic"]);
    assert_eq!(
        refuse(secrets_only),
        ConfigError::AuthenticationMethodNotSupported {
            method: "private_key_jwt"
        }
    );

    let rs256 = Client::fapi2(
        metadata(),
        ClientId::new("c").unwrap(),
        ClientAssertionKey::new(Rs256),
        dpop_key(),
    )
    .unwrap_err();
    assert_eq!(
        rs256,
        ConfigError::Fapi2AlgorithmNotAllowed {
            key: "client assertion",
            alg: "RS256"
        }
    );
    assert_eq!(
        rs256.to_string(),
        "FAPI 2.0 allows PS256, ES256 and EdDSA; the client assertion key signs with RS256"
    );
    let rs256_dpop = Client::fapi2(
        metadata(),
        ClientId::new("c").unwrap(),
        assertion_key(),
        DpopKey::new(Rs256),
    )
    .unwrap_err();
    assert_eq!(
        rs256_dpop,
        ConfigError::Fapi2AlgorithmNotAllowed {
            key: "DPoP",
            alg: "RS256"
        }
    );
}

/// FAPI 2.0 Message Signing (§5.3): every request a pushed request object
/// signed with the client's key, asking for a signed response (JARM); the
/// pending flow takes nothing unsigned; a server without `jwt` among its
/// response modes is refused, and so is another response mode.
#[test]
fn a_message_signing_client_signs_requests_and_asks_for_signed_responses() {
    let client = Client::fapi2_message_signing(
        metadata(),
        ClientId::new("s6BhdRkqt3").unwrap(),
        assertion_key(),
        dpop_key(),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://client.example.org/cb").unwrap());
    assert!(client.is_fapi2());
    let Ok(Authorization::Push(pushing)) =
        Start::new(&client).authorize(FlowEntropy::from_bytes([3; 64]), NOW)
    else {
        panic!("pushed");
    };
    let request = pushing
        .request(&RequestContext::new(NOW, [0x5e; 32]))
        .unwrap();
    assert!(request.header("dpop").is_some());
    let form: Vec<(String, String)> = url::form_urlencoded::parse(request.body())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let names: Vec<&str> = form.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "request",
            "client_assertion_type",
            "client_assertion"
        ]
    );
    let (header, claims) = crate::rendering::decode_jws(&form[1].1);
    assert_eq!(header["typ"], "oauth-authz-req+jwt");
    assert_eq!(claims["response_mode"], "jwt");
    assert_eq!(claims["code_challenge_method"], "S256");

    let answer = br#"{"request_uri":"urn:ietf:params:oauth:request_uri:x","expires_in":60}"#;
    let response = HttpResponse::new(201, answer).with_content_type("application/json");
    let (_, pending) = pushing.handle_response(response, NOW).unwrap();
    let state = pending.state().secret().to_owned();
    let unsigned = Callback::from_query(&format!("code=c&state={state}&iss=https://as.example"));
    assert_eq!(
        pending
            .handle_callback(&client, unsigned.unwrap())
            .unwrap_err(),
        CallbackError::ResponseNotSigned
    );

    let refused = Start::new(&client)
        .param("response_mode", "query")
        .authorize(FlowEntropy::from_bytes([3; 64]), NOW);
    assert_eq!(
        refused.unwrap_err(),
        ConfigError::ReservedParameter("response_mode".into())
    );
    let mut without_jarm = metadata();
    without_jarm.response_modes_supported = Some(vec!["query".into(), "form_post".into()]);
    assert_eq!(
        Client::fapi2_message_signing(
            without_jarm,
            ClientId::new("s6BhdRkqt3").unwrap(),
            assertion_key(),
            dpop_key(),
        )
        .unwrap_err(),
        ConfigError::Fapi2NoSignedResponses
    );
}

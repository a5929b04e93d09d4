//! JWT-secured authorization responses (OpenID JARM): a login that asks
//! for `response_mode=query.jwt` takes only a verified `response`; the
//! JWT's signature, `iss`, `aud` and `exp` are checked first (§4.4), then
//! what it carried goes through every check a callback gets.

use base64ct::Encoding;
use oauth2_pkce::errors::{AuthorizationErrorCode, CallbackError, JwtError};
use oauth2_pkce::jose::RustCryptoVerifier;
use oauth2_pkce::openid::KeySet;
use oauth2_pkce::*;

use crate::openid::{es256_set, id_token, key_set, CLIENT_ID, ISSUER, NOW};

fn client(listed: Option<&[&str]>) -> Client {
    let mut metadata = ServerMetadata::new(
        ISSUER,
        "https://op.example/authorize",
        "https://op.example/token",
    );
    metadata.authorization_signing_alg_values_supported =
        listed.map(|algs| algs.iter().map(|alg| String::from(*alg)).collect());
    Client::new(
        metadata,
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://rp.example/cb").unwrap())
}

fn pending(client: &Client, response_mode: &str) -> AwaitingCallback {
    let (request, pending) = Start::new(client)
        .param("response_mode", response_mode)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    assert!(request
        .url()
        .contains(&format!("response_mode={response_mode}")));
    pending
}

fn keys() -> KeySet {
    key_set(&es256_set("k1"), None)
}

/// The JWT the server would send, signed by RFC 7515 A.3's key, `k1`.
fn response(pending: &AwaitingCallback, change: impl FnOnce(&mut serde_json::Value)) -> Callback {
    let mut claims = serde_json::json!({
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "exp": NOW.as_secs() + 600,
        "code": "PyyFaux2o7Q0YfXBU32jhw.5FXSQpvr8akv9CeRDSd0QA",
        "state": pending.state().secret(),
    });
    change(&mut claims);
    Callback::from_query(&format!("response={}", id_token("k1", claims))).unwrap()
}

fn verify(pending: &AwaitingCallback, callback: &Callback) -> Result<Callback, CallbackError> {
    pending.verify_response(
        &client(Some(&["ES256"])),
        callback,
        &keys(),
        &RustCryptoVerifier,
        NOW,
    )
}

#[test]
fn a_verified_response_goes_on_to_the_exchange() {
    for mode in ["jwt", "query.jwt", "form_post.jwt"] {
        let client = client(Some(&["ES256"]));
        let pending = pending(&client, mode);
        let callback = response(&pending, |_| {});
        assert!(callback.is_jwt_response());
        let printed = format!("{callback:?}");
        assert!(!printed.contains("eyJ"), "{printed}");
        let inner = verify(&pending, &callback).unwrap();
        assert_eq!(inner.iss(), Some(ISSUER));
        assert!(pending.handle_callback(&client, inner).is_ok());
    }
}

/// §2.3: a login that asked for a signed response takes nothing else,
/// not even an error; the mode survives storage.
#[test]
fn nothing_unsigned_is_taken() {
    let client = client(Some(&["ES256"]));
    let pending = pending(&client, "query.jwt");
    let stored = AwaitingCallback::from_json(pending.to_json().as_bytes()).unwrap();
    assert_eq!(stored, pending);
    let state = pending.state().secret().to_owned();
    for query in [
        format!("code=c0de&state={state}&iss={ISSUER}"),
        format!("error=access_denied&state={state}"),
    ] {
        let plain = Callback::from_query(&query).unwrap();
        assert_eq!(
            stored
                .clone()
                .handle_callback(&client, plain.clone())
                .unwrap_err(),
            CallbackError::ResponseNotSigned
        );
        assert_eq!(
            verify(&stored, &plain).unwrap_err(),
            CallbackError::ResponseNotSigned
        );
    }
    // A plain login is unchanged.
    let (_, plain_login) = Start::new(&client)
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let state = plain_login.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    assert!(plain_login.handle_callback(&client, callback).is_ok());
}

/// §4.4: a refusal per rule, before anything the JWT carries is used.
#[test]
fn each_rule_of_section_4_4_refuses() {
    let client = client(Some(&["ES256"]));
    let pending = pending(&client, "jwt");
    let refused =
        |change: fn(&mut serde_json::Value)| match verify(&pending, &response(&pending, change))
            .unwrap_err()
        {
            CallbackError::ResponseRejected(error) => error,
            other => panic!("{other:?}"),
        };
    assert_eq!(
        refused(|c| c["iss"] = "https://evil.example".into()),
        JwtError::IssuerMismatch("https://evil.example".into())
    );
    assert_eq!(
        refused(|c| {
            c.as_object_mut().unwrap().remove("iss");
        }),
        JwtError::MissingClaim("iss")
    );
    assert_eq!(
        refused(|c| c["aud"] = "another-client".into()),
        JwtError::AudienceMismatch
    );
    assert_eq!(
        refused(|c| {
            c.as_object_mut().unwrap().remove("aud");
        }),
        JwtError::MissingClaim("aud")
    );
    assert_eq!(
        refused(|c| c["exp"] = (NOW.as_secs() - 61).into()),
        JwtError::Expired {
            exp: UnixTime::from_secs(NOW.as_secs() - 61)
        }
    );
    assert_eq!(
        refused(|c| {
            c.as_object_mut().unwrap().remove("exp");
        }),
        JwtError::MissingClaim("exp")
    );
    assert_eq!(
        refused(|c| c["code"] = 42.into()),
        JwtError::InvalidClaim("code")
    );

    // The signature: another key's, none at all, an algorithm not listed.
    let good = id_token(
        "k1",
        serde_json::json!({
            "iss": ISSUER, "aud": CLIENT_ID, "exp": NOW.as_secs() + 600,
            "code": "c", "state": pending.state().secret(),
        }),
    );
    let (input, _) = good.rsplit_once('.').unwrap();
    let forged = Callback::from_query(&format!("response={input}.AAAA")).unwrap();
    assert!(matches!(
        verify(&pending, &forged).unwrap_err(),
        CallbackError::ResponseRejected(JwtError::BadSignature | JwtError::Malformed)
    ));
    let header = base64ct::Base64UrlUnpadded::encode_string(br#"{"alg":"none"}"#);
    let payload = input.split_once('.').unwrap().1;
    let unsigned = Callback::from_query(&format!("response={header}.{payload}.")).unwrap();
    assert_eq!(
        verify(&pending, &unsigned).unwrap_err(),
        CallbackError::ResponseRejected(JwtError::Unsigned)
    );
    // RS256 by default (JARM §2.1) when the server lists nothing.
    let default = self::client(None);
    assert_eq!(
        pending
            .verify_response(
                &default,
                &response(&pending, |_| {}),
                &keys(),
                &RustCryptoVerifier,
                NOW
            )
            .unwrap_err(),
        CallbackError::ResponseRejected(JwtError::AlgorithmNotAllowed("ES256".into()))
    );
}

/// What the JWT carried is checked as any callback is: its `state`, an
/// unrequested response type, an error answer.
#[test]
fn what_it_carried_is_checked_as_a_callback() {
    let client = client(Some(&["ES256"]));
    let pending = pending(&client, "jwt");
    let inner = verify(
        &pending,
        &response(&pending, |c| c["state"] = "another".into()),
    )
    .unwrap();
    assert_eq!(
        pending.clone().handle_callback(&client, inner).unwrap_err(),
        CallbackError::StateMismatch
    );
    let inner = verify(
        &pending,
        &response(&pending, |c| c["access_token"] = "at".into()),
    )
    .unwrap();
    assert_eq!(
        pending.clone().handle_callback(&client, inner).unwrap_err(),
        CallbackError::UnrequestedResponseType {
            parameter: "access_token"
        }
    );
    let inner = verify(
        &pending,
        &response(&pending, |c| {
            let claims = c.as_object_mut().unwrap();
            claims.remove("code");
            claims.insert("error".into(), "access_denied".into());
        }),
    )
    .unwrap();
    match pending.handle_callback(&client, inner).unwrap_err() {
        CallbackError::Authorization(error) => {
            assert_eq!(error.error(), &AuthorizationErrorCode::AccessDenied);
        }
        other => panic!("{other:?}"),
    }
}

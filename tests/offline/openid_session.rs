//! OpenID Connect after the sign-in: the UserInfo request and its answer
//! (Core §5.3: Bearer and DPoP, JSON and signed, `sub` equal to the ID
//! token's), the end session URL (RP-Initiated Logout 1.0 §2) and the
//! back-channel logout token (Back-Channel Logout 1.0 §2.6), with one
//! refusal per rule.

use base64ct::{Base64UrlUnpadded, Encoding};
use oauth2_pkce::errors::{ApiMisuse, EndpointErrorKind, JwtError, ResourceError};
use oauth2_pkce::jose::*;
use oauth2_pkce::openid::*;
use oauth2_pkce::values::HttpResponse;
use oauth2_pkce::*;
use serde_json::json;

use crate::openid::{claims, es256_set, key_set, A3_D, ACCESS_TOKEN, CLIENT_ID, ISSUER, NOW};
use crate::rendering::{decode_jws, render};

const USERINFO: &str = "https://op.example/userinfo";
const END_SESSION: &str = "https://op.example/logout?tenant=t1";
const SUB: &str = "248289761001";

/// A compact JWS of `claims` with the header `header`, signed by RFC 7515
/// A.3's key.
pub(crate) fn sign(header: serde_json::Value, claims: &serde_json::Value) -> String {
    let d = Base64UrlUnpadded::decode_vec(A3_D).unwrap();
    let key = Es256Key::from_bytes(&d).unwrap();
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.to_string().as_bytes()),
        Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature))
}

fn es256_header() -> serde_json::Value {
    json!({"alg": "ES256", "kid": "k1"})
}

fn client(dpop: bool) -> Client {
    let mut metadata = ServerMetadata::new(
        ISSUER,
        "https://op.example/auth",
        "https://op.example/token",
    );
    metadata.userinfo_endpoint = Some(USERINFO.to_owned());
    metadata.end_session_endpoint = Some(END_SESSION.to_owned());
    let client = Client::new(
        metadata,
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::None,
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://rp.example/cb").unwrap());
    if dpop {
        client
            .with_dpop(DpopKey::new(Ed25519Key::from_bytes(&[9; 32])))
            .unwrap()
    } else {
        client
    }
}

/// A user signed in through `client`: a login with `openid`, its token
/// response (Bearer or DPoP) with an ID token for [`SUB`].
fn signed_in(client: &Client) -> SignedIn {
    let (request, pending) = Start::new(client)
        .scope(Scope::parse("openid").unwrap())
        .begin(FlowEntropy::from_bytes([3; 64]), NOW)
        .unwrap();
    let url = url::Url::parse(request.url()).unwrap();
    let nonce = url
        .query_pairs()
        .find(|(name, _)| name == "nonce")
        .unwrap()
        .1
        .into_owned();
    let state = pending.state().secret().to_owned();
    let callback = Callback::from_query(&format!("code=c0de&state={state}")).unwrap();
    let exchanging = pending.handle_callback(client, callback).unwrap();
    let mut claims = claims();
    claims["nonce"] = json!(nonce);
    let id_token = sign(es256_header(), &claims);
    let token_type = if client.dpop_key().is_some() {
        "DPoP"
    } else {
        "Bearer"
    };
    let body = format!(
        r#"{{"token_type":"{token_type}","access_token":"{ACCESS_TOKEN}","expires_in":300,"id_token":"{id_token}"}}"#
    );
    let response = HttpResponse::new(200, body.as_bytes()).with_content_type("application/json");
    exchanging
        .sign_in()
        .handle_response(response, NOW)
        .unwrap()
        .algorithms(&[JwsAlgorithm::Es256])
        .verify(&key_set(&es256_set("k1"), None), &RustCryptoVerifier, NOW)
        .unwrap()
}

fn userinfo_request(client: &Client) -> UserInfoRequest {
    let signed_in = signed_in(client);
    UserInfoRequest::new(client, signed_in.authorized(), signed_in.id_token()).unwrap()
}

/// The request's answer `body` of `content_type`, verified.
fn answer(
    request: UserInfoRequest,
    content_type: &str,
    body: &str,
) -> Result<UserInfo, EndpointErrorKind> {
    let response = HttpResponse::new(200, body.as_bytes()).with_content_type(content_type);
    let received = request
        .handle_response(response, NOW)
        .map_err(|failure| failure.error().kind().clone())?;
    assert_eq!(
        received.is_signed(),
        content_type.starts_with("application/jwt")
    );
    received
        .verify(&key_set(&es256_set("k1"), None), &RustCryptoVerifier, NOW)
        .map_err(|error| error.kind().clone())
}

fn json_answer(body: serde_json::Value) -> Result<UserInfo, EndpointErrorKind> {
    answer(
        userinfo_request(&client(false)),
        "application/json; charset=utf-8",
        &body.to_string(),
    )
}

fn signed_claims() -> serde_json::Value {
    json!({
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": SUB,
        "name": "Jane Doe",
        "iat": NOW.as_secs(),
    })
}

fn signed_answer(
    change: impl FnOnce(&mut serde_json::Value),
) -> Result<UserInfo, EndpointErrorKind> {
    let mut claims = signed_claims();
    change(&mut claims);
    answer(
        userinfo_request(&client(false)).algorithms(&[JwsAlgorithm::Es256]),
        "application/jwt",
        &sign(es256_header(), &claims),
    )
}

mod userinfo {
    use super::*;

    #[test]
    fn the_bearer_request_and_a_json_answer() {
        let request = userinfo_request(&client(false));
        let http = request.request(&crate::CONTEXT).unwrap();
        insta::assert_snapshot!("userinfo_request_bearer", render(&http));
        assert_eq!(
            http.header("authorization"),
            Some(format!("Bearer {ACCESS_TOKEN}").as_str())
        );
        assert!(!format!("{http:?}").contains(ACCESS_TOKEN), "redacted");
        let userinfo = json_answer(json!({
            "sub": SUB,
            "name": "Jane Doe",
            "given_name": "Jane",
            "email": "janedoe@example.com",
            "email_verified": true,
            "phone_number_verified": false,
            "updated_at": 1_311_280_970,
            "address": {"country": "US"},
            "https://op.example/tenant": "t-1\u{202e}",
        }))
        .unwrap();
        assert_eq!(userinfo.subject(), SUB);
        assert!(!userinfo.is_signed());
        assert_eq!(userinfo.name(), Some("Jane Doe"));
        assert_eq!(userinfo.given_name(), Some("Jane"));
        assert_eq!(userinfo.email(), Some("janedoe@example.com"));
        assert_eq!(userinfo.email_verified(), Some(true));
        assert_eq!(userinfo.phone_number_verified(), Some(false));
        assert_eq!(
            userinfo.updated_at(),
            Some(UnixTime::from_secs(1_311_280_970))
        );
        assert!(userinfo.other().get("address").is_some());
        let debug = format!("{userinfo:?}");
        assert!(!debug.contains('\u{202e}'), "outside text escaped: {debug}");
        // The other way round, and absent: read as sent.
        let flipped = json_answer(json!({
            "sub": SUB, "email_verified": false, "phone_number_verified": true,
        }))
        .unwrap();
        assert_eq!(flipped.email_verified(), Some(false));
        assert_eq!(flipped.phone_number_verified(), Some(true));
        let bare = json_answer(json!({ "sub": SUB })).unwrap();
        assert_eq!(bare.email_verified(), None);
        assert_eq!(bare.phone_number_verified(), None);
    }

    /// A DPoP-bound grant (RFC 9449 §7.1): `Authorization: DPoP` and a
    /// proof of the `GET` with the token's hash.
    #[test]
    fn the_dpop_request() {
        let request = userinfo_request(&client(true));
        let http = request.request(&crate::CONTEXT).unwrap();
        insta::assert_snapshot!("userinfo_request_dpop", render(&http));
        assert_eq!(
            http.header("authorization"),
            Some(format!("DPoP {ACCESS_TOKEN}").as_str())
        );
        let (header, proof) = decode_jws(http.header("dpop").unwrap());
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(proof["htm"], "GET");
        assert_eq!(proof["htu"], USERINFO);
        assert!(proof["ath"].is_string());
        // Bearer is never sent for a bound token: a client without the key
        // cannot ask.
        let bound = signed_in(&client(true));
        assert_eq!(
            UserInfoRequest::new(&client(false), bound.authorized(), bound.id_token()).unwrap_err(),
            ResourceError::Misuse(ApiMisuse::DpopKeyMismatch)
        );
    }

    /// RFC 9449 §9: a `401` that asks for a nonce is followed once, with
    /// the nonce in the next proof.
    #[test]
    fn a_dpop_nonce_demand_is_followed_once() {
        let request = userinfo_request(&client(true));
        let demand = HttpResponse::new(401, b"")
            .with_www_authenticate(r#"DPoP error="use_dpop_nonce", algs="EdDSA ES256""#)
            .with_dpop_nonce("n-1");
        let failure = request.handle_response(demand, NOW).unwrap_err();
        assert!(failure.is_fallback());
        let again = failure.into_retry().unwrap();
        let (_, proof) = decode_jws(
            again
                .request(&crate::CONTEXT)
                .unwrap()
                .header("dpop")
                .unwrap(),
        );
        assert_eq!(proof["nonce"], "n-1");
        let demand = HttpResponse::new(401, b"")
            .with_www_authenticate(r#"DPoP error="use_dpop_nonce""#)
            .with_dpop_nonce("n-2");
        let failure = again.handle_response(demand, NOW).unwrap_err();
        assert_eq!(
            *failure.error(),
            EndpointErrorKind::UnexpectedStatus { status: 401 }
        );
        assert!(failure.into_retry().is_none(), "once only");
    }

    /// The body cap holds to the byte.
    #[test]
    fn an_answer_of_exactly_the_cap_is_read() {
        let limit = limits::MAX_RESPONSE_BODY_BYTES;
        let body = |len: usize| {
            let head = json!({"sub": SUB, "pad": ""}).to_string().len();
            json!({"sub": SUB, "pad": "a".repeat(len - head)}).to_string()
        };
        let read = |len| {
            answer(
                userinfo_request(&client(false)),
                "application/json",
                &body(len),
            )
        };
        assert_eq!(body(limit).len(), limit);
        assert!(read(limit).is_ok());
        assert_eq!(
            read(limit + 1).unwrap_err(),
            EndpointErrorKind::TooLarge { limit }
        );
    }

    /// Core §5.3.4: another user's claims are refused, in either form.
    #[test]
    fn another_sub_is_refused() {
        assert_eq!(
            json_answer(json!({"sub": "someone-else", "name": "Mallory"})).unwrap_err(),
            EndpointErrorKind::UserInfoRejected(JwtError::SubjectMismatch)
        );
        assert_eq!(
            signed_answer(|c| c["sub"] = json!("someone-else")).unwrap_err(),
            EndpointErrorKind::UserInfoRejected(JwtError::SubjectMismatch)
        );
    }

    /// Core §5.3.2: a signed answer is verified as an ID token, with `iss`
    /// and `aud`.
    #[test]
    fn a_signed_answer_and_each_refusal() {
        let userinfo = signed_answer(|_| {}).unwrap();
        assert!(userinfo.is_signed());
        assert_eq!(userinfo.name(), Some("Jane Doe"));
        let rejected = |error| EndpointErrorKind::UserInfoRejected(error);
        assert_eq!(
            signed_answer(|c| c["iss"] = json!("https://other.example")).unwrap_err(),
            rejected(JwtError::IssuerMismatch("https://other.example".into()))
        );
        assert_eq!(
            signed_answer(|c| {
                c.as_object_mut().unwrap().remove("iss");
            })
            .unwrap_err(),
            rejected(JwtError::MissingClaim("iss"))
        );
        assert_eq!(
            signed_answer(|c| c["aud"] = json!("another-client")).unwrap_err(),
            rejected(JwtError::AudienceMismatch)
        );
        assert_eq!(
            signed_answer(|c| {
                c.as_object_mut().unwrap().remove("aud");
            })
            .unwrap_err(),
            rejected(JwtError::MissingClaim("aud"))
        );
        assert!(matches!(
            signed_answer(|c| c["exp"] = json!(NOW.as_secs() - 120)),
            Err(EndpointErrorKind::UserInfoRejected(
                JwtError::Expired { .. }
            ))
        ));
        // `nbf` (RFC 7519 §4.1.5), to the second at the default skew's
        // edge, and well past it.
        assert!(signed_answer(|c| c["nbf"] = json!(NOW.as_secs() + 60)).is_ok());
        assert!(signed_answer(|c| c["nbf"] = json!(NOW.as_secs() - 600)).is_ok());
        for nbf in [NOW.as_secs() + 61, NOW.as_secs() + 3600] {
            assert_eq!(
                signed_answer(|c| c["nbf"] = json!(nbf)).unwrap_err(),
                rejected(JwtError::NotYetValid {
                    nbf: UnixTime::from_secs(nbf)
                })
            );
        }
        // The signature: altered claims, `alg: none`, an algorithm not
        // allowed.
        let request = || userinfo_request(&client(false)).algorithms(&[JwsAlgorithm::Es256]);
        let token = sign(es256_header(), &signed_claims());
        let (input, signature) = token.rsplit_once('.').unwrap();
        let (header, _) = input.split_once('.').unwrap();
        let mut other = signed_claims();
        other["name"] = json!("Mallory");
        let forged = format!(
            "{header}.{}.{signature}",
            Base64UrlUnpadded::encode_string(other.to_string().as_bytes())
        );
        assert_eq!(
            answer(request(), "application/jwt", &forged).unwrap_err(),
            rejected(JwtError::BadSignature)
        );
        let none = format!(
            "{}.{}.",
            Base64UrlUnpadded::encode_string(br#"{"alg":"none"}"#),
            Base64UrlUnpadded::encode_string(signed_claims().to_string().as_bytes())
        );
        assert_eq!(
            answer(request(), "application/jwt", &none).unwrap_err(),
            rejected(JwtError::Unsigned)
        );
        assert_eq!(
            answer(
                userinfo_request(&client(false)).algorithms(&[JwsAlgorithm::Rs256]),
                "application/jwt",
                &token
            )
            .unwrap_err(),
            rejected(JwtError::AlgorithmNotAllowed("ES256".into()))
        );
        // A client registered for signed answers refuses JSON.
        assert_eq!(
            answer(
                request().require_signed(),
                "application/json",
                &json!({"sub": SUB}).to_string()
            )
            .unwrap_err(),
            rejected(JwtError::Unsigned)
        );
    }

    #[test]
    fn a_bad_answer_is_a_typed_failure() {
        assert_eq!(
            json_answer(json!({"name": "no sub"})).unwrap_err(),
            EndpointErrorKind::MissingMember("sub")
        );
        assert_eq!(
            json_answer(json!({"sub": SUB, "email_verified": "yes"})).unwrap_err(),
            EndpointErrorKind::InvalidMember("email_verified")
        );
        assert_eq!(
            json_answer(json!([SUB])).unwrap_err(),
            EndpointErrorKind::NotAnObject
        );
        let request = || userinfo_request(&client(false));
        assert_eq!(
            answer(request(), "application/json", r#"{"sub":"a","sub":"b"}"#).unwrap_err(),
            EndpointErrorKind::DuplicateMember("sub".into())
        );
        assert_eq!(
            answer(request(), "application/json", "<html>").unwrap_err(),
            EndpointErrorKind::NotJson
        );
        assert_eq!(
            answer(request(), "text/html", r#"{"sub":"248289761001"}"#).unwrap_err(),
            EndpointErrorKind::NotJson
        );
        let unavailable = request()
            .handle_response(HttpResponse::new(503, b""), NOW)
            .unwrap_err();
        assert!(unavailable.error().is_retryable());
        assert!(unavailable.into_retry().is_some());
        let refused = request()
            .handle_response(
                HttpResponse::new(401, b"")
                    .with_www_authenticate(r#"Bearer error="invalid_token""#),
                NOW,
            )
            .unwrap_err();
        assert_eq!(
            *refused.error(),
            EndpointErrorKind::UnexpectedStatus { status: 401 }
        );
        assert!(refused.into_retry().is_none());
    }

    #[test]
    fn without_an_endpoint_it_is_misuse() {
        let client = client(false);
        let signed_in = signed_in(&client);
        let mut metadata = client.metadata().clone();
        metadata.userinfo_endpoint = None;
        let bare = Client::new(
            metadata,
            ClientId::new(CLIENT_ID).unwrap(),
            ClientAuthentication::None,
        )
        .unwrap();
        assert_eq!(
            UserInfoRequest::new(&bare, signed_in.authorized(), signed_in.id_token()).unwrap_err(),
            ResourceError::Misuse(ApiMisuse::NoEndpoint(errors::EndpointKind::UserInfo))
        );
    }
}

mod logout {
    use super::*;

    #[test]
    fn the_end_session_url() {
        let client = client(false);
        let signed_in = signed_in(&client);
        let request = EndSessionRequest::new(&client)
            .unwrap()
            .id_token_hint(signed_in.id_token())
            .post_logout_redirect_uri(RedirectUri::new("https://rp.example/bye").unwrap())
            .state("af0ifjsldkj")
            .ui_locales("fr en");
        let url = request.url();
        let id_token = signed_in.id_token().as_compact().to_owned();
        insta::assert_snapshot!("end_session_url", url.replace(&id_token, "<the ID token>"));
        let parsed = url::Url::parse(&url).unwrap();
        let param = |name: &str| {
            parsed
                .query_pairs()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.into_owned())
        };
        assert_eq!(
            param("tenant").as_deref(),
            Some("t1"),
            "the endpoint's own query kept"
        );
        assert_eq!(param("id_token_hint"), Some(id_token.clone()));
        assert_eq!(param("client_id").as_deref(), Some(CLIENT_ID));
        assert_eq!(
            param("post_logout_redirect_uri").as_deref(),
            Some("https://rp.example/bye")
        );
        assert_eq!(param("state").as_deref(), Some("af0ifjsldkj"));
        assert!(!format!("{request:?}").contains(&id_token), "redacted");

        let mut metadata = client.metadata().clone();
        metadata.end_session_endpoint = None;
        let bare = Client::new(
            metadata,
            ClientId::new(CLIENT_ID).unwrap(),
            ClientAuthentication::None,
        )
        .unwrap();
        assert_eq!(
            EndSessionRequest::new(&bare).unwrap_err(),
            ApiMisuse::NoEndpoint(errors::EndpointKind::EndSession)
        );
    }

    fn logout_claims() -> serde_json::Value {
        json!({
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": NOW.as_secs() - 5,
            "exp": NOW.as_secs() + 120,
            "jti": "bWJq",
            "sid": "08a5019c-17e1-4977-8f42-65a12843ea02",
            "sub": SUB,
            "events": { BACKCHANNEL_LOGOUT_EVENT: {} },
        })
    }

    fn logout_header() -> serde_json::Value {
        json!({"alg": "ES256", "kid": "k1", "typ": "logout+jwt"})
    }

    fn validate_with(
        header: serde_json::Value,
        change: impl FnOnce(&mut serde_json::Value),
    ) -> Result<LogoutToken, JwtError> {
        let mut claims = logout_claims();
        change(&mut claims);
        LogoutTokenValidation::new(ISSUER, CLIENT_ID)
            .algorithms(&[JwsAlgorithm::Es256])
            .validate(
                &sign(header, &claims),
                &key_set(&es256_set("k1"), None),
                &RustCryptoVerifier,
                NOW,
            )
    }

    fn validate(change: impl FnOnce(&mut serde_json::Value)) -> Result<LogoutToken, JwtError> {
        validate_with(logout_header(), change)
    }

    fn remove(name: &'static str) -> impl FnOnce(&mut serde_json::Value) {
        move |claims| {
            claims.as_object_mut().unwrap().remove(name);
        }
    }

    #[test]
    fn a_valid_logout_token() {
        let token = validate(|_| {}).unwrap();
        assert_eq!(token.issuer(), ISSUER);
        assert_eq!(token.jti(), "bWJq");
        assert_eq!(token.audiences(), [CLIENT_ID]);
        assert_eq!(token.subject(), Some(SUB));
        assert_eq!(
            token.session_id(),
            Some("08a5019c-17e1-4977-8f42-65a12843ea02")
        );
        assert!(token.expires_at() > token.issued_at());
        // `sub` or `sid` alone suffices; `typ` may be left out.
        assert_eq!(validate(remove("sid")).unwrap().session_id(), None);
        assert_eq!(validate(remove("sub")).unwrap().subject(), None);
        assert!(validate_with(es256_header(), |_| {}).is_ok());
    }

    /// Back-Channel Logout 1.0 §2.6: one refusal per rule.
    #[test]
    fn each_rule_of_section_2_6_refuses() {
        assert_eq!(
            validate(|c| c["nonce"] = json!("n-0S6_WzA2Mj")).unwrap_err(),
            JwtError::NonceForbidden
        );
        assert_eq!(
            validate(|c| c["iss"] = json!("https://other.example")).unwrap_err(),
            JwtError::IssuerMismatch("https://other.example".into())
        );
        assert_eq!(
            validate(|c| c["aud"] = json!("another-client")).unwrap_err(),
            JwtError::AudienceMismatch
        );
        assert_eq!(
            validate(|c| c["aud"] = json!([CLIENT_ID, "another-client"])).unwrap_err(),
            JwtError::AuthorizedPartyMismatch
        );
        assert!(matches!(
            validate(|c| c["iat"] = json!(NOW.as_secs() + 600)),
            Err(JwtError::IssuedInFuture { .. })
        ));
        // At the default skew's edge, to the second.
        assert!(validate(|c| c["iat"] = json!(NOW.as_secs() + 60)).is_ok());
        assert!(matches!(
            validate(|c| c["iat"] = json!(NOW.as_secs() + 61)),
            Err(JwtError::IssuedInFuture { .. })
        ));
        assert!(matches!(
            validate(|c| c["exp"] = json!(NOW.as_secs() - 120)),
            Err(JwtError::Expired { .. })
        ));
        for claim in ["iss", "aud", "iat", "exp", "jti", "events"] {
            assert_eq!(
                validate(remove(claim)).unwrap_err(),
                JwtError::MissingClaim(claim)
            );
        }
        assert_eq!(
            validate(|c| c["events"] = json!({"http://schemas.openid.net/event/other": {}}))
                .unwrap_err(),
            JwtError::NotALogoutEvent
        );
        assert_eq!(
            validate(|c| c["events"] = json!({ BACKCHANNEL_LOGOUT_EVENT: "yes" })).unwrap_err(),
            JwtError::NotALogoutEvent
        );
        assert_eq!(
            validate(|c| c["events"] = json!([BACKCHANNEL_LOGOUT_EVENT])).unwrap_err(),
            JwtError::InvalidClaim("events")
        );
        assert_eq!(
            validate(|c| {
                let c = c.as_object_mut().unwrap();
                c.remove("sub");
                c.remove("sid");
            })
            .unwrap_err(),
            JwtError::NoSubjectOrSession
        );
        assert_eq!(
            validate_with(json!({"alg": "ES256", "kid": "k1", "typ": "JWT"}), |_| {}).unwrap_err(),
            JwtError::WrongType("JWT".into())
        );
        // An ID token is not a logout token.
        assert_eq!(
            LogoutTokenValidation::new(ISSUER, CLIENT_ID)
                .algorithms(&[JwsAlgorithm::Es256])
                .validate(
                    &sign(es256_header(), &claims()),
                    &key_set(&es256_set("k1"), None),
                    &RustCryptoVerifier,
                    NOW
                )
                .unwrap_err(),
            JwtError::MissingClaim("jti")
        );
        // The signature comes first: a key the set lacks, an algorithm not
        // allowed.
        assert_eq!(
            validate_with(json!({"alg": "ES256", "kid": "k2"}), |_| {}).unwrap_err(),
            JwtError::UnknownKey(Some("k2".into()))
        );
        assert_eq!(
            LogoutTokenValidation::new(ISSUER, CLIENT_ID)
                .validate(
                    &sign(logout_header(), &logout_claims()),
                    &key_set(&es256_set("k1"), None),
                    &RustCryptoVerifier,
                    NOW
                )
                .unwrap_err(),
            JwtError::AlgorithmNotAllowed("ES256".into())
        );
    }

    /// §2.5: the token comes as the form parameter `logout_token`.
    #[test]
    fn the_back_channel_request_body() {
        let token = sign(logout_header(), &logout_claims());
        let validation =
            LogoutTokenValidation::new(ISSUER, CLIENT_ID).algorithms(&[JwsAlgorithm::Es256]);
        let keys = key_set(&es256_set("k1"), None);
        let read = |body: String| {
            validation.validate_request_body(body.as_bytes(), &keys, &RustCryptoVerifier, NOW)
        };
        assert_eq!(read(format!("logout_token={token}")).unwrap().jti(), "bWJq");
        assert_eq!(read(String::new()).unwrap_err(), JwtError::Malformed);
        assert_eq!(
            read(format!("logout_token={token}&logout_token={token}")).unwrap_err(),
            JwtError::Malformed
        );
    }
}

//! Mutual TLS (RFC 8705): the requests of a client that authenticates with
//! `tls_client_auth` or `self_signed_tls_client_auth`, or asks for
//! certificate-bound tokens — `client_id` in the body, no secret, no
//! `Authorization` header (§2), sent to the server's
//! `mtls_endpoint_aliases` (§5) and marked for the transport to present
//! the client certificate — and the certificate's thumbprint a resource
//! compares with `cnf.x5t#S256` (§3).

use oauth2_pkce::device::DeviceAuthorization;
use oauth2_pkce::errors::ConfigError;
use oauth2_pkce::resource::{CertificateThumbprint, IntrospectedToken, Introspection};
use oauth2_pkce::values::{
    HttpRequest, HttpResponse, MtlsEndpointAliases, RequiresClientCertificate, TokenTypeHint,
};
use oauth2_pkce::*;

use crate::rendering::{render, render_http};

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const CLIENT_ID: &str = "mtls-client";

/// RFC 8705 §5's example: plain endpoints on `server.example.com`, their
/// aliases on `mtls.example.com`; the device authorization endpoint has
/// none, so it stays plain.
fn metadata() -> ServerMetadata {
    let mut metadata = ServerMetadata::new(
        "https://server.example.com",
        "https://server.example.com/authz",
        "https://server.example.com/token",
    )
    .with_revocation_endpoint("https://server.example.com/revo")
    .with_introspection_endpoint("https://server.example.com/introspect")
    .with_device_authorization_endpoint("https://server.example.com/device")
    .with_token_endpoint_auth_methods_supported([
        "tls_client_auth",
        "self_signed_tls_client_auth",
        "client_secret_basic",
    ]);
    metadata.pushed_authorization_request_endpoint = Some("https://server.example.com/par".into());
    let mut aliases = MtlsEndpointAliases::default();
    aliases.token_endpoint = Some("https://mtls.example.com/token".into());
    aliases.revocation_endpoint = Some("https://mtls.example.com/revo".into());
    aliases.introspection_endpoint = Some("https://mtls.example.com/introspect".into());
    aliases.pushed_authorization_request_endpoint = Some("https://mtls.example.com/par".into());
    metadata.mtls_endpoint_aliases = Some(aliases);
    metadata.tls_client_certificate_bound_access_tokens = true;
    metadata
}

fn client(authentication: ClientAuthentication) -> Client {
    Client::new(
        metadata(),
        ClientId::new(CLIENT_ID).unwrap(),
        authentication,
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://app.example/cb").unwrap())
}

/// The rendered request with the transport's marker: what a snapshot shows.
fn shown(request: &HttpRequest) -> String {
    let marked = request
        .clone()
        .into_http()
        .extensions()
        .get::<RequiresClientCertificate>()
        .is_some();
    assert_eq!(marked, request.requires_client_certificate());
    assert_eq!(render_http(&request.clone().into_http()), render(request));
    format!("{}\n\n[client certificate: {marked}]", render(request))
}

fn form(request: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.body())
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

/// RFC 8705 §2: `client_id` in the body, and no other credential.
fn assert_mtls_shape(request: &HttpRequest, uri: &str) {
    assert_eq!(request.uri(), uri);
    assert!(request.requires_client_certificate());
    assert_eq!(request.header("authorization"), None);
    let body = form(request);
    assert!(
        body.contains(&("client_id".into(), CLIENT_ID.into())),
        "{body:?}"
    );
    for secret in ["client_secret", "client_assertion", "client_assertion_type"] {
        assert!(!body.iter().any(|(name, _)| name == secret), "{body:?}");
    }
}

fn authorized(client: &Client) -> Authorized {
    let (_, pending) = Start::new(client)
        .begin(FlowEntropy::from_bytes([9; 64]), NOW)
        .unwrap();
    let query = format!("code=c0de&state={}", pending.state().secret());
    let exchanging = pending
        .handle_callback(client, Callback::from_query(&query).unwrap())
        .unwrap();
    let request = exchanging.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("mtls_code_exchange_tls_client_auth", shown(&request));
    assert_mtls_shape(&request, "https://mtls.example.com/token");
    let body = br#"{"access_token":"at","token_type":"Bearer","refresh_token":"rt"}"#;
    exchanging
        .handle_response(
            HttpResponse::new(200, body).with_content_type("application/json"),
            NOW,
        )
        .unwrap()
}

#[test]
fn every_step_goes_to_the_alias_with_the_certificate() {
    let client = client(ClientAuthentication::TlsClientAuth);
    assert!(client.uses_mutual_tls());
    let authorized = authorized(&client);

    let refresh = authorized.refresh(&client).unwrap();
    let request = refresh.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("mtls_refresh_tls_client_auth", shown(&request));
    assert_mtls_shape(&request, "https://mtls.example.com/token");

    let revocation = authorized
        .revoke(&client, TokenTypeHint::RefreshToken)
        .unwrap();
    let request = revocation.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("mtls_revocation_tls_client_auth", shown(&request));
    assert_mtls_shape(&request, "https://mtls.example.com/revo");

    let introspection = Introspection::new(&client, IntrospectedToken::new("at")).unwrap();
    let request = introspection.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("mtls_introspection_tls_client_auth", shown(&request));
    assert_mtls_shape(&request, "https://mtls.example.com/introspect");

    let grant = ClientCredentials::new(&client, Scope::parse("api").unwrap()).unwrap();
    let request = grant.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("mtls_client_credentials_tls_client_auth", shown(&request));
    assert_mtls_shape(&request, "https://mtls.example.com/token");

    let pushing = Start::new(&client)
        .push(FlowEntropy::from_bytes([7; 64]), NOW)
        .unwrap();
    let request = pushing.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!("mtls_pushed_authorization_tls_client_auth", shown(&request));
    assert_mtls_shape(&request, "https://mtls.example.com/par");
}

/// RFC 8705 §5: an endpoint without an alias is used as it is, still with
/// the certificate.
#[test]
fn an_endpoint_without_an_alias_stays_plain() {
    let client = client(ClientAuthentication::SelfSignedTlsClientAuth);
    let step = DeviceAuthorization::new(&client, Scope::parse("openid").unwrap()).unwrap();
    let request = step.request(&crate::CONTEXT).unwrap();
    insta::assert_snapshot!(
        "mtls_device_authorization_self_signed_tls_client_auth",
        shown(&request)
    );
    assert_mtls_shape(&request, "https://server.example.com/device");

    // No `mtls_endpoint_aliases` at all: every plain endpoint.
    let mut bare = metadata();
    bare.mtls_endpoint_aliases = None;
    let client = Client::new(
        bare,
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::TlsClientAuth,
    )
    .unwrap();
    let request = ClientCredentials::new(&client, Scope::empty())
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    assert_mtls_shape(&request, "https://server.example.com/token");
}

/// §3, §4: a client with a secret that asks for certificate-bound tokens
/// sends its secret as ever, to the alias, with the certificate; without
/// asking, nothing changes.
#[test]
fn certificate_bound_tokens_route_a_secret_client_to_the_aliases() {
    let basic = ClientAuthentication::ClientSecretBasic(ClientSecret::new("s3cret"));
    let plain = client(basic.clone());
    assert!(!plain.uses_mutual_tls());
    let request = ClientCredentials::new(&plain, Scope::empty())
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    assert_eq!(request.uri(), "https://server.example.com/token");
    assert!(!request.requires_client_certificate());
    assert!(request
        .into_http()
        .extensions()
        .get::<RequiresClientCertificate>()
        .is_none());

    let bound = client(basic).with_certificate_bound_access_tokens();
    assert!(bound.uses_mutual_tls());
    let request = ClientCredentials::new(&bound, Scope::empty())
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    insta::assert_snapshot!(
        "mtls_client_credentials_bound_client_secret_basic",
        shown(&request)
    );
    assert_eq!(request.uri(), "https://mtls.example.com/token");
    assert!(request.requires_client_certificate());
    assert!(request
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
}

#[test]
fn the_server_must_list_the_method() {
    for method in [
        ClientAuthentication::TlsClientAuth,
        ClientAuthentication::SelfSignedTlsClientAuth,
    ] {
        let name = method.method_name();
        assert!(method.is_mutual_tls());
        for listed in [None, Some(vec!["client_secret_basic".to_string()])] {
            let mut metadata = metadata();
            metadata.token_endpoint_auth_methods_supported = listed;
            assert_eq!(
                Client::new(metadata, ClientId::new(CLIENT_ID).unwrap(), method.clone())
                    .unwrap_err(),
                ConfigError::AuthenticationMethodNotSupported { method: name }
            );
        }
    }
    assert_eq!(
        ClientAuthentication::TlsClientAuth.method_name(),
        "tls_client_auth"
    );
    assert_eq!(
        ClientAuthentication::SelfSignedTlsClientAuth.method_name(),
        "self_signed_tls_client_auth"
    );
}

/// Each alias is an endpoint, and `https` only: mutual TLS needs TLS,
/// even on loopback.
#[test]
fn an_alias_must_be_https() {
    for (alias, problem) in [
        ("http://mtls.example.com/token", "NotHttps"),
        ("http://127.0.0.1:8443/token", "UnsupportedScheme"),
        ("https://mtls.example.com/token#x", "HasFragment"),
        ("mtls.example.com/token", "NotAbsoluteUrl"),
        ("https://user:pw@mtls.example.com/token", "HasUserinfo"),
    ] {
        let mut metadata = metadata();
        let mut aliases = MtlsEndpointAliases::default();
        aliases.token_endpoint = Some(alias.into());
        metadata.mtls_endpoint_aliases = Some(aliases);
        let error = Client::new(
            metadata,
            ClientId::new(CLIENT_ID).unwrap(),
            ClientAuthentication::TlsClientAuth,
        )
        .unwrap_err();
        let ConfigError::InvalidEndpoint {
            member,
            problem: found,
        } = error
        else {
            panic!("{alias}: {error:?}");
        };
        assert_eq!(member, "mtls_endpoint_aliases.token_endpoint", "{alias}");
        assert_eq!(format!("{found:?}"), problem, "{alias}");
    }
    // An https alias on loopback is fine.
    let mut metadata = metadata();
    let mut aliases = MtlsEndpointAliases::default();
    aliases.token_endpoint = Some("https://127.0.0.1:8443/token".into());
    metadata.mtls_endpoint_aliases = Some(aliases);
    let client = Client::new(
        metadata,
        ClientId::new(CLIENT_ID).unwrap(),
        ClientAuthentication::TlsClientAuth,
    )
    .unwrap();
    let request = ClientCredentials::new(&client, Scope::empty())
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    assert_eq!(request.uri(), "https://127.0.0.1:8443/token");
}

/// §3.1, §3.2: the thumbprint of a certificate, compared with the token's
/// `cnf.x5t#S256` from introspection.
#[test]
fn introspection_shows_the_certificate_binding() {
    let der = b"\x30\x03\x02\x01\x01";
    let thumbprint = CertificateThumbprint::of_der(der);
    let body = format!(
        r#"{{"active":true,"client_id":"{CLIENT_ID}","cnf":{{"x5t#S256":"{}"}}}}"#,
        thumbprint.as_str()
    );
    let client = client(ClientAuthentication::TlsClientAuth);
    let step = Introspection::new(&client, IntrospectedToken::new("at")).unwrap();
    let answer = step
        .handle_response(
            HttpResponse::new(200, body.as_bytes()).with_content_type("application/json"),
            NOW,
        )
        .unwrap();
    assert_eq!(answer.cnf_x5t_s256(), Some(thumbprint.as_str()));
    assert_eq!(answer.cnf_jkt(), None);
    assert!(answer.is_bound_to(&thumbprint));
    assert!(!answer.is_bound_to(&CertificateThumbprint::of_der(b"\x30\x00")));
}

/// RFC 9449 §4.2 with RFC 8705 §5: a DPoP proof's `htu` is the URI the
/// request goes to, the alias.
#[test]
fn a_dpop_proof_names_the_alias() {
    let client = client(ClientAuthentication::TlsClientAuth)
        .with_dpop(crate::dpop::key())
        .unwrap();
    let request = ClientCredentials::new(&client, Scope::empty())
        .unwrap()
        .request(&crate::CONTEXT)
        .unwrap();
    assert_mtls_shape(&request, "https://mtls.example.com/token");
    let (_, claims) = crate::rendering::decode_jws(request.header("dpop").unwrap());
    assert_eq!(claims["htu"], "https://mtls.example.com/token");
    assert_eq!(claims["htm"], "POST");
}

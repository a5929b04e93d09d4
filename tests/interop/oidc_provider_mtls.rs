//! Interop: mutual TLS (RFC 8705) against oidc-provider on 127.0.0.1,
//! over real TLS. The test makes a certificate authority, a server
//! certificate for `127.0.0.1`, a client certificate of that authority
//! (subject `O=oauth2-pkce,CN=mtls-client`) and a self-signed one with the
//! `openssl` command; `server.mjs` (with `MTLS_DIR`) serves its routes on
//! a second, HTTPS, listener too and names it in `mtls_endpoint_aliases`.
//!
//! The transport here is what an adapter does with the crate's marker: a
//! request that carries [`RequiresClientCertificate`] goes over a ureq
//! agent (rustls) that presents the client certificate and trusts the
//! test's authority; any other request over the plain agent; and one
//! that asks for a certificate it has none for is refused before it is
//! sent.
//!
//! How oidc-provider behaves: `tls_client_auth` checks that Node's TLS
//! verified the certificate against the authority and that its subject is
//! the registered `tls_client_auth_subject_dn`; `self_signed_tls_client_auth`
//! matches the certificate with the `x5c` of the client's `jwks`. Both
//! clients are registered with `tls_client_certificate_bound_access_tokens`,
//! so every access token carries `cnf.x5t#S256`, which introspection shows.
//! A token request without a certificate is `invalid_client`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use crate::interop_node_common;

use interop_node_common::support::{run, target_dir, unique_name};
use interop_node_common::{OidcProvider, OpClient, NOW};
use oauth2_pkce::errors::{EndpointErrorKind, TokenErrorCode};
use oauth2_pkce::resource::{CertificateThumbprint, IntrospectedToken, Introspection};
use oauth2_pkce::values::{RequiresClientCertificate, TokenTypeHint};
use oauth2_pkce::{
    Client, ClientAuthentication, ClientCredentials, Driver, EndpointStep, RequestBody, Scope,
    Transport, UnixTime,
};
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig, TlsProvider};

/// The PEM files of one test process, made once by [`certificates`].
struct Certificates {
    dir: PathBuf,
}

impl Certificates {
    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).unwrap()
    }

    /// The DER form of the certificate in `name`.
    fn der(&self, name: &str) -> Vec<u8> {
        Certificate::from_pem(&self.read(name))
            .unwrap()
            .der()
            .to_vec()
    }
}

/// Makes the authority, the server's certificate and the two client
/// certificates (EC P-256, two days) with `openssl`, once per process.
fn certificates() -> &'static Certificates {
    static MADE: OnceLock<Result<Certificates, String>> = OnceLock::new();
    match MADE.get_or_init(make_certificates) {
        Ok(certificates) => certificates,
        Err(why) => panic!("{why}"),
    }
}

fn make_certificates() -> Result<Certificates, String> {
    let dir = target_dir("interop-mtls").join(unique_name("certs"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write(
        "server.ext",
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )?;
    write(
        "client.ext",
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=clientAuth\n",
    )?;
    const KEY: &[&str] = &[
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let openssl = |args: &[&str]| {
        run(
            Command::new("openssl").args(args).current_dir(&dir),
            "make a test certificate with openssl (is the openssl command installed?)",
        )
    };
    let self_signed = |key: &str, cert: &str, subject: &str, extensions: &[&str]| {
        let mut args = vec!["req", "-x509"];
        args.extend_from_slice(KEY);
        args.extend_from_slice(&["-keyout", key, "-out", cert, "-days", "2", "-subj", subject]);
        for extension in extensions {
            args.extend_from_slice(&["-addext", extension]);
        }
        openssl(&args)
    };
    let issued = |name: &str, subject: &str, extensions: &str| {
        let (key, csr, cert) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        let mut args = vec!["req", "-new"];
        args.extend_from_slice(KEY);
        args.extend_from_slice(&["-keyout", &key, "-out", &csr, "-subj", subject]);
        openssl(&args)?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &cert,
            "-extfile",
            extensions,
        ])
    };
    self_signed(
        "ca.key",
        "ca.pem",
        "/CN=oauth2-pkce interop CA",
        &[
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    )?;
    issued("server", "/CN=127.0.0.1", "server.ext")?;
    issued("client", "/CN=mtls-client/O=oauth2-pkce", "client.ext")?;
    self_signed(
        "self.key",
        "self.pem",
        "/CN=mtls-self-signed-client",
        &[
            "basicConstraints=critical,CA:FALSE",
            "extendedKeyUsage=clientAuth",
        ],
    )?;
    Ok(Certificates { dir })
}

/// oidc-provider with its HTTPS listener and the two mTLS clients.
fn server() -> OidcProvider {
    let dir = certificates().dir.to_str().unwrap().to_owned();
    OidcProvider::start_with(&[("MTLS_DIR", &dir)])
}

/// A transport as an adapter would be: requests marked
/// [`RequiresClientCertificate`] go over the agent that presents the
/// client certificate (rustls, trusting the test's authority); the rest
/// over the plain agent. A marked request with no certificate to present
/// is refused, never sent without one.
struct MtlsTransport {
    plain: ureq::Agent,
    mtls: Option<ureq::Agent>,
}

#[derive(Debug)]
enum MtlsTransportError {
    NoClientCertificate,
    Ureq(ureq::Error),
}

impl std::fmt::Display for MtlsTransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoClientCertificate => {
                f.write_str("the request needs a client certificate and there is none")
            }
            Self::Ureq(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for MtlsTransportError {}

impl MtlsTransport {
    /// Presents the certificate and key of `name` (`client`, `self`), or
    /// none.
    fn new(name: Option<&str>) -> Self {
        Self {
            plain: agent(None),
            mtls: Some(agent(name)),
        }
    }

    fn without_certificate() -> Self {
        Self {
            plain: agent(None),
            mtls: None,
        }
    }
}

/// A ureq agent over rustls that trusts the test's authority and, when
/// `name` is given, presents that certificate and key; redirects not
/// followed, every status an answer.
fn agent(name: Option<&str>) -> ureq::Agent {
    let certificates = certificates();
    let authority = Certificate::from_pem(&certificates.read("ca.pem")).unwrap();
    let mut tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::Specific(Arc::new(vec![authority])));
    if let Some(name) = name {
        let chain = Certificate::from_pem(&certificates.read(&format!("{name}.pem"))).unwrap();
        let key = PrivateKey::from_pem(&certificates.read(&format!("{name}.key"))).unwrap();
        tls = tls.client_cert(Some(ClientCert::new_with_certs(&[chain], key)));
    }
    ureq::Agent::config_builder()
        .tls_config(tls.build())
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

impl Transport for MtlsTransport {
    type Error = MtlsTransportError;

    fn send(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Response<Vec<u8>>, MtlsTransportError> {
        let agent = if request
            .extensions()
            .get::<RequiresClientCertificate>()
            .is_some()
        {
            self.mtls
                .as_ref()
                .ok_or(MtlsTransportError::NoClientCertificate)?
        } else {
            &self.plain
        };
        let response = agent
            .run(request.map(RequestBody::into_bytes))
            .map_err(MtlsTransportError::Ureq)?;
        let (parts, mut body) = response.into_parts();
        let bytes = body.read_to_vec().map_err(MtlsTransportError::Ureq)?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

fn mtls_client(server: &OidcProvider, which: OpClient) -> Client {
    let client = server.client(which);
    assert!(client.uses_mutual_tls());
    client
}

/// The token the client credentials grant issues to `client`, over
/// `transport`, and what introspection says of it, introspected by the
/// same client (itself over mutual TLS).
fn bound_token(
    client: &Client,
    transport: MtlsTransport,
) -> oauth2_pkce::resource::IntrospectionResponse {
    let driver = Driver::new(transport).unwrap();
    let grant = ClientCredentials::new(client, Scope::empty()).unwrap();
    let request = grant.request(&crate::context()).unwrap();
    let alias = client
        .metadata()
        .mtls_endpoint_aliases
        .as_ref()
        .and_then(|aliases| aliases.token_endpoint.clone())
        .unwrap();
    assert!(alias.starts_with("https://127.0.0.1:"), "{alias}");
    assert_eq!(request.uri(), alias);
    assert!(request.requires_client_certificate());
    let authorized = driver.run(grant).unwrap();
    let token = authorized.tokens().access_token().secret().to_owned();
    let introspection = Introspection::new(client, IntrospectedToken::new(&token))
        .unwrap()
        .token_type_hint(TokenTypeHint::AccessToken);
    let answer = driver.run(introspection).unwrap();
    assert!(answer.is_active_at(UnixTime::now()));
    assert_eq!(answer.client_id(), Some(client.client_id().as_str()));
    answer
}

/// RFC 8705 §2.1, §3: `tls_client_auth` at the alias, and the token
/// bound to the certificate presented.
#[test]
fn tls_client_auth_gets_a_certificate_bound_token() {
    let server = server();
    let client = mtls_client(&server, OpClient::Mtls);
    assert_eq!(
        client.authentication(),
        &ClientAuthentication::TlsClientAuth
    );
    let answer = bound_token(&client, MtlsTransport::new(Some("client")));
    let thumbprint = CertificateThumbprint::of_der(&certificates().der("client.pem"));
    assert_eq!(answer.cnf_x5t_s256(), Some(thumbprint.as_str()));
    assert!(answer.is_bound_to(&thumbprint));
    assert!(!answer.is_bound_to(&CertificateThumbprint::of_der(
        &certificates().der("self.pem")
    )));
    assert!(
        server.log_contains("POST /token 200")
            && server.log_contains("POST /token/introspection 200"),
        "{}",
        server.log()
    );
}

/// RFC 8705 §2.2: `self_signed_tls_client_auth`, the certificate matched
/// with the registered `jwks`.
#[test]
fn self_signed_tls_client_auth_gets_a_certificate_bound_token() {
    let server = server();
    let client = mtls_client(&server, OpClient::MtlsSelfSigned);
    let answer = bound_token(&client, MtlsTransport::new(Some("self")));
    let thumbprint = CertificateThumbprint::of_der(&certificates().der("self.pem"));
    assert!(answer.is_bound_to(&thumbprint), "{answer:?}");
}

/// A certificate the server cannot tie to the client, and none at all:
/// `invalid_client`, whatever the method.
#[test]
fn without_the_right_certificate_the_client_is_not_authenticated() {
    let server = server();
    for (which, presented) in [
        (OpClient::Mtls, None),
        (OpClient::Mtls, Some("self")),
        (OpClient::MtlsSelfSigned, None),
        (OpClient::MtlsSelfSigned, Some("client")),
    ] {
        let client = mtls_client(&server, which);
        let grant = ClientCredentials::new(&client, Scope::empty()).unwrap();
        let request = grant.request(&crate::context()).unwrap().into_http();
        let transport = MtlsTransport {
            plain: agent(None),
            mtls: Some(agent(presented)),
        };
        let response = transport.send(request).unwrap();
        assert_eq!(
            response.status(),
            401,
            "{which:?} {presented:?}: {}",
            server.log()
        );
        let failure = grant.handle_response(&response, NOW).unwrap_err();
        let EndpointErrorKind::ErrorResponse(error) = failure.error().kind() else {
            panic!("{which:?}: {failure:?}");
        };
        assert_eq!(error.error(), &TokenErrorCode::InvalidClient, "{which:?}");
    }
    assert!(
        server.log_contains("client certificate was not provided"),
        "{}",
        server.log()
    );
}

/// A transport with no certificate refuses a marked request rather than
/// send it without one; the server never sees it.
#[test]
fn a_transport_without_a_certificate_refuses_the_request() {
    let server = server();
    let client = mtls_client(&server, OpClient::Mtls);
    let driver = Driver::new(MtlsTransport::without_certificate()).unwrap();
    let error = driver
        .run(ClientCredentials::new(&client, Scope::empty()).unwrap())
        .unwrap_err();
    assert!(
        format!("{error}").contains("needs a client certificate"),
        "{error}"
    );
    assert!(!server.log_contains("POST /token"), "{}", server.log());
}

/// RFC 8705 §5: the aliases the discovery document names, https on the
/// second listener; the plain endpoints stay for every other client.
#[test]
fn discovery_names_the_aliases() {
    let server = server();
    let metadata = server.metadata();
    assert!(metadata.tls_client_certificate_bound_access_tokens);
    let aliases = metadata.mtls_endpoint_aliases.clone().unwrap();
    for alias in [
        &aliases.token_endpoint,
        &aliases.revocation_endpoint,
        &aliases.introspection_endpoint,
        &aliases.pushed_authorization_request_endpoint,
        &aliases.device_authorization_endpoint,
        &aliases.userinfo_endpoint,
    ] {
        let alias = alias.as_deref().unwrap();
        assert!(alias.starts_with("https://127.0.0.1:"), "{alias}");
        assert!(!alias.starts_with(server.issuer()), "{alias}");
    }
    let methods = metadata
        .token_endpoint_auth_methods_supported
        .clone()
        .unwrap();
    assert!(methods.iter().any(|m| m == "tls_client_auth"));
    assert!(methods.iter().any(|m| m == "self_signed_tls_client_auth"));
    // A client with a secret keeps the plain token endpoint.
    let basic = server.client(OpClient::Basic);
    assert!(!basic.uses_mutual_tls());
    let request = ClientCredentials::new(&basic, Scope::empty())
        .unwrap()
        .request(&crate::context())
        .unwrap();
    assert_eq!(request.uri(), metadata.token_endpoint);
    assert!(!request.requires_client_certificate());
}

/// The whole lifecycle of a login with `tls_client_auth`: the pushed
/// authorization request, the code exchange, the refresh (oidc-provider
/// checks that the refresh presents the certificate the grant is bound
/// to) and the revocation, each at its alias with the certificate.
#[test]
fn a_login_pushes_exchanges_refreshes_and_revokes_over_mutual_tls() {
    let server = server();
    let client = mtls_client(&server, OpClient::Mtls);
    let driver = Driver::new(MtlsTransport::new(Some("client"))).unwrap();
    let pushing = oauth2_pkce::Start::new(&client)
        .scope(Scope::parse("openid").unwrap())
        .push(oauth2_pkce::FlowEntropy::from_os_rng().unwrap(), NOW)
        .unwrap();
    let (authorization, pending) = driver.run(pushing).unwrap();
    let callback =
        oauth2_pkce::Callback::from_url(&server.browser_log_in(authorization.url())).unwrap();
    let exchanging = pending.handle_callback(&client, callback).unwrap();
    let authorized = driver.run(exchanging).unwrap();
    assert!(authorized.tokens().refresh_token().is_some());
    let refreshed = driver.run(authorized.refresh(&client).unwrap()).unwrap();
    driver
        .run(
            refreshed
                .revoke(&client, TokenTypeHint::RefreshToken)
                .unwrap(),
        )
        .unwrap();
    for line in [
        "POST /request 201",
        "POST /token 200",
        "POST /token/revocation 200",
    ] {
        assert!(server.log_contains(line), "{line}: {}", server.log());
    }
}

/// OpenID Connect with `self_signed_tls_client_auth`: the code exchange of
/// a sign-in at the token alias, and UserInfo at its alias with the
/// certificate the access token is bound to (oidc-provider refuses a
/// bound token whose certificate is not presented).
#[test]
fn a_sign_in_and_userinfo_over_mutual_tls() {
    use oauth2_pkce::jose::RustCryptoVerifier;
    use oauth2_pkce::openid::{KeySetFetch, UserInfoRequest};

    let server = server();
    let client = mtls_client(&server, OpClient::MtlsSelfSigned);
    let driver = Driver::new(MtlsTransport::new(Some("self"))).unwrap();
    let now = UnixTime::now();
    let keys = driver.run(KeySetFetch::new(&client).unwrap()).unwrap();
    let start = oauth2_pkce::Start::new(&client).scope(Scope::parse("openid profile").unwrap());
    let (pending, callback_url) =
        interop_node_common::support::log_in(start, |url| server.browser_log_in(url));
    let callback = oauth2_pkce::Callback::from_url(&callback_url).unwrap();
    let signing_in = pending
        .handle_callback(&client, callback)
        .unwrap()
        .sign_in();
    let signed_in = driver
        .run(signing_in)
        .unwrap()
        .verify(&keys, &RustCryptoVerifier, now)
        .unwrap();
    let request =
        UserInfoRequest::new(&client, signed_in.authorized(), signed_in.id_token()).unwrap();
    let sent = request.request(&crate::context()).unwrap();
    let alias = client
        .metadata()
        .mtls_endpoint_aliases
        .as_ref()
        .and_then(|aliases| aliases.userinfo_endpoint.clone())
        .unwrap();
    assert_eq!(sent.uri(), alias);
    assert!(sent.requires_client_certificate());
    let userinfo = driver
        .run(request)
        .unwrap()
        .verify(&keys, &RustCryptoVerifier, UnixTime::now())
        .unwrap();
    assert_eq!(userinfo.subject(), interop_node_common::TEST_USER);
    assert!(server.log_contains("GET /me 200"), "{}", server.log());
}

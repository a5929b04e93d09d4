//! Mutual TLS (RFC 8705) through `UreqTransport` over real TLS on
//! 127.0.0.1: the test makes a certificate authority, a server
//! certificate for `127.0.0.1` and a client certificate of that authority
//! with the `openssl` command, and serves one HTTPS token endpoint (rustls
//! on ring, as ureq's rustls) that requires a client certificate of the
//! authority. A `tls_client_auth` client's client credentials grant goes
//! to the server's `mtls_endpoint_aliases.token_endpoint`, over the agent
//! given to `with_client_certificate`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use oauth2_pkce::errors::DriveError;
use oauth2_pkce::resource::CertificateThumbprint;
use oauth2_pkce::values::MtlsEndpointAliases;
use oauth2_pkce::{
    Client, ClientAuthentication, ClientCredentials, ClientId, Driver, Scope, ServerMetadata,
};
use oauth2_pkce_ureq::{UreqError, UreqTransport};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection};
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig, TlsProvider};

const TOKEN_RESPONSE: &str =
    r#"{"access_token":"mtls-access-token","token_type":"Bearer","expires_in":3600}"#;

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
        CertificateDer::from_pem_slice(&self.read(name))
            .unwrap()
            .to_vec()
    }
}

/// The authority, the server's certificate and the client's (EC P-256,
/// two days), made with `openssl` once per process.
fn certificates() -> &'static Certificates {
    static MADE: OnceLock<Certificates> = OnceLock::new();
    MADE.get_or_init(make_certificates)
}

fn make_certificates() -> Certificates {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ureq-mtls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("client.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("the openssl command makes the test certificates: is it installed?");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    const KEY: [&str; 5] = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut authority = vec!["req", "-x509"];
    authority.extend(KEY);
    authority.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=oauth2-pkce-ureq test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(&authority);
    for (name, subject) in [
        ("server", "/CN=127.0.0.1"),
        ("client", "/CN=mtls-client/O=oauth2-pkce"),
    ] {
        let (key, csr, cert, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.ext"),
        );
        let mut request = vec!["req", "-new"];
        request.extend(KEY);
        request.extend(["-keyout", &key, "-out", &csr, "-subj", subject]);
        openssl(&request);
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
            &ext,
        ]);
    }
    Certificates { dir }
}

/// What the server saw of the one request it served.
#[derive(Debug)]
struct Seen {
    /// The DER of the certificate the client presented.
    client_certificate: Vec<u8>,
    request_line: String,
    /// Header lines, lowercased.
    headers: Vec<String>,
    body: String,
}

/// An HTTPS server on a free loopback port that requires a client
/// certificate of the test's authority (rustls' `WebPkiClientVerifier`,
/// on ring, the provider ureq's rustls uses), serves one connection and
/// answers a token response. Joining it gives what it saw, or why the
/// handshake or the request failed.
struct OneShotServer {
    port: u16,
    thread: JoinHandle<Result<Seen, String>>,
}

impl OneShotServer {
    fn start() -> Self {
        let certificates = certificates();
        // ring, the provider ureq's rustls uses, so that no second one is
        // built. Deprecated in rustls 0.23.48 only for its lack of
        // post-quantum key exchange, which this test does not need.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from(certificates.der("ca.pem")))
            .unwrap();
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .unwrap();
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from(certificates.der("server.pem"))],
                PrivateKeyDer::from_pem_slice(&certificates.read("server.key")).unwrap(),
            )
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let thread = std::thread::spawn(move || {
            let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
            serve(Arc::new(config), tcp)
        });
        Self { port, thread }
    }

    fn origin(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    fn join(self) -> Result<Seen, String> {
        self.thread.join().unwrap()
    }
}

fn serve(config: Arc<ServerConfig>, mut tcp: TcpStream) -> Result<Seen, String> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut connection = ServerConnection::new(config).map_err(|e| e.to_string())?;
    while connection.is_handshaking() {
        connection
            .complete_io(&mut tcp)
            .map_err(|e| format!("handshake: {e}"))?;
    }
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let mut reader = BufReader::new(&mut tls);
    let mut request_line = String::new();
    reader
        .read_line(&mut request_line)
        .map_err(|e| format!("request line: {e}"))?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let line = line.trim_end().to_ascii_lowercase();
        if line.is_empty() {
            break;
        }
        headers.push(line);
    }
    let length: usize = headers
        .iter()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(Ok(0), |value| value.trim().parse())
        .map_err(|e| format!("content-length: {e}"))?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncache-control: no-store\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{TOKEN_RESPONSE}",
        TOKEN_RESPONSE.len()
    );
    tls.write_all(answer.as_bytes())
        .map_err(|e| e.to_string())?;
    let client_certificate = tls
        .conn
        .peer_certificates()
        .and_then(|chain| chain.first())
        .ok_or("no client certificate")?
        .to_vec();
    tls.conn.send_close_notify();
    tls.flush().map_err(|e| e.to_string())?;
    Ok(Seen {
        client_certificate,
        request_line: request_line.trim_end().to_owned(),
        headers,
        body: String::from_utf8(body).map_err(|e| e.to_string())?,
    })
}

/// A ureq agent over rustls that trusts the test's authority and, with
/// `present_certificate`, presents the client certificate and key.
fn agent(present_certificate: bool) -> ureq::Agent {
    let certificates = certificates();
    let authority = Certificate::from_pem(&certificates.read("ca.pem")).unwrap();
    let mut tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::Specific(Arc::new(vec![authority])));
    if present_certificate {
        let chain = Certificate::from_pem(&certificates.read("client.pem")).unwrap();
        let key = PrivateKey::from_pem(&certificates.read("client.key")).unwrap();
        tls = tls.client_cert(Some(ClientCert::new_with_certs(&[chain], key)));
    }
    ureq::Agent::config_builder()
        .tls_config(tls.build())
        .build()
        .into()
}

/// A `tls_client_auth` client (RFC 8705 §2.1) of a server at `origin`
/// whose plain token endpoint is `/token` and whose mutual-TLS alias
/// (§5) is `/mtls/token`.
fn mtls_client(origin: &str) -> Client {
    let mut metadata = ServerMetadata::new(
        origin,
        format!("{origin}/authorize"),
        format!("{origin}/token"),
    )
    .with_token_endpoint_auth_methods_supported(["tls_client_auth"]);
    let mut aliases = MtlsEndpointAliases::default();
    aliases.token_endpoint = Some(format!("{origin}/mtls/token"));
    metadata.mtls_endpoint_aliases = Some(aliases);
    Client::new(
        metadata,
        ClientId::new("mtls-service").unwrap(),
        ClientAuthentication::TlsClientAuth,
    )
    .unwrap()
}

/// RFC 8705 §2.1, §5: the client credentials grant goes to the alias over
/// the agent with the certificate, which the server sees; no secret
/// travels, `client_id` is in the body.
#[test]
fn a_marked_request_presents_the_client_certificate() {
    let server = OneShotServer::start();
    let client = mtls_client(&server.origin());
    let transport = UreqTransport::new().with_client_certificate(agent(true));
    let driver = Driver::new(transport).unwrap();
    let authorized = driver
        .run(ClientCredentials::new(&client, Scope::empty()).unwrap())
        .unwrap();
    assert_eq!(
        authorized.tokens().access_token().secret(),
        "mtls-access-token"
    );
    let seen = server.join().unwrap();
    let file = certificates().der("client.pem");
    assert_eq!(seen.client_certificate, file);
    assert_eq!(
        CertificateThumbprint::of_der(&seen.client_certificate).as_str(),
        CertificateThumbprint::of_der(&file).as_str()
    );
    assert_eq!(seen.request_line, "POST /mtls/token HTTP/1.1");
    assert!(
        seen.body
            .split('&')
            .any(|pair| pair == "client_id=mtls-service"),
        "{}",
        seen.body
    );
    assert!(
        seen.body.contains("grant_type=client_credentials"),
        "{}",
        seen.body
    );
    assert!(!seen.body.contains("client_secret"), "{}", seen.body);
    assert!(
        !seen
            .headers
            .iter()
            .any(|line| line.starts_with("authorization:")),
        "{:?}",
        seen.headers
    );
}

/// A transport with no agent for the certificate refuses the marked
/// request before it is sent: nothing reaches the server.
#[test]
fn a_marked_request_without_a_certificate_agent_is_refused_unsent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let client = mtls_client(&origin);
    let driver = Driver::new(UreqTransport::new()).unwrap();
    let error = driver
        .run(ClientCredentials::new(&client, Scope::empty()).unwrap())
        .unwrap_err();
    let DriveError::Transport { error, .. } = error else {
        panic!("not a transport error: {error:?}");
    };
    assert!(
        matches!(error, UreqError::ClientCertificateRequired),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the request must present a client certificate (mutual TLS) and the transport has none"
    );
    assert!(std::error::Error::source(&error).is_none());
    listener.set_nonblocking(true).unwrap();
    assert_eq!(
        listener.accept().unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "a connection reached the server"
    );
}

/// An agent that presents no certificate is turned away by the server's
/// handshake: a transport error, no tokens.
#[test]
fn the_server_refuses_a_handshake_without_a_client_certificate() {
    let server = OneShotServer::start();
    let client = mtls_client(&server.origin());
    let transport = UreqTransport::new().with_client_certificate(agent(false));
    let driver = Driver::new(transport).unwrap();
    let error = driver
        .run(ClientCredentials::new(&client, Scope::empty()).unwrap())
        .unwrap_err();
    assert!(
        matches!(
            error,
            DriveError::Transport {
                error: UreqError::Ureq(_),
                ..
            }
        ),
        "{error:?}"
    );
    let refused = server.join().unwrap_err();
    assert!(refused.starts_with("handshake:"), "{refused}");
}

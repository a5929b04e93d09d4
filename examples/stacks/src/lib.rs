//! oauth2-pkce over three HTTP stacks: each function below is the whole
//! glue between a stack and the crate's [`Driver`](oauth2_pkce::Driver) —
//! an `http::Request<RequestBody>` in, an `http::Response<Vec<u8>>` out —
//! and the README shows each one as it is here (`tests/readme.rs` checks
//! that it does). [`cli_login`], [`web_app`], [`service`] and
//! [`resource_login`] are whole integrations built on them; [`shared`] lets the web app run as
//! several instances on one Redis.

pub mod cli_login;
pub mod pagero;
pub mod resource_login;
pub mod service;
pub mod shared;
pub mod web_app;

/// The redirect URI a command-line login listens on when
/// `OAUTH2_REDIRECT_URI` is not set: `/callback` on a free port of
/// 127.0.0.1 (register `http://127.0.0.1/callback` with a provider that
/// allows any port, RFC 8252 §7.3).
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// The loopback listener of a command-line login, for `redirect_uri` —
/// `OAUTH2_REDIRECT_URI`, the redirect URI registered with the provider,
/// whole (`http://127.0.0.1:8400/oauth/cb`; without a port or with port 0
/// a free one is picked) — or [`DEFAULT_REDIRECT_URI`]. Checked like any
/// redirect URI: only `http` on a loopback IP literal is listened on.
pub fn loopback_listener(
    redirect_uri: Option<&str>,
) -> Result<oauth2_pkce::LoopbackRedirect, String> {
    let uri = redirect_uri.unwrap_or(DEFAULT_REDIRECT_URI);
    oauth2_pkce::LoopbackRedirect::bind_uri(uri)
        .map_err(|error| format!("cannot listen on OAUTH2_REDIRECT_URI={uri}: {error}"))
}

// --- ureq (blocking) ---
/// Sends one request with ureq: every status goes back to the step, no
/// redirect is followed.
pub fn ureq_send(
    agent: &ureq::Agent,
    request: http::Request<oauth2_pkce::RequestBody>,
) -> Result<http::Response<Vec<u8>>, ureq::Error> {
    let request = request.map(oauth2_pkce::RequestBody::into_bytes);
    let (parts, mut body) = agent.run(request)?.into_parts();
    Ok(http::Response::from_parts(parts, body.read_to_vec()?))
}

/// A ureq agent for the crate: statuses are not errors, redirects are
/// never followed.
pub fn ureq_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}
// --- end ureq ---

// --- reqwest (async) ---
/// Sends one request with reqwest.
pub async fn reqwest_send(
    client: &reqwest::Client,
    request: http::Request<oauth2_pkce::RequestBody>,
) -> Result<http::Response<Vec<u8>>, reqwest::Error> {
    let request = reqwest::Request::try_from(request.map(oauth2_pkce::RequestBody::into_bytes))?;
    let response = client.execute(request).await?;
    let (status, headers) = (response.status(), response.headers().clone());
    let mut answer = http::Response::new(response.bytes().await?.to_vec());
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ok(answer)
}

/// A reqwest client for the crate: redirects are never followed.
pub fn reqwest_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
}
// --- end reqwest ---

// --- hyper (async) ---
/// A hyper client for the crate (hyper never follows redirects).
pub type HyperClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<bytes::Bytes>,
>;

/// Sends one request with hyper.
pub async fn hyper_send(
    client: &HyperClient,
    request: http::Request<oauth2_pkce::RequestBody>,
) -> Result<http::Response<Vec<u8>>, Box<dyn std::error::Error + Send + Sync>> {
    use http_body_util::BodyExt;
    let request = request.map(|body| http_body_util::Full::new(body.into_bytes().into()));
    let (parts, body) = client.request(request).await?.into_parts();
    Ok(http::Response::from_parts(
        parts,
        body.collect().await?.to_bytes().to_vec(),
    ))
}

/// A hyper client over plain TCP.
pub fn hyper_client() -> HyperClient {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}
// --- end hyper ---

//! `ReqwestTransport` through the transport conformance checks
//! (`transports/conformance`): a whole login against the embedded
//! authorization server, the driver shared by spawned tasks, and the
//! transport's own rules against a one-shot server — a redirect handed
//! back, an error status an answer, a long body refused.

use oauth2_pkce::values::RequiresClientCertificate;
use oauth2_pkce::AsyncTransport;
use oauth2_pkce_reqwest::{ReqwestError, ReqwestTransport};
use oauth2_pkce_transport_conformance::{
    a_whole_login_async, assert_redirect_handed_back, error_status, one_shot, oversized, post,
    redirect, ERROR_BODY, OVER_THE_CAP,
};

#[tokio::test(flavor = "current_thread")]
async fn a_login_refresh_and_revocation_over_reqwest() {
    a_whole_login_async(ReqwestTransport::new().unwrap()).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_redirect_is_handed_back_not_followed() {
    let transport = ReqwestTransport::new().unwrap();
    let response = transport.send(post(&one_shot(redirect()))).await.unwrap();
    assert_redirect_handed_back(&response);
}

#[tokio::test(flavor = "current_thread")]
async fn an_error_status_is_an_answer() {
    let transport = ReqwestTransport::new().unwrap();
    let response = transport
        .send(post(&one_shot(error_status())))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.body(), ERROR_BODY);
}

#[tokio::test(flavor = "current_thread")]
async fn a_body_over_the_cap_is_refused() {
    let transport = ReqwestTransport::new().unwrap();
    let error = transport
        .send(post(&one_shot(oversized())))
        .await
        .unwrap_err();
    assert!(error.is_body_too_large(), "{error}");
    let transport = transport.with_body_limit(OVER_THE_CAP);
    let response = transport.send(post(&one_shot(oversized()))).await.unwrap();
    assert_eq!(response.body().len(), OVER_THE_CAP);
}

/// Mutual TLS (RFC 8705): a request marked [`RequiresClientCertificate`]
/// goes over the client given for it and no other; without one it is
/// refused, never sent. The plain client here goes through a proxy that
/// is not there, so a request it carried would fail: the marked request's
/// answer shows which client sent it.
#[tokio::test(flavor = "current_thread")]
async fn a_request_that_needs_the_client_certificate_takes_its_client() {
    let unreachable = ReqwestTransport::client_builder()
        .proxy(reqwest::Proxy::all("http://127.0.0.1:9").unwrap())
        .build()
        .unwrap();
    let marked = |uri: &str| {
        let mut request = post(uri);
        request.extensions_mut().insert(RequiresClientCertificate);
        request
    };
    let transport = ReqwestTransport::from_client(unreachable);
    let error = transport
        .send(marked("http://127.0.0.1:9/token"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ReqwestError::ClientCertificateRequired),
        "{error}"
    );
    let transport =
        transport.with_client_certificate(ReqwestTransport::client_builder().build().unwrap());
    let response = transport
        .send(marked(&one_shot(error_status())))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.body(), ERROR_BODY);
    // An unmarked request keeps the plain client.
    let error = transport
        .send(post(&one_shot(error_status())))
        .await
        .unwrap_err();
    assert!(matches!(error, ReqwestError::Reqwest(_)), "{error}");
}

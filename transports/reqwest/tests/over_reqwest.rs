//! `ReqwestTransport` through the transport conformance checks
//! (`transports/conformance`): a whole login against the embedded
//! authorization server, the driver shared by spawned tasks, and the
//! transport's own rules against a one-shot server — a redirect handed
//! back, an error status an answer, a long body refused.

use oauth2_pkce::AsyncTransport;
use oauth2_pkce_reqwest::ReqwestTransport;
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

//! `UreqTransport` through the transport conformance checks
//! (`transports/conformance`): a whole login against the embedded
//! authorization server, and the transport's own rules against a one-shot
//! server — a redirect handed back, an error status an answer, a long body
//! refused.

use oauth2_pkce::Transport;
use oauth2_pkce_transport_conformance::{
    a_whole_login, assert_redirect_handed_back, error_status, one_shot, oversized, post, redirect,
    ERROR_BODY, OVER_THE_CAP,
};
use oauth2_pkce_ureq::{UreqError, UreqTransport};

#[test]
fn a_login_refresh_and_revocation_over_ureq() {
    a_whole_login(UreqTransport::new());
}

#[test]
fn a_redirect_is_handed_back_not_followed() {
    // Even over an agent that follows redirects and fails on statuses.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(10)
        .build()
        .into();
    let transport = UreqTransport::from_agent(agent);
    assert_redirect_handed_back(&transport.send(post(&one_shot(redirect()))).unwrap());
}

#[test]
fn an_error_status_is_an_answer() {
    let response = UreqTransport::new()
        .send(post(&one_shot(error_status())))
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.body(), ERROR_BODY);
}

#[test]
fn a_body_over_the_cap_is_refused() {
    let error = UreqTransport::new()
        .send(post(&one_shot(oversized())))
        .unwrap_err();
    assert!(
        matches!(error, UreqError::Ureq(ureq::Error::BodyExceedsLimit(_))),
        "{error}"
    );
    assert!(error.is_body_too_large());
    // A larger cap of the app's choosing.
    let transport = UreqTransport::new().with_body_limit(OVER_THE_CAP as u64);
    let response = transport.send(post(&one_shot(oversized()))).unwrap();
    assert_eq!(response.body().len(), OVER_THE_CAP);
}

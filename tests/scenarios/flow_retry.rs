//! A token endpoint that answers 503 hands the state back; the retry, the
//! same request, succeeds against the real server.

use crate::common;

use oauth2_pkce::errors::EndpointErrorKind;
use oauth2_pkce::EndpointStep;
use oauth2_pkce_test_server::{AuthorizationServer, ServerConfig};
use std::time::Duration;

#[test]
fn code_exchange_and_refresh_survive_an_outage() {
    let server = AuthorizationServer::start(ServerConfig::default()).unwrap();
    let client = common::demo_client(&server);
    let (pending, callback) = common::log_in(&server, &client);
    let exchanging = pending.handle_callback(&client, callback).unwrap();

    server.fail_next_token_requests(1);
    let response = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let failure = exchanging
        .handle_response(&response, common::NOW)
        .unwrap_err();
    assert_eq!(
        failure.error(),
        &EndpointErrorKind::Unavailable {
            status: 503,
            retry_after: Some(Duration::from_secs(1))
        }
    );
    let exchanging = failure.into_retry().expect("503 is retryable");
    let response = common::send(exchanging.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
    let authorized = exchanging.handle_response(&response, common::NOW).unwrap();

    server.fail_next_token_requests(2);
    let mut refreshing = authorized.refresh(&client).unwrap();
    let refreshed = loop {
        let response =
            common::send(refreshing.request(&crate::CONTEXT).unwrap().into_http()).unwrap();
        match refreshing.handle_response(&response, common::NOW) {
            Ok(refreshed) => break refreshed,
            Err(failure) => refreshing = failure.into_retry().expect("503 is retryable"),
        }
    };
    assert_eq!(refreshed.tokens().generation(), 1);
    assert_eq!(common::call_api(&server, &refreshed).status(), 200);
    server.shutdown();
}

//! The errors' shared rules: every public error prints each message once
//! when a reporter walks its `source()` chain (anyhow's `{:#}`,
//! `std::error::Report`), and the wrapping errors answer the same
//! questions (`endpoint`, `code`, `is_retryable`, `retry_after`) in one
//! call, with the same answers.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::error::Error;
use core::fmt;

use super::*;
use crate::discovery::Discovery;
use crate::drive::{ChainError, DriveError};
use crate::error::{CryptoError, InvalidValue};

/// A transport's error with a cause of its own, which must still chain.
#[derive(Debug)]
struct Transport(Cause);

#[derive(Debug)]
struct Cause;

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection reset")
    }
}

impl Error for Transport {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tls alert 40")
    }
}

impl Error for Cause {}

/// The chain as a reporter prints it, one segment per error.
fn report(error: &dyn Error) -> Vec<String> {
    let mut segments = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        segments.push(error.to_string());
        next = error.source();
    }
    segments
}

/// Asserts no segment repeats text an outer `Display` already printed.
fn assert_printed_once(error: &dyn Error) -> String {
    let segments = report(error);
    for (at, segment) in segments.iter().enumerate() {
        for outer in segments.iter().take(at) {
            assert!(
                !outer.contains(segment.as_str()),
                "{segment:?} is printed again after {outer:?}: {}",
                segments.join(": ")
            );
        }
    }
    segments.join(": ")
}

fn malformed() -> EndpointError {
    EndpointError::new(EndpointKind::Token, EndpointErrorKind::NotJson)
}

fn metadata() -> EndpointError {
    EndpointError::new(
        EndpointKind::Metadata,
        EndpointErrorKind::InvalidUrl {
            member: "token_endpoint",
            problem: InvalidValue::NotHttps,
        },
    )
}

fn config() -> ConfigError {
    ConfigError::InvalidIssuer(InvalidValue::HasUserinfo)
}

fn callback() -> CallbackError {
    CallbackError::NotUtf8
}

#[test]
fn every_error_prints_each_message_once() {
    let step = || Discovery::new("https://as.example").unwrap();
    let mut errors: Vec<Box<dyn Error>> = alloc::vec![
        Box::new(malformed()),
        Box::new(metadata()),
        Box::new(EndpointError::new(
            EndpointKind::DeviceAuthorization,
            EndpointErrorKind::InvalidUrl {
                member: "verification_uri",
                problem: InvalidValue::NotHttps,
            }
        )),
        Box::new(EndpointError::new(
            EndpointKind::Metadata,
            EndpointErrorKind::S256NotSupported
        )),
        Box::new(Failure::new(
            EndpointKind::Token,
            EndpointErrorKind::NotJson,
            (),
        )),
        Box::new(DriveError::<Discovery, Transport>::Transport {
            error: Transport(Cause),
            step: step(),
        }),
        Box::new(DriveError::<Discovery, Transport>::Endpoint {
            error: malformed(),
            step: None,
        }),
        Box::new(DriveError::<Discovery, Transport>::Crypto {
            error: CryptoError::Signing("hsm offline"),
            step: step(),
        }),
        Box::new(DriveError::<Discovery, Transport>::Crypto {
            error: CryptoError::EntropyUnavailable { os_error: Some(5) },
            step: step(),
        }),
        Box::new(ChainError::Transport(Transport(Cause))),
        Box::new(ChainError::<Transport>::Endpoint(metadata())),
        Box::new(ChainError::<Transport>::Config(config())),
        Box::new(ChainError::<Transport>::Resource(
            ResourceError::MalformedChallenge
        )),
        Box::new(ChainError::<Transport>::Config(ConfigError::InvalidValue(
            InvalidValue::TooManyResources { limit: 4 }
        ))),
        Box::new(ChainError::<Transport>::Browser(Box::new(Transport(Cause)))),
        Box::new(ChainError::<Transport>::Callback(callback())),
        Box::new(ChainError::<Transport>::Crypto(CryptoError::Signing(
            "hsm offline"
        ))),
        Box::new(ChainError::<Transport>::Crypto(
            CryptoError::EntropyUnavailable { os_error: None }
        )),
        Box::new(ChainError::<Transport>::Resource(ResourceError::Signing(
            CryptoError::Signing("hsm offline")
        ))),
        Box::new(config()),
        Box::new(ConfigError::InvalidValue(InvalidValue::ResourceHasFragment)),
        Box::new(ConfigError::RequestObjectNotSigned(CryptoError::Signing(
            "hsm offline"
        ))),
        Box::new(callback()),
        Box::new(ResourceError::Signing(CryptoError::Signing("hsm offline"))),
    ];
    #[cfg(feature = "loopback")]
    {
        use crate::loopback_listener::LoopbackError;
        errors.push(Box::new(LoopbackError::Io(std::io::Error::other(
            Transport(Cause),
        ))));
        errors.push(Box::new(LoopbackError::Callback(callback())));
        errors.push(Box::new(LoopbackError::RedirectUri(InvalidValue::NotHttps)));
    }
    for error in &errors {
        assert_printed_once(error.as_ref());
    }
}

#[test]
fn a_transport_errors_own_cause_still_chains() {
    let step = Discovery::new("https://as.example").unwrap();
    let drive = DriveError::<Discovery, Transport>::Transport {
        error: Transport(Cause),
        step,
    };
    assert_eq!(
        assert_printed_once(&drive),
        "the request to the metadata document could not be sent: connection reset: tls alert 40"
    );
    let chain = ChainError::Transport(Transport(Cause));
    assert_eq!(
        assert_printed_once(&chain),
        "a request could not be sent: connection reset: tls alert 40"
    );
    let browser = ChainError::<Transport>::Browser(Box::new(Transport(Cause)));
    assert_eq!(
        assert_printed_once(&browser),
        "the browser step failed: connection reset: tls alert 40"
    );
}

fn unavailable() -> EndpointError {
    EndpointError::new(
        EndpointKind::Token,
        EndpointErrorKind::Unavailable {
            status: 503,
            retry_after: Some(core::time::Duration::from_secs(3)),
        },
    )
}

fn answered(code: &str) -> EndpointError {
    EndpointError::new(
        EndpointKind::Revocation,
        EndpointErrorKind::ErrorResponse(ErrorResponse {
            error: TokenErrorCode::from_wire(code),
            error_description: None,
            error_uri: None,
        }),
    )
}

#[test]
fn every_wrapper_answers_the_same_questions_in_one_call() {
    let step = || Discovery::new("https://as.example").unwrap();
    let three = Some(core::time::Duration::from_secs(3));

    // An endpoint that is down: retryable, with its wait, at every level.
    let failure = Failure::new(
        EndpointKind::Token,
        EndpointErrorKind::Unavailable {
            status: 503,
            retry_after: three,
        },
        (),
    );
    let drive = DriveError::<Discovery, Transport>::Endpoint {
        error: unavailable(),
        step: Some(step()),
    };
    let chain = ChainError::<Transport>::Endpoint(unavailable());
    assert!(unavailable().is_retryable() && failure.is_retryable());
    assert!(drive.is_retryable() && chain.is_retryable());
    assert_eq!(unavailable().retry_after(), three);
    assert_eq!(failure.retry_after(), three);
    assert_eq!(drive.retry_after(), three);
    assert_eq!(chain.retry_after(), three);
    assert_eq!(failure.endpoint(), EndpointKind::Token);
    assert_eq!(drive.endpoint(), EndpointKind::Token);
    assert_eq!(chain.endpoint(), Some(EndpointKind::Token));
    assert_eq!(failure.code(), None);
    assert_eq!(drive.code(), None);
    assert_eq!(chain.code(), None);

    // A code from the server, one call away.
    let grant = Some(&TokenErrorCode::InvalidGrant);
    let drive = DriveError::<Discovery, Transport>::Endpoint {
        error: answered("invalid_grant"),
        step: None,
    };
    let chain = ChainError::<Transport>::Endpoint(answered("invalid_grant"));
    assert_eq!(answered("invalid_grant").code(), grant);
    assert_eq!(drive.code(), grant);
    assert_eq!(chain.code(), grant);
    assert_eq!(drive.endpoint(), EndpointKind::Revocation);
    assert_eq!(chain.endpoint(), Some(EndpointKind::Revocation));
    assert!(!drive.is_retryable() && !chain.is_retryable());

    // The transport failed: the same request may go through later; no
    // server said anything.
    let drive = DriveError::<Discovery, Transport>::Transport {
        error: Transport(Cause),
        step: step(),
    };
    let chain = ChainError::Transport(Transport(Cause));
    assert!(drive.is_retryable() && chain.is_retryable());
    assert_eq!(drive.endpoint(), EndpointKind::Metadata);
    assert_eq!(chain.endpoint(), None);
    assert_eq!((drive.code(), chain.code()), (None, None));
    assert_eq!((drive.retry_after(), chain.retry_after()), (None, None));

    // Nothing was sent: sending it again cannot help, whichever local
    // facility failed; the step still comes back.
    for error in [
        CryptoError::Signing("hsm offline"),
        CryptoError::EntropyUnavailable { os_error: Some(5) },
    ] {
        let drive = DriveError::<Discovery, Transport>::Crypto {
            error,
            step: step(),
        };
        assert!(!drive.is_retryable());
        assert_eq!(drive.endpoint(), EndpointKind::Metadata);
        let chain = ChainError::<Transport>::from(drive);
        assert!(matches!(chain, ChainError::Crypto(e) if e == error));
        assert!(!chain.is_retryable());
        let drive = DriveError::<Discovery, Transport>::Crypto {
            error,
            step: step(),
        };
        assert!(drive.into_step().is_some());
    }
    assert!(!ChainError::<Transport>::Config(config()).is_retryable());

    // A device login still pending: retryable (poll again), everywhere.
    for code in ["authorization_pending", "slow_down"] {
        assert!(answered(code).is_retryable(), "{code}");
    }
    for code in ["temporarily_unavailable", "server_error"] {
        assert!(answered(code).is_retryable(), "{code}");
    }
    for code in [
        "invalid_grant",
        "access_denied",
        "expired_token",
        "invalid_client",
    ] {
        assert!(!answered(code).is_retryable(), "{code}");
    }
}

/// Each malformed response and each unusable document says what is
/// wrong in the endpoint error's message, and only the documents count
/// as unusable metadata.
#[test]
fn every_problem_is_named_in_the_message() {
    let text = UntrustedText::from;
    let cases = [
        (EndpointErrorKind::NotJson, "is not JSON", false),
        (
            EndpointErrorKind::NotAnObject,
            "is not a JSON object",
            false,
        ),
        (EndpointErrorKind::NotForm, "is not form-encoded", false),
        (
            EndpointErrorKind::TooLarge { limit: 7 },
            "size cap of 7 bytes",
            false,
        ),
        (
            EndpointErrorKind::DuplicateMember(text("scope")),
            "`scope` appears more than once",
            false,
        ),
        (
            EndpointErrorKind::MissingMember("access_token"),
            "`access_token` is missing",
            false,
        ),
        (
            EndpointErrorKind::InvalidMember("expires_in"),
            "`expires_in` is invalid",
            false,
        ),
        (
            EndpointErrorKind::InvalidUrl {
                member: "jwks_uri",
                problem: InvalidValue::NotHttps,
            },
            "`jwks_uri` is refused",
            false,
        ),
        (
            EndpointErrorKind::InvalidAuthorizationDetails(InvalidValue::NotHttps),
            "`authorization_details` is refused",
            false,
        ),
        (
            EndpointErrorKind::NotADocument(text("an array")),
            "not a metadata document: an array",
            true,
        ),
        (
            EndpointErrorKind::IssuerMismatch {
                expected: text("https://a"),
                received: text("https://b"),
            },
            "names issuer",
            true,
        ),
        (
            EndpointErrorKind::S256NotSupported,
            "does not list S256",
            true,
        ),
        (
            EndpointErrorKind::ResourceMismatch {
                expected: text("https://api"),
                received: text("https://other"),
            },
            "names resource",
            true,
        ),
    ];
    for (kind, says, unusable) in cases {
        assert_eq!(kind.is_unusable_metadata(), unusable, "{kind:?}");
        let error = EndpointError::new(EndpointKind::Token, kind.clone());
        assert!(error == kind, "an error equals its kind");
        assert_eq!(
            error == EndpointErrorKind::NotJson,
            kind == EndpointErrorKind::NotJson
        );
        assert!(
            !error.is_expired_token() && !error.is_not_found(),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(says), "{message}");
    }
}

/// A JWS refused before any claim was read, against a claim that is wrong
/// once the signature verified.
#[test]
fn a_refused_jws_is_told_from_a_wrong_claim() {
    use crate::error::JwtError;
    for refused in [
        JwtError::TooLarge,
        JwtError::Malformed,
        JwtError::Unsigned,
        JwtError::CriticalHeader,
        JwtError::AmbiguousKey,
        JwtError::BadSignature,
        JwtError::UnknownKey(None),
    ] {
        assert!(refused.is_jws_refused(), "{refused:?}");
    }
    for claim in [
        JwtError::ClaimsNotAnObject,
        JwtError::MissingClaim("sub"),
        JwtError::AudienceMismatch,
        JwtError::NonceMismatch,
        JwtError::AtHashMismatch,
        JwtError::NoSubjectOrSession,
    ] {
        assert!(!claim.is_jws_refused(), "{claim:?}");
    }
}

/// `is_url` is true for the URL checks' refusals and no other.
#[test]
fn url_refusals_are_told_apart() {
    for url in [
        InvalidValue::NotAbsoluteUrl,
        InvalidValue::NotHttps,
        InvalidValue::HasUserinfo,
        InvalidValue::DangerousScheme,
    ] {
        assert!(url.is_url(), "{url:?}");
    }
    for other in [
        InvalidValue::StoredStateMalformed,
        InvalidValue::RequestParameter("x"),
    ] {
        assert!(!other.is_url(), "{other:?}");
    }
}

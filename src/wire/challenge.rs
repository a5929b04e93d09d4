//! Bearer and DPoP challenges in `WWW-Authenticate` (RFC 6750 §3,
//! RFC 9449 §7.1, with the challenge syntax of RFC 9110 §11.6.1).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::codes::{is_error_code, BearerErrorCode};
use crate::error::ResourceError;
use crate::http::HttpResponse;
use crate::limits::MAX_WWW_AUTHENTICATE_BYTES;
use crate::scope::Scope;
use crate::text::UntrustedText;
use crate::wire::auth_challenge::find_challenge;

/// What to do after an API answered with a bearer challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextStep {
    /// The token was refused (`invalid_token`, or a challenge without an
    /// error code): refresh, and retry the request once.
    Refresh,
    /// The token lacks scope (`insufficient_scope`): log the user in again
    /// asking for this scope (when the server named it) with the scope
    /// already granted — [`StepUp::start`](crate::resource::StepUp::start) builds
    /// that login and counts it.
    Reauthorize {
        /// The scope the resource needs, if the challenge said.
        scope: Option<Scope>,
    },
    /// The request itself is wrong (`invalid_request`) or the error is
    /// unknown: a new token will not help.
    GiveUp,
    /// The resource server wants its nonce in the DPoP proof
    /// (`use_dpop_nonce`, RFC 9449 §9): send the request again, once, with
    /// a new proof carrying it.
    UseNonce {
        /// The server's `DPoP-Nonce`.
        nonce: String,
    },
}

/// A `Bearer` challenge from a resource server's `WWW-Authenticate`
/// header (RFC 6750 §3). Its texts are kept as sent and printed escaped
/// ([`UntrustedText`]).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BearerChallenge {
    realm: Option<UntrustedText>,
    scope: Option<Scope>,
    error: Option<BearerErrorCode>,
    error_description: Option<UntrustedText>,
    error_uri: Option<UntrustedText>,
    resource_metadata: Option<UntrustedText>,
}

impl BearerChallenge {
    /// Finds and reads the `Bearer` challenge in a `WWW-Authenticate`
    /// value, which may hold several challenges (`DPoP algs="ES256",
    /// Bearer realm="api"`). The scheme and parameter names are
    /// case-insensitive; values may be tokens or quoted strings.
    /// `Ok(None)` when there is no Bearer challenge.
    ///
    /// # Errors
    /// See [`ResourceError`].
    pub fn parse(header: &str) -> Result<Option<Self>, ResourceError> {
        if header.len() > MAX_WWW_AUTHENTICATE_BYTES {
            return Err(ResourceError::ChallengeTooLarge {
                limit: MAX_WWW_AUTHENTICATE_BYTES,
            });
        }
        find_challenge(header, "bearer")?
            .map(|params| Self::from_params(&params))
            .transpose()
    }

    /// The Bearer challenge of an API response's `WWW-Authenticate`
    /// header; `Ok(None)` when there is none.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn from_response<'a>(
        response: impl Into<HttpResponse<'a>>,
    ) -> Result<Option<Self>, ResourceError> {
        response
            .into()
            .www_authenticate()
            .map_or(Ok(None), Self::parse)
    }

    fn from_params(params: &[(String, String)]) -> Result<Self, ResourceError> {
        let mut challenge = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in params.iter().cloned() {
            let name = name.to_ascii_lowercase();
            if seen.contains(&name) {
                return Err(ResourceError::RepeatedChallengeParameter(
                    UntrustedText::from(name),
                ));
            }
            match name.as_str() {
                "realm" => challenge.realm = Some(UntrustedText::from(value)),
                "scope" => {
                    challenge.scope = Some(
                        Scope::parse(&value).map_err(|_| ResourceError::InvalidChallengeScope)?,
                    );
                }
                "error" if is_error_code(&value) => {
                    challenge.error = Some(BearerErrorCode::from_wire(&value));
                }
                "error" => return Err(ResourceError::InvalidChallengeErrorCode),
                "error_description" => {
                    challenge.error_description = Some(UntrustedText::from(value))
                }
                "error_uri" => challenge.error_uri = Some(UntrustedText::from(value)),
                "resource_metadata" => {
                    challenge.resource_metadata = Some(UntrustedText::from(value));
                }
                _ => {}
            }
            seen.push(name);
        }
        Ok(challenge)
    }

    /// The `realm`.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_ref().map(UntrustedText::as_str)
    }

    /// The `scope` the resource needs.
    #[must_use]
    pub fn scope(&self) -> Option<&Scope> {
        self.scope.as_ref()
    }

    /// The `error` code; `None` when the request had no credentials
    /// (RFC 6750 §3.1).
    #[must_use]
    pub fn error(&self) -> Option<&BearerErrorCode> {
        self.error.as_ref()
    }

    /// The `error_description`.
    #[must_use]
    pub fn error_description(&self) -> Option<&str> {
        self.error_description.as_ref().map(UntrustedText::as_str)
    }

    /// The `error_uri`.
    #[must_use]
    pub fn error_uri(&self) -> Option<&str> {
        self.error_uri.as_ref().map(UntrustedText::as_str)
    }

    /// The URL of the resource's metadata (`resource_metadata`, RFC 9728
    /// §5.1), as sent: read it with
    /// [`ResourceDiscovery::from_challenge`](crate::resource::ResourceDiscovery::from_challenge),
    /// which checks it.
    #[must_use]
    pub fn resource_metadata(&self) -> Option<&str> {
        self.resource_metadata.as_ref().map(UntrustedText::as_str)
    }

    /// What the caller should do next.
    #[must_use]
    pub fn next_step(&self) -> NextStep {
        match &self.error {
            None | Some(BearerErrorCode::InvalidToken) => NextStep::Refresh,
            Some(BearerErrorCode::InsufficientScope) => NextStep::Reauthorize {
                scope: self.scope.clone(),
            },
            Some(_) => NextStep::GiveUp,
        }
    }
}

/// A `DPoP` challenge from a resource server's `WWW-Authenticate` header
/// (RFC 9449 §7.1): the Bearer challenge's parameters, plus the proof
/// algorithms the server accepts (`algs`) and the response's `DPoP-Nonce`
/// when it sent one (§9).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DpopChallenge {
    params: BearerChallenge,
    algs: Vec<UntrustedText>,
    nonce: Option<String>,
}

impl DpopChallenge {
    /// Finds and reads the `DPoP` challenge in a `WWW-Authenticate` value;
    /// `Ok(None)` when there is none.
    ///
    /// # Errors
    /// As [`BearerChallenge::parse`].
    pub fn parse(header: &str) -> Result<Option<Self>, ResourceError> {
        let Some(params) = find_challenge(header, "dpop")? else {
            return Ok(None);
        };
        let algs = params
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("algs"))
            .map(|(_, value)| value.split(' ').filter(|alg| !alg.is_empty()))
            .into_iter()
            .flatten()
            .map(UntrustedText::from)
            .collect();
        Ok(Some(Self {
            params: BearerChallenge::from_params(&params)?,
            algs,
            nonce: None,
        }))
    }

    /// The DPoP challenge of a resource's response, with its `DPoP-Nonce`
    /// (when it is `1*NQCHAR`); `Ok(None)` when there is none.
    ///
    /// # Errors
    /// As [`BearerChallenge::parse`].
    pub fn from_response<'a>(
        response: impl Into<HttpResponse<'a>>,
    ) -> Result<Option<Self>, ResourceError> {
        let response = response.into();
        let Some(header) = response.www_authenticate() else {
            return Ok(None);
        };
        Ok(Self::parse(header)?.map(|mut challenge| {
            challenge.nonce = response.dpop_nonce().map(String::from);
            challenge
        }))
    }

    /// The `realm`.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.params.realm()
    }

    /// The `scope` the resource needs.
    #[must_use]
    pub fn scope(&self) -> Option<&Scope> {
        self.params.scope()
    }

    /// The `error` code (RFC 9449 §7.1 adds `invalid_dpop_proof` and
    /// `use_dpop_nonce` to RFC 6750's).
    #[must_use]
    pub fn error(&self) -> Option<&BearerErrorCode> {
        self.params.error()
    }

    /// The `error_description`.
    #[must_use]
    pub fn error_description(&self) -> Option<&str> {
        self.params.error_description()
    }

    /// The URL of the resource's metadata (`resource_metadata`, RFC 9728
    /// §5.1), as sent.
    #[must_use]
    pub fn resource_metadata(&self) -> Option<&str> {
        self.params.resource_metadata()
    }

    /// The challenge's parameters, as a Bearer challenge carries them:
    /// for [`ResourceDiscovery::from_challenge`](crate::resource::ResourceDiscovery::from_challenge).
    #[must_use]
    pub fn as_bearer(&self) -> &BearerChallenge {
        &self.params
    }

    /// The proof algorithms the resource accepts (`algs`), as sent.
    pub fn algs(&self) -> impl Iterator<Item = &str> {
        self.algs.iter().map(UntrustedText::as_str)
    }

    /// The response's `DPoP-Nonce`, when read with
    /// [`from_response`](Self::from_response).
    #[must_use]
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// What the caller should do next: [`NextStep::UseNonce`] for
    /// `use_dpop_nonce` with a nonce (retry once with it), otherwise as a
    /// Bearer challenge says.
    #[must_use]
    pub fn next_step(&self) -> NextStep {
        match (self.params.error(), &self.nonce) {
            (Some(BearerErrorCode::UseDpopNonce), Some(nonce)) => NextStep::UseNonce {
                nonce: nonce.clone(),
            },
            _ => self.params.next_step(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6750_examples() {
        let challenge = BearerChallenge::parse(r#"Bearer realm="example""#)
            .unwrap()
            .unwrap();
        assert_eq!(challenge.realm(), Some("example"));
        assert_eq!(challenge.error(), None);
        assert_eq!(challenge.next_step(), NextStep::Refresh);

        let challenge = BearerChallenge::parse(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(challenge.error(), Some(&BearerErrorCode::InvalidToken));
        assert_eq!(
            challenge.error_description(),
            Some("The access token expired")
        );
        assert_eq!(challenge.next_step(), NextStep::Refresh);
    }

    #[test]
    fn insufficient_scope_names_the_scope() {
        let challenge =
            BearerChallenge::parse(r#"bearer error=insufficient_scope, scope="read write""#)
                .unwrap()
                .unwrap();
        assert_eq!(
            challenge.next_step(),
            NextStep::Reauthorize {
                scope: Some(Scope::parse("read write").unwrap())
            }
        );
        assert_eq!(
            challenge.scope(),
            Some(&Scope::parse("read write").unwrap())
        );
        assert_eq!(
            challenge.error().map(BearerErrorCode::as_str),
            Some("insufficient_scope")
        );
        for code in [
            "invalid_request",
            "invalid_token",
            "insufficient_scope",
            "use_dpop_nonce",
        ] {
            assert_eq!(BearerErrorCode::from_wire(code).as_str(), code);
        }
    }

    #[test]
    fn several_challenges_in_one_header() {
        let header = r#"DPoP algs="ES256 PS256", error="invalid_token", Bearer realm="api", error="invalid_request", Basic dXNlcjpwYXNz=="#;
        let challenge = BearerChallenge::parse(header).unwrap().unwrap();
        assert_eq!(challenge.realm(), Some("api"));
        assert_eq!(challenge.error(), Some(&BearerErrorCode::InvalidRequest));
        assert_eq!(challenge.next_step(), NextStep::GiveUp);

        let token68_first = r#"Negotiate abc123==, Bearer realm="x""#;
        assert_eq!(
            BearerChallenge::parse(token68_first)
                .unwrap()
                .unwrap()
                .realm(),
            Some("x")
        );
        assert_eq!(BearerChallenge::parse(r#"Basic realm="x""#).unwrap(), None);
    }

    #[test]
    fn quoted_strings_unescape() {
        let challenge = BearerChallenge::parse(r#"Bearer error_description="say \"hi\", then go""#)
            .unwrap()
            .unwrap();
        assert_eq!(challenge.error_description(), Some(r#"say "hi", then go"#));
    }

    #[test]
    fn refusals() {
        assert_eq!(
            BearerChallenge::parse(r#"Bearer realm="a", REALM="b""#),
            Err(ResourceError::RepeatedChallengeParameter("realm".into()))
        );
        assert_eq!(
            BearerChallenge::parse(r#"Bearer realm="unterminated"#),
            Err(ResourceError::MalformedChallenge)
        );
        assert_eq!(
            BearerChallenge::parse(r#"Bearer realm="a" junk"#),
            Err(ResourceError::MalformedChallenge)
        );
        assert_eq!(
            BearerChallenge::parse(r#"Bearer realm="a", Bearer realm="b""#),
            Err(ResourceError::RepeatedChallenge)
        );
        assert_eq!(
            BearerChallenge::parse(r#"Bearer scope="a\\b""#),
            Err(ResourceError::InvalidChallengeScope)
        );
        assert_eq!(
            BearerChallenge::parse("Bearer error=\"invalid_token\\\\\""),
            Err(ResourceError::InvalidChallengeErrorCode)
        );
        assert_eq!(
            BearerChallenge::parse(&alloc::format!("Bearer realm=\"{}\"", "a".repeat(9000))),
            Err(ResourceError::ChallengeTooLarge {
                limit: MAX_WWW_AUTHENTICATE_BYTES
            })
        );
        // A header of exactly the cap is read.
        let prefix = "Bearer realm=\"";
        let realm = "a".repeat(MAX_WWW_AUTHENTICATE_BYTES - prefix.len() - 1);
        let at_cap = alloc::format!("{prefix}{realm}\"");
        assert_eq!(at_cap.len(), MAX_WWW_AUTHENTICATE_BYTES);
        let challenge = BearerChallenge::parse(&at_cap).unwrap().unwrap();
        assert_eq!(challenge.realm(), Some(realm.as_str()));
        assert_eq!(BearerChallenge::parse(""), Ok(None));
        assert_eq!(BearerChallenge::parse(" , ,"), Ok(None));
    }

    /// RFC 9449 §7.1 and §9's examples.
    #[test]
    fn dpop_challenges() {
        let header = r#"DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256 PS256""#;
        let challenge = DpopChallenge::parse(header).unwrap().unwrap();
        assert_eq!(challenge.error(), Some(&BearerErrorCode::InvalidToken));
        assert_eq!(
            challenge.error_description(),
            Some("Invalid DPoP key binding")
        );
        let scoped = DpopChallenge::parse(r#"DPoP realm="files", scope="files:read", algs=ES256"#)
            .unwrap()
            .unwrap();
        assert_eq!(scoped.realm(), Some("files"));
        assert_eq!(
            scoped
                .scope()
                .map(alloc::string::ToString::to_string)
                .as_deref(),
            Some("files:read")
        );
        assert_eq!(challenge.algs().collect::<Vec<_>>(), ["ES256", "PS256"]);
        assert_eq!(challenge.next_step(), NextStep::Refresh);
        assert_eq!(BearerChallenge::parse(header), Ok(None));

        let header = r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#;
        let response = HttpResponse::new(401, b"")
            .with_www_authenticate(header)
            .with_dpop_nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v");
        let challenge = DpopChallenge::from_response(response).unwrap().unwrap();
        assert_eq!(challenge.nonce(), Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
        assert_eq!(
            challenge.next_step(),
            NextStep::UseNonce {
                nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v".into()
            }
        );
        // Without a usable nonce there is nothing to retry with.
        let response = HttpResponse::new(401, b"")
            .with_www_authenticate(header)
            .with_dpop_nonce("not a nonce");
        let challenge = DpopChallenge::from_response(response).unwrap().unwrap();
        assert_eq!(challenge.nonce(), None);
        assert_eq!(challenge.next_step(), NextStep::GiveUp);

        // Both schemes in one header; each parser finds its own.
        let both = r#"Bearer realm="api", DPoP algs="EdDSA", error="invalid_dpop_proof""#;
        assert_eq!(
            BearerChallenge::parse(both).unwrap().unwrap().realm(),
            Some("api")
        );
        let dpop = DpopChallenge::parse(both).unwrap().unwrap();
        assert_eq!(dpop.error(), Some(&BearerErrorCode::InvalidDpopProof));
        assert_eq!((dpop.realm(), dpop.error_description()), (None, None));
        assert_eq!(dpop.next_step(), NextStep::GiveUp);
        assert_eq!(
            DpopChallenge::parse("DPoP algs=ES256, DPoP algs=EdDSA"),
            Err(ResourceError::RepeatedChallenge)
        );
    }
}

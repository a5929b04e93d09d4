//! JWT-secured authorization responses (OpenID JARM): the callback's
//! parameters inside a JWT the authorization server signed, verified
//! before any of them is trusted (§4.4).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use serde_json::Value;

use crate::config::Client;
use crate::error::{ApiMisuse, CallbackError, JwtError};
use crate::flow::awaiting_callback::AwaitingCallback;
use crate::jws::{JwsAlgorithm, JwsVerifier};
use crate::oidc::claims::{string, strings, time, Unique};
use crate::oidc::KeySet;
use crate::text::UntrustedText;
use crate::time::UnixTime;
use crate::wire::callback::Callback;

/// The clock skew allowed for the response's `exp`.
const SKEW: Duration = Duration::from_secs(60);

/// The authorization response parameters a JWT may carry (JARM §2.1,
/// RFC 6749 §4.1.2, RFC 9207 §2); its other claims (`exp`, `aud`, …) are
/// the JWT's own.
const PARAMETERS: [&str; 6] = [
    "code",
    "state",
    "error",
    "error_description",
    "error_uri",
    "iss",
];

impl AwaitingCallback {
    /// Verifies a JWT-secured authorization response (JARM §4.4) — the
    /// callback's `response` — and returns the callback it carries, for
    /// [`handle_callback`](Self::handle_callback) to check as any other
    /// (`iss`, `state`, a repeated or unrequested parameter). In this
    /// order: the JWS with `keys` through `verifier` (an `alg` the server
    /// lists in `authorization_signing_alg_values_supported`, RS256 when
    /// it lists none; never `none`); `iss` exactly the issuer; `aud`
    /// with the client's id; `exp` not passed (a minute of skew). A login
    /// started with `response_mode` `jwt` (or `query.jwt`,
    /// `form_post.jwt`) takes nothing else.
    ///
    /// The flow is only borrowed: after [`JwtError::UnknownKey`], fetch
    /// the key set again ([`KeySet::refetch`]) and verify once more.
    ///
    /// # Errors
    /// [`CallbackError::ResponseNotSigned`] when the callback has no
    /// `response`; [`CallbackError::ResponseRejected`] with why the JWT
    /// was refused; [`ApiMisuse::ClientMismatch`] for another client.
    pub fn verify_response(
        &self,
        client: &Client,
        callback: &Callback,
        keys: &KeySet,
        verifier: &dyn JwsVerifier,
        now: UnixTime,
    ) -> Result<Callback, CallbackError> {
        if self.origin.credentials(client).is_none() {
            return Err(CallbackError::Misuse(ApiMisuse::ClientMismatch));
        }
        let jwt = callback
            .response
            .as_deref()
            .ok_or(CallbackError::ResponseNotSigned)?;
        let rejected = CallbackError::ResponseRejected;
        let verified = keys
            .verify(jwt, &algorithms(client), verifier)
            .map_err(rejected)?;
        let Unique(claims) = serde_json::from_slice(verified.payload())
            .map_err(|_| rejected(JwtError::ClaimsNotAnObject))?;
        let mut claims = claims.map_err(|name| rejected(JwtError::DuplicateClaim(name)))?;
        let iss = string(&mut claims, "iss")
            .and_then(|iss| iss.ok_or(JwtError::MissingClaim("iss")))
            .map_err(rejected)?;
        if iss != self.origin.issuer {
            return Err(rejected(JwtError::IssuerMismatch(UntrustedText::from(iss))));
        }
        let aud = claims
            .remove("aud")
            .ok_or(JwtError::MissingClaim("aud"))
            .and_then(|aud| strings(aud, "aud"))
            .map_err(rejected)?;
        if !aud.iter().any(|aud| aud == self.origin.client_id.as_str()) {
            return Err(rejected(JwtError::AudienceMismatch));
        }
        let exp = time(&mut claims, "exp")
            .and_then(|exp| exp.ok_or(JwtError::MissingClaim("exp")))
            .map_err(rejected)?;
        if now.saturating_sub(SKEW) >= exp {
            return Err(rejected(JwtError::Expired { exp }));
        }
        let mut pairs: Vec<(Cow<'_, str>, String)> = alloc::vec![(Cow::Borrowed("iss"), iss)];
        for (name, value) in claims {
            let Value::String(value) = value else {
                if PARAMETERS.contains(&name.as_str()) {
                    return Err(rejected(JwtError::InvalidClaim(parameter(&name))));
                }
                continue;
            };
            pairs.push((Cow::Owned(name), value));
        }
        Callback::from_signed(pairs)
    }
}

/// The `&'static` name of one of [`PARAMETERS`].
fn parameter(name: &str) -> &'static str {
    PARAMETERS
        .iter()
        .copied()
        .find(|known| *known == name)
        .unwrap_or("response")
}

/// JARM §2.1, §3: what the server lists, RS256 when it lists nothing.
fn algorithms(client: &Client) -> Vec<JwsAlgorithm> {
    match &client.metadata.authorization_signing_alg_values_supported {
        Some(listed) => listed
            .iter()
            .filter_map(|alg| JwsAlgorithm::from_name(alg))
            .collect(),
        None => alloc::vec![JwsAlgorithm::Rs256],
    }
}

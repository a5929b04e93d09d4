//! The server's signing keys, fetched from its `jwks_uri` and kept
//! (OpenID Connect Core §10.1.1): a cache value an app stores beside its
//! sessions, fresh for the document's `Cache-Control: max-age`, fetched
//! again at most once per [`KEY_SET_REFETCH_INTERVAL`] when a JWS names a
//! `kid` the set does not have.

use alloc::string::String;
use core::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::Client;
use crate::endpoint::Endpoint;
use crate::error::ApiMisuse;
use crate::error::InvalidValue;
use crate::error::JwtError;
use crate::error::{CryptoError, EndpointErrorKind, EndpointKind, Failure};
use crate::http::{HttpRequest, HttpResponse};
use crate::jws::{verify_jws, JwkSet, JwsAlgorithm, JwsVerifier, VerifiedJws};
use crate::limits::MAX_RESPONSE_BODY_BYTES;
use crate::step::{EndpointStep, RequestContext};
use crate::time::UnixTime;
use crate::wire::token::check_status;

/// How long a key set stays fresh when its answer has no `max-age`.
pub const DEFAULT_KEY_SET_MAX_AGE: Duration = Duration::from_secs(10 * 60);

/// The longest a key set stays fresh, whatever its `max-age` says: a
/// revoked key is dropped within a day.
pub const MAX_KEY_SET_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The least time between two fetches of a key set for an unknown `kid`:
/// a forged `kid` makes the client fetch at most once per interval, not
/// once per token.
pub const KEY_SET_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// The stored format's version.
const FORMAT_VERSION: u32 = 1;

/// The server's JWK Set as fetched, with when it was fetched and until
/// when it is fresh: `Serialize + Deserialize`, to keep in the store the
/// app keeps its sessions in and share between its instances.
///
/// - No key set yet: [`KeySet::fetch`] is the step that fetches one.
/// - Stale ([`is_fresh`](Self::is_fresh) false): [`refresh`](Self::refresh)
///   is the step that fetches it again; the stale set still verifies
///   while that runs.
/// - A JWS names a `kid` the set lacks ([`JwtError::UnknownKey`]): the
///   server may have rotated its keys. [`refetch`](Self::refetch) gives
///   the step once per [`KEY_SET_REFETCH_INTERVAL`]; verify again with the
///   new set, and an unknown `kid` then is final.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySet {
    version: u32,
    jwks_uri: Endpoint,
    keys: JwkSet,
    fetched_at: UnixTime,
    fresh_until: UnixTime,
}

impl KeySet {
    /// The step that fetches the key set at `jwks_uri`: for a key set
    /// the server's metadata does not name. The client's own is
    /// [`KeySetFetch::new`].
    ///
    /// # Errors
    /// [`InvalidValue`] when `jwks_uri` is not https (http on loopback).
    pub fn fetch(jwks_uri: &str) -> Result<KeySetFetch, InvalidValue> {
        Ok(KeySetFetch {
            jwks_uri: Endpoint::parse(jwks_uri)?,
        })
    }

    /// Reads a key set stored as JSON ([`to_json`](Self::to_json)); the
    /// keys are read again as strictly as when they were fetched.
    ///
    /// # Errors
    /// A `serde_json` error's text when it is not one, or of another
    /// format version.
    pub fn from_json(json: &[u8]) -> Result<Self, crate::text::UntrustedText> {
        let set: Self = serde_json::from_slice(json)
            .map_err(|error| crate::text::UntrustedText::from(alloc::format!("{error}")))?;
        if set.version != FORMAT_VERSION {
            return Err(crate::text::UntrustedText::from("another format version"));
        }
        Ok(set)
    }

    /// The stored form, as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &JwkSet {
        &self.keys
    }

    /// The `jwks_uri` it was fetched from.
    #[must_use]
    pub fn jwks_uri(&self) -> &Endpoint {
        &self.jwks_uri
    }

    /// When it was fetched.
    #[must_use]
    pub fn fetched_at(&self) -> UnixTime {
        self.fetched_at
    }

    /// Until when it is fresh.
    #[must_use]
    pub fn fresh_until(&self) -> UnixTime {
        self.fresh_until
    }

    /// Whether it is still fresh at `now`.
    #[must_use]
    pub fn is_fresh(&self, now: UnixTime) -> bool {
        now < self.fresh_until
    }

    /// The step that fetches the set again, when it is stale.
    pub fn refresh(&self) -> KeySetFetch {
        KeySetFetch {
            jwks_uri: self.jwks_uri.clone(),
        }
    }

    /// The step that fetches the set again because a JWS named a `kid` it
    /// lacks (Core §10.1.1: the server rotated its keys), at most once
    /// per [`KEY_SET_REFETCH_INTERVAL`] since the last fetch.
    ///
    /// # Errors
    /// [`JwtError`]: the set is as new as a fetch would make it;
    /// the `kid` is unknown to the server.
    pub fn refetch(&self, now: UnixTime) -> Result<KeySetFetch, JwtError> {
        let not_before = self.fetched_at.saturating_add(KEY_SET_REFETCH_INTERVAL);
        if now < not_before {
            return Err(JwtError::KeySetRefetchTooSoon { not_before });
        }
        Ok(self.refresh())
    }

    /// Verifies a compact JWS with these keys ([`verify_jws`]).
    ///
    /// # Errors
    /// [`JwtError`].
    pub fn verify(
        &self,
        jws: &str,
        allowed: &[JwsAlgorithm],
        verifier: &dyn JwsVerifier,
    ) -> Result<VerifiedJws, JwtError> {
        verify_jws(jws, allowed, &self.keys, verifier)
    }
}

/// Fetching the server's JWK Set: an [`EndpointStep`] whose output is the
/// [`KeySet`] to keep.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "the key set must be fetched"]
pub struct KeySetFetch {
    jwks_uri: Endpoint,
}

impl KeySetFetch {
    /// The step that fetches the client's server's key set, at its
    /// metadata's `jwks_uri` (RFC 8414 §2, OpenID Connect Discovery 1.0
    /// §3; [`Client::jwks_uri`]).
    ///
    /// # Errors
    /// [`ApiMisuse::NoEndpoint`] when the metadata names no `jwks_uri`.
    pub fn new(client: &Client) -> Result<Self, ApiMisuse> {
        let jwks_uri = client
            .jwks_uri()
            .ok_or(ApiMisuse::NoEndpoint(EndpointKind::KeySet))?;
        Ok(Self {
            jwks_uri: jwks_uri.clone(),
        })
    }
}

impl EndpointStep for KeySetFetch {
    /// The key set, fresh for the answer's `max-age`.
    type Output = KeySet;

    const ENDPOINT: EndpointKind = EndpointKind::KeySet;

    /// A `GET` of the `jwks_uri`.
    fn request(&self, context: &RequestContext) -> Result<HttpRequest, CryptoError> {
        let _ = context; // a GET of a public document: nothing to sign
        Ok(HttpRequest::get_json(self.jwks_uri.clone()))
    }

    /// Reads the JWK Set (RFC 7517 §5) strictly; it stays fresh for the
    /// answer's `Cache-Control: max-age` (RFC 9111 §5.2.2.1), capped at
    /// [`MAX_KEY_SET_MAX_AGE`], or [`DEFAULT_KEY_SET_MAX_AGE`] without
    /// one; `no-store` or `no-cache` make it stale at once (it still
    /// verifies the token at hand).
    ///
    /// # Errors
    /// A [`Failure`]: 429 and 5xx give the step back; a document that is
    /// not a JWK Set is [`EndpointErrorKind::InvalidMember`]`("keys")` or
    /// another kind for which
    /// [`is_malformed_response`](EndpointErrorKind::is_malformed_response)
    /// holds.
    fn handle_response<'a>(
        self,
        response: impl Into<HttpResponse<'a>>,
        now: UnixTime,
    ) -> Result<KeySet, Failure<KeySetFetch>> {
        let response = response.into();
        match read(&response, now) {
            Ok(keys) => Ok(KeySet {
                version: FORMAT_VERSION,
                fresh_until: now.saturating_add(max_age(response.cache_control())),
                jwks_uri: self.jwks_uri,
                keys,
                fetched_at: now,
            }),
            Err(kind) => Err(Failure::new(Self::ENDPOINT, kind, self)),
        }
    }
}

fn read(response: &HttpResponse<'_>, now: UnixTime) -> Result<JwkSet, EndpointErrorKind> {
    check_status(response, now)?;
    if response.status() != 200 {
        let status = response.status();
        return Err(EndpointErrorKind::UnexpectedStatus { status });
    }
    if response.body().len() > MAX_RESPONSE_BODY_BYTES {
        let limit = MAX_RESPONSE_BODY_BYTES;
        return Err(EndpointErrorKind::TooLarge { limit });
    }
    JwkSet::from_json(response.body()).map_err(|_| EndpointErrorKind::InvalidMember("keys"))
}

/// How long the answer may be kept, from its `Cache-Control` (RFC 9111
/// §5.2.2): `no-store` and `no-cache` → none; `max-age=N` → N seconds,
/// capped; neither → the default.
pub(crate) fn max_age(cache_control: Option<&str>) -> Duration {
    let Some(value) = cache_control else {
        return DEFAULT_KEY_SET_MAX_AGE;
    };
    let mut max_age = None;
    for directive in value.split(',').map(str::trim) {
        let (name, argument) = directive.split_once('=').unwrap_or((directive, ""));
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return Duration::ZERO;
        }
        if name.eq_ignore_ascii_case("max-age") {
            let seconds = argument.trim_matches('"');
            let valid = !seconds.is_empty() && seconds.bytes().all(|b| b.is_ascii_digit());
            // RFC 9111 §1.2.2: too large a number means "a very long
            // time"; the cap bounds it anyway.
            let parsed = seconds.parse::<u64>().unwrap_or(u64::MAX);
            max_age = Some(if valid {
                Duration::from_secs(parsed)
            } else {
                Duration::ZERO
            });
        }
    }
    max_age
        .unwrap_or(DEFAULT_KEY_SET_MAX_AGE)
        .min(MAX_KEY_SET_MAX_AGE)
}

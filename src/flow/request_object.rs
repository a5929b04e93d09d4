//! JWT-Secured Authorization Requests (RFC 9101): the authorization
//! request's parameters as the claims of a JWT the client signs.

use alloc::string::String;
use alloc::vec::Vec;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::config::Client;
use crate::error::ConfigError;
use crate::jws::{request_object, ClientAssertionKey};
use crate::secret::State;
use crate::time::UnixTime;

/// How long a request object is good for: `exp` after `nbf` (FAPI 2.0
/// Message Signing §5.3.1 caps it at 60 minutes; a login needs minutes).
const LIFETIME_SECS: u64 = 300;

/// The parameters the authorization URL (or the pushed request) carries:
/// all of them, or — when the client signs its requests — `client_id` and
/// the `request` object holding all of them (RFC 9101 §5, RFC 9126 §3).
pub(crate) fn outgoing(
    client: &Client,
    parameters: Vec<(String, String)>,
    state: &State,
    now: UnixTime,
) -> Result<Vec<(String, String)>, ConfigError> {
    let Some(key) = &client.request_object_key else {
        return Ok(parameters);
    };
    let jwt = sign(key, client, parameters, state, now)?;
    Ok(alloc::vec![
        (
            String::from("client_id"),
            String::from(client.client_id.as_str())
        ),
        (String::from("request"), jwt),
    ])
}

/// The request object (RFC 9101 §4): every parameter as a claim (a
/// parameter given several times, `resource`, as an array;
/// `authorization_details` as the JSON array it holds), `iss` the
/// client, `aud` the issuer (§10.2 against audience confusion), `iat`,
/// `nbf`, `exp` and a `jti` drawn from the flow's `state`.
fn sign(
    key: &ClientAssertionKey,
    client: &Client,
    parameters: Vec<(String, String)>,
    state: &State,
    now: UnixTime,
) -> Result<String, ConfigError> {
    let mut claims = Map::new();
    for (name, value) in parameters {
        // RFC 9396 §3: in a request object, a JSON array, not its text.
        if name == "authorization_details" {
            if let Ok(details) = serde_json::from_str::<Value>(&value) {
                claims.insert(name, details);
                continue;
            }
        }
        match claims.get_mut(&name) {
            None => {
                claims.insert(name, Value::String(value));
            }
            Some(Value::Array(values)) => values.push(Value::String(value)),
            Some(first) => {
                let first = first.take();
                claims.insert(name, Value::Array(alloc::vec![first, Value::String(value)]));
            }
        }
    }
    let iat = now.as_secs();
    claims.insert("iss".into(), client.client_id.as_str().into());
    claims.insert("aud".into(), client.issuer.as_str().into());
    claims.insert("iat".into(), iat.into());
    claims.insert("nbf".into(), iat.into());
    claims.insert("exp".into(), iat.saturating_add(LIFETIME_SECS).into());
    claims.insert("jti".into(), jti(state).into());
    request_object(key, &claims).map_err(ConfigError::RequestObjectNotSigned)
}

/// A `jti` unique to the flow: half of SHA-256 over the `state`, which the
/// same object carries anyway.
fn jti(state: &State) -> String {
    let digest = Sha256::new()
        .chain_update(b"request object jti\0")
        .chain_update(state.secret().as_bytes())
        .finalize();
    Base64UrlUnpadded::encode_string(digest.get(..16).unwrap_or_default())
}

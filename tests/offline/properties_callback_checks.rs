//! Properties of the callback checks: the order of the parameters never
//! changes the outcome, and any one-character change to `iss` is refused
//! (RFC 9207 §2.4: exact string comparison).

use oauth2_pkce::errors::CallbackError;
use oauth2_pkce::*;
use proptest::prelude::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const ISSUER: &str = "https://sso.pageroonline.com/oauth/v2/oauth-anonymous";

fn client() -> Client {
    Client::new(
        Preset::pagero()
            .metadata()
            .clone()
            .with_authorization_response_iss_parameter_supported(true),
        ClientId::new("app").unwrap(),
        ClientAuthentication::ClientSecretBasic(ClientSecret::new("secret")),
    )
    .unwrap()
    .with_redirect_uri(RedirectUri::new("https://urltoclient:4443").unwrap())
}

fn pending(client: &Client, seed: u8) -> AwaitingCallback {
    Start::new(client)
        .begin(FlowEntropy::from_bytes([seed; 64]), NOW)
        .unwrap()
        .1
}

/// Form-encodes everything but unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The outcome of a callback, comparable across runs: the error, or the
/// token request the accepted code leads to.
fn outcome(
    client: &Client,
    pending: AwaitingCallback,
    query: &str,
) -> Result<Vec<u8>, CallbackError> {
    let callback = Callback::from_query(query)?;
    pending
        .handle_callback(client, callback)
        .map(|exchanging| exchanging.request(&crate::CONTEXT).unwrap().body().to_vec())
}

/// One of the parameters a callback can carry, with a value the strategy
/// picks to be right, wrong or empty.
fn parameter() -> impl Strategy<Value = (&'static str, u8)> {
    (
        prop::sample::select(vec![
            "code",
            "state",
            "iss",
            "error",
            "error_description",
            "unknown",
        ]),
        0..3u8,
    )
}

proptest! {
    /// Any permutation of the same parameters gives the same outcome.
    #[test]
    fn reordering_parameters_never_changes_the_outcome(
        params in prop::collection::btree_map(parameter().prop_map(|(n, _)| n), 0..3u8, 0..6),
        seed in any::<u8>(),
        shuffle in any::<prop::sample::Index>(),
    ) {
        let client = client();
        let state = pending(&client, seed).state().secret().to_owned();
        let value = |name: &str, kind: u8| match (name, kind) {
            (_, 2) => String::new(),
            ("state", 0) => state.clone(),
            ("iss", 0) => ISSUER.to_owned(),
            ("error", 0) => "access_denied".to_owned(),
            (_, 0) => "right".to_owned(),
            _ => "wrong value".to_owned(),
        };
        let mut pairs: Vec<String> = params
            .iter()
            .map(|(name, kind)| format!("{name}={}", encode(&value(name, *kind))))
            .collect();
        let expected = outcome(&client, pending(&client, seed), &pairs.join("&"));
        let len = pairs.len().max(1);
        pairs.rotate_left(shuffle.index(len) % len);
        pairs.reverse();
        prop_assert_eq!(outcome(&client, pending(&client, seed), &pairs.join("&")), expected);
    }

    /// Any one-character change to `iss` is refused as an issuer mismatch,
    /// even when everything else is right.
    #[test]
    fn changed_iss_is_always_refused(
        index in any::<prop::sample::Index>(),
        replacement in any::<char>(),
        change in 0..3u8,
    ) {
        let client = client();
        let pending = pending(&client, 7);
        let mut iss: Vec<char> = ISSUER.chars().collect();
        let at = index.index(iss.len());
        match change {
            0 => {
                prop_assume!(iss[at] != replacement);
                iss[at] = replacement;
            }
            1 => iss.insert(at, replacement),
            _ => { iss.remove(at); }
        }
        let iss: String = iss.into_iter().collect();
        let query = format!("code=c&state={}&iss={}", pending.state().secret(), encode(&iss));
        prop_assert_eq!(
            outcome(&client, pending, &query),
            Err(CallbackError::IssuerMismatch { received: iss.into() })
        );
    }
}

#[test]
fn the_right_iss_is_accepted() {
    let client = client();
    let pending = pending(&client, 7);
    let query = format!(
        "code=c&state={}&iss={}",
        pending.state().secret(),
        encode(ISSUER)
    );
    assert!(outcome(&client, pending, &query).is_ok());
}

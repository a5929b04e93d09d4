//! The caps on outside input are the sizes their documentation gives: a
//! provider's engineer reads "(16 KiB)" on docs.rs and sizes a token by it.

use oauth2_pkce::limits::*;

const SOURCE: &str = include_str!("../../src/limits.rs");

/// The figure the doc comment above `pub const {name}` gives first, in
/// bytes: "(16 KiB", "(128 bytes", "(64)" or "(64:".
fn documented(name: &str) -> usize {
    let at = SOURCE
        .find(&format!("pub const {name}: usize"))
        .unwrap_or_else(|| panic!("{name} is not in src/limits.rs"));
    let doc: String = SOURCE[..at]
        .lines()
        .rev()
        .take_while(|line| line.starts_with("///"))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join(" ");
    doc.match_indices('(')
        .find_map(|(open, _)| {
            let rest = &doc[open + 1..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let number: usize = rest[..digits].parse().ok()?;
            let unit = &rest[digits..];
            if unit.starts_with(" KiB") {
                Some(number * 1024)
            } else if unit.starts_with(" bytes") || unit.starts_with(')') || unit.starts_with(':') {
                Some(number)
            } else {
                None
            }
        })
        .unwrap_or_else(|| panic!("the doc comment of {name} gives no figure: {doc}"))
}

#[test]
fn every_cap_is_the_size_its_documentation_gives() {
    let caps = [
        ("MAX_CALLBACK_BYTES", MAX_CALLBACK_BYTES),
        ("MAX_PARAMETER_BYTES", MAX_PARAMETER_BYTES),
        ("MAX_CALLBACK_PARAMETERS", MAX_CALLBACK_PARAMETERS),
        ("MAX_RESPONSE_BODY_BYTES", MAX_RESPONSE_BODY_BYTES),
        ("MAX_USER_CODE_BYTES", MAX_USER_CODE_BYTES),
        ("MAX_VERIFICATION_URI_BYTES", MAX_VERIFICATION_URI_BYTES),
        ("MAX_TOKEN_TYPE_ALIAS_BYTES", MAX_TOKEN_TYPE_ALIAS_BYTES),
        ("MAX_WWW_AUTHENTICATE_BYTES", MAX_WWW_AUTHENTICATE_BYTES),
        ("MAX_STORED_STATE_BYTES", MAX_STORED_STATE_BYTES),
        ("MAX_SHOWN_CHARS", MAX_SHOWN_CHARS),
        ("MAX_RESOURCE_INDICATOR_BYTES", MAX_RESOURCE_INDICATOR_BYTES),
        ("MAX_RESOURCE_INDICATORS", MAX_RESOURCE_INDICATORS),
        ("MAX_PRIVATE_KEY_BYTES", MAX_PRIVATE_KEY_BYTES),
        ("MAX_JWS_BYTES", MAX_JWS_BYTES),
        ("MAX_KEY_SET_KEYS", MAX_KEY_SET_KEYS),
        (
            "MAX_AUTHORIZATION_DETAILS_BYTES",
            MAX_AUTHORIZATION_DETAILS_BYTES,
        ),
        ("MAX_AUTHORIZATION_DETAILS", MAX_AUTHORIZATION_DETAILS),
    ];
    // Every cap of the module is in the list.
    assert_eq!(SOURCE.matches("pub const ").count(), caps.len());
    for (name, value) in caps {
        assert_eq!(documented(name), value, "{name}");
    }
}

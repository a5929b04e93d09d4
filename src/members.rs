//! The members of a token response or a metadata document that the crate
//! does not model, kept as they were sent, behind types of the crate's
//! own so that no JSON library's types are part of its API.

use alloc::collections::BTreeMap;
use alloc::string::String;
use core::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::InvalidValue;
use crate::text::UntrustedText;

/// Members this crate does not model, by name, as they were sent
/// (Pagero's `claims`, OpenID Connect's `id_token`, `userinfo_endpoint` in
/// metadata, a provider's nested objects).
///
/// Values may be secret (an ID token), so `Debug` shows the names only.
///
/// ```
/// # use oauth2_pkce::*;
/// use oauth2_pkce::values::{ExtraMembers, MemberValue};
/// let mut extra = ExtraMembers::default();
/// extra.insert("claims", "publicid");
/// assert_eq!(extra.get("claims").and_then(MemberValue::as_str), Some("publicid"));
/// assert!(!extra.contains("id_token"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExtraMembers(BTreeMap<String, MemberValue>);

impl ExtraMembers {
    /// The member `name`, if it was sent.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&MemberValue> {
        self.0.get(name)
    }

    /// Takes a member out, for a value the crate must not hand out as
    /// received (an OpenID Connect `id_token` nothing verified).
    pub(crate) fn remove(&mut self, name: &str) -> Option<MemberValue> {
        self.0.remove(name)
    }

    /// Whether the member `name` was sent.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The members, in the order of their names.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MemberValue)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value))
    }

    /// The members' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// How many members there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds or replaces the member `name` (for metadata written by hand).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<MemberValue>) {
        self.0.insert(name.into(), value.into());
    }

    /// The map as it is: no copy of the members.
    pub(crate) fn from_map(members: BTreeMap<String, MemberValue>) -> Self {
        Self(members)
    }

    /// The members of a JSON object read whole (an ID token's other
    /// claims).
    pub(crate) fn from_values(values: BTreeMap<String, Value>) -> Self {
        Self(
            values
                .into_iter()
                .map(|(name, value)| (name, MemberValue(value)))
                .collect(),
        )
    }
}

impl fmt::Debug for ExtraMembers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.0.keys().map(|name| crate::text::Escaped(name)))
            .finish()
    }
}

/// One member's value, as sent: read it as a string, a number or a
/// boolean, or deserialize it into a type of the caller's (a provider's
/// nested object, for example).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberValue(Value);

impl MemberValue {
    pub(crate) fn from_value(value: Value) -> Self {
        Self(value)
    }

    pub(crate) fn into_value(self) -> Value {
        self.0
    }

    /// The value if it is a string.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_str()
    }

    /// The value if it is a non-negative integer.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        self.0.as_u64()
    }

    /// The value if it is an integer.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        self.0.as_i64()
    }

    /// The value if it is a number.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }

    /// The value if it is a boolean.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }

    /// Whether the value is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        self.0.is_null()
    }

    /// The value as JSON text.
    #[must_use]
    pub fn to_json(&self) -> String {
        alloc::format!("{}", self.0)
    }

    /// The value deserialized into `T`.
    ///
    /// # Errors
    /// [`InvalidValue`] when the value does not have `T`'s shape.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, InvalidValue> {
        serde_json::from_value(self.0.clone()).map_err(|error| {
            InvalidValue::MemberType(UntrustedText::from(alloc::format!("{error}")))
        })
    }

    /// What kind of JSON value this is, for `Debug`.
    fn kind(&self) -> &'static str {
        match &self.0 {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

impl fmt::Debug for MemberValue {
    /// The kind only: a value may be secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemberValue({}, [redacted])", self.kind())
    }
}

impl PartialEq<str> for MemberValue {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for MemberValue {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl From<&str> for MemberValue {
    fn from(value: &str) -> Self {
        Self(Value::String(String::from(value)))
    }
}

impl From<String> for MemberValue {
    fn from(value: String) -> Self {
        Self(Value::String(value))
    }
}

impl From<bool> for MemberValue {
    fn from(value: bool) -> Self {
        Self(Value::Bool(value))
    }
}

impl From<u64> for MemberValue {
    fn from(value: u64) -> Self {
        Self(Value::from(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec::Vec;

    #[test]
    fn values_read_as_their_kind() {
        let members: ExtraMembers = serde_json::from_str(
            r#"{"s":"x","n":7,"f":1.5,"b":true,"z":null,"o":{"user":"u1","scopes":["a"]}}"#,
        )
        .unwrap();
        assert_eq!(members.len(), 6);
        assert_eq!(members.get("s").unwrap(), "x");
        assert_eq!(members.get("n").and_then(MemberValue::as_u64), Some(7));
        assert_eq!(members.get("n").and_then(MemberValue::as_i64), Some(7));
        assert_eq!(members.get("f").and_then(MemberValue::as_f64), Some(1.5));
        assert_eq!(members.get("b").and_then(MemberValue::as_bool), Some(true));
        assert!(members.get("z").unwrap().is_null());
        assert_eq!(members.get("s").unwrap().to_json(), r#""x""#);

        #[derive(Deserialize, PartialEq, Debug)]
        struct Nested {
            user: String,
            scopes: Vec<String>,
        }
        let nested: Nested = members.get("o").unwrap().deserialize().unwrap();
        assert_eq!(nested.user, "u1");
        assert!(members.get("s").unwrap().deserialize::<Nested>().is_err());
        assert_eq!(
            members.names().collect::<Vec<_>>(),
            ["b", "f", "n", "o", "s", "z"]
        );
    }

    /// Each reader answers for its own kind only; a string compares
    /// equal to its text and to nothing else; `Debug` names the kind.
    #[test]
    fn readers_answer_for_their_kind_only() {
        let members: ExtraMembers =
            serde_json::from_str(r#"{"s":"x","n":7,"b":false,"z":null,"a":[1],"o":{}}"#).unwrap();
        let value = |name| members.get(name).unwrap();
        assert_eq!(value("b").as_bool(), Some(false));
        assert_eq!(value("s").as_bool(), None);
        assert!(value("z").is_null() && !value("s").is_null());
        assert!(*value("s") == *"x" && *value("s") != *"y" && *value("n") != *"7");
        assert!(value("s").eq(&"x") && value("s").ne(&"y") && value("n").ne(&"7"));
        let kinds: Vec<_> = ["z", "b", "n", "s", "a", "o"]
            .into_iter()
            .map(|name| format!("{:?}", value(name)))
            .collect();
        assert_eq!(
            kinds,
            [
                "MemberValue(null, [redacted])",
                "MemberValue(boolean, [redacted])",
                "MemberValue(number, [redacted])",
                "MemberValue(string, [redacted])",
                "MemberValue(array, [redacted])",
                "MemberValue(object, [redacted])",
            ]
        );
    }

    #[test]
    fn debug_shows_names_not_values() {
        let mut members = ExtraMembers::default();
        members.insert("id_token", "SECRET-id-token");
        members.insert("bad\r\nname", 1_u64);
        let printed = format!("{members:?} {:?}", members.get("id_token"));
        assert!(!printed.contains("SECRET"), "{printed}");
        assert!(printed.contains("id_token") && printed.contains(r"bad\r\nname"));
    }

    #[test]
    fn round_trips_as_a_json_object() {
        let json = r#"{"a":[1,2],"b":{"c":"d"}}"#;
        let members: ExtraMembers = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&members).unwrap(), json);
    }
}

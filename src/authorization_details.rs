//! Rich authorization requests (RFC 9396): what a token is for, as JSON
//! objects of a `type` the authorization server defines, beside or instead
//! of `scope`.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::error::{ConfigError, InvalidValue};
use crate::limits::{MAX_AUTHORIZATION_DETAILS, MAX_AUTHORIZATION_DETAILS_BYTES};
use crate::members::{ExtraMembers, MemberValue};
use crate::text::{Escaped, UntrustedText};

/// The common data fields of RFC 9396 §2.2, and `type` (§2): the members
/// this crate types; every other member is kept as sent.
const COMMON: [&str; 6] = [
    "type",
    "locations",
    "actions",
    "datatypes",
    "identifier",
    "privileges",
];

/// One authorization details object (RFC 9396 §2): its `type`, the common
/// data fields of §2.2 typed, every other member kept, and the object's
/// JSON text exactly as it was received (or as it was built), so that an
/// application reads a type's own members (`payment_initiation`'s
/// `instructedAmount`) with the JSON library of its choice.
///
/// `Debug` shows the `type` and the common fields escaped
/// ([`UntrustedText`]), and the other members by name only: they may hold
/// personal data (an IBAN, an amount, RFC 9396 §13).
///
/// ```
/// use oauth2_pkce::resource::{AuthorizationDetail, AuthorizationDetails};
/// let details = AuthorizationDetails::from_json(
///     r#"[{"type":"payment_initiation","actions":["initiate"],
///         "instructedAmount":{"currency":"EUR","amount":"123.50"}}]"#,
/// )?;
/// let payment: &AuthorizationDetail = details.iter().next().unwrap();
/// assert_eq!(payment.detail_type(), "payment_initiation");
/// assert_eq!(payment.actions(), ["initiate"]);
/// assert_eq!(
///     payment.member("instructedAmount").unwrap().to_json(),
///     r#"{"amount":"123.50","currency":"EUR"}"#
/// );
/// assert!(payment.json().contains(r#"{"currency":"EUR","amount":"123.50"}"#));
/// # Ok::<(), oauth2_pkce::errors::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct AuthorizationDetail {
    /// The object's JSON text, exactly as received or built.
    json: String,
    detail_type: String,
    locations: Vec<String>,
    actions: Vec<String>,
    datatypes: Vec<String>,
    identifier: Option<String>,
    privileges: Vec<String>,
    members: ExtraMembers,
}

impl AuthorizationDetail {
    /// Starts an authorization details object of `detail_type` (RFC 9396
    /// §2: required, a string the authorization server knows; its
    /// `authorization_details_types_supported` lists them, §10).
    pub fn builder(detail_type: impl Into<String>) -> AuthorizationDetailBuilder {
        AuthorizationDetailBuilder {
            detail_type: detail_type.into(),
            locations: Vec::new(),
            actions: Vec::new(),
            datatypes: Vec::new(),
            identifier: None,
            privileges: Vec::new(),
            members: BTreeMap::new(),
            problem: None,
        }
    }

    /// Reads one authorization details object from its JSON text: a JSON
    /// object with a non-empty string `type`; the common data fields,
    /// when present, of their types (§2.2); no member twice.
    ///
    /// # Errors
    /// [`InvalidValue::AuthorizationDetailsMalformed`],
    /// [`InvalidValue::AuthorizationDetailType`] or
    /// [`InvalidValue::AuthorizationDetailMember`].
    pub fn from_json(json: &str) -> Result<Self, InvalidValue> {
        if json.len() > MAX_AUTHORIZATION_DETAILS_BYTES {
            return Err(InvalidValue::AuthorizationDetailsTooLarge {
                limit: MAX_AUTHORIZATION_DETAILS_BYTES,
            });
        }
        let UniqueObject(mut object) =
            serde_json::from_str(json).map_err(|_| InvalidValue::AuthorizationDetailsMalformed)?;
        let detail_type = match object.remove("type") {
            Some(Value::String(detail_type)) if !detail_type.is_empty() => detail_type,
            _ => return Err(InvalidValue::AuthorizationDetailType),
        };
        let mut strings = |name: &'static str| match object.remove(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(item) => Ok(item),
                    _ => Err(InvalidValue::AuthorizationDetailMember(name)),
                })
                .collect(),
            Some(_) => Err(InvalidValue::AuthorizationDetailMember(name)),
        };
        let locations = strings("locations")?;
        let actions = strings("actions")?;
        let datatypes = strings("datatypes")?;
        let privileges = strings("privileges")?;
        let identifier = match object.remove("identifier") {
            None => None,
            Some(Value::String(identifier)) => Some(identifier),
            Some(_) => return Err(InvalidValue::AuthorizationDetailMember("identifier")),
        };
        Ok(Self {
            json: String::from(json),
            detail_type,
            locations,
            actions,
            datatypes,
            identifier,
            privileges,
            members: ExtraMembers::from_values(object),
        })
    }

    /// The object's JSON text, exactly as it was received (or built):
    /// for a type's own members, read with any JSON library.
    #[must_use]
    pub fn json(&self) -> &str {
        &self.json
    }

    /// `type` (RFC 9396 §2): which kind of authorization this is.
    #[must_use]
    pub fn detail_type(&self) -> &str {
        &self.detail_type
    }

    /// `locations` (§2.2): where the resources are, URIs as strings.
    #[must_use]
    pub fn locations(&self) -> &[String] {
        &self.locations
    }

    /// `actions` (§2.2): what may be done at the resources.
    #[must_use]
    pub fn actions(&self) -> &[String] {
        &self.actions
    }

    /// `datatypes` (§2.2): the kinds of data asked for.
    #[must_use]
    pub fn datatypes(&self) -> &[String] {
        &self.datatypes
    }

    /// `identifier` (§2.2): one specific resource at the locations.
    #[must_use]
    pub fn identifier(&self) -> Option<&str> {
        self.identifier.as_deref()
    }

    /// `privileges` (§2.2): the privilege levels asked for.
    #[must_use]
    pub fn privileges(&self) -> &[String] {
        &self.privileges
    }

    /// A member of the type's own (not `type` nor a common field), as sent.
    #[must_use]
    pub fn member(&self, name: &str) -> Option<&MemberValue> {
        self.members.get(name)
    }

    /// Every member of the type's own, by name.
    #[must_use]
    pub fn members(&self) -> &ExtraMembers {
        &self.members
    }
}

impl fmt::Debug for AuthorizationDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escaped = |items: &[String]| -> Vec<UntrustedText> {
            items
                .iter()
                .map(|item| UntrustedText::from(item.as_str()))
                .collect()
        };
        f.debug_struct("AuthorizationDetail")
            .field("type", &Escaped(&self.detail_type))
            .field("locations", &escaped(&self.locations))
            .field("actions", &escaped(&self.actions))
            .field("datatypes", &escaped(&self.datatypes))
            .field("identifier", &self.identifier.as_deref().map(Escaped))
            .field("privileges", &escaped(&self.privileges))
            .field("members", &self.members)
            .finish()
    }
}

/// Builds an [`AuthorizationDetail`]; from [`AuthorizationDetail::builder`].
///
/// ```
/// use oauth2_pkce::resource::AuthorizationDetail;
/// let payment = AuthorizationDetail::builder("payment_initiation")
///     .action("initiate")
///     .location("https://example.com/payments")
///     .member_json("instructedAmount", r#"{"currency":"EUR","amount":"123.50"}"#)
///     .member("creditorName", "Merchant A")
///     .build()?;
/// assert_eq!(
///     payment.json(),
///     r#"{"type":"payment_initiation","locations":["https://example.com/payments"],"actions":["initiate"],"creditorName":"Merchant A","instructedAmount":{"currency":"EUR","amount":"123.50"}}"#
/// );
/// # Ok::<(), oauth2_pkce::errors::InvalidValue>(())
/// ```
#[must_use = "nothing is built until `build` is called"]
#[derive(Clone, Debug)]
pub struct AuthorizationDetailBuilder {
    detail_type: String,
    locations: Vec<String>,
    actions: Vec<String>,
    datatypes: Vec<String>,
    identifier: Option<String>,
    privileges: Vec<String>,
    /// The type's own members, as JSON text.
    members: BTreeMap<String, String>,
    /// The first mistake, reported by `build`.
    problem: Option<InvalidValue>,
}

impl AuthorizationDetailBuilder {
    /// Adds a `locations` entry (§2.2).
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.locations.push(location.into());
        self
    }

    /// Adds an `actions` entry (§2.2).
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.actions.push(action.into());
        self
    }

    /// Adds a `datatypes` entry (§2.2).
    pub fn datatype(mut self, datatype: impl Into<String>) -> Self {
        self.datatypes.push(datatype.into());
        self
    }

    /// Sets `identifier` (§2.2).
    pub fn identifier(mut self, identifier: impl Into<String>) -> Self {
        self.identifier = Some(identifier.into());
        self
    }

    /// Adds a `privileges` entry (§2.2).
    pub fn privilege(mut self, privilege: impl Into<String>) -> Self {
        self.privileges.push(privilege.into());
        self
    }

    /// A member of the type's own: a string, a number or a boolean.
    pub fn member(self, name: impl Into<String>, value: impl Into<MemberValue>) -> Self {
        let json = value.into().to_json();
        self.add_member(name.into(), json)
    }

    /// A member of the type's own given as JSON text (an object, an
    /// array, …): checked to be one JSON value, and sent as written.
    pub fn member_json(self, name: impl Into<String>, json: impl Into<String>) -> Self {
        let json = json.into();
        let checked = serde_json::from_str::<&RawValue>(&json).map(|raw| String::from(raw.get()));
        match checked {
            Ok(json) => self.add_member(name.into(), json),
            Err(_) => self.fail(InvalidValue::AuthorizationDetailsMalformed),
        }
    }

    fn add_member(mut self, name: String, json: String) -> Self {
        if let Some(common) = COMMON.iter().find(|common| **common == name) {
            return self.fail(InvalidValue::AuthorizationDetailMember(common));
        }
        if self.members.insert(name, json).is_some() {
            return self.fail(InvalidValue::AuthorizationDetailsMalformed);
        }
        self
    }

    fn fail(mut self, problem: InvalidValue) -> Self {
        self.problem.get_or_insert(problem);
        self
    }

    /// The authorization details object: `type` first, then the common
    /// fields given, then the type's own members by name.
    ///
    /// # Errors
    /// [`InvalidValue::AuthorizationDetailType`] for an empty `type`;
    /// [`InvalidValue::AuthorizationDetailMember`] for a member named as a
    /// common field; [`InvalidValue::AuthorizationDetailsMalformed`] for
    /// a member given twice or JSON text that is not one value.
    pub fn build(self) -> Result<AuthorizationDetail, InvalidValue> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        if self.detail_type.is_empty() {
            return Err(InvalidValue::AuthorizationDetailType);
        }
        let mut json = String::from("{");
        let mut write = |name: &str, value: String| {
            if json.len() > 1 {
                json.push(',');
            }
            json.push_str(&quoted(name));
            json.push(':');
            json.push_str(&value);
        };
        write("type", quoted(&self.detail_type));
        let list = |items: &[String]| serde_json::to_string(items).unwrap_or_default();
        for (name, items) in [
            ("locations", &self.locations),
            ("actions", &self.actions),
            ("datatypes", &self.datatypes),
        ] {
            if !items.is_empty() {
                write(name, list(items));
            }
        }
        if let Some(identifier) = &self.identifier {
            write("identifier", quoted(identifier));
        }
        if !self.privileges.is_empty() {
            write("privileges", list(&self.privileges));
        }
        for (name, value) in self.members {
            write(&name, value);
        }
        json.push('}');
        AuthorizationDetail::from_json(&json)
    }
}

/// `text` as a JSON string.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// The `authorization_details` of a request or a response (RFC 9396 §2):
/// a list of [`AuthorizationDetail`]s, in order.
///
/// On the wire it is a JSON array: URL-encoded in an authorization
/// request or a token request (§3, §6), an array claim in a request
/// object (§3, RFC 9101), a member of a token response (§7) or an
/// introspection answer (§9.2). Stored (serde) as the text of that array,
/// each object exactly as received.
#[derive(Clone, Default, PartialEq)]
pub struct AuthorizationDetails(Vec<AuthorizationDetail>);

impl AuthorizationDetails {
    /// No authorization details.
    #[must_use]
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Reads `authorization_details` from its JSON text: an array of
    /// authorization details objects ([`AuthorizationDetail::from_json`]),
    /// at most [`MAX_AUTHORIZATION_DETAILS`] of them, the whole at most
    /// [`MAX_AUTHORIZATION_DETAILS_BYTES`].
    ///
    /// # Errors
    /// [`InvalidValue::AuthorizationDetailsTooLarge`],
    /// [`InvalidValue::TooManyAuthorizationDetails`], and as
    /// [`AuthorizationDetail::from_json`].
    pub fn from_json(json: &str) -> Result<Self, InvalidValue> {
        if json.len() > MAX_AUTHORIZATION_DETAILS_BYTES {
            return Err(InvalidValue::AuthorizationDetailsTooLarge {
                limit: MAX_AUTHORIZATION_DETAILS_BYTES,
            });
        }
        let items: Vec<Box<RawValue>> =
            serde_json::from_str(json).map_err(|_| InvalidValue::AuthorizationDetailsMalformed)?;
        if items.len() > MAX_AUTHORIZATION_DETAILS {
            return Err(InvalidValue::TooManyAuthorizationDetails {
                limit: MAX_AUTHORIZATION_DETAILS,
            });
        }
        items
            .iter()
            .map(|item| AuthorizationDetail::from_json(item.get()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Adds an object at the end.
    ///
    /// # Errors
    /// [`InvalidValue::TooManyAuthorizationDetails`]; nothing changes.
    pub fn push(&mut self, detail: AuthorizationDetail) -> Result<(), InvalidValue> {
        if self.0.len() >= MAX_AUTHORIZATION_DETAILS {
            return Err(InvalidValue::TooManyAuthorizationDetails {
                limit: MAX_AUTHORIZATION_DETAILS,
            });
        }
        self.0.push(detail);
        Ok(())
    }

    /// The list with `detail` added at the end, for building in one
    /// expression.
    ///
    /// # Errors
    /// As [`push`](Self::push).
    pub fn with(mut self, detail: AuthorizationDetail) -> Result<Self, InvalidValue> {
        self.push(detail)?;
        Ok(self)
    }

    /// The JSON array, each object's text as received or built.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut json = String::from("[");
        for (index, detail) in self.0.iter().enumerate() {
            if index > 0 {
                json.push(',');
            }
            json.push_str(&detail.json);
        }
        json.push(']');
        json
    }

    /// The objects, in order.
    pub fn iter(&self) -> core::slice::Iter<'_, AuthorizationDetail> {
        self.0.iter()
    }

    /// The objects, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[AuthorizationDetail] {
        &self.0
    }

    /// Each object's `type`, in order (a type may appear more than once).
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(AuthorizationDetail::detail_type)
    }

    /// How many objects there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a AuthorizationDetails {
    type Item = &'a AuthorizationDetail;
    type IntoIter = core::slice::Iter<'a, AuthorizationDetail>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Debug for AuthorizationDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl Serialize for AuthorizationDetails {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_json())
    }
}

impl<'de> Deserialize<'de> for AuthorizationDetails {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = String::deserialize(deserializer)?;
        AuthorizationDetails::from_json(&json).map_err(serde::de::Error::custom)
    }
}

/// Appends `authorization_details` (RFC 9396 §3, §6), the JSON array as
/// text, unless there are none.
pub(crate) fn emit(details: &AuthorizationDetails, emit: &mut dyn FnMut(&str, &str)) {
    if !details.is_empty() {
        emit("authorization_details", &details.to_json());
    }
}

/// For `skip_serializing_if` on stored authorization details.
#[allow(clippy::ptr_arg)] // serde's `skip_serializing_if` hands over the field itself
pub(crate) fn details_are_empty(details: &alloc::borrow::Cow<'_, AuthorizationDetails>) -> bool {
    details.is_empty()
}

/// Refuses `details` of a `type` the server does not list, when it lists
/// its types (RFC 9396 §10: `authorization_details_types_supported`).
pub(crate) fn check_supported(
    details: &AuthorizationDetails,
    supported: Option<&[String]>,
) -> Result<(), ConfigError> {
    match unsupported_type(details, supported) {
        Some(detail_type) => Err(ConfigError::AuthorizationDetailsTypeNotSupported(
            UntrustedText::from(detail_type),
        )),
        None => Ok(()),
    }
}

/// The first `type` of `details` that `supported` does not list, when the
/// server lists its types.
fn unsupported_type<'a>(
    details: &'a AuthorizationDetails,
    supported: Option<&[String]>,
) -> Option<&'a str> {
    let supported = supported?;
    details
        .types()
        .find(|detail_type| !supported.iter().any(|s| s == detail_type))
}

/// A JSON object read with no member twice: which one to believe is
/// undefined, so neither is.
struct UniqueObject(BTreeMap<String, Value>);

impl<'de> Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = UniqueObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueObject, A::Error> {
                let mut object = BTreeMap::new();
                while let Some(name) = map.next_key::<String>()? {
                    let value: Value = map.next_value()?;
                    if object.contains_key(&name) {
                        return Err(serde::de::Error::custom("a member appears twice"));
                    }
                    object.insert(name, value);
                }
                Ok(UniqueObject(object))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

#[cfg(test)]
mod tests;

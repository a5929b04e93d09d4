//! Resource indicators (RFC 8707): which protected resource a token is
//! asked for.

use alloc::string::String;
use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

use crate::error::InvalidValue;
use crate::limits::MAX_RESOURCE_INDICATOR_BYTES;
use crate::text::UntrustedText;

/// A resource indicator (RFC 8707 §2): the absolute URI of a protected
/// resource a token is asked for, sent as `resource` in the authorization
/// request, the pushed authorization request, the code exchange and a
/// refresh. An authorization server may then restrict the token's
/// audience to it.
///
/// Kept as the exact string given: a server compares it as a string, and
/// a resource's metadata must name it byte for byte (RFC 9728 §3.3).
///
/// ```
/// # use oauth2_pkce::*;
/// use oauth2_pkce::errors::InvalidValue;
/// use oauth2_pkce::resource::ResourceIndicator;
/// let api = ResourceIndicator::new("https://api.example.com/mcp")?;
/// assert_eq!(api.as_str(), "https://api.example.com/mcp");
/// assert_eq!(
///     ResourceIndicator::new("https://api.example.com/#top").unwrap_err(),
///     InvalidValue::ResourceHasFragment
/// );
/// # Ok::<(), InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResourceIndicator(String);

impl ResourceIndicator {
    /// Checks a resource indicator: an absolute URI (RFC 3986 §4.3) of
    /// printable ASCII, without a fragment (RFC 8707 §2). A query is
    /// accepted, although §2 advises against one.
    ///
    /// # Errors
    /// See [`InvalidValue`].
    pub fn new(resource: impl Into<String>) -> Result<Self, InvalidValue> {
        let resource = resource.into();
        if resource.len() > MAX_RESOURCE_INDICATOR_BYTES {
            return Err(InvalidValue::ResourceTooLong {
                limit: MAX_RESOURCE_INDICATOR_BYTES,
            });
        }
        if resource.is_empty() || !resource.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidValue::ResourceNotAbsoluteUri);
        }
        if resource.contains('#') {
            return Err(InvalidValue::ResourceHasFragment);
        }
        Url::parse(&resource).map_err(|_| InvalidValue::ResourceNotAbsoluteUri)?;
        Ok(Self(resource))
    }

    /// The indicator, exactly as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResourceIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ResourceIndicator({:?})",
            UntrustedText::from(self.0.as_str())
        )
    }
}

impl fmt::Display for ResourceIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&UntrustedText::from(self.0.as_str()), f)
    }
}

impl Serialize for ResourceIndicator {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ResourceIndicator {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ResourceIndicator::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Checks the number of resource indicators of one request.
pub(crate) fn check_count(resources: &[ResourceIndicator]) -> Result<(), InvalidValue> {
    if resources.len() > crate::limits::MAX_RESOURCE_INDICATORS {
        return Err(InvalidValue::TooManyResources {
            limit: crate::limits::MAX_RESOURCE_INDICATORS,
        });
    }
    Ok(())
}

/// Adds `resource` to the list of one request, within
/// [`MAX_RESOURCE_INDICATORS`](crate::limits::MAX_RESOURCE_INDICATORS).
pub(crate) fn push(
    resources: &mut alloc::vec::Vec<ResourceIndicator>,
    resource: ResourceIndicator,
) -> Result<(), InvalidValue> {
    if resources.len() >= crate::limits::MAX_RESOURCE_INDICATORS {
        return Err(InvalidValue::TooManyResources {
            limit: crate::limits::MAX_RESOURCE_INDICATORS,
        });
    }
    resources.push(resource);
    Ok(())
}

/// Appends one `resource` parameter per indicator (RFC 8707 §2: "multiple
/// resource parameters MAY be used").
pub(crate) fn emit(resources: &[ResourceIndicator], emit: &mut dyn FnMut(&str, &str)) {
    for resource in resources {
        emit("resource", resource.as_str());
    }
}

/// For `skip_serializing_if` on stored resource lists.
#[allow(clippy::ptr_arg)] // serde's `skip_serializing_if` hands over the field itself
pub(crate) fn resources_are_empty(resources: &alloc::borrow::Cow<'_, [ResourceIndicator]>) -> bool {
    resources.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_absolute_uris_without_fragment() {
        for ok in [
            "https://api.example.com",
            "https://api.example.com/mcp",
            "https://api.example.com/v1?tenant=1",
            "urn:example:resource",
            "http://127.0.0.1:8080/",
        ] {
            assert_eq!(ResourceIndicator::new(ok).unwrap().as_str(), ok);
        }
        for (bad, problem) in [
            ("", InvalidValue::ResourceNotAbsoluteUri),
            ("/relative", InvalidValue::ResourceNotAbsoluteUri),
            (
                "https://api.example.com/#x",
                InvalidValue::ResourceHasFragment,
            ),
            (
                "https://api.example.com#",
                InvalidValue::ResourceHasFragment,
            ),
            (
                "https://api.example.com/ x",
                InvalidValue::ResourceNotAbsoluteUri,
            ),
            (
                "https://api.example.com/\u{e9}",
                InvalidValue::ResourceNotAbsoluteUri,
            ),
            (
                "https://api.example.com/\n",
                InvalidValue::ResourceNotAbsoluteUri,
            ),
        ] {
            assert_eq!(ResourceIndicator::new(bad), Err(problem), "{bad:?}");
        }
        let long = alloc::format!(
            "https://a.example/{}",
            "x".repeat(MAX_RESOURCE_INDICATOR_BYTES)
        );
        assert!(matches!(
            ResourceIndicator::new(long),
            Err(InvalidValue::ResourceTooLong { .. })
        ));
    }

    #[test]
    fn loads_back_only_what_it_accepts() {
        let ok: ResourceIndicator = serde_json::from_str("\"https://api.example\"").unwrap();
        assert_eq!(ok.as_str(), "https://api.example");
        assert!(serde_json::from_str::<ResourceIndicator>("\"https://a.example/#f\"").is_err());
    }
}

//! Endpoint and redirect URIs and their checks (RFC 6749 §3.1, §3.1.2,
//! RFC 8252 §7, RFC 9700 §4.1): the URLs every other part of the crate
//! builds on.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;
use core::net::IpAddr;

use crate::error::InvalidValue;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::{Host, Url};

/// An endpoint URL that passed validation: absolute, no fragment
/// (RFC 6749 §3.1, §3.2), `https` unless the host is loopback (RFC 6749
/// §3.1, RFC 8252 §7.3), and (feature `http`) a valid `http::Uri`, so that
/// every request to it converts without an error.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: Url,
    #[cfg(feature = "http")]
    uri: http::Uri,
}

impl Endpoint {
    /// Validates an endpoint URL.
    ///
    /// # Errors
    /// See [`InvalidValue`].
    pub fn parse(url: &str) -> Result<Self, InvalidValue> {
        let url = Url::parse(url).map_err(|_| InvalidValue::NotAbsoluteUrl)?;
        check_transport(&url)?;
        #[cfg(feature = "http")]
        let uri = http::Uri::try_from(url.as_str()).map_err(|_| InvalidValue::NotHttpUri)?;
        Ok(Self {
            url,
            #[cfg(feature = "http")]
            uri,
        })
    }

    pub(crate) fn as_url(&self) -> &Url {
        &self.url
    }

    #[cfg(feature = "http")]
    pub(crate) fn http_uri(&self) -> &http::Uri {
        &self.uri
    }

    /// The URL as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }
}

/// Refuses a fragment, userinfo, and anything but https or loopback http.
pub(crate) fn check_transport(url: &Url) -> Result<(), InvalidValue> {
    if url.fragment().is_some() {
        return Err(InvalidValue::HasFragment);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(InvalidValue::HasUserinfo);
    }
    if is_secure_target(url.scheme(), url.host_str()) {
        Ok(())
    } else if url.scheme() == "http" {
        Err(InvalidValue::NotHttps)
    } else {
        Err(InvalidValue::UnsupportedScheme)
    }
}

/// Whether a request to `scheme://host` keeps what it carries off the
/// network in clear text: `https`, or `http` to a loopback host (RFC 8252
/// §7.3, RFC 6750 §5.3). The one check for endpoints and bearer targets.
pub(crate) fn is_secure_target(scheme: &str, host: Option<&str>) -> bool {
    scheme.eq_ignore_ascii_case("https")
        || (scheme.eq_ignore_ascii_case("http") && host.is_some_and(is_loopback_host))
}

/// Whether a host as written in a URI (`127.0.0.1`, `[::1]`, `localhost`)
/// is loopback (RFC 8252 §7.3, §8.3). The one loopback predicate.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|host| host.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost") || bare.eq_ignore_ascii_case("localhost."),
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({:?})", self.url.as_str())
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.url.as_str())
    }
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = StoredStr::deserialize(deserializer)?;
        Endpoint::parse(&raw.0).map_err(serde::de::Error::custom)
    }
}

/// A stored string, borrowed from the input when it has no escapes (a
/// URL seldom has any), so that checking it copies nothing.
struct StoredStr<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for StoredStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> serde::de::Visitor<'de> for StrVisitor {
            type Value = StoredStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<StoredStr<'de>, E> {
                Ok(StoredStr(Cow::Borrowed(value)))
            }
            fn visit_str<E>(self, value: &str) -> Result<StoredStr<'de>, E> {
                Ok(StoredStr(Cow::Owned(String::from(value))))
            }
            fn visit_string<E>(self, value: String) -> Result<StoredStr<'de>, E> {
                Ok(StoredStr(Cow::Owned(value)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// The client's `redirect_uri` (RFC 6749 §3.1.2), kept as the exact string
/// the caller gave: it is sent byte for byte in the authorization request and
/// in the token request, because servers compare it as a string
/// (`http://127.0.0.1:8080` and `http://127.0.0.1:8080/` differ).
///
/// # What is accepted
///
/// An absolute URI without fragment (RFC 6749 §3.1.2) or userinfo, that is
/// one of:
///
/// - `https://…`, for web apps and claimed `https` links of native apps
///   (RFC 8252 §7.2);
/// - `http://` on a loopback IP literal — `http://127.0.0.1:{port}/…` or
///   `http://[::1]:{port}/…` — for native apps with a loopback listener
///   (RFC 8252 §7.3);
/// - a private-use scheme that is a reversed domain name the app's
///   publisher controls, `com.example.app:/callback` (RFC 8252 §7.1).
///
/// Refused, each with its [`InvalidValue`]: `http://` on any other host;
/// `http://localhost`, since RFC 8252 §8.3 recommends the IP literal
/// (`localhost` may resolve elsewhere, and a listener on it may bind more
/// than loopback) — [`dangerous_allow_localhost`](Self::dangerous_allow_localhost)
/// accepts it for a server that takes nothing else; schemes that never
/// reach the client, such as `javascript:`, `data:`, `file:` and `blob:`
/// (RFC 9700 §4.1); the out-of-band `urn:ietf:wg:oauth:2.0:oob`; and
/// private-use schemes that are not a reversed domain (`myapp:/cb`), which
/// any app may claim —
/// [`dangerous_allow_any_private_use_scheme`](Self::dangerous_allow_any_private_use_scheme)
/// accepts those for an app registered that way long ago.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri(String);

/// Schemes that never deliver a redirect to a client: script, inline
/// content, local files and browser internals, and the special schemes of
/// other protocols.
const DANGEROUS_SCHEMES: [&str; 12] = [
    "javascript",
    "vbscript",
    "data",
    "file",
    "blob",
    "about",
    "filesystem",
    "view-source",
    "urn",
    "ftp",
    "ws",
    "wss",
];

/// What [`RedirectUri`] accepts beyond the recommended forms.
#[derive(Clone, Copy, Default)]
struct Allow {
    localhost: bool,
    any_private_use_scheme: bool,
}

impl RedirectUri {
    /// Validates a redirect URI: see [What is accepted](Self#what-is-accepted).
    ///
    /// # Errors
    /// See [`InvalidValue`].
    pub fn new(uri: impl Into<String>) -> Result<Self, InvalidValue> {
        Self::check(uri.into(), Allow::default())
    }

    /// As [`new`](Self::new), and also accepts `http://localhost…`, which
    /// RFC 8252 §8.3 advises against: a host name that may resolve to
    /// another address than loopback, where the code would then be sent.
    /// Only for a server that will not register the loopback IP literal.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn dangerous_allow_localhost(uri: impl Into<String>) -> Result<Self, InvalidValue> {
        Self::check(
            uri.into(),
            Allow {
                localhost: true,
                ..Allow::default()
            },
        )
    }

    /// As [`new`](Self::new), and also accepts a private-use scheme that is
    /// not a reversed domain name (`myapp://callback`), which RFC 8252 §7.1
    /// forbids: any app on the device may register the same scheme and
    /// receive the code (PKCE keeps it from being redeemed by that app, not
    /// from being seen). Only for an app whose registration cannot change.
    /// Schemes that never reach a client (`javascript:`, `data:`, …) and
    /// the out-of-band URN are still refused.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn dangerous_allow_any_private_use_scheme(
        uri: impl Into<String>,
    ) -> Result<Self, InvalidValue> {
        Self::check(
            uri.into(),
            Allow {
                any_private_use_scheme: true,
                ..Allow::default()
            },
        )
    }

    fn check(uri: String, allow: Allow) -> Result<Self, InvalidValue> {
        // The string is sent as it is, so it must be a URI as it is: no
        // space, control or non-ASCII character, which `Url::parse` would
        // strip or encode where the server compares the raw string
        // (RFC 3986 §2).
        // Every byte is looked at, without an early exit: valid URIs are
        // the rule, and the check then runs over vector registers.
        if !uri
            .bytes()
            .fold(true, |graphic, b| graphic & b.is_ascii_graphic())
        {
            return Err(InvalidValue::NotAbsoluteUrl);
        }
        let url = Url::parse(&uri).map_err(|_| InvalidValue::NotAbsoluteUrl)?;
        if url.fragment().is_some() {
            return Err(InvalidValue::HasFragment);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(InvalidValue::HasUserinfo);
        }
        match url.scheme() {
            "https" => {}
            "http" => match url.host() {
                Some(Host::Ipv4(ip)) if ip.is_loopback() => {}
                Some(Host::Ipv6(ip)) if ip.is_loopback() => {}
                Some(Host::Domain(domain)) if is_loopback_host(domain) => {
                    if !allow.localhost {
                        return Err(InvalidValue::LocalhostNotIpLiteral);
                    }
                }
                _ => return Err(InvalidValue::NotHttps),
            },
            "urn" if url.path().starts_with("ietf:wg:oauth:2.0:oob") => {
                return Err(InvalidValue::OutOfBand)
            }
            scheme if DANGEROUS_SCHEMES.contains(&scheme) => {
                return Err(InvalidValue::DangerousScheme)
            }
            scheme => {
                let reverse_domain =
                    scheme.contains('.') && scheme.split('.').all(|label| !label.is_empty());
                if !reverse_domain && !allow.any_private_use_scheme {
                    return Err(InvalidValue::NotReverseDomainScheme);
                }
            }
        }
        Ok(Self(uri))
    }

    /// The exact string given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedirectUri({:?})", self.0)
    }
}

impl Serialize for RedirectUri {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RedirectUri {
    /// A stored redirect URI was accepted once, perhaps by one of the
    /// `dangerous_allow_*` constructors: those forms load back; the forms
    /// no constructor accepts do not.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let allow = Allow {
            localhost: true,
            any_private_use_scheme: true,
        };
        RedirectUri::check(String::deserialize(deserializer)?, allow)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored endpoint is read from a string, escaped or not, and a
    /// stored value of another type says what it should have been.
    #[test]
    fn stored_endpoints_are_strings() {
        let plain: Endpoint = serde_json::from_str(r#""https://as.example/token""#).unwrap();
        let escaped: Endpoint = serde_json::from_str(r#""https:\/\/as.example\/token""#).unwrap();
        assert_eq!(plain, escaped);
        let error = serde_json::from_str::<Endpoint>("5").unwrap_err();
        assert!(
            alloc::format!("{error}").contains("expected a string"),
            "{error}"
        );
    }

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        assert!(Endpoint::parse("https://as.example/token").is_ok());
        assert!(Endpoint::parse("https://as.example/token?tenant=x").is_ok());
        assert!(Endpoint::parse("http://127.0.0.1:8080/token").is_ok());
        assert!(Endpoint::parse("http://127.5.0.1/token").is_ok());
        assert!(Endpoint::parse("http://[::1]:80/token").is_ok());
        assert!(Endpoint::parse("http://localhost/token").is_ok());
        assert_eq!(
            Endpoint::parse("http://as.example/token"),
            Err(InvalidValue::NotHttps)
        );
        assert_eq!(
            Endpoint::parse("http://128.0.0.1/token"),
            Err(InvalidValue::NotHttps)
        );
        assert_eq!(
            Endpoint::parse("https://as.example/t#x"),
            Err(InvalidValue::HasFragment)
        );
        assert_eq!(
            Endpoint::parse("https://u:p@as.example/t"),
            Err(InvalidValue::HasUserinfo)
        );
        // A password alone is still a credential in the URL.
        assert_eq!(
            Endpoint::parse("https://:p@as.example/t"),
            Err(InvalidValue::HasUserinfo)
        );
        assert_eq!(
            Endpoint::parse("https://u@as.example/t"),
            Err(InvalidValue::HasUserinfo)
        );
        assert_eq!(
            Endpoint::parse("ftp://as.example/t"),
            Err(InvalidValue::UnsupportedScheme)
        );
        assert_eq!(Endpoint::parse("/token"), Err(InvalidValue::NotAbsoluteUrl));
    }

    #[test]
    fn redirect_uri_is_kept_verbatim() {
        let uri = RedirectUri::new("https://urltoclient:4443").unwrap();
        assert_eq!(uri.as_str(), "https://urltoclient:4443");
        assert!(RedirectUri::new("com.example.app:/oauth2redirect").is_ok());
        assert!(RedirectUri::new("http://127.0.0.1:5000/cb").is_ok());
        assert_eq!(
            RedirectUri::new("http://app.example/cb"),
            Err(InvalidValue::NotHttps)
        );
        assert_eq!(
            RedirectUri::new("https://app.example/cb#"),
            Err(InvalidValue::HasFragment)
        );
        assert_eq!(RedirectUri::new("/cb"), Err(InvalidValue::NotAbsoluteUrl));
    }

    /// RFC 8252 §7.1, §7.3, §8.3; RFC 9700 §4.1.
    #[test]
    fn redirect_uri_policy() {
        for accepted in [
            "https://app.example/cb",
            "https://app.example:8443/cb?tenant=1",
            "http://127.0.0.1/cb",
            "http://127.0.0.1:53127/cb",
            "http://127.9.8.7:1/",
            "http://[::1]:53127/cb",
            "com.example.app:/oauth2redirect",
            "com.example.app:/",
            "com.googleusercontent.apps.123-abc:/oauth2redirect",
            "com.example.app://callback",
        ] {
            assert!(RedirectUri::new(accepted).is_ok(), "{accepted}");
        }
        for (refused, problem) in [
            ("javascript:alert(1)", InvalidValue::DangerousScheme),
            ("JavaScript:alert(1)", InvalidValue::DangerousScheme),
            (
                "data:text/html,<script>x</script>",
                InvalidValue::DangerousScheme,
            ),
            ("file:///etc/passwd", InvalidValue::DangerousScheme),
            ("vbscript:msgbox", InvalidValue::DangerousScheme),
            (
                "blob:https://app.example/uuid",
                InvalidValue::DangerousScheme,
            ),
            ("about:blank", InvalidValue::DangerousScheme),
            ("ftp://app.example/cb", InvalidValue::DangerousScheme),
            ("urn:example:cb", InvalidValue::DangerousScheme),
            ("urn:ietf:wg:oauth:2.0:oob", InvalidValue::OutOfBand),
            ("urn:ietf:wg:oauth:2.0:oob:auto", InvalidValue::OutOfBand),
            ("myapp://cb", InvalidValue::NotReverseDomainScheme),
            ("myapp:/cb", InvalidValue::NotReverseDomainScheme),
            ("com.:/cb", InvalidValue::NotReverseDomainScheme),
            (
                "http://localhost:8080/cb",
                InvalidValue::LocalhostNotIpLiteral,
            ),
            ("http://LOCALHOST./cb", InvalidValue::LocalhostNotIpLiteral),
            ("http://app.example/cb", InvalidValue::NotHttps),
            ("http://128.0.0.1/cb", InvalidValue::NotHttps),
            ("http://localhost.evil.example/cb", InvalidValue::NotHttps),
            ("https://app.example/cb#", InvalidValue::HasFragment),
            ("com.example.app:/cb#x", InvalidValue::HasFragment),
            ("https://u:p@app.example/cb", InvalidValue::HasUserinfo),
            ("https://u@app.example/cb", InvalidValue::HasUserinfo),
            ("https://:p@app.example/cb", InvalidValue::HasUserinfo),
            ("http://[2001:db8::1]/cb", InvalidValue::NotHttps),
            ("/cb", InvalidValue::NotAbsoluteUrl),
            ("https://app.example/c\nb", InvalidValue::NotAbsoluteUrl),
            ("https://app.example/c b", InvalidValue::NotAbsoluteUrl),
            ("https://app.example/\u{e9}", InvalidValue::NotAbsoluteUrl),
            ("\thttps://app.example/cb", InvalidValue::NotAbsoluteUrl),
        ] {
            assert_eq!(RedirectUri::new(refused), Err(problem), "{refused}");
        }
    }

    #[test]
    fn redirect_uri_escape_hatches_open_one_door_each() {
        assert!(RedirectUri::dangerous_allow_localhost("http://localhost:8080/cb").is_ok());
        assert_eq!(
            RedirectUri::dangerous_allow_localhost("myapp://cb"),
            Err(InvalidValue::NotReverseDomainScheme)
        );
        assert!(RedirectUri::dangerous_allow_any_private_use_scheme("myapp://cb").is_ok());
        assert_eq!(
            RedirectUri::dangerous_allow_any_private_use_scheme("http://localhost/cb"),
            Err(InvalidValue::LocalhostNotIpLiteral)
        );
        for never in [
            "javascript:alert(1)",
            "data:,x",
            "file:///x",
            "urn:ietf:wg:oauth:2.0:oob",
        ] {
            assert!(
                RedirectUri::dangerous_allow_localhost(never).is_err(),
                "{never}"
            );
            assert!(
                RedirectUri::dangerous_allow_any_private_use_scheme(never).is_err(),
                "{never}"
            );
        }
        // What a hatch accepted loads back from storage; nothing else does.
        for stored in ["http://localhost:8080/cb", "myapp://cb"] {
            let json = serde_json::to_string(stored).unwrap();
            assert!(
                serde_json::from_str::<RedirectUri>(&json).is_ok(),
                "{stored}"
            );
        }
        for never in ["javascript:alert(1)", "http://app.example/cb"] {
            let json = serde_json::to_string(never).unwrap();
            assert!(
                serde_json::from_str::<RedirectUri>(&json).is_err(),
                "{never}"
            );
        }
    }
}

//! Secret newtypes: redacted `Debug`, no `Display`, constant-time equality,
//! zeroized on drop.
//!
//! Every value an attacker could use to act as the client or the user — the
//! client secret, the PKCE `code_verifier`, `state`, the authorization `code`,
//! access and refresh tokens — lives in one of these types. The only way to
//! read one is the explicit `.secret()` accessor, so a secret in a log line is
//! always a visible, greppable decision.

use alloc::string::String;
use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// What every secret prints as, in `Debug` and in error messages.
pub(crate) const REDACTED: &str = "[redacted]";

macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// `Debug` prints `[redacted]`; there is no `Display`. The bytes are
        /// zeroized when the value is dropped, and equality is constant-time.
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself. Every call site is a place where the secret
            /// leaves the crate's care: do not log it.
            #[must_use]
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&format_args!("{REDACTED}")).finish()
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                crate::secret::ct_eq(&self.0, &other.0)
            }
        }

        impl Eq for $name {}

        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self)
            }
        }
    };
}

secret_string!(
    /// The client secret (RFC 6749 §2.3.1).
    ClientSecret
);
secret_string!(
    /// An authorization code (RFC 6749 §4.1.2), single-use and short-lived.
    AuthorizationCode
);
secret_string!(
    /// An access token (RFC 6749 §1.4), sent as `Authorization: Bearer …`.
    AccessToken
);
secret_string!(
    /// A refresh token (RFC 6749 §1.5). At Pagero each one works once.
    RefreshToken
);
secret_string!(
    /// A security token given to or issued by a token exchange (RFC 8693
    /// §1.1: an access or refresh token, an ID token, a SAML assertion, a
    /// JWT), or the assertion of a JWT bearer grant (RFC 7523 §2.1):
    /// whoever holds it may act as its subject.
    SecurityToken
);
secret_string!(
    /// The opaque `state` value that binds the callback to the browser that
    /// started the flow (RFC 6749 §10.12).
    State
);
secret_string!(
    /// The PKCE `code_verifier` (RFC 7636 §4.1).
    CodeVerifier
);
secret_string!(
    /// The OpenID Connect `nonce` (Core §3.1.2.1): sent in the
    /// authentication request, kept in the pending flow, and required
    /// equal in the ID token (§3.1.3.7 item 11), binding the token to
    /// this login.
    Nonce
);
secret_string!(
    /// The device verification code of a device login (RFC 8628 §3.2
    /// `device_code`): whoever holds it can collect the tokens once the
    /// user approves.
    DeviceCode
);
secret_string!(
    /// A token given to [`Introspection`](crate::resource::Introspection) to ask
    /// about (RFC 7662 §2.1 `token`): an access or refresh token a
    /// protected resource received.
    IntrospectedToken
);
secret_string!(
    /// An `Authorization` header value, such as `Bearer <access token>`: it
    /// carries a credential.
    AuthorizationValue
);
// OpenID CIBA Core 1.0.
secret_string!(
    /// The identifier of a backchannel authentication request (OpenID
    /// CIBA Core 1.0 §7.3 `auth_req_id`): whoever holds it (with the
    /// client's credentials) collects the tokens once the user approves.
    AuthReqId
);
secret_string!(
    /// The bearer token the provider sends back with a ping notification
    /// (OpenID CIBA Core 1.0 §7.1 `client_notification_token`, §10.2): it
    /// proves the notification comes from the provider. At least 128 bits
    /// of randomness.
    ClientNotificationToken
);
secret_string!(
    /// A secret code the user knows, sent in a backchannel authentication
    /// request to stop strangers from starting one in their name (OpenID
    /// CIBA Core 1.0 §7.1 `user_code`). Not the device grant's
    /// [`UserCode`](crate::device::UserCode), which is meant to be shown.
    BackchannelUserCode
);

/// Compares two strings in time that depends only on their lengths.
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_is_redacted() {
        let token = AccessToken::new("sk-live-123");
        let printed = format!("{token:?}");
        assert_eq!(printed, "AccessToken([redacted])");
        assert!(!printed.contains("sk-live"));
    }

    #[test]
    fn equality_compares_the_value() {
        assert_eq!(State::new("abc"), State::new("abc"));
        assert_ne!(State::new("abc"), State::new("abd"));
        assert_ne!(State::new("abc"), State::new("abcd"));
    }

    #[test]
    fn serde_is_transparent() {
        let json = serde_json::to_string(&RefreshToken::new("r1")).unwrap();
        assert_eq!(json, "\"r1\"");
        let back: RefreshToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back.secret(), "r1");
    }
}

//! Error codes and responses: the authorization endpoint's (RFC 6749
//! §4.1.2.1), the token endpoint's (RFC 6749 §5.2) and a bearer
//! challenge's (RFC 6750 §3.1), with their registered codes typed and
//! unknown codes kept.

use core::fmt;

use crate::text::UntrustedText;

/// `error = 1*NQSCHAR`, `NQSCHAR = %x20-21 / %x23-5B / %x5D-7E`
/// (RFC 6749 §4.1.2.1, §5.2, Appendix A.7; RFC 6750 §3): printable ASCII
/// without `"` and `\`.
pub(crate) fn is_error_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

macro_rules! error_codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A code this crate does not know, kept as the server sent it.
            Other(UntrustedText),
        }

        impl $name {
            /// Types a code from the wire.
            #[must_use]
            pub fn from_wire(code: &str) -> Self {
                match code {
                    $($wire => Self::$variant,)*
                    other => Self::Other(UntrustedText::from(other)),
                }
            }

            /// The code as sent on the wire.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(other) => other.as_str(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Self::Other(other) => fmt::Display::fmt(other, f),
                    known => f.write_str(known.as_str()),
                }
            }
        }
    };
}

error_codes!(
    /// The `error` of an authorization response (RFC 6749 §4.1.2.1).
    AuthorizationErrorCode {
        /// `invalid_request`: the authorization request was malformed; a bug
        /// on the client side.
        InvalidRequest = "invalid_request",
        /// `unauthorized_client`: this client may not use the code grant.
        UnauthorizedClient = "unauthorized_client",
        /// `access_denied`: the user or the server said no. Tell the user.
        AccessDenied = "access_denied",
        /// `unsupported_response_type`: the server does not do `code`.
        UnsupportedResponseType = "unsupported_response_type",
        /// `invalid_scope`: ask for a scope the server knows.
        InvalidScope = "invalid_scope",
        /// `server_error`: the server failed; a new login may work.
        ServerError = "server_error",
        /// `temporarily_unavailable`: try a new login later.
        TemporarilyUnavailable = "temporarily_unavailable",
        /// `invalid_request_uri` (RFC 9101 §6.3, used by RFC 9126 §4): the
        /// pushed request's `request_uri` expired or was already used.
        /// Start a new login.
        InvalidRequestUri = "invalid_request_uri",
        /// `invalid_request_object` (RFC 9101 §6.3): the request object, or
        /// the pushed request behind `request_uri`, is invalid — for
        /// example pushed by another client. Start a new login.
        InvalidRequestObject = "invalid_request_object",
        /// `invalid_target` (RFC 8707 §2): a `resource` asked for is
        /// invalid, unknown, or not one this client may have a token for.
        InvalidTarget = "invalid_target",
        /// `invalid_authorization_details` (RFC 9396 §5): an
        /// `authorization_details` object is of an unknown type, misses a
        /// field its type requires, or asks for what this client may not
        /// have. Fix the request; the description may say which.
        InvalidAuthorizationDetails = "invalid_authorization_details",
    }
);

error_codes!(
    /// The `error` of a token, revocation, device authorization,
    /// introspection or registration endpoint error response (RFC 6749
    /// §5.2, RFC 7009 §2.2.1, RFC 8628 §3.5, RFC 7591 §3.2.2), plus two
    /// codes servers send there in practice.
    TokenErrorCode {
        /// `invalid_request`: the request was malformed; a bug on the
        /// client side or a server that expects something else.
        InvalidRequest = "invalid_request",
        /// `invalid_client`: client authentication failed; check the client
        /// id, secret and authentication method.
        InvalidClient = "invalid_client",
        /// `invalid_grant`: the code or refresh token is invalid, expired,
        /// used, revoked, or the `code_verifier`/`redirect_uri` do not
        /// match. The grant is gone: start a new login.
        InvalidGrant = "invalid_grant",
        /// `unauthorized_client`: this client may not use this grant type.
        UnauthorizedClient = "unauthorized_client",
        /// `unsupported_grant_type`: the server does not support the grant.
        UnsupportedGrantType = "unsupported_grant_type",
        /// `invalid_scope`: the scope asked for is invalid or wider than
        /// granted.
        InvalidScope = "invalid_scope",
        /// `unsupported_token_type` (RFC 7009 §2.2.1): the revocation
        /// endpoint cannot revoke this kind of token.
        UnsupportedTokenType = "unsupported_token_type",
        /// `temporarily_unavailable` (RFC 6749 §4.1.2.1, sent by some
        /// servers at the token endpoint too): retry later.
        TemporarilyUnavailable = "temporarily_unavailable",
        /// `server_error` (likewise): retry later.
        ServerError = "server_error",
        /// `authorization_pending` (RFC 8628 §3.5): the user has not
        /// finished the device login yet; poll again after the interval.
        AuthorizationPending = "authorization_pending",
        /// `slow_down` (RFC 8628 §3.5): still pending, and the polling
        /// interval grows by 5 seconds for this and every later request.
        SlowDown = "slow_down",
        /// `access_denied` (RFC 8628 §3.5): the user said no to the device
        /// login. Tell them; start again only when they ask.
        AccessDenied = "access_denied",
        /// `expired_token` (RFC 8628 §3.5): the device code expired before
        /// the user approved. Start a new device authorization when the
        /// user asks again.
        ExpiredToken = "expired_token",
        /// `invalid_dpop_proof` (RFC 9449 §5): the server refused the DPoP
        /// proof; check the key's algorithm against
        /// `dpop_signing_alg_values_supported` and the clock.
        InvalidDpopProof = "invalid_dpop_proof",
        /// `use_dpop_nonce` (RFC 9449 §8): the proof must carry the nonce
        /// in the response's `DPoP-Nonce`; the step does that itself, once.
        UseDpopNonce = "use_dpop_nonce",
        /// `invalid_target` (RFC 8707 §2): a `resource` asked for is
        /// invalid, unknown, not part of the grant, or cannot be served
        /// together with the others in one token. Ask for fewer or other
        /// resources.
        InvalidTarget = "invalid_target",
        /// `invalid_redirect_uri` (RFC 7591 §3.2.2): the registration
        /// endpoint refused a redirect URI.
        InvalidRedirectUri = "invalid_redirect_uri",
        /// `invalid_client_metadata` (RFC 7591 §3.2.2): the registration
        /// endpoint refused a client metadata value; the description says
        /// which.
        InvalidClientMetadata = "invalid_client_metadata",
        // OpenID CIBA Core 1.0 §13, the backchannel authentication
        // endpoint's own codes.
        /// `expired_login_hint_token` (CIBA Core §13): the
        /// `login_hint_token` has expired. Get a fresh one.
        ExpiredLoginHintToken = "expired_login_hint_token",
        /// `unknown_user_id` (CIBA Core §13): the hint named no user the
        /// provider can identify.
        UnknownUserId = "unknown_user_id",
        /// `missing_user_code` (CIBA Core §13): the provider requires a
        /// `user_code` and none was sent. Ask the user for theirs.
        MissingUserCode = "missing_user_code",
        /// `invalid_user_code` (CIBA Core §13): the `user_code` is wrong.
        InvalidUserCode = "invalid_user_code",
        /// `invalid_binding_message` (CIBA Core §13): the provider
        /// refused the `binding_message` (too long, or characters it does
        /// not display).
        InvalidBindingMessage = "invalid_binding_message",
        /// `invalid_authorization_details` (RFC 9396 §6, §8): the
        /// `authorization_details` asked for are invalid or more than the
        /// grant (or, for client credentials, the client's policy) allows.
        InvalidAuthorizationDetails = "invalid_authorization_details",
    }
);

error_codes!(
    /// The `error` of a bearer or DPoP challenge (RFC 6750 §3.1, RFC 9449
    /// §7.1).
    BearerErrorCode {
        /// `invalid_request`: the API request was malformed. Fix the
        /// request; a new token will not help.
        InvalidRequest = "invalid_request",
        /// `invalid_token`: expired, revoked or otherwise invalid. Refresh
        /// and retry once.
        InvalidToken = "invalid_token",
        /// `insufficient_scope`: the token lacks the scope the resource
        /// needs, named in the challenge's `scope`. Log in again asking for
        /// it.
        InsufficientScope = "insufficient_scope",
        /// `invalid_dpop_proof` (RFC 9449 §7.1): the resource refused the
        /// DPoP proof. A new proof, not a new token.
        InvalidDpopProof = "invalid_dpop_proof",
        /// `use_dpop_nonce` (RFC 9449 §9): send the proof again with the
        /// response's `DPoP-Nonce`.
        UseDpopNonce = "use_dpop_nonce",
    }
);

/// An OAuth error response: the code, and the optional human-readable
/// description and documentation URI the server sent, kept as sent and
/// printed escaped ([`UntrustedText`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse<C> {
    pub(crate) error: C,
    pub(crate) error_description: Option<UntrustedText>,
    pub(crate) error_uri: Option<UntrustedText>,
}

impl<C> ErrorResponse<C> {
    /// The `error` code.
    pub fn error(&self) -> &C {
        &self.error
    }

    /// The `error_description`, if sent: for developers, not for users.
    #[must_use]
    pub fn error_description(&self) -> Option<&str> {
        self.error_description.as_ref().map(UntrustedText::as_str)
    }

    /// The `error_uri`, if sent.
    #[must_use]
    pub fn error_uri(&self) -> Option<&str> {
        self.error_uri.as_ref().map(UntrustedText::as_str)
    }
}

impl<C: fmt::Display> fmt::Display for ErrorResponse<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        if let Some(description) = &self.error_description {
            // Quoted and escaped: the text comes from the network and must
            // not forge log lines.
            write!(f, ": {description:?}")?;
        }
        Ok(())
    }
}

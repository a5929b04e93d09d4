//! The caps on input from outside the crate, each checked before any work
//! proportional to the input, each refused with a typed error that names
//! the cap.
//!
//! They are generous for real providers — a JWT access token of several
//! KiB, an ID token with group claims, a metadata document with every
//! optional member — and small enough that a hostile peer cannot make the
//! crate parse, store or print megabytes.

/// A callback: the whole URL given to
/// [`Callback::from_url`](crate::Callback::from_url), the query given to
/// [`Callback::from_query`](crate::Callback::from_query), or a
/// `form_post` body (16 KiB).
pub const MAX_CALLBACK_BYTES: usize = 16 * 1024;

/// One callback parameter, name and value, as encoded (8 KiB): room for a
/// JWT authorization code.
pub const MAX_PARAMETER_BYTES: usize = 8 * 1024;

/// How many parameters a callback may carry (64).
pub const MAX_CALLBACK_PARAMETERS: usize = 64;

/// The body of a token, pushed authorization, revocation or metadata
/// response (256 KiB): room for JWT access tokens and ID tokens of tens of
/// KiB and for large metadata documents.
pub const MAX_RESPONSE_BODY_BYTES: usize = 256 * 1024;

/// A device login's `user_code` (RFC 8628 §3.2), which the user types in
/// (128 bytes; RFC 8628 §6.1 suggests 8 characters).
pub const MAX_USER_CODE_BYTES: usize = 128;

/// A device login's `verification_uri` or `verification_uri_complete`
/// (RFC 8628 §3.2), shown to the user or put in a QR code (2 KiB).
pub const MAX_VERIFICATION_URI_BYTES: usize = 2 * 1024;

/// A provider's token type a client reads as `Bearer`
/// ([`Client::with_bearer_token_type_alias`](crate::Client::with_bearer_token_type_alias)),
/// and so a stored token set's provider type (128 bytes; the longest
/// documented one, eBay's `Application Access Token`, has 24).
pub const MAX_TOKEN_TYPE_ALIAS_BYTES: usize = 128;

/// A `WWW-Authenticate` header value (8 KiB).
pub const MAX_WWW_AUTHENTICATE_BYTES: usize = 8 * 1024;

/// A stored [`AwaitingCallback`](crate::AwaitingCallback),
/// [`AwaitingDeviceApproval`](crate::device::AwaitingDeviceApproval) or
/// [`Authorized`](crate::Authorized) read by `from_json` (512 KiB: a token
/// response kept whole, with its extra members).
pub const MAX_STORED_STATE_BYTES: usize = 512 * 1024;

/// How many characters of an outside text an error's `Display` or `Debug`
/// shows before it is cut (256); [`UntrustedText::as_str`](crate::values::UntrustedText::as_str)
/// still has all of it.
pub const MAX_SHOWN_CHARS: usize = 256;

/// One resource indicator (RFC 8707 §2), or a URL in a protected
/// resource's metadata or challenge (RFC 9728), in bytes (2 KiB).
pub const MAX_RESOURCE_INDICATOR_BYTES: usize = 2 * 1024;

/// How many resource indicators one request carries, and how many
/// authorization servers a protected resource's metadata may list (16).
pub const MAX_RESOURCE_INDICATORS: usize = 16;

/// A private key given to `Es256Key` or `Ed25519Key` (features `es256`,
/// `ed25519`) as PKCS#8 DER, PEM or a private JWK
/// (16 KiB: a P-256 or Ed25519 key takes a few hundred bytes, a JWK with
/// a certificate chain a few KiB).
pub const MAX_PRIVATE_KEY_BYTES: usize = 16 * 1024;

/// A JWS from the server in compact serialization, such as an ID token
/// (16 KiB: a signed ID token with many claims takes 1–3 KiB).
pub const MAX_JWS_BYTES: usize = 16 * 1024;

/// How many keys a JWK Set (RFC 7517 §5) may hold (64: providers publish
/// two to six, the current and the next or previous ones).
pub const MAX_KEY_SET_KEYS: usize = 64;

// Rich authorization requests (RFC 9396).
/// One `authorization_details` (RFC 9396 §2), as JSON text, in bytes
/// (64 KiB: a payment initiation object takes a few hundred bytes).
pub const MAX_AUTHORIZATION_DETAILS_BYTES: usize = 64 * 1024;

/// How many authorization details objects one `authorization_details`
/// holds (32).
pub const MAX_AUTHORIZATION_DETAILS: usize = 32;

//! The deliberate, named tolerances a [`Client`] reads token responses
//! with, and the strictness switch that turns the lenient ones off.
//!
//! Every tolerance here is off unless its reason is written down: the
//! defaults accept what RFC 6749 allows plus the quirks listed in the
//! providers guide's table of tolerated quirks (`manual::providers`), and
//! a provider preset turns on what one provider documents.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::InvalidValue;
use crate::limits::MAX_TOKEN_TYPE_ALIAS_BYTES;
use crate::scope::Scope;
use crate::syntax::is_vschar_token;

/// How strictly a client reads token responses.
///
/// A later security profile (FAPI 2.0, DPoP) builds on
/// [`Strict`](Self::Strict): a server of such a profile always names its
/// token type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strictness {
    /// RFC 6749 plus the documented tolerances: a token response without
    /// `token_type` is read as `Bearer`, and the token set says the type
    /// was assumed ([`TokenType::AssumedBearer`]). Refusing it would throw
    /// away a code that can never be used again (LinkedIn, Shopify and
    /// Slack's legacy `oauth.access` document responses without it).
    #[default]
    Tolerant,
    /// RFC 6749 §5.1 as written for the token type: a response without
    /// `token_type` is refused
    /// ([`EndpointErrorKind::MissingMember`](crate::errors::EndpointErrorKind::MissingMember)).
    /// Provider token types configured to mean `Bearer`
    /// ([`Client::with_bearer_token_type_alias`](crate::Client::with_bearer_token_type_alias)) are an explicit choice
    /// of the caller and stay accepted.
    Strict,
}

/// How a client joins the scope tokens it sends (RFC 6749 §3.3 says a
/// space; some providers document commas).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScopeDelimiter {
    /// `scope=a b` (RFC 6749 §3.3).
    #[default]
    Space,
    /// `scope=a,b`: Slack, Shopify and Strava document a comma-separated
    /// list.
    Comma,
}

impl ScopeDelimiter {
    pub(crate) fn join(self, scope: &Scope) -> String {
        match self {
            Self::Space => scope.to_string(),
            Self::Comma => scope.iter().collect::<Vec<_>>().join(","),
        }
    }
}

/// What a token type means when a response names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenType {
    /// `"token_type": "Bearer"`, in any case (RFC 6749 §5.1, RFC 6750).
    Bearer,
    /// No `token_type` was sent, and the client was
    /// [`Strictness::Tolerant`]: the token is used as a bearer token
    /// because that is what the provider's documentation says to do with
    /// it, not because the response said so.
    AssumedBearer,
    /// A provider's own token type that its documentation says to send as
    /// `Authorization: Bearer` (Slack's `bot` and `user`), accepted because
    /// the client was configured with it
    /// ([`Client::with_bearer_token_type_alias`](crate::Client::with_bearer_token_type_alias), or a preset). Holds the
    /// configured name, not the response's text.
    ProviderBearer(String),
    /// `"token_type": "DPoP"` (RFC 9449 §5): bound to the key whose
    /// thumbprint is [`TokenSet::dpop_jkt`](crate::TokenSet::dpop_jkt),
    /// and never sent as a bearer token.
    Dpop,
}

impl TokenType {
    /// How the type reads on the wire (`""` when none was sent).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Bearer => "Bearer",
            Self::AssumedBearer => "",
            Self::ProviderBearer(name) => name,
            Self::Dpop => "DPoP",
        }
    }

    /// Whether the response did not name the type and `Bearer` was assumed.
    #[must_use]
    pub fn is_assumed(&self) -> bool {
        matches!(self, Self::AssumedBearer)
    }
}

/// Token types whose tokens are not bearer tokens: never aliased.
const NEVER_BEARER: [&str; 4] = ["bearer", "dpop", "mac", "n_a"];

/// A name a provider's `token_type` can be: printable ASCII, spaces
/// inside only (eBay's `User Access Token`), and bounded.
fn is_alias_name(name: &str) -> bool {
    is_vschar_token(name)
        && name.len() <= MAX_TOKEN_TYPE_ALIAS_BYTES
        && !name.starts_with(' ')
        && !name.ends_with(' ')
}

/// The tolerances a client reads token responses with. Built by
/// [`Client`](crate::Client)'s `with_*` methods or carried by a provider preset;
/// the default is [`Strictness::Tolerant`], no provider token types, and
/// space-separated scopes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tolerances {
    pub(crate) strictness: Strictness,
    pub(crate) bearer_token_types: Vec<String>,
    pub(crate) scope_delimiter: ScopeDelimiter,
    pub(crate) comma_separated_response_scope: bool,
}

impl Tolerances {
    /// How strictly responses are read.
    #[must_use]
    pub fn strictness(&self) -> Strictness {
        self.strictness
    }

    /// The provider token types read as `Bearer`.
    pub fn bearer_token_types(&self) -> impl Iterator<Item = &str> {
        self.bearer_token_types.iter().map(String::as_str)
    }

    /// How the scope is joined in requests.
    #[must_use]
    pub fn scope_delimiter(&self) -> ScopeDelimiter {
        self.scope_delimiter
    }

    /// Whether a response's `scope` is split on commas as well as spaces
    /// (GitHub, Slack and Shopify answer `"repo,gist"`).
    #[must_use]
    pub fn comma_separated_response_scope(&self) -> bool {
        self.comma_separated_response_scope
    }

    pub(crate) fn with_scope(mut self, delimiter: ScopeDelimiter, comma_response: bool) -> Self {
        self.scope_delimiter = delimiter;
        self.comma_separated_response_scope = comma_response;
        self
    }

    pub(crate) fn with_alias(mut self, name: &str) -> Result<Self, InvalidValue> {
        let refused =
            !is_alias_name(name) || NEVER_BEARER.iter().any(|n| n.eq_ignore_ascii_case(name));
        if refused {
            return Err(InvalidValue::TokenTypeAlias(name.into()));
        }
        if self.bearer_alias(name).is_none() {
            self.bearer_token_types.push(String::from(name));
        }
        Ok(self)
    }

    /// The configured name `token_type` matches, case-insensitively
    /// (RFC 6749 §5.1).
    pub(crate) fn bearer_alias(&self, token_type: &str) -> Option<&String> {
        self.bearer_token_types
            .iter()
            .find(|alias| alias.eq_ignore_ascii_case(token_type))
    }

    /// The scope a token response grants, and whether it was read as
    /// comma-delimited by inference (RFC 6749 §3.3, §5.1).
    ///
    /// An omitted `scope` is the requested one. One token with commas
    /// (`"repo,gist"`: GitHub, Shopify and TikTok answer so without any
    /// preset) is read as the scopes between the commas when each of them
    /// was requested, two or more were, and the token itself was not:
    /// a comma is a legal scope character, and such an answer read as one
    /// token names a scope nobody asked for, while read this way it names
    /// only scopes that were. [`Strictness::Strict`] keeps the one token;
    /// a client that splits commas by configuration has split it already.
    pub(crate) fn granted_scope(
        &self,
        response: Option<Scope>,
        requested: &Scope,
    ) -> (Scope, bool) {
        let Some(scope) = response else {
            return (requested.clone(), false);
        };
        let inferred = (self.strictness == Strictness::Tolerant
            && !self.comma_separated_response_scope)
            .then(|| comma_joined_request(&scope, requested))
            .flatten();
        match inferred {
            Some(split) => (split, true),
            None => (scope, false),
        }
    }

    /// A response's `scope` string, split as this provider writes it.
    pub(crate) fn parse_response_scope(&self, scope: &str) -> Result<Scope, InvalidValue> {
        if self.comma_separated_response_scope {
            Scope::from_tokens(scope.split([' ', ',']).filter(|t| !t.is_empty()))
        } else {
            Scope::parse(scope)
        }
    }
}

/// `scope`'s one token split on commas, if every piece is one of two or
/// more `requested` scopes and the token itself was not requested.
fn comma_joined_request(scope: &Scope, requested: &Scope) -> Option<Scope> {
    let mut tokens = scope.iter();
    let (Some(token), None) = (tokens.next(), tokens.next()) else {
        return None;
    };
    let joined = token.contains(',') && !requested.contains(token);
    if !joined || requested.iter().nth(1).is_none() {
        return None;
    }
    // An empty piece (`a,,b`, a leading or trailing comma) is refused here.
    let split = Scope::from_tokens(token.split(',')).ok()?;
    split.is_subset_of(requested).then_some(split)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_bound_types_are_never_bearer() {
        for never in [
            "Bearer",
            "DPoP",
            "dpop",
            "MAC",
            "N_A",
            "",
            " bot",
            "bot ",
            "bo\u{e9}t",
        ] {
            assert!(
                Tolerances::default().with_alias(never).is_err(),
                "{never:?}"
            );
        }
        let tolerances = Tolerances::default().with_alias("bot").unwrap();
        assert_eq!(
            tolerances.bearer_alias("BOT").map(String::as_str),
            Some("bot")
        );
        assert_eq!(tolerances.bearer_alias("user"), None);
        let spaced = Tolerances::default()
            .with_alias("User Access Token")
            .unwrap();
        assert!(spaced.bearer_alias("user access token").is_some());
        assert!(spaced.bearer_alias("User Access").is_none());
        let longest = "t".repeat(MAX_TOKEN_TYPE_ALIAS_BYTES);
        assert!(Tolerances::default().with_alias(&longest).is_ok());
        assert!(Tolerances::default()
            .with_alias(&alloc::format!("{longest}t"))
            .is_err());
    }

    #[test]
    fn granted_scope_reads_requested_scopes_joined_by_commas() {
        let requested = Scope::parse("repo gist").unwrap();
        let answer = |wire: &str| Some(Scope::parse(wire).unwrap());
        let tolerant = Tolerances::default();
        let (scope, assumed) = tolerant.granted_scope(answer("repo,gist"), &requested);
        assert_eq!((scope.to_string().as_str(), assumed), ("repo gist", true));
        let (scope, assumed) = tolerant.granted_scope(answer("repo,admin"), &requested);
        assert_eq!((scope.to_string().as_str(), assumed), ("repo,admin", false));
        let (scope, assumed) = tolerant.granted_scope(None, &requested);
        assert_eq!((scope, assumed), (requested.clone(), false));
        let strict = Tolerances {
            strictness: Strictness::Strict,
            ..Tolerances::default()
        };
        let (scope, assumed) = strict.granted_scope(answer("repo,gist"), &requested);
        assert_eq!((scope.to_string().as_str(), assumed), ("repo,gist", false));
    }

    #[test]
    fn comma_scopes() {
        let scope = Scope::parse("a b").unwrap();
        assert_eq!(ScopeDelimiter::Comma.join(&scope), "a,b");
        assert_eq!(ScopeDelimiter::Space.join(&scope), "a b");
        let commas = Tolerances::default().with_scope(ScopeDelimiter::Comma, true);
        assert_eq!(
            commas
                .parse_response_scope("repo,gist user")
                .unwrap()
                .to_string(),
            "repo gist user"
        );
        assert_eq!(
            Tolerances::default()
                .parse_response_scope("repo,gist")
                .unwrap()
                .to_string(),
            "repo,gist"
        );
    }
}

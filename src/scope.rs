//! Access token scope (RFC 6749 §3.3).

use alloc::collections::BTreeSet;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InvalidValue;

/// A set of scope tokens, kept in the order first given, without repeats.
///
/// On the wire it is the tokens joined by single spaces (RFC 6749 §3.3):
/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    tokens: Vec<String>,
}

impl Scope {
    /// The empty scope.
    #[must_use]
    pub const fn empty() -> Self {
        Self { tokens: Vec::new() }
    }

    /// Parses a space-delimited scope string as a server sends it. Runs of
    /// spaces are tolerated; repeated tokens are kept once.
    ///
    /// # Errors
    /// A token with a character outside `%x21 / %x23-5B / %x5D-7E`.
    pub fn parse(scope: &str) -> Result<Self, InvalidValue> {
        Self::from_tokens(scope.split(' ').filter(|t| !t.is_empty()))
    }

    /// Builds a scope from individual tokens.
    ///
    /// # Errors
    /// A token that is empty or has a character outside
    /// `%x21 / %x23-5B / %x5D-7E`.
    pub fn from_tokens<I, T>(tokens: I) -> Result<Self, InvalidValue>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let mut scope = Self::empty();
        // Repeats are found in a set, not by a scan of the tokens so far:
        // a response body's worth of tokens (tens of thousands) must not
        // cost quadratic time.
        let mut seen = BTreeSet::new();
        for token in tokens {
            let token = token.as_ref();
            if !is_scope_token(token) {
                return Err(InvalidValue::ScopeToken(token.into()));
            }
            if seen.insert(String::from(token)) {
                scope.tokens.push(token.into());
            }
        }
        Ok(scope)
    }

    /// Whether `token` is one of this scope's tokens.
    #[must_use]
    pub fn contains(&self, token: &str) -> bool {
        self.tokens.iter().any(|t| t == token)
    }

    /// Whether every token of `self` is in `other`.
    #[must_use]
    pub fn is_subset_of(&self, other: &Scope) -> bool {
        // A set of `other`'s tokens keeps two large scopes (a stored grant,
        // say) from costing quadratic time.
        let other: BTreeSet<&str> = other.iter().collect();
        self.tokens.iter().all(|t| other.contains(t.as_str()))
    }

    /// The tokens of `self`, then those of `other` it lacks.
    #[must_use]
    pub fn union(&self, other: &Scope) -> Scope {
        let mut union = self.clone();
        for token in &other.tokens {
            if !union.contains(token) {
                union.tokens.push(token.clone());
            }
        }
        union
    }

    /// Whether there are no tokens.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The tokens, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().map(String::as_str)
    }
}

/// For `skip_serializing_if` on a borrowed-or-owned scope.
#[allow(clippy::ptr_arg)] // serde's `skip_serializing_if` hands over the field itself
pub(crate) fn scope_is_empty(scope: &alloc::borrow::Cow<'_, Scope>) -> bool {
    scope.is_empty()
}

fn is_scope_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({:?})", self.to_string())
    }
}

/// The tokens joined by single spaces, as sent in `scope=` (RFC 6749
/// §3.3): `scope.to_string()` is the wire form. Every token is `NQCHAR`,
/// so nothing in it needs escaping.
impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut tokens = self.tokens.iter();
        if let Some(first) = tokens.next() {
            f.write_str(first)?;
        }
        tokens.try_for_each(|token| {
            f.write_str(" ")?;
            f.write_str(token)
        })
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = String::deserialize(deserializer)?;
        Scope::parse(&wire).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response body's worth of distinct tokens (over 50,000 in
    /// 256 KiB): quadratic repeat checks took seconds even in a release
    /// build; this runs in milliseconds.
    #[test]
    fn a_huge_scope_costs_no_quadratic_time() {
        let mut wire = String::new();
        let mut count = 0_u32;
        while wire.len() < 256 * 1024 {
            wire.push_str(&alloc::format!("{count:x} "));
            count += 1;
        }
        // And every token once more: repeats are dropped.
        let twice = alloc::format!("{wire}{wire}");
        let scope = Scope::parse(&twice).unwrap();
        assert_eq!(scope.iter().count(), usize::try_from(count).unwrap());
        assert!(scope.is_subset_of(&scope.clone()));
        assert!(!Scope::parse("zz-not-there").unwrap().is_subset_of(&scope));
    }

    #[test]
    fn parses_and_joins() {
        let scope = Scope::parse("openid  profile openid").unwrap();
        assert_eq!(scope.to_string(), "openid profile");
        assert!(Scope::parse("").unwrap().is_empty());
    }

    #[test]
    fn refuses_characters_outside_the_set() {
        for bad in ["a\"b", "a\\b", "é", "a\tb"] {
            assert!(Scope::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Scope::from_tokens([""]).is_err());
        assert_eq!(
            Scope::parse("ok bad\"token"),
            Err(InvalidValue::ScopeToken("bad\"token".into()))
        );
        assert!(Scope::parse("!#[]~").is_ok());
    }

    #[test]
    fn iterates_in_order() {
        let scope = Scope::parse("b a c").unwrap();
        assert_eq!(
            scope.iter().collect::<alloc::vec::Vec<_>>(),
            ["b", "a", "c"]
        );
        assert_eq!(Scope::empty().iter().count(), 0);
    }

    #[test]
    fn subset() {
        let wide = Scope::parse("a b c").unwrap();
        let narrow = Scope::parse("c a").unwrap();
        assert!(narrow.is_subset_of(&wide));
        assert!(!wide.is_subset_of(&narrow));
    }
}

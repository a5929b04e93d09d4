//! Step-up: a new login when a resource says the token lacks scope
//! (RFC 6750 §3.1 `insufficient_scope`).

use crate::config::Client;
use crate::error::{BearerErrorCode, ResourceError};
use crate::flow::{Authorized, Start};
use crate::scope::Scope;
use crate::wire::challenge::BearerChallenge;

/// The step-ups of one grant, counted: the caller keeps it beside the
/// [`Authorized`] it steps up, so a resource that keeps answering
/// `insufficient_scope` cannot send the user to log in again and again.
///
/// [`start`](Self::start) turns a `403` with `error="insufficient_scope"`
/// and a `scope` into a new login ([`NextStep::Reauthorize`](crate::resource::NextStep::Reauthorize))
/// asking for the scope already granted plus the one required, for the
/// same resources as the token.
///
/// ```
/// # use oauth2_pkce::*;
/// use oauth2_pkce::resource::{BearerChallenge, StepUp};
/// # fn demo(client: &Client, authorized: &Authorized) -> Result<(), Box<dyn std::error::Error>> {
/// let mut step_ups = StepUp::new(); // kept with `authorized`
/// let challenge = BearerChallenge::parse(
///     r#"Bearer error="insufficient_scope", scope="files:write""#,
/// )?
/// .unwrap();
/// let start = step_ups.start(client, authorized, &challenge)?;
/// // start.begin(...) as for the first login.
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepUp {
    done: u8,
    limit: u8,
}

impl Default for StepUp {
    fn default() -> Self {
        Self::new()
    }
}

impl StepUp {
    /// How many step-ups [`new`](Self::new) allows: two.
    pub const DEFAULT_LIMIT: u8 = 2;

    /// A counter at zero, allowing [`DEFAULT_LIMIT`](Self::DEFAULT_LIMIT).
    #[must_use]
    pub const fn new() -> Self {
        Self::with_limit(Self::DEFAULT_LIMIT)
    }

    /// A counter at zero, allowing `limit` step-ups.
    #[must_use]
    pub const fn with_limit(limit: u8) -> Self {
        Self { done: 0, limit }
    }

    /// How many step-ups were started.
    #[must_use]
    pub const fn count(&self) -> u8 {
        self.done
    }

    /// The scope to ask for: the grant's (or, when unknown, the token's)
    /// and the challenge's, in that order. Counts a step-up.
    ///
    /// # Errors
    /// See [`ResourceError`]; nothing is counted then.
    pub fn scope_for(
        &mut self,
        authorized: &Authorized,
        challenge: &BearerChallenge,
    ) -> Result<Scope, ResourceError> {
        if challenge.error() != Some(&BearerErrorCode::InsufficientScope) {
            return Err(ResourceError::NotInsufficientScope);
        }
        let required = challenge
            .scope()
            .filter(|scope| !scope.is_empty())
            .ok_or(ResourceError::NoScopeToAskFor)?;
        let granted = authorized
            .grant_scope()
            .unwrap_or(authorized.tokens().scope());
        if required.is_subset_of(granted) && required.is_subset_of(authorized.tokens().scope()) {
            return Err(ResourceError::ScopeAlreadyGranted);
        }
        if self.done >= self.limit {
            return Err(ResourceError::StepUpLimitReached { limit: self.limit });
        }
        self.done = self.done.saturating_add(1);
        Ok(granted.union(required))
    }

    /// The new login: [`scope_for`](Self::scope_for), for the resources
    /// the token was asked for ([`TokenSet::resources`](crate::TokenSet::resources)).
    ///
    /// # Errors
    /// As [`scope_for`](Self::scope_for).
    pub fn start<'c>(
        &mut self,
        client: &'c Client,
        authorized: &Authorized,
        challenge: &BearerChallenge,
    ) -> Result<Start<'c>, ResourceError> {
        let scope = self.scope_for(authorized, challenge)?;
        Ok(authorized
            .tokens()
            .resources()
            .iter()
            .cloned()
            .fold(Start::new(client).scope(scope), Start::resource))
    }
}

//! What the refresh grant did, counted in this crate's HTTP layer (not oxide-auth's): how many
//! refresh tokens were rotated, how many refresh requests were refused, and how many presented a
//! refresh token that had already been rotated away — a client that refreshed the same grant
//! twice (RFC 9700 §4.14.2 calls that replay; oxide-auth answers it `invalid_grant`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// Counts of `refresh_token` grant requests since the server started
/// ([`AuthorizationServer::refreshes`](crate::AuthorizationServer::refreshes)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefreshCounts {
    /// Refreshes answered 200: each rotated its refresh token (and issued a new access token).
    pub rotations: u64,
    /// Refreshes refused (any status but 200), `reused` among them.
    pub refused: u64,
    /// Refreshes that presented a refresh token an earlier refresh had already rotated away.
    pub reused: u64,
}

/// The counts, shared with the [`AuthorizationServer`](crate::AuthorizationServer) handle, and
/// the refresh tokens already rotated away (kept for the server's life: the server is for tests).
#[derive(Default)]
pub(crate) struct RefreshLog {
    counts: Arc<Mutex<RefreshCounts>>,
    spent: HashSet<String>,
}

impl RefreshLog {
    /// The counts, for the handle.
    pub(crate) fn counts(&self) -> Arc<Mutex<RefreshCounts>> {
        Arc::clone(&self.counts)
    }

    /// Records one refresh request that presented `token` and was answered `status`.
    pub(crate) fn record(&mut self, token: Option<String>, status: u16) {
        let reused = token
            .as_ref()
            .is_some_and(|token| self.spent.contains(token));
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.reused += u64::from(reused);
        if status == 200 {
            counts.rotations += 1;
            self.spent.extend(token);
        } else {
            counts.refused += 1;
        }
    }
}

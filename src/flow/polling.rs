//! The polling rules a pending grant follows at the token endpoint, shared
//! by the device grant (RFC 8628 §3.4, §3.5) and OpenID CIBA's poll and
//! ping modes (CIBA Core 1.0 §7.3, §10.1, §11), which set the same ones:
//! wait one `interval` between polls (5 s when the server names none),
//! 5 s more for good after `slow_down`, poll again after
//! `authorization_pending`, and never past the grant's expiry
//! (`expires_in` after the first response arrived).

use alloc::string::String;
use core::time::Duration;

use crate::error::{EndpointErrorKind, Failure, TokenErrorCode};
use crate::flow::authorized::{Authorized, TokenSet};
use crate::flow::{Credentials, Origin};
use crate::http::HttpResponse;
use crate::scope::Scope;
use crate::step::EndpointStep;
use crate::time::UnixTime;
use crate::wire::token::parse_token_response;

/// How much `slow_down` adds to the polling interval, for that request
/// and every later one (RFC 8628 §3.5, CIBA Core §11).
pub const SLOW_DOWN_INCREMENT: Duration = Duration::from_secs(5);

/// When a pending grant polls next, and when it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PollSchedule {
    pub(crate) expires_at: UnixTime,
    /// Seconds, at least 1.
    pub(crate) interval: u64,
    pub(crate) next_poll_at: UnixTime,
}

impl PollSchedule {
    /// The schedule of a grant whose first response arrived at `now`: it
    /// expires `expires_in` seconds later, and the first poll may come one
    /// `interval` (at least 1 s) and a second later. `Err` with the expiry
    /// when no poll fits before it.
    pub(crate) fn start(now: UnixTime, expires_in: u64, interval: u64) -> Result<Self, UnixTime> {
        let interval = interval.max(1);
        let expires_at = now.saturating_add(Duration::from_secs(expires_in));
        let next_poll_at = next_poll_at(now, interval);
        if next_poll_at >= expires_at {
            return Err(expires_at);
        }
        Ok(Self {
            expires_at,
            interval,
            next_poll_at,
        })
    }

    /// A schedule read back from storage, checked as [`start`](Self::start)
    /// makes them.
    pub(crate) fn stored(
        expires_at: UnixTime,
        interval: u64,
        next_poll_at: UnixTime,
    ) -> Result<Self, &'static str> {
        if interval == 0 {
            return Err("stored interval is 0");
        }
        if next_poll_at >= expires_at {
            return Err("stored next poll is not before the expiry");
        }
        Ok(Self {
            expires_at,
            interval,
            next_poll_at,
        })
    }

    /// Still pending at `now`: `slow_down` first adds 5 s to the interval
    /// for good. The next poll, one interval (and a second) from `now`; or
    /// `Err` with the expiry when that is at or past it.
    fn pending_at(&mut self, slow_down: bool, now: UnixTime) -> Result<UnixTime, UnixTime> {
        if slow_down {
            self.interval = self.interval.saturating_add(SLOW_DOWN_INCREMENT.as_secs());
        }
        let next = next_poll_at(now, self.interval);
        if next >= self.expires_at {
            return Err(self.expires_at);
        }
        self.next_poll_at = next;
        Ok(next)
    }

    /// Whether `kind`, at `now`, asks for a wait (`Retry-After`) that ends
    /// at or past the expiry: no retry is left to make in time.
    fn retry_too_late(&self, kind: &EndpointErrorKind, now: UnixTime) -> bool {
        matches!(
            kind,
            EndpointErrorKind::Unavailable { retry_after: Some(after), .. }
                if now.saturating_add(*after) >= self.expires_at
        )
    }
}

/// When to poll after an answer that arrived at `now`: `interval` seconds
/// later, plus one. `now` is read in whole seconds, so the answer may
/// have arrived up to a second after it; without the extra second a poll
/// could reach the server before the interval has passed, which RFC 8628
/// §3.5 and CIBA Core §7.3 forbid and servers answer with `slow_down`
/// (5 s more, for good).
fn next_poll_at(now: UnixTime, interval: u64) -> UnixTime {
    now.saturating_add(Duration::from_secs(interval.saturating_add(1)))
}

/// Whether the answer says the grant is still pending (RFC 8628 §3.5, CIBA
/// Core §11): `Some(true)` for `slow_down`, `Some(false)` for
/// `authorization_pending`.
fn still_pending(kind: &EndpointErrorKind) -> Option<bool> {
    match kind {
        EndpointErrorKind::ErrorResponse(response) => match response.error() {
            TokenErrorCode::AuthorizationPending => Some(false),
            TokenErrorCode::SlowDown => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// A step that polls the token endpoint for a pending grant.
pub(crate) trait Polling: EndpointStep {
    /// Its schedule and credentials, to update after an answer.
    fn schedule_and_credentials(&mut self) -> (&mut PollSchedule, &mut Credentials);

    /// What ends the grant when its expiry comes before the next poll.
    fn expired(expires_at: UnixTime) -> EndpointErrorKind;

    /// The grant, once the token endpoint issued its tokens: where it
    /// came from and the scope asked for.
    fn into_grant(self) -> (Origin, Scope);
}

/// Reads the token endpoint's answer to a poll that arrived at `now`: the
/// tokens; or, still pending, the step back with the next poll's time —
/// unless that is at or past the expiry, which ends the grant; a DPoP
/// nonce demand followed once (RFC 9449 §8); 429 and 5xx give the step
/// back unless their `Retry-After` ends past the expiry; any other error
/// ends the grant.
pub(crate) fn poll_response<S: Polling>(
    mut step: S,
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Result<Authorized, Failure<S>> {
    let (_, credentials) = step.schedule_and_credentials();
    let parsed = parse_token_response(response, now, &credentials.tolerances).and_then(|parsed| {
        let binding = credentials.binding(&parsed.token_type)?;
        Ok((parsed, binding))
    });
    match parsed {
        Ok((parsed, binding)) => {
            let nonce = credentials.nonce_after(response);
            let tolerances = credentials.tolerances.clone();
            let (origin, scope) = step.into_grant();
            let tokens = TokenSet::from_response(parsed, &scope, &tolerances, None, now, binding);
            let mut authorized = Authorized::new(origin, tokens);
            authorized.dpop_nonce = nonce;
            Ok(authorized)
        }
        Err(kind) => Err(poll_failure(step, kind, response, now)),
    }
}

fn poll_failure<S: Polling>(
    mut step: S,
    kind: EndpointErrorKind,
    response: &HttpResponse<'_>,
    now: UnixTime,
) -> Failure<S> {
    let (schedule, credentials) = step.schedule_and_credentials();
    match still_pending(&kind) {
        Some(slow_down) => {
            // A fresh `DPoP-Nonce` is for the next proof (RFC 9449 §8).
            if let (Some(_), Some(nonce)) = (&credentials.dpop, response.dpop_nonce()) {
                credentials.dpop_nonce = Some(String::from(nonce));
            }
            match schedule.pending_at(slow_down, now) {
                Ok(next) => Failure::poll_again(S::ENDPOINT, kind, step, next),
                Err(expires_at) => Failure::new(S::ENDPOINT, S::expired(expires_at), step),
            }
        }
        None if credentials.take_nonce_demand(&kind, response) => {
            Failure::fallback(S::ENDPOINT, kind, step)
        }
        None if schedule.retry_too_late(&kind, now) => {
            let expires_at = schedule.expires_at;
            Failure::new(S::ENDPOINT, S::expired(expires_at), step)
        }
        None => Failure::new(S::ENDPOINT, kind, step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixTime = UnixTime::from_secs(1_000);

    #[test]
    fn the_first_poll_comes_one_interval_and_a_second_later() {
        let schedule = PollSchedule::start(NOW, 60, 5).unwrap();
        assert_eq!(schedule.next_poll_at, UnixTime::from_secs(1_006));
        assert_eq!(schedule.expires_at, UnixTime::from_secs(1_060));
        // An interval of 0 would poll in a tight loop.
        assert_eq!(PollSchedule::start(NOW, 60, 0).unwrap().interval, 1);
        // No poll fits before the expiry.
        assert_eq!(
            PollSchedule::start(NOW, 6, 5),
            Err(UnixTime::from_secs(1_006))
        );
    }

    #[test]
    fn slow_down_adds_five_seconds_for_good() {
        let mut schedule = PollSchedule::start(NOW, 600, 5).unwrap();
        assert_eq!(
            schedule.pending_at(true, NOW),
            Ok(UnixTime::from_secs(1_011))
        );
        assert_eq!(schedule.interval, 10);
        assert_eq!(
            schedule.pending_at(false, NOW),
            Ok(UnixTime::from_secs(1_011))
        );
        assert_eq!(schedule.interval, 10);
        let late = UnixTime::from_secs(1_590);
        assert_eq!(schedule.pending_at(false, late), Err(schedule.expires_at));
    }

    #[test]
    fn stored_schedules_are_checked() {
        let at = UnixTime::from_secs;
        assert!(PollSchedule::stored(at(10), 0, at(5)).is_err());
        assert!(PollSchedule::stored(at(10), 5, at(10)).is_err());
        assert!(PollSchedule::stored(at(10), 5, at(9)).is_ok());
    }
}

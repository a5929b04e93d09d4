//! The driver's loop: send, read, wait, send again; blocking and async.

use super::{AsyncTransport, DriveError, Driver, Next, Transport, WaitReason};
use crate::flow::{Authorization, AuthorizationRequest, AwaitingCallback, PushingAuthorization};
use crate::step::EndpointStep;

impl<T: Transport> Driver<T> {
    /// Runs `step` to its end over the transport, sleeping with
    /// [`Transport::sleep`] between retries.
    ///
    /// # Errors
    /// [`DriveError`]: the transport's error with the step, or the
    /// endpoint's failure (with the step when a later retry may help).
    pub fn run<S: EndpointStep>(&self, mut step: S) -> Result<S::Output, DriveError<S, T::Error>> {
        let mut jitter = self.jitter();
        let mut retry: u32 = 1;
        let mut poll = WaitReason::NotBefore;
        loop {
            let reason = core::mem::replace(&mut poll, WaitReason::NotBefore);
            let (ready, wait) = self.before_send(step, reason)?;
            step = ready;
            if let Some(wait) = wait {
                self.transport.sleep(wait);
            }
            let (built, request) = self.build(step)?;
            step = built;
            let response = match self.transport.send(request) {
                Ok(response) => response,
                Err(error) => return Err(DriveError::Transport { error, step }),
            };
            match self.next(step, &response, retry, &mut jitter) {
                Next::Done(output) => return Ok(output),
                Next::Stop(error) => return Err(error),
                Next::Retry(again, delay) => {
                    self.transport.sleep(delay);
                    step = again;
                    retry = retry.saturating_add(1);
                }
                Next::Fallback(next) => step = next,
                Next::PollAgain(again, reason) => {
                    step = again;
                    poll = reason;
                    retry = 1;
                }
            }
        }
    }

    /// Begins a login as [`Start::authorize`](crate::Start::authorize)
    /// chose: a redirect is handed back as it is, a pushed authorization
    /// request is run to its end first.
    ///
    /// # Errors
    /// As [`run`](Self::run), for the pushed authorization request.
    // The error hands the pushed request back, to be sent again later.
    #[allow(clippy::result_large_err)]
    pub fn authorize(
        &self,
        authorization: Authorization,
    ) -> Result<(AuthorizationRequest, AwaitingCallback), DriveError<PushingAuthorization, T::Error>>
    {
        match authorization {
            Authorization::Redirect(request, pending) => Ok((request, pending)),
            Authorization::Push(pushing) => self.run(pushing),
        }
    }
}

impl<T: AsyncTransport> Driver<T> {
    /// Runs `step` to its end over the async transport, awaiting
    /// [`AsyncTransport::sleep`] between retries. The future is `Send`
    /// when the transport is `Sync` and the step `Send`, so it runs under
    /// `tokio::spawn` and in axum handlers.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub async fn run_async<S: EndpointStep>(
        &self,
        mut step: S,
    ) -> Result<S::Output, DriveError<S, T::Error>> {
        let mut jitter = self.jitter();
        let mut retry: u32 = 1;
        let mut poll = WaitReason::NotBefore;
        loop {
            let reason = core::mem::replace(&mut poll, WaitReason::NotBefore);
            let (ready, wait) = self.before_send(step, reason)?;
            step = ready;
            if let Some(wait) = wait {
                self.transport.sleep(wait).await;
            }
            let (built, request) = self.build(step)?;
            step = built;
            let response = match self.transport.send(request).await {
                Ok(response) => response,
                Err(error) => return Err(DriveError::Transport { error, step }),
            };
            match self.next(step, &response, retry, &mut jitter) {
                Next::Done(output) => return Ok(output),
                Next::Stop(error) => return Err(error),
                Next::Retry(again, delay) => {
                    self.transport.sleep(delay).await;
                    step = again;
                    retry = retry.saturating_add(1);
                }
                Next::Fallback(next) => step = next,
                Next::PollAgain(again, reason) => {
                    step = again;
                    poll = reason;
                    retry = 1;
                }
            }
        }
    }

    /// Begins a login as [`authorize`](Self::authorize), over the async
    /// transport.
    ///
    /// # Errors
    /// As [`run`](Self::run), for the pushed authorization request.
    // The error hands the pushed request back, to be sent again later.
    #[allow(clippy::result_large_err)]
    pub async fn authorize_async(
        &self,
        authorization: Authorization,
    ) -> Result<(AuthorizationRequest, AwaitingCallback), DriveError<PushingAuthorization, T::Error>>
    {
        match authorization {
            Authorization::Redirect(request, pending) => Ok((request, pending)),
            Authorization::Push(pushing) => self.run_async(pushing).await,
        }
    }
}

/// SplitMix64: a small, fast generator for jitter (not for secrets), seeded
/// by the caller.
#[derive(Clone, Debug)]
pub(super) struct Jitter(u64);

impl Jitter {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The generator of a driver's `run`-th run: seeded with the first
    /// output for the policy's seed mixed with the run number, so that
    /// runs do not share a stretch of one sequence.
    pub(super) fn for_run(seed: u64, run: u32) -> Self {
        Self::new(Self::new(seed ^ u64::from(run).rotate_right(23)).next())
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

//! OpenID Connect sign-in in one call: the code exchange, the ID token
//! verified, and the key set fetched again once when the provider rotated
//! its keys (Core §3.1.3.7, §10.1.1).

use super::{AsyncTransport, ChainError, Driver, Transport};
use crate::error::Failure;
use crate::flow::{Exchanging, SignedIn, UnknownKey};
use crate::jws::JwsVerifier;
use crate::oidc::KeySet;

impl<T: Transport> Driver<T> {
    /// Signs the user in (OpenID Connect Core §3.1.3): the code exchange
    /// of `exchanging` ([`Exchanging::sign_in`]), its ID token verified
    /// with `keys` through `verifier`. An ID token naming a `kid` the set
    /// lacks makes the driver fetch the set again, once and rate-limited
    /// ([`KeySet::refetch`], §10.1.1), into `keys`, and verify once more:
    /// store `keys` again when its [`fetched_at`](KeySet::fetched_at)
    /// changed.
    ///
    /// ```
    /// # use oauth2_pkce::*;
    /// # use oauth2_pkce::jose::RustCryptoVerifier;
    /// # use oauth2_pkce::openid::KeySet;
    /// # fn run(driver: &Driver<impl Transport>, exchanging: Exchanging, keys: &mut KeySet)
    /// #     -> Result<(), Box<dyn std::error::Error>> {
    /// let signed_in = driver.sign_in(exchanging, keys, &RustCryptoVerifier)?;
    /// println!("{}", signed_in.id_token().claims().subject());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`ChainError`]: the token endpoint's or the key set's failure
    /// (a refused ID token is [`EndpointErrorKind::IdTokenRejected`](crate::errors::EndpointErrorKind::IdTokenRejected)),
    /// or the transport's.
    pub fn sign_in(
        &self,
        exchanging: Exchanging,
        keys: &mut KeySet,
        verifier: &dyn JwsVerifier,
    ) -> Result<SignedIn, ChainError<T::Error>> {
        let received = self.run(exchanging.sign_in())?;
        let unknown = match received.verify(keys, verifier, (self.clock)()) {
            Ok(signed_in) => return Ok(signed_in),
            Err(failure) => refetch_or_fail(failure)?,
        };
        *keys = self.run(unknown.refetch())?;
        unknown
            .into_received()
            .verify(keys, verifier, (self.clock)())
            .map_err(|failure| ChainError::Endpoint(failure.into_error()))
    }
}

impl<T: AsyncTransport> Driver<T> {
    /// [`sign_in`](Self::sign_in) over the async transport.
    ///
    /// # Errors
    /// As [`sign_in`](Self::sign_in).
    pub async fn sign_in_async(
        &self,
        exchanging: Exchanging,
        keys: &mut KeySet,
        verifier: &dyn JwsVerifier,
    ) -> Result<SignedIn, ChainError<T::Error>> {
        let received = self.run_async(exchanging.sign_in()).await?;
        let unknown = match received.verify(keys, verifier, (self.clock)()) {
            Ok(signed_in) => return Ok(signed_in),
            Err(failure) => refetch_or_fail(failure)?,
        };
        *keys = self.run_async(unknown.refetch()).await?;
        unknown
            .into_received()
            .verify(keys, verifier, (self.clock)())
            .map_err(|failure| ChainError::Endpoint(failure.into_error()))
    }
}

/// The step that fetches the key set again, when the failure is the
/// fallback that asks for it; else the failure.
fn refetch_or_fail<E>(failure: Failure<UnknownKey>) -> Result<UnknownKey, ChainError<E>> {
    if !failure.is_fallback() {
        return Err(ChainError::Endpoint(failure.into_error()));
    }
    let error = failure.error().clone();
    failure.into_retry().ok_or(ChainError::Endpoint(error))
}

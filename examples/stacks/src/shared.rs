//! What lets the web app outgrow one machine: sessions in Redis, and a
//! Redis lock that makes a grant's renewal happen once across instances.
//!
//! Why a lock and not only a compare-and-swap on the grant's generation:
//! a compare-and-swap protects the *write*, but by then both instances have
//! already sent their refresh request, and the second one used a refresh
//! token the provider had just rotated away — which its reuse detection
//! may punish by revoking the whole grant (RFC 9700 §4.14.2). Only one
//! instance may *send*. The lock is released only by its holder, and is a
//! short lease ([`lease`]) that the holder extends while its renewal is
//! under way ([`RenewalLock::hold_while`]): however slow the provider, no
//! other instance takes the lock while a refresh may still be in flight;
//! and an instance that dies holding it blocks that grant's renewal for
//! one lease, less than the grant has left, so another instance still
//! renews it before it expires — even at a provider whose refresh token
//! dies with its access token.
//!
//! What no lock can save: a refresh the provider has already answered
//! when its instance dies. The provider rotated the refresh token, the new
//! one died with the instance, and the user logs in again.

use std::future::Future;
use std::time::Duration;

use redis::aio::ConnectionManager;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The longest lease on a renewal lock.
pub const MAX_LEASE: Duration = Duration::from_secs(2);
/// The shortest.
pub const MIN_LEASE: Duration = Duration::from_millis(250);

/// The lease on the renewal lock of a grant whose access token has `left`
/// to live: a quarter of that, between [`MIN_LEASE`] and [`MAX_LEASE`]
/// ([`MAX_LEASE`] when the expiry is unknown).
pub fn lease(left: Option<Duration>) -> Duration {
    left.map_or(MAX_LEASE, |left| (left / 4).clamp(MIN_LEASE, MAX_LEASE))
}

/// How often a request waiting for another instance's renewal looks again.
const LOCK_POLL: Duration = Duration::from_millis(20);

/// Connects to Redis, failing fast while it is down so that requests get a
/// clear 503 rather than hang; the connection comes back by itself.
pub async fn connect(url: &str) -> redis::RedisResult<ConnectionManager> {
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(1))
        .set_response_timeout(Duration::from_secs(1))
        .set_number_of_retries(1);
    redis::Client::open(url)?
        .get_connection_manager_with_config(config)
        .await
}

/// tower-sessions' records in Redis, one JSON string per session, expiring
/// with the session.
#[derive(Clone)]
pub struct RedisStore(ConnectionManager);

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisStore")
    }
}

impl RedisStore {
    /// A store over `connection`.
    pub fn new(connection: ConnectionManager) -> Self {
        Self(connection)
    }

    /// Writes `record`; with `only_new`, fails (returns false) when its ID
    /// is taken.
    async fn write(&self, record: &Record, only_new: bool) -> session_store::Result<bool> {
        let json = serde_json::to_string(record)
            .map_err(|error| session_store::Error::Encode(error.to_string()))?;
        let mut command = redis::cmd("SET");
        command
            .arg(key(&record.id))
            .arg(json)
            .arg("EXAT")
            .arg(record.expiry_date.unix_timestamp());
        if only_new {
            command.arg("NX");
        }
        let written: Option<String> = command
            .query_async(&mut self.0.clone())
            .await
            .map_err(backend)?;
        Ok(written.is_some())
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !self.write(record, true).await? {
            record.id = Id::default(); // taken: draw another
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, false).await.map(drop)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let json: Option<String> = redis::cmd("GET")
            .arg(key(id))
            .query_async(&mut self.0.clone())
            .await
            .map_err(backend)?;
        json.map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|error| session_store::Error::Decode(error.to_string()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        redis::cmd("DEL")
            .arg(key(id))
            .query_async::<()>(&mut self.0.clone())
            .await
            .map_err(backend)
    }
}

fn key(id: &Id) -> String {
    format!("session:{id}")
}

fn backend(error: redis::RedisError) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

/// A random name for an instance of the app (22 characters), which the
/// renewal locks it holds carry.
pub fn instance_name() -> String {
    Id::default().to_string()
}

/// The renewal lock of one session, held in Redis.
pub struct RenewalLock {
    connection: ConnectionManager,
    key: String,
    holder: String,
    lease: Duration,
}

impl RenewalLock {
    /// Waits until `instance` (a name of its own, e.g.
    /// [`instance_name`]) holds the renewal lock of session `id`, on a
    /// lease of `lease` ([`lease`]). The lock's value is the instance's
    /// name and 128 random bits: `renewing:<id>` in Redis says which
    /// instance renews that session.
    pub async fn acquire(
        connection: &ConnectionManager,
        instance: &str,
        id: &str,
        lease: Duration,
    ) -> redis::RedisResult<RenewalLock> {
        let lock = RenewalLock {
            connection: connection.clone(),
            key: format!("renewing:{id}"),
            holder: format!("{instance}/{}", Id::default()),
            lease,
        };
        loop {
            let taken: Option<String> = redis::cmd("SET")
                .arg(&lock.key)
                .arg(&lock.holder)
                .arg("NX")
                .arg("PX")
                .arg(lock.lease_ms())
                .query_async(&mut lock.connection.clone())
                .await?;
            if taken.is_some() {
                return Ok(lock);
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }

    /// Runs `renewal`, extending the lease every third of it until the
    /// renewal is done.
    pub async fn hold_while<T>(&self, renewal: impl Future<Output = T>) -> T {
        let mut renewal = std::pin::pin!(renewal);
        let mut extend = tokio::time::interval(self.lease / 3);
        extend.tick().await; // the first tick is now
        loop {
            tokio::select! {
                done = &mut renewal => return done,
                _ = extend.tick() => {
                    // Redis down: nobody can take the lock meanwhile (nor
                    // read the session to renew it).
                    let _ = self.extend().await;
                }
            }
        }
    }

    fn lease_ms(&self) -> u64 {
        u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX)
    }

    /// Extends the lease if this instance still holds the lock.
    async fn extend(&self) -> redis::RedisResult<()> {
        let script = redis::Script::new(
            r#"if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end"#,
        );
        script
            .key(&self.key)
            .arg(&self.holder)
            .arg(self.lease_ms())
            .invoke_async::<i64>(&mut self.connection.clone())
            .await
            .map(drop)
    }

    /// Releases the lock if this instance still holds it.
    pub async fn release(self) -> redis::RedisResult<()> {
        let script = redis::Script::new(
            r#"if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end"#,
        );
        script
            .key(&self.key)
            .arg(&self.holder)
            .invoke_async::<i64>(&mut self.connection.clone())
            .await
            .map(drop)
    }
}

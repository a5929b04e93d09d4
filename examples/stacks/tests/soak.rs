//! A soak of the web app (`SOAK.md` next to this crate's manifest says
//! what it shows and what it measured): two instances sharing one Redis,
//! hundreds of browsers logging in and calling `/me` while access tokens
//! expire every few seconds, against the embedded oxide-auth server on
//! loopback; one instance killed while renewals are in flight and
//! restarted, and Redis restarted once.
//!
//! `cargo test` runs the short form (about a minute). The long form is
//! `examples/stacks/soak.sh` (the same test, longer, in release mode):
//! `SOAK_SECONDS` (load phase, default 45), `SOAK_SESSIONS` (default 200)
//! and `SOAK_LIFETIME` (access token lifetime in seconds, default 6) set
//! its size.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{app_http, Redis};
use oauth2_pkce_stacks::web_app::{Config, WebApp};
use oauth2_pkce_test_server::{
    AuthorizationServer, ServerConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};

/// The soak's size, from the environment.
#[derive(Clone, Copy, Debug)]
struct Settings {
    sessions: usize,
    load: Duration,
    lifetime: Duration,
    /// No more `/me` requests than this in all (a bound besides time).
    max_requests: u64,
}

impl Settings {
    fn from_env() -> Self {
        let var = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|value| value.parse().ok())
                .unwrap_or(default)
        };
        let load = Duration::from_secs(var("SOAK_SECONDS", 45));
        let sessions = usize::try_from(var("SOAK_SESSIONS", 200)).unwrap();
        Self {
            sessions,
            load,
            lifetime: Duration::from_secs(var("SOAK_LIFETIME", 6)),
            // Each browser calls `/me` about twice a second.
            max_requests: 3 * sessions as u64 * load.as_secs().max(1),
        }
    }
}

/// How long a browser waits between two pages: 250–750 ms.
fn think(seed: &mut u64) -> Duration {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    Duration::from_millis(250 + *seed % 500)
}

/// One instance of the app, on a thread and runtime of its own: killing
/// it drops the runtime with everything under way in it — no graceful
/// shutdown, and whatever a request was awaiting (a refresh response, a
/// Redis write) never completes — as a crash would.
struct Instance {
    /// The name its renewal locks carry.
    name: String,
    kill: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Instance {
    /// Starts serving `config` on `127.0.0.1:port`; returns once it listens.
    async fn start(port: u16, config: Config) -> Self {
        let (kill, killed) = tokio::sync::oneshot::channel::<()>();
        let (listening, ready) = tokio::sync::oneshot::channel::<String>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let app = WebApp::discover(&config, app_http()).await.unwrap();
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                    .await
                    .unwrap();
                let _ = listening.send(app.instance().to_owned());
                tokio::select! {
                    _ = axum::serve(listener, app.router()) => {}
                    _ = killed => {}
                }
            });
            // Dropping the runtime drops every task still in it: the
            // connections and the requests under way.
            drop(runtime);
        });
        let name = ready.await.expect("the instance did not start");
        Self {
            name,
            kill: Some(kill),
            thread: Some(thread),
        }
    }

    fn kill(&mut self) {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a page answered.
struct Answer {
    status: u16,
    /// The session cookie it set (`id=…`), if any: on `/me`, a renewal.
    cookie: Option<String>,
    location: Option<String>,
    body: String,
}

/// The load balancer in front of the two instances, as the browsers see
/// it: a request goes to either instance, and one that cannot reach its
/// instance (refused, or cut off by a kill) is sent to the other, as a
/// proxy retries an idempotent request.
struct Balancer {
    http: reqwest::Client,
    instances: [String; 2],
    next: AtomicUsize,
    /// Requests sent to the other instance after their first failed.
    failovers: AtomicU64,
}

impl Balancer {
    async fn get(&self, path: &str, cookie: Option<&str>) -> Result<Answer, String> {
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        let mut error = String::new();
        for attempt in 0..2 {
            let base = &self.instances[(first + attempt) % 2];
            let mut request = self.http.get(format!("{base}{path}"));
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(failed) => {
                    error = format!("{base}: {failed:?}");
                    self.failovers.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
            };
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned)
            };
            let cookie = header("set-cookie").map(|set| set.split(';').next().unwrap().to_owned());
            let location = header("location");
            let status = response.status().as_u16();
            match response.text().await {
                Ok(body) => {
                    return Ok(Answer {
                        status,
                        cookie,
                        location,
                        body,
                    })
                }
                Err(failed) => {
                    error = format!("{base}: {failed:?}");
                    self.failovers.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        Err(error)
    }
}

/// Everything the browsers saw.
#[derive(Default)]
struct Tally {
    requests: u64,
    ok: u64,
    /// When every `/me` answered 200 started and how long it took; and
    /// of those that renewed.
    all: Vec<(Instant, Duration)>,
    renewing: Vec<(Instant, Duration)>,
    /// Failed requests (not 200), with when they started and which session.
    failures: Vec<Failure>,
    /// Sessions that had to log in again, by session ID.
    lost: Vec<String>,
    logins: u64,
}

struct Failure {
    started: Instant,
    ended: Instant,
    session: String,
    what: String,
}

/// What the kill and the restart interrupted, and when Redis was down.
#[derive(Default)]
struct Events {
    /// Sessions whose renewal lock the killed instance held: their renewal
    /// was in flight when it died.
    interrupted_by_kill: HashSet<String>,
    kill_attempts: u32,
    /// When instance A was killed (once per attempt).
    kills: Vec<Instant>,
    /// Sessions whose renewal was under way when Redis was killed.
    interrupted_by_outage: HashSet<String>,
    /// Redis killed, and Redis answering again.
    outage: Option<(Instant, Instant)>,
}

fn session_id(cookie: &str) -> String {
    cookie
        .split_once('=')
        .map_or(cookie, |(_, id)| id)
        .to_owned()
}

/// Logs a browser in through the balancer and the provider; retries while
/// the session store is down. Returns the session cookie.
async fn log_in(
    balancer: &Balancer,
    server: &Arc<AuthorizationServer>,
    tally: &Mutex<Tally>,
    deadline: Instant,
) -> Option<String> {
    while Instant::now() < deadline {
        let started = Instant::now();
        let failed = |what: String| Failure {
            started,
            ended: Instant::now(),
            session: String::new(),
            what,
        };
        let login = match balancer.get("/login", None).await {
            Ok(answer) if answer.status == 303 => answer,
            Ok(answer) => {
                tally.lock().unwrap().failures.push(failed(format!(
                    "GET /login: {} {}",
                    answer.status,
                    answer.body.trim()
                )));
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            Err(error) => {
                tally.lock().unwrap().failures.push(failed(error));
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let to_provider = login.location.unwrap();
        let provider = Arc::clone(server);
        let callback = tokio::task::spawn_blocking(move || provider.log_in(&to_provider))
            .await
            .unwrap()
            .unwrap();
        // The callback goes to whichever instance the balancer picks.
        let path = &callback[callback.find("/callback").unwrap()..];
        match balancer.get(path, login.cookie.as_deref()).await {
            Ok(answer) if answer.status == 303 => {
                tally.lock().unwrap().logins += 1;
                return answer.cookie;
            }
            Ok(answer) => tally.lock().unwrap().failures.push(failed(format!(
                "GET /callback: {} {}",
                answer.status,
                answer.body.trim()
            ))),
            Err(error) => tally.lock().unwrap().failures.push(failed(error)),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

/// One browser: logs in, then calls `/me` until the deadline; logs in
/// again when its login is lost.
async fn browse(
    seed: u64,
    balancer: Arc<Balancer>,
    server: Arc<AuthorizationServer>,
    tally: Arc<Mutex<Tally>>,
    sent: Arc<AtomicU64>,
    settings: Settings,
    deadline: Instant,
) {
    let mut seed = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let Some(mut cookie) = log_in(&balancer, &server, &tally, deadline).await else {
        return;
    };
    let mut failures_in_a_row = 0;
    while Instant::now() < deadline && sent.fetch_add(1, Ordering::Relaxed) < settings.max_requests
    {
        let started = Instant::now();
        let answer = balancer.get("/me", Some(&cookie)).await;
        let elapsed = started.elapsed();
        let relogin = {
            let mut tally = tally.lock().unwrap();
            tally.requests += 1;
            let what = match answer {
                Ok(answer) if answer.status == 200 => {
                    tally.ok += 1;
                    tally.all.push((started, elapsed));
                    if let Some(renewed) = answer.cookie {
                        tally.renewing.push((started, elapsed));
                        cookie = renewed;
                    }
                    None
                }
                Ok(answer) => Some((answer.status, answer.body.trim().to_owned())),
                Err(error) => Some((0, error)),
            };
            match what {
                None => {
                    failures_in_a_row = 0;
                    false
                }
                Some((status, body)) => {
                    tally.failures.push(Failure {
                        started,
                        ended: Instant::now(),
                        session: session_id(&cookie),
                        what: format!("GET /me: {status} {body}"),
                    });
                    // 401 (no grant) or 502 (the provider refused the
                    // renewal): the login is gone, and the user logs in
                    // again; so after five failures in a row of any kind.
                    // Anything else (503 or 500 while Redis is down, a cut
                    // connection): the page is tried again.
                    failures_in_a_row += 1;
                    let lost = matches!(status, 401 | 502) || failures_in_a_row >= 5;
                    if lost {
                        tally.lost.push(session_id(&cookie));
                    }
                    lost
                }
            }
        };
        if relogin {
            failures_in_a_row = 0;
            match log_in(&balancer, &server, &tally, deadline).await {
                Some(fresh) => cookie = fresh,
                None => return,
            }
        }
        tokio::time::sleep(think(&mut seed)).await;
    }
}

/// The renewal locks in Redis now: session ID, and the lock's value
/// (`<instance name>/<random>`).
async fn renewal_locks(redis: &mut redis::aio::ConnectionManager) -> HashMap<String, String> {
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("renewing:*")
        .query_async(redis)
        .await
        .unwrap_or_default();
    let mut locks = HashMap::new();
    for key in keys {
        let holder: Option<String> = redis::cmd("GET")
            .arg(&key)
            .query_async(redis)
            .await
            .unwrap_or_default();
        if let (Some(id), Some(holder)) = (key.strip_prefix("renewing:"), holder) {
            locks.insert(id.to_owned(), holder);
        }
    }
    locks
}

/// Waits (5 s at most) until a renewal lock — one of `instance`'s, or any
/// — has been held 5 ms: past taking the lock and reading the session
/// (a millisecond each), its refresh request is on its way to the
/// provider or there.
async fn in_refresh(redis: &mut redis::aio::ConnectionManager, instance: Option<&str>) {
    let watching = Instant::now();
    let mut seen: HashMap<String, Instant> = HashMap::new();
    while watching.elapsed() < Duration::from_secs(5) {
        let now = Instant::now();
        let held = match instance {
            Some(instance) => held_by(redis, instance).await,
            None => renewal_locks(redis).await,
        };
        seen.retain(|holder, _| held.values().any(|h| h == holder));
        for holder in held.into_values() {
            seen.entry(holder).or_insert(now);
        }
        if seen
            .values()
            .any(|first| first.elapsed() >= Duration::from_millis(5))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The renewal locks `instance` holds now.
async fn held_by(
    redis: &mut redis::aio::ConnectionManager,
    instance: &str,
) -> HashMap<String, String> {
    let prefix = format!("{instance}/");
    let mut locks = renewal_locks(redis).await;
    locks.retain(|_, holder| holder.starts_with(&prefix));
    locks
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

#[tokio::test]
async fn soak_two_instances_through_a_kill_and_a_redis_restart() {
    let settings = Settings::from_env();
    let began = Instant::now();
    let mut redis = Redis::start();
    let port_a = common::free_port();
    let port_b = common::free_port();
    let a = format!("http://127.0.0.1:{port_a}");
    let b = format!("http://127.0.0.1:{port_b}");
    // One redirect URI is registered; the balancer sends the callback to
    // either instance.
    let redirect_uri = format!("{b}/callback");
    let server = Arc::new(
        AuthorizationServer::start(
            ServerConfig::default()
                .redirect_uri(&redirect_uri)
                .access_token_lifetime(settings.lifetime),
        )
        .unwrap(),
    );
    let config = Config {
        issuer: server.issuer(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: Some(DEMO_CLIENT_SECRET.into()),
        redirect_uri,
        scope: "read".into(),
        api_url: Some(server.resource_endpoint()),
        secure_cookie: false,
        redis_url: Some(redis.url()),
    };
    let mut instance_a = Instance::start(port_a, config.clone()).await;
    let instance_b = Instance::start(port_b, config.clone()).await;
    let balancer = Arc::new(Balancer {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        instances: [a, b],
        next: AtomicUsize::new(0),
        failovers: AtomicU64::new(0),
    });

    let tally = Arc::new(Mutex::new(Tally::default()));
    let sent = Arc::new(AtomicU64::new(0));
    let load_started = Instant::now();
    let deadline = load_started + settings.load;
    let browsers: Vec<_> = (0..settings.sessions)
        .map(|n| {
            tokio::spawn(browse(
                n as u64 + 1,
                Arc::clone(&balancer),
                Arc::clone(&server),
                Arc::clone(&tally),
                Arc::clone(&sent),
                settings,
                deadline,
            ))
        })
        .collect();

    let mut watcher = redis::Client::open(redis.url())
        .unwrap()
        .get_connection_manager()
        .await
        .unwrap();
    let mut events = Events::default();

    // A third of the way in: kill instance A in the middle of a refresh —
    // once A has held a renewal lock for 5 ms, past taking the lock and
    // reading the session, while its refresh request is on its way —
    // and read which locks of A's are left once it is gone: the renewals
    // that will never complete.
    tokio::time::sleep_until((load_started + settings.load / 3).into()).await;
    while events.interrupted_by_kill.is_empty() && events.kill_attempts < 5 {
        in_refresh(&mut watcher, Some(&instance_a.name)).await;
        let name = instance_a.name.clone();
        instance_a.kill();
        events.kill_attempts += 1;
        events.kills.push(Instant::now());
        events.interrupted_by_kill = held_by(&mut watcher, &name).await.into_keys().collect();
        if events.interrupted_by_kill.is_empty() {
            // Its renewals completed meanwhile: try again.
            instance_a = Instance::start(port_a, config.clone()).await;
        }
    }
    // A stays down a second (the balancer sends everything to B), then
    // comes back.
    tokio::time::sleep(Duration::from_secs(1)).await;
    instance_a = Instance::start(port_a, config.clone()).await;

    // Two thirds of the way in: Redis killed (no shutdown save: only its
    // fsynced append-only file remains), down a second, started again.
    tokio::time::sleep_until((load_started + settings.load * 2 / 3).into()).await;
    // Redis dies in the middle of a refresh too.
    in_refresh(&mut watcher, None).await;
    events.interrupted_by_outage = renewal_locks(&mut watcher).await.into_keys().collect();
    let down = Instant::now();
    redis.kill();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let redis = tokio::task::spawn_blocking(move || {
        redis.resume();
        redis
    })
    .await
    .unwrap();
    events.outage = Some((down, Instant::now()));

    for browser in browsers {
        browser.await.unwrap();
    }
    let load = load_started.elapsed();
    instance_a.kill();
    drop(instance_b);
    let refreshes = server.refreshes();
    drop(redis);

    // --- the report ---
    let tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    let (down, up) = events.outage.unwrap();
    // A request failed "during the outage" if it was under way while Redis
    // was down or within two seconds of its return (the instances
    // reconnect on their next command).
    let in_outage =
        |failure: &Failure| failure.ended >= down && failure.started <= up + Duration::from_secs(2);
    // Or it was under way when A was killed: a login whose callback A
    // completed before it died fails when the balancer sends the callback
    // again to B, which finds no pending login (the user starts again).
    let at_kill = |failure: &Failure| {
        (events.kills.iter()).any(|kill| (failure.started..=failure.ended).contains(kill))
    };
    let interrupted: HashSet<&String> = events
        .interrupted_by_kill
        .iter()
        .chain(&events.interrupted_by_outage)
        .collect();
    let outage_failures = tally.failures.iter().filter(|f| in_outage(f)).count();
    let interrupted_failures = tally
        .failures
        .iter()
        .filter(|f| !in_outage(f) && (at_kill(f) || interrupted.contains(&f.session)))
        .count();
    let other_failures: Vec<&Failure> = tally
        .failures
        .iter()
        .filter(|f| !in_outage(f) && !at_kill(f) && !interrupted.contains(&f.session))
        .collect();
    let lost_interrupted = tally
        .lost
        .iter()
        .filter(|s| interrupted.contains(s))
        .count();
    let lost_other = tally.lost.len() - lost_interrupted;
    // Latencies apart from the outage, when requests wait for Redis.
    let calm = |pages: &[(Instant, Duration)]| {
        let mut calm: Vec<Duration> = pages
            .iter()
            .filter(|(started, elapsed)| {
                *started + *elapsed < down || *started > up + Duration::from_secs(2)
            })
            .map(|(_, elapsed)| *elapsed)
            .collect();
        calm.sort();
        calm
    };
    let renewing = calm(&tally.renewing);
    let all = calm(&tally.all);
    let mut with_outage: Vec<Duration> =
        tally.renewing.iter().map(|(_, elapsed)| *elapsed).collect();
    with_outage.sort();
    let refresh_requests = refreshes.rotations + refreshes.refused;
    // How many times each rotated refresh token was sent: once, unless two
    // renewals of one grant both sent it.
    let per_rotation =
        (refreshes.rotations + refreshes.reused) as f64 / refreshes.rotations.max(1) as f64;
    println!(
        "soak: {settings:?}, load phase {load:.1?}, whole run {:.1?}",
        began.elapsed()
    );
    println!(
        "logins {} ({} at the start), lost {} ({} of sessions whose renewal the kill or the outage interrupted; {} otherwise)",
        tally.logins,
        settings.sessions,
        tally.lost.len(),
        lost_interrupted,
        lost_other
    );
    let lost_to =
        |sessions: &HashSet<String>| tally.lost.iter().filter(|s| sessions.contains(*s)).count();
    println!(
        "renewals interrupted: {} by the kill (attempts: {}; logins lost: {}), {} by the Redis outage (logins lost: {})",
        events.interrupted_by_kill.len(),
        events.kill_attempts,
        lost_to(&events.interrupted_by_kill),
        events.interrupted_by_outage.len(),
        lost_to(&events.interrupted_by_outage),
    );
    println!(
        "refresh requests {refresh_requests}, rotations {}, refused {} ({} presenting a refresh token already rotated): {per_rotation:.5} refreshes per rotation; renewing pages seen {}",
        refreshes.rotations,
        refreshes.refused,
        refreshes.reused,
        tally.renewing.len()
    );
    println!(
        "/me requests {}, 200 {}, failed requests {} ({} during the Redis outage of {:.1?}, {} under way at the kill or of interrupted sessions, {} otherwise); failovers {}",
        tally.requests,
        tally.ok,
        tally.failures.len(),
        outage_failures,
        up - down,
        interrupted_failures,
        other_failures.len(),
        balancer.failovers.load(Ordering::Relaxed)
    );
    println!(
        "latency of a page that renews, apart from the Redis outage: p50 {}, p99 {} (n = {}); of every page: p50 {}, p99 {} (n = {}); of a page that renews, outage included: p50 {}, p99 {}, max {}",
        ms(percentile(&renewing, 0.5)),
        ms(percentile(&renewing, 0.99)),
        renewing.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        all.len(),
        ms(percentile(&with_outage, 0.5)),
        ms(percentile(&with_outage, 0.99)),
        ms(percentile(&with_outage, 1.0)),
    );
    for failure in tally.failures.iter().take(40) {
        let why = match (
            in_outage(failure),
            at_kill(failure) || interrupted.contains(&failure.session),
        ) {
            (true, _) => "Redis outage",
            (false, true) => "the kill",
            (false, false) => "OTHER",
        };
        println!(
            "  failed at {:.1?} ({why}): {}",
            failure.started - load_started,
            failure.what.lines().next().unwrap_or_default()
        );
    }

    // --- the goals ---
    assert!(
        !events.interrupted_by_kill.is_empty(),
        "the kill interrupted no renewal"
    );
    assert!(tally.ok > settings.sessions as u64, "too little load");
    assert!(
        refreshes.rotations > settings.sessions as u64,
        "too few renewals"
    );
    assert!(other_failures.is_empty(), "requests failed");
    // No login is lost but one whose refresh the provider answered to an
    // instance that died (or lost Redis) before storing the new tokens:
    // the next renewal sends the rotated refresh token again, once.
    assert_eq!(lost_other, 0, "logins lost");
    assert!(tally.lost.len() as u64 <= refreshes.reused);
    // Every refresh token is sent once, but those.
    assert!(refreshes.reused <= interrupted.len() as u64);
}

//! Webhook delivery: a background task per server that POSTs recorded events, signed as Stripe
//! signs them, to the account's webhook endpoints and to the `--forward-to` URL.
//!
//! The store publishes an event after the write that recorded it has released the account's
//! lock, with a non-blocking `try_send` into a bounded queue ([`QUEUE_CAPACITY`]); a full
//! queue drops the delivery (the event stays in the store) and counts it. The request that
//! caused an event never waits for its delivery. The task ([`deliver::run`]) spawns one job
//! per (event, target), at most [`MAX_OUTSTANDING`] at once (those waiting for a retry
//! included), and at most [`MAX_CONCURRENT_POSTS`] POSTs in flight; every POST has a
//! [`POST_TIMEOUT`]. Every attempt is recorded in a bounded log ([`MAX_DELIVERY_RECORDS`]).
//!
//! Not here: which events an endpoint wants (domain), rendering (`http::v1::events`).

pub mod deliver;
pub mod signature;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::domain::id::IdGen;
use crate::sync::lock;

/// Deliveries queued and not yet picked up by the task.
pub const QUEUE_CAPACITY: usize = 10_000;
/// Deliveries under way at once, retries waiting included; beyond it the task stops taking
/// from the queue (which then fills, and drops).
pub const MAX_OUTSTANDING: usize = 10_000;
/// POSTs in flight at once.
pub const MAX_CONCURRENT_POSTS: usize = 32;
/// Time a receiver has to answer one POST.
pub const POST_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts kept in the delivery log (oldest dropped first).
pub const MAX_DELIVERY_RECORDS: usize = 10_000;
/// Bytes of a receiver's answer kept in the delivery log.
pub const RESPONSE_EXCERPT_BYTES: usize = 200;

/// Stripe's retry delays after a failed attempt, test mode: three retries over a few hours.
pub const TEST_MODE_RETRIES: &[Duration] = &[
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(4 * 3600),
];
/// Live mode: exponential backoff for up to three days.
pub const LIVE_MODE_RETRIES: &[Duration] = &[
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(4 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(16 * 3600),
    Duration::from_secs(24 * 3600),
    Duration::from_secs(17 * 3600),
];
/// Default compression of the schedule: the first retry after 2 s instead of an hour.
pub const DEFAULT_RETRY_SCALE: f64 = 1800.0;

/// The chaos key of `--forward-to` deliveries (endpoints and destinations use their ids).
pub const FORWARD_TO: &str = "forward_to";
/// Targets with chaos settings at once.
pub const MAX_CHAOS_TARGETS: usize = 1_000;
/// Longest added delay.
pub const MAX_CHAOS_DELAY_MS: u64 = 60_000;

/// Misbehaviour of one delivery target, for testing a receiver's resilience: every delivery
/// sent twice, deliveries reordered (each held until the next event of the target overtakes
/// it, at most 2 s), and a delay before each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chaos {
    /// Deliver every event twice.
    #[serde(default)]
    pub duplicate: bool,
    /// Deliver events out of order.
    #[serde(default)]
    pub reorder: bool,
    /// Wait this long before delivering (at most 60,000).
    #[serde(default)]
    pub delay_ms: u64,
}

/// One delivery attempt, as `/_mock/deliveries` shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeliveryRecord {
    /// `evt_…`
    pub event_id: String,
    /// The event's type.
    pub event_type: &'static str,
    /// The account's secret key, redacted (`sk_test_…1234`).
    pub api_key: String,
    /// The whole key, for filtering; never rendered.
    #[serde(skip)]
    pub(crate) full_api_key: String,
    /// `we_…`, or `null` for the `--forward-to` target.
    pub webhook_endpoint: Option<String>,
    /// Where it was POSTed.
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Why there is no status (connection refused, reset, timeout).
    pub error: Option<String>,
    /// The start of the receiver's answer.
    pub response_body: Option<String>,
    /// Whether the attempt succeeded (2xx).
    pub delivered: bool,
    /// When the attempt started, unix milliseconds of the server clock.
    pub started_at_ms: i64,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// Milliseconds until the next attempt, if there will be one.
    pub next_retry_in_ms: Option<u64>,
}

/// Delivery settings and results, shared by the task, the control plane and the library.
#[derive(Debug)]
pub struct Webhooks {
    settings: Mutex<Settings>,
    /// Chaos settings by target (`we_…`, `ed_…`, [`FORWARD_TO`]).
    chaos: Mutex<HashMap<String, Chaos>>,
    records: Mutex<VecDeque<DeliveryRecord>>,
    /// Bumped by reset: jobs of an older generation stop and record nothing.
    generation: AtomicU64,
    secret: String,
    /// Bumped for every recorded attempt, so waiters wake without polling.
    recorded: tokio::sync::watch::Sender<u64>,
}

/// What the task reads when it starts a job.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where every event of every account goes as well.
    pub forward_to: Option<String>,
    /// Divides the retry schedule.
    pub retry_scale: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            forward_to: None,
            retry_scale: DEFAULT_RETRY_SCALE,
        }
    }
}

impl Webhooks {
    /// Delivery state; the `--forward-to` secret comes from `seed` when given (deterministic
    /// mode), else at random.
    pub fn new(seed: Option<u64>) -> Self {
        let ids = seed.map_or_else(IdGen::random, |s| IdGen::seeded(s ^ 0x7768_7365_6300));
        Webhooks {
            settings: Mutex::new(Settings::default()),
            chaos: Mutex::new(HashMap::new()),
            records: Mutex::new(VecDeque::new()),
            generation: AtomicU64::new(0),
            secret: ids.token("whsec_", 32),
            recorded: tokio::sync::watch::Sender::new(0),
        }
    }

    /// The fixed secret `--forward-to` deliveries are signed with.
    pub fn forward_secret(&self) -> &str {
        &self.secret
    }

    /// Current settings.
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Sets the `--forward-to` URL.
    pub fn set_forward_to(&self, url: Option<String>) {
        lock(&self.settings).forward_to = url;
    }

    /// Sets the retry compression factor (values below 1 are taken as 1: never slower than
    /// Stripe).
    pub fn set_retry_scale(&self, scale: f64) {
        lock(&self.settings).retry_scale = if scale.is_finite() {
            scale.max(1.0)
        } else {
            DEFAULT_RETRY_SCALE
        };
    }

    /// The chaos settings of `target` (none: all off).
    pub fn chaos(&self, target: &str) -> Chaos {
        lock(&self.chaos).get(target).copied().unwrap_or_default()
    }

    /// Every target's chaos settings.
    pub fn all_chaos(&self) -> HashMap<String, Chaos> {
        lock(&self.chaos).clone()
    }

    /// Sets the chaos settings of `target` (all off removes them).
    ///
    /// # Errors
    /// A delay over [`MAX_CHAOS_DELAY_MS`], or [`MAX_CHAOS_TARGETS`] targets set already.
    pub fn set_chaos(&self, target: &str, chaos: Chaos) -> crate::Result<()> {
        let invalid = |reason: String| {
            crate::Error::invalid_uncoded(format!("Invalid chaos settings: {reason}."), None)
        };
        if chaos.delay_ms > MAX_CHAOS_DELAY_MS {
            return Err(invalid(format!(
                "delay_ms must be at most {MAX_CHAOS_DELAY_MS}"
            )));
        }
        let mut all = lock(&self.chaos);
        if chaos == Chaos::default() {
            all.remove(target);
            return Ok(());
        }
        if all.len() >= MAX_CHAOS_TARGETS && !all.contains_key(target) {
            return Err(invalid(format!(
                "at most {MAX_CHAOS_TARGETS} targets can have chaos settings; clear some first"
            )));
        }
        all.insert(target.to_owned(), chaos);
        Ok(())
    }

    /// Every recorded attempt, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        lock(&self.records).iter().cloned().collect()
    }

    /// Forgets every attempt and stops the retries under way.
    pub fn reset(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
        lock(&self.records).clear();
        lock(&self.chaos).clear();
    }

    /// Stops the retries under way (the server is stopping); the log stays.
    pub fn stop(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    fn record(&self, generation: u64, r: DeliveryRecord) {
        if generation != self.generation() {
            return;
        }
        let mut records = lock(&self.records);
        if records.len() >= MAX_DELIVERY_RECORDS {
            records.pop_front();
        }
        records.push_back(r);
        drop(records);
        self.recorded.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Waits (at most `timeout`) until at least `count` attempts are recorded; returns the
    /// log as it then is.
    pub async fn wait_for_deliveries(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Vec<DeliveryRecord> {
        let mut changes = self.recorded.subscribe();
        let wait = async {
            loop {
                changes.borrow_and_update();
                if lock(&self.records).len() >= count {
                    return;
                }
                if changes.changed().await.is_err() {
                    return;
                }
            }
        };
        let _ = tokio::time::timeout(timeout, wait).await;
        self.deliveries()
    }
}

//! The delivery task: takes published events from the store's queue and POSTs each to its
//! targets, retrying failures on Stripe's schedule divided by the configured scale.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;

use crate::http::AppState;
use crate::http::de::Mode;
use crate::http::v1::events::render_event;
use crate::http::v2::events::ThinEventView;
use crate::store::AccountKey;
use crate::store::events::Published;
use crate::store::thin_events::{PublishedThin, ThinEvent};
use crate::sync::lock;
use crate::version::ApiVersion;

use super::{
    Chaos, DeliveryRecord, LIVE_MODE_RETRIES, MAX_CONCURRENT_POSTS, MAX_OUTSTANDING, POST_TIMEOUT,
    QUEUE_CAPACITY, RESPONSE_EXCERPT_BYTES, TEST_MODE_RETRIES, signature,
};

/// Stripe's `User-Agent` for webhook deliveries.
pub const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";

/// Where one event goes.
#[derive(Debug, Clone)]
struct Target {
    url: String,
    secret: String,
    /// `we_…`; `None` for `--forward-to`.
    endpoint: Option<String>,
    /// The endpoint's version; `None`: the account's default at delivery time.
    version: Option<ApiVersion>,
}

/// Starts the delivery task for `state` and connects the store's events to it. The task ends
/// when the returned handle is aborted (the server stopping).
pub fn spawn(state: AppState) -> JoinHandle<()> {
    let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
    let (thin_tx, thin_rx) = mpsc::channel(QUEUE_CAPACITY);
    let forwarding = state.webhooks.settings().forward_to.is_some();
    state.store.event_hub().connect(tx, forwarding);
    state.store.event_hub().connect_thin(thin_tx);
    tokio::spawn(async move {
        tokio::join!(run(state.clone(), rx), run_thin(state, thin_rx));
    })
}

/// Takes published thin events until the queue closes; each goes to the thin destinations
/// whose version (`snapshot_api_version`, else the account's default) has its type.
pub async fn run_thin(state: AppState, mut rx: mpsc::Receiver<PublishedThin>) {
    let deliveries = Deliveries::default();
    while let Some(p) = rx.recv().await {
        let settings = state.webhooks.settings();
        for d in &p.destinations {
            let version = d
                .snapshot_api_version
                .unwrap_or_else(|| state.versions.default_for(Some(&p.account), Mode::V1));
            if !p.event.kind.exists_in(version) {
                continue;
            }
            let source = Source::Thin(p.account.clone(), Arc::clone(&p.event));
            let target = Target {
                url: d.url.clone(),
                secret: d.signing_secret.clone(),
                endpoint: Some(d.id.clone()),
                version: Some(version),
            };
            if !deliveries
                .start(&state, source, target, settings.retry_scale)
                .await
            {
                return;
            }
        }
    }
}

/// What the deliveries of one queue share: the HTTP client, the jobs held back for reordering,
/// and the bounds on deliveries under way and on concurrent POSTs.
struct Deliveries {
    /// Built with the first delivery: a server that delivers nothing never loads the client.
    client: OnceLock<reqwest::Client>,
    held: Held,
    outstanding: Arc<Semaphore>,
    posts: Arc<Semaphore>,
}

impl Default for Deliveries {
    fn default() -> Self {
        Deliveries {
            client: OnceLock::new(),
            held: Held::default(),
            outstanding: Arc::new(Semaphore::new(MAX_OUTSTANDING)),
            posts: Arc::new(Semaphore::new(MAX_CONCURRENT_POSTS)),
        }
    }
}

impl Deliveries {
    /// Starts delivering `source` to `target`. Waits while too many deliveries are under way:
    /// the queue then fills, and the store drops (and counts) what does not fit, instead of
    /// memory growing. `false` once the bound is closed (the server is stopping).
    async fn start(
        &self,
        state: &AppState,
        source: Source,
        target: Target,
        retry_scale: f64,
    ) -> bool {
        let Ok(permit) = Arc::clone(&self.outstanding).acquire_owned().await else {
            return false;
        };
        let job = Job {
            state: state.clone(),
            client: self.client.get_or_init(client).clone(),
            posts: Arc::clone(&self.posts),
            source,
            target,
            retry_scale,
        };
        dispatch(state, Ready { job, permit }, &self.held);
        true
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(POST_TIMEOUT)
        .connect_timeout(POST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(MAX_CONCURRENT_POSTS)
        .build()
        .unwrap_or_default()
}

/// What a job delivers: a v1 snapshot event or a thin event.
enum Source {
    Snapshot(Published),
    Thin(AccountKey, Arc<ThinEvent>),
}

impl Source {
    fn account(&self) -> &AccountKey {
        match self {
            Source::Snapshot(p) => &p.account,
            Source::Thin(account, _) => account,
        }
    }

    fn id(&self) -> &str {
        match self {
            Source::Snapshot(p) => &p.event.id,
            Source::Thin(_, e) => &e.id,
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Source::Snapshot(p) => p.event.kind.as_str(),
            Source::Thin(_, e) => e.kind.as_str(),
        }
    }

    fn livemode(&self) -> bool {
        match self {
            Source::Snapshot(p) => p.event.livemode,
            Source::Thin(_, e) => e.livemode,
        }
    }

    fn payload(&self, version: ApiVersion) -> crate::error::Result<Vec<u8>> {
        let to_vec = |e: serde_json::Error| crate::Error::Internal(e.to_string());
        match self {
            Source::Snapshot(p) => {
                render_event(&p.event, version).and_then(|v| serde_json::to_vec(&v).map_err(to_vec))
            }
            Source::Thin(_, e) => serde_json::to_vec(&ThinEventView::new(e)).map_err(to_vec),
        }
    }
}

/// Takes published events until the queue closes.
pub async fn run(state: AppState, mut rx: mpsc::Receiver<Published>) {
    let deliveries = Deliveries::default();
    while let Some(p) = rx.recv().await {
        let settings = state.webhooks.settings();
        let mut targets: Vec<Target> = p
            .endpoints
            .iter()
            .map(|we| Target {
                url: we.url.clone(),
                secret: we.secret.clone(),
                endpoint: Some(we.id.clone()),
                version: we.api_version,
            })
            .collect();
        if let Some(url) = settings.forward_to {
            targets.push(Target {
                url,
                secret: state.webhooks.forward_secret().to_owned(),
                endpoint: None,
                version: None,
            });
        }
        for target in targets {
            let source = Source::Snapshot(p.clone());
            if !deliveries
                .start(&state, source, target, settings.retry_scale)
                .await
            {
                return;
            }
        }
    }
}

/// A job with its place among the deliveries under way.
struct Ready {
    job: Job,
    permit: OwnedSemaphorePermit,
}

impl Ready {
    /// Delivers, after the target's delay and as many times as its chaos settings ask.
    async fn run(self, chaos: Chaos) {
        if chaos.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(chaos.delay_ms)).await;
        }
        self.job.deliver().await;
        if chaos.duplicate {
            self.job.deliver().await;
        }
        drop(self.permit);
    }
}

/// Jobs held back for targets whose deliveries are reordered: each waits for the next event
/// of its target, which is delivered first, or for [`REORDER_HOLD`] at most.
#[derive(Clone, Default)]
struct Held {
    jobs: Arc<Mutex<HashMap<String, (u64, Ready)>>>,
    tokens: Arc<AtomicU64>,
}

/// How long a reordered delivery waits for a later event to overtake it.
const REORDER_HOLD: Duration = Duration::from_secs(2);

/// Starts `ready` as its target's chaos settings ask (see [`super::Chaos`]).
fn dispatch(state: &AppState, ready: Ready, held: &Held) {
    let key = ready
        .job
        .target
        .endpoint
        .clone()
        .unwrap_or_else(|| super::FORWARD_TO.to_owned());
    let chaos = state.webhooks.chaos(&key);
    if !chaos.reorder {
        tokio::spawn(ready.run(chaos));
        return;
    }
    let earlier = lock(&held.jobs).remove(&key);
    match earlier {
        // The later event first, then the earlier one: out of order, as Stripe allows.
        Some((_, earlier)) => {
            tokio::spawn(async move {
                ready.run(chaos).await;
                earlier.run(chaos).await;
            });
        }
        None => {
            let token = held.tokens.fetch_add(1, Ordering::Relaxed);
            lock(&held.jobs).insert(key.clone(), (token, ready));
            let jobs = Arc::clone(&held.jobs);
            tokio::spawn(async move {
                tokio::time::sleep(REORDER_HOLD).await;
                // Still held (no later event overtook it): delivered now.
                let job = take_if_held(&jobs, &key, token);
                if let Some(job) = job {
                    job.run(chaos).await;
                }
            });
        }
    }
}

/// The job held for `key` under `token`, if it still is.
fn take_if_held(
    jobs: &Mutex<HashMap<String, (u64, Ready)>>,
    key: &str,
    token: u64,
) -> Option<Ready> {
    let mut held = lock(jobs);
    if held.get(key).is_some_and(|(t, _)| *t == token) {
        held.remove(key).map(|(_, job)| job)
    } else {
        None
    }
}

struct Job {
    state: AppState,
    client: reqwest::Client,
    posts: Arc<Semaphore>,
    source: Source,
    target: Target,
    retry_scale: f64,
}

/// What one POST gave.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
    body: Option<String>,
}

impl Job {
    async fn deliver(&self) {
        let generation = self.state.webhooks.generation();
        let schedule = if self.source.livemode() {
            LIVE_MODE_RETRIES
        } else {
            TEST_MODE_RETRIES
        };
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            if generation != self.state.webhooks.generation() {
                return;
            }
            let version = self.target.version.unwrap_or_else(|| {
                self.state
                    .versions
                    .default_for(Some(self.source.account()), Mode::V1)
            });
            let payload = match self.source.payload(version) {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(event = %self.source.id(), error = %e, "cannot render event");
                    return;
                }
            };
            let now = self.state.store.clock().now();
            let started = Instant::now();
            let outcome = match Arc::clone(&self.posts).acquire_owned().await {
                Ok(_permit) => self.post(now.timestamp(), payload).await,
                Err(_) => return,
            };
            let delivered = outcome.status.is_some_and(|s| (200..300).contains(&s));
            let retry = (!delivered)
                .then(|| schedule.get(attempt as usize - 1).copied())
                .flatten()
                .map(|d| d.div_f64(self.retry_scale));
            // Before the attempt is recorded, so whoever sees the record sees the count.
            if let (true, Some(_), Source::Snapshot(p)) =
                (delivered, &self.target.endpoint, &self.source)
            {
                p.event.delivered_once();
            }
            self.state.webhooks.record(
                generation,
                DeliveryRecord {
                    event_id: self.source.id().to_owned(),
                    event_type: self.source.type_name(),
                    api_key: crate::http::redact::key(self.source.account().api_key()),
                    full_api_key: self.source.account().api_key().to_owned(),
                    webhook_endpoint: self.target.endpoint.clone(),
                    url: self.target.url.clone(),
                    attempt,
                    status: outcome.status,
                    error: outcome.error,
                    response_body: outcome.body,
                    delivered,
                    started_at_ms: now.timestamp_millis(),
                    duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    next_retry_in_ms: retry
                        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                },
            );
            if delivered {
                return;
            }
            match retry {
                Some(delay) => tokio::time::sleep(delay.max(Duration::from_millis(1))).await,
                None => return,
            }
        }
    }

    async fn post(&self, timestamp: i64, payload: Vec<u8>) -> Outcome {
        let signature = signature::header(&self.target.secret, timestamp, &payload);
        let sent = self
            .client
            .post(&self.target.url)
            .header("content-type", "application/json; charset=utf-8")
            .header("user-agent", USER_AGENT)
            .header("stripe-signature", signature)
            .body(payload)
            .send()
            .await;
        match sent {
            Ok(mut response) => {
                let status = response.status().as_u16();
                // Only the start of the answer is read and kept.
                let mut body = Vec::new();
                while body.len() < RESPONSE_EXCERPT_BYTES {
                    match response.chunk().await {
                        Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                        Ok(None) | Err(_) => break,
                    }
                }
                body.truncate(RESPONSE_EXCERPT_BYTES);
                Outcome {
                    status: Some(status),
                    error: None,
                    body: Some(String::from_utf8_lossy(&body).into_owned()),
                }
            }
            Err(e) => Outcome {
                status: None,
                error: Some(error_text(&e)),
                body: None,
            },
        }
    }
}

fn error_text(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut text = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

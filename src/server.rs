//! [`MockServer`]: the mock as a library, in the style of wiremock's `MockServer`.
//!
//! The listener is bound before the server task is spawned, so `uri()` is usable at once with no
//! readiness polling. The server runs on the caller's tokio runtime and stops when the handle is
//! dropped (or on [`MockServer::shutdown`]).

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use chrono::{DateTime, Utc};

use crate::domain::id::IdGen;
use crate::http::faults::{Fault, FaultSpec};
use crate::http::journal::DEFAULT_JOURNAL_LIMIT;
use crate::http::journal::ReceivedRequest;
use crate::http::{AppState, Start};
use crate::serve::{ConnectionLimits, serve};
use crate::store::Store;
use crate::version::ApiVersion;

/// A running mock server.
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Options for [`MockServer`].
#[derive(Debug)]
pub struct MockServerBuilder {
    listener: Option<std::net::TcpListener>,
    start: Start,
    journal_limit: usize,
    fixtures: Vec<serde_json::Value>,
    api_version: Option<Result<ApiVersion, String>>,
    forward_to: Option<String>,
    webhook_retry_scale: Option<f64>,
    limits: ConnectionLimits,
    /// Control-plane and journal options, set by the builder methods in `http::control`.
    pub(crate) control: crate::http::control::ControlOptions,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            listener: None,
            start: Start::default(),
            journal_limit: DEFAULT_JOURNAL_LIMIT,
            fixtures: Vec::new(),
            api_version: None,
            forward_to: None,
            webhook_retry_scale: None,
            limits: ConnectionLimits::default(),
            control: Default::default(),
        }
    }
}

impl MockServerBuilder {
    /// Serve on an already bound listener instead of `127.0.0.1:0`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let address = listener.local_addr().unwrap();
    /// let server = stripe_billing_mock::MockServer::builder().listener(listener).start().await;
    /// assert_eq!(server.address(), address);
    /// # }
    /// ```
    pub fn listener(mut self, listener: std::net::TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Generate ids from a fixed seed, so that the same requests produce the same ids.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// async fn new_customer_id(server: &stripe_billing_mock::MockServer) -> serde_json::Value {
    ///     let url = format!("{}/v1/customers", server.uri());
    ///     let reply = reqwest::Client::new().post(url).bearer_auth("sk_test_1").send().await.unwrap();
    ///     reply.json::<serde_json::Value>().await.unwrap()["id"].clone()
    /// }
    /// let a = stripe_billing_mock::MockServer::builder().id_seed(7).start().await;
    /// let b = stripe_billing_mock::MockServer::builder().id_seed(7).start().await;
    /// assert_eq!(new_customer_id(&a).await, new_customer_id(&b).await);
    /// # }
    /// ```
    pub fn id_seed(mut self, seed: u64) -> Self {
        self.start.seed = Some(seed);
        self
    }

    /// Freeze the clock at `at` (move it with [`MockServer::advance_clock`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use chrono::TimeZone;
    /// let at = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    /// let server = stripe_billing_mock::MockServer::builder().clock_start(at).start().await;
    /// assert_eq!(server.now(), at);
    /// # }
    /// ```
    pub fn clock_start(mut self, at: DateTime<Utc>) -> Self {
        self.start.clock = Some(at);
        self
    }

    /// Deterministic mode: seeded ids and a clock frozen at 2025-01-01T00:00:00Z, so two runs
    /// of the same test produce byte-identical responses.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().deterministic().start().await;
    /// assert_eq!(server.now().to_rfc3339(), "2025-01-01T00:00:00+00:00");
    /// # }
    /// ```
    pub fn deterministic(mut self) -> Self {
        self.start = Start::deterministic();
        self
    }

    /// Keep at most `limit` received requests (default 1,000; 0 disables the journal).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().journal_limit(0).start().await;
    /// assert!(server.received_requests().await.is_empty());
    /// # }
    /// ```
    pub fn journal_limit(mut self, limit: usize) -> Self {
        self.journal_limit = limit;
        self
    }

    /// Seed every account with a fixture document (see `fixtures/` and the README) when it is
    /// first used; may be called several times.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let catalog = serde_json::json!({"customers": [{"id": "cus_fixture", "email": "a@example.com"}]});
    /// let server = stripe_billing_mock::MockServer::builder().fixtures(catalog).start().await;
    /// assert!(server.account("sk_test_any").customer("cus_fixture").is_some());
    /// # }
    /// ```
    pub fn fixtures(mut self, document: serde_json::Value) -> Self {
        self.fixtures.push(document);
        self
    }

    /// The API version of requests that send no `Stripe-Version` (default: the newest GA
    /// version implemented; `/v2` paths take it only if it is a `.preview` version).
    ///
    /// A version Stripe never published makes [`MockServerBuilder::try_start`] fail.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().api_version("2024-09-30.acacia").start().await;
    /// let reply = reqwest::Client::new()
    ///     .get(format!("{}/v1/customers", server.uri()))
    ///     .bearer_auth("sk_test_1")
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// assert_eq!(reply.headers()["stripe-version"], "2024-09-30.acacia");
    /// # }
    /// ```
    pub fn api_version(mut self, version: &str) -> Self {
        self.api_version = Some(version.parse());
        self
    }

    /// Deliver every event of every account to `url` as well, signed with
    /// [`MockServer::webhook_secret`] (the local equivalent of `stripe listen --forward-to`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder()
    ///     .forward_to("http://127.0.0.1:9/webhooks")
    ///     .start()
    ///     .await;
    /// assert!(server.webhook_secret().starts_with("whsec_"));
    /// # }
    /// ```
    pub fn forward_to(mut self, url: impl Into<String>) -> Self {
        self.forward_to = Some(url.into());
        self
    }

    /// Divide Stripe's webhook retry schedule by `scale` (default 1800: retries after 2, 4
    /// and 8 seconds in test mode).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().webhook_retry_scale(36_000.0).start().await;
    /// assert!(server.deliveries().is_empty());
    /// # }
    /// ```
    pub fn webhook_retry_scale(mut self, scale: f64) -> Self {
        self.webhook_retry_scale = Some(scale);
        self
    }

    /// Time and connection limits (defaults: [`ConnectionLimits::default`]); see the README's
    /// configuration table. Tests of slow clients shorten them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// let server = stripe_billing_mock::MockServer::builder()
    ///     .header_read_timeout(Duration::from_millis(200))
    ///     .idle_timeout(Duration::from_millis(200))
    ///     .body_timeout(Duration::from_millis(200))
    ///     .shutdown_timeout(Duration::from_millis(200))
    ///     .max_connections(16)
    ///     .start()
    ///     .await;
    /// server.shutdown().await;
    /// # }
    /// ```
    pub fn limits(mut self, limits: ConnectionLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Time a client has to send a request head (default 10 s); see [`ConnectionLimits`].
    pub fn header_read_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// Time a connection may stay idle (default 5 s); see [`ConnectionLimits`].
    pub fn idle_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// Time a client has to send a request body (default 30 s; beyond it, 408).
    pub fn body_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.body_timeout = timeout;
        self
    }

    /// Time open connections get to finish on shutdown before they are cut (default 5 s).
    pub fn shutdown_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.shutdown_timeout = timeout;
        self
    }

    /// Connections served at once (default 1,024, less if the open-file limit is lower);
    /// beyond it new connections wait until one closes.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max;
        self
    }

    /// Binds and starts the server.
    ///
    /// # Panics
    /// If no port can be bound on 127.0.0.1 or the given listener is unusable, as wiremock does:
    /// a test cannot go on without its server. Use [`MockServerBuilder::try_start`] to handle it.
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(e) => panic!("failed to start the mock server: {e}"),
        }
    }

    /// Binds and starts the server.
    ///
    /// # Errors
    /// I/O errors while binding; `InvalidData` for an invalid fixture document;
    /// `InvalidInput` for an API version Stripe never published.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().try_start().await.unwrap();
    /// assert!(server.uri().starts_with("http://"));
    /// # }
    /// ```
    pub async fn try_start(self) -> std::io::Result<MockServer> {
        let api_version = self
            .api_version
            .transpose()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = match self.listener {
            Some(l) => {
                l.set_nonblocking(true)?;
                TcpListener::from_std(l)?
            }
            None => TcpListener::bind(("127.0.0.1", 0)).await?,
        };
        let address = listener.local_addr()?;
        let state =
            AppState::new(Store::new(IdGen::random()), self.journal_limit).with_start(self.start);
        state.versions.set_server(api_version);
        state.webhooks.set_forward_to(self.forward_to);
        self.control.apply(&state, address);
        if let Some(scale) = self.webhook_retry_scale {
            state.webhooks.set_retry_scale(scale);
        }
        if !self.fixtures.is_empty() {
            let templates = crate::fixtures::templates(&state.store, &self.fixtures)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
            state.store.set_templates(Some(templates));
        }
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, state.clone(), self.limits, async {
            let _ = rx.await;
        }));
        Ok(MockServer {
            address,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

impl MockServer {
    /// Starts a server on `127.0.0.1` with a free port.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.uri().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> MockServer {
        MockServer::builder().start().await
    }

    /// Options for a server; finish with `.start().await`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().id_seed(42).start().await;
    /// assert_ne!(server.address().port(), 0);
    /// # }
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Base URL, e.g. `http://127.0.0.1:43567`, for an SDK's API base.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert_eq!(server.uri(), format!("http://{}", server.address()));
    /// # }
    /// ```
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The bound socket address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.address().ip().is_loopback());
    /// # }
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The server's store, for direct inspection in tests.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Direct access to the account of `api_key`, for assertions and set-up without HTTP.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let account = server.account("sk_test_123");
    /// account
    ///     .load_fixtures(&serde_json::json!({"customers": [{"id": "cus_alice", "email": "a@example.com"}]}))
    ///     .unwrap();
    /// assert_eq!(account.customer("cus_alice").unwrap()["email"], "a@example.com");
    /// assert!(account.billing_intent("bilint_missing").is_none());
    /// # }
    /// ```
    pub fn account(&self, api_key: &str) -> crate::Account<'_> {
        crate::Account::new(&self.state, api_key, None)
    }

    /// Direct access to a connected account (`Stripe-Account: acct_…`) of `api_key`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.connected_account("sk_test_123", "acct_1").customer("cus_x").is_none());
    /// # }
    /// ```
    pub fn connected_account(&self, api_key: &str, account: &str) -> crate::Account<'_> {
        crate::Account::new(&self.state, api_key, Some(account))
    }

    /// Clears every object, the journal, faults and idempotency keys, and puts the clock (and
    /// seeded ids) back to the start.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// server.reset().await;
    /// assert!(server.received_requests().await.is_empty());
    /// # }
    /// ```
    pub async fn reset(&self) {
        self.state.reset();
    }

    /// Clears the objects, journal entries, faults and idempotency keys of one secret key's
    /// accounts; other accounts are left intact.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// server.reset_account("sk_test_123").await;
    /// # }
    /// ```
    pub async fn reset_account(&self, api_key: &str) {
        self.state.reset_api_key(api_key);
    }

    /// The requests received so far (up to the journal limit), oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert_eq!(server.received_requests().await.len(), 0);
    /// # }
    /// ```
    pub async fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.state.journal.snapshot(None, None)
    }

    /// The server clock's current instant.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use chrono::TimeZone;
    /// let at = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    /// let server = stripe_billing_mock::MockServer::builder().clock_start(at).start().await;
    /// assert_eq!(server.now(), at);
    /// # }
    /// ```
    pub fn now(&self) -> DateTime<Utc> {
        self.state.store.clock().now()
    }

    /// Freezes the clock at `at`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use chrono::TimeZone;
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let at = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    /// server.freeze_clock(at);
    /// assert_eq!(server.now(), at);
    /// # }
    /// ```
    pub fn freeze_clock(&self, at: DateTime<Utc>) {
        self.state.store.clock().freeze(at);
    }

    /// Moves the clock forward by `by`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().deterministic().start().await;
    /// let before = server.now();
    /// server.advance_clock(std::time::Duration::from_secs(3600));
    /// assert_eq!((server.now() - before).num_seconds(), 3600);
    /// # }
    /// ```
    pub fn advance_clock(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.state.store.clock().advance_ms(ms);
    }

    /// Registers a fault: the next matching requests get the given answer.
    ///
    /// # Errors
    /// When [`MAX_FAULTS`](crate::http::faults::MAX_FAULTS) faults are registered already.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use stripe_billing_mock::http::faults::FaultSpec;
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let spec: FaultSpec = serde_json::from_value(serde_json::json!({
    ///     "method": "POST", "path": "/v1/customers", "status": 500, "times": 2
    /// })).unwrap();
    /// let fault = server.inject_fault(spec).unwrap();
    /// assert_eq!(fault.remaining, 2);
    /// # }
    /// ```
    pub fn inject_fault(&self, spec: FaultSpec) -> crate::Result<Fault> {
        self.state.faults.add(spec)
    }

    /// Every recorded event of every account, oldest first within an account, rendered as
    /// `GET /v1/events/{id}` renders it (plus `api_key` and `account`, the connected account).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.events().is_empty());
    /// # }
    /// ```
    pub fn events(&self) -> Vec<serde_json::Value> {
        crate::http::admin::events_json(&self.state, None).unwrap_or_default()
    }

    /// Queues event `id` of the account of `api_key` for delivery again, to the endpoints that
    /// want it now (and to `forward_to`), as Stripe's "Resend" does.
    ///
    /// # Errors
    /// `resource_missing` if that account has no such event.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.resend_event("sk_test_1", "evt_missing").is_err());
    /// # }
    /// ```
    pub fn resend_event(&self, api_key: &str, id: &str) -> crate::Result<()> {
        let account = crate::store::AccountKey::new(api_key, None);
        self.state.store.resend_event(&account, id).map(drop)
    }

    /// Makes deliveries to `target` (a webhook endpoint's `we_…`, an event destination's id, or
    /// `"forward_to"`) misbehave: each sent twice, reordered, or delayed.
    ///
    /// # Errors
    /// A delay over a minute, or too many targets with settings.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use stripe_billing_mock::webhooks::Chaos;
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let chaos = Chaos { duplicate: true, ..Chaos::default() };
    /// server.set_webhook_chaos("forward_to", chaos).unwrap();
    /// # }
    /// ```
    pub fn set_webhook_chaos(
        &self,
        target: &str,
        chaos: crate::webhooks::Chaos,
    ) -> crate::Result<()> {
        self.state.webhooks.set_chaos(target, chaos)
    }

    /// Every webhook delivery attempt so far (bounded), oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.deliveries().is_empty());
    /// # }
    /// ```
    pub fn deliveries(&self) -> Vec<crate::webhooks::DeliveryRecord> {
        self.state.webhooks.deliveries()
    }

    /// Waits at most `timeout` until at least `count` delivery attempts are recorded, and
    /// returns them all (fewer if the time ran out). Wakes on each attempt; never polls.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let none = server.wait_for_deliveries(1, std::time::Duration::from_millis(10)).await;
    /// assert!(none.is_empty());
    /// # }
    /// ```
    pub async fn wait_for_deliveries(
        &self,
        count: usize,
        timeout: std::time::Duration,
    ) -> Vec<crate::webhooks::DeliveryRecord> {
        self.state
            .webhooks
            .wait_for_deliveries(count, timeout)
            .await
    }

    /// The secret `forward_to` deliveries are signed with.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.webhook_secret().starts_with("whsec_"));
    /// # }
    /// ```
    pub fn webhook_secret(&self) -> &str {
        self.state.webhooks.forward_secret()
    }

    /// The first recorded event of type `kind` (already recorded, or recorded within
    /// `timeout`), rendered as [`MockServer::events`] renders it; `None` after the timeout.
    /// Wakes on each recorded event; never polls.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// let url = format!("{}/v1/customers", server.uri());
    /// reqwest::Client::new().post(url).bearer_auth("sk_test_1").send().await.unwrap();
    /// let event = server
    ///     .wait_for_event("customer.created", std::time::Duration::from_secs(5))
    ///     .await
    ///     .unwrap();
    /// assert_eq!(event["type"], "customer.created");
    /// # }
    /// ```
    pub async fn wait_for_event(
        &self,
        kind: &str,
        timeout: std::time::Duration,
    ) -> Option<serde_json::Value> {
        let mut changes = self.state.store.event_hub().subscribe();
        let find = || self.events().into_iter().find(|e| e["type"] == kind);
        let wait = async {
            loop {
                changes.borrow_and_update();
                if let Some(e) = find() {
                    return Some(e);
                }
                if changes.changed().await.is_err() {
                    return None;
                }
            }
        };
        tokio::time::timeout(timeout, wait).await.ok().flatten()
    }

    /// Stops the server and waits until in-flight requests have finished, or until the
    /// shutdown deadline ([`MockServerBuilder::shutdown_timeout`]) cuts them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// server.shutdown().await;
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

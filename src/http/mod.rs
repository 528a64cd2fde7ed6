//! The HTTP layer: one router for the CLI, the Docker image, the library and the tests.
//!
//! Resource routers are thin (decode, call one store method, encode a view). Cross-cutting
//! Stripe conventions (`Request-Id`, `Stripe-Version`, authentication, limits, faults,
//! idempotency, error envelopes, the journal, request logging) are one tower layer each, in
//! [`layers`], composed around the router in [`app`].

pub mod admin;
pub mod control;
pub mod de;
pub mod error;
pub mod extract;
pub mod faults;
pub mod form;
pub mod idempotency;
pub mod journal;
pub mod journal_stream;
pub mod layers;
pub mod memo;
pub mod redact;
pub mod v1;
pub mod v2;
pub mod versions;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::IntoMakeService;
use axum::routing::get;
use axum::{Json, Router, ServiceExt};
use serde_json::json;
use tower::ServiceBuilder;

use chrono::{DateTime, TimeZone, Utc};

use crate::domain::id::IdGen;
use crate::error::Error;
use crate::http::control::ControlGuard;
use crate::http::de::Mode;
use crate::http::faults::Faults;
use crate::http::idempotency::Idempotency;
use crate::http::journal::Journal;
use crate::http::versions::Versions;
use crate::store::Store;
use crate::webhooks::Webhooks;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// State shared by every handler: one reference-counted allocation, so the clones axum makes
/// per request cost one atomic increment.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares (reached through `Deref`).
#[derive(Debug)]
pub struct Shared {
    /// All objects.
    pub store: Store,
    /// Received requests.
    pub journal: Journal,
    /// Registered faults.
    pub faults: Faults,
    /// Idempotency keys and stored responses.
    pub idempotency: Arc<Idempotency>,
    /// Default API versions (server and accounts).
    pub versions: Versions,
    /// Webhook delivery settings and the log of attempts.
    pub webhooks: Webhooks,
    /// Who may use the control plane: allowed hosts, the admin token.
    pub control: ControlGuard,
    /// Request ids are drawn from their own sequence so they never shift object ids.
    request_ids: IdGen,
    /// Where `reset` puts the clock and ids back to.
    start: Start,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The reproducible starting point of a server: where `reset` puts ids and time back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Start {
    /// Seed of the id sequences (objects and requests); `None` draws them at random.
    pub seed: Option<u64>,
    /// Instant the clock is frozen at; `None` runs on real time.
    pub clock: Option<DateTime<Utc>>,
}

impl Start {
    /// Deterministic mode: ids from seed 0, the clock frozen at 2025-01-01T00:00:00Z, so two
    /// runs of the same requests give byte-identical responses.
    pub fn deterministic() -> Self {
        Start {
            seed: Some(0),
            clock: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single(),
        }
    }
}

impl AppState {
    /// State around `store`, keeping at most `journal_limit` requests.
    pub fn new(store: Store, journal_limit: usize) -> Self {
        AppState::with_parts(store, journal_limit, Start::default())
    }

    fn with_parts(store: Store, journal_limit: usize, start: Start) -> Self {
        let state = AppState(Arc::new(Shared {
            store,
            journal: Journal::new(journal_limit),
            faults: Faults::default(),
            idempotency: Arc::new(Idempotency::default()),
            versions: Versions::default(),
            webhooks: Webhooks::new(start.seed),
            control: ControlGuard::default(),
            request_ids: IdGen::random(),
            start,
        }));
        state.apply_start();
        state
    }

    /// Sets the starting point (seeded ids, frozen clock) and applies it now. Faults, journal
    /// and idempotency keys start empty.
    #[must_use]
    pub fn with_start(self, start: Start) -> Self {
        let state = AppState::with_parts(self.store.clone(), self.journal.limit(), start);
        state.journal.set_max_bytes(self.journal.max_bytes());
        let settings = self.webhooks.settings();
        state.webhooks.set_forward_to(settings.forward_to);
        state.webhooks.set_retry_scale(settings.retry_scale);
        state.control.set(self.control.settings());
        state
    }

    /// A new `Request-Id` value. Seeded servers draw from their own sequence, so a replay of
    /// the same requests gets the same ids; otherwise each worker thread draws from its own
    /// generator, instead of all workers contending on one shared counter.
    fn request_id(&self) -> String {
        thread_local! {
            static REQUEST_IDS: IdGen = IdGen::random();
        }
        if self.start.seed.is_some() {
            self.request_ids.token("req_", 14)
        } else {
            REQUEST_IDS.with(|ids| ids.token("req_", 14))
        }
    }

    fn apply_start(&self) {
        if let Some(seed) = self.start.seed {
            self.store.ids().reseed(seed);
            self.request_ids.reseed(seed ^ 0x5EED_5EED);
        }
        match self.start.clock {
            Some(at) => self.store.clock().freeze(at),
            None => self.store.clock().unfreeze(),
        }
    }

    /// Clears everything: objects, the journal, faults and idempotency keys; puts the clock
    /// (and, in deterministic mode, the id sequences) back to the start.
    pub fn reset(&self) {
        self.store.reset();
        self.journal.clear(None);
        self.faults.clear(None);
        self.idempotency.clear(None);
        self.versions.clear(None);
        self.webhooks.reset();
        self.apply_start();
    }

    /// Clears the objects, journal entries, faults and idempotency keys of one secret key's
    /// accounts, leaving every other account intact.
    pub fn reset_api_key(&self, api_key: &str) {
        self.store.reset_api_key(api_key);
        self.journal.clear(Some(api_key));
        self.faults.clear(Some(api_key));
        self.idempotency.clear(Some(api_key));
        self.versions.clear(Some(api_key));
    }
}

/// The whole application: the router inside the layers of [`layers`], in this order (the
/// first listed is the outermost: it sees the request first and the response last):
///
/// 1. [`layers::log`]: one log line per request, with the final status and `Request-Id`;
/// 2. [`layers::request_id`]: `Request-Id`, `Stripe-Version` and the `Idempotency-Key` echo;
/// 3. [`layers::journal`]: records the request with its final status and `Request-Id`;
/// 4. [`layers::control`]: the control plane's guard (host, origin, content type, admin token);
/// 5. [`layers::limits`]: URL and header size limits (400);
/// 6. [`layers::auth`]: the secret key and account (401, before the body is read);
/// 7. [`layers::version`]: the API version, named or the account's default (400 if unknown);
/// 8. [`layers::body`]: the body read whole, at most [`MAX_BODY_BYTES`] (413);
/// 9. [`layers::faults`]: injected faults (before idempotency: never stored);
/// 10. [`layers::idempotency`]: `Idempotency-Key` replays, mismatches and waits;
/// 11. [`layers::errors`]: `Error`s and the router's own errors in Stripe's envelopes (inside
///     idempotency, so answers are stored as rendered).
///
/// The layers wrap the router once, instead of every route through `Router::layer`.
pub fn app(
    state: AppState,
) -> IntoMakeService<
    impl Clone
    + Send
    + Sync
    + 'static
    + tower::Service<
        Request,
        Response = Response,
        Error = std::convert::Infallible,
        Future = impl Send,
    >,
> {
    use layers::MiddlewareLayer as L;
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .merge(admin::router())
        .merge(v1::router())
        .merge(v2::router())
        .fallback(unrecognized)
        .method_not_allowed_fallback(unrecognized)
        .with_state(state.clone());
    ServiceBuilder::new()
        .layer(L(layers::log::RequestLog))
        .layer(L(layers::request_id::StripeHeaders(state.clone())))
        .layer(L(layers::journal::Journal(state.clone())))
        .layer(L(layers::control::ControlPlane(state.clone())))
        .layer(L(layers::limits::Limits))
        .layer(L(layers::auth::Auth))
        .layer(L(layers::version::ResolveVersion(state.clone())))
        .layer(L(layers::body::ReadBody))
        .layer(L(layers::faults::InjectFaults(state.clone())))
        .layer(L(layers::idempotency::Idempotent(state)))
        .layer(L(layers::errors::Errors))
        .service(routes)
        .into_make_service()
}

/// Serialises `value` as the JSON body of a 200 response.
///
/// # Errors
/// [`Error::Internal`] if serialisation fails (it cannot for the mock's view types).
pub fn render<T: serde::Serialize>(value: &T) -> Result<Response, Error> {
    Ok(json_response(render_body(value)?))
}

/// The JSON of `value`, for a 200 response.
///
/// # Errors
/// [`Error::Internal`] if serialisation fails (it cannot for the mock's view types).
pub fn render_body<T: serde::Serialize>(value: &T) -> Result<Bytes, Error> {
    render_with(|body| serde_json::to_writer(body, value))
}

/// The JSON that `write` appends to an empty buffer, for a 200 response.
///
/// # Errors
/// [`Error::Internal`] if `write` fails.
pub fn render_with(
    write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
) -> Result<Bytes, Error> {
    // Most objects render to a few hundred bytes to a few KB: starting at 1 KiB saves the
    // three or four regrowths (and copies) of serde_json's 128-byte start.
    let mut body = Vec::with_capacity(1024);
    write(&mut body).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(body.into())
}

/// A 200 response with the JSON `body`.
pub fn json_response(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn unrecognized(method: Method, uri: Uri) -> Error {
    Error::UnrecognizedUrl {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}

/// API mode of a request path: `/v2…` is v2, everything else v1 (as the SDKs decide it).
pub fn mode_of(path: &str) -> Mode {
    if path.starts_with("/v2/") || path == "/v2" {
        Mode::V2
    } else {
        Mode::V1
    }
}

/// Longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Largest total size of the request headers accepted, in bytes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

pub(crate) static STRIPE_VERSION: HeaderName = HeaderName::from_static("stripe-version");

//! The HTTP layer: one router for the CLI, the Docker image, the library and the tests.
//!
//! Resource routers are thin (decode, call one store method, encode a view). Cross-cutting
//! Stripe conventions (`Request-Id`, `Stripe-Version`, `Idempotency-Key` echo, error envelopes,
//! request logging) live in one middleware, [`conventions`].

pub mod admin;
pub mod error;
pub mod extract;
pub mod faults;
pub mod form;
pub mod idempotency;
pub mod journal;
pub mod json;
pub mod json_parse;
pub mod memo;
pub mod param;
pub mod params;
pub mod v1;
pub mod v2;

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::IntoMakeService;
use axum::routing::get;
use axum::{Json, Router, ServiceExt};
use serde_json::json;
use tower::Layer;

use chrono::{DateTime, TimeZone, Utc};

use crate::domain::billing_intent::BillingIntent;
use crate::domain::id::IdGen;
use crate::error::Error;
use crate::http::error::{PendingError, envelope, status_of};
use crate::http::faults::Faults;
use crate::http::idempotency::{Begin, Idempotency, StoredResponse};
use crate::http::journal::{Journal, RawRequest, Recorded};
use crate::http::memo::Rendered;
use crate::http::params::Mode;
use crate::store::{AccountKey, Store};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `Stripe-Version` reported on v1 responses when the request names none: the API version whose
/// object shapes the mock renders (the seed documents' legacy invoice shapes).
pub const DEFAULT_V1_VERSION: &str = "2023-10-16";
/// `Stripe-Version` reported on v2 responses when the request names none.
pub const DEFAULT_V2_VERSION: &str = "2025-08-27.preview";

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
    /// JSON of billing intents as last read, for reading them again unchanged.
    pub rendered_intents: Rendered<BillingIntent>,
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
            rendered_intents: Rendered::default(),
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
        AppState::with_parts(self.store.clone(), self.journal.limit(), start)
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
        self.apply_start();
    }

    /// Clears the objects, journal entries, faults and idempotency keys of one secret key's
    /// accounts, leaving every other account intact.
    pub fn reset_api_key(&self, api_key: &str) {
        self.store.reset_api_key(api_key);
        self.journal.clear(Some(api_key));
        self.faults.clear(Some(api_key));
        self.idempotency.clear(Some(api_key));
    }
}

/// The whole application: the [`conventions`] middleware around the router.
///
/// The middleware wraps the router once, instead of every route through `Router::layer`: a
/// request then goes through one boxed service less (and one clone of it less).
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
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .merge(admin::router())
        .merge(v1::router())
        .merge(v2::router())
        .fallback(unrecognized)
        .method_not_allowed_fallback(unrecognized)
        .with_state(state.clone());
    middleware::from_fn_with_state(state, conventions)
        .layer(routes)
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
    render_with(|body| json::write(body, value))
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

/// Stripe-shaped answers for over-long URLs and headers (the HTTP stack's own, larger limits
/// answer anything beyond these without a JSON body).
fn check_limits(parts: &axum::http::request::Parts, head: &Head<'_>) -> Result<(), Error> {
    let uri_len = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return Err(Error::MalformedBody(format!(
            "Request URL too long: at most {MAX_URI_BYTES} bytes are accepted."
        )));
    }
    if head.text_len(4) > MAX_HEADER_BYTES {
        return Err(Error::MalformedBody(format!(
            "Request headers too large: at most {MAX_HEADER_BYTES} bytes are accepted."
        )));
    }
    Ok(())
}

/// The request headers the middleware and the extractors read (the first value of each, as
/// `HeaderMap::get` gives it), found in one pass over the map: looking each up costs about as
/// much as a pass over all of a request's headers.
#[derive(Debug, Default)]
struct Head<'a> {
    /// Total length of the names and values.
    bytes: usize,
    /// Number of name/value pairs.
    count: usize,
    authorization: Option<&'a HeaderValue>,
    stripe_account: Option<&'a HeaderValue>,
    stripe_version: Option<&'a HeaderValue>,
    idempotency_key: Option<&'a HeaderValue>,
    content_type: Option<&'a HeaderValue>,
    content_length: Option<&'a HeaderValue>,
}

impl<'a> Head<'a> {
    fn read(headers: &'a HeaderMap) -> Self {
        let mut head = Head::default();
        for (name, value) in headers {
            let name = name.as_str();
            head.bytes += name.len() + value.len();
            head.count += 1;
            let slot = match name {
                "authorization" => &mut head.authorization,
                "stripe-account" => &mut head.stripe_account,
                "stripe-version" => &mut head.stripe_version,
                "idempotency-key" => &mut head.idempotency_key,
                "content-type" => &mut head.content_type,
                "content-length" => &mut head.content_length,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        head
    }

    /// The headers' length as text with `separators` bytes around each pair (`": "`, CRLF).
    fn text_len(&self, separators: usize) -> usize {
        self.bytes + separators * self.count
    }

    /// Room to reserve for a body in the journal: its `Content-Length`, up to 64 KiB.
    fn body_hint(&self) -> usize {
        self.content_length
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(0, |n| n.min(64 * 1024))
    }
}

/// The account of a request to a Stripe path (every path needs a key, known route or not, as on
/// Stripe); `None` for the mock's own paths. Handlers receive it through `Caller`.
fn authenticate(head: &Head<'_>, control_plane: bool) -> Result<Option<AccountKey>, Error> {
    if control_plane {
        return Ok(None);
    }
    let key = extract::api_key(head.authorization.map(HeaderValue::as_bytes))?;
    let connected = head
        .stripe_account
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    Ok(Some(AccountKey::new(&key, connected)))
}

static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
pub(crate) static STRIPE_VERSION: HeaderName = HeaderName::from_static("stripe-version");
static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
static IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
static SHOULD_RETRY: HeaderName = HeaderName::from_static("stripe-should-retry");

/// Everything the middleware remembers about a request while it is being served.
struct Incoming {
    method: Method,
    /// Path and query (reference-counted: cloning it copies nothing).
    uri: Uri,
    mode: Mode,
    version: Option<HeaderValue>,
    idempotency_key: Option<HeaderValue>,
    /// Headers (and, once read, the body) for the journal.
    raw: RawRequest,
    account: Option<AccountKey>,
}

impl Incoming {
    fn path(&self) -> &str {
        self.uri.path()
    }
}

/// Applies Stripe's conventions to every request and response, in this order: authenticate
/// (Stripe paths), buffer the body (1 MiB at most), injected faults, idempotency, the handler,
/// error envelopes in the request's API version, `Request-Id` / `Stripe-Version` /
/// `Idempotency-Key` headers, the journal and the request log line.
pub async fn conventions(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Only the request log line reads the clock.
    let started = tracing::enabled!(tracing::Level::INFO).then(Instant::now);
    let (mut parts, body) = req.into_parts();
    let head = Head::read(&parts.headers);
    let mut incoming = Incoming {
        mode: mode_of(parts.uri.path()),
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        version: head.stripe_version.cloned(),
        idempotency_key: head.idempotency_key.cloned(),
        raw: if state.journal.enabled() {
            RawRequest::copy_head(
                &parts.uri,
                &parts.headers,
                head.text_len(2),
                head.body_hint(),
            )
        } else {
            RawRequest::default()
        },
        account: None,
    };
    let control_plane = incoming.path() == "/healthz" || incoming.path().starts_with("/_mock/");

    let checked = check_limits(&parts, &head).and_then(|()| authenticate(&head, control_plane));
    let content_type = head.content_type.cloned();
    let stripe_version = head.stripe_version.cloned();
    let (response, body) = match checked {
        Err(err) => (err.into_response(), Bytes::new()),
        Ok(account) => match collect_body(body, MAX_BODY_BYTES).await {
            None => (Error::PayloadTooLarge.into_response(), Bytes::new()),
            Some(bytes) => {
                parts.extensions.insert(extract::Received {
                    account: account.clone(),
                    content_type,
                    stripe_version,
                    body: Some(bytes.clone()),
                });
                incoming.account = account;
                let req = Request::from_parts(parts, Body::from(bytes.clone()));
                (
                    serve_stripe(&state, &incoming, req, &bytes, next).await,
                    bytes,
                )
            }
        },
    };
    finish(&state, incoming, response, body, started)
}

/// Faults, idempotency and the handler; returns the rendered response.
async fn serve_stripe(
    state: &AppState,
    incoming: &Incoming,
    req: Request,
    body: &Bytes,
    next: Next,
) -> Response {
    let api_key = incoming.account.as_ref().map(AccountKey::api_key);
    if let Some(fault) = state
        .faults
        .take(incoming.method.as_str(), incoming.path(), api_key)
    {
        if let Some(ms) = fault.delay_ms {
            // Boxed, like the idempotent path below: the common path's future stays small, and
            // axum moves it onto the heap for every request.
            Box::pin(tokio::time::sleep(std::time::Duration::from_millis(ms))).await;
        }
        if fault.close_connection {
            return Response::new(Body::new(ClosedConnection));
        }
        if let Some(status) = fault.status {
            return fault_response(status, fault.error, fault.should_retry, incoming.mode);
        }
    }
    let Some((account, key)) = idempotent(incoming) else {
        return render_pending(next.run(req).await, incoming);
    };
    Box::pin(serve_idempotent(
        state, incoming, account, key, req, body, next,
    ))
    .await
}

/// The handler run at most once per account and `Idempotency-Key`.
async fn serve_idempotent(
    state: &AppState,
    incoming: &Incoming,
    account: &AccountKey,
    key: String,
    req: Request,
    body: &Bytes,
    next: Next,
) -> Response {
    if key.len() > idempotency::MAX_KEY_LEN {
        return render_pending(
            Error::invalid_uncoded(
                format!(
                    "Idempotency-Key values may be at most {} characters long.",
                    idempotency::MAX_KEY_LEN
                ),
                None,
            )
            .into_response(),
            incoming,
        );
    }
    let target = incoming
        .uri
        .path_and_query()
        .map_or(incoming.path(), |pq| pq.as_str());
    let fingerprint = idempotency::fingerprint(incoming.method.as_str(), target, body);
    let guard = loop {
        let now = state.store.clock().now_seconds();
        match state.idempotency.begin(account, &key, &fingerprint, now) {
            Begin::Execute(guard) => break guard,
            Begin::Replay(stored) => {
                let mut response = stored_response(stored);
                response.headers_mut().insert(
                    IDEMPOTENT_REPLAYED.clone(),
                    HeaderValue::from_static("true"),
                );
                return response;
            }
            Begin::Mismatch => {
                let message = format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
                );
                return render_pending(Error::Idempotency(message).into_response(), incoming);
            }
            Begin::Wait(mut done) => {
                let waited =
                    tokio::time::timeout(idempotency::WAIT_FOR_IN_FLIGHT, done.wait_for(|d| *d))
                        .await;
                if waited.is_err() {
                    return render_pending(
                        Error::IdempotencyKeyInUse(key).into_response(),
                        incoming,
                    );
                }
            }
        }
    };
    let response = next.run(req).await;
    let stored = !response
        .extensions()
        .get::<PendingError>()
        .is_some_and(|p| not_stored(&p.0));
    let response = render_pending(response, incoming);
    let (head, body) = response.into_parts();
    match collect_body(body, usize::MAX).await {
        Some(bytes) => {
            let now = state.store.clock().now_seconds();
            let keep = stored.then(|| StoredResponse {
                status: head.status,
                body: bytes.clone(),
            });
            guard.finish(keep, now);
            Response::from_parts(head, Body::from(bytes))
        }
        None => Error::Internal("response body unreadable".into()).into_response(),
    }
}

/// Reads a body whole, `None` if it fails or holds more than `limit` bytes.
async fn collect_body(body: Body, limit: usize) -> Option<Bytes> {
    use http_body_util::{BodyExt, Limited};
    let collected = Limited::new(body, limit).collect().await.ok()?;
    Some(collected.to_bytes())
}

/// The account and key of a request that takes part in idempotency: a POST, or a v2 DELETE,
/// on a Stripe path, with an `Idempotency-Key`.
fn idempotent(incoming: &Incoming) -> Option<(&AccountKey, String)> {
    let applies = incoming.method == Method::POST
        || (incoming.method == Method::DELETE && incoming.mode == Mode::V2);
    if !applies {
        return None;
    }
    let account = incoming.account.as_ref()?;
    let key = incoming.idempotency_key.as_ref()?.to_str().ok()?.trim();
    (!key.is_empty()).then(|| (account, key.to_owned()))
}

/// Errors raised before the endpoint starts executing are not stored, as on Stripe: the
/// request may be retried with the same key once it is fixed.
fn not_stored(err: &Error) -> bool {
    matches!(
        err,
        Error::ParameterUnknown { .. }
            | Error::ParameterMissing { .. }
            | Error::ParameterInvalid { .. }
            | Error::MalformedBody(_)
            | Error::PayloadTooLarge
            | Error::UnrecognizedUrl { .. }
            | Error::Authentication(_)
            | Error::IdempotencyKeyInUse(_)
    )
}

fn stored_response(stored: StoredResponse) -> Response {
    let mut response = Response::new(Body::from(stored.body));
    *response.status_mut() = stored.status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn fault_response(
    status: u16,
    error: Option<serde_json::Value>,
    should_retry: Option<bool>,
    mode: Mode,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let error = error.unwrap_or_else(|| {
        let (kind, message) = if status.is_server_error() {
            (
                "api_error",
                "Injected fault: the mock was asked to fail this request.",
            )
        } else {
            (
                "invalid_request_error",
                "Injected fault: the mock was asked to reject this request.",
            )
        };
        match mode {
            Mode::V1 => json!({ "type": kind, "message": message }),
            Mode::V2 => json!({ "type": kind, "code": null, "message": message }),
        }
    });
    let mut response = (status, Json(json!({ "error": error }))).into_response();
    if let Some(retry) = should_retry {
        response.headers_mut().insert(
            SHOULD_RETRY.clone(),
            HeaderValue::from_static(if retry { "true" } else { "false" }),
        );
    }
    response
}

/// A body that fails at once, so the server drops the connection without a complete answer.
struct ClosedConnection;

impl http_body::Body for ClosedConnection {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection closed by fault injection",
        ))))
    }
}

/// Renders a pending error (or a non-JSON error produced outside the handlers) in the
/// envelope of the request's API version.
fn render_pending(mut response: Response, incoming: &Incoming) -> Response {
    let status = response.status();
    let pending = response.extensions_mut().remove::<PendingError>();
    let is_json = || {
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    };
    let error = match pending {
        Some(PendingError(err)) => err,
        None if (status.is_client_error() || status.is_server_error()) && !is_json() => {
            match status {
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND => Error::UnrecognizedUrl {
                    method: incoming.method.to_string(),
                    path: incoming.path().to_owned(),
                },
                StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
                s if s.is_server_error() => Error::Internal(format!("status {s}")),
                s => Error::MalformedBody(format!("The request could not be processed ({s}).")),
            }
        }
        None => return response,
    };
    if matches!(error, Error::Internal(_)) {
        tracing::error!(method = %incoming.method, path = incoming.path(), error = %error, "internal error");
    }
    let mut rendered = (status_of(&error), Json(envelope(&error, incoming.mode))).into_response();
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

/// Stripe's response headers, the journal entry and the log line.
fn finish(
    state: &AppState,
    incoming: Incoming,
    response: Response,
    body: Bytes,
    started: Option<Instant>,
) -> Response {
    let mut response = render_pending(response, &incoming);
    // `req_` and 14 base62 characters; the header value takes the string's buffer as it is (and
    // is moved into the headers, not cloned: a clone would share the buffer behind a count).
    let request_id = HeaderValue::from_maybe_shared(Bytes::from(state.request_id()))
        .unwrap_or_else(|_| HeaderValue::from_static("req_0"));
    let status = response.status().as_u16();
    tracing::info!(
        method = %incoming.method,
        path = incoming.path(),
        status,
        request_id = request_id.to_str().unwrap_or_default(),
        elapsed_us = started.map_or(0, |t| t.elapsed().as_micros() as u64),
        "request"
    );
    if state.journal.enabled()
        && !incoming.path().starts_with("/_mock/")
        && incoming.path() != "/healthz"
    {
        let mut raw = incoming.raw;
        let api_key = incoming.account.as_ref().map(AccountKey::api_key);
        raw.push_rest(&body, request_id.as_bytes(), api_key);
        state.journal.record(Recorded {
            method: incoming.method,
            raw,
            status,
        });
    }
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID.clone(), request_id);
    let version = incoming.version.unwrap_or_else(|| {
        HeaderValue::from_static(match incoming.mode {
            Mode::V1 => DEFAULT_V1_VERSION,
            Mode::V2 => DEFAULT_V2_VERSION,
        })
    });
    headers.insert(STRIPE_VERSION.clone(), version);
    if let Some(key) = incoming.idempotency_key {
        headers.insert(IDEMPOTENCY_KEY.clone(), key);
    }
    response
}

//! The HTTP layer: one router for the CLI, the Docker image, the library and the tests.
//!
//! Resource routers are thin (decode, call one store method, encode a view). Cross-cutting
//! Stripe conventions (`Request-Id`, `Stripe-Version`, `Idempotency-Key` echo, error envelopes,
//! request logging) live in one middleware, [`conventions`].

pub mod error;
pub mod extract;
pub mod form;
pub mod params;
pub mod v1;
pub mod v2;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::domain::id::IdGen;
use crate::error::Error;
use crate::http::error::{PendingError, envelope, status_of};
use crate::http::params::Mode;
use crate::store::{AccountKey, Store};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `Stripe-Version` reported on v1 responses when the request names none: the API version whose
/// object shapes the mock renders (the seed documents' legacy invoice shapes).
pub const DEFAULT_V1_VERSION: &str = "2023-10-16";
/// `Stripe-Version` reported on v2 responses when the request names none.
pub const DEFAULT_V2_VERSION: &str = "2025-08-27.preview";

/// State shared by every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// All objects.
    pub store: Store,
    /// Request ids are drawn from their own sequence so they never shift object ids.
    request_ids: Arc<IdGen>,
}

impl AppState {
    /// State around `store`.
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            request_ids: Arc::new(IdGen::random()),
        }
    }
}

/// Builds the complete router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(v1::router())
        .merge(v2::router())
        .fallback(unrecognized)
        .method_not_allowed_fallback(unrecognized)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), conventions))
        .with_state(state)
}

/// Serialises `value` as the JSON body of a 200 response.
///
/// # Errors
/// [`Error::Internal`] if serialisation fails (it cannot for the mock's view types).
pub fn render<T: serde::Serialize>(value: &T) -> Result<Response, Error> {
    let body = serde_json::to_vec(value).map_err(|e| Error::Internal(e.to_string()))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
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

/// The account of a request to a Stripe path; `None` for the mock's own paths.
fn authenticate(req: &Request) -> Result<Option<AccountKey>, Error> {
    let path = req.uri().path();
    if path == "/healthz" || path.starts_with("/_mock/") {
        return Ok(None);
    }
    let key = extract::api_key(
        req.headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes()),
    )?;
    let connected = req
        .headers()
        .get("stripe-account")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    Ok(Some(AccountKey::new(&key, connected)))
}

static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
static STRIPE_VERSION: HeaderName = HeaderName::from_static("stripe-version");
static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Applies Stripe's response conventions to every response and renders pending errors in the
/// envelope of the request's API version.
pub async fn conventions(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mode = mode_of(&path);
    let version = req.headers().get(&STRIPE_VERSION).cloned();
    let idempotency_key = req.headers().get(&IDEMPOTENCY_KEY).cloned();

    // Every Stripe path needs a key, known route or not (as Stripe answers); the account is
    // resolved once here and handed to handlers through the `Caller` extractor.
    let mut req = req;
    let mut response = match authenticate(&req) {
        Ok(Some(account)) => {
            req.extensions_mut().insert(account);
            next.run(req).await
        }
        Ok(None) => next.run(req).await,
        Err(err) => err.into_response(),
    };

    let status = response.status();
    let pending = response.extensions_mut().remove::<PendingError>();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let error = match pending {
        Some(PendingError(err)) => Some(err),
        // Responses produced outside our handlers (method mismatch, body limits, panics) still
        // leave as Stripe-shaped JSON.
        None if (status.is_client_error() || status.is_server_error()) && !is_json => {
            Some(match status {
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND => Error::UnrecognizedUrl {
                    method: method.to_string(),
                    path: path.clone(),
                },
                StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
                s if s.is_server_error() => Error::Internal(format!("status {s}")),
                s => Error::MalformedBody(format!("The request could not be processed ({s}).")),
            })
        }
        None => None,
    };
    if let Some(err) = error {
        if matches!(err, Error::Internal(_)) {
            tracing::error!(%method, %path, error = %err, "internal error");
        }
        let mut rendered = (status_of(&err), Json(envelope(&err, mode))).into_response();
        std::mem::swap(rendered.headers_mut(), response.headers_mut());
        rendered.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        rendered.headers_mut().remove(header::CONTENT_LENGTH);
        response = rendered;
    }

    let request_id = format!("req_{}", state.request_ids.base62(14));
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID.clone(), v);
    }
    let version = version.unwrap_or_else(|| {
        HeaderValue::from_static(match mode {
            Mode::V1 => DEFAULT_V1_VERSION,
            Mode::V2 => DEFAULT_V2_VERSION,
        })
    });
    headers.insert(STRIPE_VERSION.clone(), version);
    if let Some(key) = idempotency_key {
        headers.insert(IDEMPOTENCY_KEY.clone(), key);
    }
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        request_id = %request_id,
        elapsed_us = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

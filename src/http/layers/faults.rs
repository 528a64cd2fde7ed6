//! Fault injection: the first registered fault (`http::faults`) matching the request's method,
//! path and secret key delays it, drops its connection or answers for it. Injected answers come
//! before idempotency, so an SDK retry with the same `Idempotency-Key` executes for real.

use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::http::header::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::AppState;
use crate::http::de::Mode;
use crate::http::faults::FaultSpec;
use crate::http::layers::{Inner, Middleware, Next, answer, boxed, forward, take_ready};
use crate::http::mode_of;
use crate::store::AccountKey;

/// `Stripe-Should-Retry`.
static SHOULD_RETRY: HeaderName = HeaderName::from_static("stripe-should-retry");

/// Applies the state's registered faults.
#[derive(Debug, Clone)]
pub struct InjectFaults(pub AppState);

impl Middleware for InjectFaults {
    type Keep = ();

    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self> {
        let api_key = req
            .extensions()
            .get::<AccountKey>()
            .map(AccountKey::api_key);
        let path = req.uri().path();
        let Some(fault) = self.0.faults.take(req.method().as_str(), path, api_key) else {
            return forward(inner, req);
        };
        let mode = mode_of(path);
        let Some(ms) = fault.delay_ms else {
            return match injected(fault, mode) {
                Some(response) => answer(response),
                None => forward(inner, req),
            };
        };
        let mut inner = take_ready(inner);
        boxed(async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            match injected(fault, mode) {
                Some(response) => Ok(response),
                None => inner.call(req).await,
            }
        })
    }
}

/// The answer a fault gives instead of the handler's, if any: a dropped connection or an
/// error status.
fn injected(fault: FaultSpec, mode: Mode) -> Option<Response> {
    if fault.close_connection {
        return Some(Response::new(Body::new(ClosedConnection)));
    }
    let status = fault.status?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let error = fault.error.unwrap_or_else(|| {
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
    if let Some(retry) = fault.should_retry {
        response.headers_mut().insert(
            SHOULD_RETRY.clone(),
            HeaderValue::from_static(if retry { "true" } else { "false" }),
        );
    }
    Some(response)
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

#[cfg(test)]
mod tests {
    use axum::http::Method;
    use tower::{Layer, ServiceExt};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{ok, request, state, text};

    fn fault(path: &str) -> FaultSpec {
        serde_json::from_value(json!({ "path": path, "status": 503, "should_retry": true }))
            .expect("fault spec")
    }

    #[tokio::test]
    async fn a_matching_fault_answers_once_then_requests_pass() {
        let state = state();
        state.faults.add(fault("/v2/billing/*")).expect("room");
        let service = MiddlewareLayer(InjectFaults(state)).layer(ok("{}"));
        let call = || {
            service
                .clone()
                .oneshot(request(Method::POST, "/v2/billing/intents", ""))
        };
        let injected = call().await.expect("infallible");
        assert_eq!(injected.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(injected.headers()["stripe-should-retry"], "true");
        let body: serde_json::Value = serde_json::from_str(&text(injected).await).expect("JSON");
        assert_eq!(body["error"]["type"], "api_error");
        assert_eq!(body["error"]["code"], serde_json::Value::Null);
        let passed = call().await.expect("infallible");
        assert_eq!(passed.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_delay_without_a_status_answers_normally() {
        let state = state();
        let mut slow = fault("/v1/customers");
        (slow.status, slow.delay_ms) = (None, Some(1));
        state.faults.add(slow).expect("room");
        let response = MiddlewareLayer(InjectFaults(state))
            .layer(ok("{\"slow\":true}"))
            .oneshot(request(Method::GET, "/v1/customers", ""))
            .await
            .expect("infallible");
        assert_eq!(text(response).await, "{\"slow\":true}");
    }
}

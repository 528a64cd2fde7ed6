//! The request log: one `info` line per request (method, path, status, `Request-Id`, time spent
//! in the pipeline, in microseconds). Outermost, so it sees the final answer and its id. When
//! `info` is off for this crate nothing is captured and the clock is not read. The line is
//! written by the subscriber `telemetry` installs (non-blocking), never by this layer.
//!
//! Not tower-http's `TraceLayer`: its default events carry no method, path or request id, and
//! adding them takes a span per request, which costs more than the one event written here.

use std::time::Instant;

use axum::extract::Request;

use crate::http::layers::request_id::REQUEST_ID;
use axum::http::{Method, Uri};
use axum::response::Response;

use crate::http::layers::{Inner, Middleware, Next, forward, then};

/// The target of the request lines (this module's path, as `tracing` names it by default).
pub const TARGET: &str = module_path!();

/// Logs one line per request at `info`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestLog;

impl Middleware for RequestLog {
    /// When the request arrived, its method and its URI.
    type Keep = (Instant, Method, Uri);

    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self> {
        if !tracing::enabled!(tracing::Level::INFO) {
            return forward(inner, req);
        }
        let keep = (Instant::now(), req.method().clone(), req.uri().clone());
        then(inner, req, keep)
    }

    fn after((started, method, uri): Self::Keep, response: Response) -> Response {
        let request_id = response.headers().get(&REQUEST_ID);
        tracing::info!(
            method = %method,
            path = %uri.path(),
            status = response.status().as_u16(),
            request_id = %request_id.and_then(|v| v.to_str().ok()).unwrap_or_default(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "request"
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{Method, StatusCode};
    use tower::{Layer, ServiceExt};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{Captured, ok, request};

    #[tokio::test]
    async fn one_line_per_request_with_method_path_and_status() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _default = tracing::subscriber::set_default(subscriber);
        let response = MiddlewareLayer(RequestLog)
            .layer(ok("{}"))
            .oneshot(request(Method::GET, "/v1/customers?limit=1", ""))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
        let text = captured.text();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.contains("method=GET")
                && text.contains("path=/v1/customers ")
                && text.contains("status=200"),
            "{text}"
        );
        // No header, query or key is logged: nothing to redact in the log line.
        assert!(!text.contains("sk_test_layers"), "{text}");
    }
}

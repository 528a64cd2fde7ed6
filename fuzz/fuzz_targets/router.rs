//! The whole router, fed arbitrary requests: it must never panic, and every answer must be a
//! 2xx or 4xx with a JSON body.
//!
//! Input layout: first byte picks the method; then the request target up to `\n`; then
//! `name: value` header lines up to an empty line; the rest is the body. Inputs that are not a
//! valid HTTP request (bad URI or header bytes) are skipped, as the HTTP stack would reject them
//! before the router. Control-plane paths are skipped: injecting 5xx faults is their job.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request};
use libfuzzer_sys::fuzz_target;
use stripe_billing_mock::http::{AppState, router};
use stripe_billing_mock::store::Store;
use tower::ServiceExt;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime"))
}

fn app() -> &'static axum::Router {
    static APP: OnceLock<axum::Router> = OnceLock::new();
    APP.get_or_init(|| router(AppState::new(Store::default(), 100)))
}

const METHODS: [Method; 5] = [Method::GET, Method::POST, Method::DELETE, Method::PUT, Method::PATCH];

fn build(data: &[u8]) -> Option<Request<Body>> {
    let (&first, rest) = data.split_first()?;
    let method = METHODS[usize::from(first) % METHODS.len()].clone();
    let nl = rest.iter().position(|b| *b == b'\n')?;
    let target = std::str::from_utf8(&rest[..nl]).ok()?;
    // The control plane may be asked to inject 5xx answers on purpose; it is not fuzzed here.
    if target.trim_start_matches('/').starts_with("_mock") {
        return None;
    }
    let mut builder = Request::builder().method(method).uri(format!("/{}", target.trim_start_matches('/')));
    let mut remaining = &rest[nl + 1..];
    loop {
        let end = remaining.iter().position(|b| *b == b'\n').unwrap_or(remaining.len());
        let line = &remaining[..end];
        remaining = remaining.get(end + 1..).unwrap_or(&[]);
        if line.is_empty() {
            break;
        }
        let text = std::str::from_utf8(line).ok()?;
        let (name, value) = text.split_once(':')?;
        builder = builder.header(name.trim(), value.trim());
    }
    builder.body(Body::from(remaining.to_vec())).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some(req) = build(data) else { return };
    runtime().block_on(async {
        let response = app().clone().oneshot(req).await.expect("infallible");
        let status = response.status();
        assert!(status.is_success() || status.is_client_error(), "status {status}");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok(), "non-JSON body");
    });
});

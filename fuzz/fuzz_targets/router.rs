//! The whole server stack (every layer and the router), fed arbitrary requests: it must never
//! panic, and every answer must be a 2xx or 4xx with a JSON body.
//!
//! Every input starts from the same state: the account of `sk_test_123` holds the objects of
//! `fixtures/` (customers, prices, coupons, billing intents in each status, draft and paid
//! invoices, pending invoice items), so inputs naming their ids (`in_fixture_alice_draft`,
//! `bilint_fixture_reserved`, ...) reach the state machines and totals, not only the
//! validation of unknown ids. Ids are seeded, so the fixtures' invoice lines have the same ids
//! in every run.
//!
//! Input layout: up to eight requests separated by the byte 0x1e, run in order against the same
//! state. Each request: first byte picks the method; then the request target up to `\n`; then
//! `name: value` header lines up to an empty line; the rest is the body. Inputs that are not a
//! valid HTTP request (bad URI or header bytes) are skipped, as the HTTP stack would reject them
//! before the router. Control-plane paths are skipped: injecting 5xx faults is their job.
#![no_main]

use std::convert::Infallible;
use std::path::Path;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request};
use axum::response::Response;
use libfuzzer_sys::fuzz_target;
use stripe_billing_mock::domain::id::IdGen;
use stripe_billing_mock::http::{AppState, app};
use stripe_billing_mock::store::Store;
use stripe_billing_mock::{config, fixtures};
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime"))
}

/// The server's whole stack, as `MockServer` serves it.
type App = BoxCloneSyncService<Request<Body>, Response, Infallible>;

/// The key every seed authenticates with.
const KEY: &str = "sk_test_123";

/// The repository's fixture directory, read as `--fixtures fixtures` reads it; its documents
/// are loaded into every account the store creates.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");

fn server() -> &'static (AppState, App) {
    static SERVER: OnceLock<(AppState, App)> = OnceLock::new();
    SERVER.get_or_init(|| {
        // Seeded ids: the fixtures' invoice lines get the same ids in every run, so seeds can
        // name them (`il_1L3BHHa1PvRBBPYFjbxB0aWp` is the first line of
        // `in_fixture_alice_draft`).
        let store = Store::new(IdGen::seeded(0));
        let docs = config::read_fixtures(Path::new(FIXTURES)).expect("fixtures read");
        let templates = fixtures::templates(&store, &docs).expect("fixtures load");
        store.set_templates(Some(templates));
        let state = AppState::new(store, 100);
        let make = app(state.clone());
        let service = runtime().block_on(make.oneshot(())).expect("infallible");
        (state, BoxCloneSyncService::new(service))
    })
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

/// Separates the requests of one input (ASCII record separator): an input is a short sequence
/// of requests, so a request can act on what the one before it made or changed.
const NEXT_REQUEST: u8 = 0x1e;

/// Most requests run per input.
const MAX_REQUESTS: usize = 8;

fuzz_target!(|data: &[u8]| {
    let requests: Vec<Request<Body>> = data
        .split(|b| *b == NEXT_REQUEST)
        .take(MAX_REQUESTS)
        .filter_map(build)
        .collect();
    if requests.is_empty() {
        return;
    }
    let (state, service) = server();
    // Each input starts from the fixtures again.
    state.reset_api_key(KEY);
    runtime().block_on(async {
        for req in requests {
            let response = service.clone().oneshot(req).await.expect("infallible");
            let status = response.status();
            assert!(status.is_success() || status.is_client_error(), "status {status}");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
            assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok(), "non-JSON body");
        }
    });
});

//! The benchmark's ceiling: a bare axum "hello world" JSON server.
//!
//! `bench/run` measures it in the same run and with the same load settings as the mock, and
//! reports the mock's figures as ratios to it, so that a shared, noisy machine still gives
//! comparable numbers. It uses the same axum features, tokio runtime and release profile as the
//! mock, and answers every request, whatever its method and path, with a JSON body shaped and
//! sized like a billing intent (the seed's `GET /v2/billing/intents/{id}` example, about 470
//! bytes), serialised per request; `GET /bytes/{n}`, or any request with `X-Bench-Bytes: n`,
//! gets a list of such objects of about `n` bytes, to compare scenarios whose responses are
//! larger. It has none of the mock's work: no authentication, no store, no
//! middleware, no logging.
//!
//! ```sh
//! cargo run --release --example baseline -- --port 12112
//! ```

use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

#[derive(Serialize)]
struct AmountDetails {
    currency: &'static str,
    discount: i64,
    shipping: i64,
    subtotal: i64,
    tax: i64,
    total: i64,
}

#[derive(Serialize)]
struct StatusTransitions {
    canceled_at: Option<&'static str>,
    committed_at: Option<&'static str>,
    drafted_at: Option<&'static str>,
    reserved_at: Option<&'static str>,
}

#[derive(Serialize)]
struct Intent {
    id: &'static str,
    object: &'static str,
    amount_details: AmountDetails,
    cadence: Option<&'static str>,
    created: &'static str,
    currency: &'static str,
    livemode: bool,
    status: &'static str,
    status_transitions: StatusTransitions,
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

fn an_intent() -> Intent {
    Intent {
        id: "bilint_61SbQ4ZVMJ2ESqq2416S40x4RVA8P2F2ShZStd6x6RCy",
        object: "v2.billing.intent",
        amount_details: AmountDetails {
            currency: "usd",
            discount: 0,
            shipping: 0,
            subtotal: 2000,
            tax: 200,
            total: 2200,
        },
        cadence: Some("bc_61SbQ4ZVMJ2ESqq2416S40x4RVA8P2F2ShZStd6x6RCy"),
        created: "2025-01-01T00:00:00.000Z",
        currency: "usd",
        livemode: false,
        status: "draft",
        status_transitions: StatusTransitions {
            canceled_at: None,
            committed_at: None,
            drafted_at: Some("2025-01-01T00:00:00.000Z"),
            reserved_at: None,
        },
    }
}

async fn intent() -> Json<Intent> {
    Json(an_intent())
}

/// Any other method and path: an intent, or, with `X-Bench-Bytes: n`, the list of about `n`
/// bytes that `/bytes/{n}` serves. The benchmark drives this with the very script it drives a
/// scenario with (POST bodies, Idempotency-Keys, response parsing), so that both servers see
/// the same load.
async fn any(headers: HeaderMap) -> Response {
    let size = headers
        .get("x-bench-bytes")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match size {
        Some(n) => bytes(Path(n)).await.into_response(),
        None => intent().await.into_response(),
    }
}

#[derive(Serialize)]
struct List {
    object: &'static str,
    data: Vec<Intent>,
    has_more: bool,
    url: &'static str,
}

/// `GET /bytes/{n}`: a v1-style list of intents, about `n` bytes of JSON, serialised per
/// request, for comparing scenarios whose responses are much larger than one intent.
async fn bytes(Path(n): Path<usize>) -> Json<List> {
    let count = (n / 460).clamp(1, 1000);
    Json(List {
        object: "list",
        data: (0..count).map(|_| an_intent()).collect(),
        has_more: false,
        url: "/bytes",
    })
}

async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// `--port N` (default 12112), like the mock's flag.
fn port() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = 12112;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                port = value.parse().map_err(|e| format!("--port {value}: {e}"))?;
            }
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: baseline [--port N]"
                ));
            }
        }
    }
    Ok(port)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = port()?;
    // The same runtime as the mock's binary (src/main.rs).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = Router::new()
            .route("/healthz", get(healthz))
            .route("/bytes/{n}", get(bytes))
            .fallback(any);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        axum::serve(listener, app).await
    })?;
    Ok(())
}

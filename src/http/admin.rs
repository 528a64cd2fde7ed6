//! The control plane under `/_mock/`: reset, the request journal, faults and the clock, for
//! users of the Docker image and the CLI. No API key is needed. The library's `MockServer`
//! methods call the same state directly.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::http::faults::FaultSpec;
use crate::http::{AppState, render};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_mock/reset", post(reset))
        .route("/_mock/requests", get(requests).delete(clear_requests))
        .route(
            "/_mock/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/_mock/clock", get(clock).post(set_clock))
        .route("/_mock/fixtures", post(load_fixtures))
        .route("/_mock/api_version", get(api_version).post(set_api_version))
        .route("/_mock/events", get(events))
        .route("/_mock/events/{id}/resend", post(resend_event))
        .route(
            "/_mock/webhook_chaos",
            get(webhook_chaos).post(set_webhook_chaos),
        )
        .route("/_mock/deliveries", get(deliveries))
        .route("/_mock/webhook_secret", get(webhook_secret))
}

/// Every recorded event (or one secret key's), each rendered at its account's default
/// version, oldest first within an account, with the account it belongs to.
pub fn events_json(app: &AppState, api_key: Option<&str>) -> Result<Vec<serde_json::Value>> {
    let mut all = app.store.all_events(api_key);
    all.sort_by_key(|(_, e)| e.created);
    all.iter()
        .map(|(account, e)| {
            let version = app
                .versions
                .default_for(Some(account), crate::http::de::Mode::V1);
            let view = crate::http::v1::events::render_event(e, version)?;
            let mut v = serde_json::to_value(&view).map_err(|e| Error::Internal(e.to_string()))?;
            if let Some(o) = v.as_object_mut() {
                o.insert("account".into(), json!(account.connected()));
                o.insert(
                    "api_key".into(),
                    json!(crate::http::redact::key(account.api_key())),
                );
            }
            Ok(v)
        })
        .collect()
}

async fn events(
    State(app): State<AppState>,
    q: std::result::Result<Query<AccountFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let f = query(q)?;
    render(&json!({ "data": events_json(&app, f.api_key.as_deref())? }))
}

async fn deliveries(
    State(app): State<AppState>,
    q: std::result::Result<Query<AccountFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let f = query(q)?;
    let data: Vec<_> = app
        .webhooks
        .deliveries()
        .into_iter()
        .filter(|d| f.api_key.as_deref().is_none_or(|k| d.full_api_key == k))
        .collect();
    render(&json!({ "data": data, "dropped": app.store.event_hub().dropped() }))
}

async fn webhook_secret(State(app): State<AppState>) -> Result<Response> {
    render(&json!({
        "secret": app.webhooks.forward_secret(),
        "forward_to": app.webhooks.settings().forward_to,
    }))
}

/// `?api_key=` selects one secret key's accounts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFilter {
    api_key: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalFilter {
    api_key: Option<String>,
    path_prefix: Option<String>,
    /// Entries a page (1 to [`MAX_JOURNAL_PAGE`], default [`DEFAULT_JOURNAL_PAGE`]).
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Entries of a journal page when `limit` is not given.
pub const DEFAULT_JOURNAL_PAGE: usize = 100;
/// Most entries of a journal page.
pub const MAX_JOURNAL_PAGE: usize = 1_000;

fn parse_json<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| Error::MalformedBody(format!("Invalid control-plane request: {e}.")))
}

fn query<T: serde::de::DeserializeOwned>(
    q: std::result::Result<Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::MalformedBody(format!("Invalid control-plane query: {e}.")))
}

async fn reset(
    State(app): State<AppState>,
    q: std::result::Result<Query<AccountFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    match query(q)?.api_key {
        Some(key) => app.reset_api_key(&key),
        None => app.reset(),
    }
    render(&json!({ "reset": true }))
}

async fn requests(
    State(app): State<AppState>,
    q: std::result::Result<Query<JournalFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let f = query(q)?;
    let limit = f.limit.unwrap_or(DEFAULT_JOURNAL_PAGE);
    if !(1..=MAX_JOURNAL_PAGE).contains(&limit) {
        return Err(Error::invalid_uncoded(
            format!("Invalid limit: must be between 1 and {MAX_JOURNAL_PAGE}."),
            Some("limit".into()),
        ));
    }
    let after = f
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<u64>().map_err(|_| {
                Error::invalid_uncoded(
                    "Invalid cursor: give the next_cursor of a previous page.",
                    Some("cursor".into()),
                )
            })
        })
        .transpose()?;
    let page = app
        .journal
        .page(f.path_prefix.as_deref(), f.api_key.as_deref(), after, limit);
    Ok(crate::http::journal_stream::response(
        page,
        app.journal.usage(),
    ))
}

async fn clear_requests(
    State(app): State<AppState>,
    q: std::result::Result<Query<AccountFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    app.journal.clear(query(q)?.api_key.as_deref());
    render(&json!({ "deleted": true }))
}

async fn faults(State(app): State<AppState>) -> Result<Response> {
    render(&json!({ "data": app.faults.list() }))
}

async fn add_fault(State(app): State<AppState>, body: Bytes) -> Result<Response> {
    let spec: FaultSpec = parse_json(&body)?;
    spec.validate()
        .map_err(|m| crate::http::faults::invalid_fault(&m))?;
    let fault = app.faults.add(spec)?;
    render(&fault)
}

async fn clear_faults(
    State(app): State<AppState>,
    q: std::result::Result<Query<AccountFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    app.faults.clear(query(q)?.api_key.as_deref());
    render(&json!({ "deleted": true }))
}

/// The clock as the control plane shows it.
#[derive(Debug, Serialize)]
pub struct ClockView {
    /// Unix seconds.
    pub now: i64,
    /// RFC 3339 with milliseconds.
    pub now_iso: String,
    /// Whether time stands still.
    pub frozen: bool,
}

impl ClockView {
    /// The current state of `app`'s clock.
    pub fn of(app: &AppState) -> Self {
        let now = app.store.clock().now();
        ClockView {
            now: now.timestamp(),
            now_iso: crate::http::v2::timestamp(now).to_string(),
            frozen: app.store.clock().is_frozen(),
        }
    }
}

/// `POST /_mock/clock`: freeze at an instant, advance by a duration, or go back to real time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    /// Unix seconds or an RFC 3339 string.
    freeze_at: Option<serde_json::Value>,
    /// Seconds to move forward (negative moves back).
    advance_seconds: Option<i64>,
    /// Back to real time.
    #[serde(default)]
    unfreeze: bool,
}

fn instant(v: &serde_json::Value) -> Result<DateTime<Utc>> {
    let invalid = || {
        Error::invalid_uncoded(
            "Invalid freeze_at: give unix seconds or an RFC 3339 timestamp.",
            Some("freeze_at".into()),
        )
    };
    match v {
        serde_json::Value::Number(n) => n
            .as_i64()
            .and_then(|s| Utc.timestamp_opt(s, 0).single())
            .ok_or_else(invalid),
        serde_json::Value::String(s) => DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| invalid()),
        _ => Err(invalid()),
    }
}

async fn clock(State(app): State<AppState>) -> Result<Response> {
    render(&ClockView::of(&app))
}

async fn set_clock(State(app): State<AppState>, body: Bytes) -> Result<Response> {
    let change: ClockChange = parse_json(&body)?;
    let at = change.freeze_at.as_ref().map(instant).transpose()?;
    let advance_ms = change
        .advance_seconds
        .map(|s| {
            s.checked_mul(1000).ok_or_else(|| {
                Error::invalid_uncoded(
                    "Invalid advance_seconds: out of range.",
                    Some("advance_seconds".into()),
                )
            })
        })
        .transpose()?;
    if change.unfreeze {
        app.store.clock().unfreeze();
    }
    if let Some(at) = at {
        app.store.clock().freeze(at);
    }
    if let Some(ms) = advance_ms {
        app.store.clock().advance_ms(ms);
    }
    render(&ClockView::of(&app))
}

/// `POST /_mock/fixtures?api_key=sk_test_…[&account=acct_…]`: loads a fixture document into
/// that account, all or nothing.
async fn load_fixtures(
    State(app): State<AppState>,
    q: std::result::Result<Query<AccountTarget>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response> {
    let account = query(q)?.account()?.ok_or(Error::ParameterMissing {
        param: "api_key".into(),
    })?;
    let doc: serde_json::Value = parse_json(&body)?;
    let summary = crate::fixtures::load(&app.store, &account, &doc)?;
    render(&json!({ "loaded": summary }))
}

/// `?api_key=sk_test_…[&account=acct_…]`: one account (a secret key, optionally with a
/// connected account); without `api_key`, none.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountTarget {
    api_key: Option<String>,
    account: Option<String>,
}

impl AccountTarget {
    fn account(&self) -> Result<Option<crate::store::AccountKey>> {
        let Some(key) = &self.api_key else {
            return Ok(None);
        };
        let header = format!("Bearer {key}");
        let key = crate::http::extract::api_key(Some(header.as_bytes()))?;
        Ok(Some(crate::store::AccountKey::new(
            &key,
            self.account.as_deref(),
        )))
    }
}

/// The default versions of an account (or of the server) as the control plane shows them.
#[derive(Debug, Serialize)]
struct VersionView {
    /// What v1 paths get without `Stripe-Version`.
    api_version: &'static str,
    /// What `/v2` paths get without `Stripe-Version`.
    v2_api_version: &'static str,
}

fn version_view(app: &AppState, account: Option<&crate::store::AccountKey>) -> VersionView {
    use crate::http::de::Mode;
    VersionView {
        api_version: app.versions.default_for(account, Mode::V1).as_str(),
        v2_api_version: app.versions.default_for(account, Mode::V2).as_str(),
    }
}

/// `GET /_mock/api_version[?api_key=…]`: the versions requests without `Stripe-Version` get.
async fn api_version(
    State(app): State<AppState>,
    q: std::result::Result<Query<AccountTarget>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let account = query(q)?.account()?;
    render(&version_view(&app, account.as_ref()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionChange {
    /// The new default; `null` goes back to the mock's.
    api_version: Option<String>,
}

/// `POST /_mock/api_version[?api_key=…]` with `{"api_version": "2024-09-30.acacia"}`: sets the
/// default version of an account, or of the server.
async fn set_api_version(
    State(app): State<AppState>,
    q: std::result::Result<Query<AccountTarget>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response> {
    let account = query(q)?.account()?;
    let change: VersionChange = parse_json(&body)?;
    let version = change
        .api_version
        .map(|v| crate::http::versions::named(v.as_bytes()))
        .transpose()?;
    match &account {
        Some(a) => app.versions.set_account(a, version)?,
        None => app.versions.set_server(version),
    }
    render(&version_view(&app, account.as_ref()))
}

/// `POST /_mock/events/{id}/resend?api_key=sk_test_…[&account=acct_…]`: queues the event for
/// delivery again.
async fn resend_event(
    State(app): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    q: std::result::Result<Query<AccountTarget>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let account = query(q)?.account()?.ok_or(Error::ParameterMissing {
        param: "api_key".into(),
    })?;
    let event = app.store.resend_event(&account, &id)?;
    render(&json!({ "id": event.id, "resent": true }))
}

/// `GET /_mock/webhook_chaos`: every target's chaos settings.
async fn webhook_chaos(State(app): State<AppState>) -> Result<Response> {
    render(&json!({ "data": app.webhooks.all_chaos() }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChaosChange {
    /// `we_…`, `ed_…` or `forward_to`.
    target: String,
    #[serde(default)]
    duplicate: bool,
    #[serde(default)]
    reorder: bool,
    #[serde(default)]
    delay_ms: u64,
}

/// `POST /_mock/webhook_chaos` with `{"target": "we_…", "duplicate": true, "reorder": true,
/// "delay_ms": 500}`: how deliveries to that target misbehave (all off clears them).
async fn set_webhook_chaos(State(app): State<AppState>, body: Bytes) -> Result<Response> {
    let change: ChaosChange = parse_json(&body)?;
    let chaos = crate::webhooks::Chaos {
        duplicate: change.duplicate,
        reorder: change.reorder,
        delay_ms: change.delay_ms,
    };
    app.webhooks.set_chaos(&change.target, chaos)?;
    render(&json!({ "target": change.target, "chaos": chaos }))
}

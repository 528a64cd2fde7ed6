//! `/v2/core/event_destinations`: create, retrieve, update, delete, list, enable, disable, ping
//! (`v2.core.event_destination`, type `webhook_endpoint`). The signing secret is in the create
//! response only, and only with `include: ["webhook_endpoint.signing_secret"]`; the URL only
//! with `webhook_endpoint.url` included, as the SDKs' models describe.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::domain::catalog::Metadata;
use crate::domain::event::is_event_type_name;
use crate::domain::event_destination::{EventDestination, EventPayload};
use crate::error::{Error, Result};
use crate::http::de::{Bounded, Metadata as MetadataParam, NoParams};
use crate::http::extract::{Caller, V2Json, V2Query};
use crate::http::{AppState, render};
use crate::store::billing::PageRequest;
use crate::store::event_destinations::{EventDestinationUpdate, NewEventDestination};
use crate::version::ApiVersion;

use super::{DEFAULT_LIMIT, ListView, MAX_LIMIT, Timestamp, decode_token, timestamp};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/core/event_destinations", get(list).post(create))
        .route(
            "/v2/core/event_destinations/{id}",
            get(retrieve).post(update).delete(delete),
        )
        .route("/v2/core/event_destinations/{id}/enable", post(enable))
        .route("/v2/core/event_destinations/{id}/disable", post(disable))
        .route("/v2/core/event_destinations/{id}/ping", post(ping))
}

const SCOPE: &str = "ed";
const INCLUDE_SECRET: &str = "webhook_endpoint.signing_secret";
const INCLUDE_URL: &str = "webhook_endpoint.url";

#[derive(Debug, Serialize)]
struct WebhookEndpointView<'a> {
    signing_secret: Option<&'a str>,
    url: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct DisabledView {
    reason: &'static str,
}

#[derive(Debug, Serialize)]
struct StatusDetailsView {
    disabled: Option<DisabledView>,
}

/// An event destination in Stripe's shape.
#[derive(Debug, Serialize)]
struct EventDestinationView<'a> {
    id: &'a str,
    object: &'static str,
    amazon_eventbridge: Option<()>,
    azure_event_grid: Option<()>,
    created: Timestamp,
    description: &'a str,
    enabled_events: &'a [String],
    event_payload: EventPayload,
    events_from: [&'static str; 1],
    livemode: bool,
    metadata: &'a Metadata,
    name: &'a str,
    snapshot_api_version: Option<&'static str>,
    status: &'static str,
    status_details: Option<StatusDetailsView>,
    #[serde(rename = "type")]
    kind: &'static str,
    updated: Timestamp,
    webhook_endpoint: WebhookEndpointView<'a>,
}

impl<'a> EventDestinationView<'a> {
    fn new(d: &'a EventDestination, include: &[String], secret_allowed: bool) -> Self {
        let has = |name: &str| include.iter().any(|i| i == name);
        EventDestinationView {
            id: &d.id,
            object: "v2.core.event_destination",
            amazon_eventbridge: None,
            azure_event_grid: None,
            created: timestamp(d.created),
            description: &d.description,
            enabled_events: &d.enabled_events,
            event_payload: d.event_payload,
            events_from: ["@self"],
            livemode: d.livemode,
            metadata: &d.metadata,
            name: &d.name,
            snapshot_api_version: d.snapshot_api_version.map(ApiVersion::as_str),
            status: if d.enabled { "enabled" } else { "disabled" },
            status_details: (!d.enabled).then_some(StatusDetailsView {
                disabled: Some(DisabledView { reason: "user" }),
            }),
            kind: "webhook_endpoint",
            updated: timestamp(d.updated),
            webhook_endpoint: WebhookEndpointView {
                signing_secret: (secret_allowed && has(INCLUDE_SECRET))
                    .then_some(d.signing_secret.as_str()),
                url: has(INCLUDE_URL).then_some(d.url.as_str()),
            },
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookEndpointParams {
    url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateParams {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    enabled_events: Vec<String>,
    event_payload: EventPayload,
    description: Option<String>,
    events_from: Option<Vec<String>>,
    include: Option<Vec<String>>,
    metadata: Option<MetadataParam>,
    snapshot_api_version: Option<String>,
    webhook_endpoint: Option<WebhookEndpointParams>,
    amazon_eventbridge: Option<serde_json::Value>,
    azure_event_grid: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateParams {
    name: Option<String>,
    description: Option<String>,
    enabled_events: Option<Vec<String>>,
    include: Option<Vec<String>>,
    metadata: Option<MetadataParam>,
    webhook_endpoint: Option<WebhookEndpointParams>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IncludeParams {
    include: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    include: Option<Vec<String>>,
    limit: Option<Bounded<1, MAX_LIMIT>>,
    page: Option<String>,
}

fn check_events(events: &[String]) -> Result<()> {
    if events.is_empty() {
        return Err(Error::param_invalid(
            "enabled_events",
            None,
            "enabled_events must name at least one event type.".to_owned(),
        ));
    }
    if let Some(bad) = events.iter().find(|e| *e != "*" && !is_event_type_name(e)) {
        return Err(Error::param_invalid(
            "enabled_events",
            None,
            format!("Invalid event type: '{bad}'."),
        ));
    }
    Ok(())
}

fn check_url(url: &str) -> Result<()> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(Error::param_invalid(
            "webhook_endpoint.url",
            None,
            format!("Invalid URL: '{url}'."),
        ))
    }
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V2Json(p): V2Json<CreateParams>,
) -> Result<Response> {
    if p.kind != "webhook_endpoint"
        || p.amazon_eventbridge.is_some()
        || p.azure_event_grid.is_some()
    {
        return Err(Error::param_invalid(
            "type",
            None,
            format!(
                "The mock supports event destinations of type 'webhook_endpoint' only, not '{}'.",
                p.kind
            ),
        ));
    }
    if p.events_from
        .as_ref()
        .is_some_and(|f| f.iter().any(|e| e != "@self"))
    {
        return Err(Error::param_invalid(
            "events_from",
            None,
            "The mock delivers events of the destination's own account only ('@self').".to_owned(),
        ));
    }
    check_events(&p.enabled_events)?;
    let url = p.webhook_endpoint.map(|w| w.url).ok_or_else(|| {
        Error::param_invalid(
            "webhook_endpoint",
            None,
            "webhook_endpoint is required for type 'webhook_endpoint'.".to_owned(),
        )
    })?;
    check_url(&url)?;
    let snapshot_api_version = match (p.snapshot_api_version, p.event_payload) {
        (None, _) => None,
        (Some(v), EventPayload::Snapshot) => Some(ApiVersion::parse(&v).ok_or_else(|| {
            Error::param_invalid(
                "snapshot_api_version",
                None,
                format!("Invalid Stripe API version: {v}"),
            )
        })?),
        (Some(_), EventPayload::Thin) => {
            return Err(Error::param_invalid(
                "snapshot_api_version",
                None,
                "snapshot_api_version is only allowed when event_payload is 'snapshot'.".to_owned(),
            ));
        }
    };
    let d = app.store.create_event_destination(
        &acct,
        NewEventDestination {
            name: p.name,
            description: p.description,
            enabled_events: p.enabled_events,
            event_payload: p.event_payload,
            snapshot_api_version,
            metadata: p.metadata.and_then(|m| m.0),
            url,
        },
    )?;
    render(&EventDestinationView::new(
        &d,
        &p.include.unwrap_or_default(),
        true,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V2Query(p): V2Query<IncludeParams>,
) -> Result<Response> {
    let d = app.store.event_destination(&acct, &id)?;
    render(&EventDestinationView::new(
        &d,
        &p.include.unwrap_or_default(),
        false,
    ))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V2Json(p): V2Json<UpdateParams>,
) -> Result<Response> {
    if let Some(events) = &p.enabled_events {
        check_events(events)?;
    }
    let url = p.webhook_endpoint.map(|w| w.url);
    if let Some(url) = &url {
        check_url(url)?;
    }
    let d = app.store.update_event_destination(
        &acct,
        &id,
        EventDestinationUpdate {
            name: p.name,
            description: p.description,
            enabled_events: p.enabled_events,
            metadata: p.metadata.and_then(|m| m.0),
            url,
        },
    )?;
    render(&EventDestinationView::new(
        &d,
        &p.include.unwrap_or_default(),
        false,
    ))
}

#[derive(Debug, Serialize)]
struct DeletedView<'a> {
    id: &'a str,
    object: &'static str,
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    let d = app.store.delete_event_destination(&acct, &id)?;
    render(&DeletedView {
        id: &d.id,
        object: "v2.core.event_destination",
    })
}

async fn enable(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V2Json(NoParams {}): V2Json<NoParams>,
) -> Result<Response> {
    let d = app.store.set_event_destination_enabled(&acct, &id, true)?;
    render(&EventDestinationView::new(&d, &[], false))
}

async fn disable(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V2Json(NoParams {}): V2Json<NoParams>,
) -> Result<Response> {
    let d = app.store.set_event_destination_enabled(&acct, &id, false)?;
    render(&EventDestinationView::new(&d, &[], false))
}

async fn ping(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V2Json(NoParams {}): V2Json<NoParams>,
) -> Result<Response> {
    let d = app.store.ping_event_destination(&acct, &id)?;
    render(&EventDestinationView::new(&d, &[], false))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V2Query(p): V2Query<ListParams>,
) -> Result<Response> {
    let limit = p.limit.map_or(DEFAULT_LIMIT, |l| l.0);
    let cursor = match &p.page {
        None => crate::domain::collection::Cursor::Start,
        Some(token) => decode_token(SCOPE, token).ok_or_else(|| {
            Error::param_invalid("page", None, format!("Invalid page token: '{token}'."))
        })?,
    };
    let req = PageRequest {
        limit: usize::try_from(limit).unwrap_or(10),
        cursor,
    };
    let page = app.store.list_event_destinations(&acct, &req)?;
    let include = p.include.unwrap_or_default();
    render(&ListView::of(
        &page,
        "/v2/core/event_destinations",
        SCOPE,
        &req,
        |d| EventDestinationView::new(d, &include, false),
    ))
}

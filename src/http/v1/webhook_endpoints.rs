//! `/v1/webhook_endpoints`: create, retrieve, update, delete, list. The `whsec_…` secret is in
//! the create response only, as on Stripe.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::catalog::Metadata;
use crate::domain::event::is_event_type_name;
use crate::domain::patch::Patch;
use crate::domain::webhook_endpoint::WebhookEndpoint;
use crate::error::Result;
use crate::http::de::{Metadata as MetadataParam, NoParams, NonEmpty, refuse};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::webhook_endpoints::{NewWebhookEndpoint, WebhookEndpointUpdate};
use crate::version::ApiVersion;

use super::{DeletedView, ListView};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webhook_endpoints", get(list).post(create))
        .route(
            "/v1/webhook_endpoints/{id}",
            get(retrieve).post(update).delete(delete),
        )
}

/// A webhook endpoint in Stripe's shape.
#[derive(Debug, Serialize)]
pub struct WebhookEndpointView<'a> {
    id: &'a str,
    object: &'static str,
    api_version: Option<String>,
    application: Option<()>,
    created: i64,
    description: Option<&'a str>,
    enabled_events: &'a [String],
    livemode: bool,
    metadata: &'a Metadata,
    /// In the create response only.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    status: &'static str,
    url: &'a str,
}

impl<'a> WebhookEndpointView<'a> {
    /// The endpoint, with its secret when `with_secret` (the create response).
    pub fn new(we: &'a WebhookEndpoint, with_secret: bool) -> Self {
        WebhookEndpointView {
            id: &we.id,
            object: "webhook_endpoint",
            api_version: we.api_version.map(|v| v.to_string()),
            application: None,
            created: we.created,
            description: we.description.as_deref(),
            enabled_events: &we.enabled_events,
            livemode: we.livemode,
            metadata: &we.metadata,
            secret: with_secret.then_some(we.secret.as_str()),
            status: if we.disabled { "disabled" } else { "enabled" },
            url: &we.url,
        }
    }
}

/// An `http` or `https` URL with a host.
#[derive(Debug, Clone)]
struct Url(String);

impl<'de> Deserialize<'de> for Url {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let v = String::deserialize(deserializer)?;
        let ok = reqwest::Url::parse(&v)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            return Err(refuse(
                Some("url_invalid"),
                None,
                format_args!("Invalid URL: {v}"),
            ));
        }
        Ok(Url(v))
    }
}

/// `*` or an event type.
#[derive(Debug, Clone)]
struct EnabledEvent(String);

impl<'de> Deserialize<'de> for EnabledEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let v = String::deserialize(deserializer)?;
        if v != "*" && !is_event_type_name(&v) {
            return Err(refuse(
                None,
                None,
                format_args!("Invalid {{path}}: `{v}` is not `*` or an event type."),
            ));
        }
        Ok(EnabledEvent(v))
    }
}

/// An API version Stripe published.
#[derive(Debug, Clone, Copy)]
struct Version(ApiVersion);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let v = String::deserialize(deserializer)?;
        v.parse()
            .map(Version)
            .map_err(|_| refuse(None, None, format_args!("Invalid API version: {v}")))
    }
}

/// At most 256 event types, in request order.
type EnabledEvents = NonEmpty<EnabledEvent, 256>;

fn events_of(e: EnabledEvents) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(e.0.len());
    for EnabledEvent(name) in e.0 {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Parameters of `POST /v1/webhook_endpoints`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateParams {
    api_version: Option<Version>,
    description: Option<String>,
    enabled_events: EnabledEvents,
    #[serde(default)]
    metadata: MetadataParam,
    url: Url,
}

/// Parameters of `POST /v1/webhook_endpoints/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateParams {
    #[serde(default)]
    description: Patch<String>,
    disabled: Option<bool>,
    enabled_events: Option<EnabledEvents>,
    #[serde(default)]
    metadata: MetadataParam,
    url: Option<Url>,
}

/// `GET /v1/webhook_endpoints` takes only the page parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {}

fn view(we: &Arc<WebhookEndpoint>) -> WebhookEndpointView<'_> {
    WebhookEndpointView::new(we, false)
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Form(p): V1Form<CreateParams>,
) -> Result<Response> {
    let new = NewWebhookEndpoint {
        url: p.url.0,
        enabled_events: events_of(p.enabled_events),
        api_version: p.api_version.map(|v| v.0),
        description: p.description,
        metadata: p.metadata.0,
        disabled: false,
    };
    let we = app.store.create_webhook_endpoint(&acct, new)?;
    render(&WebhookEndpointView::new(&we, true))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    render(&view(&app.store.webhook_endpoint(&acct, &id)?))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(p): V1Form<UpdateParams>,
) -> Result<Response> {
    let upd = WebhookEndpointUpdate {
        url: p.url.map(|u| u.0),
        enabled_events: p.enabled_events.map(events_of),
        description: p.description,
        metadata: p.metadata.0,
        disabled: p.disabled,
    };
    render(&view(&app.store.update_webhook_endpoint(&acct, &id, upd)?))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Json<DeletedView>> {
    let d = app.store.delete_webhook_endpoint(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "webhook_endpoint")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1List(q, ListParams {}): V1List<ListParams>,
) -> Result<Response> {
    let page = app.store.list_webhook_endpoints(&acct, &q)?;
    render(&ListView::of(&page, "/v1/webhook_endpoints", view))
}

//! `/v2/core/events`: list and retrieve thin events (`v2.core.event`), and their JSON, which
//! the delivery task sends to thin event destinations too.
//!
//! Which types an account sees is decided at its default version
//! ([`crate::domain::thin_event::ThinEventType::exists_in`]), never the request's.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::http::de::{Bounded, Mode};
use crate::http::extract::{Caller, V2Query};
use crate::http::{AppState, render};
use crate::store::AccountKey;
use crate::store::billing::PageRequest;
use crate::store::thin_events::{ThinEvent, ThinFilter};

use super::params::Rfc3339;
use super::{DEFAULT_LIMIT, ListView, MAX_LIMIT, Timestamp, decode_token, encode_token, timestamp};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/core/events", get(list))
        .route("/v2/core/events/{id}", get(retrieve))
}

const SCOPE: &str = "evt";

/// `reason.request`.
#[derive(Debug, Serialize)]
struct RequestView<'a> {
    id: Option<&'a str>,
    idempotency_key: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct ReasonView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    request: RequestView<'a>,
}

#[derive(Debug, Serialize)]
struct RelatedObjectView<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

/// A thin event in Stripe's shape.
#[derive(Debug, Serialize)]
pub struct ThinEventView<'a> {
    id: &'a str,
    object: &'static str,
    /// Only on an event read through the API, not in a delivered notification: `null`, as the
    /// mock records no before/after values for the related object.
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Option<()>>,
    context: Option<&'a str>,
    created: Timestamp,
    livemode: bool,
    reason: Option<ReasonView<'a>>,
    related_object: RelatedObjectView<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl<'a> ThinEventView<'a> {
    /// The event as `GET /v2/core/events/{id}` and the list render it: with `changes`.
    pub fn fetched(e: &'a ThinEvent) -> Self {
        ThinEventView {
            changes: Some(None),
            ..ThinEventView::new(e)
        }
    }

    /// The event's JSON; `reason` is `null` for changes no request made (fixture loads).
    pub fn new(e: &'a ThinEvent) -> Self {
        let reason = e.request.id.as_deref().map(|id| ReasonView {
            kind: "request",
            request: RequestView {
                id: Some(id),
                idempotency_key: e.request.idempotency_key.as_deref(),
            },
        });
        ThinEventView {
            id: &e.id,
            object: "v2.core.event",
            changes: None,
            context: None,
            created: timestamp(e.created),
            livemode: e.livemode,
            reason,
            related_object: RelatedObjectView {
                id: &e.related_id,
                kind: e.related_kind.as_str(),
                url: e.related_kind.url(&e.related_id),
            },
            kind: e.kind.as_str(),
        }
    }
}

/// `types` as the SDKs send it (`types[0]=…`), or a single `types=…`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Types {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreatedParams {
    gt: Option<Rfc3339>,
    gte: Option<Rfc3339>,
    lt: Option<Rfc3339>,
    lte: Option<Rfc3339>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    limit: Option<Bounded<1, MAX_LIMIT>>,
    page: Option<String>,
    object_id: Option<String>,
    types: Option<Types>,
    created: Option<CreatedParams>,
}

/// The account's default version: the one that decides which thin types exist.
fn version_of(app: &AppState, acct: &AccountKey) -> crate::version::ApiVersion {
    app.versions.default_for(Some(acct), Mode::V1)
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    let version = version_of(&app, &acct);
    let event = app.store.thin_event(&acct, &id, version)?;
    render(&ThinEventView::fetched(&event))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V2Query(p): V2Query<ListParams>,
) -> Result<Response> {
    let types = match p.types {
        None => Vec::new(),
        Some(Types::One(t)) => vec![t],
        Some(Types::Many(t)) => t,
    };
    if types.len() > 20 {
        return Err(Error::param_invalid(
            "types",
            None,
            "At most 20 event types can be given.".to_owned(),
        ));
    }
    let created = p.created.unwrap_or_default();
    let filter = ThinFilter {
        version: version_of(&app, &acct),
        types,
        object_id: p.object_id,
        created_from: created
            .gt
            .map(|t| (t.0, false))
            .or(created.gte.map(|t| (t.0, true))),
        created_to: created
            .lt
            .map(|t| (t.0, false))
            .or(created.lte.map(|t| (t.0, true))),
    };
    let limit = p.limit.map_or(DEFAULT_LIMIT, |l| l.0);
    let cursor = match &p.page {
        None => crate::domain::collection::Cursor::Start,
        Some(token) => decode_token(SCOPE, token).ok_or_else(|| {
            Error::param_invalid(
                "page",
                None,
                format!("Invalid page token: '{token}'. Use the next_page_url or previous_page_url of a previous response."),
            )
        })?,
    };
    let req = PageRequest {
        limit: usize::try_from(limit).unwrap_or(10),
        cursor,
    };
    let page = app.store.list_thin_events(&acct, &req, &filter)?;
    // The filters stay in the page URLs, so following them keeps the same selection.
    let mut query = format!("limit={limit}");
    for (i, t) in filter.types.iter().enumerate() {
        query.push_str(&format!("&types[{i}]={}", encode(t)));
    }
    if let Some(id) = &filter.object_id {
        query.push_str(&format!("&object_id={}", encode(id)));
    }
    let bounds = [
        ("gt", created.gt),
        ("gte", created.gte),
        ("lt", created.lt),
        ("lte", created.lte),
    ];
    for (name, at) in bounds {
        if let Some(at) = at {
            query.push_str(&format!(
                "&created[{name}]={}",
                encode(&timestamp(at.0).to_string())
            ));
        }
    }
    let url =
        |c| encode_token(SCOPE, c).map(|token| format!("/v2/core/events?{query}&page={token}"));
    render(&ListView {
        data: page
            .data
            .iter()
            .map(|e| ThinEventView::fetched(e))
            .collect(),
        next_page_url: page.next.and_then(url),
        previous_page_url: page.previous.and_then(url),
    })
}

fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

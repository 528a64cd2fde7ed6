//! `/v1/events`: retrieve and list the account's events, and the one place an event becomes
//! Stripe's `event` object (also for webhook deliveries).
//!
//! An event's `data.object` is rendered when it is read or delivered, by the object's own v1
//! view, at the event's API version: the webhook endpoint's `api_version`, else the account's
//! default (not the request's `Stripe-Version`, as on Stripe, where events take the account's
//! version). `data.previous_attributes` holds the top-level keys whose rendered value changed,
//! with their old values.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::{RawValue, to_raw_value};
use serde_json::{Map, Value};

use crate::domain::event::{EventType, is_event_type_name};
use crate::error::{Error, Result};
use crate::http::de::{Items, Mode, NoParams, refuse};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::events::{EventFilter, EventObject, StoredEvent};
use crate::version::ApiVersion;

use super::ListView;
use super::customers::CustomerView;
use super::payment_intents::PaymentIntentView;
use super::products::ProductView;
use super::views::{CouponView, InvoiceItemView, InvoiceView, PriceView};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/events", get(list))
        .route("/v1/events/{id}", get(retrieve))
}

/// `object` at `version`, as its endpoint renders it, keys in the endpoint's order.
///
/// # Errors
/// [`Error::Internal`] if rendering fails (it cannot for stored objects).
pub fn render_object(object: &EventObject, version: ApiVersion) -> Result<Box<RawValue>> {
    let raw = match object {
        EventObject::Customer(c) => to_raw_value(&CustomerView::from(&**c)),
        EventObject::Product(p) => to_raw_value(&ProductView::new(p, version)),
        EventObject::Price(p) => to_raw_value(&PriceView::from(&**p)),
        EventObject::Coupon(c) => to_raw_value(&CouponView::from(&**c)),
        EventObject::PaymentIntent(p) => to_raw_value(&PaymentIntentView::new(p, version)),
        EventObject::InvoiceItem(i) => to_raw_value(&InvoiceItemView::new(i, version)),
        EventObject::Invoice {
            invoice,
            customer_balance,
        } => {
            let snap = EventObject::invoice_snapshot(invoice, *customer_balance)?;
            to_raw_value(&InvoiceView::stored(&snap, version))
        }
    };
    raw.map_err(|e| Error::Internal(e.to_string()))
}

/// The top-level keys of `before` whose value differs in `after`, with their old values.
pub fn previous_attributes(before: &Value, after: &Value) -> Map<String, Value> {
    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        return Map::new();
    };
    before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// An `event` object, keys in Stripe's order.
#[derive(Debug, Serialize)]
pub struct EventView<'a> {
    id: &'a str,
    object: &'static str,
    api_version: &'static str,
    created: i64,
    data: EventData,
    livemode: bool,
    pending_webhooks: u32,
    request: RequestView<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `data`: the object as it is after the change and, for updates, what it was before.
#[derive(Debug, Serialize)]
struct EventData {
    object: Box<RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_attributes: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize)]
struct RequestView<'a> {
    id: Option<&'a str>,
    idempotency_key: Option<&'a str>,
}

/// The `event` object at `version`.
///
/// # Errors
/// As [`render_object`].
pub fn render_event(event: &StoredEvent, version: ApiVersion) -> Result<EventView<'_>> {
    let object = render_object(&event.object, version)?;
    let previous_attributes = match (event.kind.is_update(), &event.previous) {
        (true, Some(previous)) => {
            let parse = |raw: &RawValue| {
                serde_json::from_str::<Value>(raw.get()).map_err(|e| Error::Internal(e.to_string()))
            };
            let before = parse(&render_object(previous, version)?)?;
            Some(previous_attributes(&before, &parse(&object)?))
        }
        _ => None,
    };
    Ok(EventView {
        id: &event.id,
        object: "event",
        api_version: version.as_str(),
        created: event.created,
        data: EventData {
            object,
            previous_attributes,
        },
        livemode: event.livemode,
        pending_webhooks: event.pending_webhooks(),
        request: RequestView {
            id: event.request.id.as_deref(),
            idempotency_key: event.request.idempotency_key.as_deref(),
        },
        kind: event.kind.as_str(),
    })
}

/// A `type` filter: an event type, or a prefix ending in `*` (`invoice.*`).
#[derive(Debug, Clone)]
struct TypePattern(String);

impl<'de> Deserialize<'de> for TypePattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let v = String::deserialize(deserializer)?;
        let shape = v.strip_suffix(".*").map_or(v.as_str(), |p| p);
        let valid = v == "*"
            || is_event_type_name(&v)
            || (v.ends_with(".*")
                && !shape.is_empty()
                && is_event_type_name(&format!("{shape}.x")));
        if !valid {
            return Err(refuse(
                None,
                None,
                format_args!("Invalid {{key}}: `{v}` is not an event type."),
            ));
        }
        Ok(TypePattern(v))
    }
}

/// `created=<unix>` or `created[gt|gte|lt|lte]=<unix>`, as inclusive bounds.
#[derive(Debug, Clone, Copy, Default)]
struct CreatedFilter(Option<i64>, Option<i64>);

impl<'de> Deserialize<'de> for CreatedFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CreatedFilter;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer or a hash of gt, gte, lt, lte")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<CreatedFilter, E> {
                Ok(CreatedFilter(Some(v), Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<CreatedFilter, E> {
                let v = i64::try_from(v).map_err(|_| E::custom("out of range"))?;
                self.visit_i64(v)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<CreatedFilter, E> {
                let n: i64 = v.parse().map_err(|_| {
                    refuse(
                        Some("parameter_invalid_integer"),
                        None,
                        "Invalid integer: {path}",
                    )
                })?;
                self.visit_i64(n)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<CreatedFilter, A::Error> {
                let mut f = CreatedFilter::default();
                while let Some(key) = map.next_key::<String>()? {
                    let v: i64 = map.next_value()?;
                    match key.as_str() {
                        "gt" => f.0 = Some(f.0.map_or(v + 1, |x| x.max(v.saturating_add(1)))),
                        "gte" => f.0 = Some(f.0.map_or(v, |x| x.max(v))),
                        "lt" => f.1 = Some(f.1.map_or(v - 1, |x| x.min(v.saturating_sub(1)))),
                        "lte" => f.1 = Some(f.1.map_or(v, |x| x.min(v))),
                        other => {
                            return Err(refuse(
                                Some("parameter_unknown"),
                                Some(other),
                                "Received unknown parameter: {path}",
                            ));
                        }
                    }
                }
                Ok(f)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Filters of `GET /v1/events`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    created: Option<CreatedFilter>,
    delivery_success: Option<bool>,
    #[serde(rename = "type")]
    kind: Option<TypePattern>,
    types: Option<Items<TypePattern, 20>>,
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1List(q, params): V1List<ListParams>,
) -> Result<Response> {
    if params.kind.is_some() && params.types.is_some() {
        return Err(Error::exclusive("type, types", "types"));
    }
    let _ = params.delivery_success;
    let mut types: Vec<String> = params.kind.into_iter().map(|t| t.0).collect();
    if let Some(Items(more)) = params.types {
        types.extend(more.into_iter().map(|t| t.0));
    }
    let created = params.created.unwrap_or_default();
    let filter = EventFilter {
        types,
        created: (created.0, created.1),
    };
    let page = app.store.list_events(&acct, &q, &filter)?;
    let version = app.versions.default_for(Some(&acct), Mode::V1);
    let data = page
        .data
        .iter()
        .map(|e| render_event(e, version))
        .collect::<Result<Vec<_>>>()?;
    render(&ListView {
        object: "list",
        data,
        has_more: page.has_more,
        url: "/v1/events".into(),
    })
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    let event = app.store.event(&acct, &id)?;
    let version = app.versions.default_for(Some(&acct), Mode::V1);
    render(&render_event(&event, version)?)
}

/// Every type the mock emits, for documentation and tests.
pub fn emitted_types() -> impl Iterator<Item = &'static str> {
    EventType::ALL.iter().map(|t| t.as_str())
}

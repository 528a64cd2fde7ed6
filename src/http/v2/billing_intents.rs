//! `/v2/billing/intents`: create, retrieve, list, reserve, release_reservation, commit, cancel
//! (`v2.billing.intent`).
//!
//! Handlers decode, call one store method and render [`IntentView`] in the [`Shape`] the
//! request's `Stripe-Version` asks for.

use std::cell::RefCell;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::domain::billing_intent::BillingIntent;
use crate::error::{Error, Result};
use crate::http::de::NoParams;
use crate::http::extract::{Caller, V2Json, V2Query};
use crate::http::memo::Rendered;
use crate::http::{AppState, json_response, render, render_body};
use crate::store::billing::{CommitParams, NewIntent};

use super::billing_intent_actions::params::Actions;
use super::cadences::{CadenceDataParams, CadenceDataView};
use super::params::{Currency, PageParams};
use super::{Amount, ListView, Shape, Timestamp, timestamp};

/// Routes. The intent id segment is `{id}` on every route, actions included (the router needs
/// one name per position).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/billing/intents", get(list).post(create))
        .route("/v2/billing/intents/{id}", get(retrieve))
        .route("/v2/billing/intents/{id}/reserve", post(reserve))
        .route(
            "/v2/billing/intents/{id}/release_reservation",
            post(release_reservation),
        )
        .route("/v2/billing/intents/{id}/commit", post(commit))
        .route("/v2/billing/intents/{id}/cancel", post(cancel))
}

/// Page-token scope of the intent list.
const SCOPE: &str = "bilint";

#[derive(Debug, Serialize)]
struct AmountDetailsView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_due: Option<Amount>,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_balance_applied: Option<Amount>,
    discount: Amount,
    shipping: Amount,
    subtotal: Amount,
    tax: Amount,
    total: Amount,
}

#[derive(Debug, Serialize)]
struct StatusTransitionsView {
    canceled_at: Option<Timestamp>,
    committed_at: Option<Timestamp>,
    drafted_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<Timestamp>,
    reserved_at: Option<Timestamp>,
}

/// Billing intent in Stripe's shape, in the seed examples' key order. Fields that only some
/// versions have are left out for the others; every other field is always present.
#[derive(Debug, Serialize)]
pub struct IntentView<'a> {
    amount_details: AmountDetailsView<'a>,
    /// Absent in the versions without it; `null` or the data in the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    cadence_data: Option<Option<CadenceDataView<'a>>>,
    created: Timestamp,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    effective_at: Option<&'static str>,
    id: &'a str,
    object: &'static str,
    status: &'static str,
    status_transitions: StatusTransitionsView,
    livemode: bool,
    cadence: Option<&'a str>,
}

impl<'a> IntentView<'a> {
    /// `intent` as a response of the version that `shape` describes.
    pub fn new(intent: &'a BillingIntent, shape: Shape) -> Self {
        let a = &intent.amount_details;
        let amount = |v: i64| Amount::new(v, shape);
        let balance = |v: i64| shape.amount_due.then(|| amount(v));
        let t = &intent.status_transitions;
        IntentView {
            amount_details: AmountDetailsView {
                amount_due: balance(a.amount_due()),
                currency: &intent.currency,
                customer_balance_applied: balance(a.customer_balance_applied()),
                discount: amount(a.discount),
                shipping: amount(a.shipping),
                subtotal: amount(a.subtotal),
                tax: amount(a.tax),
                total: amount(a.total),
            },
            cadence_data: shape
                .cadence_data
                .then(|| intent.cadence_data.as_deref().map(CadenceDataView::from)),
            created: timestamp(intent.created),
            currency: &intent.currency,
            effective_at: shape.intent_effective_at.then(|| intent.effective_at()),
            id: &intent.id,
            // The attribute docs and both SDKs say `v2.billing.intent`; the seed examples'
            // `v2.billing.billing_intent` would make the Python SDK return a plain object.
            object: "v2.billing.intent",
            status: intent.status.as_str(),
            status_transitions: StatusTransitionsView {
                canceled_at: t.canceled_at.map(timestamp),
                committed_at: t.committed_at.map(timestamp),
                drafted_at: t.drafted_at.map(timestamp),
                expires_at: shape.expires_at.then(|| timestamp(intent.expires_at())),
                reserved_at: t.reserved_at.map(timestamp),
            },
            livemode: intent.livemode,
            cadence: intent.cadence.as_deref(),
        }
    }
}

/// The JSON of `intent` in `shape`, for a 200 response.
fn intent_body(intent: &BillingIntent, shape: Shape) -> Result<Bytes> {
    render_body(&IntentView::new(intent, shape))
}

/// A 200 response with `intent` in `shape`.
fn render_intent(intent: &BillingIntent, shape: Shape) -> Result<Response> {
    Ok(json_response(intent_body(intent, shape)?))
}

/// Parameters of `POST /v2/billing/intents` (also read from fixtures).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    currency: Currency,
    actions: Actions,
    cadence: Option<String>,
    cadence_data: Option<CadenceDataParams>,
}

impl TryFrom<CreateParams> for NewIntent {
    type Error = Error;

    /// # Errors
    /// Both `cadence` and `cadence_data`.
    fn try_from(p: CreateParams) -> Result<Self> {
        if p.cadence.is_some() && p.cadence_data.is_some() {
            return Err(Error::exclusive("cadence, cadence_data", "cadence_data"));
        }
        Ok(NewIntent {
            id: None,
            currency: p.currency.0,
            cadence: p.cadence,
            cadence_data: p.cadence_data.map(Into::into),
            actions: p.actions.0,
        })
    }
}

/// Parameters of `POST /v2/billing/intents/{id}/commit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitBody {
    payment_intent: Option<String>,
    payment_record: Option<String>,
}

impl TryFrom<CommitBody> for CommitParams {
    type Error = Error;

    fn try_from(b: CommitBody) -> Result<Self> {
        if b.payment_intent.is_some() && b.payment_record.is_some() {
            return Err(Error::exclusive(
                "payment_intent, payment_record",
                "payment_record",
            ));
        }
        Ok(CommitParams {
            payment_intent: b.payment_intent,
            payment_record: b.payment_record,
        })
    }
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    V2Json(params): V2Json<CreateParams>,
) -> Result<Response> {
    let new = NewIntent::try_from(params)?;
    render_intent(&*app.store.create_intent(&acct, new)?, shape)
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    Path(id): Path<String>,
    V2Query(NoParams {}): V2Query<NoParams>,
) -> Result<Response> {
    thread_local! {
        static RENDERED: RefCell<Rendered<BillingIntent, Shape>> = RefCell::default();
    }
    // A repeated GET of an unchanged intent answers with the bytes rendered the last time.
    let body = app.store.with_intent(&acct, &id, |intent| {
        RENDERED.with_borrow_mut(|memo| {
            memo.get_or_render(intent, shape, |intent| intent_body(intent, shape))
        })
    })??;
    Ok(json_response(body))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    V2Query(params): V2Query<PageParams>,
) -> Result<Response> {
    let req = params.request(SCOPE)?;
    let page = app.store.list_intents(&acct, &req)?;
    render(&ListView::of(
        &page,
        "/v2/billing/intents",
        SCOPE,
        &req,
        |i| IntentView::new(i, shape),
    ))
}

async fn reserve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    Path(id): Path<String>,
    V2Json(NoParams {}): V2Json<NoParams>,
) -> Result<Response> {
    render_intent(&*app.store.reserve_intent(&acct, &id)?, shape)
}

async fn release_reservation(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    Path(id): Path<String>,
    V2Json(NoParams {}): V2Json<NoParams>,
) -> Result<Response> {
    render_intent(&*app.store.release_intent(&acct, &id)?, shape)
}

async fn commit(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    Path(id): Path<String>,
    V2Json(body): V2Json<CommitBody>,
) -> Result<Response> {
    let p = CommitParams::try_from(body)?;
    render_intent(&*app.store.commit_intent(&acct, &id, p)?, shape)
}

async fn cancel(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    Path(id): Path<String>,
    V2Json(NoParams {}): V2Json<NoParams>,
) -> Result<Response> {
    render_intent(&*app.store.cancel_intent(&acct, &id)?, shape)
}

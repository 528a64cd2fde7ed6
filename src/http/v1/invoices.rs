//! `/v1/invoices`: create (draft), retrieve, update, delete, list, and the lifecycle endpoints
//! `finalize`, `pay`, `void`, `mark_uncollectible`. The invoice view is in [`super::views`].

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Deserializer};
use strum::IntoStaticStr;

use crate::domain::invoice::InvoiceStatus;
use crate::domain::patch::Patch;
use crate::error::Result;
use crate::http::de::{Metadata, NoParams, refuse};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::invoicing::{InvoiceFilter, InvoiceUpdate, NewInvoice};
use crate::version::ApiVersion;

use super::invoice_params::{Currency, Discounts, Given, discount_inputs, discounts_patch};
use super::views::InvoiceView;
use super::{DeletedView, ListView};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/invoices", get(list).post(create))
        .route(
            "/v1/invoices/{id}",
            get(retrieve).post(update).delete(delete),
        )
        .route("/v1/invoices/{id}/finalize", post(finalize))
        .route("/v1/invoices/{id}/pay", post(pay))
        .route("/v1/invoices/{id}/void", post(void))
        .route(
            "/v1/invoices/{id}/mark_uncollectible",
            post(mark_uncollectible),
        )
}

/// `collection_method`.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
enum CollectionMethod {
    ChargeAutomatically,
    SendInvoice,
}

/// An invoice status, as the list filter and fixtures name it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusParam {
    /// `draft`.
    Draft,
    /// `open`.
    Open,
    /// `paid`.
    Paid,
    /// `uncollectible`.
    Uncollectible,
    /// `void`.
    Void,
}

impl From<StatusParam> for InvoiceStatus {
    fn from(s: StatusParam) -> Self {
        match s {
            StatusParam::Draft => InvoiceStatus::Draft,
            StatusParam::Open => InvoiceStatus::Open,
            StatusParam::Paid => InvoiceStatus::Paid,
            StatusParam::Uncollectible => InvoiceStatus::Uncollectible,
            StatusParam::Void => InvoiceStatus::Void,
        }
    }
}

/// `pending_invoice_items_behavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PendingItems {
    Exclude,
    Include,
}

/// `days_until_due`: 0 to 36500.
#[derive(Debug, Clone, Copy)]
struct DaysUntilDue(i64);

impl<'de> Deserialize<'de> for DaysUntilDue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let days = i64::deserialize(deserializer)?;
        if !(0..=36_500).contains(&days) {
            return Err(refuse(
                Some("parameter_invalid_integer"),
                None,
                "Invalid days_until_due: must be between 0 and 36500.",
            ));
        }
        Ok(DaysUntilDue(days))
    }
}

/// Parameters of `POST /v1/invoices` (also read from fixtures).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    customer: String,
    auto_advance: Option<bool>,
    collection_method: Option<CollectionMethod>,
    #[serde(default)]
    currency: Given<Currency>,
    days_until_due: Option<DaysUntilDue>,
    due_date: Option<i64>,
    description: Option<String>,
    discounts: Option<Discounts>,
    footer: Option<String>,
    #[serde(default)]
    metadata: Metadata,
    pending_invoice_items_behavior: Option<PendingItems>,
    statement_descriptor: Option<String>,
}

impl CreateParams {
    /// The new invoice; `at` is the parameters' path (`""` for a request, the element's path
    /// for a fixture).
    pub fn new_invoice(self, at: &str) -> NewInvoice {
        NewInvoice {
            id: None,
            customer: self.customer,
            auto_advance: self.auto_advance,
            collection_method: self.collection_method.map(Into::into),
            currency: self.currency.0.map(|c| c.0),
            days_until_due: self.days_until_due.map(|d| d.0),
            due_date: self.due_date,
            description: self.description,
            discounts: self
                .discounts
                .map(|d| discount_inputs(d, at))
                .unwrap_or_default(),
            footer: self.footer,
            metadata: self.metadata.0,
            include_pending: self.pending_invoice_items_behavior == Some(PendingItems::Include),
            statement_descriptor: self.statement_descriptor,
        }
    }
}

/// Parameters of `POST /v1/invoices/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateParams {
    auto_advance: Option<bool>,
    collection_method: Option<CollectionMethod>,
    #[serde(default)]
    days_until_due: Patch<DaysUntilDue>,
    #[serde(default)]
    due_date: Patch<i64>,
    #[serde(default)]
    description: Patch<String>,
    #[serde(default)]
    discounts: Patch<Discounts>,
    #[serde(default)]
    footer: Patch<String>,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    statement_descriptor: Patch<String>,
}

impl From<UpdateParams> for InvoiceUpdate {
    fn from(p: UpdateParams) -> Self {
        InvoiceUpdate {
            auto_advance: p.auto_advance,
            collection_method: p.collection_method.map(Into::into),
            days_until_due: match p.days_until_due {
                Patch::Absent => Patch::Absent,
                Patch::Unset => Patch::Unset,
                Patch::Set(DaysUntilDue(d)) => Patch::Set(d),
            },
            due_date: p.due_date,
            description: p.description,
            discounts: discounts_patch(p.discounts, ""),
            footer: p.footer,
            metadata: p.metadata.0,
            statement_descriptor: p.statement_descriptor,
        }
    }
}

/// Filters of `GET /v1/invoices`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    customer: Option<String>,
    status: Option<StatusParam>,
    collection_method: Option<CollectionMethod>,
}

/// Parameters of `POST /v1/invoices/{id}/finalize`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FinalizeParams {
    auto_advance: Option<bool>,
}

/// Parameters of `POST /v1/invoices/{id}/pay`. All but `paid_out_of_band` are accepted without
/// effect: no payment methods are modelled, so a payment always succeeds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PayParams {
    paid_out_of_band: Option<bool>,
    #[serde(rename = "forgive")]
    _forgive: Option<bool>,
    #[serde(rename = "off_session")]
    _off_session: Option<bool>,
    #[serde(rename = "payment_method")]
    _payment_method: Option<String>,
    #[serde(rename = "source")]
    _source: Option<String>,
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1Form(params): V1Form<CreateParams>,
) -> Result<Response> {
    let new = params.new_invoice("");
    render(&InvoiceView::stored(
        &app.store.create_invoice(&acct, new)?,
        version,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    render(&InvoiceView::stored(
        &app.store.invoice(&acct, &id)?,
        version,
    ))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(params): V1Form<UpdateParams>,
) -> Result<Response> {
    let upd = InvoiceUpdate::from(params);
    render(&InvoiceView::stored(
        &app.store.update_invoice(&acct, &id, upd)?,
        version,
    ))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Json<DeletedView>> {
    let d = app.store.delete_invoice(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "invoice")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1List(q, params): V1List<ListParams>,
) -> Result<Response> {
    let filter = InvoiceFilter {
        customer: params.customer,
        status: params.status.map(Into::into),
        collection_method: params.collection_method.map(Into::into),
    };
    let page = app.store.list_invoices(&acct, &q, &filter)?;
    render(&ListView::of(&page, "/v1/invoices", |snap| {
        InvoiceView::stored(snap, version)
    }))
}

async fn finalize(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(params): V1Form<FinalizeParams>,
) -> Result<Response> {
    render(&InvoiceView::stored(
        &app.store
            .finalize_invoice(&acct, &id, params.auto_advance)?,
        version,
    ))
}

async fn pay(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(params): V1Form<PayParams>,
) -> Result<Response> {
    let paid_out_of_band = params.paid_out_of_band.unwrap_or(false);
    render(&InvoiceView::stored(
        &app.store.pay_invoice(&acct, &id, paid_out_of_band)?,
        version,
    ))
}

async fn void(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    render(&InvoiceView::stored(
        &app.store.void_invoice(&acct, &id)?,
        version,
    ))
}

async fn mark_uncollectible(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    render(&InvoiceView::stored(
        &app.store.mark_invoice_uncollectible(&acct, &id)?,
        version,
    ))
}

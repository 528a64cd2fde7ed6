//! `/v1/invoiceitems`: create, retrieve, update, delete, list. The parameters an invoice item
//! shares with lines and preview items are declared in [`super::invoice_params`].

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::error::Result;
use crate::http::de::NoParams;
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::invoicing::{InvoiceItemFilter, NewInvoiceItem};
use crate::version::ApiVersion;

use super::invoice_params::{CreateItemParams, ItemParams};
use super::views::InvoiceItemView;
use super::{DeletedView, ListView};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/invoiceitems", get(list).post(create))
        .route(
            "/v1/invoiceitems/{id}",
            get(retrieve).post(update).delete(delete),
        )
}

/// The new invoice item `params` describe; `at` is their path (`""` for a request, the element's
/// path for a fixture).
///
/// # Errors
/// Invalid parameters.
pub fn new_invoice_item(
    params: CreateItemParams,
    at: &str,
    version: Option<ApiVersion>,
) -> Result<NewInvoiceItem> {
    let ((customer, currency, invoice, subscription), item) = params.split();
    Ok(NewInvoiceItem {
        id: None,
        customer,
        currency: currency.0.map(|c| c.0),
        invoice,
        subscription,
        fields: item.fields(at, version)?,
    })
}

/// Filters of `GET /v1/invoiceitems`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    customer: Option<String>,
    invoice: Option<String>,
    pending: Option<bool>,
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1Form(params): V1Form<CreateItemParams>,
) -> Result<Response> {
    let new = new_invoice_item(params, "", Some(version))?;
    render(&InvoiceItemView::new(
        &app.store.create_invoice_item(&acct, new)?,
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
    render(&InvoiceItemView::new(
        &app.store.invoice_item(&acct, &id)?,
        version,
    ))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(params): V1Form<ItemParams>,
) -> Result<Response> {
    let fields = params.fields("", Some(version))?;
    render(&InvoiceItemView::new(
        &app.store.update_invoice_item(&acct, &id, fields)?,
        version,
    ))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Json<DeletedView>> {
    let d = app.store.delete_invoice_item(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "invoiceitem")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1List(q, params): V1List<ListParams>,
) -> Result<Response> {
    let filter = InvoiceItemFilter {
        customer: params.customer,
        invoice: params.invoice,
        pending: params.pending,
    };
    let page = app.store.list_invoice_items(&acct, &q, &filter)?;
    render(&ListView::of(&page, "/v1/invoiceitems", |item| {
        InvoiceItemView::new(item, version)
    }))
}

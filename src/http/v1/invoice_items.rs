//! `/v1/invoiceitems`: create, retrieve, update, delete, list. The fields an invoice item shares
//! with lines and preview items are read in [`super::invoice_params`].

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};

use crate::error::Result;
use crate::http::extract::{Caller, V1Params};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::invoicing::{InvoiceItemFilter, NewInvoiceItem};

use super::invoice_params::{opt_currency, read_item_fields};
use super::views::InvoiceItemView;
use super::{DeletedView, ListView, list_query};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/invoiceitems", get(list).post(create))
        .route(
            "/v1/invoiceitems/{id}",
            get(retrieve).post(update).delete(delete),
        )
}

/// Reads the parameters of `POST /v1/invoiceitems` (also used by fixtures).
///
/// # Errors
/// Invalid parameters.
pub fn new_invoice_item(p: &mut Params) -> Result<NewInvoiceItem> {
    Ok(NewInvoiceItem {
        id: None,
        customer: p.req_string("customer")?,
        currency: opt_currency(p)?,
        invoice: p.opt_string("invoice")?,
        subscription: p.opt_string("subscription")?,
        fields: read_item_fields(p)?,
    })
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let new = new_invoice_item(&mut params)?;
    params.finish()?;
    render(&InvoiceItemView::from(
        &app.store.create_invoice_item(&acct, new)?,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    render(&InvoiceItemView::from(&app.store.invoice_item(&acct, &id)?))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let fields = read_item_fields(&mut params)?;
    params.finish()?;
    render(&InvoiceItemView::from(
        &app.store.update_invoice_item(&acct, &id, fields)?,
    ))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Json<DeletedView>> {
    params.finish()?;
    let d = app.store.delete_invoice_item(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "invoiceitem")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    let filter = InvoiceItemFilter {
        customer: params.opt_string("customer")?,
        invoice: params.opt_string("invoice")?,
        pending: params.opt_bool("pending")?,
    };
    params.finish()?;
    let page = app.store.list_invoice_items(&acct, &q, &filter)?;
    render(&ListView::of(
        &page,
        "/v1/invoiceitems",
        InvoiceItemView::from,
    ))
}

//! `/v1/invoices`: create (draft), retrieve, update, delete, list, and the lifecycle endpoints
//! `finalize`, `pay`, `void`, `mark_uncollectible`. The invoice view is in [`super::views`].

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::domain::invoice::InvoiceStatus;
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::http::extract::{Caller, V1Params};
use crate::http::params::{Params, enum_error};
use crate::http::{AppState, render};
use crate::store::invoicing::{InvoiceFilter, InvoiceUpdate, NewInvoice};

use super::invoice_params::{opt_currency, read_discounts};
use super::views::InvoiceView;
use super::{DeletedView, ListView, list_query};

const COLLECTION_METHODS: &[&str] = &["charge_automatically", "send_invoice"];
const STATUSES: &[&str] = &["draft", "open", "paid", "uncollectible", "void"];

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

fn opt_status(p: &mut Params) -> Result<Option<InvoiceStatus>> {
    let path = p.path_of("status");
    match p.opt_string("status")? {
        None => Ok(None),
        Some(s) => InvoiceStatus::parse(&s)
            .map(Some)
            .ok_or_else(|| enum_error(path, &s, STATUSES)),
    }
}

fn opt_days_until_due(p: &mut Params) -> Result<Patch<i64>> {
    let path = p.path_of("days_until_due");
    match p.patch_i64("days_until_due")? {
        Patch::Set(d) if !(0..=36_500).contains(&d) => Err(Error::param_invalid(
            path,
            Some("parameter_invalid_integer"),
            "Invalid days_until_due: must be between 0 and 36500.",
        )),
        other => Ok(other),
    }
}

/// Reads the parameters of `POST /v1/invoices` (also used by fixtures).
///
/// # Errors
/// Invalid parameters.
pub fn new_invoice(p: &mut Params) -> Result<NewInvoice> {
    Ok(NewInvoice {
        id: None,
        customer: p.req_string("customer")?,
        auto_advance: p.opt_bool("auto_advance")?,
        collection_method: p.opt_enum("collection_method", COLLECTION_METHODS)?,
        currency: opt_currency(p)?,
        days_until_due: opt_days_until_due(p)?.into_option(),
        due_date: p.opt_i64("due_date")?,
        description: p.opt_string("description")?,
        discounts: read_discounts(p)?.into_option().unwrap_or_default(),
        footer: p.opt_string("footer")?,
        metadata: p.opt_metadata("metadata")?,
        include_pending: p.opt_enum("pending_invoice_items_behavior", &["exclude", "include"])?
            == Some("include"),
        statement_descriptor: p.opt_string("statement_descriptor")?,
    })
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let new = new_invoice(&mut params)?;
    params.finish()?;
    render(&InvoiceView::stored(&app.store.create_invoice(&acct, new)?))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    render(&InvoiceView::stored(&app.store.invoice(&acct, &id)?))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let p = &mut params;
    let upd = InvoiceUpdate {
        auto_advance: p.opt_bool("auto_advance")?,
        collection_method: p.opt_enum("collection_method", COLLECTION_METHODS)?,
        days_until_due: opt_days_until_due(p)?,
        due_date: p.patch_i64("due_date")?,
        description: p.patch_string("description")?,
        discounts: read_discounts(p)?,
        footer: p.patch_string("footer")?,
        metadata: p.opt_metadata("metadata")?,
        statement_descriptor: p.patch_string("statement_descriptor")?,
    };
    params.finish()?;
    render(&InvoiceView::stored(
        &app.store.update_invoice(&acct, &id, upd)?,
    ))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Json<DeletedView>> {
    params.finish()?;
    let d = app.store.delete_invoice(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "invoice")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    let filter = InvoiceFilter {
        customer: params.opt_string("customer")?,
        status: opt_status(&mut params)?,
        collection_method: params.opt_enum("collection_method", COLLECTION_METHODS)?,
    };
    params.finish()?;
    let page = app.store.list_invoices(&acct, &q, &filter)?;
    render(&ListView::of(&page, "/v1/invoices", InvoiceView::stored))
}

async fn finalize(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let auto_advance = params.opt_bool("auto_advance")?;
    params.finish()?;
    render(&InvoiceView::stored(&app.store.finalize_invoice(
        &acct,
        &id,
        auto_advance,
    )?))
}

async fn pay(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let p = &mut params;
    let paid_out_of_band = p.opt_bool("paid_out_of_band")?.unwrap_or(false);
    // Accepted without effect: no payment methods are modelled, so a payment always succeeds.
    p.opt_bool("forgive")?;
    p.opt_bool("off_session")?;
    p.opt_string("payment_method")?;
    p.opt_string("source")?;
    params.finish()?;
    render(&InvoiceView::stored(&app.store.pay_invoice(
        &acct,
        &id,
        paid_out_of_band,
    )?))
}

async fn void(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    render(&InvoiceView::stored(&app.store.void_invoice(&acct, &id)?))
}

async fn mark_uncollectible(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    render(&InvoiceView::stored(
        &app.store.mark_invoice_uncollectible(&acct, &id)?,
    ))
}

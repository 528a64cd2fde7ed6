//! Invoice lines: `GET /v1/invoices/:id/lines`, `POST /v1/invoices/:id/lines/:line_item_id`, and
//! the batch endpoints `add_lines`, `remove_lines`, `update_lines`.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use crate::domain::invoice::MAX_LINES_PER_INVOICE;
use crate::error::Result;
use crate::http::extract::{Caller, V1Params};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::invoicing::{AddLine, LineBatch, RemoveBehavior, RemoveLine, UpdateLine};

use super::invoice_params::read_item_fields;
use super::list_query;
use super::views::{InvoiceView, LineItemView, line_list};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/invoices/{id}/lines", get(list))
        .route("/v1/invoices/{id}/lines/{line_item_id}", post(update_line))
        .route("/v1/invoices/{id}/add_lines", post(add_lines))
        .route("/v1/invoices/{id}/remove_lines", post(remove_lines))
        .route("/v1/invoices/{id}/update_lines", post(update_lines))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    params.finish()?;
    let page = app.store.invoice_lines(&acct, &id, &q)?;
    render(&line_list(&page, format!("/v1/invoices/{id}/lines")))
}

async fn update_line(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path((id, line_id)): Path<(String, String)>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let fields = read_item_fields(&mut params)?;
    params.finish()?;
    let line = app
        .store
        .update_invoice_line(&acct, &id, &line_id, fields)?;
    render(&LineItemView::from(&line))
}

/// Reads the parameters of `POST /v1/invoices/{id}/add_lines` (also used by fixtures).
///
/// # Errors
/// Invalid parameters.
pub fn add_lines_batch(params: &mut Params) -> Result<LineBatch<AddLine>> {
    let lines = params.req_array("lines", MAX_LINES_PER_INVOICE, |l, _| {
        Ok(match l.opt_string("invoice_item")? {
            Some(invoice_item) => AddLine::Existing {
                invoice_item,
                fields: read_item_fields(l)?,
            },
            None => AddLine::New(read_item_fields(l)?),
        })
    })?;
    let invoice_metadata = params.opt_metadata("invoice_metadata")?;
    Ok(LineBatch {
        lines,
        invoice_metadata,
    })
}

async fn add_lines(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let batch = add_lines_batch(&mut params)?;
    params.finish()?;
    let snap = app.store.add_lines(&acct, &id, batch)?;
    render(&InvoiceView::stored(&snap))
}

async fn remove_lines(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let lines = params.req_array("lines", MAX_LINES_PER_INVOICE, |l, _| {
        let param = l.path_of("id");
        Ok(RemoveLine {
            id: l.req_string("id")?,
            behavior: match l.req_enum("behavior", &["delete", "unassign"])? {
                "delete" => RemoveBehavior::Delete,
                _ => RemoveBehavior::Unassign,
            },
            param,
        })
    })?;
    let invoice_metadata = params.opt_metadata("invoice_metadata")?;
    params.finish()?;
    let snap = app.store.remove_lines(
        &acct,
        &id,
        LineBatch {
            lines,
            invoice_metadata,
        },
    )?;
    render(&InvoiceView::stored(&snap))
}

async fn update_lines(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let lines = params.req_array("lines", MAX_LINES_PER_INVOICE, |l, _| {
        Ok(UpdateLine {
            id: l.req_string("id")?,
            fields: read_item_fields(l)?,
        })
    })?;
    let invoice_metadata = params.opt_metadata("invoice_metadata")?;
    params.finish()?;
    let snap = app.store.update_lines(
        &acct,
        &id,
        LineBatch {
            lines,
            invoice_metadata,
        },
    )?;
    render(&InvoiceView::stored(&snap))
}

//! Invoice lines: `GET /v1/invoices/:id/lines`, `POST /v1/invoices/:id/lines/:line_item_id`, and
//! the batch endpoints `add_lines`, `remove_lines`, `update_lines`.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::domain::invoice::MAX_LINES_PER_INVOICE;
use crate::error::{Error, Result};
use crate::http::de::{Metadata, NoParams, NonEmpty};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::invoicing::{AddLine, LineBatch, RemoveBehavior, RemoveLine, UpdateLine};
use crate::version::ApiVersion;

use super::invoice_params::{AddLineParams, LineParams, UpdateLineParams, entry, path};
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

/// The `lines` of a batch request.
pub type Lines<L> = NonEmpty<L, MAX_LINES_PER_INVOICE>;

/// Parameters of a batch endpoint: its entries `L` and `invoice_metadata`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchParams<L> {
    lines: Lines<L>,
    #[serde(default)]
    invoice_metadata: Metadata,
}

/// The batch of `add_lines` entries `lines`, sent at `at` (`lines` for a request, the element's
/// `lines` for a fixture), with `invoice_metadata`.
///
/// # Errors
/// An invalid entry.
pub fn add_lines_batch(
    lines: Lines<AddLineParams>,
    invoice_metadata: Metadata,
    at: &str,
    version: Option<ApiVersion>,
) -> Result<LineBatch<AddLine>> {
    let lines = lines
        .0
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let ((invoice_item, tax_amounts), item) = line.split();
            let fields = item.line_fields(&entry(at, i), version, tax_amounts)?;
            Ok(match invoice_item {
                Some(invoice_item) => AddLine::Existing {
                    invoice_item,
                    fields,
                },
                None => AddLine::New(fields),
            })
        })
        .collect::<Result<_>>()?;
    Ok(LineBatch {
        lines,
        invoice_metadata: invoice_metadata.0,
    })
}

/// `remove_lines[N][behavior]`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Behavior {
    Delete,
    Unassign,
}

/// An entry of `remove_lines`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoveLineParams {
    id: String,
    behavior: Option<Behavior>,
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1List(q, NoParams {}): V1List<NoParams>,
) -> Result<Response> {
    let page = app.store.invoice_lines(&acct, &id, &q)?;
    render(&line_list(
        &page,
        format!("/v1/invoices/{id}/lines"),
        Some(&id),
        version,
    ))
}

async fn update_line(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path((id, line_id)): Path<(String, String)>,
    V1Form(params): V1Form<LineParams>,
) -> Result<Response> {
    let ((tax_amounts,), item) = params.split();
    let fields = item.line_fields("", Some(version), tax_amounts)?;
    let line = app
        .store
        .update_invoice_line(&acct, &id, &line_id, fields)?;
    render(&LineItemView::new(&line, Some(&id), version))
}

async fn add_lines(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(params): V1Form<BatchParams<AddLineParams>>,
) -> Result<Response> {
    let batch = add_lines_batch(
        params.lines,
        params.invoice_metadata,
        "lines",
        Some(version),
    )?;
    let snap = app.store.add_lines(&acct, &id, batch)?;
    render(&InvoiceView::stored(&snap, version))
}

async fn remove_lines(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(params): V1Form<BatchParams<RemoveLineParams>>,
) -> Result<Response> {
    let lines = params
        .lines
        .0
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let at = entry("lines", i);
            let behavior = match line.behavior {
                Some(Behavior::Delete) => RemoveBehavior::Delete,
                Some(Behavior::Unassign) => RemoveBehavior::Unassign,
                // `behavior=` counts as not sent.
                None => {
                    return Err(Error::ParameterMissing {
                        param: path(&at, "behavior"),
                    });
                }
            };
            Ok(RemoveLine {
                id: line.id,
                behavior,
                param: path(&at, "id"),
            })
        })
        .collect::<Result<_>>()?;
    let batch = LineBatch {
        lines,
        invoice_metadata: params.invoice_metadata.0,
    };
    let snap = app.store.remove_lines(&acct, &id, batch)?;
    render(&InvoiceView::stored(&snap, version))
}

async fn update_lines(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(params): V1Form<BatchParams<UpdateLineParams>>,
) -> Result<Response> {
    let lines = params
        .lines
        .0
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let ((id, tax_amounts), item) = line.split();
            let fields = item.line_fields(&entry("lines", i), Some(version), tax_amounts)?;
            Ok(UpdateLine { id, fields })
        })
        .collect::<Result<_>>()?;
    let batch = LineBatch {
        lines,
        invoice_metadata: params.invoice_metadata.0,
    };
    let snap = app.store.update_lines(&acct, &id, batch)?;
    render(&InvoiceView::stored(&snap, version))
}

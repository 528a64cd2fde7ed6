//! `/v1/customers`: create, retrieve, update, delete, list.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::domain::catalog::{Customer, Metadata};
use crate::error::Result;
use crate::http::extract::{Caller, V1Params};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::catalog::{CustomerUpdate, NewCustomer};

use super::{DeletedView, ListView, list_query};

const TAX_EXEMPT: &[&str] = &["none", "exempt", "reverse"];

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/customers", get(list).post(create))
        .route(
            "/v1/customers/{id}",
            get(retrieve).post(update).delete(delete),
        )
}

/// Customer in Stripe's shape.
#[derive(Debug, Serialize)]
pub struct CustomerView<'a> {
    id: &'a str,
    object: &'static str,
    address: Option<()>,
    balance: i64,
    created: i64,
    currency: Option<&'a str>,
    default_source: Option<()>,
    delinquent: bool,
    description: Option<&'a str>,
    discount: Option<()>,
    email: Option<&'a str>,
    invoice_prefix: &'a str,
    invoice_settings: InvoiceSettings,
    livemode: bool,
    metadata: &'a Metadata,
    name: Option<&'a str>,
    next_invoice_sequence: i64,
    phone: Option<&'a str>,
    preferred_locales: [(); 0],
    shipping: Option<()>,
    tax_exempt: &'static str,
    test_clock: Option<()>,
}

#[derive(Debug, Serialize)]
struct InvoiceSettings {
    custom_fields: Option<()>,
    default_payment_method: Option<()>,
    footer: Option<()>,
    rendering_options: Option<()>,
}

impl<'a> From<&'a Customer> for CustomerView<'a> {
    fn from(c: &'a Customer) -> Self {
        CustomerView {
            id: &c.id,
            object: "customer",
            address: None,
            balance: c.balance,
            created: c.created,
            currency: c.currency.as_deref(),
            default_source: None,
            delinquent: false,
            description: c.description.as_deref(),
            discount: None,
            email: c.email.as_deref(),
            invoice_prefix: &c.invoice_prefix,
            invoice_settings: InvoiceSettings {
                custom_fields: None,
                default_payment_method: None,
                footer: None,
                rendering_options: None,
            },
            livemode: c.livemode,
            metadata: &c.metadata,
            name: c.name.as_deref(),
            next_invoice_sequence: c.next_invoice_sequence,
            phone: c.phone.as_deref(),
            preferred_locales: [],
            shipping: None,
            tax_exempt: c.tax_exempt,
            test_clock: None,
        }
    }
}

fn invoice_prefix(p: &mut Params) -> Result<Option<String>> {
    let path = p.path_of("invoice_prefix");
    match p.opt_string("invoice_prefix")? {
        Some(v)
            if !(3..=12).contains(&v.len())
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            Err(crate::error::Error::param_invalid(
                path,
                None,
                "Invalid invoice_prefix: must be 3–12 uppercase letters or digits.",
            ))
        }
        v => Ok(v),
    }
}

/// Reads the parameters of `POST /v1/customers` (also used by fixtures).
///
/// # Errors
/// Invalid parameters.
pub fn new_customer(p: &mut Params) -> Result<NewCustomer> {
    Ok(NewCustomer {
        id: None,
        balance: p.opt_i64("balance")?,
        description: p.opt_string("description")?,
        email: p.opt_string("email")?,
        invoice_prefix: invoice_prefix(p)?,
        metadata: p.opt_metadata("metadata")?,
        name: p.opt_string("name")?,
        phone: p.opt_string("phone")?,
        tax_exempt: p.opt_enum("tax_exempt", TAX_EXEMPT)?,
    })
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let new = new_customer(&mut params)?;
    params.finish()?;
    let c = app.store.create_customer(&acct, new)?;
    render(&CustomerView::from(&c))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    let c = app.store.customer(&acct, &id)?;
    render(&CustomerView::from(&c))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let p = &mut params;
    let upd = CustomerUpdate {
        balance: p.patch_i64("balance")?,
        description: p.patch_string("description")?,
        email: p.patch_string("email")?,
        invoice_prefix: invoice_prefix(p)?,
        metadata: p.opt_metadata("metadata")?,
        name: p.patch_string("name")?,
        phone: p.patch_string("phone")?,
        tax_exempt: p.opt_enum("tax_exempt", TAX_EXEMPT)?,
    };
    params.finish()?;
    let c = app.store.update_customer(&acct, &id, upd)?;
    render(&CustomerView::from(&c))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Json<DeletedView>> {
    params.finish()?;
    let d = app.store.delete_customer(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "customer")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    let email = params.opt_string("email")?;
    params.finish()?;
    let page = app.store.list_customers(&acct, &q, email.as_deref())?;
    render(&ListView::of(&page, "/v1/customers", CustomerView::from))
}

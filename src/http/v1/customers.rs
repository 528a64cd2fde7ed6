//! `/v1/customers`: create, retrieve, update, delete, list.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Deserializer, Serialize};
use strum::IntoStaticStr;

use crate::domain::catalog::{Customer, Metadata};
use crate::domain::patch::Patch;
use crate::error::Result;
use crate::http::de::{Metadata as MetadataParam, NoParams, refuse};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::catalog::{CustomerUpdate, NewCustomer};

use super::{DeletedView, ListView};

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

/// `none|exempt|reverse`.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
enum TaxExempt {
    None,
    Exempt,
    Reverse,
}

/// An invoice number prefix: 3–12 uppercase letters or digits.
#[derive(Debug, Clone)]
struct InvoicePrefix(String);

impl<'de> Deserialize<'de> for InvoicePrefix {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = String::deserialize(deserializer)?;
        let valid = (3..=12).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !valid {
            return Err(refuse(
                None,
                None,
                "Invalid invoice_prefix: must be 3–12 uppercase letters or digits.",
            ));
        }
        Ok(InvoicePrefix(v))
    }
}

/// Parameters of `POST /v1/customers` (also read from fixtures).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    balance: Option<i64>,
    description: Option<String>,
    email: Option<String>,
    invoice_prefix: Option<InvoicePrefix>,
    #[serde(default)]
    metadata: MetadataParam,
    name: Option<String>,
    phone: Option<String>,
    tax_exempt: Option<TaxExempt>,
}

impl From<CreateParams> for NewCustomer {
    fn from(p: CreateParams) -> Self {
        NewCustomer {
            id: None,
            balance: p.balance,
            description: p.description,
            email: p.email,
            invoice_prefix: p.invoice_prefix.map(|p| p.0),
            metadata: p.metadata.0,
            name: p.name,
            phone: p.phone,
            tax_exempt: p.tax_exempt.map(Into::into),
        }
    }
}

/// Parameters of `POST /v1/customers/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateParams {
    #[serde(default)]
    balance: Patch<i64>,
    #[serde(default)]
    description: Patch<String>,
    #[serde(default)]
    email: Patch<String>,
    invoice_prefix: Option<InvoicePrefix>,
    #[serde(default)]
    metadata: MetadataParam,
    #[serde(default)]
    name: Patch<String>,
    #[serde(default)]
    phone: Patch<String>,
    tax_exempt: Option<TaxExempt>,
}

impl From<UpdateParams> for CustomerUpdate {
    fn from(p: UpdateParams) -> Self {
        CustomerUpdate {
            balance: p.balance,
            description: p.description,
            email: p.email,
            invoice_prefix: p.invoice_prefix.map(|p| p.0),
            metadata: p.metadata.0,
            name: p.name,
            phone: p.phone,
            tax_exempt: p.tax_exempt.map(Into::into),
        }
    }
}

/// Parameters of `GET /v1/customers`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    email: Option<String>,
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Form(params): V1Form<CreateParams>,
) -> Result<Response> {
    let c = app.store.create_customer(&acct, params.into())?;
    render(&CustomerView::from(&c))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    let c = app.store.customer(&acct, &id)?;
    render(&CustomerView::from(&c))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(params): V1Form<UpdateParams>,
) -> Result<Response> {
    let upd = CustomerUpdate::from(params);
    let c = app.store.update_customer(&acct, &id, upd)?;
    render(&CustomerView::from(&c))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Json<DeletedView>> {
    let d = app.store.delete_customer(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "customer")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1List(q, params): V1List<ListParams>,
) -> Result<Response> {
    let page = app
        .store
        .list_customers(&acct, &q, params.email.as_deref())?;
    render(&ListView::of(&page, "/v1/customers", CustomerView::from))
}

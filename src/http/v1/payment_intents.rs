//! `/v1/payment_intents`: create, retrieve, list (what the billing flows need).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use crate::domain::catalog::{Metadata, PaymentIntent};
use crate::domain::money::MAXIMUM_AMOUNT;
use crate::error::{Error, Result};
use crate::http::extract::{Caller, V1Params};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::catalog::NewPaymentIntent;

use super::prices::req_currency;
use super::{ListView, list_query};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/payment_intents", get(list).post(create))
        .route("/v1/payment_intents/{id}", get(retrieve))
}

/// Payment intent in Stripe's shape (the fields the mock models; the rest `null`).
#[derive(Debug, Serialize)]
pub struct PaymentIntentView<'a> {
    id: &'a str,
    object: &'static str,
    amount: i64,
    amount_capturable: i64,
    amount_received: i64,
    capture_method: &'static str,
    client_secret: &'a str,
    confirmation_method: &'static str,
    created: i64,
    currency: &'a str,
    customer: Option<&'a str>,
    description: Option<&'a str>,
    invoice: Option<()>,
    last_payment_error: Option<()>,
    latest_charge: Option<()>,
    livemode: bool,
    metadata: &'a Metadata,
    payment_method: Option<()>,
    payment_method_types: [&'static str; 1],
    status: &'static str,
}

impl<'a> From<&'a PaymentIntent> for PaymentIntentView<'a> {
    fn from(p: &'a PaymentIntent) -> Self {
        PaymentIntentView {
            id: &p.id,
            object: "payment_intent",
            amount: p.amount,
            amount_capturable: 0,
            amount_received: 0,
            capture_method: "automatic",
            client_secret: &p.client_secret,
            confirmation_method: "automatic",
            created: p.created,
            currency: &p.currency,
            customer: p.customer.as_deref(),
            description: p.description.as_deref(),
            invoice: None,
            last_payment_error: None,
            latest_charge: None,
            livemode: p.livemode,
            metadata: &p.metadata,
            payment_method: None,
            payment_method_types: ["card"],
            status: p.status,
        }
    }
}

/// Reads the parameters of `POST /v1/payment_intents` (also used by fixtures).
///
/// # Errors
/// Invalid parameters.
pub fn new_payment_intent(p: &mut Params) -> Result<NewPaymentIntent> {
    let amount = p.req_i64("amount")?;
    let currency = req_currency(p, "currency")?;
    if amount < crate::domain::money::minimum_charge_amount(&currency) {
        return Err(Error::InvalidRequest {
            code: Some("amount_too_small"),
            message: "Amount must be at least the minimum charge amount for the currency.".into(),
            param: Some("amount".into()),
        });
    }
    if amount > MAXIMUM_AMOUNT {
        return Err(Error::InvalidRequest {
            code: Some("amount_too_large"),
            message: "Amount must be no more than 99999999.".into(),
            param: Some("amount".into()),
        });
    }
    let new = NewPaymentIntent {
        id: None,
        amount,
        currency,
        customer: p.opt_string("customer")?,
        description: p.opt_string("description")?,
        metadata: p.opt_metadata("metadata")?,
    };
    p.opt_string_array("payment_method_types")?;
    Ok(new)
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let new = new_payment_intent(&mut params)?;
    params.finish()?;
    render(&PaymentIntentView::from(
        &app.store.create_payment_intent(&acct, new)?,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    params.opt_string("client_secret")?;
    params.finish()?;
    render(&PaymentIntentView::from(
        &app.store.payment_intent(&acct, &id)?,
    ))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    let customer = params.opt_string("customer")?;
    params.finish()?;
    let page = app
        .store
        .list_payment_intents(&acct, &q, customer.as_deref())?;
    render(&ListView::of(
        &page,
        "/v1/payment_intents",
        PaymentIntentView::from,
    ))
}

//! `/v1/payment_intents`: create, retrieve, list (what the billing flows need).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::domain::catalog::{Metadata, PaymentIntent};
use crate::domain::money::{MAXIMUM_AMOUNT, minimum_charge_amount};
use crate::error::{Error, Result};
use crate::http::de::{Metadata as MetadataParam, describe, refuse};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::catalog::NewPaymentIntent;
use crate::version::{ApiVersion, dates, dates::ymd};

use super::ListView;
use super::params::Currency;

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
    /// Before `2025-03-31.basil` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice: Option<Option<()>>,
    last_payment_error: Option<()>,
    latest_charge: Option<()>,
    livemode: bool,
    metadata: &'a Metadata,
    payment_method: Option<()>,
    payment_method_types: [&'static str; 1],
    status: &'static str,
    /// From `2025-03-31.basil`: the fields the mock does not model, `null`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    unmodelled: Option<Unmodelled>,
}

/// The fields of a payment intent from `2025-03-31.basil` that the mock does not model, as
/// Stripe renders them unset; each is present from the version that has it.
#[derive(Debug, Serialize)]
struct Unmodelled {
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_payment_method_types: Option<Option<()>>,
    application: Option<()>,
    application_fee_amount: Option<()>,
    automatic_payment_methods: Option<()>,
    canceled_at: Option<()>,
    cancellation_reason: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_account: Option<Option<()>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excluded_payment_method_types: Option<Option<()>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    managed_payments: Option<Option<()>>,
    next_action: Option<()>,
    on_behalf_of: Option<()>,
    payment_method_configuration_details: Option<()>,
    payment_method_options: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_record: Option<Option<()>>,
    processing: Option<()>,
    receipt_email: Option<()>,
    review: Option<()>,
    setup_future_usage: Option<()>,
    shipping: Option<()>,
    source: Option<()>,
    statement_descriptor: Option<()>,
    statement_descriptor_suffix: Option<()>,
    transfer_group: Option<()>,
}

impl Unmodelled {
    fn at(version: ApiVersion) -> Option<Self> {
        let since = |date| version.since(date).then_some(None);
        version.since(dates::BASIL).then(|| Unmodelled {
            allowed_payment_method_types: since(ymd(2026, 7, 29)),
            application: None,
            application_fee_amount: None,
            automatic_payment_methods: None,
            canceled_at: None,
            cancellation_reason: None,
            customer_account: since(dates::CUSTOMER_ACCOUNT),
            excluded_payment_method_types: since(ymd(2025, 8, 27)),
            managed_payments: since(ymd(2026, 4, 22)),
            next_action: None,
            on_behalf_of: None,
            payment_method_configuration_details: None,
            payment_method_options: None,
            payment_record: since(dates::ENDIVE),
            processing: None,
            receipt_email: None,
            review: None,
            setup_future_usage: None,
            shipping: None,
            source: None,
            statement_descriptor: None,
            statement_descriptor_suffix: None,
            transfer_group: None,
        })
    }
}

impl<'a> PaymentIntentView<'a> {
    /// `p` at `version`.
    pub fn new(p: &'a PaymentIntent, version: ApiVersion) -> Self {
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
            invoice: (!version.since(dates::BASIL)).then_some(None),
            last_payment_error: None,
            latest_charge: None,
            livemode: p.livemode,
            metadata: &p.metadata,
            payment_method: None,
            payment_method_types: ["card"],
            status: p.status,
            unmodelled: Unmodelled::at(version),
        }
    }
}

/// One of `payment_method_types`: any string, `""` included (accepted and ignored).
#[derive(Debug)]
struct MethodType;

impl<'de> Deserialize<'de> for MethodType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(_) => Ok(MethodType),
            other => Err(refuse(
                None,
                None,
                format_args!(
                    "Invalid {{path}}: expected a string, got {}.",
                    describe(&other)
                ),
            )),
        }
    }
}

/// Parameters of `POST /v1/payment_intents` (also read from fixtures).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    amount: i64,
    currency: Currency,
    customer: Option<String>,
    description: Option<String>,
    #[serde(default)]
    metadata: MetadataParam,
    /// Accepted for SDK compatibility; every payment intent is a card payment.
    #[serde(rename = "payment_method_types")]
    _payment_method_types: Option<Vec<MethodType>>,
}

impl TryFrom<CreateParams> for NewPaymentIntent {
    type Error = Error;

    fn try_from(p: CreateParams) -> Result<Self> {
        let Currency(currency) = p.currency;
        if p.amount < minimum_charge_amount(&currency) {
            return Err(Error::InvalidRequest {
                code: Some("amount_too_small"),
                message: "Amount must be at least the minimum charge amount for the currency."
                    .into(),
                param: Some("amount".into()),
            });
        }
        if p.amount > MAXIMUM_AMOUNT {
            return Err(Error::InvalidRequest {
                code: Some("amount_too_large"),
                message: "Amount must be no more than 99999999.".into(),
                param: Some("amount".into()),
            });
        }
        Ok(NewPaymentIntent {
            id: None,
            amount: p.amount,
            currency,
            customer: p.customer,
            description: p.description,
            metadata: p.metadata.0,
        })
    }
}

/// Parameters of `GET /v1/payment_intents/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetrieveParams {
    /// Accepted (what a publishable-key caller sends); the secret key reads any intent.
    #[serde(rename = "client_secret")]
    _client_secret: Option<String>,
}

/// Parameters of `GET /v1/payment_intents`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    customer: Option<String>,
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1Form(params): V1Form<CreateParams>,
) -> Result<Response> {
    let new = NewPaymentIntent::try_from(params)?;
    render(&PaymentIntentView::new(
        &app.store.create_payment_intent(&acct, new)?,
        version,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(RetrieveParams { .. }): V1Form<RetrieveParams>,
) -> Result<Response> {
    render(&PaymentIntentView::new(
        &app.store.payment_intent(&acct, &id)?,
        version,
    ))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1List(q, params): V1List<ListParams>,
) -> Result<Response> {
    let page = app
        .store
        .list_payment_intents(&acct, &q, params.customer.as_deref())?;
    render(&ListView::of(&page, "/v1/payment_intents", |p| {
        PaymentIntentView::new(p, version)
    }))
}

//! `/v1/payment_records`: `report_payment` and retrieve, minimal: enough for a billing intent's
//! commit to name a payment record (`payment_record`, 2025-07-30.preview).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Deserializer, Serialize};
use strum::IntoStaticStr;

use crate::domain::catalog::Metadata;
use crate::domain::payment_record::{
    CustomerDetails, Outcome, PaymentMethodDetails, PaymentRecord,
};
use crate::error::Result;
use crate::http::de::{Metadata as MetadataParam, NoParams, refuse};
use crate::http::extract::{Caller, V1Form};
use crate::http::{AppState, render};
use crate::store::payment_records::NewPaymentRecord;

use super::params::{Currency, required};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/payment_records/report_payment", post(report_payment))
        .route("/v1/payment_records/{id}", get(retrieve))
}

#[derive(Debug, Serialize)]
struct MoneyView<'a> {
    currency: &'a str,
    value: i64,
}

#[derive(Debug, Serialize)]
struct CustomerDetailsView<'a> {
    customer: Option<&'a str>,
    email: Option<&'a str>,
    name: Option<&'a str>,
    phone: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct AddressView {
    city: Option<()>,
    country: Option<()>,
    line1: Option<()>,
    line2: Option<()>,
    postal_code: Option<()>,
    state: Option<()>,
}

const NO_ADDRESS: AddressView = AddressView {
    city: None,
    country: None,
    line1: None,
    line2: None,
    postal_code: None,
    state: None,
};

#[derive(Debug, Serialize)]
struct BillingDetailsView {
    address: AddressView,
    email: Option<()>,
    name: Option<()>,
    phone: Option<()>,
}

#[derive(Debug, Serialize)]
struct PaymentMethodDetailsView<'a> {
    billing_details: BillingDetailsView,
    payment_method: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Debug, Serialize)]
struct CustomProcessorView<'a> {
    payment_reference: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct ProcessorDetailsView<'a> {
    custom: CustomProcessorView<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct ShippingDetailsView {
    address: AddressView,
    name: Option<()>,
    phone: Option<()>,
}

/// Payment record in Stripe's shape (the fixture's key set).
#[derive(Debug, Serialize)]
pub struct PaymentRecordView<'a> {
    amount: MoneyView<'a>,
    amount_authorized: MoneyView<'a>,
    amount_canceled: MoneyView<'a>,
    amount_failed: MoneyView<'a>,
    amount_guaranteed: MoneyView<'a>,
    amount_refunded: MoneyView<'a>,
    amount_requested: MoneyView<'a>,
    application: Option<()>,
    created: i64,
    customer_details: CustomerDetailsView<'a>,
    customer_presence: Option<&'static str>,
    description: Option<&'a str>,
    id: &'a str,
    latest_payment_attempt_record: Option<()>,
    livemode: bool,
    metadata: &'a Metadata,
    object: &'static str,
    payment_method_details: PaymentMethodDetailsView<'a>,
    processor_details: ProcessorDetailsView<'a>,
    reported_by: &'static str,
    shipping_details: ShippingDetailsView,
}

impl<'a> From<&'a PaymentRecord> for PaymentRecordView<'a> {
    fn from(r: &'a PaymentRecord) -> Self {
        let a = r.amounts();
        let money = |value: i64| MoneyView {
            currency: &r.currency,
            value,
        };
        let c = &r.customer_details;
        PaymentRecordView {
            amount: money(a.amount),
            amount_authorized: money(a.authorized),
            amount_canceled: money(a.canceled),
            amount_failed: money(a.failed),
            amount_guaranteed: money(a.guaranteed),
            amount_refunded: money(a.refunded),
            amount_requested: money(a.requested),
            application: None,
            created: r.created,
            customer_details: CustomerDetailsView {
                customer: c.customer.as_deref(),
                email: c.email.as_deref(),
                name: c.name.as_deref(),
                phone: c.phone.as_deref(),
            },
            customer_presence: r.customer_presence,
            description: r.description.as_deref(),
            id: &r.id,
            latest_payment_attempt_record: None,
            livemode: r.livemode,
            metadata: &r.metadata,
            object: "payment_record",
            payment_method_details: PaymentMethodDetailsView {
                billing_details: BillingDetailsView {
                    address: NO_ADDRESS,
                    email: None,
                    name: None,
                    phone: None,
                },
                payment_method: r.payment_method_details.payment_method.as_deref(),
                kind: r.payment_method_details.kind.as_deref().unwrap_or("custom"),
            },
            processor_details: ProcessorDetailsView {
                custom: CustomProcessorView {
                    payment_reference: r.payment_reference.as_deref(),
                },
                kind: "custom",
            },
            // The caller reported it, as opposed to a payment Stripe processed.
            reported_by: "self",
            shipping_details: ShippingDetailsView {
                address: NO_ADDRESS,
                name: None,
                phone: None,
            },
        }
    }
}

/// `amount_requested`: the currency and a positive value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AmountRequested {
    currency: Currency,
    value: Positive,
}

/// A positive integer.
#[derive(Debug, Clone, Copy)]
struct Positive(i64);

impl<'de> Deserialize<'de> for Positive {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match i64::deserialize(deserializer)? {
            v if v > 0 => Ok(Positive(v)),
            _ => Err(refuse(
                None,
                None,
                "Invalid {key}: must be a positive integer.",
            )),
        }
    }
}

/// `payment_method_details`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodDetails {
    #[serde(rename = "type")]
    kind: Option<String>,
    payment_method: Option<String>,
    /// Accepted; the record shows the `type` only.
    #[serde(rename = "custom")]
    _custom: Option<CustomMethod>,
}

/// `payment_method_details[custom]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomMethod {
    #[serde(rename = "display_name")]
    _display_name: Option<String>,
    #[serde(rename = "type")]
    _type: Option<String>,
}

/// `customer_details`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerDetailsParams {
    customer: Option<String>,
    email: Option<String>,
    name: Option<String>,
    phone: Option<String>,
}

/// `outcome`: `canceled|failed|guaranteed`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeParam {
    Canceled,
    Failed,
    Guaranteed,
}

impl From<OutcomeParam> for Outcome {
    fn from(o: OutcomeParam) -> Self {
        match o {
            OutcomeParam::Canceled => Outcome::Canceled,
            OutcomeParam::Failed => Outcome::Failed,
            OutcomeParam::Guaranteed => Outcome::Guaranteed,
        }
    }
}

/// `guaranteed` (accepted; the record keeps no times).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Guaranteed {
    #[serde(rename = "guaranteed_at")]
    _guaranteed_at: i64,
}

/// `failed` (accepted; the record keeps no times).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Failed {
    #[serde(rename = "failure_code")]
    _failure_code: Option<String>,
    #[serde(rename = "failed_at")]
    _failed_at: i64,
}

/// `canceled` (accepted; the record keeps no times).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Canceled {
    #[serde(rename = "reason")]
    _reason: Option<String>,
    #[serde(rename = "canceled_at")]
    _canceled_at: i64,
}

/// `off_session|on_session`.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
enum CustomerPresence {
    OffSession,
    OnSession,
}

/// `custom`, the only processor a reported payment names.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ProcessorType {
    Custom,
}

/// `processor_details`: `type` is required (`""` reads as missing), `custom` optional.
#[derive(Debug)]
struct ProcessorDetails {
    payment_reference: Option<String>,
}

/// [`ProcessorDetails`] as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProcessorFields {
    #[serde(rename = "type")]
    kind: Option<ProcessorType>,
    custom: Option<CustomProcessor>,
}

/// `processor_details[custom]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomProcessor {
    payment_reference: String,
}

impl<'de> Deserialize<'de> for ProcessorDetails {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = ProcessorFields::deserialize(deserializer)?;
        let ProcessorType::Custom = required(fields.kind, "type")?;
        Ok(ProcessorDetails {
            payment_reference: fields.custom.map(|c| c.payment_reference),
        })
    }
}

/// Parameters of `POST /v1/payment_records/report_payment`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportParams {
    amount_requested: AmountRequested,
    initiated_at: i64,
    payment_method_details: MethodDetails,
    customer_details: Option<CustomerDetailsParams>,
    outcome: Option<OutcomeParam>,
    #[serde(rename = "guaranteed")]
    _guaranteed: Option<Guaranteed>,
    #[serde(rename = "failed")]
    _failed: Option<Failed>,
    #[serde(rename = "canceled")]
    _canceled: Option<Canceled>,
    customer_presence: Option<CustomerPresence>,
    description: Option<String>,
    #[serde(default)]
    metadata: MetadataParam,
    processor_details: Option<ProcessorDetails>,
}

impl From<ReportParams> for NewPaymentRecord {
    fn from(p: ReportParams) -> Self {
        let customer_details = p
            .customer_details
            .map(|c| CustomerDetails {
                customer: c.customer,
                email: c.email,
                name: c.name,
                phone: c.phone,
            })
            .unwrap_or_default();
        NewPaymentRecord {
            currency: p.amount_requested.currency.0,
            amount_requested: p.amount_requested.value.0,
            initiated_at: p.initiated_at,
            outcome: p.outcome.map(Into::into),
            customer_details,
            customer_presence: p.customer_presence.map(Into::into),
            description: p.description,
            metadata: p.metadata.0,
            payment_method_details: PaymentMethodDetails {
                kind: p.payment_method_details.kind,
                payment_method: p.payment_method_details.payment_method,
            },
            payment_reference: p.processor_details.and_then(|d| d.payment_reference),
        }
    }
}

async fn report_payment(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Form(params): V1Form<ReportParams>,
) -> Result<Response> {
    render(&PaymentRecordView::from(
        &app.store.report_payment(&acct, params.into())?,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    render(&PaymentRecordView::from(
        &app.store.payment_record(&acct, &id)?,
    ))
}

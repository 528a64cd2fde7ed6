//! `/v1/payment_records`: `report_payment` and retrieve, minimal: enough for a billing intent's
//! commit to name a payment record (`payment_record`, 2025-07-30.preview).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;

use crate::domain::catalog::Metadata;
use crate::domain::payment_record::{
    CustomerDetails, Outcome, PaymentMethodDetails, PaymentRecord,
};
use crate::error::Result;
use crate::http::extract::{Caller, V1Params};
use crate::http::params::{Params, enum_error};
use crate::http::{AppState, render};
use crate::store::payment_records::NewPaymentRecord;

use super::prices::req_currency;

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

/// Reads `outcome` and the matching `guaranteed[guaranteed_at]` / `failed[failed_at]` /
/// `canceled[canceled_at]` objects.
fn read_outcome(p: &mut Params) -> Result<Option<Outcome>> {
    let path = p.path_of("outcome");
    let outcome = match p.opt_enum("outcome", Outcome::NAMES)? {
        None => None,
        Some(name) => {
            Some(Outcome::from_name(name).ok_or_else(|| enum_error(path, name, Outcome::NAMES))?)
        }
    };
    p.opt_object("guaranteed", |g| g.req_i64("guaranteed_at"))?;
    p.opt_object("failed", |f| {
        f.opt_string("failure_code")?;
        f.req_i64("failed_at")
    })?;
    p.opt_object("canceled", |c| {
        c.opt_string("reason")?;
        c.req_i64("canceled_at")
    })?;
    Ok(outcome)
}

async fn report_payment(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let p = &mut params;
    let (currency, amount_requested) = p.req_object("amount_requested", |a| {
        let currency = req_currency(a, "currency")?;
        let value_path = a.path_of("value");
        let value = a.req_i64("value")?;
        if value <= 0 {
            return Err(crate::error::Error::param_invalid(
                value_path,
                None,
                "Invalid value: must be a positive integer.",
            ));
        }
        Ok((currency, value))
    })?;
    let initiated_at = p.req_i64("initiated_at")?;
    let payment_method_details = p.req_object("payment_method_details", |d| {
        let details = PaymentMethodDetails {
            kind: d.opt_string("type")?,
            payment_method: d.opt_string("payment_method")?,
        };
        d.opt_object("custom", |c| {
            c.opt_string("display_name")?;
            c.opt_string("type")
        })?;
        Ok(details)
    })?;
    let customer_details = p
        .opt_object("customer_details", |c| {
            Ok(CustomerDetails {
                customer: c.opt_string("customer")?,
                email: c.opt_string("email")?,
                name: c.opt_string("name")?,
                phone: c.opt_string("phone")?,
            })
        })?
        .unwrap_or_default();
    let new = NewPaymentRecord {
        currency,
        amount_requested,
        initiated_at,
        outcome: read_outcome(p)?,
        customer_details,
        customer_presence: p.opt_enum("customer_presence", &["off_session", "on_session"])?,
        description: p.opt_string("description")?,
        metadata: p.opt_metadata("metadata")?,
        payment_method_details,
        payment_reference: p
            .opt_object("processor_details", |d| {
                d.req_enum("type", &["custom"])?;
                d.opt_object("custom", |c| c.req_string("payment_reference"))
            })?
            .flatten(),
    };
    params.finish()?;
    render(&PaymentRecordView::from(
        &app.store.report_payment(&acct, new)?,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    render(&PaymentRecordView::from(
        &app.store.payment_record(&acct, &id)?,
    ))
}

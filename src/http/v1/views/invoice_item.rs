//! The v1 invoice item body, and the period shape items and lines share.

use std::sync::Arc;

use serde::Serialize;

use crate::domain::catalog::Metadata;
use crate::domain::invoice::{InvoiceItem, Period};
use crate::http::v1::DecimalString;

use super::price::PriceView;

/// A period in Stripe's key order (`end` before `start`).
#[derive(Debug, Serialize)]
pub struct PeriodView {
    end: i64,
    start: i64,
}

impl From<Period> for PeriodView {
    fn from(p: Period) -> Self {
        PeriodView {
            end: p.end,
            start: p.start,
        }
    }
}

/// Invoice item in the legacy (seed) shape.
#[derive(Debug, Serialize)]
pub struct InvoiceItemView<'a> {
    id: &'a str,
    object: &'static str,
    amount: i64,
    currency: &'a str,
    customer: &'a str,
    date: i64,
    description: Option<&'a str>,
    discountable: bool,
    discounts: Vec<&'a str>,
    invoice: Option<&'a str>,
    livemode: bool,
    metadata: &'a Metadata,
    period: PeriodView,
    price: PriceView<'a>,
    proration: bool,
    quantity: i64,
    subscription: Option<&'a str>,
    tax_rates: [(); 0],
    test_clock: Option<()>,
    unit_amount: i64,
    unit_amount_decimal: DecimalString,
}

impl<'a> From<&'a Arc<InvoiceItem>> for InvoiceItemView<'a> {
    fn from(item: &'a Arc<InvoiceItem>) -> Self {
        InvoiceItemView::from(&**item)
    }
}

impl<'a> From<&'a InvoiceItem> for InvoiceItemView<'a> {
    fn from(i: &'a InvoiceItem) -> Self {
        InvoiceItemView {
            id: &i.id,
            object: "invoiceitem",
            amount: i.amount,
            currency: &i.currency,
            customer: &i.customer,
            date: i.date,
            description: i.description.as_deref(),
            discountable: i.discountable,
            discounts: i.discounts.iter().map(|d| d.id.as_str()).collect(),
            invoice: i.invoice.as_deref(),
            livemode: i.livemode,
            metadata: &i.metadata,
            period: i.period.into(),
            price: PriceView::from(&*i.price),
            proration: i.proration,
            quantity: i.quantity,
            subscription: i.subscription.as_deref(),
            tax_rates: [],
            test_clock: None,
            unit_amount: i.unit_amount,
            unit_amount_decimal: DecimalString(i.unit_amount),
        }
    }
}

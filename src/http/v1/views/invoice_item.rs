//! The v1 invoice item body, and the period shape items and lines share.

use std::sync::Arc;

use serde::Serialize;

use crate::domain::catalog::Metadata;
use crate::domain::invoice::{InvoiceItem, Period};
use crate::http::v1::{DecimalString, DecimalView};
use crate::version::{ApiVersion, dates};

use super::line_item::PricingView;
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

/// An invoice item in the shape of its version: legacy before `2025-03-31.basil` (`price`
/// embedded, `unit_amount`, `subscription`), from it on `pricing` and `parent`; with
/// `customer_account` from `2025-12-15.clover` and `quantity_decimal` from
/// `2026-03-25.dahlia`.
/// One struct for every version, keys in Stripe's (alphabetical) order; a field a version
/// does not have is `None` and left out.
#[derive(Debug, Serialize)]
pub struct InvoiceItemView<'a> {
    id: &'a str,
    object: &'static str,
    amount: i64,
    currency: &'a str,
    customer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_account: Option<Option<()>>,
    date: i64,
    description: Option<&'a str>,
    discountable: bool,
    discounts: Vec<&'a str>,
    invoice: Option<&'a str>,
    livemode: bool,
    metadata: &'a Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<Option<ItemParent<'a>>>,
    period: PeriodView,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<PriceView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pricing: Option<PricingView<'a>>,
    proration: bool,
    quantity: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity_decimal: Option<DecimalView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription: Option<Option<&'a str>>,
    tax_rates: [(); 0],
    test_clock: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit_amount_decimal: Option<DecimalString>,
}

/// `parent` of an invoice item made by a subscription.
#[derive(Debug, Serialize)]
struct ItemParent<'a> {
    subscription_details: SubscriptionDetails<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct SubscriptionDetails<'a> {
    subscription: &'a str,
}

impl<'a> InvoiceItemView<'a> {
    /// `item` at `version`.
    pub fn new(i: &'a Arc<InvoiceItem>, version: ApiVersion) -> Self {
        let legacy = !version.since(dates::BASIL);
        InvoiceItemView {
            id: &i.id,
            object: "invoiceitem",
            amount: i.amount,
            currency: &i.currency,
            customer: &i.customer,
            customer_account: version.since(dates::CUSTOMER_ACCOUNT).then_some(None),
            date: i.date,
            description: i.description.as_deref(),
            discountable: i.discountable,
            discounts: i.discounts.iter().map(|d| d.id.as_str()).collect(),
            invoice: i.invoice.as_deref(),
            livemode: i.livemode,
            metadata: &i.metadata,
            parent: (!legacy).then(|| {
                i.subscription.as_deref().map(|subscription| ItemParent {
                    subscription_details: SubscriptionDetails { subscription },
                    kind: "subscription_details",
                })
            }),
            period: i.period.into(),
            price: legacy.then(|| PriceView::from(&*i.price)),
            pricing: (!legacy).then(|| PricingView::new(&i.price, i.unit_amount)),
            proration: i.proration,
            // `quantity` is the decimal quantity truncated to an integer, as on Stripe.
            quantity: i.quantity.trunc(),
            quantity_decimal: version
                .since(dates::DAHLIA)
                .then_some(DecimalView(i.quantity)),
            subscription: legacy.then_some(i.subscription.as_deref()),
            tax_rates: [],
            test_clock: None,
            unit_amount: legacy.then_some(i.unit_amount),
            unit_amount_decimal: legacy.then_some(DecimalString(i.unit_amount)),
        }
    }
}

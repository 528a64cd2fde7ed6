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
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum InvoiceItemView<'a> {
    /// Before `2025-03-31.basil`.
    Legacy(LegacyInvoiceItem<'a>),
    /// From `2025-03-31.basil`.
    Priced(PricedInvoiceItem<'a>),
}

/// Invoice item in the legacy (seed) shape.
#[derive(Debug, Serialize)]
pub struct LegacyInvoiceItem<'a> {
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

/// Invoice item from `2025-03-31.basil` on, keys in Stripe's (alphabetical) order.
#[derive(Debug, Serialize)]
pub struct PricedInvoiceItem<'a> {
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
    parent: Option<ItemParent<'a>>,
    period: PeriodView,
    pricing: PricingView<'a>,
    proration: bool,
    quantity: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity_decimal: Option<DecimalView>,
    tax_rates: [(); 0],
    test_clock: Option<()>,
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
        let discounts = i.discounts.iter().map(|d| d.id.as_str()).collect();
        if !version.since(dates::BASIL) {
            return InvoiceItemView::Legacy(LegacyInvoiceItem {
                id: &i.id,
                object: "invoiceitem",
                amount: i.amount,
                currency: &i.currency,
                customer: &i.customer,
                date: i.date,
                description: i.description.as_deref(),
                discountable: i.discountable,
                discounts,
                invoice: i.invoice.as_deref(),
                livemode: i.livemode,
                metadata: &i.metadata,
                period: i.period.into(),
                price: PriceView::from(&*i.price),
                proration: i.proration,
                quantity: i.quantity.trunc(),
                subscription: i.subscription.as_deref(),
                tax_rates: [],
                test_clock: None,
                unit_amount: i.unit_amount,
                unit_amount_decimal: DecimalString(i.unit_amount),
            });
        }
        InvoiceItemView::Priced(PricedInvoiceItem {
            id: &i.id,
            object: "invoiceitem",
            amount: i.amount,
            currency: &i.currency,
            customer: &i.customer,
            customer_account: version.since(dates::CUSTOMER_ACCOUNT).then_some(None),
            date: i.date,
            description: i.description.as_deref(),
            discountable: i.discountable,
            discounts,
            invoice: i.invoice.as_deref(),
            livemode: i.livemode,
            metadata: &i.metadata,
            parent: i.subscription.as_deref().map(|subscription| ItemParent {
                subscription_details: SubscriptionDetails { subscription },
                kind: "subscription_details",
            }),
            period: i.period.into(),
            pricing: PricingView::new(&i.price, i.unit_amount),
            proration: i.proration,
            // `quantity` is the decimal quantity truncated to an integer, as on Stripe.
            quantity: i.quantity.trunc(),
            quantity_decimal: version
                .since(dates::DAHLIA)
                .then_some(DecimalView(i.quantity)),
            tax_rates: [],
            test_clock: None,
        })
    }
}

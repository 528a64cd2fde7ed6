//! The v1 line item body in the shape of the request's API version, and a page of lines as a
//! v1 list.
//!
//! | versions | shape |
//! |---|---|
//! | before `2025-03-31.basil` | legacy: `price` (embedded), `type`, `proration`, `invoice_item`, `tax_amounts`, … |
//! | from `2025-03-31.basil` | `parent` (`invoice_item_details` / `subscription_item_details`), `pricing` (`price_details`), `taxes`, `pretax_credit_amounts`, `invoice` |
//! | from `2025-12-15.clover` | and `subtotal` |
//! | from `2026-03-25.dahlia` | and `quantity_decimal` |

use serde::Serialize;

use crate::domain::catalog::Metadata;
use crate::domain::invoice::LineKind;
use crate::http::v1::{DecimalString, DecimalView, ListView};
use crate::store::invoicing::{LinePage, PricedLine};
use crate::version::{ApiVersion, dates};

use super::discount::DiscountAmountView;
use super::invoice_item::PeriodView;
use super::price::PriceView;
use super::tax::{LegacyTaxAmountView, TaxView};

/// `proration_details` of a line that credits nothing.
#[derive(Debug, Serialize)]
pub struct ProrationDetails {
    credited_items: Option<()>,
}

/// Nothing is credited.
pub const NO_PRORATION_CREDIT: ProrationDetails = ProrationDetails {
    credited_items: None,
};

/// A line item in the shape of its version.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum LineItemView<'a> {
    /// Before `2025-03-31.basil`.
    Legacy(LegacyLineItem<'a>),
    /// From `2025-03-31.basil`.
    Priced(PricedLineItem<'a>),
}

/// Line item in the legacy (seed) shape: `price`, `type`, `proration`, `invoice_item`, …
#[derive(Debug, Serialize)]
pub struct LegacyLineItem<'a> {
    id: &'a str,
    object: &'static str,
    amount: i64,
    amount_excluding_tax: i64,
    currency: &'a str,
    description: Option<&'a str>,
    discount_amounts: Vec<DiscountAmountView<'a>>,
    discountable: bool,
    discounts: Vec<&'a str>,
    invoice_item: Option<&'a str>,
    livemode: bool,
    metadata: &'a Metadata,
    period: PeriodView,
    price: PriceView<'a>,
    proration: bool,
    proration_details: ProrationDetails,
    quantity: i64,
    subscription: Option<&'a str>,
    tax_amounts: Vec<LegacyTaxAmountView<'a>>,
    /// Always empty: the only tax rates are the archived ones made from `tax_amounts`, which
    /// "do not appear in the line item's `tax_rates`".
    tax_rates: [(); 0],
    #[serde(rename = "type")]
    kind: &'static str,
    unit_amount_excluding_tax: DecimalView,
}

/// Line item from `2025-03-31.basil` on, keys in Stripe's (alphabetical) order.
#[derive(Debug, Serialize)]
pub struct PricedLineItem<'a> {
    id: &'a str,
    object: &'static str,
    amount: i64,
    currency: &'a str,
    description: Option<&'a str>,
    discount_amounts: Vec<DiscountAmountView<'a>>,
    discountable: bool,
    discounts: Vec<&'a str>,
    invoice: Option<&'a str>,
    livemode: bool,
    metadata: &'a Metadata,
    parent: LineParent<'a>,
    period: PeriodView,
    pretax_credit_amounts: [(); 0],
    pricing: PricingView<'a>,
    quantity: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity_decimal: Option<DecimalView>,
    subscription: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subtotal: Option<i64>,
    taxes: Vec<TaxView<'a>>,
}

/// `parent` of a line: the invoice item or subscription item it comes from.
#[derive(Debug, Serialize)]
struct LineParent<'a> {
    invoice_item_details: Option<InvoiceItemDetails<'a>>,
    subscription_item_details: Option<SubscriptionItemDetails<'a>>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct InvoiceItemDetails<'a> {
    invoice_item: &'a str,
    proration: bool,
    proration_details: ProrationDetails,
    subscription: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct SubscriptionItemDetails<'a> {
    invoice_item: Option<&'a str>,
    proration: bool,
    proration_details: ProrationDetails,
    subscription: Option<&'a str>,
    subscription_item: String,
}

/// `pricing` of a line or an invoice item (from `2025-03-31.basil`).
#[derive(Debug, Serialize)]
pub struct PricingView<'a> {
    price_details: PriceDetails<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
    unit_amount_decimal: DecimalString,
}

#[derive(Debug, Serialize)]
struct PriceDetails<'a> {
    price: &'a str,
    product: &'a str,
}

impl<'a> PricingView<'a> {
    /// Priced by `price` at `unit_amount`.
    pub fn new(price: &'a crate::domain::catalog::Price, unit_amount: i64) -> Self {
        PricingView {
            price_details: PriceDetails {
                price: &price.id,
                product: &price.product,
            },
            kind: "price_details",
            unit_amount_decimal: DecimalString(unit_amount),
        }
    }
}

impl<'a> LineItemView<'a> {
    /// `p`, a line of the invoice `invoice` (`None` for the upcoming invoice), at `version`.
    pub fn new(p: &'a PricedLine, invoice: Option<&'a str>, version: ApiVersion) -> Self {
        let l = p.line.fields();
        let discount_amounts = p.discount_amounts.iter().map(Into::into).collect();
        let discounts = l.discounts.iter().map(|d| d.id.as_str()).collect();
        if !version.since(dates::BASIL) {
            return LineItemView::Legacy(LegacyLineItem {
                id: l.id,
                object: "line_item",
                amount: l.amount,
                amount_excluding_tax: p.excluding_tax.amount,
                currency: l.currency,
                description: l.description,
                discount_amounts,
                discountable: l.discountable,
                discounts,
                invoice_item: l.invoice_item,
                livemode: l.livemode,
                metadata: l.metadata,
                period: l.period.into(),
                price: PriceView::from(l.price),
                proration: l.proration,
                proration_details: NO_PRORATION_CREDIT,
                // A decimal quantity's integer part, as Stripe fills `quantity` from it.
                quantity: l.quantity.trunc(),
                subscription: l.subscription,
                tax_amounts: l.taxes.iter().map(Into::into).collect(),
                tax_rates: [],
                kind: l.kind.as_str(),
                unit_amount_excluding_tax: DecimalView(p.excluding_tax.unit_amount),
            });
        }
        let parent = match (l.kind, l.invoice_item) {
            (LineKind::InvoiceItem, Some(item)) => LineParent {
                invoice_item_details: Some(InvoiceItemDetails {
                    invoice_item: item,
                    proration: l.proration,
                    proration_details: NO_PRORATION_CREDIT,
                    subscription: l.subscription,
                }),
                subscription_item_details: None,
                kind: "invoice_item_details",
            },
            _ => LineParent {
                invoice_item_details: None,
                subscription_item_details: Some(SubscriptionItemDetails {
                    invoice_item: l.invoice_item,
                    proration: l.proration,
                    proration_details: NO_PRORATION_CREDIT,
                    subscription: l.subscription,
                    // The subscription items of a preview do not exist yet: named after the
                    // line, as the preview's lines are (`il_tmp_…` → `si_tmp_…`).
                    subscription_item: format!("si_{}", l.id.strip_prefix("il_").unwrap_or(l.id)),
                }),
                kind: "subscription_item_details",
            },
        };
        LineItemView::Priced(PricedLineItem {
            id: l.id,
            object: "line_item",
            amount: l.amount,
            currency: l.currency,
            description: l.description,
            discount_amounts,
            discountable: l.discountable,
            discounts,
            invoice,
            livemode: l.livemode,
            metadata: l.metadata,
            parent,
            period: l.period.into(),
            pretax_credit_amounts: [],
            pricing: PricingView::new(l.price, l.unit_amount),
            // "If you set `quantity_decimal`, it automatically sets the `quantity` to the same
            // value, truncated to an integer" (Stripe changelog, 2026-03-25.dahlia).
            quantity: l.quantity.trunc(),
            quantity_decimal: version
                .since(dates::DAHLIA)
                .then_some(DecimalView(l.quantity)),
            subscription: l.subscription,
            subtotal: version.since(dates::LINE_SUBTOTAL).then_some(l.amount),
            taxes: l.taxes.iter().map(Into::into).collect(),
        })
    }
}

/// A page of the lines of `invoice` (`None`: the upcoming invoice) as a v1 list at `url`.
pub fn line_list<'a>(
    page: &'a LinePage,
    url: String,
    invoice: Option<&'a str>,
    version: ApiVersion,
) -> ListView<LineItemView<'a>> {
    ListView {
        object: "list",
        data: page
            .data
            .iter()
            .map(|line| LineItemView::new(line, invoice, version))
            .collect(),
        has_more: page.has_more,
        url,
    }
}

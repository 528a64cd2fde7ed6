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
use crate::domain::invoice::{LineFields, LineKind};
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

/// A line item in the shape of its version: one struct for every version, keys in Stripe's
/// (alphabetical) order; a field a version does not have is `None` and left out.
#[derive(Debug, Serialize)]
pub struct LineItemView<'a> {
    id: &'a str,
    object: &'static str,
    amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_excluding_tax: Option<i64>,
    currency: &'a str,
    description: Option<&'a str>,
    discount_amounts: Vec<DiscountAmountView<'a>>,
    discountable: bool,
    discounts: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_item: Option<Option<&'a str>>,
    livemode: bool,
    metadata: &'a Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<LineParent<'a>>,
    period: PeriodView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pretax_credit_amounts: Option<[(); 0]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<PriceView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pricing: Option<PricingView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proration: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proration_details: Option<ProrationDetails>,
    quantity: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity_decimal: Option<DecimalView>,
    subscription: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subtotal: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_amounts: Option<Vec<LegacyTaxAmountView<'a>>>,
    /// Always empty: the only tax rates are the archived ones made from `tax_amounts`, which
    /// "do not appear in the line item's `tax_rates`".
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_rates: Option<[(); 0]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    taxes: Option<Vec<TaxView<'a>>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit_amount_excluding_tax: Option<DecimalView>,
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
        let legacy = !version.since(dates::BASIL);
        LineItemView {
            id: l.id,
            object: "line_item",
            amount: l.amount,
            amount_excluding_tax: legacy.then_some(p.excluding_tax.amount),
            currency: l.currency,
            description: l.description,
            discount_amounts: p.discount_amounts.iter().map(Into::into).collect(),
            discountable: l.discountable,
            discounts: l.discounts.iter().map(|d| d.id.as_str()).collect(),
            invoice: (!legacy).then_some(invoice),
            invoice_item: legacy.then_some(l.invoice_item),
            livemode: l.livemode,
            metadata: l.metadata,
            parent: (!legacy).then(|| LineParent::of(&l)),
            period: l.period.into(),
            pretax_credit_amounts: (!legacy).then_some([]),
            price: legacy.then(|| PriceView::from(l.price)),
            pricing: (!legacy).then(|| PricingView::new(l.price, l.unit_amount)),
            proration: legacy.then_some(l.proration),
            proration_details: legacy.then_some(NO_PRORATION_CREDIT),
            // "If you set `quantity_decimal`, it automatically sets the `quantity` to the same
            // value, truncated to an integer" (Stripe changelog, 2026-03-25.dahlia).
            quantity: l.quantity.trunc(),
            quantity_decimal: version
                .since(dates::DAHLIA)
                .then_some(DecimalView(l.quantity)),
            subscription: l.subscription,
            subtotal: version.since(dates::LINE_SUBTOTAL).then_some(l.amount),
            tax_amounts: legacy.then(|| l.taxes.iter().map(Into::into).collect()),
            tax_rates: legacy.then_some([]),
            taxes: (!legacy).then(|| l.taxes.iter().map(Into::into).collect()),
            kind: legacy.then_some(l.kind.as_str()),
            unit_amount_excluding_tax: legacy.then_some(DecimalView(p.excluding_tax.unit_amount)),
        }
    }
}

impl<'a> LineParent<'a> {
    /// The invoice item or subscription item line `l` comes from.
    fn of(l: &LineFields<'a>) -> Self {
        match (l.kind, l.invoice_item) {
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
        }
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

//! The v1 line item body (legacy shape), and a page of lines as a v1 list.

use serde::Serialize;

use crate::domain::catalog::Metadata;
use crate::http::v1::{DecimalString, ListView};
use crate::store::invoicing::{LinePage, PricedLine};

use super::discount::DiscountAmountView;
use super::invoice_item::PeriodView;
use super::price::PriceView;

#[derive(Debug, Serialize)]
struct ProrationDetails {
    credited_items: Option<()>,
}

/// Line item in the legacy (seed) shape: `price`, `type`, `proration`, `invoice_item`, …
#[derive(Debug, Serialize)]
pub struct LineItemView<'a> {
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
    tax_amounts: [(); 0],
    tax_rates: [(); 0],
    #[serde(rename = "type")]
    kind: &'static str,
    unit_amount_excluding_tax: DecimalString,
}

impl<'a> From<&'a PricedLine> for LineItemView<'a> {
    fn from(p: &'a PricedLine) -> Self {
        let l = p.line.fields();
        LineItemView {
            id: l.id,
            object: "line_item",
            amount: l.amount,
            // No tax is modelled, so nothing is excluded.
            amount_excluding_tax: l.amount,
            currency: l.currency,
            description: l.description,
            discount_amounts: p.discount_amounts.iter().map(Into::into).collect(),
            discountable: l.discountable,
            discounts: l.discounts.iter().map(|d| d.id.as_str()).collect(),
            invoice_item: l.invoice_item,
            livemode: l.livemode,
            metadata: l.metadata,
            period: l.period.into(),
            price: PriceView::from(l.price),
            proration: l.proration,
            proration_details: ProrationDetails {
                credited_items: None,
            },
            quantity: l.quantity,
            subscription: l.subscription,
            tax_amounts: [],
            tax_rates: [],
            kind: l.kind.as_str(),
            unit_amount_excluding_tax: DecimalString(l.unit_amount),
        }
    }
}

/// A page of lines as a v1 list at `url`.
pub fn line_list(page: &LinePage, url: String) -> ListView<LineItemView<'_>> {
    ListView {
        object: "list",
        data: page.data.iter().map(LineItemView::from).collect(),
        has_more: page.has_more,
        url,
    }
}

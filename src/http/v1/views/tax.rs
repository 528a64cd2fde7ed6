//! Tax amounts in the shape of the request's version: a legacy line's `tax_amounts[]` and
//! invoice's `total_tax_amounts[]` before `2025-03-31.basil`, `taxes[]` and `total_taxes[]`
//! from it on.

use serde::Serialize;

use crate::domain::invoice::TaxAmount;

/// A tax amount before `2025-03-31.basil` (`line_items_tax_amount` of the legacy documents,
/// the rate by id).
#[derive(Debug, Serialize)]
pub struct LegacyTaxAmountView<'a> {
    amount: i64,
    inclusive: bool,
    tax_rate: &'a str,
    taxability_reason: Option<&'static str>,
    taxable_amount: i64,
}

impl<'a> From<&'a TaxAmount> for LegacyTaxAmountView<'a> {
    fn from(t: &'a TaxAmount) -> Self {
        LegacyTaxAmountView {
            amount: t.amount,
            inclusive: t.inclusive,
            tax_rate: &t.tax_rate,
            taxability_reason: t.taxability_reason,
            taxable_amount: t.taxable_amount,
        }
    }
}

/// A tax from `2025-03-31.basil` on (`billing_bill_resource_invoicing_taxes_tax`).
#[derive(Debug, Serialize)]
pub struct TaxView<'a> {
    amount: i64,
    tax_behavior: &'static str,
    tax_rate_details: TaxRateDetails<'a>,
    taxability_reason: &'static str,
    taxable_amount: i64,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct TaxRateDetails<'a> {
    tax_rate: &'a str,
}

impl<'a> From<&'a TaxAmount> for TaxView<'a> {
    fn from(t: &'a TaxAmount) -> Self {
        TaxView {
            amount: t.amount,
            tax_behavior: if t.inclusive {
                "inclusive"
            } else {
                "exclusive"
            },
            tax_rate_details: TaxRateDetails {
                tax_rate: &t.tax_rate,
            },
            // The field is required and not nullable from basil on, and its values gained
            // `not_available`, which the legacy list (where it was nullable) lacks: what a
            // tax amount sent without a reason shows.
            taxability_reason: t.taxability_reason.unwrap_or("not_available"),
            taxable_amount: t.taxable_amount,
            kind: "tax_rate_details",
        }
    }
}

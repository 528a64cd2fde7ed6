//! Taxes a caller computed themselves and sent as a line's `tax_amounts`: the tax rate each one
//! names (found or created from its `tax_rate_data`), the amounts kept on the line, and their
//! sums per line and per rate for [`totals`](super::totals()). Nothing here calculates a tax:
//! the amounts are taken as sent.
//!
//! Stripe: "Stripe automatically creates or reuses a TaxRate object for each tax amount. If the
//! `tax_rate_data` exactly matches a previous value, Stripe will reuse the TaxRate object.
//! TaxRate objects created automatically by Stripe are immediately archived, do not appear in
//! the line item's `tax_rates`, and cannot be directly added to invoices, payments, or line
//! items." (`tax_amounts[].tax_rate_data` of `add_lines`, `update_lines` and the line update.)

use crate::domain::decimal::Decimal;

use super::AmountOverflow;
use super::line::Billable;
use super::totals::LineExcludingTax;

/// What describes a tax rate: the `tax_rate_data` of a tax amount. Two equal values name the
/// same tax rate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxRateData {
    /// Two-letter country code.
    pub country: Option<String>,
    /// Internal note.
    pub description: Option<String>,
    /// Name shown on invoices (`VAT`, `Sales Tax`).
    pub display_name: String,
    /// Whether the tax is included in the amount it applies to.
    pub inclusive: bool,
    /// Jurisdiction name.
    pub jurisdiction: Option<String>,
    /// `city`, `country`, `county`, `district`, `multiple` or `state`.
    pub jurisdiction_level: Option<&'static str>,
    /// Percent out of 100.
    pub percentage: Decimal,
    /// ISO 3166-2 subdivision code, without the country prefix.
    pub state: Option<String>,
    /// `vat`, `sales_tax`, …
    pub tax_type: Option<String>,
}

/// A tax rate (`txr_…`) created from `tax_rate_data`: archived from the start, as Stripe's are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRate {
    /// `txr_…`
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Live or test.
    pub livemode: bool,
    /// What it was created from.
    pub data: TaxRateData,
}

/// One tax amount of a line (or, summed, of an invoice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxAmount {
    /// The tax, in minor units.
    pub amount: i64,
    /// Whether it is included in the line's amount (from its tax rate).
    pub inclusive: bool,
    /// `txr_…`
    pub tax_rate: String,
    /// Why the amount is what it is (`standard_rated`, `reverse_charge`, …), if given.
    pub taxability_reason: Option<&'static str>,
    /// The amount the tax was calculated on, in minor units.
    pub taxable_amount: i64,
}

impl TaxAmount {
    /// `amount` of `taxable_amount` at `rate`.
    pub fn new(
        rate: &TaxRate,
        amount: i64,
        taxable_amount: i64,
        taxability_reason: Option<&'static str>,
    ) -> Self {
        TaxAmount {
            amount,
            inclusive: rate.data.inclusive,
            tax_rate: rate.id.clone(),
            taxability_reason,
            taxable_amount,
        }
    }

    /// Whether `other` is summed with it in an invoice's totals: the same rate and reason.
    pub fn same_group(&self, other: &TaxAmount) -> bool {
        self.tax_rate == other.tax_rate && self.taxability_reason == other.taxability_reason
    }
}

/// The tax rate in `rates` created from `data`, if there is one: identical data reuses it.
pub fn find_rate<'a>(
    rates: impl IntoIterator<Item = &'a TaxRate>,
    data: &TaxRateData,
) -> Option<&'a TaxRate> {
    rates.into_iter().find(|r| r.data == *data)
}

/// The taxes of an invoice's lines, summed for [`totals`](super::totals()), which documents
/// what the sums become.
pub(super) struct TaxTotals {
    /// Per line, its amounts without inclusive tax.
    pub(super) lines: Vec<LineExcludingTax>,
    /// Σ inclusive tax amounts.
    pub(super) inclusive: i64,
    /// Σ exclusive tax amounts.
    pub(super) exclusive: i64,
    /// Whether any line has a tax amount.
    pub(super) any: bool,
    /// Per tax rate and taxability reason.
    pub(super) totals: Vec<TaxAmount>,
}

pub(super) fn sum_taxes<L: Billable>(lines: &[L]) -> Result<TaxTotals, AmountOverflow> {
    let mut out = TaxTotals {
        lines: Vec::with_capacity(lines.len()),
        inclusive: 0,
        exclusive: 0,
        any: false,
        totals: Vec::new(),
    };
    for line in lines {
        let mut line_inclusive = 0i64;
        for t in line.taxes() {
            out.any = true;
            let sum = if t.inclusive {
                &mut line_inclusive
            } else {
                &mut out.exclusive
            };
            *sum = sum.checked_add(t.amount).ok_or(AmountOverflow)?;
            match out.totals.iter_mut().find(|s| s.same_group(t)) {
                Some(s) => {
                    s.amount = s.amount.checked_add(t.amount).ok_or(AmountOverflow)?;
                    s.taxable_amount = s
                        .taxable_amount
                        .checked_add(t.taxable_amount)
                        .ok_or(AmountOverflow)?;
                }
                None => out.totals.push(t.clone()),
            }
        }
        out.inclusive = out
            .inclusive
            .checked_add(line_inclusive)
            .ok_or(AmountOverflow)?;
        let amount = line
            .amount()
            .checked_sub(line_inclusive)
            .ok_or(AmountOverflow)?;
        let quantity = line.quantity();
        let unit_amount = if line_inclusive == 0 || quantity == Decimal::ZERO {
            Decimal::from_int(line.unit_amount())
        } else {
            Decimal::ratio(amount, quantity).ok_or(AmountOverflow)?
        };
        out.lines.push(LineExcludingTax {
            amount,
            unit_amount,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str, inclusive: bool) -> TaxRateData {
        TaxRateData {
            country: None,
            description: None,
            display_name: name.into(),
            inclusive,
            jurisdiction: None,
            jurisdiction_level: None,
            percentage: Decimal::parse("10").expect("decimal"),
            state: None,
            tax_type: None,
        }
    }

    #[test]
    fn identical_data_finds_the_same_rate_and_any_difference_another() {
        let rates = [
            TaxRate {
                id: "txr_a".into(),
                created: 0,
                livemode: false,
                data: data("VAT", false),
            },
            TaxRate {
                id: "txr_b".into(),
                created: 0,
                livemode: false,
                data: data("VAT", true),
            },
        ];
        let found = |d: &TaxRateData| find_rate(&rates, d).map(|r| r.id.as_str());
        assert_eq!(found(&data("VAT", false)), Some("txr_a"));
        assert_eq!(found(&data("VAT", true)), Some("txr_b"));
        assert_eq!(found(&data("GST", false)), None);
        let mut other = data("VAT", false);
        other.percentage = Decimal::parse("10.000").expect("decimal");
        assert_eq!(found(&other), Some("txr_a"), "10.000 is 10");
        other.state = Some("CA".into());
        assert_eq!(found(&other), None);
    }

    #[test]
    fn a_tax_amount_takes_its_behaviour_from_its_rate() {
        let rate = TaxRate {
            id: "txr_a".into(),
            created: 0,
            livemode: false,
            data: data("VAT", true),
        };
        let t = TaxAmount::new(&rate, 91, 909, Some("standard_rated"));
        assert!(t.inclusive);
        assert_eq!(t.tax_rate, "txr_a");
        assert!(t.same_group(&TaxAmount::new(&rate, 5, 50, Some("standard_rated"))));
        assert!(!t.same_group(&TaxAmount::new(&rate, 5, 50, None)));
    }
}

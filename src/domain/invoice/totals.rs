//! The one totals function: every amount of an invoice (subtotal, discounts, taxes, total,
//! amount due) computed from its lines in checked `i64` minor units, and the pro-rata
//! allocation it uses. Totals are derived, never stored: callers recompute them from the lines
//! on every read.

use crate::domain::decimal::Decimal;

use super::AmountOverflow;
use super::discount::{Discount, allocate};
use super::line::Billable;
use super::tax::{TaxAmount, sum_taxes};

/// A discount's share of an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountAmount {
    /// Minor units.
    pub amount: i64,
    /// `di_…`
    pub discount: String,
}

/// A line without its inclusive tax (the legacy `amount_excluding_tax` and
/// `unit_amount_excluding_tax`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineExcludingTax {
    /// The line's amount less its inclusive tax.
    pub amount: i64,
    /// Per unit: the unit amount when no inclusive tax applies, else `amount` ÷ quantity.
    pub unit_amount: Decimal,
}

/// Everything derived from an invoice's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Per line (same order as the input): the discounts it received, line-level first.
    pub line_discount_amounts: Vec<Vec<DiscountAmount>>,
    /// Per line (same order as the input): its amounts without inclusive tax.
    pub line_excluding_tax: Vec<LineExcludingTax>,
    /// Σ (line amount − line-level discounts); inclusive tax is inside it.
    pub subtotal: i64,
    /// `subtotal` − inclusive tax.
    pub subtotal_excluding_tax: i64,
    /// Per discount, summed over all lines, in order of first use.
    pub total_discount_amounts: Vec<DiscountAmount>,
    /// `subtotal` − invoice-level discounts + exclusive tax.
    pub total: i64,
    /// `subtotal` − invoice-level discounts − inclusive tax.
    pub total_excluding_tax: i64,
    /// Inclusive + exclusive tax; `None` when no line has a tax amount.
    pub tax: Option<i64>,
    /// The lines' tax amounts summed per tax rate and taxability reason, in order of first use.
    pub total_taxes: Vec<TaxAmount>,
    /// The customer balance taken into account (negative is credit).
    pub starting_balance: i64,
    /// `max(0, total + starting_balance)`.
    pub amount_due: i64,
    /// What has been paid.
    pub amount_paid: i64,
    /// `amount_due − amount_paid`, never negative.
    pub amount_remaining: i64,
}

/// Computes every amount of an invoice from its lines, in integer minor units.
///
/// 1. Line-level discounts apply one after the other to their own line's remaining amount;
///    `subtotal` is the sum of what remains ("item discounts are already incorporated").
/// 2. Each invoice-level discount applies, in order, to the remaining positive amounts of the
///    discountable lines (percent: rounded half away from zero; amount off: at most that base)
///    and is allocated pro rata to those lines by largest remainder, so the shares add up exactly.
/// 3. Taxes are the lines' `tax_amounts` as sent (nothing is calculated). With `incl` and `excl`
///    the sums of the inclusive and the exclusive ones, as Stripe defines the fields (`subtotal`:
///    "before any invoice level discount or exclusive tax is applied"; `subtotal_excluding_tax`:
///    "before any invoice level discount or tax is applied"; `total_excluding_tax`: "including
///    all discounts but excluding all tax"):
///
///    ```text
///    subtotal_excluding_tax = subtotal − incl
///    total                  = subtotal − invoice-level discounts + excl
///    total_excluding_tax    = subtotal − invoice-level discounts − incl
///    tax                    = incl + excl            (None when no line has tax amounts)
///    line amount_excluding_tax      = line amount − the line's incl
///    line unit_amount_excluding_tax = unit_amount if the line has no incl (or no units),
///                                     else amount_excluding_tax ÷ quantity (12 places, half
///                                     away from zero)
///    ```
///
///    Inclusive tax is inside the amounts, so it never changes `total`; exclusive tax is added
///    to it (and so to `amount_due`). `total_taxes` sums the tax amounts per tax rate and
///    taxability reason. Without tax amounts every `*_excluding_tax` equals its counterpart.
/// 4. `amount_due = max(0, total + starting_balance)`; `amount_remaining = amount_due −
///    amount_paid`, never below zero.
///
/// # Errors
/// [`AmountOverflow`] if any sum or product does not fit in `i64`.
pub fn totals<L: Billable>(
    lines: &[L],
    invoice_discounts: &[Discount],
    starting_balance: i64,
    amount_paid: i64,
) -> Result<Totals, AmountOverflow> {
    let mut per_line: Vec<Vec<DiscountAmount>> = vec![Vec::new(); lines.len()];
    let mut net: Vec<i64> = lines.iter().map(Billable::amount).collect();
    let mut by_discount: Vec<DiscountAmount> = Vec::new();

    for (i, line) in lines.iter().enumerate() {
        for d in line.discounts() {
            let amount = d.coupon.discount_on(net[i]).ok_or(AmountOverflow)?;
            net[i] = net[i].checked_sub(amount).ok_or(AmountOverflow)?;
            per_line[i].push(DiscountAmount {
                amount,
                discount: d.id.clone(),
            });
            add_to(&mut by_discount, &d.id, amount)?;
        }
    }
    let subtotal = checked_sum(net.iter().copied())?;

    let mut invoice_discount_total = 0i64;
    for d in invoice_discounts {
        let weights: Vec<i64> = lines
            .iter()
            .zip(&net)
            .map(|(l, n)| if l.discountable() { (*n).max(0) } else { 0 })
            .collect();
        let base = checked_sum(weights.iter().copied())?;
        let amount = d.coupon.discount_on(base).ok_or(AmountOverflow)?;
        let shares = allocate(amount, &weights)?;
        for (i, share) in shares.into_iter().enumerate() {
            if !lines[i].discountable() {
                continue;
            }
            net[i] = net[i].checked_sub(share).ok_or(AmountOverflow)?;
            per_line[i].push(DiscountAmount {
                amount: share,
                discount: d.id.clone(),
            });
        }
        add_to(&mut by_discount, &d.id, amount)?;
        invoice_discount_total = invoice_discount_total
            .checked_add(amount)
            .ok_or(AmountOverflow)?;
    }

    let taxes = sum_taxes(lines)?;
    let discounted = subtotal
        .checked_sub(invoice_discount_total)
        .ok_or(AmountOverflow)?;
    let total = discounted
        .checked_add(taxes.exclusive)
        .ok_or(AmountOverflow)?;
    let amount_due = total
        .checked_add(starting_balance)
        .ok_or(AmountOverflow)?
        .max(0);
    let amount_remaining = amount_due
        .checked_sub(amount_paid)
        .ok_or(AmountOverflow)?
        .max(0);
    Ok(Totals {
        line_discount_amounts: per_line,
        line_excluding_tax: taxes.lines,
        subtotal,
        subtotal_excluding_tax: subtotal
            .checked_sub(taxes.inclusive)
            .ok_or(AmountOverflow)?,
        total_discount_amounts: by_discount,
        total,
        total_excluding_tax: discounted
            .checked_sub(taxes.inclusive)
            .ok_or(AmountOverflow)?,
        tax: taxes.any.then_some(
            taxes
                .inclusive
                .checked_add(taxes.exclusive)
                .ok_or(AmountOverflow)?,
        ),
        total_taxes: taxes.totals,
        starting_balance,
        amount_due,
        amount_paid,
        amount_remaining,
    })
}

pub(super) fn checked_sum(mut values: impl Iterator<Item = i64>) -> Result<i64, AmountOverflow> {
    values.try_fold(0i64, |acc, v| acc.checked_add(v).ok_or(AmountOverflow))
}

fn add_to(
    sums: &mut Vec<DiscountAmount>,
    discount: &str,
    amount: i64,
) -> Result<(), AmountOverflow> {
    match sums.iter_mut().find(|d| d.discount == discount) {
        Some(d) => d.amount = d.amount.checked_add(amount).ok_or(AmountOverflow)?,
        None => sums.push(DiscountAmount {
            amount,
            discount: discount.to_owned(),
        }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::fixtures::{amount_off, line, percent, tax, taxed_line};
    use crate::domain::invoice::item::line_amount;
    use crate::domain::invoice::line::LineItem;

    struct Case {
        name: &'static str,
        lines: Vec<LineItem>,
        discounts: Vec<Discount>,
        balance: i64,
        paid: i64,
        subtotal: i64,
        total: i64,
        due: i64,
        remaining: i64,
    }

    #[test]
    fn totals_table() {
        let mut item_discounted = line("a", 1000);
        item_discounted.discounts = vec![percent("di_item", 10.0)];
        let mut not_discountable = line("b", 500);
        not_discountable.discountable = false;
        let cases = vec![
            Case {
                name: "empty invoice",
                lines: vec![],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 0,
                total: 0,
                due: 0,
                remaining: 0,
            },
            Case {
                name: "one line",
                lines: vec![line("a", 799)],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 799,
                total: 799,
                due: 799,
                remaining: 799,
            },
            Case {
                name: "seed add_lines: 799 + 199",
                lines: vec![line("a", 799), line("b", 199)],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 998,
                total: 998,
                due: 998,
                remaining: 998,
            },
            Case {
                name: "25% of 998 rounds 249.5 up",
                lines: vec![line("a", 799), line("b", 199)],
                discounts: vec![percent("di_p", 25.0)],
                balance: 0,
                paid: 0,
                subtotal: 998,
                total: 748,
                due: 748,
                remaining: 748,
            },
            Case {
                name: "amount off larger than the invoice stops at zero",
                lines: vec![line("a", 300)],
                discounts: vec![amount_off("di_a", 500)],
                balance: 0,
                paid: 0,
                subtotal: 300,
                total: 0,
                due: 0,
                remaining: 0,
            },
            Case {
                name: "non-discountable lines are not discounted",
                lines: vec![line("a", 1000), not_discountable],
                discounts: vec![percent("di_p", 50.0)],
                balance: 0,
                paid: 0,
                subtotal: 1500,
                total: 1000,
                due: 1000,
                remaining: 1000,
            },
            Case {
                name: "item discount is inside the subtotal",
                lines: vec![item_discounted.clone()],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 900,
                total: 900,
                due: 900,
                remaining: 900,
            },
            Case {
                name: "invoice discount applies after the item discount",
                lines: vec![item_discounted],
                discounts: vec![amount_off("di_a", 100)],
                balance: 0,
                paid: 0,
                subtotal: 900,
                total: 800,
                due: 800,
                remaining: 800,
            },
            Case {
                name: "two invoice discounts stack on what remains",
                lines: vec![line("a", 1000)],
                discounts: vec![percent("di_p", 50.0), amount_off("di_a", 100)],
                balance: 0,
                paid: 0,
                subtotal: 1000,
                total: 400,
                due: 400,
                remaining: 400,
            },
            Case {
                name: "a credit line lowers the total",
                lines: vec![line("a", 1000), line("b", -300)],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 700,
                total: 700,
                due: 700,
                remaining: 700,
            },
            Case {
                name: "customer credit is applied to the amount due",
                lines: vec![line("a", 1000)],
                discounts: vec![],
                balance: -300,
                paid: 0,
                subtotal: 1000,
                total: 1000,
                due: 700,
                remaining: 700,
            },
            Case {
                name: "credit above the total leaves nothing due",
                lines: vec![line("a", 1000)],
                discounts: vec![],
                balance: -1500,
                paid: 0,
                subtotal: 1000,
                total: 1000,
                due: 0,
                remaining: 0,
            },
            Case {
                name: "an owed balance is added to the amount due",
                lines: vec![line("a", 1000)],
                discounts: vec![],
                balance: 200,
                paid: 0,
                subtotal: 1000,
                total: 1000,
                due: 1200,
                remaining: 1200,
            },
            Case {
                name: "paid invoices have nothing remaining",
                lines: vec![line("a", 998)],
                discounts: vec![],
                balance: 0,
                paid: 998,
                subtotal: 998,
                total: 998,
                due: 998,
                remaining: 0,
            },
        ];
        for c in cases {
            let t = totals(&c.lines, &c.discounts, c.balance, c.paid).expect(c.name);
            assert_eq!(t.subtotal, c.subtotal, "{}: subtotal", c.name);
            assert_eq!(t.subtotal_excluding_tax, c.subtotal, "{}", c.name);
            assert_eq!(t.total, c.total, "{}: total", c.name);
            assert_eq!(t.total_excluding_tax, c.total, "{}", c.name);
            assert_eq!(t.amount_due, c.due, "{}: amount_due", c.name);
            assert_eq!(t.amount_paid, c.paid, "{}", c.name);
            assert_eq!(t.amount_remaining, c.remaining, "{}: remaining", c.name);
            assert_eq!(t.line_discount_amounts.len(), c.lines.len(), "{}", c.name);
            // The per-discount totals are exactly the sum of the per-line shares.
            for d in &t.total_discount_amounts {
                let from_lines: i64 = t
                    .line_discount_amounts
                    .iter()
                    .flatten()
                    .filter(|x| x.discount == d.discount)
                    .map(|x| x.amount)
                    .sum();
                assert_eq!(from_lines, d.amount, "{}: {}", c.name, d.discount);
            }
        }
    }

    #[test]
    fn invoice_discounts_are_allocated_pro_rata_to_the_cent() {
        let t = totals(
            &[line("a", 799), line("b", 199)],
            &[percent("di_p", 25.0)],
            0,
            0,
        )
        .expect("fits");
        // 250 split 799:199 → 200.15 / 49.85 → 200 + 50 after the largest remainder.
        assert_eq!(
            t.line_discount_amounts,
            vec![
                vec![DiscountAmount {
                    amount: 200,
                    discount: "di_p".into()
                }],
                vec![DiscountAmount {
                    amount: 50,
                    discount: "di_p".into()
                }],
            ]
        );
        assert_eq!(
            t.total_discount_amounts,
            vec![DiscountAmount {
                amount: 250,
                discount: "di_p".into()
            }]
        );
    }

    #[test]
    fn removing_a_line_recomputes_from_what_is_left() {
        let both = totals(&[line("a", 799), line("b", 199)], &[], 0, 0).expect("fits");
        let one = totals(&[line("b", 199)], &[], 0, 0).expect("fits");
        assert_eq!((both.total, one.total), (998, 199));
    }

    #[test]
    fn totals_overflow_is_an_error_not_a_wrap() {
        assert_eq!(
            totals(&[line("a", i64::MAX), line("b", 1)], &[], 0, 0),
            Err(AmountOverflow)
        );
        assert_eq!(
            totals(&[line("a", i64::MAX)], &[], 1, 0),
            Err(AmountOverflow)
        );
        assert_eq!(
            line_amount(i64::MAX, Decimal::from_int(2)),
            Err(AmountOverflow)
        );
    }

    struct TaxCase {
        name: &'static str,
        lines: Vec<LineItem>,
        discounts: Vec<Discount>,
        balance: i64,
        subtotal: i64,
        subtotal_excluding_tax: i64,
        total: i64,
        total_excluding_tax: i64,
        tax: Option<i64>,
        due: i64,
        /// Per line: amount_excluding_tax and unit_amount_excluding_tax.
        lines_excluding_tax: Vec<(i64, &'static str)>,
    }

    #[test]
    fn tax_totals_table() {
        let cases = vec![
            TaxCase {
                name: "no tax: the excluding-tax fields equal their counterparts",
                lines: vec![taxed_line("a", 799, "1", vec![])],
                discounts: vec![],
                balance: 0,
                subtotal: 799,
                subtotal_excluding_tax: 799,
                total: 799,
                total_excluding_tax: 799,
                tax: None,
                due: 799,
                lines_excluding_tax: vec![(799, "799")],
            },
            TaxCase {
                name: "exclusive tax is added to the total and the amount due",
                lines: vec![taxed_line(
                    "a",
                    1000,
                    "1",
                    vec![tax("txr_e", 100, 1000, false)],
                )],
                discounts: vec![],
                balance: 0,
                subtotal: 1000,
                subtotal_excluding_tax: 1000,
                total: 1100,
                total_excluding_tax: 1000,
                tax: Some(100),
                due: 1100,
                lines_excluding_tax: vec![(1000, "1000")],
            },
            TaxCase {
                name: "inclusive tax is inside the amount: the total does not change",
                lines: vec![taxed_line(
                    "a",
                    1100,
                    "1",
                    vec![tax("txr_i", 100, 1000, true)],
                )],
                discounts: vec![],
                balance: 0,
                subtotal: 1100,
                subtotal_excluding_tax: 1000,
                total: 1100,
                total_excluding_tax: 1000,
                tax: Some(100),
                due: 1100,
                lines_excluding_tax: vec![(1000, "1000")],
            },
            TaxCase {
                name: "inclusive and exclusive on one line",
                lines: vec![taxed_line(
                    "a",
                    1000,
                    "1",
                    vec![tax("txr_i", 91, 909, true), tax("txr_e", 50, 909, false)],
                )],
                discounts: vec![],
                balance: 0,
                subtotal: 1000,
                subtotal_excluding_tax: 909,
                total: 1050,
                total_excluding_tax: 909,
                tax: Some(141),
                due: 1050,
                lines_excluding_tax: vec![(909, "909")],
            },
            TaxCase {
                name: "the unit amount without inclusive tax is a 12-place decimal",
                lines: vec![taxed_line(
                    "a",
                    700,
                    "3",
                    vec![tax("txr_i", 100, 2000, true)],
                )],
                discounts: vec![],
                balance: 0,
                subtotal: 2100,
                subtotal_excluding_tax: 2000,
                total: 2100,
                total_excluding_tax: 2000,
                tax: Some(100),
                due: 2100,
                lines_excluding_tax: vec![(2000, "666.666666666667")],
            },
            TaxCase {
                name: "fractional quantity: amount rounded, unit without tax from it",
                lines: vec![taxed_line(
                    "a",
                    799,
                    "1.5",
                    vec![tax("txr_i", 109, 1090, true)],
                )],
                discounts: vec![],
                balance: 0,
                subtotal: 1199,
                subtotal_excluding_tax: 1090,
                total: 1199,
                total_excluding_tax: 1090,
                tax: Some(109),
                due: 1199,
                lines_excluding_tax: vec![(1090, "726.666666666667")],
            },
            TaxCase {
                name: "zero quantity keeps the unit amount",
                lines: vec![taxed_line("a", 500, "0", vec![tax("txr_i", 0, 0, true)])],
                discounts: vec![],
                balance: 0,
                subtotal: 0,
                subtotal_excluding_tax: 0,
                total: 0,
                total_excluding_tax: 0,
                tax: Some(0),
                due: 0,
                lines_excluding_tax: vec![(0, "500")],
            },
            TaxCase {
                name: "invoice discount comes off before exclusive tax is added",
                lines: vec![taxed_line(
                    "a",
                    1000,
                    "1",
                    vec![tax("txr_e", 90, 900, false)],
                )],
                discounts: vec![amount_off("di_a", 100)],
                balance: 0,
                subtotal: 1000,
                subtotal_excluding_tax: 1000,
                total: 990,
                total_excluding_tax: 900,
                tax: Some(90),
                due: 990,
                lines_excluding_tax: vec![(1000, "1000")],
            },
            TaxCase {
                name: "credit is applied to the total with tax",
                lines: vec![
                    taxed_line("a", 1000, "1", vec![tax("txr_e", 100, 1000, false)]),
                    taxed_line("b", 500, "1", vec![]),
                ],
                discounts: vec![],
                balance: -200,
                subtotal: 1500,
                subtotal_excluding_tax: 1500,
                total: 1600,
                total_excluding_tax: 1500,
                tax: Some(100),
                due: 1400,
                lines_excluding_tax: vec![(1000, "1000"), (500, "500")],
            },
        ];
        for c in cases {
            let t = totals(&c.lines, &c.discounts, c.balance, 0).expect(c.name);
            assert_eq!(t.subtotal, c.subtotal, "{}: subtotal", c.name);
            assert_eq!(
                t.subtotal_excluding_tax, c.subtotal_excluding_tax,
                "{}: subtotal_excluding_tax",
                c.name
            );
            assert_eq!(t.total, c.total, "{}: total", c.name);
            assert_eq!(
                t.total_excluding_tax, c.total_excluding_tax,
                "{}: total_excluding_tax",
                c.name
            );
            assert_eq!(t.tax, c.tax, "{}: tax", c.name);
            assert_eq!(t.amount_due, c.due, "{}: amount_due", c.name);
            let shown: Vec<(i64, String)> = t
                .line_excluding_tax
                .iter()
                .map(|l| (l.amount, l.unit_amount.to_string()))
                .collect();
            let want: Vec<(i64, String)> = c
                .lines_excluding_tax
                .iter()
                .map(|(a, u)| (*a, (*u).to_owned()))
                .collect();
            assert_eq!(shown, want, "{}: lines", c.name);
        }
    }

    #[test]
    fn invoice_taxes_are_summed_per_rate_and_reason_in_order_of_first_use() {
        let mut reasoned = tax("txr_e", 7, 70, false);
        reasoned.taxability_reason = Some("reduced_rated");
        let t = totals(
            &[
                taxed_line("a", 1000, "1", vec![tax("txr_e", 100, 1000, false)]),
                taxed_line("b", 100, "1", vec![tax("txr_i", 9, 91, true), reasoned]),
                taxed_line("c", 500, "1", vec![tax("txr_e", 50, 500, false)]),
            ],
            &[],
            0,
            0,
        )
        .expect("fits");
        let sums: Vec<(&str, Option<&str>, i64, i64)> = t
            .total_taxes
            .iter()
            .map(|x| {
                (
                    x.tax_rate.as_str(),
                    x.taxability_reason,
                    x.amount,
                    x.taxable_amount,
                )
            })
            .collect();
        assert_eq!(
            sums,
            [
                ("txr_e", None, 150, 1500),
                ("txr_i", None, 9, 91),
                ("txr_e", Some("reduced_rated"), 7, 70),
            ]
        );
        assert_eq!(t.tax, Some(166));
        assert_eq!(t.total, 1600 + 150 + 7);
        assert_eq!(t.total_excluding_tax, 1600 - 9);
    }

    #[test]
    fn tax_overflow_is_an_error_not_a_wrap() {
        let line = |taxes| taxed_line("a", 1, "1", taxes);
        assert_eq!(
            totals(&[line(vec![tax("txr_e", i64::MAX, 1, false)])], &[], 0, 0),
            Err(AmountOverflow)
        );
        assert_eq!(
            totals(
                &[line(vec![
                    tax("txr_i", i64::MAX, 1, true),
                    tax("txr_i", 1, 1, true)
                ])],
                &[],
                0,
                0
            ),
            Err(AmountOverflow)
        );
        assert_eq!(
            totals(&[line(vec![tax("txr_i", i64::MIN, 1, true)])], &[], 0, 0),
            Err(AmountOverflow)
        );
    }
}

//! The one totals function: every amount of an invoice (subtotal, discounts, total, amount due)
//! computed from its lines in checked `i64` minor units, and the pro-rata allocation it uses.
//! Totals are derived, never stored: callers recompute them from the lines on every read.

use super::AmountOverflow;
use super::discount::Discount;
use super::line::Billable;

/// A discount's share of an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountAmount {
    /// Minor units.
    pub amount: i64,
    /// `di_…`
    pub discount: String,
}

/// Everything derived from an invoice's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Per line (same order as the input): the discounts it received, line-level first.
    pub line_discount_amounts: Vec<Vec<DiscountAmount>>,
    /// Σ (line amount − line-level discounts).
    pub subtotal: i64,
    /// `subtotal` without inclusive tax (no tax is modelled: equal to `subtotal`).
    pub subtotal_excluding_tax: i64,
    /// Per discount, summed over all lines, in order of first use.
    pub total_discount_amounts: Vec<DiscountAmount>,
    /// `subtotal` − invoice-level discounts (+ exclusive tax, none modelled).
    pub total: i64,
    /// `total` without tax.
    pub total_excluding_tax: i64,
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
/// 3. `total = subtotal − invoice-level discounts`; no tax is modelled, so the `*_excluding_tax`
///    fields equal their counterparts.
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

    let total = subtotal
        .checked_sub(invoice_discount_total)
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
        subtotal,
        subtotal_excluding_tax: subtotal,
        total_discount_amounts: by_discount,
        total,
        total_excluding_tax: total,
        starting_balance,
        amount_due,
        amount_paid,
        amount_remaining,
    })
}

fn checked_sum(mut values: impl Iterator<Item = i64>) -> Result<i64, AmountOverflow> {
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

/// Splits `amount` across `weights` in proportion (largest remainder; ties go to the earlier
/// weight). Shares sum to `amount` exactly; with `0 ≤ amount ≤ Σ weights` no share exceeds its
/// weight.
///
/// # Errors
/// [`AmountOverflow`] if the weights do not sum in `i64`.
pub fn allocate(amount: i64, weights: &[i64]) -> Result<Vec<i64>, AmountOverflow> {
    let total = checked_sum(weights.iter().copied())?;
    if total <= 0 || amount == 0 {
        return Ok(vec![0; weights.len()]);
    }
    let (amount_w, total_w) = (i128::from(amount), i128::from(total));
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let scaled = amount_w * i128::from((*w).max(0));
        shares.push(i64::try_from(scaled / total_w).map_err(|_| AmountOverflow)?);
        remainders.push((scaled % total_w, i));
    }
    let mut left = amount
        .checked_sub(checked_sum(shares.iter().copied())?)
        .ok_or(AmountOverflow)?;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left <= 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    Ok(shares)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::fixtures::{amount_off, line, percent};
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
        assert_eq!(line_amount(i64::MAX, 2), Err(AmountOverflow));
    }

    #[test]
    fn allocation_sums_exactly_and_never_exceeds_a_weight() {
        for (amount, weights) in [
            (1, vec![1, 1, 1]),
            (2, vec![1, 1, 1]),
            (100, vec![33, 33, 34]),
            (7, vec![0, 5, 2]),
            (0, vec![3, 4]),
            (10, vec![10]),
        ] {
            let shares = allocate(amount, &weights).expect("fits");
            assert_eq!(shares.iter().sum::<i64>(), amount, "{weights:?}");
            assert!(shares.iter().zip(&weights).all(|(s, w)| s <= w));
        }
        assert_eq!(allocate(1, &[1, 1, 1]), Ok(vec![1, 0, 0]));
    }
}

//! Discounts: a coupon applied to an invoice or an invoice item, when it ends, which
//! currencies it can discount, and how an invoice-level discount is split across lines. Looking
//! coupons up is the store's job, not this module's.

use crate::domain::catalog::{Coupon, CouponValue};

use super::AmountOverflow;
use super::period::add_months;
use super::totals::checked_sum;

/// A coupon applied to an invoice or to one invoice item.
#[derive(Debug, Clone, PartialEq)]
pub struct Discount {
    /// `di_…`
    pub id: String,
    /// The coupon as it was when applied.
    pub coupon: Coupon,
    /// `cus_…`
    pub customer: String,
    /// `in_…` for invoice-level discounts.
    pub invoice: Option<String>,
    /// `ii_…` for item-level discounts.
    pub invoice_item: Option<String>,
    /// Unix seconds when it was applied.
    pub start: i64,
    /// Unix seconds when it stops applying (`repeating` coupons only).
    pub end: Option<i64>,
}

/// When a discount of `coupon` applied at `start` ends: `repeating` coupons after their months,
/// others never.
pub fn discount_end(coupon: &Coupon, start: i64) -> Option<i64> {
    match (coupon.duration, coupon.duration_in_months) {
        ("repeating", Some(months)) => add_months(start, months),
        _ => None,
    }
}

/// Whether `coupon` can discount an invoice in `currency`: percentages always, fixed amounts only
/// in their own currency.
pub fn coupon_fits(coupon: &Coupon, currency: &str) -> bool {
    match &coupon.value {
        CouponValue::PercentOff(_) => true,
        CouponValue::AmountOff { currency: c, .. } => c == currency,
    }
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
    use crate::domain::invoice::fixtures::{amount_off, percent};

    #[test]
    fn coupons_fit_by_currency() {
        assert!(coupon_fits(&percent("d", 5.0).coupon, "eur"));
        assert!(coupon_fits(&amount_off("d", 5).coupon, "usd"));
        assert!(!coupon_fits(&amount_off("d", 5).coupon, "eur"));
        let mut c = percent("d", 5.0).coupon;
        c.duration = "repeating";
        c.duration_in_months = Some(3);
        assert_eq!(discount_end(&c, 1_706_659_200), Some(1_714_435_200));
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

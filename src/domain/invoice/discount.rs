//! Discounts: a coupon applied to an invoice or an invoice item, when it ends, and which
//! currencies it can discount. Looking coupons up is the store's job, not this module's.

use crate::domain::catalog::{Coupon, CouponValue};

use super::period::add_months;

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
}

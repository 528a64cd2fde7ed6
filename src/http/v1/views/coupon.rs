//! The v1 coupon body, also embedded in discounts.

use serde::Serialize;

use crate::domain::catalog::{Coupon, CouponValue, Metadata};

/// Coupon in Stripe's shape.
#[derive(Debug, Serialize)]
pub struct CouponView<'a> {
    id: &'a str,
    object: &'static str,
    amount_off: Option<i64>,
    created: i64,
    currency: Option<&'a str>,
    duration: &'static str,
    duration_in_months: Option<i64>,
    livemode: bool,
    max_redemptions: Option<i64>,
    metadata: &'a Metadata,
    name: Option<&'a str>,
    percent_off: Option<f64>,
    redeem_by: Option<i64>,
    times_redeemed: i64,
    valid: bool,
}

impl<'a> From<&'a Coupon> for CouponView<'a> {
    fn from(c: &'a Coupon) -> Self {
        let (amount_off, currency, percent_off) = match &c.value {
            CouponValue::PercentOff(p) => (None, None, Some(p.as_f64())),
            CouponValue::AmountOff { amount, currency } => {
                (Some(*amount), Some(currency.as_str()), None)
            }
        };
        CouponView {
            id: &c.id,
            object: "coupon",
            amount_off,
            created: c.created,
            currency,
            duration: c.duration,
            duration_in_months: c.duration_in_months,
            livemode: c.livemode,
            max_redemptions: c.max_redemptions,
            metadata: &c.metadata,
            name: c.name.as_deref(),
            percent_off,
            redeem_by: c.redeem_by,
            times_redeemed: c.times_redeemed,
            valid: true,
        }
    }
}

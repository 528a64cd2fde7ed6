//! v1 discount bodies: the discount object (the legacy singular `invoice.discount`) and a
//! discount's share of an amount (`discount_amounts`, `total_discount_amounts`).

use serde::Serialize;

use crate::domain::invoice::{Discount, DiscountAmount};

use super::coupon::CouponView;

/// Discount in Stripe's shape (the legacy singular `invoice.discount`).
#[derive(Debug, Serialize)]
pub struct DiscountView<'a> {
    id: &'a str,
    object: &'static str,
    checkout_session: Option<()>,
    coupon: CouponView<'a>,
    customer: &'a str,
    end: Option<i64>,
    invoice: Option<&'a str>,
    invoice_item: Option<&'a str>,
    promotion_code: Option<()>,
    start: i64,
    subscription: Option<()>,
}

impl<'a> From<&'a Discount> for DiscountView<'a> {
    fn from(d: &'a Discount) -> Self {
        DiscountView {
            id: &d.id,
            object: "discount",
            checkout_session: None,
            coupon: CouponView::from(&d.coupon),
            customer: &d.customer,
            end: d.end,
            invoice: d.invoice.as_deref(),
            invoice_item: d.invoice_item.as_deref(),
            promotion_code: None,
            start: d.start,
            subscription: None,
        }
    }
}

/// `{"amount","discount"}`: a discount's share.
#[derive(Debug, Serialize)]
pub struct DiscountAmountView<'a> {
    amount: i64,
    discount: &'a str,
}

impl<'a> From<&'a DiscountAmount> for DiscountAmountView<'a> {
    fn from(d: &'a DiscountAmount) -> Self {
        DiscountAmountView {
            amount: d.amount,
            discount: &d.discount,
        }
    }
}

//! Invoice values shared by this folder's unit tests.

use crate::domain::catalog::{Coupon, CouponValue, Metadata, Percent, Price};

use super::discount::Discount;
use super::item::{InvoiceItem, LineKind};
use super::line::LineItem;
use super::period::Period;

pub(super) fn price(unit_amount: i64) -> Price {
    Price {
        id: "price_1".into(),
        created: 0,
        livemode: false,
        active: true,
        currency: "usd".into(),
        lookup_key: None,
        metadata: Metadata::new(),
        nickname: None,
        product: "prod_1".into(),
        recurring: None,
        tax_behavior: "unspecified",
        unit_amount,
    }
}

pub(super) fn line(id: &str, amount: i64) -> LineItem {
    LineItem {
        id: id.into(),
        kind: LineKind::InvoiceItem,
        amount,
        currency: "usd".into(),
        description: None,
        discountable: amount >= 0,
        discounts: Vec::new(),
        invoice_item: Some(format!("ii_{id}")),
        livemode: false,
        metadata: Metadata::new(),
        period: Period::at(0),
        price: price(amount).into(),
        proration: false,
        quantity: 1,
        subscription: None,
        unit_amount: amount,
    }
}

pub(super) fn coupon(value: CouponValue) -> Coupon {
    Coupon::for_test("co", value)
}

pub(super) fn percent(id: &str, pct: f64) -> Discount {
    Discount {
        id: id.into(),
        coupon: coupon(CouponValue::PercentOff(
            Percent::from_f64(pct).expect("valid percent"),
        )),
        customer: "cus_1".into(),
        invoice: None,
        invoice_item: None,
        start: 0,
        end: None,
    }
}

pub(super) fn amount_off(id: &str, amount: i64) -> Discount {
    Discount {
        coupon: coupon(CouponValue::AmountOff {
            amount,
            currency: "usd".into(),
        }),
        ..percent(id, 1.0)
    }
}

pub(super) fn item() -> InvoiceItem {
    InvoiceItem {
        id: "ii_1abc".into(),
        customer: "cus_1".into(),
        currency: "usd".into(),
        date: 10,
        description: Some("Canned Coffee".into()),
        discountable: true,
        discounts: vec![],
        invoice: None,
        livemode: false,
        metadata: Metadata::from([("a".into(), "1".into()), ("b".into(), "2".into())]),
        period: Period::at(10),
        price: price(199).into(),
        proration: false,
        quantity: 1,
        subscription: None,
        unit_amount: 199,
        amount: 199,
    }
}

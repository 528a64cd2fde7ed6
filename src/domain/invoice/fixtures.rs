//! Invoice values shared by this folder's unit tests.

use crate::domain::catalog::{Coupon, CouponValue, Metadata, Percent, Price};
use crate::domain::decimal::Decimal;

use super::discount::Discount;
use super::item::{InvoiceItem, LineKind};
use super::line::LineItem;
use super::period::Period;
use super::tax::TaxAmount;

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
        quantity: Decimal::from_int(1),
        subscription: None,
        taxes: Vec::new(),
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
        quantity: Decimal::from_int(1),
        subscription: None,
        unit_amount: 199,
        amount: 199,
    }
}

pub(super) fn tax(rate: &str, amount: i64, taxable_amount: i64, inclusive: bool) -> TaxAmount {
    TaxAmount {
        amount,
        inclusive,
        tax_rate: rate.into(),
        taxability_reason: None,
        taxable_amount,
    }
}

/// A line of `quantity` units at `unit_amount`, with `taxes`.
pub(super) fn taxed_line(
    id: &str,
    unit_amount: i64,
    quantity: &str,
    taxes: Vec<TaxAmount>,
) -> LineItem {
    let quantity = Decimal::parse(quantity).expect("decimal");
    let amount = quantity.times(unit_amount).expect("fits");
    LineItem {
        quantity,
        taxes,
        unit_amount,
        price: price(unit_amount).into(),
        ..line(id, amount)
    }
}

//! The v1 catalog objects other resources refer to: customers, products, prices, coupons and
//! payment intents. Plain data plus the small rules that belong to each object.

use std::collections::BTreeMap;

/// String-to-string metadata, kept sorted so responses are deterministic.
pub type Metadata = BTreeMap<String, String>;

/// A customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// `cus_…`
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Whether it was created with a live key.
    pub livemode: bool,
    /// Balance in minor units; negative is credit.
    pub balance: i64,
    /// Default currency, once known.
    pub currency: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Prefix of invoice numbers, e.g. `897CE71`.
    pub invoice_prefix: String,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Full name.
    pub name: Option<String>,
    /// Sequence number of the next finalized invoice.
    pub next_invoice_sequence: i64,
    /// Phone number.
    pub phone: Option<String>,
    /// `none`, `exempt` or `reverse`.
    pub tax_exempt: &'static str,
}

/// A product.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// `prod_…`
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds of the last update.
    pub updated: i64,
    /// Live or test.
    pub livemode: bool,
    /// Whether it can be bought.
    pub active: bool,
    /// Price used by default, if set.
    pub default_price: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Display name.
    pub name: String,
    /// Unit label shown on invoices.
    pub unit_label: Option<String>,
    /// `service` (the default) or `good`.
    pub kind: &'static str,
}

/// Recurrence of a recurring price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurring {
    /// `day`, `week`, `month` or `year`.
    pub interval: &'static str,
    /// Number of intervals between billings.
    pub interval_count: i64,
    /// `licensed` or `metered`.
    pub usage_type: &'static str,
}

/// A price.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    /// `price_…`
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Live or test.
    pub livemode: bool,
    /// Whether it can be used for new purchases.
    pub active: bool,
    /// Lowercase ISO currency.
    pub currency: String,
    /// Lookup key.
    pub lookup_key: Option<String>,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Internal name.
    pub nickname: Option<String>,
    /// `prod_…` it belongs to.
    pub product: String,
    /// Recurrence, for recurring prices.
    pub recurring: Option<Recurring>,
    /// `exclusive`, `inclusive` or `unspecified`.
    pub tax_behavior: &'static str,
    /// Amount per unit in minor units.
    pub unit_amount: i64,
}

impl Price {
    /// `one_time` or `recurring`.
    pub fn kind(&self) -> &'static str {
        if self.recurring.is_some() {
            "recurring"
        } else {
            "one_time"
        }
    }
}

/// A percentage, stored exactly in thousandths of a percent (25.5 % = 25 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent {
    millis: i64,
}

impl Percent {
    /// From a decimal percentage; `None` outside 0 (exclusive) to 100 (inclusive) or with more than
    /// three decimals of precision lost.
    pub fn from_f64(pct: f64) -> Option<Self> {
        if !(pct > 0.0 && pct <= 100.0) {
            return None;
        }
        let millis = (pct * 1000.0).round();
        Some(Percent {
            millis: millis as i64,
        })
    }

    /// As a decimal percentage, for rendering.
    pub fn as_f64(self) -> f64 {
        self.millis as f64 / 1000.0
    }

    /// `amount × pct / 100`, rounded half up, in checked integer arithmetic.
    pub fn of(self, amount: i64) -> Option<i64> {
        let scaled = amount.checked_mul(self.millis)?;
        // Round half away from zero at the 100 000 divisor.
        let half = 50_000;
        let rounded = if scaled >= 0 {
            scaled.checked_add(half)? / 100_000
        } else {
            -((-scaled).checked_add(half)? / 100_000)
        };
        Some(rounded)
    }
}

/// How a coupon reduces an amount.
#[derive(Debug, Clone, PartialEq)]
pub enum CouponValue {
    /// A percentage of the discountable amount.
    PercentOff(Percent),
    /// A fixed amount in one currency.
    AmountOff {
        /// Minor units.
        amount: i64,
        /// Lowercase ISO currency.
        currency: String,
    },
}

/// A coupon.
#[derive(Debug, Clone, PartialEq)]
pub struct Coupon {
    /// Given by the caller or 8 random characters.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Live or test.
    pub livemode: bool,
    /// Percent or amount off.
    pub value: CouponValue,
    /// `forever`, `once` or `repeating`.
    pub duration: &'static str,
    /// Months, for `repeating`.
    pub duration_in_months: Option<i64>,
    /// Limit on redemptions.
    pub max_redemptions: Option<i64>,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Display name.
    pub name: Option<String>,
    /// Unix seconds after which it cannot be redeemed.
    pub redeem_by: Option<i64>,
    /// Number of redemptions so far.
    pub times_redeemed: i64,
}

impl Coupon {
    /// A `once` coupon with nothing but `id` and `value` set, for tests.
    #[cfg(test)]
    pub(crate) fn for_test(id: &str, value: CouponValue) -> Self {
        Coupon {
            id: id.into(),
            created: 0,
            livemode: false,
            value,
            duration: "once",
            duration_in_months: None,
            max_redemptions: None,
            metadata: Metadata::new(),
            name: None,
            redeem_by: None,
            times_redeemed: 0,
        }
    }

    /// The discount this coupon gives on `amount` (never more than `amount`, never negative).
    /// `None` on arithmetic overflow.
    pub fn discount_on(&self, amount: i64) -> Option<i64> {
        if amount <= 0 {
            return Some(0);
        }
        match &self.value {
            CouponValue::PercentOff(p) => p.of(amount),
            CouponValue::AmountOff { amount: off, .. } => Some((*off).min(amount)),
        }
    }
}

/// A payment intent (only what the billing flows need).
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentIntent {
    /// `pi_…`
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Live or test.
    pub livemode: bool,
    /// Minor units.
    pub amount: i64,
    /// `<id>_secret_<25 chars>`.
    pub client_secret: String,
    /// Lowercase ISO currency.
    pub currency: String,
    /// `cus_…`, if any.
    pub customer: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Always `requires_payment_method` in this mock.
    pub status: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up() {
        let p = Percent::from_f64(25.0).expect("valid");
        assert_eq!(p.of(998), Some(250)); // 249.5 → 250
        assert_eq!(p.of(1000), Some(250));
        let p = Percent::from_f64(33.333).expect("valid");
        assert_eq!(p.of(300), Some(100)); // 99.999 → 100
        assert_eq!(Percent::from_f64(0.0), None);
        assert_eq!(Percent::from_f64(100.5), None);
        assert_eq!(Percent::from_f64(100.0).expect("valid").of(i64::MAX), None);
    }

    #[test]
    fn coupon_never_exceeds_amount() {
        let c = Coupon::for_test(
            "c",
            CouponValue::AmountOff {
                amount: 500,
                currency: "usd".into(),
            },
        );
        assert_eq!(c.discount_on(300), Some(300));
        assert_eq!(c.discount_on(800), Some(500));
        assert_eq!(c.discount_on(0), Some(0));
    }
}

//! The money rules of an intent: [`compute_amounts`] from its actions' prices and coupons, and
//! [`check_reservable`] against Stripe's charge limits, in checked `i64` minor units.

use crate::domain::catalog::{Coupon, CouponValue, Price};
use crate::domain::money::{MAXIMUM_AMOUNT, minimum_charge_amount};

use super::{ActionDetails, Apply, DiscountApply, Subscribe};

/// The amount breakdown of an intent, in minor units of its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AmountDetails {
    /// Σ price × quantity of the v1 subscription items.
    pub subtotal: i64,
    /// Coupons applied by `apply` actions.
    pub discount: i64,
    /// Always 0: shipping is not modelled.
    pub shipping: i64,
    /// Always 0: tax is not modelled.
    pub tax: i64,
    /// `subtotal − discount + shipping + tax`.
    pub total: i64,
}

impl AmountDetails {
    /// Customer balance applied: 0, customer balances are not drawn on.
    pub fn customer_balance_applied(&self) -> i64 {
        0
    }

    /// What the payer owes: `total − customer_balance_applied`.
    pub fn amount_due(&self) -> i64 {
        self.total.saturating_sub(self.customer_balance_applied())
    }
}

/// Why the amounts of an intent cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// A subscription item names a price the account does not have.
    UnknownPrice {
        /// Index of the action.
        action: usize,
        /// Index of the item.
        item: usize,
        /// The price id.
        price: String,
    },
    /// A subscription item's price is in another currency than the intent.
    PriceCurrency {
        /// Index of the action.
        action: usize,
        /// Index of the item.
        item: usize,
        /// The price id.
        price: String,
        /// The price's currency.
        currency: String,
    },
    /// A discount names a coupon the account does not have.
    UnknownCoupon {
        /// Index of the action.
        action: usize,
        /// The coupon id.
        coupon: String,
    },
    /// An amount-off coupon is in another currency than the intent.
    CouponCurrency {
        /// Index of the action.
        action: usize,
        /// The coupon id.
        coupon: String,
        /// The coupon's currency.
        currency: String,
    },
    /// An amount does not fit in 64 bits.
    Overflow,
}

impl AmountError {
    /// The request parameter at fault, in v2 path notation.
    pub fn param(&self) -> Option<String> {
        match self {
            AmountError::UnknownPrice { action, item, .. }
            | AmountError::PriceCurrency { action, item, .. } => Some(format!(
                "actions[{action}].subscribe.v1_subscription_details.items[{item}].price"
            )),
            AmountError::UnknownCoupon { action, .. }
            | AmountError::CouponCurrency { action, .. } => {
                Some(format!("actions[{action}].apply.discount.coupon"))
            }
            AmountError::Overflow => None,
        }
    }
}

/// Computes an intent's amounts from its actions.
///
/// `subtotal` is Σ `unit_amount × quantity` over the items of `subscribe` actions of type
/// `v1_subscription_details`; `discount` comes from `apply` actions of type `discount` with a
/// coupon, each applied in order to what is left of the subtotal (`percent_off` rounds half up,
/// `amount_off` is capped at what is left), so the discount never exceeds the subtotal; tax and
/// shipping are 0. Pricing plans and promotion codes are not modelled and contribute nothing.
///
/// # Errors
/// [`AmountError`] for unknown prices or coupons, currency mismatches and overflow.
pub fn compute_amounts<'a, 'b, I>(
    currency: &str,
    actions: I,
    price: impl Fn(&str) -> Option<&'a Price>,
    coupon: impl Fn(&str) -> Option<&'a Coupon>,
) -> Result<AmountDetails, AmountError>
where
    I: IntoIterator<Item = &'b ActionDetails>,
    I::IntoIter: Clone,
{
    let actions = actions.into_iter();
    let mut subtotal: i64 = 0;
    for (action, details) in actions.clone().enumerate() {
        let ActionDetails::Subscribe(Subscribe {
            v1_subscription_details: Some(v1),
            ..
        }) = details
        else {
            continue;
        };
        for (item, it) in v1.items.iter().enumerate() {
            let p = price(&it.price).ok_or_else(|| AmountError::UnknownPrice {
                action,
                item,
                price: it.price.clone(),
            })?;
            if p.currency != currency {
                return Err(AmountError::PriceCurrency {
                    action,
                    item,
                    price: it.price.clone(),
                    currency: p.currency.clone(),
                });
            }
            let line = p
                .unit_amount
                .checked_mul(it.quantity)
                .ok_or(AmountError::Overflow)?;
            subtotal = subtotal.checked_add(line).ok_or(AmountError::Overflow)?;
        }
    }
    let mut discount: i64 = 0;
    for (action, details) in actions.enumerate() {
        let ActionDetails::Apply(Apply {
            discount: Some(DiscountApply {
                coupon: Some(id), ..
            }),
            ..
        }) = details
        else {
            continue;
        };
        let c = coupon(id).ok_or_else(|| AmountError::UnknownCoupon {
            action,
            coupon: id.clone(),
        })?;
        if let CouponValue::AmountOff { currency: cur, .. } = &c.value {
            if cur != currency {
                return Err(AmountError::CouponCurrency {
                    action,
                    coupon: id.clone(),
                    currency: cur.clone(),
                });
            }
        }
        let remaining = subtotal
            .checked_sub(discount)
            .ok_or(AmountError::Overflow)?;
        let off = c.discount_on(remaining).ok_or(AmountError::Overflow)?;
        discount = discount.checked_add(off).ok_or(AmountError::Overflow)?;
    }
    let (shipping, tax) = (0_i64, 0_i64);
    let total = subtotal
        .checked_sub(discount)
        .and_then(|t| t.checked_add(shipping))
        .and_then(|t| t.checked_add(tax))
        .ok_or(AmountError::Overflow)?;
    Ok(AmountDetails {
        subtotal,
        discount,
        shipping,
        tax,
        total,
    })
}

/// Why an intent's amount cannot be reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReserveAmountError {
    /// Above zero but below the currency's minimum charge.
    TooSmall {
        /// The amount due.
        due: i64,
        /// The currency's minimum.
        minimum: i64,
    },
    /// Above Stripe's eight-digit maximum.
    TooLarge {
        /// The amount due.
        due: i64,
    },
}

impl ReserveAmountError {
    /// Stripe's code.
    pub fn code(&self) -> &'static str {
        match self {
            ReserveAmountError::TooSmall { .. } => "amount_too_small",
            ReserveAmountError::TooLarge { .. } => "amount_too_large",
        }
    }

    /// A sentence for the error body.
    pub fn message(&self, currency: &str) -> String {
        match self {
            ReserveAmountError::TooSmall { due, minimum } => format!(
                "The billing intent's amount due ({due} {currency}) is less than the minimum amount allowed ({minimum} {currency})."
            ),
            ReserveAmountError::TooLarge { due } => format!(
                "The billing intent's amount due ({due} {currency}) is greater than the maximum amount allowed ({MAXIMUM_AMOUNT})."
            ),
        }
    }
}

/// The reserve-time amount check: a zero amount due is fine, otherwise it must be at least the
/// currency's minimum charge and at most 99 999 999.
///
/// # Errors
/// [`ReserveAmountError`] when outside those bounds.
pub fn check_reservable(currency: &str, amounts: &AmountDetails) -> Result<(), ReserveAmountError> {
    let due = amounts.amount_due();
    let minimum = minimum_charge_amount(currency);
    if due > MAXIMUM_AMOUNT {
        Err(ReserveAmountError::TooLarge { due })
    } else if due > 0 && due < minimum {
        Err(ReserveAmountError::TooSmall { due, minimum })
    } else {
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::domain::billing_intent::*;
    use crate::domain::catalog::{Metadata, Percent};

    fn price(id: &str, unit_amount: i64, currency: &str) -> Price {
        Price {
            id: id.into(),
            created: 0,
            livemode: false,
            active: true,
            currency: currency.into(),
            lookup_key: None,
            metadata: Metadata::new(),
            nickname: None,
            product: "prod_1".into(),
            recurring: None,
            tax_behavior: "unspecified",
            unit_amount,
        }
    }

    fn coupon(id: &str, value: CouponValue) -> Coupon {
        Coupon::for_test(id, value)
    }

    pub(in crate::domain::billing_intent) fn subscribe(items: &[(&str, i64)]) -> ActionDetails {
        ActionDetails::Subscribe(Subscribe {
            kind: "v1_subscription_details",
            collect_at: "on_effective_at",
            effective_at: EffectiveAt::on_reserve(),
            proration_behavior: None,
            pricing_plan_subscription_details: None,
            v1_subscription_details: Some(V1SubscriptionDetails {
                description: None,
                items: items
                    .iter()
                    .map(|(p, q)| V1Item {
                        price: (*p).into(),
                        quantity: *q,
                        metadata: None,
                    })
                    .collect(),
                metadata: None,
            }),
        })
    }

    fn discount(coupon: &str) -> ActionDetails {
        ActionDetails::Apply(Apply {
            kind: "discount",
            effective_at: EffectiveAt::on_reserve(),
            discount: Some(DiscountApply {
                kind: "coupon",
                coupon: Some(coupon.into()),
                promotion_code: None,
            }),
            invoice_discount_rule: None,
            spend_modifier_rule: None,
        })
    }

    fn pricing_plan() -> ActionDetails {
        ActionDetails::Subscribe(Subscribe {
            kind: "pricing_plan_subscription_details",
            collect_at: "on_effective_at",
            effective_at: EffectiveAt::on_reserve(),
            proration_behavior: None,
            pricing_plan_subscription_details: Some(Box::new(PricingPlanSubscribe {
                pricing_plan: "bpp_1".into(),
                pricing_plan_version: "bppv_1".into(),
                component_configurations: Vec::new(),
                metadata: None,
                overrides: None,
            })),
            v1_subscription_details: None,
        })
    }

    struct Catalog {
        prices: HashMap<String, Price>,
        coupons: HashMap<String, Coupon>,
    }

    impl Catalog {
        fn new() -> Self {
            let prices = [
                price("p1000", 1000, "usd"),
                price("p250", 250, "usd"),
                price("p999", 999, "usd"),
                price("peur", 500, "eur"),
                price("pbig", i64::MAX / 2 + 1, "usd"),
            ];
            let pct = |v: f64| CouponValue::PercentOff(Percent::from_f64(v).expect("valid"));
            let coupons = [
                coupon("half", pct(50.0)),
                coupon("quarter", pct(25.0)),
                coupon("third", pct(33.333)),
                coupon(
                    "five",
                    CouponValue::AmountOff {
                        amount: 500,
                        currency: "usd".into(),
                    },
                ),
                coupon(
                    "huge",
                    CouponValue::AmountOff {
                        amount: 1_000_000,
                        currency: "usd".into(),
                    },
                ),
                coupon(
                    "eur5",
                    CouponValue::AmountOff {
                        amount: 500,
                        currency: "eur".into(),
                    },
                ),
            ];
            Catalog {
                prices: prices.into_iter().map(|p| (p.id.clone(), p)).collect(),
                coupons: coupons.into_iter().map(|c| (c.id.clone(), c)).collect(),
            }
        }

        fn amounts(&self, actions: &[ActionDetails]) -> Result<AmountDetails, AmountError> {
            compute_amounts(
                "usd",
                actions,
                |id| self.prices.get(id),
                |id| self.coupons.get(id),
            )
        }
    }

    fn totals(a: &AmountDetails) -> (i64, i64, i64) {
        (a.subtotal, a.discount, a.total)
    }

    #[test]
    fn amounts_for_prices_quantities_and_coupons() {
        let c = Catalog::new();
        let cases: Vec<(Vec<ActionDetails>, (i64, i64, i64))> = vec![
            (vec![], (0, 0, 0)),
            (vec![subscribe(&[("p1000", 1)])], (1000, 0, 1000)),
            (
                vec![subscribe(&[("p1000", 2), ("p250", 3)])],
                (2750, 0, 2750),
            ),
            (
                vec![subscribe(&[("p1000", 1)]), subscribe(&[("p250", 4)])],
                (2000, 0, 2000),
            ),
            (vec![subscribe(&[("p250", 0)])], (0, 0, 0)),
            (
                vec![subscribe(&[("p1000", 2)]), discount("half")],
                (2000, 1000, 1000),
            ),
            // 25 % of 999 = 249.75 → 250; of 998 = 249.5 → 250 (half up).
            (
                vec![subscribe(&[("p999", 1)]), discount("quarter")],
                (999, 250, 749),
            ),
            (
                vec![subscribe(&[("p250", 1)]), discount("five")],
                (250, 250, 0),
            ),
            (
                vec![subscribe(&[("p1000", 1)]), discount("five")],
                (1000, 500, 500),
            ),
            (
                vec![subscribe(&[("p1000", 3)]), discount("third")],
                (3000, 1000, 2000),
            ),
            // Discounts apply in order to what is left: 500 off 1000, then half of 500.
            (
                vec![
                    subscribe(&[("p1000", 1)]),
                    discount("five"),
                    discount("half"),
                ],
                (1000, 750, 250),
            ),
            (
                vec![
                    subscribe(&[("p1000", 1)]),
                    discount("huge"),
                    discount("half"),
                ],
                (1000, 1000, 0),
            ),
            (
                vec![pricing_plan(), subscribe(&[("p250", 2)])],
                (500, 0, 500),
            ),
        ];
        for (actions, expected) in cases {
            let a = c.amounts(&actions).expect("computes");
            assert_eq!(totals(&a), expected, "{actions:?}");
            assert_eq!((a.tax, a.shipping), (0, 0));
            assert_eq!(a.amount_due(), a.total);
            assert_eq!(a.customer_balance_applied(), 0);
        }
    }

    #[test]
    fn unknown_references_name_the_parameter() {
        let c = Catalog::new();
        let err = c
            .amounts(&[subscribe(&[("p1000", 1), ("nope", 1)])])
            .unwrap_err();
        assert_eq!(
            err,
            AmountError::UnknownPrice {
                action: 0,
                item: 1,
                price: "nope".into()
            }
        );
        assert_eq!(
            err.param().as_deref(),
            Some("actions[0].subscribe.v1_subscription_details.items[1].price")
        );
        let err = c
            .amounts(&[subscribe(&[("p1000", 1)]), discount("gone")])
            .unwrap_err();
        assert_eq!(
            err.param().as_deref(),
            Some("actions[1].apply.discount.coupon")
        );
        assert!(matches!(err, AmountError::UnknownCoupon { .. }));
    }

    #[test]
    fn currencies_must_match_the_intent() {
        let c = Catalog::new();
        assert!(matches!(
            c.amounts(&[subscribe(&[("peur", 1)])]),
            Err(AmountError::PriceCurrency { .. })
        ));
        assert!(matches!(
            c.amounts(&[subscribe(&[("p1000", 1)]), discount("eur5")]),
            Err(AmountError::CouponCurrency { .. })
        ));
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let c = Catalog::new();
        assert_eq!(
            c.amounts(&[subscribe(&[("p1000", i64::MAX)])]),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            c.amounts(&[subscribe(&[("pbig", 1), ("pbig", 1)])]),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            c.amounts(&[subscribe(&[("pbig", 1)]), discount("half")])
                .map(|a| a.discount),
            Err(AmountError::Overflow),
            "percent math on a huge subtotal overflows in the scaled product"
        );
    }

    fn with_total(total: i64) -> AmountDetails {
        AmountDetails {
            subtotal: total,
            total,
            ..AmountDetails::default()
        }
    }

    #[test]
    fn reservable_amounts_respect_the_charge_limits() {
        assert_eq!(check_reservable("usd", &with_total(0)), Ok(()));
        assert_eq!(
            check_reservable("usd", &with_total(1)),
            Err(ReserveAmountError::TooSmall {
                due: 1,
                minimum: 50
            })
        );
        assert_eq!(
            check_reservable("usd", &with_total(49)).map_err(|e| e.code()),
            Err("amount_too_small")
        );
        assert_eq!(check_reservable("usd", &with_total(50)), Ok(()));
        assert_eq!(check_reservable("gbp", &with_total(30)), Ok(()));
        assert!(check_reservable("huf", &with_total(17_499)).is_err());
        assert_eq!(check_reservable("usd", &with_total(MAXIMUM_AMOUNT)), Ok(()));
        assert_eq!(
            check_reservable("usd", &with_total(MAXIMUM_AMOUNT + 1)).map_err(|e| e.code()),
            Err("amount_too_large")
        );
    }
}

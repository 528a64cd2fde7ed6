//! Billing Intents (`v2.billing.intent`) and their actions: the data, the draft → reserve →
//! commit state machine and the amount arithmetic.
//!
//! Pure rules only: no HTTP types, no JSON, no clock reads (callers pass `now`), no store.
//! [`next_status`] is the whole state machine as one `match` without a catch-all arm, so a new
//! status or operation does not compile until every pair is decided; [`compute_amounts`] and
//! [`check_reservable`] are the money rules, in checked `i64` minor units.

use chrono::{DateTime, Utc};

use crate::domain::cadence::CadenceData;
use crate::domain::catalog::{Coupon, CouponValue, Metadata, Price};
use crate::domain::money::{MAXIMUM_AMOUNT, minimum_charge_amount};

/// Where an intent is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntentStatus {
    /// Created, editable, not holding anything.
    Draft,
    /// Amounts checked and held; can be committed, released or canceled.
    Reserved,
    /// Applied (terminal).
    Committed,
    /// Abandoned (terminal).
    Canceled,
}

impl IntentStatus {
    /// Every status, for table tests.
    pub const ALL: [IntentStatus; 4] = [
        IntentStatus::Draft,
        IntentStatus::Reserved,
        IntentStatus::Committed,
        IntentStatus::Canceled,
    ];

    /// Stripe's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IntentStatus::Draft => "draft",
            IntentStatus::Reserved => "reserved",
            IntentStatus::Committed => "committed",
            IntentStatus::Canceled => "canceled",
        }
    }
}

/// A state-changing call on an intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST …/reserve`
    Reserve,
    /// `POST …/release_reservation`
    ReleaseReservation,
    /// `POST …/commit`
    Commit,
    /// `POST …/cancel`
    Cancel,
}

impl Operation {
    /// Every operation, for table tests.
    pub const ALL: [Operation; 4] = [
        Operation::Reserve,
        Operation::ReleaseReservation,
        Operation::Commit,
        Operation::Cancel,
    ];
}

/// An operation that is not allowed in the intent's current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionError {
    /// The intent's status.
    pub from: IntentStatus,
    /// What was attempted.
    pub operation: Operation,
}

impl TransitionError {
    /// Stripe's error code: the three documented `invalid_status_for_*` codes, and
    /// `invalid_status_for_cancel` by analogy (the cancel docs show no code).
    pub fn code(&self) -> &'static str {
        match self.operation {
            Operation::Reserve => "invalid_status_for_reserve",
            Operation::ReleaseReservation => "invalid_status_for_release",
            Operation::Commit => "invalid_status_for_commit",
            Operation::Cancel => "invalid_status_for_cancel",
        }
    }

    /// A sentence for the error body.
    pub fn message(&self) -> String {
        let (verb, allowed) = match self.operation {
            Operation::Reserve => ("reserved", "'draft'"),
            Operation::ReleaseReservation => ("released", "'reserved'"),
            Operation::Commit => ("committed", "'reserved'"),
            Operation::Cancel => ("canceled", "'draft' or 'reserved'"),
        };
        format!(
            "A billing intent must be in status {allowed} to be {verb}; its current status is '{}'.",
            self.from.as_str()
        )
    }
}

/// The state machine: the status after `operation`, or why it is not allowed.
///
/// # Errors
/// [`TransitionError`] when `operation` is not allowed from `from`.
pub fn next_status(
    from: IntentStatus,
    operation: Operation,
) -> Result<IntentStatus, TransitionError> {
    use IntentStatus::{Canceled, Committed, Draft, Reserved};
    use Operation::{Cancel, Commit, ReleaseReservation, Reserve};
    let refused = Err(TransitionError { from, operation });
    match (from, operation) {
        (Draft, Reserve) => Ok(Reserved),
        (Reserved | Committed | Canceled, Reserve) => refused,
        (Reserved, ReleaseReservation) => Ok(Draft),
        (Draft | Committed | Canceled, ReleaseReservation) => refused,
        (Reserved, Commit) => Ok(Committed),
        (Draft | Committed | Canceled, Commit) => refused,
        (Draft | Reserved, Cancel) => Ok(Canceled),
        (Committed | Canceled, Cancel) => refused,
    }
}

/// When the intent entered each status (`null` until it did).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusTransitions {
    /// Creation; kept through release.
    pub drafted_at: Option<DateTime<Utc>>,
    /// Last reserve; cleared by release.
    pub reserved_at: Option<DateTime<Utc>>,
    /// Commit.
    pub committed_at: Option<DateTime<Utc>>,
    /// Cancel.
    pub canceled_at: Option<DateTime<Utc>>,
}

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

/// When an action takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveAt {
    /// `on_reserve`, `current_billing_period_start`, `timestamp`, …
    pub kind: &'static str,
    /// For `timestamp` only.
    pub timestamp: Option<DateTime<Utc>>,
}

impl EffectiveAt {
    /// Stripe's default for every action: `on_reserve`.
    pub fn on_reserve() -> Self {
        EffectiveAt {
            kind: "on_reserve",
            timestamp: None,
        }
    }
}

/// A pricing plan component setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentConfiguration {
    /// Lookup key of the component.
    pub lookup_key: Option<String>,
    /// Component id.
    pub pricing_plan_component: Option<String>,
    /// Quantity.
    pub quantity: Option<i64>,
}

/// License-fee proration settings of a partial period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseFeeBehavior {
    /// `none` or `prorated` (modify, deactivate).
    pub credit_proration_behavior: Option<&'static str>,
    /// `none` or `prorated` (subscribe, modify).
    pub debit_proration_behavior: Option<&'static str>,
}

/// How one kind of component behaves in a partial period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialPeriodBehavior {
    /// `license_fee` or `recurring_credit_grant`.
    pub kind: &'static str,
    /// License-fee settings.
    pub license_fee: Option<LicenseFeeBehavior>,
    /// `full_credits` or `none`, for recurring credit grants.
    pub recurring_credit_grant: Option<&'static str>,
}

/// Behaviour overrides of a pricing plan subscription change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overrides {
    /// One entry per overridden behaviour.
    pub partial_period_behaviors: Vec<PartialPeriodBehavior>,
}

/// One item of a v1 subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Item {
    /// `price_…`
    pub price: String,
    /// Units; defaults to 1.
    pub quantity: i64,
    /// Key-value pairs.
    pub metadata: Option<Metadata>,
}

/// A v1 subscription to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1SubscriptionDetails {
    /// Displayable description.
    pub description: Option<String>,
    /// Up to 20 items.
    pub items: Vec<V1Item>,
    /// Key-value pairs.
    pub metadata: Option<Metadata>,
}

/// A pricing plan to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingPlanSubscribe {
    /// Plan id.
    pub pricing_plan: String,
    /// Plan version.
    pub pricing_plan_version: String,
    /// Component settings.
    pub component_configurations: Vec<ComponentConfiguration>,
    /// Key-value pairs.
    pub metadata: Option<Metadata>,
    /// Behaviour overrides.
    pub overrides: Option<Overrides>,
}

/// `subscribe`: start a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribe {
    /// `pricing_plan_subscription_details` or `v1_subscription_details`.
    pub kind: &'static str,
    /// `on_effective_at` (default) or `next_billing_date`.
    pub collect_at: &'static str,
    /// Default `on_reserve`.
    pub effective_at: EffectiveAt,
    /// For type `pricing_plan_subscription_details`.
    pub pricing_plan_subscription_details: Option<Box<PricingPlanSubscribe>>,
    /// For type `v1_subscription_details`.
    pub v1_subscription_details: Option<V1SubscriptionDetails>,
    /// `billing_details.proration_behavior` of preview versions up to 2025-10-29
    /// (`no_adjustment` or `prorated_adjustment`), echoed when given.
    pub proration_behavior: Option<&'static str>,
}

/// A pricing plan subscription to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingPlanModify {
    /// The subscription.
    pub pricing_plan_subscription: String,
    /// New plan, if changing plans.
    pub new_pricing_plan: Option<String>,
    /// New plan version.
    pub new_pricing_plan_version: Option<String>,
    /// New component settings.
    pub component_configurations: Vec<ComponentConfiguration>,
    /// Behaviour overrides.
    pub overrides: Option<Overrides>,
}

/// `modify`: change a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modify {
    /// `pricing_plan_subscription_details` or `v1_subscription_details`.
    pub kind: &'static str,
    /// `next_billing_date` (default) or `on_effective_at`.
    pub collect_at: &'static str,
    /// Default `on_reserve`.
    pub effective_at: EffectiveAt,
    /// The subscription and its changes.
    pub pricing_plan_subscription_details: Box<PricingPlanModify>,
    /// `billing_details.proration_behavior` of preview versions up to 2025-10-29
    /// (`no_adjustment` or `prorated_adjustment`), echoed when given.
    pub proration_behavior: Option<&'static str>,
}

/// Why a subscription is being deactivated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationDetails {
    /// Free text.
    pub comment: Option<String>,
    /// `customer_service`, `too_expensive`, …
    pub feedback: Option<&'static str>,
}

/// A pricing plan subscription to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingPlanDeactivate {
    /// The subscription.
    pub pricing_plan_subscription: String,
    /// Behaviour overrides.
    pub overrides: Option<Overrides>,
}

/// `deactivate`: end a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deactivate {
    /// `pricing_plan_subscription_details` or `v1_subscription_details`.
    pub kind: &'static str,
    /// `on_effective_at` (default) or `next_billing_date`.
    pub collect_at: &'static str,
    /// Default `on_reserve`.
    pub effective_at: EffectiveAt,
    /// Why.
    pub cancellation_details: Option<CancellationDetails>,
    /// The subscription.
    pub pricing_plan_subscription_details: PricingPlanDeactivate,
    /// `billing_details.proration_behavior` of preview versions up to 2025-10-29
    /// (`no_adjustment` or `prorated_adjustment`), echoed when given.
    pub proration_behavior: Option<&'static str>,
}

/// A coupon or promotion code to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountApply {
    /// `coupon` or `promotion_code`.
    pub kind: &'static str,
    /// Coupon id (type `coupon`).
    pub coupon: Option<String>,
    /// Promotion code id (type `promotion_code`; not modelled, contributes nothing).
    pub promotion_code: Option<String>,
}

/// A percentage discount rule on future invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PercentOffRule {
    /// Decimal string, e.g. `"50.0"`.
    pub percent_off: String,
    /// `indefinite`.
    pub maximum_applications: &'static str,
}

/// A discount rule applied to the cadence's future invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDiscountRule {
    /// `cadence`.
    pub applies_to: &'static str,
    /// `percent_off`.
    pub kind: &'static str,
    /// The percentage.
    pub percent_off: Option<PercentOffRule>,
}

/// The cap of a spend modifier, in a custom pricing unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxBillingPeriodSpend {
    /// `custom_pricing_unit`.
    pub amount_kind: &'static str,
    /// The unit's id.
    pub custom_pricing_unit_id: Option<String>,
    /// The cap, as a decimal string.
    pub custom_pricing_unit_value: Option<String>,
    /// Overage rate id.
    pub overage_rate: String,
}

/// A spend modifier rule on the cadence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendModifierRule {
    /// `cadence`.
    pub applies_to: &'static str,
    /// `max_billing_period_spend`.
    pub kind: &'static str,
    /// The cap.
    pub max_billing_period_spend: Option<MaxBillingPeriodSpend>,
}

/// `apply`: add an adjustment such as a discount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apply {
    /// `discount`, `invoice_discount_rule` or `spend_modifier_rule`.
    pub kind: &'static str,
    /// Default `on_reserve`.
    pub effective_at: EffectiveAt,
    /// For type `discount`.
    pub discount: Option<DiscountApply>,
    /// For type `invoice_discount_rule`.
    pub invoice_discount_rule: Option<Box<InvoiceDiscountRule>>,
    /// For type `spend_modifier_rule`.
    pub spend_modifier_rule: Option<Box<SpendModifierRule>>,
}

/// `remove`: remove an adjustment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remove {
    /// `invoice_discount_rule` or `spend_modifier_rule`.
    pub kind: &'static str,
    /// `on_reserve` (default) or `current_billing_period_end`.
    pub effective_at: &'static str,
    /// Rule id (type `invoice_discount_rule`).
    pub invoice_discount_rule: Option<String>,
    /// Rule id (type `spend_modifier_rule`).
    pub spend_modifier_rule: Option<String>,
}

/// What an action does; the variant is the action's `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionDetails {
    /// `apply`
    Apply(Apply),
    /// `deactivate`
    Deactivate(Deactivate),
    /// `modify`
    Modify(Modify),
    /// `remove`
    Remove(Remove),
    /// `subscribe`
    Subscribe(Subscribe),
}

impl ActionDetails {
    /// Every action type's wire name.
    pub const TYPES: &'static [&'static str] =
        &["apply", "deactivate", "modify", "remove", "subscribe"];

    /// The action's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            ActionDetails::Apply(_) => "apply",
            ActionDetails::Deactivate(_) => "deactivate",
            ActionDetails::Modify(_) => "modify",
            ActionDetails::Remove(_) => "remove",
            ActionDetails::Subscribe(_) => "subscribe",
        }
    }
}

impl ActionDetails {
    /// The `effective_at.type` of the action.
    pub fn effective_kind(&self) -> &'static str {
        match self {
            ActionDetails::Apply(a) => a.effective_at.kind,
            ActionDetails::Deactivate(d) => d.effective_at.kind,
            ActionDetails::Modify(m) => m.effective_at.kind,
            ActionDetails::Remove(r) => r.effective_at,
            ActionDetails::Subscribe(s) => s.effective_at.kind,
        }
    }
}

/// One action of an intent (`v2.billing.intent_action`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentAction {
    /// `bilinti_…`
    pub id: String,
    /// The intent's creation instant.
    pub created: DateTime<Utc>,
    /// The intent's mode.
    pub livemode: bool,
    /// What it does.
    pub details: ActionDetails,
}

/// A billing intent with its actions (in request order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingIntent {
    /// `bilint_…`
    pub id: String,
    /// Creation instant.
    pub created: DateTime<Utc>,
    /// Live or test, from the key.
    pub livemode: bool,
    /// Lowercase ISO currency.
    pub currency: String,
    /// `bc_…`: given at creation, or created from `cadence_data` at commit.
    pub cadence: Option<String>,
    /// The cadence to create at commit. Boxed: most intents have none, and inline it would
    /// nearly double the size of every stored intent.
    pub cadence_data: Option<Box<CadenceData>>,
    /// Amounts as last computed (create, reserve).
    pub amount_details: AmountDetails,
    /// Lifecycle status.
    pub status: IntentStatus,
    /// Status timestamps.
    pub status_transitions: StatusTransitions,
    /// The actions, in request order.
    pub actions: Vec<IntentAction>,
}

/// How long an intent stays valid: `status_transitions.expires_at` = `created` + this. No
/// source says; the mock never expires an intent by itself.
pub const INTENT_LIFETIME_HOURS: i64 = 24;

impl BillingIntent {
    /// Applies `operation` at `now`: the new status and its timestamp.
    ///
    /// # Errors
    /// [`TransitionError`] when the operation is not allowed; nothing changes then.
    pub fn transition(
        &mut self,
        operation: Operation,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        self.status = next_status(self.status, operation)?;
        let t = &mut self.status_transitions;
        match operation {
            Operation::Reserve => t.reserved_at = Some(now),
            // Back to draft: the seed example shows `reserved_at: null` and the original
            // `drafted_at`.
            Operation::ReleaseReservation => t.reserved_at = None,
            Operation::Commit => t.committed_at = Some(now),
            Operation::Cancel => t.canceled_at = Some(now),
        }
        Ok(())
    }

    /// `status_transitions.expires_at` (`created` itself at the very end of chrono's range,
    /// where adding a day would overflow).
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.created
            .checked_add_signed(chrono::TimeDelta::hours(INTENT_LIFETIME_HOURS))
            .unwrap_or(self.created)
    }

    /// The intent-level `effective_at` of the `2025-07-30.preview` shape
    /// (`current_billing_period_start`, `on_commit` or `on_reserve`): the first action's, when it
    /// is one of those, else `on_reserve`, the actions' default.
    pub fn effective_at(&self) -> &'static str {
        match self.actions.first().map(|a| a.details.effective_kind()) {
            Some(kind @ ("current_billing_period_start" | "on_reserve")) => kind,
            _ => "on_reserve",
        }
    }

    /// The action with `id`, if it belongs to this intent.
    pub fn action(&self, id: &str) -> Option<&IntentAction> {
        self.actions.iter().find(|a| a.id == id)
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
mod tests {
    use std::collections::HashMap;

    use chrono::TimeZone;

    use super::*;
    use crate::domain::catalog::Percent;

    use IntentStatus::{Canceled, Committed, Draft, Reserved};
    use Operation::{Cancel, Commit, ReleaseReservation, Reserve};

    #[test]
    fn every_status_and_operation_pair_has_the_documented_outcome() {
        let table: [(IntentStatus, Operation, Option<IntentStatus>); 16] = [
            (Draft, Reserve, Some(Reserved)),
            (Reserved, Reserve, None),
            (Committed, Reserve, None),
            (Canceled, Reserve, None),
            (Draft, ReleaseReservation, None),
            (Reserved, ReleaseReservation, Some(Draft)),
            (Committed, ReleaseReservation, None),
            (Canceled, ReleaseReservation, None),
            (Draft, Commit, None),
            (Reserved, Commit, Some(Committed)),
            (Committed, Commit, None),
            (Canceled, Commit, None),
            (Draft, Cancel, Some(Canceled)),
            (Reserved, Cancel, Some(Canceled)),
            (Committed, Cancel, None),
            (Canceled, Cancel, None),
        ];
        // The table covers every pair exactly once.
        for s in IntentStatus::ALL {
            for op in Operation::ALL {
                assert_eq!(
                    table
                        .iter()
                        .filter(|(ts, top, _)| *ts == s && *top == op)
                        .count(),
                    1,
                    "{s:?} {op:?}"
                );
            }
        }
        for (from, op, expected) in table {
            let got = next_status(from, op);
            match expected {
                Some(to) => assert_eq!(got, Ok(to), "{from:?} {op:?}"),
                None => assert_eq!(
                    got,
                    Err(TransitionError {
                        from,
                        operation: op
                    }),
                    "{from:?} {op:?}"
                ),
            }
        }
    }

    #[test]
    fn refusals_carry_the_documented_codes() {
        let codes: Vec<&str> = Operation::ALL
            .iter()
            .map(|&operation| {
                TransitionError {
                    from: Canceled,
                    operation,
                }
                .code()
            })
            .collect();
        assert_eq!(
            codes,
            [
                "invalid_status_for_reserve",
                "invalid_status_for_release",
                "invalid_status_for_commit",
                "invalid_status_for_cancel"
            ]
        );
        let msg = TransitionError {
            from: Committed,
            operation: Reserve,
        }
        .message();
        assert!(
            msg.contains("'draft'") && msg.contains("'committed'"),
            "{msg}"
        );
    }

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, day, 0, 0, 0)
            .single()
            .expect("valid")
    }

    fn intent() -> BillingIntent {
        BillingIntent {
            id: "bilint_1".into(),
            created: at(1),
            livemode: false,
            currency: "usd".into(),
            cadence: None,
            cadence_data: None,
            amount_details: AmountDetails::default(),
            status: Draft,
            status_transitions: StatusTransitions {
                drafted_at: Some(at(1)),
                reserved_at: None,
                committed_at: None,
                canceled_at: None,
            },
            actions: Vec::new(),
        }
    }

    #[test]
    fn transitions_stamp_their_timestamps() {
        let mut i = intent();
        i.transition(Reserve, at(2)).expect("reserve");
        assert_eq!(i.status_transitions.reserved_at, Some(at(2)));
        i.transition(ReleaseReservation, at(3)).expect("release");
        assert_eq!(i.status, Draft);
        assert_eq!(i.status_transitions.reserved_at, None);
        assert_eq!(i.status_transitions.drafted_at, Some(at(1)));
        i.transition(Reserve, at(4)).expect("reserve again");
        assert_eq!(i.status_transitions.reserved_at, Some(at(4)));
        i.transition(Commit, at(5)).expect("commit");
        assert_eq!(i.status, Committed);
        assert_eq!(i.status_transitions.committed_at, Some(at(5)));
        assert_eq!(i.status_transitions.reserved_at, Some(at(4)));
        assert_eq!(i.expires_at(), at(2));
        i.created = DateTime::<Utc>::MAX_UTC;
        assert_eq!(i.expires_at(), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn the_intent_takes_effect_when_its_first_action_does() {
        let mut i = intent();
        assert_eq!(i.effective_at(), "on_reserve");
        let mut first = subscribe(&[("p1000", 1)]);
        if let ActionDetails::Subscribe(s) = &mut first {
            s.effective_at.kind = "current_billing_period_start";
        }
        i.actions.push(IntentAction {
            id: "bilinti_1".into(),
            created: at(1),
            livemode: false,
            details: first,
        });
        assert_eq!(i.effective_at(), "current_billing_period_start");
        if let ActionDetails::Subscribe(s) = &mut i.actions[0].details {
            s.effective_at.kind = "timestamp";
        }
        assert_eq!(i.effective_at(), "on_reserve");
        assert!(i.action("bilinti_1").is_some());
        assert!(i.action("bilinti_2").is_none());
    }

    #[test]
    fn a_refused_transition_changes_nothing() {
        let mut i = intent();
        let before = i.clone();
        assert!(i.transition(Commit, at(2)).is_err());
        assert_eq!(i, before);
        i.transition(Cancel, at(3)).expect("cancel");
        assert_eq!(i.status_transitions.canceled_at, Some(at(3)));
        let canceled = i.clone();
        assert!(i.transition(Cancel, at(4)).is_err());
        assert_eq!(i, canceled);
    }

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

    fn subscribe(items: &[(&str, i64)]) -> ActionDetails {
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

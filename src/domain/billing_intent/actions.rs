//! The actions of an intent (`subscribe`, `modify`, `deactivate`, `apply`, `remove`) and
//! when each takes effect: plain data, validated by the HTTP layer's parameter types.

use chrono::{DateTime, Utc};

use crate::domain::catalog::Metadata;

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

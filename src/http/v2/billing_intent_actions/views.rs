//! The action views (`v2.billing.intent_action`): the sub-object named by `type` echoes what
//! was created, defaults filled in; the other four are `null`. Which fields each sub-object
//! has follows the request's version ([`Shape`]): an action created in one version reads in
//! the fields of another (a `collect_at` default where `billing_details` was sent, and the
//! reverse).

use serde::Serialize;

use crate::domain::billing_intent::{
    ActionDetails, Apply, ComponentConfiguration, Deactivate, EffectiveAt, IntentAction, Modify,
    Overrides, Remove, Subscribe,
};
use crate::domain::catalog::Metadata;

use super::super::{Shape, Timestamp, timestamp};

/// Which action a `partial_period_behaviors` entry belongs to: each shows its own fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BehaviorOf {
    Subscribe,
    Modify,
    Deactivate,
}

#[derive(Debug, Serialize)]
struct EffectiveAtView {
    #[serde(rename = "type")]
    kind: &'static str,
    timestamp: Option<Timestamp>,
}

impl From<&EffectiveAt> for EffectiveAtView {
    fn from(e: &EffectiveAt) -> Self {
        EffectiveAtView {
            kind: e.kind,
            timestamp: e.timestamp.map(timestamp),
        }
    }
}

#[derive(Debug, Serialize)]
struct ComponentView<'a> {
    lookup_key: Option<&'a str>,
    pricing_plan_component: Option<&'a str>,
    quantity: Option<i64>,
}

fn components(c: &[ComponentConfiguration]) -> Vec<ComponentView<'_>> {
    c.iter()
        .map(|c| ComponentView {
            lookup_key: c.lookup_key.as_deref(),
            pricing_plan_component: c.pricing_plan_component.as_deref(),
            quantity: c.quantity,
        })
        .collect()
}

/// `license_fee` of a behaviour: subscribe shows only the debit side, deactivate only the
/// credit side, modify both (the parameters make the shown sides required).
#[derive(Debug, Serialize)]
struct LicenseFeeView {
    #[serde(skip_serializing_if = "Option::is_none")]
    credit_proration_behavior: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    debit_proration_behavior: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct CreditGrantView {
    create_behavior: &'static str,
}

#[derive(Debug, Serialize)]
struct BehaviorView {
    #[serde(rename = "type")]
    kind: &'static str,
    license_fee: Option<LicenseFeeView>,
    /// Absent on deactivate actions, whose behaviours have no credit grants, and in versions
    /// without credit grants.
    #[serde(skip_serializing_if = "Option::is_none")]
    recurring_credit_grant: Option<Option<CreditGrantView>>,
}

#[derive(Debug, Serialize)]
struct OverridesView {
    partial_period_behaviors: Vec<BehaviorView>,
}

/// `overrides` of pricing plan details: absent (`None`) in versions before `collect_at`.
fn overrides(o: Option<&Overrides>, of: BehaviorOf, shape: Shape) -> Option<Option<OverridesView>> {
    shape.collect_at.then(|| overrides_view(o, of, shape))
}

fn overrides_view(o: Option<&Overrides>, of: BehaviorOf, shape: Shape) -> Option<OverridesView> {
    o.map(|o| OverridesView {
        partial_period_behaviors: o
            .partial_period_behaviors
            .iter()
            .map(|b| BehaviorView {
                kind: b.kind,
                license_fee: b.license_fee.as_ref().map(|l| LicenseFeeView {
                    credit_proration_behavior: l.credit_proration_behavior,
                    debit_proration_behavior: l.debit_proration_behavior,
                }),
                recurring_credit_grant: match of {
                    _ if !shape.apply_discount => None,
                    BehaviorOf::Deactivate => None,
                    BehaviorOf::Subscribe | BehaviorOf::Modify => Some(
                        b.recurring_credit_grant
                            .map(|create_behavior| CreditGrantView { create_behavior }),
                    ),
                },
            })
            .collect(),
    })
}

#[derive(Debug, Serialize)]
struct ItemView<'a> {
    metadata: Option<&'a Metadata>,
    price: &'a str,
    quantity: Option<i64>,
}

#[derive(Debug, Serialize)]
struct V1DetailsView<'a> {
    description: Option<&'a str>,
    items: Vec<ItemView<'a>>,
    metadata: Option<&'a Metadata>,
}

#[derive(Debug, Serialize)]
struct PlanSubscribeView<'a> {
    component_configurations: Vec<ComponentView<'a>>,
    metadata: Option<&'a Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overrides: Option<Option<OverridesView>>,
    pricing_plan: &'a str,
    pricing_plan_subscription: Option<&'a str>,
    pricing_plan_version: &'a str,
}

/// `billing_details` of the versions before `collect_at`: the proration behaviour the action
/// was created with, or `null`.
#[derive(Debug, Serialize)]
struct BillingDetailsView {
    proration_behavior: Option<&'static str>,
}

/// `billing_details` and `collect_at`: the one the version has.
fn collection(
    proration_behavior: Option<&'static str>,
    collect_at: &'static str,
    shape: Shape,
) -> (Option<BillingDetailsView>, Option<&'static str>) {
    if shape.collect_at {
        (None, Some(collect_at))
    } else {
        (Some(BillingDetailsView { proration_behavior }), None)
    }
}

#[derive(Debug, Serialize)]
struct SubscribeView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_details: Option<BillingDetailsView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collect_at: Option<&'static str>,
    effective_at: EffectiveAtView,
    pricing_plan_subscription_details: Option<PlanSubscribeView<'a>>,
    v1_subscription_details: Option<V1DetailsView<'a>>,
}

impl<'a> SubscribeView<'a> {
    fn new(s: &'a Subscribe, shape: Shape) -> Self {
        let (billing_details, collect_at) = collection(s.proration_behavior, s.collect_at, shape);
        SubscribeView {
            kind: s.kind,
            billing_details,
            collect_at,
            effective_at: (&s.effective_at).into(),
            pricing_plan_subscription_details: s.pricing_plan_subscription_details.as_ref().map(
                |d| PlanSubscribeView {
                    component_configurations: components(&d.component_configurations),
                    metadata: d.metadata.as_ref(),
                    overrides: overrides(d.overrides.as_ref(), BehaviorOf::Subscribe, shape),
                    pricing_plan: &d.pricing_plan,
                    // Pricing plan subscriptions are not modelled, so none is created at commit.
                    pricing_plan_subscription: None,
                    pricing_plan_version: &d.pricing_plan_version,
                },
            ),
            v1_subscription_details: s.v1_subscription_details.as_ref().map(|d| V1DetailsView {
                description: d.description.as_deref(),
                items: d
                    .items
                    .iter()
                    .map(|i| ItemView {
                        metadata: i.metadata.as_ref(),
                        price: &i.price,
                        quantity: Some(i.quantity),
                    })
                    .collect(),
                metadata: d.metadata.as_ref(),
            }),
        }
    }
}

#[derive(Debug, Serialize)]
struct PlanModifyView<'a> {
    component_configurations: Vec<ComponentView<'a>>,
    new_pricing_plan: Option<&'a str>,
    new_pricing_plan_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overrides: Option<Option<OverridesView>>,
    pricing_plan_subscription: &'a str,
}

#[derive(Debug, Serialize)]
struct ModifyView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_details: Option<BillingDetailsView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collect_at: Option<&'static str>,
    effective_at: EffectiveAtView,
    pricing_plan_subscription_details: Option<PlanModifyView<'a>>,
}

impl<'a> ModifyView<'a> {
    fn new(m: &'a Modify, shape: Shape) -> Self {
        let d = &m.pricing_plan_subscription_details;
        let (billing_details, collect_at) = collection(m.proration_behavior, m.collect_at, shape);
        ModifyView {
            kind: m.kind,
            billing_details,
            collect_at,
            effective_at: (&m.effective_at).into(),
            pricing_plan_subscription_details: Some(PlanModifyView {
                component_configurations: components(&d.component_configurations),
                new_pricing_plan: d.new_pricing_plan.as_deref(),
                new_pricing_plan_version: d.new_pricing_plan_version.as_deref(),
                overrides: overrides(d.overrides.as_ref(), BehaviorOf::Modify, shape),
                pricing_plan_subscription: &d.pricing_plan_subscription,
            }),
        }
    }
}

#[derive(Debug, Serialize)]
struct CancellationDetailsView<'a> {
    comment: Option<&'a str>,
    feedback: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct PlanDeactivateView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    overrides: Option<Option<OverridesView>>,
    pricing_plan_subscription: &'a str,
}

#[derive(Debug, Serialize)]
struct DeactivateView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_details: Option<BillingDetailsView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancellation_details: Option<Option<CancellationDetailsView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collect_at: Option<&'static str>,
    effective_at: EffectiveAtView,
    pricing_plan_subscription_details: Option<PlanDeactivateView<'a>>,
}

impl<'a> DeactivateView<'a> {
    fn new(d: &'a Deactivate, shape: Shape) -> Self {
        let p = &d.pricing_plan_subscription_details;
        let (billing_details, collect_at) = collection(d.proration_behavior, d.collect_at, shape);
        DeactivateView {
            kind: d.kind,
            billing_details,
            cancellation_details: shape.spend_modifier_rules.then(|| {
                d.cancellation_details
                    .as_ref()
                    .map(|c| CancellationDetailsView {
                        comment: c.comment.as_deref(),
                        feedback: c.feedback,
                    })
            }),
            collect_at,
            effective_at: (&d.effective_at).into(),
            pricing_plan_subscription_details: Some(PlanDeactivateView {
                overrides: overrides(p.overrides.as_ref(), BehaviorOf::Deactivate, shape),
                pricing_plan_subscription: &p.pricing_plan_subscription,
            }),
        }
    }
}

#[derive(Debug, Serialize)]
struct DiscountView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    coupon: Option<&'a str>,
    discount: Option<()>,
    promotion_code: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct MaximumApplicationsView {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct PercentOffView<'a> {
    maximum_applications: MaximumApplicationsView,
    percent_off: &'a str,
}

#[derive(Debug, Serialize)]
struct InvoiceDiscountRuleView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    applies_to: &'static str,
    invoice_discount_rule: Option<()>,
    percent_off: Option<PercentOffView<'a>>,
}

#[derive(Debug, Serialize)]
struct CustomPricingUnitView<'a> {
    id: Option<&'a str>,
    value: &'a str,
}

#[derive(Debug, Serialize)]
struct SpendAmountView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    custom_pricing_unit: Option<CustomPricingUnitView<'a>>,
}

#[derive(Debug, Serialize)]
struct OverageRateView<'a> {
    id: &'a str,
}

#[derive(Debug, Serialize)]
struct MaxSpendView<'a> {
    amount: SpendAmountView<'a>,
    custom_pricing_unit_overage_rate: OverageRateView<'a>,
}

#[derive(Debug, Serialize)]
struct SpendModifierRuleView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    applies_to: &'static str,
    id: Option<()>,
    max_billing_period_spend: Option<MaxSpendView<'a>>,
}

/// An apply action; `discount`, `effective_at` and `spend_modifier_rule` only in the versions
/// that have them.
#[derive(Debug, Serialize)]
struct ApplyView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    discount: Option<Option<DiscountView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    effective_at: Option<EffectiveAtView>,
    invoice_discount_rule: Option<InvoiceDiscountRuleView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spend_modifier_rule: Option<Option<SpendModifierRuleView<'a>>>,
}

impl<'a> ApplyView<'a> {
    fn new(a: &'a Apply, shape: Shape) -> Self {
        ApplyView {
            kind: a.kind,
            discount: shape.apply_discount.then(|| {
                a.discount.as_ref().map(|d| DiscountView {
                    kind: d.kind,
                    coupon: d.coupon.as_deref(),
                    // Discount objects are not created by the mock.
                    discount: None,
                    promotion_code: d.promotion_code.as_deref(),
                })
            }),
            effective_at: shape.spend_modifier_rules.then(|| (&a.effective_at).into()),
            invoice_discount_rule: a.invoice_discount_rule.as_ref().map(|r| {
                InvoiceDiscountRuleView {
                    kind: r.kind,
                    applies_to: r.applies_to,
                    invoice_discount_rule: None,
                    percent_off: r.percent_off.as_ref().map(|p| PercentOffView {
                        maximum_applications: MaximumApplicationsView {
                            kind: p.maximum_applications,
                        },
                        percent_off: &p.percent_off,
                    }),
                }
            }),
            spend_modifier_rule: shape.spend_modifier_rules.then(|| {
                a.spend_modifier_rule
                    .as_ref()
                    .map(|r| SpendModifierRuleView {
                        kind: r.kind,
                        applies_to: r.applies_to,
                        id: None,
                        max_billing_period_spend: r.max_billing_period_spend.as_ref().map(|m| {
                            MaxSpendView {
                                amount: SpendAmountView {
                                    kind: m.amount_kind,
                                    custom_pricing_unit: m
                                        .custom_pricing_unit_value
                                        .as_deref()
                                        .map(|value| CustomPricingUnitView {
                                            id: m.custom_pricing_unit_id.as_deref(),
                                            value,
                                        }),
                                },
                                custom_pricing_unit_overage_rate: OverageRateView {
                                    id: &m.overage_rate,
                                },
                            }
                        }),
                    })
            }),
        }
    }
}

#[derive(Debug, Serialize)]
struct RemoveEffectiveAtView {
    #[serde(rename = "type")]
    kind: &'static str,
}

/// A remove action; `effective_at` and `spend_modifier_rule` only in the versions that have
/// them.
#[derive(Debug, Serialize)]
struct RemoveView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    effective_at: Option<RemoveEffectiveAtView>,
    invoice_discount_rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spend_modifier_rule: Option<Option<&'a str>>,
}

impl<'a> RemoveView<'a> {
    fn new(r: &'a Remove, shape: Shape) -> Self {
        let rules = shape.spend_modifier_rules;
        RemoveView {
            kind: r.kind,
            effective_at: rules.then_some(RemoveEffectiveAtView {
                kind: r.effective_at,
            }),
            invoice_discount_rule: r.invoice_discount_rule.as_deref(),
            spend_modifier_rule: rules.then_some(r.spend_modifier_rule.as_deref()),
        }
    }
}

/// Intent action in Stripe's shape (`v2.billing.intent_action`).
#[derive(Debug, Serialize)]
pub struct ActionView<'a> {
    created: Timestamp,
    id: &'a str,
    object: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    livemode: bool,
    apply: Option<ApplyView<'a>>,
    deactivate: Option<DeactivateView<'a>>,
    modify: Option<ModifyView<'a>>,
    remove: Option<RemoveView<'a>>,
    subscribe: Option<SubscribeView<'a>>,
}

impl<'a> ActionView<'a> {
    /// `a` as a response of the version that `shape` describes.
    pub fn new(a: &'a IntentAction, shape: Shape) -> Self {
        let mut view = ActionView {
            created: timestamp(a.created),
            id: &a.id,
            object: "v2.billing.intent_action",
            kind: a.details.kind(),
            livemode: a.livemode,
            apply: None,
            deactivate: None,
            modify: None,
            remove: None,
            subscribe: None,
        };
        match &a.details {
            ActionDetails::Apply(x) => view.apply = Some(ApplyView::new(x, shape)),
            ActionDetails::Deactivate(x) => view.deactivate = Some(DeactivateView::new(x, shape)),
            ActionDetails::Modify(x) => view.modify = Some(ModifyView::new(x, shape)),
            ActionDetails::Remove(x) => view.remove = Some(RemoveView::new(x, shape)),
            ActionDetails::Subscribe(x) => view.subscribe = Some(SubscribeView::new(x, shape)),
        }
        view
    }
}

//! The action views (`v2.billing.intent_action`): the sub-object named by `type` echoes what
//! was created, defaults filled in; the other four are `null`.

use serde::Serialize;

use crate::domain::billing_intent::{
    ActionDetails, Apply, ComponentConfiguration, Deactivate, EffectiveAt, IntentAction, Modify,
    Overrides, Remove, Subscribe,
};
use crate::domain::catalog::Metadata;

use super::super::{Timestamp, timestamp};

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
    /// Absent on deactivate actions, whose behaviours have no credit grants.
    #[serde(skip_serializing_if = "Option::is_none")]
    recurring_credit_grant: Option<Option<CreditGrantView>>,
}

#[derive(Debug, Serialize)]
struct OverridesView {
    partial_period_behaviors: Vec<BehaviorView>,
}

fn overrides(o: Option<&Overrides>, of: BehaviorOf) -> Option<OverridesView> {
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
    overrides: Option<OverridesView>,
    pricing_plan: &'a str,
    pricing_plan_subscription: Option<&'a str>,
    pricing_plan_version: &'a str,
}

/// `billing_details` of older preview versions, echoed only when the action was created with it.
#[derive(Debug, Serialize)]
struct BillingDetailsView {
    proration_behavior: &'static str,
}

fn billing_details(proration_behavior: Option<&'static str>) -> Option<BillingDetailsView> {
    proration_behavior.map(|proration_behavior| BillingDetailsView { proration_behavior })
}

#[derive(Debug, Serialize)]
struct SubscribeView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_details: Option<BillingDetailsView>,
    collect_at: &'static str,
    effective_at: EffectiveAtView,
    pricing_plan_subscription_details: Option<PlanSubscribeView<'a>>,
    v1_subscription_details: Option<V1DetailsView<'a>>,
}

impl<'a> From<&'a Subscribe> for SubscribeView<'a> {
    fn from(s: &'a Subscribe) -> Self {
        SubscribeView {
            kind: s.kind,
            billing_details: billing_details(s.proration_behavior),
            collect_at: s.collect_at,
            effective_at: (&s.effective_at).into(),
            pricing_plan_subscription_details: s.pricing_plan_subscription_details.as_ref().map(
                |d| PlanSubscribeView {
                    component_configurations: components(&d.component_configurations),
                    metadata: d.metadata.as_ref(),
                    overrides: overrides(d.overrides.as_ref(), BehaviorOf::Subscribe),
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
    overrides: Option<OverridesView>,
    pricing_plan_subscription: &'a str,
}

#[derive(Debug, Serialize)]
struct ModifyView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_details: Option<BillingDetailsView>,
    collect_at: &'static str,
    effective_at: EffectiveAtView,
    pricing_plan_subscription_details: Option<PlanModifyView<'a>>,
}

impl<'a> From<&'a Modify> for ModifyView<'a> {
    fn from(m: &'a Modify) -> Self {
        let d = &m.pricing_plan_subscription_details;
        ModifyView {
            kind: m.kind,
            billing_details: billing_details(m.proration_behavior),
            collect_at: m.collect_at,
            effective_at: (&m.effective_at).into(),
            pricing_plan_subscription_details: Some(PlanModifyView {
                component_configurations: components(&d.component_configurations),
                new_pricing_plan: d.new_pricing_plan.as_deref(),
                new_pricing_plan_version: d.new_pricing_plan_version.as_deref(),
                overrides: overrides(d.overrides.as_ref(), BehaviorOf::Modify),
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
    overrides: Option<OverridesView>,
    pricing_plan_subscription: &'a str,
}

#[derive(Debug, Serialize)]
struct DeactivateView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_details: Option<BillingDetailsView>,
    cancellation_details: Option<CancellationDetailsView<'a>>,
    collect_at: &'static str,
    effective_at: EffectiveAtView,
    pricing_plan_subscription_details: Option<PlanDeactivateView<'a>>,
}

impl<'a> From<&'a Deactivate> for DeactivateView<'a> {
    fn from(d: &'a Deactivate) -> Self {
        let p = &d.pricing_plan_subscription_details;
        DeactivateView {
            kind: d.kind,
            billing_details: billing_details(d.proration_behavior),
            cancellation_details: d.cancellation_details.as_ref().map(|c| {
                CancellationDetailsView {
                    comment: c.comment.as_deref(),
                    feedback: c.feedback,
                }
            }),
            collect_at: d.collect_at,
            effective_at: (&d.effective_at).into(),
            pricing_plan_subscription_details: Some(PlanDeactivateView {
                overrides: overrides(p.overrides.as_ref(), BehaviorOf::Deactivate),
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

#[derive(Debug, Serialize)]
struct ApplyView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    discount: Option<DiscountView<'a>>,
    effective_at: EffectiveAtView,
    invoice_discount_rule: Option<InvoiceDiscountRuleView<'a>>,
    spend_modifier_rule: Option<SpendModifierRuleView<'a>>,
}

impl<'a> From<&'a Apply> for ApplyView<'a> {
    fn from(a: &'a Apply) -> Self {
        ApplyView {
            kind: a.kind,
            discount: a.discount.as_ref().map(|d| DiscountView {
                kind: d.kind,
                coupon: d.coupon.as_deref(),
                // Discount objects are not created by the mock.
                discount: None,
                promotion_code: d.promotion_code.as_deref(),
            }),
            effective_at: (&a.effective_at).into(),
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
            spend_modifier_rule: a
                .spend_modifier_rule
                .as_ref()
                .map(|r| SpendModifierRuleView {
                    kind: r.kind,
                    applies_to: r.applies_to,
                    id: None,
                    max_billing_period_spend: r.max_billing_period_spend.as_ref().map(|m| {
                        MaxSpendView {
                            amount: SpendAmountView {
                                kind: m.amount_kind,
                                custom_pricing_unit: m.custom_pricing_unit_value.as_deref().map(
                                    |value| CustomPricingUnitView {
                                        id: m.custom_pricing_unit_id.as_deref(),
                                        value,
                                    },
                                ),
                            },
                            custom_pricing_unit_overage_rate: OverageRateView {
                                id: &m.overage_rate,
                            },
                        }
                    }),
                }),
        }
    }
}

#[derive(Debug, Serialize)]
struct RemoveEffectiveAtView {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct RemoveView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    effective_at: RemoveEffectiveAtView,
    invoice_discount_rule: Option<&'a str>,
    spend_modifier_rule: Option<&'a str>,
}

impl<'a> From<&'a Remove> for RemoveView<'a> {
    fn from(r: &'a Remove) -> Self {
        RemoveView {
            kind: r.kind,
            effective_at: RemoveEffectiveAtView {
                kind: r.effective_at,
            },
            invoice_discount_rule: r.invoice_discount_rule.as_deref(),
            spend_modifier_rule: r.spend_modifier_rule.as_deref(),
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

impl<'a> From<&'a IntentAction> for ActionView<'a> {
    fn from(a: &'a IntentAction) -> Self {
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
            ActionDetails::Apply(x) => view.apply = Some(x.into()),
            ActionDetails::Deactivate(x) => view.deactivate = Some(x.into()),
            ActionDetails::Modify(x) => view.modify = Some(x.into()),
            ActionDetails::Remove(x) => view.remove = Some(x.into()),
            ActionDetails::Subscribe(x) => view.subscribe = Some(x.into()),
        }
        view
    }
}

//! The Billing Intent Action resource (`v2.billing.intent_action`): retrieve and list under
//! `/v2/billing/intents/{intent_id}/actions`, the reader of one element of the create call's
//! `actions` array, and the action views (the sub-object named by `type` echoes what was
//! created, defaults filled in; the other four are `null`).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use crate::domain::billing_intent::{
    ActionDetails, Apply, CancellationDetails, ComponentConfiguration, Deactivate, DiscountApply,
    EffectiveAt, IntentAction, InvoiceDiscountRule, LicenseFeeBehavior, MaxBillingPeriodSpend,
    Modify, Overrides, PartialPeriodBehavior, PercentOffRule, PricingPlanDeactivate,
    PricingPlanModify, PricingPlanSubscribe, Remove, SpendModifierRule, Subscribe, V1Item,
    V1SubscriptionDetails,
};
use crate::domain::catalog::Metadata;
use crate::error::{Error, Result};
use crate::http::extract::{Caller, V2QueryParams};
use crate::http::params::{Param, Params, enum_error};
use crate::http::{AppState, render};

use super::{ListView, Timestamp, page_request, refuse, reject_siblings, req_timestamp, timestamp};

/// Routes. The intent id segment is named `{id}` as on the intent routes (the router needs one
/// name per position).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/billing/intents/{id}/actions", get(list))
        .route(
            "/v2/billing/intents/{id}/actions/{action_id}",
            get(retrieve),
        )
}

// ----- reading an action -----

const SUBSCRIPTION_TYPES: &[&str] = &[
    "pricing_plan_subscription_details",
    "v1_subscription_details",
];
const COLLECT_AT: &[&str] = &["next_billing_date", "on_effective_at"];
const PRORATION: &[&str] = &["none", "prorated"];
const CREATE_BEHAVIOR: &[&str] = &["full_credits", "none"];
const BEHAVIOR_TYPES: &[&str] = &["license_fee", "recurring_credit_grant"];
const FEEDBACK: &[&str] = &[
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
];
const APPLY_TYPES: &[&str] = &["discount", "invoice_discount_rule", "spend_modifier_rule"];
const REMOVE_TYPES: &[&str] = &["invoice_discount_rule", "spend_modifier_rule"];
/// Subscription items per action, as Stripe documents ("up to 20").
const MAX_ITEMS: usize = 20;
/// Entries of the smaller nested arrays (component configurations, behaviours).
const MAX_NESTED: usize = 100;

/// Reads one element of `actions`: its `type` and the sub-object the type names.
///
/// # Errors
/// Shape errors naming the full path (`actions[0].subscribe.type`).
pub fn read_action(a: &mut Params) -> Result<ActionDetails> {
    let kind = a.req_enum("type", ActionDetails::TYPES)?;
    reject_siblings(a, kind, ActionDetails::TYPES)?;
    match kind {
        "subscribe" => Ok(ActionDetails::Subscribe(
            a.req_object(kind, read_subscribe)?,
        )),
        "modify" => Ok(ActionDetails::Modify(a.req_object(kind, read_modify)?)),
        "deactivate" => Ok(ActionDetails::Deactivate(
            a.req_object(kind, read_deactivate)?,
        )),
        "apply" => Ok(ActionDetails::Apply(a.req_object(kind, read_apply)?)),
        "remove" => Ok(ActionDetails::Remove(a.req_object(kind, read_remove)?)),
        other => Err(enum_error(a.path_of("type"), other, ActionDetails::TYPES)),
    }
}

fn metadata(p: &mut Params, key: &str) -> Result<Option<Metadata>> {
    Ok(p.opt_metadata(key)?.map(|update| {
        let mut m = Metadata::new();
        update.merge_into(&mut m);
        m
    }))
}

/// `effective_at`: `{type, timestamp}`; `timestamp` is required for type `timestamp` and
/// refused otherwise. Defaults to `on_reserve`.
fn read_effective_at(p: &mut Params, types: &[&'static str]) -> Result<EffectiveAt> {
    let at = p.opt_object("effective_at", |e| {
        let kind = e.req_enum("type", types)?;
        let timestamp = if kind == "timestamp" {
            Some(req_timestamp(e, "timestamp")?)
        } else {
            refuse(e, "timestamp", "is only allowed when `type` is `timestamp`")?;
            None
        };
        Ok(EffectiveAt { kind, timestamp })
    })?;
    Ok(at.unwrap_or_else(EffectiveAt::on_reserve))
}

fn read_components(p: &mut Params) -> Result<Vec<ComponentConfiguration>> {
    Ok(
        p.patch_array("component_configurations", MAX_NESTED, |c, _| {
            Ok(ComponentConfiguration {
                lookup_key: c.opt_string("lookup_key")?,
                pricing_plan_component: c.opt_string("pricing_plan_component")?,
                quantity: c.opt_i64_in("quantity", 0, i64::MAX)?,
            })
        })?
        .into_option()
        .unwrap_or_default(),
    )
}

/// Which action a `partial_period_behaviors` entry belongs to: each reads its own fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BehaviorOf {
    Subscribe,
    Modify,
    Deactivate,
}

fn read_overrides(p: &mut Params, of: BehaviorOf) -> Result<Option<Overrides>> {
    p.opt_object("overrides", |o| {
        let partial_period_behaviors =
            o.req_array("partial_period_behaviors", MAX_NESTED, |b, _| {
                let kind = b.req_enum("type", BEHAVIOR_TYPES)?;
                let license_fee = b.opt_object("license_fee", |l| {
                    let (credit, debit) = match of {
                        BehaviorOf::Subscribe => (
                            None,
                            Some(l.req_enum("debit_proration_behavior", PRORATION)?),
                        ),
                        BehaviorOf::Modify => (
                            Some(l.req_enum("credit_proration_behavior", PRORATION)?),
                            Some(l.req_enum("debit_proration_behavior", PRORATION)?),
                        ),
                        BehaviorOf::Deactivate => (
                            Some(l.req_enum("credit_proration_behavior", PRORATION)?),
                            None,
                        ),
                    };
                    Ok(LicenseFeeBehavior {
                        credit_proration_behavior: credit,
                        debit_proration_behavior: debit,
                    })
                })?;
                let recurring_credit_grant = match of {
                    BehaviorOf::Deactivate => None,
                    BehaviorOf::Subscribe | BehaviorOf::Modify => b
                        .opt_object("recurring_credit_grant", |r| {
                            r.req_enum("create_behavior", CREATE_BEHAVIOR)
                        })?,
                };
                let mismatched = match kind {
                    "license_fee" => recurring_credit_grant.is_some(),
                    _ => license_fee.is_some(),
                };
                if mismatched {
                    let other = if kind == "license_fee" {
                        "recurring_credit_grant"
                    } else {
                        "license_fee"
                    };
                    return Err(Error::param_invalid(
                        b.path_of(other),
                        None,
                        format!(
                            "`{other}` may only be given when `type` is `{other}`, not `{kind}`."
                        ),
                    ));
                }
                Ok(PartialPeriodBehavior {
                    kind,
                    license_fee,
                    recurring_credit_grant,
                })
            })?;
        Ok(Overrides {
            partial_period_behaviors,
        })
    })
}

/// `billing_details` of preview versions up to 2025-10-29 (stripe-node 18.6.0-alpha.2 and
/// stripe-python 13.x send it); later versions replaced it with `collect_at` and `overrides`.
fn read_billing_details(p: &mut Params) -> Result<Option<&'static str>> {
    Ok(p.opt_object("billing_details", |b| {
        b.opt_enum(
            "proration_behavior",
            &["no_adjustment", "prorated_adjustment"],
        )
    })?
    .flatten())
}

fn read_subscribe(p: &mut Params) -> Result<Subscribe> {
    let kind = p.req_enum("type", SUBSCRIPTION_TYPES)?;
    let collect_at = p
        .opt_enum("collect_at", COLLECT_AT)?
        .unwrap_or("on_effective_at");
    let effective_at = read_effective_at(
        p,
        &["current_billing_period_start", "on_reserve", "timestamp"],
    )?;
    let proration_behavior = read_billing_details(p)?;
    reject_siblings(p, kind, SUBSCRIPTION_TYPES)?;
    let (plan, v1) = if kind == "pricing_plan_subscription_details" {
        let plan = p.req_object(kind, |d| {
            Ok(PricingPlanSubscribe {
                pricing_plan: d.req_string("pricing_plan")?,
                pricing_plan_version: d.req_string("pricing_plan_version")?,
                component_configurations: read_components(d)?,
                metadata: metadata(d, "metadata")?,
                overrides: read_overrides(d, BehaviorOf::Subscribe)?,
            })
        })?;
        (Some(plan), None)
    } else {
        let v1 = p.req_object("v1_subscription_details", |d| {
            Ok(V1SubscriptionDetails {
                description: d.opt_string("description")?,
                items: d.req_array("items", MAX_ITEMS, |it, _| {
                    Ok(V1Item {
                        price: it.req_string("price")?,
                        quantity: it.opt_i64_in("quantity", 0, i64::MAX)?.unwrap_or(1),
                        metadata: metadata(it, "metadata")?,
                    })
                })?,
                metadata: metadata(d, "metadata")?,
            })
        })?;
        (None, Some(v1))
    };
    Ok(Subscribe {
        kind,
        collect_at,
        effective_at,
        proration_behavior,
        pricing_plan_subscription_details: plan.map(Box::new),
        v1_subscription_details: v1,
    })
}

fn read_modify(p: &mut Params) -> Result<Modify> {
    Ok(Modify {
        proration_behavior: read_billing_details(p)?,
        kind: p.req_enum("type", SUBSCRIPTION_TYPES)?,
        collect_at: p
            .opt_enum("collect_at", COLLECT_AT)?
            .unwrap_or("next_billing_date"),
        effective_at: read_effective_at(
            p,
            &["current_billing_period_start", "on_reserve", "timestamp"],
        )?,
        pricing_plan_subscription_details: p.req_object(
            "pricing_plan_subscription_details",
            |d| {
                Ok(Box::new(PricingPlanModify {
                    pricing_plan_subscription: d.req_string("pricing_plan_subscription")?,
                    new_pricing_plan: d.opt_string("new_pricing_plan")?,
                    new_pricing_plan_version: d.opt_string("new_pricing_plan_version")?,
                    component_configurations: read_components(d)?,
                    overrides: read_overrides(d, BehaviorOf::Modify)?,
                }))
            },
        )?,
    })
}

fn read_deactivate(p: &mut Params) -> Result<Deactivate> {
    Ok(Deactivate {
        proration_behavior: read_billing_details(p)?,
        kind: p.req_enum("type", SUBSCRIPTION_TYPES)?,
        collect_at: p
            .opt_enum("collect_at", COLLECT_AT)?
            .unwrap_or("on_effective_at"),
        effective_at: read_effective_at(
            p,
            &[
                "current_billing_period_end",
                "current_billing_period_start",
                "on_reserve",
                "timestamp",
            ],
        )?,
        cancellation_details: p.opt_object("cancellation_details", |c| {
            Ok(CancellationDetails {
                comment: c.opt_string("comment")?,
                feedback: c.opt_enum("feedback", FEEDBACK)?,
            })
        })?,
        pricing_plan_subscription_details: p.req_object(
            "pricing_plan_subscription_details",
            |d| {
                Ok(PricingPlanDeactivate {
                    pricing_plan_subscription: d.req_string("pricing_plan_subscription")?,
                    overrides: read_overrides(d, BehaviorOf::Deactivate)?,
                })
            },
        )?,
    })
}

/// A decimal string (`"50"`, `"12.5"`) or JSON number, as the SDKs send `decimal_string`s.
fn req_decimal(p: &mut Params, key: &str) -> Result<String> {
    let path = p.path_of(key);
    let text = match p.take_raw(key) {
        None | Some(Param::Null) => return Err(Error::ParameterMissing { param: path }),
        Some(Param::String(s)) => s.trim().to_owned(),
        Some(Param::Number(n)) => n.to_string(),
        Some(_) => String::new(),
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (text.contains('.') && frac.is_empty()) {
        return Err(Error::param_invalid(
            path,
            None,
            format!(
                "Invalid decimal: '{text}'. Expected a non-negative decimal string such as \"50.0\"."
            ),
        ));
    }
    Ok(text)
}

/// Whether a valid decimal string lies in (0, 100].
fn is_percentage(text: &str) -> bool {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let int = int.trim_start_matches('0');
    let frac_zero = frac.bytes().all(|b| b == b'0');
    let positive = !int.is_empty() || !frac_zero;
    let at_most_100 = int.len() < 3 || (int == "100" && frac_zero);
    positive && at_most_100
}

fn read_apply(p: &mut Params) -> Result<Apply> {
    let kind = p.req_enum("type", APPLY_TYPES)?;
    let effective_at = read_effective_at(
        p,
        &[
            "current_billing_period_end",
            "current_billing_period_start",
            "next_billing_period_start",
            "on_reserve",
            "timestamp",
        ],
    )?;
    if effective_at.kind == "timestamp" && kind != "discount" {
        return Err(Error::param_invalid(
            p.path_of("effective_at.type"),
            None,
            "`timestamp` is only allowed for discount actions.",
        ));
    }
    reject_siblings(p, kind, APPLY_TYPES)?;
    let mut apply = Apply {
        kind,
        effective_at,
        discount: None,
        invoice_discount_rule: None,
        spend_modifier_rule: None,
    };
    match kind {
        "discount" => {
            apply.discount = Some(p.req_object(kind, |d| {
                let kind = d.req_enum("type", &["coupon", "promotion_code"])?;
                let other = if kind == "coupon" {
                    "promotion_code"
                } else {
                    "coupon"
                };
                refuse(
                    d,
                    other,
                    &format!("may only be given when `type` is `{other}`"),
                )?;
                let id = d.req_string(kind)?;
                let (coupon, promotion_code) = if kind == "coupon" {
                    (Some(id), None)
                } else {
                    (None, Some(id))
                };
                Ok(DiscountApply {
                    kind,
                    coupon,
                    promotion_code,
                })
            })?);
        }
        "invoice_discount_rule" => {
            apply.invoice_discount_rule = Some(p.req_object(kind, |r| {
                Ok(Box::new(InvoiceDiscountRule {
                    applies_to: r.req_enum("applies_to", &["cadence"])?,
                    kind: r.req_enum("type", &["percent_off"])?,
                    percent_off: r.opt_object("percent_off", |o| {
                        let path = o.path_of("percent_off");
                        let percent_off = req_decimal(o, "percent_off")?;
                        if !is_percentage(&percent_off) {
                            return Err(Error::param_invalid(
                                path,
                                None,
                                format!("Invalid percent_off: '{percent_off}'. It must be greater than 0 and at most 100."),
                            ));
                        }
                        Ok(PercentOffRule {
                            percent_off,
                            maximum_applications: o.req_object("maximum_applications", |m| {
                                m.req_enum("type", &["indefinite"])
                            })?,
                        })
                    })?,
                }))
            })?);
        }
        "spend_modifier_rule" => {
            apply.spend_modifier_rule = Some(p.req_object(kind, |r| {
                Ok(Box::new(SpendModifierRule {
                    applies_to: r.req_enum("applies_to", &["cadence"])?,
                    kind: r.req_enum("type", &["max_billing_period_spend"])?,
                    max_billing_period_spend: r.opt_object("max_billing_period_spend", |m| {
                        let (amount_kind, unit) = m.req_object("amount", |a| {
                            let kind = a.req_enum("type", &["custom_pricing_unit"])?;
                            let unit = a.opt_object("custom_pricing_unit", |u| {
                                Ok((u.opt_string("id")?, req_decimal(u, "value")?))
                            })?;
                            Ok((kind, unit))
                        })?;
                        let (custom_pricing_unit_id, custom_pricing_unit_value) = match unit {
                            Some((id, value)) => (id, Some(value)),
                            None => (None, None),
                        };
                        Ok(MaxBillingPeriodSpend {
                            amount_kind,
                            custom_pricing_unit_id,
                            custom_pricing_unit_value,
                            overage_rate: m
                                .req_object("custom_pricing_unit_overage_rate", |o| {
                                    o.req_string("id")
                                })?,
                        })
                    })?,
                }))
            })?);
        }
        other => return Err(enum_error(p.path_of("type"), other, APPLY_TYPES)),
    }
    Ok(apply)
}

fn read_remove(p: &mut Params) -> Result<Remove> {
    let kind = p.req_enum("type", REMOVE_TYPES)?;
    let effective_at = p
        .opt_object("effective_at", |e| {
            e.req_enum("type", &["current_billing_period_end", "on_reserve"])
        })?
        .unwrap_or("on_reserve");
    let other = if kind == "invoice_discount_rule" {
        "spend_modifier_rule"
    } else {
        "invoice_discount_rule"
    };
    refuse(
        p,
        other,
        &format!("may only be given when `type` is `{other}`"),
    )?;
    let id = p.req_string(kind)?;
    let (invoice_discount_rule, spend_modifier_rule) = if kind == "invoice_discount_rule" {
        (Some(id), None)
    } else {
        (None, Some(id))
    };
    Ok(Remove {
        kind,
        effective_at,
        invoice_discount_rule,
        spend_modifier_rule,
    })
}

// ----- views -----

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
/// credit side, modify both (the readers make the shown sides required).
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

// ----- handlers -----

/// Page-token scope of one intent's action list.
fn scope(intent_id: &str) -> String {
    format!("bilinti:{intent_id}")
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path((intent_id, id)): Path<(String, String)>,
    V2QueryParams(params): V2QueryParams,
) -> Result<Response> {
    params.finish()?;
    render(&ActionView::from(
        &app.store.intent_action(&acct, &intent_id, &id)?,
    ))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(intent_id): Path<String>,
    V2QueryParams(mut params): V2QueryParams,
) -> Result<Response> {
    let scope = scope(&intent_id);
    let req = page_request(&mut params, &scope)?;
    params.finish()?;
    let page = app.store.list_intent_actions(&acct, &intent_id, &req)?;
    let path = format!("/v2/billing/intents/{}/actions", encode_segment(&intent_id));
    render(&ListView::of(&page, &path, &scope, &req, ActionView::from))
}

/// Percent-encodes a path segment (ids are base62 in practice; anything else is escaped).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::http::params::Mode;

    fn params(v: Value) -> Params<'static> {
        match v {
            Value::Object(map) => Params::new(Mode::V2, map.into()),
            _ => panic!("object expected"),
        }
    }

    #[test]
    fn percentages_must_be_in_range() {
        for ok in ["50", "50.0", "0.5", "100", "100.000", "007"] {
            assert!(is_percentage(ok), "{ok}");
        }
        for bad in ["0", "0.0", "100.01", "101", "1000"] {
            assert!(!is_percentage(bad), "{bad}");
        }
    }

    #[test]
    fn decimals_accept_strings_and_numbers() {
        let mut p = params(json!({"a": "12.5", "b": 7, "c": "1e3", "d": "1.", "e": true}));
        assert_eq!(req_decimal(&mut p, "a").ok().as_deref(), Some("12.5"));
        assert_eq!(req_decimal(&mut p, "b").ok().as_deref(), Some("7"));
        assert!(req_decimal(&mut p, "c").is_err());
        assert!(req_decimal(&mut p, "d").is_err());
        assert!(req_decimal(&mut p, "e").is_err());
    }

    #[test]
    fn segments_are_escaped() {
        assert_eq!(encode_segment("bilint_61Ab"), "bilint_61Ab");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
    }
}

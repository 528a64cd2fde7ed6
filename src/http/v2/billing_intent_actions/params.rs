//! The parameters of the create call's `actions` ([`Actions`]): each element is a
//! `type`-tagged object (`{"type": "subscribe", "subscribe": {…}}`) decoded into the domain's
//! [`ActionDetails`].
//!
//! Tagged objects are read by hand-written `Deserialize`s (see
//! [`params`](crate::http::v2::params)): `type` first, then the sub-objects of other types only
//! to see whether they were sent, and the chosen one as its own type. Their errors name the
//! `type` of the object by its path from the body (`actions[0].subscribe.type`), so the
//! elements of `actions` are read with their index.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use strum::IntoStaticStr;

use crate::domain::billing_intent::{
    ActionDetails, CancellationDetails, ComponentConfiguration, Deactivate, EffectiveAt,
    LicenseFeeBehavior, Modify, Overrides, PartialPeriodBehavior, PricingPlanDeactivate,
    PricingPlanModify, PricingPlanSubscribe, Subscribe, V1Item, V1SubscriptionDetails,
};
use crate::domain::catalog::Metadata;
use crate::http::de::{Bounded, Items, Metadata as MetadataParam, NonEmpty, refuse};
use crate::http::v2::params::{Rfc3339, Sent, read_type, sibling_error, struct_seed};

/// Actions per intent. Stripe documents no limit; this keeps one intent's size bounded.
const MAX_ACTIONS: usize = 100;
/// Subscription items per action, as Stripe documents ("up to 20").
const MAX_ITEMS: usize = 20;
/// Entries of the smaller nested arrays (component configurations, behaviours).
const MAX_NESTED: usize = 100;

/// A string parameter with fixed values, declared in the order its error lists them.
macro_rules! values {
    ($($name:ident { $($variant:ident),+ $(,)? })+) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, IntoStaticStr)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        enum $name {
            $($variant),+
        }
    )+};
}

values! {
    ActionType { Apply, Deactivate, Modify, Remove, Subscribe }
    SubscriptionType { PricingPlanSubscriptionDetails, V1SubscriptionDetails }
    CollectAt { NextBillingDate, OnEffectiveAt }
    Proration { None, Prorated }
    CreateBehavior { FullCredits, None }
    BehaviorType { LicenseFee, RecurringCreditGrant }
    Feedback {
        CustomerService, LowQuality, MissingFeatures, Other, SwitchedService, TooComplex,
        TooExpensive, Unused,
    }
    DetailsProration { NoAdjustment, ProratedAdjustment }
    SubscribeAt { CurrentBillingPeriodStart, OnReserve, Timestamp }
    DeactivateAt { CurrentBillingPeriodEnd, CurrentBillingPeriodStart, OnReserve, Timestamp }
}

/// The fields of a tagged object, in the order they are read (`type` first).
macro_rules! fields {
    ($name:ident, $list:ident: $($variant:ident = $key:literal),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        #[serde(field_identifier, rename_all = "snake_case")]
        enum $name {
            $($variant),+
        }

        const $list: &[&str] = &[$($key),+];
    };
}

mod apply;

use apply::{ApplySeed, RemoveSeed};

// ----- actions -----

/// The `actions` of an intent: at least one and at most 100, each decoded knowing its index.
#[derive(Debug)]
pub struct Actions(pub Vec<ActionDetails>);

impl<'de> Deserialize<'de> for Actions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ActionsVisitor)
    }
}

struct ActionsVisitor;

/// More actions than the mock keeps: the code the create operation documents for it.
fn too_many<E: de::Error>() -> E {
    refuse(
        Some("too_many_billing_intent_actions"),
        None,
        format_args!("Invalid array: {{key}} may have at most {MAX_ACTIONS} items."),
    )
}

impl<'de> Visitor<'de> for ActionsVisitor {
    type Value = Actions;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of actions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Actions, A::Error> {
        // The length is checked before any action is read.
        let len = seq.size_hint().unwrap_or(0);
        if len > MAX_ACTIONS {
            return Err(too_many());
        }
        let mut out = Vec::with_capacity(len);
        while let Some(action) = seq.next_element_seed(ActionSeed { index: out.len() })? {
            out.push(action);
            if out.len() > MAX_ACTIONS {
                return Err(too_many());
            }
        }
        if out.is_empty() {
            return Err(refuse(Some("parameter_invalid_empty"), None, ""));
        }
        Ok(Actions(out))
    }
}

fields!(ActionField, ACTION_FIELDS:
    Type = "type", Apply = "apply", Deactivate = "deactivate", Modify = "modify",
    Remove = "remove", Subscribe = "subscribe");

/// One element of `actions`: its `type` and the sub-object the type names.
struct ActionSeed {
    index: usize,
}

struct_seed!(ActionSeed, "Action", ACTION_FIELDS => ActionDetails);

impl ActionSeed {
    fn read<'de, A: MapAccess<'de>>(self, mut map: A) -> Result<ActionDetails, A::Error> {
        let index = self.index;
        let kind: ActionType = read_type(&mut map, ActionField::Type)?;
        let mut chosen = None;
        while let Some(field) = map.next_key()? {
            let of = match field {
                ActionField::Type => continue,
                ActionField::Apply => ActionType::Apply,
                ActionField::Deactivate => ActionType::Deactivate,
                ActionField::Modify => ActionType::Modify,
                ActionField::Remove => ActionType::Remove,
                ActionField::Subscribe => ActionType::Subscribe,
            };
            if of != kind {
                if map.next_value::<Sent>()?.0 {
                    let type_path = format_args!("actions[{index}].type");
                    return Err(sibling_error(of.into(), kind.into(), type_path));
                }
                continue;
            }
            chosen = Some(match kind {
                ActionType::Subscribe => {
                    ActionDetails::Subscribe(map.next_value_seed(SubscribeSeed { index })?)
                }
                ActionType::Modify => {
                    ActionDetails::Modify(map.next_value::<ModifyParams>()?.into())
                }
                ActionType::Deactivate => {
                    ActionDetails::Deactivate(map.next_value::<DeactivateParams>()?.into())
                }
                ActionType::Apply => {
                    ActionDetails::Apply(map.next_value_seed(ApplySeed { index })?)
                }
                ActionType::Remove => ActionDetails::Remove(map.next_value_seed(RemoveSeed)?),
            });
        }
        chosen.ok_or_else(|| de::Error::missing_field(kind.into()))
    }
}

// ----- shared parts -----

fn metadata(m: MetadataParam) -> Option<Metadata> {
    m.0.map(|update| {
        let mut out = Metadata::new();
        update.merge_into(&mut out);
        out
    })
}

fields!(EffectiveAtField, EFFECTIVE_AT_FIELDS: Type = "type", Timestamp = "timestamp");

/// `effective_at`: `{type, timestamp}` with the types `K` allows; `timestamp` is required for
/// type `timestamp` and refused otherwise.
#[derive(Debug)]
struct EffectiveAtParams<K>(EffectiveAt, PhantomData<K>);

impl<'de, K: Deserialize<'de> + Into<&'static str>> Deserialize<'de> for EffectiveAtParams<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let at = EffectiveAtSeed::<K>(PhantomData).deserialize(deserializer)?;
        Ok(EffectiveAtParams(at, PhantomData))
    }
}

struct EffectiveAtSeed<K>(PhantomData<K>);

struct_seed!(@[K: Deserialize<'de> + Into<&'static str>] EffectiveAtSeed<K>, "EffectiveAt", EFFECTIVE_AT_FIELDS => EffectiveAt);

impl<K> EffectiveAtSeed<K> {
    fn read<'de, A: MapAccess<'de>>(self, mut map: A) -> Result<EffectiveAt, A::Error>
    where
        K: Deserialize<'de> + Into<&'static str>,
    {
        let kind: &'static str = read_type::<_, _, K>(&mut map, EffectiveAtField::Type)?.into();
        let mut timestamp = None;
        while let Some(field) = map.next_key()? {
            match field {
                EffectiveAtField::Type => {}
                EffectiveAtField::Timestamp if kind == "timestamp" => {
                    timestamp = Some(map.next_value::<Rfc3339>()?.0);
                }
                EffectiveAtField::Timestamp => {
                    if map.next_value::<Sent>()?.0 {
                        return Err(refuse(
                            None,
                            Some("timestamp"),
                            "`{path}` is only allowed when `type` is `timestamp`.",
                        ));
                    }
                }
            }
        }
        if kind == "timestamp" && timestamp.is_none() {
            return Err(de::Error::missing_field("timestamp"));
        }
        Ok(EffectiveAt { kind, timestamp })
    }
}

/// The effective time of an action, `on_reserve` when not sent.
fn effective_at<K>(at: Option<EffectiveAtParams<K>>) -> EffectiveAt {
    at.map_or_else(EffectiveAt::on_reserve, |at| at.0)
}

/// A component configuration of a pricing plan.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentParams {
    lookup_key: Option<String>,
    pricing_plan_component: Option<String>,
    quantity: Option<Bounded<0, { i64::MAX }>>,
}

type Components = Option<Items<ComponentParams, MAX_NESTED>>;

fn components(c: Components) -> Vec<ComponentConfiguration> {
    c.map(|c| c.0)
        .unwrap_or_default()
        .into_iter()
        .map(|c| ComponentConfiguration {
            lookup_key: c.lookup_key,
            pricing_plan_component: c.pricing_plan_component,
            quantity: c.quantity.map(|q| q.0),
        })
        .collect()
}

/// `license_fee` of a subscribe action's behaviour: the debit side only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeLicenseFee {
    debit_proration_behavior: Proration,
}

/// `license_fee` of a modify action's behaviour: both sides.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModifyLicenseFee {
    credit_proration_behavior: Proration,
    debit_proration_behavior: Proration,
}

/// `license_fee` of a deactivate action's behaviour: the credit side only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeactivateLicenseFee {
    credit_proration_behavior: Proration,
}

impl From<SubscribeLicenseFee> for LicenseFeeBehavior {
    fn from(l: SubscribeLicenseFee) -> Self {
        LicenseFeeBehavior {
            credit_proration_behavior: None,
            debit_proration_behavior: Some(l.debit_proration_behavior.into()),
        }
    }
}

impl From<ModifyLicenseFee> for LicenseFeeBehavior {
    fn from(l: ModifyLicenseFee) -> Self {
        LicenseFeeBehavior {
            credit_proration_behavior: Some(l.credit_proration_behavior.into()),
            debit_proration_behavior: Some(l.debit_proration_behavior.into()),
        }
    }
}

impl From<DeactivateLicenseFee> for LicenseFeeBehavior {
    fn from(l: DeactivateLicenseFee) -> Self {
        LicenseFeeBehavior {
            credit_proration_behavior: Some(l.credit_proration_behavior.into()),
            debit_proration_behavior: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreditGrantParams {
    create_behavior: CreateBehavior,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBehavior<L> {
    #[serde(rename = "type")]
    kind: BehaviorType,
    license_fee: Option<L>,
    recurring_credit_grant: Option<CreditGrantParams>,
}

/// A deactivate action's behaviour, which has no credit grants.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeactivateBehavior {
    #[serde(rename = "type")]
    kind: BehaviorType,
    license_fee: Option<DeactivateLicenseFee>,
}

/// A `partial_period_behaviors` entry of a subscribe or modify action, whose `license_fee` is
/// `L`: only the object its `type` names may be sent.
#[derive(Debug)]
struct Behavior<L>(PartialPeriodBehavior, PhantomData<L>);

impl<'de, L: Deserialize<'de> + Into<LicenseFeeBehavior>> Deserialize<'de> for Behavior<L> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawBehavior::<L>::deserialize(deserializer)?;
        let grant = raw.recurring_credit_grant.map(|g| g.create_behavior.into());
        let behavior = behavior(raw.kind, raw.license_fee.map(Into::into), grant)?;
        Ok(Behavior(behavior, PhantomData))
    }
}

/// A `partial_period_behaviors` entry of a deactivate action.
#[derive(Debug)]
struct DeactivateBehavior(PartialPeriodBehavior);

impl<'de> Deserialize<'de> for DeactivateBehavior {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawDeactivateBehavior::deserialize(deserializer)?;
        Ok(DeactivateBehavior(behavior(
            raw.kind,
            raw.license_fee.map(Into::into),
            None,
        )?))
    }
}

fn behavior<E: de::Error>(
    kind: BehaviorType,
    license_fee: Option<LicenseFeeBehavior>,
    recurring_credit_grant: Option<&'static str>,
) -> Result<PartialPeriodBehavior, E> {
    let other = match kind {
        BehaviorType::LicenseFee if recurring_credit_grant.is_some() => "recurring_credit_grant",
        BehaviorType::RecurringCreditGrant if license_fee.is_some() => "license_fee",
        _ => {
            return Ok(PartialPeriodBehavior {
                kind: kind.into(),
                license_fee,
                recurring_credit_grant,
            });
        }
    };
    let kind: &str = kind.into();
    Err(refuse(
        None,
        Some(other),
        format_args!("`{other}` may only be given when `type` is `{other}`, not `{kind}`."),
    ))
}

/// `overrides` of a pricing plan subscription, with behaviours `B`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverridesParams<B> {
    partial_period_behaviors: NonEmpty<B, MAX_NESTED>,
}

impl<L> From<OverridesParams<Behavior<L>>> for Overrides {
    fn from(o: OverridesParams<Behavior<L>>) -> Self {
        Overrides {
            partial_period_behaviors: o
                .partial_period_behaviors
                .0
                .into_iter()
                .map(|b| b.0)
                .collect(),
        }
    }
}

impl From<OverridesParams<DeactivateBehavior>> for Overrides {
    fn from(o: OverridesParams<DeactivateBehavior>) -> Self {
        Overrides {
            partial_period_behaviors: o
                .partial_period_behaviors
                .0
                .into_iter()
                .map(|b| b.0)
                .collect(),
        }
    }
}

/// `billing_details` of preview versions up to 2025-10-29 (stripe-node 18.6.0-alpha.2 and
/// stripe-python 13.x send it); later versions replaced it with `collect_at` and `overrides`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BillingDetailsParams {
    proration_behavior: Option<DetailsProration>,
}

fn proration(b: Option<BillingDetailsParams>) -> Option<&'static str> {
    b.and_then(|b| b.proration_behavior).map(Into::into)
}

// ----- subscribe -----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanSubscribeParams {
    pricing_plan: String,
    pricing_plan_version: String,
    component_configurations: Components,
    #[serde(default)]
    metadata: MetadataParam,
    overrides: Option<OverridesParams<Behavior<SubscribeLicenseFee>>>,
}

impl From<PlanSubscribeParams> for PricingPlanSubscribe {
    fn from(d: PlanSubscribeParams) -> Self {
        PricingPlanSubscribe {
            pricing_plan: d.pricing_plan,
            pricing_plan_version: d.pricing_plan_version,
            component_configurations: components(d.component_configurations),
            metadata: metadata(d.metadata),
            overrides: d.overrides.map(Into::into),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemParams {
    price: String,
    quantity: Option<Bounded<0, { i64::MAX }>>,
    #[serde(default)]
    metadata: MetadataParam,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct V1DetailsParams {
    description: Option<String>,
    items: NonEmpty<ItemParams, MAX_ITEMS>,
    #[serde(default)]
    metadata: MetadataParam,
}

impl From<V1DetailsParams> for V1SubscriptionDetails {
    fn from(d: V1DetailsParams) -> Self {
        V1SubscriptionDetails {
            description: d.description,
            items: d
                .items
                .0
                .into_iter()
                .map(|it| V1Item {
                    price: it.price,
                    quantity: it.quantity.map_or(1, |q| q.0),
                    metadata: metadata(it.metadata),
                })
                .collect(),
            metadata: metadata(d.metadata),
        }
    }
}

fields!(SubscribeField, SUBSCRIBE_FIELDS:
    Type = "type", CollectAt = "collect_at", EffectiveAt = "effective_at",
    BillingDetails = "billing_details",
    PricingPlanSubscriptionDetails = "pricing_plan_subscription_details",
    V1SubscriptionDetails = "v1_subscription_details");

/// `actions[index].subscribe`.
struct SubscribeSeed {
    index: usize,
}

struct_seed!(SubscribeSeed, "Subscribe", SUBSCRIBE_FIELDS => Subscribe);

impl SubscribeSeed {
    fn read<'de, A: MapAccess<'de>>(self, mut map: A) -> Result<Subscribe, A::Error> {
        let kind: SubscriptionType = read_type(&mut map, SubscribeField::Type)?;
        let mut collect_at = None;
        let mut at = None;
        let mut proration_behavior = None;
        let (mut plan, mut v1) = (None, None);
        while let Some(field) = map.next_key()? {
            let of = match field {
                SubscribeField::Type => continue,
                SubscribeField::CollectAt => {
                    collect_at = map.next_value::<Option<CollectAt>>()?;
                    continue;
                }
                SubscribeField::EffectiveAt => {
                    at = map.next_value::<Option<EffectiveAtParams<SubscribeAt>>>()?;
                    continue;
                }
                SubscribeField::BillingDetails => {
                    proration_behavior = proration(map.next_value()?);
                    continue;
                }
                SubscribeField::PricingPlanSubscriptionDetails => {
                    SubscriptionType::PricingPlanSubscriptionDetails
                }
                SubscribeField::V1SubscriptionDetails => SubscriptionType::V1SubscriptionDetails,
            };
            if of != kind {
                if map.next_value::<Sent>()?.0 {
                    let type_path = format_args!("actions[{}].subscribe.type", self.index);
                    return Err(sibling_error(of.into(), kind.into(), type_path));
                }
                continue;
            }
            match kind {
                SubscriptionType::PricingPlanSubscriptionDetails => {
                    plan = Some(map.next_value::<PlanSubscribeParams>()?);
                }
                SubscriptionType::V1SubscriptionDetails => {
                    v1 = Some(map.next_value::<V1DetailsParams>()?);
                }
            }
        }
        if plan.is_none() && v1.is_none() {
            return Err(de::Error::missing_field(kind.into()));
        }
        Ok(Subscribe {
            kind: kind.into(),
            collect_at: collect_at.map_or("on_effective_at", Into::into),
            effective_at: effective_at(at),
            proration_behavior,
            pricing_plan_subscription_details: plan.map(|p| Box::new(p.into())),
            v1_subscription_details: v1.map(Into::into),
        })
    }
}

// ----- modify and deactivate -----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanModifyParams {
    pricing_plan_subscription: String,
    new_pricing_plan: Option<String>,
    new_pricing_plan_version: Option<String>,
    component_configurations: Components,
    overrides: Option<OverridesParams<Behavior<ModifyLicenseFee>>>,
}

/// `actions[…].modify`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModifyParams {
    billing_details: Option<BillingDetailsParams>,
    #[serde(rename = "type")]
    kind: SubscriptionType,
    collect_at: Option<CollectAt>,
    effective_at: Option<EffectiveAtParams<SubscribeAt>>,
    pricing_plan_subscription_details: PlanModifyParams,
}

impl From<ModifyParams> for Modify {
    fn from(m: ModifyParams) -> Self {
        let d = m.pricing_plan_subscription_details;
        Modify {
            proration_behavior: proration(m.billing_details),
            kind: m.kind.into(),
            collect_at: m.collect_at.map_or("next_billing_date", Into::into),
            effective_at: effective_at(m.effective_at),
            pricing_plan_subscription_details: Box::new(PricingPlanModify {
                pricing_plan_subscription: d.pricing_plan_subscription,
                new_pricing_plan: d.new_pricing_plan,
                new_pricing_plan_version: d.new_pricing_plan_version,
                component_configurations: components(d.component_configurations),
                overrides: d.overrides.map(Into::into),
            }),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CancellationParams {
    comment: Option<String>,
    feedback: Option<Feedback>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanDeactivateParams {
    pricing_plan_subscription: String,
    overrides: Option<OverridesParams<DeactivateBehavior>>,
}

/// `actions[…].deactivate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeactivateParams {
    billing_details: Option<BillingDetailsParams>,
    #[serde(rename = "type")]
    kind: SubscriptionType,
    collect_at: Option<CollectAt>,
    effective_at: Option<EffectiveAtParams<DeactivateAt>>,
    cancellation_details: Option<CancellationParams>,
    pricing_plan_subscription_details: PlanDeactivateParams,
}

impl From<DeactivateParams> for Deactivate {
    fn from(d: DeactivateParams) -> Self {
        let p = d.pricing_plan_subscription_details;
        Deactivate {
            proration_behavior: proration(d.billing_details),
            kind: d.kind.into(),
            collect_at: d.collect_at.map_or("on_effective_at", Into::into),
            effective_at: effective_at(d.effective_at),
            cancellation_details: d.cancellation_details.map(|c| CancellationDetails {
                comment: c.comment,
                feedback: c.feedback.map(Into::into),
            }),
            pricing_plan_subscription_details: PricingPlanDeactivate {
                pricing_plan_subscription: p.pricing_plan_subscription,
                overrides: p.overrides.map(Into::into),
            },
        }
    }
}

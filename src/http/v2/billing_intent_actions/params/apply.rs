//! The `apply` and `remove` actions: discounts, invoice discount rules and spend modifier
//! rules.

use serde::de::{self, MapAccess};
use serde::{Deserialize, Deserializer};
use strum::IntoStaticStr;

use crate::domain::billing_intent::{
    Apply, DiscountApply, EffectiveAt, InvoiceDiscountRule, MaxBillingPeriodSpend, PercentOffRule,
    Remove, SpendModifierRule,
};
use crate::http::de::refuse;
use crate::http::v2::params::{
    DecimalString, Sent, only_with_type, read_type, sibling_error, struct_seed,
};

use super::{EffectiveAtParams, effective_at};

values! {
    ApplyType { Discount, InvoiceDiscountRule, SpendModifierRule }
    RemoveType { InvoiceDiscountRule, SpendModifierRule }
    ApplyAt {
        CurrentBillingPeriodEnd, CurrentBillingPeriodStart, NextBillingPeriodStart, OnReserve,
        Timestamp,
    }
    RemoveAt { CurrentBillingPeriodEnd, OnReserve }
    DiscountType { Coupon, PromotionCode }
    AppliesTo { Cadence }
    PercentOffType { PercentOff }
    Applications { Indefinite }
    SpendRuleType { MaxBillingPeriodSpend }
    AmountType { CustomPricingUnit }
}

/// A `percent_off` in (0, 100].
#[derive(Debug)]
struct Percentage(String);

impl<'de> Deserialize<'de> for Percentage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let DecimalString(text) = DecimalString::deserialize(deserializer)?;
        if !is_percentage(&text) {
            return Err(refuse(
                None,
                None,
                format_args!(
                    "Invalid percent_off: '{text}'. It must be greater than 0 and at most 100."
                ),
            ));
        }
        Ok(Percentage(text))
    }
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationsParams {
    #[serde(rename = "type")]
    kind: Applications,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PercentOffParams {
    percent_off: Percentage,
    maximum_applications: ApplicationsParams,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscountRuleParams {
    applies_to: AppliesTo,
    #[serde(rename = "type")]
    kind: PercentOffType,
    percent_off: Option<PercentOffParams>,
}

impl From<DiscountRuleParams> for InvoiceDiscountRule {
    fn from(r: DiscountRuleParams) -> Self {
        InvoiceDiscountRule {
            applies_to: r.applies_to.into(),
            kind: r.kind.into(),
            percent_off: r.percent_off.map(|p| PercentOffRule {
                percent_off: p.percent_off.0,
                maximum_applications: p.maximum_applications.kind.into(),
            }),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomPricingUnitParams {
    id: Option<String>,
    value: DecimalString,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpendAmountParams {
    #[serde(rename = "type")]
    kind: AmountType,
    custom_pricing_unit: Option<CustomPricingUnitParams>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverageRateParams {
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MaxSpendParams {
    amount: SpendAmountParams,
    custom_pricing_unit_overage_rate: OverageRateParams,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpendRuleParams {
    applies_to: AppliesTo,
    #[serde(rename = "type")]
    kind: SpendRuleType,
    max_billing_period_spend: Option<MaxSpendParams>,
}

impl From<SpendRuleParams> for SpendModifierRule {
    fn from(r: SpendRuleParams) -> Self {
        SpendModifierRule {
            applies_to: r.applies_to.into(),
            kind: r.kind.into(),
            max_billing_period_spend: r.max_billing_period_spend.map(|m| {
                let unit = m.amount.custom_pricing_unit;
                MaxBillingPeriodSpend {
                    amount_kind: m.amount.kind.into(),
                    custom_pricing_unit_id: unit.as_ref().and_then(|u| u.id.clone()),
                    custom_pricing_unit_value: unit.map(|u| u.value.0),
                    overage_rate: m.custom_pricing_unit_overage_rate.id,
                }
            }),
        }
    }
}

fields!(DiscountField, DISCOUNT_FIELDS:
    Type = "type", Coupon = "coupon", PromotionCode = "promotion_code");

/// `apply.discount`: a `coupon` or a `promotion_code`, as `type` says.
struct DiscountSeed;

struct_seed!(DiscountSeed, "Discount", DISCOUNT_FIELDS => DiscountApply);

impl DiscountSeed {
    fn read<'de, A: MapAccess<'de>>(self, mut map: A) -> Result<DiscountApply, A::Error> {
        let kind: DiscountType = read_type(&mut map, DiscountField::Type)?;
        let mut id = None;
        while let Some(field) = map.next_key()? {
            let of = match field {
                DiscountField::Type => continue,
                DiscountField::Coupon => DiscountType::Coupon,
                DiscountField::PromotionCode => DiscountType::PromotionCode,
            };
            id = chosen_id(&mut map, of, kind, id)?;
        }
        let id = id.ok_or_else(|| de::Error::missing_field(kind.into()))?;
        let (coupon, promotion_code) = match kind {
            DiscountType::Coupon => (Some(id), None),
            DiscountType::PromotionCode => (None, Some(id)),
        };
        Ok(DiscountApply {
            kind: kind.into(),
            coupon,
            promotion_code,
        })
    }
}

/// Reads the id field `of` of an object whose `type` is `kind`: the id when `of` is `kind`
/// (replacing `id`), else refused if sent.
fn chosen_id<'de, A: MapAccess<'de>, T: PartialEq + Into<&'static str>>(
    map: &mut A,
    of: T,
    kind: T,
    id: Option<String>,
) -> Result<Option<String>, A::Error> {
    if of == kind {
        return map.next_value::<String>().map(Some);
    }
    if map.next_value::<Sent>()?.0 {
        return Err(only_with_type(of.into()));
    }
    Ok(id)
}

fields!(ApplyField, APPLY_FIELDS:
    Type = "type", EffectiveAt = "effective_at", Discount = "discount",
    InvoiceDiscountRule = "invoice_discount_rule", SpendModifierRule = "spend_modifier_rule");

/// `actions[index].apply`.
pub(super) struct ApplySeed {
    pub(super) index: usize,
}

struct_seed!(ApplySeed, "Apply", APPLY_FIELDS => Apply);

impl ApplySeed {
    fn read<'de, A: MapAccess<'de>>(self, mut map: A) -> Result<Apply, A::Error> {
        let kind: ApplyType = read_type(&mut map, ApplyField::Type)?;
        let mut apply = Apply {
            kind: kind.into(),
            effective_at: EffectiveAt::on_reserve(),
            discount: None,
            invoice_discount_rule: None,
            spend_modifier_rule: None,
        };
        while let Some(field) = map.next_key()? {
            let of = match field {
                ApplyField::Type => continue,
                ApplyField::EffectiveAt => {
                    apply.effective_at =
                        effective_at(map.next_value::<Option<EffectiveAtParams<ApplyAt>>>()?);
                    if apply.effective_at.kind == "timestamp" && kind != ApplyType::Discount {
                        return Err(refuse(
                            None,
                            Some("effective_at.type"),
                            "`timestamp` is only allowed for discount actions.",
                        ));
                    }
                    continue;
                }
                ApplyField::Discount => ApplyType::Discount,
                ApplyField::InvoiceDiscountRule => ApplyType::InvoiceDiscountRule,
                ApplyField::SpendModifierRule => ApplyType::SpendModifierRule,
            };
            if of != kind {
                if map.next_value::<Sent>()?.0 {
                    let type_path = format_args!("actions[{}].apply.type", self.index);
                    return Err(sibling_error(of.into(), kind.into(), type_path));
                }
                continue;
            }
            match kind {
                ApplyType::Discount => {
                    apply.discount = Some(map.next_value_seed(DiscountSeed)?);
                }
                ApplyType::InvoiceDiscountRule => {
                    let rule = map.next_value::<DiscountRuleParams>()?;
                    apply.invoice_discount_rule = Some(Box::new(rule.into()));
                }
                ApplyType::SpendModifierRule => {
                    let rule = map.next_value::<SpendRuleParams>()?;
                    apply.spend_modifier_rule = Some(Box::new(rule.into()));
                }
            }
        }
        let chosen = apply.discount.is_some()
            || apply.invoice_discount_rule.is_some()
            || apply.spend_modifier_rule.is_some();
        if !chosen {
            return Err(de::Error::missing_field(kind.into()));
        }
        Ok(apply)
    }
}

// ----- remove -----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoveAtParams {
    #[serde(rename = "type")]
    kind: RemoveAt,
}

fields!(RemoveField, REMOVE_FIELDS:
    Type = "type", EffectiveAt = "effective_at",
    InvoiceDiscountRule = "invoice_discount_rule", SpendModifierRule = "spend_modifier_rule");

/// `actions[…].remove`: the id of the rule `type` names.
pub(super) struct RemoveSeed;

struct_seed!(RemoveSeed, "Remove", REMOVE_FIELDS => Remove);

impl RemoveSeed {
    fn read<'de, A: MapAccess<'de>>(self, mut map: A) -> Result<Remove, A::Error> {
        let kind: RemoveType = read_type(&mut map, RemoveField::Type)?;
        let mut at = "on_reserve";
        let mut id = None;
        while let Some(field) = map.next_key()? {
            let of = match field {
                RemoveField::Type => continue,
                RemoveField::EffectiveAt => {
                    if let Some(e) = map.next_value::<Option<RemoveAtParams>>()? {
                        at = e.kind.into();
                    }
                    continue;
                }
                RemoveField::InvoiceDiscountRule => RemoveType::InvoiceDiscountRule,
                RemoveField::SpendModifierRule => RemoveType::SpendModifierRule,
            };
            id = chosen_id(&mut map, of, kind, id)?;
        }
        let id = id.ok_or_else(|| de::Error::missing_field(kind.into()))?;
        let (invoice_discount_rule, spend_modifier_rule) = match kind {
            RemoveType::InvoiceDiscountRule => (Some(id), None),
            RemoveType::SpendModifierRule => (None, Some(id)),
        };
        Ok(Remove {
            kind: kind.into(),
            effective_at: at,
            invoice_discount_rule,
            spend_modifier_rule,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_must_be_in_range() {
        for ok in ["50", "50.0", "0.5", "100", "100.000", "007"] {
            assert!(is_percentage(ok), "{ok}");
        }
        for bad in ["0", "0.0", "100.01", "101", "1000"] {
            assert!(!is_percentage(bad), "{bad}");
        }
    }
}

//! The v1 price body, also embedded in invoice items and lines.

use serde::Serialize;

use crate::domain::catalog::{Metadata, Price};
use crate::http::v1::DecimalString;

/// Price in Stripe's shape (also embedded in invoice items and lines).
#[derive(Debug, Serialize)]
pub struct PriceView<'a> {
    id: &'a str,
    object: &'static str,
    active: bool,
    billing_scheme: &'static str,
    created: i64,
    currency: &'a str,
    custom_unit_amount: Option<()>,
    livemode: bool,
    lookup_key: Option<&'a str>,
    metadata: &'a Metadata,
    nickname: Option<&'a str>,
    product: &'a str,
    recurring: Option<RecurringView>,
    tax_behavior: &'static str,
    tiers_mode: Option<()>,
    transform_quantity: Option<()>,
    #[serde(rename = "type")]
    kind: &'static str,
    unit_amount: i64,
    unit_amount_decimal: DecimalString,
}

#[derive(Debug, Serialize)]
struct RecurringView {
    aggregate_usage: Option<()>,
    interval: &'static str,
    interval_count: i64,
    trial_period_days: Option<()>,
    usage_type: &'static str,
}

impl<'a> From<&'a Price> for PriceView<'a> {
    fn from(p: &'a Price) -> Self {
        PriceView {
            id: &p.id,
            object: "price",
            active: p.active,
            billing_scheme: "per_unit",
            created: p.created,
            currency: &p.currency,
            custom_unit_amount: None,
            livemode: p.livemode,
            lookup_key: p.lookup_key.as_deref(),
            metadata: &p.metadata,
            nickname: p.nickname.as_deref(),
            product: &p.product,
            recurring: p.recurring.as_ref().map(|r| RecurringView {
                aggregate_usage: None,
                interval: r.interval,
                interval_count: r.interval_count,
                trial_period_days: None,
                usage_type: r.usage_type,
            }),
            tax_behavior: p.tax_behavior,
            tiers_mode: None,
            transform_quantity: None,
            kind: p.kind(),
            unit_amount: p.unit_amount,
            unit_amount_decimal: DecimalString(p.unit_amount),
        }
    }
}

//! The tax parameters of invoice items and lines: `tax_amounts[]` (lines only) with their
//! `tax_rate_data`, `tax_rates[]`, and the decimal numbers they and `quantity_decimal` are
//! written in. Decoding and checking only, in the shapes of Stripe's GA document (`add_lines`,
//! `update_lines`, the line update, invoice item create and update); no store calls.

use serde::{Deserialize, Deserializer};
use strum::IntoStaticStr;

use crate::domain::decimal::{Decimal, DecimalError, PLACES};
use crate::domain::invoice::TaxRateData;
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::http::de::{Items, refuse};
use crate::store::invoicing::{TaxAmountInput, TaxRateInput};

use super::invoice_params::{entry, path};

/// Most tax amounts on one line. Stripe's GA document: "A list of up to 20 tax amounts for
/// this line item" (SDKs of early 2025 still said 10).
pub const MAX_TAX_AMOUNTS: usize = 20;

/// Stripe's description of `tax_amounts`, whose second sentence is the rule the mock enforces
/// and the message it refuses with: neither default tax rates nor automatic tax exist in the
/// mock, and no line can keep `tax_rates` (see `check_tax_rates` in the store), so the case left
/// is a line sent with both.
pub const TAX_AMOUNTS_WITH_TAX_RATES: &str = "You cannot set tax amounts if any line item has tax_rates or if the invoice has default_tax_rates or uses automatic tax.";

/// A decimal number parameter (`percentage`, `quantity_decimal`): a string with at most 12
/// digits after the point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalParam(pub Decimal);

impl<'de> Deserialize<'de> for DecimalParam {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Decimal::parse(s.trim())
            .map(DecimalParam)
            .map_err(|e| match e {
                DecimalError::Syntax | DecimalError::Range => {
                    refuse(None, None, format_args!("Invalid decimal: {s}"))
                }
                DecimalError::Precision => refuse(
                    None,
                    None,
                    format_args!(
                        "Invalid decimal: {s}. At most {PLACES} decimal places are allowed."
                    ),
                ),
            })
    }
}

/// `quantity_decimal`: a decimal number of units, zero or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantityDecimal(pub Decimal);

impl<'de> Deserialize<'de> for QuantityDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let DecimalParam(q) = DecimalParam::deserialize(deserializer)?;
        if q.is_negative() {
            return Err(refuse(
                None,
                None,
                "Invalid {key}: must be greater than or equal to 0.",
            ));
        }
        Ok(QuantityDecimal(q))
    }
}

/// `tax_rate_data[jurisdiction_level]`.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
enum JurisdictionLevel {
    City,
    Country,
    County,
    District,
    Multiple,
    State,
}

/// `tax_amounts[N][taxability_reason]`: the values Stripe's SDKs list for the parameter.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
enum TaxabilityReason {
    CustomerExempt,
    NotCollecting,
    NotSubjectToTax,
    NotSupported,
    PortionProductExempt,
    PortionReducedRated,
    PortionStandardRated,
    ProductExempt,
    ProductExemptHoliday,
    ProportionallyRated,
    ReducedRated,
    ReverseCharge,
    StandardRated,
    TaxableBasisReduced,
    ZeroRated,
}

/// `tax_amounts[N][tax_rate_data]`: finds or creates the tax rate of a tax amount.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxRateDataParams {
    country: Option<String>,
    description: Option<String>,
    display_name: String,
    inclusive: bool,
    jurisdiction: Option<String>,
    jurisdiction_level: Option<JurisdictionLevel>,
    percentage: DecimalParam,
    state: Option<String>,
    tax_type: Option<String>,
}

/// `tax_amounts[N]`: a tax the caller computed for a line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxAmountParams {
    amount: i64,
    tax_rate_data: TaxRateDataParams,
    taxability_reason: Option<TaxabilityReason>,
    taxable_amount: i64,
}

/// A line's `tax_amounts`; `""` clears them.
pub type TaxAmounts = Patch<Items<TaxAmountParams, MAX_TAX_AMOUNTS>>;

/// A `tax_rates` array of ids; `""` clears it.
pub type TaxRates = Patch<Vec<String>>;

/// A line's tax amounts as the store takes them.
pub fn tax_amount_inputs(amounts: TaxAmounts) -> Patch<Vec<TaxAmountInput>> {
    let amounts = match amounts {
        Patch::Absent => return Patch::Absent,
        Patch::Unset => return Patch::Unset,
        Patch::Set(Items(amounts)) => amounts,
    };
    Patch::Set(
        amounts
            .into_iter()
            .map(|t| {
                let d = t.tax_rate_data;
                TaxAmountInput {
                    amount: t.amount,
                    rate: TaxRateData {
                        country: d.country,
                        description: d.description,
                        display_name: d.display_name,
                        inclusive: d.inclusive,
                        jurisdiction: d.jurisdiction,
                        jurisdiction_level: d.jurisdiction_level.map(Into::into),
                        percentage: d.percentage.0,
                        state: d.state,
                        tax_type: d.tax_type,
                    },
                    taxability_reason: t.taxability_reason.map(Into::into),
                    taxable_amount: t.taxable_amount,
                }
            })
            .collect(),
    )
}

/// The tax rate ids of the array at `array` (`lines[0][tax_rates]`), each with its path.
pub fn tax_rate_inputs(rates: TaxRates, array: &str) -> Patch<Vec<TaxRateInput>> {
    match rates {
        Patch::Absent => Patch::Absent,
        Patch::Unset => Patch::Unset,
        Patch::Set(ids) => Patch::Set(
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| TaxRateInput {
                    id,
                    param: entry(array, i),
                })
                .collect(),
        ),
    }
}

/// Refuses `tax_amounts` sent with `tax_rates` on the line at `at` (both non-empty).
///
/// # Errors
/// Both are set.
pub fn check_tax_exclusive(
    amounts: &Patch<Vec<TaxAmountInput>>,
    rates: &Patch<Vec<TaxRateInput>>,
    at: &str,
) -> Result<()> {
    if non_empty(amounts) && non_empty(rates) {
        return Err(Error::invalid_uncoded(
            TAX_AMOUNTS_WITH_TAX_RATES,
            Some(path(at, "tax_amounts")),
        ));
    }
    Ok(())
}

fn non_empty<T>(p: &Patch<Vec<T>>) -> bool {
    matches!(p, Patch::Set(v) if !v.is_empty())
}

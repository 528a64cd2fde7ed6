//! Parameter types and checks the v1 endpoints share (see [`crate::http::de`] for the decoder).

use serde::Deserialize;
use strum::IntoStaticStr;

use crate::error::{Error, Result};
pub use crate::http::de::Currency;

/// A required field read as an `Option` (so that `""` reads as not sent): `parameter_missing`
/// naming `field` below the object being decoded when it is `None`. For the enums that Stripe
/// reports missing, rather than empty, when sent as `""`.
///
/// # Errors
/// `field` is `None`.
pub fn required<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

/// `code` lowercased, or the error naming `param` if it is not a currency code: for a
/// currency checked after decoding.
///
/// # Errors
/// Not a three-letter code.
pub fn currency_at(code: String, param: String) -> Result<String> {
    Currency::parse(code)
        .map(|Currency(code)| code)
        .map_err(|message| Error::param_invalid(param, None, message))
}

/// `tax_behavior` of a price.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TaxBehavior {
    /// Tax is added to the amount.
    Exclusive,
    /// Tax is included in the amount.
    Inclusive,
    /// Not decided yet.
    Unspecified,
}

/// `recurring[interval]`.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Interval {
    /// Daily.
    Day,
    /// Weekly.
    Week,
    /// Monthly.
    Month,
    /// Yearly.
    Year,
}

/// `recurring[usage_type]`.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum UsageType {
    /// Billed for the quantity.
    Licensed,
    /// Billed for reported usage.
    Metered,
}

/// `product_data[…]` of an inline price.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductData {
    /// The product's name.
    pub name: String,
}

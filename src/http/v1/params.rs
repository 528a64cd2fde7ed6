//! Parameter types and checks the v1 endpoints share (see [`de`] for the decoder).

use serde::{Deserialize, Deserializer};

use crate::domain::money::is_currency;
use crate::error::{Error, Result};
use crate::http::de::refuse;

/// A currency code, lowercased: a required one is `Currency`, an optional one
/// `Option<Currency>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency(pub String);

impl Currency {
    /// `code` lowercased, if it is a three-letter currency code; otherwise the message that
    /// refuses it.
    pub fn parse(mut code: String) -> std::result::Result<Self, String> {
        code.make_ascii_lowercase();
        if is_currency(&code) {
            Ok(Currency(code))
        } else {
            Err(format!(
                "Invalid currency: {code}. Stripe currencies are three-letter ISO codes."
            ))
        }
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Currency::parse(String::deserialize(deserializer)?).map_err(|m| refuse(None, None, m))
    }
}

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

/// `parameters_exclusive`: at most one of `names` (as the message lists them) may be sent; the
/// error names `param`.
pub fn exclusive(names: &str, param: String) -> Error {
    Error::InvalidRequest {
        code: Some("parameters_exclusive"),
        message: format!("You may only specify one of these parameters: {names}."),
        param: Some(param),
    }
}

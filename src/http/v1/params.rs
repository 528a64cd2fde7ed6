//! Parameter types the v1 endpoints share (see [`de`] for the decoder), and the bridge that lets
//! modules still reading parameters field by field decode one of them.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::domain::money::is_currency;
use crate::error::{Error, Result};
use crate::http::de::{self, refuse};
use crate::http::params::Params;

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

/// Takes `key` out of `p` and decodes it as `T`, with error paths below `key`'s path: a typed
/// parameter for a module that still reads its others field by field. `None` if not sent. In
/// v1, numbers and booleans below `key` (from a fixture document) read as the strings a form
/// sends for them.
///
/// # Errors
/// As [`de::from_value_at`].
pub fn take_typed<T: DeserializeOwned>(p: &mut Params, key: &str) -> Result<Option<T>> {
    match p.take_raw(key) {
        None => Ok(None),
        Some(value) => de::from_value_at(p.mode(), &p.path_of(key), Value::from(value)).map(Some),
    }
}

/// Reads a required currency code from `p`, lowercased (for modules that read field by field).
///
/// # Errors
/// Missing, empty, or not a three-letter code.
pub fn req_currency(p: &mut Params, key: &str) -> Result<String> {
    let code = p.req_string(key)?;
    currency_at(code, p.path_of(key))
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

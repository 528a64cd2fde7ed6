//! Parameter types the v2 endpoints share, beside the generic ones in [`de`](crate::http::de):
//! the page of a list ([`PageParams`]), a currency, an RFC 3339 timestamp, a decimal string,
//! and the rules of `type`-tagged objects ([`read_type`], [`Sent`], [`sibling_error`],
//! [`only_with_type`]).
//!
//! A `type`-tagged object (`{"type": "subscribe", "subscribe": {…}}`) carries only the
//! sub-object its `type` names; the others may be absent or `null`. Such objects are read by a
//! hand-written `Deserialize` that reads `type` first, then each sub-object it did not choose as
//! [`Sent`] (without reading its contents), and the chosen one as its own type.
//!
//! The parameter types declare every version's parameters; [`absent_in`] says which of them a
//! request's version lacks, for the decoder to refuse as that version does.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::domain::collection::Cursor;
use crate::error::{Error, Result};
pub use crate::http::de::Currency;
use crate::http::de::{Bounded, refuse};
use crate::store::billing::PageRequest;

use super::{DEFAULT_LIMIT, MAX_LIMIT, Shape, decode_token};

/// Whether the version of `shape` lacks the parameter `name` (a field, or an enum value) of the
/// parameter type `ty` (its serde name): the create parameters of billing intents and their
/// actions follow the same dates as their responses ([`Shape`]).
pub fn absent_in(shape: Shape, ty: &str, name: &str) -> bool {
    match (ty, name) {
        ("CreateParams", "cadence_data") => !shape.cadence_data,
        ("Subscribe" | "ModifyParams" | "DeactivateParams", "collect_at")
        | ("PlanSubscribeParams" | "PlanModifyParams" | "PlanDeactivateParams", "overrides") => {
            !shape.collect_at
        }
        ("Subscribe" | "ModifyParams" | "DeactivateParams", "billing_details") => shape.collect_at,
        ("DeactivateParams", "cancellation_details")
        | ("Apply" | "Remove", "effective_at" | "spend_modifier_rule")
        | ("ApplyType" | "RemoveType", "spend_modifier_rule") => !shape.spend_modifier_rules,
        ("Apply" | "ApplyType", "discount")
        | ("ApplyAt", "current_billing_period_start" | "timestamp")
        | ("BehaviorType" | "RawBehavior", "recurring_credit_grant") => !shape.apply_discount,
        _ => false,
    }
}

/// The page parameters of a v2 list (`GET`): `limit` (1–100, default 10) and `page`, a token
/// from a previous response's `next_page_url` or `previous_page_url`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    limit: Option<Bounded<1, MAX_LIMIT>>,
    page: Option<String>,
}

impl PageParams {
    /// The page requested of the list `scope`.
    ///
    /// # Errors
    /// A `page` token that this list did not issue.
    pub fn request(self, scope: &str) -> Result<PageRequest> {
        let limit = self.limit.map_or(DEFAULT_LIMIT, |l| l.0);
        let cursor = match self.page {
            None => Cursor::Start,
            Some(token) => decode_token(scope, &token).ok_or_else(|| {
                Error::param_invalid(
                    "page",
                    None,
                    format!("Invalid page token: '{token}'. Use the next_page_url or previous_page_url of a previous response."),
                )
            })?,
        };
        Ok(PageRequest {
            limit: usize::try_from(limit).unwrap_or(10),
            cursor,
        })
    }
}

/// An RFC 3339 timestamp (`2025-01-01T00:00:00.000Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfc3339(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Rfc3339 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        match DateTime::parse_from_rfc3339(&raw) {
            Ok(t) => Ok(Rfc3339(t.with_timezone(&Utc))),
            Err(_) => Err(refuse(
                None,
                None,
                format_args!(
                    "Invalid timestamp: '{raw}'. Expected an RFC 3339 timestamp such as 2025-01-01T00:00:00.000Z."
                ),
            )),
        }
    }
}

/// A non-negative decimal, as the SDKs send a `decimal_string`: a string (`"50"`, `"12.5"`)
/// or a JSON number, kept as the text sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalString(pub String);

impl<'de> Deserialize<'de> for DecimalString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = match Value::deserialize(deserializer)? {
            Value::Null => return Err(refuse(Some("parameter_invalid_empty"), None, "")),
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(_) | Value::Array(_) | Value::Object(_) => String::new(),
        };
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty()
            || !digits(int)
            || !digits(frac)
            || (text.contains('.') && frac.is_empty())
        {
            return Err(refuse(
                None,
                None,
                format_args!(
                    "Invalid decimal: '{text}'. Expected a non-negative decimal string such as \"50.0\"."
                ),
            ));
        }
        Ok(DecimalString(text))
    }
}

/// Whether a parameter was sent with a value: anything but `null` counts, an empty string too.
/// The value is not checked. Not an `Option`: that would count `""` as not sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent(pub bool);

impl<'de> Deserialize<'de> for Sent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(SentVisitor)
    }
}

struct SentVisitor;

impl<'de> Visitor<'de> for SentVisitor {
    type Value = Sent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Sent, E> {
        Ok(Sent(false))
    }

    fn visit_none<E: de::Error>(self) -> std::result::Result<Sent, E> {
        Ok(Sent(false))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Sent, E> {
        Ok(Sent(true))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Sent, E> {
        Ok(Sent(true))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Sent, E> {
        Ok(Sent(true))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Sent, E> {
        Ok(Sent(true))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Sent, E> {
        Ok(Sent(true))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Sent, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Sent(true))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Sent, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Sent(true))
    }
}

/// Implements `DeserializeSeed` and `Visitor` for a seed type (with generics in `@[…]`
/// first, if any) that reads a struct named `$name` with the field list `$fields` through its
/// inherent `fn read<'de, A: MapAccess<'de>>(self, map: A) -> Result<$value, A::Error>`.
macro_rules! struct_seed {
    ($(@[$($generics:tt)*])? $seed:ty, $name:literal, $fields:expr => $value:ty) => {
        impl<'de, $($($generics)*)?> serde::de::DeserializeSeed<'de> for $seed {
            type Value = $value;

            fn deserialize<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> std::result::Result<$value, D::Error> {
                deserializer.deserialize_struct($name, $fields, self)
            }
        }

        impl<'de, $($($generics)*)?> serde::de::Visitor<'de> for $seed {
            type Value = $value;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($name)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<$value, A::Error> {
                self.read(map)
            }
        }
    };
}

pub(crate) use struct_seed;

/// Reads the `type` of a tagged object, whose field identifiers `F` list `type` first (as
/// `tag`): the map yields declared fields in that order, so any other first field means that
/// `type` was not sent.
///
/// # Errors
/// `type` missing, or not one of `T`'s values.
pub fn read_type<'de, A, F, T>(map: &mut A, tag: F) -> std::result::Result<T, A::Error>
where
    A: MapAccess<'de>,
    F: Deserialize<'de> + PartialEq,
    T: Deserialize<'de>,
{
    match map.next_key::<F>()? {
        Some(first) if first == tag => map.next_value(),
        _ => Err(de::Error::missing_field("type")),
    }
}

/// The error a `type`-tagged object raises for its sub-object `name`, sent although `type`
/// (at `type_path`, which the message names) is `chosen`. The error names `name` below the
/// object.
pub fn sibling_error<E: de::Error>(name: &str, chosen: &str, type_path: fmt::Arguments<'_>) -> E {
    refuse(
        None,
        Some(name),
        format_args!("`{name}` may only be given when `{type_path}` is `{name}`, not `{chosen}`."),
    )
}

/// The error an object raises for its field `key`, sent although it belongs to the object's
/// `type` `key` and another type was chosen.
pub fn only_with_type<E: de::Error>(key: &str) -> E {
    refuse(
        None,
        Some(key),
        format_args!("`{{path}}` may only be given when `type` is `{key}`."),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::http::de::{Mode, from_params};

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        amount: Option<DecimalString>,
        at: Option<Rfc3339>,
        currency: Option<Currency>,
        #[serde(default)]
        other: Sent,
    }

    fn probe(v: Value) -> Result<Probe> {
        match v {
            Value::Object(map) => from_params(Mode::V2, map),
            _ => panic!("object expected"),
        }
    }

    fn message(err: Error) -> (String, String) {
        match err {
            Error::ParameterInvalid { param, message, .. } => (param, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decimals_accept_strings_and_numbers() {
        for (sent, kept) in [
            (json!("12.5"), "12.5"),
            (json!(7), "7"),
            (json!(" 50.0 "), "50.0"),
        ] {
            let p = probe(json!({ "amount": sent })).expect("valid");
            assert_eq!(p.amount, Some(DecimalString(kept.into())));
        }
        for bad in [json!("1e3"), json!("1."), json!(true), json!("-1")] {
            let (param, text) = message(probe(json!({ "amount": bad })).expect_err("invalid"));
            assert_eq!(param, "amount");
            assert!(text.starts_with("Invalid decimal: '"), "{text}");
        }
    }

    #[derive(Debug, Deserialize)]
    struct Required {
        #[allow(dead_code)]
        value: DecimalString,
    }

    #[test]
    fn a_required_decimal_may_not_be_empty() {
        let decode = |v: Value| match v {
            Value::Object(map) => from_params::<Required>(Mode::V2, map),
            _ => panic!("object expected"),
        };
        let (param, text) = message(decode(json!({"value": ""})).expect_err("invalid"));
        assert_eq!(
            (param.as_str(), text.as_str()),
            (
                "value",
                "Invalid decimal: ''. Expected a non-negative decimal string such as \"50.0\"."
            )
        );
        match decode(json!({"value": null})).expect_err("invalid") {
            Error::ParameterInvalid { param, code, .. } => {
                assert_eq!(
                    (param.as_str(), code),
                    ("value", Some("parameter_invalid_empty"))
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn currencies_are_lowercased_and_timestamps_parsed() {
        let p = probe(json!({"currency": "USD", "at": "2025-01-01T00:00:00Z"})).expect("valid");
        assert_eq!(p.currency, Some(Currency("usd".into())));
        assert_eq!(p.at.map(|t| t.0.timestamp()), Some(1_735_689_600));
        let (param, text) = message(probe(json!({"currency": "dollars"})).expect_err("invalid"));
        assert_eq!(param, "currency");
        assert_eq!(
            text,
            "Invalid currency: dollars. Stripe currencies are three-letter ISO codes."
        );
        let (_, text) = message(probe(json!({"at": "yesterday"})).expect_err("invalid"));
        assert!(
            text.starts_with("Invalid timestamp: 'yesterday'."),
            "{text}"
        );
    }

    #[test]
    fn anything_but_null_is_sent() {
        for (v, sent) in [
            (json!(null), false),
            (json!(""), true),
            (json!(0), true),
            (json!({"a": {"b": 1}}), true),
            (json!([1, [2]]), true),
        ] {
            assert_eq!(
                probe(json!({ "other": v })).expect("valid").other,
                Sent(sent)
            );
        }
    }
}

//! Parameter types with Stripe's rules: bounded integers, arrays with a maximum, metadata with
//! its limits, no parameters at all, and the three states of an update field ([`Patch`]).

use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, de};
use serde_json::{Map, Value};

use super::{describe, refuse};
use crate::domain::money::is_currency;
use crate::domain::patch::{MetadataUpdate, Patch};

/// Stripe's metadata limits.
const METADATA_MAX_KEYS: usize = 50;
const METADATA_MAX_KEY_CHARS: usize = 40;
const METADATA_MAX_VALUE_CHARS: usize = 500;

/// `""` / `null` unset the field, a value sets it; a field not sent stays [`Patch::Absent`]
/// through `#[serde(default)]`.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Patch::Set(v),
            None => Patch::Unset,
        })
    }
}

/// The parameters of an endpoint that takes none (a retrieve or a delete): anything sent is
/// `parameter_unknown`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// An integer within `MIN..=MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounded<const MIN: i64, const MAX: i64>(pub i64);

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(deserializer)?;
        if (MIN..=MAX).contains(&v) {
            Ok(Bounded(v))
        } else {
            Err(refuse(
                Some("parameter_invalid_integer"),
                None,
                format_args!(
                    "Invalid value for {{key}}: must be between {MIN} and {MAX}, got {v}."
                ),
            ))
        }
    }
}

/// An array of at most `MAX` items.
#[derive(Debug, Clone, PartialEq)]
pub struct Items<T, const MAX: usize>(pub Vec<T>);

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Items<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ItemsVisitor::<T, MAX>(PhantomData))
    }
}

/// Reads an array's items after checking their number, so an over-long array is refused as
/// such before any of its items is read.
struct ItemsVisitor<T, const MAX: usize>(PhantomData<T>);

impl<'de, T: Deserialize<'de>, const MAX: usize> de::Visitor<'de> for ItemsVisitor<T, MAX> {
    type Value = Items<T, MAX>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an array of at most {MAX} items")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let too_many = || {
            refuse(
                None,
                None,
                format_args!("Invalid array: {{key}} may have at most {MAX} items."),
            )
        };
        if seq.size_hint().is_some_and(|n| n > MAX) {
            return Err(too_many());
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX));
        while let Some(item) = seq.next_element()? {
            if items.len() == MAX {
                return Err(too_many());
            }
            items.push(item);
        }
        Ok(Items(items))
    }
}

/// A required array of at least one and at most `MAX` items.
#[derive(Debug, Clone, PartialEq)]
pub struct NonEmpty<T, const MAX: usize>(pub Vec<T>);

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for NonEmpty<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Items(items) = Items::<T, MAX>::deserialize(deserializer)?;
        if items.is_empty() {
            return Err(refuse(Some("parameter_invalid_empty"), None, ""));
        }
        Ok(NonEmpty(items))
    }
}

/// A `metadata` parameter, checked against Stripe's limits (50 keys, keys of at most 40
/// characters without brackets, values of at most 500 characters); `""` or `null` clears it.
/// Use as `#[serde(default)] metadata: Metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata(pub Option<MetadataUpdate>);

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = match Option::<Map<String, Value>>::deserialize(deserializer)? {
            None => return Ok(Metadata(Some(MetadataUpdate::Clear))),
            Some(map) => map,
        };
        if entries.len() > METADATA_MAX_KEYS {
            return Err(refuse(
                None,
                None,
                format_args!(
                    "Invalid {{key}}: metadata can have at most {METADATA_MAX_KEYS} keys."
                ),
            ));
        }
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            if k.chars().count() > METADATA_MAX_KEY_CHARS || k.contains(['[', ']']) {
                return Err(refuse(
                    None,
                    Some(&k),
                    format_args!(
                        "Invalid {{key}} key `{k}`: keys must be at most {METADATA_MAX_KEY_CHARS} characters and may not contain brackets."
                    ),
                ));
            }
            let value = match v {
                Value::Null => None,
                Value::String(s) if s.is_empty() => None,
                Value::String(s) => Some(s),
                other => {
                    return Err(refuse(
                        None,
                        Some(&k),
                        format_args!(
                            "Invalid {{path}}: expected a string, got {}.",
                            describe(&other)
                        ),
                    ));
                }
            };
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > METADATA_MAX_VALUE_CHARS)
            {
                return Err(refuse(
                    None,
                    Some(&k),
                    format_args!(
                        "Invalid {{key}} value for `{k}`: values must be at most {METADATA_MAX_VALUE_CHARS} characters."
                    ),
                ));
            }
            out.push((k, value));
        }
        Ok(Metadata(Some(MetadataUpdate::Merge(out))))
    }
}

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

//! Typed request parameters: a serde [`Deserializer`](serde::Deserializer) over the decoded parameter tree that knows
//! Stripe's conventions, so each endpoint declares its parameters as a
//! `#[derive(Deserialize)]` struct.
//!
//! Both API versions arrive as a JSON object (`serde_json::Value`): v1 from the bracket form
//! decoder, whose leaves are strings (`"799"`, `"true"`, `""` to unset), v2 from a JSON body
//! (typed leaves, `null` to unset). The deserializer converts v1 strings where a number or a
//! boolean is expected, treats `""` and `null` as "not set" for `Option` and [`Patch`](crate::domain::patch::Patch) fields,
//! and turns every failure into the [`Error`] Stripe would answer, naming the full parameter
//! path in the style of the API version (`lines[0][amount]`, `actions[0].subscribe.type`):
//! `serde_path_to_error` carries the path, `into_error` spells it.
//!
//! A struct's fields are read in declaration order and a parameter the struct does not declare
//! is reported only after the declared ones were read, as `parameter_unknown` naming the first
//! such key in sorted order: an invalid known parameter is reported before an unknown one.
//!
//! The types declare the parameters of every API version; [`from_params_in`] takes what the
//! request's version lacks ([`Absent`]): such a field is unknown and such an enum value
//! invalid (the error lists the version's values), as in a version that never had them.
//!
//! Nothing here knows about axum; the extractors in `extract` call [`from_params`]. The
//! deserializer itself is in `value`, the parameter types ([`Bounded`], [`Items`],
//! [`NonEmpty`], [`Metadata`], [`NoParams`], and `Patch`'s `Deserialize`) in `types`.

use std::fmt;

use serde::de::{self, DeserializeOwned};
use serde_json::{Map, Value};

use crate::error::Error;

mod types;
mod value;

pub use types::{Bounded, Currency, Items, Metadata, NoParams, NonEmpty};
use value::{Rules, ValueDe};

/// Which API's conventions the parameters follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Form encoded; leaves are strings; `""` means "unset".
    V1,
    /// JSON; leaves are typed; `null` means "unset".
    V2,
}

/// What a request's API version lacks of the parameters the types declare: asked with a
/// type's serde name (a struct's or an enum's) and one of its fields or values, it answers
/// whether the version lacks that one.
pub type Absent<'a> = &'a dyn Fn(&'static str, &str) -> bool;

/// Decodes the parameters `map` into `T`.
///
/// # Errors
/// The Stripe error for the first invalid, missing or unknown parameter.
pub fn from_params<T: DeserializeOwned>(mode: Mode, map: Map<String, Value>) -> Result<T, Error> {
    decode(Rules { mode, absent: None }, "", Value::Object(map))
}

/// Decodes the parameters `map` into `T` as the request's version has them: what `absent`
/// names is unknown (a field) or invalid (an enum value).
///
/// # Errors
/// As [`from_params`].
pub fn from_params_in<T: DeserializeOwned>(
    mode: Mode,
    absent: Absent<'_>,
    map: Map<String, Value>,
) -> Result<T, Error> {
    let rules = Rules {
        mode,
        absent: Some(absent),
    };
    decode(rules, "", Value::Object(map))
}

/// Decodes `value`, which sits at `prefix` (e.g. `prices[1]` in a fixture document), into `T`;
/// error paths start with `prefix`.
///
/// # Errors
/// As [`from_params`].
pub fn from_value_at<T: DeserializeOwned>(
    mode: Mode,
    prefix: &str,
    mut value: Value,
) -> Result<T, Error> {
    // A fixture is held to the API's limits (string length, nesting, array length), as the
    // same parameters sent to the API would be.
    if let Value::Object(map) = &value {
        crate::http::extract::check_limits_at(map, prefix)?;
    }
    if mode == Mode::V1 {
        // A fixture document is JSON read as v1 parameters: its numbers and booleans are what
        // a form would have sent as strings.
        stringify_leaves(&mut value);
    }
    decode(Rules { mode, absent: None }, prefix, value)
}

/// Numbers and booleans as the strings a v1 form sends for them.
fn stringify_leaves(value: &mut Value) {
    match value {
        Value::Number(n) => *value = Value::String(n.to_string()),
        Value::Bool(b) => *value = Value::String(b.to_string()),
        Value::Array(items) => items.iter_mut().for_each(stringify_leaves),
        Value::Object(map) => map.values_mut().for_each(stringify_leaves),
        Value::Null | Value::String(_) => {}
    }
}

fn decode<T: DeserializeOwned>(rules: Rules<'_>, prefix: &str, value: Value) -> Result<T, Error> {
    let mode = rules.mode;
    serde_path_to_error::deserialize(ValueDe { rules, value }).map_err(|e| {
        let path = spell(mode, prefix, e.path());
        into_error(mode, path, e.into_inner().0)
    })
}

/// What went wrong, before the path is known.
#[derive(Debug)]
pub(crate) enum Problem {
    /// A required object or value was sent empty (v1 `""` / v2 `null` where an object is due).
    Missing,
    /// A required field was not sent.
    MissingField(&'static str),
    /// A field the struct does not declare.
    Unknown(String),
    /// The value has the wrong JSON type.
    Type {
        expected: &'static str,
        got: &'static str,
    },
    /// `""` or `null` for a value that cannot be unset.
    Empty,
    /// Not an integer (the value as sent).
    Integer(String),
    /// Not a decimal number.
    Decimal(String),
    /// Not a boolean.
    Boolean(String),
    /// A string outside an enum (the values of the request's version).
    Enum {
        got: String,
        allowed: Vec<&'static str>,
    },
    /// A value refused by a parameter type's own check. `{key}` in the message stands for the
    /// parameter's name (the last step of its path), `{path}` for the whole path; `child` is a
    /// step below the parameter that the error names (a metadata key).
    Invalid {
        code: Option<&'static str>,
        message: String,
        child: Option<String>,
    },
    /// A complete error from a parameter type's own check.
    Done(Box<Error>),
}

/// The deserializer's error: a `Problem` waiting for its path.
#[derive(Debug)]
pub struct DeError(pub(crate) Problem);

impl DeError {
    /// A value refused with `message`, in which `{key}` stands for the parameter's name and
    /// `{path}` for its full path.
    pub fn invalid(code: Option<&'static str>, message: impl Into<String>) -> Self {
        DeError(Problem::Invalid {
            code,
            message: message.into(),
            child: None,
        })
    }

    /// A finished error, reported as it is.
    pub fn error(err: Error) -> Self {
        DeError(Problem::Done(Box::new(err)))
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for DeError {}

/// Starts a message that [`refuse`] encoded.
const MARK: char = '\u{0}';

/// The error codes a parameter type may report through [`refuse`].
const KNOWN_CODES: &[&str] = &[
    "parameter_invalid_integer",
    "parameter_invalid_empty",
    "parameters_exclusive",
    "too_many_billing_intent_actions",
];

/// The error a parameter type's `Deserialize` reports for a value it refuses: `message`, in
/// which `{key}` stands for the parameter's name and `{path}` for its full path (or, with
/// `below`, the path of that key below the parameter, which the error then names), with
/// Stripe's `code` (one of the codes in `KNOWN_CODES`).
pub fn refuse<E: de::Error>(
    code: Option<&'static str>,
    below: Option<&str>,
    message: impl fmt::Display,
) -> E {
    E::custom(format_args!(
        "{MARK}{}{MARK}{}{MARK}{message}",
        code.unwrap_or_default(),
        below.unwrap_or_default()
    ))
}

impl de::Error for DeError {
    /// Parameter types report through `custom` (their `Deserialize` is generic over the
    /// deserializer); [`refuse`] encodes what they report, which is decoded here.
    fn custom<T: fmt::Display>(msg: T) -> Self {
        let text = msg.to_string();
        let Some(encoded) = text.strip_prefix(MARK) else {
            return DeError::invalid(None, format!("Invalid {{path}}: {text}."));
        };
        let mut parts = encoded.splitn(3, MARK);
        let (code, below, message) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        if code == "parameter_invalid_empty" && message.is_empty() {
            return DeError(Problem::Empty);
        }
        DeError(Problem::Invalid {
            code: KNOWN_CODES.iter().copied().find(|c| *c == code),
            message: message.to_owned(),
            child: (!below.is_empty()).then(|| below.to_owned()),
        })
    }

    fn missing_field(field: &'static str) -> Self {
        DeError(Problem::MissingField(field))
    }

    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        DeError(Problem::Unknown(field.to_owned()))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError(Problem::Enum {
            got: variant.to_owned(),
            allowed: expected.to_vec(),
        })
    }
}

/// `a[b][0]` (v1) or `a.b[0]` (v2), after `prefix`.
fn spell(mode: Mode, prefix: &str, path: &serde_path_to_error::Path) -> String {
    let mut out = prefix.to_owned();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Map { key } => push_key(mode, &mut out, key),
            serde_path_to_error::Segment::Seq { index } => {
                out.push('[');
                out.push_str(itoa::Buffer::new().format(*index));
                out.push(']');
            }
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    out
}

fn push_key(mode: Mode, path: &mut String, key: &str) {
    if path.is_empty() {
        path.push_str(key);
        return;
    }
    match mode {
        Mode::V1 => {
            path.push('[');
            path.push_str(key);
            path.push(']');
        }
        Mode::V2 => {
            path.push('.');
            path.push_str(key);
        }
    }
}

/// The path of `key` below `parent`.
pub fn child_path(mode: Mode, parent: &str, key: &str) -> String {
    let mut path = parent.to_owned();
    push_key(mode, &mut path, key);
    path
}

/// The parameter's own name: the last key of its path.
fn last_key(path: &str) -> &str {
    let trimmed = path.trim_end_matches(|c: char| c == ']' || c.is_ascii_digit());
    let trimmed = trimmed.strip_suffix('[').unwrap_or(trimmed);
    let end = trimmed.trim_end_matches(']');
    let start = end.rfind(['[', '.']).map_or(0, |i| i + 1);
    &end[start..]
}

/// The Stripe error for `problem` at `path`.
fn into_error(mode: Mode, path: String, problem: Problem) -> Error {
    match problem {
        Problem::Missing => Error::ParameterMissing { param: path },
        Problem::MissingField(field) => Error::ParameterMissing {
            param: child_path(mode, &path, field),
        },
        Problem::Unknown(key) => Error::ParameterUnknown {
            param: child_path(mode, &path, &key),
        },
        Problem::Type { expected, got } => {
            let message = format!("Invalid {path}: expected {expected}, got {got}.");
            Error::param_invalid(path, None, message)
        }
        Problem::Empty => empty_error(path),
        Problem::Integer(shown) => Error::param_invalid(
            path,
            Some("parameter_invalid_integer"),
            format!("Invalid integer: {shown}"),
        ),
        Problem::Decimal(shown) => {
            Error::param_invalid(path, None, format!("Invalid decimal: {shown}"))
        }
        Problem::Boolean(shown) => Error::param_invalid(
            path,
            None,
            format!("Invalid boolean: {shown}. Expected `true` or `false`."),
        ),
        Problem::Enum { got, allowed } => enum_error(path, &got, &allowed),
        Problem::Invalid {
            code,
            message,
            child: below,
        } => {
            let key = last_key(&path).to_owned();
            let param = match below {
                Some(k) => child_path(mode, &path, &k),
                None => path,
            };
            let message = message.replace("{key}", &key).replace("{path}", &param);
            Error::param_invalid(param, code, message)
        }
        Problem::Done(err) => *err,
    }
}

/// The error for `""` / `null` where a value is required.
pub fn empty_error(path: String) -> Error {
    let message = format!(
        "You passed an empty value for '{path}'. We assume empty values are an attempt to unset a parameter; however '{path}' cannot be unset. You should remove '{path}' from your request or supply a non-empty value."
    );
    Error::param_invalid(path, Some("parameter_invalid_empty"), message)
}

/// The error for a value outside an enum, naming the allowed values.
pub fn enum_error(path: String, got: &str, allowed: &[&str]) -> Error {
    let message = format!(
        "Invalid {path}: must be one of {}; got '{got}'.",
        allowed.join(", ")
    );
    Error::param_invalid(path, None, message)
}

/// The kind of a value, as error messages name it.
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use strum::IntoStaticStr;

    use serde::Deserialize;

    use super::*;
    use crate::domain::patch::{MetadataUpdate, Patch};

    fn decode<T: DeserializeOwned>(mode: Mode, v: Value) -> Result<T, Error> {
        match v {
            Value::Object(map) => from_params(mode, map),
            _ => panic!("object expected"),
        }
    }

    fn invalid(err: Error) -> (String, Option<&'static str>, String) {
        match err {
            Error::ParameterInvalid {
                param,
                code,
                message,
            } => (param, code, message),
            other => panic!("{other:?}"),
        }
    }

    #[derive(Debug, Deserialize, PartialEq, IntoStaticStr)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    enum Interval {
        Day,
        Week,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Line {
        amount: Option<i64>,
        period: Option<Period>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Period {
        end: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Create {
        name: String,
        amount: Option<i64>,
        live: Option<bool>,
        percent: Option<f64>,
        interval: Option<Interval>,
        limit: Option<Bounded<1, 100>>,
        lines: Option<Items<Line, 2>>,
        #[serde(default)]
        description: Patch<String>,
        #[serde(default)]
        metadata: Metadata,
    }

    #[test]
    fn v1_strings_are_converted() {
        let c: Create = decode(
            Mode::V1,
            json!({"name": "x", "amount": "799", "live": "true", "percent": "12.5",
                   "interval": "week", "limit": "100",
                   "lines": [{"amount": "1", "period": {"end": "5"}}],
                   "description": "", "metadata": {"a": "1", "b": ""}}),
        )
        .unwrap();
        assert_eq!(c.name, "x");
        assert_eq!(c.amount, Some(799));
        assert_eq!(c.live, Some(true));
        assert_eq!(c.percent, Some(12.5));
        assert_eq!(c.interval, Some(Interval::Week));
        assert_eq!(<&str>::from(Interval::Day), "day");
        assert_eq!(c.limit, Some(Bounded(100)));
        let lines = c.lines.unwrap().0;
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].amount, Some(1));
        assert_eq!(lines[0].period.as_ref().map(|p| p.end), Some(5));
        assert_eq!(c.description, Patch::Unset);
        assert_eq!(
            c.metadata,
            Metadata(Some(MetadataUpdate::Merge(vec![
                ("a".into(), Some("1".into())),
                ("b".into(), None)
            ])))
        );
    }

    #[test]
    fn absent_unset_and_set() {
        let c: Create = decode(Mode::V2, json!({"name": "x", "description": "d"})).unwrap();
        assert_eq!(c.description, Patch::Set("d".into()));
        assert_eq!(c.metadata, Metadata(None));
        let c: Create = decode(Mode::V2, json!({"name": "x", "metadata": null})).unwrap();
        assert_eq!(c.description, Patch::Absent);
        assert_eq!(c.metadata, Metadata(Some(MetadataUpdate::Clear)));
        let c: Create = decode(Mode::V1, json!({"name": "x", "amount": ""})).unwrap();
        assert_eq!(c.amount, None);
    }

    #[test]
    fn unknown_nested_parameter_is_named_with_brackets_or_dots() {
        let v = json!({"name": "x", "lines": [{"amount": "1"}, {"bogus": "x"}]});
        assert_eq!(
            decode::<Create>(Mode::V1, v.clone()).unwrap_err(),
            Error::ParameterUnknown {
                param: "lines[1][bogus]".into()
            }
        );
        assert_eq!(
            decode::<Create>(Mode::V2, v).unwrap_err(),
            Error::ParameterUnknown {
                param: "lines[1].bogus".into()
            }
        );
    }

    #[test]
    fn known_parameters_are_checked_before_unknown_ones_and_the_first_unknown_is_named() {
        let err = decode::<Create>(
            Mode::V2,
            json!({"zeta": 1, "beta": 3, "alpha": 4, "name": "x"}),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Error::ParameterUnknown {
                param: "alpha".into()
            }
        );
        let err = decode::<Create>(Mode::V1, json!({"aaa": "1", "name": "x", "amount": "abc"}))
            .unwrap_err();
        assert_eq!(invalid(err).0, "amount");
        let err = decode::<Create>(Mode::V1, json!({"aaa": "1"})).unwrap_err();
        assert_eq!(
            err,
            Error::ParameterMissing {
                param: "name".into()
            }
        );
    }

    #[test]
    fn missing_nested_field_and_empty_object() {
        let err = decode::<Create>(Mode::V1, json!({"name": "x", "lines": [{"period": {}}]}))
            .unwrap_err();
        assert_eq!(
            err,
            Error::ParameterMissing {
                param: "lines[0][period][end]".into()
            }
        );
    }

    #[test]
    fn integers_booleans_decimals_and_enums() {
        let (param, code, message) =
            invalid(decode::<Create>(Mode::V1, json!({"name": "x", "amount": "abc"})).unwrap_err());
        assert_eq!(
            (param.as_str(), code, message.as_str()),
            (
                "amount",
                Some("parameter_invalid_integer"),
                "Invalid integer: abc"
            )
        );
        let (_, _, message) =
            invalid(decode::<Create>(Mode::V2, json!({"name": "x", "live": "true"})).unwrap_err());
        assert_eq!(
            message,
            "Invalid boolean: \"true\". Expected `true` or `false`."
        );
        let (_, _, message) =
            invalid(decode::<Create>(Mode::V1, json!({"name": "x", "live": "yes"})).unwrap_err());
        assert_eq!(message, "Invalid boolean: yes. Expected `true` or `false`.");
        // What Python SDKs before 2025 send for `True`.
        let live: Create = decode(Mode::V1, json!({"name": "x", "live": "True"})).expect("valid");
        assert_eq!(live.live, Some(true));
        let (_, _, message) =
            invalid(decode::<Create>(Mode::V1, json!({"name": "x", "percent": "x1"})).unwrap_err());
        assert_eq!(message, "Invalid decimal: x1");
        let (param, _, message) = invalid(
            decode::<Create>(Mode::V1, json!({"name": "x", "interval": "fortnight"})).unwrap_err(),
        );
        assert_eq!(param, "interval");
        assert_eq!(
            message,
            "Invalid interval: must be one of day, week; got 'fortnight'."
        );
        let (_, code, message) =
            invalid(decode::<Create>(Mode::V1, json!({"name": "x", "limit": "0"})).unwrap_err());
        assert_eq!(code, Some("parameter_invalid_integer"));
        assert_eq!(
            message,
            "Invalid value for limit: must be between 1 and 100, got 0."
        );
    }

    #[test]
    fn types_empties_and_array_limits() {
        let (param, code, _) =
            invalid(decode::<Create>(Mode::V1, json!({"name": ""})).unwrap_err());
        assert_eq!(
            (param.as_str(), code),
            ("name", Some("parameter_invalid_empty"))
        );
        let (param, _, message) =
            invalid(decode::<Create>(Mode::V2, json!({"name": 5})).unwrap_err());
        assert_eq!(param, "name");
        assert_eq!(message, "Invalid name: expected a string, got a number.");
        let (param, _, message) =
            invalid(decode::<Create>(Mode::V2, json!({"name": "x", "lines": [1]})).unwrap_err());
        assert_eq!(param, "lines[0]");
        assert_eq!(
            message,
            "Invalid lines[0]: expected an object, got a number."
        );
        let (param, _, message) = invalid(
            decode::<Create>(
                Mode::V1,
                json!({"name": "x", "lines": [{}, {}, {"amount": "bad"}]}),
            )
            .unwrap_err(),
        );
        assert_eq!(param, "lines");
        assert_eq!(message, "Invalid array: lines may have at most 2 items.");
        let (param, _, _) = invalid(
            decode::<Create>(Mode::V1, json!({"name": "x", "lines": {"a": {}}})).unwrap_err(),
        );
        assert_eq!(param, "lines");
    }

    #[test]
    fn metadata_limits_name_the_key() {
        let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
        let (param, _, message) = invalid(
            decode::<Create>(Mode::V1, json!({"name": "x", "metadata": many})).unwrap_err(),
        );
        assert_eq!(param, "metadata");
        assert_eq!(
            message,
            "Invalid metadata: metadata can have at most 50 keys."
        );
        let long = "k".repeat(41);
        let (param, _, message) = invalid(
            decode::<Create>(
                Mode::V1,
                json!({"name": "x", "metadata": {long.clone(): "v"}}),
            )
            .unwrap_err(),
        );
        assert_eq!(param, format!("metadata[{long}]"));
        assert!(
            message.starts_with(&format!("Invalid metadata key `{long}`")),
            "{message}"
        );
        let (param, _, message) = invalid(
            decode::<Create>(Mode::V2, json!({"name": "x", "metadata": {"k": 1}})).unwrap_err(),
        );
        assert_eq!(param, "metadata.k");
        assert_eq!(
            message,
            "Invalid metadata.k: expected a string, got a number."
        );
        let (param, _, _) = invalid(
            decode::<Create>(
                Mode::V1,
                json!({"name": "x", "metadata": {"k": "v".repeat(501)}}),
            )
            .unwrap_err(),
        );
        assert_eq!(param, "metadata[k]");
    }

    #[test]
    fn fixture_values_are_read_as_form_values_below_their_prefix() {
        let c: Create = from_value_at(
            Mode::V1,
            "objects[2]",
            json!({"name": "x", "amount": 5, "live": true}),
        )
        .unwrap();
        assert_eq!((c.amount, c.live), (Some(5), Some(true)));
        let err =
            from_value_at::<Create>(Mode::V1, "objects[2]", json!({"name": "x", "amount": 1.5}))
                .unwrap_err();
        assert_eq!(invalid(err).0, "objects[2][amount]");
    }

    #[test]
    fn what_a_version_lacks_is_unknown_or_outside_the_enum() {
        let absent = |ty: &'static str, name: &str| {
            matches!((ty, name), ("Create", "live") | ("Interval", "week"))
        };
        let decode_in = |v: Value| match v {
            Value::Object(map) => from_params_in::<Create>(Mode::V2, &absent, map),
            _ => panic!("object expected"),
        };
        let c = decode_in(json!({"name": "x", "interval": "day"})).unwrap();
        assert_eq!(c.interval, Some(Interval::Day));
        assert_eq!(
            decode_in(json!({"name": "x", "live": true})).unwrap_err(),
            Error::ParameterUnknown {
                param: "live".into()
            }
        );
        let (param, code, message) =
            invalid(decode_in(json!({"name": "x", "interval": "week"})).unwrap_err());
        assert_eq!(
            (param.as_str(), code, message.as_str()),
            (
                "interval",
                None,
                "Invalid interval: must be one of day; got 'week'."
            )
        );
        // Without a version's gaps, both are accepted.
        let c: Create = decode(
            Mode::V2,
            json!({"name": "x", "live": true, "interval": "week"}),
        )
        .unwrap();
        assert_eq!((c.live, c.interval), (Some(true), Some(Interval::Week)));
    }

    #[test]
    fn last_key_of_paths() {
        assert_eq!(last_key("limit"), "limit");
        assert_eq!(last_key("lines[0][metadata]"), "metadata");
        assert_eq!(last_key("actions[0].subscribe.items"), "items");
        assert_eq!(last_key("lines[3]"), "lines");
    }
}

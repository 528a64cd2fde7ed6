//! Strict, typed reading of request parameters.
//!
//! Both API versions arrive here as a JSON object: v1 from the bracket form decoder (every leaf a
//! string), v2 from a JSON body. A [`Params`] hands out fields one by one with the type the
//! endpoint expects, converting v1 strings (`"799"`, `"true"`) and checking v2 JSON types, and
//! [`Params::finish`] rejects whatever the endpoint did not read as `parameter_unknown`. Every
//! error names the full parameter path in the style of the API version: `lines[0][amount]` (v1)
//! or `actions[0].subscribe.type` (v2).

use serde_json::{Map, Value};

use crate::error::{Error, Result};
pub use crate::http::param::{Fields, Param};

pub use crate::http::de::Mode;

pub use crate::domain::patch::{MetadataUpdate, Patch};

/// Stripe's metadata limits.
const METADATA_MAX_KEYS: usize = 50;
const METADATA_MAX_KEY_CHARS: usize = 40;
const METADATA_MAX_VALUE_CHARS: usize = 500;

/// Where an object sits below the root: a chain of borrowed steps, spelled out only when an
/// error names a path (building every nested object's path eagerly cost an allocation each).
#[derive(Debug, Clone, Copy)]
enum Path<'a> {
    Root,
    /// A path given by the caller ([`Params::at_path`]).
    Prefix(&'a str),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self, mode: Mode) -> String {
        match *self {
            Path::Root => String::new(),
            Path::Prefix(prefix) => prefix.to_owned(),
            Path::Key(parent, key) => child_path(mode, &parent.render(mode), key),
            Path::Index(parent, i) => index_path(&parent.render(mode), i),
        }
    }
}

/// Parameters of one object level, consumed field by field. `'a` is the lifetime of the
/// enclosing objects' path (`'static` at the root).
#[derive(Debug)]
pub struct Params<'a> {
    mode: Mode,
    /// Path of this object from the root (empty at the root).
    path: Path<'a>,
    fields: Fields,
}

impl Params<'static> {
    /// Wraps a decoded parameter object.
    pub fn new(mode: Mode, fields: Fields) -> Self {
        Params {
            mode,
            path: Path::Root,
            fields,
        }
    }
}

impl<'a> Params<'a> {
    /// Wraps a decoded parameter object that sits at `path` (errors name paths below it).
    pub fn at_path(mode: Mode, path: &'a str, map: Map<String, Value>) -> Self {
        let path = if path.is_empty() {
            Path::Root
        } else {
            Path::Prefix(path)
        };
        Params {
            mode,
            path,
            fields: map.into(),
        }
    }

    /// The API mode of these parameters.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Full path of `key` below this object.
    pub fn path_of(&self, key: &str) -> String {
        child_path(self.mode, &self.path.render(self.mode), key)
    }

    /// Whether `key` was sent.
    pub fn contains(&self, key: &str) -> bool {
        self.fields.contains(key)
    }

    /// Removes and returns the raw value of `key`.
    pub fn take_raw(&mut self, key: &str) -> Option<Param> {
        self.fields.take(key)
    }

    /// Rejects any parameter that was not read.
    ///
    /// # Errors
    /// `parameter_unknown` naming the first unread parameter.
    pub fn finish(self) -> Result<()> {
        match self.fields.first_key() {
            Some(key) => Err(Error::ParameterUnknown {
                param: self.path_of(key),
            }),
            None => Ok(()),
        }
    }

    // ----- strings -----

    /// An optional string; empty (v1) or `null` (v2) counts as absent.
    ///
    /// # Errors
    /// Wrong type.
    pub fn opt_string(&mut self, key: &str) -> Result<Option<String>> {
        Ok(self.patch_string(key)?.into_option())
    }

    /// A required, non-empty string.
    ///
    /// # Errors
    /// Missing, empty or wrong type.
    pub fn req_string(&mut self, key: &str) -> Result<String> {
        match self.patch_string(key)? {
            Patch::Set(s) => Ok(s),
            Patch::Absent => Err(Error::ParameterMissing {
                param: self.path_of(key),
            }),
            Patch::Unset => Err(empty_error(self.path_of(key))),
        }
    }

    /// A string update field.
    ///
    /// # Errors
    /// Wrong type.
    pub fn patch_string(&mut self, key: &str) -> Result<Patch<String>> {
        match self.fields.take(key) {
            None => Ok(Patch::Absent),
            Some(Param::Null) => Ok(Patch::Unset),
            Some(Param::String(s)) if s.is_empty() => Ok(Patch::Unset),
            Some(Param::String(s)) => Ok(Patch::Set(s)),
            Some(other) => Err(type_error(self.path_of(key), "a string", &other)),
        }
    }

    /// An optional string restricted to `allowed` values.
    ///
    /// # Errors
    /// Wrong type or a value outside `allowed`.
    pub fn opt_enum(
        &mut self,
        key: &str,
        allowed: &[&'static str],
    ) -> Result<Option<&'static str>> {
        match self.opt_string(key)? {
            None => Ok(None),
            Some(v) => match allowed.iter().find(|a| **a == v) {
                Some(a) => Ok(Some(*a)),
                None => Err(enum_error(self.path_of(key), &v, allowed)),
            },
        }
    }

    /// A required string restricted to `allowed` values.
    ///
    /// # Errors
    /// Missing, wrong type or a value outside `allowed`.
    pub fn req_enum(&mut self, key: &str, allowed: &[&'static str]) -> Result<&'static str> {
        match self.opt_enum(key, allowed)? {
            Some(v) => Ok(v),
            None => Err(Error::ParameterMissing {
                param: self.path_of(key),
            }),
        }
    }

    // ----- numbers and booleans -----

    /// An optional integer (v1: decimal string; v2: JSON integer or integer string).
    ///
    /// # Errors
    /// Not an integer.
    pub fn opt_i64(&mut self, key: &str) -> Result<Option<i64>> {
        Ok(self.patch_i64(key)?.into_option())
    }

    /// A required integer.
    ///
    /// # Errors
    /// Missing or not an integer.
    pub fn req_i64(&mut self, key: &str) -> Result<i64> {
        match self.patch_i64(key)? {
            Patch::Set(v) => Ok(v),
            Patch::Absent => Err(Error::ParameterMissing {
                param: self.path_of(key),
            }),
            Patch::Unset => Err(empty_error(self.path_of(key))),
        }
    }

    /// An integer update field.
    ///
    /// # Errors
    /// Not an integer.
    pub fn patch_i64(&mut self, key: &str) -> Result<Patch<i64>> {
        match self.fields.take(key) {
            None => Ok(Patch::Absent),
            Some(Param::Null) => Ok(Patch::Unset),
            Some(Param::String(s)) if s.is_empty() => Ok(Patch::Unset),
            Some(Param::String(s)) => s.trim().parse::<i64>().map(Patch::Set).map_err(|_| {
                Error::param_invalid(
                    self.path_of(key),
                    Some("parameter_invalid_integer"),
                    format!("Invalid integer: {s}"),
                )
            }),
            Some(Param::Number(n)) => n.as_i64().map(Patch::Set).ok_or_else(|| {
                Error::param_invalid(
                    self.path_of(key),
                    Some("parameter_invalid_integer"),
                    format!("Invalid integer: {n}"),
                )
            }),
            Some(other) => Err(Error::param_invalid(
                self.path_of(key),
                Some("parameter_invalid_integer"),
                format!("Invalid integer: {other}"),
            )),
        }
    }

    /// An optional integer within `min..=max`.
    ///
    /// # Errors
    /// Not an integer, or out of range.
    pub fn opt_i64_in(&mut self, key: &str, min: i64, max: i64) -> Result<Option<i64>> {
        match self.opt_i64(key)? {
            Some(v) if v < min || v > max => Err(Error::param_invalid(
                self.path_of(key),
                Some("parameter_invalid_integer"),
                format!("Invalid value for {key}: must be between {min} and {max}, got {v}."),
            )),
            v => Ok(v),
        }
    }

    /// An optional decimal number (v1 string, v2 number or decimal string), e.g. `percent_off`.
    ///
    /// # Errors
    /// Not a number.
    pub fn opt_decimal(&mut self, key: &str) -> Result<Option<f64>> {
        let (mode, path) = (self.mode, self.path);
        let invalid = |shown: String| {
            Error::param_invalid(
                child_path(mode, &path.render(mode), key),
                None,
                format!("Invalid decimal: {shown}"),
            )
        };
        match self.fields.take(key) {
            None | Some(Param::Null) => Ok(None),
            Some(Param::String(s)) if s.is_empty() => Ok(None),
            Some(Param::String(s)) => match s.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(invalid(s)),
            },
            Some(Param::Number(n)) => n.as_f64().map(Some).ok_or_else(|| invalid(n.to_string())),
            Some(other) => Err(invalid(other.to_string())),
        }
    }

    /// An optional boolean (v1: `true`/`false`; v2: JSON boolean).
    ///
    /// # Errors
    /// Not a boolean.
    pub fn opt_bool(&mut self, key: &str) -> Result<Option<bool>> {
        let (mode, path) = (self.mode, self.path);
        let invalid = |shown: String| {
            Error::param_invalid(
                child_path(mode, &path.render(mode), key),
                None,
                format!("Invalid boolean: {shown}. Expected `true` or `false`."),
            )
        };
        match self.fields.take(key) {
            None | Some(Param::Null) => Ok(None),
            Some(Param::Bool(b)) => Ok(Some(b)),
            Some(Param::String(s)) if self.mode == Mode::V1 => match s.as_str() {
                "" => Ok(None),
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(invalid(s)),
            },
            Some(other) => Err(invalid(other.to_string())),
        }
    }

    // ----- nested -----

    /// An optional nested object, read by `f` and then finished.
    ///
    /// # Errors
    /// Wrong type, or whatever `f` or `finish` return.
    pub fn opt_object<T>(
        &mut self,
        key: &str,
        f: impl FnOnce(&mut Params) -> Result<T>,
    ) -> Result<Option<T>> {
        match self.fields.take(key) {
            None | Some(Param::Null) => Ok(None),
            Some(Param::String(s)) if s.is_empty() => Ok(None),
            Some(Param::Object(map)) => {
                let mut child = Params {
                    mode: self.mode,
                    path: Path::Key(&self.path, key),
                    fields: map,
                };
                let out = f(&mut child)?;
                child.finish()?;
                Ok(Some(out))
            }
            Some(other) => Err(type_error(self.path_of(key), "an object", &other)),
        }
    }

    /// A required nested object.
    ///
    /// # Errors
    /// Missing, wrong type, or whatever `f` returns.
    pub fn req_object<T>(
        &mut self,
        key: &str,
        f: impl FnOnce(&mut Params) -> Result<T>,
    ) -> Result<T> {
        let out = self.opt_object(key, f)?;
        out.ok_or_else(|| Error::ParameterMissing {
            param: self.path_of(key),
        })
    }

    /// An optional array of objects, each read by `f` and then finished.
    /// `Patch::Unset` for v1 `key=` / v2 `null`.
    ///
    /// # Errors
    /// Wrong type, too many items, or whatever `f` returns.
    pub fn patch_array<T>(
        &mut self,
        key: &str,
        max_items: usize,
        mut f: impl FnMut(&mut Params, usize) -> Result<T>,
    ) -> Result<Patch<Vec<T>>> {
        let items = match self.fields.take(key) {
            None => return Ok(Patch::Absent),
            Some(Param::Null) => return Ok(Patch::Unset),
            Some(Param::String(s)) if s.is_empty() => return Ok(Patch::Unset),
            Some(Param::Array(items)) => items,
            // A v1 map with numeric-looking keys already became an array in the decoder; a map
            // here means `key[name]=…`, which is not an array.
            Some(other) => return Err(type_error(self.path_of(key), "an array", &other)),
        };
        if items.len() > max_items {
            return Err(Error::param_invalid(
                self.path_of(key),
                None,
                format!("Invalid array: {key} may have at most {max_items} items."),
            ));
        }
        let array = Path::Key(&self.path, key);
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let path = Path::Index(&array, i);
            match item {
                Param::Object(map) => {
                    let mut child = Params {
                        mode: self.mode,
                        path,
                        fields: map,
                    };
                    out.push(f(&mut child, i)?);
                    child.finish()?;
                }
                other => return Err(type_error(path.render(self.mode), "an object", &other)),
            }
        }
        Ok(Patch::Set(out))
    }

    /// A required, non-empty array of objects.
    ///
    /// # Errors
    /// Missing, empty, or as [`Params::patch_array`].
    pub fn req_array<T>(
        &mut self,
        key: &str,
        max_items: usize,
        f: impl FnMut(&mut Params, usize) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self.patch_array(key, max_items, f)? {
            Patch::Set(v) if !v.is_empty() => Ok(v),
            Patch::Set(_) | Patch::Unset => Err(empty_error(self.path_of(key))),
            Patch::Absent => Err(Error::ParameterMissing {
                param: self.path_of(key),
            }),
        }
    }

    /// An optional array of strings (e.g. `expand`).
    ///
    /// # Errors
    /// Wrong type.
    pub fn opt_string_array(&mut self, key: &str) -> Result<Vec<String>> {
        match self.fields.take(key) {
            None | Some(Param::Null) => Ok(Vec::new()),
            Some(Param::String(s)) if s.is_empty() => Ok(Vec::new()),
            Some(Param::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Param::String(s) => Ok(s),
                    other => Err(type_error(
                        index_path(&self.path_of(key), i),
                        "a string",
                        &other,
                    )),
                })
                .collect(),
            Some(other) => Err(type_error(self.path_of(key), "an array", &other)),
        }
    }

    /// A metadata update, checked against Stripe's limits.
    ///
    /// # Errors
    /// Wrong type, or over Stripe's limits (50 keys, 40-char keys, 500-char values).
    pub fn opt_metadata(&mut self, key: &str) -> Result<Option<MetadataUpdate>> {
        let map = match self.fields.take(key) {
            None => return Ok(None),
            Some(Param::Null) => return Ok(Some(MetadataUpdate::Clear)),
            Some(Param::String(s)) if s.is_empty() => return Ok(Some(MetadataUpdate::Clear)),
            Some(Param::Object(map)) => map,
            Some(other) => return Err(type_error(self.path_of(key), "an object", &other)),
        };
        if map.len() > METADATA_MAX_KEYS {
            return Err(Error::param_invalid(
                self.path_of(key),
                None,
                format!("Invalid {key}: metadata can have at most {METADATA_MAX_KEYS} keys."),
            ));
        }
        let entry_path = |k: &str| child_path(self.mode, &self.path_of(key), k);
        let mut entries = Vec::with_capacity(map.len());
        for (k, v) in map.into_entries() {
            if k.chars().count() > METADATA_MAX_KEY_CHARS || k.contains(['[', ']']) {
                return Err(Error::param_invalid(
                    entry_path(&k),
                    None,
                    format!(
                        "Invalid {key} key `{k}`: keys must be at most {METADATA_MAX_KEY_CHARS} characters and may not contain brackets."
                    ),
                ));
            }
            let value = match v {
                Param::Null => None,
                Param::String(s) if s.is_empty() => None,
                Param::String(s) => Some(s),
                Param::Number(n) if self.mode == Mode::V1 => Some(n.to_string()),
                other => return Err(type_error(entry_path(&k), "a string", &other)),
            };
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > METADATA_MAX_VALUE_CHARS)
            {
                return Err(Error::param_invalid(
                    entry_path(&k),
                    None,
                    format!(
                        "Invalid {key} value for `{k}`: values must be at most {METADATA_MAX_VALUE_CHARS} characters."
                    ),
                ));
            }
            entries.push((k, value));
        }
        Ok(Some(MetadataUpdate::Merge(entries)))
    }
}

// Paths are built by hand: `format!` showed up in request profiles.
fn child_path(mode: Mode, parent: &str, key: &str) -> String {
    if parent.is_empty() {
        return key.to_owned();
    }
    let mut path = String::with_capacity(parent.len() + key.len() + 2);
    path.push_str(parent);
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
    path
}

fn index_path(parent: &str, i: usize) -> String {
    let mut digits = [0u8; 20];
    let mut n = i;
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    let mut path = String::with_capacity(parent.len() + digits.len() - start + 2);
    path.push_str(parent);
    path.push('[');
    for &d in &digits[start..] {
        path.push(char::from(d));
    }
    path.push(']');
    path
}

fn type_error(path: String, expected: &str, got: &Param) -> Error {
    let message = format!(
        "Invalid {path}: expected {expected}, got {}.",
        got.describe()
    );
    Error::param_invalid(path, None, message)
}

fn empty_error(path: String) -> Error {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_are_spelled_per_mode() {
        assert_eq!(child_path(Mode::V1, "", "a"), "a");
        assert_eq!(child_path(Mode::V1, "a", "b"), "a[b]");
        assert_eq!(child_path(Mode::V2, "a", "b"), "a.b");
        assert_eq!(index_path("lines", 0), "lines[0]");
        assert_eq!(index_path("lines", 9), "lines[9]");
        assert_eq!(index_path("lines", 10), "lines[10]");
        assert_eq!(index_path("x", usize::MAX), format!("x[{}]", usize::MAX));
        let lines = Path::Key(&Path::Root, "lines");
        let line = Path::Index(&lines, 3);
        let period = Path::Key(&line, "period");
        assert_eq!(
            Path::Key(&period, "end").render(Mode::V1),
            "lines[3][period][end]"
        );
        assert_eq!(
            Path::Key(&period, "end").render(Mode::V2),
            "lines[3].period.end"
        );
        let fixture = Path::Prefix("objects[2]");
        assert_eq!(
            Path::Key(&fixture, "name").render(Mode::V1),
            "objects[2][name]"
        );
        assert_eq!(Path::Root.render(Mode::V2), "");
    }

    fn params(mode: Mode, v: Value) -> Params<'static> {
        match v {
            Value::Object(map) => Params::new(mode, map.into()),
            _ => panic!("object expected"),
        }
    }

    #[test]
    fn v1_strings_are_converted() {
        let mut p = params(
            Mode::V1,
            json!({"amount": "799", "live": "true", "name": "x"}),
        );
        assert_eq!(p.opt_i64("amount").unwrap(), Some(799));
        assert_eq!(p.opt_bool("live").unwrap(), Some(true));
        assert_eq!(p.req_string("name").unwrap(), "x");
        p.finish().unwrap();
    }

    #[test]
    fn unknown_nested_parameter_is_named_with_brackets() {
        let mut p = params(Mode::V1, json!({"lines": [{"amount": "1", "bogus": "x"}]}));
        let err = p
            .req_array("lines", 10, |l, _| l.opt_i64("amount"))
            .unwrap_err();
        assert_eq!(
            err,
            Error::ParameterUnknown {
                param: "lines[0][bogus]".into()
            }
        );
    }

    #[test]
    fn of_several_unknown_parameters_the_first_in_sorted_order_is_named() {
        let mut p = params(
            Mode::V2,
            json!({"zeta": 1, "amount": 2, "beta": 3, "alpha": 4, "name": "x"}),
        );
        assert_eq!(p.opt_i64("amount").unwrap(), Some(2));
        assert!(p.contains("name") && !p.contains("amount"));
        assert_eq!(p.req_string("name").unwrap(), "x");
        let err = p.finish().unwrap_err();
        assert_eq!(
            err,
            Error::ParameterUnknown {
                param: "alpha".into()
            }
        );
    }

    #[test]
    fn v2_paths_use_dots() {
        let mut p = params(
            Mode::V2,
            json!({"actions": [{"subscribe": {"type": "nope"}}]}),
        );
        let err = p
            .req_array("actions", 10, |a, _| {
                a.req_object("subscribe", |s| {
                    s.req_enum("type", &["v1_subscription_details"])
                })
            })
            .unwrap_err();
        match err {
            Error::ParameterInvalid { param, .. } => assert_eq!(param, "actions[0].subscribe.type"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_and_invalid_integers() {
        let mut p = params(Mode::V1, json!({"amount": "abc"}));
        match p.req_i64("amount").unwrap_err() {
            Error::ParameterInvalid { code, param, .. } => {
                assert_eq!(code, Some("parameter_invalid_integer"));
                assert_eq!(param, "amount");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            p.req_i64("quantity").unwrap_err(),
            Error::ParameterMissing {
                param: "quantity".into()
            }
        );
    }

    #[test]
    fn v2_rejects_strings_for_booleans() {
        let mut p = params(Mode::V2, json!({"flag": "true"}));
        assert!(p.opt_bool("flag").is_err());
    }

    #[test]
    fn empty_required_string_is_invalid_empty() {
        let mut p = params(Mode::V1, json!({"customer": ""}));
        match p.req_string("customer").unwrap_err() {
            Error::ParameterInvalid { code, .. } => {
                assert_eq!(code, Some("parameter_invalid_empty"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn metadata_merge_and_clear() {
        let mut p = params(
            Mode::V1,
            json!({"metadata": {"a": "1", "b": ""}, "other": ""}),
        );
        let mut current = std::collections::BTreeMap::from([
            ("b".to_string(), "x".to_string()),
            ("c".to_string(), "y".to_string()),
        ]);
        p.opt_metadata("metadata")
            .unwrap()
            .unwrap()
            .merge_into(&mut current);
        assert_eq!(current.len(), 2);
        assert_eq!(current.get("a").map(String::as_str), Some("1"));
        assert_eq!(current.get("c").map(String::as_str), Some("y"));
        let clear = p.opt_metadata("other").unwrap().unwrap();
        clear.merge_into(&mut current);
        assert!(current.is_empty());
    }

    #[test]
    fn metadata_limits() {
        let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
        let mut p = params(Mode::V1, json!({"metadata": many}));
        assert!(p.opt_metadata("metadata").is_err());
        let mut p = params(Mode::V1, json!({"metadata": {"k".repeat(41): "v"}}));
        assert!(p.opt_metadata("metadata").is_err());
        let mut p = params(Mode::V1, json!({"metadata": {"k": "v".repeat(501)}}));
        assert!(p.opt_metadata("metadata").is_err());
    }

    #[test]
    fn enum_error_names_allowed_values() {
        let mut p = params(Mode::V1, json!({"interval": "fortnight"}));
        let err = p.opt_enum("interval", &["day", "week"]).unwrap_err();
        assert!(err.to_string().contains("day, week"), "{err}");
    }
}

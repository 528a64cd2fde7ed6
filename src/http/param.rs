//! Decoded request parameters: the tree a v1 form body or a v2 JSON body decodes into, before
//! [`Params`](crate::http::params::Params) reads it field by field.
//!
//! It holds what `serde_json::Value` holds, but an object is a short vector sorted by key
//! ([`Fields`]) rather than a tree map: the JSON reader builds it in place, the idempotency
//! fingerprint walks it in key order, and `Params` takes fields out of it without building
//! another container. An object never holds a key twice; a repeated key keeps its last value,
//! as in serde_json.

use std::fmt;

use serde_json::{Map, Number, Value};

/// One decoded parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// JSON `null`.
    Null,
    /// JSON `true` / `false`.
    Bool(bool),
    /// A JSON number.
    Number(Number),
    /// A string (every v1 leaf is one).
    String(String),
    /// An array.
    Array(Vec<Param>),
    /// An object.
    Object(Fields),
}

impl Param {
    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Param::Null)
    }

    /// The kind of value, as error messages name it.
    pub fn describe(&self) -> &'static str {
        match self {
            Param::Null => "null",
            Param::Bool(_) => "a boolean",
            Param::Number(_) => "a number",
            Param::String(_) => "a string",
            Param::Array(_) => "an array",
            Param::Object(_) => "an object",
        }
    }
}

/// Written as JSON, as `serde_json::Value` writes itself (error messages quote values so).
impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Value::from(self.clone()).fmt(f)
    }
}

impl From<Value> for Param {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => Param::Null,
            Value::Bool(b) => Param::Bool(b),
            Value::Number(n) => Param::Number(n),
            Value::String(s) => Param::String(s),
            Value::Array(items) => Param::Array(items.into_iter().map(Param::from).collect()),
            Value::Object(map) => Param::Object(map.into()),
        }
    }
}

impl From<Param> for Value {
    fn from(param: Param) -> Self {
        match param {
            Param::Null => Value::Null,
            Param::Bool(b) => Value::Bool(b),
            Param::Number(n) => Value::Number(n),
            Param::String(s) => Value::String(s),
            Param::Array(items) => Value::Array(items.into_iter().map(Value::from).collect()),
            Param::Object(fields) => Value::Object(fields.into()),
        }
    }
}

/// The fields of one object, sorted by key, each key once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(Vec<(String, Param)>);

impl Fields {
    /// No fields.
    pub fn new() -> Self {
        Fields(Vec::new())
    }

    /// Fields in any order, possibly with repeated keys: sorted, each repeated key keeping
    /// its last value. A stable sort keeps repeats in their order, so the last one of each run
    /// is the last one sent.
    pub fn from_entries(mut entries: Vec<(String, Param)>) -> Self {
        if !entries.is_sorted_by(|a, b| a.0 < b.0) {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            // `dedup_by` keeps the first of a run; handing each later value to it keeps the last.
            entries.dedup_by(|later, kept| {
                let repeat = later.0 == kept.0;
                if repeat {
                    std::mem::swap(&mut later.1, &mut kept.1);
                }
                repeat
            });
        }
        Fields(entries)
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Param> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Removes and returns the value of `key`. The rest stay sorted. A scan rather than a
    /// binary search: objects hold a handful of fields, and comparing for equality stops at a
    /// length mismatch where ordering compares bytes.
    pub fn take(&mut self, key: &str) -> Option<Param> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// The smallest key.
    pub fn first_key(&self) -> Option<&str> {
        self.0.first().map(|(k, _)| k.as_str())
    }

    /// The fields, in key order, for taking apart.
    pub fn into_entries(self) -> Vec<(String, Param)> {
        self.0
    }
}

impl From<Map<String, Value>> for Fields {
    /// A map iterates in key order, so `from_entries` finds the entries sorted and keeps them.
    fn from(map: Map<String, Value>) -> Self {
        Fields::from_entries(map.into_iter().map(|(k, v)| (k, v.into())).collect())
    }
}

impl From<Fields> for Map<String, Value> {
    fn from(fields: Fields) -> Self {
        fields.0.into_iter().map(|(k, v)| (k, v.into())).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn s(text: &str) -> Param {
        Param::String(text.into())
    }

    #[test]
    fn entries_are_sorted_and_a_repeated_key_keeps_its_last_value() {
        let fields = Fields::from_entries(vec![
            ("b".into(), s("1")),
            ("a".into(), s("2")),
            ("b".into(), s("3")),
            ("c".into(), s("4")),
            ("b".into(), s("5")),
            ("a".into(), s("6")),
        ]);
        let got: Vec<(&str, &Param)> = fields.iter().collect();
        assert_eq!(got, [("a", &s("6")), ("b", &s("5")), ("c", &s("4"))]);
    }

    #[test]
    fn many_keys_in_reverse_order_are_sorted_without_loss() {
        let entries: Vec<(String, Param)> = (0..10_000)
            .rev()
            .map(|i| (format!("k{i:05}"), Param::Number(i.into())))
            .collect();
        let fields = Fields::from_entries(entries);
        assert_eq!(fields.len(), 10_000);
        assert!(fields.iter().map(|(k, _)| k).is_sorted());
        assert_eq!(fields.get("k00042"), Some(&Param::Number(42.into())));
    }

    #[test]
    fn lookups_and_take_keep_the_order() {
        let mut fields = Fields::from_entries(
            [("m", "1"), ("a", "2"), ("z", "3"), ("m", "4")]
                .map(|(k, v)| (k.to_owned(), s(v)))
                .into(),
        );
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "m", "z"]);
        assert_eq!(fields.get("m"), Some(&s("4")));
        assert_eq!(fields.get("b"), None);
        assert_eq!(fields.take("m"), Some(s("4")));
        assert_eq!(fields.take("m"), None);
        assert_eq!(fields.first_key(), Some("a"));
        assert!(fields.contains("z") && !fields.contains("m"));
    }

    #[test]
    fn converts_to_and_from_serde_values_and_prints_as_json() {
        let value = json!({"b": [1, -2, 2.5, "x", null, true], "a": {"c": {}}});
        let param = Param::from(value.clone());
        assert_eq!(Value::from(param.clone()), value);
        assert_eq!(param.to_string(), value.to_string());
        assert_eq!(param.describe(), "an object");
        assert!(Param::Null.is_null() && !s("").is_null());
    }
}

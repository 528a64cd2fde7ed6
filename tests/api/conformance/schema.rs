//! The OpenAPI 3.0 subset Stripe's documents use, as a validator of response bodies and a
//! checker of request parameter names.
//!
//! Supported: `$ref` to `#/components/schemas/…`, `type`, `nullable`, `enum`, `required`,
//! `properties`, `items`, `additionalProperties` (a schema, `true`, or absent/`false` meaning
//! "no other fields"), `anyOf`/`oneOf`, `format: decimal`, and Stripe's `x-stub` marker for
//! resources the extracts did not transcribe. Other formats (`date-time`) are not checked.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

/// What a violation is, in the words of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A field the schema requires is absent.
    Missing,
    /// A field the schema does not define (and `additionalProperties` does not allow).
    Undefined,
    /// Another JSON type than the schema's `type`, or no `anyOf` alternative of that type.
    Type,
    /// `null` where the schema is not `nullable`.
    Null,
    /// A value outside the schema's `enum`.
    Enum,
    /// A `format: decimal` string that is not a decimal number.
    Decimal,
    /// The exchange itself failed: an error status, no JSON body, another `Stripe-Version`.
    Status,
    /// A request parameter the operation's request schema does not define: a fault of the
    /// test's request, not of the server.
    Request,
    /// An operation of the document that was not exercised, or an exercised one that the
    /// source of truth does not describe.
    Coverage,
}

impl Kind {
    /// How the report names the kind.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Missing => "missing required field",
            Kind::Undefined => "field not defined",
            Kind::Type => "wrong type",
            Kind::Null => "null, not nullable",
            Kind::Enum => "value not in enum",
            Kind::Decimal => "not a decimal string",
            Kind::Status => "request failed",
            Kind::Request => "request parameter not in the document",
            Kind::Coverage => "coverage",
        }
    }
}

/// One violation: where (a JSON path, array indices written `[*]` so that repeats collapse),
/// in which schema (the nearest named one), what and which detail (for `Missing` and
/// `Undefined`, the field name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// JSON path from the body's root `$`.
    pub path: String,
    /// What is wrong.
    pub kind: Kind,
    /// Nearest named schema (a component name, or an SDK object), `-` when none.
    pub schema: String,
    /// The field, or what was expected and found.
    pub detail: String,
}

impl Violation {
    /// A violation at `path` in `schema`.
    pub fn new(path: &str, kind: Kind, schema: &str, detail: impl Into<String>) -> Violation {
        Violation {
            path: path.to_owned(),
            kind,
            schema: schema.to_owned(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}: {}",
            self.path,
            self.schema,
            self.kind.label(),
            self.detail
        )
    }
}

/// An OpenAPI document (or a merge of an extract and its supplement).
pub struct Document {
    /// File name, for the report.
    pub name: String,
    root: Value,
    /// Accept `null` for every property. The preview document marks no v2 property
    /// `nullable`, although Stripe renders unset v2 fields as `null` (the document's own
    /// examples show `"canceled_at": null`), so for v2 documents `null` is allowed everywhere.
    nulls_everywhere: bool,
}

const SCHEMA_REF: &str = "#/components/schemas/";

impl Document {
    /// Parses `text`; `nulls_everywhere` for v2 documents (see the field).
    pub fn parse(name: &str, text: &str, nulls_everywhere: bool) -> Document {
        Document {
            name: name.to_owned(),
            root: serde_json::from_str(text).expect("the document is valid JSON"),
            nulls_everywhere,
        }
    }

    /// Adds the operations and component schemas of `supplement`, which may add methods to
    /// existing paths but never replace anything the document has.
    pub fn with_supplement(mut self, name: &str, text: &str) -> Document {
        let extra: Value = serde_json::from_str(text).expect("the supplement is valid JSON");
        let paths = self.root["paths"].as_object_mut().expect("paths");
        for (path, ops) in extra["paths"].as_object().expect("supplement paths") {
            let entry = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            for (method, op) in ops.as_object().expect("operations") {
                let old = entry
                    .as_object_mut()
                    .expect("a path item")
                    .insert(method.clone(), op.clone());
                assert!(old.is_none(), "{name} replaces {method} {path}");
            }
        }
        let schemas = self.root["components"]["schemas"]
            .as_object_mut()
            .expect("schemas");
        for (key, schema) in extra["components"]["schemas"]
            .as_object()
            .expect("supplement schemas")
        {
            let old = schemas.insert(key.clone(), schema.clone());
            assert!(old.is_none(), "{name} replaces schema {key}");
        }
        self.name = format!("{} + {name}", self.name);
        self
    }

    /// `info.version`.
    pub fn version(&self) -> &str {
        self.root["info"]["version"].as_str().unwrap_or("")
    }

    /// Every operation, as (`GET`/`POST`/`DELETE`, path template), sorted.
    pub fn operations(&self) -> BTreeSet<(String, String)> {
        let mut ops = BTreeSet::new();
        for (path, item) in self.root["paths"].as_object().into_iter().flatten() {
            for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
        ops
    }

    fn operation(&self, method: &str, template: &str) -> Option<&Value> {
        self.root["paths"]
            .get(template)?
            .get(method.to_lowercase().as_str())
    }

    /// The schema of the operation's 200 response.
    pub fn response_schema(&self, method: &str, template: &str) -> Option<&Value> {
        self.operation(method, template)?
            .get("responses")?
            .get("200")?
            .pointer("/content/application~1json/schema")
    }

    /// The schema of the operation's request body (form for v1, JSON for v2), if transcribed.
    pub fn request_schema(&self, method: &str, template: &str) -> Option<&Value> {
        let content = self
            .operation(method, template)?
            .pointer("/requestBody/content")?;
        content
            .get("application/x-www-form-urlencoded")
            .or_else(|| content.get("application/json"))?
            .get("schema")
    }

    /// A component schema by name.
    pub fn component(&self, name: &str) -> Option<&Value> {
        self.root["components"]["schemas"].get(name)
    }

    /// Every `$ref` that names no component, as `where -> target`.
    pub fn dangling_refs(&self) -> Vec<String> {
        fn walk(doc: &Document, v: &Value, at: &str, out: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    for (k, child) in map {
                        if k == "$ref" {
                            let target = child.as_str().unwrap_or("");
                            let known = target
                                .strip_prefix(SCHEMA_REF)
                                .is_some_and(|name| doc.component(name).is_some());
                            if !known {
                                out.push(format!("{at} -> {target}"));
                            }
                        } else {
                            walk(doc, child, &format!("{at}/{k}"), out);
                        }
                    }
                }
                Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        walk(doc, child, &format!("{at}/{i}"), out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &self.root, "", &mut out);
        out
    }

    /// Validates `value` against `schema`; every violation, with its path from `$`.
    pub fn validate(&self, value: &Value, schema: &Value) -> Vec<Violation> {
        let mut walk = Walk {
            doc: self,
            out: Vec::new(),
        };
        walk.node(value, schema, "$", "-");
        walk.out
    }

    /// The request parameters (each a key path: `lines[0][pricing][price]` is
    /// `["lines", "0", "pricing", "price"]`) that `schema` does not define.
    pub fn undefined_params(&self, schema: &Value, params: &[Vec<String>]) -> Vec<Violation> {
        params
            .iter()
            .filter(|segments| !self.accepts(schema, segments))
            .map(|segments| {
                let key = param_key(segments);
                Violation::new(&key, Kind::Request, "request", key.clone())
            })
            .collect()
    }

    /// Follows a `$ref` to its component (with the component's name).
    fn resolve<'s>(&'s self, schema: &'s Value) -> (&'s Value, Option<&'s str>) {
        let mut current = schema;
        let mut name = None;
        // A bounded walk: a reference to a reference is followed, a loop is not.
        for _ in 0..8 {
            let Some(target) = current.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(found) = target
                .strip_prefix(SCHEMA_REF)
                .and_then(|n| self.component(n).map(|s| (n, s)))
            else {
                break;
            };
            name = Some(found.0);
            current = found.1;
        }
        (current, name)
    }

    fn accepts(&self, schema: &Value, segments: &[String]) -> bool {
        let (schema, _) = self.resolve(schema);
        let Some((first, rest)) = segments.split_first() else {
            return true;
        };
        if is_stub(schema) {
            return true;
        }
        if let Some(alternatives) = alternatives(schema) {
            return alternatives.iter().any(|a| self.accepts(a, segments));
        }
        match schema_type(schema) {
            Some("object") => match schema.get("properties").and_then(|p| p.get(first)) {
                Some(property) => self.accepts(property, rest),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(true)) => true,
                    Some(extra @ Value::Object(_)) => self.accepts(extra, rest),
                    _ => false,
                },
            },
            Some("array") => {
                (first.is_empty() || first.bytes().all(|b| b.is_ascii_digit()))
                    && schema
                        .get("items")
                        .is_some_and(|items| self.accepts(items, rest))
            }
            _ => false,
        }
    }
}

/// `a[b][c]` from `["a", "b", "c"]`.
pub fn param_key(segments: &[String]) -> String {
    let mut key = segments.first().cloned().unwrap_or_default();
    for s in segments.iter().skip(1) {
        key.push('[');
        key.push_str(s);
        key.push(']');
    }
    key
}

/// `["a", "b", "c"]` from the form key `a[b][c]` (`a[]` gives `["a", ""]`).
pub fn split_param(key: &str) -> Vec<String> {
    let mut parts = key.split('[');
    let mut segments = vec![parts.next().unwrap_or("").to_owned()];
    segments.extend(parts.map(|p| p.strip_suffix(']').unwrap_or(p).to_owned()));
    segments
}

/// The key paths of a JSON body's leaves (an empty object or array is a leaf).
pub fn json_params(body: &Value) -> Vec<Vec<String>> {
    fn walk(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(map) if !map.is_empty() => {
                for (k, child) in map {
                    at.push(k.clone());
                    walk(child, at, out);
                    at.pop();
                }
            }
            Value::Array(items) if !items.is_empty() => {
                for (i, child) in items.iter().enumerate() {
                    at.push(i.to_string());
                    walk(child, at, out);
                    at.pop();
                }
            }
            _ => out.push(at.clone()),
        }
    }
    let mut out = Vec::new();
    if let Value::Object(map) = body {
        for (k, child) in map {
            walk(child, &mut vec![k.clone()], &mut out);
        }
    }
    out
}

fn is_stub(schema: &Value) -> bool {
    schema.get("x-stub") == Some(&Value::Bool(true))
}

fn alternatives(schema: &Value) -> Option<&Vec<Value>> {
    schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
}

/// The schema's `type`; a schema with `properties` and no `type` describes an object.
fn schema_type(schema: &Value) -> Option<&str> {
    schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("properties").map(|_| "object"))
}

/// The JSON type of a value, in the schema's words.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(expected: &str, v: &Value) -> bool {
    let actual = json_type(v);
    actual == expected || (expected == "number" && actual == "integer")
}

/// A decimal number as Stripe writes it: optional sign, digits, optional fraction.
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

struct Walk<'d> {
    doc: &'d Document,
    out: Vec<Violation>,
}

impl Walk<'_> {
    fn push(&mut self, path: &str, kind: Kind, schema: &str, detail: impl Into<String>) {
        self.out.push(Violation::new(path, kind, schema, detail));
    }

    fn node(&mut self, v: &Value, schema: &Value, path: &str, name: &str) {
        let (schema, component) = self.doc.resolve(schema);
        let name = component.unwrap_or(name);
        if is_stub(schema) {
            return;
        }
        if v.is_null() {
            if !self.nullable(schema) {
                self.push(path, Kind::Null, name, "null");
            }
            return;
        }
        if let Some(alternatives) = alternatives(schema) {
            self.any_of(v, alternatives, path, name);
            return;
        }
        if let Some(expected) = schema_type(schema) {
            if !type_matches(expected, v) {
                // The value is left out so that one wrong type reads as one violation.
                let found = json_type(v);
                self.push(
                    path,
                    Kind::Type,
                    name,
                    format!("expected {expected}, found {found}"),
                );
                return;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(v) {
                let list: Vec<String> = allowed.iter().map(short).collect();
                self.push(
                    path,
                    Kind::Enum,
                    name,
                    format!("{} not in [{}]", short(v), list.join(", ")),
                );
            }
        }
        if let (Some("decimal"), Some(s)) =
            (schema.get("format").and_then(Value::as_str), v.as_str())
        {
            if !is_decimal(s) {
                self.push(path, Kind::Decimal, name, short(v));
            }
        }
        match v {
            Value::Object(map) => self.object(map, schema, path, name),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    let at = format!("{path}[*]");
                    for item in items {
                        self.node(item, item_schema, &at, name);
                    }
                }
            }
            _ => {}
        }
    }

    fn nullable(&self, schema: &Value) -> bool {
        if self.doc.nulls_everywhere || schema.get("nullable") == Some(&Value::Bool(true)) {
            return true;
        }
        alternatives(schema).is_some_and(|alts| {
            alts.iter().any(|a| {
                let (a, _) = self.doc.resolve(a);
                a.get("nullable") == Some(&Value::Bool(true))
            })
        })
    }

    /// `anyOf`/`oneOf`: valid when one alternative is. `oneOf` appears only in error
    /// responses, whose alternatives share one shape, so it is checked as `anyOf`. When none
    /// fits, the violations reported are those of the closest alternative of the value's JSON
    /// type (an expanded object against its object schema, not against `string`).
    fn any_of(&mut self, v: &Value, alternatives: &[Value], path: &str, name: &str) {
        let mut best: Option<Vec<Violation>> = None;
        let mut types = Vec::new();
        for alternative in alternatives {
            let (resolved, _) = self.doc.resolve(alternative);
            let expected = schema_type(resolved);
            types.push(expected.unwrap_or("any"));
            if expected.is_some_and(|t| !type_matches(t, v)) {
                continue;
            }
            let mut trial = Walk {
                doc: self.doc,
                out: Vec::new(),
            };
            trial.node(v, alternative, path, name);
            if trial.out.is_empty() {
                return;
            }
            if best.as_ref().is_none_or(|b| trial.out.len() < b.len()) {
                best = Some(trial.out);
            }
        }
        match best {
            Some(violations) => self.out.extend(violations),
            None => {
                let found = json_type(v);
                self.push(
                    path,
                    Kind::Type,
                    name,
                    format!("expected {}, found {found}", types.join(" | ")),
                );
            }
        }
    }

    fn object(&mut self, map: &Map<String, Value>, schema: &Value, path: &str, name: &str) {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(required) {
                self.push(&format!("{path}.{required}"), Kind::Missing, name, required);
            }
        }
        for (key, value) in map {
            let at = format!("{path}.{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(property) => self.node(value, property, &at, name),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(true)) => {}
                    Some(extra @ Value::Object(_)) => self.node(value, extra, &at, name),
                    _ => self.push(&at, Kind::Undefined, name, key.as_str()),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(nulls_everywhere: bool) -> Document {
        let text = json!({
            "info": {"version": "test"},
            "paths": {},
            "components": {"schemas": {
                "thing": {
                    "type": "object",
                    "required": ["id", "kind", "amount", "note", "parent"],
                    "properties": {
                        "id": {"type": "string"},
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "amount": {"type": "integer"},
                        "ratio": {"type": "string", "format": "decimal", "nullable": true},
                        "note": {"type": "string", "nullable": true},
                        "parent": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/thing"}], "nullable": true},
                        "stubbed": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/stub"}]},
                        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                        "tags": {"type": "array", "items": {"type": "string", "enum": ["x"]}}
                    }
                },
                "stub": {"x-stub": true}
            }}
        })
        .to_string();
        Document::parse("test", &text, nulls_everywhere)
    }

    fn check(doc: &Document, v: Value) -> Vec<String> {
        let schema = json!({"$ref": "#/components/schemas/thing"});
        let mut found: Vec<String> = doc
            .validate(&v, &schema)
            .iter()
            .map(ToString::to_string)
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_conforming_object_has_no_violations() {
        let d = doc(false);
        let v = json!({"id": "t_1", "kind": "a", "amount": 3, "ratio": "12.50", "note": null,
            "parent": {"id": "t_0", "kind": "b", "amount": 0, "note": "x", "parent": null},
            "stubbed": {"anything": [1, 2]}, "metadata": {"k": "v"}, "tags": ["x"]});
        assert_eq!(check(&d, v), Vec::<String>::new());
    }

    #[test]
    fn each_kind_of_violation_is_reported_with_its_path() {
        let d = doc(false);
        let v = json!({"id": 7, "kind": "c", "amount": 1.5, "ratio": "1e3", "note": null,
            "parent": {"id": "t_0", "kind": "a", "amount": 0, "note": null, "parent": null, "extra": 1},
            "metadata": {"k": 1}, "tags": ["y"], "legacy": true});
        assert_eq!(
            check(&d, v),
            [
                "$.amount [thing] wrong type: expected integer, found number",
                "$.id [thing] wrong type: expected string, found integer",
                "$.kind [thing] value not in enum: \"c\" not in [\"a\", \"b\"]",
                "$.legacy [thing] field not defined: legacy",
                "$.metadata.k [thing] wrong type: expected string, found integer",
                "$.parent.extra [thing] field not defined: extra",
                "$.ratio [thing] not a decimal string: \"1e3\"",
                "$.tags[*] [thing] value not in enum: \"y\" not in [\"x\"]",
            ]
        );
    }

    #[test]
    fn missing_fields_and_nulls_are_reported_unless_the_document_allows_null() {
        let v = json!({"id": null, "kind": "a", "parent": "t_0"});
        assert_eq!(
            check(&doc(false), v.clone()),
            [
                "$.amount [thing] missing required field: amount",
                "$.id [thing] null, not nullable: null",
                "$.note [thing] missing required field: note",
            ]
        );
        assert_eq!(
            check(&doc(true), v),
            [
                "$.amount [thing] missing required field: amount",
                "$.note [thing] missing required field: note",
            ]
        );
    }

    #[test]
    fn an_any_of_that_nothing_fits_reports_the_closest_alternative() {
        let d = doc(false);
        let v =
            json!({"id": "t_1", "kind": "a", "amount": 1, "note": null, "parent": {"id": "t_0"}});
        assert_eq!(
            check(&d, v),
            [
                "$.parent.amount [thing] missing required field: amount",
                "$.parent.kind [thing] missing required field: kind",
                "$.parent.note [thing] missing required field: note",
                "$.parent.parent [thing] missing required field: parent",
            ]
        );
        let v = json!({"id": "t_1", "kind": "a", "amount": 1, "note": null, "parent": 5});
        assert_eq!(
            check(&d, v),
            ["$.parent [thing] wrong type: expected string | object, found integer"]
        );
    }

    #[test]
    fn request_parameters_are_checked_against_the_request_schema() {
        let d = doc(false);
        let schema = json!({"type": "object", "properties": {
            "lines": {"type": "array", "items": {"type": "object", "properties": {
                "pricing": {"type": "object", "properties": {"price": {"type": "string"}}}}}},
            "metadata": {"anyOf": [{"type": "object", "additionalProperties": {"type": "string"}}, {"type": "string", "enum": [""]}]}
        }});
        let params: Vec<Vec<String>> = [
            "lines[0][pricing][price]",
            "lines[0][price]",
            "metadata[order]",
            "metadata",
            "price",
        ]
        .iter()
        .map(|k| split_param(k))
        .collect();
        let refused: Vec<String> = d
            .undefined_params(&schema, &params)
            .into_iter()
            .map(|v| v.detail)
            .collect();
        assert_eq!(refused, ["lines[0][price]", "price"]);
        assert_eq!(split_param("expand[]"), ["expand", ""]);
        assert_eq!(split_param("customer"), ["customer"]);
        assert_eq!(
            json_params(&json!({"a": {"b": [1, {"c": 2}]}, "d": {}})),
            [vec!["a", "b", "0"], vec!["a", "b", "1", "c"], vec!["d"]]
        );
    }
}

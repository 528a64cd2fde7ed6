//! The second source of truth: the field lists of the SDK build that pins an API version
//! (`tests/data/sdk_models/<version>.json`, format in that folder's README), for versions with no
//! OpenAPI document. Only key sets are compared, not types.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::schema::{Kind, Violation};

/// Where the field lists live.
pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sdk_models")
}

/// Fields the SDK models declare that Stripe renders only when the request includes or
/// expands them ("This field is not included by default"), so a response without them is
/// right.
pub const RENDERED_ON_REQUEST: &[(&str, &[&str])] = &[
    ("coupon", &["applies_to", "currency_options"]),
    (
        "customer",
        &[
            "cash_balance",
            "invoice_credit_balance",
            "sources",
            "subscriptions",
            "tax",
            "tax_ids",
        ],
    ),
    ("invoice", &["confirmation_secret", "payments"]),
    ("price", &["currency_options", "tiers"]),
];

/// The fields of one object (or sub-object) in one SDK build.
#[derive(Debug, Default)]
pub struct Model {
    fields: BTreeSet<String>,
    optional: BTreeSet<String>,
    nested: BTreeMap<String, Model>,
}

/// An object as a file holds it: its sub-objects' fields by dotted path (`parent`,
/// `parent.invoice_item_details`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    fields: BTreeSet<String>,
    #[serde(default)]
    optional: BTreeSet<String>,
    #[serde(default)]
    nested: BTreeMap<String, BTreeSet<String>>,
}

impl From<FileModel> for Model {
    fn from(file: FileModel) -> Self {
        let mut model = Model {
            fields: file.fields,
            optional: file.optional,
            nested: BTreeMap::new(),
        };
        // Shorter paths sort first, so a parent exists before its children.
        for (path, fields) in file.nested {
            let mut at = &mut model;
            for step in path.split('.') {
                at = at.nested.entry(step.to_owned()).or_default();
            }
            at.fields = fields;
        }
        model
    }
}

impl<'de> Deserialize<'de> for Model {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        FileModel::deserialize(d).map(Model::from)
    }
}

/// One file: the models of the SDK build pinning `api_version`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SdkModels {
    /// The version the SDK build pins.
    pub api_version: String,
    /// Which build the lists come from.
    pub sdk: String,
    objects: BTreeMap<String, Model>,
}

impl SdkModels {
    /// Parses one file's text.
    pub fn parse(text: &str) -> SdkModels {
        serde_json::from_str(text).expect("an SDK model file in the documented format")
    }

    /// Every file of [`models_dir`], sorted by version. A file that cannot be read or parsed,
    /// or whose name is not its `api_version`, fails the test rather than being skipped.
    pub fn load_all() -> Vec<SdkModels> {
        let Ok(entries) = std::fs::read_dir(models_dir()) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("a readable directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            // The index of versions, not a version's models.
            .filter(|p| p.file_name().is_some_and(|n| n != "versions.json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("a readable model file");
                let models = SdkModels::parse(&text);
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                assert_eq!(
                    stem,
                    models.api_version,
                    "{} holds the models of another version",
                    path.display()
                );
                models
            })
            .collect()
    }

    /// The keys of every modeled object in `body` against the models. `upcoming` is set for
    /// `GET /v1/invoices/upcoming`, whose invoice has no `id`.
    pub fn compare(&self, body: &Value, upcoming: bool) -> Vec<Violation> {
        let mut out = Vec::new();
        self.walk(body, "$", true, upcoming, &mut out);
        out
    }

    fn walk(&self, v: &Value, path: &str, top: bool, upcoming: bool, out: &mut Vec<Violation>) {
        match v {
            Value::Object(map) => match map.get("object").and_then(Value::as_str) {
                // A list envelope is not a model; its elements are compared as the response
                // itself would be.
                Some("list") => {
                    if let Some(Value::Array(items)) = map.get("data") {
                        let at = format!("{path}.data[*]");
                        for item in items {
                            self.walk(item, &at, top, upcoming, out);
                        }
                    }
                }
                Some(object) => match self.objects.get(object) {
                    Some(model) => self.object(model, object, map, path, upcoming, out),
                    None => {
                        if top {
                            out.push(Violation::new(
                                path,
                                Kind::Coverage,
                                object,
                                format!("the SDK models have no `{object}`"),
                            ));
                        }
                        self.children(map, path, upcoming, out);
                    }
                },
                None => self.children(map, path, upcoming, out),
            },
            Value::Array(items) => {
                let at = format!("{path}[*]");
                for item in items {
                    self.walk(item, &at, false, upcoming, out);
                }
            }
            _ => {}
        }
    }

    fn children(
        &self,
        map: &Map<String, Value>,
        path: &str,
        upcoming: bool,
        out: &mut Vec<Violation>,
    ) {
        for (key, child) in map {
            self.walk(child, &format!("{path}.{key}"), false, upcoming, out);
        }
    }

    fn object(
        &self,
        model: &Model,
        object: &str,
        map: &Map<String, Value>,
        path: &str,
        upcoming: bool,
        out: &mut Vec<Violation>,
    ) {
        // A deleted object is `{id, object, deleted}`, whatever else the model declares.
        if map.get("deleted") == Some(&Value::Bool(true)) {
            for field in ["deleted", "id", "object"] {
                if !map.contains_key(field) {
                    let at = format!("{path}.{field}");
                    out.push(Violation::new(&at, Kind::Missing, object, field));
                }
            }
            for key in map.keys() {
                if key != "deleted" && !model.fields.contains(key) && !model.optional.contains(key)
                {
                    let at = format!("{path}.{key}");
                    out.push(Violation::new(&at, Kind::Undefined, object, key.as_str()));
                }
            }
            return;
        }
        let on_request: &[&str] = RENDERED_ON_REQUEST
            .iter()
            .find(|(name, _)| *name == object)
            .map_or(&[], |(_, fields)| fields);
        let excused = |field: &str| {
            on_request.contains(&field) || (upcoming && object == "invoice" && field == "id")
        };
        keys(model, object, map, path, &excused, out);
        for (key, child) in map {
            let at = format!("{path}.{key}");
            match model.nested.get(key) {
                Some(sub) => nested(sub, &format!("{object}.{key}"), child, &at, out),
                None => self.walk(child, &at, false, upcoming, out),
            }
        }
    }
}

/// Extra keys and missing fields of one object against its model.
fn keys(
    model: &Model,
    name: &str,
    map: &Map<String, Value>,
    path: &str,
    excused: &dyn Fn(&str) -> bool,
    out: &mut Vec<Violation>,
) {
    for field in &model.fields {
        if !map.contains_key(field) && !model.optional.contains(field) && !excused(field) {
            let at = format!("{path}.{field}");
            out.push(Violation::new(&at, Kind::Missing, name, field.as_str()));
        }
    }
    for key in map.keys() {
        if !model.fields.contains(key) && !model.optional.contains(key) {
            let at = format!("{path}.{key}");
            out.push(Violation::new(&at, Kind::Undefined, name, key.as_str()));
        }
    }
}

/// A sub-object without an `object` key (or a list of them) against its nested model.
fn nested(model: &Model, name: &str, v: &Value, path: &str, out: &mut Vec<Violation>) {
    match v {
        Value::Object(map) => {
            keys(model, name, map, path, &|_| false, out);
            for (key, child) in map {
                if let Some(sub) = model.nested.get(key) {
                    let at = format!("{path}.{key}");
                    nested(sub, &format!("{name}.{key}"), child, &at, out);
                }
            }
        }
        Value::Array(items) => {
            let at = format!("{path}[*]");
            for item in items {
                nested(model, name, item, &at, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn models() -> SdkModels {
        SdkModels::parse(
            &json!({
                "api_version": "2099-01-01.test",
                "sdk": "a hand-written model for this test",
                "objects": {
                    "invoice": {
                        "fields": ["id", "object", "lines", "total", "status_transitions", "payments"],
                        "optional": ["total"],
                        "nested": {"status_transitions": ["paid_at", "voided_at"]}
                    },
                    "line_item": {"fields": ["id", "object", "pricing"]}
                }
            })
            .to_string(),
        )
    }

    fn found(body: Value, upcoming: bool) -> Vec<String> {
        let mut out: Vec<String> = models()
            .compare(&body, upcoming)
            .iter()
            .map(ToString::to_string)
            .collect();
        out.sort();
        out
    }

    #[test]
    fn extra_and_missing_keys_are_found_in_the_object_its_list_elements_and_sub_objects() {
        let body = json!({
            "id": "in_1", "object": "invoice", "paid": true,
            "status_transitions": {"paid_at": null, "finalized_at": 1},
            "lines": {"object": "list", "url": "/v1/invoices/in_1/lines", "data": [
                {"id": "il_1", "object": "line_item", "price": {"id": "price_1", "object": "price"}}
            ]}
        });
        assert_eq!(
            found(body, false),
            [
                "$.lines.data[*].price [line_item] field not defined: price",
                "$.lines.data[*].pricing [line_item] missing required field: pricing",
                "$.paid [invoice] field not defined: paid",
                "$.status_transitions.finalized_at [invoice.status_transitions] field not defined: finalized_at",
                "$.status_transitions.voided_at [invoice.status_transitions] missing required field: voided_at",
            ]
        );
    }

    #[test]
    fn deleted_objects_unmodeled_responses_and_upcoming_invoices() {
        assert_eq!(
            found(
                json!({"id": "in_1", "object": "invoice", "deleted": true}),
                false
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            found(json!({"id": "cus_1", "object": "customer"}), false),
            ["$ [customer] coverage: the SDK models have no `customer`"]
        );
        let upcoming = json!({"object": "invoice", "lines": {"object": "list", "data": []},
            "status_transitions": {"paid_at": null, "voided_at": null}});
        assert_eq!(found(upcoming.clone(), true), Vec::<String>::new());
        assert_eq!(
            found(upcoming, false),
            ["$.id [invoice] missing required field: id"]
        );
    }
}

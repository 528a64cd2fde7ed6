//! Conformance: every response of the operations in scope, requested over HTTP at an explicit
//! `Stripe-Version`, against a source of truth for that version.
//!
//! Sources of truth ([`Contract`]):
//! - Stripe's OpenAPI documents in `tests/data/openapi/` ([`schema`]): v1 at
//!   `2026-09-30.endive` and `2026-10-28.endive` against the GA document `2026-09-30.endive`, v2
//!   at `2026-09-30.preview` against the private preview document. Every response body is
//!   validated against the 200 response schema of its operation.
//! - The field lists of the SDK build pinning a version, for versions without a document
//!   ([`sdk_models`]): one run per file in `tests/data/sdk_models/`.
//!
//! Each test collects every violation of its runs (sorted, deduplicated, per version and
//! operation, then summed up per schema) and fails once with the whole list.

mod scenario;
mod schema;
mod sdk_models;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::helpers::{TestApp, encode};
use schema::{Document, Kind, Violation, json_params, split_param};
use sdk_models::SdkModels;

const GA: &str = include_str!("../data/openapi/ga-2026-09-30.endive.v1-invoices.json");
const GA_SUPPLEMENT: &str = include_str!("../data/openapi/ga-2026-09-30.endive.supplement.json");
const PREVIEW: &str =
    include_str!("../data/openapi/preview-2026-09-30.preview.v2-billing-intents.json");

/// v1 versions checked against the GA document: the document's own version, and
/// `2026-10-28.endive`, the version the current GA SDKs pin, for which no document is at hand.
const V1_VERSIONS: [&str; 2] = ["2026-09-30.endive", "2026-10-28.endive"];
/// The v2 version of the preview document.
const V2_VERSION: &str = "2026-09-30.preview";

/// Operations of the GA document the mock does not serve, with the reason.
const GA_NOT_SERVED: &[(&str, &str, &str)] = &[(
    "POST",
    "/v1/invoices/{invoice}/attach_payment",
    "payments are not attached to invoices by the mock",
)];

fn ga() -> Document {
    Document::parse("ga-2026-09-30.endive.v1-invoices.json", GA, false)
        .with_supplement("ga-2026-09-30.endive.supplement.json", GA_SUPPLEMENT)
}

fn preview() -> Document {
    // v2: null is allowed for every property (see `Document::nulls_everywhere`).
    Document::parse(
        "preview-2026-09-30.preview.v2-billing-intents.json",
        PREVIEW,
        true,
    )
}

/// An operation: method and the path template of the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Op {
    /// `GET`, `POST` or `DELETE`.
    pub method: &'static str,
    /// `/v1/invoices/{invoice}/add_lines`.
    pub template: &'static str,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

/// A source of truth for the responses (and requests) of one API version.
pub trait Contract {
    /// Names the source in the report.
    fn describe(&self) -> String;
    /// The violations of one successful response body.
    fn check_response(&self, op: Op, body: &Value) -> Vec<Violation>;
    /// The request parameters (key paths) the source does not define for `op`.
    fn check_request(&self, _op: Op, _params: &[Vec<String>]) -> Vec<Violation> {
        Vec::new()
    }
    /// The operations the source describes that a run did not exercise.
    fn check_coverage(&self, _exercised: &BTreeSet<Op>) -> Vec<Violation> {
        Vec::new()
    }
}

/// An OpenAPI document, with the operations in it that the mock does not serve.
struct OpenApi {
    doc: Document,
    not_served: &'static [(&'static str, &'static str, &'static str)],
}

impl Contract for OpenApi {
    fn describe(&self) -> String {
        format!("{} (OpenAPI {})", self.doc.name, self.doc.version())
    }

    fn check_response(&self, op: Op, body: &Value) -> Vec<Violation> {
        match self.doc.response_schema(op.method, op.template) {
            Some(schema) => self.doc.validate(body, schema),
            None => vec![Violation::new(
                "$",
                Kind::Coverage,
                "-",
                "the document does not describe this operation",
            )],
        }
    }

    fn check_request(&self, op: Op, params: &[Vec<String>]) -> Vec<Violation> {
        match self.doc.request_schema(op.method, op.template) {
            Some(schema) => self.doc.undefined_params(schema, params),
            // Request bodies of some operations were not transcribed.
            None => Vec::new(),
        }
    }

    fn check_coverage(&self, exercised: &BTreeSet<Op>) -> Vec<Violation> {
        let done: BTreeSet<(String, String)> = exercised
            .iter()
            .map(|op| (op.method.to_owned(), op.template.to_owned()))
            .collect();
        self.doc
            .operations()
            .into_iter()
            .filter(|op| !done.contains(op))
            .filter(|(m, p)| !self.not_served.iter().any(|(nm, np, _)| nm == m && np == p))
            .map(|(m, p)| {
                Violation::new("-", Kind::Coverage, "-", format!("{m} {p} not exercised"))
            })
            .collect()
    }
}

impl Contract for SdkModels {
    fn describe(&self) -> String {
        format!("SDK models {}.json ({})", self.api_version, self.sdk)
    }

    fn check_response(&self, op: Op, body: &Value) -> Vec<Violation> {
        self.compare(body, op.template == "/v1/invoices/upcoming")
    }
}

/// A request's parameters.
pub enum Params<'p> {
    /// v1: a form body (POST) or the query (GET, DELETE).
    Form(&'p [(&'p str, &'p str)]),
    /// v2: a JSON body.
    Json(Value),
}

/// One run: an account, one `Stripe-Version`, one source of truth, and what it found.
pub struct Run<'a> {
    /// The account the requests use.
    pub app: &'a TestApp,
    /// Sent as `Stripe-Version` on every request.
    pub version: &'a str,
    contract: &'a dyn Contract,
    found: BTreeMap<String, BTreeSet<Violation>>,
    exercised: BTreeSet<Op>,
    checked: usize,
}

fn form_text(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `template` with its `{…}` segments replaced by `ids`, in order.
fn fill(template: &str, ids: &[&str]) -> String {
    let mut ids = ids.iter();
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                ids.next().copied().unwrap_or_default()
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

impl<'a> Run<'a> {
    /// A run of `app`'s account at `version`, checked against `contract`.
    pub fn new(app: &'a TestApp, version: &'a str, contract: &'a dyn Contract) -> Run<'a> {
        Run {
            app,
            version,
            contract,
            found: BTreeMap::new(),
            exercised: BTreeSet::new(),
            checked: 0,
        }
    }

    fn record(&mut self, op: String, violations: Vec<Violation>) {
        if !violations.is_empty() {
            self.found.entry(op).or_default().extend(violations);
        }
    }

    /// GET with a query.
    pub async fn get(
        &mut self,
        template: &'static str,
        ids: &[&str],
        query: &[(&str, &str)],
    ) -> Value {
        self.call("GET", template, ids, Params::Form(query)).await
    }

    /// v1 POST with a form body.
    pub async fn post(
        &mut self,
        template: &'static str,
        ids: &[&str],
        form: &[(&str, &str)],
    ) -> Value {
        self.call("POST", template, ids, Params::Form(form)).await
    }

    /// DELETE.
    pub async fn delete(&mut self, template: &'static str, ids: &[&str]) -> Value {
        self.call("DELETE", template, ids, Params::Form(&[])).await
    }

    /// v2 POST with a JSON body.
    pub async fn post_json(&mut self, template: &'static str, ids: &[&str], body: Value) -> Value {
        self.call("POST", template, ids, Params::Json(body)).await
    }

    /// Sends one request and checks its response; returns the body, or `null` when the request
    /// failed. `ids` are the path's ids in order, then any other id the request carries: a
    /// request needing an id that an earlier request did not return is not sent (and reported).
    async fn call(
        &mut self,
        method: &'static str,
        template: &'static str,
        ids: &[&str],
        params: Params<'_>,
    ) -> Value {
        let op = Op { method, template };
        self.exercised.insert(op);
        if ids.iter().any(|id| id.is_empty()) {
            let not_sent = Violation::new(
                "$",
                Kind::Status,
                "-",
                "not sent: it needs an id that an earlier request did not return",
            );
            self.record(op.to_string(), vec![not_sent]);
            return Value::Null;
        }
        let keys: Vec<Vec<String>> = match &params {
            Params::Form(form) => form.iter().map(|(k, _)| split_param(k)).collect(),
            Params::Json(body) => json_params(body),
        };
        if method == "POST" {
            let refused = self.contract.check_request(op, &keys);
            self.record(op.to_string(), refused);
        }

        let mut url = format!("{}{}", self.app.base, fill(template, ids));
        let mut req = match params {
            Params::Form(form) if method == "POST" => self
                .app
                .client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form_text(form)),
            Params::Form(query) => {
                if !query.is_empty() {
                    url = format!("{url}?{}", form_text(query));
                }
                let m = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
                self.app.client.request(m, &url)
            }
            Params::Json(body) => self.app.client.post(&url).json(&body),
        };
        req = req
            .bearer_auth(&self.app.key)
            .header("Stripe-Version", self.version);
        let reply = self.app.raw(req).await;

        let mut found = Vec::new();
        let answered = reply.header("stripe-version").unwrap_or("(none)");
        if answered != self.version {
            found.push(Violation::new(
                "$",
                Kind::Status,
                "-",
                format!("answered as Stripe-Version {answered}"),
            ));
        }
        let body = if !reply.status.is_success() {
            let message = reply.body["error"]["message"]
                .as_str()
                .map_or_else(|| reply.text.clone(), str::to_owned);
            found.push(Violation::new(
                "$",
                Kind::Status,
                "-",
                format!("HTTP {}: {message}", reply.status.as_u16()),
            ));
            Value::Null
        } else if reply.body.is_null() {
            found.push(Violation::new(
                "$",
                Kind::Status,
                "-",
                "the body is not JSON",
            ));
            Value::Null
        } else {
            self.checked += 1;
            found.extend(self.contract.check_response(op, &reply.body));
            reply.body
        };
        self.record(op.to_string(), found);
        body
    }

    /// What the run found, coverage included, under its title.
    fn finish(mut self) -> (String, BTreeMap<String, BTreeSet<Violation>>) {
        let uncovered = self.contract.check_coverage(&self.exercised);
        self.record("(coverage)".to_owned(), uncovered);
        let title = format!(
            "Stripe-Version {} against {} ({} responses checked)",
            self.version,
            self.contract.describe(),
            self.checked
        );
        (title, self.found)
    }
}

/// The violations of several runs, reported at once.
#[derive(Default)]
struct Report {
    sections: Vec<(String, BTreeMap<String, BTreeSet<Violation>>)>,
}

impl Report {
    fn add(&mut self, run: Run<'_>) {
        self.sections.push(run.finish());
    }

    fn count(&self) -> usize {
        self.sections
            .iter()
            .flat_map(|(_, ops)| ops.values())
            .map(BTreeSet::len)
            .sum()
    }

    /// Per section: each operation's violations, then a summary per schema (fields missing,
    /// fields not defined, other violations by path).
    fn text(&self) -> String {
        let mut out = String::new();
        for (title, ops) in &self.sections {
            let n: usize = ops.values().map(BTreeSet::len).sum();
            let _ = writeln!(out, "\n=== {title}: {n} violations");
            for (op, violations) in ops {
                let _ = writeln!(out, "--- {op}");
                for v in violations {
                    let _ = writeln!(out, "    {v}");
                }
            }
            let mut by_schema: BTreeMap<&str, BTreeMap<Kind, BTreeSet<String>>> = BTreeMap::new();
            for v in ops.values().flatten() {
                let entry = match v.kind {
                    Kind::Missing | Kind::Undefined => v.detail.clone(),
                    Kind::Type | Kind::Null | Kind::Enum | Kind::Decimal => {
                        format!("{}: {}", v.path, v.detail)
                    }
                    Kind::Status | Kind::Request | Kind::Coverage => continue,
                };
                by_schema
                    .entry(v.schema.as_str())
                    .or_default()
                    .entry(v.kind)
                    .or_default()
                    .insert(entry);
            }
            if !by_schema.is_empty() {
                let _ = writeln!(out, "--- summary by schema");
                for (schema, kinds) in by_schema {
                    let _ = writeln!(out, "    {schema}");
                    for (kind, entries) in kinds {
                        let list: Vec<&str> = entries.iter().map(String::as_str).collect();
                        let sep = if matches!(kind, Kind::Missing | Kind::Undefined) {
                            ", "
                        } else {
                            "; "
                        };
                        let _ = writeln!(out, "      {}: {}", kind.label(), list.join(sep));
                    }
                }
            }
        }
        out
    }

    fn assert_clean(self) {
        let n = self.count();
        assert!(n == 0, "{n} conformance violations\n{}", self.text());
    }
}

#[test]
fn the_vendored_documents_are_whole_and_of_the_versions_under_test() {
    let ga = ga();
    let preview = preview();
    assert_eq!(ga.version(), "2026-09-30.endive");
    assert_eq!(preview.version(), V2_VERSION);
    assert_eq!(ga.dangling_refs(), Vec::<String>::new());
    assert_eq!(preview.dangling_refs(), Vec::<String>::new());
    for (method, template) in [
        ("DELETE", "/v1/invoices/{invoice}"),
        ("DELETE", "/v1/invoiceitems/{invoiceitem}"),
        ("GET", "/v1/invoices/{invoice}"),
    ] {
        assert!(
            ga.response_schema(method, template).is_some(),
            "{method} {template}"
        );
    }
}

#[tokio::test]
async fn v1_responses_match_the_ga_document_at_each_endive_version() {
    let contract = OpenApi {
        doc: ga(),
        not_served: GA_NOT_SERVED,
    };
    let server = TestApp::spawn().await;
    let mut report = Report::default();
    for version in V1_VERSIONS {
        let app = server.other_account();
        let mut run = Run::new(&app, version, &contract);
        scenario::v1(&mut run).await;
        report.add(run);
    }
    report.assert_clean();
}

#[tokio::test]
async fn v2_responses_match_the_preview_document() {
    let contract = OpenApi {
        doc: preview(),
        not_served: &[],
    };
    let app = TestApp::spawn().await;
    let mut report = Report::default();
    let mut run = Run::new(&app, V2_VERSION, &contract);
    scenario::v2(&mut run).await;
    report.add(run);
    report.assert_clean();
}

/// The first version whose shapes follow the SDK builds. Before it the mock renders the legacy
/// shapes of the seed documents, unchanged for every earlier version (their golden bodies pin
/// them), although the SDK builds of those versions list a few fields more or less
/// (`automatically_finalizes_at`, `marketing_features`, no `redaction`).
const FIRST_MODELED: &str = "2025-03-31.basil";

/// One run per file in `tests/data/sdk_models/` from [`FIRST_MODELED`] on: the versions
/// compared are the files present.
#[tokio::test]
async fn v1_responses_have_the_fields_of_the_sdk_build_pinning_each_modeled_version() {
    let server = TestApp::spawn().await;
    let mut report = Report::default();
    let modeled = SdkModels::load_all()
        .into_iter()
        .filter(|m| m.api_version.as_str() >= FIRST_MODELED);
    for models in modeled {
        let app = server.other_account();
        let mut run = Run::new(&app, &models.api_version, &models);
        scenario::v1(&mut run).await;
        report.add(run);
    }
    report.assert_clean();
}

#[test]
fn sdk_model_files_are_present() {
    let versions: Vec<String> = SdkModels::load_all()
        .into_iter()
        .map(|m| m.api_version)
        .collect();
    assert!(
        !versions.is_empty(),
        "no SDK model files in {}",
        sdk_models::models_dir().display()
    );
}

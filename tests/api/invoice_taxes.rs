//! Taxes and decimal quantities on invoice items and lines, over HTTP, at a legacy version
//! (`tax_amounts` / `total_tax_amounts`) and from `2025-03-31.basil` on (`taxes` /
//! `total_taxes`): `tax_amounts` stored on lines with their tax rates, the totals they make,
//! `tax_rates` refused as Stripe refuses them, and `quantity_decimal` from `2026-03-25.dahlia`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{LEGACY, Reply, TestApp, id_of};
use crate::invoice_support::{add_amount_line, amounts, draft, pending_item};

const BASIL: &str = "2025-03-31.basil";
const CLOVER: &str = "2025-12-15.clover";
const DAHLIA: &str = "2026-03-25.dahlia";
const ENDIVE: &str = "2026-10-28.endive";

/// Stripe's description of `tax_amounts`, which the mock refuses with.
const WITH_TAX_RATES: &str = "You cannot set tax amounts if any line item has tax_rates or if the invoice has default_tax_rates or uses automatic tax.";

/// One tax amount: `(amount, taxable_amount, display_name, inclusive, percentage)`.
type Tax<'a> = (i64, i64, &'a str, bool, &'a str);

/// The form fields of `taxes` under `at` (`lines[0]`, or `""` for the line update).
fn tax_fields(at: &str, taxes: &[Tax<'_>]) -> Vec<(String, String)> {
    let key = |i: usize, k: &str| {
        if at.is_empty() {
            format!("tax_amounts[{i}]{k}")
        } else {
            format!("{at}[tax_amounts][{i}]{k}")
        }
    };
    let mut out = Vec::new();
    for (i, (amount, taxable, name, inclusive, pct)) in taxes.iter().enumerate() {
        out.push((key(i, "[amount]"), amount.to_string()));
        out.push((key(i, "[taxable_amount]"), taxable.to_string()));
        out.push((key(i, "[tax_rate_data][display_name]"), (*name).to_owned()));
        out.push((key(i, "[tax_rate_data][inclusive]"), inclusive.to_string()));
        out.push((key(i, "[tax_rate_data][percentage]"), (*pct).to_owned()));
    }
    out
}

/// A field of a valid request changed: the field, its value (`None`: removed), and the code,
/// parameter and (when pinned) message of the refusal.
type FieldCase<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, Option<&'a str>);

/// A request: the client (its version), the path, the form, and the parameter it is refused for.
type Call<'a> = (&'a TestApp, String, Vec<(&'a str, &'a str)>, &'a str);

/// Extra form fields, and the code, parameter and (when pinned) message of their refusal.
type FormCase<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str, Option<&'a str>);

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// `add_lines` of one amount-only line of `amount` with `taxes`, plus `extra` fields.
async fn add_taxed_line(
    app: &TestApp,
    invoice: &str,
    amount: i64,
    taxes: &[Tax<'_>],
    extra: &[(&str, &str)],
) -> Reply {
    let mut fields = vec![("lines[0][amount]".to_owned(), amount.to_string())];
    fields.extend(tax_fields("lines[0]", taxes));
    fields.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    app.post(
        &format!("/v1/invoices/{invoice}/add_lines"),
        &borrowed(&fields),
    )
    .await
}

async fn new_draft(app: &TestApp) -> String {
    let customer = app.customer().await;
    id_of(&draft(app, &customer).await)
}

fn assert_error(r: &Reply, status: StatusCode, code: &str, param: &str) {
    assert_eq!(r.status, status, "{param}: {}", r.text);
    assert_eq!(r.code(), code, "{}", r.text);
    assert_eq!(
        r.body["error"]["type"], "invalid_request_error",
        "{}",
        r.text
    );
    if param.is_empty() {
        assert!(r.body["error"]["param"].is_null(), "{}", r.text);
    } else {
        assert_eq!(r.body["error"]["param"], param, "{}", r.text);
    }
}

fn tax_rate_id(v: &Value) -> String {
    let id = v.as_str().unwrap_or_default().to_owned();
    assert!(id.starts_with("txr_"), "{v}");
    id
}

#[tokio::test]
async fn exclusive_tax_amounts_are_stored_and_added_to_the_total_at_a_legacy_version() {
    let app = TestApp::spawn().await;
    let invoice = new_draft(&app).await;

    let r = add_taxed_line(
        &app,
        &invoice,
        1000,
        &[(100, 1000, "VAT", false, "10")],
        &[(
            "lines[0][tax_amounts][0][taxability_reason]",
            "standard_rated",
        )],
    )
    .await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let inv = &r.body;
    let line = &inv["lines"]["data"][0];
    let rate = tax_rate_id(&line["tax_amounts"][0]["tax_rate"]);
    assert_eq!(
        line["tax_amounts"],
        json!([{"amount": 100, "inclusive": false, "tax_rate": rate,
                "taxability_reason": "standard_rated", "taxable_amount": 1000}])
    );
    assert_eq!(
        line["tax_rates"],
        json!([]),
        "tax_amounts' rates are not tax_rates"
    );
    assert_eq!(line["amount"], 1000);
    assert_eq!(line["amount_excluding_tax"], 1000);
    assert_eq!(line["unit_amount_excluding_tax"], "1000");
    // subtotal, subtotal_excluding_tax, total, total_excluding_tax, due, paid, remaining
    assert_eq!(amounts(inv), [1000, 1000, 1100, 1000, 1100, 0, 1100]);
    assert_eq!(inv["tax"], 100);
    assert_eq!(inv["total_tax_amounts"], line["tax_amounts"]);
    // The invoice item behind the line carries none of it.
    let item = line["invoice_item"].as_str().unwrap_or_default();
    let item = app.get_ok(&format!("/v1/invoiceitems/{item}"), &[]).await;
    assert_eq!(
        (item["amount"].clone(), item["tax_rates"].clone()),
        (json!(1000), json!([]))
    );
    // Read again, the same.
    let again = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(&again, inv);
}

#[tokio::test]
async fn inclusive_tax_is_inside_the_amount_and_shown_as_taxes_from_basil_on() {
    let app = TestApp::spawn().await;
    let invoice = new_draft(&app).await;
    let endive = app.at_version(Some(ENDIVE));

    let r = add_taxed_line(
        &endive,
        &invoice,
        1100,
        &[(100, 1000, "GST", true, "10")],
        &[],
    )
    .await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let inv = &r.body;
    let line = &inv["lines"]["data"][0];
    let rate = tax_rate_id(&line["taxes"][0]["tax_rate_details"]["tax_rate"]);
    let taxes = json!([{"amount": 100, "tax_behavior": "inclusive",
                        "tax_rate_details": {"tax_rate": rate},
                        "taxability_reason": "not_available", "taxable_amount": 1000,
                        "type": "tax_rate_details"}]);
    assert_eq!(line["taxes"], taxes);
    assert_eq!(inv["total_taxes"], taxes);
    assert_eq!(
        (line["amount"].clone(), line["subtotal"].clone()),
        (json!(1100), json!(1100))
    );
    assert_eq!(amounts(inv), [1100, 1000, 1100, 1000, 1100, 0, 1100]);
    assert!(inv.get("tax").is_none() && inv.get("total_tax_amounts").is_none());

    // The same invoice at the legacy version: the inclusive tax comes out of the line's
    // amounts without tax.
    let legacy = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    let line = &legacy["lines"]["data"][0];
    assert_eq!(line["amount_excluding_tax"], 1000);
    assert_eq!(line["unit_amount_excluding_tax"], "1000");
    assert_eq!(line["tax_amounts"][0]["inclusive"], true);
    assert_eq!(line["tax_amounts"][0]["taxability_reason"], Value::Null);
    assert_eq!(legacy["tax"], 100);
    assert_eq!(amounts(&legacy), [1100, 1000, 1100, 1000, 1100, 0, 1100]);
}

#[tokio::test]
async fn mixed_taxes_and_quantities_follow_the_totals_formulas() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let price = app.price(700, "usd").await;
    let mut fields = vec![
        ("lines[0][price]".to_owned(), price),
        ("lines[0][quantity]".to_owned(), "3".to_owned()),
        ("lines[1][amount]".to_owned(), "500".to_owned()),
    ];
    fields.extend(tax_fields("lines[0]", &[(100, 2000, "VAT", true, "5")]));
    fields.extend(tax_fields(
        "lines[1]",
        &[
            (40, 500, "Sales Tax", false, "8"),
            (10, 500, "City", false, "2"),
        ],
    ));

    let inv = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &borrowed(&fields),
        )
        .await;

    let lines = &inv["lines"]["data"];
    assert_eq!(lines[0]["amount"], 2100);
    assert_eq!(lines[0]["amount_excluding_tax"], 2000);
    // 2000 / 3, to 12 places, half away from zero.
    assert_eq!(lines[0]["unit_amount_excluding_tax"], "666.666666666667");
    assert_eq!(lines[1]["amount_excluding_tax"], 500);
    // subtotal 2600; minus inclusive 100; plus exclusive 50.
    assert_eq!(amounts(&inv), [2600, 2500, 2650, 2500, 2650, 0, 2650]);
    assert_eq!(inv["tax"], 150);
    let sums: Vec<(i64, bool)> = inv["total_tax_amounts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| (t["amount"].as_i64().unwrap_or(0), t["inclusive"] == true))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(sums, [(100, true), (40, false), (10, false)]);
}

#[tokio::test]
async fn identical_tax_rate_data_reuses_one_tax_rate_and_other_data_makes_another() {
    let app = TestApp::spawn().await;
    let invoice = new_draft(&app).await;
    let mut fields = vec![
        ("lines[0][amount]".to_owned(), "100".to_owned()),
        ("lines[1][amount]".to_owned(), "200".to_owned()),
    ];
    fields.extend(tax_fields("lines[0]", &[(10, 100, "VAT", false, "10")]));
    fields.extend(tax_fields(
        "lines[1]",
        &[(20, 200, "VAT", false, "10.0"), (2, 200, "VAT", true, "10")],
    ));
    let inv = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &borrowed(&fields),
        )
        .await;
    let lines = &inv["lines"]["data"];
    let first = tax_rate_id(&lines[0]["tax_amounts"][0]["tax_rate"]);
    assert_eq!(lines[1]["tax_amounts"][0]["tax_rate"], first, "10.0 is 10");
    let inclusive = tax_rate_id(&lines[1]["tax_amounts"][1]["tax_rate"]);
    assert_ne!(inclusive, first);
    // Summed per rate on the invoice.
    assert_eq!(inv["total_tax_amounts"][0]["amount"], 30);
    assert_eq!(inv["total_tax_amounts"][0]["taxable_amount"], 300);

    // A later request of the same account finds the rate again; another account has its own.
    let later = add_taxed_line(&app, &invoice, 50, &[(5, 50, "VAT", false, "10")], &[]).await;
    assert_eq!(
        later.body["lines"]["data"][2]["tax_amounts"][0]["tax_rate"],
        first
    );
    let other = app.other_account();
    let other_invoice = new_draft(&other).await;
    let r = add_taxed_line(
        &other,
        &other_invoice,
        50,
        &[(5, 50, "VAT", false, "10")],
        &[],
    )
    .await;
    assert_ne!(
        r.body["lines"]["data"][0]["tax_amounts"][0]["tax_rate"],
        first
    );
}

#[tokio::test]
async fn update_lines_and_the_line_update_set_replace_and_clear_tax_amounts() {
    let app = TestApp::spawn().await;
    let invoice = new_draft(&app).await;
    let inv = add_amount_line(&app, &invoice, 1000).await;
    let line = id_of(&inv["lines"]["data"][0]);
    let basil = app.at_version(Some(BASIL));

    // update_lines sets them (at basil).
    let mut fields = vec![("lines[0][id]".to_owned(), line.clone())];
    fields.extend(tax_fields("lines[0]", &[(80, 1000, "VAT", false, "8")]));
    let inv = basil
        .post_ok(
            &format!("/v1/invoices/{invoice}/update_lines"),
            &borrowed(&fields),
        )
        .await;
    assert_eq!(inv["lines"]["data"][0]["taxes"][0]["amount"], 80);
    assert_eq!(inv["total"], 1080);

    // The single-line update replaces them (legacy)…
    let fields = tax_fields("", &[(50, 1000, "VAT", true, "5")]);
    let updated = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/lines/{line}"),
            &borrowed(&fields),
        )
        .await;
    assert_eq!(updated["tax_amounts"].as_array().map(Vec::len), Some(1));
    assert_eq!(updated["tax_amounts"][0]["inclusive"], true);
    assert_eq!(updated["amount_excluding_tax"], 950);
    let inv = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(amounts(&inv), [1000, 950, 1000, 950, 1000, 0, 1000]);

    // …keeps them when the line changes otherwise…
    let updated = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/lines/{line}"),
            &[("description", "Still taxed")],
        )
        .await;
    assert_eq!(updated["tax_amounts"][0]["amount"], 50);

    // …and `""` clears them.
    let cleared = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/lines/{line}"),
            &[("tax_amounts", "")],
        )
        .await;
    assert_eq!(cleared["tax_amounts"], json!([]));
    let inv = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(amounts(&inv), [1000, 1000, 1000, 1000, 1000, 0, 1000]);
    assert_eq!(inv["tax"], Value::Null);
    assert_eq!(inv["total_tax_amounts"], json!([]));
}

#[tokio::test]
async fn a_pending_item_added_with_tax_amounts_keeps_them_on_its_line_only() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let item = pending_item(&app, &customer, 300, "Hours").await;
    let mut fields = vec![("lines[0][invoice_item]".to_owned(), item.clone())];
    fields.extend(tax_fields("lines[0]", &[(30, 300, "VAT", false, "10")]));

    let inv = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &borrowed(&fields),
        )
        .await;

    assert_eq!(inv["total"], 330);
    let line = id_of(&inv["lines"]["data"][0]);
    // Unassigning the line drops its taxes with it; the item is pending again, untaxed.
    let inv = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/remove_lines"),
            &[("lines[0][id]", &line), ("lines[0][behavior]", "unassign")],
        )
        .await;
    assert_eq!(amounts(&inv), [0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(inv["tax"], Value::Null);
    let item = app.get_ok(&format!("/v1/invoiceitems/{item}"), &[]).await;
    assert_eq!(
        (item["invoice"].clone(), item["amount"].clone()),
        (Value::Null, json!(300))
    );
}

#[tokio::test]
async fn tax_amount_parameters_are_checked_with_their_full_paths() {
    let app = TestApp::spawn().await;
    let invoice = new_draft(&app).await;
    let path = format!("/v1/invoices/{invoice}/add_lines");
    let valid = tax_fields("lines[0]", &[(10, 100, "VAT", false, "10")]);
    let cases: Vec<FieldCase> = vec![
        (
            "lines[0][tax_amounts][0][amount]",
            None,
            "parameter_missing",
            "lines[0][tax_amounts][0][amount]",
            None,
        ),
        (
            "lines[0][tax_amounts][0][amount]",
            Some("ten"),
            "parameter_invalid_integer",
            "lines[0][tax_amounts][0][amount]",
            Some("Invalid integer: ten"),
        ),
        (
            "lines[0][tax_amounts][0][taxable_amount]",
            None,
            "parameter_missing",
            "lines[0][tax_amounts][0][taxable_amount]",
            None,
        ),
        (
            "lines[0][tax_amounts][0][tax_rate_data][display_name]",
            None,
            "parameter_missing",
            "lines[0][tax_amounts][0][tax_rate_data][display_name]",
            None,
        ),
        (
            "lines[0][tax_amounts][0][tax_rate_data][inclusive]",
            Some("maybe"),
            "",
            "lines[0][tax_amounts][0][tax_rate_data][inclusive]",
            Some("Invalid boolean: maybe. Expected `true` or `false`."),
        ),
        (
            "lines[0][tax_amounts][0][tax_rate_data][percentage]",
            Some("ten"),
            "",
            "lines[0][tax_amounts][0][tax_rate_data][percentage]",
            Some("Invalid decimal: ten"),
        ),
        (
            "lines[0][tax_amounts][0][tax_rate_data][percentage]",
            None,
            "parameter_missing",
            "lines[0][tax_amounts][0][tax_rate_data][percentage]",
            None,
        ),
        (
            "lines[0][tax_amounts][0][tax_rate_data][jurisdiction_level]",
            Some("planet"),
            "",
            "lines[0][tax_amounts][0][tax_rate_data][jurisdiction_level]",
            Some(
                "Invalid lines[0][tax_amounts][0][tax_rate_data][jurisdiction_level]: must be one of city, country, county, district, multiple, state; got 'planet'.",
            ),
        ),
        (
            "lines[0][tax_amounts][0][taxability_reason]",
            Some("because"),
            "",
            "lines[0][tax_amounts][0][taxability_reason]",
            None,
        ),
        (
            "lines[0][tax_amounts][0][tax_rate_data][rate]",
            Some("10"),
            "parameter_unknown",
            "lines[0][tax_amounts][0][tax_rate_data][rate]",
            None,
        ),
        (
            "lines[0][tax_amounts][0][tax_rate_data]",
            Some(""),
            "parameter_missing",
            "lines[0][tax_amounts][0][tax_rate_data]",
            None,
        ),
    ];
    for (key, value, code, param, message) in cases {
        let mut fields: Vec<(String, String)> = valid
            .iter()
            .filter(|(k, _)| k != key && !(value == Some("") && k.starts_with(&format!("{key}["))))
            .cloned()
            .collect();
        fields.push(("lines[0][amount]".into(), "100".into()));
        if let Some(v) = value {
            fields.push((key.to_owned(), v.to_owned()));
        }
        let r = app.post(&path, &borrowed(&fields)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, code, param);
        if let Some(m) = message {
            assert_eq!(r.body["error"]["message"], m);
        }
    }
    // At most 20 per line.
    let many: Vec<Tax> = (0..21).map(|_| (1, 1, "VAT", false, "1")).collect();
    let r = add_taxed_line(&app, &invoice, 100, &many, &[]).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "", "lines[0][tax_amounts]");
    assert_eq!(
        r.body["error"]["message"],
        "Invalid array: tax_amounts may have at most 20 items."
    );
    let twenty: Vec<Tax> = (0..20).map(|_| (1, 1, "VAT", false, "1")).collect();
    let r = add_taxed_line(&app, &invoice, 100, &twenty, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["tax"], 20);

    // Invoice items have no tax_amounts.
    let customer = app.customer().await;
    let mut fields = vec![
        ("customer".to_owned(), customer),
        ("amount".to_owned(), "100".to_owned()),
        ("currency".to_owned(), "usd".to_owned()),
    ];
    fields.extend(tax_fields("", &[(10, 100, "VAT", false, "10")]));
    let r = app.post("/v1/invoiceitems", &borrowed(&fields)).await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "parameter_unknown",
        "tax_amounts",
    );
}

#[tokio::test]
async fn a_refused_tax_amount_changes_nothing() {
    let app = TestApp::spawn().await;
    let invoice = new_draft(&app).await;
    let before = add_amount_line(&app, &invoice, 100).await;
    let max = i64::MAX.to_string();
    let mut fields = vec![("lines[0][amount]".to_owned(), "1".to_owned())];
    fields.extend(tax_fields("lines[0]", &[(0, 1, "VAT", false, "10")]));
    for (k, v) in &mut fields {
        if k.ends_with("[tax_amounts][0][amount]") {
            v.clone_from(&max);
        }
    }
    let r = app
        .post(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &borrowed(&fields),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "amount_too_large", "");
    let after = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(after, before);
}

#[tokio::test]
async fn tax_rates_the_mock_does_not_have_are_resource_missing_naming_the_element() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let item = pending_item(&app, &customer, 100, "Item").await;
    let inv = add_amount_line(&app, &invoice, 100).await;
    let line = id_of(&inv["lines"]["data"][0]);
    let endive = app.at_version(Some(ENDIVE));
    let cases: Vec<Call> = vec![
        (
            &app,
            "/v1/invoiceitems".to_owned(),
            vec![
                ("customer", &customer),
                ("amount", "1"),
                ("currency", "usd"),
                ("tax_rates[0]", "txr_x"),
            ],
            "tax_rates[0]",
        ),
        (
            &app,
            format!("/v1/invoiceitems/{item}"),
            vec![("tax_rates[0]", "txr_x")],
            "tax_rates[0]",
        ),
        (
            &app,
            format!("/v1/invoices/{invoice}/add_lines"),
            vec![
                ("lines[0][amount]", "1"),
                ("lines[0][tax_rates][0]", "txr_x"),
            ],
            "lines[0][tax_rates][0]",
        ),
        (
            &endive,
            format!("/v1/invoices/{invoice}/update_lines"),
            vec![("lines[0][id]", &line), ("lines[0][tax_rates][0]", "txr_x")],
            "lines[0][tax_rates][0]",
        ),
        (
            &endive,
            format!("/v1/invoices/{invoice}/lines/{line}"),
            vec![("tax_rates[0]", "txr_x")],
            "tax_rates[0]",
        ),
        (
            &endive,
            "/v1/invoices/create_preview".to_owned(),
            vec![
                ("customer", &customer),
                ("invoice_items[0][amount]", "5"),
                ("invoice_items[0][tax_rates][0]", "txr_x"),
            ],
            "invoice_items[0][tax_rates][0]",
        ),
        (
            &endive,
            "/v1/invoices/create_preview".to_owned(),
            vec![
                ("customer", &customer),
                ("invoice_items[0][amount]", "5"),
                ("subscription_details[default_tax_rates][0]", "txr_x"),
            ],
            "subscription_details[default_tax_rates][0]",
        ),
    ];
    for (client, path, form, param) in cases {
        let r = client.post(&path, &form).await;
        assert_error(&r, StatusCode::NOT_FOUND, "resource_missing", param);
        assert_eq!(
            r.body["error"]["message"], "No such tax rate: 'txr_x'",
            "{path}"
        );
    }
    // `""` names no tax rate: accepted.
    let r = app
        .post(&format!("/v1/invoiceitems/{item}"), &[("tax_rates", "")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Nothing changed.
    let inv = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(amounts(&inv)[2], 100);
}

#[tokio::test]
async fn a_tax_rate_made_from_tax_amounts_cannot_be_named_in_tax_rates() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let r = add_taxed_line(&app, &invoice, 100, &[(10, 100, "VAT", false, "10")], &[]).await;
    let rate = tax_rate_id(&r.body["lines"]["data"][0]["tax_amounts"][0]["tax_rate"]);

    let r = app
        .post(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("amount", "1"),
                ("currency", "usd"),
                ("tax_rates[0]", &rate),
            ],
        )
        .await;

    // Stripe: such rates "are immediately archived … and cannot be directly added to
    // invoices, payments, or line items".
    assert_error(&r, StatusCode::BAD_REQUEST, "", "tax_rates[0]");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&rate) && message.contains("archived"),
        "{message}"
    );
    // The same on a line, from basil on.
    let r = app
        .at_version(Some(ENDIVE))
        .post(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[("lines[0][amount]", "1"), ("lines[0][tax_rates][0]", &rate)],
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "", "lines[0][tax_rates][0]");
    let items = app
        .get_ok("/v1/invoiceitems", &[("customer", &customer)])
        .await;
    assert_eq!(
        items["data"].as_array().map(Vec::len),
        Some(1),
        "only the line's item"
    );
}

#[tokio::test]
async fn tax_amounts_with_tax_rates_on_one_line_are_refused_with_stripes_rule() {
    let app = TestApp::spawn().await;
    let invoice = new_draft(&app).await;
    let inv = add_amount_line(&app, &invoice, 100).await;
    let line = id_of(&inv["lines"]["data"][0]);
    for version in [LEGACY, ENDIVE] {
        let client = app.at_version(Some(version));
        let r = add_taxed_line(
            &client,
            &invoice,
            100,
            &[(10, 100, "VAT", false, "10")],
            &[("lines[0][tax_rates][0]", "txr_x")],
        )
        .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "", "lines[0][tax_amounts]");
        assert_eq!(r.body["error"]["message"], WITH_TAX_RATES);

        let mut fields = tax_fields("", &[(10, 100, "VAT", false, "10")]);
        fields.push(("tax_rates[0]".into(), "txr_x".into()));
        let r = client
            .post(
                &format!("/v1/invoices/{invoice}/lines/{line}"),
                &borrowed(&fields),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "", "tax_amounts");
    }
    // Empty tax_rates next to tax_amounts are no conflict.
    let r = add_taxed_line(
        &app,
        &invoice,
        100,
        &[(10, 100, "VAT", false, "10")],
        &[("lines[0][tax_rates]", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn quantity_decimal_is_an_unknown_parameter_before_dahlia() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let price = app.price(100, "usd").await;
    for version in [LEGACY, BASIL, CLOVER] {
        let client = app.at_version(Some(version));
        let price_key = if version == LEGACY {
            "price"
        } else {
            "pricing[price]"
        };
        let r = client
            .post(
                "/v1/invoiceitems",
                &[
                    ("customer", &customer),
                    (price_key, &price),
                    ("quantity_decimal", "1.5"),
                ],
            )
            .await;
        assert_error(
            &r,
            StatusCode::BAD_REQUEST,
            "parameter_unknown",
            "quantity_decimal",
        );
        let r = client
            .post(
                &format!("/v1/invoices/{invoice}/add_lines"),
                &[
                    ("lines[0][amount]", "1"),
                    ("lines[0][quantity_decimal]", "1"),
                ],
            )
            .await;
        assert_error(
            &r,
            StatusCode::BAD_REQUEST,
            "parameter_unknown",
            "lines[0][quantity_decimal]",
        );
    }
}

#[tokio::test]
async fn a_fractional_quantity_is_priced_half_away_from_zero_and_truncated_in_quantity() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let dahlia = app.at_version(Some(DAHLIA));
    let price = app.price(799, "usd").await;

    let item = dahlia
        .post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("pricing[price]", &price),
                ("quantity_decimal", "1.5"),
                ("invoice", &invoice),
            ],
        )
        .await;

    // 799 × 1.5 = 1198.5 → 1199; quantity is the integer part.
    assert_eq!(item["amount"], 1199);
    assert_eq!(item["quantity"], 1);
    assert_eq!(item["quantity_decimal"], "1.5");
    let inv = dahlia.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    let line = &inv["lines"]["data"][0];
    assert_eq!(
        (
            line["amount"].clone(),
            line["quantity"].clone(),
            line["quantity_decimal"].clone()
        ),
        (json!(1199), json!(1), json!("1.5"))
    );
    assert_eq!(inv["total"], 1199);

    // The line update takes it too; an integral value is a plain quantity.
    let line_id = id_of(line);
    let updated = dahlia
        .post_ok(
            &format!("/v1/invoices/{invoice}/lines/{line_id}"),
            &[("quantity_decimal", "2.25")],
        )
        .await;
    // 799 × 2.25 = 1797.75 → 1798.
    assert_eq!(
        (updated["amount"].clone(), updated["quantity"].clone()),
        (json!(1798), json!(2))
    );
    assert_eq!(updated["quantity_decimal"], "2.25");
    let inv = dahlia
        .post_ok(
            &format!("/v1/invoices/{invoice}/update_lines"),
            &[
                ("lines[0][id]", &line_id),
                ("lines[0][quantity_decimal]", "3.000"),
            ],
        )
        .await;
    let line = &inv["lines"]["data"][0];
    assert_eq!(
        (
            line["amount"].clone(),
            line["quantity"].clone(),
            line["quantity_decimal"].clone()
        ),
        (json!(2397), json!(3), json!("3"))
    );

    // Read at the legacy version, a fractional quantity shows its integer part.
    dahlia
        .post_ok(
            &format!("/v1/invoices/{invoice}/lines/{line_id}"),
            &[("quantity_decimal", "0.5")],
        )
        .await;
    let legacy = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    let line = &legacy["lines"]["data"][0];
    assert_eq!(
        (line["amount"].clone(), line["quantity"].clone()),
        (json!(400), json!(0))
    );
    assert_eq!(line["unit_amount_excluding_tax"], "799");
    assert!(line.get("quantity_decimal").is_none());
}

#[tokio::test]
async fn add_lines_and_previews_take_quantity_decimal_from_dahlia_on() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let endive = app.at_version(Some(ENDIVE));
    let price = app.price(1000, "usd").await;

    let inv = endive
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[
                ("lines[0][pricing][price]", &price),
                ("lines[0][quantity_decimal]", "0.333333333333"),
                ("lines[1][price_data][currency]", "usd"),
                ("lines[1][price_data][product_data][name]", "Hours"),
                ("lines[1][price_data][unit_amount]", "3"),
                ("lines[1][quantity_decimal]", "0.5"),
            ],
        )
        .await;

    let lines = &inv["lines"]["data"];
    // 333.333333333 → 333; 1.5 → 2 (half away from zero).
    assert_eq!(lines[0]["amount"], 333);
    assert_eq!(lines[0]["quantity_decimal"], "0.333333333333");
    assert_eq!(lines[1]["amount"], 2);
    assert_eq!(inv["total"], 335);

    let preview = endive
        .post_ok(
            "/v1/invoices/create_preview",
            &[
                ("customer", &customer),
                ("invoice_items[0][price]", &price),
                ("invoice_items[0][quantity_decimal]", "1.25"),
            ],
        )
        .await;
    assert_eq!(preview["lines"]["data"][0]["amount"], 1250);
    assert_eq!(preview["lines"]["data"][0]["quantity_decimal"], "1.25");
}

#[tokio::test]
async fn quantity_decimal_errors() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let endive = app.at_version(Some(ENDIVE));
    let price = app.price(100, "usd").await;
    let cases: Vec<FormCase> = vec![
        (
            vec![("quantity", "2"), ("quantity_decimal", "2")],
            "parameters_exclusive",
            "quantity",
            Some("You may only specify one of these parameters: quantity, quantity_decimal."),
        ),
        (
            vec![("quantity_decimal", "-1")],
            "",
            "quantity_decimal",
            Some("Invalid quantity_decimal: must be greater than or equal to 0."),
        ),
        (
            vec![("quantity_decimal", "one")],
            "",
            "quantity_decimal",
            Some("Invalid decimal: one"),
        ),
        (
            vec![("quantity_decimal", "1.0000000000001")],
            "",
            "quantity_decimal",
            None,
        ),
        (
            vec![("quantity_decimal", "")],
            "parameter_invalid_empty",
            "quantity_decimal",
            None,
        ),
        (
            vec![("quantity_decimal", "99999999999999999999")],
            "",
            "quantity_decimal",
            None,
        ),
    ];
    for (extra, code, param, message) in cases {
        let mut form = vec![
            ("customer", customer.as_str()),
            ("pricing[price]", price.as_str()),
        ];
        form.extend(extra);
        let r = endive.post("/v1/invoiceitems", &form).await;
        assert_error(&r, StatusCode::BAD_REQUEST, code, param);
        if let Some(m) = message {
            assert_eq!(r.body["error"]["message"], m);
        }
    }
    // `amount` is the whole charge: a quantity other than 1 is refused, naming the parameter.
    let r = endive
        .post(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("amount", "100"),
                ("currency", "usd"),
                ("quantity_decimal", "1.5"),
            ],
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "", "quantity_decimal");
    // An amount beyond i64 is amount_too_large, not a panic.
    let big = app.price(99_999_999, "usd").await;
    let r = endive
        .post(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("pricing[price]", &big),
                ("quantity_decimal", "9223372036854775807.5"),
            ],
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "amount_too_large", "");
    let items = app
        .get_ok("/v1/invoiceitems", &[("customer", &customer)])
        .await;
    assert_eq!(items["data"], json!([]));
}

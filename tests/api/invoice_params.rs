//! Parameter errors of the invoicing endpoints: each names the parameter with its full path,
//! with Stripe's code and message, and nothing is changed.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Reply, TestApp, id_of};
use crate::invoice_support::draft;

/// Asserts a 400 with `code` (`""`: none) for `param`, and `message` when given.
fn assert_refused(r: &Reply, code: &str, param: &str, message: Option<&str>) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{param}: {}", r.text);
    assert_eq!(r.code(), code, "{}", r.text);
    assert_eq!(r.body["error"]["param"], param, "{}", r.text);
    if let Some(message) = message {
        assert_eq!(r.body["error"]["message"], message);
    }
}

/// A batch request, the code and parameter of its refusal, and its message when pinned.
type Refusal<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    &'a str,
    &'a str,
    Option<&'a str>,
);

/// Sends each request to `/v1/invoices/{invoice}/{endpoint}` and checks its refusal.
async fn assert_batches_refused(app: &TestApp, invoice: &str, cases: Vec<Refusal<'_>>) {
    for (endpoint, form, code, param, message) in cases {
        let r = app
            .post(&format!("/v1/invoices/{invoice}/{endpoint}"), &form)
            .await;
        assert_refused(&r, code, param, message);
    }
}

#[tokio::test]
async fn line_entries_are_checked_with_their_full_paths() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let cases: Vec<Refusal> = vec![
        (
            "add_lines",
            vec![
                ("lines[0][amount]", "1"),
                ("lines[1][amount]", "2"),
                ("lines[1][bogus]", "x"),
            ],
            "parameter_unknown",
            "lines[1][bogus]",
            None,
        ),
        (
            "add_lines",
            vec![
                ("lines[0][price_data][currency]", "usd"),
                ("lines[0][price_data][product_data][name]", "Plan"),
                ("lines[0][price_data][unit_amount]", "100"),
                ("lines[0][price_data][recurring][interval]", "month"),
            ],
            "parameter_unknown",
            "lines[0][price_data][recurring]",
            None,
        ),
        (
            "add_lines",
            vec![
                ("lines[0][amount]", "1"),
                ("lines[0][tax_rates][0]", "txr_1"),
                ("lines[0][tax_amounts][0][amount]", "1"),
                ("lines[0][tax_amounts][0][taxable_amount]", "1"),
                (
                    "lines[0][tax_amounts][0][tax_rate_data][display_name]",
                    "VAT",
                ),
                (
                    "lines[0][tax_amounts][0][tax_rate_data][inclusive]",
                    "false",
                ),
                ("lines[0][tax_amounts][0][tax_rate_data][percentage]", "10"),
            ],
            "",
            "lines[0][tax_amounts]",
            Some(
                "You cannot set tax amounts if any line item has tax_rates or if the invoice has default_tax_rates or uses automatic tax.",
            ),
        ),
        (
            "add_lines",
            vec![("lines[0][amount]", "1"), ("lines[0][quantity]", "-1")],
            "parameter_invalid_integer",
            "lines[0][quantity]",
            Some("Invalid quantity: must be greater than or equal to 0."),
        ),
        (
            "update_lines",
            vec![
                ("lines[0][id]", "il_x"),
                ("lines[0][period][start]", "10"),
                ("lines[0][period][end]", "5"),
            ],
            "",
            "lines[0][period][end]",
            Some("Invalid period: end must be at or after start."),
        ),
        (
            "remove_lines",
            vec![("lines[0][id]", "il_x"), ("lines[0][behavior]", "shred")],
            "",
            "lines[0][behavior]",
            Some("Invalid lines[0][behavior]: must be one of delete, unassign; got 'shred'."),
        ),
        (
            "remove_lines",
            vec![("lines[0][id]", "il_x"), ("lines[0][behavior]", "")],
            "parameter_missing",
            "lines[0][behavior]",
            None,
        ),
    ];
    assert_batches_refused(&app, &invoice, cases).await;
    let after = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(after["lines"]["data"], json!([]), "nothing was added");
}

#[tokio::test]
async fn a_batch_takes_at_most_250_lines_and_at_least_one() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let keys: Vec<String> = (0..251).map(|i| format!("lines[{i}][amount]")).collect();
    let form: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "1")).collect();
    let too_many = "Invalid array: lines may have at most 250 items.";
    let cases: Vec<Refusal> = vec![
        ("add_lines", form.clone(), "", "lines", Some(too_many)),
        (
            "update_lines",
            vec![("lines", "")],
            "parameter_invalid_empty",
            "lines",
            None,
        ),
        (
            "remove_lines",
            vec![("invoice_metadata[a]", "b")],
            "parameter_missing",
            "lines",
            None,
        ),
    ];
    assert_batches_refused(&app, &invoice, cases).await;
    let ok = app
        .post_ok(&format!("/v1/invoices/{invoice}/add_lines"), &form[..250])
        .await;
    assert_eq!(ok["total"], 250, "the limit itself is accepted");
}

#[tokio::test]
async fn invoice_and_item_parameters_keep_their_checks() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let status =
        "Invalid status: must be one of draft, open, paid, uncollectible, void; got 'closed'.";
    let cases: Vec<Refusal> = vec![
        (
            "/v1/invoices",
            vec![("status", "closed")],
            "",
            "status",
            Some(status),
        ),
        (
            "/v1/invoices",
            vec![("customer", &customer), ("days_until_due", "36501")],
            "parameter_invalid_integer",
            "days_until_due",
            Some("Invalid days_until_due: must be between 0 and 36500."),
        ),
        (
            "/v1/invoiceitems",
            vec![("customer", &customer), ("amount", "1"), ("currency", "")],
            "parameter_invalid_empty",
            "currency",
            None,
        ),
        (
            "/v1/invoiceitems",
            vec![
                ("customer", &customer),
                ("amount", "1"),
                ("price", "price_x"),
            ],
            "parameters_exclusive",
            "amount",
            Some("You may only specify one of these parameters: amount, price."),
        ),
        (
            "/v1/invoiceitems",
            vec![("customer", &customer), ("unit_amount_decimal", "1.5")],
            "",
            "unit_amount_decimal",
            None,
        ),
        (
            "/v1/invoiceitems",
            vec![
                ("customer", &customer),
                ("discounts[0][promotion_code]", "promo_1"),
            ],
            "",
            "discounts[0][promotion_code]",
            None,
        ),
        (
            "/v1/invoices/in_nope/pay",
            vec![("paid_out_of_band", "maybe")],
            "",
            "paid_out_of_band",
            None,
        ),
    ];
    for (path, form, code, param, message) in cases {
        // The list's filter is a query; everything else a form.
        let r = match form.first() {
            Some(("status", _)) => app.get(path, &form).await,
            _ => app.post(path, &form).await,
        };
        assert_refused(&r, code, param, message);
    }
    let items = app
        .get_ok("/v1/invoiceitems", &[("customer", &customer)])
        .await;
    let invoices = app.get_ok("/v1/invoices", &[("customer", &customer)]).await;
    assert_eq!(
        (&items["data"], &invoices["data"]),
        (&json!([]), &json!([]))
    );
}

#[tokio::test]
async fn preview_parameters_name_nested_subscription_items() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let plan = app.recurring_price(1000, "usd").await;
    let preview = |extra: Vec<(&'static str, String)>| {
        let mut query = vec![("customer", customer.clone())];
        query.extend(extra);
        query
    };
    let cases = [
        (
            preview(vec![
                ("subscription_details[items][0][price]", plan.clone()),
                ("subscription_details[items][0][quantity]", "-1".into()),
            ]),
            "parameter_invalid_integer",
            "subscription_details[items][0][quantity]",
        ),
        (
            preview(vec![
                ("subscription_details[items][0][price]", plan.clone()),
                ("subscription_details[items][0][plan]", plan.clone()),
            ]),
            "parameters_exclusive",
            "subscription_details[items][0][price]",
        ),
        (
            preview(vec![(
                "subscription_details[items][0][price_data][currency]",
                "usd".into(),
            )]),
            "parameter_missing",
            "subscription_details[items][0][price_data][product]",
        ),
        (
            preview(vec![("automatic_tax[enabled]", "true".into())]),
            "",
            "automatic_tax[enabled]",
        ),
        (
            preview(vec![("subscription_details[cancel_at]", "1".into())]),
            "",
            "subscription_details[cancel_at]",
        ),
        (
            preview(vec![
                ("coupon", "C".into()),
                ("discounts[0][coupon]", "C".into()),
            ]),
            "parameters_exclusive",
            "coupon",
        ),
        (
            preview(vec![("invoice_items[0][currency]", "dollars".into())]),
            "",
            "invoice_items[0][currency]",
        ),
    ];
    for (query, code, param) in cases {
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.get("/v1/invoices/upcoming/lines", &query).await;
        assert_refused(&r, code, param, None);
        let r = app.post("/v1/invoices/create_preview", &query).await;
        assert_refused(&r, code, param, None);
    }
}

#[tokio::test]
async fn invoice_fixtures_name_the_path_of_their_lines() {
    let app = TestApp::spawn().await;
    let load = |doc: serde_json::Value| {
        app.raw(
            app.client
                .post(format!("{}/_mock/fixtures?api_key={}", app.base, app.key))
                .json(&doc),
        )
    };
    let customer = json!([{"id": "cus_fx"}]);
    let cases = [
        (
            json!({"customers": customer, "invoices": [{"customer": "cus_fx", "lines": ""}]}),
            "invoices[0][lines]",
        ),
        (
            json!({"customers": customer, "invoices": [
                {"customer": "cus_fx", "lines": [{"amount": 1}, {"amount": 2, "bogus": 1}]}
            ]}),
            "invoices[0][lines][1][bogus]",
        ),
        (
            json!({"customers": customer, "invoices": [{"customer": "cus_fx", "status": "closed"}]}),
            "invoices[0][status]",
        ),
        (
            json!({"customers": customer, "invoice_items": [
                {"customer": "cus_fx", "amount": 1, "period": {"start": 2, "end": 1}}
            ]}),
            "invoice_items[0][period][end]",
        ),
    ];
    for (doc, param) in cases {
        let r = load(doc.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{doc}: {}", r.text);
        assert_eq!(r.code(), "fixture_invalid");
        assert_eq!(r.body["error"]["param"], param, "{doc}");
    }
    assert_eq!(
        app.get("/v1/customers/cus_fx", &[]).await.status,
        StatusCode::NOT_FOUND,
        "nothing half-loaded"
    );
}

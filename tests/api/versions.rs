//! API versions over HTTP: which version a request gets, Stripe's error for an unknown one,
//! and the shapes and parameters of v1 invoices, line items and invoice items per version.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{LEGACY, TestApp, id_of};

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// A draft with one line priced by a catalog price (quantity 2), created at `version`; the
/// invoice, its line and the line's invoice item as `version` renders them.
async fn invoice_at(app: &TestApp, version: &'static str) -> (Value, Value, Value) {
    let app = app.at_version(Some(version));
    let customer = app.customer().await;
    let price = app.price(700, "usd").await;
    let invoice = id_of(
        &app.post_ok("/v1/invoices", &[("customer", &customer)])
            .await,
    );
    let price_param = if version.as_bytes() >= b"2025-03-31".as_slice() {
        "lines[0][pricing][price]"
    } else {
        "lines[0][price]"
    };
    let added = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[(price_param, &price), ("lines[0][quantity]", "2")],
        )
        .await;
    let line = added["lines"]["data"][0].clone();
    let item_id = line["invoice_item"]
        .as_str()
        .or(line["parent"]["invoice_item_details"]["invoice_item"].as_str())
        .expect("the line's invoice item")
        .to_owned();
    let item = app
        .get_ok(&format!("/v1/invoiceitems/{item_id}"), &[])
        .await;
    (added, line, item)
}

#[tokio::test]
async fn shapes_follow_the_version_table() {
    let app = TestApp::spawn().await;
    // (version, legacy, subtotal on lines, quantity_decimal, customer_account)
    let table = [
        ("2023-10-16", true, false, false, false),
        ("2024-09-30.acacia", true, false, false, false),
        ("2025-02-24.acacia", true, false, false, false),
        ("2025-03-31.basil", false, false, false, false),
        ("2025-09-30.clover", false, false, false, false),
        ("2025-11-17.clover", false, false, false, false),
        ("2025-12-15.clover", false, true, false, true),
        ("2026-03-25.dahlia", false, true, true, true),
        ("2026-09-30.endive", false, true, true, true),
        ("2026-10-28.endive", false, true, true, true),
        ("2026-10-14.preview", false, true, true, true),
    ];
    let mut legacy_shapes = BTreeSet::new();
    for (version, legacy, subtotal, decimal, account) in table {
        let (invoice, line, item) = invoice_at(&app, version).await;
        let has = |v: &Value, k: &str| v.as_object().is_some_and(|o| o.contains_key(k));
        if legacy {
            legacy_shapes.insert((keys(&invoice).len(), keys(&line).len(), keys(&item).len()));
            for k in [
                "paid",
                "charge",
                "payment_intent",
                "subscription",
                "discount",
                "tax",
            ] {
                assert!(has(&invoice, k), "{version}: invoice.{k}");
            }
            assert_eq!(line["type"], "invoiceitem", "{version}");
            assert_eq!(line["price"]["unit_amount"], 700, "{version}");
            assert_eq!(item["price"]["object"], "price", "{version}");
            assert!(
                !has(&line, "parent") && !has(&invoice, "total_taxes"),
                "{version}"
            );
            continue;
        }
        for k in [
            "paid",
            "charge",
            "payment_intent",
            "subscription",
            "discount",
            "tax",
        ] {
            assert!(
                !has(&invoice, k),
                "{version}: invoice.{k} was removed in basil"
            );
        }
        for k in [
            "price",
            "type",
            "proration",
            "invoice_item",
            "tax_amounts",
            "tax_rates",
        ] {
            assert!(!has(&line, k), "{version}: line.{k} was removed in basil");
        }
        for k in [
            "price",
            "unit_amount",
            "unit_amount_decimal",
            "subscription",
        ] {
            assert!(
                !has(&item, k),
                "{version}: invoiceitem.{k} was removed in basil"
            );
        }
        assert_eq!(invoice["parent"], Value::Null, "{version}");
        assert_eq!(invoice["total_taxes"], serde_json::json!([]), "{version}");
        assert_eq!(invoice["amount_overpaid"], 0, "{version}");
        assert_eq!(invoice["payments"]["object"], "list", "{version}");
        let price = &line["pricing"]["price_details"]["price"];
        assert!(
            price.as_str().is_some_and(|p| p.starts_with("price_")),
            "{version}"
        );
        assert_eq!(line["pricing"]["unit_amount_decimal"], "700", "{version}");
        assert_eq!(line["parent"]["type"], "invoice_item_details", "{version}");
        assert_eq!(
            line["parent"]["invoice_item_details"]["invoice_item"],
            item["id"]
        );
        assert_eq!(line["invoice"], invoice["id"], "{version}");
        assert_eq!(line["taxes"], serde_json::json!([]), "{version}");
        assert_eq!(
            item["pricing"]["price_details"]["price"], *price,
            "{version}"
        );
        assert_eq!(item["parent"], Value::Null, "{version}");
        assert_eq!(has(&line, "subtotal"), subtotal, "{version}: line.subtotal");
        if subtotal {
            assert_eq!(line["subtotal"], 1400, "{version}");
        }
        assert_eq!(has(&line, "quantity_decimal"), decimal, "{version}");
        assert_eq!(has(&item, "quantity_decimal"), decimal, "{version}");
        if decimal {
            assert_eq!(line["quantity_decimal"], "2", "{version}");
        }
        assert_eq!(has(&invoice, "customer_account"), account, "{version}");
        assert_eq!(has(&item, "customer_account"), account, "{version}");
    }
    // Every pre-basil version renders the one legacy shape.
    assert_eq!(legacy_shapes.len(), 1, "{legacy_shapes:?}");
}

#[tokio::test]
async fn price_is_spelled_per_version() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let price = app.price(500, "usd").await;
    let create = |version: &'static str, param: &'static str| {
        let app = app.at_version(Some(version));
        let customer = customer.clone();
        let price = price.clone();
        async move {
            app.post(
                "/v1/invoiceitems",
                &[("customer", customer.as_str()), (param, price.as_str())],
            )
            .await
        }
    };
    let cases = [
        ("2025-02-24.acacia", "price", StatusCode::OK),
        (
            "2025-02-24.acacia",
            "pricing[price]",
            StatusCode::BAD_REQUEST,
        ),
        ("2025-03-31.basil", "pricing[price]", StatusCode::OK),
        ("2025-03-31.basil", "price", StatusCode::BAD_REQUEST),
        ("2026-10-28.endive", "price", StatusCode::BAD_REQUEST),
    ];
    for (version, param, status) in cases {
        let r = create(version, param).await;
        assert_eq!(r.status, status, "{version} {param}: {}", r.text);
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(r.code(), "parameter_unknown", "{}", r.text);
            let sent = param.split('[').next().unwrap_or(param);
            assert_eq!(r.body["error"]["param"], sent, "{}", r.text);
        }
    }
}

#[tokio::test]
async fn upcoming_is_removed_from_basil_on_and_previews_need_an_input() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    crate::invoice_support::pending_item(&app, &customer, 300, "Pending").await;
    let query = [("customer", customer.as_str())];
    let acacia = app.at_version(Some("2025-02-24.acacia"));
    assert_eq!(
        acacia.get_ok("/v1/invoices/upcoming", &query).await["amount_due"],
        300
    );
    let lines = acacia.get_ok("/v1/invoices/upcoming/lines", &query).await;
    assert_eq!(lines["data"][0]["amount"], 300);
    let preview = acacia.post_ok("/v1/invoices/create_preview", &query).await;
    assert_eq!(preview["amount_due"], 300);

    let basil = app.at_version(Some("2025-03-31.basil"));
    for path in ["/v1/invoices/upcoming", "/v1/invoices/upcoming/lines"] {
        let r = basil.get(path, &query).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        assert_eq!(r.code(), "resource_missing");
        assert_eq!(r.body["error"]["message"], "No such invoice: 'upcoming'");
    }
    let r = basil.post("/v1/invoices/create_preview", &query).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        r.body["error"]["message"],
        "You must provide at least one of: `subscription`, `schedule`, `subscription_details.items`, `schedule_details.phases`, `invoice_items`."
    );
    // With an input, the preview has it and the customer's pending items.
    let preview = basil
        .post_ok(
            "/v1/invoices/create_preview",
            &[
                ("customer", customer.as_str()),
                ("invoice_items[0][amount]", "50"),
                ("invoice_items[0][currency]", "usd"),
            ],
        )
        .await;
    assert_eq!(preview["amount_due"], 350, "{preview}");
    assert!(
        preview["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("upcoming_in")),
        "{preview}"
    );
}

#[tokio::test]
async fn the_version_is_the_requests_else_the_accounts_else_the_newest() {
    let server = TestApp::spawn().await;
    let app = server.at_version(None);
    let version_of = |r: &crate::helpers::Reply| r.header("stripe-version").map(str::to_owned);
    let r = app.get("/v1/customers", &[]).await;
    assert_eq!(version_of(&r).as_deref(), Some("2026-10-28.endive"));
    let r = app.at_version(Some(LEGACY)).get("/v1/customers", &[]).await;
    assert_eq!(version_of(&r).as_deref(), Some(LEGACY));

    // Unknown, malformed, or a release that does not match its date: Stripe's 400.
    for bad in [
        "2019-2-19",
        "2025-09-30.acacia",
        "2030-01-01.endive",
        "latest",
    ] {
        let r = app
            .raw(
                app.client
                    .get(format!("{}/v1/customers", app.base))
                    .bearer_auth(&app.key)
                    .header("stripe-version", bad),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            r.body["error"]["message"],
            format!("Invalid Stripe API version: {bad}")
        );
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }

    // The account's default, through the control plane.
    let url = format!("{}/_mock/api_version?api_key={}", app.base, app.key);
    let set = app
        .client
        .post(&url)
        .json(&serde_json::json!({"api_version": "2024-09-30.acacia"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(set.status(), StatusCode::OK);
    let shown: Value = set.json().await.expect("json");
    assert_eq!(shown["api_version"], "2024-09-30.acacia");
    // /v2 paths exist only in preview versions: a GA default leaves them the preview one.
    assert_eq!(shown["v2_api_version"], "2026-10-14.preview");
    let r = app.get("/v1/customers", &[]).await;
    assert_eq!(version_of(&r).as_deref(), Some("2024-09-30.acacia"));
    let other = app.other_account().get("/v1/customers", &[]).await;
    assert_eq!(version_of(&other).as_deref(), Some("2026-10-28.endive"));
    let bad = app
        .client
        .post(&url)
        .json(&serde_json::json!({"api_version": "2024-13-01"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // Resetting the account forgets its default.
    let reset = app
        .client
        .post(format!("{}/_mock/reset?api_key={}", app.base, app.key))
        .send()
        .await
        .expect("sent");
    assert_eq!(reset.status(), StatusCode::OK);
    let r = app.get("/v1/customers", &[]).await;
    assert_eq!(version_of(&r).as_deref(), Some("2026-10-28.endive"));
}

/// The legacy golden bodies hold at every version before basil, `2023-10-16` and
/// `2024-09-30.acacia` among them; at basil they do not.
#[tokio::test]
async fn legacy_golden_bodies_hold_before_basil() {
    use crate::invoice_support::{
        ADD_LINES, INVOICE_ITEM, UPCOMING_LINES, assert_same_shape, golden, priced_item,
    };
    let server = TestApp::spawn().await;
    for version in ["2023-10-16", "2024-09-30.acacia", "2025-02-24.acacia"] {
        let app = server.at_version(Some(version));
        let customer = app.customer().await;
        let coffee = priced_item(&app, &customer, 199, "Canned Coffee").await;
        let item = app.get_ok(&format!("/v1/invoiceitems/{coffee}"), &[]).await;
        assert_same_shape(&item, &golden(INVOICE_ITEM));
        let upcoming = app
            .get_ok("/v1/invoices/upcoming/lines", &[("customer", &customer)])
            .await;
        assert_same_shape(&upcoming, &golden(UPCOMING_LINES));
        let invoice = id_of(
            &app.post_ok("/v1/invoices", &[("customer", &customer)])
                .await,
        );
        let added = app
            .post_ok(
                &format!("/v1/invoices/{invoice}/add_lines"),
                &[
                    ("lines[0][description]", "test description"),
                    ("lines[0][amount]", "799"),
                    ("lines[1][invoice_item]", &coffee),
                ],
            )
            .await;
        assert_same_shape(&added, &golden(ADD_LINES));
    }
    let basil = server.at_version(Some("2025-03-31.basil"));
    let customer = basil.customer().await;
    let invoice = basil
        .post_ok("/v1/invoices", &[("customer", &customer)])
        .await;
    let golden_keys = golden(ADD_LINES);
    assert_ne!(keys(&invoice), keys(&golden_keys));
}

#[tokio::test]
async fn products_have_a_type_from_basil_on() {
    let app = TestApp::spawn().await;
    let good = id_of(
        &app.post_ok("/v1/products", &[("name", "Mug"), ("type", "good")])
            .await,
    );
    let service = id_of(&app.post_ok("/v1/products", &[("name", "Plan")]).await);
    let basil = app.at_version(Some("2025-03-31.basil"));
    let g = basil.get_ok(&format!("/v1/products/{good}"), &[]).await;
    let s = basil.get_ok(&format!("/v1/products/{service}"), &[]).await;
    assert_eq!(
        (g["type"].as_str(), s["type"].as_str()),
        (Some("good"), Some("service"))
    );
    assert_eq!(g["marketing_features"], serde_json::json!([]));
    let legacy = app.get_ok(&format!("/v1/products/{good}"), &[]).await;
    assert!(legacy.get("type").is_none() && legacy.get("marketing_features").is_none());
    assert_eq!(legacy["features"], serde_json::json!([]));
}

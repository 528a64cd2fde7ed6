//! add_lines / remove_lines / update_lines / lines over HTTP: the seed requests, totals as a
//! client sees them, all-or-nothing validation, cursors and concurrency.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, id_of};
use crate::invoice_support::{
    ADD_LINES, REMOVE_LINES, UPDATE_LINES, add_amount_line, amounts, assert_same_shape, draft,
    golden, ids, pending_item, priced_item,
};

/// The seed's starting point: a customer with a 199 "Canned Coffee" pending item on a one-time
/// price, and an empty draft. Returns (customer, invoice id, pending item id).
async fn seed_state(app: &TestApp) -> (String, String, String) {
    let customer = app.customer().await;
    let coffee = priced_item(app, &customer, 199, "Canned Coffee").await;
    let invoice = id_of(&draft(app, &customer).await);
    (customer, invoice, coffee)
}

/// The seed's add_lines request.
async fn seed_add_lines(app: &TestApp, invoice: &str, coffee: &str) -> Value {
    app.post_ok(
        &format!("/v1/invoices/{invoice}/add_lines"),
        &[
            ("lines[0][description]", "test description"),
            ("lines[0][amount]", "799"),
            ("lines[1][invoice_item]", coffee),
        ],
    )
    .await
}

#[tokio::test]
async fn the_seed_add_lines_request_returns_the_documented_invoice_with_998_everywhere() {
    let app = TestApp::spawn().await;
    let (customer, invoice, coffee) = seed_state(&app).await;

    let body = seed_add_lines(&app, &invoice, &coffee).await;

    assert_same_shape(&body, &golden(ADD_LINES));
    assert_eq!(body["id"], invoice.as_str());
    assert_eq!(body["customer"], customer.as_str());
    assert_eq!(body["status"], "draft");
    assert_eq!(body["billing_reason"], "manual");
    assert_eq!(body["customer_email"], "test@test.com");
    assert_eq!(amounts(&body), [998, 998, 998, 998, 998, 0, 998]);
    assert_eq!(body["tax"], Value::Null);
    assert_eq!(body["starting_balance"], 0);
    assert_eq!(body["lines"]["has_more"], false);
    assert_eq!(
        body["lines"]["url"],
        format!("/v1/invoices/{invoice}/lines").as_str()
    );
    let lines = body["lines"]["data"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    // The new line first, then the re-assigned pending item, as in the example.
    let new = &lines[0];
    assert_eq!(new["amount"], 799);
    assert_eq!(new["amount_excluding_tax"], 799);
    assert_eq!(new["unit_amount_excluding_tax"], "799");
    assert_eq!(new["description"], "test description");
    assert_eq!(new["type"], "invoiceitem");
    assert_eq!(new["price"]["unit_amount"], 799);
    assert_eq!(new["price"]["type"], "one_time");
    assert!(
        new["price"]["product"]
            .as_str()
            .unwrap()
            .starts_with("prod_")
    );
    assert_eq!(new["period"]["start"], new["period"]["end"]);
    let new_item = new["invoice_item"].as_str().expect("invoice item");
    assert!(new_item.starts_with("ii_") && new_item != coffee);
    let old = &lines[1];
    assert_eq!(old["amount"], 199);
    assert_eq!(old["description"], "Canned Coffee");
    assert_eq!(old["invoice_item"], coffee.as_str());
    // Real-invoice line ids are fresh `il_` ids, not mirrors of the item id.
    for line in lines {
        let id = line["id"].as_str().expect("id");
        assert!(id.starts_with("il_") && !id.starts_with("il_tmp_"), "{id}");
    }
    // Both items now belong to the invoice.
    for item in [new_item, coffee.as_str()] {
        let it = app.get_ok(&format!("/v1/invoiceitems/{item}"), &[]).await;
        assert_eq!(it["invoice"], invoice.as_str());
    }
}

#[tokio::test]
async fn the_seed_remove_lines_request_deletes_one_item_and_unassigns_the_other() {
    let app = TestApp::spawn().await;
    let (_customer, invoice, coffee) = seed_state(&app).await;
    let added = seed_add_lines(&app, &invoice, &coffee).await;
    let line_ids = ids(&added["lines"]);
    let new_item = added["lines"]["data"][0]["invoice_item"]
        .as_str()
        .expect("item")
        .to_owned();

    let body = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/remove_lines"),
            &[
                ("lines[0][id]", &line_ids[0]),
                ("lines[0][behavior]", "delete"),
                ("lines[1][id]", &line_ids[1]),
                ("lines[1][behavior]", "unassign"),
            ],
        )
        .await;

    // The documented example still shows both lines (a copy of add_lines); the real result has
    // none, with the same shape.
    assert_same_shape(&body, &golden(REMOVE_LINES));
    assert_eq!(body["lines"]["data"], serde_json::json!([]));
    assert_eq!(amounts(&body), [0; 7]);
    let deleted = app.get(&format!("/v1/invoiceitems/{new_item}"), &[]).await;
    assert_eq!(deleted.status, StatusCode::NOT_FOUND);
    assert_eq!(deleted.code(), "resource_missing");
    let unassigned = app.get_ok(&format!("/v1/invoiceitems/{coffee}"), &[]).await;
    assert_eq!(unassigned["invoice"], Value::Null);
}

#[tokio::test]
async fn the_seed_update_lines_request_changes_the_line_and_its_invoice_item() {
    let app = TestApp::spawn().await;
    let (_customer, invoice, coffee) = seed_state(&app).await;
    let added = seed_add_lines(&app, &invoice, &coffee).await;
    let coffee_line = ids(&added["lines"])[1].clone();

    let body = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/update_lines"),
            &[
                ("lines[0][id]", &coffee_line),
                ("lines[0][description]", "test description"),
            ],
        )
        .await;

    assert_same_shape(&body, &golden(UPDATE_LINES));
    assert_eq!(body["lines"]["data"][1]["id"], coffee_line.as_str());
    assert_eq!(body["lines"]["data"][1]["description"], "test description");
    assert_eq!(amounts(&body), [998, 998, 998, 998, 998, 0, 998]);
    let item = app.get_ok(&format!("/v1/invoiceitems/{coffee}"), &[]).await;
    assert_eq!(item["description"], "test description");
}

#[tokio::test]
async fn an_unassigned_item_reappears_in_upcoming_lines_and_can_be_added_again() {
    let app = TestApp::spawn().await;
    let (customer, invoice, coffee) = seed_state(&app).await;
    let added = add_line_for_item(&app, &invoice, &coffee).await;
    let line = ids(&added["lines"])[0].clone();
    let none = app
        .get("/v1/invoices/upcoming/lines", &[("customer", &customer)])
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(none.code(), "invoice_upcoming_none");

    app.post_ok(
        &format!("/v1/invoices/{invoice}/remove_lines"),
        &[("lines[0][id]", &line), ("lines[0][behavior]", "unassign")],
    )
    .await;

    let upcoming = app
        .get_ok("/v1/invoices/upcoming/lines", &[("customer", &customer)])
        .await;
    let suffix = coffee.trim_start_matches("ii_");
    assert_eq!(ids(&upcoming), vec![format!("il_tmp_{suffix}")]);
    assert_eq!(upcoming["data"][0]["invoice_item"], coffee.as_str());

    let again = add_line_for_item(&app, &invoice, &coffee).await;
    assert_eq!(again["lines"]["data"][0]["invoice_item"], coffee.as_str());
    assert_ne!(
        ids(&again["lines"])[0],
        line,
        "a re-added item gets a new line id"
    );
    assert_eq!(again["total"], 199);
}

async fn add_line_for_item(app: &TestApp, invoice: &str, item: &str) -> Value {
    app.post_ok(
        &format!("/v1/invoices/{invoice}/add_lines"),
        &[("lines[0][invoice_item]", item)],
    )
    .await
}

#[tokio::test]
async fn removing_the_only_line_zeroes_the_total() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let added = add_amount_line(&app, &invoice, 1234).await;
    assert_eq!(added["total"], 1234);

    let body = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/remove_lines"),
            &[
                ("lines[0][id]", &ids(&added["lines"])[0]),
                ("lines[0][behavior]", "delete"),
            ],
        )
        .await;

    assert_eq!(amounts(&body), [0; 7]);
    assert_eq!(body["lines"]["data"], serde_json::json!([]));
}

#[tokio::test]
async fn invoiceitem_line_metadata_merges_and_an_empty_value_removes_a_key() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let added = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[
                ("lines[0][amount]", "500"),
                ("lines[0][metadata][a]", "1"),
                ("lines[0][metadata][b]", "2"),
            ],
        )
        .await;
    let line = ids(&added["lines"])[0].clone();
    let item = added["lines"]["data"][0]["invoice_item"]
        .as_str()
        .expect("item")
        .to_owned();
    let path = format!("/v1/invoices/{invoice}/update_lines");

    let merged = app
        .post_ok(
            &path,
            &[
                ("lines[0][id]", &line),
                ("lines[0][metadata][b]", ""),
                ("lines[0][metadata][c]", "3"),
                ("invoice_metadata[order]", "42"),
            ],
        )
        .await;

    assert_eq!(
        merged["lines"]["data"][0]["metadata"],
        serde_json::json!({"a": "1", "c": "3"})
    );
    assert_eq!(merged["metadata"], serde_json::json!({"order": "42"}));
    let stored = app.get_ok(&format!("/v1/invoiceitems/{item}"), &[]).await;
    assert_eq!(stored["metadata"], serde_json::json!({"a": "1", "c": "3"}));

    let cleared = app
        .post_ok(
            &path,
            &[("lines[0][id]", &line), ("lines[0][metadata]", "")],
        )
        .await;
    assert_eq!(
        cleared["lines"]["data"][0]["metadata"],
        serde_json::json!({})
    );
}

#[tokio::test]
async fn updating_quantity_price_and_amount_recomputes_the_line_and_the_totals() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let price = app.price(250, "usd").await;
    let added = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[("lines[0][price]", &price), ("lines[0][quantity]", "2")],
        )
        .await;
    assert_eq!(added["total"], 500);
    let line = ids(&added["lines"])[0].clone();
    let path = format!("/v1/invoices/{invoice}/update_lines");

    let more = app
        .post_ok(
            &path,
            &[("lines[0][id]", &line), ("lines[0][quantity]", "3")],
        )
        .await;
    assert_eq!(more["lines"]["data"][0]["amount"], 750);
    assert_eq!(more["lines"]["data"][0]["quantity"], 3);
    assert_eq!(more["total"], 750);

    let by_amount = app
        .post_ok(
            &path,
            &[("lines[0][id]", &line), ("lines[0][amount]", "100")],
        )
        .await;
    let l = &by_amount["lines"]["data"][0];
    assert_eq!(
        (l["amount"].as_i64(), l["quantity"].as_i64()),
        (Some(100), Some(1))
    );
    assert_eq!(l["price"]["unit_amount"], 100);
    assert_eq!(by_amount["amount_due"], 100);
}

#[tokio::test]
async fn the_single_line_endpoint_returns_the_line_and_updates_its_item() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let added = add_amount_line(&app, &invoice, 300).await;
    let line = ids(&added["lines"])[0].clone();

    let body = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/lines/{line}"),
            &[("description", "Consulting"), ("metadata[k]", "v")],
        )
        .await;

    assert_eq!(body["object"], "line_item");
    assert_eq!(body["id"], line.as_str());
    assert_eq!(body["description"], "Consulting");
    let item = app
        .get_ok(
            &format!(
                "/v1/invoiceitems/{}",
                body["invoice_item"].as_str().unwrap()
            ),
            &[],
        )
        .await;
    assert_eq!(item["description"], "Consulting");
    assert_eq!(item["metadata"]["k"], "v");
    let missing = app
        .post(&format!("/v1/invoices/{invoice}/lines/il_nope"), &[])
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "resource_missing");
}

#[tokio::test]
async fn add_lines_is_all_or_nothing() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let path = format!("/v1/invoices/{invoice}/add_lines");

    let unknown_item = app
        .post(
            &path,
            &[
                ("lines[0][amount]", "100"),
                ("lines[1][invoice_item]", "ii_doesnotexist"),
            ],
        )
        .await;
    let unknown_coupon = app
        .post(
            &path,
            &[
                ("lines[0][amount]", "100"),
                ("lines[1][amount]", "200"),
                ("lines[1][discounts][0][coupon]", "NOPE"),
            ],
        )
        .await;
    let no_price = app
        .post(
            &path,
            &[("lines[0][amount]", "100"), ("lines[1][description]", "x")],
        )
        .await;

    assert_eq!(unknown_item.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_item.code(), "resource_missing");
    assert_eq!(
        unknown_item.body["error"]["param"],
        "lines[1][invoice_item]"
    );
    assert_eq!(unknown_coupon.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown_coupon.body["error"]["param"],
        "lines[1][discounts][0][coupon]"
    );
    assert_eq!(no_price.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_price.body["error"]["param"], "lines[1][amount]");
    // Nothing happened: no line on the invoice, no invoice item for the customer.
    let after = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(after["lines"]["data"], serde_json::json!([]));
    let items = app
        .get_ok("/v1/invoiceitems", &[("customer", &customer)])
        .await;
    assert_eq!(items["data"], serde_json::json!([]));
}

#[tokio::test]
async fn add_lines_refuses_items_of_another_customer_currency_or_invoice() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let other = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let theirs = pending_item(&app, &other, 100, "theirs").await;
    let euros = id_of(
        &app.post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("amount", "100"),
                ("currency", "eur"),
            ],
        )
        .await,
    );
    let elsewhere = pending_item(&app, &customer, 100, "elsewhere").await;
    let second = id_of(&draft(&app, &customer).await);
    add_line_for_item(&app, &second, &elsewhere).await;

    for item in [&theirs, &euros, &elsewhere] {
        let r = app
            .post(
                &format!("/v1/invoices/{invoice}/add_lines"),
                &[("lines[0][invoice_item]", item)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{item}: {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
        assert_eq!(r.body["error"]["param"], "lines[0][invoice_item]");
    }
}

#[tokio::test]
async fn unknown_line_ids_are_resource_missing_naming_the_entry() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let added = add_amount_line(&app, &invoice, 100).await;
    let line = ids(&added["lines"])[0].clone();

    let remove = app
        .post(
            &format!("/v1/invoices/{invoice}/remove_lines"),
            &[
                ("lines[0][id]", &line),
                ("lines[0][behavior]", "delete"),
                ("lines[1][id]", "il_nope"),
                ("lines[1][behavior]", "delete"),
            ],
        )
        .await;
    let update = app
        .post(
            &format!("/v1/invoices/{invoice}/update_lines"),
            &[("lines[0][id]", "il_nope"), ("lines[0][description]", "x")],
        )
        .await;
    let bad_behavior = app
        .post(
            &format!("/v1/invoices/{invoice}/remove_lines"),
            &[("lines[0][id]", &line), ("lines[0][behavior]", "shred")],
        )
        .await;

    assert_eq!(remove.status, StatusCode::NOT_FOUND);
    assert_eq!(remove.code(), "resource_missing");
    assert_eq!(remove.body["error"]["param"], "lines[1][id]");
    assert_eq!(update.status, StatusCode::NOT_FOUND);
    assert_eq!(update.body["error"]["param"], "lines[0][id]");
    assert_eq!(bad_behavior.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_behavior.body["error"]["param"], "lines[0][behavior]");
    // The valid first entry of the failed remove was not applied.
    let after = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(ids(&after["lines"]), vec![line]);
}

#[tokio::test]
async fn every_line_and_item_mutation_on_a_finalized_invoice_is_invoice_not_editable() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let added = add_amount_line(&app, &invoice, 500).await;
    let line = ids(&added["lines"])[0].clone();
    let item = added["lines"]["data"][0]["invoice_item"]
        .as_str()
        .expect("item")
        .to_owned();
    let pending = pending_item(&app, &customer, 100, "pending").await;
    let coupon = app.percent_coupon("10").await;
    app.post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;

    let attempts = [
        (
            format!("/v1/invoices/{invoice}/add_lines"),
            vec![("lines[0][amount]", "100".to_owned())],
        ),
        (
            format!("/v1/invoices/{invoice}/add_lines"),
            vec![("lines[0][invoice_item]", pending.clone())],
        ),
        (
            format!("/v1/invoices/{invoice}/remove_lines"),
            vec![
                ("lines[0][id]", line.clone()),
                ("lines[0][behavior]", "delete".to_owned()),
            ],
        ),
        (
            format!("/v1/invoices/{invoice}/update_lines"),
            vec![
                ("lines[0][id]", line.clone()),
                ("lines[0][description]", "x".to_owned()),
            ],
        ),
        (
            format!("/v1/invoices/{invoice}/lines/{line}"),
            vec![("description", "x".to_owned())],
        ),
        (
            "/v1/invoiceitems".to_owned(),
            vec![
                ("customer", customer.clone()),
                ("amount", "100".to_owned()),
                ("currency", "usd".to_owned()),
                ("invoice", invoice.clone()),
            ],
        ),
        (
            format!("/v1/invoiceitems/{item}"),
            vec![("description", "x".to_owned())],
        ),
        (
            format!("/v1/invoices/{invoice}"),
            vec![("discounts[0][coupon]", coupon.clone())],
        ),
    ];
    for (path, form) in attempts {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post(&path, &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "POST {path}: {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error", "{path}");
        assert_eq!(r.code(), "invoice_not_editable", "POST {path}");
    }
    let delete = app
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/invoiceitems/{item}"),
            &[],
        )
        .await;
    assert_eq!(delete.status, StatusCode::BAD_REQUEST);
    assert_eq!(delete.code(), "invoice_not_editable");
    // Nothing changed.
    let after = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(ids(&after["lines"]), vec![line]);
    assert_eq!(after["total"], 500);
    assert_eq!(after["discounts"], serde_json::json!([]));
}

#[tokio::test]
async fn invoice_discounts_split_over_discountable_lines_and_total_correctly() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let coupon = app.percent_coupon("25").await;
    let created = app
        .post_ok(
            "/v1/invoices",
            &[("customer", &customer), ("discounts[0][coupon]", &coupon)],
        )
        .await;
    let invoice = id_of(&created);

    let body = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[
                ("lines[0][amount]", "799"),
                ("lines[1][amount]", "199"),
                ("lines[2][amount]", "1000"),
                ("lines[2][discountable]", "false"),
            ],
        )
        .await;

    let discount = body["discounts"][0]
        .as_str()
        .expect("discount id")
        .to_owned();
    assert!(discount.starts_with("di_"));
    assert_eq!(body["discount"]["id"], discount.as_str());
    assert_eq!(body["discount"]["coupon"]["id"], coupon.as_str());
    assert_same_shape(
        &body["discount"],
        &crate::invoice_support::golden(crate::invoice_support::DISCOUNT),
    );
    // 25 % of the 998 discountable: 249.5 → 250, split 200 / 50 by largest remainder.
    assert_eq!(amounts(&body), [1998, 1998, 1748, 1748, 1748, 0, 1748]);
    assert_eq!(
        body["total_discount_amounts"],
        serde_json::json!([{"amount": 250, "discount": discount}])
    );
    let lines = &body["lines"]["data"];
    assert_eq!(
        lines[0]["discount_amounts"],
        serde_json::json!([{"amount": 200, "discount": discount}])
    );
    assert_eq!(
        lines[1]["discount_amounts"],
        serde_json::json!([{"amount": 50, "discount": discount}])
    );
    assert_eq!(lines[2]["discount_amounts"], serde_json::json!([]));
    // Line amounts are before discounts.
    assert_eq!(lines[0]["amount"], 799);
}

#[tokio::test]
async fn line_and_amount_off_discounts_stack_and_never_go_below_zero() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let tenth = app.percent_coupon("10").await;
    let big = app.amount_coupon(5000, "usd").await;

    let with_line_discount = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[
                ("lines[0][amount]", "1000"),
                ("lines[0][discounts][0][coupon]", &tenth),
            ],
        )
        .await;
    // The line discount is inside the subtotal.
    assert_eq!(
        amounts(&with_line_discount),
        [900, 900, 900, 900, 900, 0, 900]
    );
    assert_eq!(
        with_line_discount["lines"]["data"][0]["discounts"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    let capped = app
        .post_ok(
            &format!("/v1/invoices/{invoice}"),
            &[("discounts[0][coupon]", &big)],
        )
        .await;
    assert_eq!(amounts(&capped), [900, 900, 0, 0, 0, 0, 0]);

    let eur = app.amount_coupon(100, "eur").await;
    let wrong_currency = app
        .post(
            &format!("/v1/invoices/{invoice}"),
            &[("discounts[0][coupon]", &eur)],
        )
        .await;
    assert_eq!(wrong_currency.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong_currency.body["error"]["param"],
        "discounts[0][coupon]"
    );

    let removed = app
        .post_ok(&format!("/v1/invoices/{invoice}"), &[("discounts", "")])
        .await;
    assert_eq!(removed["total"], 900);
    assert_eq!(removed["discount"], Value::Null);
}

#[tokio::test]
async fn invoice_lines_page_forwards_and_backwards_in_line_order() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let mut form: Vec<(String, String)> = Vec::new();
    for i in 0..25 {
        form.push((format!("lines[{i}][amount]"), (i + 1).to_string()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let body = app
        .post_ok(&format!("/v1/invoices/{invoice}/add_lines"), &form)
        .await;
    assert_eq!(body["lines"]["has_more"], true);
    assert_eq!(body["lines"]["data"].as_array().map(Vec::len), Some(10));
    assert_eq!(body["total"], (1..=25).sum::<i64>());
    let path = format!("/v1/invoices/{invoice}/lines");

    let mut seen: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut q = vec![("limit", "10".to_owned())];
        if let Some(a) = &after {
            q.push(("starting_after", a.clone()));
        }
        let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = app.get_ok(&path, &q).await;
        assert_eq!(page["url"], path.as_str());
        seen.extend(ids(&page));
        after = seen.last().cloned();
        if page["has_more"] == false {
            break;
        }
    }
    assert_eq!(seen.len(), 25);
    let all = app.get_ok(&path, &[("limit", "100")]).await;
    let amounts: Vec<i64> = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|l| l["amount"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(
        amounts,
        (1..=25).collect::<Vec<_>>(),
        "lines keep the order they were added in"
    );
    assert_eq!(ids(&all), seen);

    let before = app
        .get_ok(&path, &[("limit", "5"), ("ending_before", &seen[12])])
        .await;
    assert_eq!(ids(&before), seen[7..12].to_vec());
    assert_eq!(before["has_more"], true);
    let first = app
        .get_ok(&path, &[("limit", "5"), ("ending_before", &seen[3])])
        .await;
    assert_eq!(ids(&first), seen[0..3].to_vec());
    assert_eq!(first["has_more"], false);
    let unknown = app.get(&path, &[("starting_after", "il_nope")]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["error"]["param"], "starting_after");
}

#[tokio::test]
async fn concurrent_add_lines_calls_on_one_invoice_lose_no_line() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let calls = 40;

    let tasks: Vec<_> = (1..=calls)
        .map(|i| {
            let client = app.client.clone();
            let url = format!("{}/v1/invoices/{invoice}/add_lines", app.base);
            let key = app.key.clone();
            tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(key)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!(
                        "lines[0][amount]={i}&lines[1][amount]={}",
                        i * 1000
                    ))
                    .send()
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task").expect("sent"), StatusCode::OK);
    }

    let lines = app
        .get_ok(
            &format!("/v1/invoices/{invoice}/lines"),
            &[("limit", "100")],
        )
        .await;
    let data = lines["data"].as_array().expect("data");
    assert_eq!(data.len(), 2 * calls as usize);
    let sum: i64 = data.iter().map(|l| l["amount"].as_i64().unwrap_or(0)).sum();
    let expected: i64 = (1..=calls).map(|i| i + i * 1000).sum();
    assert_eq!(sum, expected);
    let invoice = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(invoice["total"], expected);
    assert_eq!(invoice["amount_due"], expected);
    let items = app
        .get_ok(
            "/v1/invoiceitems",
            &[("customer", &customer), ("limit", "100")],
        )
        .await;
    assert_eq!(
        items["data"].as_array().map(Vec::len),
        Some(2 * calls as usize)
    );
}

#[tokio::test]
async fn amounts_that_overflow_are_refused_without_changing_the_invoice() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    add_amount_line(&app, &invoice, 1).await;

    let r = app
        .post(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[("lines[0][amount]", &i64::MAX.to_string())],
        )
        .await;

    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.code(), "amount_too_large");
    let after = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(after["total"], 1);
}

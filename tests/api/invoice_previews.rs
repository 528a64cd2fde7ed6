//! Upcoming invoice previews over HTTP: the seed request, routing, overrides and additions,
//! subscription lines, discounts, cursors, and `create_preview`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of};
use crate::invoice_support::{
    ADD_LINES, UPCOMING_LINES, amounts, assert_same_shape, golden, ids, pending_item, priced_item,
};

#[tokio::test]
async fn the_seed_upcoming_lines_request_lists_the_pending_item_as_an_il_tmp_line() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let item = priced_item(
        &app,
        &customer,
        1000,
        "My First Invoice Item (created for API docs)",
    )
    .await;

    let body = app
        .get_ok("/v1/invoices/upcoming/lines", &[("customer", &customer)])
        .await;

    assert_same_shape(&body, &golden(UPCOMING_LINES));
    assert_eq!(body["url"], "/v1/invoices/upcoming/lines");
    assert_eq!(body["has_more"], false);
    let line = &body["data"][0];
    assert_eq!(
        line["id"],
        format!("il_tmp_{}", item.trim_start_matches("ii_")).as_str()
    );
    assert_eq!(line["invoice_item"], item.as_str());
    assert_eq!(line["amount"], 1000);
    assert_eq!(line["unit_amount_excluding_tax"], "1000");
    assert_eq!(
        line["description"],
        "My First Invoice Item (created for API docs)"
    );
    assert_eq!(line["type"], "invoiceitem");
    assert_eq!(line["price"]["unit_amount_decimal"], "1000");
}

#[tokio::test]
async fn upcoming_and_create_preview_routes_win_over_the_invoice_id_route() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    pending_item(&app, &customer, 700, "coffee").await;

    let upcoming = app
        .get_ok("/v1/invoices/upcoming", &[("customer", &customer)])
        .await;
    let preview = app
        .post_ok("/v1/invoices/create_preview", &[("customer", &customer)])
        .await;
    let lines = app
        .get_ok("/v1/invoices/upcoming/lines", &[("customer", &customer)])
        .await;

    // No "No such invoice: 'upcoming'": the static segments matched.
    assert_eq!(upcoming["object"], "invoice");
    assert!(upcoming.get("id").is_none(), "upcoming invoices have no id");
    assert_eq!(upcoming["billing_reason"], "upcoming");
    assert_eq!(upcoming["status"], "draft");
    assert_eq!(upcoming["total"], 700);
    assert_eq!(
        upcoming["lines"]["url"],
        format!("/v1/invoices/upcoming/lines?customer={customer}").as_str()
    );
    let mut with_id = upcoming.clone();
    with_id["id"] = json!("in_x");
    assert_same_shape(&with_id, &golden(ADD_LINES));
    assert!(
        id_of(&preview).starts_with("upcoming_in_"),
        "{}",
        preview["id"]
    );
    assert_same_shape(&preview, &golden(ADD_LINES));
    assert_eq!(preview["total"], 700);
    assert_eq!(lines["object"], "list");
    assert_eq!(ids(&lines), ids(&upcoming["lines"]));
}

#[tokio::test]
async fn a_customer_with_nothing_pending_has_no_upcoming_invoice() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;

    let lines = app
        .get("/v1/invoices/upcoming/lines", &[("customer", &customer)])
        .await;
    let invoice = app
        .get("/v1/invoices/upcoming", &[("customer", &customer)])
        .await;
    let preview = app
        .post("/v1/invoices/create_preview", &[("customer", &customer)])
        .await;

    for r in [lines, invoice, preview] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
        assert_eq!(r.code(), "invoice_upcoming_none");
    }
}

#[tokio::test]
async fn preview_parameters_are_checked() {
    let app = TestApp::spawn().await;

    let no_customer = app.get("/v1/invoices/upcoming/lines", &[]).await;
    let unknown = app
        .get("/v1/invoices/upcoming/lines", &[("customer", "cus_nope")])
        .await;
    let subscription = app
        .get(
            "/v1/invoices/upcoming/lines",
            &[("subscription", "sub_nope")],
        )
        .await;
    let unknown_param = app
        .get(
            "/v1/invoices/upcoming/lines",
            &[("customer", "cus_nope"), ("bogus", "1")],
        )
        .await;

    assert_eq!(no_customer.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_customer.code(), "parameter_missing");
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["error"]["param"], "customer");
    assert_eq!(subscription.status, StatusCode::NOT_FOUND);
    assert_eq!(subscription.body["error"]["param"], "subscription");
    assert_eq!(unknown_param.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown_param.code(), "parameter_unknown");
}

#[tokio::test]
async fn invoice_items_change_and_add_lines_in_the_preview_only() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let item = pending_item(&app, &customer, 500, "pending").await;
    let query = [
        ("customer", customer.as_str()),
        ("invoice_items[0][invoiceitem]", item.as_str()),
        ("invoice_items[0][amount]", "800"),
        ("invoice_items[0][description]", "changed"),
        ("invoice_items[1][amount]", "50"),
        ("invoice_items[1][currency]", "usd"),
        ("invoice_items[1][description]", "extra"),
    ];

    let first = app.get_ok("/v1/invoices/upcoming", &query).await;
    let second = app.get_ok("/v1/invoices/upcoming", &query).await;

    let lines = first["lines"]["data"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    // The addition first, then the pending item with the override applied.
    assert_eq!(lines[0]["description"], "extra");
    assert_eq!(lines[0]["amount"], 50);
    assert!(lines[0]["id"].as_str().unwrap().starts_with("il_tmp_"));
    assert!(
        lines[0]["invoice_item"]
            .as_str()
            .unwrap()
            .starts_with("ii_")
    );
    assert_eq!(lines[1]["invoice_item"], item.as_str());
    assert_eq!(lines[1]["amount"], 800);
    assert_eq!(lines[1]["description"], "changed");
    assert_eq!(first["total"], 850);
    assert_eq!(
        ids(&first["lines"]),
        ids(&second["lines"]),
        "ids are stable"
    );
    // Nothing was written.
    let stored = app.get_ok(&format!("/v1/invoiceitems/{item}"), &[]).await;
    assert_eq!(stored["amount"], 500);
    assert_eq!(stored["description"], "pending");
    let items = app
        .get_ok("/v1/invoiceitems", &[("customer", &customer)])
        .await;
    assert_eq!(ids(&items), [item]);
    let foreign = app
        .get(
            "/v1/invoices/upcoming",
            &[
                ("customer", customer.as_str()),
                ("invoice_items[0][invoiceitem]", "ii_nope"),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        foreign.body["error"]["param"],
        "invoice_items[0][invoiceitem]"
    );
}

#[tokio::test]
async fn subscription_details_items_preview_one_subscription_line_per_item() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let plan = app.recurring_price(1500, "usd").await;
    let one_time = app.price(100, "usd").await;
    let product = app.product("Seats").await;
    let start = "1706659200"; // 2024-01-31T00:00:00Z

    let body = app
        .get_ok(
            "/v1/invoices/upcoming/lines",
            &[
                ("customer", &customer),
                ("subscription_details[start_date]", start),
                ("subscription_details[items][0][price]", &plan),
                ("subscription_details[items][0][quantity]", "2"),
                (
                    "subscription_details[items][1][price_data][currency]",
                    "usd",
                ),
                (
                    "subscription_details[items][1][price_data][product]",
                    &product,
                ),
                (
                    "subscription_details[items][1][price_data][unit_amount]",
                    "300",
                ),
                (
                    "subscription_details[items][1][price_data][recurring][interval]",
                    "year",
                ),
            ],
        )
        .await;
    let refused = app
        .get(
            "/v1/invoices/upcoming/lines",
            &[
                ("customer", &customer),
                ("subscription_details[items][0][price]", &one_time),
            ],
        )
        .await;

    let lines = body["data"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    let monthly = &lines[0];
    assert_eq!(monthly["type"], "subscription");
    assert_eq!(monthly["amount"], 3000);
    assert_eq!(monthly["quantity"], 2);
    assert_eq!(monthly["invoice_item"], Value::Null);
    assert_eq!(monthly["proration"], false);
    assert_eq!(monthly["price"]["type"], "recurring");
    assert_eq!(monthly["description"], "2 × Test plan (at $15.00 / month)");
    assert_eq!(monthly["period"]["start"], 1_706_659_200);
    assert_eq!(monthly["period"]["end"], 1_709_164_800); // 2024-02-29
    let yearly = &lines[1];
    assert_eq!(yearly["amount"], 300);
    assert_eq!(yearly["price"]["product"], product.as_str());
    assert_eq!(yearly["period"]["end"], 1_738_281_600); // 2025-01-31
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.body["error"]["param"],
        "subscription_details[items][0][price]"
    );
}

#[tokio::test]
async fn preview_discounts_apply_to_the_previewed_totals() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    pending_item(&app, &customer, 1000, "a").await;
    let coupon = app.percent_coupon("10").await;

    let discounted = app
        .get_ok(
            "/v1/invoices/upcoming",
            &[("customer", &customer), ("discounts[0][coupon]", &coupon)],
        )
        .await;
    let legacy = app
        .get_ok(
            "/v1/invoices/upcoming",
            &[("customer", &customer), ("coupon", &coupon)],
        )
        .await;

    assert_eq!(amounts(&discounted), [1000, 1000, 900, 900, 900, 0, 900]);
    assert_eq!(
        discounted["lines"]["data"][0]["discount_amounts"][0]["amount"],
        100
    );
    assert_eq!(legacy["total"], 900);
}

#[tokio::test]
async fn upcoming_lines_page_with_cursors_over_stable_ids() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let mut items = Vec::new();
    for i in 0..12 {
        items.push(pending_item(&app, &customer, 100 + i, &format!("item {i}")).await);
    }
    items.reverse(); // newest first
    let expected: Vec<String> = items
        .iter()
        .map(|i| format!("il_tmp_{}", i.trim_start_matches("ii_")))
        .collect();
    let path = "/v1/invoices/upcoming/lines";

    let first = app
        .get_ok(path, &[("customer", &customer), ("limit", "5")])
        .await;
    let second = app
        .get_ok(
            path,
            &[
                ("customer", &customer),
                ("limit", "5"),
                ("starting_after", &expected[4]),
            ],
        )
        .await;
    let last = app
        .get_ok(
            path,
            &[
                ("customer", &customer),
                ("limit", "5"),
                ("starting_after", &expected[9]),
            ],
        )
        .await;
    let back = app
        .get_ok(
            path,
            &[
                ("customer", &customer),
                ("limit", "5"),
                ("ending_before", &expected[7]),
            ],
        )
        .await;

    assert_eq!(ids(&first), expected[0..5].to_vec());
    assert_eq!(first["has_more"], true);
    assert_eq!(ids(&second), expected[5..10].to_vec());
    assert_eq!(ids(&last), expected[10..12].to_vec());
    assert_eq!(last["has_more"], false);
    assert_eq!(ids(&back), expected[2..7].to_vec());
    assert_eq!(back["has_more"], true);

    // Preview-only additions keep their ids between calls, so they can be used as cursors.
    let with_extra = [
        ("customer", customer.as_str()),
        ("limit", "1"),
        ("invoice_items[0][amount]", "5"),
        ("invoice_items[0][currency]", "usd"),
    ];
    let extra = app.get_ok(path, &with_extra).await;
    let extra_id = ids(&extra)[0].clone();
    let mut next_query = with_extra.to_vec();
    next_query.push(("starting_after", &extra_id));
    let next = app.get_ok(path, &next_query).await;
    assert_eq!(ids(&next), expected[0..1].to_vec());
}

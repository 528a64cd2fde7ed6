//! Invoice items over HTTP: the legacy shape, price sources, pending vs attached, filters.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of};
use crate::invoice_support::{
    INVOICE_ITEM, add_amount_line, assert_same_shape, draft, golden, ids, pending_item,
};

#[tokio::test]
async fn an_amount_only_item_still_embeds_a_one_time_price() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;

    let body = app
        .post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("amount", "1000"),
                ("currency", "usd"),
                (
                    "description",
                    "My First Invoice Item (created for API docs)",
                ),
            ],
        )
        .await;

    assert_same_shape(&body, &golden(INVOICE_ITEM));
    assert!(id_of(&body).starts_with("ii_"));
    assert_eq!(body["object"], "invoiceitem");
    assert_eq!(body["invoice"], Value::Null);
    assert_eq!(body["amount"], 1000);
    assert_eq!(body["quantity"], 1);
    assert_eq!(body["unit_amount"], 1000);
    assert_eq!(body["unit_amount_decimal"], "1000");
    assert_eq!(body["discountable"], true);
    assert_eq!(body["period"]["start"], body["date"]);
    assert_eq!(body["price"]["object"], "price");
    assert_eq!(body["price"]["type"], "one_time");
    assert_eq!(body["price"]["unit_amount"], 1000);
    assert_eq!(body["price"]["currency"], "usd");
    // The synthesized price lives on the item only; the catalog holds what the caller created.
    let price = body["price"]["id"].as_str().expect("price id");
    let lookup = app.get(&format!("/v1/prices/{price}"), &[]).await;
    assert_eq!(lookup.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn items_take_a_price_price_data_or_unit_amount_with_quantity() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let price = app.price(300, "usd").await;
    let product = app.product("Widget").await;

    let by_price = app
        .post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("price", &price),
                ("quantity", "3"),
            ],
        )
        .await;
    let by_data = app
        .post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("price_data[currency]", "usd"),
                ("price_data[product]", &product),
                ("price_data[unit_amount]", "125"),
                ("quantity", "2"),
            ],
        )
        .await;
    let by_unit = app
        .post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("currency", "usd"),
                ("unit_amount", "40"),
                ("quantity", "5"),
            ],
        )
        .await;

    assert_eq!(by_price["amount"], 900);
    assert_eq!(by_price["currency"], "usd");
    assert_eq!(by_price["price"]["id"], price.as_str());
    assert_eq!(by_data["amount"], 250);
    assert_eq!(by_data["price"]["product"], product.as_str());
    assert_eq!(by_unit["amount"], 200);
    assert_eq!(by_unit["unit_amount"], 40);
}

/// A form, the expected status and the parameter the error names.
type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);

#[tokio::test]
async fn invalid_item_parameters_are_refused_with_the_parameter_named() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let price = app.price(300, "usd").await;
    let plan = app.recurring_price(300, "usd").await;

    let cases: Vec<Case<'_>> = vec![
        (
            vec![("customer", &customer), ("amount", "100")],
            StatusCode::BAD_REQUEST,
            "currency",
        ),
        (
            vec![
                ("customer", &customer),
                ("amount", "100"),
                ("price", &price),
            ],
            StatusCode::BAD_REQUEST,
            "amount",
        ),
        (
            vec![
                ("customer", &customer),
                ("amount", "100"),
                ("currency", "usd"),
                ("quantity", "2"),
            ],
            StatusCode::BAD_REQUEST,
            "quantity",
        ),
        (
            vec![("customer", &customer), ("price", &plan)],
            StatusCode::BAD_REQUEST,
            "price",
        ),
        (
            vec![
                ("customer", &customer),
                ("price", &price),
                ("currency", "eur"),
            ],
            StatusCode::BAD_REQUEST,
            "price",
        ),
        (
            vec![("customer", &customer), ("price", "price_nope")],
            StatusCode::NOT_FOUND,
            "price",
        ),
        (
            vec![("customer", "cus_nope"), ("price", &price)],
            StatusCode::NOT_FOUND,
            "customer",
        ),
        (
            vec![
                ("customer", &customer),
                ("price", &price),
                ("period[start]", "10"),
                ("period[end]", "5"),
            ],
            StatusCode::BAD_REQUEST,
            "period[end]",
        ),
        (
            vec![
                ("customer", &customer),
                ("price", &price),
                ("tax_rates[0]", "txr_1"),
            ],
            StatusCode::NOT_FOUND,
            "tax_rates[0]",
        ),
        (
            vec![("customer", &customer), ("price", &price), ("bogus", "1")],
            StatusCode::BAD_REQUEST,
            "bogus",
        ),
    ];
    for (form, status, param) in cases {
        let r = app.post("/v1/invoiceitems", &form).await;
        assert_eq!(r.status, status, "{form:?}: {}", r.text);
        assert_eq!(r.body["error"]["param"], param, "{form:?}");
    }
    let items = app.get_ok("/v1/invoiceitems", &[]).await;
    assert_eq!(items["data"], json!([]), "nothing was created");
}

#[tokio::test]
async fn an_item_created_with_invoice_joins_the_draft_as_a_line() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);

    let item = app
        .post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("amount", "450"),
                ("currency", "usd"),
                ("invoice", &invoice),
            ],
        )
        .await;

    assert_eq!(item["invoice"], invoice.as_str());
    let inv = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(
        inv["lines"]["data"][0]["invoice_item"],
        id_of(&item).as_str()
    );
    assert_eq!(inv["total"], 450);
    let other = app.customer().await;
    let wrong_customer = app
        .post(
            "/v1/invoiceitems",
            &[
                ("customer", &other),
                ("amount", "1"),
                ("currency", "usd"),
                ("invoice", &invoice),
            ],
        )
        .await;
    assert_eq!(wrong_customer.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_customer.body["error"]["param"], "invoice");
}

#[tokio::test]
async fn updating_an_attached_item_changes_its_line_and_the_totals() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let added = add_amount_line(&app, &invoice, 100).await;
    let item = added["lines"]["data"][0]["invoice_item"]
        .as_str()
        .expect("item")
        .to_owned();

    let updated = app
        .post_ok(
            &format!("/v1/invoiceitems/{item}"),
            &[("amount", "250"), ("description", "changed")],
        )
        .await;

    assert_eq!(updated["amount"], 250);
    let inv = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(inv["lines"]["data"][0]["description"], "changed");
    assert_eq!(inv["total"], 250);
}

#[tokio::test]
async fn deleting_an_item_on_a_draft_removes_its_line() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);
    let added = add_amount_line(&app, &invoice, 100).await;
    let item = added["lines"]["data"][0]["invoice_item"]
        .as_str()
        .expect("item")
        .to_owned();

    let r = app.delete(&format!("/v1/invoiceitems/{item}")).await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"id": item, "object": "invoiceitem", "deleted": true})
    );
    let inv = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(inv["lines"]["data"], json!([]));
    assert_eq!(inv["total"], 0);
    let again = app.delete(&format!("/v1/invoiceitems/{item}")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invoice_items_list_newest_first_and_filter_by_customer_invoice_and_pending() {
    let app = TestApp::spawn().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let a1 = pending_item(&app, &alice, 100, "a1").await;
    let b1 = pending_item(&app, &bob, 100, "b1").await;
    let invoice = id_of(&draft(&app, &alice).await);
    let attached = add_amount_line(&app, &invoice, 5).await["lines"]["data"][0]["invoice_item"]
        .as_str()
        .expect("item")
        .to_owned();

    let all = app.get_ok("/v1/invoiceitems", &[]).await;
    let alice_items = app
        .get_ok("/v1/invoiceitems", &[("customer", &alice)])
        .await;
    let pending = app.get_ok("/v1/invoiceitems", &[("pending", "true")]).await;
    let not_pending = app
        .get_ok("/v1/invoiceitems", &[("pending", "false")])
        .await;
    let on_invoice = app
        .get_ok("/v1/invoiceitems", &[("invoice", &invoice)])
        .await;

    assert_eq!(ids(&all), [attached.clone(), b1.clone(), a1.clone()]);
    assert_eq!(all["url"], "/v1/invoiceitems");
    assert_eq!(ids(&alice_items), [attached.clone(), a1.clone()]);
    assert_eq!(ids(&pending), [b1, a1]);
    assert_eq!(ids(&not_pending), vec![attached.clone()]);
    assert_eq!(ids(&on_invoice), [attached]);
}

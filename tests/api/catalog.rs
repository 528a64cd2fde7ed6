//! Customers, products, prices, coupons and payment intents over HTTP.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, id_of};

/// Path, form, and the parameter the error must name.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .map(|a| a.iter().map(id_of).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn customers_can_be_created_retrieved_updated_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let c = app
        .post_ok(
            "/v1/customers",
            &[
                ("email", "a@example.com"),
                ("name", "Alice"),
                ("metadata[plan]", "pro"),
                ("balance", "-500"),
            ],
        )
        .await;
    let id = id_of(&c);
    assert!(id.starts_with("cus_") && id.len() == 4 + 24, "{id}");
    assert_eq!(c["object"], "customer");
    assert_eq!(c["balance"], -500);
    assert_eq!(c["metadata"]["plan"], "pro");
    assert!(c["created"].is_i64());
    assert!(c["phone"].is_null(), "unset fields are present as null");

    let got = app.get_ok(&format!("/v1/customers/{id}"), &[]).await;
    assert_eq!(got, c);

    let updated = app
        .post_ok(
            &format!("/v1/customers/{id}"),
            &[
                ("name", ""),
                ("metadata[plan]", ""),
                ("metadata[tier]", "2"),
            ],
        )
        .await;
    assert!(updated["name"].is_null(), "an empty value unsets");
    assert_eq!(updated["metadata"], serde_json::json!({"tier": "2"}));

    let list = app.get_ok("/v1/customers", &[]).await;
    assert_eq!(list["object"], "list");
    assert_eq!(list["url"], "/v1/customers");
    assert_eq!(ids(&list), vec![id.clone()]);

    let deleted = app.delete(&format!("/v1/customers/{id}")).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(
        deleted.body,
        serde_json::json!({"id": id, "object": "customer", "deleted": true})
    );
    assert_eq!(
        app.get(&format!("/v1/customers/{id}"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_unknown_customer_is_resource_missing_with_a_stripe_message() {
    let app = TestApp::spawn().await;
    let r = app.get("/v1/customers/cus_nope", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    assert_eq!(r.code(), "resource_missing");
    assert_eq!(r.body["error"]["message"], "No such customer: 'cus_nope'");
    assert_eq!(r.body["error"]["param"], "id");
    for path in [
        "/v1/products/prod_nope",
        "/v1/prices/price_nope",
        "/v1/coupons/nope",
        "/v1/payment_intents/pi_nope",
    ] {
        let r = app.get(path, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.code(), "resource_missing", "{path}");
    }
    for path in [
        "/v1/customers/cus_nope",
        "/v1/products/prod_nope",
        "/v1/prices/price_nope",
        "/v1/coupons/nope",
    ] {
        let r = app.post(path, &[("metadata[a]", "b")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "update {path}");
    }
    for path in [
        "/v1/customers/cus_nope",
        "/v1/products/prod_nope",
        "/v1/coupons/nope",
    ] {
        assert_eq!(
            app.delete(path).await.status,
            StatusCode::NOT_FOUND,
            "delete {path}"
        );
    }
}

#[tokio::test]
async fn unknown_parameters_are_named_in_the_error() {
    let app = TestApp::spawn().await;
    let cases: [Case; 5] = [
        ("/v1/customers", &[("foo", "1")], "foo"),
        ("/v1/products", &[("name", "x"), ("bogus", "1")], "bogus"),
        (
            "/v1/prices",
            &[
                ("currency", "usd"),
                ("unit_amount", "1"),
                ("product_data[name]", "x"),
                ("product_data[nope]", "1"),
            ],
            "product_data[nope]",
        ),
        (
            "/v1/coupons",
            &[("percent_off", "10"), ("weird", "1")],
            "weird",
        ),
        (
            "/v1/payment_intents",
            &[("amount", "100"), ("currency", "usd"), ("x", "1")],
            "x",
        ),
    ];
    for (path, form, param) in cases {
        let r = app.post(path, form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text);
        assert_eq!(r.code(), "parameter_unknown", "{path}");
        assert_eq!(r.body["error"]["param"], param, "{path}");
        assert_eq!(
            r.body["error"]["message"],
            format!("Received unknown parameter: {param}")
        );
    }
    let r = app.get("/v1/customers", &[("nope", "1")]).await;
    assert_eq!(r.code(), "parameter_unknown");
}

#[tokio::test]
async fn missing_required_parameters_are_named_in_the_error() {
    let app = TestApp::spawn().await;
    let cases: [Case; 5] = [
        ("/v1/products", &[], "name"),
        (
            "/v1/prices",
            &[("unit_amount", "1"), ("product_data[name]", "x")],
            "currency",
        ),
        (
            "/v1/prices",
            &[("currency", "usd"), ("product_data[name]", "x")],
            "unit_amount",
        ),
        ("/v1/payment_intents", &[("currency", "usd")], "amount"),
        ("/v1/payment_intents", &[("amount", "100")], "currency"),
    ];
    for (path, form, param) in cases {
        let r = app.post(path, form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text);
        assert_eq!(r.code(), "parameter_missing", "{path}: {}", r.text);
        assert_eq!(r.body["error"]["param"], param, "{path}");
    }
}

#[tokio::test]
async fn wrong_types_are_400_with_the_parameter() {
    let app = TestApp::spawn().await;
    let r = app.post("/v1/customers", &[("balance", "lots")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "parameter_invalid_integer");
    assert_eq!(r.body["error"]["param"], "balance");
    let r = app
        .post(
            "/v1/prices",
            &[
                ("currency", "usd"),
                ("unit_amount", "1"),
                ("product_data[name]", "x"),
                ("recurring[interval]", "fortnight"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["param"], "recurring[interval]");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("day, week, month, year")
    );
    let r = app.post("/v1/products", &[("name", "")]).await;
    assert_eq!(r.code(), "parameter_invalid_empty");
}

#[tokio::test]
async fn prices_refer_to_products_of_the_same_account() {
    let app = TestApp::spawn().await;
    let other = app.other_account();
    let product = other.product("Elsewhere").await;
    let r = app
        .post(
            "/v1/prices",
            &[
                ("currency", "usd"),
                ("unit_amount", "500"),
                ("product", &product),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "resource_missing");
    assert_eq!(r.body["error"]["param"], "product");
    assert_eq!(
        r.body["error"]["message"],
        format!("No such product: '{product}'")
    );
}

#[tokio::test]
async fn one_time_and_recurring_prices_have_stripe_shapes() {
    let app = TestApp::spawn().await;
    let product = app.product("Coffee").await;
    let one_time = app
        .post_ok(
            "/v1/prices",
            &[
                ("currency", "usd"),
                ("unit_amount", "199"),
                ("product", &product),
            ],
        )
        .await;
    assert_eq!(one_time["type"], "one_time");
    assert_eq!(one_time["unit_amount"], 199);
    assert_eq!(one_time["unit_amount_decimal"], "199");
    assert!(one_time["recurring"].is_null());
    assert_eq!(one_time["product"], product.as_str());
    let recurring = app
        .post_ok(
            "/v1/prices",
            &[
                ("currency", "eur"),
                ("unit_amount", "1000"),
                ("product_data[name]", "Plan"),
                ("recurring[interval]", "month"),
                ("recurring[interval_count]", "3"),
            ],
        )
        .await;
    assert_eq!(recurring["type"], "recurring");
    assert_eq!(recurring["recurring"]["interval"], "month");
    assert_eq!(recurring["recurring"]["interval_count"], 3);
    let inline_product = recurring["product"].as_str().unwrap_or_default();
    let p = app
        .get_ok(&format!("/v1/products/{inline_product}"), &[])
        .await;
    assert_eq!(p["name"], "Plan");

    let listed = app.get_ok("/v1/prices", &[("product", &product)]).await;
    assert_eq!(ids(&listed), vec![id_of(&one_time)]);
    let updated = app
        .post_ok(
            &format!("/v1/prices/{}", id_of(&one_time)),
            &[("nickname", "Small")],
        )
        .await;
    assert_eq!(updated["nickname"], "Small");
}

#[tokio::test]
async fn products_can_be_updated_and_deleted_only_without_prices() {
    let app = TestApp::spawn().await;
    let product = app.product("Tea").await;
    let updated = app
        .post_ok(
            &format!("/v1/products/{product}"),
            &[("description", "Green")],
        )
        .await;
    assert_eq!(updated["description"], "Green");
    app.post_ok(
        "/v1/prices",
        &[
            ("currency", "usd"),
            ("unit_amount", "1"),
            ("product", &product),
        ],
    )
    .await;
    let r = app.delete(&format!("/v1/products/{product}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let bare = app.product("Bare").await;
    assert_eq!(
        app.delete(&format!("/v1/products/{bare}")).await.status,
        StatusCode::OK
    );
    let list = app.get_ok("/v1/products", &[]).await;
    assert_eq!(ids(&list), vec![product]);
}

#[tokio::test]
async fn coupons_are_percent_or_amount_off() {
    let app = TestApp::spawn().await;
    let pct = app
        .post_ok(
            "/v1/coupons",
            &[("percent_off", "25.5"), ("duration", "forever")],
        )
        .await;
    assert_eq!(pct["percent_off"], 25.5);
    assert!(pct["amount_off"].is_null());
    assert_eq!(pct["id"].as_str().map(str::len), Some(8));
    let amt = app
        .post_ok(
            "/v1/coupons",
            &[
                ("id", "SAVE5"),
                ("amount_off", "500"),
                ("currency", "usd"),
                ("duration", "once"),
            ],
        )
        .await;
    assert_eq!(amt["id"], "SAVE5");
    assert_eq!(amt["amount_off"], 500);
    assert_eq!(amt["currency"], "usd");
    let dup = app
        .post("/v1/coupons", &[("id", "SAVE5"), ("percent_off", "1")])
        .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert_eq!(dup.code(), "resource_already_exists");
    let r = app.post("/v1/coupons", &[("amount_off", "500")]).await;
    assert_eq!(r.code(), "parameter_missing");
    assert_eq!(r.body["error"]["param"], "currency");
    let r = app.post("/v1/coupons", &[("duration", "once")]).await;
    assert_eq!(r.code(), "parameter_missing");
    let renamed = app
        .post_ok("/v1/coupons/SAVE5", &[("name", "Five off")])
        .await;
    assert_eq!(renamed["name"], "Five off");
    assert_eq!(app.delete("/v1/coupons/SAVE5").await.status, StatusCode::OK);
    assert_eq!(
        ids(&app.get_ok("/v1/coupons", &[]).await),
        vec![id_of(&pct)]
    );
}

#[tokio::test]
async fn payment_intents_start_in_requires_payment_method() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let pi = app
        .post_ok(
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("customer", &customer),
                ("payment_method_types[0]", "card"),
            ],
        )
        .await;
    let id = id_of(&pi);
    assert!(id.starts_with("pi_"));
    assert_eq!(pi["status"], "requires_payment_method");
    assert!(
        pi["client_secret"]
            .as_str()
            .unwrap_or("")
            .starts_with(&format!("{id}_secret_"))
    );
    assert_eq!(
        app.get_ok(&format!("/v1/payment_intents/{id}"), &[]).await,
        pi
    );
    assert_eq!(
        ids(&app
            .get_ok("/v1/payment_intents", &[("customer", &customer)])
            .await),
        vec![id]
    );
    let r = app
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("customer", "cus_nope"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["param"], "customer");
}

#[tokio::test]
async fn lists_page_newest_first_in_both_directions() {
    let app = TestApp::spawn().await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(id_of(
            &app.post_ok("/v1/customers", &[("name", &format!("c{i}"))])
                .await,
        ));
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();

    // Forwards with starting_after until has_more is false.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = vec![("limit", "3")];
        if let Some(c) = &cursor {
            q.push(("starting_after", c.as_str()));
        }
        let page = app.get_ok("/v1/customers", &q).await;
        let page_ids = ids(&page);
        assert!(page_ids.len() <= 3);
        seen.extend(page_ids.clone());
        if page["has_more"] != true {
            break;
        }
        cursor = page_ids.last().cloned();
    }
    assert_eq!(seen, newest_first);

    // Backwards with ending_before from the oldest.
    let page = app
        .get_ok(
            "/v1/customers",
            &[("limit", "2"), ("ending_before", &created[0])],
        )
        .await;
    assert_eq!(ids(&page), vec![created[2].clone(), created[1].clone()]);
    assert_eq!(page["has_more"], true);
    let page = app
        .get_ok(
            "/v1/customers",
            &[("limit", "5"), ("ending_before", &created[2])],
        )
        .await;
    assert_eq!(
        ids(&page),
        vec![
            created[6].clone(),
            created[5].clone(),
            created[4].clone(),
            created[3].clone()
        ]
    );
    assert_eq!(page["has_more"], false);
}

#[tokio::test]
async fn list_parameters_are_validated() {
    let app = TestApp::spawn().await;
    for limit in ["0", "101", "x"] {
        let r = app.get("/v1/customers", &[("limit", limit)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "limit={limit}");
        assert_eq!(r.body["error"]["param"], "limit");
    }
    let r = app
        .get("/v1/customers", &[("starting_after", "cus_nope")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["param"], "starting_after");
    let r = app
        .get(
            "/v1/customers",
            &[("starting_after", "a"), ("ending_before", "b")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

//! Fixture documents: the shipped ones load, loading is validated and atomic.

use reqwest::StatusCode;
use serde_json::json;
use stripe_billing_mock::MockServer;

use crate::helpers::{TestApp, fresh_key};

fn shipped(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture file"))
        .expect("fixture JSON")
}

impl TestApp {
    async fn load_fixtures(&self, doc: &serde_json::Value) -> crate::helpers::Reply {
        self.raw(
            self.client
                .post(format!("{}/_mock/fixtures?api_key={}", self.base, self.key))
                .json(doc),
        )
        .await
    }
}

#[tokio::test]
async fn the_shipped_catalog_loads_with_its_fixed_ids() {
    let app = TestApp::spawn().await;
    let r = app.load_fixtures(&shipped("01-catalog.json")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["loaded"]["prices"], 4);
    let alice = app.get_ok("/v1/customers/cus_fixture_alice", &[]).await;
    assert_eq!(alice["email"], "alice@example.com");
    let price = app
        .get_ok("/v1/prices/price_fixture_club_monthly", &[])
        .await;
    assert_eq!(price["recurring"]["interval"], "month");
    assert_eq!(price["product"], "prod_fixture_club");
    let coupon = app.get_ok("/v1/coupons/FIXTURE25", &[]).await;
    assert_eq!(coupon["percent_off"], 25.0);
}

#[tokio::test]
async fn an_invalid_fixture_names_its_path_and_loads_nothing() {
    let app = TestApp::spawn().await;
    let doc = json!({
        "products": [{"id": "prod_ok", "name": "Fine"}],
        "prices": [
            {"id": "price_ok", "product": "prod_ok", "currency": "usd", "unit_amount": 100},
            {"id": "price_bad", "product": "prod_ok", "currency": "usd", "unit_amount": "lots"}
        ]
    });
    let r = app.load_fixtures(&doc).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["param"], "prices[1][unit_amount]");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("prices[1][unit_amount]")
    );
    assert_eq!(
        app.get("/v1/products/prod_ok", &[]).await.status,
        StatusCode::NOT_FOUND,
        "nothing half-loaded"
    );
    assert_eq!(
        app.get("/v1/prices/price_ok", &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn fixture_errors_cover_references_unknown_fields_and_sections() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"prices": [{"product": "prod_missing", "currency": "usd", "unit_amount": 1}]}),
            "prices[0][product]",
        ),
        (
            json!({"customers": [{"email": "a@b.c", "favourite_colour": "red"}]}),
            "customers[0][favourite_colour]",
        ),
        (json!({"widgets": []}), "widgets"),
        (
            json!({"customers": [{"id": "cus_dup"}, {"id": "cus_dup"}]}),
            "customers[1][id]",
        ),
    ];
    for (doc, param) in cases {
        let r = app.load_fixtures(&doc).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{doc}: {}", r.text);
        assert_eq!(r.body["error"]["param"], param, "{doc}");
    }
    // The API's limits hold for fixtures too: a 6,000-character email is refused there as it
    // is by `POST /v1/customers`, and nothing is loaded.
    let long = "x".repeat(6_000);
    let r = app
        .load_fixtures(&json!({"customers": [{"id": "cus_long", "email": long}]}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 5000 characters")),
        "{}",
        r.text
    );
    let api = app.post("/v1/customers", &[("email", &long)]).await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/v1/customers/cus_long", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .raw(
            app.client
                .post(format!("{}/_mock/fixtures", app.base))
                .json(&json!({})),
        )
        .await;
    assert_eq!(r.code(), "parameter_missing");
}

/// Checks across several parameters (one of two required, exclusive parameters, a value's
/// range) name the parameter below the element's path, like the checks of single parameters.
#[tokio::test]
async fn fixture_checks_across_parameters_name_the_element_path() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"prices": [{"currency": "usd", "unit_amount": 1}]}),
            "prices[0][product]",
        ),
        (
            json!({"prices": [{"product": "p", "currency": "usd"}]}),
            "prices[0][unit_amount]",
        ),
        (
            json!({"prices": [{"product": "p", "currency": "usd", "unit_amount": 1, "unit_amount_decimal": "1"}]}),
            "prices[0][unit_amount]",
        ),
        (
            json!({"coupons": [{"percent_off": 5}, {"percent_off": 200}]}),
            "coupons[1][percent_off]",
        ),
        (
            json!({"coupons": [{"percent_off": 5, "duration": "repeating"}]}),
            "coupons[0][duration_in_months]",
        ),
        (
            json!({"payment_intents": [{"amount": 1, "currency": "usd"}]}),
            "payment_intents[0][amount]",
        ),
        (
            json!({"products": [{"name": "P", "type": "bundle"}]}),
            "products[0][type]",
        ),
    ];
    for (doc, param) in cases {
        let r = app.load_fixtures(&doc).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{doc}: {}", r.text);
        assert_eq!(r.code(), "fixture_invalid", "{doc}");
        assert_eq!(r.body["error"]["param"], param, "{doc}");
        let message = r.body["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.starts_with(&format!("Invalid fixture at {param}: ")),
            "{doc}: {message}"
        );
    }
}

#[tokio::test]
async fn builder_fixtures_seed_every_account() {
    let server = MockServer::builder()
        .fixtures(shipped("01-catalog.json"))
        .start()
        .await;
    let client = reqwest::Client::new();
    for key in [fresh_key(), fresh_key()] {
        let r = client
            .get(format!("{}/v1/customers/cus_fixture_bob", server.uri()))
            .bearer_auth(&key)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), StatusCode::OK);
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["balance"], -500);
        assert_eq!(body["livemode"], false);
    }
    let live = client
        .get(format!("{}/v1/customers/cus_fixture_bob", server.uri()))
        .bearer_auth("sk_live_abc")
        .send()
        .await
        .expect("sent");
    let body: serde_json::Value = live.json().await.expect("json");
    assert_eq!(body["livemode"], true);
}

#[tokio::test]
async fn a_bad_builder_fixture_fails_start() {
    let result = MockServer::builder()
        .fixtures(json!({"prices": [{"currency": "usd"}]}))
        .try_start()
        .await;
    assert!(result.is_err());
}

#[tokio::test]
async fn the_shipped_billing_intents_are_in_each_status() {
    let app = TestApp::spawn().await;
    for doc in ["01-catalog.json", "02-billing-intents.json"] {
        let r = app.load_fixtures(&shipped(doc)).await;
        assert_eq!(r.status, StatusCode::OK, "{doc}: {}", r.text);
    }
    for (id, status) in [
        ("bilint_fixture_draft", "draft"),
        ("bilint_fixture_reserved", "reserved"),
        ("bilint_fixture_committed", "committed"),
        ("bilint_fixture_canceled", "canceled"),
    ] {
        let r = app
            .raw(
                app.client
                    .get(format!("{}/v2/billing/intents/{id}", app.base))
                    .bearer_auth(&app.key),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{id}");
        assert_eq!(r.body["status"], status, "{id}");
    }
    let reserved = app
        .raw(
            app.client
                .get(format!(
                    "{}/v2/billing/intents/bilint_fixture_reserved",
                    app.base
                ))
                .bearer_auth(&app.key),
        )
        .await;
    // 2 × 2000, 25 % off, in the default version's integer-valued strings.
    assert_eq!(reserved.body["amount_details"]["subtotal"], "4000");
    assert_eq!(reserved.body["amount_details"]["discount"], "1000");
    assert_eq!(reserved.body["amount_details"]["total"], "3000");
}

#[tokio::test]
async fn a_fixture_intent_that_cannot_reach_its_status_loads_nothing() {
    let app = TestApp::spawn().await;
    app.load_fixtures(&shipped("01-catalog.json")).await;
    let doc = json!({"billing_intents": [
        {"id": "bilint_ok", "currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": "price_fixture_club_monthly"}]}}}]},
        {"id": "bilint_bad", "status": "committed", "payment_intent": "pi_missing", "currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": "price_fixture_club_monthly"}]}}}]}
    ]});
    let r = app.load_fixtures(&doc).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("billing_intents[1]"),
        "{}",
        r.text
    );
    let r = app
        .raw(
            app.client
                .get(format!("{}/v2/billing/intents/bilint_ok", app.base))
                .bearer_auth(&app.key),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_shipped_invoices_load_with_lines_pending_items_and_statuses() {
    let app = TestApp::spawn().await;
    for doc in ["01-catalog.json", "03-invoices.json"] {
        let r = app.load_fixtures(&shipped(doc)).await;
        assert_eq!(r.status, StatusCode::OK, "{doc}: {}", r.text);
    }
    let draft = app.get_ok("/v1/invoices/in_fixture_alice_draft", &[]).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["total"], 998);
    assert_eq!(draft["lines"]["data"].as_array().map(Vec::len), Some(2));
    let paid = app.get_ok("/v1/invoices/in_fixture_alice_paid", &[]).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["amount_paid"], 2400);
    let upcoming = app
        .get_ok(
            "/v1/invoices/upcoming/lines",
            &[("customer", "cus_fixture_bob")],
        )
        .await;
    let amounts: Vec<i64> = upcoming["data"]
        .as_array()
        .map(|d| d.iter().filter_map(|l| l["amount"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(amounts, vec![500, 4800], "pending items, newest first");
}

#[tokio::test]
async fn every_shipped_fixture_loads_together_from_the_builder() {
    let docs = [
        "01-catalog.json",
        "02-billing-intents.json",
        "03-invoices.json",
    ];
    let mut builder = MockServer::builder();
    for doc in docs {
        builder = builder.fixtures(shipped(doc));
    }
    let server = builder.start().await;
    let account = server.account(&fresh_key());
    assert!(account.billing_intent("bilint_fixture_committed").is_some());
    assert_eq!(
        account
            .invoice("in_fixture_alice_draft")
            .map(|i| i["total"].clone()),
        Some(json!(998))
    );
}

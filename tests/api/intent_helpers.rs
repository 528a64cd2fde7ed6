//! Helpers for the v2 billing tests: JSON requests with an optional `Stripe-Version`, action
//! builders, intents in a given status, and following `next_page_url`/`previous_page_url`.

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_of};

/// Sends a v2 request with a JSON body (or none) and an optional `Stripe-Version`.
pub async fn v2(
    app: &TestApp,
    method: Method,
    path: &str,
    version: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut req = app
        .client
        .request(method, format!("{}{}", app.base, path))
        .bearer_auth(&app.key);
    if let Some(v) = version {
        req = req.header("Stripe-Version", v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    app.raw(req).await
}

/// POST a v2 JSON body.
pub async fn post(app: &TestApp, path: &str, body: Value) -> Reply {
    v2(app, Method::POST, path, None, Some(body)).await
}

/// POST with an empty JSON object, as the SDKs do for reserve/cancel/….
pub async fn post_empty(app: &TestApp, path: &str) -> Reply {
    v2(app, Method::POST, path, None, Some(json!({}))).await
}

/// GET a v2 path (query included).
pub async fn get(app: &TestApp, path: &str) -> Reply {
    v2(app, Method::GET, path, None, None).await
}

/// Requires 200 and returns the body.
pub fn ok(r: Reply) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

/// Requires `status` and error `code`, and returns the error object.
pub fn err(r: &Reply, status: u16, code: &str) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.code(), code, "{}", r.text);
    assert_eq!(
        r.body["error"]["type"], "invalid_request_error",
        "{}",
        r.text
    );
    r.body["error"].clone()
}

/// A `subscribe` action to v1 prices with quantities (`None` = default).
pub fn subscribe(items: &[(&str, Option<i64>)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(price, q)| match q {
            Some(q) => json!({"price": price, "quantity": q}),
            None => json!({"price": price}),
        })
        .collect();
    json!({"type": "subscribe", "subscribe": {
        "type": "v1_subscription_details",
        "v1_subscription_details": {"items": items}
    }})
}

/// An `apply` action with a coupon.
pub fn coupon(id: &str) -> Value {
    json!({"type": "apply", "apply": {"type": "discount", "discount": {"type": "coupon", "coupon": id}}})
}

/// A `subscribe` action to a pricing plan (contributes nothing to amounts).
pub fn pricing_plan() -> Value {
    json!({"type": "subscribe", "subscribe": {
        "type": "pricing_plan_subscription_details",
        "pricing_plan_subscription_details": {"pricing_plan": "bpp_123", "pricing_plan_version": "bppv_123"}
    }})
}

/// Creates an intent from `body` and returns it.
pub async fn create(app: &TestApp, body: Value) -> Value {
    ok(post(app, "/v2/billing/intents", body).await)
}

/// Creates a usd intent for one price of `amount`; returns the intent.
pub async fn intent_of(app: &TestApp, amount: i64) -> Value {
    let price = app.price(amount, "usd").await;
    create(
        app,
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])]}),
    )
    .await
}

/// Path of an intent operation.
pub fn op_path(id: &str, op: &str) -> String {
    format!("/v2/billing/intents/{id}/{op}")
}

/// An intent (of 2000 usd) brought to `status` through the API; returns its id.
pub async fn intent_in(app: &TestApp, status: &str) -> String {
    let id = id_of(&intent_of(app, 2000).await);
    let steps: &[&str] = match status {
        "draft" => &[],
        "reserved" => &["reserve"],
        "committed" => &["reserve", "commit"],
        "canceled" => &["cancel"],
        other => panic!("unknown status {other}"),
    };
    for step in steps {
        ok(post_empty(app, &op_path(&id, step)).await);
    }
    id
}

/// Follows `key` (`next_page_url` or `previous_page_url`) verbatim from `first`, returning
/// every page's `data` ids, in page order.
pub async fn follow(app: &TestApp, first: Value, key: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut page = first;
    loop {
        pages.push(
            page["data"]
                .as_array()
                .expect("data")
                .iter()
                .map(id_of)
                .collect(),
        );
        assert!(page.get("next_page_url").is_some() && page.get("previous_page_url").is_some());
        match page[key].as_str() {
            None => break,
            Some(url) => {
                assert!(url.starts_with("/v2/"), "{url}");
                page = ok(get(app, url).await);
            }
        }
        assert!(pages.len() < 100, "pagination does not end");
    }
    pages
}

/// Posts `body` to `path` and checks the 400's `param`, `code` (`null` for `None`) and
/// `message`.
pub async fn refused(
    app: &TestApp,
    path: &str,
    body: Value,
    param: &str,
    code: Option<&str>,
    message: &str,
) {
    let r = post(app, path, body.clone()).await;
    assert_eq!(r.status.as_u16(), 400, "{body}: {}", r.text);
    let e = &r.body["error"];
    assert_eq!(e["param"], param, "{body}: {}", r.text);
    assert_eq!(
        e["code"],
        code.map_or(Value::Null, Value::from),
        "{body}: {}",
        r.text
    );
    assert_eq!(e["message"], message, "{body}: {}", r.text);
}

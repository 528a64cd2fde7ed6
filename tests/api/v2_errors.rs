//! Every v2 error carries a `code` and a `message` (the preview document's `v2.error` schema
//! requires both), including the errors that have none on v1: authentication, API versions,
//! unknown routes, idempotency mismatches, bodies. v1 keeps Stripe's code-less errors.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::intent_helpers::{post, subscribe};

/// Requires `status`, a non-empty message and `code` (`None`: no `code` key at all).
fn check(r: &Reply, status: u16, code: Option<&str>) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let e = &r.body["error"];
    assert_eq!(e.get("code").and_then(Value::as_str), code, "{}", r.text);
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn authentication_errors_have_a_code_on_v2() {
    let app = TestApp::spawn().await;
    for (path, code) in [
        ("/v1/customers", None),
        ("/v2/billing/intents", Some("api_key_missing")),
    ] {
        let r = app.raw(app.client.get(format!("{}{path}", app.base))).await;
        check(&r, 401, code);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("You did not provide an API key.")),
            "{}",
            r.text
        );
    }
    for (header, v1, v2) in [
        ("Bearer sk_test_", None, "api_key_invalid"),
        ("Token sk_test_123", None, "api_key_invalid"),
        (
            "Bearer pk_test_123",
            Some("secret_key_required"),
            "secret_key_required",
        ),
    ] {
        for (path, code) in [("/v1/customers", v1), ("/v2/billing/intents", Some(v2))] {
            let r = app
                .raw(
                    app.client
                        .get(format!("{}{path}", app.base))
                        .header("authorization", header),
                )
                .await;
            check(&r, 401, code);
        }
    }
}

#[tokio::test]
async fn an_unknown_version_is_api_version_invalid_on_v2() {
    let app = TestApp::spawn().await;
    for (path, code) in [
        ("/v1/customers", None),
        ("/v2/billing/intents", Some("api_version_invalid")),
    ] {
        for version in ["2019-2-19", "2025-09-30.acacia", "2030-01-01.preview"] {
            let r = app
                .raw(
                    app.client
                        .get(format!("{}{path}", app.base))
                        .bearer_auth(&app.key)
                        .header("stripe-version", version),
                )
                .await;
            check(&r, 400, code);
            assert_eq!(
                r.body["error"]["message"],
                format!("Invalid Stripe API version: {version}")
            );
        }
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_not_found_on_v2() {
    let app = TestApp::spawn().await;
    for (method, path) in [
        (Method::GET, "/v2/billing/nope"),
        (Method::DELETE, "/v2/billing/intents"),
    ] {
        let r = app.send_json(method.clone(), path, None).await;
        check(&r, 404, Some("not_found"));
        assert!(
            r.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(&format!("Unrecognized request URL ({method}: "))),
            "{}",
            r.text
        );
    }
    let r = app.get("/v1/nope", &[]).await;
    check(&r, 404, None);
}

#[tokio::test]
async fn bodies_the_mock_cannot_read_are_invalid_fields_or_too_large() {
    let app = TestApp::spawn().await;
    let raw = |body: String| {
        app.client
            .post(format!("{}/v2/billing/intents", app.base))
            .bearer_auth(&app.key)
            .header("content-type", "application/json")
            .body(body)
    };
    for body in ["{\"currency\":", "[1, 2]", "\"usd\""] {
        let r = app.raw(raw(body.to_owned())).await;
        check(&r, 400, Some("invalid_fields"));
    }
    let big = format!("{{\"currency\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let r = app.raw(raw(big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    check(&r, 413, Some("request_body_too_large"));
}

#[tokio::test]
async fn parameter_errors_without_a_code_of_their_own_are_invalid_fields_on_v2() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    // An enum value, a type, a decimal: no code on v1, `invalid_fields` on v2.
    for (action, param) in [
        (json!({"type": "upgrade"}), "actions[1].type"),
        (
            json!({"type": "subscribe", "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": 5}]}}}),
            "actions[1].subscribe.v1_subscription_details.items[0].price",
        ),
    ] {
        let body = json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), action]});
        let r = post(&app, "/v2/billing/intents", body).await;
        check(&r, 400, Some("invalid_fields"));
        assert_eq!(r.body["error"]["param"], param);
    }
    // Codes of their own stay.
    let r = post(&app, "/v2/billing/intents", json!({"currency": "usd"})).await;
    check(&r, 400, Some("parameter_missing"));
    let r = post(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])], "colour": "red"}),
    )
    .await;
    check(&r, 400, Some("parameter_unknown"));
    // On v1, an invalid enum value has no code.
    let r = app
        .post("/v1/prices", &[("currency", "usd"), ("tax_behavior", "x")])
        .await;
    check(&r, 400, None);
}

#[tokio::test]
async fn an_idempotency_mismatch_is_idempotency_error_on_v2() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let send = |currency: &str| {
        app.client
            .post(format!("{}/v2/billing/intents", app.base))
            .bearer_auth(&app.key)
            .header("idempotency-key", "k-v2-mismatch")
            .json(&json!({"currency": currency, "actions": [subscribe(&[(&price, None)])]}))
    };
    assert_eq!(app.raw(send("usd")).await.status, StatusCode::OK);
    let r = app.raw(send("eur")).await;
    check(&r, 400, Some("idempotency_error"));
    assert_eq!(r.body["error"]["type"], "idempotency_error");
}

#[tokio::test]
async fn more_actions_than_the_mock_keeps_are_too_many_billing_intent_actions() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let actions: Vec<Value> = (0..101).map(|_| subscribe(&[(&price, None)])).collect();
    let r = post(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": actions}),
    )
    .await;
    check(&r, 400, Some("too_many_billing_intent_actions"));
    assert_eq!(r.body["error"]["param"], "actions");
}

//! Hostile and malformed input: every bad request gets a Stripe-shaped 4xx and the server keeps
//! serving.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

impl TestApp {
    async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> crate::helpers::Reply {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        self.raw(req).await
    }
}

fn assert_stripe_400(r: &crate::helpers::Reply, what: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.text);
    assert_eq!(r.body["error"]["type"], "invalid_request_error", "{what}");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}"
    );
}

#[tokio::test]
async fn malformed_v2_bodies_are_400_in_the_v2_envelope() {
    let app = TestApp::spawn().await;
    let json = Some("application/json");
    let cases: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        ("invalid JSON", json, b"{\"currency\":".to_vec()),
        ("JSON that is not an object", json, b"[1,2]".to_vec()),
        ("invalid UTF-8", json, b"{\"currency\":\"\xff\"}".to_vec()),
        (
            "a form body",
            Some("application/x-www-form-urlencoded"),
            b"currency=usd".to_vec(),
        ),
        ("no Content-Type", None, b"{\"currency\":\"usd\"}".to_vec()),
        ("a wrong Content-Type", Some("text/plain"), b"{}".to_vec()),
    ];
    for (what, ct, body) in cases {
        let r = app.post_raw("/v2/billing/intents", ct, body).await;
        assert_stripe_400(&r, what);
        assert!(
            r.body["error"]
                .as_object()
                .is_some_and(|e| e.contains_key("code")),
            "v2 envelope: {what}"
        );
        assert!(
            r.body["error"].get("doc_url").is_none(),
            "v2 envelope has no doc_url: {what}"
        );
    }
}

#[tokio::test]
async fn malformed_v1_bodies_are_400() {
    let app = TestApp::spawn().await;
    let form = Some("application/x-www-form-urlencoded");
    let deep = format!("metadata{}=1", "[a]".repeat(17));
    let cases: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        (
            "JSON on a v1 POST",
            Some("application/json"),
            b"{\"name\":\"x\"}".to_vec(),
        ),
        ("no Content-Type", None, b"name=x".to_vec()),
        ("unclosed bracket", form, b"metadata[a=1".to_vec()),
        ("index above 10000", form, b"expand[10001]=x".to_vec()),
        ("nesting deeper than 16", form, deep.into_bytes()),
        (
            "string above 5000 characters",
            form,
            format!("name={}", "x".repeat(5001)).into_bytes(),
        ),
        ("invalid UTF-8", form, b"name=%ff%fe".to_vec()),
    ];
    for (what, ct, body) in cases {
        let r = app.post_raw("/v1/customers", ct, body).await;
        assert_stripe_400(&r, what);
        assert!(
            r.body["error"].get("doc_url").is_none() || r.body["error"]["code"].is_string(),
            "{what}"
        );
    }
    assert_eq!(
        app.get("/v1/customers", &[]).await.status,
        StatusCode::OK,
        "still serving"
    );
}

#[tokio::test]
async fn v2_json_limits_match_the_form_limits() {
    let app = TestApp::spawn().await;
    let mut deep = json!("x");
    for _ in 0..20 {
        deep = json!({ "a": deep });
    }
    let nested_path = format!("`actions[0]{}`", ".a".repeat(16));
    let cases = [
        (
            "deep nesting",
            json!({"currency": "usd", "actions": [deep]}),
            nested_path.as_str(),
        ),
        (
            "long string",
            json!({"currency": "x".repeat(5001)}),
            "`currency`",
        ),
        (
            "long array",
            json!({"currency": "usd", "actions": vec![json!({}); 10_001]}),
            "`actions`",
        ),
    ];
    for (what, body, path) in cases {
        let r = app
            .send_json(reqwest::Method::POST, "/v2/billing/intents", Some(body))
            .await;
        assert_stripe_400(&r, what);
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(path), "{what}: {message}");
    }
    // The string limit counts characters, not bytes: 5,000 two-byte characters are within it
    // (and then fail as a currency).
    let r = app
        .send_json(
            reqwest::Method::POST,
            "/v2/billing/intents",
            Some(json!({"currency": "é".repeat(5000)})),
        )
        .await;
    assert_stripe_400(&r, "5,000 two-byte characters");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("at most"), "{message}");
    assert_eq!(r.body["error"]["param"], "currency", "{message}");
}

#[tokio::test]
async fn metadata_beyond_stripes_limits_is_rejected() {
    let app = TestApp::spawn().await;
    let many: Vec<(String, String)> = (0..51)
        .map(|i| (format!("metadata[k{i}]"), "v".to_owned()))
        .collect();
    let form: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_stripe_400(&app.post("/v1/customers", &form).await, "51 keys");
    let long_key = format!("metadata[{}]", "k".repeat(41));
    assert_stripe_400(
        &app.post("/v1/customers", &[(long_key.as_str(), "v")]).await,
        "41-char key",
    );
    let long_value = "v".repeat(501);
    assert_stripe_400(
        &app.post("/v1/customers", &[("metadata[k]", long_value.as_str())])
            .await,
        "501-char value",
    );
    let fifty: Vec<(String, String)> = (0..50)
        .map(|i| (format!("metadata[k{i}]"), "v".repeat(500)))
        .collect();
    let form: Vec<(&str, &str)> = fifty
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        app.post("/v1/customers", &form).await.status,
        StatusCode::OK,
        "at the limits"
    );
}

#[tokio::test]
async fn json_objects_with_repeated_or_many_keys_read_as_serde_json_reads_them() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let action = format!(
        r#"{{"type":"subscribe","subscribe":{{"type":"v1_subscription_details","v1_subscription_details":{{"items":[{{"price":"{price}","quantity":1}}]}}}}}}"#
    );
    let json = Some("application/json");
    // A repeated key keeps its last value.
    let body = format!(r#"{{"currency":"eur","actions":[{action}],"currency":"usd"}}"#);
    let r = app
        .post_raw("/v2/billing/intents", json, body.into_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["currency"], "usd");
    // 30,000 unknown keys, largest first and each twice: the error names the smallest, as it
    // would for a map sorted by key, and comes back at once.
    let extra: String = (0..30_000)
        .rev()
        .map(|i| format!(r#","k{i:05}":{i},"k{i:05}":0"#))
        .collect();
    let body = format!(r#"{{"currency":"usd","actions":[{action}]{extra}}}"#);
    let r = app
        .post_raw("/v2/billing/intents", json, body.into_bytes())
        .await;
    assert_stripe_400(&r, "many unknown keys");
    assert_eq!(r.body["error"]["code"], "parameter_unknown", "{}", r.text);
    assert_eq!(r.body["error"]["param"], "k00000");
}

#[tokio::test]
async fn v2_errors_name_json_paths() {
    let app = TestApp::spawn().await;
    let body = json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "bogus"}}]});
    let r = app
        .send_json(reqwest::Method::POST, "/v2/billing/intents", Some(body))
        .await;
    assert_stripe_400(&r, "bad enum");
    assert_eq!(r.body["error"]["param"], "actions[0].subscribe.type");
    let body = json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": "p", "colour": 1}]}}}]});
    let r = app
        .send_json(reqwest::Method::POST, "/v2/billing/intents", Some(body))
        .await;
    assert_eq!(r.body["error"]["code"], "parameter_unknown", "{}", r.text);
    assert_eq!(
        r.body["error"]["param"],
        "actions[0].subscribe.v1_subscription_details.items[0].colour"
    );
}

#[tokio::test]
async fn v2_sibling_objects_and_refused_fields_name_their_paths() {
    let app = TestApp::spawn().await;
    let subscribe = json!({"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": "p", "quantity": 1}]}});
    // An action carries only the object its `type` names.
    let body = json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": subscribe, "modify": {"type": "x"}}]});
    let r = app
        .send_json(reqwest::Method::POST, "/v2/billing/intents", Some(body))
        .await;
    assert_stripe_400(&r, "sibling object");
    assert_eq!(r.body["error"]["param"], "actions[0].modify", "{}", r.text);
    assert_eq!(
        r.body["error"]["message"],
        "`modify` may only be given when `actions[0].type` is `modify`, not `subscribe`."
    );
    // A sibling sent as null counts as not sent.
    let body = json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": subscribe, "modify": null}]});
    let r = app
        .send_json(reqwest::Method::POST, "/v2/billing/intents", Some(body))
        .await;
    assert_ne!(r.body["error"]["param"], "actions[0].modify", "{}", r.text);
    // `effective_at.timestamp` belongs to `type: timestamp` only.
    let mut with_timestamp = subscribe.clone();
    with_timestamp["effective_at"] =
        json!({"type": "on_reserve", "timestamp": "2025-01-01T00:00:00Z"});
    let body =
        json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": with_timestamp}]});
    let r = app
        .send_json(reqwest::Method::POST, "/v2/billing/intents", Some(body))
        .await;
    assert_stripe_400(&r, "refused field");
    let path = "actions[0].subscribe.effective_at.timestamp";
    assert_eq!(r.body["error"]["param"], path, "{}", r.text);
    assert_eq!(
        r.body["error"]["message"],
        format!("`{path}` is only allowed when `type` is `timestamp`.")
    );
}

#[tokio::test]
async fn the_server_keeps_serving_after_errors() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.post_raw(
            "/v2/billing/intents",
            Some("application/json"),
            b"{".to_vec(),
        )
        .await;
        app.get("/v1/customers/cus_nope", &[]).await;
    }
    let id = app.customer().await;
    assert_eq!(
        app.get(&format!("/v1/customers/{id}"), &[]).await.status,
        StatusCode::OK
    );
}

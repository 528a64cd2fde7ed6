//! Idempotent requests: replays, mismatches, concurrency.

use reqwest::StatusCode;

use crate::helpers::TestApp;

impl TestApp {
    async fn post_with_key(&self, path: &str, body: &str, key: &str) -> crate::helpers::Reply {
        self.raw(
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.key)
                .header("idempotency-key", key)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_owned()),
        )
        .await
    }

    async fn post_json_with_key(
        &self,
        path: &str,
        body: &serde_json::Value,
        key: &str,
    ) -> crate::helpers::Reply {
        self.raw(
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.key)
                .header("idempotency-key", key)
                .json(body),
        )
        .await
    }
}

#[tokio::test]
async fn a_repeat_replays_the_first_response_byte_for_byte() {
    let app = TestApp::spawn().await;
    let first = app
        .post_with_key("/v1/customers", "email=a%40b.c&metadata[x]=1", "k-1")
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.header("idempotent-replayed").is_none());
    // Same parameters in another order and encoding.
    let again = app
        .post_with_key("/v1/customers", "metadata%5Bx%5D=1&email=a%40b.c", "k-1")
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.text, first.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("idempotency-key"), Some("k-1"));
    let list = app.get_ok("/v1/customers", &[]).await;
    assert_eq!(
        list["data"].as_array().map(Vec::len),
        Some(1),
        "nothing new was created"
    );
}

#[tokio::test]
async fn large_requests_replay_and_mismatch_like_small_ones() {
    let app = TestApp::spawn().await;
    // Over the size kept whole: the key keeps a fingerprint, and the handler still gets every
    // parameter.
    let long = "d".repeat(3000);
    let first = app
        .post_with_key(
            "/v1/customers",
            &format!("email=a%40b.c&description={long}"),
            "k-large",
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["description"].as_str().map(str::len), Some(3000));
    let again = app
        .post_with_key(
            "/v1/customers",
            &format!("description={long}&email=a%40b.c"),
            "k-large",
        )
        .await;
    assert_eq!(again.text, first.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = app
        .post_with_key(
            "/v1/customers",
            &format!("email=a%40b.c&description={long}x"),
            "k-large",
        )
        .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert_eq!(other.body["error"]["type"], "idempotency_error");
    // A small first use, retried with the same parameters in a large, padded body.
    let small = app
        .post_with_key("/v1/customers", "email=c%40d.e", "k-mixed")
        .await;
    let padded = format!("email=c%40d.e{}", "&".repeat(2000));
    let retried = app.post_with_key("/v1/customers", &padded, "k-mixed").await;
    assert_eq!(retried.text, small.text);
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
}

#[tokio::test]
async fn error_responses_are_replayed_too() {
    let app = TestApp::spawn().await;
    let first = app
        .post_with_key(
            "/v1/prices",
            "currency=usd&unit_amount=1&product=prod_nope",
            "k-err",
        )
        .await;
    assert_eq!(first.status, StatusCode::NOT_FOUND);
    let again = app
        .post_with_key(
            "/v1/prices",
            "currency=usd&unit_amount=1&product=prod_nope",
            "k-err",
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.text, first.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
}

#[tokio::test]
async fn validation_failures_are_not_stored() {
    let app = TestApp::spawn().await;
    let bad = app.post_with_key("/v1/customers", "bogus=1", "k-v").await;
    assert_eq!(bad.code(), "parameter_unknown");
    let fixed = app.post_with_key("/v1/customers", "name=ok", "k-v").await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.text);
    assert!(fixed.header("idempotent-replayed").is_none());
}

#[tokio::test]
async fn the_same_key_with_other_parameters_is_an_idempotency_error() {
    let app = TestApp::spawn().await;
    app.post_with_key("/v1/customers", "name=a", "k-2").await;
    let r = app.post_with_key("/v1/customers", "name=b", "k-2").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["type"], "idempotency_error");
    let r = app.post_with_key("/v1/products", "name=a", "k-2").await;
    assert_eq!(r.body["error"]["type"], "idempotency_error", "another path");
}

#[tokio::test]
async fn keys_are_scoped_to_the_account() {
    let app = TestApp::spawn().await;
    let other = app.other_account();
    let a = app.post_with_key("/v1/customers", "name=a", "shared").await;
    let b = other
        .post_with_key("/v1/customers", "name=b", "shared")
        .await;
    assert_eq!(b.status, StatusCode::OK);
    assert_ne!(a.body["id"], b.body["id"]);
}

#[tokio::test]
async fn overlong_keys_are_rejected() {
    let app = TestApp::spawn().await;
    let r = app
        .post_with_key("/v1/customers", "", &"k".repeat(256))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_execute_once() {
    let app = TestApp::spawn().await;
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let client = app.client.clone();
        let url = format!("{}/v1/customers", app.base);
        let key = app.key.clone();
        tasks.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .bearer_auth(key)
                .header("idempotency-key", "concurrent")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("name=once")
                .send()
                .await
                .expect("sent");
            (resp.status(), resp.text().await.expect("body"))
        }));
    }
    let mut bodies = std::collections::HashSet::new();
    for t in tasks {
        let (status, body) = t.await.expect("task");
        assert!(
            status == StatusCode::OK || status == StatusCode::CONFLICT,
            "{status}"
        );
        if status == StatusCode::OK {
            bodies.insert(body);
        }
    }
    assert_eq!(bodies.len(), 1, "every success is the same response");
    let list = app.get_ok("/v1/customers", &[]).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn get_requests_ignore_the_key() {
    let app = TestApp::spawn().await;
    let r = app
        .raw(
            app.client
                .get(format!("{}/v1/customers", app.base))
                .bearer_auth(&app.key)
                .header("idempotency-key", "g"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.customer().await;
    let r2 = app
        .raw(
            app.client
                .get(format!("{}/v1/customers", app.base))
                .bearer_auth(&app.key)
                .header("idempotency-key", "g"),
        )
        .await;
    assert_ne!(r.text, r2.text);
}

#[tokio::test]
async fn keys_expire_after_a_day_of_the_server_clock() {
    let app = TestApp::spawn().await;
    let Some(server) = app.server.as_ref() else {
        return; // the clock of a shared external server belongs to everyone
    };
    app.post_with_key("/v1/customers", "name=a", "k-exp").await;
    server.advance_clock(std::time::Duration::from_secs(24 * 3600 - 60));
    let r = app.post_with_key("/v1/customers", "name=b", "k-exp").await;
    assert_eq!(
        r.body["error"]["type"], "idempotency_error",
        "still remembered"
    );
    server.advance_clock(std::time::Duration::from_secs(120));
    let r = app.post_with_key("/v1/customers", "name=b", "k-exp").await;
    assert_eq!(r.status, StatusCode::OK, "forgotten after 24 h: {}", r.text);
    assert_eq!(r.body["name"], "b");
}

#[tokio::test]
async fn v2_requests_replay_and_mismatch_in_the_v2_envelope() {
    let app = TestApp::spawn().await;
    let app = &app;
    let send = |body: serde_json::Value| async move {
        app.post_json_with_key("/v2/billing/cadences", &body, "v2-key")
            .await
    };
    let body = serde_json::json!({"billing_cycle": {"type": "month", "month": {"day_of_month": 1}}, "payer": {"billing_profile": "bilp_1"}});
    let first = send(body.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let again = send(body).await;
    assert_eq!(again.text, first.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = send(serde_json::json!({"billing_cycle": {"type": "week", "week": {"day_of_week": 1}}, "payer": {"billing_profile": "bilp_1"}})).await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert_eq!(other.body["error"]["type"], "idempotency_error");
    assert!(
        other.body["error"]
            .as_object()
            .is_some_and(|e| e.contains_key("code")),
        "v2 envelope"
    );
}

#[tokio::test]
async fn keyed_requests_see_the_same_parameters_as_unkeyed_ones() {
    let app = TestApp::spawn().await;
    // v1: query parameters merge with the form body, the body winning.
    let keyed = app
        .post_with_key(
            "/v1/customers?name=Query&description=from%20query",
            "name=Body&metadata[k]=v",
            "k-merge",
        )
        .await;
    assert_eq!(keyed.status, StatusCode::OK, "{}", keyed.text);
    assert_eq!(keyed.body["name"], "Body");
    assert_eq!(keyed.body["description"], "from query");
    assert_eq!(keyed.body["metadata"]["k"], "v");
    // Validation runs on the same parameters: an unknown one is refused with its name.
    let bad = app
        .post_with_key("/v1/customers", "email=a%40b.c&bogus=1", "k-bad")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["error"]["param"], "bogus");
    // v2: the JSON body is read once, and the same object comes out with or without a key.
    let price = app.recurring_price(1000, "usd").await;
    let body = serde_json::json!({
        "currency": "usd",
        "actions": [{"type": "subscribe", "subscribe": {
            "type": "v1_subscription_details",
            "v1_subscription_details": {"items": [{"price": price, "quantity": 2}]}
        }}]
    });
    let r = app
        .post_json_with_key("/v2/billing/intents", &body, "k-v2")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let plain = app
        .send_json(reqwest::Method::POST, "/v2/billing/intents", Some(body))
        .await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.text);
    assert_eq!(r.body["amount_details"], plain.body["amount_details"]);
    assert_eq!(
        r.body["amount_details"]["subtotal"], "2000",
        "the default version"
    );
}

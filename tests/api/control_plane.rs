//! The `/_mock/` control plane over HTTP.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

impl TestApp {
    async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> crate::helpers::Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.raw(req).await
    }
}

#[tokio::test]
async fn control_plane_needs_no_key_and_reset_clears_one_account() {
    let app = TestApp::spawn().await;
    let other = app.other_account();
    let mine = app.customer().await;
    let theirs = other.customer().await;
    let r = app
        .admin(
            reqwest::Method::POST,
            &format!("/_mock/reset?api_key={}", app.key),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/v1/customers/{mine}"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/v1/customers/{theirs}"), &[])
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_journal_is_filterable_and_clearable() {
    let app = TestApp::spawn().await;
    let other = app.other_account();
    app.customer().await;
    other.get_ok("/v1/customers", &[]).await;
    let r = app
        .admin(
            reqwest::Method::GET,
            &format!("/_mock/requests?api_key={}", app.key),
            None,
        )
        .await;
    let data = r.body["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["path"], "/v1/customers");
    assert_eq!(data[0]["method"], "POST");
    assert_eq!(data[0]["body"], "email=test%40test.com");
    let r = app
        .admin(
            reqwest::Method::GET,
            "/_mock/requests?path_prefix=/v2",
            None,
        )
        .await;
    assert_eq!(r.body["data"].as_array().map(Vec::len), Some(0));
    app.admin(reqwest::Method::DELETE, "/_mock/requests", None)
        .await;
    let r = app
        .admin(reqwest::Method::GET, "/_mock/requests", None)
        .await;
    assert_eq!(r.body["data"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn faults_can_be_registered_listed_and_cleared() {
    let app = TestApp::spawn().await;
    let fault = json!({"method": "POST", "path": "/v1/*", "status": 402, "times": 3,
        "error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}});
    let r = app
        .admin(reqwest::Method::POST, "/_mock/faults", Some(fault))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["remaining"], 3);
    let declined = app.post("/v1/customers", &[]).await;
    assert_eq!(declined.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(declined.code(), "card_declined");
    let listed = app.admin(reqwest::Method::GET, "/_mock/faults", None).await;
    assert_eq!(listed.body["data"][0]["remaining"], 2);
    app.admin(reqwest::Method::DELETE, "/_mock/faults", None)
        .await;
    assert_eq!(app.post("/v1/customers", &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_close_connection_fault_drops_the_connection() {
    let app = TestApp::spawn().await;
    app.admin(
        reqwest::Method::POST,
        "/_mock/faults",
        Some(json!({"path": "/v1/customers", "close_connection": true})),
    )
    .await;
    let result = app
        .client
        .get(format!("{}/v1/customers", app.base))
        .bearer_auth(&app.key)
        .send()
        .await;
    let failed = match result {
        Err(_) => true,
        Ok(resp) => resp.text().await.is_err(),
    };
    assert!(failed, "the request must fail at the connection level");
    assert_eq!(
        app.get("/v1/customers", &[]).await.status,
        StatusCode::OK,
        "the server keeps serving"
    );
}

#[tokio::test]
async fn invalid_faults_are_400() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"path": "/x"}),
        json!({"path": "/x", "status": 200}),
        json!({"path": "/x", "status": 500, "bogus": 1}),
        json!([1]),
    ] {
        let r = app
            .admin(reqwest::Method::POST, "/_mock/faults", Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
}

#[tokio::test]
async fn the_clock_can_be_frozen_and_advanced() {
    let app = TestApp::spawn().await;
    if app.server.is_none() {
        return; // a shared external server's clock belongs to everyone
    }
    let r = app
        .admin(
            reqwest::Method::POST,
            "/_mock/clock",
            Some(json!({"freeze_at": "2030-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(r.body["now"], 1_893_456_000);
    assert_eq!(r.body["frozen"], true);
    assert_eq!(
        app.post_ok("/v1/customers", &[]).await["created"],
        1_893_456_000
    );
    let r = app
        .admin(
            reqwest::Method::POST,
            "/_mock/clock",
            Some(json!({"advance_seconds": 90})),
        )
        .await;
    assert_eq!(r.body["now_iso"], "2030-01-01T00:01:30.000Z");
    assert_eq!(
        app.post_ok("/v1/customers", &[]).await["created"],
        1_893_456_090
    );
    let r = app
        .admin(
            reqwest::Method::POST,
            "/_mock/clock",
            Some(json!({"unfreeze": true})),
        )
        .await;
    assert_eq!(r.body["frozen"], false);
    let r = app
        .admin(
            reqwest::Method::POST,
            "/_mock/clock",
            Some(json!({"freeze_at": "yesterday"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn faults_are_capped_and_a_full_registry_is_a_clear_400() {
    let app = TestApp::spawn().await;
    let max = stripe_billing_mock::http::faults::MAX_FAULTS;
    for i in 0..max {
        let r = app
            .admin(
                reqwest::Method::POST,
                "/_mock/faults",
                Some(
                    json!({"path": format!("/v1/nothing/{i}"), "status": 500, "api_key": app.key}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let full = app
        .admin(
            reqwest::Method::POST,
            "/_mock/faults",
            Some(json!({"path": "/v1/customers", "status": 500})),
        )
        .await;
    assert_eq!(full.status, StatusCode::BAD_REQUEST);
    assert!(
        full.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 1000 faults")),
        "{}",
        full.text
    );
    // Requests still answer normally: none of the registered faults matches them.
    assert_eq!(app.get("/v1/customers", &[]).await.status, StatusCode::OK);
    let cleared = app
        .admin(
            reqwest::Method::DELETE,
            &format!("/_mock/faults?api_key={}", app.key),
            None,
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    let room = app
        .admin(
            reqwest::Method::POST,
            "/_mock/faults",
            Some(json!({"path": "/v1/customers", "status": 500})),
        )
        .await;
    assert_eq!(room.status, StatusCode::OK);
}

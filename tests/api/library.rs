//! The library API of `MockServer`: reset, journal, clock, deterministic mode, faults, drop.
//! These tests need an in-process server, so they do not use `STRIPE_MOCK_TEST_URL`.

use chrono::TimeZone;
use reqwest::StatusCode;
use stripe_billing_mock::MockServer;
use stripe_billing_mock::http::faults::FaultSpec;

use crate::helpers::{TestApp, fresh_key};

fn server(app: &TestApp) -> &MockServer {
    app.server.as_ref().expect("in-process server")
}

#[tokio::test]
async fn received_requests_returns_what_was_sent_with_the_status() {
    let app = TestApp::on(MockServer::start().await);
    let created = app
        .post("/v1/customers", &[("email", "a@b.c"), ("metadata[k]", "v")])
        .await;
    app.get("/v1/customers/cus_nope", &[("expand[]", "x")])
        .await;
    let requests = server(&app).received_requests().await;
    assert_eq!(requests.len(), 2);
    let post = &requests[0];
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, "/v1/customers");
    assert_eq!(post.status, 200);
    // The key is compared whole but shown redacted, like the Authorization header.
    assert!(post.sent_with(&app.key));
    let tail = &app.key[app.key.len() - 4..];
    assert_eq!(post.api_key, Some(format!("sk_test_…{tail}")));
    assert_eq!(post.body, b"email=a%40b.c&metadata[k]=v");
    assert_eq!(post.body_form().expect("form")["metadata"]["k"], "v");
    assert_eq!(Some(post.request_id.as_str()), created.header("request-id"));
    assert_eq!(
        post.header("Authorization"),
        Some(format!("Bearer sk_test_…{tail}").as_str())
    );
    assert!(post.request_id.starts_with("req_"));
    let get = &requests[1];
    assert_eq!(get.status, 404);
    assert_eq!(get.query.as_deref(), Some("expand[]=x"));
}

#[tokio::test]
async fn the_journal_keeps_only_the_configured_number_of_requests() {
    let app = TestApp::on(MockServer::builder().journal_limit(2).start().await);
    for _ in 0..3 {
        app.get_ok("/v1/customers", &[]).await;
    }
    assert_eq!(server(&app).received_requests().await.len(), 2);
}

#[tokio::test]
async fn reset_forgets_objects_and_requests() {
    let app = TestApp::on(MockServer::start().await);
    let id = app.customer().await;
    server(&app).reset().await;
    assert!(server(&app).received_requests().await.is_empty());
    assert_eq!(
        app.get(&format!("/v1/customers/{id}"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn resetting_one_account_leaves_the_others_intact() {
    let app = TestApp::on(MockServer::start().await);
    let other = app.other_account();
    let mine = app.customer().await;
    let theirs = other.customer().await;
    server(&app).reset_account(&app.key).await;
    let journal = server(&app).received_requests().await;
    assert!(journal.iter().all(|r| !r.sent_with(&app.key)));
    assert!(journal.iter().any(|r| r.sent_with(&other.key)));
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
async fn two_deterministic_runs_give_identical_bodies() {
    async fn run() -> Vec<String> {
        let server = MockServer::builder().deterministic().start().await;
        let mut app = TestApp::on(server);
        app.key = "sk_test_fixed".into();
        let mut bodies = Vec::new();
        let c = app.post("/v1/customers", &[("email", "a@b.c")]).await;
        bodies.push(c.text.clone());
        let p = app
            .post(
                "/v1/prices",
                &[
                    ("currency", "usd"),
                    ("unit_amount", "500"),
                    ("product_data[name]", "x"),
                ],
            )
            .await;
        bodies.push(p.text);
        bodies.push(app.get("/v1/customers", &[]).await.text);
        bodies.push(c.header("request-id").unwrap_or_default().to_owned());
        bodies
    }
    let first = run().await;
    assert_eq!(first, run().await);
    assert!(first[0].contains("\"created\":1735689600"), "{}", first[0]);
}

#[tokio::test]
async fn advancing_the_clock_changes_created_of_new_objects() {
    let start = chrono::Utc
        .with_ymd_and_hms(2030, 5, 1, 12, 0, 0)
        .single()
        .expect("valid");
    let app = TestApp::on(MockServer::builder().clock_start(start).start().await);
    let before = app.post_ok("/v1/customers", &[]).await;
    server(&app).advance_clock(std::time::Duration::from_secs(86_400));
    let after = app.post_ok("/v1/customers", &[]).await;
    assert_eq!(before["created"], start.timestamp());
    assert_eq!(after["created"], start.timestamp() + 86_400);
}

#[tokio::test]
async fn injected_faults_answer_the_next_matching_requests_then_stop() {
    let app = TestApp::on(MockServer::start().await);
    let spec: FaultSpec = serde_json::from_value(serde_json::json!({
        "method": "GET", "path": "/v1/customers", "status": 503, "times": 2, "should_retry": true
    }))
    .expect("valid spec");
    server(&app).inject_fault(spec).expect("room for a fault");
    for _ in 0..2 {
        let r = app.get("/v1/customers", &[]).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.body["error"]["type"], "api_error");
        assert_eq!(r.header("stripe-should-retry"), Some("true"));
        assert!(r.header("request-id").is_some());
    }
    assert_eq!(app.get("/v1/customers", &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = MockServer::start().await;
    let address = server.address();
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

#[tokio::test]
async fn the_account_handle_returns_stored_objects_as_the_api_renders_them() {
    let app = TestApp::on(MockServer::start().await);
    let price = app.price(1500, "usd").await;
    let intent = crate::intent_helpers::create(
        &app,
        serde_json::json!({"currency": "usd", "actions": [crate::intent_helpers::subscribe(&[(price.as_str(), Some(2))])]}),
    )
    .await;
    let id = intent["id"].as_str().expect("id").to_owned();
    let over_http = crate::intent_helpers::ok(
        crate::intent_helpers::get(&app, &format!("/v2/billing/intents/{id}")).await,
    );
    let account = server(&app).account(&app.key);
    assert_eq!(account.billing_intent(&id), Some(over_http));
    assert_eq!(
        account.price(&price).map(|p| p["unit_amount"].clone()),
        Some(serde_json::json!(1500))
    );
    assert!(
        server(&app)
            .account(&fresh_key())
            .billing_intent(&id)
            .is_none(),
        "other accounts do not see it"
    );
    account.reset();
    assert!(account.billing_intent(&id).is_none());
}

#[tokio::test]
async fn the_account_handle_returns_invoices_and_items() {
    let app = TestApp::on(MockServer::start().await);
    let customer = app.customer().await;
    let invoice = crate::invoice_support::draft(&app, &customer).await;
    let id = invoice["id"].as_str().expect("id").to_owned();
    crate::invoice_support::add_amount_line(&app, &id, 799).await;
    let item = crate::invoice_support::pending_item(&app, &customer, 199, "Canned Coffee").await;
    let account = server(&app).account(&app.key);
    // The handle renders in the account's default version, as a request without
    // `Stripe-Version` gets it: the newest, then the one set for the account.
    let unversioned = app.at_version(None);
    let over_http = unversioned.get_ok(&format!("/v1/invoices/{id}"), &[]).await;
    assert!(over_http["parent"].is_null() && over_http.get("paid").is_none());
    assert_eq!(account.invoice(&id), Some(over_http));
    account
        .set_api_version(Some(crate::helpers::LEGACY))
        .expect("a published version");
    let over_http = unversioned.get_ok(&format!("/v1/invoices/{id}"), &[]).await;
    assert_eq!(over_http["paid"], false);
    assert_eq!(account.invoice(&id), Some(over_http));
    assert_eq!(
        account.invoice_item(&item).map(|i| i["amount"].clone()),
        Some(serde_json::json!(199))
    );
    assert!(account.invoice("in_missing").is_none());
}

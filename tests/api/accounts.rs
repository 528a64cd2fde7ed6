//! Accounts are bounded: start-up fixtures are shared by every account until its first write,
//! and beyond the account limit the least recently used account is forgotten.

use reqwest::StatusCode;
use serde_json::json;
use stripe_billing_mock::MockServer;

use crate::helpers::{TestApp, fresh_key};

/// A fixture document of `n` customers with a 4,000-character description each (~`n` × 4 KB).
fn big_fixtures(n: usize) -> serde_json::Value {
    let text = "x".repeat(4_000);
    let customers: Vec<_> = (0..n)
        .map(|i| json!({"id": format!("cus_fixture_{i}"), "description": text}))
        .collect();
    json!({ "customers": customers })
}

#[tokio::test]
async fn keys_that_only_read_share_the_fixtures_and_the_first_write_copies_them() {
    let server = MockServer::builder()
        .fixtures(big_fixtures(200))
        .start()
        .await;
    let app = TestApp::on(server);
    let server = app.server.as_ref().expect("in-process");
    let keys: Vec<String> = (0..300).map(|_| fresh_key()).collect();
    for key in &keys {
        let r = app
            .raw(
                app.client
                    .get(format!("{}/v1/customers/cus_fixture_7", app.base))
                    .bearer_auth(key),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    // 300 accounts, none with a copy of its own: a reading key costs no copy of ~800 KB.
    assert_eq!(server.store().account_counts(), (300, 0));
    let writer = app.raw(
        app.client
            .post(format!("{}/v1/customers", app.base))
            .bearer_auth(&keys[0])
            .header("content-type", "application/x-www-form-urlencoded")
            .body("email=w%40example.com"),
    );
    assert_eq!(writer.await.status, StatusCode::OK);
    assert_eq!(server.store().account_counts(), (300, 1));
    // The copy is the writer's alone: the others still see only the fixtures.
    let listed = app
        .raw(
            app.client
                .get(format!("{}/v1/customers?limit=1", app.base))
                .bearer_auth(&keys[1]),
        )
        .await;
    assert!(
        listed.body["data"][0]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("cus_fixture_"))
    );
}

#[tokio::test]
async fn beyond_the_limit_the_least_recently_used_account_is_forgotten() {
    let app = TestApp::on(MockServer::start().await);
    let server = app.server.as_ref().expect("in-process");
    server.store().set_max_accounts(3);
    server.freeze_clock(chrono::Utc::now());
    let accounts: Vec<TestApp> = (0..3).map(|_| app.other_account()).collect();
    let mut customers = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        customers.push(a.customer().await);
        // Each account is used at a later instant than the one before it.
        server.advance_clock(std::time::Duration::from_secs(1 + i as u64));
    }
    // Using the first account again makes the second the least recently used.
    assert_eq!(
        accounts[0]
            .get(&format!("/v1/customers/{}", customers[0]), &[])
            .await
            .status,
        StatusCode::OK
    );
    server.advance_clock(std::time::Duration::from_secs(10));
    let newcomer = app.other_account();
    newcomer.customer().await;
    assert_eq!(server.store().account_counts().0, 3);
    let gone = accounts[1]
        .get(&format!("/v1/customers/{}", customers[1]), &[])
        .await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "the least recently used was forgotten"
    );
    let kept = accounts[0]
        .get(&format!("/v1/customers/{}", customers[0]), &[])
        .await;
    assert_eq!(kept.status, StatusCode::OK);
}

//! State integrity under concurrent clients.

use reqwest::StatusCode;

use crate::helpers::TestApp;
use crate::intent_helpers::{get, intent_of, ok};

#[tokio::test]
async fn sixty_four_mixed_transitions_leave_an_intent_in_a_serially_reachable_state() {
    let app = TestApp::spawn().await;
    for round in 0..3 {
        let id = intent_of(&app, 2000).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let ops = ["reserve", "release_reservation", "commit", "cancel"];
        let mut tasks = Vec::new();
        for i in 0..64 {
            let op = ops[(i * 7 + round) % ops.len()];
            let client = app.client.clone();
            let url = format!("{}/v2/billing/intents/{id}/{op}", app.base);
            let key = app.key.clone();
            tasks.push(tokio::spawn(async move {
                let status = client
                    .post(url)
                    .bearer_auth(key)
                    .send()
                    .await
                    .expect("sent")
                    .status();
                (op, status)
            }));
        }
        let mut ok_count = std::collections::HashMap::new();
        for t in tasks {
            let (op, status) = t.await.expect("task");
            assert!(
                status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
                "{op}: {status}"
            );
            if status == StatusCode::OK {
                *ok_count.entry(op).or_insert(0i64) += 1;
            }
        }
        let n = |op: &str| ok_count.get(op).copied().unwrap_or(0);
        let (reserves, releases, commits, cancels) = (
            n("reserve"),
            n("release_reservation"),
            n("commit"),
            n("cancel"),
        );
        let intent = ok(get(&app, &format!("/v2/billing/intents/{id}")).await);
        let t = &intent["status_transitions"];
        // Every serial order alternates reserve/release from draft and ends at most once.
        assert!(commits + cancels <= 1, "{ok_count:?}");
        assert!(
            reserves - releases == 0 || reserves - releases == 1,
            "{ok_count:?}"
        );
        match intent["status"].as_str() {
            Some("draft") => {
                assert_eq!(
                    (reserves - releases, commits, cancels),
                    (0, 0, 0),
                    "{ok_count:?}"
                );
                assert!(t["reserved_at"].is_null());
            }
            Some("reserved") => {
                assert_eq!(
                    (reserves - releases, commits, cancels),
                    (1, 0, 0),
                    "{ok_count:?}"
                );
                assert!(t["reserved_at"].is_string());
            }
            Some("committed") => {
                assert_eq!(
                    (reserves - releases, commits, cancels),
                    (1, 1, 0),
                    "{ok_count:?}"
                );
                assert!(t["committed_at"].is_string() && t["reserved_at"].is_string());
                assert!(t["canceled_at"].is_null());
            }
            Some("canceled") => {
                assert_eq!((commits, cancels), (0, 1), "{ok_count:?}");
                assert!(t["canceled_at"].is_string() && t["committed_at"].is_null());
            }
            other => panic!("unexpected status {other:?}"),
        }
        assert!(t["drafted_at"].is_string());
    }
}

#[tokio::test]
async fn sixty_four_concurrent_add_and_remove_lines_lose_nothing() {
    use crate::invoice_support::{add_amount_line, draft};

    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = draft(&app, &customer).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Arrange: 32 lines of 100 each, to be removed concurrently.
    for _ in 0..32 {
        add_amount_line(&app, &invoice, 100).await;
    }
    let all = app
        .get_ok(
            &format!("/v1/invoices/{invoice}/lines"),
            &[("limit", "100")],
        )
        .await;
    let existing: Vec<String> = all["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|l| l["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(existing.len(), 32);

    // Act: 32 add_lines (amounts 1..=32) and 32 remove_lines, all at once.
    let mut tasks = Vec::new();
    for i in 0..64usize {
        let client = app.client.clone();
        let key = app.key.clone();
        let (path, body) = if i % 2 == 0 {
            ("add_lines", format!("lines[0][amount]={}", i / 2 + 1))
        } else {
            (
                "remove_lines",
                format!("lines[0][id]={}&lines[0][behavior]=delete", existing[i / 2]),
            )
        };
        let url = format!("{}/v1/invoices/{invoice}/{path}", app.base);
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(key)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .expect("sent")
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), StatusCode::OK);
    }

    // Assert: exactly the 32 added lines remain, and the totals are their sum.
    let lines = app
        .get_ok(
            &format!("/v1/invoices/{invoice}/lines"),
            &[("limit", "100")],
        )
        .await;
    let mut amounts: Vec<i64> = lines["data"]
        .as_array()
        .map(|d| d.iter().filter_map(|l| l["amount"].as_i64()).collect())
        .unwrap_or_default();
    amounts.sort_unstable();
    assert_eq!(amounts, (1..=32).collect::<Vec<i64>>());
    let inv = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    let sum: i64 = (1..=32).sum();
    for field in ["subtotal", "total", "amount_due", "amount_remaining"] {
        assert_eq!(inv[field], sum, "{field}");
    }
}

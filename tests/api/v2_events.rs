//! v2 thin events and event destinations over HTTP: `/v2/core/events`, the thin types each
//! operation causes at the version before and from which they exist, destinations, and thin
//! deliveries to a receiving server on loopback (channels with timeouts, no sleeps).

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::helpers::{TestApp, id_of};

const WAIT: Duration = Duration::from_secs(10);

async fn set_version(app: &TestApp, version: &str) {
    let r = app
        .client
        .post(format!(
            "{}/_mock/api_version?api_key={}",
            app.base, app.key
        ))
        .json(&json!({ "api_version": version }))
        .send()
        .await
        .expect("control plane");
    assert!(
        r.status().is_success(),
        "{}",
        r.text().await.unwrap_or_default()
    );
}

async fn thin_types(app: &TestApp, query: &[(&str, &str)]) -> Vec<String> {
    app.event_types("/v2/core/events", query).await
}

/// An invoice with two lines added, one updated (quantity and amount), one removed.
async fn line_changes(app: &TestApp) -> String {
    let customer = app.customer().await;
    let invoice = id_of(
        &app.post_ok("/v1/invoices", &[("customer", &customer)])
            .await,
    );
    let added = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[("lines[0][amount]", "799"), ("lines[1][amount]", "100")],
        )
        .await;
    let line = added["lines"]["data"][0]["id"]
        .as_str()
        .expect("line")
        .to_owned();
    let other = added["lines"]["data"][1]["id"]
        .as_str()
        .expect("line")
        .to_owned();
    app.post_ok(
        &format!("/v1/invoices/{invoice}/update_lines"),
        &[("lines[0][id]", &line), ("lines[0][amount]", "900")],
    )
    .await;
    app.post_ok(
        &format!("/v1/invoices/{invoice}/remove_lines"),
        &[("lines[0][id]", &other), ("lines[0][behavior]", "delete")],
    )
    .await;
    invoice
}

#[tokio::test]
async fn line_operations_emit_line_item_events_from_endive_2026_10_28() {
    let app = TestApp::spawn().await;
    set_version(&app, "2026-10-28.endive").await;
    let invoice = line_changes(&app).await;
    let types = thin_types(&app, &[("object_id", &invoice)]).await;
    assert_eq!(
        types,
        [
            "v1.invoice.created",
            "v1.invoice.line_item_added",
            "v1.invoice.line_item_added",
            "v1.invoice.updated",
            // A new amount gives the line a new ad-hoc price: its `pricing` changes.
            "v1.invoice.line_item_pricing_changed",
            "v1.invoice.updated",
            "v1.invoice.line_item_removed",
            "v1.invoice.updated",
        ]
    );
    let all = thin_types(&app, &[]).await;
    assert!(all.contains(&"v1.invoiceitem.created".to_owned()));
    assert!(all.contains(&"v1.invoiceitem.amount_changed".to_owned()));
    assert!(all.contains(&"v1.invoiceitem.deleted".to_owned()));
    assert!(!all.iter().any(|t| t == "v1.invoiceitem.updated"));
}

#[tokio::test]
async fn before_endive_2026_10_28_only_the_invoice_basics_exist() {
    let app = TestApp::spawn().await;
    set_version(&app, "2026-09-30.endive").await;
    line_changes(&app).await;
    let types = thin_types(&app, &[]).await;
    assert!(types.contains(&"v1.invoice.created".to_owned()));
    assert!(types.contains(&"v1.invoiceitem.created".to_owned()));
    assert!(
        !types
            .iter()
            .any(|t| t.contains("line_item") || t.ends_with("amount_changed"))
    );
    // Before endive no thin event type exists at all.
    set_version(&app, "2026-08-26.dahlia").await;
    assert!(thin_types(&app, &[]).await.is_empty());
}

#[tokio::test]
async fn status_changes_emit_their_thin_types() {
    let app = TestApp::spawn().await;
    set_version(&app, "2026-10-28.endive").await;
    let customer = app.customer().await;
    let invoice = id_of(
        &app.post_ok("/v1/invoices", &[("customer", &customer)])
            .await,
    );
    app.post_ok(
        &format!("/v1/invoices/{invoice}/add_lines"),
        &[("lines[0][amount]", "500")],
    )
    .await;
    app.post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;
    app.post_ok(
        &format!("/v1/invoices/{invoice}/pay"),
        &[("paid_out_of_band", "true")],
    )
    .await;
    let types = thin_types(
        &app,
        &[
            ("object_id", &invoice),
            ("types[0]", "v1.invoice.finalized"),
            ("types[1]", "v1.invoice.paid"),
        ],
    )
    .await;
    assert_eq!(types, ["v1.invoice.finalized", "v1.invoice.paid"]);
}

#[tokio::test]
async fn a_created_cadence_emits_cadence_created_in_preview_versions_only() {
    let app = TestApp::spawn().await;
    let body = json!({"billing_cycle": {"type": "month", "month": {"day_of_month": 1}}, "payer": {"billing_profile": "bilp_123"}});
    let cadence = app
        .send_json(Method::POST, "/v2/billing/cadences", Some(body))
        .await;
    assert_eq!(cadence.status, StatusCode::OK, "{}", cadence.text);
    let id = id_of(&cadence.body);
    // GA default: the type does not exist.
    assert!(thin_types(&app, &[]).await.is_empty());
    set_version(&app, "2025-08-27.preview").await;
    assert!(thin_types(&app, &[]).await.is_empty());
    set_version(&app, "2025-09-30.preview").await;
    let list = app.get_ok("/v2/core/events", &[]).await;
    let e = &list["data"][0];
    assert_eq!(e["type"], "v2.billing.cadence.created");
    assert_eq!(e["object"], "v2.core.event");
    assert_eq!(e["related_object"]["id"], id.as_str());
    assert_eq!(e["related_object"]["type"], "v2.billing.cadence");
    assert_eq!(
        e["related_object"]["url"],
        format!("/v2/billing/cadences/{id}")
    );
    assert_eq!(e["reason"]["type"], "request");
    assert!(
        e["reason"]["request"]["id"]
            .as_str()
            .expect("req")
            .starts_with("req_")
    );
    assert!(e["created"].as_str().expect("created").ends_with('Z'));
    // Retrieve, and the related object through its URL.
    let evt = e["id"].as_str().expect("id");
    assert!(evt.starts_with("evt_test_"));
    let one = app.get_ok(&format!("/v2/core/events/{evt}"), &[]).await;
    assert_eq!(one, *e);
    let related = app
        .get_ok(e["related_object"]["url"].as_str().expect("url"), &[])
        .await;
    assert_eq!(related["id"], id.as_str());
}

#[tokio::test]
async fn events_list_in_pages_with_filters_kept() {
    let app = TestApp::spawn().await;
    set_version(&app, "2026-10-28.endive").await;
    let customer = app.customer().await;
    for _ in 0..3 {
        app.post_ok("/v1/invoices", &[("customer", &customer)])
            .await;
    }
    let first = app
        .get_ok(
            "/v2/core/events",
            &[("limit", "2"), ("types[0]", "v1.invoice.created")],
        )
        .await;
    assert_eq!(first["data"].as_array().expect("data").len(), 2);
    assert!(first["previous_page_url"].is_null());
    let next = first["next_page_url"].as_str().expect("next");
    let second = app.get_ok(next, &[]).await;
    assert_eq!(second["data"].as_array().expect("data").len(), 1);
    assert_eq!(second["data"][0]["type"], "v1.invoice.created");
    assert!(second["next_page_url"].is_null());
    // created bounds: nothing after a future instant.
    let later = app
        .get_ok(
            "/v2/core/events",
            &[("created[gt]", "2999-01-01T00:00:00.000Z")],
        )
        .await;
    assert!(later["data"].as_array().expect("data").is_empty());
    let missing = app.get("/v2/core/events/evt_test_nope", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// A receiver on 127.0.0.1:0 that answers 200 and sends (headers, body) into a channel.
async fn receiver() -> (String, mpsc::Receiver<(String, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::channel(100);
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, len) = loop {
                let Ok(n) = conn.read(&mut chunk).await else {
                    break (0, 0);
                };
                if n == 0 {
                    break (0, 0);
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    break (i + 4, len);
                }
            };
            if head_end == 0 {
                continue;
            }
            while buf.len() < head_end + len {
                match conn.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
            let sig = head
                .lines()
                .find_map(|l| l.strip_prefix("stripe-signature:"))
                .unwrap_or("")
                .trim()
                .to_owned();
            let body = buf[head_end..(head_end + len).min(buf.len())].to_vec();
            let _ = tx.send((sig, body)).await;
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    (url, rx)
}

fn verify(sig: &str, body: &[u8], secret: &str) -> bool {
    let Some((t, v1)) = sig.strip_prefix("t=").and_then(|r| r.split_once(",v1=")) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == v1
}

async fn destination(app: &TestApp, url: &str, payload: &str, events: &[&str]) -> Value {
    let r = app
        .send_json(
            Method::POST,
            "/v2/core/event_destinations",
            Some(json!({
                "name": "hooks", "type": "webhook_endpoint", "event_payload": payload,
                "enabled_events": events, "webhook_endpoint": {"url": url},
                "include": ["webhook_endpoint.signing_secret", "webhook_endpoint.url"],
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

#[tokio::test]
async fn a_thin_destination_receives_signed_thin_events_and_pings() {
    let app = TestApp::spawn().await;
    set_version(&app, "2026-10-28.endive").await;
    let (url, mut rx) = receiver().await;
    let d = destination(&app, &url, "thin", &["v1.invoice.created"]).await;
    assert_eq!(d["object"], "v2.core.event_destination");
    assert_eq!(d["status"], "enabled");
    assert_eq!(d["webhook_endpoint"]["url"], url.as_str());
    let secret = d["webhook_endpoint"]["signing_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert!(secret.starts_with("whsec_"));
    let id = id_of(&d);

    let customer = app.customer().await;
    let invoice = id_of(
        &app.post_ok("/v1/invoices", &[("customer", &customer)])
            .await,
    );
    let (sig, body) = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("in time")
        .expect("open");
    assert!(verify(&sig, &body, &secret));
    assert!(!verify(&sig, b"{}", &secret));
    assert!(!verify(&sig, &body, "whsec_wrong"));
    let e: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(e["type"], "v1.invoice.created");
    assert_eq!(
        e["related_object"]["url"],
        format!("/v1/invoices/{invoice}")
    );

    let ping = app
        .send_json(
            Method::POST,
            &format!("/v2/core/event_destinations/{id}/ping"),
            None,
        )
        .await;
    assert_eq!(ping.status, StatusCode::OK, "{}", ping.text);
    let (sig, body) = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("in time")
        .expect("open");
    assert!(verify(&sig, &body, &secret));
    let e: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(e["type"], "v2.core.event_destination.ping");
    assert_eq!(e["related_object"]["id"], id.as_str());
}

#[tokio::test]
async fn destinations_crud_enable_disable_and_the_secret_only_on_create() {
    let app = TestApp::spawn().await;
    let d = destination(&app, "http://127.0.0.1:9/x", "snapshot", &["invoice.paid"]).await;
    let id = id_of(&d);
    assert!(id.starts_with("ed_"));
    let got = app
        .get_ok(&format!("/v2/core/event_destinations/{id}"), &[])
        .await;
    assert!(got["webhook_endpoint"]["signing_secret"].is_null());
    assert!(got["webhook_endpoint"]["url"].is_null());
    let with_url = app
        .get_ok(
            &format!("/v2/core/event_destinations/{id}"),
            &[("include[0]", "webhook_endpoint.url")],
        )
        .await;
    assert_eq!(with_url["webhook_endpoint"]["url"], "http://127.0.0.1:9/x");
    let updated = app
        .send_json(
            Method::POST,
            &format!("/v2/core/event_destinations/{id}"),
            Some(json!({"name": "renamed"})),
        )
        .await;
    assert_eq!(updated.body["name"], "renamed");
    let disabled = app
        .send_json(
            Method::POST,
            &format!("/v2/core/event_destinations/{id}/disable"),
            None,
        )
        .await;
    assert_eq!(disabled.body["status"], "disabled");
    assert_eq!(
        disabled.body["status_details"]["disabled"]["reason"],
        "user"
    );
    let enabled = app
        .send_json(
            Method::POST,
            &format!("/v2/core/event_destinations/{id}/enable"),
            None,
        )
        .await;
    assert_eq!(enabled.body["status"], "enabled");
    let list = app.get_ok("/v2/core/event_destinations", &[]).await;
    assert_eq!(list["data"][0]["id"], id.as_str());
    let deleted = app
        .send_json(
            Method::DELETE,
            &format!("/v2/core/event_destinations/{id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    let gone = app
        .get(&format!("/v2/core/event_destinations/{id}"), &[])
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    for _ in 0..16 {
        destination(&app, "http://127.0.0.1:9/x", "thin", &["*"]).await;
    }
    let over = app
        .send_json(
            Method::POST,
            "/v2/core/event_destinations",
            Some(
                json!({"name": "n", "type": "webhook_endpoint", "event_payload": "thin",
                "enabled_events": ["*"], "webhook_endpoint": {"url": "http://127.0.0.1:9/x"}}),
            ),
        )
        .await;
    assert_eq!(over.status, StatusCode::BAD_REQUEST, "{}", over.text);
}

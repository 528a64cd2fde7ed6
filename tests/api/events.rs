//! Events and webhooks over HTTP: `/v1/events`, `/v1/webhook_endpoints`, and deliveries to a
//! real receiving server on loopback (a raw TCP server, so a test can also drop a connection
//! or hold an answer). Every wait is on a channel with a timeout, never a sleep.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use stripe_billing_mock::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use crate::helpers::{TestApp, id_of};

const WAIT: Duration = Duration::from_secs(10);

/// What the receiver does with one request.
enum Answer {
    Status(u16),
    /// Reads the request, then closes the connection without answering.
    Drop,
    /// Answers 200 once the sender fires.
    HoldUntil(oneshot::Receiver<()>),
}

/// One request the receiver got.
#[derive(Debug)]
struct Delivery {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Delivery {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A receiver on 127.0.0.1:0: answers with `script` in order, then 200; every request read
/// goes into the returned channel (before it is answered).
async fn receiver(script: Vec<Answer>) -> (String, mpsc::Receiver<Delivery>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/webhooks", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::channel(1000);
    tokio::spawn(async move {
        let mut script = script.into_iter();
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let Some(delivery) = read_request(&mut conn).await else {
                continue;
            };
            let _ = tx.send(delivery).await;
            let answer = script.next().unwrap_or(Answer::Status(200));
            tokio::spawn(async move {
                let status = match answer {
                    Answer::Status(s) => s,
                    Answer::Drop => return,
                    Answer::HoldUntil(go) => {
                        let _ = go.await;
                        200
                    }
                };
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                );
                let _ = conn.write_all(reply.as_bytes()).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    (url, rx)
}

async fn read_request(conn: &mut tokio::net::TcpStream) -> Option<Delivery> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Delivery {
        headers,
        body: buf[head_end..head_end + len].to_vec(),
    })
}

async fn next(rx: &mut mpsc::Receiver<Delivery>) -> Delivery {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("a delivery within the timeout")
        .expect("the receiver is running")
}

/// Checks `Stripe-Signature` as the SDKs do: HMAC-SHA256 of `t.payload` under the secret.
fn assert_signed(d: &Delivery, secret: &str) {
    let header = d.header("stripe-signature").expect("Stripe-Signature");
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .expect("t=…,v1=…");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&d.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        v1,
        expected,
        "signature of {}",
        String::from_utf8_lossy(&d.body)
    );
    // A tampered body does not verify.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{{}}").as_bytes());
    let tampered: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(v1, tampered);
}

/// A test app on its own in-process server, retries compressed to milliseconds.
async fn app_with(builder: stripe_billing_mock::MockServerBuilder) -> TestApp {
    let server = builder.webhook_retry_scale(360_000.0).start().await;
    TestApp {
        version: None,
        ..TestApp::on(server)
    }
}

/// Registers a webhook endpoint for `events` at `url`; returns its secret.
async fn endpoint(app: &TestApp, url: &str, events: &[&str]) -> String {
    let mut form = vec![("url", url)];
    let names: Vec<String> = (0..events.len())
        .map(|i| format!("enabled_events[{i}]"))
        .collect();
    for (name, e) in names.iter().zip(events) {
        form.push((name.as_str(), e));
    }
    let we = app.post_ok("/v1/webhook_endpoints", &form).await;
    we["secret"]
        .as_str()
        .expect("the secret on create")
        .to_owned()
}

async fn types(app: &TestApp, query: &[(&str, &str)]) -> Vec<String> {
    app.event_types("/v1/events", query).await
}

#[tokio::test]
async fn customer_changes_are_delivered_signed_in_order_with_previous_attributes() {
    // Arrange
    let app = app_with(MockServer::builder()).await;
    let (url, mut rx) = receiver(vec![]).await;
    let secret = endpoint(&app, &url, &["*"]).await;

    // Act
    let created = app
        .raw(
            app.client
                .post(format!("{}/v1/customers", app.base))
                .bearer_auth(&app.key)
                .header("idempotency-key", "key-1")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("email=a%40example.com"),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let id = id_of(&created.body);
    app.post_ok(
        &format!("/v1/customers/{id}"),
        &[("email", "b@example.com")],
    )
    .await;
    let deleted = app.delete(&format!("/v1/customers/{id}")).await;
    assert_eq!(deleted.status, StatusCode::OK);

    // Assert
    let first = next(&mut rx).await;
    assert_signed(&first, &secret);
    assert_eq!(
        first.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        first.header("user-agent"),
        Some("Stripe/1.0 (+https://stripe.com/docs/webhooks)")
    );
    let e = first.json();
    assert_eq!(e["object"], "event");
    assert_eq!(e["type"], "customer.created");
    assert!(e["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(e["data"]["object"]["id"], id.as_str());
    assert_eq!(e["data"]["object"]["email"], "a@example.com");
    assert!(e["data"].get("previous_attributes").is_none());
    assert_eq!(e["request"]["id"], created.header("request-id").unwrap());
    assert_eq!(e["request"]["idempotency_key"], "key-1");
    assert_eq!(e["livemode"], false);
    assert!(e["api_version"].is_string());

    let second = next(&mut rx).await;
    assert_signed(&second, &secret);
    let e = second.json();
    assert_eq!(e["type"], "customer.updated");
    assert_eq!(
        e["data"]["previous_attributes"],
        json!({"email": "a@example.com"})
    );
    assert_eq!(e["data"]["object"]["email"], "b@example.com");
    assert_eq!(e["request"]["idempotency_key"], Value::Null);

    let third = next(&mut rx).await.json();
    assert_eq!(third["type"], "customer.deleted");
    assert_eq!(third["data"]["object"]["id"], id.as_str());

    // Stored in order too, and retrievable.
    assert_eq!(
        types(&app, &[]).await,
        ["customer.created", "customer.updated", "customer.deleted"]
    );
    let one = app
        .get_ok(&format!("/v1/events/{}", e["id"].as_str().unwrap()), &[])
        .await;
    assert_eq!(one["type"], "customer.updated");
}

#[tokio::test]
async fn catalog_changes_record_their_events() {
    let app = app_with(MockServer::builder()).await;
    let product = app.product("Plan").await;
    app.post_ok(&format!("/v1/products/{product}"), &[("name", "Plan 2")])
        .await;
    let price = app
        .post_ok(
            "/v1/prices",
            &[
                ("currency", "usd"),
                ("unit_amount", "500"),
                ("product_data[name]", "Inline"),
            ],
        )
        .await;
    app.post_ok(
        &format!("/v1/prices/{}", id_of(&price)),
        &[("nickname", "n")],
    )
    .await;
    let coupon = app.percent_coupon("10").await;
    app.post_ok(&format!("/v1/coupons/{coupon}"), &[("name", "Ten")])
        .await;
    app.delete(&format!("/v1/coupons/{coupon}")).await;
    let lone = app.product("Lone").await;
    app.delete(&format!("/v1/products/{lone}")).await;
    app.post_ok(
        "/v1/payment_intents",
        &[("amount", "100"), ("currency", "usd")],
    )
    .await;

    assert_eq!(
        types(&app, &[]).await,
        [
            "product.created",
            "product.updated",
            "product.created",
            "price.created",
            "price.updated",
            "coupon.created",
            "coupon.updated",
            "coupon.deleted",
            "product.created",
            "product.deleted",
            "payment_intent.created",
        ]
    );
    let updated = app
        .get_ok("/v1/events", &[("type", "product.updated")])
        .await;
    assert_eq!(
        updated["data"][0]["data"]["previous_attributes"]["name"],
        "Plan"
    );
    let price_updated = app.get_ok("/v1/events", &[("type", "price.updated")]).await;
    assert_eq!(
        price_updated["data"][0]["data"]["previous_attributes"],
        json!({"nickname": null})
    );
}

#[tokio::test]
async fn invoice_changes_record_invoice_and_item_events() {
    let app = app_with(MockServer::builder()).await;
    let customer = app.customer().await;
    let pending = app
        .post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", &customer),
                ("amount", "199"),
                ("currency", "usd"),
            ],
        )
        .await;
    let invoice = id_of(
        &app.post_ok("/v1/invoices", &[("customer", &customer)])
            .await,
    );
    let added = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/add_lines"),
            &[
                ("lines[0][amount]", "799"),
                ("lines[0][description]", "new"),
                ("lines[1][invoice_item]", &id_of(&pending)),
            ],
        )
        .await;
    let line = added["lines"]["data"][0]["id"].as_str().unwrap().to_owned();
    let other = added["lines"]["data"][1]["id"].as_str().unwrap().to_owned();
    app.post_ok(
        &format!("/v1/invoices/{invoice}/update_lines"),
        &[
            ("lines[0][id]", &line),
            ("lines[0][description]", "renamed"),
        ],
    )
    .await;
    app.post_ok(
        &format!("/v1/invoices/{invoice}/remove_lines"),
        &[("lines[0][id]", &other), ("lines[0][behavior]", "delete")],
    )
    .await;
    app.post_ok(&format!("/v1/invoices/{invoice}"), &[("description", "d")])
        .await;
    app.post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;
    app.post_ok(
        &format!("/v1/invoices/{invoice}/pay"),
        &[("paid_out_of_band", "true")],
    )
    .await;

    assert_eq!(
        types(
            &app,
            &[("types[0]", "invoice.*"), ("types[1]", "invoiceitem.*")]
        )
        .await,
        [
            "invoiceitem.created",
            "invoice.created",
            "invoiceitem.created",
            "invoiceitem.updated",
            "invoice.updated",
            "invoiceitem.updated",
            "invoice.updated",
            "invoiceitem.deleted",
            "invoice.updated",
            "invoice.updated",
            "invoice.finalized",
            "invoice.paid",
        ]
    );
    let events = app
        .get_ok("/v1/events", &[("type", "invoice.updated")])
        .await;
    // Newest first: the description change, then the lines' changes.
    assert_eq!(
        events["data"][0]["data"]["previous_attributes"]["description"],
        Value::Null
    );
    let lines_changed = &events["data"][3]["data"]["previous_attributes"];
    assert!(lines_changed.get("lines").is_some(), "{lines_changed}");
    assert!(lines_changed.get("total").is_some(), "{lines_changed}");
    let attached = app
        .get_ok("/v1/events", &[("type", "invoiceitem.updated")])
        .await;
    // The oldest: the pending item attached by add_lines.
    assert_eq!(
        attached["data"][1]["data"]["previous_attributes"]["invoice"],
        Value::Null
    );
    assert_eq!(
        attached["data"][1]["data"]["object"]["invoice"],
        invoice.as_str()
    );
    let paid = app.get_ok("/v1/events", &[("type", "invoice.paid")]).await;
    assert_eq!(paid["data"][0]["data"]["object"]["status"], "paid");

    // Void, mark uncollectible, delete, and a zero invoice paid at finalization.
    let with_amount = |n: &'static str| {
        let app = &app;
        let customer = customer.clone();
        async move {
            let id = id_of(
                &app.post_ok("/v1/invoices", &[("customer", &customer)])
                    .await,
            );
            app.post_ok(
                &format!("/v1/invoices/{id}/add_lines"),
                &[("lines[0][amount]", n)],
            )
            .await;
            id
        }
    };
    let a = with_amount("100").await;
    app.post_ok(&format!("/v1/invoices/{a}/finalize"), &[])
        .await;
    app.post_ok(&format!("/v1/invoices/{a}/void"), &[]).await;
    let b = with_amount("100").await;
    app.post_ok(&format!("/v1/invoices/{b}/finalize"), &[])
        .await;
    app.post_ok(&format!("/v1/invoices/{b}/mark_uncollectible"), &[])
        .await;
    let c = with_amount("100").await;
    assert_eq!(
        app.delete(&format!("/v1/invoices/{c}")).await.status,
        StatusCode::OK
    );
    let zero = id_of(
        &app.post_ok("/v1/invoices", &[("customer", &customer)])
            .await,
    );
    app.post_ok(&format!("/v1/invoices/{zero}/finalize"), &[])
        .await;
    let status_events = types(
        &app,
        &[
            ("types[0]", "invoice.finalized"),
            ("types[1]", "invoice.voided"),
            ("types[2]", "invoice.marked_uncollectible"),
            ("types[3]", "invoice.deleted"),
            ("types[4]", "invoice.payment_succeeded"),
        ],
    )
    .await;
    assert_eq!(
        status_events,
        [
            "invoice.finalized",
            "invoice.finalized",
            "invoice.voided",
            "invoice.finalized",
            "invoice.marked_uncollectible",
            "invoice.deleted",
            "invoice.finalized",
            "invoice.payment_succeeded",
        ]
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_a_500_and_after_a_dropped_connection() {
    let app = app_with(MockServer::builder()).await;
    let (url, mut rx) = receiver(vec![Answer::Status(500), Answer::Drop]).await;
    let secret = endpoint(&app, &url, &["customer.created"]).await;
    let created = app.post_ok("/v1/customers", &[]).await;

    let attempts = [
        next(&mut rx).await,
        next(&mut rx).await,
        next(&mut rx).await,
    ];
    for a in &attempts {
        assert_signed(a, &secret);
        assert_eq!(a.json()["data"]["object"]["id"], created["id"]);
    }
    let server = app.server.as_ref().unwrap();
    // The third attempt succeeded; its record lands once the answer is read.
    let deliveries = server.wait_for_deliveries(3, WAIT).await;
    let event_id = attempts[0].json()["id"].as_str().unwrap().to_owned();
    let event = app.get_ok(&format!("/v1/events/{event_id}"), &[]).await;
    assert_eq!(event["pending_webhooks"], 0);
    let statuses: Vec<(u32, Option<u16>, bool)> = deliveries
        .iter()
        .map(|d| (d.attempt, d.status, d.delivered))
        .collect();
    assert_eq!(statuses[0], (1, Some(500), false));
    assert_eq!((statuses[1].0, statuses[1].1), (2, None));
    assert!(deliveries[1].error.is_some());
    assert_eq!(statuses[2], (3, Some(200), true));
}

#[tokio::test]
async fn a_slow_receiver_does_not_hold_up_the_api() {
    let app = app_with(MockServer::builder()).await;
    let (go, hold) = oneshot::channel();
    let (url, mut rx) = receiver(vec![Answer::HoldUntil(hold)]).await;
    endpoint(&app, &url, &["*"]).await;

    let first = app.post_ok("/v1/customers", &[]).await;
    // The receiver holds the first delivery unanswered…
    let held = next(&mut rx).await;
    assert_eq!(held.json()["data"]["object"]["id"], first["id"]);
    // …while the API goes on answering and recording.
    let second = app.post_ok("/v1/customers", &[]).await;
    let listed = app.get_ok("/v1/events", &[]).await;
    assert_eq!(listed["data"][0]["data"]["object"]["id"], second["id"]);
    assert_eq!(listed["data"][1]["pending_webhooks"], 1);
    // The second delivery is not queued behind the first.
    let other = next(&mut rx).await;
    assert_eq!(other.json()["data"]["object"]["id"], second["id"]);
    go.send(()).expect("release");
}

#[tokio::test]
async fn events_list_filters_and_pages() {
    let app = app_with(MockServer::builder()).await;
    for _ in 0..3 {
        app.customer().await;
    }
    app.product("P").await;
    assert_eq!(types(&app, &[("type", "customer.*")]).await.len(), 3);
    assert_eq!(
        types(&app, &[("types[0]", "product.created")]).await,
        ["product.created"]
    );
    assert_eq!(types(&app, &[("type", "*")]).await.len(), 4);
    let now = app.server.as_ref().unwrap().now().timestamp().to_string();
    assert_eq!(types(&app, &[("created[gte]", &now)]).await.len(), 4);
    assert_eq!(types(&app, &[("created[lt]", "1000")]).await.len(), 0);
    assert_eq!(types(&app, &[("created", &now)]).await.len(), 4);

    let page = app.get_ok("/v1/events", &[("limit", "2")]).await;
    assert_eq!(page["object"], "list");
    assert_eq!(page["url"], "/v1/events");
    assert_eq!(page["has_more"], true);
    assert_eq!(page["data"][0]["type"], "product.created");
    let last = page["data"][1]["id"].as_str().unwrap().to_owned();
    let rest = app
        .get_ok("/v1/events", &[("limit", "5"), ("starting_after", &last)])
        .await;
    assert_eq!(rest["data"].as_array().unwrap().len(), 2);
    assert_eq!(rest["has_more"], false);
    let oldest = rest["data"][1]["id"].as_str().unwrap().to_owned();
    let back = app
        .get_ok("/v1/events", &[("limit", "2"), ("ending_before", &oldest)])
        .await;
    assert_eq!(back["data"][1]["id"], rest["data"][0]["id"]);
    assert_eq!(back["has_more"], true);

    let bad = app.get("/v1/events", &[("type", "Not A Type")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let unknown = app.get("/v1/events/evt_nope", &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.code(), "resource_missing");
    let cursor = app
        .get("/v1/events", &[("starting_after", "evt_nope")])
        .await;
    assert_eq!(cursor.status, StatusCode::NOT_FOUND);
    // Other accounts see none of them.
    assert_eq!(types(&app.other_account(), &[]).await.len(), 0);
}

#[tokio::test]
async fn webhook_endpoints_are_created_read_updated_and_deleted() {
    let app = app_with(MockServer::builder()).await;
    let created = app
        .post_ok(
            "/v1/webhook_endpoints",
            &[
                ("url", "https://example.com/hook"),
                ("enabled_events[0]", "invoice.paid"),
                ("enabled_events[1]", "charge.succeeded"),
                ("api_version", "2024-09-30.acacia"),
                ("description", "d"),
                ("metadata[k]", "v"),
            ],
        )
        .await;
    let id = id_of(&created);
    assert!(id.starts_with("we_"));
    assert_eq!(created["object"], "webhook_endpoint");
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(created["status"], "enabled");
    assert_eq!(created["api_version"], "2024-09-30.acacia");
    assert_eq!(
        created["enabled_events"],
        json!(["invoice.paid", "charge.succeeded"])
    );

    let got = app
        .get_ok(&format!("/v1/webhook_endpoints/{id}"), &[])
        .await;
    assert!(got.get("secret").is_none());
    assert_eq!(got["metadata"], json!({"k": "v"}));

    let updated = app
        .post_ok(
            &format!("/v1/webhook_endpoints/{id}"),
            &[("disabled", "true"), ("enabled_events[0]", "*")],
        )
        .await;
    assert_eq!(updated["status"], "disabled");
    assert_eq!(updated["enabled_events"], json!(["*"]));

    let list = app.get_ok("/v1/webhook_endpoints", &[]).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    let deleted = app.delete(&format!("/v1/webhook_endpoints/{id}")).await;
    assert_eq!(
        deleted.body,
        json!({"id": id, "object": "webhook_endpoint", "deleted": true})
    );
    let gone = app.get(&format!("/v1/webhook_endpoints/{id}"), &[]).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // Errors.
    let no_url = app
        .post("/v1/webhook_endpoints", &[("enabled_events[0]", "*")])
        .await;
    assert_eq!(no_url.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_url.code(), "parameter_missing");
    let no_events = app
        .post("/v1/webhook_endpoints", &[("url", "https://example.com")])
        .await;
    assert_eq!(no_events.code(), "parameter_missing");
    let bad_url = app
        .post(
            "/v1/webhook_endpoints",
            &[("url", "not a url"), ("enabled_events[0]", "*")],
        )
        .await;
    assert_eq!(bad_url.status, StatusCode::BAD_REQUEST);
    let bad_event = app
        .post(
            "/v1/webhook_endpoints",
            &[
                ("url", "https://example.com"),
                ("enabled_events[0]", "nope"),
            ],
        )
        .await;
    assert_eq!(bad_event.status, StatusCode::BAD_REQUEST);
    let unknown = app
        .post(
            "/v1/webhook_endpoints",
            &[
                ("url", "https://example.com"),
                ("enabled_events[0]", "*"),
                ("colour", "red"),
            ],
        )
        .await;
    assert_eq!(unknown.code(), "parameter_unknown");
}

#[tokio::test]
async fn disabled_and_non_matching_endpoints_receive_nothing() {
    let app = app_with(MockServer::builder()).await;
    let (url, mut rx) = receiver(vec![]).await;
    endpoint(&app, &url, &["product.created"]).await;
    let off = app
        .post_ok(
            "/v1/webhook_endpoints",
            &[("url", url.as_str()), ("enabled_events[0]", "*")],
        )
        .await;
    app.post_ok(
        &format!("/v1/webhook_endpoints/{}", id_of(&off)),
        &[("disabled", "true")],
    )
    .await;
    app.customer().await; // wanted by no enabled endpoint
    let product = app.product("P").await;
    let only = next(&mut rx).await.json();
    assert_eq!(only["type"], "product.created");
    assert_eq!(only["data"]["object"]["id"], product.as_str());
    let customer_event = app
        .get_ok("/v1/events", &[("type", "customer.created")])
        .await;
    assert_eq!(customer_event["data"][0]["pending_webhooks"], 0);
}

#[tokio::test]
async fn forward_to_receives_every_account_s_events_and_reset_clears_them() {
    let (url, mut rx) = receiver(vec![]).await;
    let app = app_with(MockServer::builder().forward_to(url.clone())).await;
    let server = app.server.as_ref().unwrap();
    let secret = server.webhook_secret().to_owned();
    let plane = app
        .client
        .get(format!("{}/_mock/webhook_secret", app.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(plane["secret"], secret.as_str());
    assert_eq!(plane["forward_to"], url.as_str());

    let other = app.other_account();
    app.customer().await;
    other.product("P").await;
    let mut got = vec![next(&mut rx).await, next(&mut rx).await];
    for d in &got {
        assert_signed(d, &secret);
    }
    got.sort_by_key(|d| d.json()["type"].as_str().unwrap().to_owned());
    assert_eq!(got[0].json()["type"], "customer.created");
    assert_eq!(got[1].json()["type"], "product.created");

    // The library and the control plane see them.
    let e = server
        .wait_for_event("product.created", WAIT)
        .await
        .expect("recorded");
    // The key is shown redacted: its prefix and last four characters.
    let tail = &other.key[other.key.len() - 4..];
    assert_eq!(e["api_key"], format!("sk_test_…{tail}"));
    assert_eq!(server.events().len(), 2);
    let mine = app
        .client
        .get(format!("{}/_mock/events?api_key={}", app.base, app.key))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    let deliveries = app
        .client
        .get(format!("{}/_mock/deliveries", app.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(deliveries["dropped"], 0);

    server.reset().await;
    assert!(server.events().is_empty());
    assert!(server.deliveries().is_empty());
    assert!(
        server
            .wait_for_event("customer.created", Duration::from_millis(10))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn events_keep_the_key_order_of_the_objects_they_carry() {
    let app = app_with(MockServer::builder()).await;
    let (url, mut rx) = receiver(vec![]).await;
    endpoint(&app, &url, &["customer.created"]).await;
    let customer = app.customer().await;
    let listed = app.get("/v1/events", &[("type", "customer.created")]).await;
    let event = &listed.body["data"][0];
    let id = event["id"].as_str().expect("an event id");
    let retrieved = app.get(&format!("/v1/events/{id}"), &[]).await;
    let object = app.get(&format!("/v1/customers/{customer}"), &[]).await;
    let delivered = next(&mut rx).await;
    let delivered = String::from_utf8_lossy(&delivered.body);
    for text in [retrieved.text.as_str(), &*delivered] {
        assert!(
            text.starts_with(&format!(r#"{{"id":"{id}","object":"event","api_version":"#)),
            "{text}"
        );
        // `data.object` is the object as its own endpoint renders it, byte for byte.
        assert!(
            text.contains(&format!(r#""data":{{"object":{}}}"#, object.text)),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_event_can_be_resent_through_the_control_plane_and_the_library() {
    let app = app_with(MockServer::builder()).await;
    let (url, mut rx) = receiver(vec![]).await;
    let secret = endpoint(&app, &url, &["customer.created"]).await;
    app.customer().await;
    let first = next(&mut rx).await;
    assert_signed(&first, &secret);
    let event: serde_json::Value = serde_json::from_slice(&first.body).expect("an event");
    let id = event["id"].as_str().expect("an id").to_owned();

    let resend = |query: String| {
        app.client
            .post(format!("{}/_mock/events/{id}/resend{query}", app.base))
            .send()
    };
    let answer = resend(format!("?api_key={}", app.key)).await.expect("sent");
    assert_eq!(answer.status(), StatusCode::OK);
    let again = next(&mut rx).await;
    assert_signed(&again, &secret);
    // The same event, but delivered once already: nothing is pending any more.
    let without_pending = |body: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(body).expect("an event");
        v.as_object_mut().and_then(|o| o.remove("pending_webhooks"));
        v
    };
    assert_eq!(event["pending_webhooks"], 1);
    assert_eq!(without_pending(&again.body), without_pending(&first.body));

    let server = app.server.as_ref().expect("in-process server");
    server.resend_event(&app.key, &id).expect("a known event");
    let third = next(&mut rx).await;
    assert_eq!(without_pending(&third.body), without_pending(&first.body));

    // Another account does not see it; without a key the control plane cannot tell whose.
    let other = resend("?api_key=sk_test_other".into()).await.expect("sent");
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let keyless = resend(String::new()).await.expect("sent");
    assert_eq!(keyless.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn chaos_settings_duplicate_and_reorder_deliveries() {
    let app = app_with(MockServer::builder()).await;
    let (url, mut rx) = receiver(vec![]).await;
    let secret = endpoint(&app, &url, &["customer.created"]).await;
    let endpoints = app.get("/v1/webhook_endpoints", &[]).await;
    let we = endpoints.body["data"][0]["id"]
        .as_str()
        .expect("an endpoint")
        .to_owned();
    let chaos = |body: serde_json::Value| {
        app.client
            .post(format!("{}/_mock/webhook_chaos", app.base))
            .json(&body)
            .send()
    };
    let id_of_delivery = |d: &Delivery| -> String {
        let v: serde_json::Value = serde_json::from_slice(&d.body).expect("an event");
        v["data"]["object"]["id"].as_str().unwrap_or("").to_owned()
    };

    // Every delivery twice.
    let set = chaos(json!({"target": we, "duplicate": true}))
        .await
        .expect("sent");
    assert_eq!(set.status(), StatusCode::OK);
    let first = app.customer().await;
    for _ in 0..2 {
        let d = next(&mut rx).await;
        assert_signed(&d, &secret);
        assert_eq!(id_of_delivery(&d), first);
    }

    // Reordered: the second event overtakes the first.
    chaos(json!({"target": we, "reorder": true}))
        .await
        .expect("sent");
    let a = app.customer().await;
    let b = app.customer().await;
    let order = [
        id_of_delivery(&next(&mut rx).await),
        id_of_delivery(&next(&mut rx).await),
    ];
    assert_eq!(order, [b, a]);

    // Settings are listed, refused beyond their limits, and cleared by turning all off.
    let listed: serde_json::Value = app
        .client
        .get(format!("{}/_mock/webhook_chaos", app.base))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["data"][&we]["reorder"], true);
    let too_slow = chaos(json!({"target": we, "delay_ms": 600_000}))
        .await
        .expect("sent");
    assert_eq!(too_slow.status(), StatusCode::BAD_REQUEST);
    chaos(json!({"target": we})).await.expect("sent");
    let last = app.customer().await;
    assert_eq!(id_of_delivery(&next(&mut rx).await), last);
}

#[tokio::test]
async fn deterministic_servers_deliver_the_same_events_and_signatures_run_after_run() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let mut app = app_with(MockServer::builder().deterministic()).await;
        app.key = "sk_test_deterministic".into();
        let (url, mut rx) = receiver(vec![]).await;
        let secret = endpoint(&app, &url, &["customer.created", "customer.updated"]).await;
        let customer = app.customer().await;
        app.post_ok(&format!("/v1/customers/{customer}"), &[("name", "Ada")])
            .await;
        let first = next(&mut rx).await;
        let second = next(&mut rx).await;
        runs.push((
            secret,
            [first, second].map(|d| {
                (
                    d.header("stripe-signature").unwrap_or("").to_owned(),
                    d.body,
                )
            }),
        ));
    }
    assert_eq!(
        runs[0], runs[1],
        "same ids, payloads, timestamps and signatures"
    );
}

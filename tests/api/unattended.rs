//! A server safe to leave running: the control plane takes no cross-site command (foreign
//! `Host`, other `Origin`, non-JSON writes, the admin token), credentials are redacted in the
//! journal, and the journal is bounded by bytes and paged. In-process servers with builder
//! options, so these tests do not use `STRIPE_MOCK_TEST_URL`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use stripe_billing_mock::MockServer;

use crate::helpers::fresh_key;

/// Sends `req` and returns the status and the JSON body (`Null` if none).
async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.send().await.expect("sent");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_cross_site_text_plain_post_is_refused_and_changes_nothing() {
    let server = MockServer::start().await;
    let client = reqwest::Client::new();
    let clock = format!("{}/_mock/clock", server.uri());
    let before = server.now();
    // What a web page can send without a CORS preflight: text/plain, a form, multipart.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, body) = send(
            client
                .post(&clock)
                .header("content-type", ct)
                .body(r#"{"advance_seconds":86400}"#),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{ct}");
        assert_eq!(body["error"]["code"], "control_plane_content_type", "{ct}");
    }
    // A JSON body from another origin.
    let (status, body) = send(
        client
            .post(&clock)
            .header("origin", "https://evil.example")
            .json(&json!({"advance_seconds": 86400})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "control_plane_cross_origin");
    let (status, _) = send(
        client
            .get(format!("{}/_mock/requests", server.uri()))
            .header("sec-fetch-site", "cross-site"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        server.now() - before < chrono::Duration::hours(1),
        "the clock did not move"
    );
    // The server's own origin, with JSON, is obeyed; an empty POST needs no content type.
    let (status, _) = send(
        client
            .post(&clock)
            .header("origin", server.uri())
            .json(&json!({"advance_seconds": 86400})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(server.now() - before >= chrono::Duration::hours(24));
    let (status, _) = send(client.post(format!("{}/_mock/reset", server.uri()))).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_foreign_host_is_refused_unless_allowed() {
    let server = MockServer::builder()
        .allow_host("mock.internal")
        .start()
        .await;
    let client = reqwest::Client::new();
    let url = format!("{}/_mock/requests", server.uri());
    let port = server.address().port();
    let (status, body) = send(
        client
            .get(&url)
            .header("host", format!("rebind.evil.example:{port}")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "control_plane_host_not_allowed");
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("mock.internal:{port}"),
    ] {
        let (status, _) = send(client.get(&url).header("host", &host)).await;
        assert_eq!(status, StatusCode::OK, "{host}");
    }
    // Stripe paths are not the control plane's: any Host reaches them.
    let (status, _) = send(
        client
            .get(format!("{}/v1/customers", server.uri()))
            .bearer_auth(fresh_key())
            .header("host", "rebind.evil.example"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_admin_token_is_required_when_set() {
    let server = MockServer::builder()
        .admin_token("s3cret-token")
        .start()
        .await;
    let client = reqwest::Client::new();
    let url = format!("{}/_mock/reset", server.uri());
    let (status, body) = send(client.post(&url)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "control_plane_token_required");
    let (status, _) = send(client.post(&url).bearer_auth("wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(client.post(&url).bearer_auth("s3cret-token")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        client
            .post(&url)
            .header("x-mock-admin-token", "s3cret-token"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The health check and the API need no token.
    let (status, _) = send(client.get(format!("{}/healthz", server.uri()))).await;
    assert_eq!(status, StatusCode::OK);
    // The token in a request is not kept in the journal.
    send(
        client
            .get(format!("{}/v1/customers", server.uri()))
            .bearer_auth(fresh_key())
            .header("x-mock-admin-token", "s3cret-token"),
    )
    .await;
    let journal = format!("{:?}", server.received_requests().await);
    assert!(!journal.contains("s3cret-token"), "{journal}");
}

#[tokio::test]
async fn credentials_are_redacted_in_the_journal_and_filtering_by_key_still_works() {
    let server = MockServer::start().await;
    let client = reqwest::Client::new();
    let (key, other) = (fresh_key(), fresh_key());
    let tail = &key[key.len() - 4..];
    // Bearer, Basic with a password, a cookie and a signature header.
    let (status, _) = send(
        client
            .post(format!("{}/v1/customers", server.uri()))
            .bearer_auth(&key)
            .header("cookie", "session=abcdef123456")
            .header("stripe-signature", "t=1,v1=0123456789abcdef")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("email=a%40example.com"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    send(
        client
            .get(format!("{}/v1/customers", server.uri()))
            .basic_auth(&other, Some("pa55word")),
    )
    .await;
    let url = format!("{}/_mock/requests", server.uri());
    let (_, page) = send(client.get(format!("{url}?api_key={key}"))).await;
    let data = page["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(data.len(), 1, "{page}");
    let entry = &data[0];
    assert_eq!(entry["api_key"], format!("sk_test_…{tail}"));
    let header = |name: &str| {
        entry["headers"]
            .as_array()
            .and_then(|hs| hs.iter().find(|h| h[0] == name))
            .map(|h| h[1].clone())
    };
    assert_eq!(
        header("authorization"),
        Some(json!(format!("Bearer sk_test_…{tail}")))
    );
    assert_eq!(header("cookie"), Some(json!("session=…")));
    assert_eq!(header("stripe-signature"), Some(json!("t=1,v1=…")));
    let (_, page) = send(client.get(format!("{url}?api_key={other}"))).await;
    let other_tail = &other[other.len() - 4..];
    assert_eq!(
        page["data"][0]["headers"]
            .as_array()
            .and_then(|hs| hs.iter().find(|h| h[0] == "authorization"))
            .map(|h| h[1].clone()),
        Some(json!(format!("Basic sk_test_…{other_tail}:…")))
    );
    // Neither whole key nor any secret appears anywhere in the journal's answer.
    let (_, all) = send(client.get(&url)).await;
    let text = all.to_string();
    for secret in [
        key.as_str(),
        other.as_str(),
        "pa55word",
        "abcdef123456",
        "0123456789abcdef",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test]
async fn the_journal_stays_under_its_byte_cap_after_many_one_mib_bodies() {
    let server = MockServer::builder()
        .journal_max_bytes(2 * 1024 * 1024)
        .start()
        .await;
    let client = reqwest::Client::new();
    let key = fresh_key();
    let body = "x".repeat(1024 * 1024 - 100);
    let url = format!("{}/_mock/requests", server.uri());
    for _ in 0..60 {
        // A v1 body that is no valid form answer: a 400, recorded all the same.
        let (status, _) = send(
            client
                .post(format!("{}/v1/customers", server.uri()))
                .bearer_auth(&key)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone()),
        )
        .await;
        assert!(status.is_client_error() || status.is_success(), "{status}");
    }
    let (_, page) = send(client.get(format!("{url}?limit=1000"))).await;
    let journal = &page["journal"];
    let bytes = journal["bytes"].as_u64().expect("bytes");
    assert_eq!(journal["max_bytes"], 2 * 1024 * 1024);
    assert!(bytes <= 2 * 1024 * 1024, "{journal}");
    // Each entry keeps 64 KiB of its body: about 30 fit, not 60 and not a handful.
    let entries = page["data"].as_array().map_or(0, Vec::len);
    assert!((20..60).contains(&entries), "{entries} entries, {journal}");
    assert_eq!(journal["entries"], entries);
    let entry = &page["data"][0];
    assert_eq!(entry["body_truncated"], true);
    assert_eq!(entry["body_size"], 1024 * 1024 - 100);
    assert_eq!(entry["body"].as_str().map(str::len), Some(64 * 1024));
    // The newest request is the last one kept.
    let last = server.received_requests().await;
    assert_eq!(last.len(), entries);
}

#[tokio::test]
async fn the_journal_pages_with_a_cursor() {
    let server = MockServer::start().await;
    let client = reqwest::Client::new();
    let key = fresh_key();
    for i in 0..7 {
        send(
            client
                .get(format!("{}/v1/customers?limit={}", server.uri(), i + 1))
                .bearer_auth(&key),
        )
        .await;
    }
    let url = format!("{}/_mock/requests?api_key={key}&limit=3", server.uri());
    let mut queries = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let page_url = match &cursor {
            Some(c) => format!("{url}&cursor={c}"),
            None => url.clone(),
        };
        let (status, page) = send(client.get(page_url)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for e in page["data"].as_array().cloned().unwrap_or_default() {
            queries.push(e["query"].as_str().unwrap_or_default().to_owned());
        }
        assert_eq!(page["has_more"], page["next_cursor"].is_string(), "{page}");
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    let expected: Vec<String> = (1..=7).map(|i| format!("limit={i}")).collect();
    assert_eq!(queries, expected);
    // A small body is kept whole and says so; the default page is 100, the most 1,000.
    let (_, page) = send(client.get(format!("{}/_mock/requests", server.uri()))).await;
    assert_eq!(page["data"][0]["body_truncated"], false);
    assert_eq!(page["data"][0]["body_size"], 0);
    for bad in ["limit=0", "limit=1001", "cursor=abc"] {
        let (status, _) = send(client.get(format!("{}/_mock/requests?{bad}", server.uri()))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

//! Stripe's wire conventions: headers, the form decoder end to end, unknown routes, bad bodies.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn every_response_carries_request_id_and_stripe_version() {
    let server = TestApp::spawn().await;
    let app = server.at_version(None);
    let ok = app.get("/v1/customers", &[]).await;
    let missing = app.get("/v1/customers/cus_nope", &[]).await;
    let unknown = app.get("/v1/nope", &[]).await;
    let unauthenticated = app
        .raw(app.client.get(format!("{}/v1/customers", app.base)))
        .await;
    let v2 = app.get("/v2/nope", &[]).await;
    for r in [&ok, &missing, &unknown, &unauthenticated, &v2] {
        let id = r.header("request-id").unwrap_or("");
        assert!(id.starts_with("req_") && id.len() > 8, "{id}");
        assert!(r.header("stripe-version").is_some());
        assert!(
            r.header("content-type")
                .unwrap_or("")
                .starts_with("application/json")
        );
    }
    assert_ne!(ok.header("request-id"), missing.header("request-id"));
    // Without `Stripe-Version`: the newest GA version, and on /v2 the documented preview one.
    assert_eq!(ok.header("stripe-version"), Some("2026-10-28.endive"));
    assert_eq!(
        unauthenticated.header("stripe-version"),
        Some("2026-10-28.endive")
    );
    assert_eq!(v2.header("stripe-version"), Some("2026-10-14.preview"));
}

#[tokio::test]
async fn the_request_stripe_version_and_idempotency_key_are_echoed() {
    let app = TestApp::spawn().await;
    let r = app
        .raw(
            app.client
                .post(format!("{}/v1/customers", app.base))
                .bearer_auth(&app.key)
                .header("stripe-version", "2025-02-24.acacia")
                .header("idempotency-key", "key-123"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("stripe-version"), Some("2025-02-24.acacia"));
    assert_eq!(r.header("idempotency-key"), Some("key-123"));
}

#[tokio::test]
async fn unknown_routes_get_the_unrecognized_url_error() {
    let app = TestApp::spawn().await;
    let r = app.get("/v1/nope", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("Unrecognized request URL (GET: /v1/nope).")
    );
    let r = app.send(reqwest::Method::PUT, "/v1/customers", &[]).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "wrong method on a known path"
    );
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("Unrecognized request URL (PUT: /v1/customers).")
    );
}

#[tokio::test]
async fn the_form_decoder_handles_nested_and_indexed_parameters() {
    let app = TestApp::spawn().await;
    // Percent-encoded brackets, nested metadata, `expand[]` and `expand[0]` all accepted.
    let body = "email=x%40y.z&metadata%5Border%5D=6735&metadata[note]=a+b&expand[]=x&expand[1]=y";
    let r = app
        .raw(
            app.client
                .post(format!("{}/v1/customers", app.base))
                .bearer_auth(&app.key)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["email"], "x@y.z");
    assert_eq!(
        r.body["metadata"],
        serde_json::json!({"order": "6735", "note": "a b"})
    );
    // Sparse, unordered indices of an array of strings.
    let r = app
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "100"),
                ("currency", "usd"),
                ("payment_method_types[5]", "card"),
                ("payment_method_types[2]", "link"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn malformed_form_bodies_are_400() {
    let app = TestApp::spawn().await;
    for body in ["metadata[a=1", "a[10001]=1", "name=%FF"] {
        let r = app
            .raw(
                app.client
                    .post(format!("{}/v1/customers", app.base))
                    .bearer_auth(&app.key)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
    let r = app
        .raw(
            app.client
                .post(format!("{}/v1/customers", app.base))
                .bearer_auth(&app.key)
                .header("content-type", "application/json")
                .body("{\"email\":\"a@b.c\"}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "JSON on a v1 POST");
}

#[tokio::test]
async fn oversized_bodies_are_413_in_json() {
    let app = TestApp::spawn().await;
    let body = format!("description={}", "x".repeat(2 * 1024 * 1024));
    let r = app
        .raw(
            app.client
                .post(format!("{}/v1/customers", app.base))
                .bearer_auth(&app.key)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
}

/// Writes `writes` one by one (each flushed) over a fresh connection; the response, read until
/// the server closes it.
async fn exchange(app: &TestApp, writes: &[String]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    for write in writes {
        stream.write_all(write.as_bytes()).await.expect("write");
        stream.flush().await.expect("flush");
    }
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("response");
    response
}

/// Sends `head` and then `chunks` as a chunked body over a fresh connection; the response.
async fn chunked_post(app: &TestApp, path: &str, chunks: &[&str]) -> String {
    let address = app.base.trim_start_matches("http://");
    let mut writes = vec![format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.key
    )];
    writes.extend(
        chunks
            .iter()
            .map(|chunk| format!("{:x}\r\n{chunk}\r\n", chunk.len())),
    );
    writes.push("0\r\n\r\n".to_owned());
    exchange(app, &writes).await
}

#[tokio::test]
async fn bodies_sent_in_chunks_are_read_whole() {
    let app = TestApp::spawn().await;
    let response = chunked_post(
        &app,
        "/v1/customers",
        &["email=jenny%40exa", "mple.com&na", "me=Jenny+Rosen"],
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#""email":"jenny@example.com""#)
            && response.contains(r#""name":"Jenny Rosen""#),
        "{response}"
    );
}

#[tokio::test]
async fn overlong_urls_and_headers_get_json_errors() {
    let app = TestApp::spawn().await;
    let long_query = format!("/v1/customers?email={}", "a".repeat(20 * 1024));
    let r = app
        .raw(
            app.client
                .get(format!("{}{long_query}", app.base))
                .bearer_auth(&app.key),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    let r = app
        .raw(
            app.client
                .get(format!("{}/v1/customers", app.base))
                .bearer_auth(&app.key)
                .header("x-padding", "p".repeat(70 * 1024)),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    assert_eq!(app.get("/v1/customers", &[]).await.status, StatusCode::OK);
}

/// Sends a GET of `path` with exactly `headers` (name, value) over a fresh connection; the
/// response.
async fn raw_get(app: &TestApp, path: &str, headers: &[(&str, String)]) -> String {
    let mut head = format!("GET {path} HTTP/1.1\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    exchange(app, &[head]).await
}

#[tokio::test]
async fn the_header_limit_counts_names_values_and_four_bytes_a_header() {
    let app = TestApp::spawn().await;
    let fixed = [
        ("host", "x".to_owned()),
        ("authorization", format!("Bearer {}", app.key)),
        ("connection", "close".to_owned()),
    ];
    let used: usize = fixed.iter().map(|(n, v)| n.len() + v.len() + 4).sum();
    let padding = |n: usize| ("x-padding", "p".repeat(n));
    let room = 64 * 1024 - used - "x-padding".len() - 4;
    let mut at_limit = fixed.to_vec();
    at_limit.push(padding(room));
    let response = raw_get(&app, "/v1/customers", &at_limit).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response:.200}");
    let mut over = fixed.to_vec();
    over.push(padding(room + 1));
    let response = raw_get(&app, "/v1/customers", &over).await;
    assert!(response.starts_with("HTTP/1.1 400"), "{response:.200}");
    assert!(response.contains("Request headers too large"), "{response}");
}

#[tokio::test]
async fn a_repeated_header_counts_with_its_first_value() {
    let app = TestApp::spawn().await;
    let other = crate::helpers::fresh_key();
    let headers = [
        ("host", "x".to_owned()),
        ("authorization", format!("Bearer {}", app.key)),
        ("authorization", format!("Bearer {other}")),
        ("stripe-version", "2025-02-24.acacia".to_owned()),
        ("stripe-version", "2024-06-20".to_owned()),
        ("connection", "close".to_owned()),
    ];
    let response = raw_get(&app, "/v1/customers?limit=1", &headers).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("stripe-version: 2025-02-24.acacia\r\n"),
        "{response}"
    );
    // The request ran in the first key's account: a customer created there is listed.
    let id = app.customer().await;
    let response = raw_get(&app, "/v1/customers?limit=1", &headers).await;
    assert!(response.contains(&id), "{response}");
}

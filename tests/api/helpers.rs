//! Test harness: a mock server per test (or the server at `STRIPE_MOCK_TEST_URL`), a fresh
//! account per `TestApp`, and typed request helpers that assert the status.

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::Value;
use stripe_billing_mock::MockServer;

/// One test's view of the mock: a server and a fresh account on it.
pub struct TestApp {
    /// In-process server, unless the tests target an external one.
    pub server: Option<MockServer>,
    /// Base URL.
    pub base: String,
    /// Secret key of this test's account.
    pub key: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// `Stripe-Version` sent on the v1 requests of [`TestApp::send`] (`None`: no header, so the
    /// account's default applies).
    pub version: Option<&'static str>,
}

/// The version most v1 tests were written against: the legacy shapes of the seed documents.
pub const LEGACY: &str = "2023-10-16";

/// A response as a test sees it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub fn fresh_key() -> String {
    format!("sk_test_{}", uuid::Uuid::new_v4().simple())
}

impl TestApp {
    /// Starts a server (or connects to `STRIPE_MOCK_TEST_URL`) with a fresh account.
    pub async fn spawn() -> TestApp {
        let client = reqwest::Client::new();
        match std::env::var("STRIPE_MOCK_TEST_URL") {
            Ok(url) => TestApp {
                server: None,
                base: url.trim_end_matches('/').to_owned(),
                key: fresh_key(),
                client,
                version: Some(LEGACY),
            },
            Err(_) => TestApp::on(MockServer::start().await),
        }
    }

    /// A fresh account on `server`, which the app owns (it stops with the app).
    pub fn on(server: MockServer) -> TestApp {
        TestApp {
            base: server.uri(),
            server: Some(server),
            key: fresh_key(),
            client: reqwest::Client::new(),
            version: Some(LEGACY),
        }
    }

    /// A second, isolated account on the same server.
    pub fn other_account(&self) -> TestApp {
        TestApp {
            server: None,
            base: self.base.clone(),
            key: fresh_key(),
            client: self.client.clone(),
            version: self.version,
        }
    }

    /// The same account, sending `version` as `Stripe-Version` on v1 requests (`None`: none).
    pub fn at_version(&self, version: Option<&'static str>) -> TestApp {
        TestApp {
            server: None,
            base: self.base.clone(),
            key: self.key.clone(),
            client: self.client.clone(),
            version,
        }
    }

    /// Sends a request with this account's key; `form` is sent as the query for GET/DELETE and
    /// as a form body for POST.
    pub async fn send(&self, method: Method, path: &str, form: &[(&str, &str)]) -> Reply {
        let url = format!("{}{}", self.base, path);
        let mut req = self
            .client
            .request(method.clone(), &url)
            .bearer_auth(&self.key);
        let version = self.version.filter(|_| path.starts_with("/v1/"));
        if let Some(v) = version {
            req = req.header("stripe-version", v);
        }
        if method == Method::POST {
            let body = encode_form(form);
            req = req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
        } else if !form.is_empty() {
            let sep = if path.contains('?') { '&' } else { '?' };
            req = self
                .client
                .request(method, format!("{url}{sep}{}", encode_form(form)))
                .bearer_auth(&self.key);
            if let Some(v) = version {
                req = req.header("stripe-version", v);
            }
        }
        into_reply(req.send().await.expect("request sent")).await
    }

    /// Sends a raw request built by the caller.
    pub async fn raw(&self, req: reqwest::RequestBuilder) -> Reply {
        into_reply(req.send().await.expect("request sent")).await
    }

    /// Sends a v2 JSON request.
    pub async fn send_json(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        into_reply(req.send().await.expect("request sent")).await
    }

    /// GET with query parameters.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Reply {
        self.send(Method::GET, path, query).await
    }

    /// POST a form.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.send(Method::POST, path, form).await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, &[]).await
    }

    /// POST a form and require 200; returns the body.
    pub async fn post_ok(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let r = self.post(path, form).await;
        assert_eq!(r.status, StatusCode::OK, "POST {path}: {}", r.text);
        r.body
    }

    /// GET and require 200; returns the body.
    pub async fn get_ok(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let r = self.get(path, query).await;
        assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text);
        r.body
    }

    /// The types of the events listed at `path` (`/v1/events`, `/v2/core/events`) with
    /// `query`, oldest first (at most 100).
    pub async fn event_types(&self, path: &str, query: &[(&str, &str)]) -> Vec<String> {
        let mut q = vec![("limit", "100")];
        q.extend_from_slice(query);
        let list = self.get_ok(path, &q).await;
        let mut types: Vec<String> = list["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|e| e["type"].as_str().expect("type").to_owned())
            .collect();
        types.reverse();
        types
    }

    /// Creates a customer; returns its id.
    pub async fn customer(&self) -> String {
        id_of(
            &self
                .post_ok("/v1/customers", &[("email", "test@test.com")])
                .await,
        )
    }

    /// Creates a product; returns its id.
    pub async fn product(&self, name: &str) -> String {
        id_of(&self.post_ok("/v1/products", &[("name", name)]).await)
    }

    /// Creates a one-time price of `amount` in `currency`; returns its id.
    pub async fn price(&self, amount: i64, currency: &str) -> String {
        let amount = amount.to_string();
        id_of(
            &self
                .post_ok(
                    "/v1/prices",
                    &[
                        ("currency", currency),
                        ("unit_amount", &amount),
                        ("product_data[name]", "Test product"),
                    ],
                )
                .await,
        )
    }

    /// Creates a recurring monthly price; returns its id.
    pub async fn recurring_price(&self, amount: i64, currency: &str) -> String {
        let amount = amount.to_string();
        id_of(
            &self
                .post_ok(
                    "/v1/prices",
                    &[
                        ("currency", currency),
                        ("unit_amount", &amount),
                        ("product_data[name]", "Test plan"),
                        ("recurring[interval]", "month"),
                    ],
                )
                .await,
        )
    }

    /// Creates a percent-off coupon; returns its id.
    pub async fn percent_coupon(&self, pct: &str) -> String {
        id_of(
            &self
                .post_ok("/v1/coupons", &[("percent_off", pct), ("duration", "once")])
                .await,
        )
    }

    /// Creates an amount-off coupon; returns its id.
    pub async fn amount_coupon(&self, amount: i64, currency: &str) -> String {
        let amount = amount.to_string();
        id_of(
            &self
                .post_ok(
                    "/v1/coupons",
                    &[
                        ("amount_off", &amount),
                        ("currency", currency),
                        ("duration", "once"),
                    ],
                )
                .await,
        )
    }
}

/// The `id` of a JSON object.
pub fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("object has an id").to_owned()
}

fn encode_form(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but unreserved characters and brackets (as the SDKs do).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'[' | b']' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

async fn into_reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body read");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

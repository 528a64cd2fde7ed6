//! Example: testing billing code with the mock as a library.
//!
//! Run with `cargo test --example rust_test`. Each test starts its own server on an ephemeral
//! port, points "the code under test" (here a tiny client) at `server.uri()`, and asserts both
//! on what the code got back and on what the mock received.

use stripe_billing_mock::MockServer;

/// The code under test: reserves a billing intent for a price, as an app would.
async fn reserve_subscription(
    base: &str,
    key: &str,
    price: &str,
) -> Result<serde_json::Value, reqwest::Error> {
    let client = reqwest::Client::new();
    let body = serde_json::json!({
        "currency": "usd",
        "actions": [{"type": "subscribe", "subscribe": {
            "type": "v1_subscription_details",
            "v1_subscription_details": {"items": [{"price": price, "quantity": 1}]}
        }}]
    });
    let intent: serde_json::Value = client
        .post(format!("{base}/v2/billing/intents"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    let id = intent["id"].as_str().unwrap_or_default();
    client
        .post(format!("{base}/v2/billing/intents/{id}/reserve"))
        .bearer_auth(key)
        .send()
        .await?
        .json()
        .await
}

/// Runs the code under test once against a fresh server and prints the reserved total.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let catalog: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/01-catalog.json"))?;
    let server = MockServer::builder().fixtures(catalog).start().await;
    let intent = reserve_subscription(
        &server.uri(),
        "sk_test_example",
        "price_fixture_club_monthly",
    )
    .await?;
    eprintln!(
        "{} is {} for {}",
        intent["id"], intent["status"], intent["amount_details"]["total"]
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> serde_json::Value {
        let text = include_str!("../fixtures/01-catalog.json");
        serde_json::from_str(text).expect("the shipped catalog is valid JSON")
    }

    #[tokio::test]
    async fn reserving_a_subscription_computes_the_total() {
        // Arrange: a server whose accounts all start with the shipped catalog.
        let server = MockServer::builder()
            .deterministic()
            .fixtures(catalog())
            .start()
            .await;

        // Act: run the code under test.
        let intent = reserve_subscription(
            &server.uri(),
            "sk_test_example",
            "price_fixture_club_monthly",
        )
        .await
        .expect("requests succeed");

        // Assert: on the answer, on the stored object and on the requests the mock received.
        assert_eq!(intent["status"], "reserved");
        // The default version of `/v2` paths, 2026-10-14.preview, writes amounts as strings.
        assert_eq!(intent["amount_details"]["total"], "2000");
        let id = intent["id"].as_str().expect("id");
        let stored = server
            .account("sk_test_example")
            .billing_intent(id)
            .expect("stored");
        assert_eq!(stored["status"], "reserved");
        let paths: Vec<String> = server
            .received_requests()
            .await
            .into_iter()
            .map(|r| r.path)
            .collect();
        assert_eq!(
            paths,
            [
                "/v2/billing/intents".to_owned(),
                format!("/v2/billing/intents/{id}/reserve")
            ]
        );
    }

    #[tokio::test]
    async fn an_unknown_price_is_reported_as_stripe_would() {
        let server = MockServer::start().await;
        let reply = reqwest::Client::new()
            .post(format!("{}/v2/billing/intents", server.uri()))
            .bearer_auth("sk_test_example")
            .json(&serde_json::json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {
                "type": "v1_subscription_details",
                "v1_subscription_details": {"items": [{"price": "price_missing"}]}}}]}))
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 404);
        let body: serde_json::Value = reply.json().await.expect("json");
        assert_eq!(body["error"]["code"], "price_not_found");
    }
}

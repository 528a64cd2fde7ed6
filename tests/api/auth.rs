//! Authentication and account isolation.

use reqwest::StatusCode;

use crate::helpers::TestApp;

/// On v1 and v2 paths alike (the v2 error's code: `v2_errors`).
#[tokio::test]
async fn a_request_without_a_key_is_401_with_an_invalid_request_error() {
    let app = TestApp::spawn().await;
    for path in ["/v1/customers", "/v2/billing/intents"] {
        let r = app.raw(app.client.get(format!("{}{path}", app.base))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("API key"),
            "{}",
            r.text
        );
    }
}

#[tokio::test]
async fn malformed_and_publishable_keys_are_401() {
    let app = TestApp::spawn().await;
    for header in [
        "Bearer nope",
        "Bearer sk_test_",
        "Token sk_test_123",
        "Bearer pk_test_123",
    ] {
        let r = app
            .raw(
                app.client
                    .get(format!("{}/v1/customers", app.base))
                    .header("authorization", header),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{header}");
        assert_eq!(r.body["error"]["type"], "invalid_request_error", "{header}");
    }
    let r = app
        .raw(
            app.client
                .get(format!("{}/v1/customers", app.base))
                .bearer_auth("pk_test_123"),
        )
        .await;
    assert_eq!(r.code(), "secret_key_required");
}

#[tokio::test]
async fn basic_auth_with_the_key_as_user_name_works_like_bearer() {
    let app = TestApp::spawn().await;
    let id = app.customer().await;
    let r = app
        .raw(
            app.client
                .get(format!("{}/v1/customers/{id}", app.base))
                .basic_auth(&app.key, Some("")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["id"], id.as_str());
}

#[tokio::test]
async fn restricted_keys_are_accepted() {
    let app = TestApp::spawn().await;
    let r = app
        .raw(
            app.client
                .get(format!("{}/v1/customers", app.base))
                .bearer_auth("rk_test_abc123"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn objects_of_one_key_do_not_exist_for_another() {
    let app = TestApp::spawn().await;
    let other = app.other_account();
    let id = app.customer().await;
    let r = other.get(&format!("/v1/customers/{id}"), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "resource_missing");
    let list = other.get_ok("/v1/customers", &[]).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_connected_account_is_isolated_from_its_platform() {
    let app = TestApp::spawn().await;
    let platform_customer = app.customer().await;
    let connected = |req: reqwest::RequestBuilder| {
        req.bearer_auth(&app.key)
            .header("stripe-account", "acct_123")
    };
    let created = app
        .raw(
            connected(app.client.post(format!("{}/v1/customers", app.base)))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("name=Connected"),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let connected_id = created.body["id"].as_str().unwrap_or_default().to_owned();
    let r = app
        .raw(connected(app.client.get(format!(
            "{}/v1/customers/{platform_customer}",
            app.base
        ))))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get(&format!("/v1/customers/{connected_id}"), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .raw(connected(
            app.client
                .get(format!("{}/v1/customers/{connected_id}", app.base)),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn livemode_follows_the_key() {
    let app = TestApp::spawn().await;
    let test = app.post_ok("/v1/customers", &[]).await;
    assert_eq!(test["livemode"], false);
    let live = app
        .raw(
            app.client
                .post(format!("{}/v1/customers", app.base))
                .bearer_auth("sk_live_abc123"),
        )
        .await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.body["livemode"], true);
}

#[tokio::test]
async fn healthz_needs_no_key() {
    let app = TestApp::spawn().await;
    let r = app
        .raw(app.client.get(format!("{}/healthz", app.base)))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

//! `/v1/payment_records` over HTTP: the minimal payment record a billing intent's commit names.

use serde_json::json;

use crate::helpers::{TestApp, id_of};

#[tokio::test]
async fn a_reported_payment_can_be_retrieved() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let record = app
        .post_ok(
            "/v1/payment_records/report_payment",
            &[
                ("amount_requested[currency]", "usd"),
                ("amount_requested[value]", "2200"),
                ("initiated_at", "1735689600"),
                ("payment_method_details[type]", "custom"),
                ("customer_details[customer]", &customer),
                ("outcome", "guaranteed"),
                ("guaranteed[guaranteed_at]", "1735689600"),
                ("processor_details[type]", "custom"),
                ("processor_details[custom][payment_reference]", "check-42"),
                ("metadata[order]", "7"),
            ],
        )
        .await;
    let id = id_of(&record);
    assert!(id.starts_with("pr_1"), "{id}");
    assert_eq!(record["object"], "payment_record");
    assert_eq!(
        record["amount_requested"],
        json!({"currency": "usd", "value": 2200})
    );
    assert_eq!(
        record["amount_guaranteed"],
        json!({"currency": "usd", "value": 2200})
    );
    assert_eq!(
        record["amount_failed"],
        json!({"currency": "usd", "value": 0})
    );
    assert_eq!(record["customer_details"]["customer"], customer.as_str());
    assert_eq!(
        record["processor_details"]["custom"]["payment_reference"],
        "check-42"
    );
    assert_eq!(record["reported_by"], "self");
    assert_eq!(record["metadata"], json!({"order": "7"}));
    let got = app.get_ok(&format!("/v1/payment_records/{id}"), &[]).await;
    assert_eq!(got, record);
}

#[tokio::test]
async fn report_payment_requires_its_parameters() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/v1/payment_records/report_payment",
            &[
                ("amount_requested[currency]", "usd"),
                ("amount_requested[value]", "100"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.code(), "parameter_missing");
    assert_eq!(r.body["error"]["param"], "initiated_at");
    let r = app
        .post(
            "/v1/payment_records/report_payment",
            &[
                ("amount_requested[currency]", "usd"),
                ("amount_requested[value]", "100"),
                ("initiated_at", "1"),
                ("payment_method_details[type]", "custom"),
                ("customer_details[customer]", "cus_missing"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 404, "{}", r.text);
    assert_eq!(r.code(), "resource_missing");
}

#[tokio::test]
async fn an_unknown_payment_record_is_resource_missing() {
    let app = TestApp::spawn().await;
    let r = app.get("/v1/payment_records/pr_missing", &[]).await;
    assert_eq!(r.status.as_u16(), 404, "{}", r.text);
    assert_eq!(r.code(), "resource_missing");
}

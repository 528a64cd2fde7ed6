//! `/v2/billing/cadences` over HTTP: the minimal cadence resource intents refer to.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of};
use crate::intent_helpers::{err, get, ok, post};

#[tokio::test]
async fn a_created_cadence_can_be_retrieved() {
    let app = TestApp::spawn().await;
    let created = ok(post(
        &app,
        "/v2/billing/cadences",
        json!({
            "billing_cycle": {"type": "month", "interval_count": 3, "month": {"day_of_month": 15, "month_of_year": 2, "time": {"hour": 12, "minute": 0, "second": 0}}},
            "payer": {"billing_profile": "bilp_123"},
            "lookup_key": "quarterly",
            "metadata": {"team": "billing"}
        }),
    )
    .await);
    let id = id_of(&created);
    assert!(
        id.starts_with("bc_61") && id.len() == "bc_".len() + 44,
        "{id}"
    );
    assert_eq!(created["object"], "v2.billing.cadence");
    assert_eq!(created["status"], "active");
    assert_eq!(created["livemode"], false);
    assert_eq!(created["lookup_key"], "quarterly");
    assert_eq!(created["metadata"], json!({"team": "billing"}));
    assert_eq!(
        created["billing_cycle"],
        json!({"day": null, "interval_count": 3, "month": {"day_of_month": 15, "month_of_year": 2, "time": {"hour": 12, "minute": 0, "second": 0}}, "type": "month", "week": null, "year": null})
    );
    assert_eq!(
        created["payer"],
        json!({"billing_profile": "bilp_123", "customer": null, "type": "customer"})
    );
    let got = ok(get(&app, &format!("/v2/billing/cadences/{id}")).await);
    assert_eq!(got, created);
}

#[tokio::test]
async fn omitted_anchors_default_to_the_creation_time() {
    let app = TestApp::spawn().await;
    let created = ok(post(
        &app,
        "/v2/billing/cadences",
        json!({"billing_cycle": {"type": "year"}, "payer": {"billing_profile": "bilp_1"}}),
    )
    .await);
    let year = &created["billing_cycle"]["year"];
    let stamp = created["created"].as_str().expect("created");
    let month: i64 = stamp[5..7].parse().expect("month");
    let day: i64 = stamp[8..10].parse().expect("day");
    let hour: i64 = stamp[11..13].parse().expect("hour");
    assert_eq!(year["month_of_year"], month);
    assert_eq!(year["day_of_month"], day);
    assert_eq!(year["time"]["hour"], hour);
    assert_eq!(created["billing_cycle"]["interval_count"], 1);
}

#[tokio::test]
async fn an_unknown_cadence_is_not_found() {
    let app = TestApp::spawn().await;
    err(
        &get(&app, "/v2/billing/cadences/bc_missing").await,
        404,
        "billing_cadence_not_found",
    );
}

#[tokio::test]
async fn cadence_validation_names_the_offending_field() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"payer": {"billing_profile": "p"}}), "billing_cycle"),
        (json!({"billing_cycle": {"type": "month"}}), "payer"),
        (
            json!({"billing_cycle": {"type": "month"}, "payer": {}}),
            "payer.billing_profile",
        ),
        (
            json!({"billing_cycle": {"type": "month", "week": {"day_of_week": 1}}, "payer": {"billing_profile": "p"}}),
            "billing_cycle.week",
        ),
        (
            json!({"billing_cycle": {"type": "month", "month": {"day_of_month": 1, "month_of_year": 3}}, "payer": {"billing_profile": "p"}}),
            "billing_cycle.month.month_of_year",
        ),
        (
            json!({"billing_cycle": {"type": "week", "week": {"day_of_week": 8}}, "payer": {"billing_profile": "p"}}),
            "billing_cycle.week.day_of_week",
        ),
        (
            json!({"billing_cycle": {"type": "day", "day": {"time": {"hour": 24, "minute": 0, "second": 0}}}, "payer": {"billing_profile": "p"}}),
            "billing_cycle.day.time.hour",
        ),
        (
            json!({"billing_cycle": {"type": "day", "day": {"time": {"hour": 1, "minute": 0}}}, "payer": {"billing_profile": "p"}}),
            "billing_cycle.day.time.second",
        ),
        (
            json!({"billing_cycle": {"type": "day", "interval_count": 0}, "payer": {"billing_profile": "p"}}),
            "billing_cycle.interval_count",
        ),
        (
            json!({"billing_cycle": {"type": "day"}, "payer": {"billing_profile": "p"}, "color": "red"}),
            "color",
        ),
    ];
    for (body, param) in cases {
        let r = post(&app, "/v2/billing/cadences", body.clone()).await;
        assert_eq!(r.status.as_u16(), 400, "{body}: {}", r.text);
        assert_eq!(r.body["error"]["param"], param, "{body}: {}", r.text);
    }
}

//! `/v2/billing/cadences` over HTTP: the minimal cadence resource intents refer to.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of};
use crate::intent_helpers::{err, get, ok, post, refused};

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

#[tokio::test]
async fn cadence_errors_name_the_cycle_fields_in_their_messages() {
    let app = TestApp::spawn().await;
    let payer = json!({"billing_profile": "p"});
    // (billing_cycle, param, code, message)
    let cases: Vec<(Value, &str, Option<&str>, &str)> = vec![
        (
            json!({"type": "fortnight"}),
            "billing_cycle.type",
            Some("invalid_fields"),
            "Invalid billing_cycle.type: must be one of day, month, week, year; got 'fortnight'.",
        ),
        (
            json!({"interval_count": 2}),
            "billing_cycle.type",
            Some("parameter_missing"),
            "Missing required param: billing_cycle.type.",
        ),
        (
            json!({"type": "month", "week": {"day_of_week": 1}}),
            "billing_cycle.week",
            Some("invalid_fields"),
            "`week` may only be given when `billing_cycle.type` is `week`, not `month`.",
        ),
        (
            json!({"type": "month", "day": {"bogus": 1}, "month": {"day_of_month": 1}}),
            "billing_cycle.day",
            Some("invalid_fields"),
            "`day` may only be given when `billing_cycle.type` is `day`, not `month`.",
        ),
        (
            json!({"type": "month", "interval_count": 5, "month": {"day_of_month": 1, "month_of_year": 3}}),
            "billing_cycle.month.month_of_year",
            Some("invalid_fields"),
            "`month_of_year` can only be used when `billing_cycle.interval_count` is 2, 3, 4 or 6.",
        ),
        (
            json!({"type": "week", "week": {"day_of_week": 2, "hour": 3}}),
            "billing_cycle.week.hour",
            Some("parameter_unknown"),
            "Received unknown parameter: billing_cycle.week.hour",
        ),
        (
            json!({"type": "year", "year": {"month_of_year": 13}}),
            "billing_cycle.year.month_of_year",
            Some("parameter_invalid_integer"),
            "Invalid value for month_of_year: must be between 1 and 12, got 13.",
        ),
    ];
    for (cycle, param, code, message) in cases {
        let body = json!({"billing_cycle": cycle, "payer": payer});
        refused(&app, "/v2/billing/cadences", body, param, code, message).await;
    }
    // A quarterly cycle may name its month.
    ok(post(
        &app,
        "/v2/billing/cadences",
        json!({"billing_cycle": {"type": "month", "interval_count": 3, "month": {"day_of_month": 1, "month_of_year": 3}}, "payer": payer}),
    )
    .await);
    let r = get(&app, "/v2/billing/cadences/bc_1?expand=x").await;
    assert_eq!(r.body["error"]["param"], "expand", "{}", r.text);
}

#[tokio::test]
async fn intent_cadence_data_errors_name_their_full_paths() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let subscribe = crate::intent_helpers::subscribe(&[(&price, None)]);
    // (cadence_data, param, code, message)
    let cases: Vec<(Value, &str, Option<&str>, &str)> = vec![
        (
            json!({"billing_cycle": {"type": "day", "week": {}}, "payer": {"billing_profile": "p"}}),
            "cadence_data.billing_cycle.week",
            Some("invalid_fields"),
            "`week` may only be given when `cadence_data.billing_cycle.type` is `week`, not `day`.",
        ),
        (
            json!({"billing_cycle": {"type": "month", "month": {"day_of_month": 1, "month_of_year": 1}}, "payer": {"billing_profile": "p"}}),
            "cadence_data.billing_cycle.month.month_of_year",
            Some("invalid_fields"),
            "`month_of_year` can only be used when `cadence_data.billing_cycle.interval_count` is 2, 3, 4 or 6.",
        ),
        (
            json!({"billing_cycle": {"type": "day"}, "payer": {"billing_profile": "p", "billing_profile_data": {"customer": "cus_1"}}}),
            "cadence_data.payer.billing_profile",
            Some("parameters_exclusive"),
            "You may only specify one of these parameters: billing_profile, billing_profile_data.",
        ),
        (
            json!({"billing_cycle": {"type": "day"}, "payer": {"billing_profile_data": {}}}),
            "cadence_data.payer.billing_profile_data.customer",
            Some("parameter_missing"),
            "Missing required param: cadence_data.payer.billing_profile_data.customer.",
        ),
        (
            json!({"billing_cycle": {"type": "day"}, "payer": {"billing_profile": "p"}, "settings": {"bill": {"id": "b", "colour": 1}}}),
            "cadence_data.settings.bill.colour",
            Some("parameter_unknown"),
            "Received unknown parameter: cadence_data.settings.bill.colour",
        ),
    ];
    for (data, param, code, message) in cases {
        let body = json!({"currency": "usd", "actions": [subscribe], "cadence_data": data});
        refused(&app, "/v2/billing/intents", body, param, code, message).await;
    }
}

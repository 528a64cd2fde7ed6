//! `/v2/billing/intents/:id/actions` over HTTP: what each action type echoes, retrieve, list in
//! both directions, and the action-level error codes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of};
use crate::intent_helpers::{create, err, follow, get, ok, post, refused, subscribe, v2};

fn actions_path(intent: &str) -> String {
    format!("/v2/billing/intents/{intent}/actions")
}

#[tokio::test]
async fn a_subscribe_action_echoes_the_request_with_defaults() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let intent = create(
        &app,
        json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {
            "type": "v1_subscription_details",
            "v1_subscription_details": {
                "description": "Gold plan",
                "metadata": {"plan": "gold"},
                "items": [{"price": price, "quantity": 3, "metadata": {"seat": "a"}}, {"price": price}]
            }
        }}]}),
    )
    .await;
    let list = ok(get(&app, &actions_path(&id_of(&intent))).await);
    let action = &list["data"][0];
    let id = id_of(action);
    assert!(
        id.starts_with("bilinti_61") && id.len() == "bilinti_".len() + 44,
        "{id}"
    );
    assert_eq!(action["object"], "v2.billing.intent_action");
    assert_eq!(action["type"], "subscribe");
    assert_eq!(action["created"], intent["created"]);
    assert_eq!(action["livemode"], false);
    for other in ["apply", "deactivate", "modify", "remove"] {
        assert_eq!(action[other], Value::Null, "{other}");
    }
    assert_eq!(
        action["subscribe"],
        json!({
            "type": "v1_subscription_details",
            "collect_at": "on_effective_at",
            "effective_at": {"type": "on_reserve", "timestamp": null},
            "pricing_plan_subscription_details": null,
            "v1_subscription_details": {
                "description": "Gold plan",
                "items": [
                    {"metadata": {"seat": "a"}, "price": price, "quantity": 3},
                    {"metadata": null, "price": price, "quantity": 1}
                ],
                "metadata": {"plan": "gold"}
            }
        })
    );
}

#[tokio::test]
async fn every_action_type_is_stored_and_echoed() {
    let app = TestApp::spawn().await;
    let coupon = app.percent_coupon("10").await;
    let actions = json!([
        {"type": "subscribe", "subscribe": {
            "type": "pricing_plan_subscription_details",
            "collect_at": "next_billing_date",
            "effective_at": {"type": "timestamp", "timestamp": "2025-02-01T00:00:00Z"},
            "pricing_plan_subscription_details": {
                "pricing_plan": "bpp_1", "pricing_plan_version": "bppv_1",
                "component_configurations": [{"lookup_key": "seats", "quantity": 5}],
                "overrides": {"partial_period_behaviors": [
                    {"type": "license_fee", "license_fee": {"debit_proration_behavior": "none"}},
                    {"type": "recurring_credit_grant", "recurring_credit_grant": {"create_behavior": "none"}}
                ]}
            }
        }},
        {"type": "modify", "modify": {
            "type": "pricing_plan_subscription_details",
            "pricing_plan_subscription_details": {
                "pricing_plan_subscription": "bpps_1",
                "new_pricing_plan": "bpp_2",
                "overrides": {"partial_period_behaviors": [
                    {"type": "license_fee", "license_fee": {"credit_proration_behavior": "prorated", "debit_proration_behavior": "none"}}
                ]}
            }
        }},
        {"type": "deactivate", "deactivate": {
            "type": "pricing_plan_subscription_details",
            "effective_at": {"type": "current_billing_period_end"},
            "cancellation_details": {"comment": "moving", "feedback": "switched_service"},
            "pricing_plan_subscription_details": {
                "pricing_plan_subscription": "bpps_2",
                "overrides": {"partial_period_behaviors": [
                    {"type": "license_fee", "license_fee": {"credit_proration_behavior": "none"}}
                ]}
            }
        }},
        {"type": "apply", "apply": {"type": "discount", "discount": {"type": "coupon", "coupon": coupon}}},
        {"type": "apply", "apply": {"type": "invoice_discount_rule", "invoice_discount_rule": {
            "applies_to": "cadence", "type": "percent_off",
            "percent_off": {"percent_off": "12.5", "maximum_applications": {"type": "indefinite"}}
        }}},
        {"type": "apply", "apply": {"type": "spend_modifier_rule", "effective_at": {"type": "next_billing_period_start"}, "spend_modifier_rule": {
            "applies_to": "cadence", "type": "max_billing_period_spend",
            "max_billing_period_spend": {
                "amount": {"type": "custom_pricing_unit", "custom_pricing_unit": {"value": "100.5"}},
                "custom_pricing_unit_overage_rate": {"id": "cpuor_1"}
            }
        }}},
        {"type": "remove", "remove": {"type": "invoice_discount_rule", "invoice_discount_rule": "bidr_1"}}
    ]);
    // The default version (2026-10-14.preview) has every field of every action type.
    let intent = create(&app, json!({"currency": "usd", "actions": actions})).await;
    assert_eq!(intent["amount_details"]["total"], "0");
    let list = ok(get(&app, &actions_path(&id_of(&intent))).await);
    let data = list["data"].as_array().expect("data");
    let types: Vec<&str> = data.iter().filter_map(|a| a["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "subscribe",
            "modify",
            "deactivate",
            "apply",
            "apply",
            "apply",
            "remove"
        ],
        "request order"
    );

    let s = &data[0]["subscribe"];
    assert_eq!(s["collect_at"], "next_billing_date");
    assert_eq!(
        s["effective_at"],
        json!({"type": "timestamp", "timestamp": "2025-02-01T00:00:00.000Z"})
    );
    assert_eq!(
        s["pricing_plan_subscription_details"],
        json!({
            "component_configurations": [{"lookup_key": "seats", "pricing_plan_component": null, "quantity": 5}],
            "metadata": null,
            "overrides": {"partial_period_behaviors": [
                {"type": "license_fee", "license_fee": {"debit_proration_behavior": "none"}, "recurring_credit_grant": null},
                {"type": "recurring_credit_grant", "license_fee": null, "recurring_credit_grant": {"create_behavior": "none"}}
            ]},
            "pricing_plan": "bpp_1",
            "pricing_plan_subscription": null,
            "pricing_plan_version": "bppv_1"
        })
    );
    assert_eq!(s["v1_subscription_details"], Value::Null);

    let m = &data[1]["modify"];
    assert_eq!(m["collect_at"], "next_billing_date", "modify's default");
    assert_eq!(m["effective_at"]["type"], "on_reserve");
    assert_eq!(
        m["pricing_plan_subscription_details"],
        json!({
            "component_configurations": [],
            "new_pricing_plan": "bpp_2",
            "new_pricing_plan_version": null,
            "overrides": {"partial_period_behaviors": [
                {"type": "license_fee", "license_fee": {"credit_proration_behavior": "prorated", "debit_proration_behavior": "none"}, "recurring_credit_grant": null}
            ]},
            "pricing_plan_subscription": "bpps_1"
        })
    );

    let d = &data[2]["deactivate"];
    assert_eq!(d["collect_at"], "on_effective_at");
    assert_eq!(
        d["effective_at"],
        json!({"type": "current_billing_period_end", "timestamp": null})
    );
    assert_eq!(
        d["cancellation_details"],
        json!({"comment": "moving", "feedback": "switched_service"})
    );
    assert_eq!(
        d["pricing_plan_subscription_details"]["overrides"]["partial_period_behaviors"][0],
        json!({"type": "license_fee", "license_fee": {"credit_proration_behavior": "none"}})
    );

    assert_eq!(
        data[3]["apply"],
        json!({"type": "discount", "discount": {"type": "coupon", "coupon": coupon, "discount": null, "promotion_code": null},
               "effective_at": {"type": "on_reserve", "timestamp": null}, "invoice_discount_rule": null, "spend_modifier_rule": null})
    );
    assert_eq!(
        data[4]["apply"]["invoice_discount_rule"],
        json!({"type": "percent_off", "applies_to": "cadence", "invoice_discount_rule": null,
               "percent_off": {"maximum_applications": {"type": "indefinite"}, "percent_off": "12.5"}})
    );
    assert_eq!(
        data[5]["apply"]["spend_modifier_rule"]["max_billing_period_spend"],
        json!({"amount": {"type": "custom_pricing_unit", "custom_pricing_unit": {"id": null, "value": "100.5"}},
               "custom_pricing_unit_overage_rate": {"id": "cpuor_1"}})
    );
    assert_eq!(
        data[5]["apply"]["effective_at"]["type"],
        "next_billing_period_start"
    );
    assert_eq!(
        data[6]["remove"],
        json!({"type": "invoice_discount_rule", "effective_at": {"type": "on_reserve"}, "invoice_discount_rule": "bidr_1", "spend_modifier_rule": null})
    );
}

#[tokio::test]
async fn action_validation_names_the_offending_field() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"type": "modify", "modify": {"type": "pricing_plan_subscription_details"}}),
            "actions[0].modify.pricing_plan_subscription_details",
        ),
        (
            json!({"type": "deactivate", "deactivate": {"type": "v1_subscription_details", "pricing_plan_subscription_details": {"pricing_plan_subscription": "x"}, "cancellation_details": {"feedback": "meh"}}}),
            "actions[0].deactivate.cancellation_details.feedback",
        ),
        (
            json!({"type": "apply", "apply": {"type": "discount", "discount": {"type": "promotion_code", "coupon": "c"}}}),
            "actions[0].apply.discount.coupon",
        ),
        (
            json!({"type": "apply", "apply": {"type": "discount", "discount": {"type": "promotion_code"}}}),
            "actions[0].apply.discount.promotion_code",
        ),
        (
            json!({"type": "apply", "apply": {"type": "invoice_discount_rule", "invoice_discount_rule": {"applies_to": "cadence", "type": "percent_off", "percent_off": {"percent_off": "150", "maximum_applications": {"type": "indefinite"}}}}}),
            "actions[0].apply.invoice_discount_rule.percent_off.percent_off",
        ),
        (
            json!({"type": "apply", "apply": {"type": "invoice_discount_rule", "invoice_discount_rule": {"applies_to": "customer", "type": "percent_off"}}}),
            "actions[0].apply.invoice_discount_rule.applies_to",
        ),
        (
            json!({"type": "apply", "apply": {"type": "invoice_discount_rule", "effective_at": {"type": "timestamp", "timestamp": "2025-01-01T00:00:00Z"}, "invoice_discount_rule": {"applies_to": "cadence", "type": "percent_off"}}}),
            "actions[0].apply.effective_at.type",
        ),
        (
            json!({"type": "subscribe", "subscribe": {"type": "pricing_plan_subscription_details", "effective_at": {"type": "timestamp"}, "pricing_plan_subscription_details": {"pricing_plan": "p", "pricing_plan_version": "v"}}}),
            "actions[0].subscribe.effective_at.timestamp",
        ),
        (
            json!({"type": "subscribe", "subscribe": {"type": "pricing_plan_subscription_details", "effective_at": {"type": "timestamp", "timestamp": "yesterday"}, "pricing_plan_subscription_details": {"pricing_plan": "p", "pricing_plan_version": "v"}}}),
            "actions[0].subscribe.effective_at.timestamp",
        ),
        (
            json!({"type": "subscribe", "subscribe": {"type": "pricing_plan_subscription_details", "effective_at": {"type": "on_reserve", "timestamp": "2025-01-01T00:00:00Z"}, "pricing_plan_subscription_details": {"pricing_plan": "p", "pricing_plan_version": "v"}}}),
            "actions[0].subscribe.effective_at.timestamp",
        ),
        (
            json!({"type": "subscribe", "subscribe": {"type": "pricing_plan_subscription_details", "pricing_plan_subscription_details": {"pricing_plan": "p"}}}),
            "actions[0].subscribe.pricing_plan_subscription_details.pricing_plan_version",
        ),
        (
            json!({"type": "subscribe", "subscribe": {"type": "pricing_plan_subscription_details", "pricing_plan_subscription_details": {"pricing_plan": "p", "pricing_plan_version": "v", "overrides": {"partial_period_behaviors": [{"type": "license_fee", "license_fee": {"debit_proration_behavior": "none", "credit_proration_behavior": "none"}}]}}}}),
            "actions[0].subscribe.pricing_plan_subscription_details.overrides.partial_period_behaviors[0].license_fee.credit_proration_behavior",
        ),
        (
            json!({"type": "subscribe", "subscribe": {"type": "pricing_plan_subscription_details", "pricing_plan_subscription_details": {"pricing_plan": "p", "pricing_plan_version": "v"}, "v1_subscription_details": {"items": []}}}),
            "actions[0].subscribe.v1_subscription_details",
        ),
        (
            json!({"type": "remove", "remove": {"type": "spend_modifier_rule"}}),
            "actions[0].remove.spend_modifier_rule",
        ),
        (
            json!({"type": "remove", "remove": {"type": "spend_modifier_rule", "spend_modifier_rule": "x", "effective_at": {"type": "timestamp"}}}),
            "actions[0].remove.effective_at.type",
        ),
    ];
    for (action, param) in cases {
        let r = post(
            &app,
            "/v2/billing/intents",
            json!({"currency": "usd", "actions": [action]}),
        )
        .await;
        assert_eq!(r.status.as_u16(), 400, "{action}: {}", r.text);
        assert_eq!(r.body["error"]["param"], param, "{action}: {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
}

#[tokio::test]
async fn retrieving_an_action_returns_the_listed_one() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let intent = create(
        &app,
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), subscribe(&[(&price, Some(2))])]}),
    )
    .await;
    let iid = id_of(&intent);
    let list = ok(get(&app, &actions_path(&iid)).await);
    for listed in list["data"].as_array().expect("data") {
        let got = ok(get(&app, &format!("{}/{}", actions_path(&iid), id_of(listed))).await);
        assert_eq!(&got, listed);
    }
}

#[tokio::test]
async fn an_unknown_action_or_another_intents_action_is_not_found() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let body = json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])]});
    let a = id_of(&create(&app, body.clone()).await);
    let b = id_of(&create(&app, body).await);
    let b_action = id_of(&ok(get(&app, &actions_path(&b)).await)["data"][0]);

    err(
        &get(&app, &format!("{}/bilinti_missing", actions_path(&a))).await,
        404,
        "billing_intent_action_not_found",
    );
    err(
        &get(&app, &format!("{}/{b_action}", actions_path(&a))).await,
        404,
        "billing_intent_action_not_found",
    );
    err(
        &get(
            &app,
            &format!("{}/{b_action}", actions_path("bilint_missing")),
        )
        .await,
        404,
        "billing_intent_not_found",
    );
    let other = app.other_account();
    err(
        &get(&other, &format!("{}/{b_action}", actions_path(&b))).await,
        404,
        "billing_intent_not_found",
    );
}

#[tokio::test]
async fn listing_actions_pages_in_request_order_in_both_directions() {
    let app = TestApp::spawn().await;
    let price = app.price(100, "usd").await;
    let actions: Vec<Value> = (1..=5).map(|q| subscribe(&[(&price, Some(q))])).collect();
    let intent = create(&app, json!({"currency": "usd", "actions": actions})).await;
    let iid = id_of(&intent);
    let all = ok(get(&app, &actions_path(&iid)).await);
    let ids: Vec<String> = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(all["next_page_url"], Value::Null);
    assert_eq!(all["previous_page_url"], Value::Null);
    let quantities: Vec<i64> = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|a| a["subscribe"]["v1_subscription_details"]["items"][0]["quantity"].as_i64())
        .collect();
    assert_eq!(quantities, [1, 2, 3, 4, 5]);

    let first = ok(get(&app, &format!("{}?limit=2", actions_path(&iid))).await);
    let forward = follow(&app, first, "next_page_url").await;
    assert_eq!(
        forward,
        vec![ids[0..2].to_vec(), ids[2..4].to_vec(), ids[4..5].to_vec()]
    );

    let mut last = ok(get(&app, &format!("{}?limit=2", actions_path(&iid))).await);
    while let Some(url) = last["next_page_url"].as_str() {
        last = ok(get(&app, url).await);
    }
    let backward = follow(&app, last, "previous_page_url").await;
    assert_eq!(
        backward,
        vec![ids[4..5].to_vec(), ids[2..4].to_vec(), ids[0..2].to_vec()]
    );
}

#[tokio::test]
async fn an_action_page_token_only_works_for_its_own_intent() {
    let app = TestApp::spawn().await;
    let price = app.price(100, "usd").await;
    let body = json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), subscribe(&[(&price, None)])]});
    let a = id_of(&create(&app, body.clone()).await);
    let b = id_of(&create(&app, body).await);
    let page = ok(get(&app, &format!("{}?limit=1", actions_path(&a))).await);
    let next = page["next_page_url"].as_str().expect("next page");
    let token = next.split("page=").nth(1).expect("token");
    let r = get(&app, &format!("{}?page={token}", actions_path(&b))).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.body["error"]["param"], "page");
    for query in ["limit=0", "limit=101", "foo=bar"] {
        let r = get(&app, &format!("{}?{query}", actions_path(&a))).await;
        assert_eq!(r.status.as_u16(), 400, "{query}: {}", r.text);
    }
}

#[tokio::test]
async fn billing_details_of_older_preview_versions_are_accepted_and_echoed() {
    let app = TestApp::spawn().await;
    let seed = Some("2025-08-27.preview");
    let price = app.price(1000, "usd").await;
    let body = json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {
        "type": "v1_subscription_details",
        "billing_details": {"proration_behavior": "prorated_adjustment"},
        "v1_subscription_details": {"items": [{"price": price}]}
    }}]});
    let intent = ok(v2(&app, Method::POST, "/v2/billing/intents", seed, Some(body)).await);
    let id = id_of(&intent);
    let actions = ok(v2(&app, Method::GET, &actions_path(&id), seed, None).await);
    assert_eq!(
        actions["data"][0]["subscribe"]["billing_details"]["proration_behavior"],
        "prorated_adjustment"
    );
    let bad = json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {
        "type": "v1_subscription_details",
        "billing_details": {"proration_behavior": "sometimes"},
        "v1_subscription_details": {"items": [{"price": price}]}
    }}]});
    let r = v2(&app, Method::POST, "/v2/billing/intents", seed, Some(bad)).await;
    assert_eq!(r.status, reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["error"]["param"],
        "actions[0].subscribe.billing_details.proration_behavior"
    );
}

#[tokio::test]
async fn action_errors_name_full_paths_allowed_values_and_the_type_they_depend_on() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let sub = subscribe(&[(&price, None)]);
    let plan = json!({"pricing_plan": "p", "pricing_plan_version": "v"});
    let plan_sub = |extra: Value| {
        let mut s = json!({"type": "pricing_plan_subscription_details", "pricing_plan_subscription_details": plan});
        if let (Some(s), Value::Object(extra)) = (s.as_object_mut(), extra) {
            s.extend(extra);
        }
        json!({"type": "subscribe", "subscribe": s})
    };
    // (second action, param, code, message): the first action is valid, so paths name index 1.
    let cases: Vec<(Value, &str, Option<&str>, &str)> = vec![
        (
            json!({"type": "upgrade"}),
            "actions[1].type",
            Some("invalid_fields"),
            "Invalid actions[1].type: must be one of apply, deactivate, modify, remove, subscribe; got 'upgrade'.",
        ),
        (
            json!({"type": "deactivate", "deactivate": {"type": "v1_subscription_details", "pricing_plan_subscription_details": {"pricing_plan_subscription": "x"}, "cancellation_details": {"feedback": "meh"}}}),
            "actions[1].deactivate.cancellation_details.feedback",
            Some("invalid_fields"),
            "Invalid actions[1].deactivate.cancellation_details.feedback: must be one of customer_service, low_quality, missing_features, other, switched_service, too_complex, too_expensive, unused; got 'meh'.",
        ),
        (
            json!({"type": "apply", "apply": {"type": "discount", "discount": {"type": "coupon", "coupon": "c"}, "remove": 1}}),
            "actions[1].apply.remove",
            Some("parameter_unknown"),
            "Received unknown parameter: actions[1].apply.remove",
        ),
        (
            json!({"type": "apply", "apply": {"type": "discount", "discount": {"type": "coupon", "coupon": "c"}}, "remove": {"type": "x"}}),
            "actions[1].remove",
            Some("invalid_fields"),
            "`remove` may only be given when `actions[1].type` is `remove`, not `apply`.",
        ),
        (
            json!({"type": "apply", "apply": {"type": "discount", "invoice_discount_rule": {}}}),
            "actions[1].apply.invoice_discount_rule",
            Some("invalid_fields"),
            "`invoice_discount_rule` may only be given when `actions[1].apply.type` is `invoice_discount_rule`, not `discount`.",
        ),
        (
            json!({"type": "apply", "apply": {"type": "discount"}}),
            "actions[1].apply.discount",
            Some("parameter_missing"),
            "Missing required param: actions[1].apply.discount.",
        ),
        (
            plan_sub(json!({"v1_subscription_details": ""})),
            "actions[1].subscribe.v1_subscription_details",
            Some("invalid_fields"),
            "`v1_subscription_details` may only be given when `actions[1].subscribe.type` is `v1_subscription_details`, not `pricing_plan_subscription_details`.",
        ),
        (
            json!({"type": "apply", "apply": {"type": "discount", "discount": {"type": "promotion_code", "coupon": "c", "promotion_code": "p"}}}),
            "actions[1].apply.discount.coupon",
            Some("invalid_fields"),
            "`actions[1].apply.discount.coupon` may only be given when `type` is `coupon`.",
        ),
        (
            json!({"type": "remove", "remove": {"type": "spend_modifier_rule", "invoice_discount_rule": "x", "spend_modifier_rule": "y"}}),
            "actions[1].remove.invoice_discount_rule",
            Some("invalid_fields"),
            "`actions[1].remove.invoice_discount_rule` may only be given when `type` is `invoice_discount_rule`.",
        ),
        (
            json!({"type": "remove", "remove": {"type": "spend_modifier_rule", "effective_at": {"type": "timestamp"}, "spend_modifier_rule": "x"}}),
            "actions[1].remove.effective_at.type",
            Some("invalid_fields"),
            "Invalid actions[1].remove.effective_at.type: must be one of current_billing_period_end, on_reserve; got 'timestamp'.",
        ),
        (
            json!({"type": "apply", "apply": {"type": "spend_modifier_rule", "effective_at": {"type": "timestamp", "timestamp": "2025-01-01T00:00:00Z"}, "spend_modifier_rule": {}}}),
            "actions[1].apply.effective_at.type",
            Some("invalid_fields"),
            "`timestamp` is only allowed for discount actions.",
        ),
        (
            plan_sub(json!({"effective_at": {"type": "timestamp", "timestamp": "yesterday"}})),
            "actions[1].subscribe.effective_at.timestamp",
            Some("invalid_fields"),
            "Invalid timestamp: 'yesterday'. Expected an RFC 3339 timestamp such as 2025-01-01T00:00:00.000Z.",
        ),
        (
            plan_sub(json!({"effective_at": {"type": "timestamp"}})),
            "actions[1].subscribe.effective_at.timestamp",
            Some("parameter_missing"),
            "Missing required param: actions[1].subscribe.effective_at.timestamp.",
        ),
        (
            json!({"type": "subscribe", "subscribe": {"type": "pricing_plan_subscription_details", "pricing_plan_subscription_details": {"pricing_plan": "p", "pricing_plan_version": "v", "overrides": {"partial_period_behaviors": [{"type": "license_fee", "license_fee": {"debit_proration_behavior": "none"}, "recurring_credit_grant": {"create_behavior": "none"}}]}}}}),
            "actions[1].subscribe.pricing_plan_subscription_details.overrides.partial_period_behaviors[0].recurring_credit_grant",
            Some("invalid_fields"),
            "`recurring_credit_grant` may only be given when `type` is `recurring_credit_grant`, not `license_fee`.",
        ),
        (
            json!({"type": "deactivate", "deactivate": {"type": "pricing_plan_subscription_details", "pricing_plan_subscription_details": {"pricing_plan_subscription": "x", "overrides": {"partial_period_behaviors": [{"type": "license_fee", "recurring_credit_grant": null}]}}}}),
            "actions[1].deactivate.pricing_plan_subscription_details.overrides.partial_period_behaviors[0].recurring_credit_grant",
            Some("parameter_unknown"),
            "Received unknown parameter: actions[1].deactivate.pricing_plan_subscription_details.overrides.partial_period_behaviors[0].recurring_credit_grant",
        ),
        (
            json!({"type": "apply", "apply": {"type": "invoice_discount_rule", "invoice_discount_rule": {"applies_to": "cadence", "type": "percent_off", "percent_off": {"percent_off": 150, "maximum_applications": {"type": "indefinite"}}}}}),
            "actions[1].apply.invoice_discount_rule.percent_off.percent_off",
            Some("invalid_fields"),
            "Invalid percent_off: '150'. It must be greater than 0 and at most 100.",
        ),
        (
            json!({"type": "apply", "apply": {"type": "spend_modifier_rule", "spend_modifier_rule": {"applies_to": "cadence", "type": "max_billing_period_spend", "max_billing_period_spend": {"amount": {"type": "custom_pricing_unit", "custom_pricing_unit": {"value": "1e3"}}, "custom_pricing_unit_overage_rate": {"id": "r"}}}}}),
            "actions[1].apply.spend_modifier_rule.max_billing_period_spend.amount.custom_pricing_unit.value",
            Some("invalid_fields"),
            "Invalid decimal: '1e3'. Expected a non-negative decimal string such as \"50.0\".",
        ),
        (
            json!({"type": "subscribe", "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": price, "metadata": {"k": 1}}]}}}),
            "actions[1].subscribe.v1_subscription_details.items[0].metadata.k",
            Some("invalid_fields"),
            "Invalid actions[1].subscribe.v1_subscription_details.items[0].metadata.k: expected a string, got a number.",
        ),
    ];
    for (action, param, code, message) in cases {
        let body = json!({"currency": "usd", "actions": [sub, action]});
        refused(&app, "/v2/billing/intents", body, param, code, message).await;
    }
    let many: Vec<Value> = (0..101).map(|_| json!({"type": "bogus"})).collect();
    refused(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": many}),
        "actions",
        Some("too_many_billing_intent_actions"),
        "Invalid array: actions may have at most 100 items.",
    )
    .await;
}

#[tokio::test]
async fn decimal_strings_may_be_sent_as_strings_or_numbers() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let rule = |percent: Value| json!({"type": "apply", "apply": {"type": "invoice_discount_rule", "invoice_discount_rule": {"applies_to": "cadence", "type": "percent_off", "percent_off": {"percent_off": percent, "maximum_applications": {"type": "indefinite"}}}}});
    let intent = create(
        &app,
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), rule(json!(12.5)), rule(json!(" 50 ")), rule(json!(100))]}),
    )
    .await;
    let listed = ok(get(&app, &actions_path(&id_of(&intent))).await);
    let percents: Vec<Value> = listed["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|a| a["type"] == "apply")
        .map(|a| a["apply"]["invoice_discount_rule"]["percent_off"]["percent_off"].clone())
        .collect();
    assert_eq!(percents, vec![json!("12.5"), json!("50"), json!("100")]);
    for bad in [json!(true), json!("1."), json!("")] {
        let r = post(
            &app,
            "/v2/billing/intents",
            json!({"currency": "usd", "actions": [rule(bad.clone())]}),
        )
        .await;
        assert_eq!(r.status.as_u16(), 400, "{bad}: {}", r.text);
        assert_eq!(
            r.body["error"]["param"],
            "actions[0].apply.invoice_discount_rule.percent_off.percent_off",
            "{bad}: {}",
            r.text
        );
    }
}

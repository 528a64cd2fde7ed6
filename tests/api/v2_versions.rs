//! Every dated change of v2 billing intents over HTTP, at the version before it and the version
//! it starts (the dates come from the preview SDK builds that pin each version; see
//! `version::dates`): responses have exactly the fields of the request's version, and create
//! parameters a version lacks are refused as that version refuses them.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_of};
use crate::intent_helpers::{ok, op_path, subscribe, v2};

/// POSTs a new intent in `version`.
async fn create_in(app: &TestApp, version: &str, body: Value) -> Reply {
    v2(
        app,
        Method::POST,
        "/v2/billing/intents",
        Some(version),
        Some(body),
    )
    .await
}

/// GETs `path` in `version`; requires 200.
async fn get_in(app: &TestApp, version: &str, path: &str) -> Value {
    ok(v2(app, Method::GET, path, Some(version), None).await)
}

/// The first action of intent `id` in `version`.
async fn action_in(app: &TestApp, version: &str, id: &str) -> Value {
    let list = get_in(app, version, &format!("/v2/billing/intents/{id}/actions")).await;
    list["data"][0].clone()
}

/// Requires a 400 `code` naming `param`, with `message` if given.
fn refused(r: &Reply, code: &str, param: &str, message: Option<&str>) {
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    let e = &r.body["error"];
    assert_eq!(e["code"], code, "{}", r.text);
    assert_eq!(e["param"], param, "{}", r.text);
    if let Some(m) = message {
        assert_eq!(e["message"], m, "{}", r.text);
    }
}

/// The keys of an object (sorted, as the client's JSON map keeps them).
fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// A subscribe action to a pricing plan with `extra` fields in `subscribe`.
fn plan_subscribe(extra: Value) -> Value {
    let mut s = json!({"type": "pricing_plan_subscription_details",
        "pricing_plan_subscription_details": {"pricing_plan": "bpp_1", "pricing_plan_version": "bppv_1"}});
    if let (Some(s), Value::Object(extra)) = (s.as_object_mut(), extra) {
        s.extend(extra);
    }
    json!({"type": "subscribe", "subscribe": s})
}

#[tokio::test]
async fn the_intents_effective_at_and_cadence_data_end_with_2025_08_27() {
    let app = TestApp::spawn().await;
    let price = app.price(2200, "usd").await;
    let body = json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])]});
    let id = id_of(&ok(create_in(&app, "2025-07-30.preview", body).await));
    let path = format!("/v2/billing/intents/{id}");

    let july = get_in(&app, "2025-07-30.preview", &path).await;
    assert_eq!(july["effective_at"], "on_reserve");
    assert_eq!(july["cadence_data"], Value::Null);
    assert_eq!(july["amount_details"]["total"], 2200);

    let seed = get_in(&app, "2025-08-27.preview", &path).await;
    assert_eq!(
        keys(&seed),
        [
            "amount_details",
            "cadence",
            "created",
            "currency",
            "id",
            "livemode",
            "object",
            "status",
            "status_transitions"
        ]
    );
    assert_eq!(
        keys(&seed["amount_details"]),
        [
            "currency", "discount", "shipping", "subtotal", "tax", "total"
        ]
    );
    assert_eq!(
        keys(&seed["status_transitions"]),
        ["canceled_at", "committed_at", "drafted_at", "reserved_at"]
    );
    assert_eq!(seed["amount_details"]["total"], 2200);
}

#[tokio::test]
async fn amounts_are_strings_from_2025_09_30() {
    let app = TestApp::spawn().await;
    let price = app.price(1500, "usd").await;
    let body = json!({"currency": "usd", "actions": [subscribe(&[(&price, Some(2))])]});
    let before = ok(create_in(&app, "2025-08-27.preview", body.clone()).await);
    assert_eq!(
        before["amount_details"],
        json!({"currency": "usd", "discount": 0, "shipping": 0, "subtotal": 3000, "tax": 0, "total": 3000})
    );
    let from = ok(create_in(&app, "2025-09-30.preview", body).await);
    assert_eq!(
        from["amount_details"],
        json!({"currency": "usd", "discount": "0", "shipping": "0", "subtotal": "3000", "tax": "0", "total": "3000"})
    );
}

#[tokio::test]
async fn collect_at_and_overrides_replace_billing_details_from_2025_12_15() {
    let app = TestApp::spawn().await;
    let (before, from) = ("2025-11-17.preview", "2025-12-15.preview");

    // Before: billing_details is a parameter and a field; collect_at and overrides are neither.
    let details = json!({"billing_details": {"proration_behavior": "no_adjustment"}});
    let old = id_of(&ok(create_in(
        &app,
        before,
        json!({"currency": "usd", "actions": [plan_subscribe(details.clone())]}),
    )
    .await));
    let s = &action_in(&app, before, &old).await["subscribe"];
    assert_eq!(
        keys(s),
        [
            "billing_details",
            "effective_at",
            "pricing_plan_subscription_details",
            "type",
            "v1_subscription_details"
        ]
    );
    assert_eq!(
        s["billing_details"],
        json!({"proration_behavior": "no_adjustment"})
    );
    assert!(
        s["pricing_plan_subscription_details"]
            .get("overrides")
            .is_none()
    );
    for (extra, param) in [
        (
            json!({"collect_at": "next_billing_date"}),
            "actions[0].subscribe.collect_at",
        ),
        (
            json!({"pricing_plan_subscription_details": {"pricing_plan": "bpp_1", "pricing_plan_version": "bppv_1",
                "overrides": {"partial_period_behaviors": [{"type": "license_fee", "license_fee": {"debit_proration_behavior": "none"}}]}}}),
            "actions[0].subscribe.pricing_plan_subscription_details.overrides",
        ),
    ] {
        let body = json!({"currency": "usd", "actions": [plan_subscribe(extra)]});
        let message = format!("Received unknown parameter: {param}");
        refused(
            &create_in(&app, before, body).await,
            "parameter_unknown",
            param,
            Some(&message),
        );
    }
    let modify = json!({"type": "modify", "modify": {"type": "pricing_plan_subscription_details",
        "collect_at": "on_effective_at",
        "pricing_plan_subscription_details": {"pricing_plan_subscription": "bpps_1"}}});
    refused(
        &create_in(
            &app,
            before,
            json!({"currency": "usd", "actions": [modify.clone()]}),
        )
        .await,
        "parameter_unknown",
        "actions[0].modify.collect_at",
        None,
    );

    // From: the reverse.
    let new = id_of(&ok(create_in(
        &app,
        from,
        json!({"currency": "usd", "actions": [plan_subscribe(json!({"collect_at": "next_billing_date"})), modify]}),
    )
    .await));
    let s = &action_in(&app, from, &new).await["subscribe"];
    assert_eq!(
        keys(s),
        [
            "collect_at",
            "effective_at",
            "pricing_plan_subscription_details",
            "type",
            "v1_subscription_details"
        ]
    );
    assert_eq!(s["collect_at"], "next_billing_date");
    assert_eq!(
        s["pricing_plan_subscription_details"]["overrides"],
        Value::Null
    );
    for (action, param) in [
        (
            plan_subscribe(details),
            "actions[0].subscribe.billing_details",
        ),
        (
            json!({"type": "deactivate", "deactivate": {"type": "pricing_plan_subscription_details",
                "billing_details": {"proration_behavior": "no_adjustment"},
                "pricing_plan_subscription_details": {"pricing_plan_subscription": "bpps_1"}}}),
            "actions[0].deactivate.billing_details",
        ),
    ] {
        let body = json!({"currency": "usd", "actions": [action]});
        refused(
            &create_in(&app, from, body).await,
            "parameter_unknown",
            param,
            None,
        );
    }

    // An action reads in the fields of the version asked, whichever it was created in.
    let old_now = &action_in(&app, from, &old).await["subscribe"];
    assert_eq!(old_now["collect_at"], "on_effective_at", "the default");
    assert!(old_now.get("billing_details").is_none());
    let new_then = &action_in(&app, before, &new).await["subscribe"];
    assert_eq!(
        new_then["billing_details"],
        json!({"proration_behavior": null})
    );
    assert!(new_then.get("collect_at").is_none());
}

#[tokio::test]
async fn cadence_data_is_back_from_2026_01_28() {
    let app = TestApp::spawn().await;
    let (before, from) = ("2025-12-15.preview", "2026-01-28.preview");
    let price = app.price(1000, "usd").await;
    let cadence_data =
        json!({"billing_cycle": {"type": "month"}, "payer": {"billing_profile": "bilp_1"}});
    let body = json!({"currency": "usd", "cadence_data": cadence_data, "actions": [subscribe(&[(&price, None)])]});
    refused(
        &create_in(&app, before, body.clone()).await,
        "parameter_unknown",
        "cadence_data",
        Some("Received unknown parameter: cadence_data"),
    );
    let intent = ok(create_in(&app, from, body).await);
    assert_eq!(
        intent["cadence_data"]["billing_cycle"]["type"], "month",
        "{intent}"
    );
    let path = format!("/v2/billing/intents/{}", id_of(&intent));
    assert!(
        get_in(&app, before, &path)
            .await
            .get("cadence_data")
            .is_none()
    );
    let plain = json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])]});
    let plain = ok(create_in(&app, from, plain).await);
    assert_eq!(plain["cadence_data"], Value::Null);
}

#[tokio::test]
async fn spend_modifier_rules_and_cancellation_details_come_with_2026_01_28() {
    let app = TestApp::spawn().await;
    let (before, from) = ("2025-12-15.preview", "2026-01-28.preview");
    let rule = json!({"type": "apply", "apply": {"type": "spend_modifier_rule", "spend_modifier_rule": {
        "applies_to": "cadence", "type": "max_billing_period_spend",
        "max_billing_period_spend": {"amount": {"type": "custom_pricing_unit", "custom_pricing_unit": {"value": "10"}},
            "custom_pricing_unit_overage_rate": {"id": "cpuor_1"}}}}});
    let deactivate = json!({"type": "deactivate", "deactivate": {"type": "pricing_plan_subscription_details",
        "cancellation_details": {"feedback": "too_expensive"},
        "pricing_plan_subscription_details": {"pricing_plan_subscription": "bpps_1"}}});
    let remove = json!({"type": "remove", "remove": {"type": "invoice_discount_rule", "invoice_discount_rule": "bidr_1",
        "effective_at": {"type": "current_billing_period_end"}}});
    let cases = [
        (
            rule.clone(),
            "invalid_fields",
            "actions[0].apply.type",
            Some(
                "Invalid actions[0].apply.type: must be one of invoice_discount_rule; got 'spend_modifier_rule'.",
            ),
        ),
        (
            deactivate.clone(),
            "parameter_unknown",
            "actions[0].deactivate.cancellation_details",
            None,
        ),
        (
            remove.clone(),
            "parameter_unknown",
            "actions[0].remove.effective_at",
            None,
        ),
    ];
    for (action, code, param, message) in cases {
        let body = json!({"currency": "usd", "actions": [action]});
        refused(&create_in(&app, before, body).await, code, param, message);
    }
    let id = id_of(&ok(create_in(
        &app,
        from,
        json!({"currency": "usd", "actions": [rule, deactivate, remove]}),
    )
    .await));
    let path = format!("/v2/billing/intents/{id}/actions");
    let now = get_in(&app, from, &path).await;
    let then = get_in(&app, before, &path).await;
    let (apply, d, r) = (
        &now["data"][0]["apply"],
        &now["data"][1]["deactivate"],
        &now["data"][2]["remove"],
    );
    assert_eq!(
        apply["spend_modifier_rule"]["type"],
        "max_billing_period_spend"
    );
    assert_eq!(apply["effective_at"]["type"], "on_reserve");
    assert!(apply.get("discount").is_none(), "discounts come later");
    assert_eq!(d["cancellation_details"]["feedback"], "too_expensive");
    assert_eq!(
        r["effective_at"],
        json!({"type": "current_billing_period_end"})
    );
    assert_eq!(r["spend_modifier_rule"], Value::Null);
    let (apply, d, r) = (
        &then["data"][0]["apply"],
        &then["data"][1]["deactivate"],
        &then["data"][2]["remove"],
    );
    assert_eq!(keys(apply), ["invoice_discount_rule", "type"]);
    assert!(d.get("cancellation_details").is_none());
    assert_eq!(keys(r), ["invoice_discount_rule", "type"]);
}

#[tokio::test]
async fn expires_at_and_apply_discounts_start_with_2026_03_25() {
    let app = TestApp::spawn().await;
    let (before, from) = ("2026-03-04.preview", "2026-03-25.preview");
    let price = app.price(1000, "usd").await;
    let coupon = app.percent_coupon("10").await;
    let discount = json!({"type": "apply", "apply": {"type": "discount", "discount": {"type": "coupon", "coupon": coupon}}});
    let body = json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), discount]});
    refused(
        &create_in(&app, before, body.clone()).await,
        "invalid_fields",
        "actions[1].apply.type",
        Some(
            "Invalid actions[1].apply.type: must be one of invoice_discount_rule, spend_modifier_rule; got 'discount'.",
        ),
    );
    let in_2025 = create_in(&app, "2025-12-15.preview", body.clone()).await;
    refused(
        &in_2025,
        "invalid_fields",
        "actions[1].apply.type",
        Some(
            "Invalid actions[1].apply.type: must be one of invoice_discount_rule; got 'discount'.",
        ),
    );
    // The behaviours and apply timings that came with them.
    let grant = plan_subscribe(
        json!({"pricing_plan_subscription_details": {"pricing_plan": "bpp_1", "pricing_plan_version": "bppv_1",
        "overrides": {"partial_period_behaviors": [{"type": "recurring_credit_grant", "recurring_credit_grant": {"create_behavior": "none"}}]}}}),
    );
    refused(
        &create_in(
            &app,
            before,
            json!({"currency": "usd", "actions": [grant.clone()]}),
        )
        .await,
        "invalid_fields",
        "actions[0].subscribe.pricing_plan_subscription_details.overrides.partial_period_behaviors[0].type",
        Some(
            "Invalid actions[0].subscribe.pricing_plan_subscription_details.overrides.partial_period_behaviors[0].type: must be one of license_fee; got 'recurring_credit_grant'.",
        ),
    );
    let rule = json!({"type": "apply", "apply": {"type": "invoice_discount_rule", "effective_at": {"type": "current_billing_period_start"},
        "invoice_discount_rule": {"applies_to": "cadence", "type": "percent_off"}}});
    refused(
        &create_in(
            &app,
            before,
            json!({"currency": "usd", "actions": [rule.clone()]}),
        )
        .await,
        "invalid_fields",
        "actions[0].apply.effective_at.type",
        None,
    );

    let intent = ok(create_in(&app, from, body).await);
    assert_eq!(intent["amount_details"]["discount"], "100");
    assert!(intent["status_transitions"]["expires_at"].is_string());
    assert!(intent["amount_details"].get("amount_due").is_none());
    let id = id_of(&intent);
    let earlier = get_in(&app, before, &format!("/v2/billing/intents/{id}")).await;
    assert!(earlier["status_transitions"].get("expires_at").is_none());
    assert_eq!(earlier["amount_details"]["discount"], "100");

    let path = format!("/v2/billing/intents/{id}/actions");
    let apply = &get_in(&app, from, &path).await["data"][1]["apply"];
    assert_eq!(apply["discount"]["coupon"], coupon);
    // Read in a version without discounts, the action keeps its type but not the field.
    let apply = &get_in(&app, before, &path).await["data"][1]["apply"];
    assert_eq!(apply["type"], "discount");
    assert!(apply.get("discount").is_none());

    let other = ok(create_in(
        &app,
        from,
        json!({"currency": "usd", "actions": [grant, rule]}),
    )
    .await);
    let path = format!("/v2/billing/intents/{}/actions", id_of(&other));
    let behaviours = |v: &Value| {
        v["data"][0]["subscribe"]["pricing_plan_subscription_details"]["overrides"]
            ["partial_period_behaviors"][0]
            .clone()
    };
    assert_eq!(
        behaviours(&get_in(&app, from, &path).await),
        json!({"type": "recurring_credit_grant", "license_fee": null, "recurring_credit_grant": {"create_behavior": "none"}})
    );
    assert_eq!(
        behaviours(&get_in(&app, before, &path).await),
        json!({"type": "recurring_credit_grant", "license_fee": null})
    );
}

#[tokio::test]
async fn amount_due_and_customer_balance_applied_start_with_2026_07_29() {
    let app = TestApp::spawn().await;
    let price = app.price(1200, "usd").await;
    let body = json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])]});
    let id = id_of(&ok(create_in(&app, "2026-06-24.preview", body).await));
    for op in ["reserve", "commit"] {
        ok(v2(
            &app,
            Method::POST,
            &op_path(&id, op),
            Some("2026-06-24.preview"),
            Some(json!({})),
        )
        .await);
    }
    let path = format!("/v2/billing/intents/{id}");
    let before = get_in(&app, "2026-06-24.preview", &path).await;
    assert_eq!(
        keys(&before["amount_details"]),
        [
            "currency", "discount", "shipping", "subtotal", "tax", "total"
        ]
    );
    let from = get_in(&app, "2026-07-29.preview", &path).await;
    assert_eq!(
        from["amount_details"],
        json!({"amount_due": "1200", "currency": "usd", "customer_balance_applied": "0", "discount": "0", "shipping": "0", "subtotal": "1200", "tax": "0", "total": "1200"})
    );
    let list = get_in(&app, "2026-07-29.preview", "/v2/billing/intents").await;
    assert_eq!(list["data"][0]["amount_details"]["amount_due"], "1200");
}

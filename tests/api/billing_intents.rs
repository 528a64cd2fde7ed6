//! `/v2/billing/intents` over HTTP: lifecycle, every (status, operation) pair, amounts, error
//! codes and their order, pagination, version shapes, golden shapes, concurrency.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_of};
use crate::intent_helpers::{
    coupon, create, err, follow, get, intent_in, intent_of, ok, op_path, post, post_empty,
    pricing_plan, subscribe, v2,
};

// ----- create / retrieve -----

#[tokio::test]
async fn retrieving_again_always_shows_the_intent_as_it_is_now_in_the_version_asked() {
    let app = TestApp::spawn().await;
    let id = id_of(&intent_of(&app, 2000).await);
    let path = format!("/v2/billing/intents/{id}");
    let seed = Some("2025-08-27.preview");
    let fetch = |version: Option<&'static str>| {
        let (app, path) = (&app, path.clone());
        async move { v2(app, Method::GET, &path, version, None).await }
    };
    let first = fetch(None).await;
    let again = fetch(None).await;
    assert_eq!(first.text, again.text, "an unchanged intent reads the same");
    assert_eq!(first.body["status"], "draft");
    // Another version's shape is its own, and the first shape is not disturbed by it.
    let shaped = fetch(seed).await;
    assert_eq!(shaped.body["amount_details"]["total"], 2000);
    assert!(shaped.body["amount_details"].get("amount_due").is_none());
    assert_eq!(first.body["amount_details"]["amount_due"], "2000");
    assert_eq!(fetch(None).await.text, first.text);
    // Each change shows at once, in every shape, as the operation's own answer shows it.
    for (op, status) in [
        ("reserve", "reserved"),
        ("release_reservation", "draft"),
        ("cancel", "canceled"),
    ] {
        let answer = ok(post_empty(&app, &op_path(&id, op)).await);
        let read = fetch(None).await;
        assert_eq!(read.body, answer, "{op}");
        assert_eq!(read.body["status"], status, "{op}");
        assert_eq!(fetch(seed).await.body["status"], status, "{op}");
        assert_eq!(fetch(None).await.text, read.text, "{op}");
    }
}

/// In the default version of `/v2` paths, `2026-10-14.preview`, which has every field.
#[tokio::test]
async fn creating_an_intent_returns_a_draft_with_every_field() {
    let app = TestApp::spawn().await;
    let intent = intent_of(&app, 2000).await;

    let id = id_of(&intent);
    assert!(
        id.starts_with("bilint_61") && id.len() == "bilint_".len() + 44,
        "{id}"
    );
    assert_eq!(intent["object"], "v2.billing.intent");
    assert_eq!(intent["status"], "draft");
    assert_eq!(intent["currency"], "usd");
    assert_eq!(intent["livemode"], false);
    assert_eq!(intent["cadence"], Value::Null);
    assert_eq!(intent["cadence_data"], Value::Null);
    assert_eq!(
        intent["amount_details"],
        json!({"amount_due": "2000", "currency": "usd", "customer_balance_applied": "0", "discount": "0", "shipping": "0", "subtotal": "2000", "tax": "0", "total": "2000"})
    );
    assert!(intent.get("effective_at").is_none());
    let created = intent["created"].as_str().expect("created");
    assert_eq!(created.len(), "2025-01-01T00:00:00.000Z".len(), "{created}");
    assert!(
        created.ends_with('Z') && created.as_bytes()[19] == b'.',
        "{created}"
    );
    let at = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .expect("RFC 3339")
            .timestamp()
    };
    let expires = intent["status_transitions"]["expires_at"]
        .as_str()
        .expect("expires_at");
    assert_eq!(at(expires) - at(created), 24 * 3600, "{expires}");
    assert_eq!(
        intent["status_transitions"],
        json!({"canceled_at": null, "committed_at": null, "drafted_at": created, "expires_at": expires, "reserved_at": null})
    );
}

#[tokio::test]
async fn retrieving_an_intent_returns_what_was_created() {
    let app = TestApp::spawn().await;
    let intent = intent_of(&app, 1234).await;
    let got = ok(get(&app, &format!("/v2/billing/intents/{}", id_of(&intent))).await);
    assert_eq!(got, intent);
}

#[tokio::test]
async fn a_live_key_creates_live_intents_and_actions() {
    let mut app = TestApp::spawn().await;
    app.key = app.key.replace("sk_test_", "sk_live_");
    let intent = intent_of(&app, 2000).await;
    assert_eq!(intent["livemode"], true);
    let actions = ok(get(
        &app,
        &format!("/v2/billing/intents/{}/actions", id_of(&intent)),
    )
    .await);
    assert_eq!(actions["data"][0]["livemode"], true);
}

#[tokio::test]
async fn every_endpoint_answers_an_unknown_intent_with_billing_intent_not_found() {
    let app = TestApp::spawn().await;
    let id = "bilint_61SbQ4ZVMJ2ESqq2416S40x4RVA8P2F2ShZStd6x6RCy";
    let gets = [
        format!("/v2/billing/intents/{id}"),
        format!("/v2/billing/intents/{id}/actions"),
        format!(
            "/v2/billing/intents/{id}/actions/bilinti_61T9VNT6aGFjxfNPx16SBbsMNLSQJnWcho4VDz0fYVOq"
        ),
    ];
    for path in gets {
        err(&get(&app, &path).await, 404, "billing_intent_not_found");
    }
    for op in ["reserve", "release_reservation", "commit", "cancel"] {
        err(
            &post_empty(&app, &op_path(id, op)).await,
            404,
            "billing_intent_not_found",
        );
    }
}

#[tokio::test]
async fn another_accounts_intent_is_not_found() {
    let app = TestApp::spawn().await;
    let id = id_of(&intent_of(&app, 2000).await);
    let other = app.other_account();
    err(
        &get(&other, &format!("/v2/billing/intents/{id}")).await,
        404,
        "billing_intent_not_found",
    );
    err(
        &post_empty(&other, &op_path(&id, "reserve")).await,
        404,
        "billing_intent_not_found",
    );
    let list = ok(get(&other, "/v2/billing/intents").await);
    assert_eq!(list["data"], json!([]));
}

// ----- the state machine -----

#[tokio::test]
async fn every_status_and_operation_pair_behaves_as_documented() {
    let app = TestApp::spawn().await;
    // (from, operation, Ok(new status) or Err(code))
    let table: [(&str, &str, Result<&str, &str>); 16] = [
        ("draft", "reserve", Ok("reserved")),
        ("reserved", "reserve", Err("invalid_status_for_reserve")),
        ("committed", "reserve", Err("invalid_status_for_reserve")),
        ("canceled", "reserve", Err("invalid_status_for_reserve")),
        (
            "draft",
            "release_reservation",
            Err("invalid_status_for_release"),
        ),
        ("reserved", "release_reservation", Ok("draft")),
        (
            "committed",
            "release_reservation",
            Err("invalid_status_for_release"),
        ),
        (
            "canceled",
            "release_reservation",
            Err("invalid_status_for_release"),
        ),
        ("draft", "commit", Err("invalid_status_for_commit")),
        ("reserved", "commit", Ok("committed")),
        ("committed", "commit", Err("invalid_status_for_commit")),
        ("canceled", "commit", Err("invalid_status_for_commit")),
        ("draft", "cancel", Ok("canceled")),
        ("reserved", "cancel", Ok("canceled")),
        ("committed", "cancel", Err("invalid_status_for_cancel")),
        ("canceled", "cancel", Err("invalid_status_for_cancel")),
    ];
    for (from, op, expected) in table {
        let id = intent_in(&app, from).await;
        let before = ok(get(&app, &format!("/v2/billing/intents/{id}")).await);
        let r = post_empty(&app, &op_path(&id, op)).await;
        match expected {
            Ok(to) => {
                let body = ok(r);
                assert_eq!(body["status"], to, "{from} {op}");
            }
            Err(code) => {
                err(&r, 400, code);
                let after = ok(get(&app, &format!("/v2/billing/intents/{id}")).await);
                assert_eq!(
                    after, before,
                    "a refused {op} from {from} changed the intent"
                );
            }
        }
    }
}

#[tokio::test]
async fn each_transition_stamps_its_own_timestamp() {
    let app = TestApp::spawn().await;
    let intent = intent_of(&app, 2000).await;
    let id = id_of(&intent);
    let drafted = intent["status_transitions"]["drafted_at"].clone();

    let reserved = ok(post_empty(&app, &op_path(&id, "reserve")).await);
    let t = &reserved["status_transitions"];
    assert!(t["reserved_at"].is_string());
    assert_eq!(t["drafted_at"], drafted);
    assert_eq!(
        (t["committed_at"].is_null(), t["canceled_at"].is_null()),
        (true, true)
    );

    let released = ok(post_empty(&app, &op_path(&id, "release_reservation")).await);
    assert_eq!(released["status"], "draft");
    assert_eq!(released["status_transitions"]["reserved_at"], Value::Null);
    assert_eq!(released["status_transitions"]["drafted_at"], drafted);

    let again = ok(post_empty(&app, &op_path(&id, "reserve")).await);
    assert!(again["status_transitions"]["reserved_at"].is_string());

    let committed = ok(post_empty(&app, &op_path(&id, "commit")).await);
    let t = &committed["status_transitions"];
    assert_eq!(committed["status"], "committed");
    assert!(t["committed_at"].is_string() && t["reserved_at"].is_string());
    assert_eq!(t["drafted_at"], drafted);
    assert_eq!(t["canceled_at"], Value::Null);

    let other = id_of(&intent_of(&app, 2000).await);
    ok(post_empty(&app, &op_path(&other, "reserve")).await);
    let canceled = ok(post_empty(&app, &op_path(&other, "cancel")).await);
    assert!(canceled["status_transitions"]["canceled_at"].is_string());
    assert!(canceled["status_transitions"]["reserved_at"].is_string());
}

#[tokio::test]
async fn operations_accept_no_body_or_an_empty_object_but_not_unknown_parameters() {
    let app = TestApp::spawn().await;
    let id = id_of(&intent_of(&app, 2000).await);
    // The seed curls send no body and no Content-Type.
    let bare = app
        .raw(
            app.client
                .post(format!("{}{}", app.base, op_path(&id, "reserve")))
                .bearer_auth(&app.key),
        )
        .await;
    assert_eq!(bare.body["status"], "reserved", "{}", bare.text);
    let r = post(&app, &op_path(&id, "cancel"), json!({"reason": "x"})).await;
    let e = err(&r, 400, "parameter_unknown");
    assert_eq!(e["param"], "reason");
    ok(post_empty(&app, &op_path(&id, "cancel")).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_operations_on_one_intent_never_both_succeed() {
    let app = TestApp::spawn().await;
    for _round in 0..3 {
        // Arrange: a draft intent.
        let id = id_of(&intent_of(&app, 2000).await);

        // Act: many reserves at once: exactly one wins.
        let replies = race(&app, &id, &["reserve"; 12]).await;
        let won = replies
            .iter()
            .filter(|(_, r)| r.status == StatusCode::OK)
            .count();
        assert_eq!(won, 1);
        for (_, r) in replies.iter().filter(|(_, r)| r.status != StatusCode::OK) {
            err(r, 400, "invalid_status_for_reserve");
        }

        // Act: commits and cancels race on the reserved intent: exactly one wins.
        let ops: Vec<&str> = (0..16)
            .map(|i| if i % 2 == 0 { "commit" } else { "cancel" })
            .collect();
        let replies = race(&app, &id, &ops).await;
        let winners: Vec<&(&str, Reply)> = replies
            .iter()
            .filter(|(_, r)| r.status == StatusCode::OK)
            .collect();
        assert_eq!(winners.len(), 1);
        let (winner_op, winner) = winners[0];
        let final_status = if *winner_op == "commit" {
            "committed"
        } else {
            "canceled"
        };
        assert_eq!(winner.body["status"], final_status);

        // Assert: the stored intent is exactly what the one success returned.
        let stored = ok(get(&app, &format!("/v2/billing/intents/{id}")).await);
        assert_eq!(&stored, &winner.body);
        for (op, r) in replies.iter().filter(|(_, r)| r.status != StatusCode::OK) {
            let code = if *op == "commit" {
                "invalid_status_for_commit"
            } else {
                "invalid_status_for_cancel"
            };
            err(r, 400, code);
        }
    }
}

/// Fires `ops` at intent `id` all at once, each from its own task.
async fn race(app: &TestApp, id: &str, ops: &[&'static str]) -> Vec<(&'static str, Reply)> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, op) in ops.iter().copied().enumerate() {
        let caller = TestApp {
            server: None,
            base: app.base.clone(),
            key: app.key.clone(),
            client: app.client.clone(),
            version: app.version,
        };
        let path = op_path(id, op);
        tasks.spawn(async move { (i, op, post_empty(&caller, &path).await) });
    }
    let mut out: Vec<(usize, &'static str, Reply)> = tasks.join_all().await.into_iter().collect();
    out.sort_by_key(|(i, _, _)| *i);
    out.into_iter().map(|(_, op, r)| (op, r)).collect()
}

// ----- amounts -----

#[tokio::test]
async fn amounts_follow_prices_quantities_and_coupons() {
    let app = TestApp::spawn().await;
    let p1000 = app.price(1000, "usd").await;
    let p999 = app.price(999, "usd").await;
    let p250 = app.recurring_price(250, "usd").await;
    let half = app.percent_coupon("50").await;
    let quarter = app.percent_coupon("25").await;
    let five = app.amount_coupon(500, "usd").await;

    // (actions, subtotal, discount, total)
    let cases: Vec<(Value, i64, i64, i64)> = vec![
        (json!([subscribe(&[(&p1000, None)])]), 1000, 0, 1000),
        (json!([subscribe(&[(&p1000, Some(3))])]), 3000, 0, 3000),
        (
            json!([subscribe(&[(&p1000, Some(2)), (&p250, Some(4))])]),
            3000,
            0,
            3000,
        ),
        (
            json!([subscribe(&[(&p1000, None)]), subscribe(&[(&p250, Some(2))])]),
            1500,
            0,
            1500,
        ),
        (
            json!([subscribe(&[(&p1000, Some(2))]), coupon(&half)]),
            2000,
            1000,
            1000,
        ),
        // 25 % of 999 = 249.75, rounded half up to 250.
        (
            json!([subscribe(&[(&p999, None)]), coupon(&quarter)]),
            999,
            250,
            749,
        ),
        // 25 % of 1998 = 499.5 → 500.
        (
            json!([subscribe(&[(&p999, Some(2))]), coupon(&quarter)]),
            1998,
            500,
            1498,
        ),
        // amount_off is capped at the subtotal.
        (
            json!([subscribe(&[(&p250, None)]), coupon(&five)]),
            250,
            250,
            0,
        ),
        (
            json!([subscribe(&[(&p1000, None)]), coupon(&five)]),
            1000,
            500,
            500,
        ),
        // Pricing plans are not modelled: they add nothing.
        (
            json!([pricing_plan(), subscribe(&[(&p250, None)])]),
            250,
            0,
            250,
        ),
        (json!([pricing_plan()]), 0, 0, 0),
    ];
    // In the default version, whose amounts are integer-valued strings.
    for (actions, subtotal, discount, total) in cases {
        let intent = create(&app, json!({"currency": "usd", "actions": actions})).await;
        let a = &intent["amount_details"];
        let int = |v: &Value| v.as_str().and_then(|s| s.parse::<i64>().ok());
        assert_eq!(
            (int(&a["subtotal"]), int(&a["discount"]), int(&a["total"])),
            (Some(subtotal), Some(discount), Some(total)),
            "{actions}"
        );
        assert_eq!((int(&a["tax"]), int(&a["shipping"])), (Some(0), Some(0)));
    }
}

/// The codes the preview document lists for the create operation (`x-stripeErrors`).
#[tokio::test]
async fn unknown_prices_and_coupons_are_404_naming_the_field() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let r = post(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None), ("price_missing", None)])]}),
    )
    .await;
    let e = err(&r, 404, "price_not_found");
    assert_eq!(
        e["param"],
        "actions[0].subscribe.v1_subscription_details.items[1].price"
    );
    assert_eq!(e["message"], "No such price: 'price_missing'");

    let r = post(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), coupon("NOPE")]}),
    )
    .await;
    let e = err(&r, 404, "coupon_not_found");
    assert_eq!(e["param"], "actions[1].apply.discount.coupon");
    assert_eq!(e["message"], "No such coupon: 'NOPE'");

    // Another account's price is unknown here.
    let other = app.other_account();
    let r = post(
        &other,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])]}),
    )
    .await;
    err(&r, 404, "price_not_found");
    let list = ok(get(&other, "/v2/billing/intents").await);
    assert_eq!(list["data"], json!([]), "a refused create stores nothing");
}

#[tokio::test]
async fn a_price_or_coupon_in_another_currency_is_a_400() {
    let app = TestApp::spawn().await;
    let eur = app.price(1000, "eur").await;
    let r = post(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": [subscribe(&[(&eur, None)])]}),
    )
    .await;
    let e = err(&r, 400, "price_currency_mismatch_with_billing_intent");
    assert_eq!(
        e["param"],
        "actions[0].subscribe.v1_subscription_details.items[0].price"
    );

    let usd = app.price(1000, "usd").await;
    let eur_off = app.amount_coupon(100, "eur").await;
    let r = post(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": [subscribe(&[(&usd, None)]), coupon(&eur_off)]}),
    )
    .await;
    let e = err(&r, 400, "currency_mismatch");
    assert_eq!(e["param"], "actions[1].apply.discount.coupon");
}

#[tokio::test]
async fn amounts_that_overflow_are_a_400_not_a_crash() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let r = post(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "actions": [subscribe(&[(&price, Some(i64::MAX))])]}),
    )
    .await;
    err(&r, 400, "amount_too_large");
    // The server keeps serving.
    intent_of(&app, 1000).await;
}

#[tokio::test]
async fn reserve_enforces_the_minimum_and_maximum_charge_amounts() {
    let app = TestApp::spawn().await;
    let small = id_of(&intent_of(&app, 49).await);
    err(
        &post_empty(&app, &op_path(&small, "reserve")).await,
        400,
        "amount_too_small",
    );
    let stored = ok(get(&app, &format!("/v2/billing/intents/{small}")).await);
    assert_eq!(stored["status"], "draft");

    let minimum = id_of(&intent_of(&app, 50).await);
    ok(post_empty(&app, &op_path(&minimum, "reserve")).await);

    let zero = id_of(&intent_of(&app, 0).await);
    ok(post_empty(&app, &op_path(&zero, "reserve")).await);

    let price = app.price(50_000_000, "usd").await;
    let large = id_of(
        &create(
            &app,
            json!({"currency": "usd", "actions": [subscribe(&[(&price, Some(2))])]}),
        )
        .await,
    );
    err(
        &post_empty(&app, &op_path(&large, "reserve")).await,
        400,
        "amount_too_large",
    );

    // The minimum depends on the currency: 30 pence is enough in gbp.
    let gbp = app.price(30, "gbp").await;
    let pence = id_of(
        &create(
            &app,
            json!({"currency": "gbp", "actions": [subscribe(&[(&gbp, None)])]}),
        )
        .await,
    );
    ok(post_empty(&app, &op_path(&pence, "reserve")).await);
}

#[tokio::test]
async fn reserve_recomputes_amounts_and_sees_deleted_coupons() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let half = app.percent_coupon("50").await;
    let intent = create(
        &app,
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), coupon(&half)]}),
    )
    .await;
    let id = id_of(&intent);
    assert_eq!(intent["amount_details"]["total"], "500");

    // Reserve documents no not-found code for coupons: one deleted since is not redeemable.
    let deleted = app.delete(&format!("/v1/coupons/{half}")).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    let e = err(
        &post_empty(&app, &op_path(&id, "reserve")).await,
        400,
        "coupon_not_redeemable",
    );
    assert_eq!(e["param"], "actions[1].apply.discount.coupon");
    let stored = ok(get(&app, &format!("/v2/billing/intents/{id}")).await);
    assert_eq!(stored, intent, "a refused reserve changes nothing");
}

// ----- commit references and check order -----

#[tokio::test]
async fn commit_checks_the_payment_intent_and_payment_record() {
    let app = TestApp::spawn().await;
    let id = intent_in(&app, "reserved").await;
    let e = err(
        &post(
            &app,
            &op_path(&id, "commit"),
            json!({"payment_intent": "pi_missing"}),
        )
        .await,
        404,
        "payment_intent_not_found",
    );
    assert_eq!(e["param"], "payment_intent");
    err(
        &post(
            &app,
            &op_path(&id, "commit"),
            json!({"payment_record": "pr_missing"}),
        )
        .await,
        404,
        "payment_record_not_found",
    );
    let stored = ok(get(&app, &format!("/v2/billing/intents/{id}")).await);
    assert_eq!(stored["status"], "reserved");

    // Another account's payment intent does not count.
    let other = app.other_account();
    let foreign_pi = id_of(
        &other
            .post_ok(
                "/v1/payment_intents",
                &[("amount", "2000"), ("currency", "usd")],
            )
            .await,
    );
    err(
        &post(
            &app,
            &op_path(&id, "commit"),
            json!({"payment_intent": foreign_pi}),
        )
        .await,
        404,
        "payment_intent_not_found",
    );

    let pi = id_of(
        &app.post_ok(
            "/v1/payment_intents",
            &[("amount", "2000"), ("currency", "usd")],
        )
        .await,
    );
    let committed = ok(post(&app, &op_path(&id, "commit"), json!({"payment_intent": pi})).await);
    assert_eq!(committed["status"], "committed");

    let second = intent_in(&app, "reserved").await;
    let pr = id_of(
        &app.post_ok(
            "/v1/payment_records/report_payment",
            &[
                ("amount_requested[currency]", "usd"),
                ("amount_requested[value]", "2000"),
                ("initiated_at", "1735689600"),
                ("payment_method_details[type]", "custom"),
                ("outcome", "guaranteed"),
                ("guaranteed[guaranteed_at]", "1735689600"),
            ],
        )
        .await,
    );
    let committed = ok(post(
        &app,
        &op_path(&second, "commit"),
        json!({"payment_record": pr}),
    )
    .await);
    assert_eq!(committed["status"], "committed");

    let third = intent_in(&app, "reserved").await;
    let r = post(
        &app,
        &op_path(&third, "commit"),
        json!({"payment_intent": pi, "payment_record": pr}),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
}

#[tokio::test]
async fn checks_run_in_the_documented_order() {
    let app = TestApp::spawn().await;
    // Existence before anything else.
    err(
        &post(
            &app,
            &op_path("bilint_missing", "commit"),
            json!({"payment_intent": "pi_missing"}),
        )
        .await,
        404,
        "billing_intent_not_found",
    );
    // Status before referenced objects.
    let draft = intent_in(&app, "draft").await;
    err(
        &post(
            &app,
            &op_path(&draft, "commit"),
            json!({"payment_intent": "pi_missing"}),
        )
        .await,
        400,
        "invalid_status_for_commit",
    );
    // Status before amounts: a committed intent with a tiny total is refused for its status.
    let tiny = id_of(&intent_of(&app, 0).await);
    ok(post_empty(&app, &op_path(&tiny, "reserve")).await);
    ok(post_empty(&app, &op_path(&tiny, "commit")).await);
    err(
        &post_empty(&app, &op_path(&tiny, "reserve")).await,
        400,
        "invalid_status_for_reserve",
    );
    // Referenced objects before amounts: a deleted coupon on a too-small intent is not
    // redeemable rather than too small.
    let price = app.price(40, "usd").await;
    let off = app.amount_coupon(1, "usd").await;
    let id = id_of(
        &create(
            &app,
            json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), coupon(&off)]}),
        )
        .await,
    );
    app.delete(&format!("/v1/coupons/{off}")).await;
    err(
        &post_empty(&app, &op_path(&id, "reserve")).await,
        400,
        "coupon_not_redeemable",
    );
}

// ----- create validation -----

#[tokio::test]
async fn create_validation_names_the_offending_field() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let sub = subscribe(&[(&price, None)]);
    // (body, param, code)
    let cases: Vec<(Value, &str, Option<&str>)> = vec![
        (
            json!({"actions": [sub]}),
            "currency",
            Some("parameter_missing"),
        ),
        (
            json!({"currency": "usd"}),
            "actions",
            Some("parameter_missing"),
        ),
        (
            json!({"currency": "usd", "actions": []}),
            "actions",
            Some("parameter_invalid_empty"),
        ),
        (
            json!({"currency": "usd", "actions": [sub], "foo": 1}),
            "foo",
            Some("parameter_unknown"),
        ),
        (json!({"currency": 5, "actions": [sub]}), "currency", None),
        (
            json!({"currency": "dollars", "actions": [sub]}),
            "currency",
            None,
        ),
        (
            json!({"currency": "usd", "actions": [{"subscribe": sub["subscribe"]}]}),
            "actions[0].type",
            Some("parameter_missing"),
        ),
        (
            json!({"currency": "usd", "actions": [{"type": "upgrade"}]}),
            "actions[0].type",
            None,
        ),
        (
            json!({"currency": "usd", "actions": [{"type": "subscribe"}]}),
            "actions[0].subscribe",
            Some("parameter_missing"),
        ),
        (
            json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": sub["subscribe"], "modify": {"type": "v1_subscription_details"}}]}),
            "actions[0].modify",
            None,
        ),
        (
            json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "v2_subscription"}}]}),
            "actions[0].subscribe.type",
            None,
        ),
        (
            json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "v1_subscription_details"}}]}),
            "actions[0].subscribe.v1_subscription_details",
            Some("parameter_missing"),
        ),
        (
            json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": price, "quantity": "two"}]}}}]}),
            "actions[0].subscribe.v1_subscription_details.items[0].quantity",
            Some("parameter_invalid_integer"),
        ),
        (
            json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "v1_subscription_details", "v1_subscription_details": {"items": [{"price": price, "quantity": -1}]}}}]}),
            "actions[0].subscribe.v1_subscription_details.items[0].quantity",
            Some("parameter_invalid_integer"),
        ),
        (
            json!({"currency": "usd", "actions": [{"type": "subscribe", "subscribe": {"type": "v1_subscription_details", "collect_at": "later", "v1_subscription_details": {"items": [{"price": price}]}}}]}),
            "actions[0].subscribe.collect_at",
            None,
        ),
        (
            json!({"currency": "usd", "actions": [sub, {"type": "apply", "apply": {"type": "discount", "discount": {"type": "coupon", "coupon": "x", "extra": true}}}]}),
            "actions[1].apply.discount.extra",
            Some("parameter_unknown"),
        ),
        (
            json!({"currency": "usd", "actions": [sub], "cadence_data": {"billing_cycle": {"type": "fortnight"}, "payer": {"billing_profile": "bp_1"}}}),
            "cadence_data.billing_cycle.type",
            None,
        ),
        (
            json!({"currency": "usd", "actions": [sub], "cadence_data": {"billing_cycle": {"type": "month", "month": {"day_of_month": 32}}, "payer": {"billing_profile": "bp_1"}}}),
            "cadence_data.billing_cycle.month.day_of_month",
            Some("parameter_invalid_integer"),
        ),
        (
            json!({"currency": "usd", "actions": [sub], "cadence_data": {"billing_cycle": {"type": "month"}, "payer": {}}}),
            "cadence_data.payer.billing_profile",
            Some("parameter_missing"),
        ),
        (
            json!({"currency": "usd", "actions": [sub], "cadence": "bc_1", "cadence_data": {"billing_cycle": {"type": "month"}, "payer": {"billing_profile": "bp_1"}}}),
            "cadence_data",
            Some("parameters_exclusive"),
        ),
    ];
    for (body, param, code) in cases {
        let r = post(&app, "/v2/billing/intents", body.clone()).await;
        assert_eq!(r.status.as_u16(), 400, "{body}: {}", r.text);
        let e = &r.body["error"];
        assert_eq!(e["type"], "invalid_request_error", "{body}");
        assert_eq!(e["param"], param, "{body}: {}", r.text);
        if let Some(code) = code {
            assert_eq!(e["code"], code, "{body}: {}", r.text);
        }
    }
    let list = ok(get(&app, "/v2/billing/intents").await);
    assert_eq!(list["data"], json!([]), "no refused create stored anything");
}

#[tokio::test]
async fn malformed_json_is_a_400_in_the_v2_envelope() {
    let app = TestApp::spawn().await;
    let r = app
        .raw(
            app.client
                .post(format!("{}/v2/billing/intents", app.base))
                .bearer_auth(&app.key)
                .header("content-type", "application/json")
                .body("{\"currency\":"),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    assert_eq!(r.body["error"]["code"], "invalid_fields", "{}", r.text);
}

// ----- cadences -----

#[tokio::test]
async fn an_unknown_cadence_is_billing_cadence_not_found() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let r = post(
        &app,
        "/v2/billing/intents",
        json!({"currency": "usd", "cadence": "bc_missing", "actions": [subscribe(&[(&price, None)])]}),
    )
    .await;
    assert_eq!(
        err(&r, 404, "billing_cadence_not_found")["param"],
        "cadence"
    );
}

#[tokio::test]
async fn an_existing_cadence_is_kept_through_commit() {
    let app = TestApp::spawn().await;
    let cadence = ok(post(
        &app,
        "/v2/billing/cadences",
        json!({"billing_cycle": {"type": "month", "month": {"day_of_month": 1}}, "payer": {"billing_profile": "bilp_123"}}),
    )
    .await);
    let bc = id_of(&cadence);
    let price = app.price(2000, "usd").await;
    let intent = create(
        &app,
        json!({"currency": "usd", "cadence": bc, "actions": [subscribe(&[(&price, None)])]}),
    )
    .await;
    assert_eq!(intent["cadence"], bc.as_str());
    let id = id_of(&intent);
    ok(post_empty(&app, &op_path(&id, "reserve")).await);
    let committed = ok(post_empty(&app, &op_path(&id, "commit")).await);
    assert_eq!(committed["cadence"], bc.as_str());
}

#[tokio::test]
async fn committing_an_intent_with_cadence_data_creates_the_cadence() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let price = app.price(2000, "usd").await;
    let cadence_data = json!({
        "billing_cycle": {"type": "week", "interval_count": 2, "week": {"day_of_week": 5, "time": {"hour": 9, "minute": 30, "second": 0}}},
        "payer": {"billing_profile_data": {"customer": customer}},
        "settings": {"bill": {"id": "bills_1"}}
    });
    let intent = create(
        &app,
        json!({"currency": "usd", "cadence_data": cadence_data, "actions": [subscribe(&[(&price, None)])]}),
    )
    .await;
    assert_eq!(intent["cadence"], Value::Null);
    let data = &intent["cadence_data"];
    assert_eq!(data["billing_cycle"]["type"], "week");
    assert_eq!(data["billing_cycle"]["interval_count"], 2);
    assert_eq!(
        data["billing_cycle"]["week"],
        json!({"day_of_week": 5, "time": {"hour": 9, "minute": 30, "second": 0}})
    );
    assert_eq!(data["billing_cycle"]["month"], Value::Null);
    assert_eq!(
        data["payer"],
        json!({"billing_profile": null, "billing_profile_data": {"customer": customer, "default_payment_method": null}})
    );
    assert_eq!(
        data["settings"],
        json!({"bill": {"id": "bills_1", "version": null}, "collection": null})
    );

    let id = id_of(&intent);
    let reserved = ok(post_empty(&app, &op_path(&id, "reserve")).await);
    assert_eq!(
        reserved["cadence"],
        Value::Null,
        "the cadence is created at commit"
    );
    let committed = ok(post_empty(&app, &op_path(&id, "commit")).await);
    let bc = committed["cadence"]
        .as_str()
        .expect("a cadence id")
        .to_owned();
    assert!(bc.starts_with("bc_61"), "{bc}");

    let cadence = ok(get(&app, &format!("/v2/billing/cadences/{bc}")).await);
    assert_eq!(cadence["object"], "v2.billing.cadence");
    assert_eq!(cadence["billing_cycle"], data["billing_cycle"]);
    assert_eq!(cadence["payer"]["customer"], customer.as_str());
    assert_eq!(cadence["status"], "active");
}

// ----- lists -----

#[tokio::test]
async fn listing_intents_pages_newest_first_in_both_directions() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    let mut ids = Vec::new();
    for _ in 0..7 {
        ids.push(id_of(
            &create(
                &app,
                json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])]}),
            )
            .await,
        ));
    }
    ids.reverse(); // newest first

    let first = ok(get(&app, "/v2/billing/intents?limit=3").await);
    assert_eq!(first["previous_page_url"], Value::Null);
    let forward = follow(&app, first, "next_page_url").await;
    assert_eq!(
        forward,
        vec![ids[0..3].to_vec(), ids[3..6].to_vec(), ids[6..7].to_vec()]
    );

    // From the last page back to the first through previous_page_url.
    let mut last = ok(get(&app, "/v2/billing/intents?limit=3").await);
    while let Some(url) = last["next_page_url"].as_str() {
        last = ok(get(&app, url).await);
    }
    assert_eq!(last["next_page_url"], Value::Null);
    let backward = follow(&app, last, "previous_page_url").await;
    assert_eq!(
        backward,
        vec![ids[6..7].to_vec(), ids[3..6].to_vec(), ids[0..3].to_vec()]
    );
}

#[tokio::test]
async fn the_default_page_holds_ten_intents() {
    let app = TestApp::spawn().await;
    let price = app.price(1000, "usd").await;
    for _ in 0..11 {
        create(
            &app,
            json!({"currency": "usd", "actions": [subscribe(&[(&price, None)])]}),
        )
        .await;
    }
    let page = ok(get(&app, "/v2/billing/intents").await);
    assert_eq!(page["data"].as_array().map(Vec::len), Some(10));
    let next = page["next_page_url"].as_str().expect("a second page");
    assert!(
        next.starts_with("/v2/billing/intents?limit=10&page="),
        "{next}"
    );
    let rest = ok(get(&app, next).await);
    assert_eq!(rest["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest["next_page_url"], Value::Null);
    assert!(rest["previous_page_url"].is_string());
}

#[tokio::test]
async fn bad_limits_and_page_tokens_are_400() {
    let app = TestApp::spawn().await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "page=not-a-token",
        "bogus=1",
    ] {
        let r = get(&app, &format!("/v2/billing/intents?{query}")).await;
        assert_eq!(r.status.as_u16(), 400, "{query}: {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
    ok(get(&app, "/v2/billing/intents?limit=100").await);
    // A token of one intent's action list is not a token of the intent list.
    let price = app.price(100, "usd").await;
    let intent = create(
        &app,
        json!({"currency": "usd", "actions": [subscribe(&[(&price, None)]), subscribe(&[(&price, None)])]}),
    )
    .await;
    let actions = ok(get(
        &app,
        &format!("/v2/billing/intents/{}/actions?limit=1", id_of(&intent)),
    )
    .await);
    let url = actions["next_page_url"].as_str().expect("next page");
    let token = url.split("page=").nth(1).expect("token");
    let r = get(&app, &format!("/v2/billing/intents?page={token}")).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.body["error"]["param"], "page");
}

// ----- versions and golden shapes -----

#[tokio::test]
async fn amount_details_follow_the_requested_version() {
    let app = TestApp::spawn().await;
    let id = id_of(&intent_of(&app, 2200).await);
    let path = format!("/v2/billing/intents/{id}");

    // The seed versions: integers, no balance fields, no expiry.
    for version in ["2025-08-27.preview", "2025-07-30.preview"] {
        let body = ok(v2(&app, Method::GET, &path, Some(version), None).await);
        let a = &body["amount_details"];
        assert_eq!(a["total"], 2200, "{version}");
        assert!(a.get("amount_due").is_none(), "{version}");
        assert!(body["status_transitions"].get("expires_at").is_none());
    }

    // The default, 2026-10-14.preview, has every field.
    for version in [None, Some("2026-10-14.preview")] {
        let body = ok(v2(&app, Method::GET, &path, version, None).await);
        assert_eq!(
            body["amount_details"],
            json!({"amount_due": "2200", "currency": "usd", "customer_balance_applied": "0", "discount": "0", "shipping": "0", "subtotal": "2200", "tax": "0", "total": "2200"}),
            "{version:?}"
        );
        let expires = body["status_transitions"]["expires_at"]
            .as_str()
            .expect("expires_at");
        assert!(expires > body["created"].as_str().expect("created"));
    }

    let body = ok(v2(&app, Method::GET, &path, Some("2025-12-15.preview"), None).await);
    assert_eq!(body["amount_details"]["total"], "2200");
    assert!(body["amount_details"].get("amount_due").is_none());

    let july = ok(v2(&app, Method::GET, &path, Some("2025-07-30.preview"), None).await);
    assert_eq!(july["effective_at"], "on_reserve");
    let list = ok(v2(
        &app,
        Method::GET,
        "/v2/billing/intents",
        Some("2026-10-14.preview"),
        None,
    )
    .await);
    assert_eq!(list["data"][0]["amount_details"]["total"], "2200");
}

fn golden(name: &str) -> Value {
    let path = format!("{}/tests/golden/v2/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("golden file");
    serde_json::from_str(&text).expect("golden JSON")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key of `golden` is in `ours` with a value of the same JSON type (recursively);
/// `ours` may have more keys only where `extra` allows them.
fn assert_shape(golden: &Value, ours: &Value, path: &str, extra: &[&str]) {
    match (golden, ours) {
        (Value::Object(g), Value::Object(o)) => {
            let gk: BTreeSet<&String> = g.keys().collect();
            let ok_keys: BTreeSet<&String> = o.keys().collect();
            for k in ok_keys.difference(&gk) {
                let full = format!("{path}.{k}");
                assert!(
                    extra.iter().any(|e| full.ends_with(e)),
                    "unexpected key {full}"
                );
            }
            for (k, gv) in g {
                let ov = o.get(k).unwrap_or_else(|| panic!("missing key {path}.{k}"));
                assert_shape(gv, ov, &format!("{path}.{k}"), extra);
            }
        }
        (Value::Array(g), Value::Array(o)) => {
            if let (Some(gf), Some(of)) = (g.first(), o.first()) {
                assert_shape(gf, of, &format!("{path}[0]"), extra);
            }
        }
        (g, o) => assert_eq!(kind(g), kind(o), "type of {path}"),
    }
}

#[tokio::test]
async fn responses_have_the_golden_examples_shapes() {
    let app = TestApp::spawn().await;
    let cadence = ok(post(
        &app,
        "/v2/billing/cadences",
        json!({"billing_cycle": {"type": "month"}, "payer": {"billing_profile": "bilp_1"}}),
    )
    .await);
    let price = app.price(2000, "usd").await;
    let new = || json!({"currency": "usd", "cadence": id_of(&cadence), "actions": [subscribe(&[(&price, None)])]});
    // The examples without a version are the seed version's (`2025-08-27.preview`), whose
    // intents have exactly their fields; those of `2025-07-30.preview` omit the `cadence_data`
    // its attribute docs list.
    let seed = Some("2025-08-27.preview");
    let extra: [&str; 0] = [];
    let july_extra = [".cadence_data"];

    let id = id_of(&create(&app, new()).await);
    let path = format!("/v2/billing/intents/{id}");
    let retrieved = ok(v2(&app, Method::GET, &path, seed, None).await);
    assert_shape(&golden("intents.retrieve"), &retrieved, "", &extra);
    let list = ok(v2(&app, Method::GET, "/v2/billing/intents", seed, None).await);
    assert_shape(&golden("intents.list"), &list, "", &extra);

    let v = |s| Some(s);
    let reserved = ok(v2(
        &app,
        Method::POST,
        &op_path(&id, "reserve"),
        v("2025-08-27.preview"),
        Some(json!({})),
    )
    .await);
    assert_shape(
        &golden("intents.reserve.2025-08-27.preview"),
        &reserved,
        "",
        &extra,
    );
    let released = ok(v2(
        &app,
        Method::POST,
        &op_path(&id, "release_reservation"),
        v("2025-08-27.preview"),
        Some(json!({})),
    )
    .await);
    assert_shape(
        &golden("intents.release_reservation.2025-08-27.preview"),
        &released,
        "",
        &extra,
    );
    let reserved = ok(v2(
        &app,
        Method::POST,
        &op_path(&id, "reserve"),
        v("2025-07-30.preview"),
        None,
    )
    .await);
    assert_shape(
        &golden("intents.reserve.2025-07-30.preview"),
        &reserved,
        "",
        &july_extra,
    );
    let committed = ok(v2(
        &app,
        Method::POST,
        &op_path(&id, "commit"),
        v("2025-07-30.preview"),
        None,
    )
    .await);
    assert_shape(
        &golden("intents.commit.2025-07-30.preview"),
        &committed,
        "",
        &july_extra,
    );

    let other = id_of(&create(&app, new()).await);
    let canceled = ok(v2(
        &app,
        Method::POST,
        &op_path(&other, "cancel"),
        seed,
        Some(json!({})),
    )
    .await);
    assert_shape(&golden("intents.cancel"), &canceled, "", &extra);

    // The examples say `v2.billing.billing_intent`; the SDKs need `v2.billing.intent`.
    assert_eq!(
        golden("intents.retrieve")["object"],
        "v2.billing.billing_intent"
    );
    assert_eq!(retrieved["object"], "v2.billing.intent");

    // Actions: ours add the null sibling sub-objects and the seed version's subscribe fields
    // (defaults filled).
    let action_extra = [
        ".apply",
        ".deactivate",
        ".modify",
        ".remove",
        ".subscribe.billing_details",
        ".subscribe.effective_at",
        ".subscribe.pricing_plan_subscription_details",
        ".subscribe.v1_subscription_details",
    ];
    let actions = ok(v2(&app, Method::GET, &format!("{path}/actions"), seed, None).await);
    assert_shape(&golden("intents.actions.list"), &actions, "", &action_extra);
    let action_id = id_of(&actions["data"][0]);
    let action_path = format!("{path}/actions/{action_id}");
    let action = ok(v2(&app, Method::GET, &action_path, seed, None).await);
    assert_shape(
        &golden("intents.actions.retrieve"),
        &action,
        "",
        &action_extra,
    );
}

#[tokio::test]
async fn an_intent_renders_the_same_bytes_alone_as_in_a_list_in_every_shape() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let price = app.price(2000, "usd").await;
    let discount = app.amount_coupon(300, "usd").await;
    let cadence_data = json!({
        "billing_cycle": {"type": "month", "month": {"day_of_month": 3}},
        "payer": {"billing_profile_data": {"customer": customer}},
        "settings": {"bill": {"id": "bills_1"}}
    });
    let body = json!({
        "currency": "usd",
        "cadence_data": cadence_data,
        "actions": [subscribe(&[(&price, Some(2))]), coupon(&discount)]
    });
    let drafted = id_of(&create(&app, body.clone()).await);
    let committed = id_of(&create(&app, body).await);
    for op in ["reserve", "commit"] {
        ok(post_empty(&app, &op_path(&committed, op)).await);
    }
    let ids = [
        drafted,
        committed,
        intent_in(&app, "reserved").await,
        intent_in(&app, "canceled").await,
    ];
    // The default, the first seed version (`effective_at`), the seed shape, string amounts,
    // `collect_at`, `cadence_data`, `expires_at`, the balance fields.
    for version in [
        None,
        Some("2025-07-30.basil"),
        Some("2025-08-27.preview"),
        Some("2025-09-30.preview"),
        Some("2025-12-15.preview"),
        Some("2026-01-28.preview"),
        Some("2026-03-25.preview"),
        Some("2026-07-29.preview"),
    ] {
        let list = v2(&app, Method::GET, "/v2/billing/intents", version, None).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        for id in &ids {
            let path = format!("/v2/billing/intents/{id}");
            let one = v2(&app, Method::GET, &path, version, None).await;
            assert_eq!(one.status, StatusCode::OK, "{}", one.text);
            assert!(
                list.text.contains(&one.text),
                "{version:?}: {}\nnot in\n{}",
                one.text,
                list.text
            );
        }
    }
}

//! Invoices over HTTP: drafts, pending items, the lifecycle and each refused move, lists.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of};
use crate::invoice_support::{
    ADD_LINES, add_amount_line, amounts, assert_same_shape, draft, golden, ids, pending_item,
};

/// A draft with one 500 line; returns its id.
async fn draft_with_line(app: &TestApp, customer: &str) -> String {
    let invoice = id_of(&draft(app, customer).await);
    add_amount_line(app, &invoice, 500).await;
    invoice
}

async fn act(app: &TestApp, invoice: &str, action: &str) -> crate::helpers::Reply {
    app.post(&format!("/v1/invoices/{invoice}/{action}"), &[])
        .await
}

#[tokio::test]
async fn a_new_invoice_is_an_empty_manual_draft_in_the_seed_shape() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;

    let body = draft(&app, &customer).await;

    assert_same_shape(&body, &golden(ADD_LINES));
    assert!(id_of(&body).starts_with("in_"));
    assert_eq!(body["object"], "invoice");
    assert_eq!(body["status"], "draft");
    assert_eq!(body["billing_reason"], "manual");
    assert_eq!(body["collection_method"], "charge_automatically");
    assert_eq!(body["currency"], "usd");
    assert_eq!(body["number"], Value::Null);
    assert_eq!(body["paid"], false);
    assert_eq!(body["livemode"], false);
    assert_eq!(body["auto_advance"], false);
    assert_eq!(body["period_start"], body["created"]);
    assert_eq!(body["lines"]["data"], json!([]));
    assert_eq!(amounts(&body), [0; 7]);
}

#[tokio::test]
async fn pending_items_are_attached_only_with_pending_invoice_items_behavior_include() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let older = pending_item(&app, &customer, 100, "older").await;
    let newer = pending_item(&app, &customer, 200, "newer").await;

    let excluded = draft(&app, &customer).await;
    assert_eq!(excluded["lines"]["data"], json!([]));

    let included = app
        .post_ok(
            "/v1/invoices",
            &[
                ("customer", &customer),
                ("pending_invoice_items_behavior", "include"),
            ],
        )
        .await;
    let items: Vec<&str> = included["lines"]["data"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["invoice_item"].as_str().unwrap_or_default())
        .collect();
    // Pending items come newest first.
    assert_eq!(items, [newer.as_str(), older.as_str()]);
    assert_eq!(included["total"], 300);
    let pending = app
        .get_ok(
            "/v1/invoiceitems",
            &[("customer", &customer), ("pending", "true")],
        )
        .await;
    assert_eq!(pending["data"], json!([]));
    // Items added later come after them, in the order they were added.
    let later = app
        .post_ok(
            &format!("/v1/invoices/{}/add_lines", id_of(&included)),
            &[("lines[0][amount]", "1"), ("lines[1][amount]", "2")],
        )
        .await;
    let amounts: Vec<i64> = later["lines"]["data"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["amount"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(amounts, [200, 100, 1, 2]);
}

#[tokio::test]
async fn finalizing_numbers_the_invoice_from_the_customer_sequence_and_opens_it() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let prefix = app.get_ok(&format!("/v1/customers/{customer}"), &[]).await["invoice_prefix"]
        .as_str()
        .expect("prefix")
        .to_owned();
    let first = draft_with_line(&app, &customer).await;
    let second = draft_with_line(&app, &customer).await;

    let opened = app
        .post_ok(&format!("/v1/invoices/{first}/finalize"), &[])
        .await;
    let opened_too = app
        .post_ok(&format!("/v1/invoices/{second}/finalize"), &[])
        .await;

    assert_eq!(opened["status"], "open");
    assert_eq!(opened["number"], format!("{prefix}-0001").as_str());
    assert_eq!(opened_too["number"], format!("{prefix}-0002").as_str());
    let finalized_at = opened["status_transitions"]["finalized_at"]
        .as_i64()
        .expect("finalized_at");
    assert_eq!(opened["effective_at"], finalized_at);
    assert_eq!(opened["ending_balance"], 0);
    assert!(opened["hosted_invoice_url"].is_string());
    assert!(opened["invoice_pdf"].is_string());
    assert_eq!(amounts(&opened), [500, 500, 500, 500, 500, 0, 500]);
    assert_same_shape(&opened, &golden(ADD_LINES));
    let customer_after = app.get_ok(&format!("/v1/customers/{customer}"), &[]).await;
    assert_eq!(customer_after["next_invoice_sequence"], 3);
}

#[tokio::test]
async fn finalizing_an_invoice_with_nothing_due_marks_it_paid() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = id_of(&draft(&app, &customer).await);

    let body = app
        .post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;

    assert_eq!(body["status"], "paid");
    assert_eq!(body["paid"], true);
    assert_eq!(body["amount_due"], 0);
    assert!(body["status_transitions"]["paid_at"].is_i64());
    assert!(body["number"].is_string());
}

#[tokio::test]
async fn paying_an_open_invoice_out_of_band_settles_it() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = draft_with_line(&app, &customer).await;
    app.post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;

    let body = app
        .post_ok(
            &format!("/v1/invoices/{invoice}/pay"),
            &[("paid_out_of_band", "true")],
        )
        .await;

    assert_eq!(body["status"], "paid");
    assert_eq!(body["paid"], true);
    assert_eq!(body["paid_out_of_band"], true);
    assert_eq!(amounts(&body), [500, 500, 500, 500, 500, 500, 0]);
    assert!(body["status_transitions"]["paid_at"].is_i64());
    assert_eq!(body["next_payment_attempt"], Value::Null);
}

#[tokio::test]
async fn paying_without_out_of_band_records_an_attempt() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = draft_with_line(&app, &customer).await;
    app.post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;

    let body = app
        .post_ok(&format!("/v1/invoices/{invoice}/pay"), &[])
        .await;

    assert_eq!(body["status"], "paid");
    assert_eq!(body["paid_out_of_band"], false);
    assert_eq!(body["attempted"], true);
    assert_eq!(body["attempt_count"], 1);
    assert_eq!(body["amount_remaining"], 0);
}

#[tokio::test]
async fn an_uncollectible_invoice_can_still_be_paid_or_voided() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let paid = draft_with_line(&app, &customer).await;
    let voided = draft_with_line(&app, &customer).await;
    for invoice in [&paid, &voided] {
        app.post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
            .await;
        let body = app
            .post_ok(&format!("/v1/invoices/{invoice}/mark_uncollectible"), &[])
            .await;
        assert_eq!(body["status"], "uncollectible");
        assert!(body["status_transitions"]["marked_uncollectible_at"].is_i64());
    }

    let paid = app.post_ok(&format!("/v1/invoices/{paid}/pay"), &[]).await;
    let voided = app
        .post_ok(&format!("/v1/invoices/{voided}/void"), &[])
        .await;

    assert_eq!(paid["status"], "paid");
    assert_eq!(voided["status"], "void");
    assert!(voided["status_transitions"]["voided_at"].is_i64());
}

#[tokio::test]
async fn voiding_an_open_invoice_keeps_its_lines_and_number() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = draft_with_line(&app, &customer).await;
    let opened = app
        .post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;

    let body = app
        .post_ok(&format!("/v1/invoices/{invoice}/void"), &[])
        .await;

    assert_eq!(body["status"], "void");
    assert_eq!(body["number"], opened["number"]);
    assert_eq!(ids(&body["lines"]), ids(&opened["lines"]));
}

#[tokio::test]
async fn every_refused_lifecycle_move_is_a_400_invalid_request_error() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    // One invoice in each status.
    let draft_id = draft_with_line(&app, &customer).await;
    let open = draft_with_line(&app, &customer).await;
    act(&app, &open, "finalize").await;
    let paid = draft_with_line(&app, &customer).await;
    act(&app, &paid, "finalize").await;
    act(&app, &paid, "pay").await;
    let uncollectible = draft_with_line(&app, &customer).await;
    act(&app, &uncollectible, "finalize").await;
    act(&app, &uncollectible, "mark_uncollectible").await;
    let void = draft_with_line(&app, &customer).await;
    act(&app, &void, "finalize").await;
    act(&app, &void, "void").await;

    let refused = [
        (&draft_id, "pay"),
        (&draft_id, "void"),
        (&draft_id, "mark_uncollectible"),
        (&open, "finalize"),
        (&paid, "finalize"),
        (&paid, "pay"),
        (&paid, "void"),
        (&paid, "mark_uncollectible"),
        (&uncollectible, "finalize"),
        (&uncollectible, "mark_uncollectible"),
        (&void, "finalize"),
        (&void, "pay"),
        (&void, "void"),
        (&void, "mark_uncollectible"),
    ];
    for (invoice, action) in refused {
        let before = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
        let r = act(&app, invoice, action).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{action} on {}",
            before["status"]
        );
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty());
        let after = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
        assert_eq!(
            after["status"], before["status"],
            "{action} changed nothing"
        );
    }
    for invoice in [&open, &paid, &uncollectible, &void] {
        let r = app.delete(&format!("/v1/invoices/{invoice}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
}

#[tokio::test]
async fn deleting_a_draft_returns_its_items_to_pending() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let item = pending_item(&app, &customer, 700, "coffee").await;
    let invoice = id_of(
        &app.post_ok(
            "/v1/invoices",
            &[
                ("customer", &customer),
                ("pending_invoice_items_behavior", "include"),
            ],
        )
        .await,
    );

    let r = app.delete(&format!("/v1/invoices/{invoice}")).await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"id": invoice, "object": "invoice", "deleted": true})
    );
    let gone = app.get(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.code(), "resource_missing");
    let it = app.get_ok(&format!("/v1/invoiceitems/{item}"), &[]).await;
    assert_eq!(it["invoice"], Value::Null);
}

#[tokio::test]
async fn customer_credit_lowers_the_amount_due_and_is_used_up_at_finalization() {
    let app = TestApp::spawn().await;
    let customer = id_of(&app.post_ok("/v1/customers", &[("balance", "-300")]).await);
    let invoice = draft_with_line(&app, &customer).await;

    let draft_view = app.get_ok(&format!("/v1/invoices/{invoice}"), &[]).await;
    assert_eq!(draft_view["starting_balance"], -300);
    assert_eq!(draft_view["total"], 500);
    assert_eq!(draft_view["amount_due"], 200);

    let opened = app
        .post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;
    assert_eq!(opened["amount_due"], 200);
    assert_eq!(opened["ending_balance"], 0);
    let c = app.get_ok(&format!("/v1/customers/{customer}"), &[]).await;
    assert_eq!(c["balance"], 0);
}

#[tokio::test]
async fn a_finalized_invoice_accepts_metadata_but_not_monetary_changes() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = draft_with_line(&app, &customer).await;
    app.post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;

    let ok = app
        .post_ok(
            &format!("/v1/invoices/{invoice}"),
            &[("metadata[k]", "v"), ("description", "memo")],
        )
        .await;
    let refused = app
        .post(
            &format!("/v1/invoices/{invoice}"),
            &[
                ("collection_method", "send_invoice"),
                ("days_until_due", "30"),
            ],
        )
        .await;

    assert_eq!(ok["metadata"], json!({"k": "v"}));
    assert_eq!(ok["description"], "memo");
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.code(), "invoice_not_editable");
}

#[tokio::test]
async fn send_invoice_drafts_need_a_due_date_and_get_one_at_finalization() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let missing = app
        .post(
            "/v1/invoices",
            &[
                ("customer", &customer),
                ("collection_method", "send_invoice"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.code(), "parameter_missing");

    let invoice = id_of(
        &app.post_ok(
            "/v1/invoices",
            &[
                ("customer", &customer),
                ("collection_method", "send_invoice"),
                ("days_until_due", "30"),
            ],
        )
        .await,
    );
    add_amount_line(&app, &invoice, 100).await;
    let opened = app
        .post_ok(&format!("/v1/invoices/{invoice}/finalize"), &[])
        .await;
    let finalized_at = opened["status_transitions"]["finalized_at"]
        .as_i64()
        .expect("finalized");
    assert_eq!(opened["due_date"], finalized_at + 30 * 86_400);
}

#[tokio::test]
async fn invoices_list_newest_first_filtered_by_customer_and_status() {
    let app = TestApp::spawn().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let a1 = draft_with_line(&app, &alice).await;
    let a2 = draft_with_line(&app, &alice).await;
    let b1 = draft_with_line(&app, &bob).await;
    act(&app, &a1, "finalize").await;

    let all = app.get_ok("/v1/invoices", &[]).await;
    let alice_only = app.get_ok("/v1/invoices", &[("customer", &alice)]).await;
    let open = app.get_ok("/v1/invoices", &[("status", "open")]).await;
    let page = app.get_ok("/v1/invoices", &[("limit", "1")]).await;
    let bad = app.get("/v1/invoices", &[("status", "closed")]).await;

    assert_eq!(ids(&all), [b1.clone(), a2.clone(), a1.clone()]);
    assert_eq!(all["url"], "/v1/invoices");
    assert_eq!(ids(&alice_only), [a2, a1.clone()]);
    assert_eq!(ids(&open), [a1]);
    assert_eq!(ids(&page), [b1]);
    assert_eq!(page["has_more"], true);
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["error"]["param"], "status");
}

#[tokio::test]
async fn unknown_invoices_and_customers_are_resource_missing() {
    let app = TestApp::spawn().await;

    let invoice = app.get("/v1/invoices/in_nope", &[]).await;
    let customer = app.post("/v1/invoices", &[("customer", "cus_nope")]).await;
    let lines = app
        .post(
            "/v1/invoices/in_nope/add_lines",
            &[("lines[0][amount]", "1")],
        )
        .await;

    assert_eq!(invoice.status, StatusCode::NOT_FOUND);
    assert_eq!(invoice.code(), "resource_missing");
    assert_eq!(
        invoice.body["error"]["message"],
        "No such invoice: 'in_nope'"
    );
    assert_eq!(customer.status, StatusCode::NOT_FOUND);
    assert_eq!(customer.body["error"]["param"], "customer");
    assert_eq!(lines.status, StatusCode::NOT_FOUND);
    assert_eq!(lines.code(), "resource_missing");
}

#[tokio::test]
async fn invoices_are_isolated_per_account() {
    let app = TestApp::spawn().await;
    let customer = app.customer().await;
    let invoice = draft_with_line(&app, &customer).await;
    let other = app.other_account();

    let r = other.get(&format!("/v1/invoices/{invoice}"), &[]).await;

    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

//! The requests of a conformance run: every v1 operation in scope at one API version, and every
//! v2 Billing Intents operation. Parameters are those the version's documents define; each
//! request's own parameters are checked against the document too (see [`Run`]).

use serde_json::{Value, json};

use super::Run;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

fn line_ids(invoice: &Value) -> Vec<String> {
    invoice["lines"]["data"]
        .as_array()
        .map(|lines| lines.iter().map(id).collect())
        .unwrap_or_default()
}

/// Whether `version` takes the `2025-03-31.basil` parameters: an invoice item's or line's price
/// is `pricing[price]` from then on, `price` before.
pub fn basil(version: &str) -> bool {
    version.get(..10).is_some_and(|date| date >= "2025-03-31")
}

/// Whether `version` takes `quantity_decimal` (from `2026-03-25.dahlia`).
pub fn dahlia(version: &str) -> bool {
    version.get(..10).is_some_and(|date| date >= "2026-03-25")
}

/// Every v1 operation in scope, in an order that reaches each invoice state.
pub async fn v1(run: &mut Run<'_>) {
    let basil = basil(run.version);
    // From dahlia on, a line's quantity is sent as a decimal (so rendered with a fraction).
    let (quantity_key, quantity) = if dahlia(run.version) {
        ("lines[1][quantity_decimal]", "2.5")
    } else {
        ("lines[1][quantity]", "3")
    };
    let item_price = if basil { "pricing[price]" } else { "price" };
    let line_price = if basil {
        "lines[1][pricing][price]"
    } else {
        "lines[1][price]"
    };

    // The catalog.
    let customer = id(&run
        .post(
            "/v1/customers",
            &[],
            &[
                ("email", "conformance@example.com"),
                ("name", "Conformance"),
            ],
        )
        .await);
    run.get("/v1/customers/{customer}", &[&customer], &[]).await;
    let product = id(&run.post("/v1/products", &[], &[("name", "Widget")]).await);
    let price = id(&run
        .post(
            "/v1/prices",
            &[&product],
            &[
                ("currency", "usd"),
                ("unit_amount", "300"),
                ("product", &product),
            ],
        )
        .await);
    let coupon = id(&run
        .post(
            "/v1/coupons",
            &[],
            &[("percent_off", "10"), ("duration", "once")],
        )
        .await);

    // Pending invoice items priced each way: an amount, a price, price data.
    let by_amount = id(&run
        .post(
            "/v1/invoiceitems",
            &[&customer],
            &[
                ("customer", &customer),
                ("amount", "700"),
                ("currency", "usd"),
                ("description", "Setup fee"),
            ],
        )
        .await);
    run.post(
        "/v1/invoiceitems",
        &[&customer, &price],
        &[
            ("customer", &customer),
            (item_price, &price),
            ("quantity", "2"),
        ],
    )
    .await;
    let by_price_data = id(&run
        .post(
            "/v1/invoiceitems",
            &[&customer, &product],
            &[
                ("customer", &customer),
                ("price_data[currency]", "usd"),
                ("price_data[product]", &product),
                ("price_data[unit_amount]", "250"),
                ("quantity", "3"),
            ],
        )
        .await);
    run.get("/v1/invoiceitems/{invoiceitem}", &[&by_amount], &[])
        .await;
    run.post(
        "/v1/invoiceitems/{invoiceitem}",
        &[&by_amount],
        &[
            ("description", "Setup"),
            ("metadata[source]", "conformance"),
        ],
    )
    .await;
    run.get("/v1/invoiceitems", &[&customer], &[("customer", &customer)])
        .await;
    run.delete("/v1/invoiceitems/{invoiceitem}", &[&by_price_data])
        .await;

    // The next invoice of the customer, previewed as the version does it.
    if basil {
        run.post(
            "/v1/invoices/create_preview",
            &[&customer],
            &[
                ("customer", &customer),
                ("invoice_items[0][amount]", "250"),
                ("invoice_items[0][currency]", "usd"),
            ],
        )
        .await;
    } else {
        run.get(
            "/v1/invoices/upcoming",
            &[&customer],
            &[("customer", &customer)],
        )
        .await;
        run.get(
            "/v1/invoices/upcoming/lines",
            &[&customer],
            &[("customer", &customer)],
        )
        .await;
    }

    // A draft with the pending items and a coupon, through every draft operation, paid.
    let invoice = id(&run
        .post(
            "/v1/invoices",
            &[&customer, &coupon],
            &[
                ("customer", &customer),
                ("pending_invoice_items_behavior", "include"),
                ("discounts[0][coupon]", &coupon),
                ("metadata[order]", "1"),
            ],
        )
        .await);
    run.get("/v1/invoices/{invoice}", &[&invoice], &[]).await;
    run.post(
        "/v1/invoices/{invoice}",
        &[&invoice],
        &[("description", "Conformance"), ("metadata[order]", "2")],
    )
    .await;
    run.get("/v1/invoices", &[&customer], &[("customer", &customer)])
        .await;
    let pending = id(&run
        .post(
            "/v1/invoiceitems",
            &[&customer],
            &[
                ("customer", &customer),
                ("amount", "150"),
                ("currency", "usd"),
            ],
        )
        .await);
    let added = run
        .post(
            "/v1/invoices/{invoice}/add_lines",
            &[&invoice, &price, &product, &pending],
            &[
                ("lines[0][amount]", "799"),
                ("lines[0][description]", "One-off"),
                (line_price, &price),
                ("lines[1][quantity]", "2"),
                ("lines[2][price_data][currency]", "usd"),
                ("lines[2][price_data][product]", &product),
                ("lines[2][price_data][unit_amount]", "125"),
                ("lines[2][quantity]", "4"),
                ("lines[3][invoice_item]", &pending),
            ],
        )
        .await;
    let lines = line_ids(&added);
    let line = |i: usize| lines.get(i).cloned().unwrap_or_default();
    run.get("/v1/invoices/{invoice}/lines", &[&invoice], &[])
        .await;
    // Taxes on the first line: one exclusive with a reason, one inclusive without.
    run.post(
        "/v1/invoices/{invoice}/lines/{line_item_id}",
        &[&invoice, &line(0)],
        &[
            ("description", "Edited"),
            ("metadata[edited]", "yes"),
            ("tax_amounts[0][amount]", "80"),
            ("tax_amounts[0][taxable_amount]", "799"),
            ("tax_amounts[0][taxability_reason]", "standard_rated"),
            ("tax_amounts[0][tax_rate_data][display_name]", "Sales Tax"),
            ("tax_amounts[0][tax_rate_data][inclusive]", "false"),
            ("tax_amounts[0][tax_rate_data][percentage]", "10"),
            ("tax_amounts[0][tax_rate_data][country]", "US"),
            ("tax_amounts[0][tax_rate_data][state]", "CA"),
            ("tax_amounts[0][tax_rate_data][jurisdiction]", "California"),
            ("tax_amounts[0][tax_rate_data][jurisdiction_level]", "state"),
            ("tax_amounts[0][tax_rate_data][tax_type]", "sales_tax"),
            ("tax_amounts[1][amount]", "40"),
            ("tax_amounts[1][taxable_amount]", "759"),
            ("tax_amounts[1][tax_rate_data][display_name]", "VAT"),
            ("tax_amounts[1][tax_rate_data][inclusive]", "true"),
            ("tax_amounts[1][tax_rate_data][percentage]", "5.25"),
        ],
    )
    .await;
    run.post(
        "/v1/invoices/{invoice}/update_lines",
        &[&invoice, &line(1), &line(2)],
        &[
            ("lines[0][id]", &line(1)),
            ("lines[0][description]", "Updated"),
            ("lines[1][id]", &line(2)),
            (quantity_key, quantity),
        ],
    )
    .await;
    run.post(
        "/v1/invoices/{invoice}/remove_lines",
        &[&invoice, &line(3), &line(4)],
        &[
            ("lines[0][id]", &line(3)),
            ("lines[0][behavior]", "delete"),
            ("lines[1][id]", &line(4)),
            ("lines[1][behavior]", "unassign"),
        ],
    )
    .await;
    run.post("/v1/invoices/{invoice}/finalize", &[&invoice], &[])
        .await;
    run.post(
        "/v1/invoices/{invoice}/pay",
        &[&invoice],
        &[("paid_out_of_band", "true")],
    )
    .await;

    // The other ends of an invoice: void, uncollectible, deleted.
    let to_void = open_invoice(run, &customer).await;
    run.post("/v1/invoices/{invoice}/void", &[&to_void], &[])
        .await;
    let to_write_off = open_invoice(run, &customer).await;
    run.post(
        "/v1/invoices/{invoice}/mark_uncollectible",
        &[&to_write_off],
        &[],
    )
    .await;
    let to_delete = id(&run
        .post("/v1/invoices", &[&customer], &[("customer", &customer)])
        .await);
    run.delete("/v1/invoices/{invoice}", &[&to_delete]).await;

    // A payment intent.
    let intent = id(&run
        .post(
            "/v1/payment_intents",
            &[&customer],
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("customer", &customer),
            ],
        )
        .await);
    run.get("/v1/payment_intents/{intent}", &[&intent], &[])
        .await;
}

/// A finalized invoice of one 500 line; returns its id.
async fn open_invoice(run: &mut Run<'_>, customer: &str) -> String {
    let invoice = id(&run
        .post("/v1/invoices", &[customer], &[("customer", customer)])
        .await);
    run.post(
        "/v1/invoices/{invoice}/add_lines",
        &[&invoice],
        &[("lines[0][amount]", "500")],
    )
    .await;
    run.post("/v1/invoices/{invoice}/finalize", &[&invoice], &[])
        .await;
    invoice
}

/// An amount of `amount_details`: a string after `2025-08-27.preview`, an integer up to it.
fn amount(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.parse().ok())
}

/// Every v2 Billing Intents operation, on an intent taken through its whole life and on one
/// holding each kind of action.
pub async fn v2(run: &mut Run<'_>) {
    // Prerequisites made through v1 in the account's default version: not under test here.
    let app = run.app;
    let customer = app.customer().await;
    let price = app.price(1500, "usd").await;
    let coupon = app.percent_coupon("10").await;

    let intent = id(&run
        .post_json(
            "/v2/billing/intents",
            &[],
            json!({
                "currency": "usd",
                "cadence_data": {
                    "billing_cycle": {"type": "month", "interval_count": 1,
                        "month": {"day_of_month": 15, "time": {"hour": 9, "minute": 0, "second": 0}}},
                    "payer": {"billing_profile_data": {"customer": customer}},
                    "settings": {"bill": {"id": "bills_1"}}
                },
                "actions": [
                    {"type": "subscribe", "subscribe": {"type": "v1_subscription_details",
                        "v1_subscription_details": {"description": "Plan", "metadata": {"tier": "gold"},
                            "items": [{"price": price, "quantity": 2, "metadata": {"seat": "a"}}]}}},
                    {"type": "apply", "apply": {"type": "discount", "discount": {"type": "coupon", "coupon": coupon}}}
                ]
            }),
        )
        .await);
    run.get("/v2/billing/intents/{id}", &[&intent], &[]).await;
    run.post_json("/v2/billing/intents/{id}/reserve", &[&intent], json!({}))
        .await;
    run.post_json(
        "/v2/billing/intents/{id}/release_reservation",
        &[&intent],
        json!({}),
    )
    .await;
    let reserved = run
        .post_json("/v2/billing/intents/{id}/reserve", &[&intent], json!({}))
        .await;
    let due = amount(&reserved["amount_details"]["amount_due"])
        .or_else(|| amount(&reserved["amount_details"]["total"]))
        .unwrap_or(2700)
        .to_string();
    let payment = id(&app
        .post_ok(
            "/v1/payment_intents",
            &[("amount", &due), ("currency", "usd")],
        )
        .await);
    run.post_json(
        "/v2/billing/intents/{id}/commit",
        &[&intent, &payment],
        json!({"payment_intent": payment}),
    )
    .await;

    let every_action = id(&run
        .post_json(
            "/v2/billing/intents",
            &[],
            json!({"currency": "usd", "actions": [
                {"type": "subscribe", "subscribe": {
                    "type": "pricing_plan_subscription_details",
                    "collect_at": "next_billing_date",
                    "effective_at": {"type": "timestamp", "timestamp": "2027-02-01T00:00:00Z"},
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
                {"type": "apply", "apply": {"type": "spend_modifier_rule",
                    "effective_at": {"type": "next_billing_period_start"},
                    "spend_modifier_rule": {
                        "applies_to": "cadence", "type": "max_billing_period_spend",
                        "max_billing_period_spend": {
                            "amount": {"type": "custom_pricing_unit", "custom_pricing_unit": {"value": "100.5"}},
                            "custom_pricing_unit_overage_rate": {"id": "cpuor_1"}
                        }
                    }
                }},
                {"type": "remove", "remove": {"type": "invoice_discount_rule", "invoice_discount_rule": "bidr_1"}}
            ]}),
        )
        .await);
    let actions = run
        .get(
            "/v2/billing/intents/{intent_id}/actions",
            &[&every_action],
            &[],
        )
        .await;
    for action in actions["data"].as_array().into_iter().flatten() {
        run.get(
            "/v2/billing/intents/{intent_id}/actions/{id}",
            &[&every_action, &id(action)],
            &[],
        )
        .await;
    }
    run.get(
        "/v2/billing/intents/{intent_id}/actions",
        &[&every_action],
        &[("limit", "2")],
    )
    .await;
    run.post_json(
        "/v2/billing/intents/{id}/cancel",
        &[&every_action],
        json!({}),
    )
    .await;
    run.get("/v2/billing/intents", &[], &[]).await;
    run.get("/v2/billing/intents", &[], &[("limit", "1")]).await;
}

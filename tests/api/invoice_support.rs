//! Golden shapes of the seed documents and helpers shared by the invoicing tests.

use serde_json::Value;

use crate::helpers::{TestApp, id_of};

/// `POST /v1/invoices/:id/add_lines` example response.
pub const ADD_LINES: &str = include_str!("../golden/v1/invoices.add_lines.json");
/// `POST /v1/invoices/:id/remove_lines` example response (a copy of add_lines in the docs).
pub const REMOVE_LINES: &str = include_str!("../golden/v1/invoices.remove_lines.json");
/// `POST /v1/invoices/:id/update_lines` example response (a copy of add_lines in the docs).
pub const UPDATE_LINES: &str = include_str!("../golden/v1/invoices.update_lines.json");
/// `GET /v1/invoices/upcoming/lines` example response.
pub const UPCOMING_LINES: &str = include_str!("../golden/v1/invoices.upcoming.lines.list.json");
/// The legacy `invoiceitem` fixture.
pub const INVOICE_ITEM: &str = include_str!("../golden/v1/invoiceitem.2023-10-11.fixture.json");
/// The legacy `discount` fixture.
pub const DISCOUNT: &str = include_str!("../golden/v1/discount.2023-10-11.fixture.json");

/// Parses a golden file.
pub fn golden(text: &str) -> Value {
    serde_json::from_str(text).expect("golden files are valid JSON")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "float",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Asserts that `actual` has the key set and value types of `golden`, recursively. Array
/// elements are compared with the golden's first element (when both sides have one), so lists
/// may hold a different number of items than the example. A `null` on either side matches any
/// type: the field is nullable and its value depends on the state (`effective_at` once
/// finalized, `customer_email` of a customer without one).
pub fn assert_same_shape(actual: &Value, golden: &Value) {
    shape(actual, golden, "$");
}

fn shape(actual: &Value, golden: &Value, path: &str) {
    match (actual, golden) {
        (Value::Object(a), Value::Object(g)) => {
            let missing: Vec<&String> = g.keys().filter(|k| !a.contains_key(*k)).collect();
            let extra: Vec<&String> = a.keys().filter(|k| !g.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{path}: missing keys {missing:?}, unexpected keys {extra:?}"
            );
            for (k, gv) in g {
                shape(&a[k], gv, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(g)) => {
            if let Some(first) = g.first() {
                for (i, item) in a.iter().enumerate() {
                    shape(item, first, &format!("{path}[{i}]"));
                }
            }
        }
        (Value::Null, _) | (_, Value::Null) => {}
        _ => assert_eq!(
            kind(actual),
            kind(golden),
            "{path}: {actual} has another type than the example's {golden}"
        ),
    }
}

/// The amount fields of an invoice, in a fixed order, for one-line assertions.
pub fn amounts(invoice: &Value) -> [i64; 7] {
    [
        "subtotal",
        "subtotal_excluding_tax",
        "total",
        "total_excluding_tax",
        "amount_due",
        "amount_paid",
        "amount_remaining",
    ]
    .map(|k| invoice[k].as_i64().unwrap_or(i64::MIN))
}

/// Ids of the lines embedded in an invoice (or of a list's data).
pub fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .map(|a| a.iter().map(id_of).collect())
        .unwrap_or_default()
}

/// A pending invoice item of `amount` (an amount-only item in USD).
pub async fn pending_item(app: &TestApp, customer: &str, amount: i64, description: &str) -> String {
    let amount = amount.to_string();
    id_of(
        &app.post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", customer),
                ("amount", &amount),
                ("currency", "usd"),
                ("description", description),
            ],
        )
        .await,
    )
}

/// A pending invoice item on a one-time price of `amount`.
pub async fn priced_item(app: &TestApp, customer: &str, amount: i64, description: &str) -> String {
    let price = app.price(amount, "usd").await;
    id_of(
        &app.post_ok(
            "/v1/invoiceitems",
            &[
                ("customer", customer),
                ("price", &price),
                ("description", description),
            ],
        )
        .await,
    )
}

/// A fresh draft invoice for `customer` (pending items excluded).
pub async fn draft(app: &TestApp, customer: &str) -> Value {
    app.post_ok("/v1/invoices", &[("customer", customer)]).await
}

/// Adds one amount-only line; returns the invoice.
pub async fn add_amount_line(app: &TestApp, invoice: &str, amount: i64) -> Value {
    let amount = amount.to_string();
    app.post_ok(
        &format!("/v1/invoices/{invoice}/add_lines"),
        &[("lines[0][amount]", &amount)],
    )
    .await
}

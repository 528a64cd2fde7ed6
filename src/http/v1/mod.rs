//! v1 endpoints: form-encoded parameters, unix timestamps, `{"object":"list",…}` lists.

pub mod coupons;
pub mod customers;
pub mod events;
pub mod invoice_items;
pub mod invoice_lines;
pub mod invoice_params;
pub mod invoice_previews;
pub mod invoices;
pub mod params;
pub mod payment_intents;
pub mod payment_records;
pub mod prices;
pub mod products;
pub mod tax_params;
pub mod views;
pub mod webhook_endpoints;

use axum::Router;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::de::Bounded;
use crate::store::{IdCursor, ListPage, ListQuery};

/// An integer rendered as a decimal string (`unit_amount_decimal: "1000"`).
#[derive(Debug, Clone, Copy)]
pub struct DecimalString(pub i64);

impl Serialize for DecimalString {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(itoa::Buffer::new().format(self.0))
    }
}

/// A [`Decimal`](crate::domain::decimal::Decimal) rendered as Stripe's decimal strings
/// (`quantity_decimal: "1.5"`, `unit_amount_excluding_tax: "909.090909090909"`).
#[derive(Debug, Clone, Copy)]
pub struct DecimalView(pub crate::domain::decimal::Decimal);

impl Serialize for DecimalView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// All v1 routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(customers::router())
        .merge(products::router())
        .merge(prices::router())
        .merge(coupons::router())
        .merge(payment_intents::router())
        .merge(payment_records::router())
        .merge(invoice_items::router())
        .merge(invoices::router())
        .merge(invoice_lines::router())
        .merge(invoice_previews::router())
        .merge(events::router())
        .merge(webhook_endpoints::router())
}

/// The pagination parameters of every v1 list: `limit` (1–100, default 10) and one cursor.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    limit: Option<Bounded<1, 100>>,
    starting_after: Option<String>,
    ending_before: Option<String>,
}

impl PageParams {
    /// Names of the parameters, which the list extractor takes out before the filters.
    pub const NAMES: [&'static str; 3] = ["limit", "starting_after", "ending_before"];

    /// The store's query.
    ///
    /// # Errors
    /// Both cursors given (`parameters_exclusive`).
    pub fn query(self) -> Result<ListQuery> {
        let cursor = match (self.starting_after, self.ending_before) {
            (Some(_), Some(_)) => {
                return Err(Error::exclusive(
                    "ending_before, starting_after",
                    "ending_before",
                ));
            }
            (Some(id), None) => IdCursor::StartingAfter(id),
            (None, Some(id)) => IdCursor::EndingBefore(id),
            (None, None) => IdCursor::Start,
        };
        let limit = self.limit.map_or(10, |Bounded(n)| n);
        Ok(ListQuery {
            limit: usize::try_from(limit).unwrap_or(10),
            cursor,
        })
    }
}

/// A v1 list.
#[derive(Debug, Serialize)]
pub struct ListView<T> {
    /// Always `list`.
    pub object: &'static str,
    /// The page.
    pub data: Vec<T>,
    /// Whether more lie beyond this page.
    pub has_more: bool,
    /// Path of the list endpoint.
    pub url: String,
}

impl<T> ListView<T> {
    /// Renders a page of stored objects with `view`.
    pub fn of<'a, S>(
        page: &'a ListPage<S>,
        url: impl Into<String>,
        view: impl Fn(&'a S) -> T,
    ) -> Self {
        ListView {
            object: "list",
            data: page.data.iter().map(view).collect(),
            has_more: page.has_more,
            url: url.into(),
        }
    }
}

/// The deleted-object stub, `{"id","object","deleted":true}`.
#[derive(Debug, Serialize)]
pub struct DeletedView {
    /// Id of the deleted object.
    pub id: String,
    /// Its object type.
    pub object: &'static str,
    /// Always true.
    pub deleted: bool,
}

impl DeletedView {
    /// The stub for `id` of type `object`.
    pub fn new(id: String, object: &'static str) -> Self {
        DeletedView {
            id,
            object,
            deleted: true,
        }
    }
}

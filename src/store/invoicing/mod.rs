//! Store methods for invoices, invoice items, invoice lines and invoice previews.
//!
//! Every mutating method is one [`Store::write`](super::Store::write) closure, so concurrent
//! calls on one invoice serialize on the account's lock and cannot lose lines. Inside it a method
//! looks everything up, stages the objects it will change as clones, recomputes the totals from
//! the staged lines (which may fail), and only then writes the staged objects back: a failed call
//! changes nothing. Totals are never stored: every read recomputes them from the lines with the
//! one pure [`totals`](crate::domain::invoice::totals()) function. Previews look up and resolve
//! their inputs here, have the domain layer assemble them, and write nothing.
//!
//! One file per concern: [`params`] (what callers pass in), [`snapshot`] (what they get back),
//! `resolve` (prices, coupons and new items), `staging` (all-or-nothing writes), and the
//! [`Store`](super::Store) methods in `items`, `invoices`, `lines` and `previews`. No HTTP types
//! in any of them.

pub mod params;
pub mod snapshot;

mod invoices;
mod items;
mod lines;
mod previews;
mod resolve;
mod staging;

pub use params::{
    AddLine, DiscountInput, InvoiceFilter, InvoiceItemFilter, InvoiceUpdate, ItemFields, LineBatch,
    NewInvoice, NewInvoiceItem, PreviewItem, PreviewParams, PriceDataInput, PriceInput,
    ProductInput, RemoveBehavior, RemoveLine, SubscriptionItemInput, TaxAmountInput, TaxRateInput,
    UpdateLine,
};
pub use snapshot::{InvoiceSnapshot, LinePage, PricedLine};

use crate::domain::invoice::{Invoice, TransitionError};
use crate::error::{Error, Result};

use super::AccountState;

fn sub(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}[{key}]")
    }
}

fn overflow() -> Error {
    Error::invalid(
        "amount_too_large",
        "The resulting amount is too large: amounts must fit in a signed 64-bit integer of minor units.",
    )
}

fn refused(e: TransitionError) -> Error {
    Error::InvalidRequest {
        code: e.code(),
        message: e.message(),
        param: e.code().map(|_| "invoice".to_owned()),
    }
}

/// The invoice `id`, or `resource_missing` naming `param` (`id` for the path, `invoice` for a
/// body parameter).
fn stored_invoice<'a>(s: &'a AccountState, id: &str, param: &str) -> Result<&'a Invoice> {
    s.invoices
        .get(id)
        .map(|inv| &**inv)
        .ok_or_else(|| Error::missing("invoice", id, param))
}

fn balance_of(s: &AccountState, customer: &str) -> i64 {
    s.customers.get(customer).map_or(0, |c| c.balance)
}

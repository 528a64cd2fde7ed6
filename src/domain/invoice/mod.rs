//! Invoices, invoice items and invoice lines: the lifecycle state machine, Stripe's line order,
//! the rules for changing an item or a line, preview ids, and the one totals function.
//!
//! Everything here is plain data and pure functions: no HTTP types, no JSON, no clock reads and
//! no id generation (callers pass `now` and fresh ids in). Money is `i64` minor units with
//! checked arithmetic; an overflow is an [`AmountOverflow`], never a wrap or a panic.
//!
//! One file per concern: [`lifecycle`] (statuses, transitions, the invoice), [`discount`],
//! [`item`] (invoice items and the changes they and lines take), [`line`](mod@line) (lines,
//! their order and pages), [`period`], [`tax`] (tax amounts and the tax rates they name),
//! [`totals`](mod@totals) and [`preview`] (upcoming invoices). Their items are re-exported
//! here, so callers name them `domain::invoice::…`.

pub mod discount;
pub mod item;
pub mod lifecycle;
pub mod line;
pub mod period;
pub mod preview;
pub mod tax;
pub mod totals;

#[cfg(test)]
mod fixtures;

pub use discount::{Discount, allocate, coupon_fits, discount_end};
pub use item::{InvoiceItem, ItemChange, LineKind, line_amount, update_line_metadata};
pub use lifecycle::{
    Finalization, Invoice, InvoiceAction, InvoiceStatus, StatusTransitions, TransitionError,
    transition,
};
pub use line::{
    Billable, InvoiceLine, LineCursor, LineFields, LineGroup, LineItem, LineSource, LineWindow,
    ShownLine, insert_line, line_window,
};
pub use period::{Period, subscription_period_end};
pub use preview::{
    UpcomingInvoice, format_money, stable_id, subscription_line_description, tmp_line_id,
    upcoming_invoice, upcoming_lines,
};
pub use tax::{TaxAmount, TaxRate, TaxRateData, find_rate};
pub use totals::{DiscountAmount, LineExcludingTax, Totals, totals};

/// Stripe's limit on invoice items per invoice ("up to 250 items per invoice").
pub const MAX_LINES_PER_INVOICE: usize = 250;

/// An arithmetic result that does not fit in `i64` minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountOverflow;

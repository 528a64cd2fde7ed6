//! What the invoicing store methods return: an invoice with its lines and the totals computed
//! from them, and pages of lines. Totals are computed here on every read from the pure domain
//! function, never stored.

use std::sync::Arc;

use crate::domain::invoice::{
    DiscountAmount, Invoice, InvoiceStatus, LineCursor, LineExcludingTax, LineItem, LineSource,
    ShownLine, Totals, line_window, totals,
};
use crate::error::{Error, Result};
use crate::store::{IdCursor, ListQuery};

use super::overflow;

/// A line with the discounts it received and its amounts without inclusive tax.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedLine {
    /// The line.
    pub line: ShownLine,
    /// Its share of each discount (line-level first).
    pub discount_amounts: Vec<DiscountAmount>,
    /// Its amount and unit amount without inclusive tax.
    pub excluding_tax: LineExcludingTax,
}

/// An invoice as rendered: the invoice, its lines in order, and the totals computed from them.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceSnapshot {
    /// The invoice (for previews, built in memory with `billing_reason: upcoming`); shared with
    /// the store for stored invoices.
    pub invoice: Arc<Invoice>,
    /// All lines, with their discount amounts.
    pub lines: Vec<PricedLine>,
    /// The totals (`line_discount_amounts` and `line_excluding_tax` moved into `lines`).
    pub totals: Totals,
}

/// A page of lines.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePage {
    /// The lines.
    pub data: Vec<PricedLine>,
    /// Whether more lie beyond the page.
    pub has_more: bool,
}

/// Renders a stored invoice's lines and computes its totals. Drafts show the customer's current
/// balance; finalized invoices the balance they were finalized with.
pub(crate) fn materialize(
    invoice: &Arc<Invoice>,
    customer_balance: i64,
) -> Result<InvoiceSnapshot> {
    materialize_owned(Arc::clone(invoice), customer_balance)
}

/// [`materialize`] for an invoice the caller hands over (a staged one, or a shared one).
pub(super) fn materialize_owned(
    invoice: impl Into<Arc<Invoice>>,
    customer_balance: i64,
) -> Result<InvoiceSnapshot> {
    let invoice: Arc<Invoice> = invoice.into();
    let mut lines = Vec::with_capacity(invoice.lines.len());
    for l in &invoice.lines {
        lines.push(match &l.source {
            LineSource::Item { item, taxes } => ShownLine::Item {
                id: l.id.clone(),
                item: Arc::clone(item),
                taxes: taxes.clone(),
            },
            LineSource::Subscription(line) => ShownLine::Own(LineItem {
                id: l.id.clone(),
                ..(**line).clone()
            }),
        });
    }
    let starting_balance = match invoice.status {
        InvoiceStatus::Draft => customer_balance,
        InvoiceStatus::Open
        | InvoiceStatus::Paid
        | InvoiceStatus::Uncollectible
        | InvoiceStatus::Void => invoice.starting_balance,
    };
    snapshot(invoice, lines, starting_balance)
}

pub(super) fn snapshot(
    invoice: Arc<Invoice>,
    lines: Vec<ShownLine>,
    starting_balance: i64,
) -> Result<InvoiceSnapshot> {
    let mut t = totals(
        &lines,
        &invoice.discounts,
        starting_balance,
        invoice.amount_paid,
    )
    .map_err(|_| overflow())?;
    let amounts = std::mem::take(&mut t.line_discount_amounts);
    let excluding = std::mem::take(&mut t.line_excluding_tax);
    let lines = lines
        .into_iter()
        .zip(amounts)
        .zip(excluding)
        .map(|((line, discount_amounts), excluding_tax)| PricedLine {
            line,
            discount_amounts,
            excluding_tax,
        })
        .collect();
    Ok(InvoiceSnapshot {
        invoice,
        lines,
        totals: t,
    })
}

pub(super) fn page_of(lines: Vec<PricedLine>, q: &ListQuery) -> Result<LinePage> {
    let window = {
        let ids: Vec<&str> = lines.iter().map(|l| l.line.id()).collect();
        let cursor = match &q.cursor {
            IdCursor::Start => LineCursor::Start,
            IdCursor::StartingAfter(id) => LineCursor::After(id),
            IdCursor::EndingBefore(id) => LineCursor::Before(id),
        };
        line_window(&ids, cursor, q.limit)
    };
    let window = window.ok_or_else(|| match &q.cursor {
        IdCursor::EndingBefore(id) => Error::missing("line_item", id, "ending_before"),
        IdCursor::StartingAfter(id) => Error::missing("line_item", id, "starting_after"),
        IdCursor::Start => Error::Internal("the first page of lines has no cursor".into()),
    })?;
    let data = lines
        .into_iter()
        .skip(window.range.start)
        .take(window.range.len())
        .collect();
    Ok(LinePage {
        data,
        has_more: window.has_more,
    })
}

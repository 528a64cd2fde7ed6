//! Invoice lines: a line as rendered ([`LineItem`], [`ShownLine`]), what the totals read from
//! it ([`Billable`]), how a stored invoice keeps its lines in Stripe's group order, and how a
//! list of lines is paged. No totals and no lookups here.

use std::sync::Arc;

use crate::domain::catalog::{Metadata, Price};
use crate::domain::decimal::Decimal;

use super::discount::Discount;
use super::item::{InvoiceItem, LineKind};
use super::period::Period;
use super::tax::TaxAmount;

/// A line as rendered: on an invoice, or on a preview.
#[derive(Debug, Clone, PartialEq)]
pub struct LineItem {
    /// `il_…` (`il_tmp_…` on previews).
    pub id: String,
    /// `invoiceitem` or `subscription`.
    pub kind: LineKind,
    /// `unit_amount × quantity`, before discounts.
    pub amount: i64,
    /// Lowercase ISO currency.
    pub currency: String,
    /// Free text.
    pub description: Option<String>,
    /// Whether invoice-level discounts apply.
    pub discountable: bool,
    /// Line-level discounts.
    pub discounts: Vec<Discount>,
    /// Backing `ii_…` for `invoiceitem` lines.
    pub invoice_item: Option<String>,
    /// Live or test.
    pub livemode: bool,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Service period.
    pub period: Period,
    /// The price.
    pub price: Arc<Price>,
    /// Whether it is a proration.
    pub proration: bool,
    /// Units (a decimal from `quantity_decimal`).
    pub quantity: Decimal,
    /// `sub_…`, for subscription lines of an existing subscription.
    pub subscription: Option<String>,
    /// The tax amounts sent for it (`tax_amounts`), which live on the line only.
    pub taxes: Vec<TaxAmount>,
    /// Amount per unit.
    pub unit_amount: i64,
}

/// A line as an invoice shows it: a stored line's invoice item under the line's id (the shared
/// item, not a copy), or a line standing on its own (subscription and preview lines).
#[derive(Debug, Clone, PartialEq)]
pub enum ShownLine {
    /// An `invoiceitem` line of a stored invoice.
    Item {
        /// `il_…`
        id: String,
        /// The invoice item behind it.
        item: Arc<InvoiceItem>,
        /// The line's own tax amounts.
        taxes: Vec<TaxAmount>,
    },
    /// A line with its own fields.
    Own(LineItem),
}

/// The fields of a [`ShownLine`], borrowed from wherever it keeps them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineFields<'a> {
    /// `il_…` (`il_tmp_…` on previews).
    pub id: &'a str,
    /// `invoiceitem` or `subscription`.
    pub kind: LineKind,
    /// `unit_amount × quantity`, before discounts.
    pub amount: i64,
    /// Lowercase ISO currency.
    pub currency: &'a str,
    /// Free text.
    pub description: Option<&'a str>,
    /// Whether invoice-level discounts apply.
    pub discountable: bool,
    /// Line-level discounts.
    pub discounts: &'a [Discount],
    /// Backing `ii_…` for `invoiceitem` lines.
    pub invoice_item: Option<&'a str>,
    /// Live or test.
    pub livemode: bool,
    /// Key-value pairs.
    pub metadata: &'a Metadata,
    /// Service period.
    pub period: Period,
    /// The price.
    pub price: &'a Price,
    /// Whether it is a proration.
    pub proration: bool,
    /// Units.
    pub quantity: Decimal,
    /// `sub_…`, for subscription lines of an existing subscription.
    pub subscription: Option<&'a str>,
    /// The line's tax amounts.
    pub taxes: &'a [TaxAmount],
    /// Amount per unit.
    pub unit_amount: i64,
}

impl ShownLine {
    /// The line's id.
    pub fn id(&self) -> &str {
        match self {
            ShownLine::Item { id, .. } => id,
            ShownLine::Own(line) => &line.id,
        }
    }

    /// Every field the line shows.
    pub fn fields(&self) -> LineFields<'_> {
        match self {
            ShownLine::Item { id, item, taxes } => LineFields {
                id,
                kind: LineKind::InvoiceItem,
                amount: item.amount,
                currency: &item.currency,
                description: item.description.as_deref(),
                discountable: item.discountable,
                discounts: &item.discounts,
                invoice_item: Some(&item.id),
                livemode: item.livemode,
                metadata: &item.metadata,
                period: item.period,
                price: &item.price,
                proration: item.proration,
                quantity: item.quantity,
                subscription: item.subscription.as_deref(),
                taxes,
                unit_amount: item.unit_amount,
            },
            ShownLine::Own(l) => LineFields {
                id: &l.id,
                kind: l.kind,
                amount: l.amount,
                currency: &l.currency,
                description: l.description.as_deref(),
                discountable: l.discountable,
                discounts: &l.discounts,
                invoice_item: l.invoice_item.as_deref(),
                livemode: l.livemode,
                metadata: &l.metadata,
                period: l.period,
                price: &l.price,
                proration: l.proration,
                quantity: l.quantity,
                subscription: l.subscription.as_deref(),
                taxes: &l.taxes,
                unit_amount: l.unit_amount,
            },
        }
    }
}

/// What the totals read from a line.
pub trait Billable {
    /// `unit_amount × quantity`, before discounts.
    fn amount(&self) -> i64;
    /// Whether invoice-level discounts apply.
    fn discountable(&self) -> bool;
    /// Line-level discounts, applied in order.
    fn discounts(&self) -> &[Discount];
    /// Amount per unit.
    fn unit_amount(&self) -> i64;
    /// Units.
    fn quantity(&self) -> Decimal;
    /// The tax amounts sent for the line.
    fn taxes(&self) -> &[TaxAmount];
}

impl Billable for LineItem {
    fn amount(&self) -> i64 {
        self.amount
    }
    fn discountable(&self) -> bool {
        self.discountable
    }
    fn discounts(&self) -> &[Discount] {
        &self.discounts
    }
    fn unit_amount(&self) -> i64 {
        self.unit_amount
    }
    fn quantity(&self) -> Decimal {
        self.quantity
    }
    fn taxes(&self) -> &[TaxAmount] {
        &self.taxes
    }
}

impl Billable for ShownLine {
    fn amount(&self) -> i64 {
        self.fields().amount
    }
    fn discountable(&self) -> bool {
        self.fields().discountable
    }
    fn discounts(&self) -> &[Discount] {
        self.fields().discounts
    }
    fn unit_amount(&self) -> i64 {
        self.fields().unit_amount
    }
    fn quantity(&self) -> Decimal {
        self.fields().quantity
    }
    fn taxes(&self) -> &[TaxAmount] {
        self.fields().taxes
    }
}

/// Which of Stripe's three line groups a line belongs to; lines are shown group by group.
///
/// Stripe: "(1) pending invoice items (including prorations) in reverse chronological order,
/// (2) subscription items in reverse chronological order, and (3) invoice items added after
/// invoice creation in chronological order."
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LineGroup {
    /// Pending items pulled in when the invoice was created (inserted newest first).
    Pending,
    /// Subscription items (inserted newest first).
    Subscription,
    /// Items added after creation (inserted in the order they were added).
    Added,
}

/// What a stored invoice line is backed by.
#[derive(Debug, Clone, PartialEq)]
pub enum LineSource {
    /// An invoice item: the same shared value the account's invoice items hold (the store
    /// replaces both together), so the line shows the item's current fields without a lookup.
    Item {
        /// The invoice item.
        item: Arc<InvoiceItem>,
        /// The line's tax amounts: Stripe keeps `tax_amounts` on the line, not on the item
        /// ("tax_amounts only live on the invoice line item").
        taxes: Vec<TaxAmount>,
    },
    /// A subscription line, stored whole (no invoice item behind it), its taxes included.
    Subscription(Box<LineItem>),
}

/// One line of a stored invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceLine {
    /// `il_…`
    pub id: String,
    /// Its place in Stripe's order.
    pub group: LineGroup,
    /// What it shows.
    pub source: LineSource,
}

impl InvoiceLine {
    /// The backing invoice item's id, for `invoiceitem` lines.
    pub fn item_id(&self) -> Option<&str> {
        match &self.source {
            LineSource::Item { item, .. } => Some(&item.id),
            LineSource::Subscription(_) => None,
        }
    }
}

/// Inserts `line` after the last line of its group, keeping Stripe's order. Lines within a group
/// keep their insertion order, so callers insert pending items newest first and added items in
/// the order they were added.
pub fn insert_line(lines: &mut Vec<InvoiceLine>, line: InvoiceLine) {
    let at = lines
        .iter()
        .rposition(|l| l.group <= line.group)
        .map_or(0, |i| i + 1);
    lines.insert(at, line);
}

/// Where a page of lines starts (v1 cursors are line ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineCursor<'a> {
    /// From the first line.
    Start,
    /// Lines after the one with this id.
    After(&'a str),
    /// Lines before the one with this id.
    Before(&'a str),
}

/// A page of lines: the index range into the full list, and whether more lie beyond it in the
/// direction of travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineWindow {
    /// Indices of the page's lines.
    pub range: std::ops::Range<usize>,
    /// Whether more lines lie beyond the page.
    pub has_more: bool,
}

/// Pages through `ids` (lines in invoice order) like a v1 list. `None` if the cursor id is not
/// among them.
pub fn line_window(ids: &[&str], cursor: LineCursor<'_>, limit: usize) -> Option<LineWindow> {
    let n = ids.len();
    let position = |id: &str| ids.iter().position(|x| *x == id);
    Some(match cursor {
        LineCursor::Start => LineWindow {
            range: 0..limit.min(n),
            has_more: n > limit,
        },
        LineCursor::After(id) => {
            let start = position(id)? + 1;
            let end = start.saturating_add(limit).min(n);
            LineWindow {
                range: start..end,
                has_more: end < n,
            }
        }
        LineCursor::Before(id) => {
            let end = position(id)?;
            let start = end.saturating_sub(limit);
            LineWindow {
                range: start..end,
                has_more: start > 0,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::fixtures::item;
    use crate::domain::invoice::totals::totals;

    fn stored(id: &str, group: LineGroup) -> InvoiceLine {
        InvoiceLine {
            id: id.into(),
            group,
            source: LineSource::Item {
                item: Arc::new(InvoiceItem {
                    id: format!("ii_{id}"),
                    ..item()
                }),
                taxes: Vec::new(),
            },
        }
    }

    #[test]
    fn an_item_line_shows_what_a_copy_of_the_item_as_a_line_shows() {
        let it = InvoiceItem {
            description: Some("seats".into()),
            metadata: Metadata::from([("k".into(), "v".into())]),
            ..item()
        };
        let shared = ShownLine::Item {
            id: "il_1".into(),
            item: Arc::new(it.clone()),
            taxes: Vec::new(),
        };
        let copied = ShownLine::Own(it.to_line("il_1".into()));
        assert_eq!(shared.fields(), copied.fields());
        assert_eq!(shared.id(), "il_1");
        assert_eq!(shared.fields().invoice_item, Some("ii_1abc"));
        assert_eq!(
            totals(&[shared], &[], 0, 0).expect("fits"),
            totals(&[copied], &[], 0, 0).expect("fits")
        );
    }

    #[test]
    fn lines_are_kept_in_stripes_group_order() {
        let mut lines = Vec::new();
        insert_line(&mut lines, stored("added1", LineGroup::Added));
        insert_line(&mut lines, stored("pending_new", LineGroup::Pending));
        insert_line(&mut lines, stored("pending_old", LineGroup::Pending));
        insert_line(&mut lines, stored("added2", LineGroup::Added));
        let mut sub = stored("sub", LineGroup::Subscription);
        sub.source = LineSource::Subscription(Box::new(item().to_line("sub".into())));
        insert_line(&mut lines, sub);
        let ids: Vec<&str> = lines.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            ["pending_new", "pending_old", "sub", "added1", "added2"]
        );
        assert_eq!(lines[2].item_id(), None);
        assert_eq!(lines[0].item_id(), Some("ii_pending_new"));
    }

    #[test]
    fn line_windows_page_both_ways() {
        let ids = ["a", "b", "c", "d", "e"];
        let w = line_window(&ids, LineCursor::Start, 2).expect("known");
        assert_eq!((w.range, w.has_more), (0..2, true));
        let w = line_window(&ids, LineCursor::After("b"), 2).expect("known");
        assert_eq!((w.range, w.has_more), (2..4, true));
        let w = line_window(&ids, LineCursor::After("d"), 2).expect("known");
        assert_eq!((w.range, w.has_more), (4..5, false));
        let w = line_window(&ids, LineCursor::Before("e"), 2).expect("known");
        assert_eq!((w.range, w.has_more), (2..4, true));
        let w = line_window(&ids, LineCursor::Before("b"), 2).expect("known");
        assert_eq!((w.range, w.has_more), (0..1, false));
        assert_eq!(line_window(&ids, LineCursor::After("zz"), 2), None);
        let w = line_window(&[], LineCursor::Start, 10).expect("empty");
        assert_eq!((w.range, w.has_more), (0..0, false));
    }
}

//! Invoices, invoice items and invoice lines: the lifecycle state machine, Stripe's line order,
//! the rules for changing an item or a line, preview ids, and the one totals function.
//!
//! Everything here is plain data and pure functions: no HTTP types, no JSON, no clock reads and
//! no id generation (callers pass `now` and fresh ids in). Money is `i64` minor units with
//! checked arithmetic; an overflow is an [`AmountOverflow`], never a wrap or a panic.

use std::sync::Arc;

use chrono::{Months, TimeZone, Utc};

use crate::domain::catalog::{Coupon, CouponValue, Metadata, Price, Recurring};
use crate::domain::patch::{MetadataUpdate, Patch};

/// Stripe's limit on invoice items per invoice ("up to 250 items per invoice").
pub const MAX_LINES_PER_INVOICE: usize = 250;

/// An arithmetic result that does not fit in `i64` minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountOverflow;

/// A billing period, inclusive at both ends, in unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First second of the period.
    pub start: i64,
    /// Last second of the period.
    pub end: i64,
}

impl Period {
    /// The period of a one-off charge at `t`: start and end are both `t`.
    pub fn at(t: i64) -> Self {
        Period { start: t, end: t }
    }

    /// Whether the period does not end before it starts.
    pub fn is_valid(&self) -> bool {
        self.end >= self.start
    }
}

// ----- lifecycle -----

/// Where an invoice is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Fully editable; no number yet.
    Draft,
    /// Finalized and awaiting payment.
    Open,
    /// Paid (or nothing was due).
    Paid,
    /// Written off, but still payable or voidable.
    Uncollectible,
    /// Cancelled after finalization.
    Void,
}

impl InvoiceStatus {
    /// Every status, in Stripe's enum order.
    pub const ALL: [InvoiceStatus; 5] = [
        InvoiceStatus::Draft,
        InvoiceStatus::Open,
        InvoiceStatus::Paid,
        InvoiceStatus::Uncollectible,
        InvoiceStatus::Void,
    ];

    /// Stripe's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Uncollectible => "uncollectible",
            InvoiceStatus::Void => "void",
        }
    }

    /// Parses Stripe's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Something a caller asks of an invoice that depends on its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceAction {
    /// `POST /v1/invoices/:id/finalize`, with the amount due at that moment.
    Finalize {
        /// Amount due after credits; zero goes straight to `paid`.
        amount_due: i64,
    },
    /// `POST /v1/invoices/:id/pay`.
    Pay,
    /// `POST /v1/invoices/:id/void`.
    Void,
    /// `POST /v1/invoices/:id/mark_uncollectible`.
    MarkUncollectible,
    /// `DELETE /v1/invoices/:id`.
    Delete,
    /// Any change to lines, items or monetary fields (add/remove/update lines, …).
    Edit,
}

/// An action refused in the invoice's current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionError {
    /// The invoice's status.
    pub from: InvoiceStatus,
    /// What was asked.
    pub action: InvoiceAction,
}

impl TransitionError {
    /// Stripe's error code for the refusal, if it has one.
    pub fn code(&self) -> Option<&'static str> {
        match self.action {
            InvoiceAction::Edit => Some("invoice_not_editable"),
            InvoiceAction::Finalize { .. }
            | InvoiceAction::Pay
            | InvoiceAction::Void
            | InvoiceAction::MarkUncollectible
            | InvoiceAction::Delete => None,
        }
    }

    /// A sentence saying why, naming the status.
    pub fn message(&self) -> String {
        let status = self.from.as_str();
        match self.action {
            InvoiceAction::Finalize { .. } => {
                "This invoice is already finalized, you can't re-finalize a non-draft invoice."
                    .to_owned()
            }
            InvoiceAction::Pay => match self.from {
                InvoiceStatus::Draft => {
                    "This invoice is a draft: finalize it before paying it.".to_owned()
                }
                InvoiceStatus::Paid => "Invoice is already paid.".to_owned(),
                _ => format!(
                    "You can only pay an open or uncollectible invoice; this invoice is {status}."
                ),
            },
            InvoiceAction::Void => match self.from {
                InvoiceStatus::Draft => {
                    "You can't void a draft invoice: delete it instead.".to_owned()
                }
                _ => format!(
                    "You can only void an open or uncollectible invoice; this invoice is {status}."
                ),
            },
            InvoiceAction::MarkUncollectible => format!(
                "You can only mark an open invoice as uncollectible; this invoice is {status}."
            ),
            InvoiceAction::Delete => format!(
                "You can only delete draft invoices; this invoice is {status}. Void it instead."
            ),
            InvoiceAction::Edit => format!(
                "This invoice is no longer editable because it is not a draft (status: {status})."
            ),
        }
    }
}

/// The status after `action`, or why `action` is refused.
///
/// `Delete` and `Edit` leave the status unchanged when allowed. Written without a catch-all
/// arm so that a new status or action does not compile until its outcome is decided.
///
/// # Errors
/// [`TransitionError`] when the action is not allowed from `from`.
pub fn transition(
    from: InvoiceStatus,
    action: InvoiceAction,
) -> Result<InvoiceStatus, TransitionError> {
    use InvoiceAction as A;
    use InvoiceStatus as S;
    let refused = Err(TransitionError { from, action });
    match (from, action) {
        (S::Draft, A::Finalize { amount_due }) => {
            Ok(if amount_due == 0 { S::Paid } else { S::Open })
        }
        (S::Open | S::Paid | S::Uncollectible | S::Void, A::Finalize { .. }) => refused,
        (S::Open | S::Uncollectible, A::Pay) => Ok(S::Paid),
        (S::Draft | S::Paid | S::Void, A::Pay) => refused,
        (S::Open | S::Uncollectible, A::Void) => Ok(S::Void),
        (S::Draft | S::Paid | S::Void, A::Void) => refused,
        (S::Open, A::MarkUncollectible) => Ok(S::Uncollectible),
        (S::Draft | S::Paid | S::Uncollectible | S::Void, A::MarkUncollectible) => refused,
        (S::Draft, A::Delete | A::Edit) => Ok(S::Draft),
        (S::Open | S::Paid | S::Uncollectible | S::Void, A::Delete | A::Edit) => refused,
    }
}

// ----- discounts -----

/// A coupon applied to an invoice or to one invoice item.
#[derive(Debug, Clone, PartialEq)]
pub struct Discount {
    /// `di_…`
    pub id: String,
    /// The coupon as it was when applied.
    pub coupon: Coupon,
    /// `cus_…`
    pub customer: String,
    /// `in_…` for invoice-level discounts.
    pub invoice: Option<String>,
    /// `ii_…` for item-level discounts.
    pub invoice_item: Option<String>,
    /// Unix seconds when it was applied.
    pub start: i64,
    /// Unix seconds when it stops applying (`repeating` coupons only).
    pub end: Option<i64>,
}

/// When a discount of `coupon` applied at `start` ends: `repeating` coupons after their months,
/// others never.
pub fn discount_end(coupon: &Coupon, start: i64) -> Option<i64> {
    match (coupon.duration, coupon.duration_in_months) {
        ("repeating", Some(months)) => add_months(start, months),
        _ => None,
    }
}

/// Whether `coupon` can discount an invoice in `currency`: percentages always, fixed amounts only
/// in their own currency.
pub fn coupon_fits(coupon: &Coupon, currency: &str) -> bool {
    match &coupon.value {
        CouponValue::PercentOff(_) => true,
        CouponValue::AmountOff { currency: c, .. } => c == currency,
    }
}

// ----- invoice items and lines -----

/// `type` of a legacy line item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Backed by an invoice item.
    InvoiceItem,
    /// Backed by a subscription item.
    Subscription,
}

impl LineKind {
    /// Stripe's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::InvoiceItem => "invoiceitem",
            LineKind::Subscription => "subscription",
        }
    }
}

/// `unit_amount × quantity`, checked.
///
/// # Errors
/// [`AmountOverflow`] if the product does not fit in `i64`.
pub fn line_amount(unit_amount: i64, quantity: i64) -> Result<i64, AmountOverflow> {
    unit_amount.checked_mul(quantity).ok_or(AmountOverflow)
}

/// An invoice item (`ii_…`): a charge waiting for an invoice (pending, `invoice: None`) or
/// attached to one.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceItem {
    /// `ii_…`
    pub id: String,
    /// `cus_…`
    pub customer: String,
    /// Lowercase ISO currency.
    pub currency: String,
    /// Unix seconds of creation.
    pub date: i64,
    /// Free text.
    pub description: Option<String>,
    /// Whether invoice-level discounts apply to it.
    pub discountable: bool,
    /// Item-level discounts.
    pub discounts: Vec<Discount>,
    /// `in_…` it is attached to; `None` while pending.
    pub invoice: Option<String>,
    /// Live or test.
    pub livemode: bool,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Service period.
    pub period: Period,
    /// The price, embedded as Stripe shows it (a snapshot; synthesized for amount-only items).
    /// Shared with the lines rendered from the item, which only read it.
    pub price: Arc<Price>,
    /// Whether it is a proration (never, in this mock).
    pub proration: bool,
    /// Units.
    pub quantity: i64,
    /// `sub_…`, if it belongs to a subscription.
    pub subscription: Option<String>,
    /// Amount per unit.
    pub unit_amount: i64,
    /// `unit_amount × quantity`, kept in step by [`InvoiceItem::apply`].
    pub amount: i64,
}

/// A resolved change to an invoice item or line (prices and coupons already looked up).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemChange {
    /// A new price; the unit amount becomes the price's.
    pub price: Option<Arc<Price>>,
    /// New quantity.
    pub quantity: Option<i64>,
    /// New description.
    pub description: Patch<String>,
    /// New discountable flag.
    pub discountable: Option<bool>,
    /// New item-level discounts (`Some(vec![])` removes them all).
    pub discounts: Option<Vec<Discount>>,
    /// Metadata update; merged or replaced depending on the line kind.
    pub metadata: Option<MetadataUpdate>,
    /// New period.
    pub period: Option<Period>,
}

/// The [`Changeable`] fields of an invoice item or a line, which name them alike.
macro_rules! changeable {
    ($v:expr) => {
        Changeable {
            price: &mut $v.price,
            unit_amount: &mut $v.unit_amount,
            quantity: &mut $v.quantity,
            amount: &mut $v.amount,
            description: &mut $v.description,
            discountable: &mut $v.discountable,
            discounts: &mut $v.discounts,
            metadata: &mut $v.metadata,
            period: &mut $v.period,
        }
    };
}

/// The fields an [`ItemChange`] touches, which invoice items and their lines both carry.
struct Changeable<'a> {
    price: &'a mut Arc<Price>,
    unit_amount: &'a mut i64,
    quantity: &'a mut i64,
    amount: &'a mut i64,
    description: &'a mut Option<String>,
    discountable: &'a mut bool,
    discounts: &'a mut Vec<Discount>,
    metadata: &'a mut Metadata,
    period: &'a mut Period,
}

impl ItemChange {
    /// Applies the change and recomputes the amount; metadata follows the rule of `kind`.
    /// Nothing changes on error.
    fn apply_to(self, kind: LineKind, t: Changeable<'_>) -> Result<(), AmountOverflow> {
        let unit_amount = self
            .price
            .as_ref()
            .map_or(*t.unit_amount, |p| p.unit_amount);
        let quantity = self.quantity.unwrap_or(*t.quantity);
        let amount = line_amount(unit_amount, quantity)?;
        if let Some(price) = self.price {
            *t.price = price;
        }
        *t.unit_amount = unit_amount;
        *t.quantity = quantity;
        *t.amount = amount;
        self.description.apply_to(t.description);
        if let Some(d) = self.discountable {
            *t.discountable = d;
        }
        if let Some(d) = self.discounts {
            *t.discounts = d;
        }
        if let Some(m) = self.metadata {
            update_line_metadata(kind, m, t.metadata);
        }
        if let Some(p) = self.period {
            *t.period = p;
        }
        Ok(())
    }
}

impl InvoiceItem {
    /// Whether the item waits for the customer's next invoice.
    pub fn is_pending(&self) -> bool {
        self.invoice.is_none()
    }

    /// Applies `change` and recomputes `amount`; metadata merges (the `invoiceitem` rule).
    /// Nothing changes on error.
    ///
    /// # Errors
    /// [`AmountOverflow`] if the new amount does not fit.
    pub fn apply(&mut self, change: ItemChange) -> Result<(), AmountOverflow> {
        change.apply_to(LineKind::InvoiceItem, changeable!(self))
    }

    /// The item as a line with id `line_id`.
    pub fn to_line(&self, line_id: String) -> LineItem {
        LineItem {
            id: line_id,
            kind: LineKind::InvoiceItem,
            amount: self.amount,
            currency: self.currency.clone(),
            description: self.description.clone(),
            discountable: self.discountable,
            discounts: self.discounts.clone(),
            invoice_item: Some(self.id.clone()),
            livemode: self.livemode,
            metadata: self.metadata.clone(),
            period: self.period,
            price: self.price.clone(),
            proration: self.proration,
            quantity: self.quantity,
            subscription: self.subscription.clone(),
            unit_amount: self.unit_amount,
        }
    }
}

/// Applies a line's metadata update by Stripe's rule: merged into `invoiceitem` lines (an empty
/// value removes a key, clearing removes all), used as-is for `subscription` lines.
pub fn update_line_metadata(kind: LineKind, update: MetadataUpdate, target: &mut Metadata) {
    match kind {
        LineKind::InvoiceItem => update.merge_into(target),
        LineKind::Subscription => update.replace(target),
    }
}

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
    /// Units.
    pub quantity: i64,
    /// `sub_…`, for subscription lines of an existing subscription.
    pub subscription: Option<String>,
    /// Amount per unit.
    pub unit_amount: i64,
}

impl LineItem {
    /// Applies `change` to a line that has no invoice item behind it (a `subscription` line):
    /// metadata is replaced, not merged. Nothing changes on error.
    ///
    /// # Errors
    /// [`AmountOverflow`] if the new amount does not fit.
    pub fn apply(&mut self, change: ItemChange) -> Result<(), AmountOverflow> {
        change.apply_to(self.kind, changeable!(self))
    }
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
    pub quantity: i64,
    /// `sub_…`, for subscription lines of an existing subscription.
    pub subscription: Option<&'a str>,
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
            ShownLine::Item { id, item } => LineFields {
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
}

impl Billable for ShownLine {
    fn amount(&self) -> i64 {
        match self {
            ShownLine::Item { item, .. } => item.amount,
            ShownLine::Own(line) => line.amount,
        }
    }
    fn discountable(&self) -> bool {
        match self {
            ShownLine::Item { item, .. } => item.discountable,
            ShownLine::Own(line) => line.discountable,
        }
    }
    fn discounts(&self) -> &[Discount] {
        match self {
            ShownLine::Item { item, .. } => &item.discounts,
            ShownLine::Own(line) => &line.discounts,
        }
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
    Item(Arc<InvoiceItem>),
    /// A subscription line, stored whole (no invoice item behind it).
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
            LineSource::Item(item) => Some(&item.id),
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

// ----- invoices -----

/// Timestamps of each status change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusTransitions {
    /// When it was finalized.
    pub finalized_at: Option<i64>,
    /// When it was marked uncollectible.
    pub marked_uncollectible_at: Option<i64>,
    /// When it was paid.
    pub paid_at: Option<i64>,
    /// When it was voided.
    pub voided_at: Option<i64>,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    /// `in_…` (`upcoming_in_…` for previews).
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Live or test.
    pub livemode: bool,
    /// `cus_…`
    pub customer: String,
    /// Lowercase ISO currency.
    pub currency: String,
    /// Lifecycle status.
    pub status: InvoiceStatus,
    /// Whether Stripe would advance it automatically.
    pub auto_advance: bool,
    /// `manual` for API-created invoices, `upcoming` for previews.
    pub billing_reason: &'static str,
    /// `charge_automatically` or `send_invoice`.
    pub collection_method: &'static str,
    /// Customer email, copied from the customer.
    pub customer_email: Option<String>,
    /// Customer name, copied from the customer.
    pub customer_name: Option<String>,
    /// Customer phone, copied from the customer.
    pub customer_phone: Option<String>,
    /// Customer tax status, copied from the customer.
    pub customer_tax_exempt: &'static str,
    /// Days to pay, for `send_invoice`.
    pub days_until_due: Option<i64>,
    /// Unix seconds the payment is due, for `send_invoice`.
    pub due_date: Option<i64>,
    /// Free text (the memo).
    pub description: Option<String>,
    /// Invoice-level discounts, applied in order.
    pub discounts: Vec<Discount>,
    /// Footer text.
    pub footer: Option<String>,
    /// The lines, in Stripe's order.
    pub lines: Vec<InvoiceLine>,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// `<prefix>-<NNNN>`, assigned at finalization.
    pub number: Option<String>,
    /// Start of the usage period.
    pub period_start: i64,
    /// End of the usage period.
    pub period_end: i64,
    /// Customer balance when finalized (drafts show the customer's current balance).
    pub starting_balance: i64,
    /// Customer balance after this invoice, once finalized.
    pub ending_balance: Option<i64>,
    /// Amount paid so far.
    pub amount_paid: i64,
    /// Whether it was paid outside Stripe.
    pub paid_out_of_band: bool,
    /// Payment attempts.
    pub attempt_count: i64,
    /// Whether a payment was attempted.
    pub attempted: bool,
    /// Status change times.
    pub status_transitions: StatusTransitions,
    /// When it took effect (its finalization).
    pub effective_at: Option<i64>,
    /// When Stripe would next try to collect.
    pub next_payment_attempt: Option<i64>,
    /// Statement descriptor.
    pub statement_descriptor: Option<String>,
    /// Hosted page, once finalized.
    pub hosted_invoice_url: Option<String>,
    /// PDF link, once finalized.
    pub invoice_pdf: Option<String>,
}

/// What finalization fixes on an invoice besides its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finalization {
    /// The invoice number.
    pub number: String,
    /// Unix seconds.
    pub at: i64,
    /// The customer's balance now.
    pub starting_balance: i64,
    /// The invoice's total.
    pub total: i64,
    /// The amount due after the balance is applied.
    pub amount_due: i64,
}

impl Invoice {
    /// Finalizes a draft: status, number, timestamps, balances; straight to `paid` when nothing
    /// is due. Nothing changes on error.
    ///
    /// # Errors
    /// [`TransitionError`] if it is not a draft.
    pub fn finalize(&mut self, f: Finalization) -> Result<(), TransitionError> {
        let status = transition(
            self.status,
            InvoiceAction::Finalize {
                amount_due: f.amount_due,
            },
        )?;
        self.status = status;
        self.number = Some(f.number);
        self.status_transitions.finalized_at = Some(f.at);
        self.effective_at.get_or_insert(f.at);
        self.starting_balance = f.starting_balance;
        // What the balance absorbed (credit used, or debt added to the amount due) leaves it.
        self.ending_balance = Some(
            f.starting_balance
                .saturating_add(f.total)
                .saturating_sub(f.amount_due),
        );
        self.hosted_invoice_url = Some(format!("https://invoice.stripe.com/i/{}", self.id));
        self.invoice_pdf = Some(format!("https://pay.stripe.com/invoice/{}/pdf", self.id));
        if self.collection_method == "send_invoice" && self.due_date.is_none() {
            self.due_date = self
                .days_until_due
                .and_then(|d| d.checked_mul(86_400))
                .and_then(|s| f.at.checked_add(s));
        }
        match status {
            InvoiceStatus::Paid => {
                self.status_transitions.paid_at = Some(f.at);
                self.next_payment_attempt = None;
            }
            _ if self.collection_method == "charge_automatically" && self.auto_advance => {
                // Stripe's first automatic attempt comes about an hour after finalization.
                self.next_payment_attempt = f.at.checked_add(3_600);
            }
            _ => self.next_payment_attempt = None,
        }
        Ok(())
    }

    /// Marks an open or uncollectible invoice paid: `amount_paid` becomes `amount_due`.
    ///
    /// # Errors
    /// [`TransitionError`] from any other status.
    pub fn pay(
        &mut self,
        at: i64,
        amount_due: i64,
        out_of_band: bool,
    ) -> Result<(), TransitionError> {
        self.status = transition(self.status, InvoiceAction::Pay)?;
        self.amount_paid = amount_due;
        self.paid_out_of_band = out_of_band;
        if !out_of_band {
            self.attempted = true;
            self.attempt_count = self.attempt_count.saturating_add(1);
        }
        self.status_transitions.paid_at = Some(at);
        self.next_payment_attempt = None;
        Ok(())
    }

    /// Voids an open or uncollectible invoice.
    ///
    /// # Errors
    /// [`TransitionError`] from any other status.
    pub fn void(&mut self, at: i64) -> Result<(), TransitionError> {
        self.status = transition(self.status, InvoiceAction::Void)?;
        self.status_transitions.voided_at = Some(at);
        self.next_payment_attempt = None;
        Ok(())
    }

    /// Marks an open invoice uncollectible.
    ///
    /// # Errors
    /// [`TransitionError`] from any other status.
    pub fn mark_uncollectible(&mut self, at: i64) -> Result<(), TransitionError> {
        self.status = transition(self.status, InvoiceAction::MarkUncollectible)?;
        self.status_transitions.marked_uncollectible_at = Some(at);
        self.next_payment_attempt = None;
        Ok(())
    }

    /// Refuses unless the invoice is a draft.
    ///
    /// # Errors
    /// [`TransitionError`] (`invoice_not_editable`) if it is not a draft.
    pub fn ensure_editable(&self) -> Result<(), TransitionError> {
        transition(self.status, InvoiceAction::Edit).map(|_| ())
    }

    /// The stored line with id `line_id`.
    pub fn line(&self, line_id: &str) -> Option<&InvoiceLine> {
        self.lines.iter().find(|l| l.id == line_id)
    }

    /// The line backed by invoice item `item_id`.
    pub fn line_of_item(&self, item_id: &str) -> Option<&InvoiceLine> {
        self.lines.iter().find(|l| l.item_id() == Some(item_id))
    }
}

// ----- totals -----

/// A discount's share of an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountAmount {
    /// Minor units.
    pub amount: i64,
    /// `di_…`
    pub discount: String,
}

/// Everything derived from an invoice's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Per line (same order as the input): the discounts it received, line-level first.
    pub line_discount_amounts: Vec<Vec<DiscountAmount>>,
    /// Σ (line amount − line-level discounts).
    pub subtotal: i64,
    /// `subtotal` without inclusive tax (no tax is modelled: equal to `subtotal`).
    pub subtotal_excluding_tax: i64,
    /// Per discount, summed over all lines, in order of first use.
    pub total_discount_amounts: Vec<DiscountAmount>,
    /// `subtotal` − invoice-level discounts (+ exclusive tax, none modelled).
    pub total: i64,
    /// `total` without tax.
    pub total_excluding_tax: i64,
    /// The customer balance taken into account (negative is credit).
    pub starting_balance: i64,
    /// `max(0, total + starting_balance)`.
    pub amount_due: i64,
    /// What has been paid.
    pub amount_paid: i64,
    /// `amount_due − amount_paid`, never negative.
    pub amount_remaining: i64,
}

/// Computes every amount of an invoice from its lines, in integer minor units.
///
/// 1. Line-level discounts apply one after the other to their own line's remaining amount;
///    `subtotal` is the sum of what remains ("item discounts are already incorporated").
/// 2. Each invoice-level discount applies, in order, to the remaining positive amounts of the
///    discountable lines (percent: rounded half away from zero; amount off: at most that base)
///    and is allocated pro rata to those lines by largest remainder, so the shares add up exactly.
/// 3. `total = subtotal − invoice-level discounts`; no tax is modelled, so the `*_excluding_tax`
///    fields equal their counterparts.
/// 4. `amount_due = max(0, total + starting_balance)`; `amount_remaining = amount_due −
///    amount_paid`, never below zero.
///
/// # Errors
/// [`AmountOverflow`] if any sum or product does not fit in `i64`.
pub fn totals<L: Billable>(
    lines: &[L],
    invoice_discounts: &[Discount],
    starting_balance: i64,
    amount_paid: i64,
) -> Result<Totals, AmountOverflow> {
    let mut per_line: Vec<Vec<DiscountAmount>> = vec![Vec::new(); lines.len()];
    let mut net: Vec<i64> = lines.iter().map(Billable::amount).collect();
    let mut by_discount: Vec<DiscountAmount> = Vec::new();

    for (i, line) in lines.iter().enumerate() {
        for d in line.discounts() {
            let amount = d.coupon.discount_on(net[i]).ok_or(AmountOverflow)?;
            net[i] = net[i].checked_sub(amount).ok_or(AmountOverflow)?;
            per_line[i].push(DiscountAmount {
                amount,
                discount: d.id.clone(),
            });
            add_to(&mut by_discount, &d.id, amount)?;
        }
    }
    let subtotal = checked_sum(net.iter().copied())?;

    let mut invoice_discount_total = 0i64;
    for d in invoice_discounts {
        let weights: Vec<i64> = lines
            .iter()
            .zip(&net)
            .map(|(l, n)| if l.discountable() { (*n).max(0) } else { 0 })
            .collect();
        let base = checked_sum(weights.iter().copied())?;
        let amount = d.coupon.discount_on(base).ok_or(AmountOverflow)?;
        let shares = allocate(amount, &weights)?;
        for (i, share) in shares.into_iter().enumerate() {
            if !lines[i].discountable() {
                continue;
            }
            net[i] = net[i].checked_sub(share).ok_or(AmountOverflow)?;
            per_line[i].push(DiscountAmount {
                amount: share,
                discount: d.id.clone(),
            });
        }
        add_to(&mut by_discount, &d.id, amount)?;
        invoice_discount_total = invoice_discount_total
            .checked_add(amount)
            .ok_or(AmountOverflow)?;
    }

    let total = subtotal
        .checked_sub(invoice_discount_total)
        .ok_or(AmountOverflow)?;
    let amount_due = total
        .checked_add(starting_balance)
        .ok_or(AmountOverflow)?
        .max(0);
    let amount_remaining = amount_due
        .checked_sub(amount_paid)
        .ok_or(AmountOverflow)?
        .max(0);
    Ok(Totals {
        line_discount_amounts: per_line,
        subtotal,
        subtotal_excluding_tax: subtotal,
        total_discount_amounts: by_discount,
        total,
        total_excluding_tax: total,
        starting_balance,
        amount_due,
        amount_paid,
        amount_remaining,
    })
}

fn checked_sum(mut values: impl Iterator<Item = i64>) -> Result<i64, AmountOverflow> {
    values.try_fold(0i64, |acc, v| acc.checked_add(v).ok_or(AmountOverflow))
}

fn add_to(
    sums: &mut Vec<DiscountAmount>,
    discount: &str,
    amount: i64,
) -> Result<(), AmountOverflow> {
    match sums.iter_mut().find(|d| d.discount == discount) {
        Some(d) => d.amount = d.amount.checked_add(amount).ok_or(AmountOverflow)?,
        None => sums.push(DiscountAmount {
            amount,
            discount: discount.to_owned(),
        }),
    }
    Ok(())
}

/// Splits `amount` across `weights` in proportion (largest remainder; ties go to the earlier
/// weight). Shares sum to `amount` exactly; with `0 ≤ amount ≤ Σ weights` no share exceeds its
/// weight.
///
/// # Errors
/// [`AmountOverflow`] if the weights do not sum in `i64`.
pub fn allocate(amount: i64, weights: &[i64]) -> Result<Vec<i64>, AmountOverflow> {
    let total = checked_sum(weights.iter().copied())?;
    if total <= 0 || amount == 0 {
        return Ok(vec![0; weights.len()]);
    }
    let (amount_w, total_w) = (i128::from(amount), i128::from(total));
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let scaled = amount_w * i128::from((*w).max(0));
        shares.push(i64::try_from(scaled / total_w).map_err(|_| AmountOverflow)?);
        remainders.push((scaled % total_w, i));
    }
    let mut left = amount
        .checked_sub(checked_sum(shares.iter().copied())?)
        .ok_or(AmountOverflow)?;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left <= 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    Ok(shares)
}

// ----- line pages -----

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

// ----- previews -----

/// The `il_tmp_` id Stripe gives an item's line on a preview: the item id's suffix after `ii_`.
pub fn tmp_line_id(item_id: &str) -> String {
    let suffix = item_id.split_once('_').map_or(item_id, |(_, s)| s);
    format!("il_tmp_{suffix}")
}

/// A v1-shaped id (`prefix` + `1` + 23 base62 characters) derived from `seed` alone, so a preview
/// repeated with the same parameters shows the same ids and cursors keep working.
pub fn stable_id(prefix: &str, seed: &str) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    // FNV-1a over the seed, then a splitmix64 stream for the characters.
    let mut state = seed.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut out = String::with_capacity(prefix.len() + 24);
    out.push_str(prefix);
    out.push('1');
    let mut remaining: usize = 23;
    while remaining > 0 {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let mut bits = z ^ (z >> 31);
        for _ in 0..remaining.min(10) {
            out.push(char::from(ALPHABET[(bits % 62) as usize]));
            bits /= 62;
        }
        remaining = remaining.saturating_sub(10);
    }
    out
}

fn add_months(t: i64, months: i64) -> Option<i64> {
    let months = u32::try_from(months).ok()?;
    Utc.timestamp_opt(t, 0)
        .single()?
        .checked_add_months(Months::new(months))
        .map(|d| d.timestamp())
}

/// End of the first billing period of `recurring` starting at `start` (calendar months and years).
pub fn subscription_period_end(start: i64, recurring: &Recurring) -> Option<i64> {
    let count = recurring.interval_count;
    match recurring.interval {
        "day" => count.checked_mul(86_400).and_then(|s| start.checked_add(s)),
        "week" => count
            .checked_mul(604_800)
            .and_then(|s| start.checked_add(s)),
        "month" => add_months(start, count),
        "year" => add_months(start, count.checked_mul(12)?),
        _ => None,
    }
}

/// Currencies without a minor unit (Stripe's zero-decimal list).
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// `amount` minor units of `currency` as Stripe prints it: `$10.00`, `€9.50`, `¥500`, `12.00 CHF`.
pub fn format_money(amount: i64, currency: &str) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    let number = if ZERO_DECIMAL.contains(&currency) {
        abs.to_string()
    } else {
        format!("{}.{:02}", abs / 100, abs % 100)
    };
    match currency {
        "usd" => format!("{sign}${number}"),
        "eur" => format!("{sign}€{number}"),
        "gbp" => format!("{sign}£{number}"),
        "jpy" => format!("{sign}¥{number}"),
        other => format!("{sign}{number} {}", other.to_ascii_uppercase()),
    }
}

/// The description Stripe gives a subscription line: `1 × Gold (at $10.00 / month)`.
pub fn subscription_line_description(
    quantity: i64,
    product_name: &str,
    unit_amount: i64,
    currency: &str,
    recurring: &Recurring,
) -> String {
    let every = match recurring.interval_count {
        1 => recurring.interval.to_owned(),
        n => format!("every {n} {}s", recurring.interval),
    };
    format!(
        "{quantity} × {product_name} (at {} / {every})",
        format_money(unit_amount, currency)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Percent;

    fn price(unit_amount: i64) -> Price {
        Price {
            id: "price_1".into(),
            created: 0,
            livemode: false,
            active: true,
            currency: "usd".into(),
            lookup_key: None,
            metadata: Metadata::new(),
            nickname: None,
            product: "prod_1".into(),
            recurring: None,
            tax_behavior: "unspecified",
            unit_amount,
        }
    }

    fn line(id: &str, amount: i64) -> LineItem {
        LineItem {
            id: id.into(),
            kind: LineKind::InvoiceItem,
            amount,
            currency: "usd".into(),
            description: None,
            discountable: amount >= 0,
            discounts: Vec::new(),
            invoice_item: Some(format!("ii_{id}")),
            livemode: false,
            metadata: Metadata::new(),
            period: Period::at(0),
            price: price(amount).into(),
            proration: false,
            quantity: 1,
            subscription: None,
            unit_amount: amount,
        }
    }

    fn coupon(value: CouponValue) -> Coupon {
        Coupon {
            id: "co".into(),
            created: 0,
            livemode: false,
            value,
            duration: "once",
            duration_in_months: None,
            max_redemptions: None,
            metadata: Metadata::new(),
            name: None,
            redeem_by: None,
            times_redeemed: 0,
        }
    }

    fn percent(id: &str, pct: f64) -> Discount {
        Discount {
            id: id.into(),
            coupon: coupon(CouponValue::PercentOff(
                Percent::from_f64(pct).expect("valid percent"),
            )),
            customer: "cus_1".into(),
            invoice: None,
            invoice_item: None,
            start: 0,
            end: None,
        }
    }

    fn amount_off(id: &str, amount: i64) -> Discount {
        Discount {
            coupon: coupon(CouponValue::AmountOff {
                amount,
                currency: "usd".into(),
            }),
            ..percent(id, 1.0)
        }
    }

    // ----- lifecycle -----

    #[test]
    fn every_status_and_action_pair_has_the_expected_outcome() {
        use InvoiceAction as A;
        use InvoiceStatus as S;
        let actions = [
            A::Finalize { amount_due: 100 },
            A::Pay,
            A::Void,
            A::MarkUncollectible,
            A::Delete,
            A::Edit,
        ];
        // Expected outcome per (status, action), in the order of `actions`; None = refused.
        let table: [(S, [Option<S>; 6]); 5] = [
            (
                S::Draft,
                [
                    Some(S::Open),
                    None,
                    None,
                    None,
                    Some(S::Draft),
                    Some(S::Draft),
                ],
            ),
            (
                S::Open,
                [
                    None,
                    Some(S::Paid),
                    Some(S::Void),
                    Some(S::Uncollectible),
                    None,
                    None,
                ],
            ),
            (S::Paid, [None, None, None, None, None, None]),
            (
                S::Uncollectible,
                [None, Some(S::Paid), Some(S::Void), None, None, None],
            ),
            (S::Void, [None, None, None, None, None, None]),
        ];
        for (from, expected) in table {
            for (action, want) in actions.iter().zip(expected) {
                let got = transition(from, *action).ok();
                assert_eq!(got, want, "{from:?} + {action:?}");
            }
        }
    }

    #[test]
    fn finalizing_with_nothing_due_goes_straight_to_paid() {
        assert_eq!(
            transition(
                InvoiceStatus::Draft,
                InvoiceAction::Finalize { amount_due: 0 }
            ),
            Ok(InvoiceStatus::Paid)
        );
    }

    #[test]
    fn editing_a_non_draft_is_invoice_not_editable() {
        let err = transition(InvoiceStatus::Open, InvoiceAction::Edit).unwrap_err();
        assert_eq!(err.code(), Some("invoice_not_editable"));
        assert!(err.message().contains("status: open"), "{}", err.message());
        let err = transition(InvoiceStatus::Paid, InvoiceAction::Void).unwrap_err();
        assert_eq!(err.code(), None);
        assert!(err.message().contains("paid"));
    }

    #[test]
    fn statuses_round_trip_through_their_spelling() {
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(InvoiceStatus::parse("closed"), None);
    }

    // ----- totals -----

    struct Case {
        name: &'static str,
        lines: Vec<LineItem>,
        discounts: Vec<Discount>,
        balance: i64,
        paid: i64,
        subtotal: i64,
        total: i64,
        due: i64,
        remaining: i64,
    }

    #[test]
    fn totals_table() {
        let mut item_discounted = line("a", 1000);
        item_discounted.discounts = vec![percent("di_item", 10.0)];
        let mut not_discountable = line("b", 500);
        not_discountable.discountable = false;
        let cases = vec![
            Case {
                name: "empty invoice",
                lines: vec![],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 0,
                total: 0,
                due: 0,
                remaining: 0,
            },
            Case {
                name: "one line",
                lines: vec![line("a", 799)],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 799,
                total: 799,
                due: 799,
                remaining: 799,
            },
            Case {
                name: "seed add_lines: 799 + 199",
                lines: vec![line("a", 799), line("b", 199)],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 998,
                total: 998,
                due: 998,
                remaining: 998,
            },
            Case {
                name: "25% of 998 rounds 249.5 up",
                lines: vec![line("a", 799), line("b", 199)],
                discounts: vec![percent("di_p", 25.0)],
                balance: 0,
                paid: 0,
                subtotal: 998,
                total: 748,
                due: 748,
                remaining: 748,
            },
            Case {
                name: "amount off larger than the invoice stops at zero",
                lines: vec![line("a", 300)],
                discounts: vec![amount_off("di_a", 500)],
                balance: 0,
                paid: 0,
                subtotal: 300,
                total: 0,
                due: 0,
                remaining: 0,
            },
            Case {
                name: "non-discountable lines are not discounted",
                lines: vec![line("a", 1000), not_discountable],
                discounts: vec![percent("di_p", 50.0)],
                balance: 0,
                paid: 0,
                subtotal: 1500,
                total: 1000,
                due: 1000,
                remaining: 1000,
            },
            Case {
                name: "item discount is inside the subtotal",
                lines: vec![item_discounted.clone()],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 900,
                total: 900,
                due: 900,
                remaining: 900,
            },
            Case {
                name: "invoice discount applies after the item discount",
                lines: vec![item_discounted],
                discounts: vec![amount_off("di_a", 100)],
                balance: 0,
                paid: 0,
                subtotal: 900,
                total: 800,
                due: 800,
                remaining: 800,
            },
            Case {
                name: "two invoice discounts stack on what remains",
                lines: vec![line("a", 1000)],
                discounts: vec![percent("di_p", 50.0), amount_off("di_a", 100)],
                balance: 0,
                paid: 0,
                subtotal: 1000,
                total: 400,
                due: 400,
                remaining: 400,
            },
            Case {
                name: "a credit line lowers the total",
                lines: vec![line("a", 1000), line("b", -300)],
                discounts: vec![],
                balance: 0,
                paid: 0,
                subtotal: 700,
                total: 700,
                due: 700,
                remaining: 700,
            },
            Case {
                name: "customer credit is applied to the amount due",
                lines: vec![line("a", 1000)],
                discounts: vec![],
                balance: -300,
                paid: 0,
                subtotal: 1000,
                total: 1000,
                due: 700,
                remaining: 700,
            },
            Case {
                name: "credit above the total leaves nothing due",
                lines: vec![line("a", 1000)],
                discounts: vec![],
                balance: -1500,
                paid: 0,
                subtotal: 1000,
                total: 1000,
                due: 0,
                remaining: 0,
            },
            Case {
                name: "an owed balance is added to the amount due",
                lines: vec![line("a", 1000)],
                discounts: vec![],
                balance: 200,
                paid: 0,
                subtotal: 1000,
                total: 1000,
                due: 1200,
                remaining: 1200,
            },
            Case {
                name: "paid invoices have nothing remaining",
                lines: vec![line("a", 998)],
                discounts: vec![],
                balance: 0,
                paid: 998,
                subtotal: 998,
                total: 998,
                due: 998,
                remaining: 0,
            },
        ];
        for c in cases {
            let t = totals(&c.lines, &c.discounts, c.balance, c.paid).expect(c.name);
            assert_eq!(t.subtotal, c.subtotal, "{}: subtotal", c.name);
            assert_eq!(t.subtotal_excluding_tax, c.subtotal, "{}", c.name);
            assert_eq!(t.total, c.total, "{}: total", c.name);
            assert_eq!(t.total_excluding_tax, c.total, "{}", c.name);
            assert_eq!(t.amount_due, c.due, "{}: amount_due", c.name);
            assert_eq!(t.amount_paid, c.paid, "{}", c.name);
            assert_eq!(t.amount_remaining, c.remaining, "{}: remaining", c.name);
            assert_eq!(t.line_discount_amounts.len(), c.lines.len(), "{}", c.name);
            // The per-discount totals are exactly the sum of the per-line shares.
            for d in &t.total_discount_amounts {
                let from_lines: i64 = t
                    .line_discount_amounts
                    .iter()
                    .flatten()
                    .filter(|x| x.discount == d.discount)
                    .map(|x| x.amount)
                    .sum();
                assert_eq!(from_lines, d.amount, "{}: {}", c.name, d.discount);
            }
        }
    }

    #[test]
    fn invoice_discounts_are_allocated_pro_rata_to_the_cent() {
        let t = totals(
            &[line("a", 799), line("b", 199)],
            &[percent("di_p", 25.0)],
            0,
            0,
        )
        .expect("fits");
        // 250 split 799:199 → 200.15 / 49.85 → 200 + 50 after the largest remainder.
        assert_eq!(
            t.line_discount_amounts,
            vec![
                vec![DiscountAmount {
                    amount: 200,
                    discount: "di_p".into()
                }],
                vec![DiscountAmount {
                    amount: 50,
                    discount: "di_p".into()
                }],
            ]
        );
        assert_eq!(
            t.total_discount_amounts,
            vec![DiscountAmount {
                amount: 250,
                discount: "di_p".into()
            }]
        );
    }

    #[test]
    fn removing_a_line_recomputes_from_what_is_left() {
        let both = totals(&[line("a", 799), line("b", 199)], &[], 0, 0).expect("fits");
        let one = totals(&[line("b", 199)], &[], 0, 0).expect("fits");
        assert_eq!((both.total, one.total), (998, 199));
    }

    #[test]
    fn totals_overflow_is_an_error_not_a_wrap() {
        assert_eq!(
            totals(&[line("a", i64::MAX), line("b", 1)], &[], 0, 0),
            Err(AmountOverflow)
        );
        assert_eq!(
            totals(&[line("a", i64::MAX)], &[], 1, 0),
            Err(AmountOverflow)
        );
        assert_eq!(line_amount(i64::MAX, 2), Err(AmountOverflow));
    }

    #[test]
    fn allocation_sums_exactly_and_never_exceeds_a_weight() {
        for (amount, weights) in [
            (1, vec![1, 1, 1]),
            (2, vec![1, 1, 1]),
            (100, vec![33, 33, 34]),
            (7, vec![0, 5, 2]),
            (0, vec![3, 4]),
            (10, vec![10]),
        ] {
            let shares = allocate(amount, &weights).expect("fits");
            assert_eq!(shares.iter().sum::<i64>(), amount, "{weights:?}");
            assert!(shares.iter().zip(&weights).all(|(s, w)| s <= w));
        }
        assert_eq!(allocate(1, &[1, 1, 1]), Ok(vec![1, 0, 0]));
    }

    // ----- items and lines -----

    fn item() -> InvoiceItem {
        InvoiceItem {
            id: "ii_1abc".into(),
            customer: "cus_1".into(),
            currency: "usd".into(),
            date: 10,
            description: Some("Canned Coffee".into()),
            discountable: true,
            discounts: vec![],
            invoice: None,
            livemode: false,
            metadata: Metadata::from([("a".into(), "1".into()), ("b".into(), "2".into())]),
            period: Period::at(10),
            price: price(199).into(),
            proration: false,
            quantity: 1,
            subscription: None,
            unit_amount: 199,
            amount: 199,
        }
    }

    #[test]
    fn changing_quantity_recomputes_the_amount() {
        let mut it = item();
        it.apply(ItemChange {
            quantity: Some(3),
            ..ItemChange::default()
        })
        .expect("fits");
        assert_eq!((it.unit_amount, it.quantity, it.amount), (199, 3, 597));
        it.apply(ItemChange {
            price: Some(price(500).into()),
            ..ItemChange::default()
        })
        .expect("fits");
        assert_eq!(it.amount, 1500);
    }

    #[test]
    fn an_overflowing_change_leaves_the_item_untouched() {
        let mut it = item();
        let before = it.clone();
        let err = it.apply(ItemChange {
            quantity: Some(i64::MAX),
            description: Patch::Set("changed".into()),
            ..ItemChange::default()
        });
        assert_eq!(err, Err(AmountOverflow));
        assert_eq!(it, before);
    }

    #[test]
    fn invoice_item_line_metadata_merges() {
        let mut it = item();
        it.apply(ItemChange {
            metadata: Some(MetadataUpdate::Merge(vec![
                ("a".into(), None),
                ("c".into(), Some("3".into())),
            ])),
            ..ItemChange::default()
        })
        .expect("fits");
        assert_eq!(
            it.metadata,
            Metadata::from([("b".into(), "2".into()), ("c".into(), "3".into())])
        );
    }

    #[test]
    fn subscription_line_metadata_is_replaced() {
        let mut l = item().to_line("il_1".into());
        l.kind = LineKind::Subscription;
        l.invoice_item = None;
        l.apply(ItemChange {
            metadata: Some(MetadataUpdate::Merge(vec![("c".into(), Some("3".into()))])),
            ..ItemChange::default()
        })
        .expect("fits");
        assert_eq!(l.metadata, Metadata::from([("c".into(), "3".into())]));
        let mut m = Metadata::from([("x".into(), "y".into())]);
        update_line_metadata(LineKind::Subscription, MetadataUpdate::Clear, &mut m);
        assert!(m.is_empty());
    }

    fn stored(id: &str, group: LineGroup) -> InvoiceLine {
        InvoiceLine {
            id: id.into(),
            group,
            source: LineSource::Item(Arc::new(InvoiceItem {
                id: format!("ii_{id}"),
                ..item()
            })),
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

    // ----- previews and formatting -----

    #[test]
    fn tmp_line_ids_reuse_the_item_suffix() {
        assert_eq!(
            tmp_line_id("ii_1NtH5qBHO5VeT9SUzhbifVXt"),
            "il_tmp_1NtH5qBHO5VeT9SUzhbifVXt"
        );
    }

    #[test]
    fn stable_ids_depend_only_on_the_seed() {
        let a = stable_id("ii_", "cus_1/0");
        assert_eq!(a, stable_id("ii_", "cus_1/0"));
        assert_ne!(a, stable_id("ii_", "cus_1/1"));
        assert!(a.starts_with("ii_1"));
        assert_eq!(a.len(), 3 + 24);
        assert!(a[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn subscription_periods_follow_the_calendar() {
        let jan31 = 1_706_659_200; // 2024-01-31T00:00:00Z
        let month = Recurring {
            interval: "month",
            interval_count: 1,
            usage_type: "licensed",
        };
        // 2024-02-29T00:00:00Z: chrono clamps to the end of a shorter month.
        assert_eq!(subscription_period_end(jan31, &month), Some(1_709_164_800));
        let weeks = Recurring {
            interval: "week",
            interval_count: 2,
            ..month.clone()
        };
        assert_eq!(
            subscription_period_end(jan31, &weeks),
            Some(jan31 + 1_209_600)
        );
        let year = Recurring {
            interval: "year",
            ..month
        };
        assert_eq!(subscription_period_end(jan31, &year), Some(1_738_281_600));
    }

    #[test]
    fn money_and_descriptions_read_like_stripes() {
        assert_eq!(format_money(1000, "usd"), "$10.00");
        assert_eq!(format_money(-5, "eur"), "-€0.05");
        assert_eq!(format_money(500, "jpy"), "¥500");
        assert_eq!(format_money(1200, "chf"), "12.00 CHF");
        let r = Recurring {
            interval: "month",
            interval_count: 3,
            usage_type: "licensed",
        };
        assert_eq!(
            subscription_line_description(2, "Gold", 1000, "usd", &r),
            "2 × Gold (at $10.00 / every 3 months)"
        );
    }

    #[test]
    fn coupons_fit_by_currency() {
        assert!(coupon_fits(&percent("d", 5.0).coupon, "eur"));
        assert!(coupon_fits(&amount_off("d", 5).coupon, "usd"));
        assert!(!coupon_fits(&amount_off("d", 5).coupon, "eur"));
        let mut c = percent("d", 5.0).coupon;
        c.duration = "repeating";
        c.duration_in_months = Some(3);
        assert_eq!(discount_end(&c, 1_706_659_200), Some(1_714_435_200));
    }
}

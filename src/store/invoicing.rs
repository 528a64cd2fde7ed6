//! Store methods for invoices, invoice items, invoice lines and invoice previews.
//!
//! Every mutating method is one [`Store::write`] closure, so concurrent calls on one invoice
//! serialize on the account's lock and cannot lose lines. Inside it a method looks everything up,
//! stages the objects it will change as clones, recomputes the totals from the staged lines
//! (which may fail), and only then writes the staged objects back: a failed call changes nothing.
//! Totals are never stored: every read recomputes them from the lines with the one pure
//! [`totals`] function. Previews run the same assembly code on clones and write nothing.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::domain::catalog::{Metadata, Price, Recurring};
use crate::domain::collection::Collection;
use crate::domain::id::IdGen;
use crate::domain::invoice::{
    Discount, DiscountAmount, Finalization, Invoice, InvoiceAction, InvoiceItem, InvoiceLine,
    InvoiceStatus, ItemChange, LineCursor, LineGroup, LineItem, LineKind, LineSource,
    MAX_LINES_PER_INVOICE, Period, ShownLine, StatusTransitions, Totals, TransitionError,
    coupon_fits, discount_end, insert_line, line_amount, line_window, stable_id,
    subscription_line_description, subscription_period_end, tmp_line_id, totals, transition,
};
use crate::domain::patch::{MetadataUpdate, Patch};
use crate::error::{Error, Result};

use super::catalog::Deleted;
use super::{AccountKey, AccountState, Ctx, IdCursor, ListPage, ListQuery, Store, list_page};

// ----- inputs -----

/// Where a line's or item's price comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum PriceInput {
    /// `amount`: the whole charge; a one-time price of that amount is synthesized, quantity 1.
    Amount(i64),
    /// `unit_amount` (+ `quantity`): a one-time price of that unit amount is synthesized.
    UnitAmount(i64),
    /// `price` / `pricing[price]`: an existing price.
    Price {
        /// `price_…`
        id: String,
        /// The parameter that named it, for errors.
        param: String,
    },
    /// `price_data`: an inline price.
    PriceData(PriceDataInput),
}

/// `price_data[…]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceDataInput {
    /// Path of the `price_data` parameter, for errors.
    pub param: String,
    /// Currency.
    pub currency: String,
    /// Existing product id (`product`) or a new product's name (`product_data[name]`).
    pub product: ProductInput,
    /// Amount per unit.
    pub unit_amount: i64,
    /// Tax behaviour of the inline price.
    pub tax_behavior: Option<&'static str>,
    /// Recurrence (subscription items only).
    pub recurring: Option<Recurring>,
}

/// The product of an inline price.
#[derive(Debug, Clone, PartialEq)]
pub enum ProductInput {
    /// `price_data[product]`.
    Existing(String),
    /// `price_data[product_data][name]`.
    Inline {
        /// Product name.
        name: String,
    },
}

/// `discounts[N][coupon]`.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscountInput {
    /// Coupon id.
    pub coupon: String,
    /// Path of the parameter, for errors.
    pub param: String,
}

/// The fields shared by invoice items, `add_lines` / `update_lines` lines and preview items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemFields {
    /// Path of the object these fields came from (`lines[0]`, or `""` at the top level).
    pub param: String,
    /// Price source; required for new items.
    pub price: Option<PriceInput>,
    /// Units (not with `amount`).
    pub quantity: Option<i64>,
    /// Free text.
    pub description: Patch<String>,
    /// Whether invoice-level discounts apply (default: true unless the amount is negative).
    pub discountable: Option<bool>,
    /// Item-level discounts.
    pub discounts: Patch<Vec<DiscountInput>>,
    /// Metadata update.
    pub metadata: Option<MetadataUpdate>,
    /// Service period.
    pub period: Option<Period>,
}

/// Parameters of `POST /v1/invoiceitems`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewInvoiceItem {
    /// Fixed id (fixtures only; the API generates one).
    pub id: Option<String>,
    /// `cus_…` (required).
    pub customer: String,
    /// Currency (defaults to the price's, the invoice's or the customer's).
    pub currency: Option<String>,
    /// Draft invoice to attach to.
    pub invoice: Option<String>,
    /// Subscription to attach to (subscriptions are not modelled: always missing).
    pub subscription: Option<String>,
    /// Everything else.
    pub fields: ItemFields,
}

/// Filters of `GET /v1/invoiceitems`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceItemFilter {
    /// Only this customer's items.
    pub customer: Option<String>,
    /// Only items on this invoice.
    pub invoice: Option<String>,
    /// `true`: only pending items; `false`: only attached ones.
    pub pending: Option<bool>,
}

/// Parameters of `POST /v1/invoices`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewInvoice {
    /// Fixed id (fixtures only; the API generates one).
    pub id: Option<String>,
    /// `cus_…` (required).
    pub customer: String,
    /// Automatic collection (default false).
    pub auto_advance: Option<bool>,
    /// `charge_automatically` (default) or `send_invoice`.
    pub collection_method: Option<&'static str>,
    /// Currency (defaults to the customer's, then to the newest pending item's, then `usd`).
    pub currency: Option<String>,
    /// Days to pay, for `send_invoice`.
    pub days_until_due: Option<i64>,
    /// Due date, for `send_invoice`.
    pub due_date: Option<i64>,
    /// Memo.
    pub description: Option<String>,
    /// Invoice-level discounts.
    pub discounts: Vec<DiscountInput>,
    /// Footer.
    pub footer: Option<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// `pending_invoice_items_behavior=include`: attach the customer's pending items.
    pub include_pending: bool,
    /// Statement descriptor.
    pub statement_descriptor: Option<String>,
}

/// Parameters of `POST /v1/invoices/:id`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvoiceUpdate {
    /// Automatic collection.
    pub auto_advance: Option<bool>,
    /// Collection method (drafts only).
    pub collection_method: Option<&'static str>,
    /// Days to pay (drafts only).
    pub days_until_due: Patch<i64>,
    /// Due date (drafts only).
    pub due_date: Patch<i64>,
    /// Memo.
    pub description: Patch<String>,
    /// Invoice-level discounts (drafts only).
    pub discounts: Patch<Vec<DiscountInput>>,
    /// Footer.
    pub footer: Patch<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Statement descriptor.
    pub statement_descriptor: Patch<String>,
}

/// Filters of `GET /v1/invoices`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    /// Only this customer's invoices.
    pub customer: Option<String>,
    /// Only invoices in this status.
    pub status: Option<InvoiceStatus>,
    /// Only invoices with this collection method.
    pub collection_method: Option<&'static str>,
}

/// One entry of `add_lines`.
#[derive(Debug, Clone, PartialEq)]
pub enum AddLine {
    /// `lines[N][invoice_item]`: attach a pending item (other fields update it).
    Existing {
        /// `ii_…`
        invoice_item: String,
        /// The other fields of the entry.
        fields: ItemFields,
    },
    /// A new item with these fields.
    New(ItemFields),
}

/// `remove_lines[N][behavior]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveBehavior {
    /// Delete the invoice item.
    Delete,
    /// Return the invoice item to pending.
    Unassign,
}

/// One entry of `remove_lines`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveLine {
    /// `il_…`
    pub id: String,
    /// What happens to its invoice item.
    pub behavior: RemoveBehavior,
    /// Path of the entry's `id` parameter, for errors.
    pub param: String,
}

/// One entry of `update_lines` (or the single-line update).
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateLine {
    /// `il_…`
    pub id: String,
    /// The fields to change (`fields.param` is the entry's path).
    pub fields: ItemFields,
}

/// A line-batch request: the entries and `invoice_metadata`.
#[derive(Debug, Clone, PartialEq)]
pub struct LineBatch<T> {
    /// The entries, validated all-or-nothing.
    pub lines: Vec<T>,
    /// Merged into the invoice's metadata.
    pub invoice_metadata: Option<MetadataUpdate>,
}

/// `invoice_items[N]` of a preview.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviewItem {
    /// `invoiceitem`: a pending item to change in the preview; `None` adds a new item.
    pub invoiceitem: Option<String>,
    /// Currency of a new item (must be the preview's).
    pub currency: Option<String>,
    /// The fields.
    pub fields: ItemFields,
}

/// `subscription_details[items][N]` of a preview: one line of a new subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionItemInput {
    /// Path of the entry, for errors.
    pub param: String,
    /// A recurring `price` or `price_data` with `recurring`.
    pub price: PriceInput,
    /// Units (default 1).
    pub quantity: i64,
    /// Metadata of the line.
    pub metadata: Option<MetadataUpdate>,
    /// Line-level discounts.
    pub discounts: Vec<DiscountInput>,
}

/// Parameters of the upcoming-invoice and `create_preview` endpoints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviewParams {
    /// `cus_…`
    pub customer: Option<String>,
    /// Preview currency.
    pub currency: Option<String>,
    /// Invoice-level discounts (`Unset`: none).
    pub discounts: Patch<Vec<DiscountInput>>,
    /// Changes and additions to the pending items, for the preview only.
    pub invoice_items: Vec<PreviewItem>,
    /// An existing subscription (not modelled: always missing).
    pub subscription: Option<String>,
    /// Items of a new subscription to preview.
    pub subscription_items: Vec<SubscriptionItemInput>,
    /// Start of the previewed subscription (default now).
    pub start_date: Option<i64>,
}

// ----- outputs -----

/// A line with the discounts it received.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedLine {
    /// The line.
    pub line: ShownLine,
    /// Its share of each discount (line-level first).
    pub discount_amounts: Vec<DiscountAmount>,
}

/// An invoice as rendered: the invoice, its lines in order, and the totals computed from them.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceSnapshot {
    /// The invoice (for previews, built in memory with `billing_reason: upcoming`); shared with
    /// the store for stored invoices.
    pub invoice: Arc<Invoice>,
    /// All lines, with their discount amounts.
    pub lines: Vec<PricedLine>,
    /// The totals (`line_discount_amounts` moved into `lines`).
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

// ----- helpers -----

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

/// Where new ids come from: the store's generator for stored objects, or a seed for previews,
/// so that the same preview shows the same ids (and `starting_after` keeps working).
struct Ids<'a> {
    live: Option<&'a IdGen>,
    seed: String,
    next: Cell<u32>,
}

impl<'a> Ids<'a> {
    fn live(generator: &'a IdGen) -> Self {
        Ids {
            live: Some(generator),
            seed: String::new(),
            next: Cell::new(0),
        }
    }

    fn stable(seed: String) -> Self {
        Ids {
            live: None,
            seed,
            next: Cell::new(0),
        }
    }

    fn v1(&self, prefix: &str) -> String {
        match self.live {
            Some(generator) => generator.v1(prefix),
            None => {
                let n = self.next.get();
                self.next.set(n.wrapping_add(1));
                stable_id(prefix, &format!("{}/{n}", self.seed))
            }
        }
    }
}

/// What resolving prices, coupons and new items needs.
struct Env<'a> {
    s: &'a AccountState,
    ids: &'a Ids<'a>,
    now: i64,
    livemode: bool,
}

impl<'a> Env<'a> {
    fn new(s: &'a AccountState, ids: &'a Ids<'a>, ctx: &Ctx<'_>) -> Self {
        Env {
            s,
            ids,
            now: ctx.unix(),
            livemode: ctx.livemode,
        }
    }
}

fn currency_mismatch(param: String, what: &str, got: &str, want: &str) -> Error {
    Error::param_invalid(
        param,
        None,
        format!("The {what} is in `{got}`, which does not match the invoice currency `{want}`."),
    )
}

fn resolve_price(
    env: &Env<'_>,
    input: PriceInput,
    currency: &str,
    recurring: bool,
) -> Result<Price> {
    let synthesized = |unit_amount: i64| Price {
        id: env.ids.v1("price_"),
        created: env.now,
        livemode: env.livemode,
        active: true,
        currency: currency.to_owned(),
        lookup_key: None,
        metadata: Metadata::new(),
        nickname: None,
        product: env.ids.v1("prod_"),
        recurring: None,
        tax_behavior: "unspecified",
        unit_amount,
    };
    match input {
        PriceInput::Amount(a) | PriceInput::UnitAmount(a) => Ok(synthesized(a)),
        PriceInput::Price { id, param } => {
            let price = env
                .s
                .prices
                .get(&id)
                .ok_or_else(|| Error::missing("price", &id, &param))?;
            match (recurring, price.recurring.is_some()) {
                (false, true) => {
                    return Err(Error::param_invalid(
                        param,
                        None,
                        format!(
                            "The price specified ({id}) is set to `type=recurring` but this field only accepts prices with `type=one_time`."
                        ),
                    ));
                }
                (true, false) => {
                    return Err(Error::param_invalid(
                        param,
                        None,
                        format!(
                            "The price specified ({id}) is set to `type=one_time` but this field only accepts prices with `type=recurring`."
                        ),
                    ));
                }
                _ => {}
            }
            if price.currency != currency {
                return Err(currency_mismatch(param, "price", &price.currency, currency));
            }
            Ok(price.clone())
        }
        PriceInput::PriceData(d) => {
            if d.currency != currency {
                return Err(currency_mismatch(
                    sub(&d.param, "currency"),
                    "price_data",
                    &d.currency,
                    currency,
                ));
            }
            if recurring && d.recurring.is_none() {
                return Err(Error::ParameterMissing {
                    param: sub(&d.param, "recurring"),
                });
            }
            let product = match d.product {
                ProductInput::Existing(id) => {
                    if !env.s.products.contains(&id) {
                        return Err(Error::missing("product", &id, sub(&d.param, "product")));
                    }
                    id
                }
                ProductInput::Inline { .. } => env.ids.v1("prod_"),
            };
            Ok(Price {
                product,
                recurring: d.recurring,
                tax_behavior: d.tax_behavior.unwrap_or("unspecified"),
                ..synthesized(d.unit_amount)
            })
        }
    }
}

fn resolve_discounts(
    env: &Env<'_>,
    inputs: Vec<DiscountInput>,
    currency: &str,
    customer: &str,
    invoice: Option<&str>,
    item: Option<&str>,
) -> Result<Vec<Discount>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(inputs.len());
    for d in inputs {
        let coupon = env
            .s
            .coupons
            .get(&d.coupon)
            .ok_or_else(|| Error::missing("coupon", &d.coupon, &d.param))?;
        if !seen.insert(d.coupon.clone()) {
            return Err(Error::param_invalid(
                d.param,
                None,
                format!("The coupon {} is applied more than once.", d.coupon),
            ));
        }
        if !coupon_fits(coupon, currency) {
            return Err(Error::param_invalid(
                d.param,
                None,
                format!(
                    "The coupon {} takes a fixed amount off in another currency and can't be applied to amounts in `{currency}`.",
                    d.coupon
                ),
            ));
        }
        out.push(Discount {
            id: env.ids.v1("di_"),
            coupon: coupon.clone(),
            customer: customer.to_owned(),
            invoice: invoice.map(str::to_owned),
            invoice_item: item.map(str::to_owned),
            start: env.now,
            end: discount_end(coupon, env.now),
        });
    }
    Ok(out)
}

fn resolve_change(
    env: &Env<'_>,
    fields: ItemFields,
    currency: &str,
    customer: &str,
    item: Option<&str>,
) -> Result<ItemChange> {
    let whole_amount = matches!(fields.price, Some(PriceInput::Amount(_)));
    let price = fields
        .price
        .map(|p| resolve_price(env, p, currency, false))
        .transpose()?;
    let discounts = match fields.discounts {
        Patch::Absent => None,
        Patch::Unset => Some(Vec::new()),
        Patch::Set(d) => Some(resolve_discounts(env, d, currency, customer, None, item)?),
    };
    Ok(ItemChange {
        price: price.map(std::sync::Arc::new),
        // `amount` is the whole charge: one unit of it.
        quantity: if whole_amount {
            Some(1)
        } else {
            fields.quantity
        },
        description: fields.description,
        discountable: fields.discountable,
        discounts,
        metadata: fields.metadata,
        period: fields.period,
    })
}

fn new_item(
    env: &Env<'_>,
    id: String,
    fields: ItemFields,
    customer: &str,
    currency: &str,
    invoice: Option<&str>,
) -> Result<InvoiceItem> {
    if fields.price.is_none() {
        return Err(Error::InvalidRequest {
            code: Some("parameter_missing"),
            message: format!(
                "You must pass one of `amount`, `price` or `price_data`{}.",
                if fields.param.is_empty() {
                    String::new()
                } else {
                    format!(" in {}", fields.param)
                }
            ),
            param: Some(sub(&fields.param, "amount")),
        });
    }
    let change = resolve_change(env, fields, currency, customer, Some(&id))?;
    let Some(price) = change.price else {
        return Err(Error::Internal("a new item lost its price".into()));
    };
    let quantity = change.quantity.unwrap_or(1);
    let amount = line_amount(price.unit_amount, quantity).map_err(|_| overflow())?;
    let mut metadata = Metadata::new();
    if let Some(m) = change.metadata {
        m.merge_into(&mut metadata);
    }
    Ok(InvoiceItem {
        id,
        customer: customer.to_owned(),
        currency: currency.to_owned(),
        date: env.now,
        description: change.description.into_option(),
        // Stripe: "Defaults to true, except for negative invoice items."
        discountable: change.discountable.unwrap_or(amount >= 0),
        discounts: change.discounts.unwrap_or_default(),
        invoice: invoice.map(str::to_owned),
        livemode: env.livemode,
        metadata,
        period: change.period.unwrap_or(Period::at(env.now)),
        unit_amount: price.unit_amount,
        price,
        proration: false,
        quantity,
        subscription: None,
        amount,
    })
}

/// The invoice-item changes of a mutating call, written back only once the whole call has
/// succeeded. An attached item's new value is staged here and put on its line of the staged
/// invoice, so that the stored item and the stored line share one value.
#[derive(Default)]
struct StagedItems {
    changed: HashMap<String, Arc<InvoiceItem>>,
    /// First-staged order, so that items created by one call are stored in request order.
    order: Vec<String>,
    removed: HashSet<String>,
}

impl StagedItems {
    fn stage(&mut self, item: Arc<InvoiceItem>) {
        self.removed.remove(&item.id);
        if !self.changed.contains_key(&item.id) {
            self.order.push(item.id.clone());
        }
        self.changed.insert(item.id.clone(), item);
    }

    fn remove(&mut self, id: &str) {
        self.changed.remove(id);
        self.removed.insert(id.to_owned());
    }

    fn commit(mut self, items: &mut Collection<Arc<InvoiceItem>>) {
        for id in &self.removed {
            items.remove(id);
        }
        for id in self.order {
            if let Some(item) = self.changed.remove(&id) {
                match items.get_mut(&id) {
                    // Updated in place: keeps its position in newest-first lists.
                    Some(slot) => *slot = item,
                    None => items.insert(&id, item),
                }
            }
        }
    }
}

/// Renders a stored invoice's lines and computes its totals. Drafts show the customer's current
/// balance; finalized invoices the balance they were finalized with.
fn materialize(invoice: &Arc<Invoice>, customer_balance: i64) -> Result<InvoiceSnapshot> {
    materialize_owned(Arc::clone(invoice), customer_balance)
}

/// [`materialize`] for an invoice the caller hands over (a staged one, or a shared one).
fn materialize_owned(
    invoice: impl Into<Arc<Invoice>>,
    customer_balance: i64,
) -> Result<InvoiceSnapshot> {
    let invoice: Arc<Invoice> = invoice.into();
    let mut lines = Vec::with_capacity(invoice.lines.len());
    for l in &invoice.lines {
        lines.push(match &l.source {
            LineSource::Item(item) => ShownLine::Item {
                id: l.id.clone(),
                item: Arc::clone(item),
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

fn snapshot(
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
    let lines = lines
        .into_iter()
        .zip(amounts)
        .map(|(line, discount_amounts)| PricedLine {
            line,
            discount_amounts,
        })
        .collect();
    Ok(InvoiceSnapshot {
        invoice,
        lines,
        totals: t,
    })
}

fn page_of(lines: Vec<PricedLine>, q: &ListQuery) -> Result<LinePage> {
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

fn check_line_count(invoice: &Invoice) -> Result<()> {
    if invoice.lines.len() > MAX_LINES_PER_INVOICE {
        return Err(Error::param_invalid(
            "lines",
            None,
            format!("An invoice can have at most {MAX_LINES_PER_INVOICE} line items."),
        ));
    }
    Ok(())
}

fn check_collection(invoice: &Invoice) -> Result<()> {
    match invoice.collection_method {
        "send_invoice" if invoice.days_until_due.is_none() && invoice.due_date.is_none() => {
            Err(Error::ParameterMissing {
                param: "days_until_due".into(),
            })
        }
        "charge_automatically" if invoice.days_until_due.is_some() => Err(Error::param_invalid(
            "days_until_due",
            None,
            "Invalid days_until_due: it can only be set when collection_method is send_invoice.",
        )),
        "charge_automatically" if invoice.due_date.is_some() => Err(Error::param_invalid(
            "due_date",
            None,
            "Invalid due_date: it can only be set when collection_method is send_invoice.",
        )),
        _ => Ok(()),
    }
}

/// Applies one `update_lines` entry to the staged invoice and items.
fn apply_line_update(
    env: &Env<'_>,
    invoice: &mut Invoice,
    items: &mut StagedItems,
    upd: UpdateLine,
) -> Result<()> {
    let param = sub(&upd.fields.param, "id");
    let line = invoice
        .lines
        .iter_mut()
        .find(|l| l.id == upd.id)
        .ok_or_else(|| Error::missing("line_item", &upd.id, &param))?;
    match &mut line.source {
        LineSource::Item(stored) => {
            let mut item = (**stored).clone();
            let change = resolve_change(
                env,
                upd.fields,
                &invoice.currency,
                &invoice.customer,
                Some(&item.id),
            )?;
            // Changes live on the invoice item too; metadata merges (`invoiceitem` lines).
            item.apply(change).map_err(|_| overflow())?;
            let item = Arc::new(item);
            *stored = Arc::clone(&item);
            items.stage(item);
        }
        LineSource::Subscription(sub_line) => {
            let change =
                resolve_change(env, upd.fields, &invoice.currency, &invoice.customer, None)?;
            // No invoice item behind it; metadata is replaced (`subscription` lines).
            sub_line.apply(change).map_err(|_| overflow())?;
        }
    }
    Ok(())
}

/// A line batch on a stored draft, all or nothing: `apply` edits a copy of the invoice and
/// stages item changes; then `invoice_metadata` merges, the totals are recomputed (which may
/// refuse the batch), and only then are the invoice and its items stored.
fn line_batch(
    s: &mut AccountState,
    id: &str,
    invoice_metadata: Option<MetadataUpdate>,
    apply: impl FnOnce(&AccountState, &mut Invoice, &mut StagedItems) -> Result<()>,
) -> Result<InvoiceSnapshot> {
    let (snap, changes) = {
        let state: &AccountState = s;
        let mut inv = stored_invoice(state, id, "id")?.clone();
        inv.ensure_editable().map_err(refused)?;
        let mut items = StagedItems::default();
        apply(state, &mut inv, &mut items)?;
        if let Some(m) = invoice_metadata {
            m.merge_into(&mut inv.metadata);
        }
        let balance = balance_of(state, &inv.customer);
        (materialize_owned(inv, balance)?, items)
    };
    commit_invoice(s, Arc::clone(&snap.invoice), changes);
    Ok(snap)
}

fn commit_invoice(s: &mut AccountState, invoice: Arc<Invoice>, items: StagedItems) {
    items.commit(&mut s.invoice_items);
    // The stored items and the invoice's lines share their values.
    debug_assert!(invoice.lines.iter().all(|l| {
        match &l.source {
            LineSource::Item(item) => s
                .invoice_items
                .get(&item.id)
                .is_some_and(|stored| Arc::ptr_eq(stored, item)),
            LineSource::Subscription(_) => true,
        }
    }));
    match s.invoices.get_mut(&invoice.id) {
        Some(slot) => *slot = invoice,
        None => {
            let id = invoice.id.clone();
            s.invoices.insert(&id, invoice);
        }
    }
}

/// Stores one invoice item, with the staged invoice whose line now shows it, if it is attached.
fn commit_item(s: &mut AccountState, item: Arc<InvoiceItem>, invoice: Option<Arc<Invoice>>) {
    let mut changes = StagedItems::default();
    changes.stage(item);
    match invoice {
        Some(inv) => commit_invoice(s, inv, changes),
        None => changes.commit(&mut s.invoice_items),
    }
}

fn subscription_line(
    env: &Env<'_>,
    si: SubscriptionItemInput,
    currency: &str,
    customer: &str,
    start: i64,
) -> Result<LineItem> {
    let inline_name = match &si.price {
        PriceInput::PriceData(PriceDataInput {
            product: ProductInput::Inline { name },
            ..
        }) => Some(name.clone()),
        _ => None,
    };
    let price = resolve_price(env, si.price, currency, true)?;
    let Some(recurring) = price.recurring.clone() else {
        return Err(Error::Internal(
            "a subscription price lost its recurrence".into(),
        ));
    };
    let amount = line_amount(price.unit_amount, si.quantity).map_err(|_| overflow())?;
    let end = subscription_period_end(start, &recurring).ok_or_else(|| {
        Error::param_invalid(
            "subscription_details[start_date]",
            None,
            format!("A billing period starting at {start} ends beyond the representable dates."),
        )
    })?;
    let product_name = inline_name
        .or_else(|| env.s.products.get(&price.product).map(|p| p.name.clone()))
        .unwrap_or_else(|| price.product.clone());
    let mut metadata = Metadata::new();
    if let Some(m) = si.metadata {
        m.merge_into(&mut metadata);
    }
    let discounts = resolve_discounts(env, si.discounts, currency, customer, None, None)?;
    Ok(LineItem {
        id: env.ids.v1("il_tmp_"),
        kind: LineKind::Subscription,
        amount,
        currency: currency.to_owned(),
        description: Some(subscription_line_description(
            si.quantity,
            &product_name,
            price.unit_amount,
            currency,
            &recurring,
        )),
        discountable: true,
        discounts,
        invoice_item: None,
        livemode: env.livemode,
        metadata,
        period: Period { start, end },
        unit_amount: price.unit_amount,
        price: price.into(),
        proration: false,
        quantity: si.quantity,
        subscription: None,
    })
}

fn price_input_currency(env: &Env<'_>, input: &PriceInput) -> Option<String> {
    match input {
        PriceInput::Price { id, .. } => env.s.prices.get(id).map(|p| p.currency.clone()),
        PriceInput::PriceData(d) => Some(d.currency.clone()),
        PriceInput::Amount(_) | PriceInput::UnitAmount(_) => None,
    }
}

/// Assembles the customer's next invoice as Stripe's upcoming-invoice endpoints describe it:
/// preview-only additions and the pending items (newest first, with `invoice_items[]` changes
/// applied), then one line per previewed subscription item; nothing is written.
fn assemble_preview(env: &Env<'_>, p: PreviewParams) -> Result<InvoiceSnapshot> {
    if let Some(sub_id) = &p.subscription {
        return Err(Error::missing("subscription", sub_id, "subscription"));
    }
    let Some(customer_id) = p.customer else {
        return Err(Error::ParameterMissing {
            param: "customer".into(),
        });
    };
    let customer = env
        .s
        .customers
        .get(&customer_id)
        .ok_or_else(|| Error::missing("customer", &customer_id, "customer"))?;
    let pending_all: Vec<&InvoiceItem> = env
        .s
        .invoice_items
        .iter_newest_first()
        .map(|i| &**i)
        .filter(|i| i.customer == customer.id && i.is_pending())
        .collect();
    let currency = p
        .currency
        .clone()
        .or_else(|| customer.currency.clone())
        .or_else(|| pending_all.first().map(|i| i.currency.clone()))
        .or_else(|| {
            p.subscription_items
                .first()
                .and_then(|si| price_input_currency(env, &si.price))
        })
        .unwrap_or_else(|| "usd".to_owned());
    let mut pending: Vec<InvoiceItem> = pending_all
        .into_iter()
        .filter(|i| i.currency == currency)
        .cloned()
        .collect();

    let invoice_id = env.ids.v1("upcoming_in_");
    let mut added = Vec::new();
    for pi in p.invoice_items {
        if let Some(c) = &pi.currency {
            if *c != currency {
                return Err(currency_mismatch(
                    sub(&pi.fields.param, "currency"),
                    "invoice item",
                    c,
                    &currency,
                ));
            }
        }
        match pi.invoiceitem {
            Some(item_id) => {
                let param = sub(&pi.fields.param, "invoiceitem");
                match pending.iter().position(|i| i.id == item_id) {
                    Some(k) => {
                        let change = resolve_change(
                            env,
                            pi.fields,
                            &currency,
                            &customer.id,
                            Some(&item_id),
                        )?;
                        pending[k].apply(change).map_err(|_| overflow())?;
                    }
                    None => {
                        return Err(match env.s.invoice_items.get(&item_id) {
                            Some(it) if it.customer == customer.id => match &it.invoice {
                                Some(inv) => Error::param_invalid(
                                    param,
                                    None,
                                    format!(
                                        "The invoice item {item_id} is attached to invoice {inv}; only pending items are part of the upcoming invoice."
                                    ),
                                ),
                                None => currency_mismatch(
                                    param,
                                    "invoice item",
                                    &it.currency,
                                    &currency,
                                ),
                            },
                            _ => Error::missing("invoiceitem", &item_id, &param),
                        });
                    }
                }
            }
            None => {
                let id = env.ids.v1("ii_");
                added.push(new_item(env, id, pi.fields, &customer.id, &currency, None)?);
            }
        }
    }

    let mut lines: Vec<ShownLine> = added
        .iter()
        .chain(pending.iter())
        .map(|it| ShownLine::Own(it.to_line(tmp_line_id(&it.id))))
        .collect();
    let start = p.start_date.unwrap_or(env.now);
    for si in p.subscription_items {
        lines.push(ShownLine::Own(subscription_line(
            env,
            si,
            &currency,
            &customer.id,
            start,
        )?));
    }
    if lines.is_empty() {
        return Err(Error::NotFound {
            code: "invoice_upcoming_none",
            message: format!("No upcoming invoices for customer: {}", customer.id),
            param: None,
        });
    }
    let discounts = match p.discounts {
        Patch::Set(d) => resolve_discounts(env, d, &currency, &customer.id, None, None)?,
        Patch::Absent | Patch::Unset => Vec::new(),
    };
    let invoice = Invoice {
        id: invoice_id,
        created: env.now,
        livemode: env.livemode,
        customer: customer.id.clone(),
        currency,
        status: InvoiceStatus::Draft,
        auto_advance: false,
        billing_reason: "upcoming",
        collection_method: "charge_automatically",
        customer_email: customer.email.clone(),
        customer_name: customer.name.clone(),
        customer_phone: customer.phone.clone(),
        customer_tax_exempt: customer.tax_exempt,
        days_until_due: None,
        due_date: None,
        description: None,
        discounts,
        footer: None,
        lines: Vec::new(),
        metadata: Metadata::new(),
        number: None,
        period_start: env.now,
        period_end: env.now,
        starting_balance: customer.balance,
        ending_balance: None,
        amount_paid: 0,
        paid_out_of_band: false,
        attempt_count: 0,
        attempted: false,
        status_transitions: StatusTransitions::default(),
        effective_at: None,
        next_payment_attempt: None,
        statement_descriptor: None,
        hosted_invoice_url: None,
        invoice_pdf: None,
    };
    snapshot(Arc::new(invoice), lines, customer.balance)
}

/// The body of `update_lines`, shared with the single-line update inside one write.
fn update_lines_in(
    s: &mut AccountState,
    ctx: &Ctx<'_>,
    id: &str,
    p: LineBatch<UpdateLine>,
) -> Result<InvoiceSnapshot> {
    let ids = Ids::live(ctx.ids);
    line_batch(s, id, p.invoice_metadata, |s, inv, items| {
        let env = Env::new(s, &ids, ctx);
        p.lines
            .into_iter()
            .try_for_each(|upd| apply_line_update(&env, inv, items, upd))
    })
}

impl Store {
    // ----- invoice items -----

    /// Creates an invoice item, pending or attached to a draft invoice.
    ///
    /// # Errors
    /// `resource_missing` for the customer, invoice, price, product or a coupon;
    /// `invoice_not_editable` if the invoice is not a draft; 400 for a currency mismatch, an
    /// invoice of another customer, or a missing currency.
    pub fn create_invoice_item(
        &self,
        acct: &AccountKey,
        p: NewInvoiceItem,
    ) -> Result<Arc<InvoiceItem>> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            let (item, invoice) = {
                let env = Env::new(s, &ids, ctx);
                let customer = s
                    .customers
                    .get(&p.customer)
                    .ok_or_else(|| Error::missing("customer", &p.customer, "customer"))?;
                if let Some(sub_id) = &p.subscription {
                    return Err(Error::missing("subscription", sub_id, "subscription"));
                }
                if let Some(PriceInput::Price { id, param }) = &p.fields.price {
                    // Before the currency is worked out from it.
                    if !s.prices.contains(id) {
                        return Err(Error::missing("price", id, param));
                    }
                }
                let invoice = match &p.invoice {
                    Some(id) => {
                        let inv = stored_invoice(s, id, "invoice")?;
                        inv.ensure_editable().map_err(refused)?;
                        if inv.customer != customer.id {
                            return Err(Error::param_invalid(
                                "invoice",
                                None,
                                format!(
                                    "The invoice {id} belongs to customer {}, not to {}.",
                                    inv.customer, customer.id
                                ),
                            ));
                        }
                        Some(inv)
                    }
                    None => None,
                };
                let currency = p
                    .currency
                    .clone()
                    .or_else(|| invoice.map(|i| i.currency.clone()))
                    .or_else(|| {
                        p.fields
                            .price
                            .as_ref()
                            .and_then(|pi| price_input_currency(&env, pi))
                    })
                    .or_else(|| customer.currency.clone())
                    .ok_or_else(|| Error::ParameterMissing {
                        param: "currency".into(),
                    })?;
                if let Some(inv) = invoice {
                    if inv.currency != currency {
                        return Err(currency_mismatch(
                            "currency".into(),
                            "invoice item",
                            &currency,
                            &inv.currency,
                        ));
                    }
                }
                let id =
                    super::choose_id(&s.invoice_items, p.id, "Invoice item", || ctx.ids.v1("ii_"))?;
                let item = Arc::new(new_item(
                    &env,
                    id,
                    p.fields,
                    &customer.id,
                    &currency,
                    p.invoice.as_deref(),
                )?);
                let invoice = match invoice {
                    Some(inv) => {
                        let mut inv = inv.clone();
                        insert_line(
                            &mut inv.lines,
                            InvoiceLine {
                                id: ctx.ids.v1("il_"),
                                group: LineGroup::Added,
                                source: LineSource::Item(Arc::clone(&item)),
                            },
                        );
                        check_line_count(&inv)?;
                        Some(materialize_owned(inv, customer.balance)?.invoice)
                    }
                    None => None,
                };
                (item, invoice)
            };
            commit_item(s, Arc::clone(&item), invoice);
            Ok(item)
        })
    }

    /// Retrieves an invoice item.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn invoice_item(&self, acct: &AccountKey, id: &str) -> Result<Arc<InvoiceItem>> {
        self.read(acct, |s| {
            s.invoice_items
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("invoiceitem", id, "id"))
        })
    }

    /// Updates an invoice item (and so its line, if it is on a draft).
    ///
    /// # Errors
    /// `resource_missing`; `invoice_not_editable` if its invoice is not a draft; price, coupon
    /// and amount errors as for creation.
    pub fn update_invoice_item(
        &self,
        acct: &AccountKey,
        id: &str,
        fields: ItemFields,
    ) -> Result<Arc<InvoiceItem>> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            let (item, invoice) = {
                let env = Env::new(s, &ids, ctx);
                let mut item = s
                    .invoice_items
                    .get(id)
                    .map(|i| (**i).clone())
                    .ok_or_else(|| Error::missing("invoiceitem", id, "id"))?;
                let invoice = match &item.invoice {
                    Some(inv_id) => {
                        let inv = stored_invoice(s, inv_id, "invoice")?;
                        inv.ensure_editable().map_err(refused)?;
                        Some(inv)
                    }
                    None => None,
                };
                let change =
                    resolve_change(&env, fields, &item.currency, &item.customer, Some(&item.id))?;
                item.apply(change).map_err(|_| overflow())?;
                let item = Arc::new(item);
                // Its line shows the new value: the invoice is staged with it, and its totals
                // checked.
                let invoice = match invoice {
                    Some(inv) => {
                        let mut inv = inv.clone();
                        for line in &mut inv.lines {
                            if let LineSource::Item(on_line) = &mut line.source {
                                if on_line.id == item.id {
                                    *on_line = Arc::clone(&item);
                                }
                            }
                        }
                        let balance = balance_of(s, &inv.customer);
                        Some(materialize_owned(inv, balance)?.invoice)
                    }
                    None => None,
                };
                (item, invoice)
            };
            commit_item(s, Arc::clone(&item), invoice);
            Ok(item)
        })
    }

    /// Deletes an invoice item; an attached item's line leaves its draft invoice.
    ///
    /// # Errors
    /// `resource_missing`; `invoice_not_editable` if it is on a finalized invoice.
    pub fn delete_invoice_item(&self, acct: &AccountKey, id: &str) -> Result<Deleted> {
        self.write(acct, |s, _| {
            let item = s
                .invoice_items
                .get(id)
                .ok_or_else(|| Error::missing("invoiceitem", id, "id"))?;
            if let Some(inv_id) = item.invoice.clone() {
                let inv = stored_invoice(s, &inv_id, "invoice")?;
                inv.ensure_editable().map_err(refused)?;
                if let Some(inv) = s.invoices.get_mut(&inv_id) {
                    Arc::make_mut(inv).lines.retain(|l| l.item_id() != Some(id));
                }
            }
            s.invoice_items.remove(id);
            Ok(Deleted { id: id.to_owned() })
        })
    }

    /// Lists invoice items, newest first.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_invoice_items(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        f: &InvoiceItemFilter,
    ) -> Result<ListPage<Arc<InvoiceItem>>> {
        self.read(acct, |s| {
            list_page(&s.invoice_items, "invoiceitem", q, |i| {
                f.customer.as_ref().is_none_or(|c| i.customer == *c)
                    && f.invoice
                        .as_ref()
                        .is_none_or(|inv| i.invoice.as_ref() == Some(inv))
                    && f.pending.is_none_or(|pending| i.is_pending() == pending)
            })
        })
    }

    // ----- invoices -----

    /// Creates a draft invoice, attaching the customer's pending items (newest first) when asked.
    ///
    /// # Errors
    /// `resource_missing` for the customer or a coupon; 400 for inconsistent collection settings.
    pub fn create_invoice(&self, acct: &AccountKey, p: NewInvoice) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            let (snap, changes) = {
                let env = Env::new(s, &ids, ctx);
                let customer = s
                    .customers
                    .get(&p.customer)
                    .ok_or_else(|| Error::missing("customer", &p.customer, "customer"))?;
                let newest_pending = s
                    .invoice_items
                    .iter_newest_first()
                    .find(|i| i.customer == customer.id && i.is_pending());
                let currency = p
                    .currency
                    .clone()
                    .or_else(|| customer.currency.clone())
                    .or_else(|| newest_pending.map(|i| i.currency.clone()))
                    .unwrap_or_else(|| "usd".to_owned());
                let id = super::choose_id(&s.invoices, p.id, "Invoice", || ctx.ids.v1("in_"))?;
                let discounts =
                    resolve_discounts(&env, p.discounts, &currency, &customer.id, Some(&id), None)?;
                let mut metadata = Metadata::new();
                if let Some(m) = p.metadata {
                    m.merge_into(&mut metadata);
                }
                let mut invoice = Invoice {
                    id: id.clone(),
                    created: env.now,
                    livemode: env.livemode,
                    customer: customer.id.clone(),
                    currency,
                    status: InvoiceStatus::Draft,
                    auto_advance: p.auto_advance.unwrap_or(false),
                    billing_reason: "manual",
                    collection_method: p.collection_method.unwrap_or("charge_automatically"),
                    customer_email: customer.email.clone(),
                    customer_name: customer.name.clone(),
                    customer_phone: customer.phone.clone(),
                    customer_tax_exempt: customer.tax_exempt,
                    days_until_due: p.days_until_due,
                    due_date: p.due_date,
                    description: p.description,
                    discounts,
                    footer: p.footer,
                    lines: Vec::new(),
                    metadata,
                    number: None,
                    period_start: env.now,
                    period_end: env.now,
                    starting_balance: customer.balance,
                    ending_balance: None,
                    amount_paid: 0,
                    paid_out_of_band: false,
                    attempt_count: 0,
                    attempted: false,
                    status_transitions: StatusTransitions::default(),
                    effective_at: None,
                    next_payment_attempt: None,
                    statement_descriptor: p.statement_descriptor,
                    hosted_invoice_url: None,
                    invoice_pdf: None,
                };
                check_collection(&invoice)?;
                let mut items = StagedItems::default();
                if p.include_pending {
                    let pending = s.invoice_items.iter_newest_first().filter(|i| {
                        i.customer == customer.id
                            && i.is_pending()
                            && i.currency == invoice.currency
                    });
                    for item in pending {
                        let item = Arc::new(InvoiceItem {
                            invoice: Some(id.clone()),
                            ..(**item).clone()
                        });
                        insert_line(
                            &mut invoice.lines,
                            InvoiceLine {
                                id: ctx.ids.v1("il_"),
                                group: LineGroup::Pending,
                                source: LineSource::Item(Arc::clone(&item)),
                            },
                        );
                        items.stage(item);
                    }
                    check_line_count(&invoice)?;
                }
                (materialize_owned(invoice, customer.balance)?, items)
            };
            commit_invoice(s, Arc::clone(&snap.invoice), changes);
            Ok(snap)
        })
    }

    /// Retrieves an invoice with its lines and totals.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn invoice(&self, acct: &AccountKey, id: &str) -> Result<InvoiceSnapshot> {
        self.read(acct, |s| {
            let inv = s
                .invoices
                .get(id)
                .ok_or_else(|| Error::missing("invoice", id, "id"))?;
            materialize(inv, balance_of(s, &inv.customer))
        })
    }

    /// Updates an invoice; monetary fields only on drafts.
    ///
    /// # Errors
    /// `resource_missing`; `invoice_not_editable` for monetary changes to a finalized invoice;
    /// 400 for inconsistent collection settings.
    pub fn update_invoice(
        &self,
        acct: &AccountKey,
        id: &str,
        p: InvoiceUpdate,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            let snap = {
                let env = Env::new(s, &ids, ctx);
                let mut inv = s
                    .invoices
                    .get(id)
                    .map(|inv| (**inv).clone())
                    .ok_or_else(|| Error::missing("invoice", id, "id"))?;
                let monetary = p.collection_method.is_some()
                    || p.days_until_due != Patch::Absent
                    || p.due_date != Patch::Absent
                    || p.discounts != Patch::Absent;
                if monetary {
                    inv.ensure_editable().map_err(refused)?;
                }
                if let Some(a) = p.auto_advance {
                    inv.auto_advance = a;
                }
                if let Some(c) = p.collection_method {
                    inv.collection_method = c;
                }
                p.days_until_due.apply_to(&mut inv.days_until_due);
                p.due_date.apply_to(&mut inv.due_date);
                p.description.apply_to(&mut inv.description);
                p.footer.apply_to(&mut inv.footer);
                p.statement_descriptor
                    .apply_to(&mut inv.statement_descriptor);
                if let Some(m) = p.metadata {
                    m.merge_into(&mut inv.metadata);
                }
                match p.discounts {
                    Patch::Absent => {}
                    Patch::Unset => inv.discounts.clear(),
                    Patch::Set(d) => {
                        inv.discounts = resolve_discounts(
                            &env,
                            d,
                            &inv.currency,
                            &inv.customer,
                            Some(&inv.id),
                            None,
                        )?;
                    }
                }
                if monetary {
                    check_collection(&inv)?;
                }
                let balance = balance_of(s, &inv.customer);
                materialize_owned(inv, balance)?
            };
            commit_invoice(s, Arc::clone(&snap.invoice), StagedItems::default());
            Ok(snap)
        })
    }

    /// Deletes a draft invoice; its invoice items become pending again.
    ///
    /// # Errors
    /// `resource_missing`; 400 if it is not a draft.
    pub fn delete_invoice(&self, acct: &AccountKey, id: &str) -> Result<Deleted> {
        self.write(acct, |s, _| {
            let inv = s
                .invoices
                .get(id)
                .ok_or_else(|| Error::missing("invoice", id, "id"))?;
            transition(inv.status, InvoiceAction::Delete).map_err(refused)?;
            let item_ids: Vec<String> = inv
                .lines
                .iter()
                .filter_map(|l| l.item_id().map(str::to_owned))
                .collect();
            s.invoices.remove(id);
            for item_id in item_ids {
                if let Some(item) = s.invoice_items.get_mut(&item_id) {
                    Arc::make_mut(item).invoice = None;
                }
            }
            Ok(Deleted { id: id.to_owned() })
        })
    }

    /// Lists invoices, newest first.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_invoices(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        f: &InvoiceFilter,
    ) -> Result<ListPage<InvoiceSnapshot>> {
        self.read(acct, |s| {
            let page = list_page(&s.invoices, "invoice", q, |i| {
                f.customer.as_ref().is_none_or(|c| i.customer == *c)
                    && f.status.is_none_or(|st| i.status == st)
                    && f.collection_method.is_none_or(|m| i.collection_method == m)
            })?;
            let data = page
                .data
                .iter()
                .map(|inv| materialize(inv, balance_of(s, &inv.customer)))
                .collect::<Result<Vec<_>>>()?;
            Ok(ListPage {
                data,
                has_more: page.has_more,
            })
        })
    }

    /// Finalizes a draft: number `<prefix>-<NNNN>` from the customer's sequence, balance applied,
    /// straight to `paid` when nothing is due.
    ///
    /// # Errors
    /// `resource_missing` for the invoice or its (deleted) customer; 400 if it is not a draft.
    pub fn finalize_invoice(
        &self,
        acct: &AccountKey,
        id: &str,
        auto_advance: Option<bool>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let inv = s
                .invoices
                .get(id)
                .ok_or_else(|| Error::missing("invoice", id, "id"))?;
            let customer = s
                .customers
                .get(&inv.customer)
                .ok_or_else(|| Error::missing("customer", &inv.customer, "customer"))?;
            let current = materialize(inv, customer.balance)?;
            let mut staged = (**inv).clone();
            if let Some(a) = auto_advance {
                staged.auto_advance = a;
            }
            staged
                .finalize(Finalization {
                    number: format!(
                        "{}-{:04}",
                        customer.invoice_prefix, customer.next_invoice_sequence
                    ),
                    at: ctx.unix(),
                    starting_balance: current.totals.starting_balance,
                    total: current.totals.total,
                    amount_due: current.totals.amount_due,
                })
                .map_err(refused)?;
            let customer_id = staged.customer.clone();
            let ending_balance = staged.ending_balance;
            let snap = materialize_owned(staged, customer.balance)?;
            commit_invoice(s, Arc::clone(&snap.invoice), StagedItems::default());
            if let Some(c) = s.customers.get_mut(&customer_id) {
                c.next_invoice_sequence = c.next_invoice_sequence.saturating_add(1);
                if let Some(b) = ending_balance {
                    c.balance = b;
                }
            }
            Ok(snap)
        })
    }

    /// Pays an open or uncollectible invoice (out of band, or as if the charge succeeded).
    ///
    /// # Errors
    /// `resource_missing`; 400 from any other status.
    pub fn pay_invoice(
        &self,
        acct: &AccountKey,
        id: &str,
        paid_out_of_band: bool,
    ) -> Result<InvoiceSnapshot> {
        self.change_status(acct, id, |inv, t, now| {
            inv.pay(now, t.amount_due, paid_out_of_band)
        })
    }

    /// Voids an open or uncollectible invoice.
    ///
    /// # Errors
    /// `resource_missing`; 400 from any other status.
    pub fn void_invoice(&self, acct: &AccountKey, id: &str) -> Result<InvoiceSnapshot> {
        self.change_status(acct, id, |inv, _, now| inv.void(now))
    }

    /// Marks an open invoice uncollectible.
    ///
    /// # Errors
    /// `resource_missing`; 400 from any other status.
    pub fn mark_invoice_uncollectible(
        &self,
        acct: &AccountKey,
        id: &str,
    ) -> Result<InvoiceSnapshot> {
        self.change_status(acct, id, |inv, _, now| inv.mark_uncollectible(now))
    }

    fn change_status(
        &self,
        acct: &AccountKey,
        id: &str,
        op: impl FnOnce(&mut Invoice, &Totals, i64) -> std::result::Result<(), TransitionError>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let inv = s
                .invoices
                .get(id)
                .ok_or_else(|| Error::missing("invoice", id, "id"))?;
            let balance = balance_of(s, &inv.customer);
            let current = materialize(inv, balance)?;
            let mut staged = (**inv).clone();
            op(&mut staged, &current.totals, ctx.unix()).map_err(refused)?;
            let snap = materialize_owned(staged, balance)?;
            commit_invoice(s, Arc::clone(&snap.invoice), StagedItems::default());
            Ok(snap)
        })
    }

    // ----- lines -----

    /// One page of an invoice's lines, in Stripe's line order.
    ///
    /// # Errors
    /// `resource_missing` for the invoice or an unknown cursor.
    pub fn invoice_lines(&self, acct: &AccountKey, id: &str, q: &ListQuery) -> Result<LinePage> {
        let snap = self.invoice(acct, id)?;
        page_of(snap.lines, q)
    }

    /// Adds lines to a draft: pending items of the same customer and currency, or new items.
    /// All-or-nothing.
    ///
    /// # Errors
    /// `resource_missing` (`lines[i][invoice_item]`, prices, coupons); `invoice_not_editable`;
    /// 400 for an item of another customer or currency, already attached, or listed twice.
    pub fn add_lines(
        &self,
        acct: &AccountKey,
        id: &str,
        p: LineBatch<AddLine>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            line_batch(s, id, p.invoice_metadata, |s, inv, items| {
                let env = Env::new(s, &ids, ctx);
                let mut seen = HashSet::new();
                for line in p.lines {
                    let item = match line {
                        AddLine::Existing {
                            invoice_item,
                            fields,
                        } => {
                            let param = sub(&fields.param, "invoice_item");
                            let mut item = s
                                .invoice_items
                                .get(&invoice_item)
                                .map(|i| (**i).clone())
                                .ok_or_else(|| {
                                    Error::missing("invoiceitem", &invoice_item, &param)
                                })?;
                            let problem = if !seen.insert(invoice_item.clone()) {
                                Some(format!(
                                    "The invoice item {invoice_item} is listed more than once."
                                ))
                            } else if item.customer != inv.customer {
                                Some(format!(
                                    "The invoice item {invoice_item} belongs to customer {}, not to this invoice's customer {}.",
                                    item.customer, inv.customer
                                ))
                            } else if item.currency != inv.currency {
                                Some(format!(
                                    "The invoice item {invoice_item} is in `{}`, which does not match the invoice currency `{}`.",
                                    item.currency, inv.currency
                                ))
                            } else {
                                item.invoice.as_ref().map(|other| {
                                    format!(
                                        "The invoice item {invoice_item} is already attached to invoice {other}; only pending items can be added."
                                    )
                                })
                            };
                            if let Some(message) = problem {
                                return Err(Error::param_invalid(param, None, message));
                            }
                            let change = resolve_change(
                                &env,
                                fields,
                                &inv.currency,
                                &inv.customer,
                                Some(&item.id),
                            )?;
                            item.apply(change).map_err(|_| overflow())?;
                            item.invoice = Some(inv.id.clone());
                            item
                        }
                        AddLine::New(fields) => new_item(
                            &env,
                            ctx.ids.v1("ii_"),
                            fields,
                            &inv.customer,
                            &inv.currency,
                            Some(&inv.id),
                        )?,
                    };
                    let item = Arc::new(item);
                    insert_line(
                        &mut inv.lines,
                        InvoiceLine {
                            id: ctx.ids.v1("il_"),
                            group: LineGroup::Added,
                            source: LineSource::Item(Arc::clone(&item)),
                        },
                    );
                    items.stage(item);
                }
                check_line_count(inv)
            })
        })
    }

    /// Removes lines from a draft: `delete` deletes the invoice item, `unassign` makes it pending
    /// again. All-or-nothing.
    ///
    /// # Errors
    /// `resource_missing` (`lines[i][id]`); `invoice_not_editable`; 400 for subscription lines or
    /// a line listed twice.
    pub fn remove_lines(
        &self,
        acct: &AccountKey,
        id: &str,
        p: LineBatch<RemoveLine>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, _| {
            line_batch(s, id, p.invoice_metadata, |_, inv, items| {
                for rl in p.lines {
                    let Some(pos) = inv.lines.iter().position(|l| l.id == rl.id) else {
                        return Err(Error::missing("line_item", &rl.id, &rl.param));
                    };
                    let item = match &inv.lines[pos].source {
                        LineSource::Item(item) => Arc::clone(item),
                        LineSource::Subscription(_) => {
                            return Err(Error::param_invalid(
                                rl.param,
                                None,
                                format!(
                                    "The line {} belongs to a subscription and can't be removed; change the subscription instead.",
                                    rl.id
                                ),
                            ));
                        }
                    };
                    inv.lines.remove(pos);
                    match rl.behavior {
                        RemoveBehavior::Delete => items.remove(&item.id),
                        RemoveBehavior::Unassign => items.stage(Arc::new(InvoiceItem {
                            invoice: None,
                            ..(*item).clone()
                        })),
                    }
                }
                Ok(())
            })
        })
    }

    /// Updates lines of a draft; `invoiceitem` lines change their invoice item. All-or-nothing.
    ///
    /// # Errors
    /// `resource_missing` (`lines[i][id]`, prices, coupons); `invoice_not_editable`; amount
    /// errors.
    pub fn update_lines(
        &self,
        acct: &AccountKey,
        id: &str,
        p: LineBatch<UpdateLine>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| update_lines_in(s, ctx, id, p))
    }

    /// Updates one line of a draft (`POST /v1/invoices/:id/lines/:line_id`) and returns it.
    ///
    /// # Errors
    /// As [`Store::update_lines`], with `resource_missing` param `line_item_id` for an unknown
    /// line.
    pub fn update_invoice_line(
        &self,
        acct: &AccountKey,
        invoice_id: &str,
        line_id: &str,
        fields: ItemFields,
    ) -> Result<PricedLine> {
        self.write(acct, |s, ctx| {
            if stored_invoice(s, invoice_id, "id")?.line(line_id).is_none() {
                return Err(Error::missing("line_item", line_id, "line_item_id"));
            }
            let batch = LineBatch {
                lines: vec![UpdateLine {
                    id: line_id.to_owned(),
                    fields,
                }],
                invoice_metadata: None,
            };
            update_lines_in(s, ctx, invoice_id, batch)?
                .lines
                .into_iter()
                .find(|l| l.line.id() == line_id)
                .ok_or_else(|| Error::missing("line_item", line_id, "line_item_id"))
        })
    }

    // ----- previews -----

    /// The customer's upcoming invoice, assembled without writing anything.
    ///
    /// # Errors
    /// `resource_missing` (customer, subscription, `invoice_items[i][invoiceitem]`, prices,
    /// coupons); 404 `invoice_upcoming_none` when there is nothing to invoice.
    pub fn preview_invoice(&self, acct: &AccountKey, p: PreviewParams) -> Result<InvoiceSnapshot> {
        let now = self.clock().now_seconds();
        let livemode = acct.livemode();
        self.read(acct, |s| {
            let ids = Ids::stable(p.customer.clone().unwrap_or_default());
            let env = Env {
                s,
                ids: &ids,
                now,
                livemode,
            };
            assemble_preview(&env, p)
        })
    }

    /// One page of the upcoming invoice's lines; ids are stable across calls with the same
    /// parameters, so cursors work.
    ///
    /// # Errors
    /// As [`Store::preview_invoice`], plus `resource_missing` for an unknown cursor.
    pub fn preview_lines(
        &self,
        acct: &AccountKey,
        p: PreviewParams,
        q: &ListQuery,
    ) -> Result<LinePage> {
        let snap = self.preview_invoice(acct, p)?;
        page_of(snap.lines, q)
    }
}

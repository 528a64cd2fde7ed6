//! What callers pass to the invoicing store methods: parameters, filters and line batches, with
//! prices and coupons still named by id (the store resolves them). Plain data: no lookups, no
//! HTTP types.

use crate::domain::catalog::Recurring;
use crate::domain::decimal::Decimal;
use crate::domain::invoice::{InvoiceStatus, Period, TaxRateData};
use crate::domain::patch::{MetadataUpdate, Patch};

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

/// `tax_rates[N]`: a tax rate named by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRateInput {
    /// `txr_…`
    pub id: String,
    /// Path of the parameter, for errors.
    pub param: String,
}

/// `tax_amounts[N]` of a line: a tax the caller computed, and the rate it names by its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxAmountInput {
    /// The tax, in minor units.
    pub amount: i64,
    /// Finds or creates the tax rate.
    pub rate: TaxRateData,
    /// Why the amount is what it is.
    pub taxability_reason: Option<&'static str>,
    /// The amount the tax was calculated on.
    pub taxable_amount: i64,
}

/// The fields shared by invoice items, `add_lines` / `update_lines` lines and preview items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemFields {
    /// Path of the object these fields came from (`lines[0]`, or `""` at the top level).
    pub param: String,
    /// Price source; required for new items.
    pub price: Option<PriceInput>,
    /// Units, from `quantity` or `quantity_decimal` (not with `amount`).
    pub quantity: Option<Decimal>,
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
    /// Tax rates by id (`""` clears them).
    pub tax_rates: Patch<Vec<TaxRateInput>>,
    /// The line's tax amounts (`""` clears them); lines only: always absent for invoice items
    /// and preview items, which have no such parameter.
    pub tax_amounts: Patch<Vec<TaxAmountInput>>,
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
    /// Tax rates by id.
    pub tax_rates: Patch<Vec<TaxRateInput>>,
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
    /// `subscription_details[default_tax_rates]` (and the deprecated
    /// `subscription_default_tax_rates`).
    pub default_tax_rates: Vec<TaxRateInput>,
    /// Start of the previewed subscription (default now).
    pub start_date: Option<i64>,
}

//! The v1 invoice body (legacy shape) for stored invoices, upcoming invoices and previews, with
//! its first lines embedded.

use serde::Serialize;

use crate::domain::catalog::Metadata;
use crate::domain::invoice::{InvoiceStatus, StatusTransitions};
use crate::http::v1::ListView;
use crate::store::invoicing::InvoiceSnapshot;
use crate::version::{ApiVersion, dates};

use super::discount::{DiscountAmountView, DiscountView};
use super::line_item::LineItemView;
use super::tax::{LegacyTaxAmountView, TaxView};

/// Lines embedded in an invoice; the rest are paged through the `lines.url`.
const EMBEDDED_LINES: usize = 10;

#[derive(Debug, Serialize)]
struct AutomaticTax {
    enabled: bool,
    liability: Option<()>,
    status: Option<()>,
}

#[derive(Debug, Serialize)]
struct Issuer {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct PaymentSettings {
    default_mandate: Option<()>,
    payment_method_options: Option<()>,
    payment_method_types: Option<()>,
}

#[derive(Debug, Serialize)]
struct StatusTransitionsView {
    finalized_at: Option<i64>,
    marked_uncollectible_at: Option<i64>,
    paid_at: Option<i64>,
    voided_at: Option<i64>,
}

impl From<StatusTransitions> for StatusTransitionsView {
    fn from(t: StatusTransitions) -> Self {
        StatusTransitionsView {
            finalized_at: t.finalized_at,
            marked_uncollectible_at: t.marked_uncollectible_at,
            paid_at: t.paid_at,
            voided_at: t.voided_at,
        }
    }
}

#[derive(Debug, Serialize)]
struct SubscriptionDetails {
    metadata: Option<()>,
}

/// An invoice in the shape of its version: legacy before `2025-03-31.basil`, from it on with
/// `parent`, `total_taxes`, `amount_overpaid`, `payments` and without the fields basil removed
/// (`paid`, `charge`, `payment_intent`, `subscription`, `tax`, `discount`, …).
#[derive(Debug, Serialize)]
#[serde(untagged)]
#[expect(
    clippy::large_enum_variant,
    reason = "a view lives on the stack for the one render it is made for"
)]
pub enum InvoiceView<'a> {
    /// Before `2025-03-31.basil`.
    Legacy(LegacyInvoice<'a>),
    /// From `2025-03-31.basil`.
    Current(CurrentInvoice<'a>),
}

/// Invoice in the legacy (seed) shape: the 82 keys of the seed, in its order. Upcoming invoices
/// have no `id`, as in Stripe.
#[derive(Debug, Serialize)]
pub struct LegacyInvoice<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    object: &'static str,
    account_country: &'static str,
    account_name: &'static str,
    account_tax_ids: Option<()>,
    amount_due: i64,
    amount_paid: i64,
    amount_remaining: i64,
    amount_shipping: i64,
    application: Option<()>,
    application_fee_amount: Option<()>,
    attempt_count: i64,
    attempted: bool,
    auto_advance: bool,
    automatic_tax: AutomaticTax,
    billing_reason: &'static str,
    charge: Option<()>,
    collection_method: &'static str,
    created: i64,
    currency: &'a str,
    custom_fields: Option<()>,
    customer: &'a str,
    customer_address: Option<()>,
    customer_email: Option<&'a str>,
    customer_name: Option<&'a str>,
    customer_phone: Option<&'a str>,
    customer_shipping: Option<()>,
    customer_tax_exempt: &'static str,
    customer_tax_ids: [(); 0],
    default_payment_method: Option<()>,
    default_source: Option<()>,
    default_tax_rates: [(); 0],
    description: Option<&'a str>,
    discount: Option<DiscountView<'a>>,
    discounts: Vec<&'a str>,
    due_date: Option<i64>,
    effective_at: Option<i64>,
    ending_balance: Option<i64>,
    footer: Option<&'a str>,
    from_invoice: Option<()>,
    hosted_invoice_url: Option<&'a str>,
    invoice_pdf: Option<&'a str>,
    issuer: Issuer,
    last_finalization_error: Option<()>,
    latest_revision: Option<()>,
    lines: ListView<LineItemView<'a>>,
    livemode: bool,
    metadata: &'a Metadata,
    next_payment_attempt: Option<i64>,
    number: Option<&'a str>,
    on_behalf_of: Option<()>,
    paid: bool,
    paid_out_of_band: bool,
    payment_intent: Option<()>,
    payment_settings: PaymentSettings,
    period_end: i64,
    period_start: i64,
    post_payment_credit_notes_amount: i64,
    pre_payment_credit_notes_amount: i64,
    quote: Option<()>,
    receipt_number: Option<()>,
    redaction: Option<()>,
    rendering: Option<()>,
    rendering_options: Option<()>,
    shipping_cost: Option<()>,
    shipping_details: Option<()>,
    starting_balance: i64,
    statement_descriptor: Option<&'a str>,
    status: &'static str,
    status_transitions: StatusTransitionsView,
    subscription: Option<()>,
    subscription_details: SubscriptionDetails,
    subtotal: i64,
    subtotal_excluding_tax: i64,
    tax: Option<i64>,
    test_clock: Option<()>,
    total: i64,
    total_discount_amounts: Vec<DiscountAmountView<'a>>,
    total_excluding_tax: i64,
    total_tax_amounts: Vec<LegacyTaxAmountView<'a>>,
    transfer_data: Option<()>,
    webhooks_delivered_at: Option<()>,
}

impl<'a> InvoiceView<'a> {
    /// A stored invoice at `version`; its lines page at `/v1/invoices/<id>/lines`.
    pub fn stored(snap: &'a InvoiceSnapshot, version: ApiVersion) -> Self {
        let url = format!("/v1/invoices/{}/lines", snap.invoice.id);
        Self::render(snap, Some(&snap.invoice.id), url, version)
    }

    /// `GET /v1/invoices/upcoming` (versions before basil): no `id`; lines page at the
    /// upcoming-lines endpoint.
    pub fn upcoming(snap: &'a InvoiceSnapshot, version: ApiVersion) -> Self {
        let url = upcoming_lines_url(snap);
        Self::render(snap, None, url, version)
    }

    /// `POST /v1/invoices/create_preview`: an `upcoming_in_…` id; lines page at the
    /// upcoming-lines endpoint before basil, which removed it, and at the preview's id after.
    pub fn preview(snap: &'a InvoiceSnapshot, version: ApiVersion) -> Self {
        let url = if version.since(dates::BASIL) {
            format!("/v1/invoices/{}/lines", snap.invoice.id)
        } else {
            upcoming_lines_url(snap)
        };
        Self::render(snap, Some(&snap.invoice.id), url, version)
    }

    fn render(
        snap: &'a InvoiceSnapshot,
        id: Option<&'a str>,
        lines_url: String,
        version: ApiVersion,
    ) -> Self {
        let lines = ListView {
            object: "list",
            data: snap
                .lines
                .iter()
                .take(EMBEDDED_LINES)
                .map(|line| LineItemView::new(line, id, version))
                .collect(),
            has_more: snap.lines.len() > EMBEDDED_LINES,
            url: lines_url,
        };
        if version.since(dates::BASIL) {
            InvoiceView::Current(CurrentInvoice::new(snap, id, lines, version))
        } else {
            InvoiceView::Legacy(LegacyInvoice::new(snap, id, lines))
        }
    }
}

impl<'a> LegacyInvoice<'a> {
    fn new(
        snap: &'a InvoiceSnapshot,
        id: Option<&'a str>,
        lines: ListView<LineItemView<'a>>,
    ) -> Self {
        let inv = &snap.invoice;
        let t = &snap.totals;
        let discount = match inv.discounts.as_slice() {
            // Stripe fills the legacy singular field only when there is exactly one discount.
            [only] => Some(DiscountView::from(only)),
            _ => None,
        };
        LegacyInvoice {
            id,
            object: "invoice",
            account_country: "US",
            account_name: "Stripe.com",
            account_tax_ids: None,
            amount_due: t.amount_due,
            amount_paid: t.amount_paid,
            amount_remaining: t.amount_remaining,
            amount_shipping: 0,
            application: None,
            application_fee_amount: None,
            attempt_count: inv.attempt_count,
            attempted: inv.attempted,
            auto_advance: inv.auto_advance,
            automatic_tax: AutomaticTax {
                enabled: false,
                liability: None,
                status: None,
            },
            billing_reason: inv.billing_reason,
            charge: None,
            collection_method: inv.collection_method,
            created: inv.created,
            currency: &inv.currency,
            custom_fields: None,
            customer: &inv.customer,
            customer_address: None,
            customer_email: inv.customer_email.as_deref(),
            customer_name: inv.customer_name.as_deref(),
            customer_phone: inv.customer_phone.as_deref(),
            customer_shipping: None,
            customer_tax_exempt: inv.customer_tax_exempt,
            customer_tax_ids: [],
            default_payment_method: None,
            default_source: None,
            default_tax_rates: [],
            description: inv.description.as_deref(),
            discount,
            discounts: inv.discounts.iter().map(|d| d.id.as_str()).collect(),
            due_date: inv.due_date,
            effective_at: inv.effective_at,
            ending_balance: inv.ending_balance,
            footer: inv.footer.as_deref(),
            from_invoice: None,
            hosted_invoice_url: inv.hosted_invoice_url.as_deref(),
            invoice_pdf: inv.invoice_pdf.as_deref(),
            issuer: Issuer { kind: "self" },
            last_finalization_error: None,
            latest_revision: None,
            lines,
            livemode: inv.livemode,
            metadata: &inv.metadata,
            next_payment_attempt: inv.next_payment_attempt,
            number: inv.number.as_deref(),
            on_behalf_of: None,
            paid: inv.status == InvoiceStatus::Paid,
            paid_out_of_band: inv.paid_out_of_band,
            payment_intent: None,
            payment_settings: PaymentSettings {
                default_mandate: None,
                payment_method_options: None,
                payment_method_types: None,
            },
            period_end: inv.period_end,
            period_start: inv.period_start,
            post_payment_credit_notes_amount: 0,
            pre_payment_credit_notes_amount: 0,
            quote: None,
            receipt_number: None,
            redaction: None,
            rendering: None,
            rendering_options: None,
            shipping_cost: None,
            shipping_details: None,
            starting_balance: t.starting_balance,
            statement_descriptor: inv.statement_descriptor.as_deref(),
            status: inv.status.as_str(),
            status_transitions: inv.status_transitions.into(),
            subscription: None,
            subscription_details: SubscriptionDetails { metadata: None },
            subtotal: t.subtotal,
            subtotal_excluding_tax: t.subtotal_excluding_tax,
            tax: t.tax,
            test_clock: None,
            total: t.total,
            total_discount_amounts: t.total_discount_amounts.iter().map(Into::into).collect(),
            total_excluding_tax: t.total_excluding_tax,
            total_tax_amounts: t.total_taxes.iter().map(Into::into).collect(),
            transfer_data: None,
            webhooks_delivered_at: None,
        }
    }
}

fn upcoming_lines_url(snap: &InvoiceSnapshot) -> String {
    format!(
        "/v1/invoices/upcoming/lines?customer={}",
        snap.invoice.customer
    )
}

/// `automatic_tax` from `2025-03-31.basil` on.
#[derive(Debug, Serialize)]
struct CurrentAutomaticTax {
    disabled_reason: Option<()>,
    enabled: bool,
    liability: Option<()>,
    provider: Option<()>,
    status: Option<()>,
}

/// `payments` of an invoice: the mock records no invoice payments.
#[derive(Debug, Serialize)]
struct Payments {
    object: &'static str,
    data: [(); 0],
    has_more: bool,
    url: &'static str,
}

/// Invoice from `2025-03-31.basil` on, keys in Stripe's (alphabetical) order.
#[derive(Debug, Serialize)]
pub struct CurrentInvoice<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    object: &'static str,
    account_country: &'static str,
    account_name: &'static str,
    account_tax_ids: Option<()>,
    amount_due: i64,
    amount_overpaid: i64,
    amount_paid: i64,
    amount_remaining: i64,
    amount_shipping: i64,
    application: Option<()>,
    attempt_count: i64,
    attempted: bool,
    auto_advance: bool,
    automatic_tax: CurrentAutomaticTax,
    automatically_finalizes_at: Option<i64>,
    billing_reason: &'static str,
    collection_method: &'static str,
    created: i64,
    currency: &'a str,
    custom_fields: Option<()>,
    customer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_account: Option<Option<()>>,
    customer_address: Option<()>,
    customer_email: Option<&'a str>,
    customer_name: Option<&'a str>,
    customer_phone: Option<&'a str>,
    customer_shipping: Option<()>,
    customer_tax_exempt: &'static str,
    customer_tax_ids: [(); 0],
    default_payment_method: Option<()>,
    default_source: Option<()>,
    default_tax_rates: [(); 0],
    description: Option<&'a str>,
    discounts: Vec<&'a str>,
    due_date: Option<i64>,
    effective_at: Option<i64>,
    ending_balance: Option<i64>,
    footer: Option<&'a str>,
    from_invoice: Option<()>,
    hosted_invoice_url: Option<&'a str>,
    invoice_pdf: Option<&'a str>,
    issuer: Issuer,
    last_finalization_error: Option<()>,
    latest_revision: Option<()>,
    lines: ListView<LineItemView<'a>>,
    livemode: bool,
    metadata: &'a Metadata,
    next_payment_attempt: Option<i64>,
    number: Option<&'a str>,
    on_behalf_of: Option<()>,
    parent: Option<()>,
    payment_settings: PaymentSettings,
    payments: Payments,
    period_end: i64,
    period_start: i64,
    post_payment_credit_notes_amount: i64,
    pre_payment_credit_notes_amount: i64,
    receipt_number: Option<()>,
    rendering: Option<()>,
    shipping_cost: Option<()>,
    shipping_details: Option<()>,
    starting_balance: i64,
    statement_descriptor: Option<&'a str>,
    status: &'static str,
    status_transitions: StatusTransitionsView,
    subtotal: i64,
    subtotal_excluding_tax: i64,
    test_clock: Option<()>,
    total: i64,
    total_discount_amounts: Vec<DiscountAmountView<'a>>,
    total_excluding_tax: i64,
    total_pretax_credit_amounts: [(); 0],
    total_taxes: Vec<TaxView<'a>>,
    webhooks_delivered_at: Option<()>,
}

impl<'a> CurrentInvoice<'a> {
    fn new(
        snap: &'a InvoiceSnapshot,
        id: Option<&'a str>,
        lines: ListView<LineItemView<'a>>,
        version: ApiVersion,
    ) -> Self {
        let inv = &snap.invoice;
        let t = &snap.totals;
        CurrentInvoice {
            id,
            object: "invoice",
            account_country: "US",
            account_name: "Stripe.com",
            account_tax_ids: None,
            amount_due: t.amount_due,
            // Payments are exactly the amount due: nothing is ever overpaid.
            amount_overpaid: 0,
            amount_paid: t.amount_paid,
            amount_remaining: t.amount_remaining,
            amount_shipping: 0,
            application: None,
            attempt_count: inv.attempt_count,
            attempted: inv.attempted,
            auto_advance: inv.auto_advance,
            automatic_tax: CurrentAutomaticTax {
                disabled_reason: None,
                enabled: false,
                liability: None,
                provider: None,
                status: None,
            },
            // Drafts are never finalized automatically.
            automatically_finalizes_at: None,
            billing_reason: inv.billing_reason,
            collection_method: inv.collection_method,
            created: inv.created,
            currency: &inv.currency,
            custom_fields: None,
            customer: &inv.customer,
            customer_account: version.since(dates::CUSTOMER_ACCOUNT).then_some(None),
            customer_address: None,
            customer_email: inv.customer_email.as_deref(),
            customer_name: inv.customer_name.as_deref(),
            customer_phone: inv.customer_phone.as_deref(),
            customer_shipping: None,
            customer_tax_exempt: inv.customer_tax_exempt,
            customer_tax_ids: [],
            default_payment_method: None,
            default_source: None,
            default_tax_rates: [],
            description: inv.description.as_deref(),
            discounts: inv.discounts.iter().map(|d| d.id.as_str()).collect(),
            due_date: inv.due_date,
            effective_at: inv.effective_at,
            ending_balance: inv.ending_balance,
            footer: inv.footer.as_deref(),
            from_invoice: None,
            hosted_invoice_url: inv.hosted_invoice_url.as_deref(),
            invoice_pdf: inv.invoice_pdf.as_deref(),
            issuer: Issuer { kind: "self" },
            last_finalization_error: None,
            latest_revision: None,
            lines,
            livemode: inv.livemode,
            metadata: &inv.metadata,
            next_payment_attempt: inv.next_payment_attempt,
            number: inv.number.as_deref(),
            on_behalf_of: None,
            // No subscriptions or quotes are modelled: every invoice is a one-off.
            parent: None,
            payment_settings: PaymentSettings {
                default_mandate: None,
                payment_method_options: None,
                payment_method_types: None,
            },
            payments: Payments {
                object: "list",
                data: [],
                has_more: false,
                url: "/v1/invoice_payments",
            },
            period_end: inv.period_end,
            period_start: inv.period_start,
            post_payment_credit_notes_amount: 0,
            pre_payment_credit_notes_amount: 0,
            receipt_number: None,
            rendering: None,
            shipping_cost: None,
            shipping_details: None,
            starting_balance: t.starting_balance,
            statement_descriptor: inv.statement_descriptor.as_deref(),
            status: inv.status.as_str(),
            status_transitions: inv.status_transitions.into(),
            subtotal: t.subtotal,
            subtotal_excluding_tax: t.subtotal_excluding_tax,
            test_clock: None,
            total: t.total,
            total_discount_amounts: t.total_discount_amounts.iter().map(Into::into).collect(),
            total_excluding_tax: t.total_excluding_tax,
            total_pretax_credit_amounts: [],
            total_taxes: t.total_taxes.iter().map(Into::into).collect(),
            webhooks_delivered_at: None,
        }
    }
}

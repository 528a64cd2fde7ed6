//! The v1 invoice body in the shape of the request's API version, for stored invoices, upcoming
//! invoices and previews, with its first lines embedded.

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

/// `automatic_tax`; `disabled_reason` and `provider` from `2025-03-31.basil` on.
#[derive(Debug, Serialize)]
struct AutomaticTax {
    #[serde(skip_serializing_if = "Option::is_none")]
    disabled_reason: Option<Option<()>>,
    enabled: bool,
    liability: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<Option<()>>,
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

/// An invoice in the shape of its version: one struct for every version, keys in Stripe's
/// (alphabetical) order; a field a version does not have is `None` and left out. Before
/// `2025-03-31.basil` the legacy shape of the seed documents (82 keys; upcoming invoices have no
/// `id`, as in Stripe); from it on `parent`, `total_taxes`, `amount_overpaid`, `payments`, and
/// none of the fields basil removed (`paid`, `charge`, `payment_intent`, `subscription`, `tax`,
/// `discount`, …).
#[derive(Debug, Serialize)]
pub struct InvoiceView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    object: &'static str,
    account_country: &'static str,
    account_name: &'static str,
    account_tax_ids: Option<()>,
    amount_due: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_overpaid: Option<i64>,
    amount_paid: i64,
    amount_remaining: i64,
    amount_shipping: i64,
    application: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    application_fee_amount: Option<Option<()>>,
    attempt_count: i64,
    attempted: bool,
    auto_advance: bool,
    automatic_tax: AutomaticTax,
    #[serde(skip_serializing_if = "Option::is_none")]
    automatically_finalizes_at: Option<Option<i64>>,
    billing_reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    charge: Option<Option<()>>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    discount: Option<Option<DiscountView<'a>>>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    paid: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_out_of_band: Option<bool>,
    /// No subscriptions or quotes are modelled: every invoice is a one-off (`null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<Option<()>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_intent: Option<Option<()>>,
    payment_settings: PaymentSettings,
    #[serde(skip_serializing_if = "Option::is_none")]
    payments: Option<Payments>,
    period_end: i64,
    period_start: i64,
    post_payment_credit_notes_amount: i64,
    pre_payment_credit_notes_amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    quote: Option<Option<()>>,
    receipt_number: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redaction: Option<Option<()>>,
    rendering: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rendering_options: Option<Option<()>>,
    shipping_cost: Option<()>,
    shipping_details: Option<()>,
    starting_balance: i64,
    statement_descriptor: Option<&'a str>,
    status: &'static str,
    status_transitions: StatusTransitionsView,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription: Option<Option<()>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_details: Option<SubscriptionDetails>,
    subtotal: i64,
    subtotal_excluding_tax: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax: Option<Option<i64>>,
    test_clock: Option<()>,
    total: i64,
    total_discount_amounts: Vec<DiscountAmountView<'a>>,
    total_excluding_tax: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_pretax_credit_amounts: Option<[(); 0]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_tax_amounts: Option<Vec<LegacyTaxAmountView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_taxes: Option<Vec<TaxView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transfer_data: Option<Option<()>>,
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
        let inv = &snap.invoice;
        let t = &snap.totals;
        let legacy = !version.since(dates::BASIL);
        // Set on the legacy shape only, `null` there.
        let legacy_null = legacy.then_some(None);
        let basil_null = (!legacy).then_some(None);
        InvoiceView {
            id,
            object: "invoice",
            account_country: "US",
            account_name: "Stripe.com",
            account_tax_ids: None,
            amount_due: t.amount_due,
            // Payments are exactly the amount due: nothing is ever overpaid.
            amount_overpaid: (!legacy).then_some(0),
            amount_paid: t.amount_paid,
            amount_remaining: t.amount_remaining,
            amount_shipping: 0,
            application: None,
            application_fee_amount: legacy_null,
            attempt_count: inv.attempt_count,
            attempted: inv.attempted,
            auto_advance: inv.auto_advance,
            automatic_tax: AutomaticTax {
                disabled_reason: basil_null,
                enabled: false,
                liability: None,
                provider: basil_null,
                status: None,
            },
            // Drafts are never finalized automatically.
            automatically_finalizes_at: (!legacy).then_some(None),
            billing_reason: inv.billing_reason,
            charge: legacy_null,
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
            discount: legacy.then(|| match inv.discounts.as_slice() {
                // Stripe fills the legacy singular field only when there is exactly one.
                [only] => Some(DiscountView::from(only)),
                _ => None,
            }),
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
            paid: legacy.then_some(inv.status == InvoiceStatus::Paid),
            paid_out_of_band: legacy.then_some(inv.paid_out_of_band),
            parent: basil_null,
            payment_intent: legacy_null,
            payment_settings: PaymentSettings {
                default_mandate: None,
                payment_method_options: None,
                payment_method_types: None,
            },
            payments: (!legacy).then_some(Payments {
                object: "list",
                data: [],
                has_more: false,
                url: "/v1/invoice_payments",
            }),
            period_end: inv.period_end,
            period_start: inv.period_start,
            post_payment_credit_notes_amount: 0,
            pre_payment_credit_notes_amount: 0,
            quote: legacy_null,
            receipt_number: None,
            redaction: legacy_null,
            rendering: None,
            rendering_options: legacy_null,
            shipping_cost: None,
            shipping_details: None,
            starting_balance: t.starting_balance,
            statement_descriptor: inv.statement_descriptor.as_deref(),
            status: inv.status.as_str(),
            status_transitions: inv.status_transitions.into(),
            subscription: legacy_null,
            subscription_details: legacy.then_some(SubscriptionDetails { metadata: None }),
            subtotal: t.subtotal,
            subtotal_excluding_tax: t.subtotal_excluding_tax,
            tax: legacy.then_some(t.tax),
            test_clock: None,
            total: t.total,
            total_discount_amounts: t.total_discount_amounts.iter().map(Into::into).collect(),
            total_excluding_tax: t.total_excluding_tax,
            total_pretax_credit_amounts: (!legacy).then_some([]),
            total_tax_amounts: legacy.then(|| t.total_taxes.iter().map(Into::into).collect()),
            total_taxes: (!legacy).then(|| t.total_taxes.iter().map(Into::into).collect()),
            transfer_data: legacy_null,
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

/// `payments` of an invoice: the mock records no invoice payments.
#[derive(Debug, Serialize)]
struct Payments {
    object: &'static str,
    data: [(); 0],
    has_more: bool,
    url: &'static str,
}

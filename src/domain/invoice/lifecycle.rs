//! The invoice and its lifecycle: statuses, the actions that depend on them, the one transition
//! function, and the status changes (finalize, pay, void, mark uncollectible) applied to an
//! [`Invoice`]. Pure: callers pass the time and the amounts in; nothing here reads a clock or
//! computes totals.

use crate::domain::catalog::{Customer, Metadata};

use super::discount::Discount;
use super::line::InvoiceLine;

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
    /// A new draft for `customer` in `currency`, created `now`: no lines, no discounts, the
    /// customer's contact details and balance copied, every optional field unset.
    pub fn draft(
        id: String,
        now: i64,
        livemode: bool,
        customer: &Customer,
        currency: String,
    ) -> Self {
        Invoice {
            id,
            created: now,
            livemode,
            customer: customer.id.clone(),
            currency,
            status: InvoiceStatus::Draft,
            auto_advance: false,
            billing_reason: "manual",
            collection_method: "charge_automatically",
            customer_email: customer.email.clone(),
            customer_name: customer.name.clone(),
            customer_phone: customer.phone.clone(),
            customer_tax_exempt: customer.tax_exempt,
            days_until_due: None,
            due_date: None,
            description: None,
            discounts: Vec::new(),
            footer: None,
            lines: Vec::new(),
            metadata: Metadata::new(),
            number: None,
            period_start: now,
            period_end: now,
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
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

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
}

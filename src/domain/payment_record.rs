//! Payment records (`payment_record`): payments made outside Stripe and reported to it.
//!
//! Only what a billing intent's commit needs: a record exists, in one account, with the amount
//! and outcome it was reported with.

use crate::domain::catalog::Metadata;

/// How a reported payment ended, if the report says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The payment is guaranteed.
    Guaranteed,
    /// The payment failed.
    Failed,
    /// The payment was canceled.
    Canceled,
}

/// Who the payer was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerDetails {
    /// `cus_…`
    pub customer: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// How the payment was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentMethodDetails {
    /// `card`, `custom`, `us_bank_account`, …
    pub kind: Option<String>,
    /// A Stripe payment method id, if one was used.
    pub payment_method: Option<String>,
}

/// A reported payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// `pr_…`
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Live or test.
    pub livemode: bool,
    /// Lowercase ISO currency.
    pub currency: String,
    /// Requested amount in minor units.
    pub amount_requested: i64,
    /// The outcome, if reported.
    pub outcome: Option<Outcome>,
    /// Who paid.
    pub customer_details: CustomerDetails,
    /// `on_session` or `off_session`.
    pub customer_presence: Option<&'static str>,
    /// Free text.
    pub description: Option<String>,
    /// Unix seconds when the payment was initiated.
    pub initiated_at: i64,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// How it was paid.
    pub payment_method_details: PaymentMethodDetails,
    /// Reference at the processor (`processor_details.custom.payment_reference`).
    pub payment_reference: Option<String>,
}

/// The amounts a record shows, each in minor units of its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordAmounts {
    /// What was received: the guaranteed amount.
    pub amount: i64,
    /// Authorized (guaranteed payments are authorized).
    pub authorized: i64,
    /// Canceled.
    pub canceled: i64,
    /// Failed.
    pub failed: i64,
    /// Guaranteed.
    pub guaranteed: i64,
    /// Refunded (refunds are not modelled).
    pub refunded: i64,
    /// Requested.
    pub requested: i64,
}

impl PaymentRecord {
    /// The amount buckets implied by the reported outcome.
    pub fn amounts(&self) -> RecordAmounts {
        let requested = self.amount_requested;
        let when = |o: Outcome| {
            if self.outcome == Some(o) {
                requested
            } else {
                0
            }
        };
        RecordAmounts {
            amount: when(Outcome::Guaranteed),
            authorized: when(Outcome::Guaranteed),
            canceled: when(Outcome::Canceled),
            failed: when(Outcome::Failed),
            guaranteed: when(Outcome::Guaranteed),
            refunded: 0,
            requested,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(outcome: Option<Outcome>) -> PaymentRecord {
        PaymentRecord {
            id: "pr_1".into(),
            created: 0,
            livemode: false,
            currency: "usd".into(),
            amount_requested: 2200,
            outcome,
            customer_details: CustomerDetails::default(),
            customer_presence: None,
            description: None,
            initiated_at: 0,
            metadata: Metadata::new(),
            payment_method_details: PaymentMethodDetails::default(),
            payment_reference: None,
        }
    }

    #[test]
    fn the_outcome_decides_which_bucket_holds_the_amount() {
        let g = record(Some(Outcome::Guaranteed)).amounts();
        assert_eq!((g.amount, g.guaranteed, g.failed), (2200, 2200, 0));
        let f = record(Some(Outcome::Failed)).amounts();
        assert_eq!((f.amount, f.failed, f.requested), (0, 2200, 2200));
        let c = record(Some(Outcome::Canceled)).amounts();
        assert_eq!((c.amount, c.canceled), (0, 2200));
        let none = record(None).amounts();
        assert_eq!((none.amount, none.requested), (0, 2200));
    }
}

//! Store methods for payment records (`POST /v1/payment_records/report_payment`).

use crate::domain::catalog::Metadata;
use crate::domain::patch::MetadataUpdate;
use crate::domain::payment_record::{
    CustomerDetails, Outcome, PaymentMethodDetails, PaymentRecord,
};
use crate::error::{Error, Result};

use super::{AccountKey, Store};

/// Parameters of `POST /v1/payment_records/report_payment`.
#[derive(Debug)]
pub struct NewPaymentRecord {
    /// `amount_requested[currency]`.
    pub currency: String,
    /// `amount_requested[value]`.
    pub amount_requested: i64,
    /// Unix seconds.
    pub initiated_at: i64,
    /// `outcome`.
    pub outcome: Option<Outcome>,
    /// `customer_details`.
    pub customer_details: CustomerDetails,
    /// `customer_presence`.
    pub customer_presence: Option<&'static str>,
    /// `description`.
    pub description: Option<String>,
    /// `metadata`.
    pub metadata: Option<MetadataUpdate>,
    /// `payment_method_details`.
    pub payment_method_details: PaymentMethodDetails,
    /// `processor_details[custom][payment_reference]`.
    pub payment_reference: Option<String>,
}

impl Store {
    /// Records a payment reported by the caller.
    ///
    /// # Errors
    /// `resource_missing` (param `customer_details[customer]`) for an unknown customer.
    pub fn report_payment(&self, acct: &AccountKey, p: NewPaymentRecord) -> Result<PaymentRecord> {
        self.write(acct, |s, ctx| {
            if let Some(c) = &p.customer_details.customer {
                if !s.customers.contains(c) {
                    return Err(Error::missing("customer", c, "customer_details[customer]"));
                }
            }
            let mut metadata = Metadata::new();
            if let Some(m) = p.metadata {
                m.merge_into(&mut metadata);
            }
            let record = PaymentRecord {
                id: ctx.ids.v1("pr_"),
                created: ctx.unix(),
                livemode: ctx.livemode,
                currency: p.currency,
                amount_requested: p.amount_requested,
                outcome: p.outcome,
                customer_details: p.customer_details,
                customer_presence: p.customer_presence,
                description: p.description,
                initiated_at: p.initiated_at,
                metadata,
                payment_method_details: p.payment_method_details,
                payment_reference: p.payment_reference,
            };
            s.payment_records.insert(&record.id, record.clone());
            Ok(record)
        })
    }

    /// Retrieves a payment record.
    ///
    /// # Errors
    /// `resource_missing`.
    pub fn payment_record(&self, acct: &AccountKey, id: &str) -> Result<PaymentRecord> {
        self.read(acct, |s| {
            s.payment_records
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("payment_record", id, "id"))
        })
    }
}

//! v2 thin events (`v2.core.event`): the event types the mock emits as thin events, and the
//! one rule of which of them exist in an API version. No HTTP types and no JSON here.
//!
//! Every type is one the SDK builds define (`stripe/events/_event_classes.py` of stripe-python,
//! `parseEventNotification`'s types in stripe-node); the date each starts is that of the first
//! build that pins it. GA and preview versions follow separate lines: the preview builds have
//! the cadence events and not (yet) the line-item events of `2026-10-28.endive`.

use crate::version::{ApiVersion, dates::ymd};

macro_rules! thin_types {
    ($($variant:ident => $name:literal,)*) => {
        /// The thin event types the mock emits, spelled as Stripe does.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ThinEventType {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl ThinEventType {
            /// Every type, in declaration order.
            pub const ALL: &'static [ThinEventType] = &[$(ThinEventType::$variant,)*];

            /// Stripe's name, e.g. `v1.invoice.paid`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ThinEventType::$variant => $name,)*
                }
            }
        }
    };
}

thin_types! {
    InvoiceCreated => "v1.invoice.created",
    InvoiceUpdated => "v1.invoice.updated",
    InvoiceDeleted => "v1.invoice.deleted",
    InvoiceFinalized => "v1.invoice.finalized",
    InvoicePaid => "v1.invoice.paid",
    InvoicePaymentSucceeded => "v1.invoice.payment_succeeded",
    InvoiceVoided => "v1.invoice.voided",
    InvoiceMarkedUncollectible => "v1.invoice.marked_uncollectible",
    InvoiceItemCreated => "v1.invoiceitem.created",
    InvoiceItemDeleted => "v1.invoiceitem.deleted",
    InvoiceLineItemAdded => "v1.invoice.line_item_added",
    InvoiceLineItemRemoved => "v1.invoice.line_item_removed",
    InvoiceLineItemPricingChanged => "v1.invoice.line_item_pricing_changed",
    InvoiceLineItemQuantityChanged => "v1.invoice.line_item_quantity_changed",
    InvoiceDiscountAdded => "v1.invoice.discount_added",
    InvoiceDiscountRemoved => "v1.invoice.discount_removed",
    InvoiceItemAmountChanged => "v1.invoiceitem.amount_changed",
    InvoiceItemDiscountAdded => "v1.invoiceitem.discount_added",
    InvoiceItemDiscountRemoved => "v1.invoiceitem.discount_removed",
    BillingCadenceCreated => "v2.billing.cadence.created",
    EventDestinationPing => "v2.core.event_destination.ping",
}

/// The families of thin types that appear together in the SDK builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `v1.invoice.*` status events, `v1.invoiceitem.created|deleted`.
    InvoiceBasics,
    /// The line-item, discount and amount events of `2026-10-28.endive`.
    InvoiceChanges,
    /// `v2.billing.cadence.*`.
    Cadence,
    /// `v2.core.event_destination.ping`.
    Ping,
}

impl ThinEventType {
    /// The type named `name`, if the mock emits it.
    pub fn from_name(name: &str) -> Option<ThinEventType> {
        Self::ALL.iter().copied().find(|t| t.as_str() == name)
    }

    fn family(self) -> Family {
        use ThinEventType as T;
        match self {
            T::InvoiceCreated
            | T::InvoiceUpdated
            | T::InvoiceDeleted
            | T::InvoiceFinalized
            | T::InvoicePaid
            | T::InvoicePaymentSucceeded
            | T::InvoiceVoided
            | T::InvoiceMarkedUncollectible
            | T::InvoiceItemCreated
            | T::InvoiceItemDeleted => Family::InvoiceBasics,
            T::InvoiceLineItemAdded
            | T::InvoiceLineItemRemoved
            | T::InvoiceLineItemPricingChanged
            | T::InvoiceLineItemQuantityChanged
            | T::InvoiceDiscountAdded
            | T::InvoiceDiscountRemoved
            | T::InvoiceItemAmountChanged
            | T::InvoiceItemDiscountAdded
            | T::InvoiceItemDiscountRemoved => Family::InvoiceChanges,
            T::BillingCadenceCreated => Family::Cadence,
            T::EventDestinationPing => Family::Ping,
        }
    }

    /// Whether the type exists in `version`: the one rule of which thin events an account
    /// gets (at a destination's version, else the account's default).
    ///
    /// | family | GA line | preview line |
    /// |---|---|---|
    /// | invoice basics | `2026-09-30.endive` (stripe-python 16.0.0) | `2026-04-22.preview` (15.2.0a1 on) |
    /// | invoice changes | `2026-10-28.endive` (16.1.0) | none (16.1.0a4 has none) |
    /// | cadence | none | `2025-09-30.preview` (13.2.0a1 on) |
    /// | ping | `2025-04-30.basil` (12.1.0) | same date |
    pub fn exists_in(self, version: ApiVersion) -> bool {
        let since = match (self.family(), version.is_preview()) {
            (Family::InvoiceBasics, false) => Some(ymd(2026, 9, 30)),
            (Family::InvoiceBasics, true) => Some(ymd(2026, 4, 22)),
            (Family::InvoiceChanges, false) => Some(ymd(2026, 10, 28)),
            (Family::InvoiceChanges, true) => None,
            (Family::Cadence, false) => None,
            (Family::Cadence, true) => Some(ymd(2025, 9, 30)),
            (Family::Ping, _) => Some(ymd(2025, 4, 30)),
        };
        since.is_some_and(|date| version.since(date))
    }
}

/// The kind of object a thin event is about (`related_object.type`), and where the mock
/// serves it (`related_object.url`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelatedKind {
    /// A v1 invoice.
    Invoice,
    /// A v1 invoice item.
    InvoiceItem,
    /// A v2 billing cadence.
    Cadence,
    /// A v2 event destination.
    EventDestination,
}

impl RelatedKind {
    /// `related_object.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            RelatedKind::Invoice => "invoice",
            RelatedKind::InvoiceItem => "invoiceitem",
            RelatedKind::Cadence => "v2.billing.cadence",
            RelatedKind::EventDestination => "v2.core.event_destination",
        }
    }

    /// `related_object.url` of the object `id`.
    pub fn url(self, id: &str) -> String {
        let base = match self {
            RelatedKind::Invoice => "/v1/invoices/",
            RelatedKind::InvoiceItem => "/v1/invoiceitems/",
            RelatedKind::Cadence => "/v2/billing/cadences/",
            RelatedKind::EventDestination => "/v2/core/event_destinations/",
        };
        format!("{base}{id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(name: &str) -> ApiVersion {
        ApiVersion::parse(name).expect("known version")
    }

    #[test]
    fn names_round_trip() {
        for t in ThinEventType::ALL {
            assert_eq!(ThinEventType::from_name(t.as_str()), Some(*t));
        }
        assert_eq!(ThinEventType::from_name("v1.invoiceitem.updated"), None);
    }

    /// Each family at the version before it and the version it starts.
    #[test]
    fn types_by_version() {
        use ThinEventType as T;
        let table = [
            (T::InvoicePaid, "2026-08-26.dahlia", false),
            (T::InvoicePaid, "2026-09-30.endive", true),
            (T::InvoicePaid, "2026-04-22.preview", true),
            (T::InvoicePaid, "2026-03-25.preview", false),
            (T::InvoiceLineItemAdded, "2026-09-30.endive", false),
            (T::InvoiceLineItemAdded, "2026-10-28.endive", true),
            (T::InvoiceLineItemAdded, "2026-10-14.preview", false),
            (T::BillingCadenceCreated, "2026-10-28.endive", false),
            (T::BillingCadenceCreated, "2025-08-27.preview", false),
            (T::BillingCadenceCreated, "2025-09-30.preview", true),
            (T::EventDestinationPing, "2025-03-31.basil", false),
            (T::EventDestinationPing, "2025-04-30.basil", true),
        ];
        for (t, version, expected) in table {
            assert_eq!(
                t.exists_in(v(version)),
                expected,
                "{} {version}",
                t.as_str()
            );
        }
    }
}

//! v1 snapshot events: what Stripe records for every change an endpoint makes (`evt_…`), and
//! the rules about their types (names, `*` wildcards). No HTTP types and no JSON here: an
//! event keeps the changed object as the immutable value the store holds, and the HTTP layer
//! renders it at whichever API version asks for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// How many events an account keeps; older ones are dropped first. Stripe keeps 30 days of
/// events; a mock used by test suites needs a bound in count instead.
pub const MAX_EVENTS_PER_ACCOUNT: usize = 10_000;

macro_rules! event_types {
    ($($variant:ident => $name:literal,)*) => {
        /// The event types the mock emits, spelled as Stripe does.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventType {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl EventType {
            /// Every type, in declaration order.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)*];

            /// Stripe's name, e.g. `invoice.paid`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)*
                }
            }

            /// The type named `name`, if the mock emits it.
            pub fn from_name(name: &str) -> Option<EventType> {
                match name {
                    $($name => Some(EventType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

event_types! {
    CustomerCreated => "customer.created",
    CustomerUpdated => "customer.updated",
    CustomerDeleted => "customer.deleted",
    ProductCreated => "product.created",
    ProductUpdated => "product.updated",
    ProductDeleted => "product.deleted",
    PriceCreated => "price.created",
    PriceUpdated => "price.updated",
    CouponCreated => "coupon.created",
    CouponUpdated => "coupon.updated",
    CouponDeleted => "coupon.deleted",
    PaymentIntentCreated => "payment_intent.created",
    InvoiceItemCreated => "invoiceitem.created",
    InvoiceItemUpdated => "invoiceitem.updated",
    InvoiceItemDeleted => "invoiceitem.deleted",
    InvoiceCreated => "invoice.created",
    InvoiceUpdated => "invoice.updated",
    InvoiceDeleted => "invoice.deleted",
    InvoiceFinalized => "invoice.finalized",
    InvoicePaid => "invoice.paid",
    InvoicePaymentSucceeded => "invoice.payment_succeeded",
    InvoiceVoided => "invoice.voided",
    InvoiceMarkedUncollectible => "invoice.marked_uncollectible",
}

impl EventType {
    /// Whether the type is one of the `.updated` types, the only ones that carry
    /// `previous_attributes`.
    pub fn is_update(self) -> bool {
        self.as_str().ends_with(".updated")
    }

    /// Whether `pattern` selects this type: `*` (everything), an exact name, or Stripe's
    /// `prefix.*` form of the `type` filter (`invoice.*`).
    pub fn matches(self, pattern: &str) -> bool {
        matches_name(self.as_str(), pattern)
    }
}

/// [`EventType::matches`] on a type name.
pub fn matches_name(name: &str, pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

/// Whether `name` has the shape of a Stripe event type (`invoice.paid`,
/// `customer.subscription.created`): lowercase dotted words. Stripe accepts, in webhook
/// endpoints, types the mock never emits, so shape is what is checked.
pub fn is_event_type_name(name: &str) -> bool {
    let mut parts = 0;
    for part in name.split('.') {
        if part.is_empty()
            || !part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

/// The API request that caused an event: `request {id, idempotency_key}` (both `null` for
/// changes no request made, such as fixture loads).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRequest {
    /// The `req_…` id of the request.
    pub id: Option<Arc<str>>,
    /// Its `Idempotency-Key` header, if any.
    pub idempotency_key: Option<Arc<str>>,
}

/// One event. `O` is the store's snapshot of the changed object (the store decides what it
/// keeps; the domain only needs to carry it).
#[derive(Debug)]
pub struct Event<O> {
    /// `evt_…`
    pub id: String,
    /// Unix seconds, from the server clock.
    pub created: i64,
    /// Whether the account is live.
    pub livemode: bool,
    /// What happened.
    pub kind: EventType,
    /// The object after the change (before it, for `.deleted`).
    pub object: O,
    /// The object before the change, for `.updated` events.
    pub previous: Option<O>,
    /// What caused it.
    pub request: EventRequest,
    /// Webhook endpoints that have not yet acknowledged it; the only part of an event that
    /// changes after it is recorded.
    pending_webhooks: AtomicU32,
}

impl<O> Event<O> {
    /// A new event with `pending` endpoints still to deliver to.
    #[allow(clippy::too_many_arguments)] // reason: one argument per field of Stripe's object
    pub fn new(
        id: String,
        created: i64,
        livemode: bool,
        kind: EventType,
        object: O,
        previous: Option<O>,
        request: EventRequest,
        pending: u32,
    ) -> Self {
        Event {
            id,
            created,
            livemode,
            kind,
            object,
            previous,
            request,
            pending_webhooks: AtomicU32::new(pending),
        }
    }

    /// Endpoints that have not yet acknowledged the event.
    pub fn pending_webhooks(&self) -> u32 {
        self.pending_webhooks.load(Ordering::Relaxed)
    }

    /// One endpoint acknowledged the event.
    pub fn delivered_once(&self) {
        // Never below zero, whatever the order of acknowledgements.
        let _ = self
            .pending_webhooks
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::from_name(t.as_str()), Some(*t));
            assert!(is_event_type_name(t.as_str()));
        }
        assert_eq!(EventType::from_name("invoice.nope"), None);
    }

    #[test]
    fn patterns_select_types() {
        let cases = [
            ("*", "invoice.paid", true),
            ("invoice.*", "invoice.paid", true),
            ("invoice.*", "invoiceitem.created", false),
            ("invoice.paid", "invoice.paid", true),
            ("invoice.paid", "invoice.payment_succeeded", false),
            ("customer.*", "customer.deleted", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(matches_name(name, pattern), expected, "{pattern} {name}");
        }
    }

    #[test]
    fn only_updates_carry_previous_attributes() {
        assert!(EventType::InvoiceUpdated.is_update());
        assert!(EventType::InvoiceItemUpdated.is_update());
        assert!(!EventType::InvoicePaid.is_update());
    }

    #[test]
    fn type_names_are_checked_by_shape() {
        assert!(is_event_type_name("charge.succeeded"));
        assert!(is_event_type_name("customer.subscription.created"));
        assert!(!is_event_type_name("invoice"));
        assert!(!is_event_type_name("Invoice.Paid"));
        assert!(!is_event_type_name("invoice..paid"));
    }

    #[test]
    fn pending_webhooks_never_goes_below_zero() {
        let e = Event::new(
            "evt_1".into(),
            0,
            false,
            EventType::CustomerCreated,
            (),
            None,
            EventRequest::default(),
            1,
        );
        e.delivered_once();
        e.delivered_once();
        assert_eq!(e.pending_webhooks(), 0);
    }
}

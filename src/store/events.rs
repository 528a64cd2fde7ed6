//! Events in the store: recorded in the account, in order, inside the write that makes the
//! change they describe, and handed to the delivery task once the write has released the
//! account's lock.
//!
//! Store methods call [`EventLog::emit`] while they change objects; [`Store::write`] stamps the
//! emitted events (`evt_…` id, time, request) and appends them to the account's log only if the
//! write succeeds, so no change is without its event and no event without its change. Events
//! keep the immutable objects of the store (`Arc`s, or a clone made once), never JSON: the HTTP
//! layer renders them at the API version of whoever reads or receives them.

use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::{mpsc, watch};

use crate::domain::catalog::{Coupon, Customer, PaymentIntent, Price, Product};
use crate::domain::event::{Event, EventRequest, EventType, MAX_EVENTS_PER_ACCOUNT};
use crate::domain::event_destination::EventPayload;
use crate::domain::invoice::{Invoice, InvoiceItem, InvoiceStatus};
use crate::domain::webhook_endpoint::WebhookEndpoint;
use crate::error::{Error, Result};
use crate::store::invoicing::InvoiceSnapshot;
use crate::store::thin_events::{PublishedThin, ThinLog};
use crate::sync::{read_lock, write_lock};

use super::{AccountKey, AccountState, Ctx, IdCursor, ListPage, ListQuery, Store};

/// The account a request acts on and the request itself, as store methods that record events
/// need them. Dereferences to the [`AccountKey`], so it passes wherever a key is expected.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account.
    pub account: AccountKey,
    /// The request, for the events' `request` field.
    pub request: EventRequest,
}

impl Actor {
    /// `account` acting outside any API request (fixtures, the library): events name no
    /// request.
    pub fn internal(account: AccountKey) -> Self {
        Actor {
            account,
            request: EventRequest::default(),
        }
    }
}

impl Deref for Actor {
    type Target = AccountKey;

    fn deref(&self) -> &AccountKey {
        &self.account
    }
}

/// What [`Store::write`] takes: an account, and the request acting on it if there is one.
pub trait Acting {
    /// The account.
    fn account_key(&self) -> &AccountKey;
    /// The request, if the write has one.
    fn event_request(&self) -> Option<&EventRequest>;
}

impl Acting for AccountKey {
    fn account_key(&self) -> &AccountKey {
        self
    }

    fn event_request(&self) -> Option<&EventRequest> {
        None
    }
}

impl Acting for Actor {
    fn account_key(&self) -> &AccountKey {
        &self.account
    }

    fn event_request(&self) -> Option<&EventRequest> {
        Some(&self.request)
    }
}

/// The object an event is about, as the store held it.
#[derive(Debug, Clone)]
pub enum EventObject {
    /// A customer.
    Customer(Arc<Customer>),
    /// A product.
    Product(Arc<Product>),
    /// A price.
    Price(Arc<Price>),
    /// A coupon.
    Coupon(Arc<Coupon>),
    /// A payment intent.
    PaymentIntent(Arc<PaymentIntent>),
    /// An invoice item.
    InvoiceItem(Arc<InvoiceItem>),
    /// An invoice, with the customer balance a draft shows (its totals are computed when it
    /// is rendered, from these two, exactly as they were).
    Invoice {
        /// The invoice.
        invoice: Arc<Invoice>,
        /// The customer's balance at the time.
        customer_balance: i64,
    },
}

impl EventObject {
    /// An invoice's rendering input: lines and totals, computed now from the kept values.
    ///
    /// # Errors
    /// Amount overflow (which the write that stored the invoice already ruled out).
    pub fn invoice_snapshot(
        invoice: &Arc<Invoice>,
        customer_balance: i64,
    ) -> Result<InvoiceSnapshot> {
        crate::store::invoicing::snapshot::materialize(invoice, customer_balance)
    }
}

/// A recorded event.
pub type StoredEvent = Event<EventObject>;

/// An event just emitted by a running write, not yet stamped.
#[derive(Debug, Clone)]
struct Emitted {
    kind: EventType,
    object: EventObject,
    previous: Option<EventObject>,
}

/// The events of one account, oldest first, at most [`MAX_EVENTS_PER_ACCOUNT`].
#[derive(Debug, Default, Clone)]
pub struct EventLog {
    /// Emitted by the write under way; stamped and moved to `recorded` when it succeeds,
    /// dropped when it fails.
    emitted: Vec<Emitted>,
    recorded: VecDeque<Arc<StoredEvent>>,
    /// The v2 thin events, derived from the same changes.
    pub thin: ThinLog,
}

impl EventLog {
    /// Records that `kind` happened to `object` (`previous`: the object before an update).
    pub fn emit(&mut self, kind: EventType, object: EventObject, previous: Option<EventObject>) {
        self.emitted.push(Emitted {
            kind,
            object,
            previous,
        });
    }

    /// Moves what `other` emitted after what this log emitted.
    pub fn absorb(&mut self, other: &mut EventLog) {
        self.emitted.append(&mut other.emitted);
        self.thin.absorb(&mut other.thin);
    }

    /// Forgets every event (recorded and emitted).
    pub fn clear(&mut self) {
        self.emitted.clear();
        self.recorded.clear();
        self.thin.clear();
    }

    /// Recorded events, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Arc<StoredEvent>> {
        self.recorded.iter()
    }

    /// How many events are recorded.
    pub fn len(&self) -> usize {
        self.recorded.len()
    }

    /// Whether no event is recorded.
    pub fn is_empty(&self) -> bool {
        self.recorded.is_empty()
    }
}

/// The changes an invoice write makes, as events: `created` for a new invoice, the status
/// events for a status change (`invoice.finalized`, `invoice.paid` and
/// `invoice.payment_succeeded`, `invoice.voided`, `invoice.marked_uncollectible`), otherwise
/// `invoice.updated` with the previous invoice.
pub fn emit_invoice_change(
    log: &mut EventLog,
    before: Option<&Arc<Invoice>>,
    after: &Arc<Invoice>,
    customer_balance: i64,
) {
    let object = |invoice: &Arc<Invoice>| EventObject::Invoice {
        invoice: Arc::clone(invoice),
        customer_balance,
    };
    let Some(before) = before else {
        log.emit(EventType::InvoiceCreated, object(after), None);
        return;
    };
    if Arc::ptr_eq(before, after) {
        return;
    }
    use InvoiceStatus as S;
    let kinds: &[EventType] = match (before.status, after.status) {
        (S::Draft, S::Open) => &[EventType::InvoiceFinalized],
        // Nothing due: finalized and paid at once, as Stripe does for a zero-amount invoice.
        (S::Draft, S::Paid) => &[
            EventType::InvoiceFinalized,
            EventType::InvoicePaid,
            EventType::InvoicePaymentSucceeded,
        ],
        // Marked paid out of band: `invoice.paid` only, no payment attempt succeeded.
        (_, S::Paid) if after.paid_out_of_band => &[EventType::InvoicePaid],
        (_, S::Paid) => &[EventType::InvoicePaid, EventType::InvoicePaymentSucceeded],
        (_, S::Void) => &[EventType::InvoiceVoided],
        (_, S::Uncollectible) => &[EventType::InvoiceMarkedUncollectible],
        _ => {
            log.emit(
                EventType::InvoiceUpdated,
                object(after),
                Some(object(before)),
            );
            return;
        }
    };
    for kind in kinds {
        log.emit(*kind, object(after), None);
    }
}

/// An invoice item's change as an event: created, updated (with the previous item) or deleted.
pub fn emit_item_change(
    log: &mut EventLog,
    before: Option<&Arc<InvoiceItem>>,
    after: Option<&Arc<InvoiceItem>>,
) {
    match (before, after) {
        (None, Some(new)) => log.emit(
            EventType::InvoiceItemCreated,
            EventObject::InvoiceItem(Arc::clone(new)),
            None,
        ),
        (Some(old), Some(new)) if !Arc::ptr_eq(old, new) => log.emit(
            EventType::InvoiceItemUpdated,
            EventObject::InvoiceItem(Arc::clone(new)),
            Some(EventObject::InvoiceItem(Arc::clone(old))),
        ),
        (Some(old), None) => log.emit(
            EventType::InvoiceItemDeleted,
            EventObject::InvoiceItem(Arc::clone(old)),
            None,
        ),
        _ => {}
    }
}

/// An event on its way to the delivery task: the event and the endpoints it goes to, chosen
/// when it was recorded.
#[derive(Debug, Clone)]
pub struct Published {
    /// The account it belongs to.
    pub account: AccountKey,
    /// The event.
    pub event: Arc<StoredEvent>,
    /// The account's enabled endpoints whose `enabled_events` match.
    pub endpoints: Vec<Arc<WebhookEndpoint>>,
}

impl AccountState {
    /// Stamps the events the write emitted and appends them to the log (dropping the oldest
    /// beyond [`MAX_EVENTS_PER_ACCOUNT`]); returns them for delivery.
    pub(super) fn record_events(
        &mut self,
        ctx: &Ctx<'_>,
        key: &AccountKey,
        request: Option<&EventRequest>,
    ) -> Vec<Published> {
        if self.events.emitted.is_empty() {
            return Vec::new();
        }
        let emitted = std::mem::take(&mut self.events.emitted);
        let mut published = Vec::with_capacity(emitted.len());
        for e in emitted {
            self.events
                .thin
                .derive(e.kind, &e.object, e.previous.as_ref());
            // Snapshot event destinations receive v1 events as webhook endpoints do.
            let destinations = self
                .event_destinations
                .iter_newest_first()
                .filter(|d| d.event_payload == EventPayload::Snapshot && d.wants(e.kind.as_str()))
                .map(|d| Arc::new(d.as_webhook_endpoint()));
            let endpoints: Vec<Arc<WebhookEndpoint>> = self
                .webhook_endpoints
                .iter_newest_first()
                .filter(|we| we.wants(e.kind))
                .cloned()
                .chain(destinations)
                .collect();
            let event = Arc::new(Event::new(
                ctx.ids.v1("evt_"),
                ctx.unix(),
                ctx.livemode,
                e.kind,
                e.object,
                e.previous,
                request.cloned().unwrap_or_default(),
                u32::try_from(endpoints.len()).unwrap_or(u32::MAX),
            ));
            if self.events.recorded.len() >= MAX_EVENTS_PER_ACCOUNT {
                self.events.recorded.pop_front();
            }
            self.events.recorded.push_back(Arc::clone(&event));
            published.push(Published {
                account: key.clone(),
                event,
                endpoints,
            });
        }
        published
    }

    /// Drops what a failed write emitted.
    pub(super) fn discard_events(&mut self) {
        self.events.emitted.clear();
        self.events.thin.discard();
    }
}

/// Where recorded events go once their write is over: the delivery task's queue (if one is
/// running) and the waiters of `MockServer::wait_for_event`.
#[derive(Debug)]
pub struct EventHub {
    sink: RwLock<Option<mpsc::Sender<Published>>>,
    /// The delivery task's queue of thin events.
    thin_sink: RwLock<Option<mpsc::Sender<PublishedThin>>>,
    /// Whether every event goes to the queue (`--forward-to`), not only those with endpoints.
    forwarding: AtomicBool,
    /// Deliveries not queued because the queue was full.
    dropped: AtomicU64,
    /// Bumped for every recorded event, so waiters wake without polling.
    recorded: watch::Sender<u64>,
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub {
            sink: RwLock::new(None),
            thin_sink: RwLock::new(None),
            forwarding: AtomicBool::new(false),
            dropped: AtomicU64::new(0),
            recorded: watch::Sender::new(0),
        }
    }
}

impl EventHub {
    /// Sends recorded events to the delivery task (never waits: a full queue drops the
    /// delivery and counts it) and wakes waiters.
    pub(super) fn publish(&self, published: Vec<Published>) {
        if published.is_empty() {
            return;
        }
        let n = published.len() as u64;
        if let Some(sink) = read_lock(&self.sink).as_ref() {
            let forwarding = self.forwarding.load(Ordering::Relaxed);
            for p in published {
                if p.endpoints.is_empty() && !forwarding {
                    continue;
                }
                if sink.try_send(p).is_err() {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        self.recorded
            .send_modify(|count| *count = count.wrapping_add(n));
    }

    /// Sends thin events to the delivery task (only those a destination may want).
    pub(super) fn publish_thin(&self, published: Vec<PublishedThin>) {
        if let Some(sink) = read_lock(&self.thin_sink).as_ref() {
            for p in published {
                if p.destinations.is_empty() {
                    continue;
                }
                if sink.try_send(p).is_err() {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Connects the delivery task's queue of thin events.
    pub fn connect_thin(&self, sink: mpsc::Sender<PublishedThin>) {
        *write_lock(&self.thin_sink) = Some(sink);
    }

    /// Connects the delivery task's queue; with `forwarding`, every event is queued, not only
    /// those an endpoint wants.
    pub fn connect(&self, sink: mpsc::Sender<Published>, forwarding: bool) {
        self.forwarding.store(forwarding, Ordering::Relaxed);
        *write_lock(&self.sink) = Some(sink);
    }

    /// Disconnects it (the task stopped).
    pub fn disconnect(&self) {
        *write_lock(&self.sink) = None;
        *write_lock(&self.thin_sink) = None;
    }

    /// Events whose delivery was dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// A receiver that changes whenever an event is recorded.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.recorded.subscribe()
    }

    /// Forgets the drop count (reset).
    pub fn reset(&self) {
        self.dropped.store(0, Ordering::Relaxed);
    }
}

/// Filters of `GET /v1/events`.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    /// Patterns (`invoice.paid`, `invoice.*`); any may match. Empty: every type.
    pub types: Vec<String>,
    /// `created` bounds, inclusive: (from, to).
    pub created: (Option<i64>, Option<i64>),
}

impl EventFilter {
    fn keeps(&self, e: &StoredEvent) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| e.kind.matches(t)))
            && self.created.0.is_none_or(|from| e.created >= from)
            && self.created.1.is_none_or(|to| e.created <= to)
    }
}

impl Store {
    /// The hub events leave the store through.
    pub fn event_hub(&self) -> &EventHub {
        &self.shared.hub
    }

    /// One event.
    ///
    /// # Errors
    /// `resource_missing` if the account has no such event (or it was dropped).
    pub fn event(&self, acct: &AccountKey, id: &str) -> Result<Arc<StoredEvent>> {
        self.read(acct, |s| {
            s.events
                .iter()
                .rev()
                .find(|e| e.id == id)
                .cloned()
                .ok_or_else(|| Error::missing("event", id, "id"))
        })
    }

    /// Queues event `id` for delivery again, to the account's enabled endpoints that want it
    /// now (and to `--forward-to`), as the Dashboard's "Resend" does.
    ///
    /// # Errors
    /// `resource_missing` if the account has no such event.
    pub fn resend_event(&self, acct: &AccountKey, id: &str) -> Result<Arc<StoredEvent>> {
        let published = self.read(acct, |s| {
            let event = s
                .events
                .iter()
                .rev()
                .find(|e| e.id == id)
                .cloned()
                .ok_or_else(|| Error::missing("event", id, "id"))?;
            let endpoints = s
                .webhook_endpoints
                .iter_newest_first()
                .filter(|we| we.wants(event.kind))
                .cloned()
                .collect();
            Ok(Published {
                account: acct.clone(),
                event,
                endpoints,
            })
        })?;
        let event = Arc::clone(&published.event);
        self.shared.hub.publish(vec![published]);
        Ok(event)
    }

    /// A page of the account's events, newest first.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_events(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        f: &EventFilter,
    ) -> Result<ListPage<Arc<StoredEvent>>> {
        self.read(acct, |s| {
            let position = |id: &str, param: &str| {
                s.events
                    .iter()
                    .rev()
                    .position(|e| e.id == id)
                    .ok_or_else(|| Error::missing("event", id, param))
            };
            // Newest first: index 0 is the newest event.
            let newest_first = || s.events.iter().rev().filter(|e| f.keeps(e));
            let (data, has_more) = match &q.cursor {
                IdCursor::Start => take_page(newest_first(), q.limit),
                IdCursor::StartingAfter(id) => {
                    let at = position(id, "starting_after")?;
                    take_page(
                        s.events.iter().rev().skip(at + 1).filter(|e| f.keeps(e)),
                        q.limit,
                    )
                }
                IdCursor::EndingBefore(id) => {
                    let at = position(id, "ending_before")?;
                    let len = s.events.len();
                    // The `limit` events just newer than the cursor, oldest first, then back
                    // to newest first.
                    let (mut data, has_more) = take_page(
                        s.events.iter().skip(len - at).filter(|e| f.keeps(e)),
                        q.limit,
                    );
                    data.reverse();
                    (data, has_more)
                }
            };
            Ok(ListPage { data, has_more })
        })
    }

    /// Every recorded event of every account (or of the accounts of `api_key`), oldest first
    /// within an account.
    pub fn all_events(&self, api_key: Option<&str>) -> Vec<(AccountKey, Arc<StoredEvent>)> {
        let accounts: Vec<(AccountKey, _)> = read_lock(&self.shared.accounts)
            .iter()
            .filter(|(k, _)| api_key.is_none_or(|key| k.api_key() == key))
            .map(|(k, a)| (k.clone(), Arc::clone(a)))
            .collect();
        let mut all = Vec::new();
        for (key, account) in accounts {
            let state = read_lock(&account.state);
            all.extend(state.events.iter().map(|e| (key.clone(), Arc::clone(e))));
        }
        all
    }
}

fn take_page<'a>(
    mut events: impl Iterator<Item = &'a Arc<StoredEvent>>,
    limit: usize,
) -> (Vec<Arc<StoredEvent>>, bool) {
    let data: Vec<Arc<StoredEvent>> = events.by_ref().take(limit).cloned().collect();
    let has_more = events.next().is_some();
    (data, has_more)
}

//! v2 thin events in the store: derived from the same changes as the v1 events (in the same
//! write), or emitted directly for changes v1 has no event for (a cadence created, a
//! destination pinged). Kept per account beside the v1 events, bounded the same way.
//!
//! Every thin type the SDKs define is recorded; which of them an account sees is decided when
//! they are read or delivered, by [`ThinEventType::exists_in`] at the reader's version.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::collection::Cursor;
use crate::domain::event::{EventRequest, EventType, MAX_EVENTS_PER_ACCOUNT};
use crate::domain::event_destination::{EventDestination, EventPayload};
use crate::domain::invoice::{Invoice, InvoiceItem};
use crate::domain::thin_event::{RelatedKind, ThinEventType};
use crate::error::{Error, Result};
use crate::store::billing::{Page, PageRequest};
use crate::version::ApiVersion;

use super::events::EventObject;
use super::{AccountKey, AccountState, Ctx, Store};

/// A recorded thin event.
#[derive(Debug, Clone, PartialEq)]
pub struct ThinEvent {
    /// `evt_test_…` (`evt_…` in live mode), v2 style.
    pub id: String,
    /// Position in the account's log, for page tokens.
    pub seq: u64,
    /// When it happened.
    pub created: DateTime<Utc>,
    /// Whether the account is live.
    pub livemode: bool,
    /// What happened.
    pub kind: ThinEventType,
    /// The object it is about: its id.
    pub related_id: String,
    /// … and its kind.
    pub related_kind: RelatedKind,
    /// The request that caused it.
    pub request: EventRequest,
    /// Delivered to this destination only (`ping`).
    pub only_destination: Option<String>,
}

#[derive(Debug, Clone)]
struct Emitted {
    kind: ThinEventType,
    related_kind: RelatedKind,
    related_id: String,
    only_destination: Option<String>,
}

/// The thin events of one account, oldest first, at most [`MAX_EVENTS_PER_ACCOUNT`].
#[derive(Debug, Default, Clone)]
pub struct ThinLog {
    emitted: Vec<Emitted>,
    recorded: VecDeque<Arc<ThinEvent>>,
    next_seq: u64,
}

impl ThinLog {
    /// Records that `kind` happened to the object `related_id`.
    pub fn emit(&mut self, kind: ThinEventType, related_kind: RelatedKind, related_id: &str) {
        self.emitted.push(Emitted {
            kind,
            related_kind,
            related_id: related_id.to_owned(),
            only_destination: None,
        });
    }

    /// A `v2.core.event_destination.ping` for the destination `id` only.
    pub fn emit_ping(&mut self, id: &str) {
        self.emitted.push(Emitted {
            kind: ThinEventType::EventDestinationPing,
            related_kind: RelatedKind::EventDestination,
            related_id: id.to_owned(),
            only_destination: Some(id.to_owned()),
        });
    }

    /// Emits the thin events of one v1 event.
    pub fn derive(
        &mut self,
        kind: EventType,
        object: &EventObject,
        previous: Option<&EventObject>,
    ) {
        use ThinEventType as T;
        match (object, previous) {
            (EventObject::Invoice { invoice, .. }, previous) => {
                let thin = match kind {
                    EventType::InvoiceCreated => T::InvoiceCreated,
                    EventType::InvoiceUpdated => T::InvoiceUpdated,
                    EventType::InvoiceDeleted => T::InvoiceDeleted,
                    EventType::InvoiceFinalized => T::InvoiceFinalized,
                    EventType::InvoicePaid => T::InvoicePaid,
                    EventType::InvoicePaymentSucceeded => T::InvoicePaymentSucceeded,
                    EventType::InvoiceVoided => T::InvoiceVoided,
                    EventType::InvoiceMarkedUncollectible => T::InvoiceMarkedUncollectible,
                    _ => return,
                };
                self.emit(thin, RelatedKind::Invoice, &invoice.id);
                if let Some(EventObject::Invoice {
                    invoice: before, ..
                }) = previous
                {
                    self.derive_discounts(before, invoice);
                }
            }
            (EventObject::InvoiceItem(item), None) => match kind {
                EventType::InvoiceItemCreated => {
                    self.emit(T::InvoiceItemCreated, RelatedKind::InvoiceItem, &item.id);
                    if let Some(invoice) = &item.invoice {
                        self.emit(T::InvoiceLineItemAdded, RelatedKind::Invoice, invoice);
                    }
                }
                EventType::InvoiceItemDeleted => {
                    self.emit(T::InvoiceItemDeleted, RelatedKind::InvoiceItem, &item.id);
                    if let Some(invoice) = &item.invoice {
                        self.emit(T::InvoiceLineItemRemoved, RelatedKind::Invoice, invoice);
                    }
                }
                _ => {}
            },
            (EventObject::InvoiceItem(after), Some(EventObject::InvoiceItem(before))) => {
                self.derive_item_update(before, after);
            }
            _ => {}
        }
    }

    /// `invoiceitem.updated` has no thin twin: what changed decides the thin types.
    fn derive_item_update(&mut self, before: &InvoiceItem, after: &InvoiceItem) {
        use ThinEventType as T;
        match (&before.invoice, &after.invoice) {
            (None, Some(invoice)) => {
                self.emit(T::InvoiceLineItemAdded, RelatedKind::Invoice, invoice);
                return;
            }
            (Some(invoice), None) => {
                self.emit(T::InvoiceLineItemRemoved, RelatedKind::Invoice, invoice);
                return;
            }
            (Some(old), Some(new)) if old != new => {
                self.emit(T::InvoiceLineItemRemoved, RelatedKind::Invoice, old);
                self.emit(T::InvoiceLineItemAdded, RelatedKind::Invoice, new);
                return;
            }
            _ => {}
        }
        if let Some(invoice) = &after.invoice {
            if before.price.id != after.price.id {
                self.emit(
                    T::InvoiceLineItemPricingChanged,
                    RelatedKind::Invoice,
                    invoice,
                );
            }
            if before.quantity != after.quantity {
                self.emit(
                    T::InvoiceLineItemQuantityChanged,
                    RelatedKind::Invoice,
                    invoice,
                );
            }
        }
        if before.amount != after.amount {
            self.emit(
                T::InvoiceItemAmountChanged,
                RelatedKind::InvoiceItem,
                &after.id,
            );
        }
        let added = after
            .discounts
            .iter()
            .any(|d| !before.discounts.contains(d));
        let removed = before
            .discounts
            .iter()
            .any(|d| !after.discounts.contains(d));
        if added {
            self.emit(
                T::InvoiceItemDiscountAdded,
                RelatedKind::InvoiceItem,
                &after.id,
            );
        }
        if removed {
            self.emit(
                T::InvoiceItemDiscountRemoved,
                RelatedKind::InvoiceItem,
                &after.id,
            );
        }
    }

    fn derive_discounts(&mut self, before: &Invoice, after: &Invoice) {
        if after
            .discounts
            .iter()
            .any(|d| !before.discounts.contains(d))
        {
            self.emit(
                ThinEventType::InvoiceDiscountAdded,
                RelatedKind::Invoice,
                &after.id,
            );
        }
        if before
            .discounts
            .iter()
            .any(|d| !after.discounts.contains(d))
        {
            self.emit(
                ThinEventType::InvoiceDiscountRemoved,
                RelatedKind::Invoice,
                &after.id,
            );
        }
    }

    /// Moves what `other` emitted after what this log emitted.
    pub fn absorb(&mut self, other: &mut ThinLog) {
        self.emitted.append(&mut other.emitted);
    }

    /// Whether the running write emitted anything.
    pub fn has_emitted(&self) -> bool {
        !self.emitted.is_empty()
    }

    /// Drops what a failed write emitted.
    pub fn discard(&mut self) {
        self.emitted.clear();
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.emitted.clear();
        self.recorded.clear();
    }

    /// Recorded events, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Arc<ThinEvent>> {
        self.recorded.iter()
    }
}

/// A thin event on its way to the delivery task, with the thin destinations it may go to
/// (the task checks, at each destination's version, that the type exists).
#[derive(Debug, Clone)]
pub struct PublishedThin {
    /// The account.
    pub account: AccountKey,
    /// The event.
    pub event: Arc<ThinEvent>,
    /// Enabled thin destinations that take its type.
    pub destinations: Vec<Arc<EventDestination>>,
}

impl AccountState {
    /// Stamps the thin events the write emitted and appends them to the log.
    pub(super) fn record_thin_events(
        &mut self,
        ctx: &Ctx<'_>,
        key: &AccountKey,
        request: Option<&EventRequest>,
    ) -> Vec<PublishedThin> {
        let emitted = std::mem::take(&mut self.events.thin.emitted);
        let mut published = Vec::with_capacity(emitted.len());
        let prefix = if ctx.livemode { "evt_" } else { "evt_test_" };
        for e in emitted {
            let destinations: Vec<Arc<EventDestination>> = self
                .event_destinations
                .iter_newest_first()
                .filter(|d| d.event_payload == EventPayload::Thin)
                .filter(|d| match &e.only_destination {
                    Some(id) => d.id == *id,
                    None => d.wants(e.kind.as_str()),
                })
                .cloned()
                .collect();
            let log = &mut self.events.thin;
            log.next_seq += 1;
            let event = Arc::new(ThinEvent {
                id: ctx.ids.v2(prefix),
                seq: log.next_seq,
                created: ctx.now,
                livemode: ctx.livemode,
                kind: e.kind,
                related_id: e.related_id,
                related_kind: e.related_kind,
                request: request.cloned().unwrap_or_default(),
                only_destination: e.only_destination,
            });
            if log.recorded.len() >= MAX_EVENTS_PER_ACCOUNT {
                log.recorded.pop_front();
            }
            log.recorded.push_back(Arc::clone(&event));
            published.push(PublishedThin {
                account: key.clone(),
                event,
                destinations,
            });
        }
        published
    }
}

/// Filters of `GET /v2/core/events`.
#[derive(Debug, Clone)]
pub struct ThinFilter {
    /// The version that decides which types exist (the account's default).
    pub version: ApiVersion,
    /// Exact type names; empty: every type.
    pub types: Vec<String>,
    /// Only events about this object.
    pub object_id: Option<String>,
    /// `created` bounds: (after, inclusive?), (before, inclusive?).
    pub created_from: Option<(DateTime<Utc>, bool)>,
    /// Upper bound.
    pub created_to: Option<(DateTime<Utc>, bool)>,
}

impl ThinFilter {
    fn keeps(&self, e: &ThinEvent) -> bool {
        e.kind.exists_in(self.version)
            && (self.types.is_empty() || self.types.iter().any(|t| t == e.kind.as_str()))
            && self.object_id.as_ref().is_none_or(|id| *id == e.related_id)
            && self
                .created_from
                .is_none_or(|(t, inclusive)| e.created > t || inclusive && e.created == t)
            && self
                .created_to
                .is_none_or(|(t, inclusive)| e.created < t || inclusive && e.created == t)
    }
}

impl Store {
    /// One thin event, if it exists at `version`.
    ///
    /// # Errors
    /// `resource_missing` (404) for an unknown event.
    pub fn thin_event(
        &self,
        acct: &AccountKey,
        id: &str,
        version: ApiVersion,
    ) -> Result<Arc<ThinEvent>> {
        self.read(acct, |s| {
            s.events
                .thin
                .iter()
                .rev()
                .find(|e| e.id == id && e.kind.exists_in(version))
                .cloned()
                .ok_or_else(|| Error::missing("event", id, "id"))
        })
    }

    /// A page of thin events, newest first.
    ///
    /// # Errors
    /// None in practice.
    pub fn list_thin_events(
        &self,
        acct: &AccountKey,
        req: &PageRequest,
        f: &ThinFilter,
    ) -> Result<Page<Arc<ThinEvent>>> {
        self.read(acct, |s| {
            let log = &s.events.thin;
            let kept = |e: &&Arc<ThinEvent>| f.keeps(e);
            let mut data: Vec<Arc<ThinEvent>> = match req.cursor {
                Cursor::Start => log
                    .iter()
                    .rev()
                    .filter(kept)
                    .take(req.limit)
                    .cloned()
                    .collect(),
                Cursor::After(seq) => log
                    .iter()
                    .rev()
                    .filter(|e| e.seq < seq)
                    .filter(kept)
                    .take(req.limit)
                    .cloned()
                    .collect(),
                Cursor::Before(seq) => {
                    let mut newer: Vec<Arc<ThinEvent>> = log
                        .iter()
                        .filter(|e| e.seq > seq)
                        .filter(kept)
                        .take(req.limit)
                        .cloned()
                        .collect();
                    newer.reverse();
                    newer
                }
            };
            data.truncate(req.limit);
            let next = data.last().and_then(|last| {
                log.iter()
                    .any(|e| e.seq < last.seq && f.keeps(e))
                    .then_some(Cursor::After(last.seq))
            });
            let previous = data.first().and_then(|first| {
                log.iter()
                    .any(|e| e.seq > first.seq && f.keeps(e))
                    .then_some(Cursor::Before(first.seq))
            });
            Ok(Page {
                data,
                next,
                previous,
            })
        })
    }
}

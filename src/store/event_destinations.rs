//! Store methods for v2 event destinations (`ed_…`): create, retrieve, update, delete, list,
//! enable, disable, ping. Destinations live in the account, so a reset clears them too.

use std::sync::Arc;

use crate::domain::catalog::Metadata;
use crate::domain::event_destination::{EventDestination, EventPayload, MAX_EVENT_DESTINATIONS};
use crate::domain::patch::MetadataUpdate;
use crate::error::{Error, Result};
use crate::store::billing::{Page, PageRequest};
use crate::version::ApiVersion;

use super::events::Actor;
use super::{AccountKey, Store};

/// Parameters of `POST /v2/core/event_destinations`.
#[derive(Debug)]
pub struct NewEventDestination {
    /// Its name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Types, or `*`.
    pub enabled_events: Vec<String>,
    /// Thin or snapshot.
    pub event_payload: EventPayload,
    /// Snapshot rendering version.
    pub snapshot_api_version: Option<ApiVersion>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Where events go.
    pub url: String,
}

/// Parameters of `POST /v2/core/event_destinations/{id}`.
#[derive(Debug, Default)]
pub struct EventDestinationUpdate {
    /// Its name.
    pub name: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Types, or `*`.
    pub enabled_events: Option<Vec<String>>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Where events go.
    pub url: Option<String>,
}

fn not_found(id: &str) -> Error {
    Error::NotFound {
        code: "resource_missing",
        message: format!("No such event destination: '{id}'"),
        param: None,
    }
}

impl Store {
    /// Creates an enabled destination with a new `whsec_…` secret.
    ///
    /// # Errors
    /// 400 when the account already has [`MAX_EVENT_DESTINATIONS`].
    pub fn create_event_destination(
        &self,
        acct: &AccountKey,
        p: NewEventDestination,
    ) -> Result<Arc<EventDestination>> {
        self.write(acct, |s, ctx| {
            if s.event_destinations.len() >= MAX_EVENT_DESTINATIONS {
                return Err(Error::invalid(
                    "event_destination_limit_reached",
                    format!(
                        "You have reached the maximum of {MAX_EVENT_DESTINATIONS} event destinations."
                    ),
                ));
            }
            let mut metadata = Metadata::new();
            if let Some(m) = p.metadata {
                m.merge_into(&mut metadata);
            }
            let d = Arc::new(EventDestination {
                id: ctx.ids.v2("ed_"),
                created: ctx.now,
                updated: ctx.now,
                livemode: ctx.livemode,
                name: p.name,
                description: p.description.unwrap_or_default(),
                enabled_events: p.enabled_events,
                event_payload: p.event_payload,
                snapshot_api_version: p.snapshot_api_version,
                metadata,
                enabled: true,
                url: p.url,
                signing_secret: ctx.ids.token("whsec_", 32),
            });
            s.event_destinations.insert(&d.id, Arc::clone(&d));
            Ok(d)
        })
    }

    /// Retrieves a destination.
    ///
    /// # Errors
    /// 404 if it does not exist.
    pub fn event_destination(&self, acct: &AccountKey, id: &str) -> Result<Arc<EventDestination>> {
        self.read(acct, |s| {
            s.event_destinations
                .get(id)
                .cloned()
                .ok_or_else(|| not_found(id))
        })
    }

    fn change_event_destination(
        &self,
        acct: &AccountKey,
        id: &str,
        change: impl FnOnce(&mut EventDestination),
    ) -> Result<Arc<EventDestination>> {
        self.write(acct, |s, ctx| {
            let slot = s
                .event_destinations
                .get_mut(id)
                .ok_or_else(|| not_found(id))?;
            let d = Arc::make_mut(slot);
            change(d);
            d.updated = ctx.now;
            Ok(Arc::clone(slot))
        })
    }

    /// Updates a destination (its secret never changes).
    ///
    /// # Errors
    /// 404 if it does not exist.
    pub fn update_event_destination(
        &self,
        acct: &AccountKey,
        id: &str,
        p: EventDestinationUpdate,
    ) -> Result<Arc<EventDestination>> {
        self.change_event_destination(acct, id, |d| {
            if let Some(name) = p.name {
                d.name = name;
            }
            if let Some(description) = p.description {
                d.description = description;
            }
            if let Some(events) = p.enabled_events {
                d.enabled_events = events;
            }
            if let Some(m) = p.metadata {
                m.merge_into(&mut d.metadata);
            }
            if let Some(url) = p.url {
                d.url = url;
            }
        })
    }

    /// Enables or disables a destination.
    ///
    /// # Errors
    /// 404 if it does not exist.
    pub fn set_event_destination_enabled(
        &self,
        acct: &AccountKey,
        id: &str,
        enabled: bool,
    ) -> Result<Arc<EventDestination>> {
        self.change_event_destination(acct, id, |d| d.enabled = enabled)
    }

    /// Deletes a destination; deliveries already queued to it still run.
    ///
    /// # Errors
    /// 404 if it does not exist.
    pub fn delete_event_destination(
        &self,
        acct: &AccountKey,
        id: &str,
    ) -> Result<Arc<EventDestination>> {
        self.write(acct, |s, _| {
            s.event_destinations.remove(id).ok_or_else(|| not_found(id))
        })
    }

    /// Sends a `v2.core.event_destination.ping` to the destination (only).
    ///
    /// # Errors
    /// 404 if it does not exist.
    pub fn ping_event_destination(&self, acct: &Actor, id: &str) -> Result<Arc<EventDestination>> {
        self.write(acct, |s, _| {
            let d = s
                .event_destinations
                .get(id)
                .cloned()
                .ok_or_else(|| not_found(id))?;
            s.events.thin.emit_ping(id);
            Ok(d)
        })
    }

    /// A page of destinations, newest first.
    ///
    /// # Errors
    /// None in practice.
    pub fn list_event_destinations(
        &self,
        acct: &AccountKey,
        req: &PageRequest,
    ) -> Result<Page<Arc<EventDestination>>> {
        self.read(acct, |s| {
            let page = s.event_destinations.page(req.cursor, req.limit, |_| true);
            let seq = |d: &Arc<EventDestination>| s.event_destinations.seq_of(&d.id);
            let data: Vec<Arc<EventDestination>> = page.items.into_iter().cloned().collect();
            let next = if page.has_more {
                data.last()
                    .and_then(seq)
                    .map(crate::domain::collection::Cursor::After)
            } else {
                None
            };
            let previous = data.first().and_then(seq).and_then(|first| {
                s.event_destinations
                    .any_newer(first, |_| true)
                    .then_some(crate::domain::collection::Cursor::Before(first))
            });
            Ok(Page {
                data,
                next,
                previous,
            })
        })
    }
}

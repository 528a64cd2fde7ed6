//! v2 event destinations (`v2.core.event_destination`, `ed_…`) of type `webhook_endpoint`:
//! where an account's events go, as thin or snapshot payloads, and which types they take.

use chrono::{DateTime, Utc};

use crate::domain::catalog::Metadata;
use crate::domain::event::matches_name;
use crate::domain::webhook_endpoint::WebhookEndpoint;
use crate::version::ApiVersion;

/// How many event destinations an account may have.
pub const MAX_EVENT_DESTINATIONS: usize = 16;

/// What a destination receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventPayload {
    /// v2 thin events (`v2.core.event`).
    Thin,
    /// v1 snapshot events (`event`), rendered at `snapshot_api_version`.
    Snapshot,
}

/// An event destination of type `webhook_endpoint`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDestination {
    /// `ed_…`
    pub id: String,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// When it was last changed.
    pub updated: DateTime<Utc>,
    /// Whether the account is live.
    pub livemode: bool,
    /// Its name.
    pub name: String,
    /// Free text (`""` when not given, as Stripe renders it).
    pub description: String,
    /// Event types it takes (exact names; `*` is every type).
    pub enabled_events: Vec<String>,
    /// Thin or snapshot.
    pub event_payload: EventPayload,
    /// The version snapshot events are rendered at (and the one that decides which thin types
    /// exist); `None`: the account's default.
    pub snapshot_api_version: Option<ApiVersion>,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Disabled destinations receive nothing.
    pub enabled: bool,
    /// Where events are POSTed.
    pub url: String,
    /// `whsec_…`: the key deliveries are signed with.
    pub signing_secret: String,
}

impl EventDestination {
    /// Whether an event named `name` goes to this destination.
    pub fn wants(&self, name: &str) -> bool {
        self.enabled
            && self
                .enabled_events
                .iter()
                .any(|e| e == "*" || matches_name(name, e) && !e.ends_with('*'))
    }

    /// The destination as the webhook endpoint the delivery task sends snapshot events to.
    pub fn as_webhook_endpoint(&self) -> WebhookEndpoint {
        WebhookEndpoint {
            id: self.id.clone(),
            created: self.created.timestamp(),
            livemode: self.livemode,
            url: self.url.clone(),
            enabled_events: self.enabled_events.clone(),
            api_version: self.snapshot_api_version,
            description: None,
            metadata: Metadata::new(),
            disabled: !self.enabled,
            secret: self.signing_secret.clone(),
        }
    }
}

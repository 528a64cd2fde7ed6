//! Store methods for webhook endpoints (`we_…`): create, retrieve, update, delete, list.
//! Endpoints live in the account like every other object, so a reset clears them too.

use std::sync::Arc;

use crate::domain::catalog::Metadata;
use crate::domain::patch::{MetadataUpdate, Patch};
use crate::domain::webhook_endpoint::{MAX_WEBHOOK_ENDPOINTS, WebhookEndpoint};
use crate::error::{Error, Result};
use crate::store::catalog::Deleted;
use crate::version::ApiVersion;

use super::{AccountKey, ListPage, ListQuery, Store, list_page};

/// Parameters of `POST /v1/webhook_endpoints`.
#[derive(Debug, Default)]
pub struct NewWebhookEndpoint {
    /// Where events go.
    pub url: String,
    /// Types, or `*`.
    pub enabled_events: Vec<String>,
    /// Rendering version; `None`: the account's default.
    pub api_version: Option<ApiVersion>,
    /// Free text.
    pub description: Option<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Created disabled.
    pub disabled: bool,
}

/// Parameters of `POST /v1/webhook_endpoints/{id}`.
#[derive(Debug, Default)]
pub struct WebhookEndpointUpdate {
    /// Where events go.
    pub url: Option<String>,
    /// Types, or `*`.
    pub enabled_events: Option<Vec<String>>,
    /// Free text.
    pub description: Patch<String>,
    /// Metadata.
    pub metadata: Option<MetadataUpdate>,
    /// Enabled or disabled.
    pub disabled: Option<bool>,
}

impl Store {
    /// Creates a webhook endpoint with a new `whsec_…` secret.
    ///
    /// # Errors
    /// 400 when the account already has [`MAX_WEBHOOK_ENDPOINTS`].
    pub fn create_webhook_endpoint(
        &self,
        acct: &AccountKey,
        p: NewWebhookEndpoint,
    ) -> Result<Arc<WebhookEndpoint>> {
        self.write(acct, |s, ctx| {
            if s.webhook_endpoints.len() >= MAX_WEBHOOK_ENDPOINTS {
                return Err(Error::invalid(
                    "webhook_endpoint_limit_reached",
                    format!(
                        "You have reached the maximum of {MAX_WEBHOOK_ENDPOINTS} test webhook endpoints."
                    ),
                ));
            }
            let mut metadata = Metadata::new();
            if let Some(m) = p.metadata {
                m.merge_into(&mut metadata);
            }
            let endpoint = Arc::new(WebhookEndpoint {
                id: ctx.ids.v1("we_"),
                created: ctx.unix(),
                livemode: ctx.livemode,
                url: p.url,
                enabled_events: p.enabled_events,
                api_version: p.api_version,
                description: p.description,
                metadata,
                disabled: p.disabled,
                secret: ctx.ids.token("whsec_", 32),
            });
            s.webhook_endpoints
                .insert(&endpoint.id, Arc::clone(&endpoint));
            Ok(endpoint)
        })
    }

    /// Retrieves a webhook endpoint.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn webhook_endpoint(&self, acct: &AccountKey, id: &str) -> Result<Arc<WebhookEndpoint>> {
        self.read(acct, |s| {
            s.webhook_endpoints
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("webhook_endpoint", id, "id"))
        })
    }

    /// Updates a webhook endpoint (its secret never changes).
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn update_webhook_endpoint(
        &self,
        acct: &AccountKey,
        id: &str,
        p: WebhookEndpointUpdate,
    ) -> Result<Arc<WebhookEndpoint>> {
        self.write(acct, |s, _| {
            let slot = s
                .webhook_endpoints
                .get_mut(id)
                .ok_or_else(|| Error::missing("webhook_endpoint", id, "id"))?;
            let we = Arc::make_mut(slot);
            if let Some(url) = p.url {
                we.url = url;
            }
            if let Some(events) = p.enabled_events {
                we.enabled_events = events;
            }
            p.description.apply_to(&mut we.description);
            if let Some(m) = p.metadata {
                m.merge_into(&mut we.metadata);
            }
            if let Some(d) = p.disabled {
                we.disabled = d;
            }
            Ok(Arc::clone(slot))
        })
    }

    /// Deletes a webhook endpoint; deliveries already queued to it still run.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn delete_webhook_endpoint(&self, acct: &AccountKey, id: &str) -> Result<Deleted> {
        self.write(acct, |s, _| {
            s.webhook_endpoints
                .remove(id)
                .map(|we| Deleted { id: we.id.clone() })
                .ok_or_else(|| Error::missing("webhook_endpoint", id, "id"))
        })
    }

    /// Lists webhook endpoints, newest first.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_webhook_endpoints(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
    ) -> Result<ListPage<Arc<WebhookEndpoint>>> {
        self.read(acct, |s| {
            list_page(&s.webhook_endpoints, "webhook_endpoint", q, |_| true)
        })
    }
}

//! Webhook endpoints (`we_…`): where an account's events are delivered, and which ones.

use crate::domain::catalog::Metadata;
use crate::domain::event::{EventType, matches_name};
use crate::version::ApiVersion;

/// How many webhook endpoints an account may have, as on Stripe.
pub const MAX_WEBHOOK_ENDPOINTS: usize = 16;

/// A webhook endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEndpoint {
    /// `we_…`
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Whether the account is live.
    pub livemode: bool,
    /// Where events are POSTed.
    pub url: String,
    /// Event types to deliver; `*` is every type.
    pub enabled_events: Vec<String>,
    /// The version events are rendered at; `None` is the account's default.
    pub api_version: Option<ApiVersion>,
    /// Free text.
    pub description: Option<String>,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// A disabled endpoint receives nothing.
    pub disabled: bool,
    /// `whsec_…`: the key deliveries are signed with.
    pub secret: String,
}

impl WebhookEndpoint {
    /// Whether an event of type `kind` goes to this endpoint.
    pub fn wants(&self, kind: EventType) -> bool {
        !self.disabled
            && self
                .enabled_events
                .iter()
                // `*` only: Stripe's endpoints do not take `prefix.*` patterns.
                .any(|e| e == "*" || matches_name(kind.as_str(), e) && !e.ends_with('*'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(events: &[&str], disabled: bool) -> WebhookEndpoint {
        WebhookEndpoint {
            id: "we_1".into(),
            created: 0,
            livemode: false,
            url: "http://127.0.0.1:1/".into(),
            enabled_events: events.iter().map(|e| (*e).to_owned()).collect(),
            api_version: None,
            description: None,
            metadata: Metadata::new(),
            disabled,
            secret: "whsec_x".into(),
        }
    }

    #[test]
    fn endpoints_select_events() {
        assert!(endpoint(&["*"], false).wants(EventType::InvoicePaid));
        assert!(endpoint(&["invoice.paid"], false).wants(EventType::InvoicePaid));
        assert!(!endpoint(&["invoice.paid"], false).wants(EventType::InvoiceVoided));
        assert!(!endpoint(&["*"], true).wants(EventType::InvoicePaid));
    }
}

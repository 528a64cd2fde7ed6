//! Integration tests over real HTTP: one binary, shared helpers.

mod binary;
mod helpers;
mod intent_helpers;
mod invoice_support;

mod accounts;
mod auth;
mod billing_intent_actions;
mod billing_intents;
mod cadences;
mod catalog;
mod concurrency;
mod conformance;
mod control_plane;
mod conventions;
mod events;
mod fixtures;
mod idempotency;
mod invoice_items;
mod invoice_lines;
mod invoice_params;
mod invoice_previews;
mod invoice_taxes;
mod invoices;
mod library;
mod limits_time;
mod parameter_errors;
mod payment_records;
mod unattended;
mod v2_errors;
mod v2_events;
mod v2_versions;
mod validation;
mod versions;

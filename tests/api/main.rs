//! Integration tests over real HTTP: one binary, shared helpers.

mod helpers;
mod intent_helpers;

mod auth;
mod billing_intent_actions;
mod billing_intents;
mod cadences;
mod catalog;
mod concurrency;
mod control_plane;
mod conventions;
mod fixtures;
mod idempotency;
mod library;
mod payment_records;
mod validation;

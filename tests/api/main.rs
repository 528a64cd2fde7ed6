//! Integration tests over real HTTP: one binary, shared helpers.

mod billing_intent_actions;
mod billing_intents;
mod cadences;
mod helpers;
mod intent_helpers;
mod payment_records;

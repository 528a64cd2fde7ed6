//! Plain-Rust domain layer: objects, rules and arithmetic. No HTTP types, no JSON, no clock
//! reads: callers pass `now` and ids in.

pub mod billing_intent;
pub mod cadence;
pub mod catalog;
pub mod clock;
pub mod collection;
pub mod decimal;
pub mod event;
pub mod event_destination;
pub mod id;
pub mod invoice;
pub mod money;
pub mod patch;
pub mod payment_record;
pub mod thin_event;
pub mod webhook_endpoint;

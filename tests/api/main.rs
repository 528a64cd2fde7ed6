//! Integration tests over real HTTP: one binary, shared helpers.

mod helpers;

mod auth;
mod catalog;
mod control_plane;
mod conventions;
mod idempotency;
mod library;

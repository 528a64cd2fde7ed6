//! Integration tests over real HTTP: one binary, shared helpers.

mod helpers;

mod auth;
mod catalog;
mod control_plane;
mod conventions;
mod fixtures;
mod idempotency;
mod library;

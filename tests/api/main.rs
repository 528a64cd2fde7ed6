//! Integration tests over real HTTP: one binary, shared helpers.

mod helpers;

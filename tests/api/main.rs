//! Integration tests over real HTTP: one binary, shared helpers.

mod binary;
mod helpers;

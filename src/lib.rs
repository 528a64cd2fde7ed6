//! A fast, stateful mock of Stripe's v2 Billing Intents and v1 invoice-line APIs.
//!
//! The same router serves three ways:
//! - **CLI / dev server**: `cargo run --release` listens on `127.0.0.1:12111`;
//! - **Docker**: the image runs the same binary, configured by `STRIPE_MOCK_*` env vars;
//! - **library**: [`MockServer::start`] serves on an ephemeral port inside your test.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let server = stripe_billing_mock::MockServer::start().await;
//! let mut conn = tokio::net::TcpStream::connect(server.address()).await?;
//! conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n").await?;
//! let mut response = String::new();
//! conn.read_to_string(&mut response).await?;
//! assert!(response.starts_with("HTTP/1.1 200"));
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//! - [`domain`]: objects, state machines and arithmetic, with no HTTP types;
//! - [`store`]: the in-memory store, partitioned by account; the only owner of mutable state;
//! - [`http`]: routers per resource, extractors, the one error mapping, and Stripe's conventions
//!   as one tower layer each ([`http::layers`]);
//! - [`server`]: [`MockServer`]; [`serve`]: the accept loop shared with the binary, with its
//!   time and connection limits;
//! - [`config`] and [`telemetry`]: used by the binary.

pub mod account;
pub mod config;
pub mod domain;
pub mod error;
pub mod fixtures;
pub mod http;
pub mod serve;
pub mod server;
pub mod store;
mod sync;
pub mod telemetry;
pub mod version;
pub mod webhooks;

pub use account::Account;
pub use config::Config;
pub use error::{Error, Result};
pub use server::{MockServer, MockServerBuilder};

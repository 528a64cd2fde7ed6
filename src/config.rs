//! Command-line and environment configuration, shared by the binary and `MockServer::builder`.

use clap::{Parser, ValueEnum};

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Configuration of the server. Every flag has an environment variable with the
/// `STRIPE_MOCK_` prefix.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "stripe-billing-mock",
    version,
    about = "A stateful mock of Stripe's v2 Billing Intents and v1 invoice-line APIs"
)]
pub struct Config {
    /// Address to bind.
    #[arg(long, env = "STRIPE_MOCK_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind; 0 picks a free port.
    #[arg(long, env = "STRIPE_MOCK_PORT", default_value_t = 12111)]
    pub port: u16,
    /// Log format.
    #[arg(long, env = "STRIPE_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Reproducible ids and time: ids from a fixed seed, the clock frozen at
    /// 2025-01-01T00:00:00Z (movable through `/_mock/clock`).
    #[arg(long, env = "STRIPE_MOCK_DETERMINISTIC")]
    pub deterministic: bool,
    /// Seed of the id sequences (implies seeded ids; with --deterministic defaults to 0).
    #[arg(long, env = "STRIPE_MOCK_SEED")]
    pub seed: Option<u64>,
    /// How many received requests the journal keeps (0 disables it).
    #[arg(long, env = "STRIPE_MOCK_JOURNAL_LIMIT", default_value_t = crate::http::journal::DEFAULT_JOURNAL_LIMIT)]
    pub journal_limit: usize,
    /// Most bytes the journal keeps (request heads and bodies, each body at most 64 KiB);
    /// the oldest entries are dropped first.
    #[arg(long, env = "STRIPE_MOCK_JOURNAL_MAX_BYTES", default_value_t = crate::http::journal::DEFAULT_JOURNAL_MAX_BYTES)]
    pub journal_max_bytes: usize,
    /// Token every control-plane (`/_mock/*`) request must carry, as `Authorization: Bearer
    /// <token>` or `X-Mock-Admin-Token: <token>`; none by default.
    #[arg(long, env = "STRIPE_MOCK_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Host names (or `name:port`) the control plane answers to besides localhost, loopback
    /// and the bound address; repeatable or comma-separated, `*` for any.
    #[arg(long, env = "STRIPE_MOCK_ALLOW_HOST", value_delimiter = ',')]
    pub allow_host: Vec<String>,
    /// API version of requests that send no `Stripe-Version` (default: the newest GA version
    /// implemented, 2026-10-28.endive; `/v2` paths take it only if it is a `.preview` version,
    /// else 2026-10-14.preview).
    #[arg(long, env = "STRIPE_MOCK_API_VERSION")]
    pub api_version: Option<crate::version::ApiVersion>,
    /// Fixture document (JSON file) or directory of them, loaded into every account when it is
    /// first used.
    #[arg(long, env = "STRIPE_MOCK_FIXTURES")]
    pub fixtures: Option<std::path::PathBuf>,
    /// Deliver every event of every account to this URL as well (like `stripe listen
    /// --forward-to`), signed with the secret printed at start-up.
    #[arg(long, env = "STRIPE_MOCK_FORWARD_TO")]
    pub forward_to: Option<String>,
    /// Divides Stripe's webhook retry schedule (1 hour, 2, 4 in test mode): the default 1800
    /// retries after 2, 4 and 8 seconds.
    #[arg(long, env = "STRIPE_MOCK_WEBHOOK_RETRY_SCALE", default_value_t = crate::webhooks::DEFAULT_RETRY_SCALE)]
    pub webhook_retry_scale: f64,
    /// Subcommand; none means "serve".
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Exit 0 if a server at --host/--port answers `GET /healthz` with 200 (for container health checks).
    Healthcheck,
}

impl Config {
    /// The starting point (seeded ids, frozen clock) these options ask for.
    pub fn start(&self) -> crate::http::Start {
        let mut start = if self.deterministic {
            crate::http::Start::deterministic()
        } else {
            crate::http::Start::default()
        };
        if self.seed.is_some() {
            start.seed = self.seed;
        }
        start
    }

    /// The control-plane and journal options of these flags.
    pub fn control_options(&self) -> crate::http::control::ControlOptions {
        crate::http::control::ControlOptions {
            allowed_hosts: self.allow_host.clone(),
            admin_token: self.admin_token.clone(),
            journal_max_bytes: Some(self.journal_max_bytes),
        }
    }
}

/// Reads a fixture document, or every `*.json` document of a directory (in name order).
///
/// # Errors
/// Unreadable files or invalid JSON, with the file name.
pub fn read_fixtures(path: &std::path::Path) -> Result<Vec<serde_json::Value>, String> {
    let files = if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))
        })
        .collect()
}

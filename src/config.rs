//! Command-line and environment configuration, shared by the binary and `MockServer::builder`.

use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::serve::ConnectionLimits;

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
    /// Most accounts (secret keys and connected accounts) kept at once; beyond it the least
    /// recently used is forgotten, with a log line.
    #[arg(long, env = "STRIPE_MOCK_MAX_ACCOUNTS", default_value_t = crate::store::DEFAULT_MAX_ACCOUNTS)]
    pub max_accounts: usize,
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
    /// Seconds a client has to send a request head (request line and headers).
    #[arg(long, env = "STRIPE_MOCK_HEADER_READ_TIMEOUT", default_value = "10", value_parser = seconds)]
    pub header_read_timeout: Duration,
    /// Seconds a connection may stay idle (no request being handled, no byte moved).
    #[arg(long, env = "STRIPE_MOCK_IDLE_TIMEOUT", default_value = "5", value_parser = seconds)]
    pub idle_timeout: Duration,
    /// Seconds a client has to send a whole request body (beyond it: 408, connection closed).
    #[arg(long, env = "STRIPE_MOCK_BODY_TIMEOUT", default_value = "30", value_parser = seconds)]
    pub body_timeout: Duration,
    /// Seconds open connections get to finish on shutdown before they are cut.
    #[arg(long, env = "STRIPE_MOCK_SHUTDOWN_TIMEOUT", default_value = "5", value_parser = seconds)]
    pub shutdown_timeout: Duration,
    /// Connections served at once; beyond it new ones wait until one closes (default 1024, or
    /// the open-file limit less 64 if that is lower).
    #[arg(long, env = "STRIPE_MOCK_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
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
    /// The time and connection limits these options ask for.
    pub fn limits(&self) -> ConnectionLimits {
        let mut limits = ConnectionLimits {
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
            body_timeout: self.body_timeout,
            shutdown_timeout: self.shutdown_timeout,
            ..ConnectionLimits::default()
        };
        if let Some(max) = self.max_connections {
            limits.max_connections = max;
        }
        limits
    }

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

/// A positive number of seconds (decimals allowed: `0.2`).
fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if secs <= 0.0 {
        return Err(format!("`{text}`: the time must be positive"));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_positive_seconds_with_decimals() {
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        assert_eq!(seconds("0.2"), Ok(Duration::from_millis(200)));
        assert!(seconds("0").is_err());
        assert!(seconds("-1").is_err());
        assert!(seconds("ten").is_err());
        assert!(seconds("1e30").is_err());
    }

    #[test]
    fn the_limits_come_from_the_flags() {
        let config =
            Config::parse_from(["mock", "--idle-timeout", "0.5", "--max-connections", "7"]);
        let limits = config.limits();
        assert_eq!(limits.idle_timeout, Duration::from_millis(500));
        assert_eq!(limits.max_connections, 7);
        assert_eq!(limits.header_read_timeout, Duration::from_secs(10));
    }
}

//! Tracing subscriber set-up, for the binary and test helpers only: the library never installs
//! a global subscriber.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs a global subscriber filtered by `RUST_LOG` (default
/// `stripe_billing_mock=info,warn`). Does nothing if one is already installed.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("stripe_billing_mock=info,warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

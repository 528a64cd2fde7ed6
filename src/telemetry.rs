//! Tracing subscriber set-up, for the binary and test helpers only: the library never installs
//! a global subscriber.
//!
//! Log lines are written to stderr by a background thread (`tracing-appender`'s non-blocking
//! writer): a request's log line costs a copy into a bounded queue, not a write system call on
//! the serving thread. The queue is lossy: when stderr cannot keep up and
//! [`BUFFERED_LINES_LIMIT`] lines are waiting, further lines are dropped rather than slowing
//! the server down.

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Most log lines waiting for the writer thread; lines beyond it are dropped. The queue is
/// allocated whole at start-up (about 32 bytes a line), so it is sized for bursts of a few
/// tens of milliseconds, not more.
pub const BUFFERED_LINES_LIMIT: usize = 8_192;

/// Installs a global subscriber filtered by `RUST_LOG` (default
/// `stripe_billing_mock=info,warn`), writing through a non-blocking stderr writer. Keep the
/// returned guard alive while the program runs: dropping it flushes the lines still queued.
/// Installs nothing if a subscriber is already installed (the guard is returned all the same).
pub fn init(format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("stripe_billing_mock=info,warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (writer, guard) = NonBlockingBuilder::default()
        .buffered_lines_limit(BUFFERED_LINES_LIMIT)
        .lossy(true)
        .thread_name("log-writer")
        .finish(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    guard
}

//! Tracing subscriber set-up, for the binary and test helpers only: the library never installs
//! a global subscriber.
//!
//! Log lines are written to stderr by a background thread (`tracing-appender`'s non-blocking
//! writer): a request's log line costs a copy into a bounded queue, not a write system call on
//! the serving thread. The queue is lossy: when stderr cannot keep up and
//! [`BUFFERED_LINES_LIMIT`] lines are waiting, further lines are dropped rather than slowing
//! the server down.

use std::fmt;

use chrono::{SecondsFormat, Utc};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

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
        .with_timer(Rfc3339Micros)
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    guard
}

/// Each line's time in UTC, RFC 3339 with microseconds (`2026-12-02T05:54:08.395028Z`), as
/// tracing-subscriber's default prints it, written by chrono, which does it in about half the
/// instructions.
#[derive(Debug, Clone, Copy)]
struct Rfc3339Micros;

impl FormatTime for Rfc3339Micros {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        w.write_str(&Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line's time reads as tracing-subscriber's default prints it: RFC 3339, UTC, six
    /// digits of fraction.
    #[test]
    fn times_are_rfc3339_utc_with_microseconds() {
        let mut text = String::new();
        Rfc3339Micros
            .format_time(&mut Writer::new(&mut text))
            .expect("formats");
        let parsed = chrono::DateTime::parse_from_rfc3339(&text).expect("RFC 3339");
        assert_eq!(parsed.offset().local_minus_utc(), 0, "{text}");
        assert!(text.ends_with('Z'), "{text}");
        let fraction = text.split_once('.').map(|(_, f)| f.trim_end_matches('Z'));
        assert_eq!(fraction.map(str::len), Some(6), "{text}");
        assert!(
            (Utc::now() - parsed.with_timezone(&Utc))
                .num_seconds()
                .abs()
                < 60
        );
    }
}

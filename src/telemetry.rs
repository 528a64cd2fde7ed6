//! Tracing subscriber set-up, for the binary and test helpers only: the library never installs
//! a global subscriber.
//!
//! Log lines are written to stderr by a background thread (`tracing-appender`'s non-blocking
//! writer): a request's log line costs a copy into a bounded queue, not a write system call on
//! the serving thread. The queue is lossy: when stderr cannot keep up and
//! [`BUFFERED_LINES_LIMIT`] lines are waiting, further lines are dropped rather than slowing
//! the server down. The thread writes the lines it finds waiting in one system call, and
//! writes as soon as the queue is empty, so a line is never held back.

use std::fmt;

use chrono::{SecondsFormat, Utc};
use tracing::Metadata;
use tracing::field::Field;
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::{DefaultFields, Format, Full, Writer, debug_fn};
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

use crate::config::LogFormat;

/// Most log lines waiting for the writer thread; lines beyond it are dropped. The queue is
/// allocated whole at start-up (about 32 bytes a line), so it is sized for bursts of a few
/// tens of milliseconds, not more.
pub const BUFFERED_LINES_LIMIT: usize = 8_192;

/// The writer thread's buffer: the lines queued while it writes are gathered into one write
/// of up to this many bytes, and written out as soon as the queue is empty.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

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
        .finish(std::io::BufWriter::with_capacity(
            WRITE_BUFFER_BYTES,
            std::io::stderr(),
        ));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Text if ansi => registry.with(lines(writer, true)).try_init(),
        // Request lines, the bulk of the log, take the plain field formatter.
        LogFormat::Text => registry
            .with(
                lines(writer.clone(), false)
                    .fmt_fields(plain_fields())
                    .with_filter(filter_fn(is_request_line)),
            )
            .with(lines(writer, false).with_filter(filter_fn(|m| !is_request_line(m))))
            .try_init(),
        LogFormat::Json => registry
            .with(lines(writer, ansi).json().flatten_event(true))
            .try_init(),
    };
    guard
}

/// Lines written by `writer`, timed by [`Rfc3339Micros`], with colours if `ansi`.
fn lines<S>(writer: NonBlocking, ansi: bool) -> Lines<S>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .with_timer(Rfc3339Micros)
        .with_writer(writer)
        .with_ansi(ansi)
}

/// The formatting layer [`lines`] builds.
type Lines<S> =
    tracing_subscriber::fmt::Layer<S, DefaultFields, Format<Full, Rfc3339Micros>, NonBlocking>;

/// Whether `metadata` is the request log's line (`http::layers::log`).
fn is_request_line(metadata: &Metadata<'_>) -> bool {
    metadata.target() == crate::http::layers::log::TARGET
}

/// The fields of a request line as the default text format writes them without colours
/// (`request method=GET path=/v1/customers …`: the message, then `name=value`), without
/// passing each name through the styling the default applies even when colours are off (about
/// a third of a request line's cost). Only for request lines: their values are a method, a
/// URI path (which cannot hold control characters), numbers and an id, so there is nothing the
/// default would escape, and they carry no `log.` fields.
fn plain_fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    debug_fn(
        |w: &mut Writer<'_>, field: &Field, value: &dyn fmt::Debug| match field.name() {
            "message" => write!(w, "{value:?}"),
            name => write!(w, "{name}={value:?}"),
        },
    )
    .delimited(" ")
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
    use crate::http::layers::testing::Captured;

    /// A request line as `fields` (the plain formatter, or the default's) write it, without
    /// the time and colours.
    fn request_line<N>(fields: N) -> String
    where
        N: for<'w> FormatFields<'w> + Send + Sync + 'static,
    {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .without_time()
            .with_ansi(false)
            .fmt_fields(fields)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                target: crate::http::layers::log::TARGET,
                method = %"POST",
                path = %"/v2/billing/intents/bi_1/reserve",
                status = 402u16,
                request_id = %"req_abc",
                elapsed_us = 17u64,
                "request"
            );
        });
        captured.text()
    }

    #[test]
    fn request_lines_read_as_the_default_format_writes_them() {
        let plain = request_line(plain_fields());
        assert_eq!(plain, request_line(DefaultFields::new()));
        assert!(
            plain.ends_with(
                "request method=POST path=/v2/billing/intents/bi_1/reserve status=402 \
                 request_id=req_abc elapsed_us=17\n"
            ),
            "{plain}"
        );
    }

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

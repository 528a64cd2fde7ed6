//! The accept loop, with the time and connection limits that make the mock safe to leave
//! running ([`ConnectionLimits`]).
//!
//! `axum::serve` has no timeouts, no connection limit and no shutdown deadline, so the mock
//! serves each connection with hyper's HTTP/1 connection directly (axum's `serve-with-hyper`
//! and `graceful-shutdown` examples), adding:
//!
//! - a header read timeout: a connection waiting for a request head (since it opened, or since
//!   its last answer) that has not received a whole one in that time is closed, whatever
//!   trickles in meanwhile (a half-sent head is cut);
//! - an idle timeout: a connection with no request being handled and no byte moved in either
//!   direction for that long is closed (an idle keep-alive connection, or a client that stops
//!   reading its answer); both are watched by one sleep per connection, which wakes at the
//!   earlier deadline and looks again, not by a timer per request (hyper's own header read
//!   timeout starts and stops a timer for every request a keep-alive connection reads);
//! - the body timeout, left on each request for the body layer ([`BodyTimeout`]: 408);
//! - `Connection: close` on every answer given before the request's body was read to its end
//!   (401, 413, 408…): hyper closes such a connection after the answer, and says so;
//! - a connection limit: beyond it new connections wait in the listen backlog (one log line
//!   when the limit is reached, one when there is room again);
//! - a shutdown deadline: on shutdown the listener closes, idle connections close at once,
//!   busy ones after their answer; whatever is still open at the deadline is cut, with a log
//!   line saying how many.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONNECTION, HeaderValue};
use axum::response::Response;
use http_body::{Body as _, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use tower::{Service, ServiceExt};

use crate::http::{AppState, app};

/// Time and connection limits of the server. The defaults suit a dev server or a CI service
/// container left running for days; tests may shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time a client has to send a request head (request line and headers), counted from when
    /// the connection starts waiting for it: when it opens, and when a keep-alive connection
    /// has answered a request. Beyond it the connection is closed, without an answer.
    pub header_read_timeout: Duration,
    /// A connection with no request being handled and no byte sent or received for this long
    /// is closed.
    pub idle_timeout: Duration,
    /// Time a client has to send a whole request body, from when the body layer starts
    /// reading it; beyond it the answer is a Stripe-shaped 408 and the connection is closed.
    pub body_timeout: Duration,
    /// On shutdown, time left to open connections to finish their requests; those still open
    /// after it are cut.
    pub shutdown_timeout: Duration,
    /// Connections served at once; beyond it new connections wait until one closes.
    pub max_connections: usize,
}

/// Default of [`ConnectionLimits::max_connections`] where the open-file limit allows it.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// File descriptors kept free for everything that is not a served connection (the listener,
/// stdio, log files, webhook deliveries, fixture files).
const RESERVED_FDS: usize = 64;

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(5),
            max_connections: default_max_connections(),
        }
    }
}

/// [`DEFAULT_MAX_CONNECTIONS`], lowered to the process's soft open-file limit less
/// `RESERVED_FDS` when that is lower (read from `/proc/self/limits`; elsewhere the default
/// stands), so that the limit is reached before `accept` fails for want of descriptors.
pub fn default_max_connections() -> usize {
    let soft_limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            let line = limits
                .lines()
                .find(|l| l.starts_with("Max open files"))?
                .to_owned();
            line.split_whitespace().nth(3)?.parse::<usize>().ok()
        });
    match soft_limit {
        Some(fds) => DEFAULT_MAX_CONNECTIONS.min(fds.saturating_sub(RESERVED_FDS).max(1)),
        None => DEFAULT_MAX_CONNECTIONS,
    }
}

/// The body layer's time limit for a request's body, left in its extensions by the accept
/// loop (absent when the router is called without it, as in unit tests: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

/// Where the server is in its life, as its connections see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Serving,
    Draining,
    Cut,
}

/// Serves the mock's router on `listener` until `shutdown` completes, then lets open
/// connections finish within [`ConnectionLimits::shutdown_timeout`] and cuts the rest. Used by
/// the binary and by [`crate::MockServer`].
///
/// # Errors
/// None so far: accept errors are logged and retried, never fatal.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let delivery = crate::webhooks::deliver::spawn(state.clone());
    let service = match app(state.clone()).oneshot(()).await {
        Ok(service) => service,
        Err(never) => match never {},
    };
    let max = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let permits = Arc::new(Semaphore::new(max as usize));
    let (stage, stages) = watch::channel(Stage::Serving);
    tokio::pin!(shutdown);
    let mut at_limit = false;
    loop {
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => {
                if at_limit {
                    at_limit = false;
                    tracing::info!(max_connections = max, "below the connection limit again");
                }
                permit
            }
            Err(_) => {
                if !at_limit {
                    at_limit = true;
                    tracing::warn!(
                        max_connections = max,
                        "connection limit reached: {max} connections open; new connections wait until one closes"
                    );
                }
                tokio::select! {
                    permit = Arc::clone(&permits).acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                let conn = connection(stream, service.clone(), limits, stages.clone(), permit);
                tokio::spawn(conn);
            }
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                // Out of descriptors or memory: wait a little rather than spin.
                tracing::warn!(error = %e, "accept failed; retrying in 100 ms");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(100)) => {},
                    () = &mut shutdown => break,
                }
            }
        }
    }
    drop(listener);
    let _ = stage.send(Stage::Draining);
    let finished = tokio::time::timeout(limits.shutdown_timeout, permits.acquire_many(max)).await;
    if finished.is_err() {
        let cut = (max as usize).saturating_sub(permits.available_permits());
        let _ = stage.send(Stage::Cut);
        // The connections drop their sockets as soon as they see the stage; wait for that,
        // briefly, so that they are closed when `serve` returns.
        let _ = tokio::time::timeout(Duration::from_secs(1), permits.acquire_many(max)).await;
        tracing::warn!(
            cut,
            deadline_ms = limits.shutdown_timeout.as_millis() as u64,
            "shutdown deadline passed: cut {cut} connections still open"
        );
    }
    state.store.event_hub().disconnect();
    state.webhooks.stop();
    delivery.abort();
    Ok(())
}

/// Errors of one incoming connection (it went away before it was accepted), not of the
/// listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Serves one connection until it closes, idles out or is cut at shutdown; holds its permit.
async fn connection<S>(
    stream: TcpStream,
    service: S,
    limits: ConnectionLimits,
    mut stages: watch::Receiver<Stage>,
    _permit: OwnedSemaphorePermit,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let on_request = Arc::clone(&activity);
    let body_timeout = BodyTimeout(limits.body_timeout);
    let hyper_service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let busy = Busy::new(Arc::clone(&on_request));
        let (mut parts, body) = req.into_parts();
        // HTTP/1: one request of the connection at a time, so one flag per connection.
        let no_body = body.is_end_stream();
        on_request.body_read.store(no_body, Ordering::Release);
        // Only a body that is still to come is waited for.
        if !no_body {
            parts.extensions.insert(body_timeout);
        }
        let body = Body::new(Watched {
            inner: body,
            activity: Arc::clone(&on_request),
        });
        let answered = service.clone().oneshot(Request::from_parts(parts, body));
        async move {
            let mut response = answered.await?;
            let finished = busy.0.body_read.load(Ordering::Acquire);
            drop(busy);
            if !finished {
                // The rest of the body is not read: hyper closes the connection after this
                // answer, so the client must not send another request on it.
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            Ok::<_, Infallible>(response)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, hyper_service);
    tokio::pin!(conn);
    let idle = idled(&activity, limits.idle_timeout, limits.header_read_timeout);
    tokio::pin!(idle);
    let mut draining = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            () = &mut idle => return,
            changed = stages.changed() => {
                if changed.is_err() {
                    return;
                }
                let now = *stages.borrow_and_update();
                match now {
                    Stage::Serving => {}
                    Stage::Draining if !draining => {
                        draining = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    Stage::Draining => {}
                    Stage::Cut => return,
                }
            }
        }
    }
}

/// Completes once the connection, with no request being handled, has been idle (no byte
/// moved) for `idle`, or has been waiting for a request head for `head`.
async fn idled(activity: &Activity, idle: Duration, head: Duration) {
    loop {
        if activity.busy.load(Ordering::Acquire) == 0 {
            let deadline = (activity.last() + idle).min(activity.waiting_since() + head);
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        } else {
            // A request is being handled: look again later. Its end counts as activity and
            // starts the wait for the next head; looking again at most `head` from now comes
            // before that wait's deadline, however long the request ran.
            tokio::time::sleep(idle.min(head)).await;
        }
    }
}

/// When a connection last moved a byte or finished a request, since when it has been waiting
/// for a request head, and how many of its requests are being handled.
#[derive(Debug)]
struct Activity {
    opened: Instant,
    /// Milliseconds from `opened` to the last activity.
    last_ms: AtomicU64,
    /// Milliseconds from `opened` to the end of the last request (0: none yet); the wait for
    /// the next head counts from there.
    waiting_ms: AtomicU64,
    busy: AtomicUsize,
    /// Whether the body of the request being handled was read to its end.
    body_read: AtomicBool,
}

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            last_ms: AtomicU64::new(0),
            waiting_ms: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
            body_read: AtomicBool::new(false),
        }
    }

    /// Notes activity now, and returns when (in milliseconds from `opened`).
    fn touch(&self) -> u64 {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Release);
        ms
    }

    fn last(&self) -> Instant {
        self.opened + Duration::from_millis(self.last_ms.load(Ordering::Acquire))
    }

    fn waiting_since(&self) -> Instant {
        self.opened + Duration::from_millis(self.waiting_ms.load(Ordering::Acquire))
    }
}

/// A request being handled, from its head to its answer (dropped if the connection is).
struct Busy(Arc<Activity>);

impl Busy {
    fn new(activity: Arc<Activity>) -> Self {
        activity.busy.fetch_add(1, Ordering::AcqRel);
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let now = self.0.touch();
        self.0.waiting_ms.store(now, Ordering::Release);
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The socket, noting each byte read or written as activity.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that notes whether it was read to its end.
struct Watched {
    inner: Incoming,
    activity: Arc<Activity>,
}

impl http_body::Body for Watched {
    type Data = axum::body::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.activity.body_read.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

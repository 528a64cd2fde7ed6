//! The request pipeline: one tower layer per cross-cutting concern, composed in
//! [`crate::http::app`] (the order is listed there and in the README's "Architecture" section).
//!
//! Each concern implements [`Middleware`]: given the request and the inner service, it answers
//! itself or calls the inner service, keeping what it needs to adjust the response
//! ([`Middleware::Keep`], applied by [`Middleware::after`]). [`MiddlewareLayer`] turns a
//! middleware into a `tower::Layer`, so every concern is a layer of its own, testable alone with
//! `tower::ServiceExt::oneshot` against a trivial inner service (each module's tests do that).
//!
//! A layer's future is [`Next`]: the inner service's own future followed by `after`, an answer
//! the layer gave itself, or, for a layer that must wait before it calls the inner service (the
//! body read, a fault's delay, an in-flight idempotent request), its own boxed work. The
//! pipeline's future is therefore one value whose size is known, allocated once by the
//! connection, not one allocation per layer per request. A middleware that waits first takes
//! the ready inner service with [`take_ready`].

pub mod auth;
pub mod body;
pub mod control;
pub mod errors;
pub mod faults;
pub mod idempotency;
pub mod journal;
pub mod limits;
pub mod log;
pub mod request_id;
pub mod version;

use std::convert::Infallible;
use std::future::{Future, Ready};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::response::Response;
use tower::{Layer, Service};

/// A layer's own asynchronous work.
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// What every inner service of the pipeline is: the router, or the layers around it.
pub trait Inner:
    Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + 'static
{
}

impl<S> Inner for S where
    S: Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
        + Clone
        + Send
        + 'static
{
}

/// One cross-cutting concern of the pipeline.
pub trait Middleware: Clone + Send + Sync + 'static {
    /// What the middleware keeps from the request to adjust the inner service's response
    /// (`()` where it keeps nothing).
    type Keep: Send + 'static;

    /// Answers `req`, calling `inner` (which is ready) at most once.
    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self>;

    /// Adjusts the inner service's `response` with what [`then`] kept.
    fn after(keep: Self::Keep, response: Response) -> Response {
        let _ = keep;
        response
    }
}

pin_project_lite::pin_project! {
    /// The future of a layer's service. (Fields: the inner service's `future` and what the
    /// middleware `keep`s for its `after`; the answer's or the work's `future`.)
    #[project = NextProj]
    #[allow(missing_docs)]
    pub enum Next<F, M: Middleware> {
        /// The inner service's answer, then [`Middleware::after`] if something was kept.
        Inner { #[pin] future: F, keep: Option<M::Keep> },
        /// An answer the middleware gave itself.
        Answer { future: Ready<Result<Response, Infallible>> },
        /// The middleware's own asynchronous work.
        Boxed { future: BoxFuture },
    }
}

impl<F, M> Future for Next<F, M>
where
    F: Future<Output = Result<Response, Infallible>>,
    M: Middleware,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            NextProj::Inner { future, keep } => {
                let response = ready!(future.poll(cx))?;
                Poll::Ready(Ok(match keep.take() {
                    Some(keep) => M::after(keep, response),
                    None => response,
                }))
            }
            NextProj::Answer { future } => Pin::new(future).poll(cx),
            NextProj::Boxed { future } => future.as_mut().poll(cx),
        }
    }
}

/// A [`Middleware`] as a `tower::Layer`.
#[derive(Debug, Clone)]
pub struct MiddlewareLayer<M>(pub M);

impl<M: Middleware, S> Layer<S> for MiddlewareLayer<M> {
    type Service = MiddlewareService<M, S>;

    fn layer(&self, inner: S) -> Self::Service {
        MiddlewareService {
            middleware: self.0.clone(),
            inner,
        }
    }
}

/// The service of a [`MiddlewareLayer`]: the middleware around its inner service.
#[derive(Debug, Clone)]
pub struct MiddlewareService<M, S> {
    middleware: M,
    inner: S,
}

impl<M: Middleware, S: Inner> Service<Request> for MiddlewareService<M, S> {
    type Response = Response;
    type Error = Infallible;
    type Future = Next<S::Future, M>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        self.middleware.call(&mut self.inner, req)
    }
}

/// The ready inner service, for a middleware that calls it later, from its future; a clone is
/// left in its place (tower's usual `mem::replace`, so the service called is the one polled
/// ready).
pub fn take_ready<S: Clone>(inner: &mut S) -> S {
    let clone = inner.clone();
    std::mem::replace(inner, clone)
}

/// The inner service's answer, as it is.
pub fn forward<S: Inner, M: Middleware>(inner: &mut S, req: Request) -> Next<S::Future, M> {
    Next::Inner {
        future: inner.call(req),
        keep: None,
    }
}

/// The inner service's answer, adjusted by [`Middleware::after`] with `keep`.
pub fn then<S: Inner, M: Middleware>(
    inner: &mut S,
    req: Request,
    keep: M::Keep,
) -> Next<S::Future, M> {
    Next::Inner {
        future: inner.call(req),
        keep: Some(keep),
    }
}

/// An answer the middleware gives itself, without calling the inner service.
pub fn answer<F, M: Middleware>(response: Response) -> Next<F, M> {
    Next::Answer {
        future: std::future::ready(Ok(response)),
    }
}

/// The middleware's own asynchronous work.
pub fn boxed<F, M: Middleware>(
    work: impl Future<Output = Result<Response, Infallible>> + Send + 'static,
) -> Next<F, M> {
    Next::Boxed {
        future: Box::pin(work),
    }
}

/// Whether `path` is the mock's own (health check and control plane): no key needed, not
/// journaled.
pub fn is_control_plane(path: &str) -> bool {
    path == "/healthz" || path.starts_with("/_mock/")
}

#[cfg(test)]
pub(crate) mod testing {
    //! A trivial inner service and request builders for the layers' tests.

    use std::convert::Infallible;

    use axum::body::Body;
    use axum::extract::Request;
    use axum::http::Method;
    use axum::response::{IntoResponse, Response};
    use tower::service_fn;

    use crate::http::AppState;
    use crate::store::Store;

    /// A fresh server state.
    pub fn state() -> AppState {
        AppState::new(Store::default(), 100)
    }

    /// A request with a secret key.
    pub fn request(method: Method, uri: &str, body: &'static str) -> Request {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", "Bearer sk_test_layers")
            .body(Body::from(body))
            .expect("test request")
    }

    /// An inner service answering 200 with `body`.
    pub fn ok(body: &'static str) -> impl crate::http::layers::Inner {
        service_fn(move |_req: Request| async move {
            Ok::<_, Infallible>(([("content-type", "application/json")], body).into_response())
        })
    }

    /// Log output captured in memory: a `MakeWriter` for a test subscriber (`move ||
    /// captured.clone()`), read back with [`Captured::text`].
    #[derive(Clone, Default)]
    pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Captured {
        /// Everything written so far.
        pub fn text(&self) -> String {
            String::from_utf8(crate::sync::lock(&self.0).clone()).expect("UTF-8 log")
        }
    }

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            crate::sync::lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The body of `response` as text.
    pub async fn text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("test body");
        String::from_utf8(bytes.to_vec()).expect("UTF-8 body")
    }
}

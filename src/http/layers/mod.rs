//! The request pipeline: one tower layer per cross-cutting concern, composed in
//! [`crate::http::app`] (the order is listed there and in the README's "Architecture" section).
//!
//! Each concern implements [`Middleware`]: given the request and the inner service, it answers
//! itself or calls the inner service and adjusts the response. [`MiddlewareLayer`] turns a
//! middleware into a `tower::Layer`, so every concern is a layer of its own, testable alone with
//! `tower::ServiceExt::oneshot` against a trivial inner service (each module's tests do that).
//!
//! A middleware that decides before calling the inner service calls it at once (no clone of
//! the layers below it); one that must wait first (the body read, a fault's delay, an
//! in-flight idempotent request) takes the ready inner service with [`take_ready`].

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
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use tower::{Layer, Service};

/// The future every layer's service returns.
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
    /// Answers `req`, calling `inner` (which is ready) at most once.
    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> BoxFuture;
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
    type Future = BoxFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> BoxFuture {
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

/// The inner service's answer, boxed.
pub fn forward<S: Inner>(inner: &mut S, req: Request) -> BoxFuture {
    Box::pin(inner.call(req))
}

/// An answer the middleware gives itself, without calling the inner service.
pub fn answer(response: Response) -> BoxFuture {
    Box::pin(std::future::ready(Ok(response)))
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

    /// The body of `response` as text.
    pub async fn text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("test body");
        String::from_utf8(bytes.to_vec()).expect("UTF-8 body")
    }
}

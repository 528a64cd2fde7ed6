//! The request body, read whole (at most [`MAX_BODY_BYTES`], else a Stripe-shaped 413) and
//! handed to the layers and extractors after this one in [`Received`], with the account and
//! the headers the extractors read; the body also goes on the response for the journal
//! ([`ReceivedBody`]). Runs after authentication, so a request without a key is refused before
//! its body is read. A `Content-Length` over the limit is refused before the body is polled
//! (no `100 Continue`); a body that does not arrive within the accept loop's [`BodyTimeout`]
//! is a Stripe-shaped 408.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use http_body::Body as _;
use http_body_util::{BodyExt, Limited};

use crate::error::Error;
use crate::http::extract::Received;
use crate::http::layers::errors::respond;
use crate::http::layers::journal::ReceivedBody;
use crate::http::layers::{Inner, Middleware, Next, answer, boxed, forward, take_ready};
use crate::http::{MAX_BODY_BYTES, mode_of};
use crate::serve::BodyTimeout;
use crate::store::AccountKey;

/// Reads request bodies whole.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadBody;

impl Middleware for ReadBody {
    type Keep = ();

    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self> {
        let (mut parts, body) = req.into_parts();
        // A body known to be empty (a GET's) is not waited for: the inner service is called
        // at once, without taking it.
        if body.is_end_stream() {
            received(&mut parts, Bytes::new());
            return forward(inner, Request::from_parts(parts, body));
        }
        // A `Content-Length` over the limit is refused before the body is polled, so that
        // hyper sends no `100 Continue` for a body that would be refused.
        if body.size_hint().lower() > MAX_BODY_BYTES as u64 {
            return answer(respond(Error::PayloadTooLarge, mode_of(parts.uri.path())));
        }
        let timeout = parts.extensions.get::<BodyTimeout>().map(|t| t.0);
        let mut inner = take_ready(inner);
        boxed(async move {
            let read = Limited::new(body, MAX_BODY_BYTES).collect();
            let collected = match timeout {
                Some(limit) => match tokio::time::timeout(limit, read).await {
                    Ok(collected) => collected,
                    Err(_) => {
                        let error = Error::RequestTimeout;
                        return Ok(respond(error, mode_of(parts.uri.path())));
                    }
                },
                None => read.await,
            };
            let Ok(collected) = collected else {
                return Ok(respond(Error::PayloadTooLarge, mode_of(parts.uri.path())));
            };
            let bytes = collected.to_bytes();
            received(&mut parts, bytes.clone());
            let req = Request::from_parts(parts, Body::from(bytes.clone()));
            let mut response = inner.call(req).await?;
            response.extensions_mut().insert(ReceivedBody(bytes));
            Ok(response)
        })
    }
}

/// Leaves the body, the account and the headers the extractors read in `parts`.
fn received(parts: &mut Parts, body: Bytes) {
    let received = Received {
        account: parts.extensions.get::<AccountKey>().cloned(),
        content_type: parts.headers.get(CONTENT_TYPE).cloned(),
        body: Some(body),
        decoded: None,
    };
    parts.extensions.insert(received);
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::http::{Method, StatusCode};
    use axum::response::IntoResponse;
    use tower::{Layer, ServiceExt, service_fn};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{request, text};

    /// Answers with the body it found in `Received`.
    fn echo() -> impl crate::http::layers::Inner {
        service_fn(|req: Request| async move {
            let body = req
                .extensions()
                .get::<Received>()
                .and_then(|r| r.body.clone());
            Ok::<_, Infallible>(body.unwrap_or_default().into_response())
        })
    }

    #[tokio::test]
    async fn bodies_are_read_whole_and_left_for_the_extractors_and_the_journal() {
        let service = MiddlewareLayer(ReadBody).layer(echo());
        let chunks = chunked(&["name=a", "&email=b"]);
        let req = Request::builder()
            .method(Method::POST)
            .uri("/v1/customers")
            .body(chunks)
            .expect("test request");
        let response = service.clone().oneshot(req).await.expect("infallible");
        assert_eq!(
            response
                .extensions()
                .get::<ReceivedBody>()
                .map(|b| &b.0[..]),
            Some(&b"name=a&email=b"[..])
        );
        assert_eq!(text(response).await, "name=a&email=b");
        let empty = service
            .oneshot(request(Method::GET, "/v1/customers", ""))
            .await
            .expect("infallible");
        assert_eq!(text(empty).await, "");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_a_413_in_json() {
        let service = MiddlewareLayer(ReadBody).layer(echo());
        let big = "x".repeat(MAX_BODY_BYTES + 1);
        let req = Request::builder()
            .method(Method::POST)
            .uri("/v2/billing/intents")
            .body(Body::from(big))
            .expect("test request");
        let response = service.oneshot(req).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(text(response).await.contains("Request body too large"));
    }

    /// A body that arrives in several frames.
    struct Frames(std::collections::VecDeque<Bytes>);

    impl http_body::Body for Frames {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(http_body::Frame::data(b))))
        }
    }

    fn chunked(chunks: &[&'static str]) -> Body {
        Body::new(Frames(
            chunks
                .iter()
                .map(|c| Bytes::from_static(c.as_bytes()))
                .collect(),
        ))
    }
}

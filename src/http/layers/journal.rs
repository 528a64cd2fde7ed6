//! The journal layer: records every request to a Stripe path (not the control plane) with the
//! final status and `Request-Id` of its answer, into the bounded journal of `http::journal`.
//!
//! It sits inside the request id layer (whose [`RequestId`] it reads from the request) and
//! outside every layer that answers on its own, so 400s, 401s and 413s are recorded too. The
//! secret key is read from `Authorization` as the auth layer reads it (none if it would not
//! authenticate); the body layer leaves the body it read whole on the response
//! ([`ReceivedBody`]).

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::Method;
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderValue};
use axum::response::Response;

use crate::http::AppState;
use crate::http::extract::api_key;
use crate::http::journal::{RawRequest, Recorded};
use crate::http::layers::request_id::RequestId;
use crate::http::layers::{Inner, Middleware, Next, forward, is_control_plane, then};

/// The request body as the body layer read it, left on the response for the journal.
#[derive(Debug, Clone)]
pub struct ReceivedBody(pub Bytes);

/// Records requests in the state's journal.
#[derive(Debug, Clone)]
pub struct Journal(pub AppState);

/// A request's copied head, waiting for its answer.
#[derive(Debug)]
pub struct Pending {
    state: AppState,
    method: Method,
    raw: RawRequest,
    request_id: Option<HeaderValue>,
    /// The `Authorization` header as sent (the copied head has it redacted).
    authorization: Option<HeaderValue>,
}

impl Middleware for Journal {
    type Keep = Pending;

    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self> {
        if !self.0.journal.enabled() || is_control_plane(req.uri().path()) {
            return forward(inner, req);
        }
        let headers = req.headers();
        let headers_len = headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 2)
            .sum();
        // Room for a body of its `Content-Length`, up to 64 KiB.
        let body_hint = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(0, |n| n.min(64 * 1024));
        let keep = Pending {
            raw: RawRequest::copy_head(req.uri(), headers, headers_len, body_hint),
            method: req.method().clone(),
            request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
            authorization: headers.get(AUTHORIZATION).cloned(),
            state: self.0.clone(),
        };
        then(inner, req, keep)
    }

    fn after(keep: Pending, response: Response) -> Response {
        let Pending {
            state,
            method,
            mut raw,
            request_id,
            authorization,
        } = keep;
        let body = response.extensions().get::<ReceivedBody>();
        // The key the request authenticated with, read as the auth layer reads it.
        let api_key = api_key(authorization.as_ref().map(HeaderValue::as_bytes)).ok();
        let request_id = request_id.as_ref().map(|id| id.as_bytes());
        raw.push_rest(
            body.map(|b| &b.0[..]).unwrap_or_default(),
            request_id.unwrap_or_default(),
            api_key.as_deref(),
        );
        state.journal.record(Recorded {
            method,
            raw,
            status: response.status().as_u16(),
        });
        response
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::http::header::HeaderValue;
    use axum::http::{Method, StatusCode};
    use axum::response::{IntoResponse, Response};
    use tower::{Layer, ServiceExt, service_fn};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{request, state};

    #[tokio::test]
    async fn requests_are_recorded_with_their_answer() {
        let state = state();
        // What the inner layers leave: the body, and here a 402.
        let inner = service_fn(|_req: Request| async {
            let mut response: Response = StatusCode::PAYMENT_REQUIRED.into_response();
            response
                .extensions_mut()
                .insert(ReceivedBody(Bytes::from_static(b"name=a")));
            Ok::<_, Infallible>(response)
        });
        let service = MiddlewareLayer(Journal(state.clone())).layer(inner);
        let mut req = request(Method::POST, "/v1/customers?expand[]=x", "name=a");
        req.extensions_mut()
            .insert(RequestId(HeaderValue::from_static("req_test")));
        service.clone().oneshot(req).await.expect("infallible");
        // A key that would not authenticate is not taken for one.
        let mut unkeyed = request(Method::GET, "/v1/customers", "");
        unkeyed.headers_mut().insert(
            "authorization",
            HeaderValue::from_static("Bearer pk_test_x"),
        );
        service.clone().oneshot(unkeyed).await.expect("infallible");
        // The control plane is not recorded.
        service
            .oneshot(request(Method::GET, "/_mock/requests", ""))
            .await
            .expect("infallible");
        let recorded = state.journal.snapshot(None, None);
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[1].api_key, None);
        let r = &recorded[0];
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/v1/customers")
        );
        assert_eq!(r.query.as_deref(), Some("expand[]=x"));
        assert_eq!((r.status, r.request_id.as_str()), (402, "req_test"));
        // Shown redacted, compared whole.
        assert_eq!(r.api_key.as_deref(), Some("sk_test_…"));
        assert!(r.sent_with("sk_test_layers"));
        assert_eq!(r.body, b"name=a");
        assert_eq!(r.header("authorization"), Some("Bearer sk_test_…"));
    }
}

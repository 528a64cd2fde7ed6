//! Stripe's response headers: a fresh `Request-Id` (`req_` and 14 base62 characters) on every
//! response, `Stripe-Version` (the request's, else the default of its API version) and the
//! request's `Idempotency-Key` echoed back. The id is also left in the request's extensions as
//! [`RequestId`], for the journal.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::header::{HeaderName, HeaderValue};
use axum::response::Response;

use crate::http::de::Mode;
use crate::http::layers::{Inner, Middleware, Next, then};
use crate::http::versions::fallback;
use crate::http::{AppState, STRIPE_VERSION, mode_of};
use crate::version::ApiVersion;

/// `Request-Id`.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
/// `Idempotency-Key`.
pub static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The `Request-Id` of the request being served.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

/// Sets `Request-Id`, `Stripe-Version` and `Idempotency-Key` on every response.
#[derive(Debug, Clone)]
pub struct StripeHeaders(pub AppState);

/// What the response's headers are made of, besides the resolved version.
#[derive(Debug)]
pub struct Answering {
    id: HeaderValue,
    named: Option<HeaderValue>,
    mode: Mode,
    server_default: Option<ApiVersion>,
    key: Option<HeaderValue>,
}

impl Middleware for StripeHeaders {
    type Keep = Answering;

    fn call<S: Inner>(&self, inner: &mut S, mut req: Request) -> Next<S::Future, Self> {
        // The header value takes the string's buffer as it is.
        let id = HeaderValue::from_maybe_shared(Bytes::from(self.0.request_id()))
            .unwrap_or_else(|_| HeaderValue::from_static("req_0"));
        req.extensions_mut().insert(RequestId(id.clone()));
        let headers = req.headers();
        let keep = Answering {
            id,
            // Answers that the version layer did not see (401s, the control plane) name the
            // request's version as sent, else the server's default.
            named: headers.get(&STRIPE_VERSION).cloned(),
            mode: mode_of(req.uri().path()),
            server_default: self.0.versions.server_default(),
            key: headers.get(&IDEMPOTENCY_KEY).cloned(),
        };
        then(inner, req, keep)
    }

    fn after(keep: Answering, mut response: Response) -> Response {
        let headers = response.headers_mut();
        headers.insert(REQUEST_ID.clone(), keep.id);
        if !headers.contains_key(&STRIPE_VERSION) {
            let version = keep.named.unwrap_or_else(|| {
                HeaderValue::from_static(fallback(keep.server_default, keep.mode).as_str())
            });
            headers.insert(STRIPE_VERSION.clone(), version);
        }
        if let Some(key) = keep.key {
            headers.insert(IDEMPOTENCY_KEY.clone(), key);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::http::Method;
    use axum::response::{IntoResponse, Response};
    use tower::{Layer, ServiceExt, service_fn};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{request, state};

    #[tokio::test]
    async fn every_response_gets_an_id_a_version_and_the_key_back() {
        // The inner service sees the id the response will carry.
        let echo = service_fn(|req: Request| async move {
            let id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
            Ok::<Response, Infallible>(
                id.map_or_else(Vec::new, |id| id.as_bytes().to_vec())
                    .into_response(),
            )
        });
        let service = MiddlewareLayer(StripeHeaders(state())).layer(echo);
        let mut keyed = request(Method::POST, "/v1/customers", "");
        keyed
            .headers_mut()
            .insert("idempotency-key", HeaderValue::from_static("k-1"));
        let response = service.clone().oneshot(keyed).await.expect("infallible");
        let id = response.headers()["request-id"].clone();
        assert!(
            id.to_str()
                .is_ok_and(|id| id.starts_with("req_") && id.len() == 18)
        );
        assert_eq!(
            response.headers()["stripe-version"],
            crate::version::NEWEST_GA
        );
        assert_eq!(response.headers()["idempotency-key"], "k-1");
        let body = crate::http::layers::testing::text(response).await;
        assert_eq!(body.as_bytes(), id.as_bytes());

        let mut versioned = request(Method::GET, "/v2/billing/intents", "");
        versioned.headers_mut().insert(
            "stripe-version",
            HeaderValue::from_static("2026-01-28.preview"),
        );
        let response = service
            .clone()
            .oneshot(versioned)
            .await
            .expect("infallible");
        assert_eq!(response.headers()["stripe-version"], "2026-01-28.preview");
        assert!(response.headers().get("idempotency-key").is_none());
        let response = service
            .oneshot(request(Method::GET, "/v2/billing/intents", ""))
            .await
            .expect("infallible");
        assert_eq!(
            response.headers()["stripe-version"],
            crate::version::DEFAULT_PREVIEW
        );
    }

    #[tokio::test]
    async fn the_version_the_answer_names_is_kept() {
        // As the version layer answers: the resolved version, whatever the request named.
        let resolved = service_fn(|_req: Request| async {
            let mut response = Response::new(axum::body::Body::empty());
            response.headers_mut().insert(
                STRIPE_VERSION.clone(),
                HeaderValue::from_static("2025-03-31.basil"),
            );
            Ok::<Response, Infallible>(response)
        });
        let service = MiddlewareLayer(StripeHeaders(state())).layer(resolved);
        let mut req = request(Method::GET, "/v1/customers", "");
        req.headers_mut()
            .insert("stripe-version", HeaderValue::from_static("2025-03-31"));
        let response = service.oneshot(req).await.expect("infallible");
        let versions: Vec<_> = response
            .headers()
            .get_all("stripe-version")
            .iter()
            .collect();
        assert_eq!(versions, ["2025-03-31.basil"]);
    }
}

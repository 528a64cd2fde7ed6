//! Error envelopes: the layer that turns an [`Error`] left in a response (handlers and
//! extractors return `Error`, whose `IntoResponse` only records it as a [`PendingError`]), or a
//! non-JSON error from the router itself (an axum rejection, a 405), into Stripe's v1 or v2
//! envelope, chosen by the request's path. The mapping itself is `http::error`; the other
//! layers answer their own errors through [`respond`].
//!
//! The rendered response keeps its [`PendingError`], so the idempotency layer (outside this
//! one) can tell the errors that are not stored.

use axum::Json;
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::http::de::Mode;
use crate::http::error::{PendingError, envelope, status_of};
use axum::http::Uri;

use crate::http::layers::{Inner, Middleware, Next, then};
use crate::http::mode_of;

/// Renders errors in the envelope of the request's API version.
#[derive(Debug, Clone, Copy, Default)]
pub struct Errors;

impl Middleware for Errors {
    /// The request's method and URI, which choose the envelope and name the route.
    type Keep = (Method, Uri);

    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self> {
        let keep = (req.method().clone(), req.uri().clone());
        then(inner, req, keep)
    }

    fn after((method, uri): Self::Keep, response: Response) -> Response {
        render_pending(response, &method, uri.path())
    }
}

/// The response for `err` in the envelope of `mode` (authentication errors always in v1's).
pub fn respond(err: Error, mode: Mode) -> Response {
    let mut response = (status_of(&err), Json(envelope(&err, mode))).into_response();
    response.extensions_mut().insert(PendingError(err));
    response
}

/// Renders a pending error (or a non-JSON error produced outside the handlers) of a request to
/// `method` `path`; any other response is returned as it is.
pub fn render_pending(mut response: Response, method: &Method, path: &str) -> Response {
    let status = response.status();
    let pending = response.extensions_mut().remove::<PendingError>();
    let is_json = |response: &Response| {
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    };
    let error = match pending {
        // Already rendered (by `respond`): kept as it is.
        Some(pending) if is_json(&response) => {
            response.extensions_mut().insert(pending);
            return response;
        }
        Some(PendingError(err)) => err,
        None if (status.is_client_error() || status.is_server_error()) && !is_json(&response) => {
            match status {
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND => Error::UnrecognizedUrl {
                    method: method.to_string(),
                    path: path.to_owned(),
                },
                StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
                s if s.is_server_error() => Error::Internal(format!("status {s}")),
                s => Error::MalformedBody(format!("The request could not be processed ({s}).")),
            }
        }
        None => return response,
    };
    if matches!(error, Error::Internal(_)) {
        tracing::error!(%method, path, error = %error, "internal error");
    }
    let mut rendered = respond(error, mode_of(path));
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

/// `application/json`, the content type of every rendered answer.
pub fn json_content_type() -> HeaderValue {
    HeaderValue::from_static("application/json")
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::http::Method;
    use tower::{Layer, ServiceExt, service_fn};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{request, text};

    #[tokio::test]
    async fn errors_get_the_envelope_of_the_path_and_stay_readable() {
        let failing = service_fn(|_req: Request| async {
            Ok::<_, Infallible>(
                Error::ParameterMissing {
                    param: "currency".into(),
                }
                .into_response(),
            )
        });
        let service = MiddlewareLayer(Errors).layer(failing);
        for (path, doc_url) in [("/v1/prices", true), ("/v2/billing/intents", false)] {
            let response = service
                .clone()
                .oneshot(request(Method::POST, path, ""))
                .await
                .expect("infallible");
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            assert!(response.extensions().get::<PendingError>().is_some());
            let body: serde_json::Value =
                serde_json::from_str(&text(response).await).expect("JSON");
            assert_eq!(body["error"]["code"], "parameter_missing");
            assert_eq!(body["error"].get("doc_url").is_some(), doc_url, "{path}");
        }
    }

    #[tokio::test]
    async fn the_routers_own_errors_become_unrecognized_urls() {
        let not_allowed = service_fn(|_req: Request| async {
            Ok::<_, Infallible>(StatusCode::METHOD_NOT_ALLOWED.into_response())
        });
        let response = MiddlewareLayer(Errors)
            .layer(not_allowed)
            .oneshot(request(Method::PUT, "/v1/customers", ""))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = text(response).await;
        assert!(
            body.contains("Unrecognized request URL (PUT: /v1/customers)"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn other_responses_pass_unchanged() {
        let response = MiddlewareLayer(Errors)
            .layer(crate::http::layers::testing::ok("{\"ok\":true}"))
            .oneshot(request(Method::GET, "/v1/customers", ""))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(text(response).await, "{\"ok\":true}");
    }
}

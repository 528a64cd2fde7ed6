//! The request's API version: its `Stripe-Version` if it names a published version, else its
//! account's default ([`crate::http::versions`]); an unknown or malformed version is Stripe's
//! 400 (`Invalid Stripe API version: …`). Runs after authentication (the default depends on the
//! account) and before the body is read. The version is left in the request's extensions for
//! the views, and the answer names it in `Stripe-Version`.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::Response;

use crate::http::layers::errors::respond;
use crate::http::layers::{Inner, Middleware, Next, answer, forward, is_control_plane, then};
use crate::http::{AppState, STRIPE_VERSION, mode_of, versions};
use crate::store::AccountKey;
use crate::version::ApiVersion;

/// Resolves the API version of requests to Stripe paths.
#[derive(Debug, Clone)]
pub struct ResolveVersion(pub AppState);

impl Middleware for ResolveVersion {
    /// The resolved version, which the answer names in `Stripe-Version`.
    type Keep = ApiVersion;

    fn call<S: Inner>(&self, inner: &mut S, mut req: Request) -> Next<S::Future, Self> {
        if is_control_plane(req.uri().path()) {
            return forward(inner, req);
        }
        let mode = mode_of(req.uri().path());
        let version = match req.headers().get(&STRIPE_VERSION) {
            Some(value) => match versions::named(value.as_bytes()) {
                Ok(v) => v,
                Err(err) => return answer(respond(err, mode)),
            },
            None => self
                .0
                .versions
                .default_for(req.extensions().get::<AccountKey>(), mode),
        };
        req.extensions_mut().insert(version);
        then(inner, req, version)
    }

    fn after(version: ApiVersion, mut response: Response) -> Response {
        let value = HeaderValue::from_static(version.as_str());
        response.headers_mut().insert(STRIPE_VERSION.clone(), value);
        response
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::http::{Method, StatusCode};
    use axum::response::IntoResponse;
    use tower::{Layer, ServiceExt, service_fn};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{request, state, text};
    use crate::version::ApiVersion;

    fn echo_version() -> impl Inner {
        service_fn(|req: Request| async move {
            let v = req.extensions().get::<ApiVersion>().map(|v| v.as_str());
            Ok::<_, Infallible>(v.unwrap_or("none").into_response())
        })
    }

    #[tokio::test]
    async fn the_header_else_the_default_else_stripes_error() {
        let app = state();
        let service = MiddlewareLayer(ResolveVersion(app.clone())).layer(echo_version());
        let mut named = request(Method::GET, "/v1/customers", "");
        named.headers_mut().insert(
            "stripe-version",
            HeaderValue::from_static("2024-09-30.acacia"),
        );
        let response = service.clone().oneshot(named).await.expect("infallible");
        assert_eq!(response.headers()["stripe-version"], "2024-09-30.acacia");
        assert_eq!(text(response).await, "2024-09-30.acacia");

        let plain = request(Method::GET, "/v1/customers", "");
        let response = service.clone().oneshot(plain).await.expect("infallible");
        assert_eq!(text(response).await, crate::version::NEWEST_GA);
        let plain = request(Method::GET, "/v2/billing/intents", "");
        let response = service.clone().oneshot(plain).await.expect("infallible");
        assert_eq!(text(response).await, crate::version::DEFAULT_PREVIEW);

        let mut bad = request(Method::GET, "/v1/customers", "");
        bad.headers_mut()
            .insert("stripe-version", HeaderValue::from_static("2019-2-19"));
        let response = service.oneshot(bad).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        // Left to the request id layer, which names the version as sent.
        assert!(!response.headers().contains_key("stripe-version"));
        let body: serde_json::Value =
            serde_json::from_str(&text(response).await).expect("json error");
        assert_eq!(
            body,
            serde_json::json!({"error": {
                "type": "invalid_request_error",
                "message": "Invalid Stripe API version: 2019-2-19"
            }})
        );
    }
}

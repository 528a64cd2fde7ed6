//! The control plane's guard: every request to `/_mock/*` passes the checks of `http::control`
//! (its `Host`, `Origin` and `Sec-Fetch-Site`, the `Content-Type` of a write, the admin token)
//! or is answered here with a JSON error (403, or 401 for the token), before any handler runs.
//! Stripe paths and `/healthz` go through untouched.

use axum::Json;
use axum::extract::Request;
use axum::http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN, TRANSFER_ENCODING,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;

use crate::http::AppState;
use crate::http::control::{Refusal, Seen};
use crate::http::layers::{Inner, Middleware, Next, answer, forward};

/// Guards the control plane.
#[derive(Debug, Clone)]
pub struct ControlPlane(pub AppState);

impl Middleware for ControlPlane {
    type Keep = ();

    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self> {
        if !req.uri().path().starts_with("/_mock/") {
            return forward(inner, req);
        }
        let headers = req.headers();
        let value = |name: &str| headers.get(name).map(HeaderValue::as_bytes);
        let has_body = headers.contains_key(TRANSFER_ENCODING)
            || headers
                .get(CONTENT_LENGTH)
                .is_some_and(|v| v.as_bytes() != b"0");
        let authority = req.uri().authority().map(|a| a.as_str().as_bytes());
        let seen = Seen {
            host: value(HOST.as_str()).or(authority),
            origin: value(ORIGIN.as_str()),
            fetch_site: value("sec-fetch-site"),
            content_type: value(CONTENT_TYPE.as_str()),
            has_body,
            writes: !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS),
            authorization: value(AUTHORIZATION.as_str()),
            admin_token: value("x-mock-admin-token"),
        };
        match self.0.control.check(&seen) {
            Ok(()) => forward(inner, req),
            Err(refusal) => answer(refuse(&refusal)),
        }
    }
}

/// The JSON answer to a refused request, in the v1 error envelope's shape.
fn refuse(refusal: &Refusal) -> axum::response::Response {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN);
    let body = json!({"error": {
        "type": "invalid_request_error",
        "code": refusal.code(),
        "message": refusal.message(),
    }});
    let mut response = (status, Json(body)).into_response();
    if matches!(refusal, Refusal::Token) {
        response.headers_mut().insert(
            axum::http::header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"stripe-billing-mock control plane\""),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use tower::{Layer, ServiceExt};

    use super::*;
    use crate::http::control::GuardSettings;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{ok, state, text};

    #[tokio::test]
    async fn a_text_plain_post_is_refused_and_stripe_paths_pass() {
        let state = state();
        state.control.set(GuardSettings {
            bound: Some("127.0.0.1:12111".parse().expect("address")),
            ..GuardSettings::default()
        });
        let service = MiddlewareLayer(ControlPlane(state)).layer(ok("{}"));
        let post = |path: &str| {
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header("host", "127.0.0.1:12111")
                .header("content-type", "text/plain")
                .body(Body::from("{}"))
                .expect("test request")
        };
        let refused = service
            .clone()
            .oneshot(post("/_mock/reset"))
            .await
            .expect("infallible");
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(text(refused).await.contains("control_plane_content_type"));
        let passed = service
            .oneshot(post("/v1/customers"))
            .await
            .expect("infallible");
        assert_eq!(passed.status(), StatusCode::OK);
    }
}

//! Size limits of the request line and headers, answered with Stripe-shaped 400s (the HTTP
//! stack's own, larger limits answer anything beyond these without a JSON body). The body's
//! limit is the body layer's. Checked before authentication, as before any other work.

use axum::extract::Request;

use crate::error::Error;
use crate::http::layers::errors::respond;
use crate::http::layers::{Inner, Middleware, Next, answer, forward};
use crate::http::{MAX_HEADER_BYTES, MAX_URI_BYTES, mode_of};

/// Rejects over-long URLs and headers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits;

impl Middleware for Limits {
    type Keep = ();

    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self> {
        match check(&req) {
            Ok(()) => forward(inner, req),
            Err(err) => answer(respond(err, mode_of(req.uri().path()))),
        }
    }
}

/// The URL (path and query) and the headers' total size, as text: names, values and four bytes
/// (`": "` and CRLF) a header.
fn check(req: &Request) -> Result<(), Error> {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return Err(Error::MalformedBody(format!(
            "Request URL too long: at most {MAX_URI_BYTES} bytes are accepted."
        )));
    }
    let headers_len: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers_len > MAX_HEADER_BYTES {
        return Err(Error::MalformedBody(format!(
            "Request headers too large: at most {MAX_HEADER_BYTES} bytes are accepted."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::http::header::HeaderValue;
    use axum::http::{Method, StatusCode};
    use tower::{Layer, ServiceExt};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{ok, request, text};

    #[tokio::test]
    async fn long_urls_and_headers_are_400s_in_json() {
        let service = MiddlewareLayer(Limits).layer(ok("{}"));
        let fine = service
            .clone()
            .oneshot(request(Method::GET, "/v1/customers", ""))
            .await
            .expect("infallible");
        assert_eq!(fine.status(), StatusCode::OK);

        let long = format!("/v2/billing/intents?x={}", "a".repeat(MAX_URI_BYTES));
        let response = service
            .clone()
            .oneshot(request(Method::GET, &long, ""))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(text(response).await.contains("Request URL too long"));

        let mut padded = request(Method::GET, "/v1/customers", "");
        let padding = HeaderValue::from_str(&"p".repeat(MAX_HEADER_BYTES)).expect("header");
        padded.headers_mut().insert("x-padding", padding);
        let response = service.oneshot(padded).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(text(response).await.contains("Request headers too large"));
    }
}

//! Authentication: every Stripe path needs a secret key, known route or not, as on Stripe; the
//! mock's own paths need none. The key (`Authorization`, Bearer or Basic) and `Stripe-Account`
//! select the [`AccountKey`], left in the request's extensions for the layers and extractors
//! after this one, and on the response for the journal. A bad or missing key is a 401 before
//! the body is read.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, HeaderValue};

use crate::error::Error;
use crate::http::extract;
use crate::http::layers::errors::respond;
use crate::http::layers::{Inner, Middleware, Next, answer, forward, is_control_plane};
use crate::http::mode_of;
use crate::store::AccountKey;

/// Authenticates requests to Stripe paths.
#[derive(Debug, Clone, Copy, Default)]
pub struct Auth;

impl Middleware for Auth {
    type Keep = ();

    fn call<S: Inner>(&self, inner: &mut S, mut req: Request) -> Next<S::Future, Self> {
        if is_control_plane(req.uri().path()) {
            return forward(inner, req);
        }
        let account = match authenticate(req.headers()) {
            Ok(account) => account,
            Err(err) => return answer(respond(err, mode_of(req.uri().path()))),
        };
        req.extensions_mut().insert(account);
        forward(inner, req)
    }
}

/// The account named by the request's first `Authorization` and `Stripe-Account` headers.
fn authenticate(headers: &HeaderMap) -> Result<AccountKey, Error> {
    let key = extract::api_key(headers.get(AUTHORIZATION).map(HeaderValue::as_bytes))?;
    let connected = headers
        .get("stripe-account")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    Ok(AccountKey::new(&key, connected))
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Body;
    use axum::http::{Method, StatusCode};
    use axum::response::IntoResponse;
    use tower::{Layer, ServiceExt, service_fn};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{request, text};

    /// Answers with the account it was given.
    fn whoami() -> impl crate::http::layers::Inner {
        service_fn(|req: Request| async move {
            let account = req.extensions().get::<AccountKey>().cloned();
            Ok::<_, Infallible>(format!("{account:?}").into_response())
        })
    }

    #[tokio::test]
    async fn the_account_comes_from_the_key_and_stripe_account() {
        let service = MiddlewareLayer(Auth).layer(whoami());
        let mut req = request(Method::GET, "/v1/customers", "");
        req.headers_mut()
            .insert("stripe-account", HeaderValue::from_static(" acct_1 "));
        let response = service.oneshot(req).await.expect("infallible");
        let expected = AccountKey::new("sk_test_layers", Some("acct_1"));
        assert_eq!(text(response).await, format!("{:?}", Some(expected)));
    }

    #[tokio::test]
    async fn a_missing_key_is_401_and_the_control_plane_needs_none() {
        let service = MiddlewareLayer(Auth).layer(whoami());
        let keyless = |path: &str| {
            Request::builder()
                .uri(path)
                .body(Body::empty())
                .expect("test request")
        };
        let response = service
            .clone()
            .oneshot(keyless("/v2/billing/intents"))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            text(response)
                .await
                .contains("You did not provide an API key")
        );
        for path in ["/healthz", "/_mock/requests"] {
            let response = service
                .clone()
                .oneshot(keyless(path))
                .await
                .expect("infallible");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(text(response).await, "None");
        }
    }
}

//! The idempotency layer: runs a POST (or a v2 DELETE) carrying an `Idempotency-Key` at most
//! once per account and key, with the store and fingerprints of `http::idempotency`. A repeat
//! gets the stored answer byte for byte with `Idempotent-Replayed: true`; the same key with
//! other parameters a 400 `idempotency_error`; a repeat of a request still running waits for
//! it, or gets a 409 after [`WAIT_FOR_IN_FLIGHT`]. Errors raised before the endpoint starts
//! executing (validation) are not stored, as on Stripe.
//!
//! It sits inside the fault layer (injected answers are never stored) and outside the error
//! layer (answers are stored as rendered).

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use axum::response::Response;
use http_body_util::BodyExt;

use crate::error::Error;
use crate::http::AppState;
use crate::http::de::Mode;
use crate::http::error::PendingError;
use crate::http::extract::Received;
use crate::http::idempotency::{
    Begin, Fingerprint, MAX_KEY_LEN, StoredResponse, WAIT_FOR_IN_FLIGHT, fingerprint_and_params,
};
use crate::http::layers::errors::{json_content_type, respond};
use crate::http::layers::request_id::IDEMPOTENCY_KEY;
use crate::http::layers::{Inner, Middleware, Next, answer, boxed, forward, take_ready};
use crate::http::mode_of;
use crate::store::AccountKey;

/// `Idempotent-Replayed`.
static IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Applies `Idempotency-Key`s.
#[derive(Debug, Clone)]
pub struct Idempotent(pub AppState);

impl Middleware for Idempotent {
    type Keep = ();

    fn call<S: Inner>(&self, inner: &mut S, req: Request) -> Next<S::Future, Self> {
        let Some((account, key)) = keyed(&req) else {
            return forward(inner, req);
        };
        let mode = mode_of(req.uri().path());
        if key.len() > MAX_KEY_LEN {
            let message =
                format!("Idempotency-Key values may be at most {MAX_KEY_LEN} characters long.");
            return answer(respond(Error::invalid_uncoded(message, None), mode));
        }
        let mut req = req;
        let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
        let body = req
            .extensions()
            .get::<Received>()
            .and_then(|r| r.body.as_ref());
        let (fingerprint, params) =
            fingerprint_and_params(req.method().as_str(), target, body.map_or(&[], |b| &b[..]));
        if let Some(received) = req.extensions_mut().get_mut::<Received>() {
            received.decoded = params;
        }
        let state = self.0.clone();
        let mut inner = take_ready(inner);
        boxed(async move {
            serve(&state, account, key, fingerprint, mode, move || {
                inner.call(req)
            })
            .await
        })
    }
}

/// The account and key of a request that takes part in idempotency: a POST, or a v2 DELETE,
/// of an authenticated request with a non-empty `Idempotency-Key`.
fn keyed(req: &Request) -> Option<(AccountKey, String)> {
    let method = req.method();
    let applies = method == Method::POST
        || (method == Method::DELETE && mode_of(req.uri().path()) == Mode::V2);
    if !applies {
        return None;
    }
    let account = req.extensions().get::<AccountKey>()?;
    let key = req.headers().get(&IDEMPOTENCY_KEY)?.to_str().ok()?.trim();
    (!key.is_empty()).then(|| (account.clone(), key.to_owned()))
}

/// Executes the request (`run`) once for its key, or answers from the key's record.
async fn serve<F>(
    state: &AppState,
    account: AccountKey,
    key: String,
    fingerprint: Fingerprint,
    mode: Mode,
    run: impl FnOnce() -> F,
) -> Result<Response, std::convert::Infallible>
where
    F: Future<Output = Result<Response, std::convert::Infallible>>,
{
    let guard = loop {
        let now = state.store.clock().now_seconds();
        match state.idempotency.begin(&account, &key, &fingerprint, now) {
            Begin::Execute(guard) => break guard,
            Begin::Replay(stored) => return Ok(replayed(stored)),
            Begin::Mismatch => {
                let message = format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
                );
                return Ok(respond(Error::Idempotency(message), mode));
            }
            Begin::Wait(mut done) => {
                let settled = done.wait_for(|d| *d);
                if tokio::time::timeout(WAIT_FOR_IN_FLIGHT, settled)
                    .await
                    .is_err()
                {
                    return Ok(respond(Error::IdempotencyKeyInUse(key), mode));
                }
            }
        }
    };
    let response = run().await?;
    let stored = !response
        .extensions()
        .get::<PendingError>()
        .is_some_and(|p| not_stored(&p.0));
    let (head, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        // Dropping the guard forgets the key.
        return Ok(respond(
            Error::Internal("response body unreadable".into()),
            mode,
        ));
    };
    let bytes = collected.to_bytes();
    let keep = stored.then(|| StoredResponse {
        status: head.status,
        body: bytes.clone(),
    });
    guard.finish(keep, state.store.clock().now_seconds());
    Ok(Response::from_parts(head, Body::from(bytes)))
}

/// Errors raised before the endpoint starts executing are not stored, as on Stripe: the
/// request may be retried with the same key once it is fixed.
fn not_stored(err: &Error) -> bool {
    matches!(
        err,
        Error::ParameterUnknown { .. }
            | Error::ParameterMissing { .. }
            | Error::ParameterInvalid { .. }
            | Error::MalformedBody(_)
            | Error::PayloadTooLarge
            | Error::RequestTimeout
            | Error::UnrecognizedUrl { .. }
            | Error::Authentication(_)
            | Error::IdempotencyKeyInUse(_)
    )
}

/// A stored answer, replayed.
fn replayed(stored: StoredResponse) -> Response {
    let mut response = Response::new(Body::from(stored.body));
    *response.status_mut() = stored.status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, json_content_type());
    headers.insert(
        IDEMPOTENT_REPLAYED.clone(),
        HeaderValue::from_static("true"),
    );
    response
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use tower::{Layer, ServiceExt, service_fn};

    use super::*;
    use crate::http::layers::MiddlewareLayer;
    use crate::http::layers::testing::{request, state, text};

    /// A POST as the auth and body layers leave it.
    fn keyed_post(body: &'static str, key: &'static str) -> Request {
        let mut req = request(Method::POST, "/v1/customers", body);
        req.headers_mut()
            .insert("idempotency-key", HeaderValue::from_static(key));
        let account = AccountKey::new("sk_test_layers", None);
        req.extensions_mut().insert(account.clone());
        req.extensions_mut().insert(Received {
            account: Some(account),
            content_type: None,
            body: Some(axum::body::Bytes::from_static(body.as_bytes())),
            decoded: None,
        });
        req
    }

    #[tokio::test]
    async fn a_key_runs_once_and_replays_its_answer() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let counting = service_fn(move |_req: Request| {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                let body = format!("{{\"run\":{n}}}");
                Ok::<_, Infallible>(([("content-type", "application/json")], body).into_response())
            }
        });
        let service = MiddlewareLayer(Idempotent(state())).layer(counting);
        let send = |body| service.clone().oneshot(keyed_post(body, "k"));
        let first = send("a=1&b=2").await.expect("infallible");
        assert!(first.headers().get("idempotent-replayed").is_none());
        assert_eq!(text(first).await, "{\"run\":0}");
        // The same parameters in another order: replayed.
        let again = send("b=2&a=1").await.expect("infallible");
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(text(again).await, "{\"run\":0}");
        // Other parameters: an idempotency error.
        let other = send("a=2").await.expect("infallible");
        assert_eq!(other.status(), StatusCode::BAD_REQUEST);
        assert!(text(other).await.contains("idempotency_error"));
        // Without a key, every request runs.
        let unkeyed = request(Method::POST, "/v1/customers", "a=1");
        service.oneshot(unkeyed).await.expect("ok");
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn validation_failures_are_not_stored() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let rejecting = service_fn(move |_req: Request| {
            counted.fetch_add(1, Ordering::SeqCst);
            async {
                let err = Error::ParameterUnknown {
                    param: "bogus".into(),
                };
                Ok::<_, Infallible>(respond(err, Mode::V1))
            }
        });
        let service = MiddlewareLayer(Idempotent(state())).layer(rejecting);
        for _ in 0..2 {
            let r = service
                .clone()
                .oneshot(keyed_post("bogus=1", "k"))
                .await
                .expect("ok");
            assert_eq!(r.status(), StatusCode::BAD_REQUEST);
            assert!(r.headers().get("idempotent-replayed").is_none());
        }
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}

//! The one place where an [`Error`] becomes an HTTP status and a Stripe error envelope.
//!
//! Handlers and extractors return `Error`; its `IntoResponse` only records the error in the
//! response's extensions. The error layer (`http::layers::errors`) knows the request's path and
//! renders the v1 or v2 envelope from here, so the mapping exists once for both versions.
//!
//! # Codes of v2 errors
//!
//! A v1 error has a `code` only where Stripe sends one. A v2 error always has one: the preview
//! document's `v2.error` schema requires `code` and `message`. Errors with a code of their own
//! (`billing_intent_not_found`, `parameter_missing`, `secret_key_required`, …) keep it; for the
//! others, `v2_code` chooses. The `v2.error` schema leaves `code` an open string, and none of
//! the document's per-code schemas (`v2.error.<code>`) covers authentication, API versions,
//! routing or request bodies, so:
//!
//! | error | v2 `code` | why |
//! |---|---|---|
//! | no API key (401) | `api_key_missing` | no documented code; named as the document names its key errors (`api_key_expired`, `api_key_livemode_mismatch`) |
//! | malformed API key (401) | `api_key_invalid` | likewise |
//! | unknown or malformed `Stripe-Version` (400) | `api_version_invalid` | no documented code; same pattern |
//! | no such route (404) | `not_found` | the document's code for a path that names nothing (`v2.error.not_found`) |
//! | `Idempotency-Key` reused with other parameters (400) | `idempotency_error` | the document's code (documented with status 409; the mock keeps 400, which the SDKs map alike) |
//! | an invalid parameter without a code of its own, a body that is not a JSON object, any other refusal without a code (400) | `invalid_fields` | the document's validation code, and the only v2 validation code the SDKs know |
//! | body over the limit (413) | `request_body_too_large` | no documented code |
//! | the mock's own fault (500) | `internal_error` | no documented code |

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::error::{AuthFailure, Error};
use crate::http::de::Mode;

/// An error waiting in a response's extensions to be rendered.
#[derive(Debug, Clone)]
pub struct PendingError(pub Error);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut response = status_of(&self).into_response();
        response.extensions_mut().insert(PendingError(self));
        response
    }
}

/// HTTP status for `err`.
pub fn status_of(err: &Error) -> StatusCode {
    match err {
        Error::Authentication(_) => StatusCode::UNAUTHORIZED,
        Error::ResourceMissing { .. } | Error::NotFound { .. } | Error::UnrecognizedUrl { .. } => {
            StatusCode::NOT_FOUND
        }
        Error::ParameterUnknown { .. }
        | Error::ParameterMissing { .. }
        | Error::ParameterInvalid { .. }
        | Error::InvalidRequest { .. }
        | Error::InvalidVersion(_)
        | Error::MalformedBody(_)
        | Error::Idempotency(_) => StatusCode::BAD_REQUEST,
        Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Error::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        Error::IdempotencyKeyInUse(_) => StatusCode::CONFLICT,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

struct Parts {
    kind: &'static str,
    code: Option<&'static str>,
    message: String,
    param: Option<String>,
}

fn parts_of(err: &Error) -> Parts {
    let invalid = |code: Option<&'static str>, param: Option<String>| Parts {
        kind: "invalid_request_error",
        code,
        message: err.to_string(),
        param,
    };
    match err {
        Error::Authentication(failure) => Parts {
            kind: "invalid_request_error",
            code: match failure {
                AuthFailure::Publishable(_) => Some("secret_key_required"),
                AuthFailure::Missing | AuthFailure::Malformed(_) => None,
            },
            message: auth_message(failure),
            param: None,
        },
        Error::ResourceMissing { param, .. } => invalid(Some("resource_missing"), param.clone()),
        Error::NotFound { code, param, .. } => invalid(Some(code), param.clone()),
        Error::ParameterUnknown { param } => {
            invalid(Some("parameter_unknown"), Some(param.clone()))
        }
        Error::ParameterMissing { param } => {
            invalid(Some("parameter_missing"), Some(param.clone()))
        }
        Error::ParameterInvalid { param, code, .. } => invalid(*code, Some(param.clone())),
        Error::InvalidRequest { code, param, .. } => invalid(*code, param.clone()),
        Error::InvalidVersion(_) | Error::MalformedBody(_) => invalid(None, None),
        Error::PayloadTooLarge => Parts {
            kind: "invalid_request_error",
            code: None,
            message: "Request body too large: the maximum is 1 MiB.".into(),
            param: None,
        },
        Error::RequestTimeout => Parts {
            kind: "invalid_request_error",
            code: None,
            message: "The request body was not received in time; the connection is closed.".into(),
            param: None,
        },
        Error::UnrecognizedUrl { .. } => Parts {
            kind: "invalid_request_error",
            code: None,
            message: format!(
                "{err} Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
            param: None,
        },
        Error::Idempotency(_) => Parts {
            kind: "idempotency_error",
            code: None,
            message: err.to_string(),
            param: None,
        },
        Error::IdempotencyKeyInUse(key) => Parts {
            kind: "invalid_request_error",
            code: Some("idempotency_key_in_use"),
            message: format!(
                "There is currently another in-progress request using this Stripe-Idempotency-Key (that probably means you submitted twice, and the other request is still going through): {key}. Please try again later."
            ),
            param: None,
        },
        Error::Internal(_) => Parts {
            kind: "api_error",
            code: None,
            message: "An unexpected error occurred in the mock server.".into(),
            param: None,
        },
    }
}

fn auth_message(failure: &AuthFailure) -> String {
    match failure {
        AuthFailure::Missing => "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.".into(),
        AuthFailure::Malformed(masked) => format!(
            "Invalid API Key provided: {masked}. Please authenticate by specifying an `Authorization` header with any valid looking testmode secret API key (`Bearer sk_test_…`, or HTTP Basic with the key as user name)."
        ),
        AuthFailure::Publishable(masked) => format!(
            "This API call cannot be made with a publishable API key ({masked}). Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
        ),
    }
}

/// The `code` of a v2 error that has none of its own (see the module docs).
fn v2_code(err: &Error) -> &'static str {
    match err {
        Error::Authentication(AuthFailure::Missing) => "api_key_missing",
        Error::Authentication(_) => "api_key_invalid",
        Error::InvalidVersion(_) => "api_version_invalid",
        Error::UnrecognizedUrl { .. } => "not_found",
        Error::Idempotency(_) => "idempotency_error",
        Error::PayloadTooLarge => "request_body_too_large",
        Error::RequestTimeout => "request_timeout",
        Error::Internal(_) => "internal_error",
        Error::ResourceMissing { .. }
        | Error::NotFound { .. }
        | Error::ParameterUnknown { .. }
        | Error::ParameterMissing { .. }
        | Error::ParameterInvalid { .. }
        | Error::InvalidRequest { .. }
        | Error::MalformedBody(_)
        | Error::IdempotencyKeyInUse(_) => "invalid_fields",
    }
}

/// The JSON error envelope for `err` in the given API mode.
///
/// v1: `{"error":{"type","code","message","param","doc_url"}}` (absent members omitted, as
/// Stripe does). v2: `{"error":{"type","code","message"}}` plus `param` when one is known;
/// `code` is always there.
pub fn envelope(err: &Error, mode: Mode) -> Value {
    let p = parts_of(err);
    let mut body = Map::new();
    body.insert("type".into(), json!(p.kind));
    match mode {
        Mode::V1 => {
            if let Some(code) = p.code {
                body.insert("code".into(), json!(code));
                body.insert(
                    "doc_url".into(),
                    json!(format!(
                        "https://stripe.com/docs/error-codes/{}",
                        code.replace('_', "-")
                    )),
                );
            }
            body.insert("message".into(), json!(p.message));
            if let Some(param) = p.param {
                body.insert("param".into(), json!(param));
            }
        }
        Mode::V2 => {
            let code = p.code.unwrap_or_else(|| v2_code(err));
            body.insert("code".into(), json!(code));
            body.insert("message".into(), json!(p.message));
            if let Some(param) = p.param {
                body.insert("param".into(), json!(param));
            }
        }
    }
    json!({ "error": body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_missing_v1() {
        let err = Error::missing("customer", "cus_x", "customer");
        assert_eq!(status_of(&err), StatusCode::NOT_FOUND);
        assert_eq!(
            envelope(&err, Mode::V1),
            json!({"error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
                "message": "No such customer: 'cus_x'",
                "param": "customer"
            }})
        );
    }

    #[test]
    fn v2_not_found_has_code_and_no_doc_url() {
        let err = Error::NotFound {
            code: "billing_intent_not_found",
            message: "No such billing intent: 'bilint_x'".into(),
            param: None,
        };
        assert_eq!(status_of(&err), StatusCode::NOT_FOUND);
        assert_eq!(
            envelope(&err, Mode::V2),
            json!({"error": {
                "type": "invalid_request_error",
                "code": "billing_intent_not_found",
                "message": "No such billing intent: 'bilint_x'"
            }})
        );
    }

    #[test]
    fn parameter_errors_are_400_with_param() {
        let cases = [
            (
                Error::ParameterUnknown {
                    param: "foo".into(),
                },
                "parameter_unknown",
                "Received unknown parameter: foo",
            ),
            (
                Error::ParameterMissing {
                    param: "currency".into(),
                },
                "parameter_missing",
                "Missing required param: currency.",
            ),
        ];
        for (err, code, message) in cases {
            assert_eq!(status_of(&err), StatusCode::BAD_REQUEST);
            let body = envelope(&err, Mode::V1);
            assert_eq!(body["error"]["code"], code);
            assert_eq!(body["error"]["message"], message);
            assert!(body["error"]["param"].is_string());
        }
    }

    #[test]
    fn authentication_has_a_code_on_v2_only() {
        let err = Error::Authentication(AuthFailure::Missing);
        assert_eq!(status_of(&err), StatusCode::UNAUTHORIZED);
        let v1 = envelope(&err, Mode::V1);
        assert_eq!(v1["error"]["type"], "invalid_request_error");
        assert!(v1["error"].get("code").is_none());
        let v2 = envelope(&err, Mode::V2);
        assert_eq!(v2["error"]["type"], "invalid_request_error");
        assert_eq!(v2["error"]["code"], "api_key_missing");
        assert_eq!(v2["error"]["message"], v1["error"]["message"]);
        let malformed = Error::Authentication(AuthFailure::Malformed("sk_test_".into()));
        assert_eq!(
            envelope(&malformed, Mode::V2)["error"]["code"],
            "api_key_invalid"
        );
        let pk = Error::Authentication(AuthFailure::Publishable("pk_test_***".into()));
        for mode in [Mode::V1, Mode::V2] {
            assert_eq!(envelope(&pk, mode)["error"]["code"], "secret_key_required");
        }
    }

    /// Every error has a string `code` and `message` on v2 (the `v2.error` schema requires
    /// both); v1 keeps Stripe's code-less errors.
    #[test]
    fn every_v2_error_has_a_code_and_a_message() {
        let cases = [
            (
                Error::Authentication(AuthFailure::Missing),
                "api_key_missing",
            ),
            (
                Error::InvalidVersion("2019-2-19".into()),
                "api_version_invalid",
            ),
            (
                Error::UnrecognizedUrl {
                    method: "GET".into(),
                    path: "/v2/nope".into(),
                },
                "not_found",
            ),
            (
                Error::Idempotency("other parameters".into()),
                "idempotency_error",
            ),
            (Error::PayloadTooLarge, "request_body_too_large"),
            (Error::RequestTimeout, "request_timeout"),
            (Error::Internal("x".into()), "internal_error"),
            (Error::MalformedBody("not JSON".into()), "invalid_fields"),
            (
                Error::param_invalid("actions[0].type", None, "Invalid actions[0].type"),
                "invalid_fields",
            ),
            (Error::invalid_uncoded("refused", None), "invalid_fields"),
            (
                Error::ParameterUnknown {
                    param: "colour".into(),
                },
                "parameter_unknown",
            ),
            (
                Error::IdempotencyKeyInUse("k".into()),
                "idempotency_key_in_use",
            ),
        ];
        for (err, code) in cases {
            let v2 = envelope(&err, Mode::V2);
            assert_eq!(v2["error"]["code"], code, "{err:?}");
            assert!(
                v2["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{err:?}"
            );
        }
        let version = envelope(&Error::InvalidVersion("x".into()), Mode::V1);
        assert!(version["error"].get("code").is_none());
        assert_eq!(version["error"]["message"], "Invalid Stripe API version: x");
    }

    #[test]
    fn idempotency_errors() {
        let e = Error::Idempotency("Keys for idempotent requests can only be used with the same parameters they were first used with.".into());
        assert_eq!(status_of(&e), StatusCode::BAD_REQUEST);
        assert_eq!(envelope(&e, Mode::V2)["error"]["type"], "idempotency_error");
        let e = Error::IdempotencyKeyInUse("k".into());
        assert_eq!(status_of(&e), StatusCode::CONFLICT);
        assert_eq!(
            envelope(&e, Mode::V1)["error"]["code"],
            "idempotency_key_in_use"
        );
    }

    #[test]
    fn unrecognized_url_message() {
        let e = Error::UnrecognizedUrl {
            method: "GET".into(),
            path: "/v1/nope".into(),
        };
        assert_eq!(status_of(&e), StatusCode::NOT_FOUND);
        let msg = envelope(&e, Mode::V1)["error"]["message"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default();
        assert!(
            msg.starts_with("Unrecognized request URL (GET: /v1/nope)."),
            "{msg}"
        );
    }

    #[test]
    fn internal_errors_do_not_leak_details() {
        let e = Error::Internal("secret detail".into());
        assert_eq!(status_of(&e), StatusCode::INTERNAL_SERVER_ERROR);
        let body = envelope(&e, Mode::V1);
        assert_eq!(body["error"]["type"], "api_error");
        assert!(!body.to_string().contains("secret detail"));
    }
}

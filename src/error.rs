//! The one error type of the mock, in Stripe's terms.
//!
//! Nothing here knows about HTTP: `crate::http::error` is the single place where a variant
//! becomes a status code and a v1 or v2 error envelope.

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a request could not be authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header (or an empty one).
    Missing,
    /// A header that is not `Bearer <key>` / `Basic <b64>`, or a key that does not look like a
    /// secret key; the masked key is kept for the message.
    Malformed(String),
    /// A publishable key (`pk_…`), which cannot call these endpoints.
    Publishable(String),
}

/// Everything that can go wrong while serving a request, as Stripe would describe it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The caller did not present a usable secret key.
    #[error("authentication failed: {0:?}")]
    Authentication(AuthFailure),
    /// A v1 object that does not exist in the caller's account (`resource_missing`).
    #[error("No such {resource}: '{id}'")]
    ResourceMissing {
        /// Stripe's name for the object, e.g. `customer`, `invoice`.
        resource: &'static str,
        /// The id that was looked up.
        id: String,
        /// The parameter that referenced it, if it came from the request body or query.
        param: Option<String>,
    },
    /// A not-found error with an endpoint-specific code (e.g. v2 `billing_intent_not_found`).
    #[error("{message}")]
    NotFound {
        /// Stripe's error code.
        code: &'static str,
        /// Human-readable message.
        message: String,
        /// The parameter that referenced the missing object, if any.
        param: Option<String>,
    },
    /// A parameter the endpoint does not know.
    #[error("Received unknown parameter: {param}")]
    ParameterUnknown {
        /// Full path of the parameter (`lines[0][foo]` or `actions[0].foo`).
        param: String,
    },
    /// A required parameter was not sent.
    #[error("Missing required param: {param}.")]
    ParameterMissing {
        /// Full path of the parameter.
        param: String,
    },
    /// A parameter has the wrong type, an out-of-range value or an unknown enum value.
    #[error("{message}")]
    ParameterInvalid {
        /// Full path of the parameter.
        param: String,
        /// Stripe's code (`parameter_invalid_integer`, …), if Stripe uses one for this case.
        code: Option<&'static str>,
        /// Human-readable message.
        message: String,
    },
    /// The request is well-formed but not allowed in the object's current state, or
    /// otherwise refused (`invalid_status_for_reserve`, `invoice_not_editable`, …).
    #[error("{message}")]
    InvalidRequest {
        /// Stripe's code, if any.
        code: Option<&'static str>,
        /// Human-readable message.
        message: String,
        /// Offending parameter, if any.
        param: Option<String>,
    },
    /// A `Stripe-Version` that Stripe never published, or a malformed one (the value as sent).
    #[error("Invalid Stripe API version: {0}")]
    InvalidVersion(String),
    /// The body could not be decoded at all (bad JSON, bad form syntax, wrong content type).
    #[error("{0}")]
    MalformedBody(String),
    /// The body is larger than the mock accepts.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The body did not arrive within the body timeout.
    #[error("request body not received in time")]
    RequestTimeout,
    /// No route matches the method and path.
    #[error("Unrecognized request URL ({method}: {path}).")]
    UnrecognizedUrl {
        /// Request method.
        method: String,
        /// Request path.
        path: String,
    },
    /// An `Idempotency-Key` was reused with different parameters.
    #[error("{0}")]
    Idempotency(String),
    /// Another request with the same `Idempotency-Key` is still running.
    #[error("idempotency key in use: {0}")]
    IdempotencyKeyInUse(String),
    /// A response forced by the caller through fault injection or similar; rendered verbatim.
    #[error("unexpected internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A `resource_missing` error for `resource` `id`, referenced by `param`.
    pub fn missing(
        resource: &'static str,
        id: impl Into<String>,
        param: impl Into<String>,
    ) -> Self {
        Error::ResourceMissing {
            resource,
            id: id.into(),
            param: Some(param.into()),
        }
    }

    /// A 400 refusal with a code and message.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            code: Some(code),
            message: message.into(),
            param: None,
        }
    }

    /// A 400 refusal without a code (Stripe's generic `invalid_request_error`).
    pub fn invalid_uncoded(message: impl Into<String>, param: Option<String>) -> Self {
        Error::InvalidRequest {
            code: None,
            message: message.into(),
            param,
        }
    }

    /// `parameters_exclusive`: at most one of `names` (as the message lists them) may be sent;
    /// the error names `param`.
    pub fn exclusive(names: &str, param: impl Into<String>) -> Self {
        Error::InvalidRequest {
            code: Some("parameters_exclusive"),
            message: format!("You may only specify one of these parameters: {names}."),
            param: Some(param.into()),
        }
    }

    /// An invalid value for `param`.
    pub fn param_invalid(
        param: impl Into<String>,
        code: Option<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        Error::ParameterInvalid {
            param: param.into(),
            code,
            message: message.into(),
        }
    }
}

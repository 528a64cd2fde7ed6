//! Fault injection: "the next N requests matching this answer with that", so users can test
//! their retry and error handling (including `Stripe-Should-Retry`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sync::lock;

/// A fault as registered through `POST /_mock/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match (any if absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Path to match: exact, or a prefix when it ends with `*`.
    pub path: String,
    /// Only requests made with this secret key (any if absent).
    #[serde(default)]
    pub api_key: Option<String>,
    /// How many matching requests it applies to (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Answer with this status (400–599). Absent: answer normally after the delay, unless the
    /// connection is closed.
    #[serde(default)]
    pub status: Option<u16>,
    /// The `error` object of the answer (default: an `api_error` for 5xx, an
    /// `invalid_request_error` otherwise).
    #[serde(default)]
    pub error: Option<Value>,
    /// Wait this long first.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Drop the connection instead of answering.
    #[serde(default)]
    pub close_connection: bool,
    /// Set `Stripe-Should-Retry` on the answer.
    #[serde(default)]
    pub should_retry: Option<bool>,
}

fn one() -> u32 {
    1
}

/// A registered fault with its remaining count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fault {
    /// Identifier for inspection.
    pub id: String,
    /// What it matches and does.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Matching requests it still applies to.
    pub remaining: u32,
}

impl FaultSpec {
    /// Checks the spec's values.
    ///
    /// # Errors
    /// A message naming the offending field.
    pub fn validate(&self) -> Result<(), String> {
        if self.path.is_empty() {
            return Err("path must not be empty".into());
        }
        if self.times == 0 {
            return Err("times must be at least 1".into());
        }
        if let Some(s) = self.status {
            if !(400..=599).contains(&s) {
                return Err("status must be between 400 and 599".into());
            }
        }
        if self.delay_ms.is_some_and(|d| d > 60_000) {
            return Err("delay_ms must be at most 60000".into());
        }
        if let Some(e) = &self.error {
            if !e.is_object() {
                return Err("error must be an object".into());
            }
        }
        if self.status.is_none() && !self.close_connection && self.delay_ms.is_none() {
            return Err("a fault needs a status, delay_ms or close_connection".into());
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str, api_key: Option<&str>) -> bool {
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        path_ok
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.api_key.as_deref().is_none_or(|k| api_key == Some(k))
    }
}

/// The registered faults of a server.
#[derive(Debug, Default)]
pub struct Faults {
    faults: Mutex<Vec<Fault>>,
    next_id: std::sync::atomic::AtomicU64,
    /// How many faults are registered (kept with the list, under its lock), so that requests
    /// skip the lock while there are none, which is nearly always.
    registered: AtomicUsize,
}

impl Faults {
    /// Registers a fault; returns it with its id.
    pub fn add(&self, spec: FaultSpec) -> Fault {
        let n = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let fault = Fault {
            id: format!("fault_{n}"),
            remaining: spec.times,
            spec,
        };
        let mut faults = lock(&self.faults);
        faults.push(fault.clone());
        self.registered.store(faults.len(), Ordering::Release);
        fault
    }

    /// Takes one use of the first fault matching the request.
    pub fn take(&self, method: &str, path: &str, api_key: Option<&str>) -> Option<FaultSpec> {
        if self.registered.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut faults = lock(&self.faults);
        let i = faults
            .iter()
            .position(|f| f.spec.matches(method, path, api_key))?;
        let spec = faults[i].spec.clone();
        // A spec registered through the library skips `validate`; `times: 0` acts as 1.
        faults[i].remaining = faults[i].remaining.saturating_sub(1);
        if faults[i].remaining == 0 {
            faults.remove(i);
            self.registered.store(faults.len(), Ordering::Release);
        }
        Some(spec)
    }

    /// The registered faults.
    pub fn list(&self) -> Vec<Fault> {
        lock(&self.faults).clone()
    }

    /// Removes every fault (or those limited to `api_key`).
    pub fn clear(&self, api_key: Option<&str>) {
        let mut faults = lock(&self.faults);
        match api_key {
            None => faults.clear(),
            Some(k) => faults.retain(|f| f.spec.api_key.as_deref() != Some(k)),
        }
        self.registered.store(faults.len(), Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(path: &str, times: u32) -> FaultSpec {
        FaultSpec {
            method: Some("POST".into()),
            path: path.into(),
            api_key: None,
            times,
            status: Some(500),
            error: None,
            delay_ms: None,
            close_connection: false,
            should_retry: None,
        }
    }

    #[test]
    fn applies_the_given_number_of_times() {
        let f = Faults::default();
        f.add(spec("/v1/customers", 2));
        assert!(
            f.take("GET", "/v1/customers", None).is_none(),
            "method must match"
        );
        assert!(f.take("POST", "/v1/customers", None).is_some());
        assert!(f.take("post", "/v1/customers", None).is_some());
        assert!(f.take("POST", "/v1/customers", None).is_none());
    }

    #[test]
    fn prefix_patterns_and_keys() {
        let f = Faults::default();
        let mut s = spec("/v2/billing/*", 1);
        s.api_key = Some("sk_test_a".into());
        f.add(s);
        assert!(
            f.take("POST", "/v2/billing/intents", Some("sk_test_b"))
                .is_none()
        );
        assert!(
            f.take("POST", "/v2/billing/intents", Some("sk_test_a"))
                .is_some()
        );
    }

    #[test]
    fn validation() {
        assert!(spec("/x", 1).validate().is_ok());
        assert!(spec("/x", 0).validate().is_err());
        let mut s = spec("/x", 1);
        s.status = Some(200);
        assert!(s.validate().is_err());
        s.status = None;
        assert!(s.validate().is_err());
        s.close_connection = true;
        assert!(s.validate().is_ok());
    }
}

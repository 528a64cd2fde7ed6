//! Fault injection: "the next N requests matching this answer with that", so users can test
//! their retry and error handling (including `Stripe-Should-Retry`).

use hashbrown::HashMap;
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
    /// Registration order: among the faults a request matches, the oldest applies.
    #[serde(skip)]
    seq: u64,
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

    /// Whether the request matches, its path aside (the registry finds faults by path).
    fn matches_request(&self, method: &str, api_key: Option<&str>) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.api_key.as_deref().is_none_or(|k| api_key == Some(k))
    }
}

/// The 400 for a fault the control plane or the library cannot register.
pub fn invalid_fault(reason: &str) -> crate::Error {
    crate::Error::invalid_uncoded(format!("Invalid fault: {reason}."), None)
}

/// Most faults registered at once.
pub const MAX_FAULTS: usize = 1_000;

/// The registered faults of a server.
#[derive(Debug, Default)]
pub struct Faults {
    registry: Mutex<Registry>,
    next_id: std::sync::atomic::AtomicU64,
    /// How many faults are registered (kept with the registry, under its lock), so that
    /// requests skip the lock while there are none, which is nearly always.
    registered: AtomicUsize,
}

/// The faults by path: exact paths in a map (a request looks up its own path), prefixes (a
/// path ending in `*`) in a list ordered longest first, searched until the first match.
#[derive(Debug, Default)]
struct Registry {
    exact: HashMap<String, Vec<Fault>>,
    prefixed: Vec<Fault>,
    len: usize,
}

impl Registry {
    /// Where the oldest fault matching the request is: its path's list (`None`: the prefix
    /// list) and index.
    fn find(&self, method: &str, path: &str, api_key: Option<&str>) -> Option<(bool, usize)> {
        let exact = self.exact.get(path).and_then(|list| {
            list.iter()
                .position(|f| f.spec.matches_request(method, api_key))
                .map(|i| (list[i].seq, i))
        });
        let prefixed = self
            .prefixed
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.spec
                    .path
                    .strip_suffix('*')
                    .is_some_and(|prefix| path.starts_with(prefix))
                    && f.spec.matches_request(method, api_key)
            })
            .min_by_key(|(_, f)| f.seq)
            .map(|(i, f)| (f.seq, i));
        match (exact, prefixed) {
            (Some((a, i)), Some((b, _))) if a < b => Some((true, i)),
            (Some((_, i)), None) => Some((true, i)),
            (_, Some((_, j))) => Some((false, j)),
            (None, None) => None,
        }
    }

    fn all(&self) -> Vec<Fault> {
        let mut all: Vec<Fault> = self
            .exact
            .values()
            .flatten()
            .chain(&self.prefixed)
            .cloned()
            .collect();
        all.sort_by_key(|f| f.seq);
        all
    }
}

impl Faults {
    /// Registers a fault; returns it with its id.
    ///
    /// # Errors
    /// When [`MAX_FAULTS`] are registered already.
    pub fn add(&self, spec: FaultSpec) -> crate::Result<Fault> {
        let mut registry = lock(&self.registry);
        if registry.len >= MAX_FAULTS {
            return Err(invalid_fault(&format!(
                "at most {MAX_FAULTS} faults can be registered at once; clear some first"
            )));
        }
        let seq = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let fault = Fault {
            id: format!("fault_{seq}"),
            remaining: spec.times,
            spec,
            seq,
        };
        if fault.spec.path.ends_with('*') {
            registry.prefixed.push(fault.clone());
        } else {
            let path = fault.spec.path.clone();
            registry.exact.entry(path).or_default().push(fault.clone());
        }
        registry.len += 1;
        self.registered.store(registry.len, Ordering::Release);
        Ok(fault)
    }

    /// Takes one use of the oldest fault matching the request.
    pub fn take(&self, method: &str, path: &str, api_key: Option<&str>) -> Option<FaultSpec> {
        if self.registered.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut guard = lock(&self.registry);
        let registry = &mut *guard;
        let (exact, i) = registry.find(method, path, api_key)?;
        let list = if exact {
            registry.exact.get_mut(path)?
        } else {
            &mut registry.prefixed
        };
        let spec = list[i].spec.clone();
        // A spec registered through the library skips `validate`; `times: 0` acts as 1.
        list[i].remaining = list[i].remaining.saturating_sub(1);
        if list[i].remaining == 0 {
            list.remove(i);
            if exact && list.is_empty() {
                registry.exact.remove(path);
            }
            registry.len -= 1;
            self.registered.store(registry.len, Ordering::Release);
        }
        Some(spec)
    }

    /// The registered faults, oldest first.
    pub fn list(&self) -> Vec<Fault> {
        lock(&self.registry).all()
    }

    /// Removes every fault (or those limited to `api_key`).
    pub fn clear(&self, api_key: Option<&str>) {
        let mut guard = lock(&self.registry);
        let registry = &mut *guard;
        match api_key {
            None => *registry = Registry::default(),
            Some(k) => {
                let keep = |f: &Fault| f.spec.api_key.as_deref() != Some(k);
                registry.prefixed.retain(keep);
                for list in registry.exact.values_mut() {
                    list.retain(keep);
                }
                registry.exact.retain(|_, list| !list.is_empty());
                registry.len =
                    registry.prefixed.len() + registry.exact.values().map(Vec::len).sum::<usize>();
            }
        }
        self.registered.store(registry.len, Ordering::Release);
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
        f.add(spec("/v1/customers", 2)).expect("room");
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
        f.add(s).expect("room");
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

    #[test]
    fn the_oldest_matching_fault_applies_exact_or_prefix() {
        let f = Faults::default();
        let mut first = spec("/v1/*", 1);
        first.status = Some(502);
        f.add(first).expect("room");
        f.add(spec("/v1/customers", 1)).expect("room");
        let mut later = spec("/v1/*", 1);
        later.status = Some(503);
        f.add(later).expect("room");
        let statuses: Vec<Option<u16>> = (0..4)
            .map(|_| f.take("POST", "/v1/customers", None).and_then(|s| s.status))
            .collect();
        assert_eq!(statuses, [Some(502), Some(500), Some(503), None]);
        assert!(f.list().is_empty());
    }

    #[test]
    fn registrations_are_capped_and_cleared_by_key() {
        let f = Faults::default();
        for i in 0..MAX_FAULTS {
            let mut s = spec(&format!("/v1/x{i}"), 1);
            if i % 2 == 0 {
                s.api_key = Some("sk_test_a".into());
            }
            f.add(s).expect("room");
        }
        assert!(f.add(spec("/v1/one_more", 1)).is_err());
        f.clear(Some("sk_test_a"));
        assert_eq!(f.list().len(), MAX_FAULTS / 2);
        assert!(f.add(spec("/v1/one_more", 1)).is_ok());
        f.clear(None);
        assert!(f.list().is_empty());
    }
}

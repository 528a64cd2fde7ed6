//! Idempotent requests, as Stripe runs them: the store of keys and their stored answers.
//!
//! A POST (and a v2 DELETE) carrying an `Idempotency-Key` executes at most once per account and
//! key. The first completed response is stored with the request's [`Fingerprint`] (a SHA-256 of
//! its method, path and decoded parameters, so parameter order and encoding do not matter); a
//! repeat with the same fingerprint gets the stored status and body byte for byte, a repeat with
//! another an `idempotency_error`. A repeat that arrives while the first is still running waits
//! for it (up to [`WAIT_FOR_IN_FLIGHT`]) and then replays it, or gets Stripe's 409
//! `idempotency_key_in_use`. The layer that applies this to requests is
//! `http::layers::idempotency`; this module holds no HTTP plumbing.
//!
//! Bounds: keys expire [`KEY_TTL_SECS`] after first use (by the server clock), and each account
//! keeps at most [`MAX_KEYS_PER_ACCOUNT`] keys, dropping the oldest first (a map plus a queue of
//! keys in first-use order); all accounts together keep at most [`MAX_KEYS_TOTAL`] (a second
//! queue, across accounts).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use hashbrown::HashMap;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::http::de::Mode;
use crate::http::{form, mode_of};
use crate::store::AccountKey;
use crate::sync::lock;

/// How long a key is remembered.
pub const KEY_TTL_SECS: i64 = 24 * 60 * 60;
/// How many keys an account keeps at most.
pub const MAX_KEYS_PER_ACCOUNT: usize = 10_000;
/// How many keys all accounts together keep at most; beyond it the oldest key of any account is
/// dropped (with a log line).
pub const MAX_KEYS_TOTAL: usize = 100_000;
/// Longest key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 255;
/// How long a repeat waits for the in-flight original before answering 409.
pub const WAIT_FOR_IN_FLIGHT: Duration = Duration::from_secs(30);

/// SHA-256 of a request's method, path and decoded parameters: equal for requests Stripe
/// considers the same.
pub type Fingerprint = [u8; 32];

/// A request's [`Fingerprint`]. The parameters are decoded and written out in a canonical,
/// length-prefixed form (`canonical`), objects (`serde_json::Map`, a sorted map) in key order:
/// v1 merges the query with the form body, v2 takes the JSON body and the query apart. A body
/// that does not decode is hashed as its bytes, less surrounding whitespace.
pub fn fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> Fingerprint {
    fingerprint_and_params(method, path_and_query, body).0
}

/// The request's [`Fingerprint`], and the parameters decoded for it, which the endpoint's
/// extractor takes instead of decoding the body again: v1's query merged with the form body,
/// v2's body object (`None` where the body did not decode to them).
pub fn fingerprint_and_params(
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> (Fingerprint, Option<Map<String, Value>>) {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let query = form::decode(query).ok();
    let mut hash = Sha256::new();
    for part in [method.as_bytes(), path.as_bytes()] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    // The decoded parameters are written out whole and hashed in one call: the hasher's
    // per-call cost would otherwise be paid for every value.
    let mut decoded = Vec::with_capacity(body.len() + 64);
    let params = match mode_of(path) {
        Mode::V2 => serde_json::from_slice::<Value>(body).ok().map(|body| {
            match &query {
                Some(query) => canonical_map(query, &mut decoded),
                None => decoded.push(b'-'),
            }
            canonical(&body, &mut decoded);
            match body {
                Value::Object(map) => Some(map),
                _ => None,
            }
        }),
        Mode::V1 => std::str::from_utf8(body).ok().and_then(|text| {
            let mut params: Map<String, Value> = query?;
            params.extend(form::decode(text).ok()?);
            canonical_map(&params, &mut decoded);
            Some(Some(params))
        }),
    };
    let Some(params) = params else {
        hash.update(b"raw:");
        hash.update(body.trim_ascii());
        return (hash.finalize().into(), None);
    };
    hash.update(b"decoded:");
    hash.update(&decoded);
    (hash.finalize().into(), params)
}

/// Appends `value` to `out` in a form that tells every two distinct values apart: a tag per
/// kind, counts and lengths before contents. Cheaper to hash than JSON, which escapes and formats
/// what only needs to be told apart.
fn canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(b'n'),
        Value::Bool(b) => out.extend_from_slice(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push(b'u');
                out.extend_from_slice(&u.to_le_bytes());
            } else if let Some(i) = n.as_i64() {
                out.push(b'i');
                out.extend_from_slice(&i.to_le_bytes());
            } else {
                out.push(b'd');
                out.extend_from_slice(&n.as_f64().unwrap_or_default().to_bits().to_le_bytes());
            }
        }
        Value::String(s) => {
            out.push(b's');
            canonical_str(s, out);
        }
        Value::Array(items) => {
            out.push(b'a');
            push_len(items.len(), out);
            for item in items {
                canonical(item, out);
            }
        }
        Value::Object(map) => canonical_map(map, out),
    }
}

fn canonical_map(map: &Map<String, Value>, out: &mut Vec<u8>) {
    out.push(b'o');
    push_len(map.len(), out);
    for (key, value) in map {
        canonical_str(key, out);
        canonical(value, out);
    }
}

fn canonical_str(s: &str, out: &mut Vec<u8>) {
    push_len(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

/// A count or length as four bytes: a body is at most 1 MiB, so none reaches 2³².
fn push_len(len: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

/// A stored response.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// Status code.
    pub status: StatusCode,
    /// Body bytes.
    pub body: Bytes,
}

#[derive(Debug)]
enum State {
    /// Executing; the sender (made by the first repeat that waits) is set to `true` when the
    /// original settles.
    InFlight(Option<watch::Sender<bool>>),
    /// Answered at `at` (server clock, seconds) with this response.
    Done { response: StoredResponse, at: i64 },
}

#[derive(Debug)]
struct Entry {
    /// The key's text, shared with its place in [`Keys::order`]: the queue tells a key's
    /// current use from an earlier, expired one by this allocation.
    key: Arc<str>,
    fingerprint: Fingerprint,
    state: State,
}

/// One account's keys: a map by key, and the keys in first-use order, for eviction.
#[derive(Debug, Default)]
struct Keys {
    map: HashMap<Arc<str>, Entry>,
    order: VecDeque<Arc<str>>,
}

impl Keys {
    /// Drops the oldest keys beyond the bound. A queued key whose entry has since been
    /// replaced (expired and used again) or forgotten is skipped.
    fn evict(&mut self) {
        while self.order.len() > MAX_KEYS_PER_ACCOUNT {
            let Some(oldest) = self.order.pop_front() else {
                return;
            };
            if self
                .map
                .get(&oldest)
                .is_some_and(|e| Arc::ptr_eq(&e.key, &oldest))
            {
                self.map.remove(&oldest);
            }
        }
    }
}

/// What to do with an idempotent request.
#[derive(Debug)]
pub enum Begin {
    /// First use: execute, then [`Guard::finish`].
    Execute(Guard),
    /// Same request seen before: answer with this.
    Replay(StoredResponse),
    /// The key was used with other parameters or another path.
    Mismatch,
    /// The original is still running: wait on this, then ask again.
    Wait(watch::Receiver<bool>),
}

/// The idempotency store of a server.
#[derive(Debug)]
pub struct Idempotency {
    accounts: Mutex<Accounts>,
    max_total: usize,
}

impl Default for Idempotency {
    fn default() -> Self {
        Idempotency::with_max_total(MAX_KEYS_TOTAL)
    }
}

/// Every account's keys, and all keys in first-use order across accounts.
#[derive(Debug, Default)]
struct Accounts {
    by_account: HashMap<AccountKey, Keys>,
    order: VecDeque<(AccountKey, Arc<str>)>,
    /// Whether the limit was met since the last log line about it.
    at_limit: bool,
}

impl Accounts {
    /// Drops the oldest keys of any account beyond `max`: queue entries whose key has since
    /// been replaced or forgotten count until they are reached, so the queue itself stays
    /// bounded.
    fn evict(&mut self, max: usize) {
        if self.order.len() <= max {
            self.at_limit = false;
            return;
        }
        if !self.at_limit {
            self.at_limit = true;
            tracing::info!(
                max,
                "idempotency key limit reached: the oldest keys of any account are forgotten"
            );
        }
        while self.order.len() > max {
            let Some((account, oldest)) = self.order.pop_front() else {
                return;
            };
            if let Some(keys) = self.by_account.get_mut(&account) {
                if keys
                    .map
                    .get(&oldest)
                    .is_some_and(|e| Arc::ptr_eq(&e.key, &oldest))
                {
                    keys.map.remove(&oldest);
                }
                if keys.map.is_empty() {
                    self.by_account.remove(&account);
                }
            }
        }
    }
}

impl Idempotency {
    /// A store keeping at most `max_total` keys across accounts.
    pub fn with_max_total(max_total: usize) -> Self {
        Idempotency {
            accounts: Mutex::new(Accounts::default()),
            max_total: max_total.max(1),
        }
    }

    /// Looks `key` up for `account` and registers it as in flight if it is new (or expired).
    pub fn begin(
        self: &Arc<Self>,
        account: &AccountKey,
        key: &str,
        fingerprint: &Fingerprint,
        now: i64,
    ) -> Begin {
        let mut all = lock(&self.accounts);
        let keys = all.by_account.entry(account.clone()).or_default();
        let expired = keys
            .map
            .get(key)
            .is_some_and(|e| matches!(e.state, State::Done { at, .. } if at + KEY_TTL_SECS <= now));
        if expired {
            keys.map.remove(key);
        }
        if let Some(entry) = keys.map.get_mut(key) {
            if entry.fingerprint != *fingerprint {
                return Begin::Mismatch;
            }
            return match &mut entry.state {
                State::Done { response, .. } => Begin::Replay(response.clone()),
                State::InFlight(Some(tx)) => Begin::Wait(tx.subscribe()),
                State::InFlight(waiters) => {
                    let (tx, rx) = watch::channel(false);
                    *waiters = Some(tx);
                    Begin::Wait(rx)
                }
            };
        }
        let key: Arc<str> = Arc::from(key);
        let entry = Entry {
            key: Arc::clone(&key),
            fingerprint: *fingerprint,
            state: State::InFlight(None),
        };
        keys.map.insert(Arc::clone(&key), entry);
        keys.order.push_back(Arc::clone(&key));
        keys.evict();
        all.order.push_back((account.clone(), Arc::clone(&key)));
        all.evict(self.max_total);
        Begin::Execute(Guard {
            owner: Arc::clone(self),
            account: account.clone(),
            key,
            settled: false,
        })
    }

    /// Forgets every key (or those of one API key's accounts).
    pub fn clear(&self, api_key: Option<&str>) {
        let mut all = lock(&self.accounts);
        match api_key {
            None => *all = Accounts::default(),
            Some(k) => {
                all.by_account.retain(|a, _| a.api_key() != k);
                all.order.retain(|(a, _)| a.api_key() != k);
            }
        }
    }

    /// Number of keys remembered for `account` (for tests of the bound).
    pub fn len(&self, account: &AccountKey) -> usize {
        lock(&self.accounts)
            .by_account
            .get(account)
            .map_or(0, |k| k.map.len())
    }

    /// Number of keys remembered across all accounts.
    pub fn total(&self) -> usize {
        lock(&self.accounts)
            .by_account
            .values()
            .map(|k| k.map.len())
            .sum()
    }

    /// Records the outcome of an in-flight key (a response to replay, or `None` to forget the
    /// key) and wakes the repeats waiting on it.
    fn settle(&self, account: &AccountKey, key: &Arc<str>, outcome: Option<(StoredResponse, i64)>) {
        let previous = {
            let mut all = lock(&self.accounts);
            let Some(keys) = all.by_account.get_mut(account) else {
                return;
            };
            let Some(entry) = keys
                .map
                .get_mut(&**key)
                .filter(|e| Arc::ptr_eq(&e.key, key))
            else {
                return;
            };
            match outcome {
                Some((response, at)) => {
                    std::mem::replace(&mut entry.state, State::Done { response, at })
                }
                None => {
                    keys.order.retain(|k| !Arc::ptr_eq(k, key));
                    match keys.map.remove(&**key) {
                        Some(entry) => entry.state,
                        None => return,
                    }
                }
            }
        };
        // Woken after the lock is released.
        if let State::InFlight(Some(tx)) = previous {
            let _ = tx.send(true);
        }
    }
}

/// An in-flight idempotent request. Dropping it without [`Guard::finish`] (a cancelled request)
/// forgets the key, so a retry executes again.
#[derive(Debug)]
pub struct Guard {
    owner: Arc<Idempotency>,
    account: AccountKey,
    key: Arc<str>,
    settled: bool,
}

impl Guard {
    /// Stores `response` for replays (or, with `None`, forgets the key) and wakes waiters.
    pub fn finish(mut self, response: Option<StoredResponse>, now: i64) {
        let outcome = response.map(|r| (r, now));
        self.owner.settle(&self.account, &self.key, outcome);
        self.settled = true;
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.settled {
            self.owner.settle(&self.account, &self.key, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct() -> AccountKey {
        AccountKey::new("sk_test_1", None)
    }

    fn fp(s: &str) -> Fingerprint {
        fingerprint("POST", "/v1/x", s.as_bytes())
    }

    fn stored(body: &'static str) -> StoredResponse {
        StoredResponse {
            status: StatusCode::OK,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn fingerprints_ignore_order_and_encoding_and_see_every_difference() {
        let v2 = "/v2/billing/intents";
        let first = fingerprint(
            "POST",
            v2,
            br#"{"currency":"usd","actions":[{"a":1,"b":"x"}]}"#,
        );
        // Other order, spacing and escapes, the same parameters.
        let reordered = br#"{ "actions": [ {"b": "\u0078", "a": 1} ], "currency": "usd" }"#;
        assert_eq!(first, fingerprint("POST", v2, reordered));
        // Another value, method, path or query is another request.
        let same_body = br#"{"currency":"usd","actions":[{"a":1,"b":"x"}]}"#;
        for (method, target, body) in [
            (
                "POST",
                v2,
                &br#"{"currency":"eur","actions":[{"a":1,"b":"x"}]}"#[..],
            ),
            ("POST", "/v2/billing/cadences", same_body),
            ("DELETE", v2, same_body),
            ("POST", "/v2/billing/intents?x=1", same_body),
        ] {
            assert_ne!(
                first,
                fingerprint(method, target, body),
                "{method} {target}"
            );
        }
        let distinct = [
            r#"{"a": 1}"#,
            r#"{"a": "1"}"#,
            r#"{"a": 1.5}"#,
            r#"{"a": 1.0}"#,
            r#"{"a": -1}"#,
            r#"{"a": true}"#,
            r#"{"a": false}"#,
            r#"{"a": [[1]]}"#,
            r#"{"a": [{}]}"#,
            r#"{"a": null}"#,
            r#"{"a": [1]}"#,
            r#"{"a": {"1": 1}}"#,
            r#"{"ab": "c"}"#,
            r#"{"a": ["b", "c"]}"#,
            r#"{}"#,
            "",
        ];
        for (i, x) in distinct.iter().enumerate() {
            for y in &distinct[i + 1..] {
                assert_ne!(
                    fingerprint("POST", v2, x.as_bytes()),
                    fingerprint("POST", v2, y.as_bytes()),
                    "{x} vs {y}"
                );
            }
        }
        // v1: the query and the form body together, in any order and encoding.
        let v1 = fingerprint(
            "POST",
            "/v1/customers?name=Q",
            b"email=a%40b.c&metadata[x]=1",
        );
        let moved = b"metadata%5Bx%5D=1&name=Q&email=a%40b.c";
        assert_eq!(v1, fingerprint("POST", "/v1/customers", moved));
        assert_ne!(
            v1,
            fingerprint("POST", "/v1/customers", b"email=a%40b.c&metadata[x]=1")
        );
        // A body that does not decode is compared as bytes (less surrounding whitespace).
        let raw = fingerprint("POST", v2, b"not json");
        assert_eq!(raw, fingerprint("POST", v2, b" not json\n"));
        assert_ne!(raw, fingerprint("POST", v2, b"not jsom"));
    }

    #[test]
    fn first_use_executes_then_replays() {
        let idem = Arc::new(Idempotency::default());
        let Begin::Execute(guard) = idem.begin(&acct(), "k", &fp("a=1"), 0) else {
            panic!("first use executes");
        };
        guard.finish(Some(stored("{}")), 0);
        assert!(
            matches!(idem.begin(&acct(), "k", &fp("a=1"), 1), Begin::Replay(r) if r.body == "{}")
        );
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("a=2"), 1),
            Begin::Mismatch
        ));
    }

    #[test]
    fn in_flight_repeats_wait_and_mismatches_fail() {
        let idem = Arc::new(Idempotency::default());
        let Begin::Execute(guard) = idem.begin(&acct(), "k", &fp("a=1"), 0) else {
            panic!("first use executes");
        };
        let Begin::Wait(rx) = idem.begin(&acct(), "k", &fp("a=1"), 0) else {
            panic!("repeat waits");
        };
        let Begin::Wait(rx2) = idem.begin(&acct(), "k", &fp("a=1"), 0) else {
            panic!("a second repeat waits too");
        };
        assert!(!*rx.borrow() && !*rx2.borrow());
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("a=2"), 0),
            Begin::Mismatch
        ));
        guard.finish(Some(stored("a")), 0);
        assert!(*rx.borrow() && *rx2.borrow(), "both waiters are woken");
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("a=1"), 0),
            Begin::Replay(r) if r.body == "a"
        ));
    }

    #[test]
    fn a_dropped_or_unstored_guard_forgets_the_key() {
        let idem = Arc::new(Idempotency::default());
        let Begin::Execute(guard) = idem.begin(&acct(), "k", &fp("a=1"), 0) else {
            panic!("first use executes");
        };
        let Begin::Wait(rx) = idem.begin(&acct(), "k", &fp("a=1"), 0) else {
            panic!("repeat waits");
        };
        drop(guard);
        assert!(*rx.borrow(), "the waiter is woken to try again");
        let Begin::Execute(guard) = idem.begin(&acct(), "k", &fp("a=2"), 0) else {
            panic!("the key is free again");
        };
        guard.finish(None, 0);
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("a=3"), 0),
            Begin::Execute(_)
        ));
    }

    #[test]
    fn keys_expire_after_a_day() {
        let idem = Arc::new(Idempotency::default());
        if let Begin::Execute(g) = idem.begin(&acct(), "k", &fp("a=1"), 0) {
            g.finish(Some(stored("a")), 0);
        }
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("a=2"), KEY_TTL_SECS - 1),
            Begin::Mismatch
        ));
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("a=2"), KEY_TTL_SECS),
            Begin::Execute(_)
        ));
    }

    #[test]
    fn the_store_is_bounded_per_account() {
        let idem = Arc::new(Idempotency::default());
        for i in 0..(MAX_KEYS_PER_ACCOUNT + 5) {
            if let Begin::Execute(g) = idem.begin(&acct(), &format!("k{i}"), &fp("a=1"), 0) {
                g.finish(Some(stored("a")), 0);
            }
        }
        assert_eq!(idem.len(&acct()), MAX_KEYS_PER_ACCOUNT);
        assert!(
            matches!(idem.begin(&acct(), "k0", &fp("a=2"), 0), Begin::Execute(_)),
            "oldest evicted"
        );
    }

    #[test]
    fn a_key_used_again_after_expiring_is_evicted_by_its_new_use_not_its_first() {
        let idem = Arc::new(Idempotency::default());
        let run = |key: &str, now: i64| {
            if let Begin::Execute(g) = idem.begin(&acct(), key, &fp("a=1"), now) {
                g.finish(Some(stored("a")), now);
            }
        };
        run("k", 0);
        run("k", KEY_TTL_SECS);
        // Enough newer keys to evict the first use of "k" from the order, not its second.
        for i in 0..(MAX_KEYS_PER_ACCOUNT - 1) {
            run(&format!("other{i}"), KEY_TTL_SECS);
        }
        assert_eq!(idem.len(&acct()), MAX_KEYS_PER_ACCOUNT);
        assert!(
            matches!(
                idem.begin(&acct(), "k", &fp("a=1"), KEY_TTL_SECS),
                Begin::Replay(_)
            ),
            "the second use of k is still remembered"
        );
        run("one_more", KEY_TTL_SECS);
        assert_eq!(idem.len(&acct()), MAX_KEYS_PER_ACCOUNT);
        assert!(
            matches!(
                idem.begin(&acct(), "k", &fp("a=2"), KEY_TTL_SECS),
                Begin::Execute(_)
            ),
            "and is the oldest to go"
        );
    }

    #[test]
    fn accounts_do_not_share_keys() {
        let idem = Arc::new(Idempotency::default());
        if let Begin::Execute(g) = idem.begin(&acct(), "k", &fp("a=1"), 0) {
            g.finish(Some(stored("a")), 0);
        }
        let other = AccountKey::new("sk_test_2", None);
        assert!(matches!(
            idem.begin(&other, "k", &fp("a=2"), 0),
            Begin::Execute(_)
        ));
    }

    #[test]
    fn all_accounts_together_keep_at_most_the_total_dropping_the_oldest() {
        let idem = Arc::new(Idempotency::with_max_total(5));
        let accounts: Vec<AccountKey> = (0..3)
            .map(|i| AccountKey::new(&format!("sk_test_total_{i}"), None))
            .collect();
        for round in 0..3 {
            for a in &accounts {
                let Begin::Execute(guard) = idem.begin(a, &format!("k{round}"), &fp("x"), 0) else {
                    panic!("first use executes");
                };
                guard.finish(Some(stored("{}")), 0);
            }
        }
        assert_eq!(idem.total(), 5);
        // The four oldest (round 0, and account 0 of round 1) are gone; the newest replay.
        assert!(matches!(
            idem.begin(&accounts[0], "k0", &fp("x"), 1),
            Begin::Execute(_)
        ));
        assert!(matches!(
            idem.begin(&accounts[2], "k2", &fp("x"), 1),
            Begin::Replay(_)
        ));
    }
}

//! Idempotent requests, as Stripe runs them.
//!
//! A POST (and a v2 DELETE) carrying an `Idempotency-Key` executes at most once per account and
//! key. The first completed response is stored with the request's [`Signature`]; a repeat with
//! the same parameters (method, path and the decoded parameters, so key order and encoding
//! details do not matter) gets the stored status and body byte for byte, a repeat with other
//! parameters an `idempotency_error`. A repeat that arrives while the first is still running
//! waits for it (up to [`WAIT_FOR_IN_FLIGHT`]) and then replays it, or gets Stripe's 409
//! `idempotency_key_in_use`. Requests rejected by parameter validation are not stored, as on
//! Stripe, so they can be retried with the same key.
//!
//! Bounds: keys expire [`KEY_TTL_SECS`] after first use (by the server clock), and each account
//! keeps at most [`MAX_KEYS_PER_ACCOUNT`] keys, dropping the oldest first.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use hashbrown::{DefaultHashBuilder, HashMap, HashTable};
use tokio::sync::watch;

use crate::domain::id::mix;
use crate::http::extract::Decoded;
use crate::http::json_parse::{self, Parsed};
use crate::http::param::{Fields, Param};
use crate::http::params::Mode;
use crate::http::{form, mode_of};
use crate::store::AccountKey;

use crate::sync::lock;

/// How long a key is remembered.
pub const KEY_TTL_SECS: i64 = 24 * 60 * 60;
/// How many keys an account keeps at most.
pub const MAX_KEYS_PER_ACCOUNT: usize = 10_000;
/// Longest key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 255;
/// Largest request (method, path and query, body) kept whole as its key's [`Signature`];
/// larger ones are kept as a [`Fingerprint`].
pub const MAX_KEPT_REQUEST: usize = 1024;
/// How long a repeat waits for the in-flight original before answering 409.
pub const WAIT_FOR_IN_FLIGHT: Duration = Duration::from_secs(30);

/// 128 bits standing for a request's method, path and decoded parameters: equal for requests
/// Stripe considers the same (parameter order and encoding do not matter, since the
/// parameters are hashed after decoding, object keys in sorted order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(u64, u64);

impl Fingerprint {
    /// Starts a fingerprint.
    pub fn builder() -> FingerprintBuilder {
        FingerprintBuilder {
            canonical: Vec::with_capacity(512),
        }
    }

    /// The fingerprint of `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        let mut b = Fingerprint::builder();
        b.bytes(bytes);
        b.finish()
    }
}

/// Feeds a [`Fingerprint`]: collects an unambiguous encoding of its input (type tags, lengths,
/// contents), hashed once at the end.
#[derive(Debug, Clone)]
pub struct FingerprintBuilder {
    canonical: Vec<u8>,
}

impl FingerprintBuilder {
    /// Adds a length-prefixed byte string.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.tag(0);
        self.u64(bytes.len() as u64);
        self.canonical.extend_from_slice(bytes);
    }

    /// Adds a decoded parameter value: type tags, lengths and contents, object keys in their
    /// (sorted) order.
    pub fn value(&mut self, value: &Param) {
        match value {
            Param::Null => self.tag(1),
            Param::Bool(b) => {
                self.tag(2);
                self.u64(u64::from(*b));
            }
            Param::Number(n) => {
                if let Some(i) = n.as_i64() {
                    self.tag(3);
                    self.u64(i as u64);
                } else if let Some(u) = n.as_u64() {
                    self.tag(4);
                    self.u64(u);
                } else {
                    self.tag(5);
                    self.u64(n.as_f64().map_or(0, f64::to_bits));
                }
            }
            Param::String(s) => {
                self.tag(6);
                self.bytes(s.as_bytes());
            }
            Param::Array(items) => {
                self.tag(7);
                self.u64(items.len() as u64);
                items.iter().for_each(|v| self.value(v));
            }
            Param::Object(fields) => self.fields(fields),
        }
    }

    /// Adds a decoded object.
    pub fn fields(&mut self, fields: &Fields) {
        self.tag(8);
        self.u64(fields.len() as u64);
        for (k, v) in fields.iter() {
            self.bytes(k.as_bytes());
            self.value(v);
        }
    }

    /// The fingerprint, 128 bits: two multiply-rotate hashes of the encoding's eight-byte words,
    /// with their own constants and rotations, each finished by splitmix64's finalizer (every
    /// input bit reaches every output bit). Each step is a bijection of the lane's state for a
    /// given word, so encodings that differ in one word always differ in both lanes. Not a
    /// cryptographic hash: a key's owner is the only one who could look for a collision.
    pub fn finish(self) -> Fingerprint {
        const FIRST: (u64, u32, u64) = (0x9E37_79B9_7F4A_7C15, 23, 0xF135_7AEA_2E62_A9C5);
        const SECOND: (u64, u32, u64) = (0xC2B2_AE3D_27D4_EB4F, 41, 0xD6E8_FEB8_6659_FD93);
        let len = self.canonical.len() as u64;
        let (mut a, mut b) = (FIRST.0 ^ len, SECOND.0 ^ len);
        let mut step = |w: u64| {
            a = (a.rotate_left(FIRST.1) ^ w).wrapping_mul(FIRST.2);
            b = (b.rotate_left(SECOND.1) ^ w).wrapping_mul(SECOND.2);
        };
        let mut words = self.canonical.chunks_exact(8);
        for chunk in words.by_ref() {
            let mut w = [0; 8];
            w.copy_from_slice(chunk);
            step(u64::from_le_bytes(w));
        }
        let mut last = [0; 8];
        last[..words.remainder().len()].copy_from_slice(words.remainder());
        step(u64::from_le_bytes(last));
        Fingerprint(mix(a), mix(b))
    }

    fn tag(&mut self, tag: u8) {
        self.canonical.push(tag);
    }

    /// Lengths and integers as LEB128 varints: one byte for the usual small values.
    fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.canonical.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.canonical.push(v as u8);
    }
}

/// The request a key was first used with, to tell a retry (the same parameters) from another
/// request. A request of up to [`MAX_KEPT_REQUEST`] bytes is kept as it came and compared byte
/// for byte; only when two uses' bytes differ are both fingerprinted, since parameter order and
/// encoding do not matter. A larger request is fingerprinted at once. Retries send the same
/// bytes, so the usual request is never decoded for its key; 10,000 keys of such requests
/// cost about 10 MB per account at most, larger ones 160 KB.
#[derive(Debug, Clone)]
pub enum Signature {
    /// `METHOD path?query`, a newline, the body.
    Request(Arc<[u8]>),
    /// The fingerprint of a larger request.
    Fingerprint(Fingerprint),
}

impl Signature {
    /// The request kept whole, if it is small enough.
    pub fn request(method: &str, path_and_query: &str, body: &[u8]) -> Option<Signature> {
        let len = method.len() + path_and_query.len() + body.len() + 2;
        if len > MAX_KEPT_REQUEST {
            return None;
        }
        let mut bytes = Vec::with_capacity(len);
        bytes.extend_from_slice(method.as_bytes());
        bytes.push(b' ');
        bytes.extend_from_slice(path_and_query.as_bytes());
        bytes.push(b'\n');
        bytes.extend_from_slice(body);
        Some(Signature::Request(bytes.into()))
    }

    /// Whether two uses of a key carry the same request: the same bytes, or else the same
    /// [`canonical`] fingerprint.
    pub fn same(&self, other: &Signature) -> bool {
        match (self, other) {
            (Signature::Request(a), Signature::Request(b)) if a == b => true,
            _ => self.fingerprint() == other.fingerprint(),
        }
    }

    fn fingerprint(&self) -> Fingerprint {
        match self {
            Signature::Fingerprint(f) => *f,
            Signature::Request(bytes) => {
                // A method has no space and a request target no newline.
                let (head, body) = bytes
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or((&bytes[..], &[][..]), |at| (&bytes[..at], &bytes[at + 1..]));
                let head = std::str::from_utf8(head).unwrap_or_default();
                let (method, target) = head.split_once(' ').unwrap_or((head, ""));
                canonical(method, target, body).0
            }
        }
    }
}

/// A request's fingerprint: its method, its path and its decoded parameters (v2: the JSON
/// body's object; v1: the query merged with the form body), or the body's bytes where they do
/// not decode. The decoded parameters come back too, for the handler.
pub fn canonical(
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> (Fingerprint, Option<Decoded>) {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let decoded = match mode_of(path) {
        Mode::V2 => match json_parse::parse(body) {
            Ok(Parsed {
                value: Param::Object(fields),
                within_limits,
            }) => Some(Decoded {
                fields,
                within_limits,
            }),
            _ => None,
        },
        Mode::V1 => std::str::from_utf8(body).ok().and_then(|text| {
            let mut map = form::decode(query).ok()?;
            map.extend(form::decode(text).ok()?);
            Some(Decoded {
                fields: map.into(),
                within_limits: true,
            })
        }),
    };
    let mut fp = Fingerprint::builder();
    fp.bytes(method.as_bytes());
    fp.bytes(path.as_bytes());
    match &decoded {
        Some(decoded) => fp.fields(&decoded.fields),
        None => fp.bytes(body.trim_ascii()),
    }
    (fp.finish(), decoded)
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
enum Entry {
    InFlight {
        signature: Signature,
        /// Set to `true` when the original settles; made by the first repeat that waits.
        waiters: Option<watch::Sender<bool>>,
    },
    Done {
        signature: Signature,
        response: StoredResponse,
        at: i64,
    },
}

/// One remembered key. The slot keeps its key's hash, so neither the table's growth nor an
/// eviction hashes a key again.
#[derive(Debug)]
struct Slot {
    hash: u64,
    key: Arc<str>,
    entry: Entry,
}

/// One account's keys: a table by key, and the keys in first-use order (sharing each key's
/// text with its slot) for eviction.
#[derive(Debug, Default)]
struct Keys {
    table: HashTable<Slot>,
    order: VecDeque<(u64, Arc<str>)>,
}

impl Keys {
    fn get_mut(&mut self, hash: u64, key: &str) -> Option<&mut Entry> {
        self.table
            .find_mut(hash, |s| s.hash == hash && *s.key == *key)
            .map(|s| &mut s.entry)
    }

    /// The entry of `key` unless it has expired by `now` (an expired one is forgotten): one
    /// probe of the table.
    fn live(&mut self, hash: u64, key: &str, now: i64) -> Option<&mut Entry> {
        let slot = self
            .table
            .find_entry(hash, |s| s.hash == hash && *s.key == *key)
            .ok()?;
        if matches!(slot.get().entry, Entry::Done { at, .. } if at + KEY_TTL_SECS <= now) {
            slot.remove();
            return None;
        }
        Some(&mut slot.into_mut().entry)
    }

    fn remove(&mut self, hash: u64, key: &str) -> Option<Entry> {
        let slot = self
            .table
            .find_entry(hash, |s| s.hash == hash && *s.key == *key)
            .ok()?;
        Some(slot.remove().0.entry)
    }

    /// Removes the slot holding this very key (the same allocation, so the key's text, long
    /// cold by the time it is evicted, is not read), if it is still there.
    fn remove_exact(&mut self, hash: u64, key: &Arc<str>) {
        if let Ok(slot) = self
            .table
            .find_entry(hash, |s| s.hash == hash && Arc::ptr_eq(&s.key, key))
        {
            slot.remove();
        }
    }

    fn insert(&mut self, hash: u64, key: Arc<str>, entry: Entry) {
        self.table
            .insert_unique(hash, Slot { hash, key, entry }, |s| s.hash);
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
#[derive(Debug, Default)]
pub struct Idempotency {
    accounts: Mutex<HashMap<AccountKey, Keys>>,
    /// Hashes idempotency keys (once per request).
    hasher: DefaultHashBuilder,
}

impl Idempotency {
    /// Looks `key` up for `account` and registers it as in flight if it is new.
    pub fn begin(
        self: &Arc<Self>,
        account: &AccountKey,
        key: &str,
        signature: &Signature,
        now: i64,
    ) -> Begin {
        let hash = self.hasher.hash_one(key);
        let mut accounts = lock(&self.accounts);
        let keys = accounts.entry(account.clone()).or_default();
        match keys.live(hash, key, now) {
            Some(Entry::Done {
                signature: first,
                response,
                ..
            }) => {
                if first.same(signature) {
                    Begin::Replay(response.clone())
                } else {
                    Begin::Mismatch
                }
            }
            Some(Entry::InFlight {
                signature: first,
                waiters,
            }) => {
                if first.same(signature) {
                    Begin::Wait(match waiters {
                        Some(tx) => tx.subscribe(),
                        None => {
                            let (tx, rx) = watch::channel(false);
                            *waiters = Some(tx);
                            rx
                        }
                    })
                } else {
                    Begin::Mismatch
                }
            }
            None => {
                let key: Arc<str> = Arc::from(key);
                keys.insert(
                    hash,
                    Arc::clone(&key),
                    Entry::InFlight {
                        signature: signature.clone(),
                        waiters: None,
                    },
                );
                keys.order.push_back((hash, Arc::clone(&key)));
                while keys.order.len() > MAX_KEYS_PER_ACCOUNT {
                    if let Some((hash, oldest)) = keys.order.pop_front() {
                        keys.remove_exact(hash, &oldest);
                    }
                }
                Begin::Execute(Guard {
                    owner: Arc::clone(self),
                    account: account.clone(),
                    hash,
                    key,
                    signature: signature.clone(),
                    settled: false,
                })
            }
        }
    }

    /// Forgets every key (or those of one API key's accounts).
    pub fn clear(&self, api_key: Option<&str>) {
        let mut accounts = lock(&self.accounts);
        match api_key {
            None => accounts.clear(),
            Some(k) => accounts.retain(|a, _| a.api_key() != k),
        }
    }

    /// Number of keys remembered for `account` (for tests of the bound).
    pub fn len(&self, account: &AccountKey) -> usize {
        lock(&self.accounts)
            .get(account)
            .map_or(0, |k| k.table.len())
    }

    /// Records the outcome of an in-flight key (a response to replay, or `None` to forget the
    /// key) and wakes the repeats waiting on it.
    fn settle(
        &self,
        account: &AccountKey,
        hash: u64,
        key: &Arc<str>,
        outcome: Option<(Signature, StoredResponse, i64)>,
    ) {
        let waiters = {
            let mut accounts = lock(&self.accounts);
            let Some(keys) = accounts.get_mut(account) else {
                return;
            };
            match outcome {
                Some((signature, response, at)) => {
                    let done = Entry::Done {
                        signature,
                        response,
                        at,
                    };
                    match keys.get_mut(hash, key) {
                        Some(entry) => std::mem::replace(entry, done),
                        None => {
                            keys.insert(hash, Arc::clone(key), done);
                            return;
                        }
                    }
                }
                None => {
                    if !matches!(keys.get_mut(hash, key), Some(Entry::InFlight { .. })) {
                        return;
                    }
                    keys.order.retain(|(_, k)| !Arc::ptr_eq(k, key));
                    match keys.remove(hash, key) {
                        Some(entry) => entry,
                        None => return,
                    }
                }
            }
        };
        if let Entry::InFlight {
            waiters: Some(tx), ..
        } = waiters
        {
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
    /// The key's hash in the owner's table.
    hash: u64,
    key: Arc<str>,
    signature: Signature,
    settled: bool,
}

impl Guard {
    /// Stores `response` for replays (or, with `None`, forgets the key) and wakes waiters.
    pub fn finish(mut self, response: Option<StoredResponse>, now: i64) {
        let outcome = response.map(|r| (self.signature.clone(), r, now));
        self.owner
            .settle(&self.account, self.hash, &self.key, outcome);
        self.settled = true;
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.settled {
            self.owner.settle(&self.account, self.hash, &self.key, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct() -> AccountKey {
        AccountKey::new("sk_test_1", None)
    }

    fn fp(s: &str) -> Signature {
        Signature::Fingerprint(Fingerprint::of_bytes(s.as_bytes()))
    }

    fn stored(body: &'static str) -> StoredResponse {
        StoredResponse {
            status: StatusCode::OK,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    fn of_json(text: &str) -> Fingerprint {
        // The request path's reader: objects come out of it sorted by key.
        let value = crate::http::json_parse::parse(text.as_bytes())
            .expect("test JSON")
            .value;
        let mut b = Fingerprint::builder();
        b.value(&value);
        b.finish()
    }

    fn kept(method: &str, target: &str, body: &str) -> Signature {
        Signature::request(method, target, body.as_bytes()).expect("small request")
    }

    fn large(method: &str, target: &str, body: &str) -> Signature {
        assert!(Signature::request(method, target, body.as_bytes()).is_none());
        Signature::Fingerprint(canonical(method, target, body.as_bytes()).0)
    }

    #[test]
    fn kept_requests_are_the_same_when_their_parameters_are() {
        let v2 = "/v2/billing/intents";
        let first = kept(
            "POST",
            v2,
            r#"{"currency":"usd","actions":[{"a":1,"b":"x"}]}"#,
        );
        assert!(first.same(&first.clone()));
        // Other order, spacing and escapes, the same parameters: fingerprinted, and the same.
        let reordered = kept(
            "POST",
            v2,
            r#"{ "actions": [ {"b": "\u0078", "a": 1} ], "currency": "usd" }"#,
        );
        assert!(first.same(&reordered) && reordered.same(&first));
        // Another value, method or path is another request.
        assert!(!first.same(&kept(
            "POST",
            v2,
            r#"{"currency":"eur","actions":[{"a":1,"b":"x"}]}"#
        )));
        assert!(!first.same(&kept(
            "POST",
            "/v2/billing/cadences",
            r#"{"currency":"usd","actions":[{"a":1,"b":"x"}]}"#
        )));
        assert!(!first.same(&kept(
            "DELETE",
            v2,
            r#"{"currency":"usd","actions":[{"a":1,"b":"x"}]}"#
        )));
        // v1: the query and the form body together, in any order and encoding.
        let v1 = kept(
            "POST",
            "/v1/customers?name=Q",
            "email=a%40b.c&metadata[x]=1",
        );
        assert!(v1.same(&kept(
            "POST",
            "/v1/customers",
            "metadata%5Bx%5D=1&name=Q&email=a%40b.c"
        )));
        assert!(!v1.same(&kept(
            "POST",
            "/v1/customers",
            "email=a%40b.c&metadata[x]=1"
        )));
        // A body that does not decode is compared as bytes (less surrounding whitespace).
        let raw = kept("POST", v2, "not json");
        assert!(
            raw.same(&kept("POST", v2, " not json\n")) && !raw.same(&kept("POST", v2, "not jsom"))
        );
    }

    #[test]
    fn large_requests_are_fingerprinted_and_compare_with_kept_ones() {
        let v2 = "/v2/billing/intents";
        let padding = " ".repeat(MAX_KEPT_REQUEST);
        let compact = kept("POST", v2, r#"{"currency":"usd"}"#);
        let padded = large("POST", v2, &format!(r#"{{{padding}"currency":"usd"}}"#));
        assert!(compact.same(&padded) && padded.same(&compact));
        let other = large("POST", v2, &format!(r#"{{{padding}"currency":"eur"}}"#));
        assert!(!compact.same(&other) && !other.same(&padded));
        // The bound counts method, target and body with their two separators.
        let body = "x".repeat(MAX_KEPT_REQUEST - "POST".len() - v2.len() - 2);
        assert!(Signature::request("POST", v2, body.as_bytes()).is_some());
        assert!(Signature::request("POST", v2, format!("{body}x").as_bytes()).is_none());
    }

    #[test]
    fn fingerprints_ignore_key_order_and_see_every_difference() {
        assert_eq!(
            of_json(r#"{"a": 1, "b": {"c": [1, "x"]}}"#),
            of_json(r#"{"b": {"c": [1, "x"]}, "a": 1}"#)
        );
        let distinct = [
            r#"{"a": 1}"#,
            r#"{"a": "1"}"#,
            r#"{"a": 1.5}"#,
            r#"{"a": -1}"#,
            r#"{"a": null}"#,
            r#"{"a": true}"#,
            r#"{"a": [1]}"#,
            r#"{"a": {"1": 1}}"#,
            r#"{"ab": "c"}"#,
            r#"{"a": "bc"}"#,
            r#"{"a": ["b", "c"]}"#,
            r#"{"a": ["bc"]}"#,
            r#"{}"#,
        ];
        for (i, x) in distinct.iter().enumerate() {
            for y in &distinct[i + 1..] {
                assert_ne!(of_json(x), of_json(y), "{x} vs {y}");
            }
        }
        assert_ne!(Fingerprint::of_bytes(b"ab"), Fingerprint::of_bytes(b"ba"));
    }

    #[test]
    fn each_half_of_a_fingerprint_sees_every_bit_and_every_length() {
        let base: Vec<u8> = (0..=200u8).map(|i| i.wrapping_mul(37)).collect();
        let Fingerprint(a, b) = Fingerprint::of_bytes(&base);
        for bit in 0..base.len() * 8 {
            let mut flipped = base.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let Fingerprint(fa, fb) = Fingerprint::of_bytes(&flipped);
            assert!(fa != a && fb != b, "bit {bit}");
        }
        // Trailing zero bytes change the length, and so the fingerprint.
        let mut seen = std::collections::HashSet::new();
        for n in 0..64 {
            let Fingerprint(a, b) = Fingerprint::of_bytes(&vec![0; n]);
            assert!(seen.insert(a) && seen.insert(b), "{n} zero bytes");
        }
        // Many near-identical request bodies: no repeat in either half.
        let (mut first, mut second) = (
            std::collections::HashSet::new(),
            std::collections::HashSet::new(),
        );
        for i in 0..20_000 {
            let Fingerprint(a, b) = of_json(&format!(r#"{{"amount": {i}, "currency": "usd"}}"#));
            assert!(first.insert(a) && second.insert(b), "body {i}");
        }
    }

    #[test]
    fn first_use_executes_then_replays() {
        let idem = Arc::new(Idempotency::default());
        let Begin::Execute(guard) = idem.begin(&acct(), "k", &fp("fp"), 0) else {
            panic!("first use executes");
        };
        guard.finish(Some(stored("{}")), 0);
        assert!(
            matches!(idem.begin(&acct(), "k", &fp("fp"), 1), Begin::Replay(r) if r.body == "{}")
        );
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("other"), 1),
            Begin::Mismatch
        ));
    }

    #[test]
    fn in_flight_repeats_wait_and_mismatches_fail() {
        let idem = Arc::new(Idempotency::default());
        let Begin::Execute(guard) = idem.begin(&acct(), "k", &fp("fp"), 0) else {
            panic!("first use executes");
        };
        let Begin::Wait(rx) = idem.begin(&acct(), "k", &fp("fp"), 0) else {
            panic!("repeat waits");
        };
        let Begin::Wait(rx2) = idem.begin(&acct(), "k", &fp("fp"), 0) else {
            panic!("a second repeat waits too");
        };
        assert!(!*rx.borrow() && !*rx2.borrow());
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("x"), 0),
            Begin::Mismatch
        ));
        guard.finish(Some(stored("a")), 0);
        assert!(*rx.borrow() && *rx2.borrow(), "both waiters are woken");
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("fp"), 0),
            Begin::Replay(r) if r.body == "a"
        ));
    }

    #[test]
    fn a_dropped_guard_forgets_the_key() {
        let idem = Arc::new(Idempotency::default());
        let Begin::Execute(guard) = idem.begin(&acct(), "k", &fp("fp"), 0) else {
            panic!("first use executes");
        };
        let Begin::Wait(rx) = idem.begin(&acct(), "k", &fp("fp"), 0) else {
            panic!("repeat waits");
        };
        drop(guard);
        assert!(*rx.borrow(), "the waiter is woken to try again");
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("fp"), 0),
            Begin::Execute(_)
        ));
    }

    #[test]
    fn keys_expire_after_a_day() {
        let idem = Arc::new(Idempotency::default());
        if let Begin::Execute(g) = idem.begin(&acct(), "k", &fp("fp"), 0) {
            g.finish(Some(stored("a")), 0);
        }
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("other"), KEY_TTL_SECS - 1),
            Begin::Mismatch
        ));
        assert!(matches!(
            idem.begin(&acct(), "k", &fp("other"), KEY_TTL_SECS),
            Begin::Execute(_)
        ));
    }

    #[test]
    fn the_store_is_bounded_per_account() {
        let idem = Arc::new(Idempotency::default());
        for i in 0..(MAX_KEYS_PER_ACCOUNT + 5) {
            if let Begin::Execute(g) = idem.begin(&acct(), &format!("k{i}"), &fp("fp"), 0) {
                g.finish(Some(stored("a")), 0);
            }
        }
        assert_eq!(idem.len(&acct()), MAX_KEYS_PER_ACCOUNT);
        assert!(
            matches!(
                idem.begin(&acct(), "k0", &fp("other"), 0),
                Begin::Execute(_)
            ),
            "oldest evicted"
        );
    }

    #[test]
    fn a_key_used_again_after_expiring_is_evicted_by_its_new_use_not_its_first() {
        let idem = Arc::new(Idempotency::default());
        let run = |key: &str, now: i64| {
            if let Begin::Execute(g) = idem.begin(&acct(), key, &fp("fp"), now) {
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
                idem.begin(&acct(), "k", &fp("fp"), KEY_TTL_SECS),
                Begin::Replay(_)
            ),
            "the second use of k is still remembered"
        );
        run("one_more", KEY_TTL_SECS);
        assert_eq!(idem.len(&acct()), MAX_KEYS_PER_ACCOUNT);
        assert!(
            matches!(
                idem.begin(&acct(), "k", &fp("other"), KEY_TTL_SECS),
                Begin::Execute(_)
            ),
            "and is the oldest to go"
        );
    }

    #[test]
    fn accounts_do_not_share_keys() {
        let idem = Arc::new(Idempotency::default());
        if let Begin::Execute(g) = idem.begin(&acct(), "k", &fp("fp"), 0) {
            g.finish(Some(stored("a")), 0);
        }
        let other = AccountKey::new("sk_test_2", None);
        assert!(matches!(
            idem.begin(&other, "k", &fp("other"), 0),
            Begin::Execute(_)
        ));
    }
}

//! The request journal: a bounded record of the requests the mock received, for tests that
//! assert on what their code sent (wiremock's `received_requests`).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::sync::lock;

/// Default number of requests kept; the oldest are dropped first.
pub const DEFAULT_JOURNAL_LIMIT: usize = 1_000;

/// Largest body kept per entry; longer bodies are kept truncated and marked so.
pub const MAX_JOURNAL_BODY_BYTES: usize = 64 * 1024;

/// Default number of bytes kept (request heads and bodies); the oldest are dropped first.
pub const DEFAULT_JOURNAL_MAX_BYTES: usize = 16 * 1024 * 1024;

/// One received request and the status it was answered with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Request headers, names lowercased, in the order received; credentials (`Authorization`,
    /// `Cookie`, `Proxy-Authorization`, `Stripe-Signature`, `X-Mock-Admin-Token`) redacted to
    /// their prefix and last four characters (`Bearer sk_test_…a1b2`).
    pub headers: Vec<(String, String)>,
    /// Raw body (lossily decoded as UTF-8 in the JSON view of the journal), at most
    /// [`MAX_JOURNAL_BODY_BYTES`]: a longer body is kept truncated.
    #[serde(serialize_with = "lossy_utf8")]
    pub body: Vec<u8>,
    /// Whether `body` was cut at [`MAX_JOURNAL_BODY_BYTES`].
    pub body_truncated: bool,
    /// The length of the body as received, in bytes.
    pub body_size: usize,
    /// The secret key the request authenticated with, if any, redacted (`sk_test_…a1b2`); ask
    /// [`ReceivedRequest::sent_with`] to compare with a whole key.
    pub api_key: Option<String>,
    /// The response status code.
    pub status: u16,
    /// The `Request-Id` of the response.
    pub request_id: String,
    /// The whole key, for [`ReceivedRequest::sent_with`]; never serialised.
    #[serde(skip)]
    full_api_key: Option<String>,
}

fn lossy_utf8<S: serde::Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(body))
}

impl ReceivedRequest {
    /// Whether the request authenticated with secret key `api_key` (compared whole).
    pub fn sent_with(&self, api_key: &str) -> bool {
        self.full_api_key.as_deref() == Some(api_key)
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body decoded as a Stripe v1 form (bracket nesting applied), as JSON with string leaves.
    ///
    /// # Errors
    /// The body is not a valid form.
    pub fn body_form(&self) -> Result<Map<String, Value>, crate::http::form::FormError> {
        crate::http::form::decode(&String::from_utf8_lossy(&self.body))
    }

    /// The body parsed as JSON into `T`.
    ///
    /// # Errors
    /// The body is not JSON of that shape.
    pub fn body_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

/// A request's path and query, headers and body, and the answer's `Request-Id` and the caller's
/// secret key, copied into one buffer: the path and query, then `name:value\n` per header (names
/// hold no `:` and values no line breaks), the body, the request id and the key.
/// A copy rather than a clone of the URI, header map and body: those point into the
/// connection's read buffer, which the server could not reuse while the journal held them (a
/// journal of 1,000 entries pinned 1,000 read buffers). One allocation per entry is one free
/// when the entry is dropped, and no count shared with the serving threads is touched then.
#[derive(Debug, Clone, Default)]
pub struct RawRequest {
    buf: Vec<u8>,
    uri_len: usize,
    /// Where the body starts.
    headers_end: usize,
    /// Where the body ends and the request id starts.
    body_end: usize,
    /// Where the request id ends and the secret key, if any, starts.
    request_id_end: usize,
    /// Whether a secret key follows the request id.
    has_api_key: bool,
    /// The length of the body as received (the kept part may be shorter).
    body_size: usize,
}

/// Room for the request id and a secret key after the body, so that they rarely reallocate.
const TAIL_HINT: usize = 64;

impl RawRequest {
    /// Copies `uri`'s path and query and `map` (`headers_len` bytes as `name:value\n` lines),
    /// with room for a body of `body_hint` bytes.
    pub fn copy_head(
        uri: &axum::http::Uri,
        map: &axum::http::HeaderMap,
        headers_len: usize,
        body_hint: usize,
    ) -> Self {
        let uri = uri.path_and_query().map_or("/", |pq| pq.as_str());
        let mut buf = Vec::with_capacity(uri.len() + headers_len + body_hint + TAIL_HINT);
        buf.extend_from_slice(uri.as_bytes());
        for (k, v) in map {
            buf.extend_from_slice(k.as_str().as_bytes());
            buf.push(b':');
            // Credentials are redacted before they are kept: the journal never holds them.
            match crate::http::redact::header_value(k.as_str(), v.as_bytes()) {
                Some(redacted) => buf.extend_from_slice(redacted.as_bytes()),
                None => buf.extend_from_slice(v.as_bytes()),
            }
            buf.push(b'\n');
        }
        let headers_end = buf.len();
        RawRequest {
            uri_len: uri.len(),
            headers_end,
            body_end: headers_end,
            request_id_end: headers_end,
            has_api_key: false,
            body_size: 0,
            buf,
        }
    }

    /// Appends the body (its first [`MAX_JOURNAL_BODY_BYTES`]), then the answer's request id
    /// and the caller's secret key.
    pub fn push_rest(&mut self, body: &[u8], request_id: &[u8], api_key: Option<&str>) {
        self.buf.truncate(self.headers_end);
        self.body_size = body.len();
        self.buf
            .extend_from_slice(body.get(..MAX_JOURNAL_BODY_BYTES).unwrap_or(body));
        self.body_end = self.buf.len();
        self.buf.extend_from_slice(request_id);
        self.request_id_end = self.buf.len();
        self.has_api_key = api_key.is_some();
        self.buf
            .extend_from_slice(api_key.unwrap_or_default().as_bytes());
        // The head's room for a body is sized from `Content-Length`, which a refused or cut
        // body need not fill: room unused beyond a little is given back, as it counts against
        // the journal's bytes.
        if self.buf.capacity() - self.buf.len() > 4096 {
            self.buf.shrink_to_fit();
        }
    }

    /// Bytes this entry holds on the heap.
    fn heap_bytes(&self) -> usize {
        self.buf.capacity()
    }

    /// The path and query (copied from a `Uri`, so valid UTF-8).
    fn uri(&self) -> &str {
        std::str::from_utf8(self.buf.get(..self.uri_len).unwrap_or_default()).unwrap_or("/")
    }

    /// The path, without the query.
    fn path(&self) -> &str {
        let uri = self.uri();
        uri.split_once('?').map_or(uri, |(path, _)| path)
    }

    /// The query string, if any.
    fn query(&self) -> Option<&str> {
        self.uri().split_once('?').map(|(_, query)| query)
    }

    fn body(&self) -> &[u8] {
        self.buf
            .get(self.headers_end..self.body_end)
            .unwrap_or_default()
    }

    /// The response's `Request-Id` (generated by the server: ASCII).
    fn request_id(&self) -> String {
        let id = self
            .buf
            .get(self.body_end..self.request_id_end)
            .unwrap_or_default();
        String::from_utf8_lossy(id).into_owned()
    }

    /// The secret key the request authenticated with (from a header value: ASCII).
    fn api_key(&self) -> Option<&str> {
        if !self.has_api_key {
            return None;
        }
        let key = self.buf.get(self.request_id_end..).unwrap_or_default();
        std::str::from_utf8(key).ok()
    }

    /// The headers in the order received, values lossily decoded as UTF-8.
    fn headers(&self) -> Vec<(String, String)> {
        self.buf
            .get(self.uri_len..self.headers_end)
            .unwrap_or_default()
            .split(|b| *b == b'\n')
            .filter_map(|line| {
                let colon = line.iter().position(|b| *b == b':')?;
                let (name, value) = line.split_at(colon);
                Some((
                    String::from_utf8_lossy(name).into_owned(),
                    String::from_utf8_lossy(value.get(1..).unwrap_or_default()).into_owned(),
                ))
            })
            .collect()
    }
}

/// A request as recorded on the hot path: cheap to capture, turned into a
/// [`ReceivedRequest`] only when someone reads the journal.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Request method.
    pub method: axum::http::Method,
    /// Path and query, request headers, body, request id and secret key.
    pub raw: RawRequest,
    /// Response status.
    pub status: u16,
}

impl Recorded {
    fn api_key(&self) -> Option<&str> {
        self.raw.api_key()
    }

    /// What the entry costs the journal's byte budget: its buffer and its slot.
    fn cost(&self) -> usize {
        self.raw.heap_bytes() + std::mem::size_of::<(u64, Recorded)>()
    }

    fn matches(&self, path_prefix: Option<&str>, api_key: Option<&str>) -> bool {
        path_prefix.is_none_or(|p| self.raw.path().starts_with(p))
            && api_key.is_none_or(|k| self.api_key() == Some(k))
    }
}

/// How full the journal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JournalUsage {
    /// Entries held.
    pub entries: usize,
    /// Bytes the entries hold (buffers and slots), as counted against `max_bytes`.
    pub bytes: usize,
    /// Most entries shown.
    pub max_entries: usize,
    /// Most bytes held.
    pub max_bytes: usize,
}

/// One page of the journal: entries oldest first, and whether more follow the last.
#[derive(Debug, Default)]
pub struct JournalPage {
    /// The entries, oldest first, with their sequence numbers (the cursor of the next page is
    /// the last one's).
    pub entries: Vec<(u64, Recorded)>,
    /// Whether entries follow the last one.
    pub has_more: bool,
}

impl From<&Recorded> for ReceivedRequest {
    fn from(r: &Recorded) -> Self {
        ReceivedRequest {
            method: r.method.to_string(),
            path: r.raw.path().to_owned(),
            query: r.raw.query().map(str::to_owned),
            headers: r.raw.headers(),
            body: r.raw.body().to_vec(),
            body_truncated: r.raw.body_size > r.raw.body().len(),
            body_size: r.raw.body_size,
            api_key: r.api_key().map(crate::http::redact::key),
            full_api_key: r.api_key().map(str::to_owned),
            status: r.status,
            request_id: r.raw.request_id(),
        }
    }
}

/// The bounded journal.
///
/// Requests are recorded into shards, one per worker thread as far as the shard count allows, so
/// that workers recording at the same moment do not wait on one lock (on a busy machine a worker
/// holding the lock gets pre-empted, and the other then sleeps on it). Each entry carries a
/// global sequence number; a snapshot merges the shards in that order. Every shard keeps up to
/// `limit` entries, so the newest `limit` requests overall are always there, and snapshots
/// return only those.
#[derive(Debug)]
pub struct Journal {
    limit: usize,
    /// Bytes held by every shard's entries together ([`Recorded::cost`]).
    bytes: AtomicUsize,
    /// The byte budget of every entry together (see [`Journal::bytes`]).
    max_bytes: AtomicUsize,
    next: AtomicU64,
    shards: Box<[Shard]>,
}

/// One shard: entries with their global sequence numbers, oldest first.
type Shard = Mutex<VecDeque<(u64, Recorded)>>;

/// The shard the current thread records into.
fn shard_index(shards: usize) -> usize {
    static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static THREAD: usize = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
    }
    THREAD.with(|t| *t) % shards.max(1)
}

impl Journal {
    /// A journal keeping at most `limit` requests (0 keeps none).
    pub fn new(limit: usize) -> Self {
        let shards = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
        Journal {
            limit,
            max_bytes: AtomicUsize::new(DEFAULT_JOURNAL_MAX_BYTES),
            bytes: AtomicUsize::new(0),
            next: AtomicU64::new(0),
            shards: (0..shards)
                .map(|_| Mutex::new(VecDeque::with_capacity(limit.min(1024))))
                .collect(),
        }
    }

    /// Most requests kept.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Most bytes kept.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes.load(Ordering::Relaxed)
    }

    /// Sets the byte budget; entries beyond it go with the next request recorded.
    pub fn set_max_bytes(&self, bytes: usize) {
        self.max_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Whether requests are recorded at all.
    pub fn enabled(&self) -> bool {
        self.limit > 0
    }

    /// How full the journal is.
    pub fn usage(&self) -> JournalUsage {
        let entries: usize = self.shards.iter().map(|s| lock(s).len()).sum();
        JournalUsage {
            entries: entries.min(self.limit),
            bytes: self.bytes.load(Ordering::Relaxed),
            max_entries: self.limit,
            max_bytes: self.max_bytes(),
        }
    }

    /// Appends a request, dropping the oldest beyond the limit of entries (in its shard) and
    /// of bytes (across shards).
    pub fn record(&self, request: Recorded) {
        if self.limit == 0 {
            return;
        }
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        let Some(shard) = self.shards.get(shard_index(self.shards.len())) else {
            return;
        };
        let cost = request.cost();
        let mut evicted = Vec::new();
        {
            let mut entries = lock(shard);
            if entries.len() >= self.limit {
                if let Some((_, old)) = entries.pop_front() {
                    self.bytes.fetch_sub(old.cost(), Ordering::Relaxed);
                    evicted.push(old);
                }
            }
            entries.push_back((seq, request));
            self.bytes.fetch_add(cost, Ordering::Relaxed);
        }
        // Over the byte budget: the oldest entries of any shard go first (rarely more than one,
        // as one entry holds at most a head and 64 KiB of body).
        while self.bytes.load(Ordering::Relaxed) > self.max_bytes() {
            match self.evict_oldest() {
                Some(old) => evicted.push(old),
                None => break,
            }
        }
        // Freed after the locks are released.
        drop(evicted);
    }

    /// Removes the oldest entry of all shards.
    fn evict_oldest(&self) -> Option<Recorded> {
        // Another thread may take the front found between the scan and the pop: then scan
        // again, a bounded number of times.
        for _ in 0..8 {
            let (index, seq) = self
                .shards
                .iter()
                .enumerate()
                .filter_map(|(i, s)| lock(s).front().map(|(seq, _)| (i, *seq)))
                .min_by_key(|(_, seq)| *seq)?;
            let mut entries = lock(self.shards.get(index)?);
            if entries.front().is_some_and(|(s, _)| *s == seq) {
                let (_, old) = entries.pop_front()?;
                self.bytes.fetch_sub(old.cost(), Ordering::Relaxed);
                return Some(old);
            }
        }
        None
    }

    /// The sequence number below which entries are hidden: only the newest `limit` requests
    /// overall count (each shard holds up to `limit`).
    fn oldest_kept(&self, mut held: Vec<u64>) -> u64 {
        if held.len() > self.limit {
            held.sort_unstable();
            held.get(held.len() - self.limit).copied().unwrap_or(0)
        } else {
            0
        }
    }

    /// Up to `limit` entries after sequence number `after` (from the oldest without one),
    /// oldest first, filtered by path prefix and API key. Only the page's entries are copied.
    pub fn page(
        &self,
        path_prefix: Option<&str>,
        api_key: Option<&str>,
        after: Option<u64>,
        limit: usize,
    ) -> JournalPage {
        let mut held = Vec::new();
        let mut picked = Vec::new();
        for shard in &self.shards {
            for (seq, r) in lock(shard).iter() {
                held.push(*seq);
                if after.is_none_or(|a| *seq > a) && r.matches(path_prefix, api_key) {
                    picked.push(*seq);
                }
            }
        }
        let oldest_kept = self.oldest_kept(held);
        picked.retain(|seq| *seq >= oldest_kept);
        picked.sort_unstable();
        let has_more = picked.len() > limit;
        picked.truncate(limit);
        let mut entries = Vec::with_capacity(picked.len());
        for shard in &self.shards {
            for (seq, r) in lock(shard).iter() {
                if picked.binary_search(seq).is_ok() {
                    entries.push((*seq, r.clone()));
                }
            }
        }
        entries.sort_unstable_by_key(|(seq, _)| *seq);
        JournalPage { entries, has_more }
    }

    /// The recorded requests, oldest first, filtered by path prefix and API key.
    pub fn snapshot(
        &self,
        path_prefix: Option<&str>,
        api_key: Option<&str>,
    ) -> Vec<ReceivedRequest> {
        let mut held = Vec::new();
        let mut picked = Vec::new();
        for shard in &self.shards {
            for (seq, r) in lock(shard).iter() {
                held.push(*seq);
                if r.matches(path_prefix, api_key) {
                    picked.push((*seq, ReceivedRequest::from(r)));
                }
            }
        }
        let oldest_kept = self.oldest_kept(held);
        picked.sort_unstable_by_key(|(seq, _)| *seq);
        picked
            .into_iter()
            .filter(|(seq, _)| *seq >= oldest_kept)
            .map(|(_, r)| r)
            .collect()
    }

    /// Forgets every request (or only those of `api_key`).
    pub fn clear(&self, api_key: Option<&str>) {
        for shard in &self.shards {
            let mut entries = lock(shard);
            entries.retain(|(_, r)| {
                let keep = api_key.is_some_and(|k| r.api_key() != Some(k));
                if !keep {
                    self.bytes.fetch_sub(r.cost(), Ordering::Relaxed);
                }
                keep
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(path: &str, key: &str) -> Recorded {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-test", axum::http::HeaderValue::from_static("1"));
        Recorded {
            method: axum::http::Method::GET,
            raw: {
                let uri = axum::http::Uri::try_from(path).expect("test path");
                let mut raw = RawRequest::copy_head(&uri, &headers, 9, 0);
                raw.push_rest(b"a[b]=1", b"req_1", Some(key));
                raw
            },
            status: 200,
        }
    }

    #[test]
    fn keeps_at_most_the_limit() {
        let j = Journal::new(2);
        j.record(req("/a", "k"));
        j.record(req("/b", "k"));
        j.record(req("/c", "k"));
        let paths: Vec<String> = j.snapshot(None, None).into_iter().map(|r| r.path).collect();
        assert_eq!(paths, vec!["/b", "/c"]);
    }

    #[test]
    fn filters_and_clears_by_key() {
        let j = Journal::new(10);
        j.record(req("/v1/a", "k1"));
        j.record(req("/v2/b", "k2"));
        assert_eq!(j.snapshot(Some("/v2"), None).len(), 1);
        assert_eq!(j.snapshot(None, Some("k1")).len(), 1);
        j.clear(Some("k1"));
        assert_eq!(j.snapshot(None, None).len(), 1);
    }

    #[test]
    fn the_copied_head_gives_back_path_query_headers_and_body() {
        let r = ReceivedRequest::from(&req("/v1/customers?limit=3&expand[]=data", "k"));
        assert_eq!(r.path, "/v1/customers");
        assert_eq!(r.query.as_deref(), Some("limit=3&expand[]=data"));
        assert_eq!(r.headers, vec![("x-test".to_owned(), "1".to_owned())]);
        assert_eq!(r.body, b"a[b]=1");
        assert_eq!(
            (r.request_id.as_str(), r.api_key.as_deref()),
            ("req_1", Some("…"))
        );
        assert!(r.sent_with("k") && !r.sent_with("…"));
        let mut keyless = req("/v1/x", "k");
        keyless.raw.push_rest(b"", b"req_2", None);
        let r = ReceivedRequest::from(&keyless);
        assert_eq!(
            (r.body.as_slice(), r.request_id.as_str()),
            (&b""[..], "req_2")
        );
        assert_eq!(r.api_key, None);
        let r = ReceivedRequest::from(&req("/healthz", "k"));
        assert_eq!((r.path.as_str(), r.query), ("/healthz", None));
        let j = Journal::new(10);
        j.record(req("/v2/x?y=1", "k"));
        assert_eq!(j.snapshot(Some("/v2/x"), None).len(), 1);
    }

    #[test]
    fn requests_from_many_threads_come_back_newest_limit_in_order() {
        let j = std::sync::Arc::new(Journal::new(5));
        // One thread after another, each its own shard index: the order is known.
        for i in 0..12 {
            let j = std::sync::Arc::clone(&j);
            std::thread::spawn(move || j.record(req(&format!("/{i}"), "k")))
                .join()
                .expect("recorder");
        }
        let paths: Vec<String> = j.snapshot(None, None).into_iter().map(|r| r.path).collect();
        assert_eq!(paths, vec!["/7", "/8", "/9", "/10", "/11"]);
        assert_eq!(j.snapshot(Some("/1"), None).len(), 2, "/10 and /11");
        // Concurrently: everything within the limit is kept, and no more than the limit.
        let j = std::sync::Arc::new(Journal::new(1000));
        let small = std::sync::Arc::new(Journal::new(50));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (j, small) = (std::sync::Arc::clone(&j), std::sync::Arc::clone(&small));
                std::thread::spawn(move || {
                    for i in 0..100 {
                        j.record(req(&format!("/{t}/{i}"), "k"));
                        small.record(req(&format!("/{t}/{i}"), "k"));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("recorder");
        }
        assert_eq!(j.snapshot(None, None).len(), 400);
        assert_eq!(small.snapshot(None, None).len(), 50);
        j.clear(Some("k"));
        assert!(j.snapshot(None, None).is_empty());
    }

    #[test]
    fn bytes_stay_under_the_budget_and_long_bodies_are_cut() {
        let j = Journal::new(1000);
        j.set_max_bytes(300 * 1024);
        let big = vec![b'x'; 200 * 1024];
        for i in 0..20 {
            let mut r = req(&format!("/{i}"), "k");
            r.raw.push_rest(&big, b"req_1", Some("k"));
            j.record(r);
            assert!(j.usage().bytes <= 300 * 1024, "{:?}", j.usage());
        }
        let kept = j.snapshot(None, None);
        assert!(kept.len() >= 4, "{}", kept.len());
        assert_eq!(kept.last().map(|r| r.path.as_str()), Some("/19"));
        let last = kept.last().expect("kept");
        assert!(last.body_truncated);
        assert_eq!(
            (last.body.len(), last.body_size),
            (MAX_JOURNAL_BODY_BYTES, 200 * 1024)
        );
        j.clear(None);
        assert_eq!(j.usage().bytes, 0);
    }

    #[test]
    fn body_helpers() {
        let r = ReceivedRequest::from(&req("/", "k"));
        assert_eq!(r.body_form().expect("form")["a"]["b"], "1");
        assert_eq!(r.header("X-Test"), Some("1"));
        assert!(r.body_json::<serde_json::Value>().is_err());
    }
}

//! v2 endpoints: JSON bodies, RFC 3339 timestamps, `{"data","next_page_url","previous_page_url"}` lists.
//!
//! Also the v2 conventions the resources share: the response shape chosen by `Stripe-Version`
//! ([`Shape`], decided here and nowhere else), timestamps ([`timestamp`]), list pagination
//! with opaque page tokens ([`params::PageParams`], [`ListView`]), and the parameter types the
//! endpoints share ([`params`]).

pub mod billing_intent_actions;
pub mod billing_intents;
pub mod cadences;
pub mod params;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use crate::domain::collection::Cursor;
use crate::error::{Error, Result};
use crate::http::extract::Received;
use crate::http::{AppState, STRIPE_VERSION, json};
use crate::store::billing::{Page, PageRequest};

/// All v2 routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(billing_intents::router())
        .merge(billing_intent_actions::router())
        .merge(cadences::router())
}

/// How v2 responses look for the request's `Stripe-Version`.
///
/// The seed documents (`2025-07-30.preview`, `2025-08-27.preview`) show `amount_details` as JSON
/// integers; every SDK types them as strings, and the SDKs send later versions by default, so
/// later versions get integer-valued strings. Fields that only newer versions have
/// (`amount_due`, `customer_balance_applied`, `status_transitions.expires_at`, from
/// `2026-09-23.preview`) and the intent's `effective_at` (only `2025-07-30.preview`) follow the
/// version too. A missing or unreadable version means the seed shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// `amount_details` numbers as strings (`"2200"`) instead of integers.
    pub string_amounts: bool,
    /// `amount_details.amount_due`, `amount_details.customer_balance_applied` and
    /// `status_transitions.expires_at`.
    pub balance_fields: bool,
    /// The intent's `effective_at`.
    pub intent_effective_at: bool,
}

/// Last version whose documents show integer amounts.
const LAST_INTEGER_AMOUNTS: &str = "2025-08-27";
/// First version with `amount_due`, `customer_balance_applied` and `expires_at`.
const FIRST_BALANCE_FIELDS: &str = "2026-09-23";
/// Last version with the intent-level `effective_at`.
const LAST_INTENT_EFFECTIVE_AT: &str = "2025-07-30";

impl Shape {
    /// The shape as a small number, distinct per shape.
    pub fn key(self) -> u8 {
        u8::from(self.string_amounts)
            | u8::from(self.balance_fields) << 1
            | u8::from(self.intent_effective_at) << 2
    }

    /// The shape for a `Stripe-Version` header value (`None` when absent).
    pub fn for_version(version: Option<&str>) -> Shape {
        // Versions are `YYYY-MM-DD.<release>`; ISO dates compare correctly as strings.
        let date = version
            .map(str::trim)
            .and_then(|v| v.get(..10))
            .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
        match date {
            None => Shape {
                string_amounts: false,
                balance_fields: false,
                intent_effective_at: false,
            },
            Some(d) => Shape {
                string_amounts: d > LAST_INTEGER_AMOUNTS,
                balance_fields: d >= FIRST_BALANCE_FIELDS,
                intent_effective_at: d <= LAST_INTENT_EFFECTIVE_AT,
            },
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Shape {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let version = match parts.extensions.get::<Received>() {
            Some(received) => received.stripe_version.as_ref(),
            None => parts.headers.get(&STRIPE_VERSION),
        }
        .and_then(|v| v.to_str().ok());
        Ok(Shape::for_version(version))
    }
}

/// An amount in minor units, rendered as the [`Shape`] asks: `2200` or `"2200"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// Minor units.
    pub value: i64,
    /// Render as a string.
    pub as_string: bool,
}

impl Amount {
    /// `value` in `shape`'s notation.
    pub fn new(value: i64, shape: Shape) -> Self {
        Amount {
            value,
            as_string: shape.string_amounts,
        }
    }
}

impl Amount {
    /// Appends the amount's JSON, as its `Serialize` writes it.
    pub(crate) fn write_json(self, out: &mut Vec<u8>) {
        if self.as_string {
            out.push(b'"');
            json::write_i64(out, self.value);
            out.push(b'"');
        } else {
            json::write_i64(out, self.value);
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if self.as_string {
            serializer.collect_str(&self.value)
        } else {
            serializer.serialize_i64(self.value)
        }
    }
}

/// A v2 timestamp, `YYYY-MM-DDTHH:MM:SS.mmmZ`, kept in a fixed buffer: rendering one allocates
/// nothing.
#[derive(Clone, Copy)]
pub struct Timestamp {
    buf: [u8; 32],
    len: usize,
}

impl Timestamp {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written into the buffer.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// Appends `t`'s JSON (a string, or `null`), as its `Serialize` writes it.
pub(crate) fn write_timestamp(out: &mut Vec<u8>, t: Option<&Timestamp>) {
    match t {
        Some(t) => {
            // Only ASCII digits and separators, none of which JSON escapes.
            out.push(b'"');
            out.extend_from_slice(&t.buf[..t.len]);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
}

impl std::fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Timestamp {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A v2 timestamp: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn timestamp(at: DateTime<Utc>) -> Timestamp {
    use chrono::{Datelike, Timelike};
    let mut t = Timestamp {
        buf: [0; 32],
        len: 0,
    };
    // Written by hand: chrono's strftime parser, then `core::fmt`, showed up in request
    // profiles. Years outside 0..=9999 (which the API never produces) fall back to chrono.
    if !(0..=9999).contains(&at.year()) {
        let text = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let len = text.len().min(t.buf.len());
        t.buf[..len].copy_from_slice(&text.as_bytes()[..len]);
        t.len = len;
        return t;
    }
    let mut put = |value: u32, width: u32, then: Option<u8>| {
        for place in (0..width).rev() {
            // A decimal digit: always below 10.
            t.buf[t.len] = b'0' + ((value / 10u32.pow(place)) % 10) as u8;
            t.len += 1;
        }
        if let Some(c) = then {
            t.buf[t.len] = c;
            t.len += 1;
        }
    };
    put(at.year().unsigned_abs(), 4, Some(b'-'));
    put(at.month(), 2, Some(b'-'));
    put(at.day(), 2, Some(b'T'));
    put(at.hour(), 2, Some(b':'));
    put(at.minute(), 2, Some(b':'));
    put(at.second(), 2, Some(b'.'));
    put(at.timestamp_subsec_millis().min(999), 3, Some(b'Z'));
    t
}

/// Default page size of v2 lists.
pub const DEFAULT_LIMIT: i64 = 10;
/// Largest page size of v2 lists.
pub const MAX_LIMIT: i64 = 100;

/// A v2 list: `{"data":[…],"next_page_url":…,"previous_page_url":…}`.
#[derive(Debug, Serialize)]
pub struct ListView<T> {
    /// The page.
    pub data: Vec<T>,
    /// Relative URL of the next page, which the SDKs request verbatim; `null` on the last page.
    pub next_page_url: Option<String>,
    /// Relative URL of the previous page; `null` on the first page.
    pub previous_page_url: Option<String>,
}

impl<T> ListView<T> {
    /// Renders `page` of the list at `path` (with tokens for `scope`) through `view`.
    pub fn of<'a, S>(
        page: &'a Page<S>,
        path: &str,
        scope: &str,
        req: &PageRequest,
        view: impl Fn(&'a S) -> T,
    ) -> Self {
        let url = |cursor: Cursor| {
            encode_token(scope, cursor)
                .map(|token| format!("{path}?limit={}&page={token}", req.limit))
        };
        ListView {
            data: page.data.iter().map(view).collect(),
            next_page_url: page.next.and_then(url),
            previous_page_url: page.previous.and_then(url),
        }
    }
}

/// The opaque token for `cursor` in the list `scope`; `None` for the first page.
fn encode_token(scope: &str, cursor: Cursor) -> Option<String> {
    let (dir, pos) = match cursor {
        Cursor::Start => return None,
        Cursor::After(p) => ('a', p),
        Cursor::Before(p) => ('b', p),
    };
    Some(base64url_encode(format!("{scope}:{dir}:{pos}").as_bytes()))
}

/// The cursor a token stands for, if it was issued for `scope`.
fn decode_token(scope: &str, token: &str) -> Option<Cursor> {
    let raw = String::from_utf8(base64url_decode(token)?).ok()?;
    let rest = raw.strip_prefix(scope)?.strip_prefix(':')?;
    let (dir, pos) = rest.split_once(':')?;
    let pos: u64 = pos.parse().ok()?;
    match dir {
        "a" => Some(Cursor::After(pos)),
        "b" => Some(Cursor::Before(pos)),
        _ => None,
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            let idx = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(B64[idx as usize]));
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = B64.iter().position(|&x| x == c)?;
        buf = (buf << 6) | u32::try_from(v).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buf >> bits) & 0xFF).ok()?);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_by_version() {
        let none = Shape::for_version(None);
        assert!(!none.string_amounts && !none.balance_fields && !none.intent_effective_at);
        let seed = Shape::for_version(Some("2025-08-27.preview"));
        assert!(!seed.string_amounts && !seed.balance_fields && !seed.intent_effective_at);
        let july = Shape::for_version(Some("2025-07-30.preview"));
        assert!(!july.string_amounts && july.intent_effective_at);
        let sdk = Shape::for_version(Some("2026-10-14.preview"));
        assert!(sdk.string_amounts && sdk.balance_fields && !sdk.intent_effective_at);
        let dec = Shape::for_version(Some("2025-12-15.preview"));
        assert!(dec.string_amounts && !dec.balance_fields);
        assert_eq!(Shape::for_version(Some("garbage")), none);
    }

    #[test]
    fn amounts_render_as_numbers_or_strings() {
        let int = serde_json::to_string(&Amount {
            value: 2200,
            as_string: false,
        })
        .expect("serializes");
        let string = serde_json::to_string(&Amount {
            value: -5,
            as_string: true,
        })
        .expect("serializes");
        assert_eq!((int.as_str(), string.as_str()), ("2200", "\"-5\""));
    }

    #[test]
    fn timestamps_have_milliseconds_and_z() {
        let t = DateTime::parse_from_rfc3339("2025-01-01T00:00:00+00:00")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(timestamp(t), "2025-01-01T00:00:00.000Z");
    }

    #[test]
    fn tokens_round_trip_and_are_scoped() {
        for cursor in [
            Cursor::After(0),
            Cursor::Before(12_345),
            Cursor::After(u64::MAX),
        ] {
            let token = encode_token("bilint", cursor).expect("token");
            assert!(
                token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
            assert_eq!(decode_token("bilint", &token), Some(cursor));
            assert_eq!(decode_token("bilinti_x", &token), None);
        }
        assert_eq!(encode_token("x", Cursor::Start), None);
        for bad in ["", "!!!", "abc", "YmlsaW50OmM6MQ"] {
            assert_eq!(decode_token("bilint", bad), None, "{bad}");
        }
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 200) as u8).collect();
            assert_eq!(base64url_decode(&base64url_encode(&bytes)), Some(bytes));
        }
    }

    #[test]
    fn timestamps_match_the_documented_format() {
        use chrono::TimeZone;
        let at = Utc
            .timestamp_millis_opt(1_735_689_600_007)
            .single()
            .expect("valid");
        assert_eq!(timestamp(at), "2025-01-01T00:00:00.007Z");
        assert_eq!(
            timestamp(at).as_str(),
            at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
        );
        let late = Utc
            .with_ymd_and_hms(2031, 12, 31, 23, 59, 59)
            .single()
            .expect("valid");
        assert_eq!(timestamp(late), "2031-12-31T23:59:59.000Z");
    }

    #[test]
    fn hand_written_timestamps_agree_with_chrono() {
        use chrono::TimeZone;
        // From 1970 to past 9999, in steps that visit every digit position.
        let mut ms: i64 = 0;
        while ms < 253_402_300_800_000 + 86_400_000 {
            let at = Utc.timestamp_millis_opt(ms).single().expect("in range");
            assert_eq!(
                timestamp(at).as_str(),
                at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "{ms}"
            );
            ms += 9_876_543_211;
        }
    }
}

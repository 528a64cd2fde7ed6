//! v2 endpoints: JSON bodies, RFC 3339 timestamps, `{"data","next_page_url","previous_page_url"}` lists.
//!
//! Also the v2 conventions the resources share: the response shape chosen by `Stripe-Version`
//! ([`Shape`], decided here and nowhere else), timestamps ([`timestamp`]), list pagination
//! with opaque page tokens ([`params::PageParams`], [`ListView`]), and the parameter types the
//! endpoints share ([`params`]).

pub mod billing_intent_actions;
pub mod billing_intents;
pub mod cadences;
pub mod event_destinations;
pub mod events;
pub mod params;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use crate::domain::collection::Cursor;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::store::billing::{Page, PageRequest};
use crate::version::{ApiVersion, dates};

/// All v2 routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(billing_intents::router())
        .merge(billing_intent_actions::router())
        .merge(cadences::router())
        .merge(events::router())
        .merge(event_destinations::router())
}

/// How v2 requests and responses look in the request's API version: the one place where a
/// version becomes the fields of a billing intent and its actions, and the parameters of
/// creating one (see [`params::absent_in`]).
///
/// Every flag is a date of [`dates`] (the preview SDK builds that pin each version are the
/// record; each constant names the build). Fields a version lacks are absent from responses
/// and unknown as parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// `amount_details` numbers as strings (`"2200"`) instead of the seed documents' integers.
    pub string_amounts: bool,
    /// `amount_details.amount_due` and `amount_details.customer_balance_applied`.
    pub amount_due: bool,
    /// `status_transitions.expires_at`.
    pub expires_at: bool,
    /// The intent's `effective_at` (only the first seed version, `2025-07-30.preview`).
    pub intent_effective_at: bool,
    /// The intent's `cadence_data` (and the create parameter).
    pub cadence_data: bool,
    /// `collect_at` of subscribe, modify and deactivate actions and the `overrides` of their
    /// pricing plan details; without it, their `billing_details`.
    pub collect_at: bool,
    /// Spend modifier rules of apply and remove actions, the `effective_at` of both, and the
    /// `cancellation_details` of deactivate actions.
    pub spend_modifier_rules: bool,
    /// Apply actions of type `discount`, apply `effective_at` types
    /// `current_billing_period_start` and `timestamp`, and `recurring_credit_grant` behaviours.
    pub apply_discount: bool,
}

impl Shape {
    /// The shape of `version`.
    pub fn of(version: ApiVersion) -> Shape {
        let since = |date| version.since(date);
        Shape {
            string_amounts: since(dates::STRING_AMOUNTS),
            amount_due: since(dates::AMOUNT_DUE),
            expires_at: since(dates::EXPIRES_AT),
            intent_effective_at: !since(dates::INTENTS_SEED),
            cadence_data: !since(dates::INTENTS_SEED) || since(dates::CADENCE_DATA),
            collect_at: since(dates::COLLECT_AT),
            spend_modifier_rules: since(dates::SPEND_MODIFIER_RULES),
            apply_discount: since(dates::APPLY_DISCOUNT),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Shape {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Shape::of(
            ApiVersion::from_request_parts(parts, state).await?,
        ))
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

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if self.as_string {
            serializer.serialize_str(itoa::Buffer::new().format(self.value))
        } else {
            serializer.serialize_i64(self.value)
        }
    }
}

/// A v2 timestamp, rendered `YYYY-MM-DDTHH:MM:SS.mmmZ` (RFC 3339, milliseconds, `Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub DateTime<Utc>);

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

/// A v2 timestamp.
pub fn timestamp(at: DateTime<Utc>) -> Timestamp {
    Timestamp(at)
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
    Some(URL_SAFE_NO_PAD.encode(format!("{scope}:{dir}:{pos}")))
}

/// The cursor a token stands for, if it was issued for `scope`.
fn decode_token(scope: &str, token: &str) -> Option<Cursor> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let rest = raw.strip_prefix(scope)?.strip_prefix(':')?;
    let (dir, pos) = rest.split_once(':')?;
    let pos: u64 = pos.parse().ok()?;
    match dir {
        "a" => Some(Cursor::After(pos)),
        "b" => Some(Cursor::Before(pos)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every dated change, at the version before it and the version it starts.
    #[test]
    fn shapes_by_version() {
        // string amounts, amount_due, expires_at, intent effective_at, cadence_data,
        // collect_at, spend modifier rules, apply discount
        let table: [(&str, [u8; 8]); 11] = [
            ("2025-07-30.preview", [0, 0, 0, 1, 1, 0, 0, 0]),
            ("2025-08-27.preview", [0, 0, 0, 0, 0, 0, 0, 0]),
            ("2025-09-30.preview", [1, 0, 0, 0, 0, 0, 0, 0]),
            ("2025-11-17.preview", [1, 0, 0, 0, 0, 0, 0, 0]),
            ("2025-12-15.preview", [1, 0, 0, 0, 0, 1, 0, 0]),
            ("2026-01-28.preview", [1, 0, 0, 0, 1, 1, 1, 0]),
            ("2026-03-04.preview", [1, 0, 0, 0, 1, 1, 1, 0]),
            ("2026-03-25.preview", [1, 0, 1, 0, 1, 1, 1, 1]),
            ("2026-06-24.preview", [1, 0, 1, 0, 1, 1, 1, 1]),
            ("2026-07-29.preview", [1, 1, 1, 0, 1, 1, 1, 1]),
            ("2026-10-14.preview", [1, 1, 1, 0, 1, 1, 1, 1]),
        ];
        for (name, flags) in table {
            let version = ApiVersion::parse(name).expect("known version");
            let [
                strings,
                due,
                expires,
                effective,
                cadence,
                collect,
                rules,
                discount,
            ] = flags.map(|f| f == 1);
            let expected = Shape {
                string_amounts: strings,
                amount_due: due,
                expires_at: expires,
                intent_effective_at: effective,
                cadence_data: cadence,
                collect_at: collect,
                spend_modifier_rules: rules,
                apply_discount: discount,
            };
            assert_eq!(Shape::of(version), expected, "{name}");
        }
        assert_eq!(
            Shape::of(ApiVersion::default_preview()),
            Shape::of(ApiVersion::parse("2026-10-14.preview").expect("known"))
        );
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
        assert_eq!(timestamp(t).to_string(), "2025-01-01T00:00:00.000Z");
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
    fn timestamps_match_the_documented_format() {
        use chrono::TimeZone;
        let at = Utc
            .timestamp_millis_opt(1_735_689_600_007)
            .single()
            .expect("valid");
        assert_eq!(
            serde_json::to_string(&timestamp(at)).expect("serializes"),
            "\"2025-01-01T00:00:00.007Z\""
        );
        let late = Utc
            .with_ymd_and_hms(2031, 12, 31, 23, 59, 59)
            .single()
            .expect("valid");
        assert_eq!(timestamp(late).to_string(), "2031-12-31T23:59:59.000Z");
    }
}

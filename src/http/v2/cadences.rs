//! `/v2/billing/cadences`: create and retrieve (`v2.billing.cadence`), minimal: enough for an
//! intent's `cadence` to name one. Also the parameters and views of billing cycles, payers and
//! settings, which an intent's `cadence_data` shares ([`CadenceDataParams`]).

use std::marker::PhantomData;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::de::{self, DeserializeSeed, MapAccess};
use serde::{Deserialize, Deserializer, Serialize};
use strum::IntoStaticStr;

use crate::domain::cadence::{
    BillingCycle, Cadence, CadenceData, CadenceDataRequest, CadenceSettings, Cycle, CycleKind,
    CycleRequest, CycleTime, PayerData, SettingsRef,
};
use crate::domain::catalog::Metadata;
use crate::error::Result;
use crate::http::de::{Bounded, Metadata as MetadataParam, NoParams, refuse};
use crate::http::extract::{Caller, V2Json, V2Query};
use crate::http::{AppState, render};
use crate::store::billing::NewCadence;

use super::params::{Sent, read_type, sibling_error, struct_seed};
use super::{Timestamp, timestamp};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/billing/cadences", post(create))
        .route("/v2/billing/cadences/{id}", get(retrieve))
}

/// Time of day in a billing cycle.
#[derive(Debug, Serialize)]
pub struct TimeView {
    hour: u32,
    minute: u32,
    second: u32,
}

impl From<CycleTime> for TimeView {
    fn from(t: CycleTime) -> Self {
        TimeView {
            hour: t.hour,
            minute: t.minute,
            second: t.second,
        }
    }
}

#[derive(Debug, Serialize)]
struct DayView {
    time: TimeView,
}

#[derive(Debug, Serialize)]
struct WeekView {
    day_of_week: u32,
    time: TimeView,
}

#[derive(Debug, Serialize)]
struct MonthView {
    day_of_month: u32,
    month_of_year: Option<u32>,
    time: TimeView,
}

#[derive(Debug, Serialize)]
struct YearView {
    day_of_month: u32,
    month_of_year: u32,
    time: TimeView,
}

/// A billing cycle: `type`, `interval_count` and the sub-object named by the type.
#[derive(Debug, Serialize)]
pub struct BillingCycleView {
    day: Option<DayView>,
    interval_count: i64,
    month: Option<MonthView>,
    #[serde(rename = "type")]
    kind: &'static str,
    week: Option<WeekView>,
    year: Option<YearView>,
}

impl From<&BillingCycle> for BillingCycleView {
    fn from(b: &BillingCycle) -> Self {
        let mut view = BillingCycleView {
            day: None,
            interval_count: b.interval_count,
            month: None,
            kind: b.cycle.kind().name(),
            week: None,
            year: None,
        };
        match b.cycle {
            Cycle::Day { time } => view.day = Some(DayView { time: time.into() }),
            Cycle::Week { day_of_week, time } => {
                view.week = Some(WeekView {
                    day_of_week,
                    time: time.into(),
                });
            }
            Cycle::Month {
                day_of_month,
                month_of_year,
                time,
            } => {
                view.month = Some(MonthView {
                    day_of_month,
                    month_of_year,
                    time: time.into(),
                });
            }
            Cycle::Year {
                day_of_month,
                month_of_year,
                time,
            } => {
                view.year = Some(YearView {
                    day_of_month,
                    month_of_year,
                    time: time.into(),
                });
            }
        }
        view
    }
}

#[derive(Debug, Serialize)]
struct SettingsRefView<'a> {
    id: &'a str,
    version: Option<&'a str>,
}

impl<'a> From<&'a SettingsRef> for SettingsRefView<'a> {
    fn from(r: &'a SettingsRef) -> Self {
        SettingsRefView {
            id: &r.id,
            version: r.version.as_deref(),
        }
    }
}

/// A cadence's `settings`.
#[derive(Debug, Serialize)]
pub struct SettingsView<'a> {
    bill: Option<SettingsRefView<'a>>,
    collection: Option<SettingsRefView<'a>>,
}

impl<'a> From<&'a CadenceSettings> for SettingsView<'a> {
    fn from(s: &'a CadenceSettings) -> Self {
        SettingsView {
            bill: s.bill.as_ref().map(SettingsRefView::from),
            collection: s.collection.as_ref().map(SettingsRefView::from),
        }
    }
}

#[derive(Debug, Serialize)]
struct BillingProfileDataView<'a> {
    customer: &'a str,
    default_payment_method: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct PayerDataView<'a> {
    billing_profile: Option<&'a str>,
    billing_profile_data: Option<BillingProfileDataView<'a>>,
}

/// An intent's `cadence_data`.
#[derive(Debug, Serialize)]
pub struct CadenceDataView<'a> {
    billing_cycle: BillingCycleView,
    payer: PayerDataView<'a>,
    settings: Option<SettingsView<'a>>,
}

impl<'a> From<&'a CadenceData> for CadenceDataView<'a> {
    fn from(d: &'a CadenceData) -> Self {
        let payer = match &d.payer {
            PayerData::BillingProfile(id) => PayerDataView {
                billing_profile: Some(id),
                billing_profile_data: None,
            },
            PayerData::BillingProfileData {
                customer,
                default_payment_method,
            } => PayerDataView {
                billing_profile: None,
                billing_profile_data: Some(BillingProfileDataView {
                    customer,
                    default_payment_method: default_payment_method.as_deref(),
                }),
            },
        };
        CadenceDataView {
            billing_cycle: (&d.billing_cycle).into(),
            payer,
            settings: d.settings.as_ref().map(SettingsView::from),
        }
    }
}

#[derive(Debug, Serialize)]
struct CadencePayerView<'a> {
    billing_profile: Option<&'a str>,
    customer: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// Cadence in Stripe's shape (`v2.billing.cadence`).
#[derive(Debug, Serialize)]
pub struct CadenceView<'a> {
    billing_cycle: BillingCycleView,
    created: Timestamp,
    id: &'a str,
    invoice_discount_rules: Option<()>,
    livemode: bool,
    lookup_key: Option<&'a str>,
    metadata: &'a Metadata,
    next_billing_date: Option<()>,
    object: &'static str,
    payer: CadencePayerView<'a>,
    settings: Option<SettingsView<'a>>,
    settings_data: Option<()>,
    status: &'static str,
    test_clock: Option<()>,
}

impl<'a> From<&'a Cadence> for CadenceView<'a> {
    fn from(c: &'a Cadence) -> Self {
        CadenceView {
            billing_cycle: (&c.billing_cycle).into(),
            created: timestamp(c.created),
            id: &c.id,
            invoice_discount_rules: None,
            livemode: c.livemode,
            lookup_key: c.lookup_key.as_deref(),
            metadata: &c.metadata,
            next_billing_date: None,
            object: "v2.billing.cadence",
            payer: CadencePayerView {
                billing_profile: c.payer.billing_profile.as_deref(),
                customer: c.payer.customer.as_deref(),
                kind: "customer",
            },
            settings: c.settings.as_ref().map(SettingsView::from),
            settings_data: None,
            status: "active",
            test_clock: None,
        }
    }
}

// ----- parameters -----

/// `billing_cycle.type`, in the order the error for an unknown type lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
enum CycleType {
    Day,
    Month,
    Week,
    Year,
}

impl From<CycleType> for CycleKind {
    fn from(t: CycleType) -> Self {
        match t {
            CycleType::Day => CycleKind::Day,
            CycleType::Month => CycleKind::Month,
            CycleType::Week => CycleKind::Week,
            CycleType::Year => CycleKind::Year,
        }
    }
}

/// The fields of a `billing_cycle`, in the order they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum CycleField {
    Type,
    IntervalCount,
    Day,
    Month,
    Week,
    Year,
}

const CYCLE_FIELDS: &[&str] = &["type", "interval_count", "day", "month", "week", "year"];

/// Where a `billing_cycle` sits; error messages name its `type` and `interval_count`.
pub trait CyclePath {
    /// The path of the `billing_cycle` object.
    const PATH: &'static str;
}

/// The `billing_cycle` of `POST /v2/billing/cadences`.
#[derive(Debug)]
pub struct OfCadence;

impl CyclePath for OfCadence {
    const PATH: &'static str = "billing_cycle";
}

/// The `billing_cycle` of an intent's `cadence_data`.
#[derive(Debug)]
pub struct OfCadenceData;

impl CyclePath for OfCadenceData {
    const PATH: &'static str = "cadence_data.billing_cycle";
}

/// A `billing_cycle`: `type`, `interval_count` (1–365) and the sub-object `type` names, whose
/// anchors are checked against their ranges; `month.month_of_year` needs an `interval_count`
/// of 2, 3, 4 or 6. The sub-objects of other types may not be sent.
#[derive(Debug)]
pub struct CycleParams<P>(pub CycleRequest, PhantomData<P>);

impl<'de, P: CyclePath> Deserialize<'de> for CycleParams<P> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let req = CycleSeed::<P>(PhantomData).deserialize(deserializer)?;
        Ok(CycleParams(req, PhantomData))
    }
}

struct CycleSeed<P>(PhantomData<P>);

struct_seed!(@[P: CyclePath] CycleSeed<P>, "CycleParams", CYCLE_FIELDS => CycleRequest);

impl<P: CyclePath> CycleSeed<P> {
    fn read<'de, A: MapAccess<'de>>(self, mut map: A) -> Result<CycleRequest, A::Error> {
        let kind: CycleType = read_type(&mut map, CycleField::Type)?;
        let mut req = CycleRequest {
            kind: kind.into(),
            interval_count: None,
            day_of_week: None,
            day_of_month: None,
            month_of_year: None,
            time: None,
        };
        while let Some(field) = map.next_key()? {
            let of = match field {
                CycleField::Type => continue,
                CycleField::IntervalCount => {
                    req.interval_count = map.next_value::<Option<Bounded<1, 365>>>()?.map(|c| c.0);
                    continue;
                }
                CycleField::Day => CycleType::Day,
                CycleField::Month => CycleType::Month,
                CycleField::Week => CycleType::Week,
                CycleField::Year => CycleType::Year,
            };
            if of != kind {
                if map.next_value::<Sent>()?.0 {
                    return Err(sibling_error(
                        of.into(),
                        kind.into(),
                        format_args!("{}.type", P::PATH),
                    ));
                }
                continue;
            }
            match kind {
                CycleType::Day => {
                    req.time = map
                        .next_value::<Option<DayParams>>()?
                        .and_then(|d| d.time)
                        .map(Into::into);
                }
                CycleType::Week => {
                    if let Some(w) = map.next_value::<Option<WeekParams>>()? {
                        req.day_of_week = small(w.day_of_week.0);
                        req.time = w.time.map(Into::into);
                    }
                }
                CycleType::Month => {
                    let seed = MonthSeed::<P> {
                        interval_count: req.interval_count,
                        path: PhantomData,
                    };
                    if let Some(m) = map.next_value_seed(seed)? {
                        req.day_of_month = small(m.day_of_month.0);
                        req.month_of_year = m.month_of_year.and_then(|v| small(v.0));
                        req.time = m.time.map(Into::into);
                    }
                }
                CycleType::Year => {
                    if let Some(y) = map.next_value::<Option<YearParams>>()? {
                        req.day_of_month = y.day_of_month.and_then(|v| small(v.0));
                        req.month_of_year = y.month_of_year.and_then(|v| small(v.0));
                        req.time = y.time.map(Into::into);
                    }
                }
            }
        }
        Ok(req)
    }
}

/// An anchor, within its (non-negative) range already.
fn small(v: i64) -> Option<u32> {
    u32::try_from(v).ok()
}

/// A time of day in a billing cycle.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeParams {
    hour: Bounded<0, 23>,
    minute: Bounded<0, 59>,
    second: Bounded<0, 59>,
}

impl From<TimeParams> for CycleTime {
    fn from(t: TimeParams) -> Self {
        CycleTime {
            hour: small(t.hour.0).unwrap_or(0),
            minute: small(t.minute.0).unwrap_or(0),
            second: small(t.second.0).unwrap_or(0),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayParams {
    time: Option<TimeParams>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeekParams {
    day_of_week: Bounded<1, 7>,
    time: Option<TimeParams>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MonthParams {
    day_of_month: Bounded<1, 31>,
    month_of_year: Option<Bounded<1, 12>>,
    time: Option<TimeParams>,
}

/// Reads an optional `month`, whose `month_of_year` needs the cycle's `interval_count`.
struct MonthSeed<P> {
    interval_count: Option<i64>,
    path: PhantomData<P>,
}

impl<'de, P: CyclePath> DeserializeSeed<'de> for MonthSeed<P> {
    type Value = Option<MonthParams>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let month = Option::<MonthParams>::deserialize(deserializer)?;
        let with_year = month.as_ref().is_some_and(|m| m.month_of_year.is_some());
        if with_year && !matches!(self.interval_count, Some(2 | 3 | 4 | 6)) {
            return Err(refuse(
                None,
                Some("month_of_year"),
                format_args!(
                    "`month_of_year` can only be used when `{}.interval_count` is 2, 3, 4 or 6.",
                    P::PATH
                ),
            ));
        }
        Ok(month)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearParams {
    day_of_month: Option<Bounded<1, 31>>,
    month_of_year: Option<Bounded<1, 12>>,
    time: Option<TimeParams>,
}

/// A reference to settings: `id` and an optional `version`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsRefParams {
    id: String,
    version: Option<String>,
}

impl From<SettingsRefParams> for SettingsRef {
    fn from(r: SettingsRefParams) -> Self {
        SettingsRef {
            id: r.id,
            version: r.version,
        }
    }
}

/// A `settings` object (`bill`, `collection`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsParams {
    bill: Option<SettingsRefParams>,
    collection: Option<SettingsRefParams>,
}

impl From<SettingsParams> for CadenceSettings {
    fn from(s: SettingsParams) -> Self {
        CadenceSettings {
            bill: s.bill.map(Into::into),
            collection: s.collection.map(Into::into),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileDataParams {
    customer: String,
    default_payment_method: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPayerData {
    billing_profile: Option<String>,
    billing_profile_data: Option<ProfileDataParams>,
}

/// `cadence_data.payer`: exactly one of `billing_profile` and `billing_profile_data`.
#[derive(Debug)]
struct PayerDataParams(PayerData);

impl<'de> Deserialize<'de> for PayerDataParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawPayerData::deserialize(deserializer)?;
        match (raw.billing_profile, raw.billing_profile_data) {
            (Some(id), None) => Ok(PayerDataParams(PayerData::BillingProfile(id))),
            (None, Some(data)) => Ok(PayerDataParams(PayerData::BillingProfileData {
                customer: data.customer,
                default_payment_method: data.default_payment_method,
            })),
            (Some(_), Some(_)) => Err(refuse(
                Some("parameters_exclusive"),
                Some("billing_profile"),
                "You may only specify one of these parameters: billing_profile, billing_profile_data.",
            )),
            (None, None) => Err(de::Error::missing_field("billing_profile")),
        }
    }
}

/// An intent's `cadence_data`: the cadence to create when the intent is committed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CadenceDataParams {
    billing_cycle: CycleParams<OfCadenceData>,
    payer: PayerDataParams,
    settings: Option<SettingsParams>,
}

impl From<CadenceDataParams> for CadenceDataRequest {
    fn from(d: CadenceDataParams) -> Self {
        CadenceDataRequest {
            billing_cycle: d.billing_cycle.0,
            payer: d.payer.0,
            settings: d.settings.map(Into::into),
        }
    }
}

/// A cadence's `payer`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CadencePayerParams {
    billing_profile: String,
}

/// Parameters of `POST /v2/billing/cadences`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateParams {
    billing_cycle: CycleParams<OfCadence>,
    payer: CadencePayerParams,
    settings: Option<SettingsParams>,
    lookup_key: Option<String>,
    #[serde(default)]
    metadata: MetadataParam,
}

impl From<CreateParams> for NewCadence {
    fn from(p: CreateParams) -> Self {
        NewCadence {
            billing_cycle: p.billing_cycle.0,
            billing_profile: p.payer.billing_profile,
            settings: p.settings.map(Into::into),
            lookup_key: p.lookup_key,
            metadata: p.metadata.0,
        }
    }
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V2Json(params): V2Json<CreateParams>,
) -> Result<Response> {
    render(&CadenceView::from(
        &app.store.create_cadence(&acct, params.into())?,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V2Query(NoParams {}): V2Query<NoParams>,
) -> Result<Response> {
    render(&CadenceView::from(&app.store.cadence(&acct, &id)?))
}

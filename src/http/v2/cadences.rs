//! `/v2/billing/cadences`: create and retrieve (`v2.billing.cadence`), minimal: enough for an
//! intent's `cadence` to name one. Also the readers and views of billing cycles, payers and
//! settings, which an intent's `cadence_data` shares.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;

use crate::domain::cadence::{
    BillingCycle, Cadence, CadenceData, CadenceDataRequest, CadenceSettings, Cycle, CycleKind,
    CycleRequest, CycleTime, PayerData, SettingsRef,
};
use crate::domain::catalog::Metadata;
use crate::error::{Error, Result};
use crate::http::extract::{Caller, V2Body, V2QueryParams};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::billing::NewCadence;

use super::{Timestamp, reject_siblings, req_i64_in, timestamp};

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

fn small(p: &mut Params, key: &str, min: i64, max: i64, required: bool) -> Result<Option<u32>> {
    let v = if required {
        Some(req_i64_in(p, key, min, max)?)
    } else {
        p.opt_i64_in(key, min, max)?
    };
    // Callers pass non-negative ranges, so the conversion cannot fail.
    Ok(v.and_then(|v| u32::try_from(v).ok()))
}

fn read_time(p: &mut Params) -> Result<Option<CycleTime>> {
    p.opt_object("time", |t| {
        Ok(CycleTime {
            hour: small(t, "hour", 0, 23, true)?.unwrap_or(0),
            minute: small(t, "minute", 0, 59, true)?.unwrap_or(0),
            second: small(t, "second", 0, 59, true)?.unwrap_or(0),
        })
    })
}

/// Reads a `billing_cycle` object's contents.
///
/// # Errors
/// Missing `type`, unknown enum values, out-of-range anchors, a sub-object that does not match
/// `type`, or `month.month_of_year` with an `interval_count` other than 2, 3, 4 or 6.
pub fn read_billing_cycle(p: &mut Params) -> Result<CycleRequest> {
    let name = p.req_enum("type", CycleKind::NAMES)?;
    let type_path = p.path_of("type");
    let kind = CycleKind::from_name(name)
        .ok_or_else(|| crate::http::params::enum_error(type_path, name, CycleKind::NAMES))?;
    let count_path = p.path_of("interval_count");
    let interval_count = p.opt_i64_in("interval_count", 1, 365)?;
    reject_siblings(p, name, CycleKind::NAMES)?;
    let mut req = CycleRequest {
        kind,
        interval_count,
        day_of_week: None,
        day_of_month: None,
        month_of_year: None,
        time: None,
    };
    let read = |s: &mut Params, req: &mut CycleRequest| -> Result<()> {
        match kind {
            CycleKind::Day => {}
            CycleKind::Week => req.day_of_week = small(s, "day_of_week", 1, 7, true)?,
            CycleKind::Month => {
                req.day_of_month = small(s, "day_of_month", 1, 31, true)?;
                let moy_path = s.path_of("month_of_year");
                req.month_of_year = small(s, "month_of_year", 1, 12, false)?;
                if req.month_of_year.is_some() && !matches!(req.interval_count, Some(2 | 3 | 4 | 6))
                {
                    return Err(Error::param_invalid(
                        moy_path,
                        None,
                        format!(
                            "`month_of_year` can only be used when `{count_path}` is 2, 3, 4 or 6."
                        ),
                    ));
                }
            }
            CycleKind::Year => {
                req.day_of_month = small(s, "day_of_month", 1, 31, false)?;
                req.month_of_year = small(s, "month_of_year", 1, 12, false)?;
            }
        }
        req.time = read_time(s)?;
        Ok(())
    };
    p.opt_object(name, |s| read(s, &mut req))?;
    Ok(req)
}

fn read_settings_ref(p: &mut Params, key: &str) -> Result<Option<SettingsRef>> {
    p.opt_object(key, |r| {
        Ok(SettingsRef {
            id: r.req_string("id")?,
            version: r.opt_string("version")?,
        })
    })
}

/// Reads a `settings` object (`bill`, `collection`).
///
/// # Errors
/// Wrong types or missing ids.
pub fn read_settings(p: &mut Params) -> Result<Option<CadenceSettings>> {
    p.opt_object("settings", |s| {
        Ok(CadenceSettings {
            bill: read_settings_ref(s, "bill")?,
            collection: read_settings_ref(s, "collection")?,
        })
    })
}

/// Reads an intent's `cadence_data`.
///
/// # Errors
/// Any shape error, naming the field (`cadence_data.billing_cycle.type`, …).
pub fn read_cadence_data(p: &mut Params) -> Result<Option<CadenceDataRequest>> {
    p.opt_object("cadence_data", |d| {
        let billing_cycle = d.req_object("billing_cycle", read_billing_cycle)?;
        let payer = d.req_object("payer", |payer| {
            let profile_path = payer.path_of("billing_profile");
            let profile = payer.opt_string("billing_profile")?;
            let data = payer.opt_object("billing_profile_data", |b| {
                Ok(PayerData::BillingProfileData {
                    customer: b.req_string("customer")?,
                    default_payment_method: b.opt_string("default_payment_method")?,
                })
            })?;
            match (profile, data) {
                (Some(id), None) => Ok(PayerData::BillingProfile(id)),
                (None, Some(data)) => Ok(data),
                (Some(_), Some(_)) => Err(Error::InvalidRequest {
                    code: Some("parameters_exclusive"),
                    message: "You may only specify one of these parameters: billing_profile, billing_profile_data.".into(),
                    param: Some(profile_path),
                }),
                (None, None) => Err(Error::ParameterMissing {
                    param: profile_path,
                }),
            }
        })?;
        let settings = read_settings(d)?;
        Ok(CadenceDataRequest {
            billing_cycle,
            payer,
            settings,
        })
    })
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V2Body(mut params): V2Body,
) -> Result<Response> {
    let p = &mut params;
    let new = NewCadence {
        billing_cycle: p.req_object("billing_cycle", read_billing_cycle)?,
        billing_profile: p.req_object("payer", |payer| payer.req_string("billing_profile"))?,
        settings: read_settings(p)?,
        lookup_key: p.opt_string("lookup_key")?,
        metadata: p.opt_metadata("metadata")?,
    };
    params.finish()?;
    render(&CadenceView::from(&app.store.create_cadence(&acct, new)?))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V2QueryParams(params): V2QueryParams,
) -> Result<Response> {
    params.finish()?;
    render(&CadenceView::from(&app.store.cadence(&acct, &id)?))
}

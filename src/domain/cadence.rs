//! Billing cadences (`v2.billing.cadence`): when and how often a payer is billed.
//!
//! A cadence is created directly (`POST /v2/billing/cadences`) or, from an intent's
//! `cadence_data`, when that intent is committed. This module holds the plain data and the one
//! rule with arithmetic in it: anchors the caller leaves out default to the creation instant
//! (Stripe: "if not provided, it defaults to the time at which the cadence was created in UTC").

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::domain::catalog::Metadata;

/// Time of day at which a billing cycle ends (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleTime {
    /// 0–23.
    pub hour: u32,
    /// 0–59.
    pub minute: u32,
    /// 0–59.
    pub second: u32,
}

impl CycleTime {
    /// The time of day of `at`.
    pub fn of(at: DateTime<Utc>) -> Self {
        CycleTime {
            hour: at.hour(),
            minute: at.minute(),
            second: at.second(),
        }
    }
}

/// The frequency of a billing cycle and its anchor, with every default filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cycle {
    /// Bills every `interval_count` days at `time`.
    Day {
        /// When the cycle ends.
        time: CycleTime,
    },
    /// Bills every `interval_count` weeks on `day_of_week`.
    Week {
        /// ISO weekday, Monday = 1.
        day_of_week: u32,
        /// When the cycle ends.
        time: CycleTime,
    },
    /// Bills every `interval_count` months on `day_of_month`.
    Month {
        /// 1–31 (clamped to the month's last day when billing).
        day_of_month: u32,
        /// 1–12; only for `interval_count` 2, 3, 4 or 6.
        month_of_year: Option<u32>,
        /// When the cycle ends.
        time: CycleTime,
    },
    /// Bills every `interval_count` years on `month_of_year`/`day_of_month`.
    Year {
        /// 1–31.
        day_of_month: u32,
        /// 1–12.
        month_of_year: u32,
        /// When the cycle ends.
        time: CycleTime,
    },
}

impl Cycle {
    /// The frequency.
    pub fn kind(&self) -> CycleKind {
        match self {
            Cycle::Day { .. } => CycleKind::Day,
            Cycle::Week { .. } => CycleKind::Week,
            Cycle::Month { .. } => CycleKind::Month,
            Cycle::Year { .. } => CycleKind::Year,
        }
    }
}

/// The frequency of a billing cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleKind {
    /// `day`
    Day,
    /// `week`
    Week,
    /// `month`
    Month,
    /// `year`
    Year,
}

impl CycleKind {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            CycleKind::Day => "day",
            CycleKind::Week => "week",
            CycleKind::Month => "month",
            CycleKind::Year => "year",
        }
    }
}

/// A billing cycle as a caller described it: anchors may be missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRequest {
    /// The frequency.
    pub kind: CycleKind,
    /// Intervals between billings; defaults to 1.
    pub interval_count: Option<i64>,
    /// `day_of_week` (week cycles).
    pub day_of_week: Option<u32>,
    /// `day_of_month` (month and year cycles).
    pub day_of_month: Option<u32>,
    /// `month_of_year` (month and year cycles).
    pub month_of_year: Option<u32>,
    /// `time` of the type's sub-object.
    pub time: Option<CycleTime>,
}

/// A complete billing cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingCycle {
    /// Intervals between billings, at least 1.
    pub interval_count: i64,
    /// Frequency and anchor.
    pub cycle: Cycle,
}

impl BillingCycle {
    /// Fills the anchors `req` leaves out from `created` (UTC), as Stripe documents.
    pub fn resolve(req: &CycleRequest, created: DateTime<Utc>) -> BillingCycle {
        let time = req.time.unwrap_or_else(|| CycleTime::of(created));
        let day_of_month = req.day_of_month.unwrap_or_else(|| created.day());
        let cycle = match req.kind {
            CycleKind::Day => Cycle::Day { time },
            CycleKind::Week => Cycle::Week {
                day_of_week: req
                    .day_of_week
                    .unwrap_or_else(|| created.weekday().number_from_monday()),
                time,
            },
            CycleKind::Year => Cycle::Year {
                day_of_month,
                month_of_year: req.month_of_year.unwrap_or_else(|| created.month()),
                time,
            },
            CycleKind::Month => Cycle::Month {
                day_of_month,
                month_of_year: req.month_of_year,
                time,
            },
        };
        BillingCycle {
            interval_count: req.interval_count.unwrap_or(1),
            cycle,
        }
    }
}

/// Who pays, as given in an intent's `cadence_data.payer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayerData {
    /// An existing billing profile.
    BillingProfile(String),
    /// A billing profile to create for a customer.
    BillingProfileData {
        /// `cus_…`
        customer: String,
        /// Payment method, if given.
        default_payment_method: Option<String>,
    },
}

/// A reference to a settings object, optionally pinned to a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRef {
    /// The settings object's id.
    pub id: String,
    /// Pinned version, if any.
    pub version: Option<String>,
}

/// Bill and collection settings of a cadence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CadenceSettings {
    /// Bill settings.
    pub bill: Option<SettingsRef>,
    /// Collection settings.
    pub collection: Option<SettingsRef>,
}

/// An intent's `cadence_data`: the cadence to create when the intent is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CadenceData {
    /// The billing cycle, defaults resolved at intent creation.
    pub billing_cycle: BillingCycle,
    /// Who pays.
    pub payer: PayerData,
    /// Settings, if given.
    pub settings: Option<CadenceSettings>,
}

/// `cadence_data` as a caller sent it: the billing cycle's anchors may still be missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CadenceDataRequest {
    /// The billing cycle.
    pub billing_cycle: CycleRequest,
    /// Who pays.
    pub payer: PayerData,
    /// Settings, if given.
    pub settings: Option<CadenceSettings>,
}

impl CadenceDataRequest {
    /// The complete `cadence_data` of an intent created at `created`.
    pub fn resolve(&self, created: DateTime<Utc>) -> CadenceData {
        CadenceData {
            billing_cycle: BillingCycle::resolve(&self.billing_cycle, created),
            payer: self.payer.clone(),
            settings: self.settings.clone(),
        }
    }
}

/// The payer of a cadence as the cadence object shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CadencePayer {
    /// Billing profile id; `None` while billing profiles are not modelled and the cadence came
    /// from `billing_profile_data`.
    pub billing_profile: Option<String>,
    /// `cus_…`, when known.
    pub customer: Option<String>,
}

/// A billing cadence.
#[derive(Debug, Clone, PartialEq)]
pub struct Cadence {
    /// `bc_…`
    pub id: String,
    /// Creation instant.
    pub created: DateTime<Utc>,
    /// Live or test.
    pub livemode: bool,
    /// The billing cycle.
    pub billing_cycle: BillingCycle,
    /// Who pays.
    pub payer: CadencePayer,
    /// Settings, if given.
    pub settings: Option<CadenceSettings>,
    /// Lookup key.
    pub lookup_key: Option<String>,
    /// Key-value pairs.
    pub metadata: Metadata,
}

impl Cadence {
    /// The cadence an intent's `cadence_data` describes, created at `created`.
    pub fn from_data(
        id: String,
        created: DateTime<Utc>,
        livemode: bool,
        data: &CadenceData,
    ) -> Self {
        let payer = match &data.payer {
            PayerData::BillingProfile(profile) => CadencePayer {
                billing_profile: Some(profile.clone()),
                customer: None,
            },
            PayerData::BillingProfileData { customer, .. } => CadencePayer {
                billing_profile: None,
                customer: Some(customer.clone()),
            },
        };
        Cadence {
            id,
            created,
            livemode,
            billing_cycle: data.billing_cycle.clone(),
            payer,
            settings: data.settings.clone(),
            lookup_key: None,
            metadata: Metadata::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn request(kind: CycleKind) -> CycleRequest {
        CycleRequest {
            kind,
            interval_count: None,
            day_of_week: None,
            day_of_month: None,
            month_of_year: None,
            time: None,
        }
    }

    fn at() -> DateTime<Utc> {
        // A Wednesday.
        Utc.with_ymd_and_hms(2025, 1, 15, 13, 45, 30)
            .single()
            .expect("valid")
    }

    #[test]
    fn missing_anchors_default_to_the_creation_instant() {
        let req = request(CycleKind::Week);
        let cycle = BillingCycle::resolve(&req, at());
        assert_eq!(cycle.interval_count, 1);
        assert_eq!(
            cycle.cycle,
            Cycle::Week {
                day_of_week: 3,
                time: CycleTime {
                    hour: 13,
                    minute: 45,
                    second: 30
                }
            }
        );
        let year = BillingCycle::resolve(&request(CycleKind::Year), at());
        assert!(matches!(
            year.cycle,
            Cycle::Year {
                day_of_month: 15,
                month_of_year: 1,
                ..
            }
        ));
    }

    #[test]
    fn given_anchors_are_kept() {
        let req = CycleRequest {
            interval_count: Some(3),
            day_of_month: Some(31),
            month_of_year: Some(2),
            time: Some(CycleTime {
                hour: 0,
                minute: 0,
                second: 0,
            }),
            ..request(CycleKind::Month)
        };
        let cycle = BillingCycle::resolve(&req, at());
        assert_eq!(cycle.interval_count, 3);
        assert_eq!(cycle.cycle.kind(), CycleKind::Month);
        assert!(matches!(
            cycle.cycle,
            Cycle::Month {
                day_of_month: 31,
                month_of_year: Some(2),
                ..
            }
        ));
    }

    #[test]
    fn a_cadence_from_profile_data_names_the_customer() {
        let data = CadenceData {
            billing_cycle: BillingCycle::resolve(&request(CycleKind::Day), at()),
            payer: PayerData::BillingProfileData {
                customer: "cus_1".into(),
                default_payment_method: None,
            },
            settings: None,
        };
        let c = Cadence::from_data("bc_1".into(), at(), false, &data);
        assert_eq!(c.payer.customer.as_deref(), Some("cus_1"));
        assert_eq!(c.payer.billing_profile, None);
        assert_eq!(c.billing_cycle, data.billing_cycle);
    }
}

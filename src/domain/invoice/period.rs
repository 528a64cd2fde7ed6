//! Billing periods: the [`Period`] of a line or item, and calendar arithmetic on unix seconds
//! (months and years follow the calendar). Pure: no clock reads.

use chrono::{Months, TimeZone, Utc};

use crate::domain::catalog::Recurring;

/// A billing period, inclusive at both ends, in unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First second of the period.
    pub start: i64,
    /// Last second of the period.
    pub end: i64,
}

impl Period {
    /// The period of a one-off charge at `t`: start and end are both `t`.
    pub fn at(t: i64) -> Self {
        Period { start: t, end: t }
    }

    /// Whether the period does not end before it starts.
    pub fn is_valid(&self) -> bool {
        self.end >= self.start
    }
}

/// `t` plus `months` calendar months, if both fit.
pub(super) fn add_months(t: i64, months: i64) -> Option<i64> {
    let months = u32::try_from(months).ok()?;
    Utc.timestamp_opt(t, 0)
        .single()?
        .checked_add_months(Months::new(months))
        .map(|d| d.timestamp())
}

/// End of the first billing period of `recurring` starting at `start` (calendar months and years).
pub fn subscription_period_end(start: i64, recurring: &Recurring) -> Option<i64> {
    let count = recurring.interval_count;
    match recurring.interval {
        "day" => count.checked_mul(86_400).and_then(|s| start.checked_add(s)),
        "week" => count
            .checked_mul(604_800)
            .and_then(|s| start.checked_add(s)),
        "month" => add_months(start, count),
        "year" => add_months(start, count.checked_mul(12)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_periods_follow_the_calendar() {
        let jan31 = 1_706_659_200; // 2024-01-31T00:00:00Z
        let month = Recurring {
            interval: "month",
            interval_count: 1,
            usage_type: "licensed",
        };
        // 2024-02-29T00:00:00Z: chrono clamps to the end of a shorter month.
        assert_eq!(subscription_period_end(jan31, &month), Some(1_709_164_800));
        let weeks = Recurring {
            interval: "week",
            interval_count: 2,
            ..month.clone()
        };
        assert_eq!(
            subscription_period_end(jan31, &weeks),
            Some(jan31 + 1_209_600)
        );
        let year = Recurring {
            interval: "year",
            ..month
        };
        assert_eq!(subscription_period_end(jan31, &year), Some(1_738_281_600));
    }
}

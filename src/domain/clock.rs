//! The server's clock: real time by default, frozen or shifted on request.
//!
//! Every timestamp the mock hands out comes from here, so tests can freeze time or advance it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, TimeZone, Utc};

const NOT_FROZEN: i64 = i64::MIN;

/// A clock that can be frozen at an instant or offset from real time.
#[derive(Debug)]
pub struct Clock {
    /// Milliseconds added to real time when not frozen.
    offset_ms: AtomicI64,
    /// Frozen instant in unix milliseconds, or `NOT_FROZEN`.
    frozen_ms: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            offset_ms: AtomicI64::new(0),
            frozen_ms: AtomicI64::new(NOT_FROZEN),
        }
    }
}

impl Clock {
    /// The current instant, in whole milliseconds.
    pub fn now(&self) -> DateTime<Utc> {
        let ms = self.now_ms();
        Utc.timestamp_millis_opt(ms)
            .single()
            .unwrap_or_else(Utc::now)
    }

    /// The current instant in unix milliseconds. Cheaper than [`Clock::now`]: no calendar
    /// date is worked out (the request path reads the clock three times).
    pub fn now_ms(&self) -> i64 {
        let frozen = self.frozen_ms.load(Ordering::Relaxed);
        if frozen != NOT_FROZEN {
            return frozen;
        }
        let real = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
        };
        real.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// The current instant in unix seconds (rounded down, like [`DateTime::timestamp`]).
    pub fn now_seconds(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Freezes the clock at `at`.
    pub fn freeze(&self, at: DateTime<Utc>) {
        self.frozen_ms
            .store(at.timestamp_millis(), Ordering::Relaxed);
    }

    /// Moves the clock forward (or back, for negative values) by `ms` milliseconds.
    pub fn advance_ms(&self, ms: i64) {
        let frozen = self.frozen_ms.load(Ordering::Relaxed);
        if frozen == NOT_FROZEN {
            self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        } else {
            self.frozen_ms
                .store(frozen.saturating_add(ms), Ordering::Relaxed);
        }
    }

    /// Back to real time.
    pub fn unfreeze(&self) {
        self.frozen_ms.store(NOT_FROZEN, Ordering::Relaxed);
        self.offset_ms.store(0, Ordering::Relaxed);
    }

    /// Whether the clock is frozen.
    pub fn is_frozen(&self) -> bool {
        self.frozen_ms.load(Ordering::Relaxed) != NOT_FROZEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_stands_still_and_advances_on_request() {
        let clock = Clock::default();
        let at = Utc.timestamp_opt(1_700_000_000, 0).single().expect("valid");
        clock.freeze(at);
        assert_eq!(clock.now(), at);
        clock.advance_ms(1_500);
        assert_eq!(clock.now().timestamp_millis(), 1_700_000_001_500);
        assert_eq!(clock.now_ms(), 1_700_000_001_500);
        assert_eq!(clock.now_seconds(), 1_700_000_001);
        clock.freeze(Utc.timestamp_millis_opt(-1_500).single().expect("valid"));
        assert_eq!(clock.now_seconds(), -2);
        clock.unfreeze();
        assert!(!clock.is_frozen());
    }

    #[test]
    fn real_time_is_read_in_milliseconds_with_the_offset() {
        let clock = Clock::default();
        let before = Utc::now().timestamp_millis();
        let read = clock.now_ms();
        let after = Utc::now().timestamp_millis();
        assert!(
            (before..=after).contains(&read),
            "{before} <= {read} <= {after}"
        );
        clock.advance_ms(3_600_000);
        let shifted = clock.now();
        assert_eq!(shifted.timestamp_subsec_nanos() % 1_000_000, 0);
        let delta = shifted.timestamp_millis() - Utc::now().timestamp_millis();
        assert!((3_540_000..=3_600_000).contains(&delta), "{delta}");
    }
}

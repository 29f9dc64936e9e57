//! The one clock: "now", and "today" as a date in England.
//!
//! Deadlines, the academic year's first day and the daily sweep are dates in
//! England, so "today" is the date in Europe/London, not in UTC: between
//! midnight and 1 a.m. in British Summer Time the two differ by a day.

use std::sync::OnceLock;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The UK's rule since 1996 (GMT, BST from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October), used only if the
/// bundled time-zone database cannot be read.
const UK_POSIX: &str = "GMT0BST,M3.5.0/1,M10.5.0";

/// Europe/London, from the time-zone database bundled in the binary.
pub fn london() -> &'static TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        TimeZone::get("Europe/London")
            .or_else(|_| TimeZone::posix(UK_POSIX))
            .unwrap_or(TimeZone::UTC)
    })
}

/// The date in England at `at`.
pub fn date_in_england(at: Timestamp) -> Date {
    at.to_zoned(london().clone()).date()
}

/// Today in England by the system clock, for adapters' code that has no
/// [`crate::App`] at hand; use cases take [`crate::App::today`] instead.
pub fn today_in_england() -> Date {
    SystemClock.today()
}

/// Where use cases get the time from.
pub trait Clock: Send + Sync + 'static {
    /// This instant.
    fn now(&self) -> Timestamp;

    /// Today in England.
    fn today(&self) -> Date {
        date_in_england(self.now())
    }
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock stopped at one instant, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl FixedClock {
    /// Noon in England on `date`.
    pub fn on(date: Date) -> FixedClock {
        let at = date
            .at(12, 0, 0, 0)
            .to_zoned(london().clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        FixedClock(at)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("a timestamp")
    }

    #[test]
    fn today_is_the_date_in_england_not_in_utc() {
        // 23:30 UTC on 30 June 2026 is 00:30 on 1 July in British Summer Time.
        assert_eq!(
            FixedClock(ts("2026-06-30T23:30:00Z")).today(),
            jiff::civil::date(2026, 7, 1)
        );
        // In winter England keeps GMT: 23:30 UTC is still the same day.
        assert_eq!(
            FixedClock(ts("2026-12-02T23:30:00Z")).today(),
            jiff::civil::date(2026, 12, 2)
        );
        // The clocks go forward at 01:00 UTC on the last Sunday of March.
        assert_eq!(
            FixedClock(ts("2026-03-28T23:30:00Z")).today(),
            jiff::civil::date(2026, 3, 28)
        );
        assert_eq!(
            FixedClock(ts("2026-03-29T23:30:00Z")).today(),
            jiff::civil::date(2026, 3, 30)
        );
    }

    #[test]
    fn the_bundled_database_knows_london() {
        assert!(TimeZone::get("Europe/London").is_ok());
        assert_eq!(london().iana_name(), Some("Europe/London"));
    }

    #[test]
    fn a_fixed_clock_on_a_date_gives_that_date() {
        let d = jiff::civil::date(2026, 8, 31);
        assert_eq!(FixedClock::on(d).today(), d);
    }
}

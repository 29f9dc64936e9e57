//! Working days: Monday to Friday, less the calendar's holidays.
//!
//! # Conventions
//!
//! * **Counting starts the day after.** "Within N working days of X" means by
//!   the end of [`WorkingDayCalendar::add_working_days`]`(X, N)`: X itself
//!   never counts, even when it is a working day. So a notice served on
//!   Thursday 24 December 2026 with 1 working day to comply ends on Tuesday
//!   29 December 2026 (Christmas Day, the weekend and the Boxing Day
//!   substitute are skipped).
//! * **n = 0 is the identity.** `add_working_days(d, 0) == d` and
//!   `subtract_working_days(d, 0) == d`, whether or not `d` is a working day.
//!   To move a date that may fall on a holiday onto a working day use
//!   [`WorkingDayCalendar::working_day_on_or_after`] (or `_on_or_before`).
//!   Callers that must refuse a zero period (a warning notice's compliance
//!   period) refuse it themselves.
//! * **"At least N working days before X"** is
//!   `subtract_working_days(X, N)`: the latest date with N working days in
//!   `[that date, X)`.
//! * [`WorkingDayCalendar::working_days_between`]`(a, b)` counts the working
//!   days in `(a, b]` (negative when `b < a`), so
//!   `working_days_between(d, add_working_days(d, n)) == n`.

use jiff::civil::{Date, Weekday};
use jiff::SignedDuration;

/// A date calculation went beyond the dates `jiff` can represent (years
/// -9999 to 9999), or the calendar had no working day left in that range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{working_days} working days from {from} is outside the supported dates (-9999-01-01 to 9999-12-31)")]
pub struct DateOutOfRange {
    /// The date counted from.
    pub from: Date,
    /// The working days counted (negative when counting backwards).
    pub working_days: i64,
}

/// Whether `date` is a Saturday or Sunday.
pub fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Working days in England: weekends and the calendar's holidays are not
/// working days. [`super::BankHolidays`] implements it for the
/// England-and-Wales bank holidays.
///
/// Only [`WorkingDayCalendar::is_holiday`] must be written; the rest are
/// provided. Implementations with many holidays should also override
/// [`WorkingDayCalendar::weekday_holidays_in`], which the provided methods use
/// to jump over whole weeks instead of walking day by day.
///
/// See the [module documentation](self) for the counting conventions.
pub trait WorkingDayCalendar {
    /// Whether `date` is a holiday (a bank holiday). A holiday at a weekend
    /// changes nothing.
    fn is_holiday(&self, date: Date) -> bool;

    /// The number of holidays falling Monday to Friday from `from` to `to`,
    /// both inclusive (0 when `to < from`).
    fn weekday_holidays_in(&self, from: Date, to: Date) -> i64 {
        if to < from {
            return 0;
        }
        let mut count = 0;
        let mut day = from;
        loop {
            if !is_weekend(day) && self.is_holiday(day) {
                count += 1;
            }
            match day.tomorrow() {
                Ok(next) if next <= to => day = next,
                _ => return count,
            }
        }
    }

    /// Whether the calendar's holiday data covers `date`. Outside it only
    /// weekends are known, so callers should warn. The default is `true`.
    fn covers(&self, _date: Date) -> bool {
        true
    }

    /// Monday to Friday and not a holiday.
    fn is_working_day(&self, date: Date) -> bool {
        !is_weekend(date) && !self.is_holiday(date)
    }

    /// The date `n` working days after `date`: the n-th working day counting
    /// from the day after `date`. For `n ≥ 1` the result is a working day
    /// strictly after `date`; for `n = 0` it is `date` itself, unchanged.
    ///
    /// 2026-12-24 + 1 = 2026-12-29 (Christmas Day, the weekend and the Boxing
    /// Day substitute are skipped).
    fn add_working_days(&self, date: Date, n: u32) -> Result<Date, DateOutOfRange> {
        let out_of_range = DateOutOfRange {
            from: date,
            working_days: i64::from(n),
        };
        let mut current = date;
        let mut remaining = i64::from(n);
        while remaining > 0 {
            // Jump to the `remaining`-th weekday after `current`, then count
            // the holidays jumped over: that many working days are still due.
            let index = day_index(current);
            let wanted = weekdays_before(index + 1) + remaining;
            let target = date_at(nth_weekday_index(wanted - 1)).ok_or(out_of_range)?;
            let next_day = current.tomorrow().map_err(|_| out_of_range)?;
            remaining = self.weekday_holidays_in(next_day, target);
            current = target;
        }
        Ok(current)
    }

    /// The date `n` working days before `date`: the n-th working day counting
    /// back from the day before `date`. For `n ≥ 1` the result is a working
    /// day strictly before `date`; for `n = 0` it is `date` itself.
    ///
    /// On working days it undoes [`WorkingDayCalendar::add_working_days`]:
    /// `subtract_working_days(add_working_days(d, n), n) == d` when `d` is a
    /// working day.
    fn subtract_working_days(&self, date: Date, n: u32) -> Result<Date, DateOutOfRange> {
        let out_of_range = DateOutOfRange {
            from: date,
            working_days: -i64::from(n),
        };
        let mut current = date;
        let mut remaining = i64::from(n);
        while remaining > 0 {
            let index = day_index(current);
            let wanted = weekdays_before(index) - remaining;
            let target = date_at(nth_weekday_index(wanted)).ok_or(out_of_range)?;
            let day_before = current.yesterday().map_err(|_| out_of_range)?;
            remaining = self.weekday_holidays_in(target, day_before);
            current = target;
        }
        Ok(current)
    }

    /// The first working day strictly after `date`.
    fn next_working_day(&self, date: Date) -> Result<Date, DateOutOfRange> {
        self.add_working_days(date, 1)
    }

    /// The last working day strictly before `date`.
    fn previous_working_day(&self, date: Date) -> Result<Date, DateOutOfRange> {
        self.subtract_working_days(date, 1)
    }

    /// `date` if it is a working day, otherwise the next working day.
    fn working_day_on_or_after(&self, date: Date) -> Result<Date, DateOutOfRange> {
        if self.is_working_day(date) {
            Ok(date)
        } else {
            self.next_working_day(date)
        }
    }

    /// `date` if it is a working day, otherwise the previous working day.
    fn working_day_on_or_before(&self, date: Date) -> Result<Date, DateOutOfRange> {
        if self.is_working_day(date) {
            Ok(date)
        } else {
            self.previous_working_day(date)
        }
    }

    /// The number of working days in `(from, to]`: after `from`, up to and
    /// including `to`. Negative (minus the count in `(to, from]`) when `to`
    /// is before `from`; 0 when they are equal.
    ///
    /// `working_days_between(d, add_working_days(d, n)) == n`.
    fn working_days_between(&self, from: Date, to: Date) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let Ok(day_after) = from.tomorrow() else {
            // `from` is the last representable date, so `to == from`.
            return 0;
        };
        let weekdays = weekdays_before(day_index(to) + 1) - weekdays_before(day_index(from) + 1);
        weekdays - self.weekday_holidays_in(day_after, to)
    }
}

/// Dates are indexed by days from 1970-01-01, shifted so that index 0 is a
/// Monday (29 December 1969). The Unix epoch is used because jiff accepts
/// adding any number of days in its Unix-day range to it, which covers every
/// representable date.
const UNIX_EPOCH: Date = Date::constant(1970, 1, 1);
/// 1970-01-01 was a Thursday, three days after a Monday.
const MONDAY_SHIFT: i64 = 3;
const SECONDS_PER_DAY: i64 = 86_400;

/// The index of `date`: days from Monday 29 December 1969 (negative before).
fn day_index(date: Date) -> i64 {
    date.duration_since(UNIX_EPOCH)
        .as_secs()
        .div_euclid(SECONDS_PER_DAY)
        + MONDAY_SHIFT
}

/// The date with index `index`, if representable.
fn date_at(index: i64) -> Option<Date> {
    let seconds = index
        .checked_sub(MONDAY_SHIFT)?
        .checked_mul(SECONDS_PER_DAY)?;
    UNIX_EPOCH
        .checked_add(SignedDuration::from_secs(seconds))
        .ok()
}

/// How many Monday-to-Friday days have an index below `index` (negative
/// below index 0). Increases by one across each weekday.
fn weekdays_before(index: i64) -> i64 {
    5 * index.div_euclid(7) + index.rem_euclid(7).min(5)
}

/// The index of the weekday with exactly `count` weekdays before it: the
/// inverse of [`weekdays_before`] on weekdays.
fn nth_weekday_index(count: i64) -> i64 {
    7 * count.div_euclid(5) + count.rem_euclid(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    struct WeekendsOnly;
    impl WorkingDayCalendar for WeekendsOnly {
        fn is_holiday(&self, _date: Date) -> bool {
            false
        }
    }

    #[test]
    fn the_index_helpers_agree() {
        assert_eq!(date_at(0).unwrap().weekday(), Weekday::Monday);
        assert_eq!(date_at(day_index(Date::MIN)), Some(Date::MIN));
        assert_eq!(date_at(day_index(Date::MAX)), Some(Date::MAX));
        assert_eq!(date_at(day_index(Date::MAX) + 1), None);
        assert_eq!(date_at(day_index(Date::MIN) - 1), None);
        for count in -30..30 {
            let index = nth_weekday_index(count);
            assert_eq!(weekdays_before(index), count);
            assert_eq!(weekdays_before(index + 1), count + 1);
            let day = date_at(index).unwrap();
            assert!(!is_weekend(day), "{day}");
            assert_eq!(day_index(day), index);
        }
    }

    #[test]
    fn weekends_only() {
        let cal = WeekendsOnly;
        // Friday + 1 = Monday; Saturday + 1 = Monday; Sunday - 1 = Friday.
        assert_eq!(
            cal.add_working_days(date(2026, 10, 2), 1),
            Ok(date(2026, 10, 5))
        );
        assert_eq!(
            cal.add_working_days(date(2026, 10, 3), 1),
            Ok(date(2026, 10, 5))
        );
        assert_eq!(
            cal.subtract_working_days(date(2026, 10, 4), 1),
            Ok(date(2026, 10, 2))
        );
        assert_eq!(
            cal.add_working_days(date(2026, 10, 3), 0),
            Ok(date(2026, 10, 3))
        );
        assert_eq!(
            cal.add_working_days(date(2026, 10, 5), 10),
            Ok(date(2026, 10, 19))
        );
        assert_eq!(
            cal.working_days_between(date(2026, 10, 3), date(2026, 10, 4)),
            0
        );
        assert_eq!(
            cal.working_days_between(date(2026, 10, 2), date(2026, 10, 5)),
            1
        );
        assert_eq!(
            cal.working_days_between(date(2026, 10, 5), date(2026, 10, 2)),
            -1
        );
    }

    #[test]
    fn the_ends_of_time_are_errors_not_panics() {
        let cal = WeekendsOnly;
        let last = date(9999, 12, 31);
        assert!(cal.add_working_days(last, 1).is_err());
        assert!(cal.add_working_days(date(2026, 1, 1), u32::MAX).is_err());
        assert!(cal.subtract_working_days(date(-9999, 1, 1), 1).is_err());
        assert!(cal
            .subtract_working_days(date(2026, 1, 1), u32::MAX)
            .is_err());
        assert_eq!(cal.working_days_between(last, last), 0);
        let err = cal.add_working_days(last, 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "3 working days from 9999-12-31 is outside the supported dates (-9999-01-01 to 9999-12-31)"
        );
    }

    /// Day-by-day reference.
    fn walk(cal: &impl WorkingDayCalendar, mut day: Date, n: i64) -> Date {
        for _ in 0..n.abs() {
            loop {
                day = if n > 0 {
                    day.tomorrow()
                } else {
                    day.yesterday()
                }
                .unwrap();
                if cal.is_working_day(day) {
                    break;
                }
            }
        }
        day
    }

    #[test]
    fn near_the_ends_of_time() {
        let cal = WeekendsOnly;
        for start in [
            date(-9999, 1, 1),
            date(-9950, 6, 1),
            date(9950, 6, 1),
            date(9999, 11, 1),
        ] {
            for n in [0u32, 1, 2, 7, 40] {
                let forward = date_at(day_index(start) + 10).unwrap();
                if start.year() < 0 {
                    assert_eq!(
                        cal.add_working_days(start, n),
                        Ok(walk(&cal, start, n.into()))
                    );
                    assert_eq!(
                        cal.subtract_working_days(forward, n.min(7)),
                        Ok(walk(&cal, forward, -i64::from(n.min(7))))
                    );
                } else {
                    assert_eq!(
                        cal.subtract_working_days(start, n),
                        Ok(walk(&cal, start, -i64::from(n)))
                    );
                    assert_eq!(
                        cal.add_working_days(start, n),
                        Ok(walk(&cal, start, n.into()))
                    );
                }
            }
        }
    }

    #[test]
    fn a_calendar_of_nothing_but_holidays_ends_in_an_error() {
        struct Closed;
        impl WorkingDayCalendar for Closed {
            fn is_holiday(&self, date: Date) -> bool {
                date.year() >= 9990
            }
        }
        assert!(Closed.add_working_days(date(9989, 12, 1), 100).is_err());
    }
}

//! Property tests of the working-day calendar and the school years, against
//! the real England-and-Wales bank holidays.

use std::sync::LazyLock;

use jiff::civil::{date, Date};
use jiff::Span;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use uplift_domain::calendar::{
    is_weekend, AcademicYear, BankHolidays, FinancialYear, HalfTerm, SchoolPeriod, TermDates,
    WorkingDayCalendar,
};

static CALENDAR: LazyLock<BankHolidays> = LazyLock::new(|| {
    BankHolidays::parse(include_str!("fixtures/bank-holidays.json")).expect("the fixture parses")
});

fn plus_days(day: Date, days: i64) -> Date {
    day.checked_add(Span::new().days(days)).expect("in range")
}

/// Dates from 2023 to 2029, around the years the file covers, so that the
/// bank holidays are exercised.
fn near_dates() -> impl Strategy<Value = Date> {
    (0i64..(7 * 366)).prop_map(|offset| plus_days(date(2023, 1, 1), offset))
}

/// Any date jiff can represent.
fn any_date() -> impl Strategy<Value = Date> {
    let span = Date::MAX.duration_since(Date::MIN).as_hours() / 24;
    (0..=span).prop_map(|offset| plus_days(Date::MIN, offset))
}

/// Dates anywhere, but most near the file's years.
fn dates() -> impl Strategy<Value = Date> {
    prop_oneof![4 => near_dates(), 1 => any_date()]
}

fn working_days() -> impl Strategy<Value = Date> {
    near_dates().prop_map(|day| CALENDAR.working_day_on_or_after(day).expect("in range"))
}

/// Day-by-day reference implementation.
fn naive_add(cal: &BankHolidays, mut day: Date, n: u32) -> Date {
    for _ in 0..n {
        day = day.tomorrow().expect("in range");
        while !cal.is_working_day(day) {
            day = day.tomorrow().expect("in range");
        }
    }
    day
}

fn naive_between(cal: &BankHolidays, from: Date, to: Date) -> i64 {
    let (low, high, sign) = if from <= to {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let mut count = 0;
    let mut day = low;
    while day < high {
        day = day.tomorrow().expect("in range");
        if cal.is_working_day(day) {
            count += 1;
        }
    }
    sign * count
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn adding_lands_on_a_working_day(day in dates(), n in 1u32..600) {
        let Ok(result) = CALENDAR.add_working_days(day, n) else {
            // Only at the very end of time.
            prop_assert!(day.year() > 9990);
            return Ok(());
        };
        prop_assert!(result > day);
        prop_assert!(CALENDAR.is_working_day(result));
        prop_assert!(!is_weekend(result));
        prop_assert!(CALENDAR.holiday_on(result).is_none());
    }

    #[test]
    fn adding_is_strictly_increasing_in_n(day in near_dates(), n in 0u32..600) {
        let a = CALENDAR.add_working_days(day, n).unwrap();
        let b = CALENDAR.add_working_days(day, n + 1).unwrap();
        prop_assert!(a < b, "{} + {} = {}, + {} = {}", day, n, a, n + 1, b);
    }

    #[test]
    fn counting_back_the_days_added(day in dates(), n in 0u32..600) {
        if let Ok(result) = CALENDAR.add_working_days(day, n) {
            prop_assert_eq!(CALENDAR.working_days_between(day, result), i64::from(n));
            prop_assert_eq!(CALENDAR.working_days_between(result, day), -i64::from(n));
        }
    }

    #[test]
    fn subtracting_inverts_adding_on_working_days(day in working_days(), n in 0u32..600) {
        let later = CALENDAR.add_working_days(day, n).unwrap();
        prop_assert_eq!(CALENDAR.subtract_working_days(later, n).unwrap(), day);
        let earlier = CALENDAR.subtract_working_days(day, n).unwrap();
        prop_assert_eq!(CALENDAR.add_working_days(earlier, n).unwrap(), day);
    }

    #[test]
    fn subtracting_lands_on_an_earlier_working_day(day in near_dates(), n in 1u32..600) {
        let result = CALENDAR.subtract_working_days(day, n).unwrap();
        prop_assert!(result < day);
        prop_assert!(CALENDAR.is_working_day(result));
    }

    #[test]
    fn adding_in_two_steps_is_adding_once(day in near_dates(), m in 0u32..300, n in 0u32..300) {
        let once = CALENDAR.add_working_days(day, m + n).unwrap();
        let twice = CALENDAR
            .add_working_days(CALENDAR.add_working_days(day, m).unwrap(), n)
            .unwrap();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn the_arithmetic_agrees_with_walking_day_by_day(day in near_dates(), n in 0u32..400, other in near_dates()) {
        prop_assert_eq!(CALENDAR.add_working_days(day, n).unwrap(), naive_add(&CALENDAR, day, n));
        prop_assert_eq!(CALENDAR.working_days_between(day, other), naive_between(&CALENDAR, day, other));
    }

    #[test]
    fn next_and_previous_are_neighbours(day in near_dates()) {
        let next = CALENDAR.next_working_day(day).unwrap();
        let previous = CALENDAR.previous_working_day(day).unwrap();
        prop_assert!(previous < day && day < next);
        prop_assert_eq!(CALENDAR.working_days_between(previous, next), if CALENDAR.is_working_day(day) { 2 } else { 1 });
    }

    #[test]
    fn every_date_is_in_exactly_one_academic_year(day in dates()) {
        let year = AcademicYear::containing(day);
        prop_assert!(year.contains(day));
        prop_assert!(year.first_day() <= day && day <= year.last_day());
        if let Some(previous) = year.previous() {
            prop_assert!(!previous.contains(day));
            prop_assert!(previous.last_day() < day);
        }
        if let Some(next) = year.next() {
            prop_assert!(!next.contains(day));
            prop_assert!(day < next.first_day());
        }
        if (1000..=9998).contains(&year.start_year()) {
            prop_assert_eq!(AcademicYear::parse(&year.to_string()), Ok(year));
        }
    }

    #[test]
    fn every_date_is_in_exactly_one_financial_year(day in dates()) {
        let year = FinancialYear::containing(day);
        prop_assert!(year.contains(day));
        prop_assert!(year.first_day() <= day && day <= year.last_day());
        if let Some(previous) = year.previous() {
            prop_assert!(!previous.contains(day) && previous.last_day() < day);
        }
        if let Some(next) = year.next() {
            prop_assert!(!next.contains(day) && day < next.first_day());
        }
    }

    #[test]
    fn generated_half_terms_are_ordered_and_inside_the_year(start_year in 1900i16..2200) {
        let year = AcademicYear::new(start_year).unwrap();
        let dates = TermDates::england_default(year).unwrap();
        let halves = dates.half_terms();
        for (half_term, range) in halves {
            prop_assert!(range.start() <= range.end(), "{}", half_term);
            prop_assert!(year.contains(range.start()) && year.contains(range.end()), "{}", half_term);
            prop_assert!(!is_weekend(range.start()) && !is_weekend(range.end()), "{} {}", half_term, range);
            // At least three weeks of teaching in every half term.
            prop_assert!(range.end().duration_since(range.start()).as_hours() >= 24 * 18, "{} {}", half_term, range);
        }
        for pair in halves.windows(2) {
            prop_assert!(pair[0].1.end() < pair[1].1.start(), "{} overlaps {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn every_day_of_a_generated_year_is_in_one_place(start_year in 1900i16..2200, offset in 0i64..366) {
        let year = AcademicYear::new(start_year).unwrap();
        let dates = TermDates::england_default(year).unwrap();
        let day = plus_days(year.first_day(), offset);
        let located = dates.locate(day);
        if !year.contains(day) {
            prop_assert_eq!(located, None);
            return Ok(());
        }
        let in_halves: Vec<HalfTerm> = dates
            .half_terms()
            .into_iter()
            .filter(|(_, range)| range.contains(day))
            .map(|(half_term, _)| half_term)
            .collect();
        let in_holidays = dates.holidays().into_iter().filter(|(_, range)| range.contains(day)).count();
        prop_assert_eq!(in_halves.len() + in_holidays, 1);
        match located {
            Some(SchoolPeriod::Term(half_term)) => prop_assert_eq!(in_halves, vec![half_term]),
            Some(SchoolPeriod::Holiday(holiday)) => {
                prop_assert!(dates.holidays().into_iter().any(|(h, range)| h == holiday && range.contains(day)));
            }
            None => prop_assert!(false, "{} is in {} but not located", day, year),
        }
    }
}

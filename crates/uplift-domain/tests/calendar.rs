//! The calendar against the real England-and-Wales bank holidays
//! (`tests/fixtures/bank-holidays.json`, a byte-exact copy of GOV.UK's file).

use jiff::civil::{date, Date, Weekday};
use uplift_domain::calendar::{
    easter_sunday, AcademicYear, BankHolidays, FinancialYear, WorkingDayCalendar,
    BUNDLED_BANK_HOLIDAYS,
};

const FIXTURE: &str = include_str!("fixtures/bank-holidays.json");

fn holidays() -> BankHolidays {
    BankHolidays::parse(FIXTURE).expect("the fixture parses")
}

#[test]
fn the_bundled_file_is_the_real_file() {
    assert_eq!(BUNDLED_BANK_HOLIDAYS, FIXTURE);
    assert_eq!(BankHolidays::bundled().unwrap(), holidays());
}

#[test]
fn the_2026_and_2027_bank_holidays() {
    let cal = holidays();
    let listed: Vec<(Date, &str)> = cal
        .holidays_in(date(2026, 1, 1), date(2027, 12, 31))
        .map(|h| (h.date, h.title.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (date(2026, 1, 1), "New Year\u{2019}s Day"),
            (date(2026, 4, 3), "Good Friday"),
            (date(2026, 4, 6), "Easter Monday"),
            (date(2026, 5, 4), "Early May bank holiday"),
            (date(2026, 5, 25), "Spring bank holiday"),
            (date(2026, 8, 31), "Summer bank holiday"),
            (date(2026, 12, 25), "Christmas Day"),
            (date(2026, 12, 28), "Boxing Day"),
            (date(2027, 1, 1), "New Year\u{2019}s Day"),
            (date(2027, 3, 26), "Good Friday"),
            (date(2027, 3, 29), "Easter Monday"),
            (date(2027, 5, 3), "Early May bank holiday"),
            (date(2027, 5, 31), "Spring bank holiday"),
            (date(2027, 8, 30), "Summer bank holiday"),
            (date(2027, 12, 27), "Christmas Day"),
            (date(2027, 12, 28), "Boxing Day"),
        ]
    );
    assert_eq!(
        cal.holiday_on(date(2026, 12, 28)).unwrap().notes,
        "Substitute day"
    );
    assert_eq!(cal.covered_years(), Some(2024..=2027));
}

#[test]
fn working_days_or_not() {
    let cal = holidays();
    for (day, working) in [
        (date(2026, 12, 24), true),
        (date(2026, 12, 25), false), // Christmas Day, a Friday
        (date(2026, 12, 26), false), // Saturday
        (date(2026, 12, 27), false), // Sunday
        (date(2026, 12, 28), false), // Boxing Day substitute
        (date(2026, 12, 29), true),
        (date(2026, 8, 31), false), // Summer bank holiday
        (date(2027, 8, 30), false),
        (date(2027, 12, 27), false), // Christmas Day substitute
        (date(2027, 12, 25), false), // Christmas Day itself, a Saturday
        (date(2027, 12, 29), true),
        (date(2028, 12, 25), true), // beyond the file: weekends only
    ] {
        assert_eq!(cal.is_working_day(day), working, "{day}");
    }
}

#[test]
fn adding_working_days() {
    let cal = holidays();
    for (from, n, expected, why) in [
        (
            date(2026, 12, 24),
            1,
            date(2026, 12, 29),
            "Christmas Day, the weekend and the Boxing Day substitute",
        ),
        (
            date(2026, 12, 24),
            0,
            date(2026, 12, 24),
            "zero is the identity",
        ),
        (
            date(2026, 12, 26),
            0,
            date(2026, 12, 26),
            "zero is the identity, even on a weekend",
        ),
        (date(2026, 12, 23), 1, date(2026, 12, 24), "an ordinary day"),
        (
            date(2026, 12, 25),
            1,
            date(2026, 12, 29),
            "counting from a bank holiday",
        ),
        (
            date(2026, 12, 31),
            1,
            date(2027, 1, 4),
            "New Year's Day and the weekend",
        ),
        (
            date(2026, 4, 2),
            1,
            date(2026, 4, 7),
            "Good Friday, the weekend and Easter Monday",
        ),
        (date(2027, 3, 25), 1, date(2027, 3, 30), "Easter 2027"),
        (
            date(2026, 5, 1),
            1,
            date(2026, 5, 5),
            "early May bank holiday",
        ),
        (
            date(2026, 5, 22),
            5,
            date(2026, 6, 1),
            "spring bank holiday",
        ),
        (
            date(2026, 8, 28),
            1,
            date(2026, 9, 1),
            "summer bank holiday",
        ),
        (
            date(2026, 12, 18),
            10,
            date(2027, 1, 6),
            "the whole Christmas break",
        ),
        (
            date(2026, 12, 14),
            15,
            date(2027, 1, 7),
            "a warning notice with 15 working days",
        ),
        (
            date(2027, 12, 24),
            1,
            date(2027, 12, 29),
            "both 2027 Christmas substitutes",
        ),
        (
            date(2026, 10, 2),
            5,
            date(2026, 10, 9),
            "a week with no holidays",
        ),
        (
            date(2026, 1, 1),
            253,
            date(2026, 12, 31),
            "the 253 working days of 2026",
        ),
        (
            date(2026, 1, 1),
            254,
            date(2027, 1, 4),
            "then New Year's Day 2027 and the weekend",
        ),
    ] {
        assert_eq!(
            cal.add_working_days(from, n),
            Ok(expected),
            "{from} + {n}: {why}"
        );
    }
}

#[test]
fn subtracting_working_days() {
    let cal = holidays();
    for (from, n, expected) in [
        (date(2026, 12, 29), 1, date(2026, 12, 24)),
        (date(2027, 1, 4), 1, date(2026, 12, 31)),
        (date(2026, 4, 7), 1, date(2026, 4, 2)),
        (date(2026, 12, 28), 0, date(2026, 12, 28)),
        (date(2026, 12, 28), 1, date(2026, 12, 24)),
        // A School Performance Board on 6 January 2027: the chair introduces
        // themselves at least five working days before, by 29 December.
        (date(2027, 1, 6), 5, date(2026, 12, 29)),
    ] {
        assert_eq!(
            cal.subtract_working_days(from, n),
            Ok(expected),
            "{from} - {n}"
        );
    }
}

#[test]
fn next_previous_and_rolling() {
    let cal = holidays();
    assert_eq!(
        cal.next_working_day(date(2026, 12, 24)),
        Ok(date(2026, 12, 29))
    );
    assert_eq!(
        cal.next_working_day(date(2026, 12, 23)),
        Ok(date(2026, 12, 24))
    );
    assert_eq!(
        cal.previous_working_day(date(2027, 1, 4)),
        Ok(date(2026, 12, 31))
    );
    assert_eq!(
        cal.working_day_on_or_after(date(2026, 12, 26)),
        Ok(date(2026, 12, 29))
    );
    assert_eq!(
        cal.working_day_on_or_after(date(2026, 12, 24)),
        Ok(date(2026, 12, 24))
    );
    assert_eq!(
        cal.working_day_on_or_before(date(2026, 12, 28)),
        Ok(date(2026, 12, 24))
    );
    assert_eq!(
        cal.working_day_on_or_before(date(2026, 12, 29)),
        Ok(date(2026, 12, 29))
    );
}

#[test]
fn counting_working_days_between() {
    let cal = holidays();
    assert_eq!(
        cal.working_days_between(date(2026, 12, 24), date(2026, 12, 29)),
        1
    );
    assert_eq!(
        cal.working_days_between(date(2026, 12, 29), date(2026, 12, 24)),
        -1
    );
    assert_eq!(
        cal.working_days_between(date(2026, 12, 24), date(2026, 12, 24)),
        0
    );
    assert_eq!(
        cal.working_days_between(date(2026, 12, 24), date(2026, 12, 28)),
        0
    );
    // December 2026 after the 1st: 22 weekdays less Christmas Day and the
    // Boxing Day substitute.
    assert_eq!(
        cal.working_days_between(date(2026, 12, 1), date(2026, 12, 31)),
        20
    );
    // The whole of 2026: 261 weekdays less 8 bank holidays.
    assert_eq!(
        cal.working_days_between(date(2025, 12, 31), date(2026, 12, 31)),
        253
    );
}

#[test]
fn coverage_of_the_file() {
    let cal = holidays();
    assert!(cal.covers(date(2024, 1, 1)));
    assert!(cal.covers(date(2027, 12, 31)));
    assert!(!cal.covers(date(2023, 12, 31)));
    assert!(!cal.covers(date(2028, 1, 3)));
}

#[test]
fn easter_agrees_with_the_bank_holidays() {
    let cal = holidays();
    for year in 2024..=2027 {
        let easter = easter_sunday(year).unwrap();
        let good_friday = easter.checked_sub(jiff::Span::new().days(2)).unwrap();
        let easter_monday = easter.tomorrow().unwrap();
        assert_eq!(
            cal.holiday_on(good_friday).unwrap().title,
            "Good Friday",
            "{year}"
        );
        assert_eq!(
            cal.holiday_on(easter_monday).unwrap().title,
            "Easter Monday",
            "{year}"
        );
        assert_eq!(good_friday.weekday(), Weekday::Friday);
    }
}

#[test]
fn the_years_of_a_date() {
    let day = date(2027, 3, 26);
    assert_eq!(AcademicYear::containing(day).to_string(), "2026/27");
    assert_eq!(FinancialYear::containing(day).to_string(), "2026-27");
    let day = date(2027, 4, 1);
    assert_eq!(AcademicYear::containing(day).to_string(), "2026/27");
    assert_eq!(FinancialYear::containing(day).to_string(), "2027-28");
}

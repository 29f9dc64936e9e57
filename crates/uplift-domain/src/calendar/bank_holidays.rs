//! England-and-Wales bank holidays, parsed from the GOV.UK bank-holidays JSON
//! (<https://www.gov.uk/bank-holidays.json>).
//!
//! The file has one object per division (`england-and-wales`, `scotland`,
//! `northern-ireland`), each with a list of events:
//!
//! ```json
//! { "england-and-wales": { "division": "england-and-wales",
//!     "events": [ { "title": "Boxing Day", "date": "2026-12-28",
//!                   "notes": "Substitute day", "bunting": true } ] } }
//! ```
//!
//! Only the England-and-Wales division is read; the others may be absent or in
//! any shape.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::working_days::{is_weekend, WorkingDayCalendar};

/// The key of the division Uplift uses in the GOV.UK file.
pub const ENGLAND_AND_WALES: &str = "england-and-wales";

/// One bank holiday, as GOV.UK lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankHoliday {
    /// The day the holiday is taken (a substitute day when the holiday falls
    /// at a weekend).
    pub date: Date,
    /// For example "Boxing Day".
    pub title: String,
    /// For example "Substitute day"; often empty.
    pub notes: String,
    /// Whether GOV.UK shows bunting for it.
    pub bunting: bool,
}

/// Why a bank-holidays file was refused.
#[derive(Debug, thiserror::Error)]
pub enum BankHolidaysError {
    /// The input is not JSON at all (or not UTF-8).
    #[error("the bank-holidays file is not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The input is JSON but its top level is not an object of divisions.
    #[error("the bank-holidays file should be a JSON object keyed by division (\"england-and-wales\", ...), but its top level is {found}")]
    NotAnObject {
        /// What was found instead, e.g. "an array".
        found: &'static str,
    },
    /// There is no `england-and-wales` division.
    #[error("the bank-holidays file has no \"{division}\" division (found: {})", if found.is_empty() { "none".to_string() } else { found.join(", ") })]
    MissingDivision {
        /// The division looked for.
        division: &'static str,
        /// The divisions that were present.
        found: Vec<String>,
    },
    /// The division is there but not in the GOV.UK shape.
    #[error("the \"{division}\" division is not in the GOV.UK format (an object with an \"events\" list of {{title, date, notes, bunting}}): {source}")]
    BadDivision {
        /// The division read.
        division: &'static str,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
    /// The division lists no events: loading it would silently turn every
    /// weekday into a working day.
    #[error("the \"{division}\" division lists no bank holidays")]
    NoEvents {
        /// The division read.
        division: &'static str,
    },
    /// An event's date is not an ISO date (`YYYY-MM-DD`).
    #[error("event {index} (\"{title}\") of \"{division}\" has date {value:?}, which is not a valid YYYY-MM-DD date: {reason}")]
    BadDate {
        /// The division read.
        division: &'static str,
        /// Zero-based position of the event in the division's `events` list.
        index: usize,
        /// The event's title.
        title: String,
        /// The date as written in the file.
        value: String,
        /// Why it could not be read.
        reason: String,
    },
}

#[derive(Deserialize)]
struct RawDivision {
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    title: String,
    date: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    bunting: bool,
}

/// The England-and-Wales bank holidays: a [`WorkingDayCalendar`] whose
/// holidays are these dates and whose weekends are Saturday and Sunday.
///
/// Build it with [`BankHolidays::parse`] (the GOV.UK JSON), with
/// [`BankHolidays::bundled`] (the copy compiled into the binary), or with
/// [`BankHolidays::from_holidays`].
///
/// The file covers a few years only (GOV.UK publishes about two years ahead).
/// Outside [`BankHolidays::covered_years`] the calendar knows only weekends;
/// check [`WorkingDayCalendar::covers`] and warn when a date falls outside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankHolidays {
    by_date: BTreeMap<Date, BankHoliday>,
}

impl BankHolidays {
    /// Parses the GOV.UK bank-holidays JSON and keeps its England-and-Wales
    /// division.
    ///
    /// Refused, with an error saying why: input that is not JSON; a top level
    /// that is not an object; no `england-and-wales` division; a division not
    /// in the GOV.UK shape; a division with no events; an event whose date is
    /// not `YYYY-MM-DD` (the error names the event's index, title and value).
    /// Two events on the same date keep the first.
    pub fn parse(json: &str) -> Result<Self, BankHolidaysError> {
        Self::parse_bytes(json.as_bytes())
    }

    /// As [`BankHolidays::parse`], from bytes (for example a file just read).
    pub fn parse_bytes(json: &[u8]) -> Result<Self, BankHolidaysError> {
        let division = ENGLAND_AND_WALES;
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(BankHolidaysError::NotJson)?;
        let serde_json::Value::Object(mut divisions) = value else {
            return Err(BankHolidaysError::NotAnObject {
                found: json_kind(&value),
            });
        };
        let Some(raw) = divisions.remove(division) else {
            return Err(BankHolidaysError::MissingDivision {
                division,
                found: divisions.keys().cloned().collect(),
            });
        };
        let raw: RawDivision = serde_json::from_value(raw)
            .map_err(|source| BankHolidaysError::BadDivision { division, source })?;
        if raw.events.is_empty() {
            return Err(BankHolidaysError::NoEvents { division });
        }
        let mut by_date = BTreeMap::new();
        for (index, event) in raw.events.into_iter().enumerate() {
            let date =
                parse_iso_date(&event.date).map_err(|reason| BankHolidaysError::BadDate {
                    division,
                    index,
                    title: event.title.clone(),
                    value: event.date.clone(),
                    reason,
                })?;
            by_date.entry(date).or_insert(BankHoliday {
                date,
                title: event.title,
                notes: event.notes,
                bunting: event.bunting,
            });
        }
        Ok(Self { by_date })
    }

    /// The England-and-Wales bank holidays compiled into the binary
    /// ([`super::BUNDLED_BANK_HOLIDAYS`]).
    pub fn bundled() -> Result<Self, BankHolidaysError> {
        Self::parse(super::BUNDLED_BANK_HOLIDAYS)
    }

    /// A calendar with exactly these holidays (later duplicates of a date are
    /// ignored). Useful for tests and for organisations' own closure days.
    pub fn from_holidays(holidays: impl IntoIterator<Item = BankHoliday>) -> Self {
        let mut by_date = BTreeMap::new();
        for holiday in holidays {
            by_date.entry(holiday.date).or_insert(holiday);
        }
        Self { by_date }
    }

    /// Every holiday, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = &BankHoliday> + '_ {
        self.by_date.values()
    }

    /// How many holidays there are.
    pub fn len(&self) -> usize {
        self.by_date.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_date.is_empty()
    }

    /// The holiday on `date`, if any (to say which one in a warning).
    pub fn holiday_on(&self, date: Date) -> Option<&BankHoliday> {
        self.by_date.get(&date)
    }

    /// The holidays from `from` to `to`, both inclusive, in date order.
    pub fn holidays_in(&self, from: Date, to: Date) -> impl Iterator<Item = &BankHoliday> + '_ {
        let range = if from <= to {
            Some(self.by_date.range(from..=to))
        } else {
            None
        };
        range.into_iter().flatten().map(|(_, holiday)| holiday)
    }

    /// The first and last calendar years that have any event in the file,
    /// e.g. `2024..=2027`; `None` when there are no holidays.
    ///
    /// A date whose year is outside this range gets weekends only, so callers
    /// should warn (see [`WorkingDayCalendar::covers`]).
    pub fn covered_years(&self) -> Option<RangeInclusive<i16>> {
        let first = self.by_date.keys().next()?;
        let last = self.by_date.keys().next_back()?;
        Some(first.year()..=last.year())
    }
}

impl WorkingDayCalendar for BankHolidays {
    fn is_holiday(&self, date: Date) -> bool {
        self.by_date.contains_key(&date)
    }

    fn weekday_holidays_in(&self, from: Date, to: Date) -> i64 {
        if to < from {
            return 0;
        }
        let count = self
            .by_date
            .range(from..=to)
            .filter(|(date, _)| !is_weekend(**date))
            .count();
        i64::try_from(count).unwrap_or(i64::MAX)
    }

    /// True when `date`'s calendar year is within
    /// [`BankHolidays::covered_years`].
    fn covers(&self, date: Date) -> bool {
        self.covered_years()
            .is_some_and(|years| years.contains(&date.year()))
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reads exactly `YYYY-MM-DD` (what GOV.UK writes), refusing the looser forms
/// jiff would also accept.
pub(crate) fn parse_iso_date(value: &str) -> Result<Date, String> {
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err("expected the form YYYY-MM-DD".to_string());
    }
    let number = |range: std::ops::Range<usize>| -> Result<i16, String> {
        value
            .get(range)
            .and_then(|digits| digits.parse::<i16>().ok())
            .ok_or_else(|| "expected the form YYYY-MM-DD".to_string())
    };
    let year = number(0..4)?;
    let month = i8::try_from(number(5..7)?).map_err(|e| e.to_string())?;
    let day = i8::try_from(number(8..10)?).map_err(|e| e.to_string())?;
    Date::new(year, month, day).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const SMALL: &str = r#"{
        "england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "Christmas Day", "date": "2026-12-25", "notes": "", "bunting": true},
            {"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day", "bunting": true}
        ]},
        "scotland": {"division": "scotland", "events": []}
    }"#;

    #[test]
    fn parses_the_england_and_wales_division() {
        let holidays = BankHolidays::parse(SMALL).unwrap();
        assert_eq!(holidays.len(), 2);
        let boxing = holidays.holiday_on(date(2026, 12, 28)).unwrap();
        assert_eq!(boxing.title, "Boxing Day");
        assert_eq!(boxing.notes, "Substitute day");
        assert!(boxing.bunting);
        assert_eq!(holidays.covered_years(), Some(2026..=2026));
        assert!(holidays.covers(date(2026, 1, 1)));
        assert!(!holidays.covers(date(2027, 1, 1)));
    }

    #[test]
    fn the_bundled_file_parses() {
        let holidays = BankHolidays::bundled().unwrap();
        assert_eq!(holidays.len(), 32);
        assert_eq!(holidays.covered_years(), Some(2024..=2027));
    }

    #[test]
    fn refuses_what_is_not_json() {
        let err = BankHolidays::parse("date,title\n2026-12-25,Christmas").unwrap_err();
        assert!(matches!(err, BankHolidaysError::NotJson(_)), "{err}");
        assert!(err.to_string().contains("not valid JSON"), "{err}");
        let err = BankHolidays::parse_bytes(b"\xff\xfe{}").unwrap_err();
        assert!(matches!(err, BankHolidaysError::NotJson(_)), "{err}");
    }

    #[test]
    fn refuses_a_top_level_that_is_not_an_object() {
        let err = BankHolidays::parse("[1, 2]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the bank-holidays file should be a JSON object keyed by division (\"england-and-wales\", ...), but its top level is an array"
        );
    }

    #[test]
    fn refuses_a_file_without_england_and_wales() {
        let err = BankHolidays::parse(r#"{"scotland": {"events": []}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the bank-holidays file has no \"england-and-wales\" division (found: scotland)"
        );
        let err = BankHolidays::parse("{}").unwrap_err();
        assert!(err.to_string().ends_with("(found: none)"), "{err}");
    }

    #[test]
    fn refuses_a_division_in_the_wrong_shape() {
        let err =
            BankHolidays::parse(r#"{"england-and-wales": {"events": {"a": 1}}}"#).unwrap_err();
        assert!(
            matches!(err, BankHolidaysError::BadDivision { .. }),
            "{err}"
        );
        let err = BankHolidays::parse(
            r#"{"england-and-wales": {"events": [{"title": "Christmas Day"}]}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("missing field `date`"), "{err}");
    }

    #[test]
    fn refuses_a_division_with_no_events() {
        let err = BankHolidays::parse(r#"{"england-and-wales": {"events": []}}"#).unwrap_err();
        assert!(matches!(err, BankHolidaysError::NoEvents { .. }), "{err}");
    }

    #[test]
    fn a_malformed_date_names_the_event_and_the_value() {
        let json = r#"{"england-and-wales": {"events": [
            {"title": "New Year's Day", "date": "2026-01-01"},
            {"title": "Good Friday", "date": "03/04/2026"}
        ]}}"#;
        let err = BankHolidays::parse(json).unwrap_err();
        match &err {
            BankHolidaysError::BadDate {
                index,
                value,
                title,
                ..
            } => {
                assert_eq!(*index, 1);
                assert_eq!(value, "03/04/2026");
                assert_eq!(title, "Good Friday");
            }
            other => panic!("expected BadDate, got {other:?}"),
        }
        assert!(
            err.to_string().starts_with(
                "event 1 (\"Good Friday\") of \"england-and-wales\" has date \"03/04/2026\""
            ),
            "{err}"
        );
        let impossible =
            r#"{"england-and-wales": {"events": [{"title": "X", "date": "2026-02-30"}]}}"#;
        let err = BankHolidays::parse(impossible).unwrap_err();
        assert!(
            matches!(err, BankHolidaysError::BadDate { index: 0, .. }),
            "{err}"
        );
    }

    #[test]
    fn iso_dates_only() {
        assert_eq!(parse_iso_date("2026-12-25"), Ok(date(2026, 12, 25)));
        for bad in [
            "2026-1-05",
            "20261225",
            "2026-12-25T00:00",
            "+2026-12-25",
            " 2026-12-25",
            "2026-13-01",
            "2026-00-10",
            "2026-12-32",
        ] {
            assert!(parse_iso_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn holidays_in_a_range() {
        let holidays = BankHolidays::parse(SMALL).unwrap();
        let titles: Vec<_> = holidays
            .holidays_in(date(2026, 12, 1), date(2026, 12, 27))
            .map(|h| h.title.as_str())
            .collect();
        assert_eq!(titles, ["Christmas Day"]);
        assert_eq!(
            holidays
                .holidays_in(date(2026, 12, 31), date(2026, 12, 1))
                .count(),
            0
        );
    }
}

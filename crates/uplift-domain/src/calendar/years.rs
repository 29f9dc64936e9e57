//! Academic years (1 September to 31 August, "2026/27") and financial years
//! (1 April to 31 March, "2026-27").

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Why a year was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YearError {
    /// The text is not in the expected form.
    #[error("{input:?} is not {kind}: expected the form {example}")]
    Format {
        /// The text given.
        input: String,
        /// "an academic year" or "a financial year".
        kind: &'static str,
        /// For example "2026/27".
        example: &'static str,
    },
    /// The second year does not follow the first, as in "2026/28".
    #[error("{input:?} is not {kind}: the second year should be {expected:02}, the year after {start_year}")]
    NotConsecutive {
        /// The text given.
        input: String,
        /// "an academic year" or "a financial year".
        kind: &'static str,
        /// The first year.
        start_year: i16,
        /// The two digits that should follow.
        expected: i16,
    },
    /// The start year is outside what can be represented.
    #[error("{kind} starting in {start_year} is outside the supported years")]
    OutOfRange {
        /// "an academic year" or "a financial year".
        kind: &'static str,
        /// The start year asked for.
        start_year: i32,
    },
}

/// The smallest start year: the year containing the first representable
/// dates (January to August of -9999) starts in -10000.
const MIN_START_YEAR: i16 = -10_000;
/// The largest start year: 9999/00 contains 31 December 9999.
const MAX_START_YEAR: i16 = 9_999;

/// `Date::new` clamped into jiff's range. Only the first and last
/// representable years are ever clamped.
fn clamped_date(year: i16, month: i8, day: i8) -> Date {
    Date::new(year, month, day).unwrap_or(if year < 0 { Date::MIN } else { Date::MAX })
}

macro_rules! school_year_type {
    (
        $(#[$doc:meta])*
        $name:ident, kind = $kind:literal, separator = $sep:literal, example = $example:literal,
        first_month = $first_month:literal, last_month = $last_month:literal, last_day = $last_day:literal
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name {
            start_year: i16,
        }

        impl $name {
            /// The year that starts in `start_year` (calendar year of its first
            /// day). Refused outside the years dates can be represented in.
            pub fn new(start_year: i16) -> Result<Self, YearError> {
                if (MIN_START_YEAR..=MAX_START_YEAR).contains(&start_year) {
                    Ok(Self { start_year })
                } else {
                    Err(YearError::OutOfRange {
                        kind: $kind,
                        start_year: i32::from(start_year),
                    })
                }
            }

            /// The year `date` falls in. Every date is in exactly one.
            pub fn containing(date: Date) -> Self {
                let start_year = if date.month() >= $first_month {
                    date.year()
                } else {
                    // Cannot underflow: jiff's smallest year is -9999.
                    date.year() - 1
                };
                Self { start_year }
            }

            /// The calendar year of its first day.
            pub fn start_year(self) -> i16 {
                self.start_year
            }

            /// The calendar year of its last day.
            pub fn end_year(self) -> i32 {
                i32::from(self.start_year) + 1
            }

            /// Its first day. (Clamped to jiff's earliest date for the year
            /// starting in -10000.)
            pub fn first_day(self) -> Date {
                clamped_date(self.start_year, $first_month, 1)
            }

            /// Its last day. (Clamped to jiff's last date for the year starting
            /// in 9999.)
            pub fn last_day(self) -> Date {
                match self.start_year.checked_add(1) {
                    Some(year) => clamped_date(year, $last_month, $last_day),
                    None => Date::MAX,
                }
            }

            /// Whether `date` is in this year.
            pub fn contains(self, date: Date) -> bool {
                Self::containing(date) == self
            }

            /// The year after, if representable.
            pub fn next(self) -> Option<Self> {
                Self::new(self.start_year.checked_add(1)?).ok()
            }

            /// The year before, if representable.
            pub fn previous(self) -> Option<Self> {
                Self::new(self.start_year.checked_sub(1)?).ok()
            }

            /// Reads the usual name, e.g.
            #[doc = concat!("\"", $example, "\".")]
            pub fn parse(input: &str) -> Result<Self, YearError> {
                let start_year = parse_year_pair(input, $sep, $kind, $example)?;
                Self::new(start_year)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let end = (i32::from(self.start_year) + 1).rem_euclid(100);
                write!(f, "{}{}{:02}", self.start_year, $sep, end)
            }
        }

        impl FromStr for $name {
            type Err = YearError;
            fn from_str(input: &str) -> Result<Self, YearError> {
                Self::parse(input)
            }
        }

        impl TryFrom<String> for $name {
            type Error = YearError;
            fn try_from(input: String) -> Result<Self, YearError> {
                Self::parse(&input)
            }
        }

        impl From<$name> for String {
            fn from(year: $name) -> String {
                year.to_string()
            }
        }
    };
}

school_year_type! {
    /// An academic (school) year: 1 September to 31 August, named like
    /// "2026/27". Serialised as that name.
    AcademicYear, kind = "an academic year", separator = "/", example = "2026/27",
    first_month = 9, last_month = 8, last_day = 31
}

school_year_type! {
    /// A financial year: 1 April to 31 March, named like "2026-27".
    /// Serialised as that name.
    FinancialYear, kind = "a financial year", separator = "-", example = "2026-27",
    first_month = 4, last_month = 3, last_day = 31
}

/// Reads "YYYY<sep>YY" where YY is the two last digits of YYYY + 1.
fn parse_year_pair(
    input: &str,
    separator: &str,
    kind: &'static str,
    example: &'static str,
) -> Result<i16, YearError> {
    let format = || YearError::Format {
        input: input.to_string(),
        kind,
        example,
    };
    let (start, end) = input.trim().split_once(separator).ok_or_else(format)?;
    let all_digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(start, 4) || !all_digits(end, 2) {
        return Err(format());
    }
    let start_year: i16 = start.parse().map_err(|_| format())?;
    let end_digits: i16 = end.parse().map_err(|_| format())?;
    let expected = (start_year + 1) % 100;
    if end_digits != expected {
        return Err(YearError::NotConsecutive {
            input: input.to_string(),
            kind,
            start_year,
            expected,
        });
    }
    Ok(start_year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn academic_years() {
        let year = AcademicYear::containing(date(2026, 10, 1));
        assert_eq!(year.to_string(), "2026/27");
        assert_eq!(year.start_year(), 2026);
        assert_eq!(year.end_year(), 2027);
        assert_eq!(year.first_day(), date(2026, 9, 1));
        assert_eq!(year.last_day(), date(2027, 8, 31));
        assert!(year.contains(date(2026, 9, 1)));
        assert!(year.contains(date(2027, 8, 31)));
        assert!(!year.contains(date(2026, 8, 31)));
        assert!(!year.contains(date(2027, 9, 1)));
        assert_eq!(AcademicYear::containing(date(2027, 8, 31)), year);
        assert_eq!(
            AcademicYear::containing(date(2026, 8, 31)).to_string(),
            "2025/26"
        );
        assert_eq!(year.next().unwrap().to_string(), "2027/28");
        assert_eq!(year.previous().unwrap().to_string(), "2025/26");
        assert_eq!(AcademicYear::new(1999).unwrap().to_string(), "1999/00");
    }

    #[test]
    fn financial_years() {
        let year = FinancialYear::containing(date(2027, 3, 31));
        assert_eq!(year.to_string(), "2026-27");
        assert_eq!(year.first_day(), date(2026, 4, 1));
        assert_eq!(year.last_day(), date(2027, 3, 31));
        assert_eq!(
            FinancialYear::containing(date(2027, 4, 1)).to_string(),
            "2027-28"
        );
        assert!(!year.contains(date(2026, 3, 31)));
    }

    #[test]
    fn parsing_names() {
        assert_eq!(
            AcademicYear::parse("2026/27"),
            Ok(AcademicYear::new(2026).unwrap())
        );
        assert_eq!(
            "2099/00".parse::<AcademicYear>().unwrap().start_year(),
            2099
        );
        assert_eq!(FinancialYear::parse("2026-27").unwrap().start_year(), 2026);
        assert_eq!(
            AcademicYear::parse("2026-27").unwrap_err().to_string(),
            "\"2026-27\" is not an academic year: expected the form 2026/27"
        );
        assert_eq!(
            AcademicYear::parse("2026/28").unwrap_err().to_string(),
            "\"2026/28\" is not an academic year: the second year should be 27, the year after 2026"
        );
        for bad in [
            "",
            "2026",
            "26/27",
            "2026/2027",
            "2026/2",
            "abcd/ef",
            "2026/27/28",
        ] {
            assert!(AcademicYear::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serialised_as_names() {
        let year = AcademicYear::new(2026).unwrap();
        assert_eq!(serde_json::to_string(&year).unwrap(), "\"2026/27\"");
        let back: AcademicYear = serde_json::from_str("\"2026/27\"").unwrap();
        assert_eq!(back, year);
        assert!(serde_json::from_str::<FinancialYear>("\"2026/27\"").is_err());
    }

    #[test]
    fn the_ends_of_time() {
        let first = AcademicYear::containing(Date::MIN);
        assert_eq!(first.start_year(), -10_000);
        assert_eq!(first.first_day(), Date::MIN);
        assert!(first.previous().is_none());
        let last = AcademicYear::containing(Date::MAX);
        assert_eq!(last.last_day(), Date::MAX);
        assert!(last.next().is_none());
        assert!(AcademicYear::new(i16::MAX).is_err());
    }
}

//! Terms and half terms of an academic year.
//!
//! An organisation configures its [`TermDates`] (usually its local
//! authority's published dates). When it has not, [`TermDates::england_default`]
//! generates typical dates for England by a documented rule.
//!
//! Term dates here are pupil days as a local authority publishes them. INSET
//! days are set by each school and are not modelled. A bank holiday inside a
//! term (the early May bank holiday) is still term time; whether it is a
//! working day is the [`super::WorkingDayCalendar`]'s business.

use std::fmt;

use jiff::civil::{Date, Weekday};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use super::easter::easter_sunday;
use super::years::AcademicYear;

/// A span of days, both ends inclusive, with `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawDateRange")]
pub struct DateRange {
    start: Date,
    end: Date,
}

#[derive(Deserialize)]
struct RawDateRange {
    start: Date,
    end: Date,
}

impl TryFrom<RawDateRange> for DateRange {
    type Error = DateRangeError;
    fn try_from(raw: RawDateRange) -> Result<Self, Self::Error> {
        Self::new(raw.start, raw.end)
    }
}

/// A range that ends before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the dates run backwards: {end} is before {start}")]
pub struct DateRangeError {
    /// The first day given.
    pub start: Date,
    /// The last day given.
    pub end: Date,
}

impl DateRange {
    /// The days from `start` to `end`, both included. Refused when `end` is
    /// before `start`; a single day has `start == end`.
    pub fn new(start: Date, end: Date) -> Result<Self, DateRangeError> {
        if end < start {
            Err(DateRangeError { start, end })
        } else {
            Ok(Self { start, end })
        }
    }

    /// The first day.
    pub fn start(self) -> Date {
        self.start
    }

    /// The last day (included).
    pub fn end(self) -> Date {
        self.end
    }

    /// Whether `date` is from `start` to `end`, both included.
    pub fn contains(self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.start, self.end)
    }
}

/// The three terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermName {
    /// September to December.
    Autumn,
    /// January to Easter.
    Spring,
    /// Easter to July.
    Summer,
}

impl fmt::Display for TermName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Autumn => "Autumn term",
            Self::Spring => "Spring term",
            Self::Summer => "Summer term",
        })
    }
}

/// The six half terms, in order, named as schools name them ("Autumn 1").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HalfTerm {
    /// September to the October half-term holiday.
    Autumn1,
    /// After the October half term to Christmas.
    Autumn2,
    /// January to the February half-term holiday.
    Spring1,
    /// After the February half term to Easter.
    Spring2,
    /// After Easter to the May half-term holiday.
    Summer1,
    /// After the May half term to July.
    Summer2,
}

impl HalfTerm {
    /// All six, in order.
    pub const ALL: [HalfTerm; 6] = [
        Self::Autumn1,
        Self::Autumn2,
        Self::Spring1,
        Self::Spring2,
        Self::Summer1,
        Self::Summer2,
    ];

    /// The term it belongs to.
    pub fn term(self) -> TermName {
        match self {
            Self::Autumn1 | Self::Autumn2 => TermName::Autumn,
            Self::Spring1 | Self::Spring2 => TermName::Spring,
            Self::Summer1 | Self::Summer2 => TermName::Summer,
        }
    }

    /// Whether it is the first half of its term.
    pub fn is_first_half(self) -> bool {
        matches!(self, Self::Autumn1 | Self::Spring1 | Self::Summer1)
    }

    /// The holiday that follows it.
    pub fn holiday_after(self) -> SchoolHoliday {
        match self {
            Self::Autumn1 => SchoolHoliday::AutumnHalfTerm,
            Self::Autumn2 => SchoolHoliday::Christmas,
            Self::Spring1 => SchoolHoliday::SpringHalfTerm,
            Self::Spring2 => SchoolHoliday::Easter,
            Self::Summer1 => SchoolHoliday::SummerHalfTerm,
            Self::Summer2 => SchoolHoliday::Summer,
        }
    }
}

impl fmt::Display for HalfTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Autumn1 => "Autumn 1",
            Self::Autumn2 => "Autumn 2",
            Self::Spring1 => "Spring 1",
            Self::Spring2 => "Spring 2",
            Self::Summer1 => "Summer 1",
            Self::Summer2 => "Summer 2",
        })
    }
}

/// The school holidays: the gaps between half terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolHoliday {
    /// Between Autumn 1 and Autumn 2 (late October).
    AutumnHalfTerm,
    /// Between Autumn 2 and Spring 1.
    Christmas,
    /// Between Spring 1 and Spring 2 (mid-February).
    SpringHalfTerm,
    /// Between Spring 2 and Summer 1.
    Easter,
    /// Between Summer 1 and Summer 2 (late May).
    SummerHalfTerm,
    /// After Summer 2, and from 1 September until Autumn 1 begins.
    Summer,
}

impl fmt::Display for SchoolHoliday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AutumnHalfTerm => "autumn half term",
            Self::Christmas => "Christmas holiday",
            Self::SpringHalfTerm => "spring half term",
            Self::Easter => "Easter holiday",
            Self::SummerHalfTerm => "summer half term",
            Self::Summer => "summer holiday",
        })
    }
}

/// Where a date falls in its academic year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolPeriod {
    /// In a half term (term time, weekends included).
    Term(HalfTerm),
    /// In a holiday.
    Holiday(SchoolHoliday),
}

/// One term: two half terms with the half-term holiday between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    /// From the first day of term to the day before the half-term holiday.
    pub first_half: DateRange,
    /// From the day after the half-term holiday to the last day of term.
    pub second_half: DateRange,
}

impl Term {
    /// The first day of term.
    pub fn start(&self) -> Date {
        self.first_half.start()
    }

    /// The last day of term.
    pub fn end(&self) -> Date {
        self.second_half.end()
    }

    /// Whether `date` is in term time: in either half (not in the half-term
    /// holiday between them).
    pub fn contains(&self, date: Date) -> bool {
        self.first_half.contains(date) || self.second_half.contains(date)
    }
}

/// Why term dates were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TermDatesError {
    /// A half term lies (partly) outside the academic year.
    #[error("{half_term} ({range}) is not within the academic year {academic_year} ({} to {})", academic_year.first_day(), academic_year.last_day())]
    OutsideYear {
        /// The half term.
        half_term: HalfTerm,
        /// Its dates.
        range: DateRange,
        /// The year it should be in.
        academic_year: AcademicYear,
    },
    /// A half term starts on or before the last day of the one before it.
    #[error("{later} starts on {later_start}, which is not after the end of {earlier} ({earlier_end}): half terms must be in order and must not overlap")]
    Overlap {
        /// The earlier half term.
        earlier: HalfTerm,
        /// Its last day.
        earlier_end: Date,
        /// The later half term.
        later: HalfTerm,
        /// Its first day.
        later_start: Date,
    },
    /// Dates for the year cannot be represented (only at the ends of time).
    #[error(
        "term dates for the academic year {0} cannot be generated: the dates are out of range"
    )]
    OutOfRange(AcademicYear),
}

/// The term dates of one academic year: three terms, six half terms, in
/// order, not overlapping, all inside the year.
///
/// Organisations configure these ([`TermDates::new`], or deserialised from
/// `{"academic_year": "2026/27", "autumn": {"first_half": {"start": ..,
/// "end": ..}, "second_half": ..}, "spring": .., "summer": ..}`, which checks
/// the same rules); [`TermDates::england_default`] is used when they have not.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawTermDates")]
pub struct TermDates {
    academic_year: AcademicYear,
    autumn: Term,
    spring: Term,
    summer: Term,
}

#[derive(Deserialize)]
struct RawTermDates {
    academic_year: AcademicYear,
    autumn: Term,
    spring: Term,
    summer: Term,
}

impl TryFrom<RawTermDates> for TermDates {
    type Error = TermDatesError;
    fn try_from(raw: RawTermDates) -> Result<Self, Self::Error> {
        Self::new(raw.academic_year, raw.autumn, raw.spring, raw.summer)
    }
}

impl TermDates {
    /// Term dates an organisation has set. Refused unless the six half terms
    /// are in order (Autumn 1 to Summer 2), do not overlap, and lie inside
    /// `academic_year`. Half terms may be adjacent (no holiday between them).
    pub fn new(
        academic_year: AcademicYear,
        autumn: Term,
        spring: Term,
        summer: Term,
    ) -> Result<Self, TermDatesError> {
        let dates = Self {
            academic_year,
            autumn,
            spring,
            summer,
        };
        let halves = dates.half_terms();
        for (half_term, range) in halves {
            if !(academic_year.contains(range.start()) && academic_year.contains(range.end())) {
                return Err(TermDatesError::OutsideYear {
                    half_term,
                    range,
                    academic_year,
                });
            }
        }
        for pair in halves.windows(2) {
            let [(earlier, earlier_range), (later, later_range)] = pair else {
                continue;
            };
            if later_range.start() <= earlier_range.end() {
                return Err(TermDatesError::Overlap {
                    earlier: *earlier,
                    earlier_end: earlier_range.end(),
                    later: *later,
                    later_start: later_range.start(),
                });
            }
        }
        Ok(dates)
    }

    /// Typical term dates for England, for an organisation that has not set
    /// its own. The rule, close to most local authorities' published dates:
    ///
    /// | | starts | ends |
    /// |---|---|---|
    /// | Autumn 1 | first weekday on or after 3 September | Friday before the October half term |
    /// | Autumn 2 | Monday after the October half term | last Friday on or before 22 December |
    /// | Spring 1 | first weekday on or after 4 January | Friday before the February half term |
    /// | Spring 2 | Monday after the February half term | Friday 9 days before Easter Sunday |
    /// | Summer 1 | Monday 8 days after Easter Sunday | Friday before the late May bank holiday |
    /// | Summer 2 | Monday after the May half term | last weekday on or before 22 July |
    ///
    /// * October half term: the week beginning the last Monday of October.
    /// * February half term: the week beginning the first Monday on or after
    ///   12 February.
    /// * May half term: the week beginning the late May bank holiday (the
    ///   last Monday of May).
    /// * Easter holiday: a fixed pattern, the week before and the week after
    ///   Easter Sunday (anonymous Gregorian algorithm). Many authorities
    ///   shift it when Easter is very early or late; they should set their
    ///   own dates.
    ///
    /// Summer 1 can begin on the early May bank holiday (when Easter is on
    /// 25 April); it is still a bank holiday.
    ///
    /// For 2026/27: 3 Sep–23 Oct, 2 Nov–18 Dec, 4 Jan–12 Feb, 22 Feb–19 Mar,
    /// 5 Apr–28 May, 7 Jun–22 Jul.
    ///
    /// Fails only for years whose dates cannot be represented.
    pub fn england_default(academic_year: AcademicYear) -> Result<Self, TermDatesError> {
        let out_of_range = || TermDatesError::OutOfRange(academic_year);
        let generate = || -> Option<Self> {
            let first = academic_year.start_year();
            let second = first.checked_add(1)?;
            let day = |year: i16, month: i8, day: i8| Date::new(year, month, day).ok();

            let october_half_term = last_weekday_of_month(day(first, 10, 1)?, Weekday::Monday)?;
            let autumn1 = range(
                first_weekday_on_or_after(day(first, 9, 3)?)?,
                plus_days(october_half_term, -3)?,
            )?;
            let autumn2 = range(
                plus_days(october_half_term, 7)?,
                on_or_before(day(first, 12, 22)?, Weekday::Friday)?,
            )?;

            let february_half_term = on_or_after(day(second, 2, 12)?, Weekday::Monday)?;
            let spring1 = range(
                first_weekday_on_or_after(day(second, 1, 4)?)?,
                plus_days(february_half_term, -3)?,
            )?;
            let easter = easter_sunday(second)?;
            let spring2 = range(plus_days(february_half_term, 7)?, plus_days(easter, -9)?)?;

            let may_half_term = last_weekday_of_month(day(second, 5, 1)?, Weekday::Monday)?;
            let summer1 = range(plus_days(easter, 8)?, plus_days(may_half_term, -3)?)?;
            let summer2 = range(
                plus_days(may_half_term, 7)?,
                last_weekday_on_or_before(day(second, 7, 22)?)?,
            )?;

            Some(Self {
                academic_year,
                autumn: Term {
                    first_half: autumn1,
                    second_half: autumn2,
                },
                spring: Term {
                    first_half: spring1,
                    second_half: spring2,
                },
                summer: Term {
                    first_half: summer1,
                    second_half: summer2,
                },
            })
        };
        let dates = generate().ok_or_else(out_of_range)?;
        // The rule always satisfies the checks; run them anyway so a mistake
        // in the rule cannot produce dates `new` would refuse.
        Self::new(
            dates.academic_year,
            dates.autumn,
            dates.spring,
            dates.summer,
        )
    }

    /// The academic year these dates are for.
    pub fn academic_year(&self) -> AcademicYear {
        self.academic_year
    }

    /// The autumn term.
    pub fn autumn(&self) -> &Term {
        &self.autumn
    }

    /// The spring term.
    pub fn spring(&self) -> &Term {
        &self.spring
    }

    /// The summer term.
    pub fn summer(&self) -> &Term {
        &self.summer
    }

    /// The named term.
    pub fn term(&self, name: TermName) -> &Term {
        match name {
            TermName::Autumn => &self.autumn,
            TermName::Spring => &self.spring,
            TermName::Summer => &self.summer,
        }
    }

    /// The dates of one half term.
    pub fn half_term(&self, half_term: HalfTerm) -> DateRange {
        let term = self.term(half_term.term());
        if half_term.is_first_half() {
            term.first_half
        } else {
            term.second_half
        }
    }

    /// All six half terms with their dates, in order.
    pub fn half_terms(&self) -> [(HalfTerm, DateRange); 6] {
        HalfTerm::ALL.map(|half_term| (half_term, self.half_term(half_term)))
    }

    /// The holidays with their dates, in order: the summer days before
    /// Autumn 1 (if any), the gaps between half terms (if not adjacent) and
    /// the summer holiday after Summer 2 (if any), to 31 August.
    pub fn holidays(&self) -> Vec<(SchoolHoliday, DateRange)> {
        let mut holidays = Vec::with_capacity(7);
        let mut after = self.academic_year.first_day().yesterday().ok();
        let mut holiday = SchoolHoliday::Summer;
        for (half_term, dates) in self.half_terms() {
            let start = match after {
                Some(day) => day.tomorrow().ok(),
                None => Some(self.academic_year.first_day()),
            };
            let end = dates.start().yesterday().ok();
            if let Some(gap) = start.zip(end).and_then(|(s, e)| DateRange::new(s, e).ok()) {
                holidays.push((holiday, gap));
            }
            after = Some(dates.end());
            holiday = half_term.holiday_after();
        }
        let start = after.and_then(|day| day.tomorrow().ok());
        if let Some(gap) = start.and_then(|s| DateRange::new(s, self.academic_year.last_day()).ok())
        {
            holidays.push((SchoolHoliday::Summer, gap));
        }
        holidays
    }

    /// Where `date` falls: in which half term, or in which holiday. `None`
    /// when it is not in this academic year.
    pub fn locate(&self, date: Date) -> Option<SchoolPeriod> {
        if !self.academic_year.contains(date) {
            return None;
        }
        let mut holiday = SchoolHoliday::Summer;
        for (half_term, dates) in self.half_terms() {
            if date < dates.start() {
                return Some(SchoolPeriod::Holiday(holiday));
            }
            if date <= dates.end() {
                return Some(SchoolPeriod::Term(half_term));
            }
            holiday = half_term.holiday_after();
        }
        Some(SchoolPeriod::Holiday(SchoolHoliday::Summer))
    }

    /// The half term `date` is in; `None` in a holiday or outside the year.
    pub fn half_term_of(&self, date: Date) -> Option<HalfTerm> {
        match self.locate(date)? {
            SchoolPeriod::Term(half_term) => Some(half_term),
            SchoolPeriod::Holiday(_) => None,
        }
    }

    /// The term `date` is in; `None` in a holiday (including a half-term
    /// holiday) or outside the year.
    pub fn term_of(&self, date: Date) -> Option<TermName> {
        self.half_term_of(date).map(HalfTerm::term)
    }

    /// Whether `date` is in term time (weekends in a half term included).
    pub fn is_term_time(&self, date: Date) -> bool {
        self.half_term_of(date).is_some()
    }

    /// Whether `date` is in this academic year.
    pub fn contains(&self, date: Date) -> bool {
        self.academic_year.contains(date)
    }
}

fn range(start: Date, end: Date) -> Option<DateRange> {
    DateRange::new(start, end).ok()
}

fn plus_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(SignedDuration::from_hours(24 * days)).ok()
}

fn on_or_after(date: Date, weekday: Weekday) -> Option<Date> {
    if date.weekday() == weekday {
        Some(date)
    } else {
        date.nth_weekday(1, weekday).ok()
    }
}

fn on_or_before(date: Date, weekday: Weekday) -> Option<Date> {
    if date.weekday() == weekday {
        Some(date)
    } else {
        date.nth_weekday(-1, weekday).ok()
    }
}

fn last_weekday_of_month(any_day_of_month: Date, weekday: Weekday) -> Option<Date> {
    any_day_of_month.nth_weekday_of_month(-1, weekday).ok()
}

fn first_weekday_on_or_after(date: Date) -> Option<Date> {
    match date.weekday() {
        Weekday::Saturday => plus_days(date, 2),
        Weekday::Sunday => plus_days(date, 1),
        _ => Some(date),
    }
}

fn last_weekday_on_or_before(date: Date) -> Option<Date> {
    match date.weekday() {
        Weekday::Saturday => plus_days(date, -1),
        Weekday::Sunday => plus_days(date, -2),
        _ => Some(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn year(start: i16) -> AcademicYear {
        AcademicYear::new(start).unwrap()
    }

    fn r(start: Date, end: Date) -> DateRange {
        DateRange::new(start, end).unwrap()
    }

    #[test]
    fn the_default_for_2026_27() {
        let dates = TermDates::england_default(year(2026)).unwrap();
        let expected = [
            (HalfTerm::Autumn1, date(2026, 9, 3), date(2026, 10, 23)),
            (HalfTerm::Autumn2, date(2026, 11, 2), date(2026, 12, 18)),
            (HalfTerm::Spring1, date(2027, 1, 4), date(2027, 2, 12)),
            (HalfTerm::Spring2, date(2027, 2, 22), date(2027, 3, 19)),
            (HalfTerm::Summer1, date(2027, 4, 5), date(2027, 5, 28)),
            (HalfTerm::Summer2, date(2027, 6, 7), date(2027, 7, 22)),
        ];
        for ((half_term, start, end), (got_half, got)) in
            expected.into_iter().zip(dates.half_terms())
        {
            assert_eq!(got_half, half_term);
            assert_eq!((got.start(), got.end()), (start, end), "{half_term}");
        }
    }

    #[test]
    fn the_default_for_2025_26() {
        // Easter 2026 is 5 April: Easter holiday 30 March to 10 April.
        let dates = TermDates::england_default(year(2025)).unwrap();
        assert_eq!(
            dates.half_term(HalfTerm::Autumn1),
            r(date(2025, 9, 3), date(2025, 10, 24))
        );
        assert_eq!(
            dates.half_term(HalfTerm::Autumn2),
            r(date(2025, 11, 3), date(2025, 12, 19))
        );
        assert_eq!(
            dates.half_term(HalfTerm::Spring1),
            r(date(2026, 1, 5), date(2026, 2, 13))
        );
        assert_eq!(
            dates.half_term(HalfTerm::Spring2),
            r(date(2026, 2, 23), date(2026, 3, 27))
        );
        assert_eq!(
            dates.half_term(HalfTerm::Summer1),
            r(date(2026, 4, 13), date(2026, 5, 22))
        );
        assert_eq!(
            dates.half_term(HalfTerm::Summer2),
            r(date(2026, 6, 1), date(2026, 7, 22))
        );
    }

    #[test]
    fn locating_dates_in_2026_27() {
        let dates = TermDates::england_default(year(2026)).unwrap();
        use SchoolHoliday as H;
        use SchoolPeriod::{Holiday, Term};
        for (day, expected) in [
            (date(2026, 9, 1), Some(Holiday(H::Summer))),
            (date(2026, 9, 3), Some(Term(HalfTerm::Autumn1))),
            (date(2026, 10, 24), Some(Holiday(H::AutumnHalfTerm))),
            (date(2026, 10, 30), Some(Holiday(H::AutumnHalfTerm))),
            (date(2026, 11, 2), Some(Term(HalfTerm::Autumn2))),
            (date(2026, 12, 25), Some(Holiday(H::Christmas))),
            (date(2027, 1, 4), Some(Term(HalfTerm::Spring1))),
            (date(2027, 2, 17), Some(Holiday(H::SpringHalfTerm))),
            (date(2027, 3, 1), Some(Term(HalfTerm::Spring2))),
            (date(2027, 3, 28), Some(Holiday(H::Easter))),
            (date(2027, 5, 3), Some(Term(HalfTerm::Summer1))),
            (date(2027, 5, 31), Some(Holiday(H::SummerHalfTerm))),
            (date(2027, 7, 22), Some(Term(HalfTerm::Summer2))),
            (date(2027, 7, 23), Some(Holiday(H::Summer))),
            (date(2027, 8, 31), Some(Holiday(H::Summer))),
            (date(2027, 9, 1), None),
            (date(2026, 8, 31), None),
        ] {
            assert_eq!(dates.locate(day), expected, "{day}");
        }
        assert_eq!(dates.term_of(date(2026, 12, 1)), Some(TermName::Autumn));
        assert_eq!(dates.term_of(date(2026, 10, 28)), None);
        assert_eq!(
            dates.half_term_of(date(2027, 6, 30)),
            Some(HalfTerm::Summer2)
        );
        assert!(
            dates.is_term_time(date(2027, 1, 9)),
            "a Saturday in term is term time"
        );
        assert!(!dates.is_term_time(date(2027, 4, 1)));
        assert!(dates.contains(date(2027, 8, 31)));
        assert!(dates.autumn().contains(date(2026, 9, 30)));
        assert!(!dates.autumn().contains(date(2026, 10, 27)));
        assert_eq!(dates.spring().start(), date(2027, 1, 4));
        assert_eq!(dates.summer().end(), date(2027, 7, 22));
    }

    #[test]
    fn holidays_of_2026_27() {
        let dates = TermDates::england_default(year(2026)).unwrap();
        let holidays: Vec<_> = dates
            .holidays()
            .into_iter()
            .map(|(h, range)| (h, range.start(), range.end()))
            .collect();
        assert_eq!(
            holidays,
            [
                (SchoolHoliday::Summer, date(2026, 9, 1), date(2026, 9, 2)),
                (
                    SchoolHoliday::AutumnHalfTerm,
                    date(2026, 10, 24),
                    date(2026, 11, 1)
                ),
                (
                    SchoolHoliday::Christmas,
                    date(2026, 12, 19),
                    date(2027, 1, 3)
                ),
                (
                    SchoolHoliday::SpringHalfTerm,
                    date(2027, 2, 13),
                    date(2027, 2, 21)
                ),
                (SchoolHoliday::Easter, date(2027, 3, 20), date(2027, 4, 4)),
                (
                    SchoolHoliday::SummerHalfTerm,
                    date(2027, 5, 29),
                    date(2027, 6, 6)
                ),
                (SchoolHoliday::Summer, date(2027, 7, 23), date(2027, 8, 31)),
            ]
        );
    }

    fn configured(autumn1_end: Date) -> Result<TermDates, TermDatesError> {
        let default = TermDates::england_default(year(2026)).unwrap();
        let mut autumn = *default.autumn();
        autumn.first_half = r(autumn.first_half.start(), autumn1_end);
        TermDates::new(year(2026), autumn, *default.spring(), *default.summer())
    }

    #[test]
    fn configured_dates_are_checked() {
        assert!(configured(date(2026, 10, 30)).is_ok());
        // Adjacent half terms are allowed (no half-term holiday).
        assert!(configured(date(2026, 11, 1)).is_ok());
        let err = configured(date(2026, 11, 2)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Autumn 2 starts on 2026-11-02, which is not after the end of Autumn 1 (2026-11-02): half terms must be in order and must not overlap"
        );
        let default = TermDates::england_default(year(2026)).unwrap();
        let err = TermDates::new(
            year(2027),
            *default.autumn(),
            *default.spring(),
            *default.summer(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Autumn 1 (2026-09-03 to 2026-10-23) is not within the academic year 2027/28 (2027-09-01 to 2028-08-31)"
        );
        // Terms given in the wrong order.
        let err = TermDates::new(
            year(2026),
            *default.spring(),
            *default.autumn(),
            *default.summer(),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                TermDatesError::Overlap {
                    earlier: HalfTerm::Autumn2,
                    later: HalfTerm::Spring1,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn date_ranges_run_forwards() {
        let err = DateRange::new(date(2026, 9, 3), date(2026, 9, 2)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the dates run backwards: 2026-09-02 is before 2026-09-03"
        );
        assert!(DateRange::new(date(2026, 9, 3), date(2026, 9, 3)).is_ok());
    }

    #[test]
    fn serde_round_trip_and_checks() {
        let dates = TermDates::england_default(year(2026)).unwrap();
        let json = serde_json::to_string(&dates).unwrap();
        assert!(json.starts_with(r#"{"academic_year":"2026/27","autumn":{"first_half":{"start":"2026-09-03","end":"2026-10-23"}"#), "{json}");
        let back: TermDates = serde_json::from_str(&json).unwrap();
        assert_eq!(back, dates);
        let wrong_year = json.replace("2026/27", "2027/28");
        let err = serde_json::from_str::<TermDates>(&wrong_year).unwrap_err();
        assert!(
            err.to_string()
                .contains("is not within the academic year 2027/28"),
            "{err}"
        );
        let backwards = r#"{"start":"2026-09-03","end":"2026-09-01"}"#;
        assert!(serde_json::from_str::<DateRange>(backwards).is_err());
    }

    #[test]
    fn the_default_fails_only_at_the_end_of_time() {
        assert!(TermDates::england_default(year(9999)).is_err());
        assert!(TermDates::england_default(year(1583)).is_ok());
    }
}

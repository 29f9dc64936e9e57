//! The working-day calendar of England, academic and financial years.
//!
//! * [`WorkingDayCalendar`]: working days are Monday to Friday less the
//!   calendar's holidays; every deadline counted in working days is computed
//!   here. [`BankHolidays`] implements it for England and Wales, read from the
//!   GOV.UK bank-holidays JSON ([`BankHolidays::parse`]) or from the copy
//!   compiled into the binary ([`BUNDLED_BANK_HOLIDAYS`]).
//! * Counting conventions (see [`working_days`]): counting starts the day
//!   after the given date, so "within N working days of X" ends on
//!   `add_working_days(X, N)`; adding or subtracting 0 working days returns
//!   the date unchanged.
//! * [`AcademicYear`] (1 September to 31 August, "2026/27") with
//!   [`TermDates`] (three terms, six half terms), and [`FinancialYear`]
//!   (1 April to 31 March, "2026-27").
//!
//! Nothing here does I/O: callers read files and pass their contents in.

mod bank_holidays;
mod easter;
mod terms;
pub mod working_days;
mod years;

pub use bank_holidays::{BankHoliday, BankHolidays, BankHolidaysError, ENGLAND_AND_WALES};
pub use easter::easter_sunday;
pub use terms::{
    DateRange, DateRangeError, HalfTerm, SchoolHoliday, SchoolPeriod, Term, TermDates,
    TermDatesError, TermName,
};
pub use working_days::{is_weekend, DateOutOfRange, WorkingDayCalendar};
pub use years::{AcademicYear, FinancialYear, YearError};

/// The GOV.UK bank-holidays JSON shipped with Uplift (`data/calendar/` at the
/// workspace root; see its README for provenance), so a fresh installation
/// knows the England-and-Wales bank holidays without a download. Parse it with
/// [`BankHolidays::bundled`].
pub const BUNDLED_BANK_HOLIDAYS: &str =
    include_str!("../../../../data/calendar/bank-holidays.json");

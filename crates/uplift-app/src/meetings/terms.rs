//! The organisation's term dates: meetings are scheduled in them and dates
//! outside them are warned about.

use uplift_domain::access::{Action, Scope};
use uplift_domain::calendar::{AcademicYear, DateRange, HalfTerm, Term, TermDates, TermDatesError};
use uplift_domain::register::Date;
use uplift_store::meetings as store;

use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// The name of a half term's fields (`autumn1` gives `autumn1_start` and
/// `autumn1_end`).
pub fn half_term_key(h: HalfTerm) -> &'static str {
    match h {
        HalfTerm::Autumn1 => "autumn1",
        HalfTerm::Autumn2 => "autumn2",
        HalfTerm::Spring1 => "spring1",
        HalfTerm::Spring2 => "spring2",
        HalfTerm::Summer1 => "summer1",
        HalfTerm::Summer2 => "summer2",
    }
}

/// The organisation's term dates for a year (England's typical dates until
/// it sets its own), and whether they are its own.
pub async fn term_dates(
    app: &App,
    caller: &Caller,
    year: AcademicYear,
) -> Result<(TermDates, bool)> {
    let org = caller.organisation_id();
    caller.authorize(Action::ReadMeetings, Scope::Organisation(org))?;
    Ok(app.db().term_dates(org, year).await?)
}

/// A year's term dates as a person gave them: the `year` (`2026/27`) and
/// each half term's first and last day, in [`HalfTerm::ALL`]'s order
/// (fields `autumn1_start`, `autumn1_end` … `summer2_end`; `None`: not
/// given or not a date).
#[derive(Debug, Clone, Default)]
pub struct SetTermDates {
    pub year: String,
    pub starts: [Option<Date>; 6],
    pub ends: [Option<Date>; 6],
}

/// Sets the organisation's term dates for a year: every date given, each
/// half term ending on or after it starts, in order, without overlap and
/// inside the year. Refusals name the half term's field.
pub async fn set_term_dates(app: &App, caller: &Caller, input: SetTermDates) -> Result<TermDates> {
    let org = caller.organisation_id();
    caller.authorize(Action::ManagePolicies, Scope::Organisation(org))?;
    let Ok(year) = AcademicYear::parse(input.year.trim()) else {
        return Err(AppError::field("year", "Select the academic year"));
    };
    let mut problems = Problems::new();
    let mut ranges = Vec::new();
    for (i, h) in HalfTerm::ALL.into_iter().enumerate() {
        let k = half_term_key(h);
        match (input.starts[i], input.ends[i]) {
            (Some(s), Some(e)) => match DateRange::new(s, e) {
                Ok(r) => ranges.push(r),
                Err(_) => problems.add(
                    &format!("{k}_end"),
                    format!("{h} must end on or after the day it starts"),
                ),
            },
            (None, _) => problems.add(
                &format!("{k}_start"),
                format!("Enter the first day of {h}, for example 2026-09-03"),
            ),
            (_, None) => problems.add(
                &format!("{k}_end"),
                format!("Enter the last day of {h}, for example 2026-10-23"),
            ),
        }
    }
    problems.done()?;
    let term = |a: usize| Term {
        first_half: ranges[a],
        second_half: ranges[a + 1],
    };
    let dates = TermDates::new(year, term(0), term(2), term(4)).map_err(|e| {
        let field = match &e {
            TermDatesError::OutsideYear { half_term, .. } => {
                format!("{}_start", half_term_key(*half_term))
            }
            TermDatesError::Overlap { later, .. } => format!("{}_start", half_term_key(*later)),
            _ => "year".to_string(),
        };
        AppError::field(&field, format!("The term dates cannot be saved: {e}"))
    })?;
    let mut tx = app.db().begin().await?;
    store::set_term_dates(&mut tx, &caller.actor, org, &dates).await?;
    tx.commit().await?;
    Ok(dates)
}

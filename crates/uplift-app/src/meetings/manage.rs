//! Creating meetings (one, or a year's schedule), attendees, minutes, the
//! status and decisions at a meeting.

use jiff::civil::Weekday;
use uplift_domain::access::{Action, Scope};
use uplift_domain::calendar::{AcademicYear, TermDates, WorkingDayCalendar};
use uplift_domain::concern::{
    check_meeting_date, schedule, Cadence, MeetingKind, SchedulePreference,
};
use uplift_domain::register::Date;
use uplift_store::concern::RecordedDecision;
use uplift_store::meetings::{
    self as store, parse_kind, Attendee, Meeting, MeetingStatus, Minute, NewMeeting,
};
use uplift_store::StoreError;

use super::{at_meeting, meeting_of, terms_for};
use crate::concern::{record_decision, RecordDecision};
use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// The weekdays a schedule may use: (input value, words, day).
pub const WEEKDAYS: &[(&str, &str, Weekday)] = &[
    ("monday", "Monday", Weekday::Monday),
    ("tuesday", "Tuesday", Weekday::Tuesday),
    ("wednesday", "Wednesday", Weekday::Wednesday),
    ("thursday", "Thursday", Weekday::Thursday),
    ("friday", "Friday", Weekday::Friday),
];

/// Warnings for a meeting date: a weekend or bank holiday, or outside term.
fn date_warnings(date: Date, calendar: &impl WorkingDayCalendar, terms: &TermDates) -> Vec<String> {
    let mut out: Vec<String> = check_meeting_date(date, calendar)
        .into_iter()
        .map(|w| w.message)
        .collect();
    if terms.contains(date) && !terms.is_term_time(date) {
        out.push(format!("{date} is outside term time (a school holiday)"));
    }
    out
}

/// A meeting as a person gave it. Field names: `kind`, `date`, `title`,
/// `urn` (the school of a single-school meeting, as typed), `location`.
#[derive(Debug, Clone, Default)]
pub struct NewMeetingInput {
    pub kind: String,
    pub date: Option<Date>,
    pub title: String,
    pub urn: String,
    pub location: String,
    /// The person saw the date's warnings and keeps the date.
    pub confirmed: bool,
}

/// A meeting checked: what would be created, and the date's warnings.
#[derive(Debug, Clone)]
pub struct CheckedMeeting {
    pub new: NewMeeting,
    pub warnings: Vec<String>,
}

/// Checks a meeting to create (nothing is saved); the refusals name their
/// fields.
pub async fn check_meeting(
    app: &App,
    caller: &Caller,
    input: &NewMeetingInput,
) -> Result<CheckedMeeting> {
    let org = caller.organisation_id();
    caller.authorize(Action::WriteConcern, Scope::Organisation(org))?;
    let mut problems = Problems::new();
    let kind = parse_kind(&input.kind);
    if kind.is_none() {
        problems.add("kind", "Select the kind of meeting");
    }
    if input.date.is_none() {
        problems.add("date", "Enter the date of the meeting");
    }
    if input.title.trim().chars().count() > 200 {
        problems.add("title", "The title must be 200 characters or fewer");
    }
    let urn_text = input.urn.trim();
    let focus = if urn_text.is_empty() {
        None
    } else {
        match urn_text.parse::<i64>() {
            Ok(u) if u > 0 => Some(u),
            _ => {
                problems.add("urn", "Enter the school's URN as a number");
                None
            }
        }
    };
    if let (Some(k), None) = (kind, focus) {
        if k.single_school() && !problems.has("urn") {
            problems.add(
                "urn",
                format!(
                    "Enter the URN of the school: a {} is about one school",
                    k.name()
                ),
            );
        }
    }
    if let Some(u) = focus {
        if !app.db().school_in_organisation(org, u).await? {
            problems.add(
                "urn",
                format!("URN {u} is not one of your organisation's schools"),
            );
        }
    }
    if input.location.trim().chars().count() > 200 {
        problems.add("location", "The location must be 200 characters or fewer");
    }
    problems.done()?;
    let (Some(kind), Some(date)) = (kind, input.date) else {
        return Err(AppError::field("kind", "Select the kind of meeting"));
    };
    let calendar = app.db().bank_holidays().await?;
    let terms = terms_for(app, org, date).await?;
    let warnings = date_warnings(date, &calendar, &terms);
    Ok(CheckedMeeting {
        new: NewMeeting {
            kind,
            date,
            title: input.title.trim().to_string(),
            focus_urn: focus,
            location: Some(input.location.trim().to_string()).filter(|l| !l.is_empty()),
            warnings: warnings.clone(),
        },
        warnings,
    })
}

/// What creating a meeting did.
#[derive(Debug, Clone)]
pub enum MeetingCreated {
    /// The meeting was created.
    Created(Box<Meeting>),
    /// Nothing was created: the date has these warnings (a weekend, a bank
    /// holiday, outside term) and the person has not confirmed it.
    Unconfirmed(Vec<String>),
}

/// Creates one meeting. A date with warnings is kept only when confirmed.
pub async fn create_meeting(
    app: &App,
    caller: &Caller,
    input: NewMeetingInput,
) -> Result<MeetingCreated> {
    let checked = check_meeting(app, caller, &input).await?;
    if !checked.warnings.is_empty() && !input.confirmed {
        return Ok(MeetingCreated::Unconfirmed(checked.warnings));
    }
    let mut tx = app.db().begin().await?;
    let m = store::create_meeting(
        &mut tx,
        &caller.actor,
        caller.organisation_id(),
        &checked.new,
    )
    .await
    .map_err(AppError::refused_on("kind"))?;
    tx.commit().await?;
    Ok(MeetingCreated::Created(Box::new(m)))
}

/// A year of meetings of one kind. Field names: `kind` (one with a
/// cadence), `year` (`2026/27`), `weekday` (`monday` to `friday`), `week`
/// (of each period, 1 to 6).
#[derive(Debug, Clone, Default)]
pub struct ScheduleInput {
    pub kind: String,
    pub year: String,
    pub weekday: String,
    pub week: String,
    /// Create the meetings (otherwise only list the dates).
    pub create: bool,
}

/// A schedule: its kind, each date with its warnings, and the meetings
/// created (none for a preview).
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub kind: MeetingKind,
    pub dates: Vec<(Date, Vec<String>)>,
    pub created: Vec<Meeting>,
}

/// Lays a year of meetings of one kind across the organisation's term time
/// at the kind's cadence; creates them when asked (a date that already has
/// a meeting of the kind is skipped).
pub async fn schedule_meetings(
    app: &App,
    caller: &Caller,
    input: ScheduleInput,
) -> Result<Scheduled> {
    let org = caller.organisation_id();
    caller.authorize(Action::WriteConcern, Scope::Organisation(org))?;
    let mut problems = Problems::new();
    let kind = parse_kind(&input.kind);
    match kind {
        None => problems.add("kind", "Select the kind of meeting to schedule"),
        Some(k) if k.default_cadence() == Cadence::AsArranged => problems.add(
            "kind",
            format!(
                "A {} is arranged case by case: create each one on its own",
                k.name()
            ),
        ),
        Some(_) => {}
    }
    let year = AcademicYear::parse(input.year.trim()).ok();
    if year.is_none() {
        problems.add("year", "Select the academic year");
    }
    let weekday = WEEKDAYS
        .iter()
        .find(|(v, _, _)| *v == input.weekday.trim())
        .map(|(_, _, w)| *w);
    if weekday.is_none() {
        problems.add("weekday", "Select the day of the week");
    }
    let week = input
        .week
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|w| (1..=6).contains(w));
    if week.is_none() {
        problems.add("week", "Select the week of each period");
    }
    problems.done()?;
    let (Some(kind), Some(year), Some(weekday), Some(week)) = (kind, year, weekday, week) else {
        return Err(AppError::field(
            "kind",
            "Select the kind of meeting to schedule",
        ));
    };
    let db = app.db();
    let (terms, _) = db.term_dates(org, year).await?;
    let calendar = db.bank_holidays().await?;
    let s = schedule(
        kind,
        kind.default_cadence(),
        &terms,
        &calendar,
        SchedulePreference { weekday, week },
    );
    let dates: Vec<(Date, Vec<String>)> = s
        .meetings
        .iter()
        .map(|m| (m.date, date_warnings(m.date, &calendar, &terms)))
        .collect();
    let created = if input.create {
        let mut tx = db.begin().await?;
        let made = store::create_schedule(&mut tx, &caller.actor, org, kind, &dates)
            .await
            .map_err(AppError::refused_on("kind"))?;
        tx.commit().await?;
        made
    } else {
        Vec::new()
    };
    Ok(Scheduled {
        kind,
        dates,
        created,
    })
}

/// Checks an attendee: a name and a role, each at most 200 characters.
fn check_attendee(
    problems: &mut Problems,
    (name_field, name): (&str, &str),
    (role_field, role): (&str, &str),
) {
    let (name, role) = (name.trim(), role.trim());
    if name.is_empty() {
        problems.add(name_field, "Enter the attendee's name");
    } else if name.chars().count() > 200 {
        problems.add(name_field, "The name must be 200 characters or fewer");
    }
    if role.is_empty() {
        problems.add(role_field, "Enter the attendee's role, for example Chair");
    } else if role.chars().count() > 200 {
        problems.add(role_field, "The role must be 200 characters or fewer");
    }
}

/// Adds an attendee (`name` and `role`, each at most 200 characters).
pub async fn add_attendee(
    app: &App,
    caller: &Caller,
    meeting_id: i64,
    name: &str,
    role: &str,
) -> Result<Attendee> {
    let m = meeting_of(app, caller, meeting_id, Action::WriteConcern).await?;
    let mut problems = Problems::new();
    check_attendee(&mut problems, ("name", name), ("role", role));
    problems.done()?;
    let mut tx = app.db().begin().await?;
    let a = store::add_attendee(
        &mut tx,
        &caller.actor,
        caller.organisation_id(),
        m.id,
        name.trim(),
        role.trim(),
    )
    .await
    .map_err(AppError::refused_on("name"))?;
    tx.commit().await?;
    Ok(a)
}

/// Removes an attendee added by mistake.
pub async fn remove_attendee(
    app: &App,
    caller: &Caller,
    meeting_id: i64,
    attendee_id: i64,
) -> Result<()> {
    let m = meeting_of(app, caller, meeting_id, Action::WriteConcern).await?;
    let mut tx = app.db().begin().await?;
    store::remove_attendee(
        &mut tx,
        &caller.actor,
        caller.organisation_id(),
        m.id,
        attendee_id,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets who attends: attendees already recorded with the same name and
/// role are kept, the others removed, the new ones added. Each needs a name
/// and a role; a refusal names `attendees[i].name` or `attendees[i].role`
/// and saves nothing. Gives the attendees now.
pub async fn set_attendees(
    app: &App,
    caller: &Caller,
    meeting_id: i64,
    attendees: &[(String, String)],
) -> Result<Vec<Attendee>> {
    let m = meeting_of(app, caller, meeting_id, Action::WriteConcern).await?;
    let org = caller.organisation_id();
    let mut problems = Problems::new();
    for (i, (name, role)) in attendees.iter().enumerate() {
        check_attendee(
            &mut problems,
            (&format!("attendees[{i}].name"), name),
            (&format!("attendees[{i}].role"), role),
        );
    }
    problems.done()?;
    let wanted: Vec<(String, String)> = attendees
        .iter()
        .map(|(n, r)| (n.trim().to_string(), r.trim().to_string()))
        .collect();
    let db = app.db();
    let current = db.meeting_attendees(m.id).await?;
    let mut kept: Vec<bool> = vec![false; wanted.len()];
    let mut tx = db.begin().await?;
    for a in &current {
        match wanted
            .iter()
            .enumerate()
            .position(|(i, (n, r))| !kept[i] && *n == a.name && *r == a.role)
        {
            Some(i) => kept[i] = true,
            None => store::remove_attendee(&mut tx, &caller.actor, org, m.id, a.id).await?,
        }
    }
    for (i, (n, r)) in wanted.iter().enumerate() {
        if !kept[i] {
            store::add_attendee(&mut tx, &caller.actor, org, m.id, n, r).await?;
        }
    }
    tx.commit().await?;
    Ok(db.meeting_attendees(m.id).await?)
}

/// Appends a minute: `urn` is the school of the agenda item it is on (as
/// given; blank: general; one of the organisation's schools) and `minute`
/// its text (at most 20,000 characters). Minutes are never overwritten.
pub async fn add_minute(
    app: &App,
    caller: &Caller,
    meeting_id: i64,
    urn: &str,
    minute: &str,
) -> Result<Minute> {
    let m = meeting_of(app, caller, meeting_id, Action::WriteConcern).await?;
    let org = caller.organisation_id();
    let mut problems = Problems::new();
    let item = urn.trim();
    let urn = if item.is_empty() {
        None
    } else {
        match item.parse::<i64>() {
            Ok(u) if app.db().school_in_organisation(org, u).await? => Some(u),
            _ => {
                problems.add("urn", "Select an item of the agenda, or General");
                None
            }
        }
    };
    let body = minute.trim();
    if body.is_empty() {
        problems.add("minute", "Enter the minute");
    } else if body.chars().count() > 20_000 {
        problems.add("minute", "The minute must be 20,000 characters or fewer");
    }
    problems.done()?;
    let mut tx = app.db().begin().await?;
    let x = store::add_minute(&mut tx, &caller.actor, org, m.id, urn, body)
        .await
        .map_err(AppError::refused_on("minute"))?;
    tx.commit().await?;
    Ok(x)
}

/// The message when no (known) status is given.
pub const STATUS_MISSING: &str = "Select the meeting's status";

/// Marks the meeting `scheduled`, `held` or `cancelled` (a meeting cannot be
/// held before its date).
pub async fn set_status(
    app: &App,
    caller: &Caller,
    meeting_id: i64,
    status: &str,
) -> Result<Meeting> {
    let m = meeting_of(app, caller, meeting_id, Action::WriteConcern).await?;
    let Some(status) = MeetingStatus::parse(status) else {
        return Err(AppError::field("status", STATUS_MISSING));
    };
    let mut tx = app.db().begin().await?;
    match store::set_status(
        &mut tx,
        &caller.actor,
        caller.organisation_id(),
        m.id,
        status,
        app.today(),
    )
    .await
    {
        Ok(m) => {
            tx.commit().await?;
            Ok(m)
        }
        Err(StoreError::Invalid(msg)) => {
            let text = msg.trim_start_matches("the status: ");
            Err(AppError::field(
                "status",
                format!("The status cannot be changed: {text}"),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Records the meeting's decision about one school on its agenda (`urn`),
/// with the case: the list changes, letters are drafted and tasks created.
/// Field names as [`record_decision`]'s (`kind`, `detail` for what an
/// "other" decision was, `rationale`, `urn`).
pub async fn decide_at_meeting(
    app: &App,
    caller: &Caller,
    meeting_id: i64,
    urn: i64,
    kind: &str,
    detail: &str,
    rationale: &str,
) -> Result<RecordedDecision> {
    let at = at_meeting(app, caller, meeting_id, urn).await?;
    record_decision(
        app,
        caller,
        RecordDecision {
            urn,
            kind: kind.trim().to_owned(),
            detail: detail.trim().to_owned(),
            rationale: rationale.to_owned(),
            triggers: Vec::new(),
            decided_on: None,
            at_meeting: Some(at),
        },
    )
    .await
}

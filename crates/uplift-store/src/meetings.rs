//! Meetings (issue 6): every kind in the seeds, scheduled across the academic
//! year from the organisation's term dates or created one at a time, with
//! attendees, minutes (general and per agenda item) and snapshots of the
//! agenda as issued. Decisions taken at a meeting are recorded with the case
//! (`concern_decisions.meeting_id`). Every change is audited.
//!
//! The pure rules (cadences, the scheduler, date warnings, the agenda
//! builder) are in `uplift_domain::concern::meetings`; this module stores
//! what they produce.

use serde::Serialize;
use sqlx::FromRow;
use uplift_domain::calendar::{AcademicYear, TermDates};
use uplift_domain::concern::{Agenda, MeetingKind};
use uplift_domain::register::Date;

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, StoreError, Tx};

/// The stored name of a kind (`schools_review_group`, ...).
pub fn kind_name(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::SchoolsReviewGroup => "schools_review_group",
        MeetingKind::AdvisoryCommittee => "advisory_committee",
        MeetingKind::SchoolsCausingConcern => "schools_causing_concern",
        MeetingKind::SchoolPerformanceBoard => "school_performance_board",
        MeetingKind::MonitoringAndChallenge => "monitoring_and_challenge",
        MeetingKind::TeamAroundTheSchool => "team_around_the_school",
        MeetingKind::RapidImprovementGroup => "rapid_improvement_group",
        MeetingKind::EducationImprovementGroup => "education_improvement_group",
    }
}

/// The kind stored under `name`.
pub fn parse_kind(name: &str) -> Option<MeetingKind> {
    MeetingKind::ALL
        .into_iter()
        .find(|k| kind_name(*k) == name.trim())
}

/// Whether a meeting is still to happen, happened, or was called off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Scheduled,
    Held,
    Cancelled,
}

impl MeetingStatus {
    pub const ALL: [MeetingStatus; 3] = [Self::Scheduled, Self::Held, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Held => "held",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// One meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Meeting {
    pub id: i64,
    pub organisation_id: i64,
    /// [`kind_name`] of the kind.
    pub kind: String,
    /// ISO date.
    pub meeting_date: String,
    pub title: String,
    /// scheduled, held or cancelled.
    pub status: String,
    /// The school of a single-school meeting.
    pub focus_urn: Option<i64>,
    pub location: Option<String>,
    /// Date warnings (weekend, bank holiday, outside term) the user confirmed.
    pub warnings: Option<String>,
    pub created_by: String,
    pub created_by_user_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl Meeting {
    pub fn kind(&self) -> Option<MeetingKind> {
        parse_kind(&self.kind)
    }

    pub fn date(&self) -> Option<Date> {
        self.meeting_date.get(..10)?.parse().ok()
    }

    /// The kind's name on screen (the stored name if unknown).
    pub fn kind_label(&self) -> String {
        self.kind()
            .map(|k| k.name().to_string())
            .unwrap_or_else(|| self.kind.clone())
    }
}

const MEETING_COLS: &str = "id, organisation_id, kind, meeting_date, title, status, focus_urn, location, warnings, created_by, created_by_user_id, created_at, updated_at";

/// A meeting to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub date: Date,
    /// Empty: the kind's name.
    pub title: String,
    pub focus_urn: Option<i64>,
    pub location: Option<String>,
    /// The date warnings the user saw and confirmed (empty when none).
    pub warnings: Vec<String>,
}

fn required(text: &str, what: &str, max: usize) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid(format!("{what} is required")));
    }
    if t.chars().count() > max {
        return Err(StoreError::Invalid(format!(
            "{what} must be {max} characters or fewer"
        )));
    }
    Ok(t.to_string())
}

async fn school_in_estate(tx: &mut Tx, organisation_id: i64, urn: i64) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM organisation_schools WHERE organisation_id = $1 AND urn = $2")
        .bind(organisation_id).bind(urn).fetch_one(&mut **c).await)?;
    Ok(n > 0)
}

/// Creates a meeting. A single-school kind needs its school, which must be in
/// the organisation's estate. Audited.
pub async fn create_meeting(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    new: &NewMeeting,
) -> Result<Meeting> {
    let title = if new.title.trim().is_empty() {
        new.kind.name().to_string()
    } else {
        required(&new.title, "the title", 200)?
    };
    if new.kind.single_school() && new.focus_urn.is_none() {
        return Err(StoreError::Invalid(format!(
            "the school is required: a {} is about one school",
            new.kind.name()
        )));
    }
    if let Some(urn) = new.focus_urn {
        if !school_in_estate(tx, organisation_id, urn).await? {
            return Err(StoreError::Invalid(format!(
                "the school (URN {urn}) is not one of the organisation's schools"
            )));
        }
    }
    let location = new
        .location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| required(l, "the location", 200))
        .transpose()?;
    let warnings = (!new.warnings.is_empty()).then(|| new.warnings.join("; "));
    let t = now();
    let row: Meeting = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO meetings (organisation_id, kind, meeting_date, title, status, focus_urn, location, warnings,
             created_by, created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'scheduled', $5, $6, $7, $8, $9, $10, $10) RETURNING {MEETING_COLS}"))
        .bind(organisation_id).bind(kind_name(new.kind)).bind(new.date.to_string()).bind(&title)
        .bind(new.focus_urn).bind(&location).bind(&warnings)
        .bind(&actor.label).bind(actor.user_id).bind(&t)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("meeting", row.id, Some(organisation_id), &row),
    )
    .await?;
    Ok(row)
}

/// Creates the meetings of a schedule, skipping any date that already has a
/// meeting of the same kind. Returns the meetings created.
pub async fn create_schedule(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    kind: MeetingKind,
    dates: &[(Date, Vec<String>)],
) -> Result<Vec<Meeting>> {
    let mut out = Vec::new();
    for (date, warnings) in dates {
        let exists: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM meetings WHERE organisation_id = $1 AND kind = $2 AND meeting_date = $3 AND status <> 'cancelled'")
            .bind(organisation_id).bind(kind_name(kind)).bind(date.to_string()).fetch_one(&mut **c).await)?;
        if exists > 0 {
            continue;
        }
        let m = create_meeting(
            tx,
            actor,
            organisation_id,
            &NewMeeting {
                kind,
                date: *date,
                title: String::new(),
                focus_urn: None,
                location: None,
                warnings: warnings.clone(),
            },
        )
        .await?;
        out.push(m);
    }
    Ok(out)
}

async fn meeting_for_update(tx: &mut Tx, organisation_id: i64, id: i64) -> Result<Meeting> {
    on_tx!(tx, c => sqlx::query_as::<_, Meeting>(&format!(
        "SELECT {MEETING_COLS} FROM meetings WHERE organisation_id = $1 AND id = $2"))
        .bind(organisation_id).bind(id).fetch_optional(&mut **c).await)?
    .ok_or_else(|| StoreError::NotFound(format!("meeting {id}")))
}

/// Marks a meeting scheduled, held or cancelled. A meeting cannot be held
/// before its date. Audited.
pub async fn set_status(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    id: i64,
    status: MeetingStatus,
    today: Date,
) -> Result<Meeting> {
    let before = meeting_for_update(tx, organisation_id, id).await?;
    if status == MeetingStatus::Held && before.date().is_some_and(|d| d > today) {
        return Err(StoreError::Invalid(format!(
            "the status: the meeting on {} has not happened yet",
            before.meeting_date
        )));
    }
    if before.status == status.as_str() {
        return Ok(before);
    }
    let after: Meeting = on_tx!(tx, c => sqlx::query_as(&format!(
        "UPDATE meetings SET status = $1, updated_at = $2 WHERE id = $3 RETURNING {MEETING_COLS}"))
        .bind(status.as_str()).bind(now()).bind(id).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::updated("meeting", id, Some(organisation_id), &before, &after),
    )
    .await?;
    Ok(after)
}

/// Someone at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Attendee {
    pub id: i64,
    pub meeting_id: i64,
    pub name: String,
    pub role: String,
    pub user_id: Option<i64>,
    pub added_by: String,
    pub added_at: String,
}

const ATTENDEE_COLS: &str = "id, meeting_id, name, role, user_id, added_by, added_at";

/// Adds an attendee (name and role, e.g. "Chair", "Head of Finance"). Audited.
pub async fn add_attendee(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    meeting_id: i64,
    name: &str,
    role: &str,
) -> Result<Attendee> {
    meeting_for_update(tx, organisation_id, meeting_id).await?;
    let name = required(name, "the attendee's name", 200)?;
    let role = required(role, "the attendee's role", 200)?;
    let row: Attendee = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO meeting_attendees (meeting_id, name, role, user_id, added_by, added_at)
         VALUES ($1, $2, $3, NULL, $4, $5) RETURNING {ATTENDEE_COLS}"))
        .bind(meeting_id).bind(&name).bind(&role).bind(&actor.label).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("meeting_attendee", row.id, Some(organisation_id), &row),
    )
    .await?;
    Ok(row)
}

/// Removes an attendee added by mistake. Audited (the before is kept in the log).
pub async fn remove_attendee(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    meeting_id: i64,
    attendee_id: i64,
) -> Result<()> {
    meeting_for_update(tx, organisation_id, meeting_id).await?;
    let before: Attendee = on_tx!(tx, c => sqlx::query_as::<_, Attendee>(&format!(
        "SELECT {ATTENDEE_COLS} FROM meeting_attendees WHERE meeting_id = $1 AND id = $2"))
        .bind(meeting_id).bind(attendee_id).fetch_optional(&mut **c).await)?
    .ok_or_else(|| StoreError::NotFound(format!("attendee {attendee_id}")))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM meeting_attendees WHERE id = $1")
        .bind(attendee_id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        Change::deleted(
            "meeting_attendee",
            attendee_id,
            Some(organisation_id),
            &before,
        ),
    )
    .await
}

/// One minute: general (no URN) or on a school's agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Minute {
    pub id: i64,
    pub meeting_id: i64,
    pub urn: Option<i64>,
    pub body: String,
    pub recorded_by: String,
    pub recorded_by_user_id: Option<i64>,
    pub recorded_at: String,
}

const MINUTE_COLS: &str =
    "id, meeting_id, urn, body, recorded_by, recorded_by_user_id, recorded_at";

/// Appends a minute. Audited.
pub async fn add_minute(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    meeting_id: i64,
    urn: Option<i64>,
    body: &str,
) -> Result<Minute> {
    meeting_for_update(tx, organisation_id, meeting_id).await?;
    let body = required(body, "the minute", 20_000)?;
    let row: Minute = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO meeting_minutes (meeting_id, urn, body, recorded_by, recorded_by_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {MINUTE_COLS}"))
        .bind(meeting_id).bind(urn).bind(&body).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("meeting_minute", row.id, Some(organisation_id), &row),
    )
    .await?;
    Ok(row)
}

/// An agenda as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AgendaSnapshot {
    pub id: i64,
    pub meeting_id: i64,
    pub agenda_json: String,
    pub issued_by: String,
    pub issued_by_user_id: Option<i64>,
    pub issued_at: String,
}

impl AgendaSnapshot {
    pub fn agenda(&self) -> Result<Agenda> {
        serde_json::from_str(&self.agenda_json).map_err(|e| {
            StoreError::Invalid(format!("stored agenda {} is unreadable: {e}", self.id))
        })
    }
}

const AGENDA_COLS: &str = "id, meeting_id, agenda_json, issued_by, issued_by_user_id, issued_at";

/// Records the agenda as issued (the latest snapshot is the agenda of record). Audited.
pub async fn issue_agenda(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    meeting_id: i64,
    agenda: &Agenda,
) -> Result<AgendaSnapshot> {
    meeting_for_update(tx, organisation_id, meeting_id).await?;
    let json = serde_json::to_string(agenda)
        .map_err(|e| StoreError::Invalid(format!("the agenda cannot be stored: {e}")))?;
    let row: AgendaSnapshot = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO meeting_agendas (meeting_id, agenda_json, issued_by, issued_by_user_id, issued_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING {AGENDA_COLS}"))
        .bind(meeting_id).bind(&json).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("meeting_agenda", row.id, Some(organisation_id), agenda),
    )
    .await?;
    Ok(row)
}

/// Whether a meeting has an issued agenda (read inside a transaction).
pub async fn has_agenda(tx: &mut Tx, meeting_id: i64) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM meeting_agendas WHERE meeting_id = $1")
        .bind(meeting_id).fetch_one(&mut **c).await)?;
    Ok(n > 0)
}

/// Sets an organisation's term dates for their academic year. Audited.
pub async fn set_term_dates(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    dates: &TermDates,
) -> Result<()> {
    let json = serde_json::to_string(dates)
        .map_err(|e| StoreError::Invalid(format!("the term dates cannot be stored: {e}")))?;
    let year = dates.academic_year().to_string();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO organisation_term_dates (organisation_id, academic_year, dates_json, set_by, set_by_user_id, set_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(organisation_id).bind(&year).bind(&json).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("term_dates", id, Some(organisation_id), dates),
    )
    .await
}

/// Meetings to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingFilter {
    pub kind: Option<MeetingKind>,
    /// ISO dates, inclusive.
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub focus_urn: Option<i64>,
}

impl Db {
    /// The organisation's meetings in date order.
    pub async fn meetings(&self, organisation_id: i64, f: &MeetingFilter) -> Result<Vec<Meeting>> {
        let kind = f.kind.map(kind_name);
        let from = f.from.map(|d| d.to_string());
        let to = f.to.map(|d| d.to_string());
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {MEETING_COLS} FROM meetings WHERE organisation_id = $1
               AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR meeting_date >= $3)
               AND ($4 IS NULL OR meeting_date <= $4) AND ($5 IS NULL OR focus_urn = $5)
             ORDER BY meeting_date, id"))
            .bind(organisation_id).bind(kind).bind(from).bind(to).bind(f.focus_urn)
            .fetch_all(p).await)?)
    }

    /// One meeting of the organisation.
    pub async fn meeting(&self, organisation_id: i64, id: i64) -> Result<Option<Meeting>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {MEETING_COLS} FROM meetings WHERE organisation_id = $1 AND id = $2"))
            .bind(organisation_id).bind(id).fetch_optional(p).await)?)
    }

    pub async fn meeting_attendees(&self, meeting_id: i64) -> Result<Vec<Attendee>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {ATTENDEE_COLS} FROM meeting_attendees WHERE meeting_id = $1 ORDER BY id"))
            .bind(meeting_id).fetch_all(p).await)?)
    }

    pub async fn meeting_minutes(&self, meeting_id: i64) -> Result<Vec<Minute>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {MINUTE_COLS} FROM meeting_minutes WHERE meeting_id = $1 ORDER BY id"))
            .bind(meeting_id).fetch_all(p).await)?)
    }

    /// The agenda of record (the latest issued), if any.
    pub async fn meeting_agenda(&self, meeting_id: i64) -> Result<Option<AgendaSnapshot>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {AGENDA_COLS} FROM meeting_agendas WHERE meeting_id = $1 ORDER BY id DESC LIMIT 1"))
            .bind(meeting_id).fetch_optional(p).await)?)
    }

    /// The organisation's term dates for `year` as set, or `None`.
    pub async fn stored_term_dates(
        &self,
        organisation_id: i64,
        year: AcademicYear,
    ) -> Result<Option<TermDates>> {
        let json: Option<String> = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT dates_json FROM organisation_term_dates WHERE organisation_id = $1 AND academic_year = $2
             ORDER BY id DESC LIMIT 1")
            .bind(organisation_id).bind(year.to_string()).fetch_optional(p).await)?;
        json.map(|j| {
            serde_json::from_str(&j)
                .map_err(|e| StoreError::Invalid(format!("stored term dates are unreadable: {e}")))
        })
        .transpose()
    }

    /// The organisation's term dates for `year`, or England's typical dates
    /// when it has set none (the flag says which).
    pub async fn term_dates(
        &self,
        organisation_id: i64,
        year: AcademicYear,
    ) -> Result<(TermDates, bool)> {
        if let Some(t) = self.stored_term_dates(organisation_id, year).await? {
            return Ok((t, true));
        }
        let t = TermDates::england_default(year).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok((t, false))
    }
}

/// The organisation's term dates for `year` inside a transaction, or
/// England's typical dates when it has set none.
pub async fn term_dates_in(
    tx: &mut Tx,
    organisation_id: i64,
    year: AcademicYear,
) -> Result<TermDates> {
    let json: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT dates_json FROM organisation_term_dates WHERE organisation_id = $1 AND academic_year = $2
         ORDER BY id DESC LIMIT 1")
        .bind(organisation_id).bind(year.to_string()).fetch_optional(&mut **c).await)?;
    match json {
        Some(j) => serde_json::from_str(&j)
            .map_err(|e| StoreError::Invalid(format!("stored term dates are unreadable: {e}"))),
        None => TermDates::england_default(year).map_err(|e| StoreError::Invalid(e.to_string())),
    }
}

/// A case on the list, as an agenda and meeting papers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ListedCase {
    pub case_id: i64,
    pub urn: i64,
    pub school: String,
    /// awaiting_lead_officer or on_list.
    pub state: String,
    pub lead_officer_name: Option<String>,
    pub escalation_stage: String,
    pub category: Option<String>,
    pub opened_on: String,
}

impl ListedCase {
    /// The domain's state of the case.
    pub fn domain_state(&self) -> uplift_domain::concern::CaseState {
        use uplift_domain::concern::CaseState;
        match self.state.as_str() {
            "awaiting_lead_officer" => CaseState::AwaitingLeadOfficer,
            "on_list" => CaseState::OnList,
            "removed" => CaseState::Removed,
            _ => CaseState::NotOnList,
        }
    }
}

/// An open task of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct OpenTask {
    pub case_id: i64,
    pub urn: i64,
    pub school: String,
    pub title: String,
    pub due_on: String,
}

/// A decision as listed on a meeting's page and in its papers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct DecisionLine {
    pub id: i64,
    pub case_id: Option<i64>,
    pub urn: i64,
    pub school: String,
    pub kind: String,
    pub detail: Option<String>,
    pub rationale: String,
    pub decided_on: String,
    pub decided_by: String,
    pub meeting_id: Option<i64>,
}

impl DecisionLine {
    /// Words for the decision.
    pub fn label(&self) -> String {
        crate::concern::parse_decision_kind(&self.kind, self.detail.as_deref())
            .map(|k| k.label())
            .unwrap_or_else(|| self.kind.clone())
    }
}

const DECISION_LINE: &str =
    "SELECT d.id, d.case_id, d.urn, COALESCE(s.name, '') AS school, d.kind, d.detail, d.rationale,
        d.decided_on, d.decided_by, d.meeting_id
   FROM concern_decisions d LEFT JOIN schools s ON s.urn = d.urn";

impl Db {
    /// Every open case of the organisation (on the list or awaiting a Lead
    /// Officer), by school name.
    pub async fn open_cases(&self, organisation_id: i64) -> Result<Vec<ListedCase>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT c.id AS case_id, c.urn, COALESCE(s.name, '') AS school, c.state, c.lead_officer_name,
                    c.escalation_stage, c.category, c.opened_on
               FROM concern_cases c LEFT JOIN schools s ON s.urn = c.urn
              WHERE c.organisation_id = $1 AND c.closed_on IS NULL
              ORDER BY s.name, c.urn")
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// The tasks not yet done on the organisation's open cases, by due date.
    pub async fn open_tasks(&self, organisation_id: i64) -> Result<Vec<OpenTask>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT t.case_id, c.urn, COALESCE(s.name, '') AS school, t.title, t.due_on
               FROM concern_tasks t JOIN concern_cases c ON c.id = t.case_id
               LEFT JOIN schools s ON s.urn = c.urn
              WHERE t.organisation_id = $1 AND t.done_on IS NULL AND c.closed_on IS NULL
              ORDER BY t.due_on, t.id")
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// The decisions taken at a meeting, in the order recorded.
    pub async fn meeting_decisions(
        &self,
        organisation_id: i64,
        meeting_id: i64,
    ) -> Result<Vec<DecisionLine>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "{DECISION_LINE} WHERE d.organisation_id = $1 AND d.meeting_id = $2 ORDER BY d.id"))
            .bind(organisation_id).bind(meeting_id).fetch_all(p).await)?)
    }

    /// Every decision about a school, oldest first (the papers' history).
    pub async fn school_decisions(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Vec<DecisionLine>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "{DECISION_LINE} WHERE d.organisation_id = $1 AND d.urn = $2 ORDER BY d.decided_on, d.id"))
            .bind(organisation_id).bind(urn).fetch_all(p).await)?)
    }

    /// Whether a school is in the organisation's estate.
    pub async fn school_in_organisation(&self, organisation_id: i64, urn: i64) -> Result<bool> {
        let n: i64 = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM organisation_schools WHERE organisation_id = $1 AND urn = $2")
            .bind(organisation_id).bind(urn).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// The organisation's schools that can be on the causing-concern list
    /// (maintained schools and academies; not independent schools).
    pub async fn listable_schools(
        &self,
        organisation_id: i64,
    ) -> Result<std::collections::HashSet<i64>> {
        let rows: Vec<i64> = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT s.urn FROM schools s JOIN organisation_schools o ON o.urn = s.urn
              WHERE o.organisation_id = $1 AND s.governance IN ('maintained', 'academy')")
            .bind(organisation_id).fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }

    /// The name of a school in the register.
    pub async fn school_name(&self, urn: i64) -> Result<Option<String>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT name FROM schools WHERE urn = $1")
            .bind(urn).fetch_optional(p).await)?)
    }
}

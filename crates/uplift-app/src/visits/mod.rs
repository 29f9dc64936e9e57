//! Advisers, visits and notes of visit: planning a visit, each step of its
//! workflow (the school's pre-visit self-evaluation, the visit held, the note
//! drafted, sent, answered, shared and made final, addenda), the advisers and
//! their caseloads, delivery against entitlement, attachments and quality
//! assurance. One use case each, shared by the pages and the API.
//!
//! Who sees what: a school user sees only their own school's visits, and a
//! note only once it has been sent to the headteacher; QA reviewers (panel)
//! see visits but no notes here; advisers change only their own visits,
//! leads any. The workflow's own rules (stage, actor, fields) are the
//! domain's (`uplift_domain::visits`).

pub mod advisers;
pub mod attachments;
pub mod qa;
pub mod queries;
pub mod workflow;

use uplift_domain::access::{Action, Role, Scope};
use uplift_domain::calendar::AcademicYear;
use uplift_domain::visits::{self as dv, Actor as VisitActor, ActorRole, WorkflowError};
use uplift_store::visits::{VisitError, VisitFull};
use uplift_store::StoreError;

use crate::{App, AppError, Caller, FieldError, Result};

/// The capacity the caller acts in on visits (`None`: no part in the
/// workflow): a lead, the adviser they are, or the headteacher of their
/// school.
pub async fn workflow_actor(app: &App, caller: &Caller) -> Result<Option<VisitActor>> {
    let p = &caller.principal;
    let role = match p.role {
        Role::Lead => Some(ActorRole::Lead),
        Role::Adviser => app
            .db()
            .adviser_for_user(p.organisation_id, p.user_id)
            .await?
            .map(|a| ActorRole::Adviser {
                adviser_id: a.id.to_string(),
            }),
        Role::School => p
            .school_urn
            .and_then(|u| u32::try_from(u).ok())
            .and_then(|u| uplift_domain::register::Urn::new(u).ok())
            .map(|urn| ActorRole::Headteacher { urn }),
        _ => None,
    };
    Ok(role.map(|role| VisitActor {
        user_id: p.user_id.to_string(),
        role,
    }))
}

/// A visit the caller may read (another organisation's, or another school's
/// for a school user: not found).
pub async fn visible_visit(app: &App, caller: &Caller, visit_id: i64) -> Result<VisitFull> {
    let org = caller.organisation_id();
    let full = app
        .db()
        .visit(org, visit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.authorize(
        Action::ReadVisits,
        Scope::School {
            organisation_id: org,
            urn: full.visit.urn,
        },
    )?;
    Ok(full)
}

/// Whether the caller may read the visit's note: staff who run visits
/// always; a school user once it has been sent to the headteacher; nobody
/// else here (QA reviewers read the notes sampled to them under QA).
pub fn can_read_note(caller: &Caller, full: &VisitFull) -> bool {
    if full.note.is_none() {
        return false;
    }
    match caller.principal.role {
        Role::Admin | Role::Lead | Role::Adviser => true,
        Role::School => full.note_shared_with_school(),
        _ => false,
    }
}

/// The academic year asked for (`2026/27`), or the one containing today;
/// anything else is refused on `year`.
pub fn academic_year(app: &App, text: Option<&str>) -> Result<AcademicYear> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(AcademicYear::containing(app.today())),
        Some(s) => s.parse().map_err(|_| {
            AppError::field(
                "year",
                format!("{s:?} is not an academic year: use one like 2026/27"),
            )
        }),
    }
}

/// The domain's refusals as the use case's.
pub(crate) fn invalid(errors: Vec<dv::FieldError>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|e| FieldError::new(e.field, e.message))
            .collect(),
    )
}

/// A refused date in words a person reads ("2 December 2026", not the
/// stored form).
fn dated(w: &WorkflowError) -> Option<String> {
    let long = |d: jiff::civil::Date| d.strftime("%-d %B %Y").to_string();
    Some(match w {
        WorkflowError::DateInPast { date, today } => format!(
            "The visit date {} is in the past (today is {}): a planned visit must be today or later",
            long(*date),
            long(*today)
        ),
        WorkflowError::OutsideAcademicYear { date, year } => format!(
            "{} is outside the academic year {year} ({} to {})",
            long(*date),
            long(year.first_day()),
            long(year.last_day())
        ),
        WorkflowError::NotATermTimeWorkingDay { date, why } => {
            format!("{} is not a term-time working day: {why}", long(*date))
        }
        WorkflowError::HeldInFuture { date, today } => format!(
            "A visit cannot be recorded as held on {}, after today ({})",
            long(*date),
            long(*today)
        ),
        _ => return None,
    })
}

/// How a refused visit action is reported: another school's visit is hidden
/// (not found), another adviser's is forbidden; the rest names its fields.
pub(crate) fn refused(e: VisitError) -> AppError {
    match e {
        VisitError::Workflow(WorkflowError::WrongSchool { .. }) => AppError::NotFound,
        VisitError::Workflow(WorkflowError::NotTheVisitsAdviser { .. })
        | VisitError::Workflow(WorkflowError::NotPermitted { .. }) => AppError::Forbidden,
        VisitError::Workflow(w) => match dated(&w) {
            Some(message) => AppError::field("date", message),
            None => invalid(w.field_errors()),
        },
        VisitError::Fields(f) => invalid(f),
        VisitError::Store(StoreError::Invalid(m)) => AppError::field("", m),
        VisitError::Store(e) => AppError::from(e),
    }
}

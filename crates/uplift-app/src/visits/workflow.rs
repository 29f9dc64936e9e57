//! Planning a visit and each step of its workflow, from the school's
//! self-evaluation to a final note with addenda. Each step loads the visit,
//! lets the domain check the stage, the actor and the fields, and writes
//! what changed in one transaction (audited).
//!
//! Field names in refusals: `urn`, `adviser_id`, `visit_type`,
//! `academic_year`, `date`, `start`, `end`, `focus` (planning); `date` (held);
//! `self_evaluation`, `review`, `response`, `comments`, `addendum`, the note's
//! own paths (`focus_areas[0].adviser_judgement`, `agreed_actions[1].due`,
//! `next_visit_date`, ...); `""` for the step itself (a wrong stage).

use jiff::civil::{Date, Time};
use uplift_domain::access::{Action, Scope};
use uplift_domain::calendar::AcademicYear;
use uplift_domain::visits::{NoteOfVisitForm, VisitAction, VisitType, WorkflowError};
use uplift_store::visits::{self as sv, PlanInput, VisitError, VisitFull};

use super::{refused, visible_visit, workflow_actor};
use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// The visit types offered when planning.
pub const PLAN_TYPES: [VisitType; 9] = [
    VisitType::SchoolEffectiveness,
    VisitType::Headline,
    VisitType::NewToHeadship,
    VisitType::KeepingInTouch,
    VisitType::Additional,
    VisitType::Safeguarding,
    VisitType::Monitoring,
    VisitType::DeepDive,
    VisitType::Review,
];

/// A visit to plan, as a person gave it.
#[derive(Debug, Clone, Default)]
pub struct PlanVisit {
    pub urn: Option<i64>,
    pub adviser_id: Option<i64>,
    /// The type's stored name (`school_effectiveness`, `headline`, ...).
    pub visit_type: String,
    /// `2026/27`.
    pub academic_year: String,
    pub date: Option<Date>,
    /// `09:30`, or blank.
    pub start: String,
    pub end: String,
    pub focus: String,
    pub attendees: Vec<String>,
}

fn time(problems: &mut Problems, text: &str, name: &str) -> Option<Time> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<Time>() {
        Ok(t) => Some(t),
        Err(_) => {
            problems.add(
                name,
                format!("Enter the {name} time as hours and minutes, like 09:30"),
            );
            None
        }
    }
}

/// Plans a visit: the school (in the organisation's estate), its adviser (the
/// caller, for an adviser; any, for a lead), a known type, the academic year
/// and a date in it that is a term-time working day, today or later, and the
/// focus. Refused, naming each field; nothing is saved.
pub async fn plan_visit(app: &App, caller: &Caller, input: PlanVisit) -> Result<VisitFull> {
    let org = caller.organisation_id();
    caller.authorize(Action::WriteVisits, Scope::Organisation(org))?;
    let who = workflow_actor(app, caller)
        .await?
        .ok_or(AppError::Forbidden)?;
    let mut problems = Problems::new();
    if input.urn.is_none() {
        problems.add("urn", "Select the school");
    }
    if input.adviser_id.is_none() {
        problems.add("adviser_id", "Select the adviser");
    }
    let vt = input.visit_type.trim();
    let visit_type = PLAN_TYPES.iter().find(|t| t.key() == vt).cloned();
    if visit_type.is_none() {
        if vt.is_empty() {
            problems.add("visit_type", "Select the type of visit");
        } else {
            problems.add(
                "visit_type",
                format!(
                    "There is no type of visit called {vt:?}: choose one of {}",
                    PLAN_TYPES
                        .iter()
                        .map(|t| t.key().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let year: Option<AcademicYear> = input.academic_year.trim().parse().ok();
    if year.is_none() {
        problems.add("academic_year", "Select the academic year, like 2026/27");
    }
    if input.date.is_none() {
        problems.add("date", "Enter the date of the visit");
    }
    let start = time(&mut problems, &input.start, "start");
    let end = time(&mut problems, &input.end, "end");
    if input.focus.trim().is_empty() {
        problems.add("focus", "Enter the focus of the visit");
    }
    problems.done()?;
    let (Some(urn), Some(adviser_id), Some(visit_type), Some(academic_year), Some(date)) =
        (input.urn, input.adviser_id, visit_type, year, input.date)
    else {
        return Err(AppError::field("", "The plan is incomplete"));
    };
    let plan = PlanInput {
        urn,
        adviser_id,
        visit_type,
        academic_year,
        date,
        start,
        end,
        focus: input.focus.trim().to_string(),
        attendees: input
            .attendees
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
    };
    let db = app.db();
    let cal = db.bank_holidays().await?;
    let days = db.response_working_days(org).await?;
    let mut tx = db.begin().await?;
    let full = sv::plan_visit(
        &mut tx,
        &caller.actor,
        org,
        &who,
        &plan,
        app.today(),
        &cal,
        days,
    )
    .await
    .map_err(|e| match e {
        VisitError::Workflow(WorkflowError::NotTheVisitsAdviser { .. }) => AppError::field(
            "adviser_id",
            "You can plan only your own visits: select yourself as the adviser",
        ),
        other => refused(other),
    })?;
    tx.commit().await?;
    Ok(full)
}

/// Applies one workflow action for the caller, in one transaction.
async fn act(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    action: Action,
    step: VisitAction,
) -> Result<VisitFull> {
    let full = visible_visit(app, caller, visit_id).await?;
    let org = caller.organisation_id();
    caller.authorize(
        action,
        Scope::School {
            organisation_id: org,
            urn: full.visit.urn,
        },
    )?;
    let who = workflow_actor(app, caller)
        .await?
        .ok_or(AppError::Forbidden)?;
    let db = app.db();
    let cal = db.bank_holidays().await?;
    let mut tx = db.begin().await?;
    let after = sv::act(
        &mut tx,
        &caller.actor,
        org,
        visit_id,
        &who,
        step,
        app.today(),
        &cal,
    )
    .await
    .map_err(refused)?
    .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

/// The adviser (or a lead) asks the school for its pre-visit self-evaluation.
pub async fn request_self_evaluation(
    app: &App,
    caller: &Caller,
    visit_id: i64,
) -> Result<VisitFull> {
    act(
        app,
        caller,
        visit_id,
        Action::WriteVisits,
        VisitAction::RequestSelfEvaluation,
    )
    .await
}

/// The school completes its self-evaluation (`self_evaluation`: not blank).
pub async fn complete_self_evaluation(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    content: &str,
) -> Result<VisitFull> {
    act(
        app,
        caller,
        visit_id,
        Action::RespondToVisits,
        VisitAction::CompleteSelfEvaluation {
            content: content.trim().to_string(),
        },
    )
    .await
}

/// The adviser reviews the school's self-evaluation (`review`: not blank).
pub async fn review_self_evaluation(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    review: &str,
) -> Result<VisitFull> {
    let review = review.trim();
    if review.is_empty() {
        visible_visit(app, caller, visit_id).await?;
        return Err(AppError::field(
            "review",
            "Enter your review of the school's self-evaluation",
        ));
    }
    act(
        app,
        caller,
        visit_id,
        Action::WriteVisits,
        VisitAction::ReviewSelfEvaluation {
            comments: review.to_string(),
        },
    )
    .await
}

/// The visit took place on `date` (today or earlier).
pub async fn record_held(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    date: Option<Date>,
) -> Result<VisitFull> {
    let Some(date) = date else {
        visible_visit(app, caller, visit_id).await?;
        return Err(AppError::field(
            "date",
            "Enter the date the visit took place",
        ));
    };
    act(
        app,
        caller,
        visit_id,
        Action::WriteVisits,
        VisitAction::RecordHeld { date },
    )
    .await
}

/// The adviser writes or rewrites the draft note (once the visit is held,
/// until it is sent); a judgement off the scale is refused on its field.
pub async fn draft_note(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    note: NoteOfVisitForm,
) -> Result<VisitFull> {
    act(
        app,
        caller,
        visit_id,
        Action::WriteVisits,
        VisitAction::DraftNote {
            note: Box::new(note),
        },
    )
    .await
}

/// The adviser sends the note to the headteacher (the response is due in
/// the organisation's working days; the school's users are notified).
pub async fn send_note(app: &App, caller: &Caller, visit_id: i64) -> Result<VisitFull> {
    act(
        app,
        caller,
        visit_id,
        Action::WriteVisits,
        VisitAction::SendToHeadteacher,
    )
    .await
}

/// The headteacher's response: `response` is `accurate` or `comments`
/// (then `comments` must not be blank); anything else is refused.
pub async fn respond_to_note(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    response: &str,
    comments: &str,
) -> Result<VisitFull> {
    let step = match response.trim() {
        "accurate" => VisitAction::MarkAccurate,
        "comments" => VisitAction::RespondWithComments {
            comments: comments.trim().to_string(),
        },
        _ => {
            visible_visit(app, caller, visit_id).await?;
            return Err(AppError::field(
                "response",
                "Select whether the note is accurate or you have comments",
            ));
        }
    };
    act(app, caller, visit_id, Action::RespondToVisits, step).await
}

/// The adviser records that the response window passed without a response.
pub async fn record_no_response(app: &App, caller: &Caller, visit_id: i64) -> Result<VisitFull> {
    act(
        app,
        caller,
        visit_id,
        Action::WriteVisits,
        VisitAction::RecordNoResponse,
    )
    .await
}

/// The note is shared with the chair of governors, by the adviser, a lead
/// or the headteacher.
pub async fn share_with_chair(app: &App, caller: &Caller, visit_id: i64) -> Result<VisitFull> {
    let action = if caller.principal.role == uplift_domain::access::Role::School {
        Action::RespondToVisits
    } else {
        Action::WriteVisits
    };
    act(app, caller, visit_id, action, VisitAction::ShareWithChair).await
}

/// The adviser makes the note final (locked; addenda only from then on).
pub async fn finalise_note(app: &App, caller: &Caller, visit_id: i64) -> Result<VisitFull> {
    act(
        app,
        caller,
        visit_id,
        Action::WriteVisits,
        VisitAction::Finalise,
    )
    .await
}

/// The adviser adds an addendum to a final note (`addendum`: not blank).
pub async fn add_addendum(
    app: &App,
    caller: &Caller,
    visit_id: i64,
    text: &str,
) -> Result<VisitFull> {
    act(
        app,
        caller,
        visit_id,
        Action::WriteVisits,
        VisitAction::AddAddendum {
            text: text.trim().to_string(),
        },
    )
    .await
}

/// The visit, if the caller may write its note: the visit's adviser or a
/// lead (forbidden otherwise).
pub async fn editable_note(app: &App, caller: &Caller, visit_id: i64) -> Result<VisitFull> {
    let full = visible_visit(app, caller, visit_id).await?;
    let who = workflow_actor(app, caller)
        .await?
        .ok_or(AppError::Forbidden)?;
    match &who.role {
        uplift_domain::visits::ActorRole::Lead => Ok(full),
        uplift_domain::visits::ActorRole::Adviser { adviser_id }
            if *adviser_id == full.visit.adviser_id.to_string() =>
        {
            Ok(full)
        }
        _ => Err(AppError::Forbidden),
    }
}

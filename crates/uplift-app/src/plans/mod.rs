//! Action plans and Statements of Action on a case: creating one, a change
//! as a new version, a review (progress judged, the next version agreed),
//! and Monitoring and Challenge records. One use case each, shared by the
//! plan pages and the API.
//!
//! The plan's content reaches a use case already read by its adapter (a
//! page's rows, a JSON body) as a [`ContentInput`]: the content, or the
//! adapter's refusals of it, reported beside the use case's own.

mod monitoring;

pub use monitoring::{record_monitoring_and_challenge, McInput};

use uplift_domain::access::{Action, Role};
use uplift_domain::concern::PlanContent;
use uplift_domain::register::Date;
use uplift_store::plans::{
    self as store, parse_judgement, parse_plan_kind, NewReview, PlanRecord, PriorityJudgement,
    ReviewRecord, VersionRecord,
};

use crate::concern::case_for;
use crate::error::Problems;
use crate::{App, AppError, Caller, FieldError, Result};

/// A plan's content as an adapter read it: the content, or its refusals
/// (each naming the adapter's field).
pub type ContentInput = std::result::Result<PlanContent, Vec<FieldError>>;

fn school_user(caller: &Caller) -> bool {
    caller.principal.role == Role::School
}

/// The plan of the caller's organisation, checked for `action` (a school
/// user: only their own school's current plan, the newest of an open case;
/// anything else is [`AppError::NotFound`]).
pub async fn plan_for(
    app: &App,
    caller: &Caller,
    plan_id: i64,
    action: Action,
) -> Result<PlanRecord> {
    let org = caller.organisation_id();
    let db = app.db();
    let plan = db.plan(org, plan_id).await?.ok_or(AppError::NotFound)?;
    caller.authorize(
        action,
        uplift_domain::access::Scope::School {
            organisation_id: org,
            urn: plan.urn,
        },
    )?;
    if school_user(caller) {
        let Some(case) = db.open_concern_case(org, plan.urn).await? else {
            return Err(AppError::NotFound);
        };
        let plans = db.case_plans(org, case.id).await?;
        if plans.last().is_none_or(|p| p.id != plan.id) {
            return Err(AppError::NotFound);
        }
    }
    Ok(plan)
}

/// The plans of a case the caller may read, each with its versions (a
/// school user: only the current plan of an open case).
pub async fn case_plans(
    app: &App,
    caller: &Caller,
    case_id: i64,
) -> Result<Vec<(PlanRecord, Vec<VersionRecord>)>> {
    let case = case_for(app, caller, case_id, Action::ReadConcern).await?;
    let db = app.db();
    let mut plans = db.case_plans(caller.organisation_id(), case.id).await?;
    if school_user(caller) {
        let last = if case.closed_on.is_none() {
            plans.pop()
        } else {
            None
        };
        plans = last.into_iter().collect();
    }
    let mut out = Vec::with_capacity(plans.len());
    for p in plans {
        let versions = db.plan_versions(p.id).await?;
        out.push((p, versions));
    }
    Ok(out)
}

/// A plan with its versions and reviews as the caller may read them (a
/// school user: the current version only, and no reviews).
pub async fn plan_detail(
    app: &App,
    caller: &Caller,
    plan_id: i64,
) -> Result<(PlanRecord, Vec<VersionRecord>, Vec<ReviewRecord>)> {
    let p = plan_for(app, caller, plan_id, Action::ReadConcern).await?;
    let db = app.db();
    let mut versions = db.plan_versions(p.id).await?;
    if school_user(caller) {
        let last = versions.pop();
        return Ok((p, last.into_iter().collect(), Vec::new()));
    }
    let reviews = db.plan_reviews(p.id).await?;
    Ok((p, versions, reviews))
}

fn content(problems: &mut Problems, content: ContentInput) -> Option<PlanContent> {
    match content {
        Ok(c) => Some(c),
        Err(errors) => {
            for e in errors {
                problems.add(&e.field, e.message);
            }
            None
        }
    }
}

/// A plan to create. Field names: `kind` (`action_plan` or
/// `statement_of_action`), `title` (blank: the kind's name; at most 200
/// characters), `agreed_on`, and the content's own.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub kind: String,
    pub title: String,
    pub agreed_on: Option<Date>,
    pub content: ContentInput,
}

/// Creates a plan on an open case, as version 1.
pub async fn create_plan(
    app: &App,
    caller: &Caller,
    case_id: i64,
    input: NewPlan,
) -> Result<(PlanRecord, VersionRecord)> {
    let case = case_for(app, caller, case_id, Action::WriteConcern).await?;
    let mut problems = Problems::new();
    let kind = parse_plan_kind(input.kind.trim());
    if kind.is_none() {
        problems.add(
            "kind",
            "Select whether this is an action plan or a Statement of Action",
        );
    }
    if input.title.trim().chars().count() > 200 {
        problems.add("title", "The title must be 200 characters or fewer");
    }
    if input.agreed_on.is_none() {
        problems.add(
            "agreed_on",
            "Enter the date the plan was agreed, for example 2026-11-24",
        );
    }
    if case.closed_on.is_some() {
        problems.add(
            "kind",
            "The case is closed: the school is no longer on the list",
        );
    }
    let content = content(&mut problems, input.content);
    problems.done()?;
    let (Some(kind), Some(agreed), Some(content)) = (kind, input.agreed_on, content) else {
        return Err(AppError::field("kind", "Select the kind of plan"));
    };
    let mut tx = app.db().begin().await?;
    let made = store::create_plan(
        &mut tx,
        &caller.actor,
        caller.organisation_id(),
        case.id,
        kind,
        input.title.trim(),
        agreed,
        &content,
    )
    .await
    .map_err(AppError::refused_on("content"))?;
    tx.commit().await?;
    Ok(made)
}

/// A change to a plan. Field names: `agreed_on` (not before the current
/// version's), `note` (what changed and why, at most 4,000 characters), and
/// the content's own.
#[derive(Debug, Clone)]
pub struct EditPlan {
    pub agreed_on: Option<Date>,
    pub note: String,
    pub content: ContentInput,
}

/// Records a change to a plan as a new version (earlier versions are kept).
pub async fn edit_plan(
    app: &App,
    caller: &Caller,
    plan_id: i64,
    input: EditPlan,
) -> Result<VersionRecord> {
    let plan = plan_for(app, caller, plan_id, Action::WriteConcern).await?;
    let db = app.db();
    let mut problems = Problems::new();
    let versions = db.plan_versions(plan.id).await?;
    let current = versions.last().and_then(|v| v.agreed());
    match (input.agreed_on, current) {
        (None, _) => problems.add(
            "agreed_on",
            "Enter the date the change was agreed, for example 2026-11-24",
        ),
        (Some(a), Some(c)) if a < c => problems.add(
            "agreed_on",
            format!(
                "The date the change was agreed must not be before the current version's ({})",
                uplift_domain::concern::long_date(c)
            ),
        ),
        _ => {}
    }
    let note = input.note.trim();
    if note.is_empty() {
        problems.add("note", "Enter what changed and why");
    } else if note.chars().count() > 4000 {
        problems.add("note", "The note must be 4,000 characters or fewer");
    }
    let content = content(&mut problems, input.content);
    problems.done()?;
    let (Some(agreed), Some(content)) = (input.agreed_on, content) else {
        return Err(AppError::field(
            "agreed_on",
            "Enter the date the change was agreed",
        ));
    };
    let mut tx = db.begin().await?;
    let v = store::edit_plan(
        &mut tx,
        &caller.actor,
        caller.organisation_id(),
        plan.id,
        agreed,
        note,
        &content,
    )
    .await
    .map_err(AppError::refused_on("content"))?;
    tx.commit().await?;
    Ok(v)
}

/// The judgement of one priority at a review: its `rag` (red, amber or
/// green) and a comment.
#[derive(Debug, Clone, Default)]
pub struct JudgementInput {
    pub priority: String,
    pub rag: String,
    pub comment: String,
}

/// A review. Field names: `review_date` (after the current version),
/// `progress` (red, amber or green), `summary` (the judgement, at most
/// 4,000 characters), `judgements[i].rag`, `meeting` (one of the
/// organisation's, or blank), and the next version's content's own.
#[derive(Debug, Clone)]
pub struct ReviewPlan {
    pub review_date: Option<Date>,
    pub progress: String,
    pub summary: String,
    pub judgements: Vec<JudgementInput>,
    pub attendees: Vec<String>,
    /// The meeting's number as given (blank: none).
    pub meeting: String,
    pub next: ContentInput,
}

/// Reviews a plan: progress judged (overall and per priority) and the next
/// version agreed.
pub async fn review_plan(
    app: &App,
    caller: &Caller,
    plan_id: i64,
    input: ReviewPlan,
) -> Result<(ReviewRecord, VersionRecord)> {
    let plan = plan_for(app, caller, plan_id, Action::WriteConcern).await?;
    let org = caller.organisation_id();
    let db = app.db();
    let mut problems = Problems::new();
    let versions = db.plan_versions(plan.id).await?;
    let current = versions.last().and_then(|v| v.agreed());
    match (input.review_date, current) {
        (None, _) => problems.add(
            "review_date",
            "Enter the date of the review, for example 2027-02-10",
        ),
        (Some(d), Some(c)) if d <= c => problems.add(
            "review_date",
            format!(
                "The review must come after the current version, agreed on {}",
                uplift_domain::concern::long_date(c)
            ),
        ),
        _ => {}
    }
    let progress = parse_judgement(input.progress.trim());
    if progress.is_none() {
        problems.add(
            "progress",
            "Select the overall progress: red, amber or green",
        );
    }
    let summary = input.summary.trim();
    if summary.is_empty() {
        problems.add("summary", "Enter the judgement of progress");
    } else if summary.chars().count() > 4000 {
        problems.add("summary", "The judgement must be 4,000 characters or fewer");
    }
    let mut judgements = Vec::new();
    for (i, j) in input.judgements.iter().enumerate() {
        match parse_judgement(j.rag.trim()) {
            Some(rag) => judgements.push(PriorityJudgement {
                priority: j.priority.clone(),
                rag,
                comment: j.comment.trim().to_string(),
            }),
            None => problems.add(
                &format!("judgements[{i}].rag"),
                format!("Select the progress on priority {} ({})", i + 1, j.priority),
            ),
        }
    }
    let meeting = input.meeting.trim();
    let meeting = if meeting.is_empty() {
        None
    } else {
        match meeting.parse::<i64>() {
            Ok(id) if db.meeting(org, id).await?.is_some() => Some(id),
            _ => {
                problems.add(
                    "meeting",
                    "Enter the number of one of your organisation's meetings, or leave it blank",
                );
                None
            }
        }
    };
    let next = content(&mut problems, input.next);
    problems.done()?;
    let (Some(date), Some(progress), Some(next)) = (input.review_date, progress, next) else {
        return Err(AppError::field(
            "review_date",
            "Enter the date of the review",
        ));
    };
    let review = NewReview {
        date,
        progress,
        summary: summary.to_string(),
        judgements,
        attendees: input
            .attendees
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
        meeting_id: meeting,
    };
    let mut tx = db.begin().await?;
    let r = store::review_plan(&mut tx, &caller.actor, org, plan.id, &review, &next)
        .await
        .map_err(AppError::refused_on("next"))?;
    tx.commit().await?;
    Ok(r)
}

//! Action plans and Statements of Action on a case (issue 6), with every
//! version kept: a change is a new version, never an overwrite. A review
//! judges progress against the current version (overall and per priority,
//! RAG) and agrees the next. Monitoring and Challenge records hold the head
//! of service's evaluation of progress and of the authority's own support.
//! Every change is audited and put on the case timeline.
//!
//! The rules (a plan needs priorities with actions; a review comes after the
//! version it judges and needs a judgement) are the domain's
//! (`uplift_domain::concern::plan`); this module applies them before writing.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use uplift_domain::concern::{
    MonitoringAndChallengeRecord, Plan, PlanContent, PlanKind, ReviewJudgement,
};
use uplift_domain::policy::Rag;
use uplift_domain::register::Date;

use crate::audit::{self, Actor, Change};
use crate::concern::{CaseRecord, NewEvent};
use crate::{now, Db, Result, StoreError, Tx};

/// The stored name of a plan kind.
pub fn plan_kind_name(kind: PlanKind) -> &'static str {
    match kind {
        PlanKind::ActionPlan => "action_plan",
        PlanKind::StatementOfAction => "statement_of_action",
    }
}

/// The plan kind stored under `name`.
pub fn parse_plan_kind(name: &str) -> Option<PlanKind> {
    match name.trim() {
        "action_plan" => Some(PlanKind::ActionPlan),
        "statement_of_action" => Some(PlanKind::StatementOfAction),
        _ => None,
    }
}

/// The words on screen for a plan kind.
pub fn plan_kind_label(kind: PlanKind) -> &'static str {
    match kind {
        PlanKind::ActionPlan => "Action plan",
        PlanKind::StatementOfAction => "Statement of Action",
    }
}

/// A progress judgement: red, amber or green (grey is not a judgement).
pub fn parse_judgement(s: &str) -> Option<Rag> {
    match s.trim() {
        "red" => Some(Rag::Red),
        "amber" => Some(Rag::Amber),
        "green" => Some(Rag::Green),
        _ => None,
    }
}

/// The case a plan, record or protocol belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct CaseRef {
    pub id: i64,
    pub organisation_id: i64,
    pub urn: i64,
}

/// The case `case_id` of the organisation (inside a transaction).
pub async fn case_ref(tx: &mut Tx, organisation_id: i64, case_id: i64) -> Result<CaseRecord> {
    crate::concern::case_in(tx, organisation_id, case_id).await
}

/// A plan (its versions are read separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct PlanRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub case_id: i64,
    pub urn: i64,
    /// action_plan or statement_of_action.
    pub kind: String,
    pub title: String,
    pub created_by: String,
    pub created_by_user_id: Option<i64>,
    pub created_at: String,
}

impl PlanRecord {
    pub fn kind(&self) -> PlanKind {
        parse_plan_kind(&self.kind).unwrap_or(PlanKind::ActionPlan)
    }
}

const PLAN_COLS: &str =
    "id, organisation_id, case_id, urn, kind, title, created_by, created_by_user_id, created_at";

/// One agreed version, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct VersionRecord {
    pub id: i64,
    pub plan_id: i64,
    pub number: i64,
    pub agreed_on: String,
    /// created, edited or reviewed.
    pub origin: String,
    pub note: Option<String>,
    pub content_json: String,
    pub created_by: String,
    pub created_by_user_id: Option<i64>,
    pub created_at: String,
}

impl VersionRecord {
    pub fn content(&self) -> Result<PlanContent> {
        serde_json::from_str(&self.content_json).map_err(|e| {
            StoreError::Invalid(format!(
                "stored plan version {} is unreadable: {e}",
                self.id
            ))
        })
    }

    pub fn agreed(&self) -> Option<Date> {
        self.agreed_on.get(..10)?.parse().ok()
    }
}

const VERSION_COLS: &str = "id, plan_id, number, agreed_on, origin, note, content_json, created_by, created_by_user_id, created_at";

/// The judgement of one priority at a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityJudgement {
    pub priority: String,
    /// red, amber or green.
    pub rag: Rag,
    pub comment: String,
}

/// A review as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ReviewRecord {
    pub id: i64,
    pub plan_id: i64,
    pub reviewed_version: i64,
    pub new_version: i64,
    pub review_date: String,
    pub progress: String,
    pub summary: String,
    pub judgements_json: String,
    pub attendees: String,
    pub meeting_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_by_user_id: Option<i64>,
    pub recorded_at: String,
}

impl ReviewRecord {
    pub fn judgements(&self) -> Vec<PriorityJudgement> {
        serde_json::from_str(&self.judgements_json).unwrap_or_default()
    }
}

const REVIEW_COLS: &str = "id, plan_id, reviewed_version, new_version, review_date, progress, summary, judgements_json, attendees, meeting_id, recorded_by, recorded_by_user_id, recorded_at";

/// Appends a step to the case timeline, about a row of `ref_kind`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn timeline(
    tx: &mut Tx,
    actor: &Actor,
    case: &CaseRecord,
    at: Date,
    kind: &str,
    summary: String,
    reference: (&str, i64),
    meeting_id: Option<i64>,
) -> Result<()> {
    crate::concern::add_event(
        tx,
        actor,
        case,
        NewEvent {
            at: Some(at),
            kind,
            summary,
            escalation_action: None,
            ref_kind: Some(reference.0),
            ref_id: Some(reference.1),
            meeting_id,
        },
    )
    .await
    .map(|_| ())
}

fn plan_error(e: uplift_domain::concern::PlanError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    plan_id: i64,
    number: i64,
    agreed_on: Date,
    origin: &str,
    note: Option<&str>,
    content: &PlanContent,
) -> Result<VersionRecord> {
    let json = serde_json::to_string(content)
        .map_err(|e| StoreError::Invalid(format!("the plan cannot be stored: {e}")))?;
    let row: VersionRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO action_plan_versions (plan_id, number, agreed_on, origin, note, content_json, created_by, created_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {VERSION_COLS}"))
        .bind(plan_id).bind(number).bind(agreed_on.to_string()).bind(origin).bind(note)
        .bind(&json).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("action_plan_version", row.id, Some(organisation_id), &row),
    )
    .await?;
    Ok(row)
}

/// Creates a plan on a case with its first version (validated by the
/// domain). Audited; on the case timeline.
#[allow(clippy::too_many_arguments)]
pub async fn create_plan(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    kind: PlanKind,
    title: &str,
    agreed_on: Date,
    content: &PlanContent,
) -> Result<(PlanRecord, VersionRecord)> {
    let case = case_ref(tx, organisation_id, case_id).await?;
    let title = title.trim();
    let title = if title.is_empty() {
        plan_kind_label(kind).to_string()
    } else if title.chars().count() > 200 {
        return Err(StoreError::Invalid(
            "the title must be 200 characters or fewer".into(),
        ));
    } else {
        title.to_string()
    };
    Plan::agree(kind, agreed_on, content.clone()).map_err(plan_error)?;
    let plan: PlanRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO action_plans (organisation_id, case_id, urn, kind, title, created_by, created_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {PLAN_COLS}"))
        .bind(organisation_id).bind(case_id).bind(case.urn).bind(plan_kind_name(kind)).bind(&title)
        .bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("action_plan", plan.id, Some(organisation_id), &plan),
    )
    .await?;
    let v = insert_version(
        tx,
        actor,
        organisation_id,
        plan.id,
        1,
        agreed_on,
        "created",
        None,
        content,
    )
    .await?;
    timeline(
        tx,
        actor,
        &case,
        agreed_on,
        "plan_created",
        format!(
            "{} \"{}\" agreed on {agreed_on} (version 1, {} {})",
            plan_kind_label(kind),
            title,
            content.priorities.len(),
            if content.priorities.len() == 1 {
                "priority"
            } else {
                "priorities"
            }
        ),
        ("plan", plan.id),
        None,
    )
    .await?;
    Ok((plan, v))
}

async fn plan_for_update(tx: &mut Tx, organisation_id: i64, plan_id: i64) -> Result<PlanRecord> {
    on_tx!(tx, c => sqlx::query_as::<_, PlanRecord>(&format!(
        "SELECT {PLAN_COLS} FROM action_plans WHERE organisation_id = $1 AND id = $2"))
        .bind(organisation_id).bind(plan_id).fetch_optional(&mut **c).await)?
    .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))
}

async fn current_version_tx(tx: &mut Tx, plan_id: i64) -> Result<VersionRecord> {
    on_tx!(tx, c => sqlx::query_as::<_, VersionRecord>(&format!(
        "SELECT {VERSION_COLS} FROM action_plan_versions WHERE plan_id = $1 ORDER BY number DESC LIMIT 1"))
        .bind(plan_id).fetch_optional(&mut **c).await)?
    .ok_or_else(|| StoreError::NotFound(format!("versions of plan {plan_id}")))
}

/// Records a change to a plan as a new version (the earlier ones are kept
/// unchanged), with a note of what changed. Audited; on the case timeline.
pub async fn edit_plan(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    plan_id: i64,
    agreed_on: Date,
    note: &str,
    content: &PlanContent,
) -> Result<VersionRecord> {
    let plan = plan_for_update(tx, organisation_id, plan_id).await?;
    let note = note.trim();
    if note.is_empty() {
        return Err(StoreError::Invalid(
            "the note of what changed is required".into(),
        ));
    }
    if note.chars().count() > 4000 {
        return Err(StoreError::Invalid(
            "the note of what changed must be 4,000 characters or fewer".into(),
        ));
    }
    let current = current_version_tx(tx, plan_id).await?;
    if let Some(cur) = current.agreed() {
        if agreed_on < cur {
            return Err(StoreError::Invalid(format!(
                "the date agreed ({agreed_on}) must not be before the current version's ({cur})"
            )));
        }
    }
    Plan::agree(plan.kind(), agreed_on, content.clone()).map_err(plan_error)?;
    let v = insert_version(
        tx,
        actor,
        organisation_id,
        plan_id,
        current.number + 1,
        agreed_on,
        "edited",
        Some(note),
        content,
    )
    .await?;
    let case = case_ref(tx, organisation_id, plan.case_id).await?;
    timeline(
        tx,
        actor,
        &case,
        agreed_on,
        "plan_edited",
        format!(
            "{} \"{}\" changed: version {} agreed on {agreed_on} ({note})",
            plan_kind_label(plan.kind()),
            plan.title,
            v.number
        ),
        ("plan", plan.id),
        None,
    )
    .await?;
    Ok(v)
}

/// A review to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    pub date: Date,
    /// Overall progress: red, amber or green.
    pub progress: Rag,
    pub summary: String,
    pub judgements: Vec<PriorityJudgement>,
    pub attendees: Vec<String>,
    pub meeting_id: Option<i64>,
}

/// Reviews a plan: progress against the current version judged (overall and
/// per priority), and the next version agreed. Refused (nothing saved) when
/// the review is not after the current version, has no judgement, or the
/// next version is not a valid plan. Audited; on the case timeline.
pub async fn review_plan(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    plan_id: i64,
    review: &NewReview,
    next: &PlanContent,
) -> Result<(ReviewRecord, VersionRecord)> {
    let plan = plan_for_update(tx, organisation_id, plan_id).await?;
    if review.progress == Rag::Grey {
        return Err(StoreError::Invalid(
            "the overall progress must be red, amber or green".into(),
        ));
    }
    if review.judgements.iter().any(|j| j.rag == Rag::Grey) {
        return Err(StoreError::Invalid(
            "each priority's progress must be red, amber or green".into(),
        ));
    }
    if review.summary.trim().chars().count() > 4000 {
        return Err(StoreError::Invalid(
            "the judgement must be 4,000 characters or fewer".into(),
        ));
    }
    if let Some(m) = review.meeting_id {
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM meetings WHERE organisation_id = $1 AND id = $2")
            .bind(organisation_id).bind(m).fetch_one(&mut **c).await)?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "the meeting {m} is not one of the organisation's meetings"
            )));
        }
    }
    let current = current_version_tx(tx, plan_id).await?;
    let current_date = current
        .agreed()
        .ok_or_else(|| StoreError::Invalid("the current version has no date".into()))?;
    // The domain's rules: after the current version, a judgement, a valid next plan.
    let mut domain =
        Plan::agree(plan.kind(), current_date, current.content()?).map_err(plan_error)?;
    domain
        .review(
            review.date,
            ReviewJudgement {
                progress: review.progress,
                summary: review.summary.trim().to_string(),
                attendees: review.attendees.clone(),
            },
            next.clone(),
        )
        .map_err(plan_error)?;
    let new_number = current.number + 1;
    let judgements = serde_json::to_string(&review.judgements)
        .map_err(|e| StoreError::Invalid(format!("the judgements cannot be stored: {e}")))?;
    let attendees = review
        .attendees
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let row: ReviewRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO action_plan_reviews (plan_id, reviewed_version, new_version, review_date, progress, summary,
             judgements_json, attendees, meeting_id, recorded_by, recorded_by_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {REVIEW_COLS}"))
        .bind(plan_id).bind(current.number).bind(new_number).bind(review.date.to_string())
        .bind(review.progress.as_str()).bind(review.summary.trim()).bind(&judgements).bind(&attendees)
        .bind(review.meeting_id).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("action_plan_review", row.id, Some(organisation_id), &row),
    )
    .await?;
    let v = insert_version(
        tx,
        actor,
        organisation_id,
        plan_id,
        new_number,
        review.date,
        "reviewed",
        None,
        next,
    )
    .await?;
    let case = case_ref(tx, organisation_id, plan.case_id).await?;
    timeline(
        tx,
        actor,
        &case,
        review.date,
        "plan_reviewed",
        format!(
            "{} \"{}\" reviewed on {}: progress {} ({}); version {new_number} agreed",
            plan_kind_label(plan.kind()),
            plan.title,
            review.date,
            review.progress.as_str(),
            review.summary.trim()
        ),
        ("plan", plan.id),
        review.meeting_id,
    )
    .await?;
    Ok((row, v))
}

/// A Monitoring and Challenge record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct McRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub case_id: i64,
    pub meeting_id: Option<i64>,
    pub record_date: String,
    pub progress: String,
    pub progress_evaluation: String,
    pub authority_support: String,
    pub authority_support_evaluation: String,
    pub recorded_by: String,
    pub recorded_by_user_id: Option<i64>,
    pub recorded_at: String,
}

const MC_COLS: &str = "id, organisation_id, case_id, meeting_id, record_date, progress, progress_evaluation, authority_support, authority_support_evaluation, recorded_by, recorded_by_user_id, recorded_at";

/// Records the head of service's evaluation at a Monitoring and Challenge
/// Meeting. Both evaluations are required. Audited; on the case timeline.
pub async fn record_monitoring_and_challenge(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    meeting_id: Option<i64>,
    record: &MonitoringAndChallengeRecord,
) -> Result<McRecord> {
    let case = case_ref(tx, organisation_id, case_id).await?;
    for (rag, what) in [
        (record.progress, "the school's progress"),
        (record.authority_support, "the authority's support"),
    ] {
        if rag == Rag::Grey {
            return Err(StoreError::Invalid(format!(
                "the judgement of {what} must be red, amber or green"
            )));
        }
    }
    for (text, what) in [
        (&record.progress_evaluation, "the evaluation of progress"),
        (
            &record.authority_support_evaluation,
            "the evaluation of the authority's support",
        ),
    ] {
        if text.trim().is_empty() {
            return Err(StoreError::Invalid(format!("{what} is required")));
        }
        if text.trim().chars().count() > 4000 {
            return Err(StoreError::Invalid(format!(
                "{what} must be 4,000 characters or fewer"
            )));
        }
    }
    if let Some(m) = meeting_id {
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM meetings WHERE organisation_id = $1 AND id = $2")
            .bind(organisation_id).bind(m).fetch_one(&mut **c).await)?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "the meeting {m} is not one of the organisation's meetings"
            )));
        }
    }
    let row: McRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO monitoring_challenge_records (organisation_id, case_id, meeting_id, record_date, progress,
             progress_evaluation, authority_support, authority_support_evaluation, recorded_by, recorded_by_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {MC_COLS}"))
        .bind(organisation_id).bind(case_id).bind(meeting_id).bind(record.date.to_string())
        .bind(record.progress.as_str()).bind(record.progress_evaluation.trim())
        .bind(record.authority_support.as_str()).bind(record.authority_support_evaluation.trim())
        .bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created(
            "monitoring_challenge_record",
            row.id,
            Some(organisation_id),
            &row,
        ),
    )
    .await?;
    timeline(
        tx,
        actor,
        &case,
        record.date,
        "monitoring_and_challenge",
        format!(
            "Monitoring and Challenge on {}: progress {}, the authority's support {}",
            record.date,
            record.progress.as_str(),
            record.authority_support.as_str()
        ),
        ("monitoring_challenge_record", row.id),
        meeting_id,
    )
    .await?;
    Ok(row)
}

impl Db {
    /// The plans of a case, oldest first.
    pub async fn case_plans(&self, organisation_id: i64, case_id: i64) -> Result<Vec<PlanRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {PLAN_COLS} FROM action_plans WHERE organisation_id = $1 AND case_id = $2 ORDER BY id"))
            .bind(organisation_id).bind(case_id).fetch_all(p).await)?)
    }

    /// The plans about a school, newest first.
    pub async fn school_plans(&self, organisation_id: i64, urn: i64) -> Result<Vec<PlanRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {PLAN_COLS} FROM action_plans WHERE organisation_id = $1 AND urn = $2 ORDER BY id DESC"))
            .bind(organisation_id).bind(urn).fetch_all(p).await)?)
    }

    pub async fn plan(&self, organisation_id: i64, plan_id: i64) -> Result<Option<PlanRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {PLAN_COLS} FROM action_plans WHERE organisation_id = $1 AND id = $2"))
            .bind(organisation_id).bind(plan_id).fetch_optional(p).await)?)
    }

    /// Every version of a plan, oldest first.
    pub async fn plan_versions(&self, plan_id: i64) -> Result<Vec<VersionRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {VERSION_COLS} FROM action_plan_versions WHERE plan_id = $1 ORDER BY number"))
            .bind(plan_id).fetch_all(p).await)?)
    }

    /// The plans of the organisation's open cases, each with its versions
    /// (oldest first), in plan order: two queries however many cases and
    /// plans there are (the agenda's review deadlines read these).
    pub async fn open_case_plans(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<(PlanRecord, Vec<VersionRecord>)>> {
        const OPEN: &str =
            "SELECT id FROM concern_cases WHERE organisation_id = $1 AND closed_on IS NULL";
        let plans: Vec<PlanRecord> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {PLAN_COLS} FROM action_plans WHERE organisation_id = $1 AND case_id IN ({OPEN}) ORDER BY id"))
            .bind(organisation_id).fetch_all(p).await)?;
        let versions: Vec<VersionRecord> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {VERSION_COLS} FROM action_plan_versions WHERE plan_id IN (
                 SELECT id FROM action_plans WHERE organisation_id = $1 AND case_id IN ({OPEN}))
             ORDER BY plan_id, number"))
            .bind(organisation_id).fetch_all(p).await)?;
        let mut by_plan: std::collections::HashMap<i64, Vec<VersionRecord>> =
            std::collections::HashMap::new();
        for v in versions {
            by_plan.entry(v.plan_id).or_default().push(v);
        }
        Ok(plans
            .into_iter()
            .map(|p| {
                let v = by_plan.remove(&p.id).unwrap_or_default();
                (p, v)
            })
            .collect())
    }

    /// Every review of a plan, oldest first.
    pub async fn plan_reviews(&self, plan_id: i64) -> Result<Vec<ReviewRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {REVIEW_COLS} FROM action_plan_reviews WHERE plan_id = $1 ORDER BY id"))
            .bind(plan_id).fetch_all(p).await)?)
    }

    /// The Monitoring and Challenge records of a case, newest first.
    pub async fn monitoring_and_challenge(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> Result<Vec<McRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {MC_COLS} FROM monitoring_challenge_records WHERE organisation_id = $1 AND case_id = $2
             ORDER BY record_date DESC, id DESC"))
            .bind(organisation_id).bind(case_id).fetch_all(p).await)?)
    }

    /// The case a plan's page belongs to: its URN and organisation (for scope checks).
    pub async fn case_of(&self, organisation_id: i64, case_id: i64) -> Result<Option<CaseRef>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT id, organisation_id, urn FROM concern_cases WHERE organisation_id = $1 AND id = $2")
            .bind(organisation_id).bind(case_id).fetch_optional(p).await)?)
    }
}

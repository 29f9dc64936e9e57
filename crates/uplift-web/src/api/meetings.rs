//! The API of meetings, agendas, decisions at meetings, action plans and
//! their versions and reviews, and School Performance Board protocols
//! (issue 6). Same permissions as the pages (school users: only their own
//! school's current plan). Refused input answers 422 with
//! `{"error": "...", "errors": [{"field", "message"}]}`; nothing is saved.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uplift_domain::access::{Action, Role, Scope};
use uplift_domain::calendar::{AcademicYear, TermDates};
use uplift_domain::concern::PlanContent;
use uplift_store::meetings::{self as store, parse_kind, Meeting, MeetingFilter, MeetingStatus};
use uplift_store::plans::{
    self as plans_store, parse_judgement, parse_plan_kind, NewReview, PlanRecord,
    PriorityJudgement, VersionRecord,
};
use uplift_store::spb::{self as spb_store, rebuild, step_label, step_name, SpbStart};
use uplift_store::StoreError;
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};
use crate::pages::concern::case_for;
use crate::pages::meetings::{
    at_meeting, check_attendee, check_minute, check_new_meeting, check_schedule, check_term_dates,
    half_term_key, live_agenda, meeting_decision, meeting_field, meeting_of, parse_date,
    plan_schedule, section_label, status_refusal, today, STATUS_MISSING,
};
use crate::pages::plans::plan_for;
use crate::pages::spb::{automatic_category, spb_for, state_words, status_rows, step_from};
use crate::paths;

/// A refusal naming its fields.
#[derive(Debug, Clone, ToSchema)]
pub struct FieldRefusal {
    /// All the messages, joined.
    pub error: String,
    /// `[{"field": ..., "message": ...}]`
    #[schema(value_type = Vec<Object>)]
    pub errors: Value,
}

/// The 422 naming each refused field (every refusal of the
/// causing-concern and meetings API).
pub(crate) fn refuse(errors: &[(String, String)]) -> Response {
    let body = json!({
        "error": errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "),
        "errors": errors.iter().map(|(f, m)| json!({"field": f, "message": m})).collect::<Vec<_>>(),
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

pub(crate) fn one(field: &str, message: impl Into<String>) -> Response {
    refuse(&[(field.to_string(), message.into())])
}

/// The body, or the refusal to send (a response is the error: it is sent as it is).
#[allow(clippy::result_large_err)]
pub(crate) fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, Response> {
    b.map(|Json(t)| t).map_err(|e| {
        one(
            "body",
            format!(
                "the body must be JSON of the documented shape: {}",
                e.body_text()
            ),
        )
    })
}

/// A store refusal as a field refusal; other errors pass through.
pub(crate) fn store_refusal(e: StoreError, field: &str) -> Result<Response, ApiError> {
    match e {
        StoreError::Invalid(m) => Ok(one(field, m)),
        other => Err(other.into()),
    }
}

fn meeting_json(m: &Meeting) -> Value {
    json!({
        "id": m.id, "kind": m.kind, "kind_name": m.kind_label(), "date": m.meeting_date,
        "title": m.title, "status": m.status, "focus_urn": m.focus_urn, "location": m.location,
        "warnings": m.warnings,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingsParams {
    /// A kind (`schools_review_group`, `advisory_committee`, ...).
    pub kind: Option<String>,
    /// From this date (YYYY-MM-DD).
    pub from: Option<String>,
    /// To this date (YYYY-MM-DD).
    pub to: Option<String>,
}

/// The organisation's meetings in date order.
#[utoipa::path(get, path = "/api/v1/meetings", security(("bearer" = [])), params(MeetingsParams),
    responses((status = 200, body = Object, description = "`{meetings: [{id, kind, kind_name, date, title, status, focus_urn, location, warnings}]}`"),
        (status = 422, body = FieldRefusal), (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MeetingsParams>,
) -> Result<Response, ApiError> {
    let mut f = MeetingFilter::default();
    if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        match parse_kind(k) {
            Some(k) => f.kind = Some(k),
            None => return Ok(one("kind", format!("{k:?} is not a kind of meeting"))),
        }
    }
    for (name, value, slot) in [("from", &q.from, &mut f.from), ("to", &q.to, &mut f.to)] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            match parse_date(v) {
                Some(d) => *slot = Some(d),
                None => return Ok(one(name, "must be a date, YYYY-MM-DD")),
            }
        }
    }
    let meetings = state
        .db
        .meetings(user.principal.organisation_id, &f)
        .await?;
    Ok(
        Json(json!({ "meetings": meetings.iter().map(meeting_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMeetingBody {
    /// `schools_review_group`, `advisory_committee`, `schools_causing_concern`,
    /// `school_performance_board`, `monitoring_and_challenge`, `team_around_the_school`,
    /// `rapid_improvement_group` or `education_improvement_group`.
    pub kind: String,
    /// YYYY-MM-DD.
    pub date: String,
    #[serde(default)]
    pub title: String,
    /// The school, for a meeting about one school.
    pub urn: Option<i64>,
    #[serde(default)]
    pub location: String,
    /// Keep a date on a weekend, a bank holiday or outside term (otherwise refused with the warning).
    #[serde(default)]
    pub confirm_warnings: bool,
}

/// Creates a meeting. A date with warnings (weekend, bank holiday, outside
/// term) is refused naming `date` unless `confirm_warnings` is true.
#[utoipa::path(post, path = "/api/v1/meetings", security(("bearer" = [])), request_body = NewMeetingBody,
    responses((status = 200, body = Object, description = "The meeting"), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    b: Result<Json<NewMeetingBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let org = user.principal.organisation_id;
    let urn = b.urn.map(|u| u.to_string()).unwrap_or_default();
    let checked = match check_new_meeting(
        &state,
        org,
        &b.kind,
        &b.date,
        &b.title,
        &urn,
        &b.location,
    )
    .await?
    {
        Ok(c) => c,
        Err(errors) => return Ok(refuse(&errors)),
    };
    if !checked.warnings.is_empty() && !b.confirm_warnings {
        return Ok(one(
            "date",
            format!(
                "{}; send confirm_warnings: true to keep this date",
                checked.warnings.join("; ")
            ),
        ));
    }
    let mut tx = state.db.begin().await?;
    let m = store::create_meeting(&mut tx, &user.actor(), org, &checked.new).await?;
    tx.commit().await?;
    Ok(Json(meeting_json(&m)).into_response())
}

/// A meeting with its attendees, minutes and the decisions taken at it.
#[utoipa::path(get, path = "/api/v1/meetings/{meeting_id}", security(("bearer" = [])),
    params(("meeting_id" = i64, Path, description = "The meeting")),
    responses((status = 200, body = Object, description = "`{meeting, attendees, minutes, decisions}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let org = user.principal.organisation_id;
    let attendees = state.db.meeting_attendees(m.id).await?;
    let minutes = state.db.meeting_minutes(m.id).await?;
    let decisions = state.db.meeting_decisions(org, m.id).await?;
    Ok(Json(json!({
        "meeting": meeting_json(&m),
        "attendees": attendees.iter().map(|a| json!({"id": a.id, "name": a.name, "role": a.role})).collect::<Vec<_>>(),
        "minutes": minutes.iter().map(|x| json!({"id": x.id, "urn": x.urn, "body": x.body, "recorded_by": x.recorded_by, "recorded_at": x.recorded_at})).collect::<Vec<_>>(),
        "decisions": decisions.iter().map(|d| json!({"id": d.id, "case_id": d.case_id, "urn": d.urn, "school": d.school, "kind": d.kind, "label": d.label(), "rationale": d.rationale, "decided_on": d.decided_on, "decided_by": d.decided_by})).collect::<Vec<_>>(),
    })))
}

/// The agenda: as issued, or (when not issued yet) as it builds itself now.
#[utoipa::path(get, path = "/api/v1/meetings/{meeting_id}/agenda", security(("bearer" = [])),
    params(("meeting_id" = i64, Path, description = "The meeting")),
    responses((status = 200, body = Object, description = "`{issued, issued_at, items: [{section, section_name, urn, school, detail}]}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let issued = state.db.meeting_agenda(m.id).await?;
    let (agenda, issued_at) = match &issued {
        Some(s) => (s.agenda()?, Some(s.issued_at.clone())),
        None => (
            live_agenda(&state, user.principal.organisation_id, &m)
                .await?
                .agenda,
            None,
        ),
    };
    Ok(Json(json!({
        "issued": issued_at.is_some(),
        "issued_at": issued_at,
        "items": agenda.items.iter().map(|i| json!({
            "section": i.section, "section_name": section_label(i.section), "urn": i.urn.get(),
            "school": i.school, "detail": i.detail,
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// A school on the meeting's agenda.
    pub urn: i64,
    /// designate, continue, remove, letter_of_concern, recommend_warning_notice, escalate,
    /// notify_regional_director or other.
    pub kind: String,
    /// For `other`: what was decided.
    #[serde(default)]
    pub other: String,
    pub rationale: String,
}

/// Records the meeting's decision about a school on its agenda, with the
/// case: the list changes, letters are drafted and tasks created.
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/decisions", security(("bearer" = [])),
    params(("meeting_id" = i64, Path, description = "The meeting")), request_body = DecisionBody,
    responses((status = 200, body = Object, description = "`{decision, case_id, tasks, letters}`"), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let org = user.principal.organisation_id;
    let at = at_meeting(&state, org, &m, b.urn).await?;
    let input = meeting_decision(at, b.urn, &b.kind, &b.other, &b.rationale);
    let r = match uplift_app::concern::record_decision(&state.app, &user.caller(), input).await {
        Ok(r) => r,
        Err(uplift_app::AppError::Invalid(errors)) => {
            let errors: Vec<(String, String)> = errors
                .into_iter()
                .map(|e| (meeting_field(&e.field).to_owned(), e.message))
                .collect();
            return Ok(refuse(&errors));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(json!({
        "decision": {"id": r.decision.id, "kind": r.decision.kind, "label": r.decision.label(), "rationale": r.decision.rationale, "decided_on": r.decision.decided_on, "meeting_id": r.decision.meeting_id},
        "case_id": r.case.as_ref().map(|c| c.id),
        "case_state": r.case.as_ref().map(|c| c.state.clone()),
        "tasks": r.tasks.iter().map(|t| json!({"id": t.id, "title": t.title, "owner_role": t.owner_role, "due_on": t.due_on})).collect::<Vec<_>>(),
        "letters": r.letters.iter().map(|l| json!({"id": l.id, "kind": l.kind, "title": l.title, "status": l.status})).collect::<Vec<_>>(),
    }))
    .into_response())
}

// ---------------------------------------------------------------------------
// Plans

fn version_json(v: &VersionRecord) -> Value {
    json!({
        "number": v.number, "agreed_on": v.agreed_on, "origin": v.origin, "note": v.note,
        "content": serde_json::from_str::<Value>(&v.content_json).unwrap_or(Value::Null),
        "created_by": v.created_by,
    })
}

fn plan_json(p: &PlanRecord) -> Value {
    json!({"id": p.id, "case_id": p.case_id, "urn": p.urn, "kind": p.kind, "title": p.title, "created_at": p.created_at})
}

/// The plans of a case with their current versions (a school user: their
/// own school's current plan only).
#[utoipa::path(get, path = "/api/v1/concern/cases/{case_id}/plans", security(("bearer" = [])),
    params(("case_id" = i64, Path, description = "The case")),
    responses((status = 200, body = Object, description = "`{plans: [{id, case_id, urn, kind, title, current}]}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn case_plans(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let case = case_for(&state, &user, &case_id, Action::ReadConcern).await?;
    let org = user.principal.organisation_id;
    let mut plans = state.db.case_plans(org, case.id).await?;
    if user.principal.role == Role::School {
        let last = if case.closed_on.is_none() {
            plans.pop()
        } else {
            None
        };
        plans = last.into_iter().collect();
    }
    let mut out = Vec::new();
    for p in &plans {
        let versions = state.db.plan_versions(p.id).await?;
        let mut j = plan_json(p);
        j["current"] = versions.last().map(version_json).unwrap_or(Value::Null);
        out.push(j);
    }
    Ok(Json(json!({ "plans": out })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPlanBody {
    /// action_plan or statement_of_action.
    pub kind: String,
    #[serde(default)]
    pub title: String,
    /// YYYY-MM-DD.
    pub agreed_on: String,
    /// `{priorities: [{title, success_criteria: [..], actions: [{description, owner
    /// (school|authority|adviser|brokered_partner), owner_name, milestones: [{due, description,
    /// met}], success_criteria, evidence, rag (red|amber|green|grey)}]}], review_cadence
    /// (termly|half_termly)}`
    #[schema(value_type = Object)]
    pub content: Value,
}

#[allow(clippy::result_large_err)]
fn content_from(v: Value) -> Result<PlanContent, Response> {
    serde_json::from_value(v).map_err(|e| {
        one(
            "content",
            format!("the plan is not of the documented shape: {e}"),
        )
    })
}

/// Creates a plan on a case (version 1).
#[utoipa::path(post, path = "/api/v1/concern/cases/{case_id}/plans", security(("bearer" = [])),
    params(("case_id" = i64, Path, description = "The case")), request_body = NewPlanBody,
    responses((status = 200, body = Object, description = "`{plan, version}`"), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn create_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<NewPlanBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case = case_for(&state, &user, &case_id, Action::WriteConcern).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let Some(kind) = parse_plan_kind(&b.kind) else {
        return Ok(one("kind", "must be action_plan or statement_of_action"));
    };
    let Some(agreed) = parse_date(&b.agreed_on) else {
        return Ok(one("agreed_on", "must be a date, YYYY-MM-DD"));
    };
    let content = match content_from(b.content) {
        Ok(c) => c,
        Err(r) => return Ok(r),
    };
    let mut tx = state.db.begin().await?;
    match plans_store::create_plan(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        case.id,
        kind,
        &b.title,
        agreed,
        &content,
    )
    .await
    {
        Ok((p, v)) => {
            tx.commit().await?;
            Ok(Json(json!({"plan": plan_json(&p), "version": version_json(&v)})).into_response())
        }
        Err(e) => store_refusal(e, "content"),
    }
}

/// A plan with every version and every review (a school user: their own
/// school's current plan, current version only).
#[utoipa::path(get, path = "/api/v1/plans/{plan_id}", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "The plan")),
    responses((status = 200, body = Object, description = "`{plan, versions, reviews}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let p = plan_for(&state, &user, &plan_id, Action::ReadConcern).await?;
    let mut versions = state.db.plan_versions(p.id).await?;
    let school = user.principal.role == Role::School;
    if school {
        let last = versions.pop();
        versions = last.into_iter().collect();
    }
    let reviews = if school {
        Vec::new()
    } else {
        state.db.plan_reviews(p.id).await?
    };
    Ok(Json(json!({
        "plan": plan_json(&p),
        "versions": versions.iter().map(version_json).collect::<Vec<_>>(),
        "reviews": reviews.iter().map(|r| json!({
            "id": r.id, "review_date": r.review_date, "reviewed_version": r.reviewed_version,
            "new_version": r.new_version, "progress": r.progress, "summary": r.summary,
            "judgements": r.judgements(), "attendees": r.attendees.lines().collect::<Vec<_>>(),
            "meeting_id": r.meeting_id, "recorded_by": r.recorded_by,
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditPlanBody {
    /// YYYY-MM-DD, not before the current version's.
    pub agreed_on: String,
    /// What changed and why.
    pub note: String,
    /// The whole plan as it now stands (see the create body).
    #[schema(value_type = Object)]
    pub content: Value,
}

/// Records a change to a plan as a new version (earlier versions are kept).
#[utoipa::path(post, path = "/api/v1/plans/{plan_id}/versions", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "The plan")), request_body = EditPlanBody,
    responses((status = 200, body = Object, description = "The new version"), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn edit_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    b: Result<Json<EditPlanBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let p = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let Some(agreed) = parse_date(&b.agreed_on) else {
        return Ok(one("agreed_on", "must be a date, YYYY-MM-DD"));
    };
    if b.note.trim().is_empty() {
        return Ok(one("note", "say what changed and why"));
    }
    let content = match content_from(b.content) {
        Ok(c) => c,
        Err(r) => return Ok(r),
    };
    let mut tx = state.db.begin().await?;
    match plans_store::edit_plan(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        p.id,
        agreed,
        &b.note,
        &content,
    )
    .await
    {
        Ok(v) => {
            tx.commit().await?;
            Ok(Json(version_json(&v)).into_response())
        }
        Err(e) => store_refusal(e, "content"),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct JudgementBody {
    pub priority: String,
    /// red, amber or green.
    pub rag: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// YYYY-MM-DD, after the current version.
    pub review_date: String,
    /// Overall: red, amber or green.
    pub progress: String,
    pub summary: String,
    #[serde(default)]
    pub judgements: Vec<JudgementBody>,
    #[serde(default)]
    pub attendees: Vec<String>,
    pub meeting_id: Option<i64>,
    /// The next version as agreed (see the create body).
    #[schema(value_type = Object)]
    pub next: Value,
}

/// Reviews a plan: progress judged and the next version agreed.
#[utoipa::path(post, path = "/api/v1/plans/{plan_id}/reviews", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "The plan")), request_body = ReviewBody,
    responses((status = 200, body = Object, description = "`{review_id, version}`"), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn review_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    b: Result<Json<ReviewBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let p = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let mut errors = Vec::new();
    let date = parse_date(&b.review_date);
    if date.is_none() {
        errors.push((
            "review_date".to_string(),
            "must be a date, YYYY-MM-DD".to_string(),
        ));
    }
    let progress = parse_judgement(&b.progress);
    if progress.is_none() {
        errors.push(("progress".into(), "must be red, amber or green".into()));
    }
    if b.summary.trim().is_empty() {
        errors.push((
            "summary".into(),
            "the judgement of progress is required".into(),
        ));
    }
    let mut judgements = Vec::new();
    for (i, j) in b.judgements.iter().enumerate() {
        match parse_judgement(&j.rag) {
            Some(rag) => judgements.push(PriorityJudgement {
                priority: j.priority.clone(),
                rag,
                comment: j.comment.clone(),
            }),
            None => errors.push((
                format!("judgements[{i}].rag"),
                "must be red, amber or green".into(),
            )),
        }
    }
    let (Some(date), Some(progress), true) = (date, progress, errors.is_empty()) else {
        return Ok(refuse(&errors));
    };
    let next = match content_from(b.next) {
        Ok(c) => c,
        Err(_) => {
            return Ok(one(
                "next",
                "the next version is not of the documented shape",
            ))
        }
    };
    let mut tx = state.db.begin().await?;
    let review = NewReview {
        date,
        progress,
        summary: b.summary,
        judgements,
        attendees: b.attendees,
        meeting_id: b.meeting_id,
    };
    match plans_store::review_plan(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        p.id,
        &review,
        &next,
    )
    .await
    {
        Ok((r, v)) => {
            tx.commit().await?;
            Ok(Json(json!({"review_id": r.id, "version": version_json(&v)})).into_response())
        }
        Err(e) => store_refusal(e, "next"),
    }
}

// ---------------------------------------------------------------------------
// SPB

async fn spb_json(state: &AppState, spb: &spb_store::SpbRecord) -> Result<Value, Problem> {
    let steps = state.db.spb_steps(spb.id).await?;
    let protocol = rebuild(spb, &steps)?;
    let status = status_rows(state, &protocol).await?;
    Ok(json!({
        "id": spb.id, "case_id": spb.case_id, "urn": spb.urn, "route": spb.route,
        "requested_by": spb.requested_by, "category": spb.category, "requested_on": spb.requested_on,
        "meeting_date": protocol.meeting_date().map(|d| d.to_string()),
        "steps": status.iter().map(|(step, due, on, st, rule)| json!({
            "step": step_name(*step), "label": step_label(*step), "due": due.map(|d| d.to_string()),
            "done_on": on.map(|d| d.to_string()), "state": state_words(st).0, "overdue": matches!(st, uplift_domain::concern::StepState::Overdue),
            "rule": rule,
        })).collect::<Vec<_>>(),
    }))
}

/// A case's SPB protocols with every step's due date and state.
#[utoipa::path(get, path = "/api/v1/concern/cases/{case_id}/spb", security(("bearer" = [])),
    params(("case_id" = i64, Path, description = "The case")),
    responses((status = 200, body = Object, description = "`{protocols: [{id, route, meeting_date, steps: [{step, label, due, done_on, state, overdue, rule}]}]}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn case_spbs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let case = case_for(&state, &user, &case_id, Action::ReadMeetings).await?;
    let mut out = Vec::new();
    for s in state
        .db
        .case_spbs(user.principal.organisation_id, case.id)
        .await?
    {
        out.push(spb_json(&state, &s).await?);
    }
    Ok(Json(json!({ "protocols": out })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StartSpbBody {
    /// requested or automatic (special measures or serious weaknesses only).
    pub route: String,
    /// Who requested it (route requested).
    #[serde(default)]
    pub requested_by: String,
    /// YYYY-MM-DD.
    pub requested_on: String,
}

/// Starts a School Performance Board protocol on a case.
#[utoipa::path(post, path = "/api/v1/concern/cases/{case_id}/spb", security(("bearer" = [])),
    params(("case_id" = i64, Path, description = "The case")), request_body = StartSpbBody,
    responses((status = 200, body = Object, description = "The protocol"), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn start_spb(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<StartSpbBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case = case_for(&state, &user, &case_id, Action::WriteConcern).await?;
    let org = user.principal.organisation_id;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let Some(date) = parse_date(&b.requested_on) else {
        return Ok(one("requested_on", "must be a date, YYYY-MM-DD"));
    };
    let how = match b.route.as_str() {
        "requested" => SpbStart::Requested { by: b.requested_by.clone() },
        "automatic" => match automatic_category(&state, org, case.urn).await? {
            Some(category) => SpbStart::Automatic { category },
            None => return Ok(one("route", "the school does not qualify automatically: only special measures or serious weaknesses do")),
        },
        _ => return Ok(one("route", "must be requested or automatic")),
    };
    let mut tx = state.db.begin().await?;
    match spb_store::start(&mut tx, &user.actor(), org, case.id, &how, date).await {
        Ok(s) => {
            tx.commit().await?;
            Ok(Json(spb_json(&state, &s).await?).into_response())
        }
        Err(e) => store_refusal(e, "requested_by"),
    }
}

/// One protocol with every step's due date and state.
#[utoipa::path(get, path = "/api/v1/spb/{spb_id}", security(("bearer" = [])),
    params(("spb_id" = i64, Path, description = "The protocol")),
    responses((status = 200, body = Object, description = "The protocol"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn spb(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(spb_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let s = spb_for(&state, &user, &spb_id, Action::ReadMeetings).await?;
    Ok(Json(spb_json(&state, &s).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StepBody {
    /// approval, chair_nominated, dates_offered, date_chosen, confirmed, chair_introduced,
    /// partner_visit, meeting or notes_sent.
    pub step: String,
    /// YYYY-MM-DD: when the step happened.
    pub on: String,
    #[serde(default)]
    pub agreed: Option<bool>,
    #[serde(default)]
    pub funded: Option<bool>,
    #[serde(default)]
    pub chair: String,
    /// Dates offered (at least three), YYYY-MM-DD.
    #[serde(default)]
    pub dates: Vec<String>,
    #[serde(default)]
    pub chosen: String,
    #[serde(default)]
    pub governors_present: Option<bool>,
    #[serde(default)]
    pub next_dates: Vec<String>,
}

/// Records a step of the protocol (refused out of order, with fewer than
/// three dates, a date not offered, or without governors).
#[utoipa::path(post, path = "/api/v1/spb/{spb_id}/steps", security(("bearer" = [])),
    params(("spb_id" = i64, Path, description = "The protocol")), request_body = StepBody,
    responses((status = 200, body = Object, description = "The protocol"), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn spb_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(spb_id): Path<String>,
    b: Result<Json<StepBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let s = spb_for(&state, &user, &spb_id, Action::WriteConcern).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let yn = |v: Option<bool>| match v {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => String::new(),
    };
    let fields: Vec<(String, String)> = vec![
        ("step".into(), b.step.clone()),
        ("on".into(), b.on.clone()),
        ("agreed".into(), yn(b.agreed)),
        ("funded".into(), yn(b.funded)),
        ("chair".into(), b.chair.clone()),
        ("dates".into(), b.dates.join("\n")),
        ("chosen".into(), b.chosen.clone()),
        ("governors".into(), yn(b.governors_present)),
        ("next_dates".into(), b.next_dates.join("\n")),
    ];
    let (input, on) = match step_from(&fields) {
        Ok(x) => x,
        Err(errors) => return Ok(refuse(&errors)),
    };
    let mut tx = state.db.begin().await?;
    match spb_store::record_step(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        s.id,
        &input,
        on,
    )
    .await
    {
        Ok(_) => {
            tx.commit().await?;
            Ok(Json(spb_json(&state, &s).await?).into_response())
        }
        Err(e) => store_refusal(e, crate::pages::spb::refusal_field(&input)),
    }
}

// ---------------------------------------------------------------------------
// Scheduling, attendees, minutes, status, agenda, papers and term dates

/// A year of meetings of one kind.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ScheduleBody {
    /// A kind with a cadence: `schools_review_group` (half-termly),
    /// `advisory_committee` (fortnightly), `schools_causing_concern` (monthly), ...
    pub kind: String,
    /// The academic year, `2026/27`.
    pub year: String,
    /// `monday` to `friday`.
    pub weekday: String,
    /// The week of each period, 1 to 6.
    pub week: u8,
    /// Only show the dates (with their warnings); create nothing.
    pub preview: bool,
}

/// Schedules a year of meetings of one kind at the kind's cadence in the
/// organisation's term time (or, with `preview`, only lists the dates).
/// Each date carries its warnings (weekend, bank holiday, outside term).
#[utoipa::path(post, path = "/api/v1/meetings/schedule", security(("bearer" = [])), request_body = ScheduleBody,
    responses((status = 200, body = Object, description = "`{created, meetings: [{id?, date, warnings}]}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    user: CurrentUser,
    b: Result<Json<ScheduleBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let org = user.principal.organisation_id;
    let (kind, year, weekday, week) =
        match check_schedule(("kind", &b.kind), &b.year, &b.weekday, &b.week.to_string()) {
            Ok(c) => c,
            Err(errors) => return Ok(refuse(&errors)),
        };
    let dates = plan_schedule(&state, org, kind, year, weekday, week).await?;
    if b.preview {
        return Ok(Json(json!({
            "created": false,
            "meetings": dates.iter().map(|(d, w)| json!({"date": d.to_string(), "warnings": w})).collect::<Vec<_>>(),
        }))
        .into_response());
    }
    let mut tx = state.db.begin().await?;
    let made = store::create_schedule(&mut tx, &user.actor(), org, kind, &dates).await?;
    tx.commit().await?;
    Ok(Json(json!({
        "created": true,
        "meetings": made.iter().map(meeting_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// One attendee of a meeting.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct AttendeeBody {
    pub name: String,
    /// For example Chair.
    pub role: String,
}

/// Who attends a meeting: the whole list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AttendeesBody {
    pub attendees: Vec<AttendeeBody>,
}

/// Sets who attends the meeting: attendees already recorded with the same
/// name and role are kept, the others removed, the new ones added (a lead
/// or an adviser). Each needs a name and a role (at most 200 characters);
/// a refusal names `attendees[i].name` or `.role` and saves nothing.
#[utoipa::path(put, path = "/api/v1/meetings/{meeting_id}/attendees", security(("bearer" = [])),
    params(("meeting_id" = i64, Path, description = "The meeting")), request_body = AttendeesBody,
    responses((status = 200, body = Object, description = "`{attendees: [{id, name, role}]}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn set_attendees(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<AttendeesBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let mut errors = Vec::new();
    for (i, a) in b.attendees.iter().enumerate() {
        errors.extend(check_attendee(
            (&format!("attendees[{i}].name"), &a.name),
            (&format!("attendees[{i}].role"), &a.role),
        ));
    }
    if !errors.is_empty() {
        return Ok(refuse(&errors));
    }
    let wanted: Vec<(String, String)> = b
        .attendees
        .iter()
        .map(|a| (a.name.trim().to_string(), a.role.trim().to_string()))
        .collect();
    let current = state.db.meeting_attendees(m.id).await?;
    let mut kept: Vec<bool> = vec![false; wanted.len()];
    let mut tx = state.db.begin().await?;
    for a in &current {
        match wanted
            .iter()
            .enumerate()
            .position(|(i, (n, r))| !kept[i] && *n == a.name && *r == a.role)
        {
            Some(i) => kept[i] = true,
            None => store::remove_attendee(&mut tx, &user.actor(), org, m.id, a.id).await?,
        }
    }
    for (i, (n, r)) in wanted.iter().enumerate() {
        if !kept[i] {
            store::add_attendee(&mut tx, &user.actor(), org, m.id, n, r).await?;
        }
    }
    tx.commit().await?;
    let now = state.db.meeting_attendees(m.id).await?;
    Ok(Json(json!({
        "attendees": now.iter().map(|a| json!({"id": a.id, "name": a.name, "role": a.role})).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// A minute to append.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MinuteBody {
    /// The school of the agenda item it is on; a general minute when absent.
    pub urn: Option<i64>,
    /// The minute (at most 20,000 characters).
    pub minute: String,
}

/// Appends a minute to the meeting, general or on a school's agenda item (a
/// lead or an adviser). Minutes are never overwritten.
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/minutes", security(("bearer" = [])),
    params(("meeting_id" = i64, Path, description = "The meeting")), request_body = MinuteBody,
    responses((status = 200, body = Object, description = "`{id, urn, body, recorded_by, recorded_at}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn add_minute(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<MinuteBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let item = b.urn.map(|u| u.to_string()).unwrap_or_default();
    let urn = match check_minute(&state, org, ("urn", &item), ("minute", &b.minute)).await? {
        Ok(u) => u,
        Err(errors) => return Ok(refuse(&errors)),
    };
    let mut tx = state.db.begin().await?;
    let x = store::add_minute(&mut tx, &user.actor(), org, m.id, urn, b.minute.trim()).await?;
    tx.commit().await?;
    Ok(Json(json!({"id": x.id, "urn": x.urn, "body": x.body, "recorded_by": x.recorded_by, "recorded_at": x.recorded_at})).into_response())
}

/// A meeting's status.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct StatusBody {
    /// `scheduled`, `held` or `cancelled`.
    pub status: String,
}

/// Marks the meeting scheduled, held or cancelled (a lead or an adviser).
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/status", security(("bearer" = [])),
    params(("meeting_id" = i64, Path, description = "The meeting")), request_body = StatusBody,
    responses((status = 200, body = Object, description = "The meeting"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<StatusBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let Some(status) = MeetingStatus::parse(b.status.trim()) else {
        return Ok(one("status", STATUS_MISSING));
    };
    let mut tx = state.db.begin().await?;
    match store::set_status(&mut tx, &user.actor(), org, m.id, status, today()).await {
        Ok(m) => {
            tx.commit().await?;
            Ok(Json(meeting_json(&m)).into_response())
        }
        Err(StoreError::Invalid(msg)) => {
            tx.rollback().await?;
            Ok(one("status", status_refusal(&msg)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Issues the agenda as it stands now (a snapshot kept with the meeting,
/// which the papers use; a lead or an adviser).
#[utoipa::path(post, path = "/api/v1/meetings/{meeting_id}/agenda", security(("bearer" = [])),
    params(("meeting_id" = i64, Path, description = "The meeting")),
    responses((status = 200, body = Object, description = "The issued agenda: `{issued, issued_at, items}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn issue_agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let inputs = live_agenda(&state, org, &m).await?;
    let mut tx = state.db.begin().await?;
    store::issue_agenda(&mut tx, &user.actor(), org, m.id, &inputs.agenda).await?;
    tx.commit().await?;
    agenda(State(state), user, Path(id)).await
}

/// The meeting's papers as one PDF (the page's document).
#[utoipa::path(get, path = "/api/v1/meetings/{meeting_id}/papers.pdf", security(("bearer" = [])),
    params(("meeting_id" = i64, Path, description = "The meeting")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>, description = "The papers"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn papers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    crate::pages::meetings::papers(State(state), user, Path(id))
        .await
        .map_err(|e| ApiError(e.0))
}

/// An academic year's term dates, by half term (each YYYY-MM-DD).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct TermDatesBody {
    /// `2026/27`.
    pub year: String,
    pub autumn1_start: String,
    pub autumn1_end: String,
    pub autumn2_start: String,
    pub autumn2_end: String,
    pub spring1_start: String,
    pub spring1_end: String,
    pub spring2_start: String,
    pub spring2_end: String,
    pub summer1_start: String,
    pub summer1_end: String,
    pub summer2_start: String,
    pub summer2_end: String,
}

impl TermDatesBody {
    fn get(&self, name: &str) -> String {
        match name {
            "year" => &self.year,
            "autumn1_start" => &self.autumn1_start,
            "autumn1_end" => &self.autumn1_end,
            "autumn2_start" => &self.autumn2_start,
            "autumn2_end" => &self.autumn2_end,
            "spring1_start" => &self.spring1_start,
            "spring1_end" => &self.spring1_end,
            "spring2_start" => &self.spring2_start,
            "spring2_end" => &self.spring2_end,
            "summer1_start" => &self.summer1_start,
            "summer1_end" => &self.summer1_end,
            "summer2_start" => &self.summer2_start,
            "summer2_end" => &self.summer2_end,
            _ => "",
        }
        .to_string()
    }

    fn of(t: &TermDates) -> TermDatesBody {
        let mut b = TermDatesBody {
            year: t.academic_year().to_string(),
            ..TermDatesBody::default()
        };
        for (h, r) in t.half_terms() {
            let k = half_term_key(h);
            let (start, end) = (r.start().to_string(), r.end().to_string());
            let slots = match k {
                "autumn1" => (&mut b.autumn1_start, &mut b.autumn1_end),
                "autumn2" => (&mut b.autumn2_start, &mut b.autumn2_end),
                "spring1" => (&mut b.spring1_start, &mut b.spring1_end),
                "spring2" => (&mut b.spring2_start, &mut b.spring2_end),
                "summer1" => (&mut b.summer1_start, &mut b.summer1_end),
                _ => (&mut b.summer2_start, &mut b.summer2_end),
            };
            *slots.0 = start;
            *slots.1 = end;
        }
        b
    }
}

/// The organisation's term dates for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermDatesItem {
    /// Whether the organisation set them (otherwise England's typical dates).
    pub own: bool,
    #[serde(flatten)]
    pub dates: TermDatesBody,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermDatesParams {
    /// The academic year, `2026/27`; the current one when absent.
    pub year: Option<String>,
}

/// The organisation's term dates for a year (England's typical dates until
/// it sets its own); meetings are scheduled in them.
#[utoipa::path(get, path = "/api/v1/term-dates", security(("bearer" = [])), params(TermDatesParams),
    responses((status = 200, body = TermDatesItem), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn term_dates(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TermDatesParams>,
) -> Result<Response, ApiError> {
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => AcademicYear::containing(today()),
        Some(y) => match AcademicYear::parse(y) {
            Ok(y) => y,
            Err(_) => return Ok(one("year", "must be an academic year, for example 2026/27")),
        },
    };
    let (t, own) = state
        .db
        .term_dates(user.principal.organisation_id, year)
        .await?;
    Ok(Json(TermDatesItem {
        own,
        dates: TermDatesBody::of(&t),
    })
    .into_response())
}

/// Sets the organisation's term dates for a year (admins and leads);
/// refused, naming the half term's field, when a date is missing or not
/// real, a half term ends before it starts, they overlap or leave the year.
#[utoipa::path(put, path = "/api/v1/term-dates", security(("bearer" = [])), request_body = TermDatesBody,
    responses((status = 200, body = TermDatesItem), (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn set_term_dates(
    State(state): State<AppState>,
    user: CurrentUser,
    b: Result<Json<TermDatesBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::ManagePolicies, Scope::Organisation(org))?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let dates = match check_term_dates(|k| b.get(k)) {
        Ok(d) => d,
        Err(errors) => return Ok(refuse(&errors)),
    };
    let mut tx = state.db.begin().await?;
    store::set_term_dates(&mut tx, &user.actor(), org, &dates).await?;
    tx.commit().await?;
    Ok(Json(TermDatesItem {
        own: true,
        dates: TermDatesBody::of(&dates),
    })
    .into_response())
}

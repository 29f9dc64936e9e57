//! Action plans: a case's plans, a plan with its versions and reviews,
//! creating one, a change as a new version, and a review.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use uplift_app::plans as app_plans;
use uplift_store::plans::{PlanRecord, VersionRecord};
use utoipa::ToSchema;

use super::{answer, body, iso_date, FieldRefusal};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::paths;

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
    let case_id = paths::id(&case_id)?;
    let plans = app_plans::case_plans(&state.app, &user.caller(), case_id).await?;
    let out: Vec<Value> = plans
        .iter()
        .map(|(p, versions)| {
            let mut j = plan_json(p);
            j["current"] = versions.last().map(version_json).unwrap_or(Value::Null);
            j
        })
        .collect();
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

/// The plan's content from the body, or the refusal naming `field`.
fn content_from(v: Value, field: &str) -> app_plans::ContentInput {
    serde_json::from_value(v).map_err(|e| {
        vec![uplift_app::FieldError::new(
            field,
            format!("The plan is not of the documented shape: {e}"),
        )]
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
    let case_id = paths::id(&case_id)?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let input = app_plans::NewPlan {
        kind: b.kind,
        title: b.title,
        agreed_on: iso_date(&b.agreed_on),
        content: content_from(b.content, "content"),
    };
    let r = app_plans::create_plan(&state.app, &user.caller(), case_id, input).await;
    answer(
        r,
        |(p, v)| json!({"plan": plan_json(&p), "version": version_json(&v)}),
        str::to_owned,
    )
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
    let plan_id = paths::id(&plan_id)?;
    let (p, versions, reviews) =
        app_plans::plan_detail(&state.app, &user.caller(), plan_id).await?;
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
    let plan_id = paths::id(&plan_id)?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let input = app_plans::EditPlan {
        agreed_on: iso_date(&b.agreed_on),
        note: b.note,
        content: content_from(b.content, "content"),
    };
    let r = app_plans::edit_plan(&state.app, &user.caller(), plan_id, input).await;
    answer(r, |v| version_json(&v), str::to_owned)
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
    let plan_id = paths::id(&plan_id)?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let input = app_plans::ReviewPlan {
        review_date: iso_date(&b.review_date),
        progress: b.progress,
        summary: b.summary,
        judgements: b
            .judgements
            .into_iter()
            .map(|j| app_plans::JudgementInput {
                priority: j.priority,
                rag: j.rag,
                comment: j.comment,
            })
            .collect(),
        attendees: b.attendees,
        meeting: b.meeting_id.map(|m| m.to_string()).unwrap_or_default(),
        next: content_from(b.next, "next"),
    };
    let r = app_plans::review_plan(&state.app, &user.caller(), plan_id, input).await;
    answer(
        r,
        |(r, v)| json!({"review_id": r.id, "version": version_json(&v)}),
        |f| {
            if f == "meeting" {
                "meeting_id".to_owned()
            } else {
                f.to_owned()
            }
        },
    )
}

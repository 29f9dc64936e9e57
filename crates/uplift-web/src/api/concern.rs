//! Schools causing concern in the JSON API: cases (with their timeline,
//! tasks, notices and letters), decisions, warning notices and letters, with
//! the same permissions as the pages. Refused input answers 422 with
//! `{"error": ..., "errors": [{"field", "message"}]}` and saves nothing.
//! The other steps of a case are in [`crate::api::escalation`].

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use uplift_domain::access::{Action, Role, Scope};

use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};
use uplift_app::concern::{steps, RecordDecision};

/// A refused request: every problem with the field it concerns.
#[derive(serde::Serialize, ToSchema)]
pub struct ConcernErrorsBody {
    /// The messages, joined.
    pub error: String,
    /// Each problem: `{"field": ..., "message": ...}`.
    #[schema(value_type = Vec<Object>)]
    pub errors: serde_json::Value,
}

/// One refused field: 422, as every refusal of the causing-concern API.
fn field_error(field: &str, message: &str) -> Response {
    crate::api::meetings::one(field, message)
}

fn id(s: &str) -> Result<i64, Problem> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or(Problem::NotFound)
}

/// The causing-concern cases of the organisation (open and closed). A school
/// user's list is empty: their letters are under `/api/v1/concern/letters`.
#[utoipa::path(get, path = "/api/v1/concern/cases", security(("bearer" = [])),
    responses((status = 200, body = Object, description = "The cases: {cases: [...]}"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn cases(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    if user.principal.role == Role::School {
        return Ok(Json(json!({ "cases": [] })).into_response());
    }
    let cases = state
        .db
        .concern_cases(user.principal.organisation_id)
        .await?;
    Ok(Json(json!({ "cases": cases })).into_response())
}

/// One case with its timeline, decisions, tasks, notices, powers and letters
/// (a school user: their own school's case state and issued letters only).
#[utoipa::path(get, path = "/api/v1/concern/cases/{case}", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")),
    responses((status = 200, body = Object, description = "The case"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    let org = user.principal.organisation_id;
    let c = state
        .db
        .concern_case(org, id(&case_id)?)
        .await?
        .ok_or(Problem::NotFound)?;
    permit(
        &user,
        Action::ReadConcern,
        Scope::School {
            organisation_id: org,
            urn: c.urn,
        },
    )?;
    if user.principal.role == Role::School {
        // Their own school's case: its state and the letters issued to it.
        let letters: Vec<_> = state
            .db
            .case_letters(c.id)
            .await?
            .into_iter()
            .filter(|l| l.status == "issued")
            .collect();
        return Ok(Json(json!({
            "case": {"id": c.id, "urn": c.urn, "state": c.state, "opened_on": c.opened_on, "closed_on": c.closed_on},
            "letters": letters,
        }))
        .into_response());
    }
    let eligibility: Vec<serde_json::Value> = state
        .db
        .case_eligibility_routes(&c)
        .await?
        .into_iter()
        .map(|(route, on, why)| json!({"route": route, "on": on, "reason": why}))
        .collect();
    Ok(Json(json!({
        "case": c,
        "timeline": state.db.case_events(c.id).await?,
        "decisions": state.db.case_decisions(c.id).await?,
        "tasks": state.db.case_tasks(c.id).await?,
        "notices": state.db.case_notices(c.id).await?,
        "written_notices": state.db.case_written_notices(c.id).await?,
        "eligibility": eligibility,
        "powers": state.db.case_powers(c.id).await?,
        "academy_concerns": state.db.case_academy_concerns(c.id).await?,
        "inspection_support": state.db.case_inspection_support(c.id).await?,
        "letters": state.db.case_letters(c.id).await?,
    }))
    .into_response())
}

/// The organisation's latest decisions (a school user's list is empty).
#[utoipa::path(get, path = "/api/v1/concern/decisions", security(("bearer" = [])),
    responses((status = 200, body = Object, description = "{decisions: [...]}"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn decisions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    if user.principal.role == Role::School {
        return Ok(Json(json!({ "decisions": [] })).into_response());
    }
    let d = state
        .db
        .concern_decisions(user.principal.organisation_id, 500)
        .await?;
    Ok(Json(json!({ "decisions": d })).into_response())
}

/// A decision about a school.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    pub urn: i64,
    /// designate, not_a_priority (a school with no open case: considered and
    /// not designated; drafts the not-a-priority letter), continue, remove,
    /// letter_of_concern, recommend_warning_notice, escalate,
    /// notify_regional_director or other.
    pub kind: String,
    /// What was decided, for "other".
    #[serde(default)]
    pub detail: Option<String>,
    pub rationale: String,
    /// The triggers that applied (a designation needs one).
    #[serde(default)]
    pub triggers: Vec<String>,
    /// YYYY-MM-DD; today when absent.
    #[serde(default)]
    pub decided_on: Option<String>,
}

/// Records a decision (a lead) and the work that follows it.
#[utoipa::path(post, path = "/api/v1/concern/decisions", security(("bearer" = [])), request_body = DecisionBody,
    responses((status = 200, body = Object, description = "The decision, its case, tasks and letters"),
        (status = 422, body = ConcernErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Result<Json<DecisionBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let b = match crate::api::meetings::body(body) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let decided_on = match b
        .decided_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match s.parse() {
            Ok(d) => Some(d),
            Err(_) => return Ok(field_error("decided_on", "must be a real date, YYYY-MM-DD")),
        },
    };
    let input = RecordDecision {
        urn: b.urn,
        kind: b.kind,
        detail: b.detail.unwrap_or_default(),
        rationale: b.rationale,
        triggers: b.triggers,
        decided_on,
        at_meeting: None,
    };
    let r = uplift_app::concern::record_decision(&state.app, &user.caller(), input).await?;
    Ok(Json(json!(r)).into_response())
}

/// A formal warning notice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WarningNoticeBody {
    /// unacceptably_low_standards, management_or_governance_breakdown,
    /// safety_threatened (s60) or teachers_pay_and_conditions (s60A).
    #[serde(default)]
    pub grounds: Vec<String>,
    /// At least one.
    #[serde(default)]
    pub concerns: Vec<String>,
    /// What the governing body must do (at least one).
    #[serde(default)]
    pub required_action: Vec<String>,
    /// Working days (1 to 365); the policy's default when absent.
    #[serde(default)]
    pub compliance_days: Option<i64>,
    /// YYYY-MM-DD; today when absent.
    #[serde(default)]
    pub issued_on: Option<String>,
}

/// Gives a warning notice (a lead): its compliance end date is counted in
/// working days with the bank holidays; the letter is drafted.
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/warning-notices", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = WarningNoticeBody,
    responses((status = 200, body = Object, description = "The notice and its letter"),
        (status = 422, body = ConcernErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn warning_notice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    body: Result<Json<WarningNoticeBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = id(&case_id)?;
    let b = match crate::api::meetings::body(body) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let on = match b
        .issued_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match s.parse() {
            Ok(d) => Some(d),
            Err(_) => return Ok(field_error("issued_on", "must be a real date, YYYY-MM-DD")),
        },
    };
    let input = steps::GiveWarningNotice {
        grounds: b.grounds,
        concerns: b.concerns,
        required_action: b.required_action,
        compliance_days: b.compliance_days.map(|d| d.to_string()).unwrap_or_default(),
        on,
    };
    match steps::give_warning_notice(&state.app, &user.caller(), case_id, input).await {
        Ok((notice, letter)) => {
            Ok(Json(json!({ "notice": notice, "letter": letter })).into_response())
        }
        Err(uplift_app::AppError::Invalid(errors)) => {
            let field = steps::field_names("issued_on", "grounds", &[]);
            let errors: Vec<(String, String)> = errors
                .into_iter()
                .map(|e| (field(&e.field), e.message))
                .collect();
            Ok(crate::api::meetings::refuse(&errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// Letters: every letter of the organisation for officers; the issued
/// letters of their own school for a school user.
#[utoipa::path(get, path = "/api/v1/concern/letters", security(("bearer" = [])),
    responses((status = 200, body = Object, description = "{letters: [...]}"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn letters(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    let org = user.principal.organisation_id;
    let letters = if user.principal.role == Role::School {
        let urn = user.principal.school_urn.ok_or(Problem::NotFound)?;
        state.db.issued_letters_for_school(org, urn).await?
    } else {
        state.db.organisation_letters(org, 1000).await?
    };
    Ok(Json(json!({ "letters": letters })).into_response())
}

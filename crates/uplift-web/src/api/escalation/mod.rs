//! Every step of a causing-concern case in the JSON API (issue 6), as the
//! case page offers it: the Lead Officer, contacts, letter of concern,
//! written notice of proposed powers, eligibility, powers used, concerns
//! about an academy, inspection support, the outcome of a warning notice,
//! tasks done, letters (JSON, PDF, Word; edited while a draft; issued) and
//! Monitoring and Challenge records. Each handler checks its input with the
//! same use case as the page (`uplift_app::concern::steps`) and calls the
//! same store function. Refused input answers 422 with
//! `{"error": ..., "errors": [{"field", "message"}]}` and saves nothing;
//! another organisation's or another school's record is 404.

pub use letters::*;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uplift_app::concern::steps;
use uplift_domain::access::{Action, Role};
use uplift_store::concern::{InspectionSupport, LetterRecord};
use uplift_store::plans::McRecord;
use utoipa::ToSchema;

use crate::api::meetings::{body, refuse, FieldRefusal};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::paths;

/// A use case's result as the answer: its JSON, or the refusal naming each
/// field by this API's name for it (`field`), 403 or 404.
fn answer<T>(
    r: uplift_app::Result<T>,
    json: impl FnOnce(T) -> serde_json::Value,
    field: impl Fn(&str) -> String,
) -> Result<Response, ApiError> {
    match r {
        Ok(v) => Ok(Json(json(v)).into_response()),
        Err(uplift_app::AppError::Invalid(errors)) => {
            let errors: Vec<(String, String)> = errors
                .into_iter()
                .map(|e| (field(&e.field), e.message))
                .collect();
            Ok(refuse(&errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// A date member (YYYY-MM-DD; absent or blank is `None`), or the 422 to send.
macro_rules! date_or_refuse {
    ($field:expr, $v:expr) => {
        match $v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<jiff::civil::Date>() {
                Ok(d) => Some(d),
                Err(_) => {
                    return Ok(crate::api::meetings::one(
                        $field,
                        "must be a real date, YYYY-MM-DD",
                    ))
                }
            },
        }
    };
}

/// The body, or (as `Err`) the 422 to send.
macro_rules! body_or_refuse {
    ($b:expr) => {
        match body($b) {
            Ok(b) => b,
            Err(r) => return Ok(r),
        }
    };
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

// ---------------------------------------------------------------------------
// Steps of a case

/// The Lead Officer of a case.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct LeadOfficerBody {
    /// The officer's user id (one of the organisation's active officers).
    pub user_id: Option<i64>,
    /// YYYY-MM-DD; today when absent.
    pub assigned_on: Option<String>,
}

/// Assigns the case's Lead Officer (a lead); on the timeline and audited.
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/lead-officer", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = LeadOfficerBody,
    responses((status = 200, body = Object, description = "`{case}`: the case with its Lead Officer"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn lead_officer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<LeadOfficerBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    let on = date_or_refuse!("assigned_on", &b.assigned_on);
    let r = steps::assign_lead_officer(&state.app, &user.caller(), case_id, b.user_id, on).await;
    answer(
        r,
        |c| json!({ "case": c }),
        steps::field_names("assigned_on", "user_id", &[("lead_officer", "user_id")]),
    )
}

/// The names letters are addressed to.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CaseContactsBody {
    /// The chair of governors (at most 200 characters; blank clears it;
    /// absent leaves it as it is).
    pub chair_name: Option<String>,
    /// The academy trust (blank keeps the one recorded).
    pub trust_name: Option<String>,
}

/// Sets the chair of governors and the trust letters are addressed to (a
/// lead or an adviser).
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/contacts", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = CaseContactsBody,
    responses((status = 200, body = Object, description = "`{case}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn contacts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<CaseContactsBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    // As on the page: the chair is changed only when given.
    let chair = b.chair_name.as_deref().map(str::trim);
    let trust = text(&b.trust_name).trim().to_owned();
    let r = steps::set_case_contacts(&state.app, &user.caller(), case_id, chair, &trust).await;
    answer(
        r,
        |c| json!({ "case": c }),
        steps::field_names("chair_name", "chair_name", &[]),
    )
}

/// A letter of concern.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct LetterOfConcernBody {
    /// The concerns (at least one).
    pub concerns: Vec<String>,
    /// The action required (optional).
    pub required_action: Vec<String>,
    /// YYYY-MM-DD; today when absent.
    pub sent_on: Option<String>,
}

/// Sends a letter of concern (a lead): recorded as a notice without a
/// compliance period, and its letter drafted.
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/letters-of-concern", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = LetterOfConcernBody,
    responses((status = 200, body = Object, description = "`{notice, letter}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn letter_of_concern(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<LetterOfConcernBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    let on = date_or_refuse!("sent_on", &b.sent_on);
    let r = steps::send_letter_of_concern(
        &state.app,
        &user.caller(),
        case_id,
        &b.concerns,
        &b.required_action,
        on,
    )
    .await;
    answer(
        r,
        |(notice, letter)| json!({ "notice": notice, "letter": letter }),
        steps::field_names("sent_on", "concerns", &[]),
    )
}

/// The outcome of a warning notice.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NoticeOutcomeBody {
    /// `complied` or `not_complied`.
    pub outcome: String,
    /// Why the notice was not complied with (needed then).
    pub reason: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub outcome_on: Option<String>,
}

/// Records whether the governing body complied with a warning notice (a
/// lead); not complied makes the school eligible for intervention.
#[utoipa::path(post, path = "/api/v1/concern/notices/{notice}/outcome", security(("bearer" = [])),
    params(("notice" = i64, Path, description = "The warning notice")), request_body = NoticeOutcomeBody,
    responses((status = 200, body = Object, description = "`{notice}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn notice_outcome(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(notice_id): Path<String>,
    b: Result<Json<NoticeOutcomeBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id = paths::id(&notice_id)?;
    let b = body_or_refuse!(b);
    let on = date_or_refuse!("outcome_on", &b.outcome_on);
    let r = steps::record_notice_outcome(
        &state.app,
        &user.caller(),
        id,
        &b.outcome,
        text(&b.reason),
        on,
    )
    .await;
    answer(
        r,
        |n| json!({ "notice": n }),
        steps::field_names("outcome_on", "outcome", &[]),
    )
}

/// Written notice of the powers the authority proposes to use.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct WrittenNoticeBody {
    /// `s63_arrangements`, `s64_additional_governors`,
    /// `s65_interim_executive_board` or `s66_suspend_delegated_budget` (at least one).
    pub proposed: Vec<String>,
    /// Why the authority proposes to intervene.
    pub reason: String,
    /// YYYY-MM-DD; today when absent.
    pub given_on: Option<String>,
}

/// Gives written notice of proposed powers (a lead); its letter is drafted.
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/written-notices", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = WrittenNoticeBody,
    responses((status = 200, body = Object, description = "`{written_notice, letter}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn written_notice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<WrittenNoticeBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    let on = date_or_refuse!("given_on", &b.given_on);
    let r = steps::give_written_notice(
        &state.app,
        &user.caller(),
        case_id,
        &b.proposed,
        &b.reason,
        on,
    )
    .await;
    answer(
        r,
        |(w, letter)| json!({ "written_notice": w, "letter": letter }),
        steps::field_names("given_on", "proposed", &[]),
    )
}

/// Eligibility for intervention by a category route.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EligibilityBody {
    /// `special_measures`, `requires_significant_improvement` or `coasting`
    /// (an unmet warning notice makes a school eligible by itself).
    pub route: String,
    /// The inspection or the coasting data.
    pub evidence: String,
    /// YYYY-MM-DD; today when absent.
    pub eligible_on: Option<String>,
}

/// Records the school's eligibility for intervention by a category route (a
/// lead).
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/eligibility", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = EligibilityBody,
    responses((status = 200, body = Object, description = "`{eligibility}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn eligibility(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<EligibilityBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    let on = date_or_refuse!("eligible_on", &b.eligible_on);
    let r = steps::record_eligibility(
        &state.app,
        &user.caller(),
        case_id,
        &b.route,
        &b.evidence,
        on,
    )
    .await;
    answer(
        r,
        |e| json!({ "eligibility": e }),
        steps::field_names("eligible_on", "route", &[]),
    )
}

/// A power used.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PowerBody {
    /// `s63_arrangements`, `s64_additional_governors`,
    /// `s65_interim_executive_board` or `s66_suspend_delegated_budget`.
    pub power: String,
    /// s63: `advisory_services` (when absent), `collaborate_with_school`,
    /// `collaborate_with_further_education` or `federation`.
    pub arrangement: Option<String>,
    /// s63: with whom the arrangements are made.
    pub with_whom: Option<String>,
    /// s64: the additional governors; s65: the members of the interim
    /// executive board (at least two).
    pub people: Vec<String>,
    /// YYYY-MM-DD; today when absent.
    pub used_on: Option<String>,
}

/// Records a power used (s63-s66), signed off by the lead sending it. The
/// school must be eligible for intervention; an academy has no
/// local-authority powers.
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/powers", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = PowerBody,
    responses((status = 200, body = Object, description = "`{power}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn power(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<PowerBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    let on = date_or_refuse!("used_on", &b.used_on);
    let input = steps::UsePower {
        power: b.power,
        arrangement: text(&b.arrangement).to_owned(),
        with_whom: text(&b.with_whom).to_owned(),
        people: b.people,
        on,
    };
    let r = steps::use_power(&state.app, &user.caller(), case_id, input).await;
    answer(
        r,
        |p| json!({ "power": p }),
        steps::field_names("used_on", "power", &[]),
    )
}

/// Concerns about an academy.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AcademyConcernBody {
    /// `trust` or `regional_director` (the DfE regional director).
    pub raised_with: String,
    /// The concerns.
    pub concerns: String,
    /// With the regional director: what was done to agree action with the trust.
    pub engagement: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub raised_on: Option<String>,
}

/// Raises concerns about an academy with its trust, then with the DfE
/// regional director (a lead); the letter is drafted.
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/academy-concerns", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = AcademyConcernBody,
    responses((status = 200, body = Object, description = "`{academy_concern, letter}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn academy_concern(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<AcademyConcernBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    let on = date_or_refuse!("raised_on", &b.raised_on);
    let r = steps::raise_academy_concern(
        &state.app,
        &user.caller(),
        case_id,
        &b.raised_with,
        &b.concerns,
        text(&b.engagement),
        on,
    )
    .await;
    answer(
        r,
        |(a, letter)| json!({ "academy_concern": a, "letter": letter }),
        steps::field_names("raised_on", "raised_with", &[]),
    )
}

/// Support around an inspection.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct InspectionSupportBody {
    /// The record to update; a new record when absent.
    pub id: Option<i64>,
    /// YYYY-MM-DD: when the school was notified of the inspection.
    pub notified_on: String,
    /// YYYY-MM-DD.
    pub pre_inspection_on: Option<String>,
    pub pre_inspection_notes: Option<String>,
    /// YYYY-MM-DD: the call with the lead inspector on day two.
    pub day_two_call_on: Option<String>,
    pub day_two_call_notes: Option<String>,
    pub feedback_attended: bool,
    pub feedback_attended_by: Option<String>,
    pub outcome: Option<String>,
}

/// Records (or updates) the support around an inspection: notified date,
/// pre-inspection discussion, the day-two call, feedback attended, outcome
/// (a lead or an adviser).
#[utoipa::path(post, path = "/api/v1/concern/cases/{case}/inspection-support", security(("bearer" = [])),
    params(("case" = i64, Path, description = "The case")), request_body = InspectionSupportBody,
    responses((status = 200, body = Object, description = "`{inspection_support}`"),
        (status = 422, body = FieldRefusal),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn inspection_support(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    b: Result<Json<InspectionSupportBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let case_id = paths::id(&case_id)?;
    let b = body_or_refuse!(b);
    let notified = date_or_refuse!("notified_on", &Some(b.notified_on.clone()));
    let pre = date_or_refuse!("pre_inspection_on", &b.pre_inspection_on);
    let day_two = date_or_refuse!("day_two_call_on", &b.day_two_call_on);
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let s = InspectionSupport {
        notified_on: notified,
        pre_inspection_on: pre,
        pre_inspection_notes: opt(&b.pre_inspection_notes),
        day_two_call_on: day_two,
        day_two_call_notes: opt(&b.day_two_call_notes),
        feedback_attended: b.feedback_attended,
        feedback_attended_by: opt(&b.feedback_attended_by),
        outcome: opt(&b.outcome),
    };
    let r = steps::save_inspection_support(&state.app, &user.caller(), case_id, b.id, s).await;
    answer(
        r,
        |r| json!({ "inspection_support": r }),
        steps::field_names("notified_on", "notified_on", &[]),
    )
}

/// Marks a task of a case done (a lead or an adviser); on the timeline.
#[utoipa::path(post, path = "/api/v1/concern/tasks/{task}/done", security(("bearer" = [])),
    params(("task" = i64, Path, description = "The task")),
    responses((status = 200, body = Object, description = "`{task}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn task_done(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(task_id): Path<String>,
) -> Result<Response, ApiError> {
    let id = paths::id(&task_id)?;
    let r = steps::complete_task(&state.app, &user.caller(), id).await;
    answer(r, |t| json!({ "task": t }), str::to_owned)
}

mod letters;

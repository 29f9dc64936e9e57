//! Advisers, caseloads, entitlements, visits and notes of visit under
//! `/api/v1`, with the pages' permissions: a school user sees only their own
//! school's visits and a note only once sent to the headteacher; advisers
//! change only their own visits, leads any. Each operation calls the same use
//! case as the page (`uplift_app::visits`). A refused change answers 422 with
//! `{"error": ..., "errors": [{"field", "message"}]}` naming each field, and
//! saves nothing.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uplift_app::visits::workflow::{self as uc, PlanVisit};
use uplift_app::visits::{academic_year, can_read_note, queries, visible_visit};
use uplift_app::{AppError, FieldError};
use uplift_domain::visits::{DeliveryStatus, NoteOfVisitForm};
use uplift_store::visits::VisitFull;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};
use crate::paths;
use crate::views::visits::{visible_note, visit_json};

/// A refused change: every problem, by field.
#[derive(Serialize, ToSchema)]
pub struct FieldErrorsBody {
    /// All the messages, joined.
    pub error: String,
    /// Each problem with the field it concerns (`date`, `focus_areas[0].adviser_judgement`, ...).
    #[schema(value_type = Vec<Object>)]
    pub errors: serde_json::Value,
}

/// The year to report on.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// An academic year like `2026/27` (default: the current one).
    #[serde(default)]
    pub year: Option<String>,
}

/// The organisation's advisers.
#[utoipa::path(get, path = "/api/v1/advisers", security(("bearer" = [])),
    responses((status = 200, body = Object, description = "`{advisers: [{id, name, email, expertise: [key], capacity_days, active, user_id}]}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn advisers(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<serde_json::Value>, ApiError> {
    let list = state.db.advisers(user.principal.organisation_id).await?;
    let advisers: Vec<_> = list
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "name": a.name, "email": a.email,
                "expertise": a.expertise_set().iter().map(|e| uplift_store::visits::expertise_key(*e)).collect::<Vec<_>>(),
                "capacity_days": a.capacity_days, "active": a.active, "user_id": a.user_id,
            })
        })
        .collect();
    Ok(Json(json!({ "advisers": advisers })))
}

/// Caseloads: each adviser's schools and days committed against capacity,
/// suggested reassignments, and schools without a named adviser.
#[utoipa::path(get, path = "/api/v1/caseload", security(("bearer" = [])), params(YearParam),
    responses((status = 200, body = Object, description = "`{academic_year, loads: [{adviser_id, capacity_days, committed_days, schools: [urn], overloaded}], suggestions: [{urn, from, to, reasons}], unassigned: [urn]}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn caseload(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearParam>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let year = academic_year(&state.app, q.year.as_deref())?;
    let (report, _) = queries::caseload(&state.app, &user.caller(), year).await?;
    let mut v = serde_json::to_value(&report).map_err(|e| Problem::Internal(e.to_string()))?;
    v["academic_year"] = json!(year.to_string());
    Ok(Json(v))
}

/// A school's entitlement for the year with the reasons for each count, its
/// planned dates, and delivered against due.
#[utoipa::path(get, path = "/api/v1/schools/{urn}/entitlement", security(("bearer" = [])),
    params(("urn" = i64, Path, description = "The school's URN"), YearParam),
    responses((status = 200, body = Object, description = "`{entitlement, slots, delivery: [{visit_type, due_by, status}]}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn entitlement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(urn): Path<String>,
    Query(q): Query<YearParam>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let urn = paths::urn(&urn)?;
    let year = academic_year(&state.app, q.year.as_deref())?;
    let (plan, report) = queries::school_entitlement(&state.app, &user.caller(), urn, year).await?;
    let delivery: Vec<_> = report
        .lines
        .iter()
        .map(|l| {
            json!({
                "visit_type": l.due.visit_type.key(),
                "due_by": l.due.due_by.to_string(),
                "status": match &l.status {
                    DeliveryStatus::Delivered { .. } => "delivered",
                    DeliveryStatus::Overdue { .. } => "overdue",
                    DeliveryStatus::Pending { .. } => "pending",
                },
                "detail": l.status,
                "reason": l.reason,
            })
        })
        .collect();
    Ok(Json(json!({
        "urn": urn,
        "academic_year": year.to_string(),
        "entitlement": plan.entitlement,
        "slots": plan.slots,
        "delivery": delivery,
    })))
}

/// Filters for the list of visits.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitsParams {
    /// An academic year like `2026/27` (default: the current one).
    #[serde(default)]
    pub year: Option<String>,
    /// One school.
    #[serde(default)]
    pub urn: Option<i64>,
    /// One adviser.
    #[serde(default)]
    pub adviser_id: Option<i64>,
}

/// Visits of the year (a school user: their own school's only).
#[utoipa::path(get, path = "/api/v1/visits", security(("bearer" = [])), params(VisitsParams),
    responses((status = 200, body = Object, description = "`{visits: [{id, urn, adviser_id, visit_type, planned_date, stage, ...}]}`"),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<VisitsParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let year = academic_year(&state.app, q.year.as_deref())?;
    let visits =
        queries::visits(&state.app, &user.caller(), Some(year), q.urn, q.adviser_id).await?;
    let out: Vec<_> = visits
        .iter()
        .map(|v| {
            json!({
                "id": v.id, "urn": v.urn, "adviser_id": v.adviser_id, "visit_type": v.visit_type,
                "academic_year": v.academic_year, "planned_date": v.planned_date, "focus": v.focus,
                "stage": v.stage, "held_on": v.held_on,
            })
        })
        .collect();
    Ok(Json(
        json!({ "academic_year": year.to_string(), "visits": out }),
    ))
}

/// A visit to plan.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanBody {
    pub urn: i64,
    pub adviser_id: i64,
    /// `school_effectiveness`, `headline`, `new_to_headship`, `keeping_in_touch`, `additional`, `safeguarding`, ...
    pub visit_type: String,
    /// `2026/27`.
    pub academic_year: String,
    /// `YYYY-MM-DD`: today or later, a term-time working day in the year.
    pub date: String,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    pub focus: String,
    #[serde(default)]
    pub attendees: Vec<String>,
}

/// Plans a visit (the school's adviser, or a lead).
#[utoipa::path(post, path = "/api/v1/visits", security(("bearer" = [])), request_body = PlanBody,
    responses((status = 200, body = Object, description = "The visit"), (status = 422, body = FieldErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Result<Json<PlanBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body.map_err(|e| Problem::BadRequest(e.body_text()))?;
    let date = iso_date(
        &b.date,
        "date",
        "The date of the visit must be a real date, YYYY-MM-DD",
    )?;
    let input = PlanVisit {
        urn: Some(b.urn),
        adviser_id: Some(b.adviser_id),
        visit_type: b.visit_type,
        academic_year: b.academic_year,
        date,
        start: b.start.unwrap_or_default(),
        end: b.end.unwrap_or_default(),
        focus: b.focus,
        attendees: b.attendees,
    };
    let full = uc::plan_visit(&state.app, &user.caller(), input).await?;
    Ok(Json(visit_json(&full, true)).into_response())
}

/// An ISO date from a body (`None` when blank); refused on `field` otherwise.
fn iso_date(text: &str, field: &str, message: &str) -> Result<Option<jiff::civil::Date>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::field(field, message)),
    }
}

/// A visit with its self-evaluation, note (when the caller may read it) and history.
#[utoipa::path(get, path = "/api/v1/visits/{visit}", security(("bearer" = [])),
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Object, description = "The visit"), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let caller = user.caller();
    let full = visible_visit(&state.app, &caller, paths::id(&id)?).await?;
    let with_note = can_read_note(&caller, &full);
    Ok(Json(visit_json(&full, with_note)))
}

/// The note of visit (the document, as on the page and in the PDF).
#[utoipa::path(get, path = "/api/v1/visits/{visit}/note", security(("bearer" = [])),
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Object, description = "`{visit, note, document}`"), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (full, doc) = visible_note(&state, &user, paths::id(&id)?).await?;
    Ok(Json(json!({
        "visit": visit_json(&full, true),
        "text": uplift_docs::to_text(&doc),
        "document": doc,
    })))
}

/// The visit after a step, as the caller may see it; a refusal names the
/// body's fields (`rename`: the use case's name to the body's).
fn answer(
    user: &CurrentUser,
    result: Result<VisitFull, AppError>,
    rename: &[(&str, &str)],
) -> Result<Response, ApiError> {
    match result {
        Ok(full) => {
            let with_note = can_read_note(&user.caller(), &full);
            Ok(Json(visit_json(&full, with_note)).into_response())
        }
        Err(AppError::Invalid(errors)) => Err(AppError::Invalid(
            errors
                .into_iter()
                .map(|e| {
                    let field = rename
                        .iter()
                        .find(|(from, _)| *from == e.field)
                        .map(|(_, to)| (*to).to_string())
                        .unwrap_or(e.field);
                    FieldError { field, ..e }
                })
                .collect(),
        )
        .into()),
        Err(e) => Err(e.into()),
    }
}

fn body<T>(b: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t)
        .map_err(|e| ApiError(Problem::BadRequest(e.body_text())))
}

/// Text posted to a step.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TextBody {
    pub text: String,
}

/// A date posted to a step.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DateBody {
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// The headteacher's response.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResponseBody {
    /// `true`: the note is accurate; `false`: comments follow.
    pub accurate: bool,
    #[serde(default)]
    pub comments: String,
}

macro_rules! step {
    ($name:ident, $method:ident, $path:literal, $doc:literal, $use_case:path) => {
        #[doc = $doc]
        #[utoipa::path($method, path = $path, security(("bearer" = [])),
            params(("visit" = i64, Path, description = "The visit's id")),
            responses((status = 200, body = Object, description = "The visit"), (status = 422, body = FieldErrorsBody),
                (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
                (status = 404, body = crate::api::ErrorBody)))]
        pub async fn $name(
            State(state): State<AppState>,
            user: CurrentUser,
            Path(id): Path<String>,
        ) -> Result<Response, ApiError> {
            let id = paths::id(&id)?;
            answer(&user, $use_case(&state.app, &user.caller(), id).await, &[])
        }
    };
}

step!(
    request_self_evaluation,
    post,
    "/api/v1/visits/{visit}/self-evaluation/request",
    "The adviser asks the school for its pre-visit self-evaluation.",
    uc::request_self_evaluation
);
step!(
    send,
    post,
    "/api/v1/visits/{visit}/note/send",
    "The adviser sends the note to the headteacher (response due in the set working days).",
    uc::send_note
);
step!(
    share,
    post,
    "/api/v1/visits/{visit}/note/share",
    "The adviser shares the note with the chair of governors.",
    uc::share_with_chair
);
step!(
    school_share,
    post,
    "/api/v1/visits/{visit}/note/school-share",
    "The headteacher shares the note with the chair of governors.",
    uc::share_with_chair
);
step!(
    finalise,
    post,
    "/api/v1/visits/{visit}/note/finalise",
    "The adviser makes the note final (locked).",
    uc::finalise_note
);

/// The school completes its self-evaluation (`{"text": ...}`).
#[utoipa::path(post, path = "/api/v1/visits/{visit}/self-evaluation", security(("bearer" = [])), request_body = TextBody,
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Object, description = "The visit"), (status = 422, body = FieldErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn complete_self_evaluation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<TextBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let id = paths::id(&id)?;
    let r = uc::complete_self_evaluation(&state.app, &user.caller(), id, &b.text).await;
    answer(&user, r, &[("self_evaluation", "text")])
}

/// The adviser reviews the self-evaluation (`{"text": ...}`).
#[utoipa::path(post, path = "/api/v1/visits/{visit}/self-evaluation/review", security(("bearer" = [])), request_body = TextBody,
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Object, description = "The visit"), (status = 422, body = FieldErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn review_self_evaluation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<TextBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let id = paths::id(&id)?;
    let r = uc::review_self_evaluation(&state.app, &user.caller(), id, &b.text).await;
    answer(&user, r, &[("review", "text")])
}

/// The adviser records the visit as held (`{"date": "YYYY-MM-DD"}`).
#[utoipa::path(post, path = "/api/v1/visits/{visit}/held", security(("bearer" = [])), request_body = DateBody,
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Object, description = "The visit"), (status = 422, body = FieldErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn held(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<DateBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let id = paths::id(&id)?;
    let date = iso_date(&b.date, "date", "The date must be a real date, YYYY-MM-DD")?;
    answer(
        &user,
        uc::record_held(&state.app, &user.caller(), id, date).await,
        &[],
    )
}

/// The adviser writes or rewrites the draft note (a judgement outside
/// Emerging, Secure, Highly Effective is refused, naming the field).
#[utoipa::path(post, path = "/api/v1/visits/{visit}/note", security(("bearer" = [])),
    request_body(content = Object, description = "`{focus_areas: [{title, commentary, adviser_judgement, school_grade, disagreement_note}], strengths: [..], areas_for_development: [..], agreed_actions: [{action, owner, due}], next_visit_date, next_visit_focus}`"),
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Object, description = "The visit"), (status = 422, body = FieldErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<NoteOfVisitForm>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let form = body(b)?;
    let id = paths::id(&id)?;
    answer(
        &user,
        uc::draft_note(&state.app, &user.caller(), id, form).await,
        &[],
    )
}

/// The headteacher marks the note accurate or responds with comments.
#[utoipa::path(post, path = "/api/v1/visits/{visit}/note/respond", security(("bearer" = [])), request_body = ResponseBody,
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Object, description = "The visit"), (status = 422, body = FieldErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn respond(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<ResponseBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let id = paths::id(&id)?;
    let response = if b.accurate { "accurate" } else { "comments" };
    let r = uc::respond_to_note(&state.app, &user.caller(), id, response, &b.comments).await;
    answer(&user, r, &[])
}

/// The adviser adds an addendum to a final note (`{"text": ...}`).
#[utoipa::path(post, path = "/api/v1/visits/{visit}/note/addenda", security(("bearer" = [])), request_body = TextBody,
    params(("visit" = i64, Path, description = "The visit's id")),
    responses((status = 200, body = Object, description = "The visit"), (status = 422, body = FieldErrorsBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn addendum(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    b: Result<Json<TextBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let id = paths::id(&id)?;
    let r = uc::add_addendum(&state.app, &user.caller(), id, &b.text).await;
    answer(&user, r, &[("addendum", "text")])
}

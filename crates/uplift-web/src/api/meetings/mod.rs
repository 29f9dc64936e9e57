//! The API of meetings, agendas, decisions at meetings, action plans and
//! their versions and reviews, and School Performance Board protocols
//! (issue 6). Same permissions as the pages (school users: only their own
//! school's current plan). Refused input answers 422 with
//! `{"error": "...", "errors": [{"field", "message"}]}`; nothing is saved.

mod plans;
mod spb;
mod terms;

pub use plans::*;
pub use spb::*;
pub use terms::*;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uplift_app::meetings::{self as app_meetings, MeetingCreated, NewMeetingInput, ScheduleInput};
use uplift_app::AppError;
use uplift_store::meetings::{parse_kind, Meeting, MeetingFilter};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::paths;
use crate::views::meetings::section_label;

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

/// A use case's error as the answer: its refusals as the 422 naming each
/// field by this API's name for it (`field`); 403, 404 or 500 otherwise.
pub(crate) fn refused(e: AppError, field: impl Fn(&str) -> String) -> Result<Response, ApiError> {
    match e {
        AppError::Invalid(errors) => {
            let errors: Vec<(String, String)> = errors
                .into_iter()
                .map(|e| (field(&e.field), e.message))
                .collect();
            Ok(refuse(&errors))
        }
        other => Err(other.into()),
    }
}

/// A use case's result as the answer: its JSON, or its refusals by this
/// API's field names.
pub(crate) fn answer<T>(
    r: uplift_app::Result<T>,
    json: impl FnOnce(T) -> Value,
    field: impl Fn(&str) -> String,
) -> Result<Response, ApiError> {
    match r {
        Ok(v) => Ok(Json(json(v)).into_response()),
        Err(e) => refused(e, field),
    }
}

/// The meeting of the caller's organisation, or 404.
async fn meeting_of(state: &AppState, user: &CurrentUser, id: &str) -> Result<Meeting, ApiError> {
    let id = paths::id(id)?;
    Ok(app_meetings::meeting_of(
        &state.app,
        &user.caller(),
        id,
        uplift_domain::access::Action::ReadMeetings,
    )
    .await?)
}

/// A date member (YYYY-MM-DD; blank or not a date is `None`, which the use
/// case refuses on its field).
pub(crate) fn iso_date(s: &str) -> Option<jiff::civil::Date> {
    s.trim().parse().ok()
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
            match iso_date(v) {
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
    let input = NewMeetingInput {
        kind: b.kind,
        date: iso_date(&b.date),
        title: b.title,
        urn: b.urn.map(|u| u.to_string()).unwrap_or_default(),
        location: b.location,
        confirmed: b.confirm_warnings,
    };
    match app_meetings::create_meeting(&state.app, &user.caller(), input).await {
        Ok(MeetingCreated::Created(m)) => Ok(Json(meeting_json(&m)).into_response()),
        Ok(MeetingCreated::Unconfirmed(warnings)) => Ok(one(
            "date",
            format!(
                "{}; send confirm_warnings: true to keep this date",
                warnings.join("; ")
            ),
        )),
        Err(e) => refused(e, str::to_owned),
    }
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
    let m = meeting_of(&state, &user, &id).await?;
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
    let id = paths::id(&id)?;
    let a = app_meetings::agenda_of(&state.app, &user.caller(), id).await?;
    Ok(Json(agenda_json(&a)))
}

fn agenda_json(a: &app_meetings::AgendaOf) -> Value {
    json!({
        "issued": a.issued_at.is_some(),
        "issued_at": a.issued_at,
        "items": a.agenda.items.iter().map(|i| json!({
            "section": i.section, "section_name": section_label(i.section), "urn": i.urn.get(),
            "school": i.school, "detail": i.detail,
        })).collect::<Vec<_>>(),
    })
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
    let m = meeting_of(&state, &user, &id).await?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let r = app_meetings::decide_at_meeting(
        &state.app,
        &user.caller(),
        m.id,
        b.urn,
        &b.kind,
        &b.other,
        &b.rationale,
    )
    .await;
    answer(
        r,
        |r| {
            json!({
                "decision": {"id": r.decision.id, "kind": r.decision.kind, "label": r.decision.label(), "rationale": r.decision.rationale, "decided_on": r.decision.decided_on, "meeting_id": r.decision.meeting_id},
                "case_id": r.case.as_ref().map(|c| c.id),
                "case_state": r.case.as_ref().map(|c| c.state.clone()),
                "tasks": r.tasks.iter().map(|t| json!({"id": t.id, "title": t.title, "owner_role": t.owner_role, "due_on": t.due_on})).collect::<Vec<_>>(),
                "letters": r.letters.iter().map(|l| json!({"id": l.id, "kind": l.kind, "title": l.title, "status": l.status})).collect::<Vec<_>>(),
            })
        },
        |f| meeting_field(f).to_owned(),
    )
}

/// This API's name for a decision's field: the description of an "other"
/// decision is `other`.
fn meeting_field(field: &str) -> &str {
    match field {
        "detail" => "other",
        f => f,
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
    let input = ScheduleInput {
        kind: b.kind,
        year: b.year,
        weekday: b.weekday,
        week: b.week.to_string(),
        create: !b.preview,
    };
    let s = match app_meetings::schedule_meetings(&state.app, &user.caller(), input).await {
        Ok(s) => s,
        Err(e) => return refused(e, str::to_owned),
    };
    if b.preview {
        return Ok(Json(json!({
            "created": false,
            "meetings": s.dates.iter().map(|(d, w)| json!({"date": d.to_string(), "warnings": w})).collect::<Vec<_>>(),
        }))
        .into_response());
    }
    Ok(Json(json!({
        "created": true,
        "meetings": s.created.iter().map(meeting_json).collect::<Vec<_>>(),
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
    let id = paths::id(&id)?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let wanted: Vec<(String, String)> = b.attendees.into_iter().map(|a| (a.name, a.role)).collect();
    let r = app_meetings::set_attendees(&state.app, &user.caller(), id, &wanted).await;
    answer(
        r,
        |now| {
            json!({
                "attendees": now.iter().map(|a| json!({"id": a.id, "name": a.name, "role": a.role})).collect::<Vec<_>>(),
            })
        },
        str::to_owned,
    )
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
    let id = paths::id(&id)?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let item = b.urn.map(|u| u.to_string()).unwrap_or_default();
    let r = app_meetings::add_minute(&state.app, &user.caller(), id, &item, &b.minute).await;
    answer(
        r,
        |x| json!({"id": x.id, "urn": x.urn, "body": x.body, "recorded_by": x.recorded_by, "recorded_at": x.recorded_at}),
        str::to_owned,
    )
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
    let id = paths::id(&id)?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let r = app_meetings::set_status(&state.app, &user.caller(), id, &b.status).await;
    answer(r, |m| meeting_json(&m), str::to_owned)
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
    let id = paths::id(&id)?;
    let caller = user.caller();
    app_meetings::issue_agenda(&state.app, &caller, id).await?;
    let a = app_meetings::agenda_of(&state.app, &caller, id).await?;
    Ok(Json(agenda_json(&a)))
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
    let m = meeting_of(&state, &user, &id).await?;
    Ok(crate::views::meetings::papers_pdf(&state, &user, &m).await?)
}

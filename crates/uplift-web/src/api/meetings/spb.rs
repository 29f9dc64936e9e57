//! School Performance Board protocols: a case's protocols, one protocol
//! with every step's due date and state, starting one, recording a step.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use uplift_app::spb as app_spb;
use uplift_domain::access::Action;
use uplift_domain::concern::StepState;
use uplift_store::spb::{step_label, step_name};
use utoipa::ToSchema;

use super::{body, iso_date, refused, FieldRefusal};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::paths;
use crate::views::spb::state_words;

fn spb_json(p: &app_spb::ProtocolStatus) -> Value {
    let spb = &p.record;
    json!({
        "id": spb.id, "case_id": spb.case_id, "urn": spb.urn, "route": spb.route,
        "requested_by": spb.requested_by, "category": spb.category, "requested_on": spb.requested_on,
        "meeting_date": p.protocol.meeting_date().map(|d| d.to_string()),
        "steps": p.rows.iter().map(|r| json!({
            "step": step_name(r.step), "label": step_label(r.step), "due": r.due.map(|d| d.to_string()),
            "done_on": r.done_on.map(|d| d.to_string()), "state": state_words(&r.state).0, "overdue": matches!(r.state, StepState::Overdue),
            "rule": r.rule,
        })).collect::<Vec<_>>(),
    })
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
    let case_id = paths::id(&case_id)?;
    let all = app_spb::case_spbs(&state.app, &user.caller(), case_id).await?;
    Ok(Json(
        json!({ "protocols": all.iter().map(spb_json).collect::<Vec<_>>() }),
    ))
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
    let case_id = paths::id(&case_id)?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let input = app_spb::StartSpb {
        route: b.route,
        requested_by: b.requested_by,
        requested_on: iso_date(&b.requested_on),
    };
    match app_spb::start_spb(&state.app, &user.caller(), case_id, input).await {
        Ok(s) => {
            let p = app_spb::protocol_status(&state.app, s).await?;
            Ok(Json(spb_json(&p)).into_response())
        }
        Err(e) => refused(e, str::to_owned),
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
    let id = paths::id(&spb_id)?;
    let s = app_spb::spb_for(&state.app, &user.caller(), id, Action::ReadMeetings).await?;
    let p = app_spb::protocol_status(&state.app, s).await?;
    Ok(Json(spb_json(&p)))
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
    let id = paths::id(&spb_id)?;
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let input = app_spb::RecordStep {
        step: b.step,
        on: iso_date(&b.on),
        agreed: b.agreed,
        funded: b.funded,
        chair: b.chair,
        dates: b.dates,
        chosen: b.chosen,
        governors: b.governors_present,
        next_dates: b.next_dates,
    };
    match app_spb::record_step(&state.app, &user.caller(), id, input).await {
        Ok(s) => {
            let p = app_spb::protocol_status(&state.app, s).await?;
            Ok(Json(spb_json(&p)).into_response())
        }
        Err(e) => refused(e, |f| {
            if f == "governors" {
                "governors_present".to_owned()
            } else {
                f.to_owned()
            }
        }),
    }
}

//! The organisation's term dates.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uplift_app::meetings::{self as app_meetings, half_term_key, SetTermDates};
use uplift_domain::calendar::{AcademicYear, HalfTerm, TermDates};
use utoipa::{IntoParams, ToSchema};

use super::{answer, body, iso_date, one, FieldRefusal};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

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
        None => AcademicYear::containing(state.today()),
        Some(y) => match AcademicYear::parse(y) {
            Ok(y) => y,
            Err(_) => return Ok(one("year", "must be an academic year, for example 2026/27")),
        },
    };
    let (t, own) = app_meetings::term_dates(&state.app, &user.caller(), year).await?;
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
    let b = match body(b) {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let mut input = SetTermDates {
        year: b.year.clone(),
        ..SetTermDates::default()
    };
    for (i, h) in HalfTerm::ALL.into_iter().enumerate() {
        let k = half_term_key(h);
        input.starts[i] = iso_date(&b.get(&format!("{k}_start")));
        input.ends[i] = iso_date(&b.get(&format!("{k}_end")));
    }
    let r = app_meetings::set_term_dates(&state.app, &user.caller(), input).await;
    answer(
        r,
        |dates| {
            serde_json::to_value(TermDatesItem {
                own: true,
                dates: TermDatesBody::of(&dates),
            })
            .unwrap_or(Value::Null)
        },
        str::to_owned,
    )
}

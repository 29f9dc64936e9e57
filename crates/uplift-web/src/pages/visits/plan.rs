//! Planning a visit (`/visits/new`, `POST /visits`).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::visits::workflow::{self as uc, PlanVisit, PLAN_TYPES};
use uplift_app::FieldError;
use uplift_domain::calendar::AcademicYear;
use uplift_domain::visits::VisitType;

use super::{adviser_names, current_year, errors_view, refusals, school_names};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::forms::{self, fields, one};
use crate::render::render;

#[derive(Debug, Default, Clone, Deserialize)]
pub struct PlanQuery {
    #[serde(default)]
    pub urn: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct PlanValues {
    urn: String,
    adviser_id: String,
    visit_type: String,
    year: String,
    day: String,
    month: String,
    date_year: String,
    start: String,
    end: String,
    focus: String,
    attendees: String,
}

async fn render_plan(
    state: &AppState,
    user: &CurrentUser,
    values: &PlanValues,
    errors: &[FieldError],
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let names = school_names(state, org).await?;
    let advisers = adviser_names(state, org).await?;
    let mut school_options = vec![context! { value => "", text => "Select a school" }];
    for (urn, name) in &names {
        school_options
            .push(context! { value => urn.to_string(), text => format!("{name}, URN {urn}") });
    }
    let mut adviser_options = vec![context! { value => "", text => "Select an adviser" }];
    for a in advisers.values().filter(|a| a.active) {
        adviser_options.push(context! { value => a.id.to_string(), text => a.name.clone() });
    }
    let type_options: Vec<Value> = PLAN_TYPES
        .iter()
        .map(|t| context! { value => t.key(), text => t.label() })
        .collect();
    let y = current_year(state);
    let year_options: Vec<Value> = [
        y,
        AcademicYear::containing(y.last_day().tomorrow().unwrap_or(y.last_day())),
    ]
    .iter()
    .map(|y| context! { value => y.to_string(), text => y.to_string() })
    .collect();
    let (error_list, field_errors) = errors_view(errors);
    let mut res = render(
        state,
        Some(user),
        "/visits",
        "visit_plan.html",
        "Plan a visit",
        context! {
            v => context! {
                urn => values.urn.clone(), adviser_id => values.adviser_id.clone(), visit_type => values.visit_type.clone(),
                year => values.year.clone(), day => values.day.clone(), month => values.month.clone(), date_year => values.date_year.clone(),
                start => values.start.clone(), end => values.end.clone(), focus => values.focus.clone(), attendees => values.attendees.clone(),
            },
            school_options => school_options,
            adviser_options => adviser_options,
            type_options => type_options,
            year_options => year_options,
            errors => error_list,
            field_errors => field_errors,
        },
    )?;
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /visits/new`: the form to plan a visit.
pub async fn plan_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let mut values = PlanValues {
        urn: q.urn.clone().unwrap_or_default(),
        visit_type: VisitType::SchoolEffectiveness.key().to_string(),
        year: current_year(&state).to_string(),
        ..Default::default()
    };
    // An adviser plans their own visits; otherwise the school's named adviser.
    if let Some(a) = state.db.adviser_for_user(org, user.user.id).await? {
        values.adviser_id = a.id.to_string();
    } else if let Ok(urn) = values.urn.parse::<i64>() {
        if let Some(a) = state.db.current_assignments(org).await?.get(&urn) {
            values.adviser_id = a.adviser_id.to_string();
        }
    }
    render_plan(&state, &user, &values, &[]).await
}

/// `POST /visits`: plans a visit.
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = fields(form);
    let values = PlanValues {
        urn: one(&f, "urn"),
        adviser_id: one(&f, "adviser_id"),
        visit_type: one(&f, "visit_type"),
        year: one(&f, "academic_year"),
        day: one(&f, "date-day"),
        month: one(&f, "date-month"),
        date_year: one(&f, "date-year"),
        start: one(&f, "start"),
        end: one(&f, "end"),
        focus: one(&f, "focus"),
        attendees: one(&f, "attendees"),
    };
    // A date the form cannot read is reported with the plan's other problems.
    let (date, date_error) = match forms::date_input(&f, "date", "the date of the visit") {
        Ok(d) => (d, None),
        Err(e) => (
            None,
            e.get_attr("text")
                .ok()
                .and_then(|t| t.as_str().map(str::to_string)),
        ),
    };
    let input = PlanVisit {
        urn: values.urn.parse().ok(),
        adviser_id: values.adviser_id.parse().ok(),
        visit_type: values.visit_type.clone(),
        academic_year: values.year.clone(),
        date,
        start: values.start.clone(),
        end: values.end.clone(),
        focus: values.focus.clone(),
        attendees: forms::lines(&values.attendees),
    };
    match uc::plan_visit(&state.app, &user.caller(), input).await {
        Ok(full) => {
            Ok(Redirect::to(&format!("/visits/{}?done=planned", full.visit.id)).into_response())
        }
        Err(e) => {
            let mut errors = refusals(e)?;
            if let Some(text) = date_error {
                for e in errors.iter_mut().filter(|e| e.field == "date") {
                    *e = FieldError::new("date", &text);
                }
            }
            render_plan(&state, &user, &values, &errors).await
        }
    }
}

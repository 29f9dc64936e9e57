//! The organisation's term dates (`/meetings/term-dates`).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::meetings::{half_term_key, SetTermDates};
use uplift_domain::access::Action;
use uplift_domain::calendar::{AcademicYear, HalfTerm, TermDates};

use super::{by_field, can, field, parse_date, today, with_status};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::render::render;

#[derive(Debug, Deserialize, Default)]
pub struct TermQuery {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub done: Option<String>,
}

async fn render_terms(
    state: &AppState,
    user: &CurrentUser,
    year: AcademicYear,
    values: &BTreeMap<String, String>,
    own: bool,
    errors: Vec<Value>,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let rows: Vec<Value> = HalfTerm::ALL
        .iter()
        .map(|h| {
            let k = half_term_key(*h);
            context! {
                name => h.to_string(),
                start_field => format!("{k}_start"), end_field => format!("{k}_end"),
                start => values.get(&format!("{k}_start")).cloned().unwrap_or_default(),
                end => values.get(&format!("{k}_end")).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let this = AcademicYear::containing(today());
    let years: Vec<Value> = [this.previous(), Some(this), this.next()]
        .into_iter()
        .flatten()
        .map(|y| context! { value => y.to_string(), text => y.to_string() })
        .collect();
    let has_errors = !errors.is_empty();
    let res = render(
        state,
        Some(user),
        "/meetings",
        "term_dates.html",
        "Term dates",
        context! {
            year => year.to_string(), years => years, rows => rows, own => own,
            can_manage => can(user, Action::ManagePolicies),
            field_errors => by_field(&errors), errors => errors, has_errors => has_errors, flash => flash,
        },
    )?;
    Ok(with_status(res, has_errors))
}

fn term_values(t: &TermDates) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (h, r) in t.half_terms() {
        out.insert(format!("{}_start", half_term_key(h)), r.start().to_string());
        out.insert(format!("{}_end", half_term_key(h)), r.end().to_string());
    }
    out
}

/// `GET /meetings/term-dates`: the organisation's term dates for a year
/// (England's typical dates until it sets its own); meetings are scheduled
/// in them and dates outside them are warned about.
pub async fn term_dates(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TermQuery>,
) -> Result<Response, PageError> {
    let year = AcademicYear::parse(&q.year).unwrap_or_else(|_| AcademicYear::containing(today()));
    let (t, own) = state
        .db
        .term_dates(user.principal.organisation_id, year)
        .await?;
    let flash = q
        .done
        .is_some()
        .then_some("The term dates have been saved.");
    render_terms(
        &state,
        &user,
        year,
        &term_values(&t),
        own,
        Vec::new(),
        flash,
    )
    .await
}

/// `POST /meetings/term-dates`: sets the organisation's term dates for a
/// year; refused, naming the half term, when they are out of order, overlap
/// or leave the year.
pub async fn set_term_dates(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let values: BTreeMap<String, String> = fields
        .iter()
        .filter(|(k, _)| k != "csrf_token")
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    let year = AcademicYear::parse(field(&fields, "year"))
        .unwrap_or_else(|_| AcademicYear::containing(today()));
    let mut input = SetTermDates {
        year: field(&fields, "year").to_string(),
        ..SetTermDates::default()
    };
    for (i, h) in HalfTerm::ALL.into_iter().enumerate() {
        let k = half_term_key(h);
        input.starts[i] = parse_date(field(&fields, &format!("{k}_start")));
        input.ends[i] = parse_date(field(&fields, &format!("{k}_end")));
    }
    match uplift_app::meetings::set_term_dates(&state.app, &user.caller(), input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/meetings/term-dates?year={year}&done=1")).into_response())
        }
        Err(e) => {
            let errors = crate::forms::refusals(e, str::to_owned)?;
            render_terms(&state, &user, year, &values, false, errors, None).await
        }
    }
}

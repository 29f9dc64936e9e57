//! Advisers and caseloads (`/advisers`): each adviser's schools and days
//! committed against capacity, suggested reassignments, adding an adviser,
//! naming a school's adviser and the headteacher's response window.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::visits::advisers::{self as uc, NewAdviser};
use uplift_app::FieldError;
use uplift_domain::access::Action;
use uplift_domain::calendar::AcademicYear;
use uplift_store::visits as sv;

use super::{adviser_names, can, current_year, errors_view, refusals, school_names, year_from};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::render::render;

#[derive(Debug, Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

fn expertise_options() -> Vec<Value> {
    sv::EXPERTISE
        .iter()
        .map(|e| context! { value => sv::expertise_key(*e), text => e.label() })
        .collect()
}

#[derive(Debug, Default, Clone)]
struct AdviserFormValues {
    name: String,
    email: String,
    capacity_days: String,
    expertise: Vec<String>,
    urn: String,
    adviser_id: String,
    reason: String,
    response_days: Option<String>,
}

async fn render_advisers(
    state: &AppState,
    user: &CurrentUser,
    year: AcademicYear,
    form: &AdviserFormValues,
    errors: &[FieldError],
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let (report, plans) =
        uplift_app::visits::queries::caseload(&state.app, &user.caller(), year).await?;
    let advisers = adviser_names(state, org).await?;
    let names = school_names(state, org).await?;
    let assignments = state.db.current_assignments(org).await?;
    let lead_officers = state.db.lead_officers(org).await?;
    let name_of = |urn: i64| {
        names
            .get(&urn)
            .cloned()
            .unwrap_or_else(|| format!("URN {urn}"))
    };
    let adviser_name = |id: &str| {
        id.parse::<i64>()
            .ok()
            .and_then(|i| advisers.get(&i))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "No adviser".into())
    };
    let loads: Vec<Value> = report
        .loads
        .iter()
        .map(|l| {
            let a = l.adviser_id.parse::<i64>().ok().and_then(|i| advisers.get(&i));
            let schools: Vec<Value> = l
                .schools
                .iter()
                .map(|u| {
                    let urn = i64::from(u.get());
                    let p = plans.get(&urn);
                    context! {
                        urn => urn,
                        name => name_of(urn),
                        href => format!("/schools/{urn}"),
                        category => p.map(|p| p.entitlement.category_label.clone()).unwrap_or_default(),
                        visits => p.map(|p| p.entitlement.total()).unwrap_or(0),
                        lead_officer => lead_officers.get(&urn).cloned().unwrap_or_default(),
                    }
                })
                .collect();
            context! {
                id => l.adviser_id.clone(),
                name => a.map(|a| a.name.clone()).unwrap_or_default(),
                email => a.map(|a| a.email.clone()).unwrap_or_default(),
                expertise => a.map(|a| a.expertise_words()).unwrap_or_default(),
                capacity => format!("{:.1}", l.capacity_days),
                committed => format!("{:.1}", l.committed_days),
                overloaded => l.overloaded,
                schools => schools,
            }
        })
        .collect();
    let suggestions: Vec<Value> = report
        .suggestions
        .iter()
        .map(|s| {
            let urn = i64::from(s.urn.get());
            context! {
                urn => urn,
                school => name_of(urn),
                from => adviser_name(&s.from),
                to => adviser_name(&s.to),
                to_id => s.to.clone(),
                reasons => s.reasons.clone(),
            }
        })
        .collect();
    let unassigned: Vec<Value> = report
        .unassigned
        .iter()
        .map(|u| {
            let urn = i64::from(u.get());
            context! { urn => urn, name => name_of(urn), href => format!("/schools/{urn}") }
        })
        .collect();
    let mut school_options = vec![context! { value => "", text => "Select a school" }];
    for (urn, name) in &names {
        let current = assignments
            .get(urn)
            .and_then(|a| advisers.get(&a.adviser_id))
            .map(|a| format!(" (now {})", a.name))
            .unwrap_or_default();
        school_options.push(
            context! { value => urn.to_string(), text => format!("{name}, URN {urn}{current}") },
        );
    }
    let mut adviser_options = vec![context! { value => "", text => "Select an adviser" }];
    for a in advisers.values().filter(|a| a.active) {
        adviser_options.push(context! { value => a.id.to_string(), text => format!("{} ({})", a.name, a.expertise_words()) });
    }
    let (error_list, field_errors) = errors_view(errors);
    let mut res = render(
        state,
        Some(user),
        "/advisers",
        "advisers.html",
        "Advisers and caseloads",
        context! {
            year => year.to_string(),
            loads => loads,
            suggestions => suggestions,
            unassigned => unassigned,
            can_manage => can(user, Action::ManageAdvisers),
            response_days => form.response_days.clone().unwrap_or(state.db.response_working_days(user.principal.organisation_id).await?.to_string()),
            expertise_options => expertise_options(),
            school_options => school_options,
            adviser_options => adviser_options,
            form => context! {
                name => form.name.clone(), email => form.email.clone(), capacity_days => form.capacity_days.clone(),
                expertise => form.expertise.clone(), urn => form.urn.clone(), adviser_id => form.adviser_id.clone(),
                reason => form.reason.clone(),
            },
            errors => error_list,
            field_errors => field_errors,
            flash => flash,
        },
    )?;
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /advisers`: each adviser's schools, days committed against capacity,
/// and suggested reassignments.
pub async fn advisers(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = year_from(&state, q.year.as_deref())?;
    let flash = match q.done.as_deref() {
        Some("added") => Some("The adviser has been added."),
        Some("assigned") => Some("The named adviser has been changed."),
        Some("response-days") => Some("The response window has been changed."),
        _ => None,
    };
    render_advisers(
        &state,
        &user,
        year,
        &AdviserFormValues::default(),
        &[],
        flash,
    )
    .await
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn all_of(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// `POST /advisers`: adds an adviser (a lead or an administrator).
pub async fn create_adviser(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = AdviserFormValues {
        name: field(&fields, "name").trim().to_string(),
        email: field(&fields, "email").trim().to_string(),
        capacity_days: field(&fields, "capacity_days").trim().to_string(),
        expertise: all_of(&fields, "expertise"),
        ..Default::default()
    };
    let input = NewAdviser {
        name: form.name.clone(),
        email: form.email.clone(),
        capacity_days: form.capacity_days.clone(),
        expertise: form.expertise.clone(),
    };
    match uc::create_adviser(&state.app, &user.caller(), input).await {
        Ok(_) => Ok(Redirect::to("/advisers?done=added").into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            let year = current_year(&state);
            render_advisers(&state, &user, year, &form, &errors, None).await
        }
    }
}

/// `POST /advisers/assign`: names (or changes) a school's adviser, with a reason.
pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = AdviserFormValues {
        urn: field(&fields, "urn").trim().to_string(),
        adviser_id: field(&fields, "adviser_id").trim().to_string(),
        reason: field(&fields, "reason").trim().to_string(),
        ..Default::default()
    };
    let r = uc::assign_adviser(
        &state.app,
        &user.caller(),
        form.urn.parse().ok(),
        form.adviser_id.parse().ok(),
        &form.reason,
    )
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/advisers?done=assigned").into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            let year = current_year(&state);
            render_advisers(&state, &user, year, &form, &errors, None).await
        }
    }
}

/// `POST /advisers/response-days`: the working days a headteacher has to
/// respond to a note of visit (a lead or an administrator; audited).
pub async fn response_days(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let text = field(&fields, "response_days").trim().to_string();
    match uc::set_response_days(&state.app, &user.caller(), &text).await {
        Ok(_) => Ok(Redirect::to("/advisers?done=response-days").into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            let form = AdviserFormValues {
                response_days: Some(text),
                ..Default::default()
            };
            let year = current_year(&state);
            render_advisers(&state, &user, year, &form, &errors, None).await
        }
    }
}

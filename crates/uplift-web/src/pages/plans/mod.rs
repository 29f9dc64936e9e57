//! Action plans and Statements of Action (issue 6): a case's plans and its
//! Monitoring and Challenge records (`/concern/cases/{case_id}/plan`),
//! creating a plan, viewing any version (`/plans/{plan_id}?version=N`),
//! changing it as a new version (never an overwrite) and reviewing it
//! (progress judged per priority with RAG, the next version agreed).
//!
//! The plan editor is a multi-row form without JavaScript: fixed blank rows
//! for priorities and actions, and "Add another priority" / "Add another
//! action" buttons that redisplay the form with one more row (nothing is
//! saved until the main button is pressed). A school user sees only their
//! own school's current plan (its current version); nothing else here.

mod editor;
mod plan;

pub use editor::*;
pub use plan::*;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::plans;
use uplift_domain::access::{Action, Role};
use uplift_domain::concern::plan::Action as PlanAction;
use uplift_domain::concern::{Milestone, OwnerKind, PlanContent, Priority, ReviewCadence};
use uplift_domain::policy::Rag;
use uplift_store::concern::CaseRecord;
use uplift_store::plans::{
    self as store, parse_judgement, plan_kind_label, PlanRecord, VersionRecord,
};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::pages::concern::case_for;
use crate::pages::meetings::{
    by_field, can, err, field, next_review_due, parse_date, terms_for, today, with_status,
};
use crate::paths;
use crate::render::render;

pub use crate::views::plans::{owner_label, OWNERS};

fn owner_value(o: OwnerKind) -> &'static str {
    OWNERS
        .iter()
        .find(|(_, _, k)| *k == o)
        .map(|(v, _, _)| *v)
        .unwrap_or("school")
}

pub use crate::views::plans::rag_label;

fn parse_rag(s: &str) -> Option<Rag> {
    match s.trim() {
        "" | "grey" => Some(Rag::Grey),
        other => parse_judgement(other),
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------
// Access

/// The plan of the organisation, checked for `action` (a school user: only
/// their own school's current plan).
pub async fn plan_for(
    state: &AppState,
    user: &CurrentUser,
    plan_id: &str,
    action: Action,
) -> Result<PlanRecord, Problem> {
    let id = paths::id(plan_id)?;
    Ok(plans::plan_for(&state.app, &user.caller(), id, action).await?)
}

/// A plan's content as the editor read it, for a use case.
fn content_input(editor: &Editor) -> plans::ContentInput {
    editor.content().map_err(|errors| {
        errors
            .into_iter()
            .map(|(f, m)| uplift_app::FieldError::new(f, m))
            .collect()
    })
}

fn school_user(user: &CurrentUser) -> bool {
    user.principal.role == Role::School
}

// ---------------------------------------------------------------------------
// A case's plans

#[derive(Debug, Deserialize, Default)]
pub struct CaseFlash {
    #[serde(default)]
    pub done: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct McForm {
    pub date: String,
    pub progress: String,
    pub progress_evaluation: String,
    pub support: String,
    pub support_evaluation: String,
    pub meeting: String,
}

async fn render_case(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseRecord,
    mc: &McForm,
    errors: Vec<Value>,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let db = &state.db;
    let school = db.school_name(case.urn).await?.unwrap_or_default();
    let mut plans = db.case_plans(org, case.id).await?;
    if school_user(user) {
        // Only the current plan of an open case.
        if case.closed_on.is_some() {
            plans.clear();
        }
        let last = plans.pop();
        plans = last.into_iter().collect();
    }
    let terms = terms_for(state, org, today()).await?;
    let mut views = Vec::new();
    for p in &plans {
        let versions = db.plan_versions(p.id).await?;
        let current = versions.last();
        views.push(context! {
            id => p.id,
            href => format!("/plans/{}", p.id),
            title => p.title.clone(),
            kind => plan_kind_label(p.kind()),
            version => current.map(|v| v.number),
            agreed_on => current.map(|v| v.agreed_on.clone()),
            next_review => next_review_due(&versions, &terms).map(|d| d.to_string()),
        });
    }
    let records: Vec<Value> = if school_user(user) {
        Vec::new()
    } else {
        db.monitoring_and_challenge(org, case.id)
            .await?
            .iter()
            .map(|r| {
                context! {
                    date => r.record_date.clone(), progress => r.progress.clone(),
                    progress_evaluation => r.progress_evaluation.clone(),
                    support => r.authority_support.clone(),
                    support_evaluation => r.authority_support_evaluation.clone(),
                    by => r.recorded_by.clone(), meeting_id => r.meeting_id,
                }
            })
            .collect()
    };
    let rags: Vec<Value> = [("red", "Red"), ("amber", "Amber"), ("green", "Green")]
        .iter()
        .map(|(v, t)| context! { value => *v, text => *t })
        .collect();
    let has_errors = !errors.is_empty();
    let path = format!("/concern/cases/{}/plan", case.id);
    let res = render(
        state,
        Some(user),
        &path,
        "case_plans.html",
        &format!("{school}: action plan"),
        context! {
            case => context! { id => case.id, urn => case.urn, school => school.clone(), state => uplift_store::concern::state_label(&case.state), open => case.closed_on.is_none() },
            plans => views,
            records => records,
            rags => rags,
            mc => context! {
                date => mc.date.clone(), progress => mc.progress.clone(), progress_evaluation => mc.progress_evaluation.clone(),
                support => mc.support.clone(), support_evaluation => mc.support_evaluation.clone(), meeting => mc.meeting.clone(),
            },
            school_user => school_user(user),
            can_write => can(user, Action::WriteConcern),
            can_decide => can(user, Action::DecideConcern),
            field_errors => by_field(&errors),
            errors => errors,
            has_errors => has_errors,
            flash => flash,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /concern/cases/{case_id}/plan`.
pub async fn case_plans(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    Query(flash): Query<CaseFlash>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &case_id, Action::ReadConcern).await?;
    let flash = match flash.done.as_deref() {
        Some("mc") => Some("The Monitoring and Challenge record has been saved."),
        _ => None,
    };
    render_case(&state, &user, &case, &McForm::default(), Vec::new(), flash).await
}

/// `POST /concern/cases/{case_id}/monitoring-and-challenge`: the head of
/// service's evaluation of progress and of the authority's own support.
pub async fn record_mc(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &case_id, Action::DecideConcern).await?;
    let f = McForm {
        date: field(&fields, "mc_date").to_string(),
        progress: field(&fields, "mc_progress").to_string(),
        progress_evaluation: field(&fields, "mc_progress_evaluation").to_string(),
        support: field(&fields, "mc_support").to_string(),
        support_evaluation: field(&fields, "mc_support_evaluation").to_string(),
        meeting: field(&fields, "mc_meeting").to_string(),
    };
    let input = plans::McInput {
        date: parse_date(&f.date),
        progress: f.progress.clone(),
        progress_evaluation: f.progress_evaluation.clone(),
        support: f.support.clone(),
        support_evaluation: f.support_evaluation.clone(),
        meeting: f.meeting.clone(),
    };
    match plans::record_monitoring_and_challenge(&state.app, &user.caller(), case.id, input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/concern/cases/{}/plan?done=mc#monitoring",
            case.id
        ))
        .into_response()),
        Err(e) => {
            let errors = crate::forms::refusals(e, |f| format!("mc_{f}"))?;
            render_case(&state, &user, &case, &f, errors, None).await
        }
    }
}

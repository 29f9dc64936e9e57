//! Advisers, visits and notes of visit: the caseload (`/advisers`),
//! delivered against due (`/visits`), planning a visit, the visit's page with
//! each step of the workflow as a form (the school's self-evaluation, the
//! visit held, the note of visit, sent to the headteacher, the response,
//! shared with the chair, final, addenda), and the note as an accessible page
//! and as a PDF built from the same document.
//!
//! Each handler reads its form, calls one use case of `uplift_app::visits`
//! and renders the result; who may do what is decided there. By step:
//! [`advisers`] (caseloads and advisers), [`list`] (delivery and the school
//! profile's section), [`plan`] (planning a visit), [`visit`] (the visit's
//! page and its steps), [`note`] (the note form, page and PDF).

pub mod advisers;
pub mod list;
pub mod note;
pub mod plan;
pub mod visit;

use std::collections::BTreeMap;

use minijinja::Value;
use uplift_domain::access::{authorize, Action, Scope};
use uplift_domain::calendar::AcademicYear;
use uplift_domain::visits::Stage;
use uplift_store::visits::AdviserRow;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::Problem;

pub use advisers::{advisers, assign, create_adviser, response_days};
pub use list::{list, school_section};
pub use note::{note_form, note_page, note_pdf, save_note};
pub use plan::{plan, plan_form};
pub use visit::{
    addendum, complete_se, detail, finalise, held, no_response, request_se, respond, review_se,
    send, share,
};

/// The academic year containing today.
pub fn current_year(state: &AppState) -> AcademicYear {
    AcademicYear::containing(state.today())
}

/// An academic year from a query (`2026/27`), or the current one.
pub fn year_from(state: &AppState, q: Option<&str>) -> Result<AcademicYear, Problem> {
    Ok(uplift_app::visits::academic_year(&state.app, q)?)
}

fn can(user: &CurrentUser, action: Action) -> bool {
    authorize(
        &user.principal,
        action,
        Scope::Organisation(user.principal.organisation_id),
    )
    .is_allowed()
}

/// A stage in words, with a tag colour.
pub fn stage_tag(s: Stage) -> (String, &'static str) {
    let colour = match s {
        Stage::Planned | Stage::SelfEvaluationRequested => "grey",
        Stage::SelfEvaluationCompleted | Stage::SelfEvaluationReviewed => "blue",
        Stage::Held | Stage::NoteDrafted => "yellow",
        Stage::SentToHeadteacher | Stage::HeadteacherResponded => "purple",
        Stage::SharedWithChair => "turquoise",
        Stage::Final => "green",
    };
    (uplift_app::error::sentence(&s.to_string()), colour)
}

/// The HTML id of a use case's field: `focus_areas[0].adviser_judgement`
/// is `focus-areas-0-adviser-judgement`; the step itself (`""`) is the page.
pub fn html_id(field: &str) -> String {
    let id = uplift_domain::visits::FieldError::new(field, "").id();
    if id.is_empty() {
        "main-content".to_string()
    } else {
        id
    }
}

/// A page's errors: the summary's list and the message by field id.
fn errors_view(errors: &[uplift_app::FieldError]) -> (Vec<Value>, BTreeMap<String, String>) {
    let list = errors
        .iter()
        .map(|e| crate::forms::err(&html_id(&e.field), &e.message))
        .collect();
    let mut by = BTreeMap::new();
    for e in errors {
        by.entry(html_id(&e.field))
            .or_insert_with(|| e.message.clone());
    }
    (list, by)
}

/// A use case's refusals for the form (`Ok`), or the error page.
fn refusals(e: uplift_app::AppError) -> Result<Vec<uplift_app::FieldError>, Problem> {
    match e {
        uplift_app::AppError::Invalid(errors) => Ok(errors),
        other => Err(Problem::from(other)),
    }
}

async fn school_names(state: &AppState, org: i64) -> Result<BTreeMap<i64, String>, Problem> {
    let rows: Vec<(i64, String)> = state.db.estate_names(org).await?;
    Ok(rows.into_iter().collect())
}

async fn adviser_names(state: &AppState, org: i64) -> Result<BTreeMap<i64, AdviserRow>, Problem> {
    Ok(state
        .db
        .advisers(org)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

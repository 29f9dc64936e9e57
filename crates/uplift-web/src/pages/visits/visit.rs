//! One visit (`/visits/{visit}`) and each step of its workflow as a form:
//! the self-evaluation requested, completed and reviewed, the visit held,
//! the note sent, answered (or no response recorded), shared with the chair,
//! made final, and addenda.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::visits::workflow as uc;
use uplift_app::visits::{can_read_note, visible_visit, workflow_actor};
use uplift_app::{AppError, FieldError};
use uplift_domain::register::Date;
use uplift_domain::visits::{ActorRole, Stage};
use uplift_store::visits::{self as sv, VisitFull};

use super::{errors_view, refusals, school_names, stage_tag};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::forms;
use crate::paths;
use crate::render::render;
use crate::views::visits::show_date;

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
}

async fn render_visit(
    state: &AppState,
    user: &CurrentUser,
    full: &VisitFull,
    posted: &BTreeMap<String, String>,
    errors: &[FieldError],
    flash: Option<String>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let v = &full.visit;
    let school = school_names(state, org)
        .await?
        .get(&v.urn)
        .cloned()
        .unwrap_or_else(|| format!("URN {}", v.urn));
    let adviser = state.db.adviser(org, v.adviser_id).await?;
    let who = workflow_actor(&state.app, &user.caller()).await?;
    let stage = v.stage();
    let (stage_text, colour) = stage_tag(stage);
    let is_lead = matches!(who.as_ref().map(|w| &w.role), Some(ActorRole::Lead));
    let is_owner = matches!(who.as_ref().map(|w| &w.role), Some(ActorRole::Adviser { adviser_id }) if *adviser_id == v.adviser_id.to_string());
    let drives = is_lead || is_owner;
    let is_head = matches!(who.as_ref().map(|w| &w.role), Some(ActorRole::Headteacher { urn }) if i64::from(urn.get()) == v.urn);
    let se = full.self_evaluation.as_ref();
    let note_visible = can_read_note(&user.caller(), full);
    let due = full.note.as_ref().and_then(|n| n.response_due.clone());
    let overdue_response = stage == Stage::SentToHeadteacher
        && due
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok())
            .is_some_and(|d| state.today() > d);
    let events: Vec<Value> = full
        .events
        .iter()
        .map(|e| context! { on => show_date(&e.on_date), what => e.what.clone(), by => e.by_label.clone() })
        .collect();
    let mut posted = posted.clone();
    for k in [
        "self_evaluation",
        "review",
        "date-day",
        "date-month",
        "date-year",
        "response",
        "comments",
        "addendum",
    ] {
        posted.entry(k.to_string()).or_default();
    }
    let (error_list, field_errors) = errors_view(errors);
    let mut res = render(
        state,
        Some(user),
        "/visits",
        "visit.html",
        &format!("{} at {school}", v.visit_type().label()),
        context! {
            id => v.id,
            school => school,
            urn => v.urn,
            visit_type => v.visit_type().label(),
            date => show_date(&v.planned_date),
            time => match (&v.start_time, &v.end_time) { (Some(s), Some(e)) => format!("{s} to {e}"), (Some(s), None) => s.clone(), _ => String::new() },
            held_on => v.held_on.as_deref().map(show_date).unwrap_or_default(),
            academic_year => v.academic_year.clone(),
            focus => v.focus.clone(),
            attendees => v.attendee_list().join(", "),
            adviser => adviser.map(|a| a.name).unwrap_or_default(),
            stage => stage_text,
            stage_key => sv::stage_key(stage),
            colour => colour,
            se_requested => se.is_some(),
            se_content => se.and_then(|s| s.content.clone()),
            se_review => se.and_then(|s| s.review.clone()),
            note_exists => full.note.is_some(),
            note_visible => note_visible,
            response_due => due.as_deref().map(show_date),
            overdue_response => overdue_response,
            drives => drives,
            is_head => is_head,
            can_request_se => drives && stage == Stage::Planned,
            can_complete_se => is_head && stage == Stage::SelfEvaluationRequested,
            can_review_se => drives && stage == Stage::SelfEvaluationCompleted,
            can_hold => drives && stage == Stage::SelfEvaluationReviewed,
            can_draft => drives && matches!(stage, Stage::Held | Stage::NoteDrafted),
            can_send => drives && stage == Stage::NoteDrafted,
            can_respond => is_head && stage == Stage::SentToHeadteacher,
            can_no_response => drives && overdue_response,
            can_share => (drives || is_head) && stage == Stage::HeadteacherResponded,
            can_finalise => drives && stage == Stage::SharedWithChair,
            can_addendum => drives && stage == Stage::Final,
            posted => posted,
            today => state.today().to_string(),
            events => events,
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

fn flash_text(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "planned" => "The visit has been planned.",
            "requested" => "The school has been asked for its self-evaluation.",
            "completed" => "Your self-evaluation has been sent to the adviser.",
            "reviewed" => "Your review of the self-evaluation has been saved.",
            "held" => "The visit has been recorded as held.",
            "drafted" => "The note of visit has been saved as a draft.",
            "sent" => "The note of visit has been sent to the headteacher.",
            "responded" => "Your response has been recorded.",
            "shared" => "The note has been shared with the chair of governors.",
            "final" => "The note of visit is final.",
            "addendum" => "The addendum has been added.",
            "no-response" => "No response from the headteacher has been recorded.",
            _ => return None,
        }
        .to_string(),
    )
}

/// `GET /visits/{visit}`: the visit and the next step of its workflow.
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
    let full = visible_visit(&state.app, &user.caller(), id).await?;
    render_visit(
        &state,
        &user,
        &full,
        &BTreeMap::new(),
        &[],
        flash_text(q.done.as_deref()),
    )
    .await
}

/// What a step's form posted, without the CSRF token.
fn posted(fields: Vec<(String, String)>) -> BTreeMap<String, String> {
    fields
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect()
}

/// Renders a step's outcome: back to the visit with `done`, or the visit's
/// page with the refusals on the form.
async fn outcome(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    posted: &BTreeMap<String, String>,
    result: Result<VisitFull, AppError>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/visits/{id}?done={done}")).into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            let full = visible_visit(&state.app, &user.caller(), id).await?;
            render_visit(state, user, &full, posted, &errors, None).await
        }
    }
}

fn text(posted: &BTreeMap<String, String>, name: &str) -> String {
    posted
        .get(name)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// One step's handler: `$call` is the use case's call on `(app, caller, id,
/// posted)`.
macro_rules! step {
    ($(#[$doc:meta])* $name:ident, $done:literal, |$app:ident, $caller:ident, $id:ident, $p:ident| $call:expr) => {
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            user: CurrentUser,
            Path(id): Path<String>,
            Form(fields): Form<Vec<(String, String)>>,
        ) -> Result<Response, PageError> {
            let $id = paths::id(&id)?;
            let $p = posted(fields);
            let $app = &state.app;
            let $caller = &user.caller();
            let result = $call.await;
            outcome(&state, &user, $id, &$p, result, $done).await
        }
    };
}

step!(
    /// `POST /visits/{visit}/self-evaluation/request`.
    request_se, "requested", |app, caller, id, _p| uc::request_self_evaluation(app, caller, id)
);
step!(
    /// `POST /visits/{visit}/self-evaluation`: the school completes its form.
    complete_se, "completed", |app, caller, id, p| {
        uc::complete_self_evaluation(app, caller, id, &text(&p, "self_evaluation"))
    }
);
step!(
    /// `POST /visits/{visit}/self-evaluation/review`.
    review_se, "reviewed", |app, caller, id, p| uc::review_self_evaluation(app, caller, id, &text(&p, "review"))
);
step!(
    /// `POST /visits/{visit}/note/send`.
    send, "sent", |app, caller, id, _p| uc::send_note(app, caller, id)
);
step!(
    /// `POST /visits/{visit}/note/respond`: the headteacher marks the note
    /// accurate or responds with comments.
    respond, "responded", |app, caller, id, p| {
        uc::respond_to_note(app, caller, id, &text(&p, "response"), &text(&p, "comments"))
    }
);
step!(
    /// `POST /visits/{visit}/note/no-response`: the adviser records that the
    /// response window passed.
    no_response, "no-response", |app, caller, id, _p| uc::record_no_response(app, caller, id)
);
step!(
    /// `POST /visits/{visit}/note/share` (adviser or lead) and
    /// `POST /visits/{visit}/note/school-share` (the headteacher).
    share, "shared", |app, caller, id, _p| uc::share_with_chair(app, caller, id)
);
step!(
    /// `POST /visits/{visit}/note/finalise`.
    finalise, "final", |app, caller, id, _p| uc::finalise_note(app, caller, id)
);
step!(
    /// `POST /visits/{visit}/note/addenda`.
    addendum, "addendum", |app, caller, id, p| uc::add_addendum(app, caller, id, &text(&p, "addendum"))
);

/// `POST /visits/{visit}/held`: the visit took place (a GOV.UK date input).
pub async fn held(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
    let f = forms::fields(form.clone());
    let p = posted(form);
    let result = match forms::date_input(&f, "date", "the date the visit took place") {
        Ok(date) => uc::record_held(&state.app, &user.caller(), id, date).await,
        Err(e) => {
            let text = e
                .get_attr("text")
                .ok()
                .and_then(|t| t.as_str().map(str::to_string))
                .unwrap_or_default();
            Err(AppError::Invalid(vec![FieldError::new("date", text)]))
        }
    };
    outcome(&state, &user, id, &p, result, "held").await
}

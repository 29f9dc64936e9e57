//! School Performance Board protocols on a case (issue 6):
//! `/concern/cases/{case_id}/spb` lists them and starts one (requested by the
//! Priority Partner or another party, or automatically for special measures
//! or serious weaknesses); `/spb/{spb_id}` shows every step with its due date
//! computed in working days (late, at risk and overdue flagged) and records
//! the next step. The domain's protocol refuses steps out of order, fewer
//! than three dates, a date not offered and a meeting without governors.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::spb;
use uplift_domain::access::Action;
use uplift_domain::concern::StepState;
use uplift_domain::register::{CategoryOfConcern, Date};
use uplift_store::concern::CaseRecord;
use uplift_store::spb::{step_label, SpbRecord, StepInput};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::pages::concern::case_for;
use crate::pages::meetings::{by_field, can, field, parse_date, today, with_status};
use crate::paths;
use crate::render::render;

/// The protocol of the user's organisation, if they may do `action` on it.
pub async fn spb_for(
    state: &AppState,
    user: &CurrentUser,
    spb_id: &str,
    action: Action,
) -> Result<SpbRecord, Problem> {
    let id = paths::id(spb_id)?;
    Ok(spb::spb_for(&state.app, &user.caller(), id, action).await?)
}

pub use crate::views::spb::state_words;

#[derive(Debug, Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    pub done: Option<String>,
}

async fn render_case(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseRecord,
    form: (&str, &str, &str),
    errors: Vec<Value>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let school = state.db.school_name(case.urn).await?.unwrap_or_default();
    let mut rows = Vec::new();
    for p in spb::case_spbs(&state.app, &user.caller(), case.id).await? {
        let (spb, protocol) = (&p.record, &p.protocol);
        let overdue = p
            .rows
            .iter()
            .filter(|s| matches!(s.state, StepState::Overdue))
            .count();
        rows.push(context! {
            href => format!("/spb/{}", spb.id),
            id => spb.id,
            requested_on => spb.requested_on.clone(),
            route => match spb.route.as_str() {
                "automatic" => format!("Automatic ({})", spb.category.clone().unwrap_or_default().replace('_', " ")),
                _ => format!("Requested by {}", spb.requested_by.clone().unwrap_or_default()),
            },
            meeting => protocol.meeting_date().map(|d| d.to_string()),
            overdue => overdue,
        });
    }
    let automatic = spb::automatic_category(&state.app, org, case.urn).await?;
    let has_errors = !errors.is_empty();
    let path = format!("/concern/cases/{}/spb", case.id);
    let res = render(
        state,
        Some(user),
        &path,
        "spb_case.html",
        &format!("{school}: School Performance Boards"),
        context! {
            case => context! { id => case.id, urn => case.urn, school => school.clone(), open => case.closed_on.is_none() },
            protocols => rows,
            automatic => automatic.map(|c| match c { CategoryOfConcern::SpecialMeasures => "special measures", _ => "serious weaknesses" }),
            form => context! { route => form.0, by => form.1, date => form.2 },
            can_write => can(user, Action::WriteConcern),
            field_errors => by_field(&errors),
            errors => errors,
            has_errors => has_errors,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /concern/cases/{case_id}/spb`.
pub async fn case_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &case_id, Action::ReadMeetings).await?;
    render_case(
        &state,
        &user,
        &case,
        ("", "", &today().to_string()),
        Vec::new(),
    )
    .await
}

/// `POST /concern/cases/{case_id}/spb`: starts a protocol.
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &case_id, Action::WriteConcern).await?;
    let route = field(&fields, "route");
    let by = field(&fields, "requested_by");
    let date_text = field(&fields, "requested_on");
    let input = spb::StartSpb {
        route: route.to_string(),
        requested_by: by.to_string(),
        requested_on: parse_date(date_text),
    };
    match spb::start_spb(&state.app, &user.caller(), case.id, input).await {
        Ok(spb) => Ok(Redirect::to(&format!("/spb/{}?done=started", spb.id)).into_response()),
        Err(e) => {
            let errors = crate::forms::refusals(e, str::to_owned)?;
            render_case(&state, &user, &case, (route, by, date_text), errors).await
        }
    }
}

async fn render_spb(
    state: &AppState,
    user: &CurrentUser,
    spb: &SpbRecord,
    form: &[(String, String)],
    errors: Vec<Value>,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let school = state.db.school_name(spb.urn).await?.unwrap_or_default();
    let p = spb::protocol_status(&state.app, spb.clone()).await?;
    let (protocol, steps) = (&p.protocol, &p.steps);
    let rows: Vec<Value> = p
        .rows
        .iter()
        .map(|r| {
            let (words, colour) = state_words(&r.state);
            context! { label => step_label(r.step), due => r.due.map(|d| d.to_string()), on => r.done_on.map(|d| d.to_string()), state => words, colour => colour, rule => r.rule }
        })
        .collect();
    let recorded: Vec<Value> = steps
        .iter()
        .filter_map(|s| {
            let input: StepInput = serde_json::from_str(&s.detail_json).ok()?;
            let on: Date = s.on_date.get(..10)?.parse().ok()?;
            Some(context! { text => input.describe(on), by => s.recorded_by.clone() })
        })
        .collect();
    let offered: Vec<Value> = steps
        .iter()
        .filter_map(
            |s| match serde_json::from_str::<StepInput>(&s.detail_json).ok()? {
                StepInput::DatesOffered { dates } => Some(dates),
                _ => None,
            },
        )
        .flatten()
        .map(|d| context! { value => d.to_string(), text => uplift_domain::concern::long_date(d) })
        .collect();
    let step_options: Vec<Value> = [
        ("approval", "Approval and funding decision"),
        ("chair_nominated", "Chair nominated"),
        ("dates_offered", "Dates offered to the headteacher"),
        ("date_chosen", "Date chosen by the headteacher"),
        ("confirmed", "Date confirmed, governors to be present"),
        ("chair_introduced", "Chair introduced to the headteacher"),
        ("partner_visit", "Priority Partner visit"),
        ("meeting", "The meeting held (with the next dates)"),
        ("notes_sent", "Notes uploaded and sent"),
    ]
    .iter()
    .map(|(v, t)| context! { value => *v, text => *t })
    .collect();
    let f = |n: &str| field(form, n).to_string();
    let has_errors = !errors.is_empty();
    let path = format!("/spb/{}", spb.id);
    let res = render(
        state,
        Some(user),
        &path,
        "spb.html",
        &format!("{school}: School Performance Board"),
        context! {
            spb => context! {
                id => spb.id, case_id => spb.case_id, urn => spb.urn, requested_on => spb.requested_on.clone(),
                route => match spb.route.as_str() {
                    "automatic" => format!("Qualifies automatically ({}): agreed and funded as statutory monitoring", spb.category.clone().unwrap_or_default().replace('_', " ")),
                    _ => format!("Requested by {}", spb.requested_by.clone().unwrap_or_default()),
                },
                meeting => protocol.meeting_date().map(|d| d.to_string()),
            },
            school => school.clone(),
            rows => rows,
            recorded => recorded,
            offered => offered,
            step_options => step_options,
            form => context! {
                step => f("step"), on => if f("on").is_empty() { today().to_string() } else { f("on") },
                agreed => f("agreed"), funded => f("funded"), chair => f("chair"), dates => f("dates"),
                chosen => f("chosen"), governors => f("governors"), next_dates => f("next_dates"),
            },
            can_write => can(user, Action::WriteConcern),
            field_errors => by_field(&errors),
            errors => errors,
            has_errors => has_errors,
            flash => flash,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /spb/{spb_id}`.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(spb_id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let spb = spb_for(&state, &user, &spb_id, Action::ReadMeetings).await?;
    let flash = match flash.done.as_deref() {
        Some("started") => Some("The School Performance Board has been started."),
        Some("step") => Some("The step has been recorded."),
        _ => None,
    };
    render_spb(&state, &user, &spb, &[], Vec::new(), flash).await
}

/// `POST /spb/{spb_id}/steps`: records a step.
pub async fn record_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(spb_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = paths::id(&spb_id)?;
    let yes_no = |n: &str| match field(&fields, n) {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let list = |n: &str| -> Vec<String> {
        field(&fields, n)
            .split(['\n', ','])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let input = spb::RecordStep {
        step: field(&fields, "step").to_string(),
        on: parse_date(field(&fields, "on")),
        agreed: yes_no("agreed"),
        funded: yes_no("funded"),
        chair: field(&fields, "chair").to_string(),
        dates: list("dates"),
        chosen: field(&fields, "chosen").to_string(),
        governors: yes_no("governors"),
        next_dates: list("next_dates"),
    };
    match spb::record_step(&state.app, &user.caller(), id, input).await {
        Ok(s) => Ok(Redirect::to(&format!("/spb/{}?done=step", s.id)).into_response()),
        Err(e) => {
            let errors = crate::forms::refusals(e, str::to_owned)?;
            let spb = spb_for(&state, &user, &spb_id, Action::ReadMeetings).await?;
            render_spb(&state, &user, &spb, &fields, errors, None).await
        }
    }
}

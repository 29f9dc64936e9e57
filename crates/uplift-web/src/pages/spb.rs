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
use uplift_domain::access::{Action, Scope};
use uplift_domain::concern::{SpbDeadlines, SpbProtocol, SpbStep, StepState};
use uplift_domain::policy::FlagKind;
use uplift_domain::register::{CategoryOfConcern, Date};
use uplift_store::concern::CaseRecord;
use uplift_store::spb::{self as store, rebuild, step_label, SpbRecord, SpbStart, StepInput};

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::pages::concern::case_for;
use crate::pages::meetings::{by_field, can, err, field, parse_date, today, with_status};
use crate::paths;
use crate::render::render;

/// The category that qualifies a school automatically, if any (special
/// measures, or serious weaknesses / requires significant improvement, from
/// the school's flags under the policy in force).
pub async fn automatic_category(
    state: &AppState,
    org: i64,
    urn: i64,
) -> Result<Option<CategoryOfConcern>, Problem> {
    let policy = state.db.policy_in_force(org).await?;
    let Some(p) = state
        .db
        .categorise_school(org, &policy, urn, today())
        .await?
    else {
        return Ok(None);
    };
    if p.flags.get(FlagKind::SpecialMeasures).effective() {
        return Ok(Some(CategoryOfConcern::SpecialMeasures));
    }
    if p.flags
        .get(FlagKind::RequiresSignificantImprovement)
        .effective()
    {
        return Ok(Some(CategoryOfConcern::SeriousWeaknesses));
    }
    Ok(None)
}

pub async fn spb_for(
    state: &AppState,
    user: &CurrentUser,
    spb_id: &str,
    action: Action,
) -> Result<SpbRecord, Problem> {
    let org = user.principal.organisation_id;
    let spb = state
        .db
        .spb(org, paths::id(spb_id)?)
        .await?
        .ok_or(Problem::NotFound)?;
    permit(
        user,
        action,
        Scope::School {
            organisation_id: org,
            urn: spb.urn,
        },
    )?;
    Ok(spb)
}

pub fn state_words(s: &StepState) -> (&'static str, &'static str) {
    match s {
        StepState::Done { late: true, .. } => ("Done late", "orange"),
        StepState::Done { early: true, .. } => ("Done before its window", "orange"),
        StepState::Done { .. } => ("Done", "green"),
        StepState::Pending => ("To do", "grey"),
        StepState::AtRisk => ("Due soon", "yellow"),
        StepState::Overdue => ("Overdue", "red"),
        StepState::NotApplicable => ("Not applicable", "grey"),
    }
}

/// Every step with its due date and state, as of today.
pub async fn status_rows(
    state: &AppState,
    protocol: &SpbProtocol,
) -> Result<Vec<(SpbStep, Option<Date>, Option<Date>, StepState, &'static str)>, Problem> {
    let cal = state.db.bank_holidays().await?;
    let status = protocol
        .status(&cal, &SpbDeadlines::default(), today())
        .map_err(|e| Problem::Internal(e.to_string()))?;
    Ok(status
        .into_iter()
        .map(|s| {
            let done_on = match s.state {
                StepState::Done { on, .. } => Some(on),
                _ => None,
            };
            (s.step, s.due, done_on, s.state, s.rule)
        })
        .collect())
}

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
    for spb in state.db.case_spbs(org, case.id).await? {
        let steps = state.db.spb_steps(spb.id).await?;
        let protocol = rebuild(&spb, &steps)?;
        let status = status_rows(state, &protocol).await?;
        let overdue = status
            .iter()
            .filter(|s| matches!(s.3, StepState::Overdue))
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
    let automatic = automatic_category(state, org, case.urn).await?;
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
    let org = user.principal.organisation_id;
    let route = field(&fields, "route");
    let by = field(&fields, "requested_by");
    let date_text = field(&fields, "requested_on");
    let mut errors = Vec::new();
    let date = parse_date(date_text);
    if date.is_none() {
        errors.push(err(
            "requested_on",
            "Enter the date of the request, for example 2026-11-24",
        ));
    }
    let how = match route {
        "requested" if by.trim().is_empty() => {
            errors.push(err(
                "requested_by",
                "Enter who requested the School Performance Board",
            ));
            None
        }
        "requested" if by.trim().chars().count() > 200 => {
            errors.push(err(
                "requested_by",
                "Who requested it must be 200 characters or fewer",
            ));
            None
        }
        "requested" => Some(SpbStart::Requested {
            by: by.trim().to_string(),
        }),
        "automatic" => match automatic_category(&state, org, case.urn).await? {
            Some(category) => Some(SpbStart::Automatic { category }),
            None => {
                errors.push(err("route", "The school does not qualify automatically: only special measures or serious weaknesses do"));
                None
            }
        },
        _ => {
            errors.push(err(
                "route",
                "Select how the School Performance Board came about",
            ));
            None
        }
    };
    if case.closed_on.is_some() {
        errors.push(err(
            "route",
            "The case is closed: the school is no longer on the list",
        ));
    }
    let (Some(date), Some(how), true) = (date, how, errors.is_empty()) else {
        return render_case(&state, &user, &case, (route, by, date_text), errors).await;
    };
    let mut tx = state.db.begin().await?;
    let spb = store::start(&mut tx, &user.actor(), org, case.id, &how, date).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/spb/{}?done=started", spb.id)).into_response())
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
    let steps = state.db.spb_steps(spb.id).await?;
    let protocol = rebuild(spb, &steps)?;
    let status = status_rows(state, &protocol).await?;
    let rows: Vec<Value> = status
        .iter()
        .map(|(step, due, on, st, rule)| {
            let (words, colour) = state_words(st);
            context! { label => step_label(*step), due => due.map(|d| d.to_string()), on => on.map(|d| d.to_string()), state => words, colour => colour, rule => *rule }
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

fn dates_list(s: &str) -> Result<Vec<Date>, String> {
    s.split(['\n', ','])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            parse_date(l).ok_or_else(|| format!("{l:?} is not a date (for example 2026-12-08)"))
        })
        .collect()
}

/// A step from a form (or JSON) of strings; the errors name the fields.
pub fn step_from(fields: &[(String, String)]) -> Result<(StepInput, Date), Vec<(String, String)>> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let on = parse_date(field(fields, "on"));
    if on.is_none() {
        errors.push((
            "on".into(),
            "Enter the date of the step, for example 2026-11-24".into(),
        ));
    }
    let yes_no = |n: &str| match field(fields, n) {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let input = match field(fields, "step") {
        "approval" => match (yes_no("agreed"), yes_no("funded")) {
            (Some(agreed), Some(funded)) => Some(StepInput::Approval { agreed, funded }),
            (a, f) => {
                if a.is_none() {
                    errors.push((
                        "agreed".into(),
                        "Select whether the Director agreed the School Performance Board".into(),
                    ));
                }
                if f.is_none() {
                    errors.push(("funded".into(), "Select whether it is funded".into()));
                }
                None
            }
        },
        "chair_nominated" => {
            let chair = field(fields, "chair").trim();
            if chair.is_empty() {
                errors.push((
                    "chair".into(),
                    "Enter the name of the chair nominated".into(),
                ));
                None
            } else if chair.chars().count() > 200 {
                errors.push((
                    "chair".into(),
                    "The chair's name must be 200 characters or fewer".into(),
                ));
                None
            } else {
                Some(StepInput::ChairNominated {
                    chair: chair.to_string(),
                })
            }
        }
        "dates_offered" => match dates_list(field(fields, "dates")) {
            Ok(dates) => Some(StepInput::DatesOffered { dates }),
            Err(e) => {
                errors.push((
                    "dates".into(),
                    format!("Each date offered must be a date: {e}"),
                ));
                None
            }
        },
        "date_chosen" => match parse_date(field(fields, "chosen")) {
            Some(chosen) => Some(StepInput::DateChosen { chosen }),
            None => {
                errors.push((
                    "chosen".into(),
                    "Select the date the headteacher chose".into(),
                ));
                None
            }
        },
        "confirmed" => match yes_no("governors") {
            Some(governors_present) => Some(StepInput::Confirmed { governors_present }),
            None => {
                errors.push((
                    "governors".into(),
                    "Select whether governors will be present".into(),
                ));
                None
            }
        },
        "chair_introduced" => Some(StepInput::ChairIntroduced),
        "partner_visit" => Some(StepInput::PartnerVisit),
        "meeting" => match dates_list(field(fields, "next_dates")) {
            Ok(next_dates) => Some(StepInput::Meeting { next_dates }),
            Err(e) => {
                errors.push((
                    "next_dates".into(),
                    format!("Each next date must be a date: {e}"),
                ));
                None
            }
        },
        "notes_sent" => Some(StepInput::NotesSent),
        _ => {
            errors.push(("step".into(), "Select the step to record".into()));
            None
        }
    };
    match (input, on, errors.is_empty()) {
        (Some(i), Some(d), true) => Ok((i, d)),
        _ => Err(errors),
    }
}

/// The field a refusal from the protocol belongs to.
pub fn refusal_field(step: &StepInput) -> &'static str {
    match step {
        StepInput::Approval { .. } => "agreed",
        StepInput::ChairNominated { .. } => "chair",
        StepInput::DatesOffered { .. } => "dates",
        StepInput::DateChosen { .. } => "chosen",
        StepInput::Confirmed { .. } => "governors",
        StepInput::Meeting { .. } => "next_dates",
        _ => "step",
    }
}

/// `POST /spb/{spb_id}/steps`: records a step.
pub async fn record_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(spb_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let spb = spb_for(&state, &user, &spb_id, Action::WriteConcern).await?;
    let org = user.principal.organisation_id;
    let (input, on) = match step_from(&fields) {
        Ok(x) => x,
        Err(errs) => {
            let errors = errs.iter().map(|(f, t)| err(f, t)).collect();
            return render_spb(&state, &user, &spb, &fields, errors, None).await;
        }
    };
    let mut tx = state.db.begin().await?;
    match store::record_step(&mut tx, &user.actor(), org, spb.id, &input, on).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/spb/{}?done=step", spb.id)).into_response())
        }
        Err(uplift_store::StoreError::Invalid(msg)) => {
            tx.rollback().await?;
            let errors = vec![err(
                refusal_field(&input),
                &format!("The step cannot be recorded: {msg}"),
            )];
            render_spb(&state, &user, &spb, &fields, errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

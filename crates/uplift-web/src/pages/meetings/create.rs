//! Creating one meeting, or a year's schedule of one kind.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::meetings::{
    create_meeting, schedule_meetings, MeetingCreated, NewMeetingInput, ScheduleInput, WEEKDAYS,
};
use uplift_domain::calendar::AcademicYear;
use uplift_store::meetings::kind_name;

use super::{by_field, kind_options, today, with_status};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::forms;
use crate::render::render;

#[derive(Debug, Deserialize, Default, Clone)]
pub struct NewMeetingForm {
    #[serde(default)]
    pub kind: String,
    /// The GOV.UK date input's three parts.
    #[serde(default, rename = "date-day")]
    pub date_day: String,
    #[serde(default, rename = "date-month")]
    pub date_month: String,
    #[serde(default, rename = "date-year")]
    pub date_year: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub urn: String,
    #[serde(default)]
    pub location: String,
    /// "yes" once the user has seen the date warnings and keeps the date.
    #[serde(default)]
    pub confirm: String,
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct ScheduleForm {
    #[serde(default)]
    pub schedule_kind: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub weekday: String,
    #[serde(default)]
    pub week: String,
    /// "preview" or "create".
    #[serde(default)]
    pub action: String,
}

#[allow(clippy::too_many_arguments)]
async fn render_new(
    state: &AppState,
    user: &CurrentUser,
    form: &NewMeetingForm,
    sched: &ScheduleForm,
    warnings: Vec<String>,
    preview: Option<Value>,
    errors: Vec<Value>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let year = AcademicYear::containing(today());
    let years: Vec<Value> = [Some(year), year.next()]
        .into_iter()
        .flatten()
        .map(|y| context! { value => y.to_string(), text => y.to_string() })
        .collect();
    let (_, own_terms) = state.db.term_dates(org, year).await?;
    let weekdays: Vec<Value> = WEEKDAYS
        .iter()
        .map(|(v, t, _)| context! { value => *v, text => *t })
        .collect();
    let weeks: Vec<Value> = (1..=6)
        .map(|w| context! { value => w.to_string(), text => format!("Week {w}") })
        .collect();
    let has_errors = !errors.is_empty();
    let res = render(
        state,
        Some(user),
        "/meetings",
        "meeting_new.html",
        "Create meetings",
        context! {
            kinds => kind_options(false),
            form => context! {
                kind => form.kind.clone(),
                date => context! { day => form.date_day.clone(), month => form.date_month.clone(), year => form.date_year.clone() },
                title => form.title.clone(),
                urn => form.urn.clone(), location => form.location.clone(),
            },
            sched => context! {
                kind => sched.schedule_kind.clone(),
                year => if sched.year.is_empty() { year.to_string() } else { sched.year.clone() },
                weekday => if sched.weekday.is_empty() { "tuesday".to_string() } else { sched.weekday.clone() },
                week => if sched.week.is_empty() { "3".to_string() } else { sched.week.clone() },
            },
            years => years,
            weekdays => weekdays,
            weeks => weeks,
            own_terms => own_terms,
            warnings => warnings,
            preview => preview,
            field_errors => by_field(&errors),
            errors => errors,
            has_errors => has_errors,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /meetings/new`: create one meeting, or schedule a year of one kind.
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    render_new(
        &state,
        &user,
        &NewMeetingForm::default(),
        &ScheduleForm::default(),
        Vec::new(),
        None,
        Vec::new(),
    )
    .await
}

/// `POST /meetings`: creates one meeting. A date on a weekend, a bank
/// holiday or outside term is shown as a warning first; the user confirms
/// to keep it.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<NewMeetingForm>,
) -> Result<Response, PageError> {
    // The date input is read once; a date it cannot read is reported on
    // the date with the Design System's message, beside the use case's
    // other refusals.
    let typed = forms::parse_date_parts(
        &f.date_day,
        &f.date_month,
        &f.date_year,
        "the date of the meeting",
    );
    let input = NewMeetingInput {
        kind: f.kind.clone(),
        date: typed.clone().ok().flatten(),
        title: f.title.clone(),
        urn: f.urn.clone(),
        location: f.location.clone(),
        confirmed: f.confirm == "yes",
    };
    let (warnings, errors) = match create_meeting(&state.app, &user.caller(), input).await {
        Ok(MeetingCreated::Created(m)) => {
            return Ok(Redirect::to(&format!("/meetings/{}?done=created", m.id)).into_response())
        }
        Ok(MeetingCreated::Unconfirmed(warnings)) => (warnings, Vec::new()),
        Err(uplift_app::AppError::Invalid(mut errors)) => {
            if let Err(m) = &typed {
                for e in errors.iter_mut().filter(|e| e.field == "date") {
                    e.message = m.clone();
                }
            }
            (Vec::new(), forms::field_errors(&errors, str::to_owned))
        }
        Err(e) => return Err(crate::error::Problem::from(e).into()),
    };
    render_new(
        &state,
        &user,
        &f,
        &ScheduleForm::default(),
        warnings,
        None,
        errors,
    )
    .await
}

/// `POST /meetings/schedule`: previews, then creates, a year of meetings of
/// one kind at the kind's cadence in the organisation's term time.
pub async fn create_schedule(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<ScheduleForm>,
) -> Result<Response, PageError> {
    let input = ScheduleInput {
        kind: f.schedule_kind.clone(),
        year: f.year.clone(),
        weekday: f.weekday.clone(),
        week: f.week.clone(),
        create: f.action == "create",
    };
    let s = match schedule_meetings(&state.app, &user.caller(), input).await {
        Ok(s) => s,
        Err(e) => {
            let errors = crate::forms::refusals(e, |k| {
                if k == "kind" {
                    "schedule_kind".to_owned()
                } else {
                    k.to_owned()
                }
            })?;
            return render_new(
                &state,
                &user,
                &NewMeetingForm::default(),
                &f,
                Vec::new(),
                None,
                errors,
            )
            .await;
        }
    };
    if f.action != "create" {
        let rows: Vec<Value> = s
            .dates
            .iter()
            .map(|(d, w)| context! { date => d.to_string(), weekday => format!("{:?}", d.weekday()), warnings => w.join("; ") })
            .collect();
        let preview = context! {
            kind => s.kind.name(),
            cadence => format!("{:?}", s.kind.default_cadence()),
            source => s.kind.source(),
            rows => rows,
        };
        return render_new(
            &state,
            &user,
            &NewMeetingForm::default(),
            &f,
            Vec::new(),
            Some(preview),
            Vec::new(),
        )
        .await;
    }
    Ok(Redirect::to(&format!(
        "/meetings?kind={}&done={}",
        kind_name(s.kind),
        s.created.len()
    ))
    .into_response())
}

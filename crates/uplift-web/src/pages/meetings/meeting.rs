//! One meeting's page and its actions: attendees, minutes, status, issuing
//! the agenda, decisions, and the papers.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::meetings::{self, live_agenda};
use uplift_domain::access::Action;
use uplift_domain::policy::ProposalAction;
use uplift_store::concern as store_concern;
use uplift_store::meetings::{ListedCase, Meeting, MeetingStatus};

use super::{by_field, can, field, meeting_of, with_status, DECISION_KINDS};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::paths;
use crate::render::render;
use crate::views::meetings::section_label;

#[derive(Debug, Deserialize, Default)]
pub struct MeetingFlash {
    #[serde(default)]
    pub done: Option<String>,
}

/// What the decision form held when it was refused.
#[derive(Debug, Default, Clone)]
pub struct DecisionAttempt {
    pub urn: i64,
    pub kind: String,
    pub other: String,
    pub rationale: String,
}

#[allow(clippy::too_many_arguments)]
async fn render_meeting(
    state: &AppState,
    user: &CurrentUser,
    m: &Meeting,
    attempt: Option<&DecisionAttempt>,
    attendee_form: (&str, &str),
    minute_form: (&str, &str),
    errors: Vec<Value>,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let db = &state.db;
    let inputs = live_agenda(&state.app, org, m).await?;
    let issued = db.meeting_agenda(m.id).await?;
    let (agenda, agenda_issued_at) = match &issued {
        Some(s) => (s.agenda()?, Some(s.issued_at.clone())),
        None => (inputs.agenda.clone(), None),
    };
    let items: Vec<Value> = agenda
        .items
        .iter()
        .map(|i| {
            context! {
                section => section_label(i.section),
                urn => i.urn.get(),
                school => i.school.clone(),
                detail => i.detail.clone(),
            }
        })
        .collect();
    // One decision form per school on the agenda, in agenda order.
    let mut seen = Vec::new();
    let cases: BTreeMap<i64, &ListedCase> = inputs.cases.iter().map(|c| (c.urn, c)).collect();
    let mut schools = Vec::new();
    for i in &agenda.items {
        let u = i64::from(i.urn.get());
        if seen.contains(&u) {
            continue;
        }
        seen.push(u);
        let proposal = inputs.proposals.iter().find(|p| p.urn == u);
        let case = cases.get(&u);
        let a = attempt.filter(|a| a.urn == u);
        // "Not a priority" is for a school with no open case.
        let kinds: Vec<Value> = DECISION_KINDS
            .iter()
            .filter(|(v, _)| case.is_none() || *v != "not_a_priority")
            .map(|(v, t)| context! { value => *v, text => *t })
            .collect();
        schools.push(context! {
            urn => u,
            school => i.school.clone(),
            case_id => case.map(|c| c.case_id),
            state => case.map(|c| store_concern::state_label(&c.state)),
            lead_officer => case.and_then(|c| c.lead_officer_name.clone()),
            proposal => proposal.map(|p| match p.action {
                ProposalAction::AddToCausingConcernList => format!("Proposed for the list: {}", p.reason),
                ProposalAction::RemoveFromCausingConcernList => format!("Proposed for removal: {}", p.reason),
            }),
            triggers => proposal.map(|p| p.triggers.join(", ")).unwrap_or_default(),
            kinds => kinds,
            kind => a.map(|a| a.kind.clone()).unwrap_or_default(),
            other => a.map(|a| a.other.clone()).unwrap_or_default(),
            rationale => a.map(|a| a.rationale.clone()).unwrap_or_default(),
            error_kind => a.and_then(|_| by_field(&errors).get(&format!("kind-{u}")).cloned()),
            error_other => a.and_then(|_| by_field(&errors).get(&format!("other-{u}")).cloned()),
            error_rationale => a.and_then(|_| by_field(&errors).get(&format!("rationale-{u}")).cloned()),
        });
    }
    let attendees: Vec<Value> = db
        .meeting_attendees(m.id)
        .await?
        .iter()
        .map(|a| context! { id => a.id, name => a.name.clone(), role => a.role.clone() })
        .collect();
    let names: BTreeMap<i64, String> = agenda
        .items
        .iter()
        .map(|i| (i64::from(i.urn.get()), i.school.clone()))
        .collect();
    let minutes: Vec<Value> = db
        .meeting_minutes(m.id)
        .await?
        .iter()
        .map(|x| {
            context! {
                item => x.urn.map(|u| format!("{} (URN {u})", names.get(&u).cloned().unwrap_or_default())).unwrap_or_else(|| "General".into()),
                body => x.body.clone(),
                by => x.recorded_by.clone(),
                at => x.recorded_at.clone(),
            }
        })
        .collect();
    let decisions: Vec<Value> = db
        .meeting_decisions(org, m.id)
        .await?
        .iter()
        .map(|d| {
            context! {
                school => d.school.clone(), urn => d.urn, label => d.label(), rationale => d.rationale.clone(),
                by => d.decided_by.clone(), on => d.decided_on.clone(),
                case_href => d.case_id.map(|c| format!("/concern/cases/{c}")),
            }
        })
        .collect();
    let mut item_options = vec![context! { value => "", text => "General" }];
    for (u, n) in &names {
        item_options.push(context! { value => u.to_string(), text => format!("{n} (URN {u})") });
    }
    let statuses: Vec<Value> = MeetingStatus::ALL
        .iter()
        .map(|s| context! { value => s.as_str(), text => match s { MeetingStatus::Scheduled => "Scheduled", MeetingStatus::Held => "Held", MeetingStatus::Cancelled => "Cancelled" } })
        .collect();
    let focus_name = match m.focus_urn {
        Some(u) => db.school_name(u).await?,
        None => None,
    };
    let has_errors = !errors.is_empty();
    let path = format!("/meetings/{}", m.id);
    let res = render(
        state,
        Some(user),
        &path,
        "meeting.html",
        &m.title,
        context! {
            meeting => context! {
                id => m.id, title => m.title.clone(), kind => m.kind_label(), date => m.meeting_date.clone(),
                status => m.status.clone(), location => m.location.clone(), warnings => m.warnings.clone(),
                focus_urn => m.focus_urn, focus_name => focus_name,
                source => m.kind().map(|k| k.source()),
            },
            agenda_issued_at => agenda_issued_at,
            items => items,
            schools => schools,
            attendees => attendees,
            minutes => minutes,
            decisions => decisions,
            item_options => item_options,
            statuses => statuses,
            attendee_form => context! { name => attendee_form.0, role => attendee_form.1 },
            minute_form => context! { item => minute_form.0, body => minute_form.1 },
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

/// `GET /meetings/{meeting_id}`.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(flash): Query<MeetingFlash>,
) -> Result<Response, PageError> {
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let flash = match flash.done.as_deref() {
        Some("created") => Some("The meeting has been created."),
        Some("attendee") => Some("The attendee has been added."),
        Some("removed") => Some("The attendee has been removed."),
        Some("minute") => Some("The minute has been recorded."),
        Some("status") => Some("The meeting's status has been changed."),
        Some("agenda") => Some("The agenda has been issued."),
        Some("decision") => Some("The decision has been recorded."),
        _ => None,
    };
    render_meeting(
        &state,
        &user,
        &m,
        None,
        ("", ""),
        ("", ""),
        Vec::new(),
        flash,
    )
    .await
}

/// `POST /meetings/{meeting_id}/attendees`: adds an attendee, or removes one
/// (`remove` = the attendee's id).
pub async fn attendees(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let caller = user.caller();
    let id = paths::id(&id)?;
    let remove = field(&fields, "remove");
    if !remove.is_empty() {
        let aid = remove
            .trim()
            .parse::<i64>()
            .map_err(|_| Problem::NotFound)?;
        meetings::remove_attendee(&state.app, &caller, id, aid).await?;
        return Ok(Redirect::to(&format!("/meetings/{id}?done=removed#attendees")).into_response());
    }
    let name = field(&fields, "attendee_name").trim().to_string();
    let role = field(&fields, "attendee_role").trim().to_string();
    match meetings::add_attendee(&state.app, &caller, id, &name, &role).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/meetings/{id}?done=attendee#attendees")).into_response())
        }
        Err(e) => {
            let errors = crate::forms::refusals(e, |f| format!("attendee_{f}"))?;
            let m = meeting_of(&state, &user, id).await?;
            render_meeting(
                &state,
                &user,
                &m,
                None,
                (&name, &role),
                ("", ""),
                errors,
                None,
            )
            .await
        }
    }
}

/// `POST /meetings/{meeting_id}/minutes`: appends a minute, general or on an agenda item.
pub async fn minutes(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
    let item = field(&fields, "item").trim().to_string();
    let body = field(&fields, "minute").trim().to_string();
    match meetings::add_minute(&state.app, &user.caller(), id, &item, &body).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?done=minute#minutes")).into_response()),
        Err(e) => {
            let errors = crate::forms::refusals(e, |f| {
                if f == "urn" {
                    "item".to_owned()
                } else {
                    f.to_owned()
                }
            })?;
            let m = meeting_of(&state, &user, id).await?;
            render_meeting(
                &state,
                &user,
                &m,
                None,
                ("", ""),
                (&item, &body),
                errors,
                None,
            )
            .await
        }
    }
}

/// `POST /meetings/{meeting_id}/status`: scheduled, held or cancelled.
pub async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
    match meetings::set_status(&state.app, &user.caller(), id, field(&fields, "status")).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?done=status")).into_response()),
        Err(e) => {
            let errors = crate::forms::refusals(e, str::to_owned)?;
            let m = meeting_of(&state, &user, id).await?;
            render_meeting(&state, &user, &m, None, ("", ""), ("", ""), errors, None).await
        }
    }
}

/// `POST /meetings/{meeting_id}/agenda`: issues the agenda as it stands (a
/// snapshot kept with the meeting; the papers use it).
pub async fn issue_agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
    meetings::issue_agenda(&state.app, &user.caller(), id).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=agenda")).into_response())
}

/// `POST /meetings/{meeting_id}/decisions`: a lead records the meeting's
/// decision about one school on its agenda, with the rationale. Designating
/// a proposed school opens its case.
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let urn = field(&fields, "urn").trim().parse::<i64>().unwrap_or(0);
    let attempt = DecisionAttempt {
        urn,
        kind: field(&fields, &format!("kind-{urn}")).to_string(),
        other: field(&fields, &format!("other-{urn}")).to_string(),
        rationale: field(&fields, &format!("rationale-{urn}")).to_string(),
    };
    let suffix = |f: &str| {
        let f = meeting_field(f);
        if f == "urn" {
            "urn".to_string()
        } else {
            format!("{f}-{urn}")
        }
    };
    let r = meetings::decide_at_meeting(
        &state.app,
        &user.caller(),
        m.id,
        urn,
        &attempt.kind,
        &attempt.other,
        &attempt.rationale,
    )
    .await;
    match r {
        Ok(_) => Ok(
            Redirect::to(&format!("/meetings/{}?done=decision#decisions", m.id)).into_response(),
        ),
        Err(e) => {
            let errors = crate::forms::refusals(e, suffix)?;
            render_meeting(
                &state,
                &user,
                &m,
                Some(&attempt),
                ("", ""),
                ("", ""),
                errors,
                None,
            )
            .await
        }
    }
}

/// The meeting forms' (and API's) name for a use case's field: the
/// description of an "other" decision is `other`.
pub fn meeting_field(field: &str) -> &str {
    match field {
        "detail" => "other",
        f => f,
    }
}

/// `GET /meetings/{meeting_id}/papers.pdf`.
pub async fn papers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    Ok(crate::views::meetings::papers_pdf(&state, &user, &m).await?)
}

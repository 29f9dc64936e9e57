//! Meetings (issue 6): the list (`/meetings`), one meeting or a year's
//! schedule created from the organisation's term dates (`/meetings/new`),
//! and a meeting's page (`/meetings/{meeting_id}`) whose agenda builds itself
//! (every proposal from categorisation, every case with overdue work or
//! deadlines, every case on the list), with attendees, minutes, a decision
//! form for each school on the agenda (recorded with the case, so the list
//! changes, letters are drafted and tasks created), and the papers as one
//! PDF. School users never see meetings. Every action is a use case of
//! `uplift_app::meetings`; these handlers read the form and render.

mod create;
mod meeting;
mod terms;

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_domain::access::{authorize, Action, Scope};
use uplift_domain::calendar::TermDates;
use uplift_domain::concern::MeetingKind;
use uplift_domain::register::Date;
use uplift_store::meetings::{kind_name, parse_kind, Meeting, MeetingFilter};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::render::render;

pub use create::{create, create_schedule, new_form, NewMeetingForm, ScheduleForm};
pub use meeting::{
    attendees, decide, issue_agenda, minutes, page, papers, set_status, DecisionAttempt,
    MeetingFlash,
};
pub use terms::{set_term_dates, term_dates, TermQuery};
pub use uplift_app::meetings::next_review_due;

// ---------------------------------------------------------------------------
// Shared helpers (also used by the plan and SPB pages)

pub use crate::pages::categories::today;

/// A date typed by a user: `2026-12-08` or `8/12/2026`.
pub fn parse_date(s: &str) -> Option<Date> {
    let t = s.trim();
    if let Ok(d) = t.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = t.split('/').map(str::trim).collect();
    if let [d, m, y] = parts.as_slice() {
        let (d, m, y) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
        return Date::new(y, m, d).ok();
    }
    None
}

pub fn can(user: &CurrentUser, action: Action) -> bool {
    authorize(
        &user.principal,
        action,
        Scope::Organisation(user.principal.organisation_id),
    )
    .is_allowed()
}

pub fn err(field: &str, text: &str) -> Value {
    context! { field => field, text => text }
}

/// The errors by field id, for the fields' own messages.
pub fn by_field(errors: &[Value]) -> BTreeMap<String, String> {
    errors
        .iter()
        .filter_map(|e| {
            let f = e.get_attr("field").ok()?;
            let t = e.get_attr("text").ok()?;
            Some((f.as_str()?.to_string(), t.as_str()?.to_string()))
        })
        .collect()
}

/// A page answered with 400 when it shows errors.
pub fn with_status(mut res: Response, has_errors: bool) -> Response {
    if has_errors {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    res
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The decision kinds offered at a meeting: (form value, words).
pub const DECISION_KINDS: &[(&str, &str)] = &[
    ("designate", "Designate as causing concern"),
    (
        "not_a_priority",
        "Not a priority (considered, not designated)",
    ),
    ("continue", "Continue as causing concern"),
    ("remove", "Remove from the causing-concern list"),
    ("letter_of_concern", "Send a letter of concern"),
    (
        "recommend_warning_notice",
        "Recommend a formal warning notice",
    ),
    ("escalate", "Escalate"),
    (
        "notify_regional_director",
        "Notify the DfE regional director",
    ),
    ("other", "Other"),
];

/// The meeting of the user's organisation, or 404.
pub async fn meeting_of(state: &AppState, user: &CurrentUser, id: i64) -> Result<Meeting, Problem> {
    Ok(
        uplift_app::meetings::meeting_of(&state.app, &user.caller(), id, Action::ReadMeetings)
            .await?,
    )
}

/// The academic year's term dates for a date (the organisation's own, or England's typical).
pub async fn terms_for(state: &AppState, org: i64, date: Date) -> Result<TermDates, Problem> {
    Ok(uplift_app::meetings::terms_for(&state.app, org, date).await?)
}

// ---------------------------------------------------------------------------
// The list

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub done: Option<usize>,
}

fn kind_options(include_all: bool) -> Vec<Value> {
    let mut out = Vec::new();
    if include_all {
        out.push(context! { value => "", text => "All kinds" });
    } else {
        out.push(context! { value => "", text => "Select a kind of meeting" });
    }
    for k in MeetingKind::ALL {
        out.push(context! { value => kind_name(k), text => k.name() });
    }
    out
}

fn meeting_row(m: &Meeting) -> Value {
    context! {
        id => m.id,
        href => format!("/meetings/{}", m.id),
        title => m.title.clone(),
        kind => m.kind_label(),
        date => m.meeting_date.clone(),
        status => m.status.clone(),
        focus_urn => m.focus_urn,
        warnings => m.warnings.clone(),
    }
}

/// `GET /meetings`: the organisation's meetings, upcoming first by default.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let kind = parse_kind(&q.kind);
    let past = q.period == "past";
    let all = q.period == "all";
    let filter = MeetingFilter {
        kind,
        from: (!past && !all).then(today),
        to: past.then(|| today().yesterday().unwrap_or_else(|_| today())),
        focus_urn: None,
    };
    let mut meetings = state.db.meetings(org, &filter).await?;
    if past {
        meetings.reverse();
    }
    let flash = q.done.map(|n| {
        if n == 1 {
            "1 meeting has been created.".to_string()
        } else {
            format!("{n} meetings have been created.")
        }
    });
    render(
        &state,
        Some(&user),
        "/meetings",
        "meetings.html",
        "Meetings",
        context! {
            meetings => meetings.iter().map(meeting_row).collect::<Vec<_>>(),
            kinds => kind_options(true),
            kind => q.kind.clone(),
            period => if past { "past" } else if all { "all" } else { "upcoming" },
            can_write => can(&user, Action::WriteConcern),
            flash => flash,
        },
    )
}

//! Meetings (issue 6): the list (`/meetings`), one meeting or a year's
//! schedule created from the organisation's term dates (`/meetings/new`),
//! and a meeting's page (`/meetings/{meeting_id}`) whose agenda builds itself
//! (every proposal from categorisation, every case with overdue work or
//! deadlines, every case on the list), with attendees, minutes, a decision
//! form for each school on the agenda (recorded with the case, so the list
//! changes, letters are drafted and tasks created), and the papers as one
//! PDF. School users never see meetings.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiff::civil::Weekday;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_app::concern::{AtMeeting, RecordDecision};
use uplift_domain::access::{authorize, Action, Scope};
use uplift_domain::calendar::{AcademicYear, HalfTerm, TermDates, WorkingDayCalendar};
use uplift_domain::concern::{
    build_agenda, check_meeting_date, schedule, Agenda, AgendaProposal, AgendaSection,
    DecisionKind, MeetingKind, OpenDeadline, SchedulePreference, SpbDeadlines, StepState,
};
use uplift_domain::policy::ProposalAction;
use uplift_domain::register::{Date, Urn};
use uplift_store::concern as store_concern;
use uplift_store::meetings::{
    self as store, kind_name, parse_kind, ListedCase, Meeting, MeetingFilter, MeetingStatus,
    NewMeeting,
};
use uplift_store::spb::{rebuild, step_label};

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::paths;
use crate::render::render;

// ---------------------------------------------------------------------------
// Shared helpers (also used by the plan and SPB pages and the API)

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

/// The decision kind from a form or JSON value; `other` needs its description.
pub fn decision_kind(kind: &str, other: &str) -> Option<DecisionKind> {
    Some(match kind.trim() {
        "designate" => DecisionKind::Designate,
        "not_a_priority" => DecisionKind::NotAPriority,
        "continue" => DecisionKind::Continue,
        "remove" => DecisionKind::Remove,
        "letter_of_concern" => DecisionKind::LetterOfConcern,
        "recommend_warning_notice" => DecisionKind::RecommendWarningNotice,
        "escalate" => DecisionKind::Escalate,
        "notify_regional_director" => DecisionKind::NotifyRegionalDirector,
        "other" if !other.trim().is_empty() => DecisionKind::Other(other.trim().to_string()),
        _ => return None,
    })
}

/// The meeting of the user's organisation, or 404.
pub async fn meeting_of(state: &AppState, user: &CurrentUser, id: i64) -> Result<Meeting, Problem> {
    state
        .db
        .meeting(user.principal.organisation_id, id)
        .await?
        .ok_or(Problem::NotFound)
}

fn urn(n: i64) -> Option<Urn> {
    u32::try_from(n).ok().and_then(|n| Urn::new(n).ok())
}

/// A proposal from categorisation with the triggers behind it.
#[derive(Debug, Clone)]
pub struct ProposalItem {
    pub urn: i64,
    pub school: String,
    pub action: ProposalAction,
    pub triggers: Vec<String>,
    pub reason: String,
}

/// Everything a meeting's agenda is built from, and the agenda.
pub struct AgendaInputs {
    pub agenda: Agenda,
    pub proposals: Vec<ProposalItem>,
    pub cases: Vec<ListedCase>,
}

/// The academic year's term dates for a date (the organisation's own, or England's typical).
pub async fn terms_for(state: &AppState, org: i64, date: Date) -> Result<TermDates, Problem> {
    let (t, _) = state
        .db
        .term_dates(org, AcademicYear::containing(date))
        .await?;
    Ok(t)
}

/// Builds the agenda of a meeting now: every proposal from categorisation
/// (additions for schools not on the list, removals for schools on it),
/// every case with tasks, plan reviews or SPB steps overdue as of the
/// meeting date, and every case on the list. A single-school meeting covers
/// only its school.
pub async fn live_agenda(
    state: &AppState,
    org: i64,
    meeting: &Meeting,
) -> Result<AgendaInputs, Problem> {
    let kind = meeting.kind().ok_or(Problem::NotFound)?;
    let date = meeting.date().unwrap_or_else(today);
    let db = &state.db;
    let cases = db.open_cases(org).await?;
    let on_list: BTreeMap<i64, &ListedCase> = cases.iter().map(|c| (c.urn, c)).collect();
    let policy = db.policy_in_force(org).await?;
    let placements = match (kind.single_school(), meeting.focus_urn) {
        (true, Some(u)) => db
            .categorise_school(org, &policy, u, today())
            .await?
            .into_iter()
            .collect(),
        // Only schools with a proposal matter here: the read model gives
        // just those.
        _ => db.proposing_placements(org, &policy, today()).await?,
    };
    // Only maintained schools and academies can be on the list.
    let listable = db.listable_schools(org).await?;
    let mut proposals = Vec::new();
    for p in &placements {
        let u = i64::from(p.urn.get());
        if !listable.contains(&u) {
            continue;
        }
        let mut by_action: BTreeMap<bool, ProposalItem> = BTreeMap::new();
        for pr in &p.proposals {
            let add = pr.action == ProposalAction::AddToCausingConcernList;
            if add == on_list.contains_key(&u) {
                continue;
            }
            let item = by_action.entry(add).or_insert_with(|| ProposalItem {
                urn: u,
                school: p.name.clone(),
                action: pr.action,
                triggers: Vec::new(),
                reason: String::new(),
            });
            item.triggers.push(pr.grounds.clone());
            if !item.reason.is_empty() {
                item.reason.push_str("; ");
            }
            item.reason.push_str(&pr.reason);
        }
        proposals.extend(by_action.into_values());
    }
    let agenda_proposals: Vec<AgendaProposal> = proposals
        .iter()
        .filter_map(|p| {
            Some(AgendaProposal {
                urn: urn(p.urn)?,
                school: p.school.clone(),
                action: p.action,
                reason: p.reason.clone(),
            })
        })
        .collect();
    let mut deadlines = Vec::new();
    for t in db.open_tasks(org).await? {
        if let (Some(u), Some(due)) = (urn(t.urn), t.due_on.get(..10).and_then(|d| d.parse().ok()))
        {
            deadlines.push(OpenDeadline {
                urn: u,
                school: t.school.clone(),
                what: t.title.clone(),
                due,
                done: false,
            });
        }
    }
    let terms = terms_for(state, org, date).await?;
    let calendar = db.bank_holidays().await?;
    let spb_deadlines = SpbDeadlines::default();
    // Every open case's plans and SPB protocols with their versions and
    // steps: four queries however many cases there are.
    let mut plans: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for (plan, versions) in db.open_case_plans(org).await? {
        plans
            .entry(plan.case_id)
            .or_default()
            .push((plan, versions));
    }
    let mut spbs: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for (spb, steps) in db.open_case_spbs(org).await? {
        spbs.entry(spb.case_id).or_default().push((spb, steps));
    }
    for c in &cases {
        let Some(u) = urn(c.urn) else { continue };
        for (plan, versions) in plans.remove(&c.case_id).unwrap_or_default() {
            if let Some(due) = next_review_due(&versions, &terms) {
                deadlines.push(OpenDeadline {
                    urn: u,
                    school: c.school.clone(),
                    what: format!("Review of the {}", plan.title.to_lowercase()),
                    due,
                    done: false,
                });
            }
        }
        for (spb, steps) in spbs.remove(&c.case_id).unwrap_or_default() {
            let Ok(protocol) = rebuild(&spb, &steps) else {
                continue;
            };
            let Ok(status) = protocol.status(&calendar, &spb_deadlines, date) else {
                continue;
            };
            for s in status {
                if let (StepState::Overdue, Some(due)) = (s.state, s.due) {
                    deadlines.push(OpenDeadline {
                        urn: u,
                        school: c.school.clone(),
                        what: format!("School Performance Board: {}", step_label(s.step)),
                        due,
                        done: false,
                    });
                }
            }
        }
    }
    let agenda_cases: Vec<uplift_domain::concern::AgendaCase> = cases
        .iter()
        .filter_map(|c| {
            Some(uplift_domain::concern::AgendaCase {
                urn: urn(c.urn)?,
                school: c.school.clone(),
                state: c.domain_state(),
                lead_officer: c.lead_officer_name.clone(),
            })
        })
        .collect();
    let agenda = build_agenda(
        kind,
        date,
        meeting.focus_urn.and_then(urn),
        &agenda_cases,
        &agenda_proposals,
        &deadlines,
    );
    Ok(AgendaInputs {
        agenda,
        proposals,
        cases,
    })
}

/// When the current version of a plan is next to be reviewed.
pub fn next_review_due(
    versions: &[uplift_store::plans::VersionRecord],
    terms: &TermDates,
) -> Option<Date> {
    let current = versions.last()?;
    let content = current.content().ok()?;
    let agreed = current.agreed()?;
    let plan = uplift_domain::concern::Plan::agree(
        uplift_domain::concern::PlanKind::ActionPlan,
        agreed,
        content,
    )
    .ok()?;
    plan.next_review_due(terms)
}

pub fn section_label(s: AgendaSection) -> &'static str {
    match s {
        AgendaSection::Proposals => "Proposals from categorisation",
        AgendaSection::Overdue => "Overdue actions and deadlines",
        AgendaSection::CaseReview => "Review of the causing-concern list",
    }
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

// ---------------------------------------------------------------------------
// Creating and scheduling

#[derive(Debug, Deserialize, Default, Clone)]
pub struct NewMeetingForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub date: String,
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

const WEEKDAYS: &[(&str, &str, Weekday)] = &[
    ("monday", "Monday", Weekday::Monday),
    ("tuesday", "Tuesday", Weekday::Tuesday),
    ("wednesday", "Wednesday", Weekday::Wednesday),
    ("thursday", "Thursday", Weekday::Thursday),
    ("friday", "Friday", Weekday::Friday),
];

/// Warnings for a meeting date: a weekend or bank holiday, or outside term.
pub fn date_warnings(
    date: Date,
    calendar: &impl WorkingDayCalendar,
    terms: &TermDates,
) -> Vec<String> {
    let mut out: Vec<String> = check_meeting_date(date, calendar)
        .into_iter()
        .map(|w| w.message)
        .collect();
    if terms.contains(date) && !terms.is_term_time(date) {
        out.push(format!("{date} is outside term time (a school holiday)"));
    }
    out
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
                kind => form.kind.clone(), date => form.date.clone(), title => form.title.clone(),
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

/// What a create form asks for, checked: the meeting, or the errors.
pub struct CheckedMeeting {
    pub new: NewMeeting,
    pub warnings: Vec<String>,
}

/// Checks a meeting to create; the errors name their fields.
pub async fn check_new_meeting(
    state: &AppState,
    org: i64,
    kind: &str,
    date: &str,
    title: &str,
    urn_text: &str,
    location: &str,
) -> Result<Result<CheckedMeeting, Vec<(String, String)>>, Problem> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let kind = parse_kind(kind);
    if kind.is_none() {
        errors.push(("kind".into(), "Select the kind of meeting".into()));
    }
    let date = parse_date(date);
    if date.is_none() {
        errors.push((
            "date".into(),
            "Enter the date of the meeting as a real date, for example 2026-12-08".into(),
        ));
    }
    if title.trim().chars().count() > 200 {
        errors.push((
            "title".into(),
            "The title must be 200 characters or fewer".into(),
        ));
    }
    let focus = if urn_text.trim().is_empty() {
        None
    } else {
        match urn_text.trim().parse::<i64>() {
            Ok(u) if u > 0 => Some(u),
            _ => {
                errors.push(("urn".into(), "Enter the school's URN as a number".into()));
                None
            }
        }
    };
    if let (Some(k), None) = (kind, focus) {
        if k.single_school() && !errors.iter().any(|(f, _)| f == "urn") {
            errors.push((
                "urn".into(),
                format!(
                    "Enter the URN of the school: a {} is about one school",
                    k.name()
                ),
            ));
        }
    }
    if let Some(u) = focus {
        let estate = state.db.school_in_organisation(org, u).await?;
        if !estate {
            errors.push((
                "urn".into(),
                format!("URN {u} is not one of your organisation's schools"),
            ));
        }
    }
    if location.trim().chars().count() > 200 {
        errors.push((
            "location".into(),
            "The location must be 200 characters or fewer".into(),
        ));
    }
    let (Some(kind), Some(date), true) = (kind, date, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let calendar = state.db.bank_holidays().await?;
    let terms = terms_for(state, org, date).await?;
    let warnings = date_warnings(date, &calendar, &terms);
    Ok(Ok(CheckedMeeting {
        new: NewMeeting {
            kind,
            date,
            title: title.trim().to_string(),
            focus_urn: focus,
            location: Some(location.trim().to_string()).filter(|l| !l.is_empty()),
            warnings: warnings.clone(),
        },
        warnings,
    }))
}

/// `POST /meetings`: creates one meeting. A date on a weekend, a bank
/// holiday or outside term is shown as a warning first; the user confirms
/// to keep it.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<NewMeetingForm>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let checked =
        check_new_meeting(&state, org, &f.kind, &f.date, &f.title, &f.urn, &f.location).await?;
    let checked = match checked {
        Ok(c) => c,
        Err(errs) => {
            let errors = errs.iter().map(|(k, v)| err(k, v)).collect();
            return render_new(
                &state,
                &user,
                &f,
                &ScheduleForm::default(),
                Vec::new(),
                None,
                errors,
            )
            .await;
        }
    };
    if !checked.warnings.is_empty() && f.confirm != "yes" {
        return render_new(
            &state,
            &user,
            &f,
            &ScheduleForm::default(),
            checked.warnings,
            None,
            Vec::new(),
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    let m = store::create_meeting(&mut tx, &user.actor(), org, &checked.new).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{}?done=created", m.id)).into_response())
}

/// The meetings of a kind laid across a year's terms, with their warnings.
pub async fn plan_schedule(
    state: &AppState,
    org: i64,
    kind: MeetingKind,
    year: AcademicYear,
    weekday: Weekday,
    week: u8,
) -> Result<Vec<(Date, Vec<String>)>, Problem> {
    let (terms, _) = state.db.term_dates(org, year).await?;
    let calendar = state.db.bank_holidays().await?;
    let s = schedule(
        kind,
        kind.default_cadence(),
        &terms,
        &calendar,
        SchedulePreference { weekday, week },
    );
    Ok(s.meetings
        .iter()
        .map(|m| (m.date, date_warnings(m.date, &calendar, &terms)))
        .collect())
}

/// A year's schedule: the kind, the year, the weekday and the week of each period.
pub type ScheduleChoice = (MeetingKind, AcademicYear, Weekday, u8);

/// Checks a year's schedule to create: the kind (`kind_field` names its
/// field; one with a cadence), the academic year (`2026/27`), the weekday
/// (`monday` to `friday`) and the week of each period (1 to 6).
pub fn check_schedule(
    (kind_field, kind): (&str, &str),
    year: &str,
    weekday: &str,
    week: &str,
) -> Result<ScheduleChoice, Vec<(String, String)>> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let kind = parse_kind(kind);
    match kind {
        None => errors.push((
            kind_field.into(),
            "Select the kind of meeting to schedule".into(),
        )),
        Some(k) if k.default_cadence() == uplift_domain::concern::Cadence::AsArranged => errors
            .push((
                kind_field.into(),
                format!(
                    "A {} is arranged case by case: create each one on its own",
                    k.name()
                ),
            )),
        Some(_) => {}
    }
    let year = AcademicYear::parse(year.trim()).ok();
    if year.is_none() {
        errors.push(("year".into(), "Select the academic year".into()));
    }
    let weekday = WEEKDAYS
        .iter()
        .find(|(v, _, _)| *v == weekday.trim())
        .map(|(_, _, w)| *w);
    if weekday.is_none() {
        errors.push(("weekday".into(), "Select the day of the week".into()));
    }
    let week = week
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|w| (1..=6).contains(w));
    if week.is_none() {
        errors.push(("week".into(), "Select the week of each period".into()));
    }
    match (kind, year, weekday, week) {
        (Some(k), Some(y), Some(d), Some(w)) if errors.is_empty() => Ok((k, y, d, w)),
        _ => Err(errors),
    }
}

/// `POST /meetings/schedule`: previews, then creates, a year of meetings of
/// one kind at the kind's cadence in the organisation's term time.
pub async fn create_schedule(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<ScheduleForm>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let checked = check_schedule(
        ("schedule_kind", &f.schedule_kind),
        &f.year,
        &f.weekday,
        &f.week,
    );
    let (kind, year, weekday, week) = match checked {
        Ok(c) => c,
        Err(errs) => {
            let errors = errs.iter().map(|(k, v)| err(k, v)).collect();
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
    let dates = plan_schedule(&state, org, kind, year, weekday, week).await?;
    if f.action != "create" {
        let rows: Vec<Value> = dates
            .iter()
            .map(|(d, w)| context! { date => d.to_string(), weekday => format!("{:?}", d.weekday()), warnings => w.join("; ") })
            .collect();
        let preview = context! {
            kind => kind.name(),
            cadence => format!("{:?}", kind.default_cadence()),
            source => kind.source(),
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
    let mut tx = state.db.begin().await?;
    let made = store::create_schedule(&mut tx, &user.actor(), org, kind, &dates).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/meetings?kind={}&done={}",
        kind_name(kind),
        made.len()
    ))
    .into_response())
}

// ---------------------------------------------------------------------------
// One meeting

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
    let inputs = live_agenda(state, org, m).await?;
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

/// Checks an attendee: a name and a role, each at most 200 characters.
pub fn check_attendee(
    (name_field, name): (&str, &str),
    (role_field, role): (&str, &str),
) -> Vec<(String, String)> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let (name, role) = (name.trim(), role.trim());
    if name.is_empty() {
        errors.push((name_field.into(), "Enter the attendee's name".into()));
    } else if name.chars().count() > 200 {
        errors.push((
            name_field.into(),
            "The name must be 200 characters or fewer".into(),
        ));
    }
    if role.is_empty() {
        errors.push((
            role_field.into(),
            "Enter the attendee's role, for example Chair".into(),
        ));
    } else if role.chars().count() > 200 {
        errors.push((
            role_field.into(),
            "The role must be 200 characters or fewer".into(),
        ));
    }
    errors
}

/// `POST /meetings/{meeting_id}/attendees`: adds an attendee, or removes one
/// (`remove` = the attendee's id).
pub async fn attendees(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let remove = field(&fields, "remove");
    if !remove.is_empty() {
        let aid = remove
            .trim()
            .parse::<i64>()
            .map_err(|_| Problem::NotFound)?;
        let mut tx = state.db.begin().await?;
        store::remove_attendee(&mut tx, &user.actor(), org, m.id, aid).await?;
        tx.commit().await?;
        return Ok(
            Redirect::to(&format!("/meetings/{}?done=removed#attendees", m.id)).into_response(),
        );
    }
    let name = field(&fields, "attendee_name").trim().to_string();
    let role = field(&fields, "attendee_role").trim().to_string();
    let errors: Vec<Value> = check_attendee(("attendee_name", &name), ("attendee_role", &role))
        .iter()
        .map(|(k, v)| err(k, v))
        .collect();
    if !errors.is_empty() {
        return render_meeting(
            &state,
            &user,
            &m,
            None,
            (&name, &role),
            ("", ""),
            errors,
            None,
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    store::add_attendee(&mut tx, &user.actor(), org, m.id, &name, &role).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{}?done=attendee#attendees", m.id)).into_response())
}

/// Checks a minute: the school of the agenda item it is on (blank: general;
/// one of the organisation's schools) and its text (at most 20,000
/// characters). Gives the item's URN.
pub async fn check_minute(
    state: &AppState,
    org: i64,
    (item_field, item): (&str, &str),
    (minute_field, body): (&str, &str),
) -> Result<Result<Option<i64>, Vec<(String, String)>>, Problem> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let item = item.trim();
    let urn = if item.is_empty() {
        None
    } else {
        match item.parse::<i64>() {
            Ok(u) if state.db.school_in_organisation(org, u).await? => Some(u),
            _ => {
                errors.push((
                    item_field.into(),
                    "Select an item of the agenda, or General".into(),
                ));
                None
            }
        }
    };
    let body = body.trim();
    if body.is_empty() {
        errors.push((minute_field.into(), "Enter the minute".into()));
    } else if body.chars().count() > 20_000 {
        errors.push((
            minute_field.into(),
            "The minute must be 20,000 characters or fewer".into(),
        ));
    }
    Ok(if errors.is_empty() {
        Ok(urn)
    } else {
        Err(errors)
    })
}

/// `POST /meetings/{meeting_id}/minutes`: appends a minute, general or on an agenda item.
pub async fn minutes(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let item = field(&fields, "item").trim().to_string();
    let body = field(&fields, "minute").trim().to_string();
    let checked = check_minute(&state, org, ("item", &item), ("minute", &body)).await?;
    let urn = match checked {
        Ok(urn) => urn,
        Err(errs) => {
            let errors = errs.iter().map(|(k, v)| err(k, v)).collect();
            return render_meeting(
                &state,
                &user,
                &m,
                None,
                ("", ""),
                (&item, &body),
                errors,
                None,
            )
            .await;
        }
    };
    let mut tx = state.db.begin().await?;
    store::add_minute(&mut tx, &user.actor(), org, m.id, urn, &body).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{}?done=minute#minutes", m.id)).into_response())
}

/// The message when no (known) status is given.
pub const STATUS_MISSING: &str = "Select the meeting's status";

/// The message when the store refuses a change of status.
pub fn status_refusal(msg: &str) -> String {
    let text = msg.trim_start_matches("the status: ");
    format!("The status cannot be changed: {text}")
}

/// `POST /meetings/{meeting_id}/status`: scheduled, held or cancelled.
pub async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let Some(status) = MeetingStatus::parse(field(&fields, "status")) else {
        let errors = vec![err("status", STATUS_MISSING)];
        return render_meeting(&state, &user, &m, None, ("", ""), ("", ""), errors, None).await;
    };
    let mut tx = state.db.begin().await?;
    match store::set_status(&mut tx, &user.actor(), org, m.id, status, today()).await {
        Ok(_) => {}
        Err(uplift_store::StoreError::Invalid(msg)) => {
            drop(tx);
            let errors = vec![err("status", &status_refusal(&msg))];
            return render_meeting(&state, &user, &m, None, ("", ""), ("", ""), errors, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{}?done=status", m.id)).into_response())
}

/// `POST /meetings/{meeting_id}/agenda`: issues the agenda as it stands (a
/// snapshot kept with the meeting; the papers use it).
pub async fn issue_agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::WriteConcern, Scope::Organisation(org))?;
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let inputs = live_agenda(&state, org, &m).await?;
    let mut tx = state.db.begin().await?;
    store::issue_agenda(&mut tx, &user.actor(), org, m.id, &inputs.agenda).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{}?done=agenda", m.id)).into_response())
}

/// What the `record_decision` use case needs to know about a meeting's
/// agenda: whether the school is on it (live or issued), the triggers its
/// proposal gave, and the live agenda to issue with the first decision.
pub async fn at_meeting(
    state: &AppState,
    org: i64,
    m: &Meeting,
    urn: i64,
) -> Result<AtMeeting, Problem> {
    let inputs = live_agenda(state, org, m).await?;
    let issued = state.db.meeting_agenda(m.id).await?;
    let on_agenda = inputs
        .agenda
        .items
        .iter()
        .any(|i| i64::from(i.urn.get()) == urn)
        || issued
            .and_then(|s| s.agenda().ok())
            .is_some_and(|a| a.items.iter().any(|i| i64::from(i.urn.get()) == urn));
    let proposed_triggers = inputs
        .proposals
        .iter()
        .find(|p| p.urn == urn)
        .map(|p| p.triggers.clone())
        .unwrap_or_default();
    Ok(AtMeeting {
        meeting_id: m.id,
        on_agenda,
        proposed_triggers,
        agenda: inputs.agenda,
    })
}

/// A decision at a meeting as the use case takes it.
pub fn meeting_decision(
    at: AtMeeting,
    urn: i64,
    kind: &str,
    other: &str,
    rationale: &str,
) -> RecordDecision {
    RecordDecision {
        urn,
        kind: kind.trim().to_owned(),
        detail: other.trim().to_owned(),
        rationale: rationale.to_owned(),
        triggers: Vec::new(),
        decided_on: None,
        at_meeting: Some(at),
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

/// `POST /meetings/{meeting_id}/decisions`: a lead records the meeting's
/// decision about one school on its agenda, with the rationale. Designating
/// a proposed school opens its case.
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::DecideConcern, Scope::Organisation(org))?;
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
    let at = at_meeting(&state, org, &m, urn).await?;
    let input = meeting_decision(at, urn, &attempt.kind, &attempt.other, &attempt.rationale);
    match uplift_app::concern::record_decision(&state.app, &user.caller(), input).await {
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

// ---------------------------------------------------------------------------
// The papers

/// The meeting's papers as one document: the agenda, each school's case
/// summary with its previous decisions and current plan, attendees, minutes
/// and decisions so far.
pub async fn papers_document(
    state: &AppState,
    user: &CurrentUser,
    m: &Meeting,
) -> Result<uplift_docs::Document, Problem> {
    use uplift_docs::{Block, Document};
    let org = user.principal.organisation_id;
    let db = &state.db;
    let inputs = live_agenda(state, org, m).await?;
    let agenda = match db.meeting_agenda(m.id).await? {
        Some(s) => s.agenda()?,
        None => inputs.agenda.clone(),
    };
    let date = m.date().unwrap_or_else(today);
    let mut blocks = vec![Block::Fields(vec![
        ("Meeting".into(), m.kind_label()),
        ("Date".into(), uplift_domain::concern::long_date(date)),
        (
            "Location".into(),
            m.location.clone().unwrap_or_else(|| "Not recorded".into()),
        ),
        ("Status".into(), m.status.clone()),
    ])];
    let attendees = db.meeting_attendees(m.id).await?;
    blocks.push(Block::Heading("Attendees".into()));
    if attendees.is_empty() {
        blocks.push(Block::Paragraph("No attendees recorded yet.".into()));
    } else {
        blocks.push(Block::Bullets(
            attendees
                .iter()
                .map(|a| format!("{}, {}", a.name, a.role))
                .collect(),
        ));
    }
    blocks.push(Block::Heading("Agenda".into()));
    if agenda.items.is_empty() {
        blocks.push(Block::Paragraph(
            "Nothing is on the agenda: no proposals, no overdue work and no cases on the list."
                .into(),
        ));
    } else {
        blocks.push(Block::Table {
            header: vec![
                "Item".into(),
                "Section".into(),
                "School".into(),
                "For discussion".into(),
            ],
            rows: agenda
                .items
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    vec![
                        (n + 1).to_string(),
                        section_label(i.section).into(),
                        format!("{} (URN {})", i.school, i.urn.get()),
                        i.detail.clone(),
                    ]
                })
                .collect(),
        });
    }
    let cases: BTreeMap<i64, &ListedCase> = inputs.cases.iter().map(|c| (c.urn, c)).collect();
    let mut seen = Vec::new();
    for i in &agenda.items {
        let u = i64::from(i.urn.get());
        if seen.contains(&u) {
            continue;
        }
        seen.push(u);
        blocks.push(Block::PageBreak);
        blocks.push(Block::Heading(format!("{} (URN {u})", i.school)));
        match cases.get(&u) {
            Some(c) => {
                blocks.push(Block::Fields(vec![
                    (
                        "On the list".into(),
                        store_concern::state_label(&c.state).into(),
                    ),
                    ("Since".into(), c.opened_on.clone()),
                    (
                        "Lead Officer".into(),
                        c.lead_officer_name
                            .clone()
                            .unwrap_or_else(|| "None yet".into()),
                    ),
                    (
                        "Escalation".into(),
                        store_concern::stage_label(&c.escalation_stage).into(),
                    ),
                    (
                        "Category when designated".into(),
                        c.category.clone().unwrap_or_else(|| "Not recorded".into()),
                    ),
                ]));
                let plans = db.case_plans(org, c.case_id).await?;
                if let Some(plan) = plans.last() {
                    let versions = db.plan_versions(plan.id).await?;
                    if let Some(v) = versions.last() {
                        blocks.push(Block::Subheading(format!(
                            "{} (version {}, agreed {})",
                            plan.title, v.number, v.agreed_on
                        )));
                        let content = v.content()?;
                        let rows = content
                            .priorities
                            .iter()
                            .flat_map(|p| {
                                p.actions.iter().map(move |a| {
                                    vec![
                                        p.title.clone(),
                                        a.description.clone(),
                                        crate::pages::plans::owner_label(a.owner).to_string(),
                                        a.rag.as_str().to_string(),
                                    ]
                                })
                            })
                            .collect();
                        blocks.push(Block::Table {
                            header: vec![
                                "Priority".into(),
                                "Action".into(),
                                "Owner".into(),
                                "Progress".into(),
                            ],
                            rows,
                        });
                    }
                }
            }
            None => blocks.push(Block::Paragraph("Not on the causing-concern list.".into())),
        }
        if let Some(p) = inputs.proposals.iter().find(|p| p.urn == u) {
            blocks.push(Block::Subheading("Proposal from categorisation".into()));
            blocks.push(Block::Paragraph(p.reason.clone()));
        }
        let items: Vec<String> = agenda
            .items
            .iter()
            .filter(|x| i64::from(x.urn.get()) == u)
            .map(|x| x.detail.clone())
            .collect();
        blocks.push(Block::Subheading("On the agenda".into()));
        blocks.push(Block::Bullets(items));
        let previous: Vec<_> = db
            .school_decisions(org, u)
            .await?
            .into_iter()
            .filter(|d| d.meeting_id != Some(m.id))
            .collect();
        blocks.push(Block::Subheading("Previous decisions".into()));
        if previous.is_empty() {
            blocks.push(Block::Paragraph("None recorded.".into()));
        } else {
            blocks.push(Block::Table {
                header: vec![
                    "Date".into(),
                    "Decision".into(),
                    "Rationale".into(),
                    "By".into(),
                ],
                rows: previous
                    .iter()
                    .map(|d| {
                        vec![
                            d.decided_on.clone(),
                            d.label(),
                            d.rationale.clone(),
                            d.decided_by.clone(),
                        ]
                    })
                    .collect(),
            });
        }
    }
    let minutes = db.meeting_minutes(m.id).await?;
    let decisions = db.meeting_decisions(org, m.id).await?;
    if !minutes.is_empty() || !decisions.is_empty() {
        blocks.push(Block::PageBreak);
    }
    if !minutes.is_empty() {
        blocks.push(Block::Heading("Minutes".into()));
        for x in &minutes {
            let item = match x.urn {
                Some(u) => format!("Item: URN {u}"),
                None => "General".into(),
            };
            blocks.push(Block::Subheading(item));
            blocks.push(Block::Paragraph(x.body.clone()));
        }
    }
    if !decisions.is_empty() {
        blocks.push(Block::Heading("Decisions at this meeting".into()));
        blocks.push(Block::Table {
            header: vec!["School".into(), "Decision".into(), "Rationale".into()],
            rows: decisions
                .iter()
                .map(|d| {
                    vec![
                        format!("{} (URN {})", d.school, d.urn),
                        d.label(),
                        d.rationale.clone(),
                    ]
                })
                .collect(),
        });
    }
    Ok(Document {
        letterhead: crate::pages::letterhead::letterhead_for(state, &user.organisation).await?,
        title: format!("{}: meeting papers", m.title),
        reference: Some(format!("Meeting {}", m.id)),
        date: Some(uplift_domain::concern::long_date(date)),
        blocks,
    })
}

/// `GET /meetings/{meeting_id}/papers.pdf`.
pub async fn papers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let m = meeting_of(&state, &user, paths::id(&id)?).await?;
    let doc = papers_document(&state, &user, &m).await?;
    let bytes = uplift_app::blocking(move || uplift_docs::to_pdf(&doc)).await?;
    let name = format!("meeting-{}-papers.pdf", m.id);
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("inline; filename=\"{name}\""))
                    .unwrap_or(HeaderValue::from_static("inline")),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------
// Term dates

#[derive(Debug, Deserialize, Default)]
pub struct TermQuery {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub done: Option<String>,
}

fn half_key(h: HalfTerm) -> &'static str {
    match h {
        HalfTerm::Autumn1 => "autumn1",
        HalfTerm::Autumn2 => "autumn2",
        HalfTerm::Spring1 => "spring1",
        HalfTerm::Spring2 => "spring2",
        HalfTerm::Summer1 => "summer1",
        HalfTerm::Summer2 => "summer2",
    }
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
            let k = half_key(*h);
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
        out.insert(format!("{}_start", half_key(h)), r.start().to_string());
        out.insert(format!("{}_end", half_key(h)), r.end().to_string());
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

/// The name of a half term's fields (`autumn1` gives `autumn1_start` and
/// `autumn1_end`).
pub fn half_term_key(h: HalfTerm) -> &'static str {
    half_key(h)
}

/// Checks a year's term dates given by field (`year`, then `autumn1_start`,
/// `autumn1_end` … `summer2_end`): every date real, each half term ending
/// on or after it starts, in order, without overlap and inside the year.
/// Refusals name the field.
pub fn check_term_dates(get: impl Fn(&str) -> String) -> Result<TermDates, Vec<(String, String)>> {
    let Ok(year) = AcademicYear::parse(get("year").trim()) else {
        return Err(vec![("year".into(), "Select the academic year".into())]);
    };
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut ranges = Vec::new();
    for h in HalfTerm::ALL {
        let k = half_key(h);
        let start = parse_date(&get(&format!("{k}_start")));
        let end = parse_date(&get(&format!("{k}_end")));
        match (start, end) {
            (Some(s), Some(e)) => match uplift_domain::calendar::DateRange::new(s, e) {
                Ok(r) => ranges.push(r),
                Err(_) => errors.push((
                    format!("{k}_end"),
                    format!("{h} must end on or after the day it starts"),
                )),
            },
            (None, _) => errors.push((
                format!("{k}_start"),
                format!("Enter the first day of {h}, for example 2026-09-03"),
            )),
            (_, None) => errors.push((
                format!("{k}_end"),
                format!("Enter the last day of {h}, for example 2026-10-23"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let term = |a: usize| uplift_domain::calendar::Term {
        first_half: ranges[a],
        second_half: ranges[a + 1],
    };
    TermDates::new(year, term(0), term(2), term(4)).map_err(|e| {
        let field = match &e {
            uplift_domain::calendar::TermDatesError::OutsideYear { half_term, .. } => {
                format!("{}_start", half_key(*half_term))
            }
            uplift_domain::calendar::TermDatesError::Overlap { later, .. } => {
                format!("{}_start", half_key(*later))
            }
            _ => "year".to_string(),
        };
        vec![(field, format!("The term dates cannot be saved: {e}"))]
    })
}

/// `POST /meetings/term-dates`: sets the organisation's term dates for a
/// year; refused, naming the half term, when they are out of order, overlap
/// or leave the year.
pub async fn set_term_dates(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    permit(&user, Action::ManagePolicies, Scope::Organisation(org))?;
    let values: BTreeMap<String, String> = fields
        .iter()
        .filter(|(k, _)| k != "csrf_token")
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    let year = AcademicYear::parse(field(&fields, "year"))
        .unwrap_or_else(|_| AcademicYear::containing(today()));
    let dates = match check_term_dates(|k| field(&fields, k).to_string()) {
        Ok(d) => d,
        Err(errs) => {
            let errors = errs.iter().map(|(k, v)| err(k, v)).collect();
            return render_terms(&state, &user, year, &values, false, errors, None).await;
        }
    };
    let mut tx = state.db.begin().await?;
    store::set_term_dates(&mut tx, &user.actor(), org, &dates).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/term-dates?year={year}&done=1")).into_response())
}

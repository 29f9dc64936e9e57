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
// The editor

/// The raw rows of the plan editor, as typed.
#[derive(Debug, Clone, Default)]
pub struct Editor {
    pub priorities: Vec<(String, String)>,
    pub actions: Vec<ActionRow>,
    pub cadence: String,
}

#[derive(Debug, Clone, Default)]
pub struct ActionRow {
    pub priority: String,
    pub description: String,
    pub owner: String,
    pub owner_name: String,
    pub milestones: String,
    pub criteria: String,
    pub evidence: String,
    pub rag: String,
}

const MAX_ROWS: usize = 40;

impl Editor {
    /// A blank editor: three priorities, six actions.
    pub fn blank() -> Editor {
        Editor {
            priorities: vec![Default::default(); 3],
            actions: vec![Default::default(); 6],
            cadence: "half_termly".into(),
        }
    }

    /// An editor holding a version's content, with a blank row of each kind to add.
    pub fn from_content(c: &PlanContent) -> Editor {
        let mut e = Editor {
            priorities: Vec::new(),
            actions: Vec::new(),
            cadence: match c.review_cadence {
                ReviewCadence::Termly => "termly".into(),
                ReviewCadence::HalfTermly => "half_termly".into(),
            },
        };
        for (i, p) in c.priorities.iter().enumerate() {
            e.priorities
                .push((p.title.clone(), p.success_criteria.join("\n")));
            for a in &p.actions {
                e.actions.push(ActionRow {
                    priority: (i + 1).to_string(),
                    description: a.description.clone(),
                    owner: owner_value(a.owner).into(),
                    owner_name: a.owner_name.clone().unwrap_or_default(),
                    milestones: a
                        .milestones
                        .iter()
                        .map(|m| format!("{}: {}", m.due, m.description))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    criteria: a.success_criteria.join("\n"),
                    evidence: a.evidence.join("\n"),
                    rag: a.rag.as_str().into(),
                });
            }
        }
        e.priorities.push(Default::default());
        e.actions.push(Default::default());
        e
    }

    /// The editor's rows from a form (`np` priorities, `na` actions), plus
    /// one more of each kind the "add another" button asked for.
    pub fn from_form(fields: &[(String, String)]) -> Editor {
        let np = field(fields, "np")
            .parse::<usize>()
            .unwrap_or(3)
            .clamp(1, MAX_ROWS);
        let na = field(fields, "na")
            .parse::<usize>()
            .unwrap_or(6)
            .clamp(1, MAX_ROWS);
        let mut e = Editor {
            priorities: (1..=np)
                .map(|i| {
                    (
                        field(fields, &format!("p{i}_title")).to_string(),
                        field(fields, &format!("p{i}_criteria")).to_string(),
                    )
                })
                .collect(),
            actions: (1..=na)
                .map(|j| {
                    let f = |n: &str| field(fields, &format!("a{j}_{n}")).to_string();
                    ActionRow {
                        priority: f("priority"),
                        description: f("description"),
                        owner: f("owner"),
                        owner_name: f("owner_name"),
                        milestones: f("milestones"),
                        criteria: f("criteria"),
                        evidence: f("evidence"),
                        rag: f("rag"),
                    }
                })
                .collect(),
            cadence: field(fields, "cadence").to_string(),
        };
        match field(fields, "add") {
            "priority" if e.priorities.len() < MAX_ROWS => e.priorities.push(Default::default()),
            "action" if e.actions.len() < MAX_ROWS => e.actions.push(Default::default()),
            _ => {}
        }
        e
    }

    /// The content the rows describe, or the errors (by field id).
    pub fn content(&self) -> Result<PlanContent, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let cadence = match self.cadence.as_str() {
            "termly" => Some(ReviewCadence::Termly),
            "half_termly" => Some(ReviewCadence::HalfTermly),
            _ => {
                errors.push((
                    "cadence".into(),
                    "Select how often the plan is reviewed".into(),
                ));
                None
            }
        };
        // Priority rows in use, by their row number.
        let mut priorities: Vec<(usize, Priority)> = Vec::new();
        for (i, (title, criteria)) in self.priorities.iter().enumerate() {
            let n = i + 1;
            if title.trim().is_empty() {
                if !criteria.trim().is_empty() {
                    errors.push((
                        format!("p{n}_title"),
                        format!("Enter the title of priority {n}, or clear its success criteria"),
                    ));
                }
                continue;
            }
            if title.trim().chars().count() > 500 {
                errors.push((
                    format!("p{n}_title"),
                    format!("The title of priority {n} must be 500 characters or fewer"),
                ));
            }
            priorities.push((
                n,
                Priority {
                    title: title.trim().to_string(),
                    success_criteria: lines(criteria),
                    actions: Vec::new(),
                },
            ));
        }
        for (j, a) in self.actions.iter().enumerate() {
            let n = j + 1;
            let used = [
                &a.description,
                &a.owner_name,
                &a.milestones,
                &a.criteria,
                &a.evidence,
            ]
            .iter()
            .any(|s| !s.trim().is_empty());
            if !used {
                continue;
            }
            if a.description.trim().is_empty() {
                errors.push((
                    format!("a{n}_description"),
                    format!("Enter what action {n} is, or clear its other fields"),
                ));
                continue;
            }
            let Some(owner) = OWNERS
                .iter()
                .find(|(v, _, _)| *v == a.owner.trim())
                .map(|(_, _, k)| *k)
            else {
                errors.push((format!("a{n}_owner"), format!("Select who owns action {n}")));
                continue;
            };
            let Some(rag) = parse_rag(&a.rag) else {
                errors.push((
                    format!("a{n}_rag"),
                    format!("Select the progress of action {n}"),
                ));
                continue;
            };
            let mut milestones = Vec::new();
            for (k, line) in lines(&a.milestones).iter().enumerate() {
                let parsed = line
                    .split_once(':')
                    .and_then(|(d, t)| Some((parse_date(d)?, t.trim())))
                    .filter(|(_, t)| !t.is_empty());
                match parsed {
                    Some((due, text)) => milestones.push(Milestone {
                        due,
                        description: text.to_string(),
                        met: None,
                    }),
                    None => {
                        errors.push((
                            format!("a{n}_milestones"),
                            format!(
                                "Line {} of the milestones of action {n} must be a date, a colon and what is due, for example 2027-02-12: half the pupils at the expected standard",
                                k + 1
                            ),
                        ));
                        break;
                    }
                }
            }
            let pnum = a.priority.trim().parse::<usize>().ok();
            let Some(target) = pnum.and_then(|p| priorities.iter_mut().find(|(n, _)| *n == p))
            else {
                errors.push((
                    format!("a{n}_priority"),
                    format!("Select a priority with a title for action {n}"),
                ));
                continue;
            };
            target.1.actions.push(PlanAction {
                description: a.description.trim().to_string(),
                owner,
                owner_name: Some(a.owner_name.trim().to_string()).filter(|s| !s.is_empty()),
                milestones,
                success_criteria: lines(&a.criteria),
                evidence: lines(&a.evidence),
                rag,
            });
        }
        if priorities.is_empty() && errors.is_empty() {
            errors.push((
                "p1_title".into(),
                "Enter at least one priority, with at least one action".into(),
            ));
        }
        for (n, p) in &priorities {
            if p.actions.is_empty() {
                errors.push((
                    format!("p{n}_title"),
                    format!(
                        "Priority {n} ({}) has no actions: add an action for it",
                        p.title
                    ),
                ));
            }
        }
        match (cadence, errors.is_empty()) {
            (Some(review_cadence), true) => Ok(PlanContent {
                priorities: priorities.into_iter().map(|(_, p)| p).collect(),
                review_cadence,
            }),
            _ => Err(errors),
        }
    }

    /// The editor for the template.
    pub fn view(&self, errors: &[(String, String)]) -> Value {
        let e = |f: String| errors.iter().find(|(k, _)| *k == f).map(|(_, v)| v.clone());
        let priority_options: Vec<Value> =
            std::iter::once(context! { value => "", text => "Select a priority" })
                .chain((1..=self.priorities.len()).map(|i| {
                    let title = &self.priorities[i - 1].0;
                    let text = if title.trim().is_empty() {
                        format!("Priority {i}")
                    } else {
                        format!("Priority {i}: {}", title.trim())
                    };
                    context! { value => i.to_string(), text => text }
                }))
                .collect();
        let owners: Vec<Value> =
            std::iter::once(context! { value => "", text => "Select an owner" })
                .chain(
                    OWNERS
                        .iter()
                        .map(|(v, t, _)| context! { value => *v, text => *t }),
                )
                .collect();
        let rags: Vec<Value> = [
            ("grey", "Not yet judged"),
            ("red", "Red"),
            ("amber", "Amber"),
            ("green", "Green"),
        ]
        .iter()
        .map(|(v, t)| context! { value => *v, text => *t })
        .collect();
        context! {
            np => self.priorities.len(),
            na => self.actions.len(),
            cadence => self.cadence.clone(),
            cadence_error => e("cadence".into()),
            priorities => self.priorities.iter().enumerate().map(|(i, (t, c))| {
                let n = i + 1;
                context! { n => n, title => t.clone(), criteria => c.clone(), error_title => e(format!("p{n}_title")) }
            }).collect::<Vec<_>>(),
            actions => self.actions.iter().enumerate().map(|(j, a)| {
                let n = j + 1;
                context! {
                    n => n, priority => a.priority.clone(), description => a.description.clone(),
                    owner => a.owner.clone(), owner_name => a.owner_name.clone(), milestones => a.milestones.clone(),
                    criteria => a.criteria.clone(), evidence => a.evidence.clone(),
                    rag => if a.rag.is_empty() { "grey".to_string() } else { a.rag.clone() },
                    error_priority => e(format!("a{n}_priority")), error_description => e(format!("a{n}_description")),
                    error_owner => e(format!("a{n}_owner")), error_milestones => e(format!("a{n}_milestones")),
                    error_rag => e(format!("a{n}_rag")),
                }
            }).collect::<Vec<_>>(),
            priority_options => priority_options,
            owners => owners,
            rags => rags,
        }
    }
}

fn errors_view(errors: &[(String, String)]) -> Vec<Value> {
    errors.iter().map(|(f, t)| err(f, t)).collect()
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

// ---------------------------------------------------------------------------
// Creating a plan

#[allow(clippy::too_many_arguments)]
async fn render_new(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseRecord,
    editor: &Editor,
    kind: &str,
    title: &str,
    agreed_on: &str,
    errors: &[(String, String)],
) -> Result<Response, PageError> {
    let school = state.db.school_name(case.urn).await?.unwrap_or_default();
    let has_errors = !errors.is_empty();
    let path = format!("/concern/cases/{}/plan", case.id);
    let res = render(
        state,
        Some(user),
        &path,
        "plan_form.html",
        &format!("{school}: new action plan"),
        context! {
            mode => "create",
            action => format!("/concern/cases/{}/plan", case.id),
            back => path.clone(),
            heading => format!("Create an action plan for {school}"),
            school => school.clone(),
            kinds => vec![
                context! { value => "action_plan", text => "Action plan" },
                context! { value => "statement_of_action", text => "Statement of Action (special measures or serious weaknesses)" },
            ],
            form => context! { kind => if kind.is_empty() { "action_plan" } else { kind }, title => title, agreed_on => agreed_on, note => "" },
            editor => editor.view(errors),
            submit => "Create the plan",
            field_errors => by_field(&errors_view(errors)),
            errors => errors_view(errors),
            has_errors => has_errors,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /concern/cases/{case_id}/plan/new`.
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &case_id, Action::WriteConcern).await?;
    render_new(
        &state,
        &user,
        &case,
        &Editor::blank(),
        "",
        "",
        &today().to_string(),
        &[],
    )
    .await
}

/// `POST /concern/cases/{case_id}/plan`: creates a plan (version 1), or
/// redisplays the form with another row.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &user, &case_id, Action::WriteConcern).await?;
    let editor = Editor::from_form(&fields);
    let kind_text = field(&fields, "kind");
    let title = field(&fields, "title");
    let agreed_text = field(&fields, "agreed_on");
    if !field(&fields, "add").is_empty() {
        return render_new(
            &state,
            &user,
            &case,
            &editor,
            kind_text,
            title,
            agreed_text,
            &[],
        )
        .await;
    }
    let input = plans::NewPlan {
        kind: kind_text.to_string(),
        title: title.to_string(),
        agreed_on: parse_date(agreed_text),
        content: content_input(&editor),
    };
    match plans::create_plan(&state.app, &user.caller(), case.id, input).await {
        Ok((plan, _)) => {
            Ok(Redirect::to(&format!("/plans/{}?done=created", plan.id)).into_response())
        }
        Err(e) => {
            let errors = pairs(e)?;
            render_new(
                &state,
                &user,
                &case,
                &editor,
                kind_text,
                title,
                agreed_text,
                &errors,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------
// Viewing a plan

#[derive(Debug, Deserialize, Default)]
pub struct PlanQuery {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

/// A version's content for the template.
pub fn content_view(c: &PlanContent) -> Value {
    context! {
        cadence => match c.review_cadence { ReviewCadence::Termly => "Termly", ReviewCadence::HalfTermly => "Half-termly" },
        priorities => c.priorities.iter().enumerate().map(|(i, p)| context! {
            n => i + 1,
            title => p.title.clone(),
            criteria => p.success_criteria.clone(),
            actions => p.actions.iter().map(|a| context! {
                description => a.description.clone(),
                owner => owner_label(a.owner),
                owner_name => a.owner_name.clone(),
                milestones => a.milestones.iter().map(|m| format!("{}: {}", m.due, m.description)).collect::<Vec<_>>(),
                criteria => a.success_criteria.clone(),
                evidence => a.evidence.clone(),
                rag => a.rag.as_str(),
                rag_label => rag_label(a.rag),
            }).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
    }
}

/// `GET /plans/{plan_id}`: a version (the current one unless `?version=N`),
/// every version, and every review.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::ReadConcern).await?;
    let org = user.principal.organisation_id;
    let db = &state.db;
    let versions = db.plan_versions(plan.id).await?;
    let current = versions.last().ok_or(Problem::NotFound)?;
    let shown: &VersionRecord = match q.version.as_deref().map(str::trim) {
        None | Some("") => current,
        Some(n) => {
            let n = n.parse::<i64>().map_err(|_| Problem::NotFound)?;
            let v = versions
                .iter()
                .find(|v| v.number == n)
                .ok_or(Problem::NotFound)?;
            if school_user(&user) && v.number != current.number {
                return Err(PageError(Problem::NotFound));
            }
            v
        }
    };
    let reviews = if school_user(&user) {
        Vec::new()
    } else {
        db.plan_reviews(plan.id).await?
    };
    let review_of_shown = reviews.iter().find(|r| r.new_version == shown.number);
    let terms = terms_for(&state, org, today()).await?;
    let school = db.school_name(plan.urn).await?.unwrap_or_default();
    let flash = match q.done.as_deref() {
        Some("created") => Some("The plan has been created (version 1)."),
        Some("edited") => Some("The change has been saved as a new version."),
        Some("reviewed") => Some("The review has been recorded and the new version agreed."),
        _ => None,
    };
    let review_view = |r: &store::ReviewRecord| {
        context! {
            date => r.review_date.clone(),
            progress => r.progress.clone(),
            summary => r.summary.clone(),
            reviewed_version => r.reviewed_version,
            new_version => r.new_version,
            attendees => r.attendees.lines().map(str::to_string).collect::<Vec<_>>(),
            judgements => r.judgements().iter().map(|j| context! { priority => j.priority.clone(), rag => j.rag.as_str(), rag_label => rag_label(j.rag), comment => j.comment.clone() }).collect::<Vec<_>>(),
            by => r.recorded_by.clone(),
            meeting_id => r.meeting_id,
        }
    };
    let path = format!("/plans/{}", plan.id);
    render(
        &state,
        Some(&user),
        &path,
        "plan.html",
        &format!("{}: {}", school, plan.title),
        context! {
            plan => context! { id => plan.id, title => plan.title.clone(), kind => plan_kind_label(plan.kind()), case_id => plan.case_id, urn => plan.urn },
            school => school.clone(),
            shown => context! {
                number => shown.number, agreed_on => shown.agreed_on.clone(), origin => shown.origin.clone(),
                note => shown.note.clone(), by => shown.created_by.clone(), is_current => shown.number == current.number,
                content => content_view(&shown.content()?),
            },
            current_number => current.number,
            next_review => next_review_due(&versions, &terms).map(|d| d.to_string()),
            review_of_shown => review_of_shown.map(review_view),
            versions => if school_user(&user) { Vec::new() } else { versions.iter().map(|v| context! {
                number => v.number, agreed_on => v.agreed_on.clone(), origin => v.origin.clone(), note => v.note.clone(),
                href => format!("/plans/{}?version={}", plan.id, v.number), current => v.number == shown.number,
            }).collect::<Vec<_>>() },
            reviews => reviews.iter().map(review_view).collect::<Vec<_>>(),
            school_user => school_user(&user),
            can_write => can(&user, Action::WriteConcern),
            flash => flash,
        },
    )
}

// ---------------------------------------------------------------------------
// Changing a plan: a new version

#[allow(clippy::too_many_arguments)]
async fn render_edit(
    state: &AppState,
    user: &CurrentUser,
    plan: &PlanRecord,
    editor: &Editor,
    agreed_on: &str,
    note: &str,
    errors: &[(String, String)],
) -> Result<Response, PageError> {
    let school = state.db.school_name(plan.urn).await?.unwrap_or_default();
    let has_errors = !errors.is_empty();
    let path = format!("/plans/{}", plan.id);
    let res = render(
        state,
        Some(user),
        &path,
        "plan_form.html",
        &format!("{school}: change the plan"),
        context! {
            mode => "edit",
            action => format!("/plans/{}/edit", plan.id),
            back => path.clone(),
            heading => format!("Change {} for {school}", plan.title),
            school => school.clone(),
            kinds => Vec::<Value>::new(),
            form => context! { kind => plan.kind.clone(), title => plan.title.clone(), agreed_on => agreed_on, note => note },
            editor => editor.view(errors),
            submit => "Save as a new version",
            field_errors => by_field(&errors_view(errors)),
            errors => errors_view(errors),
            has_errors => has_errors,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /plans/{plan_id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let (_, editor) = current_version(&state, &plan).await?;
    render_edit(&state, &user, &plan, &editor, &today().to_string(), "", &[]).await
}

/// `POST /plans/{plan_id}/edit`: saves the change as a new version.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let editor = Editor::from_form(&fields);
    let agreed_text = field(&fields, "agreed_on");
    let note = field(&fields, "note");
    if !field(&fields, "add").is_empty() {
        return render_edit(&state, &user, &plan, &editor, agreed_text, note, &[]).await;
    }
    let input = plans::EditPlan {
        agreed_on: parse_date(agreed_text),
        note: note.to_string(),
        content: content_input(&editor),
    };
    match plans::edit_plan(&state.app, &user.caller(), plan.id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{}?done=edited", plan.id)).into_response()),
        Err(e) => {
            let errors = pairs(e)?;
            render_edit(&state, &user, &plan, &editor, agreed_text, note, &errors).await
        }
    }
}

// ---------------------------------------------------------------------------
// Reviewing a plan

#[derive(Debug, Clone, Default)]
struct ReviewForm {
    date: String,
    progress: String,
    summary: String,
    attendees: String,
    meeting: String,
    judgements: Vec<(String, String, String)>,
}

#[allow(clippy::too_many_arguments)]
async fn render_review(
    state: &AppState,
    user: &CurrentUser,
    plan: &PlanRecord,
    current: &VersionRecord,
    form: &ReviewForm,
    editor: &Editor,
    errors: &[(String, String)],
) -> Result<Response, PageError> {
    let school = state.db.school_name(plan.urn).await?.unwrap_or_default();
    let has_errors = !errors.is_empty();
    let content = current.content()?;
    let e = |f: String| errors.iter().find(|(k, _)| *k == f).map(|(_, v)| v.clone());
    let judgements: Vec<Value> = content
        .priorities
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = i + 1;
            let (rag, comment) = form
                .judgements
                .get(i)
                .map(|(_, r, c)| (r.clone(), c.clone()))
                .unwrap_or_default();
            context! { n => n, title => p.title.clone(), rag => rag, comment => comment, error_rag => e(format!("j{n}_rag")) }
        })
        .collect();
    let rags: Vec<Value> = [("red", "Red"), ("amber", "Amber"), ("green", "Green")]
        .iter()
        .map(|(v, t)| context! { value => *v, text => *t })
        .collect();
    let path = format!("/plans/{}", plan.id);
    let res = render(
        state,
        Some(user),
        &path,
        "plan_review.html",
        &format!("{school}: review the plan"),
        context! {
            plan => context! { id => plan.id, title => plan.title.clone() },
            school => school.clone(),
            current => context! { number => current.number, agreed_on => current.agreed_on.clone(), content => content_view(&content) },
            form => context! { date => form.date.clone(), progress => form.progress.clone(), summary => form.summary.clone(), attendees => form.attendees.clone(), meeting => form.meeting.clone() },
            judgements => judgements,
            rags => rags,
            editor => editor.view(errors),
            field_errors => by_field(&errors_view(errors)),
            errors => errors_view(errors),
            has_errors => has_errors,
        },
    )?;
    Ok(with_status(res, has_errors))
}

/// `GET /plans/{plan_id}/review`.
pub async fn review_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let (current, editor) = current_version(&state, &plan).await?;
    let form = ReviewForm {
        date: today().to_string(),
        ..Default::default()
    };
    render_review(&state, &user, &plan, &current, &form, &editor, &[]).await
}

/// The plan's current version and an editor holding its content, to change
/// or review it from.
async fn current_version(
    state: &AppState,
    plan: &PlanRecord,
) -> Result<(VersionRecord, Editor), PageError> {
    let versions = state.db.plan_versions(plan.id).await?;
    let current = versions.last().ok_or(Problem::NotFound)?.clone();
    let editor = Editor::from_content(&current.content()?);
    Ok((current, editor))
}

/// `POST /plans/{plan_id}/review`: records the review (progress judged,
/// overall and per priority) and agrees the next version.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let plan = plan_for(&state, &user, &plan_id, Action::WriteConcern).await?;
    let versions = state.db.plan_versions(plan.id).await?;
    let current = versions.last().ok_or(Problem::NotFound)?.clone();
    let content = current.content()?;
    let editor = Editor::from_form(&fields);
    let form = ReviewForm {
        date: field(&fields, "review_date").to_string(),
        progress: field(&fields, "progress").to_string(),
        summary: field(&fields, "summary").to_string(),
        attendees: field(&fields, "attendees").to_string(),
        meeting: field(&fields, "meeting").to_string(),
        judgements: content
            .priorities
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let n = i + 1;
                (
                    p.title.clone(),
                    field(&fields, &format!("j{n}_rag")).to_string(),
                    field(&fields, &format!("j{n}_comment")).to_string(),
                )
            })
            .collect(),
    };
    if !field(&fields, "add").is_empty() {
        return render_review(&state, &user, &plan, &current, &form, &editor, &[]).await;
    }
    let input = plans::ReviewPlan {
        review_date: parse_date(&form.date),
        progress: form.progress.clone(),
        summary: form.summary.clone(),
        judgements: form
            .judgements
            .iter()
            .map(|(title, rag, comment)| plans::JudgementInput {
                priority: title.clone(),
                rag: rag.clone(),
                comment: comment.clone(),
            })
            .collect(),
        attendees: lines(&form.attendees),
        meeting: form.meeting.clone(),
        next: content_input(&editor),
    };
    match plans::review_plan(&state.app, &user.caller(), plan.id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{}?done=reviewed", plan.id)).into_response()),
        Err(e) => {
            // The use case names a priority's judgement `judgements[i].rag`;
            // this form's field is `j{i+1}_rag`.
            let errors: Vec<(String, String)> = pairs(e)?
                .into_iter()
                .map(|(f, m)| (review_field(&f), m))
                .collect();
            render_review(&state, &user, &plan, &current, &form, &editor, &errors).await
        }
    }
}

/// The review form's name for a use case's field.
fn review_field(f: &str) -> String {
    f.strip_prefix("judgements[")
        .and_then(|r| r.strip_suffix("].rag"))
        .and_then(|i| i.parse::<usize>().ok())
        .map(|i| format!("j{}_rag", i + 1))
        .unwrap_or_else(|| f.to_owned())
}

/// A use case's refusals as (field, message) pairs; anything else is the
/// error page.
fn pairs(e: uplift_app::AppError) -> Result<Vec<(String, String)>, Problem> {
    match e {
        uplift_app::AppError::Invalid(errors) => {
            Ok(errors.into_iter().map(|e| (e.field, e.message)).collect())
        }
        other => Err(other.into()),
    }
}

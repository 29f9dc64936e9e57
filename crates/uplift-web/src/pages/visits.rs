//! Advisers, visits and notes of visit (issue 5): the caseload (`/advisers`),
//! delivered against due (`/visits`), planning a visit, the visit's page with
//! each step of the workflow as a form (the school's self-evaluation, the
//! visit held, the note of visit, sent to the headteacher, the response,
//! shared with the chair, final, addenda), and the note as an accessible page
//! and as a PDF built from the same document.
//!
//! Who sees what: a school user sees only their own school's visits, and a
//! note only once it has been sent to the headteacher; QA reviewers (panel)
//! see visits but no notes here (the notes sampled to them are shown by
//! quality assurance); advisers change only their own visits, leads any.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use uplift_docs::{Block, Document, Letterhead};
use uplift_domain::access::{authorize, Action, Role, Scope};
use uplift_domain::calendar::AcademicYear;
use uplift_domain::register::Date;
use uplift_domain::visits::note::{AgreedActionForm, FocusAreaForm};
use uplift_domain::visits::{
    Actor as VisitActor, ActorRole, DeliveryStatus, Expertise, FieldError, Grouping, Judgement,
    NoteOfVisit, NoteOfVisitForm, Stage, VisitAction, VisitType, WorkflowError,
};
use uplift_store::visits::{
    self as sv, AdviserInput, AdviserRow, PlanInput, VisitError, VisitFilter, VisitFull,
};

use crate::app::AppState;
use crate::auth::guard::permit;
use crate::auth::CurrentUser;
use crate::error::{PageError, Problem};
use crate::pages::categories::today;
use crate::pages::schools::show_date;
use crate::render::render;

// ---------------------------------------------------------------------------
// Shared helpers (pages and API)

/// The academic year containing today.
pub fn current_year() -> AcademicYear {
    AcademicYear::containing(today())
}

/// An academic year from a query (`2026/27`), or the current one.
pub fn year_from(q: Option<&str>) -> Result<AcademicYear, Problem> {
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(current_year()),
        Some(s) => s.parse().map_err(|_| {
            Problem::BadRequest(format!("year: {s:?} is not an academic year like 2026/27"))
        }),
    }
}

/// A visit id from the path; anything else is "not found".
pub fn visit_id(s: &str) -> Result<i64, Problem> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(Problem::NotFound)
}

fn can(user: &CurrentUser, action: Action) -> bool {
    authorize(
        &user.principal,
        action,
        Scope::Organisation(user.principal.organisation_id),
    )
    .is_allowed()
}

/// The capacity the user acts in on visits (`None`: no part in the workflow).
pub async fn workflow_actor(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Option<VisitActor>, Problem> {
    let role = match user.principal.role {
        Role::Lead => Some(ActorRole::Lead),
        Role::Adviser => state
            .db
            .adviser_for_user(user.principal.organisation_id, user.user.id)
            .await?
            .map(|a| ActorRole::Adviser {
                adviser_id: a.id.to_string(),
            }),
        Role::School => user
            .principal
            .school_urn
            .and_then(|u| u32::try_from(u).ok())
            .and_then(|u| uplift_domain::register::Urn::new(u).ok())
            .map(|urn| ActorRole::Headteacher { urn }),
        _ => None,
    };
    Ok(role.map(|role| VisitActor {
        user_id: user.user.id.to_string(),
        role,
    }))
}

/// A visit the user may read (another organisation's, or another school's for
/// a school user: not found).
pub async fn visible_visit(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<VisitFull, Problem> {
    let org = user.principal.organisation_id;
    let full = state.db.visit(org, id).await?.ok_or(Problem::NotFound)?;
    permit(
        user,
        Action::ReadVisits,
        Scope::School {
            organisation_id: org,
            urn: full.visit.urn,
        },
    )?;
    Ok(full)
}

/// Whether the user may read the visit's note: staff who run visits always; a
/// school user once it has been sent to the headteacher; nobody else here.
pub fn can_read_note(user: &CurrentUser, full: &VisitFull) -> bool {
    if full.note.is_none() {
        return false;
    }
    match user.principal.role {
        Role::Admin | Role::Lead | Role::Adviser => true,
        Role::School => full.note_shared_with_school(),
        _ => false,
    }
}

/// How a refused action is answered: another school's visit is hidden (404),
/// another adviser's is forbidden (403); anything else is the form's errors.
pub fn refusal(e: &VisitError) -> Option<Problem> {
    match e {
        VisitError::Workflow(WorkflowError::WrongSchool { .. }) => Some(Problem::NotFound),
        VisitError::Workflow(WorkflowError::NotTheVisitsAdviser { .. })
        | VisitError::Workflow(WorkflowError::NotPermitted { .. }) => Some(Problem::Forbidden),
        VisitError::Store(uplift_store::StoreError::NotFound(_)) => Some(Problem::NotFound),
        VisitError::Store(e) if !matches!(e, uplift_store::StoreError::Invalid(_)) => {
            Some(Problem::Internal(e.to_string()))
        }
        _ => None,
    }
}

/// Applies an action for the user (audited); `Err(Ok(errors))` for the form.
pub async fn apply_action(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: VisitAction,
) -> Result<Result<VisitFull, Vec<FieldError>>, Problem> {
    let who = workflow_actor(state, user)
        .await?
        .ok_or(Problem::Forbidden)?;
    let cal = state.db.bank_holidays().await?;
    let mut tx = state.db.begin().await?;
    match sv::act(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        id,
        &who,
        action,
        today(),
        &cal,
    )
    .await
    {
        Ok(Some(full)) => {
            tx.commit().await?;
            Ok(Ok(full))
        }
        Ok(None) => Err(Problem::NotFound),
        Err(e) => match refusal(&e) {
            Some(p) => Err(p),
            None => Ok(Err(e.field_errors())),
        },
    }
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
    let mut text = s.to_string();
    if let Some(f) = text.get(0..1) {
        let up = f.to_uppercase();
        text.replace_range(0..1, &up);
    }
    (text, colour)
}

fn errors_view(errors: &[FieldError]) -> (Vec<Value>, BTreeMap<String, String>) {
    let list = errors
        .iter()
        .map(|e| {
            let id = e.id();
            context! { field => if id.is_empty() { "main-content".to_string() } else { id }, text => e.message.clone() }
        })
        .collect();
    let mut by = BTreeMap::new();
    for e in errors {
        by.entry(e.id()).or_insert_with(|| e.message.clone());
    }
    (list, by)
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

// ---------------------------------------------------------------------------
// The note of visit as a document (the page and the PDF are both built from it)

fn judgement_text(j: Option<Judgement>) -> String {
    j.map(|j| j.label().to_string())
        .unwrap_or_else(|| "Not given".into())
}

/// The note of visit as a formal document with the organisation's letterhead.
/// `chair`: the chair of governors recorded in the school's contacts, named
/// when the note has been shared with the chair.
pub fn note_document(
    letterhead: Letterhead,
    school: &str,
    full: &VisitFull,
    note: &NoteOfVisit,
    adviser: &str,
    chair: Option<&str>,
) -> Document {
    let v = &full.visit;
    let mut blocks = vec![Block::Fields(vec![
        ("School".into(), format!("{school} (URN {})", v.urn)),
        ("Visit".into(), v.visit_type().label()),
        (
            "Date of visit".into(),
            show_date(v.held_on.as_deref().unwrap_or(&v.planned_date)),
        ),
        ("Adviser".into(), adviser.to_string()),
        ("Focus".into(), v.focus.clone()),
        ("Attendees".into(), v.attendee_list().join(", ")),
    ])];
    blocks.push(Block::Heading("Areas of focus".into()));
    blocks.push(Block::Table {
        header: vec![
            "Area of focus".into(),
            "School's own grade".into(),
            "Adviser's judgement".into(),
        ],
        rows: note
            .focus_areas
            .iter()
            .map(|f| {
                vec![
                    f.title.clone(),
                    judgement_text(f.school_grade),
                    f.adviser_judgement.label().to_string(),
                ]
            })
            .collect(),
    });
    for f in &note.focus_areas {
        blocks.push(Block::Subheading(f.title.clone()));
        if !f.commentary.is_empty() {
            blocks.push(Block::Paragraph(f.commentary.clone()));
        }
    }
    let disagreements = note.disagreements();
    if !disagreements.is_empty() {
        blocks.push(Block::Heading(
            "Where the adviser's judgement differs from the school's".into(),
        ));
        blocks.push(Block::Bullets(
            disagreements
                .iter()
                .map(|d| {
                    format!(
                        "{}: the school graded {}, the adviser judged {}. {}",
                        d.title, d.school, d.adviser, d.note
                    )
                })
                .collect(),
        ));
    }
    blocks.push(Block::Heading("Strengths".into()));
    blocks.push(list_or_none(&note.strengths));
    blocks.push(Block::Heading("Areas for development".into()));
    blocks.push(list_or_none(&note.areas_for_development));
    blocks.push(Block::Heading("Agreed actions".into()));
    if note.agreed_actions.is_empty() {
        blocks.push(Block::Paragraph("None recorded.".into()));
    } else {
        blocks.push(Block::Table {
            header: vec!["Action".into(), "Owner".into(), "By".into()],
            rows: note
                .agreed_actions
                .iter()
                .map(|a| {
                    vec![
                        a.action.clone(),
                        a.owner.clone(),
                        show_date(&a.due.to_string()),
                    ]
                })
                .collect(),
        });
    }
    blocks.push(Block::Heading("Next visit".into()));
    blocks.push(match &note.next_visit {
        Some(n) => Block::Fields(vec![
            (
                "Date".into(),
                n.date
                    .map(|d| show_date(&d.to_string()))
                    .unwrap_or_else(|| "To be agreed".into()),
            ),
            ("Focus".into(), n.focus.clone()),
        ]),
        None => Block::Paragraph("To be agreed.".into()),
    });
    if let Some(n) = &full.note {
        let mut status = Vec::new();
        if let Some(d) = &n.sent_at {
            status.push(("Sent to the headteacher".to_string(), show_date(d)));
        }
        if let Some(d) = &n.response_due {
            status.push(("Response due by".into(), show_date(d)));
        }
        match n.response_kind.as_deref() {
            Some("accurate") => status.push((
                "Headteacher's response".into(),
                format!(
                    "Agreed as accurate on {}",
                    show_date(n.responded_at.as_deref().unwrap_or(""))
                ),
            )),
            Some("comments") => status.push((
                "Headteacher's response".into(),
                format!(
                    "Comments on {}: {}",
                    show_date(n.responded_at.as_deref().unwrap_or("")),
                    n.response_comments.clone().unwrap_or_default()
                ),
            )),
            Some("no_response") => status.push((
                "Headteacher's response".into(),
                "No response by the due date".into(),
            )),
            _ => {}
        }
        if let Some(d) = &n.shared_with_chair_at {
            let with = match chair.map(str::trim).filter(|c| !c.is_empty()) {
                Some(name) => format!("Shared with the chair of governors, {name}"),
                None => "Shared with the chair of governors".into(),
            };
            status.push((with, show_date(d)));
        }
        if let Some(d) = &n.finalised_at {
            status.push(("Final".into(), show_date(d)));
        }
        if !status.is_empty() {
            blocks.push(Block::Heading("Status".into()));
            blocks.push(Block::Fields(status));
        }
    }
    if !full.addenda.is_empty() {
        blocks.push(Block::Heading("Addenda".into()));
        blocks.push(Block::Bullets(
            full.addenda
                .iter()
                .map(|a| format!("{} ({}): {}", show_date(&a.added_on), a.added_by, a.text))
                .collect(),
        ));
    }
    blocks.push(Block::Signature {
        name: adviser.to_string(),
        role: "School improvement adviser".into(),
    });
    Document {
        letterhead,
        title: format!("Note of visit: {school}"),
        reference: Some(format!("Note of visit {}", v.id)),
        date: Some(show_date(v.held_on.as_deref().unwrap_or(&v.planned_date))),
        blocks,
    }
}

fn list_or_none(items: &[String]) -> Block {
    if items.is_empty() {
        Block::Paragraph("None recorded.".into())
    } else {
        Block::Bullets(items.to_vec())
    }
}

fn blocks_view(doc: &Document) -> Vec<Value> {
    doc.blocks
        .iter()
        .map(|b| match b {
            Block::Heading(t) => context! { kind => "heading", text => t },
            Block::Subheading(t) => context! { kind => "subheading", text => t },
            Block::Paragraph(t) => context! { kind => "paragraph", text => t },
            Block::Bullets(items) => context! { kind => "bullets", items => items },
            Block::Fields(f) => context! {
                kind => "fields",
                rows => f.iter().map(|(k, v)| context! { key => k, value => v }).collect::<Vec<_>>(),
            },
            Block::Table { header, rows } => context! { kind => "table", header => header, rows => rows },
            Block::Signature { name, role } => context! { kind => "signature", name => name, role => role },
            Block::PageBreak => context! { kind => "break" },
        })
        .collect()
}

/// The note's document for a visit the user may read (not found otherwise).
pub async fn visible_note(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(VisitFull, Document), Problem> {
    let full = visible_visit(state, user, id).await?;
    if !can_read_note(user, &full) {
        return Err(Problem::NotFound);
    }
    let note = full.note.as_ref().ok_or(Problem::NotFound)?.note()?;
    let org = user.principal.organisation_id;
    let school = state
        .db
        .estate_names(org)
        .await?
        .into_iter()
        .find(|(u, _)| *u == full.visit.urn)
        .map(|(_, n)| n)
        .unwrap_or_else(|| format!("URN {}", full.visit.urn));
    let adviser = state
        .db
        .adviser(org, full.visit.adviser_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let chair = state
        .db
        .school_contacts(org, full.visit.urn)
        .await?
        .and_then(|c| c.chair_name);
    let letterhead = crate::pages::letterhead::letterhead_for(state, &user.organisation).await?;
    let doc = note_document(
        letterhead,
        &school,
        &full,
        &note,
        &adviser,
        chair.as_deref(),
    );
    Ok((full, doc))
}

/// `GET /visits/{visit}/note`: the note of visit as an accessible page.
pub async fn note_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = visit_id(&id)?;
    let (full, doc) = visible_note(&state, &user, id).await?;
    render(
        &state,
        Some(&user),
        "/visits",
        "visit_note.html",
        &doc.title,
        context! {
            visit_id => id,
            title => doc.title.clone(),
            organisation => doc.letterhead.organisation.clone(),
            letterhead_lines => doc.letterhead.lines.clone(),
            reference => doc.reference.clone(),
            date => doc.date.clone(),
            blocks => blocks_view(&doc),
            is_final => full.visit.stage() == Stage::Final,
        },
    )
}

/// `GET /visits/{visit}/note.pdf`: the same note as a PDF.
pub async fn note_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = visit_id(&id)?;
    let (_, doc) = visible_note(&state, &user, id).await?;
    let bytes = uplift_app::blocking(move || uplift_docs::to_pdf(&doc)).await?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("inline; filename=\"note-of-visit-{id}.pdf\""))
                    .unwrap_or(HeaderValue::from_static("inline")),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------
// Advisers and caseloads

#[derive(Debug, Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

fn expertise_options() -> Vec<Value> {
    sv::EXPERTISE
        .iter()
        .map(|e| context! { value => sv::expertise_key(*e), text => e.label() })
        .collect()
}

#[derive(Debug, Default, Clone)]
struct AdviserFormValues {
    name: String,
    email: String,
    capacity_days: String,
    expertise: Vec<String>,
    urn: String,
    adviser_id: String,
    reason: String,
    response_days: Option<String>,
}

async fn render_advisers(
    state: &AppState,
    user: &CurrentUser,
    year: AcademicYear,
    form: &AdviserFormValues,
    errors: &[FieldError],
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let (report, plans) = state.db.caseload(org, year, today()).await?;
    let advisers = adviser_names(state, org).await?;
    let names = school_names(state, org).await?;
    let assignments = state.db.current_assignments(org).await?;
    let lead_officers = state.db.lead_officers(org).await?;
    let name_of = |urn: i64| {
        names
            .get(&urn)
            .cloned()
            .unwrap_or_else(|| format!("URN {urn}"))
    };
    let adviser_name = |id: &str| {
        id.parse::<i64>()
            .ok()
            .and_then(|i| advisers.get(&i))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "No adviser".into())
    };
    let loads: Vec<Value> = report
        .loads
        .iter()
        .map(|l| {
            let a = l.adviser_id.parse::<i64>().ok().and_then(|i| advisers.get(&i));
            let schools: Vec<Value> = l
                .schools
                .iter()
                .map(|u| {
                    let urn = i64::from(u.get());
                    let p = plans.get(&urn);
                    context! {
                        urn => urn,
                        name => name_of(urn),
                        href => format!("/schools/{urn}"),
                        category => p.map(|p| p.entitlement.category_label.clone()).unwrap_or_default(),
                        visits => p.map(|p| p.entitlement.total()).unwrap_or(0),
                        lead_officer => lead_officers.get(&urn).cloned().unwrap_or_default(),
                    }
                })
                .collect();
            context! {
                id => l.adviser_id.clone(),
                name => a.map(|a| a.name.clone()).unwrap_or_default(),
                email => a.map(|a| a.email.clone()).unwrap_or_default(),
                expertise => a.map(|a| a.expertise_words()).unwrap_or_default(),
                capacity => format!("{:.1}", l.capacity_days),
                committed => format!("{:.1}", l.committed_days),
                overloaded => l.overloaded,
                schools => schools,
            }
        })
        .collect();
    let suggestions: Vec<Value> = report
        .suggestions
        .iter()
        .map(|s| {
            let urn = i64::from(s.urn.get());
            context! {
                urn => urn,
                school => name_of(urn),
                from => adviser_name(&s.from),
                to => adviser_name(&s.to),
                to_id => s.to.clone(),
                reasons => s.reasons.clone(),
            }
        })
        .collect();
    let unassigned: Vec<Value> = report
        .unassigned
        .iter()
        .map(|u| {
            let urn = i64::from(u.get());
            context! { urn => urn, name => name_of(urn), href => format!("/schools/{urn}") }
        })
        .collect();
    let mut school_options = vec![context! { value => "", text => "Select a school" }];
    for (urn, name) in &names {
        let current = assignments
            .get(urn)
            .and_then(|a| advisers.get(&a.adviser_id))
            .map(|a| format!(" (now {})", a.name))
            .unwrap_or_default();
        school_options.push(
            context! { value => urn.to_string(), text => format!("{name}, URN {urn}{current}") },
        );
    }
    let mut adviser_options = vec![context! { value => "", text => "Select an adviser" }];
    for a in advisers.values().filter(|a| a.active) {
        adviser_options.push(context! { value => a.id.to_string(), text => format!("{} ({})", a.name, a.expertise_words()) });
    }
    let (error_list, field_errors) = errors_view(errors);
    let mut res = render(
        state,
        Some(user),
        "/advisers",
        "advisers.html",
        "Advisers and caseloads",
        context! {
            year => year.to_string(),
            loads => loads,
            suggestions => suggestions,
            unassigned => unassigned,
            can_manage => can(user, Action::ManageAdvisers),
            response_days => form.response_days.clone().unwrap_or(state.db.response_working_days(user.principal.organisation_id).await?.to_string()),
            expertise_options => expertise_options(),
            school_options => school_options,
            adviser_options => adviser_options,
            form => context! {
                name => form.name.clone(), email => form.email.clone(), capacity_days => form.capacity_days.clone(),
                expertise => form.expertise.clone(), urn => form.urn.clone(), adviser_id => form.adviser_id.clone(),
                reason => form.reason.clone(),
            },
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

/// `GET /advisers`: each adviser's schools, days committed against capacity,
/// and suggested reassignments.
pub async fn advisers(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = year_from(q.year.as_deref())?;
    let flash = match q.done.as_deref() {
        Some("added") => Some("The adviser has been added."),
        Some("assigned") => Some("The named adviser has been changed."),
        Some("response-days") => Some("The response window has been changed."),
        _ => None,
    };
    render_advisers(
        &state,
        &user,
        year,
        &AdviserFormValues::default(),
        &[],
        flash,
    )
    .await
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn all_of(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// `POST /advisers`: adds an adviser (a lead or an administrator).
pub async fn create_adviser(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let form = AdviserFormValues {
        name: field(&fields, "name").trim().to_string(),
        email: field(&fields, "email").trim().to_string(),
        capacity_days: field(&fields, "capacity_days").trim().to_string(),
        expertise: all_of(&fields, "expertise"),
        ..Default::default()
    };
    let mut errors = Vec::new();
    // Not a number: the store's check names the field with the others.
    let capacity = form.capacity_days.parse::<f64>().unwrap_or(f64::NAN);
    let mut expertise: Vec<Expertise> = Vec::new();
    for e in &form.expertise {
        match sv::expertise_from_key(e) {
            Some(x) => expertise.push(x),
            None => errors.push(FieldError::new(
                "expertise",
                "Select areas of expertise from the list",
            )),
        }
    }
    if errors.is_empty() {
        let mut tx = state.db.begin().await?;
        match sv::create_adviser(
            &mut tx,
            &user.actor(),
            org,
            &AdviserInput {
                user_id: None,
                name: &form.name,
                email: &form.email,
                expertise: &expertise,
                capacity_days: capacity,
                active: true,
            },
        )
        .await
        {
            Ok(_) => {
                tx.commit().await?;
                return Ok(Redirect::to("/advisers?done=added").into_response());
            }
            Err(e) => {
                if let Some(p) = refusal(&e) {
                    return Err(p.into());
                }
                errors = e.field_errors();
            }
        }
    }
    render_advisers(&state, &user, current_year(), &form, &errors, None).await
}

/// `POST /advisers/assign`: names (or changes) a school's adviser, with a reason.
pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let form = AdviserFormValues {
        urn: field(&fields, "urn").trim().to_string(),
        adviser_id: field(&fields, "adviser_id").trim().to_string(),
        reason: field(&fields, "reason").trim().to_string(),
        ..Default::default()
    };
    let mut errors = Vec::new();
    let urn = form.urn.parse::<i64>().ok();
    if urn.is_none() {
        errors.push(FieldError::new("urn", "Select a school"));
    }
    let adviser_id = form.adviser_id.parse::<i64>().ok();
    if adviser_id.is_none() {
        errors.push(FieldError::new("adviser_id", "Select an adviser"));
    }
    if let (Some(urn), Some(adviser_id)) = (urn, adviser_id) {
        let mut tx = state.db.begin().await?;
        match sv::assign_adviser(
            &mut tx,
            &user.actor(),
            org,
            urn,
            adviser_id,
            today(),
            &form.reason,
        )
        .await
        {
            Ok(_) => {
                tx.commit().await?;
                return Ok(Redirect::to("/advisers?done=assigned").into_response());
            }
            Err(e) if e.is_not_found() => {
                errors.push(FieldError::new(
                    "urn",
                    "Select one of your organisation's schools",
                ));
            }
            Err(e) => {
                if let Some(p) = refusal(&e) {
                    return Err(p.into());
                }
                errors = e.field_errors();
            }
        }
    } else if form.reason.is_empty() {
        errors.push(FieldError::new(
            "reason",
            "Enter the reason for the assignment",
        ));
    }
    render_advisers(&state, &user, current_year(), &form, &errors, None).await
}

/// `POST /advisers/response-days`: the working days a headteacher has to
/// respond to a note of visit (a lead or an administrator; audited).
pub async fn response_days(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let text = field(&fields, "response_days").trim().to_string();
    let error = match text.parse::<u32>() {
        Ok(days) if (1..=60).contains(&days) => {
            let mut tx = state.db.begin().await?;
            sv::set_response_working_days(
                &mut tx,
                &user.actor(),
                user.principal.organisation_id,
                days,
            )
            .await?;
            tx.commit().await?;
            return Ok(Redirect::to("/advisers?done=response-days").into_response());
        }
        _ => FieldError::new(
            "response_days",
            "Enter the response window as a whole number of working days from 1 to 60, like 10",
        ),
    };
    let form = AdviserFormValues {
        response_days: Some(text),
        ..Default::default()
    };
    render_advisers(&state, &user, current_year(), &form, &[error], None).await
}

// ---------------------------------------------------------------------------
// Visits: delivered against due

/// `GET /visits`: delivered against due for the year, grouped by school,
/// adviser, category or term, overdue visits flagged, and the visits.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let year = year_from(q.year.as_deref())?;
    let grouping = match q.group.as_deref().unwrap_or("school") {
        "adviser" => Grouping::Adviser,
        "category" => Grouping::Category,
        "term" => Grouping::Term,
        _ => Grouping::School,
    };
    let scope = if user.principal.role == Role::School {
        Some(user.principal.school_urn.ok_or(Problem::NotFound)?)
    } else {
        None
    };
    let report = state.db.delivery(org, year, today(), scope).await?;
    let names = school_names(&state, org).await?;
    let advisers = adviser_names(&state, org).await?;
    let adviser_name = |id: &str| {
        id.parse::<i64>()
            .ok()
            .and_then(|i| advisers.get(&i))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "No named adviser".into())
    };
    let school_name = |urn: i64| {
        names
            .get(&urn)
            .cloned()
            .unwrap_or_else(|| format!("URN {urn}"))
    };
    let tallies: Vec<Value> = report
        .tally(grouping)
        .into_iter()
        .map(|t| {
            let label = match grouping {
                Grouping::School => t.key.parse::<i64>().map(school_name).unwrap_or(t.key.clone()),
                Grouping::Adviser => adviser_name(&t.key),
                _ => t.key.clone(),
            };
            context! { label => label, due => t.due, delivered => t.delivered, overdue => t.overdue, pending => t.pending }
        })
        .collect();
    let overdue: Vec<Value> = report
        .overdue()
        .map(|l| {
            let urn = i64::from(l.due.urn.get());
            context! {
                school => school_name(urn),
                href => format!("/schools/{urn}#visits"),
                visit_type => l.due.visit_type.label(),
                due_by => show_date(&l.due.due_by.to_string()),
                adviser => adviser_name(&l.due.adviser_id),
                planned => match &l.status { DeliveryStatus::Overdue { planned: Some(d) } => show_date(&d.to_string()), _ => String::new() },
            }
        })
        .collect();
    let visits = state
        .db
        .visits(&VisitFilter {
            organisation_id: org,
            academic_year: Some(year.to_string()),
            urn: scope,
            adviser_id: None,
        })
        .await?;
    let rows: Vec<Value> = visits
        .iter()
        .map(|v| {
            let (stage, colour) = stage_tag(v.stage());
            context! {
                href => format!("/visits/{}", v.id),
                date => show_date(&v.planned_date),
                school => school_name(v.urn),
                visit_type => v.visit_type().label(),
                adviser => advisers.get(&v.adviser_id).map(|a| a.name.clone()).unwrap_or_default(),
                stage => stage,
                colour => colour,
            }
        })
        .collect();
    let total_due = report.lines.len();
    let delivered = report
        .lines
        .iter()
        .filter(|l| matches!(l.status, DeliveryStatus::Delivered { .. }))
        .count();
    render(
        &state,
        Some(&user),
        "/visits",
        "visits.html",
        "Visits",
        context! {
            year => year.to_string(),
            group => match grouping { Grouping::School => "school", Grouping::Adviser => "adviser", Grouping::Category => "category", Grouping::Term => "term" },
            tallies => tallies,
            overdue => overdue,
            visits => rows,
            total_due => total_due,
            delivered => delivered,
            overdue_count => report.overdue().count(),
            can_plan => can(&user, Action::WriteVisits),
            is_school => user.principal.role == Role::School,
        },
    )
}

// ---------------------------------------------------------------------------
// Planning a visit

#[derive(Debug, Default, Clone, Deserialize)]
pub struct PlanQuery {
    #[serde(default)]
    pub urn: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct PlanValues {
    urn: String,
    adviser_id: String,
    visit_type: String,
    year: String,
    day: String,
    month: String,
    date_year: String,
    start: String,
    end: String,
    focus: String,
    attendees: String,
}

/// The visit types offered when planning.
pub const PLAN_TYPES: [VisitType; 9] = [
    VisitType::SchoolEffectiveness,
    VisitType::Headline,
    VisitType::NewToHeadship,
    VisitType::KeepingInTouch,
    VisitType::Additional,
    VisitType::Safeguarding,
    VisitType::Monitoring,
    VisitType::DeepDive,
    VisitType::Review,
];

async fn render_plan(
    state: &AppState,
    user: &CurrentUser,
    values: &PlanValues,
    errors: &[FieldError],
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let names = school_names(state, org).await?;
    let advisers = adviser_names(state, org).await?;
    let mut school_options = vec![context! { value => "", text => "Select a school" }];
    for (urn, name) in &names {
        school_options
            .push(context! { value => urn.to_string(), text => format!("{name}, URN {urn}") });
    }
    let mut adviser_options = vec![context! { value => "", text => "Select an adviser" }];
    for a in advisers.values().filter(|a| a.active) {
        adviser_options.push(context! { value => a.id.to_string(), text => a.name.clone() });
    }
    let type_options: Vec<Value> = PLAN_TYPES
        .iter()
        .map(|t| context! { value => t.key(), text => t.label() })
        .collect();
    let y = current_year();
    let year_options: Vec<Value> = [
        y,
        AcademicYear::containing(y.last_day().tomorrow().unwrap_or(y.last_day())),
    ]
    .iter()
    .map(|y| context! { value => y.to_string(), text => y.to_string() })
    .collect();
    let (error_list, field_errors) = errors_view(errors);
    let mut res = render(
        state,
        Some(user),
        "/visits",
        "visit_plan.html",
        "Plan a visit",
        context! {
            v => context! {
                urn => values.urn.clone(), adviser_id => values.adviser_id.clone(), visit_type => values.visit_type.clone(),
                year => values.year.clone(), day => values.day.clone(), month => values.month.clone(), date_year => values.date_year.clone(),
                start => values.start.clone(), end => values.end.clone(), focus => values.focus.clone(), attendees => values.attendees.clone(),
            },
            school_options => school_options,
            adviser_options => adviser_options,
            type_options => type_options,
            year_options => year_options,
            errors => error_list,
            field_errors => field_errors,
        },
    )?;
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

/// `GET /visits/new`: the form to plan a visit.
pub async fn plan_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let mut values = PlanValues {
        urn: q.urn.clone().unwrap_or_default(),
        visit_type: VisitType::SchoolEffectiveness.key().to_string(),
        year: current_year().to_string(),
        ..Default::default()
    };
    // An adviser plans their own visits; otherwise the school's named adviser.
    if let Some(a) = state.db.adviser_for_user(org, user.user.id).await? {
        values.adviser_id = a.id.to_string();
    } else if let Ok(urn) = values.urn.parse::<i64>() {
        if let Some(a) = state.db.current_assignments(org).await?.get(&urn) {
            values.adviser_id = a.adviser_id.to_string();
        }
    }
    render_plan(&state, &user, &values, &[]).await
}

/// What the plan form (or the API) posts, parsed; field errors otherwise.
#[allow(clippy::too_many_arguments)]
pub fn parse_plan(
    urn: &str,
    adviser_id: &str,
    visit_type: &str,
    year: &str,
    date: Result<Date, FieldError>,
    start: &str,
    end: &str,
    focus: &str,
    attendees: Vec<String>,
) -> Result<PlanInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let urn = urn.trim().parse::<i64>().ok();
    if urn.is_none() {
        errors.push(FieldError::new("urn", "Select the school"));
    }
    let adviser = adviser_id.trim().parse::<i64>().ok();
    if adviser.is_none() {
        errors.push(FieldError::new("adviser_id", "Select the adviser"));
    }
    let vt = visit_type.trim();
    if !PLAN_TYPES.iter().any(|t| t.key() == vt) {
        errors.push(FieldError::new("visit_type", "Select the type of visit"));
    }
    let year: Option<AcademicYear> = year.trim().parse().ok();
    if year.is_none() {
        errors.push(FieldError::new(
            "academic_year",
            "Select the academic year, like 2026/27",
        ));
    }
    let date = match date {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let time = |s: &str, name: &str, errors: &mut Vec<FieldError>| -> Option<jiff::civil::Time> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        match s.parse::<jiff::civil::Time>() {
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(FieldError::new(
                    name,
                    format!("Enter the {name} time as hours and minutes, like 09:30"),
                ));
                None
            }
        }
    };
    let start = time(start, "start", &mut errors);
    let end = time(end, "end", &mut errors);
    if focus.trim().is_empty() {
        errors.push(FieldError::new("focus", "Enter the focus of the visit"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match (urn, adviser, year, date) {
        (Some(urn), Some(adviser_id), Some(academic_year), Some(date)) => Ok(PlanInput {
            urn,
            adviser_id,
            visit_type: VisitType::from_key(vt),
            academic_year,
            date,
            start,
            end,
            focus: focus.trim().to_string(),
            attendees,
        }),
        _ => Err(vec![FieldError::new("", "The plan is incomplete")]),
    }
}

/// A date from a GOV.UK date input's three fields.
fn date_from_parts(
    day: &str,
    month: &str,
    year: &str,
    field: &str,
    what: &str,
) -> Result<Date, FieldError> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Err(FieldError::new(field, format!("Enter the {what}")));
    }
    let parsed = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>());
    match parsed {
        (Ok(d), Ok(m), Ok(y)) if y >= 1000 => jiff::civil::Date::new(y, m, d)
            .map_err(|_| FieldError::new(field, format!("The {what} must be a real date"))),
        _ => Err(FieldError::new(
            field,
            format!("The {what} must be a real date, like 27 3 2027"),
        )),
    }
}

/// Plans a visit for the user; the errors for the form otherwise.
pub async fn plan_for(
    state: &AppState,
    user: &CurrentUser,
    input: &PlanInput,
) -> Result<Result<VisitFull, Vec<FieldError>>, Problem> {
    let who = workflow_actor(state, user)
        .await?
        .ok_or(Problem::Forbidden)?;
    let cal = state.db.bank_holidays().await?;
    let days = state
        .db
        .response_working_days(user.principal.organisation_id)
        .await?;
    let mut tx = state.db.begin().await?;
    match sv::plan_visit(
        &mut tx,
        &user.actor(),
        user.principal.organisation_id,
        &who,
        input,
        today(),
        &cal,
        days,
    )
    .await
    {
        Ok(full) => {
            tx.commit().await?;
            Ok(Ok(full))
        }
        Err(VisitError::Workflow(WorkflowError::NotTheVisitsAdviser { .. })) => {
            Ok(Err(vec![FieldError::new(
                "adviser_id",
                "You can plan only your own visits: select yourself as the adviser",
            )]))
        }
        Err(e) => match refusal(&e) {
            Some(p) => Err(p),
            None => Ok(Err(e.field_errors())),
        },
    }
}

/// `POST /visits`: plans a visit.
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = |n: &str| field(&fields, n).to_string();
    let values = PlanValues {
        urn: f("urn"),
        adviser_id: f("adviser_id"),
        visit_type: f("visit_type"),
        year: f("academic_year"),
        day: f("date-day"),
        month: f("date-month"),
        date_year: f("date-year"),
        start: f("start"),
        end: f("end"),
        focus: f("focus"),
        attendees: f("attendees"),
    };
    let date = date_from_parts(
        &values.day,
        &values.month,
        &values.date_year,
        "date",
        "date of the visit",
    );
    let attendees: Vec<String> = values
        .attendees
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let input = match parse_plan(
        &values.urn,
        &values.adviser_id,
        &values.visit_type,
        &values.year,
        date,
        &values.start,
        &values.end,
        &values.focus,
        attendees,
    ) {
        Ok(i) => i,
        Err(errors) => return render_plan(&state, &user, &values, &errors).await,
    };
    match plan_for(&state, &user, &input).await? {
        Ok(full) => {
            Ok(Redirect::to(&format!("/visits/{}?done=planned", full.visit.id)).into_response())
        }
        Err(errors) => render_plan(&state, &user, &values, &errors).await,
    }
}

// ---------------------------------------------------------------------------
// One visit

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
    let who = workflow_actor(state, user).await?;
    let stage = v.stage();
    let (stage_text, colour) = stage_tag(stage);
    let is_lead = matches!(who.as_ref().map(|w| &w.role), Some(ActorRole::Lead));
    let is_owner = matches!(who.as_ref().map(|w| &w.role), Some(ActorRole::Adviser { adviser_id }) if *adviser_id == v.adviser_id.to_string());
    let drives = is_lead || is_owner;
    let is_head = matches!(who.as_ref().map(|w| &w.role), Some(ActorRole::Headteacher { urn }) if i64::from(urn.get()) == v.urn);
    let se = full.self_evaluation.as_ref();
    let note_visible = can_read_note(user, full);
    let due = full.note.as_ref().and_then(|n| n.response_due.clone());
    let overdue_response = stage == Stage::SentToHeadteacher
        && due
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok())
            .is_some_and(|d| today() > d);
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
            today => today().to_string(),
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
    let id = visit_id(&id)?;
    let full = visible_visit(&state, &user, id).await?;
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

async fn step(
    state: AppState,
    user: CurrentUser,
    id: &str,
    action: impl FnOnce(&BTreeMap<String, String>) -> Result<VisitAction, Vec<FieldError>>,
    fields: Vec<(String, String)>,
    done: &str,
) -> Result<Response, PageError> {
    let id = visit_id(id)?;
    let full = visible_visit(&state, &user, id).await?;
    let posted: BTreeMap<String, String> = fields
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let action = match action(&posted) {
        Ok(a) => a,
        Err(errors) => return render_visit(&state, &user, &full, &posted, &errors, None).await,
    };
    match apply_action(&state, &user, id, action).await? {
        Ok(_) => Ok(Redirect::to(&format!("/visits/{id}?done={done}")).into_response()),
        Err(errors) => render_visit(&state, &user, &full, &posted, &errors, None).await,
    }
}

fn text(posted: &BTreeMap<String, String>, name: &str) -> String {
    posted
        .get(name)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// `POST /visits/{visit}/self-evaluation/request`.
pub async fn request_se(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |_| Ok(VisitAction::RequestSelfEvaluation),
        fields,
        "requested",
    )
    .await
}

/// `POST /visits/{visit}/self-evaluation`: the school completes its form.
pub async fn complete_se(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |p| {
            Ok(VisitAction::CompleteSelfEvaluation {
                content: text(p, "self_evaluation"),
            })
        },
        fields,
        "completed",
    )
    .await
}

/// `POST /visits/{visit}/self-evaluation/review`.
pub async fn review_se(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |p| {
            let c = text(p, "review");
            if c.is_empty() {
                return Err(vec![FieldError::new(
                    "review",
                    "Enter your review of the school's self-evaluation",
                )]);
            }
            Ok(VisitAction::ReviewSelfEvaluation { comments: c })
        },
        fields,
        "reviewed",
    )
    .await
}

/// `POST /visits/{visit}/held`: the visit took place.
pub async fn held(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |p| {
            date_from_parts(
                &text(p, "date-day"),
                &text(p, "date-month"),
                &text(p, "date-year"),
                "date",
                "date the visit took place",
            )
            .map(|date| VisitAction::RecordHeld { date })
            .map_err(|e| vec![e])
        },
        fields,
        "held",
    )
    .await
}

/// `POST /visits/{visit}/note/send`.
pub async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |_| Ok(VisitAction::SendToHeadteacher),
        fields,
        "sent",
    )
    .await
}

/// `POST /visits/{visit}/note/respond`: the headteacher marks the note
/// accurate or responds with comments.
pub async fn respond(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |p| match text(p, "response").as_str() {
            "accurate" => Ok(VisitAction::MarkAccurate),
            "comments" => Ok(VisitAction::RespondWithComments {
                comments: text(p, "comments"),
            }),
            _ => Err(vec![FieldError::new(
                "response",
                "Select whether the note is accurate or you have comments",
            )]),
        },
        fields,
        "responded",
    )
    .await
}

/// `POST /visits/{visit}/note/no-response`: the adviser records that the
/// response window passed.
pub async fn no_response(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |_| Ok(VisitAction::RecordNoResponse),
        fields,
        "no-response",
    )
    .await
}

/// `POST /visits/{visit}/note/share` (adviser or lead) and
/// `POST /visits/{visit}/note/school-share` (the headteacher).
pub async fn share(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |_| Ok(VisitAction::ShareWithChair),
        fields,
        "shared",
    )
    .await
}

/// `POST /visits/{visit}/note/finalise`.
pub async fn finalise(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |_| Ok(VisitAction::Finalise),
        fields,
        "final",
    )
    .await
}

/// `POST /visits/{visit}/note/addenda`.
pub async fn addendum(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    step(
        state,
        user,
        &id,
        |p| {
            Ok(VisitAction::AddAddendum {
                text: text(p, "addendum"),
            })
        },
        fields,
        "addendum",
    )
    .await
}

// ---------------------------------------------------------------------------
// The note form (multi-row, no JavaScript: blank rows and "add another")

const MIN_FOCUS: usize = 2;
const MIN_ROWS: usize = 3;

/// The note as the form shows it.
pub fn form_of(note: &NoteOfVisit) -> NoteOfVisitForm {
    NoteOfVisitForm {
        focus_areas: note
            .focus_areas
            .iter()
            .map(|f| FocusAreaForm {
                title: f.title.clone(),
                commentary: f.commentary.clone(),
                adviser_judgement: f.adviser_judgement.label().to_string(),
                school_grade: f
                    .school_grade
                    .map(|g| g.label().to_string())
                    .unwrap_or_default(),
                disagreement_note: f.disagreement_note.clone().unwrap_or_default(),
            })
            .collect(),
        strengths: note.strengths.clone(),
        areas_for_development: note.areas_for_development.clone(),
        agreed_actions: note
            .agreed_actions
            .iter()
            .map(|a| AgreedActionForm {
                action: a.action.clone(),
                owner: a.owner.clone(),
                due: a.due.to_string(),
            })
            .collect(),
        next_visit_date: note
            .next_visit
            .as_ref()
            .and_then(|n| n.date.map(|d| d.to_string()))
            .unwrap_or_default(),
        next_visit_focus: note
            .next_visit
            .as_ref()
            .map(|n| n.focus.clone())
            .unwrap_or_default(),
    }
}

/// The note form from posted fields (`focus_areas[0].title`, `strengths[1]`,
/// `agreed_actions[2].due`, ...). Blank focus-area rows are dropped.
pub fn form_from_fields(fields: &[(String, String)]) -> NoteOfVisitForm {
    let mut focus: BTreeMap<usize, FocusAreaForm> = BTreeMap::new();
    let mut actions: BTreeMap<usize, AgreedActionForm> = BTreeMap::new();
    let mut strengths: BTreeMap<usize, String> = BTreeMap::new();
    let mut development: BTreeMap<usize, String> = BTreeMap::new();
    let mut form = NoteOfVisitForm::default();
    for (k, v) in fields {
        let idx = |prefix: &str| -> Option<(usize, String)> {
            let rest = k.strip_prefix(prefix)?.strip_prefix('[')?;
            let (n, tail) = rest.split_once(']')?;
            Some((n.parse().ok()?, tail.trim_start_matches('.').to_string()))
        };
        if let Some((i, name)) = idx("focus_areas") {
            if i >= 50 {
                continue;
            }
            let f = focus.entry(i).or_default();
            match name.as_str() {
                "title" => f.title = v.clone(),
                "commentary" => f.commentary = v.clone(),
                "adviser_judgement" => f.adviser_judgement = v.clone(),
                "school_grade" => f.school_grade = v.clone(),
                "disagreement_note" => f.disagreement_note = v.clone(),
                _ => {}
            }
        } else if let Some((i, name)) = idx("agreed_actions") {
            if i >= 50 {
                continue;
            }
            let a = actions.entry(i).or_default();
            match name.as_str() {
                "action" => a.action = v.clone(),
                "owner" => a.owner = v.clone(),
                "due" => a.due = v.clone(),
                _ => {}
            }
        } else if let Some((i, _)) = idx("strengths") {
            if i < 50 {
                strengths.insert(i, v.clone());
            }
        } else if let Some((i, _)) = idx("areas_for_development") {
            if i < 50 {
                development.insert(i, v.clone());
            }
        } else if k == "next_visit_date" {
            form.next_visit_date = v.clone();
        } else if k == "next_visit_focus" {
            form.next_visit_focus = v.clone();
        }
    }
    form.focus_areas = focus
        .into_values()
        .filter(|f| {
            ![
                &f.title,
                &f.commentary,
                &f.adviser_judgement,
                &f.school_grade,
                &f.disagreement_note,
            ]
            .iter()
            .all(|s| s.trim().is_empty())
        })
        .collect();
    form.agreed_actions = actions.into_values().collect();
    form.strengths = strengths.into_values().collect();
    form.areas_for_development = development.into_values().collect();
    form
}

fn judgement_options(selected: &str, with_none: bool) -> Vec<Value> {
    let mut out = Vec::new();
    if with_none {
        out.push(
            context! { value => "", text => "Not given", selected => selected.trim().is_empty() },
        );
    } else {
        out.push(context! { value => "", text => "Select a judgement", selected => selected.trim().is_empty() });
    }
    for j in Judgement::SCALE {
        out.push(context! { value => j.label(), text => j.label(), selected => Judgement::parse(selected) == Some(j) });
    }
    out
}

async fn render_note_form(
    state: &AppState,
    user: &CurrentUser,
    full: &VisitFull,
    form: &NoteOfVisitForm,
    add: Option<&str>,
    errors: &[FieldError],
) -> Result<Response, PageError> {
    let org = user.principal.organisation_id;
    let school = school_names(state, org)
        .await?
        .get(&full.visit.urn)
        .cloned()
        .unwrap_or_default();
    let pad = |n: usize, min: usize, extra: bool| -> usize { n.max(min) + usize::from(extra) };
    let n_focus = pad(form.focus_areas.len(), MIN_FOCUS, add == Some("focus"));
    let n_str = pad(
        form.strengths
            .iter()
            .filter(|s| !s.trim().is_empty())
            .count(),
        MIN_ROWS,
        add == Some("strength"),
    );
    let n_dev = pad(
        form.areas_for_development
            .iter()
            .filter(|s| !s.trim().is_empty())
            .count(),
        MIN_ROWS,
        add == Some("development"),
    );
    let n_act = pad(
        form.agreed_actions
            .iter()
            .filter(|a| {
                !(a.action.trim().is_empty()
                    && a.owner.trim().is_empty()
                    && a.due.trim().is_empty())
            })
            .count(),
        MIN_ROWS,
        add == Some("action"),
    );
    let focus: Vec<Value> = (0..n_focus)
        .map(|i| {
            let f = form.focus_areas.get(i).cloned().unwrap_or_default();
            context! {
                i => i, n => i + 1, title => f.title, commentary => f.commentary,
                adviser_options => judgement_options(&f.adviser_judgement, false),
                school_options => judgement_options(&f.school_grade, true),
                disagreement_note => f.disagreement_note,
            }
        })
        .collect();
    let non_blank = |v: &[String]| -> Vec<String> {
        v.iter().filter(|s| !s.trim().is_empty()).cloned().collect()
    };
    let strengths = non_blank(&form.strengths);
    let development = non_blank(&form.areas_for_development);
    let acts: Vec<AgreedActionForm> = form
        .agreed_actions
        .iter()
        .filter(|a| {
            !(a.action.trim().is_empty() && a.owner.trim().is_empty() && a.due.trim().is_empty())
        })
        .cloned()
        .collect();
    let strengths: Vec<Value> = (0..n_str).map(|i| context! { i => i, n => i + 1, value => strengths.get(i).cloned().unwrap_or_default() }).collect();
    let development: Vec<Value> = (0..n_dev).map(|i| context! { i => i, n => i + 1, value => development.get(i).cloned().unwrap_or_default() }).collect();
    let actions: Vec<Value> = (0..n_act)
        .map(|i| {
            let a = acts.get(i).cloned().unwrap_or_default();
            context! { i => i, n => i + 1, action => a.action, owner => a.owner, due => a.due }
        })
        .collect();
    let (error_list, field_errors) = errors_view(errors);
    let mut res = render(
        state,
        Some(user),
        "/visits",
        "visit_note_form.html",
        "Note of visit",
        context! {
            id => full.visit.id,
            school => school,
            date => show_date(full.visit.held_on.as_deref().unwrap_or(&full.visit.planned_date)),
            se_content => full.self_evaluation.as_ref().and_then(|s| s.content.clone()),
            focus => focus,
            strengths => strengths,
            development => development,
            actions => actions,
            next_visit_date => form.next_visit_date.clone(),
            next_visit_focus => form.next_visit_focus.clone(),
            errors => error_list,
            field_errors => field_errors,
        },
    )?;
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

async fn editable(state: &AppState, user: &CurrentUser, id: &str) -> Result<VisitFull, Problem> {
    let id = visit_id(id)?;
    let full = visible_visit(state, user, id).await?;
    let who = workflow_actor(state, user)
        .await?
        .ok_or(Problem::Forbidden)?;
    match &who.role {
        ActorRole::Lead => {}
        ActorRole::Adviser { adviser_id } if *adviser_id == full.visit.adviser_id.to_string() => {}
        _ => return Err(Problem::Forbidden),
    }
    Ok(full)
}

/// `GET /visits/{visit}/note/edit`: the note form (the visit's adviser or a lead).
pub async fn note_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let full = editable(&state, &user, &id).await?;
    let form = match &full.note {
        Some(n) => form_of(&n.note()?),
        None => NoteOfVisitForm::default(),
    };
    let errors = if matches!(full.visit.stage(), Stage::Held | Stage::NoteDrafted) {
        Vec::new()
    } else {
        vec![FieldError::new(
            "",
            format!("The note can be written once the visit has been held and until it is sent; the visit is {}", full.visit.stage()),
        )]
    };
    render_note_form(&state, &user, &full, &form, None, &errors).await
}

/// `POST /visits/{visit}/note`: saves the draft, or adds a blank row
/// (`add` = focus, strength, development or action) and shows the form again.
pub async fn save_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let full = editable(&state, &user, &id).await?;
    let form = form_from_fields(&fields);
    let add = fields
        .iter()
        .find(|(k, _)| k == "add")
        .map(|(_, v)| v.as_str());
    if let Some(add) = add {
        return render_note_form(&state, &user, &full, &form, Some(add), &[]).await;
    }
    match apply_action(
        &state,
        &user,
        full.visit.id,
        VisitAction::DraftNote {
            note: Box::new(form.clone()),
        },
    )
    .await?
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/visits/{}?done=drafted", full.visit.id)).into_response())
        }
        Err(errors) => render_note_form(&state, &user, &full, &form, None, &errors).await,
    }
}

// ---------------------------------------------------------------------------
// The school profile's section

/// The visits section of a school's profile: its named adviser, its
/// entitlement for the year with the reasons, and its visits.
pub async fn school_section(
    state: &AppState,
    user: &CurrentUser,
    urn: i64,
) -> Result<Option<Value>, Problem> {
    let org = user.principal.organisation_id;
    if !authorize(
        &user.principal,
        Action::ReadVisits,
        Scope::School {
            organisation_id: org,
            urn,
        },
    )
    .is_allowed()
    {
        return Ok(None);
    }
    let year = current_year();
    let Some((plan, report)) = state
        .db
        .school_entitlement_and_delivery(org, urn, year, today())
        .await?
    else {
        return Ok(None);
    };
    let advisers = adviser_names(state, org).await?;
    let history: Vec<Value> = state
        .db
        .assignment_history(org, urn)
        .await?
        .iter()
        .map(|a| {
            context! {
                adviser => advisers.get(&a.adviser_id).map(|x| x.name.clone()).unwrap_or_default(),
                from => show_date(&a.from_date),
                to => a.to_date.as_deref().map(show_date).unwrap_or_default(),
                reason => a.reason.clone(),
            }
        })
        .collect();
    let current = state
        .db
        .current_assignments(org)
        .await?
        .get(&urn)
        .and_then(|a| advisers.get(&a.adviser_id))
        .map(|a| a.name.clone());
    let entitlement: Vec<Value> = plan
        .entitlement
        .visits
        .iter()
        .map(|v| {
            context! {
                visit_type => v.visit_type.label(),
                count => v.count,
                reasons => v.reasons.iter().map(|r| r.text.clone()).collect::<Vec<_>>(),
            }
        })
        .collect();
    let lines: Vec<Value> = report
        .lines
        .iter()
        .map(|l| {
            let (status, colour, href) = match &l.status {
                DeliveryStatus::Delivered { visit_id, date } => (format!("Delivered {}", show_date(&date.to_string())), "green", format!("/visits/{visit_id}")),
                DeliveryStatus::Overdue { .. } => ("Overdue".to_string(), "red", String::new()),
                DeliveryStatus::Pending { planned: Some(d) } => (format!("Planned {}", show_date(&d.to_string())), "blue", String::new()),
                DeliveryStatus::Pending { planned: None } => ("Not yet planned".to_string(), "grey", String::new()),
            };
            context! { visit_type => l.due.visit_type.label(), due_by => show_date(&l.due.due_by.to_string()), status => status, colour => colour, href => href }
        })
        .collect();
    let visits: Vec<Value> = state
        .db
        .visits(&VisitFilter { organisation_id: org, academic_year: None, urn: Some(urn), adviser_id: None })
        .await?
        .iter()
        .map(|v| {
            let (stage, colour) = stage_tag(v.stage());
            context! { href => format!("/visits/{}", v.id), date => show_date(&v.planned_date), visit_type => v.visit_type().label(), stage => stage, colour => colour }
        })
        .collect();
    let lead_officer = state.db.lead_officers(org).await?.remove(&urn);
    Ok(Some(context! {
        year => year.to_string(),
        lead_officer => lead_officer,
        category => plan.entitlement.category_label.clone(),
        adviser => current,
        history => history,
        entitlement => entitlement,
        lines => lines,
        visits => visits,
        can_plan => can(user, Action::WriteVisits),
    }))
}

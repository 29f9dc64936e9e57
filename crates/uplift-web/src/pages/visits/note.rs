//! The note of visit: the form (multi-row, no JavaScript: blank rows and
//! "add another"), the accessible page and the PDF built from the same
//! document.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use uplift_app::visits::workflow as uc;
use uplift_app::FieldError;
use uplift_docs::{Block, Document};
use uplift_domain::visits::note::{AgreedActionForm, FocusAreaForm};
use uplift_domain::visits::{Judgement, NoteOfVisit, NoteOfVisitForm, Stage};
use uplift_store::visits::VisitFull;

use super::{errors_view, refusals, school_names};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::forms;
use crate::paths;
use crate::render::render;
use crate::views::visits::{show_date, visible_note};

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

/// `GET /visits/{visit}/note`: the note of visit as an accessible page.
pub async fn note_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = paths::id(&id)?;
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
    let id = paths::id(&id)?;
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

/// The date inputs as typed, by their id (`agreed-actions-0-due`,
/// `next-visit-date`): day, month and year.
pub type TypedDates = BTreeMap<String, [String; 3]>;

/// A date input's part (`day`, `month`, `year`) from a posted key such as
/// `agreed-actions-2-due-month` or `next-visit-date-day`.
fn date_part(key: &str) -> Option<(Option<usize>, usize)> {
    let (rest, part) = key.rsplit_once('-')?;
    let part = ["day", "month", "year"].iter().position(|p| *p == part)?;
    if rest == "next-visit-date" {
        return Some((None, part));
    }
    let i = rest
        .strip_prefix("agreed-actions-")?
        .strip_suffix("-due")?
        .parse::<usize>()
        .ok()
        .filter(|i| *i < 50)?;
    Some((Some(i), part))
}

/// The note form from posted fields (`focus_areas[0].title`, `strengths[1]`,
/// the GOV.UK date inputs `agreed-actions-2-due-day`, ...), each date read
/// once; the dates that cannot be read, refused on their field; and the dates
/// as typed. Blank focus-area rows are dropped.
pub fn form_from_fields(
    fields: &[(String, String)],
) -> (NoteOfVisitForm, Vec<FieldError>, TypedDates) {
    let mut due_parts: BTreeMap<usize, [String; 3]> = BTreeMap::new();
    let mut next_parts: [String; 3] = Default::default();
    let mut focus: BTreeMap<usize, FocusAreaForm> = BTreeMap::new();
    let mut actions: BTreeMap<usize, AgreedActionForm> = BTreeMap::new();
    let mut strengths: BTreeMap<usize, String> = BTreeMap::new();
    let mut development: BTreeMap<usize, String> = BTreeMap::new();
    let mut form = NoteOfVisitForm::default();
    for (k, v) in fields {
        if let Some((row, part)) = date_part(k) {
            match row {
                Some(i) => due_parts.entry(i).or_default()[part] = v.clone(),
                None => next_parts[part] = v.clone(),
            }
            continue;
        }
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
    form.strengths = strengths.into_values().collect();
    form.areas_for_development = development.into_values().collect();
    let mut errors = Vec::new();
    let mut typed = TypedDates::new();
    for i in due_parts.keys() {
        actions.entry(*i).or_default();
    }
    for (pos, (i, a)) in actions.iter_mut().enumerate() {
        let [d, m, y] = due_parts.remove(i).unwrap_or_default();
        let what = format!("the date agreed action {} is due by", pos + 1);
        match forms::parse_date_parts(&d, &m, &y, &what) {
            Ok(date) => a.due = date.map(|d| d.to_string()).unwrap_or_default(),
            Err(message) => errors.push(FieldError::new(
                format!("agreed_actions[{pos}].due"),
                message,
            )),
        }
        typed.insert(format!("agreed-actions-{pos}-due"), [d, m, y]);
    }
    form.agreed_actions = actions.into_values().collect();
    let [d, m, y] = next_parts;
    match forms::parse_date_parts(&d, &m, &y, "the date of the next visit") {
        Ok(date) => form.next_visit_date = date.map(|d| d.to_string()).unwrap_or_default(),
        Err(message) => errors.push(FieldError::new("next_visit_date", message)),
    }
    typed.insert("next-visit-date".into(), [d, m, y]);
    (form, errors, typed)
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
    typed: &TypedDates,
    add: Option<&str>,
    errors: &[FieldError],
) -> Result<Response, PageError> {
    // A date input shows what was typed, else the note's date.
    let parts = |id: &str, iso: &str| -> Value {
        match (typed.get(id), iso.parse::<jiff::civil::Date>()) {
            (Some([d, m, y]), _) => context! { day => d, month => m, year => y },
            (None, Ok(date)) => forms::parts_of(date),
            (None, Err(_)) => context! { day => "", month => "", year => "" },
        }
    };
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
            let due = parts(&format!("agreed-actions-{i}-due"), &a.due);
            context! { i => i, n => i + 1, action => a.action, owner => a.owner, due => due }
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
            next_visit_date => parts("next-visit-date", &form.next_visit_date),
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

/// `GET /visits/{visit}/note/edit`: the note form (the visit's adviser or a lead).
pub async fn note_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let full = uc::editable_note(&state.app, &user.caller(), paths::id(&id)?).await?;
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
    render_note_form(
        &state,
        &user,
        &full,
        &form,
        &TypedDates::new(),
        None,
        &errors,
    )
    .await
}

/// `POST /visits/{visit}/note`: saves the draft, or adds a blank row
/// (`add` = focus, strength, development or action) and shows the form again.
pub async fn save_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let full = uc::editable_note(&state.app, &user.caller(), paths::id(&id)?).await?;
    let (form, date_errors, typed) = form_from_fields(&fields);
    let add = fields
        .iter()
        .find(|(k, _)| k == "add")
        .map(|(_, v)| v.as_str());
    if let Some(add) = add {
        return render_note_form(&state, &user, &full, &form, &typed, Some(add), &[]).await;
    }
    if !date_errors.is_empty() {
        return render_note_form(&state, &user, &full, &form, &typed, None, &date_errors).await;
    }
    match uc::draft_note(&state.app, &user.caller(), full.visit.id, form.clone()).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/visits/{}?done=drafted", full.visit.id)).into_response())
        }
        Err(e) => {
            let errors = refusals(e)?;
            render_note_form(&state, &user, &full, &form, &typed, None, &errors).await
        }
    }
}

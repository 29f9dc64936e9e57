//! What the visits' page and API both show: the note of visit as a formal
//! document (the accessible page, the PDF and the API's text are built from
//! it), and a visit as JSON. Presentation only: the rules and queries are
//! `uplift_app::visits`.

use uplift_docs::{Block, Document, Letterhead};
use uplift_domain::visits::{Judgement, NoteOfVisit};
use uplift_store::visits::VisitFull;

use serde_json::json;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::Problem;

/// "2 December 2026" from a stored date (or date-time); the text as stored
/// when it is not one.
pub fn show_date(s: &str) -> String {
    s.get(0..10)
        .unwrap_or(s)
        .parse::<jiff::civil::Date>()
        .map(|d| d.strftime("%-d %B %Y").to_string())
        .unwrap_or_else(|_| s.to_string())
}

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

/// The note's document for a visit the user may read (not found otherwise).
pub async fn visible_note(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(VisitFull, Document), Problem> {
    let (full, note) =
        uplift_app::visits::queries::note_of_visit(&state.app, &user.caller(), id).await?;
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
    let letterhead = uplift_app::letterhead::document_letterhead(
        &state.app,
        user.organisation.id,
        &user.organisation.name,
    )
    .await
    .map_err(crate::error::Problem::from)?;
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

/// A visit as the API shows it: the note only when `with_note`.
pub fn visit_json(full: &VisitFull, with_note: bool) -> serde_json::Value {
    let v = &full.visit;
    let note = if with_note {
        full.note.as_ref().map(|n| {
            json!({
                "state": n.state,
                "content": serde_json::from_str::<serde_json::Value>(&n.content).unwrap_or_default(),
                "sent_at": n.sent_at, "response_due": n.response_due,
                "response": n.response_kind, "response_comments": n.response_comments,
                "responded_at": n.responded_at, "shared_with_chair_at": n.shared_with_chair_at,
                "finalised_at": n.finalised_at,
                "addenda": full.addenda.iter().map(|a| json!({"on": a.added_on, "by": a.added_by, "text": a.text})).collect::<Vec<_>>(),
            })
        })
    } else {
        None
    };
    json!({
        "id": v.id,
        "urn": v.urn,
        "adviser_id": v.adviser_id,
        "visit_type": v.visit_type,
        "academic_year": v.academic_year,
        "planned_date": v.planned_date,
        "start_time": v.start_time,
        "end_time": v.end_time,
        "focus": v.focus,
        "attendees": v.attendee_list(),
        "stage": v.stage,
        "held_on": v.held_on,
        "self_evaluation": full.self_evaluation.as_ref().map(|s| json!({
            "requested_at": s.requested_at, "content": s.content, "completed_at": s.completed_at,
            "review": s.review, "reviewed_at": s.reviewed_at,
        })),
        "note": note,
        "history": full.events.iter().map(|e| json!({"on": e.on_date, "from": e.from_stage, "to": e.to_stage, "what": e.what, "by": e.by_label})).collect::<Vec<_>>(),
    })
}

//! A meeting's papers (the agenda, each school's case summary with its
//! previous decisions and current plan, attendees, minutes and decisions) as
//! one document, shared by the meeting page and the API; and the agenda's
//! section headings.

use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use uplift_app::meetings::live_agenda;
use uplift_domain::concern::AgendaSection;
use uplift_store::concern as store_concern;
use uplift_store::meetings::{ListedCase, Meeting};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::Problem;
use crate::views::plans::owner_label;

/// An agenda section's heading.
pub fn section_label(s: AgendaSection) -> &'static str {
    match s {
        AgendaSection::Proposals => "Proposals from categorisation",
        AgendaSection::Overdue => "Overdue actions and deadlines",
        AgendaSection::CaseReview => "Review of the causing-concern list",
    }
}

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
    let inputs = live_agenda(&state.app, org, m).await?;
    let agenda = match db.meeting_agenda(m.id).await? {
        Some(s) => s.agenda()?,
        None => inputs.agenda.clone(),
    };
    let date = m.date().unwrap_or_else(|| state.today());
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
                                        owner_label(a.owner).to_string(),
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
        letterhead: uplift_app::letterhead::document_letterhead(
            &state.app,
            user.organisation.id,
            &user.organisation.name,
        )
        .await
        .map_err(crate::error::Problem::from)?,
        title: format!("{}: meeting papers", m.title),
        reference: Some(format!("Meeting {}", m.id)),
        date: Some(uplift_domain::concern::long_date(date)),
        blocks,
    })
}

/// The meeting's papers as a PDF, rendered off the async runtime.
pub async fn papers_pdf(
    state: &AppState,
    user: &CurrentUser,
    m: &Meeting,
) -> Result<Response, Problem> {
    let doc = papers_document(state, user, m).await?;
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

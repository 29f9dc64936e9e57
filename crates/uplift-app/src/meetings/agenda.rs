//! The live agenda of a meeting (a query), what a decision at a meeting
//! needs to know about it, and issuing it.

use std::collections::BTreeMap;

use uplift_domain::access::Action;
use uplift_domain::calendar::{AcademicYear, TermDates};
use uplift_domain::concern::{
    build_agenda, Agenda, AgendaCase, AgendaProposal, OpenDeadline, SpbDeadlines, StepState,
};
use uplift_domain::policy::ProposalAction;
use uplift_domain::register::{Date, Urn};
use uplift_store::meetings::{self as store, AgendaSnapshot, ListedCase, Meeting};
use uplift_store::plans::VersionRecord;
use uplift_store::spb::{rebuild, step_label};

use super::meeting_of;
use crate::concern::AtMeeting;
use crate::{App, AppError, Caller, Result};

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
#[derive(Debug, Clone)]
pub struct AgendaInputs {
    pub agenda: Agenda,
    pub proposals: Vec<ProposalItem>,
    pub cases: Vec<ListedCase>,
}

/// The academic year's term dates for a date (the organisation's own, or
/// England's typical).
pub async fn terms_for(app: &App, org: i64, date: Date) -> Result<TermDates> {
    let (t, _) = app
        .db()
        .term_dates(org, AcademicYear::containing(date))
        .await?;
    Ok(t)
}

/// When the current version of a plan is next to be reviewed.
pub fn next_review_due(versions: &[VersionRecord], terms: &TermDates) -> Option<Date> {
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

/// Builds the agenda of a meeting now: every proposal from categorisation
/// (additions for schools not on the list, removals for schools on it),
/// every case with tasks, plan reviews or SPB steps overdue as of the
/// meeting date, and every case on the list. A single-school meeting covers
/// only its school. A fixed number of queries however many cases there are.
pub async fn live_agenda(app: &App, org: i64, meeting: &Meeting) -> Result<AgendaInputs> {
    let kind = meeting.kind().ok_or(AppError::NotFound)?;
    let today = app.today();
    let date = meeting.date().unwrap_or(today);
    let db = app.db();
    let cases = db.open_cases(org).await?;
    let on_list: BTreeMap<i64, &ListedCase> = cases.iter().map(|c| (c.urn, c)).collect();
    let policy = db.policy_in_force(org).await?;
    let placements = match (kind.single_school(), meeting.focus_urn) {
        (true, Some(u)) => db
            .categorise_school(org, &policy, u, today)
            .await?
            .into_iter()
            .collect(),
        // Only schools with a proposal matter here: the read model gives
        // just those.
        _ => db.proposing_placements(org, &policy, today).await?,
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
    let terms = terms_for(app, org, date).await?;
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
    let agenda_cases: Vec<AgendaCase> = cases
        .iter()
        .filter_map(|c| {
            Some(AgendaCase {
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

/// A meeting's agenda: as issued (with when), or as it builds itself now.
#[derive(Debug, Clone)]
pub struct AgendaOf {
    pub agenda: Agenda,
    /// When it was issued; `None` while it is live.
    pub issued_at: Option<String>,
}

/// The agenda of a meeting the caller may read: as issued, or (when not
/// issued yet) as it builds itself now.
pub async fn agenda_of(app: &App, caller: &Caller, meeting_id: i64) -> Result<AgendaOf> {
    let m = meeting_of(app, caller, meeting_id, Action::ReadMeetings).await?;
    match app.db().meeting_agenda(m.id).await? {
        Some(s) => Ok(AgendaOf {
            agenda: s.agenda()?,
            issued_at: Some(s.issued_at.clone()),
        }),
        None => Ok(AgendaOf {
            agenda: live_agenda(app, caller.organisation_id(), &m).await?.agenda,
            issued_at: None,
        }),
    }
}

/// Issues the agenda as it stands (a snapshot kept with the meeting; the
/// papers use it).
pub async fn issue_agenda(app: &App, caller: &Caller, meeting_id: i64) -> Result<AgendaSnapshot> {
    let m = meeting_of(app, caller, meeting_id, Action::WriteConcern).await?;
    let org = caller.organisation_id();
    let inputs = live_agenda(app, org, &m).await?;
    let mut tx = app.db().begin().await?;
    let s = store::issue_agenda(&mut tx, &caller.actor, org, m.id, &inputs.agenda).await?;
    tx.commit().await?;
    Ok(s)
}

/// What [`crate::concern::record_decision`] needs to know about a meeting's
/// agenda: whether the school is on it (live or issued), the triggers its
/// proposal gave, and the live agenda to issue with the first decision.
pub async fn at_meeting(
    app: &App,
    caller: &Caller,
    meeting_id: i64,
    urn: i64,
) -> Result<AtMeeting> {
    let m = meeting_of(app, caller, meeting_id, Action::ReadMeetings).await?;
    let inputs = live_agenda(app, caller.organisation_id(), &m).await?;
    let issued = app.db().meeting_agenda(m.id).await?;
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

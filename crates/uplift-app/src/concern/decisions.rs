//! Recording a decision about a school: designation, "not a priority", and
//! every decision on an open case. One use case for the designation form, the
//! case page, a meeting's decisions and the API.

use jiff::civil::Date;
use uplift_domain::access::{Action, Scope};
use uplift_domain::concern::{long_date, Agenda, Decision, DecisionKind, Rationale};
use uplift_store::concern::{self as store, NewDecision, RecordedDecision};
use uplift_store::meetings as store_meetings;

use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// A decision as a person gave it. Field names in refusals: `urn`, `kind`,
/// `detail` (what an "other" decision was), `rationale`, `triggers`,
/// `decided_on`.
#[derive(Debug, Clone, Default)]
pub struct RecordDecision {
    pub urn: i64,
    /// The decision's stored name (`designate`, `not_a_priority`, `continue`,
    /// `remove`, `letter_of_concern`, `recommend_warning_notice`, `escalate`,
    /// `notify_regional_director`, `other`).
    pub kind: String,
    /// What an "other" decision was.
    pub detail: String,
    pub rationale: String,
    /// The triggers that applied (a designation needs at least one).
    pub triggers: Vec<String>,
    /// When it was decided; today when not given. Taken at a meeting, the
    /// meeting's date.
    pub decided_on: Option<Date>,
    /// The meeting that took it, if any.
    pub at_meeting: Option<AtMeeting>,
}

/// A decision taken at a meeting.
#[derive(Debug, Clone)]
pub struct AtMeeting {
    pub meeting_id: i64,
    /// Whether the school is on the meeting's agenda (live or issued).
    pub on_agenda: bool,
    /// The triggers the proposal gave, used when the decision names none.
    pub proposed_triggers: Vec<String>,
    /// The live agenda, issued with the first decision if it was not issued.
    pub agenda: Agenda,
}

/// Records a decision about a school in the caller's organisation, with the
/// work it creates (the list change, letters drafted to the headteacher and
/// chair of governors, tasks with working-day due dates), in one
/// transaction. Refused, naming the field: an unknown decision, no rationale
/// or one over 4,000 characters, a designation without triggers, a school not
/// on the meeting's agenda, and whatever the case's state
/// does not allow (removal while the latest inspection keeps the school in a
/// category of concern is checked as of the decision's date).
pub async fn record_decision(
    app: &App,
    caller: &Caller,
    input: RecordDecision,
) -> Result<RecordedDecision> {
    let org = caller.organisation_id();
    caller.authorize(
        Action::DecideConcern,
        Scope::School {
            organisation_id: org,
            urn: input.urn,
        },
    )?;
    let db = app.db();
    // At a meeting, a school not on its agenda is the form's mistake (the
    // URN field), whether or not the school is in the estate.
    if let Some(at) = input.at_meeting.as_ref().filter(|at| !at.on_agenda) {
        db.meeting(org, at.meeting_id)
            .await?
            .ok_or(AppError::NotFound)?;
        return Err(AppError::field(
            "urn",
            format!("URN {} is not on this meeting's agenda", input.urn),
        ));
    }
    if !db.concern_school_in_estate(org, input.urn).await? {
        return Err(AppError::NotFound);
    }
    let today = app.today();
    let meeting = match &input.at_meeting {
        Some(at) => Some(
            db.meeting(org, at.meeting_id)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };

    let mut problems = Problems::new();
    let kind = match DecisionKind::parse(&input.kind, Some(&input.detail)) {
        Some(DecisionKind::Other(what)) if what.is_empty() => {
            problems.add("detail", "Describe the other decision");
            None
        }
        Some(k) => Some(k),
        None if input.kind.trim().is_empty() => {
            problems.add("kind", "Select the decision");
            None
        }
        None => {
            problems.add(
                "kind",
                format!(
                    "There is no decision called \"{}\": choose one of {}",
                    input.kind.trim(),
                    DecisionKind::NAMES.join(", ")
                ),
            );
            None
        }
    };
    if let Err(e) = Rationale::new(input.rationale.as_str()) {
        problems.add(e.field(), e.to_string());
    }
    let decided_on = match (&meeting, input.decided_on) {
        // A decision recorded ahead of its meeting is dated today.
        (Some(m), _) => m.date().unwrap_or(today).min(today),
        (None, Some(d)) => d,
        (None, None) => today,
    };
    let mut triggers = input.triggers.clone();
    if triggers.iter().all(|t| t.trim().is_empty()) {
        if let Some(at) = &input.at_meeting {
            triggers = at.proposed_triggers.clone();
        }
    }
    let decision = match kind {
        Some(kind) if problems.is_empty() => {
            match Decision::new(kind, decided_on, &input.rationale, triggers) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.add(e.field(), e.to_string());
                    None
                }
            }
        }
        _ => None,
    };
    problems.done()?;
    let decision = decision.ok_or_else(|| AppError::field("kind", "Select the decision"))?;

    let category = if decision.kind == DecisionKind::Designate {
        let policy = db.policy_in_force(org).await?;
        db.categorise_school(org, &policy, input.urn, today)
            .await?
            .map(|p| p.category)
    } else {
        None
    };
    // Removal is checked against the school's record as of the decision.
    let facts = db.case_facts(org, input.urn, decision.date).await?;
    let new = NewDecision {
        organisation_id: org,
        urn: input.urn,
        decision,
        meeting_id: meeting.as_ref().map(|m| m.id),
        meeting_name: meeting.as_ref().map(|m| {
            format!(
                "the {} of {}",
                m.kind_label(),
                long_date(m.date().unwrap_or(decided_on))
            )
        }),
        category,
        signatory_name: caller.name.clone(),
        signatory_role: caller.role_label().to_owned(),
    };
    let mut tx = db.begin().await?;
    if let (Some(m), Some(at)) = (&meeting, &input.at_meeting) {
        if !store_meetings::has_agenda(&mut tx, m.id).await? {
            store_meetings::issue_agenda(&mut tx, &caller.actor, org, m.id, &at.agenda).await?;
        }
    }
    let recorded = store::record_decision(&mut tx, &caller.actor, &new, &facts)
        .await
        .map_err(AppError::refused_on("kind"))?;
    tx.commit().await?;
    Ok(recorded)
}

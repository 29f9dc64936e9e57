//! Action plans and Statements of Action, and their versions.
//!
//! Sources: Barnet Part B section C ("Statement of Action", "Review of the
//! Action Plan": reviewed termly or half-termly, "a new action plan is also
//! agreed at this meeting"; Monitoring and Challenge Meeting); Birmingham
//! Stage 2 (the action plan agreed with the Priority Partner).
//!
//! The rule: a review judges progress against the current version and agrees
//! a new version; earlier versions are kept and never change (there is no
//! mutable access to them).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::TermDates;
use crate::policy::Rag;

/// An action plan, or a Statement of Action (for special measures or serious weaknesses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// Action plan.
    ActionPlan,
    /// Statement of Action.
    StatementOfAction,
}

/// Who owns an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// The school.
    School,
    /// The authority.
    Authority,
    /// The adviser (Lead Officer).
    Adviser,
    /// A brokered partner (NLE, another school, a consultant).
    BrokeredPartner,
}

/// How often the plan is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewCadence {
    /// Each term.
    Termly,
    /// Each half term.
    HalfTermly,
}

/// A milestone of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// By when.
    pub due: Date,
    /// What.
    pub description: String,
    /// Met, not met, or not yet judged.
    pub met: Option<bool>,
}

/// One action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// What will be done.
    pub description: String,
    /// Who.
    pub owner: OwnerKind,
    /// The named owner.
    pub owner_name: Option<String>,
    /// Milestones.
    pub milestones: Vec<Milestone>,
    /// Success criteria.
    pub success_criteria: Vec<String>,
    /// Evidence of progress.
    pub evidence: Vec<String>,
    /// Progress.
    pub rag: Rag,
}

/// A priority and its actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    /// The priority.
    pub title: String,
    /// Success criteria for the priority.
    pub success_criteria: Vec<String>,
    /// Actions.
    pub actions: Vec<Action>,
}

/// The content agreed at a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanContent {
    /// Priorities.
    pub priorities: Vec<Priority>,
    /// Review cadence.
    pub review_cadence: ReviewCadence,
}

/// The judgement made at a review of the previous version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewJudgement {
    /// Overall progress.
    pub progress: Rag,
    /// In words.
    pub summary: String,
    /// Who attended.
    pub attendees: Vec<String>,
}

/// One agreed version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanVersion {
    /// 1, 2, 3...
    pub number: u32,
    /// The date agreed.
    pub agreed_on: Date,
    /// The content.
    pub content: PlanContent,
    /// The judgement of the previous version that led to this one (none for version 1).
    pub review_of_previous: Option<ReviewJudgement>,
}

/// Why a plan change was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum PlanError {
    /// No priorities.
    #[error("a plan needs at least one priority")]
    NoPriorities,
    /// A priority with no actions.
    #[error("priority \"{0}\" has no actions")]
    NoActions(String),
    /// Empty text.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A review not after the last version.
    #[error("a review on {date} must come after the current version agreed on {current}")]
    NotAfter {
        /// The review date.
        date: Date,
        /// The current version's date.
        current: Date,
    },
}

fn validate(content: &PlanContent) -> Result<(), PlanError> {
    if content.priorities.is_empty() {
        return Err(PlanError::NoPriorities);
    }
    for p in &content.priorities {
        if p.title.trim().is_empty() {
            return Err(PlanError::Empty("a priority's title"));
        }
        if p.actions.is_empty() {
            return Err(PlanError::NoActions(p.title.clone()));
        }
        if p.actions.iter().any(|a| a.description.trim().is_empty()) {
            return Err(PlanError::Empty("an action's description"));
        }
    }
    Ok(())
}

/// A plan with every version it has had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    kind: PlanKind,
    versions: Vec<PlanVersion>,
}

impl Plan {
    /// Agrees version 1.
    pub fn agree(kind: PlanKind, agreed_on: Date, content: PlanContent) -> Result<Self, PlanError> {
        validate(&content)?;
        Ok(Self {
            kind,
            versions: vec![PlanVersion {
                number: 1,
                agreed_on,
                content,
                review_of_previous: None,
            }],
        })
    }

    /// The kind.
    pub fn kind(&self) -> PlanKind {
        self.kind
    }

    /// Every version, oldest first; read-only.
    pub fn versions(&self) -> &[PlanVersion] {
        &self.versions
    }

    /// The version in force.
    pub fn current(&self) -> &PlanVersion {
        // `agree` creates version 1 and nothing removes versions.
        &self.versions[self.versions.len() - 1]
    }

    /// A review: judges the current version and agrees the next. The
    /// current version is kept unchanged.
    pub fn review(
        &mut self,
        date: Date,
        judgement: ReviewJudgement,
        next: PlanContent,
    ) -> Result<&PlanVersion, PlanError> {
        let current = self.current();
        if date <= current.agreed_on {
            return Err(PlanError::NotAfter {
                date,
                current: current.agreed_on,
            });
        }
        if judgement.summary.trim().is_empty() {
            return Err(PlanError::Empty("the review's judgement"));
        }
        validate(&next)?;
        let number = current.number + 1;
        self.versions.push(PlanVersion {
            number,
            agreed_on: date,
            content: next,
            review_of_previous: Some(judgement),
        });
        Ok(self.current())
    }

    /// When the current version's review is due: the last day of the half
    /// term (half-termly) or term (termly) after the one it was agreed in;
    /// `None` when that falls outside `terms`' academic year.
    pub fn next_review_due(&self, terms: &TermDates) -> Option<Date> {
        let current = self.current();
        let agreed = current.agreed_on;
        match current.content.review_cadence {
            ReviewCadence::HalfTermly => terms
                .half_terms()
                .iter()
                .map(|(_, r)| r.end())
                .find(|end| *end > agreed),
            ReviewCadence::Termly => [terms.autumn(), terms.spring(), terms.summer()]
                .iter()
                .map(|t| t.end())
                .find(|end| *end > agreed),
        }
    }
}

/// The head of service's record of a Monitoring and Challenge Meeting:
/// progress towards securely good, and the quality of the authority's own
/// monitoring, challenge and support (Barnet Part B, C).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringAndChallengeRecord {
    /// When.
    pub date: Date,
    /// Progress of the school.
    pub progress: Rag,
    /// In words.
    pub progress_evaluation: String,
    /// The authority's own support.
    pub authority_support: Rag,
    /// In words.
    pub authority_support_evaluation: String,
}

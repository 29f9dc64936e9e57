//! The causing-concern case: designation by a decision, a Lead Officer,
//! reviews, removal; decisions with their rationale and the work each creates.
//!
//! Sources: Barnet Part B section C (Schools Review Group, Lead Officer role,
//! Appendix 1 "Possible decisions by SRG"); Birmingham improvement cycle
//! Stages 1, 3 and 5 (letters to the headteacher and chair of governors with
//! the rationale, letters of concern, recommending a warning notice to the
//! DCS, escalation to the Education Improvement Group).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::letters::LetterKind;
use super::removal::{can_remove, Blocked, CaseFacts};
use crate::calendar::{DateOutOfRange, WorkingDayCalendar};
use crate::policy::Policy;
use crate::register::Governance;

/// A non-empty, trimmed rationale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rationale(String);

impl Rationale {
    /// The longest rationale accepted, in characters: a rationale is a
    /// paragraph or two in the decision letter, not a report.
    pub const MAX_CHARS: usize = 4000;

    /// Refuses an empty or blank rationale, or one over
    /// [`Rationale::MAX_CHARS`] characters.
    pub fn new(text: impl Into<String>) -> Result<Self, DecisionError> {
        let text = text.into();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            Err(DecisionError::MissingRationale)
        } else if trimmed.chars().count() > Self::MAX_CHARS {
            Err(DecisionError::RationaleTooLong {
                max: Self::MAX_CHARS,
            })
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Rationale {
    type Error = DecisionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Rationale> for String {
    fn from(value: Rationale) -> Self {
        value.0
    }
}

/// What a meeting decided about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum DecisionKind {
    /// Designate the school as causing concern (the informal warning).
    Designate,
    /// Considered (for example proposed by categorisation) but not designated:
    /// the school is told in writing that it is not a priority and why
    /// (Birmingham Stage 1: "confirm whether or not the school is a priority
    /// for support and the rationale for this decision"). Only for a school
    /// with no open case.
    NotAPriority,
    /// Keep the school on the list.
    Continue,
    /// Remove the school from the list.
    Remove,
    /// Send a letter of concern to the headteacher and chair of governors.
    LetterOfConcern,
    /// Recommend that the Director of Children's Services gives a formal warning notice.
    RecommendWarningNotice,
    /// Escalate (to the Education Improvement Group or equivalent).
    Escalate,
    /// Notify the DfE regional director (formerly the Regional Schools Commissioner).
    NotifyRegionalDirector,
    /// Anything else, described.
    Other(String),
}

impl DecisionKind {
    /// Every kind's stored name, in the order forms offer them.
    pub const NAMES: [&'static str; 9] = [
        "designate",
        "not_a_priority",
        "continue",
        "remove",
        "letter_of_concern",
        "recommend_warning_notice",
        "escalate",
        "notify_regional_director",
        "other",
    ];

    /// A kind from its stored name; `detail` says what an "other" decision
    /// was. An unknown name is `None`, never a default.
    pub fn parse(name: &str, detail: Option<&str>) -> Option<DecisionKind> {
        Some(match name.trim() {
            "designate" => DecisionKind::Designate,
            "not_a_priority" => DecisionKind::NotAPriority,
            "continue" => DecisionKind::Continue,
            "remove" => DecisionKind::Remove,
            "letter_of_concern" => DecisionKind::LetterOfConcern,
            "recommend_warning_notice" => DecisionKind::RecommendWarningNotice,
            "escalate" => DecisionKind::Escalate,
            "notify_regional_director" => DecisionKind::NotifyRegionalDirector,
            "other" => DecisionKind::Other(detail.unwrap_or("").trim().to_owned()),
            _ => return None,
        })
    }

    /// The stored name (the inverse of [`DecisionKind::parse`]).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Designate => "designate",
            Self::NotAPriority => "not_a_priority",
            Self::Continue => "continue",
            Self::Remove => "remove",
            Self::LetterOfConcern => "letter_of_concern",
            Self::RecommendWarningNotice => "recommend_warning_notice",
            Self::Escalate => "escalate",
            Self::NotifyRegionalDirector => "notify_regional_director",
            Self::Other(_) => "other",
        }
    }

    /// Words for screens and letters.
    pub fn label(&self) -> String {
        match self {
            Self::Designate => "Designate as causing concern".into(),
            Self::NotAPriority => "Considered and not a priority".into(),
            Self::Continue => "Continue as causing concern".into(),
            Self::Remove => "Remove from the causing-concern list".into(),
            Self::LetterOfConcern => "Send a letter of concern".into(),
            Self::RecommendWarningNotice => "Recommend a formal warning notice".into(),
            Self::Escalate => "Escalate".into(),
            Self::NotifyRegionalDirector => "Notify the DfE regional director".into(),
            Self::Other(what) => format!("Other: {what}"),
        }
    }
}

/// A decision about one case, with its rationale (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// What was decided.
    pub kind: DecisionKind,
    /// When.
    pub date: Date,
    /// Why.
    pub rationale: Rationale,
    /// The causing-concern triggers that applied (required to designate).
    pub triggers: Vec<String>,
}

/// Why a decision, or a change to a case, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// No rationale: review groups and advisory committees record the
    /// rationale for every decision (Barnet Part B, C; Birmingham Stage 3).
    #[error("enter the rationale for the decision")]
    MissingRationale,
    /// A rationale over the limit.
    #[error("the rationale must be {max} characters or fewer")]
    RationaleTooLong {
        /// The limit.
        max: usize,
    },
    /// Designation without a trigger (Barnet Part B, C, "Triggers for
    /// schools causing concern").
    #[error("a designation needs at least one trigger that applied")]
    MissingTriggers,
    /// "Other" without a description.
    #[error("an \"other\" decision needs a description of what was decided")]
    MissingDescription,
    /// The decision does not fit the case's state.
    #[error("cannot {action} a case that is {state}: {reason}")]
    IllegalTransition {
        /// The case state.
        state: CaseState,
        /// What was attempted.
        action: String,
        /// Why not.
        reason: String,
    },
    /// Removal blocked by the inspection rule.
    #[error("{0}")]
    RemovalBlocked(Blocked),
    /// Not for academies.
    #[error("{0}")]
    NotForAcademy(String),
    /// A Lead Officer needs a name.
    #[error("a Lead Officer needs a name")]
    MissingLeadOfficer,
    /// A date before the case's last event.
    #[error("{date} is before the case's last event on {last}; the timeline only moves forward")]
    OutOfOrder {
        /// The date given.
        date: Date,
        /// The last event's date.
        last: Date,
    },
    /// A due date could not be computed.
    #[error("{0}")]
    Date(#[from] DateOutOfRange),
}

impl DecisionError {
    /// The input a refusal concerns, by the name use cases give their
    /// fields: `rationale`, `triggers`, `detail` (what an "other" decision
    /// was), `lead_officer`, `decided_on`, or `kind` (the decision itself does
    /// not fit the case).
    pub fn field(&self) -> &'static str {
        match self {
            Self::MissingRationale | Self::RationaleTooLong { .. } => "rationale",
            Self::MissingTriggers => "triggers",
            Self::MissingDescription => "detail",
            Self::MissingLeadOfficer => "lead_officer",
            Self::OutOfOrder { .. } | Self::Date(_) => "decided_on",
            Self::IllegalTransition { .. } | Self::RemovalBlocked(_) | Self::NotForAcademy(_) => {
                "kind"
            }
        }
    }
}

impl Decision {
    /// A decision, refused without a rationale, a designation without
    /// triggers, or "other" without a description.
    pub fn new(
        kind: DecisionKind,
        date: Date,
        rationale: &str,
        triggers: Vec<String>,
    ) -> Result<Self, DecisionError> {
        let rationale = Rationale::new(rationale)?;
        let triggers: Vec<String> = triggers
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        if kind == DecisionKind::Designate && triggers.is_empty() {
            return Err(DecisionError::MissingTriggers);
        }
        if let DecisionKind::Other(what) = &kind {
            if what.trim().is_empty() {
                return Err(DecisionError::MissingDescription);
            }
        }
        Ok(Self {
            kind,
            date,
            rationale,
            triggers,
        })
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Not (or not yet) on the list.
    NotOnList,
    /// Designated, waiting for a Lead Officer.
    AwaitingLeadOfficer,
    /// On the list with a Lead Officer.
    OnList,
    /// Removed by a decision.
    Removed,
}

impl std::fmt::Display for CaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotOnList => "not on the list",
            Self::AwaitingLeadOfficer => "designated and awaiting a Lead Officer",
            Self::OnList => "on the list",
            Self::Removed => "removed from the list",
        })
    }
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CaseEvent {
    /// A decision was recorded.
    Decided {
        /// The decision.
        decision: Decision,
    },
    /// A Lead Officer was assigned (or replaced).
    LeadOfficerAssigned {
        /// When.
        date: Date,
        /// Who.
        name: String,
    },
}

impl CaseEvent {
    /// The event's date.
    pub fn date(&self) -> Date {
        match self {
            Self::Decided { decision } => decision.date,
            Self::LeadOfficerAssigned { date, .. } => *date,
        }
    }
}

/// A school's causing-concern case: its state and its whole timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    state: CaseState,
    governance: Governance,
    lead_officer: Option<String>,
    timeline: Vec<CaseEvent>,
}

impl Case {
    /// A school not on the list.
    pub fn new(governance: Governance) -> Self {
        Self {
            state: CaseState::NotOnList,
            governance,
            lead_officer: None,
            timeline: Vec::new(),
        }
    }

    /// The state.
    pub fn state(&self) -> CaseState {
        self.state
    }

    /// The Lead Officer, once assigned.
    pub fn lead_officer(&self) -> Option<&str> {
        self.lead_officer.as_deref()
    }

    /// Every event, oldest first.
    pub fn timeline(&self) -> &[CaseEvent] {
        &self.timeline
    }

    /// Maintained, academy...
    pub fn governance(&self) -> Governance {
        self.governance
    }

    fn check_date(&self, date: Date) -> Result<(), DecisionError> {
        match self.timeline.last() {
            Some(last) if date < last.date() => Err(DecisionError::OutOfOrder {
                date,
                last: last.date(),
            }),
            _ => Ok(()),
        }
    }

    fn illegal(&self, action: &str, reason: &str) -> DecisionError {
        DecisionError::IllegalTransition {
            state: self.state,
            action: action.into(),
            reason: reason.into(),
        }
    }

    /// Whether `decision` may be applied now, without applying it.
    pub fn check(
        &self,
        decision: &Decision,
        facts: &CaseFacts,
    ) -> Result<CaseState, DecisionError> {
        use CaseState::*;
        self.check_date(decision.date)?;
        let on_list = matches!(self.state, AwaitingLeadOfficer | OnList);
        match &decision.kind {
            DecisionKind::Designate => match self.state {
                NotOnList | Removed => Ok(AwaitingLeadOfficer),
                _ => Err(self.illegal(
                    "designate",
                    "the school is already designated; record a decision to continue instead",
                )),
            },
            DecisionKind::NotAPriority => {
                if on_list {
                    Err(self.illegal(
                        "record \"not a priority\" for",
                        "the school has an open case; record a decision to continue it on the list or to remove it instead",
                    ))
                } else {
                    Ok(self.state)
                }
            }
            DecisionKind::Continue => {
                if on_list {
                    Ok(self.state)
                } else {
                    Err(self.illegal(
                        "continue",
                        "only a school on the list can be continued on it",
                    ))
                }
            }
            DecisionKind::Remove => {
                if !on_list {
                    return Err(self.illegal("remove", "the school is not on the list"));
                }
                can_remove(facts).map_err(DecisionError::RemovalBlocked)?;
                Ok(Removed)
            }
            DecisionKind::RecommendWarningNotice if self.governance == Governance::Academy => Err(
                DecisionError::NotForAcademy(ACADEMY_NO_WARNING_NOTICE.into()),
            ),
            DecisionKind::LetterOfConcern
            | DecisionKind::RecommendWarningNotice
            | DecisionKind::Escalate
            | DecisionKind::NotifyRegionalDirector
            | DecisionKind::Other(_) => Ok(self.state),
        }
    }

    /// Records a decision, moving the case: designate → awaiting a Lead
    /// Officer; remove → removed (only when [`can_remove`] allows it).
    /// Nothing changes when the decision is refused.
    pub fn decide(
        &mut self,
        decision: Decision,
        facts: &CaseFacts,
    ) -> Result<CaseState, DecisionError> {
        let next = self.check(&decision, facts)?;
        if next == CaseState::Removed || next == CaseState::AwaitingLeadOfficer {
            self.lead_officer = None;
        }
        self.state = next;
        self.timeline.push(CaseEvent::Decided { decision });
        Ok(next)
    }

    /// Assigns (or replaces) the Lead Officer of a designated school.
    pub fn assign_lead_officer(
        &mut self,
        date: Date,
        name: &str,
    ) -> Result<CaseState, DecisionError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DecisionError::MissingLeadOfficer);
        }
        if !matches!(
            self.state,
            CaseState::AwaitingLeadOfficer | CaseState::OnList
        ) {
            return Err(self.illegal(
                "assign a Lead Officer to",
                "a Lead Officer is identified when the Schools Review Group designates the school",
            ));
        }
        self.check_date(date)?;
        self.lead_officer = Some(name.to_owned());
        self.state = CaseState::OnList;
        self.timeline.push(CaseEvent::LeadOfficerAssigned {
            date,
            name: name.to_owned(),
        });
        Ok(self.state)
    }
}

/// Why the authority does not give warning notices to academies (Barnet
/// Part B, C b) Academies).
pub const ACADEMY_NO_WARNING_NOTICE: &str =
    "a local authority cannot give an academy a warning notice: \
Education and Inspections Act 2006 s60 and Part 4 powers apply to maintained schools; \
raise the concern with the academy trust and then the DfE regional director";

/// Who does a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerRole {
    /// The case's Lead Officer (Priority Partner).
    LeadOfficer,
    /// The head of school improvement (chairs the Schools Review Group).
    HeadOfSchoolImprovement,
    /// The Director of Children's Services (gives warning notices).
    DirectorOfChildrensServices,
    /// The meeting's clerk or business support.
    Clerk,
}

/// Whether a decision adds to, keeps or takes off the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListChange {
    /// Added to the list.
    Add,
    /// Kept on the list.
    Keep,
    /// Removed from the list.
    Remove,
}

/// The work a decision creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "follow_up", rename_all = "snake_case")]
pub enum FollowUp {
    /// The list changes.
    List {
        /// How.
        change: ListChange,
    },
    /// A letter to draft from a template.
    Letter {
        /// Which template.
        kind: LetterKind,
        /// When it should be sent by.
        due: Date,
        /// The source.
        reason: String,
    },
    /// A task with an owner and a due date.
    Task {
        /// What to do.
        title: String,
        /// Who.
        owner: OwnerRole,
        /// By when.
        due: Date,
        /// Why (with the source).
        reason: String,
    },
}

/// Working days allowed for the work that follows a decision. Defaults are
/// Uplift's; a policy's `[deadlines]` overrides them by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpDeadlines {
    /// `decision_letter`: writing to the headteacher and chair after a decision (10).
    pub decision_letter: u32,
    /// `lead_officer_assignment`: identifying a Lead Officer (5).
    pub lead_officer_assignment: u32,
    /// `action_plan_agreed`: agreeing the action plan or Statement of Action (20).
    pub action_plan_agreed: u32,
    /// `warning_notice_decision`: the DCS's decision on a recommended warning notice (10).
    pub warning_notice_decision: u32,
    /// `escalation`: raising an escalation or notification (10).
    pub escalation: u32,
}

impl Default for FollowUpDeadlines {
    fn default() -> Self {
        Self {
            decision_letter: 10,
            lead_officer_assignment: 5,
            action_plan_agreed: 20,
            warning_notice_decision: 10,
            escalation: 10,
        }
    }
}

impl FollowUpDeadlines {
    /// The defaults, overridden by the policy's `[deadlines]` of the same
    /// names (`schools_review_group_notification` also sets the letter's).
    pub fn from_policy(policy: &Policy) -> Self {
        let d = Self::default();
        let get = |name: &str, default: u32| policy.deadline_working_days(name).unwrap_or(default);
        Self {
            decision_letter: get(
                "decision_letter",
                get("schools_review_group_notification", d.decision_letter),
            ),
            lead_officer_assignment: get("lead_officer_assignment", d.lead_officer_assignment),
            action_plan_agreed: get("action_plan_agreed", d.action_plan_agreed),
            warning_notice_decision: get("warning_notice_decision", d.warning_notice_decision),
            escalation: get("escalation", d.escalation),
        }
    }
}

/// The work a decision creates: the list change, the letter to draft (which
/// template) and the tasks with their owner and due date, counted in working
/// days from the decision's date.
///
/// Refused for an academy when the decision would use a maintained-school
/// power (recommending a warning notice).
pub fn consequences(
    decision: &Decision,
    governance: Governance,
    calendar: &impl WorkingDayCalendar,
    deadlines: &FollowUpDeadlines,
) -> Result<Vec<FollowUp>, DecisionError> {
    let academy = governance == Governance::Academy;
    let due = |n: u32| calendar.add_working_days(decision.date, n);
    let task =
        |title: &str, owner: OwnerRole, n: u32, reason: &str| -> Result<FollowUp, DecisionError> {
            Ok(FollowUp::Task {
                title: title.into(),
                owner,
                due: due(n)?,
                reason: reason.into(),
            })
        };
    let letter = |kind: LetterKind, reason: &str| -> Result<FollowUp, DecisionError> {
        Ok(FollowUp::Letter {
            kind,
            due: due(deadlines.decision_letter)?,
            reason: reason.into(),
        })
    };
    let out = match &decision.kind {
        DecisionKind::Designate => vec![
            FollowUp::List { change: ListChange::Add },
            letter(
                LetterKind::PriorityDecision,
                "the decision is communicated to the headteacher and chair of governors in writing, with the rationale",
            )?,
            task(
                "Identify a Lead Officer",
                OwnerRole::HeadOfSchoolImprovement,
                deadlines.lead_officer_assignment,
                "a Lead Officer is identified for each school causing concern",
            )?,
            task(
                if academy { "Ask the trust for its improvement plan (statement of action)" } else { "Agree the action plan (Statement of Action if in special measures or serious weaknesses)" },
                OwnerRole::LeadOfficer,
                deadlines.action_plan_agreed,
                "the Lead Officer writes the action plan with the school",
            )?,
        ],
        DecisionKind::NotAPriority => vec![letter(
            LetterKind::NotAPriority,
            "the headteacher and chair of governors are told in writing whether or not the school is a priority for support, with the rationale",
        )?],
        DecisionKind::Continue => vec![FollowUp::List { change: ListChange::Keep }],
        DecisionKind::Remove => vec![
            FollowUp::List { change: ListChange::Remove },
            letter(
                LetterKind::Removal,
                "where a school is removed, the headteacher and chair of governors are told in writing",
            )?,
            task(
                "Close the action plan and record the final review",
                OwnerRole::LeadOfficer,
                deadlines.decision_letter,
                "the case closes with the plan's final review",
            )?,
        ],
        DecisionKind::LetterOfConcern => vec![
            letter(
                if academy { LetterKind::AcademyConcernToTrust } else { LetterKind::LetterOfConcern },
                if academy {
                    "concerns about an academy are raised first with the headteacher, chair and trust"
                } else {
                    "letters of concern go to the headteacher and governors where engagement or progress is insufficient"
                },
            )?,
            task(
                "Follow up the letter of concern at the next review",
                OwnerRole::LeadOfficer,
                deadlines.escalation,
                "progress after a letter of concern is reviewed before escalation",
            )?,
        ],
        DecisionKind::RecommendWarningNotice => {
            if academy {
                return Err(DecisionError::NotForAcademy(ACADEMY_NO_WARNING_NOTICE.into()));
            }
            vec![
                task(
                    "Decide whether to give a formal warning notice",
                    OwnerRole::DirectorOfChildrensServices,
                    deadlines.warning_notice_decision,
                    "the committee recommends; the Director of Children's Services gives the notice",
                )?,
                letter(
                    LetterKind::WarningNotice,
                    "a warning notice is drafted for the Director's decision (Education and Inspections Act 2006 s60/s60A)",
                )?,
            ]
        }
        DecisionKind::Escalate => {
            if academy {
                vec![letter(
                    LetterKind::AcademyConcernToRegionalDirector,
                    "where engagement with the trust has not been effective, the council sets out its concerns to the DfE regional director",
                )?]
            } else {
                vec![task(
                    "Take the case to the Education Improvement Group",
                    OwnerRole::HeadOfSchoolImprovement,
                    deadlines.escalation,
                    "lack of engagement is escalated to the half-termly Education Improvement Group",
                )?]
            }
        }
        DecisionKind::NotifyRegionalDirector => vec![
            letter(
                LetterKind::AcademyConcernToRegionalDirector,
                "significant concerns are notified to the DfE regional director",
            )?,
            task(
                "Tell the trust before writing to the regional director",
                OwnerRole::LeadOfficer,
                deadlines.escalation,
                "the council informs the trust before contacting the regional director",
            )?,
        ],
        DecisionKind::Other(what) => vec![task(
            what,
            OwnerRole::LeadOfficer,
            deadlines.escalation,
            "recorded decision",
        )?],
    };
    Ok(out)
}

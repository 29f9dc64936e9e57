//! Escalation and statutory intervention as a state machine with explicit
//! transitions ([`transition`]) and typed errors for illegal ones.
//!
//! Maintained schools: letter of concern → formal warning notice (Education
//! and Inspections Act 2006 s60 or s60A) with a compliance period in working
//! days → complied, or not complied after the period → written notice that
//! the authority proposes to use its Part 4 powers → eligible for
//! intervention (s59) → powers used (s63 to s66), each dated and signed off.
//! A school in a category of concern (s61, s62) or coasting (s60B) is
//! eligible without a notice.
//!
//! Academies: concerns are raised with the trust, then with the DfE regional
//! director; no local-authority powers (Barnet Part B, C b) Academies).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::case::Rationale;
use crate::calendar::{DateOutOfRange, WorkingDayCalendar};
use crate::policy::{Policy, Provenance, WarningNoticeFact, WarningNoticeSection};
use crate::register::Governance;

/// The statutory ground of a warning notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    /// s60(2)(a): standards of performance unacceptably low and likely to remain so.
    UnacceptablyLowStandards,
    /// s60(2)(b): serious breakdown in the way the school is managed or governed.
    ManagementOrGovernanceBreakdown,
    /// s60(2)(c): safety of pupils or staff threatened.
    SafetyThreatened,
    /// s60A: failure to comply with the teachers' pay and conditions order (Education Act 2002 s122).
    TeachersPayAndConditions,
}

impl Ground {
    /// Every ground.
    pub const ALL: [Ground; 4] = [
        Self::UnacceptablyLowStandards,
        Self::ManagementOrGovernanceBreakdown,
        Self::SafetyThreatened,
        Self::TeachersPayAndConditions,
    ];

    /// The section of the 2006 Act.
    pub fn section(self) -> WarningNoticeSection {
        match self {
            Self::TeachersPayAndConditions => WarningNoticeSection::S60A,
            _ => WarningNoticeSection::S60,
        }
    }

    /// The citation, e.g. "Education and Inspections Act 2006 s60(2)(a)".
    pub fn citation(self) -> &'static str {
        match self {
            Self::UnacceptablyLowStandards => "Education and Inspections Act 2006 s60(2)(a)",
            Self::ManagementOrGovernanceBreakdown => "Education and Inspections Act 2006 s60(2)(b)",
            Self::SafetyThreatened => "Education and Inspections Act 2006 s60(2)(c)",
            Self::TeachersPayAndConditions => "Education and Inspections Act 2006 s60A",
        }
    }

    /// The ground in the words of the Act.
    pub fn description(self) -> &'static str {
        match self {
            Self::UnacceptablyLowStandards => "the standards of performance of pupils at the school are unacceptably low, and are likely to remain so unless the authority exercise their powers under Part 4 of the Act",
            Self::ManagementOrGovernanceBreakdown => "there has been a serious breakdown in the way the school is managed or governed which is prejudicing, or likely to prejudice, such standards of performance",
            Self::SafetyThreatened => "the safety of pupils or staff of the school is threatened (whether by a breakdown of discipline or otherwise)",
            Self::TeachersPayAndConditions => "the governing body have failed to comply, or to secure that the headteacher complies, with a provision of an order under section 122 of the Education Act 2002 (teachers' pay and conditions) that applies to a teacher at the school",
        }
    }
}

/// A compliance period in working days: never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct CompliancePeriod(u32);

impl CompliancePeriod {
    /// The longest compliance period accepted: a working year. The Act
    /// leaves the period to the notice (set on each notice since the
    /// Education and Adoption Act 2016); a period beyond a year is taken to be
    /// a slip of the keyboard.
    pub const MAX_WORKING_DAYS: u32 = 365;

    /// Refuses zero, and more than [`CompliancePeriod::MAX_WORKING_DAYS`].
    pub fn new(working_days: u32) -> Result<Self, EscalationError> {
        if working_days == 0 {
            Err(EscalationError::ZeroCompliancePeriod)
        } else if working_days > Self::MAX_WORKING_DAYS {
            Err(EscalationError::CompliancePeriodTooLong {
                max: Self::MAX_WORKING_DAYS,
            })
        } else {
            Ok(Self(working_days))
        }
    }

    /// The policy's default (`[deadlines] warning_notice_compliance`).
    pub fn policy_default(policy: &Policy) -> Result<Self, EscalationError> {
        match policy.deadline_working_days("warning_notice_compliance") {
            Some(n) => Self::new(n),
            None => Err(EscalationError::NoPolicyDefault),
        }
    }

    /// Working days.
    pub fn working_days(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for CompliancePeriod {
    type Error = EscalationError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<CompliancePeriod> for u32 {
    fn from(value: CompliancePeriod) -> Self {
        value.0
    }
}

/// The last day of a compliance period: `period` working days after the
/// notice was given (the day of issue never counts; weekends and bank
/// holidays are skipped).
pub fn compliance_end_date(
    calendar: &impl WorkingDayCalendar,
    issued: Date,
    period: CompliancePeriod,
) -> Result<Date, DateOutOfRange> {
    calendar.add_working_days(issued, period.working_days())
}

/// What the authority puts in a warning notice before giving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningNoticeDraft {
    /// The date the notice is given.
    pub issued: Date,
    /// The statutory grounds (all s60, or s60A alone).
    pub grounds: Vec<Ground>,
    /// The concerns, each evidenced.
    pub concerns: Vec<String>,
    /// The action required of the governing body.
    pub required_action: Vec<String>,
    /// The compliance period set on this notice.
    pub compliance_period: CompliancePeriod,
    /// Who gives the notice (the Director of Children's Services).
    pub signed_by: String,
}

/// Whether the school complied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ComplianceOutcome {
    /// Complied to the authority's satisfaction.
    Complied {
        /// When recorded.
        date: Date,
    },
    /// Failed to comply, or to comply to the authority's satisfaction, by the end of the period.
    NotComplied {
        /// When recorded.
        date: Date,
        /// Why.
        reason: Rationale,
    },
}

/// A warning notice as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningNotice {
    /// s60 or s60A.
    pub section: WarningNoticeSection,
    /// The date given.
    pub issued: Date,
    /// Grounds.
    pub grounds: Vec<Ground>,
    /// Concerns.
    pub concerns: Vec<String>,
    /// Required action.
    pub required_action: Vec<String>,
    /// Compliance period.
    pub compliance_period: CompliancePeriod,
    /// The last day of the compliance period (computed in working days).
    pub compliance_end_date: Date,
    /// Signed by.
    pub signed_by: String,
    /// The outcome, once recorded.
    pub outcome: Option<ComplianceOutcome>,
}

impl WarningNotice {
    /// Validates a draft and computes its compliance end date.
    pub fn give(
        draft: WarningNoticeDraft,
        calendar: &impl WorkingDayCalendar,
    ) -> Result<Self, EscalationError> {
        let mut grounds = draft.grounds;
        grounds.sort();
        grounds.dedup();
        let section = match grounds.first() {
            None => return Err(EscalationError::NoGrounds),
            Some(g) => g.section(),
        };
        if grounds.iter().any(|g| g.section() != section) {
            return Err(EscalationError::MixedSections);
        }
        let clean = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let concerns = clean(draft.concerns);
        if concerns.is_empty() {
            return Err(EscalationError::NoConcerns);
        }
        let required_action = clean(draft.required_action);
        if required_action.is_empty() {
            return Err(EscalationError::NoRequiredAction);
        }
        let signed_by = signed(&draft.signed_by)?;
        let compliance_end_date =
            compliance_end_date(calendar, draft.issued, draft.compliance_period)?;
        Ok(Self {
            section,
            issued: draft.issued,
            grounds,
            concerns,
            required_action,
            compliance_period: draft.compliance_period,
            compliance_end_date,
            signed_by,
            outcome: None,
        })
    }

    /// Whether the compliance period has ended unmet as of `as_of`.
    pub fn unmet_after_period(&self, as_of: Date) -> bool {
        matches!(&self.outcome, Some(ComplianceOutcome::NotComplied { date, .. }) if *date > self.compliance_end_date && *date <= as_of)
    }

    /// The policy engine's view of this notice, with the written notice date.
    pub fn to_fact(&self, written_notice: Option<Date>, source: Provenance) -> WarningNoticeFact {
        WarningNoticeFact {
            section: self.section,
            given: self.issued,
            compliance_period_ends: self.compliance_end_date,
            complied: match &self.outcome {
                None => None,
                Some(ComplianceOutcome::Complied { .. }) => Some(true),
                Some(ComplianceOutcome::NotComplied { .. }) => Some(false),
            },
            written_notice_of_proposed_powers: written_notice,
            source,
        }
    }
}

fn signed(name: &str) -> Result<String, EscalationError> {
    let name = name.trim();
    if name.is_empty() {
        Err(EscalationError::NotSignedOff)
    } else {
        Ok(name.to_owned())
    }
}

/// The powers of Part 4 of the 2006 Act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerKind {
    /// s63: require the governing body to enter into arrangements.
    S63Arrangements,
    /// s64: appoint additional governors.
    S64AdditionalGovernors,
    /// s65: replace the governing body with an interim executive board.
    S65InterimExecutiveBoard,
    /// s66: suspend the right to a delegated budget.
    S66SuspendDelegatedBudget,
}

impl PowerKind {
    /// The citation and the power in words.
    pub fn citation(self) -> &'static str {
        match self {
            Self::S63Arrangements => "Education and Inspections Act 2006 s63 (power to require the governing body to enter into arrangements)",
            Self::S64AdditionalGovernors => "Education and Inspections Act 2006 s64 (power to appoint additional governors)",
            Self::S65InterimExecutiveBoard => "Education and Inspections Act 2006 s65 and Schedule 6 (power to provide for the governing body to consist of interim executive members)",
            Self::S66SuspendDelegatedBudget => "Education and Inspections Act 2006 s66 (power to suspend the right to a delegated budget)",
        }
    }
}

/// The arrangements s63 may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrangementKind {
    /// A contract for advisory services with a specified person (who may be another governing body).
    AdvisoryServices,
    /// Collaboration with the governing body of another school.
    CollaborateWithSchool,
    /// Collaboration with a further education body.
    CollaborateWithFurtherEducation,
    /// Steps to create or join a federation.
    Federation,
}

impl ArrangementKind {
    /// Every arrangement with its stored name, in the order of s63(2).
    pub const ALL: [(ArrangementKind, &'static str); 4] = [
        (ArrangementKind::AdvisoryServices, "advisory_services"),
        (
            ArrangementKind::CollaborateWithSchool,
            "collaborate_with_school",
        ),
        (
            ArrangementKind::CollaborateWithFurtherEducation,
            "collaborate_with_further_education",
        ),
        (ArrangementKind::Federation, "federation"),
    ];

    /// An arrangement from its stored name; an unknown name is `None`, never
    /// a default.
    pub fn parse(name: &str) -> Option<ArrangementKind> {
        Self::ALL
            .iter()
            .find(|(_, n)| *n == name.trim())
            .map(|(k, _)| *k)
    }

    /// The stored name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map(|(_, n)| *n)
            .unwrap_or("advisory_services")
    }
}

/// A power with its particulars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "power", rename_all = "snake_case")]
pub enum Power {
    /// s63 arrangements, and with whom.
    S63Arrangements {
        /// Which arrangement.
        arrangement: ArrangementKind,
        /// With whom.
        with_whom: String,
    },
    /// s64 additional governors.
    S64AdditionalGovernors {
        /// The governors appointed.
        governors: Vec<String>,
    },
    /// s65 interim executive board.
    S65InterimExecutiveBoard {
        /// Its members.
        members: Vec<String>,
    },
    /// s66 suspension of the delegated budget.
    S66SuspendDelegatedBudget,
}

impl Power {
    /// A power with its particulars, refused when they are missing: s63
    /// arrangements must say which arrangement and with whom (s63(2)); s64
    /// names the additional governors; an interim executive board has at
    /// least two members (Schedule 6, paragraph 1). Blank names are dropped.
    pub fn new(
        kind: PowerKind,
        arrangement: Option<ArrangementKind>,
        with_whom: &str,
        people: &[String],
    ) -> Result<Power, EscalationError> {
        let people: Vec<String> = people
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        let power = match kind {
            PowerKind::S63Arrangements => Power::S63Arrangements {
                arrangement: arrangement.ok_or(EscalationError::NoArrangement)?,
                with_whom: with_whom.trim().to_owned(),
            },
            PowerKind::S64AdditionalGovernors => {
                Power::S64AdditionalGovernors { governors: people }
            }
            PowerKind::S65InterimExecutiveBoard => {
                Power::S65InterimExecutiveBoard { members: people }
            }
            PowerKind::S66SuspendDelegatedBudget => Power::S66SuspendDelegatedBudget,
        };
        power.check()?;
        Ok(power)
    }

    /// The particulars' rule, the one place it is checked (also when a power
    /// is used).
    pub fn check(&self) -> Result<(), EscalationError> {
        match self {
            Power::S63Arrangements { with_whom, .. } if with_whom.trim().is_empty() => Err(
                EscalationError::InvalidPower("s63 arrangements must say with whom".into()),
            ),
            Power::S64AdditionalGovernors { governors }
                if governors.iter().all(|g| g.trim().is_empty()) =>
            {
                Err(EscalationError::InvalidPower(
                    "s64 needs the additional governors appointed".into(),
                ))
            }
            Power::S65InterimExecutiveBoard { members }
                if members.iter().filter(|m| !m.trim().is_empty()).count() < 2 =>
            {
                Err(EscalationError::InvalidPower(
                    "an interim executive board has at least two members".into(),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Which power.
    pub fn kind(&self) -> PowerKind {
        match self {
            Self::S63Arrangements { .. } => PowerKind::S63Arrangements,
            Self::S64AdditionalGovernors { .. } => PowerKind::S64AdditionalGovernors,
            Self::S65InterimExecutiveBoard { .. } => PowerKind::S65InterimExecutiveBoard,
            Self::S66SuspendDelegatedBudget => PowerKind::S66SuspendDelegatedBudget,
        }
    }
}

/// A power used, dated and signed off by a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerRecord {
    /// The power.
    pub power: Power,
    /// When.
    pub date: Date,
    /// The lead who signed it off.
    pub signed_off_by: String,
}

/// The route by which a school became eligible for intervention (s59).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EligibilityRoute {
    /// s60 warning notice unmet after its compliance period, with written notice (s59(2)).
    UnmetS60Notice,
    /// s60A warning notice unmet, with written notice (s59(3)).
    UnmetS60ANotice,
    /// Coasting (s60B).
    Coasting,
    /// Requires significant improvement, including serious weaknesses (s61).
    RequiresSignificantImprovement,
    /// Special measures (s62).
    SpecialMeasures,
}

impl EligibilityRoute {
    /// The citation.
    pub fn citation(self) -> &'static str {
        match self {
            Self::UnmetS60Notice => "Education and Inspections Act 2006 s59 and s60: warning notice not complied with after its compliance period, and written notice of proposed powers given",
            Self::UnmetS60ANotice => "Education and Inspections Act 2006 s59 and s60A: teachers' pay and conditions warning notice not complied with, and written notice of proposed powers given",
            Self::Coasting => "Education and Inspections Act 2006 s59 and s60B: coasting (definition in force from 17 November 2025)",
            Self::RequiresSignificantImprovement => "Education and Inspections Act 2006 s59 and s61: requires significant improvement",
            Self::SpecialMeasures => "Education and Inspections Act 2006 s59 and s62: special measures",
        }
    }
}

/// Where an escalation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Nothing given yet.
    Open,
    /// A letter of concern sent.
    LetterOfConcern,
    /// A warning notice given, its outcome not yet recorded.
    WarningNoticeGiven,
    /// The school complied with the notice.
    Complied,
    /// The school did not comply by the end of the compliance period.
    NotComplied,
    /// Eligible for intervention (s59).
    EligibleForIntervention,
    /// One or more Part 4 powers in use.
    PowersInUse,
    /// Academy: concern raised with the trust.
    RaisedWithTrust,
    /// Academy: concern raised with the DfE regional director.
    RaisedWithRegionalDirector,
}

/// What can be done to an escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Send a letter of concern.
    SendLetterOfConcern,
    /// Give a warning notice.
    GiveWarningNotice,
    /// Record that the school complied.
    RecordComplied,
    /// Record that the school did not comply.
    RecordNotComplied,
    /// Give written notice of proposed powers.
    GiveWrittenNotice,
    /// Record eligibility through a category of concern or coasting.
    RecordCategoryRoute,
    /// Use a Part 4 power.
    UsePower,
    /// Raise a concern with an academy trust.
    RaiseWithTrust,
    /// Raise a concern with the DfE regional director.
    RaiseWithRegionalDirector,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 9] = [
        Self::SendLetterOfConcern,
        Self::GiveWarningNotice,
        Self::RecordComplied,
        Self::RecordNotComplied,
        Self::GiveWrittenNotice,
        Self::RecordCategoryRoute,
        Self::UsePower,
        Self::RaiseWithTrust,
        Self::RaiseWithRegionalDirector,
    ];

    fn is_local_authority_power(self) -> bool {
        matches!(
            self,
            Self::GiveWarningNotice
                | Self::RecordComplied
                | Self::RecordNotComplied
                | Self::GiveWrittenNotice
                | Self::RecordCategoryRoute
                | Self::UsePower
        )
    }
}

/// Why an escalation step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscalationError {
    /// Not allowed from this stage.
    #[error("{reason}")]
    IllegalTransition {
        /// The stage.
        from: Stage,
        /// The action.
        action: Action,
        /// Why.
        reason: String,
    },
    /// Academies: no local-authority powers.
    /// (Barnet Part B, C b) Academies.)
    #[error("no local-authority powers for an academy: the warning notice and intervention powers of Part 4 of the Education and Inspections Act 2006 apply to maintained schools; raise the concern with the academy trust and then with the DfE regional director")]
    AcademyNoLocalAuthorityPowers {
        /// What was attempted.
        action: Action,
    },
    /// Escalation is for maintained schools and academies.
    #[error("escalation applies to maintained schools and academies, not to this establishment")]
    NotApplicable,
    /// No grounds.
    #[error("a warning notice needs at least one statutory ground: s60(2)(a) low standards, s60(2)(b) breakdown of management or governance, s60(2)(c) safety threatened, or s60A pay and conditions")]
    NoGrounds,
    /// s60 and s60A together.
    #[error("give s60 and s60A warning notices separately: they are different powers with different grounds")]
    MixedSections,
    /// No concerns.
    #[error("a warning notice must set out the concerns")]
    NoConcerns,
    /// No required action.
    #[error("a warning notice must set out the action the governing body must take")]
    NoRequiredAction,
    /// Zero compliance period.
    #[error("a compliance period of zero working days is refused: the notice must give the governing body time to comply (set on each notice since the Education and Adoption Act 2016)")]
    ZeroCompliancePeriod,
    /// A compliance period over the limit.
    #[error("the compliance period must be at most {max} working days")]
    CompliancePeriodTooLong {
        /// The limit.
        max: u32,
    },
    /// s63 without the kind of arrangement.
    #[error("select the arrangement the governing body must enter into (s63)")]
    NoArrangement,
    /// The policy has no default.
    #[error("the policy sets no `warning_notice_compliance` deadline; set the compliance period on the notice")]
    NoPolicyDefault,
    /// Recorded as not complied before the period ended.
    #[error("the compliance period runs to {ends}; failure to comply can only be recorded after it ends (s59: the school has failed to comply within the compliance period)")]
    ComplianceNotEnded {
        /// The last day of the period.
        ends: Date,
    },
    /// Not signed off.
    #[error("each step must be signed off by a named lead")]
    NotSignedOff,
    /// A date out of order.
    #[error("{date} is before the escalation's last step on {last}")]
    OutOfOrder {
        /// The date given.
        date: Date,
        /// The last step's date.
        last: Date,
    },
    /// A power that was not in the written notice.
    #[error("{power:?} was not among the powers proposed in the written notice; give a further written notice first")]
    PowerNotProposed {
        /// The power.
        power: PowerKind,
    },
    /// Bad particulars for a power.
    #[error("{0}")]
    InvalidPower(String),
    /// Category route that is not one.
    #[error("warning-notice routes are recorded through the notice, its outcome and the written notice, not directly")]
    NotACategoryRoute,
    /// Missing text.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A date could not be computed.
    #[error("{0}")]
    Date(#[from] DateOutOfRange),
}

impl EscalationError {
    /// The input a refusal concerns, by the use cases' field names:
    /// `grounds`, `concerns`, `required_action`, `compliance_days`, `power`,
    /// `arrangement`, `people`, `route`, `on` (the step's date), or `step`
    /// (the step itself does not fit the case).
    pub fn field(&self) -> &'static str {
        match self {
            Self::NoGrounds | Self::MixedSections => "grounds",
            Self::NoConcerns => "concerns",
            Self::NoRequiredAction => "required_action",
            Self::ZeroCompliancePeriod
            | Self::CompliancePeriodTooLong { .. }
            | Self::NoPolicyDefault => "compliance_days",
            Self::NoArrangement => "arrangement",
            Self::InvalidPower(m) if m.contains("with whom") => "with_whom",
            Self::InvalidPower(_) => "people",
            Self::PowerNotProposed { .. } => "power",
            Self::NotACategoryRoute => "route",
            Self::ComplianceNotEnded { .. } | Self::OutOfOrder { .. } | Self::Date(_) => "on",
            Self::Empty(_) => "concerns",
            Self::IllegalTransition { .. }
            | Self::AcademyNoLocalAuthorityPowers { .. }
            | Self::NotApplicable
            | Self::NotSignedOff => "step",
        }
    }
}

/// The allowed transitions: the stage after `action` from `from`, or why not.
pub fn transition(
    governance: Governance,
    from: Stage,
    action: Action,
) -> Result<Stage, EscalationError> {
    use Action as A;
    use Stage as S;
    let illegal = |reason: &str| EscalationError::IllegalTransition {
        from,
        action,
        reason: reason.into(),
    };
    match governance {
        Governance::Maintained => {}
        Governance::Academy => {
            if action.is_local_authority_power() {
                return Err(EscalationError::AcademyNoLocalAuthorityPowers { action });
            }
            return match (from, action) {
                (S::Open | S::RaisedWithTrust, A::RaiseWithTrust | A::SendLetterOfConcern) => {
                    Ok(S::RaisedWithTrust)
                }
                (S::RaisedWithTrust | S::RaisedWithRegionalDirector, A::RaiseWithRegionalDirector) => {
                    Ok(S::RaisedWithRegionalDirector)
                }
                (S::Open, A::RaiseWithRegionalDirector) => Err(illegal("raise the concern with the academy trust first; the council informs the trust before contacting the regional director")),
                _ => Err(illegal("not a step for an academy at this stage")),
            };
        }
        Governance::Independent | Governance::Other => return Err(EscalationError::NotApplicable),
    }
    match (from, action) {
        (_, A::RaiseWithTrust | A::RaiseWithRegionalDirector) => Err(illegal(
            "trust and regional-director concerns are the academy route; a maintained school is the authority's to address",
        )),
        (S::Open | S::LetterOfConcern | S::Complied, A::SendLetterOfConcern) => Ok(S::LetterOfConcern),
        (S::Open | S::LetterOfConcern | S::Complied, A::GiveWarningNotice) => Ok(S::WarningNoticeGiven),
        (S::WarningNoticeGiven, A::RecordComplied) => Ok(S::Complied),
        (S::WarningNoticeGiven, A::RecordNotComplied) => Ok(S::NotComplied),
        (S::NotComplied, A::GiveWrittenNotice) => Ok(S::EligibleForIntervention),
        (S::PowersInUse, A::RecordCategoryRoute) => Ok(S::PowersInUse),
        (_, A::RecordCategoryRoute) => Ok(S::EligibleForIntervention),
        (S::EligibleForIntervention | S::PowersInUse, A::UsePower) => Ok(S::PowersInUse),
        (_, A::UsePower) => Err(illegal("the school is not eligible for intervention (s59): a warning notice must be unmet after its compliance period with written notice given, or the school must be in a category of concern or coasting")),
        (_, A::GiveWrittenNotice) => Err(illegal("written notice of proposed powers follows a warning notice not complied with after its compliance period (s59(2), s59(3))")),
        (_, A::RecordComplied | A::RecordNotComplied) => Err(illegal("there is no warning notice awaiting its outcome")),
        (S::WarningNoticeGiven, A::GiveWarningNotice | A::SendLetterOfConcern) => Err(illegal("a warning notice is in force; record its outcome first")),
        (S::NotComplied, _) => Err(illegal("the notice was not complied with; give written notice of proposed powers")),
        (S::EligibleForIntervention | S::PowersInUse, _) => Err(illegal("the school is already eligible for intervention")),
        _ => Err(illegal("not allowed at this stage")),
    }
}

/// One dated step in an escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    /// When.
    pub date: Date,
    /// What.
    pub action: Action,
    /// The stage after it.
    pub stage: Stage,
    /// In words.
    pub summary: String,
}

/// Written notice that the authority proposes to use Part 4 powers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenNotice {
    /// When.
    pub date: Date,
    /// The powers proposed.
    pub proposed: Vec<PowerKind>,
    /// Signed by.
    pub signed_by: String,
}

/// A school's escalation: every notice, outcome, notice of proposed powers,
/// eligibility route and power used, and the stage they have reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    governance: Governance,
    stage: Stage,
    notices: Vec<WarningNotice>,
    written_notices: Vec<WrittenNotice>,
    routes: Vec<(EligibilityRoute, Date, Rationale)>,
    powers: Vec<PowerRecord>,
    steps: Vec<EscalationStep>,
}

impl Escalation {
    /// A fresh escalation for a school.
    pub fn new(governance: Governance) -> Self {
        Self {
            governance,
            stage: Stage::Open,
            notices: Vec::new(),
            written_notices: Vec::new(),
            routes: Vec::new(),
            powers: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// The stage.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// Warning notices, oldest first.
    pub fn notices(&self) -> &[WarningNotice] {
        &self.notices
    }

    /// Written notices of proposed powers.
    pub fn written_notices(&self) -> &[WrittenNotice] {
        &self.written_notices
    }

    /// Powers used.
    pub fn powers(&self) -> &[PowerRecord] {
        &self.powers
    }

    /// Every step, oldest first.
    pub fn steps(&self) -> &[EscalationStep] {
        &self.steps
    }

    /// The routes by which the school is eligible for intervention, with
    /// their date and reason.
    pub fn eligibility(&self) -> Vec<(EligibilityRoute, Date, String)> {
        let mut out = Vec::new();
        for w in &self.written_notices {
            for n in &self.notices {
                if n.unmet_after_period(w.date) && w.date >= n.issued {
                    let route = match n.section {
                        WarningNoticeSection::S60 => EligibilityRoute::UnmetS60Notice,
                        WarningNoticeSection::S60A => EligibilityRoute::UnmetS60ANotice,
                    };
                    out.push((route, w.date, format!("the warning notice of {} was not complied with by {} and written notice of proposed powers was given on {} ({})", n.issued, n.compliance_end_date, w.date, route.citation())));
                }
            }
        }
        for (route, date, why) in &self.routes {
            out.push((
                *route,
                *date,
                format!("{} ({})", why.as_str(), route.citation()),
            ));
        }
        out
    }

    /// Whether the school is eligible for intervention now.
    pub fn is_eligible(&self) -> bool {
        matches!(
            self.stage,
            Stage::EligibleForIntervention | Stage::PowersInUse
        )
    }

    fn step(&mut self, date: Date, action: Action, summary: String) -> Result<(), EscalationError> {
        let next = transition(self.governance, self.stage, action)?;
        if let Some(last) = self.steps.last() {
            if date < last.date {
                return Err(EscalationError::OutOfOrder {
                    date,
                    last: last.date,
                });
            }
        }
        self.stage = next;
        self.steps.push(EscalationStep {
            date,
            action,
            stage: next,
            summary,
        });
        Ok(())
    }

    fn check(&self, date: Date, action: Action) -> Result<(), EscalationError> {
        transition(self.governance, self.stage, action)?;
        match self.steps.last() {
            Some(last) if date < last.date => Err(EscalationError::OutOfOrder {
                date,
                last: last.date,
            }),
            _ => Ok(()),
        }
    }

    /// Sends a letter of concern (for an academy: raises the concern with the trust).
    pub fn send_letter_of_concern(
        &mut self,
        date: Date,
        concerns: &str,
    ) -> Result<(), EscalationError> {
        if concerns.trim().is_empty() {
            return Err(EscalationError::Empty("the concerns"));
        }
        self.step(
            date,
            Action::SendLetterOfConcern,
            format!("Letter of concern: {}", concerns.trim()),
        )
    }

    /// Gives a warning notice, computing its compliance end date.
    pub fn give_warning_notice(
        &mut self,
        draft: WarningNoticeDraft,
        calendar: &impl WorkingDayCalendar,
    ) -> Result<&WarningNotice, EscalationError> {
        self.check(draft.issued, Action::GiveWarningNotice)?;
        let notice = WarningNotice::give(draft, calendar)?;
        let cites: Vec<&str> = notice.grounds.iter().map(|g| g.citation()).collect();
        self.step(
            notice.issued,
            Action::GiveWarningNotice,
            format!(
                "Warning notice given under {}; compliance period {} working days, ending {}",
                cites.join(", "),
                notice.compliance_period.working_days(),
                notice.compliance_end_date
            ),
        )?;
        self.notices.push(notice);
        let last = self.notices.len() - 1;
        Ok(&self.notices[last])
    }

    fn open_notice(&self) -> Result<&WarningNotice, EscalationError> {
        self.notices
            .last()
            .ok_or(EscalationError::IllegalTransition {
                from: self.stage,
                action: Action::RecordComplied,
                reason: "there is no warning notice".into(),
            })
    }

    /// Records that the school complied with the open notice.
    pub fn record_complied(&mut self, date: Date) -> Result<(), EscalationError> {
        self.check(date, Action::RecordComplied)?;
        let issued = self.open_notice()?.issued;
        if date < issued {
            return Err(EscalationError::OutOfOrder { date, last: issued });
        }
        self.step(
            date,
            Action::RecordComplied,
            "The school complied with the warning notice".into(),
        )?;
        if let Some(n) = self.notices.last_mut() {
            n.outcome = Some(ComplianceOutcome::Complied { date });
        }
        Ok(())
    }

    /// Records that the school did not comply; only after the compliance period has ended.
    pub fn record_not_complied(&mut self, date: Date, reason: &str) -> Result<(), EscalationError> {
        self.check(date, Action::RecordNotComplied)?;
        let reason = Rationale::new(reason).map_err(|_| EscalationError::Empty("the reason"))?;
        let ends = self.open_notice()?.compliance_end_date;
        if date <= ends {
            return Err(EscalationError::ComplianceNotEnded { ends });
        }
        self.step(
            date,
            Action::RecordNotComplied,
            format!(
                "The school did not comply with the warning notice by {ends}: {}",
                reason.as_str()
            ),
        )?;
        if let Some(n) = self.notices.last_mut() {
            n.outcome = Some(ComplianceOutcome::NotComplied { date, reason });
        }
        Ok(())
    }

    /// Gives written notice of the powers the authority proposes to use;
    /// the school becomes eligible for intervention (s59(2)/(3)).
    pub fn give_written_notice(
        &mut self,
        date: Date,
        proposed: Vec<PowerKind>,
        signed_by: &str,
    ) -> Result<(), EscalationError> {
        self.check(date, Action::GiveWrittenNotice)?;
        let signed_by = signed(signed_by)?;
        let mut proposed = proposed;
        proposed.sort();
        proposed.dedup();
        if proposed.is_empty() {
            return Err(EscalationError::Empty("the powers proposed"));
        }
        self.step(
            date,
            Action::GiveWrittenNotice,
            format!(
                "Written notice of proposed powers ({:?}); eligible for intervention under s59",
                proposed
            ),
        )?;
        self.written_notices.push(WrittenNotice {
            date,
            proposed,
            signed_by,
        });
        Ok(())
    }

    /// Records eligibility through a category of concern (s61, s62) or coasting (s60B).
    pub fn record_category_route(
        &mut self,
        date: Date,
        route: EligibilityRoute,
        evidence: &str,
    ) -> Result<(), EscalationError> {
        if matches!(
            route,
            EligibilityRoute::UnmetS60Notice | EligibilityRoute::UnmetS60ANotice
        ) {
            return Err(EscalationError::NotACategoryRoute);
        }
        self.check(date, Action::RecordCategoryRoute)?;
        let evidence =
            Rationale::new(evidence).map_err(|_| EscalationError::Empty("the evidence"))?;
        self.step(
            date,
            Action::RecordCategoryRoute,
            format!("Eligible for intervention: {}", route.citation()),
        )?;
        self.routes.push((route, date, evidence));
        Ok(())
    }

    /// Uses a Part 4 power, dated and signed off by a lead.
    pub fn use_power(
        &mut self,
        date: Date,
        power: Power,
        signed_off_by: &str,
    ) -> Result<(), EscalationError> {
        self.check(date, Action::UsePower)?;
        let signed_off_by = signed(signed_off_by)?;
        let kind = power.kind();
        power.check()?;
        if matches!(power, Power::S64AdditionalGovernors { .. })
            && self
                .powers
                .iter()
                .any(|p| p.power.kind() == PowerKind::S65InterimExecutiveBoard)
        {
            return Err(EscalationError::InvalidPower("an interim executive board has replaced the governing body (s65), so additional governors (s64) cannot be appointed".into()));
        }
        let category_route = !self.routes.is_empty();
        if !category_route
            && !self
                .written_notices
                .iter()
                .any(|w| w.proposed.contains(&kind))
        {
            return Err(EscalationError::PowerNotProposed { power: kind });
        }
        self.step(
            date,
            Action::UsePower,
            format!("{} used, signed off by {signed_off_by}", kind.citation()),
        )?;
        self.powers.push(PowerRecord {
            power,
            date,
            signed_off_by,
        });
        Ok(())
    }

    /// Academy: raises a concern with the trust.
    pub fn raise_with_trust(&mut self, date: Date, concerns: &str) -> Result<(), EscalationError> {
        if concerns.trim().is_empty() {
            return Err(EscalationError::Empty("the concerns"));
        }
        self.step(
            date,
            Action::RaiseWithTrust,
            format!("Concern raised with the academy trust: {}", concerns.trim()),
        )
    }

    /// Academy: raises a concern with the DfE regional director (after the trust).
    pub fn raise_with_regional_director(
        &mut self,
        date: Date,
        concerns: &str,
    ) -> Result<(), EscalationError> {
        if concerns.trim().is_empty() {
            return Err(EscalationError::Empty("the concerns"));
        }
        self.step(
            date,
            Action::RaiseWithRegionalDirector,
            format!(
                "Concern raised with the DfE regional director: {}",
                concerns.trim()
            ),
        )
    }
}

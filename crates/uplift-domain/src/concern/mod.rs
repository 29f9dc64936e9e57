//! Schools causing concern (issue 6): the case and its decisions, escalation
//! and statutory intervention, the School Performance Board protocol,
//! meetings and agendas, action plans, and letter templates. Pure: no I/O.
//!
//! Every rule explains itself with a reason citing the statute or the seed
//! it follows. Deadlines are counted with [`crate::calendar`].
//!
//! * [`removal`]: [`can_remove`] — the inspection rule for leaving the list.
//! * [`case`]: [`Case`] (designate → Lead Officer → reviews → removal),
//!   [`Decision`] with a non-empty [`Rationale`], [`consequences`].
//! * [`escalation`]: [`Escalation`], [`transition`], [`WarningNotice`],
//!   [`compliance_end_date`], powers s63–s66, the academy route.
//! * [`spb`]: [`SpbProtocol`] and its deadlines.
//! * [`meetings`]: [`MeetingKind`], [`schedule`], [`build_agenda`].
//! * [`plan`]: [`Plan`] with immutable versions.
//! * [`letters`]: [`Template`], [`LetterKind`], [`LetterContext`].

pub mod case;
pub mod escalation;
pub mod letters;
pub mod meetings;
pub mod plan;
pub mod removal;
pub mod spb;

pub use case::{
    consequences, Case, CaseEvent, CaseState, Decision, DecisionError, DecisionKind, FollowUp,
    FollowUpDeadlines, ListChange, OwnerRole, Rationale, ACADEMY_NO_WARNING_NOTICE,
};
pub use escalation::{
    compliance_end_date, transition, Action, ArrangementKind, ComplianceOutcome, CompliancePeriod,
    EligibilityRoute, Escalation, EscalationError, EscalationStep, Ground, Power, PowerKind,
    PowerRecord, Stage, WarningNotice, WarningNoticeDraft, WrittenNotice,
};
pub use letters::{
    long_date, LetterContext, LetterKind, RenderError, Segment, Template, TemplateError,
};
pub use meetings::{
    build_agenda, check_meeting_date, schedule, Agenda, AgendaCase, AgendaItem, AgendaProposal,
    AgendaSection, Cadence, MeetingKind, MeetingWarning, OpenDeadline, Schedule,
    SchedulePreference, ScheduledMeeting,
};
pub use plan::{
    Milestone, MonitoringAndChallengeRecord, OwnerKind, Plan, PlanContent, PlanError, PlanKind,
    PlanVersion, Priority, ReviewCadence, ReviewJudgement,
};
pub use removal::{
    can_remove, report_card_category, standing, Blocked, CaseFacts, ReportCardEquivalent, Standing,
};
pub use spb::{SpbDeadlines, SpbError, SpbProtocol, SpbRoute, SpbStep, StepState, StepStatus};

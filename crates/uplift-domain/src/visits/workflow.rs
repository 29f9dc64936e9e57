//! The visit and note-of-visit workflow (rule 3).
//!
//! ```text
//! Planned → SelfEvaluationRequested → SelfEvaluationCompleted (by the school)
//!   → SelfEvaluationReviewed (by the adviser) → Held → NoteDrafted
//!   → SentToHeadteacher → HeadteacherResponded (accurate | comments | no response)
//!   → SharedWithChair → Final (locked; later changes are addenda)
//! ```
//!
//! Seed 003 (Barnet), Part B: "School leaders are asked to complete a SEV
//! form prior to the visit. This is evaluated by the LNI/BSIP prior to the
//! visit" and "'Notes of visit' are agreed with the Headteacher. For
//! maintained schools, the Headteacher is required to share the report with
//! their Governing Bodies." The headteacher has a set number of working days
//! ([`Visit::response_working_days`]) to respond; after the due date the
//! adviser may record "no response" and the note proceeds.
//!
//! Every transition takes the [`Actor`]: the visit's adviser (or a lead)
//! drives it; only the headteacher *of the visit's school* completes the
//! self-evaluation form and responds to the note.

use super::note::{NoteOfVisit, NoteOfVisitForm};
use super::{FieldError, VisitType};
use crate::calendar::{AcademicYear, DateOutOfRange, TermDates, WorkingDayCalendar};
use crate::register::Urn;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Working days the headteacher has to respond when the organisation sets none.
pub const DEFAULT_RESPONSE_WORKING_DAYS: u32 = 10;

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user's id.
    pub user_id: String,
    /// In which capacity.
    pub role: ActorRole,
}

/// The capacity an actor acts in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "role")]
pub enum ActorRole {
    /// An adviser, by adviser id.
    Adviser {
        /// Adviser id.
        adviser_id: String,
    },
    /// The headteacher of one school.
    Headteacher {
        /// The school.
        urn: Urn,
    },
    /// The chair of governors of one school.
    ChairOfGovernors {
        /// The school.
        urn: Urn,
    },
    /// Head of School Improvement: may act for any adviser.
    Lead,
    /// A QA reviewer (panel role): no part in the workflow.
    QaReviewer,
}

impl fmt::Display for ActorRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActorRole::Adviser { adviser_id } => write!(f, "adviser {adviser_id}"),
            ActorRole::Headteacher { urn } => write!(f, "headteacher of URN {urn}"),
            ActorRole::ChairOfGovernors { urn } => write!(f, "chair of governors of URN {urn}"),
            ActorRole::Lead => f.write_str("lead"),
            ActorRole::QaReviewer => f.write_str("QA reviewer"),
        }
    }
}

/// Where a visit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Planned.
    Planned,
    /// The pre-visit self-evaluation form has been asked for.
    SelfEvaluationRequested,
    /// The school has completed it.
    SelfEvaluationCompleted,
    /// The adviser has reviewed it.
    SelfEvaluationReviewed,
    /// The visit took place.
    Held,
    /// The note is being drafted.
    NoteDrafted,
    /// Sent to the headteacher, awaiting a response.
    SentToHeadteacher,
    /// The headteacher marked it accurate or commented, or no response was recorded.
    HeadteacherResponded,
    /// Shared with the chair of governors.
    SharedWithChair,
    /// Final and locked.
    Final,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Planned => "planned",
            Stage::SelfEvaluationRequested => "self-evaluation form requested",
            Stage::SelfEvaluationCompleted => "self-evaluation form completed by the school",
            Stage::SelfEvaluationReviewed => "self-evaluation form reviewed by the adviser",
            Stage::Held => "visit held",
            Stage::NoteDrafted => "note drafted",
            Stage::SentToHeadteacher => "sent to the headteacher",
            Stage::HeadteacherResponded => "headteacher responded",
            Stage::SharedWithChair => "shared with the chair of governors",
            Stage::Final => "final",
        })
    }
}

/// What to plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitPlan {
    /// The visit's id (stable: the calendar UID is built from it).
    pub visit_id: String,
    /// The school.
    pub urn: Urn,
    /// The adviser who will visit.
    pub adviser_id: String,
    /// The type.
    pub visit_type: VisitType,
    /// The date.
    pub date: Date,
    /// Start time, if set.
    pub start: Option<Time>,
    /// End time, if set.
    pub end: Option<Time>,
    /// Focus.
    pub focus: String,
    /// Who will attend.
    pub attendees: Vec<String>,
}

/// The headteacher's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum HeadResponse {
    /// Marked accurate.
    Accurate {
        /// When.
        on: Date,
    },
    /// Responded with comments.
    Comments {
        /// When.
        on: Date,
        /// The comments.
        comments: String,
    },
    /// No response by the due date; recorded by the adviser.
    NoResponse {
        /// When it was recorded.
        recorded_on: Date,
        /// The due date that passed.
        due: Date,
    },
}

/// Something that happens to a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum VisitAction {
    /// Adviser: ask the school for the pre-visit self-evaluation form.
    RequestSelfEvaluation,
    /// Headteacher: complete it.
    CompleteSelfEvaluation {
        /// The school's self-evaluation.
        content: String,
    },
    /// Adviser: review it.
    ReviewSelfEvaluation {
        /// The adviser's comments.
        comments: String,
    },
    /// Adviser: record that the visit took place.
    RecordHeld {
        /// The day it took place.
        date: Date,
    },
    /// Adviser: write or rewrite the draft note.
    DraftNote {
        /// The note as posted.
        note: Box<NoteOfVisitForm>,
    },
    /// Adviser: send the note to the headteacher.
    SendToHeadteacher,
    /// Headteacher: the note is accurate.
    MarkAccurate,
    /// Headteacher: respond with comments.
    RespondWithComments {
        /// The comments.
        comments: String,
    },
    /// Adviser: the response window passed without a response.
    RecordNoResponse,
    /// Headteacher or adviser: share with the chair of governors.
    ShareWithChair,
    /// Adviser: make the note final (locked).
    Finalise,
    /// Adviser: add an addendum to a final note.
    AddAddendum {
        /// The addendum.
        text: String,
    },
}

impl VisitAction {
    /// A short name.
    pub fn name(&self) -> &'static str {
        match self {
            VisitAction::RequestSelfEvaluation => "request the self-evaluation form",
            VisitAction::CompleteSelfEvaluation { .. } => "complete the self-evaluation form",
            VisitAction::ReviewSelfEvaluation { .. } => "review the self-evaluation form",
            VisitAction::RecordHeld { .. } => "record the visit as held",
            VisitAction::DraftNote { .. } => "draft the note",
            VisitAction::SendToHeadteacher => "send the note to the headteacher",
            VisitAction::MarkAccurate => "mark the note accurate",
            VisitAction::RespondWithComments { .. } => "respond with comments",
            VisitAction::RecordNoResponse => "record no response",
            VisitAction::ShareWithChair => "share with the chair of governors",
            VisitAction::Finalise => "make the note final",
            VisitAction::AddAddendum { .. } => "add an addendum",
        }
    }
}

/// Why an action was refused. Nothing changes when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// A visit planned for a date already past.
    #[error("the visit date {date} is in the past (today is {today}): a planned visit must be today or later")]
    DateInPast {
        /// The date given.
        date: Date,
        /// Today.
        today: Date,
    },
    /// A date outside the academic year the visit is planned in.
    #[error("{date} is outside the academic year {year} ({} to {})", year.first_day(), year.last_day())]
    OutsideAcademicYear {
        /// The date given.
        date: Date,
        /// The year.
        year: AcademicYear,
    },
    /// Not a term-time working day.
    #[error("{date} is not a term-time working day: {why}")]
    NotATermTimeWorkingDay {
        /// The date given.
        date: Date,
        /// Weekend, bank holiday or school holiday.
        why: String,
    },
    /// A visit recorded as held on a future date.
    #[error("a visit cannot be recorded as held on {date}, after today ({today})")]
    HeldInFuture {
        /// The date given.
        date: Date,
        /// Today.
        today: Date,
    },
    /// The plan's fields are wrong.
    #[error("the plan has errors: {}", join(.0))]
    InvalidPlan(Vec<FieldError>),
    /// The note's fields are wrong (a judgement outside the scale, ...).
    #[error("the note has errors: {}", join(.0))]
    InvalidNote(Vec<FieldError>),
    /// A required text was empty.
    #[error("{field}: {message}")]
    Missing {
        /// The field.
        field: String,
        /// The message.
        message: String,
    },
    /// The action is not possible at this stage.
    #[error("cannot {action} when the visit is {stage}")]
    IllegalTransition {
        /// The stage.
        stage: Stage,
        /// The action.
        action: &'static str,
    },
    /// The note is final: only addenda may be added.
    #[error("the note of visit is final and locked: add an addendum instead")]
    NoteLocked,
    /// The actor's role may not take this action.
    #[error("{actor} may not {action}")]
    NotPermitted {
        /// The actor's role.
        actor: String,
        /// The action.
        action: &'static str,
    },
    /// A school user acting on another school's visit.
    #[error("this visit belongs to URN {visit}, not to the actor's school URN {actor}")]
    WrongSchool {
        /// The actor's school.
        actor: Urn,
        /// The visit's school.
        visit: Urn,
    },
    /// An adviser acting on another adviser's visit.
    #[error("this visit belongs to adviser {owner}, not {actor}")]
    NotTheVisitsAdviser {
        /// The actor.
        actor: String,
        /// The visit's adviser.
        owner: String,
    },
    /// "No response" recorded before the response window closed.
    #[error("the headteacher has until {due} to respond; no response can be recorded after that")]
    ResponseWindowOpen {
        /// The due date.
        due: Date,
    },
    /// The working-day calendar does not reach the date.
    #[error("{0}")]
    Calendar(String),
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<DateOutOfRange> for WorkflowError {
    fn from(e: DateOutOfRange) -> Self {
        WorkflowError::Calendar(e.to_string())
    }
}

impl WorkflowError {
    /// The error as field errors for a GOV.UK error summary.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            WorkflowError::InvalidPlan(e) | WorkflowError::InvalidNote(e) => e.clone(),
            WorkflowError::DateInPast { .. }
            | WorkflowError::OutsideAcademicYear { .. }
            | WorkflowError::NotATermTimeWorkingDay { .. }
            | WorkflowError::HeldInFuture { .. } => vec![FieldError::new("date", self.to_string())],
            WorkflowError::Missing { field, message } => {
                vec![FieldError::new(field.clone(), message.clone())]
            }
            other => vec![FieldError::new("", other.to_string())],
        }
    }
}

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Stage before.
    pub from: Stage,
    /// Stage after.
    pub to: Stage,
    /// When.
    pub on: Date,
    /// Who (user id).
    pub by: String,
    /// What happened.
    pub what: String,
}

/// An addendum to a final note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addendum {
    /// When.
    pub on: Date,
    /// Who (user id).
    pub by: String,
    /// The text.
    pub text: String,
}

/// A visit and its note of visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// What was planned.
    pub plan: VisitPlan,
    /// The academic year it is planned in.
    pub academic_year: AcademicYear,
    /// Where it is.
    pub stage: Stage,
    /// Working days the headteacher has to respond.
    pub response_working_days: u32,
    /// The school's self-evaluation.
    pub self_evaluation: Option<String>,
    /// The adviser's review of it.
    pub self_evaluation_review: Option<String>,
    /// When it took place.
    pub held_on: Option<Date>,
    /// The note.
    pub note: Option<NoteOfVisit>,
    /// When the note was sent to the headteacher.
    pub sent_on: Option<Date>,
    /// The last day for the headteacher's response.
    pub response_due: Option<Date>,
    /// The response.
    pub response: Option<HeadResponse>,
    /// When shared with the chair.
    pub shared_on: Option<Date>,
    /// When made final.
    pub finalised_on: Option<Date>,
    /// Addenda to the final note.
    pub addenda: Vec<Addendum>,
    /// Every step.
    pub history: Vec<Transition>,
}

fn check_date(
    date: Date,
    terms: &TermDates,
    calendar: &impl WorkingDayCalendar,
) -> Result<(), WorkflowError> {
    let year = terms.academic_year();
    if !year.contains(date) {
        return Err(WorkflowError::OutsideAcademicYear { date, year });
    }
    if crate::calendar::is_weekend(date) {
        return Err(WorkflowError::NotATermTimeWorkingDay {
            date,
            why: "it is a weekend".into(),
        });
    }
    if calendar.is_holiday(date) {
        return Err(WorkflowError::NotATermTimeWorkingDay {
            date,
            why: "it is a bank holiday".into(),
        });
    }
    if !terms.is_term_time(date) {
        return Err(WorkflowError::NotATermTimeWorkingDay {
            date,
            why: "it is in a school holiday".into(),
        });
    }
    Ok(())
}

impl Visit {
    /// Plans a visit in the academic year of `terms`, on `today`.
    ///
    /// Refuses a date before today, outside the academic year, at a weekend,
    /// on a bank holiday or in a school holiday; an empty focus or adviser;
    /// an end time not after the start time.
    pub fn plan(
        plan: VisitPlan,
        terms: &TermDates,
        calendar: &impl WorkingDayCalendar,
        today: Date,
        actor: &Actor,
        response_working_days: u32,
    ) -> Result<Visit, WorkflowError> {
        let mut errors = Vec::new();
        if plan.visit_id.trim().is_empty() {
            errors.push(FieldError::new("visit_id", "The visit needs an id"));
        }
        if plan.adviser_id.trim().is_empty() {
            errors.push(FieldError::new("adviser_id", "Select the adviser"));
        }
        if plan.focus.trim().is_empty() {
            errors.push(FieldError::new("focus", "Enter the focus of the visit"));
        }
        if let (Some(s), Some(e)) = (plan.start, plan.end) {
            if e <= s {
                errors.push(FieldError::new(
                    "end",
                    "The end time must be after the start time",
                ));
            }
        }
        if plan.end.is_some() && plan.start.is_none() {
            errors.push(FieldError::new(
                "start",
                "Enter a start time as well as an end time",
            ));
        }
        if !errors.is_empty() {
            return Err(WorkflowError::InvalidPlan(errors));
        }
        match &actor.role {
            ActorRole::Lead => {}
            ActorRole::Adviser { adviser_id } if *adviser_id == plan.adviser_id => {}
            ActorRole::Adviser { adviser_id } => {
                return Err(WorkflowError::NotTheVisitsAdviser {
                    actor: adviser_id.clone(),
                    owner: plan.adviser_id.clone(),
                })
            }
            other => {
                return Err(WorkflowError::NotPermitted {
                    actor: other.to_string(),
                    action: "plan a visit",
                })
            }
        }
        if plan.date < today {
            return Err(WorkflowError::DateInPast {
                date: plan.date,
                today,
            });
        }
        check_date(plan.date, terms, calendar)?;
        Ok(Visit {
            academic_year: terms.academic_year(),
            stage: Stage::Planned,
            response_working_days,
            self_evaluation: None,
            self_evaluation_review: None,
            held_on: None,
            note: None,
            sent_on: None,
            response_due: None,
            response: None,
            shared_on: None,
            finalised_on: None,
            addenda: Vec::new(),
            history: vec![Transition {
                from: Stage::Planned,
                to: Stage::Planned,
                on: today,
                by: actor.user_id.clone(),
                what: format!("planned a {} on {}", plan.visit_type.label(), plan.date),
            }],
            plan,
        })
    }

    fn require_adviser(&self, actor: &Actor, action: &'static str) -> Result<(), WorkflowError> {
        match &actor.role {
            ActorRole::Lead => Ok(()),
            ActorRole::Adviser { adviser_id } if *adviser_id == self.plan.adviser_id => Ok(()),
            ActorRole::Adviser { adviser_id } => Err(WorkflowError::NotTheVisitsAdviser {
                actor: adviser_id.clone(),
                owner: self.plan.adviser_id.clone(),
            }),
            ActorRole::Headteacher { urn } | ActorRole::ChairOfGovernors { urn }
                if *urn != self.plan.urn =>
            {
                Err(WorkflowError::WrongSchool {
                    actor: *urn,
                    visit: self.plan.urn,
                })
            }
            other => Err(WorkflowError::NotPermitted {
                actor: other.to_string(),
                action,
            }),
        }
    }

    fn require_headteacher(
        &self,
        actor: &Actor,
        action: &'static str,
    ) -> Result<(), WorkflowError> {
        match &actor.role {
            ActorRole::Headteacher { urn } if *urn == self.plan.urn => Ok(()),
            ActorRole::Headteacher { urn } | ActorRole::ChairOfGovernors { urn }
                if *urn != self.plan.urn =>
            {
                Err(WorkflowError::WrongSchool {
                    actor: *urn,
                    visit: self.plan.urn,
                })
            }
            other => Err(WorkflowError::NotPermitted {
                actor: other.to_string(),
                action,
            }),
        }
    }

    fn require_stage(&self, allowed: &[Stage], action: &'static str) -> Result<(), WorkflowError> {
        if allowed.contains(&self.stage) {
            Ok(())
        } else {
            Err(WorkflowError::IllegalTransition {
                stage: self.stage,
                action,
            })
        }
    }

    /// Applies `action` by `actor` on `today`. On error nothing changes.
    /// Returns the new stage.
    pub fn apply(
        &mut self,
        action: VisitAction,
        actor: &Actor,
        today: Date,
        calendar: &impl WorkingDayCalendar,
    ) -> Result<Stage, WorkflowError> {
        let name = action.name();
        let from = self.stage;
        let what: String;
        match action {
            VisitAction::RequestSelfEvaluation => {
                self.require_adviser(actor, name)?;
                self.require_stage(&[Stage::Planned], name)?;
                self.stage = Stage::SelfEvaluationRequested;
                what = "asked the school for its pre-visit self-evaluation form".into();
            }
            VisitAction::CompleteSelfEvaluation { content } => {
                self.require_headteacher(actor, name)?;
                self.require_stage(&[Stage::SelfEvaluationRequested], name)?;
                if content.trim().is_empty() {
                    return Err(WorkflowError::Missing {
                        field: "self_evaluation".into(),
                        message: "Enter the school's self-evaluation".into(),
                    });
                }
                self.self_evaluation = Some(content);
                self.stage = Stage::SelfEvaluationCompleted;
                what = "the school completed its self-evaluation form".into();
            }
            VisitAction::ReviewSelfEvaluation { comments } => {
                self.require_adviser(actor, name)?;
                self.require_stage(&[Stage::SelfEvaluationCompleted], name)?;
                self.self_evaluation_review = Some(comments);
                self.stage = Stage::SelfEvaluationReviewed;
                what = "reviewed the self-evaluation form".into();
            }
            VisitAction::RecordHeld { date } => {
                self.require_adviser(actor, name)?;
                self.require_stage(&[Stage::SelfEvaluationReviewed], name)?;
                if date > today {
                    return Err(WorkflowError::HeldInFuture { date, today });
                }
                if !self.academic_year.contains(date) {
                    return Err(WorkflowError::OutsideAcademicYear {
                        date,
                        year: self.academic_year,
                    });
                }
                self.held_on = Some(date);
                self.stage = Stage::Held;
                what = format!("the visit was held on {date}");
            }
            VisitAction::DraftNote { note } => {
                self.require_adviser(actor, name)?;
                if self.stage == Stage::Final {
                    return Err(WorkflowError::NoteLocked);
                }
                self.require_stage(&[Stage::Held, Stage::NoteDrafted], name)?;
                let held = self.held_on.unwrap_or(self.plan.date);
                let note = note.validate(held).map_err(WorkflowError::InvalidNote)?;
                self.note = Some(note);
                self.stage = Stage::NoteDrafted;
                what = "drafted the note of visit".into();
            }
            VisitAction::SendToHeadteacher => {
                self.require_adviser(actor, name)?;
                self.require_stage(&[Stage::NoteDrafted], name)?;
                let due = calendar.add_working_days(today, self.response_working_days)?;
                self.sent_on = Some(today);
                self.response_due = Some(due);
                self.stage = Stage::SentToHeadteacher;
                what = format!(
                    "sent to the headteacher; response due by {due} ({} working days)",
                    self.response_working_days
                );
            }
            VisitAction::MarkAccurate => {
                self.require_headteacher(actor, name)?;
                self.require_stage(&[Stage::SentToHeadteacher], name)?;
                self.response = Some(HeadResponse::Accurate { on: today });
                self.stage = Stage::HeadteacherResponded;
                what = "the headteacher marked the note accurate".into();
            }
            VisitAction::RespondWithComments { comments } => {
                self.require_headteacher(actor, name)?;
                self.require_stage(&[Stage::SentToHeadteacher], name)?;
                if comments.trim().is_empty() {
                    return Err(WorkflowError::Missing {
                        field: "comments".into(),
                        message: "Enter your comments on the note of visit".into(),
                    });
                }
                self.response = Some(HeadResponse::Comments {
                    on: today,
                    comments,
                });
                self.stage = Stage::HeadteacherResponded;
                what = "the headteacher responded with comments".into();
            }
            VisitAction::RecordNoResponse => {
                self.require_adviser(actor, name)?;
                self.require_stage(&[Stage::SentToHeadteacher], name)?;
                let due = self.response_due.ok_or(WorkflowError::IllegalTransition {
                    stage: self.stage,
                    action: name,
                })?;
                if today <= due {
                    return Err(WorkflowError::ResponseWindowOpen { due });
                }
                self.response = Some(HeadResponse::NoResponse {
                    recorded_on: today,
                    due,
                });
                self.stage = Stage::HeadteacherResponded;
                what = format!("no response from the headteacher by {due}");
            }
            VisitAction::ShareWithChair => {
                if self.require_headteacher(actor, name).is_err() {
                    self.require_adviser(actor, name)?;
                }
                self.require_stage(&[Stage::HeadteacherResponded], name)?;
                self.shared_on = Some(today);
                self.stage = Stage::SharedWithChair;
                what = "shared with the chair of governors".into();
            }
            VisitAction::Finalise => {
                self.require_adviser(actor, name)?;
                self.require_stage(&[Stage::SharedWithChair], name)?;
                self.finalised_on = Some(today);
                self.stage = Stage::Final;
                what = "the note of visit is final".into();
            }
            VisitAction::AddAddendum { text } => {
                self.require_adviser(actor, name)?;
                self.require_stage(&[Stage::Final], name)?;
                if text.trim().is_empty() {
                    return Err(WorkflowError::Missing {
                        field: "addendum".into(),
                        message: "Enter the addendum".into(),
                    });
                }
                self.addenda.push(Addendum {
                    on: today,
                    by: actor.user_id.clone(),
                    text,
                });
                what = "added an addendum".into();
            }
        }
        self.history.push(Transition {
            from,
            to: self.stage,
            on: today,
            by: actor.user_id.clone(),
            what,
        });
        Ok(self.stage)
    }

    /// Whether the headteacher's response is overdue on `today`.
    pub fn response_overdue(&self, today: Date) -> bool {
        self.stage == Stage::SentToHeadteacher && self.response_due.is_some_and(|d| today > d)
    }
}

//! The School Performance Board protocol and its deadlines.
//!
//! Source: Birmingham "School Performance Board (SPB): Suggested Protocol for
//! Priority Schools" (seed 002): request by the Priority Partner or another
//! party → agreement and funding decision → chair nominated → at least three
//! dates agreed with the chair and shared with the headteacher → the
//! headteacher agrees one → date confirmed with both, with governors present
//! → the chair introduces themselves at least five working days before the
//! meeting → a Priority Partner visit within the seven days before, or on the
//! day → the meeting, where further dates are agreed → notes uploaded and sent
//! within five working days. Schools in special measures or with serious
//! weaknesses qualify automatically.

use jiff::civil::Date;
use jiff::Span;
use serde::{Deserialize, Serialize};

use crate::calendar::{DateOutOfRange, WorkingDayCalendar};
use crate::policy::Policy;
use crate::register::CategoryOfConcern;

/// Deadlines of the protocol; working days except the visit window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpbDeadlines {
    /// The chair introduces themselves at least this many working days before (5).
    pub chair_introduction_before: u32,
    /// The partner visit falls within this many calendar days before the meeting (7).
    pub partner_visit_window_days: i64,
    /// Notes are sent within this many working days after (5).
    pub notes_after: u32,
    /// A step is "at risk" this many working days before its due date (2).
    pub at_risk_working_days: u32,
}

impl Default for SpbDeadlines {
    fn default() -> Self {
        Self {
            chair_introduction_before: 5,
            partner_visit_window_days: 7,
            notes_after: 5,
            at_risk_working_days: 2,
        }
    }
}

impl SpbDeadlines {
    /// From the policy's `spb_chair_introduction_before_meeting` and
    /// `spb_notes_after_meeting`, else the protocol's five working days.
    pub fn from_policy(policy: &Policy) -> Self {
        let d = Self::default();
        Self {
            chair_introduction_before: policy
                .deadline_working_days("spb_chair_introduction_before_meeting")
                .unwrap_or(d.chair_introduction_before),
            notes_after: policy
                .deadline_working_days("spb_notes_after_meeting")
                .unwrap_or(d.notes_after),
            ..d
        }
    }
}

/// How a school came to an SPB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum SpbRoute {
    /// Requested by the Priority Partner or another party (NLE, TSA, governor, other).
    Requested {
        /// Who asked.
        by: String,
    },
    /// Automatic: special measures or serious weaknesses (statutory monitoring).
    Automatic {
        /// The category.
        category: CategoryOfConcern,
    },
}

/// The steps of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpbStep {
    /// Request (or automatic qualification).
    Request,
    /// Agreement and funding decision.
    Approval,
    /// Chair nominated.
    ChairNominated,
    /// At least three dates offered.
    DatesOffered,
    /// The headteacher agrees one.
    DateChosen,
    /// Confirmed with the chair and headteacher, governors to be present.
    Confirmed,
    /// The chair introduces themselves to the headteacher.
    ChairIntroduced,
    /// Priority Partner visit.
    PartnerVisit,
    /// The meeting.
    Meeting,
    /// Notes uploaded and sent.
    NotesSent,
    /// Further dates agreed.
    NextDates,
}

impl SpbStep {
    /// Every step in order.
    pub const ALL: [SpbStep; 11] = [
        Self::Request,
        Self::Approval,
        Self::ChairNominated,
        Self::DatesOffered,
        Self::DateChosen,
        Self::Confirmed,
        Self::ChairIntroduced,
        Self::PartnerVisit,
        Self::Meeting,
        Self::NotesSent,
        Self::NextDates,
    ];

    /// The protocol's rule for the step.
    pub fn rule(self) -> &'static str {
        match self {
            Self::Request => "identified with the headteacher by the Priority Partner or another party; special measures or serious weaknesses qualify automatically",
            Self::Approval => "the Director agrees or disagrees; funding granted or not (recorded)",
            Self::ChairNominated => "the Director nominates the chair of the SPB",
            Self::DatesOffered => "at least three dates agreed with the chair to share with the headteacher",
            Self::DateChosen => "the headteacher agrees one date",
            Self::Confirmed => "date confirmed with the chair and headteacher; governors must be present",
            Self::ChairIntroduced => "the chair introduces themselves at least five working days before the meeting",
            Self::PartnerVisit => "a Priority Partner visit within the seven days before the meeting, or on the day",
            Self::Meeting => "the meeting on the agreed date",
            Self::NotesSent => "notes uploaded and sent to the headteacher, chair of governors and invited agencies within five working days",
            Self::NextDates => "further dates agreed at the end of the meeting",
        }
    }
}

/// Why a protocol step was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum SpbError {
    /// A step out of order.
    #[error("{step:?} cannot be recorded yet: {needs}")]
    OutOfOrder {
        /// The step attempted.
        step: SpbStep,
        /// What must come first.
        needs: String,
    },
    /// Already recorded.
    #[error("{0:?} is already recorded")]
    AlreadyDone(SpbStep),
    /// Fewer than three dates.
    #[error("at least three distinct dates must be offered to the headteacher (SPB protocol); {0} given")]
    TooFewDates(usize),
    /// Offered dates not after the offer.
    #[error("offered date {0} is not after the day the dates were offered")]
    DateInPast(Date),
    /// Not one of the offered dates.
    #[error("{0} is not one of the dates offered")]
    NotOffered(Date),
    /// Governors not present.
    #[error("governors must be present at the SPB meeting (SPB protocol: \"the essential need to have governors present\")")]
    GovernorsRequired,
    /// Not approved.
    #[error("the SPB was not agreed or not funded; no meeting can be arranged")]
    NotApproved,
    /// Automatic route for a category that does not qualify.
    #[error("only special measures or serious weaknesses qualify automatically for an SPB")]
    NotAutomatic,
    /// A date before the previous step.
    #[error("{date} is before the previous step on {previous}")]
    BeforePrevious {
        /// The date given.
        date: Date,
        /// The previous step's date.
        previous: Date,
    },
    /// Missing text.
    #[error("{0} must not be empty")]
    Empty(&'static str),
}

/// One School Performance Board, from request to next dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpbProtocol {
    route: SpbRoute,
    requested: Date,
    approval: Option<(Date, bool, bool)>,
    chair: Option<(Date, String)>,
    offered: Option<(Date, Vec<Date>)>,
    chosen: Option<(Date, Date)>,
    confirmed: Option<Date>,
    chair_introduced: Option<Date>,
    partner_visit: Option<Date>,
    held: Option<Date>,
    notes_sent: Option<Date>,
    next_dates: Vec<Date>,
}

fn need(step: SpbStep, needs: &str) -> SpbError {
    SpbError::OutOfOrder {
        step,
        needs: needs.into(),
    }
}

fn not_before(date: Date, previous: Date) -> Result<(), SpbError> {
    if date < previous {
        Err(SpbError::BeforePrevious { date, previous })
    } else {
        Ok(())
    }
}

impl SpbProtocol {
    /// A request by the Priority Partner or another party.
    pub fn request(by: &str, date: Date) -> Result<Self, SpbError> {
        if by.trim().is_empty() {
            return Err(SpbError::Empty("who requested the SPB"));
        }
        Ok(Self::with_route(
            SpbRoute::Requested {
                by: by.trim().to_owned(),
            },
            date,
        ))
    }

    /// Automatic qualification: special measures or serious weaknesses are
    /// agreed and funded as statutory monitoring.
    pub fn automatic(category: CategoryOfConcern, date: Date) -> Result<Self, SpbError> {
        if !matches!(
            category,
            CategoryOfConcern::SpecialMeasures | CategoryOfConcern::SeriousWeaknesses
        ) {
            return Err(SpbError::NotAutomatic);
        }
        let mut spb = Self::with_route(SpbRoute::Automatic { category }, date);
        spb.approval = Some((date, true, true));
        Ok(spb)
    }

    fn with_route(route: SpbRoute, date: Date) -> Self {
        Self {
            route,
            requested: date,
            approval: None,
            chair: None,
            offered: None,
            chosen: None,
            confirmed: None,
            chair_introduced: None,
            partner_visit: None,
            held: None,
            notes_sent: None,
            next_dates: Vec::new(),
        }
    }

    /// How the school came to the SPB.
    pub fn route(&self) -> &SpbRoute {
        &self.route
    }

    /// The agreed meeting date.
    pub fn meeting_date(&self) -> Option<Date> {
        self.chosen.map(|(_, d)| d)
    }

    /// Records the agreement and funding decision.
    pub fn decide(&mut self, date: Date, agreed: bool, funded: bool) -> Result<(), SpbError> {
        if self.approval.is_some() {
            return Err(SpbError::AlreadyDone(SpbStep::Approval));
        }
        not_before(date, self.requested)?;
        self.approval = Some((date, agreed, funded));
        Ok(())
    }

    fn approved_on(&self, step: SpbStep) -> Result<Date, SpbError> {
        match self.approval {
            None => Err(need(step, "the request must first be agreed and funded")),
            Some((date, true, true)) => Ok(date),
            Some(_) => Err(SpbError::NotApproved),
        }
    }

    /// Records the chair's nomination.
    pub fn nominate_chair(&mut self, date: Date, name: &str) -> Result<(), SpbError> {
        let approved = self.approved_on(SpbStep::ChairNominated)?;
        if self.chair.is_some() {
            return Err(SpbError::AlreadyDone(SpbStep::ChairNominated));
        }
        if name.trim().is_empty() {
            return Err(SpbError::Empty("the chair's name"));
        }
        not_before(date, approved)?;
        self.chair = Some((date, name.trim().to_owned()));
        Ok(())
    }

    /// Records the dates offered to the headteacher (at least three, distinct, after `date`).
    pub fn offer_dates(&mut self, date: Date, dates: Vec<Date>) -> Result<(), SpbError> {
        let Some((nominated, _)) = &self.chair else {
            return Err(need(
                SpbStep::DatesOffered,
                "a chair must first be nominated",
            ));
        };
        not_before(date, *nominated)?;
        if self.offered.is_some() {
            return Err(SpbError::AlreadyDone(SpbStep::DatesOffered));
        }
        let mut dates = dates;
        dates.sort();
        dates.dedup();
        if let Some(past) = dates.iter().find(|d| **d <= date) {
            return Err(SpbError::DateInPast(*past));
        }
        if dates.len() < 3 {
            return Err(SpbError::TooFewDates(dates.len()));
        }
        self.offered = Some((date, dates));
        Ok(())
    }

    /// Records the headteacher's choice.
    pub fn choose_date(&mut self, date: Date, chosen: Date) -> Result<(), SpbError> {
        let Some((offered_on, offered)) = &self.offered else {
            return Err(need(
                SpbStep::DateChosen,
                "at least three dates must first be offered",
            ));
        };
        if self.chosen.is_some() {
            return Err(SpbError::AlreadyDone(SpbStep::DateChosen));
        }
        not_before(date, *offered_on)?;
        if !offered.contains(&chosen) {
            return Err(SpbError::NotOffered(chosen));
        }
        self.chosen = Some((date, chosen));
        Ok(())
    }

    /// Records the confirmation with the chair and headteacher; governors must be present.
    pub fn confirm(&mut self, date: Date, governors_present: bool) -> Result<(), SpbError> {
        let Some((chosen_on, _)) = self.chosen else {
            return Err(need(
                SpbStep::Confirmed,
                "the headteacher must first agree a date",
            ));
        };
        if self.confirmed.is_some() {
            return Err(SpbError::AlreadyDone(SpbStep::Confirmed));
        }
        not_before(date, chosen_on)?;
        if !governors_present {
            return Err(SpbError::GovernorsRequired);
        }
        self.confirmed = Some(date);
        Ok(())
    }

    /// Records the chair's introduction to the headteacher (late ones are recorded and reported late).
    pub fn chair_introduced(&mut self, date: Date) -> Result<(), SpbError> {
        let Some((chosen_on, _)) = self.chosen else {
            return Err(need(
                SpbStep::ChairIntroduced,
                "the meeting date must first be agreed",
            ));
        };
        not_before(date, chosen_on)?;
        self.chair_introduced = Some(date);
        Ok(())
    }

    /// Records the Priority Partner's visit.
    pub fn partner_visit(&mut self, date: Date) -> Result<(), SpbError> {
        if self.chosen.is_none() {
            return Err(need(
                SpbStep::PartnerVisit,
                "the meeting date must first be agreed",
            ));
        }
        not_before(date, self.requested)?;
        self.partner_visit = Some(date);
        Ok(())
    }

    /// Records the meeting and the further dates agreed at its end.
    pub fn hold(&mut self, date: Date, next_dates: Vec<Date>) -> Result<(), SpbError> {
        let Some(confirmed) = self.confirmed else {
            return Err(need(
                SpbStep::Meeting,
                "the date must first be confirmed, with governors present",
            ));
        };
        if self.held.is_some() {
            return Err(SpbError::AlreadyDone(SpbStep::Meeting));
        }
        not_before(date, confirmed)?;
        if let Some(d) = next_dates.iter().find(|d| **d <= date) {
            return Err(SpbError::DateInPast(*d));
        }
        self.held = Some(date);
        self.next_dates = next_dates;
        Ok(())
    }

    /// Records that the notes were uploaded and sent.
    pub fn notes_sent(&mut self, date: Date) -> Result<(), SpbError> {
        let Some(held) = self.held else {
            return Err(need(SpbStep::NotesSent, "the meeting must first be held"));
        };
        not_before(date, held)?;
        self.notes_sent = Some(date);
        Ok(())
    }

    /// Every step's due date (when the protocol fixes one) and state as of `as_of`.
    pub fn status(
        &self,
        calendar: &impl WorkingDayCalendar,
        deadlines: &SpbDeadlines,
        as_of: Date,
    ) -> Result<Vec<StepStatus>, DateOutOfRange> {
        let meeting = self.held.or(self.meeting_date());
        let chair_due = match meeting {
            Some(m) => {
                Some(calendar.subtract_working_days(m, deadlines.chair_introduction_before)?)
            }
            None => None,
        };
        let notes_due = match self.held {
            Some(h) => Some(calendar.add_working_days(h, deadlines.notes_after)?),
            None => None,
        };
        let window_start = meeting.and_then(|m| {
            m.checked_sub(Span::new().days(deadlines.partner_visit_window_days))
                .ok()
        });
        let mut out = Vec::new();
        for step in SpbStep::ALL {
            let (done, due, window): (Option<Date>, Option<Date>, Option<Date>) = match step {
                SpbStep::Request => (Some(self.requested), None, None),
                SpbStep::Approval => (self.approval.map(|a| a.0), None, None),
                SpbStep::ChairNominated => (self.chair.as_ref().map(|c| c.0), None, None),
                SpbStep::DatesOffered => (self.offered.as_ref().map(|o| o.0), None, None),
                SpbStep::DateChosen => (self.chosen.map(|c| c.0), None, None),
                SpbStep::Confirmed => (self.confirmed, chair_due, None),
                SpbStep::ChairIntroduced => (self.chair_introduced, chair_due, None),
                SpbStep::PartnerVisit => (self.partner_visit, meeting, window_start),
                SpbStep::Meeting => (self.held, self.meeting_date(), None),
                SpbStep::NotesSent => (self.notes_sent, notes_due, None),
                SpbStep::NextDates => (
                    self.held.filter(|_| !self.next_dates.is_empty()),
                    self.held,
                    None,
                ),
            };
            let state = match (done, due) {
                (Some(on), Some(due)) => {
                    let early = window.is_some_and(|w| on < w);
                    StepState::Done {
                        on,
                        late: on > due,
                        early,
                    }
                }
                (Some(on), None) => StepState::Done {
                    on,
                    late: false,
                    early: false,
                },
                (None, Some(due)) if as_of > due => StepState::Overdue,
                (None, Some(due)) => {
                    if as_of
                        >= calendar.subtract_working_days(due, deadlines.at_risk_working_days)?
                    {
                        StepState::AtRisk
                    } else {
                        StepState::Pending
                    }
                }
                (None, None) => StepState::Pending,
            };
            let state = match (step, self.approval) {
                (s, Some((_, agreed, funded))) if s > SpbStep::Approval && !(agreed && funded) => {
                    StepState::NotApplicable
                }
                _ => state,
            };
            out.push(StepStatus {
                step,
                due,
                window_start: window,
                state,
                rule: step.rule(),
            });
        }
        Ok(out)
    }
}

/// A step's state as of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepState {
    /// Done on a date; `late` after its due date, `early` before its window.
    Done {
        /// When.
        on: Date,
        /// After the due date.
        late: bool,
        /// Before the window opened (partner visit).
        early: bool,
    },
    /// Not done; not yet near its due date (or no due date yet).
    Pending,
    /// Not done and due within the at-risk margin.
    AtRisk,
    /// Not done and past its due date.
    Overdue,
    /// The SPB was not agreed or funded.
    NotApplicable,
}

/// One step's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStatus {
    /// The step.
    pub step: SpbStep,
    /// Its due date, when the protocol fixes one.
    pub due: Option<Date>,
    /// The first day of its window (partner visit).
    pub window_start: Option<Date>,
    /// Its state.
    pub state: StepState,
    /// The protocol's rule.
    pub rule: &'static str,
}

//! Meetings: their kinds and cadences, a scheduler that lays a cadence across
//! an academic year's term dates (term time only), and the agenda builder.
//!
//! Sources: Barnet Part B section C (Schools Review Group half-termly,
//! Monitoring and Challenge Meetings usually termly); Birmingham Stages 3 to 5
//! (School Improvement Advisory Committee fortnightly, schools-causing-concern
//! meeting monthly, Education Improvement Group half-termly, School
//! Performance Boards as arranged); Buckinghamshire Side by Side (Team Around
//! the School monthly or half-termly, Rapid Improvement Group regularly).

use jiff::civil::{Date, Weekday};
use jiff::Span;
use serde::{Deserialize, Serialize};

use super::case::CaseState;
use crate::calendar::{is_weekend, DateRange, TermDates, WorkingDayCalendar};
use crate::policy::ProposalAction;
use crate::register::Urn;

/// How often a kind of meeting meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Every fortnight in term time.
    Fortnightly,
    /// Once a calendar month in term time.
    Monthly,
    /// Once each half term.
    HalfTermly,
    /// Once each term.
    Termly,
    /// Arranged case by case (no schedule).
    AsArranged,
}

/// The kinds of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// Schools Review Group (Barnet): reviews the whole list half-termly.
    SchoolsReviewGroup,
    /// School Improvement Advisory Committee (Birmingham): fortnightly.
    AdvisoryCommittee,
    /// Schools-causing-concern meeting with finance, HR and governor services (Birmingham Stage 4): monthly.
    SchoolsCausingConcern,
    /// School Performance Board (Birmingham protocol): one school, as arranged.
    SchoolPerformanceBoard,
    /// Monitoring and Challenge Meeting (Barnet): one school, usually termly.
    MonitoringAndChallenge,
    /// Team Around the School (Buckinghamshire): one school, monthly or half-termly.
    TeamAroundTheSchool,
    /// Rapid Improvement Group (Buckinghamshire): one school, regularly.
    RapidImprovementGroup,
    /// Education Improvement Group (Birmingham Stage 5): half-termly.
    EducationImprovementGroup,
}

impl MeetingKind {
    /// Every kind.
    pub const ALL: [MeetingKind; 8] = [
        Self::SchoolsReviewGroup,
        Self::AdvisoryCommittee,
        Self::SchoolsCausingConcern,
        Self::SchoolPerformanceBoard,
        Self::MonitoringAndChallenge,
        Self::TeamAroundTheSchool,
        Self::RapidImprovementGroup,
        Self::EducationImprovementGroup,
    ];

    /// The name on screen and in letters.
    pub fn name(self) -> &'static str {
        match self {
            Self::SchoolsReviewGroup => "Schools Review Group",
            Self::AdvisoryCommittee => "School Improvement Advisory Committee",
            Self::SchoolsCausingConcern => "Schools Causing Concern meeting",
            Self::SchoolPerformanceBoard => "School Performance Board",
            Self::MonitoringAndChallenge => "Monitoring and Challenge Meeting",
            Self::TeamAroundTheSchool => "Team Around the School",
            Self::RapidImprovementGroup => "Rapid Improvement Group",
            Self::EducationImprovementGroup => "Education Improvement Group",
        }
    }

    /// The seeds' cadence.
    pub fn default_cadence(self) -> Cadence {
        match self {
            Self::SchoolsReviewGroup | Self::EducationImprovementGroup => Cadence::HalfTermly,
            Self::AdvisoryCommittee => Cadence::Fortnightly,
            Self::SchoolsCausingConcern | Self::TeamAroundTheSchool => Cadence::Monthly,
            Self::MonitoringAndChallenge => Cadence::Termly,
            Self::RapidImprovementGroup => Cadence::HalfTermly,
            Self::SchoolPerformanceBoard => Cadence::AsArranged,
        }
    }

    /// Whether the meeting is about one school (its agenda covers only that school).
    pub fn single_school(self) -> bool {
        matches!(
            self,
            Self::SchoolPerformanceBoard
                | Self::MonitoringAndChallenge
                | Self::TeamAroundTheSchool
                | Self::RapidImprovementGroup
        )
    }

    /// Where the seeds describe it.
    pub fn source(self) -> &'static str {
        match self {
            Self::SchoolsReviewGroup => {
                "The list is reviewed half termly at the Schools Review Group"
            }
            Self::AdvisoryCommittee => {
                "The School Improvement Advisory Committee meets fortnightly"
            }
            Self::SchoolsCausingConcern => "Monthly Schools Causing Concern meetings",
            Self::SchoolPerformanceBoard => "Dates agreed case by case",
            Self::MonitoringAndChallenge => {
                "Regular (usually termly) Monitoring and Challenge Meetings"
            }
            Self::TeamAroundTheSchool => "Formal meetings monthly or half termly",
            Self::RapidImprovementGroup => "Convened to monitor impact regularly",
            Self::EducationImprovementGroup => "The half-termly Education Improvement Group",
        }
    }
}

/// Where in each period a meeting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedulePreference {
    /// The day of the week.
    pub weekday: Weekday,
    /// Which week of the period (1 = the first), pulled back into the period if too late.
    pub week: u8,
}

impl Default for SchedulePreference {
    /// Tuesdays of the third week.
    fn default() -> Self {
        Self {
            weekday: Weekday::Tuesday,
            week: 3,
        }
    }
}

/// A meeting placed by the scheduler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledMeeting {
    /// The kind.
    pub kind: MeetingKind,
    /// The date.
    pub date: Date,
}

/// A warning about a meeting date (not an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingWarning {
    /// The date.
    pub date: Date,
    /// Why.
    pub message: String,
}

/// Meetings for a year, with warnings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schedule {
    /// The meetings, in date order.
    pub meetings: Vec<ScheduledMeeting>,
    /// Warnings (bank holidays, months with no term-time date).
    pub warnings: Vec<MeetingWarning>,
}

fn plus_days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(Span::new().days(n)).ok()
}

fn on_or_after(d: Date, wd: Weekday) -> Option<Date> {
    let delta = (i64::from(wd.to_monday_zero_offset())
        - i64::from(d.weekday().to_monday_zero_offset()))
    .rem_euclid(7);
    plus_days(d, delta)
}

/// The preferred weekday of the preferred week in `range`, pulled back to the
/// last such weekday in the range when the week is past its end.
fn place(range: DateRange, pref: SchedulePreference) -> Option<Date> {
    let first = on_or_after(range.start(), pref.weekday)?;
    if first > range.end() {
        return None;
    }
    let mut date = first;
    for _ in 1..pref.week.max(1) {
        match plus_days(date, 7) {
            Some(next) if next <= range.end() => date = next,
            _ => break,
        }
    }
    Some(date)
}

/// Warnings for a proposed meeting date: a weekend or a bank holiday is
/// allowed but warned about.
pub fn check_meeting_date(date: Date, calendar: &impl WorkingDayCalendar) -> Vec<MeetingWarning> {
    let mut out = Vec::new();
    if is_weekend(date) {
        out.push(MeetingWarning {
            date,
            message: format!("{date} is a {:?}", date.weekday()),
        });
    } else if !calendar.is_working_day(date) {
        out.push(MeetingWarning {
            date,
            message: format!("{date} is a bank holiday"),
        });
    }
    out
}

/// Lays `cadence` across the academic year of `terms`, in term time only.
/// A date falling on a bank holiday is kept with a warning.
pub fn schedule(
    kind: MeetingKind,
    cadence: Cadence,
    terms: &TermDates,
    calendar: &impl WorkingDayCalendar,
    pref: SchedulePreference,
) -> Schedule {
    let mut dates: Vec<Date> = Vec::new();
    let mut warnings = Vec::new();
    match cadence {
        Cadence::AsArranged => {}
        Cadence::HalfTermly => {
            for (_, range) in terms.half_terms() {
                dates.extend(place(range, pref));
            }
        }
        Cadence::Termly => {
            // In the second half of each term, after the half-term review.
            for term in [terms.autumn(), terms.spring(), terms.summer()] {
                dates.extend(place(term.second_half, pref));
            }
        }
        Cadence::Fortnightly => {
            for (_, range) in terms.half_terms() {
                let mut next = on_or_after(range.start(), pref.weekday);
                while let Some(d) = next.filter(|d| *d <= range.end()) {
                    dates.push(d);
                    next = plus_days(d, 14);
                }
            }
        }
        Cadence::Monthly => {
            let year = terms.academic_year();
            let mut month_start = year.first_day();
            while year.contains(month_start) {
                let month_end = month_start.last_of_month();
                let first = on_or_after(month_start, pref.weekday);
                let mut candidates: Vec<Date> = Vec::new();
                let mut d = first;
                while let Some(day) = d.filter(|d| *d <= month_end) {
                    candidates.push(day);
                    d = plus_days(day, 7);
                }
                let wanted = usize::from(pref.week.max(1)) - 1;
                let in_term: Vec<Date> = candidates
                    .into_iter()
                    .filter(|d| terms.is_term_time(*d))
                    .collect();
                let chosen = in_term.get(wanted).or(in_term.last()).copied();
                match chosen {
                    Some(d) => dates.push(d),
                    None => warnings.push(MeetingWarning {
                        date: month_start,
                        message: format!(
                            "no term-time {:?} in {}",
                            pref.weekday,
                            month_start.strftime("%B %Y")
                        ),
                    }),
                }
                match month_end.tomorrow() {
                    Ok(next) => month_start = next,
                    Err(_) => break,
                }
            }
        }
    }
    dates.sort();
    dates.dedup();
    for d in &dates {
        warnings.extend(check_meeting_date(*d, calendar));
    }
    warnings.sort_by_key(|w| w.date);
    Schedule {
        meetings: dates
            .into_iter()
            .map(|date| ScheduledMeeting { kind, date })
            .collect(),
        warnings,
    }
}

/// A case as the agenda sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaCase {
    /// The school.
    pub urn: Urn,
    /// Its name.
    pub school: String,
    /// The case state.
    pub state: CaseState,
    /// The Lead Officer.
    pub lead_officer: Option<String>,
}

/// A categorisation proposal for the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaProposal {
    /// The school.
    pub urn: Urn,
    /// Its name.
    pub school: String,
    /// Add or remove.
    pub action: ProposalAction,
    /// Why (from the policy engine).
    pub reason: String,
}

/// An action or deadline of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDeadline {
    /// The school.
    pub urn: Urn,
    /// Its name.
    pub school: String,
    /// What is due.
    pub what: String,
    /// When.
    pub due: Date,
    /// Whether it is done.
    pub done: bool,
}

/// The sections of an agenda, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaSection {
    /// Proposals from categorisation (additions, then removals).
    Proposals,
    /// Cases with overdue actions or deadlines.
    Overdue,
    /// Every case on the list, for a decision.
    CaseReview,
}

/// One agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// The section.
    pub section: AgendaSection,
    /// The school.
    pub urn: Urn,
    /// Its name.
    pub school: String,
    /// What to discuss.
    pub detail: String,
}

/// A meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    /// The kind.
    pub kind: MeetingKind,
    /// The date.
    pub date: Date,
    /// The items, by section.
    pub items: Vec<AgendaItem>,
}

/// Builds the agenda: every proposal from categorisation, every case with
/// actions or deadlines overdue as of the meeting date, and every case on the
/// list for review. For a single-school meeting, only `focus`.
pub fn build_agenda(
    kind: MeetingKind,
    date: Date,
    focus: Option<Urn>,
    cases: &[AgendaCase],
    proposals: &[AgendaProposal],
    deadlines: &[OpenDeadline],
) -> Agenda {
    let wanted = |urn: Urn| !kind.single_school() || focus.is_none_or(|f| f == urn);
    let mut items = Vec::new();
    let mut props: Vec<&AgendaProposal> = proposals.iter().filter(|p| wanted(p.urn)).collect();
    props.sort_by(|a, b| {
        let rank =
            |p: &AgendaProposal| matches!(p.action, ProposalAction::RemoveFromCausingConcernList);
        (rank(a), &a.school, a.urn).cmp(&(rank(b), &b.school, b.urn))
    });
    for p in props {
        let verb = match p.action {
            ProposalAction::AddToCausingConcernList => "Proposed for the causing-concern list",
            ProposalAction::RemoveFromCausingConcernList => "Proposed for removal from the list",
        };
        items.push(AgendaItem {
            section: AgendaSection::Proposals,
            urn: p.urn,
            school: p.school.clone(),
            detail: format!("{verb}: {}", p.reason),
        });
    }
    let mut overdue: Vec<&OpenDeadline> = deadlines
        .iter()
        .filter(|d| !d.done && d.due < date && wanted(d.urn))
        .collect();
    overdue.sort_by(|a, b| (a.due, &a.school, &a.what).cmp(&(b.due, &b.school, &b.what)));
    for d in overdue {
        items.push(AgendaItem {
            section: AgendaSection::Overdue,
            urn: d.urn,
            school: d.school.clone(),
            detail: format!("Overdue since {}: {}", d.due, d.what),
        });
    }
    let mut review: Vec<&AgendaCase> = cases
        .iter()
        .filter(|c| {
            matches!(c.state, CaseState::OnList | CaseState::AwaitingLeadOfficer) && wanted(c.urn)
        })
        .collect();
    review.sort_by(|a, b| (&a.school, a.urn).cmp(&(&b.school, b.urn)));
    for c in review {
        let lo = match &c.lead_officer {
            Some(name) => format!("Lead Officer {name}"),
            None => "no Lead Officer yet".into(),
        };
        items.push(AgendaItem {
            section: AgendaSection::CaseReview,
            urn: c.urn,
            school: c.school.clone(),
            detail: format!("Review of progress ({lo}); decision needed"),
        });
    }
    Agenda { kind, date, items }
}

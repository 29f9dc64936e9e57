//! Schools causing concern (issue 6): cases on the causing-concern list and
//! their timeline, decisions (with rationale and triggers) and the work each
//! creates (list change, letter drafted, task with owner and due date in
//! working days), Lead Officers, escalation (letters of concern, warning
//! notices, written notice of proposed powers, eligibility, powers used, the
//! academy route), inspection support, letter templates and letters.
//!
//! The rules are the pure domain's (`uplift_domain::concern`): a case and its
//! escalation are rebuilt from the stored timeline and every new step is
//! checked by the domain before anything is written. Every change is audited
//! in the same transaction and every step is an event on the case timeline.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use serde::Serialize;
use sqlx::FromRow;
use uplift_domain::calendar::{BankHolidays, WorkingDayCalendar};
use uplift_domain::concern::{
    can_remove, consequences, long_date, standing, Case, CaseFacts, CaseState, CompliancePeriod,
    Decision, DecisionKind, EligibilityRoute, Escalation, FollowUp, FollowUpDeadlines, Ground,
    LetterContext, LetterKind, OwnerRole, Power, PowerKind, Stage, Standing, Template,
    WarningNoticeDraft,
};
use uplift_domain::policy::Policy;
use uplift_domain::register::Governance;

use crate::audit::{self, Actor, Change};
use crate::categorisation::PolicyRecord;
use crate::{now, Db, Result, StoreError, Tx};

// ---------------------------------------------------------------------------
// Names stored in the database

/// The stored name of a decision kind and its detail (for "other").
pub fn decision_kind_str(kind: &DecisionKind) -> (&'static str, Option<String>) {
    match kind {
        DecisionKind::Designate => ("designate", None),
        DecisionKind::NotAPriority => ("not_a_priority", None),
        DecisionKind::Continue => ("continue", None),
        DecisionKind::Remove => ("remove", None),
        DecisionKind::LetterOfConcern => ("letter_of_concern", None),
        DecisionKind::RecommendWarningNotice => ("recommend_warning_notice", None),
        DecisionKind::Escalate => ("escalate", None),
        DecisionKind::NotifyRegionalDirector => ("notify_regional_director", None),
        DecisionKind::Other(what) => ("other", Some(what.clone())),
    }
}

/// The decision kinds by stored name, in the order forms offer them.
pub const DECISION_KINDS: &[(&str, &str)] = &[
    ("designate", "Designate as causing concern"),
    ("not_a_priority", "Considered and not a priority"),
    ("continue", "Continue as causing concern"),
    ("remove", "Remove from the causing-concern list"),
    ("letter_of_concern", "Send a letter of concern"),
    (
        "recommend_warning_notice",
        "Recommend a formal warning notice",
    ),
    ("escalate", "Escalate"),
    (
        "notify_regional_director",
        "Notify the DfE regional director",
    ),
    ("other", "Other"),
];

/// A decision kind from its stored name (`detail` says what an "other" was).
pub fn parse_decision_kind(name: &str, detail: Option<&str>) -> Option<DecisionKind> {
    DecisionKind::parse(name, detail)
}

fn state_str(s: CaseState) -> &'static str {
    match s {
        CaseState::NotOnList => "not_on_list",
        CaseState::AwaitingLeadOfficer => "awaiting_lead_officer",
        CaseState::OnList => "on_list",
        CaseState::Removed => "removed",
    }
}

/// Words for a stored case state.
pub fn state_label(s: &str) -> &'static str {
    match s {
        "awaiting_lead_officer" => "Designated, awaiting a Lead Officer",
        "on_list" => "On the list",
        "removed" => "Removed from the list",
        _ => "Not on the list",
    }
}

/// The stored name of an escalation stage.
pub fn stage_str(s: Stage) -> &'static str {
    match s {
        Stage::Open => "open",
        Stage::LetterOfConcern => "letter_of_concern",
        Stage::WarningNoticeGiven => "warning_notice_given",
        Stage::Complied => "complied",
        Stage::NotComplied => "not_complied",
        Stage::EligibleForIntervention => "eligible_for_intervention",
        Stage::PowersInUse => "powers_in_use",
        Stage::RaisedWithTrust => "raised_with_trust",
        Stage::RaisedWithRegionalDirector => "raised_with_regional_director",
    }
}

/// Words for a stored escalation stage.
pub fn stage_label(s: &str) -> &'static str {
    match s {
        "letter_of_concern" => "Letter of concern sent",
        "warning_notice_given" => "Warning notice in force",
        "complied" => "Warning notice complied with",
        "not_complied" => "Warning notice not complied with",
        "eligible_for_intervention" => "Eligible for intervention",
        "powers_in_use" => "Intervention powers in use",
        "raised_with_trust" => "Concerns raised with the trust",
        "raised_with_regional_director" => "Concerns raised with the DfE regional director",
        _ => "No formal escalation",
    }
}

fn governance_from(s: Option<&str>) -> Governance {
    match s {
        Some("maintained") => Governance::Maintained,
        Some("academy") => Governance::Academy,
        Some("independent") => Governance::Independent,
        _ => Governance::Other,
    }
}

fn governance_str(g: Governance) -> &'static str {
    match g {
        Governance::Maintained => "maintained",
        Governance::Academy => "academy",
        Governance::Independent => "independent",
        Governance::Other => "other",
    }
}

/// The stored name of an owner role.
pub fn owner_role_str(o: OwnerRole) -> &'static str {
    match o {
        OwnerRole::LeadOfficer => "lead_officer",
        OwnerRole::HeadOfSchoolImprovement => "head_of_school_improvement",
        OwnerRole::DirectorOfChildrensServices => "director_of_childrens_services",
        OwnerRole::Clerk => "clerk",
    }
}

/// Words for a stored owner role.
pub fn owner_role_label(s: &str) -> &'static str {
    match s {
        "lead_officer" => "Lead Officer",
        "head_of_school_improvement" => "Head of School Improvement",
        "director_of_childrens_services" => "Director of Children's Services",
        "clerk" => "Clerk",
        _ => "Officer",
    }
}

/// The stored name of a warning-notice ground.
pub fn ground_str(g: Ground) -> &'static str {
    match g {
        Ground::UnacceptablyLowStandards => "unacceptably_low_standards",
        Ground::ManagementOrGovernanceBreakdown => "management_or_governance_breakdown",
        Ground::SafetyThreatened => "safety_threatened",
        Ground::TeachersPayAndConditions => "teachers_pay_and_conditions",
    }
}

/// A ground from its stored name.
pub fn parse_ground(s: &str) -> Option<Ground> {
    Ground::ALL.into_iter().find(|g| ground_str(*g) == s)
}

/// The stored name of a power.
pub fn power_str(p: PowerKind) -> &'static str {
    match p {
        PowerKind::S63Arrangements => "s63_arrangements",
        PowerKind::S64AdditionalGovernors => "s64_additional_governors",
        PowerKind::S65InterimExecutiveBoard => "s65_interim_executive_board",
        PowerKind::S66SuspendDelegatedBudget => "s66_suspend_delegated_budget",
    }
}

/// Every power, in statute order.
pub const POWER_KINDS: [PowerKind; 4] = [
    PowerKind::S63Arrangements,
    PowerKind::S64AdditionalGovernors,
    PowerKind::S65InterimExecutiveBoard,
    PowerKind::S66SuspendDelegatedBudget,
];

/// A power from its stored name.
pub fn parse_power(s: &str) -> Option<PowerKind> {
    POWER_KINDS.into_iter().find(|p| power_str(*p) == s)
}

/// Short words for a power.
pub fn power_label(p: PowerKind) -> &'static str {
    match p {
        PowerKind::S63Arrangements => "s63: require the governing body to enter into arrangements",
        PowerKind::S64AdditionalGovernors => "s64: appoint additional governors",
        PowerKind::S65InterimExecutiveBoard => "s65: interim executive board",
        PowerKind::S66SuspendDelegatedBudget => "s66: suspend the delegated budget",
    }
}

/// The stored name of an eligibility route.
pub fn route_str(r: EligibilityRoute) -> &'static str {
    match r {
        EligibilityRoute::UnmetS60Notice => "unmet_s60_notice",
        EligibilityRoute::UnmetS60ANotice => "unmet_s60a_notice",
        EligibilityRoute::Coasting => "coasting",
        EligibilityRoute::RequiresSignificantImprovement => "requires_significant_improvement",
        EligibilityRoute::SpecialMeasures => "special_measures",
    }
}

/// The routes recorded directly (the notice routes follow from the notice).
pub const CATEGORY_ROUTES: [EligibilityRoute; 3] = [
    EligibilityRoute::SpecialMeasures,
    EligibilityRoute::RequiresSignificantImprovement,
    EligibilityRoute::Coasting,
];

/// An eligibility route from its stored name.
pub fn parse_route(s: &str) -> Option<EligibilityRoute> {
    [
        EligibilityRoute::UnmetS60Notice,
        EligibilityRoute::UnmetS60ANotice,
        EligibilityRoute::Coasting,
        EligibilityRoute::RequiresSignificantImprovement,
        EligibilityRoute::SpecialMeasures,
    ]
    .into_iter()
    .find(|r| route_str(*r) == s)
}

/// Title of a letter kind.
pub fn letter_kind_title(k: LetterKind) -> &'static str {
    match k {
        LetterKind::PriorityDecision => "Priority decision",
        LetterKind::NotAPriority => "Not a priority",
        LetterKind::Removal => "Removal from the causing-concern list",
        LetterKind::LetterOfConcern => "Letter of concern",
        LetterKind::WarningNotice => "Warning notice",
        LetterKind::NoticeOfProposedIntervention => "Notice of proposed intervention",
        LetterKind::AcademyConcernToTrust => "Concerns to the academy trust",
        LetterKind::AcademyConcernToRegionalDirector => "Concerns to the DfE regional director",
    }
}

/// A letter kind from its slug.
pub fn parse_letter_kind(s: &str) -> Option<LetterKind> {
    LetterKind::ALL.into_iter().find(|k| k.slug() == s)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn iso(d: Date) -> String {
    d.to_string()
}

fn parse_date(s: &str) -> Result<Date> {
    s.parse()
        .map_err(|_| StoreError::Invalid(format!("stored date {s:?} is not a date")))
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(invalid)
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Records

/// One episode of a school on the causing-concern list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct CaseRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub urn: i64,
    /// awaiting_lead_officer | on_list | removed
    pub state: String,
    /// maintained | academy
    pub governance: String,
    /// The escalation stage (see [`stage_label`]).
    pub escalation_stage: String,
    /// The school's category when designated.
    pub category: Option<String>,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub lead_officer_user_id: Option<i64>,
    pub lead_officer_name: Option<String>,
    /// Legacy: the chair of governors as once typed on the case. The chair is
    /// now recorded once per school (`school_contacts`, see
    /// [`crate::contacts`]); letters read it from there.
    pub chair_name: Option<String>,
    pub trust_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl CaseRecord {
    /// Whether the school is an academy (no local-authority powers).
    pub fn is_academy(&self) -> bool {
        self.governance == "academy"
    }
}

const CASE_COLS: &str = "id, organisation_id, urn, state, governance, escalation_stage, category, opened_on, closed_on, lead_officer_user_id, lead_officer_name, chair_name, trust_name, created_at, updated_at";

/// A decision about a school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct DecisionRecord {
    pub id: i64,
    pub case_id: Option<i64>,
    pub organisation_id: i64,
    pub urn: i64,
    pub kind: String,
    pub detail: Option<String>,
    pub rationale: String,
    pub triggers_json: String,
    pub decided_on: String,
    pub decided_by: String,
    pub decided_by_user_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub recorded_at: String,
}

impl DecisionRecord {
    /// The triggers that applied.
    pub fn triggers(&self) -> Vec<String> {
        json_list(&self.triggers_json)
    }

    /// Words for the decision.
    pub fn label(&self) -> String {
        parse_decision_kind(&self.kind, self.detail.as_deref())
            .map(|k| k.label())
            .unwrap_or_else(|| self.kind.clone())
    }
}

const DECISION_COLS: &str = "id, case_id, organisation_id, urn, kind, detail, rationale, triggers_json, decided_on, decided_by, decided_by_user_id, meeting_id, recorded_at";

/// Work that follows a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct TaskRecord {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    pub decision_id: Option<i64>,
    pub title: String,
    pub owner_role: String,
    pub owner_user_id: Option<i64>,
    pub due_on: String,
    pub reason: String,
    pub done_on: Option<String>,
    pub done_by: Option<String>,
    pub created_at: String,
}

const TASK_COLS: &str = "id, case_id, organisation_id, decision_id, title, owner_role, owner_user_id, due_on, reason, done_on, done_by, created_at";

/// One step on a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EventRecord {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    /// The date of the step (ISO date).
    pub at: String,
    pub kind: String,
    pub summary: String,
    pub actor: String,
    pub actor_user_id: Option<i64>,
    pub escalation_action: Option<String>,
    pub ref_kind: Option<String>,
    pub ref_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub recorded_at: String,
}

const EVENT_COLS: &str = "id, case_id, organisation_id, at, kind, summary, actor, actor_user_id, escalation_action, ref_kind, ref_id, meeting_id, recorded_at";

/// A new step for a case's timeline. Other modules (meetings, plans) add
/// their own kinds with [`add_event`].
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub at: Option<Date>,
    pub kind: &'a str,
    pub summary: String,
    pub escalation_action: Option<&'a str>,
    pub ref_kind: Option<&'a str>,
    pub ref_id: Option<i64>,
    pub meeting_id: Option<i64>,
}

/// Appends a step to a case's timeline (audited). `at` defaults to today.
pub async fn add_event(
    tx: &mut Tx,
    actor: &Actor,
    case: &CaseRecord,
    event: NewEvent<'_>,
) -> Result<EventRecord> {
    let at = event.at.map(iso).unwrap_or_else(|| now()[..10].to_owned());
    let rec: EventRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO concern_case_events (case_id, organisation_id, at, kind, summary, actor, actor_user_id,
             escalation_action, ref_kind, ref_id, meeting_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {EVENT_COLS}"))
        .bind(case.id).bind(case.organisation_id).bind(&at).bind(event.kind).bind(&event.summary)
        .bind(&actor.label).bind(actor.user_id).bind(event.escalation_action).bind(event.ref_kind)
        .bind(event.ref_id).bind(event.meeting_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created(
            "concern_case_event",
            rec.id,
            Some(case.organisation_id),
            &rec,
        ),
    )
    .await?;
    Ok(rec)
}

// ---------------------------------------------------------------------------
// Context read inside a transaction

/// The working-day calendar in force: the bank holidays stored by
/// `uplift calendar update`, or the copy shipped with Uplift.
pub async fn calendar(tx: &mut Tx) -> Result<BankHolidays> {
    let stored: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT value FROM settings WHERE key = $1")
        .bind(crate::settings::BANK_HOLIDAYS).fetch_optional(&mut **c).await)?;
    match stored {
        Some(text) => BankHolidays::parse(&text).map_err(invalid),
        None => BankHolidays::bundled().map_err(invalid),
    }
}

/// The organisation's policy in force, read in the transaction.
pub async fn policy_in(tx: &mut Tx, organisation_id: i64) -> Result<Option<Policy>> {
    let rec: Option<PolicyRecord> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, organisation_id, name, title, preset, source_name, source_text, adopted_by,
                adopted_by_user_id, adopted_at
         FROM organisation_policies WHERE organisation_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(organisation_id).fetch_optional(&mut **c).await)?;
    if let Some(r) = rec {
        return Ok(Some(r.load()?));
    }
    // No policy adopted: the default preset for the organisation's kind is in
    // force, exactly as categorisation reads it (`Db::policy_in_force`).
    let kind: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT kind FROM organisations WHERE id = $1")
        .bind(organisation_id).fetch_optional(&mut **c).await)?;
    match kind {
        Some(kind) => {
            crate::categorisation::load_policy(crate::categorisation::PolicySource::Preset(
                crate::categorisation::default_preset(&kind),
            ))
            .map(Some)
            .map_err(|e| StoreError::Invalid(crate::categorisation::describe_errors(&e)))
        }
        None => Ok(None),
    }
}

/// The policy's working-day deadlines for the work that follows a decision.
pub async fn deadlines(tx: &mut Tx, organisation_id: i64) -> Result<FollowUpDeadlines> {
    Ok(match policy_in(tx, organisation_id).await? {
        Some(p) => FollowUpDeadlines::from_policy(&p),
        None => FollowUpDeadlines::default(),
    })
}

/// The compliance period the policy gives a warning notice by default
/// (`warning_notice_compliance`), when it sets one.
pub async fn default_compliance_days(tx: &mut Tx, organisation_id: i64) -> Result<Option<u32>> {
    Ok(policy_in(tx, organisation_id)
        .await?
        .and_then(|p| CompliancePeriod::policy_default(&p).ok())
        .map(|c| c.working_days()))
}

#[derive(Debug, Clone, FromRow)]
struct SchoolRow {
    urn: i64,
    name: String,
    governance: Option<String>,
    head_title: Option<String>,
    head_first_name: Option<String>,
    head_last_name: Option<String>,
    trust: Option<String>,
}

impl SchoolRow {
    fn head(&self) -> String {
        let parts: Vec<&str> = [
            &self.head_title,
            &self.head_first_name,
            &self.head_last_name,
        ]
        .into_iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .collect();
        if parts.is_empty() {
            "The Headteacher".into()
        } else {
            parts.join(" ")
        }
    }
}

async fn school_in_estate(tx: &mut Tx, organisation_id: i64, urn: i64) -> Result<SchoolRow> {
    let row: Option<SchoolRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT s.urn, s.name, s.governance, s.head_title, s.head_first_name, s.head_last_name, s.trust
         FROM schools s JOIN organisation_schools o ON o.urn = s.urn
         WHERE o.organisation_id = $1 AND s.urn = $2")
        .bind(organisation_id).bind(urn).fetch_optional(&mut **c).await)?;
    row.ok_or_else(|| StoreError::NotFound(format!("school {urn} in this organisation")))
}

async fn organisation_name(tx: &mut Tx, organisation_id: i64) -> Result<String> {
    let name: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT name FROM organisations WHERE id = $1")
        .bind(organisation_id).fetch_optional(&mut **c).await)?;
    name.ok_or_else(|| StoreError::NotFound(format!("organisation {organisation_id}")))
}

/// The open case of a school, if it is on the list.
pub async fn open_case(tx: &mut Tx, organisation_id: i64, urn: i64) -> Result<Option<CaseRecord>> {
    Ok(on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM concern_cases WHERE organisation_id = $1 AND urn = $2 AND closed_on IS NULL"))
        .bind(organisation_id).bind(urn).fetch_optional(&mut **c).await)?)
}

/// A case by id within an organisation.
pub async fn case_in(tx: &mut Tx, organisation_id: i64, case_id: i64) -> Result<CaseRecord> {
    let rec: Option<CaseRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM concern_cases WHERE organisation_id = $1 AND id = $2"))
        .bind(organisation_id).bind(case_id).fetch_optional(&mut **c).await)?;
    rec.ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))
}

async fn events_in(tx: &mut Tx, case_id: i64) -> Result<Vec<EventRecord>> {
    Ok(on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {EVENT_COLS} FROM concern_case_events WHERE case_id = $1 ORDER BY id"))
        .bind(case_id).fetch_all(&mut **c).await)?)
}

async fn decisions_in(tx: &mut Tx, case_id: i64) -> Result<Vec<DecisionRecord>> {
    Ok(on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {DECISION_COLS} FROM concern_decisions WHERE case_id = $1 ORDER BY id"))
        .bind(case_id).fetch_all(&mut **c).await)?)
}

/// The domain case rebuilt from its stored decisions and Lead Officer
/// assignments, in the order they were recorded.
async fn domain_case(tx: &mut Tx, case: &CaseRecord) -> Result<Case> {
    let mut out = Case::new(governance_from(Some(&case.governance)));
    let decisions: BTreeMap<i64, DecisionRecord> = decisions_in(tx, case.id)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let events = events_in(tx, case.id).await?;
    let none = CaseFacts::default();
    for e in events {
        match (e.kind.as_str(), e.ref_id) {
            ("decision", Some(id)) => {
                let Some(d) = decisions.get(&id) else {
                    continue;
                };
                let Some(kind) = parse_decision_kind(&d.kind, d.detail.as_deref()) else {
                    continue;
                };
                let decision = Decision::new(
                    kind.clone(),
                    parse_date(&d.decided_on)?,
                    &d.rationale,
                    d.triggers(),
                )
                .map_err(invalid)?;
                // Replayed: the removal rule was checked when it was recorded.
                if kind == DecisionKind::Remove {
                    continue;
                }
                out.decide(decision, &none).map_err(invalid)?;
            }
            ("lead_officer", _) => {
                let name = e
                    .summary
                    .strip_prefix("Lead Officer: ")
                    .unwrap_or(&e.summary)
                    .to_owned();
                out.assign_lead_officer(parse_date(&e.at)?, &name)
                    .map_err(invalid)?;
            }
            _ => {}
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Decisions

/// A decision to record about a school.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub organisation_id: i64,
    pub urn: i64,
    /// The decision, already checked by the domain (`Decision::new`).
    pub decision: Decision,
    /// The meeting that took the decision (meetings' own table), if any.
    pub meeting_id: Option<i64>,
    /// The meeting's name for the letter ("the Schools Review Group of ..."),
    /// if any.
    pub meeting_name: Option<String>,
    /// The school's category when designated (from categorisation).
    pub category: Option<String>,
    /// Who signs the letters drafted from the decision.
    pub signatory_name: String,
    pub signatory_role: String,
}

/// What recording a decision did.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedDecision {
    pub decision: DecisionRecord,
    /// The case (opened by a designation), `None` for a decision about a
    /// school with no case.
    pub case: Option<CaseRecord>,
    pub tasks: Vec<TaskRecord>,
    pub letters: Vec<LetterRecord>,
}

/// Records a decision about a school inside the caller's transaction, and
/// creates the work that follows it.
///
/// * A designation opens a case (a school has at most one open case),
///   with the triggers that applied; removal closes it. Every other decision
///   needs the open case, except "other", which may be about a school with
///   no case (`case_id` NULL, no follow-up work).
/// * The domain checks the decision first (`Decision::new`: rationale
///   required; `Case::check`: the state allows it; removal goes through
///   `can_remove(facts)` — pass the school's facts from [`Db::case_facts`]).
///   A refused decision returns `StoreError::Invalid` with the reason and
///   writes nothing.
/// * The follow-ups (`consequences`) are written: the list change, each
///   letter drafted from the organisation's template (addressed to the
///   headteacher and chair of governors), each task with its owner and due
///   date in working days (bank holidays counted).
/// * `meeting_id` links the decision (and its timeline events) to the
///   meeting that took it; no foreign key is checked here.
/// * Every row is audited and every step is an event on the case timeline.
pub async fn record_decision(
    tx: &mut Tx,
    actor: &Actor,
    new: &NewDecision,
    facts: &CaseFacts,
) -> Result<RecordedDecision> {
    let decision = &new.decision;
    let school = school_in_estate(tx, new.organisation_id, new.urn).await?;
    let existing = open_case(tx, new.organisation_id, new.urn).await?;
    let governance = match &existing {
        Some(c) => governance_from(Some(&c.governance)),
        None => governance_from(school.governance.as_deref()),
    };
    if !matches!(governance, Governance::Maintained | Governance::Academy) {
        return Err(StoreError::Invalid(format!(
            "{} is not a maintained school or an academy, so it cannot be on the causing-concern list",
            school.name
        )));
    }
    let (kind, detail) = decision_kind_str(&decision.kind);
    let domain = match &existing {
        Some(c) => domain_case(tx, c).await?,
        None => Case::new(governance),
    };
    if existing.is_none()
        && !matches!(
            decision.kind,
            DecisionKind::Designate | DecisionKind::NotAPriority | DecisionKind::Other(_)
        )
    {
        return Err(StoreError::Invalid(format!(
            "{} is not on the causing-concern list: designate it first (\"{}\" needs a case)",
            school.name,
            decision.kind.label()
        )));
    }
    let next = domain.check(decision, facts)?;
    let today = now();
    // The case: opened by a designation.
    let mut case = match existing {
        Some(c) => Some(c),
        None if decision.kind == DecisionKind::Designate => {
            let rec: CaseRecord = on_tx!(tx, c => sqlx::query_as(&format!(
                "INSERT INTO concern_cases (organisation_id, urn, state, governance, escalation_stage, category,
                     opened_on, trust_name, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $8) RETURNING {CASE_COLS}"))
                .bind(new.organisation_id).bind(new.urn).bind(state_str(next))
                .bind(governance_str(governance)).bind(&new.category).bind(iso(decision.date))
                .bind(&school.trust).bind(&today)
                .fetch_one(&mut **c).await)?;
            audit::record(
                tx,
                actor,
                Change::created("concern_case", rec.id, Some(rec.organisation_id), &rec),
            )
            .await?;
            Some(rec)
        }
        None => None,
    };
    let triggers_json = to_json(&decision.triggers)?;
    let rec: DecisionRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO concern_decisions (case_id, organisation_id, urn, kind, detail, rationale, triggers_json,
             decided_on, decided_by, decided_by_user_id, meeting_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {DECISION_COLS}"))
        .bind(case.as_ref().map(|c| c.id)).bind(new.organisation_id).bind(new.urn).bind(kind)
        .bind(&detail).bind(decision.rationale.as_str()).bind(&triggers_json).bind(iso(decision.date))
        .bind(&actor.label).bind(actor.user_id).bind(new.meeting_id).bind(&today)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("concern_decision", rec.id, Some(new.organisation_id), &rec),
    )
    .await?;
    let mut out = RecordedDecision {
        decision: rec.clone(),
        case: None,
        tasks: Vec::new(),
        letters: Vec::new(),
    };
    let Some(case_rec) = case.as_mut() else {
        // A decision about a school with no case: "not a priority" drafts its
        // letter, which belongs to the school (case_id NULL); "other" creates
        // no work.
        if decision.kind == DecisionKind::NotAPriority {
            let cal = calendar(tx).await?;
            let dl = deadlines(tx, new.organisation_id).await?;
            for f in consequences(decision, governance, &cal, &dl).map_err(invalid)? {
                if let FollowUp::Letter { kind, due, reason } = f {
                    let ctx = decision_context(tx, new, None, &school, decision, facts).await?;
                    let letter = draft_school_letter(
                        tx,
                        actor,
                        new.organisation_id,
                        new.urn,
                        None,
                        DraftLetter {
                            on: decision.date,
                            kind,
                            decision_id: Some(rec.id),
                            notice_id: None,
                            context: ctx,
                            due_on: Some(due),
                            note: &reason,
                            meeting_id: new.meeting_id,
                        },
                    )
                    .await?;
                    out.letters.push(letter);
                }
            }
        }
        return Ok(out);
    };
    // The case's new state.
    let before = case_rec.clone();
    case_rec.state = state_str(next).to_owned();
    if next == CaseState::Removed {
        case_rec.closed_on = Some(iso(decision.date));
    }
    if matches!(next, CaseState::Removed | CaseState::AwaitingLeadOfficer) {
        case_rec.lead_officer_name = None;
        case_rec.lead_officer_user_id = None;
    }
    if before != *case_rec {
        case_rec.updated_at = today.clone();
        update_case(tx, actor, &before, case_rec).await?;
    }
    let mut summary = format!("{}: {}", decision.kind.label(), decision.rationale.as_str());
    if !decision.triggers.is_empty() {
        summary.push_str(&format!(" (triggers: {})", decision.triggers.join("; ")));
    }
    add_event(
        tx,
        actor,
        case_rec,
        NewEvent {
            at: Some(decision.date),
            kind: "decision",
            summary,
            ref_kind: Some("decision"),
            ref_id: Some(rec.id),
            meeting_id: new.meeting_id,
            ..Default::default()
        },
    )
    .await?;
    // The work that follows.
    let cal = calendar(tx).await?;
    let dl = deadlines(tx, new.organisation_id).await?;
    let follow = consequences(decision, governance, &cal, &dl).map_err(invalid)?;
    for f in follow {
        match f {
            FollowUp::List { change } => {
                let words = match change {
                    uplift_domain::concern::ListChange::Add => "Added to the causing-concern list",
                    uplift_domain::concern::ListChange::Keep => "Kept on the causing-concern list",
                    uplift_domain::concern::ListChange::Remove => {
                        "Removed from the causing-concern list"
                    }
                };
                add_event(
                    tx,
                    actor,
                    case_rec,
                    NewEvent {
                        at: Some(decision.date),
                        kind: "list",
                        summary: words.into(),
                        ref_kind: Some("decision"),
                        ref_id: Some(rec.id),
                        meeting_id: new.meeting_id,
                        ..Default::default()
                    },
                )
                .await?;
            }
            FollowUp::Task {
                title,
                owner,
                due,
                reason,
            } => {
                let owner_user = if owner == OwnerRole::LeadOfficer {
                    case_rec.lead_officer_user_id
                } else {
                    None
                };
                let t = create_task(
                    tx,
                    actor,
                    case_rec,
                    NewTask {
                        created_on: Some(decision.date),
                        decision_id: Some(rec.id),
                        title: &title,
                        owner_role: owner_role_str(owner),
                        owner_user_id: owner_user,
                        due_on: due,
                        reason: &reason,
                        meeting_id: new.meeting_id,
                    },
                )
                .await?;
                out.tasks.push(t);
            }
            FollowUp::Letter { kind, due, reason } => {
                let ctx =
                    decision_context(tx, new, Some(case_rec), &school, decision, facts).await?;
                let letter = draft_letter(
                    tx,
                    actor,
                    case_rec,
                    DraftLetter {
                        on: decision.date,
                        kind,
                        decision_id: Some(rec.id),
                        notice_id: None,
                        context: ctx,
                        due_on: Some(due),
                        note: &reason,
                        meeting_id: new.meeting_id,
                    },
                )
                .await?;
                out.letters.push(letter);
            }
        }
    }
    out.case = Some(case_rec.clone());
    Ok(out)
}

/// The values a decision's letter is rendered with.
async fn decision_context(
    tx: &mut Tx,
    new: &NewDecision,
    case: Option<&CaseRecord>,
    school: &SchoolRow,
    decision: &Decision,
    facts: &CaseFacts,
) -> Result<LetterContext> {
    let mut ctx = school_context(
        tx,
        new.organisation_id,
        case,
        school,
        &new.signatory_name,
        &new.signatory_role,
        decision.date,
    )
    .await?;
    ctx.set("decision.date", long_date(decision.date));
    ctx.set("decision.rationale", decision.rationale.as_str());
    ctx.set(
        "decision.triggers",
        decision
            .triggers
            .iter()
            .map(|t| format!("- {t}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    ctx.set(
        "meeting.name",
        new.meeting_name
            .clone()
            .unwrap_or_else(|| "the authority's review of the school".into()),
    );
    ctx.set("concerns", decision.rationale.as_str());
    ctx.set("recommended_action", decision.rationale.as_str());
    ctx.set("engagement", decision.rationale.as_str());
    ctx.set("inspection.summary", removal_summary(facts));
    Ok(ctx)
}

fn removal_summary(facts: &CaseFacts) -> String {
    let mut ordered: Vec<_> = facts.inspections.iter().collect();
    ordered.sort_by_key(|i| uplift_domain::policy::inspection_date(i));
    for i in ordered.iter().rev() {
        if let Standing::GoodOrBetter { reason } = standing(i, facts.report_card_equivalent) {
            let mut r = reason;
            if let Some(first) = r.get(..1) {
                let up = first.to_uppercase();
                r.replace_range(..1, &up);
            }
            return format!("{r}.");
        }
    }
    "The school's latest inspection allows removal.".into()
}

async fn update_case(
    tx: &mut Tx,
    actor: &Actor,
    before: &CaseRecord,
    after: &CaseRecord,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE concern_cases SET state = $1, escalation_stage = $2, closed_on = $3,
             lead_officer_user_id = $4, lead_officer_name = $5, chair_name = $6, trust_name = $7,
             updated_at = $8
         WHERE id = $9")
        .bind(&after.state).bind(&after.escalation_stage).bind(&after.closed_on)
        .bind(after.lead_officer_user_id).bind(&after.lead_officer_name).bind(&after.chair_name)
        .bind(&after.trust_name).bind(&after.updated_at).bind(after.id)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        Change::updated(
            "concern_case",
            after.id,
            Some(after.organisation_id),
            before,
            after,
        ),
    )
    .await
}

// ---------------------------------------------------------------------------
// Tasks

/// A task to create on a case.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    /// The date of the step that created the task (today when `None`).
    pub created_on: Option<Date>,
    pub decision_id: Option<i64>,
    pub title: &'a str,
    pub owner_role: &'a str,
    pub owner_user_id: Option<i64>,
    pub due_on: Date,
    pub reason: &'a str,
    pub meeting_id: Option<i64>,
}

/// Creates a task on a case (audited, on the timeline).
pub async fn create_task(
    tx: &mut Tx,
    actor: &Actor,
    case: &CaseRecord,
    t: NewTask<'_>,
) -> Result<TaskRecord> {
    if t.title.trim().is_empty() {
        return Err(StoreError::Invalid("a task needs a title".into()));
    }
    let rec: TaskRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO concern_tasks (case_id, organisation_id, decision_id, title, owner_role, owner_user_id,
             due_on, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {TASK_COLS}"))
        .bind(case.id).bind(case.organisation_id).bind(t.decision_id).bind(t.title.trim())
        .bind(t.owner_role).bind(t.owner_user_id).bind(iso(t.due_on)).bind(t.reason).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("concern_task", rec.id, Some(case.organisation_id), &rec),
    )
    .await?;
    add_event(
        tx,
        actor,
        case,
        NewEvent {
            at: t.created_on,
            kind: "task",
            summary: format!(
                "Task: {} ({}, due {})",
                rec.title,
                owner_role_label(&rec.owner_role),
                long_date(t.due_on)
            ),
            ref_kind: Some("task"),
            ref_id: Some(rec.id),
            meeting_id: t.meeting_id,
            ..Default::default()
        },
    )
    .await?;
    Ok(rec)
}

/// Marks a task done (audited, on the timeline).
pub async fn complete_task(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    task_id: i64,
    on: Date,
) -> Result<TaskRecord> {
    let before: Option<TaskRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {TASK_COLS} FROM concern_tasks WHERE id = $1 AND organisation_id = $2"))
        .bind(task_id).bind(organisation_id).fetch_optional(&mut **c).await)?;
    let before = before.ok_or_else(|| StoreError::NotFound(format!("task {task_id}")))?;
    if before.done_on.is_some() {
        return Err(StoreError::Invalid("the task is already done".into()));
    }
    let after: TaskRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "UPDATE concern_tasks SET done_on = $1, done_by = $2 WHERE id = $3 RETURNING {TASK_COLS}"))
        .bind(iso(on)).bind(&actor.label).bind(task_id).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::updated(
            "concern_task",
            task_id,
            Some(organisation_id),
            &before,
            &after,
        ),
    )
    .await?;
    let case = case_in(tx, organisation_id, after.case_id).await?;
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(on),
            kind: "task_done",
            summary: format!("Task done: {}", after.title),
            ref_kind: Some("task"),
            ref_id: Some(task_id),
            ..Default::default()
        },
    )
    .await?;
    Ok(after)
}

// ---------------------------------------------------------------------------
// Lead Officer and case details

/// Assigns the Lead Officer of a case (a user of the organisation). The
/// history is on the timeline.
pub async fn assign_lead_officer(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    user_id: i64,
    on: Date,
) -> Result<CaseRecord> {
    let before = case_in(tx, organisation_id, case_id).await?;
    let user: Option<(String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT name, role FROM users WHERE id = $1 AND organisation_id = $2 AND active = TRUE")
        .bind(user_id).bind(organisation_id).fetch_optional(&mut **c).await)?;
    let Some((name, role)) = user else {
        return Err(StoreError::Invalid(
            "the Lead Officer must be an active user of this organisation".into(),
        ));
    };
    if role == "school" {
        return Err(StoreError::Invalid(
            "a school user cannot be a Lead Officer".into(),
        ));
    }
    let mut domain = domain_case(tx, &before).await?;
    let next = domain.assign_lead_officer(on, &name)?;
    let mut after = before.clone();
    after.state = state_str(next).to_owned();
    after.lead_officer_user_id = Some(user_id);
    after.lead_officer_name = Some(name.clone());
    after.updated_at = now();
    update_case(tx, actor, &before, &after).await?;
    let summary = match &before.lead_officer_name {
        Some(prev) if prev != &name => format!("Lead Officer: {name}"),
        _ => format!("Lead Officer: {name}"),
    };
    add_event(
        tx,
        actor,
        &after,
        NewEvent {
            at: Some(on),
            kind: "lead_officer",
            summary,
            ref_kind: Some("user"),
            ref_id: Some(user_id),
            ..Default::default()
        },
    )
    .await?;
    // Open Lead Officer tasks pass to the new Lead Officer.
    on_tx!(tx, c => sqlx::query(
        "UPDATE concern_tasks SET owner_user_id = $1 WHERE case_id = $2 AND owner_role = 'lead_officer' AND done_on IS NULL")
        .bind(user_id).bind(case_id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(after)
}

/// Records the chair of governors (the register does not hold it) and the
/// trust's name, used to address letters. The chair is the school's (saved in
/// `school_contacts`, the one place it is typed, see [`crate::contacts`]);
/// the trust's name stays on the case. `chair_name` `None` leaves the chair
/// as it is.
pub async fn set_case_contacts(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    chair_name: Option<&str>,
    trust_name: Option<&str>,
) -> Result<CaseRecord> {
    let before = case_in(tx, organisation_id, case_id).await?;
    let clean = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let mut after = before.clone();
    after.trust_name = clean(trust_name).or(before.trust_name.clone());
    if let Some(chair) = chair_name {
        let was = crate::contacts::get(tx, organisation_id, before.urn).await?;
        let saved =
            crate::contacts::save_chair(tx, actor, organisation_id, before.urn, Some(chair))
                .await?;
        if was.and_then(|w| w.chair_name) != saved.chair_name {
            add_event(
                tx,
                actor,
                &before,
                NewEvent {
                    kind: "contacts",
                    summary: format!(
                        "Chair of governors: {}",
                        saved.chair_name.as_deref().unwrap_or("not recorded")
                    ),
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    if after == before {
        return Ok(after);
    }
    after.updated_at = now();
    update_case(tx, actor, &before, &after).await?;
    add_event(
        tx,
        actor,
        &after,
        NewEvent {
            kind: "contacts",
            summary: format!(
                "Academy trust: {}",
                after.trust_name.as_deref().unwrap_or("not recorded")
            ),
            ..Default::default()
        },
    )
    .await?;
    Ok(after)
}

// ---------------------------------------------------------------------------
// Letter templates

/// An organisation's own template for a letter kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct TemplateRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub kind: String,
    pub body: String,
    pub updated_by: String,
    pub updated_by_user_id: Option<i64>,
    pub updated_at: String,
}

const TEMPLATE_COLS: &str =
    "id, organisation_id, kind, body, updated_by, updated_by_user_id, updated_at";

/// The template text in force for a kind: the organisation's latest, or the
/// default shipped with Uplift (`None` in the second field).
pub async fn template_text(
    tx: &mut Tx,
    organisation_id: i64,
    kind: LetterKind,
) -> Result<(String, Option<TemplateRecord>)> {
    let rec: Option<TemplateRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {TEMPLATE_COLS} FROM letter_templates WHERE organisation_id = $1 AND kind = $2
         ORDER BY id DESC LIMIT 1"))
        .bind(organisation_id).bind(kind.slug()).fetch_optional(&mut **c).await)?;
    Ok(match rec {
        Some(r) => (r.body.clone(), Some(r)),
        None => (kind.default_text().to_owned(), None),
    })
}

/// The template problems, one line each (line and column, the placeholder).
pub fn describe_template_errors(errors: &[uplift_domain::concern::TemplateError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

/// Saves an organisation's template for a kind (audited). A template that
/// does not parse (an unknown placeholder, a missing required one) is
/// refused with every problem and its line, and nothing is saved.
pub async fn save_template(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    kind: LetterKind,
    body: &str,
) -> Result<TemplateRecord> {
    let body = body.replace("\r\n", "\n");
    if let Err(errors) = Template::parse(kind, &body) {
        return Err(StoreError::Invalid(
            describe_template_errors(&errors).join("; "),
        ));
    }
    let (_, before) = template_text(tx, organisation_id, kind).await?;
    let rec: TemplateRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO letter_templates (organisation_id, kind, body, updated_by, updated_by_user_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TEMPLATE_COLS}"))
        .bind(organisation_id).bind(kind.slug()).bind(&body).bind(&actor.label).bind(actor.user_id)
        .bind(now()).fetch_one(&mut **c).await)?;
    let change = match &before {
        Some(b) => Change::updated(
            "letter_template",
            kind.slug(),
            Some(organisation_id),
            b,
            &rec,
        ),
        None => Change::created("letter_template", kind.slug(), Some(organisation_id), &rec),
    };
    audit::record(tx, actor, change).await?;
    Ok(rec)
}

// ---------------------------------------------------------------------------
// Letters

/// A letter on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct LetterRecord {
    pub id: i64,
    /// The case the letter belongs to; `None` for a letter about a school
    /// with no case (the "not a priority" letter). Who may read a letter is
    /// decided by (organisation_id, urn).
    pub case_id: Option<i64>,
    pub organisation_id: i64,
    pub urn: i64,
    /// The letter kind's slug.
    pub kind: String,
    pub decision_id: Option<i64>,
    pub notice_id: Option<i64>,
    pub title: String,
    pub headteacher_name: String,
    pub chair_name: String,
    /// For an academy letter: the trust or the regional director.
    pub recipient: Option<String>,
    pub body: String,
    /// draft | issued
    pub status: String,
    pub drafted_on: String,
    pub due_on: Option<String>,
    pub issued_on: Option<String>,
    pub issued_by: Option<String>,
    pub issued_by_user_id: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

const LETTER_COLS: &str = "id, case_id, organisation_id, urn, kind, decision_id, notice_id, title, headteacher_name, chair_name, recipient, body, status, drafted_on, due_on, issued_on, issued_by, issued_by_user_id, created_by, created_at, updated_at";

async fn base_context(
    tx: &mut Tx,
    case: &CaseRecord,
    school: &SchoolRow,
    signatory_name: &str,
    signatory_role: &str,
    date: Date,
) -> Result<LetterContext> {
    school_context(
        tx,
        case.organisation_id,
        Some(case),
        school,
        signatory_name,
        signatory_role,
        date,
    )
    .await
}

/// Who a school's letters are addressed to: the headteacher (the school's
/// recorded contact, else the register's) and the chair of governors (the
/// recorded chair, else the office, "The Chair of Governors").
async fn addressees(
    tx: &mut Tx,
    organisation_id: i64,
    school: &SchoolRow,
) -> Result<(String, String)> {
    let contacts = crate::contacts::get(tx, organisation_id, school.urn).await?;
    let head = contacts
        .as_ref()
        .and_then(|c| c.headteacher_name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| school.head());
    let chair = crate::contacts::SchoolContacts::chair_for_letter(contacts.as_ref());
    Ok((head, chair))
}

/// The values every letter about a school offers; `case` adds its Lead
/// Officer and trust name.
async fn school_context(
    tx: &mut Tx,
    organisation_id: i64,
    case: Option<&CaseRecord>,
    school: &SchoolRow,
    signatory_name: &str,
    signatory_role: &str,
    date: Date,
) -> Result<LetterContext> {
    let authority = organisation_name(tx, organisation_id).await?;
    let (head, chair) = addressees(tx, organisation_id, school).await?;
    let trust = case
        .and_then(|c| c.trust_name.clone())
        .or(school.trust.clone())
        .unwrap_or_else(|| "The academy trust".into());
    let sign = |s: &str, d: &str| {
        if s.trim().is_empty() {
            d.to_owned()
        } else {
            s.trim().to_owned()
        }
    };
    let mut ctx = LetterContext::new()
        .with("authority.name", authority)
        .with("letter.date", long_date(date))
        .with("school.name", school.name.clone())
        .with("school.urn", school.urn.to_string())
        .with("headteacher.name", head)
        .with("chair.name", chair)
        .with(
            "signatory.name",
            sign(signatory_name, "Head of School Improvement"),
        )
        .with(
            "signatory.role",
            sign(signatory_role, "Head of School Improvement"),
        )
        .with(
            "lead_officer.name",
            case.and_then(|c| c.lead_officer_name.clone())
                .unwrap_or_else(|| "to be confirmed".into()),
        )
        .with("trust.name", trust)
        .with("trust.ceo.name", "The Chief Executive")
        .with("regional_director.name", "The Regional Director")
        .with("region.name", "the Department for Education region")
        .with("trust.informed_date", long_date(date))
        .with("decision.date", long_date(date))
        .with(
            "required_action",
            "The actions agreed with your Lead Officer in the school's action plan.",
        )
        .with("recommended_action", "The actions set out above.");
    let cal = calendar(tx).await?;
    if let Ok(d) = cal.add_working_days(date, 10) {
        ctx.set("response_date", long_date(d));
    }
    Ok(ctx)
}

struct DraftLetter<'a> {
    /// The date of the step the letter follows (its place on the timeline).
    on: Date,
    kind: LetterKind,
    decision_id: Option<i64>,
    notice_id: Option<i64>,
    context: LetterContext,
    due_on: Option<Date>,
    note: &'a str,
    meeting_id: Option<i64>,
}

async fn render_letter(
    tx: &mut Tx,
    organisation_id: i64,
    kind: LetterKind,
    context: &LetterContext,
) -> Result<String> {
    let (text, _) = template_text(tx, organisation_id, kind).await?;
    let template = Template::parse(kind, &text).map_err(|e| {
        StoreError::Invalid(format!(
            "the {} template does not parse: {}",
            letter_kind_title(kind),
            describe_template_errors(&e).join("; ")
        ))
    })?;
    // Any placeholder with no value yet is left visibly for the officer.
    let mut ctx = context.clone();
    for (name, what) in kind.placeholders() {
        if !has_value(&ctx, name) {
            ctx.set(name, format!("[{what}]"));
        }
    }
    template.render(&ctx).map_err(invalid)
}

fn has_value(ctx: &LetterContext, name: &str) -> bool {
    // LetterContext keeps its values private; its serialised form shows them.
    serde_json::to_value(ctx)
        .ok()
        .and_then(|v| v.get("values").and_then(|m| m.get(name)).cloned())
        .is_some()
}

async fn draft_letter(
    tx: &mut Tx,
    actor: &Actor,
    case: &CaseRecord,
    d: DraftLetter<'_>,
) -> Result<LetterRecord> {
    draft_school_letter(tx, actor, case.organisation_id, case.urn, Some(case), d).await
}

/// Drafts a letter to a school (audited), on the case's timeline when there
/// is a case.
async fn draft_school_letter(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    urn: i64,
    case: Option<&CaseRecord>,
    d: DraftLetter<'_>,
) -> Result<LetterRecord> {
    let body = render_letter(tx, organisation_id, d.kind, &d.context).await?;
    let school = school_in_estate(tx, organisation_id, urn).await?;
    let (head, chair) = addressees(tx, organisation_id, &school).await?;
    let recipient = match d.kind {
        LetterKind::AcademyConcernToTrust => Some(
            case.and_then(|c| c.trust_name.clone())
                .or(school.trust.clone())
                .unwrap_or_else(|| "The academy trust".into()),
        ),
        LetterKind::AcademyConcernToRegionalDirector => {
            Some("The DfE regional director".to_owned())
        }
        _ => None,
    };
    let today = now();
    let rec: LetterRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO letters (case_id, organisation_id, urn, kind, decision_id, notice_id, title,
             headteacher_name, chair_name, recipient, body, status, drafted_on, due_on, created_by,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12, $13, $14, $15, $15)
         RETURNING {LETTER_COLS}"))
        .bind(case.map(|c| c.id)).bind(organisation_id).bind(urn).bind(d.kind.slug())
        .bind(d.decision_id).bind(d.notice_id).bind(letter_kind_title(d.kind))
        .bind(&head).bind(&chair).bind(&recipient).bind(&body)
        .bind(&today[..10]).bind(d.due_on.map(iso)).bind(&actor.label).bind(&today)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("letter", rec.id, Some(organisation_id), &rec),
    )
    .await?;
    let Some(case) = case else {
        return Ok(rec);
    };
    let due = d
        .due_on
        .map(|x| format!(", to send by {}", long_date(x)))
        .unwrap_or_default();
    add_event(
        tx,
        actor,
        case,
        NewEvent {
            at: Some(d.on),
            kind: "letter_drafted",
            summary: format!(
                "Letter drafted: {}{due}. {}",
                rec.title,
                capitalised(d.note)
            )
            .trim_end()
            .to_owned(),
            ref_kind: Some("letter"),
            ref_id: Some(rec.id),
            meeting_id: d.meeting_id,
            ..Default::default()
        },
    )
    .await?;
    Ok(rec)
}

async fn letter_in(tx: &mut Tx, organisation_id: i64, letter_id: i64) -> Result<LetterRecord> {
    let rec: Option<LetterRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {LETTER_COLS} FROM letters WHERE id = $1 AND organisation_id = $2"))
        .bind(letter_id).bind(organisation_id).fetch_optional(&mut **c).await)?;
    rec.ok_or_else(|| StoreError::NotFound(format!("letter {letter_id}")))
}

/// Edits a draft letter's text (audited). Issued letters do not change.
pub async fn edit_letter(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    letter_id: i64,
    body: &str,
) -> Result<LetterRecord> {
    let before = letter_in(tx, organisation_id, letter_id).await?;
    if before.status != "draft" {
        return Err(StoreError::Invalid(
            "an issued letter cannot be changed".into(),
        ));
    }
    let body = body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        return Err(StoreError::Invalid("the letter needs some text".into()));
    }
    let after: LetterRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "UPDATE letters SET body = $1, updated_at = $2 WHERE id = $3 RETURNING {LETTER_COLS}"))
        .bind(&body).bind(now()).bind(letter_id).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::updated("letter", letter_id, Some(organisation_id), &before, &after),
    )
    .await?;
    Ok(after)
}

/// Issues a draft letter (audited, on the timeline): from now on the school's
/// own users can read it.
pub async fn issue_letter(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    letter_id: i64,
    on: Date,
) -> Result<LetterRecord> {
    let before = letter_in(tx, organisation_id, letter_id).await?;
    if before.status != "draft" {
        return Err(StoreError::Invalid("the letter is already issued".into()));
    }
    let after: LetterRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "UPDATE letters SET status = 'issued', issued_on = $1, issued_by = $2, issued_by_user_id = $3,
             updated_at = $4 WHERE id = $5 RETURNING {LETTER_COLS}"))
        .bind(iso(on)).bind(&actor.label).bind(actor.user_id).bind(now()).bind(letter_id)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::updated("letter", letter_id, Some(organisation_id), &before, &after),
    )
    .await?;
    let Some(case_id) = after.case_id else {
        return Ok(after);
    };
    let case = case_in(tx, organisation_id, case_id).await?;
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(on),
            kind: "letter_issued",
            summary: format!(
                "Letter issued: {} to {} and {}",
                after.title, after.headteacher_name, after.chair_name
            ),
            ref_kind: Some("letter"),
            ref_id: Some(letter_id),
            ..Default::default()
        },
    )
    .await?;
    Ok(after)
}

// ---------------------------------------------------------------------------
// Reads

impl Db {
    /// What the removal rule reads about a school: its inspections in every
    /// format and the policy's own removal check, as of a date.
    pub async fn case_facts(
        &self,
        organisation_id: i64,
        urn: i64,
        as_of: Date,
    ) -> Result<CaseFacts> {
        let policy = self.policy_in_force(organisation_id).await?;
        // A school of the estate from the placements read model; any other on
        // its own facts.
        let placed = match self
            .stored_placed(organisation_id, &policy, as_of, Some(urn))
            .await?
            .pop()
        {
            Some(p) => Some((p.facts, p.placement)),
            None => self
                .facts_for(
                    crate::categorisation::FactsScope::School {
                        organisation_id,
                        urn,
                    },
                    as_of,
                )
                .await?
                .pop()
                .map(|f| {
                    let p = uplift_domain::policy::categorise(&policy, &f);
                    (f, p)
                }),
        };
        let Some((f, placement)) = placed else {
            return Ok(CaseFacts::default());
        };
        Ok(CaseFacts {
            inspections: f.inspections.iter().map(|i| i.inspection.clone()).collect(),
            report_card_equivalent: Default::default(),
            policy_removal: Some(placement.removal),
        })
    }

    /// Whether the school could be removed today, with the reason when not.
    pub async fn removal_check(
        &self,
        organisation_id: i64,
        urn: i64,
        as_of: Date,
    ) -> Result<std::result::Result<(), String>> {
        let facts = self.case_facts(organisation_id, urn, as_of).await?;
        Ok(can_remove(&facts).map_err(|b| b.reason))
    }

    /// A case by id within an organisation.
    pub async fn concern_case(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> Result<Option<CaseRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {CASE_COLS} FROM concern_cases WHERE organisation_id = $1 AND id = $2"))
            .bind(organisation_id).bind(case_id).fetch_optional(p).await)?)
    }

    /// The open case of a school, if any.
    pub async fn open_concern_case(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Option<CaseRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {CASE_COLS} FROM concern_cases WHERE organisation_id = $1 AND urn = $2 AND closed_on IS NULL"))
            .bind(organisation_id).bind(urn).fetch_optional(p).await)?)
    }

    /// The timeline of a case, oldest first.
    pub async fn case_events(&self, case_id: i64) -> Result<Vec<EventRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {EVENT_COLS} FROM concern_case_events WHERE case_id = $1 ORDER BY at, id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// The decisions of a case, oldest first.
    pub async fn case_decisions(&self, case_id: i64) -> Result<Vec<DecisionRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {DECISION_COLS} FROM concern_decisions WHERE case_id = $1 ORDER BY id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// A decision by id within an organisation.
    pub async fn concern_decision(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<DecisionRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {DECISION_COLS} FROM concern_decisions WHERE organisation_id = $1 AND id = $2"))
            .bind(organisation_id).bind(id).fetch_optional(p).await)?)
    }

    /// The decisions of an organisation, newest first (at most `limit`).
    pub async fn concern_decisions(
        &self,
        organisation_id: i64,
        limit: i64,
    ) -> Result<Vec<DecisionRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {DECISION_COLS} FROM concern_decisions WHERE organisation_id = $1 ORDER BY id DESC LIMIT $2"))
            .bind(organisation_id).bind(limit).fetch_all(p).await)?)
    }

    /// The tasks of a case, by due date.
    pub async fn case_tasks(&self, case_id: i64) -> Result<Vec<TaskRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {TASK_COLS} FROM concern_tasks WHERE case_id = $1 ORDER BY due_on, id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// The letters of a case, oldest first.
    pub async fn case_letters(&self, case_id: i64) -> Result<Vec<LetterRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {LETTER_COLS} FROM letters WHERE case_id = $1 ORDER BY id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// A letter by id within an organisation.
    pub async fn letter(&self, organisation_id: i64, id: i64) -> Result<Option<LetterRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {LETTER_COLS} FROM letters WHERE organisation_id = $1 AND id = $2"))
            .bind(organisation_id).bind(id).fetch_optional(p).await)?)
    }

    /// Every letter of one school, with or without a case, oldest first
    /// (for the organisation's officers).
    pub async fn school_letters(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Vec<LetterRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {LETTER_COLS} FROM letters WHERE organisation_id = $1 AND urn = $2 ORDER BY id"))
            .bind(organisation_id).bind(urn).fetch_all(p).await)?)
    }

    /// The date (ISO, YYYY-MM-DD) of the school's latest published data: a
    /// register change or an inspection's publication; `None` without any.
    pub async fn latest_data_date(&self, urn: i64) -> Result<Option<String>> {
        let d: Option<String> = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT MAX(d) FROM (
                 SELECT MAX(changed_on) AS d FROM school_changes WHERE urn = $1
                 UNION ALL SELECT MAX(publication_date) FROM inspections_graded WHERE urn = $1
                 UNION ALL SELECT MAX(publication_date) FROM inspections_ungraded WHERE urn = $1
                 UNION ALL SELECT MAX(publication_date) FROM inspections_report_card WHERE urn = $1
             ) AS x")
            .bind(urn).fetch_one(p).await)?;
        Ok(d.map(|d| d.chars().take(10).collect()))
    }

    /// The schools of the organisation's "considered and not a priority"
    /// decisions since `since` (ISO date), each with its name in the register
    /// and the date of its latest data (as [`Db::latest_data_date`]): one
    /// query however many there are.
    pub async fn considered_schools(
        &self,
        organisation_id: i64,
        since: &str,
    ) -> Result<HashMap<i64, (Option<String>, Option<String>)>> {
        let rows: Vec<(i64, Option<String>, Option<String>)> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT u.urn, s.name, (SELECT MAX(x.d) FROM (
                     SELECT MAX(changed_on) AS d FROM school_changes WHERE urn = u.urn
                     UNION ALL SELECT MAX(publication_date) FROM inspections_graded WHERE urn = u.urn
                     UNION ALL SELECT MAX(publication_date) FROM inspections_ungraded WHERE urn = u.urn
                     UNION ALL SELECT MAX(publication_date) FROM inspections_report_card WHERE urn = u.urn
                 ) AS x) AS latest
             FROM (SELECT DISTINCT urn FROM concern_decisions
                   WHERE organisation_id = $1 AND kind = 'not_a_priority' AND decided_on >= $2) AS u
             LEFT JOIN schools s ON s.urn = u.urn")
            .bind(organisation_id).bind(since).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(urn, name, latest)| (urn, (name, latest.map(|d| d.chars().take(10).collect()))))
            .collect())
    }

    /// The "considered and not a priority" decisions of an organisation
    /// decided on or after `since` (ISO date), newest first; `urn` narrows
    /// them to one school.
    pub async fn not_a_priority_decisions(
        &self,
        organisation_id: i64,
        urn: Option<i64>,
        since: &str,
    ) -> Result<Vec<DecisionRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {DECISION_COLS} FROM concern_decisions
             WHERE organisation_id = $1 AND kind = 'not_a_priority' AND decided_on >= $2
                 AND ($3 IS NULL OR urn = $3)
             ORDER BY decided_on DESC, id DESC"))
            .bind(organisation_id).bind(since).bind(urn).fetch_all(p).await)?)
    }

    /// The issued letters of one school (what its own users may read).
    pub async fn issued_letters_for_school(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Vec<LetterRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {LETTER_COLS} FROM letters WHERE organisation_id = $1 AND urn = $2 AND status = 'issued' ORDER BY id"))
            .bind(organisation_id).bind(urn).fetch_all(p).await)?)
    }

    /// Every case of an organisation (open first, then closed), with the
    /// school's name and the next open deadline.
    pub async fn concern_cases(&self, organisation_id: i64) -> Result<Vec<CaseSummary>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT c.id, c.urn, s.name AS school_name, c.state, c.governance, c.escalation_stage, c.category,
                    c.opened_on, c.closed_on, c.lead_officer_user_id, c.lead_officer_name,
                    (SELECT MIN(t.due_on) FROM concern_tasks t WHERE t.case_id = c.id AND t.done_on IS NULL) AS next_task_due,
                    (SELECT MIN(n.compliance_end_on) FROM concern_notices n WHERE n.case_id = c.id AND n.kind = 'warning_notice' AND n.outcome IS NULL) AS compliance_end_on
             FROM concern_cases c JOIN schools s ON s.urn = c.urn
             WHERE c.organisation_id = $1
             ORDER BY (c.closed_on IS NULL) DESC, s.name, c.id")
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// The organisation's own letter templates in force, by kind slug.
    pub async fn letter_templates(
        &self,
        organisation_id: i64,
    ) -> Result<BTreeMap<String, TemplateRecord>> {
        let rows: Vec<TemplateRecord> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {TEMPLATE_COLS} FROM letter_templates WHERE organisation_id = $1 ORDER BY id"))
            .bind(organisation_id).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|r| (r.kind.clone(), r)).collect())
    }
}

/// A row of the causing-concern list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct CaseSummary {
    pub id: i64,
    pub urn: i64,
    pub school_name: String,
    pub state: String,
    pub governance: String,
    pub escalation_stage: String,
    pub category: Option<String>,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub lead_officer_user_id: Option<i64>,
    pub lead_officer_name: Option<String>,
    pub next_task_due: Option<String>,
    pub compliance_end_on: Option<String>,
}

impl CaseSummary {
    /// The nearest open deadline: a task's due date or a compliance end date.
    pub fn next_deadline(&self) -> Option<&str> {
        match (
            self.next_task_due.as_deref(),
            self.compliance_end_on.as_deref(),
        ) {
            (Some(a), Some(b)) => Some(if a <= b { a } else { b }),
            (a, b) => a.or(b),
        }
    }
}

// ---------------------------------------------------------------------------
// Escalation

/// A letter of concern or a warning notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct NoticeRecord {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    /// letter_of_concern | warning_notice
    pub kind: String,
    /// s60 | s60a (warning notices)
    pub section: Option<String>,
    pub grounds_json: String,
    pub concerns_json: String,
    pub required_action_json: String,
    pub compliance_days: Option<i64>,
    pub compliance_end_on: Option<String>,
    pub issued_on: String,
    pub signed_by: String,
    pub signed_by_user_id: Option<i64>,
    /// complied | not_complied
    pub outcome: Option<String>,
    pub outcome_on: Option<String>,
    pub outcome_reason: Option<String>,
    pub recorded_at: String,
}

impl NoticeRecord {
    pub fn grounds(&self) -> Vec<Ground> {
        json_list(&self.grounds_json)
            .iter()
            .filter_map(|g| parse_ground(g))
            .collect()
    }
    pub fn concerns(&self) -> Vec<String> {
        json_list(&self.concerns_json)
    }
    pub fn required_action(&self) -> Vec<String> {
        json_list(&self.required_action_json)
    }
}

const NOTICE_COLS: &str = "id, case_id, organisation_id, kind, section, grounds_json, concerns_json, required_action_json, compliance_days, compliance_end_on, issued_on, signed_by, signed_by_user_id, outcome, outcome_on, outcome_reason, recorded_at";

/// Written notice of proposed powers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct WrittenNoticeRecord {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    pub notice_id: Option<i64>,
    pub given_on: String,
    pub proposed_json: String,
    pub reason: String,
    pub signed_by: String,
    pub signed_by_user_id: Option<i64>,
    pub recorded_at: String,
}

impl WrittenNoticeRecord {
    pub fn proposed(&self) -> Vec<PowerKind> {
        json_list(&self.proposed_json)
            .iter()
            .filter_map(|p| parse_power(p))
            .collect()
    }
}

const WRITTEN_COLS: &str = "id, case_id, organisation_id, notice_id, given_on, proposed_json, reason, signed_by, signed_by_user_id, recorded_at";

/// Eligibility for intervention by a category route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EligibilityRecord {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    pub route: String,
    pub eligible_on: String,
    pub evidence: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

const ELIGIBILITY_COLS: &str =
    "id, case_id, organisation_id, route, eligible_on, evidence, recorded_by, recorded_at";

/// A power used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct PowerUseRecord {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    pub power: String,
    /// The domain's `Power` as JSON.
    pub detail_json: String,
    pub used_on: String,
    pub signed_off_by: String,
    pub signed_off_by_user_id: Option<i64>,
    pub recorded_at: String,
}

impl PowerUseRecord {
    pub fn detail(&self) -> Option<Power> {
        serde_json::from_str(&self.detail_json).ok()
    }
}

const POWER_COLS: &str = "id, case_id, organisation_id, power, detail_json, used_on, signed_off_by, signed_off_by_user_id, recorded_at";

/// A concern about an academy raised with its trust or the regional director.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AcademyConcernRecord {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    /// trust | regional_director
    pub raised_with: String,
    pub recipient: String,
    pub raised_on: String,
    pub concerns: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

const ACADEMY_COLS: &str = "id, case_id, organisation_id, raised_with, recipient, raised_on, concerns, recorded_by, recorded_at";

fn action_str(a: uplift_domain::concern::Action) -> &'static str {
    use uplift_domain::concern::Action as A;
    match a {
        A::SendLetterOfConcern => "send_letter_of_concern",
        A::GiveWarningNotice => "give_warning_notice",
        A::RecordComplied => "record_complied",
        A::RecordNotComplied => "record_not_complied",
        A::GiveWrittenNotice => "give_written_notice",
        A::RecordCategoryRoute => "record_category_route",
        A::UsePower => "use_power",
        A::RaiseWithTrust => "raise_with_trust",
        A::RaiseWithRegionalDirector => "raise_with_regional_director",
    }
}

async fn notice_by_id(tx: &mut Tx, id: i64) -> Result<NoticeRecord> {
    let rec: Option<NoticeRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {NOTICE_COLS} FROM concern_notices WHERE id = $1"))
        .bind(id).fetch_optional(&mut **c).await)?;
    rec.ok_or_else(|| StoreError::NotFound(format!("notice {id}")))
}

fn draft_of(n: &NoticeRecord) -> Result<WarningNoticeDraft> {
    Ok(WarningNoticeDraft {
        issued: parse_date(&n.issued_on)?,
        grounds: n.grounds(),
        concerns: n.concerns(),
        required_action: n.required_action(),
        compliance_period: CompliancePeriod::new(
            u32::try_from(n.compliance_days.unwrap_or(0)).unwrap_or(0),
        )
        .map_err(invalid)?,
        signed_by: n.signed_by.clone(),
    })
}

/// The domain escalation of a case, replayed from its stored steps.
pub async fn escalation(tx: &mut Tx, case: &CaseRecord, cal: &BankHolidays) -> Result<Escalation> {
    let mut esc = Escalation::new(governance_from(Some(&case.governance)));
    let steps: Vec<EventRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {EVENT_COLS} FROM concern_case_events WHERE case_id = $1 AND escalation_action IS NOT NULL ORDER BY id"))
        .bind(case.id).fetch_all(&mut **c).await)?;
    for e in steps {
        let (Some(action), Some(id)) = (e.escalation_action.as_deref(), e.ref_id) else {
            continue;
        };
        let at = parse_date(&e.at)?;
        match action {
            "send_letter_of_concern" => {
                let n = notice_by_id(tx, id).await?;
                esc.send_letter_of_concern(at, &n.concerns().join("; "))
                    .map_err(invalid)?;
            }
            "give_warning_notice" => {
                let n = notice_by_id(tx, id).await?;
                esc.give_warning_notice(draft_of(&n)?, cal)
                    .map_err(invalid)?;
            }
            "record_complied" => {
                esc.record_complied(at).map_err(invalid)?;
            }
            "record_not_complied" => {
                let n = notice_by_id(tx, id).await?;
                esc.record_not_complied(at, n.outcome_reason.as_deref().unwrap_or("not complied"))
                    .map_err(invalid)?;
            }
            "give_written_notice" => {
                let w: WrittenNoticeRecord = on_tx!(tx, c => sqlx::query_as(&format!(
                    "SELECT {WRITTEN_COLS} FROM concern_written_notices WHERE id = $1"))
                    .bind(id).fetch_one(&mut **c).await)?;
                esc.give_written_notice(at, w.proposed(), &w.signed_by)
                    .map_err(invalid)?;
            }
            "record_category_route" => {
                let r: EligibilityRecord = on_tx!(tx, c => sqlx::query_as(&format!(
                    "SELECT {ELIGIBILITY_COLS} FROM concern_eligibility WHERE id = $1"))
                    .bind(id).fetch_one(&mut **c).await)?;
                let route = parse_route(&r.route)
                    .ok_or_else(|| invalid(format!("unknown route {}", r.route)))?;
                esc.record_category_route(at, route, &r.evidence)
                    .map_err(invalid)?;
            }
            "use_power" => {
                let p: PowerUseRecord = on_tx!(tx, c => sqlx::query_as(&format!(
                    "SELECT {POWER_COLS} FROM concern_powers WHERE id = $1"))
                    .bind(id).fetch_one(&mut **c).await)?;
                let power = p
                    .detail()
                    .ok_or_else(|| invalid(format!("power {} has no detail", p.id)))?;
                esc.use_power(at, power, &p.signed_off_by)
                    .map_err(invalid)?;
            }
            "raise_with_trust" | "raise_with_regional_director" => {
                let a: AcademyConcernRecord = on_tx!(tx, c => sqlx::query_as(&format!(
                    "SELECT {ACADEMY_COLS} FROM concern_academy_concerns WHERE id = $1"))
                    .bind(id).fetch_one(&mut **c).await)?;
                if action == "raise_with_trust" {
                    esc.raise_with_trust(at, &a.concerns).map_err(invalid)?;
                } else {
                    esc.raise_with_regional_director(at, &a.concerns)
                        .map_err(invalid)?;
                }
            }
            _ => {}
        }
    }
    Ok(esc)
}

async fn open_case_for_escalation(
    tx: &mut Tx,
    organisation_id: i64,
    case_id: i64,
) -> Result<CaseRecord> {
    let case = case_in(tx, organisation_id, case_id).await?;
    if case.closed_on.is_some() {
        return Err(StoreError::Invalid(
            "the case is closed: the school was removed from the list".into(),
        ));
    }
    Ok(case)
}

async fn set_stage(
    tx: &mut Tx,
    actor: &Actor,
    case: &CaseRecord,
    stage: Stage,
) -> Result<CaseRecord> {
    let mut after = case.clone();
    after.escalation_stage = stage_str(stage).to_owned();
    if after != *case {
        after.updated_at = now();
        update_case(tx, actor, case, &after).await?;
    }
    Ok(after)
}

fn clean_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .flat_map(|s| s.lines())
        .map(|s| s.trim().trim_start_matches(['-', '*']).trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn bullets(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("- {s}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Who signs and on which date.
#[derive(Debug, Clone)]
pub struct Signed {
    pub on: Date,
    pub name: String,
    pub role: String,
}

/// Sends a letter of concern (an escalation step): the concerns and the
/// action asked for; the letter is drafted from the template.
pub async fn send_letter_of_concern(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    concerns: &[String],
    required_action: &[String],
    signed: &Signed,
) -> Result<(NoticeRecord, LetterRecord)> {
    let case = open_case_for_escalation(tx, organisation_id, case_id).await?;
    let concerns = clean_list(concerns);
    let required = clean_list(required_action);
    let cal = calendar(tx).await?;
    let mut esc = escalation(tx, &case, &cal).await?;
    esc.send_letter_of_concern(signed.on, &concerns.join("; "))?;
    let notice = insert_notice(
        tx,
        actor,
        &case,
        "letter_of_concern",
        None,
        &[],
        &concerns,
        &required,
        None,
        None,
        signed,
    )
    .await?;
    let case = set_stage(tx, actor, &case, esc.stage()).await?;
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(signed.on),
            kind: "letter_of_concern",
            summary: format!("Letter of concern: {}", concerns.join("; ")),
            escalation_action: Some(action_str(
                uplift_domain::concern::Action::SendLetterOfConcern,
            )),
            ref_kind: Some("notice"),
            ref_id: Some(notice.id),
            ..Default::default()
        },
    )
    .await?;
    let school = school_in_estate(tx, organisation_id, case.urn).await?;
    let mut ctx = base_context(tx, &case, &school, &signed.name, &signed.role, signed.on).await?;
    ctx.set("concerns", bullets(&concerns));
    ctx.set("decision.rationale", concerns.join(" "));
    if !required.is_empty() {
        ctx.set("required_action", bullets(&required));
    }
    let kind = if case.is_academy() {
        LetterKind::AcademyConcernToTrust
    } else {
        LetterKind::LetterOfConcern
    };
    let letter = draft_letter(
        tx,
        actor,
        &case,
        DraftLetter {
            on: signed.on,
            kind,
            decision_id: None,
            notice_id: Some(notice.id),
            context: ctx,
            due_on: None,
            note: "",
            meeting_id: None,
        },
    )
    .await?;
    Ok((notice, letter))
}

#[allow(clippy::too_many_arguments)]
async fn insert_notice(
    tx: &mut Tx,
    actor: &Actor,
    case: &CaseRecord,
    kind: &str,
    section: Option<&str>,
    grounds: &[Ground],
    concerns: &[String],
    required: &[String],
    compliance_days: Option<u32>,
    compliance_end: Option<Date>,
    signed: &Signed,
) -> Result<NoticeRecord> {
    let grounds: Vec<&str> = grounds.iter().map(|g| ground_str(*g)).collect();
    let rec: NoticeRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO concern_notices (case_id, organisation_id, kind, section, grounds_json, concerns_json,
             required_action_json, compliance_days, compliance_end_on, issued_on, signed_by,
             signed_by_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {NOTICE_COLS}"))
        .bind(case.id).bind(case.organisation_id).bind(kind).bind(section)
        .bind(to_json(&grounds)?).bind(to_json(&concerns)?).bind(to_json(&required)?)
        .bind(compliance_days.map(i64::from)).bind(compliance_end.map(iso)).bind(iso(signed.on))
        .bind(signed.name.trim()).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("concern_notice", rec.id, Some(case.organisation_id), &rec),
    )
    .await?;
    Ok(rec)
}

/// A warning notice to give.
#[derive(Debug, Clone)]
pub struct NewWarningNotice {
    pub grounds: Vec<Ground>,
    pub concerns: Vec<String>,
    pub required_action: Vec<String>,
    /// Working days; `None` takes the policy's default. Zero is refused.
    pub compliance_days: Option<u32>,
}

/// Gives a formal warning notice (s60 or s60A): grounds, concerns, required
/// action and a compliance period whose end date is counted in working days
/// with the bank holidays. Refused (nothing saved) without grounds, with a
/// zero period, for an academy, or when the escalation does not allow it.
pub async fn give_warning_notice(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    new: &NewWarningNotice,
    signed: &Signed,
) -> Result<(NoticeRecord, LetterRecord)> {
    let case = open_case_for_escalation(tx, organisation_id, case_id).await?;
    let days = match new.compliance_days {
        Some(d) => d,
        None => default_compliance_days(tx, organisation_id)
            .await?
            .ok_or_else(|| invalid(uplift_domain::concern::EscalationError::NoPolicyDefault))?,
    };
    let period = CompliancePeriod::new(days)?;
    let cal = calendar(tx).await?;
    let mut esc = escalation(tx, &case, &cal).await?;
    let notice = esc
        .give_warning_notice(
            WarningNoticeDraft {
                issued: signed.on,
                grounds: new.grounds.clone(),
                concerns: clean_list(&new.concerns),
                required_action: clean_list(&new.required_action),
                compliance_period: period,
                signed_by: signed.name.clone(),
            },
            &cal,
        )?
        .clone();
    let section = match notice.section {
        uplift_domain::policy::WarningNoticeSection::S60 => "s60",
        uplift_domain::policy::WarningNoticeSection::S60A => "s60a",
    };
    let rec = insert_notice(
        tx,
        actor,
        &case,
        "warning_notice",
        Some(section),
        &notice.grounds,
        &notice.concerns,
        &notice.required_action,
        Some(days),
        Some(notice.compliance_end_date),
        signed,
    )
    .await?;
    let case = set_stage(tx, actor, &case, esc.stage()).await?;
    let summary = esc
        .steps()
        .last()
        .map(|s| s.summary.clone())
        .unwrap_or_default();
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(signed.on),
            kind: "warning_notice",
            summary: format!("{summary} ({}).", long_date(notice.compliance_end_date)),
            escalation_action: Some(action_str(
                uplift_domain::concern::Action::GiveWarningNotice,
            )),
            ref_kind: Some("notice"),
            ref_id: Some(rec.id),
            ..Default::default()
        },
    )
    .await?;
    let school = school_in_estate(tx, organisation_id, case.urn).await?;
    let ctx = base_context(tx, &case, &school, &signed.name, &signed.role, signed.on)
        .await?
        .with_notice(&notice);
    let letter = draft_letter(
        tx,
        actor,
        &case,
        DraftLetter {
            on: signed.on,
            kind: LetterKind::WarningNotice,
            decision_id: None,
            notice_id: Some(rec.id),
            context: ctx,
            due_on: None,
            note: "",
            meeting_id: None,
        },
    )
    .await?;
    Ok((rec, letter))
}

/// Records whether the governing body complied with a warning notice.
/// Not complying can only be recorded after the compliance period ends.
pub async fn record_notice_outcome(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    notice_id: i64,
    complied: bool,
    on: Date,
    reason: &str,
) -> Result<NoticeRecord> {
    let before = notice_by_id(tx, notice_id).await?;
    if before.organisation_id != organisation_id {
        return Err(StoreError::NotFound(format!("notice {notice_id}")));
    }
    if before.kind != "warning_notice" {
        return Err(StoreError::Invalid(
            "only a warning notice has an outcome".into(),
        ));
    }
    let case = open_case_for_escalation(tx, organisation_id, before.case_id).await?;
    let cal = calendar(tx).await?;
    let mut esc = escalation(tx, &case, &cal).await?;
    if complied {
        esc.record_complied(on)?;
    } else {
        esc.record_not_complied(on, reason)?;
    }
    let reason = reason.trim();
    let after: NoticeRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "UPDATE concern_notices SET outcome = $1, outcome_on = $2, outcome_reason = $3 WHERE id = $4
         RETURNING {NOTICE_COLS}"))
        .bind(if complied { "complied" } else { "not_complied" }).bind(iso(on))
        .bind(if reason.is_empty() { None } else { Some(reason) }).bind(notice_id)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::updated(
            "concern_notice",
            notice_id,
            Some(organisation_id),
            &before,
            &after,
        ),
    )
    .await?;
    let case = set_stage(tx, actor, &case, esc.stage()).await?;
    let summary = esc
        .steps()
        .last()
        .map(|s| s.summary.clone())
        .unwrap_or_default();
    let action = if complied {
        uplift_domain::concern::Action::RecordComplied
    } else {
        uplift_domain::concern::Action::RecordNotComplied
    };
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(on),
            kind: if complied { "complied" } else { "not_complied" },
            summary,
            escalation_action: Some(action_str(action)),
            ref_kind: Some("notice"),
            ref_id: Some(notice_id),
            ..Default::default()
        },
    )
    .await?;
    Ok(after)
}

/// Gives written notice of the powers the authority proposes to use; the
/// school becomes eligible for intervention (s59). The notice of proposed
/// intervention is drafted.
pub async fn give_written_notice(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    proposed: &[PowerKind],
    reason: &str,
    signed: &Signed,
) -> Result<(WrittenNoticeRecord, LetterRecord)> {
    let case = open_case_for_escalation(tx, organisation_id, case_id).await?;
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid(
            "the written notice needs the reason the authority proposes to intervene".into(),
        ));
    }
    let cal = calendar(tx).await?;
    let mut esc = escalation(tx, &case, &cal).await?;
    esc.give_written_notice(signed.on, proposed.to_vec(), &signed.name)?;
    let notice = esc.notices().last().cloned();
    let notice_id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM concern_notices WHERE case_id = $1 AND kind = 'warning_notice' ORDER BY id DESC LIMIT 1")
        .bind(case.id).fetch_optional(&mut **c).await)?;
    let mut proposed = proposed.to_vec();
    proposed.sort();
    proposed.dedup();
    let names: Vec<&str> = proposed.iter().map(|p| power_str(*p)).collect();
    let rec: WrittenNoticeRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO concern_written_notices (case_id, organisation_id, notice_id, given_on, proposed_json,
             reason, signed_by, signed_by_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {WRITTEN_COLS}"))
        .bind(case.id).bind(organisation_id).bind(notice_id).bind(iso(signed.on))
        .bind(to_json(&names)?).bind(reason.trim()).bind(signed.name.trim()).bind(actor.user_id)
        .bind(now()).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created(
            "concern_written_notice",
            rec.id,
            Some(organisation_id),
            &rec,
        ),
    )
    .await?;
    let case = set_stage(tx, actor, &case, esc.stage()).await?;
    let labels: Vec<&str> = proposed.iter().map(|p| power_label(*p)).collect();
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(signed.on),
            kind: "written_notice",
            summary: format!(
                "Written notice of proposed powers ({}); eligible for intervention under s59",
                labels.join("; ")
            ),
            escalation_action: Some(action_str(
                uplift_domain::concern::Action::GiveWrittenNotice,
            )),
            ref_kind: Some("written_notice"),
            ref_id: Some(rec.id),
            ..Default::default()
        },
    )
    .await?;
    let school = school_in_estate(tx, organisation_id, case.urn).await?;
    let mut ctx = base_context(tx, &case, &school, &signed.name, &signed.role, signed.on).await?;
    if let Some(n) = &notice {
        ctx = ctx.with_notice(n);
    }
    ctx.set("intervention.date", long_date(signed.on));
    ctx.set("intervention.reason", reason.trim());
    ctx.set(
        "intervention.powers",
        bullets(
            &proposed
                .iter()
                .map(|p| p.citation().to_owned())
                .collect::<Vec<_>>(),
        ),
    );
    let letter = draft_letter(
        tx,
        actor,
        &case,
        DraftLetter {
            on: signed.on,
            kind: LetterKind::NoticeOfProposedIntervention,
            decision_id: None,
            notice_id,
            context: ctx,
            due_on: None,
            note: "",
            meeting_id: None,
        },
    )
    .await?;
    Ok((rec, letter))
}

/// Records eligibility for intervention by a category route (special
/// measures, requires significant improvement, coasting) with the evidence.
pub async fn record_eligibility(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    route: EligibilityRoute,
    on: Date,
    evidence: &str,
) -> Result<EligibilityRecord> {
    let case = open_case_for_escalation(tx, organisation_id, case_id).await?;
    let cal = calendar(tx).await?;
    let mut esc = escalation(tx, &case, &cal).await?;
    esc.record_category_route(on, route, evidence)?;
    let rec: EligibilityRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO concern_eligibility (case_id, organisation_id, route, eligible_on, evidence, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {ELIGIBILITY_COLS}"))
        .bind(case.id).bind(organisation_id).bind(route_str(route)).bind(iso(on)).bind(evidence.trim())
        .bind(&actor.label).bind(now()).fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("concern_eligibility", rec.id, Some(organisation_id), &rec),
    )
    .await?;
    let case = set_stage(tx, actor, &case, esc.stage()).await?;
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(on),
            kind: "eligibility",
            summary: format!(
                "Eligible for intervention: {} ({})",
                route.citation(),
                evidence.trim()
            ),
            escalation_action: Some(action_str(
                uplift_domain::concern::Action::RecordCategoryRoute,
            )),
            ref_kind: Some("eligibility"),
            ref_id: Some(rec.id),
            ..Default::default()
        },
    )
    .await?;
    Ok(rec)
}

/// Records a power used, dated and signed off by a lead.
pub async fn use_power(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    power: Power,
    on: Date,
    signed_off_by: &str,
) -> Result<PowerUseRecord> {
    let case = open_case_for_escalation(tx, organisation_id, case_id).await?;
    let cal = calendar(tx).await?;
    let mut esc = escalation(tx, &case, &cal).await?;
    let power = match power {
        Power::S64AdditionalGovernors { governors } => Power::S64AdditionalGovernors {
            governors: clean_list(&governors),
        },
        Power::S65InterimExecutiveBoard { members } => Power::S65InterimExecutiveBoard {
            members: clean_list(&members),
        },
        Power::S63Arrangements {
            arrangement,
            with_whom,
        } => Power::S63Arrangements {
            arrangement,
            with_whom: with_whom.trim().to_owned(),
        },
        p => p,
    };
    esc.use_power(on, power.clone(), signed_off_by)?;
    let kind = power.kind();
    let rec: PowerUseRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO concern_powers (case_id, organisation_id, power, detail_json, used_on, signed_off_by,
             signed_off_by_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {POWER_COLS}"))
        .bind(case.id).bind(organisation_id).bind(power_str(kind)).bind(to_json(&power)?)
        .bind(iso(on)).bind(signed_off_by.trim()).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("concern_power", rec.id, Some(organisation_id), &rec),
    )
    .await?;
    let case = set_stage(tx, actor, &case, esc.stage()).await?;
    let detail = match &power {
        Power::S63Arrangements { with_whom, .. } => format!(" with {with_whom}"),
        Power::S64AdditionalGovernors { governors } => format!(": {}", governors.join(", ")),
        Power::S65InterimExecutiveBoard { members } => format!(", members {}", members.join(", ")),
        Power::S66SuspendDelegatedBudget => String::new(),
    };
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(on),
            kind: "power",
            summary: format!(
                "Power used: {}{detail}; signed off by {}",
                power_label(kind),
                signed_off_by.trim()
            ),
            escalation_action: Some(action_str(uplift_domain::concern::Action::UsePower)),
            ref_kind: Some("power"),
            ref_id: Some(rec.id),
            ..Default::default()
        },
    )
    .await?;
    Ok(rec)
}

/// Raises concerns about an academy with its trust (`to_trust`) or with
/// the DfE regional director (after the trust). The letter is drafted.
#[allow(clippy::too_many_arguments)]
pub async fn raise_academy_concern(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    to_trust: bool,
    concerns: &str,
    engagement: &str,
    signed: &Signed,
) -> Result<(AcademyConcernRecord, LetterRecord)> {
    let case = open_case_for_escalation(tx, organisation_id, case_id).await?;
    let cal = calendar(tx).await?;
    let mut esc = escalation(tx, &case, &cal).await?;
    let action = if to_trust {
        esc.raise_with_trust(signed.on, concerns)?;
        uplift_domain::concern::Action::RaiseWithTrust
    } else {
        if engagement.trim().is_empty() {
            return Err(StoreError::Invalid(
                "say what was done to agree action with the trust before writing to the regional director".into(),
            ));
        }
        esc.raise_with_regional_director(signed.on, concerns)?;
        uplift_domain::concern::Action::RaiseWithRegionalDirector
    };
    let school = school_in_estate(tx, organisation_id, case.urn).await?;
    let recipient = if to_trust {
        case.trust_name
            .clone()
            .or(school.trust.clone())
            .unwrap_or_else(|| "The academy trust".into())
    } else {
        "The DfE regional director".to_owned()
    };
    let rec: AcademyConcernRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO concern_academy_concerns (case_id, organisation_id, raised_with, recipient, raised_on,
             concerns, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ACADEMY_COLS}"))
        .bind(case.id).bind(organisation_id).bind(if to_trust { "trust" } else { "regional_director" })
        .bind(&recipient).bind(iso(signed.on)).bind(concerns.trim()).bind(&actor.label).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created(
            "concern_academy_concern",
            rec.id,
            Some(organisation_id),
            &rec,
        ),
    )
    .await?;
    let case = set_stage(tx, actor, &case, esc.stage()).await?;
    let summary = esc
        .steps()
        .last()
        .map(|s| s.summary.clone())
        .unwrap_or_default();
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            at: Some(signed.on),
            kind: if to_trust {
                "raised_with_trust"
            } else {
                "raised_with_regional_director"
            },
            summary,
            escalation_action: Some(action_str(action)),
            ref_kind: Some("academy_concern"),
            ref_id: Some(rec.id),
            ..Default::default()
        },
    )
    .await?;
    let mut ctx = base_context(tx, &case, &school, &signed.name, &signed.role, signed.on).await?;
    ctx.set("concerns", concerns.trim());
    ctx.set("engagement", engagement.trim());
    let informed: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT raised_on FROM concern_academy_concerns WHERE case_id = $1 AND raised_with = 'trust' ORDER BY id LIMIT 1")
        .bind(case.id).fetch_optional(&mut **c).await)?;
    if let Some(d) = informed.as_deref().and_then(|d| d.parse::<Date>().ok()) {
        ctx.set("trust.informed_date", long_date(d));
    }
    let letter = draft_letter(
        tx,
        actor,
        &case,
        DraftLetter {
            on: signed.on,
            kind: if to_trust {
                LetterKind::AcademyConcernToTrust
            } else {
                LetterKind::AcademyConcernToRegionalDirector
            },
            decision_id: None,
            notice_id: None,
            context: ctx,
            due_on: None,
            note: "",
            meeting_id: None,
        },
    )
    .await?;
    Ok((rec, letter))
}

// ---------------------------------------------------------------------------
// Inspection support

/// Support around an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct InspectionSupportRecord {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    pub notified_on: String,
    pub pre_inspection_on: Option<String>,
    pub pre_inspection_notes: Option<String>,
    pub day_two_call_on: Option<String>,
    pub day_two_call_notes: Option<String>,
    pub feedback_attended: bool,
    pub feedback_attended_by: Option<String>,
    pub outcome: Option<String>,
    pub recorded_by: String,
    pub created_at: String,
    pub updated_at: String,
}

const SUPPORT_COLS: &str = "id, case_id, organisation_id, notified_on, pre_inspection_on, pre_inspection_notes, day_two_call_on, day_two_call_notes, feedback_attended, feedback_attended_by, outcome, recorded_by, created_at, updated_at";

/// What an officer records about an inspection.
#[derive(Debug, Clone, Default)]
pub struct InspectionSupport {
    pub notified_on: Option<Date>,
    pub pre_inspection_on: Option<Date>,
    pub pre_inspection_notes: Option<String>,
    pub day_two_call_on: Option<Date>,
    pub day_two_call_notes: Option<String>,
    pub feedback_attended: bool,
    pub feedback_attended_by: Option<String>,
    pub outcome: Option<String>,
}

/// Records (or, with `id`, updates) the support around an inspection.
pub async fn save_inspection_support(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    id: Option<i64>,
    s: &InspectionSupport,
) -> Result<InspectionSupportRecord> {
    let case = case_in(tx, organisation_id, case_id).await?;
    let notified = s.notified_on.ok_or_else(|| {
        StoreError::Invalid("enter the date the school was notified of the inspection".into())
    })?;
    for (d, what) in [
        (s.pre_inspection_on, "the pre-inspection discussion"),
        (s.day_two_call_on, "the day-two call"),
    ] {
        if let Some(d) = d {
            if d < notified {
                return Err(StoreError::Invalid(format!(
                    "{what} cannot be before the notification on {notified}"
                )));
            }
        }
    }
    let text = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let today = now();
    let (rec, before): (InspectionSupportRecord, Option<InspectionSupportRecord>) = match id {
        None => {
            let rec: InspectionSupportRecord = on_tx!(tx, c => sqlx::query_as(&format!(
                "INSERT INTO concern_inspection_support (case_id, organisation_id, notified_on, pre_inspection_on,
                     pre_inspection_notes, day_two_call_on, day_two_call_notes, feedback_attended,
                     feedback_attended_by, outcome, recorded_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {SUPPORT_COLS}"))
                .bind(case.id).bind(organisation_id).bind(iso(notified)).bind(s.pre_inspection_on.map(iso))
                .bind(text(&s.pre_inspection_notes)).bind(s.day_two_call_on.map(iso))
                .bind(text(&s.day_two_call_notes)).bind(s.feedback_attended).bind(text(&s.feedback_attended_by))
                .bind(text(&s.outcome)).bind(&actor.label).bind(&today)
                .fetch_one(&mut **c).await)?;
            (rec, None)
        }
        Some(id) => {
            let before: Option<InspectionSupportRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
                "SELECT {SUPPORT_COLS} FROM concern_inspection_support WHERE id = $1 AND case_id = $2"))
                .bind(id).bind(case.id).fetch_optional(&mut **c).await)?;
            let before =
                before.ok_or_else(|| StoreError::NotFound(format!("inspection support {id}")))?;
            let rec: InspectionSupportRecord = on_tx!(tx, c => sqlx::query_as(&format!(
                "UPDATE concern_inspection_support SET notified_on = $1, pre_inspection_on = $2,
                     pre_inspection_notes = $3, day_two_call_on = $4, day_two_call_notes = $5,
                     feedback_attended = $6, feedback_attended_by = $7, outcome = $8, updated_at = $9
                 WHERE id = $10 RETURNING {SUPPORT_COLS}"))
                .bind(iso(notified)).bind(s.pre_inspection_on.map(iso)).bind(text(&s.pre_inspection_notes))
                .bind(s.day_two_call_on.map(iso)).bind(text(&s.day_two_call_notes)).bind(s.feedback_attended)
                .bind(text(&s.feedback_attended_by)).bind(text(&s.outcome)).bind(&today).bind(id)
                .fetch_one(&mut **c).await)?;
            (rec, Some(before))
        }
    };
    let change = match &before {
        None => Change::created(
            "concern_inspection_support",
            rec.id,
            Some(organisation_id),
            &rec,
        ),
        Some(b) => Change::updated(
            "concern_inspection_support",
            rec.id,
            Some(organisation_id),
            b,
            &rec,
        ),
    };
    audit::record(tx, actor, change).await?;
    let mut parts = vec![format!("notified {}", long_date(notified))];
    if let Some(d) = s.pre_inspection_on {
        parts.push(format!("pre-inspection discussion {}", long_date(d)));
    }
    if let Some(d) = s.day_two_call_on {
        parts.push(format!(
            "day-two call with the lead inspector {}",
            long_date(d)
        ));
    }
    if s.feedback_attended {
        parts.push("feedback attended".into());
    }
    if let Some(o) = text(&s.outcome) {
        parts.push(format!("outcome: {o}"));
    }
    add_event(
        tx,
        actor,
        &case,
        NewEvent {
            kind: "inspection_support",
            summary: format!("Inspection support: {}", parts.join("; ")),
            ref_kind: Some("inspection_support"),
            ref_id: Some(rec.id),
            ..Default::default()
        },
    )
    .await?;
    Ok(rec)
}

impl Db {
    /// The letters of concern and warning notices of a case.
    pub async fn case_notices(&self, case_id: i64) -> Result<Vec<NoticeRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {NOTICE_COLS} FROM concern_notices WHERE case_id = $1 ORDER BY id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// A notice by id within an organisation.
    pub async fn concern_notice(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<NoticeRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {NOTICE_COLS} FROM concern_notices WHERE organisation_id = $1 AND id = $2"))
            .bind(organisation_id).bind(id).fetch_optional(p).await)?)
    }

    /// Written notices of proposed powers of a case.
    pub async fn case_written_notices(&self, case_id: i64) -> Result<Vec<WrittenNoticeRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {WRITTEN_COLS} FROM concern_written_notices WHERE case_id = $1 ORDER BY id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// Category routes to eligibility recorded on a case.
    pub async fn case_eligibility(&self, case_id: i64) -> Result<Vec<EligibilityRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {ELIGIBILITY_COLS} FROM concern_eligibility WHERE case_id = $1 ORDER BY id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// Powers used on a case.
    pub async fn case_powers(&self, case_id: i64) -> Result<Vec<PowerUseRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {POWER_COLS} FROM concern_powers WHERE case_id = $1 ORDER BY id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// Academy concerns raised on a case.
    pub async fn case_academy_concerns(&self, case_id: i64) -> Result<Vec<AcademyConcernRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {ACADEMY_COLS} FROM concern_academy_concerns WHERE case_id = $1 ORDER BY id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// Inspection support records of a case.
    pub async fn case_inspection_support(
        &self,
        case_id: i64,
    ) -> Result<Vec<InspectionSupportRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {SUPPORT_COLS} FROM concern_inspection_support WHERE case_id = $1 ORDER BY id"))
            .bind(case_id).fetch_all(p).await)?)
    }

    /// The eligibility for intervention of a case: each route with its date
    /// and reason (from the replayed escalation).
    pub async fn case_eligibility_routes(
        &self,
        case: &CaseRecord,
    ) -> Result<Vec<(String, String, String)>> {
        let mut tx = self.begin_read().await?;
        let cal = calendar(&mut tx).await?;
        let esc = escalation(&mut tx, case, &cal).await?;
        tx.rollback().await?;
        Ok(esc
            .eligibility()
            .into_iter()
            .map(|(r, d, why)| (route_str(r).to_owned(), iso(d), why))
            .collect())
    }

    /// The escalation actions the domain allows next for a case.
    pub async fn next_escalation_actions(&self, case: &CaseRecord) -> Result<Vec<&'static str>> {
        let stage = parse_stage(&case.escalation_stage);
        let gov = governance_from(Some(&case.governance));
        Ok(uplift_domain::concern::Action::ALL
            .into_iter()
            .filter(|a| uplift_domain::concern::transition(gov, stage, *a).is_ok())
            .map(action_str)
            .collect())
    }
}

fn parse_stage(s: &str) -> Stage {
    [
        Stage::Open,
        Stage::LetterOfConcern,
        Stage::WarningNoticeGiven,
        Stage::Complied,
        Stage::NotComplied,
        Stage::EligibleForIntervention,
        Stage::PowersInUse,
        Stage::RaisedWithTrust,
        Stage::RaisedWithRegionalDirector,
    ]
    .into_iter()
    .find(|x| stage_str(*x) == s)
    .unwrap_or(Stage::Open)
}

impl Db {
    /// Whether the school belongs to the organisation's estate.
    pub async fn concern_school_in_estate(&self, organisation_id: i64, urn: i64) -> Result<bool> {
        let n: Option<i64> = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT urn FROM organisation_schools WHERE organisation_id = $1 AND urn = $2")
            .bind(organisation_id).bind(urn).fetch_optional(p).await)?;
        Ok(n.is_some())
    }

    /// A school's name from the register.
    pub async fn concern_school_name(&self, urn: i64) -> Result<Option<String>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT name FROM schools WHERE urn = $1")
            .bind(urn).fetch_optional(p).await)?)
    }

    /// The organisation's officers who can be a Lead Officer (active users
    /// other than school users): id, name and role.
    pub async fn concern_officers(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<(i64, String, String)>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT id, name, role FROM users WHERE organisation_id = $1 AND active = TRUE
                 AND role IN ('lead', 'adviser', 'admin') ORDER BY name, id")
            .bind(organisation_id).fetch_all(p).await)?)
    }
}

impl Db {
    /// Every letter of an organisation, newest first (at most `limit`).
    pub async fn organisation_letters(
        &self,
        organisation_id: i64,
        limit: i64,
    ) -> Result<Vec<LetterRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {LETTER_COLS} FROM letters WHERE organisation_id = $1 ORDER BY id DESC LIMIT $2"))
            .bind(organisation_id).bind(limit).fetch_all(p).await)?)
    }
}

impl Db {
    /// The URNs of the organisation's maintained schools and academies: the
    /// schools that can be on the causing-concern list.
    pub async fn concern_eligible_schools(
        &self,
        organisation_id: i64,
    ) -> Result<std::collections::BTreeSet<i64>> {
        let rows: Vec<i64> = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT s.urn FROM schools s JOIN organisation_schools o ON o.urn = s.urn
             WHERE o.organisation_id = $1 AND s.governance IN ('maintained', 'academy')")
            .bind(organisation_id).fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }
}

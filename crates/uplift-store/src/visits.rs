//! Advisers, visits and notes of visit (issue 5): advisers with their
//! expertise and capacity, every school's named adviser with the history of
//! reassignments, entitlements from the policy in force and the school's
//! circumstances, delivered against due, and the visit workflow from plan to a
//! final note with addenda. Every change is audited in the transaction that
//! makes it.
//!
//! The rules are the domain's (`uplift_domain::visits`): this module loads a
//! visit into the domain's [`Visit`], applies the action there (so the stage,
//! the actor and the fields are checked in one place) and writes back what
//! changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::json;
use sqlx::FromRow;
use uplift_domain::calendar::{AcademicYear, BankHolidays, TermDates};
use uplift_domain::policy::{categorise, entitlements_in, Placement, Policy, SchoolFacts};
use uplift_domain::register::{Date, Urn};
use uplift_domain::visits::workflow::{Addendum, HeadResponse, Transition};
use uplift_domain::visits::{
    self as dv, entitlement_for, plan_visits, Actor as VisitActor, CaseloadReport, DaysPerVisit,
    DeliveryReport, DueVisit, Expertise, FieldError, NoteOfVisit, PlannedSlot, SchoolEntitlement,
    SchoolNeeds, Stage, Visit, VisitAction, VisitPlan, VisitRecord, VisitRules, VisitType,
    WorkflowError,
};

use crate::audit::{self, Actor, Change};
use crate::categorisation::apply_flag_overrides;
use crate::{now, settings, Db, Result, StoreError, Tx};

/// The setting holding the working days a headteacher has to respond to a
/// note of visit, one per organisation (`visit_response_working_days:<id>`;
/// absent: [`dv::workflow::DEFAULT_RESPONSE_WORKING_DAYS`]).
pub const RESPONSE_WORKING_DAYS: &str = "visit_response_working_days";

fn response_days_key(organisation_id: i64) -> String {
    format!("{RESPONSE_WORKING_DAYS}:{organisation_id}")
}

// ---------------------------------------------------------------------------
// Errors

/// Why a visit action failed. Nothing is saved when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    /// The workflow refused it (wrong stage, wrong actor, bad fields).
    #[error("{0}")]
    Workflow(#[from] WorkflowError),
    /// Fields are wrong (before the workflow is reached).
    #[error("{}", describe(.0))]
    Fields(Vec<FieldError>),
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<sqlx::Error> for VisitError {
    fn from(e: sqlx::Error) -> Self {
        VisitError::Store(StoreError::Database(e))
    }
}

impl VisitError {
    /// The problems as field errors for a form or an API error body.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            VisitError::Workflow(w) => w.field_errors(),
            VisitError::Fields(f) => f.clone(),
            VisitError::Store(StoreError::Invalid(m)) => vec![FieldError::new("", m.clone())],
            VisitError::Store(e) => vec![FieldError::new("", e.to_string())],
        }
    }

    /// Whether the visit (or school, or adviser) was not found.
    pub fn is_not_found(&self) -> bool {
        matches!(self, VisitError::Store(StoreError::NotFound(_)))
    }
}

fn parse_date(s: &str) -> Option<Date> {
    s.get(0..10).unwrap_or(s).parse::<Date>().ok()
}

fn urn(n: i64) -> Result<Urn> {
    u32::try_from(n)
        .ok()
        .and_then(|u| Urn::new(u).ok())
        .ok_or_else(|| StoreError::Invalid(format!("{n} is not a URN")))
}

// ---------------------------------------------------------------------------
// Advisers

/// An adviser.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct AdviserRow {
    pub id: i64,
    pub organisation_id: i64,
    pub user_id: Option<i64>,
    pub name: String,
    pub email: String,
    /// Comma-separated expertise keys (see [`expertise_key`]).
    pub expertise: String,
    pub capacity_days: f64,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

const ADVISER_COLS: &str = "id, organisation_id, user_id, name, email, expertise, capacity_days, active, created_at, updated_at";

/// Every area of expertise, in order.
pub const EXPERTISE: [Expertise; 7] = [
    Expertise::EarlyYears,
    Expertise::Primary,
    Expertise::Secondary,
    Expertise::Send,
    Expertise::AlternativeProvision,
    Expertise::Governance,
    Expertise::Intervention,
];

/// The stored key of an area of expertise (`early_years`, `send`, ...).
pub fn expertise_key(e: Expertise) -> &'static str {
    match e {
        Expertise::EarlyYears => "early_years",
        Expertise::Primary => "primary",
        Expertise::Secondary => "secondary",
        Expertise::Send => "send",
        Expertise::AlternativeProvision => "alternative_provision",
        Expertise::Governance => "governance",
        Expertise::Intervention => "intervention",
    }
}

/// The area of expertise with this key.
pub fn expertise_from_key(key: &str) -> Option<Expertise> {
    EXPERTISE
        .into_iter()
        .find(|e| expertise_key(*e) == key.trim())
}

impl AdviserRow {
    /// The adviser's expertise.
    pub fn expertise_set(&self) -> BTreeSet<Expertise> {
        self.expertise
            .split(',')
            .filter_map(expertise_from_key)
            .collect()
    }

    /// The expertise in words, e.g. "primary, SEND".
    pub fn expertise_words(&self) -> String {
        self.expertise_set()
            .iter()
            .map(|e| e.label())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The adviser as the caseload sees it.
    pub fn domain(&self) -> dv::Adviser {
        dv::Adviser {
            id: self.id.to_string(),
            name: self.name.clone(),
            expertise: self.expertise_set(),
            capacity_days: self.capacity_days,
        }
    }
}

/// An adviser to create or update.
#[derive(Debug, Clone)]
pub struct AdviserInput<'a> {
    pub user_id: Option<i64>,
    pub name: &'a str,
    pub email: &'a str,
    pub expertise: &'a [Expertise],
    pub capacity_days: f64,
    pub active: bool,
}

fn validate_adviser(input: &AdviserInput<'_>) -> std::result::Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if input.name.trim().is_empty() {
        errors.push(FieldError::new("name", "Enter the adviser's name"));
    }
    let email = input.email.trim();
    if email.is_empty() || !email.contains('@') || email.contains(' ') {
        errors.push(FieldError::new(
            "email",
            "Enter an email address in the correct format, like name@example.org",
        ));
    }
    if !input.capacity_days.is_finite() || input.capacity_days < 0.0 || input.capacity_days > 366.0
    {
        errors.push(FieldError::new(
            "capacity_days",
            "Enter the capacity as a number of days between 0 and 366, like 40",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn expertise_text(e: &[Expertise]) -> String {
    let set: BTreeSet<Expertise> = e.iter().copied().collect();
    set.into_iter()
        .map(expertise_key)
        .collect::<Vec<_>>()
        .join(",")
}

/// Creates an adviser (audited).
pub async fn create_adviser(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    input: &AdviserInput<'_>,
) -> std::result::Result<AdviserRow, VisitError> {
    validate_adviser(input).map_err(VisitError::Fields)?;
    let t = now();
    let row: AdviserRow = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO advisers (organisation_id, user_id, name, email, expertise, capacity_days, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {ADVISER_COLS}"))
        .bind(organisation_id).bind(input.user_id).bind(input.name.trim()).bind(input.email.trim())
        .bind(expertise_text(input.expertise)).bind(input.capacity_days).bind(input.active).bind(&t)
        .fetch_one(&mut **c).await)
        .map_err(StoreError::from)?;
    audit::record(
        tx,
        actor,
        Change::created("adviser", row.id, Some(organisation_id), &row),
    )
    .await?;
    Ok(row)
}

/// Updates an adviser (audited).
pub async fn update_adviser(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    id: i64,
    input: &AdviserInput<'_>,
) -> std::result::Result<AdviserRow, VisitError> {
    validate_adviser(input).map_err(VisitError::Fields)?;
    let before: Option<AdviserRow> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {ADVISER_COLS} FROM advisers WHERE organisation_id = $1 AND id = $2"))
        .bind(organisation_id).bind(id).fetch_optional(&mut **c).await)
    .map_err(StoreError::from)?;
    let Some(before) = before else {
        return Err(StoreError::NotFound(format!("adviser {id}")).into());
    };
    let row: AdviserRow = on_tx!(tx, c => sqlx::query_as(&format!(
        "UPDATE advisers SET user_id = $1, name = $2, email = $3, expertise = $4, capacity_days = $5,
             active = $6, updated_at = $7 WHERE id = $8 RETURNING {ADVISER_COLS}"))
        .bind(input.user_id).bind(input.name.trim()).bind(input.email.trim())
        .bind(expertise_text(input.expertise)).bind(input.capacity_days).bind(input.active)
        .bind(now()).bind(id).fetch_one(&mut **c).await)
    .map_err(StoreError::from)?;
    audit::record(
        tx,
        actor,
        Change::updated("adviser", id, Some(organisation_id), &before, &row),
    )
    .await?;
    Ok(row)
}

impl Db {
    /// The organisation's advisers, by name.
    pub async fn advisers(&self, organisation_id: i64) -> Result<Vec<AdviserRow>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {ADVISER_COLS} FROM advisers WHERE organisation_id = $1 ORDER BY name, id"))
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// One adviser of the organisation.
    pub async fn adviser(&self, organisation_id: i64, id: i64) -> Result<Option<AdviserRow>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {ADVISER_COLS} FROM advisers WHERE organisation_id = $1 AND id = $2"))
            .bind(organisation_id).bind(id).fetch_optional(p).await)?)
    }

    /// The adviser record of a user, if the user is an adviser.
    pub async fn adviser_for_user(
        &self,
        organisation_id: i64,
        user_id: i64,
    ) -> Result<Option<AdviserRow>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {ADVISER_COLS} FROM advisers WHERE organisation_id = $1 AND user_id = $2"))
            .bind(organisation_id).bind(user_id).fetch_optional(p).await)?)
    }
}

// ---------------------------------------------------------------------------
// Named advisers

/// One assignment of a school's named adviser. The current one has
/// `to_date` `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Assignment {
    pub id: i64,
    pub organisation_id: i64,
    pub urn: i64,
    pub adviser_id: i64,
    pub from_date: String,
    pub to_date: Option<String>,
    pub reason: String,
    pub assigned_by: String,
    pub assigned_by_user_id: Option<i64>,
    pub assigned_at: String,
}

const ASSIGN_COLS: &str = "id, organisation_id, urn, adviser_id, from_date, to_date, reason, assigned_by, assigned_by_user_id, assigned_at";

async fn school_in_estate(tx: &mut Tx, organisation_id: i64, urn: i64) -> Result<bool> {
    let n: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT urn FROM organisation_schools WHERE organisation_id = $1 AND urn = $2")
        .bind(organisation_id).bind(urn).fetch_optional(&mut **c).await)?;
    Ok(n.is_some())
}

async fn adviser_in_tx(tx: &mut Tx, organisation_id: i64, id: i64) -> Result<Option<AdviserRow>> {
    Ok(on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {ADVISER_COLS} FROM advisers WHERE organisation_id = $1 AND id = $2"))
        .bind(organisation_id).bind(id).fetch_optional(&mut **c).await)?)
}

/// Makes `adviser_id` the named adviser of a school from `from` (audited).
/// The current assignment, if any, ends on that day; the history is kept. A
/// reason is required; the adviser must be active in the organisation and the
/// school in its estate.
pub async fn assign_adviser(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    urn: i64,
    adviser_id: i64,
    from: Date,
    reason: &str,
) -> std::result::Result<Assignment, VisitError> {
    let mut errors = Vec::new();
    if reason.trim().is_empty() {
        errors.push(FieldError::new(
            "reason",
            "Enter the reason for the assignment",
        ));
    }
    let adviser = adviser_in_tx(tx, organisation_id, adviser_id).await?;
    match &adviser {
        None => errors.push(FieldError::new("adviser_id", "Select an adviser")),
        Some(a) if !a.active => errors.push(FieldError::new(
            "adviser_id",
            format!("{} is no longer active: select another adviser", a.name),
        )),
        Some(_) => {}
    }
    if !school_in_estate(tx, organisation_id, urn).await? {
        return Err(StoreError::NotFound(format!("school {urn}")).into());
    }
    let current: Option<Assignment> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {ASSIGN_COLS} FROM school_advisers WHERE organisation_id = $1 AND urn = $2 AND to_date IS NULL"))
        .bind(organisation_id).bind(urn).fetch_optional(&mut **c).await)
    .map_err(StoreError::from)?;
    if let Some(c) = &current {
        if c.adviser_id == adviser_id {
            errors.push(FieldError::new(
                "adviser_id",
                "This adviser is already the school's named adviser",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(VisitError::Fields(errors));
    }
    if let Some(c) = &current {
        on_tx!(tx, cn => sqlx::query("UPDATE school_advisers SET to_date = $1 WHERE id = $2")
            .bind(from.to_string()).bind(c.id).execute(&mut **cn).await.map(|r| r.rows_affected()))
        .map_err(StoreError::from)?;
    }
    let row: Assignment = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO school_advisers (organisation_id, urn, adviser_id, from_date, to_date, reason, assigned_by, assigned_by_user_id, assigned_at)
         VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8) RETURNING {ASSIGN_COLS}"))
        .bind(organisation_id).bind(urn).bind(adviser_id).bind(from.to_string()).bind(reason.trim())
        .bind(&actor.label).bind(actor.user_id).bind(now()).fetch_one(&mut **c).await)
    .map_err(StoreError::from)?;
    let change = match &current {
        Some(c) => Change::updated("school_adviser", urn, Some(organisation_id), c, &row),
        None => Change::created("school_adviser", urn, Some(organisation_id), &row),
    };
    audit::record(tx, actor, change).await?;
    Ok(row)
}

impl Db {
    /// Every school's current named adviser, by URN.
    pub async fn current_assignments(
        &self,
        organisation_id: i64,
    ) -> Result<HashMap<i64, Assignment>> {
        let rows: Vec<Assignment> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {ASSIGN_COLS} FROM school_advisers WHERE organisation_id = $1 AND to_date IS NULL"))
            .bind(organisation_id).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|r| (r.urn, r)).collect())
    }

    /// A school's named advisers over time, newest first.
    pub async fn assignment_history(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Vec<Assignment>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {ASSIGN_COLS} FROM school_advisers WHERE organisation_id = $1 AND urn = $2 ORDER BY id DESC"))
            .bind(organisation_id).bind(urn).fetch_all(p).await)?)
    }

    /// The organisation's schools (URN and name), by name.
    pub async fn estate_names(&self, organisation_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT s.urn, s.name FROM organisation_schools o JOIN schools s ON s.urn = o.urn
             WHERE o.organisation_id = $1 ORDER BY s.name, s.urn")
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// The Lead Officer of each school with an open causing-concern case, by
    /// URN (recorded on the case by the schools-causing-concern work).
    pub async fn lead_officers(&self, organisation_id: i64) -> Result<HashMap<i64, String>> {
        let rows: Vec<(i64, Option<String>)> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT c.urn, COALESCE(c.lead_officer_name, u.name) FROM concern_cases c
             LEFT JOIN users u ON u.id = c.lead_officer_user_id
             WHERE c.organisation_id = $1 AND c.closed_on IS NULL")
            .bind(organisation_id).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(u, n)| n.map(|n| (u, n)))
            .collect())
    }

    /// The working days a headteacher has to respond to a note of visit in
    /// this organisation.
    pub async fn response_working_days(&self, organisation_id: i64) -> Result<u32> {
        Ok(self
            .setting(&response_days_key(organisation_id))
            .await?
            .and_then(|v| v.trim().parse::<u32>().ok())
            .unwrap_or(dv::workflow::DEFAULT_RESPONSE_WORKING_DAYS))
    }

    /// The bank holidays in force: the stored copy, or the one shipped.
    pub async fn bank_holidays(&self) -> Result<BankHolidays> {
        if let Some(text) = self.setting(settings::BANK_HOLIDAYS).await? {
            if let Ok(b) = BankHolidays::parse(&text) {
                return Ok(b);
            }
        }
        BankHolidays::bundled()
            .map_err(|e| StoreError::Invalid(format!("the bundled bank holidays: {e}")))
    }
}

// ---------------------------------------------------------------------------
// Entitlements, delivery and caseloads

/// England's typical term dates for an academic year: what an organisation
/// that has set none of its own plans against (see `Db::term_dates`).
pub fn term_dates(year: AcademicYear) -> Result<TermDates> {
    TermDates::england_default(year)
        .map_err(|e| StoreError::Invalid(format!("term dates for {year}: {e}")))
}

/// The day facts are taken on for a year: today, kept inside the year.
pub fn facts_day(year: AcademicYear, today: Date) -> Date {
    today.clamp(year.first_day(), year.last_day())
}

/// A school's entitlement for a year, with its planned dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntitlementPlan {
    pub entitlement: SchoolEntitlement,
    /// Whether the school is on the causing-concern list (category).
    pub causing_concern: bool,
    /// Expertise the school needs (phase, SEND, PRU, intervention).
    pub needs: BTreeSet<Expertise>,
    /// The entitled visits spread over the year's half terms.
    pub slots: Vec<PlannedSlot>,
}

/// Expertise a school needs, from its facts and placement.
pub fn needs_of(facts: &SchoolFacts, placement: &Placement) -> BTreeSet<Expertise> {
    let mut out = BTreeSet::new();
    let phase = facts.phase.as_deref().unwrap_or("").to_ascii_lowercase();
    if phase.contains("nursery") {
        out.insert(Expertise::EarlyYears);
    }
    if phase.contains("primary") || phase.contains("middle deemed primary") {
        out.insert(Expertise::Primary);
    }
    if phase.contains("secondary") || phase.contains("all-through") || phase.contains("16 plus") {
        out.insert(Expertise::Secondary);
    }
    if facts.is_special {
        out.insert(Expertise::Send);
    }
    if facts.is_pru {
        out.insert(Expertise::AlternativeProvision);
    }
    if placement.causing_concern {
        out.insert(Expertise::Intervention);
    }
    out
}

impl Db {
    /// Every school's entitlement for the year under the policy in force,
    /// with the circumstance rules of issue 5, planned over the year's half
    /// terms (from its first day, so due dates cover the whole year). By URN.
    pub async fn entitlements(
        &self,
        organisation_id: i64,
        year: AcademicYear,
        today: Date,
    ) -> Result<BTreeMap<i64, EntitlementPlan>> {
        let policy = self.policy_in_force(organisation_id).await?;
        self.entitlements_under(organisation_id, &policy, year, today, None)
            .await
    }

    /// One school's entitlement (`None`: not in the estate or not in the register).
    pub async fn school_entitlement(
        &self,
        organisation_id: i64,
        urn: i64,
        year: AcademicYear,
        today: Date,
    ) -> Result<Option<EntitlementPlan>> {
        let policy = self.policy_in_force(organisation_id).await?;
        let mut all = self
            .entitlements_under(organisation_id, &policy, year, today, Some(urn))
            .await?;
        Ok(all.remove(&urn))
    }

    async fn entitlements_under(
        &self,
        organisation_id: i64,
        policy: &Policy,
        year: AcademicYear,
        today: Date,
        only: Option<i64>,
    ) -> Result<BTreeMap<i64, EntitlementPlan>> {
        let as_of = facts_day(year, today);
        // The placements read model: the estate is categorised only when an
        // input changed; a school outside the estate (asked for by URN) is
        // placed on its own facts.
        let mut placed = self
            .stored_placed(organisation_id, policy, as_of, only)
            .await?;
        if let (Some(urn), true) = (only, placed.is_empty()) {
            let facts = self
                .facts_for(
                    crate::categorisation::FactsScope::School {
                        organisation_id,
                        urn,
                    },
                    as_of,
                )
                .await?;
            let overrides = self.flag_overrides(organisation_id).await?;
            for f in facts {
                let mut placement = categorise(policy, &f);
                if let Some(o) = overrides.get(&urn) {
                    apply_flag_overrides(&mut placement, o);
                }
                placed.push(crate::placements::Placed {
                    facts: f,
                    placement,
                });
            }
        }
        let (facts, mut placements): (Vec<SchoolFacts>, Vec<Placement>) =
            placed.into_iter().map(|p| (p.facts, p.placement)).unzip();
        // The category people decided is the one in force (the engine only proposes).
        let states = match only {
            Some(urn) => self.category_state(organisation_id, urn).await?,
            None => self.category_states(organisation_id).await?,
        };
        for (f, p) in facts.iter().zip(placements.iter_mut()) {
            let decided = states
                .current
                .get(&i64::from(p.urn.get()))
                .and_then(|d| d.category.clone());
            let Some(decided) = decided.filter(|d| *d != p.category) else {
                continue;
            };
            if let (Some(cat), Some(e)) = (
                policy.category(&decided),
                entitlements_in(policy, f, &decided),
            ) {
                p.category_label = cat.label.clone();
                p.causing_concern = cat.causing_concern;
                p.category = decided;
                p.entitlements = e;
            }
        }
        let (terms, _) = self.term_dates(organisation_id, year).await?;
        let cal = self.bank_holidays().await?;
        let rules = VisitRules::issue_5();
        let mut out = BTreeMap::new();
        for (f, p) in facts.iter().zip(placements.iter()) {
            let entitlement = entitlement_for(policy, p, f, &rules);
            let slots = plan_visits(&entitlement, &terms, &cal, year.first_day());
            out.insert(
                i64::from(p.urn.get()),
                EntitlementPlan {
                    needs: needs_of(f, p),
                    causing_concern: p.causing_concern,
                    entitlement,
                    slots,
                },
            );
        }
        Ok(out)
    }

    /// Delivered against due for the year as of `today`: every entitled visit
    /// matched with the visits held (`scope`: one school only).
    pub async fn delivery(
        &self,
        organisation_id: i64,
        year: AcademicYear,
        today: Date,
        scope: Option<i64>,
    ) -> Result<DeliveryReport> {
        let policy = self.policy_in_force(organisation_id).await?;
        let plans = self
            .entitlements_under(organisation_id, &policy, year, today, scope)
            .await?;
        self.delivery_of(organisation_id, year, today, scope, &plans)
            .await
    }

    /// One school's entitlement for the year and its delivery against it,
    /// from one computation of the entitlement (`None`: not in the register).
    pub async fn school_entitlement_and_delivery(
        &self,
        organisation_id: i64,
        urn: i64,
        year: AcademicYear,
        today: Date,
    ) -> Result<Option<(EntitlementPlan, DeliveryReport)>> {
        let policy = self.policy_in_force(organisation_id).await?;
        let mut plans = self
            .entitlements_under(organisation_id, &policy, year, today, Some(urn))
            .await?;
        let report = self
            .delivery_of(organisation_id, year, today, Some(urn), &plans)
            .await?;
        Ok(plans.remove(&urn).map(|plan| (plan, report)))
    }

    async fn delivery_of(
        &self,
        organisation_id: i64,
        year: AcademicYear,
        today: Date,
        scope: Option<i64>,
        plans: &BTreeMap<i64, EntitlementPlan>,
    ) -> Result<DeliveryReport> {
        let assignments = self.current_assignments(organisation_id).await?;
        let (terms, _) = self.term_dates(organisation_id, year).await?;
        let mut due = Vec::new();
        for (u, plan) in plans {
            let adviser_id = assignments
                .get(u)
                .map(|a| a.adviser_id.to_string())
                .unwrap_or_default();
            for s in &plan.slots {
                due.push(DueVisit {
                    urn: plan.entitlement.urn,
                    adviser_id: adviser_id.clone(),
                    category: plan.entitlement.category_label.clone(),
                    visit_type: s.visit_type.clone(),
                    academic_year: year,
                    term: terms.term_of(s.date).unwrap_or(s.half_term.term()),
                    due_by: s.due_by,
                });
            }
        }
        let visits = self
            .visits(&VisitFilter {
                organisation_id,
                academic_year: Some(year.to_string()),
                urn: scope,
                adviser_id: None,
            })
            .await?;
        let mut records = Vec::new();
        for v in &visits {
            let Some(date) = parse_date(v.held_on.as_deref().unwrap_or(&v.planned_date)) else {
                continue;
            };
            records.push(VisitRecord {
                visit_id: v.id.to_string(),
                urn: urn(v.urn)?,
                visit_type: VisitType::from_key(&v.visit_type),
                date,
                completed: v.held_on.is_some(),
            });
        }
        Ok(dv::delivery(&due, &records, today))
    }

    /// Caseloads: each adviser's schools and days committed against
    /// capacity, with suggested reassignments. Also returns the entitlements
    /// it was computed from.
    pub async fn caseload(
        &self,
        organisation_id: i64,
        year: AcademicYear,
        today: Date,
    ) -> Result<(CaseloadReport, BTreeMap<i64, EntitlementPlan>)> {
        let plans = self.entitlements(organisation_id, year, today).await?;
        let advisers: Vec<dv::Adviser> = self
            .advisers(organisation_id)
            .await?
            .iter()
            .filter(|a| a.active)
            .map(AdviserRow::domain)
            .collect();
        let assignments = self.current_assignments(organisation_id).await?;
        let schools: Vec<SchoolNeeds> = plans
            .iter()
            .map(|(u, p)| {
                SchoolNeeds::from_entitlement(
                    &p.entitlement,
                    assignments
                        .get(u)
                        .map(|a| a.adviser_id.to_string())
                        .unwrap_or_default(),
                    p.needs.clone(),
                )
            })
            .collect();
        Ok((
            dv::caseload(&advisers, &schools, &DaysPerVisit::default()),
            plans,
        ))
    }
}

// ---------------------------------------------------------------------------
// Visits

/// A visit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub organisation_id: i64,
    pub urn: i64,
    pub adviser_id: i64,
    pub visit_type: String,
    pub academic_year: String,
    pub planned_date: String,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub focus: String,
    /// JSON array of strings.
    pub attendees: String,
    pub stage: String,
    pub held_on: Option<String>,
    pub response_working_days: i64,
    pub created_by: String,
    pub created_by_user_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

const VISIT_COLS: &str = "id, organisation_id, urn, adviser_id, visit_type, academic_year, planned_date, start_time, end_time, focus, attendees, stage, held_on, response_working_days, created_by, created_by_user_id, created_at, updated_at";

impl VisitRow {
    /// The attendees.
    pub fn attendee_list(&self) -> Vec<String> {
        serde_json::from_str(&self.attendees).unwrap_or_default()
    }

    /// The stage.
    pub fn stage(&self) -> Stage {
        stage_from(&self.stage).unwrap_or(Stage::Planned)
    }

    /// The type.
    pub fn visit_type(&self) -> VisitType {
        VisitType::from_key(&self.visit_type)
    }
}

/// The pre-visit self-evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SelfEvaluationRow {
    pub id: i64,
    pub visit_id: i64,
    pub requested_at: String,
    pub content: Option<String>,
    pub completed_by_user_id: Option<i64>,
    pub completed_at: Option<String>,
    pub review: Option<String>,
    pub reviewed_by_user_id: Option<i64>,
    pub reviewed_at: Option<String>,
}

const SE_COLS: &str = "id, visit_id, requested_at, content, completed_by_user_id, completed_at, review, reviewed_by_user_id, reviewed_at";

/// The note of visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub visit_id: i64,
    /// The note as JSON ([`NoteOfVisit`]).
    pub content: String,
    /// draft | sent | responded | shared | final.
    pub state: String,
    pub drafted_by_user_id: Option<i64>,
    pub sent_at: Option<String>,
    pub response_due: Option<String>,
    /// accurate | comments | no_response.
    pub response_kind: Option<String>,
    pub response_comments: Option<String>,
    pub responded_at: Option<String>,
    pub responded_by_user_id: Option<i64>,
    pub shared_with_chair_at: Option<String>,
    pub finalised_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const NOTE_COLS: &str = "id, visit_id, content, state, drafted_by_user_id, sent_at, response_due, response_kind, response_comments, responded_at, responded_by_user_id, shared_with_chair_at, finalised_at, created_at, updated_at";

impl NoteRow {
    /// The note's content.
    pub fn note(&self) -> Result<NoteOfVisit> {
        serde_json::from_str(&self.content)
            .map_err(|e| StoreError::Invalid(format!("note of visit {}: {e}", self.id)))
    }
}

/// An addendum to a final note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AddendumRow {
    pub id: i64,
    pub note_id: i64,
    pub visit_id: i64,
    pub text: String,
    pub added_by: String,
    pub added_by_user_id: Option<i64>,
    pub added_on: String,
    pub added_at: String,
}

const ADDENDUM_COLS: &str =
    "id, note_id, visit_id, text, added_by, added_by_user_id, added_on, added_at";

/// One step of a visit's workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub visit_id: i64,
    pub from_stage: String,
    pub to_stage: String,
    pub on_date: String,
    pub by_label: String,
    pub by_user_id: Option<i64>,
    pub what: String,
    pub at: String,
}

const EVENT_COLS: &str =
    "id, visit_id, from_stage, to_stage, on_date, by_label, by_user_id, what, at";

/// A visit with everything recorded on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitFull {
    pub visit: VisitRow,
    pub self_evaluation: Option<SelfEvaluationRow>,
    pub note: Option<NoteRow>,
    pub addenda: Vec<AddendumRow>,
    pub events: Vec<EventRow>,
}

/// The key of a stage (`planned`, `sent_to_headteacher`, ...).
pub fn stage_key(s: Stage) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The stage with this key.
pub fn stage_from(key: &str) -> Option<Stage> {
    serde_json::from_value(serde_json::Value::String(key.to_owned())).ok()
}

fn note_state(s: Stage) -> &'static str {
    match s {
        Stage::SentToHeadteacher => "sent",
        Stage::HeadteacherResponded => "responded",
        Stage::SharedWithChair => "shared",
        Stage::Final => "final",
        _ => "draft",
    }
}

impl VisitFull {
    /// Whether the note has reached the school: sent to the headteacher or later.
    pub fn note_shared_with_school(&self) -> bool {
        self.note.is_some() && self.visit.stage() >= Stage::SentToHeadteacher
    }

    /// The visit as the domain's workflow sees it.
    pub fn domain(&self) -> Result<Visit> {
        let v = &self.visit;
        let bad = |what: &str| StoreError::Invalid(format!("visit {}: bad {what}", v.id));
        let date = parse_date(&v.planned_date).ok_or_else(|| bad("planned date"))?;
        let time = |t: &Option<String>| t.as_deref().and_then(|s| s.parse().ok());
        let year: AcademicYear = v.academic_year.parse().map_err(|_| bad("academic year"))?;
        let note = match &self.note {
            Some(n) => Some(n.note()?),
            None => None,
        };
        let response = self.note.as_ref().and_then(|n| {
            let on = n.responded_at.as_deref().and_then(parse_date)?;
            match n.response_kind.as_deref()? {
                "accurate" => Some(HeadResponse::Accurate { on }),
                "comments" => Some(HeadResponse::Comments {
                    on,
                    comments: n.response_comments.clone().unwrap_or_default(),
                }),
                "no_response" => Some(HeadResponse::NoResponse {
                    recorded_on: on,
                    due: n.response_due.as_deref().and_then(parse_date)?,
                }),
                _ => None,
            }
        });
        let nd = |f: fn(&NoteRow) -> &Option<String>| {
            self.note
                .as_ref()
                .and_then(|n| f(n).as_deref().and_then(parse_date))
        };
        Ok(Visit {
            plan: VisitPlan {
                visit_id: v.id.to_string(),
                urn: urn(v.urn)?,
                adviser_id: v.adviser_id.to_string(),
                visit_type: v.visit_type(),
                date,
                start: time(&v.start_time),
                end: time(&v.end_time),
                focus: v.focus.clone(),
                attendees: v.attendee_list(),
            },
            academic_year: year,
            stage: v.stage(),
            response_working_days: u32::try_from(v.response_working_days).unwrap_or(10),
            self_evaluation: self
                .self_evaluation
                .as_ref()
                .and_then(|s| s.content.clone()),
            self_evaluation_review: self.self_evaluation.as_ref().and_then(|s| s.review.clone()),
            held_on: v.held_on.as_deref().and_then(parse_date),
            note,
            sent_on: nd(|n| &n.sent_at),
            response_due: nd(|n| &n.response_due),
            response,
            shared_on: nd(|n| &n.shared_with_chair_at),
            finalised_on: nd(|n| &n.finalised_at),
            addenda: self
                .addenda
                .iter()
                .map(|a| Addendum {
                    on: parse_date(&a.added_on).unwrap_or(date),
                    by: a.added_by.clone(),
                    text: a.text.clone(),
                })
                .collect(),
            history: self
                .events
                .iter()
                .map(|e| Transition {
                    from: stage_from(&e.from_stage).unwrap_or(Stage::Planned),
                    to: stage_from(&e.to_stage).unwrap_or(Stage::Planned),
                    on: parse_date(&e.on_date).unwrap_or(date),
                    by: e.by_label.clone(),
                    what: e.what.clone(),
                })
                .collect(),
        })
    }
}

/// Which visits to list.
#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub organisation_id: i64,
    pub academic_year: Option<String>,
    pub urn: Option<i64>,
    pub adviser_id: Option<i64>,
}

impl Db {
    /// Visits, by planned date.
    pub async fn visits(&self, f: &VisitFilter) -> Result<Vec<VisitRow>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {VISIT_COLS} FROM visits WHERE organisation_id = $1
               AND ($2 IS NULL OR academic_year = $2)
               AND ($3 IS NULL OR urn = $3)
               AND ($4 IS NULL OR adviser_id = $4)
             ORDER BY planned_date, id"))
            .bind(f.organisation_id).bind(f.academic_year.as_deref()).bind(f.urn).bind(f.adviser_id)
            .fetch_all(p).await)?)
    }

    /// One visit with everything recorded on it.
    pub async fn visit(&self, organisation_id: i64, id: i64) -> Result<Option<VisitFull>> {
        let mut tx = self.begin().await?;
        let out = load_full(&mut tx, organisation_id, id).await?;
        tx.commit().await?;
        Ok(out)
    }
}

async fn load_full(tx: &mut Tx, organisation_id: i64, id: i64) -> Result<Option<VisitFull>> {
    let visit: Option<VisitRow> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {VISIT_COLS} FROM visits WHERE organisation_id = $1 AND id = $2"))
        .bind(organisation_id).bind(id).fetch_optional(&mut **c).await)?;
    let Some(visit) = visit else {
        return Ok(None);
    };
    let self_evaluation: Option<SelfEvaluationRow> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {SE_COLS} FROM visit_self_evaluations WHERE visit_id = $1"))
        .bind(id).fetch_optional(&mut **c).await)?;
    let note: Option<NoteRow> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {NOTE_COLS} FROM visit_notes WHERE visit_id = $1"))
        .bind(id).fetch_optional(&mut **c).await)?;
    let addenda: Vec<AddendumRow> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {ADDENDUM_COLS} FROM visit_note_addenda WHERE visit_id = $1 ORDER BY id"))
        .bind(id).fetch_all(&mut **c).await)?;
    let events: Vec<EventRow> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {EVENT_COLS} FROM visit_events WHERE visit_id = $1 ORDER BY id"))
        .bind(id).fetch_all(&mut **c).await)?;
    Ok(Some(VisitFull {
        visit,
        self_evaluation,
        note,
        addenda,
        events,
    }))
}

/// A visit to plan.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub urn: i64,
    pub adviser_id: i64,
    pub visit_type: VisitType,
    pub academic_year: AcademicYear,
    pub date: Date,
    pub start: Option<jiff::civil::Time>,
    pub end: Option<jiff::civil::Time>,
    pub focus: String,
    pub attendees: Vec<String>,
}

fn hhmm(t: Option<jiff::civil::Time>) -> Option<String> {
    t.map(|t| t.strftime("%H:%M").to_string())
}

async fn insert_events(
    tx: &mut Tx,
    actor: &Actor,
    visit_id: i64,
    events: &[Transition],
) -> Result<()> {
    for e in events {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO visit_events (visit_id, from_stage, to_stage, on_date, by_label, by_user_id, what, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(visit_id).bind(stage_key(e.from)).bind(stage_key(e.to)).bind(e.on.to_string())
            .bind(&actor.label).bind(actor.user_id).bind(&e.what).bind(now())
            .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Plans a visit (audited). The domain checks the actor (the school's
/// adviser, or a lead), the date (not past, inside the academic year, a
/// term-time working day) and the fields; nothing is saved on an error.
#[allow(clippy::too_many_arguments)]
pub async fn plan_visit(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    who: &VisitActor,
    input: &PlanInput,
    today: Date,
    calendar: &BankHolidays,
    response_working_days: u32,
) -> std::result::Result<VisitFull, VisitError> {
    if !school_in_estate(tx, organisation_id, input.urn).await? {
        return Err(VisitError::Fields(vec![FieldError::new(
            "urn",
            format!(
                "School {} is not one of this organisation's schools",
                input.urn
            ),
        )]));
    }
    if adviser_in_tx(tx, organisation_id, input.adviser_id)
        .await?
        .is_none()
    {
        return Err(VisitError::Fields(vec![FieldError::new(
            "adviser_id",
            "Select the adviser",
        )]));
    }
    let terms = crate::meetings::term_dates_in(tx, organisation_id, input.academic_year).await?;
    let plan = VisitPlan {
        visit_id: "new".into(),
        urn: urn(input.urn)?,
        adviser_id: input.adviser_id.to_string(),
        visit_type: input.visit_type.clone(),
        date: input.date,
        start: input.start,
        end: input.end,
        focus: input.focus.trim().to_owned(),
        attendees: input
            .attendees
            .iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect(),
    };
    let visit = Visit::plan(plan, &terms, calendar, today, who, response_working_days)?;
    let attendees = serde_json::to_string(&visit.plan.attendees)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let t = now();
    let row: VisitRow = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO visits (organisation_id, urn, adviser_id, visit_type, academic_year, planned_date, start_time, end_time,
             focus, attendees, stage, held_on, response_working_days, created_by, created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, $13, $14, $15, $15) RETURNING {VISIT_COLS}"))
        .bind(organisation_id).bind(input.urn).bind(input.adviser_id).bind(visit.plan.visit_type.key())
        .bind(visit.academic_year.to_string()).bind(visit.plan.date.to_string())
        .bind(hhmm(visit.plan.start)).bind(hhmm(visit.plan.end)).bind(&visit.plan.focus).bind(attendees)
        .bind(stage_key(visit.stage)).bind(i64::from(response_working_days)).bind(&actor.label)
        .bind(actor.user_id).bind(&t).fetch_one(&mut **c).await)
    .map_err(StoreError::from)?;
    insert_events(tx, actor, row.id, &visit.history).await?;
    audit::record(
        tx,
        actor,
        Change::created("visit", row.id, Some(organisation_id), &row),
    )
    .await?;
    load_full(tx, organisation_id, row.id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("visit {}", row.id)).into())
}

fn entity_of(action: &VisitAction) -> &'static str {
    match action {
        VisitAction::RequestSelfEvaluation
        | VisitAction::CompleteSelfEvaluation { .. }
        | VisitAction::ReviewSelfEvaluation { .. } => "visit_self_evaluation",
        VisitAction::RecordHeld { .. } => "visit",
        VisitAction::AddAddendum { .. } => "visit_note_addendum",
        _ => "visit_note",
    }
}

/// Applies a workflow action to a visit (audited): the domain checks the
/// stage, the actor and the fields; on success the changed rows are written
/// and the step recorded. `Ok(None)`: no such visit in the organisation.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    visit_id: i64,
    who: &VisitActor,
    action: VisitAction,
    today: Date,
    calendar: &BankHolidays,
) -> std::result::Result<Option<VisitFull>, VisitError> {
    let Some(before) = load_full(tx, organisation_id, visit_id).await? else {
        return Ok(None);
    };
    let mut visit = before.domain()?;
    let history_len = visit.history.len();
    let addenda_len = visit.addenda.len();
    let entity = entity_of(&action);
    visit.apply(action, who, today, calendar)?;
    let t = now();
    let uid = actor.user_id;
    // The visit row.
    on_tx!(tx, c => sqlx::query("UPDATE visits SET stage = $1, held_on = $2, updated_at = $3 WHERE id = $4")
        .bind(stage_key(visit.stage)).bind(visit.held_on.map(|d| d.to_string())).bind(&t).bind(visit_id)
        .execute(&mut **c).await.map(|r| r.rows_affected()))
    .map_err(StoreError::from)?;
    // The self-evaluation.
    if visit.stage >= Stage::SelfEvaluationRequested || before.self_evaluation.is_some() {
        let se_before = before.self_evaluation.as_ref();
        let content_changed = se_before.and_then(|s| s.content.clone()) != visit.self_evaluation;
        let review_changed =
            se_before.and_then(|s| s.review.clone()) != visit.self_evaluation_review;
        match se_before {
            None => {
                on_tx!(tx, c => sqlx::query(
                    "INSERT INTO visit_self_evaluations (visit_id, requested_at, content, review) VALUES ($1, $2, $3, $4)")
                    .bind(visit_id).bind(&t).bind(&visit.self_evaluation).bind(&visit.self_evaluation_review)
                    .execute(&mut **c).await.map(|r| r.rows_affected()))
                .map_err(StoreError::from)?;
            }
            Some(s) => {
                if content_changed {
                    on_tx!(tx, c => sqlx::query(
                        "UPDATE visit_self_evaluations SET content = $1, completed_by_user_id = $2, completed_at = $3 WHERE id = $4")
                        .bind(&visit.self_evaluation).bind(uid).bind(&t).bind(s.id)
                        .execute(&mut **c).await.map(|r| r.rows_affected()))
                    .map_err(StoreError::from)?;
                }
                if review_changed {
                    on_tx!(tx, c => sqlx::query(
                        "UPDATE visit_self_evaluations SET review = $1, reviewed_by_user_id = $2, reviewed_at = $3 WHERE id = $4")
                        .bind(&visit.self_evaluation_review).bind(uid).bind(&t).bind(s.id)
                        .execute(&mut **c).await.map(|r| r.rows_affected()))
                    .map_err(StoreError::from)?;
                }
            }
        }
    }
    // The note.
    if let Some(note) = &visit.note {
        let content =
            serde_json::to_string(note).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let (kind, comments, responded) = match &visit.response {
            Some(HeadResponse::Accurate { on }) => (Some("accurate"), None, Some(on.to_string())),
            Some(HeadResponse::Comments { on, comments }) => (
                Some("comments"),
                Some(comments.clone()),
                Some(on.to_string()),
            ),
            Some(HeadResponse::NoResponse { recorded_on, .. }) => {
                (Some("no_response"), None, Some(recorded_on.to_string()))
            }
            None => (None, None, None),
        };
        let responded_changed = before
            .note
            .as_ref()
            .is_none_or(|n| n.response_kind.as_deref() != kind);
        let responder = if responded_changed && kind.is_some() {
            uid
        } else {
            before.note.as_ref().and_then(|n| n.responded_by_user_id)
        };
        let ds = |d: Option<Date>| d.map(|d| d.to_string());
        match &before.note {
            None => {
                on_tx!(tx, c => sqlx::query(
                    "INSERT INTO visit_notes (visit_id, content, state, drafted_by_user_id, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5)")
                    .bind(visit_id).bind(&content).bind(note_state(visit.stage)).bind(uid).bind(&t)
                    .execute(&mut **c).await.map(|r| r.rows_affected()))
                .map_err(StoreError::from)?;
            }
            Some(n) => {
                let drafted_by = if n.content != content {
                    uid
                } else {
                    n.drafted_by_user_id
                };
                on_tx!(tx, c => sqlx::query(
                    "UPDATE visit_notes SET content = $1, state = $2, drafted_by_user_id = $3, sent_at = $4, response_due = $5,
                         response_kind = $6, response_comments = $7, responded_at = $8, responded_by_user_id = $9,
                         shared_with_chair_at = $10, finalised_at = $11, updated_at = $12 WHERE id = $13")
                    .bind(&content).bind(note_state(visit.stage)).bind(drafted_by)
                    .bind(ds(visit.sent_on)).bind(ds(visit.response_due)).bind(kind).bind(comments)
                    .bind(responded).bind(responder).bind(ds(visit.shared_on)).bind(ds(visit.finalised_on))
                    .bind(&t).bind(n.id)
                    .execute(&mut **c).await.map(|r| r.rows_affected()))
                .map_err(StoreError::from)?;
            }
        }
    }
    // Addenda.
    if visit.addenda.len() > addenda_len {
        let note_id: i64 =
            on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM visit_notes WHERE visit_id = $1")
            .bind(visit_id).fetch_one(&mut **c).await)
            .map_err(StoreError::from)?;
        for a in &visit.addenda[addenda_len..] {
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO visit_note_addenda (note_id, visit_id, text, added_by, added_by_user_id, added_on, added_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(note_id).bind(visit_id).bind(a.text.trim()).bind(&actor.label).bind(uid)
                .bind(a.on.to_string()).bind(&t)
                .execute(&mut **c).await.map(|r| r.rows_affected()))
            .map_err(StoreError::from)?;
        }
    }
    insert_events(tx, actor, visit_id, &visit.history[history_len..]).await?;
    // A note just sent to the headteacher: the school's users are notified
    // (inbox, and email through the outbox) in this transaction.
    if visit.stage == Stage::SentToHeadteacher && before.visit.stage() != Stage::SentToHeadteacher {
        let urn: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT urn FROM visits WHERE id = $1")
            .bind(visit_id).fetch_one(&mut **c).await)
        .map_err(StoreError::from)?;
        let due = visit.response_due.map(|d| d.to_string());
        crate::notifications::note_awaiting_headteacher(
            tx,
            organisation_id,
            urn,
            visit_id,
            due.as_deref(),
        )
        .await?;
    }
    let after = load_full(tx, organisation_id, visit_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("visit {visit_id}")))?;
    let pick = |f: &VisitFull| -> serde_json::Value {
        match entity {
            "visit_self_evaluation" => {
                json!({"stage": f.visit.stage, "self_evaluation": f.self_evaluation})
            }
            "visit" => json!({"stage": f.visit.stage, "held_on": f.visit.held_on}),
            "visit_note_addendum" => json!({"stage": f.visit.stage, "addenda": f.addenda}),
            _ => json!({"stage": f.visit.stage, "note": f.note}),
        }
    };
    audit::record(
        tx,
        actor,
        Change::updated(
            entity,
            visit_id,
            Some(organisation_id),
            &pick(&before),
            &pick(&after),
        ),
    )
    .await?;
    Ok(Some(after))
}

/// Sets the working days a headteacher has to respond in one organisation (audited).
pub async fn set_response_working_days(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    days: u32,
) -> Result<()> {
    if !(1..=60).contains(&days) {
        return Err(StoreError::Invalid(
            "the response window must be between 1 and 60 working days".into(),
        ));
    }
    settings::set_in(
        tx,
        actor,
        &response_days_key(organisation_id),
        Some(organisation_id),
        &days.to_string(),
    )
    .await
}

// ---------------------------------------------------------------------------
// The demo authority

/// What [`load_demo`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoVisits {
    /// Advisers created (0 when the organisation already had advisers).
    pub advisers: usize,
    /// Schools given a named adviser.
    pub assigned: usize,
    /// Visits created.
    pub visits: usize,
    /// The demo adviser user's adviser record, if any.
    pub demo_adviser_id: Option<i64>,
    /// The demo school user's school, if any.
    pub demo_school: Option<i64>,
    /// Steps that could not be taken, in words.
    pub skipped: Vec<String>,
}

/// Fictional advisers of the demo authority: name, email, expertise, days.
const DEMO_ADVISERS: [(&str, &str, &[Expertise], f64); 5] = [
    (
        "Priya Raman",
        "priya.raman@demo.uplift.invalid",
        &[Expertise::Secondary, Expertise::Send],
        70.0,
    ),
    (
        "Tom Okafor",
        "tom.okafor@demo.uplift.invalid",
        &[Expertise::Primary, Expertise::Governance],
        50.0,
    ),
    (
        "Helen Marsh",
        "helen.marsh@demo.uplift.invalid",
        &[Expertise::EarlyYears, Expertise::Primary, Expertise::Send],
        45.0,
    ),
    (
        "Daniel Cho",
        "daniel.cho@demo.uplift.invalid",
        &[
            Expertise::AlternativeProvision,
            Expertise::Secondary,
            Expertise::Intervention,
        ],
        40.0,
    ),
    (
        "Grace Whitfield",
        "grace.whitfield@demo.uplift.invalid",
        &[
            Expertise::Primary,
            Expertise::Intervention,
            Expertise::Governance,
        ],
        55.0,
    ),
];

fn demo_note(focus: &str) -> dv::NoteOfVisitForm {
    use dv::note::{AgreedActionForm, FocusAreaForm};
    dv::NoteOfVisitForm {
        focus_areas: vec![
            FocusAreaForm {
                title: focus.into(),
                commentary: "Leaders have a clear view of strengths and priorities; the plan is well sequenced and staff understand it.".into(),
                adviser_judgement: "Secure".into(),
                school_grade: "Secure".into(),
                disagreement_note: String::new(),
            },
            FocusAreaForm {
                title: "Reading in key stage 1".into(),
                commentary: "Phonics is taught consistently; fluency practice in Year 2 is not yet consistent across classes.".into(),
                adviser_judgement: "Emerging".into(),
                school_grade: "Secure".into(),
                disagreement_note: "Discussed with the headteacher at the visit: the school's grade rests on Year 1 outcomes only.".into(),
            },
        ],
        strengths: vec![
            "Calm, purposeful classrooms and positive relationships".into(),
            "Governors challenge leaders well on attendance".into(),
        ],
        areas_for_development: vec!["Consistency of reading fluency practice in Year 2".into()],
        agreed_actions: vec![AgreedActionForm {
            action: "Fluency training for Year 2 staff, with follow-up drop-ins".into(),
            owner: "English lead".into(),
            due: "2027-01-29".into(),
        }],
        next_visit_date: "2027-02-10".into(),
        next_visit_focus: "Reading fluency and the impact of the training".into(),
    }
}

/// Gives the demo organisation advisers (the demo adviser user's own record
/// and five fictional advisers), a named adviser for every school of its
/// estate (the demo school user's school goes to the demo adviser), and a few
/// visits in different stages with their history. Does nothing when the
/// organisation already has advisers, so loading the demo twice is harmless.
pub async fn load_demo(db: &Db, organisation_id: i64, today: Date) -> Result<DemoVisits> {
    let mut out = DemoVisits::default();
    if !db.advisers(organisation_id).await?.is_empty() {
        return Ok(out);
    }
    let actor = Actor::system("demo");
    let users: Vec<(i64, String, String, String, Option<i64>)> = on_pool!(db.pool(), p => sqlx::query_as(
        "SELECT id, name, email, role, school_urn FROM users WHERE organisation_id = $1 ORDER BY id")
        .bind(organisation_id).fetch_all(p).await)?;
    let adviser_user = users.iter().find(|u| u.3 == "adviser");
    let lead_user = users.iter().find(|u| u.3 == "lead");
    out.demo_school = users.iter().find(|u| u.3 == "school").and_then(|u| u.4);
    let mut tx = db.begin().await?;
    let mut ids: Vec<(i64, BTreeSet<Expertise>)> = Vec::new();
    if let Some((uid, name, email, _, _)) = adviser_user {
        let e = [
            Expertise::Primary,
            Expertise::EarlyYears,
            Expertise::Governance,
        ];
        let a = create_adviser(
            &mut tx,
            &actor,
            organisation_id,
            &AdviserInput {
                user_id: Some(*uid),
                name,
                email,
                expertise: &e,
                capacity_days: 60.0,
                active: true,
            },
        )
        .await
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        out.demo_adviser_id = Some(a.id);
        ids.push((a.id, a.expertise_set()));
    }
    for (name, email, e, days) in DEMO_ADVISERS {
        let a = create_adviser(
            &mut tx,
            &actor,
            organisation_id,
            &AdviserInput {
                user_id: None,
                name,
                email,
                expertise: e,
                capacity_days: days,
                active: true,
            },
        )
        .await
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        ids.push((a.id, a.expertise_set()));
    }
    tx.commit().await?;
    out.advisers = ids.len();

    // Named advisers: the demo school to the demo adviser, then each school to
    // the adviser with every expertise it needs and the fewest schools.
    let year = AcademicYear::containing(today);
    let plans = db.entitlements(organisation_id, year, today).await?;
    let mut counts: BTreeMap<i64, usize> = ids.iter().map(|(id, _)| (*id, 0)).collect();
    let mut tx = db.begin().await?;
    let from = year.first_day();
    let mut assigned: BTreeMap<i64, i64> = BTreeMap::new();
    for (urn, plan) in &plans {
        let chosen = if Some(*urn) == out.demo_school {
            out.demo_adviser_id
        } else {
            let mut best: Option<(usize, usize, i64)> = None;
            for (id, exp) in &ids {
                let missing = plan.needs.iter().filter(|n| !exp.contains(n)).count();
                let key = (missing, counts[id], *id);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
            best.map(|b| b.2)
        };
        let Some(adviser_id) = chosen else { continue };
        assign_adviser(
            &mut tx,
            &actor,
            organisation_id,
            *urn,
            adviser_id,
            from,
            "Initial allocation for the academic year",
        )
        .await
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        *counts.entry(adviser_id).or_default() += 1;
        assigned.insert(*urn, adviser_id);
        out.assigned += 1;
    }
    tx.commit().await?;

    // Visits in different stages, with their history.
    let cal = db.bank_holidays().await?;
    let days = db.response_working_days(organisation_id).await?;
    let lead = lead_user.map(|u| u.0);
    let d = |y: i16, m: i8, dd: i8| jiff::civil::date(y, m, dd);
    let demo_school = out.demo_school;
    let other_schools: Vec<i64> = assigned
        .keys()
        .copied()
        .filter(|u| Some(*u) != demo_school)
        .collect();
    let demo_own: Option<i64> = out.demo_adviser_id.and_then(|a| {
        assigned
            .iter()
            .find(|(u, x)| **x == a && Some(**u) != demo_school)
            .map(|(u, _)| *u)
    });
    // (urn, type, planned, focus, steps up to)
    type Script = (i64, VisitType, Date, &'static str, Stage);
    let mut scripts: Vec<Script> = Vec::new();
    if let Some(u) = demo_school {
        scripts.push((
            u,
            VisitType::SchoolEffectiveness,
            d(2026, 10, 5),
            "Leadership and the school development plan",
            Stage::Final,
        ));
        scripts.push((
            u,
            VisitType::SchoolEffectiveness,
            d(2026, 11, 16),
            "Curriculum and reading",
            Stage::SentToHeadteacher,
        ));
        scripts.push((
            u,
            VisitType::SchoolEffectiveness,
            d(2027, 1, 20),
            "Attendance and inclusion",
            Stage::SelfEvaluationRequested,
        ));
    }
    if let Some(u) = demo_own {
        scripts.push((
            u,
            VisitType::SchoolEffectiveness,
            d(2026, 12, 3),
            "Early years provision",
            Stage::Planned,
        ));
        scripts.push((
            u,
            VisitType::SchoolEffectiveness,
            d(2026, 11, 12),
            "Governance and the budget",
            Stage::NoteDrafted,
        ));
    }
    for u in other_schools
        .iter()
        .filter(|u| Some(**u) != demo_own)
        .take(3)
    {
        scripts.push((
            *u,
            VisitType::SchoolEffectiveness,
            d(2026, 10, 14),
            "Quality of education",
            Stage::Final,
        ));
    }
    for (urn, visit_type, date, focus, upto) in scripts {
        let adviser_id = assigned[&urn];
        let who = VisitActor {
            user_id: lead.map(|l| l.to_string()).unwrap_or_else(|| "demo".into()),
            role: dv::ActorRole::Lead,
        };
        let head = VisitActor {
            user_id: "demo-head".into(),
            role: dv::ActorRole::Headteacher {
                urn: crate::visits::urn(urn)?,
            },
        };
        // Planned two weeks before the visit (or today), the steps on their days.
        let planned_on = date
            .checked_sub(jiff::Span::new().days(14))
            .unwrap_or(date)
            .min(today);
        let mut tx = db.begin().await?;
        let full = plan_visit(
            &mut tx,
            &actor,
            organisation_id,
            &who,
            &PlanInput {
                urn,
                adviser_id,
                visit_type,
                academic_year: year,
                date,
                start: Some(jiff::civil::time(9, 30, 0, 0)),
                end: Some(jiff::civil::time(12, 30, 0, 0)),
                focus: focus.into(),
                attendees: vec!["Headteacher".into(), "Chair of governors".into()],
            },
            planned_on,
            &cal,
            days,
        )
        .await;
        let full = match full {
            Ok(f) => f,
            Err(e) => {
                out.skipped.push(format!("URN {urn}, {date}: {e}"));
                continue;
            }
        };
        let id = full.visit.id;
        let after = |n: i64| date.checked_add(jiff::Span::new().days(n)).unwrap_or(date);
        let steps: Vec<(Stage, VisitActor, VisitAction, Date)> = vec![
            (Stage::SelfEvaluationRequested, who.clone(), VisitAction::RequestSelfEvaluation, planned_on),
            (Stage::SelfEvaluationCompleted, head.clone(), VisitAction::CompleteSelfEvaluation {
                content: format!("{focus}: we judge this Secure. Reading in key stage 1: Secure, with strong Year 1 phonics outcomes."),
            }, after(-7)),
            (Stage::SelfEvaluationReviewed, who.clone(), VisitAction::ReviewSelfEvaluation {
                comments: "A candid evaluation; the visit will test the reading grade in Year 2.".into(),
            }, after(-5)),
            (Stage::Held, who.clone(), VisitAction::RecordHeld { date }, date),
            (Stage::NoteDrafted, who.clone(), VisitAction::DraftNote { note: Box::new(demo_note(focus)) }, after(1)),
            (Stage::SentToHeadteacher, who.clone(), VisitAction::SendToHeadteacher, after(2)),
            (Stage::HeadteacherResponded, head.clone(), VisitAction::MarkAccurate, after(4)),
            (Stage::SharedWithChair, head.clone(), VisitAction::ShareWithChair, after(4)),
            (Stage::Final, who.clone(), VisitAction::Finalise, after(7)),
        ];
        let mut ok = true;
        for (stage, by, action, on) in steps {
            if stage > upto {
                break;
            }
            if let Err(e) = act(&mut tx, &actor, organisation_id, id, &by, action, on, &cal).await {
                out.skipped
                    .push(format!("visit to URN {urn} on {date}: {e}"));
                ok = false;
                break;
            }
        }
        if ok {
            tx.commit().await?;
            out.visits += 1;
        }
    }
    Ok(out)
}

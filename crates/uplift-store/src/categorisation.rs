//! Categorisation (issue 4): the policy an organisation has in force, the
//! facts of its schools assembled from the register for the policy engine,
//! every school's category history (proposals, a lead's confirmations with a
//! rationale and overrides with a reason), and officers' overrides of derived
//! flags. Every change is audited; rows are only ever appended, so the history
//! is complete and the latest row is the one in force.
//!
//! The engine itself is pure (`uplift_domain::policy`); this module reads the
//! register in one query per table (never one per school) so that a national
//! estate loads quickly.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;
use sqlx::FromRow;
use uplift_domain::calendar::AcademicYear;
use uplift_domain::policy::{
    EstateAssessment, FlagKind, InspectionFact, IntelligenceItem, MeasureFact, Override, Placement,
    Policy, PolicyError, Provenance, SchoolFacts, MEASURES,
};
use uplift_domain::register::{
    CategoryOfConcern, Date, Governance, GradedInspection, Inspection, LaCode, OeifGrade,
    ReportCardArea, ReportCardAreaGrade, ReportCardGrade, ReportCardInspection,
    SafeguardingStandard, SixthForm, UngradedInspection, Urn,
};

use crate::audit::{self, Actor, Change};
use crate::placements::inputs_changed;
use crate::{now, Db, Result, StoreError, Tx};

// ---------------------------------------------------------------------------
// Policies

/// Where a policy comes from: a preset shipped with Uplift, or an
/// organisation's own TOML file.
#[derive(Debug, Clone, Copy)]
pub enum PolicySource<'a> {
    Preset(&'a str),
    File { name: &'a str, text: &'a str },
}

/// Loads a policy (pure): every problem comes back with its line and column.
pub fn load_policy(source: PolicySource<'_>) -> std::result::Result<Policy, Vec<PolicyError>> {
    match source {
        PolicySource::Preset(name) => Policy::preset(name),
        PolicySource::File { name, text } => Policy::parse(name, text),
    }
}

/// The policy errors as one line each, joined.
pub fn describe_errors(errors: &[PolicyError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A policy an organisation adopted. The latest is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct PolicyRecord {
    pub id: i64,
    pub organisation_id: i64,
    /// The policy's own name (`[policy] name`).
    pub name: String,
    pub title: String,
    /// The preset's name, or `None` for the organisation's own TOML.
    pub preset: Option<String>,
    /// The preset's name or the file name it was read from.
    pub source_name: String,
    /// The organisation's own TOML (`None` for a preset).
    pub source_text: Option<String>,
    pub adopted_by: String,
    pub adopted_by_user_id: Option<i64>,
    pub adopted_at: String,
}

impl PolicyRecord {
    /// The policy this record holds.
    pub fn load(&self) -> Result<Policy> {
        let source = match (&self.preset, &self.source_text) {
            (Some(p), _) => PolicySource::Preset(p),
            (None, Some(text)) => PolicySource::File {
                name: &self.source_name,
                text,
            },
            (None, None) => {
                return Err(StoreError::Invalid(format!(
                    "policy record {} holds no policy",
                    self.id
                )))
            }
        };
        load_policy(source).map_err(|e| {
            StoreError::Invalid(format!(
                "the stored policy no longer loads: {}",
                describe_errors(&e)
            ))
        })
    }
}

const POLICY_COLS: &str = "id, organisation_id, name, title, preset, source_name, source_text, adopted_by, adopted_by_user_id, adopted_at";

/// The preset an organisation uses until it chooses one: `trust` for a trust,
/// `la-differentiated` otherwise.
pub fn default_preset(organisation_kind: &str) -> &'static str {
    if organisation_kind == "trust" {
        "trust"
    } else {
        "la-differentiated"
    }
}

/// Puts a policy in force for an organisation (audited). A policy that does
/// not load is refused with its line:column errors and nothing is written, so
/// the previous policy stays in force.
pub async fn adopt_policy(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    source: PolicySource<'_>,
) -> Result<PolicyRecord> {
    let policy = load_policy(source).map_err(|e| {
        StoreError::Invalid(format!(
            "the policy was refused (the previous policy stays in force): {}",
            describe_errors(&e)
        ))
    })?;
    let (preset, source_name, text) = match source {
        PolicySource::Preset(p) => (Some(p), p, None),
        PolicySource::File { name, text } => (None, name, Some(text)),
    };
    let before: Option<PolicyRecord> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {POLICY_COLS} FROM organisation_policies WHERE organisation_id = $1 ORDER BY id DESC LIMIT 1"))
        .bind(organisation_id).fetch_optional(&mut **c).await)?;
    let rec: PolicyRecord = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO organisation_policies (organisation_id, name, title, preset, source_name, source_text,
             adopted_by, adopted_by_user_id, adopted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {POLICY_COLS}"))
        .bind(organisation_id).bind(&policy.name).bind(&policy.title).bind(preset).bind(source_name)
        .bind(text).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    let change = match &before {
        Some(b) => Change::updated(
            "organisation_policy",
            organisation_id,
            Some(organisation_id),
            b,
            &rec,
        ),
        None => Change::created(
            "organisation_policy",
            organisation_id,
            Some(organisation_id),
            &rec,
        ),
    };
    audit::record(tx, actor, change).await?;
    inputs_changed(tx, Some(organisation_id)).await?;
    Ok(rec)
}

impl Db {
    /// The policy record in force for an organisation (`None`: the default preset).
    pub async fn policy_record(&self, organisation_id: i64) -> Result<Option<PolicyRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {POLICY_COLS} FROM organisation_policies WHERE organisation_id = $1 ORDER BY id DESC LIMIT 1"))
            .bind(organisation_id).fetch_optional(p).await)?)
    }

    /// Every policy the organisation has adopted, newest first.
    pub async fn policy_history(&self, organisation_id: i64) -> Result<Vec<PolicyRecord>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {POLICY_COLS} FROM organisation_policies WHERE organisation_id = $1 ORDER BY id DESC"))
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// The policy in force: the latest adopted, or the default preset for the
    /// organisation's kind when it has adopted none.
    ///
    /// Parsed once per adopted record (records are only ever appended) and
    /// kept in the [`crate::placements::ReadCache`], so a page pays one query
    /// and no parsing.
    pub async fn policy_in_force(&self, organisation_id: i64) -> Result<Policy> {
        Ok(self
            .policy_in_force_shared(organisation_id)
            .await?
            .as_ref()
            .clone())
    }

    /// [`Db::policy_in_force`] without copying the cached policy.
    pub async fn policy_in_force_shared(
        &self,
        organisation_id: i64,
    ) -> Result<std::sync::Arc<Policy>> {
        use crate::placements::PolicyOrigin;
        if let Some(rec) = self.policy_record(organisation_id).await? {
            return self
                .read_cache()
                .policy(PolicyOrigin::Record(rec.id, rec.adopted_at.clone()), || {
                    rec.load()
                });
        }
        let org = self
            .organisation(organisation_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("organisation {organisation_id}")))?;
        let preset = default_preset(&org.kind);
        self.read_cache()
            .policy(PolicyOrigin::Preset(preset.to_string()), || {
                load_policy(PolicySource::Preset(preset))
                    .map_err(|e| StoreError::Invalid(describe_errors(&e)))
            })
    }
}

// ---------------------------------------------------------------------------
// Facts

/// Which schools to assemble facts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsScope {
    /// The organisation's estate (`organisation_schools`).
    Estate(i64),
    /// One school, seen by an organisation (its own intelligence).
    School { organisation_id: i64, urn: i64 },
    /// Every open school in the register (benchmarks, national views).
    Register,
}

impl FactsScope {
    /// The SQL condition on `urn` and the value bound to `$1`.
    fn clause(self) -> (&'static str, i64) {
        match self {
            FactsScope::Estate(org) => (
                "urn IN (SELECT urn FROM organisation_schools WHERE organisation_id = $1)",
                org,
            ),
            FactsScope::School { urn, .. } => ("urn = $1", urn),
            FactsScope::Register => ("urn > $1", 0),
        }
    }

    fn organisation(self) -> Option<i64> {
        match self {
            FactsScope::Estate(o) => Some(o),
            FactsScope::School {
                organisation_id, ..
            } => Some(organisation_id),
            FactsScope::Register => None,
        }
    }
}

#[derive(FromRow)]
struct SchoolRow {
    urn: i64,
    la_code: String,
    name: String,
    phase: Option<String>,
    type_name: Option<String>,
    governance: Option<String>,
    sixth_form: Option<String>,
    head_start_date: Option<String>,
    source_file: Option<String>,
    imported_at: Option<String>,
}

#[derive(FromRow)]
struct GradedRow {
    urn: i64,
    inspection_number: Option<String>,
    inspection_type: Option<String>,
    start_date: Option<String>,
    publication_date: Option<String>,
    urn_at_time: Option<i64>,
    category_of_concern: Option<String>,
    overall_effectiveness: Option<i64>,
    quality_of_education: Option<i64>,
    behaviour_and_attitudes: Option<i64>,
    personal_development: Option<i64>,
    leadership_and_management: Option<i64>,
    safeguarding_effective: Option<bool>,
    early_years: Option<i64>,
    sixth_form: Option<i64>,
    outcomes_for_pupils: Option<i64>,
    quality_of_teaching: Option<i64>,
    personal_development_behaviour_welfare: Option<i64>,
    source_file: String,
}

#[derive(FromRow)]
struct UngradedRow {
    urn: i64,
    inspection_number: Option<String>,
    inspection_date: Option<String>,
    publication_date: Option<String>,
    urn_at_time: Option<i64>,
    outcome: String,
    source_file: String,
}

#[derive(FromRow)]
struct ReportCardRow {
    urn: i64,
    inspection_number: Option<String>,
    inspection_type: Option<String>,
    start_date: Option<String>,
    publication_date: Option<String>,
    urn_at_time: Option<i64>,
    category_of_concern: Option<String>,
    safeguarding: Option<String>,
    safeguarding_date: Option<String>,
    inclusion: Option<String>,
    inclusion_date: Option<String>,
    curriculum_and_teaching: Option<String>,
    curriculum_and_teaching_date: Option<String>,
    achievement: Option<String>,
    achievement_date: Option<String>,
    attendance_and_behaviour: Option<String>,
    attendance_and_behaviour_date: Option<String>,
    personal_development_and_wellbeing: Option<String>,
    personal_development_and_wellbeing_date: Option<String>,
    leadership_and_governance: Option<String>,
    leadership_and_governance_date: Option<String>,
    early_years: Option<String>,
    early_years_date: Option<String>,
    post_16: Option<String>,
    post_16_date: Option<String>,
    source_file: String,
}

#[derive(FromRow)]
struct MeasureDbRow {
    urn: Option<i64>,
    dataset: String,
    level: String,
    la_code: Option<String>,
    time_period: String,
    measure: String,
    value_num: Option<f64>,
    quartile: Option<i64>,
    source_file: String,
}

#[derive(FromRow)]
struct IntelRow {
    urn: i64,
    id: i64,
    kind: String,
    summary: String,
    source: String,
    occurred_on: String,
}

/// The published columns the catalogue's measures are read from:
/// (dataset, published measure, catalogue id).
pub const MEASURE_COLUMNS: &[(&str, &str, &str)] = &[
    ("ks2", "PTRWM_EXP", "performance.ks2.rwm_expected"),
    ("ks2", "PTRWM_HIGH", "performance.ks2.rwm_higher"),
    ("ks2", "READPROG", "performance.ks2.reading_progress"),
    ("ks2", "WRITPROG", "performance.ks2.writing_progress"),
    ("ks2", "MATPROG", "performance.ks2.maths_progress"),
    (
        "ks2",
        "PTRWM_EXP_FSM6CLA1A",
        "performance.ks2.disadvantaged_rwm_expected",
    ),
    ("ks4", "ATT8SCR", "performance.ks4.attainment8"),
    ("ks4", "P8MEA", "performance.ks4.progress8"),
    ("ks4", "PTL2BASICS_94", "performance.ks4.basics_grade4"),
    ("ks4", "EBACCAPS", "performance.ks4.ebacc_aps"),
    (
        "ks4",
        "P8MEA_FSM6CLA1A",
        "performance.ks4.disadvantaged_progress8",
    ),
    ("absence", "PERCTOT", "attendance.overall_absence"),
    ("absence", "PPERSABS10", "attendance.persistent_absence"),
];

fn date(s: &Option<String>) -> Option<Date> {
    s.as_deref()
        .and_then(|t| t.get(..10).unwrap_or(t).parse::<Date>().ok())
}

fn grade(n: Option<i64>) -> Option<OeifGrade> {
    n.and_then(|n| OeifGrade::parse(&n.to_string()))
}

fn urn_of(n: Option<i64>) -> Option<Urn> {
    n.and_then(|n| u32::try_from(n).ok())
        .and_then(|n| Urn::new(n).ok())
}

fn concern(s: &Option<String>) -> Option<CategoryOfConcern> {
    s.as_deref().and_then(CategoryOfConcern::parse)
}

fn governance(s: Option<&str>) -> Governance {
    match s.unwrap_or_default() {
        "maintained" => Governance::Maintained,
        "academy" => Governance::Academy,
        "independent" => Governance::Independent,
        _ => Governance::Other,
    }
}

fn school_facts(r: &SchoolRow, as_of: Date) -> Option<SchoolFacts> {
    let urn = urn_of(Some(r.urn))?;
    let mut f = SchoolFacts::new(urn, r.name.clone(), as_of);
    let source = Provenance::new(
        r.source_file.clone().unwrap_or_else(|| "register".into()),
        date(&r.imported_at),
    );
    let type_lower = r.type_name.as_deref().unwrap_or_default().to_lowercase();
    let phase_lower = r.phase.as_deref().unwrap_or_default().to_lowercase();
    f.la_code = LaCode::parse(&r.la_code).ok();
    f.phase = r.phase.clone();
    f.type_name = r.type_name.clone();
    f.governance = match r.governance.as_deref() {
        Some(g) => governance(Some(g)),
        None => Governance::from_type_name(&type_lower),
    };
    f.sixth_form = r
        .sixth_form
        .as_deref()
        .map_or(SixthForm::Unknown, SixthForm::from_name);
    // As SchoolFacts::from_school decides them.
    f.is_pru = type_lower.contains("pupil referral")
        || type_lower.contains("alternative provision")
        || phase_lower.contains("alternative provision");
    f.is_special = type_lower.contains("special");
    f.head_start_date = date(&r.head_start_date).map(|d| (d, source.clone()));
    f.school_source = source;
    Some(f)
}

fn area(
    areas: &mut Vec<ReportCardAreaGrade>,
    a: ReportCardArea,
    g: &Option<String>,
    d: &Option<String>,
) {
    if let Some(grade) = g.as_deref().and_then(ReportCardGrade::parse) {
        areas.push(ReportCardAreaGrade {
            area: a,
            grade,
            date: date(d),
        });
    }
}

impl Db {
    /// Whether the register holds the school.
    pub async fn school_exists(&self, urn: i64) -> Result<bool> {
        let n: Option<i64> = on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT urn FROM schools WHERE urn = $1").bind(urn).fetch_optional(p).await)?;
        Ok(n.is_some())
    }

    /// The facts of every school in the organisation's estate as of a date,
    /// ordered by URN: one query per register table.
    pub async fn school_facts(
        &self,
        organisation_id: i64,
        as_of: Date,
    ) -> Result<Vec<SchoolFacts>> {
        self.facts_for(FactsScope::Estate(organisation_id), as_of)
            .await
    }

    /// The facts of the schools in scope (closed schools left out, except a
    /// single school asked for by URN).
    pub async fn facts_for(&self, scope: FactsScope, as_of: Date) -> Result<Vec<SchoolFacts>> {
        let (clause, key) = scope.clause();
        let open = if matches!(scope, FactsScope::School { .. }) {
            ""
        } else {
            " AND (status IS NULL OR status <> 'Closed')"
        };
        let schools: Vec<SchoolRow> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT urn, la_code, name, phase, type_name, governance, sixth_form, head_start_date,
                    source_file, imported_at
             FROM schools WHERE {clause}{open} ORDER BY urn"))
            .bind(key).fetch_all(p).await)?;
        let mut facts: Vec<SchoolFacts> = Vec::with_capacity(schools.len());
        let mut index: HashMap<i64, usize> = HashMap::with_capacity(schools.len());
        for r in &schools {
            if let Some(f) = school_facts(r, as_of) {
                index.insert(r.urn, facts.len());
                facts.push(f);
            }
        }
        if facts.is_empty() {
            return Ok(facts);
        }

        let graded: Vec<GradedRow> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT urn, inspection_number, inspection_type, start_date, publication_date, urn_at_time,
                    category_of_concern, overall_effectiveness, quality_of_education, behaviour_and_attitudes,
                    personal_development, leadership_and_management, safeguarding_effective, early_years,
                    sixth_form, outcomes_for_pupils, quality_of_teaching, personal_development_behaviour_welfare,
                    source_file
             FROM inspections_graded WHERE {clause}"))
            .bind(key).fetch_all(p).await)?;
        for g in graded {
            let Some(&i) = index.get(&g.urn) else {
                continue;
            };
            let inspection = Inspection::Graded(GradedInspection {
                inspection_number: g.inspection_number,
                inspection_type: g.inspection_type,
                start_date: date(&g.start_date),
                publication_date: date(&g.publication_date),
                urn_at_time: urn_of(g.urn_at_time),
                category_of_concern: concern(&g.category_of_concern),
                overall_effectiveness: grade(g.overall_effectiveness),
                quality_of_education: grade(g.quality_of_education),
                behaviour_and_attitudes: grade(g.behaviour_and_attitudes),
                personal_development: grade(g.personal_development),
                leadership_and_management: grade(g.leadership_and_management),
                safeguarding_effective: g.safeguarding_effective,
                early_years: grade(g.early_years),
                sixth_form: grade(g.sixth_form),
                outcomes_for_pupils: grade(g.outcomes_for_pupils),
                quality_of_teaching: grade(g.quality_of_teaching),
                personal_development_behaviour_welfare: grade(
                    g.personal_development_behaviour_welfare,
                ),
            });
            let d = date(&g.publication_date).or(date(&g.start_date));
            facts[i].inspections.push(InspectionFact {
                inspection,
                source: Provenance::new(g.source_file, d),
            });
        }

        let ungraded: Vec<UngradedRow> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT urn, inspection_number, inspection_date, publication_date, urn_at_time, outcome, source_file
             FROM inspections_ungraded WHERE {clause}"))
            .bind(key).fetch_all(p).await)?;
        for u in ungraded {
            let Some(&i) = index.get(&u.urn) else {
                continue;
            };
            let d = date(&u.publication_date).or(date(&u.inspection_date));
            facts[i].inspections.push(InspectionFact {
                inspection: Inspection::Ungraded(UngradedInspection {
                    inspection_number: u.inspection_number,
                    date: date(&u.inspection_date),
                    publication_date: date(&u.publication_date),
                    urn_at_time: urn_of(u.urn_at_time),
                    outcome: u.outcome,
                }),
                source: Provenance::new(u.source_file, d),
            });
        }

        let cards: Vec<ReportCardRow> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT urn, inspection_number, inspection_type, start_date, publication_date, urn_at_time,
                    category_of_concern, safeguarding, safeguarding_date, inclusion, inclusion_date,
                    curriculum_and_teaching, curriculum_and_teaching_date, achievement, achievement_date,
                    attendance_and_behaviour, attendance_and_behaviour_date,
                    personal_development_and_wellbeing, personal_development_and_wellbeing_date,
                    leadership_and_governance, leadership_and_governance_date, early_years, early_years_date,
                    post_16, post_16_date, source_file
             FROM inspections_report_card WHERE {clause}"))
            .bind(key).fetch_all(p).await)?;
        for r in cards {
            let Some(&i) = index.get(&r.urn) else {
                continue;
            };
            let mut areas = Vec::new();
            area(
                &mut areas,
                ReportCardArea::Inclusion,
                &r.inclusion,
                &r.inclusion_date,
            );
            area(
                &mut areas,
                ReportCardArea::CurriculumAndTeaching,
                &r.curriculum_and_teaching,
                &r.curriculum_and_teaching_date,
            );
            area(
                &mut areas,
                ReportCardArea::Achievement,
                &r.achievement,
                &r.achievement_date,
            );
            area(
                &mut areas,
                ReportCardArea::AttendanceAndBehaviour,
                &r.attendance_and_behaviour,
                &r.attendance_and_behaviour_date,
            );
            area(
                &mut areas,
                ReportCardArea::PersonalDevelopmentAndWellbeing,
                &r.personal_development_and_wellbeing,
                &r.personal_development_and_wellbeing_date,
            );
            area(
                &mut areas,
                ReportCardArea::LeadershipAndGovernance,
                &r.leadership_and_governance,
                &r.leadership_and_governance_date,
            );
            area(
                &mut areas,
                ReportCardArea::EarlyYears,
                &r.early_years,
                &r.early_years_date,
            );
            area(
                &mut areas,
                ReportCardArea::Post16,
                &r.post_16,
                &r.post_16_date,
            );
            let d = date(&r.publication_date).or(date(&r.start_date));
            facts[i].inspections.push(InspectionFact {
                inspection: Inspection::ReportCard(ReportCardInspection {
                    inspection_number: r.inspection_number,
                    inspection_type: r.inspection_type,
                    start_date: date(&r.start_date),
                    publication_date: date(&r.publication_date),
                    urn_at_time: urn_of(r.urn_at_time),
                    category_of_concern: concern(&r.category_of_concern),
                    safeguarding: r
                        .safeguarding
                        .as_deref()
                        .and_then(SafeguardingStandard::parse),
                    safeguarding_date: date(&r.safeguarding_date),
                    areas,
                }),
                source: Provenance::new(r.source_file, d),
            });
        }
        // The category of concern recorded by the latest inspection that records one.
        for f in &mut facts {
            let latest = f
                .inspections
                .iter()
                .filter_map(|i| {
                    let c = match &i.inspection {
                        Inspection::Graded(g) => g.category_of_concern.as_ref(),
                        Inspection::ReportCard(r) => r.category_of_concern.as_ref(),
                        Inspection::Ungraded(_) => None,
                    }?;
                    Some((uplift_domain::policy::inspection_date(&i.inspection), c, i))
                })
                .max_by_key(|(d, _, _)| *d);
            if let Some((_, c, i)) = latest {
                f.recorded_category = Some((c.clone(), i.source.clone()));
            }
        }

        self.add_measures(scope, &index, &mut facts).await?;

        let org = scope.organisation();
        let intel: Vec<IntelRow> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT urn, id, kind, summary, source, occurred_on FROM intelligence
             WHERE {clause} AND (organisation_id IS NULL OR organisation_id = $2)"))
            .bind(key).bind(org).fetch_all(p).await)?;
        for it in intel {
            let (Some(&i), Some(d)) = (index.get(&it.urn), date(&Some(it.occurred_on))) else {
                continue;
            };
            facts[i].intelligence.push(IntelligenceItem {
                kind: it.kind,
                date: d,
                summary: Some(it.summary),
                source: Provenance::new(
                    format!("intelligence #{} ({})", it.id, it.source),
                    Some(d),
                ),
            });
        }
        Ok(facts)
    }

    /// The catalogue's measures: each school's latest value of each, with the
    /// authority and national figures for the same period, and its quartile
    /// turned round so that 1 is the best quarter and 4 the weakest.
    async fn add_measures(
        &self,
        scope: FactsScope,
        index: &HashMap<i64, usize>,
        facts: &mut [SchoolFacts],
    ) -> Result<()> {
        let (clause, key) = scope.clause();
        let names: Vec<String> = MEASURE_COLUMNS
            .iter()
            .map(|(_, m, _)| format!("'{m}'"))
            .collect();
        let names = names.join(", ");
        let cols =
            "urn, dataset, level, la_code, time_period, measure, value_num, quartile, source_file";
        let school_rows: Vec<MeasureDbRow> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {cols} FROM performance_measures
             WHERE {clause} AND level = 'school' AND value_num IS NOT NULL AND measure IN ({names})"))
            .bind(key).fetch_all(p).await)?;
        let comparators: Vec<MeasureDbRow> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {cols} FROM performance_measures
             WHERE level <> 'school' AND value_num IS NOT NULL AND measure IN ({names})"))
            .fetch_all(p).await)?;
        // (dataset, measure, period) -> national; (dataset, measure, period, la) -> authority.
        let mut national: HashMap<(&str, &str, &str), f64> = HashMap::new();
        let mut authority: HashMap<(&str, &str, &str, &str), f64> = HashMap::new();
        for c in &comparators {
            let Some(v) = c.value_num else { continue };
            if c.level == "national" {
                national
                    .entry((&c.dataset, &c.measure, &c.time_period))
                    .or_insert(v);
            } else if let Some(la) = &c.la_code {
                authority.insert((&c.dataset, &c.measure, &c.time_period, la), v);
            }
        }
        // The latest period per school and measure.
        let mut latest: HashMap<(i64, &str), &MeasureDbRow> = HashMap::new();
        for r in &school_rows {
            let Some(urn) = r.urn else { continue };
            let Some((_, _, id)) = MEASURE_COLUMNS
                .iter()
                .find(|(d, m, _)| *d == r.dataset && *m == r.measure)
            else {
                continue;
            };
            let e = latest.entry((urn, id)).or_insert(r);
            if r.time_period > e.time_period {
                *e = r;
            }
        }
        for ((urn, id), r) in latest {
            let Some(&i) = index.get(&urn) else { continue };
            let higher_is_better = MEASURES
                .iter()
                .find(|m| m.id == id)
                .is_none_or(|m| m.higher_is_better);
            let quartile = r
                .quartile
                .and_then(|q| u8::try_from(q).ok())
                .filter(|q| (1..=4).contains(q))
                .map(|q| if higher_is_better { 5 - q } else { q });
            let la = r.la_code.as_deref().and_then(|la| {
                authority
                    .get(&(&*r.dataset, &*r.measure, &*r.time_period, la))
                    .copied()
            });
            facts[i].measures.insert(
                id.to_string(),
                MeasureFact {
                    value: r.value_num,
                    national: national
                        .get(&(&*r.dataset, &*r.measure, &*r.time_period))
                        .copied(),
                    statistical_neighbours: None,
                    la,
                    quartile,
                    year: (!r.time_period.is_empty()).then(|| r.time_period.clone()),
                    source: Provenance::new(r.source_file.clone(), None),
                },
            );
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Category decisions

/// What a row of a school's category history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The school's first category, from the engine's placement.
    Initial,
    /// The engine proposes a change; nobody has decided yet.
    Proposed,
    /// A lead agreed the proposed category, with a rationale.
    Confirmed,
    /// A lead chose another category, with a reason.
    Overridden,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Initial => "initial",
            Decision::Proposed => "proposed",
            Decision::Confirmed => "confirmed",
            Decision::Overridden => "overridden",
        }
    }
}

/// One row of a school's category history.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct CategoryDecision {
    pub id: i64,
    pub organisation_id: i64,
    pub urn: i64,
    pub academic_year: String,
    pub policy: String,
    pub proposed_category: String,
    /// initial, proposed, confirmed or overridden.
    pub decision: String,
    /// The decided category (`None` for a proposal).
    pub category: Option<String>,
    pub rationale: Option<String>,
    pub override_reason: Option<String>,
    #[serde(skip)]
    pub placement_json: String,
    pub decided_by: String,
    pub decided_by_user_id: Option<i64>,
    pub decided_at: String,
}

impl CategoryDecision {
    /// The engine's placement recorded as evidence.
    pub fn placement(&self) -> Option<Placement> {
        serde_json::from_str(&self.placement_json).ok()
    }
}

const DECISION_COLS: &str = "id, organisation_id, urn, academic_year, policy, proposed_category, decision, category, rationale, override_reason, placement_json, decided_by, decided_by_user_id, decided_at";

/// The academic year a placement is for, e.g. "2026/27".
pub fn academic_year(as_of: Date) -> String {
    AcademicYear::containing(as_of).to_string()
}

#[allow(clippy::too_many_arguments)]
async fn insert_decision(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    placement: &Placement,
    decision: Decision,
    category: Option<&str>,
    rationale: Option<&str>,
    reason: Option<&str>,
) -> Result<CategoryDecision> {
    let placement_json = serde_json::to_string(placement)
        .map_err(|e| StoreError::Invalid(format!("cannot record the placement: {e}")))?;
    let urn = i64::from(placement.urn.get());
    let row: CategoryDecision = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO category_decisions (organisation_id, urn, academic_year, policy, proposed_category, decision,
             category, rationale, override_reason, placement_json, decided_by, decided_by_user_id, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {DECISION_COLS}"))
        .bind(organisation_id).bind(urn).bind(academic_year(placement.as_of)).bind(&placement.policy)
        .bind(&placement.category).bind(decision.as_str()).bind(category).bind(rationale).bind(reason)
        .bind(&placement_json).bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    let rules: Vec<&str> = placement
        .rationale
        .iter()
        .map(|r| r.summary.as_str())
        .collect();
    audit::record(
        tx,
        actor,
        Change::created(
            "category_decision",
            urn,
            Some(organisation_id),
            &json!({
                "id": row.id, "urn": urn, "academic_year": row.academic_year, "policy": row.policy,
                "decision": row.decision, "proposed_category": row.proposed_category,
                "category": row.category, "rationale": row.rationale,
                "override_reason": row.override_reason, "engine_rationale": rules,
            }),
        ),
    )
    .await?;
    Ok(row)
}

fn required(text: &str, what: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid(format!("{what} is required")));
    }
    if t.chars().count() > 4000 {
        return Err(StoreError::Invalid(format!(
            "{what} must be 4,000 characters or fewer"
        )));
    }
    Ok(t.to_string())
}

/// A lead agrees the engine's placement (audited). The rationale is required.
pub async fn confirm_category(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    placement: &Placement,
    rationale: &str,
) -> Result<CategoryDecision> {
    let rationale = required(rationale, "a rationale")?;
    inputs_changed(tx, Some(organisation_id)).await?;
    insert_decision(
        tx,
        actor,
        organisation_id,
        placement,
        Decision::Confirmed,
        Some(&placement.category),
        Some(&rationale),
        None,
    )
    .await
}

/// A lead places the school in another category than proposed (audited). The
/// category must be one of the policy's and the reason is required.
pub async fn override_category(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    policy: &Policy,
    placement: &Placement,
    category: &str,
    reason: &str,
) -> Result<CategoryDecision> {
    if policy.category_index(category).is_none() {
        return Err(StoreError::Invalid(format!(
            "{category:?} is not a category of the policy {}",
            policy.name
        )));
    }
    let reason = required(reason, "a reason for the override")?;
    inputs_changed(tx, Some(organisation_id)).await?;
    insert_decision(
        tx,
        actor,
        organisation_id,
        placement,
        Decision::Overridden,
        Some(category),
        None,
        Some(&reason),
    )
    .await
}

/// What `--apply` recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplySummary {
    /// Schools with no category before: the placement is their first.
    pub initial: usize,
    /// Schools whose placement differs from their category: a proposal to decide.
    pub proposed: usize,
    /// Schools already in the placed category, or already proposed for it.
    pub unchanged: usize,
}

/// Records placements: a school with no category gets the placement as its
/// first category; a school placed elsewhere than its category gets a proposal
/// (once; an identical pending proposal is not repeated). Audited.
pub async fn apply_placements(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    placements: &[Placement],
) -> Result<ApplySummary> {
    let rows: Vec<CategoryDecision> = on_tx!(tx, c => sqlx::query_as(&format!(
        "SELECT {DECISION_COLS} FROM category_decisions WHERE organisation_id = $1 ORDER BY id"))
        .bind(organisation_id).fetch_all(&mut **c).await)?;
    let state = SchoolStates::from_rows(rows);
    let mut s = ApplySummary::default();
    inputs_changed(tx, Some(organisation_id)).await?;
    for p in placements {
        let urn = i64::from(p.urn.get());
        match state.current.get(&urn) {
            None if !state.pending.contains_key(&urn) => {
                insert_decision(
                    tx,
                    actor,
                    organisation_id,
                    p,
                    Decision::Initial,
                    Some(&p.category),
                    None,
                    None,
                )
                .await?;
                s.initial += 1;
            }
            Some(cur) if cur.category.as_deref() == Some(p.category.as_str()) => s.unchanged += 1,
            _ if state
                .pending
                .get(&urn)
                .is_some_and(|x| x.proposed_category == p.category) =>
            {
                s.unchanged += 1
            }
            _ => {
                insert_decision(
                    tx,
                    actor,
                    organisation_id,
                    p,
                    Decision::Proposed,
                    None,
                    None,
                    None,
                )
                .await?;
                s.proposed += 1;
            }
        }
    }
    Ok(s)
}

/// Every school's decided category and its pending proposal.
#[derive(Debug, Clone, Default)]
pub struct SchoolStates {
    /// The latest decided row (initial, confirmed or overridden) per URN.
    pub current: HashMap<i64, CategoryDecision>,
    /// A proposal newer than the school's decided category, per URN.
    pub pending: HashMap<i64, CategoryDecision>,
}

impl SchoolStates {
    fn from_rows(rows: Vec<CategoryDecision>) -> Self {
        let mut s = SchoolStates::default();
        for r in rows {
            if r.category.is_some() {
                s.pending.remove(&r.urn);
                s.current.insert(r.urn, r);
            } else {
                s.pending.insert(r.urn, r);
            }
        }
        s
    }
}

impl Db {
    /// A school's category history, newest first.
    pub async fn category_history(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Vec<CategoryDecision>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {DECISION_COLS} FROM category_decisions WHERE organisation_id = $1 AND urn = $2 ORDER BY id DESC"))
            .bind(organisation_id).bind(urn).fetch_all(p).await)?)
    }

    /// Every school's decided category and pending proposal (one query).
    pub async fn category_states(&self, organisation_id: i64) -> Result<SchoolStates> {
        let rows: Vec<CategoryDecision> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {DECISION_COLS} FROM category_decisions WHERE organisation_id = $1 ORDER BY id"))
            .bind(organisation_id).fetch_all(p).await)?;
        Ok(SchoolStates::from_rows(rows))
    }

    /// One school's decided category and pending proposal (one query).
    pub async fn category_state(&self, organisation_id: i64, urn: i64) -> Result<SchoolStates> {
        let rows: Vec<CategoryDecision> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {DECISION_COLS} FROM category_decisions WHERE organisation_id = $1 AND urn = $2 ORDER BY id"))
            .bind(organisation_id).bind(urn).fetch_all(p).await)?;
        Ok(SchoolStates::from_rows(rows))
    }

    /// Each school's category at the end of the academic years before
    /// `academic_year` (its latest decided category from an earlier year).
    pub async fn categories_before(
        &self,
        organisation_id: i64,
        academic_year: &str,
    ) -> Result<BTreeMap<Urn, String>> {
        let rows: Vec<(i64, String)> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT urn, category FROM category_decisions
             WHERE organisation_id = $1 AND category IS NOT NULL AND academic_year < $2 ORDER BY id")
            .bind(organisation_id).bind(academic_year).fetch_all(p).await)?;
        let mut out = BTreeMap::new();
        for (urn, c) in rows {
            if let Some(u) = urn_of(Some(urn)) {
                out.insert(u, c);
            }
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Flag overrides

/// An officer's override of a derived flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct FlagOverride {
    pub id: i64,
    pub organisation_id: i64,
    pub urn: i64,
    pub flag: String,
    /// `None`: the override was withdrawn.
    pub value: Option<bool>,
    pub reason: String,
    pub decided_by: String,
    pub decided_by_user_id: Option<i64>,
    pub decided_at: String,
}

const FLAG_COLS: &str =
    "id, organisation_id, urn, flag, value, reason, decided_by, decided_by_user_id, decided_at";

/// The flag named as in policies and JSON (`special_measures`, `coasting`, ...).
pub fn flag_kind(name: &str) -> Option<FlagKind> {
    FlagKind::ALL.into_iter().find(|k| k.name() == name)
}

/// Sets (or, with `value` `None`, withdraws) an officer's override of a flag,
/// with its reason (required). Audited.
pub async fn override_flag(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    urn: i64,
    flag: FlagKind,
    value: Option<bool>,
    reason: &str,
) -> Result<FlagOverride> {
    let reason = required(reason, "a reason for the override")?;
    inputs_changed(tx, Some(organisation_id)).await?;
    let row: FlagOverride = on_tx!(tx, c => sqlx::query_as(&format!(
        "INSERT INTO flag_overrides (organisation_id, urn, flag, value, reason, decided_by, decided_by_user_id, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {FLAG_COLS}"))
        .bind(organisation_id).bind(urn).bind(flag.name()).bind(value).bind(&reason)
        .bind(&actor.label).bind(actor.user_id).bind(now())
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("flag_override", urn, Some(organisation_id), &row),
    )
    .await?;
    Ok(row)
}

impl Db {
    /// The overrides in force (latest per school and flag, not withdrawn), by URN.
    pub async fn flag_overrides(
        &self,
        organisation_id: i64,
    ) -> Result<HashMap<i64, Vec<FlagOverride>>> {
        let rows: Vec<FlagOverride> = on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {FLAG_COLS} FROM flag_overrides WHERE organisation_id = $1 ORDER BY id"))
            .bind(organisation_id).fetch_all(p).await)?;
        let mut latest: BTreeMap<(i64, String), FlagOverride> = BTreeMap::new();
        for r in rows {
            latest.insert((r.urn, r.flag.clone()), r);
        }
        let mut out: HashMap<i64, Vec<FlagOverride>> = HashMap::new();
        for (_, r) in latest {
            if r.value.is_some() {
                out.entry(r.urn).or_default().push(r);
            }
        }
        Ok(out)
    }

    /// A school's flag override history, newest first.
    pub async fn flag_override_history(
        &self,
        organisation_id: i64,
        urn: i64,
    ) -> Result<Vec<FlagOverride>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&format!(
            "SELECT {FLAG_COLS} FROM flag_overrides WHERE organisation_id = $1 AND urn = $2 ORDER BY id DESC"))
            .bind(organisation_id).bind(urn).fetch_all(p).await)?)
    }
}

/// Layers the overrides in force onto a placement's flags.
pub fn apply_flag_overrides(placement: &mut Placement, overrides: &[FlagOverride]) {
    for o in overrides {
        let (Some(kind), Some(value)) = (flag_kind(&o.flag), o.value) else {
            continue;
        };
        let on = date(&Some(o.decided_at.clone())).unwrap_or(placement.as_of);
        placement.flags.apply_override(
            kind,
            Override {
                value,
                reason: o.reason.clone(),
                by: o.decided_by.clone(),
                on,
            },
        );
    }
}

// ---------------------------------------------------------------------------
// The whole estate

impl Db {
    /// Every school of the estate placed under `policy` as of a date, with the
    /// officers' flag overrides layered on, by URN. Read from the placements
    /// read model ([`crate::placements`]), which recomputes the estate only
    /// when an input changed; changes nothing else.
    pub async fn categorise(
        &self,
        organisation_id: i64,
        policy: &Policy,
        as_of: Date,
    ) -> Result<Vec<Placement>> {
        self.stored_placements(organisation_id, policy, as_of).await
    }

    /// One school placed under `policy` (flag overrides layered on); `None`
    /// when the register does not hold it. A school of the estate is read from
    /// the placements read model (one query when nothing changed); any other
    /// school (closed, or outside the estate) is placed on its own facts.
    pub async fn categorise_school(
        &self,
        organisation_id: i64,
        policy: &Policy,
        urn: i64,
        as_of: Date,
    ) -> Result<Option<Placement>> {
        if let Some(p) = self
            .stored_placement(organisation_id, policy, urn, as_of)
            .await?
        {
            return Ok(Some(p));
        }
        self.categorise_one(organisation_id, policy, urn, as_of)
            .await
    }

    /// One school placed on its own facts, without the read model.
    pub async fn categorise_one(
        &self,
        organisation_id: i64,
        policy: &Policy,
        urn: i64,
        as_of: Date,
    ) -> Result<Option<Placement>> {
        let facts = self
            .facts_for(
                FactsScope::School {
                    organisation_id,
                    urn,
                },
                as_of,
            )
            .await?;
        let Some(f) = facts.first() else {
            return Ok(None);
        };
        let mut p = uplift_domain::policy::categorise(policy, f);
        let overrides = self.flag_overrides(organisation_id).await?;
        if let Some(o) = overrides.get(&urn) {
            apply_flag_overrides(&mut p, o);
        }
        Ok(Some(p))
    }

    /// The risk assessment of the school estate: every school placed under
    /// `policy`, counts by category, and movements since each school's
    /// category in earlier academic years. The page, the CSV and the CLI all
    /// come from here, so they agree.
    pub async fn estate_assessment(
        &self,
        organisation_id: i64,
        policy: &Policy,
        as_of: Date,
    ) -> Result<EstateAssessment> {
        let placements = self.categorise(organisation_id, policy, as_of).await?;
        let last_year = self
            .categories_before(organisation_id, &academic_year(as_of))
            .await?;
        Ok(EstateAssessment::new(policy, placements, &last_year))
    }
}

//! Reads for the pages and the API: school search, the school profile, and
//! intelligence (added and listed per organisation, audited).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::FromRow;
use uplift_domain::register::LinkType;

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, StoreError, Tx};

/// Columns a school list can be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum SchoolSort {
    #[default]
    Name,
    Urn,
    La,
    Phase,
    Type,
    Status,
    Trust,
    NumberOnRoll,
}

impl SchoolSort {
    /// Parses a query-string value (`name`, `urn`, `la`, `phase`, `type`, `status`, `trust`, `pupils`).
    pub fn parse(s: &str) -> Option<SchoolSort> {
        Some(match s {
            "name" => SchoolSort::Name,
            "urn" => SchoolSort::Urn,
            "la" => SchoolSort::La,
            "phase" => SchoolSort::Phase,
            "type" => SchoolSort::Type,
            "status" => SchoolSort::Status,
            "trust" => SchoolSort::Trust,
            "pupils" | "number_on_roll" => SchoolSort::NumberOnRoll,
            _ => return None,
        })
    }
    fn column(self) -> &'static str {
        match self {
            SchoolSort::Name => "name",
            SchoolSort::Urn => "urn",
            SchoolSort::La => "la_code",
            SchoolSort::Phase => "phase",
            SchoolSort::Type => "type_name",
            SchoolSort::Status => "status",
            SchoolSort::Trust => "trust",
            SchoolSort::NumberOnRoll => "number_on_roll",
        }
    }
}

/// What to look for. Empty fields match everything; text filters other than `q`
/// match exactly (case-insensitive).
#[derive(Debug, Clone, Default)]
pub struct SchoolFilter {
    /// Case-insensitive substring of the name, or the start of the URN.
    pub q: Option<String>,
    pub la: Option<String>,
    pub phase: Option<String>,
    pub type_name: Option<String>,
    pub status: Option<String>,
    pub trust: Option<String>,
    /// Only the schools this organisation serves.
    pub organisation_id: Option<i64>,
    pub sort: SchoolSort,
    pub descending: bool,
    /// At most 1000; 0 means 50.
    pub limit: i64,
    pub offset: i64,
}

/// One row of the school list.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct SchoolSummary {
    pub urn: i64,
    pub la_code: String,
    pub la_name: Option<String>,
    pub name: String,
    pub phase: Option<String>,
    pub type_name: Option<String>,
    pub governance: Option<String>,
    pub status: Option<String>,
    pub trust: Option<String>,
    pub number_on_roll: Option<i64>,
    pub town: Option<String>,
    pub postcode: Option<String>,
}

/// Everything the register holds about one school.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct SchoolRecord {
    pub urn: i64,
    pub la_code: String,
    pub la_name: Option<String>,
    pub establishment_number: Option<i64>,
    pub name: String,
    pub type_code: Option<String>,
    pub type_name: Option<String>,
    pub type_group: Option<String>,
    pub governance: Option<String>,
    pub status: Option<String>,
    pub phase: Option<String>,
    pub phase_type_grouping: Option<String>,
    pub statutory_low_age: Option<i64>,
    pub statutory_high_age: Option<i64>,
    pub sixth_form: Option<String>,
    pub gender: Option<String>,
    pub religious_character: Option<String>,
    pub diocese: Option<String>,
    pub admissions_policy: Option<String>,
    pub number_on_roll: Option<i64>,
    pub capacity: Option<i64>,
    pub percentage_fsm: Option<f64>,
    pub trust: Option<String>,
    pub trust_code: Option<String>,
    pub sponsor: Option<String>,
    pub federation: Option<String>,
    pub ukprn: Option<i64>,
    pub open_date: Option<String>,
    pub close_date: Option<String>,
    pub reason_opened: Option<String>,
    pub reason_closed: Option<String>,
    pub head_title: Option<String>,
    pub head_first_name: Option<String>,
    pub head_last_name: Option<String>,
    pub head_job_title: Option<String>,
    pub head_start_date: Option<String>,
    pub street: Option<String>,
    pub locality: Option<String>,
    pub address3: Option<String>,
    pub town: Option<String>,
    pub county: Option<String>,
    pub postcode: Option<String>,
    pub website: Option<String>,
    pub telephone: Option<String>,
    pub region: Option<String>,
    pub parliamentary_constituency: Option<String>,
    pub ofsted_last_inspection: Option<String>,
    pub ofsted_rating: Option<String>,
    pub ofsted_special_measures: Option<String>,
    pub last_changed_date: Option<String>,
    pub rsc_region: Option<String>,
    pub register_source: Option<String>,
    pub source_file: Option<String>,
    pub imported_at: Option<String>,
}

impl SchoolRecord {
    /// The headteacher's name as shown (title, first and last name).
    pub fn head_name(&self) -> Option<String> {
        uplift_domain::register::rules::head_name(
            self.head_title.as_deref(),
            self.head_first_name.as_deref(),
            self.head_last_name.as_deref(),
        )
    }
}

const SCHOOL_COLS: &str = "urn, la_code, la_name, establishment_number, name, type_code, type_name, type_group, governance, status, phase, phase_type_grouping, statutory_low_age, statutory_high_age, sixth_form, gender, religious_character, diocese, admissions_policy, number_on_roll, capacity, percentage_fsm, trust, trust_code, sponsor, federation, ukprn, open_date, close_date, reason_opened, reason_closed, head_title, head_first_name, head_last_name, head_job_title, head_start_date, street, locality, address3, town, county, postcode, website, telephone, region, parliamentary_constituency, ofsted_last_inspection, ofsted_rating, ofsted_special_measures, last_changed_date, rsc_region, register_source, source_file, imported_at";

/// A group (trust, federation, sponsor) the school belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct GroupMembership {
    pub group_uid: i64,
    pub name: Option<String>,
    pub group_type: Option<String>,
    pub group_id: Option<String>,
    pub status: Option<String>,
    pub joined: Option<String>,
}

/// A link to another establishment, seen from this school.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolLink {
    pub urn: i64,
    pub name: Option<String>,
    /// `predecessor`, `successor` or `other`.
    pub direction: &'static str,
    /// As published (from whichever side published it).
    pub link_type: String,
    pub established: Option<String>,
}

/// A four-point graded inspection (1-4, 9 = not graded / not applicable).
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct GradedInspectionRow {
    pub inspection_number: Option<String>,
    pub inspection_type: Option<String>,
    pub start_date: Option<String>,
    pub publication_date: Option<String>,
    pub category_of_concern: Option<String>,
    pub overall_effectiveness: Option<i64>,
    pub quality_of_education: Option<i64>,
    pub behaviour_and_attitudes: Option<i64>,
    pub personal_development: Option<i64>,
    pub leadership_and_management: Option<i64>,
    pub safeguarding_effective: Option<bool>,
    pub early_years: Option<i64>,
    pub sixth_form: Option<i64>,
    pub outcomes_for_pupils: Option<i64>,
    pub quality_of_teaching: Option<i64>,
    pub personal_development_behaviour_welfare: Option<i64>,
    pub generated: bool,
    pub source_file: String,
}

/// An ungraded inspection with its text outcome.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct UngradedInspectionRow {
    pub inspection_number: Option<String>,
    pub inspection_date: Option<String>,
    pub publication_date: Option<String>,
    pub outcome: String,
    pub generated: bool,
    pub source_file: String,
}

/// A report card: one grade per evaluation area (as published), with its date.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct ReportCardRow {
    pub inspection_number: Option<String>,
    pub inspection_type: Option<String>,
    pub start_date: Option<String>,
    pub publication_date: Option<String>,
    pub category_of_concern: Option<String>,
    pub safeguarding: Option<String>,
    pub inclusion: Option<String>,
    pub curriculum_and_teaching: Option<String>,
    pub achievement: Option<String>,
    pub attendance_and_behaviour: Option<String>,
    pub personal_development_and_wellbeing: Option<String>,
    pub leadership_and_governance: Option<String>,
    pub early_years: Option<String>,
    pub post_16: Option<String>,
    pub generated: bool,
    pub source_file: String,
}

/// One published value.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct MeasureRow {
    pub dataset: String,
    pub layout: String,
    pub time_period: String,
    pub level: String,
    pub level_code: String,
    pub la_code: Option<String>,
    pub measure: String,
    pub value_num: Option<f64>,
    /// number, percent, marker or text
    pub value_kind: String,
    /// The marker (SUPP, NE, NA, NP, z, ...) or the text.
    pub value_text: Option<String>,
    /// 1 (lowest quarter within the authority) to 4 (highest).
    pub quartile: Option<i64>,
    pub source_file: String,
}

/// A school's measure with its comparators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolMeasure {
    pub value: MeasureRow,
    /// The authority's published total for the same measure, where the file has one.
    pub authority: Option<MeasureRow>,
    /// The national figure(s) for the same measure.
    pub national: Vec<MeasureRow>,
}

/// The census (spc) figures of one year.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct SpcFigures {
    pub time_period: String,
    pub phase_type_grouping: Option<String>,
    pub type_of_establishment: Option<String>,
    pub academy_flag: Option<String>,
    pub headcount: Option<f64>,
    pub fte: Option<f64>,
    pub fsm_percent: Option<f64>,
    pub fsm_percent_marker: Option<String>,
    pub eal_percent: Option<f64>,
    pub eal_percent_marker: Option<String>,
    pub source_file: String,
}

/// One field that an import changed.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct SchoolChange {
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub changed_on: String,
    pub source_file: String,
}

/// An item of intelligence.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct IntelligenceItem {
    pub id: i64,
    /// None: derived by Uplift from an import.
    pub organisation_id: Option<i64>,
    pub urn: i64,
    pub kind: String,
    pub summary: String,
    pub source: String,
    pub occurred_on: String,
    pub recorded_at: String,
    pub author_user_id: Option<i64>,
    pub generated: bool,
}

/// The kinds of intelligence (DESIGN.md section 2).
pub const INTELLIGENCE_KINDS: &[&str] = &[
    "leadership_change",
    "staff_vacancies",
    "governance",
    "finance",
    "safeguarding",
    "complaints",
    "critical_incident",
    "planned_restructure",
    "other",
];

/// A new item of intelligence written by an adviser.
#[derive(Debug, Clone)]
pub struct NewIntelligence<'a> {
    pub organisation_id: i64,
    pub urn: i64,
    pub kind: &'a str,
    pub summary: &'a str,
    pub source: &'a str,
    /// ISO date.
    pub occurred_on: &'a str,
    pub author_user_id: Option<i64>,
    pub generated: bool,
}

/// The school profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolProfile {
    pub school: SchoolRecord,
    pub head_name: Option<String>,
    pub groups: Vec<GroupMembership>,
    pub links: Vec<SchoolLink>,
    pub graded_inspections: Vec<GradedInspectionRow>,
    pub ungraded_inspections: Vec<UngradedInspectionRow>,
    pub report_cards: Vec<ReportCardRow>,
    pub performance: Vec<SchoolMeasure>,
    pub spc: Vec<SpcFigures>,
    pub intelligence: Vec<IntelligenceItem>,
    pub changes: Vec<SchoolChange>,
}

fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for ch in q.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// A link as published (urn, linked_urn, linked_name, link_type, established),
/// with the register's name of the other school.
type LinkRow = (
    i64,
    i64,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);
/// (dataset, layout, time_period, measure)
type MeasureKey = (String, String, String, String);
/// (authority total, national figures)
type Comparators = (Option<MeasureRow>, Vec<MeasureRow>);

const MEASURE_COLS: &str = "dataset, layout, time_period, level, level_code, la_code, measure, value_num, value_kind, value_text, quartile, source_file";

impl Db {
    /// Schools matching the filter: (total matching, the requested page).
    pub async fn schools(&self, f: &SchoolFilter) -> Result<(i64, Vec<SchoolSummary>)> {
        let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        let name_like = q.map(like_pattern);
        let urn_prefix = q
            .filter(|q| q.bytes().all(|b| b.is_ascii_digit()))
            .map(|q| format!("{q}%"));
        let lower = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase)
        };
        let (la, phase, ty, status, trust) = (
            lower(&f.la),
            lower(&f.phase),
            lower(&f.type_name),
            lower(&f.status),
            lower(&f.trust),
        );
        // Only the filters given, so that each can use its index (a
        // "$n IS NULL OR ..." condition cannot).
        let mut conds: Vec<String> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        // SQLite's LIKE already ignores ASCII case (and its LOWER() folds
        // only ASCII), so there the name is compared as stored: three times
        // faster than lowering every name. PostgreSQL's LIKE is case-sensitive.
        let name = match self.backend() {
            crate::Backend::Sqlite => "name",
            crate::Backend::Postgres => "LOWER(name)",
        };
        if let Some(n) = &name_like {
            let like = format!("{name} LIKE ${} ESCAPE '\\'", texts.len() + 1);
            texts.push(n.clone());
            match &urn_prefix {
                // Digits: the start of a URN, or part of a name.
                Some(u) => {
                    conds.push(format!(
                        "({like} OR CAST(urn AS TEXT) LIKE ${})",
                        texts.len() + 1
                    ));
                    texts.push(u.clone());
                }
                None => conds.push(like),
            }
        }
        if let Some(v) = &la {
            conds.push(format!("la_code = ${}", texts.len() + 1));
            texts.push(v.clone());
        }
        for (col, v) in [
            ("phase", &phase),
            ("type_name", &ty),
            ("status", &status),
            ("trust", &trust),
        ] {
            if let Some(v) = v {
                conds.push(format!("LOWER({col}) = ${}", texts.len() + 1));
                texts.push(v.clone());
            }
        }
        let mut next = texts.len() + 1;
        if f.organisation_id.is_some() {
            conds.push(format!(
                "urn IN (SELECT urn FROM organisation_schools WHERE organisation_id = ${next})"
            ));
            next += 1;
        }
        let wh = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM schools {wh}");
        let dir = if f.descending { "DESC" } else { "ASC" };
        let col = f.sort.column();
        let order = match col {
            "urn" => format!("urn {dir}"),
            // Never NULL: ordered straight from an index.
            "name" | "la_code" => format!("{col} {dir}, urn"),
            _ => format!("{col} IS NULL, {col} {dir}, urn"),
        };
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(1000) };
        let list_sql = format!(
            "SELECT urn, la_code, la_name, name, phase, type_name, governance, status, trust,
                    number_on_roll, town, postcode
             FROM schools {wh} ORDER BY {order} LIMIT ${next} OFFSET ${}",
            next + 1
        );
        let total: i64 = on_pool!(self.pool(), p => {
            let mut q = sqlx::query_scalar(&count_sql);
            for t in &texts {
                q = q.bind(t);
            }
            if let Some(o) = f.organisation_id {
                q = q.bind(o);
            }
            q.fetch_one(p).await
        })?;
        let rows: Vec<SchoolSummary> = on_pool!(self.pool(), p => {
            let mut q = sqlx::query_as(&list_sql);
            for t in &texts {
                q = q.bind(t);
            }
            if let Some(o) = f.organisation_id {
                q = q.bind(o);
            }
            q.bind(limit).bind(f.offset.max(0)).fetch_all(p).await
        })?;
        Ok((total, rows))
    }

    /// One school with everything the register holds about it; `None` when the
    /// URN is not in the register. Intelligence: the system-derived items and,
    /// when `organisation_id` is given, that organisation's own.
    ///
    /// What the register holds changes only with the register's version
    /// (every import that changes something, generated records and raw SQL
    /// bump it), so the register's part is kept in memory for that version
    /// ([`crate::placements::ReadCache`]): a view then reads the version and
    /// the intelligence (two queries) instead of eleven.
    pub async fn school_profile(
        &self,
        urn: i64,
        organisation_id: Option<i64>,
    ) -> Result<Option<SchoolProfile>> {
        let version = self.register_version().await?;
        let register = match self.read_cache().profile(urn, version) {
            Some(p) => p,
            None => {
                let Some(p) = self.register_profile(urn).await? else {
                    return Ok(None);
                };
                let p = std::sync::Arc::new(p);
                self.read_cache().put_profile(urn, version, p.clone());
                p
            }
        };
        let mut profile = register.as_ref().clone();
        profile.intelligence = self.intelligence_for(urn, organisation_id).await?;
        Ok(Some(profile))
    }

    /// Everything the register holds about one school (no intelligence).
    async fn register_profile(&self, urn: i64) -> Result<Option<SchoolProfile>> {
        let sql = format!("SELECT {SCHOOL_COLS} FROM schools WHERE urn = $1");
        let school: Option<SchoolRecord> =
            on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(urn).fetch_optional(p).await)?;
        let Some(school) = school else {
            return Ok(None);
        };
        let groups: Vec<GroupMembership> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT l.group_uid, COALESCE(g.name, l.group_name) AS name,
                    COALESCE(g.group_type, l.group_type) AS group_type, g.group_id, g.status, l.joined
             FROM group_links l LEFT JOIN register_groups g ON g.uid = l.group_uid
             WHERE l.urn = $1 ORDER BY l.joined, l.group_uid")
            .bind(urn).fetch_all(p).await)?;
        // One query whatever the number of links: the other school's name
        // from the register comes with each link.
        let raw_links: Vec<LinkRow> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT l.urn, l.linked_urn, l.linked_name, l.link_type, l.established, o.name
             FROM establishment_links l
             LEFT JOIN schools o ON o.urn = CASE WHEN l.urn = $1 THEN l.linked_urn ELSE l.urn END
             WHERE l.urn = $1 OR l.linked_urn = $1 ORDER BY l.established, l.id")
            .bind(urn).fetch_all(p).await)?;
        let mut links: Vec<SchoolLink> = Vec::new();
        let mut register_names: HashMap<i64, String> = HashMap::new();
        for (a, b, linked_name, link_type, established, other_name) in raw_links {
            let t = LinkType::from_name(&link_type);
            let (other, name, direction) = if a == urn {
                let d = if t.is_predecessor() {
                    "predecessor"
                } else if t.is_successor() {
                    "successor"
                } else {
                    "other"
                };
                (b, linked_name, d)
            } else {
                // Published from the other side: invert.
                let d = if t.is_predecessor() {
                    "successor"
                } else if t.is_successor() {
                    "predecessor"
                } else {
                    "other"
                };
                (a, None, d)
            };
            if let Some(n) = other_name {
                register_names.insert(other, n);
            }
            if let Some(l) = links
                .iter_mut()
                .find(|l| l.urn == other && l.direction == direction)
            {
                if l.name.is_none() {
                    l.name = name;
                }
                continue;
            }
            links.push(SchoolLink {
                urn: other,
                name,
                direction,
                link_type,
                established,
            });
        }
        // Names of linked schools the link rows do not name.
        for l in links.iter_mut().filter(|l| l.name.is_none()) {
            l.name = register_names.get(&l.urn).cloned();
        }
        let graded: Vec<GradedInspectionRow> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT inspection_number, inspection_type, start_date, publication_date, category_of_concern,
                    overall_effectiveness, quality_of_education, behaviour_and_attitudes, personal_development,
                    leadership_and_management, safeguarding_effective, early_years, sixth_form,
                    outcomes_for_pupils, quality_of_teaching, personal_development_behaviour_welfare,
                    generated, source_file
             FROM inspections_graded WHERE urn = $1 ORDER BY start_date DESC")
            .bind(urn).fetch_all(p).await)?;
        let ungraded: Vec<UngradedInspectionRow> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT inspection_number, inspection_date, publication_date, outcome, generated, source_file
             FROM inspections_ungraded WHERE urn = $1 ORDER BY inspection_date DESC")
            .bind(urn).fetch_all(p).await)?;
        let cards: Vec<ReportCardRow> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT inspection_number, inspection_type, start_date, publication_date, category_of_concern,
                    safeguarding, inclusion, curriculum_and_teaching, achievement, attendance_and_behaviour,
                    personal_development_and_wellbeing, leadership_and_governance, early_years, post_16,
                    generated, source_file
             FROM inspections_report_card WHERE urn = $1 ORDER BY start_date DESC")
            .bind(urn).fetch_all(p).await)?;
        let own_sql = format!(
            "SELECT {MEASURE_COLS} FROM performance_measures WHERE urn = $1 AND level = 'school'
             ORDER BY dataset, layout, time_period, measure"
        );
        let own: Vec<MeasureRow> =
            on_pool!(self.pool(), p => sqlx::query_as(&own_sql).bind(urn).fetch_all(p).await)?;
        let cmp_sql = format!(
            "SELECT {MEASURE_COLS} FROM performance_measures
             WHERE (level = 'authority' AND la_code = $1) OR level = 'national'
             ORDER BY level_code, area"
        );
        let cmp: Vec<MeasureRow> = if own.is_empty() {
            Vec::new()
        } else {
            on_pool!(self.pool(), p => sqlx::query_as(&cmp_sql).bind(&school.la_code).fetch_all(p).await)?
        };
        let mut by_key: HashMap<MeasureKey, Comparators> = HashMap::new();
        for m in cmp {
            let k = (
                m.dataset.clone(),
                m.layout.clone(),
                m.time_period.clone(),
                m.measure.clone(),
            );
            let e = by_key.entry(k).or_default();
            if m.level == "authority" {
                e.0.get_or_insert(m);
            } else {
                e.1.push(m);
            }
        }
        let performance = own
            .into_iter()
            .map(|m| {
                let k = (
                    m.dataset.clone(),
                    m.layout.clone(),
                    m.time_period.clone(),
                    m.measure.clone(),
                );
                let (authority, national) = by_key.get(&k).cloned().unwrap_or_default();
                SchoolMeasure {
                    value: m,
                    authority,
                    national,
                }
            })
            .collect();
        let spc: Vec<SpcFigures> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT time_period, phase_type_grouping, type_of_establishment, academy_flag, headcount, fte,
                    fsm_percent, fsm_percent_marker, eal_percent, eal_percent_marker, source_file
             FROM spc_figures WHERE urn = $1 ORDER BY time_period DESC")
            .bind(urn).fetch_all(p).await)?;
        let changes: Vec<SchoolChange> = on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT field, old_value, new_value, changed_on, source_file FROM school_changes
             WHERE urn = $1 ORDER BY changed_on DESC, id DESC")
            .bind(urn).fetch_all(p).await)?;
        Ok(Some(SchoolProfile {
            head_name: school.head_name(),
            school,
            groups,
            links,
            graded_inspections: graded,
            ungraded_inspections: ungraded,
            report_cards: cards,
            performance,
            spc,
            intelligence: Vec::new(),
            changes,
        }))
    }

    /// A school's intelligence, newest first: system-derived items and, when
    /// given, the organisation's own.
    pub async fn intelligence_for(
        &self,
        urn: i64,
        organisation_id: Option<i64>,
    ) -> Result<Vec<IntelligenceItem>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT id, organisation_id, urn, kind, summary, source, occurred_on, recorded_at, author_user_id, generated
             FROM intelligence WHERE urn = $1 AND (organisation_id IS NULL OR organisation_id = $2)
             ORDER BY occurred_on DESC, id DESC")
            .bind(urn).bind(organisation_id).fetch_all(p).await)?)
    }

    /// An organisation's intelligence across its schools (its own items and the
    /// system-derived items of the schools it serves), newest first.
    pub async fn organisation_intelligence(
        &self,
        organisation_id: i64,
        limit: i64,
    ) -> Result<Vec<IntelligenceItem>> {
        let limit = if limit <= 0 { 100 } else { limit.min(1000) };
        Ok(on_pool!(self.pool(), p => sqlx::query_as(
            "SELECT id, organisation_id, urn, kind, summary, source, occurred_on, recorded_at, author_user_id, generated
             FROM intelligence
             WHERE organisation_id = $1
                OR (organisation_id IS NULL AND urn IN (SELECT urn FROM organisation_schools WHERE organisation_id = $1))
             ORDER BY occurred_on DESC, id DESC LIMIT $2")
            .bind(organisation_id).bind(limit).fetch_all(p).await)?)
    }
}

/// Adds an item of intelligence for an organisation (audited).
pub async fn add_intelligence(
    tx: &mut Tx,
    actor: &Actor,
    new: &NewIntelligence<'_>,
) -> Result<IntelligenceItem> {
    if !INTELLIGENCE_KINDS.contains(&new.kind) {
        return Err(StoreError::Invalid(format!(
            "intelligence kind {:?} is not one of {}",
            new.kind,
            INTELLIGENCE_KINDS.join(", ")
        )));
    }
    if new.summary.trim().is_empty() {
        return Err(StoreError::Invalid("the summary is empty".into()));
    }
    if new.source.trim().is_empty() {
        return Err(StoreError::Invalid("the source is empty".into()));
    }
    let date: jiff::civil::Date = new.occurred_on.trim().parse().map_err(|_| {
        StoreError::Invalid(format!(
            "date {:?} is not a date (YYYY-MM-DD)",
            new.occurred_on
        ))
    })?;
    let item: IntelligenceItem = on_tx!(tx, c => sqlx::query_as(
        "INSERT INTO intelligence (organisation_id, urn, kind, summary, source, occurred_on, recorded_at, author_user_id, generated)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id, organisation_id, urn, kind, summary, source, occurred_on, recorded_at, author_user_id, generated")
        .bind(new.organisation_id).bind(new.urn).bind(new.kind).bind(new.summary.trim())
        .bind(new.source.trim()).bind(date.to_string()).bind(now()).bind(new.author_user_id)
        .bind(new.generated)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("intelligence", item.id, Some(new.organisation_id), &item),
    )
    .await?;
    crate::placements::inputs_changed(tx, Some(new.organisation_id)).await?;
    Ok(item)
}

/// Adds every register school of an authority to an organisation's estate
/// (`organisation_schools`); returns how many were added. Idempotent.
pub async fn add_authority_to_estate(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: i64,
    la_code: &str,
) -> Result<u64> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO organisation_schools (organisation_id, urn, added_at)
         SELECT $1, urn, $2 FROM schools
         WHERE la_code = $3 AND urn NOT IN (SELECT urn FROM organisation_schools WHERE organisation_id = $1)")
        .bind(organisation_id).bind(now()).bind(la_code)
        .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    if n > 0 {
        crate::placements::inputs_changed(tx, Some(organisation_id)).await?;
        audit::record(
            tx,
            actor,
            Change::created(
                "organisation_schools",
                la_code,
                Some(organisation_id),
                &serde_json::json!({"la_code": la_code, "schools_added": n}),
            ),
        )
        .await?;
    }
    Ok(n)
}

/// The source recorded on records the demo invents.
pub const GENERATED_SOURCE: &str = "generated by the Uplift demo (not real data)";

/// For the demo: gives every school of an authority that has no inspection record
/// in any format a GENERATED graded inspection (`generated = TRUE`, source
/// [`GENERATED_SOURCE`]), dated before September 2024 so that it has an overall
/// grade. Grades are a fixed function of the URN, so the demo is repeatable.
/// Idempotent; returns how many were added. Screens must mark them as generated.
pub async fn add_generated_inspections(tx: &mut Tx, actor: &Actor, la_code: &str) -> Result<u64> {
    let urns: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT urn FROM schools s WHERE la_code = $1
           AND (status IS NULL OR status <> 'Closed')
           AND NOT EXISTS (SELECT 1 FROM inspections_graded i WHERE i.urn = s.urn)
           AND NOT EXISTS (SELECT 1 FROM inspections_ungraded i WHERE i.urn = s.urn)
           AND NOT EXISTS (SELECT 1 FROM inspections_report_card i WHERE i.urn = s.urn)
         ORDER BY urn")
        .bind(la_code).fetch_all(&mut **c).await)?;
    const GRADES: [i64; 10] = [2, 2, 1, 2, 3, 2, 2, 1, 3, 4];
    let base = jiff::civil::date(2019, 9, 9);
    let stamp = now();
    for &urn in &urns {
        let g = GRADES[(urn % 10) as usize];
        let day = base
            .checked_add(jiff::Span::new().days(urn % 1700))
            .unwrap_or(base);
        let published = day.checked_add(jiff::Span::new().days(30)).unwrap_or(day);
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO inspections_graded (urn, inspection_key, inspection_type, start_date, publication_date,
                 category_of_concern, overall_effectiveness, quality_of_education, behaviour_and_attitudes,
                 personal_development, leadership_and_management, safeguarding_effective, early_years, sixth_form,
                 generated, source_file, imported_at)
             VALUES ($1, 'generated', 'S5 Inspection (generated)', $2, $3, $4, $5, $5, $5, $5, $5, $6, 9, 9, TRUE, $7, $8)")
            .bind(urn).bind(day.to_string()).bind(published.to_string())
            .bind(if g == 4 { Some("Special measures") } else { None })
            .bind(g).bind(g != 4).bind(GENERATED_SOURCE).bind(&stamp)
            .execute(&mut **c).await.map(|r| r.rows_affected()))?;
    }
    let n = urns.len() as u64;
    if n > 0 {
        crate::placements::inputs_changed(tx, None).await?;
        audit::record(
            tx,
            actor,
            Change::created(
                "generated_inspections",
                la_code,
                None,
                &serde_json::json!({"la_code": la_code, "inspections_added": n, "source": GENERATED_SOURCE}),
            ),
        )
        .await?;
    }
    Ok(n)
}

impl Db {
    /// An open school of the authority for the demo school account: the first by
    /// URN with a headteacher on record, else the first open one.
    pub async fn demo_school(&self, la_code: &str) -> Result<Option<i64>> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT urn FROM schools WHERE la_code = $1 AND (status IS NULL OR status <> 'Closed')
             ORDER BY head_last_name IS NULL, status IS NULL, urn LIMIT 1")
            .bind(la_code).fetch_optional(p).await)?)
    }
}

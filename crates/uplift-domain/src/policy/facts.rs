//! What a rule may read about one school: [`SchoolFacts`] (assembled by the
//! caller from the register) and the typed fact catalogue that names every
//! readable value (`inspection.latest.oeif.overall`, `report_card.safeguarding`,
//! `performance.ks2.rwm_expected.quartile`, ...).
//!
//! Every value a rule reads comes with its [`Provenance`] (source file and
//! date), so the rationale of a placement can cite its evidence.

use crate::register::{
    CategoryOfConcern, Date, Governance, GradedInspection, Inspection, LaCode, OeifGrade,
    ReportCardArea, ReportCardGrade, ReportCardInspection, SafeguardingStandard, School, SixthForm,
    UngradedInspection, Urn,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Where a fact came from: the file (or screen) it was read from and its date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Source file or record, e.g. `ofsted_mi_2026-05.csv` or `intelligence #412`.
    pub source: String,
    /// Date of the source (publication or import date), when known.
    pub date: Option<Date>,
}

impl Provenance {
    /// A provenance with a source name and an optional date.
    pub fn new(source: impl Into<String>, date: Option<Date>) -> Self {
        Self {
            source: source.into(),
            date,
        }
    }
}

/// An inspection with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionFact {
    /// The inspection in its own format (never converted).
    pub inspection: Inspection,
    /// Where it was read.
    pub source: Provenance,
}

/// One published performance measure of the school with its comparators.
///
/// `quartile` is the school's quarter within its local authority on this
/// measure, 1 the best-performing quarter and 4 the weakest (for measures where
/// lower is better, such as persistent absence, quartile 4 is the highest
/// absence): the caller computes it that way round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeasureFact {
    /// The school's value.
    pub value: Option<f64>,
    /// National comparator.
    pub national: Option<f64>,
    /// Statistical-neighbour comparator.
    pub statistical_neighbours: Option<f64>,
    /// Local-authority comparator.
    pub la: Option<f64>,
    /// The school's quartile in its LA (1 best, 4 weakest).
    pub quartile: Option<u8>,
    /// The academic year of the data, e.g. "2024/25".
    pub year: Option<String>,
    /// Where it was read.
    pub source: Provenance,
}

/// An item of soft intelligence, or a recorded officer judgement, by kind.
/// The kinds a policy may read are listed in [`INTELLIGENCE_KINDS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelligenceItem {
    /// Kind, e.g. `safeguarding` or `agreed_vulnerable` (see [`INTELLIGENCE_KINDS`]).
    pub kind: String,
    /// Date of the intelligence.
    pub date: Date,
    /// Short summary (shown in the rationale).
    pub summary: Option<String>,
    /// Where it was recorded.
    pub source: Provenance,
}

/// Which power a warning notice was given under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WarningNoticeSection {
    /// Education and Inspections Act 2006 s60 (standards, management or governance, safety).
    S60,
    /// s60A (teachers' pay and conditions).
    S60A,
}

/// A warning notice given to the school, as recorded by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningNoticeFact {
    /// s60 or s60A.
    pub section: WarningNoticeSection,
    /// Date the notice was given.
    pub given: Date,
    /// Last day of the compliance period (the caller computes it in working days).
    pub compliance_period_ends: Date,
    /// `Some(false)` when the school failed to comply (to the authority's satisfaction).
    pub complied: Option<bool>,
    /// Date of the written notice that the authority proposes to use its Part 4 powers.
    pub written_notice_of_proposed_powers: Option<Date>,
    /// Where it was recorded.
    pub source: Provenance,
}

/// Everything a rule may read about one school.
///
/// The caller (the store) assembles it from the register; nothing here reads
/// files. Inspections may be given in any order: the engine sorts them by date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolFacts {
    /// URN.
    pub urn: Urn,
    /// School name.
    pub name: String,
    /// Local authority code.
    pub la_code: Option<LaCode>,
    /// Phase of education, e.g. "Primary", "Secondary", "All-through".
    pub phase: Option<String>,
    /// Type of establishment name, e.g. "Community school".
    pub type_name: Option<String>,
    /// Maintained, academy, ...
    pub governance: Governance,
    /// Official sixth form.
    pub sixth_form: SixthForm,
    /// Pupil referral unit or alternative provision.
    pub is_pru: bool,
    /// Special school.
    pub is_special: bool,
    /// Where the establishment record came from.
    pub school_source: Provenance,
    /// Headteacher's start date with its provenance.
    pub head_start_date: Option<(Date, Provenance)>,
    /// Inspections in any format and any order.
    pub inspections: Vec<InspectionFact>,
    /// Most recent category of concern recorded in Ofsted's management information.
    pub recorded_category: Option<(CategoryOfConcern, Provenance)>,
    /// The caller's knowledge that an inspection is expected (overrides the derived window).
    pub inspection_expected: Option<(bool, Provenance)>,
    /// Performance measures keyed by catalogue id (see [`MEASURES`]), e.g. `performance.ks2.rwm_expected`.
    pub measures: BTreeMap<String, MeasureFact>,
    /// Intelligence items.
    pub intelligence: Vec<IntelligenceItem>,
    /// Warning notices given.
    pub warning_notices: Vec<WarningNoticeFact>,
    /// Whether the school is on the causing-concern list now (used for removal proposals).
    pub on_causing_concern_list: bool,
    /// The date the facts describe: recency windows and "new headteacher" count back from it.
    pub as_of: Date,
}

impl SchoolFacts {
    /// Bare facts for a school: no inspections, data or intelligence yet.
    pub fn new(urn: Urn, name: impl Into<String>, as_of: Date) -> Self {
        Self {
            urn,
            name: name.into(),
            la_code: None,
            phase: None,
            type_name: None,
            governance: Governance::Maintained,
            sixth_form: SixthForm::Unknown,
            is_pru: false,
            is_special: false,
            school_source: Provenance::default(),
            head_start_date: None,
            inspections: Vec::new(),
            recorded_category: None,
            inspection_expected: None,
            measures: BTreeMap::new(),
            intelligence: Vec::new(),
            warning_notices: Vec::new(),
            on_causing_concern_list: false,
            as_of,
        }
    }

    /// Facts taken from a register [`School`]: identity, phase, type, status,
    /// sixth form, PRU/special and the headteacher's start date. The caller adds
    /// inspections, measures and intelligence.
    pub fn from_school(school: &School, source: Provenance, as_of: Date) -> Self {
        let type_lower = school
            .type_name
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let phase_lower = school
            .phase
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut f = Self::new(school.urn, school.name.clone(), as_of);
        f.la_code = Some(school.la_code);
        f.phase = school.phase.clone();
        f.type_name = school.type_name.clone();
        f.governance = school.governance;
        f.sixth_form = school.sixth_form;
        f.is_pru = type_lower.contains("pupil referral")
            || type_lower.contains("alternative provision")
            || phase_lower.contains("alternative provision");
        f.is_special = type_lower.contains("special");
        f.head_start_date = school.head_start_date.map(|d| (d, source.clone()));
        f.school_source = source;
        f
    }
}

/// The type of a fact (and of the literal a rule compares it with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactType {
    /// A number.
    Number,
    /// A four-point Ofsted grade (1 outstanding .. 4 inadequate).
    Grade,
    /// A five-point report-card grade (exceptional .. urgent improvement).
    ReportCardGrade,
    /// Safeguarding standards: met or not met.
    Standard,
    /// A category of concern: none, serious weaknesses, requires significant improvement, special measures.
    Concern,
    /// True or false.
    Bool,
    /// Text.
    Text,
    /// A date.
    Date,
}

impl FactType {
    /// The name used in messages and in the catalogue.
    pub fn name(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Grade => "grade (1-4)",
            Self::ReportCardGrade => "report-card grade",
            Self::Standard => "safeguarding standard",
            Self::Concern => "category of concern",
            Self::Bool => "bool",
            Self::Text => "text",
            Self::Date => "date",
        }
    }
}

/// Which way a fact gets worse as inspection grades or measures get worse.
///
/// Category rules may only read `Higher`/`Lower` facts with "at least this bad"
/// comparisons, and may not read `NotMonotone` facts at all: that is what makes
/// categorisation monotone (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Worse {
    /// Larger values (or later grades on the scale, or `true`) are worse.
    Higher,
    /// Smaller values (or `false`) are worse.
    Lower,
    /// Not a grade or measure of the school (identity, dates, comparators).
    Neutral,
    /// Derived from grades but not monotone in them (e.g. "stuck": RI then worse).
    NotMonotone,
}

/// A value read from the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactValue {
    /// A number.
    Number(f64),
    /// A four-point grade.
    Grade(OeifGrade),
    /// A report-card grade.
    ReportCardGrade(ReportCardGrade),
    /// Safeguarding standards.
    Standard(SafeguardingStandard),
    /// A category of concern (`None`: no category).
    Concern(Option<CategoryOfConcern>),
    /// True or false.
    Bool(bool),
    /// Text.
    Text(String),
    /// A date.
    Date(Date),
}

/// The rank of a four-point grade (1 best .. 4 worst); `None` for not applicable.
pub fn grade_rank(g: OeifGrade) -> Option<u8> {
    match g {
        OeifGrade::NotApplicable => None,
        other => Some(other.number()),
    }
}

/// The rank of a report-card grade (1 exceptional .. 5 urgent improvement).
pub fn report_card_rank(g: ReportCardGrade) -> u8 {
    match g {
        ReportCardGrade::Exceptional => 1,
        ReportCardGrade::StrongStandard => 2,
        ReportCardGrade::ExpectedStandard => 3,
        ReportCardGrade::NeedsAttention => 4,
        ReportCardGrade::UrgentImprovement => 5,
    }
}

/// The rank of a category of concern: 0 none, 1 serious weaknesses / requires
/// significant improvement / other wording, 2 special measures.
pub fn concern_rank(c: Option<&CategoryOfConcern>) -> u8 {
    match c {
        None => 0,
        Some(CategoryOfConcern::SpecialMeasures) => 2,
        Some(_) => 1,
    }
}

/// Snake-case name of a report-card grade as written in policies.
pub fn report_card_grade_name(g: ReportCardGrade) -> &'static str {
    match g {
        ReportCardGrade::Exceptional => "exceptional",
        ReportCardGrade::StrongStandard => "strong_standard",
        ReportCardGrade::ExpectedStandard => "expected_standard",
        ReportCardGrade::NeedsAttention => "needs_attention",
        ReportCardGrade::UrgentImprovement => "urgent_improvement",
    }
}

/// Snake-case name of a four-point grade as written in policies.
pub fn grade_name(g: OeifGrade) -> &'static str {
    match g {
        OeifGrade::Outstanding => "outstanding",
        OeifGrade::Good => "good",
        OeifGrade::RequiresImprovement => "requires_improvement",
        OeifGrade::Inadequate => "inadequate",
        OeifGrade::NotApplicable => "not_applicable",
    }
}

/// Snake-case name of a category of concern as written in policies.
pub fn concern_name(c: Option<&CategoryOfConcern>) -> String {
    match c {
        None => "none".into(),
        Some(CategoryOfConcern::SeriousWeaknesses) => "serious_weaknesses".into(),
        Some(CategoryOfConcern::SpecialMeasures) => "special_measures".into(),
        Some(CategoryOfConcern::RequiresSignificantImprovement) => {
            "requires_significant_improvement".into()
        }
        Some(CategoryOfConcern::Other(t)) => format!("other ({t})"),
    }
}

impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    write!(f, "{}", *n as i64)
                } else {
                    write!(f, "{n}")
                }
            }
            Self::Grade(g) => write!(f, "{} ({})", g.number(), grade_name(*g)),
            Self::ReportCardGrade(g) => f.write_str(report_card_grade_name(*g)),
            Self::Standard(SafeguardingStandard::Met) => f.write_str("met"),
            Self::Standard(SafeguardingStandard::NotMet) => f.write_str("not_met"),
            Self::Concern(c) => f.write_str(&concern_name(c.as_ref())),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Text(t) => write!(f, "'{t}'"),
            Self::Date(d) => write!(f, "{d}"),
        }
    }
}

// ---------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------

/// A performance measure the catalogue knows: its id and which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeasureDef {
    /// Id, used as the fact prefix and as the key of [`SchoolFacts::measures`].
    pub id: &'static str,
    /// What it measures.
    pub label: &'static str,
    /// Whether a higher value is better.
    pub higher_is_better: bool,
}

const fn m(id: &'static str, label: &'static str, higher_is_better: bool) -> MeasureDef {
    MeasureDef {
        id,
        label,
        higher_is_better,
    }
}

/// The measures a policy may read.
pub const MEASURES: &[MeasureDef] = &[
    m(
        "performance.eyfs.gld",
        "EYFS: % reaching a good level of development",
        true,
    ),
    m(
        "performance.ks1.phonics",
        "Year 1 phonics: % meeting the expected standard",
        true,
    ),
    m(
        "performance.ks2.rwm_expected",
        "KS2: % meeting the expected standard in reading, writing and maths",
        true,
    ),
    m(
        "performance.ks2.rwm_higher",
        "KS2: % achieving a higher standard in reading, writing and maths",
        true,
    ),
    m(
        "performance.ks2.reading_progress",
        "KS2 reading progress score",
        true,
    ),
    m(
        "performance.ks2.writing_progress",
        "KS2 writing progress score",
        true,
    ),
    m(
        "performance.ks2.maths_progress",
        "KS2 maths progress score",
        true,
    ),
    m(
        "performance.ks2.disadvantaged_rwm_expected",
        "KS2: % of disadvantaged pupils meeting the expected standard in RWM",
        true,
    ),
    m(
        "performance.ks2.disadvantaged_gap",
        "KS2: gap in RWM expected standard, other pupils minus disadvantaged (percentage points)",
        false,
    ),
    m("performance.ks4.attainment8", "KS4 Attainment 8", true),
    m("performance.ks4.progress8", "KS4 Progress 8", true),
    m(
        "performance.ks4.basics_grade4",
        "KS4: % achieving grade 4 or above in English and maths",
        true,
    ),
    m(
        "performance.ks4.ebacc_aps",
        "KS4 EBacc average point score",
        true,
    ),
    m(
        "performance.ks4.disadvantaged_progress8",
        "KS4 Progress 8 of disadvantaged pupils",
        true,
    ),
    m(
        "performance.ks4.disadvantaged_gap",
        "KS4: Attainment 8 gap, other pupils minus disadvantaged",
        false,
    ),
    m(
        "attendance.overall_absence",
        "Overall absence, % of sessions",
        false,
    ),
    m(
        "attendance.persistent_absence",
        "Persistent absence, % of pupils missing 10% or more of sessions",
        false,
    ),
    m(
        "exclusions.suspension_rate",
        "Suspensions per 100 pupils",
        false,
    ),
    m(
        "exclusions.permanent_exclusion_rate",
        "Permanent exclusions per 100 pupils",
        false,
    ),
    m(
        "exclusions.permanent_exclusions",
        "Number of permanent exclusions",
        false,
    ),
    m(
        "exclusions.part_time_timetables",
        "Number of pupils on part-time timetables",
        false,
    ),
];

/// The kinds of intelligence item a policy may read (soft information and
/// recorded officer judgements).
pub const INTELLIGENCE_KINDS: &[(&str, &str)] = &[
    ("leadership_change", "change of headteacher or senior leadership"),
    (
        "new_headteacher",
        "a new headteacher appeared in an import (derived)",
    ),
    ("interim_headteacher", "acting or interim headteacher"),
    (
        "headteacher_recruitment",
        "recruiting a headteacher or deputy headteacher",
    ),
    ("head_new_to_area", "headteacher new to the authority's area"),
    ("staff_vacancies", "staff vacancies"),
    ("governance", "governance concern"),
    ("finance", "financial concern"),
    ("safeguarding", "safeguarding concern"),
    ("complaints", "complaints"),
    ("critical_incident", "critical incident"),
    (
        "planned_restructure",
        "planned restructure (federation, joining a trust)",
    ),
    ("new_to_la", "school new to the local authority"),
    ("expecting_inspection", "school expecting an Ofsted inspection"),
    (
        "inspection_letter_issues",
        "a recent inspection letter says issues exist that need support",
    ),
    (
        "judged_ri_or_worse_if_inspected",
        "officer judgement: would be judged RI or worse if inspected now or soon",
    ),
    (
        "leadership_ri_or_worse",
        "officer judgement: overall leadership (governance and management) RI or worse",
    ),
    (
        "serious_breakdown_management",
        "officer judgement: serious breakdown of management, leadership or governance",
    ),
    (
        "safety_threatened",
        "officer judgement: safety of pupils or staff threatened, or safeguarding unsatisfactory",
    ),
    (
        "low_achievement",
        "officer judgement: achievement unacceptably low, or serious decline, without evidence of capacity to reverse it",
    ),
    (
        "capacity_not_secure",
        "officer judgement: capacity to make rapid and sustained improvement not secure",
    ),
    (
        "agreed_vulnerable",
        "agreed with the school to be vulnerable",
    ),
    (
        "agreed_in_crisis",
        "agreed to be in crisis (urgent support to stabilise leadership and management)",
    ),
    ("self_reported_vulnerable", "the school reports itself vulnerable"),
    ("below_floor", "below a DfE floor or minimum standard"),
];

/// What a fact name refers to, resolved once when a policy is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FactKey {
    School(SchoolField),
    Head(HeadField),
    InspectionMeta(MetaField),
    Slot(Slot, SlotField),
    Oeif(Slot, OeifField),
    ReportCard(Slot, RcField),
    Ungraded(UngradedField),
    Measure(usize, MeasureField),
    Intel(usize, IntelField),
    WarningNotice,
    Flag(super::flags::FlagKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchoolField {
    Urn,
    Name,
    LaCode,
    Phase,
    Type,
    IsAcademy,
    IsMaintained,
    HasSixthForm,
    IsPru,
    IsSpecial,
    OnCausingConcernList,
    RecordedCategory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadField {
    StartDate,
    MonthsInPost,
    IsNew,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetaField {
    LastDate,
    MonthsSinceLast,
    ExpectedSoon,
}

/// The latest or the previous judgement-bearing inspection (graded or report card).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Latest,
    Previous,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotField {
    Format,
    Date,
    CategoryOfConcern,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OeifField {
    Overall,
    QualityOfEducation,
    BehaviourAndAttitudes,
    PersonalDevelopment,
    LeadershipAndManagement,
    EarlyYears,
    SixthForm,
    LowestKeyJudgement,
    SafeguardingEffective,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RcField {
    Area(ReportCardArea),
    Safeguarding,
    UrgentImprovementCount,
    UrgentImprovementOtherThanLg,
    NeedsAttentionOrWorseCount,
    LowestGrade,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UngradedField {
    Date,
    Outcome,
    StandardsMayHaveDeclined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MeasureField {
    Value,
    National,
    StatisticalNeighbours,
    La,
    Quartile,
    ShortfallNational,
    ShortfallNeighbours,
    ShortfallLa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntelField {
    Count12m,
    Count,
    LatestDate,
}

const OEIF_FIELDS: &[(&str, OeifField)] = &[
    ("overall", OeifField::Overall),
    ("quality_of_education", OeifField::QualityOfEducation),
    ("behaviour_and_attitudes", OeifField::BehaviourAndAttitudes),
    ("personal_development", OeifField::PersonalDevelopment),
    (
        "leadership_and_management",
        OeifField::LeadershipAndManagement,
    ),
    ("early_years", OeifField::EarlyYears),
    ("sixth_form", OeifField::SixthForm),
    ("lowest_key_judgement", OeifField::LowestKeyJudgement),
    ("safeguarding_effective", OeifField::SafeguardingEffective),
];

/// Report-card areas with their names in policies.
pub const REPORT_CARD_AREAS: &[(&str, ReportCardArea)] = &[
    ("inclusion", ReportCardArea::Inclusion),
    (
        "curriculum_and_teaching",
        ReportCardArea::CurriculumAndTeaching,
    ),
    ("achievement", ReportCardArea::Achievement),
    (
        "attendance_and_behaviour",
        ReportCardArea::AttendanceAndBehaviour,
    ),
    (
        "personal_development_and_wellbeing",
        ReportCardArea::PersonalDevelopmentAndWellbeing,
    ),
    (
        "leadership_and_governance",
        ReportCardArea::LeadershipAndGovernance,
    ),
    ("early_years", ReportCardArea::EarlyYears),
    ("post16", ReportCardArea::Post16),
];

const RC_EXTRA: &[(&str, RcField)] = &[
    ("safeguarding", RcField::Safeguarding),
    ("urgent_improvement_count", RcField::UrgentImprovementCount),
    (
        "urgent_improvement_other_than_lg_count",
        RcField::UrgentImprovementOtherThanLg,
    ),
    (
        "needs_attention_or_worse_count",
        RcField::NeedsAttentionOrWorseCount,
    ),
    ("lowest_grade", RcField::LowestGrade),
];

const MEASURE_FIELDS: &[(&str, MeasureField)] = &[
    ("value", MeasureField::Value),
    ("national", MeasureField::National),
    (
        "statistical_neighbours",
        MeasureField::StatisticalNeighbours,
    ),
    ("la", MeasureField::La),
    ("quartile", MeasureField::Quartile),
    ("shortfall_national", MeasureField::ShortfallNational),
    ("shortfall_neighbours", MeasureField::ShortfallNeighbours),
    ("shortfall_la", MeasureField::ShortfallLa),
];

const SCHOOL_FIELDS: &[(&str, SchoolField)] = &[
    ("urn", SchoolField::Urn),
    ("name", SchoolField::Name),
    ("la_code", SchoolField::LaCode),
    ("phase", SchoolField::Phase),
    ("type", SchoolField::Type),
    ("is_academy", SchoolField::IsAcademy),
    ("is_maintained", SchoolField::IsMaintained),
    ("has_sixth_form", SchoolField::HasSixthForm),
    ("is_pru", SchoolField::IsPru),
    ("is_special", SchoolField::IsSpecial),
    ("on_causing_concern_list", SchoolField::OnCausingConcernList),
    (
        "recorded_category_of_concern",
        SchoolField::RecordedCategory,
    ),
];

fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

impl FactKey {
    /// Resolves a fact name.
    pub(crate) fn resolve(name: &str) -> Option<Self> {
        use super::flags::FlagKind;
        if let Some(rest) = name.strip_prefix("school.") {
            return lookup(SCHOOL_FIELDS, rest).map(Self::School);
        }
        if let Some(rest) = name.strip_prefix("head.") {
            return match rest {
                "start_date" => Some(Self::Head(HeadField::StartDate)),
                "months_in_post" => Some(Self::Head(HeadField::MonthsInPost)),
                "is_new" => Some(Self::Head(HeadField::IsNew)),
                _ => None,
            };
        }
        if let Some(rest) = name.strip_prefix("flag.") {
            return FlagKind::ALL
                .iter()
                .find(|k| k.name() == rest)
                .map(|k| Self::Flag(*k));
        }
        if name == "warning_notice.unmet_after_compliance" {
            return Some(Self::WarningNotice);
        }
        if let Some(rest) = name.strip_prefix("report_card.") {
            return Self::resolve_rc(Slot::Latest, rest);
        }
        if let Some(rest) = name.strip_prefix("inspection.") {
            match rest {
                "last_date" => return Some(Self::InspectionMeta(MetaField::LastDate)),
                "months_since_last" => {
                    return Some(Self::InspectionMeta(MetaField::MonthsSinceLast))
                }
                "expected_soon" => return Some(Self::InspectionMeta(MetaField::ExpectedSoon)),
                "last_ungraded.date" => return Some(Self::Ungraded(UngradedField::Date)),
                "last_ungraded.outcome" => return Some(Self::Ungraded(UngradedField::Outcome)),
                "last_ungraded.standards_may_have_declined" => {
                    return Some(Self::Ungraded(UngradedField::StandardsMayHaveDeclined))
                }
                _ => {}
            }
            let (slot, rest) = if let Some(r) = rest.strip_prefix("latest.") {
                (Slot::Latest, r)
            } else if let Some(r) = rest.strip_prefix("previous.") {
                (Slot::Previous, r)
            } else {
                return None;
            };
            return match rest {
                "format" => Some(Self::Slot(slot, SlotField::Format)),
                "date" => Some(Self::Slot(slot, SlotField::Date)),
                "category_of_concern" => Some(Self::Slot(slot, SlotField::CategoryOfConcern)),
                _ => {
                    if let Some(r) = rest.strip_prefix("oeif.") {
                        lookup(OEIF_FIELDS, r).map(|f| Self::Oeif(slot, f))
                    } else if let Some(r) = rest.strip_prefix("report_card.") {
                        Self::resolve_rc(slot, r)
                    } else {
                        None
                    }
                }
            };
        }
        if let Some(rest) = name.strip_prefix("intelligence.") {
            let (kind, field) = rest.rsplit_once('.')?;
            let idx = INTELLIGENCE_KINDS.iter().position(|(k, _)| *k == kind)?;
            let field = match field {
                "count_12m" => IntelField::Count12m,
                "count" => IntelField::Count,
                "latest_date" => IntelField::LatestDate,
                _ => return None,
            };
            return Some(Self::Intel(idx, field));
        }
        // Measures: `<id>` (its value) or `<id>.<field>`.
        if let Some(idx) = MEASURES.iter().position(|d| d.id == name) {
            return Some(Self::Measure(idx, MeasureField::Value));
        }
        let (id, field) = name.rsplit_once('.')?;
        let idx = MEASURES.iter().position(|d| d.id == id)?;
        lookup(MEASURE_FIELDS, field).map(|f| Self::Measure(idx, f))
    }

    fn resolve_rc(slot: Slot, rest: &str) -> Option<Self> {
        if let Some(area) = lookup(REPORT_CARD_AREAS, rest) {
            return Some(Self::ReportCard(slot, RcField::Area(area)));
        }
        lookup(RC_EXTRA, rest).map(|f| Self::ReportCard(slot, f))
    }

    /// The type and direction of the fact.
    pub(crate) fn info(self) -> (FactType, Worse) {
        use FactType as T;
        match self {
            Self::School(f) => match f {
                SchoolField::Urn
                | SchoolField::Name
                | SchoolField::LaCode
                | SchoolField::Phase
                | SchoolField::Type => (T::Text, Worse::Neutral),
                SchoolField::RecordedCategory => (T::Concern, Worse::Higher),
                _ => (T::Bool, Worse::Neutral),
            },
            Self::Head(HeadField::StartDate) => (T::Date, Worse::Neutral),
            Self::Head(HeadField::MonthsInPost) => (T::Number, Worse::Neutral),
            Self::Head(HeadField::IsNew) => (T::Bool, Worse::Neutral),
            Self::InspectionMeta(MetaField::LastDate) => (T::Date, Worse::Neutral),
            Self::InspectionMeta(MetaField::MonthsSinceLast) => (T::Number, Worse::Neutral),
            Self::InspectionMeta(MetaField::ExpectedSoon) => (T::Bool, Worse::Neutral),
            Self::Slot(_, SlotField::Format) => (T::Text, Worse::Neutral),
            Self::Slot(_, SlotField::Date) => (T::Date, Worse::Neutral),
            Self::Slot(_, SlotField::CategoryOfConcern) => (T::Concern, Worse::Higher),
            Self::Oeif(_, OeifField::SafeguardingEffective) => (T::Bool, Worse::Lower),
            Self::Oeif(_, _) => (T::Grade, Worse::Higher),
            Self::ReportCard(_, RcField::Area(_) | RcField::LowestGrade) => {
                (T::ReportCardGrade, Worse::Higher)
            }
            Self::ReportCard(_, RcField::Safeguarding) => (T::Standard, Worse::Higher),
            Self::ReportCard(_, _) => (T::Number, Worse::Higher),
            Self::Ungraded(UngradedField::Date) => (T::Date, Worse::Neutral),
            Self::Ungraded(UngradedField::Outcome) => (T::Text, Worse::Neutral),
            Self::Ungraded(UngradedField::StandardsMayHaveDeclined) => (T::Bool, Worse::Higher),
            Self::Measure(idx, f) => match f {
                MeasureField::Value => (
                    T::Number,
                    if MEASURES[idx].higher_is_better {
                        Worse::Lower
                    } else {
                        Worse::Higher
                    },
                ),
                MeasureField::National | MeasureField::StatisticalNeighbours | MeasureField::La => {
                    (T::Number, Worse::Neutral)
                }
                _ => (T::Number, Worse::Higher),
            },
            Self::Intel(_, IntelField::LatestDate) => (T::Date, Worse::Neutral),
            Self::Intel(_, _) => (T::Number, Worse::Higher),
            Self::WarningNotice => (T::Bool, Worse::Higher),
            Self::Flag(k) => (T::Bool, k.worse()),
        }
    }
}

/// One entry of the fact catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactInfo {
    /// Fact name as written in rules.
    pub name: String,
    /// Its type.
    pub ty: FactType,
    /// Which way is worse.
    pub worse: Worse,
}

/// Every fact name a policy may read, with its type (for `uplift policy facts`
/// and the documentation). Measure ids alone (`attendance.persistent_absence`)
/// are also accepted as the measure's value.
pub fn catalogue() -> Vec<FactInfo> {
    let mut names: Vec<String> = Vec::new();
    for (n, _) in SCHOOL_FIELDS {
        names.push(format!("school.{n}"));
    }
    for n in ["start_date", "months_in_post", "is_new"] {
        names.push(format!("head.{n}"));
    }
    for n in [
        "last_date",
        "months_since_last",
        "expected_soon",
        "last_ungraded.date",
        "last_ungraded.outcome",
        "last_ungraded.standards_may_have_declined",
    ] {
        names.push(format!("inspection.{n}"));
    }
    for slot in ["latest", "previous"] {
        for n in ["format", "date", "category_of_concern"] {
            names.push(format!("inspection.{slot}.{n}"));
        }
        for (n, _) in OEIF_FIELDS {
            names.push(format!("inspection.{slot}.oeif.{n}"));
        }
        for (n, _) in REPORT_CARD_AREAS
            .iter()
            .map(|(n, _)| (*n, ()))
            .chain(RC_EXTRA.iter().map(|(n, _)| (*n, ())))
        {
            names.push(format!("inspection.{slot}.report_card.{n}"));
        }
    }
    for (n, _) in REPORT_CARD_AREAS
        .iter()
        .map(|(n, _)| (*n, ()))
        .chain(RC_EXTRA.iter().map(|(n, _)| (*n, ())))
    {
        names.push(format!("report_card.{n}"));
    }
    for d in MEASURES {
        for (f, _) in MEASURE_FIELDS {
            names.push(format!("{}.{f}", d.id));
        }
    }
    for (k, _) in INTELLIGENCE_KINDS {
        for f in ["count_12m", "count", "latest_date"] {
            names.push(format!("intelligence.{k}.{f}"));
        }
    }
    names.push("warning_notice.unmet_after_compliance".into());
    for k in super::flags::FlagKind::ALL {
        names.push(format!("flag.{}", k.name()));
    }
    names
        .into_iter()
        .filter_map(|name| {
            FactKey::resolve(&name).map(|k| {
                let (ty, worse) = k.info();
                FactInfo { name, ty, worse }
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Reading facts
// ---------------------------------------------------------------------------

/// The date of an inspection (start date, else publication date).
pub fn inspection_date(i: &Inspection) -> Option<Date> {
    match i {
        Inspection::Graded(g) => g.start_date.or(g.publication_date),
        Inspection::Ungraded(u) => u.date.or(u.publication_date),
        Inspection::ReportCard(r) => r.start_date.or(r.publication_date),
    }
}

/// Whole months from `from` to `to` (negative when `to` is earlier).
pub fn months_between(from: Date, to: Date) -> i32 {
    let mut months = (i32::from(to.year()) - i32::from(from.year())) * 12
        + (i32::from(to.month()) - i32::from(from.month()));
    if to >= from && to.day() < from.day() {
        months -= 1;
    } else if to < from && to.day() > from.day() {
        months += 1;
    }
    months
}

/// A value read for a rule, with its date and source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Read {
    pub value: Option<FactValue>,
    pub date: Option<Date>,
    pub source: Option<String>,
}

impl Read {
    fn none() -> Self {
        Self {
            value: None,
            date: None,
            source: None,
        }
    }
    fn of(value: Option<FactValue>, prov: Option<&Provenance>, date: Option<Date>) -> Self {
        Self {
            value,
            date: date.or_else(|| prov.and_then(|p| p.date)),
            source: prov.map(|p| p.source.clone()),
        }
    }
}

/// The facts of one school, sorted and derived once, ready for rules to read.
#[derive(Debug, Clone)]
pub(crate) struct View<'a> {
    pub facts: &'a SchoolFacts,
    /// Judgement-bearing inspections (graded or report card), newest first.
    pub judged: Vec<&'a InspectionFact>,
    /// The newest ungraded inspection.
    pub last_ungraded: Option<(&'a UngradedInspection, &'a Provenance)>,
    /// The date of the newest inspection of any kind.
    pub last_date: Option<(Date, &'a Provenance)>,
    pub expected_after_months: u32,
    pub new_head_months: u32,
    pub flags: Option<super::flags::Flags>,
}

impl<'a> View<'a> {
    pub(crate) fn new(
        facts: &'a SchoolFacts,
        expected_after_months: u32,
        new_head_months: u32,
    ) -> Self {
        let mut all: Vec<(usize, &InspectionFact)> = facts
            .inspections
            .iter()
            .enumerate()
            .filter(|(_, i)| inspection_date(&i.inspection).is_none_or(|d| d <= facts.as_of))
            .collect();
        // Newest first; undated last; ties keep the caller's order.
        all.sort_by(|(ia, a), (ib, b)| {
            let da = inspection_date(&a.inspection);
            let db = inspection_date(&b.inspection);
            db.cmp(&da).then(ia.cmp(ib))
        });
        let judged = all
            .iter()
            .filter(|(_, i)| !matches!(i.inspection, Inspection::Ungraded(_)))
            .map(|(_, i)| *i)
            .collect();
        let last_ungraded = all.iter().find_map(|(_, i)| match &i.inspection {
            Inspection::Ungraded(u) => Some((u, &i.source)),
            _ => None,
        });
        let last_date = all
            .iter()
            .find_map(|(_, i)| inspection_date(&i.inspection).map(|d| (d, &i.source)));
        Self {
            facts,
            judged,
            last_ungraded,
            last_date,
            expected_after_months,
            new_head_months,
            flags: None,
        }
    }

    pub(crate) fn slot(&self, slot: Slot) -> Option<&'a InspectionFact> {
        match slot {
            Slot::Latest => self.judged.first().copied(),
            Slot::Previous => self.judged.get(1).copied(),
        }
    }

    pub(crate) fn graded(&self, slot: Slot) -> Option<(&'a GradedInspection, &'a Provenance)> {
        self.slot(slot).and_then(|i| match &i.inspection {
            Inspection::Graded(g) => Some((g, &i.source)),
            _ => None,
        })
    }

    pub(crate) fn report_card(
        &self,
        slot: Slot,
    ) -> Option<(&'a ReportCardInspection, &'a Provenance)> {
        self.slot(slot).and_then(|i| match &i.inspection {
            Inspection::ReportCard(r) => Some((r, &i.source)),
            _ => None,
        })
    }

    pub(crate) fn read(&self, key: FactKey) -> Read {
        let f = self.facts;
        match key {
            FactKey::School(field) => {
                let p = Some(&f.school_source);
                let v = match field {
                    SchoolField::Urn => Some(FactValue::Text(f.urn.to_string())),
                    SchoolField::Name => Some(FactValue::Text(f.name.clone())),
                    SchoolField::LaCode => f.la_code.map(|c| FactValue::Text(c.to_string())),
                    SchoolField::Phase => f.phase.clone().map(FactValue::Text),
                    SchoolField::Type => f.type_name.clone().map(FactValue::Text),
                    SchoolField::IsAcademy => {
                        Some(FactValue::Bool(f.governance == Governance::Academy))
                    }
                    SchoolField::IsMaintained => {
                        Some(FactValue::Bool(f.governance == Governance::Maintained))
                    }
                    SchoolField::HasSixthForm => {
                        Some(FactValue::Bool(f.sixth_form == SixthForm::Yes))
                    }
                    SchoolField::IsPru => Some(FactValue::Bool(f.is_pru)),
                    SchoolField::IsSpecial => Some(FactValue::Bool(f.is_special)),
                    SchoolField::OnCausingConcernList => {
                        Some(FactValue::Bool(f.on_causing_concern_list))
                    }
                    SchoolField::RecordedCategory => {
                        return match &f.recorded_category {
                            Some((c, p)) => {
                                Read::of(Some(FactValue::Concern(Some(c.clone()))), Some(p), None)
                            }
                            None => Read::of(Some(FactValue::Concern(None)), p, None),
                        };
                    }
                };
                Read::of(v, p, None)
            }
            FactKey::Head(field) => {
                let Some((d, p)) = &f.head_start_date else {
                    return Read::none();
                };
                let months = months_between(*d, f.as_of);
                let v = match field {
                    HeadField::StartDate => FactValue::Date(*d),
                    HeadField::MonthsInPost => FactValue::Number(f64::from(months)),
                    HeadField::IsNew => {
                        FactValue::Bool(months >= 0 && (months as u32) < self.new_head_months)
                    }
                };
                Read::of(Some(v), Some(p), Some(*d))
            }
            FactKey::InspectionMeta(field) => match field {
                MetaField::LastDate => match self.last_date {
                    Some((d, p)) => Read::of(Some(FactValue::Date(d)), Some(p), Some(d)),
                    None => Read::none(),
                },
                MetaField::MonthsSinceLast => match self.last_date {
                    Some((d, p)) => Read::of(
                        Some(FactValue::Number(f64::from(months_between(d, f.as_of)))),
                        Some(p),
                        Some(d),
                    ),
                    None => Read::none(),
                },
                MetaField::ExpectedSoon => {
                    if let Some((b, p)) = &f.inspection_expected {
                        return Read::of(Some(FactValue::Bool(*b)), Some(p), None);
                    }
                    match self.last_date {
                        Some((d, p)) => {
                            let months = months_between(d, f.as_of);
                            Read::of(
                                Some(FactValue::Bool(
                                    months >= 0 && months as u32 >= self.expected_after_months,
                                )),
                                Some(p),
                                Some(d),
                            )
                        }
                        None => Read::none(),
                    }
                }
            },
            FactKey::Slot(slot, field) => {
                let Some(i) = self.slot(slot) else {
                    return Read::none();
                };
                let date = inspection_date(&i.inspection);
                let v = match field {
                    SlotField::Format => Some(FactValue::Text(
                        match i.inspection {
                            Inspection::Graded(_) => "graded",
                            Inspection::Ungraded(_) => "ungraded",
                            Inspection::ReportCard(_) => "report_card",
                        }
                        .into(),
                    )),
                    SlotField::Date => date.map(FactValue::Date),
                    SlotField::CategoryOfConcern => match &i.inspection {
                        Inspection::Graded(g) => {
                            Some(FactValue::Concern(g.category_of_concern.clone()))
                        }
                        Inspection::ReportCard(r) => {
                            Some(FactValue::Concern(r.category_of_concern.clone()))
                        }
                        Inspection::Ungraded(_) => None,
                    },
                };
                Read::of(v, Some(&i.source), date)
            }
            FactKey::Oeif(slot, field) => {
                let Some((g, p)) = self.graded(slot) else {
                    return Read::none();
                };
                let grade = |o: Option<OeifGrade>| {
                    o.filter(|g| *g != OeifGrade::NotApplicable)
                        .map(FactValue::Grade)
                };
                let v = match field {
                    OeifField::Overall => grade(g.overall_effectiveness),
                    OeifField::QualityOfEducation => grade(g.quality_of_education),
                    OeifField::BehaviourAndAttitudes => grade(g.behaviour_and_attitudes),
                    OeifField::PersonalDevelopment => grade(g.personal_development),
                    OeifField::LeadershipAndManagement => grade(g.leadership_and_management),
                    OeifField::EarlyYears => grade(g.early_years),
                    OeifField::SixthForm => grade(g.sixth_form),
                    OeifField::LowestKeyJudgement => lowest_key_judgement(g).map(FactValue::Grade),
                    OeifField::SafeguardingEffective => {
                        g.safeguarding_effective.map(FactValue::Bool)
                    }
                };
                Read::of(v, Some(p), g.start_date.or(g.publication_date))
            }
            FactKey::ReportCard(slot, field) => {
                let Some((r, p)) = self.report_card(slot) else {
                    return Read::none();
                };
                let date = r.start_date.or(r.publication_date);
                let v = match field {
                    RcField::Area(a) => r
                        .areas
                        .iter()
                        .find(|x| x.area == a)
                        .map(|x| FactValue::ReportCardGrade(x.grade)),
                    RcField::Safeguarding => r.safeguarding.map(FactValue::Standard),
                    RcField::UrgentImprovementCount => Some(FactValue::Number(
                        r.areas
                            .iter()
                            .filter(|x| x.grade == ReportCardGrade::UrgentImprovement)
                            .count() as f64,
                    )),
                    RcField::UrgentImprovementOtherThanLg => Some(FactValue::Number(
                        r.areas
                            .iter()
                            .filter(|x| {
                                x.grade == ReportCardGrade::UrgentImprovement
                                    && x.area != ReportCardArea::LeadershipAndGovernance
                            })
                            .count() as f64,
                    )),
                    RcField::NeedsAttentionOrWorseCount => Some(FactValue::Number(
                        r.areas
                            .iter()
                            .filter(|x| report_card_rank(x.grade) >= 4)
                            .count() as f64,
                    )),
                    RcField::LowestGrade => r
                        .areas
                        .iter()
                        .map(|x| x.grade)
                        .max_by_key(|g| report_card_rank(*g))
                        .map(FactValue::ReportCardGrade),
                };
                Read::of(v, Some(p), date)
            }
            FactKey::Ungraded(field) => {
                let Some((u, p)) = self.last_ungraded else {
                    return Read::none();
                };
                let v = match field {
                    UngradedField::Date => u.date.map(FactValue::Date),
                    UngradedField::Outcome => Some(FactValue::Text(u.outcome.clone())),
                    UngradedField::StandardsMayHaveDeclined => Some(FactValue::Bool(
                        u.outcome.to_ascii_lowercase().contains("declin"),
                    )),
                };
                Read::of(v, Some(p), u.date)
            }
            FactKey::Measure(idx, field) => {
                let def = &MEASURES[idx];
                let Some(mf) = f.measures.get(def.id) else {
                    return Read::none();
                };
                let shortfall = |cmp: Option<f64>| {
                    let (v, c) = (mf.value?, cmp?);
                    Some(if def.higher_is_better { c - v } else { v - c })
                };
                let v = match field {
                    MeasureField::Value => mf.value,
                    MeasureField::National => mf.national,
                    MeasureField::StatisticalNeighbours => mf.statistical_neighbours,
                    MeasureField::La => mf.la,
                    MeasureField::Quartile => mf.quartile.map(f64::from),
                    MeasureField::ShortfallNational => shortfall(mf.national),
                    MeasureField::ShortfallNeighbours => shortfall(mf.statistical_neighbours),
                    MeasureField::ShortfallLa => shortfall(mf.la),
                };
                Read::of(
                    v.filter(|x| x.is_finite()).map(FactValue::Number),
                    Some(&mf.source),
                    None,
                )
            }
            FactKey::Intel(idx, field) => {
                let kind = INTELLIGENCE_KINDS[idx].0;
                let items: Vec<&IntelligenceItem> = f
                    .intelligence
                    .iter()
                    .filter(|i| i.kind == kind && i.date <= f.as_of)
                    .collect();
                let latest = items.iter().max_by_key(|i| i.date).copied();
                let v = match field {
                    IntelField::Count => FactValue::Number(items.len() as f64),
                    IntelField::Count12m => FactValue::Number(
                        items
                            .iter()
                            .filter(|i| months_between(i.date, f.as_of) < 12)
                            .count() as f64,
                    ),
                    IntelField::LatestDate => match latest {
                        Some(i) => FactValue::Date(i.date),
                        None => return Read::none(),
                    },
                };
                match latest {
                    Some(i) => Read::of(Some(v), Some(&i.source), Some(i.date)),
                    None => Read::of(Some(v), None, None),
                }
            }
            FactKey::WarningNotice => {
                let unmet = f
                    .warning_notices
                    .iter()
                    .find(|w| unmet_after_compliance(w, f.as_of));
                match unmet {
                    Some(w) => {
                        Read::of(Some(FactValue::Bool(true)), Some(&w.source), Some(w.given))
                    }
                    None => Read::of(Some(FactValue::Bool(false)), None, None),
                }
            }
            FactKey::Flag(kind) => match &self.flags {
                Some(flags) => {
                    let fl = flags.get(kind);
                    Read {
                        value: Some(FactValue::Bool(fl.effective())),
                        date: fl.evidence.first().and_then(|e| e.date),
                        source: Some(format!("derived flag: {}", fl.reason)),
                    }
                }
                None => Read::none(),
            },
        }
    }
}

/// The worst of the key judgements (quality of education, behaviour and
/// attitudes, personal development, leadership and management, and the
/// pre-2019 equivalents) of a graded inspection.
pub fn lowest_key_judgement(g: &GradedInspection) -> Option<OeifGrade> {
    [
        g.quality_of_education,
        g.behaviour_and_attitudes,
        g.personal_development,
        g.leadership_and_management,
        g.outcomes_for_pupils,
        g.quality_of_teaching,
        g.personal_development_behaviour_welfare,
    ]
    .into_iter()
    .flatten()
    .filter(|g| *g != OeifGrade::NotApplicable)
    .max_by_key(|g| g.number())
}

/// Whether a warning notice is unmet after its compliance period, with written
/// notice of proposed powers given (s59(2)/(3) of the 2006 Act).
pub fn unmet_after_compliance(w: &WarningNoticeFact, as_of: Date) -> bool {
    w.complied == Some(false)
        && as_of > w.compliance_period_ends
        && w.written_notice_of_proposed_powers
            .is_some_and(|d| d <= as_of && d >= w.given)
}

// ---------------------------------------------------------------------------
// Plain words
// ---------------------------------------------------------------------------

fn words(snake: &str) -> String {
    match snake {
        "post16" => "post-16".into(),
        "sixth_form" => "sixth form provision".into(),
        "early_years" => "early years provision".into(),
        other => other.replace('_', " "),
    }
}

/// What a fact is, in words an officer or a headteacher reads in a rationale
/// ("overall effectiveness at the latest graded inspection" rather than
/// `inspection.latest.oeif.overall`). Names the catalogue does not know are
/// returned as written.
pub fn describe_fact(name: &str) -> String {
    let Some(key) = FactKey::resolve(name) else {
        return name.to_owned();
    };
    let slot_words = |slot: Slot| match slot {
        Slot::Latest => "latest",
        Slot::Previous => "previous",
    };
    let tail = |name: &str| name.rsplit('.').next().unwrap_or(name).to_owned();
    match key {
        FactKey::School(f) => match f {
            SchoolField::Urn => "URN".into(),
            SchoolField::Name => "school name".into(),
            SchoolField::LaCode => "local authority code".into(),
            SchoolField::Phase => "phase of education".into(),
            SchoolField::Type => "type of establishment".into(),
            SchoolField::IsAcademy => "the school is an academy".into(),
            SchoolField::IsMaintained => "the school is maintained by the local authority".into(),
            SchoolField::HasSixthForm => "the school has a sixth form".into(),
            SchoolField::IsPru => "the school is a pupil referral unit".into(),
            SchoolField::IsSpecial => "the school is a special school".into(),
            SchoolField::OnCausingConcernList => "the school is on the causing-concern list".into(),
            SchoolField::RecordedCategory => "category of concern recorded by officers".into(),
        },
        FactKey::Head(HeadField::StartDate) => "the headteacher's start date".into(),
        FactKey::Head(HeadField::MonthsInPost) => "the headteacher's months in post".into(),
        FactKey::Head(HeadField::IsNew) => "the headteacher is in their first year in post".into(),
        FactKey::InspectionMeta(MetaField::LastDate) => "the date of the last inspection".into(),
        FactKey::InspectionMeta(MetaField::MonthsSinceLast) => {
            "months since the last inspection".into()
        }
        FactKey::InspectionMeta(MetaField::ExpectedSoon) => "an inspection is expected soon".into(),
        FactKey::Ungraded(UngradedField::Date) => "the date of the last ungraded inspection".into(),
        FactKey::Ungraded(UngradedField::Outcome) => {
            "the outcome of the last ungraded inspection".into()
        }
        FactKey::Ungraded(UngradedField::StandardsMayHaveDeclined) => {
            "the last ungraded inspection said standards may have declined".into()
        }
        FactKey::Slot(slot, SlotField::Format) => {
            format!("the format of the {} inspection", slot_words(slot))
        }
        FactKey::Slot(slot, SlotField::Date) => {
            format!("the date of the {} inspection", slot_words(slot))
        }
        FactKey::Slot(slot, SlotField::CategoryOfConcern) => {
            format!(
                "the category of concern at the {} inspection",
                slot_words(slot)
            )
        }
        FactKey::Oeif(slot, f) => {
            let what = match f {
                OeifField::Overall => "overall effectiveness".to_owned(),
                OeifField::LowestKeyJudgement => "the lowest key judgement".to_owned(),
                OeifField::SafeguardingEffective => "whether safeguarding was effective".to_owned(),
                _ => words(&tail(name)),
            };
            format!("{what} at the {} graded inspection", slot_words(slot))
        }
        FactKey::ReportCard(slot, f) => {
            let what = match f {
                RcField::Area(_) => format!("the '{}' grade", words(&tail(name))),
                RcField::Safeguarding => "the safeguarding standard".to_owned(),
                RcField::UrgentImprovementCount => {
                    "the number of areas graded urgent improvement".to_owned()
                }
                RcField::UrgentImprovementOtherThanLg => {
                    "the number of areas other than leadership and governance graded urgent improvement"
                        .to_owned()
                }
                RcField::NeedsAttentionOrWorseCount => {
                    "the number of areas graded needs attention or below".to_owned()
                }
                RcField::LowestGrade => "the lowest grade".to_owned(),
            };
            format!("{what} on the {} report card", slot_words(slot))
        }
        FactKey::Measure(idx, f) => {
            let label = MEASURES[idx].label;
            match f {
                MeasureField::Value => label.to_owned(),
                MeasureField::National => format!("{label}, national average"),
                MeasureField::StatisticalNeighbours => {
                    format!("{label}, statistical neighbours' average")
                }
                MeasureField::La => format!("{label}, local authority average"),
                MeasureField::Quartile => {
                    format!("{label}: the school's quarter in the authority (1 best, 4 weakest)")
                }
                MeasureField::ShortfallNational => {
                    format!("{label}: shortfall against the national average")
                }
                MeasureField::ShortfallNeighbours => {
                    format!("{label}: shortfall against statistical neighbours")
                }
                MeasureField::ShortfallLa => {
                    format!("{label}: shortfall against the local authority average")
                }
            }
        }
        FactKey::Intel(idx, f) => {
            let label = INTELLIGENCE_KINDS[idx].1;
            match f {
                IntelField::Count12m => {
                    format!("intelligence in the last 12 months about: {label}")
                }
                IntelField::Count => format!("intelligence recorded about: {label}"),
                IntelField::LatestDate => {
                    format!("the date of the latest intelligence about: {label}")
                }
            }
        }
        FactKey::WarningNotice => {
            "a warning notice was not complied with by the end of its compliance period".into()
        }
        FactKey::Flag(k) => format!("the school is flagged: {}", words(k.name())),
    }
}

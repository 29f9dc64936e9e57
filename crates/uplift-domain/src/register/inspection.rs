//! Ofsted inspections in their three formats. None is ever converted into another:
//! the four-point OEIF grades, ungraded inspections with a text outcome, and report
//! cards with a five-point grade per evaluation area.

use super::{Date, LaCode, Urn};
use serde::{Deserialize, Serialize};

/// A grade on the four-point scale of the Ofsted Education Inspection Framework (and its predecessors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OeifGrade {
    /// 1.
    Outstanding,
    /// 2.
    Good,
    /// 3.
    RequiresImprovement,
    /// 4.
    Inadequate,
    /// 9: not graded, or not applicable (no early years or sixth form).
    NotApplicable,
}

impl OeifGrade {
    /// Parses `1`-`4` or `9`, or the grade's name.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "1" | "outstanding" => Some(Self::Outstanding),
            "2" | "good" => Some(Self::Good),
            "3" | "requires improvement" | "satisfactory" => Some(Self::RequiresImprovement),
            "4" | "inadequate" => Some(Self::Inadequate),
            "9" | "not applicable" | "n/a" => Some(Self::NotApplicable),
            _ => None,
        }
    }

    /// The published number (9 for not applicable).
    pub fn number(self) -> u8 {
        match self {
            Self::Outstanding => 1,
            Self::Good => 2,
            Self::RequiresImprovement => 3,
            Self::Inadequate => 4,
            Self::NotApplicable => 9,
        }
    }
}

/// A category of concern recorded by an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CategoryOfConcern {
    /// Serious weaknesses (4a, "SWK").
    SeriousWeaknesses,
    /// Special measures (4b, "SM").
    SpecialMeasures,
    /// Requires significant improvement (report-card framework).
    RequiresSignificantImprovement,
    /// Any other published wording.
    Other(String),
}

impl CategoryOfConcern {
    /// Parses a published category; empty text means none was recorded.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "" | "null" | "none" | "not applicable" => None,
            "swk" | "4a" | "serious weaknesses" => Some(Self::SeriousWeaknesses),
            "sm" | "4b" | "special measures" => Some(Self::SpecialMeasures),
            "rsi" | "requires significant improvement" => {
                Some(Self::RequiresSignificantImprovement)
            }
            _ => Some(Self::Other(t.to_owned())),
        }
    }
}

/// The five-point report-card scale (from 10 November 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportCardGrade {
    /// Exceptional.
    Exceptional,
    /// Strong standard.
    StrongStandard,
    /// Expected standard.
    ExpectedStandard,
    /// Needs attention.
    NeedsAttention,
    /// Urgent improvement.
    UrgentImprovement,
}

impl ReportCardGrade {
    /// Parses the published wording (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "exceptional" => Some(Self::Exceptional),
            "strong standard" => Some(Self::StrongStandard),
            "expected standard" => Some(Self::ExpectedStandard),
            "needs attention" => Some(Self::NeedsAttention),
            "urgent improvement" => Some(Self::UrgentImprovement),
            _ => None,
        }
    }
}

/// Safeguarding standards under report cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SafeguardingStandard {
    /// Met.
    Met,
    /// Not met.
    NotMet,
}

impl SafeguardingStandard {
    /// Parses "Met" / "Not met".
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "met" => Some(Self::Met),
            "not met" => Some(Self::NotMet),
            _ => None,
        }
    }
}

/// The evaluation areas of a report card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportCardArea {
    /// Inclusion.
    Inclusion,
    /// Curriculum and teaching.
    CurriculumAndTeaching,
    /// Achievement.
    Achievement,
    /// Attendance and behaviour.
    AttendanceAndBehaviour,
    /// Personal development and well-being.
    PersonalDevelopmentAndWellbeing,
    /// Leadership and governance.
    LeadershipAndGovernance,
    /// Early years (where applicable).
    EarlyYears,
    /// Post-16 / sixth form (where applicable).
    Post16,
}

/// One area's grade with the date it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCardAreaGrade {
    /// The area.
    pub area: ReportCardArea,
    /// The grade.
    pub grade: ReportCardGrade,
    /// The date of the grade.
    pub date: Option<Date>,
}

/// A report-card inspection (renewed framework, from November 2025).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCardInspection {
    /// Inspection number.
    pub inspection_number: Option<String>,
    /// Inspection type, e.g. "S5 Inspection".
    pub inspection_type: Option<String>,
    /// Start date.
    pub start_date: Option<Date>,
    /// Publication date.
    pub publication_date: Option<Date>,
    /// URN at the time, when different from the current URN.
    pub urn_at_time: Option<Urn>,
    /// Category of concern recorded by the inspection.
    pub category_of_concern: Option<CategoryOfConcern>,
    /// Safeguarding standards met or not met.
    pub safeguarding: Option<SafeguardingStandard>,
    /// Date of the safeguarding judgement.
    pub safeguarding_date: Option<Date>,
    /// The graded areas (areas that do not apply are absent).
    pub areas: Vec<ReportCardAreaGrade>,
}

/// A graded inspection on the four-point scale (OEIF from 2019, or the common inspection
/// framework before it). From 2 September 2024 there is no overall effectiveness grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradedInspection {
    /// Inspection number.
    pub inspection_number: Option<String>,
    /// Inspection type.
    pub inspection_type: Option<String>,
    /// Start date.
    pub start_date: Option<Date>,
    /// Publication date.
    pub publication_date: Option<Date>,
    /// URN at the time.
    pub urn_at_time: Option<Urn>,
    /// Category of concern (4a serious weaknesses, 4b special measures).
    pub category_of_concern: Option<CategoryOfConcern>,
    /// Overall effectiveness, when the inspection gave one.
    pub overall_effectiveness: Option<OeifGrade>,
    /// Quality of education (OEIF).
    pub quality_of_education: Option<OeifGrade>,
    /// Behaviour and attitudes (OEIF).
    pub behaviour_and_attitudes: Option<OeifGrade>,
    /// Personal development (OEIF).
    pub personal_development: Option<OeifGrade>,
    /// Effectiveness of leadership and management.
    pub leadership_and_management: Option<OeifGrade>,
    /// Safeguarding is effective?
    pub safeguarding_effective: Option<bool>,
    /// Early years provision (9 when none).
    pub early_years: Option<OeifGrade>,
    /// Sixth form provision (9 when none).
    pub sixth_form: Option<OeifGrade>,
    /// Outcomes for pupils (pre-2019 framework).
    pub outcomes_for_pupils: Option<OeifGrade>,
    /// Quality of teaching, learning and assessment (pre-2019 framework).
    pub quality_of_teaching: Option<OeifGrade>,
    /// Personal development, behaviour and welfare (pre-2019 framework).
    pub personal_development_behaviour_welfare: Option<OeifGrade>,
}

/// An ungraded inspection with its text outcome, e.g. "School remains Good".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UngradedInspection {
    /// Inspection number.
    pub inspection_number: Option<String>,
    /// Date of the inspection.
    pub date: Option<Date>,
    /// Publication date.
    pub publication_date: Option<Date>,
    /// URN at the time.
    pub urn_at_time: Option<Urn>,
    /// The outcome as published.
    pub outcome: String,
}

/// An inspection in one of the three formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Inspection {
    /// Four-point graded inspection.
    Graded(GradedInspection),
    /// Ungraded inspection.
    Ungraded(UngradedInspection),
    /// Report-card inspection.
    ReportCard(ReportCardInspection),
}

/// One school's row of Ofsted's "latest inspections" management information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfstedRecord {
    /// Current URN.
    pub urn: Urn,
    /// LA code (from the LAESTAB), when the LAESTAB is well formed.
    pub la_code: Option<LaCode>,
    /// LAESTAB as published.
    pub laestab: Option<String>,
    /// Local authority name.
    pub la_name: Option<String>,
    /// School name.
    pub school_name: Option<String>,
    /// Ofsted phase.
    pub phase: Option<String>,
    /// Type of education.
    pub type_of_education: Option<String>,
    /// Multi-academy trust name.
    pub trust: Option<String>,
    /// Total number of pupils.
    pub number_of_pupils: Option<u32>,
    /// Most recent category of concern across inspections (2026 layout).
    pub most_recent_category_of_concern: Option<CategoryOfConcern>,
    /// The latest inspections, each in its own format (at most one of each).
    pub inspections: Vec<Inspection>,
}

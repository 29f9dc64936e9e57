//! Published performance and census data: measure values with typed "not available"
//! markers, the legacy `RECTYPE` levels, and the DfE school-level census record.

use super::{LaCode, Urn};
use serde::{Deserialize, Serialize};

/// Why a published value is not available.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Marker {
    /// `SUPP`: suppressed (small numbers).
    Suppressed,
    /// `NE`: no entries.
    NoEntries,
    /// `NA`: not applicable.
    NotApplicable,
    /// `NP`: not published.
    NotPublished,
    /// `LOWCOV`: low coverage.
    LowCoverage,
    /// `NEW`: new school, no data yet.
    NewSchool,
    /// EES `z`: not applicable.
    EesNotApplicable,
    /// EES `c`: confidential (suppressed).
    EesConfidential,
    /// EES `x`: not available.
    EesNotAvailable,
    /// EES `u`: low reliability.
    EesLowReliability,
    /// EES `low`: rounds to zero but is not zero.
    EesLow,
    /// Another marker, kept as published.
    Other(String),
}

impl Marker {
    /// Recognises a marker, or returns `None` when the text is not one.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim() {
            "SUPP" => Self::Suppressed,
            "NE" => Self::NoEntries,
            "NA" => Self::NotApplicable,
            "NP" => Self::NotPublished,
            "LOWCOV" => Self::LowCoverage,
            "NEW" => Self::NewSchool,
            "z" => Self::EesNotApplicable,
            "c" => Self::EesConfidential,
            "x" => Self::EesNotAvailable,
            "u" => Self::EesLowReliability,
            "low" => Self::EesLow,
            "DNS" | "NEW-" | "NR" | "SP" | "RE" | "LA" => Self::Other(text.trim().to_owned()),
            _ => return None,
        })
    }
}

/// A published value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MeasureValue {
    /// A plain number, e.g. `28.4` or `-2.98`.
    Number(f64),
    /// A percentage written with a `%` sign, e.g. `94%` (stored as 94.0).
    Percent(f64),
    /// Not available, with the published reason.
    NotAvailable(Marker),
    /// Other text, e.g. an average level `4A` or a banding.
    Text(String),
    /// The field was empty.
    Missing,
}

impl MeasureValue {
    /// Classifies a published field.
    pub fn parse(text: &str) -> Self {
        let t = text.trim();
        if t.is_empty() {
            return Self::Missing;
        }
        if let Some(m) = Marker::parse(t) {
            return Self::NotAvailable(m);
        }
        if let Some(p) = t.strip_suffix('%') {
            if let Some(n) = parse_number(p) {
                return Self::Percent(n);
            }
        }
        if let Some(n) = parse_number(t) {
            return Self::Number(n);
        }
        Self::Text(t.to_owned())
    }

    /// The numeric value of a number or percentage.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) | Self::Percent(n) => Some(*n),
            _ => None,
        }
    }
}

fn parse_number(t: &str) -> Option<f64> {
    let t = t.trim();
    // Only plain decimal notation: no "inf", "NaN" or exponents.
    let body = t.strip_prefix('-').unwrap_or(t);
    if body.is_empty()
        || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || body.bytes().filter(|&b| b == b'.').count() > 1
        || body == "."
    {
        return None;
    }
    t.parse::<f64>().ok()
}

/// One named measure of a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// The published column name, e.g. `PTREADAT` or `avg_ks2_scaledscore`.
    pub name: String,
    /// The value.
    pub value: MeasureValue,
}

/// Which level a performance row describes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    /// A school (legacy RECTYPE 1 mainstream or 2 special; EES `School`).
    School,
    /// A local-authority total (legacy RECTYPE 3 in KS2, 4 or `LA` in KS4; EES `Local authority`).
    Authority,
    /// A national total (legacy RECTYPE 4/5 in KS2, 5/7/`NAT` in KS4; EES `National`).
    National,
    /// Something else, kept as published.
    Other(String),
}

/// A row of a performance table (KS2 or KS4, legacy or Explore Education Statistics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceRecord {
    /// The file the row came from (base name), so every figure can be traced.
    pub source_file: String,
    /// `"KS2"` or `"KS4"`.
    pub key_stage: String,
    /// Which layout, e.g. `"england_ks4provisional"`, `"england_ks4-pupdest"`, `"ees_ks4_school_info"`.
    pub layout: String,
    /// The year or time period when the file says (EES `time_period`, e.g. `"202324"`); legacy files do not.
    pub time_period: Option<String>,
    /// School, authority or national.
    pub level: Level,
    /// The published level code (`RECTYPE` or `geographic_level`), kept as published.
    pub level_code: String,
    /// The school's URN (school rows).
    pub urn: Option<Urn>,
    /// The LA code, where the file carries one. The KS2 column subset has none: join on URN.
    pub la_code: Option<LaCode>,
    /// Establishment number, where published.
    pub estab: Option<u32>,
    /// School or area name, where published.
    pub name: Option<String>,
    /// For the KS2 file without an LA column: the number of LA-total rows that precede this
    /// row. The legacy file lists each authority's schools followed by that authority's total,
    /// so every school row and the LA-total row that closes its block share this number; the
    /// caller names the block's LA by joining the school rows' URNs to the register.
    pub la_block: Option<u32>,
    /// Every other column, by published name.
    pub measures: Vec<Measure>,
}

/// A row of the DfE "Schools, pupils and their characteristics" school-level file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpcRecord {
    /// Time period, e.g. `"202223"`.
    pub time_period: String,
    /// URN.
    pub urn: Urn,
    /// Old three-digit LA code.
    pub la_code: LaCode,
    /// New nine-character LA code (GSS), e.g. `E09000007`.
    pub new_la_code: Option<String>,
    /// LA name.
    pub la_name: Option<String>,
    /// Establishment number.
    pub estab: Option<u32>,
    /// School name.
    pub school_name: String,
    /// Phase-type grouping, e.g. "State-funded primary".
    pub phase_type_grouping: Option<String>,
    /// Type of establishment.
    pub type_of_establishment: Option<String>,
    /// Trust name, if any.
    pub trust: Option<String>,
    /// Academy flag as published ("LA Maintained", "Academy", "Independent").
    pub academy_flag: Option<String>,
    /// Denomination.
    pub denomination: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Headcount of pupils.
    pub headcount: MeasureValue,
    /// FTE pupils.
    pub fte: MeasureValue,
    /// % of pupils known to be eligible for free school meals.
    pub fsm_percent: MeasureValue,
    /// % of pupils known to be eligible for FSM (performance-tables basis).
    pub fsm_percent_performance_tables: MeasureValue,
    /// % of pupils whose first language is other than English.
    pub eal_percent: MeasureValue,
    /// Pupils with an EHC plan, where the file has the column (the 2022/23 file in
    /// shared/data does not: SEN comes from the census file).
    pub sen_ehc_plan: Option<MeasureValue>,
    /// Pupils on SEN support, where the file has the column.
    pub sen_support: Option<MeasureValue>,
}

/// A row of the legacy performance-tables census file (pupil characteristics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CensusRecord {
    /// School or national.
    pub level: Level,
    /// URN (school rows).
    pub urn: Option<Urn>,
    /// LA code (school rows).
    pub la_code: Option<LaCode>,
    /// Establishment number (school rows).
    pub estab: Option<u32>,
    /// School type, e.g. "State-funded primary".
    pub school_type: Option<String>,
    /// Number on roll (`NOR`).
    pub number_on_roll: MeasureValue,
    /// % of pupils with an EHC plan or statement (`PSENELSE`).
    pub sen_ehc_plan_percent: MeasureValue,
    /// % of pupils on SEN support (`PSENELK`).
    pub sen_support_percent: MeasureValue,
    /// % of pupils with English as an additional language (`PNUMEAL`).
    pub eal_percent: MeasureValue,
    /// % of pupils eligible for FSM at any time in the last six years (`PNUMFSMEVER`).
    pub fsm_ever_percent: MeasureValue,
    /// Every column other than URN, LA, ESTAB and SCHOOLTYPE, by published name.
    pub measures: Vec<Measure>,
}

/// A row of the legacy performance-tables absence file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbsenceRecord {
    /// School or national.
    pub level: Level,
    /// URN (school rows).
    pub urn: Option<Urn>,
    /// LA code (school rows).
    pub la_code: Option<LaCode>,
    /// Establishment number (school rows), or the phase code (`PRI`, `SEC`, `SPE`) on national rows.
    pub estab: Option<String>,
    /// Overall absence, % of sessions (`PERCTOT`).
    pub overall_absence_percent: MeasureValue,
    /// Persistent absentees, % of pupils missing 10% or more (`PPERSABS10`).
    pub persistent_absence_percent: MeasureValue,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_values() {
        assert_eq!(MeasureValue::parse("94%"), MeasureValue::Percent(94.0));
        assert_eq!(MeasureValue::parse("-2.98"), MeasureValue::Number(-2.98));
        assert_eq!(
            MeasureValue::parse("SUPP"),
            MeasureValue::NotAvailable(Marker::Suppressed)
        );
        assert_eq!(
            MeasureValue::parse("z"),
            MeasureValue::NotAvailable(Marker::EesNotApplicable)
        );
        assert_eq!(MeasureValue::parse("4A"), MeasureValue::Text("4A".into()));
        assert_eq!(MeasureValue::parse(""), MeasureValue::Missing);
        assert_eq!(MeasureValue::parse("inf"), MeasureValue::Text("inf".into()));
        assert_eq!(MeasureValue::parse("1e5"), MeasureValue::Text("1e5".into()));
    }
}

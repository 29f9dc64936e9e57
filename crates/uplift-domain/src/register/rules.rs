//! Register rules the store applies on import, kept pure so they can be tested
//! densely: change detection field by field, who the headteacher is, quartiles
//! within an authority, and the canonical text of published values.

use super::{
    EstablishmentStatus, Governance, LinkType, Marker, MeasureValue, OeifGrade, ReportCardArea,
    ReportCardGrade, SixthForm,
};

/// One field whose value differs between the stored record and a newer file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field (column) name.
    pub field: String,
    /// The value before, as text (`None` when it was empty).
    pub old: Option<String>,
    /// The value after, as text.
    pub new: Option<String>,
}

/// Compares two records given as `(field, value as text)` lists in the same order and
/// returns the fields that differ. Fields missing from `new` are not compared.
pub fn diff_fields(
    old: &[(&str, Option<String>)],
    new: &[(&str, Option<String>)],
) -> Vec<FieldChange> {
    new.iter()
        .filter_map(|(field, n)| {
            let o = old
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, v)| v.clone())?;
            (o != *n).then(|| FieldChange {
                field: (*field).to_owned(),
                old: o,
                new: n.clone(),
            })
        })
        .collect()
}

/// The headteacher's name as shown: title, first and last name joined with single
/// spaces (GIAS sometimes puts the whole name in one field). `None` when all are empty.
pub fn head_name(title: Option<&str>, first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [title, first, last]
        .into_iter()
        .flatten()
        .flat_map(str::split_whitespace)
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// True when a newer record names a different headteacher: both names are known and
/// differ once title, case and spacing are ignored. A head appearing where none was
/// recorded, or disappearing, is not a change of headteacher.
pub fn is_new_head(old: (Option<&str>, Option<&str>), new: (Option<&str>, Option<&str>)) -> bool {
    let key = |(first, last): (Option<&str>, Option<&str>)| {
        head_name(None, first, last).map(|n| n.to_lowercase())
    };
    match (key(old), key(new)) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}

/// Quartile of each value within its group: 1 for the lowest quarter of values, 4 for
/// the highest. With the values sorted ascending, a value whose first position (0-based,
/// so ties share the position of the first of them) is `r` among `n` values is in
/// quartile `4r / n + 1` (integer division). The store computes the same formula in
/// SQL (`RANK()` window) over every authority, measure and time period.
pub fn quartiles(values: &[f64]) -> Vec<u8> {
    let n = values.len();
    values
        .iter()
        .map(|v| {
            let rank = values.iter().filter(|w| *w < v).count();
            quartile_of_rank(rank, n)
        })
        .collect()
}

/// `4 * rank / n + 1` for a 0-based rank among `n` values (see [`quartiles`]).
pub fn quartile_of_rank(rank: usize, n: usize) -> u8 {
    if n == 0 {
        return 0;
    }
    (4 * rank.min(n - 1) / n + 1) as u8
}

/// The phase of education implied by the census file's `phase_type_grouping`, where it
/// names one ("State-funded primary" is "Primary"); `None` for special, alternative
/// provision and independent schools, whose phase the file does not say.
pub fn phase_from_spc_grouping(grouping: &str) -> Option<&'static str> {
    let g = grouping.to_ascii_lowercase();
    if g.contains("primary") {
        Some("Primary")
    } else if g.contains("secondary") {
        Some("Secondary")
    } else if g.contains("nursery") {
        Some("Nursery")
    } else {
        None
    }
}

/// Governance from the census file's academy flag ("LA Maintained", "Academy", "Independent").
pub fn governance_from_academy_flag(flag: &str) -> Governance {
    let f = flag.to_ascii_lowercase();
    if f.contains("academy") || f.contains("free school") {
        Governance::Academy
    } else if f.contains("maintained") && !f.contains("non-maintained") {
        Governance::Maintained
    } else if f.contains("independent") || f.contains("non-maintained") {
        Governance::Independent
    } else {
        Governance::Other
    }
}

/// Stored text of a governance value.
pub fn governance_name(g: Governance) -> &'static str {
    match g {
        Governance::Maintained => "maintained",
        Governance::Academy => "academy",
        Governance::Independent => "independent",
        Governance::Other => "other",
    }
}

/// The published wording of an establishment status.
pub fn status_name(s: &EstablishmentStatus) -> String {
    match s {
        EstablishmentStatus::Open => "Open".into(),
        EstablishmentStatus::OpenProposedToClose => "Open, but proposed to close".into(),
        EstablishmentStatus::Closed => "Closed".into(),
        EstablishmentStatus::ProposedToOpen => "Proposed to open".into(),
        EstablishmentStatus::Other(t) => t.clone(),
    }
}

/// Stored text of the sixth-form flag.
pub fn sixth_form_name(s: SixthForm) -> &'static str {
    match s {
        SixthForm::Yes => "yes",
        SixthForm::No => "no",
        SixthForm::Unknown => "unknown",
    }
}

/// The published wording of a link type.
pub fn link_type_name(t: &LinkType) -> String {
    match t {
        LinkType::Predecessor => "Predecessor".into(),
        LinkType::Successor => "Successor".into(),
        LinkType::PredecessorMerged => "Predecessor - merged".into(),
        LinkType::SuccessorMerged => "Successor - merged".into(),
        LinkType::PredecessorAmalgamated => "Predecessor - amalgamated".into(),
        LinkType::SuccessorAmalgamated => "Successor - amalgamated".into(),
        LinkType::ResultOfAmalgamation => "Result of Amalgamation".into(),
        LinkType::PredecessorSplit => "Predecessor - Split School".into(),
        LinkType::SuccessorSplit => "Successor - Split School".into(),
        LinkType::SixthFormCentreSchool => "Sixth Form Centre School".into(),
        LinkType::SixthFormCentreLink => "Sixth Form Centre Link".into(),
        LinkType::Other(t) => t.clone(),
    }
}

/// The published code of a "not available" marker (`SUPP`, `NE`, `z`, ...).
pub fn marker_code(m: &Marker) -> String {
    match m {
        Marker::Suppressed => "SUPP".into(),
        Marker::NoEntries => "NE".into(),
        Marker::NotApplicable => "NA".into(),
        Marker::NotPublished => "NP".into(),
        Marker::LowCoverage => "LOWCOV".into(),
        Marker::NewSchool => "NEW".into(),
        Marker::EesNotApplicable => "z".into(),
        Marker::EesConfidential => "c".into(),
        Marker::EesNotAvailable => "x".into(),
        Marker::EesLowReliability => "u".into(),
        Marker::EesLow => "low".into(),
        Marker::Other(t) => t.clone(),
    }
}

/// A published value split for storage: number (if any), kind (`number`, `percent`,
/// `marker`, `text` or `missing`) and text (the marker code or the text).
pub fn measure_parts(v: &MeasureValue) -> (Option<f64>, &'static str, Option<String>) {
    match v {
        MeasureValue::Number(n) => (Some(*n), "number", None),
        MeasureValue::Percent(n) => (Some(*n), "percent", None),
        MeasureValue::NotAvailable(m) => (None, "marker", Some(marker_code(m))),
        MeasureValue::Text(t) => (None, "text", Some(t.clone())),
        MeasureValue::Missing => (None, "missing", None),
    }
}

/// The published wording of a report-card grade.
pub fn report_card_grade_name(g: ReportCardGrade) -> &'static str {
    match g {
        ReportCardGrade::Exceptional => "Exceptional",
        ReportCardGrade::StrongStandard => "Strong standard",
        ReportCardGrade::ExpectedStandard => "Expected standard",
        ReportCardGrade::NeedsAttention => "Needs attention",
        ReportCardGrade::UrgentImprovement => "Urgent improvement",
    }
}

/// The stored column of a report-card area.
pub fn report_card_area_column(a: ReportCardArea) -> &'static str {
    match a {
        ReportCardArea::Inclusion => "inclusion",
        ReportCardArea::CurriculumAndTeaching => "curriculum_and_teaching",
        ReportCardArea::Achievement => "achievement",
        ReportCardArea::AttendanceAndBehaviour => "attendance_and_behaviour",
        ReportCardArea::PersonalDevelopmentAndWellbeing => "personal_development_and_wellbeing",
        ReportCardArea::LeadershipAndGovernance => "leadership_and_governance",
        ReportCardArea::EarlyYears => "early_years",
        ReportCardArea::Post16 => "post_16",
    }
}

/// Every report-card area, in the order screens show them.
pub const REPORT_CARD_AREAS: [ReportCardArea; 8] = [
    ReportCardArea::Inclusion,
    ReportCardArea::CurriculumAndTeaching,
    ReportCardArea::Achievement,
    ReportCardArea::AttendanceAndBehaviour,
    ReportCardArea::PersonalDevelopmentAndWellbeing,
    ReportCardArea::LeadershipAndGovernance,
    ReportCardArea::EarlyYears,
    ReportCardArea::Post16,
];

/// The stored number of a four-point grade (9 for not applicable).
pub fn oeif_number(g: Option<OeifGrade>) -> Option<i64> {
    g.map(|g| i64::from(g.number()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_by_hand() {
        // Sorted: 1 2 3 4 5 6 7 8 -> ranks 0..7, n = 8 -> 4r/8+1: 1 1 2 2 3 3 4 4
        assert_eq!(
            quartiles(&[5.0, 1.0, 8.0, 2.0, 7.0, 3.0, 6.0, 4.0]),
            vec![3, 1, 4, 1, 4, 2, 3, 2]
        );
        // Ties share the first position: 10 10 20 30 (n=4) -> ranks 0 0 2 3.
        assert_eq!(quartiles(&[10.0, 20.0, 10.0, 30.0]), vec![1, 3, 1, 4]);
        assert_eq!(quartiles(&[42.0]), vec![1]);
        assert!(quartiles(&[]).is_empty());
        // Five values: ranks 0..4 -> 1 1 2 3 4
        assert_eq!(quartiles(&[1.0, 2.0, 3.0, 4.0, 5.0]), vec![1, 1, 2, 3, 4]);
    }

    #[test]
    fn quartile_is_always_one_to_four() {
        for n in 1..50 {
            for r in 0..n {
                let q = quartile_of_rank(r, n);
                assert!((1..=4).contains(&q), "{r}/{n} -> {q}");
            }
        }
    }

    #[test]
    fn diffs_only_the_fields_that_changed() {
        let old = [
            ("name", Some("A".to_owned())),
            ("phase", None),
            ("town", Some("X".into())),
        ];
        let new = [
            ("name", Some("A".to_owned())),
            ("phase", Some("Primary".into())),
        ];
        assert_eq!(
            diff_fields(&old, &new),
            vec![FieldChange {
                field: "phase".into(),
                old: None,
                new: Some("Primary".into())
            }]
        );
        assert!(diff_fields(&old, &old).is_empty());
    }

    #[test]
    fn new_head_ignores_case_spacing_and_gaps() {
        assert!(is_new_head(
            (Some("Ann"), Some("Lee")),
            (Some("Bob"), Some("Lee"))
        ));
        assert!(!is_new_head(
            (Some("Ann"), Some("Lee")),
            (Some("ann "), Some(" LEE"))
        ));
        assert!(!is_new_head((None, None), (Some("Bob"), Some("Lee"))));
        assert!(!is_new_head((Some("Ann"), Some("Lee")), (None, None)));
        assert_eq!(
            head_name(Some("Ms"), Some("Sally  Hill"), None).as_deref(),
            Some("Ms Sally Hill")
        );
    }

    #[test]
    fn census_groupings() {
        assert_eq!(
            phase_from_spc_grouping("State-funded primary"),
            Some("Primary")
        );
        assert_eq!(phase_from_spc_grouping("State-funded AP school"), None);
        assert_eq!(
            governance_from_academy_flag("LA Maintained"),
            Governance::Maintained
        );
        assert_eq!(governance_from_academy_flag("Academy"), Governance::Academy);
        assert_eq!(
            governance_from_academy_flag("Independent"),
            Governance::Independent
        );
    }

    #[test]
    fn measure_parts_keep_markers() {
        assert_eq!(
            measure_parts(&MeasureValue::parse("SUPP")),
            (None, "marker", Some("SUPP".into()))
        );
        assert_eq!(
            measure_parts(&MeasureValue::parse("94%")),
            (Some(94.0), "percent", None)
        );
        for code in [
            "SUPP", "NE", "NA", "NP", "LOWCOV", "NEW", "z", "c", "x", "u", "low",
        ] {
            let m = Marker::parse(code).unwrap();
            assert_eq!(marker_code(&m), code);
        }
    }

    #[test]
    fn link_type_names_round_trip() {
        for name in [
            "Predecessor",
            "Successor",
            "Predecessor - merged",
            "Successor - amalgamated",
            "Result of Amalgamation",
            "Predecessor - Split School",
            "Sixth Form Centre Link",
        ] {
            assert_eq!(link_type_name(&LinkType::from_name(name)), name);
        }
    }
}

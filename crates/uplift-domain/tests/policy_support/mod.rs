//! Builders for policy tests: plainly invented schools.
#![allow(dead_code)]

use uplift_domain::policy::{
    InspectionFact, IntelligenceItem, MeasureFact, Provenance, SchoolFacts,
};
use uplift_domain::register::{
    CategoryOfConcern, Date, Governance, GradedInspection, Inspection, OeifGrade, ReportCardArea,
    ReportCardAreaGrade, ReportCardGrade, ReportCardInspection, SafeguardingStandard, Urn,
};

pub fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

pub fn src(name: &str) -> Provenance {
    Provenance::new(name, Some(d("2026-06-01")))
}

pub fn school(urn: u32) -> SchoolFacts {
    let mut f = SchoolFacts::new(
        Urn::new(urn).expect("urn"),
        format!("Invented School {urn}"),
        d("2026-09-01"),
    );
    f.phase = Some("Primary".into());
    f.school_source = src("gias_test.csv");
    f
}

pub fn academy(urn: u32) -> SchoolFacts {
    let mut f = school(urn);
    f.governance = Governance::Academy;
    f
}

pub fn graded(date: &str, overall: Option<OeifGrade>) -> GradedInspection {
    GradedInspection {
        inspection_number: None,
        inspection_type: Some("S5 Inspection".into()),
        start_date: Some(d(date)),
        publication_date: None,
        urn_at_time: None,
        category_of_concern: None,
        overall_effectiveness: overall,
        quality_of_education: overall,
        behaviour_and_attitudes: overall,
        personal_development: overall,
        leadership_and_management: overall,
        safeguarding_effective: Some(true),
        early_years: None,
        sixth_form: None,
        outcomes_for_pupils: None,
        quality_of_teaching: None,
        personal_development_behaviour_welfare: None,
    }
}

pub fn with_graded(mut f: SchoolFacts, g: GradedInspection) -> SchoolFacts {
    f.inspections.push(InspectionFact {
        inspection: Inspection::Graded(g),
        source: src("ofsted_mi_test.csv"),
    });
    f
}

pub fn grade(f: SchoolFacts, date: &str, g: OeifGrade) -> SchoolFacts {
    with_graded(f, graded(date, Some(g)))
}

pub fn concern(f: SchoolFacts, date: &str, c: CategoryOfConcern) -> SchoolFacts {
    let mut g = graded(date, Some(OeifGrade::Inadequate));
    g.category_of_concern = Some(c);
    with_graded(f, g)
}

pub const ALL_AREAS: [ReportCardArea; 6] = [
    ReportCardArea::Inclusion,
    ReportCardArea::CurriculumAndTeaching,
    ReportCardArea::Achievement,
    ReportCardArea::AttendanceAndBehaviour,
    ReportCardArea::PersonalDevelopmentAndWellbeing,
    ReportCardArea::LeadershipAndGovernance,
];

/// A report card with every area at `base` except the listed ones.
pub fn report_card(
    date: &str,
    base: ReportCardGrade,
    except: &[(ReportCardArea, ReportCardGrade)],
    safeguarding: SafeguardingStandard,
) -> ReportCardInspection {
    ReportCardInspection {
        inspection_number: None,
        inspection_type: Some("S5 Inspection".into()),
        start_date: Some(d(date)),
        publication_date: None,
        urn_at_time: None,
        category_of_concern: None,
        safeguarding: Some(safeguarding),
        safeguarding_date: Some(d(date)),
        areas: ALL_AREAS
            .iter()
            .map(|a| ReportCardAreaGrade {
                area: *a,
                grade: except
                    .iter()
                    .find(|(x, _)| x == a)
                    .map_or(base, |(_, g)| *g),
                date: Some(d(date)),
            })
            .collect(),
    }
}

pub fn with_rc(mut f: SchoolFacts, r: ReportCardInspection) -> SchoolFacts {
    f.inspections.push(InspectionFact {
        inspection: Inspection::ReportCard(r),
        source: src("ofsted_report_cards_test.csv"),
    });
    f
}

pub fn intel(mut f: SchoolFacts, kind: &str, date: &str) -> SchoolFacts {
    f.intelligence.push(IntelligenceItem {
        kind: kind.into(),
        date: d(date),
        summary: Some(format!("invented {kind}")),
        source: src("intelligence #1"),
    });
    f
}

pub fn measure(
    mut f: SchoolFacts,
    id: &str,
    value: f64,
    national: f64,
    quartile: u8,
) -> SchoolFacts {
    f.measures.insert(
        id.into(),
        MeasureFact {
            value: Some(value),
            national: Some(national),
            statistical_neighbours: None,
            la: None,
            quartile: Some(quartile),
            year: Some("2024/25".into()),
            source: src("ks_test.csv"),
        },
    );
    f
}

pub const PRESET_NAMES: [&str; 4] = [
    "la-differentiated",
    "side-by-side",
    "priority-schools",
    "trust",
];

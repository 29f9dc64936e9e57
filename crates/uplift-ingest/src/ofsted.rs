//! KIND `ofsted`: Ofsted management information, "state-funded schools – latest inspections".
//!
//! Two families of layout are recognised:
//! - the 2026 report-card layout (85 unquoted columns, `NULL`, `dd/mm/yyyy`): the latest
//!   renewed-framework inspection (report card), the latest OEIF graded inspection and the
//!   latest ungraded inspection, each kept in its own format;
//! - older layouts with an `Overall effectiveness` column (OEIF 2019–2024 and the common
//!   inspection framework before it). Their headers varied from release to release, so each
//!   field is looked up under several known names, case- and space-insensitively, and any
//!   column that is absent simply leaves its field empty.

use crate::error::{IngestError, Problem, Reason};
use crate::gias::{opt_urn, urn};
use crate::reader::{Col, Header, Layout, Parse, Reader, Row};
use std::io::{Read, Seek};
use uplift_domain::register::{
    CategoryOfConcern, GradedInspection, Inspection, LaCode, OeifGrade, OfstedRecord,
    ReportCardArea, ReportCardAreaGrade, ReportCardGrade, ReportCardInspection,
    SafeguardingStandard, UngradedInspection,
};

/// Layouts of `ofsted`.
pub const LAYOUTS: &[Layout] = &[
    Layout {
        name: "ofsted_mi_2026_report_card",
        required: &[
            "URN",
            "LAESTAB",
            "Inspection start date",
            "Safeguarding standards",
            "Inclusion",
            "Leadership and governance",
            "Latest OEIF overall effectiveness",
            "Ungraded inspection overall outcome",
        ],
    },
    Layout {
        name: "ofsted_mi_overall_effectiveness",
        required: &[
            "URN",
            "Overall effectiveness",
            "Inspection start date|Inspection date|First day of inspection|Inspection end date",
        ],
    },
];

struct Graded {
    number: Col,
    kind: Col,
    start: Col,
    publication: Col,
    urn_at_time: Col,
    concern: Col,
    overall: Col,
    quality: Col,
    behaviour: Col,
    personal: Col,
    leadership: Col,
    safeguarding: Col,
    early_years: Col,
    sixth_form: Col,
    outcomes: Col,
    teaching: Col,
    pdbw: Col,
}

struct ReportCard {
    number: Col,
    kind: Col,
    start: Col,
    publication: Col,
    urn_at_time: Col,
    concern: Col,
    safeguarding: Col,
    safeguarding_date: Col,
    areas: Vec<(ReportCardArea, Col, Col)>,
}

struct Ungraded {
    number: Col,
    date: Col,
    publication: Col,
    urn_at_time: Col,
    outcome: Col,
}

/// Column positions for `ofsted`.
pub struct OfstedParser {
    urn: Col,
    laestab: Col,
    la_name: Col,
    name: Col,
    phase: Col,
    type_of_education: Col,
    trust: Col,
    pupils: Col,
    most_recent_concern: Col,
    report_card: Option<ReportCard>,
    graded: Graded,
    ungraded: Ungraded,
}

impl OfstedParser {
    fn new(h: &Header, layout: Layout) -> Self {
        let c = |n: &[&str]| h.find_any(n);
        let is_2026 = layout.name == "ofsted_mi_2026_report_card";
        let graded = if is_2026 {
            Graded {
                number: c(&["Inspection number of latest OEIF graded inspection"]),
                kind: c(&["Inspection type of latest OEIF graded inspection"]),
                start: c(&["Inspection start date of latest OEIF graded inspection"]),
                publication: c(&["Publication date of latest OEIF graded inspection"]),
                urn_at_time: c(&["URN at time of latest OEIF graded inspection"]),
                concern: c(&["Latest OEIF category of concern"]),
                overall: c(&["Latest OEIF overall effectiveness"]),
                quality: c(&["Latest OEIF quality of education"]),
                behaviour: c(&["Latest OEIF behaviour and attitudes"]),
                personal: c(&["Latest OEIF personal development"]),
                leadership: c(&["Latest OEIF effectiveness of leadership and management"]),
                safeguarding: c(&["Latest OEIF safeguarding is effective?"]),
                early_years: c(&["Latest OEIF early years provision (where applicable)"]),
                sixth_form: c(&["Latest OEIF sixth form provision (where applicable)"]),
                outcomes: None,
                teaching: None,
                pdbw: None,
            }
        } else {
            Graded {
                number: c(&["Inspection number", "Inspection ID"]),
                kind: c(&["Inspection type", "Event type"]),
                start: c(&[
                    "Inspection start date",
                    "Inspection date",
                    "First day of inspection",
                    "Inspection end date",
                ]),
                publication: c(&["Publication date", "Report publication date"]),
                urn_at_time: c(&[
                    "URN at time of inspection",
                    "URN at time of latest full inspection",
                ]),
                concern: c(&["Category of concern"]),
                overall: c(&["Overall effectiveness"]),
                quality: c(&["Quality of education"]),
                behaviour: c(&["Behaviour and attitudes"]),
                personal: c(&["Personal development"]),
                leadership: c(&[
                    "Effectiveness of leadership and management",
                    "Leadership and management",
                ]),
                safeguarding: c(&["Safeguarding is effective?", "Is safeguarding effective?"]),
                early_years: c(&[
                    "Early years provision (where applicable)",
                    "Early years provision",
                ]),
                sixth_form: c(&[
                    "Sixth form provision (where applicable)",
                    "Sixth form provision",
                    "16-19 study programmes",
                ]),
                outcomes: c(&["Outcomes for pupils", "Outcomes for children and learners"]),
                teaching: c(&[
                    "Quality of teaching, learning and assessment",
                    "Quality of teaching",
                ]),
                pdbw: c(&["Personal development, behaviour and welfare"]),
            }
        };
        let area = |a, grade: &str, date: &str| (a, c(&[grade]), c(&[date]));
        let report_card = is_2026.then(|| ReportCard {
            number: c(&["Inspection number of latest full inspection"]),
            kind: c(&["Inspection type"]),
            start: c(&["Inspection start date"]),
            publication: c(&["Publication date"]),
            urn_at_time: c(&["URN at time of latest full inspection"]),
            concern: c(&["Category of concern"]),
            safeguarding: c(&["Safeguarding standards"]),
            safeguarding_date: c(&["Safeguarding standards - date of grade"]),
            areas: vec![
                area(
                    ReportCardArea::Inclusion,
                    "Inclusion",
                    "Inclusion - date of grade",
                ),
                area(
                    ReportCardArea::CurriculumAndTeaching,
                    "Curriculum and teaching",
                    "Curriculum and teaching - date of grade",
                ),
                area(
                    ReportCardArea::Achievement,
                    "Achievement",
                    "Achievement - date of grade",
                ),
                area(
                    ReportCardArea::AttendanceAndBehaviour,
                    "Attendance and behaviour",
                    "Attendance and behaviour - date of grade",
                ),
                area(
                    ReportCardArea::PersonalDevelopmentAndWellbeing,
                    "Personal development and wellbeing",
                    "Personal development and wellbeing - date of grade",
                ),
                area(
                    ReportCardArea::EarlyYears,
                    "Early years (where applicable)",
                    "Early years - date of grade",
                ),
                area(
                    ReportCardArea::Post16,
                    "Post-16 provision (where applicable)",
                    "Post-16 provision - date of grade",
                ),
                area(
                    ReportCardArea::LeadershipAndGovernance,
                    "Leadership and governance",
                    "Leadership and governance - date of grade",
                ),
            ],
        });
        OfstedParser {
            urn: c(&["URN"]),
            laestab: c(&["LAESTAB"]),
            la_name: c(&["Local authority"]),
            name: c(&["School name"]),
            phase: c(&["Ofsted phase"]),
            type_of_education: c(&["Type of education"]),
            trust: c(&["Multi-academy trust name"]),
            pupils: c(&["Total number of pupils", "Number of pupils"]),
            most_recent_concern: c(&["Most recent category of concern"]),
            report_card,
            graded,
            ungraded: Ungraded {
                number: c(&["Latest ungraded inspection number"]),
                date: c(&["Date of latest ungraded inspection"]),
                publication: c(&["Ungraded inspection publication date"]),
                urn_at_time: c(&["URN at time of the ungraded inspection"]),
                outcome: c(&["Ungraded inspection overall outcome"]),
            },
        }
    }
}

fn oeif(r: &Row<'_>, col: Col) -> Result<Option<OeifGrade>, Problem> {
    r.parse_with(col, "an OEIF grade 1-4 or 9", OeifGrade::parse)
}

fn concern(r: &Row<'_>, col: Col) -> Option<CategoryOfConcern> {
    r.get(col).and_then(CategoryOfConcern::parse)
}

fn yes_no(r: &Row<'_>, col: Col) -> Result<Option<bool>, Problem> {
    r.parse_with(col, "Yes or No", |v| {
        match v.to_ascii_lowercase().as_str() {
            "yes" | "y" => Some(true),
            "no" | "n" => Some(false),
            _ => None,
        }
    })
}

impl Parse for OfstedParser {
    type Output = OfstedRecord;

    fn parse(&mut self, r: &Row<'_>) -> Result<OfstedRecord, Problem> {
        let mut inspections = Vec::new();
        if let Some(rc) = &self.report_card {
            let mut areas = Vec::new();
            for (area, grade, date) in &rc.areas {
                let not_applicable = r
                    .get(*grade)
                    .is_some_and(|v| v.eq_ignore_ascii_case("not applicable"));
                if not_applicable {
                    continue;
                }
                if let Some(g) =
                    r.parse_with(*grade, "a report-card grade", ReportCardGrade::parse)?
                {
                    areas.push(ReportCardAreaGrade {
                        area: *area,
                        grade: g,
                        date: r.date(*date, false)?,
                    });
                }
            }
            let safeguarding = r.parse_with(
                rc.safeguarding,
                "Met or Not met",
                SafeguardingStandard::parse,
            )?;
            let number = r.text(rc.number);
            let start = r.date(rc.start, false)?;
            if number.is_some() || start.is_some() || safeguarding.is_some() || !areas.is_empty() {
                inspections.push(Inspection::ReportCard(ReportCardInspection {
                    inspection_number: number,
                    inspection_type: r.text(rc.kind),
                    start_date: start,
                    publication_date: r.date(rc.publication, false)?,
                    urn_at_time: opt_urn(r, rc.urn_at_time)?,
                    category_of_concern: concern(r, rc.concern),
                    safeguarding,
                    safeguarding_date: r.date(rc.safeguarding_date, false)?,
                    areas,
                }));
            }
        }
        let g = &self.graded;
        let graded = GradedInspection {
            inspection_number: r.text(g.number),
            inspection_type: r.text(g.kind),
            start_date: r.date(g.start, false)?,
            publication_date: r.date(g.publication, false)?,
            urn_at_time: opt_urn(r, g.urn_at_time)?,
            category_of_concern: concern(r, g.concern),
            overall_effectiveness: oeif(r, g.overall)?,
            quality_of_education: oeif(r, g.quality)?,
            behaviour_and_attitudes: oeif(r, g.behaviour)?,
            personal_development: oeif(r, g.personal)?,
            leadership_and_management: oeif(r, g.leadership)?,
            safeguarding_effective: yes_no(r, g.safeguarding)?,
            early_years: oeif(r, g.early_years)?,
            sixth_form: oeif(r, g.sixth_form)?,
            outcomes_for_pupils: oeif(r, g.outcomes)?,
            quality_of_teaching: oeif(r, g.teaching)?,
            personal_development_behaviour_welfare: oeif(r, g.pdbw)?,
        };
        if graded.inspection_number.is_some()
            || graded.start_date.is_some()
            || graded.overall_effectiveness.is_some()
            || graded.quality_of_education.is_some()
        {
            inspections.push(Inspection::Graded(graded));
        }
        let u = &self.ungraded;
        if let Some(outcome) = r.text(u.outcome) {
            inspections.push(Inspection::Ungraded(UngradedInspection {
                inspection_number: r.text(u.number),
                date: r.date(u.date, false)?,
                publication_date: r.date(u.publication, false)?,
                urn_at_time: opt_urn(r, u.urn_at_time)?,
                outcome,
            }));
        }
        let laestab = r.text(self.laestab);
        let la_code = match &laestab {
            Some(l) => Some(LaCode::from_laestab(l).map_err(|e| {
                r.problem(
                    self.laestab,
                    Reason::Invalid {
                        value: l.clone(),
                        expected: e.to_string(),
                    },
                )
            })?),
            None => None,
        };
        Ok(OfstedRecord {
            urn: urn(r, self.urn, "URN")?,
            la_code,
            laestab,
            la_name: r.text(self.la_name),
            school_name: r.text(self.name),
            phase: r.text(self.phase),
            type_of_education: r.text(self.type_of_education),
            trust: r.text(self.trust),
            number_of_pupils: r.u32(self.pupils)?,
            most_recent_category_of_concern: concern(r, self.most_recent_concern),
            inspections,
        })
    }

    fn key(&self, o: &OfstedRecord) -> Option<(&'static str, u32)> {
        Some(("URN", o.urn.get()))
    }
}

/// Reads an Ofsted "latest inspections" management-information file.
pub fn read<R: Read + Seek>(file: &str, input: R) -> Result<Reader<R, OfstedParser>, IngestError> {
    Reader::open(file, "ofsted", input, LAYOUTS, OfstedParser::new)
}

//! Property tests over random schools: every school gets exactly one category
//! with a non-empty rationale, and making any inspection grade or measure
//! worse never moves a school to a less concerning category, under every preset.

mod policy_support;

use policy_support::*;
use proptest::prelude::*;
use uplift_domain::policy::{
    categorise, InspectionFact, IntelligenceItem, MeasureFact, Policy, SchoolFacts, MEASURES,
};
use uplift_domain::register::{
    CategoryOfConcern, Date, Governance, GradedInspection, Inspection, OeifGrade,
    ReportCardAreaGrade, ReportCardGrade, ReportCardInspection, SafeguardingStandard, SixthForm,
    UngradedInspection,
};

const GRADES: [OeifGrade; 4] = [
    OeifGrade::Outstanding,
    OeifGrade::Good,
    OeifGrade::RequiresImprovement,
    OeifGrade::Inadequate,
];
const RC: [ReportCardGrade; 5] = [
    ReportCardGrade::Exceptional,
    ReportCardGrade::StrongStandard,
    ReportCardGrade::ExpectedStandard,
    ReportCardGrade::NeedsAttention,
    ReportCardGrade::UrgentImprovement,
];
const KINDS: [&str; 12] = [
    "agreed_vulnerable",
    "agreed_in_crisis",
    "capacity_not_secure",
    "judged_ri_or_worse_if_inspected",
    "leadership_ri_or_worse",
    "serious_breakdown_management",
    "safety_threatened",
    "low_achievement",
    "governance",
    "leadership_change",
    "self_reported_vulnerable",
    "inspection_letter_issues",
];

fn day(n: u32) -> Date {
    // Days from 2017-01-01, within 2017..2026.
    d("2017-01-01")
        .checked_add(jiff::Span::new().days(i64::from(n)))
        .expect("date")
}

fn grade_opt() -> impl Strategy<Value = Option<OeifGrade>> {
    prop::option::weighted(0.85, prop::sample::select(GRADES.to_vec()))
}

fn graded() -> impl Strategy<Value = Inspection> {
    (
        0u32..3500,
        grade_opt(),
        prop::collection::vec(grade_opt(), 4),
        prop::option::weighted(
            0.15,
            prop::sample::select(vec![
                CategoryOfConcern::SeriousWeaknesses,
                CategoryOfConcern::SpecialMeasures,
            ]),
        ),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(date, overall, subs, category, safe)| {
            Inspection::Graded(GradedInspection {
                inspection_number: None,
                inspection_type: None,
                start_date: Some(day(date)),
                publication_date: None,
                urn_at_time: None,
                category_of_concern: category,
                overall_effectiveness: overall,
                quality_of_education: subs[0],
                behaviour_and_attitudes: subs[1],
                personal_development: subs[2],
                leadership_and_management: subs[3],
                safeguarding_effective: safe,
                early_years: None,
                sixth_form: None,
                outcomes_for_pupils: None,
                quality_of_teaching: None,
                personal_development_behaviour_welfare: None,
            })
        })
}

fn report_card() -> impl Strategy<Value = Inspection> {
    (
        3200u32..3500,
        prop::collection::vec(
            prop::option::weighted(0.9, prop::sample::select(RC.to_vec())),
            6,
        ),
        prop::option::of(prop::sample::select(vec![
            SafeguardingStandard::Met,
            SafeguardingStandard::NotMet,
        ])),
        prop::option::weighted(
            0.1,
            prop::sample::select(vec![
                CategoryOfConcern::RequiresSignificantImprovement,
                CategoryOfConcern::SpecialMeasures,
            ]),
        ),
    )
        .prop_map(|(date, grades, sg, category)| {
            Inspection::ReportCard(ReportCardInspection {
                inspection_number: None,
                inspection_type: None,
                start_date: Some(day(date)),
                publication_date: None,
                urn_at_time: None,
                category_of_concern: category,
                safeguarding: sg,
                safeguarding_date: None,
                areas: ALL_AREAS
                    .iter()
                    .zip(grades)
                    .filter_map(|(a, g)| {
                        g.map(|grade| ReportCardAreaGrade {
                            area: *a,
                            grade,
                            date: None,
                        })
                    })
                    .collect(),
            })
        })
}

fn ungraded() -> impl Strategy<Value = Inspection> {
    (
        0u32..3500,
        prop::sample::select(vec![
            "School remains Good",
            "Standards may have declined",
            "Monitoring",
        ]),
    )
        .prop_map(|(date, outcome)| {
            Inspection::Ungraded(UngradedInspection {
                inspection_number: None,
                date: Some(day(date)),
                publication_date: None,
                urn_at_time: None,
                outcome: outcome.into(),
            })
        })
}

fn facts() -> impl Strategy<Value = SchoolFacts> {
    (
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop::collection::vec(
            prop_oneof![3 => graded(), 2 => report_card(), 1 => ungraded()],
            0..4,
        ),
        prop::collection::vec(
            (
                0usize..MEASURES.len(),
                -5.0f64..100.0,
                0.0f64..100.0,
                prop::option::of(1u8..=4),
            ),
            0..4,
        ),
        prop::collection::vec((prop::sample::select(KINDS.to_vec()), 3000u32..3530), 0..3),
        prop::option::of(3000u32..3530),
        any::<bool>(),
    )
        .prop_map(
            |((academy, sixth, pru), inspections, measures, intel, head, listed)| {
                let mut f = school(100500);
                if academy {
                    f.governance = Governance::Academy;
                }
                f.sixth_form = if sixth { SixthForm::Yes } else { SixthForm::No };
                f.is_pru = pru;
                f.on_causing_concern_list = listed;
                f.as_of = d("2026-09-01");
                f.inspections = inspections
                    .into_iter()
                    .map(|inspection| InspectionFact {
                        inspection,
                        source: src("ofsted_prop.csv"),
                    })
                    .collect();
                for (i, value, national, quartile) in measures {
                    f.measures.insert(
                        MEASURES[i].id.into(),
                        MeasureFact {
                            value: Some(value),
                            national: Some(national),
                            statistical_neighbours: None,
                            la: Some(national),
                            quartile,
                            year: None,
                            source: src("ks_prop.csv"),
                        },
                    );
                }
                for (kind, date) in intel {
                    f.intelligence.push(IntelligenceItem {
                        kind: kind.into(),
                        date: day(date),
                        summary: None,
                        source: src("intel_prop"),
                    });
                }
                f.head_start_date = head.map(|h| (day(h), src("gias_prop.csv")));
                f
            },
        )
}

fn worse_grade(g: &mut Option<OeifGrade>, steps: u8) {
    if let Some(x) = g {
        let i = GRADES.iter().position(|y| y == x).unwrap_or(0);
        *x = GRADES[(i + usize::from(steps)).min(3)];
    }
}

/// Makes one thing about the school worse (or leaves it when there is nothing to worsen).
fn worsen(f: &mut SchoolFacts, pick: usize, steps: u8, kind: &str, date: u32) {
    let n_insp = f.inspections.len();
    match pick % 4 {
        0 | 1 if n_insp > 0 => {
            let i = (pick / 4) % n_insp;
            match &mut f.inspections[i].inspection {
                Inspection::Graded(g) => match (pick / 16) % 8 {
                    0 => worse_grade(&mut g.overall_effectiveness, steps),
                    1 => worse_grade(&mut g.quality_of_education, steps),
                    2 => worse_grade(&mut g.behaviour_and_attitudes, steps),
                    3 => worse_grade(&mut g.personal_development, steps),
                    4 => worse_grade(&mut g.leadership_and_management, steps),
                    5 => {
                        if g.safeguarding_effective.is_some() {
                            g.safeguarding_effective = Some(false)
                        }
                    }
                    6 => {
                        g.category_of_concern = match g.category_of_concern {
                            None => Some(CategoryOfConcern::SeriousWeaknesses),
                            Some(_) => Some(CategoryOfConcern::SpecialMeasures),
                        }
                    }
                    _ => {
                        for s in [
                            &mut g.overall_effectiveness,
                            &mut g.quality_of_education,
                            &mut g.leadership_and_management,
                        ] {
                            worse_grade(s, steps);
                        }
                    }
                },
                Inspection::ReportCard(r) => match (pick / 16) % 4 {
                    0 | 1 if !r.areas.is_empty() => {
                        let k = (pick / 64) % r.areas.len();
                        let a = &mut r.areas[k];
                        let i = RC.iter().position(|y| *y == a.grade).unwrap_or(0);
                        a.grade = RC[(i + usize::from(steps)).min(4)];
                    }
                    2 => {
                        if r.safeguarding.is_some() {
                            r.safeguarding = Some(SafeguardingStandard::NotMet)
                        }
                    }
                    _ => {
                        r.category_of_concern = match r.category_of_concern {
                            None => Some(CategoryOfConcern::RequiresSignificantImprovement),
                            Some(_) => Some(CategoryOfConcern::SpecialMeasures),
                        }
                    }
                },
                Inspection::Ungraded(u) => u.outcome = "Standards may have declined".into(),
            }
        }
        2 if !f.measures.is_empty() => {
            let k = (pick / 4) % f.measures.len();
            let id = f.measures.keys().nth(k).cloned().unwrap_or_default();
            let higher_is_better = MEASURES
                .iter()
                .find(|m| m.id == id)
                .is_some_and(|m| m.higher_is_better);
            if let Some(m) = f.measures.get_mut(&id) {
                if (pick >> 4) & 1 == 0 {
                    let delta = f64::from(steps) * 3.5;
                    m.value = m.value.map(|v| {
                        if higher_is_better {
                            v - delta
                        } else {
                            v + delta
                        }
                    });
                } else {
                    m.quartile = m.quartile.map(|q| (q + steps).min(4));
                }
            }
        }
        _ => f.intelligence.push(IntelligenceItem {
            kind: kind.into(),
            date: day(date),
            summary: None,
            source: src("intel_prop"),
        }),
    }
}

fn presets() -> Vec<Policy> {
    PRESET_NAMES
        .iter()
        .map(|n| Policy::preset(n).expect("preset"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_school_gets_exactly_one_category_with_a_rationale(f in facts()) {
        for p in presets() {
            let pl = categorise(&p, &f);
            prop_assert_eq!(p.categories.iter().filter(|c| c.id == pl.category).count(), 1);
            prop_assert!(!pl.rationale.is_empty());
            prop_assert!(pl.rationale.iter().all(|r| !r.summary.is_empty()));
            prop_assert!(pl.rationale.iter().all(|r| r.category.as_deref() == Some(pl.category.as_str())));
            // Deterministic.
            prop_assert_eq!(&categorise(&p, &f), &pl);
        }
    }

    #[test]
    fn worse_never_moves_to_a_less_concerning_category(
        f in facts(),
        ops in prop::collection::vec((0usize..4096, 1u8..=2, prop::sample::select(KINDS.to_vec()), 3000u32..3530), 1..4),
    ) {
        let mut worse = f.clone();
        for (pick, steps, kind, date) in ops {
            worsen(&mut worse, pick, steps, kind, date);
        }
        for p in presets() {
            let before = categorise(&p, &f);
            let after = categorise(&p, &worse);
            let (b, a) = (
                p.category_index(&before.category).unwrap_or(0),
                p.category_index(&after.category).unwrap_or(0),
            );
            prop_assert!(a >= b, "{}: {} -> {}\nbefore {:#?}\nafter {:#?}", p.name, before.category, after.category, before.rationale, after.rationale);
            for (x, y) in [
                (&before.flags.special_measures, &after.flags.special_measures),
                (&before.flags.category_of_concern, &after.flags.category_of_concern),
                (&before.flags.eligible_for_intervention, &after.flags.eligible_for_intervention),
            ] {
                prop_assert!(!x.value || y.value, "{}: {} then {}", p.name, x.reason, y.reason);
            }
        }
    }
}

//! Cases from the seeds and the statutes.

mod policy_support;

use policy_support::*;
use std::collections::BTreeMap;
use uplift_domain::policy::{
    categorise, categorise_estate, derive_flags, EstateAssessment, FlagKind, Override, Policy,
    ProposalAction, Provenance, RuleKind, Tri, WarningNoticeFact, WarningNoticeSection,
};
use uplift_domain::register::{
    CategoryOfConcern, Governance, OeifGrade::*, ReportCardArea as A, ReportCardGrade as G,
    SafeguardingStandard::*,
};

fn preset(name: &str) -> Policy {
    Policy::preset(name).expect("preset loads")
}

// ---------------------------------------------------------------------------
// The special-measures requirement, under every preset.
// ---------------------------------------------------------------------------

#[test]
fn lg_urgent_and_one_other_area_urgent_is_most_serious_and_special_measures_everywhere() {
    for other in [
        A::Inclusion,
        A::CurriculumAndTeaching,
        A::Achievement,
        A::AttendanceAndBehaviour,
        A::PersonalDevelopmentAndWellbeing,
    ] {
        for make in [school as fn(u32) -> _, academy] {
            let f = with_rc(
                make(100001),
                report_card(
                    "2026-03-10",
                    G::ExpectedStandard,
                    &[
                        (A::LeadershipAndGovernance, G::UrgentImprovement),
                        (other, G::UrgentImprovement),
                    ],
                    Met,
                ),
            );
            for name in PRESET_NAMES {
                let p = preset(name);
                let pl = categorise(&p, &f);
                let most = p.categories.last().expect("categories");
                assert_eq!(
                    pl.category, most.id,
                    "{name} {other:?}: {:#?}",
                    pl.rationale
                );
                assert!(pl.flags.special_measures.value, "{name}");
                assert!(!pl.flags.requires_significant_improvement.value, "{name}");
                assert!(pl
                    .flags
                    .special_measures
                    .reason
                    .contains("special measures"));
                assert!(!pl.rationale.is_empty());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Report-card patterns that make a category of concern (DESIGN.md §8).
// ---------------------------------------------------------------------------

/// Areas changed from expected standard, safeguarding, special measures, requires significant improvement.
type PatternCase = (
    Vec<(A, G)>,
    uplift_domain::register::SafeguardingStandard,
    bool,
    bool,
);

#[test]
fn report_card_patterns_make_the_right_category_of_concern() {
    let p = preset("la-differentiated");
    // (areas changed from expected standard, safeguarding, special measures, requires significant improvement)
    let cases: Vec<PatternCase> = vec![
        (vec![], Met, false, false),
        (vec![(A::Achievement, G::NeedsAttention)], Met, false, false),
        (
            vec![(A::LeadershipAndGovernance, G::NeedsAttention)],
            Met,
            false,
            false,
        ),
        // RSI: urgent improvement in an area other than leadership and governance
        (
            vec![(A::Achievement, G::UrgentImprovement)],
            Met,
            false,
            true,
        ),
        (
            vec![
                (A::Inclusion, G::UrgentImprovement),
                (A::Achievement, G::UrgentImprovement),
            ],
            Met,
            false,
            true,
        ),
        // RSI: safeguarding not met
        (vec![], NotMet, false, true),
        // RSI: leadership and governance alone at urgent improvement
        (
            vec![(A::LeadershipAndGovernance, G::UrgentImprovement)],
            Met,
            false,
            true,
        ),
        (
            vec![
                (A::LeadershipAndGovernance, G::UrgentImprovement),
                (A::Achievement, G::NeedsAttention),
            ],
            Met,
            false,
            true,
        ),
        // SM: L&G urgent together with urgent elsewhere
        (
            vec![
                (A::LeadershipAndGovernance, G::UrgentImprovement),
                (A::AttendanceAndBehaviour, G::UrgentImprovement),
            ],
            Met,
            true,
            false,
        ),
        // SM: L&G urgent together with safeguarding not met
        (
            vec![(A::LeadershipAndGovernance, G::UrgentImprovement)],
            NotMet,
            true,
            false,
        ),
    ];
    for (areas, sg, sm, rsi) in cases {
        let f = with_rc(
            school(100002),
            report_card("2026-02-01", G::ExpectedStandard, &areas, sg),
        );
        let flags = derive_flags(&p, &f);
        assert_eq!(
            flags.special_measures.value, sm,
            "{areas:?} {sg:?}: {}",
            flags.special_measures.reason
        );
        assert_eq!(
            flags.requires_significant_improvement.value, rsi,
            "{areas:?} {sg:?}: {}",
            flags.requires_significant_improvement.reason
        );
        assert_eq!(flags.category_of_concern.value, sm || rsi);
        assert!(!flags.special_measures.reason.is_empty());
        // Eligible for intervention (maintained) exactly when there is a category of concern here.
        assert_eq!(flags.eligible_for_intervention.value, sm || rsi);
    }
}

#[test]
fn recorded_categories_from_graded_inspections() {
    let p = preset("la-differentiated");
    let sm = concern(
        school(100003),
        "2024-01-10",
        CategoryOfConcern::SpecialMeasures,
    );
    let pl = categorise(&p, &sm);
    assert_eq!(pl.category, "4b");
    assert!(pl.flags.special_measures.value);
    let swk = concern(
        school(100004),
        "2024-01-10",
        CategoryOfConcern::SeriousWeaknesses,
    );
    let pl = categorise(&p, &swk);
    assert_eq!(pl.category, "4a");
    assert!(pl.flags.requires_significant_improvement.value);
    assert!(!pl.flags.special_measures.value);
    assert!(pl
        .flags
        .requires_significant_improvement
        .reason
        .contains("serious_weaknesses"));
    // A later good inspection ends the category.
    let later = grade(swk, "2025-06-01", Good);
    let pl = categorise(&p, &later);
    assert_eq!(pl.category, "2");
    assert!(!pl.flags.category_of_concern.value);
}

#[test]
fn recorded_report_card_category_is_read() {
    let p = preset("trust");
    let mut rc = report_card(
        "2026-01-20",
        G::ExpectedStandard,
        &[(A::Achievement, G::UrgentImprovement)],
        Met,
    );
    rc.category_of_concern = Some(CategoryOfConcern::RequiresSignificantImprovement);
    let flags = derive_flags(&p, &with_rc(school(100005), rc));
    assert!(flags.requires_significant_improvement.value);
    assert!(!flags.special_measures.value);
}

// ---------------------------------------------------------------------------
// Barnet: categories and every trigger.
// ---------------------------------------------------------------------------

#[test]
fn barnet_categories_from_graded_inspections() {
    let p = preset("la-differentiated");
    let cases = [
        (grade(school(100010), "2023-05-01", Outstanding), "1"),
        (grade(school(100011), "2023-05-01", Good), "2"),
        (
            intel(
                grade(school(100012), "2023-05-01", Good),
                "agreed_vulnerable",
                "2026-03-01",
            ),
            "2v",
        ),
        (
            grade(school(100013), "2024-05-01", RequiresImprovement),
            "3ns",
        ), // L&M RI too
        (
            {
                let mut g = graded("2024-05-01", Some(RequiresImprovement));
                g.leadership_and_management = Some(Good);
                with_graded(school(100014), g)
            },
            "3s",
        ),
        (
            intel(
                grade(school(100015), "2023-05-01", Good),
                "capacity_not_secure",
                "2026-01-01",
            ),
            "3ns",
        ),
        (
            concern(
                school(100016),
                "2024-05-01",
                CategoryOfConcern::SeriousWeaknesses,
            ),
            "4a",
        ),
        (
            concern(
                school(100017),
                "2024-05-01",
                CategoryOfConcern::SpecialMeasures,
            ),
            "4b",
        ),
        (school(100018), "1"),
    ];
    for (f, want) in cases {
        let pl = categorise(&p, &f);
        assert_eq!(pl.category, want, "{}: {:#?}", f.urn, pl.rationale);
        assert!(!pl.rationale.is_empty());
    }
}

#[test]
fn barnet_every_trigger_fires_on_its_ground() {
    let p = preset("la-differentiated");
    let base = || grade(school(100020), "2023-05-01", Good);
    let cases = vec![
        (
            "judged-ri-or-inadequate",
            grade(school(100021), "2024-05-01", RequiresImprovement),
        ),
        (
            "judged-ri-or-inadequate",
            concern(
                school(100022),
                "2024-05-01",
                CategoryOfConcern::SpecialMeasures,
            ),
        ),
        (
            "judged-ri-or-inadequate",
            with_rc(
                school(100023),
                report_card(
                    "2026-02-01",
                    G::ExpectedStandard,
                    &[(A::Achievement, G::UrgentImprovement)],
                    Met,
                ),
            ),
        ),
        (
            "la-believes-ri-or-worse",
            intel(base(), "judged_ri_or_worse_if_inspected", "2026-05-01"),
        ),
        (
            "serious-breakdown",
            intel(base(), "serious_breakdown_management", "2026-05-01"),
        ),
        (
            "leadership-ri-or-worse",
            intel(base(), "leadership_ri_or_worse", "2026-05-01"),
        ),
        (
            "safety-threatened",
            intel(base(), "safety_threatened", "2026-05-01"),
        ),
        (
            "safety-threatened",
            with_rc(
                school(100024),
                report_card("2026-02-01", G::StrongStandard, &[], NotMet),
            ),
        ),
        (
            "low-achievement",
            intel(base(), "low_achievement", "2026-05-01"),
        ),
        (
            "low-achievement",
            measure(base(), "performance.ks2.rwm_expected", 35.0, 61.0, 4),
        ),
    ];
    let trigger_ids: Vec<&str> = p.triggers.iter().map(|t| t.id.as_str()).collect();
    let mut seen = std::collections::BTreeSet::new();
    for (want, f) in cases {
        let pl = categorise(&p, &f);
        let fired: Vec<&str> = pl.triggers.iter().map(|t| t.rule.as_str()).collect();
        assert!(fired.contains(&want), "{want}: fired {fired:?}");
        assert!(pl
            .proposals
            .iter()
            .any(|x| x.action == ProposalAction::AddToCausingConcernList && x.grounds == want));
        let t = pl.triggers.iter().find(|t| t.rule == want).expect("fired");
        assert!(t
            .evidence
            .iter()
            .any(|e| e.outcome == Tri::Met && e.source.is_some()));
        seen.insert(want);
    }
    for id in trigger_ids {
        assert!(seen.contains(id), "trigger {id} has no case");
    }
    // And none fires for a securely good school.
    assert!(categorise(&p, &base()).triggers.is_empty());
}

#[test]
fn intelligence_older_than_twelve_months_does_not_count() {
    let p = preset("la-differentiated");
    let f = intel(
        grade(school(100025), "2023-05-01", Good),
        "serious_breakdown_management",
        "2025-08-01",
    );
    let pl = categorise(&p, &f);
    assert!(pl.triggers.is_empty());
    assert_eq!(pl.category, "2");
}

#[test]
fn barnet_visit_entitlements() {
    let p = preset("la-differentiated");
    let sev = |f| {
        categorise(&p, &f)
            .entitlements
            .visits
            .get("school_effectiveness")
            .and_then(|v| v.count)
    };
    assert_eq!(sev(grade(school(100030), "2023-05-01", Good)), Some(2));
    let mut sixth = grade(school(100031), "2023-05-01", Good);
    sixth.sixth_form = uplift_domain::register::SixthForm::Yes;
    assert_eq!(sev(sixth), Some(3));
    assert_eq!(
        sev(intel(
            grade(school(100032), "2023-05-01", Good),
            "agreed_vulnerable",
            "2026-01-01"
        )),
        Some(6)
    );
    let mut ri = graded("2024-05-01", Some(RequiresImprovement));
    ri.leadership_and_management = Some(Good);
    assert_eq!(sev(with_graded(school(100033), ri)), Some(6));
    assert_eq!(
        sev(grade(school(100034), "2024-05-01", RequiresImprovement)),
        Some(19)
    );
    let a = categorise(&p, &grade(academy(100035), "2023-05-01", Good));
    assert_eq!(
        a.entitlements
            .visits
            .get("keeping_in_touch")
            .and_then(|v| v.count),
        Some(1)
    );
    assert!(!a.entitlements.visits.contains_key("school_effectiveness"));
}

// ---------------------------------------------------------------------------
// Side by Side entitlements.
// ---------------------------------------------------------------------------

#[test]
fn side_by_side_entitlements() {
    let p = preset("side-by-side");
    let pl = categorise(
        &p,
        &grade(school(100040), "2024-05-01", RequiresImprovement),
    );
    assert_eq!(pl.category, "intervention");
    assert_eq!(pl.entitlements.visits["headline"].count, Some(5));
    assert_eq!(pl.entitlements.funded_days["sspc_able"], 18.0);
    assert_eq!(pl.entitlements.funded_days["sslc"], 18.0);
    let pl = categorise(
        &p,
        &intel(
            grade(school(100041), "2023-05-01", Good),
            "agreed_vulnerable",
            "2026-02-01",
        ),
    );
    assert_eq!(pl.category, "prevention");
    assert_eq!(pl.entitlements.visits["headline"].count, Some(3));
    assert_eq!(pl.entitlements.funded_days["sspc_able"], 9.0);
    let pl = categorise(&p, &grade(school(100042), "2023-05-01", Good));
    assert_eq!(pl.category, "enhancement");
    assert!(pl.entitlements.visits["headline"].note.is_some());
    // New to Headship: maintained and academy schools.
    for mut f in [
        grade(school(100043), "2023-05-01", Good),
        grade(academy(100044), "2023-05-01", Good),
    ] {
        f.head_start_date = Some((d("2026-04-20"), src("gias_test.csv")));
        let pl = categorise(&p, &f);
        assert_eq!(
            pl.entitlements.visits["new_to_headship"].count,
            Some(1),
            "{:?}",
            f.governance
        );
        assert!(pl.flags.new_headteacher.value);
    }
    // Academies: funded days withdrawn.
    let pl = categorise(
        &p,
        &grade(academy(100045), "2024-05-01", RequiresImprovement),
    );
    assert!(pl.entitlements.funded_days.is_empty());
}

// ---------------------------------------------------------------------------
// Birmingham: maintained RI and inadequate, vulnerable, in crisis.
// ---------------------------------------------------------------------------

#[test]
fn priority_schools_definition() {
    let p = preset("priority-schools");
    let cat = |f| categorise(&p, &f).category;
    assert_eq!(
        cat(grade(school(100050), "2024-05-01", RequiresImprovement)),
        "requires-improvement"
    );
    assert_eq!(
        cat(grade(academy(100051), "2024-05-01", RequiresImprovement)),
        "not-priority"
    );
    assert_eq!(
        cat(concern(
            school(100052),
            "2024-05-01",
            CategoryOfConcern::SeriousWeaknesses
        )),
        "inadequate"
    );
    assert_eq!(
        cat(intel(
            grade(school(100053), "2023-05-01", Outstanding),
            "agreed_vulnerable",
            "2026-06-01"
        )),
        "vulnerable"
    );
    assert_eq!(
        cat(intel(
            grade(school(100054), "2023-05-01", Good),
            "agreed_in_crisis",
            "2026-06-01"
        )),
        "in-crisis"
    );
    assert_eq!(
        cat(grade(school(100055), "2023-05-01", Good)),
        "not-priority"
    );
    // Data with an imminent inspection (30+ months since the last, policy window 24).
    let f = measure(
        grade(school(100056), "2023-05-01", Good),
        "performance.ks2.rwm_expected",
        40.0,
        61.0,
        4,
    );
    let pl = categorise(&p, &f);
    assert_eq!(pl.category, "vulnerable");
    assert!(pl
        .triggers
        .iter()
        .any(|t| t.rule == "attainment-bottom-quartile"));
    assert!(pl.triggers.iter().any(|t| t.rule == "ofsted-imminence"));
}

// ---------------------------------------------------------------------------
// Coasting routes.
// ---------------------------------------------------------------------------

fn lg(g: G) -> Vec<(A, G)> {
    vec![(A::LeadershipAndGovernance, g)]
}

#[test]
fn coasting_routes() {
    let p = preset("la-differentiated");
    let latest = |f| {
        with_rc(
            f,
            report_card(
                "2026-03-01",
                G::ExpectedStandard,
                &lg(G::NeedsAttention),
                Met,
            ),
        )
    };
    // Route 1: previous graded overall RI.
    let f = latest(grade(school(100060), "2022-03-01", RequiresImprovement));
    let fl = derive_flags(&p, &f);
    assert!(fl.coasting.value, "{}", fl.coasting.reason);
    assert!(fl.coasting.reason.contains("17 November 2025"));
    assert!(fl.eligible_for_intervention.value);
    assert!(fl.eligible_for_intervention.reason.contains("s60B"));
    // Route 1b: previous graded inadequate.
    assert!(
        derive_flags(&p, &latest(grade(school(100061), "2022-03-01", Inadequate)))
            .coasting
            .value
    );
    // Route 2: previous graded inspection without an overall grade, a key judgement RI.
    let mut g = graded("2025-01-10", None);
    g.quality_of_education = Some(RequiresImprovement);
    let fl = derive_flags(&p, &latest(with_graded(school(100062), g)));
    assert!(fl.coasting.value, "{}", fl.coasting.reason);
    // Route 3: previous report card with L&G below expected standard.
    let f = latest(with_rc(
        school(100063),
        report_card(
            "2025-12-01",
            G::ExpectedStandard,
            &lg(G::NeedsAttention),
            Met,
        ),
    ));
    assert!(derive_flags(&p, &f).coasting.value);
    // Not coasting: previous good.
    assert!(
        !derive_flags(&p, &latest(grade(school(100064), "2022-03-01", Good)))
            .coasting
            .value
    );
    // Not coasting: previous report card L&G expected standard.
    let f = latest(with_rc(
        school(100065),
        report_card("2025-12-01", G::ExpectedStandard, &[], Met),
    ));
    assert!(!derive_flags(&p, &f).coasting.value);
    // Not coasting: L&G urgent (a category of concern instead).
    let f = with_rc(
        grade(school(100066), "2022-03-01", RequiresImprovement),
        report_card(
            "2026-03-01",
            G::ExpectedStandard,
            &lg(G::UrgentImprovement),
            Met,
        ),
    );
    let fl = derive_flags(&p, &f);
    assert!(!fl.coasting.value);
    assert!(fl.requires_significant_improvement.value);
    // Not coasting: latest inspection graded.
    assert!(
        !derive_flags(
            &p,
            &grade(
                grade(school(100067), "2020-01-01", RequiresImprovement),
                "2023-01-01",
                RequiresImprovement
            )
        )
        .coasting
        .value
    );
    // An academy that meets the definition is coasting but not eligible under s59.
    let fl = derive_flags(
        &p,
        &latest(grade(academy(100068), "2022-03-01", RequiresImprovement)),
    );
    assert!(fl.coasting.value);
    assert!(!fl.eligible_for_intervention.value);
    assert!(fl
        .eligible_for_intervention
        .reason
        .contains("not a maintained school"));
}

// ---------------------------------------------------------------------------
// Eligible for intervention: warning notices.
// ---------------------------------------------------------------------------

#[test]
fn eligible_for_intervention_by_unmet_warning_notice() {
    let p = preset("la-differentiated");
    let wn = |complied, ends: &str, written: Option<&str>| WarningNoticeFact {
        section: WarningNoticeSection::S60,
        given: d("2026-05-01"),
        compliance_period_ends: d(ends),
        complied,
        written_notice_of_proposed_powers: written.map(d),
        source: Provenance::new("warning notice WN-1", Some(d("2026-05-01"))),
    };
    let cases = [
        (Some(false), "2026-05-22", Some("2026-06-10"), true),
        (Some(false), "2026-05-22", None, false), // no written notice
        (Some(false), "2026-09-10", Some("2026-08-01"), false), // compliance period not over
        (Some(true), "2026-05-22", Some("2026-06-10"), false), // complied
        (None, "2026-05-22", Some("2026-06-10"), false), // not yet decided
    ];
    for (complied, ends, written, want) in cases {
        let mut f = grade(school(100070), "2023-05-01", Good);
        f.warning_notices.push(wn(complied, ends, written));
        let fl = derive_flags(&p, &f);
        assert_eq!(
            fl.eligible_for_intervention.value, want,
            "{complied:?} {ends} {written:?}: {}",
            fl.eligible_for_intervention.reason
        );
        if want {
            assert!(fl
                .eligible_for_intervention
                .reason
                .contains("s60 warning notice"));
        }
    }
}

#[test]
fn overrides_are_layered_and_rederive_eligibility() {
    let p = preset("la-differentiated");
    let f = with_rc(
        grade(school(100071), "2022-03-01", RequiresImprovement),
        report_card(
            "2026-03-01",
            G::ExpectedStandard,
            &lg(G::NeedsAttention),
            Met,
        ),
    );
    let mut fl = derive_flags(&p, &f);
    assert!(fl.coasting.effective() && fl.eligible_for_intervention.effective());
    fl.apply_override(
        FlagKind::Coasting,
        Override {
            value: false,
            reason: "DfE confirmed not coasting".into(),
            by: "lead".into(),
            on: d("2026-09-02"),
        },
    );
    assert!(fl.coasting.value, "derived value kept");
    assert!(!fl.coasting.effective());
    assert!(!fl.eligible_for_intervention.effective());
    assert_eq!(
        fl.coasting
            .overridden_by
            .as_ref()
            .map(|o| o.reason.as_str()),
        Some("DfE confirmed not coasting")
    );
}

// ---------------------------------------------------------------------------
// Stuck (RISE).
// ---------------------------------------------------------------------------

#[test]
fn stuck_definition() {
    let p = preset("la-differentiated");
    let two = |a, b| grade(grade(school(100080), "2021-01-01", a), "2024-01-01", b);
    assert!(
        derive_flags(&p, &two(RequiresImprovement, RequiresImprovement))
            .stuck
            .value
    );
    assert!(
        derive_flags(&p, &two(Inadequate, RequiresImprovement))
            .stuck
            .value
    );
    assert!(
        !derive_flags(&p, &two(Good, RequiresImprovement))
            .stuck
            .value
    );
    assert!(
        !derive_flags(&p, &two(RequiresImprovement, Inadequate))
            .stuck
            .value
    );
    assert!(
        !derive_flags(&p, &two(RequiresImprovement, Good))
            .stuck
            .value
    );
    assert!(
        !derive_flags(
            &p,
            &grade(school(100081), "2024-01-01", RequiresImprovement)
        )
        .stuck
        .value
    );
    // Ungraded inspections do not displace the judgement.
    let mut f = two(RequiresImprovement, RequiresImprovement);
    f.inspections.push(uplift_domain::policy::InspectionFact {
        inspection: uplift_domain::register::Inspection::Ungraded(
            uplift_domain::register::UngradedInspection {
                inspection_number: None,
                date: Some(d("2025-06-01")),
                publication_date: None,
                urn_at_time: None,
                outcome: "Monitoring".into(),
            },
        ),
        source: src("ofsted_mi_test.csv"),
    });
    assert!(derive_flags(&p, &f).stuck.value);
    // Report cards: the policy's equivalent (L&G needs attention) after RI.
    let f = with_rc(
        grade(school(100082), "2022-01-01", RequiresImprovement),
        report_card(
            "2026-02-01",
            G::ExpectedStandard,
            &lg(G::NeedsAttention),
            Met,
        ),
    );
    let fl = derive_flags(&p, &f);
    assert!(fl.stuck.value, "{}", fl.stuck.reason);
    let f = with_rc(
        grade(school(100083), "2022-01-01", Good),
        report_card(
            "2026-02-01",
            G::ExpectedStandard,
            &lg(G::NeedsAttention),
            Met,
        ),
    );
    assert!(!derive_flags(&p, &f).stuck.value);
}

// ---------------------------------------------------------------------------
// New headteacher.
// ---------------------------------------------------------------------------

#[test]
fn new_headteacher_is_first_year_in_post() {
    let p = preset("trust");
    for (start, want) in [
        ("2026-08-31", true),
        ("2025-09-02", true),
        ("2025-09-01", false),
        ("2020-01-01", false),
    ] {
        let mut f = school(100090);
        f.head_start_date = Some((d(start), src("gias_test.csv")));
        assert_eq!(derive_flags(&p, &f).new_headteacher.value, want, "{start}");
    }
    let f = intel(school(100091), "new_headteacher", "2026-04-01");
    assert!(derive_flags(&p, &f).new_headteacher.value);
    assert!(!derive_flags(&p, &school(100092)).new_headteacher.value);
}

// ---------------------------------------------------------------------------
// Removal rule.
// ---------------------------------------------------------------------------

#[test]
fn removal_needs_a_later_good_inspection() {
    for name in PRESET_NAMES {
        let p = preset(name);
        let mut ri = grade(school(100100), "2024-05-01", RequiresImprovement);
        ri.on_causing_concern_list = true;
        let pl = categorise(&p, &ri);
        assert!(!pl.removal.allowed, "{name}");
        assert!(pl
            .removal
            .blocked_by
            .iter()
            .all(|r| r.kind == RuleKind::Removal));
        assert!(!pl
            .proposals
            .iter()
            .any(|x| x.action == ProposalAction::RemoveFromCausingConcernList));
        let later = grade(ri, "2026-03-01", Good);
        let pl = categorise(&p, &later);
        assert!(pl.removal.allowed, "{name}: {:?}", pl.removal.blocked_by);
        assert!(
            pl.proposals
                .iter()
                .any(|x| x.action == ProposalAction::RemoveFromCausingConcernList),
            "{name}"
        );
        // Report-card equivalent: needs attention anywhere blocks removal.
        let mut rc = with_rc(
            school(100101),
            report_card(
                "2026-03-01",
                G::ExpectedStandard,
                &[(A::Achievement, G::NeedsAttention)],
                Met,
            ),
        );
        rc.on_causing_concern_list = true;
        assert!(!categorise(&p, &rc).removal.allowed, "{name}");
        let mut rc = with_rc(
            school(100102),
            report_card("2026-03-01", G::ExpectedStandard, &[], Met),
        );
        rc.on_causing_concern_list = true;
        assert!(categorise(&p, &rc).removal.allowed, "{name}");
    }
}

// ---------------------------------------------------------------------------
// Rationale, near misses, evidence.
// ---------------------------------------------------------------------------

#[test]
fn default_category_says_so() {
    for name in PRESET_NAMES {
        let p = preset(name);
        let pl = categorise(&p, &school(100110));
        assert_eq!(pl.category, p.categories[0].id);
        assert_eq!(pl.rationale.len(), 1);
        assert_eq!(pl.rationale[0].kind, RuleKind::Default);
        assert!(pl.rationale[0].summary.contains("default"));
    }
}

#[test]
fn fired_rules_cite_their_evidence() {
    let p = preset("la-differentiated");
    let pl = categorise(
        &p,
        &concern(
            school(100111),
            "2024-01-10",
            CategoryOfConcern::SpecialMeasures,
        ),
    );
    let r = &pl.rationale[0];
    assert_eq!(r.rule, "special-measures");
    let e = r
        .evidence
        .iter()
        .find(|e| e.outcome == Tri::Met)
        .expect("evidence");
    assert_eq!(e.fact, "inspection.latest.category_of_concern");
    assert_eq!(e.value.as_deref(), Some("special_measures"));
    assert_eq!(e.comparator, ">=");
    assert_eq!(e.date, Some(d("2024-01-10")));
    assert_eq!(e.source.as_deref(), Some("ofsted_mi_test.csv"));
    assert!(r.summary.contains("2024-01-10") && r.summary.contains("ofsted_mi_test.csv"));
    // The rationale is written for people: the fact in words, values without snake case.
    assert!(
        r.summary
            .contains("the category of concern at the latest inspection is special measures"),
        "{}",
        r.summary
    );
    assert!(!r.summary.contains("inspection.latest"), "{}", r.summary);
    assert!(!r.summary.contains("special_measures"), "{}", r.summary);
}

#[test]
fn a_grade_in_a_rationale_reads_as_words() {
    let p = preset("side-by-side");
    let pl = categorise(
        &p,
        &grade(school(100040), "2024-05-01", RequiresImprovement),
    );
    let all: Vec<&str> = pl
        .rationale
        .iter()
        .chain(pl.triggers.iter())
        .map(|r| r.summary.as_str())
        .collect();
    assert!(
        all.iter().any(|s| s.contains(
            "overall effectiveness at the latest graded inspection is 3 (requires improvement)"
        )),
        "{all:#?}"
    );
    assert!(
        all.iter().all(|s| !s.contains("requires_improvement")),
        "{all:#?}"
    );
}

#[test]
fn every_fact_in_the_catalogue_is_described_in_words() {
    use uplift_domain::policy::{catalogue, describe_fact};
    for info in catalogue() {
        let words = describe_fact(&info.name);
        assert_ne!(words, info.name, "no words for {}", info.name);
        assert!(
            !words.contains(&info.name) && !words.contains("_"),
            "{} is described as {words:?}",
            info.name
        );
    }
    assert_eq!(
        describe_fact("inspection.latest.oeif.overall"),
        "overall effectiveness at the latest graded inspection"
    );
    assert_eq!(
        describe_fact("performance.ks2.rwm_expected.quartile"),
        format!(
            "{}: the school's quarter in the authority (1 best, 4 weakest)",
            uplift_domain::policy::MEASURES
                .iter()
                .find(|m| m.id == "performance.ks2.rwm_expected")
                .map(|m| m.label)
                .unwrap_or_default()
        )
    );
    assert_eq!(describe_fact("no.such.fact"), "no.such.fact");
}

#[test]
fn near_misses_are_listed() {
    let p = preset("la-differentiated");
    let f = measure(
        grade(school(100112), "2023-05-01", Good),
        "performance.ks2.rwm_expected",
        55.0,
        61.0,
        3,
    );
    let pl = categorise(&p, &f);
    assert_eq!(pl.category, "2");
    let nm = pl
        .near_misses
        .iter()
        .find(|r| r.rule == "vulnerable-data")
        .expect("near miss");
    assert_eq!(nm.outcome, Tri::Near);
    assert!(nm
        .evidence
        .iter()
        .any(|e| e.fact == "performance.ks2.rwm_expected.quartile" && e.outcome == Tri::Near));
}

// ---------------------------------------------------------------------------
// Estate assessment.
// ---------------------------------------------------------------------------

#[test]
fn estate_assessment_counts_movements_and_csv() {
    let p = preset("la-differentiated");
    let mut quoted = grade(school(100121), "2024-05-01", RequiresImprovement);
    quoted.name = "St \"Invented\", Church School".into();
    let schools = vec![
        grade(school(100120), "2023-05-01", Good),
        quoted,
        concern(
            school(100122),
            "2024-05-01",
            CategoryOfConcern::SpecialMeasures,
        ),
        grade(school(100123), "2023-05-01", Outstanding),
    ];
    let placements = categorise_estate(&p, &schools);
    assert_eq!(placements.len(), 4);
    let mut last = BTreeMap::new();
    last.insert(schools[0].urn, "2".to_owned()); // unchanged
    last.insert(schools[1].urn, "2".to_owned()); // 2 -> 3ns
    last.insert(schools[2].urn, "4b".to_owned()); // unchanged
    let a = EstateAssessment::new(&p, placements, &last);
    let count = |id: &str| {
        a.counts
            .iter()
            .find(|c| c.category == id)
            .map(|c| (c.count, c.last_year))
    };
    assert_eq!(count("2"), Some((1, 2)));
    assert_eq!(count("3ns"), Some((1, 0)));
    assert_eq!(count("4b"), Some((1, 1)));
    assert_eq!(a.counts.iter().map(|c| c.count).sum::<usize>(), 4);
    assert_eq!(a.movements.len(), 2);
    let m = a
        .movements
        .iter()
        .find(|m| m.urn == schools[1].urn)
        .expect("moved");
    assert_eq!(
        m.direction,
        uplift_domain::policy::Direction::MoreConcerning
    );
    assert_eq!(
        a.movements
            .iter()
            .find(|m| m.urn == schools[3].urn)
            .map(|m| m.direction),
        Some(uplift_domain::policy::Direction::New)
    );
    let rows = a.csv_rows();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(
        &EstateAssessment::CSV_HEADER[..3],
        ["urn", "name", "category"]
    );
    assert!(rows
        .iter()
        .all(|r| r.len() == EstateAssessment::CSV_HEADER.len()));
    assert_eq!(
        rows[1][..3],
        ["100121", "St \"Invented\", Church School", "3ns"]
    );
    assert!(rows[2][8].contains("special_measures"));
    // Same input, same output.
    let again = EstateAssessment::new(&p, categorise_estate(&p, &schools), &last);
    assert_eq!(again.csv_rows(), rows);
}

#[test]
fn placements_serialise_with_the_fields_the_cli_promises() {
    let p = preset("side-by-side");
    let pl = categorise(
        &p,
        &grade(school(100130), "2024-05-01", RequiresImprovement),
    );
    let v = serde_json::to_value(&pl).expect("json");
    assert_eq!(v["urn"], 100130);
    assert_eq!(v["category"], "intervention");
    assert!(v["flags"]["special_measures"]["value"].is_boolean());
    assert!(!v["rationale"].as_array().expect("array").is_empty());
}

#[test]
fn governance_is_read() {
    let p = preset("priority-schools");
    let mut f = grade(school(100140), "2024-05-01", RequiresImprovement);
    f.governance = Governance::Independent;
    assert_eq!(categorise(&p, &f).category, "not-priority");
}

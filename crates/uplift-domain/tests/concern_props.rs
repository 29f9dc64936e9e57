//! Property tests of the causing-concern rules (issue 6) against the real
//! England-and-Wales bank holidays bundled with Uplift.

use std::sync::LazyLock;

use jiff::civil::{date, Date, Weekday};
use jiff::Span;
use proptest::prelude::*;
use uplift_domain::calendar::{AcademicYear, BankHolidays, TermDates, WorkingDayCalendar};
use uplift_domain::concern::*;
use uplift_domain::policy::{unmet_after_compliance, Provenance};
use uplift_domain::register::Governance;

static CAL: LazyLock<BankHolidays> =
    LazyLock::new(|| BankHolidays::bundled().expect("bundled bank holidays parse"));

fn plus_days(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().days(n)).expect("in range")
}

/// Dates across the years the bundled file covers (2024 to 2027).
fn near_dates() -> impl Strategy<Value = Date> {
    (0i64..(3 * 365 + 300)).prop_map(|o| plus_days(date(2024, 1, 1), o))
}

proptest! {
    #[test]
    fn compliance_end_date_is_a_working_day_exactly_n_after(issued in near_dates(), n in 1u32..80) {
        let period = CompliancePeriod::new(n).expect("non-zero");
        let end = compliance_end_date(&*CAL, issued, period).expect("in range");
        prop_assert!(CAL.is_working_day(end));
        prop_assert!(end > issued);
        prop_assert_eq!(CAL.working_days_between(issued, end), i64::from(n));
    }

    #[test]
    fn scheduled_meetings_are_in_term_time(
        start_year in 2024i16..2028,
        cadence in prop::sample::select(vec![Cadence::Fortnightly, Cadence::Monthly, Cadence::HalfTermly, Cadence::Termly, Cadence::AsArranged]),
        weekday in prop::sample::select(vec![Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday]),
        week in 1u8..8,
    ) {
        let terms = TermDates::england_default(AcademicYear::new(start_year).expect("year")).expect("terms");
        let s = schedule(MeetingKind::SchoolsReviewGroup, cadence, &terms, &*CAL, SchedulePreference { weekday, week });
        for m in &s.meetings {
            prop_assert!(terms.is_term_time(m.date), "{} is not in term time", m.date);
            prop_assert_eq!(m.date.weekday(), weekday);
            if !CAL.is_working_day(m.date) {
                prop_assert!(s.warnings.iter().any(|w| w.date == m.date), "bank holiday {} without a warning", m.date);
            }
        }
        let mut sorted = s.meetings.clone();
        sorted.sort_by_key(|m| m.date);
        prop_assert_eq!(sorted, s.meetings);
    }
}

#[derive(Debug, Clone)]
enum Op {
    Letter,
    Notice(u32),
    Complied,
    NotComplied,
    Written(bool),
    Category,
    Power(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Letter),
        (0u32..30).prop_map(Op::Notice),
        Just(Op::Complied),
        Just(Op::NotComplied),
        any::<bool>().prop_map(Op::Written),
        Just(Op::Category),
        (0u8..4).prop_map(Op::Power),
    ]
}

fn apply(e: &mut Escalation, day: Date, op: &Op, category_allowed: bool) {
    let _ = match op {
        Op::Letter => e.send_letter_of_concern(day, "concern"),
        Op::Notice(n) => CompliancePeriod::new(*n).and_then(|period| {
            e.give_warning_notice(
                WarningNoticeDraft {
                    issued: day,
                    grounds: vec![Ground::UnacceptablyLowStandards],
                    concerns: vec!["low standards".into()],
                    required_action: vec!["act".into()],
                    compliance_period: period,
                    signed_by: "DCS".into(),
                },
                &*CAL,
            )
            .map(|_| ())
        }),
        Op::Complied => e.record_complied(day),
        Op::NotComplied => e.record_not_complied(day, "no progress"),
        Op::Written(ieb) => e.give_written_notice(
            day,
            vec![if *ieb {
                PowerKind::S65InterimExecutiveBoard
            } else {
                PowerKind::S63Arrangements
            }],
            "DCS",
        ),
        Op::Category if category_allowed => e.record_category_route(
            day,
            EligibilityRoute::SpecialMeasures,
            "judged special measures",
        ),
        Op::Category => Ok(()),
        Op::Power(k) => {
            let power = match k {
                0 => Power::S63Arrangements {
                    arrangement: ArrangementKind::AdvisoryServices,
                    with_whom: "Partner school".into(),
                },
                1 => Power::S64AdditionalGovernors {
                    governors: vec!["G".into()],
                },
                2 => Power::S65InterimExecutiveBoard {
                    members: vec!["A".into(), "B".into()],
                },
                _ => Power::S66SuspendDelegatedBudget,
            };
            e.use_power(day, power, "Lead")
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Never eligible for intervention without an unmet notice past its
    /// period plus written notice, or a category-of-concern route; powers
    /// only ever used when eligible; academies never reach a Part 4 stage.
    #[test]
    fn eligibility_needs_an_unmet_notice_and_written_notice_or_a_category(
        start in near_dates(),
        steps in prop::collection::vec((0i64..20, op()), 1..25),
        category_allowed in any::<bool>(),
        academy in any::<bool>(),
    ) {
        let governance = if academy { Governance::Academy } else { Governance::Maintained };
        let mut e = Escalation::new(governance);
        let mut day = start;
        for (gap, op) in &steps {
            day = plus_days(day, *gap);
            apply(&mut e, day, op, category_allowed);
            if academy {
                prop_assert!(e.notices().is_empty() && e.powers().is_empty() && !e.is_eligible());
                continue;
            }
            if e.is_eligible() {
                let by_notice = e.written_notices().iter().any(|w| {
                    e.notices().iter().any(|n| {
                        let fact = n.to_fact(Some(w.date), Provenance::new("test", None));
                        unmet_after_compliance(&fact, w.date)
                            && w.date > n.compliance_end_date
                    })
                });
                prop_assert!(by_notice || category_allowed, "eligible without a route: {:?}", e.steps());
                prop_assert!(!e.eligibility().is_empty());
            }
            if !e.powers().is_empty() {
                prop_assert!(e.is_eligible());
            }
            for n in e.notices() {
                prop_assert!(CAL.is_working_day(n.compliance_end_date));
                prop_assert!(n.compliance_period.working_days() > 0);
            }
        }
    }

    /// Whatever is decided, a case removed from the list had no blocking
    /// inspection, and every decision kept has a non-empty rationale.
    #[test]
    fn removal_never_bypasses_the_inspection_rule(kinds in prop::collection::vec(0u8..4, 1..12)) {
        use uplift_domain::register::{GradedInspection, Inspection, OeifGrade};
        let ri = Inspection::Graded(GradedInspection {
            inspection_number: None, inspection_type: None, start_date: Some(date(2025, 5, 1)),
            publication_date: None, urn_at_time: None, category_of_concern: None,
            overall_effectiveness: Some(OeifGrade::RequiresImprovement), quality_of_education: None,
            behaviour_and_attitudes: None, personal_development: None, leadership_and_management: None,
            safeguarding_effective: None, early_years: None, sixth_form: None, outcomes_for_pupils: None,
            quality_of_teaching: None, personal_development_behaviour_welfare: None,
        });
        let facts = CaseFacts { inspections: vec![ri], ..CaseFacts::default() };
        let mut case = Case::new(Governance::Maintained);
        let mut day = date(2026, 9, 7);
        for k in kinds {
            day = plus_days(day, 7);
            let kind = match k { 0 => DecisionKind::Designate, 1 => DecisionKind::Continue, 2 => DecisionKind::Remove, _ => DecisionKind::LetterOfConcern };
            let _ = Decision::new(kind, day, "because", vec!["t".into()]).map(|d| case.decide(d, &facts));
            prop_assert_ne!(case.state(), CaseState::Removed);
        }
    }
}

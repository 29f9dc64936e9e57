//! Table tests of the causing-concern rules (issue 6) against the real
//! England-and-Wales bank holidays bundled with Uplift.

use jiff::civil::{date, Date};
use uplift_domain::calendar::{AcademicYear, BankHolidays, TermDates, WorkingDayCalendar};
use uplift_domain::concern::*;
use uplift_domain::policy::{Policy, ProposalAction};
use uplift_domain::register::{
    CategoryOfConcern, Governance, GradedInspection, Inspection, OeifGrade, ReportCardArea,
    ReportCardAreaGrade, ReportCardGrade, ReportCardInspection, SafeguardingStandard,
    UngradedInspection, Urn,
};

fn cal() -> BankHolidays {
    BankHolidays::bundled().expect("bundled bank holidays parse")
}

fn graded(on: Date, overall: Option<OeifGrade>, concern: Option<CategoryOfConcern>) -> Inspection {
    Inspection::Graded(GradedInspection {
        inspection_number: None,
        inspection_type: None,
        start_date: Some(on),
        publication_date: None,
        urn_at_time: None,
        category_of_concern: concern,
        overall_effectiveness: overall,
        quality_of_education: None,
        behaviour_and_attitudes: None,
        personal_development: None,
        leadership_and_management: None,
        safeguarding_effective: None,
        early_years: None,
        sixth_form: None,
        outcomes_for_pupils: None,
        quality_of_teaching: None,
        personal_development_behaviour_welfare: None,
    })
}

fn no_overall(on: Date, key: OeifGrade) -> Inspection {
    let Inspection::Graded(mut g) = graded(on, None, None) else {
        unreachable!()
    };
    g.quality_of_education = Some(key);
    g.behaviour_and_attitudes = Some(OeifGrade::Good);
    g.personal_development = Some(OeifGrade::Good);
    g.leadership_and_management = Some(OeifGrade::Good);
    Inspection::Graded(g)
}

fn report_card(
    on: Date,
    grades: &[(ReportCardArea, ReportCardGrade)],
    sg: SafeguardingStandard,
) -> Inspection {
    Inspection::ReportCard(ReportCardInspection {
        inspection_number: None,
        inspection_type: None,
        start_date: Some(on),
        publication_date: None,
        urn_at_time: None,
        category_of_concern: None,
        safeguarding: Some(sg),
        safeguarding_date: None,
        areas: grades
            .iter()
            .map(|(area, grade)| ReportCardAreaGrade {
                area: *area,
                grade: *grade,
                date: Some(on),
            })
            .collect(),
    })
}

fn ungraded(on: Date, outcome: &str) -> Inspection {
    Inspection::Ungraded(UngradedInspection {
        inspection_number: None,
        date: Some(on),
        publication_date: None,
        urn_at_time: None,
        outcome: outcome.into(),
    })
}

fn facts(inspections: Vec<Inspection>) -> CaseFacts {
    CaseFacts {
        inspections,
        ..CaseFacts::default()
    }
}

use ReportCardArea as A;
use ReportCardGrade as G;

#[test]
fn compliance_end_dates_skip_weekends_and_bank_holidays() {
    let cal = cal();
    let table: &[(Date, u32, Date)] = &[
        // Friday before Christmas 2026: Christmas Day, the Boxing Day substitute
        // (Mon 28th) and New Year's Day are skipped.
        (date(2026, 12, 18), 15, date(2027, 1, 13)),
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 24), 3, date(2026, 12, 31)),
        (date(2026, 12, 24), 4, date(2027, 1, 4)),
        // Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        (date(2027, 3, 19), 10, date(2027, 4, 6)),
        // A plain fortnight: Monday 2 November 2026 + 10.
        (date(2026, 11, 2), 10, date(2026, 11, 16)),
        // Given on a Saturday: counting starts the next working day.
        (date(2026, 11, 7), 1, date(2026, 11, 9)),
        // Spring bank holiday 2027 (31 May).
        (date(2027, 5, 28), 1, date(2027, 6, 1)),
    ];
    for (issued, n, expected) in table {
        let period = CompliancePeriod::new(*n).expect("non-zero");
        let end = compliance_end_date(&cal, *issued, period).expect("in range");
        assert_eq!(end, *expected, "{issued} + {n} working days");
        assert!(cal.is_working_day(end));
    }
}

#[test]
fn zero_compliance_period_is_refused_and_policy_default_is_used() {
    assert_eq!(
        CompliancePeriod::new(0),
        Err(EscalationError::ZeroCompliancePeriod)
    );
    let policy = Policy::preset("la-differentiated").expect("preset loads");
    assert_eq!(
        CompliancePeriod::policy_default(&policy).map(|p| p.working_days()),
        Ok(15)
    );
    assert!(EscalationError::ZeroCompliancePeriod
        .to_string()
        .contains("zero"));
}

fn draft(issued: Date, grounds: Vec<Ground>, n: u32) -> WarningNoticeDraft {
    WarningNoticeDraft {
        issued,
        grounds,
        concerns: vec!["KS2 reading, writing and maths far below national for three years".into()],
        required_action: vec!["Commission an external review of governance".into()],
        compliance_period: CompliancePeriod::new(n).expect("non-zero"),
        signed_by: "Director of Children's Services".into(),
    }
}

#[test]
fn warning_notice_needs_grounds_concerns_action_and_one_section() {
    let cal = cal();
    let d = date(2026, 12, 18);
    assert_eq!(
        WarningNotice::give(draft(d, vec![], 15), &cal),
        Err(EscalationError::NoGrounds)
    );
    assert_eq!(
        WarningNotice::give(
            draft(
                d,
                vec![Ground::SafetyThreatened, Ground::TeachersPayAndConditions],
                15
            ),
            &cal
        ),
        Err(EscalationError::MixedSections)
    );
    let mut no_concerns = draft(d, vec![Ground::UnacceptablyLowStandards], 15);
    no_concerns.concerns = vec!["  ".into()];
    assert_eq!(
        WarningNotice::give(no_concerns, &cal),
        Err(EscalationError::NoConcerns)
    );
    let mut no_action = draft(d, vec![Ground::UnacceptablyLowStandards], 15);
    no_action.required_action.clear();
    assert_eq!(
        WarningNotice::give(no_action, &cal),
        Err(EscalationError::NoRequiredAction)
    );
    let ok = WarningNotice::give(
        draft(
            d,
            vec![
                Ground::ManagementOrGovernanceBreakdown,
                Ground::UnacceptablyLowStandards,
            ],
            15,
        ),
        &cal,
    )
    .expect("valid notice");
    assert_eq!(ok.compliance_end_date, date(2027, 1, 13));
    assert_eq!(
        ok.grounds,
        vec![
            Ground::UnacceptablyLowStandards,
            Ground::ManagementOrGovernanceBreakdown
        ]
    );
    assert_eq!(
        Ground::SafetyThreatened.citation(),
        "Education and Inspections Act 2006 s60(2)(c)"
    );
}

#[test]
fn removal_rule_for_each_inspection_format() {
    let ri = graded(
        date(2023, 5, 10),
        Some(OeifGrade::RequiresImprovement),
        None,
    );
    let good_later = graded(date(2025, 3, 4), Some(OeifGrade::Good), None);
    let table: Vec<(&str, Vec<Inspection>, bool)> = vec![
        ("no inspections", vec![], true),
        (
            "latest good",
            vec![graded(date(2022, 1, 1), Some(OeifGrade::Good), None)],
            true,
        ),
        ("latest RI", vec![ri.clone()], false),
        (
            "latest inadequate",
            vec![graded(date(2023, 5, 10), Some(OeifGrade::Inadequate), None)],
            false,
        ),
        (
            "serious weaknesses",
            vec![graded(
                date(2023, 5, 10),
                Some(OeifGrade::Inadequate),
                Some(CategoryOfConcern::SeriousWeaknesses),
            )],
            false,
        ),
        (
            "special measures",
            vec![graded(
                date(2023, 5, 10),
                Some(OeifGrade::Inadequate),
                Some(CategoryOfConcern::SpecialMeasures),
            )],
            false,
        ),
        ("RI then good", vec![good_later.clone(), ri.clone()], true),
        (
            "good then RI",
            vec![
                ri.clone(),
                graded(date(2020, 1, 1), Some(OeifGrade::Good), None),
            ],
            false,
        ),
        (
            "RI then ungraded 'remains good'",
            vec![
                ri.clone(),
                ungraded(date(2025, 1, 1), "School remains Good"),
            ],
            true,
        ),
        (
            "RI then ungraded monitoring",
            vec![
                ri.clone(),
                ungraded(date(2025, 1, 1), "Taking effective action"),
            ],
            false,
        ),
        (
            "post-2024 no overall, RI key judgement",
            vec![no_overall(
                date(2025, 1, 20),
                OeifGrade::RequiresImprovement,
            )],
            false,
        ),
        (
            "post-2024 no overall, all good",
            vec![ri.clone(), no_overall(date(2025, 1, 20), OeifGrade::Good)],
            true,
        ),
        (
            "report card urgent improvement (RSI)",
            vec![report_card(
                date(2026, 2, 2),
                &[
                    (A::Achievement, G::UrgentImprovement),
                    (A::LeadershipAndGovernance, G::ExpectedStandard),
                ],
                SafeguardingStandard::Met,
            )],
            false,
        ),
        (
            "report card safeguarding not met",
            vec![report_card(
                date(2026, 2, 2),
                &[(A::Achievement, G::ExpectedStandard)],
                SafeguardingStandard::NotMet,
            )],
            false,
        ),
        (
            "RI then report card all expected, safeguarding met",
            vec![
                ri.clone(),
                report_card(
                    date(2026, 2, 2),
                    &[
                        (A::Achievement, G::ExpectedStandard),
                        (A::LeadershipAndGovernance, G::StrongStandard),
                    ],
                    SafeguardingStandard::Met,
                ),
            ],
            true,
        ),
        (
            "RI then report card with needs attention",
            vec![
                ri.clone(),
                report_card(
                    date(2026, 2, 2),
                    &[
                        (A::Achievement, G::NeedsAttention),
                        (A::LeadershipAndGovernance, G::ExpectedStandard),
                    ],
                    SafeguardingStandard::Met,
                ),
            ],
            false,
        ),
        (
            "report card needs attention alone does not block",
            vec![report_card(
                date(2026, 2, 2),
                &[(A::Achievement, G::NeedsAttention)],
                SafeguardingStandard::Met,
            )],
            true,
        ),
    ];
    for (name, inspections, allowed) in table {
        let result = can_remove(&facts(inspections));
        assert_eq!(result.is_ok(), allowed, "{name}: {result:?}");
        if let Err(Blocked { reason }) = result {
            assert!(reason.contains("Removal is blocked"), "{name}: {reason}");
            assert!(
                reason.contains("Barnet"),
                "{name} cites its source: {reason}"
            );
        }
    }
}

#[test]
fn report_card_categories_follow_design_section_8() {
    let rc = |grades: &[(A, G)], sg| match report_card(date(2026, 1, 1), grades, sg) {
        Inspection::ReportCard(r) => report_card_category(&r),
        _ => unreachable!(),
    };
    assert_eq!(
        rc(
            &[
                (A::LeadershipAndGovernance, G::UrgentImprovement),
                (A::Inclusion, G::UrgentImprovement)
            ],
            SafeguardingStandard::Met
        ),
        Some(CategoryOfConcern::SpecialMeasures)
    );
    assert_eq!(
        rc(
            &[(A::LeadershipAndGovernance, G::UrgentImprovement)],
            SafeguardingStandard::NotMet
        ),
        Some(CategoryOfConcern::SpecialMeasures)
    );
    assert_eq!(
        rc(
            &[(A::LeadershipAndGovernance, G::UrgentImprovement)],
            SafeguardingStandard::Met
        ),
        Some(CategoryOfConcern::RequiresSignificantImprovement)
    );
    assert_eq!(
        rc(
            &[(A::Inclusion, G::NeedsAttention)],
            SafeguardingStandard::Met
        ),
        None
    );
}

fn decision(kind: DecisionKind, on: Date) -> Decision {
    Decision::new(
        kind,
        on,
        "Progress has stalled against the plan",
        vec!["ri-or-worse".into()],
    )
    .expect("valid decision")
}

#[test]
fn decisions_need_rationale_and_designation_needs_triggers() {
    let d = date(2026, 10, 6);
    assert_eq!(
        Decision::new(DecisionKind::Continue, d, "   ", vec![]),
        Err(DecisionError::MissingRationale)
    );
    assert_eq!(
        Decision::new(DecisionKind::Designate, d, "Judged RI", vec![]),
        Err(DecisionError::MissingTriggers)
    );
    assert_eq!(
        Decision::new(DecisionKind::Other(" ".into()), d, "x", vec![]),
        Err(DecisionError::MissingDescription)
    );
    assert!(Decision::new(DecisionKind::Continue, d, "Sustained progress", vec![]).is_ok());
}

#[test]
fn case_life_and_illegal_transitions() {
    let ri = facts(vec![graded(
        date(2025, 5, 10),
        Some(OeifGrade::RequiresImprovement),
        None,
    )]);
    let mut case = Case::new(Governance::Maintained);
    // Cannot continue or remove a school that is not on the list.
    assert!(matches!(
        case.decide(decision(DecisionKind::Continue, date(2026, 10, 6)), &ri),
        Err(DecisionError::IllegalTransition { .. })
    ));
    assert!(matches!(
        case.decide(decision(DecisionKind::Remove, date(2026, 10, 6)), &ri),
        Err(DecisionError::IllegalTransition { .. })
    ));
    assert!(matches!(
        case.assign_lead_officer(date(2026, 10, 6), "A. Officer"),
        Err(DecisionError::IllegalTransition { .. })
    ));
    assert_eq!(
        case.decide(decision(DecisionKind::Designate, date(2026, 10, 6)), &ri),
        Ok(CaseState::AwaitingLeadOfficer)
    );
    assert!(matches!(
        case.decide(decision(DecisionKind::Designate, date(2026, 10, 7)), &ri),
        Err(DecisionError::IllegalTransition { .. })
    ));
    assert_eq!(
        case.assign_lead_officer(date(2026, 10, 8), " "),
        Err(DecisionError::MissingLeadOfficer)
    );
    assert_eq!(
        case.assign_lead_officer(date(2026, 10, 8), "A. Officer"),
        Ok(CaseState::OnList)
    );
    assert_eq!(case.lead_officer(), Some("A. Officer"));
    assert_eq!(
        case.decide(decision(DecisionKind::Continue, date(2026, 12, 1)), &ri),
        Ok(CaseState::OnList)
    );
    // Dates move forward only.
    assert!(matches!(
        case.decide(decision(DecisionKind::Continue, date(2026, 11, 1)), &ri),
        Err(DecisionError::OutOfOrder { .. })
    ));
    // RI school: removal refused, with the reason, and nothing changes.
    let before = case.clone();
    let refused = case.decide(decision(DecisionKind::Remove, date(2027, 1, 12)), &ri);
    match refused {
        Err(DecisionError::RemovalBlocked(Blocked { reason })) => {
            assert!(reason.contains("requires improvement"), "{reason}")
        }
        other => panic!("expected a blocked removal, got {other:?}"),
    }
    assert_eq!(case, before);
    // After a good inspection: removal allowed.
    let mut better = ri.clone();
    better
        .inspections
        .push(graded(date(2027, 2, 1), Some(OeifGrade::Good), None));
    assert_eq!(
        case.decide(decision(DecisionKind::Remove, date(2027, 3, 1)), &better),
        Ok(CaseState::Removed)
    );
    assert_eq!(case.lead_officer(), None);
    assert_eq!(case.timeline().len(), 4);
}

#[test]
fn consequences_create_list_changes_letters_and_tasks() {
    let cal = cal();
    let deadlines = FollowUpDeadlines::default();
    // Decided on Friday 18 December 2026: 10 working days is 6 January 2027.
    let on = date(2026, 12, 18);
    let designate = consequences(
        &decision(DecisionKind::Designate, on),
        Governance::Maintained,
        &cal,
        &deadlines,
    )
    .expect("follow-ups");
    assert_eq!(
        designate[0],
        FollowUp::List {
            change: ListChange::Add
        }
    );
    assert!(
        matches!(&designate[1], FollowUp::Letter { kind: LetterKind::PriorityDecision, due, .. } if *due == date(2027, 1, 6))
    );
    assert!(designate.iter().any(|f| matches!(f, FollowUp::Task { owner: OwnerRole::HeadOfSchoolImprovement, due, .. } if *due == date(2026, 12, 29))));

    let remove = consequences(
        &decision(DecisionKind::Remove, on),
        Governance::Maintained,
        &cal,
        &deadlines,
    )
    .expect("follow-ups");
    assert!(remove.iter().any(|f| matches!(
        f,
        FollowUp::Letter {
            kind: LetterKind::Removal,
            ..
        }
    )));

    let recommend = consequences(
        &decision(DecisionKind::RecommendWarningNotice, on),
        Governance::Maintained,
        &cal,
        &deadlines,
    )
    .expect("follow-ups");
    assert!(recommend.iter().any(|f| matches!(
        f,
        FollowUp::Task {
            owner: OwnerRole::DirectorOfChildrensServices,
            ..
        }
    )));
    assert!(recommend.iter().any(|f| matches!(
        f,
        FollowUp::Letter {
            kind: LetterKind::WarningNotice,
            ..
        }
    )));

    let academy = consequences(
        &decision(DecisionKind::RecommendWarningNotice, on),
        Governance::Academy,
        &cal,
        &deadlines,
    );
    assert!(
        matches!(academy, Err(DecisionError::NotForAcademy(reason)) if reason.contains("regional director"))
    );
    let concern = consequences(
        &decision(DecisionKind::LetterOfConcern, on),
        Governance::Academy,
        &cal,
        &deadlines,
    )
    .expect("follow-ups");
    assert!(matches!(
        &concern[0],
        FollowUp::Letter {
            kind: LetterKind::AcademyConcernToTrust,
            ..
        }
    ));
    let escalate = consequences(
        &decision(DecisionKind::Escalate, on),
        Governance::Academy,
        &cal,
        &deadlines,
    )
    .expect("follow-ups");
    assert!(matches!(
        &escalate[0],
        FollowUp::Letter {
            kind: LetterKind::AcademyConcernToRegionalDirector,
            ..
        }
    ));

    let policy = Policy::preset("la-differentiated").expect("preset");
    assert_eq!(FollowUpDeadlines::from_policy(&policy).decision_letter, 10);
}

#[test]
fn escalation_to_an_interim_executive_board() {
    let cal = cal();
    let mut e = Escalation::new(Governance::Maintained);
    e.send_letter_of_concern(date(2026, 11, 20), "Insufficient engagement with the plan")
        .expect("letter");
    // Powers and written notice are refused before a notice fails.
    assert!(matches!(
        e.give_written_notice(
            date(2026, 11, 21),
            vec![PowerKind::S65InterimExecutiveBoard],
            "Lead"
        ),
        Err(EscalationError::IllegalTransition { .. })
    ));
    assert!(matches!(
        e.use_power(date(2026, 11, 21), Power::S66SuspendDelegatedBudget, "Lead"),
        Err(EscalationError::IllegalTransition { .. })
    ));
    let notice = e
        .give_warning_notice(
            draft(
                date(2026, 12, 18),
                vec![Ground::UnacceptablyLowStandards],
                15,
            ),
            &cal,
        )
        .expect("notice");
    assert_eq!(notice.compliance_end_date, date(2027, 1, 13));
    // Failure cannot be recorded on the last day of the period.
    assert_eq!(
        e.record_not_complied(date(2027, 1, 13), "No review commissioned"),
        Err(EscalationError::ComplianceNotEnded {
            ends: date(2027, 1, 13)
        })
    );
    e.record_not_complied(date(2027, 1, 14), "No review commissioned")
        .expect("not complied");
    assert!(!e.is_eligible());
    e.give_written_notice(
        date(2027, 1, 18),
        vec![PowerKind::S65InterimExecutiveBoard],
        "Director of Children's Services",
    )
    .expect("written notice");
    assert!(e.is_eligible());
    assert_eq!(e.eligibility()[0].0, EligibilityRoute::UnmetS60Notice);
    // A power not proposed is refused; an IEB needs two members and a lead's sign-off.
    assert_eq!(
        e.use_power(date(2027, 2, 1), Power::S66SuspendDelegatedBudget, "Lead"),
        Err(EscalationError::PowerNotProposed {
            power: PowerKind::S66SuspendDelegatedBudget
        })
    );
    assert!(matches!(
        e.use_power(
            date(2027, 2, 1),
            Power::S65InterimExecutiveBoard {
                members: vec!["One".into()]
            },
            "Lead"
        ),
        Err(EscalationError::InvalidPower(_))
    ));
    assert_eq!(
        e.use_power(
            date(2027, 2, 1),
            Power::S65InterimExecutiveBoard {
                members: vec!["One".into(), "Two".into()]
            },
            " "
        ),
        Err(EscalationError::NotSignedOff)
    );
    e.use_power(
        date(2027, 2, 1),
        Power::S65InterimExecutiveBoard {
            members: vec!["One".into(), "Two".into()],
        },
        "Head of Service",
    )
    .expect("IEB");
    assert_eq!(e.stage(), Stage::PowersInUse);
    assert_eq!(e.powers().len(), 1);
    // The policy engine agrees the school is eligible.
    let fact = e.notices()[0].to_fact(
        Some(date(2027, 1, 18)),
        uplift_domain::policy::Provenance::new("test", None),
    );
    assert!(uplift_domain::policy::unmet_after_compliance(
        &fact,
        date(2027, 1, 19)
    ));
}

#[test]
fn illegal_transitions_table() {
    use Action as Ac;
    use Stage as S;
    let m = Governance::Maintained;
    let table: &[(S, Ac, bool)] = &[
        (S::Open, Ac::GiveWarningNotice, true),
        (S::Open, Ac::RecordComplied, false),
        (S::Open, Ac::GiveWrittenNotice, false),
        (S::Open, Ac::UsePower, false),
        (S::Open, Ac::RecordCategoryRoute, true),
        (S::WarningNoticeGiven, Ac::GiveWarningNotice, false),
        (S::WarningNoticeGiven, Ac::GiveWrittenNotice, false),
        (S::WarningNoticeGiven, Ac::RecordNotComplied, true),
        (S::Complied, Ac::GiveWrittenNotice, false),
        (S::NotComplied, Ac::GiveWrittenNotice, true),
        (S::NotComplied, Ac::UsePower, false),
        (S::EligibleForIntervention, Ac::UsePower, true),
        (S::Open, Ac::RaiseWithTrust, false),
    ];
    for (from, action, ok) in table {
        assert_eq!(
            transition(m, *from, *action).is_ok(),
            *ok,
            "{from:?} {action:?}"
        );
    }
}

#[test]
fn academies_get_no_local_authority_powers() {
    let cal = cal();
    let a = Governance::Academy;
    for action in [
        Action::GiveWarningNotice,
        Action::GiveWrittenNotice,
        Action::UsePower,
        Action::RecordCategoryRoute,
    ] {
        for stage in [
            Stage::Open,
            Stage::RaisedWithTrust,
            Stage::RaisedWithRegionalDirector,
        ] {
            let err = transition(a, stage, action).expect_err("refused");
            assert_eq!(
                err,
                EscalationError::AcademyNoLocalAuthorityPowers { action }
            );
            assert!(err.to_string().contains("Part 4"));
        }
    }
    let mut e = Escalation::new(a);
    assert!(matches!(
        e.give_warning_notice(
            draft(date(2026, 12, 18), vec![Ground::SafetyThreatened], 15),
            &cal
        ),
        Err(EscalationError::AcademyNoLocalAuthorityPowers { .. })
    ));
    assert!(matches!(
        e.raise_with_regional_director(date(2026, 12, 1), "Safeguarding"),
        Err(EscalationError::IllegalTransition { .. })
    ));
    e.raise_with_trust(date(2026, 12, 1), "Safeguarding arrangements")
        .expect("trust");
    e.raise_with_regional_director(date(2027, 1, 15), "No effective engagement")
        .expect("regional director");
    assert_eq!(e.stage(), Stage::RaisedWithRegionalDirector);
}

#[test]
fn spb_protocol_deadlines() {
    let cal = cal();
    let dl = SpbDeadlines::default();
    let mut spb = SpbProtocol::request("Priority Partner", date(2026, 11, 2)).expect("request");
    assert!(matches!(
        spb.nominate_chair(date(2026, 11, 3), "Chair"),
        Err(SpbError::OutOfOrder { .. })
    ));
    spb.decide(date(2026, 11, 4), true, true).expect("agreed");
    spb.nominate_chair(date(2026, 11, 5), "A. Chair")
        .expect("chair");
    assert_eq!(
        spb.offer_dates(
            date(2026, 11, 6),
            vec![date(2027, 1, 12), date(2027, 1, 12), date(2027, 1, 14)]
        ),
        Err(SpbError::TooFewDates(2))
    );
    spb.offer_dates(
        date(2026, 11, 6),
        vec![date(2027, 1, 12), date(2027, 1, 13), date(2027, 1, 14)],
    )
    .expect("dates");
    assert_eq!(
        spb.choose_date(date(2026, 11, 10), date(2027, 1, 15)),
        Err(SpbError::NotOffered(date(2027, 1, 15)))
    );
    spb.choose_date(date(2026, 11, 10), date(2027, 1, 12))
        .expect("chosen");
    assert_eq!(
        spb.confirm(date(2026, 11, 11), false),
        Err(SpbError::GovernorsRequired)
    );
    spb.confirm(date(2026, 11, 11), true).expect("confirmed");
    // Meeting Tuesday 12 January 2027: five working days before is Tuesday
    // 5 January (1 January is a bank holiday).
    let status = spb.status(&cal, &dl, date(2026, 12, 30)).expect("status");
    assert_eq!(
        status
            .iter()
            .find(|s| s.step == SpbStep::ChairIntroduced)
            .map(|s| s.state),
        Some(StepState::Pending)
    );
    // Two working days before the deadline: at risk.
    let status = spb.status(&cal, &dl, date(2026, 12, 31)).expect("status");
    let intro = status
        .iter()
        .find(|s| s.step == SpbStep::ChairIntroduced)
        .expect("intro");
    assert_eq!(intro.due, Some(date(2027, 1, 5)));
    assert_eq!(intro.state, StepState::AtRisk);
    let visit = status
        .iter()
        .find(|s| s.step == SpbStep::PartnerVisit)
        .expect("visit");
    assert_eq!(visit.window_start, Some(date(2027, 1, 5)));
    let status = spb.status(&cal, &dl, date(2027, 1, 6)).expect("status");
    assert_eq!(
        status
            .iter()
            .find(|s| s.step == SpbStep::ChairIntroduced)
            .map(|s| s.state),
        Some(StepState::Overdue)
    );
    spb.chair_introduced(date(2027, 1, 7))
        .expect("late introduction recorded");
    spb.partner_visit(date(2027, 1, 8)).expect("visit");
    spb.hold(date(2027, 1, 12), vec![date(2027, 3, 9)])
        .expect("held");
    let status = spb.status(&cal, &dl, date(2027, 1, 20)).expect("status");
    let by = |step| {
        status
            .iter()
            .find(|s| s.step == step)
            .expect("step")
            .clone()
    };
    assert!(matches!(
        by(SpbStep::ChairIntroduced).state,
        StepState::Done { late: true, .. }
    ));
    assert!(matches!(
        by(SpbStep::PartnerVisit).state,
        StepState::Done {
            late: false,
            early: false,
            ..
        }
    ));
    assert_eq!(by(SpbStep::NotesSent).due, Some(date(2027, 1, 19)));
    assert_eq!(by(SpbStep::NotesSent).state, StepState::Overdue);
    spb.notes_sent(date(2027, 1, 19)).expect("notes");
    let status = spb.status(&cal, &dl, date(2027, 1, 20)).expect("status");
    assert!(matches!(
        status
            .iter()
            .find(|s| s.step == SpbStep::NotesSent)
            .map(|s| s.state),
        Some(StepState::Done { late: false, .. })
    ));
}

#[test]
fn spb_qualifies_automatically_in_special_measures_or_serious_weaknesses() {
    let mut spb = SpbProtocol::automatic(CategoryOfConcern::SpecialMeasures, date(2026, 11, 2))
        .expect("automatic");
    spb.nominate_chair(date(2026, 11, 3), "Chair")
        .expect("no approval needed");
    assert!(
        SpbProtocol::automatic(CategoryOfConcern::SeriousWeaknesses, date(2026, 11, 2)).is_ok()
    );
    assert_eq!(
        SpbProtocol::automatic(
            CategoryOfConcern::RequiresSignificantImprovement,
            date(2026, 11, 2)
        ),
        Err(SpbError::NotAutomatic)
    );
    let mut refused = SpbProtocol::request("NLE", date(2026, 11, 2)).expect("request");
    refused
        .decide(date(2026, 11, 3), true, false)
        .expect("recorded");
    assert_eq!(
        refused.nominate_chair(date(2026, 11, 4), "Chair"),
        Err(SpbError::NotApproved)
    );
}

#[test]
fn schedules_lay_cadences_in_term_time() {
    let cal = cal();
    let terms = TermDates::england_default(AcademicYear::new(2026).expect("year")).expect("terms");
    let pref = SchedulePreference::default();
    let srg = schedule(
        MeetingKind::SchoolsReviewGroup,
        Cadence::HalfTermly,
        &terms,
        &cal,
        pref,
    );
    assert_eq!(srg.meetings.len(), 6);
    let monthly = schedule(
        MeetingKind::SchoolsCausingConcern,
        Cadence::Monthly,
        &terms,
        &cal,
        pref,
    );
    // August has no term-time Tuesday.
    assert!(monthly
        .warnings
        .iter()
        .any(|w| w.message.contains("August")));
    assert_eq!(monthly.meetings.len(), 11);
    let fortnightly = schedule(
        MeetingKind::AdvisoryCommittee,
        Cadence::Fortnightly,
        &terms,
        &cal,
        pref,
    );
    assert!(fortnightly.meetings.len() >= 18);
    let termly = schedule(
        MeetingKind::MonitoringAndChallenge,
        Cadence::Termly,
        &terms,
        &cal,
        pref,
    );
    assert_eq!(termly.meetings.len(), 3);
    for s in [&srg, &monthly, &fortnightly, &termly] {
        assert!(s.meetings.iter().all(|m| terms.is_term_time(m.date)));
    }
    assert!(schedule(
        MeetingKind::SchoolPerformanceBoard,
        Cadence::AsArranged,
        &terms,
        &cal,
        pref
    )
    .meetings
    .is_empty());
    // Mondays of the fifth week: in summer 1 that is 3 May 2027, the early May
    // bank holiday: kept, with a warning.
    let mondays = schedule(
        MeetingKind::SchoolsReviewGroup,
        Cadence::HalfTermly,
        &terms,
        &cal,
        SchedulePreference {
            weekday: jiff::civil::Weekday::Monday,
            week: 5,
        },
    );
    assert!(mondays.meetings.iter().any(|m| m.date == date(2027, 5, 3)));
    assert!(mondays
        .warnings
        .iter()
        .any(|w| w.date == date(2027, 5, 3) && w.message.contains("bank holiday")));
    assert_eq!(check_meeting_date(date(2026, 12, 28), &cal).len(), 1);
    assert!(check_meeting_date(date(2026, 12, 29), &cal).is_empty());
}

#[test]
fn agenda_builds_itself() {
    let urn = |n| Urn::new(n).expect("urn");
    let cases = vec![
        AgendaCase {
            urn: urn(100001),
            school: "Beech Primary".into(),
            state: CaseState::OnList,
            lead_officer: Some("LO".into()),
        },
        AgendaCase {
            urn: urn(100002),
            school: "Ash Primary".into(),
            state: CaseState::AwaitingLeadOfficer,
            lead_officer: None,
        },
        AgendaCase {
            urn: urn(100003),
            school: "Cedar".into(),
            state: CaseState::Removed,
            lead_officer: None,
        },
    ];
    let proposals = vec![
        AgendaProposal {
            urn: urn(100004),
            school: "Elm".into(),
            action: ProposalAction::RemoveFromCausingConcernList,
            reason: "Good".into(),
        },
        AgendaProposal {
            urn: urn(100005),
            school: "Fir".into(),
            action: ProposalAction::AddToCausingConcernList,
            reason: "RI".into(),
        },
    ];
    let deadlines = vec![
        OpenDeadline {
            urn: urn(100001),
            school: "Beech Primary".into(),
            what: "Action plan".into(),
            due: date(2026, 11, 1),
            done: false,
        },
        OpenDeadline {
            urn: urn(100001),
            school: "Beech Primary".into(),
            what: "Done".into(),
            due: date(2026, 11, 1),
            done: true,
        },
        OpenDeadline {
            urn: urn(100002),
            school: "Ash Primary".into(),
            what: "Not yet due".into(),
            due: date(2026, 11, 17),
            done: false,
        },
    ];
    let agenda = build_agenda(
        MeetingKind::SchoolsReviewGroup,
        date(2026, 11, 17),
        None,
        &cases,
        &proposals,
        &deadlines,
    );
    let summary: Vec<(AgendaSection, &str)> = agenda
        .items
        .iter()
        .map(|i| (i.section, i.school.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (AgendaSection::Proposals, "Fir"),
            (AgendaSection::Proposals, "Elm"),
            (AgendaSection::Overdue, "Beech Primary"),
            (AgendaSection::CaseReview, "Ash Primary"),
            (AgendaSection::CaseReview, "Beech Primary"),
        ]
    );
    let mcm = build_agenda(
        MeetingKind::MonitoringAndChallenge,
        date(2026, 11, 17),
        Some(urn(100002)),
        &cases,
        &proposals,
        &deadlines,
    );
    assert!(mcm.items.iter().all(|i| i.urn == urn(100002)));
}

#[test]
fn plan_versions_are_kept() {
    use uplift_domain::policy::Rag;
    let content = |title: &str| PlanContent {
        priorities: vec![Priority {
            title: title.into(),
            success_criteria: vec!["Phonics screening at national".into()],
            actions: vec![uplift_domain::concern::plan::Action {
                description: "Phonics training for KS1 staff".into(),
                owner: OwnerKind::BrokeredPartner,
                owner_name: Some("Teaching school".into()),
                milestones: vec![Milestone {
                    due: date(2026, 12, 1),
                    description: "Training done".into(),
                    met: None,
                }],
                success_criteria: vec![],
                evidence: vec![],
                rag: Rag::Amber,
            }],
        }],
        review_cadence: ReviewCadence::HalfTermly,
    };
    let mut plan = Plan::agree(
        PlanKind::StatementOfAction,
        date(2026, 10, 1),
        content("Reading"),
    )
    .expect("v1");
    let terms = TermDates::england_default(AcademicYear::new(2026).expect("year")).expect("terms");
    assert_eq!(plan.next_review_due(&terms), Some(date(2026, 10, 23)));
    let judgement = ReviewJudgement {
        progress: Rag::Amber,
        summary: "Some progress".into(),
        attendees: vec![],
    };
    assert!(matches!(
        plan.review(date(2026, 10, 1), judgement.clone(), content("Reading")),
        Err(PlanError::NotAfter { .. })
    ));
    assert_eq!(
        plan.review(
            date(2026, 10, 20),
            judgement.clone(),
            PlanContent {
                priorities: vec![],
                review_cadence: ReviewCadence::Termly
            }
        ),
        Err(PlanError::NoPriorities)
    );
    plan.review(
        date(2026, 10, 20),
        judgement,
        content("Reading and writing"),
    )
    .expect("v2");
    assert_eq!(plan.versions().len(), 2);
    assert_eq!(plan.versions()[0].content, content("Reading"));
    assert_eq!(plan.current().number, 2);
}

#[test]
fn letter_templates_parse_render_and_refuse_unknown_placeholders() {
    for kind in LetterKind::ALL {
        let t = Template::default_for(kind).unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        assert!(t.used().contains(&"school.name"), "{kind:?}");
    }
    let errors = Template::parse(LetterKind::Removal, "Dear {{headteacher.name}},\n\nWe {{ decision.rationale }} and {{notice.compliance_end_date}}.")
        .expect_err("refused");
    assert_eq!(
        errors,
        vec![TemplateError::UnknownPlaceholder {
            name: "notice.compliance_end_date".into(),
            line: 3,
            column: 33,
            kind: LetterKind::Removal
        }]
    );
    assert_eq!(errors[0].to_string(), "line 3, column 33: unknown placeholder {{notice.compliance_end_date}} for a Removal letter");
    let errors = Template::parse(
        LetterKind::Removal,
        "{{decision.rationale}}\n  {{school.name",
    )
    .expect_err("refused");
    assert_eq!(
        errors,
        vec![TemplateError::Unterminated { line: 2, column: 3 }]
    );
    let errors = Template::parse(
        LetterKind::Removal,
        "{{decision.rationale}} {{School Name}}",
    )
    .expect_err("refused");
    assert!(matches!(
        &errors[0],
        TemplateError::BadName {
            line: 1,
            column: 24,
            ..
        }
    ));
    let errors = Template::parse(
        LetterKind::WarningNotice,
        "{{notice.grounds}} {{notice.concerns}} {{notice.required_action}}",
    )
    .expect_err("refused");
    assert_eq!(
        errors,
        vec![TemplateError::MissingRequired {
            name: "notice.compliance_end_date".into(),
            kind: LetterKind::WarningNotice
        }]
    );

    let t = Template::parse(
        LetterKind::Removal,
        "Dear {{ headteacher.name }}: {{decision.rationale}}",
    )
    .expect("parses");
    let ctx = LetterContext::new().with("headteacher.name", "Ms Khan");
    assert_eq!(
        t.render(&ctx),
        Err(RenderError {
            missing: vec!["decision.rationale".into()]
        })
    );
    let ctx = ctx.with("decision.rationale", "Judged good in February 2027.");
    assert_eq!(
        t.render(&ctx).as_deref(),
        Ok("Dear Ms Khan: Judged good in February 2027.")
    );

    let notice = WarningNotice::give(
        draft(
            date(2026, 12, 18),
            vec![Ground::UnacceptablyLowStandards],
            15,
        ),
        &cal(),
    )
    .expect("notice");
    let wn = Template::default_for(LetterKind::WarningNotice).expect("parses");
    let ctx = LetterContext::new()
        .with("authority.name", "Example Council")
        .with("letter.date", long_date(date(2026, 12, 18)))
        .with("school.name", "Beech Primary")
        .with("school.urn", "100001")
        .with("headteacher.name", "Ms Khan")
        .with("chair.name", "Mr Jones")
        .with("signatory.name", "A. Director")
        .with("signatory.role", "Director of Children's Services")
        .with_notice(&notice);
    let text = wn.render(&ctx).expect("renders");
    assert!(text.contains("Wednesday 13 January 2027"), "{text}");
    assert!(text.contains("s60(2)(a)"));
    assert!(text.contains("section 65"));
}

#[test]
fn not_a_priority_only_without_an_open_case_and_drafts_its_letter() {
    let none = facts(vec![]);
    let on = date(2026, 12, 18);
    // A school with no case: considered and not a priority; nothing on the list changes.
    let mut case = Case::new(Governance::Maintained);
    assert_eq!(
        case.decide(decision(DecisionKind::NotAPriority, on), &none),
        Ok(CaseState::NotOnList)
    );
    // It needs a rationale like every decision.
    assert_eq!(
        Decision::new(DecisionKind::NotAPriority, on, " ", vec![]),
        Err(DecisionError::MissingRationale)
    );
    // No triggers are needed: the school was considered, not designated.
    assert!(Decision::new(DecisionKind::NotAPriority, on, "Data improving", vec![]).is_ok());
    // Designated later, the open case refuses "not a priority" with the reason.
    case.decide(decision(DecisionKind::Designate, date(2027, 1, 5)), &none)
        .expect("designated");
    let before = case.clone();
    match case.decide(
        decision(DecisionKind::NotAPriority, date(2027, 1, 6)),
        &none,
    ) {
        Err(e @ DecisionError::IllegalTransition { .. }) => {
            let text = e.to_string();
            assert!(text.contains("open case"), "{text}");
            assert!(text.contains("continue"), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(case, before, "nothing changes on refusal");
    // A school removed from the list may be considered again.
    let mut removed = Case::new(Governance::Academy);
    removed
        .decide(decision(DecisionKind::Designate, date(2026, 9, 7)), &none)
        .expect("designated");
    removed
        .decide(decision(DecisionKind::Remove, date(2026, 10, 5)), &none)
        .expect("removed");
    assert_eq!(
        removed.decide(decision(DecisionKind::NotAPriority, on), &none),
        Ok(CaseState::Removed)
    );

    // The consequence: the "not a priority" letter, due within the decision-letter
    // deadline (10 working days from Friday 18 December 2026 is 6 January 2027),
    // and no list change or task.
    let follow = consequences(
        &decision(DecisionKind::NotAPriority, on),
        Governance::Maintained,
        &cal(),
        &FollowUpDeadlines::default(),
    )
    .expect("follow-ups");
    assert_eq!(follow.len(), 1, "{follow:?}");
    assert!(
        matches!(&follow[0], FollowUp::Letter { kind: LetterKind::NotAPriority, due, reason } if *due == date(2027, 1, 6) && reason.contains("chair of governors"))
    );
    assert_eq!(
        DecisionKind::NotAPriority.label(),
        "Considered and not a priority"
    );
}

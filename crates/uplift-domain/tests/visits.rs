//! Issue 5: entitlements, planning, delivery, workflow, notes, QA, caseload, ICS.

use jiff::civil::{date, time, Date};
use std::collections::{BTreeMap, BTreeSet};
use uplift_domain::calendar::{
    AcademicYear, BankHolidays, TermDates, TermName, WorkingDayCalendar,
};
use uplift_domain::policy::{categorise, IntelligenceItem, Policy, Provenance, SchoolFacts};
use uplift_domain::register::{Governance, SixthForm, Urn};
use uplift_domain::visits::caseload::{caseload, Adviser, DaysPerVisit, Expertise, SchoolNeeds};
use uplift_domain::visits::delivery::{delivery, DeliveryStatus, DueVisit, Grouping, VisitRecord};
use uplift_domain::visits::entitlement::{
    entitlement_for, plan_visits, AdditionalVisitKind, SchoolEntitlement, VisitRules,
};
use uplift_domain::visits::ics::{escape_text, render_calendar, CalendarEvent, EventTime};
use uplift_domain::visits::note::{AgreedActionForm, FocusAreaForm, Judgement, NoteOfVisitForm};
use uplift_domain::visits::qa::{
    missing_shadowed_visits, qa_overview, ModerationForm, ModerationRecord, QaRating, ShadowedVisit,
};
use uplift_domain::visits::workflow::{
    Actor, ActorRole, HeadResponse, Stage, Visit, VisitAction, VisitPlan, WorkflowError,
};
use uplift_domain::visits::{draw_qa_sample, FieldError, FinalisedNote, QaConfig, VisitType};

fn urn(n: u32) -> Urn {
    Urn::new(n).unwrap()
}

fn year() -> AcademicYear {
    AcademicYear::new(2026).unwrap()
}

fn terms() -> TermDates {
    TermDates::england_default(year()).unwrap()
}

fn cal() -> BankHolidays {
    BankHolidays::bundled().unwrap()
}

const PLAIN: &str = r#"
[policy]
name = "plain"
title = "Plain"
follows = "a test policy with no adjustments"

[[category]]
id = "all"
label = "All schools"
rag = "green"
visits = { school_effectiveness = 2 }
"#;

fn facts() -> SchoolFacts {
    let mut f = SchoolFacts::new(urn(100001), "Test School", date(2026, 9, 1));
    f.phase = Some("Primary".into());
    f
}

fn intel(kind: &str, d: Date) -> IntelligenceItem {
    IntelligenceItem {
        kind: kind.into(),
        date: d,
        summary: None,
        source: Provenance::new("test", Some(d)),
    }
}

fn entitle(policy: &Policy, f: &SchoolFacts) -> SchoolEntitlement {
    let placement = categorise(policy, f);
    entitlement_for(policy, &placement, f, &VisitRules::issue_5())
}

fn has_reason(e: &SchoolEntitlement, t: &VisitType, rule: &str) -> bool {
    e.visits
        .iter()
        .find(|v| &v.visit_type == t)
        .is_some_and(|v| v.reasons.iter().any(|r| r.rule == rule))
}

// ---- 1. Entitlements ------------------------------------------------------

#[test]
fn circumstance_table_under_a_policy_without_adjustments() {
    let plain = Policy::parse("plain.toml", PLAIN).unwrap();
    type Setup = fn(&mut SchoolFacts);
    let cases: Vec<(&str, Setup, VisitType, u32, &str)> = vec![
        (
            "plain primary",
            |_| {},
            VisitType::SchoolEffectiveness,
            2,
            "policy:all",
        ),
        (
            "maintained secondary with sixth form",
            |f| {
                f.phase = Some("Secondary".into());
                f.sixth_form = SixthForm::Yes;
            },
            VisitType::SchoolEffectiveness,
            3,
            "secondary-sixth-form",
        ),
        (
            "all-through with sixth form",
            |f| {
                f.phase = Some("All-through".into());
                f.sixth_form = SixthForm::Yes;
            },
            VisitType::SchoolEffectiveness,
            3,
            "secondary-sixth-form",
        ),
        (
            "PRU",
            |f| f.is_pru = true,
            VisitType::SchoolEffectiveness,
            2,
            "pru",
        ),
        (
            "academy",
            |f| f.governance = Governance::Academy,
            VisitType::KeepingInTouch,
            1,
            "academy",
        ),
        (
            "new head started in the year",
            |f| f.head_start_date = Some((date(2026, 9, 1), Provenance::default())),
            VisitType::NewToHeadship,
            1,
            "new-to-headship",
        ),
        (
            "head new to the area",
            |f| {
                f.intelligence
                    .push(intel("head_new_to_area", date(2026, 6, 1)))
            },
            VisitType::NewToHeadship,
            1,
            "new-to-headship",
        ),
    ];
    for (name, setup, t, count, rule) in cases {
        let mut f = facts();
        setup(&mut f);
        let e = entitle(&plain, &f);
        assert_eq!(e.count(&t), count, "{name}: {e:#?}");
        assert!(has_reason(&e, &t, rule), "{name}: no reason {rule}: {e:#?}");
        for v in &e.visits {
            assert!(
                !v.reasons.is_empty(),
                "{name}: {} has no reason",
                v.visit_type
            );
        }
    }
}

#[test]
fn secondary_without_sixth_form_or_academy_with_sixth_form_gets_no_third_visit() {
    let plain = Policy::parse("plain.toml", PLAIN).unwrap();
    let mut f = facts();
    f.phase = Some("Secondary".into());
    f.sixth_form = SixthForm::No;
    assert_eq!(
        entitle(&plain, &f).count(&VisitType::SchoolEffectiveness),
        2
    );
    f.sixth_form = SixthForm::Yes;
    f.governance = Governance::Academy;
    let e = entitle(&plain, &f);
    assert_eq!(e.count(&VisitType::SchoolEffectiveness), 2);
    assert_eq!(e.count(&VisitType::KeepingInTouch), 1);
}

#[test]
fn head_who_started_before_the_year_gets_no_new_to_headship_visit() {
    let plain = Policy::parse("plain.toml", PLAIN).unwrap();
    let mut f = facts();
    f.head_start_date = Some((date(2025, 1, 6), Provenance::default()));
    assert_eq!(entitle(&plain, &f).count(&VisitType::NewToHeadship), 0);
}

#[test]
fn each_intelligence_kind_earns_an_additional_visit() {
    let plain = Policy::parse("plain.toml", PLAIN).unwrap();
    for kind in AdditionalVisitKind::ALL {
        for k in kind.intelligence_kinds() {
            let mut f = facts();
            f.intelligence.push(intel(k, date(2026, 7, 1)));
            let e = entitle(&plain, &f);
            let t = if kind == AdditionalVisitKind::Safeguarding {
                VisitType::Safeguarding
            } else {
                VisitType::Additional
            };
            assert_eq!(e.count(&t), 1, "{kind:?} via {k}: {e:#?}");
            let v = e.visits.iter().find(|v| v.visit_type == t).unwrap();
            assert!(
                v.reasons
                    .iter()
                    .any(|r| r.text.contains(kind.label()) && r.source.contains("seed 003")),
                "{kind:?}: {v:#?}"
            );
        }
    }
}

#[test]
fn inspection_expected_fact_counts_and_old_intelligence_does_not() {
    let plain = Policy::parse("plain.toml", PLAIN).unwrap();
    let mut f = facts();
    f.inspection_expected = Some((true, Provenance::new("officer", None)));
    assert_eq!(entitle(&plain, &f).count(&VisitType::Additional), 1);
    let mut f = facts();
    f.intelligence
        .push(intel("critical_incident", date(2025, 6, 1)));
    assert_eq!(entitle(&plain, &f).count(&VisitType::Additional), 0);
}

#[test]
fn additional_visits_add_up_one_per_circumstance() {
    let plain = Policy::parse("plain.toml", PLAIN).unwrap();
    let mut f = facts();
    f.intelligence
        .push(intel("critical_incident", date(2026, 7, 1)));
    f.intelligence
        .push(intel("planned_restructure", date(2026, 7, 2)));
    f.intelligence.push(intel("governance", date(2026, 7, 3)));
    f.intelligence.push(intel("safeguarding", date(2026, 7, 3)));
    let e = entitle(&plain, &f);
    assert_eq!(e.count(&VisitType::Additional), 3);
    assert_eq!(e.count(&VisitType::Safeguarding), 1);
    assert_eq!(e.total(), 2 + 3 + 1);
}

#[test]
fn composes_with_the_la_differentiated_preset_without_double_counting() {
    let policy = Policy::preset("la-differentiated").unwrap();
    let mut f = facts();
    f.phase = Some("Secondary".into());
    f.sixth_form = SixthForm::Yes;
    let placement = categorise(&policy, &f);
    // The policy engine already gives three: the rule is "already met".
    assert_eq!(
        placement.entitlements.visits["school_effectiveness"].count,
        Some(3)
    );
    let e = entitlement_for(&policy, &placement, &f, &VisitRules::issue_5());
    assert_eq!(e.count(&VisitType::SchoolEffectiveness), 3);
    let v = &e
        .visits
        .iter()
        .find(|v| v.visit_type == VisitType::SchoolEffectiveness)
        .unwrap();
    assert!(v.reasons[0].text.contains("secondary-sixth-form"), "{v:#?}");
    assert!(
        v.reasons.iter().any(|r| r.text.contains("already met")),
        "{v:#?}"
    );

    // Academy: the policy sets keeping in touch = 1; the rule agrees.
    let mut f = facts();
    f.governance = Governance::Academy;
    let e = entitle(&policy, &f);
    assert_eq!(e.count(&VisitType::KeepingInTouch), 1);
    assert_eq!(e.count(&VisitType::SchoolEffectiveness), 0);

    // One circumstance: the policy's "additional = 1" already covers it.
    let mut f = facts();
    f.intelligence
        .push(intel("critical_incident", date(2026, 7, 1)));
    assert_eq!(entitle(&policy, &f).count(&VisitType::Additional), 1);
}

#[test]
fn policy_only_rules_leave_the_policy_alone() {
    let plain = Policy::parse("plain.toml", PLAIN).unwrap();
    let mut f = facts();
    f.is_pru = true;
    f.governance = Governance::Academy;
    let placement = categorise(&plain, &f);
    let e = entitlement_for(&plain, &placement, &f, &VisitRules::policy_only());
    assert_eq!(e.total(), 2);
}

// ---- Planning -------------------------------------------------------------

#[test]
fn plan_spreads_visits_on_term_time_working_days() {
    let plain = Policy::parse("plain.toml", PLAIN).unwrap();
    let mut f = facts();
    f.phase = Some("Secondary".into());
    f.sixth_form = SixthForm::Yes;
    f.head_start_date = Some((date(2026, 9, 1), Provenance::default()));
    let e = entitle(&plain, &f);
    let t = terms();
    let c = cal();
    let plan = plan_visits(&e, &t, &c, year().first_day());
    assert_eq!(plan.len() as u32, e.total());
    for p in &plan {
        assert!(t.is_term_time(p.date), "{p:?}");
        assert!(c.is_working_day(p.date), "{p:?}");
        assert!(p.date <= p.due_by);
    }
    let sev_terms: BTreeSet<TermName> = plan
        .iter()
        .filter(|p| p.visit_type == VisitType::SchoolEffectiveness)
        .map(|p| p.half_term.term())
        .collect();
    assert_eq!(sev_terms.len(), 3, "three SEVs, one per term: {plan:#?}");
    let nth = plan
        .iter()
        .find(|p| p.visit_type == VisitType::NewToHeadship)
        .unwrap();
    assert_eq!(nth.half_term.term(), TermName::Autumn);
}

#[test]
fn plan_made_mid_year_uses_only_the_rest_of_the_year_and_many_visits_fit() {
    let policy = Policy::parse(
        "many.toml",
        &PLAIN.replace("school_effectiveness = 2", "school_effectiveness = 19"),
    )
    .unwrap();
    let e = entitle(&policy, &facts());
    let t = terms();
    let c = cal();
    let from = date(2027, 1, 15);
    let plan = plan_visits(&e, &t, &c, from);
    assert_eq!(plan.len(), 19);
    assert!(plan
        .iter()
        .all(|p| p.date >= from && t.is_term_time(p.date) && c.is_working_day(p.date)));
    let dates: BTreeSet<Date> = plan.iter().map(|p| p.date).collect();
    assert_eq!(dates.len(), 19, "distinct days");
}

// ---- 2. Delivery ----------------------------------------------------------

fn due(u: u32, adviser: &str, by: Date, term: TermName) -> DueVisit {
    DueVisit {
        urn: urn(u),
        adviser_id: adviser.into(),
        category: "1".into(),
        visit_type: VisitType::SchoolEffectiveness,
        academic_year: year(),
        term,
        due_by: by,
    }
}

fn rec(id: &str, u: u32, d: Date, completed: bool) -> VisitRecord {
    VisitRecord {
        visit_id: id.into(),
        urn: urn(u),
        visit_type: VisitType::SchoolEffectiveness,
        date: d,
        completed,
    }
}

#[test]
fn overdue_delivered_and_pending() {
    let dues = vec![
        due(1, "a", date(2026, 10, 23), TermName::Autumn),
        due(1, "a", date(2027, 3, 26), TermName::Spring),
        due(2, "b", date(2026, 12, 18), TermName::Autumn),
        due(2, "b", date(2027, 7, 21), TermName::Summer),
    ];
    let visits = vec![
        rec("v1", 1, date(2026, 10, 5), true),
        rec("v2", 2, date(2027, 1, 20), false),
    ];
    let r = delivery(&dues, &visits, date(2027, 1, 10));
    let status: Vec<_> = r
        .lines
        .iter()
        .map(|l| (l.due.urn.get(), l.status.clone()))
        .collect();
    assert!(matches!(status[0].1, DeliveryStatus::Delivered { .. }));
    assert!(matches!(status[1].1, DeliveryStatus::Pending { .. }));
    assert_eq!(
        status[2].1,
        DeliveryStatus::Overdue {
            planned: Some(date(2027, 1, 20))
        }
    );
    assert!(matches!(
        status[3].1,
        DeliveryStatus::Pending { planned: None }
    ));
    assert_eq!(r.overdue().count(), 1);
    assert!(r.overdue().next().unwrap().reason.contains("has passed"));

    let by_adviser = r.tally(Grouping::Adviser);
    assert_eq!(
        (
            by_adviser[0].key.as_str(),
            by_adviser[0].due,
            by_adviser[0].delivered,
            by_adviser[0].overdue
        ),
        ("a", 2, 1, 0)
    );
    assert_eq!(
        (by_adviser[1].key.as_str(), by_adviser[1].overdue),
        ("b", 1)
    );
    let by_term = r.tally(Grouping::Term);
    let autumn = by_term
        .iter()
        .find(|t| t.key.to_lowercase().contains("autumn"))
        .unwrap();
    assert_eq!((autumn.due, autumn.delivered, autumn.overdue), (2, 1, 1));
    assert_eq!(r.tally(Grouping::Category)[0].due, 4);
    assert_eq!(r.tally(Grouping::School).len(), 2);
}

#[test]
fn due_on_the_day_is_not_yet_overdue_and_late_delivery_counts() {
    let dues = vec![due(1, "a", date(2026, 10, 23), TermName::Autumn)];
    let r = delivery(&dues, &[], date(2026, 10, 23));
    assert!(matches!(r.lines[0].status, DeliveryStatus::Pending { .. }));
    let r = delivery(&dues, &[], date(2026, 10, 24));
    assert!(matches!(r.lines[0].status, DeliveryStatus::Overdue { .. }));
    let r = delivery(
        &dues,
        &[rec("late", 1, date(2026, 11, 2), true)],
        date(2026, 11, 3),
    );
    assert!(matches!(
        r.lines[0].status,
        DeliveryStatus::Delivered { .. }
    ));
    assert!(r.lines[0].reason.contains("late"));
}

// ---- 3. Workflow ----------------------------------------------------------

fn adviser() -> Actor {
    Actor {
        user_id: "u-adv".into(),
        role: ActorRole::Adviser {
            adviser_id: "adv-1".into(),
        },
    }
}

fn head(u: u32) -> Actor {
    Actor {
        user_id: format!("u-head-{u}"),
        role: ActorRole::Headteacher { urn: urn(u) },
    }
}

fn plan_input(d: Date) -> VisitPlan {
    VisitPlan {
        visit_id: "v-1".into(),
        urn: urn(100001),
        adviser_id: "adv-1".into(),
        visit_type: VisitType::SchoolEffectiveness,
        date: d,
        start: Some(time(9, 30, 0, 0)),
        end: Some(time(12, 0, 0, 0)),
        focus: "Reading in key stage 1".into(),
        attendees: vec!["Headteacher".into()],
    }
}

fn good_note() -> NoteOfVisitForm {
    NoteOfVisitForm {
        focus_areas: vec![FocusAreaForm {
            title: "Reading".into(),
            commentary: "Phonics is taught consistently.".into(),
            adviser_judgement: "Secure".into(),
            school_grade: "Highly Effective".into(),
            disagreement_note: "Discussed with the headteacher: the evidence supports Secure."
                .into(),
        }],
        strengths: vec!["Early reading".into(), " ".into()],
        areas_for_development: vec!["Writing in KS2".into()],
        agreed_actions: vec![AgreedActionForm {
            action: "Review the writing curriculum".into(),
            owner: "Deputy headteacher".into(),
            due: "2026-12-01".into(),
        }],
        next_visit_date: "2027-02-03".into(),
        next_visit_focus: "Writing".into(),
    }
}

fn planned() -> Visit {
    Visit::plan(
        plan_input(date(2026, 10, 6)),
        &terms(),
        &cal(),
        date(2026, 9, 10),
        &adviser(),
        10,
    )
    .unwrap()
}

#[test]
fn a_complete_visit_from_plan_to_final_note() {
    let c = cal();
    let mut v = planned();
    let a = adviser();
    let h = head(100001);
    let steps: Vec<(VisitAction, &Actor, Date, Stage)> = vec![
        (
            VisitAction::RequestSelfEvaluation,
            &a,
            date(2026, 9, 11),
            Stage::SelfEvaluationRequested,
        ),
        (
            VisitAction::CompleteSelfEvaluation {
                content: "We judge reading highly effective.".into(),
            },
            &h,
            date(2026, 9, 25),
            Stage::SelfEvaluationCompleted,
        ),
        (
            VisitAction::ReviewSelfEvaluation {
                comments: "Focus on reading".into(),
            },
            &a,
            date(2026, 9, 30),
            Stage::SelfEvaluationReviewed,
        ),
        (
            VisitAction::RecordHeld {
                date: date(2026, 10, 6),
            },
            &a,
            date(2026, 10, 6),
            Stage::Held,
        ),
        (
            VisitAction::DraftNote {
                note: Box::new(good_note()),
            },
            &a,
            date(2026, 10, 7),
            Stage::NoteDrafted,
        ),
        (
            VisitAction::SendToHeadteacher,
            &a,
            date(2026, 10, 8),
            Stage::SentToHeadteacher,
        ),
        (
            VisitAction::MarkAccurate,
            &h,
            date(2026, 10, 12),
            Stage::HeadteacherResponded,
        ),
        (
            VisitAction::ShareWithChair,
            &h,
            date(2026, 10, 13),
            Stage::SharedWithChair,
        ),
        (VisitAction::Finalise, &a, date(2026, 10, 14), Stage::Final),
    ];
    for (action, who, on, stage) in steps {
        assert_eq!(
            v.apply(action.clone(), who, on, &c),
            Ok(stage),
            "{action:?}"
        );
    }
    // 10 working days after Thursday 8 October 2026.
    assert_eq!(v.response_due, Some(date(2026, 10, 22)));
    assert_eq!(v.note.as_ref().unwrap().disagreements().len(), 1);
    assert_eq!(v.history.len(), 10);

    // Final is locked: editing refused, addenda allowed.
    let before = v.clone();
    assert_eq!(
        v.apply(
            VisitAction::DraftNote {
                note: Box::new(good_note())
            },
            &a,
            date(2026, 11, 1),
            &c
        ),
        Err(WorkflowError::NoteLocked)
    );
    assert_eq!(v, before);
    v.apply(
        VisitAction::AddAddendum {
            text: "Date of next visit moved.".into(),
        },
        &a,
        date(2026, 11, 2),
        &c,
    )
    .unwrap();
    assert_eq!(v.addenda.len(), 1);
    assert_eq!(v.stage, Stage::Final);
}

fn sent() -> Visit {
    let c = cal();
    let mut v = planned();
    let a = adviser();
    v.apply(
        VisitAction::RequestSelfEvaluation,
        &a,
        date(2026, 9, 11),
        &c,
    )
    .unwrap();
    v.apply(
        VisitAction::CompleteSelfEvaluation {
            content: "x".into(),
        },
        &head(100001),
        date(2026, 9, 12),
        &c,
    )
    .unwrap();
    v.apply(
        VisitAction::ReviewSelfEvaluation {
            comments: "y".into(),
        },
        &a,
        date(2026, 9, 13),
        &c,
    )
    .unwrap();
    v.apply(
        VisitAction::RecordHeld {
            date: date(2026, 10, 6),
        },
        &a,
        date(2026, 10, 6),
        &c,
    )
    .unwrap();
    v.apply(
        VisitAction::DraftNote {
            note: Box::new(good_note()),
        },
        &a,
        date(2026, 10, 7),
        &c,
    )
    .unwrap();
    v.apply(VisitAction::SendToHeadteacher, &a, date(2026, 10, 8), &c)
        .unwrap();
    v
}

#[test]
fn no_response_only_after_the_due_date_then_the_note_proceeds() {
    let c = cal();
    let mut v = sent();
    let due = v.response_due.unwrap();
    assert_eq!(
        v.apply(VisitAction::RecordNoResponse, &adviser(), due, &c),
        Err(WorkflowError::ResponseWindowOpen { due })
    );
    assert!(!v.response_overdue(due));
    let after = c.next_working_day(due).unwrap();
    assert!(v.response_overdue(after));
    v.apply(VisitAction::RecordNoResponse, &adviser(), after, &c)
        .unwrap();
    assert!(matches!(v.response, Some(HeadResponse::NoResponse { .. })));
    v.apply(VisitAction::ShareWithChair, &adviser(), after, &c)
        .unwrap();
    v.apply(VisitAction::Finalise, &adviser(), after, &c)
        .unwrap();
}

#[test]
fn comments_are_recorded() {
    let c = cal();
    let mut v = sent();
    assert!(matches!(
        v.apply(
            VisitAction::RespondWithComments {
                comments: "  ".into()
            },
            &head(100001),
            date(2026, 10, 9),
            &c
        ),
        Err(WorkflowError::Missing { .. })
    ));
    v.apply(
        VisitAction::RespondWithComments {
            comments: "We disagree on reading.".into(),
        },
        &head(100001),
        date(2026, 10, 9),
        &c,
    )
    .unwrap();
    assert!(matches!(v.response, Some(HeadResponse::Comments { .. })));
}

#[test]
fn illegal_transitions_are_refused_and_change_nothing() {
    let c = cal();
    let a = adviser();
    let h = head(100001);
    let other_head = head(100002);
    let chair = Actor {
        user_id: "u-chair".into(),
        role: ActorRole::ChairOfGovernors { urn: urn(100001) },
    };
    let other_adviser = Actor {
        user_id: "u-2".into(),
        role: ActorRole::Adviser {
            adviser_id: "adv-2".into(),
        },
    };
    let reviewer = Actor {
        user_id: "u-qa".into(),
        role: ActorRole::QaReviewer,
    };
    type Check = fn(&WorkflowError) -> bool;
    let cases: Vec<(&str, Visit, VisitAction, Actor, Date, Check)> = vec![
        (
            "skip the form",
            planned(),
            VisitAction::RecordHeld {
                date: date(2026, 10, 6),
            },
            a.clone(),
            date(2026, 10, 6),
            |e| {
                matches!(
                    e,
                    WorkflowError::IllegalTransition {
                        stage: Stage::Planned,
                        ..
                    }
                )
            },
        ),
        (
            "draft before held",
            planned(),
            VisitAction::DraftNote {
                note: Box::new(good_note()),
            },
            a.clone(),
            date(2026, 10, 6),
            |e| matches!(e, WorkflowError::IllegalTransition { .. }),
        ),
        (
            "head of another school responds",
            sent(),
            VisitAction::MarkAccurate,
            other_head.clone(),
            date(2026, 10, 9),
            |e| matches!(e, WorkflowError::WrongSchool { .. }),
        ),
        (
            "head of another school comments",
            sent(),
            VisitAction::RespondWithComments {
                comments: "no".into(),
            },
            other_head.clone(),
            date(2026, 10, 9),
            |e| matches!(e, WorkflowError::WrongSchool { .. }),
        ),
        (
            "chair marks accurate",
            sent(),
            VisitAction::MarkAccurate,
            chair,
            date(2026, 10, 9),
            |e| matches!(e, WorkflowError::NotPermitted { .. }),
        ),
        (
            "adviser marks accurate for the head",
            sent(),
            VisitAction::MarkAccurate,
            a.clone(),
            date(2026, 10, 9),
            |e| matches!(e, WorkflowError::NotPermitted { .. }),
        ),
        (
            "another adviser sends",
            planned(),
            VisitAction::RequestSelfEvaluation,
            other_adviser,
            date(2026, 9, 11),
            |e| matches!(e, WorkflowError::NotTheVisitsAdviser { .. }),
        ),
        (
            "QA reviewer finalises",
            sent(),
            VisitAction::Finalise,
            reviewer,
            date(2026, 10, 9),
            |e| matches!(e, WorkflowError::NotPermitted { .. }),
        ),
        (
            "head requests own form",
            planned(),
            VisitAction::RequestSelfEvaluation,
            h.clone(),
            date(2026, 9, 11),
            |e| matches!(e, WorkflowError::NotPermitted { .. }),
        ),
        (
            "finalise before sharing",
            sent(),
            VisitAction::Finalise,
            a.clone(),
            date(2026, 10, 9),
            |e| {
                matches!(
                    e,
                    WorkflowError::IllegalTransition {
                        stage: Stage::SentToHeadteacher,
                        ..
                    }
                )
            },
        ),
        (
            "addendum before final",
            sent(),
            VisitAction::AddAddendum { text: "x".into() },
            a.clone(),
            date(2026, 10, 9),
            |e| matches!(e, WorkflowError::IllegalTransition { .. }),
        ),
        (
            "edit the note once sent",
            sent(),
            VisitAction::DraftNote {
                note: Box::new(good_note()),
            },
            a.clone(),
            date(2026, 10, 9),
            |e| matches!(e, WorkflowError::IllegalTransition { .. }),
        ),
    ];
    for (name, mut v, action, who, on, check) in cases {
        let before = v.clone();
        let err = v.apply(action, &who, on, &c).expect_err(name);
        assert!(check(&err), "{name}: {err:?}");
        assert!(!err.to_string().is_empty());
        assert_eq!(v, before, "{name}: the visit changed");
    }
}

#[test]
fn recording_held_in_the_future_or_a_note_off_the_scale() {
    let c = cal();
    let a = adviser();
    let mut v = planned();
    v.apply(
        VisitAction::RequestSelfEvaluation,
        &a,
        date(2026, 9, 11),
        &c,
    )
    .unwrap();
    v.apply(
        VisitAction::CompleteSelfEvaluation {
            content: "x".into(),
        },
        &head(100001),
        date(2026, 9, 12),
        &c,
    )
    .unwrap();
    v.apply(
        VisitAction::ReviewSelfEvaluation {
            comments: "y".into(),
        },
        &a,
        date(2026, 9, 13),
        &c,
    )
    .unwrap();
    assert!(matches!(
        v.apply(
            VisitAction::RecordHeld {
                date: date(2026, 10, 6)
            },
            &a,
            date(2026, 10, 5),
            &c
        ),
        Err(WorkflowError::HeldInFuture { .. })
    ));
    v.apply(
        VisitAction::RecordHeld {
            date: date(2026, 10, 6),
        },
        &a,
        date(2026, 10, 6),
        &c,
    )
    .unwrap();
    let mut bad = good_note();
    bad.focus_areas[0].adviser_judgement = "Outstanding".into();
    let err = v
        .apply(
            VisitAction::DraftNote {
                note: Box::new(bad),
            },
            &a,
            date(2026, 10, 7),
            &c,
        )
        .unwrap_err();
    let fields = err.field_errors();
    assert_eq!(fields[0].field, "focus_areas[0].adviser_judgement");
    assert!(fields[0]
        .message
        .contains("Emerging, Secure or Highly Effective"));
    assert_eq!(v.stage, Stage::Held);
}

#[test]
fn planning_refuses_bad_dates_and_actors() {
    let t = terms();
    let c = cal();
    let a = adviser();
    let today = date(2026, 10, 1);
    type Check = fn(&WorkflowError) -> bool;
    let cases: Vec<(&str, Date, Check)> = vec![
        ("in the past", date(2026, 9, 30), |e| {
            matches!(e, WorkflowError::DateInPast { .. })
        }),
        ("next academic year", date(2027, 9, 7), |e| {
            matches!(e, WorkflowError::OutsideAcademicYear { .. })
        }),
        ("a Saturday", date(2026, 10, 3), |e| {
            matches!(e, WorkflowError::NotATermTimeWorkingDay { .. })
        }),
        ("Christmas holidays", date(2026, 12, 30), |e| {
            matches!(e, WorkflowError::NotATermTimeWorkingDay { .. })
        }),
        ("Easter Monday", date(2027, 3, 29), |e| {
            matches!(e, WorkflowError::NotATermTimeWorkingDay { .. })
        }),
    ];
    for (name, d, check) in cases {
        let err = Visit::plan(plan_input(d), &t, &c, today, &a, 10).expect_err(name);
        assert!(check(&err), "{name}: {err:?}");
        assert_eq!(err.field_errors()[0].field, "date", "{name}");
    }
    let mut p = plan_input(date(2026, 10, 6));
    p.focus = " ".into();
    p.end = Some(time(9, 0, 0, 0));
    let err = Visit::plan(p, &t, &c, today, &a, 10).unwrap_err();
    let fields: Vec<String> = err.field_errors().into_iter().map(|f| f.field).collect();
    assert_eq!(fields, vec!["focus", "end"]);
    assert!(matches!(
        Visit::plan(
            plan_input(date(2026, 10, 6)),
            &t,
            &c,
            today,
            &head(100001),
            10
        ),
        Err(WorkflowError::NotPermitted { .. })
    ));
}

// ---- 4. Note content --------------------------------------------------------

#[test]
fn note_validation_gives_field_errors() {
    let visit = date(2026, 10, 6);
    assert!(good_note().validate(visit).is_ok());
    let form = NoteOfVisitForm {
        focus_areas: vec![
            FocusAreaForm {
                title: "".into(),
                adviser_judgement: "".into(),
                ..Default::default()
            },
            FocusAreaForm {
                title: "Maths".into(),
                adviser_judgement: "Emerging".into(),
                school_grade: "Good".into(),
                ..Default::default()
            },
            FocusAreaForm {
                title: "Behaviour".into(),
                adviser_judgement: "Emerging".into(),
                school_grade: "Secure".into(),
                ..Default::default()
            },
        ],
        agreed_actions: vec![
            AgreedActionForm::default(),
            AgreedActionForm {
                action: "Do it".into(),
                owner: "".into(),
                due: "2026-09-01".into(),
            },
            AgreedActionForm {
                action: "".into(),
                owner: "LA".into(),
                due: "31/12/2026".into(),
            },
        ],
        next_visit_date: "2026-10-06".into(),
        ..Default::default()
    };
    let errs = form.validate(visit).unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "focus_areas[0].title",
            "focus_areas[0].adviser_judgement",
            "focus_areas[1].school_grade",
            "focus_areas[2].disagreement_note",
            "agreed_actions[1].owner",
            "agreed_actions[1].due",
            "agreed_actions[2].action",
            "agreed_actions[2].due",
            "next_visit_date",
        ]
    );
    assert_eq!(errs[3].id(), "focus-areas-2-disagreement-note");
    assert!(NoteOfVisitForm::default().validate(visit).unwrap_err()[0].field == "focus_areas");
}

#[test]
fn judgement_scale_and_disagreements() {
    assert_eq!(
        Judgement::parse("highly effective"),
        Some(Judgement::HighlyEffective)
    );
    assert_eq!(
        Judgement::parse("Highly-Effective"),
        Some(Judgement::HighlyEffective)
    );
    assert_eq!(Judgement::parse("secure"), Some(Judgement::Secure));
    assert_eq!(Judgement::parse("Good"), None);
    assert!(
        Judgement::Emerging < Judgement::Secure && Judgement::Secure < Judgement::HighlyEffective
    );
    let note = good_note().validate(date(2026, 10, 6)).unwrap();
    let d = note.disagreements();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].adviser, d[0].school),
        (Judgement::Secure, Judgement::HighlyEffective)
    );
    assert!(d[0].reason.contains("seed 003"));
    assert_eq!(note.strengths, vec!["Early reading".to_string()]);
}

// ---- 5. QA ------------------------------------------------------------------

#[test]
fn qa_sample_routes_and_overview_aggregates() {
    let notes: Vec<FinalisedNote> = (0..40)
        .map(|i| FinalisedNote {
            note_id: format!("n{i}"),
            adviser_id: if i < 30 { "a".into() } else { "b".into() },
            urn: urn(100000 + i),
            finalised_on: date(2026, 11, 1),
        })
        .collect();
    let reviewers = vec!["hmi-1".to_string(), "a".to_string()];
    let s = draw_qa_sample(
        "org",
        year(),
        TermName::Autumn,
        &notes,
        &reviewers,
        &QaConfig::default(),
    );
    assert_eq!(s.picks.iter().filter(|p| p.adviser_id == "a").count(), 3);
    assert_eq!(s.picks.iter().filter(|p| p.adviser_id == "b").count(), 1);
    for p in &s.picks {
        assert_ne!(
            p.reviewer_id.as_deref(),
            Some(p.adviser_id.as_str()),
            "no self-review"
        );
        assert!(p.reason.contains("seed 002"));
    }
    let form = ModerationForm::default();
    let mut ratings = BTreeMap::new();
    for c in &form.criteria {
        ratings.insert(c.id.clone(), QaRating::Good);
    }
    let rec = ModerationRecord {
        note_id: s.picks[0].note_id.clone(),
        adviser_id: s.picks[0].adviser_id.clone(),
        reviewer_id: "hmi-1".into(),
        ratings: ratings.clone(),
        feedback: "Clear and evidenced.".into(),
    };
    assert!(form.validate(&rec).is_ok());
    let mut bad = rec.clone();
    bad.ratings.remove("evidence");
    bad.feedback.clear();
    let errs: Vec<String> = form
        .validate(&bad)
        .unwrap_err()
        .into_iter()
        .map(|e: FieldError| e.field)
        .collect();
    assert_eq!(errs, vec!["ratings.evidence", "feedback"]);
    let o = qa_overview(&s, &[rec]);
    assert_eq!((o.sampled, o.moderated, o.outstanding.len()), (4, 1, 3));
    assert_eq!(o.by_adviser[&s.picks[0].adviser_id].mean, 3.0);
}

#[test]
fn shadowing_flags_advisers_without_a_shadowed_visit() {
    let shadowed = vec![ShadowedVisit {
        adviser_id: "a".into(),
        visit_id: "v".into(),
        date: date(2027, 2, 1),
        shadowed_by: "lead".into(),
        feedback: "Good challenge".into(),
    }];
    let missing = missing_shadowed_visits(&["b".into(), "a".into(), "c".into()], &shadowed, year());
    let ids: Vec<&str> = missing.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(ids, vec!["b", "c"]);
    assert!(missing[0]
        .1
        .contains("shadowed for one school visit a year"));
    assert_eq!(
        missing_shadowed_visits(&["a".into()], &shadowed, AcademicYear::new(2027).unwrap()).len(),
        1
    );
}

// ---- 6. Caseload ------------------------------------------------------------

fn adv(id: &str, cap: f64, ex: &[Expertise]) -> Adviser {
    Adviser {
        id: id.into(),
        name: format!("Adviser {id}"),
        expertise: ex.iter().copied().collect(),
        capacity_days: cap,
    }
}

fn school(u: u32, adviser: &str, needs: &[Expertise], sev: u32) -> SchoolNeeds {
    SchoolNeeds {
        urn: urn(u),
        name: format!("School {u}"),
        adviser_id: adviser.into(),
        needs: needs.iter().copied().collect(),
        visits: vec![(VisitType::SchoolEffectiveness, sev)],
    }
}

#[test]
fn caseload_suggests_expertise_and_relieves_overload() {
    let advisers = vec![
        adv("p", 5.0, &[Expertise::Primary]),
        adv("s", 20.0, &[Expertise::Secondary, Expertise::Send]),
        adv("q", 20.0, &[Expertise::Primary, Expertise::Send]),
    ];
    let schools = vec![
        school(1, "p", &[Expertise::Primary], 3),
        school(2, "p", &[Expertise::Primary], 2),
        school(3, "p", &[Expertise::Primary], 2),
        school(4, "p", &[Expertise::Secondary], 3),
        school(5, "zz", &[], 1),
    ];
    let r = caseload(&advisers, &schools, &DaysPerVisit::default());
    let p = r.loads.iter().find(|l| l.adviser_id == "p").unwrap();
    assert_eq!(p.committed_days, 10.0);
    assert!(p.overloaded);
    assert_eq!(r.unassigned, vec![urn(5)]);
    // School 4 needs secondary: to s. Then p has 7 days for 5: school 1 (3 days) to q.
    assert_eq!(r.suggestions.len(), 2, "{r:#?}");
    assert_eq!(
        (r.suggestions[0].urn, r.suggestions[0].to.as_str()),
        (urn(4), "s")
    );
    assert!(r.suggestions[0].reasons[0].contains("secondary"));
    assert_eq!(
        (r.suggestions[1].urn, r.suggestions[1].to.as_str()),
        (urn(1), "q")
    );
    assert!(r.suggestions[1].reasons[0].contains("overloaded"));
    // Deterministic.
    assert_eq!(r, caseload(&advisers, &schools, &DaysPerVisit::default()));
}

// ---- 7. ICS -----------------------------------------------------------------

/// A small independent parser: unfolds, splits name/params/value, unescapes.
fn parse_ics(text: &str) -> Vec<(String, Vec<String>, String)> {
    assert!(text.ends_with("\r\n"));
    let physical: Vec<&str> = text.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    for l in &physical {
        assert!(l.len() <= 75, "line over 75 octets: {l:?}");
        assert!(!l.contains('\n') && !l.contains('\r'));
    }
    let mut logical: Vec<String> = Vec::new();
    for l in physical {
        if let Some(rest) = l.strip_prefix(' ') {
            logical
                .last_mut()
                .expect("continuation first")
                .push_str(rest);
        } else {
            logical.push(l.to_string());
        }
    }
    logical
        .into_iter()
        .map(|l| {
            let colon = l.find(':').expect("a colon");
            let (head, value) = (&l[..colon], &l[colon + 1..]);
            let mut parts = head.split(';');
            let name = parts.next().unwrap().to_string();
            let params = parts.map(str::to_string).collect();
            let mut out = String::new();
            let mut chars = value.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    match chars.next() {
                        Some('n') | Some('N') => out.push('\n'),
                        Some(o) => out.push(o),
                        None => panic!("dangling backslash"),
                    }
                } else {
                    assert!(
                        c != ',' && c != ';' || name == "RRULE",
                        "unescaped {c} in {name}"
                    );
                    out.push(c);
                }
            }
            (name, params, out)
        })
        .collect()
}

#[test]
fn ics_round_trips_folding_and_escaping() {
    let mut p = plan_input(date(2026, 10, 6));
    p.focus = "Reading, writing; and maths \\ with a very long focus text that will certainly need folding — ünïcödé 🎓 characters too\nsecond line".into();
    let ts = "2026-09-10T08:00:00Z".parse().unwrap();
    let ev = CalendarEvent::for_visit(&p, "St Mary's C of E, Barnet", None, "uplift.example", ts);
    let mut all_day = plan_input(date(2026, 10, 7));
    all_day.visit_id = "v-2".into();
    all_day.start = None;
    all_day.end = None;
    let ev2 = CalendarEvent::for_visit(
        &all_day,
        "Other School",
        Some("1 High St, London"),
        "uplift.example",
        ts,
    );
    assert_eq!(
        ev2.time,
        EventTime::AllDay {
            date: date(2026, 10, 7)
        }
    );
    let text = render_calendar("Adviser A; visits", &[ev.clone(), ev2]);
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    let lines = parse_ics(&text);
    // Properties of the events (after the VTIMEZONE).
    let first_event = lines
        .iter()
        .position(|l| l.0 == "BEGIN" && l.2 == "VEVENT")
        .unwrap();
    let get = |name: &str| -> Vec<&(String, Vec<String>, String)> {
        lines[first_event..]
            .iter()
            .filter(|l| l.0 == name)
            .collect()
    };
    assert_eq!(get("BEGIN").iter().filter(|l| l.2 == "VEVENT").count(), 2);
    assert_eq!(get("UID")[0].2, "visit-v-1@uplift.example");
    assert_eq!(get("DTSTAMP")[0].2, "20260910T080000Z");
    assert_eq!(get("DTSTART")[0].1, vec!["TZID=Europe/London".to_string()]);
    assert_eq!(get("DTSTART")[0].2, "20261006T093000");
    assert_eq!(get("DTEND")[0].2, "20261006T120000");
    assert_eq!(get("DTSTART")[1].1, vec!["VALUE=DATE".to_string()]);
    assert_eq!(get("DTEND")[1].2, "20261008");
    assert_eq!(get("DESCRIPTION")[0].2, ev.description.clone().unwrap());
    assert_eq!(get("LOCATION")[0].2, "St Mary's C of E, Barnet");
    assert_eq!(get("LOCATION")[1].2, "1 High St, London");
    assert!(lines
        .iter()
        .any(|l| l.0 == "X-WR-CALNAME" && l.2 == "Adviser A; visits"));
    assert!(lines
        .iter()
        .any(|l| l.0 == "TZID" && l.2 == "Europe/London"));
    // The same visit keeps its UID.
    let again = CalendarEvent::for_visit(&p, "Renamed", None, "uplift.example", ts);
    assert_eq!(again.uid, ev.uid);
    assert_eq!(escape_text("a,b;c\\d\r\ne"), "a\\,b\\;c\\\\d\\ne");
}

//! Schools causing concern in the store, on both backends: designation opens
//! a case with its follow-up work, Lead Officers, removal refused by the
//! inspection rule, escalation through a warning notice to an IEB, the
//! academy route, letter templates and letters; refused input writes nothing.

use jiff::civil::{date, Date};
use uplift_domain::concern::{DecisionKind, Ground, LetterKind, Power, PowerKind};
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::concern::{self, NewDecision};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::each_backend;
use uplift_store::Db;

const RI: i64 = 910001;
const GOOD: i64 = 910002;
const ACADEMY: i64 = 910003;

struct Setup {
    org: i64,
    lead: i64,
    actor: Actor,
}

async fn setup(db: &Db) -> Setup {
    let mut tx = db.begin().await.unwrap();
    let org = orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug: "camden",
            name: "Camden Council",
            kind: "local-authority",
            la_code: Some("202"),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let t = uplift_store::now();
    for (urn, name, gov) in [
        (RI, "Invented Requires Improvement School", "maintained"),
        (GOOD, "Invented Good School", "maintained"),
        (ACADEMY, "Invented Academy", "academy"),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO schools (urn, la_code, name, phase, type_name, governance, status, head_first_name,
                 head_last_name, trust, created_at, updated_at)
             VALUES ({urn}, '202', '{name}', 'Primary', 'Community school', '{gov}', 'Open', 'Ada',
                 'Head', 'Invented Trust', '{t}', '{t}')"
        ))
        .await
        .unwrap();
        db.execute_raw(&format!(
            "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({}, {urn}, '{t}')",
            org.id
        ))
        .await
        .unwrap();
    }
    for (urn, key, start, grade) in [
        (RI, "G1", "2025-03-04", 3),
        (GOOD, "G2", "2023-03-04", 3),
        (GOOD, "G3", "2025-10-01", 2),
        (ACADEMY, "G4", "2025-01-20", 4),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO inspections_graded (urn, inspection_key, inspection_type, start_date, publication_date,
                 overall_effectiveness, quality_of_education, behaviour_and_attitudes, personal_development,
                 leadership_and_management, safeguarding_effective, source_file, imported_at)
             VALUES ({urn}, '{key}', 'S5', '{start}', '{start}', {grade}, {grade}, {grade}, {grade}, {grade},
                 TRUE, 'invented-test.csv', '{t}')"
        ))
        .await
        .unwrap();
    }
    db.execute_raw(&format!(
        "INSERT INTO users (organisation_id, email, name, role, password_hash, active, created_at, updated_at)
         VALUES ({}, 'lead@example.invalid', 'Lena Lead', 'lead', 'x', TRUE, '{t}', '{t}')",
        org.id
    ))
    .await
    .unwrap();
    let lead: i64 = db
        .execute_raw_text("SELECT CAST(id AS TEXT) FROM users WHERE email = 'lead@example.invalid'")
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    Setup {
        org: org.id,
        lead,
        actor: Actor {
            user_id: Some(lead),
            label: "lead@example.invalid".into(),
            organisation_id: Some(org.id),
            request_id: None,
        },
    }
}

fn decision(s: &Setup, urn: i64, kind: DecisionKind, on: Date, rationale: &str) -> NewDecision {
    NewDecision {
        organisation_id: s.org,
        urn,
        decision: uplift_domain::concern::Decision::new(
            kind,
            on,
            rationale,
            vec!["Inspection judged requires improvement".into()],
        )
        .expect("a valid decision"),
        meeting_id: None,
        meeting_name: None,
        category: Some("red".into()),
        signatory_name: "Lena Lead".into(),
        signatory_role: "Head of School Improvement".into(),
    }
}

async fn decide(db: &Db, s: &Setup, d: &NewDecision) -> Result<concern::RecordedDecision, String> {
    let facts = db
        .case_facts(s.org, d.urn, date(2026, 11, 22))
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    match concern::record_decision(&mut tx, &s.actor, d, &facts).await {
        Ok(r) => {
            tx.commit().await.unwrap();
            Ok(r)
        }
        Err(e) => {
            tx.rollback().await.unwrap();
            Err(e.to_string())
        }
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    db.execute_raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn audit_count(db: &Db, org: i64, entity: &str) -> usize {
    db.audit_entries(&AuditFilter {
        organisation_id: Some(org),
        entity: Some(entity.into()),
        limit: 1000,
        ..Default::default()
    })
    .await
    .unwrap()
    .len()
}

#[tokio::test]
async fn designation_opens_a_case_with_its_letter_and_tasks() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let d = decision(
            &s,
            RI,
            DecisionKind::Designate,
            date(2026, 12, 21),
            "Standards fell two years running",
        );
        let r = decide(&db, &s, &d).await.unwrap();
        let case = r.case.clone().unwrap();
        assert_eq!(case.state, "awaiting_lead_officer");
        assert_eq!(r.decision.case_id, Some(case.id));
        assert_eq!(
            r.decision.triggers(),
            vec!["Inspection judged requires improvement"]
        );
        // A priority-decision letter addressed to the head and the chair.
        assert_eq!(r.letters.len(), 1);
        let letter = &r.letters[0];
        assert_eq!(letter.kind, "priority_decision");
        assert_eq!(letter.status, "draft");
        assert_eq!(letter.headteacher_name, "Ada Head");
        assert_eq!(letter.chair_name, "The Chair of Governors");
        assert!(
            letter.body.contains("Standards fell two years running"),
            "{}",
            letter.body
        );
        // Due dates in working days: 21 Dec 2026 + 5 working days skips
        // Christmas Day and Boxing Day (observed Monday 28 Dec).
        let lead_task = r
            .tasks
            .iter()
            .find(|t| t.title == "Identify a Lead Officer")
            .unwrap();
        assert_eq!(lead_task.owner_role, "head_of_school_improvement");
        assert_eq!(lead_task.due_on, "2026-12-30");
        // The timeline and the audit log.
        let events = db.case_events(case.id).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds[0], "decision");
        assert!(kinds.contains(&"list"));
        assert!(kinds.contains(&"letter_drafted"));
        assert_eq!(kinds.iter().filter(|k| **k == "task").count(), 2);
        assert_eq!(audit_count(&db, s.org, "concern_decision").await, 1);
        assert_eq!(audit_count(&db, s.org, "concern_case").await, 1);
        assert!(audit_count(&db, s.org, "concern_case_event").await >= 5);
        // Designating again is refused; nothing written.
        let before = count(&db, "concern_decisions").await;
        let e = decide(&db, &s, &d).await.unwrap_err();
        assert!(e.contains("already designated"), "{e}");
        assert_eq!(count(&db, "concern_decisions").await, before);

        // The Lead Officer, on the timeline; Lead Officer tasks pass to them.
        let mut tx = db.begin().await.unwrap();
        let case = concern::assign_lead_officer(
            &mut tx,
            &s.actor,
            s.org,
            case.id,
            s.lead,
            date(2026, 12, 22),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(case.state, "on_list");
        assert_eq!(case.lead_officer_name.as_deref(), Some("Lena Lead"));
        let tasks = db.case_tasks(case.id).await.unwrap();
        let plan = tasks
            .iter()
            .find(|t| t.owner_role == "lead_officer")
            .unwrap();
        assert_eq!(plan.owner_user_id, Some(s.lead));
        let list = db.concern_cases(s.org).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].lead_officer_name.as_deref(), Some("Lena Lead"));
        assert_eq!(list[0].next_deadline(), Some("2026-12-30"));
    }
}

#[tokio::test]
async fn bad_decisions_are_refused_and_nothing_is_saved() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        // A blank rationale or a designation without triggers cannot even be
        // given to the store: a NewDecision holds a domain Decision, which
        // refuses them.
        assert_eq!(
            uplift_domain::concern::Decision::new(
                DecisionKind::Designate,
                date(2026, 11, 23),
                "  ",
                vec!["t".into()]
            ),
            Err(uplift_domain::concern::DecisionError::MissingRationale)
        );
        assert_eq!(
            uplift_domain::concern::Decision::new(
                DecisionKind::Designate,
                date(2026, 11, 23),
                "why",
                vec![]
            ),
            Err(uplift_domain::concern::DecisionError::MissingTriggers)
        );
        // Continue a school not on the list.
        let e = decide(
            &db,
            &s,
            &decision(&s, RI, DecisionKind::Continue, date(2026, 11, 23), "why"),
        )
        .await
        .unwrap_err();
        assert!(e.contains("not on the causing-concern list"), "{e}");
        assert_eq!(count(&db, "concern_decisions").await, 0);
        assert_eq!(count(&db, "concern_cases").await, 0);
        assert_eq!(audit_count(&db, s.org, "concern_decision").await, 0);

        // Removal of an RI school before a better inspection: refused with the reason.
        decide(
            &db,
            &s,
            &decision(&s, RI, DecisionKind::Designate, date(2026, 11, 23), "why"),
        )
        .await
        .unwrap();
        let before = (
            count(&db, "concern_decisions").await,
            count(&db, "concern_case_events").await,
        );
        let e = decide(
            &db,
            &s,
            &decision(&s, RI, DecisionKind::Remove, date(2026, 11, 24), "Improved"),
        )
        .await
        .unwrap_err();
        assert!(e.contains("Removal is blocked"), "{e}");
        assert!(e.contains("requires improvement"), "{e}");
        assert_eq!(
            (
                count(&db, "concern_decisions").await,
                count(&db, "concern_case_events").await
            ),
            before
        );
        let why = db
            .removal_check(s.org, RI, date(2026, 11, 24))
            .await
            .unwrap()
            .unwrap_err();
        assert!(why.contains("Removal is blocked"), "{why}");

        // A school whose later inspection is good may be removed: the case closes.
        decide(
            &db,
            &s,
            &decision(&s, GOOD, DecisionKind::Designate, date(2026, 11, 23), "why"),
        )
        .await
        .unwrap();
        let r = decide(
            &db,
            &s,
            &decision(
                &s,
                GOOD,
                DecisionKind::Remove,
                date(2026, 11, 24),
                "Judged good",
            ),
        )
        .await
        .unwrap();
        let case = r.case.unwrap();
        assert_eq!(case.state, "removed");
        assert_eq!(case.closed_on.as_deref(), Some("2026-11-24"));
        assert_eq!(r.letters[0].kind, "removal");
        assert!(
            r.letters[0]
                .body
                .contains("judged overall effectiveness good"),
            "{}",
            r.letters[0].body
        );
        // ... and designated again later in a new case.
        let again = decide(
            &db,
            &s,
            &decision(&s, GOOD, DecisionKind::Designate, date(2026, 12, 1), "Back"),
        )
        .await
        .unwrap();
        assert_ne!(again.case.unwrap().id, case.id);
    }
}

#[tokio::test]
async fn a_decision_can_carry_its_meeting() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let mut d = decision(
            &s,
            RI,
            DecisionKind::Designate,
            date(2026, 11, 23),
            "At the SRG",
        );
        d.meeting_id = Some(77);
        d.meeting_name = Some("the Schools Review Group of 23 November 2026".into());
        let r = decide(&db, &s, &d).await.unwrap();
        assert_eq!(r.decision.meeting_id, Some(77));
        assert!(r.letters[0]
            .body
            .contains("the Schools Review Group of 23 November 2026"));
        let events = db.case_events(r.case.unwrap().id).await.unwrap();
        assert!(events
            .iter()
            .filter(|e| e.kind == "decision")
            .all(|e| e.meeting_id == Some(77)));
        // "Other" about a school with no case needs no case.
        let r = decide(
            &db,
            &s,
            &decision(
                &s,
                GOOD,
                DecisionKind::Other("Not a priority".into()),
                date(2026, 11, 23),
                "Improving",
            ),
        )
        .await
        .unwrap();
        assert_eq!(r.decision.case_id, None);
        assert!(r.case.is_none());
    }
}

fn signed(on: Date) -> concern::Signed {
    concern::Signed {
        on,
        name: "Lena Lead".into(),
        role: "Head of School Improvement".into(),
    }
}

#[tokio::test]
async fn warning_notice_to_an_interim_executive_board() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let r = decide(
            &db,
            &s,
            &decision(&s, RI, DecisionKind::Designate, date(2026, 11, 23), "why"),
        )
        .await
        .unwrap();
        let case = r.case.unwrap().id;
        let mut tx = db.begin().await.unwrap();
        let (_, letter) = concern::send_letter_of_concern(
            &mut tx,
            &s.actor,
            s.org,
            case,
            &["Progress in reading is too slow".into()],
            &["Appoint a reading lead".into()],
            &signed(date(2026, 11, 24)),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(letter.kind, "letter_of_concern");
        assert!(letter.body.contains("- Progress in reading is too slow"));

        // Refused: no grounds; zero compliance period. Nothing saved.
        let before = count(&db, "concern_notices").await;
        for (grounds, days, expect) in [
            (vec![], Some(10), "statutory ground"),
            (vec![Ground::UnacceptablyLowStandards], Some(0), "zero"),
        ] {
            let mut tx = db.begin().await.unwrap();
            let e = concern::give_warning_notice(
                &mut tx,
                &s.actor,
                s.org,
                case,
                &concern::NewWarningNotice {
                    grounds,
                    concerns: vec!["Low standards".into()],
                    required_action: vec!["Improve".into()],
                    compliance_days: days,
                },
                &signed(date(2026, 12, 18)),
            )
            .await
            .unwrap_err()
            .to_string();
            tx.rollback().await.unwrap();
            assert!(e.contains(expect), "{e}");
        }
        assert_eq!(count(&db, "concern_notices").await, before);

        // Given on Friday 18 December 2026 with 5 working days: Christmas Day
        // and Boxing Day (observed Monday 28 December) are skipped.
        let mut tx = db.begin().await.unwrap();
        let (notice, letter) = concern::give_warning_notice(
            &mut tx,
            &s.actor,
            s.org,
            case,
            &concern::NewWarningNotice {
                grounds: vec![Ground::UnacceptablyLowStandards],
                concerns: vec!["Low standards".into()],
                required_action: vec!["Improve".into()],
                compliance_days: Some(5),
            },
            &signed(date(2026, 12, 18)),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(notice.compliance_end_on.as_deref(), Some("2026-12-29"));
        assert_eq!(letter.kind, "warning_notice");
        assert!(
            letter.body.contains("Tuesday 29 December 2026"),
            "{}",
            letter.body
        );

        // Not complied can only be recorded after the period ends.
        let mut tx = db.begin().await.unwrap();
        let e = concern::record_notice_outcome(
            &mut tx,
            &s.actor,
            s.org,
            notice.id,
            false,
            date(2026, 12, 29),
            "No progress",
        )
        .await
        .unwrap_err()
        .to_string();
        tx.rollback().await.unwrap();
        assert!(e.contains("compliance period runs to"), "{e}");
        let mut tx = db.begin().await.unwrap();
        concern::record_notice_outcome(
            &mut tx,
            &s.actor,
            s.org,
            notice.id,
            false,
            date(2027, 1, 4),
            "No progress",
        )
        .await
        .unwrap();
        // IEB before written notice: refused.
        let e = concern::use_power(
            &mut tx,
            &s.actor,
            s.org,
            case,
            Power::S65InterimExecutiveBoard {
                members: vec!["A Member".into(), "B Member".into()],
            },
            date(2027, 1, 5),
            "Lena Lead",
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("not eligible"), "{e}");
        let (_, letter) = concern::give_written_notice(
            &mut tx,
            &s.actor,
            s.org,
            case,
            &[PowerKind::S65InterimExecutiveBoard],
            "The governing body did not comply",
            &signed(date(2027, 1, 6)),
        )
        .await
        .unwrap();
        assert_eq!(letter.kind, "notice_of_proposed_intervention");
        concern::use_power(
            &mut tx,
            &s.actor,
            s.org,
            case,
            Power::S65InterimExecutiveBoard {
                members: vec!["A Member".into(), "B Member".into()],
            },
            date(2027, 1, 20),
            "Lena Lead",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let c = db.concern_case(s.org, case).await.unwrap().unwrap();
        assert_eq!(c.escalation_stage, "powers_in_use");
        let routes = db.case_eligibility_routes(&c).await.unwrap();
        assert_eq!(routes[0].0, "unmet_s60_notice");
        let kinds: Vec<String> = db
            .case_events(case)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        for k in [
            "letter_of_concern",
            "warning_notice",
            "not_complied",
            "written_notice",
            "power",
        ] {
            assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
        }
        assert_eq!(audit_count(&db, s.org, "concern_power").await, 1);
    }
}

#[tokio::test]
async fn academies_go_to_the_trust_then_the_regional_director() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let r = decide(
            &db,
            &s,
            &decision(
                &s,
                ACADEMY,
                DecisionKind::Designate,
                date(2026, 11, 23),
                "why",
            ),
        )
        .await
        .unwrap();
        let case = r.case.unwrap();
        assert!(case.is_academy());
        // No warning notice recommendation, no warning notice for an academy.
        let e = decide(
            &db,
            &s,
            &decision(
                &s,
                ACADEMY,
                DecisionKind::RecommendWarningNotice,
                date(2026, 11, 24),
                "why",
            ),
        )
        .await
        .unwrap_err();
        assert!(e.contains("cannot give an academy a warning notice"), "{e}");
        let mut tx = db.begin().await.unwrap();
        let e = concern::give_warning_notice(
            &mut tx,
            &s.actor,
            s.org,
            case.id,
            &concern::NewWarningNotice {
                grounds: vec![Ground::SafetyThreatened],
                concerns: vec!["x".into()],
                required_action: vec!["y".into()],
                compliance_days: Some(10),
            },
            &signed(date(2026, 11, 24)),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("no local-authority powers"), "{e}");
        // The regional director only after the trust.
        let e = concern::raise_academy_concern(
            &mut tx,
            &s.actor,
            s.org,
            case.id,
            false,
            "x",
            "y",
            &signed(date(2026, 11, 24)),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("trust first"), "{e}");
        let (_, l) = concern::raise_academy_concern(
            &mut tx,
            &s.actor,
            s.org,
            case.id,
            true,
            "Safeguarding concerns",
            "",
            &signed(date(2026, 11, 24)),
        )
        .await
        .unwrap();
        assert_eq!(l.kind, "academy_concern_to_trust");
        assert_eq!(l.recipient.as_deref(), Some("Invented Trust"));
        let (_, l) = concern::raise_academy_concern(
            &mut tx,
            &s.actor,
            s.org,
            case.id,
            false,
            "Still no plan",
            "Two meetings with the trust",
            &signed(date(2026, 12, 10)),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(l.kind, "academy_concern_to_regional_director");
        let c = db.concern_case(s.org, case.id).await.unwrap().unwrap();
        assert_eq!(c.escalation_stage, "raised_with_regional_director");
        assert!(db
            .next_escalation_actions(&c)
            .await
            .unwrap()
            .iter()
            .all(|a| !a.contains("warning") && !a.contains("power")));
    }
}

#[tokio::test]
async fn templates_with_unknown_placeholders_are_refused_and_letters_issue() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let mut tx = db.begin().await.unwrap();
        let e = concern::save_template(
            &mut tx,
            &s.actor,
            s.org,
            LetterKind::PriorityDecision,
            "Dear {{headteacher.name}},\n{{decision.rationale}}\nFrom {{ school.nmae }}",
        )
        .await
        .unwrap_err()
        .to_string();
        tx.rollback().await.unwrap();
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("school.nmae"), "{e}");
        assert_eq!(count(&db, "letter_templates").await, 0);
        let mut tx = db.begin().await.unwrap();
        concern::save_template(
            &mut tx,
            &s.actor,
            s.org,
            LetterKind::PriorityDecision,
            "OUR OWN LETTER to {{headteacher.name}} and {{chair.name}}: {{decision.rationale}}",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let r = decide(
            &db,
            &s,
            &decision(
                &s,
                RI,
                DecisionKind::Designate,
                date(2026, 11, 23),
                "Reading",
            ),
        )
        .await
        .unwrap();
        let case = r.case.unwrap();
        let letter = &r.letters[0];
        assert_eq!(
            letter.body,
            "OUR OWN LETTER to Ada Head and The Chair of Governors: Reading"
        );
        // The chair recorded on the case, then a draft edited and issued.
        let mut tx = db.begin().await.unwrap();
        concern::set_case_contacts(&mut tx, &s.actor, s.org, case.id, Some("Cal Chair"), None)
            .await
            .unwrap();
        concern::edit_letter(&mut tx, &s.actor, s.org, letter.id, "Edited text")
            .await
            .unwrap();
        let issued = concern::issue_letter(&mut tx, &s.actor, s.org, letter.id, date(2026, 11, 24))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(issued.status, "issued");
        assert_eq!(
            db.issued_letters_for_school(s.org, RI).await.unwrap().len(),
            1
        );
        assert!(db
            .issued_letters_for_school(s.org, GOOD)
            .await
            .unwrap()
            .is_empty());
        let mut tx = db.begin().await.unwrap();
        let e = concern::edit_letter(&mut tx, &s.actor, s.org, letter.id, "Again")
            .await
            .unwrap_err()
            .to_string();
        tx.rollback().await.unwrap();
        assert!(e.contains("issued"), "{e}");
    }
}

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
        kind,
        rationale: rationale.into(),
        triggers: vec!["Inspection judged requires improvement".into()],
        decided_on: on,
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
        // No rationale.
        let e = decide(
            &db,
            &s,
            &decision(&s, RI, DecisionKind::Designate, date(2026, 11, 23), "  "),
        )
        .await
        .unwrap_err();
        assert!(e.contains("rationale"), "{e}");
        // A designation without triggers.
        let mut d = decision(&s, RI, DecisionKind::Designate, date(2026, 11, 23), "why");
        d.triggers.clear();
        let e = decide(&db, &s, &d).await.unwrap_err();
        assert!(e.contains("trigger"), "{e}");
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

//! School contacts and "not a priority" decisions in the store, on both
//! backends: contacts saved (audited) and refused without saving anything;
//! letters addressed from them; the chair typed on a case lands in the
//! school's contacts; a school with no case considered and not a priority gets
//! its letter (case-less) due within the decision-letter deadline; the same
//! decision refused for a school with an open case, nothing saved.

use jiff::civil::{date, Date};
use uplift_domain::concern::DecisionKind;
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::concern::{self, NewDecision};
use uplift_store::contacts::{self, ContactsInput};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::each_backend;
use uplift_store::Db;

const SCHOOL: i64 = 920001;
const OTHER: i64 = 920002;
const OUTSIDE: i64 = 920003;

struct Setup {
    org: i64,
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
    for (urn, name, in_estate) in [
        (SCHOOL, "Invented Considered School", true),
        (OTHER, "Invented Designated School", true),
        (OUTSIDE, "Invented Elsewhere School", false),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO schools (urn, la_code, name, phase, type_name, governance, status, head_title,
                 head_first_name, head_last_name, created_at, updated_at)
             VALUES ({urn}, '202', '{name}', 'Primary', 'Community school', 'maintained', 'Open', 'Mx',
                 'Ada', 'Register', '{t}', '{t}')"
        ))
        .await
        .unwrap();
        if in_estate {
            db.execute_raw(&format!(
                "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({}, {urn}, '{t}')",
                org.id
            ))
            .await
            .unwrap();
        }
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
        actor: Actor {
            user_id: Some(lead),
            label: "lead@example.invalid".into(),
            organisation_id: Some(org.id),
            request_id: None,
        },
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

async fn save(
    db: &Db,
    s: &Setup,
    urn: i64,
    input: &ContactsInput,
) -> Result<contacts::SchoolContacts, String> {
    let mut tx = db.begin().await.unwrap();
    match contacts::save(&mut tx, &s.actor, s.org, urn, input).await {
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

fn decision(s: &Setup, urn: i64, kind: DecisionKind, on: Date) -> NewDecision {
    NewDecision {
        organisation_id: s.org,
        urn,
        decision: uplift_domain::concern::Decision::new(
            kind,
            on,
            "Data dipped for one cohort only; leadership has a credible plan",
            vec!["Attainment below the national average".into()],
        )
        .expect("a valid decision"),
        meeting_id: None,
        meeting_name: None,
        category: Some("amber".into()),
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

#[tokio::test]
async fn contacts_are_saved_audited_and_refused_without_saving() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        assert_eq!(db.school_contacts(s.org, SCHOOL).await.unwrap(), None);
        let input = ContactsInput {
            headteacher_name: Some("  Acting Head Example ".into()),
            chair_name: Some("Pat Invented-Governor".into()),
            chair_email: Some("chair@example.invalid".into()),
            clerk_name: Some("Clerk Example".into()),
            ..Default::default()
        };
        let saved = save(&db, &s, SCHOOL, &input).await.unwrap();
        assert_eq!(
            saved.headteacher_name.as_deref(),
            Some("Acting Head Example")
        );
        assert_eq!(saved.chair_name.as_deref(), Some("Pat Invented-Governor"));
        assert_eq!(saved.updated_by, "lead@example.invalid");
        assert_eq!(
            db.school_contacts(s.org, SCHOOL).await.unwrap(),
            Some(saved.clone())
        );
        assert_eq!(audit_count(&db, s.org, "school_contacts").await, 1);
        // Saving the same again changes nothing and audits nothing.
        save(&db, &s, SCHOOL, &input).await.unwrap();
        assert_eq!(audit_count(&db, s.org, "school_contacts").await, 1);
        // A change is an update, audited with before and after.
        let mut changed = input.clone();
        changed.chair_name = Some("Sam Invented-Chair".into());
        save(&db, &s, SCHOOL, &changed).await.unwrap();
        assert_eq!(audit_count(&db, s.org, "school_contacts").await, 2);

        // Bad input: every problem named, nothing saved.
        let before = db.school_contacts(s.org, SCHOOL).await.unwrap();
        let bad = ContactsInput {
            chair_name: Some("x".repeat(201)),
            chair_email: Some("not an email".into()),
            headteacher_email: Some("head@nowhere".into()),
            ..Default::default()
        };
        let e = save(&db, &s, SCHOOL, &bad).await.unwrap_err();
        assert!(
            e.contains("chair of governors' name must be 200 characters or fewer"),
            "{e}"
        );
        assert!(
            e.contains("chair of governors' email address must look like an email address"),
            "{e}"
        );
        assert!(e.contains("headteacher's email address"), "{e}");
        assert_eq!(db.school_contacts(s.org, SCHOOL).await.unwrap(), before);
        assert_eq!(audit_count(&db, s.org, "school_contacts").await, 2);
        // A school outside the organisation's estate: not found, nothing saved.
        let e = save(&db, &s, OUTSIDE, &input).await.unwrap_err();
        assert!(e.contains("not found") || e.contains("920003"), "{e}");
        assert_eq!(count(&db, "school_contacts").await, 1);
    }
}

#[tokio::test]
async fn letters_are_addressed_from_the_school_contacts() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        // No chair recorded: the office; the register's headteacher.
        let r = decide(
            &db,
            &s,
            &decision(&s, OTHER, DecisionKind::Designate, date(2026, 11, 20)),
        )
        .await
        .unwrap();
        let letter = &r.letters[0];
        assert_eq!(letter.chair_name, "The Chair of Governors");
        assert_eq!(letter.headteacher_name, "Mx Ada Register");
        assert!(
            letter
                .body
                .contains("Dear Mx Ada Register and The Chair of Governors"),
            "{}",
            letter.body
        );
        let case = r.case.unwrap();
        // The chair typed on the case goes to the school's contacts (one place).
        let mut tx = db.begin().await.unwrap();
        concern::set_case_contacts(
            &mut tx,
            &s.actor,
            s.org,
            case.id,
            Some("Pat Invented-Governor"),
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let c = db.school_contacts(s.org, OTHER).await.unwrap().unwrap();
        assert_eq!(c.chair_name.as_deref(), Some("Pat Invented-Governor"));
        assert!(db
            .case_events(case.id)
            .await
            .unwrap()
            .iter()
            .any(|e| e.kind == "contacts" && e.summary.contains("Pat Invented-Governor")));
        // An acting head overrides the register; the next letter says so.
        let mut input = ContactsInput {
            headteacher_name: Some("Acting Head Example".into()),
            chair_name: c.chair_name.clone(),
            ..Default::default()
        };
        save(&db, &s, OTHER, &input).await.unwrap();
        let r = decide(
            &db,
            &s,
            &decision(&s, OTHER, DecisionKind::LetterOfConcern, date(2026, 11, 21)),
        )
        .await
        .unwrap();
        let letter = &r.letters[0];
        assert_eq!(letter.headteacher_name, "Acting Head Example");
        assert_eq!(letter.chair_name, "Pat Invented-Governor");
        assert!(
            letter.body.contains("Pat Invented-Governor"),
            "{}",
            letter.body
        );
        // Clearing the chair goes back to the office.
        input.chair_name = None;
        save(&db, &s, OTHER, &input).await.unwrap();
        let r = decide(
            &db,
            &s,
            &decision(&s, OTHER, DecisionKind::LetterOfConcern, date(2026, 11, 22)),
        )
        .await
        .unwrap();
        assert_eq!(r.letters[0].chair_name, "The Chair of Governors");
    }
}

#[tokio::test]
async fn not_a_priority_drafts_a_school_letter_and_is_refused_with_an_open_case() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        save(
            &db,
            &s,
            SCHOOL,
            &ContactsInput {
                chair_name: Some("Pat Invented-Governor".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // Friday 18 December 2026: the letter is due 10 working days later,
        // over Christmas, on 6 January 2027.
        let r = decide(
            &db,
            &s,
            &decision(&s, SCHOOL, DecisionKind::NotAPriority, date(2026, 12, 18)),
        )
        .await
        .unwrap();
        assert!(r.case.is_none(), "no case is opened");
        assert_eq!(r.decision.case_id, None);
        assert_eq!(r.decision.kind, "not_a_priority");
        assert!(r.tasks.is_empty());
        assert_eq!(r.letters.len(), 1);
        let letter = &r.letters[0];
        assert_eq!(letter.case_id, None);
        assert_eq!(letter.urn, SCHOOL);
        assert_eq!(letter.kind, "not_a_priority");
        assert_eq!(letter.status, "draft");
        assert_eq!(letter.decision_id, Some(r.decision.id));
        assert_eq!(letter.due_on.as_deref(), Some("2027-01-06"));
        assert_eq!(letter.headteacher_name, "Mx Ada Register");
        assert_eq!(letter.chair_name, "Pat Invented-Governor");
        assert!(
            letter.body.contains("is not a priority for support"),
            "{}",
            letter.body
        );
        assert!(
            letter.body.contains("leadership has a credible plan"),
            "{}",
            letter.body
        );
        assert_eq!(count(&db, "concern_cases").await, 0);
        assert_eq!(audit_count(&db, s.org, "letter").await, 1);
        // The school's history and the organisation's list show the decision.
        let listed = db
            .not_a_priority_decisions(s.org, Some(SCHOOL), "2026-09-01")
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert!(db
            .not_a_priority_decisions(s.org, Some(OTHER), "2026-09-01")
            .await
            .unwrap()
            .is_empty());
        assert_eq!(db.school_letters(s.org, SCHOOL).await.unwrap().len(), 1);
        // Not visible to the school until issued; issuing a case-less letter
        // works and it is then among the school's issued letters.
        assert!(db
            .issued_letters_for_school(s.org, SCHOOL)
            .await
            .unwrap()
            .is_empty());
        let mut tx = db.begin().await.unwrap();
        let issued = concern::issue_letter(&mut tx, &s.actor, s.org, letter.id, date(2026, 12, 21))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(issued.status, "issued");
        let seen = db.issued_letters_for_school(s.org, SCHOOL).await.unwrap();
        assert_eq!(
            seen.iter().map(|l| l.id).collect::<Vec<_>>(),
            vec![letter.id]
        );
        assert!(db
            .issued_letters_for_school(s.org, OTHER)
            .await
            .unwrap()
            .is_empty());

        // With an open case: refused with the reason, nothing saved.
        decide(
            &db,
            &s,
            &decision(&s, OTHER, DecisionKind::Designate, date(2026, 12, 18)),
        )
        .await
        .unwrap();
        let (decisions, letters, audits) = (
            count(&db, "concern_decisions").await,
            count(&db, "letters").await,
            count(&db, "audit_log").await,
        );
        let e = decide(
            &db,
            &s,
            &decision(&s, OTHER, DecisionKind::NotAPriority, date(2026, 12, 21)),
        )
        .await
        .unwrap_err();
        assert!(e.contains("open case"), "{e}");
        assert!(e.contains("continue"), "{e}");
        assert_eq!(count(&db, "concern_decisions").await, decisions);
        assert_eq!(count(&db, "letters").await, letters);
        assert_eq!(count(&db, "audit_log").await, audits);
        // Without a rationale there is no decision to give the store.
        assert_eq!(
            uplift_domain::concern::Decision::new(
                DecisionKind::NotAPriority,
                date(2026, 12, 21),
                "  ",
                vec![]
            ),
            Err(uplift_domain::concern::DecisionError::MissingRationale)
        );
        assert_eq!(count(&db, "concern_decisions").await, decisions);
    }
}

/// The SQLite rebuild of `letters` in migration 0011 keeps every row with its
/// id, recreates the indexes and leaves `case_id` nullable (run again here on
/// a database that has letters).
#[tokio::test]
async fn the_sqlite_letters_rebuild_keeps_rows_and_indexes() {
    let (db, _dir) = uplift_store::testkit::sqlite().await;
    let s = setup(&db).await;
    decide(
        &db,
        &s,
        &decision(&s, OTHER, DecisionKind::Designate, date(2026, 11, 20)),
    )
    .await
    .unwrap();
    decide(
        &db,
        &s,
        &decision(&s, SCHOOL, DecisionKind::NotAPriority, date(2026, 11, 20)),
    )
    .await
    .unwrap();
    let rows = "SELECT CAST(id AS TEXT) || '|' || COALESCE(CAST(case_id AS TEXT), 'null') || '|' || urn || '|' || kind || '|' || body FROM letters ORDER BY id";
    let before = db.execute_raw_text(rows).await.unwrap();
    assert_eq!(before.matches("|null|").count(), 1, "{before}");
    let m = uplift_store::migrate::SQLITE
        .iter()
        .find(|m| uplift_store::migrate::name(m) == "0011_school_contacts")
        .unwrap();
    let start = m.sql.find("CREATE TABLE letters_new").unwrap();
    // One call, so one connection: the statements run in order on it as in
    // the migration.
    db.execute_raw(&m.sql[start..]).await.unwrap();
    assert_eq!(db.execute_raw_text(rows).await.unwrap(), before);
    let indexes = db
        .execute_raw_text(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'letters' ORDER BY name",
        )
        .await
        .unwrap();
    assert_eq!(indexes.trim(), "letters_case\nletters_school");
    let not_null = db
        .execute_raw_text(
            "SELECT CAST(\"notnull\" AS TEXT) FROM pragma_table_info('letters') WHERE name = 'case_id'",
        )
        .await
        .unwrap();
    assert_eq!(not_null.trim(), "0");
}

//! Advisers, visits and notes of visit in the store, on both backends:
//! advisers and named-adviser history, entitlements for each circumstance,
//! delivered against due, and the visit workflow from plan to a final note
//! with addenda; bad input saves nothing; every change is audited.

use jiff::civil::{date, Date};
use uplift_domain::calendar::AcademicYear;
use uplift_domain::visits::note::{AgreedActionForm, FocusAreaForm};
use uplift_domain::visits::{
    Actor as VisitActor, ActorRole, Expertise, NoteOfVisitForm, Stage, VisitAction, VisitType,
    WorkflowError,
};
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::each_backend;
use uplift_store::visits::{self, AdviserInput, PlanInput, VisitError, VisitFilter};
use uplift_store::Db;

const PRIMARY: i64 = 910001;
const SECONDARY: i64 = 910002;
const PRU: i64 = 910003;
const ACADEMY: i64 = 910004;
const NEW_HEAD: i64 = 910005;
const INTEL: i64 = 910006;

fn today() -> Date {
    date(2026, 11, 22)
}

fn year() -> AcademicYear {
    "2026/27".parse().unwrap()
}

async fn setup(db: &Db) -> i64 {
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
    // (urn, name, phase, type, governance, sixth form, head start)
    let schools: [(i64, &str, &str, &str, &str, &str, &str); 6] = [
        (
            PRIMARY,
            "Invented Primary",
            "Primary",
            "Community school",
            "maintained",
            "Does not have a sixth form",
            "2015-09-01",
        ),
        (
            SECONDARY,
            "Invented Secondary",
            "Secondary",
            "Community school",
            "maintained",
            "Has a sixth form",
            "2015-09-01",
        ),
        (
            PRU,
            "Invented PRU",
            "Not applicable",
            "Pupil referral unit",
            "maintained",
            "Does not have a sixth form",
            "2015-09-01",
        ),
        (
            ACADEMY,
            "Invented Academy",
            "Primary",
            "Academy converter",
            "academy",
            "Does not have a sixth form",
            "2015-09-01",
        ),
        (
            NEW_HEAD,
            "Invented New Head",
            "Primary",
            "Community school",
            "maintained",
            "Does not have a sixth form",
            "2026-09-01",
        ),
        (
            INTEL,
            "Invented Intelligence",
            "Primary",
            "Community school",
            "maintained",
            "Does not have a sixth form",
            "2015-09-01",
        ),
    ];
    for (urn, name, phase, ty, gov, sixth, head) in schools {
        db.execute_raw(&format!(
            "INSERT INTO schools (urn, la_code, name, phase, type_name, governance, status, sixth_form, head_start_date, created_at, updated_at)
             VALUES ({urn}, '202', '{name}', '{phase}', '{ty}', '{gov}', 'Open', '{sixth}', '{head}', '{t}', '{t}')"
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
    // Intelligence: recruiting a head, and a safeguarding concern.
    for (kind, on) in [
        ("headteacher_recruitment", "2026-10-01"),
        ("safeguarding", "2026-10-15"),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO intelligence (organisation_id, urn, kind, summary, source, occurred_on, recorded_at, generated)
             VALUES ({}, {INTEL}, '{kind}', 'invented', 'test', '{on}', '{t}', FALSE)",
            org.id
        ))
        .await
        .unwrap();
    }
    org.id
}

async fn adviser(db: &Db, org: i64, name: &str, expertise: &[Expertise], days: f64) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let a = visits::create_adviser(
        &mut tx,
        &Actor::cli(),
        org,
        &AdviserInput {
            user_id: None,
            name,
            email: &format!("{}@example.org", name.to_lowercase().replace(' ', ".")),
            expertise,
            capacity_days: days,
            active: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    a.id
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

fn adviser_actor(id: i64) -> VisitActor {
    VisitActor {
        user_id: "adviser".into(),
        role: ActorRole::Adviser {
            adviser_id: id.to_string(),
        },
    }
}

fn head(urn: i64) -> VisitActor {
    VisitActor {
        user_id: "head".into(),
        role: ActorRole::Headteacher {
            urn: uplift_domain::register::Urn::new(urn as u32).unwrap(),
        },
    }
}

fn plan(urn: i64, adviser_id: i64, d: Date) -> PlanInput {
    PlanInput {
        urn,
        adviser_id,
        visit_type: VisitType::SchoolEffectiveness,
        academic_year: year(),
        date: d,
        start: None,
        end: None,
        focus: "Reading in key stage 1".into(),
        attendees: vec!["Headteacher".into(), "English lead".into()],
    }
}

async fn count_visits(db: &Db, org: i64) -> usize {
    db.visits(&VisitFilter {
        organisation_id: org,
        ..Default::default()
    })
    .await
    .unwrap()
    .len()
}

#[tokio::test]
async fn advisers_and_named_adviser_history() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let a = adviser(&db, org, "Ada Adviser", &[Expertise::Primary], 60.0).await;
        let b = adviser(
            &db,
            org,
            "Ben Adviser",
            &[Expertise::Secondary, Expertise::Send],
            40.0,
        )
        .await;
        let list = db.advisers(org).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].expertise_words(), "secondary, SEND");
        assert_eq!(audit_count(&db, org, "adviser").await, 2);

        // Bad input names the field and saves nothing.
        let mut tx = db.begin().await.unwrap();
        let err = visits::create_adviser(
            &mut tx,
            &Actor::cli(),
            org,
            &AdviserInput {
                user_id: None,
                name: " ",
                email: "not-an-email",
                expertise: &[],
                capacity_days: -1.0,
                active: true,
            },
        )
        .await
        .unwrap_err();
        drop(tx);
        let fields: Vec<String> = err.field_errors().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email", "capacity_days"]);
        assert_eq!(db.advisers(org).await.unwrap().len(), 2);

        let mut tx = db.begin().await.unwrap();
        visits::assign_adviser(
            &mut tx,
            &Actor::cli(),
            org,
            PRIMARY,
            a,
            date(2026, 9, 1),
            "Initial allocation",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // No reason: refused.
        let mut tx = db.begin().await.unwrap();
        let err = visits::assign_adviser(
            &mut tx,
            &Actor::cli(),
            org,
            PRIMARY,
            b,
            date(2026, 11, 1),
            "",
        )
        .await
        .unwrap_err();
        drop(tx);
        assert_eq!(err.field_errors()[0].field, "reason");
        let mut tx = db.begin().await.unwrap();
        visits::assign_adviser(
            &mut tx,
            &Actor::cli(),
            org,
            PRIMARY,
            b,
            date(2026, 11, 1),
            "Rebalancing caseloads",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let history = db.assignment_history(org, PRIMARY).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].adviser_id, b);
        assert_eq!(history[0].to_date, None);
        assert_eq!(history[1].adviser_id, a);
        assert_eq!(history[1].to_date.as_deref(), Some("2026-11-01"));
        assert_eq!(
            db.current_assignments(org).await.unwrap()[&PRIMARY].adviser_id,
            b
        );
        assert_eq!(audit_count(&db, org, "school_adviser").await, 2);

        // A school outside the estate is not found.
        let mut tx = db.begin().await.unwrap();
        let err = visits::assign_adviser(
            &mut tx,
            &Actor::cli(),
            org,
            999999,
            a,
            date(2026, 11, 1),
            "x",
        )
        .await
        .unwrap_err();
        assert!(err.is_not_found());
    }
}

#[tokio::test]
async fn entitlement_for_each_circumstance() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let e = db.entitlements(org, year(), today()).await.unwrap();
        let count = |urn: i64, t: VisitType| e[&urn].entitlement.count(&t);
        // Secondary maintained with a sixth form: three School Effectiveness Visits.
        assert_eq!(
            count(SECONDARY, VisitType::SchoolEffectiveness),
            3,
            "{:#?}",
            e[&SECONDARY].entitlement
        );
        assert!(count(PRIMARY, VisitType::SchoolEffectiveness) < 3);
        // PRU: two.
        assert!(
            count(PRU, VisitType::SchoolEffectiveness) >= 2,
            "{:#?}",
            e[&PRU].entitlement
        );
        // Academy: one keeping-in-touch visit.
        assert_eq!(count(ACADEMY, VisitType::KeepingInTouch), 1);
        assert_eq!(count(PRIMARY, VisitType::KeepingInTouch), 0);
        // New head within the year: New to Headship.
        assert_eq!(count(NEW_HEAD, VisitType::NewToHeadship), 1);
        assert_eq!(count(PRIMARY, VisitType::NewToHeadship), 0);
        // Intelligence: an additional visit for recruiting, a safeguarding visit.
        assert!(count(INTEL, VisitType::Additional) >= 1);
        assert!(count(INTEL, VisitType::Safeguarding) >= 1);
        assert_eq!(count(PRIMARY, VisitType::Safeguarding), 0);
        // Planned on term-time working days within the year.
        let terms = visits::term_dates(year()).unwrap();
        for plan in e.values() {
            assert_eq!(plan.slots.len() as u32, plan.entitlement.total());
            for s in &plan.slots {
                assert!(terms.is_term_time(s.date), "{s:?}");
                assert!(!uplift_domain::calendar::is_weekend(s.date));
            }
        }
        // One school alone agrees with the estate.
        let one = db
            .school_entitlement(org, SECONDARY, year(), today())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(one.entitlement, e[&SECONDARY].entitlement);
    }
}

#[tokio::test]
async fn plan_refuses_bad_dates_and_saves_nothing() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let a = adviser(&db, org, "Ada Adviser", &[Expertise::Primary], 60.0).await;
        let cal = db.bank_holidays().await.unwrap();
        for (d, field) in [
            (date(2026, 11, 2), "date"),  // in the past
            (date(2027, 9, 15), "date"),  // outside 2026/27
            (date(2026, 12, 25), "date"), // Christmas
        ] {
            let mut tx = db.begin().await.unwrap();
            let err = visits::plan_visit(
                &mut tx,
                &Actor::cli(),
                org,
                &adviser_actor(a),
                &plan(PRIMARY, a, d),
                today(),
                &cal,
                10,
            )
            .await
            .unwrap_err();
            drop(tx);
            assert_eq!(err.field_errors()[0].field, field, "{d}: {err}");
        }
        // Another adviser's visit: refused.
        let mut tx = db.begin().await.unwrap();
        let err = visits::plan_visit(
            &mut tx,
            &Actor::cli(),
            org,
            &adviser_actor(a + 100),
            &plan(PRIMARY, a, date(2026, 12, 2)),
            today(),
            &cal,
            10,
        )
        .await
        .unwrap_err();
        drop(tx);
        assert!(matches!(
            err,
            VisitError::Workflow(WorkflowError::NotTheVisitsAdviser { .. })
        ));
        assert_eq!(count_visits(&db, org).await, 0);
        assert_eq!(audit_count(&db, org, "visit").await, 0);
    }
}

fn note_form() -> NoteOfVisitForm {
    NoteOfVisitForm {
        focus_areas: vec![FocusAreaForm {
            title: "Reading".into(),
            commentary: "Phonics is taught consistently.".into(),
            adviser_judgement: "Secure".into(),
            school_grade: "Highly Effective".into(),
            disagreement_note: "Discussed with the headteacher: not yet consistent in Year 2."
                .into(),
        }],
        strengths: vec!["Calm, purposeful classrooms".into()],
        areas_for_development: vec!["Reading fluency in Year 2".into()],
        agreed_actions: vec![AgreedActionForm {
            action: "Fluency training for Year 2 staff".into(),
            owner: "English lead".into(),
            due: "2027-01-29".into(),
        }],
        next_visit_date: "2027-02-10".into(),
        next_visit_focus: "Reading fluency".into(),
    }
}

#[tokio::test]
async fn workflow_from_plan_to_final_note_with_addenda() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let a = adviser(&db, org, "Ada Adviser", &[Expertise::Primary], 60.0).await;
        let cal = db.bank_holidays().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let v = visits::plan_visit(
            &mut tx,
            &Actor::cli(),
            org,
            &adviser_actor(a),
            &plan(PRIMARY, a, date(2026, 11, 25)),
            today(),
            &cal,
            10,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let id = v.visit.id;
        assert_eq!(v.visit.stage(), Stage::Planned);
        assert_eq!(v.visit.attendee_list(), ["Headteacher", "English lead"]);

        async fn step(
            db: &Db,
            org: i64,
            id: i64,
            who: &VisitActor,
            action: VisitAction,
            on: Date,
        ) -> Result<Stage, VisitError> {
            let cal = db.bank_holidays().await.unwrap();
            let mut tx = db.begin().await.unwrap();
            let r = visits::act(&mut tx, &Actor::cli(), org, id, who, action, on, &cal).await?;
            tx.commit().await.unwrap();
            Ok(r.unwrap().visit.stage())
        }
        let ad = adviser_actor(a);
        step(
            &db,
            org,
            id,
            &ad,
            VisitAction::RequestSelfEvaluation,
            today(),
        )
        .await
        .unwrap();
        // Another school's headteacher cannot complete it; nothing saved.
        let err = step(
            &db,
            org,
            id,
            &head(SECONDARY),
            VisitAction::CompleteSelfEvaluation {
                content: "ours".into(),
            },
            today(),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            err,
            VisitError::Workflow(WorkflowError::WrongSchool { .. })
        ));
        assert!(db
            .visit(org, id)
            .await
            .unwrap()
            .unwrap()
            .self_evaluation
            .unwrap()
            .content
            .is_none());
        step(
            &db,
            org,
            id,
            &head(PRIMARY),
            VisitAction::CompleteSelfEvaluation {
                content: "Reading: Highly Effective".into(),
            },
            today(),
        )
        .await
        .unwrap();
        step(
            &db,
            org,
            id,
            &ad,
            VisitAction::ReviewSelfEvaluation {
                comments: "Ambitious; test in the visit".into(),
            },
            today(),
        )
        .await
        .unwrap();
        // Held in the future: refused.
        let err = step(
            &db,
            org,
            id,
            &ad,
            VisitAction::RecordHeld {
                date: date(2026, 11, 25),
            },
            today(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.field_errors()[0].field, "date");
        let visit_day = date(2026, 11, 25);
        step(
            &db,
            org,
            id,
            &ad,
            VisitAction::RecordHeld { date: visit_day },
            visit_day,
        )
        .await
        .unwrap();
        // A judgement outside the scale: refused, nothing saved.
        let mut bad = note_form();
        bad.focus_areas[0].adviser_judgement = "Outstanding".into();
        let err = step(
            &db,
            org,
            id,
            &ad,
            VisitAction::DraftNote {
                note: Box::new(bad),
            },
            visit_day,
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.field_errors()[0].field,
            "focus_areas[0].adviser_judgement"
        );
        assert!(db.visit(org, id).await.unwrap().unwrap().note.is_none());
        // Another adviser cannot draft it.
        let err = step(
            &db,
            org,
            id,
            &adviser_actor(a + 1),
            VisitAction::DraftNote {
                note: Box::new(note_form()),
            },
            visit_day,
        )
        .await
        .unwrap_err();
        assert!(matches!(
            err,
            VisitError::Workflow(WorkflowError::NotTheVisitsAdviser { .. })
        ));
        step(
            &db,
            org,
            id,
            &ad,
            VisitAction::DraftNote {
                note: Box::new(note_form()),
            },
            visit_day,
        )
        .await
        .unwrap();
        let full = db.visit(org, id).await.unwrap().unwrap();
        let note = full.note.as_ref().unwrap();
        assert_eq!(note.state, "draft");
        assert!(!full.note_shared_with_school());
        assert_eq!(note.note().unwrap().disagreements().len(), 1);

        let sent_on = date(2026, 11, 26);
        step(&db, org, id, &ad, VisitAction::SendToHeadteacher, sent_on)
            .await
            .unwrap();
        let full = db.visit(org, id).await.unwrap().unwrap();
        assert!(full.note_shared_with_school());
        // Ten working days after 26 November 2026.
        assert_eq!(
            full.note.as_ref().unwrap().response_due.as_deref(),
            Some("2026-12-10")
        );
        let err = step(
            &db,
            org,
            id,
            &head(SECONDARY),
            VisitAction::MarkAccurate,
            sent_on,
        )
        .await
        .unwrap_err();
        assert!(matches!(
            err,
            VisitError::Workflow(WorkflowError::WrongSchool { .. })
        ));
        step(
            &db,
            org,
            id,
            &head(PRIMARY),
            VisitAction::MarkAccurate,
            date(2026, 11, 30),
        )
        .await
        .unwrap();
        step(
            &db,
            org,
            id,
            &head(PRIMARY),
            VisitAction::ShareWithChair,
            date(2026, 11, 30),
        )
        .await
        .unwrap();
        step(&db, org, id, &ad, VisitAction::Finalise, date(2026, 12, 1))
            .await
            .unwrap();
        let full = db.visit(org, id).await.unwrap().unwrap();
        let n = full.note.as_ref().unwrap();
        assert_eq!(n.state, "final");
        assert_eq!(n.response_kind.as_deref(), Some("accurate"));
        assert_eq!(n.shared_with_chair_at.as_deref(), Some("2026-11-30"));
        assert_eq!(n.finalised_at.as_deref(), Some("2026-12-01"));
        // Locked: drafting again is refused.
        let err = step(
            &db,
            org,
            id,
            &ad,
            VisitAction::DraftNote {
                note: Box::new(note_form()),
            },
            date(2026, 12, 2),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            err,
            VisitError::Workflow(WorkflowError::NoteLocked)
        ));
        step(
            &db,
            org,
            id,
            &ad,
            VisitAction::AddAddendum {
                text: "Date of the next visit moved to 17 February.".into(),
            },
            date(2026, 12, 2),
        )
        .await
        .unwrap();
        let full = db.visit(org, id).await.unwrap().unwrap();
        assert_eq!(full.addenda.len(), 1);
        assert_eq!(full.visit.stage(), Stage::Final);
        // Every step is recorded and audited; the domain view round-trips.
        assert_eq!(full.events.len(), 11);
        let d = full.domain().unwrap();
        assert_eq!(d.addenda.len(), 1);
        assert_eq!(d.held_on, Some(visit_day));
        assert!(audit_count(&db, org, "visit_note").await >= 5);
        assert_eq!(audit_count(&db, org, "visit_note_addendum").await, 1);
        assert_eq!(audit_count(&db, org, "visit_self_evaluation").await, 3);

        // Delivered against due: the held visit delivers one School Effectiveness Visit.
        let report = db
            .delivery(org, year(), date(2026, 12, 2), Some(PRIMARY))
            .await
            .unwrap();
        assert!(report.lines.iter().any(|l| matches!(
            &l.status,
            uplift_domain::visits::DeliveryStatus::Delivered { visit_id, .. } if *visit_id == id.to_string()
        )));
    }
}

#[tokio::test]
async fn overdue_and_caseload() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let a = adviser(&db, org, "Ada Adviser", &[Expertise::Primary], 2.0).await;
        let b = adviser(
            &db,
            org,
            "Ben Adviser",
            &[
                Expertise::Primary,
                Expertise::Secondary,
                Expertise::AlternativeProvision,
            ],
            100.0,
        )
        .await;
        for urn in [PRIMARY, SECONDARY, PRU, ACADEMY, NEW_HEAD, INTEL] {
            let mut tx = db.begin().await.unwrap();
            visits::assign_adviser(
                &mut tx,
                &Actor::cli(),
                org,
                urn,
                a,
                date(2026, 9, 1),
                "Initial allocation",
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        // At the end of the year nothing has been held: everything is overdue.
        let report = db
            .delivery(org, year(), date(2027, 7, 30), None)
            .await
            .unwrap();
        assert!(!report.lines.is_empty());
        assert_eq!(report.overdue().count(), report.lines.len());
        // In September nothing is overdue yet.
        let early = db
            .delivery(org, year(), date(2026, 9, 2), None)
            .await
            .unwrap();
        assert_eq!(early.overdue().count(), 0);
        let (caseload, _) = db.caseload(org, year(), today()).await.unwrap();
        let load_a = caseload
            .loads
            .iter()
            .find(|l| l.adviser_id == a.to_string())
            .unwrap();
        assert!(load_a.overloaded);
        assert_eq!(load_a.schools.len(), 6);
        // The secondary school needs expertise Ada lacks: moved to Ben.
        assert!(caseload
            .suggestions
            .iter()
            .any(|s| s.urn.get() as i64 == SECONDARY && s.to == b.to_string()));
    }
}

#[tokio::test]
async fn demo_gives_every_school_an_adviser_and_visits_in_stages() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let t = uplift_store::now();
        for (email, role, school) in [
            ("adviser@demo.uplift.invalid", "adviser", "NULL".to_string()),
            ("lead@demo.uplift.invalid", "lead", "NULL".to_string()),
            ("school@demo.uplift.invalid", "school", PRIMARY.to_string()),
        ] {
            db.execute_raw(&format!(
                "INSERT INTO users (organisation_id, email, name, role, school_urn, password_hash, active, created_at, updated_at)
                 VALUES ({org}, '{email}', 'Demo {role}', '{role}', {school}, 'x', TRUE, '{t}', '{t}')"
            ))
            .await
            .unwrap();
        }
        let demo = visits::load_demo(&db, org, jiff::Zoned::now().date())
            .await
            .unwrap();
        assert!(demo.skipped.is_empty(), "{:?}", demo.skipped);
        assert_eq!(demo.advisers, 6);
        assert_eq!(demo.assigned, 6);
        assert_eq!(demo.demo_school, Some(PRIMARY));
        let assignments = db.current_assignments(org).await.unwrap();
        assert_eq!(assignments.len(), 6);
        assert_eq!(Some(assignments[&PRIMARY].adviser_id), demo.demo_adviser_id);
        assert!(demo.visits >= 5, "{demo:?}");
        let list = db
            .visits(&VisitFilter {
                organisation_id: org,
                urn: Some(PRIMARY),
                ..Default::default()
            })
            .await
            .unwrap();
        let stages: Vec<Stage> = list.iter().map(|v| v.stage()).collect();
        assert!(stages.contains(&Stage::Final));
        assert!(stages.contains(&Stage::SentToHeadteacher));
        assert!(stages.contains(&Stage::SelfEvaluationRequested));
        // Loading again changes nothing.
        let again = visits::load_demo(&db, org, jiff::Zoned::now().date())
            .await
            .unwrap();
        assert_eq!(again.advisers, 0);
        assert_eq!(db.advisers(org).await.unwrap().len(), 6);
    }
}

#[tokio::test]
async fn entitlement_follows_the_category_a_lead_decided() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let before = db
            .school_entitlement(org, PRIMARY, year(), today())
            .await
            .unwrap()
            .unwrap();
        assert_ne!(before.entitlement.category, "2v");
        let policy = db.policy_in_force(org).await.unwrap();
        let placement = db
            .categorise_school(org, &policy, PRIMARY, today())
            .await
            .unwrap()
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        uplift_store::categorisation::override_category(
            &mut tx,
            &Actor::cli(),
            org,
            &policy,
            &placement,
            "2v",
            "Agreed vulnerable at the annual review",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let after = db
            .school_entitlement(org, PRIMARY, year(), today())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.entitlement.category, "2v");
        assert_eq!(after.entitlement.count(&VisitType::SchoolEffectiveness), 6);
        assert_eq!(after.slots.len() as u32, after.entitlement.total());
    }
}

#[tokio::test]
async fn visits_are_planned_in_the_organisations_own_term_dates() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        // A council whose spring term has the whole of February as holiday
        // and whose autumn half term lasts three weeks.
        let custom: uplift_domain::calendar::TermDates =
            serde_json::from_value(serde_json::json!({
                "academic_year": "2026/27",
                "autumn": {"first_half": {"start": "2026-09-03", "end": "2026-10-16"},
                           "second_half": {"start": "2026-11-09", "end": "2026-12-18"}},
                "spring": {"first_half": {"start": "2027-01-04", "end": "2027-01-29"},
                           "second_half": {"start": "2027-03-01", "end": "2027-03-26"}},
                "summer": {"first_half": {"start": "2027-04-12", "end": "2027-05-28"},
                           "second_half": {"start": "2027-06-07", "end": "2027-07-21"}}
            }))
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        uplift_store::meetings::set_term_dates(&mut tx, &Actor::cli(), org, &custom)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let e = db.entitlements(org, year(), today()).await.unwrap();
        let mut slots = 0;
        for plan in e.values() {
            for s in &plan.slots {
                slots += 1;
                assert!(
                    custom.is_term_time(s.date),
                    "{} is planned outside the council's terms",
                    s.date
                );
            }
        }
        assert!(slots > 6, "only {slots} visits planned");
        // Delivery is reported by the same terms.
        let report = db.delivery(org, year(), today(), None).await.unwrap();
        assert_eq!(report.lines.len(), slots);
        for l in &report.lines {
            assert!(
                custom.term(l.due.term).contains(l.due.due_by),
                "{l:?} is due outside its term"
            );
        }
    }
}

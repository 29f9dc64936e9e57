//! Meetings, action plans and SPB protocols in the store, on both backends:
//! meetings with attendees, minutes and issued agendas; plans whose every
//! version is kept, reviewed into new versions; Monitoring and Challenge
//! records; SPB protocols whose steps the domain's rules check; all audited
//! and on the case timeline. Refused input saves nothing.

use jiff::civil::{date, Date};
use uplift_domain::calendar::{AcademicYear, TermDates};
use uplift_domain::concern::plan::Action as PlanAction;
use uplift_domain::concern::{
    build_agenda, CaseFacts, DecisionKind, MeetingKind, Milestone, MonitoringAndChallengeRecord,
    OwnerKind, PlanContent, PlanKind, Priority, ReviewCadence,
};
use uplift_domain::policy::Rag;
use uplift_domain::register::CategoryOfConcern;
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::concern::{self, NewDecision};
use uplift_store::meetings::{self, MeetingFilter, MeetingStatus, NewMeeting};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::plans::{self, NewReview, PriorityJudgement};
use uplift_store::spb::{self, SpbStart, StepInput};
use uplift_store::testkit::each_backend;
use uplift_store::Db;

const URN: i64 = 900101;
const OTHER_URN: i64 = 900102;

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
    for (urn, name) in [
        (URN, "Invented Hill Primary School"),
        (OTHER_URN, "Invented Vale School"),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO schools (urn, la_code, name, phase, type_name, governance, status, created_at, updated_at)
             VALUES ({urn}, '202', '{name}', 'Primary', 'Community school', 'maintained', 'Open', '{t}', '{t}')"
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
    org.id
}

fn actor(org: i64) -> Actor {
    Actor {
        user_id: None,
        label: "lead@camden.example".into(),
        organisation_id: Some(org),
        request_id: None,
    }
}

async fn designate(db: &Db, org: i64, meeting_id: Option<i64>) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let rec = concern::record_decision(
        &mut tx,
        &actor(org),
        &NewDecision {
            organisation_id: org,
            urn: URN,
            decision: uplift_domain::concern::Decision::new(
                DecisionKind::Designate,
                date(2026, 11, 17),
                "Outcomes fell below the floor two years running",
                vec!["low_attainment".into()],
            )
            .expect("a valid decision"),
            meeting_id,
            meeting_name: Some("Schools Review Group".into()),
            category: None,
            signatory_name: "Test Lead".into(),
            signatory_role: "Head of School Improvement".into(),
        },
        &CaseFacts::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    rec.case.expect("a designation opens a case").id
}

fn content(title: &str, rag: Rag) -> PlanContent {
    PlanContent {
        priorities: vec![Priority {
            title: title.into(),
            success_criteria: vec!["Phonics check at the national figure".into()],
            actions: vec![PlanAction {
                description: "Daily phonics catch-up in Year 1".into(),
                owner: OwnerKind::School,
                owner_name: Some("Deputy headteacher".into()),
                milestones: vec![Milestone {
                    due: date(2027, 2, 12),
                    description: "Half of the pupils at the expected standard".into(),
                    met: None,
                }],
                success_criteria: vec!["80% pass the check".into()],
                evidence: vec!["Termly phonics tracker".into()],
                rag,
            }],
        }],
        review_cadence: ReviewCadence::HalfTermly,
    }
}

async fn count(db: &Db, sql: &str) -> String {
    let sql = sql.replacen("SELECT COUNT(*)", "SELECT CAST(COUNT(*) AS TEXT)", 1);
    db.execute_raw_text(&sql).await.unwrap()
}

async fn audited(db: &Db, org: i64, entity: &str) -> usize {
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
async fn meetings_attendees_minutes_and_agendas() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let a = actor(org);
        let mut tx = db.begin().await.unwrap();
        let m = meetings::create_meeting(
            &mut tx,
            &a,
            org,
            &NewMeeting {
                kind: MeetingKind::SchoolsReviewGroup,
                date: date(2026, 12, 8),
                title: String::new(),
                focus_urn: None,
                location: Some("Crowndale Centre".into()),
                warnings: vec![],
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(m.title, "Schools Review Group");
        assert_eq!(m.status, "scheduled");

        // A single-school meeting needs its school, from the estate.
        let mut tx = db.begin().await.unwrap();
        let err = meetings::create_meeting(
            &mut tx,
            &a,
            org,
            &NewMeeting {
                kind: MeetingKind::MonitoringAndChallenge,
                date: date(2026, 12, 9),
                title: String::new(),
                focus_urn: None,
                location: None,
                warnings: vec![],
            },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("the school is required"), "{err}");
        let err = meetings::create_meeting(
            &mut tx,
            &a,
            org,
            &NewMeeting {
                kind: MeetingKind::MonitoringAndChallenge,
                date: date(2026, 12, 9),
                title: String::new(),
                focus_urn: Some(100),
                location: None,
                warnings: vec![],
            },
        )
        .await
        .unwrap_err();
        assert!(err
            .to_string()
            .contains("not one of the organisation's schools"));
        tx.rollback().await.unwrap();

        // A schedule skips dates that already have a meeting of the kind.
        let mut tx = db.begin().await.unwrap();
        let made = meetings::create_schedule(
            &mut tx,
            &a,
            org,
            MeetingKind::SchoolsReviewGroup,
            &[
                (date(2026, 12, 8), vec![]),
                (date(2027, 1, 19), vec![]),
                (
                    date(2027, 5, 31),
                    vec!["2027-05-31 is a bank holiday".into()],
                ),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(made.len(), 2);
        assert_eq!(
            made[1].warnings.as_deref(),
            Some("2027-05-31 is a bank holiday")
        );
        let all = db.meetings(org, &MeetingFilter::default()).await.unwrap();
        assert_eq!(all.len(), 3);
        let from_jan = db
            .meetings(
                org,
                &MeetingFilter {
                    from: Some(date(2027, 1, 1)),
                    kind: Some(MeetingKind::SchoolsReviewGroup),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(from_jan.len(), 2);

        // Attendees, minutes, status.
        let mut tx = db.begin().await.unwrap();
        let chair = meetings::add_attendee(&mut tx, &a, org, m.id, "Ada Lovelace", "Chair")
            .await
            .unwrap();
        meetings::add_attendee(&mut tx, &a, org, m.id, "Clerk", "Clerk")
            .await
            .unwrap();
        assert!(meetings::add_attendee(&mut tx, &a, org, m.id, " ", "Chair")
            .await
            .is_err());
        meetings::remove_attendee(&mut tx, &a, org, m.id, chair.id)
            .await
            .unwrap();
        meetings::add_minute(&mut tx, &a, org, m.id, None, "Apologies from finance.")
            .await
            .unwrap();
        meetings::add_minute(&mut tx, &a, org, m.id, Some(URN), "Progress discussed.")
            .await
            .unwrap();
        let err = meetings::set_status(
            &mut tx,
            &a,
            org,
            m.id,
            MeetingStatus::Held,
            date(2026, 11, 22),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("has not happened yet"));
        meetings::set_status(
            &mut tx,
            &a,
            org,
            m.id,
            MeetingStatus::Held,
            date(2026, 12, 8),
        )
        .await
        .unwrap();
        let agenda = build_agenda(
            MeetingKind::SchoolsReviewGroup,
            date(2026, 12, 8),
            None,
            &[],
            &[],
            &[],
        );
        meetings::issue_agenda(&mut tx, &a, org, m.id, &agenda)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let attendees = db.meeting_attendees(m.id).await.unwrap();
        assert_eq!(attendees.len(), 1);
        assert_eq!(attendees[0].name, "Clerk");
        let minutes = db.meeting_minutes(m.id).await.unwrap();
        assert_eq!(minutes.len(), 2);
        assert_eq!(minutes[1].urn, Some(URN));
        let snap = db.meeting_agenda(m.id).await.unwrap().unwrap();
        assert_eq!(snap.agenda().unwrap(), agenda);
        assert_eq!(db.meeting(org, m.id).await.unwrap().unwrap().status, "held");
        // Another organisation cannot see it.
        assert!(db.meeting(org + 1000, m.id).await.unwrap().is_none());

        assert_eq!(audited(&db, org, "meeting").await, 4);
        assert_eq!(audited(&db, org, "meeting_attendee").await, 3);
        assert_eq!(audited(&db, org, "meeting_minute").await, 2);
        assert_eq!(audited(&db, org, "meeting_agenda").await, 1);

        // Term dates: England's typical dates until the organisation sets its own.
        let year = AcademicYear::parse("2026/27").unwrap();
        let (t, own) = db.term_dates(org, year).await.unwrap();
        assert!(!own);
        assert_eq!(t, TermDates::england_default(year).unwrap());
        let mut tx = db.begin().await.unwrap();
        let custom: TermDates = serde_json::from_value(serde_json::json!({
            "academic_year": "2026/27",
            "autumn": {"first_half": {"start": "2026-09-02", "end": "2026-10-23"},
                       "second_half": {"start": "2026-11-02", "end": "2026-12-18"}},
            "spring": {"first_half": {"start": "2027-01-05", "end": "2027-02-12"},
                       "second_half": {"start": "2027-02-22", "end": "2027-03-26"}},
            "summer": {"first_half": {"start": "2027-04-12", "end": "2027-05-28"},
                       "second_half": {"start": "2027-06-07", "end": "2027-07-21"}}
        }))
        .unwrap();
        meetings::set_term_dates(&mut tx, &a, org, &custom)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (t, own) = db.term_dates(org, year).await.unwrap();
        assert!(own);
        assert_eq!(t, custom);
    }
}

#[tokio::test]
async fn decisions_at_a_meeting_open_cases_and_list_on_the_meeting() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let mut tx = db.begin().await.unwrap();
        let m = meetings::create_meeting(
            &mut tx,
            &actor(org),
            org,
            &NewMeeting {
                kind: MeetingKind::SchoolsReviewGroup,
                date: date(2026, 11, 17),
                title: String::new(),
                focus_urn: None,
                location: None,
                warnings: vec![],
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let case_id = designate(&db, org, Some(m.id)).await;
        let decisions = db.meeting_decisions(org, m.id).await.unwrap();
        assert_eq!(decisions.len(), 1);
        assert_eq!(decisions[0].case_id, Some(case_id));
        assert_eq!(decisions[0].school, "Invented Hill Primary School");
        assert_eq!(decisions[0].label(), "Designate as causing concern");
        let open = db.open_cases(org).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].urn, URN);
        assert_eq!(
            open[0].domain_state(),
            uplift_domain::concern::CaseState::AwaitingLeadOfficer
        );
        assert_eq!(db.school_decisions(org, URN).await.unwrap().len(), 1);
        assert!(db
            .school_decisions(org, OTHER_URN)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn plans_keep_every_version_and_reviews_agree_the_next() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let a = actor(org);
        let case_id = designate(&db, org, None).await;
        let events_before: i64 = count(
            &db,
            &format!("SELECT COUNT(*) FROM concern_case_events WHERE case_id = {case_id}"),
        )
        .await
        .parse()
        .unwrap();

        // Refused: no priorities. Nothing saved.
        let mut tx = db.begin().await.unwrap();
        let empty = PlanContent {
            priorities: vec![],
            review_cadence: ReviewCadence::Termly,
        };
        let err = plans::create_plan(
            &mut tx,
            &a,
            org,
            case_id,
            PlanKind::ActionPlan,
            "",
            date(2026, 11, 20),
            &empty,
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("at least one priority"), "{err}");
        tx.rollback().await.unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM action_plans").await, "0");

        let mut tx = db.begin().await.unwrap();
        let (plan, v1) = plans::create_plan(
            &mut tx,
            &a,
            org,
            case_id,
            PlanKind::ActionPlan,
            "",
            date(2026, 11, 20),
            &content("Early reading", Rag::Grey),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(plan.title, "Action plan");
        assert_eq!(plan.urn, URN);
        assert_eq!(v1.number, 1);

        // An edit is a new version with a note; version 1 is unchanged.
        let mut tx = db.begin().await.unwrap();
        assert!(plans::edit_plan(
            &mut tx,
            &a,
            org,
            plan.id,
            date(2026, 11, 21),
            " ",
            &content("Early reading and phonics", Rag::Grey)
        )
        .await
        .is_err());
        let v2 = plans::edit_plan(
            &mut tx,
            &a,
            org,
            plan.id,
            date(2026, 11, 21),
            "Phonics added to the priority",
            &content("Early reading and phonics", Rag::Grey),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(v2.number, 2);

        // A review not after the current version is refused; nothing saved.
        let review = |d: Date| NewReview {
            date: d,
            progress: Rag::Amber,
            summary: "Phonics improving; writing not yet".into(),
            judgements: vec![PriorityJudgement {
                priority: "Early reading and phonics".into(),
                rag: Rag::Amber,
                comment: "Year 1 tracker up 12 points".into(),
            }],
            attendees: vec!["Headteacher".into(), "Lead Officer".into()],
            meeting_id: None,
        };
        let mut tx = db.begin().await.unwrap();
        let err = plans::review_plan(
            &mut tx,
            &a,
            org,
            plan.id,
            &review(date(2026, 11, 21)),
            &content("Early reading and phonics", Rag::Amber),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("must come after"), "{err}");
        tx.rollback().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let (r, v3) = plans::review_plan(
            &mut tx,
            &a,
            org,
            plan.id,
            &review(date(2027, 2, 10)),
            &content("Early reading and phonics", Rag::Amber),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((r.reviewed_version, r.new_version, v3.number), (2, 3, 3));
        assert_eq!(r.judgements()[0].rag, Rag::Amber);
        let versions = db.plan_versions(plan.id).await.unwrap();
        assert_eq!(versions.len(), 3);
        assert_eq!(versions[0], v1);
        assert_eq!(
            versions[0].content().unwrap().priorities[0].title,
            "Early reading"
        );
        assert_eq!(versions[2].origin, "reviewed");
        assert_eq!(db.plan_reviews(plan.id).await.unwrap().len(), 1);
        assert_eq!(db.case_plans(org, case_id).await.unwrap().len(), 1);
        assert_eq!(db.school_plans(org, URN).await.unwrap().len(), 1);
        assert!(db.plan(org + 1000, plan.id).await.unwrap().is_none());

        // Monitoring and Challenge: both evaluations required.
        let mut tx = db.begin().await.unwrap();
        let mut mc = MonitoringAndChallengeRecord {
            date: date(2027, 3, 3),
            progress: Rag::Amber,
            progress_evaluation: "Reading improving, maths flat".into(),
            authority_support: Rag::Green,
            authority_support_evaluation: String::new(),
        };
        let err = plans::record_monitoring_and_challenge(&mut tx, &a, org, case_id, None, &mc)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("the authority's support is required"),
            "{err}"
        );
        mc.authority_support_evaluation = "Brokered NLE support effective".into();
        plans::record_monitoring_and_challenge(&mut tx, &a, org, case_id, None, &mc)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            db.monitoring_and_challenge(org, case_id)
                .await
                .unwrap()
                .len(),
            1
        );

        // Every step on the timeline and in the audit log.
        let events_after: i64 = count(
            &db,
            &format!("SELECT COUNT(*) FROM concern_case_events WHERE case_id = {case_id}"),
        )
        .await
        .parse()
        .unwrap();
        assert_eq!(events_after - events_before, 4);
        assert_eq!(audited(&db, org, "action_plan").await, 1);
        assert_eq!(audited(&db, org, "action_plan_version").await, 3);
        assert_eq!(audited(&db, org, "action_plan_review").await, 1);
        assert_eq!(audited(&db, org, "monitoring_challenge_record").await, 1);
    }
}

#[tokio::test]
async fn spb_protocol_steps_follow_the_rules() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let a = actor(org);
        let case_id = designate(&db, org, None).await;

        let mut tx = db.begin().await.unwrap();
        assert!(spb::start(
            &mut tx,
            &a,
            org,
            case_id,
            &SpbStart::Automatic {
                category: CategoryOfConcern::RequiresSignificantImprovement
            },
            date(2026, 11, 2)
        )
        .await
        .is_err());
        assert!(spb::start(
            &mut tx,
            &a,
            org,
            case_id,
            &SpbStart::Requested { by: " ".into() },
            date(2026, 11, 2)
        )
        .await
        .is_err());
        let p = spb::start(
            &mut tx,
            &a,
            org,
            case_id,
            &SpbStart::Requested {
                by: "Priority Partner".into(),
            },
            date(2026, 11, 2),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let step = |input: StepInput, on: Date| {
            let db = db.clone();
            let a = a.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                let r = spb::record_step(&mut tx, &a, org, p.id, &input, on).await;
                if r.is_ok() {
                    tx.commit().await.unwrap();
                } else {
                    tx.rollback().await.unwrap();
                }
                r
            }
        };
        // Out of order: no chair before approval.
        let err = step(
            StepInput::ChairNominated {
                chair: "Grace Hopper".into(),
            },
            date(2026, 11, 3),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("agreed and funded"), "{err}");
        step(
            StepInput::Approval {
                agreed: true,
                funded: true,
            },
            date(2026, 11, 4),
        )
        .await
        .unwrap();
        step(
            StepInput::ChairNominated {
                chair: "Grace Hopper".into(),
            },
            date(2026, 11, 5),
        )
        .await
        .unwrap();
        // Fewer than three dates: refused, nothing saved.
        let err = step(
            StepInput::DatesOffered {
                dates: vec![date(2026, 12, 1), date(2026, 12, 2)],
            },
            date(2026, 11, 6),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("at least three"), "{err}");
        assert_eq!(db.spb_steps(p.id).await.unwrap().len(), 2);
        step(
            StepInput::DatesOffered {
                dates: vec![date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)],
            },
            date(2026, 11, 6),
        )
        .await
        .unwrap();
        let err = step(
            StepInput::DateChosen {
                chosen: date(2026, 12, 4),
            },
            date(2026, 11, 9),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("not one of the dates offered"));
        step(
            StepInput::DateChosen {
                chosen: date(2026, 12, 2),
            },
            date(2026, 11, 9),
        )
        .await
        .unwrap();
        let err = step(
            StepInput::Confirmed {
                governors_present: false,
            },
            date(2026, 11, 10),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("governors"));
        step(
            StepInput::Confirmed {
                governors_present: true,
            },
            date(2026, 11, 10),
        )
        .await
        .unwrap();

        // Rebuilt from the store: the chair must introduce themselves five
        // working days before 2 December (25 November).
        let record = db.spb(org, p.id).await.unwrap().unwrap();
        let steps = db.spb_steps(p.id).await.unwrap();
        let protocol = spb::rebuild(&record, &steps).unwrap();
        assert_eq!(protocol.meeting_date(), Some(date(2026, 12, 2)));
        let cal = db.bank_holidays().await.unwrap();
        let status = protocol
            .status(
                &cal,
                &uplift_domain::concern::SpbDeadlines::default(),
                date(2026, 11, 26),
            )
            .unwrap();
        let intro = status
            .iter()
            .find(|s| s.step == uplift_domain::concern::SpbStep::ChairIntroduced)
            .unwrap();
        assert_eq!(intro.due, Some(date(2026, 11, 25)));
        assert!(matches!(
            intro.state,
            uplift_domain::concern::StepState::Overdue
        ));

        // Automatic qualification for special measures.
        let mut tx = db.begin().await.unwrap();
        let auto = spb::start(
            &mut tx,
            &a,
            org,
            case_id,
            &SpbStart::Automatic {
                category: CategoryOfConcern::SpecialMeasures,
            },
            date(2026, 11, 20),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let rebuilt = spb::rebuild(&auto, &[]).unwrap();
        // Already agreed and funded: the chair can be nominated at once.
        let mut again = rebuilt.clone();
        again
            .nominate_chair(date(2026, 11, 21), "Alan Turing")
            .unwrap();
        assert_eq!(db.case_spbs(org, case_id).await.unwrap().len(), 2);
        assert_eq!(audited(&db, org, "spb_protocol").await, 2);
        assert_eq!(audited(&db, org, "spb_step").await, 5);
        let timeline: i64 = count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM concern_case_events WHERE case_id = {case_id} AND kind LIKE 'spb%'"
            ),
        )
        .await
        .parse()
        .unwrap();
        assert_eq!(timeline, 7);
    }
}

//! The visits' use cases called directly, on both backends: planning and
//! every workflow step refuse what the rules forbid naming the field (an
//! unknown enumerated value is refused, never defaulted), save nothing when
//! they refuse, and take the visit from plan to a final note.

mod common;

use common::{count, setup, Setup, RI};
use uplift_app::visits::advisers::{self, NewAdviser};
use uplift_app::visits::attachments::{self, Upload};
use uplift_app::visits::workflow::{self, PlanVisit};
use uplift_app::visits::{qa, queries};
use uplift_app::{AppError, Caller};
use uplift_domain::access::Role;
use uplift_domain::visits::note::{AgreedActionForm, FocusAreaForm};
use uplift_domain::visits::{NoteOfVisitForm, Stage};
use uplift_store::testkit::each_backend;
use uplift_store::Db;

fn fields(e: &AppError) -> Vec<(&str, &str)> {
    e.fields()
        .iter()
        .map(|f| (f.field.as_str(), f.message.as_str()))
        .collect()
}

fn names(e: &AppError) -> Vec<&str> {
    e.fields().iter().map(|f| f.field.as_str()).collect()
}

/// The headteacher of RI.
fn head(s: &Setup) -> Caller {
    let mut c = s.lead.clone();
    c.principal.role = Role::School;
    c.principal.school_urn = Some(RI);
    c
}

async fn adviser(s: &Setup) -> i64 {
    advisers::create_adviser(
        &s.app,
        &s.lead,
        NewAdviser {
            name: "Ada Adviser".into(),
            email: "ada@example.invalid".into(),
            capacity_days: "40".into(),
            expertise: vec![],
        },
    )
    .await
    .expect("an adviser")
    .id
}

fn plan(adviser_id: i64) -> PlanVisit {
    PlanVisit {
        urn: Some(RI),
        adviser_id: Some(adviser_id),
        visit_type: "school_effectiveness".into(),
        academic_year: "2026/27".into(),
        // The fixed clock's today: a Wednesday in the autumn term.
        date: Some(jiff::civil::date(2026, 12, 2)),
        focus: "Reading".into(),
        attendees: vec!["Headteacher".into()],
        ..Default::default()
    }
}

async fn stage(db: &Db, s: &Setup, id: i64) -> Stage {
    db.visit(s.lead.organisation_id(), id)
        .await
        .unwrap()
        .unwrap()
        .visit
        .stage()
}

#[tokio::test]
async fn planning_refuses_each_missing_or_unknown_field_and_saves_nothing() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let a = adviser(&s).await;
        let e = workflow::plan_visit(&s.app, &s.lead, PlanVisit::default())
            .await
            .expect_err("refused");
        assert_eq!(
            names(&e),
            vec![
                "urn",
                "adviser_id",
                "visit_type",
                "academic_year",
                "date",
                "focus"
            ]
        );
        let e = workflow::plan_visit(
            &s.app,
            &s.lead,
            PlanVisit {
                visit_type: "tea_party".into(),
                start: "nine".into(),
                ..plan(a)
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(names(&e), vec!["visit_type", "start"]);
        assert!(
            fields(&e)[0]
                .1
                .starts_with("There is no type of visit called \"tea_party\""),
            "{e}"
        );
        // A date already past is the domain's refusal, on the date.
        let e = workflow::plan_visit(
            &s.app,
            &s.lead,
            PlanVisit {
                date: Some(jiff::civil::date(2026, 11, 30)),
                ..plan(a)
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(names(&e), vec!["date"]);
        assert!(fields(&e)[0].1.contains("in the past"), "{e}");
        // A QA reviewer plans nothing.
        assert!(matches!(
            workflow::plan_visit(&s.app, &s.panel, plan(a)).await,
            Err(AppError::Forbidden)
        ));
        assert_eq!(count(&db, "visits").await, 0);
    }
}

#[tokio::test]
async fn a_visit_goes_from_plan_to_a_final_note_and_each_step_refuses_what_it_must() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let a = adviser(&s).await;
        let head = head(&s);
        let v = workflow::plan_visit(&s.app, &s.lead, plan(a))
            .await
            .expect("planned");
        let id = v.visit.id;
        assert_eq!(v.visit.stage(), Stage::Planned);
        // The school cannot complete what was not requested; the step is named "".
        let e = workflow::complete_self_evaluation(&s.app, &head, id, "Reading: Secure")
            .await
            .expect_err("not requested yet");
        assert_eq!(names(&e), vec![""]);
        workflow::request_self_evaluation(&s.app, &s.lead, id)
            .await
            .expect("requested");
        let e = workflow::complete_self_evaluation(&s.app, &head, id, "  ")
            .await
            .expect_err("blank");
        assert_eq!(names(&e), vec!["self_evaluation"]);
        workflow::complete_self_evaluation(&s.app, &head, id, "Reading: Secure")
            .await
            .expect("completed");
        let e = workflow::review_self_evaluation(&s.app, &s.lead, id, "")
            .await
            .expect_err("blank");
        assert_eq!(
            fields(&e),
            vec![(
                "review",
                "Enter your review of the school's self-evaluation"
            )]
        );
        workflow::review_self_evaluation(&s.app, &s.lead, id, "Ambitious")
            .await
            .expect("reviewed");
        let e = workflow::record_held(&s.app, &s.lead, id, None)
            .await
            .expect_err("no date");
        assert_eq!(
            fields(&e),
            vec![("date", "Enter the date the visit took place")]
        );
        let e = workflow::record_held(&s.app, &s.lead, id, Some(jiff::civil::date(2026, 12, 3)))
            .await
            .expect_err("tomorrow");
        assert_eq!(names(&e), vec!["date"]);
        workflow::record_held(&s.app, &s.lead, id, Some(jiff::civil::date(2026, 12, 2)))
            .await
            .expect("held");
        let note = |judgement: &str| NoteOfVisitForm {
            focus_areas: vec![FocusAreaForm {
                title: "Reading".into(),
                commentary: "Phonics is consistent.".into(),
                adviser_judgement: judgement.into(),
                school_grade: "Secure".into(),
                disagreement_note: String::new(),
            }],
            strengths: vec!["Calm classrooms".into()],
            areas_for_development: vec!["Fluency".into()],
            agreed_actions: vec![AgreedActionForm {
                action: "Fluency training".into(),
                owner: "English lead".into(),
                due: "2027-06-30".into(),
            }],
            ..Default::default()
        };
        let e = workflow::draft_note(&s.app, &s.lead, id, note("Outstanding"))
            .await
            .expect_err("off the scale");
        assert_eq!(names(&e), vec!["focus_areas[0].adviser_judgement"]);
        assert_eq!(count(&db, "visit_notes").await, 0);
        workflow::draft_note(&s.app, &s.lead, id, note("Secure"))
            .await
            .expect("drafted");
        // The school may not read a draft.
        assert!(matches!(
            queries::note_of_visit(&s.app, &head, id).await,
            Err(AppError::NotFound)
        ));
        workflow::send_note(&s.app, &s.lead, id)
            .await
            .expect("sent");
        queries::note_of_visit(&s.app, &head, id)
            .await
            .expect("the school reads it once sent");
        let e = workflow::respond_to_note(&s.app, &head, id, "maybe", "")
            .await
            .expect_err("unknown response");
        assert_eq!(
            fields(&e),
            vec![(
                "response",
                "Select whether the note is accurate or you have comments"
            )]
        );
        let e = workflow::respond_to_note(&s.app, &head, id, "comments", " ")
            .await
            .expect_err("comments without text");
        assert_eq!(names(&e), vec!["comments"]);
        workflow::respond_to_note(&s.app, &head, id, "accurate", "")
            .await
            .expect("accurate");
        workflow::share_with_chair(&s.app, &head, id)
            .await
            .expect("shared");
        workflow::finalise_note(&s.app, &s.lead, id)
            .await
            .expect("final");
        assert_eq!(stage(&db, &s, id).await, Stage::Final);
        let e = workflow::draft_note(&s.app, &s.lead, id, note("Emerging"))
            .await
            .expect_err("locked");
        assert!(fields(&e)[0].1.contains("final and locked"), "{e}");
        let e = workflow::add_addendum(&s.app, &s.lead, id, "")
            .await
            .expect_err("blank");
        assert_eq!(names(&e), vec!["addendum"]);
        let full = workflow::add_addendum(&s.app, &s.lead, id, "Training moved to February")
            .await
            .expect("added");
        assert_eq!(full.addenda.len(), 1);
        // Another organisation's caller cannot find it.
        let mut other = s.lead.clone();
        other.principal.organisation_id += 1;
        assert!(matches!(
            workflow::finalise_note(&s.app, &other, id).await,
            Err(AppError::NotFound)
        ));
    }
}

#[tokio::test]
async fn advisers_and_the_response_window_refuse_unknown_and_out_of_range_values() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let e = advisers::create_adviser(
            &s.app,
            &s.lead,
            NewAdviser {
                name: "Ada".into(),
                email: "ada@example.invalid".into(),
                capacity_days: "40".into(),
                expertise: vec!["astrology".into()],
            },
        )
        .await
        .expect_err("unknown expertise");
        assert_eq!(
            fields(&e),
            vec![("expertise", "Select areas of expertise from the list")]
        );
        let e = advisers::create_adviser(
            &s.app,
            &s.lead,
            NewAdviser {
                capacity_days: "lots".into(),
                ..Default::default()
            },
        )
        .await
        .expect_err("blank");
        assert_eq!(names(&e), vec!["name", "email", "capacity_days"]);
        assert_eq!(count(&db, "advisers").await, 0);
        assert!(matches!(
            advisers::create_adviser(&s.app, &s.panel, NewAdviser::default()).await,
            Err(AppError::Forbidden)
        ));
        for bad in ["0", "61", "ten"] {
            let e = advisers::set_response_days(&s.app, &s.lead, bad)
                .await
                .expect_err(bad);
            assert_eq!(names(&e), vec!["response_days"], "{bad}");
        }
        assert_eq!(
            advisers::set_response_days(&s.app, &s.lead, "12")
                .await
                .expect("set"),
            12
        );
        assert_eq!(
            db.response_working_days(s.lead.organisation_id())
                .await
                .unwrap(),
            12
        );
        let a = adviser(&s).await;
        let e = advisers::assign_adviser(&s.app, &s.lead, Some(RI), Some(a), " ")
            .await
            .expect_err("no reason");
        assert_eq!(names(&e), vec!["reason"]);
        let e = advisers::assign_adviser(&s.app, &s.lead, Some(common::ELSEWHERE), Some(a), "Fit")
            .await
            .expect_err("another council's school");
        assert_eq!(
            fields(&e),
            vec![("urn", "Select one of your organisation's schools")]
        );
        advisers::assign_adviser(&s.app, &s.lead, Some(RI), Some(a), "Phase expertise")
            .await
            .expect("assigned");
        let (report, _) = queries::caseload(
            &s.app,
            &s.lead,
            uplift_app::visits::academic_year(&s.app, None).unwrap(),
        )
        .await
        .expect("caseload");
        assert!(report
            .loads
            .iter()
            .any(|l| l.adviser_id == a.to_string() && !l.schools.is_empty()));
        assert_eq!(
            names(&uplift_app::visits::academic_year(&s.app, Some("next year")).unwrap_err()),
            vec!["year"]
        );
    }
}

const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

#[tokio::test]
async fn attachments_refuse_naming_the_field_and_serve_only_readers() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let a = adviser(&s).await;
        let id = workflow::plan_visit(&s.app, &s.lead, plan(a))
            .await
            .expect("planned")
            .visit
            .id;
        let up = |attach_to: &str, name: &str, bytes: &[u8]| Upload {
            attach_to: attach_to.into(),
            filename: Some(name.into()),
            bytes: bytes.to_vec(),
            too_large: false,
        };
        for (u, field) in [
            (up("somewhere", "a.pdf", PDF), "attach_to"),
            (up("note", "a.pdf", PDF), "attach_to"),
            (up("visit", "tool.exe", b"MZ\x90\x00binary"), "file"),
            (up("visit", "fake.pdf", b"<html>"), "file"),
        ] {
            let e = attachments::upload(&s.app, &s.lead, id, &u, 1024 * 1024)
                .await
                .expect_err(field);
            assert_eq!(names(&e), vec![field]);
        }
        assert_eq!(count(&db, "visit_attachments").await, 0);
        let att = attachments::upload(&s.app, &s.lead, id, &up("visit", "plan.pdf", PDF), 1 << 20)
            .await
            .expect("attached");
        let head = head(&s);
        let (_, bytes) = attachments::read(&s.app, &head, id, att.id)
            .await
            .expect("the school reads its visit's file");
        assert_eq!(bytes, PDF);
        // A QA reviewer reads nothing of a visit whose note is not sampled to them.
        assert!(matches!(
            attachments::read(&s.app, &s.panel, id, att.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            attachments::upload(&s.app, &head, id, &up("visit", "b.pdf", PDF), 1 << 20).await,
            Err(AppError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn the_qa_draw_refuses_a_share_out_of_range_and_is_the_leads_alone() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let (year, term) = qa::resolve_term(&s.app, &s.lead, None, None)
            .await
            .expect("the current term");
        let e = qa::resolve_term(&s.app, &s.lead, Some("2026/27"), Some("winter"))
            .await
            .expect_err("no winter term");
        assert_eq!(names(&e), vec!["term"]);
        for bad in ["0", "101", "some"] {
            let e = qa::draw_sample(&s.app, &s.lead, year, term, bad)
                .await
                .expect_err(bad);
            assert_eq!(
                fields(&e),
                vec![(
                    "share",
                    "Enter the share of notes to sample, a number from 1 to 100"
                )]
            );
        }
        assert!(matches!(
            qa::draw_sample(&s.app, &s.panel, year, term, "10").await,
            Err(AppError::Forbidden)
        ));
        let drawn = qa::draw_sample(&s.app, &s.lead, year, term, "10%")
            .await
            .expect("drawn");
        assert_eq!(drawn.picked, 0);
        let e = qa::draw_sample(&s.app, &s.lead, year, term, "10")
            .await
            .expect_err("drawn once");
        assert_eq!(names(&e), vec!["share"]);
        assert_eq!(count(&db, "qa_samples").await, 1);
        let o = qa::overview(&s.app, &s.lead, "camden", year, term)
            .await
            .expect("overview");
        assert_eq!(o.sampled, 0);
        // Shadowing: a future date and a blank feedback are refused, named.
        let e = qa::record_shadowed(
            &s.app,
            &s.lead,
            qa::Shadowed {
                adviser: None,
                visit: "x".into(),
                date: Some(jiff::civil::date(2026, 12, 25)),
                shadowed_by: "Lena".into(),
                feedback: " ".into(),
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(names(&e), vec!["adviser", "date", "visit", "feedback"]);
    }
}

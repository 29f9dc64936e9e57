//! The plan and Monitoring and Challenge use cases, called directly, on
//! both backends: refusals name their fields and nothing is saved.

mod common;

use common::{count, setup, RI};
use jiff::civil::date;
use uplift_app::concern::{record_decision, RecordDecision};
use uplift_app::plans::{self, EditPlan, McInput, NewPlan};
use uplift_app::{AppError, FieldError};
use uplift_domain::concern::PlanContent;
use uplift_store::testkit::each_backend;

fn fields(e: &AppError) -> Vec<(&str, &str)> {
    e.fields()
        .iter()
        .map(|f| (f.field.as_str(), f.message.as_str()))
        .collect()
}

async fn designated(s: &common::Setup) -> i64 {
    let r = record_decision(
        &s.app,
        &s.lead,
        RecordDecision {
            urn: RI,
            kind: "designate".into(),
            rationale: "Requires improvement with weak leadership".into(),
            triggers: vec!["Inspection judged requires improvement".into()],
            ..Default::default()
        },
    )
    .await
    .expect("designated");
    r.case.expect("a case").id
}

fn content() -> PlanContent {
    serde_json::from_value(serde_json::json!({
        "priorities": [{"title": "Reading", "success_criteria": ["60% at the expected standard"],
            "actions": [{"description": "Phonics training", "owner": "school", "owner_name": "Head",
                "milestones": [{"due": "2027-01-15", "description": "Training done", "met": false}],
                "success_criteria": ["All staff trained"], "evidence": [], "rag": "amber"}]}],
        "review_cadence": "termly"
    }))
    .expect("a plan")
}

#[tokio::test]
async fn a_plan_is_refused_naming_each_field_then_created_and_changed() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let case = designated(&s).await;
        let e = plans::create_plan(
            &s.app,
            &s.lead,
            case,
            NewPlan {
                kind: "wish_list".into(),
                title: String::new(),
                agreed_on: None,
                content: Err(vec![FieldError::new("content", "The plan is unreadable")]),
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![
                (
                    "kind",
                    "Select whether this is an action plan or a Statement of Action"
                ),
                (
                    "agreed_on",
                    "Enter the date the plan was agreed, for example 2026-11-24"
                ),
                ("content", "The plan is unreadable"),
            ]
        );
        assert_eq!(count(&db, "action_plans").await, 0);
        let (plan, v1) = plans::create_plan(
            &s.app,
            &s.lead,
            case,
            NewPlan {
                kind: "action_plan".into(),
                title: String::new(),
                agreed_on: Some(date(2026, 11, 24)),
                content: Ok(content()),
            },
        )
        .await
        .expect("created");
        assert_eq!(v1.number, 1);
        let e = plans::edit_plan(
            &s.app,
            &s.lead,
            plan.id,
            EditPlan {
                agreed_on: Some(date(2026, 11, 1)),
                note: " ".into(),
                content: Ok(content()),
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![
                (
                    "agreed_on",
                    "The date the change was agreed must not be before the current version's (Tuesday 24 November 2026)"
                ),
                ("note", "Enter what changed and why"),
            ]
        );
        let v2 = plans::edit_plan(
            &s.app,
            &s.lead,
            plan.id,
            EditPlan {
                agreed_on: Some(date(2026, 11, 25)),
                note: "Reworded".into(),
                content: Ok(content()),
            },
        )
        .await
        .expect("changed");
        assert_eq!(v2.number, 2);
    }
}

#[tokio::test]
async fn a_monitoring_and_challenge_record_is_refused_naming_each_field() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let case = designated(&s).await;
        let e = plans::record_monitoring_and_challenge(
            &s.app,
            &s.lead,
            case,
            McInput {
                date: None,
                progress: "purple".into(),
                progress_evaluation: " ".into(),
                support: "green".into(),
                support_evaluation: "x".repeat(4001),
                meeting: "999999".into(),
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![
                (
                    "date",
                    "Enter the date of the meeting, for example 2027-03-03"
                ),
                ("progress", "Select the judgement of the school's progress"),
                (
                    "progress_evaluation",
                    "Enter the evaluation of the school's progress"
                ),
                (
                    "meeting",
                    "Enter the number of one of your organisation's meetings, or leave it blank"
                ),
                (
                    "support_evaluation",
                    "The evaluation must be 4,000 characters or fewer"
                ),
            ]
        );
        assert_eq!(count(&db, "monitoring_challenge_records").await, 0);
        let r = plans::record_monitoring_and_challenge(
            &s.app,
            &s.lead,
            case,
            McInput {
                date: Some(date(2026, 12, 1)),
                progress: "amber".into(),
                progress_evaluation: "Reading is improving".into(),
                support: "green".into(),
                support_evaluation: "Support was timely".into(),
                meeting: String::new(),
            },
        )
        .await
        .expect("recorded");
        assert_eq!(r.case_id, case);
        // A panel member may not record one.
        let e = plans::record_monitoring_and_challenge(&s.app, &s.panel, case, McInput::default())
            .await
            .expect_err("forbidden");
        assert!(
            matches!(e, AppError::Forbidden | AppError::NotFound),
            "{e:?}"
        );
    }
}

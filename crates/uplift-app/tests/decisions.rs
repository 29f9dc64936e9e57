//! The `record_decision` use case, called directly, on both backends: every
//! kind of refusal names its field and writes nothing; a designation opens a
//! case signed by the caller; removal is checked as of the decision's date;
//! another organisation's school is not found; a panel member is forbidden.

mod common;

use common::{count, setup, ELSEWHERE, GOOD, RI};
use jiff::civil::date;
use uplift_app::concern::{record_decision, RecordDecision};
use uplift_app::AppError;
use uplift_store::testkit::each_backend;

fn designate(urn: i64) -> RecordDecision {
    RecordDecision {
        urn,
        kind: "designate".into(),
        rationale: "Requires improvement with leadership judged weak".into(),
        triggers: vec!["Inspection judged requires improvement".into()],
        ..Default::default()
    }
}

fn fields(e: &AppError) -> Vec<(&str, &str)> {
    e.fields()
        .iter()
        .map(|f| (f.field.as_str(), f.message.as_str()))
        .collect()
}

#[tokio::test]
async fn refusals_name_their_fields_and_write_nothing() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let cases = [
            (
                RecordDecision {
                    kind: "".into(),
                    ..designate(RI)
                },
                vec![("kind", "Select the decision")],
            ),
            (
                RecordDecision {
                    kind: "sack_the_governors".into(),
                    ..designate(RI)
                },
                vec![("kind", "There is no decision called \"sack_the_governors\": choose one of designate, not_a_priority, continue, remove, letter_of_concern, recommend_warning_notice, escalate, notify_regional_director, other")],
            ),
            (
                RecordDecision {
                    rationale: "   ".into(),
                    ..designate(RI)
                },
                vec![("rationale", "Enter the rationale for the decision")],
            ),
            (
                RecordDecision {
                    rationale: "x".repeat(4001),
                    ..designate(RI)
                },
                vec![("rationale", "The rationale must be 4000 characters or fewer")],
            ),
            (
                RecordDecision {
                    triggers: vec![" ".into()],
                    ..designate(RI)
                },
                vec![(
                    "triggers",
                    "A designation needs at least one trigger that applied",
                )],
            ),
            (
                RecordDecision {
                    kind: "other".into(),
                    ..designate(RI)
                },
                vec![("detail", "Describe the other decision")],
            ),
            // Two problems at once: both reported.
            (
                RecordDecision {
                    kind: "".into(),
                    rationale: "".into(),
                    ..designate(RI)
                },
                vec![
                    ("kind", "Select the decision"),
                    ("rationale", "Enter the rationale for the decision"),
                ],
            ),
            // A decision on a case the school does not have.
            (
                RecordDecision {
                    kind: "continue".into(),
                    ..designate(RI)
                },
                vec![("kind", "Invented Requires Improvement School is not on the causing-concern list: designate it first (\"Continue as causing concern\" needs a case)")],
            ),
        ];
        for (input, want) in cases {
            let e = record_decision(&s.app, &s.lead, input.clone())
                .await
                .expect_err("refused");
            assert_eq!(fields(&e), want, "{input:?}");
        }
        assert_eq!(count(&db, "concern_decisions").await, 0);
        assert_eq!(count(&db, "concern_cases").await, 0);
        assert_eq!(count(&db, "letters").await, 0);
    }
}

#[tokio::test]
async fn a_designation_opens_a_case_signed_by_the_caller_and_dated_today_in_england() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let r = record_decision(&s.app, &s.lead, designate(RI))
            .await
            .unwrap();
        let case = r.case.expect("a case");
        assert_eq!(case.urn, RI);
        assert_eq!(case.state, "awaiting_lead_officer");
        assert_eq!(r.decision.decided_on, "2026-12-02", "the app's clock");
        assert_eq!(r.decision.decided_by, "lead@example.invalid");
        let letter = r.letters.first().expect("the priority letter");
        let text = db
            .execute_raw_text(&format!(
                "SELECT body FROM letters WHERE id = {}",
                letter.id
            ))
            .await
            .unwrap();
        assert!(text.contains("Lena Lead"), "signed by the caller: {text}");
        assert!(
            text.contains("Head of school improvement"),
            "with the caller's role: {text}"
        );
        // A second designation of the same school is refused by the case.
        let e = record_decision(&s.app, &s.lead, designate(RI))
            .await
            .expect_err("already designated");
        assert_eq!(e.fields()[0].field, "kind", "{e}");
        assert_eq!(count(&db, "concern_cases").await, 1);
    }
}

#[tokio::test]
async fn removal_is_checked_against_the_record_as_of_the_decision() {
    // DESIGN.md §2: "a school judged RI or Inadequate cannot be removed until
    // a later inspection is good or better". The good school's RI-free record
    // dates from its October 2025 inspection.
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        record_decision(&s.app, &s.lead, designate(RI))
            .await
            .unwrap();
        let remove = RecordDecision {
            kind: "remove".into(),
            rationale: "The school says it has improved".into(),
            ..designate(RI)
        };
        let e = record_decision(&s.app, &s.lead, remove)
            .await
            .expect_err("RI at the latest inspection");
        assert_eq!(e.fields()[0].field, "kind");
        assert!(
            e.fields()[0].message.to_lowercase().contains("inspection"),
            "{e}"
        );
        // The school judged RI in 2023 and Good in October 2025: removal dated
        // before the good inspection is refused, dated after it allowed.
        record_decision(
            &s.app,
            &s.lead,
            RecordDecision {
                decided_on: Some(date(2025, 6, 2)),
                ..designate(GOOD)
            },
        )
        .await
        .unwrap();
        let early = RecordDecision {
            kind: "remove".into(),
            rationale: "Improved".into(),
            decided_on: Some(date(2025, 9, 1)),
            ..designate(GOOD)
        };
        assert!(record_decision(&s.app, &s.lead, early).await.is_err());
        let later = RecordDecision {
            kind: "remove".into(),
            rationale: "Good at its inspection in October 2025".into(),
            decided_on: Some(date(2025, 11, 3)),
            ..designate(GOOD)
        };
        let r = record_decision(&s.app, &s.lead, later).await.unwrap();
        assert_eq!(r.case.expect("the case").state, "removed");
    }
}

#[tokio::test]
async fn another_organisations_school_is_not_found_and_a_panel_member_is_forbidden() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        assert!(matches!(
            record_decision(&s.app, &s.lead, designate(ELSEWHERE)).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            record_decision(&s.app, &s.panel, designate(RI)).await,
            Err(AppError::Forbidden)
        ));
        assert_eq!(count(&db, "concern_decisions").await, 0);
    }
}

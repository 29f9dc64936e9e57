//! The escalation steps' use cases, called directly, on both backends: the
//! statutory checks refuse unknown and out-of-range values naming the field,
//! and nothing is saved.

mod common;

use common::{count, setup, RI};
use uplift_app::concern::steps::{self, GiveWarningNotice, UsePower};
use uplift_app::concern::{record_decision, RecordDecision};
use uplift_app::AppError;
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

fn notice(days: &str) -> GiveWarningNotice {
    GiveWarningNotice {
        grounds: vec!["unacceptably_low_standards".into()],
        concerns: vec!["Reading at key stage 2 is unacceptably low".into()],
        required_action: vec!["Secure 60% at the expected standard in reading".into()],
        compliance_days: days.into(),
        on: None,
    }
}

#[tokio::test]
async fn a_warning_notice_refuses_a_period_out_of_range_and_an_unknown_ground() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let case = designated(&s).await;
        let notices_before = count(&db, "concern_notices").await;
        for (input, want) in [
            (notice("0"), vec![("compliance_days", "A compliance period of zero working days is refused: the notice must give the governing body time to comply (set on each notice since the Education and Adoption Act 2016)")]),
            (notice("366"), vec![("compliance_days", "The compliance period must be at most 365 working days")]),
            (notice("ten"), vec![("compliance_days", "The compliance period must be a whole number of working days, from 1 to 365")]),
            (
                GiveWarningNotice { grounds: vec!["bad_vibes".into()], ..notice("15") },
                vec![("grounds", "\"bad_vibes\" is not a statutory ground: use unacceptably_low_standards, management_or_governance_breakdown, safety_threatened or teachers_pay_and_conditions")],
            ),
            (
                GiveWarningNotice { grounds: vec![], concerns: vec![" ".into()], ..notice("15") },
                vec![
                    ("grounds", "Select the statutory grounds for the warning notice"),
                    ("concerns", "Enter the concerns, one on each line"),
                ],
            ),
        ] {
            let e = steps::give_warning_notice(&s.app, &s.lead, case, input)
                .await
                .expect_err("refused");
            assert_eq!(fields(&e), want);
        }
        assert_eq!(count(&db, "concern_notices").await, notices_before);
        // 15 working days is given, with its letter.
        let (n, letter) = steps::give_warning_notice(&s.app, &s.lead, case, notice("15"))
            .await
            .expect("given");
        assert_eq!(n.case_id, case);
        assert_eq!(letter.kind, "warning_notice");
    }
}

#[tokio::test]
async fn a_power_with_an_unknown_arrangement_or_one_ieb_member_is_refused() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let case = designated(&s).await;
        let cases = [
            (
                UsePower { power: "s67_abolish_school".into(), ..Default::default() },
                vec![("power", "Select the power used")],
            ),
            (
                UsePower {
                    power: "s63_arrangements".into(),
                    arrangement: "consultancy".into(),
                    with_whom: "Invented Trust".into(),
                    ..Default::default()
                },
                vec![("arrangement", "\"consultancy\" is not an s63 arrangement: use advisory_services, collaborate_with_school, collaborate_with_further_education, federation")],
            ),
            (
                UsePower {
                    power: "s63_arrangements".into(),
                    with_whom: "Invented Trust".into(),
                    ..Default::default()
                },
                vec![("arrangement", "Select the arrangement the governing body must enter into (s63)")],
            ),
            (
                UsePower {
                    power: "s65_interim_executive_board".into(),
                    people: vec!["Alex Chair".into()],
                    ..Default::default()
                },
                vec![("people", "An interim executive board has at least two members")],
            ),
        ];
        for (input, want) in cases {
            let e = steps::use_power(&s.app, &s.lead, case, input)
                .await
                .expect_err("refused");
            assert_eq!(fields(&e), want);
        }
        // Well formed, but the school is not eligible: the escalation refuses.
        let e = steps::use_power(
            &s.app,
            &s.lead,
            case,
            UsePower {
                power: "s66_suspend_delegated_budget".into(),
                ..Default::default()
            },
        )
        .await
        .expect_err("not eligible");
        assert_eq!(e.fields().len(), 1, "{e}");
        assert_eq!(count(&db, "concern_powers").await, 0);
    }
}

#[tokio::test]
async fn a_case_of_another_organisation_is_not_found_and_a_panel_member_is_forbidden() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let case = designated(&s).await;
        assert!(matches!(
            steps::send_letter_of_concern(&s.app, &s.panel, case, &["Slow".into()], &[], None)
                .await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            steps::send_letter_of_concern(
                &s.app,
                &s.lead,
                case + 1000,
                &["Slow".into()],
                &[],
                None
            )
            .await,
            Err(AppError::NotFound)
        ));
    }
}

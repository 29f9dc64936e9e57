//! The School Performance Board use cases, called directly, on both
//! backends: starting one and recording its steps, refusals naming the
//! field, the protocol's own refusals on the step's field.

mod common;

use common::{count, setup, RI};
use jiff::civil::date;
use uplift_app::concern::{record_decision, RecordDecision};
use uplift_app::spb::{self, RecordStep, StartSpb};
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

#[tokio::test]
async fn a_protocol_is_started_and_its_steps_refused_naming_the_field() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let case = designated(&s).await;
        let e = spb::start_spb(
            &s.app,
            &s.lead,
            case,
            StartSpb {
                route: "rumour".into(),
                requested_by: String::new(),
                requested_on: None,
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![
                (
                    "requested_on",
                    "Enter the date of the request, for example 2026-11-24"
                ),
                (
                    "route",
                    "Select how the School Performance Board came about"
                ),
            ]
        );
        // The school is requires improvement, not in a category: it does not
        // qualify automatically.
        let e = spb::start_spb(
            &s.app,
            &s.lead,
            case,
            StartSpb {
                route: "automatic".into(),
                requested_by: String::new(),
                requested_on: Some(date(2026, 11, 2)),
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(e.fields()[0].field, "route");
        assert_eq!(count(&db, "spb_protocols").await, 0);
        let p = spb::start_spb(
            &s.app,
            &s.lead,
            case,
            StartSpb {
                route: "requested".into(),
                requested_by: "The Priority Partner".into(),
                requested_on: Some(date(2026, 11, 2)),
            },
        )
        .await
        .expect("started");
        let e = spb::record_step(
            &s.app,
            &s.lead,
            p.id,
            RecordStep {
                step: "approval".into(),
                on: None,
                ..Default::default()
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![
                ("on", "Enter the date of the step, for example 2026-11-24"),
                (
                    "agreed",
                    "Select whether the Director agreed the School Performance Board"
                ),
                ("funded", "Select whether it is funded"),
            ]
        );
        let e = spb::record_step(
            &s.app,
            &s.lead,
            p.id,
            RecordStep {
                step: "dates_offered".into(),
                on: Some(date(2026, 11, 5)),
                dates: vec!["2026-11-24".into(), "soon".into()],
                ..Default::default()
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![(
                "dates",
                "Each date offered must be a date: \"soon\" is not a date (for example 2026-12-08)"
            )]
        );
        spb::record_step(
            &s.app,
            &s.lead,
            p.id,
            RecordStep {
                step: "approval".into(),
                on: Some(date(2026, 11, 3)),
                agreed: Some(true),
                funded: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("approved");
        // Fewer than three dates: the protocol's refusal, on the dates.
        let e = spb::record_step(
            &s.app,
            &s.lead,
            p.id,
            RecordStep {
                step: "dates_offered".into(),
                on: Some(date(2026, 11, 5)),
                dates: vec!["2026-11-24".into(), "2026-11-25".into()],
                ..Default::default()
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(e.fields()[0].field, "dates");
        assert!(
            e.fields()[0]
                .message
                .starts_with("The step cannot be recorded"),
            "{e:?}"
        );
        let status = spb::protocol_status(&s.app, p.clone())
            .await
            .expect("status");
        assert_eq!(status.steps.len(), 1);
        assert!(!status.rows.is_empty());
    }
}

//! The causing-concern queries, called directly, on both backends: a case
//! and a letter each with its reading rule (another organisation's is not
//! found; a school user reads only their own school's issued letters).

mod common;

use common::{setup, RI};
use uplift_app::concern::{case_for, letter_for, record_decision, RecordDecision};
use uplift_app::AppError;
use uplift_domain::access::{Action, Role};
use uplift_store::testkit::each_backend;

#[tokio::test]
async fn a_case_and_its_letters_are_read_with_their_rules() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
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
        let case = r.case.expect("a case");
        let got = case_for(&s.app, &s.lead, case.id, Action::ReadConcern)
            .await
            .expect("read");
        assert_eq!(got.urn, RI);
        let e = case_for(&s.app, &s.lead, case.id + 1000, Action::ReadConcern)
            .await
            .expect_err("none");
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        let letter = r.letters.first().expect("a letter drafted");
        assert_eq!(letter.status, "draft");
        letter_for(&s.app, &s.lead, letter.id)
            .await
            .expect("staff read drafts");
        // The school's own user does not see a draft.
        let mut school = s.lead.clone();
        school.principal.role = Role::School;
        school.principal.school_urn = Some(RI);
        let e = letter_for(&s.app, &school, letter.id)
            .await
            .expect_err("hidden");
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        // Another organisation's user does not see the case.
        let mut other = s.lead.clone();
        other.principal.organisation_id += 1;
        let e = case_for(&s.app, &other, case.id, Action::ReadConcern)
            .await
            .expect_err("hidden");
        assert!(matches!(e, AppError::NotFound), "{e:?}");
    }
}

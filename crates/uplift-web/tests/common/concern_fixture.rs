//! A causing-concern case for the web tests: the school user's own school
//! (made a maintained school of the estate) designated by the lead, with its
//! drafted letter issued, its tasks, and a letter of concern.
#![allow(dead_code)]

use std::cell::Cell;

use uplift_domain::access::Role;
use uplift_domain::concern::DecisionKind;
use uplift_store::audit::Actor;
use uplift_store::concern::{self, NewDecision, Signed};

use super::{TestApp, OWN_SCHOOL};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcernFixture {
    pub case_id: i64,
    /// The priority-decision letter, issued to the school.
    pub letter_id: i64,
    /// A draft letter (the letter of concern's).
    pub draft_letter_id: i64,
    /// The letter of concern (a notice without an outcome).
    pub notice_id: i64,
    pub task_id: i64,
}

/// Makes `urn` a maintained school of the test organisation's estate.
pub async fn in_estate(app: &TestApp, urn: i64, governance: &str) {
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "UPDATE schools SET governance = '{governance}', status = 'Open', phase = 'Primary',
                 type_name = 'Community school', head_first_name = 'Hana', head_last_name = 'Head'
             WHERE urn = {urn}"
        ))
        .await
        .unwrap();
    app.db
        .execute_raw(&format!(
            "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({}, {urn}, '{t}')
             ON CONFLICT DO NOTHING",
            app.org_id
        ))
        .await
        .unwrap();
}

pub fn lead_actor(app: &TestApp) -> Actor {
    let lead = app.user(Role::Lead);
    Actor {
        user_id: Some(lead.id),
        label: lead.email.clone(),
        organisation_id: Some(app.org_id),
        request_id: None,
    }
}

/// Designates `urn` through the store (as the lead); returns the decision.
pub async fn designate(app: &TestApp, urn: i64, rationale: &str) -> concern::RecordedDecision {
    let on = jiff::civil::date(2026, 11, 23);
    let facts = app.db.case_facts(app.org_id, urn, on).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let r = concern::record_decision(
        &mut tx,
        &lead_actor(app),
        &NewDecision {
            organisation_id: app.org_id,
            urn,
            decision: uplift_domain::concern::Decision::new(
                DecisionKind::Designate,
                on,
                rationale,
                vec!["Invented trigger for the test".into()],
            )
            .expect("a valid decision"),
            meeting_id: None,
            meeting_name: None,
            category: None,
            signatory_name: "Lead".into(),
            signatory_role: "Lead".into(),
        },
        &facts,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    r
}

thread_local! {
    static IDS: Cell<Option<ConcernFixture>> = const { Cell::new(None) };
}

/// Fills a path's `{case}`, `{letter}`, `{notice}` and `{task}` with the
/// fixture seeded last on this thread.
pub fn fill(path: &str) -> String {
    match IDS.with(|c| c.get()) {
        Some(f) => path
            .replace("{case}", &f.case_id.to_string())
            .replace("{letter}", &f.letter_id.to_string())
            .replace("{notice}", &f.notice_id.to_string())
            .replace("{task}", &f.task_id.to_string()),
        None => path.to_string(),
    }
}

/// The school user's own school on the list (designated here unless another
/// fixture already did), its priority-decision letter issued, and a letter
/// of concern drafted.
pub async fn concern_fixture(app: &TestApp) -> ConcernFixture {
    in_estate(app, OWN_SCHOOL, "maintained").await;
    let case_id = match app
        .db
        .open_concern_case(app.org_id, OWN_SCHOOL)
        .await
        .unwrap()
    {
        Some(c) => c.id,
        None => {
            designate(app, OWN_SCHOOL, "Invented rationale for the fixture")
                .await
                .case
                .unwrap()
                .id
        }
    };
    let letters = app.db.case_letters(case_id).await.unwrap();
    let first = letters
        .iter()
        .find(|l| l.kind == "priority_decision")
        .unwrap()
        .clone();
    let task_id = app.db.case_tasks(case_id).await.unwrap()[0].id;
    let actor = lead_actor(app);
    let mut tx = app.db.begin().await.unwrap();
    let letter = if first.status == "draft" {
        concern::issue_letter(
            &mut tx,
            &actor,
            app.org_id,
            first.id,
            jiff::civil::date(2026, 11, 24),
        )
        .await
        .unwrap()
    } else {
        first
    };
    let (notice, draft) = concern::send_letter_of_concern(
        &mut tx,
        &actor,
        app.org_id,
        case_id,
        &["Invented concern".into()],
        &[],
        &Signed {
            on: jiff::civil::date(2026, 11, 24),
            name: "Lead".into(),
            role: "Lead".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let f = ConcernFixture {
        case_id,
        letter_id: letter.id,
        draft_letter_id: draft.id,
        notice_id: notice.id,
        task_id,
    };
    IDS.with(|c| c.set(Some(f)));
    f
}

//! Meetings, plans and SPB records for the web tests: a Schools Review Group
//! meeting, and on the school user's own school's open case (designated here
//! when it has none) an action plan and an SPB protocol. The ids are kept per
//! test thread for the role matrix's concrete paths.
#![allow(dead_code)]

use std::cell::Cell;

use jiff::civil::date;
use uplift_domain::concern::plan::Action as PlanAction;
use uplift_domain::concern::{
    CaseFacts, DecisionKind, MeetingKind, OwnerKind, PlanContent, PlanKind, Priority, ReviewCadence,
};
use uplift_domain::policy::Rag;
use uplift_store::audit::Actor;
use uplift_store::concern::{self, NewDecision};
use uplift_store::meetings::{self, NewMeeting};
use uplift_store::plans;
use uplift_store::spb::{self, SpbStart};

use super::{TestApp, OWN_SCHOOL};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingsFixture {
    pub meeting_id: i64,
    pub case_id: i64,
    pub plan_id: i64,
    pub spb_id: i64,
}

thread_local! {
    static IDS: Cell<Option<MeetingsFixture>> = const { Cell::new(None) };
}

/// The fixture seeded last on this thread.
pub fn ids() -> Option<MeetingsFixture> {
    IDS.with(|c| c.get())
}

/// Fills a path's `{meeting_id}`, `{case_id}`, `{plan_id}` and `{spb_id}`.
pub fn fill(path: &str) -> String {
    match ids() {
        Some(f) => path
            .replace("{meeting_id}", &f.meeting_id.to_string())
            .replace("{case_id}", &f.case_id.to_string())
            .replace("{plan_id}", &f.plan_id.to_string())
            .replace("{spb_id}", &f.spb_id.to_string()),
        None => path.to_string(),
    }
}

pub fn lead(app: &TestApp) -> Actor {
    let lead = app.user(uplift_domain::access::Role::Lead);
    Actor {
        user_id: Some(lead.id),
        label: lead.email.clone(),
        organisation_id: Some(app.org_id),
        request_id: None,
    }
}

/// Makes `urn` a maintained school of the estate.
pub async fn in_estate(app: &TestApp, urn: i64) {
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "UPDATE schools SET governance = COALESCE(governance, 'maintained'), status = COALESCE(status, 'Open')
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

/// The open case of `urn`, designated (as the lead) when it has none.
pub async fn open_case(app: &TestApp, urn: i64) -> i64 {
    in_estate(app, urn).await;
    if let Some(c) = app.db.open_concern_case(app.org_id, urn).await.unwrap() {
        return c.id;
    }
    let mut tx = app.db.begin().await.unwrap();
    let r = concern::record_decision(
        &mut tx,
        &lead(app),
        &NewDecision {
            organisation_id: app.org_id,
            urn,
            decision: uplift_domain::concern::Decision::new(
                DecisionKind::Designate,
                date(2026, 11, 16),
                "Invented rationale for the test",
                vec!["Invented trigger for the test".into()],
            )
            .expect("a valid decision"),
            meeting_id: None,
            meeting_name: None,
            category: None,
            signatory_name: "Lead".into(),
            signatory_role: "Lead".into(),
        },
        &CaseFacts::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    r.case.unwrap().id
}

/// A one-priority plan.
pub fn content(title: &str) -> PlanContent {
    PlanContent {
        priorities: vec![Priority {
            title: title.into(),
            success_criteria: vec!["Invented criterion".into()],
            actions: vec![PlanAction {
                description: format!("Invented action for {title}"),
                owner: OwnerKind::School,
                owner_name: None,
                milestones: vec![],
                success_criteria: vec![],
                evidence: vec![],
                rag: Rag::Grey,
            }],
        }],
        review_cadence: ReviewCadence::HalfTermly,
    }
}

/// A plan on a case; returns its id.
pub async fn plan(app: &TestApp, case_id: i64, title: &str) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let (p, _) = plans::create_plan(
        &mut tx,
        &lead(app),
        app.org_id,
        case_id,
        PlanKind::ActionPlan,
        "",
        date(2026, 11, 17),
        &content(title),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    p.id
}

/// Seeds the fixture and remembers its ids for this thread.
pub async fn seed(app: &TestApp) -> MeetingsFixture {
    let case_id = open_case(app, OWN_SCHOOL).await;
    let mut tx = app.db.begin().await.unwrap();
    let m = meetings::create_meeting(
        &mut tx,
        &lead(app),
        app.org_id,
        &NewMeeting {
            kind: MeetingKind::SchoolsReviewGroup,
            date: date(2026, 12, 8),
            title: String::new(),
            focus_urn: None,
            location: None,
            warnings: vec![],
        },
    )
    .await
    .unwrap();
    let s = spb::start(
        &mut tx,
        &lead(app),
        app.org_id,
        case_id,
        &SpbStart::Requested {
            by: "Priority Partner".into(),
        },
        date(2026, 11, 18),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let plan_id = plan(app, case_id, "Invented priority").await;
    let f = MeetingsFixture {
        meeting_id: m.id,
        case_id,
        plan_id,
        spb_id: s.id,
    };
    IDS.with(|c| c.set(Some(f)));
    f
}

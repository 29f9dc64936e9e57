//! Visits for the web tests: an adviser record for the adviser user, the two
//! test schools in the estate with that adviser, and visits taken through the
//! workflow by the store (on simulated days earlier in the academic year).
#![allow(dead_code)]

use jiff::civil::Date;
use uplift_domain::access::Role;
use uplift_domain::calendar::{is_weekend, AcademicYear, WorkingDayCalendar};
use uplift_domain::register::Urn;
use uplift_domain::visits::note::{AgreedActionForm, FocusAreaForm};
use uplift_domain::visits::{
    Actor as VisitActor, ActorRole, NoteOfVisitForm, Stage, VisitAction, VisitType,
};
use uplift_store::audit::Actor;
use uplift_store::visits::{self, AdviserInput, PlanInput};

use super::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};

pub struct VisitFixture {
    /// The adviser user's adviser record.
    pub adviser_id: i64,
    /// A visit to the school user's school, final (note shared).
    pub own_final: i64,
    /// A visit to another school, its note sent to that school's headteacher.
    pub other_sent: i64,
}

pub fn note_form() -> NoteOfVisitForm {
    NoteOfVisitForm {
        focus_areas: vec![FocusAreaForm {
            title: "Reading".into(),
            commentary: "Phonics is taught consistently.".into(),
            adviser_judgement: "Secure".into(),
            school_grade: "Highly Effective".into(),
            disagreement_note: "Discussed: fluency in Year 2 is not yet consistent.".into(),
        }],
        strengths: vec!["Calm, purposeful classrooms".into()],
        areas_for_development: vec!["Reading fluency in Year 2".into()],
        agreed_actions: vec![AgreedActionForm {
            action: "Fluency training for Year 2 staff".into(),
            owner: "English lead".into(),
            due: "2027-06-30".into(),
        }],
        next_visit_date: String::new(),
        next_visit_focus: String::new(),
    }
}

/// The first term-time working day at least `after` days into the year.
pub async fn term_day(app: &TestApp, after: i64) -> Date {
    let year = AcademicYear::containing(uplift_web::pages::categories::today());
    let terms = visits::term_dates(year).unwrap();
    let cal = app.db.bank_holidays().await.unwrap();
    let mut d = year
        .first_day()
        .checked_add(jiff::Span::new().days(after))
        .unwrap();
    while is_weekend(d) || cal.is_holiday(d) || !terms.is_term_time(d) {
        d = d.tomorrow().unwrap();
    }
    d
}

fn urn(u: i64) -> Urn {
    Urn::new(u as u32).unwrap()
}

/// Plans a visit on `date` and takes it to `upto`, each step on its own day.
pub async fn visit_to(app: &TestApp, adviser_id: i64, school: i64, date: Date, upto: Stage) -> i64 {
    let db = &app.db;
    let cal = db.bank_holidays().await.unwrap();
    let lead = VisitActor {
        user_id: "lead".into(),
        role: ActorRole::Lead,
    };
    let head = VisitActor {
        user_id: "head".into(),
        role: ActorRole::Headteacher { urn: urn(school) },
    };
    let before = date.checked_sub(jiff::Span::new().days(7)).unwrap();
    let mut tx = db.begin().await.unwrap();
    let full = visits::plan_visit(
        &mut tx,
        &Actor::cli(),
        app.org_id,
        &lead,
        &PlanInput {
            urn: school,
            adviser_id,
            visit_type: VisitType::SchoolEffectiveness,
            academic_year: AcademicYear::containing(date),
            date,
            start: None,
            end: None,
            focus: "Reading".into(),
            attendees: vec!["Headteacher".into()],
        },
        before,
        &cal,
        10,
    )
    .await
    .unwrap();
    let id = full.visit.id;
    let after = |n: i64| date.checked_add(jiff::Span::new().days(n)).unwrap();
    let steps = vec![
        (
            Stage::SelfEvaluationRequested,
            lead.clone(),
            VisitAction::RequestSelfEvaluation,
            before,
        ),
        (
            Stage::SelfEvaluationCompleted,
            head.clone(),
            VisitAction::CompleteSelfEvaluation {
                content: "Reading: Highly Effective".into(),
            },
            before,
        ),
        (
            Stage::SelfEvaluationReviewed,
            lead.clone(),
            VisitAction::ReviewSelfEvaluation {
                comments: "Test the reading grade".into(),
            },
            before,
        ),
        (
            Stage::Held,
            lead.clone(),
            VisitAction::RecordHeld { date },
            date,
        ),
        (
            Stage::NoteDrafted,
            lead.clone(),
            VisitAction::DraftNote {
                note: Box::new(note_form()),
            },
            after(1),
        ),
        (
            Stage::SentToHeadteacher,
            lead.clone(),
            VisitAction::SendToHeadteacher,
            after(1),
        ),
        (
            Stage::HeadteacherResponded,
            head.clone(),
            VisitAction::MarkAccurate,
            after(2),
        ),
        (
            Stage::SharedWithChair,
            head.clone(),
            VisitAction::ShareWithChair,
            after(2),
        ),
        (Stage::Final, lead.clone(), VisitAction::Finalise, after(3)),
    ];
    for (stage, who, action, on) in steps {
        if stage > upto {
            break;
        }
        visits::act(
            &mut tx,
            &Actor::cli(),
            app.org_id,
            id,
            &who,
            action,
            on,
            &cal,
        )
        .await
        .unwrap_or_else(|e| panic!("{stage:?}: {e}"));
    }
    tx.commit().await.unwrap();
    id
}

impl TestApp {
    /// The visits fixture (see the module's documentation).
    pub async fn visits(&self) -> VisitFixture {
        let t = uplift_store::now();
        for urn in [OWN_SCHOOL, OTHER_SCHOOL] {
            let _ = self
                .db
                .execute_raw(&format!(
                    "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({}, {urn}, '{t}')",
                    self.org_id
                ))
                .await;
        }
        let mut tx = self.db.begin().await.unwrap();
        let a = visits::create_adviser(
            &mut tx,
            &Actor::cli(),
            self.org_id,
            &AdviserInput {
                user_id: Some(self.user(Role::Adviser).id),
                name: "Test adviser",
                email: "adviser@camden.example",
                expertise: &[uplift_domain::visits::Expertise::Primary],
                capacity_days: 40.0,
                active: true,
            },
        )
        .await
        .unwrap();
        for urn in [OWN_SCHOOL, OTHER_SCHOOL] {
            visits::assign_adviser(
                &mut tx,
                &Actor::cli(),
                self.org_id,
                urn,
                a.id,
                AcademicYear::containing(uplift_web::pages::categories::today()).first_day(),
                "Initial allocation",
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let d1 = term_day(self, 14).await;
        let d2 = term_day(self, 21).await;
        VisitFixture {
            adviser_id: a.id,
            own_final: visit_to(self, a.id, OWN_SCHOOL, d1, Stage::Final).await,
            other_sent: visit_to(self, a.id, OTHER_SCHOOL, d2, Stage::SentToHeadteacher).await,
        }
    }
}

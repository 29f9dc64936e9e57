//! Attachments and quality assurance in the store, on both backends: bytes
//! round-trip with their SHA-256, refused files write nothing, the termly
//! sample is reproducible and about the configured share from every
//! adviser, drawn once, moderation validated, surveys once per respondent,
//! annual reviews updated in place; all audited.

use std::collections::BTreeMap;

use uplift_domain::access::Role;
use uplift_domain::calendar::{AcademicYear, TermName};
use uplift_domain::identity::Email;
use uplift_domain::visits::{AnnualReview, QaRating, SurveyRespondent, SurveyResponse};
use uplift_store::attachments::{self, Refusal};
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::qa;
use uplift_store::testkit::each_backend;
use uplift_store::users::{self, NewUser};
use uplift_store::Db;

const OWN: i64 = 100005;

async fn user(db: &Db, org: i64, role: Role, email: &str) -> i64 {
    let e = Email::parse(email).unwrap();
    let mut tx = db.begin().await.unwrap();
    let u = users::create(
        &mut tx,
        &Actor::cli(),
        &NewUser {
            organisation_id: org,
            email: &e,
            name: email,
            role,
            school_urn: None,
            password_hash: "x",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u.id
}

/// An organisation with three advisers and `per_adviser` final notes each
/// (finalised in the autumn term 2026), two QA reviewers.
async fn setup(db: &Db, per_adviser: [usize; 3]) -> (i64, Vec<i64>) {
    let t = uplift_store::now();
    db.execute_raw(&format!(
        "INSERT INTO schools (urn, la_code, name, created_at, updated_at) VALUES ({OWN}, '202', 'Thomas Coram Centre', '{t}', '{t}')"
    ))
    .await
    .unwrap();
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
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    let r1 = user(db, org, Role::Panel, "qa1@camden.example").await;
    let r2 = user(db, org, Role::Panel, "qa2@camden.example").await;
    let mut next = 1;
    for (a, n) in per_adviser.iter().enumerate() {
        let a = a + 1;
        db.execute_raw(&format!(
            "INSERT INTO advisers (id, organisation_id, name, email, capacity_days, created_at, updated_at)
             VALUES ({a}, {org}, 'Adviser {a}', 'a{a}@camden.example', 30, '{t}', '{t}')"
        ))
        .await
        .unwrap();
        for _ in 0..*n {
            db.execute_raw(&format!(
                "INSERT INTO visits (id, organisation_id, urn, adviser_id, visit_type, academic_year, planned_date,
                     focus, stage, response_working_days, created_by, created_at, updated_at)
                 VALUES ({next}, {org}, {OWN}, {a}, 'school_effectiveness', '2026/27', '2026-10-05', 'Reading',
                     'final', 10, 'test', '{t}', '{t}')"
            ))
            .await
            .unwrap();
            db.execute_raw(&format!(
                "INSERT INTO visit_notes (id, visit_id, content, state, finalised_at, created_at, updated_at)
                 VALUES ({next}, {next}, '{{}}', 'final', '2026-10-{:02}T09:00:00.000000Z', '{t}', '{t}')",
                1 + next % 28
            ))
            .await
            .unwrap();
            next += 1;
        }
    }
    (org, vec![r1, r2])
}

fn autumn() -> (AcademicYear, TermName) {
    (AcademicYear::parse("2026/27").unwrap(), TermName::Autumn)
}

#[tokio::test]
async fn the_sample_is_reproducible_about_the_share_and_drawn_once() {
    let mut samples = Vec::new();
    for (db, _dir) in each_backend().await {
        let (org, reviewers) = setup(&db, [30, 12, 1]).await;
        let (year, term) = autumn();
        let mut tx = db.begin().await.unwrap();
        let d = qa::draw(&mut tx, &Actor::cli(), org, year, term, 0.10)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(d.considered, 43);
        // 10% of 30 = 3, of 12 = 1, and at least one from the adviser with one note.
        assert_eq!(d.picked, 5);
        let list = db
            .qa_assignments(org, Some(d.sample_id), None, None)
            .await
            .unwrap();
        let mut per: BTreeMap<i64, usize> = BTreeMap::new();
        for a in &list {
            *per.entry(a.adviser_id).or_default() += 1;
            assert!(reviewers.contains(&a.reviewer_user_id.unwrap()));
        }
        assert_eq!(per, BTreeMap::from([(1, 3), (2, 1), (3, 1)]));
        // Reviewers were notified.
        for r in &reviewers {
            assert!(db.unread_notifications(*r).await.unwrap() >= 1);
        }
        let mut notes: Vec<i64> = list.iter().map(|a| a.note_id).collect();
        notes.sort();
        samples.push(notes);
        // Drawn once.
        let mut tx = db.begin().await.unwrap();
        let e = qa::draw(&mut tx, &Actor::cli(), org, year, term, 0.10)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("already been drawn"), "{e}");
        drop(tx);
        // A share outside (0, 1] is refused.
        let mut tx = db.begin().await.unwrap();
        assert!(
            qa::draw(&mut tx, &Actor::cli(), org, year, TermName::Spring, 0.0)
                .await
                .is_err()
        );
        drop(tx);
        let audited = db
            .audit_entries(&AuditFilter {
                organisation_id: Some(org),
                entity: Some("qa_sample".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(audited.len(), 1);
        // Moderation: every criterion and feedback, then once only.
        let a = db.qa_assignment(org, list[0].id).await.unwrap().unwrap();
        let mut tx = db.begin().await.unwrap();
        let errs = qa::moderate(
            &mut tx,
            &Actor::cli(),
            org,
            &a,
            reviewers[0],
            BTreeMap::new(),
            " ",
        )
        .await
        .unwrap()
        .unwrap_err();
        assert_eq!(errs.len(), 6, "{errs:?}");
        let ratings: BTreeMap<String, QaRating> = [
            "evidence",
            "challenge",
            "strengths_development",
            "actions",
            "clarity",
        ]
        .into_iter()
        .map(|c| (c.to_string(), QaRating::Strong))
        .collect();
        qa::moderate(
            &mut tx,
            &Actor::cli(),
            org,
            &a,
            reviewers[0],
            ratings.clone(),
            "Exemplary",
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        let a = db.qa_assignment(org, list[0].id).await.unwrap().unwrap();
        assert_eq!(a.ratings(), ratings);
        let mut tx = db.begin().await.unwrap();
        assert!(qa::moderate(
            &mut tx,
            &Actor::cli(),
            org,
            &a,
            reviewers[0],
            ratings,
            "Again"
        )
        .await
        .is_err());
    }
    // The same notes on every backend: reproducible (seeded by organisation and term).
    assert!(samples.windows(2).all(|w| w[0] == w[1]), "{samples:?}");
}

#[tokio::test]
async fn attachments_round_trip_and_refused_files_write_nothing() {
    for (db, _dir) in each_backend().await {
        let (org, _) = setup(&db, [1, 0, 0]).await;
        let access = db.visit_access(org, 1).await.unwrap().unwrap();
        assert!(access.note_final());
        let bytes: Vec<u8> = [b"%PDF-1.7\n".as_slice(), &(0..=255u8).collect::<Vec<_>>()].concat();
        let mut tx = db.begin().await.unwrap();
        // A final note is locked.
        assert!(attachments::add(
            &mut tx,
            &Actor::cli(),
            &access,
            true,
            "n.pdf",
            &bytes,
            1 << 20
        )
        .await
        .is_err());
        let refused = attachments::add(
            &mut tx,
            &Actor::cli(),
            &access,
            false,
            "x.exe",
            b"MZ",
            1 << 20,
        )
        .await
        .unwrap();
        assert!(matches!(refused, Err(Refusal::Type(_))));
        let refused = attachments::add(
            &mut tx,
            &Actor::cli(),
            &access,
            false,
            "big.pdf",
            &bytes,
            10,
        )
        .await
        .unwrap();
        assert_eq!(refused, Err(Refusal::TooLarge { limit: 10 }));
        let a = attachments::add(
            &mut tx,
            &Actor::cli(),
            &access,
            false,
            "../report.pdf",
            &bytes,
            1 << 20,
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(a.filename, "report.pdf");
        assert_eq!(db.attachments(org, 1).await.unwrap().len(), 1);
        let (got, content) = db.attachment_content(org, 1, a.id).await.unwrap().unwrap();
        assert_eq!(content, bytes, "every byte value survives");
        use sha2::Digest;
        assert_eq!(got.sha256, hex::encode(sha2::Sha256::digest(&bytes)));
        // Another organisation's id is not found.
        assert!(db
            .attachment_content(org + 1, 1, a.id)
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn surveys_shadowing_and_annual_reviews() {
    for (db, _dir) in each_backend().await {
        let (org, _) = setup(&db, [1, 1, 0]).await;
        let year = AcademicYear::parse("2026/27").unwrap();
        let response = |answers: &[(&str, u8)]| SurveyResponse {
            urn: uplift_domain::register::Urn::new(OWN as u32).unwrap(),
            respondent: SurveyRespondent::Headteacher,
            adviser_id: "1".into(),
            answers: answers.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            comments: "Helpful".into(),
        };
        let mut tx = db.begin().await.unwrap();
        let e = qa::submit_survey(
            &mut tx,
            &Actor::cli(),
            org,
            year,
            1,
            &response(&[("knowledge", 9)]),
        )
        .await
        .unwrap()
        .unwrap_err();
        assert!(e.iter().any(|f| f.field == "answers.knowledge"));
        let full = response(&[
            ("knowledge", 4),
            ("challenge", 3),
            ("notes", 4),
            ("impact", 2),
        ]);
        qa::submit_survey(&mut tx, &Actor::cli(), org, year, 1, &full)
            .await
            .unwrap()
            .unwrap();
        assert!(
            qa::submit_survey(&mut tx, &Actor::cli(), org, year, 1, &full)
                .await
                .unwrap()
                .is_err()
        );
        // Shadowing: one adviser shadowed.
        qa::record_shadowed(
            &mut tx,
            &Actor::cli(),
            org,
            1,
            Some(1),
            jiff::civil::date(2026, 10, 5),
            "Lead",
            "Good",
        )
        .await
        .unwrap();
        assert!(
            qa::record_shadowed(
                &mut tx,
                &Actor::cli(),
                org,
                1,
                Some(2),
                jiff::civil::date(2026, 10, 5),
                "Lead",
                "x"
            )
            .await
            .is_err(),
            "visit 2 is adviser 2's"
        );
        // Annual review, then updated in place.
        let mut review = AnnualReview {
            adviser_id: "2".into(),
            academic_year: year,
            self_assessment: "Strong engagement".into(),
            engagement: "All schools visited".into(),
            brokered_support: "".into(),
            outcomes: "".into(),
            feedback: "".into(),
            reviewed_by: "Lead".into(),
            reviewed_on: None,
        };
        let id = qa::save_review(&mut tx, &Actor::cli(), org, &review)
            .await
            .unwrap();
        review.feedback = "Keep going".into();
        assert_eq!(
            qa::save_review(&mut tx, &Actor::cli(), org, &review)
                .await
                .unwrap(),
            id
        );
        tx.commit().await.unwrap();
        assert_eq!(
            db.qa_survey_responses(org, "2026/27").await.unwrap().len(),
            1
        );
        assert_eq!(db.qa_shadowed(org, "2026/27").await.unwrap().len(), 1);
        let reviews = db.annual_reviews(org, "2026/27").await.unwrap();
        assert_eq!(reviews.len(), 1);
        assert_eq!(reviews[0].feedback, "Keep going");
    }
}

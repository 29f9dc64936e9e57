//! Categorisation in the store, on both backends: the policy in force (a
//! refused policy keeps the previous one), facts assembled from the register,
//! category decisions with their history, and flag overrides, all audited.

use uplift_domain::policy::{presets, FlagKind, Policy};
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::categorisation::{self, PolicySource};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::each_backend;
use uplift_store::Db;

const URGENT: i64 = 900001;
const GOOD: i64 = 900002;

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(2026, 7, 1)
}

async fn setup(db: &Db) -> i64 {
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
    .unwrap();
    tx.commit().await.unwrap();
    let t = uplift_store::now();
    for (urn, name) in [
        (URGENT, "Invented Urgent School"),
        (GOOD, "Invented Good School"),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO schools (urn, la_code, name, phase, type_name, governance, status, created_at, updated_at)
             VALUES ({urn}, '202', '{name}', 'Primary', 'Community school', 'maintained', 'Open', '{t}', '{t}')"
        ))
        .await
        .unwrap();
        db.execute_raw(&format!(
            "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({}, {urn}, '{t}')",
            org.id
        ))
        .await
        .unwrap();
    }
    // Invented report cards: urgent improvement in leadership and governance and in achievement.
    db.execute_raw(&format!(
        "INSERT INTO inspections_report_card (urn, inspection_key, inspection_type, start_date, publication_date,
             safeguarding, inclusion, curriculum_and_teaching, achievement, attendance_and_behaviour,
             personal_development_and_wellbeing, leadership_and_governance, source_file, imported_at)
         VALUES ({URGENT}, 'T1', 'Report card', '2026-01-12', '2026-02-20', 'Met', 'Expected standard',
             'Needs attention', 'Urgent improvement', 'Expected standard', 'Expected standard',
             'Urgent improvement', 'invented-test.csv', '{t}'),
                ({GOOD}, 'T2', 'Report card', '2026-01-12', '2026-02-20', 'Met', 'Strong standard',
             'Strong standard', 'Expected standard', 'Strong standard', 'Strong standard',
             'Strong standard', 'invented-test.csv', '{t}')"
    ))
    .await
    .unwrap();
    org.id
}

async fn audit_count(db: &Db, org: i64, entity: &str) -> usize {
    db.audit_entries(&AuditFilter {
        organisation_id: Some(org),
        entity: Some(entity.into()),
        limit: 1000,
        ..Default::default()
    })
    .await
    .unwrap()
    .len()
}

#[tokio::test]
async fn a_refused_policy_keeps_the_previous_one_in_force() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        // The default for a local authority.
        assert_eq!(
            db.policy_in_force(org).await.unwrap().name,
            "la-differentiated"
        );
        let mut tx = db.begin().await.unwrap();
        categorisation::adopt_policy(
            &mut tx,
            &Actor::cli(),
            org,
            PolicySource::Preset("side-by-side"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let bad = "[policy]\nname = \"bad\"\ntitle = \"Bad\"\nfollows = \"nothing\"\n\n[[category]]\nid = \"a\"\nlabel = \"A\"\nrag = \"green\"\n\n[[category]]\nid = \"b\"\nlabel = \"B\"\nrag = \"red\"\n[[category.rule]]\nid = \"r\"\nlabel = \"R\"\nany = [\"no.such.fact >= 3\"]\n";
        let mut tx = db.begin().await.unwrap();
        let e = categorisation::adopt_policy(
            &mut tx,
            &Actor::cli(),
            org,
            PolicySource::File {
                name: "bad.toml",
                text: bad,
            },
        )
        .await
        .unwrap_err()
        .to_string();
        tx.rollback().await.unwrap();
        assert!(e.contains("bad.toml:"), "{e}");
        assert!(e.contains("previous policy stays in force"), "{e}");
        assert_eq!(db.policy_in_force(org).await.unwrap().name, "side-by-side");
        assert_eq!(db.policy_history(org).await.unwrap().len(), 1);
        assert_eq!(audit_count(&db, org, "organisation_policy").await, 1);
        // An organisation's own (valid) TOML is kept as text and loads again.
        let (_, text) = presets().iter().find(|(n, _)| *n == "trust").unwrap();
        let mut tx = db.begin().await.unwrap();
        categorisation::adopt_policy(
            &mut tx,
            &Actor::cli(),
            org,
            PolicySource::File {
                name: "ours.toml",
                text,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let rec = db.policy_record(org).await.unwrap().unwrap();
        assert_eq!(rec.preset, None);
        assert_eq!(rec.source_name, "ours.toml");
        assert_eq!(db.policy_in_force(org).await.unwrap().name, "trust");
        assert_eq!(audit_count(&db, org, "organisation_policy").await, 2);
    }
}

#[tokio::test]
async fn urgent_leadership_and_another_area_is_the_most_serious_category_under_every_preset() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let facts = db.school_facts(org, as_of()).await.unwrap();
        assert_eq!(facts.len(), 2);
        for (name, _) in presets() {
            let policy = Policy::preset(name).unwrap();
            let placements = db.categorise(org, &policy, as_of()).await.unwrap();
            let p = placements
                .iter()
                .find(|p| i64::from(p.urn.get()) == URGENT)
                .unwrap();
            let worst = policy.categories.last().unwrap();
            assert_eq!(p.category, worst.id, "{name}: {:?}", p.rationale);
            assert!(p.flags.special_measures.effective(), "{name}");
            assert!(!p.rationale.is_empty());
        }
    }
}

#[tokio::test]
async fn decisions_keep_a_history_and_every_change_is_audited() {
    for (db, _dir) in each_backend().await {
        let org = setup(&db).await;
        let policy = db.policy_in_force(org).await.unwrap();
        let placements = db.categorise(org, &policy, as_of()).await.unwrap();
        // --apply: first categories for schools without one; again: nothing new.
        let mut tx = db.begin().await.unwrap();
        let s = categorisation::apply_placements(&mut tx, &Actor::cli(), org, &placements)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((s.initial, s.proposed, s.unchanged), (2, 0, 0));
        let mut tx = db.begin().await.unwrap();
        let s = categorisation::apply_placements(&mut tx, &Actor::cli(), org, &placements)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((s.initial, s.proposed, s.unchanged), (0, 0, 2));

        let good = placements
            .iter()
            .find(|p| i64::from(p.urn.get()) == GOOD)
            .unwrap();
        let lead = Actor {
            user_id: None,
            label: "lead@camden.example".into(),
            organisation_id: Some(org),
            request_id: None,
        };
        // A rationale and a reason are required.
        let mut tx = db.begin().await.unwrap();
        assert!(
            categorisation::confirm_category(&mut tx, &lead, org, good, "  ")
                .await
                .is_err()
        );
        assert!(
            categorisation::override_category(&mut tx, &lead, org, &policy, good, "4b", "")
                .await
                .is_err()
        );
        assert!(categorisation::override_category(
            &mut tx,
            &lead,
            org,
            &policy,
            good,
            "no-such-category",
            "why"
        )
        .await
        .is_err());
        tx.rollback().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        categorisation::confirm_category(&mut tx, &lead, org, good, "Agreed at the annual review")
            .await
            .unwrap();
        let worst = &policy.categories.last().unwrap().id;
        categorisation::override_category(
            &mut tx,
            &lead,
            org,
            &policy,
            good,
            worst,
            "Safeguarding concerns reported since the inspection",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let h = db.category_history(org, GOOD).await.unwrap();
        let kinds: Vec<&str> = h.iter().map(|d| d.decision.as_str()).collect();
        assert_eq!(kinds, ["overridden", "confirmed", "initial"]);
        assert_eq!(h[0].category.as_deref(), Some(worst.as_str()));
        assert_eq!(h[0].decided_by, "lead@camden.example");
        assert!(h[0]
            .override_reason
            .as_deref()
            .unwrap()
            .contains("Safeguarding"));
        assert_eq!(
            h[1].rationale.as_deref(),
            Some("Agreed at the annual review")
        );
        assert_eq!(h[0].academic_year, "2025/26");
        assert!(
            h[0].placement().is_some(),
            "the placement is kept as evidence"
        );
        let states = db.category_states(org).await.unwrap();
        assert_eq!(states.current[&GOOD].decision, "overridden");
        // 2 initial + confirm + override.
        assert_eq!(audit_count(&db, org, "category_decision").await, 4);

        // Now the school is in the worst category but placed elsewhere: --apply proposes.
        let mut tx = db.begin().await.unwrap();
        let s = categorisation::apply_placements(&mut tx, &Actor::cli(), org, &placements)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((s.initial, s.proposed, s.unchanged), (0, 1, 1));
        assert_eq!(
            db.category_states(org).await.unwrap().pending[&GOOD].decision,
            "proposed"
        );

        // A flag override with its reason, audited and layered on the placement.
        let mut tx = db.begin().await.unwrap();
        assert!(categorisation::override_flag(
            &mut tx,
            &lead,
            org,
            GOOD,
            FlagKind::Coasting,
            Some(true),
            ""
        )
        .await
        .is_err());
        categorisation::override_flag(
            &mut tx,
            &lead,
            org,
            GOOD,
            FlagKind::Coasting,
            Some(true),
            "DfE letter of 3 March",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(audit_count(&db, org, "flag_override").await, 1);
        let p = db
            .categorise_school(org, &policy, GOOD, as_of())
            .await
            .unwrap()
            .unwrap();
        assert!(p.flags.coasting.effective());
        assert_eq!(
            p.flags.coasting.overridden_by.as_ref().unwrap().reason,
            "DfE letter of 3 March"
        );
        // Withdrawn: the derived value applies again.
        let mut tx = db.begin().await.unwrap();
        categorisation::override_flag(
            &mut tx,
            &lead,
            org,
            GOOD,
            FlagKind::Coasting,
            None,
            "Letter withdrawn",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let p = db
            .categorise_school(org, &policy, GOOD, as_of())
            .await
            .unwrap()
            .unwrap();
        assert!(p.flags.coasting.overridden_by.is_none());
        assert_eq!(db.flag_override_history(org, GOOD).await.unwrap().len(), 2);

        // The estate assessment: last year's categories come from earlier academic years.
        let next_year = jiff::civil::date(2026, 9, 10);
        let a = db.estate_assessment(org, &policy, next_year).await.unwrap();
        assert_eq!(a.placements.len(), 2);
        assert!(a
            .movements
            .iter()
            .any(|m| i64::from(m.urn.get()) == GOOD && m.from.as_deref() == Some(worst.as_str())));
    }
}

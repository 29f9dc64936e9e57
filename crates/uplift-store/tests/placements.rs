//! The placements read model, on both backends: after every kind of input
//! change the placements read are the fresh ones (equal to categorising the
//! estate from its facts now), the estate is categorised once per change, and
//! reading again without a change categorises nothing and reads one row.

use std::path::PathBuf;

use uplift_domain::policy::{categorise_estate, FlagKind, Placement, Policy};
use uplift_domain::register::Date;
use uplift_ingest::Kind;
use uplift_store::audit::Actor;
use uplift_store::categorisation::{self, apply_flag_overrides, PolicySource};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::register::{self, ImportOptions, NewIntelligence};
use uplift_store::testkit::each_backend;
use uplift_store::Db;

/// Thomas Coram Centre, in the Camden extract.
const SCHOOL: i64 = 100005;

fn camden(file: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/demo/camden")
            .join(file),
    )
    .unwrap()
}

fn day() -> Date {
    jiff::civil::date(2026, 7, 1)
}

fn lead(org: i64) -> Actor {
    Actor {
        user_id: None,
        label: "lead@camden.example".into(),
        organisation_id: Some(org),
        request_id: None,
    }
}

/// The estate categorised from its facts now, as `categorise` did before the
/// read model.
async fn direct(db: &Db, org: i64, policy: &Policy, as_of: Date) -> Vec<Placement> {
    let facts = db.school_facts(org, as_of).await.unwrap();
    let overrides = db.flag_overrides(org).await.unwrap();
    let mut placements = categorise_estate(policy, &facts);
    for p in &mut placements {
        if let Some(o) = overrides.get(&i64::from(p.urn.get())) {
            apply_flag_overrides(p, o);
        }
    }
    placements
}

/// Reads after a change: the first read categorises the estate once and both
/// it and the stored rows read next are the fresh placements.
async fn fresh(db: &Db, org: i64, policy: &Policy, as_of: Date, what: &str) -> Vec<Placement> {
    let before = db.categorisation_count();
    let first = db.categorise(org, policy, as_of).await.unwrap();
    assert_eq!(
        db.categorisation_count(),
        before + 1,
        "{what}: the change recomputes the estate once"
    );
    let expected = direct(db, org, policy, as_of).await;
    assert_eq!(first, expected, "{what}: the placements are the fresh ones");
    let stored = db.categorise(org, policy, as_of).await.unwrap();
    assert_eq!(stored, expected, "{what}: the stored placements");
    for p in &expected {
        let one = db
            .categorise_school(org, policy, i64::from(p.urn.get()), as_of)
            .await
            .unwrap();
        assert_eq!(one.as_ref(), Some(p), "{what}: one school");
    }
    assert_eq!(
        db.categorisation_count(),
        before + 1,
        "{what}: reading again recomputes nothing"
    );
    expected
}

fn school(placements: &[Placement], urn: i64) -> &Placement {
    placements
        .iter()
        .find(|p| i64::from(p.urn.get()) == urn)
        .unwrap()
}

#[tokio::test]
async fn placements_are_fresh_after_every_kind_of_input_change_and_computed_only_then() {
    for (db, _g) in each_backend().await {
        let opts = ImportOptions {
            changed_on: Some("2026-03-01".into()),
            ..ImportOptions::default()
        };
        let gias = camden("edubaseallstatefunded_2026_EXCERPT.csv");
        db.import_bytes(Kind::Gias, "gias_v1.csv", &gias, &opts)
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
        let policy = db.policy_in_force(org).await.unwrap();
        assert!(fresh(&db, org, &policy, day(), "an empty estate")
            .await
            .is_empty());

        // The estate.
        let mut tx = db.begin().await.unwrap();
        register::add_authority_to_estate(&mut tx, &Actor::cli(), org, "202")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let all = fresh(&db, org, &policy, day(), "the estate").await;
        assert!(all.len() > 30, "{}", all.len());

        // Nothing changed: one school is one query, the estate one query.
        let q = db.query_count();
        db.categorise_school(org, &policy, SCHOOL, day())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(db.query_count() - q, 1, "one school: one query");
        let q = db.query_count();
        assert_eq!(db.categorise(org, &policy, day()).await.unwrap(), all);
        assert_eq!(db.query_count() - q, 1, "the estate: one query");

        // An import of inspections.
        let ofsted = camden("ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv");
        db.import_bytes(Kind::Ofsted, "ofsted.csv", &ofsted, &opts)
            .await
            .unwrap();
        fresh(&db, org, &policy, day(), "an inspection import").await;

        // Re-importing the same file changes nothing, so nothing is recomputed.
        db.import_bytes(Kind::Ofsted, "ofsted.csv", &ofsted, &opts)
            .await
            .unwrap();
        let n = db.categorisation_count();
        db.categorise(org, &policy, day()).await.unwrap();
        assert_eq!(db.categorisation_count(), n, "an unchanged import");

        // A newer register: a new headteacher (and the intelligence it derives).
        let text = String::from_utf8(gias).unwrap();
        let changed = text.replace("\"Holness\"", "\"Inventedname\"");
        db.import_bytes(Kind::Gias, "gias_v2.csv", changed.as_bytes(), &opts)
            .await
            .unwrap();
        let p = fresh(&db, org, &policy, day(), "a register import").await;
        let placed = db
            .stored_placed(org, &policy, day(), Some(SCHOOL))
            .await
            .unwrap();
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].placement, *school(&p, SCHOOL));
        assert_eq!(placed[0].facts.intelligence.len(), 1, "the new head");

        // Intelligence added by an officer.
        let mut tx = db.begin().await.unwrap();
        register::add_intelligence(
            &mut tx,
            &lead(org),
            &NewIntelligence {
                organisation_id: org,
                urn: SCHOOL,
                kind: "safeguarding",
                summary: "An invented safeguarding concern",
                source: "A phone call",
                occurred_on: "2026-06-01",
                author_user_id: None,
                generated: false,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        fresh(&db, org, &policy, day(), "intelligence").await;
        let placed = db
            .stored_placed(org, &policy, day(), Some(SCHOOL))
            .await
            .unwrap();
        assert_eq!(placed[0].facts.intelligence.len(), 2);

        // A flag override, then its withdrawal.
        for (value, reason) in [(Some(true), "DfE letter of 3 March"), (None, "Withdrawn")] {
            let mut tx = db.begin().await.unwrap();
            categorisation::override_flag(
                &mut tx,
                &lead(org),
                org,
                SCHOOL,
                FlagKind::Coasting,
                value,
                reason,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            let p = fresh(&db, org, &policy, day(), "a flag override").await;
            let coasting = &school(&p, SCHOOL).flags.coasting;
            assert_eq!(coasting.overridden_by.is_some(), value.is_some());
        }

        // A category decision.
        let p = db
            .categorise_school(org, &policy, SCHOOL, day())
            .await
            .unwrap()
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        categorisation::confirm_category(&mut tx, &lead(org), org, &p, "Agreed")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        fresh(&db, org, &policy, day(), "a category decision").await;

        // Generated inspections for the demo.
        let mut tx = db.begin().await.unwrap();
        let added = register::add_generated_inspections(&mut tx, &Actor::cli(), "202")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(added > 0);
        fresh(&db, org, &policy, day(), "generated inspections").await;

        // Raw SQL (operators and tests) may change anything.
        db.execute_raw(&format!(
            "UPDATE schools SET phase = 'Secondary' WHERE urn = {SCHOOL}"
        ))
        .await
        .unwrap();
        fresh(&db, org, &policy, day(), "raw SQL").await;

        // A new day: rules count back from the date.
        let tomorrow = day().tomorrow().unwrap();
        let p = fresh(&db, org, &policy, tomorrow, "a new day").await;
        assert!(p.iter().all(|p| p.as_of == tomorrow));
        // Yesterday's set is still there for whoever asks for that date.
        let n = db.categorisation_count();
        db.categorise(org, &policy, day()).await.unwrap();
        assert_eq!(db.categorisation_count(), n);

        // A policy adopted: the new one's placements, and the old policy's are
        // stale too (its organisation's inputs changed).
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
        let side = db.policy_in_force(org).await.unwrap();
        assert_eq!(side.name, "side-by-side");
        let p = fresh(&db, org, &side, day(), "a policy adopted").await;
        assert!(p.iter().all(|p| p.policy == "side-by-side"));
        fresh(&db, org, &policy, day(), "the previous policy").await;

        // Only the newest few sets are kept.
        let (_, _, sets) = db.placement_stamp(org).await.unwrap();
        assert!(sets <= 4, "{sets} sets kept");
    }
}

#[tokio::test]
async fn a_school_outside_the_estate_is_placed_on_its_own_facts() {
    for (db, _g) in each_backend().await {
        let gias = camden("edubaseallstatefunded_2026_EXCERPT.csv");
        db.import_bytes(Kind::Gias, "gias.csv", &gias, &ImportOptions::default())
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        let org = orgs::create(
            &mut tx,
            &Actor::cli(),
            &NewOrganisation {
                slug: "trust",
                name: "An Invented Trust",
                kind: "trust",
                la_code: None,
            },
        )
        .await
        .unwrap()
        .id;
        tx.commit().await.unwrap();
        let policy = db.policy_in_force(org).await.unwrap();
        let p = db
            .categorise_school(org, &policy, SCHOOL, day())
            .await
            .unwrap()
            .unwrap();
        let direct = db
            .categorise_one(org, &policy, SCHOOL, day())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p, direct);
        assert!(db
            .categorise_school(org, &policy, 999_999, day())
            .await
            .unwrap()
            .is_none());
        // The (empty) estate was categorised once, then read.
        assert_eq!(db.categorisation_count(), 1);
    }
}

//! Organisations' letterheads in the store, on both backends: none until
//! saved, saved and changed with the logo kept, replaced or removed, each
//! change audited without the logo's bytes, and one organisation's
//! letterhead never another's.

use sha2::{Digest, Sha256};
use uplift_store::audit::{Actor, AuditFilter};
use uplift_store::letterhead::{self, LetterheadText, Logo, LogoChange};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::each_backend;
use uplift_store::{Db, StoreError};

async fn org(db: &Db, slug: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let org = orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug,
            name: "Invented Council",
            kind: "local-authority",
            la_code: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    org.id
}

fn text() -> LetterheadText {
    LetterheadText {
        service_name: "School Improvement Service".into(),
        address_lines: "1 Invented Street\nLondon X1 1XX".into(),
        telephone: "020 0000 0000".into(),
        email: "schools@invented.example".into(),
        website: "invented.example".into(),
        footer: "Please quote our reference".into(),
    }
}

fn logo() -> Logo {
    // Bytes with a 0 and 0xFF in them: they must come back exactly.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(3000));
    Logo {
        mime: "image/png".into(),
        width_px: 40,
        height_px: 20,
        bytes,
    }
}

async fn audit(db: &Db, org: i64) -> Vec<uplift_store::audit::AuditEntry> {
    db.audit_entries(&AuditFilter {
        organisation_id: Some(org),
        entity: Some("letterhead".into()),
        limit: 100,
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn saved_changed_and_audited_without_the_logo_bytes() {
    for (db, _dir) in each_backend().await {
        let a = org(&db, "a").await;
        let b = org(&db, "b").await;
        assert_eq!(db.letterhead(a).await.unwrap(), None);

        let mut tx = db.begin().await.unwrap();
        let saved = letterhead::save(&mut tx, &Actor::cli(), a, &text(), LogoChange::Set(logo()))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let got = db.letterhead(a).await.unwrap().unwrap();
        assert_eq!(got, saved);
        assert_eq!(got.text, text());
        assert_eq!(got.logo, Some(logo()));
        assert_eq!(got.address(), vec!["1 Invented Street", "London X1 1XX"]);
        // Another organisation's is untouched.
        assert_eq!(db.letterhead(b).await.unwrap(), None);

        let entries = audit(&db, a).await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].action, "create");
        let after = entries[0].after_json.clone().unwrap();
        let json: serde_json::Value = serde_json::from_str(&after).unwrap();
        assert_eq!(json["service_name"], "School Improvement Service");
        assert_eq!(json["logo"]["mime"], "image/png");
        assert_eq!(json["logo"]["size_bytes"], logo().bytes.len());
        assert_eq!(
            json["logo"]["sha256"],
            hex::encode(Sha256::digest(&logo().bytes))
        );
        assert!(
            after.len() < 1000,
            "the audit record holds no bytes: {after}"
        );

        // Change the text and keep the logo.
        let mut changed = text();
        changed.telephone = "020 1111 1111".into();
        let mut tx = db.begin().await.unwrap();
        letterhead::save(&mut tx, &Actor::cli(), a, &changed, LogoChange::Keep)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let got = db.letterhead(a).await.unwrap().unwrap();
        assert_eq!(got.text.telephone, "020 1111 1111");
        assert_eq!(got.logo, Some(logo()));

        // Saving the same again records nothing.
        let mut tx = db.begin().await.unwrap();
        letterhead::save(&mut tx, &Actor::cli(), a, &changed, LogoChange::Keep)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(audit(&db, a).await.len(), 2);

        // Remove the logo.
        let mut tx = db.begin().await.unwrap();
        letterhead::save(&mut tx, &Actor::cli(), a, &changed, LogoChange::Remove)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let got = db.letterhead(a).await.unwrap().unwrap();
        assert_eq!(got.logo, None);
        let entries = audit(&db, a).await;
        assert_eq!(entries.len(), 3);
        let last = entries.iter().max_by_key(|e| e.id).unwrap();
        assert_eq!(last.action, "update");
        let after: serde_json::Value =
            serde_json::from_str(last.after_json.as_deref().unwrap()).unwrap();
        assert!(after["logo"].is_null());
        let before: serde_json::Value =
            serde_json::from_str(last.before_json.as_deref().unwrap()).unwrap();
        assert_eq!(before["logo"]["width_px"], 40);
    }
}

#[tokio::test]
async fn a_logo_of_another_type_is_refused_and_nothing_saved() {
    for (db, _dir) in each_backend().await {
        let a = org(&db, "a").await;
        let mut gif = logo();
        gif.mime = "image/gif".into();
        let mut tx = db.begin().await.unwrap();
        let err = letterhead::save(&mut tx, &Actor::cli(), a, &text(), LogoChange::Set(gif))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
        drop(tx);
        assert_eq!(db.letterhead(a).await.unwrap(), None);
        assert!(audit(&db, a).await.is_empty());
    }
}

/// A letterhead with its logo's bytes survives a backup from SQLite restored
/// into PostgreSQL (and into another SQLite), byte for byte.
#[tokio::test]
async fn a_letterhead_with_its_logo_survives_backup_and_restore() {
    let (src, _g) = uplift_store::testkit::sqlite().await;
    let a = org(&src, "a").await;
    let mut tx = src.begin().await.unwrap();
    letterhead::save(&mut tx, &Actor::cli(), a, &text(), LogoChange::Set(logo()))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut file = Vec::new();
    src.backup(&mut file).await.unwrap();
    let (again, _g2) = uplift_store::testkit::sqlite().await;
    let mut targets = vec![again];
    if let Some(pg) = uplift_store::testkit::postgres().await {
        targets.push(pg);
    }
    for db in targets {
        db.restore(&file[..], "letterhead.jsonl").await.unwrap();
        let got = db.letterhead(a).await.unwrap().unwrap();
        assert_eq!(got.logo, Some(logo()));
        assert_eq!(got.text, text());
    }
}

#[tokio::test]
async fn the_demo_letterhead_is_camdens_public_address_without_a_logo() {
    for (db, _dir) in each_backend().await {
        let a = org(&db, "camden").await;
        assert!(letterhead::load_demo(&db, a).await.unwrap());
        let got = db.letterhead(a).await.unwrap().unwrap();
        assert_eq!(got.text.service_name, "School Improvement Service");
        assert_eq!(got.address(), vec!["5 Pancras Square", "London N1C 4AG"]);
        assert_eq!(got.text.telephone, "020 7974 4444");
        assert_eq!(got.text.website, "camden.gov.uk");
        assert!(got.logo.is_none());
        // A letterhead already saved is kept.
        let mut tx = db.begin().await.unwrap();
        letterhead::save(&mut tx, &Actor::cli(), a, &text(), LogoChange::Keep)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(!letterhead::load_demo(&db, a).await.unwrap());
        assert_eq!(db.letterhead(a).await.unwrap().unwrap().text, text());
    }
}

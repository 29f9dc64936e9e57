//! The audit-log query, called directly on both backends: filtered by what
//! was changed, by whom and when, paged, refused for those who may not read
//! it, and a bad filter named on its field.

mod common;

use common::setup;
use jiff::civil::date;
use uplift_app::audit::{audit_entries, AuditSearch};
use uplift_app::contacts::save_contacts;
use uplift_app::AppError;
use uplift_store::contacts::ContactsInput;
use uplift_store::testkit::each_backend;

#[tokio::test]
async fn the_log_is_filtered_and_refused_to_those_who_may_not_read_it() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        for chair in ["Pat One", "Pat Two", "Pat Three"] {
            let input = ContactsInput {
                chair_name: Some(chair.into()),
                ..Default::default()
            };
            save_contacts(&s.app, &s.lead, common::RI, &input)
                .await
                .unwrap();
        }
        let search = AuditSearch {
            entity: "school_contacts".into(),
            user_email: " LEAD@example.invalid ".into(),
            ..Default::default()
        };
        let page = audit_entries(&s.app, &s.lead, &search).await.unwrap();
        let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["update", "update", "create"]);
        assert_eq!(page.next_before, None);
        // Nobody else's changes, and none before the range.
        let nobody = AuditSearch {
            user_email: "panel@example.invalid".into(),
            ..search.clone()
        };
        assert!(audit_entries(&s.app, &s.lead, &nobody)
            .await
            .unwrap()
            .entries
            .is_empty());
        let old = AuditSearch {
            to: Some(date(2020, 1, 1)),
            ..search.clone()
        };
        assert!(audit_entries(&s.app, &s.lead, &old)
            .await
            .unwrap()
            .entries
            .is_empty());
        // A panel member may not read the log.
        assert!(matches!(
            audit_entries(&s.app, &s.panel, &search).await,
            Err(AppError::Forbidden) | Err(AppError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_bad_filter_is_named_on_its_field() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let bad = AuditSearch {
            action: "rename".into(),
            from: Some(date(2026, 12, 2)),
            to: Some(date(2026, 12, 1)),
            ..Default::default()
        };
        let e = audit_entries(&s.app, &s.lead, &bad).await.unwrap_err();
        let fields: Vec<&str> = e.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["action", "to"]);
    }
}

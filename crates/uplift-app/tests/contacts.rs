//! The school-contacts use cases, called directly on both backends: recorded
//! and audited once, every refused detail named on its own field with nothing
//! saved, and a school's own users kept to their own school.

mod common;

use common::{count, school_user, setup, ELSEWHERE, GOOD, RI};
use uplift_app::contacts::{contacts_to_edit, save_contacts, school_contacts};
use uplift_app::AppError;
use uplift_store::contacts::ContactsInput;
use uplift_store::testkit::each_backend;

fn input(chair: &str, chair_email: &str) -> ContactsInput {
    ContactsInput {
        headteacher_name: Some(" Łucja Nguyễn ".into()),
        chair_name: Some(chair.into()),
        chair_email: Some(chair_email.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn contacts_are_recorded_once_and_letters_use_the_recorded_headteacher() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let before = school_contacts(&s.app, &s.lead, RI).await.unwrap();
        assert_eq!(before.recorded, None);
        assert_eq!(before.headteacher(), Some("Ada Head"));
        assert_eq!(before.school, "Invented Requires Improvement School");

        let saved = save_contacts(
            &s.app,
            &s.lead,
            RI,
            &input("Şule Dvořák", "chair@school.example.org"),
        )
        .await
        .unwrap();
        let rec = saved.recorded.as_ref().unwrap();
        assert_eq!(rec.headteacher_name.as_deref(), Some("Łucja Nguyễn"));
        assert_eq!(rec.chair_name.as_deref(), Some("Şule Dvořák"));
        assert_eq!(saved.headteacher(), Some("Łucja Nguyễn"));
        assert_eq!(saved.register_head.as_deref(), Some("Ada Head"));
        let audited = count(&db, "audit_log WHERE entity = 'school_contacts'").await;
        assert_eq!(audited, 1);
        // The same again changes and audits nothing.
        save_contacts(
            &s.app,
            &s.lead,
            RI,
            &input("Şule Dvořák", "chair@school.example.org"),
        )
        .await
        .unwrap();
        assert_eq!(
            count(&db, "audit_log WHERE entity = 'school_contacts'").await,
            1
        );
    }
}

#[tokio::test]
async fn every_refused_detail_is_named_and_nothing_is_saved() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let bad = ContactsInput {
            chair_name: Some("x".repeat(201)),
            chair_email: Some("not an email".into()),
            clerk_name: Some("Two\nlines".into()),
            ..Default::default()
        };
        let e = save_contacts(&s.app, &s.lead, RI, &bad).await.unwrap_err();
        let fields: Vec<(&str, &str)> = e
            .fields()
            .iter()
            .map(|f| (f.field.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("chair_name", "The chair of governors' name must be 200 characters or fewer"),
                (
                    "chair_email",
                    "The chair of governors' email address must look like an email address, like name@example.org"
                ),
                ("clerk_name", "The clerk to the governors' name must be on one line"),
            ]
        );
        assert_eq!(count(&db, "school_contacts").await, 0);
        assert_eq!(
            count(&db, "audit_log WHERE entity = 'school_contacts'").await,
            0
        );
    }
}

#[tokio::test]
async fn a_school_records_its_own_contacts_and_no_other_school_exists_for_it() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let head = school_user(&db, &s, RI).await;
        save_contacts(&s.app, &head, RI, &input("Pat Chair", ""))
            .await
            .unwrap();
        assert!(matches!(
            save_contacts(&s.app, &head, GOOD, &input("Pat Chair", "")).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            contacts_to_edit(&s.app, &head, GOOD).await,
            Err(AppError::NotFound)
        ));
        // A panel member reads contacts but may not change them.
        assert!(school_contacts(&s.app, &s.panel, GOOD).await.is_ok());
        assert!(matches!(
            save_contacts(&s.app, &s.panel, GOOD, &input("Pat Chair", "")).await,
            Err(AppError::Forbidden) | Err(AppError::NotFound)
        ));
        // Another council's school is not found, even for the lead.
        assert!(matches!(
            save_contacts(&s.app, &s.lead, ELSEWHERE, &input("Pat Chair", "")).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(count(&db, "school_contacts").await, 1);
    }
}

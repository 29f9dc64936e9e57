//! The lead's category decisions, called directly on both backends: an
//! unknown choice, category or flag is refused naming its field (never taken
//! as a default), a flag override is recorded with its reason, and only a
//! lead decides.

mod common;

use common::{count, setup, RI};
use uplift_app::categories::{
    agree_categories, decide_category, override_flag, DecideCategory, OverrideFlag,
};
use uplift_app::AppError;
use uplift_store::testkit::each_backend;

fn fields(e: &AppError) -> Vec<&str> {
    e.fields().iter().map(|f| f.field.as_str()).collect()
}

#[tokio::test]
async fn unknown_values_are_refused_on_their_fields() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let e = agree_categories(&s.app, &s.lead, &[], " ")
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["urn", "rationale"]);
        let e = agree_categories(&s.app, &s.lead, &["910009".into()], "Agreed at the review")
            .await
            .unwrap_err();
        assert_eq!(
            e.fields()[0].message,
            "Select only schools of your organisation's estate"
        );
        // "overide" is neither confirm nor override: refused, not an override.
        let d = DecideCategory {
            action: "overide".into(),
            category: "no such category".into(),
            ..Default::default()
        };
        let e = decide_category(&s.app, &s.lead, RI, &d).await.unwrap_err();
        assert_eq!(fields(&e), ["action"]);
        let d = DecideCategory {
            action: "override".into(),
            category: "no such category".into(),
            ..Default::default()
        };
        let e = decide_category(&s.app, &s.lead, RI, &d).await.unwrap_err();
        assert_eq!(fields(&e), ["category", "reason"]);
        let o = OverrideFlag {
            flag: "not_a_flag".into(),
            value: "maybe".into(),
            reason: String::new(),
        };
        let e = override_flag(&s.app, &s.lead, RI, &o).await.unwrap_err();
        assert_eq!(fields(&e), ["flag", "value", "flag_reason"]);
        assert_eq!(count(&db, "category_decisions").await, 0);
    }
}

#[tokio::test]
async fn a_flag_override_is_recorded_with_its_reason_and_only_by_a_lead() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let flag = uplift_domain::policy::FlagKind::ALL[0].name().to_owned();
        let o = OverrideFlag {
            flag,
            value: "yes".into(),
            reason: "The governing body was replaced in November".into(),
        };
        assert!(matches!(
            override_flag(&s.app, &s.panel, RI, &o).await,
            Err(AppError::Forbidden) | Err(AppError::NotFound)
        ));
        let (kind, value) = override_flag(&s.app, &s.lead, RI, &o).await.unwrap();
        assert_eq!(kind, uplift_domain::policy::FlagKind::ALL[0]);
        assert_eq!(value, Some(true));
        assert_eq!(count(&db, "flag_overrides").await, 1);
    }
}

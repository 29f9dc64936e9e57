//! Categorisation pages: the lead's confirm and override flows (audited),
//! refusals with an error summary, the estate assessment page and CSV (the
//! same as the CLI's), the API, and a school user kept out.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use uplift_domain::access::Role;
use uplift_store::audit::AuditFilter;

async fn audit(app: &TestApp, entity: &str) -> Vec<uplift_store::audit::AuditEntry> {
    app.db
        .audit_entries(&AuditFilter {
            organisation_id: Some(app.org_id),
            entity: Some(entity.into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn with_estate() -> TestApp {
    let app = TestApp::new().await;
    let t = uplift_store::now();
    for urn in [OWN_SCHOOL, OTHER_SCHOOL] {
        app.db
            .execute_raw(&format!(
                "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({}, {urn}, '{t}')",
                app.org_id
            ))
            .await
            .unwrap();
    }
    // An invented report card: urgent improvement in leadership and governance and in achievement.
    app.db
        .execute_raw(&format!(
            "INSERT INTO inspections_report_card (urn, inspection_key, start_date, publication_date, safeguarding,
                 achievement, leadership_and_governance, curriculum_and_teaching, source_file, imported_at)
             VALUES ({OTHER_SCHOOL}, 'T1', '2026-01-12', '2026-02-20', 'Met', 'Urgent improvement',
                 'Urgent improvement', 'Expected standard', 'invented-test.csv', '{t}')"
        ))
        .await
        .unwrap();
    app
}

#[tokio::test]
async fn the_lead_agrees_movements_in_one_form_and_a_rationale_is_required() {
    let app = with_estate().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let page = app.get("/categories", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Agree the selected categories"));
    assert!(page.body.contains(&format!("URN {OTHER_SCHOOL}")));
    // No rationale: refused with the error summary, nothing recorded.
    let r = app
        .post_form(
            "/categories",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("urn", &OTHER_SCHOOL.to_string()),
                ("rationale", " "),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r
        .body
        .contains("Enter the rationale for agreeing these categories"));
    assert!(audit(&app, "category_decision").await.is_empty());
    // Both schools agreed in one form.
    let r = app
        .post_form(
            "/categories",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("urn", &OWN_SCHOOL.to_string()),
                ("urn", &OTHER_SCHOOL.to_string()),
                ("rationale", "Agreed at the July review"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let entries = audit(&app, "category_decision").await;
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.actor == "lead@camden.example"));
    assert!(entries[0]
        .after_json
        .as_deref()
        .unwrap()
        .contains("Agreed at the July review"));
    let page = app.get("/categories?agreed=2", Some(&cookie)).await;
    assert!(page.body.contains("2 categories have been agreed."));
    assert!(page.body.contains("no proposed movements"));
}

#[tokio::test]
async fn a_school_page_shows_the_rules_and_the_lead_overrides_with_a_reason() {
    let app = with_estate().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let path = format!("/schools/{OTHER_SCHOOL}/category");
    let page = app.get(&path, Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Special measures"));
    assert!(
        page.body.contains("invented-test.csv"),
        "the evidence cites its source"
    );
    // An override without a reason is refused.
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("action", "override"),
                ("category", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r
        .body
        .contains("Enter the reason for overriding the proposed category"));
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("action", "override"),
                ("category", "2v"),
                ("reason", "New executive head in post"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("action", "confirm"),
                ("rationale", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("action", "confirm"),
                ("rationale", "Back to the data"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let entries = audit(&app, "category_decision").await;
    assert_eq!(entries.len(), 2);
    assert!(entries[1]
        .after_json
        .as_deref()
        .unwrap()
        .contains("New executive head in post"));
    // A flag override with its reason.
    let flags = format!("/schools/{OTHER_SCHOOL}/flags");
    let r = app
        .post_form(
            &flags,
            Some(&cookie),
            &[("csrf_token", &csrf), ("flag", "stuck"), ("value", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post_form(
            &flags,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("flag", "stuck"),
                ("value", "yes"),
                ("flag_reason", "RISE adviser assigned"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(audit(&app, "flag_override").await.len(), 1);
    let page = app.get(&path, Some(&cookie)).await;
    assert!(page.body.contains("RISE adviser assigned"));
    assert!(page.body.contains("Back to the data"));
    // The API: category, rationale and flags.
    let u = app.user(Role::Adviser);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/schools/{OTHER_SCHOOL}/category"),
            Some(&u.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["category"], "4b");
    assert!(!j["rationale"].as_array().unwrap().is_empty());
    let sm = j["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == "special_measures")
        .unwrap();
    assert_eq!(sm["value"], true);
}

#[tokio::test]
async fn the_estate_assessment_page_csv_and_api_agree() {
    let app = with_estate().await;
    let (cookie, _) = app.session(Role::Commissioner).await;
    let page = app.get("/estate-assessment", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csv = app.get("/estate-assessment.csv", Some(&cookie)).await;
    assert_eq!(csv.status, StatusCode::OK);
    // The CSV is the store's assessment, exactly what `uplift categorise --format csv` prints.
    let policy = app.db.policy_in_force(app.org_id).await.unwrap();
    let today = uplift_web::pages::categories::today();
    let expected = app
        .db
        .estate_assessment(app.org_id, &policy, today)
        .await
        .unwrap();
    assert_eq!(
        csv.body,
        uplift_docs::csv::to_string(
            uplift_domain::policy::EstateAssessment::CSV_HEADER,
            &expected.csv_rows()
        )
    );
    for p in &expected.placements {
        assert!(
            page.body.contains(&p.category_label),
            "{}",
            p.category_label
        );
        assert!(page.body.contains(&format!("URN {}", p.urn)));
    }
    let u = app.user(Role::Commissioner);
    let r = app
        .api(Method::GET, "/api/v1/estate-assessment", Some(&u.token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["schools"].as_array().unwrap().len(),
        expected.placements.len()
    );
}

#[tokio::test]
async fn a_school_user_sees_no_categories() {
    let app = with_estate().await;
    let (cookie, csrf) = app.session(Role::School).await;
    for path in [
        "/categories",
        "/estate-assessment",
        "/estate-assessment.csv",
    ] {
        assert_eq!(
            app.get(path, Some(&cookie)).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for urn in [OWN_SCHOOL, OTHER_SCHOOL] {
        let r = app
            .get(&format!("/schools/{urn}/category"), Some(&cookie))
            .await;
        assert!(matches!(
            r.status,
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ));
        let r = app
            .post_form(
                &format!("/schools/{urn}/category"),
                Some(&cookie),
                &[
                    ("csrf_token", &csrf),
                    ("action", "confirm"),
                    ("rationale", "x"),
                ],
            )
            .await;
        assert!(matches!(
            r.status,
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ));
    }
    assert!(audit(&app, "category_decision").await.is_empty());
    let u = app.user(Role::School);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/schools/{OWN_SCHOOL}/category"),
            Some(&u.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

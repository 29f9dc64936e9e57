//! Every CSV export neutralises cells a spreadsheet would run as a formula.

use axum::http::StatusCode;
use uplift_domain::access::Role;

use crate::common::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"Click\")";
const TABBED: &str = "\t@SUM(1+1)";

async fn hostile_estate() -> TestApp {
    let app = TestApp::new().await;
    let t = uplift_store::now();
    for (urn, name) in [(OTHER_SCHOOL, FORMULA), (OWN_SCHOOL, TABBED)] {
        app.db
            .execute_raw(&format!(
                "INSERT INTO organisation_schools (organisation_id, urn, added_at) VALUES ({}, {urn}, '{t}')",
                app.org_id
            ))
            .await
            .unwrap();
        app.db
            .execute_raw(&format!(
                "UPDATE schools SET name = '{}' WHERE urn = {urn}",
                name.replace('\'', "''")
            ))
            .await
            .unwrap();
    }
    app
}

fn assert_neutralised(what: &str, body: &str) {
    assert!(
        body.contains("'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")"),
        "{what}: {body}"
    );
    assert!(
        !body.contains(",=HYPERLINK") && !body.contains("\"=HYPERLINK"),
        "{what}: {body}"
    );
    assert!(body.contains("'\t@SUM(1+1)"), "{what}: {body}");
    assert!(
        !body.contains(",\t@SUM") && !body.contains("\"\t@SUM"),
        "{what}: {body}"
    );
}

#[tokio::test]
async fn the_schools_csv_neutralises_formulas() {
    let app = hostile_estate().await;
    let (cookie, _) = app.session(Role::Lead).await;
    let r = app.get("/schools.csv", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_neutralised("/schools.csv", &r.body);
}

#[tokio::test]
async fn the_estate_assessment_csv_neutralises_formulas() {
    let app = hostile_estate().await;
    let (cookie, _) = app.session(Role::Commissioner).await;
    let r = app.get("/estate-assessment.csv", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_neutralised("/estate-assessment.csv", &r.body);
}

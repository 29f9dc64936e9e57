//! One use case behind the page and the API for the register's own records:
//! a school's contacts saved on the contacts page and through
//! `PUT /api/v1/schools/{urn}/contacts` give the same outcome, and the same
//! refused input the same messages on the same fields.

mod common;

use axum::http::{Method, StatusCode};
use common::concern_fixture::in_estate;
use common::parity::{api_errors, send_json, summary, summary_fields};
use common::{TestApp, OTHER_SCHOOL};
use uplift_domain::access::Role;

const FIELDS: [&str; 6] = [
    "headteacher_name",
    "headteacher_email",
    "chair_name",
    "chair_email",
    "clerk_name",
    "clerk_email",
];

async fn page_save(app: &TestApp, cookie: &str, csrf: &str, values: &[&str; 6]) -> common::Reply {
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", csrf)];
    form.extend(FIELDS.iter().copied().zip(values.iter().copied()));
    app.post_form(
        &format!("/schools/{OTHER_SCHOOL}/contacts"),
        Some(cookie),
        &form,
    )
    .await
}

async fn api_save(app: &TestApp, token: &str, values: &[&str; 6]) -> common::Reply {
    let body: serde_json::Map<String, serde_json::Value> = FIELDS
        .iter()
        .zip(values.iter())
        .map(|(f, v)| (f.to_string(), serde_json::Value::from(*v)))
        .collect();
    send_json(
        app,
        Method::PUT,
        &format!("/api/v1/schools/{OTHER_SCHOOL}/contacts"),
        token,
        serde_json::Value::Object(body),
    )
    .await
}

#[tokio::test]
async fn contacts_refused_on_the_page_and_the_api_alike() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let token = app.user(Role::Adviser).token.clone();
    let long = "Ł".repeat(201);
    for values in [
        ["", "head@nowhere", "", "", "", ""],
        ["", "", long.as_str(), "not an email", "Two\r\nlines", ""],
    ] {
        let page = page_save(&app, &cookie, &csrf, &values).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
        let api = api_save(&app, &token, &values).await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
        let from_api = api_errors(&api);
        assert!(!from_api.is_empty());
        assert_eq!(
            summary(&page.body),
            from_api.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>()
        );
        assert_eq!(
            summary_fields(&page.body),
            from_api.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>()
        );
    }
    let n = app
        .db
        .execute_raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM school_contacts")
        .await
        .unwrap();
    assert_eq!(n.trim(), "0");
}

#[tokio::test]
async fn contacts_saved_on_the_page_read_the_same_through_the_api() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let token = app.user(Role::Lead).token.clone();
    let values = [
        "Gŵyr Ἀθηνᾶ",
        "head@argyle.example.org",
        "Нина Петрова",
        "chair@argyle.example.org",
        "",
        "",
    ];
    let page = page_save(&app, &cookie, &csrf, &values).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let read = app
        .api(
            Method::GET,
            &format!("/api/v1/schools/{OTHER_SCHOOL}/contacts"),
            Some(&token),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let from_page = read.json();
    assert_eq!(from_page["headteacher"], "Gŵyr Ἀθηνᾶ");
    assert_eq!(from_page["chair_name"], "Нина Петрова");
    assert_eq!(from_page["clerk_name"], serde_json::Value::Null);
    // The same through the API: the same record, and nothing more audited.
    let api = api_save(&app, &token, &values).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let from_api = api.json();
    for f in FIELDS {
        assert_eq!(from_api[f], from_page[f], "{f}");
    }
    let audited = app
        .db
        .execute_raw_text(
            "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE entity = 'school_contacts'",
        )
        .await
        .unwrap();
    assert_eq!(audited.trim(), "1");
}

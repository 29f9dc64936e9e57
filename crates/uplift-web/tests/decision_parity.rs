//! One use case behind every adapter: the designation form, the case page's
//! decision form and the JSON API record a decision through
//! `uplift_app::concern::record_decision`, so the same input gets the same
//! outcome and the same field messages from each.

mod common;

use common::parity::{api_messages, summary};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::concern_fixture::in_estate;
use common::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use uplift_domain::access::Role;

async fn count(app: &TestApp, table: &str) -> i64 {
    app.db
        .execute_raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn post_json(app: &TestApp, token: &str, body: serde_json::Value) -> common::Reply {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/concern/decisions")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_page_and_the_api_refuse_the_same_input_with_the_same_messages() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let token = app.user(Role::Lead).token.clone();
    let long = "x".repeat(4001);
    // (rationale, triggers): blank; too long; no trigger to designate.
    for (rationale, trigger) in [
        ("", "Inadequate"),
        (long.as_str(), "Inadequate"),
        ("Weak leadership", ""),
    ] {
        let page = app
            .post_form(
                &format!("/concern/designate/{OTHER_SCHOOL}"),
                Some(&cookie),
                &[
                    ("csrf_token", &csrf),
                    ("decision", "designate"),
                    ("triggers", trigger),
                    ("rationale", rationale),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
        let api = post_json(
            &app,
            &token,
            serde_json::json!({"urn": OTHER_SCHOOL, "kind": "designate", "rationale": rationale,
                "triggers": if trigger.is_empty() { vec![] } else { vec![trigger] }}),
        )
        .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
        let from_page = summary(&page.body);
        assert!(!from_page.is_empty(), "{}", page.body);
        assert_eq!(
            from_page,
            api_messages(&api),
            "rationale {:.20?}",
            rationale
        );
    }
    assert_eq!(count(&app, "concern_decisions").await, 0);
    assert_eq!(count(&app, "concern_cases").await, 0);
}

#[tokio::test]
async fn the_page_and_the_api_record_the_same_decision() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    in_estate(&app, OWN_SCHOOL, "maintained").await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let token = app.user(Role::Lead).token.clone();
    let page = app
        .post_form(
            &format!("/concern/designate/{OTHER_SCHOOL}"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("decision", "designate"),
                ("triggers", "Inspection judged inadequate"),
                ("rationale", "Inadequate with weak leadership"),
                ("decided_on-day", "23"),
                ("decided_on-month", "11"),
                ("decided_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let api = post_json(
        &app,
        &token,
        serde_json::json!({"urn": OWN_SCHOOL, "kind": "designate", "rationale": "Inadequate with weak leadership",
            "triggers": ["Inspection judged inadequate"], "decided_on": "2026-11-23"}),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    // The same rows for each school: one decision, one case awaiting its
    // Lead Officer, the same letters and tasks.
    let row = |urn: i64| {
        format!(
            "SELECT d.kind || '|' || d.rationale || '|' || d.decided_on || '|' || c.state || '|' ||
                (SELECT CAST(COUNT(*) AS TEXT) FROM letters l WHERE l.case_id = c.id) || '|' ||
                (SELECT CAST(COUNT(*) AS TEXT) FROM concern_tasks t WHERE t.case_id = c.id)
             FROM concern_decisions d JOIN concern_cases c ON c.id = d.case_id WHERE d.urn = {urn}"
        )
    };
    let by_page = app.db.execute_raw_text(&row(OTHER_SCHOOL)).await.unwrap();
    let by_api = app.db.execute_raw_text(&row(OWN_SCHOOL)).await.unwrap();
    assert!(
        by_page.starts_with(
            "designate|Inadequate with weak leadership|2026-11-23|awaiting_lead_officer|"
        ),
        "{by_page}"
    );
    assert_eq!(by_page, by_api);
}

#[tokio::test]
async fn a_date_the_form_cannot_read_is_refused_on_the_date_field() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let page = app
        .post_form(
            &format!("/concern/designate/{OTHER_SCHOOL}"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("triggers", "Inadequate"),
                ("rationale", "Weak leadership"),
                ("decided_on-day", "31"),
                ("decided_on-month", "2"),
                ("decided_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        summary(&page.body),
        vec!["The date of the decision must be a real date".to_string()]
    );
    assert!(
        page.body.contains("href=\"#decided_on\""),
        "linked to the date input"
    );
    assert_eq!(count(&app, "concern_decisions").await, 0);
}

//! One use case behind the page and the API for every meeting, plan and
//! SPB action that has both: the same input gets the same outcome and the
//! same field messages from each (model: `decision_parity.rs`).

mod common;

use common::parity::{api_messages, summary};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::meetings_fixture::{in_estate, open_case};
use common::{Reply, TestApp, OTHER_SCHOOL, OWN_SCHOOL};
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

async fn json(
    app: &TestApp,
    method: Method,
    path: &str,
    role: Role,
    body: serde_json::Value,
) -> Reply {
    app.send(
        Request::builder()
            .method(method)
            .uri(path)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", app.user(role).token),
            )
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// The page refused with a 400 and the API with a 422, with the same messages.
fn same_refusal(page: &Reply, api: &Reply) {
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    let from_page = summary(&page.body);
    assert!(!from_page.is_empty(), "{}", page.body);
    assert_eq!(from_page, api_messages(api));
}

async fn meeting(app: &TestApp) -> i64 {
    let r = json(
        app,
        Method::POST,
        "/api/v1/meetings",
        Role::Lead,
        serde_json::json!({"kind": "schools_review_group", "date": "2026-12-08"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn creating_a_meeting_refuses_and_creates_alike() {
    let app = TestApp::new().await;
    in_estate(&app, OWN_SCHOOL).await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let long = "x".repeat(201);
    let page = app
        .post_form(
            "/meetings",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "tea_party"),
                ("date-day", ""),
                ("title", &long),
                ("urn", "abc"),
            ],
        )
        .await;
    let api = json(
        &app,
        Method::POST,
        "/api/v1/meetings",
        Role::Lead,
        serde_json::json!({"kind": "tea_party", "date": "", "title": long}),
    )
    .await;
    // The API takes the URN as a number, so only its first three refusals are shared.
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let from_page = summary(&page.body);
    assert_eq!(from_page.len(), 4, "{from_page:?}");
    assert_eq!(from_page[..3], api_messages(&api)[..]);
    assert_eq!(count(&app, "meetings").await, 0);
    // Both create the same meeting.
    let page = app
        .post_form(
            "/meetings",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "schools_review_group"),
                ("date-day", "8"),
                ("date-month", "12"),
                ("date-year", "2026"),
                ("location", "Room 1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let api = json(
        &app,
        Method::POST,
        "/api/v1/meetings",
        Role::Lead,
        serde_json::json!({"kind": "schools_review_group", "date": "2026-12-08", "location": "Room 1"}),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let rows = app
        .db
        .execute_raw_text(
            "SELECT kind || '|' || meeting_date || '|' || COALESCE(location, '') FROM meetings ORDER BY id",
        )
        .await
        .unwrap();
    let rows: Vec<&str> = rows.lines().collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0], rows[1]);
}

#[tokio::test]
async fn attendees_minutes_and_status_refuse_alike() {
    let app = TestApp::new().await;
    in_estate(&app, OWN_SCHOOL).await;
    let id = meeting(&app).await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let c = Some(cookie.as_str());
    let long = "x".repeat(201);
    let page = app
        .post_form(
            &format!("/meetings/{id}/attendees"),
            c,
            &[
                ("csrf_token", &csrf),
                ("attendee_name", " "),
                ("attendee_role", &long),
            ],
        )
        .await;
    let api = json(
        &app,
        Method::PUT,
        &format!("/api/v1/meetings/{id}/attendees"),
        Role::Lead,
        serde_json::json!({"attendees": [{"name": " ", "role": long}]}),
    )
    .await;
    same_refusal(&page, &api);
    assert_eq!(count(&app, "meeting_attendees").await, 0);

    let page = app
        .post_form(
            &format!("/meetings/{id}/minutes"),
            c,
            &[
                ("csrf_token", &csrf),
                ("item", &OTHER_SCHOOL.to_string()),
                ("minute", " "),
            ],
        )
        .await;
    let api = json(
        &app,
        Method::POST,
        &format!("/api/v1/meetings/{id}/minutes"),
        Role::Lead,
        serde_json::json!({"urn": OTHER_SCHOOL, "minute": " "}),
    )
    .await;
    same_refusal(&page, &api);
    assert_eq!(count(&app, "meeting_minutes").await, 0);

    for status in ["postponed", "held"] {
        let page = app
            .post_form(
                &format!("/meetings/{id}/status"),
                c,
                &[("csrf_token", &csrf), ("status", status)],
            )
            .await;
        let api = json(
            &app,
            Method::POST,
            &format!("/api/v1/meetings/{id}/status"),
            Role::Lead,
            serde_json::json!({"status": status}),
        )
        .await;
        // Held before its date is refused too (the clock's today is before 8 December 2026).
        if api.status == StatusCode::OK {
            continue;
        }
        same_refusal(&page, &api);
    }
}

#[tokio::test]
async fn a_monitoring_and_challenge_record_and_an_spb_refuse_alike() {
    let app = TestApp::new().await;
    let case_id = open_case(&app, OTHER_SCHOOL).await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let c = Some(cookie.as_str());
    let page = app
        .post_form(
            &format!("/concern/cases/{case_id}/monitoring-and-challenge"),
            c,
            &[
                ("csrf_token", &csrf),
                ("mc_date", ""),
                ("mc_progress", "purple"),
                ("mc_progress_evaluation", ""),
                ("mc_support", "green"),
                ("mc_support_evaluation", "Timely"),
                ("mc_meeting", "999999"),
            ],
        )
        .await;
    let api = json(
        &app,
        Method::POST,
        &format!("/api/v1/concern/cases/{case_id}/monitoring-and-challenge"),
        Role::Lead,
        serde_json::json!({"date": "", "progress": "purple", "progress_evaluation": "", "support": "green",
            "support_evaluation": "Timely", "meeting_id": 999999}),
    )
    .await;
    same_refusal(&page, &api);
    assert_eq!(count(&app, "monitoring_challenge_records").await, 0);

    let page = app
        .post_form(
            &format!("/concern/cases/{case_id}/spb"),
            c,
            &[
                ("csrf_token", &csrf),
                ("route", "requested"),
                ("requested_by", ""),
                ("requested_on", ""),
            ],
        )
        .await;
    let api = json(
        &app,
        Method::POST,
        &format!("/api/v1/concern/cases/{case_id}/spb"),
        Role::Lead,
        serde_json::json!({"route": "requested", "requested_by": "", "requested_on": ""}),
    )
    .await;
    same_refusal(&page, &api);
    assert_eq!(count(&app, "spb_protocols").await, 0);

    let started = json(
        &app,
        Method::POST,
        &format!("/api/v1/concern/cases/{case_id}/spb"),
        Role::Lead,
        serde_json::json!({"route": "requested", "requested_by": "The Priority Partner", "requested_on": "2026-11-02"}),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let spb = started.json()["id"].as_i64().unwrap();
    let page = app
        .post_form(
            &format!("/spb/{spb}/steps"),
            c,
            &[
                ("csrf_token", &csrf),
                ("step", "approval"),
                ("on", "2026-11-03"),
                ("agreed", "yes"),
            ],
        )
        .await;
    let api = json(
        &app,
        Method::POST,
        &format!("/api/v1/spb/{spb}/steps"),
        Role::Lead,
        serde_json::json!({"step": "approval", "on": "2026-11-03", "agreed": true}),
    )
    .await;
    same_refusal(&page, &api);
    assert_eq!(count(&app, "spb_steps").await, 0);
}

#[tokio::test]
async fn a_meeting_date_the_form_cannot_read_is_refused_on_the_date() {
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let page = app
        .post_form(
            "/meetings",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "schools_review_group"),
                ("date-day", "31"),
                ("date-month", "2"),
                ("date-year", "2027"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(
        summary(&page.body),
        vec!["The date of the meeting must be a real date".to_string()]
    );
    assert!(
        page.body.contains("href=\"#date\""),
        "linked to the date input"
    );
    // The API keeps ISO dates: one it cannot read is refused on the date too.
    let api = json(
        &app,
        Method::POST,
        "/api/v1/meetings",
        Role::Lead,
        serde_json::json!({"kind": "schools_review_group", "date": "2027-02-31"}),
    )
    .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert_eq!(api.json()["errors"][0]["field"], "date");
    assert_eq!(count(&app, "meetings").await, 0);
}

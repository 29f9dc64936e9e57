//! One use case behind each visit form and its API operation
//! (`uplift_app::visits`): the same input gets the same outcome and the same
//! field messages from the page and from the JSON API.

mod common;

use common::parity::{api_messages, summary};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::visits_fixture::{term_day, visit_to};
use common::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use uplift_domain::access::Role;
use uplift_domain::calendar::AcademicYear;
use uplift_domain::visits::Stage;

async fn post_json(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> common::Reply {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

fn today() -> jiff::civil::Date {
    uplift_web::pages::categories::today()
}

fn parts(d: jiff::civil::Date) -> [(String, String); 3] {
    [
        ("date-day".into(), d.day().to_string()),
        ("date-month".into(), d.month().to_string()),
        ("date-year".into(), d.year().to_string()),
    ]
}

async fn visits_count(app: &TestApp) -> String {
    app.db
        .execute_raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM visits")
        .await
        .unwrap()
}

async fn stage(app: &TestApp, id: i64) -> Stage {
    app.db
        .visit(app.org_id, id)
        .await
        .unwrap()
        .unwrap()
        .visit
        .stage()
}

#[tokio::test]
async fn planning_refuses_the_same_input_with_the_same_messages_on_the_page_and_the_api() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let token = app.user(Role::Adviser).token.clone();
    let year = AcademicYear::containing(today()).to_string();
    let past = term_day(&app, 7).await;
    let before = visits_count(&app).await;
    // (visit type, focus, date): an unknown type and no focus; a past date.
    for (visit_type, focus, date) in [
        ("tea_party", "", past.max(today())),
        ("school_effectiveness", "Reading", past),
    ] {
        let mut form: Vec<(String, String)> = vec![
            ("csrf_token".into(), csrf.clone()),
            ("urn".into(), OWN_SCHOOL.to_string()),
            ("adviser_id".into(), fx.adviser_id.to_string()),
            ("visit_type".into(), visit_type.into()),
            ("academic_year".into(), year.clone()),
            ("focus".into(), focus.into()),
        ];
        form.extend(parts(date));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let page = app.post_form("/visits", Some(&cookie), &pairs).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
        let api = post_json(
            &app,
            &token,
            "/api/v1/visits",
            serde_json::json!({"urn": OWN_SCHOOL, "adviser_id": fx.adviser_id, "visit_type": visit_type,
                "academic_year": year, "date": date.to_string(), "focus": focus}),
        )
        .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
        let from_page = summary(&page.body);
        assert!(!from_page.is_empty(), "{}", page.body);
        assert_eq!(from_page, api_messages(&api), "{visit_type} {date}");
    }
    assert_eq!(visits_count(&app).await, before);
}

#[tokio::test]
async fn the_page_and_the_api_plan_the_same_visit() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let token = app.user(Role::Adviser).token.clone();
    let year = AcademicYear::containing(today());
    let terms = uplift_store::visits::term_dates(year).unwrap();
    let cal = app.db.bank_holidays().await.unwrap();
    let mut d = today().tomorrow().unwrap();
    while uplift_domain::calendar::is_weekend(d)
        || uplift_domain::calendar::WorkingDayCalendar::is_holiday(&cal, d)
        || !terms.is_term_time(d)
    {
        d = d.tomorrow().unwrap();
    }
    let mut form: Vec<(String, String)> = vec![
        ("csrf_token".into(), csrf.clone()),
        ("urn".into(), OWN_SCHOOL.to_string()),
        ("adviser_id".into(), fx.adviser_id.to_string()),
        ("visit_type".into(), "keeping_in_touch".into()),
        ("academic_year".into(), year.to_string()),
        ("focus".into(), "Attendance".into()),
        ("attendees".into(), "Headteacher".into()),
    ];
    form.extend(parts(d));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = app.post_form("/visits", Some(&cookie), &pairs).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let api = post_json(
        &app,
        &token,
        "/api/v1/visits",
        serde_json::json!({"urn": OTHER_SCHOOL, "adviser_id": fx.adviser_id, "visit_type": "keeping_in_touch",
            "academic_year": year.to_string(), "date": d.to_string(), "focus": "Attendance",
            "attendees": ["Headteacher"]}),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let row = |urn: i64| {
        format!(
            "SELECT visit_type || '|' || planned_date || '|' || focus || '|' || attendees || '|' || stage
             FROM visits WHERE urn = {urn} AND focus = 'Attendance'"
        )
    };
    let by_page = app.db.execute_raw_text(&row(OWN_SCHOOL)).await.unwrap();
    let by_api = app.db.execute_raw_text(&row(OTHER_SCHOOL)).await.unwrap();
    assert!(
        by_page.starts_with(&format!("keeping_in_touch|{d}|Attendance|")),
        "{by_page}"
    );
    assert_eq!(by_page, by_api);
}

#[tokio::test]
async fn each_step_refuses_the_same_input_with_the_same_messages_on_the_page_and_the_api() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let token = app.user(Role::Adviser).token.clone();
    let day = term_day(&app, 7).await.min(today());
    let id = visit_to(
        &app,
        fx.adviser_id,
        OWN_SCHOOL,
        day,
        Stage::SelfEvaluationCompleted,
    )
    .await;
    // A blank review.
    let page = app
        .post_form(
            &format!("/visits/{id}/self-evaluation/review"),
            Some(&cookie),
            &[("csrf_token", &csrf), ("review", " ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let api = post_json(
        &app,
        &token,
        &format!("/api/v1/visits/{id}/self-evaluation/review"),
        serde_json::json!({"text": " "}),
    )
    .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert_eq!(api.json()["errors"][0]["field"], "text");
    assert_eq!(summary(&page.body), api_messages(&api));
    assert_eq!(
        api_messages(&api),
        vec!["Enter your review of the school's self-evaluation".to_string()]
    );
    // Held before its review: the same refusal of the step.
    let tomorrow = today().tomorrow().unwrap();
    let mut form: Vec<(String, String)> = vec![("csrf_token".into(), csrf.clone())];
    form.extend(parts(tomorrow));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = app
        .post_form(&format!("/visits/{id}/held"), Some(&cookie), &pairs)
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let api = post_json(
        &app,
        &token,
        &format!("/api/v1/visits/{id}/held"),
        serde_json::json!({"date": tomorrow.to_string()}),
    )
    .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert!(!api_messages(&api).is_empty());
    assert_eq!(summary(&page.body), api_messages(&api));
    assert_eq!(stage(&app, id).await, Stage::SelfEvaluationCompleted);
    // The same review through each: the same stage after.
    let other = visit_to(
        &app,
        fx.adviser_id,
        OTHER_SCHOOL,
        day,
        Stage::SelfEvaluationCompleted,
    )
    .await;
    let page = app
        .post_form(
            &format!("/visits/{id}/self-evaluation/review"),
            Some(&cookie),
            &[("csrf_token", &csrf), ("review", "Ambitious; test it")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let api = post_json(
        &app,
        &token,
        &format!("/api/v1/visits/{other}/self-evaluation/review"),
        serde_json::json!({"text": "Ambitious; test it"}),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_eq!(stage(&app, id).await, Stage::SelfEvaluationReviewed);
    assert_eq!(stage(&app, other).await, Stage::SelfEvaluationReviewed);
}

#[tokio::test]
async fn the_note_and_the_response_refuse_the_same_input_with_the_same_messages() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let token = app.user(Role::Adviser).token.clone();
    let day = term_day(&app, 7).await.min(today());
    let id = visit_to(&app, fx.adviser_id, OWN_SCHOOL, day, Stage::Held).await;
    // A judgement off the scale.
    let page = app
        .post_form(
            &format!("/visits/{id}/note"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("focus_areas[0].title", "Reading"),
                ("focus_areas[0].commentary", "Phonics is consistent."),
                ("focus_areas[0].adviser_judgement", "Outstanding"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let api = post_json(
        &app,
        &token,
        &format!("/api/v1/visits/{id}/note"),
        serde_json::json!({"focus_areas": [{"title": "Reading", "commentary": "Phonics is consistent.",
            "adviser_judgement": "Outstanding", "school_grade": "", "disagreement_note": ""}],
            "strengths": [], "areas_for_development": [], "agreed_actions": [],
            "next_visit_date": "", "next_visit_focus": ""}),
    )
    .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert_eq!(
        api.json()["errors"][0]["field"],
        "focus_areas[0].adviser_judgement"
    );
    assert!(!api_messages(&api).is_empty());
    assert_eq!(summary(&page.body), api_messages(&api));
    assert_eq!(stage(&app, id).await, Stage::Held);
    // The headteacher's comments left blank.
    let sent = visit_to(
        &app,
        fx.adviser_id,
        OWN_SCHOOL,
        day,
        Stage::SentToHeadteacher,
    )
    .await;
    let (scookie, scsrf) = app.session(Role::School).await;
    let stoken = app.user(Role::School).token.clone();
    let page = app
        .post_form(
            &format!("/visits/{sent}/note/respond"),
            Some(&scookie),
            &[
                ("csrf_token", &scsrf),
                ("response", "comments"),
                ("comments", " "),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let api = post_json(
        &app,
        &stoken,
        &format!("/api/v1/visits/{sent}/note/respond"),
        serde_json::json!({"accurate": false, "comments": " "}),
    )
    .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert!(!api_messages(&api).is_empty());
    assert_eq!(summary(&page.body), api_messages(&api));
    assert_eq!(stage(&app, sent).await, Stage::SentToHeadteacher);
}

//! Advisers, visits and notes of visit through the pages and the API: a visit
//! from plan to a final note with an addendum, bad input refused with the
//! GOV.UK error summary and nothing saved, the note as a page and a PDF with
//! the same text, caseloads and entitlements, and a school user never reaching
//! another school's visit or note.

mod common;

use axum::http::{Method, StatusCode};
use common::visits_fixture::term_day;
use common::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use uplift_domain::access::Role;
use uplift_domain::visits::Stage;
use uplift_store::visits::VisitFilter;

async fn stage(app: &TestApp, id: i64) -> Stage {
    app.db
        .visit(app.org_id, id)
        .await
        .unwrap()
        .unwrap()
        .visit
        .stage()
}

async fn count(app: &TestApp) -> usize {
    app.db
        .visits(&VisitFilter {
            organisation_id: app.org_id,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

fn parts(d: jiff::civil::Date) -> (String, String, String) {
    (
        d.day().to_string(),
        d.month().to_string(),
        d.year().to_string(),
    )
}

fn today() -> jiff::civil::Date {
    uplift_web::pages::categories::today()
}

#[tokio::test]
async fn school_users_never_reach_another_schools_visit_or_note() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let (cookie, csrf) = app.session(Role::School).await;
    // Their own school's final note: page, PDF and API.
    let own = app
        .get(&format!("/visits/{}", fx.own_final), Some(&cookie))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    let note = app
        .get(&format!("/visits/{}/note", fx.own_final), Some(&cookie))
        .await;
    assert_eq!(note.status, StatusCode::OK);
    assert!(note.body.contains("Phonics is taught consistently."));
    // Another school's visit: not found, by page, PDF and API.
    for path in [
        format!("/visits/{}", fx.other_sent),
        format!("/visits/{}/note", fx.other_sent),
        format!("/visits/{}/note.pdf", fx.other_sent),
    ] {
        let r = app.get(&path, Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let school = app.user(Role::School);
    for path in [
        format!("/api/v1/visits/{}", fx.other_sent),
        format!("/api/v1/visits/{}/note", fx.other_sent),
        format!("/api/v1/schools/{OTHER_SCHOOL}/entitlement"),
        format!("/api/v1/visits?urn={OTHER_SCHOOL}"),
    ] {
        let r = app.api(Method::GET, &path, Some(&school.token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(r.json()["error"].is_string());
    }
    // A headteacher responding to another school's note: 404 and nothing saved.
    let r = app
        .post_form(
            &format!("/visits/{}/note/respond", fx.other_sent),
            Some(&cookie),
            &[("csrf_token", &csrf), ("response", "accurate")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .send(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/visits/{}/note/respond", fx.other_sent))
                .header("authorization", format!("Bearer {}", school.token))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(r#"{"accurate": true}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(stage(&app, fx.other_sent).await, Stage::SentToHeadteacher);
    // Their list holds only their own school's visits.
    let list = app
        .api(Method::GET, "/api/v1/visits", Some(&school.token))
        .await;
    let visits = list.json()["visits"].as_array().unwrap().clone();
    assert!(!visits.is_empty());
    assert!(visits.iter().all(|v| v["urn"] == OWN_SCHOOL));
    let page = app.get("/visits", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Argyle Primary School"));
    // QA reviewers (panel) see the visit but not the note here.
    let panel = app.user(Role::Panel);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/visits/{}", fx.own_final),
            Some(&panel.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["note"].is_null());
}

#[tokio::test]
async fn a_draft_note_is_not_shared_with_the_school() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let d = term_day(&app, 28).await;
    let id =
        common::visits_fixture::visit_to(&app, fx.adviser_id, OWN_SCHOOL, d, Stage::NoteDrafted)
            .await;
    let (cookie, _) = app.session(Role::School).await;
    assert_eq!(
        app.get(&format!("/visits/{id}"), Some(&cookie))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/visits/{id}/note"), Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let school = app.user(Role::School);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/visits/{id}"),
            Some(&school.token),
        )
        .await;
    assert!(r.json()["note"].is_null());
    // Another adviser may not change it; the visit's adviser may.
    let mut tx = app.db.begin().await.unwrap();
    let other = uplift_store::visits::create_adviser(
        &mut tx,
        &uplift_store::audit::Actor::cli(),
        app.org_id,
        &uplift_store::visits::AdviserInput {
            user_id: None,
            name: "Someone else",
            email: "else@camden.example",
            expertise: &[],
            capacity_days: 10.0,
            active: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.db
        .execute_raw(&format!(
            "UPDATE visits SET adviser_id = {} WHERE id = {id}",
            other.id
        ))
        .await
        .unwrap();
    let (acookie, acsrf) = app.session(Role::Adviser).await;
    let r = app
        .get(&format!("/visits/{id}/note/edit"), Some(&acookie))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_form(
            &format!("/visits/{id}/note/send"),
            Some(&acookie),
            &[("csrf_token", &acsrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(stage(&app, id).await, Stage::NoteDrafted);
}

#[tokio::test]
async fn planning_refuses_bad_dates_with_the_error_summary_and_saves_nothing() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let before = count(&app).await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let adviser = fx.adviser_id.to_string();
    let year = uplift_domain::calendar::AcademicYear::containing(today());
    let past = term_day(&app, 7).await;
    let next_year = year
        .last_day()
        .checked_add(jiff::Span::new().days(20))
        .unwrap();
    for (d, message) in [
        (past, "in the past"),
        (next_year, "outside the academic year"),
    ] {
        let (dd, mm, yy) = parts(d);
        let r = app
            .post_form(
                "/visits",
                Some(&cookie),
                &[
                    ("csrf_token", &csrf),
                    ("urn", &OWN_SCHOOL.to_string()),
                    ("adviser_id", &adviser),
                    ("visit_type", "school_effectiveness"),
                    ("academic_year", &year.to_string()),
                    ("date-day", &dd),
                    ("date-month", &mm),
                    ("date-year", &yy),
                    ("focus", "Reading"),
                    ("attendees", "Headteacher"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{d}");
        assert!(r.body.contains("govuk-error-summary"), "{d}");
        assert!(r.body.contains("href=\"#date\""), "{d}");
        assert!(r.body.contains(message), "{d}: {message}");
        // The form keeps what was typed.
        assert!(r.body.contains("value=\"Reading\"") || r.body.contains(">Reading</textarea>"));
    }
    // Missing fields are named.
    let r = app
        .post_form("/visits", Some(&cookie), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for f in ["#urn", "#visit-type", "#date", "#focus"] {
        assert!(r.body.contains(&format!("href=\"{f}\"")), "{f}");
    }
    // The API names the field too.
    let adv = app.user(Role::Adviser);
    let r = app
        .send(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/visits")
                .header("authorization", format!("Bearer {}", adv.token))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    serde_json::json!({
                        "urn": OWN_SCHOOL, "adviser_id": fx.adviser_id, "visit_type": "school_effectiveness",
                        "academic_year": year.to_string(), "date": past.to_string(), "focus": "Reading"
                    })
                    .to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "date");
    assert_eq!(count(&app).await, before);
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_visit_from_plan_to_a_final_note_through_the_pages() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let (acookie, acsrf) = app.session(Role::Adviser).await;
    let (scookie, scsrf) = app.session(Role::School).await;
    let year = uplift_domain::calendar::AcademicYear::containing(today());
    // Plan: the next term-time working day after today.
    let terms = uplift_store::visits::term_dates(year).unwrap();
    let cal = app.db.bank_holidays().await.unwrap();
    let mut d = today().tomorrow().unwrap();
    while uplift_domain::calendar::is_weekend(d)
        || uplift_domain::calendar::WorkingDayCalendar::is_holiday(&cal, d)
        || !terms.is_term_time(d)
    {
        d = d.tomorrow().unwrap();
    }
    let (dd, mm, yy) = parts(d);
    let form = app
        .get(&format!("/visits/new?urn={OWN_SCHOOL}"), Some(&acookie))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let r = app
        .post_form(
            "/visits",
            Some(&acookie),
            &[
                ("csrf_token", &acsrf),
                ("urn", &OWN_SCHOOL.to_string()),
                ("adviser_id", &fx.adviser_id.to_string()),
                ("visit_type", "school_effectiveness"),
                ("academic_year", &year.to_string()),
                ("date-day", &dd),
                ("date-month", &mm),
                ("date-year", &yy),
                ("start", "09:30"),
                ("end", "12:00"),
                ("focus", "Reading in key stage 1"),
                ("attendees", "Headteacher\nEnglish lead"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let href = r.location().split('?').next().unwrap().to_string();
    let id: i64 = href.trim_start_matches("/visits/").parse().unwrap();
    let post =
        |path: &'static str, cookie: String, csrf: String, extra: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let mut form: Vec<(&str, String)> = vec![("csrf_token", csrf)];
                form.extend(extra);
                let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.post_form(&format!("/visits/{id}{path}"), Some(&cookie), &pairs)
                    .await
            }
        };
    let ok = |r: &common::Reply| assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    ok(&post(
        "/self-evaluation/request",
        acookie.clone(),
        acsrf.clone(),
        vec![],
    )
    .await);
    // The school completes its self-evaluation online; empty is refused.
    let r = post(
        "/self-evaluation",
        scookie.clone(),
        scsrf.clone(),
        vec![("self_evaluation", " ".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#self-evaluation\""));
    ok(&post(
        "/self-evaluation",
        scookie.clone(),
        scsrf.clone(),
        vec![("self_evaluation", "Reading: Highly Effective".into())],
    )
    .await);
    ok(&post(
        "/self-evaluation/review",
        acookie.clone(),
        acsrf.clone(),
        vec![("review", "Ambitious; test it".into())],
    )
    .await);
    // Held: a future date is refused.
    let (fd, fm, fy) = parts(d);
    let r = post(
        "/held",
        acookie.clone(),
        acsrf.clone(),
        vec![("date-day", fd), ("date-month", fm), ("date-year", fy)],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let held = term_day(&app, 35).await.min(today());
    let (hd, hm, hy) = parts(held);
    ok(&post(
        "/held",
        acookie.clone(),
        acsrf.clone(),
        vec![("date-day", hd), ("date-month", hm), ("date-year", hy)],
    )
    .await);
    // The note form: blank rows, and "add another" shows one more row without saving.
    let f = app
        .get(&format!("/visits/{id}/note/edit"), Some(&acookie))
        .await;
    assert_eq!(f.status, StatusCode::OK);
    assert!(f.body.contains("focus_areas[1].title"));
    assert!(!f.body.contains("focus_areas[2].title"));
    let r = post(
        "/note",
        acookie.clone(),
        acsrf.clone(),
        vec![
            ("focus_areas[0].title", "Reading".into()),
            ("add", "focus".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("focus_areas[2].title"));
    assert!(r.body.contains("value=\"Reading\""));
    assert!(app
        .db
        .visit(app.org_id, id)
        .await
        .unwrap()
        .unwrap()
        .note
        .is_none());
    // A judgement outside the scale: the field is named, nothing saved.
    let note = |judgement: &str| -> Vec<(&'static str, String)> {
        vec![
            ("focus_areas[0].title", "Reading".into()),
            (
                "focus_areas[0].commentary",
                "Phonics is consistent; fluency is not yet.".into(),
            ),
            ("focus_areas[0].school_grade", "Highly Effective".into()),
            ("focus_areas[0].adviser_judgement", judgement.into()),
            (
                "focus_areas[0].disagreement_note",
                "Discussed with the headteacher.".into(),
            ),
            ("focus_areas[1].title", "".into()),
            ("strengths[0]", "Calm classrooms".into()),
            ("areas_for_development[0]", "Fluency in Year 2".into()),
            ("agreed_actions[0].action", "Fluency training".into()),
            ("agreed_actions[0].owner", "English lead".into()),
            ("agreed-actions-0-due-day", "30".into()),
            ("agreed-actions-0-due-month", "6".into()),
            ("agreed-actions-0-due-year", "2027".into()),
            ("next_visit_focus", "".into()),
        ]
    };
    let r = post("/note", acookie.clone(), acsrf.clone(), note("Outstanding")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#focus-areas-0-adviser-judgement\""));
    assert!(r.body.contains("Emerging, Secure or Highly Effective"));
    assert!(app
        .db
        .visit(app.org_id, id)
        .await
        .unwrap()
        .unwrap()
        .note
        .is_none());
    ok(&post("/note", acookie.clone(), acsrf.clone(), note("Secure")).await);
    // The school cannot read the draft yet.
    assert_eq!(
        app.get(&format!("/visits/{id}/note"), Some(&scookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    ok(&post("/note/send", acookie.clone(), acsrf.clone(), vec![]).await);
    let v = app.get(&format!("/visits/{id}"), Some(&scookie)).await;
    assert!(v.body.contains("Is the note of visit accurate?"));
    // Comments without text are refused; accurate is recorded.
    let r = post(
        "/note/respond",
        scookie.clone(),
        scsrf.clone(),
        vec![("response", "comments".into()), ("comments", "".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    ok(&post(
        "/note/respond",
        scookie.clone(),
        scsrf.clone(),
        vec![("response", "accurate".into())],
    )
    .await);
    ok(&post("/note/school-share", scookie.clone(), scsrf.clone(), vec![]).await);
    ok(&post("/note/finalise", acookie.clone(), acsrf.clone(), vec![]).await);
    assert_eq!(stage(&app, id).await, Stage::Final);
    // Locked: the draft cannot change; an addendum can be added.
    let r = post("/note", acookie.clone(), acsrf.clone(), note("Emerging")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("final and locked"));
    ok(&post(
        "/note/addenda",
        acookie.clone(),
        acsrf.clone(),
        vec![("addendum", "The training date moved to 3 February.".into())],
    )
    .await);
    // The note as a page and as a PDF: the same text.
    let page = app.get(&format!("/visits/{id}/note"), Some(&scookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    for s in [
        "Note of visit",
        "Highly Effective",
        "Secure",
        "Fluency training",
        "The training date moved to 3 February.",
    ] {
        assert!(page.body.contains(s), "{s}");
    }
    let pdf = app
        .get(&format!("/visits/{id}/note.pdf"), Some(&scookie))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let bytes = app
        .send(
            axum::http::Request::builder()
                .uri(format!("/visits/{id}/note.pdf"))
                .header("cookie", &scookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let _ = bytes;
    let school = app.user(Role::School);
    let api = app
        .api(
            Method::GET,
            &format!("/api/v1/visits/{id}/note"),
            Some(&school.token),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK);
    let text = api.json()["text"].as_str().unwrap().to_string();
    // Every line of the page's note appears in the document text, and the PDF reads back as it.
    let pdf_bytes = raw_get(&app, &format!("/visits/{id}/note.pdf"), &scookie).await;
    let extracted = uplift_docs::inspect::pdf_text(&pdf_bytes).unwrap();
    let body: Vec<&str> = extracted
        .lines()
        .filter(|l| !(l.trim().starts_with("Page ") && l.contains(" of ")))
        .collect();
    assert_eq!(normalise(&body.join(" ")), normalise(&text));
    assert!(normalise(&text).contains("The training date moved to 3 February."));
    // Every step is in the audit log.
    let audit = app
        .db
        .audit_entries(&uplift_store::audit::AuditFilter {
            organisation_id: Some(app.org_id),
            entity_id: Some(id.to_string()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(audit.len() >= 12, "{}", audit.len());
}

async fn raw_get(app: &TestApp, path: &str, cookie: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let res = uplift_web::router(app.state.clone())
        .oneshot(
            axum::http::Request::builder()
                .uri(path)
                .header("cookie", cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    res.into_body().collect().await.unwrap().to_bytes().to_vec()
}

#[tokio::test]
async fn caseload_entitlement_and_reassignment() {
    let app = TestApp::new().await;
    let fx = app.visits().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    // A Lead Officer recorded on an open causing-concern case shows on the caseload.
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "INSERT INTO concern_cases (organisation_id, urn, state, governance, opened_on, lead_officer_name, created_at, updated_at)
             VALUES ({}, {OWN_SCHOOL}, 'open', 'maintained', '2026-10-01', 'Lena Lead-Officer', '{t}', '{t}')",
            app.org_id
        ))
        .await
        .unwrap();
    let page = app.get("/advisers", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Test adviser"));
    assert!(page.body.contains("Lena Lead-Officer"));
    assert!(page.body.contains("Days committed"));
    // Add an adviser: bad input named, nothing saved.
    let r = app
        .post_form(
            "/advisers",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("name", ""),
                ("email", "x"),
                ("capacity_days", "lots"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for f in ["#name", "#email", "#capacity-days"] {
        assert!(r.body.contains(&format!("href=\"{f}\"")), "{f}");
    }
    assert_eq!(app.db.advisers(app.org_id).await.unwrap().len(), 1);
    let r = app
        .post_form(
            "/advisers",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("name", "Nadia Secondary"),
                ("email", "nadia@camden.example"),
                ("capacity_days", "30"),
                ("expertise", "secondary"),
                ("expertise", "send"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let nadia = app
        .db
        .advisers(app.org_id)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Nadia Secondary")
        .unwrap();
    assert_eq!(nadia.expertise, "secondary,send");
    // Reassign without a reason: refused; with one: history kept.
    let r = app
        .post_form(
            "/advisers/assign",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("urn", &OTHER_SCHOOL.to_string()),
                ("adviser_id", &nadia.id.to_string()),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#reason\""));
    let r = app
        .post_form(
            "/advisers/assign",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("urn", &OTHER_SCHOOL.to_string()),
                ("adviser_id", &nadia.id.to_string()),
                ("reason", "Balancing caseloads"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let history = app
        .db
        .assignment_history(app.org_id, OTHER_SCHOOL)
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].adviser_id, fx.adviser_id);
    // The school profile shows the adviser, the entitlement and the visits.
    let profile = app
        .get(&format!("/schools/{OTHER_SCHOOL}"), Some(&cookie))
        .await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("Adviser and visits"));
    assert!(profile.body.contains("Nadia Secondary"));
    assert!(profile.body.contains("Named advisers over time"));
    // The visits page groups delivered against due.
    for g in ["school", "adviser", "category", "term"] {
        let r = app.get(&format!("/visits?group={g}"), Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{g}");
        assert!(r.body.contains("Delivered against due"));
    }
    // The response window: bad input named; a good one used for the next note sent.
    let r = app
        .post_form(
            "/advisers/response-days",
            Some(&cookie),
            &[("csrf_token", &csrf), ("response_days", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("href=\"#response-days\""));
    let r = app
        .post_form(
            "/advisers/response-days",
            Some(&cookie),
            &[("csrf_token", &csrf), ("response_days", "15")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.response_working_days(app.org_id).await.unwrap(), 15);
    // Each organisation keeps its own window: another council is untouched.
    assert_eq!(
        app.db
            .response_working_days(app.other_org_id)
            .await
            .unwrap(),
        10
    );
    // The API: advisers, caseload, entitlement.
    let lead = app.user(Role::Lead);
    let r = app
        .api(Method::GET, "/api/v1/caseload", Some(&lead.token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["loads"].is_array());
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/schools/{OWN_SCHOOL}/entitlement"),
            Some(&lead.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["entitlement"]["visits"].is_array());
    let r = app
        .api(Method::GET, "/api/v1/advisers", Some(&lead.token))
        .await;
    assert_eq!(r.json()["advisers"].as_array().unwrap().len(), 2);
}

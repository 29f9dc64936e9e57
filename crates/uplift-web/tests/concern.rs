//! Schools causing concern on the web: designation from categorisation's
//! proposals, the case page and its timeline, refusals (removal the rules
//! forbid, a decision without rationale, a warning notice without grounds or
//! with a zero compliance period, a template with an unknown placeholder)
//! with nothing saved, letters as PDF and Word, academies without the
//! authority's powers, the API, and a school user kept to their own letters.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::concern_fixture::{concern_fixture, designate, in_estate};
use common::{TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use uplift_domain::access::Role;
use uplift_store::audit::AuditFilter;

async fn count(app: &TestApp, table: &str) -> i64 {
    app.db
        .execute_raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn audit(app: &TestApp, entity: &str) -> usize {
    app.db
        .audit_entries(&AuditFilter {
            organisation_id: Some(app.org_id),
            entity: Some(entity.into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

/// An invented graded inspection.
async fn inspection(app: &TestApp, urn: i64, key: &str, date: &str, grade: i64) {
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "INSERT INTO inspections_graded (urn, inspection_key, inspection_type, start_date, publication_date,
                 overall_effectiveness, quality_of_education, behaviour_and_attitudes, personal_development,
                 leadership_and_management, safeguarding_effective, source_file, imported_at)
             VALUES ({urn}, '{key}', 'S5', '{date}', '{date}', {grade}, {grade}, {grade}, {grade}, {grade},
                 TRUE, 'invented-test.csv', '{t}')"
        ))
        .await
        .unwrap();
}

async fn post_json(
    app: &TestApp,
    path: &str,
    token: &str,
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

async fn case_id_of(app: &TestApp, urn: i64) -> i64 {
    app.db
        .open_concern_case(app.org_id, urn)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn a_proposed_school_is_designated_with_triggers_and_a_rationale() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    inspection(&app, OTHER_SCHOOL, "I1", "2025-05-01", 4).await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let list = app.get("/concern", Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Proposed by categorisation"));
    assert!(
        list.body
            .contains(&format!("/concern/designate/{OTHER_SCHOOL}")),
        "{}",
        list.body
    );
    let form = app
        .get(&format!("/concern/designate/{OTHER_SCHOOL}"), Some(&cookie))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Triggers that applied"));
    // Without a rationale: refused, nothing saved.
    let r = app
        .post_form(
            &format!("/concern/designate/{OTHER_SCHOOL}"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("triggers", "Inadequate"),
                ("rationale", " "),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r.body.contains("Enter the rationale for the decision"));
    assert_eq!(count(&app, "concern_decisions").await, 0);
    assert_eq!(count(&app, "concern_cases").await, 0);
    // With one: the case opens with its timeline, letter and tasks.
    let r = app
        .post_form(
            &format!("/concern/designate/{OTHER_SCHOOL}"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("triggers", "Inspection judged inadequate"),
                ("rationale", "Inadequate with weak leadership"),
                ("decided_on-day", "23"),
                ("decided_on-month", "11"),
                ("decided_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let case = case_id_of(&app, OTHER_SCHOOL).await;
    assert_eq!(r.location(), format!("/concern/cases/{case}"));
    let page = app.get(r.location(), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "Inadequate with weak leadership",
        "Inspection judged inadequate",
        "Priority decision",
        "Identify a Lead Officer",
        "Timeline",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert_eq!(audit(&app, "concern_decision").await, 1);
    // The Lead Officer, on the timeline and the list.
    let adviser = app.user(Role::Adviser).id.to_string();
    let r = app
        .post_form(
            &format!("/concern/cases/{case}/lead-officer"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("lead_officer", &adviser),
                ("assigned_on-day", "24"),
                ("assigned_on-month", "11"),
                ("assigned_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = app.get("/concern", Some(&cookie)).await;
    assert!(list.body.contains("On the list"));
    let page = app
        .get(&format!("/concern/cases/{case}"), Some(&cookie))
        .await;
    assert!(page.body.contains("Lead Officer: "), "{}", page.body);
    // A decision without a rationale: refused, nothing saved.
    let before = count(&app, "concern_decisions").await;
    let r = app
        .post_form(
            &format!("/concern/cases/{case}/decisions"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "continue"),
                ("rationale", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Enter the rationale for the decision"));
    assert_eq!(count(&app, "concern_decisions").await, before);
}

#[tokio::test]
async fn removing_an_ri_school_before_a_better_inspection_is_refused_with_the_reason() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    inspection(&app, OTHER_SCHOOL, "I1", "2025-05-01", 3).await;
    designate(&app, OTHER_SCHOOL, "RI").await;
    let case = case_id_of(&app, OTHER_SCHOOL).await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let page = app
        .get(&format!("/concern/cases/{case}"), Some(&cookie))
        .await;
    assert!(page.body.contains("Removal from the list is blocked"));
    let before = (
        count(&app, "concern_decisions").await,
        count(&app, "concern_case_events").await,
    );
    let r = app
        .post_form(
            &format!("/concern/cases/{case}/decisions"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "remove"),
                ("rationale", "Progress is good"),
                ("decided_on-day", "25"),
                ("decided_on-month", "11"),
                ("decided_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r.body.contains("Removal is blocked"), "{}", r.body);
    assert!(r.body.contains("requires improvement"));
    assert_eq!(
        (
            count(&app, "concern_decisions").await,
            count(&app, "concern_case_events").await
        ),
        before
    );
}

#[tokio::test]
async fn warning_notices_need_grounds_and_a_compliance_period_and_skip_bank_holidays() {
    let app = TestApp::new().await;
    let f = concern_fixture(&app).await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let path = format!("/concern/cases/{}/warning-notice", f.case_id);
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("wn_concerns", "Low standards"),
                ("wn_required_action", "Improve"),
                ("compliance_days", "5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r
        .body
        .contains("Select the statutory grounds for the warning notice"));
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("grounds", "unacceptably_low_standards"),
                ("wn_concerns", "Low standards"),
                ("wn_required_action", "Improve"),
                ("compliance_days", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r
        .body
        .contains("A compliance period of zero working days is refused"));
    assert_eq!(count(&app, "concern_notices").await, 1);
    // A letter of concern is in place; the notice is given on Friday 18 December 2026.
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("grounds", "unacceptably_low_standards"),
                ("wn_concerns", "Low standards"),
                ("wn_required_action", "Improve"),
                ("compliance_days", "5"),
                ("wn_on-day", "18"),
                ("wn_on-month", "12"),
                ("wn_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&format!("/concern/cases/{}", f.case_id), Some(&cookie))
        .await;
    assert!(
        page.body.contains("Tuesday 29 December 2026"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Warning notice in force"));
    assert_eq!(audit(&app, "concern_notice").await, 2);
}

#[tokio::test]
async fn templates_with_an_unknown_placeholder_are_refused() {
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let page = app
        .get("/settings/letters?kind=removal", Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("{{decision.rationale}}"));
    let r = app
        .post_form(
            "/settings/letters",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "removal"),
                (
                    "body",
                    "Dear {{headteacher.name}},\n{{decision.rationale}}\n{{school.nmae}}",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r.body.contains("school.nmae"), "{}", r.body);
    assert!(r.body.contains("Line 3"), "{}", r.body);
    assert_eq!(count(&app, "letter_templates").await, 0);
    let r = app
        .post_form(
            "/settings/letters",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "removal"),
                ("body", "Ours: {{decision.rationale}}"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&app, "letter_templates").await, 1);
    assert_eq!(audit(&app, "letter_template").await, 1);
}

#[tokio::test]
async fn letters_render_as_pdf_and_word_and_school_users_see_only_their_issued_letters() {
    let app = TestApp::new().await;
    let f = concern_fixture(&app).await;
    let (lead, _) = app.session(Role::Lead).await;
    let pdf = app
        .get(
            &format!("/concern/letters/{}.pdf", f.letter_id),
            Some(&lead),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));
    let docx = app
        .get(
            &format!("/concern/letters/{}.docx", f.letter_id),
            Some(&lead),
        )
        .await;
    assert_eq!(docx.status, StatusCode::OK);
    let (school, _) = app.session(Role::School).await;
    // Their own school's issued letter: yes; the draft and the case page: no.
    let list = app.get("/concern", Some(&school)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Letters to your school"));
    assert!(list
        .body
        .contains(&format!("/concern/letters/{}.pdf", f.letter_id)));
    assert!(!list
        .body
        .contains(&format!("/concern/letters/{}", f.draft_letter_id)));
    let own = app
        .get(&format!("/concern/letters/{}", f.letter_id), Some(&school))
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(own.body.contains("Invented rationale for the fixture"));
    let own_pdf = app
        .get(
            &format!("/concern/letters/{}.pdf", f.letter_id),
            Some(&school),
        )
        .await;
    assert_eq!(own_pdf.status, StatusCode::OK);
    for path in [
        format!("/concern/letters/{}", f.draft_letter_id),
        format!("/concern/letters/{}.pdf", f.draft_letter_id),
    ] {
        assert_eq!(
            app.get(&path, Some(&school)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The case page itself is the officers': the school is sent to its letters.
    let r = app
        .get(&format!("/concern/cases/{}", f.case_id), Some(&school))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/concern");
    // Another school's letters: 404 for this school's user.
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let other = designate(&app, OTHER_SCHOOL, "Other").await;
    let mut tx = app.db.begin().await.unwrap();
    uplift_store::concern::issue_letter(
        &mut tx,
        &common::concern_fixture::lead_actor(&app),
        app.org_id,
        other.letters[0].id,
        jiff::civil::date(2026, 11, 24),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = app
        .get(
            &format!("/concern/letters/{}.pdf", other.letters[0].id),
            Some(&school),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let token = &app.user(Role::School).token;
    let r = app
        .api(Method::GET, "/api/v1/concern/letters", Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let letters = r.json()["letters"].as_array().unwrap().clone();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["urn"], OWN_SCHOOL);
    // Another organisation's admin: 404.
    let Ok((barnet, _)) = app.sign_in("admin@barnet.example", common::PASSWORD).await else {
        panic!("the Barnet admin cannot sign in");
    };
    let r = app
        .get(&format!("/concern/cases/{}", f.case_id), Some(&barnet))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn academies_are_never_offered_the_authoritys_powers() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "academy").await;
    designate(&app, OTHER_SCHOOL, "Academy concern").await;
    let case = case_id_of(&app, OTHER_SCHOOL).await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let page = app
        .get(&format!("/concern/cases/{case}"), Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Give the warning notice",
        "Record the power used",
        "Give written notice",
        "Recommend a formal warning notice",
    ] {
        assert!(!page.body.contains(text), "{text} offered to an academy");
    }
    assert!(page.body.contains("Raise the concerns"));
    let r = app
        .post_form(
            &format!("/concern/cases/{case}/academy-concern"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("raised_with", "trust"),
                ("academy_concerns", "Safeguarding"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A warning notice posted anyway is refused.
    let r = app
        .post_form(
            &format!("/concern/cases/{case}/warning-notice"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("grounds", "safety_threatened"),
                ("wn_concerns", "x"),
                ("wn_required_action", "y"),
                ("compliance_days", "10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("No local-authority powers for an academy"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn the_api_names_the_field_and_saves_nothing() {
    let app = TestApp::new().await;
    let f = concern_fixture(&app).await;
    let token = app.user(Role::Lead).token.clone();
    let r = post_json(
        &app,
        "/api/v1/concern/decisions",
        &token,
        serde_json::json!({"urn": OWN_SCHOOL, "kind": "continue", "rationale": ""}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "rationale");
    let r = post_json(
        &app,
        &format!("/api/v1/concern/cases/{}/warning-notices", f.case_id),
        &token,
        serde_json::json!({"grounds": [], "concerns": ["x"], "required_action": ["y"], "compliance_days": 5}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "grounds");
    let r = post_json(
        &app,
        &format!("/api/v1/concern/cases/{}/warning-notices", f.case_id),
        &token,
        serde_json::json!({"grounds": ["safety_threatened"], "concerns": ["x"], "required_action": ["y"], "compliance_days": 0}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "compliance_days");
    assert_eq!(count(&app, "concern_notices").await, 1);
    let r = post_json(
        &app,
        "/api/v1/concern/decisions",
        &token,
        serde_json::json!({"urn": OWN_SCHOOL, "kind": "continue", "rationale": "Still slow", "decided_on": "2026-11-30"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/concern/cases/{}", f.case_id),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["decisions"].as_array().unwrap().len(), 2);
    assert!(!r.json()["timeline"].as_array().unwrap().is_empty());
    // The school user: their case's state and issued letters, nothing internal.
    let school = &app.user(Role::School).token;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/concern/cases/{}", f.case_id),
            Some(school),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json().get("timeline").is_none());
    assert!(r.json()["letters"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["status"] == "issued"));
    // Another school's case: 404 for this school's user.
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let other = designate(&app, OTHER_SCHOOL, "Other").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/concern/cases/{}", other.case.unwrap().id),
            Some(school),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (cookie, _) = app.session(Role::School).await;
    let r = app
        .get(
            &format!("/concern/cases/{}", case_id_of(&app, OTHER_SCHOOL).await),
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn inspection_support_and_tasks_are_recorded_on_the_timeline() {
    let app = TestApp::new().await;
    let f = concern_fixture(&app).await;
    let (cookie, csrf) = app.session(Role::Adviser).await;
    let path = format!("/concern/cases/{}/inspection-support", f.case_id);
    // A day-two call before the notification: refused, nothing saved.
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("notified_on-day", "1"),
                ("notified_on-month", "12"),
                ("notified_on-year", "2026"),
                ("day_two_call_on-day", "30"),
                ("day_two_call_on-month", "11"),
                ("day_two_call_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("cannot be before the notification"),
        "{}",
        r.body
    );
    assert_eq!(count(&app, "concern_inspection_support").await, 0);
    let r = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("notified_on-day", "1"),
                ("notified_on-month", "12"),
                ("notified_on-year", "2026"),
                ("pre_inspection_on-day", "1"),
                ("pre_inspection_on-month", "12"),
                ("pre_inspection_on-year", "2026"),
                ("pre_inspection_notes", "Agreed the self-evaluation summary"),
                ("day_two_call_on-day", "3"),
                ("day_two_call_on-month", "12"),
                ("day_two_call_on-year", "2026"),
                ("feedback_attended", "yes"),
                ("feedback_attended_by", "The Lead Officer"),
                ("inspection_outcome", "Requires improvement"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &format!("/concern/tasks/{}/done", f.task_id),
            Some(&cookie),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&format!("/concern/cases/{}", f.case_id), Some(&cookie))
        .await;
    for text in [
        "Day-two call with the lead inspector",
        "Agreed the self-evaluation summary",
        "Inspection support: notified Tuesday 1 December 2026",
        "Task done: ",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert_eq!(audit(&app, "concern_inspection_support").await, 1);
    // The adviser may record but not decide.
    let r = app
        .post_form(
            &format!("/concern/cases/{}/decisions", f.case_id),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "continue"),
                ("rationale", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

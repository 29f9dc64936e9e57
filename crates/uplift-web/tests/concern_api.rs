//! Every step of a causing-concern case, letters, meetings, term dates and
//! Monitoring and Challenge records through the JSON API (issue 6): the
//! escalation from a letter of concern to an interim executive board, the
//! refusals (422 naming the field, nothing saved), an academy refused the
//! authority's powers, letters as JSON, PDF and Word, and a school user kept
//! to the issued letters of their own school.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::concern_fixture::{concern_fixture, designate, in_estate};
use common::{Reply, TestApp, OTHER_SCHOOL, OWN_SCHOOL};
use serde_json::{json, Value};
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

/// A JSON request with the role's API token.
async fn call(app: &TestApp, method: Method, path: &str, role: Role, body: Value) -> Reply {
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

async fn get(app: &TestApp, path: &str, role: Role) -> Reply {
    app.api(Method::GET, path, Some(&app.user(role).token))
        .await
}

/// A refusal: 422, naming `field` first.
fn refused(r: &Reply, field: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], field, "{}", r.body);
    assert!(r.json()["error"].is_string(), "{}", r.body);
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
async fn the_whole_escalation_to_an_interim_executive_board_through_the_api() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    designate(&app, OTHER_SCHOOL, "Invented rationale").await;
    let case = case_id_of(&app, OTHER_SCHOOL).await;
    let base = format!("/api/v1/concern/cases/{case}");

    // The Lead Officer: an unknown officer is refused; the adviser is assigned.
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/lead-officer"),
        Role::Lead,
        json!({}),
    )
    .await;
    refused(&r, "user_id");
    let adviser = app.user(Role::Adviser).id;
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/lead-officer"),
        Role::Lead,
        json!({"user_id": adviser, "assigned_on": "2026-11-23"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["case"]["lead_officer_user_id"], adviser);
    // An adviser cannot assign one.
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/lead-officer"),
        Role::Adviser,
        json!({"user_id": adviser}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Contacts: a chair's name too long is refused.
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/contacts"),
        Role::Adviser,
        json!({"chair_name": "x".repeat(201)}),
    )
    .await;
    refused(&r, "chair_name");
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/contacts"),
        Role::Adviser,
        json!({"chair_name": "Cora Chair"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // A letter of concern: without concerns refused; then sent, its letter drafted.
    let notices = count(&app, "concern_notices").await;
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/letters-of-concern"),
        Role::Lead,
        json!({"concerns": ["  "]}),
    )
    .await;
    refused(&r, "concerns");
    assert_eq!(count(&app, "concern_notices").await, notices);
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/letters-of-concern"),
        Role::Lead,
        json!({"concerns": ["Invented: reading outcomes fell"], "required_action": ["A reading plan"], "sent_on": "2026-11-24"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["letter"]["status"], "draft");
    assert_eq!(r.json()["notice"]["kind"], "letter_of_concern");

    // A warning notice: an unknown ground and a negative period refused.
    let wn = format!("{base}/warning-notices");
    let r = call(&app, Method::POST, &wn, Role::Lead,
        json!({"grounds": ["bad_vibes"], "concerns": ["x"], "required_action": ["y"], "compliance_days": 10})).await;
    refused(&r, "grounds");
    let r = call(&app, Method::POST, &wn, Role::Lead,
        json!({"grounds": ["unacceptably_low_standards"], "concerns": ["x"], "required_action": ["y"], "compliance_days": -3})).await;
    refused(&r, "compliance_days");
    let r = call(&app, Method::POST, &wn, Role::Lead,
        json!({"grounds": ["unacceptably_low_standards"], "concerns": ["x"], "required_action": [], "compliance_days": 10})).await;
    refused(&r, "required_action");
    let r = call(&app, Method::POST, &wn, Role::Lead,
        json!({"grounds": ["unacceptably_low_standards"], "concerns": ["Invented: standards unacceptably low"],
               "required_action": ["Invented: a costed improvement plan"], "compliance_days": 10, "issued_on": "2026-11-25"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notice = r.json()["notice"]["id"].as_i64().unwrap();
    let ends = r.json()["notice"]["compliance_end_on"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(ends, "2026-12-09", "10 working days after 25 November 2026");

    // The outcome: not complied needs the reason; before the period ends it is refused.
    let outcome = format!("/api/v1/concern/notices/{notice}/outcome");
    let r = call(
        &app,
        Method::POST,
        &outcome,
        Role::Lead,
        json!({"outcome": "maybe"}),
    )
    .await;
    refused(&r, "outcome");
    let r = call(
        &app,
        Method::POST,
        &outcome,
        Role::Lead,
        json!({"outcome": "not_complied", "outcome_on": "2027-01-05"}),
    )
    .await;
    refused(&r, "reason");
    let r = call(
        &app,
        Method::POST,
        &outcome,
        Role::Lead,
        json!({"outcome": "not_complied", "reason": "No plan", "outcome_on": "2026-12-01"}),
    )
    .await;
    // Before the period ends: refused on the outcome's date.
    refused(&r, "outcome_on");
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("compliance period"),
        "{}",
        r.body
    );
    let r = call(&app, Method::POST, &outcome, Role::Lead,
        json!({"outcome": "not_complied", "reason": "Invented: no plan was produced", "outcome_on": "2027-01-05"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["notice"]["outcome"], "not_complied");

    // Written notice of proposed powers.
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/written-notices"),
        Role::Lead,
        json!({"proposed": [], "reason": "x"}),
    )
    .await;
    refused(&r, "proposed");
    let r = call(&app, Method::POST, &format!("{base}/written-notices"), Role::Lead,
        json!({"proposed": ["s65_interim_executive_board"], "reason": "Invented: the notice was not complied with",
               "given_on": "2027-01-06"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["letter"]["status"], "draft");

    // Eligible for intervention: the unmet notice, and a category route recorded.
    let c = get(&app, &base, Role::Lead).await;
    assert!(
        !c.json()["eligibility"].as_array().unwrap().is_empty(),
        "{}",
        c.body
    );
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/eligibility"),
        Role::Lead,
        json!({"route": "unmet_s60_notice", "evidence": "x"}),
    )
    .await;
    refused(&r, "route");
    let r = call(&app, Method::POST, &format!("{base}/eligibility"), Role::Lead,
        json!({"route": "special_measures", "evidence": "Invented: inspection of 10 January 2027", "eligible_on": "2027-01-12"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // An IEB with one member is refused, nothing saved; with two it is recorded.
    let powers = format!("{base}/powers");
    let r = call(&app, Method::POST, &powers, Role::Lead,
        json!({"power": "s65_interim_executive_board", "people": ["Invented Member One"], "used_on": "2027-01-20"})).await;
    refused(&r, "people");
    assert_eq!(count(&app, "concern_powers").await, 0);
    let r = call(
        &app,
        Method::POST,
        &powers,
        Role::Lead,
        json!({"power": "s63_arrangements", "used_on": "2027-01-20"}),
    )
    .await;
    // s63 needs the arrangement and with whom: both named, in the form's order.
    refused(&r, "arrangement");
    assert_eq!(r.json()["errors"][1]["field"], "with_whom", "{}", r.body);
    let r = call(
        &app,
        Method::POST,
        &powers,
        Role::Adviser,
        json!({"power": "s65_interim_executive_board", "people": ["A", "B"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "concern_powers").await, 0);
    let r = call(&app, Method::POST, &powers, Role::Lead,
        json!({"power": "s65_interim_executive_board", "people": ["Invented Member One", "Invented Member Two"],
               "used_on": "2027-01-20"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.json()["power"]["signed_off_by"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(count(&app, "concern_powers").await, 1);

    // Inspection support: a day-two call before the notification is refused.
    let support = format!("{base}/inspection-support");
    let r = call(
        &app,
        Method::POST,
        &support,
        Role::Adviser,
        json!({"notified_on": "not a date"}),
    )
    .await;
    refused(&r, "notified_on");
    let r = call(
        &app,
        Method::POST,
        &support,
        Role::Adviser,
        json!({"notified_on": "2027-02-01", "day_two_call_on": "2027-01-30"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(count(&app, "concern_inspection_support").await, 0);
    let r = call(&app, Method::POST, &support, Role::Adviser,
        json!({"notified_on": "2027-02-01", "day_two_call_on": "2027-02-03", "feedback_attended": true,
               "feedback_attended_by": "Invented Adviser", "outcome": "Invented outcome"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // A task done.
    let task = app.db.case_tasks(case).await.unwrap()[0].id;
    let r = call(
        &app,
        Method::POST,
        &format!("/api/v1/concern/tasks/{task}/done"),
        Role::Adviser,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["task"]["done_on"].is_string());

    // Every step is on the case's timeline.
    let c = get(&app, &base, Role::Lead).await;
    let timeline = c.json()["timeline"].as_array().unwrap().len();
    assert!(timeline >= 9, "{timeline} events: {}", c.body);
    assert_eq!(c.json()["powers"].as_array().unwrap().len(), 1);
    assert_eq!(c.json()["written_notices"].as_array().unwrap().len(), 1);
    assert_eq!(c.json()["inspection_support"].as_array().unwrap().len(), 1);
    assert_eq!(c.json()["case"]["lead_officer_user_id"], adviser);
}

#[tokio::test]
async fn an_academy_is_refused_the_authoritys_powers_and_raises_concerns_with_the_trust() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "academy").await;
    designate(&app, OTHER_SCHOOL, "Academy concern").await;
    let case = case_id_of(&app, OTHER_SCHOOL).await;
    let base = format!("/api/v1/concern/cases/{case}");
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/powers"),
        Role::Lead,
        json!({"power": "s66_suspend_delegated_budget"}),
    )
    .await;
    refused(&r, "power");
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("no local-authority powers"),
        "{}",
        r.body
    );
    let r = call(&app, Method::POST, &format!("{base}/warning-notices"), Role::Lead,
        json!({"grounds": ["safety_threatened"], "concerns": ["x"], "required_action": ["y"], "compliance_days": 10})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/written-notices"),
        Role::Lead,
        json!({"proposed": ["s66_suspend_delegated_budget"], "reason": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(count(&app, "concern_powers").await, 0);
    assert_eq!(count(&app, "concern_written_notices").await, 0);
    // To the regional director, what was done with the trust is needed.
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/academy-concerns"),
        Role::Lead,
        json!({"raised_with": "regional_director", "concerns": "Invented: safeguarding"}),
    )
    .await;
    refused(&r, "engagement");
    assert_eq!(count(&app, "concern_academy_concerns").await, 0);
    let r = call(
        &app,
        Method::POST,
        &format!("{base}/academy-concerns"),
        Role::Lead,
        json!({"raised_with": "trust", "concerns": "Invented: safeguarding"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["letter"]["status"], "draft");
    assert_eq!(count(&app, "concern_academy_concerns").await, 1);
}

#[tokio::test]
async fn letters_as_json_pdf_and_word_edited_issued_and_kept_to_their_school() {
    let app = TestApp::new().await;
    let f = concern_fixture(&app).await;
    let issued = format!("/api/v1/concern/letters/{}", f.letter_id);
    let draft = format!("/api/v1/concern/letters/{}", f.draft_letter_id);
    let r = get(&app, &issued, Role::Lead).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "issued");
    assert_eq!(r.json()["urn"], OWN_SCHOOL);
    let pdf = get(&app, &format!("{issued}/pdf"), Role::Lead).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"), "not a PDF");
    assert_eq!(
        pdf.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/pdf"
    );
    let docx = get(&app, &format!("{issued}/docx"), Role::Lead).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(docx.body.starts_with("PK"), "not a Word (zip) file");

    // The school user: their own issued letter, not their own draft.
    let r = get(&app, &issued, Role::School).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = get(&app, &format!("{issued}/pdf"), Role::School).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("%PDF"));
    for path in [
        draft.clone(),
        format!("{draft}/pdf"),
        format!("{draft}/docx"),
    ] {
        let r = get(&app, &path, Role::School).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }

    // Editing the draft: blank refused, nothing saved; then changed.
    let r = call(
        &app,
        Method::PUT,
        &draft,
        Role::Adviser,
        json!({"body": "  "}),
    )
    .await;
    refused(&r, "body");
    let before = get(&app, &draft, Role::Lead).await.json()["body"].clone();
    assert!(!before.as_str().unwrap().trim().is_empty());
    let r = call(
        &app,
        Method::PUT,
        &draft,
        Role::Adviser,
        json!({"body": "Dear governors,\n\nInvented text of the letter."}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["body"].as_str().unwrap().contains("Invented text"));
    // Only a lead issues it; then the school reads it, and it cannot change.
    let r = call(
        &app,
        Method::POST,
        &format!("{draft}/issue"),
        Role::Adviser,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        Method::POST,
        &format!("{draft}/issue"),
        Role::Lead,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "issued");
    let r = get(&app, &draft, Role::School).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = call(
        &app,
        Method::PUT,
        &draft,
        Role::Lead,
        json!({"body": "Changed"}),
    )
    .await;
    refused(&r, "body");
    let r = call(
        &app,
        Method::POST,
        &format!("{draft}/issue"),
        Role::Lead,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another school's letter (issued) and case: 404 for this school's user.
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let other = designate(&app, OTHER_SCHOOL, "Other").await;
    let other_letter = other.letters[0].id;
    let r = call(
        &app,
        Method::POST,
        &format!("/api/v1/concern/letters/{other_letter}/issue"),
        Role::Lead,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for path in [
        format!("/api/v1/concern/letters/{other_letter}"),
        format!("/api/v1/concern/letters/{other_letter}/pdf"),
        format!("/api/v1/concern/letters/{other_letter}/docx"),
        format!("/api/v1/concern/cases/{}", other.case.as_ref().unwrap().id),
        format!(
            "/api/v1/concern/cases/{}/monitoring-and-challenge",
            other.case.as_ref().unwrap().id
        ),
    ] {
        let r = get(&app, &path, Role::School).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
    // An unknown letter is 404 for officers too.
    let r = get(&app, "/api/v1/concern/letters/99999", Role::Lead).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn meetings_schedule_attendees_minutes_status_agenda_and_papers() {
    let app = TestApp::new().await;
    let f = common::meetings_fixture::seed(&app).await;
    let m = format!("/api/v1/meetings/{}", f.meeting_id);

    // Attendees: a blank name refused, nothing saved; then set, then changed.
    let r = call(&app, Method::PUT, &format!("{m}/attendees"), Role::Adviser,
        json!({"attendees": [{"name": "Invented Chair", "role": "Chair"}, {"name": "", "role": "Clerk"}]})).await;
    refused(&r, "attendees[1].name");
    assert_eq!(count(&app, "meeting_attendees").await, 0);
    let r = call(&app, Method::PUT, &format!("{m}/attendees"), Role::Adviser,
        json!({"attendees": [{"name": "Invented Chair", "role": "Chair"}, {"name": "Invented Clerk", "role": "Clerk"}]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["attendees"].as_array().unwrap().len(), 2);
    let chair = r.json()["attendees"][0]["id"].clone();
    let r = call(
        &app,
        Method::PUT,
        &format!("{m}/attendees"),
        Role::Lead,
        json!({"attendees": [{"name": "Invented Chair", "role": "Chair"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["attendees"].as_array().unwrap().len(), 1);
    assert_eq!(r.json()["attendees"][0]["id"], chair, "kept, not re-added");
    let r = call(
        &app,
        Method::PUT,
        &format!("{m}/attendees"),
        Role::Panel,
        json!({"attendees": []}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Minutes.
    let r = call(
        &app,
        Method::POST,
        &format!("{m}/minutes"),
        Role::Adviser,
        json!({"minute": " "}),
    )
    .await;
    refused(&r, "minute");
    let r = call(
        &app,
        Method::POST,
        &format!("{m}/minutes"),
        Role::Adviser,
        json!({"minute": "x", "urn": 1}),
    )
    .await;
    refused(&r, "urn");
    assert_eq!(count(&app, "meeting_minutes").await, 0);
    let r = call(
        &app,
        Method::POST,
        &format!("{m}/minutes"),
        Role::Adviser,
        json!({"minute": "Invented: the plan was discussed", "urn": OWN_SCHOOL}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = get(&app, &m, Role::Panel).await;
    assert_eq!(d.json()["minutes"].as_array().unwrap().len(), 1);
    assert_eq!(d.json()["attendees"].as_array().unwrap().len(), 1);

    // The agenda issued, then the papers.
    let r = call(
        &app,
        Method::POST,
        &format!("{m}/agenda"),
        Role::Lead,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["issued"], true);
    assert!(r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["urn"] == OWN_SCHOOL));
    let r = get(&app, &format!("{m}/papers.pdf"), Role::Panel).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("%PDF"));
    let r = get(&app, &format!("{m}/papers.pdf"), Role::School).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The status.
    let r = call(
        &app,
        Method::POST,
        &format!("{m}/status"),
        Role::Lead,
        json!({"status": "adjourned"}),
    )
    .await;
    refused(&r, "status");
    let r = call(
        &app,
        Method::POST,
        &format!("{m}/status"),
        Role::Lead,
        json!({"status": "cancelled"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "cancelled");

    // A year of Schools Review Groups: previewed (nothing made), then made.
    let before = count(&app, "meetings").await;
    let r = call(
        &app,
        Method::POST,
        "/api/v1/meetings/schedule",
        Role::Lead,
        json!({"kind": "school_performance_board", "year": "2026/27", "weekday": "tuesday", "week": 3}),
    )
    .await;
    refused(&r, "kind");
    let r = call(
        &app,
        Method::POST,
        "/api/v1/meetings/schedule",
        Role::Lead,
        json!({"kind": "schools_review_group", "year": "2026/27", "weekday": "someday", "week": 9}),
    )
    .await;
    refused(&r, "weekday");
    assert_eq!(r.json()["errors"][1]["field"], "week");
    let body =
        json!({"kind": "schools_review_group", "year": "2026/27", "weekday": "tuesday", "week": 3});
    let mut preview = body.clone();
    preview["preview"] = json!(true);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/meetings/schedule",
        Role::Lead,
        preview,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["created"], false);
    let dates = r.json()["meetings"].as_array().unwrap().len();
    assert!(dates >= 6, "half-termly: {}", r.body);
    assert_eq!(count(&app, "meetings").await, before);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/meetings/schedule",
        Role::Lead,
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["created"], true);
    assert_eq!(count(&app, "meetings").await, before + dates as i64);
}

#[tokio::test]
async fn term_dates_bad_input_is_refused_and_nothing_saved() {
    let app = TestApp::new().await;
    let r = get(&app, "/api/v1/term-dates?year=2026/27", Role::Adviser).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["own"], false);
    assert_eq!(r.json()["year"], "2026/27");
    let typical = r.json();
    let r = get(&app, "/api/v1/term-dates?year=twenty", Role::Adviser).await;
    refused(&r, "year");

    // The first half term ending before it starts.
    let mut bad = typical.clone();
    bad.as_object_mut().unwrap().remove("own");
    bad["autumn1_end"] = json!("2026-08-01");
    let r = call(&app, Method::PUT, "/api/v1/term-dates", Role::Lead, bad).await;
    refused(&r, "autumn1_end");
    // A date missing.
    let mut bad = typical.clone();
    bad["spring2_start"] = json!("");
    let r = call(&app, Method::PUT, "/api/v1/term-dates", Role::Lead, bad).await;
    refused(&r, "spring2_start");
    assert_eq!(count(&app, "organisation_term_dates").await, 0);
    let r = get(&app, "/api/v1/term-dates?year=2026/27", Role::Lead).await;
    assert_eq!(r.json()["own"], false);

    // Only admins and leads set them.
    let r = call(
        &app,
        Method::PUT,
        "/api/v1/term-dates",
        Role::Adviser,
        typical.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut good = typical.clone();
    good["autumn1_start"] = json!("2026-09-04");
    let r = call(&app, Method::PUT, "/api/v1/term-dates", Role::Admin, good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["own"], true);
    assert_eq!(r.json()["autumn1_start"], "2026-09-04");
    let r = get(&app, "/api/v1/term-dates?year=2026/27", Role::Panel).await;
    assert_eq!(r.json()["own"], true);
    assert_eq!(r.json()["autumn1_start"], "2026-09-04");
    assert_eq!(count(&app, "organisation_term_dates").await, 1);
}

#[tokio::test]
async fn monitoring_and_challenge_records_are_made_and_listed() {
    let app = TestApp::new().await;
    let f = common::meetings_fixture::seed(&app).await;
    let path = format!(
        "/api/v1/concern/cases/{}/monitoring-and-challenge",
        f.case_id
    );
    let r = get(&app, &path, Role::Lead).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["records"].as_array().unwrap().is_empty());
    let good = json!({
        "date": "2027-03-03", "progress": "amber",
        "progress_evaluation": "Invented: reading improving, maths not yet",
        "support": "green", "support_evaluation": "Invented: the support was timely",
        "meeting_id": f.meeting_id,
    });
    let mut bad = good.clone();
    bad["progress"] = json!("purple");
    bad["meeting_id"] = json!(99999);
    let r = call(&app, Method::POST, &path, Role::Lead, bad).await;
    refused(&r, "progress");
    assert_eq!(r.json()["errors"][1]["field"], "meeting_id", "{}", r.body);
    assert_eq!(count(&app, "monitoring_challenge_records").await, 0);
    let r = call(&app, Method::POST, &path, Role::Adviser, good.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(&app, Method::POST, &path, Role::Lead, good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["progress"], "amber");
    assert_eq!(r.json()["meeting_id"], f.meeting_id);
    let r = get(&app, &path, Role::Panel).await;
    assert_eq!(r.json()["records"].as_array().unwrap().len(), 1);
    assert_eq!(r.json()["records"][0]["support"], "green");
    // The school's own users see the case, not the internal records.
    let r = get(&app, &path, Role::School).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["records"].as_array().unwrap().is_empty());
}

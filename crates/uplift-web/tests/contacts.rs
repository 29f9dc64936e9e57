//! School contacts and "not a priority" decisions on the web: the contacts
//! form (a school user edits only their own school; bad input refused with
//! the GOV.UK error summary, nothing saved), the API, the school profile, the
//! case page's warning when no chair is recorded and letters addressed from
//! the contacts; a proposed school considered and not a priority from the
//! designation form and at a meeting, its letter (with no case) issued and
//! read by the school's own users, and 404 for another school's.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::concern_fixture::{designate, in_estate};
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

async fn put_json(app: &TestApp, path: &str, token: &str, body: serde_json::Value) -> Reply {
    app.send(
        Request::builder()
            .method(Method::PUT)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// An invented graded inspection (grade 4: categorisation proposes the school).
async fn inadequate(app: &TestApp, urn: i64) {
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "INSERT INTO inspections_graded (urn, inspection_key, inspection_type, start_date, publication_date,
                 overall_effectiveness, quality_of_education, behaviour_and_attitudes, personal_development,
                 leadership_and_management, safeguarding_effective, source_file, imported_at)
             VALUES ({urn}, 'I{urn}', 'S5', '2025-05-01', '2025-05-01', 4, 4, 4, 4, 4,
                 TRUE, 'invented-test.csv', '{t}')"
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn contacts_are_edited_by_the_school_itself_and_refused_for_another() {
    let app = TestApp::new().await;
    in_estate(&app, OWN_SCHOOL, "maintained").await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let (cookie, csrf) = app.session(Role::School).await;
    let c = Some(cookie.as_str());
    let own = format!("/schools/{OWN_SCHOOL}/contacts");
    let other = format!("/schools/{OTHER_SCHOOL}/contacts");

    let page = app.get(&own, c).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Chair of governors&#x27; name")
            || page.body.contains("Chair of governors' name")
    );
    // Another school: not found, by page and by post; nothing saved.
    assert_eq!(app.get(&other, c).await.status, StatusCode::NOT_FOUND);
    let r = app
        .post_form(
            &other,
            c,
            &[("csrf_token", &csrf), ("chair_name", "Someone Else")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(count(&app, "school_contacts").await, 0);

    // Bad input: the error summary and field errors, nothing saved.
    let long = "x".repeat(201);
    let r = app
        .post_form(
            &own,
            c,
            &[
                ("csrf_token", &csrf),
                ("chair_name", &long),
                ("chair_email", "not-an-email"),
                ("clerk_email", "clerk@nowhere"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r.body.contains("href=\"#chair_name\""), "{}", r.body);
    assert!(r.body.contains("must be 200 characters or fewer"));
    assert!(r.body.contains("href=\"#chair_email\""));
    assert!(r.body.contains("href=\"#clerk_email\""));
    assert!(r.body.contains("govuk-input--error"));
    assert_eq!(count(&app, "school_contacts").await, 0);

    // Saved: an acting head overriding the register, the chair and the clerk.
    let r = app
        .post_form(
            &own,
            c,
            &[
                ("csrf_token", &csrf),
                ("headteacher_name", "Acting Head Example"),
                ("chair_name", "Pat Invented-Governor"),
                ("chair_email", "pat.governor@example.invalid"),
                ("clerk_name", "Clerk Example"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("{own}?saved=1"));
    let saved = app
        .db
        .school_contacts(app.org_id, OWN_SCHOOL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.chair_name.as_deref(), Some("Pat Invented-Governor"));
    assert_eq!(saved.updated_by, app.user(Role::School).email);

    // The profile shows them, the override with who recorded it and when.
    let (lead, _) = app.session(Role::Lead).await;
    let profile = app
        .get(&format!("/schools/{OWN_SCHOOL}"), Some(&lead))
        .await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert!(profile
        .body
        .contains("Pat Invented-Governor (pat.governor@example.invalid)"));
    assert!(profile.body.contains("Clerk Example"));
    assert!(
        profile.body.contains(&format!(
            "Acting Head Example (recorded by {} on",
            app.user(Role::School).email
        )),
        "{}",
        profile.body
    );
    assert!(profile.body.contains(&format!("href=\"{own}\"")));
    // Another school with nothing recorded: the register's head; no chair.
    let profile = app
        .get(&format!("/schools/{OTHER_SCHOOL}"), Some(&lead))
        .await;
    assert!(
        profile.body.contains("Hana Head (from the register)"),
        "{}",
        profile.body
    );
    // A role that may not edit contacts: no link, and the form is forbidden.
    let (panel, _) = app.session(Role::Panel).await;
    let profile = app
        .get(&format!("/schools/{OWN_SCHOOL}"), Some(&panel))
        .await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(!profile.body.contains(&format!("href=\"{own}\"")));
    assert_eq!(
        app.get(&own, Some(&panel)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn contacts_through_the_api() {
    let app = TestApp::new().await;
    in_estate(&app, OWN_SCHOOL, "maintained").await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let lead = app.user(Role::Lead).token.clone();
    let school = app.user(Role::School).token.clone();
    let path = format!("/api/v1/schools/{OWN_SCHOOL}/contacts");
    let r = app.api(Method::GET, &path, Some(&lead)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["chair_name"], serde_json::Value::Null);
    assert_eq!(j["headteacher"], "Hana Head");
    // Refused naming the field; nothing saved.
    let r = put_json(
        &app,
        &path,
        &lead,
        serde_json::json!({"chair_name": "Pat", "chair_email": "nope"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "chair_email");
    assert_eq!(count(&app, "school_contacts").await, 0);
    let r = put_json(
        &app,
        &path,
        &lead,
        serde_json::json!({"chair_name": "Pat Invented-Governor", "clerk_email": "clerk@example.invalid"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["chair_name"], "Pat Invented-Governor");
    assert_eq!(r.json()["updated_by"], app.user(Role::Lead).email.as_str());
    let r = app.api(Method::GET, &path, Some(&school)).await;
    assert_eq!(r.json()["clerk_email"], "clerk@example.invalid");
    // A school user: their own school only.
    let other = format!("/api/v1/schools/{OTHER_SCHOOL}/contacts");
    let r = put_json(
        &app,
        &other,
        &school,
        serde_json::json!({"chair_name": "X"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.api(Method::GET, &other, Some(&school)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(count(&app, "school_contacts").await, 1);
}

#[tokio::test]
async fn the_case_warns_without_a_chair_and_letters_use_the_school_contacts() {
    let app = TestApp::new().await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    let r = designate(&app, OTHER_SCHOOL, "Invented rationale").await;
    assert_eq!(r.letters[0].chair_name, "The Chair of Governors");
    let case = r.case.unwrap().id;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let page = app
        .get(&format!("/concern/cases/{case}"), Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(
            "No chair of governors recorded — letters will be addressed to &#x27;The Chair of Governors&#x27;"
        ) || page.body.contains(
            "No chair of governors recorded — letters will be addressed to 'The Chair of Governors'"
        ),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("href=\"/schools/{OTHER_SCHOOL}/contacts\"")));
    // The case's own contacts route still works and writes the school's contacts.
    let r = app
        .post_form(
            &format!("/concern/cases/{case}/contacts"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("chair_name", "Pat Invented-Governor"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = app
        .db
        .school_contacts(app.org_id, OTHER_SCHOOL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.chair_name.as_deref(), Some("Pat Invented-Governor"));
    let page = app
        .get(&format!("/concern/cases/{case}"), Some(&cookie))
        .await;
    assert!(!page.body.contains("No chair of governors recorded"));
    assert!(page.body.contains("Pat Invented-Governor"));
    // The next letter names the chair.
    let r = app
        .post_form(
            &format!("/concern/cases/{case}/decisions"),
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("kind", "letter_of_concern"),
                ("rationale", "Progress has stalled"),
                ("decided_on-day", "24"),
                ("decided_on-month", "11"),
                ("decided_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let letters = app.db.case_letters(case).await.unwrap();
    let last = letters.last().unwrap();
    assert_eq!(last.chair_name, "Pat Invented-Governor");
    assert!(last.body.contains("Pat Invented-Governor"));
}

#[tokio::test]
async fn a_proposed_school_is_considered_not_a_priority_and_told_why() {
    let app = TestApp::new().await;
    in_estate(&app, OWN_SCHOOL, "maintained").await;
    in_estate(&app, OTHER_SCHOOL, "maintained").await;
    inadequate(&app, OWN_SCHOOL).await;
    inadequate(&app, OTHER_SCHOOL).await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let c = Some(cookie.as_str());
    let list = app.get("/concern", c).await;
    assert!(list
        .body
        .contains(&format!("/concern/designate/{OWN_SCHOOL}")));
    assert_eq!(list.body.matches("Designate or not a priority").count(), 2);
    let form = app
        .get(&format!("/concern/designate/{OWN_SCHOOL}"), c)
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("value=\"not_a_priority\""));
    assert!(form.body.contains("Not a priority"));

    // Without a rationale: refused, nothing saved.
    let path = format!("/concern/designate/{OWN_SCHOOL}");
    let r = app
        .post_form(
            &path,
            c,
            &[
                ("csrf_token", &csrf),
                ("decision", "not_a_priority"),
                ("rationale", " "),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Enter the rationale for the decision"));
    assert_eq!(count(&app, "concern_decisions").await, 0);
    assert_eq!(count(&app, "letters").await, 0);

    // With one (no triggers needed): no case; the letter is drafted and shown.
    let r = app
        .post_form(
            &path,
            c,
            &[
                ("csrf_token", &csrf),
                ("decision", "not_a_priority"),
                (
                    "rationale",
                    "A new headteacher has a credible plan; data improving",
                ),
                ("decided_on-day", "20"),
                ("decided_on-month", "11"),
                ("decided_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().starts_with("/concern/letters/"),
        "{}",
        r.location()
    );
    assert_eq!(count(&app, "concern_cases").await, 0);
    let letters = app.db.school_letters(app.org_id, OWN_SCHOOL).await.unwrap();
    assert_eq!(letters.len(), 1);
    let own_letter = letters[0].clone();
    assert_eq!(own_letter.kind, "not_a_priority");
    assert_eq!(own_letter.case_id, None);
    assert_eq!(own_letter.chair_name, "The Chair of Governors");
    let page = app.get(r.location(), c).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains("is not a priority for support this year"));
    assert!(page.body.contains("Back to the school"));

    // /concern: listed as considered, no longer an undecided proposal.
    let list = app.get("/concern", c).await;
    assert!(list.body.contains("Considered, not designated"));
    assert!(
        list.body
            .contains("Considered and not a priority on Friday 20 November 2026"),
        "{}",
        list.body
    );
    // Only the other school is still an undecided proposal.
    assert_eq!(list.body.matches("Designate or not a priority").count(), 1);
    assert!(list.body.contains("Reconsider"));
    // The school's profile shows the decision and its letter.
    let profile = app.get(&format!("/schools/{OWN_SCHOOL}"), c).await;
    assert!(
        profile.body.contains("Considered and not a priority"),
        "{}",
        profile.body
    );
    assert!(profile
        .body
        .contains(&format!("/concern/letters/{}", own_letter.id)));

    // The other school, decided at a Schools Review Group.
    let r = app
        .post_form(
            "/meetings",
            c,
            &[
                ("csrf_token", &csrf),
                ("kind", "schools_review_group"),
                ("date-day", "8"),
                ("date-month", "12"),
                ("date-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let meeting: i64 = r
        .location()
        .trim_start_matches("/meetings/")
        .split(['?', '#', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = app.get(&format!("/meetings/{meeting}"), c).await;
    assert!(
        page.body.contains("value=\"not_a_priority\""),
        "{}",
        page.body
    );
    let kind = format!("kind-{OTHER_SCHOOL}");
    let rationale = format!("rationale-{OTHER_SCHOOL}");
    let urn = OTHER_SCHOOL.to_string();
    let r = app
        .post_form(
            &format!("/meetings/{meeting}/decisions"),
            c,
            &[
                ("csrf_token", &csrf),
                ("urn", &urn),
                (&kind, "not_a_priority"),
                (
                    &rationale,
                    "Considered by the group: leadership secure, one weak cohort",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(count(&app, "concern_cases").await, 0);
    let other_letters = app
        .db
        .school_letters(app.org_id, OTHER_SCHOOL)
        .await
        .unwrap();
    assert_eq!(other_letters.len(), 1);
    assert_eq!(other_letters[0].kind, "not_a_priority");
    assert!(
        other_letters[0].body.contains("Schools Review Group")
            || other_letters[0].body.contains("not a priority")
    );
    let decisions = app.db.meeting_decisions(app.org_id, meeting).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].case_id, None);

    // Issued, the school's own users read their letter (page and PDF); another
    // school's letter is not found, issued or not.
    for id in [own_letter.id, other_letters[0].id] {
        let r = app
            .post_form(
                &format!("/concern/letters/{id}/issue"),
                c,
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let (school, _) = app.session(Role::School).await;
    let s = Some(school.as_str());
    let mine = app
        .get(&format!("/concern/letters/{}", own_letter.id), s)
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(mine.body.contains("not a priority for support"));
    let pdf = app
        .get(&format!("/concern/letters/{}.pdf", own_letter.id), s)
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let list = app.get("/concern", s).await;
    assert!(list
        .body
        .contains(&format!("/concern/letters/{}", own_letter.id)));
    assert!(!list
        .body
        .contains(&format!("/concern/letters/{}\"", other_letters[0].id)));
    let theirs = app
        .get(&format!("/concern/letters/{}", other_letters[0].id), s)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let theirs = app
        .get(&format!("/concern/letters/{}.pdf", other_letters[0].id), s)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    // Once designated, "not a priority" is refused with the reason; nothing saved.
    designate(&app, OTHER_SCHOOL, "Designated later").await;
    let (decisions, letters) = (
        count(&app, "concern_decisions").await,
        count(&app, "letters").await,
    );
    let r = app
        .post_form(
            &format!("/concern/designate/{OTHER_SCHOOL}"),
            c,
            &[
                ("csrf_token", &csrf),
                ("decision", "not_a_priority"),
                ("rationale", "Trying anyway"),
                ("decided_on-day", "24"),
                ("decided_on-month", "11"),
                ("decided_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("open case"), "{}", r.body);
    assert!(r.body.contains("href=\"#decision\""), "{}", r.body);
    assert_eq!(count(&app, "concern_decisions").await, decisions);
    assert_eq!(count(&app, "letters").await, letters);

    // The school's data changes after the decision: proposed again, with the
    // earlier decision and its date beside the proposal.
    let t = uplift_store::now();
    app.db
        .execute_raw(&format!(
            "INSERT INTO school_changes (urn, field, old_value, new_value, changed_on, source_file, recorded_at)
             VALUES ({OWN_SCHOOL}, 'head_last_name', 'Head', 'Newhead', '2026-11-21', 'invented-test.csv', '{t}')"
        ))
        .await
        .unwrap();
    let list = app.get("/concern", c).await;
    assert!(
        list.body.contains(
            "Considered and not a priority on Friday 20 November 2026; the school&#x27;s data has changed since"
        ) || list.body.contains(
            "Considered and not a priority on Friday 20 November 2026; the school's data has changed since"
        ),
        "{}",
        list.body
    );
    assert_eq!(list.body.matches("Designate or not a priority").count(), 1);
    assert!(!list.body.contains("Reconsider"));
}

async fn raw_get(app: &TestApp, path: &str, cookie: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let res = uplift_web::router(app.state.clone())
        .oneshot(
            Request::builder()
                .uri(path)
                .header("cookie", cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    res.into_body().collect().await.unwrap().to_bytes().to_vec()
}

#[tokio::test]
async fn a_note_shared_with_the_chair_names_the_recorded_chair_on_the_page_and_pdf() {
    let app = TestApp::new().await;
    let visit = app.visits().await.own_final;
    in_estate(&app, OWN_SCHOOL, "maintained").await;
    let (school, _) = app.session(Role::School).await;
    let page = app
        .get(&format!("/visits/{visit}/note"), Some(&school))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Shared with the chair of governors"));
    assert!(!page.body.contains("Pat Invented-Governor"));
    let mut tx = app.db.begin().await.unwrap();
    uplift_store::contacts::save(
        &mut tx,
        &common::concern_fixture::lead_actor(&app),
        app.org_id,
        OWN_SCHOOL,
        &uplift_store::contacts::ContactsInput {
            chair_name: Some("Pat Invented-Governor".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = app
        .get(&format!("/visits/{visit}/note"), Some(&school))
        .await;
    assert!(
        page.body
            .contains("Shared with the chair of governors, Pat Invented-Governor"),
        "{}",
        page.body
    );
    let pdf = raw_get(&app, &format!("/visits/{visit}/note.pdf"), &school).await;
    let text = uplift_docs::inspect::pdf_text(&pdf).unwrap();
    assert!(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("Shared with the chair of governors, Pat Invented-Governor"),
        "{text}"
    );
}
